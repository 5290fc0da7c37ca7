//! `triage run`: an interactive triage in the terminal, one question at a time.
//!
//! Input is read line by line, so a journey can be piped in as well as typed.
//! Everything shown is wrapped to the terminal's width, and bundle text is
//! cleaned of control characters first (see [`crate::terminal`]).

use super::Bundle;
use crate::output::{self, Status};
use crate::terminal::{clean, Screen, BOLD, CALM, DIM, EMERGENCY, URGENT};
use anstyle::Style;
use std::io::{self, BufRead, IsTerminal, Write};
use triage_core::compile::CompiledBundle;
use triage_core::eval::{
    Answer, AnswerValue, Answering, Language, OutcomeView, Patient, QuestionView, Sex, Start, Step,
    Urgency,
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
/// The keys that work at every question, as each prompt ends.
const KEYS: &str = "b = back, q = quit";
/// Offered once an outcome has been shown.
const AFTER_OUTCOME: &str =
    "Type b to go back and change an answer, s to start again, or q to quit:";

/// How a journey (or the part of it before the first question) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// An outcome was shown and the person is done with it (`q` or the end of input).
    Outcome,
    /// An outcome was shown and the person typed `s`.
    StartAgain,
    /// The person typed `q` before an outcome.
    Quit,
    /// Input ran out before an outcome.
    Eof,
    /// `b` at the first question: choose another topic.
    BackToSearch,
    /// The pathway given with `--pathway` is not for this person (already reported).
    NotForThisPerson,
}

/// Runs `triage run`, reading answers from `input` and writing to `out` as
/// `screen` says (colour, width).
pub fn run(
    bundle: &Bundle,
    known: &Known,
    screen: Screen,
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
    let mut console = Console {
        input,
        out,
        echo,
        screen,
        outcome_shown: false,
    };
    let end = console.triage(compiled, known)?;
    match end {
        End::Outcome | End::StartAgain => Ok(Status::Ok),
        End::Quit => {
            console.say("Stopped.")?;
            Ok(Status::Ok)
        }
        End::NotForThisPerson => Ok(Status::Usage),
        // Someone who saw an outcome and started again has had their answer.
        End::Eof | End::BackToSearch if console.outcome_shown => {
            console.show("\n")?;
            Ok(Status::Ok)
        }
        End::Eof | End::BackToSearch => {
            console.show("\n")?;
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
    /// Colour and width.
    screen: Screen,
    /// Whether an outcome has been shown in this run.
    outcome_shown: bool,
}

impl<R: BufRead, W: Write> Console<R, W> {
    /// Writes a message of our own, wrapped.
    fn say(&mut self, text: &str) -> io::Result<()> {
        let text = self.screen.block(text, "", "", Style::new());
        self.show(&text)
    }

    /// Writes text already laid out (and cleaned) for the screen.
    fn show(&mut self, text: &str) -> io::Result<()> {
        self.out.write_all(text.as_bytes())
    }

    /// Prints `prompt`, wrapped, and reads one line.
    fn ask(&mut self, prompt: &str) -> io::Result<Reply> {
        let lines = self.screen.wrap(prompt, "", "", Style::new());
        if let Some((last, before)) = lines.split_last() {
            for line in before {
                writeln!(self.out, "{line}")?;
            }
            write!(self.out, "{last} ")?;
        }
        self.out.flush()?;
        let mut bytes = Vec::new();
        if self.input.read_until(b'\n', &mut bytes)? == 0 {
            return Ok(Reply::Eof);
        }
        let line = String::from_utf8_lossy(&bytes).trim().to_owned();
        if self.echo {
            // What was typed goes back to the terminal too: it must not steer it either.
            writeln!(self.out, "{}", clean(&line))?;
        }
        Ok(match line.to_lowercase().as_str() {
            "b" | "back" => Reply::Back,
            "q" | "quit" => Reply::Quit,
            _ => Reply::Text(line),
        })
    }

    /// The whole interaction: who, which topic, then the questions; again
    /// from the start for as long as the person asks to start again.
    fn triage(&mut self, compiled: &CompiledBundle, known: &Known) -> io::Result<End> {
        loop {
            let end = self.one_triage(compiled, known)?;
            if end != End::StartAgain {
                return Ok(end);
            }
            self.say("\nStarting again.")?;
        }
    }

    /// Who, which topic, then the questions, once.
    fn one_triage(&mut self, compiled: &CompiledBundle, known: &Known) -> io::Result<End> {
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
                    Reply::Back => self.say(NOTHING_TO_GO_BACK_TO)?,
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
            None => {
                let prompt = format!("{whose}, in years? (0 to {MAX_AGE})");
                match self.ask_number(&prompt, 0, MAX_AGE)? {
                    Ok(age) => age,
                    Err(end) => return Ok(Err(end)),
                }
            }
        };
        let age_months = match known.months {
            Some(months) => months,
            None if known.age.is_none() && age_years < ASK_MONTHS_BELOW => {
                let prompt = if age_years == 0 {
                    "How many months old? (0 to 11)".to_string()
                } else {
                    format!("And how many months, on top of {age_years} years? (0 to 11)")
                };
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
                    Reply::Back => self.say(NOTHING_TO_GO_BACK_TO)?,
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
                Reply::Back => self.say(NOTHING_TO_GO_BACK_TO)?,
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
        const SEARCH: &str =
            "What is the main symptom? Type a few words (or press Enter to see every topic):";
        // (pathway, topic, what the person sees)
        let mut found: Vec<(String, Option<String>, String)> = Vec::new();
        let mut prompt = SEARCH.to_owned();
        loop {
            let text = match self.ask(&prompt)? {
                Reply::Text(text) => text,
                Reply::Back => {
                    self.say(NOTHING_TO_GO_BACK_TO)?;
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
            let only_catch_all = best.is_empty();
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
                    let title = if hit.fallback && !only_catch_all {
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
                prompt = SEARCH.to_owned();
                continue;
            }
            if only_catch_all && words.is_some() {
                self.say("No topic matches those words. Try other words, or choose:")?;
            }
            let list = numbered_list(&self.screen, found.iter().map(|(_, _, title)| title));
            self.show(&list)?;
            prompt = format!(
                "Choose a topic by number from 1 to {}, or type other words:",
                found.len()
            );
        }
    }

    /// One question at a time until the outcome, and what the person does
    /// with the outcome.
    fn journey(
        &mut self,
        compiled: &CompiledBundle,
        mut session: Session,
        searched: bool,
    ) -> io::Result<End> {
        // The answer taken back with `b`, shown when its question is asked again.
        let mut taken_back: Option<Answer> = None;
        loop {
            let step = session.step(compiled).and_then(|view| view.render());
            let question = match step.map_err(|e| io::Error::other(e.to_string()))? {
                Step::Outcome(outcome) => {
                    let text = describe_outcome(&outcome, &self.screen);
                    self.show(&text)?;
                    self.outcome_shown = true;
                    loop {
                        match self.after_outcome()? {
                            AfterOutcome::Back => {}
                            AfterOutcome::StartAgain => return Ok(End::StartAgain),
                            AfterOutcome::Done => return Ok(End::Outcome),
                        }
                        let last = session.answers().last().cloned();
                        if session.back(compiled).is_ok() {
                            taken_back = last;
                            break;
                        }
                        self.say("There is no question to go back to.")?;
                    }
                    continue;
                }
                Step::Question(question) => question,
            };
            let previous = taken_back
                .take()
                .filter(|answer| answer.question == question.id);
            let text = describe_question(&question, previous.as_ref(), &self.screen);
            self.show(&text)?;
            let prompt = answer_prompt(&question, previous.is_some());
            loop {
                match self.ask(&prompt)? {
                    Reply::Quit => return Ok(End::Quit),
                    Reply::Eof => return Ok(End::Eof),
                    Reply::Back => {
                        let last = session.answers().last().cloned();
                        if session.back(compiled).is_ok() {
                            taken_back = last;
                            break;
                        }
                        if searched {
                            return Ok(End::BackToSearch);
                        }
                        self.say("This is the first question; there is nothing to go back to.")?;
                    }
                    Reply::Text(text) => {
                        let value = match (&previous, text.is_empty()) {
                            // Enter keeps the answer given before.
                            (Some(previous), true) => previous.value.clone(),
                            _ => match parse_answer(&question, &text) {
                                Ok(value) => value,
                                Err(message) => {
                                    self.say(&message)?;
                                    continue;
                                }
                            },
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

    /// Asks what to do once the outcome has been shown, until the reply is
    /// one of `b`, `s` or `q`.
    fn after_outcome(&mut self) -> io::Result<AfterOutcome> {
        self.show("\n")?;
        loop {
            match self.ask(AFTER_OUTCOME)? {
                Reply::Back => return Ok(AfterOutcome::Back),
                Reply::Text(text) if is_start_again(&text) => return Ok(AfterOutcome::StartAgain),
                Reply::Text(_) => self.say("Please type b, s or q.")?,
                Reply::Quit => return Ok(AfterOutcome::Done),
                Reply::Eof => {
                    // End the line the prompt left open.
                    self.show("\n")?;
                    return Ok(AfterOutcome::Done);
                }
            }
        }
    }
}

/// What the person chose to do with an outcome.
enum AfterOutcome {
    /// `b`: change the last answer.
    Back,
    /// `s`: a new journey.
    StartAgain,
    /// `q`, or the input ended: the outcome stands.
    Done,
}

/// Said when `b` is typed before the first question.
const NOTHING_TO_GO_BACK_TO: &str = "There is nothing to go back to yet.";

fn is_start_again(text: &str) -> bool {
    matches!(
        text.to_lowercase().as_str(),
        "s" | "start" | "start again" | "again"
    )
}

fn parse_sex(text: &str) -> Option<Sex> {
    match text.to_lowercase().as_str() {
        "1" | "f" | "female" => Some(Sex::Female),
        "2" | "m" | "male" => Some(Sex::Male),
        _ => None,
    }
}

/// `items` numbered from 1, each wrapped with a hanging indent so the
/// number stands clear of the text.
fn numbered_list<'a>(screen: &Screen, items: impl IntoIterator<Item = &'a String>) -> String {
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let number = format!("  {}. ", index + 1);
            let indent = " ".repeat(number.len());
            screen.block(item, &number, &indent, Style::new())
        })
        .collect()
}

/// The question, its help, its numbered options, and the answer given
/// before if the person came back to it.
fn describe_question(
    question: &QuestionView,
    previous: Option<&Answer>,
    screen: &Screen,
) -> String {
    let heading = format!("Question {}: {}", question.step, question.text);
    let mut text = String::from("\n");
    text.push_str(&screen.block(&heading, "", "", BOLD));
    if let Some(help) = &question.help {
        text.push_str(&screen.block(help, "  ", "  ", DIM));
    }
    if question.kind != QuestionKindDoc::Number {
        let labels: Vec<String> = question.options.iter().map(|o| o.label.clone()).collect();
        text.push_str(&numbered_list(screen, &labels));
    }
    if let Some(previous) = previous {
        let answered = format!(
            "You answered: {}",
            describe_answer(question, &previous.value)
        );
        text.push_str(&screen.block(&answered, "", "  ", Style::new()));
    }
    text
}

/// An answer as the person gave it: the labels chosen with their numbers,
/// e.g. `No (2)`, or the number with its unit.
fn describe_answer(question: &QuestionView, value: &AnswerValue) -> String {
    let option = |id: &str| {
        question
            .options
            .iter()
            .position(|o| o.id == id)
            .map(|index| (index + 1, question.options[index].label.as_str()))
    };
    match value {
        AnswerValue::Number(n) => match &question.unit {
            Some(unit) => format!("{n} {unit}"),
            None => n.to_string(),
        },
        AnswerValue::Choice(id) => match option(id) {
            // The "not sure" of a number question is typed as `?`.
            Some((_, label)) if question.kind == QuestionKindDoc::Number => format!("{label} (?)"),
            Some((number, label)) => format!("{label} ({number})"),
            None => id.clone(),
        },
        AnswerValue::Choices(ids) => {
            let chosen: Vec<(usize, &str)> = ids.iter().filter_map(|id| option(id)).collect();
            let labels: Vec<&str> = chosen.iter().map(|(_, label)| *label).collect();
            let numbers: Vec<String> = chosen.iter().map(|(n, _)| n.to_string()).collect();
            format!("{} ({})", labels.join(", "), numbers.join(","))
        }
    }
}

/// What to type, for this kind of question; `can_keep` when Enter keeps the
/// answer given before.
fn answer_prompt(question: &QuestionView, can_keep: bool) -> String {
    let wanted = match question.kind {
        QuestionKindDoc::YesNo | QuestionKindDoc::Single => {
            format!("one number from 1 to {}", question.options.len())
        }
        QuestionKindDoc::Multiple => every_number_that_applies(question),
        QuestionKindDoc::Number => number_wanted(question),
    };
    let keep = if can_keep {
        ", or press Enter to keep your answer"
    } else {
        ""
    };
    format!("Type {wanted}{keep} ({KEYS}):")
}

const NONE: &str = "none";
const NOT_SURE: &str = "not_sure";

fn has_option(question: &QuestionView, id: &str) -> bool {
    question.options.iter().any(|o| o.id == id)
}

/// What to type for a multiple-choice question. The prompt and every error
/// about such an answer say this, so there is one way to say "none of these":
/// its number in the list.
fn every_number_that_applies(question: &QuestionView) -> String {
    // The example picks symptoms, never "none" or "not sure", which go alone.
    let symptoms = question
        .options
        .iter()
        .filter(|o| o.id != NONE && o.id != NOT_SURE)
        .count();
    let example = match symptoms {
        0 | 1 => "",
        2 => ", e.g. 1,2",
        _ => ", e.g. 1,3",
    };
    let none = question
        .options
        .iter()
        .position(|o| o.id == NONE)
        .map(|index| format!(", or {} for none of these", index + 1))
        .unwrap_or_default();
    format!("every number that applies{example}{none}")
}

/// What to type for a number question: the range and unit, and `?` when
/// "not sure" is an answer. The prompt and the error both say this.
fn number_wanted(question: &QuestionView) -> String {
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
    format!("a number{range}{not_sure}")
}

/// Reads a typed answer: an option number (or id), several numbers for a
/// multiple choice, or a number (`?` for not sure). The error is a short
/// message saying what to type instead, in the words of the prompt.
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
            let wanted = every_number_that_applies(question);
            let mut chosen: Vec<String> = Vec::new();
            for token in text.split([',', ' ']).filter(|t| !t.is_empty()) {
                match option_at(token) {
                    Some(id) if !chosen.contains(&id) => chosen.push(id),
                    Some(_) => {}
                    None => {
                        return Err(format!(
                            "{token:?} is not one of the numbers. Please type {wanted}."
                        ))
                    }
                }
            }
            let exclusive = chosen.iter().find(|id| *id == NONE || *id == NOT_SURE);
            match (chosen.len(), exclusive) {
                (0, _) => Err(format!("Please type {wanted}.")),
                (1, _) => Ok(AnswerValue::Choice(chosen.remove(0))),
                (_, Some(id)) => {
                    let label = question
                        .options
                        .iter()
                        .find(|o| o.id == *id)
                        .map_or(id.as_str(), |o| o.label.as_str());
                    Err(format!(
                        "\"{label}\" cannot be chosen with other answers. Please type {wanted}."
                    ))
                }
                (_, None) => Ok(AnswerValue::Choices(chosen)),
            }
        }
        QuestionKindDoc::Number => {
            if text == "?" && has_option(question, NOT_SURE) {
                return Ok(AnswerValue::Choice(NOT_SURE.to_owned()));
            }
            let range = question.range.unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
            match text.parse::<f64>() {
                Ok(n) if n.is_finite() && range.0 <= n && n <= range.1 => {
                    Ok(AnswerValue::Number(n))
                }
                _ => Err(format!("Please type {}.", number_wanted(question))),
            }
        }
    }
}

/// The outcome's title, in a colour for how urgent it is.
fn urgency_style(urgency: Urgency) -> Style {
    match urgency {
        Urgency::Emergency => EMERGENCY,
        Urgency::Urgent => URGENT,
        Urgency::Routine | Urgency::SelfCare => CALM,
    }
}

/// The outcome: where to go and how soon, why, and the care advice.
fn describe_outcome(outcome: &OutcomeView, screen: &Screen) -> String {
    let disposition = &outcome.disposition;
    let heading = format!("== {} ==", disposition.title);
    let mut text = String::from("\n");
    text.push_str(&screen.block(&heading, "", "", urgency_style(disposition.urgency)));
    // Only the person's own deadline: a service's target (the ambulance
    // response standard, a call-back time) would read as time they have.
    if let Some(minutes) = disposition.act_within_minutes {
        text.push_str(&format!("When: {}\n", timeframe(minutes)));
    }
    if let Some(description) = &disposition.description {
        text.push_str(&screen.block(description, "", "", Style::new()));
    }
    if !outcome.reasons.is_empty() {
        let reasons: Vec<&str> = outcome.reasons.iter().map(|r| r.text.as_str()).collect();
        let why = format!("Why: {}", reasons.join("; "));
        text.push_str(&screen.block(&why, "", "     ", Style::new()));
    }
    if !outcome.care_advice.is_empty() {
        text.push_str(&screen.paint(BOLD, "Care advice:"));
        text.push('\n');
        for advice in &outcome.care_advice {
            let item = format!("{}: {}", advice.title, advice.text);
            text.push_str(&screen.block(&item, "  - ", "    ", Style::new()));
        }
    }
    text
}

/// `now`, `within 30 minutes`, `within 2 hours`, `within 3 days`.
fn timeframe(minutes: u32) -> String {
    const HOUR: u32 = 60;
    const DAY: u32 = 24 * HOUR;
    let (count, unit) = match minutes {
        0 => return "now".to_owned(),
        // "Within 1 day" reads as "by tomorrow": a day is said in hours.
        m if m >= 2 * DAY && m % DAY == 0 => (m / DAY, "day"),
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
    fn multiple_choice_takes_several_numbers_and_the_listed_number_for_none() {
        let q = question(
            QuestionKindDoc::Multiple,
            &["rash", "stiff", "none", "not_sure"],
        );
        assert_eq!(
            parse_answer(&q, "2, 1"),
            Ok(AnswerValue::Choices(vec!["stiff".into(), "rash".into()]))
        );
        assert_eq!(
            parse_answer(&q, "3"),
            Ok(AnswerValue::Choice("none".into()))
        );
        assert_eq!(
            parse_answer(&q, "1,1"),
            Ok(AnswerValue::Choice("rash".into()))
        );
        assert!(parse_answer(&q, "1,3").is_err());
        assert!(parse_answer(&q, "1,4").is_err());
        // One way to say "none of these": its number, as the prompt says.
        assert!(parse_answer(&q, "0").is_err());
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
    fn the_prompt_and_every_error_say_none_of_these_the_same_way() {
        let q = question(
            QuestionKindDoc::Multiple,
            &["rash", "stiff", "none", "not_sure"],
        );
        let said = ", or 3 for none of these";
        assert!(answer_prompt(&q, false).contains(said));
        for typed in ["0", "", "1,3", "9"] {
            let error = parse_answer(&q, typed).expect_err(typed);
            assert!(error.contains(said), "{typed:?}: {error}");
        }
    }

    #[test]
    fn the_number_error_repeats_the_prompt() {
        let mut q = question(QuestionKindDoc::Number, &["not_sure"]);
        q.unit = Some("°C".into());
        let said = "a number from 30 to 45 °C, or ? if you are not sure";
        assert!(answer_prompt(&q, false).contains(said));
        assert_eq!(parse_answer(&q, "99"), Err(format!("Please type {said}.")));
    }

    #[test]
    fn an_earlier_answer_reads_as_labels_and_what_to_type() {
        let q = question(QuestionKindDoc::Multiple, &["rash", "stiff", "none"]);
        let both = AnswerValue::Choices(vec!["stiff".into(), "rash".into()]);
        assert_eq!(describe_answer(&q, &both), "label stiff, label rash (2,1)");
        let mut temperature = question(QuestionKindDoc::Number, &["not_sure"]);
        temperature.unit = Some("°C".into());
        assert_eq!(
            describe_answer(&temperature, &AnswerValue::Number(38.5)),
            "38.5 °C"
        );
        let not_sure = AnswerValue::Choice("not_sure".into());
        assert_eq!(
            describe_answer(&temperature, &not_sure),
            "label not_sure (?)"
        );
    }

    #[test]
    fn timeframes_read_naturally() {
        assert_eq!(timeframe(0), "now");
        assert_eq!(timeframe(30), "within 30 minutes");
        assert_eq!(timeframe(60), "within 1 hour");
        assert_eq!(timeframe(120), "within 2 hours");
        assert_eq!(timeframe(24 * 60), "within 24 hours");
        assert_eq!(timeframe(3 * 24 * 60), "within 3 days");
    }
}
