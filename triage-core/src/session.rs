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
/// pathway, person, answers); serde's `Serialize` writes the same. The step
/// is never saved as the truth: resuming rebuilds it by walking the answers
/// again with the bundle, so a saved session cannot claim an outcome its
/// answers do not reach. That needs the bundle, so a session has no plain
/// `Deserialize`; with serde, read one through [`Resume`], which carries the
/// bundle. A saved session is unsealed: anyone can edit its answers or the
/// person, and it resumes as edited. Where saved sessions pass through hands
/// that are not trusted, seal them (`to_sealed_json`, with the `seal` feature).
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
///
/// ```compile_fail
/// // A session cannot be read without the bundle that rebuilds its step.
/// let forged: triage_core::session::Session = serde_json::from_str("{}").unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct Session {
    /// Content hash of the bundle the session runs on.
    bundle: BundleHash,
    /// The pathway started.
    pathway: String,
    /// The topic it was started for, if it was started at a topic's own start.
    topic: Option<String>,
    /// The person.
    patient: Patient,
    /// The language texts are shown in (where the bundle has it).
    language: Language,
    /// The answers given, in order.
    answers: Vec<Answer>,
    /// The current step: always where the answers lead with the bundle.
    step: Step,
    /// Where the walk is, to carry on from. `None` at the outcome, and until
    /// the answers have been checked against a bundle (then the next call
    /// replays them).
    walk: Option<Box<WalkState>>,
}

/// Writes what [`Session::to_json`] writes: no step, which resuming rebuilds.
impl Serialize for Session {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.saved(None).serialize(serializer)
    }
}

/// Reads a saved session with serde and rebuilds it against a bundle, as
/// [`Session::from_json`] does, from any format serde reads.
///
/// ```
/// use serde::de::DeserializeSeed;
/// use triage_core::prelude::*;
/// use triage_core::session::Resume;
///
/// let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pathways");
/// let bundle = triage_core::open(&dir)?;
/// let session = Session::start(&bundle, "fever", Patient::new(30, 0, Sex::Female))?;
/// let stored = serde_json::to_value(&session)?;
/// let resumed = Resume(&bundle).deserialize(stored)?;
/// assert_eq!(resumed, session);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Resume<'b>(pub &'b CompiledBundle);

impl<'de> serde::de::DeserializeSeed<'de> for Resume<'_> {
    type Value = Session;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Session, D::Error> {
        let saved = SavedSession::deserialize(deserializer)?;
        Session::rebuild(self.0, saved).map_err(serde::de::Error::custom)
    }
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

/// A saved session: what [`Session::to_json`] writes and
/// [`Session::from_json`] reads to resume the journey with the same bundle.
#[derive(Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub(crate) struct SavedRef<'a> {
    format: format::Session,
    /// Content hash of the bundle the session runs on.
    #[cfg_attr(feature = "schema", schemars(with = "BundleHash"))]
    bundle: &'a str,
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
    /// The seal, if the session is sealed.
    #[serde(skip_serializing_if = "Option::is_none")]
    seal: Option<&'a Seal>,
}

fn is_english(language: &Language) -> bool {
    *language == Language::En
}

/// A session as [`Session::from_json`] reads it. A session saved before
/// formats were versioned has no `format`, and is read as the first version.
/// A `step` (which earlier versions wrote) is never believed: the step is
/// rebuilt from the answers, and a saved one that differs is refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SavedSession {
    #[serde(default)]
    #[allow(dead_code)] // Checked as it is read.
    format: Option<format::Session>,
    pub(crate) bundle: String,
    pub(crate) pathway: String,
    #[serde(default)]
    pub(crate) topic: Option<String>,
    pub(crate) patient: Patient,
    #[serde(default)]
    pub(crate) language: Language,
    pub(crate) answers: Vec<Answer>,
    #[serde(default)]
    step: Option<SavedStep>,
    #[serde(default)]
    #[cfg_attr(not(feature = "seal"), allow(dead_code))] // Read by `seal`.
    pub(crate) seal: Option<Seal>,
}

#[cfg(feature = "seal")]
impl SavedSession {
    /// The session as the engine writes it, without its seal or a stored
    /// step: what a seal covers.
    pub(crate) fn unsealed(&self) -> SavedRef<'_> {
        SavedRef {
            format: format::Session,
            bundle: &self.bundle,
            pathway: &self.pathway,
            topic: self.topic.as_deref(),
            patient: &self.patient,
            language: self.language,
            answers: &self.answers,
            seal: None,
        }
    }
}

/// Where a saved step said the journey was: only what names it is read.
/// (A plain struct, not a tagged enum, which would cost the browser module
/// serde's buffering of whole documents.)
#[derive(Deserialize)]
struct SavedStep {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    disposition: Option<SavedDisposition>,
}

#[derive(Deserialize)]
struct SavedDisposition {
    id: String,
}

impl SavedStep {
    /// `question X` or `outcome Y`, as a mismatch names them.
    fn name(&self) -> String {
        let id = match &self.disposition {
            Some(disposition) => &disposition.id,
            None => self.id.as_deref().unwrap_or_default(),
        };
        format!("{} {id}", self.kind)
    }
}

fn step_name(step: &Step) -> String {
    match step {
        Step::Question(q) => format!("question {}", q.id),
        Step::Outcome(o) => format!("outcome {}", o.disposition.id),
    }
}

/// A keyed check over a saved session or an audit record, made with a key
/// the deployment holds, so that an edit to either is refused (with the
/// `seal` feature: `Session::to_sealed_json`, `AuditRecord::seal_with`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Seal {
    /// How it was made: always `hmac-sha256`.
    pub alg: String,
    /// The id of the key it was made with, so keys can be rotated.
    pub key: String,
    /// The HMAC-SHA256 over the document without its seal, as 64 lowercase hex digits.
    pub mac: String,
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
    /// When the record was made, as the service's clock gave it (RFC 3339,
    /// e.g. `2026-12-04T18:37:07Z`). The engine has no clock: the caller
    /// sets it, before sealing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<String>,
    /// The seal, if the record is sealed. An unsealed record proves nothing
    /// about who wrote it: anyone can edit it and replay it as valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal: Option<Seal>,
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
        serde_json::to_string(&self.saved(None)).unwrap_or_default()
    }

    /// What is saved of the session, with `seal` if it is sealed.
    pub(crate) fn saved<'a>(&'a self, seal: Option<&'a Seal>) -> SavedRef<'a> {
        SavedRef {
            format: format::Session,
            bundle: self.bundle.as_str(),
            pathway: &self.pathway,
            topic: self.topic.as_deref(),
            patient: &self.patient,
            language: self.language,
            answers: &self.answers,
            seal,
        }
    }

    /// Resumes a saved session. Refuses one saved with another bundle, and
    /// rebuilds the step by replaying the answers (refusing a saved step
    /// that they do not lead to). A seal, if any, is not checked here: see
    /// `Session::from_sealed_json` (the `seal` feature).
    pub fn from_json(bundle: &CompiledBundle, json: &str) -> Result<Session, EvalError> {
        let saved: SavedSession =
            serde_json::from_str(json).map_err(|e| EvalError::BadSession(e.to_string()))?;
        Session::rebuild(bundle, saved)
    }

    /// The session `saved` describes, its step rebuilt from its answers.
    pub(crate) fn rebuild(
        bundle: &CompiledBundle,
        saved: SavedSession,
    ) -> Result<Session, EvalError> {
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
        if let Some(claimed) = &saved.step {
            let (claimed, rebuilt) = (claimed.name(), step_name(&step));
            if claimed != rebuilt {
                return Err(EvalError::StepMismatch { claimed, rebuilt });
            }
        }
        Ok(Session {
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
            recorded_at: None,
            seal: None,
        }
    }
}

/// Replays a record with `bundle` and returns the recomputed record, which
/// equals `record`; any difference is an error naming the first field that differs.
///
/// This checks the record against the bundle, not who wrote it: an
/// unsealed record edited and recomputed by hand replays as valid. Records
/// that must not be altered are sealed, and replayed with
/// `replay_sealed` (the `seal` feature).
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
        bundle: BundleHash::of(bundle),
        pathway: record.pathway.clone(),
        topic: record.topic.clone(),
        patient: record.patient,
        language: Language::En,
        answers: record.answers.clone(),
        step: walk.step()?,
        walk: None,
    };
    let mut again = session.audit(bundle);
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
    // Not recomputed: when it was made, and its seal, are the record's own.
    again.recorded_at.clone_from(&record.recorded_at);
    again.seal.clone_from(&record.seal);
    Ok(again)
}
