//! The `triage` command line as a user meets it: exit codes, JSON shapes and
//! interactive runs, on small bundles written here and on the shipped one.
//! This file holds the tiny bundle and the helpers; each command's tests are
//! in their own module.

use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

#[path = "../support/mod.rs"]
#[allow(dead_code)]
mod support;

mod cases;
mod compile;
mod diff;
mod graph;
mod language;
mod list;
mod next;
mod review;
mod run;
mod shipped;
mod test_command;
mod validate;

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
    act_within_minutes: 0
    service_standard_minutes: 40
    rank: 1
  - id: gp-2h
    code: Dx05
    title: Speak to a GP within 2 hours
    service: gp
    act_within_minutes: 120
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
      text: { self: Are you struggling to breathe?, other: Are they struggling to breathe? }
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
  topics: [Cough]
  keywords: [cough, coughing, chesty]
  sources:
    - { title: 'NHS: Cough', url: 'https://www.nhs.uk/conditions/cough/' }
  start: screen
nodes:
  screen:
    call: { module: emergency-screen, next: blood }
  blood:
    question:
      text: { self: Are you coughing up blood?, other: Are they coughing up blood? }
      kind: yes_no
      yes: { next: gp, reason: Coughing up blood, reason_code: blood }
      no: { next: symptoms }
  symptoms:
    question:
      text: { self: Do you have any of these?, other: Do they have any of these? }
      kind: multiple
      options:
        - { id: chest-pain, label: Chest pain, next: gp, reason: Chest pain with a cough }
        - { id: weeks, label: A cough for more than 3 weeks, next: gp, reason: A long-lasting cough }
      none: { next: temperature }
  temperature:
    question:
      text: { self: What is your temperature?, other: What is their temperature? }
      kind: number
      unit: °C
      range: { min: 34, max: 43 }
      bands:
        - { below: 38, next: self-care }
        - { from: 38, next: pharmacy, reason: A high temperature }
      not_sure: { next: pharmacy }
  gp:
    outcome: { disposition: gp-2h, reason: No warning signs in the answers given }
  pharmacy:
    outcome: { disposition: pharmacy, reason: No warning signs in the answers given }
  self-care:
    outcome: { disposition: self-care, reason: No warning signs in the answers given }
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
  topics: [Sexual or Menstrual Concerns]
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
    outcome: { disposition: gp-2h, reason: No warning signs in the answers given }
  self-care:
    outcome: { disposition: self-care, reason: No warning signs in the answers given }
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
        (
            "pathways/period-pain.cases.yaml",
            PERIOD_PAIN_CASES.to_owned(),
        ),
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

/// Runs `triage` with `args` and `stdin`, without colour and 120 columns wide.
fn triage(args: &[&str], stdin: &str) -> Output {
    triage_with_env(args, stdin, &[("NO_COLOR", "1")])
}

/// Runs `triage` with `args`, `stdin` and only these of the variables that
/// decide colour and width (`NO_COLOR`, `CLICOLOR_FORCE`, `COLUMNS`, the
/// last 120 unless given).
fn triage_with_env(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_triage"));
    command
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("COLUMNS", "120")
        .envs(env.iter().copied());
    let mut child = command
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
