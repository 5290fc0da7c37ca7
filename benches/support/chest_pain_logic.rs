//! The chest-pain pathway, with the emergency screen it calls, as one JSON
//! Logic rule for datalogic-rs: what the same decision costs in a general
//! rules engine.
//!
//! The rule reads `{"age": years, "sex": ..., "answers": {question id: answer}}`
//! and gives the disposition id, `ask:QUESTION` when the next question has no
//! answer yet, `not-applicable`, or `refused:QUESTION` for an answer the
//! question does not offer. Multiple-choice answers are arrays. Like most JSON
//! Logic rules it does not check that answers came in the order asked; the
//! engine and the hand-written tree do. It mirrors the same files as
//! `chest_pain_by_hand.rs` and is checked by `tests/baselines.rs`.

use datalogic_rs::datavalue::OwnedDataValue;
use serde_json::{json, Value};
use triage_core::eval::{Answer, AnswerValue, Patient, Sex};

/// The multiple-choice questions: their answers are always arrays in the input.
const MULTIPLE_CHOICE: [&str; 3] = ["emergency-screen/signs", "heart-signs", "clot-signs"];

fn var(question: &str) -> Value {
    json!({ "var": format!("answers.{question}") })
}

fn unanswered(question: &str) -> Value {
    json!({ "===": [var(question), null] })
}

fn ask(question: &str) -> Value {
    json!(format!("ask:{question}"))
}

fn refused(question: &str) -> Value {
    json!(format!("refused:{question}"))
}

fn is(question: &str, answer: &str) -> Value {
    json!({ "===": [var(question), answer] })
}

fn either(question: &str, answers: &[&str]) -> Value {
    json!({ "in": [var(question), answers] })
}

fn has(question: &str, option: &str) -> Value {
    json!({ "in": [option, var(question)] })
}

fn has_any(question: &str, options: &[&str]) -> Value {
    let tests: Vec<Value> = options.iter().map(|o| has(question, o)).collect();
    json!({ "or": tests })
}

/// The rule, as JSON text.
pub fn rule() -> String {
    let signs = "emergency-screen/signs";
    let heart_timing = json!({ "if": [
        either("pain-now", &["now", "within-12-hours"]), "call-999-cat2",
        is("pain-now", "within-3-days"), "emergency-department-4h",
        "clinician-call-back-24h"
    ]});
    let unexplained = json!({ "if": [
        is("pain-now", "now"), "clinician-call-back-2h",
        "own-gp-3-days"
    ]});
    let clot_signs = json!({ "if": [
        unanswered("clot-signs"), ask("clot-signs"),
        has_any("clot-signs", &["coughing-blood", "swollen-leg", "clot-risk"]), "emergency-department-1h",
        has("clot-signs", "infection"), "clinician-call-back-2h",
        has("clot-signs", "none"), "clinician-call-back-6h",
        has("clot-signs", "not_sure"), "clinician-call-back-1h",
        refused("clot-signs")
    ]});
    let after_screen = json!({ "if": [
        unanswered("pain-now"), ask("pain-now"),
        is("pain-now", "not_sure"), "clinician-call-back-1h",
        { "!": either("pain-now", &["now", "within-12-hours", "within-3-days", "over-3-days"]) },
            refused("pain-now"),
        unanswered("heart-signs"), ask("heart-signs"),
        has_any("heart-signs", &["heavy", "spreading", "sweating-sick", "breathless", "not_sure"]),
            heart_timing,
        { "!": has("heart-signs", "none") }, refused("heart-signs"),
        unanswered("injury"), ask("injury"),
        either("injury", &["yes", "not_sure"]), "urgent-treatment-centre-4h",
        { "!": is("injury", "no") }, refused("injury"),
        unanswered("breathing-pain"), ask("breathing-pain"),
        either("breathing-pain", &["yes", "not_sure"]), clot_signs,
        { "!": is("breathing-pain", "no") }, refused("breathing-pain"),
        unanswered("heartburn"), ask("heartburn"),
        is("heartburn", "yes"), "pharmacist-12h",
        is("heartburn", "not_sure"), unexplained.clone(),
        { "!": is("heartburn", "no") }, refused("heartburn"),
        unanswered("muscle"), ask("muscle"),
        is("muscle", "yes"), "self-care",
        either("muscle", &["no", "not_sure"]), unexplained,
        refused("muscle")
    ]});
    // Under 16 the pathway does not apply (so the emergency screen's
    // children's and babies' questions are never reached from it).
    json!({ "if": [
        { "<": [{ "var": "age" }, 16] }, "not-applicable",
        unanswered(signs), ask(signs),
        has_any(
            signs,
            &["not-breathing", "choking", "unresponsive", "allergic-reaction", "blue"]
        ),
            "call-999-cat1",
        has_any(signs, &["bleeding", "stroke", "fitting", "not_sure"]), "call-999-cat2",
        has(signs, "none"), after_screen,
        refused(signs)
    ]})
    .to_string()
}

fn sex(patient: &Patient) -> &'static str {
    match patient.sex {
        Sex::Female => "female",
        Sex::Male => "male",
    }
}

/// The rule's input as a value, built from the answers: per-journey work a
/// service taking answers as text would do.
pub fn input(patient: &Patient, answers: &[Answer]) -> OwnedDataValue {
    let answers = answers
        .iter()
        .map(|answer| {
            let multiple = MULTIPLE_CHOICE.contains(&answer.question.as_str());
            let value = match &answer.value {
                AnswerValue::Number(n) => OwnedDataValue::from(*n),
                AnswerValue::Choice(id) if multiple => {
                    OwnedDataValue::Array(vec![OwnedDataValue::from(id.as_str())])
                }
                AnswerValue::Choice(id) => OwnedDataValue::from(id.as_str()),
                AnswerValue::Choices(ids) => OwnedDataValue::Array(
                    ids.iter()
                        .map(|id| OwnedDataValue::from(id.as_str()))
                        .collect(),
                ),
            };
            (answer.question.clone(), value)
        })
        .collect();
    OwnedDataValue::Object(vec![
        (
            "age".to_string(),
            OwnedDataValue::from(patient.age_in_years()),
        ),
        ("sex".to_string(), OwnedDataValue::from(sex(patient))),
        ("answers".to_string(), OwnedDataValue::Object(answers)),
    ])
}

/// The rule's input as JSON text, to parse once ahead of time.
pub fn input_json(patient: &Patient, answers: &[Answer]) -> String {
    input(patient, answers).to_string()
}
