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
