//! Case packs: run every authored test case through the evaluator and measure
//! how much of the authored content the cases reach.
//!
//! A case starts its pack's pathway for its person, gives its answers in order,
//! and must end at the expected disposition with the expected reasons and care
//! advice. Coverage counts authored items (answer edges, branch cases and bands,
//! nodes, and per pathway the dispositions it can reach) that some case reached,
//! and lists every edge no case takes, with where it is written.

use crate::compile::{edge_count, CompiledBundle, PathwayId};
use crate::eval::{Answer, Patient, Step, Walk};
use crate::ir::{
    BranchIr, BundleIr, CaseIr, DispositionIdx, NodeIr, NodeKindIr, UnitIdx, UnitKind,
};
use serde::Serialize;

/// The result of running every case pack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestReport {
    /// One result per case, in pack and case order.
    pub cases: Vec<CaseResult>,
    /// What the cases reached.
    pub coverage: Coverage,
}

impl TestReport {
    /// How many cases passed.
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.passed).count()
    }

    /// How many cases failed.
    pub fn failed(&self) -> usize {
        self.cases.len() - self.passed()
    }
}

/// The result of one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseResult {
    /// The case pack's file (index into [`crate::load::Sources::files`]).
    pub file: usize,
    /// The line the case starts on.
    pub line: u32,
    /// The pathway the pack tests.
    pub pack_pathway: String,
    /// The case's name.
    pub name: String,
    /// Whether it passed.
    pub passed: bool,
    /// What went wrong, if it failed.
    pub failure: Option<String>,
}

/// What the cases reached, over the authored content.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    /// Answer edges: every answer of every question, and every case, `otherwise`
    /// and band of every branch.
    pub edges: Counts,
    /// Authored nodes of every kind.
    pub nodes: Counts,
    /// Per pathway, the dispositions it can reach (through its modules and
    /// jumps), summed over pathways.
    pub dispositions: Counts,
    /// Dispositions per pathway.
    pub pathways: Vec<PathwayCoverage>,
    /// Every edge no case takes, as `file:line unit/node answer`.
    pub uncovered_edges: Vec<String>,
}

/// Covered out of total.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Counts {
    /// Reached by some case.
    pub covered: usize,
    /// All.
    pub total: usize,
    /// `covered / total` as a percentage (100 when there is nothing to cover).
    pub percent: f64,
}

impl Counts {
    fn new(covered: usize, total: usize) -> Counts {
        let percent = if total == 0 {
            100.0
        } else {
            covered as f64 * 100.0 / total as f64
        };
        Counts {
            covered,
            total,
            percent,
        }
    }
}

/// The dispositions one pathway can reach, and which its cases reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathwayCoverage {
    /// Pathway id.
    pub pathway: String,
    /// Dispositions reachable from its start, most urgent first.
    pub reachable: Vec<String>,
    /// Those no case of its packs reached.
    pub unreached: Vec<String>,
}

/// Runs every case of every pack in `ir` against `bundle` (compiled from `ir`).
pub fn run(bundle: &CompiledBundle, ir: &BundleIr) -> TestReport {
    run_only(bundle, ir, None)
}

/// Runs the case packs of one pathway, and reports the coverage of that
/// pathway's own nodes and answers and of the dispositions it can reach
/// (the modules it calls are shared, and covered by every pathway's packs).
pub fn run_pathway(bundle: &CompiledBundle, ir: &BundleIr, pathway: PathwayId) -> TestReport {
    run_only(bundle, ir, Some(pathway.0))
}

fn run_only(bundle: &CompiledBundle, ir: &BundleIr, only: Option<UnitIdx>) -> TestReport {
    let mut tally = Tally::new(ir);
    let mut cases = Vec::new();
    for pack in ir
        .case_packs
        .iter()
        .filter(|pack| only.is_none_or(|p| pack.pathway == p))
    {
        let pack_pathway = bundle.unit_id(pack.pathway).to_string();
        for case in &pack.cases {
            let failure = run_case(bundle, pack.pathway, case, &mut tally).err();
            cases.push(CaseResult {
                file: pack.file,
                line: case.loc.line,
                pack_pathway: pack_pathway.clone(),
                name: case.name.clone(),
                passed: failure.is_none(),
                failure,
            });
        }
    }
    TestReport {
        cases,
        coverage: tally.coverage(bundle, ir, only),
    }
}

/// What the cases have reached so far.
struct Tally {
    /// Per authored node, the index of its first answer edge in `edges`.
    edge_base: Vec<usize>,
    edges: Vec<bool>,
    nodes: Vec<bool>,
    /// (pathway unit, disposition) pairs reached.
    reached: Vec<(UnitIdx, DispositionIdx)>,
}

/// The answer edges an authored node has (jumps have none).
fn answer_edges(node: &NodeIr) -> usize {
    match node.kind {
        NodeKindIr::Question(_) | NodeKindIr::Branch(_) => edge_count(node),
        _ => 0,
    }
}

impl Tally {
    fn new(ir: &BundleIr) -> Tally {
        let mut edge_base = Vec::with_capacity(ir.nodes.len());
        let mut total = 0;
        for node in &ir.nodes {
            edge_base.push(total);
            total += answer_edges(node);
        }
        Tally {
            edge_base,
            edges: vec![false; total],
            nodes: vec![false; ir.nodes.len()],
            reached: Vec::new(),
        }
    }

    fn record(&mut self, bundle: &CompiledBundle, pathway: UnitIdx, walk: &Walk<'_>) {
        for &(id, edge) in walk.trace() {
            let Some(node) = bundle.node(id) else {
                continue;
            };
            let authored = node.ir as usize;
            if let Some(seen) = self.nodes.get_mut(authored) {
                *seen = true;
            }
            let is_answer_edge = bundle.ir_node(id).is_some_and(|n| answer_edges(n) > 0);
            if is_answer_edge {
                if let Some(seen) = self
                    .edge_base
                    .get(authored)
                    .and_then(|base| self.edges.get_mut(base + edge))
                {
                    *seen = true;
                }
            }
        }
        if let Some(node) = bundle.node(walk.at()) {
            if let Some(seen) = self.nodes.get_mut(node.ir as usize) {
                *seen = true;
            }
        }
        if let Some(NodeKindIr::Outcome(outcome)) = bundle.ir_node(walk.at()).map(|n| &n.kind) {
            if !self.reached.contains(&(pathway, outcome.disposition)) {
                self.reached.push((pathway, outcome.disposition));
            }
        }
    }

    /// Coverage of the whole bundle, or of the nodes and dispositions of one
    /// pathway (`only`).
    fn coverage(&self, bundle: &CompiledBundle, ir: &BundleIr, only: Option<UnitIdx>) -> Coverage {
        let counted = |node: &NodeIr| only.is_none_or(|p| node.unit == p);
        let mut uncovered_edges = Vec::new();
        let (mut edges, mut nodes) = ((0, 0), (0, 0));
        for (index, node) in ir.nodes.iter().enumerate() {
            if !counted(node) {
                continue;
            }
            nodes.1 += 1;
            if self.nodes.get(index) == Some(&true) {
                nodes.0 += 1;
            }
            let base = self.edge_base.get(index).copied().unwrap_or(0);
            for edge in 0..answer_edges(node) {
                edges.1 += 1;
                if self.edges.get(base + edge) == Some(&true) {
                    edges.0 += 1;
                } else {
                    uncovered_edges.push(describe_edge(bundle, node, edge));
                }
            }
        }
        let mut pathways = Vec::new();
        let (mut reachable_total, mut reached_total) = (0, 0);
        for (index, unit) in ir.units.iter().enumerate() {
            let (UnitKind::Pathway(_), Ok(unit_index)) = (&unit.kind, UnitIdx::try_from(index))
            else {
                continue;
            };
            if only.is_some_and(|p| p != unit_index) {
                continue;
            }
            let reachable = bundle.reachable_from(unit_index);
            let name = |d: &DispositionIdx| {
                bundle
                    .disposition_ir(*d)
                    .map_or_else(String::new, |d| d.id.clone())
            };
            let unreached: Vec<String> = reachable
                .iter()
                .filter(|d| !self.reached.contains(&(unit_index, **d)))
                .map(name)
                .collect();
            reachable_total += reachable.len();
            reached_total += reachable.len() - unreached.len();
            pathways.push(PathwayCoverage {
                pathway: unit.id.clone(),
                reachable: reachable.iter().map(name).collect(),
                unreached,
            });
        }
        Coverage {
            edges: Counts::new(edges.0, edges.1),
            nodes: Counts::new(nodes.0, nodes.1),
            dispositions: Counts::new(reached_total, reachable_total),
            pathways,
            uncovered_edges,
        }
    }
}

/// `file:line unit/node answer` for an authored edge.
fn describe_edge(bundle: &CompiledBundle, node: &NodeIr, edge: usize) -> String {
    let (loc, what) = match &node.kind {
        NodeKindIr::Question(question) => match question.answers.get(edge) {
            Some(answer) => match answer.band {
                // Bands as written, not their generated ids.
                Some((from, below)) => (
                    answer.loc,
                    format!("band {}", crate::diff::band_text(from, below)),
                ),
                None => (answer.loc, answer.id.clone()),
            },
            None => (node.loc, format!("answer {}", edge + 1)),
        },
        NodeKindIr::Branch(BranchIr::Cases { cases, written, .. }) => {
            if edge < cases.len() {
                match written.get(edge) {
                    Some((when, loc)) => (*loc, format!("case `when: {when}`")),
                    None => (node.loc, format!("case {}", edge + 1)),
                }
            } else {
                (node.loc, "otherwise".to_string())
            }
        }
        NodeKindIr::Branch(BranchIr::Bands { bands, .. }) => {
            let what = match bands.get(edge) {
                Some((from, below, _)) => format!("band {}", crate::diff::band_text(*from, *below)),
                None => format!("band {}", edge + 1),
            };
            (node.loc, what)
        }
        _ => (node.loc, String::new()),
    };
    format!(
        "{}:{} {}/{} {}",
        bundle.file_path(loc.file),
        loc.line,
        bundle.unit_id(node.unit),
        node.id,
        what
    )
}

fn describe_answers(answers: &[Answer]) -> String {
    if answers.is_empty() {
        return "no answers".to_string();
    }
    let list: Vec<String> = answers
        .iter()
        .map(|a| format!("{}={}", a.question, a.value))
        .collect();
    format!("answers {}", list.join(", "))
}

/// Runs one case; `Err` says why it failed.
fn run_case(
    bundle: &CompiledBundle,
    pathway: UnitIdx,
    case: &CaseIr,
    tally: &mut Tally,
) -> Result<(), String> {
    let patient = Patient {
        age_years: case.age_years,
        age_months: case.age_months,
        sex: case.sex,
        answering: case.answering,
    };
    let mut walk =
        Walk::start(bundle, PathwayId(pathway), patient, true).map_err(|e| e.to_string())?;
    let answers: Vec<Answer> = case
        .answers
        .iter()
        .map(|a| Answer::new(a.question.clone(), a.value.clone()))
        .collect();
    let mut outcome = Ok(());
    for (index, answer) in answers.iter().enumerate() {
        if let Err(error) = walk.give(answer) {
            outcome = Err(format!(
                "answer {} ({}={}): {error}",
                index + 1,
                answer.question,
                answer.value
            ));
            break;
        }
    }
    tally.record(bundle, pathway, &walk);
    outcome?;
    let step = walk.step().map_err(|e| e.to_string())?;
    let view = match step {
        Step::Question(question) => {
            return Err(format!(
                "journey stopped at question {} with no answer left",
                question.id
            ))
        }
        Step::Outcome(view) => view,
    };
    let mut problems = Vec::new();
    let expected = bundle
        .disposition_ir(case.expect_disposition)
        .map_or("?", |d| d.id.as_str());
    if view.disposition.id != expected {
        problems.push(format!(
            "expected disposition {expected}, got {} after {}",
            view.disposition.id,
            describe_answers(&answers)
        ));
    }
    if let Some(expected) = &case.expect_reasons {
        let matches = expected.len() == view.reasons.len()
            && expected
                .iter()
                .zip(&view.reasons)
                .all(|(want, got)| *want == got.code || *want == got.text);
        if !matches {
            let got: Vec<&str> = view.reasons.iter().map(|r| r.code.as_str()).collect();
            problems.push(format!(
                "expected reasons [{}], got [{}]",
                expected.join(", "),
                got.join(", ")
            ));
        }
    }
    for key in &case.expect_advice {
        let Some(advice) = bundle.advice_ir(*key) else {
            continue;
        };
        if !view.care_advice.iter().any(|a| a.id == advice.id) {
            let given: Vec<&str> = view.care_advice.iter().map(|a| a.id.as_str()).collect();
            problems.push(format!(
                "expected care advice {}, not given (given: {})",
                advice.id,
                if given.is_empty() {
                    "none".to_string()
                } else {
                    given.join(", ")
                }
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}
