//! Evaluation: walk a [`CompiledBundle`] from a pathway's start with a person's
//! answers to the next question or the outcome.
//!
//! [`evaluate`] is the stateless call; [`crate::session::Session`] keeps the
//! answers between calls. Both touch only the compiled form.



use serde::{Deserialize, Serialize};

/// A person's sex.
pub use crate::model::SexDoc as Sex;

/// The person being triaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patient {
    /// Whole years.
    pub age_years: u32,
    /// Extra months (0 to 11), for babies and toddlers.
    #[serde(default)]
    pub age_months: u32,
    /// Sex.
    pub sex: Sex,
}

/// An answer's value: an answer id (`yes`, `no`, an option id, `none`, `not_sure`),
/// several option ids (multiple choice), or a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AnswerValue {
    /// A number.
    Number(f64),
    /// One answer id.
    Choice(String),
    /// Several option ids.
    Choices(Vec<String>),
}

/// One answer: which question, and what was answered.
///
/// As JSON: `{"question": "crushing-pain", "answer": "yes"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// Public question id: `node` for the started pathway's own nodes, `unit/node` otherwise.
    pub question: String,
    /// The answer.
    #[serde(rename = "answer")]
    pub value: AnswerValue,
}
