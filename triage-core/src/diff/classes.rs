//! The equivalence classes journeys are enumerated by: ages, number answers
//! and multiple-choice answers, cut wherever either version of the bundle
//! can tell two values apart, and no finer.
//!
//! A limit is any `subject op number` a version tests: a branch condition, a
//! band, a pathway's age range, a number question's bands and range. Two
//! values on the same side of every limit take the same route in both
//! versions, so one representative value stands for each class. Conditions
//! that compare two subjects with each other (`answer.a > answer.b`) are not
//! limits; no shipped pathway writes one.

use super::Key;
use crate::compile::CompiledBundle;
use crate::expr::{CompareOp, Expr};
use crate::ir::{BranchIr, NodeIdx, NodeKindIr, QuestionIr, UnitKind};
use crate::model::QuestionKindDoc;
use crate::vocab::{MAX_AGE_MONTHS, MAX_AGE_YEARS};
use std::collections::HashMap;
use std::rc::Rc;

/// The oldest age a person can be, in months.
pub(super) const OLDEST_MONTHS: u32 = MAX_AGE_YEARS * 12 + MAX_AGE_MONTHS;

/// Most options after the one that routes whose every combination is tried
/// for a multiple-choice answer (2^this combinations each).
const MAX_DECIDING_OPTIONS: usize = 12;

/// One limit: `subject op value`.
#[derive(Debug, Clone, Copy)]
struct Limit {
    op: CompareOp,
    value: f64,
}

impl Limit {
    fn holds(self, x: f64) -> bool {
        self.op.apply(x, self.value)
    }
}

/// What a limit is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum On {
    AgeYears,
    AgeMonths,
    Question(Key),
}

/// Age in years as the engine computes it from whole months.
pub(super) fn years_of(months: u32) -> f64 {
    f64::from(months / 12) + f64::from(months % 12) / 12.0
}

/// The ages that no version tells apart, as runs of whole months.
#[derive(Debug, Clone)]
pub(super) struct AgeCells {
    /// First month of each cell, ascending; cell `k` ends where `k + 1` starts.
    starts: Vec<u32>,
}

impl AgeCells {
    fn new(limits: &[(On, Limit)]) -> AgeCells {
        let age_limits: Vec<(bool, Limit)> = limits
            .iter()
            .filter_map(|(on, limit)| match on {
                On::AgeYears => Some((true, *limit)),
                On::AgeMonths => Some((false, *limit)),
                On::Question(_) => None,
            })
            .collect();
        let mut candidates = vec![0u32];
        for (in_years, limit) in &age_limits {
            let months = if *in_years {
                limit.value * 12.0
            } else {
                limit.value
            };
            if !months.is_finite() {
                continue;
            }
            let floor = months.floor();
            for candidate in [floor, floor + 1.0] {
                if candidate > 0.0 && candidate <= f64::from(OLDEST_MONTHS) {
                    // In range, so the cast keeps the value.
                    candidates.push(candidate as u32);
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let signature = |months: u32| -> Vec<bool> {
            age_limits
                .iter()
                .map(|(in_years, limit)| {
                    limit.holds(if *in_years {
                        years_of(months)
                    } else {
                        f64::from(months)
                    })
                })
                .collect()
        };
        let mut starts = Vec::new();
        let mut last: Option<Vec<bool>> = None;
        for candidate in candidates {
            let this = signature(candidate);
            if last.as_ref() != Some(&this) {
                starts.push(candidate);
                last = Some(this);
            }
        }
        AgeCells { starts }
    }

    /// How many cells there are.
    pub(super) fn len(&self) -> usize {
        self.starts.len()
    }

    /// The first month of cell `k`: the age that stands for it.
    pub(super) fn first_month(&self, k: usize) -> u32 {
        self.starts.get(k).copied().unwrap_or(OLDEST_MONTHS)
    }

    /// The month after cell `k`'s last.
    pub(super) fn end_month(&self, k: usize) -> u32 {
        self.starts.get(k + 1).copied().unwrap_or(OLDEST_MONTHS + 1)
    }
}

/// Number answers no version tells apart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct NumberClass {
    /// The value that stands for the class.
    pub(super) value: f64,
    /// Lowest value.
    pub(super) low: f64,
    /// Whether `low` is in the class.
    pub(super) low_inclusive: bool,
    /// Highest value.
    pub(super) high: f64,
    /// Whether `high` is in the class.
    pub(super) high_inclusive: bool,
}

impl NumberClass {
    /// The class in words: `38`, `38 to 39`, `38 to under 39`, `over 38`...
    pub(super) fn describe(&self, unit: Option<&str>) -> String {
        let n = |x: f64| format!("{x}");
        let text = if self.low == self.high {
            n(self.low)
        } else {
            let from = match (self.low.is_finite(), self.low_inclusive) {
                (false, _) => None,
                (true, true) => Some(n(self.low)),
                (true, false) => Some(format!("over {}", n(self.low))),
            };
            let to = match (self.high.is_finite(), self.high_inclusive) {
                (false, _) => None,
                (true, true) => Some(n(self.high)),
                (true, false) => Some(format!("under {}", n(self.high))),
            };
            match (from, to) {
                (Some(from), Some(to)) => format!("{from} to {to}"),
                (Some(from), None) if self.low_inclusive => format!("{from} or more"),
                (Some(from), None) => from,
                (None, Some(to)) if self.high_inclusive => format!("{to} or less"),
                (None, Some(to)) => to,
                (None, None) => "any number".to_owned(),
            }
        };
        match unit {
            Some(unit) if !unit.is_empty() => format!("{text} {unit}"),
            _ => text,
        }
    }
}

/// A stretch of numbers between limits: a limit itself, or the open
/// stretch between two (either may be infinite).
#[derive(Debug, Clone, Copy)]
enum Section {
    Point(f64),
    Open(f64, f64),
}

impl Section {
    fn value(self) -> f64 {
        match self {
            Section::Point(x) => x,
            Section::Open(a, b) => match (a.is_finite(), b.is_finite()) {
                (true, true) => (a + b) / 2.0,
                (false, true) => b - 1.0,
                (true, false) => a + 1.0,
                (false, false) => 0.0,
            },
        }
    }
}

/// The classes of a number question's answers, given every limit on it and
/// the widest range either version allows (inclusive, maybe infinite).
fn number_classes(limits: &[Limit], low: f64, high: f64) -> Vec<NumberClass> {
    let mut points: Vec<f64> = limits
        .iter()
        .map(|l| l.value)
        .chain([low, high])
        .filter(|x| x.is_finite() && *x >= low && *x <= high)
        .collect();
    points.sort_by(f64::total_cmp);
    points.dedup();
    let mut sections = Vec::new();
    if !low.is_finite() {
        sections.push(Section::Open(
            f64::NEG_INFINITY,
            points.first().copied().unwrap_or(f64::INFINITY),
        ));
    }
    for (i, point) in points.iter().enumerate() {
        sections.push(Section::Point(*point));
        match points.get(i + 1) {
            Some(next) => sections.push(Section::Open(*point, *next)),
            None if !high.is_finite() => sections.push(Section::Open(*point, f64::INFINITY)),
            None => {}
        }
    }
    let signature = |section: Section| -> Vec<bool> {
        limits.iter().map(|l| l.holds(section.value())).collect()
    };
    let mut runs: Vec<(Vec<bool>, Vec<Section>)> = Vec::new();
    for section in sections {
        let this = signature(section);
        match runs.last_mut() {
            Some((last, members)) if *last == this => members.push(section),
            _ => runs.push((this, vec![section])),
        }
    }
    runs.into_iter()
        .filter_map(|(_, members)| {
            let first = *members.first()?;
            let last = *members.last()?;
            let value = members
                .iter()
                .find_map(|s| match s {
                    Section::Point(x) => Some(*x),
                    Section::Open(..) => None,
                })
                .unwrap_or_else(|| first.value());
            let (low, low_inclusive) = match first {
                Section::Point(x) => (x, true),
                Section::Open(a, _) => (a, false),
            };
            let (high, high_inclusive) = match last {
                Section::Point(x) => (x, true),
                Section::Open(_, b) => (b, false),
            };
            Some(NumberClass {
                value,
                low,
                low_inclusive,
                high,
                high_inclusive,
            })
        })
        .collect()
}

/// Which options of a multiple-choice question decide anything beyond the
/// route: they set or add to a variable, or a condition tests them.
#[derive(Debug, Clone, Default)]
pub(super) struct Deciding {
    /// Their answer ids.
    ids: Vec<String>,
    /// The ids a condition tests.
    tested: Vec<String>,
    /// Some condition tests `answer.ID == OPTION`, which tells "this option
    /// alone" from "this option and another".
    exact: bool,
}

/// Every class both versions of a bundle need.
#[derive(Debug, Clone)]
pub(super) struct Classes {
    pub(super) ages: AgeCells,
    numbers: HashMap<Key, Vec<NumberClass>>,
    /// The answers (sets of answer ids, over the options of both versions)
    /// that stand for every way of answering each multiple-choice question.
    multiple: HashMap<Key, Vec<Vec<Rc<str>>>>,
}

/// One version of a bundle, with its nodes' keys.
pub(super) struct Version<'b> {
    pub(super) bundle: &'b CompiledBundle,
    /// The key of each authored node (`unit/node`).
    pub(super) keys: Vec<Key>,
}

impl Classes {
    /// The classes of both versions.
    pub(super) fn of<'b>(versions: [&Version<'b>; 2]) -> Classes {
        let mut multiples: HashMap<Key, [Option<&'b QuestionIr>; 2]> = HashMap::new();
        let mut limits: Vec<(On, Limit)> = Vec::new();
        let mut ranges: HashMap<Key, (f64, f64)> = HashMap::new();
        let mut deciding: HashMap<Key, Deciding> = HashMap::new();
        let mut orders: HashMap<Key, Vec<Vec<&str>>> = HashMap::new();
        for (side, version) in versions.iter().enumerate() {
            let bundle: &'b CompiledBundle = version.bundle;
            let key_of = |node: NodeIdx| version.keys.get(node as usize).copied();
            for unit in &bundle.units {
                if let UnitKind::Pathway(a) = &unit.kind {
                    push_range(&mut limits, On::AgeYears, a.from_years, a.to_years);
                }
            }
            for (index, node) in bundle.ir_nodes.iter().enumerate() {
                let Some(key) = u32::try_from(index).ok().and_then(key_of) else {
                    continue;
                };
                match &node.kind {
                    NodeKindIr::Question(question) => {
                        if question.kind == QuestionKindDoc::Number {
                            for answer in &question.answers {
                                if let Some((from, below)) = answer.band {
                                    push_range(&mut limits, On::Question(key), from, below);
                                }
                            }
                            let (low, high) =
                                question.range.unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
                            let widest = ranges.entry(key).or_insert((low, high));
                            *widest = (widest.0.min(low), widest.1.max(high));
                        }
                        if question.kind == QuestionKindDoc::Multiple {
                            if let Some(slot) =
                                multiples.entry(key).or_insert([None, None]).get_mut(side)
                            {
                                *slot = Some(question);
                            }
                            let found = deciding.entry(key).or_default();
                            for answer in &question.answers {
                                if !answer.set.is_empty() || !answer.add.is_empty() {
                                    found.add(&answer.id);
                                }
                            }
                            orders
                                .entry(key)
                                .or_default()
                                .push(question.answers.iter().map(|a| a.id.as_str()).collect());
                        }
                    }
                    NodeKindIr::Branch(BranchIr::Cases { cases, .. }) => {
                        for (condition, _) in cases {
                            collect_limits(condition, &key_of, &mut limits);
                            collect_tests(condition, bundle, &key_of, &mut deciding);
                        }
                    }
                    NodeKindIr::Branch(BranchIr::Bands { on, bands }) => {
                        if let Some(on) = subject(on, &key_of) {
                            for (from, below, _) in bands {
                                push_range(&mut limits, on, *from, *below);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        // Options added, removed or put in another order route differently
        // when chosen together, so then every option decides.
        for (key, versions) in orders {
            if let [old, new] = versions.as_slice() {
                if old != new {
                    let found = deciding.entry(key).or_default();
                    for id in old.iter().chain(new) {
                        found.add(id);
                    }
                }
            }
        }
        let mut by_question: HashMap<Key, Vec<Limit>> = HashMap::new();
        for (on, limit) in &limits {
            if let On::Question(key) = on {
                by_question.entry(*key).or_default().push(*limit);
            }
        }
        let numbers = ranges
            .into_iter()
            .map(|(key, (low, high))| {
                let limits = by_question.get(&key).map_or(&[][..], Vec::as_slice);
                (key, number_classes(limits, low, high))
            })
            .collect();
        let multiple = multiples
            .iter()
            .map(|(key, questions)| (*key, multiple_choices(questions, deciding.get(key))))
            .collect();
        Classes {
            ages: AgeCells::new(&limits),
            numbers,
            multiple,
        }
    }

    /// The classes of number question `key`.
    pub(super) fn numbers(&self, key: Key) -> &[NumberClass] {
        self.numbers.get(&key).map_or(&[], Vec::as_slice)
    }

    /// The answers (sets of answer ids) that stand for every way of
    /// answering multiple-choice question `key`, over both versions' options.
    pub(super) fn multiple_choices(&self, key: Key) -> &[Vec<Rc<str>>] {
        self.multiple.get(&key).map_or(&[], Vec::as_slice)
    }
}

/// The answers (sets of answer ids) that stand for every way of answering a
/// multiple-choice question asked in one or both versions (`both`): its
/// options are those of either version, the old one's order first. Each
/// answer that must be chosen alone is one class; each option with every
/// combination of the deciding options is another, one for each different
/// route, effect and set of tested options in either version.
fn multiple_choices(
    both: &[Option<&QuestionIr>; 2],
    deciding: Option<&Deciding>,
) -> Vec<Vec<Rc<str>>> {
    let mut options: Vec<&str> = Vec::new();
    let mut alone: Vec<&str> = Vec::new();
    for question in both.iter().flatten() {
        let exclusive = question.exclusive_answers();
        for (i, answer) in question.answers.iter().enumerate().take(64) {
            let list = if exclusive & (1u64 << i) != 0 {
                &mut alone
            } else {
                &mut options
            };
            if !list.contains(&answer.id.as_str()) {
                list.push(answer.id.as_str());
            }
        }
    }
    let decides = |id: &str| deciding.is_some_and(|d| d.ids.iter().any(|x| x == id));
    let tested = |id: &str| deciding.is_some_and(|d| d.tested.iter().any(|x| x == id));
    let exact = deciding.is_some_and(|d| d.exact);
    // What a choice does in each version: the option that routes, per
    // variable the value it sets (if any) and what it adds after; which
    // tested options it holds; and, for `==`, whether it holds one or more.
    let signature = |ids: &[&str]| -> String {
        let mut parts = vec![format!(
            "tested {:?}",
            ids.iter().filter(|id| tested(id)).collect::<Vec<_>>()
        )];
        if exact {
            parts.push(format!("many {}", ids.len() > 1));
        }
        for version in both.iter().flatten() {
            let chosen: Vec<&crate::ir::AnswerIr> = version
                .answers
                .iter()
                .filter(|a| ids.contains(&a.id.as_str()))
                .collect();
            parts.push(format!("route {:?}", chosen.first().map(|a| a.id.as_str())));
            let mut effects: Vec<(u16, Option<u64>, u64)> = Vec::new();
            for answer in chosen {
                for (variable, value) in &answer.set {
                    effects.retain(|(v, _, _)| v != variable);
                    effects.push((*variable, Some(value.to_bits()), 0f64.to_bits()));
                }
                for (variable, value) in &answer.add {
                    match effects.iter_mut().find(|(v, _, _)| v == variable) {
                        Some((_, _, sum)) => *sum = (f64::from_bits(*sum) + value).to_bits(),
                        None => effects.push((*variable, None, value.to_bits())),
                    }
                }
            }
            effects.sort_unstable();
            parts.push(format!("{effects:?}"));
        }
        parts.join(";")
    };
    let mut classes: Vec<Vec<Rc<str>>> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut keep = |ids: Vec<&str>| {
        if seen.insert(signature(&ids)) {
            classes.push(ids.into_iter().map(Rc::from).collect());
        }
    };
    for id in &alone {
        keep(vec![id]);
    }
    for (i, first) in options.iter().enumerate() {
        let others: Vec<&str> = options
            .iter()
            .enumerate()
            .filter(|(j, id)| *j != i && decides(id))
            .map(|(_, id)| *id)
            .take(MAX_DECIDING_OPTIONS)
            .collect();
        for combination in 0u64..(1u64 << others.len()) {
            let mut ids = vec![*first];
            ids.extend(
                others
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| combination & (1 << k) != 0)
                    .map(|(_, id)| *id),
            );
            keep(ids);
        }
        if exact {
            if let Some(other) = options
                .iter()
                .enumerate()
                .find(|(j, id)| *j != i && !decides(id))
            {
                keep(vec![*first, other.1]);
            }
        }
    }
    classes
}

impl Deciding {
    fn add(&mut self, id: &str) {
        if !self.ids.iter().any(|x| x == id) {
            self.ids.push(id.to_owned());
        }
    }
}

/// `[from, below)` as two limits (infinite ends left out).
fn push_range(limits: &mut Vec<(On, Limit)>, on: On, from: f64, below: f64) {
    if from.is_finite() {
        limits.push((
            on,
            Limit {
                op: CompareOp::Ge,
                value: from,
            },
        ));
    }
    if below.is_finite() {
        limits.push((
            on,
            Limit {
                op: CompareOp::Lt,
                value: below,
            },
        ));
    }
}

fn subject(expr: &Expr, key_of: &impl Fn(NodeIdx) -> Option<Key>) -> Option<On> {
    match expr {
        Expr::AgeYears => Some(On::AgeYears),
        Expr::AgeMonths => Some(On::AgeMonths),
        Expr::AnswerNumber(question) => key_of(*question).map(On::Question),
        _ => None,
    }
}

/// Every `subject op number` in `expr`.
fn collect_limits(
    expr: &Expr,
    key_of: &impl Fn(NodeIdx) -> Option<Key>,
    limits: &mut Vec<(On, Limit)>,
) {
    match expr {
        Expr::Compare { op, left, right } => match (left.as_ref(), right.as_ref()) {
            (side, Expr::Number(value)) => {
                if let Some(on) = subject(side, key_of) {
                    limits.push((
                        on,
                        Limit {
                            op: *op,
                            value: *value,
                        },
                    ));
                }
            }
            (Expr::Number(value), side) => {
                if let Some(on) = subject(side, key_of) {
                    limits.push((
                        on,
                        Limit {
                            op: op.flipped(),
                            value: *value,
                        },
                    ));
                }
            }
            _ => {}
        },
        Expr::InRange {
            subject: side,
            low,
            high,
        } => {
            if let Some(on) = subject(side, key_of) {
                push_range(limits, on, *low, *high);
            }
        }
        Expr::BoolEquals { left, right, .. } => {
            collect_limits(left, key_of, limits);
            collect_limits(right, key_of, limits);
        }
        Expr::Not(inner) => collect_limits(inner, key_of, limits),
        Expr::And(items) | Expr::Or(items) => {
            for item in items {
                collect_limits(item, key_of, limits);
            }
        }
        _ => {}
    }
}

/// The options of multiple-choice questions that `expr` tests.
fn collect_tests(
    expr: &Expr,
    bundle: &CompiledBundle,
    key_of: &impl Fn(NodeIdx) -> Option<Key>,
    deciding: &mut HashMap<Key, Deciding>,
) {
    let mut note = |question: NodeIdx, answer: u16, exact: bool| {
        let Some(NodeKindIr::Question(q)) = bundle.ir_nodes.get(question as usize).map(|n| &n.kind)
        else {
            return;
        };
        if q.kind != QuestionKindDoc::Multiple {
            return;
        }
        let (Some(key), Some(answer)) = (key_of(question), q.answers.get(usize::from(answer)))
        else {
            return;
        };
        let found = deciding.entry(key).or_default();
        found.add(&answer.id);
        if !found.tested.contains(&answer.id) {
            found.tested.push(answer.id.clone());
        }
        found.exact |= exact;
    };
    match expr {
        Expr::Has { question, answer } => note(*question, *answer, false),
        Expr::AnswerIs {
            question, answer, ..
        } => note(*question, *answer, true),
        Expr::BoolEquals { left, right, .. } => {
            collect_tests(left, bundle, key_of, deciding);
            collect_tests(right, bundle, key_of, deciding);
        }
        Expr::Not(inner) => collect_tests(inner, bundle, key_of, deciding),
        Expr::And(items) | Expr::Or(items) => {
            for item in items {
                collect_tests(item, bundle, key_of, deciding);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(op: CompareOp, value: f64) -> Limit {
        Limit { op, value }
    }

    #[test]
    fn numbers_are_cut_at_each_limit_and_no_finer() {
        // Bands [35, 38) and [38, 43] and a branch on `> 39.5`.
        let limits = [
            limit(CompareOp::Ge, 35.0),
            limit(CompareOp::Lt, 38.0),
            limit(CompareOp::Ge, 38.0),
            limit(CompareOp::Gt, 39.5),
        ];
        let classes = number_classes(&limits, 35.0, 43.0);
        let described: Vec<String> = classes.iter().map(|c| c.describe(None)).collect();
        assert_eq!(
            described,
            ["35 to under 38", "38 to 39.5", "over 39.5 to 43"]
        );
        for class in &classes {
            assert!(class.value >= 35.0 && class.value <= 43.0);
        }
    }

    #[test]
    fn ages_are_cut_where_a_limit_falls_between_two_months() {
        let limits = [
            (On::AgeYears, limit(CompareOp::Lt, 1.0)),
            (On::AgeYears, limit(CompareOp::Gt, 5.0)),
            (On::AgeMonths, limit(CompareOp::Lt, 3.0)),
        ];
        let cells = AgeCells::new(&limits);
        let starts: Vec<u32> = (0..cells.len()).map(|k| cells.first_month(k)).collect();
        // Under 3 months, 3 to 11 months, 1 year to 5 years exactly, over 5.
        assert_eq!(starts, [0, 3, 12, 61]);
        assert_eq!(cells.end_month(3), OLDEST_MONTHS + 1);
    }
}
