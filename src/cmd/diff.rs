//! `triage diff OLD NEW`: which journeys end somewhere else, for whom, and
//! what was added, removed or reworded (see [`triage_core::diff`]).

use super::review::{code, esc};
use super::{to_json_line, Bundle};
use crate::output::{self, Status};
use crate::terminal::clean;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;
use triage_core::diff::{
    BundleDiff, Change, ChangeKind, JourneyChange, JourneyChangeKind, PathwayDiff, ServedChange,
    MAX_STATES,
};

/// How `diff` prints its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Readable text.
    Human,
    /// Markdown, e.g. for a pull request.
    Markdown,
    /// One JSON document (`triage.diff/1`).
    Json,
}

/// When `diff` exits 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Some journey became less urgent, people lost a pathway, a pathway was
    /// removed, or a pathway could not be compared in full.
    LessUrgent,
    /// Anything changed.
    Any,
}

/// Journeys shown per kind of change and pathway in text and Markdown (JSON has all).
const SHOWN: usize = 12;

/// Runs `triage diff`.
pub fn diff(
    (old, old_dir): (&Bundle, &Path),
    (new, new_dir): (&Bundle, &Path),
    format: DiffFormat,
    fail_on: Option<FailOn>,
    pathway: Option<&str>,
) -> std::io::Result<Status> {
    let ((old_compiled, old_note), (new_compiled, new_note)) = match (
        old.compiled_for_review(old_dir),
        new.compiled_for_review(new_dir),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(status), _) | (_, Err(status)) => return Ok(status),
    };
    let with_errors = old_note.is_some() || new_note.is_some();
    let mut report = match triage_core::diff::diff(old_compiled, new_compiled) {
        Ok(report) => report,
        Err(error) => {
            output::eprint(&format!("error: {error}\n"));
            return Ok(Status::Failed);
        }
    };
    report.notes.extend(
        old_note
            .into_iter()
            .chain(new_note)
            .map(|n| clean(&n).into_owned()),
    );
    if let Some(id) = pathway {
        let known = |bundle: &triage_core::compile::CompiledBundle| {
            bundle.pathway_index(id).is_some() || bundle.has_unit(id)
        };
        if !known(old_compiled) && !known(new_compiled) {
            return Ok(output::usage_error(&format!(
                "neither version has a pathway or module `{}`; `triage list pathways DIR` lists the pathways",
                clean(id)
            )));
        }
        report.narrow(id);
    }
    let text = match format {
        DiffFormat::Json => to_json_line(&report),
        DiffFormat::Markdown => markdown(&report, 2),
        DiffFormat::Human => human(&report),
    };
    output::print(&text)?;
    let failed = match fail_on {
        Some(FailOn::LessUrgent) => report.may_be_less_urgent(),
        Some(FailOn::Any) => !report.is_empty(),
        None => false,
    };
    if failed {
        output::eprint(match fail_on {
            Some(FailOn::LessUrgent) => {
                "diff: some people may now be triaged less urgently; a second clinical reviewer must sign this change off\n"
            }
            _ => "diff: the versions differ\n",
        });
    }
    Ok(if failed || with_errors {
        Status::Failed
    } else {
        Status::Ok
    })
}

/// The report as text for a terminal.
fn human(report: &BundleDiff) -> String {
    let mut out = String::new();
    for note in &report.notes {
        let _ = writeln!(out, "Note: {}\n", clean(note));
    }
    let _ = writeln!(out, "{}", summary(report));
    for removed in &report.pathways_removed {
        let _ = writeln!(
            out,
            "\npathway removed: {} ({})",
            clean(&removed.id),
            clean(&removed.title)
        );
    }
    for added in &report.pathways_added {
        let _ = writeln!(
            out,
            "\npathway added: {} ({})",
            clean(&added.id),
            clean(&added.title)
        );
    }
    let (same_as, repeated) = repeats(report);
    for (index, pathway) in report.pathways.iter().enumerate() {
        if repeated.contains(&index) {
            continue;
        }
        let _ = writeln!(
            out,
            "\n{}: {} (version {} -> {})",
            clean(&pathway.id),
            clean(&pathway.title),
            clean(&pathway.old_version),
            clean(&pathway.new_version)
        );
        if pathway.incomplete {
            let _ = writeln!(out, "  {}", incomplete_note(pathway));
        }
        for change in &pathway.people {
            let _ = writeln!(
                out,
                "  {}: {}",
                served_words(change.change),
                clean(&change.people.text)
            );
        }
        for (kind, journeys) in by_kind(pathway) {
            let _ = writeln!(out, "  {} ({}):", kind.heading(), journeys.len());
            for journey in journeys.iter().take(SHOWN) {
                for line in journey_lines(journey) {
                    let _ = writeln!(out, "    {}", clean(&line));
                }
                out.push('\n');
            }
            if journeys.len() > SHOWN {
                let _ = writeln!(
                    out,
                    "    ... and {} more (all are in --format json)",
                    journeys.len() - SHOWN
                );
            }
        }
        if !pathway.changes.is_empty() {
            let _ = writeln!(out, "  Added, removed or reworded:");
            for change in &pathway.changes {
                let _ = writeln!(out, "    {}", clean(&change_line(change)));
            }
        }
        if let Some(others) = same_as.get(&index) {
            let _ = writeln!(
                out,
                "  The same journeys change in {} more (through a module or jump they share): {}",
                crate::render::plural(others.len(), "pathway"),
                others
                    .iter()
                    .map(|o| clean(&report.pathways[*o].id).into_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    for (title, list) in [
        ("module removed", &report.modules_removed),
        ("module added", &report.modules_added),
    ] {
        for unit in list {
            let _ = writeln!(
                out,
                "\n{title}: {} ({})",
                clean(&unit.id),
                clean(&unit.title)
            );
        }
    }
    for module in &report.modules {
        let _ = writeln!(
            out,
            "\nmodule {}: {}",
            clean(&module.id),
            clean(&module.title)
        );
        for change in &module.changes {
            let _ = writeln!(out, "    {}", clean(&change_line(change)));
        }
    }
    if !report.catalogue.is_empty() {
        let _ = writeln!(out, "\nDispositions and care advice:");
        for change in &report.catalogue {
            let _ = writeln!(out, "    {}", clean(&change_line(change)));
        }
    }
    out
}

/// The report as Markdown, its headings starting at level `level`.
pub fn markdown(report: &BundleDiff, level: usize) -> String {
    let h = |extra: usize| "#".repeat(level + extra);
    let mut md = String::new();
    let _ = writeln!(md, "{} What changed\n", h(0));
    for note in &report.notes {
        let _ = writeln!(md, "> **Note:** {}\n", esc(note));
    }
    let _ = writeln!(md, "{}\n", esc(&summary(report)));
    for removed in &report.pathways_removed {
        let _ = writeln!(
            md,
            "- Pathway removed: {} ({})",
            code(&removed.id),
            esc(&removed.title)
        );
    }
    for added in &report.pathways_added {
        let _ = writeln!(
            md,
            "- Pathway added: {} ({})",
            code(&added.id),
            esc(&added.title)
        );
    }
    let (same_as, repeated) = repeats(report);
    for (index, pathway) in report.pathways.iter().enumerate() {
        if repeated.contains(&index) {
            continue;
        }
        let _ = writeln!(
            md,
            "\n{} {} {} (version {} → {})\n",
            h(1),
            code(&pathway.id),
            esc(&pathway.title),
            esc(&pathway.old_version),
            esc(&pathway.new_version)
        );
        if pathway.incomplete {
            let _ = writeln!(md, "**{}**\n", esc(&incomplete_note(pathway)));
        }
        for change in &pathway.people {
            let _ = writeln!(
                md,
                "- **{}**: {}",
                served_words(change.change),
                esc(&change.people.text)
            );
        }
        for (kind, journeys) in by_kind(pathway) {
            let _ = writeln!(md, "\n{} {} ({})\n", h(2), kind.heading(), journeys.len());
            for journey in journeys.iter().take(SHOWN) {
                let mut lines = journey_lines(journey).into_iter();
                if let Some(first) = lines.next() {
                    let _ = writeln!(md, "- **{}**", esc(&first));
                }
                for line in lines {
                    let _ = writeln!(md, "  - {}", esc(&line));
                }
            }
            if journeys.len() > SHOWN {
                let _ = writeln!(
                    md,
                    "- … and {} more (all are in `--format json`)",
                    journeys.len() - SHOWN
                );
            }
        }
        if !pathway.changes.is_empty() {
            let _ = writeln!(md, "\n{} Added, removed or reworded\n", h(2));
            for change in &pathway.changes {
                let _ = writeln!(md, "- {}", change_markdown(change));
            }
        }
        if let Some(others) = same_as.get(&index) {
            let _ =
                writeln!(
                md,
                "\nThe same journeys change in {} more (through a module or jump they share): {}",
                crate::render::plural(others.len(), "pathway"),
                others.iter().map(|o| code(&report.pathways[*o].id)).collect::<Vec<_>>().join(", ")
            );
        }
    }
    if !report.modules.is_empty()
        || !report.modules_added.is_empty()
        || !report.modules_removed.is_empty()
    {
        let _ = writeln!(md, "\n{} Modules\n", h(1));
        for unit in &report.modules_removed {
            let _ = writeln!(
                md,
                "- Module removed: {} ({})",
                code(&unit.id),
                esc(&unit.title)
            );
        }
        for unit in &report.modules_added {
            let _ = writeln!(
                md,
                "- Module added: {} ({})",
                code(&unit.id),
                esc(&unit.title)
            );
        }
        for module in &report.modules {
            let _ = writeln!(md, "- {} {}", code(&module.id), esc(&module.title));
            for change in &module.changes {
                let _ = writeln!(md, "  - {}", change_markdown(change));
            }
        }
    }
    if !report.catalogue.is_empty() {
        let _ = writeln!(md, "\n{} Dispositions and care advice\n", h(1));
        for change in &report.catalogue {
            let _ = writeln!(md, "- {}", change_markdown(change));
        }
    }
    md
}

fn summary(report: &BundleDiff) -> String {
    let changed = report.pathways.len();
    let mut text = format!(
        "Compared {} pathways in both versions ({} journey classes).",
        report.pathways_compared, report.classes_compared
    );
    if let Some(id) = &report.narrowed_to {
        let _ = write!(
            text,
            " Showing `{}` only ({} other pathways or modules changed).",
            clean(id),
            report.changed_elsewhere
        );
    }
    if report.is_empty() {
        text.push_str(match report.narrowed_to {
            Some(_) => " No change in it.",
            None => " No change.",
        });
        return text;
    }
    if !report.less_urgent_dispositions.is_empty() {
        let _ = write!(
            text,
            " Dispositions that now ask for less urgency, so every journey ending at them is less urgent: {}.",
            report
                .less_urgent_dispositions
                .iter()
                .map(|d| clean(d).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let lost = report
        .pathways
        .iter()
        .flat_map(|p| &p.people)
        .filter(|c| c.change == ServedChange::NoLongerServed)
        .count();
    if lost > 0 {
        let _ = write!(
            text,
            " {} no longer serve some people.",
            crate::render::plural(lost, "pathway")
        );
    }
    let _ = write!(
        text,
        " {changed} changed, {} added, {} removed. Journeys: {} less urgent, {} more urgent, {} to another service at the same urgency, {} with other care advice or reasons.",
        report.pathways_added.len(),
        report.pathways_removed.len(),
        report.count(JourneyChangeKind::LessUrgent),
        report.count(JourneyChangeKind::MoreUrgent),
        report.count(JourneyChangeKind::OtherService),
        report.count(JourneyChangeKind::AdviceOrReasons),
    );
    text
}

fn incomplete_note(pathway: &PathwayDiff) -> String {
    format!(
        "Not compared in full: its journeys reach more than {MAX_STATES} distinct states, or one runs past 400 answers; {} journey classes were compared. Review it by hand.",
        pathway.classes
    )
}

fn served_words(change: ServedChange) -> &'static str {
    match change {
        ServedChange::NoLongerServed => "No longer served",
        ServedChange::NewlyServed => "Newly served",
    }
}

/// The journeys of a pathway grouped by kind, in the order kinds are declared.
fn by_kind(pathway: &PathwayDiff) -> Vec<(JourneyChangeKind, Vec<&JourneyChange>)> {
    let mut groups: Vec<(JourneyChangeKind, Vec<&JourneyChange>)> = Vec::new();
    for journey in &pathway.journeys {
        match groups.iter_mut().find(|(kind, _)| *kind == journey.change) {
            Some((_, list)) => list.push(journey),
            None => groups.push((journey.change, vec![journey])),
        }
    }
    groups.sort_by_key(|(kind, _)| *kind);
    groups
}

/// A journey change as lines: who, where it parts, the two ends, the answers.
fn journey_lines(journey: &JourneyChange) -> Vec<String> {
    let ways = match (journey.classes, journey.example_people == journey.people) {
        (1, _) => String::new(),
        (n, true) => format!(" ({n} journey classes; the first is shown)"),
        (n, false) => format!(
            " ({n} journey classes; the first is shown, for {})",
            journey.example_people.text
        ),
    };
    let mut lines = vec![format!("For {}{ways}", journey.people.text)];
    if let Some(fork) = &journey.fork {
        if fork.old_edge == "no such answer" {
            lines.push(format!(
                "at {}: the new {} leads to {} (the old version did not offer it)",
                fork.node, fork.new_edge, fork.new_next
            ));
        } else if fork.new_edge == "no such answer" {
            lines.push(format!(
                "at {}: {} is no longer offered (it led to {})",
                fork.node, fork.old_edge, fork.old_next
            ));
        } else if fork.old_edge == fork.new_edge {
            lines.push(format!(
                "at {}: {} now leads to {} (was {})",
                fork.node, fork.new_edge, fork.new_next, fork.old_next
            ));
        } else if fork.old_next.is_empty() {
            lines.push(format!(
                "at {}: now {} (was {})",
                fork.node,
                fork.new_edge,
                fork.old_edge.trim_start_matches("ends at ")
            ));
        } else {
            lines.push(format!(
                "at {}: now {} to {} (was {} to {})",
                fork.node, fork.new_edge, fork.new_next, fork.old_edge, fork.old_next
            ));
        }
    }
    lines.push(format!(
        "was {} ({}) at {}, now {} ({}) at {}",
        journey.old.disposition,
        journey.old.title,
        journey.old.outcome,
        journey.new.disposition,
        journey.new.title,
        journey.new.outcome
    ));
    if journey.change == JourneyChangeKind::AdviceOrReasons {
        if journey.old.reasons != journey.new.reasons {
            lines.push(format!(
                "reasons were {}, now {}",
                list_or_none(&journey.old.reasons),
                list_or_none(&journey.new.reasons)
            ));
        }
        if journey.old.care_advice != journey.new.care_advice {
            lines.push(format!(
                "care advice was {}, now {}",
                list_or_none(&journey.old.care_advice),
                list_or_none(&journey.new.care_advice)
            ));
        }
    }
    let answers = |given: &[triage_core::diff::Given]| {
        given
            .iter()
            .map(|g| format!("{} = {}", g.question, g.answer))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (old, new) = (answers(&journey.old_answers), answers(&journey.new_answers));
    if old == new {
        lines.push(format!(
            "answers: {}",
            if old.is_empty() { "none" } else { &old }
        ));
    } else {
        lines.push(format!("answers before: {old}"));
        lines.push(format!("answers now: {new}"));
    }
    lines
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

fn change_line(change: &Change) -> String {
    let value = |v: &Option<String>| v.as_deref().unwrap_or("").to_owned();
    match change.change {
        ChangeKind::Added => match &change.new {
            Some(new) => format!("added {}: {new}", change.what),
            None => format!("added {}", change.what),
        },
        ChangeKind::Removed => format!("removed {}", change.what),
        ChangeKind::Changed if is_version_note(change) => format!(
            "{}: the content changed, but its version is still \"{}\"",
            change.what,
            value(&change.new)
        ),
        ChangeKind::Changed => format!(
            "{}, {}: was \"{}\", now \"{}\"",
            change.what,
            change.field.as_deref().unwrap_or("it"),
            value(&change.old),
            value(&change.new)
        ),
    }
}

/// The note that content changed under the same version.
fn is_version_note(change: &Change) -> bool {
    change
        .field
        .as_deref()
        .is_some_and(|f| f.starts_with("version, not raised"))
}

/// A change in Markdown: ids as code, texts as text.
fn change_markdown(change: &Change) -> String {
    // `what` is words with ids between backticks.
    let what: String = change
        .what
        .split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { code(part) } else { esc(part) })
        .collect();
    let value = |v: &Option<String>| esc(v.as_deref().unwrap_or(""));
    match change.change {
        ChangeKind::Added => match &change.new {
            Some(new) => format!("added {what}: {}", esc(new)),
            None => format!("added {what}"),
        },
        ChangeKind::Removed => format!("removed {what}"),
        ChangeKind::Changed if is_version_note(change) => format!(
            "{what}: the content changed, but its version is still “{}”",
            value(&change.new)
        ),
        ChangeKind::Changed => format!(
            "{what}, {}: was “{}”, now “{}”",
            esc(change.field.as_deref().unwrap_or("it")),
            value(&change.old),
            value(&change.new)
        ),
    }
}

/// Pathways whose journeys change in just the same way as an earlier one's
/// (a change in a module or pathway they share) and that have no change of
/// their own: each first such pathway with the others, and the others, which
/// are then listed by id rather than in full.
fn repeats(report: &BundleDiff) -> (HashMap<usize, Vec<usize>>, HashSet<usize>) {
    let signature = |p: &PathwayDiff| -> Option<String> {
        if p.journeys.is_empty() || !p.changes.is_empty() || !p.people.is_empty() || p.incomplete {
            return None;
        }
        Some(
            p.journeys
                .iter()
                .map(|j| {
                    format!(
                        "{:?}|{:?}|{}|{}|{}|{}|{}",
                        j.change,
                        j.fork,
                        j.people.text,
                        j.old.disposition,
                        j.old.outcome,
                        j.new.disposition,
                        j.new.outcome
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
        )
    };
    let mut first_of: HashMap<String, usize> = HashMap::new();
    let mut same_as: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut repeated = HashSet::new();
    for (index, pathway) in report.pathways.iter().enumerate() {
        let Some(key) = signature(pathway) else {
            continue;
        };
        match first_of.get(&key) {
            Some(first) => {
                same_as.entry(*first).or_default().push(index);
                repeated.insert(index);
            }
            None => {
                first_of.insert(key, index);
            }
        }
    }
    (same_as, repeated)
}
