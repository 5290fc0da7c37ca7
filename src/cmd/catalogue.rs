//! `triage list dispositions|advice|questions DIR`: the ids an author can
//! use, read from the files as written, so they are listed even while the
//! bundle has errors.

use super::Bundle;
use crate::output::{self, Status};
use crate::terminal::clean;
use serde::Serialize;
use triage_core::model::{NodeDoc, QuestionDoc, QuestionKindDoc, ServiceDoc};

/// Which catalogue of ids `triage list WHAT DIR` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Catalogue {
    /// The disposition catalogue.
    Dispositions,
    /// The care-advice catalogue.
    Advice,
    /// Every question of every pathway and module.
    Questions,
}

impl Catalogue {
    /// The catalogue a word names, if any (`pathways` is not one: it is the
    /// default listing, of pathways a person can start).
    pub fn from_word(word: &str) -> Option<Catalogue> {
        match word {
            "dispositions" => Some(Catalogue::Dispositions),
            "advice" | "care-advice" => Some(Catalogue::Advice),
            "questions" => Some(Catalogue::Questions),
            _ => None,
        }
    }
}

/// How the ids are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdsFormat {
    /// Aligned lines for a person.
    Human,
    /// One JSON array.
    Json,
}

/// A disposition as an author refers to it.
#[derive(Debug, Serialize)]
struct DispositionRow<'a> {
    id: &'a str,
    code: &'a str,
    service: ServiceDoc,
    rank: u32,
    title: &'a str,
    file: &'a str,
    line: u32,
}

/// A piece of care advice as an author refers to it.
#[derive(Debug, Serialize)]
struct AdviceRow<'a> {
    id: &'a str,
    title: &'a str,
    file: &'a str,
    line: u32,
}

/// A question as an author (or a case pack) refers to it.
#[derive(Debug, Serialize)]
struct QuestionRow<'a> {
    /// How a case pack of this pathway names it: `node`, or `module/node`
    /// for a question of a module.
    id: String,
    /// The pathway or module it belongs to.
    unit: &'a str,
    kind: QuestionKindDoc,
    text: &'a str,
    /// The answers it takes, as written in a case pack.
    answers: Vec<String>,
    file: &'a str,
    line: u32,
}

/// Runs `triage list dispositions|advice|questions`, optionally only the
/// questions of one pathway or module.
pub fn list_ids(
    bundle: &Bundle,
    catalogue: Catalogue,
    unit: Option<&str>,
    format: IdsFormat,
) -> std::io::Result<Status> {
    let built = &bundle.built;
    let file_of = |index: usize| {
        built
            .sources
            .files
            .get(index)
            .map_or("", |f| f.path.as_str())
    };
    let doc = &built.doc;
    let text = match catalogue {
        Catalogue::Dispositions => {
            let rows: Vec<DispositionRow<'_>> = doc
                .dispositions
                .iter()
                .flat_map(|(file, d)| d.dispositions.iter().map(move |d| (*file, d)))
                .map(|(file, d)| DispositionRow {
                    id: &d.id.value,
                    code: &d.code.value,
                    service: d.service.value,
                    rank: d.rank.value,
                    title: d.title.value.english(),
                    file: file_of(file),
                    line: d.id.referenced.line(),
                })
                .collect();
            match format {
                IdsFormat::Json => super::to_json_line(&rows),
                IdsFormat::Human => table(rows.iter().map(|r| {
                    [
                        r.id.to_owned(),
                        r.code.to_owned(),
                        format!("rank {}", r.rank),
                        r.title.to_owned(),
                    ]
                })),
            }
        }
        Catalogue::Advice => {
            let rows: Vec<AdviceRow<'_>> = doc
                .care_advice
                .iter()
                .flat_map(|(file, d)| d.care_advice.iter().map(move |a| (*file, a)))
                .map(|(file, a)| AdviceRow {
                    id: &a.id.value,
                    title: a.title.value.english(),
                    file: file_of(file),
                    line: a.id.referenced.line(),
                })
                .collect();
            match format {
                IdsFormat::Json => super::to_json_line(&rows),
                IdsFormat::Human => table(rows.iter().map(|r| {
                    [
                        r.id.to_owned(),
                        r.title.to_owned(),
                        format!("{}:{}", r.file, r.line),
                        String::new(),
                    ]
                })),
            }
        }
        Catalogue::Questions => {
            let pathways = doc
                .pathways
                .iter()
                .map(|(file, p)| (*file, p.pathway.id.value.as_str(), &p.nodes, false));
            let modules = doc
                .modules
                .iter()
                .map(|(file, m)| (*file, m.module.id.value.as_str(), &m.nodes, true));
            let mut rows = Vec::new();
            for (file, id, nodes, is_module) in pathways.chain(modules) {
                if unit.is_some_and(|wanted| wanted != id) {
                    continue;
                }
                for (node, value) in &nodes.0 {
                    let NodeDoc::Question(question) = &value.value else {
                        continue;
                    };
                    rows.push(QuestionRow {
                        id: if is_module {
                            format!("{id}/{}", node.value)
                        } else {
                            node.value.clone()
                        },
                        unit: id,
                        kind: question.kind.value,
                        text: question.text.value.english(),
                        answers: answers(question),
                        file: file_of(file),
                        line: node.referenced.line(),
                    });
                }
            }
            if let Some(wanted) = unit.filter(|_| rows.is_empty()) {
                return Ok(output::usage_error(&format!(
                    "no pathway or module `{}` has questions; `triage list pathways DIR` lists the pathways",
                    clean(wanted)
                )));
            }
            match format {
                IdsFormat::Json => super::to_json_line(&rows),
                IdsFormat::Human => questions_human(&rows),
            }
        }
    };
    output::print(&clean(&text))?;
    Ok(Status::Ok)
}

/// The answers a question takes, as a case pack writes them.
fn answers(question: &QuestionDoc) -> Vec<String> {
    let mut out: Vec<String> = match question.kind.value {
        QuestionKindDoc::YesNo => vec!["yes".into(), "no".into()],
        QuestionKindDoc::Single | QuestionKindDoc::Multiple => question
            .options
            .iter()
            .flat_map(|o| o.value.iter())
            .filter_map(|o| o.value.id.as_ref().map(|id| id.value.clone()))
            .chain(question.none.as_ref().map(|_| "none".to_owned()))
            .collect(),
        QuestionKindDoc::Number => question
            .range
            .as_ref()
            .map(|r| vec![format!("a number from {} to {}", r.value.min, r.value.max)])
            .unwrap_or_default(),
    };
    if question.not_sure.is_some() {
        out.push("not_sure".into());
    }
    out
}

/// Rows of up to four columns, the first three padded to line up.
fn table(rows: impl Iterator<Item = [String; 4]>) -> String {
    let rows: Vec<[String; 4]> = rows.collect();
    if rows.is_empty() {
        return "None.\n".to_owned();
    }
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let (w0, w1, w2) = (width(0), width(1), width(2));
    let mut out = String::new();
    for [a, b, c, d] in &rows {
        let line = format!("{a:w0$}  {b:w1$}  {c:w2$}  {d}");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn questions_human(rows: &[QuestionRow<'_>]) -> String {
    if rows.is_empty() {
        return "None.\n".to_owned();
    }
    let mut out = String::new();
    let mut unit = "";
    for row in rows {
        if row.unit != unit {
            unit = row.unit;
            out.push_str(&format!("{} ({})\n", row.unit, row.file));
        }
        let kind = match row.kind {
            QuestionKindDoc::YesNo => "yes_no",
            QuestionKindDoc::Single => "single",
            QuestionKindDoc::Multiple => "multiple",
            QuestionKindDoc::Number => "number",
        };
        out.push_str(&format!(
            "  {}  [{kind}]  {}\n    answers: {}\n",
            row.id,
            row.text,
            row.answers.join(", ")
        ));
    }
    out
}
