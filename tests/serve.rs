//! `triage serve` and `triage audit verify` as a user runs them: the README's
//! journey with curl against a service started with no database configured,
//! a clean stop on SIGTERM, and a crash (SIGKILL) under load that loses no
//! record of an outcome that was returned, on SQLite and on PostgreSQL.

#[path = "../triage-service/tests/support/shared.rs"]
mod shared;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A `triage serve` process.
struct Server {
    child: Child,
    base: String,
    stderr: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `triage serve pathways --listen 127.0.0.1:0 EXTRA...` in `cwd`
/// and waits for the address it prints.
fn serve(cwd: &Path, extra: &[&str]) -> Server {
    serve_bundle(cwd, &root().join("pathways"), extra)
}

/// As [`serve`], serving `bundle` (a directory or a compiled file).
fn serve_bundle(cwd: &Path, bundle: &Path, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_triage"))
        .arg("serve")
        .arg(bundle)
        .args(["--listen", "127.0.0.1:0"])
        .args(extra)
        .current_dir(cwd)
        .env_remove("TRIAGE_DATABASE_URL")
        .env("TRIAGE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("triage serve starts");
    let (send, lines) = mpsc::channel();
    let stderr = child.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(line) = lines.recv_timeout(left) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("triage serve printed no address within 60 s");
        };
        if let Some(rest) = line.split("listening on ").nth(1) {
            let base = rest
                .split_whitespace()
                .next()
                .expect("an address")
                .to_string();
            return Server {
                child,
                base,
                stderr: lines,
            };
        }
    }
}

/// Runs curl with `args`; its output as JSON.
fn curl(args: &[&str]) -> Value {
    let output = Command::new("curl")
        .args(["--silent", "--show-error"])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run curl (the README's walk-through uses it): {e}"));
    assert!(
        output.status.success(),
        "curl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "curl {args:?} gave no JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// The README's walk-through: its shell block, run as written but for the
/// address (the test's server listens on a free port) and the binary.
fn readme_walk_through() -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let start = readme
        .find("```sh\nBASE=http://127.0.0.1:8080\n")
        .expect("the README's curl walk-through");
    let block = &readme[start + "```sh\n".len()..];
    block[..block.find("\n```").expect("the block ends")].to_string()
}

#[test]
fn the_readmes_curl_walk_through_works_with_no_database_configured() {
    let cwd = tempfile::tempdir().unwrap();
    // `triage serve pathways`, with nothing else but a free port.
    let server = serve(cwd.path(), &[]);
    #[cfg(unix)]
    std::os::unix::fs::symlink(root().join("pathways"), cwd.path().join("pathways")).unwrap();
    let script = readme_walk_through()
        .replace(
            "BASE=http://127.0.0.1:8080",
            &format!("BASE={}", server.base),
        )
        .replace("cargo run --release -- ", "\"$TRIAGE\" ");
    let output = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(cwd.path())
        .env("TRIAGE", env!("CARGO_BIN_EXE_triage"))
        .env_remove("TRIAGE_DATABASE_URL")
        .output()
        .unwrap_or_else(|e| panic!("cannot run bash: {e}"));
    let said = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "the walk-through failed:\n{said}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The curl commands printed JSON values, one after another, then
    // `audit verify` its summary.
    let summary_at = said
        .find("audit trail")
        .expect("the summary of audit verify");
    let printed: Vec<Value> = serde_json::Deserializer::from_str(&said[..summary_at])
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .expect("each curl printed JSON");
    assert_eq!(printed.len(), 4, "{said}");
    assert_eq!(printed[0]["pathways"][0]["id"], "chest-pain");
    let outcome = &printed[3];
    assert_eq!(outcome["step"]["type"], "outcome", "{outcome}");
    assert_eq!(outcome["step"]["disposition"]["urgency"], "emergency");
    assert_eq!(outcome["audit"]["seq"], 1);
    assert!(
        said[summary_at..].starts_with(
            "audit trail intact: 1 record, every hash and link checked, 1 replayed with the bundle"
        ),
        "{said}"
    );
    // The default store: the SQLite file triage.db where it was started.
    assert!(cwd.path().join("triage.db").is_file());
    let handoff: Value =
        serde_json::from_slice(&std::fs::read(cwd.path().join("handoff.json")).unwrap())
            .expect("the hand-off is JSON");
    assert_eq!(handoff["resourceType"], "Bundle");
    shared::assert_valid_fhir(&root(), &[handoff]);
}

#[cfg(unix)]
#[test]
fn a_compiled_bundle_is_served_as_its_directory_is() {
    let cwd = tempfile::tempdir().unwrap();
    let artifact = cwd.path().join("pathways.triage");
    let compiled = Command::new(env!("CARGO_BIN_EXE_triage"))
        .arg("compile")
        .arg(root().join("pathways"))
        .arg("-o")
        .arg(&artifact)
        .output()
        .unwrap();
    assert!(compiled.status.success(), "{compiled:?}");
    let from_dir = serve(cwd.path(), &["--database", "sqlite:dir.db"]);
    let from_file = serve_bundle(cwd.path(), &artifact, &["--database", "sqlite:file.db"]);
    let get = |server: &Server, path: &str| curl(&[&format!("{}{path}", server.base)]);
    assert_eq!(get(&from_file, "/v1/bundle"), get(&from_dir, "/v1/bundle"));
    let search = "/v1/pathways?age=40&sex=female&q=chest%20pain";
    assert_eq!(get(&from_file, search), get(&from_dir, search));
    let request =
        r#"{"pathway": "chest-pain", "patient": {"age_years": 45, "sex": "male"}, "answers": []}"#;
    let next = |server: &Server| {
        curl(&[
            "-H",
            "content-type: application/json",
            "-d",
            request,
            &format!("{}/v1/next", server.base),
        ])
    };
    assert_eq!(next(&from_file), next(&from_dir));
    assert_eq!(next(&from_file)["type"], "question");
}

#[test]
fn sigterm_stops_the_service_cleanly() {
    let cwd = tempfile::tempdir().unwrap();
    let mut server = serve(cwd.path(), &["--database", "sqlite:journeys.db"]);
    assert_eq!(curl(&[&format!("{}/healthz", server.base)])["status"], "ok");
    let killed = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "still running 30 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    assert!(cwd.path().join("journeys.db").is_file());
    let said: Vec<String> = server.stderr.try_iter().collect();
    assert!(said.iter().all(|l| !l.contains("error")), "{said:?}");
}

#[test]
fn a_bad_database_url_or_address_is_refused_with_the_reason() {
    let cwd = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_triage"))
        .arg("serve")
        .arg(root().join("pathways"))
        .args(["--database", "mysql://admin:secret@db/triage"])
        .current_dir(cwd.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(said.contains("not one this service can use"), "{said}");
    assert!(
        !said.contains("secret"),
        "the password is not shown: {said}"
    );
    let output = Command::new(env!("CARGO_BIN_EXE_triage"))
        .args([
            "audit",
            "verify",
            "--database",
            "postgres://nobody@127.0.0.1:1/none",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot open the database"));
    // A mistyped file is not a new, empty, "intact" trail.
    let output = Command::new(env!("CARGO_BIN_EXE_triage"))
        .args(["audit", "verify", "--database", "sqlite:no-such.db"])
        .current_dir(cwd.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("there is no database file no-such.db")
    );
    assert!(!cwd.path().join("no-such.db").exists());
    // A file that is not a database is refused at once, with the reason,
    // and left as it was.
    let notes = cwd.path().join("notes.txt");
    std::fs::write(&notes, "<html>not a database</html>\n".repeat(200)).unwrap();
    for args in [
        vec!["serve", "pathways-dir", "--database", "sqlite:notes.txt"],
        vec!["audit", "verify", "--database", "sqlite:notes.txt"],
    ] {
        let args: Vec<String> = args
            .iter()
            .map(|a| match *a {
                "pathways-dir" => root().join("pathways").display().to_string(),
                other => other.to_string(),
            })
            .collect();
        let output = Command::new(env!("CARGO_BIN_EXE_triage"))
            .args(&args)
            .current_dir(cwd.path())
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{said}");
        assert!(said.contains("not a database"), "{args:?}: {said}");
        // Found by the first connection, not by the pool giving up.
        assert!(!said.contains("timed out"), "{args:?}: {said}");
    }
    assert_eq!(
        std::fs::read_to_string(&notes).unwrap(),
        "<html>not a database</html>\n".repeat(200)
    );
}

/// The trails kept in tests/fixtures/audit: one written by the service, and
/// the same with one record edited by hand.
#[test]
fn kept_trails_verify_and_an_edited_one_is_named() {
    let fixtures = root().join("tests/fixtures/audit");
    let scratch = tempfile::tempdir().unwrap();
    let verify = |name: &str, format: &str| {
        // A copy: opening a SQLite file in WAL mode writes beside it.
        let copy = scratch.path().join(name);
        std::fs::copy(fixtures.join(name), &copy).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_triage"))
            .args(["audit", "verify", "--format", format, "--database"])
            .arg(format!("sqlite:{}", copy.display()))
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).to_string(),
        )
    };
    let (status, said) = verify("intact.db", "human");
    assert_eq!(status, Some(0), "{said}");
    assert_eq!(
        said,
        "audit trail intact: 3 records, every hash and link checked\n"
    );
    let (status, said) = verify("tampered.db", "json");
    assert_eq!(status, Some(1), "{said}");
    let report: Value = serde_json::from_str(&said).unwrap();
    assert_eq!(report["intact"], false);
    assert_eq!(report["records"], 3);
    assert_eq!(
        report["problems"],
        json!([{"seq": 2, "message": "its hash does not match its contents: it was changed after it was written"}])
    );
}

/// What the journeys that ran before the crash were told.
#[derive(Debug, Default)]
struct Told {
    /// (journey id, audit seq, audit hash) of every outcome returned.
    outcomes: Vec<(String, i64, String)>,
    /// Requests answered.
    requests: u64,
}

/// Walks journeys on `base` from `workers` threads until the service goes away.
fn journeys_until_gone(base: &str, workers: usize) -> Told {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let mut tasks = Vec::new();
        for worker in 0..workers {
            let (client, base) = (client.clone(), base.to_string());
            tasks.push(tokio::spawn(async move {
                let mut told = Told::default();
                let mut pick = worker;
                'journeys: loop {
                    pick += 1;
                    let Ok(response) = client
                        .post(format!("{base}/v1/sessions"))
                        .json(&json!({"pathway": "headache", "patient": {"age_years": 30, "sex": "female"}}))
                        .send()
                        .await
                    else {
                        break;
                    };
                    let Ok(started) = response.json::<Value>().await else { break };
                    told.requests += 1;
                    let id = started["session"].as_str().unwrap_or_default().to_string();
                    let mut step = started["step"].clone();
                    for turn in 0..60 {
                        let answer = shared::choose(&step, pick + turn);
                        let Ok(response) = client
                            .post(format!("{base}/v1/sessions/{id}/answers"))
                            .json(&answer)
                            .send()
                            .await
                        else {
                            break 'journeys;
                        };
                        let Ok(body) = response.json::<Value>().await else { break 'journeys };
                        told.requests += 1;
                        if body["step"]["type"] == "outcome" {
                            told.outcomes.push((
                                id.clone(),
                                body["audit"]["seq"].as_i64().expect("a receipt with the outcome"),
                                body["audit"]["hash"].as_str().unwrap_or_default().to_string(),
                            ));
                            continue 'journeys;
                        }
                        step = body["step"].clone();
                    }
                }
                told
            }));
        }
        let mut all = Told::default();
        for task in tasks {
            let told = task.await.unwrap();
            all.outcomes.extend(told.outcomes);
            all.requests += told.requests;
        }
        all
    })
}

/// Kills the service with SIGKILL while journeys run, then checks that every
/// outcome returned has its record and that the trail verifies.
fn crash_under_load(database: &str, label: &str) {
    let cwd = tempfile::tempdir().unwrap();
    let mut server = serve(cwd.path(), &["--database", database]);
    let base = server.base.clone();
    let load = std::thread::spawn(move || journeys_until_gone(&base, 8));
    std::thread::sleep(Duration::from_millis(2500));
    server.child.kill().expect("SIGKILL");
    server.child.wait().unwrap();
    let told = load.join().unwrap();
    assert!(
        told.outcomes.len() >= 5,
        "too few outcomes before the crash to prove anything: {told:?}"
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let missing = runtime.block_on(async {
        let store = triage_service::store::Store::open(database)
            .await
            .expect("reopens after the crash");
        let mut missing = Vec::new();
        for (id, seq, hash) in &told.outcomes {
            let rows = store.audit_of_session(id).await.unwrap();
            if !rows.iter().any(|row| row.seq == *seq && &row.hash == hash) {
                missing.push(id.clone());
            }
        }
        store.close().await;
        missing
    });
    assert!(
        missing.is_empty(),
        "outcomes returned without a record: {missing:?}"
    );
    let verify = Command::new(env!("CARGO_BIN_EXE_triage"))
        .args(["audit", "verify", "--database", database, "--bundle"])
        .arg(root().join("pathways"))
        .current_dir(cwd.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&verify.stdout).to_string();
    assert!(
        verify.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    println!(
        "crash test ({label}): SIGKILL after 2.5 s of 8 clients; {} requests answered, {} outcomes returned, every one recorded; {}",
        told.requests,
        told.outcomes.len(),
        said.trim()
    );
}

#[cfg(unix)]
#[test]
fn a_crash_under_load_loses_no_returned_outcome_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("crash.db").display());
    crash_under_load(&url, "SQLite");
}

#[cfg(unix)]
#[test]
fn a_crash_under_load_loses_no_returned_outcome_postgres() {
    let url = shared::new_postgres_database(&format!("triage_crash_{}", std::process::id()));
    crash_under_load(&url, "PostgreSQL");
}

#[test]
fn sealed_records_verify_only_with_their_key() {
    let cwd = tempfile::tempdir().unwrap();
    let keys = cwd.path().join("keys");
    std::fs::write(
        &keys,
        format!("# current key first\n2026-12 {}\n", "3c".repeat(32)),
    )
    .unwrap();
    let other = cwd.path().join("other-keys");
    std::fs::write(&other, format!("2025-01 {}\n", "7d".repeat(32))).unwrap();
    let server = serve(
        cwd.path(),
        &[
            "--seal-keys",
            keys.to_str().unwrap(),
            "--database",
            "sqlite:sealed.db",
        ],
    );
    let base = &server.base;
    let started = curl(&[
        "--json",
        r#"{"pathway": "chest-pain", "patient": {"age_years": 45, "sex": "male"}}"#,
        &format!("{base}/v1/sessions"),
    ]);
    let id = started["session"].as_str().unwrap().to_string();
    for answer in [
        r#"{"question": "emergency-screen/signs", "answer": "none"}"#,
        r#"{"question": "pain-now", "answer": "now"}"#,
        r#"{"question": "heart-signs", "answer": ["heavy"]}"#,
    ] {
        curl(&[
            "--json",
            answer,
            &format!("{base}/v1/sessions/{id}/answers"),
        ]);
    }
    drop(server);
    let verify = |keys: &Path| {
        let output = Command::new(env!("CARGO_BIN_EXE_triage"))
            .args([
                "audit",
                "verify",
                "--database",
                "sqlite:sealed.db",
                "--seal-keys",
            ])
            .arg(keys)
            .current_dir(cwd.path())
            .output()
            .unwrap();
        (
            output.status.code(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
        )
    };
    let (status, said) = verify(&keys);
    assert_eq!(status, Some(0), "{said}");
    assert!(
        said.contains("1 record, every hash and link checked, 1 sealed"),
        "{said}"
    );
    let (status, said) = verify(&other);
    assert_eq!(status, Some(1), "{said}");
    assert!(said.contains("record 1: its seal does not check"), "{said}");
    std::fs::write(&other, "2025-01 not-hex\n").unwrap();
    let (status, said) = verify(&other);
    assert_eq!(status, Some(2), "{said}");
    assert!(said.contains("line 1"), "{said}");
}
