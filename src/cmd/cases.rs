//! `triage cases DIR --pathway ID --starter`: a starter case pack, one case
//! per answer of the pathway's own questions, for the author to complete
//! with the outcome a clinician expects (see [`triage_core::starter`]).

use super::Bundle;
use crate::output::{self, Status};
use crate::terminal::clean;
use std::fmt::Write as _;
use triage_core::eval::{AnswerValue, Answering, Sex};
use triage_core::starter::Starter;

/// Runs `triage cases`.
pub fn starter(bundle: &Bundle, pathway: &str) -> std::io::Result<Status> {
    let compiled = match bundle.compiled() {
        Ok(compiled) => compiled,
        Err(status) => return Ok(status),
    };
    let Some(starter) = triage_core::starter::starter(compiled, pathway) else {
        return Ok(output::usage_error(&format!(
            "there is no pathway `{}`; `triage list pathways DIR` lists them",
            clean(pathway)
        )));
    };
    output::print(&yaml(&starter))?;
    if !starter.unreached.is_empty() {
        output::eprint(&format!(
            "cases: no journey was found for {} answers (listed at the end of the pack); write their cases by hand\n",
            starter.unreached.len()
        ));
    }
    Ok(Status::Ok)
}

/// A YAML string: JSON's quoting is YAML's double-quoted style.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

fn yaml(starter: &Starter) -> String {
    let mut out = String::new();
    let id = &starter.pathway;
    let _ = writeln!(
        out,
        "# yaml-language-server: $schema=../../docs/schema/cases.schema.json
# Starter cases for the {id} pathway, written by
# `triage cases DIR --pathway {id} --starter`: one case per answer of its
# questions, each a whole journey. For every case, write the disposition a
# clinician expects in place of TODO (the outcome the pathway reaches today
# is noted above it, to check, not to copy), give it a name that says why,
# then run `triage test DIR --pathway {id}`."
    );
    let _ = writeln!(out, "pathway: {}\ncases:", quoted(id));
    for case in &starter.cases {
        let (node, answer) = &case.covers;
        let sex = match case.sex {
            Sex::Female => "female",
            Sex::Male => "male",
        };
        let months = if case.age_months > 0 {
            format!(" months: {},", case.age_months)
        } else {
            String::new()
        };
        let answering = if case.age_years < 16 {
            format!(", answering: {}", answering_word(Answering::SomeoneElse))
        } else {
            String::new()
        };
        let _ = writeln!(out, "  - name: {}", quoted(&format!("{node}: {answer}")));
        let _ = writeln!(
            out,
            "    patient: {{ age: {},{months} sex: {sex}{answering} }}",
            case.age_years
        );
        if case.answers.is_empty() {
            let _ = writeln!(out, "    answers: []");
        } else {
            let _ = writeln!(out, "    answers:");
        }
        for given in &case.answers {
            let value = match &given.value {
                AnswerValue::Number(n) => n.to_string(),
                AnswerValue::Choice(id) => quoted(id),
                AnswerValue::Choices(ids) => format!(
                    "[{}]",
                    ids.iter().map(|i| quoted(i)).collect::<Vec<_>>().join(", ")
                ),
            };
            let _ = writeln!(out, "      - {}: {value}", quoted(&given.question));
        }
        let _ = writeln!(
            out,
            "    # Today: {} ({}).",
            clean(&case.reached),
            clean(&case.reached_title).replace('\n', " ")
        );
        let _ = writeln!(out, "    expect:\n      disposition: TODO\n");
    }
    if !starter.unreached.is_empty() {
        let _ = writeln!(
            out,
            "# No journey was found that gives these answers; write their cases by hand:"
        );
        for (node, answer) in &starter.unreached {
            let _ = writeln!(out, "#   {}: {}", clean(node), clean(answer));
        }
    }
    out
}

fn answering_word(answering: Answering) -> &'static str {
    match answering {
        Answering::Myself => "self",
        Answering::SomeoneElse => "someone_else",
    }
}
