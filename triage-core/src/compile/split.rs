//! Splitting a bundle for pages that download only what a person needs: a
//! catalog (the pathway list and the symptom search, no questions) and one
//! part per pathway (its questions and everything a journey on it can reach).
//!
//! A part is compiled by the same compiler from a smaller validated bundle:
//! the pathway's units and those it reaches (modules it calls and pathways
//! it jumps to, transitively), renumbered, with the care advice they show.
//! Journeys are made of public ids and texts, never of the numbers inside,
//! so a part gives the same steps, outcome and transcript as the whole
//! bundle; it carries the whole bundle's content hash, so its sessions and
//! audit records are the same too.

use super::{compile, BundleKind, CompileError, CompiledBundle, Entry, NodeId};
use crate::ir::{
    AdviceIdx, BranchIr, BundleIr, NodeIdx, NodeIr, NodeKindIr, OutcomeIr, Target, UnitIdx,
    UnitKind,
};
use crate::load::Sources;
use crate::search::Index;

/// The file a split bundle's catalog is written to.
pub const CATALOG_FILE: &str = "catalog.triage";

/// The file the part of `pathway` is written to, beside the catalog. Ids
/// are lowercase letters, digits, `-` and `_`, so this is a safe file name
/// and never [`CATALOG_FILE`].
pub fn part_file_name(pathway: &str) -> String {
    format!("{pathway}.part.triage")
}

/// A bundle split into its catalog and one part per pathway.
#[derive(Debug, Clone)]
pub struct Split {
    /// The pathway list and symptom search ([`BundleKind::Catalog`]).
    pub catalog: CompiledBundle,
    /// Per pathway, in unit order: its id and its part ([`BundleKind::Part`]).
    pub parts: Vec<(String, CompiledBundle)>,
}

impl Split {
    /// Splits the bundle `whole` compiled from `ir` and `sources`.
    #[doc(hidden)] // Reached through `crate::Built::split`; the IR it takes is internal.
    pub fn new(
        ir: &BundleIr,
        sources: &Sources,
        whole: &CompiledBundle,
    ) -> Result<Split, CompileError> {
        let mut parts = Vec::new();
        for (index, unit) in ir.units.iter().enumerate() {
            if matches!(unit.kind, UnitKind::Pathway(_)) {
                let pathway = super::unit_idx(index)?;
                parts.push((unit.id.clone(), compile_part(ir, sources, pathway)?));
            }
        }
        Ok(Split {
            catalog: catalog(whole),
            parts,
        })
    }
}

/// The catalog of `whole`: its units (without their nodes), the pathway
/// list, reachable dispositions and search index. A topic's own start is
/// kept as a node with only its id, for the pathway list to name.
fn catalog(whole: &CompiledBundle) -> CompiledBundle {
    let mut ir_nodes = Vec::new();
    let mut units = whole.units.clone();
    for unit in &mut units {
        unit.start = 0;
        unit.nodes = 0..0;
        if let UnitKind::Pathway(applicability) = &mut unit.kind {
            for claim in &mut applicability.topics {
                claim.start = claim
                    .start
                    .and_then(|node| whole.ir_nodes.get(node as usize))
                    .and_then(|node| {
                        let index = NodeIdx::try_from(ir_nodes.len()).ok()?;
                        ir_nodes.push(NodeIr {
                            unit: node.unit,
                            id: node.id.clone(),
                            loc: node.loc,
                            kind: NodeKindIr::Outcome(OutcomeIr {
                                disposition: 0,
                                reason: None,
                                advice: Vec::new(),
                            }),
                        });
                        Some(index)
                    });
            }
        }
    }
    let mut dispositions = whole.dispositions.clone();
    for disposition in &mut dispositions {
        disposition.advice.clear();
    }
    CompiledBundle {
        kind: BundleKind::Catalog,
        hash: whole.hash.clone(),
        files: whole.files.clone(),
        dispositions,
        advice: Vec::new(),
        units,
        ir_nodes,
        nodes: Vec::new(),
        edges: Vec::new(),
        pathway_starts: whole
            .pathway_starts
            .iter()
            .map(|entry| {
                entry.map(|entry| Entry {
                    start: NodeId(0),
                    ..entry
                })
            })
            .collect(),
        topic_starts: Vec::new(),
        reachable: whole.reachable.clone(),
        pathway_lookup: whole.pathway_lookup.clone(),
        search: whole.search.clone(),
        search_units: whole.search_units.clone(),
        fallbacks: whole.fallbacks.clone(),
    }
}

/// The part of `pathway`: compiled from the units a journey on it can reach.
fn compile_part(
    ir: &BundleIr,
    sources: &Sources,
    pathway: UnitIdx,
) -> Result<CompiledBundle, CompileError> {
    let sub = part_ir(ir, pathway)?;
    let mut part = compile(&sub, sources)?;
    part.kind = BundleKind::Part;
    part.search = Index::build(&[], &[]);
    part.search_units = Vec::new();
    part.fallbacks = Vec::new();
    Ok(part)
}

/// Which units a journey on `pathway` can reach: itself, the modules called
/// and the pathways jumped to, transitively.
fn closure(ir: &BundleIr, pathway: UnitIdx) -> Result<Vec<bool>, CompileError> {
    let mut keep = vec![false; ir.units.len()];
    let mut stack = vec![pathway];
    while let Some(unit) = stack.pop() {
        let slot = keep
            .get_mut(usize::from(unit))
            .ok_or_else(|| super::malformed("a jump to a unit that is not there"))?;
        if std::mem::replace(slot, true) {
            continue;
        }
        let range = ir
            .units
            .get(usize::from(unit))
            .map(|u| u.nodes.start as usize..u.nodes.end as usize)
            .unwrap_or_default();
        for node in ir.nodes.get(range).unwrap_or_default() {
            match node.kind {
                NodeKindIr::Call { module, .. } => stack.push(module),
                NodeKindIr::Goto { pathway, .. } => stack.push(pathway),
                _ => {}
            }
        }
    }
    Ok(keep)
}

/// The validated bundle of the units a journey on `pathway` can reach, with
/// units, nodes and care advice renumbered, every disposition and variable,
/// and no case packs or synonyms.
fn part_ir(ir: &BundleIr, pathway: UnitIdx) -> Result<BundleIr, CompileError> {
    let broken = || super::malformed("a reference leaves the units a journey can reach");
    let keep = closure(ir, pathway)?;
    let mut unit_map: Vec<Option<UnitIdx>> = vec![None; ir.units.len()];
    let mut node_map: Vec<Option<NodeIdx>> = vec![None; ir.nodes.len()];
    let mut units = Vec::new();
    let mut nodes: Vec<NodeIr> = Vec::new();
    for (index, unit) in ir.units.iter().enumerate() {
        if !keep.get(index).copied().unwrap_or(false) {
            continue;
        }
        if let Some(slot) = unit_map.get_mut(index) {
            *slot = Some(super::unit_idx(units.len())?);
        }
        for old in unit.nodes.clone() {
            let node = ir.nodes.get(old as usize).ok_or_else(broken)?;
            let new = NodeIdx::try_from(nodes.len()).map_err(|_| broken())?;
            if let Some(slot) = node_map.get_mut(old as usize) {
                *slot = Some(new);
            }
            nodes.push(node.clone());
        }
        units.push(unit.clone());
    }
    let unit_of = |old: UnitIdx| unit_map.get(usize::from(old)).copied().flatten();
    let node_of = |old: NodeIdx| node_map.get(old as usize).copied().flatten();
    let target_of = |target: &Target| match target {
        Target::Node(node) => node_of(*node).map(Target::Node),
        Target::Return => Some(Target::Return),
    };

    // The care advice the kept nodes and every disposition show.
    let mut used = vec![false; ir.advice.len()];
    let mut mark = |advice: &[AdviceIdx]| {
        for a in advice {
            if let Some(slot) = used.get_mut(usize::from(*a)) {
                *slot = true;
            }
        }
    };
    for disposition in &ir.dispositions {
        mark(&disposition.advice);
    }
    for node in &nodes {
        match &node.kind {
            NodeKindIr::Question(question) => {
                for answer in &question.answers {
                    mark(&answer.advice);
                }
            }
            NodeKindIr::Outcome(outcome) => mark(&outcome.advice),
            _ => {}
        }
    }
    let mut advice_map: Vec<Option<AdviceIdx>> = vec![None; ir.advice.len()];
    let mut advice = Vec::new();
    for (index, item) in ir.advice.iter().enumerate() {
        if used.get(index).copied().unwrap_or(false) {
            if let Some(slot) = advice_map.get_mut(index) {
                *slot = Some(AdviceIdx::try_from(advice.len()).map_err(|_| broken())?);
            }
            advice.push(item.clone());
        }
    }
    let advice_of = |list: &[AdviceIdx]| {
        list.iter()
            .map(|a| advice_map.get(usize::from(*a)).copied().flatten())
            .collect::<Option<Vec<_>>>()
            .ok_or_else(broken)
    };

    for unit in &mut units {
        unit.start = node_of(unit.start).ok_or_else(broken)?;
        let first = node_of(unit.nodes.start);
        let len = unit.nodes.end.saturating_sub(unit.nodes.start);
        unit.nodes = match first {
            Some(first) => first..first + len,
            None if len == 0 => 0..0,
            None => return Err(broken()),
        };
        if let UnitKind::Pathway(applicability) = &mut unit.kind {
            for claim in &mut applicability.topics {
                if let Some(start) = claim.start {
                    claim.start = Some(node_of(start).ok_or_else(broken)?);
                }
            }
        }
    }
    for node in &mut nodes {
        node.unit = unit_of(node.unit).ok_or_else(broken)?;
        match &mut node.kind {
            NodeKindIr::Question(question) => {
                for answer in &mut question.answers {
                    answer.next = target_of(&answer.next).ok_or_else(broken)?;
                    answer.advice = advice_of(&answer.advice)?;
                }
            }
            NodeKindIr::Branch(BranchIr::Cases {
                cases, otherwise, ..
            }) => {
                for (condition, target) in cases.iter_mut() {
                    *condition = condition.map_questions(&node_of).ok_or_else(broken)?;
                    *target = target_of(target).ok_or_else(broken)?;
                }
                *otherwise = target_of(otherwise).ok_or_else(broken)?;
            }
            NodeKindIr::Branch(BranchIr::Bands { on, bands }) => {
                *on = on.map_questions(&node_of).ok_or_else(broken)?;
                for (_, _, target) in bands.iter_mut() {
                    *target = target_of(target).ok_or_else(broken)?;
                }
            }
            NodeKindIr::Outcome(outcome) => {
                outcome.advice = advice_of(&outcome.advice)?;
            }
            NodeKindIr::Call { module, next } => {
                *module = unit_of(*module).ok_or_else(broken)?;
                *next = target_of(next).ok_or_else(broken)?;
            }
            NodeKindIr::Goto { pathway, at } => {
                *pathway = unit_of(*pathway).ok_or_else(broken)?;
                *at = node_of(*at).ok_or_else(broken)?;
            }
        }
    }
    let mut dispositions = ir.dispositions.clone();
    for disposition in &mut dispositions {
        disposition.advice = advice_of(&disposition.advice)?;
    }
    Ok(BundleIr {
        dispositions,
        advice,
        variables: ir.variables.clone(),
        units,
        nodes,
        case_packs: Vec::new(),
        synonyms: Vec::new(),
    })
}
