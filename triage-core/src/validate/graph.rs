//! The journey graph: no cycles (through modules and pathway jumps), what
//! no journey reaches, and the proof that "I'm not sure" never reaches
//! self-care.

use super::*;

impl Validator {
    pub(super) fn node(&self, n: NodeIdx) -> Option<&NodeIr> {
        self.nodes.get(n as usize).and_then(Option::as_ref)
    }

    /// Successors in the conservative graph: a call leads both into its
    /// module and to its `next` (reached when the module returns).
    pub(super) fn successors(&self, n: NodeIdx, out: &mut Vec<NodeIdx>) {
        out.clear();
        let Some(node) = self.node(n) else { return };
        let mut push = |t: &Target| {
            if let Target::Node(t) = t {
                out.push(*t);
            }
        };
        match &node.kind {
            NodeKindIr::Question(q) => q.answers.iter().for_each(|a| push(&a.next)),
            NodeKindIr::Branch(BranchIr::Cases {
                cases, otherwise, ..
            }) => {
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

    pub(super) fn check_graph(&mut self) {
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

    pub(super) fn describe(&self, n: NodeIdx) -> String {
        match self.node(n) {
            Some(node) => format!("{}/{}", self.units[node.unit as usize].id, node.id),
            None => "?".into(),
        }
    }

    pub(super) fn report_cycles(&mut self, indegree: &[u32]) {
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
    pub(super) fn edge_loc(&self, from: NodeIdx, to: NodeIdx) -> Loc {
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

    pub(super) fn check_reachability(&mut self) {
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

    /// One way from `start` to a self-care outcome, as the answers and
    /// branches taken (`node answer`), following the nodes from which the
    /// proof found self-care reachable without leaving their module; empty
    /// when the way runs through a module's return (then the message alone
    /// says where it starts).
    #[cfg(feature = "authoring")]
    fn trail_to_self_care(&self, start: Target, inside: &[Option<DispositionIdx>]) -> Vec<String> {
        let reaches = |t: &Target| match t {
            Target::Node(t) => inside.get(*t as usize).copied().flatten().is_some(),
            Target::Return => false,
        };
        if start == Target::Return {
            return vec![
                "back in the pathway that called this module, which can go on to self-care"
                    .to_owned(),
            ];
        }
        let mut trail = Vec::new();
        let mut at = start;
        // The graph has no cycles; the bound only guards against a mistake.
        for _ in 0..self.nodes.len().min(200) {
            let Target::Node(n) = at else { break };
            let Some(node) = self.node(n) else { break };
            let step = match &node.kind {
                NodeKindIr::Outcome(_) => {
                    trail.push(format!("outcome `{}`", node.id));
                    return trail;
                }
                NodeKindIr::Question(q) => q
                    .answers
                    .iter()
                    .find(|a| reaches(&a.next))
                    .map(|a| (format!("`{}` {}", node.id, a.id), a.next)),
                NodeKindIr::Branch(BranchIr::Cases {
                    cases, otherwise, ..
                }) => cases
                    .iter()
                    .enumerate()
                    .find(|(_, (_, t))| reaches(t))
                    .map(|(k, (_, t))| (format!("`{}` case {}", node.id, k + 1), *t))
                    .or_else(|| {
                        reaches(otherwise).then(|| (format!("`{}` otherwise", node.id), *otherwise))
                    }),
                NodeKindIr::Branch(BranchIr::Bands { bands, .. }) => bands
                    .iter()
                    .find(|(_, _, t)| reaches(t))
                    .map(|(from, below, t)| {
                        (format!("`{}` band {from} to under {below}", node.id), *t)
                    }),
                NodeKindIr::Call { module, next } => {
                    let start = self.units[*module as usize].start;
                    if reaches(&Target::Node(start)) {
                        Some((
                            format!("module `{}`", self.units[*module as usize].id),
                            Target::Node(start),
                        ))
                    } else {
                        Some((
                            format!("module `{}` returns", self.units[*module as usize].id),
                            *next,
                        ))
                    }
                }
                NodeKindIr::Goto { at: to, .. } => Some((
                    format!(
                        "on in `{}`",
                        self.units[self.node(*to).map_or(0, |n| n.unit) as usize].id
                    ),
                    Target::Node(*to),
                )),
            };
            let Some((text, next)) = step else { break };
            trail.push(text);
            at = next;
        }
        Vec::new()
    }

    /// Proves no "I'm not sure" answer can lead to self-care, through module
    /// returns and pathway jumps.
    pub(super) fn check_not_sure(&mut self, topological: &[NodeIdx]) {
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
                NodeKindIr::Branch(BranchIr::Cases {
                    cases, otherwise, ..
                }) => {
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
                // The way there is for authors; the browser refuses the bundle either way.
                #[cfg(feature = "authoring")]
                let trail = self.trail_to_self_care(answer.next, &inside);
                #[cfg(not(feature = "authoring"))]
                let trail: Vec<String> = Vec::new();
                problems.push((answer.loc, node.id.clone(), d, trail));
            }
        }
        for (loc, id, d, trail) in problems {
            let disposition = &self.dispositions[d as usize].id;
            let message =
                format!("\"I'm not sure\" on `{id}` can lead to self-care (`{disposition}`)");
            let way = if trail.is_empty() {
                String::new()
            } else {
                format!(" One way: `{id}` not sure -> {}.", trail.join(" -> "))
            };
            self.error(
                codes::NOT_SURE_SELF_CARE,
                loc,
                message,
                format!("when a person is unsure, route them to a clinician or a more urgent service, never to self-care.{way}"),
            );
        }
    }
}
