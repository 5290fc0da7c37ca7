//! Evaluation: walk a [`crate::compile::CompiledBundle`] from a pathway's start with a person's
//! answers to the next question or the outcome.
//!
//! [`evaluate`] is the stateless call; [`crate::session::Session`] keeps the
//! answers between calls. Both touch only the compiled form. The walk itself
//! works on integer ids and reads one small record per compiled node: an
//! incoming answer is matched against the current question only, earlier
//! answers are found by scanning the journey backwards (journeys are short),
//! and only the variables an answer sets are kept, so nothing is sized by the
//! bundle. [`evaluate_ids`] allocates nothing; texts are copied into views
//! only for the step returned.

mod view;
mod walk;
#[cfg(test)]
mod walk_tests;
mod write;
#[cfg(all(test, feature = "authoring"))]
mod write_tests;

pub use view::*;
#[cfg(feature = "authoring")]
pub(crate) use walk::number_band;
pub use walk::{
    evaluate, evaluate_ids, evaluate_position, evaluate_request, resolve_answer, resolve_answers,
    step_at, AnswerIds, Chosen, Evaluation,
};
pub(crate) use walk::{walk_strings, Walk, WalkState};

pub use crate::compile::Position;
use crate::model::QuestionKindDoc;
use crate::vocab::ImplausiblePatient;
pub use crate::vocab::{
    Answer, AnswerValue, Answering, Language, Patient, Reader, Request, Sex, Start,
};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// Why a lookup the compiler guarantees failed. Kept out of line so the hot
/// path only tests and branches.
#[cold]
#[inline(never)]
pub(crate) fn broken() -> EvalError {
    EvalError::BrokenBundle
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Why an answer, a session or a journey was refused. A refused answer
/// changes nothing.
///
/// As JSON: `{"code": "option_not_offered", "message": "...", ...fields}`; the
/// `code` is stable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// No pathway has this id.
    #[error("there is no pathway called {pathway:?}")]
    UnknownPathway {
        /// The id asked for.
        pathway: String,
    },
    /// The pathway is in the catalog, but its questions are not loaded: load
    /// its part first.
    #[error("the questions of pathway {pathway:?} are not loaded (this is the catalog of a split bundle); load its part, {}, first", crate::compile::part_file_name(pathway))]
    PathwayNotLoaded {
        /// The pathway.
        pathway: String,
    },
    /// The person is not one the engine can triage (13 months, 200 years).
    #[error("{0}")]
    ImplausiblePatient(ImplausiblePatient),
    /// The pathway does not serve this topic.
    #[error("pathway {pathway:?} does not serve the topic {topic:?}")]
    UnknownTopic {
        /// The pathway.
        pathway: String,
        /// The topic asked for.
        topic: String,
    },
    /// The person's age or sex is outside the pathway's.
    #[error("pathway {pathway:?} is not for this person's age or sex")]
    NotApplicable {
        /// The pathway.
        pathway: String,
    },
    /// The answer is to a question other than the one being asked.
    #[error("the question being asked is {expected:?}, but the answer is to {got:?}")]
    WrongQuestion {
        /// The current question.
        expected: String,
        /// The question named.
        got: String,
    },
    /// The answer is not one the question offers.
    #[error("{option:?} is not an answer to {question:?}; it offers: {}", offered.join(", "))]
    OptionNotOffered {
        /// The question.
        question: String,
        /// The answer given.
        option: String,
        /// The answers it offers.
        offered: Vec<String>,
    },
    /// A number outside the question's range (or not a finite number).
    #[error("{value} is outside the range of {question:?} ({min} to {max})")]
    NumberOutOfRange {
        /// The question.
        question: String,
        /// The number given.
        value: f64,
        /// Lowest accepted.
        min: f64,
        /// Highest accepted.
        max: f64,
    },
    /// The answer is of the wrong kind (a number for a yes/no question, a list for a single choice, ...).
    #[error("{question:?} takes a {} answer", kind_name(*expected))]
    WrongAnswerKind {
        /// The question.
        question: String,
        /// The kind it takes.
        expected: QuestionKindDoc,
    },
    /// `none` or `not_sure` was chosen together with other options.
    #[error("{option:?} cannot be chosen together with other answers to {question:?}")]
    ExclusiveOption {
        /// The question.
        question: String,
        /// `none` or `not_sure`.
        option: String,
    },
    /// A multiple-choice answer lists an option more than once.
    #[error("{option:?} is listed more than once in the answer to {question:?}")]
    DuplicateOption {
        /// The question.
        question: String,
        /// The option repeated.
        option: String,
    },
    /// A multiple-choice answer chose nothing (send `none` instead).
    #[error("no answer chosen for {question:?}; choose `none` if none apply")]
    NothingChosen {
        /// The question.
        question: String,
    },
    /// The journey has already ended.
    #[error("the journey has ended; no more answers are taken")]
    AnswerAfterOutcome,
    /// `back` with no answer to take back.
    #[error("there is no answer to go back from")]
    NothingToGoBack,
    /// The session or record was made with a different bundle.
    #[error("made with bundle {got}, but this bundle is {expected}")]
    BundleMismatch {
        /// This bundle's hash.
        expected: String,
        /// The hash in the session or record.
        got: String,
    },
    /// A replayed audit record differs from what the bundle now gives.
    #[error("replaying the record gives a different {field}")]
    ReplayMismatch {
        /// What differs: `steps`, `disposition`, `reasons`, ...
        field: String,
    },
    /// A saved session cannot be read.
    #[error("the session cannot be read: {0}")]
    BadSession(String),
    /// A saved session names a step its answers do not lead to: it was
    /// edited after it was saved.
    #[error("the saved session says its journey is at {claimed}, but its answers lead to {rebuilt}; it was changed after it was saved")]
    StepMismatch {
        /// The step the session claimed, e.g. `outcome self-care`.
        claimed: String,
        /// Where its answers really lead, e.g. `outcome call-999`.
        rebuilt: String,
    },
    /// The compiled bundle contradicts itself. Never happens with a bundle from [`crate::compile`].
    #[error("the compiled bundle is inconsistent")]
    BrokenBundle,
}

fn kind_name(kind: QuestionKindDoc) -> &'static str {
    match kind {
        QuestionKindDoc::YesNo => "yes_no",
        QuestionKindDoc::Single => "single",
        QuestionKindDoc::Multiple => "multiple",
        QuestionKindDoc::Number => "number",
    }
}

impl EvalError {
    /// The stable tag, e.g. `unknown_pathway`.
    pub fn code(&self) -> &'static str {
        match self {
            EvalError::UnknownPathway { .. } => "unknown_pathway",
            EvalError::PathwayNotLoaded { .. } => "pathway_not_loaded",
            EvalError::ImplausiblePatient(_) => "implausible_patient",
            EvalError::UnknownTopic { .. } => "unknown_topic",
            EvalError::NotApplicable { .. } => "not_applicable",
            EvalError::WrongQuestion { .. } => "wrong_question",
            EvalError::OptionNotOffered { .. } => "option_not_offered",
            EvalError::NumberOutOfRange { .. } => "number_out_of_range",
            EvalError::WrongAnswerKind { .. } => "wrong_answer_kind",
            EvalError::ExclusiveOption { .. } => "exclusive_option",
            EvalError::DuplicateOption { .. } => "duplicate_option",
            EvalError::NothingChosen { .. } => "nothing_chosen",
            EvalError::AnswerAfterOutcome => "answer_after_outcome",
            EvalError::NothingToGoBack => "nothing_to_go_back",
            EvalError::BundleMismatch { .. } => "bundle_mismatch",
            EvalError::ReplayMismatch { .. } => "replay_mismatch",
            EvalError::BadSession(_) => "bad_session",
            EvalError::StepMismatch { .. } => "step_mismatch",
            EvalError::BrokenBundle => "broken_bundle",
        }
    }
}

impl Serialize for EvalError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("code", self.code())?;
        map.serialize_entry("message", &self.to_string())?;
        match self {
            EvalError::UnknownPathway { pathway }
            | EvalError::PathwayNotLoaded { pathway }
            | EvalError::NotApplicable { pathway } => {
                map.serialize_entry("pathway", pathway)?;
            }
            EvalError::WrongQuestion { expected, got }
            | EvalError::BundleMismatch { expected, got } => {
                map.serialize_entry("expected", expected)?;
                map.serialize_entry("got", got)?;
            }
            EvalError::OptionNotOffered {
                question,
                option,
                offered,
            } => {
                map.serialize_entry("question", question)?;
                map.serialize_entry("option", option)?;
                map.serialize_entry("offered", offered)?;
            }
            EvalError::NumberOutOfRange {
                question,
                value,
                min,
                max,
            } => {
                map.serialize_entry("question", question)?;
                map.serialize_entry("value", value)?;
                map.serialize_entry("min", min)?;
                map.serialize_entry("max", max)?;
            }
            EvalError::WrongAnswerKind { question, expected } => {
                map.serialize_entry("question", question)?;
                map.serialize_entry("expected", expected)?;
            }
            EvalError::ExclusiveOption { question, option }
            | EvalError::DuplicateOption { question, option } => {
                map.serialize_entry("question", question)?;
                map.serialize_entry("option", option)?;
            }
            EvalError::NothingChosen { question } => {
                map.serialize_entry("question", question)?;
            }
            EvalError::StepMismatch { claimed, rebuilt } => {
                map.serialize_entry("claimed", claimed)?;
                map.serialize_entry("rebuilt", rebuilt)?;
            }
            EvalError::UnknownTopic { pathway, topic } => {
                map.serialize_entry("pathway", pathway)?;
                map.serialize_entry("topic", topic)?;
            }
            EvalError::ImplausiblePatient(problem) => {
                map.serialize_entry("field", problem.field())?;
            }
            EvalError::ReplayMismatch { field } => {
                map.serialize_entry("field", field)?;
            }
            EvalError::AnswerAfterOutcome
            | EvalError::NothingToGoBack
            | EvalError::BadSession(_)
            | EvalError::BrokenBundle => {}
        }
        map.end()
    }
}
