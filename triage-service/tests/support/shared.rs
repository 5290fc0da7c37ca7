//! Shared by the service's tests and the command-line tests of `triage
//! serve` (which include this file): answering a question without a script,
//! and the FHIR R4 validator.

#![allow(dead_code)] // Each including test uses its own part.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

/// An answer to `question` chosen by `pick` (the turn number, for variety):
/// an option of a choice, "none" where offered for a multiple choice (or the
/// picked option), or a number inside the range.
pub fn choose(question: &Value, pick: usize) -> Value {
    let id = question["id"].as_str().expect("an id");
    let options: Vec<&str> = question["options"]
        .as_array()
        .map(|o| o.iter().filter_map(|o| o["id"].as_str()).collect())
        .unwrap_or_default();
    let answer = match question["kind"].as_str() {
        Some("number") => {
            let min = question["range"][0].as_f64().unwrap_or(0.0);
            let max = question["range"][1].as_f64().unwrap_or(min);
            json!(((min + max) / 2.0).floor())
        }
        Some("multiple") => {
            let real: Vec<&str> = options
                .iter()
                .copied()
                .filter(|o| *o != "none" && *o != "not_sure")
                .collect();
            if !pick.is_multiple_of(3) && options.contains(&"none") || real.is_empty() {
                json!("none")
            } else {
                json!([real[pick % real.len()]])
            }
        }
        _ => {
            let real: Vec<&str> = options
                .iter()
                .copied()
                .filter(|o| *o != "not_sure")
                .collect();
            json!(real[pick % real.len()])
        }
    };
    json!({"question": id, "answer": answer})
}

/// Runs the FHIR R4 validator (`tests/fhir` of `workspace`) over `messages`; panics with its
/// report if any is not valid.
pub fn assert_valid_fhir(workspace: &Path, messages: &[Value]) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let files: Vec<PathBuf> = messages
        .iter()
        .enumerate()
        .map(|(i, message)| {
            let file = dir.path().join(format!("handoff-{i}.json"));
            std::fs::write(&file, serde_json::to_vec_pretty(message).expect("JSON"))
                .expect("written");
            file
        })
        .collect();
    let validator = workspace.join("tests/fhir");
    assert!(
        validator.join("node_modules/fhir").is_dir(),
        "the FHIR validator is not installed: run `npm ci --prefix tests/fhir` (scripts/test.sh does)"
    );
    let output = std::process::Command::new("node")
        .arg(validator.join("validate.mjs"))
        .args(&files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run node (needed for the FHIR validator): {e}"));
    assert!(
        output.status.success(),
        "not valid FHIR R4:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A new, empty database named `name` on the PostgreSQL server of
/// TRIAGE_TEST_POSTGRES (dropped first if a run before left it), made with
/// psql; its URL. Without that server the calling test fails: it is never
/// skipped.
pub fn new_postgres_database(name: &str) -> String {
    let admin = std::env::var("TRIAGE_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "TRIAGE_TEST_POSTGRES is not set: this test needs a PostgreSQL server. \
             Start one with `export TRIAGE_TEST_POSTGRES=$(scripts/start-postgres.sh)` \
             (scripts/test.sh does this)"
        )
    });
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        let status = Command::new("psql")
            .env("PGOPTIONS", "-c client_min_messages=warning")
            .args([admin.as_str(), "-Atqc", &sql])
            .status()
            .unwrap_or_else(|e| panic!("cannot run psql: {e}"));
        assert!(status.success(), "{sql}");
    }
    let (base, _) = admin.rsplit_once('/').expect("a database in the URL");
    format!("{base}/{name}")
}
