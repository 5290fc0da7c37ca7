//! The README's promises: its library example runs as written, and its quick
//! start names commands that exist.

use triage_core::eval::{Answer, AnswerValue, Answering, Patient, Sex, Step};
use triage_core::session::Session;

/// The "library API in ten lines" of README.md, kept in step with it.
#[test]
fn the_readme_library_example_runs() -> Result<(), Box<dyn std::error::Error>> {
    let readme = std::fs::read_to_string("README.md")?;
    for line in [
        r#"let built = triage_core::build_dir("pathways".as_ref());"#,
        r#"let patient = Patient { age_years: 55, age_months: 0, sex: Sex::Male, answering: Answering::Myself };"#,
        r#"let mut session = Session::start(&bundle, "chest-pain", patient)?;"#,
        r#"let answer = Answer { question: "emergency-screen/signs".into(), value: AnswerValue::Choices(vec!["none".into()]) };"#,
    ] {
        assert!(readme.contains(line), "README.md no longer says: {line}");
    }

    let built = triage_core::build_dir("pathways".as_ref());
    let bundle = built.bundle.expect("the bundle validates");
    let patient = Patient {
        age_years: 55,
        age_months: 0,
        sex: Sex::Male,
        answering: Answering::Myself,
    };
    let mut session = Session::start(&bundle, "chest-pain", patient)?;
    let answer = Answer {
        question: "emergency-screen/signs".into(),
        value: AnswerValue::Choices(vec!["none".into()]),
    };
    let step = session.answer(&bundle, answer)?;
    assert!(matches!(step, Step::Question(q) if q.id == "pain-now"));
    let json = session.to_json();
    assert_eq!(Session::from_json(&bundle, &json)?, session);
    Ok(())
}

#[test]
fn the_quick_start_commands_exist() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    assert!(readme.contains("cargo run -- run pathways"));
    assert!(readme.contains("scripts/test.sh"));
    assert!(std::path::Path::new("scripts/test.sh").exists());
    let ci = std::fs::read_to_string(".ci/run").expect(".ci/run");
    assert!(
        ci.contains("scripts/test.sh"),
        ".ci/run must run the README's test command"
    );
}

/// Every diagnostic code has exactly one row in the authors' guide, and the
/// guide lists no code the engine does not have.
#[test]
fn every_diagnostic_code_is_documented_once() {
    let guide = std::fs::read_to_string("docs/pathway-language.md").expect("the guide");
    let rows: Vec<&str> = guide
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .filter(|code| {
            code.len() == 4
                && code.starts_with(['L', 'E', 'W'])
                && code[1..].bytes().all(|b| b.is_ascii_digit())
        })
        .collect();
    for (code, title) in triage_core::diag::codes::ALL {
        let count = rows.iter().filter(|row| **row == code.0).count();
        assert_eq!(count, 1, "{code} ({title}) has {count} rows in the guide");
    }
    for row in &rows {
        assert!(
            triage_core::diag::codes::ALL
                .iter()
                .any(|(c, _)| c.0 == *row),
            "the guide documents {row}, which the engine does not have"
        );
    }
}
