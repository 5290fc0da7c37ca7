//! `triage review DIR PATHWAY [--format markdown|html]`: the whole pathway
//! as a document a clinical safety officer can read and sign: every question
//! with its answers and where each leads, branches in words, every outcome
//! with its reasons and care advice, the sources, the version and content
//! hash, and the results of the pathway's case packs.

use super::Bundle;
use crate::output::{self, Status};
use crate::terminal::clean;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt::Write as _;
use triage_core::casepack;
use triage_core::model::{AnswerDoc, NodeDoc, QuestionDoc, QuestionKindDoc, TextDoc};

/// How `review` writes the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReviewFormat {
    /// Markdown.
    Markdown,
    /// A web page that prints well.
    Html,
}

/// Runs `triage review`.
pub fn review(
    bundle: &Bundle,
    pathway: &str,
    format: ReviewFormat,
    against: Option<(&Bundle, &std::path::Path)>,
) -> std::io::Result<Status> {
    let (compiled, ir) = match (bundle.compiled(), &bundle.built.ir) {
        (Ok(compiled), Some(ir)) => (compiled, ir),
        (Err(status), _) => return Ok(status),
        (Ok(_), None) => return Ok(Status::Failed),
    };
    // What changed since the version signed before, for this pathway.
    let changes = match against {
        None => None,
        Some((old, dir)) => {
            let (old, note) = match old.compiled_for_review(dir) {
                Ok(old) => old,
                Err(status) => return Ok(status),
            };
            match triage_core::diff::diff(old, compiled) {
                Ok(mut report) => {
                    report.notes.extend(note);
                    report.narrow(pathway);
                    Some((report, dir.display().to_string()))
                }
                Err(error) => {
                    output::eprint(&format!("error: {error}\n"));
                    return Ok(Status::Failed);
                }
            }
        }
    };
    let doc = &bundle.built.doc;
    let (Some((file_index, file)), Some(id)) = (
        doc.pathways
            .iter()
            .find(|(_, p)| p.pathway.id.value == pathway),
        compiled.pathway_index(pathway),
    ) else {
        return Ok(output::usage_error(&format!(
            "there is no pathway `{}`; `triage list pathways DIR` lists them",
            clean(pathway)
        )));
    };
    let source = bundle
        .built
        .sources
        .files
        .get(*file_index)
        .map(|f| (f.path.as_str(), f.text.as_str()))
        .unwrap_or(("", ""));
    let dispositions: HashMap<&str, &str> = doc
        .dispositions
        .iter()
        .flat_map(|(_, d)| d.dispositions.iter())
        .map(|d| (d.id.value.as_str(), d.title.value.english()))
        .collect();
    let advice: HashMap<&str, (&str, &str)> = doc
        .care_advice
        .iter()
        .flat_map(|(_, c)| c.care_advice.iter())
        .map(|a| {
            (
                a.id.value.as_str(),
                (a.title.value.english(), a.text.value.english()),
            )
        })
        .collect();
    let header = &file.pathway;
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Sign-off sheet: {} ({})\n",
        esc(header.title.value.english()),
        code(pathway)
    );
    if let Some(summary) = &header.summary {
        let _ = writeln!(md, "{}\n", esc(summary.value.english()));
    }
    let hash = Sha256::digest(source.1.as_bytes());
    let ages = match (header.ages.value.from, header.ages.value.to) {
        (Some(from), Some(to)) => format!("{from} up to (not including) {to}"),
        (Some(from), None) => format!("{from} and over"),
        (None, Some(to)) => format!("under {to}"),
        (None, None) => "all ages".to_owned(),
    };
    let sexes: Vec<String> = header
        .sexes
        .value
        .iter()
        .map(|s| format!("{:?}", s.value).to_lowercase())
        .collect();
    let topics: Vec<String> = header
        .topics
        .iter()
        .flatten()
        .map(|t| match &t.value {
            triage_core::model::TopicClaimDoc::Title(title) => esc(title),
            triage_core::model::TopicClaimDoc::Full { title, .. } => esc(&title.value),
        })
        .collect();
    let _ = writeln!(md, "| | |\n|---|---|");
    let _ = writeln!(md, "| Version | {} |", esc(&header.version.value));
    let _ = writeln!(md, "| File | {} |", code(source.0));
    let _ = writeln!(md, "| Content hash (SHA-256 of the file) | `{hash:x}` |");
    let _ = writeln!(md, "| Bundle hash | `{}` |", compiled.hash());
    let _ = writeln!(md, "| Ages (years) | {ages} |");
    let _ = writeln!(md, "| Sexes | {} |", sexes.join(", "));
    let _ = writeln!(
        md,
        "| 111 online topics | {} |\n",
        if topics.is_empty() {
            "none (reached by search or a jump)".to_owned()
        } else {
            topics.join("; ")
        }
    );

    let _ = writeln!(md, "## Sources\n");
    for s in &header.sources {
        let _ = writeln!(md, "- {} <{}>", esc(&s.title.value), esc(&s.url.value));
    }

    let report = casepack::run_pathway(compiled, ir, id);
    let c = &report.coverage;
    let _ = writeln!(md, "\n## Case packs\n");
    let _ = writeln!(
        md,
        "{} cases: {} passed, {} failed. Coverage of this pathway: answers {:.1}% ({}/{}), nodes {:.1}% ({}/{}), dispositions {:.1}% ({}/{}).\n",
        report.cases.len(),
        report.passed(),
        report.failed(),
        c.edges.percent,
        c.edges.covered,
        c.edges.total,
        c.nodes.percent,
        c.nodes.covered,
        c.nodes.total,
        c.dispositions.percent,
        c.dispositions.covered,
        c.dispositions.total
    );
    for case in report.cases.iter().filter(|c| !c.passed) {
        let _ = writeln!(
            md,
            "- FAILED: {} ({})",
            esc(&case.name),
            esc(case.failure.as_deref().unwrap_or(""))
        );
    }
    for edge in &c.uncovered_edges {
        let _ = writeln!(md, "- No case takes: {}", esc(edge));
    }
    if let Some(p) = c.pathways.first() {
        let names: Vec<String> = p
            .reachable
            .iter()
            .map(|d| {
                format!(
                    "{} ({})",
                    esc(dispositions.get(d.as_str()).copied().unwrap_or(d)),
                    code(d)
                )
            })
            .collect();
        let _ = writeln!(
            md,
            "\nOutcomes this pathway can reach, most urgent first: {}.",
            names.join("; ")
        );
    }

    let _ = writeln!(md, "\n## Nodes, in the order written\n");
    for (node_id, node) in &file.nodes.0 {
        let name = code(&node_id.value);
        match &node.value {
            NodeDoc::Question(q) => {
                let _ = writeln!(md, "### {name}: question ({})\n", kind(q));
                text_block(&mut md, "Asked", &q.text.value);
                if let Some(help) = &q.help {
                    text_block(&mut md, "Help", &help.value);
                }
                let _ = writeln!(
                    md,
                    "| Answer | Goes to | Reason | Care advice |\n|---|---|---|---|"
                );
                for (label, answer) in answers(q) {
                    let reason = answer
                        .reason
                        .as_ref()
                        .map(|r| esc(r.value.english()))
                        .unwrap_or_default();
                    let advice_titles: Vec<String> = answer
                        .advice
                        .iter()
                        .map(|a| {
                            esc(advice
                                .get(a.value.as_str())
                                .map_or(a.value.as_str(), |t| t.0))
                        })
                        .collect();
                    let _ = writeln!(
                        md,
                        "| {label} | {} | {reason} | {} |",
                        code(&answer.next.value),
                        advice_titles.join("; ")
                    );
                }
                md.push('\n');
            }
            NodeDoc::Branch(b) => {
                let _ = writeln!(md, "### {name}: branch\n");
                for case in b.cases.iter().flat_map(|c| c.value.iter()) {
                    let _ = writeln!(
                        md,
                        "- If {}: go to {}",
                        code(&case.when.value),
                        code(&case.next.value)
                    );
                }
                if let Some(o) = &b.otherwise {
                    let _ = writeln!(md, "- Otherwise: go to {}", code(&o.value));
                }
                if let Some(on) = &b.on {
                    for band in b.bands.iter().flat_map(|b| b.value.iter()) {
                        let _ = writeln!(
                            md,
                            "- When {} is {}: go to {}",
                            code(&on.value),
                            range(
                                band.value.from.as_ref().map(|f| f.value),
                                band.value.below.as_ref().map(|b| b.value)
                            ),
                            code(&band.value.next.value)
                        );
                    }
                }
                md.push('\n');
            }
            NodeDoc::Outcome(o) => {
                let d = o.disposition.value.as_str();
                let _ = writeln!(
                    md,
                    "### {name}: outcome {} ({})\n",
                    esc(dispositions.get(d).copied().unwrap_or(d)),
                    code(d)
                );
                if let Some(reason) = &o.reason {
                    text_block(
                        &mut md,
                        "Reason when none was met on the way",
                        &reason.value,
                    );
                }
                for a in &o.advice {
                    let (title, text) = advice
                        .get(a.value.as_str())
                        .copied()
                        .unwrap_or((&a.value, ""));
                    let _ = writeln!(md, "- Care advice, {}: {}", esc(title), esc(text));
                }
                md.push('\n');
            }
            NodeDoc::Call(call) => {
                let _ = writeln!(
                    md,
                    "### {name}: runs the module {}, then {}\n",
                    code(&call.module.value),
                    code(&call.next.value)
                );
            }
            NodeDoc::Goto(goto) => {
                let _ = writeln!(
                    md,
                    "### {name}: carries on in the pathway {}{}\n",
                    code(&goto.pathway.value),
                    goto.at
                        .as_ref()
                        .map(|a| format!(" at {}", code(&a.value)))
                        .unwrap_or_default()
                );
            }
        }
    }
    if let Some((report, old_dir)) = &changes {
        let _ = writeln!(
            md,
            "## Changes since {}\n\nEvery journey of this pathway compared with the version in {}: those that now end elsewhere, and what was added, removed or reworded.\n",
            code(old_dir),
            code(old_dir)
        );
        let section = super::diff::markdown(report, 2);
        // The section's own title is the heading above.
        let body = section.split_once('\n').map_or("", |(_, rest)| rest);
        let _ = writeln!(md, "{}", body.trim());
        if report.pathways.is_empty()
            && report.pathways_added.is_empty()
            && report.pathways_removed.is_empty()
        {
            let _ = writeln!(
                md,
                "\nNo journey of this pathway ends differently, and none of its own nodes changed."
            );
        }
        md.push('\n');
    }
    let _ = writeln!(
        md,
        "## Sign-off\n\n| Role | Name | Signature | Date |\n|---|---|---|---|\n| Clinical author | | | |\n| Clinical safety officer | | | |"
    );
    let text = match format {
        ReviewFormat::Markdown => md,
        ReviewFormat::Html => html(
            &md,
            &format!("Sign-off sheet: {}", header.title.value.english()),
        ),
    };
    output::print(&text)?;
    Ok(Status::Ok)
}

fn kind(q: &QuestionDoc) -> &'static str {
    match q.kind.value {
        QuestionKindDoc::YesNo => "yes or no",
        QuestionKindDoc::Single => "one of",
        QuestionKindDoc::Multiple => "any of",
        QuestionKindDoc::Number => "a number",
    }
}

/// Each answer of a question, named as the person sees it.
fn answers(q: &QuestionDoc) -> Vec<(String, &AnswerDoc)> {
    use super::graph::AnswerName;
    super::graph::answer_list(q)
        .into_iter()
        .map(|(name, answer)| {
            let label = match name {
                AnswerName::Yes => "Yes".to_owned(),
                AnswerName::No => "No".to_owned(),
                AnswerName::Option(id, label) => format!("{} ({})", esc(label), code(id)),
                AnswerName::Band(from, below) => range(from, below),
                AnswerName::NoneOfThese => "None of these".to_owned(),
                AnswerName::NotSure => "I'm not sure".to_owned(),
            };
            (label, answer)
        })
        .collect()
}

fn range(from: Option<f64>, below: Option<f64>) -> String {
    match (from, below) {
        (Some(f), Some(b)) => format!("{f} up to (not including) {b}"),
        (Some(f), None) => format!("{f} or more"),
        (None, Some(b)) => format!("under {b}"),
        (None, None) => "any value".to_owned(),
    }
}

/// A text in every audience it is written for.
fn text_block(md: &mut String, what: &str, text: &TextDoc) {
    let mut parts = Vec::new();
    for (_, language) in text.languages() {
        for t in language.texts() {
            if !parts.contains(&t) {
                parts.push(t);
            }
        }
    }
    let quoted: Vec<String> = parts.iter().map(|t| format!("\"{}\"", esc(t))).collect();
    let _ = writeln!(md, "{what}: {}\n", quoted.join(" / "));
}

/// Text from the bundle made inert in Markdown: control characters dropped,
/// on one line, and every character Markdown or HTML would act on escaped.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in clean(text).chars() {
        match c {
            '\n' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '&' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// An id or condition as a code span: backslash escapes do not work inside
/// one, so only what would end it (a backtick) is changed, and a `|` that
/// would end a table cell is escaped.
pub(super) fn code(text: &str) -> String {
    let inner = clean(text).replace(['`', '\n'], " ").replace('|', "\\|");
    format!("`{inner}`")
}

/// The Markdown sheet as a page; any HTML in it is shown as text, never run.
fn html(md: &str, title: &str) -> String {
    use pulldown_cmark::{html, Event, Options, Parser};
    let parser = Parser::new_ext(md, Options::ENABLE_TABLES).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut body = String::new();
    html::push_html(&mut body, parser);
    let escaped_title = clean(title)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{escaped_title}</title>\n<style>\nbody {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; line-height: 1.4; }}\ntable {{ border-collapse: collapse; margin: 0.5rem 0 1rem; }}\ntd, th {{ border: 1px solid #999; padding: 0.25rem 0.5rem; vertical-align: top; }}\nh3 {{ margin-top: 1.5rem; }}\n@media print {{ h3 {{ break-after: avoid; }} }}\n</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )
}
