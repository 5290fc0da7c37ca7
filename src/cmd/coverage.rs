//! `triage coverage`: which pathways serve each topic of NHS 111 online, for
//! every age band and sex it is offered for, and the gaps.

use super::Bundle;
use crate::output::{self, Status};
use triage_core::coverage::{self, BandCoverage, Coverage, TopicCoverage};
use triage_core::eval::Sex;
use triage_core::topics::AgeBand;

/// How `coverage` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CoverageFormat {
    /// One line per topic, then the totals.
    Human,
    /// One JSON document: every topic, band and sex, and the totals.
    Json,
    /// A Markdown table: one row per topic, one column per age band.
    Markdown,
}

/// Runs `triage coverage`.
pub fn coverage(bundle: &Bundle, format: CoverageFormat) -> std::io::Result<Status> {
    let compiled = match bundle.compiled() {
        Ok(compiled) => compiled,
        Err(status) => return Ok(status),
    };
    let report = coverage::coverage(compiled);
    let text = match format {
        CoverageFormat::Human => human(&report),
        CoverageFormat::Json => super::to_json_line(&report),
        CoverageFormat::Markdown => markdown(&report),
    };
    output::print(&text)?;
    Ok(Status::Ok)
}

/// What one band of a topic shows: the pathways, `-` for a gap, and the
/// sex served where only one of two is.
fn band_cell(band: &BandCoverage<'_>) -> String {
    let mut pathways: Vec<&str> = band
        .sexes
        .iter()
        .flat_map(|s| s.pathways.iter().copied())
        .collect();
    pathways.sort_unstable();
    pathways.dedup();
    let gaps: Vec<&str> = band
        .sexes
        .iter()
        .filter(|s| !s.served)
        .map(|s| match s.sex {
            Sex::Female => "female",
            Sex::Male => "male",
        })
        .collect();
    match (pathways.is_empty(), band.served) {
        (true, _) => "-".to_owned(),
        (false, true) => pathways.join(", "),
        (false, false) => format!("{} (not all: {})", pathways.join(", "), gaps.join(", ")),
    }
}

fn cells(topic: &TopicCoverage<'_>) -> Vec<String> {
    AgeBand::ALL
        .iter()
        .map(|band| {
            topic
                .bands
                .iter()
                .find(|b| b.band == band.label())
                .map_or_else(|| "n/a".to_owned(), band_cell)
        })
        .collect()
}

fn totals_line(report: &Coverage<'_>) -> String {
    let t = report.totals;
    format!(
        "{} of {} topic-band pairs served ({} of {} topics in every band); reception points: {} of {} bands\n",
        t.topic_bands_served,
        t.topic_bands,
        t.topics_served,
        t.topics,
        t.reception_bands_served,
        t.reception_bands,
    )
}

fn human(report: &Coverage<'_>) -> String {
    let width = report
        .topics
        .iter()
        .map(|t| t.title.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = format!(
        "{:width$}  {}\n",
        "topic",
        AgeBand::ALL.map(|b| format!("{:<12}", b.label())).join(" ")
    );
    for topic in &report.topics {
        let row: Vec<String> = cells(topic).iter().map(|c| format!("{c:<12}")).collect();
        out.push_str(&format!(
            "{:width$}  {}\n",
            topic.title,
            row.join(" ").trim_end()
        ));
    }
    out.push('\n');
    out.push_str(&totals_line(report));
    out
}

fn markdown(report: &Coverage<'_>) -> String {
    let mut out = String::from("| Topic | 0-1 | 1-5 | 5-16 | 16+ |\n|---|---|---|---|---|\n");
    for topic in &report.topics {
        let title = if topic.reception_point {
            format!("{} (reception point)", topic.title)
        } else {
            topic.title.to_owned()
        };
        let row: Vec<String> = cells(topic)
            .iter()
            .map(|c| match c.as_str() {
                "-" => "**gap**".to_owned(),
                "n/a" => "".to_owned(),
                c => c.replace('|', "\\|"),
            })
            .collect();
        out.push_str(&format!(
            "| {} | {} |\n",
            title.replace('|', "\\|"),
            row.join(" | ")
        ));
    }
    out.push('\n');
    out.push_str(&totals_line(report));
    out
}
