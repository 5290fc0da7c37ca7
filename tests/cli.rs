//! The `triage` command line as a user meets it: exit codes, JSON shapes and
//! interactive runs, on small bundles written here and on the shipped one.

use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

// ---------------------------------------------------------------------------
// A tiny bundle: an emergency-screen module, a cough pathway (adults, both
// sexes; yes/no, multiple choice, number and a module call) and a period-pain
// pathway (female, 10 to 60; single choice), with case packs covering both.
// ---------------------------------------------------------------------------

const DISPOSITIONS: &str = "\
dispositions:
  - id: call-999
    code: Dx011
    title: Call 999 now
    service: ambulance
    within_minutes: 0
    rank: 1
  - id: gp-2h
    code: Dx05
    title: Speak to a GP within 2 hours
    service: gp
    within_minutes: 120
    rank: 2
  - id: pharmacy
    code: Dx80
    title: See a pharmacist
    service: pharmacy
    rank: 3
  - id: self-care
    code: Dx99
    title: Look after yourself at home
    service: self_care
    rank: 4
    advice: [rest]
";

const CARE_ADVICE: &str = "\
care_advice:
  - id: rest
    title: Rest
    text: Rest and drink plenty of fluids.
  - id: wait-for-ambulance
    title: While you wait
    text: Unlock the door and stay with the person.
";

const EMERGENCY_SCREEN: &str = "\
module:
  id: emergency-screen
  title: Emergency screen
  version: 1.0.0
  sources:
    - { title: 'NHS: When to call 999', url: 'https://www.nhs.uk/nhs-services/urgent-and-emergency-care-services/when-to-call-999/' }
  start: breathing
nodes:
  breathing:
    question:
      text: Are you struggling to breathe?
      kind: yes_no
      yes: { next: call-999, reason: Struggling to breathe, reason_code: breathing }
      no: { next: return }
      not_sure: { next: call-999, reason: Unsure whether breathing is a struggle }
  call-999:
    outcome: { disposition: call-999, advice: [wait-for-ambulance] }
";

const COUGH: &str = "\
pathway:
  id: cough
  title: Cough
  version: 1.0.0
  summary: A new or worsening cough
  ages: { from: 16 }
  sexes: [female, male]
  keywords: [cough, coughing, chesty]
  sources:
    - { title: 'NHS: Cough', url: 'https://www.nhs.uk/conditions/cough/' }
  start: screen
nodes:
  screen:
    call: { module: emergency-screen, next: blood }
  blood:
    question:
      text: Are you coughing up blood?
      kind: yes_no
      yes: { next: gp, reason: Coughing up blood, reason_code: blood }
      no: { next: symptoms }
  symptoms:
    question:
      text: Do you have any of these?
      kind: multiple
      options:
        - { id: chest-pain, label: Chest pain, next: gp, reason: Chest pain with a cough }
        - { id: weeks, label: A cough for more than 3 weeks, next: gp, reason: A long-lasting cough }
      none: { next: temperature }
  temperature:
    question:
      text: What is your temperature?
      kind: number
      unit: °C
      range: { min: 34, max: 43 }
      bands:
        - { below: 38, next: self-care }
        - { from: 38, next: pharmacy, reason: A high temperature }
      not_sure: { next: pharmacy }
  gp:
    outcome: { disposition: gp-2h }
  pharmacy:
    outcome: { disposition: pharmacy }
  self-care:
    outcome: { disposition: self-care }
";

const COUGH_CASES: &str = "\
pathway: cough
cases:
  - name: struggling to breathe goes to 999
    patient: { age: 30, sex: male }
    answers:
      - emergency-screen/breathing: yes
    expect: { disposition: call-999, reasons: [breathing] }
  - name: unsure about breathing goes to 999
    patient: { age: 30, sex: male }
    answers:
      - emergency-screen/breathing: not_sure
    expect: { disposition: call-999 }
  - name: coughing up blood needs a GP
    patient: { age: 40, sex: female }
    answers:
      - emergency-screen/breathing: no
      - blood: yes
    expect: { disposition: gp-2h, reasons: [blood] }
  - name: chest pain needs a GP
    patient: { age: 40, sex: female }
    answers:
      - emergency-screen/breathing: no
      - blood: no
      - symptoms: [chest-pain]
    expect: { disposition: gp-2h }
  - name: a long cough needs a GP
    patient: { age: 40, sex: female }
    answers:
      - emergency-screen/breathing: no
      - blood: no
      - symptoms: [weeks]
    expect: { disposition: gp-2h }
  - name: a fever goes to the pharmacy
    patient: { age: 40, sex: female }
    answers:
      - emergency-screen/breathing: no
      - blood: no
      - symptoms: none
      - temperature: 38.5
    expect: { disposition: pharmacy }
  - name: unsure of the temperature goes to the pharmacy
    patient: { age: 40, sex: female }
    answers:
      - emergency-screen/breathing: no
      - blood: no
      - symptoms: none
      - temperature: not_sure
    expect: { disposition: pharmacy }
  - name: no worrying symptoms is self-care
    patient: { age: 40, sex: female }
    answers:
      - emergency-screen/breathing: no
      - blood: no
      - symptoms: none
      - temperature: 37
    expect: { disposition: self-care, advice: [rest] }
";

const PERIOD_PAIN: &str = "\
pathway:
  id: period-pain
  title: Period pain
  version: 1.0.0
  ages: { from: 10, to: 60 }
  sexes: [female]
  keywords: [period, cramps]
  sources:
    - { title: 'NHS: Period pain', url: 'https://www.nhs.uk/conditions/period-pain/' }
  start: severity
nodes:
  severity:
    question:
      text: How bad is the pain?
      kind: single
      options:
        - { id: severe, label: Severe pain, next: gp }
        - { id: mild, label: Mild pain, next: self-care }
  gp:
    outcome: { disposition: gp-2h }
  self-care:
    outcome: { disposition: self-care }
";

const PERIOD_PAIN_CASES: &str = "\
pathway: period-pain
cases:
  - name: severe pain needs a GP
    patient: { age: 20, sex: female }
    answers:
      - severity: severe
    expect: { disposition: gp-2h }
  - name: mild pain is self-care
    patient: { age: 20, sex: female }
    answers:
      - severity: mild
    expect: { disposition: self-care }
";

/// The files of the tiny bundle, by relative path.
fn tiny_files() -> Vec<(&'static str, String)> {
    vec![
        ("dispositions.yaml", DISPOSITIONS.to_owned()),
        ("care-advice.yaml", CARE_ADVICE.to_owned()),
        ("modules/emergency-screen.yaml", EMERGENCY_SCREEN.to_owned()),
        ("pathways/cough.yaml", COUGH.to_owned()),
        ("pathways/cough.cases.yaml", COUGH_CASES.to_owned()),
        ("pathways/period-pain.yaml", PERIOD_PAIN.to_owned()),
        ("pathways/period-pain.cases.yaml", PERIOD_PAIN_CASES.to_owned()),
    ]
}

/// Writes a bundle into a fresh temporary directory.
fn write_bundle(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create directory");
        std::fs::write(path, text).expect("write bundle file");
    }
    dir
}

/// The tiny bundle with `path` replaced by `text`.
fn tiny_with(path: &str, text: &str) -> tempfile::TempDir {
    let mut files = tiny_files();
    let file = files
        .iter_mut()
        .find(|(p, _)| *p == path)
        .expect("a file of the tiny bundle");
    file.1 = text.to_owned();
    write_bundle(&files)
}

/// Runs `triage` with `args` and `stdin`.
fn triage(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_triage"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start triage");
    // The process may exit before reading all of stdin; that is not a failure here.
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    child.wait_with_output().expect("wait for triage")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("an exit code, not a signal")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout_json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            stdout(output),
            stderr(output)
        )
    })
}

fn path_arg(dir: &Path) -> &str {
    dir.to_str().expect("a UTF-8 temporary path")
}

/// Runs `triage next` with a request.
fn next(dir: &Path, request: &Value) -> Output {
    triage(&["next", path_arg(dir)], &request.to_string())
}

// ---------------------------------------------------------------------------
// validate
// ---------------------------------------------------------------------------

#[test]
fn validate_accepts_a_good_bundle_and_counts_it() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(&["validate", path_arg(bundle.path()), "--format", "json"], "");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = stdout_json(&output);
    assert_eq!(
        report["summary"],
        json!({"pathways": 2, "modules": 1, "nodes": 12, "dispositions": 4, "errors": 0, "warnings": 0})
    );
    assert_eq!(report["diagnostics"], json!([]));
}

#[test]
fn validate_human_output_ends_with_a_summary_line() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(&["validate", path_arg(bundle.path())], "");
    assert_eq!(code(&output), 0);
    assert!(
        stdout(&output).contains("2 pathways, 1 module, 12 nodes, 4 dispositions: 0 errors, 0 warnings"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn validate_reports_an_unknown_key_with_its_file_and_line() {
    let broken = COUGH.replace("  summary:", "  sumary:");
    let bundle = tiny_with("pathways/cough.yaml", &broken);
    let output = triage(&["validate", path_arg(bundle.path()), "--format", "json"], "");
    assert_eq!(code(&output), 1, "{}", stdout(&output));
    let report = stdout_json(&output);
    let diagnostics = report["diagnostics"].as_array().expect("a list");
    let unknown = diagnostics
        .iter()
        .find(|d| d["code"] == "L005")
        .unwrap_or_else(|| panic!("no L005 in {report}"));
    let expected_file = bundle.path().join("pathways/cough.yaml");
    assert_eq!(unknown["file"], expected_file.to_str().unwrap());
    assert_eq!(unknown["line"], 5);
    assert_eq!(unknown["severity"], "error");
    assert!(report["summary"]["errors"].as_u64().unwrap() >= 1);
}

#[test]
fn validate_reports_a_dangling_reference_in_human_form() {
    let broken = COUGH.replace("no: { next: symptoms }", "no: { next: symptom }");
    let bundle = tiny_with("pathways/cough.yaml", &broken);
    let output = triage(&["validate", path_arg(bundle.path())], "");
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    assert!(text.contains("E203"), "{text}");
    assert!(text.contains("pathways/cough.yaml:20:"), "{text}");
    assert!(text.contains("no: { next: symptom }"), "{text}");
    assert!(text.contains("1 error"), "{text}");
}

#[test]
fn a_missing_directory_is_a_usage_error() {
    let output = triage(&["validate", "/no/such/bundle"], "");
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("/no/such/bundle"), "{}", stderr(&output));
    let output = triage(&["next", "/no/such/bundle"], "{}");
    assert_eq!(code(&output), 2);
}

#[test]
fn a_missing_argument_is_a_usage_error() {
    let output = triage(&["validate"], "");
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("Usage"), "{}", stderr(&output));
}
