//! The branch expression language: parse, type-check, evaluate.
//!
//! Authors write conditions such as `age < 5 and answer.temperature >= 38` or
//! `answer.colour == pale or var.pregnant`. [`parse`] reads the text into a
//! [`SurfaceExpr`] with byte offsets, [`check`] resolves names against a
//! [`Scope`] and type-checks into an [`Expr`], and [`Expr::eval`] evaluates it
//! against [`Facts`] without allocating.

use crate::ir::{NodeIdx, VariableIdx, VariableKind};
use crate::model::{QuestionKindDoc, SexDoc};

/// A problem in an expression, at a byte offset into its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// What kind of problem: syntax, unknown name, or type.
    pub kind: ExprErrorKind,
    /// Byte offset into the expression text.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

/// The kind of an [`ExprError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExprErrorKind {
    /// The text cannot be read.
    Syntax,
    /// A name that does not exist.
    UnknownName,
    /// Types do not fit.
    Type,
}

/// What a [`Scope`] knows about a question named in an expression.
#[derive(Debug, Clone, Copy)]
pub struct QuestionInfo<'a> {
    /// The question's node.
    pub node: NodeIdx,
    /// Its kind.
    pub kind: QuestionKindDoc,
    /// Its answer ids in [`crate::ir::QuestionIr::answers`] order (`yes`, `no`, options,
    /// `none`, band ids, `not_sure`).
    pub answer_ids: &'a [String],
}

/// Resolves names while checking.
pub trait Scope {
    /// A question of the current pathway or module, by node id.
    fn question(&self, id: &str) -> Option<QuestionInfo<'_>>;
    /// A variable (`var.NAME`) or score (`score.NAME`) by name.
    fn variable(&self, name: &str) -> Option<(VariableIdx, VariableKind)>;
}

/// The latest answer to a question, as evaluation sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AnswerFact {
    /// `yes_no` or `single`: index of the chosen answer.
    Choice(u16),
    /// `multiple`: bit `i` set when answer `i` was chosen.
    Multiple(u64),
    /// `number`: the value.
    Number(f64),
}

/// What evaluation reads. Implemented by the evaluator over a session's state.
pub trait Facts {
    /// Age in years, with months as a fraction.
    fn age_years(&self) -> f64;
    /// Age in whole months.
    fn age_months(&self) -> f64;
    /// Sex.
    fn sex(&self) -> SexDoc;
    /// The latest answer to a question, if it has been asked.
    fn answer(&self, question: NodeIdx) -> Option<AnswerFact>;
    /// A variable or score (`Bool` as 0.0 / 1.0).
    fn variable(&self, variable: VariableIdx) -> f64;
}

/// A checked expression (placeholder until the parser lands).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A constant.
    Bool(bool),
}
