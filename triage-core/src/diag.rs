//! Diagnostics: located, coded problems found while loading and validating a bundle.
//!
//! The core only records what went wrong and where; rendering (miette in the
//! CLI, JSON in the browser) happens at the edge.

use serde::Serialize;
use std::fmt;

/// How bad a diagnostic is. Errors stop a bundle from being compiled; warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The bundle cannot be used until this is fixed.
    Error,
    /// Worth fixing, but the bundle is still safe to use.
    Warning,
}

/// A place in a bundle file: 1-based line and column. Line 0 means "the whole file".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Loc {
    /// Index of the file in [`crate::load::Sources`].
    #[serde(skip)]
    pub file: usize,
    /// 1-based line; 0 when the problem is with the file as a whole.
    pub line: u32,
    /// 1-based column; 0 when unknown.
    pub column: u32,
}

impl Loc {
    /// A location for the file as a whole.
    pub fn file(file: usize) -> Loc {
        Loc {
            file,
            line: 0,
            column: 0,
        }
    }

    /// The location of a spanned value inside `file`.
    pub fn at(file: usize, location: crate::model::Location) -> Loc {
        Loc {
            file,
            line: location.line(),
            column: location.column(),
        }
    }

    /// This location moved `columns` to the right (for a spot inside a one-line value).
    pub fn shifted(self, columns: usize) -> Loc {
        if self.line == 0 {
            return self;
        }
        Loc {
            column: self
                .column
                .saturating_add(u32::try_from(columns).unwrap_or(u32::MAX)),
            ..self
        }
    }
}

/// A stable diagnostic code. The list, with what each means and how to fix it,
/// is in `docs/pathway-language.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Code(pub &'static str);

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Code {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Code".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A stable diagnostic code: L, E or W and three digits (docs/pathway-language.md lists them).",
            "type": "string",
            "pattern": "^[LEW][0-9]{3}$",
        })
    }
}

/// One problem, with where it is and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code, e.g. `E203`.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// Where, in which file.
    #[serde(flatten)]
    pub loc: Loc,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// A second place that matters (the first definition of a duplicate, the start of a cycle).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<Related>,
}

/// A second location attached to a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    /// Where.
    #[serde(flatten)]
    pub loc: Loc,
    /// Why it matters, e.g. "first defined here".
    pub message: String,
}

impl Diagnostic {
    /// An error at `loc`.
    pub fn error(code: Code, loc: Loc, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            loc,
            message: message.into(),
            help: None,
            related: None,
        }
    }

    /// A warning at `loc`.
    pub fn warning(code: Code, loc: Loc, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, loc, message)
        }
    }

    /// Adds a fix hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Adds a second location.
    pub fn with_related(mut self, loc: Loc, message: impl Into<String>) -> Diagnostic {
        self.related = Some(Related {
            loc,
            message: message.into(),
        });
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// True if any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

/// True if every error leaves the bundle's graph sound, so it can still be
/// compiled for review (`triage diff`), though never used to triage: empty
/// texts, missing sources, topics, "not sure" to self-care (E402) and
/// audiences without words (E407). References, kinds, expressions, bands and
/// cycles are not among them: with those wrong there is no graph to walk.
pub fn errors_leave_graph_sound(diagnostics: &[Diagnostic]) -> bool {
    // Only authors compare versions; a build for evaluation keeps no such model.
    if !cfg!(feature = "authoring") {
        return !has_errors(diagnostics);
    }
    diagnostics.iter().filter(|d| d.is_error()).all(|d| {
        [
            codes::EMPTY_TEXT,
            codes::NO_SOURCES,
            codes::UNKNOWN_TOPIC,
            codes::TOPIC_NOT_SERVED,
            codes::NOT_SURE_SELF_CARE,
            codes::AUDIENCE_MISSING,
        ]
        .contains(&d.code)
    })
}

/// Every diagnostic code, with a one-line title. Kept in step with
/// `docs/pathway-language.md` by a test.
pub mod codes {
    use super::Code;

    macro_rules! codes {
        ($($name:ident = $code:literal, $title:literal;)*) => {
            $(#[doc = $title] pub const $name: Code = Code($code);)*
            /// Every code with its title.
            pub const ALL: &[(Code, &str)] = &[$(($name, $title)),*];
        };
    }

    codes! {
        // Loading: files and YAML.
        FILE_UNREADABLE = "L001", "a bundle file or directory cannot be read";
        NOT_UTF8 = "L002", "a file is not UTF-8 text";
        FILE_TOO_LARGE = "L003", "a file, a line or the bundle is larger than the loader accepts";
        YAML_SYNTAX = "L004", "the YAML is malformed";
        UNKNOWN_KEY = "L005", "a key that the pathway language does not have";
        MISSING_KEY = "L006", "a required key is missing";
        WRONG_TYPE = "L007", "a value has the wrong type or is not one of the allowed words";
        YAML_BUDGET = "L008", "the YAML is too deep, too large or uses too many aliases";
        UNEXPECTED_FILE = "L009", "a file that is not part of the bundle layout";
        DUPLICATE_KEY = "L010", "a key is repeated in one mapping";
        BINARY_FILE = "L011", "a file holds binary data";
        MISSING_FILE = "L012", "a required bundle file is missing";
        STEERING_CHARACTER = "L013", "a file holds a control or direction-override character";

        // Catalogues.
        DUPLICATE_DISPOSITION = "E101", "two dispositions have the same id";
        DUPLICATE_RANK = "E102", "two dispositions have the same urgency rank";
        DUPLICATE_ADVICE = "E103", "two care-advice entries have the same id";
        DUPLICATE_CODE = "E104", "two dispositions have the same code";
        MISSING_TIMEFRAME = "E105", "an urgent disposition has no timeframe";
        ACT_NOW_FOR_999 = "E106", "an ambulance disposition gives the person time before calling 999";

        // Identity and references.
        DUPLICATE_UNIT = "E201", "two pathways or modules have the same id";
        DUPLICATE_NODE = "E202", "two nodes in one file have the same id";
        UNKNOWN_NODE = "E203", "a reference to a node that does not exist";
        UNKNOWN_DISPOSITION = "E204", "a reference to a disposition that is not in the catalogue";
        UNKNOWN_ADVICE = "E205", "a reference to care advice that is not in the catalogue";
        UNKNOWN_MODULE = "E206", "a call to a module that does not exist";
        UNKNOWN_PATHWAY = "E207", "a jump to a pathway that does not exist";
        BAD_ID = "E208", "an id is empty, reserved or uses characters other than a-z, 0-9, '-' and '_'";
        RETURN_OUTSIDE_MODULE = "E209", "`next: return` used outside a module";
        UNKNOWN_VARIABLE = "E210", "a variable or score that is not declared";
        VARIABLE_CONFLICT = "E211", "one variable declared with two types";
        DUPLICATE_OPTION = "E212", "two options of one question have the same id";
        VALUE_TYPE = "E213", "a `set` value does not match the variable's type";

        // Structure of nodes and headers.
        ANSWERS_FOR_KIND = "E301", "a question's answers do not match its kind";
        FIELD_NOT_ALLOWED = "E302", "a field that does not apply here";
        EMPTY_TEXT = "E303", "a text that people will see is empty";
        BAD_RANGE = "E304", "a number range or band is empty or reversed";
        BAD_AGES = "E305", "a pathway's age range or list of sexes is empty";
        NO_SOURCES = "E306", "a pathway or module cites no public source";
        BRANCH_SHAPE = "E307", "a branch needs either `cases` with `otherwise`, or `on` with `bands`";
        TOO_MANY_OPTIONS = "E308", "a question has more options than the engine supports";
        NO_KEYWORDS = "W309", "a pathway has no search keywords";
        BAD_SYNONYMS = "E310", "a synonym group has fewer than two terms, an empty term, or a term of another group";
        UNKNOWN_TOPIC = "E311", "a topic that is not on the 111 online list";
        TOPIC_NOT_SERVED = "E312", "a topic claimed for ages or sexes the pathway does not serve";
        TOPIC_CLAIMED_TWICE = "W313", "two pathways claim the same topic for the same person";
        NO_TOPICS = "W314", "a pathway serves no 111 online topic";

        // Journeys.
        CYCLE = "E401", "a journey can loop back on itself";
        NOT_SURE_SELF_CARE = "E402", "an \"I'm not sure\" answer can lead to self-care";
        UNREACHABLE_NODE = "W403", "a node that no journey reaches";
        GRAPH_TOO_LARGE = "E404", "modules expand to more nodes than the engine accepts";
        MODULE_NEVER_RETURNS = "W405", "a module is called with `next`, but never returns";
        INTERNAL = "E406", "the engine found an inconsistency that validation should have caught";
        AUDIENCE_MISSING = "E407", "a text has no words for someone who can reach it";
        NO_REASON = "W408", "an outcome can be reached without any reason";
        ONE_VOICE = "W409", "a question written for one audience is shown to others";

        // Expressions and numeric bands.
        EXPR_SYNTAX = "E501", "an expression cannot be read";
        EXPR_UNKNOWN_NAME = "E502", "an expression names something that does not exist";
        EXPR_TYPE = "E503", "an expression compares things of different types";
        BAND_GAP = "E504", "numeric bands leave a gap";
        BAND_OVERLAP = "E505", "numeric bands overlap";
        BAND_OUTSIDE_RANGE = "E506", "number bands do not match the question's range";
        CASE_SHADOWED = "W507", "a branch case can never be chosen";
        CASE_OVERLAP = "E508", "branch cases on one number overlap";

        // Case packs.
        CASE_UNKNOWN_PATHWAY = "E601", "a case pack names a pathway that does not exist";
        CASE_UNKNOWN_QUESTION = "E602", "a case answers a question that does not exist";
        CASE_UNKNOWN_OPTION = "E603", "a case gives an answer the question does not offer";
        CASE_UNKNOWN_DISPOSITION = "E604", "a case expects a disposition that is not in the catalogue";
        CASE_BAD_ANSWER = "E605", "a case answer is not a single `question: answer` pair";
        CASE_BAD_PATIENT = "E606", "a case's patient cannot start the pathway";
        CASE_UNKNOWN_ADVICE = "E607", "a case expects care advice that is not in the catalogue";
    }
}

/// The help for a name that does not exist: the nearest spelling among
/// `candidates` ("did you mean `x`?"), or else the ids that share the most
/// words with it, followed by `fallback`.
pub(crate) fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl Iterator<Item = &'a str>,
    fallback: &str,
) -> String {
    let candidates: Vec<&str> = candidates.collect();
    if let Some(c) = closest(wrong, &candidates) {
        return format!("did you mean `{c}`? ({fallback})");
    }
    nearest_by_words(wrong, &candidates, fallback)
}

/// The candidate spelt most like `wrong`, if one is close enough to be a typo.
pub(crate) fn closest<'a>(wrong: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(wrong, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min()
        .map(|(_, c)| c)
}

/// No near spelling: the ids that share the most words with `wrong`, so
/// `ae-1h` finds `emergency-department-1h` and `gp-2h` the 2-hour outcomes.
/// For authors; a build for evaluation (the browser) keeps to `fallback`.
#[cfg(not(feature = "authoring"))]
fn nearest_by_words(_: &str, _: &[&str], fallback: &str) -> String {
    fallback.to_string()
}

#[cfg(feature = "authoring")]
fn nearest_by_words(wrong: &str, candidates: &[&str], fallback: &str) -> String {
    fn words(id: &str) -> impl Iterator<Item = &str> {
        id.split(['-', '_', '/', ' ']).filter(|w| !w.is_empty())
    }
    let wrong_words: Vec<&str> = words(wrong).collect();
    let mut nearest: Vec<(usize, usize, &str)> = candidates
        .iter()
        .map(|c| {
            let shared = words(c)
                .filter(|w| {
                    wrong_words.iter().any(|x| {
                        x == w
                            || (x.len() >= 3
                                && w.len() >= 3
                                && (w.starts_with(x) || x.starts_with(w)))
                    })
                })
                .count();
            (shared, edit_distance(wrong, c), *c)
        })
        .filter(|(shared, _, _)| *shared > 0)
        .collect();
    nearest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(b.2)));
    let nearest: Vec<String> = nearest
        .iter()
        .take(3)
        .map(|(_, _, c)| format!("`{c}`"))
        .collect();
    if nearest.is_empty() {
        fallback.to_string()
    } else {
        format!("the nearest: {} ({fallback})", nearest.join(", "))
    }
}

/// Edit distance counting a swap of two neighbouring letters as one edit
/// (optimal string alignment), so `bleu` is one edit from `blue`.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
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
