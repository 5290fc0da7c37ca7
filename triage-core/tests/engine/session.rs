use crate::fixture::*;
use triage_core::compile::CompiledBundle;
use triage_core::eval::{Answer, Answering, EvalError, Language, Patient, Sex, Step};
use triage_core::session::{replay, AuditDisposition, Resume, Session};
use triage_core::vocab::Start;

pub(crate) fn start(bundle: &CompiledBundle, pathway: &str) -> Session {
    Session::start(bundle, pathway, adult()).unwrap_or_else(|e| panic!("{e}"))
}

pub(crate) fn give(session: &mut Session, bundle: &CompiledBundle, answer: Answer) {
    if let Err(e) = session.answer(bundle, answer) {
        panic!("{e}");
    }
}

fn question_id(session: &Session, bundle: &CompiledBundle) -> Option<String> {
    session.shown(bundle).question().map(|q| q.id.clone())
}

/// A session at the adult question of fever.
pub(crate) fn at_adult(bundle: &CompiledBundle) -> Session {
    let mut session = start(bundle, "fever");
    give(&mut session, bundle, no_signs());
    give(&mut session, bundle, number("temperature", 37.0));
    assert_eq!(question_id(&session, bundle).as_deref(), Some("adult"));
    session
}

/// A session that has ended.
pub(crate) fn finished(bundle: &CompiledBundle) -> Session {
    let mut session = at_adult(bundle);
    give(&mut session, bundle, choice("adult", "yes"));
    assert!(session.shown(bundle).outcome().is_some());
    session
}

#[test]
fn a_session_walks_answers_to_an_outcome() {
    let bundle = bundle();
    let mut session = start(&bundle, "fever");
    assert_eq!(session.pathway(), "fever");
    assert_eq!(session.patient(), &adult());
    assert_eq!(session.bundle_hash(), bundle.hash());
    assert_eq!(
        question_id(&session, &bundle).as_deref(),
        Some("screen/signs")
    );
    give(&mut session, &bundle, no_signs());
    give(&mut session, &bundle, number("temperature", 39.0));
    give(&mut session, &bundle, choice("adult", "yes"));
    let Some(outcome) = session.shown(&bundle).outcome().cloned() else {
        panic!("no outcome");
    };
    assert_eq!(outcome.disposition.id, "ae-1h");
    assert_eq!(session.answers().len(), 3);
    assert_eq!(
        Some(session.shown(&bundle).clone()),
        evaluate(&bundle, "fever", &adult(), session.answers()).ok()
    );
}

#[test]
fn back_takes_back_the_last_answer_even_after_the_outcome() {
    let bundle = bundle();
    let mut session = finished(&bundle);
    let step = session
        .back(&bundle)
        .map(|s| s.question().map(|q| q.id.clone()));
    assert_eq!(step, Ok(Some("adult".to_string())));
    assert_eq!(session, at_adult(&bundle));
    give(&mut session, &bundle, choice("adult", "no"));
    assert_eq!(
        question_id(&session, &bundle).as_deref(),
        Some("cough/how-long")
    );
    for _ in 0..3 {
        assert!(session.back(&bundle).is_ok());
    }
    assert_eq!(session, start(&bundle, "fever"));
}

/// Asserts that `change` fails with an error of code `code` and leaves the session exactly as it was.
fn refused_without_change(
    session: &mut Session,
    code: &str,
    change: impl FnOnce(&mut Session) -> Result<Step, EvalError>,
) {
    let before = session.clone();
    let json = session.to_json();
    match change(session) {
        Err(e) => assert_eq!(e.code(), code, "{e}"),
        Ok(step) => panic!("expected {code}, got {step:?}"),
    }
    assert_eq!(*session, before);
    assert_eq!(session.to_json(), json);
}

#[test]
fn every_refused_answer_leaves_the_session_exactly_as_it_was() {
    let bundle = bundle();
    let other = build_files(files(&[(
        "pathways/cough.yaml",
        &COUGH.replace("version: 1.0.0", "version: 1.0.1"),
    )]))
    .0;
    fn answer(
        b: &CompiledBundle,
        a: Answer,
    ) -> impl FnOnce(&mut Session) -> Result<Step, EvalError> + '_ {
        move |s: &mut Session| s.answer(b, a).and_then(|v| v.render())
    }

    let mut fresh = start(&bundle, "fever");
    refused_without_change(
        &mut fresh,
        "wrong_question",
        answer(&bundle, choice("adult", "yes")),
    );
    refused_without_change(
        &mut fresh,
        "option_not_offered",
        answer(&bundle, choices("screen/signs", &["rash", "purple"])),
    );
    refused_without_change(
        &mut fresh,
        "exclusive_option",
        answer(&bundle, choices("screen/signs", &["none", "rash"])),
    );
    refused_without_change(
        &mut fresh,
        "nothing_chosen",
        answer(&bundle, choices("screen/signs", &[])),
    );
    refused_without_change(
        &mut fresh,
        "wrong_answer_kind",
        answer(&bundle, number("screen/signs", 1.0)),
    );
    refused_without_change(&mut fresh, "nothing_to_go_back", |s| {
        s.back(&bundle).and_then(|v| v.render())
    });
    refused_without_change(&mut fresh, "bundle_mismatch", answer(&other, no_signs()));

    let mut at_temperature = start(&bundle, "fever");
    give(&mut at_temperature, &bundle, no_signs());
    refused_without_change(
        &mut at_temperature,
        "number_out_of_range",
        answer(&bundle, number("temperature", 46.0)),
    );
    refused_without_change(
        &mut at_temperature,
        "number_out_of_range",
        answer(&bundle, number("temperature", f64::NAN)),
    );
    refused_without_change(&mut at_temperature, "bundle_mismatch", |s| {
        s.back(&other).and_then(|v| v.render())
    });

    let mut done = finished(&bundle);
    refused_without_change(
        &mut done,
        "answer_after_outcome",
        answer(&bundle, choice("adult", "no")),
    );
}

#[test]
fn after_refused_answers_a_session_carries_on_as_if_they_were_never_given() {
    let bundle = bundle();
    let valid = [no_signs(), number("temperature", 39.5)];
    let mut clean = start(&bundle, "fever");
    let mut refused = start(&bundle, "fever");
    for answer in &valid {
        for wrong in [
            choice("adult", "yes"),
            number("temperature", 46.0),
            choices("screen/signs", &["none", "rash"]),
        ] {
            assert!(refused.answer(&bundle, wrong).is_err());
        }
        give(&mut clean, &bundle, answer.clone());
        give(&mut refused, &bundle, answer.clone());
        assert_eq!(refused, clean);
    }
    // The score added at the temperature question still counts at the branch.
    let mut child_session =
        Session::start(&bundle, "fever", child()).unwrap_or_else(|e| panic!("{e}"));
    give(&mut child_session, &bundle, no_signs());
    assert!(child_session
        .answer(&bundle, number("temperature", 20.0))
        .is_err());
    give(&mut child_session, &bundle, number("temperature", 39.5));
    assert_eq!(
        child_session
            .step(&bundle)
            .ok()
            .and_then(|v| v.disposition_id()),
        Some("ae-1h")
    );
}

#[test]
fn a_session_read_back_through_serde_carries_on_like_the_original() {
    use serde::de::DeserializeSeed;
    let bundle = bundle();
    for session in [start(&bundle, "fever"), at_adult(&bundle)] {
        // Serde writes what `to_json` writes, and reads it back only with the bundle.
        let full = serde_json::to_string(&session).unwrap_or_default();
        assert_eq!(full, session.to_json());
        let mut reader = serde_json::Deserializer::from_str(&full);
        let read = Resume(&bundle)
            .deserialize(&mut reader)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read, session);
        let (mut read, mut original) = (read, session);
        for answer in [no_signs(), choice("adult", "no")] {
            assert_eq!(
                read.answer(&bundle, answer.clone())
                    .and_then(|v| v.render()),
                original.answer(&bundle, answer).and_then(|v| v.render())
            );
            assert_eq!(read, original);
        }
    }
}

#[test]
fn a_saved_session_holds_the_answers_not_the_rendered_step() {
    let bundle = bundle();
    let session = finished(&bundle);
    let saved: serde_json::Value = serde_json::from_str(&session.to_json()).unwrap_or_default();
    let mut keys: Vec<&str> = saved
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    keys.sort_unstable();
    assert_eq!(keys, ["answers", "bundle", "format", "pathway", "patient"]);
    assert_eq!(saved["format"], "triage.session/1");
    assert_eq!(saved["bundle"], bundle.hash());
    assert_eq!(saved["answers"].as_array().map(Vec::len), Some(3));
}

/// `session`'s saved JSON with `step` written in as its step, as earlier
/// versions saved it.
fn with_step(session: &Session, step: &Step) -> serde_json::Value {
    let mut saved: serde_json::Value = serde_json::from_str(&session.to_json()).unwrap_or_default();
    saved["step"] = serde_json::to_value(step).unwrap_or_default();
    saved
}

#[test]
fn a_saved_step_is_never_believed_and_a_swapped_one_is_refused() {
    use serde::de::DeserializeSeed;
    let bundle = bundle();
    let emergency = finished(&bundle); // adult: yes -> A&E within the hour
    assert_eq!(
        emergency
            .step(&bundle)
            .ok()
            .and_then(|v| v.disposition_id()),
        Some("ae-1h")
    );
    let gentler = {
        let mut s = at_adult(&bundle);
        give(&mut s, &bundle, choice("adult", "no"));
        give(&mut s, &bundle, number("cough/how-long", 5.0));
        s
    };
    let own_gp = gentler.shown(&bundle).clone();
    assert_eq!(
        own_gp.outcome().map(|o| o.disposition.id.as_str()),
        Some("own-gp")
    );

    // A session saved with its own step (as earlier versions wrote) resumes.
    let honest = with_step(&emergency, &emergency.shown(&bundle)).to_string();
    assert_eq!(
        Session::from_json(&bundle, &honest).as_ref(),
        Ok(&emergency)
    );

    // The emergency journey's step swapped for a gentler outcome is refused,
    // by `from_json` and by serde through `Resume` alike.
    let forged = with_step(&emergency, &own_gp);
    let refused = Session::from_json(&bundle, &forged.to_string());
    assert_eq!(
        refused,
        Err(EvalError::StepMismatch {
            claimed: "outcome own-gp".into(),
            rebuilt: "outcome ae-1h".into(),
        })
    );
    assert_eq!(refused.map_err(|e| e.code()), Err("step_mismatch"));
    let through_serde = Resume(&bundle).deserialize(forged);
    let message = through_serde.map(|_| ()).unwrap_err().to_string();
    assert!(
        message.contains("answers lead to outcome ae-1h"),
        "{message}"
    );

    // A question swapped for the outcome, or the outcome for a question, too.
    let open = at_adult(&bundle);
    let forged = with_step(&open, &emergency.shown(&bundle)).to_string();
    assert_eq!(
        Session::from_json(&bundle, &forged).map_err(|e| e.code()),
        Err("step_mismatch")
    );
    let forged = with_step(&emergency, &open.shown(&bundle)).to_string();
    assert_eq!(
        Session::from_json(&bundle, &forged).map_err(|e| e.code()),
        Err("step_mismatch")
    );
}

#[test]
fn sessions_cannot_start_on_unknown_or_unsuitable_pathways() {
    let bundle = bundle();
    assert!(matches!(
        Session::start(&bundle, "flu", adult()),
        Err(EvalError::UnknownPathway { .. })
    ));
    assert!(matches!(
        Session::start(&bundle, "cough", child()),
        Err(EvalError::NotApplicable { .. })
    ));
}

#[test]
fn a_session_survives_a_json_round_trip() {
    let bundle = bundle();
    for session in [
        start(&bundle, "fever"),
        at_adult(&bundle),
        finished(&bundle),
    ] {
        let json = session.to_json();
        let resumed = Session::from_json(&bundle, &json);
        assert_eq!(resumed.as_ref(), Ok(&session));
        // And carries on the same way.
        let Ok(mut resumed) = resumed else { continue };
        let mut original = session.clone();
        let next = no_signs();
        assert_eq!(
            resumed
                .answer(&bundle, next.clone())
                .and_then(|v| v.render()),
            original.answer(&bundle, next).and_then(|v| v.render())
        );
    }
}

#[test]
fn resuming_with_another_bundle_is_refused() {
    let bundle = bundle();
    let other = build_files(files(&[(
        "pathways/fever.yaml",
        &FEVER.replace("title: Fever", "title: High temperature"),
    )]))
    .0;
    let json = at_adult(&bundle).to_json();
    assert_eq!(
        Session::from_json(&other, &json),
        Err(EvalError::BundleMismatch {
            expected: other.hash().to_string(),
            got: bundle.hash().to_string()
        })
    );
}

#[test]
fn resuming_checks_the_saved_answers_and_recomputes_the_step() {
    let bundle = bundle();
    let session = at_adult(&bundle);
    let mut json: serde_json::Value = serde_json::from_str(&session.to_json()).unwrap_or_default();

    // A saved step is not trusted: it is recomputed from the answers, and
    // one they do not lead to is refused.
    let mut stale = json.clone();
    stale["step"] =
        serde_json::to_value(start(&bundle, "fever").shown(&bundle)).unwrap_or_default();
    assert_eq!(
        Session::from_json(&bundle, &stale.to_string()),
        Err(EvalError::StepMismatch {
            claimed: "question screen/signs".into(),
            rebuilt: "question adult".into()
        })
    );

    // A tampered answer is refused.
    json["answers"][1]["answer"] = serde_json::json!(99);
    assert!(matches!(
        Session::from_json(&bundle, &json.to_string()),
        Err(EvalError::NumberOutOfRange { .. })
    ));
    assert!(matches!(
        Session::from_json(&bundle, "{not json"),
        Err(EvalError::BadSession(_))
    ));
    assert!(matches!(
        Session::from_json(&bundle, "{}"),
        Err(EvalError::BadSession(_))
    ));
}

#[test]
fn an_audit_record_replays_to_itself() {
    let bundle = bundle();
    let session = {
        let mut s = at_adult(&bundle);
        give(&mut s, &bundle, choice("adult", "no"));
        give(&mut s, &bundle, number("cough/how-long", 5.0));
        s
    };
    let record = session.audit(&bundle);
    assert_eq!(record.bundle, bundle.hash());
    assert_eq!(
        (record.pathway.as_str(), record.pathway_version.as_str()),
        ("fever", "2.1.0")
    );
    assert_eq!(
        record.steps,
        ["screen/signs", "temperature", "adult", "cough/how-long"]
    );
    assert_eq!(
        record.disposition,
        Some(AuditDisposition {
            id: "own-gp".into(),
            code: "Dx75".into()
        })
    );
    assert_eq!(record.reasons, ["long-cough"]);
    assert_eq!(replay(&bundle, &record).as_ref(), Ok(&record));

    // The record round-trips through JSON.
    let json = serde_json::to_string(&record).unwrap_or_default();
    let read: triage_core::session::AuditRecord =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read, record);

    // An unfinished journey records the question it stopped at.
    let open = at_adult(&bundle).audit(&bundle);
    assert_eq!(open.steps, ["screen/signs", "temperature", "adult"]);
    assert_eq!(open.disposition, None);
    assert_eq!(replay(&bundle, &open).as_ref(), Ok(&open));
}

#[test]
fn a_record_that_does_not_replay_is_reported() {
    let bundle = bundle();
    let record = finished(&bundle).audit(&bundle);
    let mut tampered = record.clone();
    tampered.disposition = Some(AuditDisposition {
        id: "self-care".into(),
        code: "Dx35".into(),
    });
    assert_eq!(
        replay(&bundle, &tampered),
        Err(EvalError::ReplayMismatch {
            field: "disposition".into()
        })
    );
    let mut tampered = record.clone();
    tampered.reasons.push("made-up".into());
    assert!(matches!(
        replay(&bundle, &tampered),
        Err(EvalError::ReplayMismatch { .. })
    ));
    let other = build_files(files(&[(
        "care-advice.yaml",
        &CARE_ADVICE.replace("Unlock the door.", "Unlock the front door."),
    )]))
    .0;
    assert!(matches!(
        replay(&other, &record),
        Err(EvalError::BundleMismatch { .. })
    ));
}

#[test]
fn the_same_answers_give_the_same_session() {
    let bundle = bundle();
    let answers = [
        choices("screen/signs", &["travel", "contact"]),
        number("temperature", 38.2),
    ];
    let run = || {
        let mut s = Session::start(&bundle, "fever", child()).unwrap_or_else(|e| panic!("{e}"));
        for a in &answers {
            give(&mut s, &bundle, a.clone());
        }
        s
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    assert_eq!(a.to_json(), b.to_json());
    assert_eq!(a.audit(&bundle), b.audit(&bundle));
}

#[test]
fn an_implausible_patient_is_refused_by_sessions_and_evaluate() {
    let bundle = bundle();
    for patient in [
        Patient::new(0, 13, Sex::Female),
        Patient::new(131, 0, Sex::Male),
    ] {
        let refused = Session::start(&bundle, "fever", patient).unwrap_err();
        assert_eq!(refused.code(), "implausible_patient", "{refused}");
        let refused = triage_core::eval::evaluate(&bundle, "fever", &patient, &[]).unwrap_err();
        assert!(
            matches!(refused, EvalError::ImplausiblePatient(_)),
            "{refused}"
        );
    }
}

#[test]
fn a_session_keeps_its_language_when_saved_and_resumed() {
    let (sources, _) = triage_core::load::Sources::from_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/welsh"),
    );
    let built = triage_core::build(sources);
    let bundle = built.bundle.expect("the Welsh fixture builds");
    let parent = Patient::new(6, 0, Sex::Male).answered_by(Answering::SomeoneElse);
    let mut session = Session::start(&bundle, "sore-throat", parent).unwrap();
    let question = |s: &Session| {
        s.shown(&bundle)
            .question()
            .map(|q| (q.text.clone(), q.lang))
    };
    assert_eq!(
        question(&session),
        Some((
            "Can your child swallow their own spit?".into(),
            Language::En
        ))
    );
    session.set_language(&bundle, Language::Cy).unwrap();
    let welsh = Some((
        "Ydy'ch plentyn yn gallu llyncu ei boer ei hun?".to_string(),
        Language::Cy,
    ));
    assert_eq!(question(&session), welsh);
    let resumed = Session::from_json(&bundle, &session.to_json()).unwrap();
    assert_eq!(resumed.language(), Language::Cy);
    assert_eq!(question(&resumed), welsh);
}

/// `answers` given in turn from the start of fever, for `start`.
fn walked(bundle: &CompiledBundle, start: Start, answers: &[Answer]) -> Session {
    let mut session = Session::begin(bundle, start).unwrap_or_else(|e| panic!("{e}"));
    for answer in answers {
        give(&mut session, bundle, answer.clone());
    }
    session
}

#[test]
fn sessions_are_equal_only_when_everything_a_caller_sees_is() {
    let bundle = bundle();
    let to_adult = [no_signs(), number("temperature", 37.0)];
    let base = walked(&bundle, Start::new("fever", adult()), &to_adult);
    assert_eq!(base, at_adult(&bundle));
    assert_eq!(base.topic(), None);

    let older = Patient {
        age_years: 31,
        ..adult()
    };
    let other_bundle = build_files(files(&[(
        "care-advice.yaml",
        &CARE_ADVICE.replace("Unlock the door.", "Unlock the front door."),
    )]))
    .0;
    let mut welsh = base.clone();
    assert!(welsh.set_language(&bundle, Language::Cy).is_ok());
    let at_topic = walked(
        &bundle,
        Start::new("fever", adult()).at_topic("fever"),
        &to_adult,
    );
    assert_eq!(at_topic.topic(), Some("fever"));
    // Each differs from `base` in one thing only, and is at the same question.
    let differing = [
        (
            "the bundle",
            walked(&other_bundle, Start::new("fever", adult()), &to_adult),
        ),
        (
            "the person",
            walked(&bundle, Start::new("fever", older), &to_adult),
        ),
        (
            "an answer",
            walked(
                &bundle,
                Start::new("fever", adult()),
                &[no_signs(), number("temperature", 37.5)],
            ),
        ),
        ("the language", welsh),
        ("the topic", at_topic),
    ];
    for (what, other) in differing {
        let own = if what == "the bundle" {
            &other_bundle
        } else {
            &bundle
        };
        assert_eq!(
            other.shown(own).question().map(|q| &q.id),
            base.shown(&bundle).question().map(|q| &q.id),
            "{what}"
        );
        assert_ne!(other, base, "{what}");
        assert_ne!(base, other, "{what}");
    }
    // The same answers on another pathway: the pathway differs.
    let cough = Session::start(&bundle, "cough", adult()).unwrap_or_else(|e| panic!("{e}"));
    let fever = start(&bundle, "fever");
    assert_ne!(cough, fever);
}

#[test]
fn a_wrong_kind_of_answer_says_which_kind_the_question_takes() {
    let bundle = bundle();
    let mut session = start(&bundle, "fever");
    give(&mut session, &bundle, no_signs());
    let refused = session.answer(&bundle, choice("temperature", "hot"));
    assert_eq!(
        refused.map_err(|e| e.to_string()),
        Err("\"temperature\" takes a number answer".to_string())
    );
    give(&mut session, &bundle, number("temperature", 37.0));
    for (value, kind) in [
        (number("adult", 1.0), "yes_no"),
        (choices("adult", &["yes"]), "yes_no"),
    ] {
        let refused = session.answer(&bundle, value).map_err(|e| e.to_string());
        assert_eq!(refused, Err(format!("\"adult\" takes a {kind} answer")));
    }
    let mut child = Session::start(&bundle, "fever", child()).unwrap_or_else(|e| panic!("{e}"));
    give(&mut child, &bundle, no_signs());
    give(&mut child, &bundle, number("temperature", 37.0));
    assert_eq!(question_id(&child, &bundle).as_deref(), Some("drinking"));
    let refused = child
        .answer(&bundle, number("drinking", 1.0))
        .map_err(|e| e.to_string());
    assert_eq!(
        refused,
        Err("\"drinking\" takes a single answer".to_string())
    );
    let mut screen = start(&bundle, "fever");
    let refused = screen
        .answer(&bundle, number("screen/signs", 2.0))
        .map_err(|e| e.to_string());
    assert_eq!(
        refused,
        Err("\"screen/signs\" takes a multiple answer".to_string())
    );
}

#[test]
fn the_fixed_answers_are_labelled_in_welsh_for_a_welsh_reader() {
    let bundle = bundle();
    let start_in = |language| Start::new("fever", adult()).in_language(language);
    let labels = |session: &Session| -> Vec<(String, String)> {
        session
            .shown(&bundle)
            .question()
            .map(|q| {
                q.options
                    .iter()
                    .map(|o| (o.id.clone(), o.label.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let welsh = walked(&bundle, start_in(Language::Cy), &[]);
    let fixed: Vec<(String, String)> = labels(&welsh)
        .into_iter()
        .filter(|(id, _)| id == "none" || id == "not_sure")
        .collect();
    assert_eq!(
        fixed,
        [
            ("none".to_string(), "Dim un o'r rhain".to_string()),
            ("not_sure".to_string(), "Dw i ddim yn siŵr".to_string())
        ]
    );
    let welsh = walked(
        &bundle,
        start_in(Language::Cy),
        &[no_signs(), number("temperature", 37.0)],
    );
    assert_eq!(
        labels(&welsh),
        [
            ("yes".to_string(), "Ie".to_string()),
            ("no".to_string(), "Na".to_string()),
            ("not_sure".to_string(), "Dw i ddim yn siŵr".to_string())
        ]
    );
    let english = walked(
        &bundle,
        start_in(Language::En),
        &[no_signs(), number("temperature", 37.0)],
    );
    assert_eq!(labels(&english)[0].1, "Yes");
}
