//! Language and who is answering (tests/fixtures/welsh).

use super::*;

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
