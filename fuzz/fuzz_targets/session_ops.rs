//! Random operations on a session over the shipped bundle: answers drawn
//! from what each question offers, wild answers (any question id, any
//! value), back, a change of language, and saving and resuming.
//!
//! Checked after every operation: a refused operation changes nothing; the
//! session saved as JSON (plain and sealed) resumes equal to itself; its
//! audit record replays to itself (sealed, too); and the stateless call
//! with the same start and answers gives the same step.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use triage_core::compile::CompiledBundle;
use triage_core::eval::{
    evaluate_request, Answer, AnswerValue, Answering, Language, Patient, Request, Sex, Step,
};
use triage_core::model::QuestionKindDoc;
use triage_core::seal::{replay_sealed, SealKey};
use triage_core::session::{replay, Session};
use triage_core::vocab::Start;

fn bundle() -> &'static CompiledBundle {
    static BUNDLE: OnceLock<CompiledBundle> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pathways");
        triage_core::open(&dir).expect("the shipped bundle builds")
    })
}

fn key() -> &'static SealKey {
    static KEY: OnceLock<SealKey> = OnceLock::new();
    KEY.get_or_init(|| SealKey::new("fuzz", &[0x5e; 32]).expect("a good key"))
}

#[derive(Arbitrary, Debug)]
struct Journey {
    pathway: u16,
    /// Start at one of the pathway's topics rather than its own start.
    topic: Option<u8>,
    age_years: u8,
    age_months: u8,
    male: bool,
    someone_else: bool,
    welsh: bool,
    ops: Vec<Op>,
}

#[derive(Arbitrary, Debug)]
enum Op {
    /// An answer the current question offers (choices picked by the bits).
    Offered {
        pick: u32,
        number: NumberPick,
    },
    /// Anything at all, to any question.
    Wild {
        question: Option<String>,
        value: WildValue,
    },
    Back,
    Language(bool),
    SaveAndResume,
}

#[derive(Arbitrary, Debug)]
enum NumberPick {
    Low,
    High,
    Middle,
    Any(f64),
}

#[derive(Arbitrary, Debug)]
enum WildValue {
    Number(f64),
    Choice(String),
    Choices(Vec<String>),
    /// An option the question offers, listed twice.
    Repeated,
}

/// An answer to `question` that it offers, chosen by `pick` and `number`.
fn offered(question: &triage_core::eval::QuestionView, pick: u32, number: &NumberPick) -> Answer {
    let options: Vec<&str> = question.options.iter().map(|o| o.id.as_str()).collect();
    let value = match question.kind {
        QuestionKindDoc::Number => {
            let (low, high) = question.range.unwrap_or((0.0, 0.0));
            AnswerValue::Number(match number {
                NumberPick::Low => low,
                NumberPick::High => high,
                NumberPick::Middle => (low + high) / 2.0,
                NumberPick::Any(x) => *x,
            })
        }
        QuestionKindDoc::Multiple => AnswerValue::Choices(
            options
                .iter()
                .enumerate()
                .filter(|(i, _)| pick & (1 << (i % 32)) != 0)
                .map(|(_, o)| o.to_string())
                .collect(),
        ),
        QuestionKindDoc::YesNo | QuestionKindDoc::Single => {
            let index = usize::try_from(pick).unwrap_or(0) % options.len().max(1);
            AnswerValue::Choice(options.get(index).map_or("", |o| o).to_string())
        }
    };
    Answer::new(question.id.clone(), value)
}

fn wild(step: &Step, question: &Option<String>, value: &WildValue) -> Answer {
    let current = step.question();
    let id = question
        .clone()
        .or_else(|| current.map(|q| q.id.clone()))
        .unwrap_or_default();
    let value = match value {
        WildValue::Number(x) => AnswerValue::Number(*x),
        WildValue::Choice(c) => AnswerValue::Choice(c.clone()),
        WildValue::Choices(c) => AnswerValue::Choices(c.clone()),
        WildValue::Repeated => {
            let first = current
                .and_then(|q| q.options.first())
                .map_or_else(|| "none".to_string(), |o| o.id.clone());
            AnswerValue::Choices(vec![first.clone(), first])
        }
    };
    Answer::new(id, value)
}

/// Every check that holds of a session at rest.
fn check(bundle: &CompiledBundle, session: &Session, start: &Start) {
    let step = session.step(bundle).expect("the session's own bundle");
    let written = serde_json::to_string(&step).expect("a step serialises");
    let rendered = step.render().expect("a step renders");
    assert_eq!(
        written,
        serde_json::to_string(&rendered).expect("a step serialises")
    );

    // Saved and resumed, plain and sealed: the same session.
    let resumed = Session::from_json(bundle, &session.to_json()).expect("a saved session resumes");
    assert_eq!(&resumed, session);
    let sealed = session.to_sealed_json(key());
    let resumed = Session::from_sealed_json(bundle, &sealed, std::slice::from_ref(key()))
        .expect("a sealed session resumes");
    assert_eq!(&resumed, session);

    // The audit record replays to itself, plain and sealed.
    let mut record = session.audit(bundle);
    assert_eq!(replay(bundle, &record).as_ref(), Ok(&record));
    record.seal_with(key());
    assert_eq!(
        replay_sealed(bundle, &record, std::slice::from_ref(key())).as_ref(),
        Ok(&record)
    );

    // The stateless call agrees.
    let request = Request {
        pathway: start.pathway.clone(),
        topic: start.topic.clone(),
        patient: start.patient,
        language: session.language(),
        answers: session.answers().to_vec(),
    };
    assert_eq!(
        evaluate_request(bundle, &request).and_then(|e| e.render()),
        Ok(rendered)
    );
}

fuzz_target!(|journey: Journey| {
    let bundle = bundle();
    let pathways: Vec<_> = bundle.pathways().collect();
    let Some(pathway) = pathways.get(usize::from(journey.pathway) % pathways.len().max(1)) else {
        return;
    };
    let sex = if journey.male { Sex::Male } else { Sex::Female };
    let mut patient = Patient::new(
        u32::from(journey.age_years),
        u32::from(journey.age_months % 12),
        sex,
    );
    if journey.someone_else {
        patient = patient.answered_by(Answering::SomeoneElse);
    }
    let language = if journey.welsh {
        Language::Cy
    } else {
        Language::En
    };
    let mut start = Start::new(pathway.id, patient).in_language(language);
    if let Some(topic) = journey.topic {
        if let Some(topic) = pathway
            .topics
            .get(usize::from(topic) % pathway.topics.len().max(1))
        {
            start = start.at_topic(topic.id);
        }
    }
    let mut session = match Session::begin(bundle, start.clone()) {
        Ok(session) => session,
        Err(refused) => {
            serde_json::to_string(&refused).expect("a refusal serialises");
            return;
        }
    };
    check(bundle, &session, &start);
    for op in journey.ops.iter().take(64) {
        let before = session.clone();
        let shown = session
            .step(bundle)
            .and_then(|view| view.render())
            .expect("the step renders");
        let result = match op {
            Op::Offered { pick, number } => match shown.question() {
                Some(question) => {
                    let answer = offered(question, *pick, number);
                    session.answer(bundle, answer).map(|_| ())
                }
                None => continue,
            },
            Op::Wild { question, value } => {
                let answer = wild(&shown, question, value);
                session.answer(bundle, answer).map(|_| ())
            }
            Op::Back => session.back(bundle).map(|_| ()),
            Op::Language(welsh) => {
                let language = if *welsh { Language::Cy } else { Language::En };
                session.set_language(bundle, language).map(|_| ())
            }
            Op::SaveAndResume => {
                session = Session::from_json(bundle, &session.to_json()).expect("resumes");
                Ok(())
            }
        };
        if let Err(refused) = result {
            serde_json::to_string(&refused).expect("a refusal serialises");
            assert_eq!(session, before, "a refused operation changed the session");
        }
        check(bundle, &session, &start);
    }
});
