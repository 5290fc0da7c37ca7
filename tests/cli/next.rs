//! `triage next`: one step per call, JSON in and out.

use super::*;

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

#[test]
fn next_takes_requests_only_as_strictly_as_they_are_written() {
    let bundle = write_bundle(&tiny_files());
    let to_temperature = || {
        vec![
            json!({"question": "emergency-screen/breathing", "answer": "no"}),
            json!({"question": "blood", "answer": "no"}),
            json!({"question": "symptoms", "answer": "none"}),
        ]
    };
    // A number is a JSON number, not text, however it is spelt.
    for text in ["38", " 38", "+38", "38.", "3.8e1"] {
        let mut answers = to_temperature();
        answers.push(json!({"question": "temperature", "answer": text}));
        let output = next(bundle.path(), &cough_request(Value::Array(answers)));
        assert_eq!(code(&output), 2, "{text:?}");
        let error = &stdout_json(&output)["error"];
        assert_eq!(error["code"], "wrong_answer_kind", "{text:?}: {error}");
    }
    // Each option of a multiple-choice answer once.
    let answers = json!([
        {"question": "emergency-screen/breathing", "answer": "no"},
        {"question": "blood", "answer": "no"},
        {"question": "symptoms", "answer": ["none", "none"]},
    ]);
    let output = next(bundle.path(), &cough_request(answers));
    assert_eq!(code(&output), 2);
    let error = &stdout_json(&output)["error"];
    assert_eq!(error["code"], "duplicate_option", "{error}");
    assert_eq!(error["option"], "none");
    // A byte order mark before the JSON is tolerated.
    let request = format!("\u{feff}{}", cough_request(json!([])));
    let output = triage(&["next", path_arg(bundle.path())], &request);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert_eq!(stdout_json(&output)["type"], "question");
}
