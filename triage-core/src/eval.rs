//! Evaluation: walk a [`CompiledBundle`] from a pathway's start with a person's
//! answers to the next question or the outcome.
//!
//! [`evaluate`] is the stateless call; [`crate::session::Session`] keeps the
//! answers between calls. Both touch only the compiled form. The walk itself
//! works on integer ids: an incoming answer is matched against the current
//! question only, and earlier answers are found by scanning the journey
//! backwards (journeys are short), so nothing is sized by the bundle.

use crate::compile::{CompiledBundle, NodeId, PathwayId};
use crate::expr::{AnswerFact, Expr, Facts};
use crate::ir::{AnswerIr, BranchIr, DispositionIr, NodeIdx, NodeKindIr, QuestionIr, VariableIdx};
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
fn text(doc: &TextDoc) -> String {
    doc.english().to_string()
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

/// A journey so far. Crate-internal: sessions, [`evaluate`] and the case-pack
/// runner all walk with it, so they agree.
#[derive(Debug, Clone)]
pub(crate) struct Walk<'b> {
    bundle: &'b CompiledBundle,
    pathway: PathwayId,
    patient: Patient,
    variables: Vec<f64>,
    history: Vec<AnswerIds>,
    at: NodeId,
    /// Every edge taken, as (compiled node, edge index), when tracing.
    trace: Option<Vec<(NodeId, usize)>>,
}

impl Facts for Walk<'_> {
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
        self.variables
            .get(usize::from(variable))
            .copied()
            .unwrap_or(0.0)
    }
}

fn holds(expr: &Expr, facts: &Walk<'_>) -> bool {
    expr.eval_bool(facts)
}

fn number_of(expr: &Expr, facts: &Walk<'_>) -> Option<f64> {
    expr.eval_number(facts)
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

impl<'b> Walk<'b> {
    /// Starts a journey on `pathway` and walks to the first question or outcome.
    pub(crate) fn start(
        bundle: &'b CompiledBundle,
        pathway: PathwayId,
        patient: Patient,
        trace: bool,
    ) -> Result<Walk<'b>, EvalError> {
        if !bundle.applicable(pathway, &patient) {
            return Err(EvalError::NotApplicable {
                pathway: bundle.pathway_id(pathway).to_string(),
            });
        }
        let at = bundle.start_of(pathway).ok_or(EvalError::BrokenBundle)?;
        let mut walk = Walk {
            bundle,
            pathway,
            patient,
            variables: vec![0.0; bundle.variable_count()],
            history: Vec::new(),
            at,
            trace: trace.then(Vec::new),
        };
        walk.advance()?;
        Ok(walk)
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

    pub(crate) fn position(&self) -> Position {
        match self.bundle.ir_node(self.at).map(|n| &n.kind) {
            Some(NodeKindIr::Question(_)) => Position::Question(self.at),
            _ => Position::Outcome(self.at),
        }
    }

    pub(crate) fn trace(&self) -> &[(NodeId, usize)] {
        self.trace.as_deref().unwrap_or(&[])
    }

    pub(crate) fn at(&self) -> NodeId {
        self.at
    }

    fn started_unit(&self) -> crate::ir::UnitIdx {
        self.pathway.0
    }

    fn take_edge(&mut self, index: usize) -> Result<(), EvalError> {
        let next = self
            .bundle
            .edge(self.at, index)
            .ok_or(EvalError::BrokenBundle)?;
        if let Some(trace) = &mut self.trace {
            trace.push((self.at, index));
        }
        self.at = next;
        Ok(())
    }

    /// Follows branches and jumps until a question or an outcome. Ends: the
    /// compiler proved the graph acyclic.
    fn advance(&mut self) -> Result<(), EvalError> {
        loop {
            let node = self
                .bundle
                .ir_node(self.at)
                .ok_or(EvalError::BrokenBundle)?;
            let index = match &node.kind {
                NodeKindIr::Question(_) | NodeKindIr::Outcome(_) => return Ok(()),
                NodeKindIr::Call { .. } | NodeKindIr::Goto { .. } => 0,
                NodeKindIr::Branch(BranchIr::Cases { cases, .. }) => cases
                    .iter()
                    .position(|(condition, _)| holds(condition, self))
                    .unwrap_or(cases.len()),
                NodeKindIr::Branch(BranchIr::Bands { on, bands }) => {
                    // An unknown value (a question not answered) takes the lowest band.
                    number_of(on, self)
                        .and_then(|value| {
                            bands
                                .iter()
                                .position(|(from, below, _)| *from <= value && value < *below)
                        })
                        .unwrap_or(0)
                }
            };
            self.take_edge(index)?;
        }
    }

    /// The current question, or why there is none.
    fn current_question(&self) -> Result<&'b QuestionIr, EvalError> {
        match self.bundle.ir_node(self.at).map(|n| &n.kind) {
            Some(NodeKindIr::Question(question)) => Ok(question),
            Some(NodeKindIr::Outcome(_)) => Err(EvalError::AnswerAfterOutcome),
            _ => Err(EvalError::BrokenBundle),
        }
    }

    fn public_id(&self, node: NodeId) -> String {
        self.bundle.public_id(self.started_unit(), node)
    }

    /// Checks an answer against the current question and resolves it to ids.
    pub(crate) fn resolve(&self, answer: &Answer) -> Result<AnswerIds, EvalError> {
        let question = self.current_question()?;
        if !self
            .bundle
            .is_public_id(self.started_unit(), self.at, &answer.question)
        {
            return Err(EvalError::WrongQuestion {
                expected: self.public_id(self.at),
                got: answer.question.clone(),
            });
        }
        let chosen = resolve_value(question, &answer.value, || self.public_id(self.at))?;
        Ok(AnswerIds {
            node: self.at,
            chosen,
        })
    }

    /// Checks pre-resolved ids against the current question.
    fn check(&self, ids: &AnswerIds) -> Result<(), EvalError> {
        let question = self.current_question()?;
        if ids.node != self.at {
            return Err(EvalError::WrongQuestion {
                expected: self.public_id(self.at),
                got: self.public_id(ids.node),
            });
        }
        let count = question.answers.len();
        let fits = match ids.chosen {
            Chosen::One(i) => match question.kind {
                QuestionKindDoc::YesNo | QuestionKindDoc::Single => usize::from(i) < count,
                QuestionKindDoc::Number => question
                    .answers
                    .get(usize::from(i))
                    .is_some_and(|a| a.not_sure),
                QuestionKindDoc::Multiple => false,
            },
            Chosen::Many(mask) => {
                let exclusive = exclusive_answers(question);
                question.kind == QuestionKindDoc::Multiple
                    && mask != 0
                    && (count >= 64 || mask >> count == 0)
                    && (mask & exclusive == 0 || mask.count_ones() == 1)
            }
            Chosen::Number { value, band } => {
                question.kind == QuestionKindDoc::Number
                    && number_band(question, value) == Some(band)
            }
        };
        if fits {
            Ok(())
        } else {
            Err(EvalError::WrongAnswerKind {
                question: self.public_id(self.at),
                expected: question.kind,
            })
        }
    }

    /// Applies an answer already checked against the current question, then walks on.
    pub(crate) fn apply(&mut self, ids: AnswerIds) -> Result<(), EvalError> {
        let question = self.current_question()?;
        for (index, answer) in question.answers.iter().enumerate() {
            if !ids.chosen.includes(index) {
                continue;
            }
            for (variable, value) in &answer.set {
                if let Some(slot) = self.variables.get_mut(usize::from(*variable)) {
                    *slot = *value;
                }
            }
            for (variable, value) in &answer.add {
                if let Some(slot) = self.variables.get_mut(usize::from(*variable)) {
                    *slot += *value;
                }
            }
        }
        self.history.push(ids);
        self.take_edge(ids.chosen.route())?;
        self.advance()
    }

    /// Resolves and applies an answer; on error nothing changes.
    pub(crate) fn give(&mut self, answer: &Answer) -> Result<(), EvalError> {
        let ids = self.resolve(answer)?;
        self.apply(ids)
    }

    /// The current step as shown to a person.
    pub(crate) fn step(&self) -> Result<Step, EvalError> {
        let node = self
            .bundle
            .ir_node(self.at)
            .ok_or(EvalError::BrokenBundle)?;
        match &node.kind {
            NodeKindIr::Question(question) => Ok(Step::Question(self.question_view(question))),
            NodeKindIr::Outcome(outcome) => {
                let disposition = self
                    .bundle
                    .disposition_ir(outcome.disposition)
                    .ok_or(EvalError::BrokenBundle)?;
                Ok(Step::Outcome(
                    self.outcome_view(disposition, &outcome.advice),
                ))
            }
            _ => Err(EvalError::BrokenBundle),
        }
    }

    fn question_view(&self, question: &QuestionIr) -> QuestionView {
        let options = question
            .answers
            .iter()
            .filter(|a| question.kind != QuestionKindDoc::Number || a.not_sure)
            .map(|a| OptionView {
                id: a.id.clone(),
                label: text(&a.label),
            })
            .collect();
        QuestionView {
            id: self.public_id(self.at),
            text: text(&question.text),
            help: question.help.as_ref().map(text),
            kind: question.kind,
            options,
            unit: question.unit.as_ref().map(text),
            range: question.range,
            pathway: self.bundle.pathway_id(self.pathway).to_string(),
            step: self.history.len() + 1,
        }
    }

    fn outcome_view(&self, disposition: &DispositionIr, outcome_advice: &[u16]) -> OutcomeView {
        let mut advice_keys: Vec<u16> = Vec::new();
        let mut reasons = Vec::new();
        let mut transcript = Vec::new();
        for given in &self.history {
            let Some(NodeKindIr::Question(question)) =
                self.bundle.ir_node(given.node).map(|n| &n.kind)
            else {
                continue;
            };
            let question_id = self.public_id(given.node);
            let chosen: Vec<&AnswerIr> = question
                .answers
                .iter()
                .enumerate()
                .filter(|(i, _)| given.chosen.includes(*i))
                .map(|(_, a)| a)
                .collect();
            for answer in &chosen {
                advice_keys.extend_from_slice(&answer.advice);
            }
            if let Some(reason) = question
                .answers
                .get(given.chosen.route())
                .and_then(|a| a.reason.as_ref())
            {
                reasons.push(ReasonView {
                    code: reason.code.clone(),
                    text: text(&reason.text),
                    question: question_id.clone(),
                });
            }
            let answer_text = match given.chosen {
                Chosen::Number { value, .. } => match &question.unit {
                    Some(unit) => format!("{value} {}", text(unit)),
                    None => format!("{value}"),
                },
                _ => chosen
                    .iter()
                    .map(|a| text(&a.label))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            let reports: Vec<String> = chosen
                .iter()
                .filter_map(|a| a.report.as_ref().map(text))
                .collect();
            transcript.push(TranscriptEntry {
                question: question_id,
                text: text(&question.text),
                answer: answer_text,
                report: (!reports.is_empty()).then(|| reports.join("; ")),
            });
        }
        advice_keys.extend_from_slice(outcome_advice);
        advice_keys.extend_from_slice(&disposition.advice);
        let mut care_advice: Vec<AdviceView> = Vec::new();
        let mut seen: Vec<u16> = Vec::new();
        for key in advice_keys {
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            if let Some(advice) = self.bundle.advice_ir(key) {
                care_advice.push(AdviceView {
                    id: advice.id.clone(),
                    title: text(&advice.title),
                    text: text(&advice.text),
                });
            }
        }
        OutcomeView {
            disposition: DispositionView::of(disposition),
            care_advice,
            reasons,
            transcript,
        }
    }
}

/// Bits of the answers that must be chosen alone: `none` and `not_sure`.
fn exclusive_answers(question: &QuestionIr) -> u64 {
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
/// Each answer must be to the question being asked at that point.
pub fn evaluate(
    bundle: &CompiledBundle,
    pathway: &str,
    patient: &Patient,
    answers: &[Answer],
) -> Result<Step, EvalError> {
    let mut walk = Walk::start_named(bundle, pathway, *patient, false)?;
    for answer in answers {
        walk.give(answer)?;
    }
    walk.step()
}

/// Resolves one answer to the question at `at` (a [`Position::Question`]), as
/// seen from a journey started on `pathway`.
pub fn resolve_answer(
    bundle: &CompiledBundle,
    pathway: PathwayId,
    at: NodeId,
    answer: &Answer,
) -> Result<AnswerIds, EvalError> {
    let question = match bundle.ir_node(at).map(|n| &n.kind) {
        Some(NodeKindIr::Question(question)) => question,
        Some(NodeKindIr::Outcome(_)) => return Err(EvalError::AnswerAfterOutcome),
        _ => return Err(EvalError::BrokenBundle),
    };
    if !bundle.is_public_id(pathway.0, at, &answer.question) {
        return Err(EvalError::WrongQuestion {
            expected: bundle.public_id(pathway.0, at),
            got: answer.question.clone(),
        });
    }
    let chosen = resolve_value(question, &answer.value, || bundle.public_id(pathway.0, at))?;
    Ok(AnswerIds { node: at, chosen })
}

/// Resolves a whole journey's answers to ids, for [`evaluate_ids`].
pub fn resolve_answers(
    bundle: &CompiledBundle,
    pathway: &str,
    patient: &Patient,
    answers: &[Answer],
) -> Result<(PathwayId, Vec<AnswerIds>), EvalError> {
    let mut walk = Walk::start_named(bundle, pathway, *patient, false)?;
    for answer in answers {
        walk.give(answer)?;
    }
    Ok((walk.pathway, walk.history))
}

/// [`evaluate`] over pre-resolved answers: no string is matched, and only the
/// journey's own small buffers are allocated. Returns where the journey is.
pub fn evaluate_ids(
    bundle: &CompiledBundle,
    pathway: PathwayId,
    patient: &Patient,
    answers: &[AnswerIds],
) -> Result<Position, EvalError> {
    let mut walk = Walk::start(bundle, pathway, *patient, false)?;
    walk.history.reserve(answers.len());
    for ids in answers {
        walk.check(ids)?;
        walk.apply(*ids)?;
    }
    Ok(walk.position())
}

/// The step at a [`Position`] reached by [`evaluate_ids`], as shown to a person.
pub fn step_at(
    bundle: &CompiledBundle,
    pathway: PathwayId,
    patient: &Patient,
    answers: &[AnswerIds],
) -> Result<Step, EvalError> {
    let mut walk = Walk::start(bundle, pathway, *patient, false)?;
    for ids in answers {
        walk.check(ids)?;
        walk.apply(*ids)?;
    }
    walk.step()
}
