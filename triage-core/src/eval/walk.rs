//! The walk: answers resolved to ids, and a cursor moving through the compiled graph.

use super::view::{render_step, OutcomeView, QuestionView, Step, StepView};
use super::{broken, EvalError};
use crate::compile::{BundleKind, CompiledBundle, Node, NodeId, NodeTag, PathwayId, Position};
use crate::expr::{AnswerFact, Facts};
use crate::ir::{BranchIr, NodeIdx, NodeIr, NodeKindIr, QuestionIr, VariableIdx};
use crate::model::QuestionKindDoc;
use crate::vocab::{
    Answer, AnswerValue, ImplausiblePatient, Language, Patient, Reader, Request, Sex,
};
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
    pub(super) fn includes(self, index: usize) -> bool {
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
    /// The person is not one the engine can triage.
    Implausible(ImplausiblePatient),
    /// The pathway is not for this person.
    NotApplicable,
    /// The bundle is a catalog: the pathway's questions are not in it.
    NotLoaded,
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

/// Whether `question` is the public id of the question `node`: its own id
/// for the pathway's own questions (`own`), `unit/id` otherwise. Compared
/// in place, without splitting or building a string.
#[inline(always)]
fn public_id_is(
    bundle: &CompiledBundle,
    own: bool,
    node: &Node,
    ir: &NodeIr,
    question: &str,
) -> bool {
    if own {
        return same(&ir.id, question);
    }
    let unit = bundle.unit_id(node.unit);
    question.len() == unit.len() + 1 + ir.id.len()
        && question.as_bytes().get(unit.len()) == Some(&b'/')
        && question.get(..unit.len()).is_some_and(|u| same(u, unit))
        && question
            .get(unit.len() + 1..)
            .is_some_and(|id| same(id, &ir.id))
}

/// String equality for the short ids answers name: lengths first, then the
/// bytes eight at a time, inline (a call to `memcmp` costs more than the
/// comparison for strings this short).
#[inline(always)]
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut left = a.chunks_exact(8);
    let mut right = b.chunks_exact(8);
    let word = |chunk: &[u8]| u64::from_ne_bytes(chunk.try_into().unwrap_or([0; 8]));
    for (x, y) in (&mut left).zip(&mut right) {
        if word(x) != word(y) {
            return false;
        }
    }
    left.remainder()
        .iter()
        .zip(right.remainder())
        .all(|(x, y)| x == y)
}

impl Cursor {
    /// A cursor at `at` of a journey on `pathway`, with no variables set.
    #[cfg(test)]
    pub(super) fn at(pathway: PathwayId, at: NodeId) -> Cursor {
        Cursor {
            at,
            ..Cursor::new(pathway)
        }
    }

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
        start: Option<NodeId>,
        patient: &Patient,
        tracer: &mut T,
    ) -> Result<Cursor, EvalError> {
        let mut cursor = Cursor::new(pathway);
        match cursor.begin(bundle, start, patient, tracer) {
            Ok(()) => Ok(cursor),
            Err(stop) => Err(cursor.error(bundle, stop)),
        }
    }

    /// Goes to the pathway's start (or `start`, a topic's), if it is for
    /// this person, and walks to the first question or outcome.
    #[inline(always)]
    fn begin<T: Tracer>(
        &mut self,
        bundle: &CompiledBundle,
        start: Option<NodeId>,
        patient: &Patient,
        tracer: &mut T,
    ) -> Result<(), Stop> {
        if bundle.kind == BundleKind::Catalog {
            return Err(Stop::NotLoaded);
        }
        patient.check().map_err(Stop::Implausible)?;
        self.at = match bundle.entry(self.pathway) {
            Some(entry) if entry.admits(patient) => start.unwrap_or(entry.start),
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
            Stop::Implausible(problem) => EvalError::ImplausiblePatient(problem),
            Stop::NotApplicable => EvalError::NotApplicable {
                pathway: bundle.pathway_id(self.pathway).to_string(),
            },
            Stop::NotLoaded => EvalError::PathwayNotLoaded {
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
    ///
    /// The common case (an answer that fits) takes [`Cursor::resolve_quick`],
    /// which only says yes or no; a refused answer is then checked again
    /// here, slowly, for the error that names what is wrong.
    #[inline]
    fn resolve(&self, bundle: &CompiledBundle, answer: &Answer) -> Result<AnswerIds, EvalError> {
        match self.resolve_quick(bundle, answer) {
            Some(ids) => Ok(ids),
            None => self.resolve_refused(bundle, answer),
        }
    }

    /// [`Cursor::resolve`] for an answer that fits: the ids, or `None` for
    /// any answer that does not (or that this path does not know to fit).
    /// Nothing is built but the ids.
    #[inline(always)]
    pub(super) fn resolve_quick(
        &self,
        bundle: &CompiledBundle,
        answer: &Answer,
    ) -> Option<AnswerIds> {
        let node = bundle.node(self.at)?;
        let ir = bundle.ir_of(node)?;
        let NodeKindIr::Question(question) = &ir.kind else {
            return None;
        };
        let own = node.unit == self.pathway.0;
        if !public_id_is(bundle, own, node, ir, &answer.question) {
            return None;
        }
        let index = |id: &str| -> Option<u16> {
            let index = question.answers.iter().position(|a| same(&a.id, id))?;
            u16::try_from(index).ok()
        };
        let chosen = match (node.tag, &answer.value) {
            (NodeTag::YesNo | NodeTag::Single, AnswerValue::Choice(id)) => Chosen::One(index(id)?),
            (NodeTag::Multiple, AnswerValue::Choices(ids)) => {
                let mut mask = 0u64;
                for id in ids {
                    let bit = 1u64.checked_shl(u32::from(index(id)?))?;
                    if mask & bit != 0 {
                        return None;
                    }
                    mask |= bit;
                }
                if mask == 0 || (mask & node.exclusive != 0 && mask.count_ones() > 1) {
                    return None;
                }
                Chosen::Many(mask)
            }
            (NodeTag::Multiple, AnswerValue::Choice(id)) => {
                Chosen::Many(1u64.checked_shl(u32::from(index(id)?))?)
            }
            (NodeTag::Number, AnswerValue::Number(value)) => Chosen::Number {
                value: *value,
                band: number_band(question, *value)?,
            },
            (NodeTag::Number, AnswerValue::Choice(id)) => {
                let index = index(id)?;
                if index != node.not_sure {
                    return None;
                }
                Chosen::One(index)
            }
            _ => return None,
        };
        Some(AnswerIds {
            node: self.at,
            chosen,
        })
    }

    /// Why an answer [`Cursor::resolve_quick`] did not take is refused.
    #[cold]
    #[inline(never)]
    pub(super) fn resolve_refused(
        &self,
        bundle: &CompiledBundle,
        answer: &Answer,
    ) -> Result<AnswerIds, EvalError> {
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
    history: History,
}

/// The answers of a journey as ids, inline up to ten (96% of the shipped
/// case-pack journeys; a longer one moves to the heap), so walking a journey
/// from strings allocates nothing.
type History = smallvec::SmallVec<[AnswerIds; 10]>;

/// A journey being walked, owning its answers. Crate-internal: sessions,
/// [`evaluate`] and the case-pack runner all walk with it (and
/// [`evaluate_ids`] with the same [`Cursor`]), so they agree.
#[derive(Debug, Clone)]
pub(crate) struct Walk<'b> {
    bundle: &'b CompiledBundle,
    patient: Patient,
    /// The language texts are shown in.
    language: Language,
    state: WalkState,
    trace: Option<Trace>,
}

impl<'b> Walk<'b> {
    /// Starts a journey on `pathway` and walks to the first question or outcome.
    #[cfg(feature = "authoring")]
    pub(crate) fn start(
        bundle: &'b CompiledBundle,
        pathway: PathwayId,
        patient: Patient,
        trace: bool,
    ) -> Result<Walk<'b>, EvalError> {
        Walk::start_at(bundle, pathway, None, patient, trace)
    }

    /// Starts a journey on `pathway` at `start` (a topic's start; the
    /// pathway's own if `None`).
    #[inline]
    fn start_at(
        bundle: &'b CompiledBundle,
        pathway: PathwayId,
        start: Option<NodeId>,
        patient: Patient,
        trace: bool,
    ) -> Result<Walk<'b>, EvalError> {
        let mut trace = trace.then(Vec::new);
        let cursor = match &mut trace {
            Some(trace) => Cursor::start(bundle, pathway, start, &patient, trace)?,
            None => Cursor::start(bundle, pathway, start, &patient, &mut ())?,
        };
        Ok(Walk {
            bundle,
            patient,
            language: Language::En,
            state: WalkState {
                cursor,
                history: History::new(),
            },
            trace,
        })
    }

    /// Starts a journey on the pathway named `pathway`, at the start of
    /// `topic` (an id or title of a topic the pathway serves) if given.
    #[inline]
    pub(crate) fn start_named(
        bundle: &'b CompiledBundle,
        pathway: &str,
        topic: Option<&str>,
        patient: Patient,
    ) -> Result<Walk<'b>, EvalError> {
        let id = bundle
            .pathway_index(pathway)
            .ok_or_else(|| EvalError::UnknownPathway {
                pathway: pathway.to_string(),
            })?;
        let start = match topic {
            None => None,
            Some(topic) => {
                Some(
                    bundle
                        .topic_start(id, topic)
                        .ok_or_else(|| EvalError::UnknownTopic {
                            pathway: pathway.to_string(),
                            topic: topic.to_string(),
                        })?,
                )
            }
        };
        Walk::start_at(bundle, id, start, patient, false)
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
            language: Language::En,
            state,
            trace: None,
        }
    }

    /// The same walk, showing texts in `language`.
    pub(crate) fn in_language(self, language: Language) -> Walk<'b> {
        Walk { language, ..self }
    }

    /// How texts are chosen for this journey.
    fn reader(&self) -> Reader {
        self.patient.reader(self.language)
    }

    /// The state to resume from later.
    pub(crate) fn into_state(self) -> WalkState {
        self.state
    }

    #[cfg(feature = "authoring")]
    pub(crate) fn trace(&self) -> &[(NodeId, usize)] {
        self.trace.as_deref().unwrap_or(&[])
    }

    #[cfg(feature = "authoring")]
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

    /// [`Walk::apply`], leaving the walk as it was if the bundle turns out
    /// broken (the only way it fails once an answer resolved), so the walk
    /// stays usable.
    pub(crate) fn apply_or_keep(&mut self, ids: AnswerIds) -> Result<(), EvalError> {
        let before = self.state.cursor.clone();
        let applied = self.apply(ids);
        if applied.is_err() {
            self.state.cursor = before;
            self.state.history.pop();
        }
        applied
    }

    /// Resolves and applies `answers` in turn, untraced: [`Walk::give`] for
    /// each, in one tight loop over the cursor. Stops at the first refused.
    #[inline]
    fn give_all(&mut self, answers: &[Answer]) -> Result<(), EvalError> {
        if self.trace.is_some() {
            return answers.iter().try_for_each(|answer| self.give(answer));
        }
        let (bundle, patient) = (self.bundle, self.patient);
        let WalkState { cursor, history } = &mut self.state;
        history.reserve(answers.len());
        for answer in answers {
            let ids = match cursor.resolve_quick(bundle, answer) {
                Some(ids) => ids,
                None => cursor.resolve_refused(bundle, answer)?,
            };
            history.push(ids);
            let applied = match cursor.node(bundle) {
                Ok(node) => cursor.apply(bundle, node, &patient, history, &mut ()),
                Err(stop) => Err(stop),
            };
            applied.map_err(|stop| cursor.error(bundle, stop))?;
        }
        Ok(())
    }

    /// Resolves and applies an answer; a refused answer changes nothing.
    pub(crate) fn give(&mut self, answer: &Answer) -> Result<(), EvalError> {
        let ids = self.resolve(answer)?;
        self.apply(ids)
    }

    /// The current step, rendered when asked for.
    pub(crate) fn view(&self) -> StepView<'_> {
        self.state.view(self.bundle, self.reader())
    }

    /// The current step as shown to a person.
    #[cfg(feature = "authoring")]
    pub(crate) fn step(&self) -> Result<Step, EvalError> {
        self.view().render()
    }
}

impl WalkState {
    /// The step this state is at, with `bundle` (the one that made it).
    pub(crate) fn view<'a>(&'a self, bundle: &'a CompiledBundle, reader: Reader) -> StepView<'a> {
        StepView {
            bundle,
            pathway: self.cursor.pathway,
            at: self.cursor.at,
            history: &self.history,
            reader,
        }
    }
}

/// A journey walked by [`evaluate`]: where it is, with the answers that led
/// there, rendered only when asked for.
#[derive(Clone)]
pub struct Evaluation<'b> {
    walk: Walk<'b>,
}

impl std::fmt::Debug for Evaluation<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.view().fmt(f)
    }
}

/// Equal when they show the same: the same step, rendered.
impl PartialEq for Evaluation<'_> {
    fn eq(&self, other: &Evaluation<'_>) -> bool {
        self.view() == other.view()
    }
}

impl<'b> Evaluation<'b> {
    /// The step reached, borrowed: render all of it, a part, or only ids.
    pub fn view(&self) -> StepView<'_> {
        self.walk.view()
    }

    /// The whole step, every text copied out of the bundle.
    pub fn render(&self) -> Result<Step, EvalError> {
        self.view().render()
    }

    /// The question, rendered, if the journey is not finished.
    pub fn question(&self) -> Option<QuestionView> {
        self.view().question()
    }

    /// The outcome, rendered, if the journey is finished.
    pub fn outcome(&self) -> Option<OutcomeView> {
        self.view().outcome()
    }

    /// Where the journey is, as ids.
    pub fn position(&self) -> Position {
        self.walk.position()
    }

    /// The id of the disposition reached, if the journey has ended.
    pub fn disposition_id(&self) -> Option<&str> {
        self.view().disposition_id()
    }
}

/// Writes the [`Step`] reached.
impl serde::Serialize for Evaluation<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.view().serialize(serializer)
    }
}

/// The band a number falls in, or `None` when it is not finite or outside the range.
pub(crate) fn number_band(question: &QuestionIr, number: f64) -> Option<u16> {
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
                // Each option once: a list is never longer than the options offered.
                if mask & (1u64 << index) != 0 {
                    return Err(EvalError::DuplicateOption {
                        question: question_id(),
                        option: id.clone(),
                    });
                }
                mask |= 1u64 << index;
            }
            if mask == 0 {
                return Err(EvalError::NothingChosen {
                    question: question_id(),
                });
            }
            let exclusive = mask & question.exclusive_answers();
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
                    // A number is a JSON number: text such as "3" or " 3"
                    // is refused, so no request is read more loosely than it
                    // was written.
                    return Err(wrong_kind());
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

/// Walks `answers` from the start of `pathway` for `patient` to the next
/// question or the outcome. Stateless: the same inputs always give the same step.
///
/// Each answer must be to the question being asked at that point. Nothing is
/// rendered until asked for: the [`Evaluation`] gives the whole step
/// ([`Evaluation::render`]), one part of it, the disposition's id, or writes
/// the step as JSON straight from the bundle's texts.
///
/// ```
/// use triage_core::prelude::*;
///
/// let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pathways");
/// let bundle = triage_core::open(&dir)?;
/// let patient = Patient::new(40, 0, Sex::Female);
/// // No answers yet: the first question.
/// let first = evaluate(&bundle, "chest-pain", &patient, &[])?;
/// let question = first.question().expect("a question");
/// // The same call with that question answered: the next step, or the outcome.
/// let answer = Answer::new(question.id.clone(), AnswerValue::Choices(vec!["not-breathing".into()]));
/// let step = evaluate(&bundle, "chest-pain", &patient, &[answer])?;
/// let outcome = step.outcome().expect("an emergency sign ends the journey");
/// assert_eq!(outcome.disposition.urgency, Urgency::Emergency);
/// assert_eq!(outcome.disposition.act_within_minutes, Some(0)); // call now
///
/// // An answer to a question that is not being asked is refused.
/// let wrong = Answer::new("no-such-question", AnswerValue::Choice("yes".into()));
/// assert!(evaluate(&bundle, "chest-pain", &patient, &[wrong]).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate<'b>(
    bundle: &'b CompiledBundle,
    pathway: &str,
    patient: &Patient,
    answers: &[Answer],
) -> Result<Evaluation<'b>, EvalError> {
    let walk = walk_strings(bundle, pathway, None, patient, answers)?;
    Ok(Evaluation { walk })
}

/// [`evaluate`] for a whole [`Request`], as `triage next` reads it: a topic's
/// start, and texts in the language asked for where the bundle has them
/// (each view says which language it is in).
pub fn evaluate_request<'b>(
    bundle: &'b CompiledBundle,
    request: &Request,
) -> Result<Evaluation<'b>, EvalError> {
    let walk = walk_strings(
        bundle,
        &request.pathway,
        request.topic.as_deref(),
        &request.patient,
        &request.answers,
    )?
    .in_language(request.language);
    Ok(Evaluation { walk })
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
    Ok(walk_strings(bundle, pathway, None, patient, answers)?.position())
}

#[inline]
pub(crate) fn walk_strings<'b>(
    bundle: &'b CompiledBundle,
    pathway: &str,
    topic: Option<&str>,
    patient: &Patient,
    answers: &[Answer],
) -> Result<Walk<'b>, EvalError> {
    let mut walk = Walk::start_named(bundle, pathway, topic, *patient)?;
    walk.give_all(answers)?;
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
    let walk = walk_strings(bundle, pathway, None, patient, answers)?;
    Ok((walk.pathway(), walk.into_state().history.into_vec()))
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
        .begin(bundle, None, patient, &mut ())
        .and_then(|()| cursor.give_all(bundle, patient, answers, &mut ()));
    match walked {
        Ok(()) => Ok(cursor.position(bundle)),
        Err(stop) => Err(cursor.error(bundle, stop)),
    }
}

/// The step at a [`Position`] reached by [`evaluate_ids`], as shown to a
/// person, with texts in `language` where the bundle has them.
pub fn step_at(
    bundle: &CompiledBundle,
    pathway: PathwayId,
    patient: &Patient,
    answers: &[AnswerIds],
    language: Language,
) -> Result<Step, EvalError> {
    let mut cursor = Cursor::new(pathway);
    cursor
        .begin(bundle, None, patient, &mut ())
        .and_then(|()| cursor.give_all(bundle, patient, answers, &mut ()))
        .map_err(|stop| cursor.error(bundle, stop))?;
    render_step(
        bundle,
        pathway,
        cursor.at,
        answers,
        patient.reader(language),
    )
}
