//! Broken bundles: every mistake an author can make is reported with its code,
//! file and line, by the library and by `triage validate`.
//!
//! `tests/fixtures/valid/` is a small, complete bundle with no diagnostics at
//! all. Each directory under `tests/fixtures/broken/` is a copy of it with one
//! deliberate mistake, listed in [`FIXTURES`] with the diagnostic it must give.
//! The last tests break copies of the shipped bundle (`pathways/`) at test time.

#[path = "support/broken_fixtures.rs"]
mod broken_fixtures;
mod support;
use broken_fixtures::{fail_with, fixtures, Fixture, FIXTURES};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::copy_dir;

fn triage() -> Command {
    Command::new(env!("CARGO_BIN_EXE_triage"))
}

fn validate_json(dir: &Path) -> Output {
    triage()
        .arg("validate")
        .arg(dir)
        .args(["--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run triage: {e}"))
}

/// Problems with what `triage validate --format json` reports for `fixture`.
fn cli_problems(fixture: &Fixture) -> Vec<String> {
    let output = validate_json(&fixture.dir());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let expected_exit = if fixture.is_warning() { 0 } else { 1 };
    let mut problems = Vec::new();
    if output.status.code() != Some(expected_exit) {
        problems.push(format!(
            "{}: exit {:?}, expected {expected_exit}; stderr: {}",
            fixture.name,
            output.status.code(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let report: Value = match serde_json::from_str(&stdout) {
        Ok(report) => report,
        Err(e) => {
            problems.push(format!(
                "{}: stdout is not JSON ({e}): {stdout}",
                fixture.name
            ));
            return problems;
        }
    };
    let diagnostics = report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let found = diagnostics.iter().find(|d| {
        d["code"] == fixture.code
            && names_file(d["file"].as_str().unwrap_or(""), fixture.file)
            && d["line"] == fixture.line
    });
    match found {
        None => problems.push(format!("{} in the JSON; got: {stdout}", fixture.describe())),
        Some(d) => {
            let severity = if fixture.is_warning() {
                "warning"
            } else {
                "error"
            };
            if d["severity"] != severity {
                problems.push(format!(
                    "{}: JSON severity {}",
                    fixture.describe(),
                    d["severity"]
                ));
            }
            if let Some(word) = fixture.mentions {
                let said = |key: &str| d[key].as_str().unwrap_or("").contains(word);
                if !said("message") && !said("help") {
                    problems.push(format!(
                        "{}: JSON message does not name `{word}`",
                        fixture.describe()
                    ));
                }
            }
        }
    }
    for d in &diagnostics {
        if d["help"].as_str().is_none_or(|h| h.trim().is_empty()) {
            problems.push(format!(
                "{}: JSON diagnostic without help: {d}",
                fixture.name
            ));
        }
    }
    let errors = report["summary"]["errors"].as_u64();
    let expected_errors = diagnostics
        .iter()
        .filter(|d| d["severity"] == "error")
        .count();
    if errors != Some(expected_errors as u64) {
        problems.push(format!(
            "{}: summary.errors is {errors:?} but {expected_errors} errors are listed",
            fixture.name
        ));
    }
    problems
}

/// True when `reported` (as the CLI prints it, possibly with the bundle
/// directory in front) names the bundle file `relative`.
fn names_file(reported: &str, relative: &str) -> bool {
    let reported = reported.replace('\\', "/");
    reported == relative || reported.ends_with(&format!("/{relative}"))
}

#[test]
fn triage_validate_passes_the_valid_fixture() {
    let dir = fixtures().join("valid");
    let output = validate_json(&dir);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn triage_validate_reports_each_mistake_as_json() {
    fail_with(FIXTURES.iter().flat_map(cli_problems).collect());
}

#[test]
fn the_human_report_names_file_and_line() {
    let mut problems = Vec::new();
    for fixture in FIXTURES {
        let output = triage()
            .arg("validate")
            .arg(fixture.dir())
            .env("NO_COLOR", "1")
            .output()
            .unwrap_or_else(|e| panic!("cannot run triage: {e}"));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        // Shown as `file:line:column`.
        let place = format!("{}:{}:", fixture.file, fixture.line);
        if !(text.contains(&place) && text.contains(fixture.code)) {
            problems.push(format!(
                "{}: the report does not show {place} with {}:\n{text}",
                fixture.name, fixture.code
            ));
        }
    }
    fail_with(problems);
}

// ---------------------------------------------------------------------------
// The shipped bundle, broken at test time.
// ---------------------------------------------------------------------------

const SHIPPED_PATHWAY: &str = "pathways/chest-pain.yaml";

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("pathways")
}

/// A copy of the shipped bundle in a temporary directory.
fn shipped_copy() -> tempfile::TempDir {
    let source = shipped();
    assert!(
        source.join(SHIPPED_PATHWAY).is_file(),
        "the shipped bundle must have {SHIPPED_PATHWAY}"
    );
    let copy =
        tempfile::tempdir().unwrap_or_else(|e| panic!("cannot make a temporary directory: {e}"));
    copy_dir(&source, copy.path());
    copy
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// The 1-based line of the top-level `nodes:` key, and the indentation of the
/// first node under it.
fn nodes_line(text: &str) -> (usize, String) {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_end() == "nodes:")
        .unwrap_or_else(|| panic!("{SHIPPED_PATHWAY} has no top-level `nodes:` line"));
    let indent = lines
        .iter()
        .skip(at + 1)
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| l.len() - l.trim_start().len())
        .unwrap_or(2);
    (at + 1, " ".repeat(indent))
}

/// Inserts `node` (lines written with `{i}` for one indentation step) as the
/// first entry of `nodes:`; returns the text and the 1-based line of its first line.
fn insert_node(text: &str, node: &str) -> (String, usize) {
    let (line, indent) = nodes_line(text);
    let node = node.replace("{i}", &indent);
    let mut lines: Vec<&str> = text.lines().collect();
    let new_lines: Vec<&str> = node.lines().collect();
    lines.splice(line..line, new_lines);
    (lines.join("\n") + "\n", line + 1)
}

/// Runs `triage validate --format json` on `dir`, asserts it fails, and returns
/// the diagnostics that name the shipped pathway file.
fn failing_diagnostics(dir: &Path) -> Vec<Value> {
    let output = validate_json(dir);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "triage validate must fail; stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"));
    report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|d| names_file(d["file"].as_str().unwrap_or(""), SHIPPED_PATHWAY))
        .collect()
}

/// Asserts that one diagnostic has `code` at `line` of the shipped pathway file
/// and returns it.
fn assert_reported(diagnostics: &[Value], code: &str, line: usize) -> Value {
    diagnostics
        .iter()
        .find(|d| d["code"] == code && d["line"] == line)
        .cloned()
        .unwrap_or_else(|| {
            panic!("expected {code} at {SHIPPED_PATHWAY}:{line}; got {diagnostics:#?}")
        })
}

#[test]
fn the_shipped_bundle_is_valid_before_it_is_broken() {
    let copy = shipped_copy();
    let output = validate_json(copy.path());
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn a_syntax_error_in_a_shipped_pathway_is_located() {
    let copy = shipped_copy();
    let path = copy.path().join(SHIPPED_PATHWAY);
    // An unquoted colon inside question text, a mistake easily made.
    let (text, line) = insert_node(
        &read(&path),
        "{i}broken:\n{i}{i}question:\n{i}{i}{i}text: Is it bad: yes or no?\n",
    );
    write(&path, &text);
    assert_reported(&failing_diagnostics(copy.path()), "L004", line + 2);
}

#[test]
fn an_unknown_key_in_a_shipped_pathway_is_named_and_located() {
    let copy = shipped_copy();
    let path = copy.path().join(SHIPPED_PATHWAY);
    let (text, line) = insert_node(
        &read(&path),
        "{i}broken:\n{i}{i}question:\n{i}{i}{i}colour: red\n",
    );
    write(&path, &text);
    let d = assert_reported(&failing_diagnostics(copy.path()), "L005", line + 2);
    assert!(
        d["message"].as_str().unwrap_or("").contains("colour"),
        "{d}"
    );
}

#[test]
fn a_dangling_reference_in_a_shipped_pathway_is_located() {
    let copy = shipped_copy();
    let path = copy.path().join(SHIPPED_PATHWAY);
    let (text, line) = insert_node(
        &read(&path),
        "{i}broken:\n{i}{i}branch:\n{i}{i}{i}cases:\n{i}{i}{i}{i}- when: \"age < 1\"\n{i}{i}{i}{i}  next: no-such-node\n{i}{i}{i}otherwise: no-such-node\n",
    );
    write(&path, &text);
    let diagnostics = failing_diagnostics(copy.path());
    let d = assert_reported(&diagnostics, "E203", line + 4);
    assert!(
        d["message"].as_str().unwrap_or("").contains("no-such-node"),
        "{d}"
    );
    assert_reported(&diagnostics, "E203", line + 5);
}

#[test]
fn a_cycle_in_a_shipped_pathway_is_reported() {
    let copy = shipped_copy();
    let path = copy.path().join(SHIPPED_PATHWAY);
    // Two branches that lead to each other, made the pathway's start so the
    // loop is on every journey.
    let original = read(&path);
    let start_line = original
        .lines()
        .position(|l| l.trim_start().starts_with("start:"))
        .unwrap_or_else(|| panic!("{SHIPPED_PATHWAY} has no `start:`"));
    let start = original
        .lines()
        .nth(start_line)
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let restarted: String = original
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == start_line {
                format!("{}start: loop-a\n", &l[..l.len() - l.trim_start().len()])
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let (text, line) = insert_node(
        &restarted,
        &format!(
            "{{i}}loop-a:\n{{i}}{{i}}branch:\n{{i}}{{i}}{{i}}cases:\n{{i}}{{i}}{{i}}{{i}}- when: \"age >= 0\"\n{{i}}{{i}}{{i}}{{i}}  next: loop-b\n{{i}}{{i}}{{i}}otherwise: {start}\n\
             {{i}}loop-b:\n{{i}}{{i}}branch:\n{{i}}{{i}}{{i}}cases:\n{{i}}{{i}}{{i}}{{i}}- when: \"age >= 0\"\n{{i}}{{i}}{{i}}{{i}}  next: loop-a\n{{i}}{{i}}{{i}}otherwise: {start}\n"
        ),
    );
    write(&path, &text);
    let diagnostics = failing_diagnostics(copy.path());
    assert!(
        diagnostics.iter().any(|d| d["code"] == "E401"
            && d["line"]
                .as_u64()
                .is_some_and(|l| (line..line + 12).contains(&(l as usize)))),
        "expected E401 within {SHIPPED_PATHWAY}:{line}..{}; got {diagnostics:#?}",
        line + 12
    );
}

#[test]
fn a_truncated_shipped_pathway_is_reported_with_a_line() {
    let copy = shipped_copy();
    let path = copy.path().join(SHIPPED_PATHWAY);
    let text = read(&path);
    let mut cut = text.len() * 6 / 10;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let truncated = &text[..cut];
    write(&path, truncated);
    let diagnostics = failing_diagnostics(copy.path());
    let last_line = truncated.lines().count() + 1;
    assert!(
        diagnostics.iter().any(|d| d["severity"] == "error"
            && d["line"]
                .as_u64()
                .is_some_and(|l| l >= 1 && l as usize <= last_line)),
        "expected an error located in {SHIPPED_PATHWAY} (1..={last_line}); got {diagnostics:#?}"
    );
}

/// Every diagnostic `triage validate --format json` gives for `dir`.
fn all_diagnostics(dir: &Path) -> Vec<Value> {
    let output = validate_json(dir);
    let report: Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Edits the first line of `text` that contains `from`, replacing it with
/// `to`; returns the text and that line (1-based).
fn edit_first(text: &str, from: &str, to: &str) -> (String, usize) {
    let index = text
        .lines()
        .position(|l| l.contains(from))
        .unwrap_or_else(|| panic!("no line contains {from:?}"));
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == index {
                l.replacen(from, to, 1)
            } else {
                l.to_owned()
            }
        })
        .collect();
    (lines.join("\n") + "\n", index + 1)
}

#[test]
fn two_mistakes_in_one_pathway_are_both_reported_and_nothing_else() {
    // The chest-pain pathway is answered by several other pathways' case
    // packs (they jump into it); once, one wrong word hid the rest of the
    // file and gave each of those cases a false error.
    let copy = shipped_copy();
    let path = copy.path().join("pathways/chest-pain.yaml");
    let (text, kind_line) = edit_first(&read(&path), "kind: yes_no", "kind: yesno");
    let (text, next_line) = edit_first(&text, "next: heart-signs", "next: heart-sings");
    write(&path, &text);
    let diagnostics = all_diagnostics(copy.path());
    let found: Vec<(String, String, u64)> = diagnostics
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_owned(),
                d["file"].as_str().unwrap_or("").replace('\\', "/"),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(found.len(), 2, "{diagnostics:#?}");
    assert!(
        found
            .iter()
            .all(|(_, file, _)| file.ends_with("pathways/chest-pain.yaml")),
        "{found:?}"
    );
    // In file and line order: the dangling `next:` comes first.
    let (first, second) = (&found[0], &found[1]);
    assert_eq!(
        (first.0.as_str(), first.2),
        ("E203", next_line as u64),
        "{found:?}"
    );
    assert_eq!(
        (second.0.as_str(), second.2),
        ("L007", kind_line as u64),
        "{found:?}"
    );
    // The misspelt word gets the nearest allowed one.
    let kind = &diagnostics[1];
    assert!(
        kind["help"].as_str().unwrap_or("").contains("`yes_no`"),
        "{kind}"
    );

    // The human report heads each with the code as rustc does.
    let human = triage()
        .arg("validate")
        .arg(copy.path())
        .output()
        .expect("triage runs");
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("error[E203]: there is no node `heart-sings`")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("error[L007]: ")),
        "{text}"
    );
}

#[test]
fn a_tab_is_reported_as_a_tab_on_its_line_and_the_unread_file_is_named() {
    let copy = shipped_copy();
    let path = copy.path().join("pathways/chest-pain.yaml");
    let (text, line) = edit_first(
        &read(&path),
        "      - id: within-3-days",
        "\t    - id: within-3-days",
    );
    write(&path, &text);
    let diagnostics = all_diagnostics(copy.path());
    // One error: the other pathways' case packs that answer chest-pain's
    // questions are not reported as well.
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "L004", "{d}");
    assert_eq!(d["line"], line, "{d}");
    let column = d["column"].as_u64().unwrap_or(0) as usize;
    let written = text.lines().nth(line - 1).unwrap_or("");
    assert_eq!(
        written.chars().nth(column.saturating_sub(1)),
        Some('\t'),
        "{d}"
    );
    assert!(d["message"].as_str().unwrap_or("").contains("tab"), "{d}");
    assert!(d["help"].as_str().unwrap_or("").contains("spaces"), "{d}");

    let human = triage()
        .arg("validate")
        .arg(copy.path())
        .output()
        .expect("triage runs");
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.lines().any(
            |l| l.starts_with("not read (1 file): ") && l.ends_with("pathways/chest-pain.yaml")
        ),
        "{text}"
    );
}

#[test]
fn a_score_added_before_a_module_narrows_the_outcomes_the_pathway_can_reach() {
    // Two amber signs added before the sepsis screen: its one-amber outcome (a
    // call back within 1 hour) cannot happen, so it is not listed, and no case
    // pack is asked to reach it.
    let copy = shipped_copy();
    let pathway = "pathway:
  id: zz-floor
  title: Hot joint
  version: 1.0.0
  ages: { from: 16 }
  sexes: [female, male]
  topics: []
  keywords: [zzfloor]
  sources:
    - { title: \"NICE NG51\", url: \"https://www.nice.org.uk/guidance/ng51\" }
  start: hot
  scores: [sepsis-amber]
nodes:
  hot:
    question:
      text: { self: Is your joint hot?, other: Is their joint hot? }
      kind: yes_no
      yes: { next: screen, add: { sepsis-amber: 2 }, reason: A hot joint }
      no: { next: screen, add: { sepsis-amber: 2 }, reason: A joint }
      not_sure: { next: screen, add: { sepsis-amber: 2 }, reason: Not sure }
  screen:
    call: { module: sepsis-screen, next: done }
  done:
    outcome: { disposition: emergency-department-1h }
";
    write(&copy.path().join("pathways/zz-floor.yaml"), pathway);
    let output = triage()
        .arg("list")
        .arg(copy.path())
        .args(["--format", "json", "--search", "zzfloor"])
        .output()
        .expect("triage runs");
    let list: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    let floor = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|hit| hit.get("pathway").unwrap_or(hit))
        .find(|p| p["id"] == "zz-floor")
        .expect("the pathway is found");
    assert_eq!(
        floor["dispositions"],
        serde_json::json!(["call-999-cat2", "emergency-department-1h"])
    );
}

#[test]
fn not_sure_reaching_self_care_shows_one_way_there() {
    let diagnostics = all_diagnostics(&fixtures().join("broken/not-sure-to-self-care"));
    let d = &diagnostics[0];
    assert_eq!(d["code"], "E402", "{d}");
    assert!(
        d["help"]
            .as_str()
            .unwrap_or("")
            .contains("One way: `phlegm` not sure -> outcome `home`"),
        "{d}"
    );
}

#[test]
fn a_key_out_of_line_is_named_with_what_it_should_line_up_with() {
    let copy = shipped_copy();
    let path = copy.path().join("pathways/chest-pain.yaml");
    let text = read(&path);
    // The first `kind:` of a question, one space short.
    let (text, line) = edit_first(&text, "      kind: ", "     kind: ");
    write(&path, &text);
    let diagnostics = all_diagnostics(copy.path());
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(
        (d["code"].as_str(), d["line"].as_u64()),
        (Some("L004"), Some(line as u64)),
        "{d}"
    );
    let message = d["message"].as_str().unwrap_or("");
    assert!(message.contains("`kind` is indented by 5 spaces"), "{d}");
    assert!(
        d["help"].as_str().unwrap_or("").contains("by 6 spaces"),
        "{d}"
    );
}
