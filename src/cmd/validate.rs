//! `triage validate`: report every problem in a bundle, then a one-line summary.

use super::{Bundle, ReportFormat};
use crate::output::{self, Status};
use crate::render::{self, plural, Tally};
use serde::Serialize;
use std::io::IsTerminal;

/// What a bundle holds, as authored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Pathways.
    pub pathways: usize,
    /// Modules.
    pub modules: usize,
    /// Nodes of all pathways and modules.
    pub nodes: usize,
    /// Dispositions in the catalogue.
    pub dispositions: usize,
}

/// The `summary` object of the JSON report.
#[derive(Debug, Serialize)]
struct Summary {
    #[serde(flatten)]
    counts: Counts,
    errors: usize,
    warnings: usize,
}

/// The JSON report.
#[derive(Debug, Serialize)]
struct JsonReport {
    summary: Summary,
    diagnostics: Vec<render::JsonDiagnostic>,
}

/// Runs `triage validate`.
pub fn validate(bundle: &Bundle, format: ReportFormat) -> std::io::Result<Status> {
    let diagnostics = &bundle.built.diagnostics;
    let tally = Tally::of(diagnostics);
    let counts = bundle.counts();
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
            let report = JsonReport {
                summary: Summary {
                    counts,
                    errors: tally.errors,
                    warnings: tally.warnings,
                },
                diagnostics: render::json(&bundle.files, diagnostics),
            };
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
