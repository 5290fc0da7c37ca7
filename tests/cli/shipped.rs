//! The shipped bundle through the command line.

use super::*;

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
