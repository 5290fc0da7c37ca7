use crate::fixture::*;
use triage_core::eval::{
    evaluate_ids, evaluate_position, resolve_answer, resolve_answers, step_at, Answer, AnswerValue,
    Chosen, EvalError, Language, OutcomeView, Patient, Position, QuestionView, Step, Urgency,
};
use triage_core::model::QuestionKindDoc;

fn question(step: Result<Step, EvalError>) -> QuestionView {
    match step {
        Ok(Step::Question(q)) => q,
        other => panic!("expected a question, got {other:?}"),
    }
}

fn outcome(step: Result<Step, EvalError>) -> OutcomeView {
    match step {
        Ok(Step::Outcome(o)) => o,
        other => panic!("expected an outcome, got {other:?}"),
    }
}

fn reason_codes(outcome: &OutcomeView) -> Vec<&str> {
    outcome.reasons.iter().map(|r| r.code.as_str()).collect()
}

fn advice_ids(outcome: &OutcomeView) -> Vec<&str> {
    outcome.care_advice.iter().map(|a| a.id.as_str()).collect()
}

#[test]
fn the_first_question_of_a_pathway_that_calls_a_module_is_the_modules() {
    let bundle = bundle();
    let q = question(evaluate(&bundle, "fever", &adult(), &[]));
    assert_eq!(q.id, "screen/signs");
    assert_eq!(q.kind, QuestionKindDoc::Multiple);
    assert_eq!(q.pathway, "fever");
    assert_eq!(q.step, 1);
    let options: Vec<(&str, &str)> = q
        .options
        .iter()
        .map(|o| (o.id.as_str(), o.label.as_str()))
        .collect();
    assert_eq!(
        options,
        [
            ("breathing", "Struggling to breathe"),
            ("rash", "A rash that does not fade"),
            ("stiff", "A stiff neck"),
            ("travel", "Been abroad recently"),
            ("contact", "Close to someone with sepsis"),
            ("none", "None of these"),
            ("not_sure", "I'm not sure"),
        ]
    );
}

#[test]
fn a_module_returns_to_the_callers_next_node() {
    let bundle = bundle();
    let q = question(evaluate(&bundle, "fever", &adult(), &[no_signs()]));
    assert_eq!(q.id, "temperature");
    assert_eq!(q.step, 2);
    assert_eq!(q.kind, QuestionKindDoc::Number);
    assert_eq!(q.unit.as_deref(), Some("°C"));
    assert_eq!(q.range, Some((30.0, 45.0)));
    assert_eq!(
        q.help.as_deref(),
        Some("Use a thermometer if you have one.")
    );
    // A number question lists only "I'm not sure".
    let ids: Vec<&str> = q.options.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["not_sure"]);

    // The same module called by another pathway returns there instead.
    let q = question(evaluate(&bundle, "cough", &adult(), &[no_signs()]));
    assert_eq!(q.id, "how-long");
}

#[test]
fn an_option_that_returns_from_the_module_carries_on_in_the_pathway() {
    let bundle = bundle();
    let answers = [
        choices("screen/signs", &["travel"]),
        number("temperature", 37.0),
    ];
    let o = outcome(evaluate(&bundle, "fever", &child(), &answers));
    // var.travelled was set by the module, read by the pathway's branch.
    assert_eq!(o.disposition.id, "gp-2h");
    assert_eq!(reason_codes(&o), ["travel"]);
}

#[test]
fn goto_carries_on_in_the_other_pathway_with_its_public_ids() {
    let bundle = bundle();
    let answers = [
        no_signs(),
        number("temperature", 37.0),
        choice("adult", "no"),
    ];
    let q = question(evaluate(&bundle, "fever", &adult(), &answers));
    assert_eq!(q.id, "cough/how-long");
    assert_eq!(q.pathway, "fever");

    let mut answers = answers.to_vec();
    answers.push(number("cough/how-long", 4.0));
    let o = outcome(evaluate(&bundle, "fever", &adult(), &answers));
    assert_eq!(o.disposition.id, "own-gp");
    assert_eq!(o.reasons.len(), 1);
    assert_eq!(o.reasons[0].code, "long-cough");
    assert_eq!(o.reasons[0].question, "cough/how-long");

    // The unqualified id is the started pathway's own namespace, so it is refused.
    answers.pop();
    answers.push(number("how-long", 4.0));
    assert!(matches!(
        evaluate(&bundle, "fever", &adult(), &answers),
        Err(EvalError::WrongQuestion { expected, got }) if expected == "cough/how-long" && got == "how-long"
    ));
}

#[test]
fn a_branch_on_age_bands_sends_each_age_its_own_way() {
    let bundle = bundle();
    let at_37 = [no_signs(), number("temperature", 37.0)];
    // Under 1: a case over the earlier answer.
    let o = outcome(evaluate(&bundle, "fever", &infant(), &at_37));
    assert_eq!(o.disposition.id, "gp-2h");
    let hot = [no_signs(), number("temperature", 38.0)];
    let o = outcome(evaluate(&bundle, "fever", &infant(), &hot));
    assert_eq!(o.disposition.id, "ae-1h");
    // 1 to 16, and the band's lower edge is inclusive.
    let mut one = infant();
    one.age_years = 1;
    one.age_months = 0;
    assert_eq!(
        question(evaluate(&bundle, "fever", &one, &at_37)).id,
        "drinking"
    );
    // 16 and over.
    let mut sixteen = child();
    sixteen.age_years = 16;
    assert_eq!(
        question(evaluate(&bundle, "fever", &sixteen, &at_37)).id,
        "adult"
    );
}

#[test]
fn multiple_choice_routes_by_the_first_chosen_option_in_listed_order() {
    let bundle = bundle();
    // `rash` is listed before `stiff`, so it routes whichever order they are sent in.
    let o = outcome(evaluate(
        &bundle,
        "fever",
        &adult(),
        &[choices("screen/signs", &["stiff", "rash"])],
    ));
    assert_eq!(o.disposition.id, "ae-1h");
    assert_eq!(reason_codes(&o), ["rash", "screen/signs/stiff"]);
    assert_eq!(advice_ids(&o), ["rash-check"]);

    let o = outcome(evaluate(
        &bundle,
        "fever",
        &adult(),
        &[choices("screen/signs", &["stiff", "breathing"])],
    ));
    assert_eq!(o.disposition.id, "call-999");
    assert_eq!(reason_codes(&o), ["breathing", "screen/signs/stiff"]);
    assert_eq!(
        o.transcript[0].answer,
        "Struggling to breathe, A stiff neck"
    );
}

#[test]
fn every_chosen_option_updates_variables_and_advice_and_gives_its_reason_most_urgent_first() {
    let bundle = bundle();
    // `travel` routes (listed first); `contact` adds to the sepsis score, which
    // the child branch checks before `travelled`.
    let answers = [
        choices("screen/signs", &["contact", "travel"]),
        number("temperature", 37.0),
    ];
    let o = outcome(evaluate(&bundle, "fever", &child(), &answers));
    assert_eq!(o.disposition.id, "ae-1h");
    // In the order the options are listed, most urgent first, not the order ticked.
    assert_eq!(reason_codes(&o), ["travel", "contact"]);
    assert_eq!(advice_ids(&o), ["travel"]);
}

#[test]
fn a_reason_without_a_code_gets_one_from_where_it_is_written() {
    let bundle = bundle();
    let o = outcome(evaluate(
        &bundle,
        "fever",
        &adult(),
        &[choices("screen/signs", &["stiff"])],
    ));
    assert_eq!(o.reasons[0].text, "Stiff neck");
    assert_eq!(o.reasons[0].question, "screen/signs");
    assert!(!o.reasons[0].code.is_empty());
}

#[test]
fn number_bands_include_their_lower_edge_and_the_range_includes_both_ends() {
    let bundle = bundle();
    let route = |value: f64| {
        let answers = [
            no_signs(),
            number("temperature", value),
            choice("adult", "yes"),
        ];
        outcome(evaluate(&bundle, "fever", &adult(), &answers))
    };
    let codes = |value: f64| {
        route(value)
            .reasons
            .iter()
            .map(|r| r.code.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(codes(30.0), ["confused"]);
    assert_eq!(codes(38.999), ["confused"]);
    assert_eq!(advice_ids(&route(37.9)), Vec::<&str>::new());
    assert_eq!(advice_ids(&route(38.0)), ["fever"]);
    assert_eq!(codes(39.0), ["high-temp", "confused"]);
    assert_eq!(codes(45.0), ["high-temp", "confused"]);

    for value in [29.999, 45.001, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let answers = [no_signs(), number("temperature", value)];
        match evaluate(&bundle, "fever", &adult(), &answers) {
            Err(EvalError::NumberOutOfRange {
                question, min, max, ..
            }) => {
                assert_eq!(question, "temperature");
                assert_eq!((min, max), (30.0, 45.0));
            }
            other => panic!("{value} should be refused, got {other:?}"),
        }
    }
}

#[test]
fn a_number_is_a_number_never_text_and_not_sure_takes_its_own_route() {
    let bundle = bundle();
    let answers = [
        no_signs(),
        number("temperature", 39.5),
        choice("adult", "yes"),
    ];
    let o = outcome(evaluate(&bundle, "fever", &adult(), &answers));
    assert_eq!(reason_codes(&o), ["high-temp", "confused"]);
    assert_eq!(o.transcript[1].answer, "39.5 °C");

    // Text that reads as a number is refused: a request is read as written.
    for text in [" 39.5 ", "39.5", "+39.5", "3.95e1"] {
        let answers = [no_signs(), choice("temperature", text)];
        assert!(
            matches!(
                evaluate(&bundle, "fever", &adult(), &answers),
                Err(EvalError::WrongAnswerKind {
                    expected: QuestionKindDoc::Number,
                    ..
                })
            ),
            "{text:?}"
        );
    }

    let answers = [no_signs(), choice("temperature", "not_sure")];
    let o = outcome(evaluate(&bundle, "fever", &adult(), &answers));
    assert_eq!(o.disposition.id, "gp-2h");
    assert_eq!(o.transcript[1].answer, "I'm not sure");

    let answers = [no_signs(), choice("temperature", "warm")];
    assert!(matches!(
        evaluate(&bundle, "fever", &adult(), &answers),
        Err(EvalError::WrongAnswerKind {
            expected: QuestionKindDoc::Number,
            ..
        })
    ));
}

#[test]
fn the_outcome_gathers_advice_in_order_without_repeats() {
    let bundle = bundle();
    // Band advice `fever`, then outcome advice `fever` (repeat), then the
    // disposition's `rest`.
    let answers = [
        choices("screen/signs", &["none"]),
        number("temperature", 38.5),
        choice("drinking", "normal"),
    ];
    let o = outcome(evaluate(&bundle, "fever", &child(), &answers));
    assert_eq!(o.disposition.id, "self-care");
    assert_eq!(o.disposition.urgency, Urgency::SelfCare);
    assert_eq!(advice_ids(&o), ["fever", "rest"]);
    assert_eq!(o.care_advice[1].title, "Rest");
    assert_eq!(o.care_advice[1].text, "Rest and drink plenty of fluids.");
}

#[test]
fn the_transcript_lists_each_question_with_its_answer_and_report() {
    let bundle = bundle();
    let answers = [
        no_signs(),
        number("temperature", 39.0),
        choice("adult", "yes"),
    ];
    let o = outcome(evaluate(&bundle, "fever", &adult(), &answers));
    let rows: Vec<(&str, &str, Option<&str>)> = o
        .transcript
        .iter()
        .map(|t| (t.question.as_str(), t.answer.as_str(), t.report.as_deref()))
        .collect();
    assert_eq!(
        rows,
        [
            ("screen/signs", "None of these", None),
            ("temperature", "39 °C", None),
            ("adult", "Yes", Some("Confused: yes")),
        ]
    );
    assert_eq!(o.transcript[2].text, "Do you feel confused?");
    // "None of these" says what it ruled out; other kinds rule out nothing.
    assert_eq!(
        o.transcript[0].ruled_out,
        [
            "Struggling to breathe",
            "A rash that does not fade",
            "A stiff neck",
            "Been abroad recently",
            "Close to someone with sepsis"
        ]
    );
    assert!(o.transcript[1].ruled_out.is_empty());
    assert!(o.transcript[2].ruled_out.is_empty());
}

#[test]
fn options_not_chosen_are_ruled_out_unless_the_person_was_not_sure() {
    let bundle = bundle();
    let o = outcome(evaluate(
        &bundle,
        "fever",
        &adult(),
        &[choices("screen/signs", &["stiff", "rash"])],
    ));
    assert_eq!(
        o.transcript[0].ruled_out,
        [
            "Struggling to breathe",
            "Been abroad recently",
            "Close to someone with sepsis"
        ]
    );
    let o = outcome(evaluate(
        &bundle,
        "fever",
        &adult(),
        &[choices("screen/signs", &["not_sure"])],
    ));
    assert!(o.transcript[0].ruled_out.is_empty(), "{:?}", o.transcript);
}

#[test]
fn dispositions_are_grouped_by_urgency() {
    let bundle = bundle();
    let urgency = |id: &str| bundle.disposition(id).map(|d| d.urgency);
    assert_eq!(urgency("call-999"), Some(Urgency::Emergency));
    assert_eq!(urgency("ae-1h"), Some(Urgency::Emergency));
    assert_eq!(urgency("gp-2h"), Some(Urgency::Urgent));
    assert_eq!(urgency("own-gp"), Some(Urgency::Routine));
    assert_eq!(urgency("self-care"), Some(Urgency::SelfCare));
    assert_eq!(urgency("no-such"), None);
    let call = bundle.disposition("call-999").map(|d| {
        (
            d.code,
            d.act_within_minutes,
            d.service_standard_minutes,
            d.rank,
        )
    });
    // The person calls now; the response standard is the ambulance service's.
    assert_eq!(call, Some(("Dx012".to_string(), Some(0), Some(40), 1)));
}

#[test]
fn refused_answers_say_what_was_wrong() {
    let bundle = bundle();
    let run = |answers: &[Answer]| evaluate(&bundle, "fever", &adult(), answers);

    assert_eq!(
        run(&[choice("temperature", "yes")]),
        Err(EvalError::WrongQuestion {
            expected: "screen/signs".into(),
            got: "temperature".into()
        })
    );
    match run(&[choices("screen/signs", &["purple"])]) {
        Err(EvalError::OptionNotOffered {
            question,
            option,
            offered,
        }) => {
            assert_eq!(
                (question.as_str(), option.as_str()),
                ("screen/signs", "purple")
            );
            assert_eq!(offered.len(), 7);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        run(&[choices("screen/signs", &["rash", "none"])]),
        Err(EvalError::ExclusiveOption {
            question: "screen/signs".into(),
            option: "none".into()
        })
    );
    assert_eq!(
        run(&[choices("screen/signs", &["not_sure", "rash"])]),
        Err(EvalError::ExclusiveOption {
            question: "screen/signs".into(),
            option: "not_sure".into()
        })
    );
    assert_eq!(
        run(&[choices("screen/signs", &[])]),
        Err(EvalError::NothingChosen {
            question: "screen/signs".into()
        })
    );
    assert_eq!(
        run(&[number("screen/signs", 3.0)]),
        Err(EvalError::WrongAnswerKind {
            question: "screen/signs".into(),
            expected: QuestionKindDoc::Multiple
        })
    );
    let to_adult = [no_signs(), number("temperature", 37.0)];
    let mut answers = to_adult.to_vec();
    answers.push(choices("adult", &["yes"]));
    assert_eq!(
        run(&answers),
        Err(EvalError::WrongAnswerKind {
            question: "adult".into(),
            expected: QuestionKindDoc::YesNo
        })
    );
    let mut answers = to_adult.to_vec();
    answers.push(choice("adult", "yes"));
    answers.push(choice("adult", "yes"));
    assert_eq!(run(&answers), Err(EvalError::AnswerAfterOutcome));

    assert_eq!(
        evaluate(&bundle, "flu", &adult(), &[]),
        Err(EvalError::UnknownPathway {
            pathway: "flu".into()
        })
    );
}

#[test]
fn pathways_refuse_people_outside_their_ages_and_sexes() {
    let bundle = bundle();
    let not_applicable = |pathway: &str, patient| {
        matches!(
            evaluate(&bundle, pathway, &patient, &[]),
            Err(EvalError::NotApplicable { .. })
        )
    };
    assert!(not_applicable("cough", child()));
    assert!(not_applicable("period-pain", child()));
    let mut older = adult();
    older.age_years = 60;
    assert!(not_applicable("period-pain", older));
    older.age_years = 59;
    older.age_months = 11;
    assert!(!not_applicable("period-pain", older));
    let mut man = adult();
    man.sex = triage_core::eval::Sex::Male;
    assert!(not_applicable("period-pain", man));
}

#[test]
fn errors_serialize_with_a_stable_code() {
    let error = EvalError::OptionNotOffered {
        question: "adult".into(),
        option: "maybe".into(),
        offered: vec!["yes".into(), "no".into()],
    };
    let json = serde_json::to_value(&error).unwrap_or_default();
    assert_eq!(json["code"], "option_not_offered");
    assert_eq!(json["question"], "adult");
    assert_eq!(json["offered"][1], "no");
    assert!(json["message"]
        .as_str()
        .is_some_and(|m| m.contains("maybe")));
    let json = serde_json::to_value(EvalError::BadSession("eof".into())).unwrap_or_default();
    assert_eq!(json["code"], "bad_session");
    assert_eq!(EvalError::AnswerAfterOutcome.code(), "answer_after_outcome");
}

#[test]
fn steps_serialize_with_a_type_tag() {
    let bundle = bundle();
    let step = evaluate(&bundle, "fever", &adult(), &[]);
    let json = serde_json::to_value(step.as_ref().ok()).unwrap_or_default();
    assert_eq!(json["type"], "question");
    assert_eq!(json["id"], "screen/signs");
    let o = evaluate(
        &bundle,
        "fever",
        &adult(),
        &[choices("screen/signs", &["rash"])],
    );
    let json = serde_json::to_value(o.as_ref().ok()).unwrap_or_default();
    assert_eq!(json["type"], "outcome");
    assert_eq!(json["disposition"]["urgency"], "emergency");
    assert_eq!(json["disposition"]["service"], "emergency_department");
}

#[test]
fn pre_resolved_answers_walk_to_the_same_place() {
    let bundle = bundle();
    let answers = [
        no_signs(),
        number("temperature", 37.0),
        choice("adult", "no"),
    ];
    let resolved = resolve_answers(&bundle, "fever", &adult(), &answers);
    let Ok((pathway, ids)) = resolved else {
        panic!("{resolved:?}");
    };
    assert_eq!(ids.len(), 3);
    let position = evaluate_ids(&bundle, pathway, &adult(), &ids);
    let Ok(Position::Question(at)) = position else {
        panic!("{position:?}");
    };
    assert_eq!(
        step_at(&bundle, pathway, &adult(), &ids, Language::En),
        evaluate(&bundle, "fever", &adult(), &answers)
    );
    let next = resolve_answer(&bundle, pathway, at, &number("cough/how-long", 1.0));
    let Ok(next) = next else {
        panic!("{next:?}");
    };
    let mut all = ids.clone();
    all.push(next);
    assert!(matches!(
        evaluate_ids(&bundle, pathway, &adult(), &all),
        Ok(Position::Outcome(_))
    ));
    // Hand-made ids are checked like answers.
    let mut forged = ids.clone();
    forged[1].chosen = Chosen::Number {
        value: 37.0,
        band: 2,
    };
    assert!(matches!(
        evaluate_ids(&bundle, pathway, &adult(), &forged),
        Err(EvalError::WrongAnswerKind { .. })
    ));
    let mut forged = ids.clone();
    forged[0].chosen = Chosen::Many(0b10_0010);
    assert!(matches!(
        evaluate_ids(&bundle, pathway, &adult(), &forged),
        Err(EvalError::WrongAnswerKind { .. })
    ));
    // Ids of one question do not answer another.
    let mut wrong = ids.clone();
    wrong.push(ids[0]);
    assert!(matches!(
        evaluate_ids(&bundle, pathway, &adult(), &wrong),
        Err(EvalError::WrongQuestion { .. })
    ));
    assert_eq!(
        resolve_answer(&bundle, pathway, at, &choice("cough/how-long", "lots")),
        Err(EvalError::WrongAnswerKind {
            question: "cough/how-long".into(),
            expected: QuestionKindDoc::Number
        })
    );
}

#[test]
fn pre_resolved_answers_set_variables_and_add_to_scores_like_text_answers() {
    let bundle = bundle();
    // A child: the score, then the flag, then neither decides at the branch.
    for (signs, disposition) in [
        (choices("screen/signs", &["contact"]), "ae-1h"),
        (choices("screen/signs", &["travel"]), "gp-2h"),
        (choices("screen/signs", &["contact", "travel"]), "ae-1h"),
    ] {
        let answers = [signs, number("temperature", 37.0)];
        let shown = outcome(evaluate(&bundle, "fever", &child(), &answers));
        assert_eq!(shown.disposition.id, disposition, "{answers:?}");
        let resolved = resolve_answers(&bundle, "fever", &child(), &answers);
        let Ok((pathway, ids)) = resolved else {
            panic!("{resolved:?}");
        };
        let position = evaluate_ids(&bundle, pathway, &child(), &ids);
        assert_eq!(
            position.ok().and_then(|p| bundle.outcome_disposition(p)),
            Some(disposition),
            "{answers:?}"
        );
    }
    // A score added by two answers in one journey counts both.
    let answers = [
        choices("screen/signs", &["contact"]),
        number("temperature", 39.5),
    ];
    let resolved = resolve_answers(&bundle, "fever", &child(), &answers);
    let Ok((pathway, ids)) = resolved else {
        panic!("{resolved:?}");
    };
    assert_eq!(
        evaluate_ids(&bundle, pathway, &child(), &ids)
            .ok()
            .and_then(|p| bundle.outcome_disposition(p)),
        Some("ae-1h")
    );
}

#[test]
fn the_position_from_text_answers_agrees_with_the_rendered_step() {
    let bundle = bundle();
    let journeys: [(&str, Vec<Answer>); 4] = [
        ("fever", vec![]),
        ("fever", vec![no_signs(), number("temperature", 37.0)]),
        (
            "fever",
            vec![
                no_signs(),
                number("temperature", 37.0),
                choice("adult", "yes"),
            ],
        ),
        ("cough", vec![no_signs(), number("how-long", 5.0)]),
    ];
    for (pathway, answers) in journeys {
        let step = evaluate(&bundle, pathway, &adult(), &answers);
        let position = evaluate_position(&bundle, pathway, &adult(), &answers);
        match (&step, position.as_ref().ok().copied()) {
            (Ok(Step::Question(question)), Some(found @ Position::Question(_))) => {
                assert!(!question.id.is_empty());
                assert_eq!(bundle.outcome_disposition(found), None);
            }
            (Ok(Step::Outcome(shown)), Some(found @ Position::Outcome(_))) => {
                assert_eq!(
                    bundle.outcome_disposition(found),
                    Some(shown.disposition.id.as_str())
                );
            }
            _ => panic!("{pathway} {answers:?}: {step:?} but {position:?}"),
        }
    }
    // A refused answer is refused the same way.
    let answers = [no_signs(), number("temperature", 50.0)];
    assert_eq!(
        evaluate_position(&bundle, "fever", &adult(), &answers).err(),
        evaluate(&bundle, "fever", &adult(), &answers).err()
    );
    assert!(matches!(
        evaluate_position(&bundle, "fever", &adult(), &answers),
        Err(EvalError::NumberOutOfRange { .. })
    ));
}

#[test]
fn evaluation_is_deterministic_across_separately_compiled_bundles() {
    let first = bundle();
    let second = bundle();
    assert_eq!(first.hash(), second.hash());
    let answers = [
        choices("screen/signs", &["contact", "travel"]),
        number("temperature", 39.2),
    ];
    let a = evaluate(&first, "fever", &child(), &answers);
    let b = evaluate(&second, "fever", &child(), &answers);
    assert!(a.is_ok());
    assert_eq!(a, b);
    assert_eq!(a, evaluate(&first, "fever", &child(), &answers));
}

#[test]
fn answer_values_read_from_json_as_the_api_documents() {
    let answer: Answer =
        serde_json::from_str(r#"{"question": "screen/signs", "answer": ["rash", "stiff"]}"#)
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answer, choices("screen/signs", &["rash", "stiff"]));
    let answer: Answer = serde_json::from_str(r#"{"question": "temperature", "answer": 38.5}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answer.value, AnswerValue::Number(38.5));
}

/// A pathway whose single-choice and yes/no answers set and add to
/// variables, and whose branch reads the age in months.
const EFFECTS: &str = "\
pathway:
  id: effects
  title: Effects
  version: 1.0.0
  ages: { from: 0 }
  topics: [Fever]
  sexes: [female, male]
  keywords: [effects]
  sources:
    - { title: NHS, url: https://www.nhs.uk/ }
  start: pick
  variables: { flagged: bool }
  scores: [points]
nodes:
  pick:
    question:
      text: Pick one
      kind: single
      options:
        - { id: a, label: A, next: sure, set: { flagged: true } }
        - { id: b, label: B, next: sure }
        - { id: c, label: C, next: sure, add: { points: 2 } }
  sure:
    question:
      text: Are you sure?
      kind: yes_no
      yes: { next: decide, add: { points: 1 } }
      no: { next: decide }
  decide:
    branch:
      cases:
        - { when: 'var.flagged', next: gp }
        - { when: 'score.points >= 2', next: own-gp }
        - { when: 'age_months < 3', next: ae }
      otherwise: home
  gp:
    outcome: { disposition: gp-2h }
  own-gp:
    outcome: { disposition: own-gp }
  ae:
    outcome: { disposition: ae-1h }
  home:
    outcome: { disposition: self-care }
";

#[test]
fn only_the_chosen_answer_sets_or_adds_and_a_branch_reads_the_age_in_months() {
    let bundle = build_files(files(&[("pathways/effects.yaml", EFFECTS)])).0;
    let months = |m: u32| Patient {
        age_years: m / 12,
        age_months: m % 12,
        ..adult()
    };
    let cases = [
        (adult(), "a", "no", "gp-2h"),
        (adult(), "b", "no", "self-care"),
        (adult(), "b", "yes", "self-care"),
        (adult(), "c", "no", "own-gp"),
        (adult(), "c", "yes", "own-gp"),
        (months(2), "b", "no", "ae-1h"),
        (months(3), "b", "no", "self-care"),
        (months(14), "b", "no", "self-care"),
    ];
    for (patient, pick, sure, expected) in cases {
        let answers = [choice("pick", pick), choice("sure", sure)];
        let step = evaluate(&bundle, "effects", &patient, &answers);
        let reached = step
            .as_ref()
            .ok()
            .and_then(|s| s.outcome())
            .map(|o| o.disposition.id.as_str());
        assert_eq!(reached, Some(expected), "{patient:?} {pick} {sure}");
    }
}

#[test]
fn hand_made_ids_are_checked_against_each_kind_of_question() {
    let bundle = bundle();
    let answers = [
        no_signs(),
        number("temperature", 37.0),
        choice("drinking", "less"),
    ];
    let resolved = resolve_answers(&bundle, "fever", &child(), &answers);
    let Ok((pathway, ids)) = resolved else {
        panic!("{resolved:?}");
    };
    let run = |at: usize, chosen: Chosen| {
        let mut forged = ids.clone();
        forged[at].chosen = chosen;
        forged.truncate(at + 1);
        evaluate_ids(&bundle, pathway, &child(), &forged)
    };
    let taken = |result: &Result<Position, EvalError>| result.is_ok();
    let refused = |result: &Result<Position, EvalError>| {
        matches!(result, Err(EvalError::WrongAnswerKind { .. }))
    };
    // Multiple choice (screen/signs: five options, none, not sure).
    assert!(taken(&run(0, Chosen::Many(0b1000))));
    assert!(refused(&run(0, Chosen::Many(0))), "nothing chosen");
    assert!(refused(&run(0, Chosen::Many(1 << 7))), "beyond the options");
    assert!(
        refused(&run(0, Chosen::Many(1 << 63))),
        "far beyond the options"
    );
    assert!(
        refused(&run(0, Chosen::Many(0b110_0000))),
        "none with not sure"
    );
    assert!(
        refused(&run(0, Chosen::Many(0b010_0001))),
        "none with an option"
    );
    assert!(refused(&run(0, Chosen::One(0))));
    // A number (temperature: three bands, then "not sure").
    assert!(taken(&run(
        1,
        Chosen::Number {
            value: 38.5,
            band: 1
        }
    )));
    assert!(
        taken(&run(1, Chosen::One(3))),
        "not sure to a number question"
    );
    assert!(
        refused(&run(1, Chosen::One(0))),
        "a band chosen as if an option"
    );
    assert!(refused(&run(1, Chosen::One(4))));
    assert!(
        refused(&run(
            1,
            Chosen::Number {
                value: 38.5,
                band: 0
            }
        )),
        "the wrong band"
    );
    assert!(
        refused(&run(
            1,
            Chosen::Number {
                value: 99.0,
                band: 2
            }
        )),
        "out of range"
    );
    assert!(refused(&run(1, Chosen::Many(1))));
    // A single choice (drinking: three options, no "not sure").
    assert!(taken(&run(2, Chosen::One(2))));
    assert!(refused(&run(2, Chosen::One(3))), "beyond the options");
    assert!(refused(&run(
        2,
        Chosen::Number {
            value: 1.0,
            band: 0
        }
    )));
    assert!(refused(&run(2, Chosen::Many(1))));
}

#[test]
fn an_option_listed_twice_is_refused_wherever_it_is_in_the_list_of_options() {
    let bundle = bundle();
    for repeated in ["breathing", "travel", "contact", "none"] {
        let answers = [choices("screen/signs", &[repeated, repeated])];
        assert_eq!(
            evaluate(&bundle, "fever", &adult(), &answers),
            Err(EvalError::DuplicateOption {
                question: "screen/signs".into(),
                option: repeated.into()
            })
        );
    }
    let answers = [choices("screen/signs", &["travel", "contact", "travel"])];
    assert!(matches!(
        evaluate(&bundle, "fever", &adult(), &answers),
        Err(EvalError::DuplicateOption { .. })
    ));
}
