//! Compilation: lower a validated [`BundleIr`] to the flat, immutable form that
//! evaluation walks.
//!
//! Module calls are expanded by inlining a copy of the module's nodes per call
//! site, so a compiled node knows where `next: return` leads without a call
//! stack at run time. Pathways are compiled once each and shared, so a `goto`
//! is an edge into the other pathway's compiled nodes. Every reference is a
//! small integer; evaluation never hashes or looks up a string.

use crate::ir::{
    AdviceIdx, AdviceIr, Applicability, BranchIr, BundleIr, DispositionIdx, DispositionIr, NodeIdx,
    NodeIr, NodeKindIr, Target, UnitIdx, UnitIr, UnitKind,
};
use crate::load::Sources;
use crate::model::{QuestionKindDoc, SexDoc};
use crate::search::{Field, Index, Indexed};
use crate::topics::TopicIdx;
use crate::vocab::Patient;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt::Write as _;

mod pathways;
mod reach;
mod split;

pub use pathways::{AgesInfo, PathwayInfo, SearchHit, SourceInfo, TopicInfo};
pub use split::{part_file_name, Split, CATALOG_FILE};

/// Most compiled nodes a bundle may expand to (after inlining module calls).
pub const MAX_COMPILED_NODES: usize = 1_000_000;

/// Most answers a multiple-choice question may have (they are kept as bits of a `u64`).
const MAX_MULTIPLE_ANSWERS: usize = 64;

/// Why a validated bundle could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CompileError {
    /// Inlining module calls gives more nodes than the engine accepts.
    #[error("modules expand to more than {limit} nodes (at least {nodes}); call large modules from fewer places")]
    GraphTooLarge {
        /// How many nodes were made before stopping.
        nodes: usize,
        /// The limit.
        limit: usize,
        /// The module (or pathway) with the most compiled copies of its
        /// nodes, how many, and where it is defined.
        #[cfg(feature = "authoring")]
        most_copied: (String, usize, crate::diag::Loc),
    },
    /// The IR breaks a promise the validator makes (a reference out of range, a
    /// cycle, a `return` outside a module). Never produced for validated input.
    #[error("the validated bundle is inconsistent: {message}")]
    MalformedIr {
        /// What is wrong.
        message: String,
    },
}

/// A compiled node: an id into [`CompiledBundle`]'s flat node table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NodeId(pub(crate) u32);

impl NodeId {
    /// The index of the node in the compiled table.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Where a journey is, as ids: the question to ask next, or the outcome node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// The next question.
    Question(NodeId),
    /// The outcome.
    Outcome(NodeId),
}

/// A pathway a person can start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PathwayId(pub(crate) UnitIdx);

/// What a compiled node does, as evaluation dispatches on it: one byte, with
/// the kind of a question folded in so an answer is checked without reading
/// the authored node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[repr(u8)]
pub(crate) enum NodeTag {
    /// A `yes_no` question.
    YesNo,
    /// A `single` question.
    Single,
    /// A `multiple` question.
    Multiple,
    /// A `number` question.
    Number,
    /// An outcome.
    Outcome,
    /// A branch over ordered cases (the last edge is `otherwise`).
    Cases,
    /// A branch over number bands.
    Bands,
    /// A module call or a goto: one edge, always taken.
    Jump,
}

impl NodeTag {
    fn question(kind: QuestionKindDoc) -> NodeTag {
        match kind {
            QuestionKindDoc::YesNo => NodeTag::YesNo,
            QuestionKindDoc::Single => NodeTag::Single,
            QuestionKindDoc::Multiple => NodeTag::Multiple,
            QuestionKindDoc::Number => NodeTag::Number,
        }
    }

    /// The kind of question, if the node is one.
    #[inline]
    pub(crate) fn question_kind(self) -> Option<QuestionKindDoc> {
        match self {
            NodeTag::YesNo => Some(QuestionKindDoc::YesNo),
            NodeTag::Single => Some(QuestionKindDoc::Single),
            NodeTag::Multiple => Some(QuestionKindDoc::Multiple),
            NodeTag::Number => Some(QuestionKindDoc::Number),
            _ => None,
        }
    }

    /// Whether a walk stops here: a question to ask, or the outcome.
    #[inline]
    pub(crate) fn stops(self) -> bool {
        (self as u8) <= (NodeTag::Outcome as u8)
    }
}

/// No answer: the value of [`Node::not_sure`] when a question offers none.
pub(crate) const NO_ANSWER: u16 = u16::MAX;

/// One compiled node: everything the walk needs for a step, in one small
/// record. What it shows (texts) and its conditions are read from its
/// authored node; where each of its answers, cases or bands leads is
/// `edges[first_edge + i]` for `i < edge_count`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct Node {
    /// The authored node this is a copy of.
    pub(crate) ir: NodeIdx,
    /// Index of this node's first edge in [`CompiledBundle::edges`].
    pub(crate) first_edge: u32,
    /// How many edges it has: one per answer, case (and `otherwise`) or band.
    pub(crate) edge_count: u16,
    /// The unit the authored node belongs to (for public ids).
    pub(crate) unit: UnitIdx,
    /// What it does.
    pub(crate) tag: NodeTag,
    /// Whether any answer sets or adds to a variable.
    pub(crate) effects: bool,
    /// Questions: index of the "I'm not sure" answer, or [`NO_ANSWER`].
    pub(crate) not_sure: u16,
    /// Multiple-choice questions: bits of the answers that must be chosen
    /// alone (`none`, `not_sure`).
    pub(crate) exclusive: u64,
}

impl Node {
    /// The compiled record of authored node `ir` (its edges are set later).
    pub(crate) fn of(ir: NodeIdx, node: &NodeIr) -> Node {
        let mut compiled = Node {
            ir,
            first_edge: 0,
            edge_count: u16::try_from(edge_count(node)).unwrap_or(u16::MAX),
            unit: node.unit,
            tag: NodeTag::Jump,
            effects: false,
            not_sure: NO_ANSWER,
            exclusive: 0,
        };
        compiled.tag = match &node.kind {
            NodeKindIr::Question(question) => {
                compiled.effects = question
                    .answers
                    .iter()
                    .any(|a| !a.set.is_empty() || !a.add.is_empty());
                compiled.not_sure = question
                    .answers
                    .iter()
                    .position(|a| a.not_sure)
                    .and_then(|i| u16::try_from(i).ok())
                    .unwrap_or(NO_ANSWER);
                compiled.exclusive = question.exclusive_answers();
                NodeTag::question(question.kind)
            }
            NodeKindIr::Branch(BranchIr::Cases { .. }) => NodeTag::Cases,
            NodeKindIr::Branch(BranchIr::Bands { .. }) => NodeTag::Bands,
            NodeKindIr::Outcome(_) => NodeTag::Outcome,
            NodeKindIr::Call { .. } | NodeKindIr::Goto { .. } => NodeTag::Jump,
        };
        compiled
    }

    /// The index of edge `index` in [`CompiledBundle::edges`], if the node has it.
    #[inline]
    fn edge_index(&self, index: usize) -> Option<usize> {
        (index < usize::from(self.edge_count)).then(|| self.first_edge as usize + index)
    }
}

/// How a journey on a pathway starts: its first compiled node, and who it
/// is for (copied from its [`Applicability`] so starting reads one record).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// The compiled start node.
    pub(crate) start: NodeId,
    /// Youngest age in years, inclusive.
    from_years: f64,
    /// Age in years at which it stops applying, exclusive.
    to_years: f64,
    /// Bit [`sex_bit`] set for each sex it is for.
    sexes: u8,
}

impl Entry {
    fn new(start: NodeId, applicability: &Applicability) -> Entry {
        Entry {
            start,
            from_years: applicability.from_years,
            to_years: applicability.to_years,
            sexes: applicability
                .sexes
                .iter()
                .fold(0, |bits, sex| bits | sex_bit(*sex)),
        }
    }

    /// Whether the pathway is for this person (age in range, sex listed).
    #[inline]
    pub(crate) fn admits(&self, patient: &Patient) -> bool {
        let age = patient.age_in_years();
        self.from_years <= age && age < self.to_years && self.sexes & sex_bit(patient.sex) != 0
    }
}

fn sex_bit(sex: SexDoc) -> u8 {
    match sex {
        SexDoc::Female => 1,
        SexDoc::Male => 2,
    }
}

/// What a compiled bundle holds: all of it, or one piece of it split for a
/// page that downloads only what a person needs (see [`Split`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BundleKind {
    /// Every pathway, ready to run.
    Whole,
    /// The pathway list and the symptom search, with no questions: a
    /// journey cannot start on it (`pathway_not_loaded`) until the part of
    /// its pathway is loaded.
    Catalog,
    /// The questions of one pathway and of everything a journey on it can
    /// reach (the modules it calls and the pathways it jumps to), with the
    /// content hash of the whole bundle; no symptom search.
    Part,
}

impl BundleKind {
    /// `whole`, `catalog` or `part`.
    pub fn name(self) -> &'static str {
        match self {
            BundleKind::Whole => "whole",
            BundleKind::Catalog => "catalog",
            BundleKind::Part => "part",
        }
    }
}

/// A bundle ready to evaluate: immutable, `Send + Sync`, shared by any number of
/// sessions (put it behind an `Arc` rather than cloning it).
#[derive(Debug, Clone)]
pub struct CompiledBundle {
    /// Whether it is the whole bundle, its catalog or one of its parts.
    pub(crate) kind: BundleKind,
    /// The content hash, lowercase hex (of the whole bundle, for a catalog
    /// or a part too).
    pub(crate) hash: String,
    /// Source paths, indexed like [`Sources::files`] (and [`crate::diag::Loc::file`]).
    #[cfg_attr(not(feature = "authoring"), allow(dead_code))]
    pub(crate) files: Vec<String>,
    pub(crate) dispositions: Vec<DispositionIr>,
    pub(crate) advice: Vec<AdviceIr>,
    pub(crate) units: Vec<UnitIr>,
    /// The authored nodes, indexed by [`NodeIdx`]; their targets are not used (see `edges`).
    pub(crate) ir_nodes: Vec<NodeIr>,
    /// Compiled nodes, indexed by [`NodeId`].
    pub(crate) nodes: Vec<Node>,
    /// Where each node's answers, cases, bands (or its one jump) lead.
    pub(crate) edges: Vec<NodeId>,
    /// Per unit: where a pathway starts and who it is for (`None` for modules).
    pub(crate) pathway_starts: Vec<Option<Entry>>,
    /// Where a journey for each topic a pathway serves starts, sorted.
    pub(crate) topic_starts: Vec<(UnitIdx, TopicIdx, NodeId)>,
    /// Per unit: the dispositions reachable from a pathway's start, most urgent first.
    pub(crate) reachable: Vec<Vec<DispositionIdx>>,
    /// Pathway ids sorted, for lookup by binary search.
    pub(crate) pathway_lookup: Vec<(String, UnitIdx)>,
    /// The symptom search index; its documents are the pathways in `search_units` order.
    pub(crate) search: Index,
    /// The unit of each search document.
    pub(crate) search_units: Vec<UnitIdx>,
    /// The catch-all pathways, offered at the end of every search (made
    /// from `units`, never read from an artifact).
    pub(crate) fallbacks: Vec<UnitIdx>,
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<CompiledBundle>();
};

/// `a.cmp(b)` for the short ids a journey names, eight bytes at a time and
/// inline: a call to `memcmp` costs more than the comparison at these lengths.
#[inline]
fn compare_ids(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let whole = a.len().min(b.len()) / 8 * 8;
    let (a_words, a_rest) = a.split_at(whole);
    let (b_words, b_rest) = b.split_at(whole);
    let word = |chunk: &[u8]| u64::from_be_bytes(chunk.try_into().unwrap_or([0; 8]));
    for (x, y) in a_words.chunks_exact(8).zip(b_words.chunks_exact(8)) {
        let (x, y) = (word(x), word(y));
        if x != y {
            return x.cmp(&y);
        }
    }
    a_rest.iter().cmp(b_rest.iter())
}

#[cfg(test)]
#[test]
fn ids_compare_as_strings_do() {
    let ids = [
        "",
        "a",
        "ab",
        "abcdefg",
        "abcdefgh",
        "abcdefgha",
        "abcdefghb",
        "abcdefgi",
        "chest-pain",
        "chest-pain-child",
        "chest",
        "cough",
        "b",
        "abcdefgh-abcdefgh",
        "abcdefgh-abcdefgi",
        "z",
    ];
    for a in ids {
        for b in ids {
            assert_eq!(compare_ids(a, b), a.cmp(b), "{a:?} against {b:?}");
        }
    }
}

/// Counts of what a bundle holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BundleStats {
    /// Pathways.
    pub pathways: usize,
    /// Modules.
    pub modules: usize,
    /// Authored nodes (before module calls are inlined).
    pub nodes: usize,
    /// Dispositions in the catalogue.
    pub dispositions: usize,
}

/// Compiles a validated bundle. `sources` are the files it was built from; they
/// give the content hash and the file names used in coverage reports.
#[doc(hidden)] // Reached through `crate::build`; the IR it takes is internal.
pub fn compile(ir: &BundleIr, sources: &Sources) -> Result<CompiledBundle, CompileError> {
    check_ir(ir)?;
    let mut compiler = Compiler::new(ir);
    let mut pathway_starts = vec![None; ir.units.len()];
    let mut topic_starts = Vec::new();
    for (unit_index, unit) in ir.units.iter().enumerate() {
        if let UnitKind::Pathway(applicability) = &unit.kind {
            let unit_idx = unit_idx(unit_index)?;
            let instance = compiler.pathway_instance(unit_idx);
            let start = compiler.resolve(instance, Target::Node(unit.start))?;
            if let Some(slot) = pathway_starts.get_mut(unit_index) {
                *slot = Some(Entry::new(start, applicability));
            }
            for claim in &applicability.topics {
                let start = match claim.start {
                    Some(node) => compiler.resolve(instance, Target::Node(node))?,
                    None => start,
                };
                // Kept sorted for lookup by binary search.
                let entry = (unit_idx, claim.topic, start);
                let at = topic_starts.partition_point(|e| *e < entry);
                topic_starts.insert(at, entry);
            }
        }
    }
    compiler.run()?;
    let Compiler { nodes, edges, .. } = compiler;
    check_acyclic(&ir.nodes, &nodes, &edges)?;

    let mut bundle = CompiledBundle {
        kind: BundleKind::Whole,
        hash: content_hash(sources),
        files: sources.files.iter().map(|f| f.path.clone()).collect(),
        dispositions: ir.dispositions.clone(),
        advice: ir.advice.clone(),
        units: ir.units.clone(),
        ir_nodes: ir.nodes.clone(),
        nodes,
        edges,
        pathway_starts,
        topic_starts,
        reachable: Vec::new(),
        pathway_lookup: Vec::new(),
        search: Index::build(&[], &[]),
        search_units: Vec::new(),
        fallbacks: Vec::new(),
    };
    let (search, search_units) = search_index(ir)?;
    bundle.search = search;
    bundle.search_units = search_units;
    bundle.fallbacks = fallbacks(&bundle.units);
    bundle.reachable = reach::reachable_dispositions(&bundle);
    let mut lookup: Vec<(String, UnitIdx)> = Vec::new();
    for (index, unit) in bundle.units.iter().enumerate() {
        if matches!(unit.kind, UnitKind::Pathway(_)) {
            lookup.push((unit.id.clone(), unit_idx(index)?));
        }
    }
    lookup.sort();
    bundle.pathway_lookup = lookup;
    Ok(bundle)
}

/// The search index of every pathway: its title, topics, keywords and summary
/// (English), with the bundle's synonyms.
fn search_index(ir: &BundleIr) -> Result<(Index, Vec<UnitIdx>), CompileError> {
    let mut units = Vec::new();
    let mut documents = Vec::new();
    for (index, unit) in ir.units.iter().enumerate() {
        let UnitKind::Pathway(applicability) = &unit.kind else {
            continue;
        };
        let mut fields = vec![(Field::Title, unit.title.english())];
        fields.extend(
            applicability
                .topics
                .iter()
                .filter_map(|claim| crate::topics::get(claim.topic))
                .map(|topic| (Field::Topic, topic.title.as_str())),
        );
        fields.extend(
            applicability
                .keywords
                .iter()
                .map(|k| (Field::Keyword, k.as_str())),
        );
        fields.extend(unit.summary.iter().map(|s| (Field::Summary, s.english())));
        units.push(unit_idx(index)?);
        documents.push(Indexed { fields });
    }
    Ok((Index::build(&documents, &ir.synonyms), units))
}

/// The catch-all pathways (`fallback: true`), in unit order.
pub(crate) fn fallbacks(units: &[UnitIr]) -> Vec<UnitIdx> {
    units
        .iter()
        .enumerate()
        .filter(|(_, unit)| matches!(&unit.kind, UnitKind::Pathway(a) if a.fallback))
        .filter_map(|(index, _)| UnitIdx::try_from(index).ok())
        .collect()
}

fn malformed(message: impl Into<String>) -> CompileError {
    CompileError::MalformedIr {
        message: message.into(),
    }
}

fn unit_idx(index: usize) -> Result<UnitIdx, CompileError> {
    UnitIdx::try_from(index).map_err(|_| malformed("too many units"))
}

/// [`content_digest`] as lowercase hex.
fn content_hash(sources: &Sources) -> String {
    hex(&content_digest(sources))
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// SHA-256 over every file's path and text, sorted by path, each length-prefixed
/// so that no two different bundles hash the same bytes.
fn content_digest(sources: &Sources) -> [u8; 32] {
    let mut files: Vec<_> = sources.files.iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path).then_with(|| a.text.cmp(&b.text)));
    let mut hasher = Sha256::new();
    hasher.update((files.len() as u64).to_le_bytes());
    for file in files {
        hasher.update((file.path.len() as u64).to_le_bytes());
        hasher.update(file.path.as_bytes());
        hasher.update((file.text.len() as u64).to_le_bytes());
        hasher.update(file.text.as_bytes());
    }
    hasher.finalize().into()
}

/// Checks every index the evaluator will follow, so that evaluation can trust them.
fn check_ir(ir: &BundleIr) -> Result<(), CompileError> {
    let node_count = ir.nodes.len();
    let in_unit = |target: &Target, unit: UnitIdx| match target {
        Target::Node(n) => ir
            .nodes
            .get(*n as usize)
            .is_some_and(|node| node.unit == unit),
        Target::Return => true,
    };
    for (index, unit) in ir.units.iter().enumerate() {
        let start_ok = ir
            .nodes
            .get(unit.start as usize)
            .is_some_and(|n| usize::from(n.unit) == index);
        if !start_ok {
            return Err(malformed(format!("unit {} starts outside itself", unit.id)));
        }
    }
    for node in &ir.nodes {
        let where_ = || format!("node {} of unit {}", node.id, node.unit);
        let unit = ir
            .units
            .get(usize::from(node.unit))
            .ok_or_else(|| malformed(format!("{} has no unit", where_())))?;
        let is_module = matches!(unit.kind, UnitKind::Module);
        let target_ok = |target: &Target| {
            in_unit(target, node.unit) && (is_module || *target != Target::Return)
        };
        let advice_ok =
            |advice: &[AdviceIdx]| advice.iter().all(|a| usize::from(*a) < ir.advice.len());
        let ok = match &node.kind {
            NodeKindIr::Question(question) => {
                let multiple_ok = question.kind != crate::model::QuestionKindDoc::Multiple
                    || question.answers.len() <= MAX_MULTIPLE_ANSWERS;
                multiple_ok
                    && question.answers.len() <= usize::from(u16::MAX)
                    && question.answers.iter().all(|answer| {
                        target_ok(&answer.next)
                            && advice_ok(&answer.advice)
                            && answer
                                .set
                                .iter()
                                .chain(&answer.add)
                                .all(|(v, _)| usize::from(*v) < ir.variables.len())
                    })
            }
            NodeKindIr::Branch(BranchIr::Cases {
                cases, otherwise, ..
            }) => {
                cases.len() < usize::from(u16::MAX)
                    && cases.iter().all(|(_, t)| target_ok(t))
                    && target_ok(otherwise)
            }
            NodeKindIr::Branch(BranchIr::Bands { bands, .. }) => {
                !bands.is_empty()
                    && bands.len() <= usize::from(u16::MAX)
                    && bands.iter().all(|(_, _, t)| target_ok(t))
            }
            NodeKindIr::Outcome(outcome) => {
                usize::from(outcome.disposition) < ir.dispositions.len()
                    && advice_ok(&outcome.advice)
            }
            NodeKindIr::Call { module, next } => {
                target_ok(next)
                    && ir
                        .units
                        .get(usize::from(*module))
                        .is_some_and(|u| matches!(u.kind, UnitKind::Module))
            }
            NodeKindIr::Goto { pathway, at } => {
                ir.units
                    .get(usize::from(*pathway))
                    .is_some_and(|u| matches!(u.kind, UnitKind::Pathway(_)))
                    && in_unit(&Target::Node(*at), *pathway)
            }
        };
        if !ok {
            return Err(malformed(format!(
                "{} refers to something that does not exist ({node_count} nodes)",
                where_()
            )));
        }
    }
    for disposition in &ir.dispositions {
        if disposition
            .advice
            .iter()
            .any(|a| usize::from(*a) >= ir.advice.len())
        {
            return Err(malformed(format!(
                "disposition {} names unknown advice",
                disposition.id
            )));
        }
    }
    Ok(())
}

/// One expansion of a unit's nodes: a pathway (once), or a module (once per call site).
struct Instance {
    /// Where `next: return` goes: the calling instance and the call's `next`.
    return_to: Option<(u32, Target)>,
}

struct Compiler<'ir> {
    ir: &'ir BundleIr,
    instances: Vec<Instance>,
    /// Per unit: its shared pathway instance, once made.
    pathway_instances: Vec<Option<u32>>,
    /// (instance, authored node) -> compiled node.
    made: HashMap<(u32, NodeIdx), NodeId>,
    nodes: Vec<Node>,
    /// Per compiled node, the instance it belongs to (compile time only).
    node_instances: Vec<u32>,
    edges: Vec<NodeId>,
    /// Compiled nodes whose edges are still to be made.
    pending: Vec<NodeId>,
}

impl<'ir> Compiler<'ir> {
    fn new(ir: &'ir BundleIr) -> Compiler<'ir> {
        Compiler {
            ir,
            instances: Vec::new(),
            pathway_instances: vec![None; ir.units.len()],
            made: HashMap::new(),
            nodes: Vec::new(),
            node_instances: Vec::new(),
            edges: Vec::new(),
            pending: Vec::new(),
        }
    }

    fn new_instance(&mut self, return_to: Option<(u32, Target)>) -> u32 {
        let id = u32::try_from(self.instances.len()).unwrap_or(u32::MAX);
        self.instances.push(Instance { return_to });
        id
    }

    fn pathway_instance(&mut self, unit: UnitIdx) -> u32 {
        if let Some(Some(instance)) = self.pathway_instances.get(usize::from(unit)) {
            return *instance;
        }
        let instance = self.new_instance(None);
        if let Some(slot) = self.pathway_instances.get_mut(usize::from(unit)) {
            *slot = Some(instance);
        }
        instance
    }

    /// The compiled node a target leads to within `instance`, making it if needed.
    fn resolve(&mut self, instance: u32, target: Target) -> Result<NodeId, CompileError> {
        let (mut instance, mut target) = (instance, target);
        loop {
            match target {
                Target::Return => {
                    // Each step moves to an older instance, so this ends.
                    let (caller, next) = self
                        .instances
                        .get(instance as usize)
                        .and_then(|i| i.return_to)
                        .ok_or_else(|| malformed("`return` outside a module"))?;
                    instance = caller;
                    target = next;
                }
                Target::Node(authored) => {
                    if let Some(id) = self.made.get(&(instance, authored)) {
                        return Ok(*id);
                    }
                    let ir_node = self
                        .ir
                        .nodes
                        .get(authored as usize)
                        .ok_or_else(|| malformed("a target node does not exist"))?;
                    if self.nodes.len() >= MAX_COMPILED_NODES {
                        return Err(self.too_large());
                    }
                    let id = NodeId(u32::try_from(self.nodes.len()).unwrap_or(u32::MAX));
                    self.nodes.push(Node::of(authored, ir_node));
                    self.node_instances.push(instance);
                    self.made.insert((instance, authored), id);
                    self.pending.push(id);
                    return Ok(id);
                }
            }
        }
    }

    /// The error for a graph past [`MAX_COMPILED_NODES`], naming the unit
    /// copied most, so the author knows which calls to cut.
    fn too_large(&self) -> CompileError {
        CompileError::GraphTooLarge {
            nodes: self.nodes.len() + 1,
            limit: MAX_COMPILED_NODES,
            #[cfg(feature = "authoring")]
            most_copied: self.most_copied(),
        }
    }

    /// The unit with the most compiled copies of its nodes, how many, and where.
    #[cfg(feature = "authoring")]
    fn most_copied(&self) -> (String, usize, crate::diag::Loc) {
        let mut copies = vec![0usize; self.ir.units.len()];
        for node in &self.nodes {
            if let Some(count) = copies.get_mut(usize::from(node.unit)) {
                *count += 1;
            }
        }
        let (most, count) = copies
            .iter()
            .enumerate()
            .max_by_key(|(_, c)| **c)
            .map_or((0, 0), |(u, c)| (u, *c));
        let unit = self.ir.units.get(most);
        let loc = unit
            .and_then(|u| self.ir.nodes.get(u.start as usize))
            .map_or(crate::diag::Loc::file(usize::MAX), |n| n.loc);
        (unit.map_or_else(String::new, |u| u.id.clone()), count, loc)
    }

    /// Makes the edges of every pending node (and so every node they reach).
    fn run(&mut self) -> Result<(), CompileError> {
        let mut targets = Vec::new();
        while let Some(id) = self.pending.pop() {
            let (authored, instance) = match (
                self.nodes.get(id.index()),
                self.node_instances.get(id.index()),
            ) {
                (Some(node), Some(instance)) => (node.ir, *instance),
                _ => return Err(malformed("lost a compiled node")),
            };
            let ir = self.ir;
            let node = ir
                .nodes
                .get(authored as usize)
                .ok_or_else(|| malformed("a node does not exist"))?;
            targets.clear();
            match &node.kind {
                NodeKindIr::Question(question) => {
                    for answer in &question.answers {
                        targets.push(self.resolve(instance, answer.next)?);
                    }
                }
                NodeKindIr::Branch(BranchIr::Cases {
                    cases, otherwise, ..
                }) => {
                    for (_, target) in cases {
                        targets.push(self.resolve(instance, *target)?);
                    }
                    targets.push(self.resolve(instance, *otherwise)?);
                }
                NodeKindIr::Branch(BranchIr::Bands { bands, .. }) => {
                    for (_, _, target) in bands {
                        targets.push(self.resolve(instance, *target)?);
                    }
                }
                NodeKindIr::Outcome(_) => {}
                NodeKindIr::Call { module, next } => {
                    let start = ir
                        .units
                        .get(usize::from(*module))
                        .map(|u| u.start)
                        .ok_or_else(|| malformed("a called module does not exist"))?;
                    let copy = self.new_instance(Some((instance, *next)));
                    targets.push(self.resolve(copy, Target::Node(start))?);
                }
                NodeKindIr::Goto { pathway, at } => {
                    let shared = self.pathway_instance(*pathway);
                    targets.push(self.resolve(shared, Target::Node(*at))?);
                }
            }
            let first_edge =
                u32::try_from(self.edges.len()).map_err(|_| malformed("too many edges"))?;
            self.edges.extend_from_slice(&targets);
            if let Some(node) = self.nodes.get_mut(id.index()) {
                node.first_edge = first_edge;
            }
        }
        Ok(())
    }
}

/// The number of edges a compiled copy of `node` has.
pub(crate) fn edge_count(node: &NodeIr) -> usize {
    match &node.kind {
        NodeKindIr::Question(question) => question.answers.len(),
        NodeKindIr::Branch(BranchIr::Cases { cases, .. }) => cases.len() + 1,
        NodeKindIr::Branch(BranchIr::Bands { bands, .. }) => bands.len(),
        NodeKindIr::Outcome(_) => 0,
        NodeKindIr::Call { .. } | NodeKindIr::Goto { .. } => 1,
    }
}

fn node_edges<'a>(nodes: &[Node], edges: &'a [NodeId], id: NodeId) -> &'a [NodeId] {
    let Some(node) = nodes.get(id.index()) else {
        return &[];
    };
    let first = node.first_edge as usize;
    edges
        .get(first..first + usize::from(node.edge_count))
        .unwrap_or(&[])
}

/// Proves the compiled graph has no cycle, so evaluation always ends.
pub(crate) fn check_acyclic(
    ir_nodes: &[NodeIr],
    nodes: &[Node],
    edges: &[NodeId],
) -> Result<(), CompileError> {
    const NEW: u8 = 0;
    const OPEN: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; nodes.len()];
    let mut stack: Vec<(NodeId, usize)> = Vec::new();
    for root in 0..nodes.len() {
        if state.get(root) != Some(&NEW) {
            continue;
        }
        let root = NodeId(u32::try_from(root).unwrap_or(u32::MAX));
        stack.push((root, 0));
        if let Some(s) = state.get_mut(root.index()) {
            *s = OPEN;
        }
        while let Some((id, next_child)) = stack.last().copied() {
            let children = node_edges(nodes, edges, id);
            if let Some(child) = children.get(next_child).copied() {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                match state.get(child.index()).copied() {
                    Some(NEW) => {
                        if let Some(s) = state.get_mut(child.index()) {
                            *s = OPEN;
                        }
                        stack.push((child, 0));
                    }
                    Some(OPEN) => {
                        let at = nodes
                            .get(child.index())
                            .and_then(|n| ir_nodes.get(n.ir as usize))
                            .map_or_else(String::new, |n| n.id.clone());
                        return Err(malformed(format!("a journey loops back to node {at}")));
                    }
                    _ => {}
                }
            } else {
                if let Some(s) = state.get_mut(id.index()) {
                    *s = DONE;
                }
                stack.pop();
            }
        }
    }
    Ok(())
}

impl CompiledBundle {
    /// The content hash: SHA-256 of the source files, lowercase hex.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// Whether this is the whole bundle, its catalog or one of its parts.
    pub fn kind(&self) -> BundleKind {
        self.kind
    }

    /// Whether journeys on `pathway` can start here: false in a catalog
    /// (load the pathway's part) and for a pathway this bundle does not have.
    pub fn can_start(&self, pathway: &str) -> bool {
        self.kind != BundleKind::Catalog && self.pathway_index(pathway).is_some()
    }

    /// The id of the disposition a journey ended at, for a [`Position`] from
    /// [`crate::eval::evaluate_ids`] or [`crate::eval::evaluate_position`];
    /// `None` while a question is still to be answered.
    pub fn outcome_disposition(&self, position: Position) -> Option<&str> {
        let Position::Outcome(node) = position else {
            return None;
        };
        match self.ir_node(node).map(|n| &n.kind) {
            Some(NodeKindIr::Outcome(outcome)) => self
                .disposition_ir(outcome.disposition)
                .map(|d| d.id.as_str()),
            _ => None,
        }
    }

    /// The pathway with this id.
    pub fn pathway_index(&self, id: &str) -> Option<PathwayId> {
        self.pathway_lookup
            .binary_search_by(|(key, _)| compare_ids(key, id))
            .ok()
            .and_then(|i| self.pathway_lookup.get(i))
            .map(|(_, unit)| PathwayId(*unit))
    }

    /// The id of a pathway.
    pub fn pathway_id(&self, pathway: PathwayId) -> &str {
        self.units
            .get(usize::from(pathway.0))
            .map_or("", |u| u.id.as_str())
    }

    /// Whether a pathway is for this person (age in range, sex listed).
    pub fn applicable(&self, pathway: PathwayId, patient: &Patient) -> bool {
        self.entry(pathway)
            .is_some_and(|entry| entry.admits(patient))
    }

    /// Counts of pathways, modules, authored nodes and dispositions.
    pub fn stats(&self) -> BundleStats {
        let pathways = self
            .units
            .iter()
            .filter(|u| matches!(u.kind, UnitKind::Pathway(_)))
            .count();
        BundleStats {
            pathways,
            modules: self.units.len() - pathways,
            nodes: self.ir_nodes.len(),
            dispositions: self.dispositions.len(),
        }
    }

    /// Whether the bundle has a pathway or module with this id.
    #[cfg(feature = "authoring")]
    pub fn has_unit(&self, id: &str) -> bool {
        self.units.iter().any(|u| u.id == id)
    }

    /// How many compiled nodes the bundle expanded to.
    pub fn compiled_nodes(&self) -> usize {
        self.nodes.len()
    }

    // ---- crate-internal accessors used by evaluation and coverage ----

    pub(crate) fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id.index())
    }

    pub(crate) fn ir_node(&self, id: NodeId) -> Option<&NodeIr> {
        self.node(id).and_then(|n| self.ir_nodes.get(n.ir as usize))
    }

    pub(crate) fn edges_of(&self, id: NodeId) -> &[NodeId] {
        node_edges(&self.nodes, &self.edges, id)
    }

    /// Where edge `index` of `node` leads.
    #[inline]
    pub(crate) fn edge_of(&self, node: &Node, index: usize) -> Option<NodeId> {
        node.edge_index(index)
            .and_then(|i| self.edges.get(i))
            .copied()
    }

    /// The authored node of a compiled one.
    #[inline]
    pub(crate) fn ir_of(&self, node: &Node) -> Option<&NodeIr> {
        self.ir_nodes.get(node.ir as usize)
    }

    /// Where a journey on `pathway` for `topic` (an id or title from
    /// [`crate::topics`]) starts; `None` if the pathway does not serve it.
    pub(crate) fn topic_start(&self, pathway: PathwayId, topic: &str) -> Option<NodeId> {
        let topic = crate::topics::find(topic)?;
        self.topic_starts
            .binary_search_by(|(unit, t, _)| (*unit, *t).cmp(&(pathway.0, topic)))
            .ok()
            .and_then(|i| self.topic_starts.get(i))
            .map(|(_, _, start)| *start)
    }

    /// Where a pathway starts and who it is for; `None` for a module.
    #[inline]
    pub(crate) fn entry(&self, pathway: PathwayId) -> Option<&Entry> {
        self.pathway_starts
            .get(usize::from(pathway.0))
            .and_then(Option::as_ref)
    }

    pub(crate) fn unit(&self, unit: UnitIdx) -> Option<&UnitIr> {
        self.units.get(usize::from(unit))
    }

    pub(crate) fn unit_id(&self, unit: UnitIdx) -> &str {
        self.unit(unit).map_or("", |u| u.id.as_str())
    }

    /// The public question id of a node as seen from the pathway `started`:
    /// `node` for its own nodes, `unit/node` otherwise. For views and errors only.
    pub(crate) fn public_id(&self, started: UnitIdx, id: NodeId) -> String {
        let Some((unit, node)) = self.public_id_parts(started, id) else {
            return String::new();
        };
        let mut public = String::with_capacity(unit.map_or(0, |u| u.len() + 1) + node.len());
        if let Some(unit) = unit {
            public.push_str(unit);
            public.push('/');
        }
        public.push_str(node);
        public
    }

    /// The unit prefix (for nodes of other units) and node id of a public id.
    pub(crate) fn public_id_parts(
        &self,
        started: UnitIdx,
        id: NodeId,
    ) -> Option<(Option<&str>, &str)> {
        let node = self.node(id)?;
        let ir = self.ir_of(node)?;
        let unit = (node.unit != started).then(|| self.unit_id(node.unit));
        Some((unit, ir.id.as_str()))
    }

    /// Whether `question` is the public id of node `id` as seen from `started`,
    /// without allocating.
    pub(crate) fn is_public_id(&self, started: UnitIdx, id: NodeId, question: &str) -> bool {
        let (Some(node), Some(ir)) = (self.node(id), self.ir_node(id)) else {
            return false;
        };
        if node.unit == started {
            question == ir.id
        } else {
            question
                .split_once('/')
                .is_some_and(|(unit, node_id)| unit == self.unit_id(node.unit) && node_id == ir.id)
        }
    }

    pub(crate) fn disposition_ir(&self, index: DispositionIdx) -> Option<&DispositionIr> {
        self.dispositions.get(usize::from(index))
    }

    pub(crate) fn advice_ir(&self, index: AdviceIdx) -> Option<&AdviceIr> {
        self.advice.get(usize::from(index))
    }

    #[cfg(feature = "authoring")]
    pub(crate) fn file_path(&self, file: usize) -> &str {
        self.files.get(file).map_or("?", |f| f.as_str())
    }

    #[cfg(feature = "authoring")]
    pub(crate) fn reachable_from(&self, unit: UnitIdx) -> &[DispositionIdx] {
        self.reachable
            .get(usize::from(unit))
            .map_or(&[], |v| v.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::content_hash;
    use crate::load::{SourceFile, Sources};

    fn sources(files: &[(&str, &str)]) -> Sources {
        Sources {
            files: files
                .iter()
                .map(|(path, text)| SourceFile {
                    path: path.to_string(),
                    text: text.to_string(),
                })
                .collect(),
            ..Sources::default()
        }
    }

    #[test]
    fn moving_bytes_between_a_path_and_its_text_changes_the_hash() {
        assert_ne!(
            content_hash(&sources(&[("ab", "c")])),
            content_hash(&sources(&[("a", "bc")]))
        );
        assert_ne!(
            content_hash(&sources(&[("a", "b"), ("c", "d")])),
            content_hash(&sources(&[("a", "bcd")]))
        );
    }

    #[test]
    fn the_hash_ignores_file_order() {
        assert_eq!(
            content_hash(&sources(&[("a", "1"), ("b", "2")])),
            content_hash(&sources(&[("b", "2"), ("a", "1")]))
        );
    }

    #[test]
    fn the_hash_is_sha256_of_the_length_prefixed_files() {
        use sha2::{Digest, Sha256};
        let mut expected = Sha256::new();
        expected.update(1u64.to_le_bytes());
        expected.update(1u64.to_le_bytes());
        expected.update(b"a");
        expected.update(2u64.to_le_bytes());
        expected.update(b"xy");
        let hex: String = expected
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(content_hash(&sources(&[("a", "xy")])), hex);
    }
}
