//! The benchmark baselines give the engine's answers: the chest-pain pathway
//! written by hand and as JSON Logic must reach the same step as the engine on
//! every case-pack journey and on every journey found by walking the pathway,
//! or the speed comparisons in BENCHMARKS.md would compare different work.

// Shared with the benches; each binary uses part of it.
#[allow(dead_code)]
#[path = "../benches/support/mod.rs"]
mod support;

use datalogic_rs::{Engine as LogicEngine, Logic};
use std::sync::OnceLock;
use support::chest_pain_by_hand::{self as by_hand, Refusal, MIRRORED_CONTENT_HASH};
use support::chest_pain_logic;
use support::journeys::{self, Journey, CHEST_PAIN};
use triage_core::compile::CompiledBundle;
use triage_core::eval::{self, Answer, AnswerValue, EvalError, Patient, Step};

/// Where a journey got to, in words all three implementations can give:
/// `ask:QUESTION`, a disposition id, `not-applicable` or `refused`.
type Verdict = String;

fn engine_verdict(bundle: &CompiledBundle, patient: &Patient, answers: &[Answer]) -> Verdict {
    match eval::evaluate(bundle, CHEST_PAIN, patient, answers).and_then(|e| e.render()) {
        Ok(Step::Question(question)) => format!("ask:{}", question.id),
        Ok(Step::Outcome(outcome)) => outcome.disposition.id,
        Err(EvalError::NotApplicable { .. }) => "not-applicable".to_string(),
        Err(_) => "refused".to_string(),
    }
}

/// The same through the pre-resolved path the benches time.
fn engine_ids_verdict(bundle: &CompiledBundle, patient: &Patient, answers: &[Answer]) -> Verdict {
    let resolved = eval::resolve_answers(bundle, CHEST_PAIN, patient, answers);
    let step = resolved.and_then(|(pathway, ids)| {
        eval::evaluate_ids(bundle, pathway, patient, &ids)?;
        eval::step_at(bundle, pathway, patient, &ids, eval::Language::En)
    });
    match step {
        Ok(Step::Question(question)) => format!("ask:{}", question.id),
        Ok(Step::Outcome(outcome)) => outcome.disposition.id,
        Err(EvalError::NotApplicable { .. }) => "not-applicable".to_string(),
        Err(_) => "refused".to_string(),
    }
}

fn by_hand_verdict(patient: &Patient, answers: &[Answer]) -> Verdict {
    match by_hand::triage_answers(patient, answers) {
        Ok(by_hand::Step::Ask(question)) => format!("ask:{}", question.id()),
        Ok(by_hand::Step::Outcome(disposition)) => disposition.id().to_string(),
        Err(Refusal::NotApplicable) => "not-applicable".to_string(),
        Err(_) => "refused".to_string(),
    }
}

/// The pre-parsed form must walk exactly like the parsed-as-it-goes form.
fn by_hand_pre_parsed_verdict(patient: &Patient, answers: &[Answer]) -> Verdict {
    let replies: Result<Vec<by_hand::Reply>, Refusal> =
        answers.iter().map(by_hand::Reply::parse).collect();
    match replies.and_then(|replies| by_hand::triage(patient, &replies)) {
        Ok(by_hand::Step::Ask(question)) => format!("ask:{}", question.id()),
        Ok(by_hand::Step::Outcome(disposition)) => disposition.id().to_string(),
        Err(Refusal::NotApplicable) => "not-applicable".to_string(),
        Err(_) => "refused".to_string(),
    }
}

struct JsonLogic {
    engine: LogicEngine,
    rule: Logic,
}

impl JsonLogic {
    fn new() -> JsonLogic {
        let engine = LogicEngine::new();
        let rule = engine
            .compile(chest_pain_logic::rule().as_str())
            .expect("the chest-pain JSON Logic rule compiles");
        JsonLogic { engine, rule }
    }

    fn verdict(&self, patient: &Patient, answers: &[Answer]) -> Verdict {
        let input = chest_pain_logic::input(patient, answers);
        let mut session = self.engine.session();
        let result = session
            .eval_borrowed(&self.rule, &input)
            .expect("the chest-pain JSON Logic rule evaluates");
        let text = result.as_str().unwrap_or("(not a string)");
        if text.starts_with("refused:") {
            "refused".to_string()
        } else {
            text.to_string()
        }
    }

    /// The same, from JSON text parsed ahead (the form the benches time).
    fn pre_parsed_verdict(&self, patient: &Patient, answers: &[Answer]) -> Verdict {
        let parsed =
            datalogic_rs::ParsedData::from_json(&chest_pain_logic::input_json(patient, answers))
                .expect("the JSON Logic input parses");
        let mut session = self.engine.session();
        let result = session
            .eval_borrowed(&self.rule, &parsed)
            .expect("the chest-pain JSON Logic rule evaluates");
        let text = result.as_str().unwrap_or("(not a string)");
        if text.starts_with("refused:") {
            "refused".to_string()
        } else {
            text.to_string()
        }
    }
}

/// The shipped chest-pain pathway (with the catalogues and modules) and its
/// cases, built once for all the tests here.
fn shipped() -> &'static (CompiledBundle, Vec<Journey>) {
    static SHIPPED: OnceLock<(CompiledBundle, Vec<Journey>)> = OnceLock::new();
    SHIPPED.get_or_init(|| {
        let built = journeys::build_shipped_pathway(CHEST_PAIN).unwrap_or_else(|e| panic!("{e}"));
        let cases = journeys::case_pack_journeys(&built);
        let bundle = built.bundle.expect("a bundle without errors is compiled");
        (bundle, cases)
    })
}

/// Checks every implementation gives the engine's verdict after `answers`.
fn assert_all_agree(
    bundle: &CompiledBundle,
    logic: &JsonLogic,
    name: &str,
    patient: &Patient,
    answers: &[Answer],
) -> Verdict {
    let engine = engine_verdict(bundle, patient, answers);
    let others = [
        (
            "engine, pre-resolved ids",
            engine_ids_verdict(bundle, patient, answers),
        ),
        ("hand-written tree", by_hand_verdict(patient, answers)),
        (
            "hand-written tree, pre-parsed",
            by_hand_pre_parsed_verdict(patient, answers),
        ),
        ("JSON Logic", logic.verdict(patient, answers)),
        (
            "JSON Logic, pre-parsed",
            logic.pre_parsed_verdict(patient, answers),
        ),
    ];
    for (who, verdict) in others {
        assert_eq!(
            verdict, engine,
            "{who} disagrees with the engine on {name:?} for {patient:?} after {answers:?}"
        );
    }
    engine
}

#[test]
fn baselines_mirror_the_shipped_chest_pain_pathway() {
    let hash = journeys::mirrored_content_hash().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        hash, MIRRORED_CONTENT_HASH,
        "pathways/pathways/chest-pain.yaml or pathways/modules/emergency-screen.yaml has \
         changed (content hash {hash:#018x}). Update the hand-written tree in \
         benches/support/chest_pain_by_hand.rs and the JSON Logic rule in \
         benches/support/chest_pain_logic.rs to match the pathway, then set \
         MIRRORED_CONTENT_HASH to {hash:#018x}."
    );
}

#[test]
fn the_timed_journey_is_a_longest_chest_pain_case() {
    let (_, cases) = shipped();
    let timed = cases
        .iter()
        .find(|j| j.name == journeys::TIMED_JOURNEY && j.pathway == CHEST_PAIN)
        .unwrap_or_else(|| {
            panic!(
                "the chest-pain case pack has no case {:?}; set TIMED_JOURNEY in \
                 benches/support/journeys.rs to one of its longest cases",
                journeys::TIMED_JOURNEY
            )
        });
    let longest = journeys::longest(cases, CHEST_PAIN).map_or(0, |j| j.answers.len());
    assert_eq!(
        timed.answers.len(),
        longest,
        "the timed journey should be one of the longest chest-pain cases"
    );
}

#[test]
fn every_chest_pain_case_gets_the_same_step_from_all_three() {
    let (bundle, cases) = shipped();
    let logic = JsonLogic::new();
    let chest_pain: Vec<&Journey> = cases.iter().filter(|j| j.pathway == CHEST_PAIN).collect();
    assert!(
        chest_pain.len() >= 10,
        "expected the chest-pain case pack, found {} cases",
        chest_pain.len()
    );
    for case in chest_pain {
        for given in 0..=case.answers.len() {
            let answers = case.answers.get(..given).unwrap_or_default();
            assert_all_agree(bundle, &logic, &case.name, &case.patient, answers);
        }
        let verdict = engine_verdict(bundle, &case.patient, &case.answers);
        assert!(
            !verdict.starts_with("ask:") && verdict != "refused",
            "case {:?} does not end at a disposition: {verdict}",
            case.name
        );
    }
}

#[test]
fn every_walk_through_chest_pain_gets_the_same_step_from_all_three() {
    let (bundle, _) = shipped();
    let logic = JsonLogic::new();
    let [youngest, adult, adult_with_months, too_young] = journeys::chest_pain_patients();
    let walks = journeys::walk_all(bundle, CHEST_PAIN, &adult)
        .unwrap_or_else(|e| panic!("walking chest-pain failed: {e}"));
    // Every set of options of three multiple-choice questions: hundreds of walks.
    assert!(
        walks.len() > 300,
        "expected hundreds of walks through chest-pain, found {}",
        walks.len()
    );
    let mut reached: Vec<Verdict> = Vec::new();
    for walk in &walks {
        // Every step of the way for one person; the end for the others.
        for given in 0..walk.answers.len() {
            let answers = walk.answers.get(..given).unwrap_or_default();
            assert_all_agree(bundle, &logic, &walk.name, &adult, answers);
        }
        for patient in [&youngest, &adult, &adult_with_months] {
            let verdict = assert_all_agree(bundle, &logic, &walk.name, patient, &walk.answers);
            if !reached.contains(&verdict) {
                reached.push(verdict);
            }
        }
        let refused = assert_all_agree(bundle, &logic, &walk.name, &too_young, &walk.answers);
        assert_eq!(refused, "not-applicable");
    }
    let pathway = bundle
        .pathway_index(CHEST_PAIN)
        .and_then(|p| bundle.pathway_info(p))
        .expect("the shipped bundle has the chest-pain pathway");
    let mut reachable: Vec<String> = pathway.dispositions.iter().map(|d| d.to_string()).collect();
    reachable.sort();
    reached.sort();
    assert_eq!(
        reached, reachable,
        "the walks should reach every disposition the pathway can reach"
    );
}

#[test]
fn answers_the_engine_refuses_are_refused_by_hand_too() {
    let (bundle, _) = shipped();
    let logic = JsonLogic::new();
    let [_, adult, _, _] = journeys::chest_pain_patients();
    let answer =
        |question: &str, value: &str| Answer::new(question, AnswerValue::Choice(value.to_string()));
    let none = answer("emergency-screen/signs", "none");
    let not_offered = [
        vec![answer("emergency-screen/signs", "sneezing")],
        vec![none.clone(), answer("pain-now", "yesterday")],
    ];
    for answers in &not_offered {
        assert_all_agree(bundle, &logic, "an answer not offered", &adult, answers);
        assert_eq!(engine_verdict(bundle, &adult, answers), "refused");
    }
    // Order and exclusive answers are checked by the engine and the tree; the
    // JSON Logic rule reads answers as a set, as JSON Logic rules do.
    let checked_by_engine_and_tree = [
        vec![Answer::new(
            "emergency-screen/signs",
            AnswerValue::Choices(vec!["none".to_string(), "choking".to_string()]),
        )],
        vec![answer("pain-now", "now")],
        vec![
            answer("emergency-screen/signs", "not_sure"),
            answer("pain-now", "now"),
        ],
    ];
    for answers in &checked_by_engine_and_tree {
        assert_eq!(engine_verdict(bundle, &adult, answers), "refused");
        assert_eq!(by_hand_verdict(&adult, answers), "refused");
    }
}
