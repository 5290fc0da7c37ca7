use crate::fixture::*;
use proptest::prelude::*;
use std::sync::OnceLock;
use triage_core::compile::CompiledBundle;
use triage_core::eval::{Answer, AnswerValue, Patient, Sex};
use triage_core::session::Session;

fn shared() -> &'static CompiledBundle {
    static BUNDLE: OnceLock<CompiledBundle> = OnceLock::new();
    BUNDLE.get_or_init(bundle)
}

const QUESTIONS: &[&str] = &[
    "screen/signs",
    "temperature",
    "adult",
    "drinking",
    "cough/how-long",
    "how-long",
    "signs",
    "fever/adult",
    "screen/",
    "/",
    "",
];

const WORDS: &[&str] = &[
    "yes",
    "no",
    "none",
    "not_sure",
    "rash",
    "stiff",
    "travel",
    "contact",
    "breathing",
    "normal",
    "less",
    "not-at-all",
    "37",
    "nope",
    "",
];

fn value() -> impl Strategy<Value = AnswerValue> {
    prop_oneof![
        prop_oneof![
            any::<f64>(),
            -10.0..60.0f64,
            Just(f64::NAN),
            Just(38.0),
            Just(45.0)
        ]
        .prop_map(AnswerValue::Number),
        prop::sample::select(WORDS).prop_map(|w| AnswerValue::Choice(w.to_string())),
        ".{0,12}".prop_map(AnswerValue::Choice),
        prop::collection::vec(prop::sample::select(WORDS), 0..4)
            .prop_map(|ws| { AnswerValue::Choices(ws.into_iter().map(str::to_string).collect()) }),
    ]
}

fn answer() -> impl Strategy<Value = Answer> {
    (prop::sample::select(QUESTIONS), value()).prop_map(|(q, v)| Answer::new(q, v))
}

fn patient() -> impl Strategy<Value = Patient> {
    (0u32..100, 0u32..14, prop::bool::ANY).prop_map(|(age_years, age_months, female)| Patient {
        age_years,
        age_months,
        sex: if female { Sex::Female } else { Sex::Male },
        answering: Default::default(),
    })
}

/// An action on a session: answer, or go back.
#[derive(Debug, Clone)]
enum Action {
    Answer(Answer),
    Back,
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![4 => answer().prop_map(Action::Answer), 1 => Just(Action::Back)]
}

proptest! {
    #[test]
    fn random_answers_never_panic_and_refusals_change_nothing(
        pathway in prop::sample::select(&["fever", "cough", "period-pain", "nope"][..]),
        patient in patient(),
        actions in prop::collection::vec(action(), 0..12),
    ) {
        let bundle = shared();
        let Ok(mut session) = Session::start(bundle, pathway, patient) else {
            return Ok(());
        };
        for action in actions {
            let before = session.clone();
            let result = match action {
                Action::Answer(a) => session.answer(bundle, a).map(|_| ()),
                Action::Back => session.back(bundle).map(|_| ()),
            };
            if result.is_err() {
                prop_assert_eq!(&session, &before);
            }
            // The session always agrees with a stateless evaluation of its answers.
            let again = evaluate(bundle, pathway, &patient, session.answers());
            prop_assert_eq!(again, Ok(session.shown(bundle)));
        }
        let resumed = Session::from_json(bundle, &session.to_json());
        prop_assert_eq!(resumed.as_ref(), Ok(&session));
        let record = session.audit(bundle);
        prop_assert_eq!(triage_core::session::replay(bundle, &record), Ok(record));
    }

    #[test]
    fn stateless_evaluation_never_panics(
        pathway in prop::sample::select(&["fever", "cough", "period-pain", ""][..]),
        patient in patient(),
        answers in prop::collection::vec(answer(), 0..8),
    ) {
        let _ = evaluate(shared(), pathway, &patient, &answers);
    }

    #[test]
    fn resuming_any_text_never_panics(json in ".{0,200}") {
        let _ = Session::from_json(shared(), &json);
    }
}
