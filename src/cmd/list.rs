//! `triage list`: the pathways a person can start, found by symptom words.

use super::Bundle;
use crate::output::{self, Status};
use triage_core::compile::{AgesInfo, CompiledBundle, PathwayInfo, SearchHit};
use triage_core::eval::{Patient, Sex};

/// Who the list is for and what to look for; every part is optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Age in whole years.
    pub age: Option<u32>,
    /// Extra months of age.
    pub months: Option<u32>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Symptom words, as a person would type them.
    pub words: Option<String>,
}

impl Filter {
    /// The age in years (with months as a fraction), if any part of it was given.
    fn age_in_years(&self) -> Option<f64> {
        if self.age.is_none() && self.months.is_none() {
            return None;
        }
        Some(f64::from(self.age.unwrap_or(0)) + f64::from(self.months.unwrap_or(0)) / 12.0)
    }

    /// The person, when both age and sex are given (the search then knows
    /// which topics and catch-all are theirs).
    fn patient(&self) -> Option<Patient> {
        let sex = self.sex?;
        self.age_in_years()?;
        Some(Patient::new(
            self.age.unwrap_or(0),
            self.months.unwrap_or(0),
            sex,
        ))
    }

    /// True when `pathway` is for someone of the given age and sex.
    fn admits(&self, pathway: &PathwayInfo<'_>) -> bool {
        let age_fits = self.age_in_years().is_none_or(|age| {
            pathway.ages.from <= age && pathway.ages.to.is_none_or(|to| age < to)
        });
        let sex_fits = self.sex.is_none_or(|sex| pathway.sexes.contains(&sex));
        age_fits && sex_fits
    }
}

/// How `list` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// One line per pathway.
    Human,
    /// A JSON array of pathways.
    Json,
    /// A Markdown index table (pathway, topics, ages, sexes, dispositions, sources).
    Markdown,
}

/// Runs `triage list`.
pub fn list(bundle: &Bundle, filter: &Filter, format: ListFormat) -> std::io::Result<Status> {
    let compiled = match bundle.compiled() {
        Ok(compiled) => compiled,
        Err(status) => return Ok(status),
    };
    // Age and sex are checked here rather than by the search so that either
    // may be given alone.
    let hits: Vec<SearchHit<'_>> = match filter.patient() {
        Some(patient) => compiled.search(Some(&patient), filter.words.as_deref()),
        None => compiled.search(None, filter.words.as_deref()),
    }
    .into_iter()
    .filter(|hit| filter.admits(&hit.pathway))
    .collect();
    let text = match format {
        ListFormat::Human => human(&hits),
        ListFormat::Json => super::to_json_line(&hits),
        ListFormat::Markdown => {
            let pathways: Vec<PathwayInfo<'_>> = hits.into_iter().map(|h| h.pathway).collect();
            markdown(compiled, &pathways)
        }
    };
    output::print(&text)?;
    Ok(Status::Ok)
}

fn human(hits: &[SearchHit<'_>]) -> String {
    if hits.is_empty() {
        return "No pathway matches.\n".to_owned();
    }
    let width = hits.iter().map(|h| h.pathway.id.len()).max().unwrap_or(0);
    let mut out = String::new();
    for hit in hits {
        let p = &hit.pathway;
        let summary = p.summary.map(|s| format!(": {s}")).unwrap_or_default();
        out.push_str(&format!(
            "{:width$}  {}{summary} ({}; {})\n",
            p.id,
            p.title,
            ages(p.ages),
            sexes(p.sexes)
        ));
        if !hit.matched.is_empty() {
            out.push_str(&format!(
                "{:width$}  matched {} (score {:.2})\n",
                "",
                hit.matched.join(", "),
                hit.score
            ));
        } else if hit.fallback {
            out.push_str(&format!("{:width$}  when nothing above fits\n", ""));
        }
    }
    out
}

/// The index table of every pathway, as `pathways/README.md` holds it.
pub fn index_table(compiled: &CompiledBundle) -> String {
    let pathways: Vec<PathwayInfo<'_>> = compiled
        .search(None, None)
        .into_iter()
        .map(|hit| hit.pathway)
        .collect();
    markdown(compiled, &pathways)
}

fn markdown(compiled: &CompiledBundle, pathways: &[PathwayInfo<'_>]) -> String {
    let mut out = String::from(
        "| Pathway | 111 online topics served | Ages (years) | 111 age bands | Sexes | Dispositions reachable | Sources |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for p in pathways {
        let dispositions: Vec<String> = p
            .dispositions
            .iter()
            .map(|id| {
                compiled
                    .disposition(id)
                    .map_or_else(|| (*id).to_owned(), |d| d.title)
            })
            .collect();
        let sources: Vec<String> = p
            .sources
            .iter()
            .map(|s| format!("[{}]({})", cell(s.title), s.url))
            .collect();
        let topics: Vec<String> = p.topics.iter().map(|t| cell(t.title)).collect();
        out.push_str(&format!(
            "| {} (`{}`, [flowchart](graphs/{}.md)) | {} | {} | {} | {} | {} | {} |\n",
            cell(p.title),
            p.id,
            p.id,
            topics.join("; "),
            ages(p.ages),
            age_bands(p.ages),
            sexes(p.sexes),
            cell(&dispositions.join("; ")),
            sources.join("<br>"),
        ));
    }
    out
}

/// Text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// `16+`, `5-16` (upper bound exclusive, as the 111 topic list writes it), `all ages`.
fn ages(ages: AgesInfo) -> String {
    match ages.to {
        None if ages.from <= 0.0 => "all ages".to_owned(),
        None => format!("{}+", ages.from),
        Some(to) => format!("{}-{to}", ages.from),
    }
}

/// The NHS 111 online age bands (years, upper bound exclusive) a pathway serves.
fn age_bands(ages: AgesInfo) -> String {
    const BANDS: [(f64, f64, &str); 4] = [
        (0.0, 1.0, "0-1"),
        (1.0, 5.0, "1-5"),
        (5.0, 16.0, "5-16"),
        (16.0, f64::INFINITY, "16+"),
    ];
    let to = ages.to.unwrap_or(f64::INFINITY);
    BANDS
        .iter()
        .filter(|(low, high, _)| ages.from < *high && to > *low)
        .map(|(_, _, name)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn sexes(sexes: &[Sex]) -> String {
    sexes
        .iter()
        .map(|s| match s {
            Sex::Female => "female",
            Sex::Male => "male",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_bands_are_those_of_111_online_that_overlap() {
        let band = |from: f64, to: Option<f64>| age_bands(AgesInfo { from, to });
        assert_eq!(band(16.0, None), "16+");
        assert_eq!(band(1.0, Some(5.0)), "1-5");
        assert_eq!(band(0.0, Some(1.0)), "0-1");
        assert_eq!(band(0.0, None), "0-1, 1-5, 5-16, 16+");
        assert_eq!(band(5.0, Some(16.0)), "5-16");
        assert_eq!(band(0.5, Some(2.0)), "0-1, 1-5");
    }

    #[test]
    fn ages_read_like_the_111_topic_list() {
        assert_eq!(
            ages(AgesInfo {
                from: 16.0,
                to: None
            }),
            "16+"
        );
        assert_eq!(
            ages(AgesInfo {
                from: 5.0,
                to: Some(16.0)
            }),
            "5-16"
        );
        assert_eq!(
            ages(AgesInfo {
                from: 0.0,
                to: None
            }),
            "all ages"
        );
    }

    #[test]
    fn table_cells_escape_pipes() {
        assert_eq!(cell("a | b"), "a \\| b");
    }
}
