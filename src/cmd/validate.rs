//! `triage validate`: report every problem in a bundle, then a one-line summary.

use super::{Bundle, ReportFormat};
use crate::output::{self, Status};
use crate::render::{self, plural, Tally};
use std::io::IsTerminal;
use triage_core::report::{Summary, ValidationReport};

/// Runs `triage validate`.
pub fn validate(bundle: &Bundle, format: ReportFormat) -> std::io::Result<Status> {
    let diagnostics = &bundle.built.diagnostics;
    let tally = Tally::of(diagnostics);
    let counts = Summary::of(&bundle.built.doc, diagnostics);
    let text = match format {
        ReportFormat::Human => {
            let color = render::use_color(std::io::stdout().is_terminal());
            let mut text = render::human(&bundle.files, diagnostics, color);
            text.push_str(&format!(
                "{}, {}, {}, {}: {tally}\n",
                plural(counts.pathways, "pathway"),
                plural(counts.modules, "module"),
                plural(counts.nodes, "node"),
                plural(counts.dispositions, "disposition"),
            ));
            text.push_str(&left_out(bundle));
            text
        }
        ReportFormat::Json => {
            let report =
                ValidationReport::of(&bundle.built, |file| bundle.files.path(file).to_owned());
            super::to_json_line(&report)
        }
    };
    output::print(&text)?;
    Ok(if tally.errors > 0 {
        Status::Failed
    } else {
        Status::Ok
    })
}

/// The files that could not be read at all, and how many entries of the
/// others were set aside, so that nothing is left out without saying so.
fn left_out(bundle: &Bundle) -> String {
    let broken = &bundle.built.doc.broken;
    let unread: Vec<String> = broken
        .iter()
        .filter(|b| b.entry.is_none())
        .map(|b| crate::terminal::clean(bundle.files.path(b.file)).into_owned())
        .collect();
    let set_aside = broken.iter().filter(|b| b.entry.is_some()).count();
    let mut out = String::new();
    if !unread.is_empty() {
        out.push_str(&format!(
            "not read ({}): {}\n",
            plural(unread.len(), "file"),
            unread.join(", ")
        ));
    }
    if set_aside > 0 {
        out.push_str(&format!(
            "set aside until fixed: {} (the rest of their files was read)\n",
            if set_aside == 1 {
                "1 entry".to_owned()
            } else {
                format!("{set_aside} entries")
            }
        ));
    }
    out
}
