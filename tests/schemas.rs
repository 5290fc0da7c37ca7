//! The versioned JSON formats: `docs/schema/` holds the JSON Schema of each,
//! generated from the types, and real outputs of the shipped bundle (steps,
//! outcomes, saved sessions, audit records, validation reports, from the
//! library and from the command line) are checked against them.
//!
//! It also holds the schema of every kind of file an author writes, generated
//! from the model types; every shipped file names its schema on its first
//! line (for editors) and is checked against it.
//!
//! After changing a type, regenerate the files with
//! `TRIAGE_WRITE_SCHEMAS=1 cargo test --test schemas`.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use triage_core::compile::CompiledBundle;
use triage_core::eval::{Answer, AnswerValue, Step};
use triage_core::format;
use triage_core::input_schema;
use triage_core::model::QuestionKindDoc;
use triage_core::session::Session;
use triage_core::vocab::{Answering, Patient, Sex, Start};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema_dir() -> PathBuf {
    root().join("docs/schema")
}

fn shipped() -> CompiledBundle {
    let built = triage_core::build_dir(&root().join("pathways"));
    built.bundle.expect("the shipped bundle compiles")
}

/// The validator of the schema in `docs/schema/<file>`.
fn validator(file: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(schema_dir().join(file)).expect("schema file");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

fn assert_valid(validator: &jsonschema::Validator, what: &str, value: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match its schema: {errors:#?}\n{value:#}"
    );
}

#[test]
fn the_schema_files_are_generated_from_the_types() {
    let write = std::env::var_os("TRIAGE_WRITE_SCHEMAS").is_some();
    for (file, schema) in format::schemas().into_iter().chain(input_schema::schemas()) {
        let path = schema_dir().join(file);
        let generated = format!("{}\n", serde_json::to_string_pretty(&schema).unwrap());
        if write {
            std::fs::create_dir_all(schema_dir()).unwrap();
            std::fs::write(&path, &generated).unwrap();
            continue;
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == generated,
            "{} is out of date with the types; run `TRIAGE_WRITE_SCHEMAS=1 cargo test --test schemas`",
            path.display()
        );
    }
}

#[test]
fn every_schema_pins_its_format() {
    for (file, version) in [
        ("step.schema.json", format::Step::FORMAT),
        ("session.schema.json", format::Session::FORMAT),
        ("audit.schema.json", format::Audit::FORMAT),
        ("validation.schema.json", format::Validation::FORMAT),
        ("diff.schema.json", format::Diff::FORMAT),
    ] {
        let validator = validator(file);
        // Another version of the same document is refused.
        let other = json!({"format": version.replace("/1", "/2")});
        assert!(
            !validator.is_valid(&other),
            "{file} accepts another version"
        );
        assert!(
            std::fs::read_to_string(schema_dir().join(file))
                .unwrap()
                .contains(version),
            "{file} does not name {version}"
        );
    }
}

/// An answer that moves a journey on: the first option (or the middle of a
/// number's range), so that walks end at varied outcomes.
fn some_answer(step: &Step, turn: usize) -> Option<Answer> {
    let question = step.question()?;
    let value = match question.kind {
        QuestionKindDoc::Number => {
            let (low, high) = question.range?;
            AnswerValue::Number(((low + high) / 2.0).round())
        }
        QuestionKindDoc::Multiple => {
            // Alternate between ruling everything out and choosing the first option.
            let id = if turn.is_multiple_of(2) {
                "none"
            } else {
                &question.options.first()?.id
            };
            AnswerValue::Choices(vec![id.to_string()])
        }
        _ => {
            // "No" (the second answer) most of the time, to walk deep.
            let index = if turn % 3 == 2 { 0 } else { 1 };
            let option = question.options.get(index).or(question.options.first())?;
            AnswerValue::Choice(option.id.clone())
        }
    };
    Some(Answer::new(question.id.clone(), value))
}

#[test]
fn library_outputs_match_their_schemas_on_every_shipped_pathway() {
    let bundle = shipped();
    let (step_schema, session_schema, audit_schema) = (
        validator("step.schema.json"),
        validator("session.schema.json"),
        validator("audit.schema.json"),
    );
    let mut outcomes = 0;
    let pathways: Vec<(String, Patient)> = bundle
        .pathways()
        .map(|p| {
            let age = p.ages.from.ceil() as u32 + 1;
            let sex = match p.sexes.first() {
                Some(triage_core::model::SexDoc::Male) => Sex::Male,
                _ => Sex::Female,
            };
            let answering = if age < 16 {
                Answering::SomeoneElse
            } else {
                Answering::Myself
            };
            (
                p.id.to_string(),
                Patient {
                    age_years: age,
                    age_months: 0,
                    sex,
                    answering,
                },
            )
        })
        .collect();
    for (pathway, patient) in pathways {
        let Ok(mut session) = Session::begin(&bundle, Start::new(pathway.clone(), patient)) else {
            continue;
        };
        let mut turn = 0;
        loop {
            let step = serde_json::to_value(session.step(&bundle).unwrap()).unwrap();
            assert_eq!(step["format"], format::Step::FORMAT);
            assert_valid(&step_schema, &format!("a step of {pathway}"), &step);
            let Some(answer) = some_answer(&session.step(&bundle).unwrap().render().unwrap(), turn)
            else {
                break;
            };
            session.answer(&bundle, answer).expect("a valid answer");
            turn += 1;
        }
        outcomes += usize::from(session.step(&bundle).unwrap().is_outcome());
        let saved: Value = serde_json::from_str(&session.to_json()).unwrap();
        assert_valid(
            &session_schema,
            &format!("the saved session of {pathway}"),
            &saved,
        );
        let audit = serde_json::to_value(session.audit(&bundle)).unwrap();
        assert_valid(
            &audit_schema,
            &format!("the audit record of {pathway}"),
            &audit,
        );
    }
    assert!(outcomes >= 40, "only {outcomes} walks reached an outcome");
}

fn triage(args: &[&str], stdin: &str) -> Value {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_triage"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("triage runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

#[test]
fn command_line_outputs_match_their_schemas() {
    let steps = validator("step.schema.json");
    let request = json!({
        "pathway": "chest-pain",
        "patient": {"age_years": 40, "sex": "male"},
        "answers": [],
    });
    let question = triage(&["next", "pathways"], &request.to_string());
    assert_eq!(question["type"], "question", "{question}");
    assert_valid(&steps, "a question from `triage next`", &question);

    // The first sign of the emergency screen: an outcome at once.
    let answer = json!([{"question": question["id"], "answer": [question["options"][0]["id"]]}]);
    let request = json!({
        "pathway": "chest-pain",
        "patient": {"age_years": 40, "sex": "male"},
        "answers": answer,
    });
    let outcome = triage(&["next", "pathways"], &request.to_string());
    assert_eq!(outcome["type"], "outcome", "{outcome}");
    assert_valid(&steps, "an outcome from `triage next`", &outcome);

    let reports = validator("validation.schema.json");
    let valid = triage(&["validate", "pathways", "--format", "json"], "");
    assert_eq!(valid["format"], format::Validation::FORMAT);
    assert_valid(&reports, "the shipped bundle's report", &valid);
    let broken = Path::new("tests/fixtures/broken/call-999-within-minutes");
    let broken = triage(
        &["validate", broken.to_str().unwrap(), "--format", "json"],
        "",
    );
    assert_eq!(broken["summary"]["errors"], 1, "{broken}");
    assert_valid(&reports, "a broken bundle's report", &broken);

    let diffs = validator("diff.schema.json");
    let changed = triage(
        &[
            "diff",
            "tests/fixtures/diff/base",
            "tests/fixtures/diff/rerouted",
            "--format",
            "json",
        ],
        "",
    );
    assert_eq!(changed["format"], format::Diff::FORMAT);
    assert_eq!(
        changed["pathways"][0]["journeys"][0]["change"],
        "less_urgent"
    );
    assert_valid(&diffs, "a diff with a change", &changed);
}

#[test]
fn a_document_without_its_format_or_of_another_version_is_refused() {
    let steps = validator("step.schema.json");
    let bundle = shipped();
    let patient = Patient {
        age_years: 40,
        age_months: 0,
        sex: Sex::Male,
        answering: Answering::Myself,
    };
    let session = Session::begin(&bundle, Start::new("chest-pain", patient)).unwrap();
    let mut step = serde_json::to_value(session.step(&bundle).unwrap()).unwrap();
    assert!(steps.is_valid(&step));
    step["format"] = json!("triage.step/2");
    assert!(!steps.is_valid(&step));
    let error = serde_json::from_value::<Step>(step.clone()).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("this engine reads `triage.step/1`"),
        "{error}"
    );
    step.as_object_mut().unwrap().remove("format");
    assert!(!steps.is_valid(&step));

    // A saved session from before formats were versioned still resumes.
    let mut saved: Value = serde_json::from_str(&session.to_json()).unwrap();
    assert_eq!(saved["format"], format::Session::FORMAT);
    saved.as_object_mut().unwrap().remove("format");
    assert!(Session::from_json(&bundle, &saved.to_string()).is_ok());
    saved["format"] = json!("triage.session/9");
    let refused = Session::from_json(&bundle, &saved.to_string()).unwrap_err();
    assert!(
        refused.to_string().contains("triage.session/9"),
        "{refused}"
    );
}

/// Every `.yaml` file under `dir`, as paths relative to it, sorted.
fn bundle_files(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("readable bundle directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                let relative = path.strip_prefix(root).expect("under the root");
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    files.sort();
    files
}

/// The YAML text as JSON, the way an editor's YAML language server sees it:
/// YAML 1.2, where only `true` and `false` are booleans (`id: yes` is text).
fn yaml_as_json(text: &str, what: &str) -> Value {
    let options = serde_saphyr::options! { strict_booleans: true };
    serde_saphyr::from_str_with_options(text, options)
        .unwrap_or_else(|e| panic!("{what} is not YAML: {e}"))
}

#[test]
fn every_shipped_bundle_file_names_its_schema_and_matches_it() {
    let bundle = root().join("pathways");
    let files = bundle_files(&bundle);
    assert!(files.len() > 200, "only {} bundle files", files.len());
    let mut checked = std::collections::BTreeMap::<&str, usize>::new();
    for relative in &files {
        let schema = input_schema::schema_file_for(relative)
            .unwrap_or_else(|| panic!("{relative} is no kind of bundle file"));
        let text = std::fs::read_to_string(bundle.join(relative)).expect("readable file");
        let depth = relative.matches('/').count() + 1;
        let modeline = format!(
            "# yaml-language-server: $schema={}docs/schema/{schema}",
            "../".repeat(depth)
        );
        assert_eq!(
            text.lines().next(),
            Some(modeline.as_str()),
            "{relative} does not name its schema on its first line"
        );
        assert_valid(&validator(schema), relative, &yaml_as_json(&text, relative));
        *checked.entry(schema).or_default() += 1;
    }
    // Every kind of file is among them.
    for (schema, _) in input_schema::schemas() {
        assert!(
            checked.contains_key(schema),
            "no shipped file uses {schema}"
        );
    }
}

#[test]
fn the_pathway_schema_catches_what_an_author_mistypes() {
    let validator = validator("pathway.schema.json");
    let good = r#"
pathway:
  id: cough
  title: Cough
  version: 1.0.0
  ages: { from: 16 }
  sexes: [female, male]
  topics: [Cough]
  start: q
nodes:
  q:
    question:
      text: { self: Are you coughing up blood?, other: Are they coughing up blood? }
      kind: yes_no
      yes: { next: done, reason: Coughing up blood }
      no: { next: done }
  done:
    outcome: { disposition: self-care, reason: No warning signs }
"#;
    assert_valid(&validator, "a small pathway", &yaml_as_json(good, "it"));
    for (mistake, from, to) in [
        ("a kind that does not exist", "kind: yes_no", "kind: yesno"),
        ("a misspelt key", "kind: yes_no", "knd: yes_no"),
        (
            "an audience that does not exist",
            "other: Are",
            "others: Are",
        ),
        ("a node of no kind", "outcome: {", "result: {"),
        ("a header key left out", "  version: 1.0.0\n", ""),
    ] {
        let bad = good.replacen(from, to, 1);
        assert_ne!(bad, good, "{mistake}: the replacement did not apply");
        assert!(
            !validator.is_valid(&yaml_as_json(&bad, mistake)),
            "the schema accepts {mistake}"
        );
    }
}
