//! Branch expressions: each `when:` and `on:` parsed and type-checked in its
//! unit's scope, and branch cases on one number checked for overlaps and gaps.

use super::*;

impl Validator {
    pub(super) fn check_expressions(&mut self, doc: &BundleDoc) {
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

    pub(super) fn expression(
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

    pub(super) fn check_case_overlaps(
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
}
