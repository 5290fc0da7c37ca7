//! YAML reading: one pass over the parser's events builds a small located tree
//! ([`Node`]), and one small serde deserializer reads the model types from it.
//!
//! Reading the text once into a tree, then deserializing every model type from
//! that tree, keeps one simple deserializer for all types: the browser module
//! stays small, and every error carries the line and column of the node where
//! it arises.
//!
//! Scalars follow the YAML 1.2 core schema: plain `true`/`false` are booleans,
//! plain numbers are numbers, plain `null`, `~` and nothing are null, and
//! everything else (including `yes`, `no` and every quoted scalar) is text.
//! Anchors, aliases and tags are refused, so alias bombs cannot happen.

use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, Visitor};
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, Span};
use std::fmt;

/// Deepest nesting of sequences and mappings accepted.
pub const MAX_DEPTH: usize = 48;
/// Most values (scalars, sequences and mappings) a file may hold.
pub const MAX_NODES: usize = 200_000;

/// Name of the struct through which [`crate::model::Spanned`] asks for a node's location.
pub(crate) const SPANNED: &str = "$triage::Spanned";

/// Packs a node's location into the one number [`SpannedReader`] hands over.
pub(crate) fn pack_location(line: u32, column: u32, len: u32) -> u128 {
    (u128::from(line) << 64) | (u128::from(column) << 32) | u128::from(len)
}

/// The inverse of [`pack_location`]: line, column, length.
pub(crate) fn unpack_location(packed: u128) -> (u32, u32, u32) {
    let part = |shift: u32| u32::try_from((packed >> shift) & u128::from(u32::MAX)).unwrap_or(0);
    (part(64), part(32), part(0))
}

/// One YAML value with where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What the value is.
    pub kind: NodeKind,
    /// 1-based line of the value's first character.
    pub line: u32,
    /// 1-based column of the value's first character.
    pub column: u32,
    /// Characters the value spans in the source (a quoted scalar includes its quotes).
    pub len: u32,
}

/// The shape of a [`Node`].
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar; `plain` when written without quotes or block indicators.
    Scalar {
        /// The text after escape processing.
        text: String,
        /// True for a plain (unquoted) scalar, the only kind read as a bool, number or null.
        plain: bool,
    },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, entries in the order written (repeated keys kept).
    Map(Vec<(Node, Node)>),
}

/// What went wrong reading a file.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorKind {
    /// The text is not valid YAML.
    Syntax(String),
    /// The file exceeds a safety limit, or uses anchors or aliases.
    Budget(String),
    /// A key the mapping does not allow.
    UnknownField {
        /// The key as written.
        field: String,
        /// The keys allowed.
        expected: &'static [&'static str],
    },
    /// A required key is absent.
    MissingField(&'static str),
    /// A key written twice.
    DuplicateField(&'static str),
    /// A word that is not one of the allowed ones.
    UnknownVariant {
        /// The word as written.
        variant: String,
        /// The words allowed.
        expected: &'static [&'static str],
    },
    /// A value of the wrong type, or an unacceptable value.
    Invalid(String),
    /// A quoted scalar whose escapes spell a character that could steer a
    /// terminal or a page (`"\e[2J"`): the character, named.
    Steering(String),
}

/// An error with the location of the node where it arose.
///
/// Boxed: errors travel through every generic deserializer function, and a
/// pointer-sized error keeps that code small.
#[derive(Debug, Clone, PartialEq)]
pub struct Error(Box<ErrorDetail>);

/// What an [`Error`] holds (line 0: unknown).
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorDetail {
    /// What went wrong.
    pub kind: ErrorKind,
    /// 1-based line, or 0 when unknown.
    pub line: u32,
    /// 1-based column, or 0 when unknown.
    pub column: u32,
    /// For a repeated key: where it was first written.
    pub first: Option<(u32, u32)>,
}

impl std::ops::Deref for Error {
    type Target = ErrorDetail;
    fn deref(&self) -> &ErrorDetail {
        &self.0
    }
}

impl std::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorDetail {
        &mut self.0
    }
}

impl Error {
    fn new(kind: ErrorKind) -> Error {
        Error::with_position(kind, 0, 0)
    }

    fn with_position(kind: ErrorKind, line: u32, column: u32) -> Error {
        Error(Box::new(ErrorDetail {
            kind,
            line,
            column,
            first: None,
        }))
    }

    /// Gives the error `node`'s location unless it already has one.
    #[inline(never)]
    fn at(mut self, node: &Node) -> Error {
        if self.line == 0 {
            self.line = node.line;
            self.column = node.column;
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Syntax(m) | ErrorKind::Budget(m) | ErrorKind::Invalid(m) => f.write_str(m),
            ErrorKind::UnknownField { field, .. } => write!(f, "unknown key `{field}`"),
            ErrorKind::MissingField(field) => write!(f, "missing key `{field}`"),
            ErrorKind::DuplicateField(field) => write!(f, "the key `{field}` is written twice"),
            ErrorKind::UnknownVariant { variant, .. } => {
                write!(f, "`{variant}` is not one of the allowed words")
            }
            ErrorKind::Steering(c) => write!(
                f,
                "control character {c} written as an escape: {}",
                crate::load::STEERS
            ),
        }
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Error {
        Error::new(ErrorKind::Invalid(message.to_string()))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Error {
        Error::new(ErrorKind::UnknownField {
            field: field.to_string(),
            expected,
        })
    }

    fn missing_field(field: &'static str) -> Error {
        Error::new(ErrorKind::MissingField(field))
    }

    fn duplicate_field(field: &'static str) -> Error {
        Error::new(ErrorKind::DuplicateField(field))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Error {
        Error::new(ErrorKind::UnknownVariant {
            variant: variant.to_string(),
            expected,
        })
    }
}

/// Reads `text` (one YAML document) as `T`.
pub fn from_str<T: de::DeserializeOwned>(text: &str) -> Result<T, Error> {
    let root = read(text)?;
    T::deserialize(NodeDeserializer(&root)).map_err(|e| e.at(&root))
}

#[cfg(feature = "authoring")]
/// A file read entry by entry: the document without the entries that did
/// not read, and what was wrong with each of those.
#[derive(Debug)]
pub struct Recovered<T> {
    /// The document, read without the broken entries; `Err` when it still
    /// does not read (a mistake outside the entries, e.g. in a header).
    pub doc: Result<T, Error>,
    /// Each broken entry: its name (a node's key, or the `id` of a list item;
    /// empty when it has none) and its first mistake.
    pub broken: Vec<(String, Error)>,
}

/// Reads `text` as `T`; when that fails, reads each entry of the top-level
/// key `entries` (a mapping of nodes, or a list of items) as `E` on its own,
/// sets aside those that do not read, and reads `T` again without them. So
/// one mistake in one node does not hide the rest of the file, and every
/// independent mistake in the entries is reported in one run.
///
/// A syntax error is not recovered from: the tree cannot be built.
#[cfg(feature = "authoring")]
pub fn from_str_recovering<T, E>(text: &str, entries: &str) -> Result<Recovered<T>, Error>
where
    T: de::DeserializeOwned,
    E: de::DeserializeOwned,
{
    let mut root = read(text)?;
    let first = match T::deserialize(NodeDeserializer(&root)) {
        Ok(doc) => {
            return Ok(Recovered {
                doc: Ok(doc),
                broken: Vec::new(),
            })
        }
        Err(e) => e.at(&root),
    };
    let mut broken = Vec::new();
    if let NodeKind::Map(top) = &mut root.kind {
        let list = top
            .iter_mut()
            .find(|(key, _)| key.scalar().is_some_and(|(k, _)| k == entries))
            .map(|(_, value)| value);
        match list.map(|l| &mut l.kind) {
            Some(NodeKind::Map(items)) => {
                items.retain(
                    |(key, value)| match E::deserialize(NodeDeserializer(value)) {
                        Ok(_) => true,
                        Err(e) => {
                            let name = key.scalar().map_or("", |(k, _)| k).to_string();
                            broken.push((name, e.at(value)));
                            false
                        }
                    },
                )
            }
            Some(NodeKind::Seq(items)) => {
                items.retain(|item| match E::deserialize(NodeDeserializer(item)) {
                    Ok(_) => true,
                    Err(e) => {
                        broken.push((item_id(item), e.at(item)));
                        false
                    }
                })
            }
            _ => {}
        }
    }
    if broken.is_empty() {
        // The mistake is outside the entries: nothing to recover.
        return Ok(Recovered {
            doc: Err(first),
            broken,
        });
    }
    let doc = T::deserialize(NodeDeserializer(&root)).map_err(|e| e.at(&root));
    Ok(Recovered { doc, broken })
}

/// The `id` of a list item written as a mapping, or "".
#[cfg(feature = "authoring")]
fn item_id(item: &Node) -> String {
    let NodeKind::Map(fields) = &item.kind else {
        return String::new();
    };
    fields
        .iter()
        .find(|(key, _)| key.scalar().is_some_and(|(k, _)| k == "id"))
        .and_then(|(_, value)| value.scalar())
        .map_or_else(String::new, |(id, _)| id.to_string())
}

/// The text of the scalar at `path` (keys from the top), if there is one:
/// for naming a file's unit when the file as a whole does not read.
#[cfg(feature = "authoring")]
pub fn scalar_at(text: &str, path: &[&str]) -> Option<String> {
    let root = read(text).ok()?;
    let mut node = &root;
    for key in path {
        let NodeKind::Map(entries) = &node.kind else {
            return None;
        };
        node = &entries
            .iter()
            .find(|(k, _)| k.scalar().is_some_and(|(k, _)| k == *key))?
            .1;
    }
    node.scalar().map(|(text, _)| text.to_string())
}

/// A collection being built while events are read.
enum Open {
    Seq(Node, Vec<Node>),
    Map(Node, Vec<(Node, Node)>, Option<Node>),
}

fn position(span: &Span) -> (u32, u32, u32) {
    let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    (
        to_u32(span.start.line()),
        to_u32(span.start.col().saturating_add(1)),
        to_u32(span.end.index().saturating_sub(span.start.index())),
    )
}

fn budget(message: &str, span: &Span) -> Error {
    let (line, column, _) = position(span);
    Error::with_position(ErrorKind::Budget(message.to_string()), line, column)
}

/// Reads `text` into a tree: exactly one document, within the budgets.
pub fn read(text: &str) -> Result<Node, Error> {
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    let mut nodes = 0usize;
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|e| {
            let mark = e.marker();
            Error::with_position(
                ErrorKind::Syntax(e.kind().to_string()),
                u32::try_from(mark.line()).unwrap_or(u32::MAX),
                u32::try_from(mark.col().saturating_add(1)).unwrap_or(u32::MAX),
            )
        })?;
        let (line, column, len) = position(&span);
        let leaf = |kind| Node {
            kind,
            line,
            column,
            len,
        };
        let is_mapping = matches!(event, Event::MappingStart(..));
        let finished = match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => None,
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    return Err(Error::with_position(
                        ErrorKind::Syntax("the file holds more than one YAML document".into()),
                        line,
                        column,
                    ));
                }
                None
            }
            Event::Alias(_) | Event::Anchor(..) | Event::UnresolvedAlias(_) => {
                return Err(budget(ANCHORS, &span));
            }
            Event::Scalar(value, style, anchor, tag) => {
                refuse_properties(anchor, tag.is_some(), &span)?;
                // The raw text is checked by the loader; escapes are decoded here.
                if let Some(c) = value.chars().find(|c| crate::load::steers(*c)) {
                    return Err(Error::with_position(
                        ErrorKind::Steering(format!("U+{:04X}", u32::from(c))),
                        line,
                        column,
                    ));
                }
                Some(leaf(NodeKind::Scalar {
                    text: value.into_owned(),
                    plain: style == ScalarStyle::Plain,
                }))
            }
            Event::SequenceStart(_, anchor, tag) | Event::MappingStart(_, anchor, tag) => {
                refuse_properties(anchor, tag.is_some(), &span)?;
                if stack.len() >= MAX_DEPTH {
                    return Err(budget(
                        "the YAML is nested too deeply (more than 48 levels)",
                        &span,
                    ));
                }
                nodes += 1;
                if nodes > MAX_NODES {
                    return Err(budget(TOO_MANY, &span));
                }
                let start = leaf(NodeKind::Seq(Vec::new()));
                stack.push(if is_mapping {
                    Open::Map(start, Vec::new(), None)
                } else {
                    Open::Seq(start, Vec::new())
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Open::Seq(mut node, items)) => {
                    node.kind = NodeKind::Seq(items);
                    Some(node)
                }
                Some(Open::Map(mut node, entries, _)) => {
                    node.kind = NodeKind::Map(entries);
                    Some(node)
                }
                None => None,
            },
            #[allow(unreachable_patterns)]
            _ => None,
        };
        let Some(node) = finished else { continue };
        if matches!(node.kind, NodeKind::Scalar { .. }) {
            nodes += 1;
            if nodes > MAX_NODES {
                return Err(budget(TOO_MANY, &span));
            }
        }
        match stack.last_mut() {
            Some(Open::Seq(_, items)) => items.push(node),
            Some(Open::Map(_, entries, key)) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => *key = Some(node),
            },
            None => root = Some(node),
        }
    }
    let empty = || {
        Error::with_position(
            ErrorKind::Syntax("the file holds no YAML content".into()),
            1,
            1,
        )
    };
    let root = root.ok_or_else(empty)?;
    if root.is_null() {
        return Err(empty());
    }
    Ok(root)
}

const ANCHORS: &str = "anchors and aliases (&name, *name) are not used in pathway files";
const TOO_MANY: &str = "the YAML holds too many values (more than 200,000)";

fn refuse_properties(anchor: usize, tagged: bool, span: &Span) -> Result<(), Error> {
    if anchor != 0 {
        return Err(budget(ANCHORS, span));
    }
    if tagged {
        let (line, column, _) = position(span);
        return Err(Error::with_position(
            ErrorKind::Syntax("tags (`!name`) are not used in pathway files".into()),
            line,
            column,
        ));
    }
    Ok(())
}

impl Node {
    /// The text of a scalar.
    fn scalar(&self) -> Option<(&str, bool)> {
        match &self.kind {
            NodeKind::Scalar { text, plain } => Some((text, *plain)),
            _ => None,
        }
    }

    /// True for a plain `null`, `~` or empty scalar.
    fn is_null(&self) -> bool {
        matches!(self.scalar(), Some((t, true)) if matches!(t, "" | "~" | "null" | "Null" | "NULL"))
    }

    fn unexpected(&self) -> de::Unexpected<'_> {
        match &self.kind {
            NodeKind::Scalar { .. } if self.is_null() => de::Unexpected::Unit,
            NodeKind::Scalar { text, .. } => de::Unexpected::Str(text),
            NodeKind::Seq(_) => de::Unexpected::Seq,
            NodeKind::Map(_) => de::Unexpected::Map,
        }
    }
}

/// A plain scalar's value under the YAML 1.2 core schema.
enum Plain {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
}

fn resolve_plain(text: &str) -> Option<Plain> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Plain::Null),
        "true" | "True" | "TRUE" => return Some(Plain::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Plain::Bool(false)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Some(Plain::Float(f64::INFINITY))
        }
        "-.inf" | "-.Inf" | "-.INF" => return Some(Plain::Float(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Some(Plain::Float(f64::NAN)),
        _ => {}
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let first = digits.chars().next()?;
    if !first.is_ascii_digit() && first != '.' {
        return None;
    }
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = text.strip_prefix('+').unwrap_or(text).parse::<u64>() {
            return Some(Plain::Unsigned(n));
        }
        if let Ok(n) = text.parse::<i64>() {
            return Some(Plain::Signed(n));
        }
    }
    // Core-schema floats only: digits, one dot, an exponent (no `_`, `inf`, hex).
    let float_chars = digits
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if float_chars && digits.bytes().any(|b| b.is_ascii_digit()) {
        if let Ok(f) = text.parse::<f64>() {
            return Some(Plain::Float(f));
        }
    }
    None
}

/// Deserializes one [`Node`].
pub(crate) struct NodeDeserializer<'a>(pub(crate) &'a Node);

impl<'a> NodeDeserializer<'a> {
    fn any<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let node = self.0;
        match &node.kind {
            NodeKind::Scalar { text, plain } => match resolve_plain(text).filter(|_| *plain) {
                Some(Plain::Null) => visitor.visit_unit(),
                Some(Plain::Bool(b)) => visitor.visit_bool(b),
                Some(Plain::Unsigned(n)) => visitor.visit_u64(n),
                Some(Plain::Signed(n)) => visitor.visit_i64(n),
                Some(Plain::Float(f)) => visitor.visit_f64(f),
                None => visitor.visit_str(text),
            },
            NodeKind::Seq(items) => visitor.visit_seq(SeqReader(items.iter())),
            NodeKind::Map(entries) => self.map(entries, visitor),
        }
    }

    fn map<'de, V: Visitor<'de>>(
        &self,
        entries: &'a [(Node, Node)],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let mut reader = MapReader { entries, next: 0 };
        let result = visitor.visit_map(&mut reader);
        let next = reader.next;
        result.map_err(|e| locate_map_error(e, entries, next))
    }

    /// A plain scalar read as a number.
    fn number<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let node = self.0;
        let result = match node.scalar() {
            Some((text, true)) => match resolve_plain(text) {
                Some(Plain::Unsigned(n)) => visitor.visit_u64(n),
                Some(Plain::Signed(n)) => visitor.visit_i64(n),
                Some(Plain::Float(f)) => visitor.visit_f64(f),
                _ => self.invalid(&visitor),
            },
            _ => self.invalid(&visitor),
        };
        result.map_err(|e| e.at(node))
    }

    fn invalid<T>(&self, expected: &dyn de::Expected) -> Result<T, Error> {
        Err(de::Error::invalid_type(self.0.unexpected(), expected))
    }
}

/// Locates an error that a mapping's visitor returned without a location.
#[inline(never)]
fn locate_map_error(mut e: Error, entries: &[(Node, Node)], next: usize) -> Error {
    if e.line != 0 {
        return e;
    }
    // A repeated key is noticed after it is read: point at it and at the first one.
    if let (ErrorKind::DuplicateField(_), Some((key, _))) =
        (&e.kind, next.checked_sub(1).and_then(|i| entries.get(i)))
    {
        let first = entries
            .iter()
            .map(|(k, _)| k)
            .find(|k| k.scalar() == key.scalar());
        e.first = first.map(|k| (k.line, k.column));
        return e.at(key);
    }
    // A missing key is noticed at the end: point at the mapping's first key.
    match entries.first() {
        Some((key, _)) => e.at(key),
        None => e,
    }
}

/// The error for a node that is not a single-key mapping where one was expected.
#[inline(never)]
fn not_one_key(count: usize) -> Error {
    Error::new(ErrorKind::Invalid(format!(
        "expected one key saying what this is, found {count}"
    )))
}

macro_rules! forward_to_number {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                self.number(visitor)
            }
        )*
    };
}

macro_rules! forward_to_any {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                self.deserialize_any(visitor)
            }
        )*
    };
}

impl<'de, 'a> Deserializer<'de> for NodeDeserializer<'a> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let node = self.0;
        self.any(visitor).map_err(|e| e.at(node))
    }

    forward_to_any! {
        deserialize_char deserialize_bytes deserialize_byte_buf deserialize_unit
        deserialize_ignored_any
    }

    // Typed requests call only the visitor methods that can succeed, so each
    // visitor instantiates little code.
    forward_to_number! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_u8
        deserialize_u16 deserialize_u32 deserialize_u64 deserialize_f32 deserialize_f64
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let node = self.0;
        let result = match node.scalar() {
            Some((text, true)) => match resolve_plain(text) {
                Some(Plain::Bool(b)) => visitor.visit_bool(b),
                _ => self.invalid(&visitor),
            },
            _ => self.invalid(&visitor),
        };
        result.map_err(|e| e.at(node))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let node = self.0;
        let result = match &node.kind {
            NodeKind::Seq(items) => visitor.visit_seq(SeqReader(items.iter())),
            _ => self.invalid(&visitor),
        };
        result.map_err(|e| e.at(node))
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let node = self.0;
        let result = match &node.kind {
            NodeKind::Map(entries) => self.map(entries, visitor),
            _ => self.invalid(&visitor),
        };
        result.map_err(|e| e.at(node))
    }

    /// Any non-null scalar is text, as written; a mapping is offered as one
    /// (text may be given per language).
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let node = self.0;
        let result = match &node.kind {
            NodeKind::Scalar { text, .. } if !node.is_null() => visitor.visit_str(text),
            NodeKind::Map(entries) => self.map(entries, visitor),
            _ => self.invalid(&visitor),
        };
        result.map_err(|e| e.at(node))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let node = self.0;
        let result = match node.scalar() {
            Some((text, _)) if !node.is_null() => visitor.visit_str(text),
            _ => self.invalid(&visitor),
        };
        result.map_err(|e| e.at(node))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.0.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let node = self.0;
        if name == SPANNED {
            return visitor
                .visit_map(SpannedReader {
                    node,
                    key_read: false,
                })
                .map_err(|e| e.at(node));
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let node = self.0;
        let result = match &node.kind {
            NodeKind::Map(entries) => self.map(entries, visitor),
            _ => self.invalid(&visitor),
        };
        result.map_err(|e| e.at(node))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let node = self.0;
        let result = match &node.kind {
            NodeKind::Scalar { .. } if !node.is_null() => visitor.visit_enum(EnumReader {
                variant: node,
                value: None,
            }),
            NodeKind::Map(entries) => match entries.as_slice() {
                [(key, value)] => visitor.visit_enum(EnumReader {
                    variant: key,
                    value: Some(value),
                }),
                _ => Err(not_one_key(entries.len())),
            },
            _ => self.invalid(&visitor),
        };
        result.map_err(|e| e.at(node))
    }
}

impl<'de, 'a> IntoDeserializer<'de, Error> for NodeDeserializer<'a> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

struct SeqReader<'a>(std::slice::Iter<'a, Node>);

// Readers hand each node to a `NodeDeserializer`, whose every method gives
// its errors the node's location; they need not locate errors again.
impl<'de, 'a> de::SeqAccess<'de> for SeqReader<'a> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.0.next() {
            Some(node) => seed.deserialize(NodeDeserializer(node)).map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct MapReader<'a> {
    entries: &'a [(Node, Node)],
    /// Index of the next entry; the key of `next - 1` was read last.
    next: usize,
}

impl<'de, 'a> de::MapAccess<'de> for MapReader<'a> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, _)) = self.entries.get(self.next) else {
            return Ok(None);
        };
        self.next += 1;
        seed.deserialize(NodeDeserializer(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let Some((_, value)) = self.next.checked_sub(1).and_then(|i| self.entries.get(i)) else {
            return Err(de::Error::custom("a value was read before its key"));
        };
        seed.deserialize(NodeDeserializer(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len().saturating_sub(self.next))
    }
}

/// Hands [`crate::model::Spanned`] the node's location (packed in one number)
/// as a map key, then the node as its value. Key and value are separate
/// methods, so the location code is compiled once, not once per value type.
struct SpannedReader<'a> {
    node: &'a Node,
    key_read: bool,
}

impl<'de, 'a> de::MapAccess<'de> for SpannedReader<'a> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.key_read {
            return Ok(None);
        }
        self.key_read = true;
        let node = self.node;
        seed.deserialize(pack_location(node.line, node.column, node.len).into_deserializer())
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(NodeDeserializer(self.node))
    }
}

struct EnumReader<'a> {
    variant: &'a Node,
    value: Option<&'a Node>,
}

impl<'de, 'a> de::EnumAccess<'de> for EnumReader<'a> {
    type Error = Error;
    type Variant = VariantReader<'a>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, VariantReader<'a>), Error> {
        let variant = seed.deserialize(NodeDeserializer(self.variant))?;
        Ok((
            variant,
            VariantReader {
                variant: self.variant,
                value: self.value,
            },
        ))
    }
}

struct VariantReader<'a> {
    variant: &'a Node,
    value: Option<&'a Node>,
}

impl<'a> VariantReader<'a> {
    fn value(&self, expected: &str) -> Result<&'a Node, Error> {
        self.value.ok_or_else(|| {
            Error::new(ErrorKind::Invalid(format!(
                "`{}` needs {expected} under it",
                self.variant.scalar().map_or("", |(t, _)| t)
            )))
            .at(self.variant)
        })
    }
}

impl<'de, 'a> de::VariantAccess<'de> for VariantReader<'a> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.value {
            None => Ok(()),
            Some(value) if value.is_null() => Ok(()),
            Some(value) => Err(Error::new(ErrorKind::Invalid(format!(
                "`{}` takes nothing under it",
                self.variant.scalar().map_or("", |(t, _)| t)
            )))
            .at(value)),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        let value = self.value("a value")?;
        seed.deserialize(NodeDeserializer(value))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        let value = self.value("a list")?;
        NodeDeserializer(value).deserialize_any(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let value = self.value("a mapping")?;
        NodeDeserializer(value).deserialize_struct("", fields, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_follow_the_core_schema() {
        let read = |t: &str| -> serde_json::Value { from_str(t).unwrap() };
        assert_eq!(
            read("[yes, No, on, true, 12, -3, 1.5, ~, '1', \"true\"]"),
            serde_json::json!(["yes", "No", "on", true, 12, -3, 1.5, null, "1", "true"])
        );
    }

    #[test]
    fn anchors_and_aliases_are_refused() {
        let e = read("a: &x [1]\nb: *x\n").unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Budget(_)), "{e:?}");
        // The anchored value, `[1]`, is where the error points.
        assert_eq!((e.line, e.column), (1, 7));
    }

    #[test]
    fn an_empty_file_is_refused() {
        for text in ["", "---\n", "~\n", "# nothing\n"] {
            let e = read(text).unwrap_err();
            assert!(e.to_string().contains("no YAML content"), "{text:?}: {e}");
        }
    }

    #[test]
    fn two_documents_are_refused() {
        let e = read("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().contains("more than one"));
    }

    #[test]
    fn nodes_know_where_they_start() {
        let root = read("a:\n  b: 'x'\n").unwrap();
        let NodeKind::Map(entries) = &root.kind else {
            panic!("{root:?}")
        };
        let (_, inner) = &entries[0];
        let NodeKind::Map(inner) = &inner.kind else {
            panic!("{inner:?}")
        };
        let (key, value) = &inner[0];
        assert_eq!((key.line, key.column), (2, 3));
        assert_eq!((value.line, value.column, value.len), (2, 6, 3));
    }
}
