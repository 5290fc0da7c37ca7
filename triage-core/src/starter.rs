//! A starter case pack for one pathway: one case per answer of its own
//! questions, each a whole journey to an outcome, for the author to complete
//! with the outcome a clinician expects.
//!
//! Journeys are found by walking the pathway as the engine does, for a few
//! people it admits (a typical age first), trying every answer at every
//! question until each answer of the pathway's own questions has been given
//! on some journey. The walk is bounded; an answer no journey within the
//! bound gives is listed as not reached, never dropped silently.

use crate::compile::{CompiledBundle, NodeId, PathwayId, Position};
use crate::eval::Walk;
use crate::ir::{NodeKindIr, QuestionIr, UnitKind};
use crate::model::QuestionKindDoc;
use crate::vocab::{Answer, AnswerValue, Answering, Patient, Sex};
use std::collections::HashMap;

/// Most answers given while looking for journeys, per person tried.
const MAX_STEPS: usize = 200_000;

/// How many times a walk may pass one node before it stops trying every
/// answer there (journeys differ after a node only by what came before).
const MAX_VISITS: usize = 6;

/// A starter case pack.
#[derive(Debug, Clone)]
pub struct Starter {
    /// The pathway.
    pub pathway: String,
    /// One case per answer reached.
    pub cases: Vec<StarterCase>,
    /// Answers no journey within the bound gave: (question, answer).
    pub unreached: Vec<(String, String)>,
}

/// One case: a person, their answers, and where the journey ends today.
#[derive(Debug, Clone)]
pub struct StarterCase {
    /// The question and answer the case is for.
    pub covers: (String, String),
    /// Age in whole years.
    pub age_years: u32,
    /// Extra months.
    pub age_months: u32,
    /// Sex.
    pub sex: Sex,
    /// The answers, in order.
    pub answers: Vec<Answer>,
    /// The disposition the journey reaches today.
    pub reached: String,
    /// Its title.
    pub reached_title: String,
}

/// The starter case pack of `pathway`, or `None` if there is no such pathway.
pub fn starter(bundle: &CompiledBundle, pathway: &str) -> Option<Starter> {
    let id = bundle.pathway_index(pathway)?;
    let unit = bundle.unit(id.0)?;
    let UnitKind::Pathway(applicability) = &unit.kind else {
        return None;
    };
    // Every answer of the pathway's own questions, in the order written.
    let mut wanted: Vec<(u32, usize)> = Vec::new();
    for ir in unit.nodes.clone() {
        if let Some(NodeKindIr::Question(q)) = bundle.ir_nodes.get(ir as usize).map(|n| &n.kind) {
            wanted.extend((0..q.answers.len()).map(|i| (ir, i)));
        }
    }
    let mut found: HashMap<(u32, usize), StarterCase> = HashMap::new();
    for patient in people(
        applicability.from_years,
        applicability.to_years,
        &applicability.sexes,
    ) {
        if found.len() == wanted.len() {
            break;
        }
        let Ok(walk) = Walk::start(bundle, id, patient, true) else {
            continue;
        };
        let mut search = Search {
            bundle,
            pathway: id,
            unit: id.0,
            patient,
            found: &mut found,
            steps: 0,
            visits: HashMap::new(),
        };
        search.walk(walk, Vec::new());
    }
    let name = |(ir, i): (u32, usize)| -> (String, String) {
        let node = bundle.ir_nodes.get(ir as usize);
        let answer = match node.map(|n| &n.kind) {
            Some(NodeKindIr::Question(q)) => q.answers.get(i).map_or_else(String::new, answer_name),
            _ => String::new(),
        };
        (node.map_or_else(String::new, |n| n.id.clone()), answer)
    };
    let mut cases = Vec::new();
    let mut unreached = Vec::new();
    for key in wanted {
        match found.remove(&key) {
            Some(case) => cases.push(case),
            None => unreached.push(name(key)),
        }
    }
    Some(Starter {
        pathway: pathway.to_owned(),
        cases,
        unreached,
    })
}

/// An answer as authors write it: its id, or a band's bounds.
fn answer_name(answer: &crate::ir::AnswerIr) -> String {
    match answer.band {
        Some((from, below)) => crate::diff::band_text(from, below),
        None => answer.id.clone(),
    }
}

/// People to try, most typical first: an adult of 40, a child of 8, a
/// toddler of 2, a baby of 6 months, then the youngest and oldest ages the
/// pathway admits, and a few others; each of every sex it admits.
fn people(from: f64, to: f64, sexes: &[Sex]) -> Vec<Patient> {
    let mut months: Vec<u32> = vec![480, 96, 24, 6, 144, 204, 840, 0];
    // Months are whole; the cast keeps any admitted age (0 to 130 years).
    months.push((from * 12.0).ceil().clamp(0.0, 1560.0) as u32);
    if to.is_finite() {
        months.push(((to * 12.0).ceil() as u32).saturating_sub(1));
    }
    let mut out = Vec::new();
    for m in months {
        let years = f64::from(m / 12) + f64::from(m % 12) / 12.0;
        if years < from || years >= to {
            continue;
        }
        for sex in sexes {
            let patient = Patient {
                age_years: m / 12,
                age_months: m % 12,
                sex: *sex,
                // Children are answered for, as the service asks.
                answering: if m < 16 * 12 {
                    Answering::SomeoneElse
                } else {
                    Answering::Myself
                },
            };
            if !out.contains(&patient) {
                out.push(patient);
            }
        }
    }
    out
}

struct Search<'s, 'b> {
    bundle: &'b CompiledBundle,
    pathway: PathwayId,
    unit: u16,
    patient: Patient,
    found: &'s mut HashMap<(u32, usize), StarterCase>,
    steps: usize,
    visits: HashMap<NodeId, usize>,
}

impl<'b> Search<'_, 'b> {
    fn walk(&mut self, walk: Walk<'b>, answers: Vec<Answer>) {
        match walk.position() {
            Position::Outcome(at) => self.record(&walk, at, answers),
            Position::Question(at) => {
                let visits = self.visits.entry(at).or_insert(0);
                *visits += 1;
                if *visits > MAX_VISITS {
                    return;
                }
                let Some(NodeKindIr::Question(question)) = self.bundle.ir_node(at).map(|n| &n.kind)
                else {
                    return;
                };
                let public = self.bundle.public_id(self.pathway.0, at);
                for value in choices(question) {
                    if self.steps >= MAX_STEPS {
                        return;
                    }
                    self.steps += 1;
                    let answer = Answer {
                        question: public.clone(),
                        value,
                    };
                    let mut next = walk.clone();
                    if next.give(&answer).is_err() {
                        continue;
                    }
                    let mut more = answers.clone();
                    more.push(answer);
                    self.walk(next, more);
                }
            }
        }
    }

    /// Records the journey for each wanted answer it gave first.
    fn record(&mut self, walk: &Walk<'b>, at: NodeId, answers: Vec<Answer>) {
        let Some(disposition) = self.bundle.ir_node(at).and_then(|n| match &n.kind {
            NodeKindIr::Outcome(o) => self.bundle.disposition_ir(o.disposition),
            _ => None,
        }) else {
            return;
        };
        for (node, edge) in walk.trace() {
            let Some(compiled) = self.bundle.node(*node) else {
                continue;
            };
            if compiled.unit != self.unit || compiled.tag.question_kind().is_none() {
                continue;
            }
            let key = (compiled.ir, *edge);
            if self.found.contains_key(&key) {
                continue;
            }
            let covers = match self.bundle.ir_of(compiled).map(|n| (&n.id, &n.kind)) {
                Some((id, NodeKindIr::Question(q))) => (
                    id.clone(),
                    q.answers.get(*edge).map_or_else(String::new, answer_name),
                ),
                _ => continue,
            };
            self.found.insert(
                key,
                StarterCase {
                    covers,
                    age_years: self.patient.age_years,
                    age_months: self.patient.age_months,
                    sex: self.patient.sex,
                    answers: answers.clone(),
                    reached: disposition.id.clone(),
                    reached_title: disposition.title.english().to_owned(),
                },
            );
        }
    }
}

/// Every answer to try at a question: each answer alone, a number in each band.
fn choices(question: &QuestionIr) -> Vec<AnswerValue> {
    question
        .answers
        .iter()
        .map(|answer| match (question.kind, answer.band) {
            (QuestionKindDoc::Number, Some((from, below))) => {
                let (min, max) = question.range.unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
                let value = if from.is_finite() {
                    from
                } else if below.is_finite() {
                    (below - 1.0).max(min)
                } else {
                    0.0
                };
                AnswerValue::Number(value.clamp(min, max))
            }
            (QuestionKindDoc::Multiple, _) => AnswerValue::Choices(vec![answer.id.clone()]),
            _ => AnswerValue::Choice(answer.id.clone()),
        })
        .collect()
}
