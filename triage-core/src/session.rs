//! Sessions: one person's journey, kept between calls, saved as JSON, audited.
//!
//! A [`Session`] owns its state (pathway, person, answers, current step) and
//! holds no reference to the bundle, so it can be stored anywhere and resumed
//! with the same bundle. It also keeps where its walk is, so an answer is one
//! step from there rather than a replay of the journey. Every change is
//! computed in full before it is made: a refused answer leaves the session
//! exactly as it was.

use crate::compile::CompiledBundle;
use crate::eval::{walk_strings, Answer, EvalError, Patient, StepView, Walk, WalkState};
use crate::format;
use crate::ir::UnitKind;
use crate::vocab::{Language, Reader, Start};
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
/// let first = session.step(&bundle)?.question().expect("a question");
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
/// assert_eq!(resumed.step(&bundle)?.question().map(|q| q.id), Some(first.id));
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
    /// Where the answers lead with the bundle: the step is rendered from it
    /// when asked for, and the next answer is one step on from it.
    walk: WalkState,
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
            && self.walk == other.walk
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
        Ok(Session {
            bundle: BundleHash::of(bundle),
            pathway,
            topic,
            patient,
            language,
            answers: Vec::new(),
            walk: walk.into_state(),
        })
    }

    /// Answers the current question and moves on. On error nothing changes.
    ///
    /// One step from where the session is: the earlier answers are not
    /// walked again. The step reached is rendered only when asked for.
    pub fn answer<'s>(
        &'s mut self,
        bundle: &'s CompiledBundle,
        answer: Answer,
    ) -> Result<StepView<'s>, EvalError> {
        check_bundle(bundle, self.bundle.as_str())?;
        let mut walk = Walk::resume(bundle, self.patient, std::mem::take(&mut self.walk));
        let given = walk
            .resolve(&answer)
            .and_then(|ids| walk.apply_or_keep(ids));
        self.walk = walk.into_state();
        given?;
        self.answers.push(answer);
        if self.view(bundle).is_outcome() {
            self.answers.shrink_to_fit();
        }
        Ok(self.view(bundle))
    }

    /// Takes back the last answer. On error nothing changes.
    pub fn back<'s>(&'s mut self, bundle: &'s CompiledBundle) -> Result<StepView<'s>, EvalError> {
        check_bundle(bundle, self.bundle.as_str())?;
        let Some((_, earlier)) = self.answers.split_last() else {
            return Err(EvalError::NothingToGoBack);
        };
        let walk = self.walk_with(bundle, earlier)?.into_state();
        self.answers.pop();
        self.walk = walk;
        Ok(self.view(bundle))
    }

    /// The current step, rendered when asked for. Refuses another bundle
    /// than the one the session runs on.
    pub fn step<'s>(&'s self, bundle: &'s CompiledBundle) -> Result<StepView<'s>, EvalError> {
        check_bundle(bundle, self.bundle.as_str())?;
        Ok(self.view(bundle))
    }

    /// The current step with `bundle`, already checked to be the session's.
    fn view<'s>(&'s self, bundle: &'s CompiledBundle) -> StepView<'s> {
        self.walk.view(bundle, self.reader())
    }

    /// How texts are chosen for this session.
    fn reader(&self) -> Reader {
        self.patient.reader(self.language)
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
    pub fn set_language<'s>(
        &'s mut self,
        bundle: &'s CompiledBundle,
        language: Language,
    ) -> Result<StepView<'s>, EvalError> {
        check_bundle(bundle, self.bundle.as_str())?;
        self.language = language;
        Ok(self.view(bundle))
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
        if let Some(claimed) = &saved.step {
            let (claimed, rebuilt) = (claimed.name(), walk.view().name());
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
            walk: walk.into_state(),
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
        let view = self.walk.view(bundle, self.reader());
        let (disposition, reasons) = match view.outcome() {
            None => {
                steps.push(view.question_id());
                (None, Vec::new())
            }
            Some(outcome) => (
                Some(AuditDisposition {
                    id: outcome.disposition.id,
                    code: outcome.disposition.code,
                }),
                outcome.reasons.into_iter().map(|r| r.code).collect(),
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
        walk: walk.into_state(),
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
