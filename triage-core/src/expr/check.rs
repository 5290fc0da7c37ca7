//! Type checking: names resolved against a scope, and each operator given
//! the types it takes.

use super::*;

/// Resolves names against `scope` and checks that `expr` has type `expected`.
pub fn check(expr: &SurfaceExpr, scope: &dyn Scope, expected: Type) -> Result<Expr, ExprError> {
    let mut checker = Checker { scope, depth: 0 };
    checker.value(expr, expected, "here")
}

/// An operand before it is known how it is used: a question may be compared
/// with one of its answer ids, a bare word may be such an answer id.
enum Operand<'e, 's> {
    Value(Expr, Type),
    Question { info: QuestionInfo<'s>, id: &'e str },
    Sex,
    Word(&'e str),
}

struct Checker<'s> {
    scope: &'s dyn Scope,
    depth: usize,
}

const NAMES_HELP: &str =
    "names are: age, age_months, sex, answer.ID, answered(ID), var.NAME, score.NAME, true, false";

impl<'s> Checker<'s> {
    /// Checks `expr` as a value of type `expected`; `context` says where it stands
    /// ("here", "after `not`") for the message.
    fn value(
        &mut self,
        expr: &SurfaceExpr,
        expected: Type,
        context: &str,
    ) -> Result<Expr, ExprError> {
        let operand = self.operand(expr)?;
        let (checked, found) = self.resolve_value(operand, expr)?;
        if found == expected {
            return Ok(checked);
        }
        let error = ExprError::type_error(
            expr.offset,
            format!(
                "expected {} {context}, found {}",
                expected.described(),
                found.described()
            ),
        );
        Err(match expected {
            Type::Bool => error.with_help("compare the number to make a condition, e.g. `age < 5`"),
            Type::Number => error.with_help(
                "a number is needed: a number, `age`, `age_months`, `answer.ID` of a number question, `var.NAME` or `score.NAME`",
            ),
        })
    }

    fn operand<'e>(&mut self, expr: &'e SurfaceExpr) -> Result<Operand<'e, 's>, ExprError> {
        self.depth += 1;
        if self.depth > MAX_CHECK_DEPTH {
            return Err(ExprError::syntax(
                expr.offset,
                "the expression is nested too deeply",
            ));
        }
        let result = self.operand_inner(expr);
        self.depth -= 1;
        result
    }

    fn operand_inner<'e>(&mut self, expr: &'e SurfaceExpr) -> Result<Operand<'e, 's>, ExprError> {
        let scope = self.scope;
        let bool_value = |checked: Expr| Operand::Value(checked, Type::Bool);
        Ok(match &expr.kind {
            SurfaceKind::Bool(value) => bool_value(Expr::Bool(*value)),
            SurfaceKind::Number { value, .. } => Operand::Value(Expr::Number(*value), Type::Number),
            SurfaceKind::Word(word) => Operand::Word(word),
            SurfaceKind::Age => Operand::Value(Expr::AgeYears, Type::Number),
            SurfaceKind::AgeMonths => Operand::Value(Expr::AgeMonths, Type::Number),
            SurfaceKind::Sex => Operand::Sex,
            SurfaceKind::Answer { id, id_offset } => Operand::Question {
                info: self.question(id, *id_offset)?,
                id,
            },
            SurfaceKind::Answered { id, id_offset } => {
                bool_value(Expr::Answered(self.question(id, *id_offset)?.node))
            }
            SurfaceKind::Var { name, name_offset } => match scope.variable(name) {
                Some((index, VariableKind::Bool)) => bool_value(Expr::BoolVariable(index)),
                Some((index, VariableKind::Number)) => {
                    Operand::Value(Expr::NumberVariable(index), Type::Number)
                }
                Some((_, VariableKind::Score)) => {
                    return Err(ExprError::unknown(
                        *name_offset,
                        format!("`{name}` is a score, not a variable"),
                    )
                    .with_help(format!("write `score.{name}`")))
                }
                None => return Err(self.unknown_variable("var", name, *name_offset)),
            },
            SurfaceKind::Score { name, name_offset } => match scope.variable(name) {
                Some((index, VariableKind::Score)) => {
                    Operand::Value(Expr::NumberVariable(index), Type::Number)
                }
                Some((_, VariableKind::Bool | VariableKind::Number)) => {
                    return Err(ExprError::unknown(
                        *name_offset,
                        format!("`{name}` is a variable, not a score"),
                    )
                    .with_help(format!("write `var.{name}`")))
                }
                None => return Err(self.unknown_variable("score", name, *name_offset)),
            },
            SurfaceKind::Compare {
                op,
                op_offset,
                left,
                right,
            } => bool_value(self.compare(*op, *op_offset, left, right)?),
            SurfaceKind::In {
                subject, low, high, ..
            } => bool_value(Expr::InRange {
                subject: Box::new(self.value(subject, Type::Number, "before `in`")?),
                low: *low,
                high: *high,
            }),
            SurfaceKind::Has {
                subject,
                option,
                has_offset,
                option_offset,
            } => bool_value(self.has(subject, option, *has_offset, *option_offset)?),
            SurfaceKind::Not(inner) => bool_value(Expr::Not(Box::new(self.value(
                inner,
                Type::Bool,
                "after `not`",
            )?))),
            SurfaceKind::And(items) => bool_value(Expr::And(
                items
                    .iter()
                    .map(|item| self.value(item, Type::Bool, "beside `and`"))
                    .collect::<Result<_, _>>()?,
            )),
            SurfaceKind::Or(items) => bool_value(Expr::Or(
                items
                    .iter()
                    .map(|item| self.value(item, Type::Bool, "beside `or`"))
                    .collect::<Result<_, _>>()?,
            )),
        })
    }

    /// An operand used on its own as a value.
    fn resolve_value(
        &self,
        operand: Operand<'_, '_>,
        expr: &SurfaceExpr,
    ) -> Result<(Expr, Type), ExprError> {
        match operand {
            Operand::Value(checked, ty) => Ok((checked, ty)),
            Operand::Question { info, id } => match info.kind {
                QuestionKindDoc::Number => Ok((Expr::AnswerNumber(info.node), Type::Number)),
                QuestionKindDoc::Multiple => Err(ExprError::type_error(
                    expr.offset,
                    format!(
                        "`answer.{id}` is a multiple-choice answer and cannot be used on its own"
                    ),
                )
                .with_help(format!(
                    "test one option with has: `answer.{id} has {}`",
                    info.answer_ids.first().map_or("OPTION", String::as_str)
                ))),
                QuestionKindDoc::YesNo | QuestionKindDoc::Single => Err(ExprError::type_error(
                    expr.offset,
                    format!("`answer.{id}` is a choice and cannot be used on its own"),
                )
                .with_help(format!(
                    "compare it: `answer.{id} == {}`",
                    info.answer_ids.first().map_or("yes", String::as_str)
                ))),
            },
            Operand::Sex => Err(ExprError::type_error(
                expr.offset,
                "`sex` cannot be used on its own",
            )
            .with_help("compare it: `sex == female` or `sex == male`")),
            Operand::Word(word) => Err(self.unknown_word(word, expr.offset)),
        }
    }

    fn question(&self, id: &str, offset: usize) -> Result<QuestionInfo<'s>, ExprError> {
        if let Some(info) = self.scope.question(id) {
            return Ok(info);
        }
        let ids = self.scope.question_ids();
        let mut help = String::new();
        if let Some(near) = closest(id, ids.iter().copied()) {
            help.push_str(&format!("did you mean `{near}`? "));
        }
        if ids.is_empty() {
            help.push_str("`answer.ID` names a question node of this pathway or module");
        } else {
            help.push_str(&format!(
                "questions here are: {}",
                list(ids.iter().copied())
            ));
        }
        if id.contains('-') {
            help.push_str(NO_ARITHMETIC_NOTE);
        }
        Err(ExprError::unknown(offset, format!("no question `{id}` here")).with_help(help))
    }

    fn unknown_variable(&self, prefix: &str, name: &str, offset: usize) -> ExprError {
        let names = self.scope.variable_names();
        let written: Vec<String> = names
            .iter()
            .map(|(name, kind)| match kind {
                VariableKind::Score => format!("score.{name}"),
                VariableKind::Bool | VariableKind::Number => format!("var.{name}"),
            })
            .collect();
        let mut help = String::new();
        if let Some(near) = closest(name, names.iter().map(|(name, _)| *name)) {
            let near_prefix = match names.iter().find(|(n, _)| *n == near) {
                Some((_, VariableKind::Score)) => "score",
                _ => "var",
            };
            help.push_str(&format!("did you mean `{near_prefix}.{near}`? "));
        }
        if written.is_empty() {
            help.push_str("declare variables and scores in the header (`variables:`, `scores:`)");
        } else {
            help.push_str(&format!(
                "variables and scores here are: {}",
                list(written.iter().map(String::as_str))
            ));
        }
        let what = if prefix == "score" {
            "score"
        } else {
            "variable"
        };
        ExprError::unknown(offset, format!("no {what} `{name}` here")).with_help(help)
    }

    fn unknown_word(&self, word: &str, offset: usize) -> ExprError {
        let scope = self.scope;
        let mut help = if scope.question(word).is_some() {
            format!("to read that question's answer, write `answer.{word}`")
        } else if let Some((_, kind)) = scope.variable(word) {
            let prefix = if kind == VariableKind::Score {
                "score"
            } else {
                "var"
            };
            format!("did you mean `{prefix}.{word}`?")
        } else if word == "female" || word == "male" {
            format!("compare sex: `sex == {word}`")
        } else if matches!(word, "yes" | "no" | "not_sure" | "none") {
            format!("compare a question's answer: `answer.ID == {word}`")
        } else {
            NAMES_HELP.to_owned()
        };
        if word.contains('-') {
            help.push_str(NO_ARITHMETIC_NOTE);
        }
        ExprError::unknown(offset, format!("unknown name `{word}`")).with_help(help)
    }

    fn compare(
        &mut self,
        op: CompareOp,
        op_offset: usize,
        left: &SurfaceExpr,
        right: &SurfaceExpr,
    ) -> Result<Expr, ExprError> {
        let left_operand = self.operand(left)?;
        let right_operand = self.operand(right)?;
        if op.is_equality() {
            let equal = op == CompareOp::Eq;
            // Questions and sex are compared with a word; put them on the left.
            let (subject, subject_expr, other, other_expr) = match (&left_operand, &right_operand) {
                (Operand::Question { .. } | Operand::Sex, _) => {
                    (left_operand, left, right_operand, right)
                }
                (_, Operand::Question { .. } | Operand::Sex) => {
                    (right_operand, right, left_operand, left)
                }
                _ => (left_operand, left, right_operand, right),
            };
            match subject {
                Operand::Question { info, id } => {
                    return self.answer_is(info, id, equal, subject_expr, other, other_expr);
                }
                Operand::Sex => return sex_is(equal, other, other_expr),
                _ => {}
            }
            let (left_checked, left_type) = self.resolve_value(subject, subject_expr)?;
            let (right_checked, right_type) = self.resolve_value(other, other_expr)?;
            if left_type != right_type {
                return Err(ExprError::type_error(
                    other_expr.offset,
                    format!(
                        "cannot compare {} with {}",
                        left_type.described(),
                        right_type.described()
                    ),
                ));
            }
            return Ok(match left_type {
                Type::Number => Expr::Compare {
                    op,
                    left: Box::new(left_checked),
                    right: Box::new(right_checked),
                },
                Type::Bool => Expr::BoolEquals {
                    equal,
                    left: Box::new(left_checked),
                    right: Box::new(right_checked),
                },
            });
        }
        let left_checked = self.ordered_side(op, op_offset, left_operand, left)?;
        let right_checked = self.ordered_side(op, op_offset, right_operand, right)?;
        Ok(Expr::Compare {
            op,
            left: Box::new(left_checked),
            right: Box::new(right_checked),
        })
    }

    /// One side of `<`, `<=`, `>` or `>=`: must be a number.
    fn ordered_side(
        &self,
        op: CompareOp,
        op_offset: usize,
        operand: Operand<'_, '_>,
        expr: &SurfaceExpr,
    ) -> Result<Expr, ExprError> {
        let (checked, ty) = self.resolve_value(operand, expr)?;
        if ty != Type::Number {
            return Err(ExprError::type_error(
                expr.offset,
                format!("`{op}` compares numbers, but this is {}", ty.described()),
            )
            .with_help(format!(
                "the `{op}` is at byte {op_offset}; use `==` or `!=` for conditions"
            )));
        }
        Ok(checked)
    }

    /// `answer.ID == WORD` / `!=`.
    fn answer_is(
        &self,
        info: QuestionInfo<'_>,
        id: &str,
        equal: bool,
        subject_expr: &SurfaceExpr,
        other: Operand<'_, '_>,
        other_expr: &SurfaceExpr,
    ) -> Result<Expr, ExprError> {
        let answers = answers_list(&info);
        match info.kind {
            QuestionKindDoc::Multiple => {
                return Err(ExprError::type_error(
                    subject_expr.offset,
                    format!("`answer.{id}` is a multiple-choice answer: compare it with `has`"),
                )
                .with_help(format!(
                    "write `answer.{id} has {}`",
                    other_expr.as_answer_word().unwrap_or("OPTION")
                )));
            }
            QuestionKindDoc::Number => {
                let word = match other {
                    Operand::Word(word) => word,
                    Operand::Value(checked, Type::Number) => {
                        let op = if equal { CompareOp::Eq } else { CompareOp::Ne };
                        return Ok(Expr::Compare {
                            op,
                            left: Box::new(Expr::AnswerNumber(info.node)),
                            right: Box::new(checked),
                        });
                    }
                    other => {
                        let (_, found) = self.resolve_value(other, other_expr)?;
                        return Err(ExprError::type_error(
                            other_expr.offset,
                            format!(
                                "`answer.{id}` is a number; cannot compare it with {}",
                                found.described()
                            ),
                        ));
                    }
                };
                if word == "not_sure" {
                    return match answer_index(&info, word) {
                        Some(answer) => Ok(Expr::AnswerIs {
                            question: info.node,
                            answer,
                            equal,
                        }),
                        None => Err(ExprError::unknown(
                            other_expr.offset,
                            format!("question `{id}` does not offer `not_sure`"),
                        )),
                    };
                }
                return Err(ExprError::type_error(
                    other_expr.offset,
                    format!("`answer.{id}` is a number; it cannot equal `{word}`"),
                )
                .with_help(format!(
                    "compare it with a number, e.g. `answer.{id} >= 38`, or with `not_sure` if offered"
                )));
            }
            QuestionKindDoc::YesNo | QuestionKindDoc::Single => {}
        }
        let word = match (&other, other_expr.as_answer_word()) {
            (Operand::Word(word), _) => Some(*word),
            (_, Some(word)) if answer_index(&info, word).is_some() => Some(word),
            _ => None,
        };
        let Some(word) = word else {
            return Err(ExprError::type_error(
                other_expr.offset,
                format!("`answer.{id}` can only be compared with one of its answers"),
            )
            .with_help(format!("this question's answers are: {answers}")));
        };
        match answer_index(&info, word) {
            Some(answer) => Ok(Expr::AnswerIs {
                question: info.node,
                answer,
                equal,
            }),
            None => Err(unknown_answer(&info, id, word, other_expr.offset)),
        }
    }

    /// `answer.ID has OPTION`.
    fn has(
        &mut self,
        subject: &SurfaceExpr,
        option: &str,
        has_offset: usize,
        option_offset: usize,
    ) -> Result<Expr, ExprError> {
        let operand = self.operand(subject)?;
        let (info, id) = match operand {
            Operand::Question { info, id } => (info, id),
            _ => {
                return Err(ExprError::type_error(
                    has_offset,
                    "`has` needs a multiple-choice answer on its left",
                )
                .with_help(format!("write `answer.QUESTION-ID has {option}`")))
            }
        };
        match info.kind {
            QuestionKindDoc::Multiple => {}
            QuestionKindDoc::YesNo | QuestionKindDoc::Single => {
                return Err(ExprError::type_error(
                    has_offset,
                    format!("`has` is for multiple-choice questions; `{id}` takes one answer"),
                )
                .with_help(format!("write `answer.{id} == {option}`")))
            }
            QuestionKindDoc::Number => {
                return Err(ExprError::type_error(
                    has_offset,
                    format!("`has` is for multiple-choice questions; `{id}` is a number"),
                )
                .with_help(format!("compare it, e.g. `answer.{id} >= 38`")))
            }
        }
        let Some(answer) = answer_index(&info, option) else {
            return Err(unknown_answer(&info, id, option, option_offset));
        };
        if answer >= 64 {
            return Err(ExprError::type_error(
                option_offset,
                format!(
                    "`{option}` is answer {} of `{id}`; `has` reads only the first 64",
                    answer + 1
                ),
            ));
        }
        Ok(Expr::Has {
            question: info.node,
            answer,
        })
    }
}

/// Appended to help about unknown names that contain `-`.
const NO_ARITHMETIC_NOTE: &str = " (`-` is part of names; there is no subtraction)";

/// `sex == WORD` / `!=`.
fn sex_is(
    equal: bool,
    other: Operand<'_, '_>,
    other_expr: &SurfaceExpr,
) -> Result<Expr, ExprError> {
    let sex = match other {
        Operand::Word("female") => SexDoc::Female,
        Operand::Word("male") => SexDoc::Male,
        Operand::Word(word) => {
            return Err(
                ExprError::unknown(other_expr.offset, format!("`{word}` is not a sex"))
                    .with_help("compare sex with `female` or `male`"),
            )
        }
        _ => {
            return Err(ExprError::type_error(
                other_expr.offset,
                "`sex` can only be compared with `female` or `male`",
            )
            .with_help("write `sex == female` or `sex == male`"))
        }
    };
    Ok(Expr::SexIs { sex, equal })
}

fn answer_index(info: &QuestionInfo<'_>, word: &str) -> Option<u16> {
    let index = info.answer_ids.iter().position(|answer| answer == word)?;
    u16::try_from(index).ok()
}

/// The answer ids an author may write for a question, for messages. Number
/// questions list only `not_sure`: their band ids are generated.
fn answers_list(info: &QuestionInfo<'_>) -> String {
    match info.kind {
        QuestionKindDoc::Number => {
            if info.answer_ids.iter().any(|answer| answer == "not_sure") {
                "a number, or not_sure".to_owned()
            } else {
                "a number".to_owned()
            }
        }
        _ => list(info.answer_ids.iter().map(String::as_str)),
    }
}

fn unknown_answer(info: &QuestionInfo<'_>, id: &str, word: &str, offset: usize) -> ExprError {
    let mut help = String::new();
    if let Some(near) = closest(word, info.answer_ids.iter().map(String::as_str)) {
        help.push_str(&format!("did you mean `{near}`? "));
    }
    help.push_str(&format!(
        "this question's answers are: {}",
        answers_list(info)
    ));
    if word == "not_sure" {
        help.push_str(" (it does not offer not_sure)");
    }
    ExprError::unknown(
        offset,
        format!("`{word}` is not an answer of question `{id}`"),
    )
    .with_help(help)
}

/// Names joined for a message, at most 20.
fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    const SHOWN: usize = 20;
    let mut shown: Vec<&str> = Vec::new();
    let mut more = 0usize;
    for name in names {
        if shown.len() < SHOWN {
            shown.push(name);
        } else {
            more += 1;
        }
    }
    let mut text = shown.join(", ");
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    text
}

/// The candidate closest to `target` by edit distance, if it is close enough to be a typo.
pub(super) fn closest<'a>(
    target: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .filter(|candidate| *candidate != target)
        .map(|candidate| (edit_distance(target, candidate), candidate))
        .filter(|(distance, candidate)| {
            let longer = target.chars().count().max(candidate.chars().count());
            *distance <= (longer / 3).max(1)
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

pub(super) use crate::diag::edit_distance;
