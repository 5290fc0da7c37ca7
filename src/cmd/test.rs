//! `triage test`: run the case packs and report failures and coverage.

use super::{Bundle, ReportFormat};
use crate::output::{self, Status};
use crate::render::plural;
use serde::Serialize;
use triage_core::casepack::{self, CaseResult, Counts, PathwayCoverage, TestReport};

/// The JSON report.
#[derive(Debug, Serialize)]
struct JsonReport<'a> {
    cases: usize,
    passed: usize,
    failed: usize,
    coverage: JsonCoverage<'a>,
    failures: Vec<JsonFailure<'a>>,
    uncovered: &'a [String],
}

/// Coverage percentages, with the counts behind them.
#[derive(Debug, Serialize)]
struct JsonCoverage<'a> {
    edges: f64,
    nodes: f64,
    dispositions: f64,
    counts: JsonCounts,
    pathways: &'a [PathwayCoverage],
}

#[derive(Debug, Serialize)]
struct JsonCounts {
    edges: Counts,
    nodes: Counts,
    dispositions: Counts,
}

#[derive(Debug, Serialize)]
struct JsonFailure<'a> {
    file: &'a str,
    line: u32,
    pathway: &'a str,
    name: &'a str,
    failure: &'a str,
}

/// Runs `triage test`. Fails when a case fails or answer-edge coverage is below `min_coverage` percent.
/// With `pathway`, only that pathway's case packs run, and the coverage is of
/// that pathway's own nodes, answers and dispositions.
pub fn test(
    bundle: &Bundle,
    pathway: Option<&str>,
    min_coverage: Option<f64>,
    format: ReportFormat,
) -> std::io::Result<Status> {
    let (compiled, ir) = match (bundle.compiled(), &bundle.built.ir) {
        (Ok(compiled), Some(ir)) => (compiled, ir),
        (Err(status), _) => return Ok(status),
        // A compiled bundle always has its validated model.
        (Ok(_), None) => return Ok(Status::Failed),
    };
    let report = match pathway {
        None => casepack::run(compiled, ir),
        Some(id) => match compiled.pathway_index(id) {
            Some(index) => casepack::run_pathway(compiled, ir, index),
            None => {
                return Ok(output::usage_error(&format!(
                    "there is no pathway `{}`; `triage list pathways DIR` lists them",
                    crate::terminal::clean(id)
                )))
            }
        },
    };
    let coverage = &report.coverage;
    let below_minimum = min_coverage.filter(|min| coverage.edges.percent < *min);
    let text = match format {
        ReportFormat::Human => human(bundle, &report, below_minimum),
        ReportFormat::Json => super::to_json_line(&JsonReport {
            cases: report.cases.len(),
            passed: report.passed(),
            failed: report.failed(),
            coverage: JsonCoverage {
                edges: coverage.edges.percent,
                nodes: coverage.nodes.percent,
                dispositions: coverage.dispositions.percent,
                counts: JsonCounts {
                    edges: coverage.edges,
                    nodes: coverage.nodes,
                    dispositions: coverage.dispositions,
                },
                pathways: &coverage.pathways,
            },
            failures: failures(&report)
                .map(|case| JsonFailure {
                    file: bundle.files.path(case.file),
                    line: case.line,
                    pathway: &case.pack_pathway,
                    name: &case.name,
                    failure: case.failure.as_deref().unwrap_or(""),
                })
                .collect(),
            uncovered: &coverage.uncovered_edges,
        }),
    };
    output::print(&text)?;
    Ok(if report.failed() > 0 || below_minimum.is_some() {
        Status::Failed
    } else {
        Status::Ok
    })
}

fn failures(report: &TestReport) -> impl Iterator<Item = &CaseResult> {
    report.cases.iter().filter(|case| !case.passed)
}

fn human(bundle: &Bundle, report: &TestReport, below_minimum: Option<f64>) -> String {
    let mut out = String::new();
    for case in failures(report) {
        out.push_str(&format!(
            "FAIL {}:{} {} / {}: {}\n",
            bundle.files.path(case.file),
            case.line,
            case.pack_pathway,
            case.name,
            case.failure.as_deref().unwrap_or("failed")
        ));
    }
    out.push_str(&format!(
        "{}: {} passed, {} failed\n",
        plural(report.cases.len(), "case"),
        report.passed(),
        report.failed()
    ));
    let coverage = &report.coverage;
    out.push_str(&format!(
        "coverage: answer edges {}, nodes {}, dispositions {}\n",
        percent(coverage.edges),
        percent(coverage.nodes),
        percent(coverage.dispositions)
    ));
    for pathway in &coverage.pathways {
        if !pathway.unreached.is_empty() {
            out.push_str(&format!(
                "no case of {} reaches: {}\n",
                pathway.pathway,
                pathway.unreached.join(", ")
            ));
        }
    }
    if !coverage.uncovered_edges.is_empty() {
        out.push_str("answer edges no case takes:\n");
        for edge in &coverage.uncovered_edges {
            out.push_str(&format!("  {edge}\n"));
        }
    }
    if let Some(minimum) = below_minimum {
        out.push_str(&format!(
            "answer-edge coverage {:.1}% is below --min-coverage {minimum}\n",
            coverage.edges.percent
        ));
    }
    out
}

/// `95.0% (19/20)`.
fn percent(counts: Counts) -> String {
    format!(
        "{:.1}% ({}/{})",
        counts.percent, counts.covered, counts.total
    )
}
