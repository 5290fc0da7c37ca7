//! `triage run`: an interactive triage in the terminal, one question at a time.
//!
//! Input is read line by line, so a journey can be piped in as well as typed.

use super::Bundle;
use crate::output::{self, Status};
use std::io::{self, BufRead, IsTerminal, Write};
use triage_core::compile::CompiledBundle;
use triage_core::eval::{
    Answer, AnswerValue, Answering, Language, OutcomeView, Patient, QuestionView, Sex, Start, Step,
};
use triage_core::model::QuestionKindDoc;
use triage_core::session::Session;

/// What is known before the journey starts; anything missing is asked.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// The pathway to start, skipping symptom search.
    pub pathway: Option<String>,
    /// Age in whole years.
    pub age: Option<u32>,
    /// Extra months of age.
    pub months: Option<u32>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Who is answering (asked with the age if neither is given).
    pub answering: Option<Answering>,
    /// The language texts are shown in, where the bundle has them.
    pub language: Language,
}

/// Oldest age accepted, in years.
const MAX_AGE: u32 = triage_core::vocab::MAX_AGE_YEARS;
/// Most search results shown for some words (the catch-all comes after them).
const MAX_RESULTS: usize = 8;
/// Below this age in years, months are asked as well.
const ASK_MONTHS_BELOW: u32 = 2;

/// How a journey (or the part of it before the first question) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// An outcome was reached and shown.
    Outcome,
    /// The person typed `q`.
    Quit,
    /// Input ran out.
    Eof,
    /// `b` at the first question: choose another topic.
    BackToSearch,
    /// The pathway given with `--pathway` is not for this person (already reported).
    NotForThisPerson,
}

/// Runs `triage run`, reading answers from `input` and writing to `out`.
pub fn run(
    bundle: &Bundle,
    known: &Known,
    input: impl BufRead,
    out: impl Write,
) -> io::Result<Status> {
    let compiled = match bundle.compiled() {
        Ok(compiled) => compiled,
        Err(status) => return Ok(status),
    };
    if let Some(pathway) = &known.pathway {
        if compiled.pathway_index(pathway).is_none() {
            return Ok(output::usage_error(&format!(
                "there is no pathway called {pathway:?}; `triage list {}` shows them",
                bundle.files.dir()
            )));
        }
    }
    // Piped answers are not shown by a terminal; echo them so the output reads as a transcript.
    let echo = !io::stdin().is_terminal();
    let mut console = Console { input, out, echo };
    let end = console.triage(compiled, known)?;
    match end {
        End::Outcome => Ok(Status::Ok),
        End::Quit => {
            console.say("Stopped.")?;
            Ok(Status::Ok)
        }
        End::NotForThisPerson => Ok(Status::Usage),
        End::Eof | End::BackToSearch => {
            console.say("")?;
            output::eprint("stopped before an outcome: the input ended\n");
            Ok(Status::Usage)
        }
    }
}

/// A line typed in reply to a prompt.
enum Reply {
    /// Ordinary text, trimmed.
    Text(String),
    /// `b`: go back.
    Back,
    /// `q`: quit.
    Quit,
    /// The input ended.
    Eof,
}

struct Console<R, W> {
    input: R,
    out: W,
    /// Write each line read after its prompt.
    echo: bool,
}

impl<R: BufRead, W: Write> Console<R, W> {
    fn say(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.out, "{text}")
    }

    /// Prints `prompt` and reads one line.
    fn ask(&mut self, prompt: &str) -> io::Result<Reply> {
        write!(self.out, "{prompt} ")?;
        self.out.flush()?;
        let mut bytes = Vec::new();
        if self.input.read_until(b'\n', &mut bytes)? == 0 {
            return Ok(Reply::Eof);
        }
        let line = String::from_utf8_lossy(&bytes).trim().to_owned();
        if self.echo {
            writeln!(self.out, "{line}")?;
        }
        Ok(match line.to_lowercase().as_str() {
            "b" | "back" => Reply::Back,
            "q" | "quit" => Reply::Quit,
            _ => Reply::Text(line),
        })
    }

    /// The whole interaction: who, which topic, then the questions.
    fn triage(&mut self, compiled: &CompiledBundle, known: &Known) -> io::Result<End> {
        let patient = match self.patient(known)? {
            Ok(patient) => patient,
            Err(end) => return Ok(end),
        };
        loop {
            let (pathway, topic) = match &known.pathway {
                Some(pathway) => (pathway.clone(), None),
                None => match self.choose_pathway(compiled, &patient)? {
                    Ok(chosen) => chosen,
                    Err(end) => return Ok(end),
                },
            };
            let mut start = Start::new(pathway, patient).in_language(known.language);
            start.topic = topic;
            let session = match Session::begin(compiled, start) {
                Ok(session) => session,
                Err(error) => {
                    // Only a pathway given with --pathway can be wrong for this person.
                    output::eprint(&format!("error: {error}\n"));
                    return Ok(End::NotForThisPerson);
                }
            };
            match self.journey(compiled, session, known.pathway.is_none())? {
                End::BackToSearch => continue,
                end => return Ok(end),
            }
        }
    }

    /// Who is answering, age and sex, from the command line or asked.
    fn patient(&mut self, known: &Known) -> io::Result<Result<Patient, End>> {
        let answering = match known.answering {
            Some(answering) => answering,
            None if known.age.is_none() => loop {
                let prompt = "Are you answering for: 1. Yourself  2. Someone else? Type 1 or 2:";
                match self.ask(prompt)? {
                    Reply::Text(text) => match text.to_lowercase().as_str() {
                        "1" | "me" | "myself" | "yourself" | "self" => break Answering::Myself,
                        "2" | "someone else" | "someone_else" | "other" => {
                            break Answering::SomeoneElse
                        }
                        _ => self.say("Please type 1 for yourself or 2 for someone else.")?,
                    },
                    Reply::Back => self.say("There is nothing to go back to yet.")?,
                    Reply::Quit => return Ok(Err(End::Quit)),
                    Reply::Eof => return Ok(Err(End::Eof)),
                }
            },
            None => Answering::Myself,
        };
        let whose = match answering {
            Answering::Myself => "How old are you",
            Answering::SomeoneElse => "How old is the person",
        };
        let age_years = match known.age {
            Some(age) => age,
            None => match self.ask_number(&format!("{whose}, in years?"), 0, MAX_AGE)? {
                Ok(age) => age,
                Err(end) => return Ok(Err(end)),
            },
        };
        let age_months = match known.months {
            Some(months) => months,
            None if known.age.is_none() && age_years < ASK_MONTHS_BELOW => {
                let prompt = format!("And how many months, on top of {age_years} years? (0 to 11)");
                match self.ask_number(&prompt, 0, 11)? {
                    Ok(months) => months,
                    Err(end) => return Ok(Err(end)),
                }
            }
            None => 0,
        };
        let sex = match known.sex {
            Some(sex) => sex,
            None => loop {
                match self.ask("Sex: 1. Female  2. Male. Type 1 or 2:")? {
                    Reply::Text(text) => match parse_sex(&text) {
                        Some(sex) => break sex,
                        None => self.say("Please type 1 for female or 2 for male.")?,
                    },
                    Reply::Back => self.say("There is nothing to go back to yet.")?,
                    Reply::Quit => return Ok(Err(End::Quit)),
                    Reply::Eof => return Ok(Err(End::Eof)),
                }
            },
        };
        let patient = Patient {
            age_years,
            age_months,
            sex,
            answering,
        };
        if let Err(problem) = patient.check() {
            output::eprint(&format!("error: {problem}\n"));
            return Ok(Err(End::NotForThisPerson));
        }
        Ok(Ok(patient))
    }

    fn ask_number(&mut self, prompt: &str, min: u32, max: u32) -> io::Result<Result<u32, End>> {
        loop {
            match self.ask(prompt)? {
                Reply::Text(text) => match text.parse::<u32>() {
                    Ok(n) if (min..=max).contains(&n) => return Ok(Ok(n)),
                    _ => self.say(&format!("Please type a whole number from {min} to {max}."))?,
                },
                Reply::Back => self.say("There is nothing to go back to yet.")?,
                Reply::Quit => return Ok(Err(End::Quit)),
                Reply::Eof => return Ok(Err(End::Eof)),
            }
        }
    }

    /// Symptom search: words in, a numbered list out, a number picks.
    fn choose_pathway(
        &mut self,
        compiled: &CompiledBundle,
        patient: &Patient,
    ) -> io::Result<Result<(String, Option<String>), End>> {
        // (pathway, topic, what the person sees)
        let mut found: Vec<(String, Option<String>, String)> = Vec::new();
        let mut prompt =
            "What is the main symptom? Type a few words (or press Enter to see every topic):";
        loop {
            let text = match self.ask(prompt)? {
                Reply::Text(text) => text,
                Reply::Back => {
                    self.say("There is nothing to go back to yet.")?;
                    continue;
                }
                Reply::Quit => return Ok(Err(End::Quit)),
                Reply::Eof => return Ok(Err(End::Eof)),
            };
            if let Ok(choice) = text.parse::<usize>() {
                match choice.checked_sub(1).and_then(|i| found.get(i)) {
                    Some((id, topic, _)) => return Ok(Ok((id.clone(), topic.clone()))),
                    None if !found.is_empty() => {
                        self.say(&format!(
                            "Please type a number from 1 to {}, or other words.",
                            found.len()
                        ))?;
                        continue;
                    }
                    None => {}
                }
            }
            let words = (!text.is_empty()).then_some(text.as_str());
            let hits = compiled.search(Some(patient), words);
            let (best, catch_all): (Vec<_>, Vec<_>) = hits.into_iter().partition(|h| !h.fallback);
            let shown = if words.is_some() {
                MAX_RESULTS
            } else {
                usize::MAX
            };
            found = best
                .into_iter()
                .take(shown)
                .chain(catch_all)
                .map(|hit| {
                    let title = hit.topic.as_ref().map_or(hit.pathway.title, |t| t.title);
                    let title = if hit.fallback {
                        format!("{title} (if nothing above fits)")
                    } else {
                        title.to_owned()
                    };
                    (
                        hit.pathway.id.to_owned(),
                        hit.topic.map(|t| t.id.to_owned()),
                        title,
                    )
                })
                .collect();
            if found.is_empty() {
                self.say("No topic matches those words for this person. Try other words.")?;
                prompt = "What is the main symptom?";
                continue;
            }
            for (number, (_, _, title)) in found.iter().enumerate() {
                self.say(&format!("  {}. {title}", number + 1))?;
            }
            prompt = "Choose a topic by number, or type other words:";
        }
    }

    /// One question at a time until the outcome.
    fn journey(
        &mut self,
        compiled: &CompiledBundle,
        mut session: Session,
        searched: bool,
    ) -> io::Result<End> {
        loop {
            let question = match session.step() {
                Step::Outcome(outcome) => {
                    self.say(&describe_outcome(outcome))?;
                    return Ok(End::Outcome);
                }
                Step::Question(question) => question.clone(),
            };
            self.say(&describe_question(&question))?;
            let prompt = answer_prompt(&question);
            loop {
                match self.ask(&prompt)? {
                    Reply::Quit => return Ok(End::Quit),
                    Reply::Eof => return Ok(End::Eof),
                    Reply::Back => {
                        if session.back(compiled).is_ok() {
                            break;
                        }
                        if searched {
                            return Ok(End::BackToSearch);
                        }
                        self.say("This is the first question.")?;
                    }
                    Reply::Text(text) => {
                        let value = match parse_answer(&question, &text) {
                            Ok(value) => value,
                            Err(message) => {
                                self.say(&message)?;
                                continue;
                            }
                        };
                        let answer = Answer::new(question.id.clone(), value);
                        match session.answer(compiled, answer) {
                            Ok(_) => break,
                            Err(error) => self.say(&format!("{error}. Please try again."))?,
                        }
                    }
                }
            }
        }
    }
}

fn parse_sex(text: &str) -> Option<Sex> {
    match text.to_lowercase().as_str() {
        "1" | "f" | "female" => Some(Sex::Female),
        "2" | "m" | "male" => Some(Sex::Male),
        _ => None,
    }
}

/// The question, its help and its numbered options.
fn describe_question(question: &QuestionView) -> String {
    let mut text = format!("\nQuestion {}: {}\n", question.step, question.text);
    if let Some(help) = &question.help {
        text.push_str(&format!("  {help}\n"));
    }
    if question.kind != QuestionKindDoc::Number {
        for (number, option) in question.options.iter().enumerate() {
            text.push_str(&format!("  {}. {}\n", number + 1, option.label));
        }
    }
    text.pop();
    text
}

/// What to type, for this kind of question.
fn answer_prompt(question: &QuestionView) -> String {
    let keys = "b = back, q = quit";
    match question.kind {
        QuestionKindDoc::YesNo | QuestionKindDoc::Single => format!("Type a number ({keys}):"),
        QuestionKindDoc::Multiple => {
            let none = if has_option(question, NONE) {
                ", or 0 for none of these"
            } else {
                ""
            };
            format!("Type every number that applies, e.g. 1,3{none} ({keys}):")
        }
        QuestionKindDoc::Number => {
            let unit = question
                .unit
                .as_ref()
                .map(|u| format!(" {u}"))
                .unwrap_or_default();
            let range = match question.range {
                Some((min, max)) => format!(" from {min} to {max}{unit}"),
                None => unit,
            };
            let not_sure = if has_option(question, NOT_SURE) {
                ", or ? if you are not sure"
            } else {
                ""
            };
            format!("Type a number{range}{not_sure} ({keys}):")
        }
    }
}

const NONE: &str = "none";
const NOT_SURE: &str = "not_sure";

fn has_option(question: &QuestionView, id: &str) -> bool {
    question.options.iter().any(|o| o.id == id)
}

/// Reads a typed answer: an option number (or id), several numbers for a
/// multiple choice (0 for none of these), or a number (`?` for not sure).
/// The error is a short message saying what to type instead.
fn parse_answer(question: &QuestionView, text: &str) -> Result<AnswerValue, String> {
    let count = question.options.len();
    let option_at = |token: &str| -> Option<String> {
        match token.parse::<usize>() {
            Ok(number) => number
                .checked_sub(1)
                .and_then(|i| question.options.get(i))
                .map(|o| o.id.clone()),
            Err(_) => question
                .options
                .iter()
                .find(|o| o.id.eq_ignore_ascii_case(token))
                .map(|o| o.id.clone()),
        }
    };
    match question.kind {
        QuestionKindDoc::YesNo | QuestionKindDoc::Single => option_at(text)
            .map(AnswerValue::Choice)
            .ok_or_else(|| format!("Please type one number from 1 to {count}.")),
        QuestionKindDoc::Multiple => {
            let mut chosen: Vec<String> = Vec::new();
            for token in text.split([',', ' ']).filter(|t| !t.is_empty()) {
                let id = if token == "0" && has_option(question, NONE) {
                    Some(NONE.to_owned())
                } else {
                    option_at(token)
                };
                match id {
                    Some(id) if !chosen.contains(&id) => chosen.push(id),
                    Some(_) => {}
                    None => {
                        return Err(format!(
                            "{token:?} is not one of the numbers. Type numbers from 1 to {count}, separated by commas."
                        ))
                    }
                }
            }
            let exclusive = chosen.iter().find(|id| *id == NONE || *id == NOT_SURE);
            match (chosen.len(), exclusive) {
                (0, _) => Err(format!(
                    "Please choose at least one; type numbers from 1 to {count}."
                )),
                (1, _) => Ok(AnswerValue::Choice(chosen.remove(0))),
                (_, Some(id)) => {
                    let label = question
                        .options
                        .iter()
                        .find(|o| o.id == *id)
                        .map_or(id.as_str(), |o| o.label.as_str());
                    Err(format!("\"{label}\" cannot be chosen with other answers."))
                }
                (_, None) => Ok(AnswerValue::Choices(chosen)),
            }
        }
        QuestionKindDoc::Number => {
            if text == "?" && has_option(question, NOT_SURE) {
                return Ok(AnswerValue::Choice(NOT_SURE.to_owned()));
            }
            let range = question.range.unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
            let wanted = || match question.range {
                Some((min, max)) => format!("Please type a number from {min} to {max}."),
                None => "Please type a number.".to_owned(),
            };
            match text.parse::<f64>() {
                Ok(n) if n.is_finite() && range.0 <= n && n <= range.1 => {
                    Ok(AnswerValue::Number(n))
                }
                _ => Err(wanted()),
            }
        }
    }
}

/// The outcome: where to go and how soon, why, and the care advice.
fn describe_outcome(outcome: &OutcomeView) -> String {
    let disposition = &outcome.disposition;
    let mut text = format!("\n== {} ==\n", disposition.title);
    // Only the person's own deadline: a service's target (the ambulance
    // response standard, a call-back time) would read as time they have.
    if let Some(minutes) = disposition.act_within_minutes {
        text.push_str(&format!("When: {}\n", timeframe(minutes)));
    }
    if let Some(description) = &disposition.description {
        text.push_str(&format!("{description}\n"));
    }
    if !outcome.reasons.is_empty() {
        let reasons: Vec<&str> = outcome.reasons.iter().map(|r| r.text.as_str()).collect();
        text.push_str(&format!("Why: {}\n", reasons.join("; ")));
    }
    if !outcome.care_advice.is_empty() {
        text.push_str("Care advice:\n");
        for advice in &outcome.care_advice {
            text.push_str(&format!("  - {}: {}\n", advice.title, advice.text));
        }
    }
    text.pop();
    text
}

/// `now`, `within 30 minutes`, `within 2 hours`, `within 3 days`.
fn timeframe(minutes: u32) -> String {
    const HOUR: u32 = 60;
    const DAY: u32 = 24 * HOUR;
    let (count, unit) = match minutes {
        0 => return "now".to_owned(),
        m if m % DAY == 0 => (m / DAY, "day"),
        m if m % HOUR == 0 => (m / HOUR, "hour"),
        m => (m, "minute"),
    };
    format!("within {}", crate::render::plural(count as usize, unit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use triage_core::eval::OptionView;

    fn question(kind: QuestionKindDoc, ids: &[&str]) -> QuestionView {
        QuestionView {
            id: "q".into(),
            text: "Q?".into(),
            help: None,
            lang: Language::En,
            kind,
            options: ids
                .iter()
                .map(|id| OptionView {
                    id: (*id).into(),
                    label: format!("label {id}"),
                    lang: Language::En,
                })
                .collect(),
            unit: None,
            range: Some((30.0, 45.0)),
            pathway: "p".into(),
            step: 1,
        }
    }

    #[test]
    fn single_choice_takes_a_listed_number_or_an_id() {
        let q = question(QuestionKindDoc::YesNo, &["yes", "no", "not_sure"]);
        assert_eq!(parse_answer(&q, "2"), Ok(AnswerValue::Choice("no".into())));
        assert_eq!(
            parse_answer(&q, "YES"),
            Ok(AnswerValue::Choice("yes".into()))
        );
        assert!(parse_answer(&q, "4").is_err());
        assert!(parse_answer(&q, "0").is_err());
        assert!(parse_answer(&q, "").is_err());
    }

    #[test]
    fn multiple_choice_takes_several_numbers_and_zero_for_none() {
        let q = question(
            QuestionKindDoc::Multiple,
            &["rash", "stiff", "none", "not_sure"],
        );
        assert_eq!(
            parse_answer(&q, "2, 1"),
            Ok(AnswerValue::Choices(vec!["stiff".into(), "rash".into()]))
        );
        assert_eq!(
            parse_answer(&q, "0"),
            Ok(AnswerValue::Choice("none".into()))
        );
        assert_eq!(
            parse_answer(&q, "3"),
            Ok(AnswerValue::Choice("none".into()))
        );
        assert_eq!(
            parse_answer(&q, "1,1"),
            Ok(AnswerValue::Choice("rash".into()))
        );
        assert!(parse_answer(&q, "1,0").is_err());
        assert!(parse_answer(&q, "1,4").is_err());
        assert!(parse_answer(&q, "1,9").is_err());
        assert!(parse_answer(&q, ",").is_err());
    }

    #[test]
    fn number_questions_check_the_range_and_take_a_question_mark_for_not_sure() {
        let q = question(QuestionKindDoc::Number, &["not_sure"]);
        assert_eq!(parse_answer(&q, "38.5"), Ok(AnswerValue::Number(38.5)));
        assert_eq!(
            parse_answer(&q, "?"),
            Ok(AnswerValue::Choice("not_sure".into()))
        );
        assert!(parse_answer(&q, "46").is_err());
        assert!(parse_answer(&q, "NaN").is_err());
        assert!(parse_answer(&q, "hot").is_err());
        let no_not_sure = question(QuestionKindDoc::Number, &[]);
        assert!(parse_answer(&no_not_sure, "?").is_err());
    }

    #[test]
    fn timeframes_read_naturally() {
        assert_eq!(timeframe(0), "now");
        assert_eq!(timeframe(30), "within 30 minutes");
        assert_eq!(timeframe(60), "within 1 hour");
        assert_eq!(timeframe(120), "within 2 hours");
        assert_eq!(timeframe(3 * 24 * 60), "within 3 days");
    }
}
