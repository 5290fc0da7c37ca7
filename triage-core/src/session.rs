//! Sessions: one person's journey, kept between calls, saved as JSON, audited.
//!
//! A [`Session`] owns its state (pathway, person, answers, current step) and
//! holds no reference to the bundle, so it can be stored anywhere and resumed
//! with the same bundle. It also keeps where its walk is, so an answer is one
//! step from there rather than a replay of the journey. Every change is
//! computed in full before it is made: a refused answer leaves the session
//! exactly as it was.

use crate::compile::CompiledBundle;
use crate::eval::{walk_strings, Answer, EvalError, Patient, Step, Walk, WalkState};
use crate::format;
use crate::ir::UnitKind;
use crate::vocab::{Language, Start};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One person's journey through a pathway.
///
/// [`Session::to_json`] saves what [`Session::from_json`] needs (bundle hash,
/// pathway, person, answers); the step is recomputed on resuming. Serde's
/// `Serialize` and `Deserialize` write and read the step too.
///
/// ```
/// use triage_core::prelude::*;
///
/// let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pathways");
/// let bundle = triage_core::open(&dir)?;
/// // A mother answering for her 3-year-old, who has a cough.
/// let child = Patient::new(3, 0, Sex::Male).answered_by(Answering::SomeoneElse);
/// let mut session = Session::begin(&bundle, Start::new("cough-and-breathing-child", child))?;
/// let first = session.step().question().expect("a question").clone();
/// assert!(first.text.contains("your child"), "{}", first.text);
///
/// // Answer the emergency screen: none of these signs.
/// session.answer(&bundle, Answer::new(first.id.clone(), AnswerValue::Choices(vec!["none".into()])))?;
/// assert_eq!(session.answers().len(), 1);
///
/// // Save it, resume it later (with the same bundle), and take the answer back.
/// let saved = session.to_json();
/// let mut resumed = Session::from_json(&bundle, &saved)?;
/// assert_eq!(resumed, session);
/// resumed.back(&bundle)?;
/// assert_eq!(resumed.step().question().map(|q| &q.id), Some(&first.id));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// Always [`format::Session`] (a session saved without one is read as the first version).
    #[serde(default)]
    format: format::Session,
    /// Content hash of the bundle the session runs on.
    bundle: BundleHash,
    /// The pathway started.
    pathway: String,
    /// The topic it was started for, if it was started at a topic's own start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    topic: Option<String>,
    /// The person.
    patient: Patient,
    /// The language texts are shown in (where the bundle has it).
    #[serde(default)]
    language: Language,
    /// The answers given, in order.
    answers: Vec<Answer>,
    /// The current step. Recomputed from the answers on [`Session::from_json`].
    step: Step,
    /// Where the walk is, to carry on from. `None` at the outcome, and until
    /// the answers have been checked against a bundle (then the next call
    /// replays them).
    #[serde(skip)]
    walk: Option<Box<WalkState>>,
}

/// Equal when everything a caller can see is equal; where the walk is kept
/// follows from that.
impl PartialEq for Session {
    fn eq(&self, other: &Session) -> bool {
        self.bundle == other.bundle
            && self.pathway == other.pathway
            && self.topic == other.topic
            && self.patient == other.patient
            && self.language == other.language
            && self.answers == other.answers
            && self.step == other.step
    }
}

/// A bundle's content hash as 64 lowercase hex digits, held inline (no heap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct BundleHash([u8; 64]);

impl BundleHash {
    fn of(bundle: &CompiledBundle) -> BundleHash {
        let mut digits = [b'0'; 64];
        for (slot, digit) in digits.iter_mut().zip(bundle.hash().bytes()) {
            *slot = digit;
        }
        BundleHash(digits)
    }

    /// Parses 64 lowercase hex digits, as [`CompiledBundle::hash`] writes them.
    fn parse(text: &str) -> Option<BundleHash> {
        let digits: [u8; 64] = text.as_bytes().try_into().ok()?;
        digits
            .iter()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            .then_some(BundleHash(digits))
    }

    fn as_str(&self) -> &str {
        // Only ASCII hex digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for BundleHash {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "BundleHash".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A bundle's content hash: 64 lowercase hex digits (SHA-256).",
            "type": "string",
            "pattern": "^[0-9a-f]{64}$",
        })
    }
}

impl Serialize for BundleHash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for BundleHash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        BundleHash::parse(&text)
            .ok_or_else(|| serde::de::Error::custom("a bundle hash is 64 hex digits"))
    }
}

/// A saved session: what [`Session::to_json`] writes and
/// [`Session::from_json`] reads to resume the journey with the same bundle.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub(crate) struct SavedRef<'a> {
    format: format::Session,
    /// Content hash of the bundle the session runs on.
    bundle: BundleHash,
    /// The pathway started.
    pathway: &'a str,
    /// The topic it was started for, if at a topic's own start.
    #[serde(skip_serializing_if = "Option::is_none")]
    topic: Option<&'a str>,
    /// The person.
    patient: &'a Patient,
    /// The language texts are shown in; left out for English.
    #[serde(skip_serializing_if = "is_english")]
    language: Language,
    /// The answers given, in order.
    answers: &'a [Answer],
}

fn is_english(language: &Language) -> bool {
    *language == Language::En
}

/// A session as [`Session::from_json`] reads it. A `step` (written by earlier versions and by serde) is
/// accepted and ignored: it is recomputed. A session saved before formats
/// were versioned has no `format`, and is read as the first version.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedSession {
    #[serde(default)]
    #[allow(dead_code)] // Checked as it is read.
    format: Option<format::Session>,
    bundle: String,
    pathway: String,
    #[serde(default)]
    topic: Option<String>,
    patient: Patient,
    #[serde(default)]
    language: Language,
    answers: Vec<Answer>,
    #[serde(default, rename = "step")]
    _step: Option<serde::de::IgnoredAny>,
}

/// What happened in a journey, for the record: enough to replay it and check
/// that the same bundle still gives the same result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AuditRecord {
    /// The document's format, `triage.audit/1`: always written. (Reading,
    /// the engine also takes a record without one, from before formats were
    /// versioned, as the first version.)
    #[serde(default)]
    pub format: format::Audit,
    /// Content hash of the bundle.
    pub bundle: String,
    /// The pathway started.
    pub pathway: String,
    /// The topic it was started for, if at a topic's own start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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

/// Walks `answers` from the start, in `language`; the walk is left at the last one.
fn walk_answers<'b>(
    bundle: &'b CompiledBundle,
    pathway: &str,
    topic: Option<&str>,
    patient: Patient,
    language: Language,
    answers: &[Answer],
) -> Result<Walk<'b>, EvalError> {
    Ok(walk_strings(bundle, pathway, topic, &patient, answers)?.in_language(language))
}

/// The walk state to keep after reaching `step`: none at the outcome, where
/// no answer is taken and `back` replays.
fn kept(walk: Walk<'_>, step: &Step) -> Option<Box<WalkState>> {
    match step {
        Step::Question(_) => Some(Box::new(walk.into_state())),
        Step::Outcome(_) => None,
    }
}

impl Session {
    /// Walks `answers` from this session's start, in its language.
    fn walk_with<'b>(
        &self,
        bundle: &'b CompiledBundle,
        answers: &[Answer],
    ) -> Result<Walk<'b>, EvalError> {
        self.walk_in(bundle, self.language, answers)
    }

    /// Walks `answers` from this session's start, in `language`.
    fn walk_in<'b>(
        &self,
        bundle: &'b CompiledBundle,
        language: Language,
        answers: &[Answer],
    ) -> Result<Walk<'b>, EvalError> {
        let topic = self.topic.as_deref();
        walk_answers(
            bundle,
            &self.pathway,
            topic,
            self.patient,
            language,
            answers,
        )
    }

    /// Starts a journey on `pathway` for `patient`, in English.
    pub fn start(
        bundle: &CompiledBundle,
        pathway: &str,
        patient: Patient,
    ) -> Result<Session, EvalError> {
        Session::begin(bundle, Start::new(pathway, patient))
    }

    /// Starts a journey as `start` says: a pathway, perhaps at a topic's own
    /// start, for a person, with texts in a language where the bundle has them.
    pub fn begin(bundle: &CompiledBundle, start: Start) -> Result<Session, EvalError> {
        let Start {
            pathway,
            topic,
            patient,
            language,
        } = start;
        let walk = walk_answers(bundle, &pathway, topic.as_deref(), patient, language, &[])?;
        let step = walk.step()?;
        Ok(Session {
            format: format::Session,
            bundle: BundleHash::of(bundle),
            pathway,
            topic,
            patient,
            language,
            answers: Vec::new(),
            walk: kept(walk, &step),
            step,
        })
    }

    /// Answers the current question and moves on. On error nothing changes.
    ///
    /// One step from where the session is: the earlier answers are not
    /// walked again.
    pub fn answer(&mut self, bundle: &CompiledBundle, answer: Answer) -> Result<&Step, EvalError> {
        check_bundle(bundle, self.bundle.as_str())?;
        if matches!(self.step, Step::Outcome(_)) {
            return Err(EvalError::AnswerAfterOutcome);
        }
        let mut state = match self.walk.take() {
            Some(state) => state,
            None => Box::new(self.walk_with(bundle, &self.answers)?.into_state()),
        };
        let mut walk = Walk::resume(bundle, self.patient, std::mem::take(&mut *state))
            .in_language(self.language);
        let ids = match walk.resolve(&answer) {
            Ok(ids) => ids,
            Err(refused) => {
                *state = walk.into_state();
                self.walk = Some(state);
                return Err(refused);
            }
        };
        // Past this point only a broken bundle fails; the walk is then
        // dropped (not kept), and the next call replays the answers.
        walk.apply(ids)?;
        walk.step_into(&mut self.step)?;
        self.answers.push(answer);
        self.walk = match &self.step {
            Step::Question(_) => {
                *state = walk.into_state();
                Some(state)
            }
            Step::Outcome(_) => {
                self.answers.shrink_to_fit();
                None
            }
        };
        Ok(&self.step)
    }

    /// Takes back the last answer. On error nothing changes.
    pub fn back(&mut self, bundle: &CompiledBundle) -> Result<&Step, EvalError> {
        check_bundle(bundle, self.bundle.as_str())?;
        let Some((_, earlier)) = self.answers.split_last() else {
            return Err(EvalError::NothingToGoBack);
        };
        let walk = self.walk_with(bundle, earlier)?;
        let step = walk.step()?;
        self.answers.pop();
        self.walk = kept(walk, &step);
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

    /// The topic the journey was started for, if at a topic's own start.
    pub fn topic(&self) -> Option<&str> {
        self.topic.as_deref()
    }

    /// The person.
    pub fn patient(&self) -> &Patient {
        &self.patient
    }

    /// The language texts are shown in, where the bundle has them.
    pub fn language(&self) -> Language {
        self.language
    }

    /// Shows texts in `language` from now on; the current step is shown
    /// again in it. On error nothing changes.
    pub fn set_language(
        &mut self,
        bundle: &CompiledBundle,
        language: Language,
    ) -> Result<&Step, EvalError> {
        check_bundle(bundle, self.bundle.as_str())?;
        let walk = self.walk_in(bundle, language, &self.answers)?;
        let step = walk.step()?;
        self.walk = kept(walk, &step);
        self.step = step;
        self.language = language;
        Ok(&self.step)
    }

    /// Content hash of the bundle the session runs on.
    pub fn bundle_hash(&self) -> &str {
        self.bundle.as_str()
    }

    /// The session as JSON, to save and later [`Session::from_json`]: the
    /// bundle hash, pathway, person and answers (the step is recomputed).
    pub fn to_json(&self) -> String {
        // Serializing plain data with string keys cannot fail.
        serde_json::to_string(&SavedRef {
            format: format::Session,
            bundle: self.bundle,
            pathway: &self.pathway,
            topic: self.topic.as_deref(),
            patient: &self.patient,
            language: self.language,
            answers: &self.answers,
        })
        .unwrap_or_default()
    }

    /// Resumes a saved session. Refuses one saved with another bundle, and
    /// checks the answers again by replaying them.
    pub fn from_json(bundle: &CompiledBundle, json: &str) -> Result<Session, EvalError> {
        let saved: SavedSession =
            serde_json::from_str(json).map_err(|e| EvalError::BadSession(e.to_string()))?;
        check_bundle(bundle, &saved.bundle)?;
        let walk = walk_answers(
            bundle,
            &saved.pathway,
            saved.topic.as_deref(),
            saved.patient,
            saved.language,
            &saved.answers,
        )?;
        let step = walk.step()?;
        Ok(Session {
            format: format::Session,
            bundle: BundleHash::of(bundle),
            pathway: saved.pathway,
            topic: saved.topic,
            patient: saved.patient,
            language: saved.language,
            answers: saved.answers,
            walk: kept(walk, &step),
            step,
        })
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
            format: format::Audit,
            bundle: self.bundle_hash().to_string(),
            pathway: self.pathway.clone(),
            topic: self.topic.clone(),
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
    let walk = walk_answers(
        bundle,
        &record.pathway,
        record.topic.as_deref(),
        record.patient,
        Language::En,
        &record.answers,
    )?;
    let session = Session {
        format: format::Session,
        bundle: BundleHash::of(bundle),
        pathway: record.pathway.clone(),
        topic: record.topic.clone(),
        patient: record.patient,
        language: Language::En,
        answers: record.answers.clone(),
        step: walk.step()?,
        walk: None,
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
