//! Hand-off: a finished journey as a FHIR R4 message `Bundle`, shaped after
//! the NHS Booking and Referral Standard (BaRS), for the service that takes
//! the person on.
//!
//! [`handoff`] writes, in this order: a `MessageHeader` (event
//! `admin-notify`, reason `new`, focus the `ServiceRequest`); the
//! `ServiceRequest` (the disposition, the symptom discriminators met and the
//! pathway in `reasonCode`, `priority` from the disposition, the time to act
//! in `occurrencePeriod`, the care advice in `patientInstruction`); the
//! `Patient` (sex, and what the caller knows: NHS number, name, birth date);
//! the `Encounter` (the online triage, `EMER`, finished); a
//! `QuestionnaireResponse` with every question and answer as asked; and an
//! `Observation` of the person's age, which FHIR's `Patient` cannot hold.
//!
//! The codes are the engine's own, **not NHS Pathways codes**: the shipped
//! bundle's Dx-style codes and reason codes are illustrative, so they are
//! written in code systems under [`CODE_SYSTEM_BASE`] (never the
//! `fhir.nhs.uk` Pathways systems), and the `ServiceRequest` carries a note
//! saying so. The encounter's period starts and ends at `sent_at`: the
//! engine knows when the record is made, not when the journey began.
//!
//! The output is deterministic: the engine has no clock and no random
//! numbers, so the caller gives the message id and the time
//! ([`HandoffContext`]), and every resource id is derived from the message
//! id. Texts are plain JSON strings, never narrative markup.

use crate::compile::{hex, CompiledBundle};
use crate::eval::{
    DispositionView, EvalError, OutcomeView, QuestionView, TranscriptEntry, Urgency,
};
use crate::model::ServiceDoc;
use crate::session::Session;
use crate::vocab::{AnswerValue, Language, Sex};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use time::format_description::well_known::{Iso8601, Rfc3339};
use time::{Date, Duration, OffsetDateTime};

/// Where this record's code systems live: `{base}/disposition`,
/// `{base}/symptom-discriminator`, `{base}/pathway` and `{base}/answer`.
/// They are the engine's own, not NHS Pathways code systems (`.invalid`
/// is a domain that never resolves).
pub const CODE_SYSTEM_BASE: &str = "https://triage-engine.invalid/fhir/CodeSystem";

/// The note on every `ServiceRequest`: its codes are not NHS Pathways codes.
pub const NOT_NHS_PATHWAYS_NOTE: &str = "The disposition, symptom discriminator and pathway codes in this record are the triage engine's own illustrative codes, not NHS Pathways codes.";

const NHS_NUMBER_SYSTEM: &str = "https://fhir.nhs.uk/Id/nhs-number";
const MESSAGE_EVENT_SYSTEM: &str = "https://fhir.nhs.uk/CodeSystem/message-event";
const MESSAGE_REASON_SYSTEM: &str = "https://fhir.nhs.uk/CodeSystem/message-reasons";
const ACT_CODE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
const LOINC: &str = "http://loinc.org";
const UCUM: &str = "http://unitsofmeasure.org";

/// What the caller knows that the engine does not: the message's id and
/// time, the endpoints, and any details of the person beyond age and sex.
///
/// Made with [`HandoffContext::new`] and the `with_` setters; checked by
/// [`handoff`], which refuses a bad value with a [`HandoffError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HandoffContext {
    /// A fresh UUID for this message (8-4-4-4-12 hex digits): the
    /// `Bundle.id`, from which every resource id is derived.
    pub message_id: String,
    /// When the message is sent, as RFC 3339 (e.g. `2026-12-04T18:37:07Z`).
    pub sent_at: String,
    /// The sending service's endpoint (URL or URN): `MessageHeader.source.endpoint`.
    pub source_endpoint: String,
    /// The receiving service's endpoint, if known: `MessageHeader.destination`.
    pub destination_endpoint: Option<String>,
    /// The person's NHS number (10 digits, spaces allowed), if known.
    pub nhs_number: Option<String>,
    /// The person's family name, if known.
    pub family_name: Option<String>,
    /// The person's given names, in order, if known.
    pub given_names: Vec<String>,
    /// The person's date of birth as `YYYY-MM-DD`, if known.
    pub birth_date: Option<String>,
}

impl HandoffContext {
    /// A message with this id, sent at this time from this endpoint, about
    /// a person known only by age and sex.
    pub fn new(
        message_id: impl Into<String>,
        sent_at: impl Into<String>,
        source_endpoint: impl Into<String>,
    ) -> HandoffContext {
        HandoffContext {
            message_id: message_id.into(),
            sent_at: sent_at.into(),
            source_endpoint: source_endpoint.into(),
            destination_endpoint: None,
            nhs_number: None,
            family_name: None,
            given_names: Vec::new(),
            birth_date: None,
        }
    }

    /// The same, addressed to the receiving service's endpoint.
    pub fn with_destination_endpoint(mut self, endpoint: impl Into<String>) -> HandoffContext {
        self.destination_endpoint = Some(endpoint.into());
        self
    }

    /// The same, with the person's NHS number.
    pub fn with_nhs_number(mut self, nhs_number: impl Into<String>) -> HandoffContext {
        self.nhs_number = Some(nhs_number.into());
        self
    }

    /// The same, with the person's family name.
    pub fn with_family_name(mut self, family_name: impl Into<String>) -> HandoffContext {
        self.family_name = Some(family_name.into());
        self
    }

    /// The same, with one more given name (call again for a middle name).
    pub fn with_given_name(mut self, given_name: impl Into<String>) -> HandoffContext {
        self.given_names.push(given_name.into());
        self
    }

    /// The same, with the person's date of birth (`YYYY-MM-DD`).
    pub fn with_birth_date(mut self, birth_date: impl Into<String>) -> HandoffContext {
        self.birth_date = Some(birth_date.into());
        self
    }
}

/// Why [`handoff`] refused to write a record. Each has a stable
/// [`code`](HandoffError::code) and a message saying what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum HandoffError {
    /// The journey has not reached an outcome.
    #[error("the journey has not reached an outcome: it is at question {question:?}; answer its questions until the session has an outcome, then hand it off")]
    JourneyNotFinished {
        /// The question it is at.
        question: String,
    },
    /// The session could not be walked again with this bundle (made with
    /// another bundle, or edited).
    #[error("the session cannot be handed off with this bundle: {0}; hand it off with the bundle it ran on")]
    Session(EvalError),
    /// The message id is not a UUID.
    #[error("message_id {0:?} is not a UUID; give a fresh one for each message as 8-4-4-4-12 hex digits, e.g. 79120f41-a431-4f08-bcc5-1e67006fcae0")]
    BadMessageId(String),
    /// `sent_at` is not an RFC 3339 time (or is outside the years 1 to 9999).
    #[error("sent_at {0:?} is not an RFC 3339 time; give the service clock's time with its offset, e.g. 2026-12-04T18:37:07Z")]
    BadTime(String),
    /// An endpoint is empty or has spaces.
    #[error("{field} {given:?} is not an endpoint; give the service's URL or URN, with no spaces")]
    BadEndpoint {
        /// `source_endpoint` or `destination_endpoint`.
        field: &'static str,
        /// What was given.
        given: String,
    },
    /// The NHS number is not 10 digits with a valid check digit.
    #[error("NHS number {0:?} is not 10 digits with a valid check digit (modulus 11); check it was copied correctly, or leave it out")]
    BadNhsNumber(String),
    /// The birth date is not a real `YYYY-MM-DD` date on or before `sent_at`.
    #[error("birth date {0:?} is not a date as YYYY-MM-DD on or before sent_at; give it as e.g. 1959-05-04, or leave it out")]
    BadBirthDate(String),
    /// A name is empty.
    #[error("{field} is empty; give the name, or leave it out")]
    BadName {
        /// `family_name` or `given_names`.
        field: &'static str,
    },
}

impl HandoffError {
    /// The stable tag, e.g. `journey_not_finished`. For [`HandoffError::Session`],
    /// the session error's own code (e.g. `bundle_mismatch`).
    pub fn code(&self) -> &'static str {
        match self {
            HandoffError::JourneyNotFinished { .. } => "journey_not_finished",
            HandoffError::Session(error) => error.code(),
            HandoffError::BadMessageId(_) => "bad_message_id",
            HandoffError::BadTime(_) => "bad_time",
            HandoffError::BadEndpoint { .. } => "bad_endpoint",
            HandoffError::BadNhsNumber(_) => "bad_nhs_number",
            HandoffError::BadBirthDate(_) => "bad_birth_date",
            HandoffError::BadName { .. } => "bad_name",
        }
    }
}

/// The FHIR R4 message `Bundle` that hands a finished journey to the next
/// service (see the [module](self) for what it holds). The same bundle,
/// session and context always give the same JSON.
///
/// Errors when the session has not reached an outcome, was made with
/// another bundle, or when the context has a bad value.
///
/// ```
/// use triage_core::fhir::{handoff, HandoffContext};
/// use triage_core::prelude::*;
///
/// let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pathways");
/// let bundle = triage_core::open(&dir)?;
/// // A woman of 34 with a sore throat and signs of a stroke: call 999.
/// let start = Start::new("sore-throat", Patient::new(34, 0, Sex::Female));
/// let mut session = Session::begin(&bundle, start)?;
/// let signs = AnswerValue::Choices(vec!["stroke".into()]);
/// session.answer(&bundle, Answer::new("emergency-screen/signs", signs))?;
///
/// let context = HandoffContext::new(
///     "79120f41-a431-4f08-bcc5-1e67006fcae0", // fresh for each message
///     "2026-12-04T18:37:07Z",                 // the service's clock
///     "https://111.example.org/fhir",
/// );
/// let message = handoff(&bundle, &session, &context)?;
/// assert_eq!(message["type"], "message");
/// assert_eq!(message["entry"][0]["resource"]["resourceType"], "MessageHeader");
/// let request = &message["entry"][1]["resource"];
/// assert_eq!(request["priority"], "stat");
/// let disposition = session.step(&bundle)?.outcome().expect("an outcome").disposition;
/// assert_eq!(request["reasonCode"][0]["coding"][0]["code"], disposition.code.as_str());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn handoff(
    bundle: &CompiledBundle,
    session: &Session,
    context: &HandoffContext,
) -> Result<Value, HandoffError> {
    let step = session.step(bundle).map_err(HandoffError::Session)?;
    if !step.is_outcome() {
        return Err(HandoffError::JourneyNotFinished {
            question: step.question_id(),
        });
    }
    let known = Known::checked(context)?;
    // The clinical texts (disposition, reasons) go to the receiving
    // clinician in English; questions and advice stay as the person saw them.
    let (Some(shown), Some(clinical)) = (step.outcome(), step.in_language(Language::En).outcome())
    else {
        return Err(HandoffError::Session(EvalError::BrokenBundle));
    };
    let id = |role: &str| resource_id(&known.message_id, role);
    let message = Message {
        bundle,
        session,
        shown: &shown,
        clinical: &clinical,
        known: &known,
        request: id("service-request"),
        patient: id("patient"),
        encounter: id("encounter"),
        answers: id("questionnaire-response"),
        age: id("age-observation"),
    };
    let header = id("message-header");
    let resources = [
        (&header, message.header()),
        (&message.request, message.service_request()?),
        (&message.patient, message.patient()),
        (&message.encounter, message.encounter()),
        (&message.answers, message.questionnaire_response()),
        (&message.age, message.age()),
    ];
    let entry: Vec<Value> = resources
        .into_iter()
        .map(|(id, mut resource)| {
            resource["id"] = json!(id);
            json!({ "fullUrl": full_url(id), "resource": resource })
        })
        .collect();
    Ok(json!({
        "resourceType": "Bundle",
        "id": known.message_id,
        "type": "message",
        "timestamp": known.sent_at,
        "entry": entry,
    }))
}

/// The caller's context, checked and in the forms FHIR writes.
struct Known<'c> {
    message_id: String,
    sent: OffsetDateTime,
    sent_at: String,
    source: &'c str,
    destination: Option<&'c str>,
    nhs_number: Option<String>,
    family_name: Option<String>,
    given_names: Vec<String>,
    birth_date: Option<&'c str>,
}

impl<'c> Known<'c> {
    /// Every value of `context` checked, in field order; the first bad one refused.
    fn checked(context: &'c HandoffContext) -> Result<Known<'c>, HandoffError> {
        let message_id = checked_uuid(&context.message_id)?;
        let (sent, sent_at) = checked_time(&context.sent_at)?;
        let name = |field, given: &str| match given.trim() {
            "" => Err(HandoffError::BadName { field }),
            name => Ok(name.to_string()),
        };
        Ok(Known {
            source: checked_endpoint("source_endpoint", &context.source_endpoint)?,
            destination: if_given(&context.destination_endpoint, |endpoint| {
                checked_endpoint("destination_endpoint", endpoint)
            })?,
            nhs_number: if_given(&context.nhs_number, checked_nhs_number)?,
            family_name: if_given(&context.family_name, |n| name("family_name", n))?,
            given_names: context
                .given_names
                .iter()
                .map(|n| name("given_names", n))
                .collect::<Result<_, _>>()?,
            birth_date: if_given(&context.birth_date, |d| checked_birth_date(d, sent))?,
            message_id,
            sent,
            sent_at,
        })
    }
}

/// An optional value, checked if given.
fn if_given<'c, T>(
    value: &'c Option<String>,
    check: impl FnOnce(&'c str) -> Result<T, HandoffError>,
) -> Result<Option<T>, HandoffError> {
    value.as_deref().map(check).transpose()
}

/// One message being written: the journey, its outcome as the person saw
/// it and in English, the caller's context, and the resources' ids.
struct Message<'a> {
    bundle: &'a CompiledBundle,
    session: &'a Session,
    shown: &'a OutcomeView,
    clinical: &'a OutcomeView,
    known: &'a Known<'a>,
    request: String,
    patient: String,
    encounter: String,
    answers: String,
    age: String,
}

/// A reference to the resource with `id` in the same bundle.
fn reference(id: &str) -> Value {
    json!({ "reference": full_url(id) })
}

fn full_url(id: &str) -> String {
    format!("urn:uuid:{id}")
}

/// The id of the resource playing `role` in the message `message_id`: the
/// first 128 bits of SHA-256 over both, as an RFC 9562 version 8 UUID.
fn resource_id(message_id: &str, role: &str) -> String {
    let digest = Sha256::new()
        .chain_update(message_id)
        .chain_update("/")
        .chain_update(role)
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80; // version 8: custom
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // variant: RFC 9562
    let hex = hex(&bytes);
    let (a, rest) = hex.split_at(8);
    let (b, rest) = rest.split_at(4);
    let (c, rest) = rest.split_at(4);
    let (d, e) = rest.split_at(4);
    format!("{a}-{b}-{c}-{d}-{e}")
}

/// The message id in lower case, if it is a UUID (8-4-4-4-12 hex digits).
fn checked_uuid(given: &str) -> Result<String, HandoffError> {
    let lengths: Vec<usize> = given.split('-').map(str::len).collect();
    let digits = given.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit());
    if lengths == [8, 4, 4, 4, 12] && digits {
        Ok(given.to_ascii_lowercase())
    } else {
        Err(HandoffError::BadMessageId(given.to_string()))
    }
}

/// The time and its canonical RFC 3339 text (upper-case `T` and `Z`), which
/// FHIR's `instant` and `dateTime` accept.
fn checked_time(given: &str) -> Result<(OffsetDateTime, String), HandoffError> {
    let time = OffsetDateTime::parse(given, &Rfc3339).ok();
    match time.and_then(|time| Some((time, fhir_time(time)?))) {
        Some(checked) => Ok(checked),
        None => Err(HandoffError::BadTime(given.to_string())),
    }
}

/// `time` as FHIR writes it, if its year is one FHIR can (1 to 9999).
fn fhir_time(time: OffsetDateTime) -> Option<String> {
    let year = time.year();
    (1..=9999)
        .contains(&year)
        .then(|| time.format(&Rfc3339).ok())?
}

fn checked_endpoint<'a>(field: &'static str, given: &'a str) -> Result<&'a str, HandoffError> {
    if given.is_empty() || given.chars().any(char::is_whitespace) {
        let given = given.to_string();
        Err(HandoffError::BadEndpoint { field, given })
    } else {
        Ok(given)
    }
}

/// The NHS number's 10 digits, spaces removed, if its check digit is right:
/// the first nine weighted 10 down to 2, the sum's remainder modulo 11
/// taken from 11 (11 counts as 0; 10 is never issued).
fn checked_nhs_number(given: &str) -> Result<String, HandoffError> {
    let digits: String = given.chars().filter(|c| *c != ' ').collect();
    let values: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    let valid = digits.len() == 10 && values.len() == 10 && {
        let weighted: u32 = values.iter().zip((2..=10).rev()).map(|(d, w)| d * w).sum();
        match 11 - weighted % 11 {
            11 => values[9] == 0,
            10 => false,
            check => values[9] == check,
        }
    };
    if valid {
        Ok(digits)
    } else {
        Err(HandoffError::BadNhsNumber(given.to_string()))
    }
}

/// The birth date, if it is a real `YYYY-MM-DD` date from year 1 to `sent`.
fn checked_birth_date(given: &str, sent: OffsetDateTime) -> Result<&str, HandoffError> {
    let shape = given.len() == 10
        && given.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    // Of that shape, ISO 8601 reads only a calendar date.
    let date = Date::parse(given, &Iso8601::DATE).ok().filter(|_| shape);
    match date {
        Some(date) if date.year() >= 1 && date <= sent.date() => Ok(given),
        _ => Err(HandoffError::BadBirthDate(given.to_string())),
    }
}

/// BaRS priority: an ambulance now, A&E as soon as possible, any other
/// service within a day urgently, the rest routinely.
fn priority(disposition: &DispositionView) -> &'static str {
    match (disposition.service, disposition.urgency) {
        (ServiceDoc::Ambulance, _) => "stat",
        (ServiceDoc::EmergencyDepartment, _) => "asap",
        (_, Urgency::Emergency | Urgency::Urgent) => "urgent",
        (_, Urgency::Routine | Urgency::SelfCare) => "routine",
    }
}

/// A code of ours, with its words as the display and the text.
fn concept(system: &str, code: &str, display: &str) -> Value {
    let system = format!("{CODE_SYSTEM_BASE}/{system}");
    json!({ "coding": [{ "system": system, "code": code, "display": display }], "text": display })
}

impl Message<'_> {
    fn header(&self) -> Value {
        let mut header = json!({
            "resourceType": "MessageHeader",
            "eventCoding": { "system": MESSAGE_EVENT_SYSTEM, "code": "admin-notify" },
            "source": {
                "software": "triage-core",
                "version": env!("CARGO_PKG_VERSION"),
                "endpoint": self.known.source,
            },
            "reason": { "coding": [{ "system": MESSAGE_REASON_SYSTEM, "code": "new" }] },
            "focus": [reference(&self.request)],
        });
        if let Some(endpoint) = self.known.destination {
            header["destination"] = json!([{ "endpoint": endpoint }]);
        }
        header
    }

    fn service_request(&self) -> Result<Value, HandoffError> {
        let (disposition, pathway) = (&self.clinical.disposition, self.session.pathway());
        let mut reasons = vec![concept(
            "disposition",
            &disposition.code,
            &disposition.title,
        )];
        reasons.extend(
            self.clinical
                .reasons
                .iter()
                .map(|reason| concept("symptom-discriminator", &reason.code, &reason.text)),
        );
        let info = self
            .bundle
            .pathway_index(pathway)
            .and_then(|p| self.bundle.pathway_info(p));
        let title = match &info {
            Some(info) => format!("{} (pathway version {})", info.title, info.version),
            None => pathway.to_string(),
        };
        reasons.push(concept("pathway", pathway, &title));

        let known = self.known;
        let mut period = json!({ "start": known.sent_at });
        if let Some(minutes) = disposition.act_within_minutes {
            let end = known.sent.checked_add(Duration::minutes(minutes.into()));
            let end = end.and_then(fhir_time);
            period["end"] = json!(end.ok_or(HandoffError::BadTime(known.sent_at.clone()))?);
        }
        let mut request = json!({
            "resourceType": "ServiceRequest",
            "status": "active",
            "intent": "plan",
            "priority": priority(disposition),
            "subject": reference(&self.patient),
            "encounter": reference(&self.encounter),
            "occurrencePeriod": period,
            "authoredOn": known.sent_at,
            "reasonCode": reasons,
            "supportingInfo": [
                { "reference": full_url(&self.answers), "display": "Questions and answers" },
                { "reference": full_url(&self.age), "display": "Age" },
            ],
            "note": [{ "text": NOT_NHS_PATHWAYS_NOTE }],
        });
        // R4 has one string for the instructions: each piece of advice as
        // its heading, then its text, separated by blank lines.
        let advice: Vec<String> = self
            .shown
            .care_advice
            .iter()
            .map(|advice| format!("{}\n{}", advice.title, advice.text))
            .collect();
        if !advice.is_empty() {
            request["patientInstruction"] = json!(advice.join("\n\n"));
        }
        Ok(request)
    }

    fn patient(&self) -> Value {
        let gender = match self.session.patient().sex {
            Sex::Female => "female",
            Sex::Male => "male",
        };
        let known = self.known;
        let mut patient = json!({ "resourceType": "Patient", "gender": gender });
        if let Some(number) = &known.nhs_number {
            patient["identifier"] = json!([{ "system": NHS_NUMBER_SYSTEM, "value": number }]);
        }
        let mut name = serde_json::Map::new();
        if let Some(family) = &known.family_name {
            name.insert("family".into(), json!(family));
        }
        if !known.given_names.is_empty() {
            name.insert("given".into(), json!(known.given_names));
        }
        if !name.is_empty() {
            patient["name"] = json!([name]);
        }
        if let Some(date) = known.birth_date {
            patient["birthDate"] = json!(date);
        }
        patient
    }

    /// The online triage, which the engine knows only as ended when the
    /// message is sent: its period starts and ends then.
    fn encounter(&self) -> Value {
        let sent_at = &self.known.sent_at;
        json!({
            "resourceType": "Encounter",
            "status": "finished",
            "class": { "system": ACT_CODE_SYSTEM, "code": "EMER", "display": "emergency" },
            "subject": reference(&self.patient),
            "period": { "start": sent_at, "end": sent_at },
        })
    }

    /// Every question as asked and its answer: the options chosen as codings
    /// (option id and label, "I'm not sure" too), a number as a quantity in
    /// the question's unit, and, under the answer, the report line for the
    /// clinician and the options ruled out.
    fn questionnaire_response(&self) -> Value {
        let session = self.session;
        let reader = session.patient().reader(session.language());
        let questions: HashMap<String, QuestionView> = self
            .bundle
            .questions(session.pathway(), reader)
            .unwrap_or_default()
            .into_iter()
            .map(|question| (question.id.clone(), question))
            .collect();
        let item = |(index, entry): (usize, &TranscriptEntry)| {
            let given = session.answers().get(index);
            let given = given.filter(|answer| answer.question == entry.question);
            let mut answers = given
                .zip(questions.get(&entry.question))
                .and_then(|(answer, question)| answer_values(&answer.value, question))
                .unwrap_or_else(|| vec![json!({ "valueString": entry.answer })]);
            let nested_item = |suffix: &str, text: &str, values: Vec<&String>| {
                let answer: Vec<Value> =
                    values.iter().map(|v| json!({ "valueString": v })).collect();
                let link = format!("{}#{suffix}", entry.question);
                json!({ "linkId": link, "text": text, "answer": answer })
            };
            let mut nested = Vec::new();
            if let Some(report) = &entry.report {
                nested.push(nested_item(
                    "report",
                    "Report for the clinician",
                    vec![report],
                ));
            }
            if !entry.ruled_out.is_empty() {
                let labels = entry.ruled_out.iter().collect();
                nested.push(nested_item("ruled-out", "Offered and not chosen", labels));
            }
            // R4: a question's nested items go under an answer, not beside it.
            if let (false, Some(first)) = (nested.is_empty(), answers.first_mut()) {
                first["item"] = json!(nested);
            }
            json!({ "linkId": entry.question, "text": entry.text, "answer": answers })
        };
        let items: Vec<Value> = self.shown.transcript.iter().enumerate().map(item).collect();
        json!({
            "resourceType": "QuestionnaireResponse",
            "language": session.language().tag(),
            "status": "completed",
            "subject": reference(&self.patient),
            "encounter": reference(&self.encounter),
            "authored": self.known.sent_at,
            "item": items,
        })
    }

    /// The person's age as given at triage (LOINC 30525-0): whole years, or
    /// months under a year.
    fn age(&self) -> Value {
        let person = self.session.patient();
        let (value, unit, code) = match person.age_years {
            0 => (person.age_months, "months", "mo"),
            years => (years, "years", "a"),
        };
        json!({
            "resourceType": "Observation",
            "status": "final",
            "code": {
                "coding": [{ "system": LOINC, "code": "30525-0", "display": "Age" }],
                "text": "Age",
            },
            "subject": reference(&self.patient),
            "encounter": reference(&self.encounter),
            "effectiveDateTime": self.known.sent_at,
            "valueQuantity": { "value": value, "unit": unit, "system": UCUM, "code": code },
        })
    }
}

/// The answer as FHIR values, or `None` where an option is not one the
/// question offers (the caller then writes the answer as shown).
fn answer_values(value: &AnswerValue, question: &QuestionView) -> Option<Vec<Value>> {
    let coding = |id: &String| {
        let option = question.options.iter().find(|option| &option.id == id)?;
        let system = format!("{CODE_SYSTEM_BASE}/answer");
        let coding = json!({ "system": system, "code": option.id, "display": option.label });
        Some(json!({ "valueCoding": coding }))
    };
    match value {
        AnswerValue::Choice(id) => Some(vec![coding(id)?]),
        AnswerValue::Choices(chosen) => chosen.iter().map(coding).collect(),
        AnswerValue::Number(number) if number.is_finite() => Some(vec![match &question.unit {
            Some(unit) => json!({ "valueQuantity": { "value": number, "unit": unit } }),
            None => json!({ "valueDecimal": number }),
        }]),
        AnswerValue::Number(_) => None,
    }
}
