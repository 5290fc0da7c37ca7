//! What changed between two versions of a bundle, for the people it serves.
//!
//! [`diff`] walks every pathway of both versions together and reports each
//! journey whose end changed: more urgent, less urgent, another service at
//! the same urgency, or other care advice or reasons. Each change names the
//! answers that reach it, the people it applies to and both ends. Beside the
//! journeys it lists what was added, removed or reworded: pathways, questions,
//! answers, outcomes, dispositions and care advice.
//!
//! Journeys are enumerated by equivalence class, never value by value:
//!
//! - ages are cut where some pathway range, branch or band of either version
//!   tells two ages apart, and a journey carries the set of
//!   ages and sexes still on it, split only where a branch splits them;
//! - number answers are cut at the bands and at every limit a condition of
//!   either version tests on them;
//! - a multiple-choice answer is routed by the first option chosen, so its
//!   classes are each option with every combination of the later options
//!   that set a variable or that a condition tests.
//!
//! An old journey is followed into the new version answer by answer (matched
//! by question and answer id); where the new version asks a question the old
//! journey never answered, or drops the answer it gave, every answer is
//! tried. Care advice and reasons are compared on each class's own answers;
//! an option's reworded advice or reason that no class chooses shows among
//! the changed texts.
//!
//! Both versions are walked at once, and paths that meet again in the same
//! state are walked once, so the work grows with the
//! number of distinct states rather than of paths. A pathway whose journeys
//! reach more than [`MAX_STATES`] distinct states is reported as not
//! compared in full ([`PathwayDiff::incomplete`]) rather than walked
//! without end.

mod classes;
mod journeys;
mod structure;

use crate::compile::CompiledBundle;
use crate::ir::{UnitIdx, UnitKind};
use crate::vocab::Sex;
use classes::{Classes, Version, OLDEST_MONTHS};
use journeys::JointWalk;
use serde::Serialize;
use std::collections::HashMap;

/// Most distinct joint states walked for one pathway; beyond it the pathway
/// is reported as [`PathwayDiff::incomplete`].
pub const MAX_STATES: usize = 200_000;

/// Most age cells a diff can tell apart (256: four `u64` words per sex).
const MAX_AGE_CELLS: usize = 256;

/// A node's key across versions: an index into the table of `unit/node` ids.
type Key = u32;

/// Why two bundles could not be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiffError {
    /// The versions test more distinct ages than a diff can tell apart.
    #[error(
        "the two versions test {cells} distinct age ranges; a diff tells at most {limit} apart"
    )]
    TooManyAges {
        /// How many there are.
        cells: usize,
        /// The most allowed.
        limit: usize,
    },
}

/// Everything that changed between two versions of a bundle.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BundleDiff {
    /// Always `triage.diff/1`.
    pub format: crate::format::Diff,
    /// The old version's content hash.
    pub old_hash: String,
    /// The new version's content hash.
    pub new_hash: String,
    /// Pathways in both versions.
    pub pathways_compared: usize,
    /// Journey classes compared, over all pathways.
    pub classes_compared: u64,
    /// Distinct joint states walked, over all pathways.
    pub states_walked: usize,
    /// Pathways only in the new version.
    pub pathways_added: Vec<UnitRef>,
    /// Pathways only in the old version.
    pub pathways_removed: Vec<UnitRef>,
    /// The pathways in both versions with any change, by id.
    pub pathways: Vec<PathwayDiff>,
    /// The modules with any change in what they say or where they lead, by id.
    pub modules: Vec<UnitDiff>,
    /// Modules only in the new version.
    pub modules_added: Vec<UnitRef>,
    /// Modules only in the old version.
    pub modules_removed: Vec<UnitRef>,
    /// Dispositions and care advice added, removed or changed.
    pub catalogue: Vec<Change>,
    /// Dispositions kept under the same id that now ask for less urgency
    /// (more time to act, or ranked below one they ranked above): every
    /// journey that ends at one is less urgent, though it ends where it did.
    pub less_urgent_dispositions: Vec<String>,
    /// What the caller adds for the reader, e.g. that a version has errors
    /// and cannot be used to triage though it was compared.
    pub notes: Vec<String>,
    /// The pathway or module the report was narrowed to ([`BundleDiff::narrow`]).
    pub narrowed_to: Option<String>,
    /// When narrowed: how many other pathways and modules changed.
    pub changed_elsewhere: usize,
}

/// A pathway or module, by id and title.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UnitRef {
    /// Id.
    pub id: String,
    /// Title, in English.
    pub title: String,
}

/// What changed in one pathway.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PathwayDiff {
    /// Id.
    pub id: String,
    /// Title (new version), in English.
    pub title: String,
    /// The old version's `version:`.
    pub old_version: String,
    /// The new version's `version:`.
    pub new_version: String,
    /// Journey classes compared.
    pub classes: u64,
    /// Distinct joint states walked.
    pub states: usize,
    /// True when the journeys reach more than [`MAX_STATES`] distinct
    /// states, or one runs past 400 answers, so not every journey was compared.
    pub incomplete: bool,
    /// People the pathway no longer serves, or now serves.
    pub people: Vec<PeopleChange>,
    /// Journeys that end differently, less urgent first.
    pub journeys: Vec<JourneyChange>,
    /// What was added, removed or reworded in the pathway's own nodes.
    pub changes: Vec<Change>,
}

/// The changes of one module.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UnitDiff {
    /// Id.
    pub id: String,
    /// Title (new version), in English.
    pub title: String,
    /// What was added, removed or reworded.
    pub changes: Vec<Change>,
}

/// How a journey's end changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum JourneyChangeKind {
    /// A less urgent disposition.
    LessUrgent,
    /// A more urgent disposition.
    MoreUrgent,
    /// Another service at the same urgency.
    OtherService,
    /// The same disposition with other care advice or reasons.
    AdviceOrReasons,
}

impl JourneyChangeKind {
    /// The kind in words, as a heading.
    pub fn heading(self) -> &'static str {
        match self {
            JourneyChangeKind::LessUrgent => "Less urgent",
            JourneyChangeKind::MoreUrgent => "More urgent",
            JourneyChangeKind::OtherService => "Another service at the same urgency",
            JourneyChangeKind::AdviceOrReasons => "Other care advice or reasons",
        }
    }
}

/// People who lost or gained a pathway.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PeopleChange {
    /// `no_longer_served` or `newly_served`.
    pub change: ServedChange,
    /// Who.
    pub people: People,
}

/// Whether people lost or gained a pathway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ServedChange {
    /// The old version served them; the new one does not.
    NoLongerServed,
    /// The new version serves them; the old one did not.
    NewlyServed,
}

/// A set of people: age ranges and sexes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct People {
    /// In words, e.g. `16 years and over` or `under 1 year, male`.
    pub text: String,
    /// Each sex with its ages.
    pub groups: Vec<AgeGroup>,
}

/// Ages of the people of the given sexes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AgeGroup {
    /// The sexes.
    pub sexes: Vec<Sex>,
    /// The ages, as `[from, below)` in months, ascending.
    pub ages: Vec<AgeRange>,
}

/// Ages from `from_months` up to (not including) `below_months`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AgeRange {
    /// Youngest, in months.
    pub from_months: u32,
    /// First age not included, in months; `None` for no upper limit.
    pub below_months: Option<u32>,
}

/// A journey whose end changed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct JourneyChange {
    /// How it changed.
    pub change: JourneyChangeKind,
    /// Who takes it.
    pub people: People,
    /// How many journey classes end this way (the answers below are the first).
    pub classes: u64,
    /// Who takes the first of them, whose answers are shown (a part of `people`
    /// when the others go through questions asked of other ages or sexes).
    pub example_people: People,
    /// Where the old and new journeys part, if they take different routes.
    pub fork: Option<Fork>,
    /// How it ended.
    pub old: Ending,
    /// How it ends now.
    pub new: Ending,
    /// The answers of the first such journey in the old version, in order.
    pub old_answers: Vec<Given>,
    /// The answers of the first such journey in the new version, in order.
    pub new_answers: Vec<Given>,
}

/// The node where two journeys part and the edges they take from it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Fork {
    /// The node (`node`, or `unit/node` for another unit's).
    pub node: String,
    /// The edge the old journey takes (e.g. `answer yes`, `case 2`, `otherwise`).
    pub old_edge: String,
    /// The edge the new journey takes.
    pub new_edge: String,
    /// Where the old journey went next.
    pub old_next: String,
    /// Where the new journey goes next.
    pub new_next: String,
}

/// One answer of a journey.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Given {
    /// The question (`node`, or `unit/node` for another unit's).
    pub question: String,
    /// The answer: an answer id, ids joined by ` + `, or a range of numbers.
    pub answer: String,
}

/// How a journey ends.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Ending {
    /// The disposition id.
    pub disposition: String,
    /// Its title, in English.
    pub title: String,
    /// Its urgency rank (lower is more urgent), on the new version's catalogue
    /// where it has the disposition.
    pub rank: u32,
    /// The outcome node.
    pub outcome: String,
    /// Reason codes, in order.
    pub reasons: Vec<String>,
    /// Care advice ids, in order.
    pub care_advice: Vec<String>,
}

/// Something added, removed or changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Change {
    /// What, e.g. ``question `pain-now` `` or ``answer `yes` of `crushing` ``.
    pub what: String,
    /// Added, removed or changed.
    pub change: ChangeKind,
    /// For a change: what about it, e.g. `text`, `label`, `leads to`.
    pub field: Option<String>,
    /// The old value, if any.
    pub old: Option<String>,
    /// The new value, if any.
    pub new: Option<String>,
}

/// Added, removed or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
    /// In both, different.
    Changed,
}

impl BundleDiff {
    /// Whether nothing changed at all.
    pub fn is_empty(&self) -> bool {
        self.pathways.is_empty()
            && self.modules.is_empty()
            && self.pathways_added.is_empty()
            && self.pathways_removed.is_empty()
            && self.modules_added.is_empty()
            && self.modules_removed.is_empty()
            && self.catalogue.is_empty()
            && self.less_urgent_dispositions.is_empty()
    }

    /// Keeps only what concerns the pathway or module `id`, counting the
    /// others that changed in [`BundleDiff::changed_elsewhere`].
    pub fn narrow(&mut self, id: &str) {
        let before = self.units_changed();
        self.pathways.retain(|p| p.id == id);
        self.pathways_added.retain(|p| p.id == id);
        self.pathways_removed.retain(|p| p.id == id);
        self.modules.retain(|m| m.id == id);
        self.modules_added.retain(|m| m.id == id);
        self.modules_removed.retain(|m| m.id == id);
        self.changed_elsewhere = before - self.units_changed();
        self.narrowed_to = Some(id.to_owned());
    }

    /// Pathways and modules changed, added or removed.
    fn units_changed(&self) -> usize {
        self.pathways.len()
            + self.pathways_added.len()
            + self.pathways_removed.len()
            + self.modules.len()
            + self.modules_added.len()
            + self.modules_removed.len()
    }

    /// How many journey changes of `kind` there are, over all pathways.
    pub fn count(&self, kind: JourneyChangeKind) -> usize {
        self.pathways
            .iter()
            .flat_map(|p| &p.journeys)
            .filter(|j| j.change == kind)
            .count()
    }

    /// Whether some person may now be triaged less safely: a journey became
    /// less urgent, a disposition asks for less urgency, people lost a
    /// pathway, a pathway was removed, or a pathway could not be compared in
    /// full.
    pub fn may_be_less_urgent(&self) -> bool {
        self.count(JourneyChangeKind::LessUrgent) > 0
            || !self.less_urgent_dispositions.is_empty()
            || !self.pathways_removed.is_empty()
            || self.pathways.iter().any(|p| {
                p.incomplete
                    || p.people
                        .iter()
                        .any(|c| c.change == ServedChange::NoLongerServed)
            })
    }
}

/// Compares two compiled bundles (see the module docs).
///
/// ```
/// let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pathways");
/// let built = triage_core::build_dir(&dir);
/// let bundle = built.bundle.expect("the shipped bundle builds");
/// let diff = triage_core::diff::diff(&bundle, &bundle).unwrap();
/// assert!(diff.is_empty());
/// assert!(diff.classes_compared > 0);
/// ```
pub fn diff(old: &CompiledBundle, new: &CompiledBundle) -> Result<BundleDiff, DiffError> {
    diff_with_limit(old, new, MAX_STATES)
}

/// [`diff`] with another limit on the distinct states walked per pathway.
pub fn diff_with_limit(
    old: &CompiledBundle,
    new: &CompiledBundle,
    limit: usize,
) -> Result<BundleDiff, DiffError> {
    let mut keys = Keys::default();
    let old_version = Version {
        bundle: old,
        keys: keys.of(old),
    };
    let new_version = Version {
        bundle: new,
        keys: keys.of(new),
    };
    let classes = Classes::of([&old_version, &new_version]);
    if classes.ages.len() > MAX_AGE_CELLS {
        return Err(DiffError::TooManyAges {
            cells: classes.ages.len(),
            limit: MAX_AGE_CELLS,
        });
    }
    let mut result = BundleDiff {
        format: crate::format::Diff,
        old_hash: old.hash().to_owned(),
        new_hash: new.hash().to_owned(),
        pathways_compared: 0,
        classes_compared: 0,
        states_walked: 0,
        pathways_added: Vec::new(),
        pathways_removed: Vec::new(),
        pathways: Vec::new(),
        modules: Vec::new(),
        modules_added: Vec::new(),
        modules_removed: Vec::new(),
        catalogue: structure::catalogue(old, new),
        less_urgent_dispositions: structure::less_urgent_dispositions(old, new),
        notes: Vec::new(),
        narrowed_to: None,
        changed_elsewhere: 0,
    };
    let old_units = units_by_id(old);
    let new_units = units_by_id(new);
    for (id, &old_unit) in &old_units {
        if !new_units.contains_key(id) {
            let unit_ref = unit_ref(old, old_unit);
            match is_pathway(old, old_unit) {
                true => result.pathways_removed.push(unit_ref),
                false => result.modules_removed.push(unit_ref),
            }
        }
    }
    for (id, &new_unit) in &new_units {
        let Some(&old_unit) = old_units.get(id) else {
            let unit_ref = unit_ref(new, new_unit);
            match is_pathway(new, new_unit) {
                true => result.pathways_added.push(unit_ref),
                false => result.modules_added.push(unit_ref),
            }
            continue;
        };
        let changes = structure::unit(old, old_unit, new, new_unit);
        if !(is_pathway(old, old_unit) && is_pathway(new, new_unit)) {
            if !changes.is_empty() {
                result.modules.push(UnitDiff {
                    id: id.to_string(),
                    title: unit_ref(new, new_unit).title,
                    changes,
                });
            }
            continue;
        }
        result.pathways_compared += 1;
        let compared = JointWalk {
            versions: [&old_version, &new_version],
            classes: &classes,
            keys: &keys,
            units: [old_unit, new_unit],
            limit,
        }
        .run();
        result.classes_compared = result.classes_compared.saturating_add(compared.classes);
        result.states_walked += compared.states;
        let describe = |people: &journeys::Who| describe_people(people, &classes);
        let pathway_id = id.to_string();
        let answers = |found: &journeys::Found<'_>, side: usize| -> Vec<Given> {
            found
                .answers(side)
                .iter()
                .map(|(key, shown)| Given {
                    question: keys.public(*key, &pathway_id),
                    answer: shown.to_string(),
                })
                .collect()
        };
        let ending = |found: &journeys::Found<'_>, side: usize| -> Ending {
            let end = found.ends[side];
            Ending {
                disposition: end.disposition.id.clone(),
                title: end.disposition.title.english().to_owned(),
                rank: new
                    .dispositions
                    .iter()
                    .find(|d| d.id == end.disposition.id)
                    .map_or(end.disposition.rank, |d| d.rank),
                outcome: keys.public(end.outcome, &pathway_id),
                reasons: found.reasons(side).iter().map(|r| r.to_string()).collect(),
                care_advice: found.advice(side).iter().map(|a| a.to_string()).collect(),
            }
        };
        let mut pathway = PathwayDiff {
            id: id.to_string(),
            title: unit_ref(new, new_unit).title,
            old_version: old.units[usize::from(old_unit)].version.clone(),
            new_version: new.units[usize::from(new_unit)].version.clone(),
            classes: compared.classes,
            states: compared.states,
            incomplete: compared.incomplete,
            people: Vec::new(),
            journeys: compared
                .found
                .iter()
                .map(|found| JourneyChange {
                    change: found.kind,
                    people: describe(&found.who),
                    classes: found.classes,
                    example_people: describe(&found.example_who),
                    fork: found.fork.clone(),
                    old: ending(found, 0),
                    new: ending(found, 1),
                    old_answers: answers(found, 0),
                    new_answers: answers(found, 1),
                })
                .collect(),
            changes,
        };
        for (change, who) in [
            (ServedChange::NoLongerServed, compared.no_longer_served),
            (ServedChange::NewlyServed, compared.newly_served),
        ] {
            if !who.is_empty() {
                pathway.people.push(PeopleChange {
                    change,
                    people: describe(&who),
                });
            }
        }
        // By kind, then the most urgent journeys first, then the biggest drop:
        // what a reviewer must see first when a list is cut short.
        pathway
            .journeys
            .sort_by_key(|j| (j.change, j.old.rank, std::cmp::Reverse(j.new.rank)));
        let changed = pathway.incomplete
            || !pathway.people.is_empty()
            || !pathway.journeys.is_empty()
            || !pathway.changes.is_empty();
        if changed {
            result.pathways.push(pathway);
        }
    }
    for list in [
        &mut result.pathways_added,
        &mut result.pathways_removed,
        &mut result.modules_added,
        &mut result.modules_removed,
    ] {
        list.sort_by(|a, b| a.id.cmp(&b.id));
    }
    result.pathways.sort_by(|a, b| a.id.cmp(&b.id));
    result.modules.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(result)
}

fn units_by_id(bundle: &CompiledBundle) -> std::collections::BTreeMap<&str, UnitIdx> {
    bundle
        .units
        .iter()
        .enumerate()
        .filter_map(|(i, u)| Some((u.id.as_str(), UnitIdx::try_from(i).ok()?)))
        .collect()
}

fn is_pathway(bundle: &CompiledBundle, unit: UnitIdx) -> bool {
    bundle
        .unit(unit)
        .is_some_and(|u| matches!(u.kind, UnitKind::Pathway(_)))
}

fn unit_ref(bundle: &CompiledBundle, unit: UnitIdx) -> UnitRef {
    let found = bundle.unit(unit);
    UnitRef {
        id: found.map_or_else(String::new, |u| u.id.clone()),
        title: found.map_or_else(String::new, |u| u.title.english().to_owned()),
    }
}

/// The table of node keys (`unit/node`) shared by both versions.
#[derive(Debug, Default)]
struct Keys {
    names: Vec<String>,
    lookup: HashMap<String, Key>,
}

impl Keys {
    /// The key of every authored node of `bundle`.
    fn of(&mut self, bundle: &CompiledBundle) -> Vec<Key> {
        bundle
            .ir_nodes
            .iter()
            .map(|node| {
                let name = format!("{}/{}", bundle.unit_id(node.unit), node.id);
                let next = Key::try_from(self.names.len()).unwrap_or(Key::MAX);
                *self.lookup.entry(name.clone()).or_insert_with(|| {
                    self.names.push(name);
                    next
                })
            })
            .collect()
    }

    /// The node as seen from pathway `pathway`: `node` for its own, else `unit/node`.
    fn public(&self, key: Key, pathway: &str) -> String {
        let name = self.names.get(key as usize).map_or("", String::as_str);
        match name.split_once('/') {
            Some((unit, node)) if unit == pathway => node.to_owned(),
            _ => name.to_owned(),
        }
    }
}

/// A set of people as age cells of each sex.
fn describe_people(who: &journeys::Who, classes: &Classes) -> People {
    let ranges = |sex: Sex| -> Vec<AgeRange> {
        let mut ranges: Vec<AgeRange> = Vec::new();
        for cell in 0..classes.ages.len() {
            if !who.contains(cell, sex) {
                continue;
            }
            let from = classes.ages.first_month(cell);
            let end = classes.ages.end_month(cell);
            let below = (end <= OLDEST_MONTHS).then_some(end);
            match ranges.last_mut() {
                Some(last) if last.below_months == Some(from) => last.below_months = below,
                _ => ranges.push(AgeRange {
                    from_months: from,
                    below_months: below,
                }),
            }
        }
        ranges
    };
    let (female, male) = (ranges(Sex::Female), ranges(Sex::Male));
    let groups = if female == male {
        vec![AgeGroup {
            sexes: vec![Sex::Female, Sex::Male],
            ages: female,
        }]
    } else {
        [(Sex::Female, female), (Sex::Male, male)]
            .into_iter()
            .filter(|(_, ages)| !ages.is_empty())
            .map(|(sex, ages)| AgeGroup {
                sexes: vec![sex],
                ages,
            })
            .collect()
    };
    let text = groups
        .iter()
        .map(|group| {
            let ages = group
                .ages
                .iter()
                .map(age_range_text)
                .collect::<Vec<_>>()
                .join(", ");
            match group.sexes.as_slice() {
                [Sex::Female] => format!("{ages}, female"),
                [Sex::Male] => format!("{ages}, male"),
                _ => ages,
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    People { text, groups }
}

/// A band `[from, below)` in words: `38 to under 40`, `40 or more`, `under 38`.
pub(crate) fn band_text(from: f64, below: f64) -> String {
    match (from.is_finite(), below.is_finite()) {
        (true, true) => format!("{from} to under {below}"),
        (true, false) => format!("{from} or more"),
        (false, true) => format!("under {below}"),
        (false, false) => "any number".to_owned(),
    }
}

/// `16 years and over`, `under 1 year`, `3 months to under 5 years`.
fn age_range_text(range: &AgeRange) -> String {
    match (range.from_months, range.below_months) {
        (0, None) => "all ages".to_owned(),
        (0, Some(below)) => format!("under {}", months_text(below)),
        (from, None) => format!("{} and over", months_text(from)),
        (from, Some(below)) => {
            // Whole years read better inclusive: "1 to 4 years".
            if from % 12 == 0 && below % 12 == 0 && from >= 12 {
                let (a, b) = (from / 12, below / 12 - 1);
                if a == b {
                    months_text(from)
                } else {
                    format!("{a} to {b} years")
                }
            } else {
                format!("{} to under {}", months_text(from), months_text(below))
            }
        }
    }
}

fn months_text(months: u32) -> String {
    let (years, rest) = (months / 12, months % 12);
    let plural = |n: u32, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match (years, rest) {
        (0, m) => plural(m, "month", "months"),
        (y, 0) => plural(y, "year", "years"),
        (y, m) => format!(
            "{} {}",
            plural(y, "year", "years"),
            plural(m, "month", "months")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_ranges_read_as_a_person_would_say_them() {
        let range = |from_months, below_months| AgeRange {
            from_months,
            below_months,
        };
        assert_eq!(age_range_text(&range(192, None)), "16 years and over");
        assert_eq!(age_range_text(&range(0, Some(12))), "under 1 year");
        assert_eq!(age_range_text(&range(12, Some(60))), "1 to 4 years");
        assert_eq!(
            age_range_text(&range(3, Some(60))),
            "3 months to under 5 years"
        );
        assert_eq!(age_range_text(&range(0, None)), "all ages");
    }
}
