//! Which dispositions each pathway can reach, and for whom.
//!
//! A pathway may jump into another (`goto`) that serves every age and then
//! branches on age, so the dispositions it "reaches" by the graph alone
//! include some that nobody it admits can get to: a children's pathway would
//! list the adult outcomes of a shared falls pathway, and case packs would be
//! asked to reach what no case can. So the walk carries the ages that can
//! still be on the journey, and branches on `age` and `age_months` narrow
//! them, as the engine would.
//!
//! Ages are kept as a set of cells: the stretches between every age limit the
//! bundle mentions (pathway ranges, branch cases, bands). A set only ever
//! over-approximates the ages on a journey (a case that tests age together
//! with anything else narrows only by its age part, and `otherwise` loses
//! only the ages an earlier case takes in full), so a disposition some
//! person can reach is never left out.
//!
//! Scores are followed the same way, as far as they can be without knowing
//! the answers: each node gets the least value each score can have on
//! arriving there (the smallest sum of `add`s over the paths that lead to
//! it), and a branch on a score skips the bands below it. So a module whose
//! caller adds 2 to `score.sepsis-amber` does not count as reaching its
//! outcome for one amber sign.

use super::{CompiledBundle, Entry, NodeId};
use crate::expr::{Expr, Interval, NumSubject};
use crate::ir::{BranchIr, DispositionIdx, NodeKindIr};

/// A set of age cells, one bit per cell.
type Cells = u64;

/// The age limits of a bundle, in years, sorted: cell `k` runs from limit
/// `k - 1` (inclusive) up to limit `k` (exclusive), the first from minus
/// infinity and the last to infinity.
struct AgeCells {
    limits: Vec<f64>,
}

impl AgeCells {
    /// Every limit the bundle's pathways and branches use, or `None` when
    /// there are too many for a [`Cells`] (then no narrowing is done).
    #[cfg(feature = "authoring")]
    fn of(bundle: &CompiledBundle) -> Option<AgeCells> {
        let mut limits = Vec::new();
        let mut add = |interval: &Interval| {
            limits.extend(
                [interval.low, interval.high]
                    .into_iter()
                    .filter(|l| l.is_finite()),
            );
        };
        for entry in bundle.pathway_starts.iter().flatten() {
            add(&Interval::band(entry.from_years, entry.to_years));
        }
        for node in &bundle.ir_nodes {
            match &node.kind {
                NodeKindIr::Branch(BranchIr::Cases { cases, .. }) => {
                    for (condition, _) in cases {
                        if let Some(ages) = condition.age_interval() {
                            add(&ages);
                        }
                    }
                }
                NodeKindIr::Branch(BranchIr::Bands { on, bands }) => {
                    for (from, below, _) in bands {
                        if let Some(ages) = on.age_band(*from, *below) {
                            add(&ages);
                        }
                    }
                }
                _ => {}
            }
        }
        limits.sort_by(f64::total_cmp);
        limits.dedup();
        (limits.len() < Cells::BITS as usize).then_some(AgeCells { limits })
    }

    /// Cell `k` as an interval.
    fn cell(&self, k: usize) -> Interval {
        let low = k
            .checked_sub(1)
            .and_then(|i| self.limits.get(i))
            .copied()
            .unwrap_or(f64::NEG_INFINITY);
        let high = self.limits.get(k).copied().unwrap_or(f64::INFINITY);
        Interval::band(low, high)
    }

    fn cells(&self) -> impl Iterator<Item = (Cells, Interval)> + '_ {
        (0..=self.limits.len()).map(|k| (1 << k, self.cell(k)))
    }

    /// The cells that hold some age in `ages`.
    fn touching(&self, ages: &Interval) -> Cells {
        self.cells()
            .filter(|(_, cell)| cell.overlaps(ages))
            .fold(0, |set, (bit, _)| set | bit)
    }

    /// The cells whose every age is in `ages`.
    fn inside(&self, ages: &Interval) -> Cells {
        self.cells()
            .filter(|(_, cell)| {
                let both = cell.intersect(ages);
                both.low == cell.low
                    && both.low_inclusive == cell.low_inclusive
                    && both.high == cell.high
                    && both.high_inclusive == cell.high_inclusive
            })
            .fold(0, |set, (bit, _)| set | bit)
    }
}

/// The ages (in years) for which `condition` holds, when it tests age alone.
fn exactly_ages(condition: &Expr) -> Option<Interval> {
    match condition.interval()? {
        (NumSubject::AgeYears, ages) => Some(ages),
        (NumSubject::AgeMonths, ages) => Some(Interval {
            low: ages.low / 12.0,
            high: ages.high / 12.0,
            ..ages
        }),
        _ => None,
    }
}

/// The least value of each score that a branch splits on, on arriving at
/// each compiled node: `floors[node * scores.len() + k]` for `scores[k]`
/// (infinite where no journey arrives). The graph has no cycles (E401), so
/// one pass in topological order settles every node.
#[cfg(feature = "authoring")]
struct ScoreFloors {
    scores: Vec<crate::ir::VariableIdx>,
    floors: Vec<f64>,
}

#[cfg(feature = "authoring")]
impl ScoreFloors {
    fn of(bundle: &CompiledBundle) -> ScoreFloors {
        let mut scores = Vec::new();
        for node in &bundle.ir_nodes {
            if let NodeKindIr::Branch(BranchIr::Bands { on, .. }) = &node.kind {
                if let Some(NumSubject::Variable(v)) = on.num_subject() {
                    if !scores.contains(&v) {
                        scores.push(v);
                    }
                }
            }
        }
        let width = scores.len();
        let count = bundle.nodes.len();
        let mut floors = vec![f64::INFINITY; count * width];
        if width == 0 {
            return ScoreFloors { scores, floors };
        }
        let mut indegree = vec![0u32; count];
        for n in 0..count {
            for next in bundle.edges_of(NodeId(n as u32)) {
                if let Some(d) = indegree.get_mut(next.index()) {
                    *d += 1;
                }
            }
        }
        for entry in bundle.pathway_starts.iter().flatten() {
            let at = entry.start.index() * width;
            if let Some(row) = floors.get_mut(at..at + width) {
                row.fill(0.0);
            }
        }
        let mut ready: Vec<usize> = (0..count).filter(|&n| indegree[n] == 0).collect();
        while let Some(n) = ready.pop() {
            let id = NodeId(n as u32);
            let adds = bundle.ir_node(id).and_then(|node| match &node.kind {
                NodeKindIr::Question(q) => Some(&q.answers),
                _ => None,
            });
            let here: Vec<f64> = floors
                .get(n * width..(n + 1) * width)
                .unwrap_or(&[])
                .to_vec();
            for (edge, next) in bundle.edges_of(id).iter().enumerate() {
                let added = |v: crate::ir::VariableIdx| {
                    adds.and_then(|answers| answers.get(edge))
                        .map_or(0.0, |answer| {
                            answer
                                .add
                                .iter()
                                .filter(|(score, _)| *score == v)
                                .map(|(_, amount)| amount)
                                .sum()
                        })
                };
                let at = next.index() * width;
                for (k, &score) in scores.iter().enumerate() {
                    if let (Some(slot), Some(value)) = (floors.get_mut(at + k), here.get(k)) {
                        *slot = slot.min(value + added(score));
                    }
                }
                if let Some(d) = indegree.get_mut(next.index()) {
                    *d -= 1;
                    if *d == 0 {
                        ready.push(next.index());
                    }
                }
            }
        }
        ScoreFloors { scores, floors }
    }

    /// Whether the band `[_, below)` of a branch at `node` on `on` can hold
    /// the score on any journey.
    fn band_possible(&self, node: NodeId, on: &Expr, below: f64) -> bool {
        let Some(NumSubject::Variable(v)) = on.num_subject() else {
            return true;
        };
        let Some(k) = self.scores.iter().position(|s| *s == v) else {
            return true;
        };
        let floor = self
            .floors
            .get(node.index() * self.scores.len() + k)
            .copied()
            .unwrap_or(f64::INFINITY);
        // A node no journey arrives at is not judged here.
        !floor.is_finite() || below > floor
    }
}

/// Where one walk stopped at jumps into other pathways: the dispositions it
/// found in its own region, and each jump's target with the ages on it.
struct Region {
    found: Vec<DispositionIdx>,
    jumps: Vec<(NodeId, Cells)>,
}

/// Per unit, the dispositions some person its pathway admits can reach,
/// most urgent first (empty for modules).
///
/// A walk stops at each jump into another pathway (`goto`), and what is
/// reachable from a jump's target for a set of ages is worked out once and
/// shared by every pathway that jumps there, so the cost is the bundle's
/// size rather than the sum of every pathway's reach (which is quadratic in
/// a chain of pathways that jump to each other).
pub(super) fn reachable_dispositions(bundle: &CompiledBundle) -> Vec<Vec<DispositionIdx>> {
    // The browser build (no `authoring`) runs no case packs and leaves the
    // narrowing out to stay small: it lists every disposition the graph
    // reaches, which includes all of these.
    #[cfg(feature = "authoring")]
    let ages = AgeCells::of(bundle);
    #[cfg(not(feature = "authoring"))]
    let ages: Option<AgeCells> = None;
    #[cfg(feature = "authoring")]
    let floors = ScoreFloors::of(bundle);
    #[cfg(feature = "authoring")]
    let possible = |id: NodeId, on: &Expr, below: f64| floors.band_possible(id, on, below);
    #[cfg(not(feature = "authoring"))]
    let possible = |_: NodeId, _: &Expr, _: f64| true;
    let everyone = |entry: &Entry| {
        ages.as_ref().map_or(Cells::MAX, |a| {
            a.touching(&Interval::band(entry.from_years, entry.to_years))
        })
    };
    let mut walker = RegionWalker {
        bundle,
        ages: ages.as_ref(),
        possible: &possible,
        seen: vec![0; bundle.nodes.len()],
        touched: Vec::new(),
    };
    // What is reachable from a jump target for a set of ages, once known.
    let mut reached: std::collections::HashMap<(NodeId, Cells), Vec<DispositionIdx>> =
        std::collections::HashMap::new();
    let mut result = Vec::with_capacity(bundle.units.len());
    for start in &bundle.pathway_starts {
        let mut found = match start {
            Some(entry) => walker.reach((entry.start, everyone(entry)), &mut reached),
            None => Vec::new(),
        };
        found.sort_by_key(|d| {
            bundle
                .dispositions
                .get(usize::from(*d))
                .map_or(u32::MAX, |d| d.rank)
        });
        result.push(found);
    }
    result
}

/// Walks regions of the compiled graph, reusing its scratch space.
struct RegionWalker<'b, P> {
    bundle: &'b CompiledBundle,
    ages: Option<&'b AgeCells>,
    possible: &'b P,
    /// Per node, the age cells already walked from it in this region.
    seen: Vec<Cells>,
    touched: Vec<NodeId>,
}

impl<P: Fn(NodeId, &Expr, f64) -> bool> RegionWalker<'_, P> {
    /// Everything reachable from `root` (a node and the ages arriving
    /// there): its region's dispositions and, through each jump, what the
    /// jump's target reaches, each worked out once into `reached`. The graph
    /// has no loops, so neither do the jumps; a loop in a malformed graph is
    /// cut rather than followed.
    fn reach(
        &mut self,
        root: (NodeId, Cells),
        reached: &mut std::collections::HashMap<(NodeId, Cells), Vec<DispositionIdx>>,
    ) -> Vec<DispositionIdx> {
        let mut regions: std::collections::HashMap<(NodeId, Cells), Region> =
            std::collections::HashMap::new();
        let mut stack = vec![root];
        while let Some(&key) = stack.last() {
            if reached.contains_key(&key) {
                stack.pop();
                continue;
            }
            if !regions.contains_key(&key) {
                let region = self.region(key);
                // Targets not yet known are worked out first.
                let missing: Vec<(NodeId, Cells)> = region
                    .jumps
                    .iter()
                    .copied()
                    .filter(|jump| !reached.contains_key(jump) && !regions.contains_key(jump))
                    .collect();
                regions.insert(key, region);
                if !missing.is_empty() {
                    stack.extend(missing);
                    continue;
                }
            }
            let Some(region) = regions.get(&key) else {
                stack.pop();
                continue;
            };
            let mut found = region.found.clone();
            for jump in &region.jumps {
                for d in reached.get(jump).into_iter().flatten() {
                    if !found.contains(d) {
                        found.push(*d);
                    }
                }
            }
            reached.insert(key, found);
            stack.pop();
        }
        reached.get(&root).cloned().unwrap_or_default()
    }

    /// One walk from `root`, stopping at jumps into other pathways.
    fn region(&mut self, (root, cells): (NodeId, Cells)) -> Region {
        let bundle = self.bundle;
        for id in self.touched.drain(..) {
            if let Some(slot) = self.seen.get_mut(id.index()) {
                *slot = 0;
            }
        }
        let mut region = Region {
            found: Vec::new(),
            jumps: Vec::new(),
        };
        let mut stack: Vec<(NodeId, Cells)> = vec![(root, cells)];
        while let Some((id, cells)) = stack.pop() {
            let Some(slot) = self.seen.get_mut(id.index()) else {
                continue;
            };
            // Only ages not yet walked from here can find anything new.
            let cells = cells & !*slot;
            if cells == 0 {
                continue;
            }
            if *slot == 0 {
                self.touched.push(id);
            }
            *slot |= cells;
            let edges = bundle.edges_of(id);
            let mut follow = |edge: usize, narrowed: Cells| {
                if let Some(next) = edges.get(edge) {
                    if narrowed != 0 {
                        stack.push((*next, narrowed));
                    }
                }
            };
            match (bundle.ir_node(id).map(|n| &n.kind), self.ages) {
                (Some(NodeKindIr::Outcome(outcome)), _) => {
                    if !region.found.contains(&outcome.disposition) {
                        region.found.push(outcome.disposition);
                    }
                }
                (Some(NodeKindIr::Goto { .. }), _) => {
                    if let Some(target) = edges.first() {
                        let jump = (*target, cells);
                        if !region.jumps.contains(&jump) {
                            region.jumps.push(jump);
                        }
                    }
                }
                (Some(NodeKindIr::Branch(BranchIr::Cases { cases, .. })), Some(ages)) => {
                    // First match wins: a later case, and `otherwise`,
                    // only see the ages no earlier age-only case took.
                    let mut left = cells;
                    for (edge, (condition, _)) in cases.iter().enumerate() {
                        let narrowed = condition
                            .age_interval()
                            .map_or(left, |a| left & ages.touching(&a));
                        follow(edge, narrowed);
                        if let Some(a) = exactly_ages(condition) {
                            left &= !ages.inside(&a);
                        }
                    }
                    follow(cases.len(), left);
                }
                (Some(NodeKindIr::Branch(BranchIr::Bands { on, bands })), Some(ages)) => {
                    for (edge, (from, below, _)) in bands.iter().enumerate() {
                        if !(self.possible)(id, on, *below) {
                            continue;
                        }
                        let narrowed = on
                            .age_band(*from, *below)
                            .map_or(cells, |a| cells & ages.touching(&a));
                        follow(edge, narrowed);
                    }
                }
                _ => {
                    for edge in 0..edges.len() {
                        follow(edge, cells);
                    }
                }
            }
        }
        region
    }
}
