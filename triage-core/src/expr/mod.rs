//! The branch expression language: parse, type-check, evaluate.
//!
//! Authors write conditions such as `age < 5 and answer.temperature >= 38` or
//! `answer.colour == pale or var.pregnant`. [`parse`] reads the text into a
//! [`SurfaceExpr`] with byte offsets, `check` resolves names against a
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

/// Deepest [`SurfaceExpr`] tree `check` accepts (a parsed text stays far below it).
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
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
    pub(crate) fn flipped(self) -> CompareOp {
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
/// resolved by `check`.
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
/// Built by `check`; trees from parsed text are shallow (see [`MAX_NESTING`]),
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

    /// The same expression with every question it reads renumbered by `map`;
    /// `None` when `map` has no new number for one of them.
    pub(crate) fn map_questions(&self, map: &impl Fn(NodeIdx) -> Option<NodeIdx>) -> Option<Expr> {
        let boxed = |inner: &Expr| inner.map_questions(map).map(Box::new);
        let all = |items: &[Expr]| {
            items
                .iter()
                .map(|item| item.map_questions(map))
                .collect::<Option<Vec<_>>>()
        };
        Some(match self {
            Expr::AnswerNumber(question) => Expr::AnswerNumber(map(*question)?),
            Expr::Answered(question) => Expr::Answered(map(*question)?),
            Expr::AnswerIs {
                question,
                answer,
                equal,
            } => Expr::AnswerIs {
                question: map(*question)?,
                answer: *answer,
                equal: *equal,
            },
            Expr::Has { question, answer } => Expr::Has {
                question: map(*question)?,
                answer: *answer,
            },
            Expr::Compare { op, left, right } => Expr::Compare {
                op: *op,
                left: boxed(left)?,
                right: boxed(right)?,
            },
            Expr::BoolEquals { equal, left, right } => Expr::BoolEquals {
                equal: *equal,
                left: boxed(left)?,
                right: boxed(right)?,
            },
            Expr::InRange { subject, low, high } => Expr::InRange {
                subject: boxed(subject)?,
                low: *low,
                high: *high,
            },
            Expr::Not(inner) => Expr::Not(boxed(inner)?),
            Expr::And(items) => Expr::And(all(items)?),
            Expr::Or(items) => Expr::Or(all(items)?),
            Expr::Bool(_)
            | Expr::Number(_)
            | Expr::AgeYears
            | Expr::AgeMonths
            | Expr::BoolVariable(_)
            | Expr::NumberVariable(_)
            | Expr::SexIs { .. } => self.clone(),
        })
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
    pub fn num_subject(&self) -> Option<NumSubject> {
        match self {
            Expr::AgeYears => Some(NumSubject::AgeYears),
            Expr::AgeMonths => Some(NumSubject::AgeMonths),
            Expr::AnswerNumber(question) => Some(NumSubject::Answer(*question)),
            Expr::NumberVariable(variable) => Some(NumSubject::Variable(*variable)),
            _ => None,
        }
    }

    /// The ages (in years) a band `[from, below)` holds when `self` is the
    /// number a branch splits and that number is `age` or `age_months`.
    pub fn age_band(&self, from: f64, below: f64) -> Option<Interval> {
        let scale = match self {
            Expr::AgeYears => 1.0,
            Expr::AgeMonths => 12.0,
            _ => return None,
        };
        Some(Interval::band(from / scale, below / scale))
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

mod check;
pub use check::check;

#[cfg(test)]
mod tests;
