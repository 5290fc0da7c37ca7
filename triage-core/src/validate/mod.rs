//! Validation: check a loaded bundle, report every problem at once, and
//! resolve it into the [`crate::ir`] that the compiler trusts.
//!
//! The checks prove that every journey ends at a disposition: every reference
//! resolves, every question has its answers, branches have a fallback or bands
//! that cover every value, the graph (through modules and pathway jumps) has no
//! cycle, and no "I'm not sure" answer can lead to self-care.

use crate::diag::{codes, Code, Diagnostic, Loc};
use crate::expr::{self, ExprErrorKind, QuestionInfo, Scope, Type};
use crate::ir::*;
use crate::load::{BundleDoc, FileRole};
use crate::model::*;
use std::collections::HashMap;

#[cfg(feature = "authoring")]
mod cases;
mod expressions;
mod finding;
mod graph;
#[cfg(feature = "authoring")]
mod journeys;
mod nodes;

/// Most comparisons of wrong ids with candidates a bundle's did-you-mean
/// suggestions may make: each costs an edit distance, so a file with tens of
/// thousands of wrong references to tens of thousands of nodes would take
/// minutes; past this, errors keep their plain hint.
const MAX_SUGGESTION_WORK: usize = 2_000_000;

/// The most options one question may offer (multiple-choice answers are a 64-bit set).
pub const MAX_OPTIONS: usize = 60;

/// Checks `doc` and, if there are no errors, resolves it into a [`BundleIr`].
///
/// Diagnostics (errors and warnings) are returned either way, sorted by file and line.
#[doc(hidden)] // Reached through `crate::build`; the IR it returns is internal.
pub fn validate(doc: &BundleDoc) -> (Option<BundleIr>, Vec<Diagnostic>) {
    let (ir, diagnostics) = validate_sound(doc);
    let ir = ir.filter(|_| !crate::diag::has_errors(&diagnostics));
    (ir, diagnostics)
}

/// As [`validate`], but the model is also built when every error leaves the
/// graph sound ([`crate::diag::errors_leave_graph_sound`]): for comparing
/// versions, never for triage.
pub(crate) fn validate_sound(doc: &BundleDoc) -> (Option<BundleIr>, Vec<Diagnostic>) {
    let mut v = Validator {
        dispositions_unknown: doc.failed.contains(&FileRole::Dispositions),
        advice_unknown: doc.failed.contains(&FileRole::CareAdvice),
        broken: doc.broken.clone(),
        ..Validator::default()
    };
    v.catalogues(doc);
    v.synonyms(doc);
    v.declare_units(doc);
    v.topics(doc);
    v.declare_variables(doc);
    v.build_nodes(doc);
    v.check_expressions(doc);
    // Graph checks need every file and node: with one missing, its nodes
    // would look unreachable and its modules never called.
    if !v.has_errors() && doc.failed_files == 0 && doc.broken.is_empty() {
        v.check_graph();
    }
    #[cfg(feature = "authoring")]
    v.case_packs(doc);
    let mut diagnostics = std::mem::take(&mut v.diagnostics);
    diagnostics.sort_by_key(|d| (d.loc, d.code));
    // A graph that is sound despite its errors is still built, for review
    // only (see `validate`).
    if !crate::diag::errors_leave_graph_sound(&diagnostics) {
        return (None, diagnostics);
    }
    let ir = BundleIr {
        dispositions: v.dispositions,
        advice: v.advice,
        variables: v.variables,
        units: v.units,
        nodes: v.nodes.into_iter().flatten().collect(),
        case_packs: v.case_packs,
        synonyms: v.synonyms,
    };
    (Some(ir), diagnostics)
}

#[derive(Default)]
struct Validator {
    diagnostics: Vec<Diagnostic>,
    /// Comparisons of a wrong id with candidates made so far for
    /// did-you-mean suggestions (see [`MAX_SUGGESTION_WORK`]).
    suggestion_work: std::cell::Cell<usize>,
    /// What did not read and is reported already: references to it are not
    /// reported again, so one mistake gives one error, not a cascade.
    broken: Vec<crate::load::BrokenEntry>,
    /// A catalogue file could not be read, so references into it cannot be
    /// checked (reporting each would bury the real problem).
    dispositions_unknown: bool,
    advice_unknown: bool,
    dispositions: Vec<DispositionIr>,
    disposition_ids: HashMap<String, DispositionIdx>,
    advice: Vec<AdviceIr>,
    advice_ids: HashMap<String, AdviceIdx>,
    variables: Vec<VariableIr>,
    variable_ids: HashMap<String, VariableIdx>,
    units: Vec<UnitIr>,
    unit_ids: HashMap<String, UnitIdx>,
    /// Node ids of each unit -> global node index.
    node_ids: Vec<HashMap<String, NodeIdx>>,
    /// Built nodes; `None` where a node could not be built.
    nodes: Vec<Option<NodeIr>>,
    /// Answer ids of each built question, for expression scopes.
    answer_id_cache: HashMap<NodeIdx, Vec<String>>,
    case_packs: Vec<CasePackIr>,
    /// Synonym groups, as written.
    synonyms: Vec<Vec<String>>,
}

/// A band as written: `from` and `below` with their places, the band's place, and its target.
type BandSpec = (Option<(f64, Loc)>, Option<(f64, Loc)>, Loc, Target);

/// The kind of unit a reference must name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum UnitWanted {
    Module,
    Pathway,
}

/// Where to find a unit's document in the [`BundleDoc`].
#[derive(Clone, Copy)]
enum UnitSource {
    Pathway(usize),
    Module(usize),
}

fn unit_doc(doc: &BundleDoc, source: UnitSource) -> (usize, &NodeMapDoc) {
    match source {
        UnitSource::Pathway(i) => (doc.pathways[i].0, &doc.pathways[i].1.nodes),
        UnitSource::Module(i) => (doc.modules[i].0, &doc.modules[i].1.nodes),
    }
}

fn unit_sources(doc: &BundleDoc) -> impl Iterator<Item = UnitSource> + '_ {
    (0..doc.pathways.len())
        .map(UnitSource::Pathway)
        .chain((0..doc.modules.len()).map(UnitSource::Module))
}

impl Validator {
    fn has_errors(&self) -> bool {
        crate::diag::has_errors(&self.diagnostics)
    }

    fn error(&mut self, code: Code, loc: Loc, message: String, help: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(code, loc, message).with_help(help));
    }

    /// An error where a second place matters: the first of two duplicates,
    /// the start of a loop. Points at `loc` and names the other place.
    fn error_related(
        &mut self,
        code: Code,
        loc: Loc,
        message: String,
        help: impl Into<String>,
        (first, why_first): (Loc, &str),
    ) {
        self.diagnostics.push(
            Diagnostic::error(code, loc, message)
                .with_help(help)
                .with_related(first, why_first),
        );
    }

    fn warning(&mut self, code: Code, loc: Loc, message: String, help: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::warning(code, loc, message).with_help(help));
    }

    /// Checks that an id is well formed; returns false (and reports) if not.
    fn check_id(&mut self, file: usize, id: &Spanned<String>, what: &str) -> bool {
        let value = id.value.as_str();
        let well_formed = !value.is_empty()
            && value.len() <= 64
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
            && value
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if !well_formed {
            self.error(
                codes::BAD_ID,
                Loc::at(file, id.referenced),
                format!("`{value}` is not a valid {what} id"),
                "ids are 1 to 64 characters: lowercase letters, digits, '-' and '_', starting with a letter or digit",
            );
        }
        well_formed
    }

    fn check_text(&mut self, file: usize, text: &Spanned<TextDoc>, what: &str) {
        // Every language and audience given must have words.
        let empty = text
            .value
            .languages()
            .any(|(_, words)| words.texts().iter().any(|t| t.trim().is_empty()));
        if empty {
            self.error(
                codes::EMPTY_TEXT,
                Loc::at(file, text.referenced),
                format!("the {what} is empty"),
                "write the text people will see (English is required; Welsh and each audience, if given, must not be empty)",
            );
        }
    }

    // -- catalogues --------------------------------------------------------

    fn catalogues(&mut self, doc: &BundleDoc) {
        // One map for every care-advice file: an id is unique across the catalogue.
        let mut first: HashMap<&str, Loc> = HashMap::new();
        for (file, catalogue) in &doc.care_advice {
            let file = *file;
            for entry in &catalogue.care_advice {
                let loc = Loc::at(file, entry.id.referenced);
                self.check_id(file, &entry.id, "care-advice");
                self.check_text(file, &entry.title, "care-advice title");
                self.check_text(file, &entry.text, "care-advice text");
                if let Some(&original) = first.get(entry.id.value.as_str()) {
                    self.error_related(
                        codes::DUPLICATE_ADVICE,
                        loc,
                        format!("care advice `{}` is defined twice", entry.id.value),
                        "give each care-advice entry its own id",
                        (original, "first defined here"),
                    );
                    continue;
                }
                first.insert(&entry.id.value, loc);
                let Ok(index) = AdviceIdx::try_from(self.advice.len()) else {
                    self.error(
                        codes::FILE_TOO_LARGE,
                        loc,
                        "too many care-advice entries".into(),
                        "the catalogue holds at most 65,535 entries",
                    );
                    break;
                };
                self.advice_ids.insert(entry.id.value.clone(), index);
                self.advice.push(AdviceIr {
                    id: entry.id.value.clone(),
                    title: entry.title.value.clone(),
                    text: entry.text.value.clone(),
                    loc,
                });
            }
        }
        if let Some((file, catalogue)) = &doc.dispositions {
            let file = *file;
            let mut first_id: HashMap<&str, Loc> = HashMap::new();
            let mut first_rank: HashMap<u32, (Loc, &str)> = HashMap::new();
            let mut first_code: HashMap<&str, Loc> = HashMap::new();
            for entry in &catalogue.dispositions {
                let loc = Loc::at(file, entry.id.referenced);
                self.check_id(file, &entry.id, "disposition");
                self.check_text(file, &entry.title, "disposition title");
                if let Some(&original) = first_id.get(entry.id.value.as_str()) {
                    self.error_related(
                        codes::DUPLICATE_DISPOSITION,
                        loc,
                        format!("disposition `{}` is defined twice", entry.id.value),
                        "give each disposition its own id",
                        (original, "first defined here"),
                    );
                    continue;
                }
                first_id.insert(&entry.id.value, loc);
                let rank_loc = Loc::at(file, entry.rank.referenced);
                if let Some(&(original, other)) = first_rank.get(&entry.rank.value) {
                    let help = "ranks order dispositions by urgency (lower is more urgent); each must be different";
                    self.error_related(
                        codes::DUPLICATE_RANK,
                        rank_loc,
                        format!("rank {} is already used by `{other}`", entry.rank.value),
                        help,
                        (original, "first used here"),
                    );
                } else {
                    first_rank.insert(entry.rank.value, (rank_loc, &entry.id.value));
                }
                let code_loc = Loc::at(file, entry.code.referenced);
                if let Some(&original) = first_code.get(entry.code.value.as_str()) {
                    self.error_related(
                        codes::DUPLICATE_CODE,
                        code_loc,
                        format!("code `{}` is already used", entry.code.value),
                        "each disposition needs its own code",
                        (original, "first used here"),
                    );
                } else {
                    first_code.insert(&entry.code.value, code_loc);
                }
                self.check_timeframe(file, entry, loc);
                let advice = self.resolve_advice(file, &entry.advice);
                let Ok(index) = DispositionIdx::try_from(self.dispositions.len()) else {
                    break;
                };
                self.disposition_ids.insert(entry.id.value.clone(), index);
                self.dispositions.push(DispositionIr {
                    id: entry.id.value.clone(),
                    code: entry.code.value.clone(),
                    title: entry.title.value.clone(),
                    description: entry.description.as_ref().map(|d| d.value.clone()),
                    service: entry.service.value,
                    act_within_minutes: entry.act_within_minutes.as_ref().map(|m| m.value),
                    service_standard_minutes: entry
                        .service_standard_minutes
                        .as_ref()
                        .map(|m| m.value),
                    rank: entry.rank.value,
                    advice,
                    loc,
                });
            }
        }
    }

    /// An urgent disposition says how soon, in the form that suits its
    /// service: 999 is called now; a call-back has the time the clinician
    /// calls within; every other urgent service, how soon the person goes.
    fn check_timeframe(&mut self, file: usize, entry: &DispositionDoc, loc: Loc) {
        let act = entry.act_within_minutes.as_ref().map(|m| m.value);
        let id = &entry.id.value;
        match entry.service.value {
            ServiceDoc::Ambulance => match act {
                Some(0) => {}
                None => self.error(
                    codes::MISSING_TIMEFRAME,
                    loc,
                    format!("disposition `{id}` sends for an ambulance but says not how soon"),
                    "add `act_within_minutes: 0`: a 999 call is made now (put the response \
                     standard in `service_standard_minutes:`)",
                ),
                Some(minutes) => self.error(
                    codes::ACT_NOW_FOR_999,
                    entry
                        .act_within_minutes
                        .as_ref()
                        .map_or(loc, |m| Loc::at(file, m.referenced)),
                    format!(
                        "disposition `{id}` tells the person to call 999 within {minutes} minutes"
                    ),
                    "use `act_within_minutes: 0`: a 999 call is made now; the ambulance \
                     response standard goes in `service_standard_minutes:`",
                ),
            },
            ServiceDoc::ClinicianCallBack if entry.service_standard_minutes.is_none() => self
                .error(
                    codes::MISSING_TIMEFRAME,
                    loc,
                    format!("disposition `{id}` promises a call back but says not within how long"),
                    "add `service_standard_minutes:`, the time within which the clinician calls",
                ),
            ServiceDoc::EmergencyDepartment
            | ServiceDoc::UrgentTreatmentCentre
            | ServiceDoc::Gp
            | ServiceDoc::Maternity
            | ServiceDoc::MentalHealthCrisis
            | ServiceDoc::EyeCasualty
                if act.is_none() =>
            {
                self.error(
                    codes::MISSING_TIMEFRAME,
                    loc,
                    format!(
                        "disposition `{id}` sends people to an urgent service but says not how soon"
                    ),
                    "add `act_within_minutes:`, how soon the person should go (0 for now)",
                )
            }
            _ => {}
        }
    }

    fn resolve_advice(&mut self, file: usize, keys: &[Spanned<String>]) -> Vec<AdviceIdx> {
        let mut resolved = Vec::with_capacity(keys.len());
        for key in keys {
            match self.advice_ids.get(key.value.as_str()) {
                Some(&i) => resolved.push(i),
                None if self.advice_unknown => {}
                None if self.broken_entry(FileRole::CareAdvice, &key.value) => {}
                None => self.unknown_advice(
                    codes::UNKNOWN_ADVICE,
                    Loc::at(file, key.referenced),
                    &key.value,
                    "use an existing key (`triage list advice DIR` lists each with its file), or add the entry to care-advice.yaml or a file in care-advice/",
                ),
            }
        }
        resolved
    }

    /// A did-you-mean suggestion for `wrong` among `candidates`, while the
    /// bundle's budget for suggestions lasts; `fallback` alone after that.
    fn did_you_mean<'a>(
        &self,
        wrong: &str,
        candidates: impl Iterator<Item = &'a str>,
        fallback: &str,
    ) -> String {
        let candidates: Vec<&str> = candidates.collect();
        let work = self.suggestion_work.get().saturating_add(candidates.len());
        if work > MAX_SUGGESTION_WORK {
            return fallback.to_owned();
        }
        self.suggestion_work.set(work);
        crate::diag::did_you_mean(wrong, candidates.into_iter(), fallback)
    }

    /// A care-advice key that is in no care-advice file: the nearest key,
    /// pointed at in the file that really holds it.
    pub(super) fn unknown_advice(&mut self, code: Code, loc: Loc, key: &str, fallback: &str) {
        let message = format!("care advice `{key}` is in no care-advice file");
        let keys: Vec<&str> = self.advice_ids.keys().map(String::as_str).collect();
        let affordable =
            self.suggestion_work.get().saturating_add(keys.len()) <= MAX_SUGGESTION_WORK;
        let near = affordable
            .then(|| crate::diag::closest(key, &keys))
            .flatten()
            .and_then(|near| {
                let index = *self.advice_ids.get(near)?;
                let entry = self.advice.get(usize::from(index))?;
                Some((near.to_owned(), entry.loc))
            });
        let help = self.did_you_mean(key, keys.into_iter(), fallback);
        match near {
            Some((near, defined)) => self.diagnostics.push(
                Diagnostic::error(code, loc, message)
                    .with_help(help)
                    .with_related(defined, format!("`{near}` is defined here")),
            ),
            None => self.error(code, loc, message, help),
        }
    }

    // -- units -------------------------------------------------------------

    fn declare_units(&mut self, doc: &BundleDoc) {
        let mut first: HashMap<String, Loc> = HashMap::new();
        for source in unit_sources(doc) {
            let (file, id, kind, title, summary, version, sources, start_loc, what) = match source {
                UnitSource::Pathway(i) => {
                    let (file, p) = &doc.pathways[i];
                    let h = &p.pathway;
                    let applicability = self.applicability(*file, h);
                    (
                        *file,
                        &h.id,
                        UnitKind::Pathway(applicability),
                        &h.title,
                        &h.summary,
                        &h.version,
                        &h.sources,
                        Loc::at(*file, h.start.referenced),
                        "pathway",
                    )
                }
                UnitSource::Module(i) => {
                    let (file, m) = &doc.modules[i];
                    let h = &m.module;
                    (
                        *file,
                        &h.id,
                        UnitKind::Module,
                        &h.title,
                        &h.summary,
                        &h.version,
                        &h.sources,
                        Loc::at(*file, h.start.referenced),
                        "module",
                    )
                }
            };
            let loc = Loc::at(file, id.referenced);
            self.check_id(file, id, what);
            self.check_text(file, title, &format!("{what} title"));
            if sources.is_empty() {
                self.error(
                    codes::NO_SOURCES,
                    loc,
                    format!("{what} `{}` cites no public source", id.value),
                    "add `sources:` with the title and URL of the guidance it follows (e.g. an NHS website page or NICE guideline)",
                );
            }
            for s in sources {
                if s.title.value.trim().is_empty() || s.url.value.trim().is_empty() {
                    self.error(
                        codes::EMPTY_TEXT,
                        Loc::at(file, s.title.referenced),
                        "a source needs a title and a URL".into(),
                        "write the guidance's title and where it can be read",
                    );
                }
            }
            if let Some(original) = first.get(&id.value) {
                self.error_related(
                    codes::DUPLICATE_UNIT,
                    loc,
                    format!(
                        "`{}` is already the id of another pathway or module",
                        id.value
                    ),
                    "pathway and module ids share one namespace; rename one",
                    (*original, "first defined here"),
                );
            }
            first.entry(id.value.clone()).or_insert(loc);
            let unit = self.units.len();
            let (_, nodes) = unit_doc(doc, source);
            let first_node = self.nodes.len();
            let mut ids = HashMap::new();
            let mut node_first: HashMap<&str, Loc> = HashMap::new();
            for (node_id, _) in &nodes.0 {
                let node_loc = Loc::at(file, node_id.referenced);
                if node_id.value == "return" {
                    self.error(
                        codes::BAD_ID,
                        node_loc,
                        "`return` is reserved and cannot be a node id".into(),
                        "choose another id; `next: return` means \"go back to the pathway that called this module\"",
                    );
                } else {
                    self.check_id(file, node_id, "node");
                }
                if let Some(&original) = node_first.get(node_id.value.as_str()) {
                    self.error_related(
                        codes::DUPLICATE_NODE,
                        node_loc,
                        format!("node `{}` is defined twice in this file", node_id.value),
                        "rename one of them and update the `next:` that should reach it",
                        (original, "first defined here"),
                    );
                } else {
                    node_first.insert(&node_id.value, node_loc);
                    let index = NodeIdx::try_from(self.nodes.len()).unwrap_or(NodeIdx::MAX);
                    ids.insert(node_id.value.clone(), index);
                }
                self.nodes.push(None);
            }
            let start = match source {
                UnitSource::Pathway(i) => &doc.pathways[i].1.pathway.start,
                UnitSource::Module(i) => &doc.modules[i].1.module.start,
            };
            let start_idx = match ids.get(start.value.as_str()) {
                Some(&s) => s,
                None => {
                    let help = self.did_you_mean(
                        &start.value,
                        ids.keys().map(String::as_str),
                        "`start:` must name one of this file's nodes",
                    );
                    self.error(
                        codes::UNKNOWN_NODE,
                        start_loc,
                        format!("the start node `{}` does not exist", start.value),
                        help,
                    );
                    0
                }
            };
            self.node_ids.push(ids);
            if let Ok(unit_idx) = UnitIdx::try_from(unit) {
                self.unit_ids.entry(id.value.clone()).or_insert(unit_idx);
            }
            let range = NodeIdx::try_from(first_node).unwrap_or(NodeIdx::MAX)
                ..NodeIdx::try_from(self.nodes.len()).unwrap_or(NodeIdx::MAX);
            self.units.push(UnitIr {
                id: id.value.clone(),
                kind,
                title: title.value.clone(),
                summary: summary.as_ref().map(|s| s.value.clone()),
                version: version.value.clone(),
                sources: sources
                    .iter()
                    .map(|s| SourceIr {
                        title: s.title.value.clone(),
                        url: s.url.value.clone(),
                    })
                    .collect(),
                start: start_idx,
                nodes: range,
                file,
            });
        }
    }

    fn applicability(&mut self, file: usize, h: &PathwayHeaderDoc) -> Applicability {
        let ages = h.ages.value;
        let from = ages.from.unwrap_or(0.0);
        let to = ages.to.unwrap_or(f64::INFINITY);
        if !from.is_finite() || from < 0.0 || to.is_nan() || to <= from {
            self.error(
                codes::BAD_AGES,
                Loc::at(file, h.ages.referenced),
                format!("the age range from {from} to {to} is empty or negative"),
                "write `ages: { from: 16 }` (years; `from` inclusive, `to` exclusive, e.g. `{ from: 1, to: 5 }`)",
            );
        }
        let mut sexes = Vec::new();
        for sex in &h.sexes.value {
            if !sexes.contains(&sex.value) {
                sexes.push(sex.value);
            }
        }
        if sexes.is_empty() {
            self.error(
                codes::BAD_AGES,
                Loc::at(file, h.sexes.referenced),
                "the pathway is for no one: `sexes` is empty".into(),
                "write `sexes: [female, male]`, or the one sex it is for",
            );
        }
        if h.keywords.is_empty() {
            self.warning(
                codes::NO_KEYWORDS,
                Loc::at(file, h.id.referenced),
                format!("pathway `{}` has no search keywords", h.id.value),
                "add `keywords:` with words people type when they look for this problem",
            );
        }
        Applicability {
            from_years: from,
            to_years: to,
            sexes,
            keywords: h.keywords.iter().map(|k| k.value.clone()).collect(),
            topics: Vec::new(),
            fallback: h.fallback,
        }
    }

    // -- variables ---------------------------------------------------------

    fn declare_variables(&mut self, doc: &BundleDoc) {
        let mut first: HashMap<String, (Loc, VariableKind)> = HashMap::new();
        for source in unit_sources(doc) {
            let (file, variables, scores) = match source {
                UnitSource::Pathway(i) => {
                    let (f, p) = &doc.pathways[i];
                    (*f, &p.pathway.variables, &p.pathway.scores)
                }
                UnitSource::Module(i) => {
                    let (f, m) = &doc.modules[i];
                    (*f, &m.module.variables, &m.module.scores)
                }
            };
            let declared = variables
                .0
                .iter()
                .map(|(name, ty)| {
                    let kind = match ty.value {
                        VariableTypeDoc::Bool => VariableKind::Bool,
                        VariableTypeDoc::Number => VariableKind::Number,
                    };
                    (name, kind)
                })
                .chain(scores.iter().map(|name| (name, VariableKind::Score)));
            for (name, kind) in declared {
                let loc = Loc::at(file, name.referenced);
                self.check_id(file, name, "variable");
                match first.get(&name.value) {
                    Some(&(original, k)) if k != kind => {
                        let help = "variables are shared by every pathway and module; use one type, or another name";
                        self.error_related(
                            codes::VARIABLE_CONFLICT,
                            loc,
                            format!(
                                "`{}` is declared as {} here but as {} elsewhere",
                                name.value,
                                kind_name(kind),
                                kind_name(k)
                            ),
                            help,
                            (original, "first declared here"),
                        );
                    }
                    Some(_) => {}
                    None => {
                        first.insert(name.value.clone(), (loc, kind));
                        let Ok(index) = VariableIdx::try_from(self.variables.len()) else {
                            continue;
                        };
                        self.variable_ids.insert(name.value.clone(), index);
                        self.variables.push(VariableIr {
                            name: name.value.clone(),
                            kind,
                        });
                    }
                }
            }
        }
    }
}

/// Resolves names in expressions of one unit.
struct UnitScope<'a> {
    validator: &'a Validator,
    unit: usize,
}

impl Scope for UnitScope<'_> {
    fn question(&self, id: &str) -> Option<QuestionInfo<'_>> {
        let node = *self.validator.node_ids[self.unit].get(id)?;
        match &self.validator.node(node)?.kind {
            NodeKindIr::Question(q) => Some(QuestionInfo {
                node,
                kind: q.kind,
                answer_ids: self.validator.answer_ids(node),
            }),
            _ => None,
        }
    }

    fn variable(&self, name: &str) -> Option<(VariableIdx, VariableKind)> {
        let v = *self.validator.variable_ids.get(name)?;
        Some((v, self.validator.variables[v as usize].kind))
    }

    fn question_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.validator.node_ids[self.unit]
            .iter()
            .filter(|(_, &n)| {
                matches!(
                    self.validator.node(n).map(|n| &n.kind),
                    Some(NodeKindIr::Question(_))
                )
            })
            .map(|(id, _)| id.as_str())
            .collect();
        ids.sort_unstable();
        ids
    }

    fn variable_names(&self) -> Vec<(&str, VariableKind)> {
        self.validator
            .variables
            .iter()
            .map(|v| (v.name.as_str(), v.kind))
            .collect()
    }
}

impl Validator {
    fn answer_ids(&self, node: NodeIdx) -> &[String] {
        // Kept per question so the scope can hand out a slice.
        match self.answer_id_cache.get(&node) {
            Some(ids) => ids,
            None => &[],
        }
    }
}

/// The label of a fixed answer (`yes`, `no`, `none`, `not_sure`), in English and Welsh.
fn fixed_label(word: &str, english: &str) -> TextDoc {
    let welsh = match word {
        "yes" => "Ie",
        "no" => "Na",
        "none" => "Dim un o'r rhain",
        "not_sure" => "Dw i ddim yn siŵr",
        _ => return TextDoc::Plain(english.to_string()),
    };
    TextDoc::Variants(Box::new(TextVariantsDoc {
        en: AudienceTextDoc::All(english.to_string()),
        cy: Some(AudienceTextDoc::All(welsh.to_string())),
    }))
}

fn kind_name(kind: VariableKind) -> &'static str {
    match kind {
        VariableKind::Bool => "true/false",
        VariableKind::Number => "a number",
        VariableKind::Score => "a score",
    }
}

fn kind_word(kind: QuestionKindDoc) -> &'static str {
    match kind {
        QuestionKindDoc::YesNo => "yes_no",
        QuestionKindDoc::Single => "single",
        QuestionKindDoc::Multiple => "multiple",
        QuestionKindDoc::Number => "number",
    }
}

#[cfg(feature = "authoring")]
fn sex_word(sex: SexDoc) -> &'static str {
    match sex {
        SexDoc::Female => "female",
        SexDoc::Male => "male",
    }
}

fn answers_help(kind: QuestionKindDoc) -> &'static str {
    match kind {
        QuestionKindDoc::YesNo => {
            "a yes_no question takes `yes:` and `no:` (and optionally `not_sure:`)"
        }
        QuestionKindDoc::Single => {
            "a single question takes `options:` (and optionally `not_sure:`)"
        }
        QuestionKindDoc::Multiple => {
            "a multiple question takes `options:` and `none:` (and optionally `not_sure:`)"
        }
        QuestionKindDoc::Number => {
            "a number question takes `range:`, `bands:`, optionally `unit:` and `not_sure:`"
        }
    }
}

/// "did you mean `x`?" for a misspelt id, else the fallback help.
impl Validator {
    /// True when catalogue entry `id` of a file of `role` did not read (or
    /// its whole file did not), and so was reported already.
    fn broken_entry(&self, role: FileRole, id: &str) -> bool {
        self.broken
            .iter()
            .any(|b| b.role == role && b.entry.as_deref().is_none_or(|e| e == id))
    }

    /// True when node `node` of file `file` did not read and was reported.
    fn broken_node(&self, file: usize, node: &str) -> bool {
        self.broken
            .iter()
            .any(|b| b.file == file && b.entry.as_deref() == Some(node))
    }

    /// True when pathway or module `unit` did not read as a whole, or its
    /// node `node` (when given) did not: reported already.
    fn broken_in_unit(&self, unit: &str, node: Option<&str>) -> bool {
        self.broken.iter().any(|b| {
            matches!(b.role, FileRole::Pathway | FileRole::Module)
                && b.unit.as_deref() == Some(unit)
                && (b.entry.is_none() || (node.is_some() && b.entry.as_deref() == node))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{parse, Sources};

    const DISPOSITIONS: &str = "\
dispositions:
  - { id: call-999, code: Dx011, title: Call 999, service: ambulance, act_within_minutes: 0, rank: 1 }
  - { id: gp, code: Dx05, title: Speak to a GP, service: gp, act_within_minutes: 120, rank: 2 }
  - { id: self-care, code: Dx98, title: Look after yourself at home, service: self_care, rank: 3 }
";
    const ADVICE: &str = "\
care_advice:
  - { id: rest, title: Rest, text: Rest at home. }
";
    const MODULE: &str = "\
module:
  id: screen
  title: Emergency screen
  version: '1'
  sources: [{ title: NHS 111, url: 'https://111.nhs.uk' }]
  start: breathing
nodes:
  breathing:
    question:
      text: { self: Are you struggling to breathe?, other: Are they struggling to breathe? }
      kind: yes_no
      yes: { next: call, reason: Struggling to breathe }
      no: { next: return }
      not_sure: { next: call, reason: Not sure about breathing }
  call:
    outcome: { disposition: call-999 }
";

    fn pathway(nodes: &str) -> String {
        format!(
            "\
pathway:
  id: cough
  title: Cough
  version: '1'
  ages: {{ from: 16 }}
  sexes: [female, male]
  topics: [Cough]
  keywords: [cough]
  sources: [{{ title: NHS cough, url: 'https://www.nhs.uk/conditions/cough/' }}]
  start: screen
  variables: {{ smoker: bool }}
  scores: [flags]
nodes:
  screen:
    call: {{ module: screen, next: blood }}
{nodes}"
        )
    }

    const GOOD_NODES: &str = "  blood:
    question:
      text: { self: Are you coughing up blood?, other: Are they coughing up blood? }
      kind: yes_no
      yes: { next: gp, add: { flags: 1 } }
      no: { next: split, set: { smoker: true } }
      not_sure: { next: gp }
  split:
    branch:
      cases:
        - { when: 'age >= 65 or score.flags > 0', next: gp }
      otherwise: home
  gp:
    outcome: { disposition: gp, reason: No warning signs }
  home:
    outcome: { disposition: self-care, advice: [rest], reason: No warning signs }
";

    fn check(files: &[(&str, &str)]) -> (Option<BundleIr>, Vec<Diagnostic>) {
        let mut texts = vec![
            ("dispositions.yaml".to_string(), DISPOSITIONS.to_string()),
            ("care-advice.yaml".to_string(), ADVICE.to_string()),
            ("modules/screen.yaml".to_string(), MODULE.to_string()),
        ];
        for (path, text) in files {
            texts.retain(|(p, _)| p != path);
            texts.push((path.to_string(), text.to_string()));
        }
        let (sources, mut diagnostics) = Sources::from_texts(texts);
        let (doc, parse_diagnostics) = parse(&sources);
        diagnostics.extend(parse_diagnostics);
        let (ir, more) = validate(&doc);
        diagnostics.extend(more);
        (ir, diagnostics)
    }

    fn codes_of(diagnostics: &[Diagnostic]) -> Vec<&'static str> {
        diagnostics.iter().map(|d| d.code.0).collect()
    }

    #[test]
    fn every_service_a_person_must_reach_soon_says_how_soon() {
        // The test catalogue, with one more outcome, for `service`, that gives no time.
        let catalogue_with = |service: &str| {
            DISPOSITIONS.replace(
                "dispositions:\n",
                &format!("dispositions:\n  - {{ id: extra, code: Dx99, title: Extra, service: {service}, rank: 99 }}\n"),
            )
        };
        let services = [
            ("ambulance", "E105"),
            ("emergency_department", "E105"),
            ("urgent_treatment_centre", "E105"),
            ("gp", "E105"),
            ("maternity", "E105"),
            ("mental_health_crisis", "E105"),
            ("eye_casualty", "E105"),
            ("clinician_call_back", "E105"),
        ];
        for (service, code) in services {
            let catalogue = catalogue_with(service);
            let (_, diagnostics) = check(&[("dispositions.yaml", &catalogue)]);
            assert!(
                codes_of(&diagnostics).contains(&code),
                "{service} without a time: {diagnostics:#?}"
            );
        }
        // Routine services need none.
        for service in ["own_gp", "dental", "pharmacy", "self_care"] {
            let catalogue = catalogue_with(service);
            let (_, diagnostics) = check(&[("dispositions.yaml", &catalogue)]);
            assert!(
                !codes_of(&diagnostics).contains(&"E105"),
                "{service}: {diagnostics:#?}"
            );
        }
    }

    #[test]
    fn a_good_bundle_resolves() {
        let (ir, diagnostics) = check(&[("pathways/cough.yaml", &pathway(GOOD_NODES))]);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let ir = ir.unwrap();
        assert_eq!(ir.units.len(), 2);
        assert_eq!(ir.nodes.len(), 7);
        assert_eq!(ir.variables.len(), 2);
        let cough = &ir.units[0];
        assert_eq!(cough.id, "cough");
        assert_eq!(ir.nodes[cough.start as usize].id, "screen");
    }

    #[test]
    fn dangling_next_is_located_with_a_suggestion() {
        let nodes = GOOD_NODES.replace("otherwise: home", "otherwise: hom");
        let (ir, diagnostics) = check(&[("pathways/cough.yaml", &pathway(&nodes))]);
        assert!(ir.is_none());
        let d = diagnostics
            .iter()
            .find(|d| d.code == codes::UNKNOWN_NODE)
            .unwrap();
        assert_eq!(d.loc.line, 27);
        assert!(d.help.as_deref().unwrap().contains("did you mean `home`"));
    }

    #[test]
    fn not_sure_returning_from_a_module_into_self_care_is_refused() {
        let module = MODULE.replace(
            "not_sure: { next: call, reason: Not sure about breathing }",
            "not_sure: { next: return }",
        );
        let (ir, diagnostics) = check(&[
            ("modules/screen.yaml", &module),
            ("pathways/cough.yaml", &pathway(GOOD_NODES)),
        ]);
        assert!(ir.is_none());
        let d = diagnostics
            .iter()
            .find(|d| d.code == codes::NOT_SURE_SELF_CARE)
            .unwrap();
        assert_eq!(d.loc.file, 2, "{d:?}");
        assert!(d.message.contains("self-care"));
    }

    #[test]
    fn not_sure_to_self_care_in_a_pathway_is_refused() {
        let nodes = GOOD_NODES.replace("not_sure: { next: gp }", "not_sure: { next: split }");
        let (_, diagnostics) = check(&[("pathways/cough.yaml", &pathway(&nodes))]);
        assert_eq!(codes_of(&diagnostics), ["E402"]);
    }

    #[test]
    fn cycles_through_modules_are_found() {
        let module = MODULE.replace(
            "  call:\n    outcome: { disposition: call-999 }",
            "  call:\n    goto: { pathway: cough }",
        );
        let (_, diagnostics) = check(&[
            ("modules/screen.yaml", &module),
            ("pathways/cough.yaml", &pathway(GOOD_NODES)),
        ]);
        assert!(codes_of(&diagnostics).contains(&"E401"), "{diagnostics:#?}");
    }

    #[test]
    fn number_bands_must_cover_the_range() {
        let nodes = "  blood:
    question:
      text: { self: What is your temperature?, other: What is their temperature? }
      kind: number
      range: { min: 30, max: 45 }
      bands:
        - { below: 38, next: home }
        - { from: 38.5, below: 40, next: gp }
        - { from: 39, below: 45, next: gp }
  gp:
    outcome: { disposition: gp, reason: No warning signs }
  home:
    outcome: { disposition: self-care, reason: No warning signs }
";
        let (_, diagnostics) = check(&[("pathways/cough.yaml", &pathway(nodes))]);
        let found = codes_of(&diagnostics);
        assert!(found.contains(&"E504"), "{found:?}");
        assert!(found.contains(&"E505"), "{found:?}");
        assert!(found.contains(&"E506"), "{found:?}");
    }

    #[test]
    fn expressions_are_checked_with_locations() {
        let nodes = GOOD_NODES.replace("score.flags > 0", "score.flagz > 0");
        let (_, diagnostics) = check(&[("pathways/cough.yaml", &pathway(&nodes))]);
        let d = diagnostics
            .iter()
            .find(|d| d.code == codes::EXPR_UNKNOWN_NAME)
            .unwrap();
        // `        - { when: 'age >= 65 or score.flagz > 0', next: gp }`
        assert_eq!((d.loc.line, d.loc.column), (26, 39), "{d:?}"); // at `flagz`
    }

    #[test]
    fn case_packs_are_resolved_and_checked() {
        let pack = "\
pathway: cough
cases:
  - name: blood goes to a GP
    patient: { age: 40, sex: male }
    answers:
      - screen/breathing: no
      - blood: yes
    expect: { disposition: gp }
  - name: bad option
    patient: { age: 40, sex: male }
    answers:
      - blood: maybe
    expect: { disposition: gp }
  - name: too young
    patient: { age: 4, sex: male }
    answers: []
    expect: { disposition: gpp }
";
        let (_, diagnostics) = check(&[
            ("pathways/cough.yaml", &pathway(GOOD_NODES)),
            ("pathways/cough.cases.yaml", pack),
        ]);
        assert_eq!(codes_of(&diagnostics), ["E603", "E606", "E604"]);
        let (ir, diagnostics) = check(&[
            ("pathways/cough.yaml", &pathway(GOOD_NODES)),
            (
                "pathways/cough.cases.yaml",
                &pack[..pack.find("  - name: bad").unwrap()],
            ),
        ]);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let case = &ir.unwrap().case_packs[0].cases[0];
        assert_eq!(case.answers[0].question, "screen/breathing");
        assert_eq!(
            case.answers[1].value,
            crate::vocab::AnswerValue::Choice("yes".into())
        );
    }

    #[test]
    fn unreachable_nodes_warn_only() {
        let nodes = format!("{GOOD_NODES}  spare:\n    outcome: {{ disposition: gp }}\n");
        let (ir, diagnostics) = check(&[("pathways/cough.yaml", &pathway(&nodes))]);
        assert!(ir.is_some());
        assert_eq!(codes_of(&diagnostics), ["W403"]);
    }

    #[test]
    fn duplicate_node_ids_are_reported_not_merged() {
        let nodes = format!("{GOOD_NODES}  gp:\n    outcome: {{ disposition: call-999 }}\n");
        let (_, diagnostics) = check(&[("pathways/cough.yaml", &pathway(&nodes))]);
        let d = diagnostics
            .iter()
            .find(|d| d.code == codes::DUPLICATE_NODE)
            .unwrap();
        assert_eq!(d.loc.line, 32);
        assert_eq!(d.related.as_ref().unwrap().loc.line, 28);
    }

    #[test]
    fn a_bare_no_in_text_is_read_as_the_text_no() {
        let nodes = GOOD_NODES.replace("no: { next: split", "no: { label: No, next: split");
        let (ir, diagnostics) = check(&[("pathways/cough.yaml", &pathway(&nodes))]);
        assert!(ir.is_some(), "{diagnostics:#?}");
        let answer: AnswerDoc = crate::yaml::from_str("{ label: No, next: split }").unwrap();
        assert_eq!(answer.label.unwrap().value.english(), "No");
    }

    #[test]
    fn a_module_that_never_returns_makes_next_dead() {
        let module = MODULE.replace("no: { next: return }", "no: { next: call }");
        let (ir, diagnostics) = check(&[
            ("modules/screen.yaml", &module),
            ("pathways/cough.yaml", &pathway(GOOD_NODES)),
        ]);
        assert!(ir.is_some());
        assert!(codes_of(&diagnostics).contains(&"W405"), "{diagnostics:#?}");
    }

    #[test]
    fn care_advice_ids_are_unique_across_files() {
        let split = "care_advice:\n  - { id: rest, title: Rest again, text: Rest more. }\n";
        let (ir, diagnostics) = check(&[
            ("pathways/cough.yaml", &pathway(GOOD_NODES)),
            ("care-advice/extra.yaml", split),
        ]);
        assert!(ir.is_none());
        let d = diagnostics
            .iter()
            .find(|d| d.code == codes::DUPLICATE_ADVICE)
            .expect("a duplicate in another file is reported");
        assert_eq!(d.loc.line, 2);
        assert_ne!(d.related.as_ref().unwrap().loc.file, d.loc.file);
    }

    #[test]
    fn a_misspelt_care_advice_key_points_at_the_file_that_holds_the_nearest() {
        let split =
            "care_advice:\n  - { id: steam-inhalation, title: Steam, text: Breathe steam. }\n";
        let nodes = GOOD_NODES.replace("advice: [rest]", "advice: [steam-inhalations]");
        let (sources, _) = Sources::from_texts(vec![
            ("dispositions.yaml".to_string(), DISPOSITIONS.to_string()),
            ("care-advice.yaml".to_string(), ADVICE.to_string()),
            ("care-advice/steam.yaml".to_string(), split.to_string()),
            ("modules/screen.yaml".to_string(), MODULE.to_string()),
            ("pathways/cough.yaml".to_string(), pathway(&nodes)),
        ]);
        let (doc, _) = parse(&sources);
        let (_, diagnostics) = validate(&doc);
        let d = diagnostics
            .iter()
            .find(|d| d.code == codes::UNKNOWN_ADVICE)
            .expect("the unknown key is reported");
        assert!(
            d.help
                .as_deref()
                .unwrap_or("")
                .contains("`steam-inhalation`"),
            "{d:?}"
        );
        let related = d.related.as_ref().expect("the nearest entry is pointed at");
        let file = &sources.files[related.loc.file].path;
        assert_eq!(file, "care-advice/steam.yaml");
        assert_eq!(related.loc.line, 2);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let nodes = GOOD_NODES
            .replace("next: gp, add", "next: nowhere, add")
            .replace("disposition: gp,", "disposition: gpp,")
            .replace("advice: [rest]", "advice: [rset]");
        let (_, diagnostics) = check(&[("pathways/cough.yaml", &pathway(&nodes))]);
        assert_eq!(codes_of(&diagnostics), ["E203", "E204", "E205"]);
    }
}
