//! Evaluation: walk a [`CompiledBundle`] from a pathway's start with a person's
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

use crate::compile::{CompiledBundle, Node, NodeId, NodeTag, PathwayId};
use crate::expr::{AnswerFact, Facts};
use crate::ir::{
    AnswerIr, BranchIr, DispositionIr, NodeIdx, NodeIr, NodeKindIr, QuestionIr, ReasonIr,
    VariableIdx,
};
use crate::model::{QuestionKindDoc, ServiceDoc, TextDoc};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

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

impl Patient {
    /// Age in years, with months as a fraction.
    pub fn age_in_years(&self) -> f64 {
        f64::from(self.age_years) + f64::from(self.age_months) / 12.0
    }

    /// Age in whole months.
    pub fn age_in_months(&self) -> f64 {
        f64::from(self.age_years) * 12.0 + f64::from(self.age_months)
    }
}

impl Answer {
    /// An answer to `question`.
    pub fn new(question: impl Into<String>, value: AnswerValue) -> Answer {
        Answer {
            question: question.into(),
            value,
        }
    }
}

impl std::fmt::Display for AnswerValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnswerValue::Number(n) => write!(f, "{n}"),
            AnswerValue::Choice(c) => f.write_str(c),
            AnswerValue::Choices(cs) => write!(f, "[{}]", cs.join(", ")),
        }
    }
}

// ---------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------

/// Where a journey is: the next question, or the outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Step {
    /// Ask this next.
    Question(QuestionView),
    /// The journey has ended here.
    Outcome(OutcomeView),
}

impl Step {
    /// The question, if the journey is not finished.
    pub fn question(&self) -> Option<&QuestionView> {
        match self {
            Step::Question(q) => Some(q),
            Step::Outcome(_) => None,
        }
    }

    /// The outcome, if the journey is finished.
    pub fn outcome(&self) -> Option<&OutcomeView> {
        match self {
            Step::Question(_) => None,
            Step::Outcome(o) => Some(o),
        }
    }
}

/// A question as shown to the person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionView {
    /// Public question id, to send back with the answer.
    pub id: String,
    /// The question.
    pub text: String,
    /// Extra help.
    pub help: Option<String>,
    /// The kind of answer expected.
    pub kind: QuestionKindDoc,
    /// The answers to choose from (for `number`: only "I'm not sure", if offered).
    pub options: Vec<OptionView>,
    /// `number`: the unit.
    pub unit: Option<String>,
    /// `number`: the values accepted, inclusive `(min, max)`.
    pub range: Option<(f64, f64)>,
    /// The pathway the journey started on.
    pub pathway: String,
    /// 1 for the first question, 2 for the second, ...
    pub step: usize,
}

/// One answer a person may choose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionView {
    /// Answer id to send back.
    pub id: String,
    /// Label.
    pub label: String,
}

/// The end of a journey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeView {
    /// Where to go.
    pub disposition: DispositionView,
    /// Care advice: from the answers in journey order, then the outcome, then the disposition.
    pub care_advice: Vec<AdviceView>,
    /// Why: the symptom discriminators met, in order.
    pub reasons: Vec<ReasonView>,
    /// Every question asked and its answer, in order.
    pub transcript: Vec<TranscriptEntry>,
}

/// How urgent a disposition is, in four plain groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Ambulance or A&E.
    Emergency,
    /// Another service within 24 hours.
    Urgent,
    /// Another service, not within 24 hours.
    Routine,
    /// Look after yourself at home.
    SelfCare,
}

/// A disposition as shown to the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispositionView {
    /// Id.
    pub id: String,
    /// Dx-style code.
    pub code: String,
    /// Title.
    pub title: String,
    /// Explanation.
    pub description: Option<String>,
    /// Service.
    pub service: ServiceDoc,
    /// How soon, in minutes.
    pub within_minutes: Option<u32>,
    /// Rank, 1 = most urgent.
    pub rank: u32,
    /// Urgency group.
    pub urgency: Urgency,
}

impl DispositionView {
    pub(crate) fn of(disposition: &DispositionIr) -> DispositionView {
        DispositionView {
            id: disposition.id.clone(),
            code: disposition.code.clone(),
            title: text(&disposition.title),
            description: disposition.description.as_ref().map(text),
            service: disposition.service,
            within_minutes: disposition.within_minutes,
            rank: disposition.rank,
            urgency: urgency(disposition.service, disposition.within_minutes),
        }
    }
}

fn urgency(service: ServiceDoc, within_minutes: Option<u32>) -> Urgency {
    match service {
        ServiceDoc::Ambulance | ServiceDoc::EmergencyDepartment => Urgency::Emergency,
        ServiceDoc::SelfCare => Urgency::SelfCare,
        _ if within_minutes.is_some_and(|m| m <= 24 * 60) => Urgency::Urgent,
        _ => Urgency::Routine,
    }
}

/// A piece of care advice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdviceView {
    /// Key.
    pub id: String,
    /// Heading.
    pub title: String,
    /// Text.
    pub text: String,
}

/// A symptom discriminator met on the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonView {
    /// Stable code.
    pub code: String,
    /// Shown to the person.
    pub text: String,
    /// Public id of the question whose answer gave it.
    pub question: String,
}

/// One question and answer of a journey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptEntry {
    /// Public question id.
    pub question: String,
    /// Question text.
    pub text: String,
    /// The answer, as labels (several joined with ", "), or the number with its unit.
    pub answer: String,
    /// Report text of the answers given, if authored.
    pub report: Option<String>,
}

/// The one place text is chosen by language; English until a language is asked for.
fn text_str(doc: &TextDoc) -> &str {
    doc.english()
}

/// [`text_str`], owned.
fn text(doc: &TextDoc) -> String {
    text_str(doc).to_string()
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
            EvalError::NotApplicable { .. } => "not_applicable",
            EvalError::WrongQuestion { .. } => "wrong_question",
            EvalError::OptionNotOffered { .. } => "option_not_offered",
            EvalError::NumberOutOfRange { .. } => "number_out_of_range",
            EvalError::WrongAnswerKind { .. } => "wrong_answer_kind",
            EvalError::ExclusiveOption { .. } => "exclusive_option",
            EvalError::NothingChosen { .. } => "nothing_chosen",
            EvalError::AnswerAfterOutcome => "answer_after_outcome",
            EvalError::NothingToGoBack => "nothing_to_go_back",
            EvalError::BundleMismatch { .. } => "bundle_mismatch",
            EvalError::ReplayMismatch { .. } => "replay_mismatch",
            EvalError::BadSession(_) => "bad_session",
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
            EvalError::UnknownPathway { pathway } | EvalError::NotApplicable { pathway } => {
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
            EvalError::ExclusiveOption { question, option } => {
                map.serialize_entry("question", question)?;
                map.serialize_entry("option", option)?;
            }
            EvalError::NothingChosen { question } => {
                map.serialize_entry("question", question)?;
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

// ---------------------------------------------------------------------------
// Resolved answers and the walk
// ---------------------------------------------------------------------------

/// What was chosen, as indexes into the question's answers
/// ([`crate::ir::QuestionIr::answers`] order).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Chosen {
    /// One answer (`yes_no`, `single`, or `not_sure` of a number question).
    One(u16),
    /// `multiple`: bit `i` set when answer `i` was chosen; the lowest bit routes.
    Many(u64),
    /// `number`: the value and the index of the band it falls in.
    Number {
        /// The value.
        value: f64,
        /// Index of its band among the answers.
        band: u16,
    },
}

impl Chosen {
    /// Index of the answer that routes.
    fn route(self) -> usize {
        match self {
            Chosen::One(i) => usize::from(i),
            Chosen::Many(mask) => mask.trailing_zeros() as usize,
            Chosen::Number { band, .. } => usize::from(band),
        }
    }

    /// Whether answer `index` was chosen.
    fn includes(self, index: usize) -> bool {
        match self {
            Chosen::One(i) => usize::from(i) == index,
            Chosen::Many(mask) => index < 64 && mask & (1u64 << index) != 0,
            Chosen::Number { band, .. } => usize::from(band) == index,
        }
    }

    fn fact(self) -> AnswerFact {
        match self {
            Chosen::One(i) => AnswerFact::Choice(i),
            Chosen::Many(mask) => AnswerFact::Multiple(mask),
            Chosen::Number { value, .. } => AnswerFact::Number(value),
        }
    }
}

/// An answer resolved against the bundle: the compiled question it answers and
/// what was chosen. Made by [`resolve_answer`] or [`resolve_answers`]; taken by
/// [`evaluate_ids`], which skips all string matching.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnswerIds {
    /// The compiled question node.
    pub node: NodeId,
    /// What was chosen.
    pub chosen: Chosen,
}

/// Where a journey is, as ids: the question to ask next, or the outcome node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// The next question.
    Question(NodeId),
    /// The outcome.
    Outcome(NodeId),
}

/// Why a lookup the compiler guarantees failed. Kept out of line so the hot
/// path only tests and branches.
#[cold]
#[inline(never)]
fn broken() -> EvalError {
    EvalError::BrokenBundle
}

/// The variables and scores answers have set so far. Only those touched are
/// kept (most journeys touch none), so starting a walk allocates nothing and
/// nothing is sized by the bundle.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Variables(Vec<(VariableIdx, f64)>);

impl Variables {
    fn get(&self, variable: VariableIdx) -> f64 {
        self.0
            .iter()
            .find(|(v, _)| *v == variable)
            .map_or(0.0, |(_, value)| *value)
    }

    /// Sets `variable` to `f(its value)`.
    fn update(&mut self, variable: VariableIdx, f: impl FnOnce(f64) -> f64) {
        match self.0.iter_mut().find(|(v, _)| *v == variable) {
            Some((_, value)) => *value = f(*value),
            None => self.0.push((variable, f(0.0))),
        }
    }
}

/// Every edge taken, as (compiled node, edge index), when tracing.
type Trace = Vec<(NodeId, usize)>;

/// Where the walk reports each edge it takes: nowhere (`()`, compiled away),
/// or a [`Trace`] for coverage.
trait Tracer {
    fn edge(&mut self, from: NodeId, index: usize);
}

impl Tracer for () {
    #[inline(always)]
    fn edge(&mut self, _: NodeId, _: usize) {}
}

impl Tracer for Trace {
    fn edge(&mut self, from: NodeId, index: usize) {
        self.push((from, index));
    }
}

/// Why a walk stopped early. Small and `Copy`, so the hot path passes it in
/// registers; made into an [`EvalError`] (naming questions) only when it happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// The compiled bundle contradicts itself.
    Broken,
    /// The pathway is not for this person.
    NotApplicable,
    /// The journey has already ended.
    AfterOutcome,
    /// The answer is to this node, not the current one.
    WrongQuestion(NodeId),
    /// The answer does not fit the current question, of this kind.
    WrongKind(QuestionKindDoc),
}

/// Where a journey is, apart from the answers that led there: the pathway it
/// started on, the current node and the variables set. The answers are kept
/// by the caller (owned by a [`Walk`], or borrowed by [`evaluate_ids`]) and
/// passed in when a branch may read them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cursor {
    pathway: PathwayId,
    at: NodeId,
    variables: Variables,
}

impl Default for Cursor {
    /// A placeholder, replaced before it is read.
    fn default() -> Cursor {
        Cursor::new(PathwayId(0))
    }
}

/// What a branch reads: the person, the variables and the answers so far.
struct Known<'a> {
    bundle: &'a CompiledBundle,
    patient: &'a Patient,
    variables: &'a Variables,
    history: &'a [AnswerIds],
}

impl Facts for Known<'_> {
    fn age_years(&self) -> f64 {
        self.patient.age_in_years()
    }

    fn age_months(&self) -> f64 {
        self.patient.age_in_months()
    }

    fn sex(&self) -> Sex {
        self.patient.sex
    }

    fn answer(&self, question: NodeIdx) -> Option<AnswerFact> {
        self.history
            .iter()
            .rev()
            .find(|a| self.bundle.node(a.node).is_some_and(|n| n.ir == question))
            .map(|a| a.chosen.fact())
    }

    fn variable(&self, variable: VariableIdx) -> f64 {
        self.variables.get(variable)
    }
}

fn offered(question: &QuestionIr) -> Vec<String> {
    question.answers.iter().map(|a| a.id.clone()).collect()
}

fn answer_index(question: &QuestionIr, id: &str) -> Option<u16> {
    question
        .answers
        .iter()
        .position(|a| a.id == id)
        .and_then(|i| u16::try_from(i).ok())
}

/// The question an authored node asks, if it is one.
fn question_of(node: Option<&NodeIr>) -> Option<&QuestionIr> {
    match node.map(|n| &n.kind) {
        Some(NodeKindIr::Question(question)) => Some(question),
        _ => None,
    }
}

impl Cursor {
    /// A cursor for a journey on `pathway`, before [`Cursor::begin`].
    fn new(pathway: PathwayId) -> Cursor {
        Cursor {
            pathway,
            at: NodeId(0),
            variables: Variables::default(),
        }
    }

    /// Starts a journey on `pathway` and walks to the first question or outcome.
    fn start<T: Tracer>(
        bundle: &CompiledBundle,
        pathway: PathwayId,
        patient: &Patient,
        tracer: &mut T,
    ) -> Result<Cursor, EvalError> {
        let mut cursor = Cursor::new(pathway);
        match cursor.begin(bundle, patient, tracer) {
            Ok(()) => Ok(cursor),
            Err(stop) => Err(cursor.error(bundle, stop)),
        }
    }

    /// Goes to the pathway's start, if it is for this person, and walks to
    /// the first question or outcome.
    #[inline(always)]
    fn begin<T: Tracer>(
        &mut self,
        bundle: &CompiledBundle,
        patient: &Patient,
        tracer: &mut T,
    ) -> Result<(), Stop> {
        self.at = match bundle.entry(self.pathway) {
            Some(entry) if entry.admits(patient) => entry.start,
            _ => return Err(Stop::NotApplicable),
        };
        self.advance(bundle, patient, &[], tracer)
    }

    /// The error a [`Stop`] at the current node stands for.
    #[cold]
    #[inline(never)]
    fn error(&self, bundle: &CompiledBundle, stop: Stop) -> EvalError {
        match stop {
            Stop::Broken => EvalError::BrokenBundle,
            Stop::NotApplicable => EvalError::NotApplicable {
                pathway: bundle.pathway_id(self.pathway).to_string(),
            },
            Stop::AfterOutcome => EvalError::AnswerAfterOutcome,
            Stop::WrongQuestion(node) => EvalError::WrongQuestion {
                expected: self.public_id(bundle, self.at),
                got: self.public_id(bundle, node),
            },
            Stop::WrongKind(expected) => EvalError::WrongAnswerKind {
                question: self.public_id(bundle, self.at),
                expected,
            },
        }
    }

    #[inline(always)]
    fn node<'b>(&self, bundle: &'b CompiledBundle) -> Result<&'b Node, Stop> {
        bundle.node(self.at).ok_or(Stop::Broken)
    }

    fn position(&self, bundle: &CompiledBundle) -> Position {
        match bundle.node(self.at).and_then(|n| n.tag.question_kind()) {
            Some(_) => Position::Question(self.at),
            None => Position::Outcome(self.at),
        }
    }

    fn public_id(&self, bundle: &CompiledBundle, node: NodeId) -> String {
        bundle.public_id(self.pathway.0, node)
    }

    /// The current question node and its kind, or why there is none.
    #[inline(always)]
    fn current_question<'b>(
        &self,
        bundle: &'b CompiledBundle,
    ) -> Result<(&'b Node, QuestionKindDoc), Stop> {
        let node = self.node(bundle)?;
        match node.tag.question_kind() {
            Some(kind) => Ok((node, kind)),
            None if node.tag == NodeTag::Outcome => Err(Stop::AfterOutcome),
            None => Err(Stop::Broken),
        }
    }

    /// Checks an answer given as text against the current question and
    /// resolves it to ids. Changes nothing.
    fn resolve(&self, bundle: &CompiledBundle, answer: &Answer) -> Result<AnswerIds, EvalError> {
        let (node, _) = self
            .current_question(bundle)
            .map_err(|stop| self.error(bundle, stop))?;
        let question = question_of(bundle.ir_of(node)).ok_or_else(broken)?;
        if !bundle.is_public_id(self.pathway.0, self.at, &answer.question) {
            return Err(EvalError::WrongQuestion {
                expected: self.public_id(bundle, self.at),
                got: answer.question.clone(),
            });
        }
        let chosen = resolve_value(question, &answer.value, || self.public_id(bundle, self.at))?;
        Ok(AnswerIds {
            node: self.at,
            chosen,
        })
    }

    /// Checks pre-resolved ids against the current question, `node` of `kind`.
    #[inline(always)]
    fn check(
        &self,
        bundle: &CompiledBundle,
        node: &Node,
        kind: QuestionKindDoc,
        ids: &AnswerIds,
    ) -> Result<(), Stop> {
        if ids.node != self.at {
            return Err(Stop::WrongQuestion(ids.node));
        }
        let count = usize::from(node.edge_count);
        let fits = match (ids.chosen, node.tag) {
            (Chosen::One(i), NodeTag::YesNo | NodeTag::Single) => usize::from(i) < count,
            (Chosen::One(i), NodeTag::Number) => usize::from(i) < count && i == node.not_sure,
            (Chosen::Many(mask), NodeTag::Multiple) => {
                mask != 0
                    && (count >= 64 || mask >> count == 0)
                    && (mask & node.exclusive == 0 || mask.count_ones() == 1)
            }
            (Chosen::Number { value, band }, NodeTag::Number) => question_of(bundle.ir_of(node))
                .is_some_and(|question| number_band(question, value) == Some(band)),
            _ => false,
        };
        if fits {
            Ok(())
        } else {
            Err(Stop::WrongKind(kind))
        }
    }

    /// Applies the last answer of `history` to the current question `node`
    /// (the answer already checked), then walks on to the next question or
    /// the outcome.
    #[inline(always)]
    fn apply<T: Tracer>(
        &mut self,
        bundle: &CompiledBundle,
        node: &Node,
        patient: &Patient,
        history: &[AnswerIds],
        tracer: &mut T,
    ) -> Result<(), Stop> {
        let ids = history.last().ok_or(Stop::Broken)?;
        if node.effects {
            self.apply_effects(bundle, node, ids.chosen)?;
        }
        self.take_edge(bundle, node, ids.chosen.route(), tracer)?;
        self.advance(bundle, patient, history, tracer)
    }

    /// Sets and adds to the variables the chosen answers name.
    fn apply_effects(
        &mut self,
        bundle: &CompiledBundle,
        node: &Node,
        chosen: Chosen,
    ) -> Result<(), Stop> {
        let question = question_of(bundle.ir_of(node)).ok_or(Stop::Broken)?;
        for (index, answer) in question.answers.iter().enumerate() {
            if !chosen.includes(index) {
                continue;
            }
            for (variable, value) in &answer.set {
                self.variables.update(*variable, |_| *value);
            }
            for (variable, value) in &answer.add {
                self.variables.update(*variable, |old| old + *value);
            }
        }
        Ok(())
    }

    #[inline(always)]
    fn take_edge<T: Tracer>(
        &mut self,
        bundle: &CompiledBundle,
        node: &Node,
        index: usize,
        tracer: &mut T,
    ) -> Result<(), Stop> {
        let next = bundle.edge_of(node, index).ok_or(Stop::Broken)?;
        tracer.edge(self.at, index);
        self.at = next;
        Ok(())
    }

    /// Follows branches and jumps until a question or an outcome. Ends: the
    /// compiler proved the graph acyclic.
    #[inline(always)]
    fn advance<T: Tracer>(
        &mut self,
        bundle: &CompiledBundle,
        patient: &Patient,
        history: &[AnswerIds],
        tracer: &mut T,
    ) -> Result<(), Stop> {
        loop {
            let node = self.node(bundle)?;
            if node.tag.stops() {
                return Ok(());
            }
            let index = match node.tag {
                NodeTag::Cases | NodeTag::Bands => self.choose(bundle, node, patient, history)?,
                _ => 0,
            };
            self.take_edge(bundle, node, index, tracer)?;
        }
    }

    /// The edge a branch takes.
    fn choose(
        &self,
        bundle: &CompiledBundle,
        node: &Node,
        patient: &Patient,
        history: &[AnswerIds],
    ) -> Result<usize, Stop> {
        let facts = Known {
            bundle,
            patient,
            variables: &self.variables,
            history,
        };
        match bundle.ir_of(node).map(|n| &n.kind) {
            Some(NodeKindIr::Branch(BranchIr::Cases { cases, .. })) => Ok(cases
                .iter()
                .position(|(condition, _)| condition.eval_bool(&facts))
                .unwrap_or(cases.len())),
            // An unknown value (a question not answered) takes the lowest band.
            Some(NodeKindIr::Branch(BranchIr::Bands { on, bands })) => Ok(on
                .eval_number(&facts)
                .and_then(|value| {
                    bands
                        .iter()
                        .position(|(from, below, _)| *from <= value && value < *below)
                })
                .unwrap_or(0)),
            _ => Err(Stop::Broken),
        }
    }

    /// Checks and applies pre-resolved answers, each to the question asked
    /// at its turn. On error the cursor is where the refused answer was given.
    #[inline(always)]
    fn give_all<T: Tracer>(
        &mut self,
        bundle: &CompiledBundle,
        patient: &Patient,
        answers: &[AnswerIds],
        tracer: &mut T,
    ) -> Result<(), Stop> {
        for (index, ids) in answers.iter().enumerate() {
            let (node, kind) = self.current_question(bundle)?;
            self.check(bundle, node, kind, ids)?;
            // The answers so far, this one last: what a branch may read.
            let history = answers.get(..=index).unwrap_or(answers);
            self.apply(bundle, node, patient, history, tracer)?;
        }
        Ok(())
    }
}

/// A journey so far, with the answers that led there: what a
/// [`crate::session::Session`] keeps between answers so that the next one is
/// one step, not a replay.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct WalkState {
    cursor: Cursor,
    history: Vec<AnswerIds>,
}

/// A journey being walked, owning its answers. Crate-internal: sessions,
/// [`evaluate`] and the case-pack runner all walk with it (and
/// [`evaluate_ids`] with the same [`Cursor`]), so they agree.
#[derive(Debug, Clone)]
pub(crate) struct Walk<'b> {
    bundle: &'b CompiledBundle,
    patient: Patient,
    state: WalkState,
    trace: Option<Trace>,
}

impl<'b> Walk<'b> {
    /// Starts a journey on `pathway` and walks to the first question or outcome.
    pub(crate) fn start(
        bundle: &'b CompiledBundle,
        pathway: PathwayId,
        patient: Patient,
        trace: bool,
    ) -> Result<Walk<'b>, EvalError> {
        let mut trace = trace.then(Vec::new);
        let cursor = match &mut trace {
            Some(trace) => Cursor::start(bundle, pathway, &patient, trace)?,
            None => Cursor::start(bundle, pathway, &patient, &mut ())?,
        };
        Ok(Walk {
            bundle,
            patient,
            state: WalkState {
                cursor,
                history: Vec::new(),
            },
            trace,
        })
    }

    /// Starts a journey on the pathway named `pathway`.
    pub(crate) fn start_named(
        bundle: &'b CompiledBundle,
        pathway: &str,
        patient: Patient,
        trace: bool,
    ) -> Result<Walk<'b>, EvalError> {
        let id = bundle
            .pathway_index(pathway)
            .ok_or_else(|| EvalError::UnknownPathway {
                pathway: pathway.to_string(),
            })?;
        Walk::start(bundle, id, patient, trace)
    }

    /// Carries on a journey from a state this bundle produced (see
    /// [`Walk::into_state`]).
    pub(crate) fn resume(
        bundle: &'b CompiledBundle,
        patient: Patient,
        state: WalkState,
    ) -> Walk<'b> {
        Walk {
            bundle,
            patient,
            state,
            trace: None,
        }
    }

    /// The state to resume from later.
    pub(crate) fn into_state(self) -> WalkState {
        self.state
    }

    /// Makes room for `more` answers.
    pub(crate) fn reserve(&mut self, more: usize) {
        self.state.history.reserve_exact(more);
    }

    pub(crate) fn trace(&self) -> &[(NodeId, usize)] {
        self.trace.as_deref().unwrap_or(&[])
    }

    pub(crate) fn at(&self) -> NodeId {
        self.state.cursor.at
    }

    pub(crate) fn pathway(&self) -> PathwayId {
        self.state.cursor.pathway
    }

    pub(crate) fn position(&self) -> Position {
        self.state.cursor.position(self.bundle)
    }

    /// Checks an answer against the current question and resolves it to ids.
    pub(crate) fn resolve(&self, answer: &Answer) -> Result<AnswerIds, EvalError> {
        self.state.cursor.resolve(self.bundle, answer)
    }

    /// Applies an answer already checked against the current question, then
    /// walks on. After an error the walk must not be used again.
    pub(crate) fn apply(&mut self, ids: AnswerIds) -> Result<(), EvalError> {
        let WalkState { cursor, history } = &mut self.state;
        let bundle = self.bundle;
        let node = cursor
            .node(bundle)
            .map_err(|stop| cursor.error(bundle, stop))?;
        history.push(ids);
        let applied = match &mut self.trace {
            Some(trace) => cursor.apply(bundle, node, &self.patient, history, trace),
            None => cursor.apply(bundle, node, &self.patient, history, &mut ()),
        };
        applied.map_err(|stop| cursor.error(bundle, stop))
    }

    /// Resolves and applies an answer; a refused answer changes nothing.
    pub(crate) fn give(&mut self, answer: &Answer) -> Result<(), EvalError> {
        let ids = self.resolve(answer)?;
        self.apply(ids)
    }

    /// Renders the current step into `step`, reusing its buffers when both
    /// are questions. On error `step` is unchanged.
    pub(crate) fn step_into(&self, step: &mut Step) -> Result<(), EvalError> {
        let at = self.state.cursor.at;
        match (self.bundle.ir_node(at).map(|n| &n.kind), &mut *step) {
            (Some(NodeKindIr::Question(question)), Step::Question(view)) => {
                refill_question_view(
                    view,
                    self.bundle,
                    self.state.cursor.pathway,
                    at,
                    question,
                    &self.state.history,
                );
            }
            _ => *step = self.step()?,
        }
        Ok(())
    }

    /// The current step as shown to a person.
    pub(crate) fn step(&self) -> Result<Step, EvalError> {
        render_step(
            self.bundle,
            self.state.cursor.pathway,
            self.state.cursor.at,
            &self.state.history,
        )
    }
}

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

/// The step at node `at` of a journey started on `pathway` after `history`.
/// Every text is copied once, into a buffer of its exact size.
fn render_step(
    bundle: &CompiledBundle,
    pathway: PathwayId,
    at: NodeId,
    history: &[AnswerIds],
) -> Result<Step, EvalError> {
    match bundle.ir_node(at).map(|n| &n.kind) {
        Some(NodeKindIr::Question(question)) => Ok(Step::Question(question_view(
            bundle, pathway, at, question, history,
        ))),
        Some(NodeKindIr::Outcome(outcome)) => {
            let disposition = bundle
                .disposition_ir(outcome.disposition)
                .ok_or_else(broken)?;
            Ok(Step::Outcome(outcome_view(
                bundle,
                pathway,
                history,
                disposition,
                &outcome.advice,
            )))
        }
        _ => Err(broken()),
    }
}

/// Renders the question at `at` into `view`, reusing its buffers: a session
/// moving from one question to the next allocates only where a text is longer
/// than the one it replaces.
fn refill_question_view(
    view: &mut QuestionView,
    bundle: &CompiledBundle,
    pathway: PathwayId,
    at: NodeId,
    question: &QuestionIr,
    history: &[AnswerIds],
) {
    // A buffer is reused when it fits and is at most twice the size needed,
    // so a session never holds much more than its texts.
    fn set_parts(target: &mut String, parts: &[&str]) {
        let length: usize = parts.iter().map(|p| p.len()).sum();
        let capacity = target.capacity();
        if capacity < length || capacity > 2 * length {
            *target = String::with_capacity(length);
        }
        target.clear();
        for part in parts {
            target.push_str(part);
        }
    }
    fn set(target: &mut String, value: &str) {
        set_parts(target, &[value]);
    }
    fn set_option(target: &mut Option<String>, value: Option<&str>) {
        match (target.as_mut(), value) {
            (Some(old), Some(value)) => set(old, value),
            (_, value) => *target = value.map(str::to_string),
        }
    }
    match bundle.public_id_parts(pathway.0, at) {
        Some((Some(unit), node)) => set_parts(&mut view.id, &[unit, "/", node]),
        Some((None, node)) => set(&mut view.id, node),
        None => view.id.clear(),
    }
    set(&mut view.text, text_str(&question.text));
    set_option(&mut view.help, question.help.as_ref().map(text_str));
    view.kind = question.kind;
    let shown = question
        .answers
        .iter()
        .filter(|a| question.kind != QuestionKindDoc::Number || a.not_sure);
    view.options.truncate(shown.clone().count());
    for (index, answer) in shown.enumerate() {
        match view.options.get_mut(index) {
            Some(option) => {
                set(&mut option.id, &answer.id);
                set(&mut option.label, text_str(&answer.label));
            }
            None => view.options.push(OptionView {
                id: answer.id.clone(),
                label: text(&answer.label),
            }),
        }
    }
    view.options.shrink_to_fit();
    set_option(&mut view.unit, question.unit.as_ref().map(text_str));
    view.range = question.range;
    set(&mut view.pathway, bundle.pathway_id(pathway));
    view.step = history.len() + 1;
}

fn question_view(
    bundle: &CompiledBundle,
    pathway: PathwayId,
    at: NodeId,
    question: &QuestionIr,
    history: &[AnswerIds],
) -> QuestionView {
    let shown = |a: &&AnswerIr| question.kind != QuestionKindDoc::Number || a.not_sure;
    let mut options = Vec::with_capacity(question.answers.iter().filter(shown).count());
    options.extend(question.answers.iter().filter(shown).map(|a| OptionView {
        id: a.id.clone(),
        label: text(&a.label),
    }));
    QuestionView {
        id: bundle.public_id(pathway.0, at),
        text: text(&question.text),
        help: question.help.as_ref().map(text),
        kind: question.kind,
        options,
        unit: question.unit.as_ref().map(text),
        range: question.range,
        pathway: bundle.pathway_id(pathway).to_string(),
        step: history.len() + 1,
    }
}

/// The answers of `question` chosen in `given`, in the question's order.
fn chosen_answers<'q>(question: &'q QuestionIr, given: &AnswerIds) -> ChosenAnswers<'q> {
    let (one, mask) = match given.chosen {
        Chosen::One(i) | Chosen::Number { band: i, .. } => (Some(usize::from(i)), 0),
        Chosen::Many(mask) => (None, mask),
    };
    ChosenAnswers {
        answers: &question.answers,
        one,
        mask,
    }
}

/// See [`chosen_answers`]: one answer, or the set bits of a mask.
#[derive(Clone)]
struct ChosenAnswers<'q> {
    answers: &'q [AnswerIr],
    one: Option<usize>,
    mask: u64,
}

impl<'q> Iterator for ChosenAnswers<'q> {
    type Item = &'q AnswerIr;

    fn next(&mut self) -> Option<&'q AnswerIr> {
        if let Some(index) = self.one.take() {
            return self.answers.get(index);
        }
        while self.mask != 0 {
            let index = self.mask.trailing_zeros() as usize;
            self.mask &= self.mask - 1;
            if let Some(answer) = self.answers.get(index) {
                return Some(answer);
            }
        }
        None
    }
}

/// Joins `parts` with `separator` into one string of exactly the needed size.
fn joined<'t>(parts: impl Iterator<Item = &'t str> + Clone, separator: &str) -> String {
    let count = parts.clone().count();
    let length =
        parts.clone().map(str::len).sum::<usize>() + separator.len() * count.saturating_sub(1);
    let mut out = String::with_capacity(length);
    for (index, part) in parts.enumerate() {
        if index > 0 {
            out.push_str(separator);
        }
        out.push_str(part);
    }
    out
}

fn outcome_view(
    bundle: &CompiledBundle,
    pathway: PathwayId,
    history: &[AnswerIds],
    disposition: &DispositionIr,
    outcome_advice: &[u16],
) -> OutcomeView {
    let asked = || {
        history.iter().filter_map(|given| {
            question_of(bundle.ir_node(given.node)).map(|question| (given, question))
        })
    };
    // Care advice keys in order (answers, outcome, disposition), each once.
    let keys = asked()
        .flat_map(|(given, question)| chosen_answers(question, given))
        .flat_map(|a| a.advice.iter())
        .chain(outcome_advice)
        .chain(&disposition.advice)
        .copied();
    let mut seen: Vec<u16> = Vec::with_capacity(keys.clone().count());
    for key in keys {
        if !seen.contains(&key) {
            seen.push(key);
        }
    }
    let mut care_advice = Vec::with_capacity(seen.len());
    care_advice.extend(
        seen.iter()
            .filter_map(|key| bundle.advice_ir(*key))
            .map(|advice| AdviceView {
                id: advice.id.clone(),
                title: text(&advice.title),
                text: text(&advice.text),
            }),
    );
    fn reason_of<'a>(
        (given, question): (&'a AnswerIds, &'a QuestionIr),
    ) -> Option<(&'a AnswerIds, &'a ReasonIr)> {
        question
            .answers
            .get(given.chosen.route())
            .and_then(|a| a.reason.as_ref())
            .map(|reason| (given, reason))
    }
    let mut reasons = Vec::with_capacity(asked().filter_map(reason_of).count());
    reasons.extend(
        asked()
            .filter_map(reason_of)
            .map(|(given, reason)| ReasonView {
                code: reason.code.clone(),
                text: text(&reason.text),
                question: bundle.public_id(pathway.0, given.node),
            }),
    );
    let mut transcript = Vec::with_capacity(asked().count());
    transcript.extend(asked().map(|(given, question)| {
        let chosen = chosen_answers(question, given);
        let answer = match given.chosen {
            Chosen::Number { value, .. } => match &question.unit {
                Some(unit) => format!("{value} {}", text_str(unit)),
                None => format!("{value}"),
            },
            _ => joined(chosen.clone().map(|a| text_str(&a.label)), ", "),
        };
        let reports = chosen.filter_map(|a| a.report.as_ref().map(text_str));
        TranscriptEntry {
            question: bundle.public_id(pathway.0, given.node),
            text: text(&question.text),
            answer,
            report: (reports.clone().next().is_some()).then(|| joined(reports, "; ")),
        }
    }));
    OutcomeView {
        disposition: DispositionView::of(disposition),
        care_advice,
        reasons,
        transcript,
    }
}

/// Bits of the answers that must be chosen alone: `none` and `not_sure`.
pub(crate) fn exclusive_answers(question: &QuestionIr) -> u64 {
    question
        .answers
        .iter()
        .enumerate()
        .filter(|(i, a)| *i < 64 && (a.id == "none" || a.not_sure))
        .fold(0, |mask, (i, _)| mask | 1u64 << i)
}

/// The band a number falls in, or `None` when it is not finite or outside the range.
fn number_band(question: &QuestionIr, number: f64) -> Option<u16> {
    let (min, max) = question.range.unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
    if !number.is_finite() || number < min || number > max {
        return None;
    }
    let bands = || {
        question
            .answers
            .iter()
            .enumerate()
            .filter_map(|(i, a)| a.band.map(|b| (i, b)))
    };
    // Bands are [from, below); the top of the range belongs to the last band.
    bands()
        .find(|(_, (from, below))| *from <= number && number < *below)
        .or_else(|| bands().next_back().filter(|(_, (from, _))| *from <= number))
        .and_then(|(i, _)| u16::try_from(i).ok())
}

/// Resolves an answer value against a question (the question id already matched).
fn resolve_value(
    question: &QuestionIr,
    value: &AnswerValue,
    question_id: impl Fn() -> String,
) -> Result<Chosen, EvalError> {
    let wrong_kind = || EvalError::WrongAnswerKind {
        question: question_id(),
        expected: question.kind,
    };
    let not_offered = |option: &str| EvalError::OptionNotOffered {
        question: question_id(),
        option: option.to_string(),
        offered: offered(question),
    };
    match question.kind {
        QuestionKindDoc::YesNo | QuestionKindDoc::Single => match value {
            AnswerValue::Choice(id) => answer_index(question, id)
                .map(Chosen::One)
                .ok_or_else(|| not_offered(id)),
            AnswerValue::Number(_) | AnswerValue::Choices(_) => Err(wrong_kind()),
        },
        QuestionKindDoc::Multiple => {
            let ids: &[String] = match value {
                AnswerValue::Choice(id) => std::slice::from_ref(id),
                AnswerValue::Choices(ids) => ids,
                AnswerValue::Number(_) => return Err(wrong_kind()),
            };
            let mut mask = 0u64;
            for id in ids {
                let index = answer_index(question, id).ok_or_else(|| not_offered(id))?;
                if index >= 64 {
                    return Err(not_offered(id));
                }
                mask |= 1u64 << index;
            }
            if mask == 0 {
                return Err(EvalError::NothingChosen {
                    question: question_id(),
                });
            }
            let exclusive = mask & exclusive_answers(question);
            if exclusive != 0 && mask.count_ones() > 1 {
                let option = question
                    .answers
                    .get(exclusive.trailing_zeros() as usize)
                    .map_or_else(String::new, |a| a.id.clone());
                return Err(EvalError::ExclusiveOption {
                    question: question_id(),
                    option,
                });
            }
            Ok(Chosen::Many(mask))
        }
        QuestionKindDoc::Number => {
            let number = match value {
                AnswerValue::Number(n) => *n,
                AnswerValue::Choice(id) => {
                    if let Some(index) = answer_index(question, id) {
                        let is_not_sure = question
                            .answers
                            .get(usize::from(index))
                            .is_some_and(|a| a.not_sure);
                        if is_not_sure {
                            return Ok(Chosen::One(index));
                        }
                    }
                    if id == "not_sure" {
                        return Err(not_offered(id));
                    }
                    // Forms send numbers as text.
                    id.trim().parse::<f64>().map_err(|_| wrong_kind())?
                }
                AnswerValue::Choices(_) => return Err(wrong_kind()),
            };
            let (min, max) = question.range.unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
            let band =
                number_band(question, number).ok_or_else(|| EvalError::NumberOutOfRange {
                    question: question_id(),
                    value: number,
                    min,
                    max,
                })?;
            Ok(Chosen::Number {
                value: number,
                band,
            })
        }
    }
}

// ---------------------------------------------------------------------------
// The public calls
// ---------------------------------------------------------------------------

/// Walks `answers` from the start of `pathway` for `patient` and returns the
/// next question or the outcome. Stateless: the same inputs always give the same step.
///
/// Each answer must be to the question being asked at that point. Only the
/// step reached is rendered; [`evaluate_position`] skips even that.
pub fn evaluate(
    bundle: &CompiledBundle,
    pathway: &str,
    patient: &Patient,
    answers: &[Answer],
) -> Result<Step, EvalError> {
    walk_strings(bundle, pathway, patient, answers)?.step()
}

/// [`evaluate`] without rendering: where the journey is, as ids, for callers
/// that need only the disposition ([`CompiledBundle::outcome_disposition`]) or
/// render later ([`step_at`]).
pub fn evaluate_position(
    bundle: &CompiledBundle,
    pathway: &str,
    patient: &Patient,
    answers: &[Answer],
) -> Result<Position, EvalError> {
    Ok(walk_strings(bundle, pathway, patient, answers)?.position())
}

fn walk_strings<'b>(
    bundle: &'b CompiledBundle,
    pathway: &str,
    patient: &Patient,
    answers: &[Answer],
) -> Result<Walk<'b>, EvalError> {
    let mut walk = Walk::start_named(bundle, pathway, *patient, false)?;
    walk.reserve(answers.len());
    for answer in answers {
        walk.give(answer)?;
    }
    Ok(walk)
}

/// Resolves one answer to the question at `at` (a [`Position::Question`]), as
/// seen from a journey started on `pathway`.
pub fn resolve_answer(
    bundle: &CompiledBundle,
    pathway: PathwayId,
    at: NodeId,
    answer: &Answer,
) -> Result<AnswerIds, EvalError> {
    let cursor = Cursor {
        pathway,
        at,
        variables: Variables::default(),
    };
    cursor.resolve(bundle, answer)
}

/// Resolves a whole journey's answers to ids, for [`evaluate_ids`].
pub fn resolve_answers(
    bundle: &CompiledBundle,
    pathway: &str,
    patient: &Patient,
    answers: &[Answer],
) -> Result<(PathwayId, Vec<AnswerIds>), EvalError> {
    let walk = walk_strings(bundle, pathway, patient, answers)?;
    Ok((walk.pathway(), walk.into_state().history))
}

/// [`evaluate`] over pre-resolved answers: no string is matched, nothing is
/// rendered, and nothing is allocated unless an answer sets a variable.
/// Returns where the journey is.
pub fn evaluate_ids(
    bundle: &CompiledBundle,
    pathway: PathwayId,
    patient: &Patient,
    answers: &[AnswerIds],
) -> Result<Position, EvalError> {
    let mut cursor = Cursor::new(pathway);
    let walked = cursor
        .begin(bundle, patient, &mut ())
        .and_then(|()| cursor.give_all(bundle, patient, answers, &mut ()));
    match walked {
        Ok(()) => Ok(cursor.position(bundle)),
        Err(stop) => Err(cursor.error(bundle, stop)),
    }
}

/// The step at a [`Position`] reached by [`evaluate_ids`], as shown to a person.
pub fn step_at(
    bundle: &CompiledBundle,
    pathway: PathwayId,
    patient: &Patient,
    answers: &[AnswerIds],
) -> Result<Step, EvalError> {
    let mut cursor = Cursor::new(pathway);
    cursor
        .begin(bundle, patient, &mut ())
        .and_then(|()| cursor.give_all(bundle, patient, answers, &mut ()))
        .map_err(|stop| cursor.error(bundle, stop))?;
    render_step(bundle, pathway, cursor.at, answers)
}
