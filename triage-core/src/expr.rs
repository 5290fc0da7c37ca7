//! The branch expression language: parse, type-check, evaluate.
//!
//! Authors write conditions such as `age < 5 and answer.temperature >= 38` or
//! `answer.colour == pale or var.pregnant`. [`parse`] reads the text into a
//! [`SurfaceExpr`] with byte offsets, [`check`] resolves names against a
//! [`Scope`] and type-checks into an [`Expr`], and [`Expr::eval_bool`] /
//! [`Expr::eval_number`] evaluate it against [`Facts`] without allocating.
//!
//! # Grammar
//!
//! ```text
//! expr       = or ;
//! or         = and , { "or" , and } ;
//! and        = not , { "and" , not } ;
//! not        = "not" , not | comparison ;
//! comparison = operand , [ ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) , operand
//!                        | "in" , number , ".." , number        (* low <= x < high *)
//!                        | "has" , id ] ;                        (* multiple choice *)
//! operand    = number | "true" | "false"
//!            | "age" | "age_months" | "sex"
//!            | "answer" , "." , id | "answered" , "(" , id , ")"
//!            | "var" , "." , id | "score" , "." , id
//!            | id                                   (* an answer id, female or male *)
//!            | "(" , expr , ")" ;
//! number     = [ "-" ] , digit , { digit } , [ "." , digit , { digit } ] ;
//! id         = ( "a".."z" | digit | "_" | "-" ) , { "a".."z" | digit | "_" | "-" } ;
//! ```
//!
//! Precedence, loosest first: `or`, `and`, `not`, comparison. Comparisons do not
//! chain (`1 < age < 5` is refused). Keywords and names are lowercase. Ids may
//! contain `-`, so there is no arithmetic. Text longer than [`MAX_TEXT_LEN`]
//! bytes, or nested (parentheses and `not`) deeper than [`MAX_NESTING`], is refused.
//!
//! # Types
//!
//! Every expression is a [`Type::Bool`] condition or a [`Type::Number`]. `age`,
//! `age_months`, number literals, `score.NAME`, number variables and the answer
//! to a `number` question are numbers. An answer to a `yes_no` or `single`
//! question is only compared with one of its answer ids (`answer.colour == blue`,
//! including `not_sure` when offered); a `multiple` question is tested with
//! `has`; `sex` is compared with `female` or `male`.
//!
//! # Missing answers
//!
//! A comparison that reads an answer not (yet) given is false, whichever the
//! operator: `answer.temperature < 38` and `answer.temperature >= 38` are both
//! false before the question is answered. `not` negates the result as it is.

use crate::ir::{NodeIdx, VariableIdx, VariableKind};
use crate::model::{QuestionKindDoc, SexDoc};
use std::fmt;

/// Longest expression text accepted, in bytes.
pub const MAX_TEXT_LEN: usize = 1000;

/// Deepest nesting of parentheses and `not` accepted.
pub const MAX_NESTING: usize = 32;

/// Deepest [`SurfaceExpr`] tree [`check`] accepts (a parsed text stays far below it).
const MAX_CHECK_DEPTH: usize = 256;

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

impl ExprError {
    fn new(kind: ExprErrorKind, offset: usize, message: impl Into<String>) -> ExprError {
        ExprError {
            kind,
            offset,
            message: message.into(),
            help: None,
        }
    }

    fn syntax(offset: usize, message: impl Into<String>) -> ExprError {
        ExprError::new(ExprErrorKind::Syntax, offset, message)
    }

    fn unknown(offset: usize, message: impl Into<String>) -> ExprError {
        ExprError::new(ExprErrorKind::UnknownName, offset, message)
    }

    fn type_error(offset: usize, message: impl Into<String>) -> ExprError {
        ExprError::new(ExprErrorKind::Type, offset, message)
    }

    fn with_help(mut self, help: impl Into<String>) -> ExprError {
        self.help = Some(help.into());
        self
    }
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
    /// Every question id in scope, used only to suggest names in error messages.
    fn question_ids(&self) -> Vec<&str> {
        Vec::new()
    }
    /// Every variable and score in scope, used only to suggest names in error messages.
    fn variable_names(&self) -> Vec<(&str, VariableKind)> {
        Vec::new()
    }
}

/// The latest answer to a question, as evaluation sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AnswerFact {
    /// `yes_no` or `single`: index of the chosen answer. Also the `not_sure`
    /// answer of any question kind.
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

// ---------------------------------------------------------------------------
// Surface syntax
// ---------------------------------------------------------------------------

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }

    /// Compares two numbers.
    pub fn apply(self, left: f64, right: f64) -> bool {
        match self {
            CompareOp::Eq => left == right,
            CompareOp::Ne => left != right,
            CompareOp::Lt => left < right,
            CompareOp::Le => left <= right,
            CompareOp::Gt => left > right,
            CompareOp::Ge => left >= right,
        }
    }

    /// The operator with its sides swapped: `a < b` is `b > a`.
    fn flipped(self) -> CompareOp {
        match self {
            CompareOp::Eq => CompareOp::Eq,
            CompareOp::Ne => CompareOp::Ne,
            CompareOp::Lt => CompareOp::Gt,
            CompareOp::Le => CompareOp::Ge,
            CompareOp::Gt => CompareOp::Lt,
            CompareOp::Ge => CompareOp::Le,
        }
    }

    fn is_equality(self) -> bool {
        matches!(self, CompareOp::Eq | CompareOp::Ne)
    }
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// A parsed expression: syntax only, names not yet resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct SurfaceExpr {
    /// Byte offset of the expression's first token.
    pub offset: usize,
    /// What it is.
    pub kind: SurfaceKind,
}

/// The shape of a [`SurfaceExpr`].
#[derive(Debug, Clone, PartialEq)]
pub enum SurfaceKind {
    /// `true` or `false`.
    Bool(bool),
    /// A number literal, with its text as written (an answer id may look like a number).
    Number {
        /// The value.
        value: f64,
        /// The literal as written.
        text: String,
    },
    /// A bare word: an answer id, `female` or `male`.
    Word(String),
    /// `age`.
    Age,
    /// `age_months`.
    AgeMonths,
    /// `sex`.
    Sex,
    /// `answer.ID`.
    Answer {
        /// The question id.
        id: String,
        /// Byte offset of the id.
        id_offset: usize,
    },
    /// `answered(ID)`.
    Answered {
        /// The question id.
        id: String,
        /// Byte offset of the id.
        id_offset: usize,
    },
    /// `var.NAME`.
    Var {
        /// The variable name.
        name: String,
        /// Byte offset of the name.
        name_offset: usize,
    },
    /// `score.NAME`.
    Score {
        /// The score name.
        name: String,
        /// Byte offset of the name.
        name_offset: usize,
    },
    /// `left OP right`.
    Compare {
        /// The operator.
        op: CompareOp,
        /// Byte offset of the operator.
        op_offset: usize,
        /// Left side.
        left: Box<SurfaceExpr>,
        /// Right side.
        right: Box<SurfaceExpr>,
    },
    /// `subject in low..high`.
    In {
        /// The number tested.
        subject: Box<SurfaceExpr>,
        /// Lowest value, inclusive.
        low: f64,
        /// Upper limit, exclusive.
        high: f64,
        /// Byte offset of `in`.
        in_offset: usize,
    },
    /// `subject has option`.
    Has {
        /// The question tested.
        subject: Box<SurfaceExpr>,
        /// The answer id.
        option: String,
        /// Byte offset of `has`.
        has_offset: usize,
        /// Byte offset of the answer id.
        option_offset: usize,
    },
    /// `not inner`.
    Not(Box<SurfaceExpr>),
    /// `a and b and ...` (two or more).
    And(Vec<SurfaceExpr>),
    /// `a or b or ...` (two or more).
    Or(Vec<SurfaceExpr>),
}

impl SurfaceExpr {
    /// The text of a literal or name that may also be read as an answer id
    /// (an option could be called `age` or `3`).
    fn as_answer_word(&self) -> Option<&str> {
        match &self.kind {
            SurfaceKind::Word(w) => Some(w),
            SurfaceKind::Number { text, .. } => Some(text),
            SurfaceKind::Bool(true) => Some("true"),
            SurfaceKind::Bool(false) => Some("false"),
            SurfaceKind::Age => Some("age"),
            SurfaceKind::AgeMonths => Some("age_months"),
            SurfaceKind::Sex => Some("sex"),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum TokenKind<'t> {
    Word(&'t str),
    Number(f64, &'t str),
    LParen,
    RParen,
    Dot,
    DotDot,
    Compare(CompareOp),
    End,
}

#[derive(Debug, Clone, Copy)]
struct Token<'t> {
    kind: TokenKind<'t>,
    offset: usize,
}

impl TokenKind<'_> {
    fn describe(&self) -> String {
        match self {
            TokenKind::Word(w) => format!("`{w}`"),
            TokenKind::Number(_, text) => format!("`{text}`"),
            TokenKind::LParen => "`(`".to_owned(),
            TokenKind::RParen => "`)`".to_owned(),
            TokenKind::Dot => "`.`".to_owned(),
            TokenKind::DotDot => "`..`".to_owned(),
            TokenKind::Compare(op) => format!("`{op}`"),
            TokenKind::End => "the end of the expression".to_owned(),
        }
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn is_integer(run: &str) -> bool {
    let digits = run.strip_prefix('-').unwrap_or(run);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `text[start..end]`, or "" if that is not a valid slice (it always is here:
/// the lexer only steps over ASCII bytes).
fn slice(text: &str, start: usize, end: usize) -> &str {
    text.get(start..end).unwrap_or_default()
}

fn lex(text: &str) -> Result<Vec<Token<'_>>, ExprError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let start = i;
        let next = bytes.get(i + 1).copied();
        let (kind, len) = match b {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'(' => (TokenKind::LParen, 1),
            b')' => (TokenKind::RParen, 1),
            b'.' if next == Some(b'.') => (TokenKind::DotDot, 2),
            b'.' => (TokenKind::Dot, 1),
            b'=' if next == Some(b'=') => (TokenKind::Compare(CompareOp::Eq), 2),
            b'!' if next == Some(b'=') => (TokenKind::Compare(CompareOp::Ne), 2),
            b'<' if next == Some(b'=') => (TokenKind::Compare(CompareOp::Le), 2),
            b'<' => (TokenKind::Compare(CompareOp::Lt), 1),
            b'>' if next == Some(b'=') => (TokenKind::Compare(CompareOp::Ge), 2),
            b'>' => (TokenKind::Compare(CompareOp::Gt), 1),
            b'=' => {
                return Err(
                    ExprError::syntax(start, "`=` on its own is not an operator")
                        .with_help("write `==` to compare"),
                )
            }
            b'!' => {
                return Err(
                    ExprError::syntax(start, "`!` on its own is not an operator")
                        .with_help("write `not` to negate, or `!=` for \"not equal\""),
                )
            }
            b'&' => {
                return Err(
                    ExprError::syntax(start, "`&` is not an operator").with_help("write `and`")
                )
            }
            b'|' => {
                return Err(
                    ExprError::syntax(start, "`|` is not an operator").with_help("write `or`")
                )
            }
            b'"' | b'\'' => {
                return Err(
                    ExprError::syntax(start, "quotes are not used in expressions")
                        .with_help("write answer ids bare: `answer.colour == blue`"),
                )
            }
            b'+' | b'*' | b'/' | b'%' => {
                return Err(ExprError::syntax(
                    start,
                    format!("`{}` is not an operator", char::from(b)),
                )
                .with_help("there is no arithmetic; compare values with == != < <= > >="))
            }
            b if is_word_byte(b) => {
                let (kind, end) = lex_word(text, start)?;
                (kind, end - start)
            }
            _ => {
                let shown = text
                    .get(start..)
                    .and_then(|rest| rest.chars().next())
                    .map_or_else(|| format!("{b:#04x}"), |c| c.escape_debug().to_string());
                return Err(ExprError::syntax(
                    start,
                    format!("unexpected character `{shown}`"),
                )
                .with_help(
                    "expressions use lowercase names, numbers, ( ), == != < <= > >=, .., and, or, not",
                ));
            }
        };
        tokens.push(Token {
            kind,
            offset: start,
        });
        i = start + len;
    }
    tokens.push(Token {
        kind: TokenKind::End,
        offset: text.len(),
    });
    Ok(tokens)
}

/// Reads a word or number starting at `start`; returns it and the offset after it.
fn lex_word(text: &str, start: usize) -> Result<(TokenKind<'_>, usize), ExprError> {
    let bytes = text.as_bytes();
    let run_end = |from: usize| {
        let mut end = from;
        while bytes.get(end).is_some_and(|&b| is_word_byte(b)) {
            end += 1;
        }
        end
    };
    let mut end = run_end(start);
    let run = slice(text, start, end);
    if is_integer(run) {
        if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
            end += 1;
            while bytes.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
            if bytes.get(end).is_some_and(|&b| is_word_byte(b)) {
                let bad = slice(text, start, run_end(end));
                return Err(ExprError::syntax(start, format!("`{bad}` is not a number"))
                    .with_help("write numbers like `38` or `37.5`"));
            }
        }
        let literal = slice(text, start, end);
        return match literal.parse::<f64>() {
            Ok(value) if value.is_finite() => Ok((TokenKind::Number(value, literal), end)),
            _ => Err(ExprError::syntax(start, "this number is too large")),
        };
    }
    if run.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(
            ExprError::syntax(start, format!("`{run}` has capital letters")).with_help(format!(
                "keywords and names are lowercase: write `{}`",
                run.to_ascii_lowercase()
            )),
        );
    }
    Ok((TokenKind::Word(run), end))
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

/// Parses expression text into a [`SurfaceExpr`]. Checks syntax only; names are
/// resolved by [`check`].
pub fn parse(text: &str) -> Result<SurfaceExpr, ExprError> {
    if text.len() > MAX_TEXT_LEN {
        return Err(ExprError::syntax(
            0,
            format!(
                "the expression is {} bytes long; the limit is {MAX_TEXT_LEN}",
                text.len()
            ),
        )
        .with_help("split the condition over several branch nodes"));
    }
    let tokens = lex(text)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
        end: text.len(),
    };
    if parser.peek().kind == TokenKind::End {
        return Err(ExprError::syntax(0, "the expression is empty")
            .with_help("write a condition such as `age < 5`"));
    }
    let expr = parser.parse_or()?;
    let next = parser.peek();
    match next.kind {
        TokenKind::End => Ok(expr),
        TokenKind::RParen => Err(ExprError::syntax(
            next.offset,
            "this `)` has no matching `(`",
        )),
        _ => Err(ExprError::syntax(
            next.offset,
            format!(
                "unexpected {} after a complete condition",
                next.kind.describe()
            ),
        )
        .with_help("join conditions with `and` or `or`")),
    }
}

struct Parser<'t> {
    tokens: Vec<Token<'t>>,
    pos: usize,
    /// Current nesting of parentheses and `not`.
    depth: usize,
    /// Length of the text, for the offset of the end.
    end: usize,
}

impl<'t> Parser<'t> {
    fn peek(&self) -> Token<'t> {
        self.tokens.get(self.pos).copied().unwrap_or(Token {
            kind: TokenKind::End,
            offset: self.end,
        })
    }

    fn bump(&mut self) -> Token<'t> {
        let token = self.peek();
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        token
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if self.peek().kind == TokenKind::Word(word) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn enter(&mut self, offset: usize) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(ExprError::syntax(
                offset,
                format!("the expression is nested more than {MAX_NESTING} deep"),
            )
            .with_help("simplify the condition, or split it over several branch nodes"));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn parse_or(&mut self) -> Result<SurfaceExpr, ExprError> {
        let first = self.parse_and()?;
        if self.peek().kind != TokenKind::Word("or") {
            return Ok(first);
        }
        let offset = first.offset;
        let mut items = vec![first];
        while self.eat_word("or") {
            items.push(self.parse_and()?);
        }
        Ok(SurfaceExpr {
            offset,
            kind: SurfaceKind::Or(items),
        })
    }

    fn parse_and(&mut self) -> Result<SurfaceExpr, ExprError> {
        let first = self.parse_not()?;
        if self.peek().kind != TokenKind::Word("and") {
            return Ok(first);
        }
        let offset = first.offset;
        let mut items = vec![first];
        while self.eat_word("and") {
            items.push(self.parse_not()?);
        }
        Ok(SurfaceExpr {
            offset,
            kind: SurfaceKind::And(items),
        })
    }

    fn parse_not(&mut self) -> Result<SurfaceExpr, ExprError> {
        let token = self.peek();
        if token.kind != TokenKind::Word("not") {
            return self.parse_comparison();
        }
        self.bump();
        self.enter(token.offset)?;
        let inner = self.parse_not()?;
        self.leave();
        Ok(SurfaceExpr {
            offset: token.offset,
            kind: SurfaceKind::Not(Box::new(inner)),
        })
    }

    fn parse_comparison(&mut self) -> Result<SurfaceExpr, ExprError> {
        let left = self.parse_operand()?;
        let offset = left.offset;
        let token = self.peek();
        let kind = match token.kind {
            TokenKind::Compare(op) => {
                self.bump();
                let right = self.parse_operand()?;
                SurfaceKind::Compare {
                    op,
                    op_offset: token.offset,
                    left: Box::new(left),
                    right: Box::new(right),
                }
            }
            TokenKind::Word("in") => {
                self.bump();
                let (low, low_offset) = self.expect_range_number()?;
                let dots = self.bump();
                if dots.kind != TokenKind::DotDot {
                    return Err(ExprError::syntax(
                        dots.offset,
                        format!("expected `..` in the range, found {}", dots.kind.describe()),
                    )
                    .with_help("write a range as `low..high`, e.g. `age in 1..5`"));
                }
                let (high, _) = self.expect_range_number()?;
                if low >= high {
                    return Err(ExprError::syntax(
                        low_offset,
                        format!("the range {low}..{high} is empty"),
                    )
                    .with_help(
                        "`x in low..high` means low <= x < high; write the lower number first",
                    ));
                }
                SurfaceKind::In {
                    subject: Box::new(left),
                    low,
                    high,
                    in_offset: token.offset,
                }
            }
            TokenKind::Word("has") => {
                self.bump();
                let (option, option_offset) = self.expect_id("an answer id after `has`")?;
                SurfaceKind::Has {
                    subject: Box::new(left),
                    option,
                    has_offset: token.offset,
                    option_offset,
                }
            }
            _ => return Ok(left),
        };
        let next = self.peek();
        if matches!(
            next.kind,
            TokenKind::Compare(_) | TokenKind::Word("in") | TokenKind::Word("has")
        ) {
            return Err(ExprError::syntax(
                next.offset,
                format!(
                    "comparisons cannot be chained: unexpected {}",
                    next.kind.describe()
                ),
            )
            .with_help(
                "join comparisons with `and` (e.g. `1 <= age and age < 5`), or use parentheses",
            ));
        }
        Ok(SurfaceExpr { offset, kind })
    }

    fn expect_range_number(&mut self) -> Result<(f64, usize), ExprError> {
        let token = self.bump();
        match token.kind {
            TokenKind::Number(value, _) => Ok((value, token.offset)),
            other => Err(ExprError::syntax(
                token.offset,
                format!("expected a number in the range, found {}", other.describe()),
            )
            .with_help("a range is two numbers, e.g. `age in 1..5`")),
        }
    }

    /// A question, variable or answer id: a word, or digits (ids may look like numbers).
    fn expect_id(&mut self, what: &str) -> Result<(String, usize), ExprError> {
        let token = self.bump();
        match token.kind {
            TokenKind::Word(word) => Ok((word.to_owned(), token.offset)),
            TokenKind::Number(_, text) if is_integer(text) => Ok((text.to_owned(), token.offset)),
            other => Err(ExprError::syntax(
                token.offset,
                format!("expected {what}, found {}", other.describe()),
            )),
        }
    }

    fn expect(&mut self, kind: TokenKind<'_>, message: &str, help: &str) -> Result<(), ExprError> {
        let token = self.bump();
        if token.kind == kind {
            Ok(())
        } else {
            Err(ExprError::syntax(
                token.offset,
                format!("{message}, found {}", token.kind.describe()),
            )
            .with_help(help))
        }
    }

    fn parse_operand(&mut self) -> Result<SurfaceExpr, ExprError> {
        let token = self.bump();
        let offset = token.offset;
        let kind = match token.kind {
            TokenKind::Number(value, text) => SurfaceKind::Number {
                value,
                text: text.to_owned(),
            },
            TokenKind::LParen => {
                self.enter(offset)?;
                let inner = self.parse_or()?;
                let close = self.bump();
                if close.kind != TokenKind::RParen {
                    return Err(ExprError::syntax(
                        close.offset,
                        format!("expected `)`, found {}", close.kind.describe()),
                    )
                    .with_help(format!("close the `(` at byte {offset}")));
                }
                self.leave();
                return Ok(inner);
            }
            TokenKind::Word(word) => match word {
                "true" => SurfaceKind::Bool(true),
                "false" => SurfaceKind::Bool(false),
                "age" => SurfaceKind::Age,
                "age_months" => SurfaceKind::AgeMonths,
                "sex" => SurfaceKind::Sex,
                "answer" => {
                    self.expect(
                        TokenKind::Dot,
                        "expected `.` after `answer`",
                        "write `answer.QUESTION-ID`",
                    )?;
                    let (id, id_offset) = self.expect_id("a question id after `answer.`")?;
                    SurfaceKind::Answer { id, id_offset }
                }
                "answered" => {
                    self.expect(
                        TokenKind::LParen,
                        "expected `(` after `answered`",
                        "write `answered(QUESTION-ID)`",
                    )?;
                    let (id, id_offset) = self.expect_id("a question id in `answered(...)`")?;
                    self.expect(
                        TokenKind::RParen,
                        "expected `)`",
                        "write `answered(QUESTION-ID)`",
                    )?;
                    SurfaceKind::Answered { id, id_offset }
                }
                "var" | "score" => {
                    self.expect(
                        TokenKind::Dot,
                        &format!("expected `.` after `{word}`"),
                        &format!("write `{word}.NAME`"),
                    )?;
                    let (name, name_offset) = self.expect_id(&format!("a name after `{word}.`"))?;
                    if word == "var" {
                        SurfaceKind::Var { name, name_offset }
                    } else {
                        SurfaceKind::Score { name, name_offset }
                    }
                }
                "not" => {
                    return Err(ExprError::syntax(offset, "`not` cannot stand here")
                        .with_help("put `not` before a whole condition, or use parentheses: `x == (not y)`"))
                }
                "and" | "or" | "in" | "has" => {
                    return Err(ExprError::syntax(
                        offset,
                        format!("expected a value, found the keyword `{word}`"),
                    ))
                }
                _ if word.starts_with('-') => {
                    return Err(ExprError::syntax(offset, format!("`{word}` is not a name"))
                        .with_help("there is no arithmetic: `-` belongs inside names (chest-pain) and before numbers (-1)"))
                }
                _ => SurfaceKind::Word(word.to_owned()),
            },
            TokenKind::End => {
                return Err(ExprError::syntax(offset, "the expression ends too soon")
                    .with_help("expected a value: a number, a name such as `age` or `answer.ID`, or `(`"))
            }
            other => {
                return Err(ExprError::syntax(
                    offset,
                    format!("expected a value, found {}", other.describe()),
                ))
            }
        };
        Ok(SurfaceExpr { offset, kind })
    }
}

// ---------------------------------------------------------------------------
// Checked expressions
// ---------------------------------------------------------------------------

/// The type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    /// A true/false condition.
    Bool,
    /// A number.
    Number,
}

impl Type {
    fn described(self) -> &'static str {
        match self {
            Type::Bool => "a true/false condition",
            Type::Number => "a number",
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Type::Bool => "bool",
            Type::Number => "number",
        })
    }
}

/// A checked expression: names resolved to indices, types known.
///
/// Built by [`check`]; trees from parsed text are shallow (see [`MAX_NESTING`]),
/// so evaluation recurses without risk.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `true` / `false`. Bool.
    Bool(bool),
    /// A number literal. Number.
    Number(f64),
    /// `age`: years with months as a fraction. Number.
    AgeYears,
    /// `age_months`. Number.
    AgeMonths,
    /// `answer.ID` of a number question. Number; missing when not answered with a number.
    AnswerNumber(NodeIdx),
    /// `answered(ID)`. Bool.
    Answered(NodeIdx),
    /// `var.NAME` of a `Bool` variable: true when not 0. Bool.
    BoolVariable(VariableIdx),
    /// `var.NAME` of a `Number` variable, or `score.NAME`. Number.
    NumberVariable(VariableIdx),
    /// A comparison of two numbers; false when either is missing. Bool.
    Compare {
        /// The operator.
        op: CompareOp,
        /// Left side (Number).
        left: Box<Expr>,
        /// Right side (Number).
        right: Box<Expr>,
    },
    /// `==` (`equal`) or `!=` between two conditions. Bool.
    BoolEquals {
        /// True for `==`, false for `!=`.
        equal: bool,
        /// Left side (Bool).
        left: Box<Expr>,
        /// Right side (Bool).
        right: Box<Expr>,
    },
    /// `answer.ID == OPTION` (`equal`) or `!=`; false when not answered. Bool.
    AnswerIs {
        /// The question.
        question: NodeIdx,
        /// Index of the answer in the question's answers.
        answer: u16,
        /// True for `==`, false for `!=`.
        equal: bool,
    },
    /// `answer.ID has OPTION`; false when not answered. Bool.
    Has {
        /// The question.
        question: NodeIdx,
        /// Index of the answer in the question's answers (below 64).
        answer: u16,
    },
    /// `sex == female` (`equal`) or `!=`. Bool.
    SexIs {
        /// The sex compared with.
        sex: SexDoc,
        /// True for `==`, false for `!=`.
        equal: bool,
    },
    /// `subject in low..high`: low <= subject < high; false when missing. Bool.
    InRange {
        /// The number tested.
        subject: Box<Expr>,
        /// Lowest value, inclusive.
        low: f64,
        /// Upper limit, exclusive.
        high: f64,
    },
    /// `not inner`. Bool.
    Not(Box<Expr>),
    /// All of these hold. Bool.
    And(Vec<Expr>),
    /// Any of these holds. Bool.
    Or(Vec<Expr>),
}

/// A number an [`Interval`] constrains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumSubject {
    /// `age`.
    AgeYears,
    /// `age_months`.
    AgeMonths,
    /// `answer.ID` of a number question.
    Answer(NodeIdx),
    /// `var.NAME` or `score.NAME`.
    Variable(VariableIdx),
}

/// A set of numbers between two limits; `-inf` / `+inf` (never inclusive) for open ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lower limit.
    pub low: f64,
    /// Whether `low` itself is in the interval.
    pub low_inclusive: bool,
    /// Upper limit.
    pub high: f64,
    /// Whether `high` itself is in the interval.
    pub high_inclusive: bool,
}

impl Interval {
    /// Every number.
    pub const ALL: Interval = Interval {
        low: f64::NEG_INFINITY,
        low_inclusive: false,
        high: f64::INFINITY,
        high_inclusive: false,
    };

    /// `[from, below)`, as bands are written.
    pub fn band(from: f64, below: f64) -> Interval {
        Interval {
            low: from,
            low_inclusive: from.is_finite(),
            high: below,
            high_inclusive: false,
        }
    }

    /// Whether `value` is in the interval.
    pub fn contains(&self, value: f64) -> bool {
        let above_low = if self.low_inclusive {
            value >= self.low
        } else {
            value > self.low
        };
        let below_high = if self.high_inclusive {
            value <= self.high
        } else {
            value < self.high
        };
        above_low && below_high
    }

    /// Whether no number is in the interval.
    pub fn is_empty(&self) -> bool {
        // A NaN limit (incomparable) counts as empty.
        match self.low.partial_cmp(&self.high) {
            Some(std::cmp::Ordering::Less) => false,
            Some(std::cmp::Ordering::Equal) => !(self.low_inclusive && self.high_inclusive),
            Some(std::cmp::Ordering::Greater) | None => true,
        }
    }

    /// The numbers in both intervals.
    pub fn intersect(&self, other: &Interval) -> Interval {
        let (low, low_inclusive) = if self.low > other.low {
            (self.low, self.low_inclusive)
        } else if other.low > self.low {
            (other.low, other.low_inclusive)
        } else {
            (self.low, self.low_inclusive && other.low_inclusive)
        };
        let (high, high_inclusive) = if self.high < other.high {
            (self.high, self.high_inclusive)
        } else if other.high < self.high {
            (other.high, other.high_inclusive)
        } else {
            (self.high, self.high_inclusive && other.high_inclusive)
        };
        Interval {
            low,
            low_inclusive,
            high,
            high_inclusive,
        }
    }

    /// Whether some number is in both intervals.
    pub fn overlaps(&self, other: &Interval) -> bool {
        !self.intersect(other).is_empty()
    }
}

impl fmt::Display for Interval {
    /// Mathematical notation: `[5, 10)`, `(-inf, 5)`, `[38, inf)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let open = if self.low_inclusive { '[' } else { '(' };
        let close = if self.high_inclusive { ']' } else { ')' };
        write!(f, "{open}{}, {}{close}", self.low, self.high)
    }
}

impl Expr {
    /// The expression's type.
    pub fn ty(&self) -> Type {
        match self {
            Expr::Number(_)
            | Expr::AgeYears
            | Expr::AgeMonths
            | Expr::AnswerNumber(_)
            | Expr::NumberVariable(_) => Type::Number,
            _ => Type::Bool,
        }
    }

    /// Evaluates a [`Type::Bool`] expression. A number expression gives `false`.
    pub fn eval_bool<F: Facts + ?Sized>(&self, facts: &F) -> bool {
        match self {
            Expr::Bool(value) => *value,
            Expr::Answered(question) => facts.answer(*question).is_some(),
            Expr::BoolVariable(variable) => facts.variable(*variable) != 0.0,
            Expr::Compare { op, left, right } => {
                match (left.eval_number(facts), right.eval_number(facts)) {
                    (Some(l), Some(r)) => op.apply(l, r),
                    _ => false,
                }
            }
            Expr::BoolEquals { equal, left, right } => {
                (left.eval_bool(facts) == right.eval_bool(facts)) == *equal
            }
            Expr::AnswerIs {
                question,
                answer,
                equal,
            } => match facts.answer(*question) {
                None => false,
                Some(fact) => {
                    let chosen = match fact {
                        AnswerFact::Choice(index) => index == *answer,
                        AnswerFact::Multiple(bits) => {
                            Some(bits) == 1u64.checked_shl(u32::from(*answer))
                        }
                        AnswerFact::Number(_) => false,
                    };
                    chosen == *equal
                }
            },
            Expr::Has { question, answer } => match facts.answer(*question) {
                Some(AnswerFact::Multiple(bits)) => 1u64
                    .checked_shl(u32::from(*answer))
                    .is_some_and(|bit| bits & bit != 0),
                Some(AnswerFact::Choice(index)) => index == *answer,
                Some(AnswerFact::Number(_)) | None => false,
            },
            Expr::SexIs { sex, equal } => (facts.sex() == *sex) == *equal,
            Expr::InRange { subject, low, high } => subject
                .eval_number(facts)
                .is_some_and(|value| *low <= value && value < *high),
            Expr::Not(inner) => !inner.eval_bool(facts),
            Expr::And(items) => items.iter().all(|item| item.eval_bool(facts)),
            Expr::Or(items) => items.iter().any(|item| item.eval_bool(facts)),
            Expr::Number(_)
            | Expr::AgeYears
            | Expr::AgeMonths
            | Expr::AnswerNumber(_)
            | Expr::NumberVariable(_) => false,
        }
    }

    /// Evaluates a [`Type::Number`] expression; `None` when it reads a missing
    /// answer (or is not a number expression).
    pub fn eval_number<F: Facts + ?Sized>(&self, facts: &F) -> Option<f64> {
        match self {
            Expr::Number(value) => Some(*value),
            Expr::AgeYears => Some(facts.age_years()),
            Expr::AgeMonths => Some(facts.age_months()),
            Expr::AnswerNumber(question) => match facts.answer(*question) {
                Some(AnswerFact::Number(value)) => Some(value),
                _ => None,
            },
            Expr::NumberVariable(variable) => Some(facts.variable(*variable)),
            _ => None,
        }
    }

    /// Whether the expression reads any answer (`answer.ID` or `answered(ID)`).
    pub fn references_answer(&self) -> bool {
        match self {
            Expr::AnswerNumber(_)
            | Expr::Answered(_)
            | Expr::AnswerIs { .. }
            | Expr::Has { .. } => true,
            Expr::Compare { left, right, .. } | Expr::BoolEquals { left, right, .. } => {
                left.references_answer() || right.references_answer()
            }
            Expr::InRange { subject, .. } => subject.references_answer(),
            Expr::Not(inner) => inner.references_answer(),
            Expr::And(items) | Expr::Or(items) => items.iter().any(Expr::references_answer),
            Expr::Bool(_)
            | Expr::Number(_)
            | Expr::AgeYears
            | Expr::AgeMonths
            | Expr::BoolVariable(_)
            | Expr::NumberVariable(_)
            | Expr::SexIs { .. } => false,
        }
    }

    /// The questions read (by `answer.ID` or `answered(ID)`), each once, in the order written.
    pub fn questions(&self) -> Vec<NodeIdx> {
        let mut found = Vec::new();
        self.collect_questions(&mut found);
        found
    }

    fn collect_questions(&self, found: &mut Vec<NodeIdx>) {
        let mut add = |question: NodeIdx| {
            if !found.contains(&question) {
                found.push(question);
            }
        };
        match self {
            Expr::AnswerNumber(question)
            | Expr::Answered(question)
            | Expr::AnswerIs { question, .. }
            | Expr::Has { question, .. } => add(*question),
            Expr::Compare { left, right, .. } | Expr::BoolEquals { left, right, .. } => {
                left.collect_questions(found);
                right.collect_questions(found);
            }
            Expr::InRange { subject, .. } => subject.collect_questions(found),
            Expr::Not(inner) => inner.collect_questions(found),
            Expr::And(items) | Expr::Or(items) => {
                for item in items {
                    item.collect_questions(found);
                }
            }
            Expr::Bool(_)
            | Expr::Number(_)
            | Expr::AgeYears
            | Expr::AgeMonths
            | Expr::BoolVariable(_)
            | Expr::NumberVariable(_)
            | Expr::SexIs { .. } => {}
        }
    }

    /// The subject this number expression reads directly, if it is one.
    fn num_subject(&self) -> Option<NumSubject> {
        match self {
            Expr::AgeYears => Some(NumSubject::AgeYears),
            Expr::AgeMonths => Some(NumSubject::AgeMonths),
            Expr::AnswerNumber(question) => Some(NumSubject::Answer(*question)),
            Expr::NumberVariable(variable) => Some(NumSubject::Variable(*variable)),
            _ => None,
        }
    }

    /// The ages, in years, that this condition allows: the intersection of
    /// the ranges it demands of `age` or `age_months` through `and`; `None`
    /// when it demands none (anything else, `or` and `not` included, may hold
    /// at any age).
    pub fn age_interval(&self) -> Option<Interval> {
        let years = |(subject, interval): (NumSubject, Interval)| match subject {
            NumSubject::AgeYears => Some(interval),
            NumSubject::AgeMonths => Some(Interval {
                low: interval.low / 12.0,
                high: interval.high / 12.0,
                ..interval
            }),
            _ => None,
        };
        match self {
            Expr::And(items) => items
                .iter()
                .filter_map(Expr::age_interval)
                .reduce(|a, b| a.intersect(&b)),
            _ => self.interval().and_then(years),
        }
    }

    /// When this condition holds exactly when one number lies in one interval,
    /// that number and interval.
    ///
    /// Recognised: `S < c`, `S <= c`, `S > c`, `S >= c` (either way round),
    /// `S == c`, `S in a..b`, and `and` of such on the same `S`. Anything else,
    /// including `!=`, `not` and `or`, gives `None`. The interval may be empty
    /// (`age < 1 and age > 5`).
    pub fn interval(&self) -> Option<(NumSubject, Interval)> {
        match self {
            Expr::Compare { op, left, right } => {
                let (subject, op, limit) = match (left.as_ref(), right.as_ref()) {
                    (subject, Expr::Number(limit)) => (subject.num_subject()?, *op, *limit),
                    (Expr::Number(limit), subject) => {
                        (subject.num_subject()?, op.flipped(), *limit)
                    }
                    _ => return None,
                };
                let interval = match op {
                    CompareOp::Lt | CompareOp::Le => Interval {
                        high: limit,
                        high_inclusive: op == CompareOp::Le,
                        ..Interval::ALL
                    },
                    CompareOp::Gt | CompareOp::Ge => Interval {
                        low: limit,
                        low_inclusive: op == CompareOp::Ge,
                        ..Interval::ALL
                    },
                    CompareOp::Eq => Interval {
                        low: limit,
                        low_inclusive: true,
                        high: limit,
                        high_inclusive: true,
                    },
                    CompareOp::Ne => return None,
                };
                Some((subject, interval))
            }
            Expr::InRange { subject, low, high } => {
                Some((subject.num_subject()?, Interval::band(*low, *high)))
            }
            Expr::And(items) => {
                let mut items = items.iter();
                let (subject, mut interval) = items.next()?.interval()?;
                for item in items {
                    let (other_subject, other) = item.interval()?;
                    if other_subject != subject {
                        return None;
                    }
                    interval = interval.intersect(&other);
                }
                Some((subject, interval))
            }
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------
// Type checking
// ---------------------------------------------------------------------------

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
fn closest<'a>(target: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
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

/// Edit distance counting a swap of two neighbouring letters as one edit
/// (optimal string alignment), so `bleu` is one edit from `blue`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    // Row-major (a.len() + 1) x (b.len() + 1) table; every read is in bounds,
    // `get` keeps it panic-free regardless.
    let mut table = vec![0usize; (a.len() + 1) * width];
    let at = |table: &[usize], i: usize, j: usize| {
        table.get(i * width + j).copied().unwrap_or(usize::MAX)
    };
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            let value = if i == 0 || j == 0 {
                i.max(j)
            } else {
                let ca = a.get(i - 1);
                let cb = b.get(j - 1);
                let substitution = usize::from(ca != cb);
                let mut best = at(&table, i - 1, j - 1)
                    .saturating_add(substitution)
                    .min(at(&table, i - 1, j).saturating_add(1))
                    .min(at(&table, i, j - 1).saturating_add(1));
                if i > 1 && j > 1 && ca == b.get(j - 2) && a.get(i - 2) == cb {
                    best = best.min(at(&table, i - 2, j - 2).saturating_add(1));
                }
                best
            };
            if let Some(cell) = table.get_mut(i * width + j) {
                *cell = value;
            }
        }
    }
    at(&table, a.len(), b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Node ids and answers of the test pathway.
    const CHEST_PAIN: NodeIdx = 10;
    const COLOUR: NodeIdx = 11;
    const SYMPTOMS: NodeIdx = 12;
    const TEMPERATURE: NodeIdx = 13;
    const BREATHING: NodeIdx = 15;
    const ONSET: NodeIdx = 16;

    struct TestQuestion {
        id: &'static str,
        node: NodeIdx,
        kind: QuestionKindDoc,
        answers: Vec<String>,
    }

    struct TestScope {
        questions: Vec<TestQuestion>,
        variables: Vec<(&'static str, VariableKind)>,
    }

    fn question(
        id: &'static str,
        node: NodeIdx,
        kind: QuestionKindDoc,
        answers: &[&str],
    ) -> TestQuestion {
        TestQuestion {
            id,
            node,
            kind,
            answers: answers.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    fn scope() -> TestScope {
        use QuestionKindDoc::*;
        TestScope {
            questions: vec![
                question("chest-pain", CHEST_PAIN, YesNo, &["yes", "no", "not_sure"]),
                question("colour", COLOUR, Single, &["blue", "normal"]),
                question(
                    "symptoms",
                    SYMPTOMS,
                    Multiple,
                    &["rash", "stiff", "none", "not_sure"],
                ),
                question(
                    "temperature",
                    TEMPERATURE,
                    Number,
                    &["band-1", "band-2", "not_sure"],
                ),
                question("rate", 14, Number, &["band-1"]),
                question("breathing", BREATHING, YesNo, &["yes", "no"]),
                question("onset", ONSET, Single, &["3", "age", "2-days"]),
            ],
            variables: vec![
                ("cardiac", VariableKind::Bool),
                ("pain-level", VariableKind::Number),
                ("sepsis", VariableKind::Score),
            ],
        }
    }

    impl Scope for TestScope {
        fn question(&self, id: &str) -> Option<QuestionInfo<'_>> {
            self.questions
                .iter()
                .find(|q| q.id == id)
                .map(|q| QuestionInfo {
                    node: q.node,
                    kind: q.kind,
                    answer_ids: &q.answers,
                })
        }

        fn variable(&self, name: &str) -> Option<(VariableIdx, VariableKind)> {
            let index = self.variables.iter().position(|(n, _)| *n == name)?;
            let (_, kind) = self.variables.get(index)?;
            Some((VariableIdx::try_from(index).ok()?, *kind))
        }

        fn question_ids(&self) -> Vec<&str> {
            self.questions.iter().map(|q| q.id).collect()
        }

        fn variable_names(&self) -> Vec<(&str, VariableKind)> {
            self.variables.clone()
        }
    }

    #[derive(Clone)]
    struct TestFacts {
        age_years: f64,
        age_months: f64,
        sex: SexDoc,
        answers: Vec<(NodeIdx, AnswerFact)>,
        variables: [f64; 3],
    }

    impl TestFacts {
        fn new() -> TestFacts {
            TestFacts {
                age_years: 30.0,
                age_months: 360.0,
                sex: SexDoc::Female,
                answers: Vec::new(),
                variables: [0.0; 3],
            }
        }

        fn aged(years: f64) -> TestFacts {
            TestFacts {
                age_years: years,
                age_months: (years * 12.0).floor(),
                ..TestFacts::new()
            }
        }

        fn with(mut self, question: NodeIdx, fact: AnswerFact) -> TestFacts {
            self.answers.push((question, fact));
            self
        }
    }

    impl Facts for TestFacts {
        fn age_years(&self) -> f64 {
            self.age_years
        }
        fn age_months(&self) -> f64 {
            self.age_months
        }
        fn sex(&self) -> SexDoc {
            self.sex
        }
        fn answer(&self, question: NodeIdx) -> Option<AnswerFact> {
            self.answers
                .iter()
                .rev()
                .find(|(q, _)| *q == question)
                .map(|(_, fact)| *fact)
        }
        fn variable(&self, variable: VariableIdx) -> f64 {
            self.variables
                .get(usize::from(variable))
                .copied()
                .unwrap_or(0.0)
        }
    }

    fn checked_as(text: &str, expected: Type) -> Expr {
        let surface = parse(text).unwrap_or_else(|e| panic!("{text:?} does not parse: {e:?}"));
        check(&surface, &scope(), expected)
            .unwrap_or_else(|e| panic!("{text:?} does not check: {e:?}"))
    }

    fn checked(text: &str) -> Expr {
        checked_as(text, Type::Bool)
    }

    fn error_as(text: &str, expected: Type) -> ExprError {
        let result = parse(text).and_then(|surface| check(&surface, &scope(), expected));
        match result {
            Err(error) => error,
            Ok(expr) => panic!("{text:?} was accepted as {expr:?}"),
        }
    }

    fn error(text: &str) -> ExprError {
        error_as(text, Type::Bool)
    }

    fn help(error: &ExprError) -> &str {
        error.help.as_deref().unwrap_or("")
    }

    fn holds(text: &str, facts: &TestFacts) -> bool {
        checked(text).eval_bool(facts)
    }

    /// The parsed tree in prefix form, to check grouping.
    fn shape(expr: &SurfaceExpr) -> String {
        let join = |name: &str, items: &[SurfaceExpr]| {
            let inner: Vec<String> = items.iter().map(shape).collect();
            format!("({name} {})", inner.join(" "))
        };
        match &expr.kind {
            SurfaceKind::Bool(b) => b.to_string(),
            SurfaceKind::Number { text, .. } => text.clone(),
            SurfaceKind::Word(w) => w.clone(),
            SurfaceKind::Age => "age".to_owned(),
            SurfaceKind::AgeMonths => "age_months".to_owned(),
            SurfaceKind::Sex => "sex".to_owned(),
            SurfaceKind::Answer { id, .. } => format!("answer.{id}"),
            SurfaceKind::Answered { id, .. } => format!("answered({id})"),
            SurfaceKind::Var { name, .. } => format!("var.{name}"),
            SurfaceKind::Score { name, .. } => format!("score.{name}"),
            SurfaceKind::Compare {
                op, left, right, ..
            } => format!("({op} {} {})", shape(left), shape(right)),
            SurfaceKind::In {
                subject, low, high, ..
            } => format!("(in {} {low} {high})", shape(subject)),
            SurfaceKind::Has {
                subject, option, ..
            } => format!("(has {} {option})", shape(subject)),
            SurfaceKind::Not(inner) => format!("(not {})", shape(inner)),
            SurfaceKind::And(items) => join("and", items),
            SurfaceKind::Or(items) => join("or", items),
        }
    }

    fn parsed_shape(text: &str) -> String {
        shape(&parse(text).unwrap_or_else(|e| panic!("{text:?} does not parse: {e:?}")))
    }

    // --- parsing ---------------------------------------------------------

    #[test]
    fn precedence_is_or_then_and_then_not_then_comparison() {
        assert_eq!(
            parsed_shape("not age < 5 or var.a and score.b >= 2"),
            "(or (not (< age 5)) (and var.a (>= score.b 2)))"
        );
        assert_eq!(
            parsed_shape("a or b or c and d and e"),
            "(or a b (and c d e))"
        );
        assert_eq!(
            parsed_shape("not (age < 5 or sex == male)"),
            "(not (or (< age 5) (== sex male)))"
        );
        assert_eq!(parsed_shape("not not true"), "(not (not true))");
    }

    #[test]
    fn precedence_decides_evaluation() {
        let facts = TestFacts::new();
        // `and` binds tighter than `or`: true or (false and false).
        assert!(holds("true or false and false", &facts));
        // `not` binds tighter than `or`: (not true) or true.
        assert!(holds("not true or true", &facts));
        // `not` binds looser than comparison: not (age < 5).
        assert!(holds("not age < 5", &facts));
        assert!(!holds("(true or false) and false", &facts));
    }

    #[test]
    fn parses_names_literals_and_ranges() {
        assert_eq!(
            parsed_shape("answer.chest-pain == not_sure"),
            "(== answer.chest-pain not_sure)"
        );
        assert_eq!(
            parsed_shape("answered(temperature) and age_months < 3"),
            "(and answered(temperature) (< age_months 3))"
        );
        assert_eq!(parsed_shape("age in 1..5"), "(in age 1 5)");
        assert_eq!(parsed_shape("age in 0.5..1.5"), "(in age 0.5 1.5)");
        assert_eq!(parsed_shape("-1 < age"), "(< -1 age)");
        assert_eq!(
            parsed_shape("answer.symptoms has rash"),
            "(has answer.symptoms rash)"
        );
        assert_eq!(
            parsed_shape("answer.onset == 2-days"),
            "(== answer.onset 2-days)"
        );
        assert_eq!(
            parsed_shape("answer.1st-visit == yes"),
            "(== answer.1st-visit yes)"
        );
        assert_eq!(parsed_shape("\n age\t<=\r\n37.5 "), "(<= age 37.5)");
    }

    #[test]
    fn parse_keeps_byte_offsets() {
        let surface =
            parse("age < 5 and answer.colour == blue").unwrap_or_else(|e| panic!("{e:?}"));
        let SurfaceKind::And(items) = &surface.kind else {
            panic!("not an and: {surface:?}");
        };
        let offsets: Vec<usize> = items.iter().map(|item| item.offset).collect();
        assert_eq!(offsets, [0, 12]);
        let Some(SurfaceKind::Compare {
            op_offset,
            left,
            right,
            ..
        }) = items.get(1).map(|item| &item.kind)
        else {
            panic!("not a comparison");
        };
        assert_eq!(*op_offset, 26);
        assert!(matches!(
            left.kind,
            SurfaceKind::Answer { id_offset: 19, .. }
        ));
        assert_eq!(right.offset, 29);
    }

    fn syntax_error_at(text: &str, offset: usize) -> ExprError {
        let error = parse(text)
            .err()
            .unwrap_or_else(|| panic!("{text:?} parsed"));
        assert_eq!(error.kind, ExprErrorKind::Syntax, "{text:?}: {error:?}");
        assert_eq!(error.offset, offset, "{text:?}: {error:?}");
        error
    }

    #[test]
    fn syntax_errors_point_at_the_offending_token() {
        syntax_error_at("age < ", 6);
        assert!(help(&syntax_error_at("age = 5", 4)).contains("=="));
        assert!(help(&syntax_error_at("age < 5 age", 8)).contains("and"));
        assert!(syntax_error_at("(age < 5", 8).message.contains("`)`"));
        assert!(syntax_error_at("age < 5)", 7)
            .message
            .contains("no matching"));
        assert!(syntax_error_at("1 < age < 5", 8)
            .message
            .contains("chained"));
        assert!(syntax_error_at("age < 5 in 1..2", 8)
            .message
            .contains("chained"));
        assert!(help(&syntax_error_at("answer.colour == \"blue\"", 17)).contains("bare"));
        assert!(help(&syntax_error_at("age < 5 AND sex == male", 8)).contains("`and`"));
        assert!(syntax_error_at("age < 37.5c", 6)
            .message
            .contains("`37.5c`"));
        assert!(syntax_error_at("age in 5..1", 7).message.contains("empty"));
        syntax_error_at("age in 3..3", 7);
        syntax_error_at("age in 1...5", 10);
        syntax_error_at("age in 1..age", 10);
        syntax_error_at("age in 1", 8);
        syntax_error_at("", 0);
        syntax_error_at("   ", 0);
        assert!(help(&syntax_error_at("age < - 1", 6)).contains("arithmetic"));
        assert!(help(&syntax_error_at("age > 5 && sex == male", 8)).contains("and"));
        assert!(help(&syntax_error_at("!answered(colour)", 0)).contains("not"));
        assert!(help(&syntax_error_at("age + 1 > 5", 4)).contains("arithmetic"));
        syntax_error_at("answer colour == blue", 7);
        syntax_error_at("answer.", 7);
        syntax_error_at("answered colour", 9);
        syntax_error_at("answered(colour", 15);
        syntax_error_at("var.", 4);
        syntax_error_at("age < 5 and", 11);
        syntax_error_at("age < 5 or or true", 11);
        syntax_error_at("answer.symptoms has", 19);
        syntax_error_at("age == not true", 7);
        syntax_error_at("()", 1);
        syntax_error_at(&format!("age < 1{}", "0".repeat(400)), 6);
    }

    #[test]
    fn non_ascii_is_refused_at_its_offset() {
        let error = syntax_error_at("âge < 5", 0);
        assert!(error.message.contains('â'), "{error:?}");
        let error = syntax_error_at("age < 5 – 1", 8);
        assert!(error.message.contains('–'), "{error:?}");
        syntax_error_at("age\u{a0}< 5", 3);
        syntax_error_at("age < 5 and 🚑", 12);
    }

    // --- names -----------------------------------------------------------

    fn unknown(text: &str, offset: usize) -> ExprError {
        let error = error(text);
        assert_eq!(
            error.kind,
            ExprErrorKind::UnknownName,
            "{text:?}: {error:?}"
        );
        assert_eq!(error.offset, offset, "{text:?}: {error:?}");
        error
    }

    #[test]
    fn unknown_question_suggests_the_near_one_and_lists_questions() {
        let error = unknown("answer.colur == blue", 7);
        assert!(error.message.contains("colur"));
        assert!(help(&error).contains("did you mean `colour`?"), "{error:?}");
        assert!(
            help(&error).contains("chest-pain, colour, symptoms"),
            "{error:?}"
        );
        let error = unknown("answered(nothing)", 9);
        assert!(!help(&error).contains("did you mean"), "{error:?}");
        let error = unknown("answer.temperature-1 > 37", 7);
        assert!(help(&error).contains("no subtraction"), "{error:?}");
    }

    #[test]
    fn unknown_answer_lists_the_questions_answers() {
        let error = unknown("answer.colour == bleu", 17);
        assert!(help(&error).contains("did you mean `blue`?"), "{error:?}");
        assert!(
            help(&error).contains("answers are: blue, normal"),
            "{error:?}"
        );
        let error = unknown("answer.chest-pain == maybe", 21);
        assert!(
            help(&error).contains("this question's answers are: yes, no, not_sure"),
            "{error:?}"
        );
        let error = unknown("answer.breathing == not_sure", 20);
        assert!(
            help(&error).contains("does not offer not_sure"),
            "{error:?}"
        );
        let error = unknown("answer.symptoms has fever", 20);
        assert!(
            help(&error).contains("rash, stiff, none, not_sure"),
            "{error:?}"
        );
        let error = unknown("answer.rate == not_sure", 15);
        assert!(error.message.contains("does not offer"), "{error:?}");
    }

    #[test]
    fn variables_and_scores_need_the_right_prefix() {
        let error = unknown("var.sepsis > 2", 4);
        assert!(help(&error).contains("`score.sepsis`"), "{error:?}");
        let error = unknown("score.cardiac > 1", 6);
        assert!(help(&error).contains("`var.cardiac`"), "{error:?}");
        let error = unknown("score.pain-level > 1", 6);
        assert!(help(&error).contains("`var.pain-level`"), "{error:?}");
        let error = unknown("var.cardic", 4);
        assert!(
            help(&error).contains("did you mean `var.cardiac`?"),
            "{error:?}"
        );
        assert!(
            help(&error).contains("var.cardiac, var.pain-level, score.sepsis"),
            "{error:?}"
        );
        let error = unknown("score.seps > 1", 6);
        assert!(
            help(&error).contains("did you mean `score.sepsis`?"),
            "{error:?}"
        );
    }

    #[test]
    fn bare_words_get_a_hint_at_what_was_meant() {
        assert!(help(&unknown("colour == blue", 0)).contains("`answer.colour`"));
        assert!(help(&unknown("cardiac", 0)).contains("`var.cardiac`"));
        assert!(help(&unknown("female", 0)).contains("sex == female"));
        assert!(help(&unknown("age < 5 and yes", 12)).contains("answer.ID == yes"));
        assert!(help(&unknown("fever", 0)).contains("names are"));
        let error = unknown("sex == other", 7);
        assert!(help(&error).contains("female"), "{error:?}");
    }

    // --- types -----------------------------------------------------------

    fn type_error(text: &str, offset: usize) -> ExprError {
        let error = error(text);
        assert_eq!(error.kind, ExprErrorKind::Type, "{text:?}: {error:?}");
        assert_eq!(error.offset, offset, "{text:?}: {error:?}");
        error
    }

    #[test]
    fn a_choice_answer_must_be_compared() {
        let error = type_error("answer.chest-pain", 0);
        assert_eq!(help(&error), "compare it: `answer.chest-pain == yes`");
        let error = type_error("true and answer.colour", 9);
        assert_eq!(help(&error), "compare it: `answer.colour == blue`");
        let error = type_error("answer.colour < 3", 0);
        assert!(help(&error).contains("answer.colour =="), "{error:?}");
        let error = type_error("answer.symptoms", 0);
        assert!(help(&error).contains("has rash"), "{error:?}");
        let error = type_error("answer.symptoms == rash", 0);
        assert!(
            help(&error).contains("answer.symptoms has rash"),
            "{error:?}"
        );
        let error = type_error("answer.colour == answer.chest-pain", 17);
        assert!(help(&error).contains("blue, normal"), "{error:?}");
        type_error("answer.colour == true", 17);
    }

    #[test]
    fn has_needs_a_multiple_choice_question() {
        let error = type_error("answer.colour has blue", 14);
        assert!(help(&error).contains("answer.colour == blue"), "{error:?}");
        type_error("answer.temperature has band-1", 19);
        type_error("age has rash", 4);
    }

    #[test]
    fn comparisons_need_matching_types() {
        type_error("var.cardiac < 1", 0);
        type_error("age >= var.cardiac", 7);
        let error = type_error("var.cardiac == 1", 15);
        assert!(error.message.contains("cannot compare"), "{error:?}");
        type_error("sex", 0);
        type_error("sex < 3", 0);
        type_error("sex == 3", 7);
        let error = type_error("not age", 4);
        assert!(error.message.contains("after `not`"), "{error:?}");
        type_error("age and true", 0);
        type_error("true or score.sepsis", 8);
        type_error("answered(colour) in 1..2", 0);
        let error = type_error("answer.temperature == high", 22);
        assert!(
            help(&error).contains("answer.temperature >= 38"),
            "{error:?}"
        );
        type_error("answer.temperature == true", 22);
    }

    #[test]
    fn the_top_level_type_must_be_the_expected_one() {
        let error = type_error("age", 0);
        assert!(help(&error).contains("age < 5"), "{error:?}");
        let error = error_as("age < 5", Type::Number);
        assert_eq!((error.kind, error.offset), (ExprErrorKind::Type, 0));
        assert_eq!(checked_as("age", Type::Number), Expr::AgeYears);
        assert_eq!(
            checked_as("answer.temperature", Type::Number),
            Expr::AnswerNumber(TEMPERATURE)
        );
        assert_eq!(
            checked_as("score.sepsis", Type::Number),
            Expr::NumberVariable(2)
        );
        assert_eq!(
            checked_as("(var.pain-level)", Type::Number),
            Expr::NumberVariable(1)
        );
        assert_eq!(checked_as("var.cardiac", Type::Bool), Expr::BoolVariable(0));
    }

    #[test]
    fn answer_ids_that_look_like_numbers_or_names_are_answers() {
        for (text, answer) in [
            ("answer.onset == 3", 0),
            ("answer.onset == age", 1),
            ("answer.onset != 2-days", 2),
        ] {
            let expr = checked(text);
            let Expr::AnswerIs {
                question,
                answer: index,
                ..
            } = expr
            else {
                panic!("{text:?} checked as {expr:?}");
            };
            assert_eq!((question, index), (ONSET, answer), "{text:?}");
        }
        let error = type_error("answer.onset == 4", 16);
        assert!(help(&error).contains("3, age, 2-days"), "{error:?}");
    }

    // --- evaluation ------------------------------------------------------

    #[test]
    fn in_range_includes_the_low_end_and_excludes_the_high_end() {
        let cases = [(0.999, false), (1.0, true), (4.999, true), (5.0, false)];
        for (age, expected) in cases {
            assert_eq!(
                holds("age in 1..5", &TestFacts::aged(age)),
                expected,
                "age {age}"
            );
        }
        assert!(holds("age < 5", &TestFacts::aged(4.999)));
        assert!(!holds("age < 5", &TestFacts::aged(5.0)));
        assert!(holds("age <= 5", &TestFacts::aged(5.0)));
        assert!(holds("-1 < age", &TestFacts::aged(0.0)));
        assert!(holds("age_months < 3", &TestFacts::aged(0.2)));
        assert!(!holds("age_months < 3", &TestFacts::aged(0.25)));
    }

    #[test]
    fn comparisons_on_a_missing_answer_are_false() {
        let facts = TestFacts::new();
        for text in [
            "answer.temperature >= 38",
            "answer.temperature < 38",
            "answer.temperature == 38",
            "answer.temperature != 38",
            "answer.temperature in 30..45",
            "38 <= answer.temperature",
            "answer.chest-pain == yes",
            "answer.chest-pain != yes",
            "answer.temperature == not_sure",
            "answer.temperature != not_sure",
            "answer.symptoms has rash",
            "answered(temperature)",
        ] {
            assert!(!holds(text, &facts), "{text:?}");
        }
        // `not` negates the result as it is.
        assert!(holds("not answer.temperature >= 38", &facts));
        assert!(holds("not answer.chest-pain == yes", &facts));
        assert_eq!(
            checked_as("answer.temperature", Type::Number).eval_number(&facts),
            None
        );
    }

    #[test]
    fn number_answers_compare_as_numbers() {
        let facts = TestFacts::new().with(TEMPERATURE, AnswerFact::Number(38.0));
        assert!(holds("answer.temperature >= 38", &facts));
        assert!(!holds("answer.temperature > 38", &facts));
        assert!(holds("answer.temperature == 38", &facts));
        assert!(holds("(answer.temperature) in 37.5..38.5", &facts));
        assert!(holds("answered(temperature)", &facts));
        assert!(!holds("answer.temperature == not_sure", &facts));
        assert!(holds("answer.temperature != not_sure", &facts));
        let expr = checked_as("answer.temperature", Type::Number);
        assert_eq!(expr.eval_number(&facts), Some(38.0));
    }

    #[test]
    fn not_sure_is_an_answer_like_any_other() {
        let not_sure = TestFacts::new().with(CHEST_PAIN, AnswerFact::Choice(2));
        assert!(holds("answer.chest-pain == not_sure", &not_sure));
        assert!(!holds("answer.chest-pain == yes", &not_sure));
        assert!(holds("answer.chest-pain != yes", &not_sure));
        let number_not_sure = TestFacts::new().with(TEMPERATURE, AnswerFact::Choice(2));
        assert!(holds("answer.temperature == not_sure", &number_not_sure));
        assert!(holds("answered(temperature)", &number_not_sure));
        assert!(!holds("answer.temperature >= 0", &number_not_sure));
        assert!(!holds("answer.temperature < 0", &number_not_sure));
    }

    #[test]
    fn choices_compare_by_answer() {
        let yes = TestFacts::new().with(CHEST_PAIN, AnswerFact::Choice(0));
        let no = TestFacts::new().with(CHEST_PAIN, AnswerFact::Choice(1));
        assert!(holds("answer.chest-pain == yes", &yes));
        assert!(holds("yes == answer.chest-pain", &yes));
        assert!(!holds("answer.chest-pain == yes", &no));
        assert!(holds("answer.chest-pain != yes", &no));
        assert!(holds("answer.chest-pain == no", &no));
        let blue = TestFacts::new().with(COLOUR, AnswerFact::Choice(0));
        assert!(holds("answer.colour == blue or var.cardiac", &blue));
        assert!(!holds("answer.colour == normal", &blue));
    }

    #[test]
    fn has_tests_one_option_of_a_multiple_answer() {
        let rash_and_stiff = TestFacts::new().with(SYMPTOMS, AnswerFact::Multiple(0b11));
        assert!(holds("answer.symptoms has rash", &rash_and_stiff));
        assert!(holds("answer.symptoms has stiff", &rash_and_stiff));
        assert!(!holds("answer.symptoms has none", &rash_and_stiff));
        assert!(!holds("not answer.symptoms has rash", &rash_and_stiff));
        let none = TestFacts::new().with(SYMPTOMS, AnswerFact::Multiple(0b100));
        assert!(holds("answer.symptoms has none", &none));
        assert!(!holds("answer.symptoms has rash", &none));
        let not_sure = TestFacts::new().with(SYMPTOMS, AnswerFact::Choice(3));
        assert!(holds("answer.symptoms has not_sure", &not_sure));
        assert!(!holds("answer.symptoms has rash", &not_sure));
    }

    #[test]
    fn sex_and_variables_evaluate() {
        let mut facts = TestFacts::new();
        assert!(holds("sex == female", &facts));
        assert!(holds("female == sex", &facts));
        assert!(holds("sex != male", &facts));
        facts.sex = SexDoc::Male;
        assert!(!holds("sex == female", &facts));
        assert!(!holds("var.cardiac", &facts));
        assert!(holds("var.cardiac == false", &facts));
        facts.variables = [1.0, 7.0, 3.0];
        assert!(holds("var.cardiac", &facts));
        assert!(holds("var.cardiac != false", &facts));
        assert!(holds(
            "var.pain-level >= 7 and score.sepsis in 3..4",
            &facts
        ));
        assert!(!holds("score.sepsis > 3", &facts));
    }

    #[test]
    fn a_number_expression_is_not_a_condition() {
        let facts = TestFacts::new();
        assert!(!Expr::AgeYears.eval_bool(&facts));
        assert_eq!(Expr::Bool(true).eval_number(&facts), None);
        assert_eq!(checked("age < 5").ty(), Type::Bool);
        assert_eq!(checked_as("age_months", Type::Number).ty(), Type::Number);
    }

    // --- helpers for the validator ---------------------------------------

    fn interval_of(text: &str) -> Option<(NumSubject, Interval)> {
        checked(text).interval()
    }

    fn iv(low: f64, low_inclusive: bool, high: f64, high_inclusive: bool) -> Interval {
        Interval {
            low,
            low_inclusive,
            high,
            high_inclusive,
        }
    }

    #[test]
    fn intervals_of_single_number_conditions() {
        let inf = f64::INFINITY;
        let age = NumSubject::AgeYears;
        assert_eq!(
            interval_of("age < 5"),
            Some((age, iv(-inf, false, 5.0, false)))
        );
        assert_eq!(
            interval_of("age <= 5"),
            Some((age, iv(-inf, false, 5.0, true)))
        );
        assert_eq!(
            interval_of("age > 5"),
            Some((age, iv(5.0, false, inf, false)))
        );
        assert_eq!(
            interval_of("age >= 5"),
            Some((age, iv(5.0, true, inf, false)))
        );
        assert_eq!(
            interval_of("5 <= age"),
            Some((age, iv(5.0, true, inf, false)))
        );
        assert_eq!(
            interval_of("5 > age"),
            Some((age, iv(-inf, false, 5.0, false)))
        );
        assert_eq!(
            interval_of("age in 1..5"),
            Some((age, iv(1.0, true, 5.0, false)))
        );
        assert_eq!(
            interval_of("answer.temperature == 38"),
            Some((NumSubject::Answer(TEMPERATURE), iv(38.0, true, 38.0, true)))
        );
        assert_eq!(
            interval_of("(age >= 1 and age < 5)"),
            Some((age, iv(1.0, true, 5.0, false)))
        );
        assert_eq!(
            interval_of("age_months >= 1 and age_months <= 3 and age_months in 0..2"),
            Some((NumSubject::AgeMonths, iv(1.0, true, 2.0, false)))
        );
        assert_eq!(
            interval_of("score.sepsis >= 2"),
            Some((NumSubject::Variable(2), iv(2.0, true, inf, false)))
        );
        let empty = interval_of("age < 1 and age > 5");
        assert!(
            empty.is_some_and(|(_, interval)| interval.is_empty()),
            "{empty:?}"
        );
    }

    #[test]
    fn intervals_are_none_for_anything_else() {
        for text in [
            "age != 5",
            "not age < 5",
            "age < 5 or age > 10",
            "age < 5 and sex == female",
            "age >= 1 and age_months < 5",
            "age < var.pain-level",
            "1 < 2",
            "answer.temperature == not_sure",
            "var.cardiac",
        ] {
            assert_eq!(interval_of(text), None, "{text:?}");
        }
    }

    #[test]
    fn intervals_overlap_only_when_they_share_a_number() {
        let of = |text: &str| interval_of(text).map(|(_, interval)| interval);
        let below_5 = of("age < 5").unwrap_or(Interval::ALL);
        let from_5 = of("age in 5..10").unwrap_or(Interval::ALL);
        let up_to_5 = of("age <= 5").unwrap_or(Interval::ALL);
        let exactly_5 = of("age == 5").unwrap_or(Interval::ALL);
        assert!(!below_5.overlaps(&from_5));
        assert!(up_to_5.overlaps(&from_5));
        assert!(exactly_5.overlaps(&from_5));
        assert!(!exactly_5.overlaps(&below_5));
        assert!(!exactly_5.is_empty());
        assert!(Interval::band(5.0, 5.0).is_empty());
        assert!(Interval::band(f64::NEG_INFINITY, 1.0).contains(-1e300));
        assert!(!Interval::band(1.0, 2.0).contains(2.0));
        assert_eq!(below_5.to_string(), "(-inf, 5)");
        assert_eq!(from_5.to_string(), "[5, 10)");
        assert_eq!(exactly_5.to_string(), "[5, 5]");
    }

    #[test]
    fn questions_and_answer_references_are_found() {
        let expr = checked(
            "age < 5 and (answer.temperature > 38 or answered(colour)) and answer.temperature < 40",
        );
        assert!(expr.references_answer());
        assert_eq!(expr.questions(), [TEMPERATURE, COLOUR]);
        let expr = checked("not answer.symptoms has rash or answer.chest-pain == yes");
        assert_eq!(expr.questions(), [SYMPTOMS, CHEST_PAIN]);
        let expr = checked("age < 5 and var.cardiac or sex == male or score.sepsis >= 2");
        assert!(!expr.references_answer());
        assert!(expr.questions().is_empty());
    }

    #[test]
    fn checked_expressions_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync + 'static>(value: T) -> T {
            value
        }
        let expr = shareable(checked("age < 5"));
        let handle = std::thread::spawn(move || expr.eval_bool(&TestFacts::aged(3.0)));
        assert!(handle.join().unwrap_or(false));
    }

    // --- hostile input ---------------------------------------------------

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let nested = |depth: usize| format!("{}age < 5{}", "(".repeat(depth), ")".repeat(depth));
        assert!(parse(&nested(MAX_NESTING)).is_ok());
        let error = syntax_error_at(&nested(MAX_NESTING + 1), MAX_NESTING);
        assert!(error.message.contains("nested"), "{error:?}");
        assert!(parse(&format!("{}true", "not ".repeat(MAX_NESTING))).is_ok());
        syntax_error_at(
            &format!("{}true", "not ".repeat(MAX_NESTING + 1)),
            4 * MAX_NESTING,
        );
        // Past the length limit, refused before reading.
        syntax_error_at(&nested(10_000), 0);
        syntax_error_at(&"(".repeat(999), MAX_NESTING);
        syntax_error_at(&"not ".repeat(250), 4 * MAX_NESTING);
    }

    #[test]
    fn long_text_is_refused() {
        let error = syntax_error_at(&"a".repeat(1 << 20), 0);
        assert!(error.message.contains("1000"), "{error:?}");
        let mut text = "true".to_owned();
        while text.len() + " or true".len() <= MAX_TEXT_LEN {
            text.push_str(" or true");
        }
        text.push_str(&" ".repeat(MAX_TEXT_LEN - text.len()));
        assert_eq!(text.len(), MAX_TEXT_LEN);
        assert!(parse(&text).is_ok());
        text.push(' ');
        syntax_error_at(&text, 0);
    }

    #[test]
    fn long_chains_stay_shallow() {
        let text = vec!["age > 1"; 40].join(" and ");
        let expr = checked(&text);
        let Expr::And(items) = &expr else {
            panic!("not an and: {expr:?}");
        };
        assert_eq!(items.len(), 40);
    }

    #[test]
    fn check_refuses_hand_built_deep_trees() {
        let mut surface = SurfaceExpr {
            offset: 0,
            kind: SurfaceKind::Bool(true),
        };
        for _ in 0..10_000 {
            surface = SurfaceExpr {
                offset: 0,
                kind: SurfaceKind::Not(Box::new(surface)),
            };
        }
        let error = check(&surface, &scope(), Type::Bool).err();
        assert!(error.is_some_and(|e| e.message.contains("nested")));
        // Dismantle iteratively so the test does not depend on a deep recursive drop.
        while let SurfaceKind::Not(inner) = surface.kind {
            surface = *inner;
        }
    }

    #[test]
    fn suggestions_catch_typos_but_not_unrelated_names() {
        assert_eq!(edit_distance("bleu", "blue"), 1);
        assert_eq!(edit_distance("colur", "colour"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(
            closest("seps", ["sepsis", "cardiac"].into_iter()),
            Some("sepsis")
        );
        assert_eq!(closest("age", ["rate", "sex"].into_iter()), None);
        assert_eq!(closest("blue", ["blue"].into_iter()), None);
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        const TOKENS: &[&str] = &[
            "(",
            ")",
            "not",
            "and",
            "or",
            "in",
            "has",
            "==",
            "!=",
            "<",
            "<=",
            ">",
            ">=",
            "..",
            ".",
            "age",
            "age_months",
            "sex",
            "female",
            "male",
            "true",
            "false",
            "answer.colour",
            "answer.chest-pain",
            "answer.symptoms",
            "answer.temperature",
            "answered(colour)",
            "var.cardiac",
            "var.pain-level",
            "score.sepsis",
            "yes",
            "no",
            "not_sure",
            "rash",
            "blue",
            "1",
            "5",
            "37.5",
            "-1",
            "2..8",
            "-",
            "answer",
            "var",
        ];

        fn run_everything(text: &str) {
            let Ok(surface) = parse(text) else { return };
            for expected in [Type::Bool, Type::Number] {
                if let Ok(expr) = check(&surface, &scope(), expected) {
                    let facts = TestFacts::aged(3.0)
                        .with(COLOUR, AnswerFact::Choice(1))
                        .with(SYMPTOMS, AnswerFact::Multiple(u64::MAX))
                        .with(TEMPERATURE, AnswerFact::Number(f64::NAN));
                    let _ = expr.eval_bool(&facts);
                    let _ = expr.eval_number(&facts);
                    let _ = expr.interval();
                    let _ = expr.questions();
                }
            }
        }

        proptest! {
            #[test]
            fn any_text_is_handled_without_panic(text in "\\PC{0,200}") {
                run_everything(&text);
            }

            #[test]
            fn any_bytes_are_handled_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
                run_everything(&String::from_utf8_lossy(&bytes));
            }

            #[test]
            fn token_soup_is_handled_without_panic(
                tokens in prop::collection::vec(prop::sample::select(TOKENS), 0..30)
            ) {
                run_everything(&tokens.join(" "));
            }

            /// `interval()` must describe exactly when the condition holds, or the
            /// overlap check built on it would be wrong.
            #[test]
            fn interval_agrees_with_evaluation(
                parts in prop::collection::vec(
                    (0usize..7, prop::sample::select(&[-1.0f64, 0.0, 1.0, 2.5, 5.0, 16.0][..]), 0.5f64..4.0, any::<bool>()),
                    1..4,
                ),
                probes in prop::collection::vec(-3.0f64..25.0, 0..8),
            ) {
                let ops = ["<", "<=", ">", ">=", "=="];
                let conditions: Vec<String> = parts
                    .iter()
                    .map(|(op, limit, width, flipped)| match ops.get(*op) {
                        Some(op) if *flipped => format!("{limit} {} age", CompareOp::flipped(match *op {
                            "<" => CompareOp::Lt, "<=" => CompareOp::Le, ">" => CompareOp::Gt,
                            ">=" => CompareOp::Ge, _ => CompareOp::Eq,
                        })),
                        Some(op) => format!("age {op} {limit}"),
                        None => format!("age in {limit}..{}", limit + width),
                    })
                    .collect();
                let text = conditions.join(" and ");
                let expr = checked(&text);
                let interval = expr.interval();
                prop_assert!(interval.is_some(), "{} has no interval", text);
                let Some((subject, interval)) = interval else { return Ok(()) };
                prop_assert_eq!(subject, NumSubject::AgeYears);
                let mut ages = probes;
                for (_, limit, width, _) in &parts {
                    ages.extend([*limit, limit - 0.001, limit + 0.001, limit + width]);
                }
                for age in ages {
                    prop_assert_eq!(
                        expr.eval_bool(&TestFacts::aged(age)),
                        interval.contains(age),
                        "{} at age {} with {}", text, age, interval
                    );
                }
            }
        }
    }
}
