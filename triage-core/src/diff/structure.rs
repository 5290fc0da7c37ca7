//! What was added, removed or reworded: a unit's header and nodes, matched by
//! id, and the disposition and care-advice catalogues.

use super::{Change, ChangeKind};
use crate::compile::CompiledBundle;
use crate::ir::{
    AnswerIr, BranchIr, NodeIr, NodeKindIr, OutcomeIr, QuestionIr, Target, UnitIdx, UnitIr,
    UnitKind,
};
use crate::model::TextDoc;
use std::collections::BTreeMap;

/// Collects changes, each with what it is about.
struct Changes(Vec<Change>);

impl Changes {
    fn added(&mut self, what: String, new: Option<String>) {
        self.0.push(Change {
            what,
            change: ChangeKind::Added,
            field: None,
            old: None,
            new,
        });
    }

    fn removed(&mut self, what: String, old: Option<String>) {
        self.0.push(Change {
            what,
            change: ChangeKind::Removed,
            field: None,
            old,
            new: None,
        });
    }

    /// A change of `field` of `what`, if `old` and `new` differ.
    fn compare<T: PartialEq>(
        &mut self,
        what: &str,
        field: &str,
        old: T,
        new: T,
        show: impl Fn(&T) -> String,
    ) {
        if old != new {
            self.0.push(Change {
                what: what.to_owned(),
                change: ChangeKind::Changed,
                field: Some(field.to_owned()),
                old: Some(show(&old)),
                new: Some(show(&new)),
            });
        }
    }

    fn text(&mut self, what: &str, field: &str, old: Option<&TextDoc>, new: Option<&TextDoc>) {
        self.compare(what, field, old, new, |t| {
            t.map_or_else(|| "(none)".to_owned(), full_text)
        });
    }
}

/// The changes of one unit in both versions: its header and its nodes.
pub(super) fn unit(
    old: &CompiledBundle,
    old_unit: UnitIdx,
    new: &CompiledBundle,
    new_unit: UnitIdx,
) -> Vec<Change> {
    let mut changes = Changes(Vec::new());
    let (Some(was), Some(now)) = (old.unit(old_unit), new.unit(new_unit)) else {
        return changes.0;
    };
    header(&mut changes, (old, was), (new, now));
    let old_nodes = nodes_by_id(old, was);
    let new_nodes = nodes_by_id(new, now);
    for (id, node) in &old_nodes {
        if !new_nodes.contains_key(id) {
            changes.removed(format!("{} `{id}`", kind_word(node)), None);
        }
    }
    for (id, node) in &new_nodes {
        let Some(before) = old_nodes.get(id) else {
            changes.added(format!("{} `{id}`", kind_word(node)), None);
            continue;
        };
        let what = format!("{} `{id}`", kind_word(node));
        let target = |bundle: &CompiledBundle, target: &Target| target_name(bundle, target);
        match (&before.kind, &node.kind) {
            (NodeKindIr::Question(a), NodeKindIr::Question(b)) => {
                question(&mut changes, &what, id, (old, a), (new, b));
            }
            (NodeKindIr::Outcome(a), NodeKindIr::Outcome(b)) => {
                outcome(&mut changes, &what, (old, a), (new, b));
            }
            (NodeKindIr::Branch(a), NodeKindIr::Branch(b)) => {
                let targets = |bundle: &CompiledBundle, branch: &BranchIr| -> Vec<String> {
                    match branch {
                        BranchIr::Cases {
                            cases,
                            otherwise,
                            written,
                        } => cases
                            .iter()
                            .enumerate()
                            .map(|(i, (_, t))| {
                                let when = written.get(i).map_or("?", |(w, _)| w.as_str());
                                format!("when {when}: {}", target(bundle, t))
                            })
                            .chain([format!("otherwise: {}", target(bundle, otherwise))])
                            .collect(),
                        BranchIr::Bands { bands, .. } => bands
                            .iter()
                            .map(|(from, below, t)| {
                                format!(
                                    "{}: {}",
                                    super::band_text(*from, *below),
                                    target(bundle, t)
                                )
                            })
                            .collect(),
                    }
                };
                changes.compare(&what, "leads to", targets(old, a), targets(new, b), |t| {
                    t.join(", ")
                });
            }
            (
                NodeKindIr::Call {
                    module: m1,
                    next: n1,
                },
                NodeKindIr::Call {
                    module: m2,
                    next: n2,
                },
            ) => {
                changes.compare(&what, "module", old.unit_id(*m1), new.unit_id(*m2), |m| {
                    m.to_string()
                });
                changes.compare(
                    &what,
                    "then",
                    target(old, n1),
                    target(new, n2),
                    String::clone,
                );
            }
            (
                NodeKindIr::Goto {
                    pathway: p1,
                    at: a1,
                },
                NodeKindIr::Goto {
                    pathway: p2,
                    at: a2,
                },
            ) => {
                let place = |bundle: &CompiledBundle, p: &UnitIdx, at: &crate::ir::NodeIdx| {
                    let node = bundle
                        .ir_nodes
                        .get(*at as usize)
                        .map_or("", |n| n.id.as_str());
                    format!("{}/{node}", bundle.unit_id(*p))
                };
                changes.compare(
                    &what,
                    "goes to",
                    place(old, p1, a1),
                    place(new, p2, a2),
                    String::clone,
                );
            }
            _ => changes.compare(&what, "kind", kind_word(before), kind_word(node), |k| {
                k.to_string()
            }),
        }
    }
    // Content changed under the same version: say so, so it is raised.
    if was.version == now.version && !changes.0.is_empty() {
        let what = match now.kind {
            UnitKind::Pathway(_) => format!("pathway `{}`", now.id),
            UnitKind::Module => format!("module `{}`", now.id),
        };
        changes.0.insert(
            0,
            Change {
                what,
                change: ChangeKind::Changed,
                field: Some("version, not raised though the content changed".to_owned()),
                old: Some(was.version.clone()),
                new: Some(now.version.clone()),
            },
        );
    }
    changes.0
}

fn header(
    changes: &mut Changes,
    (old, was): (&CompiledBundle, &UnitIr),
    (new, now): (&CompiledBundle, &UnitIr),
) {
    let what = match now.kind {
        UnitKind::Pathway(_) => format!("pathway `{}`", now.id),
        UnitKind::Module => format!("module `{}`", now.id),
    };
    changes.compare(&what, "version", &was.version, &now.version, |v| {
        v.to_string()
    });
    changes.text(&what, "title", Some(&was.title), Some(&now.title));
    changes.text(&what, "summary", was.summary.as_ref(), now.summary.as_ref());
    changes.compare(
        &what,
        "first node",
        target_name(old, &Target::Node(was.start)),
        target_name(new, &Target::Node(now.start)),
        String::clone,
    );
    if let (UnitKind::Pathway(a), UnitKind::Pathway(b)) = (&was.kind, &now.kind) {
        changes.compare(
            &what,
            "ages",
            a.ages_in_words(),
            b.ages_in_words(),
            String::clone,
        );
        let sexes = |s: &[crate::vocab::Sex]| {
            s.iter()
                .map(|x| format!("{x:?}").to_lowercase())
                .collect::<Vec<_>>()
                .join(", ")
        };
        changes.compare(
            &what,
            "sexes",
            sexes(&a.sexes),
            sexes(&b.sexes),
            String::clone,
        );
        let topics = |p: &crate::ir::Applicability| {
            p.topics
                .iter()
                .filter_map(|t| crate::topics::get(t.topic))
                .map(|t| t.title.clone())
                .collect::<Vec<_>>()
                .join("; ")
        };
        changes.compare(&what, "topics", topics(a), topics(b), String::clone);
        changes.compare(
            &what,
            "keywords",
            a.keywords.join(", "),
            b.keywords.join(", "),
            String::clone,
        );
    }
}

fn question(
    changes: &mut Changes,
    what: &str,
    id: &str,
    (old, a): (&CompiledBundle, &QuestionIr),
    (new, b): (&CompiledBundle, &QuestionIr),
) {
    changes.compare(what, "kind", a.kind, b.kind, |k| format!("{k:?}"));
    changes.text(what, "text", Some(&a.text), Some(&b.text));
    changes.text(what, "help", a.help.as_ref(), b.help.as_ref());
    changes.text(what, "unit", a.unit.as_ref(), b.unit.as_ref());
    changes.compare(what, "range", a.range, b.range, |r| {
        r.map_or_else(|| "(none)".to_owned(), |(lo, hi)| format!("{lo} to {hi}"))
    });
    let answer_id = |x: &AnswerIr| match x.band {
        Some((from, below)) => super::band_text(from, below),
        None => x.id.clone(),
    };
    for x in &a.answers {
        if !b.answers.iter().any(|y| answer_id(y) == answer_id(x)) {
            changes.removed(format!("answer `{}` of `{id}`", answer_id(x)), None);
        }
    }
    for y in &b.answers {
        let answer = format!("answer `{}` of `{id}`", answer_id(y));
        let Some(x) = a.answers.iter().find(|x| answer_id(x) == answer_id(y)) else {
            changes.added(
                answer,
                Some(format!("leads to {}", target_name(new, &y.next))),
            );
            continue;
        };
        changes.text(&answer, "label", Some(&x.label), Some(&y.label));
        changes.compare(
            &answer,
            "leads to",
            target_name(old, &x.next),
            target_name(new, &y.next),
            String::clone,
        );
        changes.text(
            &answer,
            "reason",
            x.reason.as_ref().map(|r| &r.text),
            y.reason.as_ref().map(|r| &r.text),
        );
        changes.compare(
            &answer,
            "care advice",
            advice_ids(old, &x.advice),
            advice_ids(new, &y.advice),
            |ids| ids.join(", "),
        );
        changes.text(&answer, "report", x.report.as_ref(), y.report.as_ref());
    }
    let order = |q: &QuestionIr| q.answers.iter().map(answer_id).collect::<Vec<_>>();
    let (was, now) = (order(a), order(b));
    let common = |of: &[String], other: &[String]| -> Vec<String> {
        of.iter().filter(|x| other.contains(x)).cloned().collect()
    };
    changes.compare(
        what,
        "order of answers",
        common(&was, &now),
        common(&now, &was),
        |o| o.join(", "),
    );
}

fn outcome(
    changes: &mut Changes,
    what: &str,
    (old, a): (&CompiledBundle, &OutcomeIr),
    (new, b): (&CompiledBundle, &OutcomeIr),
) {
    let disposition = |bundle: &CompiledBundle, o: &OutcomeIr| {
        bundle
            .disposition_ir(o.disposition)
            .map_or_else(String::new, |d| d.id.clone())
    };
    changes.compare(
        what,
        "disposition",
        disposition(old, a),
        disposition(new, b),
        String::clone,
    );
    changes.text(
        what,
        "reason",
        a.reason.as_ref().map(|r| &r.text),
        b.reason.as_ref().map(|r| &r.text),
    );
    changes.compare(
        what,
        "care advice",
        advice_ids(old, &a.advice),
        advice_ids(new, &b.advice),
        |ids| ids.join(", "),
    );
}

/// The dispositions and care advice added, removed or changed.
pub(super) fn catalogue(old: &CompiledBundle, new: &CompiledBundle) -> Vec<Change> {
    let mut changes = Changes(Vec::new());
    let by_id = |bundle: &CompiledBundle| {
        bundle
            .dispositions
            .iter()
            .map(|d| (d.id.clone(), d.clone()))
            .collect::<BTreeMap<_, _>>()
    };
    let (was, now) = (by_id(old), by_id(new));
    for id in was.keys().filter(|id| !now.contains_key(*id)) {
        changes.removed(format!("disposition `{id}`"), None);
    }
    for (id, d) in &now {
        let what = format!("disposition `{id}`");
        let Some(before) = was.get(id) else {
            changes.added(what, Some(d.title.english().to_owned()));
            continue;
        };
        changes.text(&what, "title", Some(&before.title), Some(&d.title));
        changes.text(
            &what,
            "description",
            before.description.as_ref(),
            d.description.as_ref(),
        );
        changes.compare(&what, "service", before.service, d.service, |s| {
            format!("{s:?}")
        });
        let minutes =
            |m: &Option<u32>| m.map_or_else(|| "(none)".to_owned(), |m| format!("{m} minutes"));
        changes.compare(
            &what,
            "act within",
            before.act_within_minutes,
            d.act_within_minutes,
            minutes,
        );
        changes.compare(&what, "rank", before.rank, d.rank, |r| r.to_string());
        changes.compare(
            &what,
            "care advice",
            advice_ids(old, &before.advice),
            advice_ids(new, &d.advice),
            |ids| ids.join(", "),
        );
    }
    let advice_by_id = |bundle: &CompiledBundle| {
        bundle
            .advice
            .iter()
            .map(|a| (a.id.clone(), a.clone()))
            .collect::<BTreeMap<_, _>>()
    };
    let (was, now) = (advice_by_id(old), advice_by_id(new));
    for id in was.keys().filter(|id| !now.contains_key(*id)) {
        changes.removed(format!("care advice `{id}`"), None);
    }
    for (id, a) in &now {
        let what = format!("care advice `{id}`");
        let Some(before) = was.get(id) else {
            changes.added(what, Some(a.title.english().to_owned()));
            continue;
        };
        changes.text(&what, "title", Some(&before.title), Some(&a.title));
        changes.text(&what, "text", Some(&before.text), Some(&a.text));
    }
    changes.0
}

fn nodes_by_id<'b>(bundle: &'b CompiledBundle, unit: &UnitIr) -> BTreeMap<&'b str, &'b NodeIr> {
    let range = unit.nodes.start as usize..unit.nodes.end as usize;
    bundle
        .ir_nodes
        .get(range)
        .unwrap_or(&[])
        .iter()
        .map(|n| (n.id.as_str(), n))
        .collect()
}

fn kind_word(node: &NodeIr) -> &'static str {
    match node.kind {
        NodeKindIr::Question(_) => "question",
        NodeKindIr::Branch(_) => "branch",
        NodeKindIr::Outcome(_) => "outcome",
        NodeKindIr::Call { .. } => "module call",
        NodeKindIr::Goto { .. } => "jump",
    }
}

fn target_name(bundle: &CompiledBundle, target: &Target) -> String {
    match target {
        Target::Return => "return".to_owned(),
        Target::Node(n) => bundle
            .ir_nodes
            .get(*n as usize)
            .map_or_else(String::new, |n| n.id.clone()),
    }
}

fn advice_ids(bundle: &CompiledBundle, advice: &[crate::ir::AdviceIdx]) -> Vec<String> {
    advice
        .iter()
        .filter_map(|a| bundle.advice_ir(*a))
        .map(|a| a.id.clone())
        .collect()
}

/// A text with every variant it has, so a change to any of them shows:
/// `self: Do you...? | child: Does your child...?`, Welsh after `||`.
fn full_text(text: &TextDoc) -> String {
    use crate::model::{AudienceTextDoc, LanguageText};
    use crate::vocab::{Audience, Language};
    text.languages()
        .map(|(language, words)| {
            let prefix = match language {
                Language::En => "",
                Language::Cy => "Welsh: ",
            };
            let words = match words {
                LanguageText::All(text) => text.to_string(),
                LanguageText::Of(AudienceTextDoc::All(text)) => text.clone(),
                LanguageText::Of(AudienceTextDoc::Each(each)) => Audience::ALL
                    .iter()
                    .filter_map(|a| {
                        let text = each.get(*a as usize)?.as_deref()?;
                        Some(format!("{}: {text}", a.word()))
                    })
                    .collect::<Vec<_>>()
                    .join(" | "),
            };
            format!("{prefix}{words}")
        })
        .collect::<Vec<_>>()
        .join(" || ")
}

/// Dispositions kept under the same id that now ask for less urgency: more
/// time to act (or no deadline where there was one), or a rank below a
/// disposition it used to rank above. Every journey ending there is then
/// less urgent, though it ends where it did.
pub(super) fn less_urgent_dispositions(old: &CompiledBundle, new: &CompiledBundle) -> Vec<String> {
    let above = |bundle: &CompiledBundle, id: &str, rank: u32| -> Vec<String> {
        bundle
            .dispositions
            .iter()
            .filter(|d| d.rank < rank && d.id != id)
            .map(|d| d.id.clone())
            .collect()
    };
    let mut out = Vec::new();
    for now in &new.dispositions {
        let Some(was) = old.dispositions.iter().find(|d| d.id == now.id) else {
            continue;
        };
        let more_time = match (was.act_within_minutes, now.act_within_minutes) {
            (Some(a), Some(b)) => b > a,
            (Some(_), None) => true,
            _ => false,
        };
        // Ranked below one it used to rank above (both in both versions).
        let before = above(old, &was.id, was.rank);
        let demoted = above(new, &now.id, now.rank)
            .iter()
            .any(|id| !before.contains(id) && old.dispositions.iter().any(|d| &d.id == id));
        if more_time || demoted {
            out.push(now.id.clone());
        }
    }
    out.sort();
    out
}
