//! How the compiled types that also have an authored (YAML) form, or that
//! must be read back defensively, are written in an artifact.

use crate::expr::{CompareOp, Expr, MAX_NESTING};
use crate::ir::{NodeIdx, VariableIdx};
use crate::model::{AudienceTextDoc, SexDoc, TextDoc, TextVariantsDoc};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::HashMap;

/// A map written with its keys sorted, so that the same bundle always gives
/// the same bytes (a `HashMap` iterates in a different order each run).
pub(crate) fn sorted_map<K: Ord + Serialize, V: Serialize, S: Serializer>(
    map: &HashMap<K, V>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut entries: Vec<(&K, &V)> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    serializer.collect_map(entries)
}

/// [`TextDoc`] as an artifact holds it. Its serde form in pathway files is
/// the YAML shorthand (a scalar or a mapping), which a compact format cannot
/// read back, so an artifact uses this plain mirror instead.
#[derive(Serialize, Deserialize)]
#[allow(clippy::large_enum_variant)] // One at a time, while reading or writing.
enum TextWire {
    Plain(String),
    Variants {
        en: AudienceWire,
        cy: Option<AudienceWire>,
    },
}

#[derive(Serialize, Deserialize)]
enum AudienceWire {
    All(String),
    Each([Option<String>; 5]),
}

impl From<&AudienceTextDoc> for AudienceWire {
    fn from(text: &AudienceTextDoc) -> AudienceWire {
        match text {
            AudienceTextDoc::All(all) => AudienceWire::All(all.clone()),
            AudienceTextDoc::Each(each) => AudienceWire::Each(each.clone()),
        }
    }
}

impl From<AudienceWire> for AudienceTextDoc {
    fn from(text: AudienceWire) -> AudienceTextDoc {
        match text {
            AudienceWire::All(all) => AudienceTextDoc::All(all),
            AudienceWire::Each(each) => AudienceTextDoc::Each(each),
        }
    }
}

impl From<&TextDoc> for TextWire {
    fn from(text: &TextDoc) -> TextWire {
        match text {
            TextDoc::Plain(plain) => TextWire::Plain(plain.clone()),
            TextDoc::Variants(variants) => TextWire::Variants {
                en: AudienceWire::from(&variants.en),
                cy: variants.cy.as_ref().map(AudienceWire::from),
            },
        }
    }
}

impl From<TextWire> for TextDoc {
    fn from(text: TextWire) -> TextDoc {
        match text {
            TextWire::Plain(plain) => TextDoc::Plain(plain),
            TextWire::Variants { en, cy } => TextDoc::Variants(Box::new(TextVariantsDoc {
                en: en.into(),
                cy: cy.map(Into::into),
            })),
        }
    }
}

/// `#[serde(with)]` for a [`TextDoc`] field.
pub(crate) mod text {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        text: &TextDoc,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        TextWire::from(text).serialize(serializer)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<TextDoc, D::Error> {
        TextWire::deserialize(deserializer).map(TextDoc::from)
    }
}

/// `#[serde(with)]` for an `Option<TextDoc>` field.
pub(crate) mod opt_text {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        text: &Option<TextDoc>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        text.as_ref().map(TextWire::from).serialize(serializer)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<TextDoc>, D::Error> {
        Option::<TextWire>::deserialize(deserializer).map(|text| text.map(TextDoc::from))
    }
}

/// One step of an expression written in postfix order: operands first,
/// then the operator that takes them. Reading it back is a loop over a
/// stack, so a hostile artifact cannot nest an expression deep enough to
/// overflow the stack while it is read, and its depth is checked.
#[derive(Serialize, Deserialize)]
enum ExprOp {
    Bool(bool),
    Number(f64),
    AgeYears,
    AgeMonths,
    AnswerNumber(NodeIdx),
    Answered(NodeIdx),
    BoolVariable(VariableIdx),
    NumberVariable(VariableIdx),
    /// Takes two.
    Compare(CompareOp),
    /// Takes two.
    BoolEquals(bool),
    AnswerIs {
        question: NodeIdx,
        answer: u16,
        equal: bool,
    },
    Has {
        question: NodeIdx,
        answer: u16,
    },
    SexIs {
        sex: SexDoc,
        equal: bool,
    },
    /// Takes one.
    InRange {
        low: f64,
        high: f64,
    },
    /// Takes one.
    Not,
    /// Takes this many.
    And(u32),
    /// Takes this many.
    Or(u32),
}

fn flatten(expr: &Expr, ops: &mut Vec<ExprOp>) {
    // Expressions come from the checker, which bounds their depth.
    let all = |items: &[Expr], ops: &mut Vec<ExprOp>| {
        for item in items {
            flatten(item, ops);
        }
        u32::try_from(items.len()).unwrap_or(u32::MAX)
    };
    let op = match expr {
        Expr::Bool(value) => ExprOp::Bool(*value),
        Expr::Number(value) => ExprOp::Number(*value),
        Expr::AgeYears => ExprOp::AgeYears,
        Expr::AgeMonths => ExprOp::AgeMonths,
        Expr::AnswerNumber(node) => ExprOp::AnswerNumber(*node),
        Expr::Answered(node) => ExprOp::Answered(*node),
        Expr::BoolVariable(variable) => ExprOp::BoolVariable(*variable),
        Expr::NumberVariable(variable) => ExprOp::NumberVariable(*variable),
        Expr::Compare { op, left, right } => {
            flatten(left, ops);
            flatten(right, ops);
            ExprOp::Compare(*op)
        }
        Expr::BoolEquals { equal, left, right } => {
            flatten(left, ops);
            flatten(right, ops);
            ExprOp::BoolEquals(*equal)
        }
        Expr::AnswerIs {
            question,
            answer,
            equal,
        } => ExprOp::AnswerIs {
            question: *question,
            answer: *answer,
            equal: *equal,
        },
        Expr::Has { question, answer } => ExprOp::Has {
            question: *question,
            answer: *answer,
        },
        Expr::SexIs { sex, equal } => ExprOp::SexIs {
            sex: *sex,
            equal: *equal,
        },
        Expr::InRange { subject, low, high } => {
            flatten(subject, ops);
            ExprOp::InRange {
                low: *low,
                high: *high,
            }
        }
        Expr::Not(inner) => {
            flatten(inner, ops);
            ExprOp::Not
        }
        Expr::And(items) => ExprOp::And(all(items, ops)),
        Expr::Or(items) => ExprOp::Or(all(items, ops)),
    };
    ops.push(op);
}

/// Rebuilds an expression from its postfix steps; `None` when they do not
/// make exactly one expression no deeper than [`MAX_NESTING`] allows.
fn rebuild(ops: Vec<ExprOp>) -> Option<Expr> {
    // Each entry: an expression and its depth.
    let mut stack: Vec<(Expr, usize)> = Vec::new();
    // The checker counts parentheses and `not`; an expression it accepts
    // has a tree a few levels deeper than that at most.
    let deepest = MAX_NESTING * 4;
    for op in ops {
        let mut take = |count: usize| -> Option<(Vec<Expr>, usize)> {
            let from = stack.len().checked_sub(count)?;
            let taken: Vec<(Expr, usize)> = stack.split_off(from);
            let depth = taken.iter().map(|(_, d)| *d).max().unwrap_or(0) + 1;
            (depth <= deepest).then(|| (taken.into_iter().map(|(e, _)| e).collect(), depth))
        };
        let two = |mut items: Vec<Expr>| {
            let right = Box::new(items.pop()?);
            let left = Box::new(items.pop()?);
            Some((left, right))
        };
        let made = match op {
            ExprOp::Bool(value) => (Expr::Bool(value), 1),
            ExprOp::Number(value) => (Expr::Number(value), 1),
            ExprOp::AgeYears => (Expr::AgeYears, 1),
            ExprOp::AgeMonths => (Expr::AgeMonths, 1),
            ExprOp::AnswerNumber(node) => (Expr::AnswerNumber(node), 1),
            ExprOp::Answered(node) => (Expr::Answered(node), 1),
            ExprOp::BoolVariable(variable) => (Expr::BoolVariable(variable), 1),
            ExprOp::NumberVariable(variable) => (Expr::NumberVariable(variable), 1),
            ExprOp::AnswerIs {
                question,
                answer,
                equal,
            } => (
                Expr::AnswerIs {
                    question,
                    answer,
                    equal,
                },
                1,
            ),
            ExprOp::Has { question, answer } => (Expr::Has { question, answer }, 1),
            ExprOp::SexIs { sex, equal } => (Expr::SexIs { sex, equal }, 1),
            ExprOp::Compare(op) => {
                let (items, depth) = take(2)?;
                let (left, right) = two(items)?;
                (Expr::Compare { op, left, right }, depth)
            }
            ExprOp::BoolEquals(equal) => {
                let (items, depth) = take(2)?;
                let (left, right) = two(items)?;
                (Expr::BoolEquals { equal, left, right }, depth)
            }
            ExprOp::InRange { low, high } => {
                let (mut items, depth) = take(1)?;
                let subject = Box::new(items.pop()?);
                (Expr::InRange { subject, low, high }, depth)
            }
            ExprOp::Not => {
                let (mut items, depth) = take(1)?;
                (Expr::Not(Box::new(items.pop()?)), depth)
            }
            ExprOp::And(count) => {
                let (items, depth) = take(usize::try_from(count).ok()?)?;
                (Expr::And(items), depth)
            }
            ExprOp::Or(count) => {
                let (items, depth) = take(usize::try_from(count).ok()?)?;
                (Expr::Or(items), depth)
            }
        };
        stack.push(made);
    }
    match (stack.pop(), stack.is_empty()) {
        (Some((expr, _)), true) => Some(expr),
        _ => None,
    }
}

impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut ops = Vec::new();
        flatten(self, &mut ops);
        ops.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Expr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Expr, D::Error> {
        let ops = Vec::<ExprOp>::deserialize(deserializer)?;
        rebuild(ops).ok_or_else(|| {
            D::Error::custom("an expression is not well formed, or is nested too deeply")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(expr: &Expr) -> Option<Expr> {
        let mut ops = Vec::new();
        flatten(expr, &mut ops);
        rebuild(ops)
    }

    #[test]
    fn expressions_survive_the_round_trip() {
        let expr = Expr::Or(vec![
            Expr::And(vec![
                Expr::Has {
                    question: 3,
                    answer: 1,
                },
                Expr::Not(Box::new(Expr::Answered(7))),
            ]),
            Expr::Compare {
                op: CompareOp::Ge,
                left: Box::new(Expr::AgeYears),
                right: Box::new(Expr::Number(65.0)),
            },
            Expr::InRange {
                subject: Box::new(Expr::NumberVariable(2)),
                low: 1.0,
                high: f64::INFINITY,
            },
            Expr::And(vec![]),
        ]);
        assert_eq!(round_trip(&expr), Some(expr));
    }

    #[test]
    fn ill_formed_or_too_deep_steps_are_refused() {
        assert_eq!(rebuild(vec![]), None);
        assert_eq!(rebuild(vec![ExprOp::Not]), None);
        assert_eq!(rebuild(vec![ExprOp::AgeYears, ExprOp::AgeMonths]), None);
        assert_eq!(rebuild(vec![ExprOp::AgeYears, ExprOp::And(u32::MAX)]), None);
        let mut deep = vec![ExprOp::Bool(true)];
        deep.extend((0..10_000).map(|_| ExprOp::Not));
        assert_eq!(rebuild(deep), None);
    }
}
