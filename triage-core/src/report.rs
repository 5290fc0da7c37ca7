//! Reports: the JSON shape of validation results, shared by every front end so
//! that the CLI (`triage validate --format json`), the browser and editors see
//! exactly the same thing.

use crate::diag::{Code, Diagnostic, Severity};
use crate::load::BundleDoc;
use serde::Serialize;

/// What a bundle holds as authored, counting every file that parsed (so a
/// bundle with errors is counted too), with its errors and warnings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Summary {
    /// Pathways.
    pub pathways: usize,
    /// Modules.
    pub modules: usize,
    /// Nodes of all pathways and modules.
    pub nodes: usize,
    /// Dispositions in the catalogue.
    pub dispositions: usize,
    /// Diagnostics that are errors.
    pub errors: usize,
    /// Diagnostics that are warnings.
    pub warnings: usize,
}

impl Summary {
    /// Counts what `doc` holds and how many of `diagnostics` are errors.
    pub fn of(doc: &BundleDoc, diagnostics: &[Diagnostic]) -> Summary {
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        Summary {
            pathways: doc.pathways.len(),
            modules: doc.modules.len(),
            nodes: doc
                .pathways
                .iter()
                .map(|(_, p)| p.nodes.0.len())
                .chain(doc.modules.iter().map(|(_, m)| m.nodes.0.len()))
                .sum(),
            dispositions: doc
                .dispositions
                .as_ref()
                .map_or(0, |(_, d)| d.dispositions.len()),
            errors,
            warnings: diagnostics.len() - errors,
        }
    }
}

/// A diagnostic as JSON: `{"code","severity","file","line","column","message","help"}`,
/// plus `related` when a second place matters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DiagnosticJson {
    /// Stable code, e.g. `E203`.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// The file, named as the caller names files.
    pub file: String,
    /// 1-based line; 0 for the file as a whole.
    pub line: u32,
    /// 1-based column; 0 when unknown.
    pub column: u32,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// A second place that matters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<RelatedJson>,
}

/// The second place of a [`DiagnosticJson`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RelatedJson {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// Why it matters.
    pub message: String,
}

/// `diagnostics` as JSON, naming each file with `file_name(index)` (an index
/// into [`crate::load::Sources::files`], or `usize::MAX` for the bundle as a whole).
pub fn diagnostics_json(
    diagnostics: &[Diagnostic],
    file_name: impl Fn(usize) -> String,
) -> Vec<DiagnosticJson> {
    diagnostics
        .iter()
        .map(|d| DiagnosticJson {
            code: d.code,
            severity: d.severity,
            file: file_name(d.loc.file),
            line: d.loc.line,
            column: d.loc.column,
            message: d.message.clone(),
            help: d.help.clone(),
            related: d.related.as_ref().map(|r| RelatedJson {
                file: file_name(r.loc.file),
                line: r.loc.line,
                column: r.loc.column,
                message: r.message.clone(),
            }),
        })
        .collect()
}

/// The whole report: `{"summary": {...}, "diagnostics": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ValidationReport {
    /// The document's format, `triage.validation/1`.
    pub format: crate::format::Validation,
    /// Counts.
    pub summary: Summary,
    /// Every diagnostic.
    pub diagnostics: Vec<DiagnosticJson>,
}

impl ValidationReport {
    /// The report of a build, naming files with `file_name`.
    ///
    /// ```
    /// let (sources, _) = triage_core::load::Sources::from_texts(vec![]);
    /// let built = triage_core::build(sources);
    /// let report = triage_core::report::ValidationReport::of(&built, |i| i.to_string());
    /// assert_eq!(report.summary.errors, 2); // no dispositions.yaml, no care-advice.yaml
    /// assert_eq!(report.diagnostics[0].code.0, "L012");
    /// ```
    pub fn of(built: &crate::Built, file_name: impl Fn(usize) -> String) -> ValidationReport {
        ValidationReport {
            format: crate::format::Validation,
            summary: Summary::of(&built.doc, &built.diagnostics),
            diagnostics: diagnostics_json(&built.diagnostics, file_name),
        }
    }
}
