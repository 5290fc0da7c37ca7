//! Sessions: one person's journey, kept between calls, saved as JSON, audited.
//!
//! A [`Session`] owns its state (pathway, person, answers, current step) and
//! holds no reference to the bundle, so it can be stored anywhere and resumed
//! with the same bundle. Every change is computed in full before it is made:
//! a refused answer leaves the session exactly as it was.

use crate::compile::CompiledBundle;
use crate::eval::{Answer, EvalError, Patient, Step, Walk};
use crate::ir::UnitKind;
use serde::{Deserialize, Serialize};

/// One person's journey through a pathway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// Content hash of the bundle the session runs on.
    bundle: String,
    /// The pathway started.
    pathway: String,
    /// The person.
    patient: Patient,
    /// The answers given, in order.
    answers: Vec<Answer>,
    /// The current step. Recomputed from the answers on [`Session::from_json`].
    step: Step,
}

/// What happened in a journey, for the record: enough to replay it and check
/// that the same bundle still gives the same result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditRecord {
    /// Content hash of the bundle.
    pub bundle: String,
    /// The pathway started.
    pub pathway: String,
    /// Its content version.
    pub pathway_version: String,
    /// The person.
    pub patient: Patient,
    /// The answers given, in order.
    pub answers: Vec<Answer>,
    /// Public ids of the questions asked, in order (the last one unanswered if
    /// the journey has not ended).
    pub steps: Vec<String>,
    /// The disposition reached, if the journey has ended.
    pub disposition: Option<AuditDisposition>,
    /// Reason codes, in order.
    pub reasons: Vec<String>,
}

/// The disposition in an [`AuditRecord`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditDisposition {
    /// Id.
    pub id: String,
    /// Code.
    pub code: String,
}

fn check_bundle(bundle: &CompiledBundle, hash: &str) -> Result<(), EvalError> {
    if bundle.hash() == hash {
        Ok(())
    } else {
        Err(EvalError::BundleMismatch {
            expected: bundle.hash().to_string(),
            got: hash.to_string(),
        })
    }
}

/// Walks `answers` from the start; the walk is left at the last one.
fn walk_answers<'b>(
    bundle: &'b CompiledBundle,
    pathway: &str,
    patient: Patient,
    answers: &[Answer],
) -> Result<Walk<'b>, EvalError> {
    let mut walk = Walk::start_named(bundle, pathway, patient, false)?;
    for answer in answers {
        walk.give(answer)?;
    }
    Ok(walk)
}

impl Session {
    /// Starts a journey on `pathway` for `patient`.
    pub fn start(
        bundle: &CompiledBundle,
        pathway: &str,
        patient: Patient,
    ) -> Result<Session, EvalError> {
        let walk = Walk::start_named(bundle, pathway, patient, false)?;
        let step = walk.step()?;
        Ok(Session {
            bundle: bundle.hash().to_string(),
            pathway: pathway.to_string(),
            patient,
            answers: Vec::new(),
            step,
        })
    }

    /// Answers the current question and moves on. On error nothing changes.
    pub fn answer(&mut self, bundle: &CompiledBundle, answer: Answer) -> Result<&Step, EvalError> {
        check_bundle(bundle, &self.bundle)?;
        if matches!(self.step, Step::Outcome(_)) {
            return Err(EvalError::AnswerAfterOutcome);
        }
        let mut walk = walk_answers(bundle, &self.pathway, self.patient, &self.answers)?;
        walk.give(&answer)?;
        let step = walk.step()?;
        self.answers.push(answer);
        self.step = step;
        Ok(&self.step)
    }

    /// Takes back the last answer. On error nothing changes.
    pub fn back(&mut self, bundle: &CompiledBundle) -> Result<&Step, EvalError> {
        check_bundle(bundle, &self.bundle)?;
        let Some((_, earlier)) = self.answers.split_last() else {
            return Err(EvalError::NothingToGoBack);
        };
        let step = walk_answers(bundle, &self.pathway, self.patient, earlier)?.step()?;
        self.answers.pop();
        self.step = step;
        Ok(&self.step)
    }

    /// The current step.
    pub fn step(&self) -> &Step {
        &self.step
    }

    /// The outcome, once the journey has ended.
    pub fn outcome(&self) -> Option<&crate::eval::OutcomeView> {
        self.step.outcome()
    }

    /// The answers given, in order.
    pub fn answers(&self) -> &[Answer] {
        &self.answers
    }

    /// The pathway started.
    pub fn pathway(&self) -> &str {
        &self.pathway
    }

    /// The person.
    pub fn patient(&self) -> &Patient {
        &self.patient
    }

    /// Content hash of the bundle the session runs on.
    pub fn bundle_hash(&self) -> &str {
        &self.bundle
    }

    /// The session as JSON, to save and later [`Session::from_json`].
    pub fn to_json(&self) -> String {
        // Serializing plain data with string keys cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Resumes a saved session. Refuses one saved with another bundle, and
    /// checks the answers again by replaying them.
    pub fn from_json(bundle: &CompiledBundle, json: &str) -> Result<Session, EvalError> {
        let saved: Session =
            serde_json::from_str(json).map_err(|e| EvalError::BadSession(e.to_string()))?;
        check_bundle(bundle, &saved.bundle)?;
        let step = walk_answers(bundle, &saved.pathway, saved.patient, &saved.answers)?.step()?;
        Ok(Session { step, ..saved })
    }

    /// The record of this journey.
    pub fn audit(&self, bundle: &CompiledBundle) -> AuditRecord {
        let pathway_version = bundle
            .pathway_index(&self.pathway)
            .and_then(|p| bundle.unit(p.0))
            .filter(|u| matches!(u.kind, UnitKind::Pathway(_)))
            .map(|u| u.version.clone())
            .unwrap_or_default();
        let mut steps: Vec<String> = self.answers.iter().map(|a| a.question.clone()).collect();
        let (disposition, reasons) = match &self.step {
            Step::Question(question) => {
                steps.push(question.id.clone());
                (None, Vec::new())
            }
            Step::Outcome(outcome) => (
                Some(AuditDisposition {
                    id: outcome.disposition.id.clone(),
                    code: outcome.disposition.code.clone(),
                }),
                outcome.reasons.iter().map(|r| r.code.clone()).collect(),
            ),
        };
        AuditRecord {
            bundle: self.bundle.clone(),
            pathway: self.pathway.clone(),
            pathway_version,
            patient: self.patient,
            answers: self.answers.clone(),
            steps,
            disposition,
            reasons,
        }
    }
}

/// Replays a record with `bundle` and returns the recomputed record, which
/// equals `record`; any difference is an error naming the first field that differs.
pub fn replay(bundle: &CompiledBundle, record: &AuditRecord) -> Result<AuditRecord, EvalError> {
    check_bundle(bundle, &record.bundle)?;
    let walk = walk_answers(bundle, &record.pathway, record.patient, &record.answers)?;
    let session = Session {
        bundle: bundle.hash().to_string(),
        pathway: record.pathway.clone(),
        patient: record.patient,
        answers: record.answers.clone(),
        step: walk.step()?,
    };
    let again = session.audit(bundle);
    let differs = [
        (
            "pathway_version",
            again.pathway_version != record.pathway_version,
        ),
        ("steps", again.steps != record.steps),
        ("disposition", again.disposition != record.disposition),
        ("reasons", again.reasons != record.reasons),
    ];
    if let Some((field, _)) = differs.iter().find(|(_, differs)| *differs) {
        return Err(EvalError::ReplayMismatch {
            field: (*field).to_string(),
        });
    }
    Ok(again)
}
