//! Nodes: each authored node built into the IR, its references resolved, its
//! question's answers checked against its kind, and its bands against its range.

use super::*;

impl Validator {
    pub(super) fn build_nodes(&mut self, doc: &BundleDoc) {
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
    pub(super) fn resolve_unit(
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
        if found.is_none() && self.broken_in_unit(&name.value, None) {
            return None;
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
        let help = self.did_you_mean(&name.value, candidates.into_iter(), hint);
        self.error(code, Loc::at(file, name.referenced), message, help);
        None
    }

    pub(super) fn is_module(&self, unit: usize) -> bool {
        matches!(self.units[unit].kind, UnitKind::Module)
    }

    pub(super) fn target(&mut self, file: usize, unit: usize, next: &Spanned<String>) -> Target {
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
            // The node did not read; that is reported where it is written.
            None if self.broken_node(file, &next.value) => Target::Node(NodeIdx::MAX),
            None => {
                let help = self.did_you_mean(
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
    pub(super) fn reason(
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

    pub(super) fn node_kind(
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
                    None if self.broken_entry(FileRole::Dispositions, &o.disposition.value) => {
                        return None
                    }
                    None => {
                        let help = self.did_you_mean(
                            &o.disposition.value,
                            self.disposition_ids.keys().map(String::as_str),
                            "use an existing id (`triage list dispositions DIR` lists them), or add it to dispositions.yaml",
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
                            let help = self.did_you_mean(
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
                            written: cases
                                .value
                                .iter()
                                .map(|c| (c.when.value.clone(), Loc::at(file, c.when.referenced)))
                                .collect(),
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
    pub(super) fn check_bands(
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

    pub(super) fn question(
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
                            format!("the range {min} to {max} is not two finite numbers with `min` at most `max`"),
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
    pub(super) fn answer(
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

    pub(super) fn unknown_variable(&mut self, loc: Loc, name: &str, verb: &str) {
        let help = self.did_you_mean(
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
}
