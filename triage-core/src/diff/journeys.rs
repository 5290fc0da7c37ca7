//! The journeys of one pathway, walked in both versions at once.
//!
//! Both versions start together and move in step while they stand on the
//! same node (matched by key, `unit/node`); where they first stand on
//! different nodes, the journeys have parted (the [`Fork`]). Each answer is
//! chosen once, as a class, by the version that asks first, and taken by the
//! other version when it asks the same question; where it no longer offers
//! that answer, or asks a question the other never did, it chooses its own.
//!
//! Answers that do not change what can happen next (many paths through a
//! screen of yes/no questions that only add to a score) lead to the same
//! state, and a state is walked once: the joint state (both nodes, both sets
//! of variables, the answers a condition may still read, answers one version
//! has not yet taken, who is on the journey, where the journeys parted and
//! what reasons and care advice have been met) is the key of a memo. So the
//! work grows with the number of distinct states, not of paths.

use super::classes::{years_of, Classes, Version};
use super::{Fork, JourneyChangeKind, Key, Keys, MAX_AGE_CELLS};
use crate::compile::NodeId;
use crate::expr::{AnswerFact, Expr, Facts};
use crate::ir::{
    BranchIr, DispositionIr, NodeIdx, NodeKindIr, OutcomeIr, QuestionIr, UnitIdx, UnitKind,
    VariableIdx,
};
use crate::model::QuestionKindDoc;
use crate::vocab::Sex;
use std::collections::HashMap;
use std::rc::Rc;

/// Words of [`Who`]: one bit per (age cell, sex).
const WORDS: usize = MAX_AGE_CELLS * 2 / 64;

/// A set of people: bit `2 * cell + sex` for each age cell and sex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub(super) struct Who([u64; WORDS]);

impl Who {
    fn bit(cell: usize, sex: Sex) -> usize {
        cell * 2 + usize::from(sex == Sex::Male)
    }

    fn insert(&mut self, cell: usize, sex: Sex) {
        let bit = Who::bit(cell, sex);
        if let Some(word) = self.0.get_mut(bit / 64) {
            *word |= 1 << (bit % 64);
        }
    }

    /// Whether people of age cell `cell` and sex `sex` are in the set.
    pub(super) fn contains(&self, cell: usize, sex: Sex) -> bool {
        let bit = Who::bit(cell, sex);
        self.0
            .get(bit / 64)
            .is_some_and(|w| w & (1 << (bit % 64)) != 0)
    }

    /// Whether no one is in the set.
    pub(super) fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    fn both(self, other: Who) -> Who {
        let mut out = self;
        for (a, b) in out.0.iter_mut().zip(other.0) {
            *a &= b;
        }
        out
    }

    fn without(self, other: Who) -> Who {
        let mut out = self;
        for (a, b) in out.0.iter_mut().zip(other.0) {
            *a &= !b;
        }
        out
    }

    fn add(&mut self, other: Who) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a |= b;
        }
    }

    /// Every (cell, sex) in the set.
    fn members(self) -> impl Iterator<Item = (usize, Sex)> {
        (0..WORDS * 64).filter_map(move |bit| {
            let word = self.0.get(bit / 64)?;
            (word & (1 << (bit % 64)) != 0).then(|| {
                let sex = if bit % 2 == 1 { Sex::Male } else { Sex::Female };
                (bit / 2, sex)
            })
        })
    }
}

/// An answer chosen on the joint journey, and which versions have taken it.
#[derive(Debug, Clone)]
struct Given {
    key: Key,
    /// The answer ids chosen (empty for a number).
    ids: Vec<Rc<str>>,
    /// A number answer's value.
    number: Option<f64>,
    /// Whether each version has taken it (or found it no longer fits).
    used: [bool; 2],
    /// The answer as authors write it.
    shown: Rc<str>,
}

/// One version's place on the joint journey.
#[derive(Debug, Clone)]
struct Side<'b> {
    at: NodeId,
    /// Variables set, sorted by variable.
    vars: Vec<(VariableIdx, f64)>,
    /// Answers some condition of the version reads: (authored node, answer), latest only.
    read: Vec<(NodeIdx, AnswerFact)>,
    /// Reason codes met, in order.
    reasons: Vec<&'b str>,
    /// Care advice from answers, sorted, each once.
    advice: Vec<&'b str>,
}

/// Both versions' places, the answers not yet taken by both, and where the
/// journeys parted.
#[derive(Debug, Clone)]
struct Joint<'b> {
    sides: [Side<'b>; 2],
    pending: Vec<Given>,
    fork: Option<Fork>,
}

/// What a part of a journey gave, per version: answers (key, as shown),
/// reason codes and care advice, in order.
#[derive(Debug, Clone, Default)]
struct Example<'b> {
    answers: [Vec<(Key, Rc<str>)>; 2],
    reasons: [Vec<&'b str>; 2],
    advice: [Vec<&'b str>; 2],
}

impl<'b> Example<'b> {
    /// `prefix` followed by `self`.
    fn after(&self, prefix: &Example<'b>) -> Example<'b> {
        let join = |a: &[(Key, Rc<str>)], b: &[(Key, Rc<str>)]| [a, b].concat();
        let join_str = |a: &[&'b str], b: &[&'b str]| [a, b].concat();
        Example {
            answers: [
                join(&prefix.answers[0], &self.answers[0]),
                join(&prefix.answers[1], &self.answers[1]),
            ],
            reasons: [
                join_str(&prefix.reasons[0], &self.reasons[0]),
                join_str(&prefix.reasons[1], &self.reasons[1]),
            ],
            advice: [
                join_str(&prefix.advice[0], &self.advice[0]),
                join_str(&prefix.advice[1], &self.advice[1]),
            ],
        }
    }
}

/// How one version's journey ends.
#[derive(Debug, Clone, Copy)]
pub(super) struct End<'b> {
    pub(super) disposition: &'b DispositionIr,
    pub(super) outcome: Key,
}

/// Journeys that end differently in the same way, for everyone who takes them.
#[derive(Debug, Clone)]
pub(super) struct Found<'b> {
    pub(super) kind: JourneyChangeKind,
    pub(super) fork: Option<Fork>,
    pub(super) ends: [End<'b>; 2],
    pub(super) who: Who,
    /// Journey classes with this change.
    pub(super) classes: u64,
    /// The first journey found with it.
    example: Example<'b>,
    /// Who takes that first journey.
    pub(super) example_who: Who,
}

impl<'b> Found<'b> {
    fn same_change(&self, other: &Found<'b>) -> bool {
        self.kind == other.kind
            && self.fork == other.fork
            && self
                .ends
                .iter()
                .zip(&other.ends)
                .all(|(a, b)| a.disposition.id == b.disposition.id && a.outcome == b.outcome)
    }

    /// The example's answers of version `side`, as (key, answer shown).
    pub(super) fn answers(&self, side: usize) -> &[(Key, Rc<str>)] {
        self.example.answers.get(side).map_or(&[], Vec::as_slice)
    }

    /// The example's reason codes of version `side`.
    pub(super) fn reasons(&self, side: usize) -> &[&'b str] {
        self.example.reasons.get(side).map_or(&[], Vec::as_slice)
    }

    /// The example's care advice of version `side`, each once, in order.
    pub(super) fn advice(&self, side: usize) -> Vec<&'b str> {
        let mut out: Vec<&'b str> = Vec::new();
        for id in self.example.advice.get(side).map_or(&[][..], Vec::as_slice) {
            if !out.contains(id) {
                out.push(id);
            }
        }
        out
    }
}

/// What the journeys from a state hold: how many classes, and the changes.
#[derive(Debug, Default)]
struct Summary<'b> {
    classes: u64,
    found: Vec<Found<'b>>,
}

impl<'b> Summary<'b> {
    /// Adds `child`'s journeys, each reached through `prefix`.
    fn absorb(&mut self, child: &Summary<'b>, prefix: &Example<'b>) {
        self.classes = self.classes.saturating_add(child.classes);
        for found in &child.found {
            match self.found.iter_mut().find(|f| f.same_change(found)) {
                Some(mine) => {
                    mine.who.add(found.who);
                    mine.classes = mine.classes.saturating_add(found.classes);
                }
                None => {
                    let mut found = found.clone();
                    found.example = found.example.after(prefix);
                    self.found.push(found);
                }
            }
        }
    }
}

/// A class of answers: the ids chosen (empty for a number), the number, and
/// the answer as authors write it.
type AnswerClass = (Vec<Rc<str>>, Option<f64>, Rc<str>);

/// An answer as a hashable value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum FactBits {
    Choice(u16),
    Multiple(u64),
    Number(u64),
}

impl From<AnswerFact> for FactBits {
    fn from(fact: AnswerFact) -> FactBits {
        match fact {
            AnswerFact::Choice(i) => FactBits::Choice(i),
            AnswerFact::Multiple(m) => FactBits::Multiple(m),
            AnswerFact::Number(x) => FactBits::Number(x.to_bits()),
        }
    }
}

/// An answer not yet taken by both versions: key, ids, number (as bits), taken by each.
type PendingKey = (Key, Vec<Rc<str>>, Option<u64>, [bool; 2]);

/// The variables and answers that may still be read, as hashable values.
type LiveState = (Vec<(VariableIdx, u64)>, Vec<(NodeIdx, FactBits)>);

/// Everything about a joint state that can change how its journeys end.
#[derive(Debug, PartialEq, Eq, Hash)]
struct MemoKey<'b> {
    at: [NodeId; 2],
    vars: [Vec<(VariableIdx, u64)>; 2],
    read: [Vec<(NodeIdx, FactBits)>; 2],
    pending: Vec<PendingKey>,
    who: Who,
    fork: Option<Fork>,
    /// The reasons met when they differ; else whether any was met.
    reasons: Result<bool, [Vec<&'b str>; 2]>,
    advice: [Vec<&'b str>; 2],
}

impl<'b> MemoKey<'b> {
    fn of(joint: &Joint<'b>, who: Who, lenses: &[Lens<'_, 'b>; 2]) -> MemoKey<'b> {
        let [a, b] = &joint.sides;
        let (old_vars, old_read) = lenses[0].live_state(a);
        let (new_vars, new_read) = lenses[1].live_state(b);
        MemoKey {
            at: [a.at, b.at],
            vars: [old_vars, new_vars],
            read: [old_read, new_read],
            pending: joint
                .pending
                .iter()
                .map(|g| (g.key, g.ids.clone(), g.number.map(f64::to_bits), g.used))
                .collect(),
            who,
            fork: joint.fork.clone(),
            reasons: if a.reasons == b.reasons {
                Ok(a.reasons.is_empty())
            } else {
                Err([a.reasons.clone(), b.reasons.clone()])
            },
            advice: [a.advice.clone(), b.advice.clone()],
        }
    }
}

/// What a branch reads about one person, from one version's side.
struct Known<'s, 'b> {
    months: u32,
    sex: Sex,
    side: &'s Side<'b>,
}

impl Facts for Known<'_, '_> {
    fn age_years(&self) -> f64 {
        years_of(self.months)
    }

    fn age_months(&self) -> f64 {
        f64::from(self.months)
    }

    fn sex(&self) -> Sex {
        self.sex
    }

    fn answer(&self, question: NodeIdx) -> Option<AnswerFact> {
        self.side
            .read
            .iter()
            .find(|(n, _)| *n == question)
            .map(|(_, fact)| *fact)
    }

    fn variable(&self, variable: VariableIdx) -> f64 {
        self.side
            .vars
            .iter()
            .find(|(v, _)| *v == variable)
            .map_or(0.0, |(_, value)| *value)
    }
}

/// Whether an expression reads the person's age or sex.
fn reads_person(expr: &Expr) -> bool {
    match expr {
        Expr::AgeYears | Expr::AgeMonths | Expr::SexIs { .. } => true,
        Expr::Compare { left, right, .. } | Expr::BoolEquals { left, right, .. } => {
            reads_person(left) || reads_person(right)
        }
        Expr::InRange { subject, .. } => reads_person(subject),
        Expr::Not(inner) => reads_person(inner),
        Expr::And(items) | Expr::Or(items) => items.iter().any(reads_person),
        _ => false,
    }
}

/// What a walk needs to know of one version beyond its bundle.
struct Lens<'v, 'b> {
    version: &'v Version<'b>,
    /// Per authored node: whether its branch reads the person.
    personal: Vec<bool>,
    /// Per authored node: whether some condition reads its answer.
    readable: Vec<bool>,
    /// What conditions may still read at each compiled node.
    live: Liveness,
}

/// Per compiled node, the variables and answers a condition at or after it
/// may read: a bit set per node over the variables then the questions that
/// any condition reads.
struct Liveness {
    /// Bit of each variable, by [`VariableIdx`].
    variables: HashMap<VariableIdx, usize>,
    /// Bit of each question read, by authored node.
    questions: HashMap<NodeIdx, usize>,
    /// Words per node.
    width: usize,
    bits: Vec<u64>,
}

impl Liveness {
    fn of(version: &Version<'_>, readable: &[bool]) -> Liveness {
        let bundle = version.bundle;
        let mut variables = HashMap::new();
        let mut questions = HashMap::new();
        let conditions = |ir: NodeIdx| -> Vec<&Expr> {
            match bundle.ir_nodes.get(ir as usize).map(|n| &n.kind) {
                Some(NodeKindIr::Branch(BranchIr::Cases { cases, .. })) => {
                    cases.iter().map(|(condition, _)| condition).collect()
                }
                Some(NodeKindIr::Branch(BranchIr::Bands { on, .. })) => vec![on],
                _ => Vec::new(),
            }
        };
        for (ir, node) in bundle.ir_nodes.iter().enumerate() {
            if matches!(node.kind, NodeKindIr::Branch(_)) {
                for expr in conditions(u32::try_from(ir).unwrap_or(u32::MAX)) {
                    for variable in variables_read(expr) {
                        let next = variables.len();
                        variables.entry(variable).or_insert(next);
                    }
                }
            }
        }
        for (ir, read) in readable.iter().enumerate() {
            if *read {
                let next = variables.len() + questions.len();
                questions.insert(u32::try_from(ir).unwrap_or(u32::MAX), next);
            }
        }
        let width = (variables.len() + questions.len()).div_ceil(64).max(1);
        let count = bundle.nodes.len();
        let mut bits = vec![0u64; count * width];
        // Post-order over the (acyclic) compiled graph: a node's set is its
        // own reads and its successors' sets.
        let mut done = vec![false; count];
        for root in 0..count {
            if done[root] {
                continue;
            }
            let mut stack = vec![(root, false)];
            while let Some((n, expanded)) = stack.pop() {
                if done[n] {
                    continue;
                }
                let id = NodeId(u32::try_from(n).unwrap_or(u32::MAX));
                let successors = bundle.edges_of(id);
                if !expanded {
                    stack.push((n, true));
                    for next in successors {
                        if !done.get(next.index()).copied().unwrap_or(true) {
                            stack.push((next.index(), false));
                        }
                    }
                    continue;
                }
                let mut mine = vec![0u64; width];
                if let Some(node) = bundle.node(id) {
                    for expr in conditions(node.ir) {
                        for variable in variables_read(expr) {
                            if let Some(bit) = variables.get(&variable) {
                                mine[bit / 64] |= 1 << (bit % 64);
                            }
                        }
                        for question in expr.questions() {
                            if let Some(bit) = questions.get(&question) {
                                mine[bit / 64] |= 1 << (bit % 64);
                            }
                        }
                    }
                }
                for next in successors {
                    let start = next.index() * width;
                    if let Some(theirs) = bits.get(start..start + width) {
                        for (a, b) in mine.iter_mut().zip(theirs) {
                            *a |= b;
                        }
                    }
                }
                if let Some(slot) = bits.get_mut(n * width..(n + 1) * width) {
                    slot.copy_from_slice(&mine);
                }
                done[n] = true;
            }
        }
        Liveness {
            variables,
            questions,
            width,
            bits,
        }
    }

    fn has(&self, at: NodeId, bit: Option<&usize>) -> bool {
        let Some(bit) = bit else { return false };
        self.bits
            .get(at.index() * self.width + bit / 64)
            .is_some_and(|w| w & (1 << (bit % 64)) != 0)
    }

    fn variable(&self, at: NodeId, variable: VariableIdx) -> bool {
        self.has(at, self.variables.get(&variable))
    }

    fn question(&self, at: NodeId, question: NodeIdx) -> bool {
        self.has(at, self.questions.get(&question))
    }
}

/// The variables and scores an expression reads.
fn variables_read(expr: &Expr) -> Vec<VariableIdx> {
    match expr {
        Expr::BoolVariable(v) | Expr::NumberVariable(v) => vec![*v],
        Expr::Compare { left, right, .. } | Expr::BoolEquals { left, right, .. } => {
            [variables_read(left), variables_read(right)].concat()
        }
        Expr::InRange { subject, .. } => variables_read(subject),
        Expr::Not(inner) => variables_read(inner),
        Expr::And(items) | Expr::Or(items) => items.iter().flat_map(variables_read).collect(),
        _ => Vec::new(),
    }
}

impl<'v, 'b> Lens<'v, 'b> {
    fn new(version: &'v Version<'b>) -> Lens<'v, 'b> {
        let nodes = &version.bundle.ir_nodes;
        let mut readable = vec![false; nodes.len()];
        let mut personal = vec![false; nodes.len()];
        for (index, node) in nodes.iter().enumerate() {
            let exprs: Vec<&Expr> = match &node.kind {
                NodeKindIr::Branch(BranchIr::Cases { cases, .. }) => {
                    cases.iter().map(|(condition, _)| condition).collect()
                }
                NodeKindIr::Branch(BranchIr::Bands { on, .. }) => vec![on],
                _ => Vec::new(),
            };
            for expr in exprs {
                if reads_person(expr) {
                    personal[index] = true;
                }
                for question in expr.questions() {
                    if let Some(slot) = readable.get_mut(question as usize) {
                        *slot = true;
                    }
                }
            }
        }
        let live = Liveness::of(version, &readable);
        Lens {
            version,
            personal,
            readable,
            live,
        }
    }

    /// The variables and answers of `side` that a condition at or after its
    /// node may still read, for the memo key.
    fn live_state(&self, side: &Side<'b>) -> LiveState {
        let vars = side
            .vars
            .iter()
            .filter(|(v, _)| self.live.variable(side.at, *v))
            .map(|(v, x)| (*v, x.to_bits()))
            .collect();
        let read = side
            .read
            .iter()
            .filter(|(n, _)| self.live.question(side.at, *n))
            .map(|(n, f)| (*n, FactBits::from(*f)))
            .collect();
        (vars, read)
    }

    fn key(&self, at: NodeId) -> Key {
        self.version
            .bundle
            .node(at)
            .and_then(|n| self.version.keys.get(n.ir as usize))
            .copied()
            .unwrap_or(Key::MAX)
    }

    fn kind(&self, at: NodeId) -> Option<&'b NodeKindIr> {
        self.version.bundle.ir_node(at).map(|n| &n.kind)
    }

    /// Whether a journey stops at `at`: a question or an outcome.
    fn stops(&self, at: NodeId) -> bool {
        matches!(
            self.kind(at),
            Some(NodeKindIr::Question(_) | NodeKindIr::Outcome(_)) | None
        )
    }

    fn next(&self, at: NodeId, edge: usize) -> Option<NodeId> {
        let bundle = self.version.bundle;
        bundle.node(at).and_then(|n| bundle.edge_of(n, edge))
    }

    /// The edge each person takes at `at` (a jump or a branch).
    fn edge_for(&self, side: &Side<'b>, months: u32, sex: Sex) -> usize {
        let facts = Known { months, sex, side };
        match self.kind(side.at) {
            Some(NodeKindIr::Branch(BranchIr::Cases { cases, .. })) => cases
                .iter()
                .position(|(condition, _)| condition.eval_bool(&facts))
                .unwrap_or(cases.len()),
            // An unknown value takes the lowest band, as the engine does.
            Some(NodeKindIr::Branch(BranchIr::Bands { on, bands })) => on
                .eval_number(&facts)
                .and_then(|value| {
                    bands
                        .iter()
                        .position(|(from, below, _)| *from <= value && value < *below)
                })
                .unwrap_or(0),
            _ => 0,
        }
    }

    fn is_personal(&self, at: NodeId) -> bool {
        self.version
            .bundle
            .node(at)
            .and_then(|n| self.personal.get(n.ir as usize))
            .copied()
            .unwrap_or(false)
    }

    /// The edge a journey left a node by, in words.
    fn edge_text(&self, at: NodeId, edge: usize) -> String {
        let bundle = self.version.bundle;
        match self.kind(at) {
            Some(NodeKindIr::Question(q)) => {
                q.answers
                    .get(edge)
                    .map_or_else(String::new, |a| match a.band {
                        Some((from, below)) => format!("answer {}", super::band_text(from, below)),
                        None => format!("answer {}", a.id),
                    })
            }
            Some(NodeKindIr::Branch(BranchIr::Cases { cases, written, .. })) => {
                if edge < cases.len() {
                    written.get(edge).map_or_else(
                        || format!("case {}", edge + 1),
                        |(w, _)| format!("when {w}"),
                    )
                } else {
                    "otherwise".to_owned()
                }
            }
            Some(NodeKindIr::Branch(BranchIr::Bands { bands, .. })) => bands
                .get(edge)
                .map_or_else(String::new, |(from, below, _)| {
                    format!("band {}", super::band_text(*from, *below))
                }),
            Some(NodeKindIr::Outcome(o)) => bundle
                .disposition_ir(o.disposition)
                .map_or_else(String::new, |d| format!("ends at {}", d.id)),
            Some(NodeKindIr::Call { .. }) => "module call".to_owned(),
            Some(NodeKindIr::Goto { .. }) => "jump".to_owned(),
            None => String::new(),
        }
    }

    /// The people a pathway is for.
    fn admitted(&self, unit: UnitIdx, classes: &Classes) -> Who {
        let mut who = Who::default();
        let Some(UnitKind::Pathway(a)) = self.version.bundle.unit(unit).map(|u| &u.kind) else {
            return who;
        };
        for cell in 0..classes.ages.len() {
            let years = years_of(classes.ages.first_month(cell));
            if a.from_years <= years && years < a.to_years {
                for sex in &a.sexes {
                    who.insert(cell, *sex);
                }
            }
        }
        who
    }
}

/// The band of a number question holding `value`, as the engine reads it
/// (the top of the range belongs to the last band).
fn number_band(question: &QuestionIr, value: f64) -> Option<usize> {
    crate::eval::number_band(question, value).map(usize::from)
}

/// A given answer as `question` of one version takes it: the chosen bits,
/// the number and the routing answer; `None` when it no longer fits.
fn translate(given: &Given, question: &QuestionIr) -> Option<(u64, Option<f64>, usize)> {
    if let Some(value) = given.number {
        if question.kind != QuestionKindDoc::Number {
            return None;
        }
        let band = number_band(question, value)?;
        return Some((1 << band, Some(value), band));
    }
    let positions: Vec<usize> = given
        .ids
        .iter()
        .filter_map(|id| question.answers.iter().position(|a| a.id == id.as_ref()))
        .filter(|i| *i < 64)
        .collect();
    match question.kind {
        QuestionKindDoc::Multiple => {
            let mut mask = positions.iter().fold(0u64, |m, i| m | 1 << i);
            let exclusive = question.exclusive_answers();
            if mask & exclusive != 0 && mask.count_ones() > 1 {
                mask &= !exclusive;
            }
            // Options this version does not offer are not ticked here; with
            // none of its own left, "none of these" is the answer.
            if mask == 0 && !given.ids.is_empty() {
                mask = question
                    .answers
                    .iter()
                    .position(|a| a.id == "none")
                    .filter(|i| *i < 64)
                    .map_or(0, |i| 1 << i);
            }
            (mask != 0).then(|| (mask, None, mask.trailing_zeros() as usize))
        }
        // One answer, or a number question's "not sure".
        _ => match positions.as_slice() {
            [i] if question.kind != QuestionKindDoc::Number
                || question.answers.get(*i).is_some_and(|a| a.not_sure) =>
            {
                Some((1 << i, None, *i))
            }
            _ => None,
        },
    }
}

/// One pathway's journeys compared.
pub(super) struct JointWalk<'a, 'b> {
    pub(super) versions: [&'a Version<'b>; 2],
    pub(super) classes: &'a Classes,
    pub(super) keys: &'a Keys,
    pub(super) units: [UnitIdx; 2],
    /// Most distinct states walked before giving up.
    pub(super) limit: usize,
}

/// What [`JointWalk::run`] found.
pub(super) struct Compared<'b> {
    /// Journey classes compared.
    pub(super) classes: u64,
    /// Distinct states walked.
    pub(super) states: usize,
    /// True when the limit was reached, so not every journey was compared.
    pub(super) incomplete: bool,
    /// The changes found.
    pub(super) found: Vec<Found<'b>>,
    /// People only the old version served.
    pub(super) no_longer_served: Who,
    /// People only the new version serves.
    pub(super) newly_served: Who,
}

/// The walk's working state.
struct Walk<'a, 'v, 'b> {
    lenses: [Lens<'v, 'b>; 2],
    classes: &'a Classes,
    keys: &'a Keys,
    pathway: &'b str,
    memo: HashMap<MemoKey<'b>, Rc<Summary<'b>>>,
    limit: usize,
    incomplete: bool,
    /// Questions answered on the way to the state being explored: the walk
    /// recurses once per answer, so its depth is bounded ([`MAX_DEPTH`]).
    depth: usize,
}

/// Most answers on one journey the walk follows; a longer one (never in a
/// real pathway) leaves the pathway not compared in full rather than
/// exhausting the stack.
const MAX_DEPTH: usize = 400;

impl<'a, 'b> JointWalk<'a, 'b> {
    pub(super) fn run(&self) -> Compared<'b> {
        let lenses = [Lens::new(self.versions[0]), Lens::new(self.versions[1])];
        let [old_people, new_people] =
            [0, 1].map(|s| lenses[s].admitted(self.units[s], self.classes));
        let mut compared = Compared {
            classes: 0,
            states: 0,
            incomplete: false,
            found: Vec::new(),
            no_longer_served: old_people.without(new_people),
            newly_served: new_people.without(old_people),
        };
        let both = old_people.both(new_people);
        let starts = [0, 1].map(|s| {
            self.versions[s]
                .bundle
                .entry(crate::compile::PathwayId(self.units[s]))
                .map(|e| e.start)
        });
        let [Some(old_start), Some(new_start)] = starts else {
            return compared;
        };
        if both.is_empty() {
            return compared;
        }
        let side = |at: NodeId| Side {
            at,
            vars: Vec::new(),
            read: Vec::new(),
            reasons: Vec::new(),
            advice: Vec::new(),
        };
        let mut walk = Walk {
            lenses,
            classes: self.classes,
            keys: self.keys,
            pathway: self.versions[0].bundle.unit_id(self.units[0]),
            memo: HashMap::new(),
            limit: self.limit,
            incomplete: false,
            depth: 0,
        };
        let start = Joint {
            sides: [side(old_start), side(new_start)],
            pending: Vec::new(),
            fork: None,
        };
        let mut root = Summary::default();
        for (joint, who, prefix) in walk.settle(start, both, Example::default()) {
            let child = walk.explore(joint, who);
            root.absorb(&child, &prefix);
        }
        compared.classes = root.classes;
        compared.states = walk.memo.len();
        compared.incomplete = walk.incomplete;
        compared.found = root.found;
        compared
    }
}

impl<'a, 'v, 'b> Walk<'a, 'v, 'b> {
    /// The journeys from a settled state (both versions at a question or an
    /// outcome, no answer left to take), walked once per distinct state.
    fn explore(&mut self, joint: Joint<'b>, who: Who) -> Rc<Summary<'b>> {
        let key = MemoKey::of(&joint, who, &self.lenses);
        if let Some(known) = self.memo.get(&key) {
            return Rc::clone(known);
        }
        if self.memo.len() >= self.limit || self.depth >= MAX_DEPTH {
            self.incomplete = true;
            return Rc::new(Summary::default());
        }
        self.depth += 1;
        let summary = Rc::new(self.expand(joint, who));
        self.depth -= 1;
        self.memo.insert(key, Rc::clone(&summary));
        summary
    }

    fn expand(&mut self, joint: Joint<'b>, who: Who) -> Summary<'b> {
        let questions = [0, 1].map(|s| match self.lenses[s].kind(joint.sides[s].at) {
            Some(NodeKindIr::Question(q)) => Some(q),
            _ => None,
        });
        // The version that asks first chooses (the old one when both ask).
        let (side, question) = match questions {
            [Some(q), _] => (0, q),
            [None, Some(q)] => (1, q),
            [None, None] => return self.leaf(&joint, who),
        };
        let key = self.lenses[side].key(joint.sides[side].at);
        // Where both versions ask the question, an answer only the other
        // version offers is tried too: the chooser sets it aside and answers
        // as it can, so each of its answers is paired with the new one.
        let other = 1 - side;
        let together = self.lenses[other].key(joint.sides[other].at) == key;
        let theirs = match (together, self.lenses[other].kind(joint.sides[other].at)) {
            (true, Some(NodeKindIr::Question(q))) => Some(q),
            _ => None,
        };
        let mut summary = Summary::default();
        for (ids, number, shown) in self.answer_classes(key, question, theirs) {
            if self.incomplete {
                break;
            }
            let mut next = joint.clone();
            next.pending.push(Given {
                key,
                ids,
                number,
                used: [false, false],
                shown,
            });
            for (settled, part, prefix) in self.settle(next, who, Example::default()) {
                let child = self.explore(settled, part);
                summary.absorb(&child, &prefix);
            }
        }
        summary
    }

    /// Every class of answer to `question` of version `side`.
    fn answer_classes(
        &self,
        key: Key,
        question: &'b QuestionIr,
        theirs: Option<&QuestionIr>,
    ) -> Vec<AnswerClass> {
        let choice = |ids: Vec<Rc<str>>| {
            let shown: Rc<str> = Rc::from(
                ids.iter()
                    .map(|id| id.as_ref())
                    .collect::<Vec<_>>()
                    .join(" + "),
            );
            (ids, None, shown)
        };
        match question.kind {
            QuestionKindDoc::YesNo | QuestionKindDoc::Single => question
                .answers
                .iter()
                // With the other version at the same question: its answers
                // this one does not offer, too.
                .chain(
                    theirs
                        .iter()
                        .flat_map(|q| q.answers.iter())
                        .filter(|a| !question.answers.iter().any(|b| b.id == a.id)),
                )
                .map(|a| choice(vec![Rc::from(a.id.as_str())]))
                .collect(),
            // Over both versions' options: what one version does not offer,
            // it does not take (see `translate`).
            QuestionKindDoc::Multiple => self
                .classes
                .multiple_choices(key)
                .iter()
                .map(|ids| choice(ids.clone()))
                .collect(),
            QuestionKindDoc::Number => {
                let unit = question.unit.as_ref().map(|u| u.english());
                let mut out: Vec<_> = self
                    .classes
                    .numbers(key)
                    .iter()
                    .filter(|class| number_band(question, class.value).is_some())
                    .map(|class| {
                        (
                            Vec::new(),
                            Some(class.value),
                            Rc::from(class.describe(unit)),
                        )
                    })
                    .collect();
                out.extend(
                    question
                        .answers
                        .iter()
                        .filter(|a| a.not_sure)
                        .map(|a| choice(vec![Rc::from(a.id.as_str())])),
                );
                out
            }
        }
    }

    /// Moves both versions on from `joint` until each stands at a question
    /// it has no answer for, or at an outcome: through jumps and branches
    /// (splitting who is on the journey where a branch splits them), and
    /// taking the answers already given. Records where the journeys part.
    fn settle(
        &self,
        joint: Joint<'b>,
        who: Who,
        example: Example<'b>,
    ) -> Vec<(Joint<'b>, Who, Example<'b>)> {
        let mut done = Vec::new();
        let mut work = vec![(joint, who, example)];
        while let Some((mut joint, mut who, mut example)) = work.pop() {
            loop {
                let at = [joint.sides[0].at, joint.sides[1].at];
                let keys = [self.lenses[0].key(at[0]), self.lenses[1].key(at[1])];
                let stops = [self.lenses[0].stops(at[0]), self.lenses[1].stops(at[1])];
                let together = keys[0] == keys[1];
                if together && !stops[0] && !stops[1] {
                    // Both at the same branch or jump: take it in step.
                    let groups = self.split(&joint, who, [true, true]);
                    let Some(((first_edges, first_who), rest)) = groups.split_first() else {
                        break;
                    };
                    for (edges, part) in rest {
                        let mut other = joint.clone();
                        if self.step_both(&mut other, *edges) {
                            work.push((other, *part, example.clone()));
                        }
                    }
                    who = *first_who;
                    if !self.step_both(&mut joint, *first_edges) {
                        break;
                    }
                    continue;
                }
                if let Some(s) = (0..2).find(|s| !stops[*s]) {
                    // One version at a branch or jump on its own.
                    let mut only = [false, false];
                    only[s] = true;
                    let groups = self.split(&joint, who, only);
                    let Some(((first_edges, first_who), rest)) = groups.split_first() else {
                        break;
                    };
                    for (edges, part) in rest {
                        let mut other = joint.clone();
                        if self.step_one(&mut other, s, edges[s]) {
                            work.push((other, *part, example.clone()));
                        }
                    }
                    who = *first_who;
                    if !self.step_one(&mut joint, s, first_edges[s]) {
                        break;
                    }
                    continue;
                }
                // Both at a question or an outcome: take answers already given.
                if !self.take_given(&mut joint, &mut example, together) {
                    break;
                }
            }
            done.push((joint, who, example));
        }
        done
    }

    /// The edges each person takes at the current nodes of the versions in
    /// `moving`, grouped: ([old edge, new edge], who).
    fn split(&self, joint: &Joint<'b>, who: Who, moving: [bool; 2]) -> Vec<([usize; 2], Who)> {
        let personal = (0..2).any(|s| moving[s] && self.lenses[s].is_personal(joint.sides[s].at));
        let edges_for = |months: u32, sex: Sex| -> [usize; 2] {
            [0, 1].map(|s| {
                if moving[s] {
                    self.lenses[s].edge_for(&joint.sides[s], months, sex)
                } else {
                    0
                }
            })
        };
        if !personal {
            let (cell, sex) = who.members().next().unwrap_or((0, Sex::Female));
            return vec![(edges_for(self.classes.ages.first_month(cell), sex), who)];
        }
        let mut groups: Vec<([usize; 2], Who)> = Vec::new();
        for (cell, sex) in who.members() {
            let edges = edges_for(self.classes.ages.first_month(cell), sex);
            match groups.iter_mut().find(|(e, _)| *e == edges) {
                Some((_, group)) => group.insert(cell, sex),
                None => {
                    let mut group = Who::default();
                    group.insert(cell, sex);
                    groups.push((edges, group));
                }
            }
        }
        groups
    }

    fn step_one(&self, joint: &mut Joint<'b>, side: usize, edge: usize) -> bool {
        let at = joint.sides[side].at;
        match self.lenses[side].next(at, edge) {
            Some(next) => {
                joint.sides[side].at = next;
                true
            }
            None => false,
        }
    }

    /// Both versions leave the node they share, by `edges`; notes the fork
    /// if they land on different nodes.
    fn step_both(&self, joint: &mut Joint<'b>, edges: [usize; 2]) -> bool {
        let from = [joint.sides[0].at, joint.sides[1].at];
        if !(self.step_one(joint, 0, edges[0]) && self.step_one(joint, 1, edges[1])) {
            return false;
        }
        self.note_fork(joint, from, edges);
        true
    }

    fn note_fork(&self, joint: &mut Joint<'b>, from: [NodeId; 2], edges: [usize; 2]) {
        if joint.fork.is_some() {
            return;
        }
        let landed = [
            self.lenses[0].key(joint.sides[0].at),
            self.lenses[1].key(joint.sides[1].at),
        ];
        if landed[0] != landed[1] {
            joint.fork = Some(Fork {
                node: self.keys.public(self.lenses[0].key(from[0]), self.pathway),
                old_edge: self.lenses[0].edge_text(from[0], edges[0]),
                new_edge: self.lenses[1].edge_text(from[1], edges[1]),
                old_next: self.keys.public(landed[0], self.pathway),
                new_next: self.keys.public(landed[1], self.pathway),
            });
        }
    }

    /// Has each version at a question take the answer already given to it,
    /// in step when both stand at it. False when there was none to take.
    fn take_given(&self, joint: &mut Joint<'b>, example: &mut Example<'b>, together: bool) -> bool {
        let mut took = [None, None];
        let mut progressed = false;
        for (side, slot) in took.iter_mut().enumerate() {
            let Some(NodeKindIr::Question(question)) = self.lenses[side].kind(joint.sides[side].at)
            else {
                continue;
            };
            let key = self.lenses[side].key(joint.sides[side].at);
            let Some(index) = joint
                .pending
                .iter()
                .position(|g| g.key == key && !g.used[side])
            else {
                continue;
            };
            if let Some(given) = joint.pending.get_mut(index) {
                given.used[side] = true;
            }
            let Some(given) = joint.pending.get(index).cloned() else {
                continue;
            };
            // An answer that no longer fits is set aside; the version chooses its own.
            progressed = true;
            if let Some(choice) = translate(&given, question) {
                *slot = Some((question, given, choice));
            }
        }
        if took.iter().all(Option::is_none) {
            joint.pending.retain(|g| g.used != [true, true]);
            return progressed;
        }
        let from = [joint.sides[0].at, joint.sides[1].at];
        let mut edges = [0, 0];
        for (side, taken) in took.iter().enumerate() {
            if let Some((question, given, (chosen, number, route))) = taken {
                self.answer(joint, example, side, question, given, *chosen, *number);
                edges[side] = *route;
            }
        }
        let both = took.iter().all(Option::is_some);
        if both && together {
            let _ = self.step_both(joint, edges);
        } else if together && progressed {
            // One version took an answer the other does not offer: there
            // the journeys part.
            let taker = usize::from(took[0].is_none());
            let at = joint.sides[taker].at;
            let _ = self.step_one(joint, taker, edges[taker]);
            if joint.fork.is_none() {
                let named = |side: usize| {
                    if side == taker {
                        self.lenses[side].edge_text(at, edges[side])
                    } else {
                        "no such answer".to_owned()
                    }
                };
                let next = |joint: &Joint<'b>, side: usize| {
                    self.keys
                        .public(self.lenses[side].key(joint.sides[side].at), self.pathway)
                };
                joint.fork = Some(Fork {
                    node: self.keys.public(self.lenses[taker].key(at), self.pathway),
                    old_edge: named(0),
                    new_edge: named(1),
                    old_next: next(joint, 0),
                    new_next: next(joint, 1),
                });
            }
        } else {
            for side in 0..2 {
                if took[side].is_some() {
                    let _ = self.step_one(joint, side, edges[side]);
                }
            }
            if both {
                self.note_fork(joint, from, edges);
            }
        }
        joint.pending.retain(|g| g.used != [true, true]);
        true
    }

    /// Applies an answer's effects, reasons and care advice to one version.
    #[allow(clippy::too_many_arguments)]
    fn answer(
        &self,
        joint: &mut Joint<'b>,
        example: &mut Example<'b>,
        side: usize,
        question: &'b QuestionIr,
        given: &Given,
        chosen: u64,
        number: Option<f64>,
    ) {
        let lens = &self.lenses[side];
        let state = &mut joint.sides[side];
        let ir = lens.version.bundle.node(state.at).map(|n| n.ir);
        for (i, answer) in question.answers.iter().enumerate() {
            if i >= 64 || chosen & (1 << i) == 0 {
                continue;
            }
            for (variable, value) in &answer.set {
                set_var(&mut state.vars, *variable, |_| *value);
            }
            for (variable, value) in &answer.add {
                set_var(&mut state.vars, *variable, |old| old + *value);
            }
            if let Some(reason) = &answer.reason {
                state.reasons.push(reason.code.as_str());
                example.reasons[side].push(reason.code.as_str());
            }
            for advice in &answer.advice {
                if let Some(entry) = lens.version.bundle.advice_ir(*advice) {
                    let id = entry.id.as_str();
                    if let Err(at) = state.advice.binary_search(&id) {
                        state.advice.insert(at, id);
                    }
                    example.advice[side].push(id);
                }
            }
        }
        if let Some(ir) = ir.filter(|ir| lens.readable.get(*ir as usize).copied().unwrap_or(false))
        {
            let fact = match (question.kind, number) {
                (_, Some(value)) => AnswerFact::Number(value),
                (QuestionKindDoc::Multiple, None) => AnswerFact::Multiple(chosen),
                _ => AnswerFact::Choice(u16::try_from(chosen.trailing_zeros()).unwrap_or(u16::MAX)),
            };
            state.read.retain(|(n, _)| *n != ir);
            state.read.push((ir, fact));
            state.read.sort_by_key(|(n, _)| *n);
        }
        // What this version took: an option it does not offer is not shown.
        let shown = match number {
            Some(_) => Rc::clone(&given.shown),
            None => Rc::from(
                question
                    .answers
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i < 64 && chosen & (1 << i) != 0)
                    .map(|(_, a)| a.id.as_str())
                    .collect::<Vec<_>>()
                    .join(" + "),
            ),
        };
        example.answers[side].push((given.key, shown));
    }

    /// Both versions at an outcome: one class, and a change if they differ.
    fn leaf(&self, joint: &Joint<'b>, who: Who) -> Summary<'b> {
        let mut ends = Vec::with_capacity(2);
        let mut suffix = Example::default();
        let mut reasons: [Vec<&'b str>; 2] = [Vec::new(), Vec::new()];
        let mut advice: [Vec<&'b str>; 2] = [Vec::new(), Vec::new()];
        for side in 0..2 {
            let lens = &self.lenses[side];
            let state = &joint.sides[side];
            let Some(NodeKindIr::Outcome(outcome)) = lens.kind(state.at) else {
                return Summary {
                    classes: 1,
                    found: Vec::new(),
                };
            };
            let bundle = lens.version.bundle;
            let Some(disposition) = bundle.disposition_ir(outcome.disposition) else {
                return Summary {
                    classes: 1,
                    found: Vec::new(),
                };
            };
            reasons[side] = state.reasons.clone();
            if state.reasons.is_empty() {
                if let Some(reason) = &outcome.reason {
                    reasons[side].push(reason.code.as_str());
                    suffix.reasons[side].push(reason.code.as_str());
                }
            }
            advice[side] = state.advice.clone();
            for id in outcome_advice(bundle, outcome, disposition) {
                suffix.advice[side].push(id);
                if let Err(at) = advice[side].binary_search(&id) {
                    advice[side].insert(at, id);
                }
            }
            ends.push(End {
                disposition,
                outcome: lens.key(state.at),
            });
        }
        let [old, new] = [ends[0], ends[1]];
        let kind = if old.disposition.id == new.disposition.id {
            (reasons[0] != reasons[1] || advice[0] != advice[1])
                .then_some(JourneyChangeKind::AdviceOrReasons)
        } else {
            Some(self.urgency(old.disposition, new.disposition))
        };
        let found = kind.map(|kind| {
            let fork = joint.fork.clone().or_else(|| {
                let (a, b) = (
                    self.lenses[0].edge_text(joint.sides[0].at, 0),
                    self.lenses[1].edge_text(joint.sides[1].at, 0),
                );
                (a != b).then(|| Fork {
                    node: self.keys.public(old.outcome, self.pathway),
                    old_edge: a,
                    new_edge: b,
                    old_next: String::new(),
                    new_next: String::new(),
                })
            });
            Found {
                kind,
                fork,
                ends: [old, new],
                who,
                classes: 1,
                example: suffix,
                example_who: who,
            }
        });
        Summary {
            classes: 1,
            found: found.into_iter().collect(),
        }
    }

    /// How a change of disposition changes urgency.
    fn urgency(&self, was: &DispositionIr, now: &DispositionIr) -> JourneyChangeKind {
        if was.act_within_minutes.is_some()
            && was.act_within_minutes == now.act_within_minutes
            && was.service != now.service
        {
            return JourneyChangeKind::OtherService;
        }
        // Both ranked on the new catalogue where it has both, so a renumbered
        // catalogue is not read as a change of urgency.
        let rank = |d: &DispositionIr| {
            self.lenses[1]
                .version
                .bundle
                .dispositions
                .iter()
                .find(|x| x.id == d.id)
                .map_or(d.rank, |x| x.rank)
        };
        match rank(now).cmp(&rank(was)) {
            std::cmp::Ordering::Greater => JourneyChangeKind::LessUrgent,
            std::cmp::Ordering::Less => JourneyChangeKind::MoreUrgent,
            std::cmp::Ordering::Equal => JourneyChangeKind::OtherService,
        }
    }
}

/// The care advice an outcome gives: its own, then its disposition's.
fn outcome_advice<'b>(
    bundle: &'b crate::compile::CompiledBundle,
    outcome: &'b OutcomeIr,
    disposition: &'b DispositionIr,
) -> Vec<&'b str> {
    outcome
        .advice
        .iter()
        .chain(&disposition.advice)
        .filter_map(|a| bundle.advice_ir(*a))
        .map(|a| a.id.as_str())
        .collect()
}

fn set_var(vars: &mut Vec<(VariableIdx, f64)>, variable: VariableIdx, f: impl FnOnce(f64) -> f64) {
    match vars.binary_search_by_key(&variable, |(v, _)| *v) {
        Ok(at) => {
            if let Some((_, value)) = vars.get_mut(at) {
                *value = f(*value);
            }
        }
        Err(at) => vars.insert(at, (variable, f(0.0))),
    }
}
