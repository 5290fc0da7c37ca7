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

// ---------------------------------------------------------------------------
// validate
// ---------------------------------------------------------------------------

#[test]
fn validate_accepts_a_good_bundle_and_counts_it() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(
        &["validate", path_arg(bundle.path()), "--format", "json"],
        "",
    );
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
        stdout(&output)
            .contains("2 pathways, 1 module, 12 nodes, 4 dispositions: 0 errors, 0 warnings"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn validate_reports_an_unknown_key_with_its_file_and_line() {
    let broken = COUGH.replace("  summary:", "  sumary:");
    let bundle = tiny_with("pathways/cough.yaml", &broken);
    let output = triage(
        &["validate", path_arg(bundle.path()), "--format", "json"],
        "",
    );
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
    assert!(text.contains("pathways/cough.yaml:21:"), "{text}");
    assert!(text.contains("no: { next: symptom }"), "{text}");
    assert!(text.contains("1 error"), "{text}");
}

#[test]
fn validate_passes_a_bundle_with_only_warnings() {
    let unreachable = format!("{COUGH}  spare:\n    outcome: {{ disposition: gp-2h }}\n");
    let bundle = tiny_with("pathways/cough.yaml", &unreachable);
    let output = triage(
        &["validate", path_arg(bundle.path()), "--format", "json"],
        "",
    );
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    let report = stdout_json(&output);
    assert_eq!(report["summary"]["errors"], 0);
    assert_eq!(report["summary"]["warnings"], 1);
    assert_eq!(report["diagnostics"][0]["code"], "W403");
    assert_eq!(report["diagnostics"][0]["severity"], "warning");

    let output = triage(&["validate", path_arg(bundle.path())], "");
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).contains("W403"), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("0 errors, 1 warning\n"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_missing_directory_is_a_usage_error() {
    let output = triage(&["validate", "/no/such/bundle"], "");
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("/no/such/bundle"),
        "{}",
        stderr(&output)
    );
    let output = triage(&["next", "/no/such/bundle"], "{}");
    assert_eq!(code(&output), 2);
}

#[test]
fn a_missing_argument_is_a_usage_error() {
    let output = triage(&["validate"], "");
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("Usage"), "{}", stderr(&output));
}

#[test]
fn a_file_instead_of_a_directory_is_a_usage_error() {
    let bundle = write_bundle(&tiny_files());
    let file = bundle.path().join("dispositions.yaml");
    let output = triage(&["validate", path_arg(&file)], "");
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("not a directory"),
        "{}",
        stderr(&output)
    );
}

// ---------------------------------------------------------------------------
// next
// ---------------------------------------------------------------------------

fn cough_request(answers: Value) -> Value {
    json!({
        "pathway": "cough",
        "patient": {"age_years": 40, "sex": "female"},
        "answers": answers,
    })
}

#[test]
fn next_walks_a_journey_to_an_outcome() {
    let bundle = write_bundle(&tiny_files());
    let mut answers = Vec::new();
    let expected_questions = [
        ("emergency-screen/breathing", "yes_no", json!("no")),
        ("blood", "yes_no", json!("no")),
        ("symptoms", "multiple", json!("none")),
        ("temperature", "number", json!(38.5)),
    ];
    for (step, (id, kind, answer)) in expected_questions.into_iter().enumerate() {
        let output = next(bundle.path(), &cough_request(Value::Array(answers.clone())));
        assert_eq!(code(&output), 0, "{}", stdout(&output));
        let question = stdout_json(&output);
        assert_eq!(question["type"], "question");
        assert_eq!(question["id"], id);
        assert_eq!(question["kind"], kind);
        assert_eq!(question["step"], step + 1);
        answers.push(json!({"question": id, "answer": answer}));
    }
    let output = next(bundle.path(), &cough_request(Value::Array(answers)));
    assert_eq!(code(&output), 0);
    let outcome = stdout_json(&output);
    assert_eq!(outcome["type"], "outcome");
    assert_eq!(outcome["disposition"]["id"], "pharmacy");
    assert_eq!(outcome["disposition"]["title"], "See a pharmacist");
    assert_eq!(outcome["reasons"][0]["text"], "A high temperature");
}

#[test]
fn next_shows_options_unit_and_range() {
    let bundle = write_bundle(&tiny_files());
    let answers = json!([
        {"question": "emergency-screen/breathing", "answer": "no"},
        {"question": "blood", "answer": "no"},
        {"question": "symptoms", "answer": "none"},
    ]);
    let question = stdout_json(&next(bundle.path(), &cough_request(answers)));
    assert_eq!(question["text"], "What is your temperature?");
    assert_eq!(question["unit"], "°C");
    assert_eq!(question["range"], json!([34.0, 43.0]));
    assert_eq!(
        question["options"],
        json!([{"id": "not_sure", "label": "I'm not sure", "lang": "en"}])
    );

    let first = stdout_json(&next(bundle.path(), &cough_request(json!([]))));
    let ids: Vec<&str> = first["options"]
        .as_array()
        .expect("options")
        .iter()
        .map(|o| o["id"].as_str().expect("an id"))
        .collect();
    assert_eq!(ids, ["yes", "no", "not_sure"]);
}

#[test]
fn next_refuses_an_option_not_offered() {
    let bundle = write_bundle(&tiny_files());
    let request =
        cough_request(json!([{"question": "emergency-screen/breathing", "answer": "maybe"}]));
    let output = next(bundle.path(), &request);
    assert_eq!(code(&output), 2);
    let error = &stdout_json(&output)["error"];
    assert_eq!(error["code"], "option_not_offered");
    assert!(
        error["message"].as_str().unwrap().contains("maybe"),
        "{error}"
    );
}

#[test]
fn next_refuses_a_number_out_of_range_and_a_wrong_question() {
    let bundle = write_bundle(&tiny_files());
    let request = cough_request(json!([
        {"question": "emergency-screen/breathing", "answer": "no"},
        {"question": "blood", "answer": "no"},
        {"question": "symptoms", "answer": "none"},
        {"question": "temperature", "answer": 50},
    ]));
    let output = next(bundle.path(), &request);
    assert_eq!(code(&output), 2);
    assert_eq!(stdout_json(&output)["error"]["code"], "number_out_of_range");

    let request = cough_request(json!([{"question": "blood", "answer": "no"}]));
    let output = next(bundle.path(), &request);
    assert_eq!(code(&output), 2);
    assert_eq!(stdout_json(&output)["error"]["code"], "wrong_question");
}

#[test]
fn next_refuses_an_unknown_pathway_and_a_person_it_is_not_for() {
    let bundle = write_bundle(&tiny_files());
    let mut request = cough_request(json!([]));
    request["pathway"] = json!("knee-pain");
    let output = next(bundle.path(), &request);
    assert_eq!(code(&output), 2);
    assert_eq!(stdout_json(&output)["error"]["code"], "unknown_pathway");

    let request = json!({"pathway": "period-pain", "patient": {"age_years": 30, "sex": "male"}});
    let output = next(bundle.path(), &request);
    assert_eq!(code(&output), 2);
    assert_eq!(stdout_json(&output)["error"]["code"], "not_applicable");
}

#[test]
fn next_refuses_malformed_input() {
    let bundle = write_bundle(&tiny_files());
    for input in [
        "",
        "{not json",
        "[]",
        r#"{"pathway": "cough"}"#,
        r#"{"pathway": "cough", "patient": {"age_years": 40, "sex": "other"}}"#,
        r#"{"pathway": "cough", "patient": {"age_years": 40, "sex": "male"}, "extra": 1}"#,
    ] {
        let output = triage(&["next", path_arg(bundle.path())], input);
        assert_eq!(code(&output), 2, "input {input:?}");
        assert_eq!(
            stdout_json(&output)["error"]["code"],
            "malformed_request",
            "input {input:?}"
        );
    }
}

#[test]
fn next_on_an_invalid_bundle_exits_1_with_diagnostics_on_stderr() {
    let broken = COUGH.replace("disposition: pharmacy", "disposition: chemist");
    let bundle = tiny_with("pathways/cough.yaml", &broken);
    let output = next(bundle.path(), &cough_request(json!([])));
    assert_eq!(code(&output), 1);
    assert!(stdout(&output).is_empty(), "{}", stdout(&output));
    assert!(stderr(&output).contains("E204"), "{}", stderr(&output));
    assert!(stderr(&output).contains("chemist"), "{}", stderr(&output));
}

// ---------------------------------------------------------------------------
// run
// ---------------------------------------------------------------------------

#[test]
fn run_asks_who_and_what_then_reaches_an_outcome() {
    let bundle = write_bundle(&tiny_files());
    // Who answers, age, sex, symptom words, the topic, then: breathing no,
    // blood no, none of these (option 3), 37 °C.
    let output = triage(
        &["run", path_arg(bundle.path())],
        "1\n30\n1\ncough\n1\n2\n2\n3\n37\n",
    );
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}\n{}", stderr(&output));
    assert!(text.contains("1. Cough"), "{text}");
    assert!(!text.contains("Period pain"), "{text}");
    assert!(
        text.contains("Question 4: What is your temperature?"),
        "{text}"
    );
    assert!(text.contains("== Look after yourself at home =="), "{text}");
    assert!(
        text.contains("Rest: Rest and drink plenty of fluids."),
        "{text}"
    );
}

#[test]
fn run_goes_back_from_the_first_question_to_the_symptom_search() {
    let bundle = write_bundle(&tiny_files());
    // A 30-year-old woman picks cough, goes back, then picks period pain: mild.
    let output = triage(
        &[
            "run",
            path_arg(bundle.path()),
            "--age",
            "30",
            "--sex",
            "female",
        ],
        "cough\n1\nb\nperiod\n1\n2\n",
    );
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}");
    assert!(
        text.contains("Question 1: Are you struggling to breathe?"),
        "{text}"
    );
    assert!(text.contains("Question 1: How bad is the pain?"), "{text}");
    assert!(text.contains("== Look after yourself at home =="), "{text}");
}

#[test]
fn run_shows_the_reasons_and_the_timeframe() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(
        &[
            "run",
            path_arg(bundle.path()),
            "--pathway",
            "cough",
            "--age",
            "30",
            "--sex",
            "male",
        ],
        "2\n1\n",
    );
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}");
    assert!(
        text.contains("== Speak to a GP within 2 hours =="),
        "{text}"
    );
    assert!(text.contains("When: within 2 hours"), "{text}");
    assert!(text.contains("Why: Coughing up blood"), "{text}");
}

#[test]
fn the_999_outcome_says_call_now_and_never_gives_a_deadline() {
    let bundle = write_bundle(&tiny_files());
    // Struggling to breathe: yes.
    let args = ["--pathway", "cough", "--age", "30", "--sex", "male"];
    let output = triage(
        &[&["run", path_arg(bundle.path())][..], &args].concat(),
        "1\n",
    );
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}");
    assert!(text.contains("== Call 999 now =="), "{text}");
    assert!(text.contains("When: now"), "{text}");
    // The ambulance response standard is the service's target, not the caller's time.
    assert!(!text.contains("40"), "{text}");
    assert!(!text.contains("minutes"), "{text}");

    let request = json!({
        "pathway": "cough",
        "patient": {"age_years": 30, "sex": "male"},
        "answers": [{"question": "emergency-screen/breathing", "answer": "yes"}],
    });
    let output = triage(&["next", path_arg(bundle.path())], &request.to_string());
    let step: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let disposition = &step["disposition"];
    assert_eq!(disposition["title"], "Call 999 now", "{step}");
    assert_eq!(disposition["act_within_minutes"], 0, "{step}");
    assert_eq!(disposition["service_standard_minutes"], 40, "{step}");
    assert!(disposition.get("within_minutes").is_none(), "{step}");
}

#[test]
fn run_goes_back_with_b() {
    let bundle = write_bundle(&tiny_files());
    // Breathing: no; then back to the breathing question and answer yes.
    let output = triage(
        &[
            "run",
            path_arg(bundle.path()),
            "--pathway",
            "cough",
            "--age",
            "30",
            "--sex",
            "male",
        ],
        "2\nb\n1\n",
    );
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}");
    assert_eq!(
        text.matches("Question 1: Are you struggling to breathe?")
            .count(),
        2,
        "{text}"
    );
    assert!(text.contains("You answered: No (2)"), "{text}");
    assert!(text.contains("== Call 999 now =="), "{text}");
    assert!(text.contains("Why: Struggling to breathe"), "{text}");
    assert!(text.contains("While you wait: Unlock the door"), "{text}");
}

#[test]
fn run_asks_again_after_input_it_cannot_use() {
    let bundle = write_bundle(&tiny_files());
    // A number not listed, a word, several numbers for a yes/no question, then no; blood no;
    // "none" together with an option; then a long cough.
    let output = triage(
        &[
            "run",
            path_arg(bundle.path()),
            "--pathway",
            "cough",
            "--age",
            "30",
            "--sex",
            "male",
        ],
        "7\nhello\n1,2\n2\n2\n1,3\n2\n",
    );
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}");
    assert_eq!(
        text.matches("Please type one number from 1 to 3.").count(),
        3,
        "{text}"
    );
    assert!(
        text.contains("cannot be chosen with other answers"),
        "{text}"
    );
    assert!(text.contains("Why: A long-lasting cough"), "{text}");
}

#[test]
fn run_refuses_a_number_outside_the_range() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(
        &[
            "run",
            path_arg(bundle.path()),
            "--pathway",
            "cough",
            "--age",
            "30",
            "--sex",
            "male",
        ],
        "2\n2\n3\n50\n?\n",
    );
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}");
    assert!(
        text.contains("Please type a number from 34 to 43 °C, or ? if you are not sure."),
        "{text}"
    );
    assert!(text.contains("== See a pharmacist =="), "{text}");
}

#[test]
fn run_exits_2_when_the_input_ends_before_an_outcome() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(
        &[
            "run",
            path_arg(bundle.path()),
            "--pathway",
            "cough",
            "--age",
            "30",
            "--sex",
            "male",
        ],
        "2\n",
    );
    assert_eq!(code(&output), 2);
    assert!(stdout(&output).contains("Are you coughing up blood?"));
    let output = triage(&["run", path_arg(bundle.path())], "");
    assert_eq!(code(&output), 2);
}

#[test]
fn run_quits_with_q() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(
        &[
            "run",
            path_arg(bundle.path()),
            "--pathway",
            "cough",
            "--age",
            "30",
            "--sex",
            "male",
        ],
        "q\n",
    );
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).contains("Stopped."));
}

/// `triage run` on the tiny bundle's cough pathway for a 30-year-old man.
const COUGH_RUN: [&str; 7] = ["run", "--pathway", "cough", "--age", "30", "--sex", "male"];

/// [`COUGH_RUN`] on the bundle in `dir`, with `extra` arguments.
fn cough_run<'a>(dir: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![COUGH_RUN[0], path_arg(dir)];
    args.extend(&COUGH_RUN[1..]);
    args.extend(extra);
    args
}

#[test]
fn run_offers_back_start_again_and_quit_after_the_outcome() {
    let bundle = write_bundle(&tiny_files());
    // Breathing no, blood yes: a GP. Back to blood and answer no, then a long
    // cough: a GP again. Start again; struggling to breathe: 999. Input ends.
    let output = triage(&cough_run(bundle.path(), &[]), "2\n1\nb\n2\n2\ns\n1\n");
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}\n{}", stderr(&output));
    assert!(
        text.contains("Type b to go back and change an answer, s to start again, or q to quit:"),
        "{text}"
    );
    assert_eq!(
        text.matches("Question 2: Are you coughing up blood?")
            .count(),
        2,
        "{text}"
    );
    assert!(text.contains("You answered: Yes (1)"), "{text}");
    assert!(text.contains("Why: A long-lasting cough"), "{text}");
    assert_eq!(
        text.matches("Question 1: Are you struggling to breathe?")
            .count(),
        2,
        "{text}"
    );
    assert!(text.contains("== Call 999 now =="), "{text}");
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
}

#[test]
fn run_ends_with_q_after_the_outcome_without_calling_it_stopped() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(&cough_run(bundle.path(), &[]), "1\nq\n");
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}");
    assert!(text.contains("== Call 999 now =="), "{text}");
    assert!(!text.contains("Stopped."), "{text}");
}

#[test]
fn run_says_none_of_these_the_same_way_in_the_prompt_and_the_error() {
    let bundle = write_bundle(&tiny_files());
    // Breathing no, blood no, then 0 (not how none is said here), then 3.
    let output = triage(&cough_run(bundle.path(), &[]), "2\n2\n0\n3\n37\n");
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}");
    let wanted = "every number that applies, e.g. 1,2, or 3 for none of these";
    assert!(text.contains("  3. None of these"), "{text}");
    assert!(text.contains(&format!("Type {wanted} (b = back")), "{text}");
    assert!(
        text.contains(&format!(
            "\"0\" is not one of the numbers. Please type {wanted}."
        )),
        "{text}"
    );
    assert!(text.contains("== Look after yourself at home =="), "{text}");
}

#[test]
fn run_writes_no_escape_codes_to_a_pipe() {
    let bundle = write_bundle(&tiny_files());
    let output = triage_with_env(&cough_run(bundle.path(), &[]), "1\n", &[]);
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).contains("== Call 999 now =="));
    assert!(!stdout(&output).contains('\u{1b}'), "{}", stdout(&output));
}

/// The line of `text` that shows the outcome's title.
fn title_line<'t>(text: &'t str, title: &str) -> &'t str {
    text.lines()
        .find(|line| line.contains(title))
        .unwrap_or_else(|| panic!("no {title:?} in:\n{text}"))
}

#[test]
fn run_colours_the_outcome_by_urgency_when_colour_is_forced() {
    let bundle = write_bundle(&tiny_files());
    let force = [("CLICOLOR_FORCE", "1")];
    let emergency = stdout(&triage_with_env(
        &cough_run(bundle.path(), &[]),
        "1\n",
        &force,
    ));
    // Bold red.
    assert!(
        title_line(&emergency, "Call 999 now").contains("\u{1b}[31m"),
        "{emergency:?}"
    );
    let urgent = stdout(&triage_with_env(
        &cough_run(bundle.path(), &[]),
        "2\n1\n",
        &force,
    ));
    // Bold yellow.
    assert!(
        title_line(&urgent, "Speak to a GP").contains("\u{1b}[33m"),
        "{urgent:?}"
    );
    // `--color always` colours a pipe without the variable.
    let always = stdout(&triage_with_env(
        &cough_run(bundle.path(), &["--color", "always"]),
        "1\n",
        &[],
    ));
    assert!(title_line(&always, "Call 999 now").contains('\u{1b}'));
}

#[test]
fn run_leaves_colour_off_when_no_color_or_never_says_so() {
    let bundle = write_bundle(&tiny_files());
    // NO_COLOR wins over CLICOLOR_FORCE, as no-color.org asks.
    let both = [("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")];
    let output = triage_with_env(&cough_run(bundle.path(), &[]), "1\n", &both);
    assert!(stdout(&output).contains("== Call 999 now =="));
    assert!(!stdout(&output).contains('\u{1b}'), "{}", stdout(&output));
    let never = cough_run(bundle.path(), &["--color", "never"]);
    let output = triage_with_env(&never, "1\n", &[("CLICOLOR_FORCE", "1")]);
    assert!(!stdout(&output).contains('\u{1b}'), "{}", stdout(&output));
}

#[test]
fn a_folder_that_holds_the_bundle_one_level_down_says_which_folder_to_pass() {
    // The repository itself: its test fixtures would otherwise give hundreds of errors.
    let root = env!("CARGO_MANIFEST_DIR");
    let output = triage(&["validate", root, "--format", "json"], "");
    assert_eq!(code(&output), 1);
    let report: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let first = &report["diagnostics"][0];
    assert_eq!(first["code"], "L012", "{report}");
    let pathways = Path::new(root).join("pathways");
    assert_eq!(
        first["help"],
        format!("did you mean {}?", pathways.display()),
        "{report}"
    );
    assert!(report["summary"]["errors"].as_u64() < Some(5), "{report}");
}

#[test]
fn validate_colours_diagnostics_by_the_same_rule_as_run() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/broken/dangling-next");
    let args = ["validate", fixture.to_str().expect("a UTF-8 path")];
    let printed = |env: &[(&str, &str)]| {
        let output = triage_with_env(&args, "", env);
        assert_eq!(code(&output), 1);
        format!("{}{}", stdout(&output), stderr(&output))
    };
    assert!(!printed(&[]).contains('\u{1b}'), "a pipe is not coloured");
    assert!(printed(&[("CLICOLOR_FORCE", "1")]).contains('\u{1b}'));
    let both = [("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")];
    assert!(!printed(&both).contains('\u{1b}'), "NO_COLOR wins");
}

#[test]
fn run_wraps_to_columns_at_word_boundaries() {
    let long = "Have you been coughing up blood, or phlegm with streaks of blood in it, \
                at any time in the last two weeks?";
    let cough = COUGH.replace(
        "{ self: Are you coughing up blood?,",
        &format!("{{ self: \"{long}\","),
    );
    let bundle = tiny_with("pathways/cough.yaml", &cough);
    let answers = ["2", "1", "q"];
    let output = triage_with_env(
        &cough_run(bundle.path(), &[]),
        &answers.map(|a| format!("{a}\n")).concat(),
        &[("COLUMNS", "40")],
    );
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}");
    for line in text.lines() {
        // A prompt is followed by the answer echoed on the same line.
        let shown = match line.rsplit_once(": ") {
            Some((prompt, typed)) if answers.contains(&typed) => prompt,
            _ => line,
        };
        assert!(shown.chars().count() <= 40, "{shown:?} in:\n{text}");
    }
    // No word is broken: the question's lines put back together are the question.
    let question: Vec<&str> = text
        .lines()
        .skip_while(|line| !line.starts_with("Question 2:"))
        .take_while(|line| !line.starts_with("  1. "))
        .collect();
    assert!(question.len() > 2, "{text}");
    assert_eq!(question.join(" "), format!("Question 2: {long}"));
}

#[test]
fn run_shows_bundle_text_without_its_escape_characters() {
    // A question text carrying a terminal escape (YAML writes ESC as \e).
    let cough = COUGH.replace(
        "{ self: Are you coughing up blood?,",
        "{ self: \"\\e[2J\\e]0;owned\\aAre you coughing up blood?\",",
    );
    let bundle = tiny_with("pathways/cough.yaml", &cough);
    let output = triage(&cough_run(bundle.path(), &[]), "2\n1\n");
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}\n{}", stderr(&output));
    assert!(
        text.contains("Question 2: [2J]0;ownedAre you coughing up blood?"),
        "{text:?}"
    );
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(!text.contains('\u{7}'), "{text:?}");
}

#[test]
fn run_refuses_an_unknown_pathway_or_one_not_for_the_person() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(
        &[
            "run",
            path_arg(bundle.path()),
            "--pathway",
            "knee-pain",
            "--age",
            "30",
            "--sex",
            "male",
        ],
        "",
    );
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("knee-pain"), "{}", stderr(&output));
    let output = triage(
        &[
            "run",
            path_arg(bundle.path()),
            "--pathway",
            "period-pain",
            "--age",
            "30",
            "--sex",
            "male",
        ],
        "",
    );
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("not for this person"),
        "{}",
        stderr(&output)
    );
}

// ---------------------------------------------------------------------------
// list
// ---------------------------------------------------------------------------

fn listed(dir: &Path, filters: &[&str]) -> Vec<String> {
    let mut args = vec!["list", path_arg(dir), "--format", "json"];
    args.extend_from_slice(filters);
    let output = triage(&args, "");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    stdout_json(&output)
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| p["id"].as_str().expect("an id").to_owned())
        .collect()
}

#[test]
fn list_filters_by_age_sex_and_words() {
    let bundle = write_bundle(&tiny_files());
    let dir = bundle.path();
    assert_eq!(listed(dir, &[]), ["cough", "period-pain"]);
    assert_eq!(listed(dir, &["--sex", "male"]), ["cough"]);
    assert_eq!(listed(dir, &["--age", "12"]), ["period-pain"]);
    assert_eq!(
        listed(dir, &["--age", "0", "--months", "6"]),
        Vec::<String>::new()
    );
    assert_eq!(listed(dir, &["--search", "cramps"]), ["period-pain"]);
    assert_eq!(
        listed(
            dir,
            &["--age", "30", "--sex", "female", "--search", "chesty", "cough"]
        ),
        ["cough"]
    );
    assert_eq!(listed(dir, &["--search", "knee"]), Vec::<String>::new());
}

#[test]
fn list_json_names_the_reachable_dispositions() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(
        &[
            "list",
            path_arg(bundle.path()),
            "--format",
            "json",
            "--search",
            "period",
        ],
        "",
    );
    let pathways = stdout_json(&output);
    assert_eq!(pathways[0]["dispositions"], json!(["gp-2h", "self-care"]));
    assert_eq!(pathways[0]["ages"], json!({"from": 10.0, "to": 60.0}));
}

#[test]
fn list_markdown_is_an_index_table() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(
        &["list", path_arg(bundle.path()), "--format", "markdown"],
        "",
    );
    assert_eq!(code(&output), 0);
    let expected = "\
| Pathway | 111 online topics served | Ages (years) | 111 age bands | Sexes | Dispositions reachable | Sources |
|---|---|---|---|---|---|---|
| Cough (`cough`) | Cough | 16+ | 16+ | female, male | Call 999 now; Speak to a GP within 2 hours; See a pharmacist; Look after yourself at home | [NHS: Cough](https://www.nhs.uk/conditions/cough/) |
| Period pain (`period-pain`) | Sexual or Menstrual Concerns | 10-60 | 5-16, 16+ | female | Speak to a GP within 2 hours; Look after yourself at home | [NHS: Period pain](https://www.nhs.uk/conditions/period-pain/) |
";
    assert_eq!(stdout(&output), expected);
}

#[test]
fn list_human_says_when_nothing_matches() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(&["list", path_arg(bundle.path()), "--search", "knee"], "");
    assert_eq!(code(&output), 0);
    assert_eq!(stdout(&output), "No pathway matches.\n");
}

// ---------------------------------------------------------------------------
// test
// ---------------------------------------------------------------------------

#[test]
fn test_passes_when_every_case_passes_and_everything_is_covered() {
    let bundle = write_bundle(&tiny_files());
    let output = triage(
        &[
            "test",
            path_arg(bundle.path()),
            "--min-coverage",
            "100",
            "--format",
            "json",
        ],
        "",
    );
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    let report = stdout_json(&output);
    assert_eq!(report["cases"], 10);
    assert_eq!(report["passed"], 10);
    assert_eq!(report["failed"], 0);
    assert_eq!(report["coverage"]["edges"], 100.0);
    assert_eq!(report["uncovered"], json!([]));
}

#[test]
fn test_fails_on_a_failing_case_and_names_it() {
    let wrong = PERIOD_PAIN_CASES.replace(
        "      - severity: mild\n    expect: { disposition: self-care }",
        "      - severity: mild\n    expect: { disposition: gp-2h }",
    );
    assert_ne!(wrong, PERIOD_PAIN_CASES);
    let bundle = tiny_with("pathways/period-pain.cases.yaml", &wrong);
    let output = triage(&["test", path_arg(bundle.path()), "--format", "json"], "");
    assert_eq!(code(&output), 1, "{}", stdout(&output));
    let report = stdout_json(&output);
    assert_eq!(report["failed"], 1);
    let failure = &report["failures"][0];
    let file = bundle.path().join("pathways/period-pain.cases.yaml");
    assert_eq!(failure["file"], file.to_str().unwrap());
    assert_eq!(failure["line"], 8);
    assert_eq!(failure["name"], "mild pain is self-care");

    let output = triage(&["test", path_arg(bundle.path())], "");
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    assert!(
        text.contains(&format!("FAIL {}:8", file.display())),
        "{text}"
    );
    assert!(text.contains("10 cases: 9 passed, 1 failed"), "{text}");
}

#[test]
fn test_fails_when_coverage_is_below_the_minimum() {
    let fewer = COUGH_CASES.replace(
        "  - name: a long cough needs a GP
    patient: { age: 40, sex: female }
    answers:
      - emergency-screen/breathing: no
      - blood: no
      - symptoms: [weeks]
    expect: { disposition: gp-2h }
",
        "",
    );
    assert_ne!(fewer, COUGH_CASES);
    let bundle = tiny_with("pathways/cough.cases.yaml", &fewer);
    let dir = path_arg(bundle.path());

    let output = triage(&["test", dir], "");
    assert_eq!(
        code(&output),
        0,
        "without a minimum, missing coverage is only reported"
    );
    let text = stdout(&output);
    assert!(text.contains("cough/symptoms weeks"), "{text}");

    let output = triage(&["test", dir, "--min-coverage", "100"], "");
    assert_eq!(code(&output), 1);
    assert!(
        stdout(&output).contains("below --min-coverage 100"),
        "{}",
        stdout(&output)
    );

    let output = triage(
        &["test", dir, "--min-coverage", "90", "--format", "json"],
        "",
    );
    assert_eq!(code(&output), 0);
    let report = stdout_json(&output);
    let edges = report["coverage"]["edges"].as_f64().unwrap();
    assert!(edges > 90.0 && edges < 100.0, "{report}");
    assert_eq!(report["uncovered"].as_array().unwrap().len(), 1, "{report}");
}

#[test]
fn test_on_an_invalid_bundle_exits_1() {
    let broken = COUGH.replace(
        "next: gp, reason: Coughing up blood",
        "next: surgery, reason: Coughing up blood",
    );
    let bundle = tiny_with("pathways/cough.yaml", &broken);
    let output = triage(&["test", path_arg(bundle.path())], "");
    assert_eq!(code(&output), 1);
    assert!(stderr(&output).contains("E203"), "{}", stderr(&output));
}

// ---------------------------------------------------------------------------
// The shipped bundle
// ---------------------------------------------------------------------------

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("pathways")
}

#[test]
fn the_shipped_bundle_validates() {
    let output = triage(&["validate", path_arg(&shipped()), "--format", "json"], "");
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    let summary = &stdout_json(&output)["summary"];
    assert_eq!(summary["errors"], 0);
    assert!(summary["pathways"].as_u64().unwrap() >= 1);
}

/// An answer to any question that keeps the journey going: no, none of these,
/// the last real option, or the middle of the range.
fn plain_answer(question: &Value) -> Value {
    let options: Vec<&str> = question["options"]
        .as_array()
        .expect("options")
        .iter()
        .map(|o| o["id"].as_str().expect("an id"))
        .collect();
    match question["kind"].as_str().expect("a kind") {
        "yes_no" => json!("no"),
        "multiple" => json!("none"),
        "single" => json!(options
            .iter()
            .rev()
            .find(|id| **id != "not_sure")
            .expect("an option")),
        "number" => {
            let range = &question["range"];
            json!((range[0].as_f64().unwrap() + range[1].as_f64().unwrap()) / 2.0)
        }
        other => panic!("unknown kind {other}"),
    }
}

#[test]
fn next_walks_a_shipped_chest_pain_journey_to_an_outcome() {
    let dir = shipped();
    let mut request = json!({
        "pathway": "chest-pain",
        "patient": {"age_years": 45, "sex": "male"},
        "answers": [],
    });
    for _ in 0..100 {
        let output = next(&dir, &request);
        assert_eq!(code(&output), 0, "{}", stdout(&output));
        let step = stdout_json(&output);
        if step["type"] == "outcome" {
            assert!(step["disposition"]["title"]
                .as_str()
                .is_some_and(|t| !t.is_empty()));
            let asked = request["answers"].as_array().unwrap().len();
            assert_eq!(step["transcript"].as_array().unwrap().len(), asked);
            return;
        }
        assert_eq!(step["type"], "question");
        let answer = json!({"question": step["id"], "answer": plain_answer(&step)});
        request["answers"].as_array_mut().unwrap().push(answer);
    }
    panic!("no outcome after 100 answers: {request}");
}

#[test]
fn next_refuses_an_option_the_shipped_chest_pain_pathway_does_not_offer() {
    let dir = shipped();
    let request = json!({
        "pathway": "chest-pain",
        "patient": {"age_years": 45, "sex": "male"},
        "answers": [],
    });
    let first = stdout_json(&next(&dir, &request));
    let request = json!({
        "pathway": "chest-pain",
        "patient": {"age_years": 45, "sex": "male"},
        "answers": [{"question": first["id"], "answer": "no-such-option"}],
    });
    let output = next(&dir, &request);
    assert_eq!(code(&output), 2);
    assert_eq!(stdout_json(&output)["error"]["code"], "option_not_offered");
}

#[test]
fn a_closed_stdout_ends_quietly_without_a_panic() {
    let bundle = write_bundle(&tiny_files());
    let mut child = Command::new(env!("CARGO_BIN_EXE_triage"))
        .args(["run", path_arg(bundle.path())])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start triage");
    // Close the reading end: every later write to stdout fails with a broken pipe.
    drop(child.stdout.take());
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"30\n1\ncough\n");
    let output = child.wait_with_output().expect("wait for triage");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
}

// ---------------------------------------------------------------------------
// Language and who is answering (tests/fixtures/welsh, in English and Welsh)
// ---------------------------------------------------------------------------

fn welsh_bundle() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/welsh")
}

fn sore_throat(patient: Value, language: Option<&str>, answers: Value) -> Value {
    let mut request = json!({"pathway": "sore-throat", "patient": patient, "answers": answers});
    if let Some(language) = language {
        request["language"] = json!(language);
    }
    request
}

#[test]
fn next_in_welsh_gives_welsh_text_and_says_where_it_falls_back_to_english() {
    let adult = json!({"age_years": 30, "sex": "female"});
    let first = stdout_json(&next(
        &welsh_bundle(),
        &sore_throat(adult.clone(), Some("cy"), json!([])),
    ));
    assert_eq!(first["text"], "Allwch chi lyncu eich poer eich hun?");
    assert_eq!(first["help"], "Atebwch am heddiw.");
    assert_eq!(first["lang"], "cy");
    assert_eq!(
        first["options"][0],
        json!({"id": "yes", "label": "Ie", "lang": "cy"})
    );

    let answers = json!([{"question": "swallow", "answer": "yes"}]);
    let second = stdout_json(&next(
        &welsh_bundle(),
        &sore_throat(adult.clone(), Some("cy"), answers.clone()),
    ));
    assert_eq!(second["options"][0]["label"], "Wythnos neu fwy");
    assert_eq!(second["options"][0]["lang"], "cy");
    // No Welsh was written for this label: English, marked as English.
    assert_eq!(
        second["options"][1],
        json!({"id": "days", "label": "A few days", "lang": "en"})
    );

    let english = stdout_json(&next(&welsh_bundle(), &sore_throat(adult, None, answers)));
    assert_eq!(english["text"], "How long has it been sore?");
    assert_eq!(english["lang"], "en");
}

#[test]
fn next_speaks_to_whoever_is_answering() {
    let asked = |patient: Value| {
        stdout_json(&next(
            &welsh_bundle(),
            &sore_throat(patient, None, json!([])),
        ))["text"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        asked(json!({"age_years": 30, "sex": "male"})),
        "Can you swallow your own spit?"
    );
    assert_eq!(
        asked(json!({"age_years": 30, "sex": "male", "answering": "someone_else"})),
        "Can they swallow their own spit?"
    );
    assert_eq!(
        asked(json!({"age_years": 14, "sex": "male", "answering": "someone_else"})),
        "Can your child swallow their own spit?"
    );
    assert_eq!(
        asked(json!({"age_years": 14, "sex": "male"})),
        "Can you swallow your own spit?"
    );
    // A toddler's parent reads the toddler words; where a text has none, the child words.
    assert_eq!(
        asked(json!({"age_years": 3, "sex": "male"})),
        "Can your child swallow, and are they having wet nappies as usual?"
    );
    assert_eq!(
        asked(
            json!({"age_years": 0, "age_months": 5, "sex": "female", "answering": "someone_else"})
        ),
        "Is your baby feeding?"
    );
}

#[test]
fn an_outcome_reached_without_a_warning_sign_says_why() {
    let answers = json!([
        {"question": "swallow", "answer": "yes"},
        {"question": "how-long", "answer": "days"},
    ]);
    let outcome = stdout_json(&next(
        &welsh_bundle(),
        &sore_throat(json!({"age_years": 40, "sex": "male"}), Some("cy"), answers),
    ));
    assert_eq!(outcome["type"], "outcome");
    assert_eq!(
        outcome["reasons"],
        json!([{
            "code": "sore-throat-no-warning-signs",
            "text": "Dim un o arwyddion rhybudd dolur gwddf",
            "lang": "cy",
            "question": "home",
        }])
    );
}

#[test]
fn next_refuses_an_implausible_patient() {
    for (patient, field) in [
        (
            json!({"age_years": 0, "age_months": 13, "sex": "female"}),
            "age_months",
        ),
        (json!({"age_years": 131, "sex": "female"}), "age_years"),
    ] {
        let output = next(&welsh_bundle(), &sore_throat(patient, None, json!([])));
        assert_eq!(code(&output), 2);
        let refusal = stdout_json(&output);
        assert_eq!(refusal["error"]["code"], "implausible_patient", "{refusal}");
        assert_eq!(refusal["error"]["field"], field);
        assert!(
            refusal["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains(field),
            "{refusal}"
        );
    }
}

#[test]
fn next_refuses_an_unknown_language_or_answering() {
    for request in [
        sore_throat(
            json!({"age_years": 30, "sex": "male"}),
            Some("fr"),
            json!([]),
        ),
        sore_throat(
            json!({"age_years": 30, "sex": "male", "answering": "parent"}),
            None,
            json!([]),
        ),
    ] {
        let output = next(&welsh_bundle(), &request);
        assert_eq!(code(&output), 2);
        assert_eq!(stdout_json(&output)["error"]["code"], "malformed_request");
    }
}

#[test]
fn run_in_welsh_for_someone_else() {
    let output = triage(
        &[
            "run",
            path_arg(&welsh_bundle()),
            "--pathway",
            "sore-throat",
            "--age",
            "6",
            "--sex",
            "male",
            "--answering",
            "someone-else",
            "--lang",
            "cy",
        ],
        "1\n1\n",
    );
    let text = stdout(&output);
    assert_eq!(code(&output), 0, "{text}\n{}", stderr(&output));
    assert!(
        text.contains("Ydy'ch plentyn yn gallu llyncu ei boer ei hun?"),
        "{text}"
    );
    assert!(text.contains("Ewch â'ch plentyn at fferyllydd"), "{text}");
}

#[test]
fn run_refuses_an_implausible_age() {
    for (age, months, says) in [("0", "13", "11"), ("131", "0", "0 to 130")] {
        let output = triage(
            &[
                "run",
                path_arg(&welsh_bundle()),
                "--age",
                age,
                "--months",
                months,
                "--sex",
                "male",
            ],
            "",
        );
        assert_eq!(code(&output), 2);
        assert!(stderr(&output).contains(says), "{}", stderr(&output));
    }
}

#[test]
fn the_welsh_fixture_cases_pass_and_cover_every_edge() {
    let output = triage(
        &["test", path_arg(&welsh_bundle()), "--min-coverage", "100"],
        "",
    );
    assert_eq!(code(&output), 0, "{}", stdout(&output));
}

#[test]
fn next_starts_a_journey_where_its_topic_starts() {
    let toddler = json!({"age_years": 3, "sex": "female", "answering": "someone_else"});
    let mut request = sore_throat(toddler.clone(), None, json!([]));
    request["topic"] = json!("sore-throat");
    let first = stdout_json(&next(&welsh_bundle(), &request));
    assert_eq!(first["id"], "how-long", "{first}");
    // By title too, and the pathway's own start without a topic.
    request["topic"] = json!("Sore Throat");
    assert_eq!(
        stdout_json(&next(&welsh_bundle(), &request))["id"],
        "how-long"
    );
    let plain = stdout_json(&next(
        &welsh_bundle(),
        &sore_throat(toddler, None, json!([])),
    ));
    assert_eq!(plain["id"], "swallow");

    request["topic"] = json!("earache");
    let output = next(&welsh_bundle(), &request);
    assert_eq!(code(&output), 2);
    assert_eq!(stdout_json(&output)["error"]["code"], "unknown_topic");
}
