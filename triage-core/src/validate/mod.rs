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
mod finding;
#[cfg(feature = "authoring")]
mod journeys;

/// The most options one question may offer (multiple-choice answers are a 64-bit set).
pub const MAX_OPTIONS: usize = 60;

/// Checks `doc` and, if there are no errors, resolves it into a [`BundleIr`].
///
/// Diagnostics (errors and warnings) are returned either way, sorted by file and line.
pub fn validate(doc: &BundleDoc) -> (Option<BundleIr>, Vec<Diagnostic>) {
    let mut v = Validator {
        dispositions_unknown: doc.failed.contains(&FileRole::Dispositions),
        advice_unknown: doc.failed.contains(&FileRole::CareAdvice),
        ..Validator::default()
    };
    v.catalogues(doc);
    v.synonyms(doc);
    v.declare_units(doc);
    v.topics(doc);
    v.declare_variables(doc);
    v.build_nodes(doc);
    v.check_expressions(doc);
    // Graph checks need every file: with one missing, its nodes would look
    // unreachable and its modules never called.
    if !v.has_errors() && doc.failed_files == 0 {
        v.check_graph();
    }
    #[cfg(feature = "authoring")]
    v.case_packs(doc);
    let mut diagnostics = std::mem::take(&mut v.diagnostics);
    diagnostics.sort_by_key(|d| (d.loc, d.code));
    if crate::diag::has_errors(&diagnostics) {
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
        let empty_welsh = text.value.welsh().is_some_and(|w| w.trim().is_empty());
        if text.value.english().trim().is_empty() || empty_welsh {
            self.error(
                codes::EMPTY_TEXT,
                Loc::at(file, text.referenced),
                format!("the {what} is empty"),
                "write the text people will see (English is required; Welsh, if given, must not be empty)",
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
                    let help = "ranks order dispositions by urgency (1 is the most urgent); each must be different";
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
                let urgent = matches!(
                    entry.service.value,
                    ServiceDoc::Ambulance
                        | ServiceDoc::EmergencyDepartment
                        | ServiceDoc::UrgentTreatmentCentre
                        | ServiceDoc::ClinicianCallBack
                        | ServiceDoc::Gp
                );
                if urgent && entry.within_minutes.is_none() {
                    self.error(
                        codes::MISSING_TIMEFRAME,
                        loc,
                        format!(
                            "disposition `{}` sends people to an urgent service but says not how soon",
                            entry.id.value
                        ),
                        "add `within_minutes:` (0 for immediately)",
                    );
                }
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
                    within_minutes: entry.within_minutes.as_ref().map(|m| m.value),
                    rank: entry.rank.value,
                    advice,
                    loc,
                });
            }
        }
    }

    fn resolve_advice(&mut self, file: usize, keys: &[Spanned<String>]) -> Vec<AdviceIdx> {
        let mut resolved = Vec::with_capacity(keys.len());
        for key in keys {
            match self.advice_ids.get(key.value.as_str()) {
                Some(&i) => resolved.push(i),
                None if self.advice_unknown => {}
                None => {
                    let help = did_you_mean(
                        &key.value,
                        self.advice_ids.keys().map(String::as_str),
                        "add it to care-advice.yaml, or use an existing key",
                    );
                    self.error(
                        codes::UNKNOWN_ADVICE,
                        Loc::at(file, key.referenced),
                        format!("care advice `{}` is not in care-advice.yaml", key.value),
                        help,
                    );
                }
            }
        }
        resolved
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
                    let help = did_you_mean(
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

    // -- nodes -------------------------------------------------------------

    fn build_nodes(&mut self, doc: &BundleDoc) {
        for (unit_idx, source) in unit_sources(doc).enumerate() {
            let (file, nodes) = unit_doc(doc, source);
            let first = self.units[unit_idx].nodes.start;
            for (offset, (id, node)) in nodes.0.iter().enumerate() {
                let index = first as usize + offset;
                let Some(kind) = self.node_kind(file, unit_idx, id, node) else {
                    continue;
                };
                if let NodeKindIr::Question(q) = &kind {
                    let ids = q.answers.iter().map(|a| a.id.clone()).collect();
                    self.answer_id_cache.insert(index as NodeIdx, ids);
                }
                self.nodes[index] = Some(NodeIr {
                    unit: UnitIdx::try_from(unit_idx).unwrap_or(UnitIdx::MAX),
                    id: id.value.clone(),
                    loc: Loc::at(file, id.referenced),
                    kind,
                });
            }
        }
    }

    /// The unit `name` refers to, if it exists and is of the kind wanted;
    /// otherwise reports it (with the nearest name) and gives `None`.
    fn resolve_unit(
        &mut self,
        file: usize,
        name: &Spanned<String>,
        wanted: UnitWanted,
    ) -> Option<UnitIdx> {
        let want_module = wanted == UnitWanted::Module;
        let found = self.unit_ids.get(name.value.as_str()).copied();
        if let Some(unit) = found.filter(|&u| self.is_module(u as usize) == want_module) {
            return Some(unit);
        }
        let candidates: Vec<&str> = self
            .units
            .iter()
            .filter(|u| matches!(u.kind, UnitKind::Module) == want_module)
            .map(|u| u.id.as_str())
            .collect();
        let (code, kind, other, hint) = if want_module {
            (
                codes::UNKNOWN_MODULE,
                "module",
                "pathway",
                "modules live in modules/; to continue in a pathway use `goto:`",
            )
        } else {
            (
                codes::UNKNOWN_PATHWAY,
                "pathway",
                "module",
                "`goto:` continues in another pathway; to run a module use `call:`",
            )
        };
        let message = if found.is_some() {
            format!("`{}` is a {other}, not a {kind}", name.value)
        } else {
            format!("there is no {kind} `{}`", name.value)
        };
        let help = did_you_mean(&name.value, candidates.into_iter(), hint);
        self.error(code, Loc::at(file, name.referenced), message, help);
        None
    }

    fn is_module(&self, unit: usize) -> bool {
        matches!(self.units[unit].kind, UnitKind::Module)
    }

    fn target(&mut self, file: usize, unit: usize, next: &Spanned<String>) -> Target {
        if next.value == "return" {
            if !self.is_module(unit) {
                self.error(
                    codes::RETURN_OUTSIDE_MODULE,
                    Loc::at(file, next.referenced),
                    "`next: return` is only for modules; a pathway has nothing to return to".into(),
                    "point `next:` at a node of this pathway, or at an outcome",
                );
            }
            return Target::Return;
        }
        match self.node_ids[unit].get(next.value.as_str()) {
            Some(&n) => Target::Node(n),
            None => {
                let help = did_you_mean(
                    &next.value,
                    self.node_ids[unit].keys().map(String::as_str),
                    "`next:` must name a node of this file",
                );
                self.error(
                    codes::UNKNOWN_NODE,
                    Loc::at(file, next.referenced),
                    format!("there is no node `{}` in this file", next.value),
                    help,
                );
                Target::Node(NodeIdx::MAX)
            }
        }
    }

    /// A reason as written on an answer or an outcome: its text, and its
    /// code (`default_code` when none is written).
    fn reason(
        &mut self,
        file: usize,
        text: Option<&Spanned<TextDoc>>,
        code: Option<&Spanned<String>>,
        default_code: impl FnOnce(&Self) -> String,
    ) -> Option<ReasonIr> {
        match (text, code) {
            (Some(text), code) => {
                self.check_text(file, text, "reason");
                Some(ReasonIr {
                    code: code.map_or_else(|| default_code(self), |c| c.value.clone()),
                    text: text.value.clone(),
                })
            }
            (None, Some(code)) => {
                self.error(
                    codes::FIELD_NOT_ALLOWED,
                    Loc::at(file, code.referenced),
                    "`reason_code` without `reason`".into(),
                    "add `reason:` with the words shown to the person, or remove `reason_code`",
                );
                None
            }
            (None, None) => None,
        }
    }

    fn node_kind(
        &mut self,
        file: usize,
        unit: usize,
        id: &Spanned<String>,
        node: &Spanned<NodeDoc>,
    ) -> Option<NodeKindIr> {
        Some(match &node.value {
            NodeDoc::Question(q) => NodeKindIr::Question(self.question(file, unit, id, q)),
            NodeDoc::Outcome(o) => {
                let disposition = match self.disposition_ids.get(o.disposition.value.as_str()) {
                    Some(&d) => d,
                    None if self.dispositions_unknown => return None,
                    None => {
                        let help = did_you_mean(
                            &o.disposition.value,
                            self.disposition_ids.keys().map(String::as_str),
                            "add it to dispositions.yaml, or use an existing id",
                        );
                        self.error(
                            codes::UNKNOWN_DISPOSITION,
                            Loc::at(file, o.disposition.referenced),
                            format!(
                                "disposition `{}` is not in dispositions.yaml",
                                o.disposition.value
                            ),
                            help,
                        );
                        return None;
                    }
                };
                let advice = self.resolve_advice(file, &o.advice);
                let reason = self.reason(file, o.reason.as_ref(), o.reason_code.as_ref(), |v| {
                    format!("{}/{}", v.units[unit].id, id.value)
                });
                NodeKindIr::Outcome(OutcomeIr {
                    disposition,
                    reason,
                    advice,
                })
            }
            NodeDoc::Call(c) => {
                let next = self.target(file, unit, &c.next);
                let module = self.resolve_unit(file, &c.module, UnitWanted::Module)?;
                NodeKindIr::Call { module, next }
            }
            NodeDoc::Goto(g) => {
                let pathway = self.resolve_unit(file, &g.pathway, UnitWanted::Pathway)?;
                let at = match &g.at {
                    None => self.units[pathway as usize].start,
                    Some(at) => match self.node_ids[pathway as usize].get(at.value.as_str()) {
                        Some(&n) => n,
                        None => {
                            let help = did_you_mean(
                                &at.value,
                                self.node_ids[pathway as usize].keys().map(String::as_str),
                                "`at:` must name a node of that pathway",
                            );
                            self.error(
                                codes::UNKNOWN_NODE,
                                Loc::at(file, at.referenced),
                                format!("pathway `{}` has no node `{}`", g.pathway.value, at.value),
                                help,
                            );
                            return None;
                        }
                    },
                };
                NodeKindIr::Goto { pathway, at }
            }
            NodeDoc::Branch(b) => {
                // Expressions are checked once every question exists; here only
                // the shape and the targets.
                let loc = Loc::at(file, node.referenced);
                match (&b.cases, &b.otherwise, &b.on, &b.bands) {
                    (Some(cases), Some(otherwise), None, None) => {
                        let targets: Vec<Target> = cases
                            .value
                            .iter()
                            .map(|c| self.target(file, unit, &c.next))
                            .collect();
                        let otherwise = self.target(file, unit, otherwise);
                        if cases.value.is_empty() {
                            self.error(
                                codes::BRANCH_SHAPE,
                                Loc::at(file, cases.referenced),
                                "`cases:` is empty".into(),
                                "add at least one `- { when: ..., next: ... }`, or replace the branch by its `otherwise` node",
                            );
                        }
                        NodeKindIr::Branch(BranchIr::Cases {
                            cases: targets
                                .into_iter()
                                .map(|t| (expr::Expr::Bool(true), t))
                                .collect(),
                            otherwise,
                        })
                    }
                    (None, None, Some(_), Some(bands)) => {
                        let mut resolved = Vec::with_capacity(bands.value.len());
                        for band in &bands.value {
                            let t = self.target(file, unit, &band.value.next);
                            resolved.push((
                                band.value
                                    .from
                                    .as_ref()
                                    .map(|f| (f.value, Loc::at(file, f.referenced))),
                                band.value
                                    .below
                                    .as_ref()
                                    .map(|b| (b.value, Loc::at(file, b.referenced))),
                                Loc::at(file, band.referenced),
                                t,
                            ));
                        }
                        let bands = self.check_bands(
                            file,
                            Loc::at(file, bands.referenced),
                            &resolved,
                            None,
                        );
                        NodeKindIr::Branch(BranchIr::Bands {
                            on: expr::Expr::Bool(true),
                            bands,
                        })
                    }
                    (Some(_), None, None, None) => {
                        self.error(
                            codes::BRANCH_SHAPE,
                            loc,
                            format!("branch `{}` has `cases` but no `otherwise`", id.value),
                            "add `otherwise:` naming the node to go to when no case holds (choose the safer, more urgent route)",
                        );
                        return None;
                    }
                    _ => {
                        self.error(
                            codes::BRANCH_SHAPE,
                            loc,
                            format!(
                                "branch `{}` must have either `cases` and `otherwise`, or `on` and `bands`",
                                id.value
                            ),
                            "see \"Branch nodes\" in docs/pathway-language.md",
                        );
                        return None;
                    }
                }
            }
        })
    }

    /// Checks half-open bands `[from, below)` lowest first. With `range`
    /// (number questions) they must cover `[min, max]`; without, every value.
    fn check_bands(
        &mut self,
        file: usize,
        loc: Loc,
        bands: &[BandSpec],
        range: Option<(f64, f64)>,
    ) -> Vec<(f64, f64, Target)> {
        let _ = file;
        let mut out = Vec::with_capacity(bands.len());
        if bands.is_empty() {
            self.error(
                codes::BAND_GAP,
                loc,
                "there are no bands, so every value is in a gap".into(),
                "add bands: `- { below: X, next: ... }`, `- { from: X, next: ... }`",
            );
            return out;
        }
        for (from, below, band_loc, target) in bands {
            let low = from.map_or(f64::NEG_INFINITY, |f| f.0);
            let high = below.map_or(f64::INFINITY, |b| b.0);
            if low.is_nan() || high.is_nan() || low >= high {
                self.error(
                    codes::BAD_RANGE,
                    *band_loc,
                    format!("this band, from {low} to below {high}, holds no value"),
                    "`from` must be less than `below`",
                );
            }
            out.push((low, high, *target));
        }
        let (bottom, top) = range.unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
        let first = &bands[0];
        if let Some((from, from_loc)) = first.0 {
            if from > bottom {
                let (code, message, help) = if range.is_some() {
                    (
                        codes::BAND_OUTSIDE_RANGE,
                        format!("values from {bottom} up to {from} are allowed by `range` but in no band"),
                        "leave out `from` on the first band so it starts at the bottom of the range",
                    )
                } else {
                    (
                        codes::BAND_GAP,
                        format!("values below {from} are in no band"),
                        "leave out `from` on the first band so it covers every lower value",
                    )
                };
                self.error(code, from_loc, message, help);
            }
        }
        let last = &bands[bands.len() - 1];
        if let Some((below, below_loc)) = last.1 {
            let uncovered = if range.is_some() { below <= top } else { true };
            if uncovered {
                let (code, message, help) = if range.is_some() {
                    (
                        codes::BAND_OUTSIDE_RANGE,
                        format!(
                            "values from {below} up to {top} are allowed by `range` but in no band"
                        ),
                        "leave out `below` on the last band so it reaches the top of the range",
                    )
                } else {
                    (
                        codes::BAND_GAP,
                        format!("values of {below} and above are in no band"),
                        "leave out `below` on the last band so it covers every higher value",
                    )
                };
                self.error(code, below_loc, message, help);
            }
        }
        for pair in bands.windows(2) {
            let (prev, next) = (&pair[0], &pair[1]);
            match (prev.1, next.0) {
                (Some((below, _)), Some((from, from_loc))) if below < from => self.error(
                    codes::BAND_GAP,
                    from_loc,
                    format!("values from {below} up to {from} are in no band"),
                    format!("start this band at `from: {below}`, where the band before ends"),
                ),
                (Some((below, _)), Some((from, from_loc))) if below > from => self.error(
                    codes::BAND_OVERLAP,
                    from_loc,
                    format!("this band starts at {from}, inside the band before (which ends below {below})"),
                    format!("start this band at `from: {below}`, where the band before ends"),
                ),
                (None, _) => self.error(
                    codes::BAND_OVERLAP,
                    prev.2,
                    "this band has no `below`, so it overlaps every band after it".into(),
                    "give every band but the last a `below:`",
                ),
                (_, None) => self.error(
                    codes::BAND_OVERLAP,
                    next.2,
                    "this band has no `from`, so it overlaps every band before it".into(),
                    "give every band but the first a `from:` equal to the `below` of the band before",
                ),
                _ => {}
            }
        }
        out
    }

    fn question(
        &mut self,
        file: usize,
        unit: usize,
        id: &Spanned<String>,
        q: &QuestionDoc,
    ) -> QuestionIr {
        self.check_text(file, &q.text, "question text");
        if let Some(help) = &q.help {
            self.check_text(file, help, "help text");
        }
        let kind = q.kind.value;
        let kind_loc = Loc::at(file, q.kind.referenced);
        let kind_name = kind_word(kind);
        // Fields that do not apply to this kind.
        let present: [(&str, bool, bool); 7] = [
            ("yes", q.yes.is_some(), kind == QuestionKindDoc::YesNo),
            ("no", q.no.is_some(), kind == QuestionKindDoc::YesNo),
            (
                "options",
                q.options.is_some(),
                matches!(kind, QuestionKindDoc::Single | QuestionKindDoc::Multiple),
            ),
            ("none", q.none.is_some(), kind == QuestionKindDoc::Multiple),
            ("unit", q.unit.is_some(), kind == QuestionKindDoc::Number),
            ("range", q.range.is_some(), kind == QuestionKindDoc::Number),
            ("bands", q.bands.is_some(), kind == QuestionKindDoc::Number),
        ];
        for (field, is_present, allowed) in present {
            if is_present && !allowed {
                self.error(
                    codes::ANSWERS_FOR_KIND,
                    kind_loc,
                    format!("a `{kind_name}` question does not take `{field}`"),
                    answers_help(kind),
                );
            }
        }
        let required = |v: &mut Self, field: &str, present: bool| {
            if !present {
                v.error(
                    codes::ANSWERS_FOR_KIND,
                    Loc::at(file, id.referenced),
                    format!("`{kind_name}` question `{}` has no `{field}`", id.value),
                    answers_help(kind),
                );
            }
        };
        let mut answers = Vec::new();
        let mut range = None;
        match kind {
            QuestionKindDoc::YesNo => {
                required(self, "yes", q.yes.is_some());
                required(self, "no", q.no.is_some());
                for (word, label, answer) in [("yes", "Yes", &q.yes), ("no", "No", &q.no)] {
                    if let Some(a) = answer {
                        answers.push(self.answer(file, unit, id, a, Some((word, label)), None));
                    }
                }
            }
            QuestionKindDoc::Single | QuestionKindDoc::Multiple => {
                required(self, "options", q.options.is_some());
                if kind == QuestionKindDoc::Multiple {
                    required(self, "none", q.none.is_some());
                }
                if let Some(options) = &q.options {
                    if options.value.len() > MAX_OPTIONS {
                        self.error(
                            codes::TOO_MANY_OPTIONS,
                            Loc::at(file, options.referenced),
                            format!(
                                "{} options; at most {MAX_OPTIONS} are allowed",
                                options.value.len()
                            ),
                            "split the question in two",
                        );
                    }
                    if options.value.is_empty() {
                        required(self, "options", false);
                    }
                    let mut seen: HashMap<&str, Loc> = HashMap::new();
                    for option in options.value.iter().take(MAX_OPTIONS) {
                        let answer = self.answer(file, unit, id, option, None, None);
                        if let Some(oid) = &option.value.id {
                            let loc = Loc::at(file, oid.referenced);
                            if let Some(&original) = seen.get(oid.value.as_str()) {
                                self.error_related(
                                    codes::DUPLICATE_OPTION,
                                    loc,
                                    format!("option `{}` appears twice", oid.value),
                                    "give each option its own id",
                                    (original, "first here"),
                                );
                            }
                            seen.insert(&oid.value, loc);
                        }
                        answers.push(answer);
                    }
                }
                if let Some(none) = &q.none {
                    if kind == QuestionKindDoc::Multiple {
                        answers.push(self.answer(
                            file,
                            unit,
                            id,
                            none,
                            Some(("none", "None of these")),
                            None,
                        ));
                    }
                }
            }
            QuestionKindDoc::Number => {
                required(self, "range", q.range.is_some());
                required(self, "bands", q.bands.is_some());
                if let Some(r) = &q.range {
                    let (min, max) = (r.value.min, r.value.max);
                    if !min.is_finite() || !max.is_finite() || min > max {
                        self.error(
                            codes::BAD_RANGE,
                            Loc::at(file, r.referenced),
                            format!("the range {min} to {max} is empty"),
                            "`min` must be at most `max`, and both must be numbers",
                        );
                    } else {
                        range = Some((min, max));
                    }
                }
                if let Some(unit_text) = &q.unit {
                    self.check_text(file, unit_text, "unit");
                }
                if let Some(bands) = &q.bands {
                    let mut resolved = Vec::new();
                    for (i, band) in bands.value.iter().enumerate() {
                        let word = format!("band-{}", i + 1);
                        let answer = self.answer(file, unit, id, band, None, Some(&word));
                        resolved.push((
                            band.value
                                .from
                                .as_ref()
                                .map(|f| (f.value, Loc::at(file, f.referenced))),
                            band.value
                                .below
                                .as_ref()
                                .map(|b| (b.value, Loc::at(file, b.referenced))),
                            Loc::at(file, band.referenced),
                            answer.next,
                        ));
                        answers.push(answer);
                    }
                    if range.is_some() {
                        let checked = self.check_bands(
                            file,
                            Loc::at(file, bands.referenced),
                            &resolved,
                            range,
                        );
                        for (answer, (low, high, _)) in answers.iter_mut().zip(checked) {
                            answer.band = Some((low, high));
                        }
                    }
                }
            }
        }
        if let Some(not_sure) = &q.not_sure {
            let mut answer = self.answer(
                file,
                unit,
                id,
                not_sure,
                Some(("not_sure", "I'm not sure")),
                None,
            );
            answer.not_sure = true;
            answers.push(answer);
        }
        QuestionIr {
            text: q.text.value.clone(),
            help: q.help.as_ref().map(|h| h.value.clone()),
            kind,
            answers,
            unit: q.unit.as_ref().map(|u| u.value.clone()),
            range,
        }
    }

    /// Builds one answer. `fixed` is `(id, default label)` for yes/no/none/not_sure;
    /// `band` is the generated id of a number band; otherwise it is an option.
    fn answer(
        &mut self,
        file: usize,
        unit: usize,
        question: &Spanned<String>,
        a: &Spanned<AnswerDoc>,
        fixed: Option<(&str, &str)>,
        band: Option<&str>,
    ) -> AnswerIr {
        let doc = &a.value;
        let loc = Loc::at(file, a.referenced);
        let is_option = fixed.is_none() && band.is_none();
        let not_allowed = |field: &str| {
            format!(
                "`{field}` does not apply here; {}",
                if is_option {
                    "options take `id` and `label` but not `from` or `below`"
                } else if band.is_some() {
                    "number bands take `from` and `below` but not `id` or `label`"
                } else {
                    "this answer's id is fixed; only options have `id` (and number bands `from`/`below`)"
                }
            )
        };
        for (field, present, allowed) in [
            ("id", doc.id.is_some(), is_option),
            ("from", doc.from.is_some(), band.is_some()),
            ("below", doc.below.is_some(), band.is_some()),
        ] {
            if present && !allowed {
                self.error(
                    codes::FIELD_NOT_ALLOWED,
                    loc,
                    not_allowed(field),
                    "remove the field",
                );
            }
        }
        if band.is_some() && doc.label.is_some() {
            self.error(
                codes::FIELD_NOT_ALLOWED,
                loc,
                not_allowed("label"),
                "remove the field",
            );
        }
        let id = match (fixed, band, &doc.id) {
            (Some((word, _)), _, _) => word.to_string(),
            (None, Some(word), _) => word.to_string(),
            (None, None, Some(oid)) => {
                if self.check_id(file, oid, "option")
                    && matches!(oid.value.as_str(), "none" | "not_sure")
                {
                    self.error(
                        codes::BAD_ID,
                        Loc::at(file, oid.referenced),
                        format!(
                            "`{}` is reserved for the question's own `{}` answer",
                            oid.value, oid.value
                        ),
                        format!(
                            "use the question's `{}:` field instead of an option",
                            oid.value
                        ),
                    );
                }
                oid.value.clone()
            }
            (None, None, None) => {
                self.error(
                    codes::MISSING_KEY,
                    loc,
                    "this option has no `id`".into(),
                    "add `id:` (used in answers and case packs), e.g. `id: stiff-neck`",
                );
                String::new()
            }
        };
        let label = match (&doc.label, fixed) {
            (Some(l), _) => {
                self.check_text(file, l, "option label");
                l.value.clone()
            }
            (None, Some((word, english))) => fixed_label(word, english),
            (None, None) => {
                if is_option {
                    self.error(
                        codes::MISSING_KEY,
                        loc,
                        format!("option `{id}` has no `label`"),
                        "add `label:` with the words people will see",
                    );
                }
                TextDoc::Plain(id.clone())
            }
        };
        let next = self.target(file, unit, &doc.next);
        let reason = self.reason(file, doc.reason.as_ref(), doc.reason_code.as_ref(), |v| {
            format!("{}/{}/{}", v.units[unit].id, question.value, id)
        });
        let advice = self.resolve_advice(file, &doc.advice);
        let mut set = Vec::new();
        for (name, value) in &doc.set.0 {
            let vloc = Loc::at(file, name.referenced);
            match self.variable_ids.get(name.value.as_str()).copied() {
                None => self.unknown_variable(vloc, &name.value, "set"),
                Some(v) => {
                    let kind = self.variables[v as usize].kind;
                    match (kind, &value.value) {
                        (VariableKind::Bool, ValueDoc::Bool(b)) => {
                            set.push((v, if *b { 1.0 } else { 0.0 }))
                        }
                        (VariableKind::Number, ValueDoc::Number(n)) if n.is_finite() => {
                            set.push((v, *n))
                        }
                        (VariableKind::Score, _) => self.error(
                            codes::VALUE_TYPE,
                            vloc,
                            format!("`{}` is a score; scores are added to, not set", name.value),
                            format!("write `add: {{ {}: 1 }}`", name.value),
                        ),
                        _ => self.error(
                            codes::VALUE_TYPE,
                            Loc::at(file, value.referenced),
                            format!(
                                "`{}` is {} but is set to {:?}",
                                name.value,
                                kind_name(kind),
                                value.value
                            ),
                            format!("set it to a {} value", kind_name(kind)),
                        ),
                    }
                }
            }
        }
        let mut add = Vec::new();
        for (name, amount) in &doc.add.0 {
            let vloc = Loc::at(file, name.referenced);
            match self.variable_ids.get(name.value.as_str()).copied() {
                None => self.unknown_variable(vloc, &name.value, "add"),
                Some(v) => match self.variables[v as usize].kind {
                    VariableKind::Bool => self.error(
                        codes::VALUE_TYPE,
                        vloc,
                        format!("`{}` is true/false; it cannot be added to", name.value),
                        format!("write `set: {{ {}: true }}`", name.value),
                    ),
                    _ if !amount.value.is_finite() => self.error(
                        codes::VALUE_TYPE,
                        Loc::at(file, amount.referenced),
                        "the amount to add is not a number".into(),
                        "write a number, e.g. `add: { news2: 2 }`",
                    ),
                    _ => add.push((v, amount.value)),
                },
            }
        }
        AnswerIr {
            id,
            label,
            band: None,
            next,
            reason,
            report: doc.report.as_ref().map(|r| r.value.clone()),
            advice,
            set,
            add,
            not_sure: false,
            loc,
        }
    }

    fn unknown_variable(&mut self, loc: Loc, name: &str, verb: &str) {
        let help = did_you_mean(
            name,
            self.variable_ids.keys().map(String::as_str),
            &format!(
                "declare it in the header (`variables: {{ {name}: bool }}` or `scores: [{name}]`) before you {verb} it"
            ),
        );
        self.error(
            codes::UNKNOWN_VARIABLE,
            loc,
            format!("variable or score `{name}` is not declared"),
            help,
        );
    }

    // -- expressions -------------------------------------------------------

    fn check_expressions(&mut self, doc: &BundleDoc) {
        for (unit_idx, source) in unit_sources(doc).enumerate() {
            let (file, nodes) = unit_doc(doc, source);
            let first = self.units[unit_idx].nodes.start as usize;
            for (offset, (_, node)) in nodes.0.iter().enumerate() {
                let NodeDoc::Branch(b) = &node.value else {
                    continue;
                };
                let index = first + offset;
                if self.nodes[index].is_none() {
                    continue;
                }
                if let (Some(cases), Some(_)) = (&b.cases, &b.otherwise) {
                    let mut checked = Vec::with_capacity(cases.value.len());
                    for case in &cases.value {
                        checked.push(self.expression(file, unit_idx, &case.when, Type::Bool));
                    }
                    self.check_case_overlaps(file, &cases.value, &checked);
                    if let Some(NodeIr {
                        kind: NodeKindIr::Branch(BranchIr::Cases { cases, .. }),
                        ..
                    }) = &mut self.nodes[index]
                    {
                        for ((expr, _), checked) in cases.iter_mut().zip(checked) {
                            if let Some(e) = checked {
                                *expr = e;
                            }
                        }
                    }
                } else if let Some(on) = &b.on {
                    let checked = self.expression(file, unit_idx, on, Type::Number);
                    if let Some(e) = &checked {
                        if e.references_answer() {
                            self.error(
                                codes::EXPR_TYPE,
                                Loc::at(file, on.referenced),
                                "`on:` reads an answer, which may not have been given".into(),
                                "route a number answer with the question's own `bands:`; use `on:` for age, age_months, variables and scores",
                            );
                        }
                    }
                    if let (
                        Some(e),
                        Some(NodeIr {
                            kind: NodeKindIr::Branch(BranchIr::Bands { on, .. }),
                            ..
                        }),
                    ) = (checked, &mut self.nodes[index])
                    {
                        *on = e;
                    }
                }
            }
        }
    }

    fn expression(
        &mut self,
        file: usize,
        unit: usize,
        text: &Spanned<String>,
        expected: Type,
    ) -> Option<expr::Expr> {
        let loc = Loc::at(file, text.referenced);
        let result = expr::parse(&text.value).and_then(|parsed| {
            let scope = UnitScope {
                validator: self,
                unit,
            };
            expr::check(&parsed, &scope, expected)
        });
        match result {
            Ok(e) => Some(e),
            Err(e) => {
                let code = match e.kind {
                    ExprErrorKind::Syntax => codes::EXPR_SYNTAX,
                    ExprErrorKind::UnknownName => codes::EXPR_UNKNOWN_NAME,
                    ExprErrorKind::Type => codes::EXPR_TYPE,
                };
                let column = text.value.get(..e.offset).map_or(0, |s| s.chars().count());
                // A quoted scalar's span starts at the quote.
                let chars = text.value.chars().count();
                let quoted = usize::from(text.referenced.len() as usize >= chars + 2);
                let help = e
                    .help
                    .clone()
                    .unwrap_or_else(|| "see \"Expressions\" in docs/pathway-language.md".into());
                self.error(code, loc.shifted(column + quoted), e.message, help);
                None
            }
        }
    }

    fn check_case_overlaps(
        &mut self,
        file: usize,
        cases: &[CaseDoc],
        checked: &[Option<expr::Expr>],
    ) {
        let mut seen: Vec<(usize, expr::NumSubject, expr::Interval)> = Vec::new();
        let mut texts: HashMap<&str, usize> = HashMap::new();
        for (i, (case, e)) in cases.iter().zip(checked).enumerate() {
            if let Some(&earlier) = texts.get(case.when.value.trim()) {
                self.warning(
                    codes::CASE_SHADOWED,
                    Loc::at(file, case.when.referenced),
                    format!(
                        "this case repeats case {} and can never be chosen",
                        earlier + 1
                    ),
                    "remove it, or change its condition",
                );
            } else {
                texts.insert(case.when.value.trim(), i);
            }
            let Some((subject, interval)) = e.as_ref().and_then(expr::Expr::interval) else {
                continue;
            };
            for (j, s, other) in &seen {
                if *s == subject && other.overlaps(&interval) {
                    self.diagnostics.push(
                        Diagnostic::error(
                            codes::CASE_OVERLAP,
                            Loc::at(file, case.when.referenced),
                            format!(
                                "this case overlaps case {} on the same number, so which applies depends on order",
                                j + 1
                            ),
                        )
                        .with_help("make the ranges meet without overlapping, e.g. `age < 5` then `age >= 5` (or use `on:` with `bands:`)")
                        .with_related(Loc::at(file, cases[*j].when.referenced), "the earlier case"),
                    );
                }
            }
            seen.push((i, subject, interval));
        }
        // Gaps: when every case is a range on one number, values between them fall
        // to `otherwise` silently; a band branch says that explicitly.
        if seen.len() == cases.len() && seen.len() > 1 && seen.iter().all(|s| s.1 == seen[0].1) {
            let mut sorted: Vec<&(usize, expr::NumSubject, expr::Interval)> = seen.iter().collect();
            sorted.sort_by(|a, b| a.2.low.total_cmp(&b.2.low));
            for pair in sorted.windows(2) {
                let (a, b) = (&pair[0].2, &pair[1].2);
                let touching = a.high == b.low && (a.high_inclusive || b.low_inclusive);
                if a.high < b.low || (a.high == b.low && !touching) {
                    self.error(
                        codes::BAND_GAP,
                        Loc::at(file, cases[pair[1].0].when.referenced),
                        format!(
                            "values between {} and {} match no case and fall to `otherwise`",
                            a.high, b.low
                        ),
                        "make the ranges meet (e.g. `< 38` then `>= 38`), or use `on:` with `bands:`",
                    );
                }
            }
        }
    }

    // -- graph -------------------------------------------------------------

    fn node(&self, n: NodeIdx) -> Option<&NodeIr> {
        self.nodes.get(n as usize).and_then(Option::as_ref)
    }

    /// Successors in the conservative graph: a call leads both into its
    /// module and to its `next` (reached when the module returns).
    fn successors(&self, n: NodeIdx, out: &mut Vec<NodeIdx>) {
        out.clear();
        let Some(node) = self.node(n) else { return };
        let mut push = |t: &Target| {
            if let Target::Node(t) = t {
                out.push(*t);
            }
        };
        match &node.kind {
            NodeKindIr::Question(q) => q.answers.iter().for_each(|a| push(&a.next)),
            NodeKindIr::Branch(BranchIr::Cases { cases, otherwise }) => {
                cases.iter().for_each(|(_, t)| push(t));
                push(otherwise);
            }
            NodeKindIr::Branch(BranchIr::Bands { bands, .. }) => {
                bands.iter().for_each(|(_, _, t)| push(t))
            }
            NodeKindIr::Outcome(_) => {}
            NodeKindIr::Call { module, next } => {
                push(&Target::Node(self.units[*module as usize].start));
                push(next);
            }
            NodeKindIr::Goto { at, .. } => push(&Target::Node(*at)),
        }
    }

    fn check_graph(&mut self) {
        let count = self.nodes.len();
        let mut indegree = vec![0u32; count];
        let mut succ = Vec::new();
        for n in 0..count {
            self.successors(n as NodeIdx, &mut succ);
            for &s in &succ {
                indegree[s as usize] += 1;
            }
        }
        // Kahn's algorithm: what is left over lies on or behind a cycle.
        let mut order = Vec::with_capacity(count);
        let mut ready: Vec<NodeIdx> = (0..count)
            .filter(|&n| indegree[n] == 0)
            .map(|n| n as NodeIdx)
            .collect();
        while let Some(n) = ready.pop() {
            order.push(n);
            self.successors(n, &mut succ);
            for &s in &succ {
                indegree[s as usize] -= 1;
                if indegree[s as usize] == 0 {
                    ready.push(s);
                }
            }
        }
        if order.len() < count {
            self.report_cycles(&indegree);
            return;
        }
        self.check_reachability();
        self.check_not_sure(&order);
        #[cfg(feature = "authoring")]
        self.check_journey_texts(&order);
    }

    fn describe(&self, n: NodeIdx) -> String {
        match self.node(n) {
            Some(node) => format!("{}/{}", self.units[node.unit as usize].id, node.id),
            None => "?".into(),
        }
    }

    fn report_cycles(&mut self, indegree: &[u32]) {
        // Kahn's algorithm left the nodes on a cycle and those downstream of
        // one. Peel off, repeatedly, nodes with no successor left: what remains
        // is only nodes on cycles, and every one of them has a successor on a
        // cycle, so a walk from any of them must close a loop.
        let count = indegree.len();
        let mut left: Vec<bool> = indegree.iter().map(|&d| d > 0).collect();
        let mut succ = Vec::new();
        loop {
            let mut changed = false;
            for n in 0..count {
                if !left[n] {
                    continue;
                }
                self.successors(n as NodeIdx, &mut succ);
                if !succ.iter().any(|&s| left[s as usize]) {
                    left[n] = false;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let mut reported = vec![false; count];
        for start in 0..count {
            if !left[start] || reported[start] {
                continue;
            }
            let mut path: Vec<NodeIdx> = vec![start as NodeIdx];
            let mut position: HashMap<NodeIdx, usize> = HashMap::from([(start as NodeIdx, 0)]);
            let cycle = loop {
                let Some(&current) = path.last() else {
                    break None;
                };
                self.successors(current, &mut succ);
                let Some(&next) = succ.iter().find(|&&s| left[s as usize]) else {
                    break None;
                };
                if let Some(&at) = position.get(&next) {
                    break Some(path[at..].to_vec());
                }
                position.insert(next, path.len());
                path.push(next);
            };
            let Some(cycle) = cycle else { continue };
            // Mark the walk's lead-in too: it reaches this cycle, which is reported.
            for &n in &path {
                reported[n as usize] = true;
            }
            let names: Vec<String> = cycle.iter().map(|&n| self.describe(n)).collect();
            let first = cycle[0];
            let last = cycle[cycle.len() - 1];
            let (Some(first_node), Some(_)) = (self.node(first), self.node(last)) else {
                continue;
            };
            let loc = self.edge_loc(last, first);
            let related = first_node.loc;
            let help = "every journey must move forward to an outcome; point this `next:` (or module call or jump) somewhere that does not lead back";
            self.error_related(
                codes::CYCLE,
                loc,
                format!(
                    "a journey can loop forever: {} -> {}",
                    names.join(" -> "),
                    names[0]
                ),
                help,
                (related, "the loop comes back here"),
            );
        }
    }

    /// Where the edge from `from` to `to` is written: the answer that leads
    /// there, or the node itself (a call, a jump, a branch).
    fn edge_loc(&self, from: NodeIdx, to: NodeIdx) -> Loc {
        let Some(node) = self.node(from) else {
            return Loc::default();
        };
        if let NodeKindIr::Question(q) = &node.kind {
            if let Some(a) = q.answers.iter().find(|a| a.next == Target::Node(to)) {
                return a.loc;
            }
        }
        node.loc
    }

    fn check_reachability(&mut self) {
        let count = self.nodes.len();
        let mut reached = vec![false; count];
        let mut stack: Vec<NodeIdx> = self
            .units
            .iter()
            .filter(|u| matches!(u.kind, UnitKind::Pathway(_)))
            .map(|u| u.start)
            .collect();
        let mut succ = Vec::new();
        while let Some(n) = stack.pop() {
            if std::mem::replace(&mut reached[n as usize], true) {
                continue;
            }
            self.successors(n, &mut succ);
            stack.extend(succ.iter().copied().filter(|&s| !reached[s as usize]));
        }
        let mut unreached = Vec::new();
        for (u, unit) in self.units.iter().enumerate() {
            let never_called =
                matches!(unit.kind, UnitKind::Module) && !reached[unit.start as usize];
            if never_called {
                unreached.push((u, None));
                continue;
            }
            for n in unit.nodes.clone() {
                if !reached[n as usize] {
                    unreached.push((u, Some(n)));
                }
            }
        }
        for (u, n) in unreached {
            match n {
                None => {
                    let unit = &self.units[u];
                    let message = format!("module `{}` is never called", unit.id);
                    self.warning(
                        codes::UNREACHABLE_NODE,
                        Loc {
                            file: unit.file,
                            line: 1,
                            column: 1,
                        },
                        message,
                        "call it from a pathway with `call: { module: ..., next: ... }`, or remove it",
                    );
                }
                Some(n) => {
                    let Some(node) = self.node(n) else { continue };
                    let (loc, message) =
                        (node.loc, format!("no journey reaches node `{}`", node.id));
                    self.warning(
                        codes::UNREACHABLE_NODE,
                        loc,
                        message,
                        "point a `next:` at it, or remove it",
                    );
                }
            }
        }
    }

    /// Proves no "I'm not sure" answer can lead to self-care, through module
    /// returns and pathway jumps.
    fn check_not_sure(&mut self, topological: &[NodeIdx]) {
        let count = self.nodes.len();
        // inside[n]: a self-care disposition reachable from n without leaving
        // n's module through `return`. returns[n]: n can reach `return`.
        let mut inside: Vec<Option<DispositionIdx>> = vec![None; count];
        let mut returns = vec![false; count];
        let self_care = |v: &Self, d: DispositionIdx| {
            v.dispositions
                .get(d as usize)
                .is_some_and(|d| d.service == ServiceDoc::SelfCare)
        };
        for &n in topological.iter().rev() {
            let Some(node) = self.node(n) else { continue };
            let target = |t: &Target| match t {
                Target::Node(t) => (inside[*t as usize], returns[*t as usize]),
                Target::Return => (None, true),
            };
            let mut found: Option<DispositionIdx> = None;
            let mut can_return = false;
            let mut merge = |(sc, r): (Option<DispositionIdx>, bool)| {
                found = found.or(sc);
                can_return |= r;
            };
            match &node.kind {
                NodeKindIr::Question(q) => q.answers.iter().for_each(|a| merge(target(&a.next))),
                NodeKindIr::Branch(BranchIr::Cases { cases, otherwise }) => {
                    cases.iter().for_each(|(_, t)| merge(target(t)));
                    merge(target(otherwise));
                }
                NodeKindIr::Branch(BranchIr::Bands { bands, .. }) => {
                    bands.iter().for_each(|(_, _, t)| merge(target(t)))
                }
                NodeKindIr::Outcome(o) => {
                    if self_care(self, o.disposition) {
                        found = Some(o.disposition);
                    }
                }
                NodeKindIr::Call { module, next } => {
                    let start = self.units[*module as usize].start as usize;
                    let (after_sc, after_ret) = target(next);
                    found = inside[start].or(if returns[start] { after_sc } else { None });
                    can_return = returns[start] && after_ret;
                }
                NodeKindIr::Goto { at, .. } => found = inside[*at as usize],
            }
            inside[n as usize] = found;
            returns[n as usize] = can_return;
        }
        // A call whose module can never return makes its `next` dead.
        let mut never_return = Vec::new();
        for node in self.nodes.iter().flatten() {
            if let NodeKindIr::Call {
                module,
                next: Target::Node(_),
            } = node.kind
            {
                let start = self.units[module as usize].start as usize;
                if !returns[start] {
                    never_return.push((node.loc, self.units[module as usize].id.clone()));
                }
            }
        }
        for (loc, module) in never_return {
            self.warning(
                codes::MODULE_NEVER_RETURNS,
                loc,
                format!("module `{module}` always ends at an outcome, so this call's `next` is never used"),
                "if that is intended, point `next:` at the module's caller's most urgent outcome; otherwise add `next: return` to the module",
            );
        }
        // after_return[m]: a self-care disposition reachable once module m returns,
        // from any of its call sites. Monotone, so iterate to a fixed point.
        let mut after_return: Vec<Option<DispositionIdx>> = vec![None; self.units.len()];
        let mut changed = true;
        let mut rounds = 0;
        while changed && rounds <= self.units.len() + 1 {
            changed = false;
            rounds += 1;
            for n in 0..count {
                let Some(NodeIr {
                    kind: NodeKindIr::Call { module, next },
                    unit,
                    ..
                }) = self.node(n as NodeIdx)
                else {
                    continue;
                };
                let continues = match next {
                    Target::Node(t) => inside[*t as usize].or(if returns[*t as usize] {
                        after_return[*unit as usize]
                    } else {
                        None
                    }),
                    Target::Return => after_return[*unit as usize],
                };
                if continues.is_some() && after_return[*module as usize].is_none() {
                    after_return[*module as usize] = continues;
                    changed = true;
                }
            }
        }
        let mut problems = Vec::new();
        for node in self.nodes.iter().flatten() {
            let NodeKindIr::Question(q) = &node.kind else {
                continue;
            };
            let Some(answer) = q.not_sure() else { continue };
            let reached = match answer.next {
                Target::Node(t) => inside[t as usize].or(if returns[t as usize] {
                    after_return[node.unit as usize]
                } else {
                    None
                }),
                Target::Return => after_return[node.unit as usize],
            };
            if let Some(d) = reached {
                problems.push((answer.loc, node.id.clone(), d));
            }
        }
        for (loc, id, d) in problems {
            let disposition = &self.dispositions[d as usize].id;
            let message =
                format!("\"I'm not sure\" on `{id}` can lead to self-care (`{disposition}`)");
            self.error(
                codes::NOT_SURE_SELF_CARE,
                loc,
                message,
                "when a person is unsure, route them to a clinician or a more urgent service, never to self-care",
            );
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
fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl Iterator<Item = &'a str>,
    fallback: &str,
) -> String {
    let best = candidates
        .map(|c| (edit_distance(wrong, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min();
    match best {
        Some((_, c)) => format!("did you mean `{c}`? ({fallback})"),
        None => fallback.to_string(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{parse, Sources};

    const DISPOSITIONS: &str = "\
dispositions:
  - { id: call-999, code: Dx011, title: Call 999, service: ambulance, within_minutes: 0, rank: 1 }
  - { id: gp, code: Dx05, title: Speak to a GP, service: gp, within_minutes: 120, rank: 2 }
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
    fn every_problem_is_reported_at_once() {
        let nodes = GOOD_NODES
            .replace("next: gp, add", "next: nowhere, add")
            .replace("disposition: gp,", "disposition: gpp,")
            .replace("advice: [rest]", "advice: [rset]");
        let (_, diagnostics) = check(&[("pathways/cough.yaml", &pathway(&nodes))]);
        assert_eq!(codes_of(&diagnostics), ["E203", "E204", "E205"]);
    }
}
