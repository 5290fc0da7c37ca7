//! The FHIR hand-off (`triage_core::fhir`): journeys on the shipped bundle to
//! each kind of outcome, handed off as BaRS-shaped message bundles, checked
//! here for their shape and by FHIR.js against the R4 definitions
//! (`tests/fhir/validate.mjs`, installed with `npm ci --prefix tests/fhir`).
#![cfg(feature = "fhir")]

use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use triage_core::fhir::{handoff, HandoffContext, CODE_SYSTEM_BASE, NOT_NHS_PATHWAYS_NOTE};
use triage_core::prelude::*;

const MESSAGE_ID: &str = "79120f41-a431-4f08-bcc5-1e67006fcae0";
const SENT_AT: &str = "2026-12-04T18:37:07Z";
const SOURCE: &str = "https://111.example.org/fhir";
const ENTRY_ORDER: [&str; 6] = [
    "MessageHeader",
    "ServiceRequest",
    "Patient",
    "Encounter",
    "QuestionnaireResponse",
    "Observation",
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The shipped bundle, opened once for every test.
fn shipped() -> &'static CompiledBundle {
    static BUNDLE: OnceLock<CompiledBundle> = OnceLock::new();
    BUNDLE.get_or_init(|| triage_core::open(&workspace().join("pathways")).expect("shipped bundle"))
}

fn choice(id: &str) -> AnswerValue {
    AnswerValue::Choice(id.into())
}

fn choices(ids: &[&str]) -> AnswerValue {
    AnswerValue::Choices(ids.iter().map(|id| id.to_string()).collect())
}

/// A journey from `start` with these answers, which must reach an outcome.
fn walk(start: Start, answers: Vec<(&str, AnswerValue)>) -> Session {
    let bundle = shipped();
    let mut session = Session::begin(bundle, start).expect("journey starts");
    for (question, value) in answers {
        session
            .answer(bundle, Answer::new(question, value))
            .unwrap_or_else(|e| panic!("answering {question}: {e}"));
    }
    assert!(
        session.step(shipped()).unwrap().outcome().is_some(),
        "{:?}",
        session.step(shipped()).unwrap()
    );
    session
}

/// A journey answering "no", "none of these" or the first option throughout.
fn walk_quietly(start: Start) -> Session {
    let bundle = shipped();
    let mut session = Session::begin(bundle, start).expect("journey starts");
    while let Some(question) = session.step(shipped()).unwrap().question() {
        let value = match question.kind {
            QuestionKindDoc::YesNo => choice("no"),
            QuestionKindDoc::Multiple => choices(&["none"]),
            QuestionKindDoc::Single => choice(&question.options[0].id),
            QuestionKindDoc::Number => AnswerValue::Number(question.range.map_or(0.0, |r| r.0)),
        };
        let answer = Answer::new(question.id.clone(), value);
        session.answer(bundle, answer).expect("a valid answer");
    }
    session
}

fn context() -> HandoffContext {
    HandoffContext::new(MESSAGE_ID, SENT_AT, SOURCE)
}

fn adult(sex: Sex) -> Patient {
    Patient::new(34, 0, sex)
}

/// A sore throat journey (pathway `sore-throat`) up to its temperature question.
fn sore_throat_to(how_long: &str) -> Vec<(&'static str, AnswerValue)> {
    vec![
        ("emergency-screen/signs", choices(&["none"])),
        ("airway", choices(&["none"])),
        ("worse-quickly", choice("no")),
        ("immune", choice("no")),
        ("how-long", choice(how_long)),
    ]
}

/// The self-care ending of a sore throat: a temperature of 36 °C (a number
/// question), no pus, no swollen tonsils, and a cold.
fn sore_throat_self_care() -> Vec<(&'static str, AnswerValue)> {
    let mut answers = sore_throat_to("four-to-seven-days");
    answers.extend([
        ("temperature", AnswerValue::Number(36.0)),
        ("pus", choice("no")),
        ("tonsils", choice("no")),
        ("cough-cold", choice("yes")),
    ]);
    answers
}

/// One journey to hand off, and the priority its outcome must have.
struct Journey {
    name: &'static str,
    session: Session,
    context: HandoffContext,
    priority: &'static str,
}

fn journeys() -> Vec<Journey> {
    let sore_throat = |patient| Start::new("sore-throat", patient);
    let journey = |name, session, priority| Journey {
        name,
        session,
        context: context().with_destination_endpoint("urn:nhs:ods:RX1"),
        priority,
    };
    let mut with_details = journey(
        "ed-with-nhs-number",
        walk(
            sore_throat(adult(Sex::Female)),
            vec![
                ("emergency-screen/signs", choices(&["none"])),
                ("airway", choices(&["muffled-voice"])),
            ],
        ),
        "asap",
    );
    with_details.context = context()
        .with_nhs_number("943 476 5919")
        .with_family_name("Jones")
        .with_given_name("Julie")
        .with_given_name("Ann")
        .with_birth_date("1992-05-04");
    vec![
        journey(
            "999-stroke",
            walk(
                sore_throat(adult(Sex::Female)),
                vec![("emergency-screen/signs", choices(&["stroke"]))],
            ),
            "stat",
        ),
        journey(
            "ed-drooling",
            walk(
                sore_throat(adult(Sex::Male)),
                vec![
                    ("emergency-screen/signs", choices(&["none"])),
                    ("airway", choices(&["drooling"])),
                ],
            ),
            "asap",
        ),
        journey(
            "call-back-weak-immunity",
            walk(
                sore_throat(adult(Sex::Female)),
                vec![
                    ("emergency-screen/signs", choices(&["none"])),
                    ("airway", choices(&["none"])),
                    ("worse-quickly", choice("no")),
                    ("immune", choice("yes")),
                ],
            ),
            "urgent",
        ),
        journey(
            "pharmacist-not-sure",
            walk(sore_throat(adult(Sex::Male)), sore_throat_to("not_sure")),
            "urgent",
        ),
        journey(
            "own-gp-over-a-week",
            walk(
                sore_throat(adult(Sex::Female)),
                sore_throat_to("over-a-week"),
            ),
            "routine",
        ),
        journey(
            "self-care-temperature",
            walk(sore_throat(adult(Sex::Female)), sore_throat_self_care()),
            "routine",
        ),
        journey(
            "self-care-in-welsh",
            walk(
                sore_throat(adult(Sex::Female)).in_language(Language::Cy),
                sore_throat_self_care(),
            ),
            "routine",
        ),
        journey(
            "baby-cough",
            walk_quietly(Start::new(
                "cough-and-breathing-child",
                Patient::new(0, 6, Sex::Male).answered_by(Answering::SomeoneElse),
            )),
            "routine",
        ),
        with_details,
    ]
}

fn message(journey: &Journey) -> Value {
    handoff(shipped(), &journey.session, &journey.context)
        .unwrap_or_else(|e| panic!("{}: {e}", journey.name))
}

/// The resource of the entry of this type.
fn resource<'m>(message: &'m Value, kind: &str) -> &'m Value {
    let entries = message["entry"].as_array().expect("entries");
    let entry = entries
        .iter()
        .find(|e| e["resource"]["resourceType"] == kind)
        .unwrap_or_else(|| panic!("no {kind}"));
    &entry["resource"]
}

/// Every `reference` anywhere in `value`.
fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("reference") {
                found.push(reference.clone());
            }
            map.values().for_each(|v| references(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, found)),
        _ => {}
    }
}

/// The codings of `reasonCode` in this code system, as `(code, display)`.
fn reason_codes(request: &Value, system: &str) -> Vec<(String, String)> {
    let system = format!("{CODE_SYSTEM_BASE}/{system}");
    request["reasonCode"]
        .as_array()
        .expect("reasonCode")
        .iter()
        .flat_map(|concept| concept["coding"].as_array().cloned().unwrap_or_default())
        .filter(|coding| coding["system"] == system.as_str())
        .map(|c| (text(&c["code"]), text(&c["display"])))
        .collect()
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

fn time(value: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(value.as_str().expect("a time"), &Rfc3339).expect("RFC 3339")
}

/// The BaRS shape, checked against the session it came from.
fn assert_bars_shape(name: &str, message: &Value, session: &Session, priority: &str) {
    let outcome = session
        .step(shipped())
        .unwrap()
        .outcome()
        .expect("an outcome");
    assert_eq!(message["resourceType"], "Bundle", "{name}");
    assert_eq!(message["type"], "message", "{name}");
    assert_eq!(message["id"], MESSAGE_ID, "{name}");
    assert_eq!(message["timestamp"], SENT_AT, "{name}");
    let entries = message["entry"].as_array().expect("entries");
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(kinds, ENTRY_ORDER, "{name}");

    // Every entry is at urn:uuid:<its id>, and every reference is to one of them.
    let mut full_urls = HashSet::new();
    for entry in entries {
        let id = text(&entry["resource"]["id"]);
        assert_eq!(id.len(), 36, "{name}: {id}");
        assert_eq!(entry["fullUrl"], format!("urn:uuid:{id}"), "{name}");
        assert!(
            full_urls.insert(text(&entry["fullUrl"])),
            "{name}: ids repeat"
        );
    }
    let mut found = Vec::new();
    references(message, &mut found);
    assert!(found.len() >= 10, "{name}: {found:?}");
    for reference in &found {
        assert!(
            full_urls.contains(reference),
            "{name}: {reference} resolves to nothing"
        );
    }

    let header = resource(message, "MessageHeader");
    let request = resource(message, "ServiceRequest");
    assert_eq!(
        header["focus"][0]["reference"], entries[1]["fullUrl"],
        "{name}: the focus is the ServiceRequest"
    );
    assert_eq!(header["eventCoding"]["code"], "admin-notify");
    assert_eq!(header["reason"]["coding"][0]["code"], "new");
    assert_eq!(header["source"]["endpoint"], SOURCE);

    assert_eq!(request["status"], "active");
    assert_eq!(request["intent"], "plan");
    assert_eq!(request["authoredOn"], SENT_AT);
    assert_eq!(request["priority"], priority, "{name}");
    // The clinical texts are English, worded for whoever answered.
    let mut english = session.clone();
    english.set_language(shipped(), Language::En).unwrap();
    let english = english
        .step(shipped())
        .unwrap()
        .outcome()
        .expect("an outcome");
    let disposition = &outcome.disposition;
    assert_eq!(
        reason_codes(request, "disposition"),
        [(disposition.code.clone(), english.disposition.title.clone())],
        "{name}"
    );
    let discriminators = reason_codes(request, "symptom-discriminator");
    let expected: Vec<(String, String)> = english
        .reasons
        .iter()
        .map(|r| (r.code.clone(), r.text.clone()))
        .collect();
    assert!(!expected.is_empty(), "{name}");
    assert_eq!(discriminators, expected, "{name}");
    let pathway = reason_codes(request, "pathway");
    assert_eq!(pathway.len(), 1, "{name}");
    assert_eq!(pathway[0].0, session.pathway());
    assert!(pathway[0].1.contains("version"), "{name}: {pathway:?}");
    assert_eq!(request["note"][0]["text"], NOT_NHS_PATHWAYS_NOTE);
    let reason_json = request["reasonCode"].to_string();
    assert!(
        !reason_json.contains("fhir.nhs.uk"),
        "{name}: NHS Pathways code systems"
    );

    let period = &request["occurrencePeriod"];
    assert_eq!(period["start"], SENT_AT);
    match disposition.act_within_minutes {
        Some(minutes) => assert_eq!(
            time(&period["end"]) - time(&period["start"]),
            time::Duration::minutes(i64::from(minutes)),
            "{name}"
        ),
        None => assert!(period.get("end").is_none(), "{name}"),
    }
    let instruction = text(&request["patientInstruction"]);
    for advice in &outcome.care_advice {
        assert!(instruction.contains(&advice.title), "{name}: {}", advice.id);
        assert!(instruction.contains(&advice.text), "{name}: {}", advice.id);
    }
    let supporting: Vec<&Value> = request["supportingInfo"]
        .as_array()
        .expect("supportingInfo")
        .iter()
        .map(|r| &r["reference"])
        .collect();
    assert_eq!(supporting, [&entries[4]["fullUrl"], &entries[5]["fullUrl"]]);

    let encounter = resource(message, "Encounter");
    assert_eq!(encounter["status"], "finished");
    assert_eq!(encounter["class"]["code"], "EMER");

    let answers = resource(message, "QuestionnaireResponse");
    assert_eq!(answers["status"], "completed");
    assert_eq!(answers["language"], session.language().tag());
    let items = answers["item"].as_array().expect("items");
    let asked: Vec<&str> = items
        .iter()
        .map(|i| i["linkId"].as_str().unwrap())
        .collect();
    let transcript: Vec<&str> = outcome
        .transcript
        .iter()
        .map(|e| e.question.as_str())
        .collect();
    assert_eq!(asked, transcript, "{name}: one item per question, in order");
    for (item, entry) in items.iter().zip(&outcome.transcript) {
        assert_eq!(item["text"], entry.text.as_str(), "{name}");
        assert!(
            !item["answer"].as_array().expect("answers").is_empty(),
            "{name}"
        );
        if let Some(report) = &entry.report {
            assert!(
                item.to_string().contains(report.as_str()),
                "{name}: {report}"
            );
        }
    }

    let age = resource(message, "Observation");
    assert_eq!(age["code"]["coding"][0]["code"], "30525-0");
    let patient = session.patient();
    let (value, unit) = match patient.age_years {
        0 => (patient.age_months, "mo"),
        years => (years, "a"),
    };
    assert_eq!(age["valueQuantity"]["value"], value, "{name}");
    assert_eq!(age["valueQuantity"]["code"], unit, "{name}");
    let gender = match patient.sex {
        Sex::Female => "female",
        Sex::Male => "male",
    };
    assert_eq!(resource(message, "Patient")["gender"], gender);
}

#[test]
fn each_kind_of_outcome_is_handed_off_in_the_bars_shape() {
    let journeys = journeys();
    let dispositions: HashSet<String> = journeys
        .iter()
        .map(|j| {
            j.session
                .step(shipped())
                .unwrap()
                .outcome()
                .unwrap()
                .disposition
                .id
                .clone()
        })
        .collect();
    assert!(dispositions.len() >= 6, "{dispositions:?}");
    for journey in &journeys {
        let message = message(journey);
        assert_bars_shape(journey.name, &message, &journey.session, journey.priority);
    }
}

#[test]
fn the_person_is_their_sex_and_age_unless_the_caller_knows_more() {
    let journeys = journeys();
    let find = |name| {
        journeys
            .iter()
            .find(|j| j.name == name)
            .map(message)
            .unwrap()
    };

    let plain = find("ed-drooling");
    let person = resource(&plain, "Patient").as_object().unwrap();
    let mut fields: Vec<&str> = person.keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["gender", "id", "resourceType"]);
    let header = resource(&plain, "MessageHeader");
    assert_eq!(header["destination"][0]["endpoint"], "urn:nhs:ods:RX1");

    let known = find("ed-with-nhs-number");
    let person = resource(&known, "Patient");
    assert_eq!(
        person["identifier"][0]["system"],
        "https://fhir.nhs.uk/Id/nhs-number"
    );
    assert_eq!(person["identifier"][0]["value"], "9434765919");
    assert_eq!(person["name"][0]["family"], "Jones");
    assert_eq!(
        person["name"][0]["given"],
        serde_json::json!(["Julie", "Ann"])
    );
    assert_eq!(person["birthDate"], "1992-05-04");
    assert!(resource(&known, "MessageHeader")
        .get("destination")
        .is_none());

    let baby = find("baby-cough");
    let age = &resource(&baby, "Observation")["valueQuantity"];
    assert_eq!(age["value"], 6);
    assert_eq!(age["code"], "mo");
    assert_eq!(age["system"], "http://unitsofmeasure.org");
}

#[test]
fn answers_are_coded_numbers_are_quantities_and_not_sure_stays_visible() {
    let journeys = journeys();
    let find = |name| {
        journeys
            .iter()
            .find(|j| j.name == name)
            .map(message)
            .unwrap()
    };
    let item = |message: &Value, link: &str| {
        resource(message, "QuestionnaireResponse")["item"]
            .as_array()
            .unwrap()
            .iter()
            .find(|item| item["linkId"] == link)
            .cloned()
            .unwrap_or_else(|| panic!("no item {link}"))
    };

    let self_care = find("self-care-temperature");
    let temperature = item(&self_care, "temperature");
    assert_eq!(temperature["answer"][0]["valueQuantity"]["value"], 36.0);
    assert_eq!(temperature["answer"][0]["valueQuantity"]["unit"], "°C");
    let screen = item(&self_care, "emergency-screen/signs");
    let coding = &screen["answer"][0]["valueCoding"];
    assert_eq!(coding["code"], "none");
    assert_eq!(coding["display"], "None of these");
    assert_eq!(coding["system"], format!("{CODE_SYSTEM_BASE}/answer"));
    // "None of these" says what it ruled out, under the answer.
    let ruled_out = &screen["answer"][0]["item"];
    assert!(ruled_out.to_string().contains("#ruled-out"), "{screen}");

    let unsure = find("pharmacist-not-sure");
    let how_long = &item(&unsure, "how-long")["answer"][0]["valueCoding"];
    assert_eq!(how_long["code"], "not_sure");
    assert_eq!(how_long["display"], "I'm not sure");

    // In Welsh the answers are as the person saw them; the clinical codes'
    // texts stay English.
    let welsh = find("self-care-in-welsh");
    let english = find("self-care-temperature");
    let screen = item(&welsh, "emergency-screen/signs");
    assert_eq!(
        screen["answer"][0]["valueCoding"]["display"],
        "Dim un o'r rhain"
    );
    assert_eq!(
        item(&welsh, "cough-cold")["answer"][0]["valueCoding"]["display"],
        "Ie"
    );
    assert_eq!(
        resource(&welsh, "ServiceRequest")["reasonCode"],
        resource(&english, "ServiceRequest")["reasonCode"]
    );
}

#[test]
fn the_same_journey_and_context_give_the_same_bytes() {
    let journeys = journeys();
    let journey = &journeys[0];
    let first = serde_json::to_string(&message(journey)).unwrap();
    let resumed = Session::from_json(shipped(), &journey.session.to_json()).unwrap();
    let again = handoff(shipped(), &resumed, &journey.context).unwrap();
    assert_eq!(first, serde_json::to_string(&again).unwrap());
    // Another message id gives other resource ids; upper case is the same id.
    let mut other = journey.context.clone();
    other.message_id = "d2b0ae31-0000-4000-8000-000000000001".into();
    let other = handoff(shipped(), &journey.session, &other).unwrap();
    assert_ne!(
        other["entry"][0]["fullUrl"],
        message(journey)["entry"][0]["fullUrl"]
    );
    let mut upper = journey.context.clone();
    upper.message_id = MESSAGE_ID.to_uppercase();
    assert_eq!(
        serde_json::to_string(&handoff(shipped(), &journey.session, &upper).unwrap()).unwrap(),
        first
    );
}

#[test]
fn unfinished_journeys_and_bad_context_are_refused_with_a_code() {
    let bundle = shipped();
    let finished = walk(
        Start::new("sore-throat", adult(Sex::Female)),
        vec![("emergency-screen/signs", choices(&["stroke"]))],
    );
    let unfinished = Session::begin(bundle, Start::new("sore-throat", adult(Sex::Female))).unwrap();
    let error = handoff(bundle, &unfinished, &context()).unwrap_err();
    assert_eq!(error.code(), "journey_not_finished");
    assert!(
        error.to_string().contains("emergency-screen/signs"),
        "{error}"
    );

    let refused = |context: HandoffContext| handoff(bundle, &finished, &context).unwrap_err();
    let cases = [
        (
            HandoffContext::new("not-a-uuid", SENT_AT, SOURCE),
            "bad_message_id",
        ),
        (
            HandoffContext::new("79120f41a4314f08bcc51e67006fcae0", SENT_AT, SOURCE),
            "bad_message_id",
        ),
        (
            HandoffContext::new("79120f41-a431-4f08-bcc5-1e67006fcaeg", SENT_AT, SOURCE),
            "bad_message_id",
        ),
        (
            HandoffContext::new(MESSAGE_ID, "2026-12-04 18:37", SOURCE),
            "bad_time",
        ),
        (
            HandoffContext::new(MESSAGE_ID, "2026-12-04T18:37:07", SOURCE),
            "bad_time",
        ),
        (
            HandoffContext::new(MESSAGE_ID, "2026-02-30T18:37:07Z", SOURCE),
            "bad_time",
        ),
        (HandoffContext::new(MESSAGE_ID, SENT_AT, ""), "bad_endpoint"),
        (context().with_destination_endpoint("a b"), "bad_endpoint"),
        (context().with_nhs_number("9434765918"), "bad_nhs_number"),
        (context().with_nhs_number("94347659"), "bad_nhs_number"),
        (context().with_birth_date("1992-13-01"), "bad_birth_date"),
        (context().with_birth_date("2027-01-01"), "bad_birth_date"),
        (context().with_nhs_number("943476591x"), "bad_nhs_number"),
        (context().with_birth_date("2023-02-29"), "bad_birth_date"),
        (context().with_birth_date("1992-5-04"), "bad_birth_date"),
        (context().with_birth_date("0000-01-01"), "bad_birth_date"),
        (context().with_family_name("  "), "bad_name"),
        (context().with_given_name(""), "bad_name"),
    ];
    for (context, code) in cases {
        let error = refused(context.clone());
        assert_eq!(error.code(), code, "{context:?}: {error}");
        assert!(error.to_string().len() > 40, "says what to do: {error}");
    }

    // A session made with another bundle (one comment added) is refused.
    let (mut sources, _) = triage_core::load::Sources::from_dir(&workspace().join("pathways"));
    let file = sources
        .files
        .iter_mut()
        .find(|f| f.path == "dispositions.yaml")
        .expect("dispositions.yaml");
    file.text.push_str("\n# edited\n");
    let edited = triage_core::build(sources).bundle.expect("still valid");
    let error = handoff(&edited, &finished, &context()).unwrap_err();
    assert_eq!(error.code(), "bundle_mismatch", "{error}");
}

// ---------------------------------------------------------------------------
// FHIR.js, against the R4 definitions
// ---------------------------------------------------------------------------

/// Runs `tests/fhir/validate.mjs` on `files`: whether they passed, and what it printed.
fn fhir_js(files: &[PathBuf]) -> (bool, String) {
    let dir = workspace().join("tests/fhir");
    let install =
        "run `npm ci --prefix tests/fhir` at the root of the repository (Node.js 18 or later)";
    assert!(
        dir.join("node_modules/fhir/package.json").is_file(),
        "the FHIR validator (FHIR.js) is not installed: {install}"
    );
    let output = Command::new("node")
        .arg(dir.join("validate.mjs"))
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): install Node.js, then {install}"));
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), printed)
}

/// A folder of its own under the target directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("fhir")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn write(dir: &Path, name: &str, message: &Value) -> PathBuf {
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(message).unwrap()).expect("written");
    path
}

#[test]
fn every_hand_off_is_valid_fhir_r4() {
    let dir = scratch("valid");
    let files: Vec<PathBuf> = journeys()
        .iter()
        .map(|journey| write(&dir, journey.name, &message(journey)))
        .collect();
    let (passed, printed) = fhir_js(&files);
    assert!(passed, "FHIR.js refused a hand-off:\n{printed}");
    assert!(
        printed.contains(&format!("{} file(s) valid", files.len())),
        "{printed}"
    );
}

#[test]
fn the_validator_catches_a_wrong_code_an_unknown_property_and_a_missing_one() {
    let dir = scratch("broken");
    let journeys = journeys();
    let good = message(&journeys[0]);
    let edited = |edit: &dyn Fn(&mut Value)| {
        let mut message = good.clone();
        edit(&mut message);
        message
    };
    let entry = |message: &mut Value, index: usize| message["entry"][index]["resource"].take();
    // Each edit, and the location and message FHIR.js must report for it.
    let cases: [(&str, Value, [&str; 2]); 3] = [
        (
            "wrong-gender-code",
            edited(&|m| m["entry"][2]["resource"]["gender"] = "femalex".into()),
            ["Patient.gender", "Code \"femalex\" not found in value set"],
        ),
        (
            "unknown-property",
            edited(&|m| m["entry"][1]["resource"]["urgency"] = "high".into()),
            ["ServiceRequest.urgency", "Unexpected property"],
        ),
        (
            "service-request-without-status",
            edited(&|m| {
                let mut request = entry(m, 1);
                request.as_object_mut().unwrap().remove("status");
                m["entry"][1]["resource"] = request;
            }),
            ["ServiceRequest.status", "Missing property"],
        ),
    ];
    for (name, message, [location, problem]) in cases {
        let file = write(&dir, name, &message);
        let (passed, printed) = fhir_js(&[file]);
        assert!(!passed, "{name}: FHIR.js accepted it:\n{printed}");
        // That problem and no other: the rest of the message is valid.
        let reported = |line: &&str| line.contains(location) && line.contains(problem);
        assert_eq!(
            printed.lines().filter(reported).count(),
            1,
            "{name}:\n{printed}"
        );
        assert!(
            printed.contains("1 problem(s) in 1 file(s)"),
            "{name}:\n{printed}"
        );
    }
}

#[test]
fn context_values_are_written_in_fhir_forms() {
    let journeys = journeys();
    let journey = &journeys[0];
    // A time with a lower-case `t`, a fraction and an offset is written
    // canonically; an NHS number checks whose check digit is 11 (written 0).
    let context = HandoffContext::new(MESSAGE_ID, "2026-12-04t18:37:07.250+01:00", SOURCE)
        .with_nhs_number("9434765870")
        .with_given_name("  Julie ")
        .with_birth_date("2024-02-29");
    let message = handoff(shipped(), &journey.session, &context).unwrap();
    assert_eq!(message["timestamp"], "2026-12-04T18:37:07.25+01:00");
    let person = resource(&message, "Patient");
    assert_eq!(person["identifier"][0]["value"], "9434765870");
    assert_eq!(person["name"][0]["given"][0], "Julie");
    assert!(person["name"][0].get("family").is_none());
    // Resource ids are RFC 9562 UUIDs: version 8 (derived), RFC variant.
    for entry in message["entry"].as_array().unwrap() {
        let id = text(&entry["resource"]["id"]);
        assert_eq!(&id[14..15], "8", "{id}");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
        assert_eq!(id, id.to_lowercase());
    }
}
