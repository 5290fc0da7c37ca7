//! The bindings' behaviour in plain Rust (JSON text in, JSON text out), so it
//! can be tested natively; `lib.rs` only exposes it to JavaScript.

use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use triage_core::compile::{BundleStats, CompiledBundle};
use triage_core::eval::{Answer, EvalError, Language, Patient, Start};
use triage_core::report::DiagnosticJson;
use triage_core::session::{self, AuditRecord, Session};
#[cfg(feature = "sources")]
use {
    std::collections::BTreeMap,
    triage_core::diag::{Diagnostic, Severity},
    triage_core::load::Sources,
    triage_core::report::{self, ValidationReport},
    triage_core::BuildOptions,
};

/// A refusal, already written as the JSON object thrown to JavaScript:
/// `{"code": TAG, "message": TEXT, ...details}`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ErrorJson {
    /// The stable tag, e.g. `option_not_offered`.
    pub(crate) code: &'static str,
    /// The JSON object.
    pub(crate) json: String,
}

/// Tag of an argument that is not the JSON the call takes.
const BAD_INPUT: &str = "bad_input";
/// Tag of a bundle that has errors.
#[cfg(feature = "sources")]
const INVALID_BUNDLE: &str = "invalid_bundle";
/// Tag of a result that could not be written as JSON (never expected).
const INTERNAL: &str = "internal";

impl ErrorJson {
    /// The JSON text.
    pub(crate) fn into_json(self) -> String {
        self.json
    }

    fn eval(error: &EvalError) -> ErrorJson {
        match serde_json::to_string(error) {
            Ok(json) => ErrorJson {
                code: error.code(),
                json,
            },
            Err(e) => ErrorJson::internal(&e),
        }
    }

    fn plain(code: &'static str, message: &str) -> ErrorJson {
        #[derive(Serialize)]
        struct Plain<'a> {
            code: &'a str,
            message: &'a str,
        }
        let json = serde_json::to_string(&Plain { code, message })
            .unwrap_or_else(|_| format!("{{\"code\":\"{code}\",\"message\":\"\"}}"));
        ErrorJson { code, json }
    }

    fn bad_input(what: &str, error: &serde_json::Error) -> ErrorJson {
        ErrorJson::plain(BAD_INPUT, &format!("{what} is not valid: {error}"))
    }

    fn internal(error: &serde_json::Error) -> ErrorJson {
        ErrorJson::plain(INTERNAL, &format!("the result cannot be written: {error}"))
    }

    #[cfg(feature = "sources")]
    fn invalid_bundle(diagnostics: Vec<DiagnosticJson>) -> ErrorJson {
        #[derive(Serialize)]
        struct Invalid {
            code: &'static str,
            message: String,
            diagnostics: Vec<DiagnosticJson>,
        }
        let errors = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let message = match errors {
            1 => "the bundle has 1 error".to_string(),
            n => format!("the bundle has {n} errors"),
        };
        let invalid = Invalid {
            code: INVALID_BUNDLE,
            message,
            diagnostics,
        };
        match serde_json::to_string(&invalid) {
            Ok(json) => ErrorJson {
                code: INVALID_BUNDLE,
                json,
            },
            Err(e) => ErrorJson::internal(&e),
        }
    }
}

impl From<EvalError> for ErrorJson {
    fn from(error: EvalError) -> ErrorJson {
        ErrorJson::eval(&error)
    }
}

/// Reads `text` as the JSON argument named `what`.
fn parse<'a, T: Deserialize<'a>>(what: &str, text: &'a str) -> Result<T, ErrorJson> {
    // A byte order mark before the JSON is tolerated.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(text).map_err(|e| ErrorJson::bad_input(what, &e))
}

/// Writes a result as JSON.
fn write(value: &impl Serialize) -> Result<String, ErrorJson> {
    serde_json::to_string(value).map_err(|e| ErrorJson::internal(&e))
}

#[cfg(feature = "sources")]
/// Diagnostics in the shape `triage validate --format json` prints; `file` is
/// the key the text was given under, or `""` for the bundle as a whole.
fn json_diagnostics(sources: &Sources, diagnostics: &[Diagnostic]) -> Vec<DiagnosticJson> {
    report::diagnostics_json(diagnostics, |file| file_name(sources, file))
}

#[cfg(feature = "sources")]
fn file_name(sources: &Sources, file: usize) -> String {
    sources
        .files
        .get(file)
        .map(|f| f.path.clone())
        .unwrap_or_default()
}

#[cfg(feature = "sources")]
/// Builds the bundle given as a JSON object `{path: text}`.
fn build(files: &str, options: &BuildOptions) -> Result<triage_core::Built, ErrorJson> {
    let texts: BTreeMap<String, String> = parse("the bundle files", files)?;
    let (sources, mut diagnostics) = Sources::from_texts(texts.into_iter().collect());
    let mut built = triage_core::build_with_options(sources, options);
    // Size problems found while reading the texts come first, as the CLI reports them.
    diagnostics.append(&mut built.diagnostics);
    built.diagnostics = diagnostics;
    Ok(built)
}

#[cfg(feature = "sources")]
/// Validates a bundle and returns the report as JSON.
pub(crate) fn validate(files: &str) -> Result<String, ErrorJson> {
    let built = build(files, &BuildOptions::default())?;
    write(&ValidationReport::of(&built, |file| {
        file_name(&built.sources, file)
    }))
}

/// A compiled bundle (whole, or the catalog of a split one, with the parts
/// added so far) and the warnings found while building it.
#[derive(Debug)]
pub(crate) struct Engine {
    bundle: Rc<CompiledBundle>,
    /// Parts added to a catalog, in the order added.
    parts: RefCell<Vec<Rc<CompiledBundle>>>,
    warnings: Vec<DiagnosticJson>,
}

/// What [`Engine::info`] returns.
#[derive(Serialize)]
struct Info<'a> {
    kind: &'static str,
    hash: &'a str,
    stats: BundleStats,
    diagnostics: &'a [DiagnosticJson],
}

/// The argument of [`Engine::pathways`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PathwayQuery {
    #[serde(default)]
    patient: Option<Patient>,
    #[serde(default)]
    words: Option<String>,
}

/// What a page shows of a session when it starts or resumes: everything but
/// the saved text and the outcome's transcript, which are written only when
/// asked for.
#[derive(Serialize)]
struct SessionState<'a, S> {
    pathway: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    topic: Option<&'a str>,
    patient: &'a Patient,
    language: Language,
    answers: &'a [Answer],
    step: S,
}

/// The session's pathway, patient, answers and step, as JSON.
pub(crate) fn state(bundle: &CompiledBundle, session: &Session) -> Result<String, ErrorJson> {
    let step = session.step(bundle)?.without_transcript();
    write(&SessionState {
        pathway: session.pathway(),
        topic: session.topic(),
        patient: session.patient(),
        language: session.language(),
        answers: session.answers(),
        step,
    })
}

/// The answers given so far, as JSON.
pub(crate) fn answers(session: &Session) -> Result<String, ErrorJson> {
    write(&session.answers())
}

/// Shows `session`'s texts in `language` (`"en"` or `"cy"`) from now
/// on, and returns the current step again, in it.
pub(crate) fn set_language(
    bundle: &CompiledBundle,
    session: &mut Session,
    language: &str,
) -> Result<String, ErrorJson> {
    let language = Language::from_tag(language)
        .ok_or_else(|| ErrorJson::plain("bad_input", "the language must be \"en\" or \"cy\""))?;
    write(&session.set_language(bundle, language)?.without_transcript())
}

/// Answers the current question of `session` with `{"question", "answer"}`
/// and returns the new step as JSON, an outcome without its transcript
/// ([`transcript`]). A refused answer changes nothing.
pub(crate) fn answer(
    bundle: &CompiledBundle,
    session: &mut Session,
    answer: &str,
) -> Result<String, ErrorJson> {
    let answer: Answer = parse("the answer", answer)?;
    write(&session.answer(bundle, answer)?.without_transcript())
}

/// Takes back the last answer of `session` and returns the new step as
/// JSON (an outcome without its transcript).
pub(crate) fn back(bundle: &CompiledBundle, session: &mut Session) -> Result<String, ErrorJson> {
    write(&session.back(bundle)?.without_transcript())
}

/// The transcript of `session`'s outcome as JSON: every question asked and
/// its answer (`[]` before the outcome).
pub(crate) fn transcript(bundle: &CompiledBundle, session: &Session) -> Result<String, ErrorJson> {
    write(&session.step(bundle)?.transcript_json())
}

/// The audit record of a session, as JSON.
pub(crate) fn audit(bundle: &CompiledBundle, session: &Session) -> Result<String, ErrorJson> {
    write(&session.audit(bundle))
}

/// The pathway a saved session or an audit record names, to choose the
/// bundle that checks it (the rest is read, and refused, there).
#[derive(Deserialize)]
struct Named {
    pathway: String,
}

/// The bundle split into its catalog and parts, as one buffer: for each file,
/// its name's length (u32, little-endian), its name (UTF-8), its length
/// (u32, little-endian) and its bytes; the catalog first.
#[cfg(feature = "sources")]
pub(crate) fn compile_split(files: &str) -> Result<Vec<u8>, ErrorJson> {
    let built = build(files, &BuildOptions::for_evaluation())?;
    let split = match built.split() {
        Some(Ok(split)) => split,
        Some(Err(error)) => return Err(ErrorJson::plain("compile_error", &error.to_string())),
        None => {
            return Err(ErrorJson::invalid_bundle(json_diagnostics(
                &built.sources,
                &built.diagnostics,
            )))
        }
    };
    let mut out = Vec::new();
    let mut frame = |name: &str, bytes: &[u8]| {
        for piece in [name.as_bytes(), bytes] {
            out.extend_from_slice(&u32::try_from(piece.len()).unwrap_or(u32::MAX).to_le_bytes());
            out.extend_from_slice(piece);
        }
    };
    frame(
        triage_core::compile::CATALOG_FILE,
        &triage_core::artifact::to_bytes(&split.catalog),
    );
    for (pathway, part) in &split.parts {
        frame(
            &triage_core::compile::part_file_name(pathway),
            &triage_core::artifact::to_bytes(part),
        );
    }
    Ok(out)
}

impl Engine {
    /// Reads a compiled bundle artifact (`triage compile`); a file that is not
    /// a sound artifact is refused with its [`triage_core::artifact::ArtifactError`] code.
    pub(crate) fn from_artifact(bytes: &[u8]) -> Result<Engine, ErrorJson> {
        match triage_core::artifact::from_bytes(bytes) {
            Ok(bundle) => Ok(Engine {
                bundle: Rc::new(bundle),
                parts: RefCell::default(),
                warnings: Vec::new(),
            }),
            Err(error) => Err(ErrorJson::plain(error.code(), &error.to_string())),
        }
    }

    /// Adds a part of this catalog's bundle (`triage compile --split`) and
    /// returns the ids of the pathways it lets journeys start on, as JSON.
    /// A part that is damaged, of another format or of another bundle is
    /// refused with its [`triage_core::artifact::ArtifactError`] code.
    pub(crate) fn add_part(&self, bytes: &[u8]) -> Result<String, ErrorJson> {
        let part = triage_core::artifact::part_from_bytes(bytes, &self.bundle)
            .map_err(|error| ErrorJson::plain(error.code(), &error.to_string()))?;
        let ids: Vec<String> = part.pathways().map(|p| p.id.to_string()).collect();
        self.parts.borrow_mut().push(Rc::new(part));
        write(&ids)
    }

    /// The file of the part to add before a journey on `pathway` can start
    /// (`PATHWAY.part.triage`, beside the catalog), or `None` when it can
    /// start already or the catalog has no such pathway.
    pub(crate) fn part_needed(&self, pathway: &str) -> Option<String> {
        let known = self.bundle.pathway_index(pathway).is_some();
        let startable = self.bundle.can_start(pathway)
            || self.parts.borrow().iter().any(|p| p.can_start(pathway));
        (known && !startable).then(|| triage_core::compile::part_file_name(pathway))
    }

    /// The bundle journeys on `pathway` run with: the whole bundle, or the
    /// first part added that has it; the catalog if none has, which refuses
    /// them (`pathway_not_loaded`, or `unknown_pathway`).
    pub(crate) fn bundle_for(&self, pathway: &str) -> Rc<CompiledBundle> {
        if self.bundle.can_start(pathway) {
            return Rc::clone(&self.bundle);
        }
        self.parts
            .borrow()
            .iter()
            .find(|p| p.can_start(pathway))
            .map_or_else(|| Rc::clone(&self.bundle), Rc::clone)
    }

    /// The bundle for a saved session or an audit record, by the pathway it names.
    fn bundle_named(&self, text: &str) -> Rc<CompiledBundle> {
        match serde_json::from_str::<Named>(text) {
            Ok(named) => self.bundle_for(&named.pathway),
            Err(_) => Rc::clone(&self.bundle),
        }
    }

    /// Loads, validates and compiles a bundle given as a JSON object `{path: text}`.
    #[cfg(feature = "sources")]
    pub(crate) fn load(files: &str) -> Result<Engine, ErrorJson> {
        // Case packs are for authors; a page that runs triages does not need them.
        let built = build(files, &BuildOptions::for_evaluation())?;
        let diagnostics = json_diagnostics(&built.sources, &built.diagnostics);
        match built.bundle {
            Some(bundle) if !built.has_errors() => Ok(Engine {
                bundle: Rc::new(bundle),
                parts: RefCell::default(),
                warnings: diagnostics,
            }),
            _ => Err(ErrorJson::invalid_bundle(diagnostics)),
        }
    }

    /// The bundle as a compiled artifact, for [`Engine::from_artifact`].
    #[cfg(feature = "sources")]
    pub(crate) fn to_artifact(&self) -> Vec<u8> {
        triage_core::artifact::to_bytes(&self.bundle)
    }

    /// The content hash, counts and load warnings, as JSON.
    pub(crate) fn info(&self) -> String {
        write(&Info {
            kind: self.bundle.kind().name(),
            hash: self.bundle.hash(),
            stats: self.bundle.stats(),
            diagnostics: &self.warnings,
        })
        .unwrap_or_else(ErrorJson::into_json)
    }

    /// The pathways for a person and search words, best match first.
    pub(crate) fn pathways(&self, query: &str) -> Result<String, ErrorJson> {
        let query: PathwayQuery = parse("the pathway query", query)?;
        let found = self
            .bundle
            .search(query.patient.as_ref(), query.words.as_deref());
        write(&found)
    }

    /// Starts a journey on `{"pathway", "topic"?, "patient", "language"?}`,
    /// with the bundle it runs with.
    pub(crate) fn start(&self, request: &str) -> Result<(Rc<CompiledBundle>, Session), ErrorJson> {
        let start: Start = parse("the start request", request)?;
        let bundle = self.bundle_for(&start.pathway);
        let session = Session::begin(&bundle, start)?;
        Ok((bundle, session))
    }

    /// Checks a saved session against this bundle (or the part of its
    /// pathway), with the bundle it runs with.
    pub(crate) fn resume(&self, saved: &str) -> Result<(Rc<CompiledBundle>, Session), ErrorJson> {
        let bundle = self.bundle_named(saved);
        let session = Session::from_json(&bundle, saved)?;
        Ok((bundle, session))
    }

    /// The FHIR R4 hand-off message of a finished journey.
    #[cfg(feature = "fhir")]
    pub(crate) fn handoff(
        bundle: &CompiledBundle,
        session: &Session,
        context: &str,
    ) -> Result<String, ErrorJson> {
        let context: HandoffJson = parse("the hand-off context", context)?;
        let mut built = triage_core::fhir::HandoffContext::new(
            context.message_id,
            context.sent_at,
            context.source_endpoint,
        );
        if let Some(endpoint) = context.destination_endpoint {
            built = built.with_destination_endpoint(endpoint);
        }
        if let Some(number) = context.nhs_number {
            built = built.with_nhs_number(number);
        }
        if let Some(family) = context.family_name {
            built = built.with_family_name(family);
        }
        for given in context.given_names {
            built = built.with_given_name(given);
        }
        if let Some(date) = context.birth_date {
            built = built.with_birth_date(date);
        }
        match triage_core::fhir::handoff(bundle, session, &built) {
            Ok(message) => write(&message),
            Err(error) => Err(ErrorJson::plain(error.code(), &error.to_string())),
        }
    }

    /// Replays an audit record; returns it again when this bundle gives the same journey.
    pub(crate) fn replay(&self, record: &str) -> Result<String, ErrorJson> {
        let bundle = self.bundle_named(record);
        let record: AuditRecord = parse("the audit record", record)?;
        write(&session::replay(&bundle, &record)?)
    }
}

/// What a page knows for the hand-off message (`SessionHandle.handoff`).
#[cfg(feature = "fhir")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct HandoffJson {
    message_id: String,
    sent_at: String,
    source_endpoint: String,
    #[serde(default)]
    destination_endpoint: Option<String>,
    #[serde(default)]
    nhs_number: Option<String>,
    #[serde(default)]
    family_name: Option<String>,
    #[serde(default)]
    given_names: Vec<String>,
    #[serde(default)]
    birth_date: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    use std::path::Path;
    use std::sync::OnceLock;

    /// The shipped bundle as the `{path: text}` JSON a page sends.
    #[cfg(feature = "sources")]
    fn shipped_files() -> &'static str {
        static FILES: OnceLock<String> = OnceLock::new();
        FILES.get_or_init(|| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../pathways");
            let (sources, problems) = Sources::from_dir(&root);
            assert!(problems.is_empty(), "{problems:?}");
            let files: BTreeMap<String, String> = sources
                .files
                .into_iter()
                .map(|f| (f.path, f.text))
                .collect();
            serde_json::to_string(&files).unwrap()
        })
    }

    /// The shipped bundle, compiled once for all tests.
    fn shipped_artifact() -> &'static [u8] {
        static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
        BYTES.get_or_init(|| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../pathways");
            triage_core::artifact::to_bytes(&triage_core::open(&root).unwrap())
        })
    }

    /// The shipped bundle, loaded once per test thread (an engine is not `Sync`).
    fn engine() -> &'static Engine {
        thread_local! {
            static ENGINE: &'static Engine =
                Box::leak(Box::new(Engine::from_artifact(shipped_artifact()).unwrap()));
        }
        ENGINE.with(|engine| *engine)
    }

    /// Session calls as the page's `SessionHandle` makes them, with the
    /// bundle the session runs with.
    impl Engine {
        fn answer(&self, session: &mut Session, text: &str) -> Result<String, ErrorJson> {
            super::answer(&self.bundle_for(session.pathway()), session, text)
        }

        fn back(&self, session: &mut Session) -> Result<String, ErrorJson> {
            back(&self.bundle_for(session.pathway()), session)
        }

        fn audit(&self, session: &Session) -> Result<String, ErrorJson> {
            audit(&self.bundle_for(session.pathway()), session)
        }

        #[cfg(feature = "fhir")]
        fn hand_off(&self, session: &Session, context: &str) -> Result<String, ErrorJson> {
            Engine::handoff(&self.bundle_for(session.pathway()), session, context)
        }
    }

    #[test]
    fn a_damaged_artifact_is_refused_with_its_code() {
        let bytes = triage_core::artifact::to_bytes(&engine().bundle);
        let mut corrupted = bytes.clone();
        corrupted[bytes.len() / 2] ^= 1;
        let mut other = bytes.clone();
        other[8] = other[8].wrapping_add(1);
        for (bytes, code) in [
            (&corrupted[..], "artifact_corrupted"),
            (&other[..], "artifact_format"),
            (&bytes[..30], "artifact_truncated"),
            (&b"{\"files\": {}}"[..], "not_an_artifact"),
        ] {
            let refused = error(Engine::from_artifact(bytes));
            assert_eq!(refused["code"], code);
            assert!(
                refused["message"]
                    .as_str()
                    .unwrap()
                    .contains("triage compile"),
                "{refused}"
            );
        }
    }

    fn error<T: std::fmt::Debug>(result: Result<T, ErrorJson>) -> Value {
        let error = result.unwrap_err();
        let value: Value = serde_json::from_str(&error.json).unwrap();
        assert_eq!(value["code"], error.code);
        value
    }

    fn adult() -> Value {
        json!({"age_years": 40, "sex": "female"})
    }

    fn start(engine: &Engine, pathway: &str) -> Session {
        let request = json!({"pathway": pathway, "patient": adult()}).to_string();
        engine.start(&request).unwrap().1
    }

    /// The step as the package writes it: an outcome without its transcript.
    fn step_of(bundle: &CompiledBundle, session: &Session) -> Value {
        serde_json::to_value(session.step(bundle).unwrap().without_transcript()).unwrap()
    }

    fn answer(engine: &Engine, session: &mut Session, value: Value) -> Result<Value, ErrorJson> {
        let question = step_of(&engine.bundle, session)["id"]
            .as_str()
            .unwrap()
            .to_string();
        let answer = json!({"question": question, "answer": value}).to_string();
        let step = engine.answer(session, &answer)?;
        Ok(serde_json::from_str(&step).unwrap())
    }

    #[cfg(feature = "fhir")]
    #[test]
    fn a_finished_journey_is_handed_off_as_a_fhir_message() {
        let engine = engine();
        let request = json!({"pathway": "chest-pain", "patient": {"age_years": 45, "sex": "male"}});
        let (_, mut session) = engine.start(&request.to_string()).unwrap();
        let context = json!({
            "message_id": "4f5a8c2e-1b3d-4e6f-8a9b-0c1d2e3f4a5b",
            "sent_at": "2026-12-04T18:37:07Z",
            "source_endpoint": "https://triage.example/v1",
        })
        .to_string();
        assert_eq!(
            error(engine.hand_off(&session, &context))["code"],
            "journey_not_finished"
        );
        for value in [json!("none"), json!("now"), json!(["heavy"])] {
            answer(engine, &mut session, value).unwrap();
        }
        let message: Value =
            serde_json::from_str(&engine.hand_off(&session, &context).unwrap()).unwrap();
        assert_eq!(message["resourceType"], "Bundle");
        assert_eq!(message["id"], "4f5a8c2e-1b3d-4e6f-8a9b-0c1d2e3f4a5b");
        assert_eq!(
            message["entry"][0]["resource"]["resourceType"],
            "MessageHeader"
        );
        let bad = json!({"message_id": "x", "sent_at": "now", "source_endpoint": "e"}).to_string();
        assert_eq!(
            error(engine.hand_off(&session, &bad))["code"],
            "bad_message_id"
        );
        assert_eq!(
            error(engine.hand_off(&session, "{\"message_id\": 1}"))["code"],
            BAD_INPUT
        );
    }

    #[test]
    fn shipped_bundle_loads_without_errors() {
        let info: Value = serde_json::from_str(&engine().info()).unwrap();
        assert_eq!(info["hash"].as_str().unwrap().len(), 64);
        assert!(info["stats"]["pathways"].as_u64().unwrap() >= 3);
    }

    #[cfg(feature = "sources")]
    #[test]
    fn a_bad_bundle_is_refused_with_located_diagnostics() {
        let files = json!({
            "dispositions.yaml": "dispositions:\n  - id: a\n    titel: A\n",
            "care-advice.yaml": "care_advice: []\n",
        })
        .to_string();
        let error = error(Engine::load(&files).map(|_| String::new()));
        assert_eq!(error["code"], INVALID_BUNDLE);
        let unknown = error["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "L005")
            .unwrap();
        assert_eq!(unknown["file"], "dispositions.yaml");
        assert_eq!(unknown["line"], 3);
        assert_eq!(unknown["severity"], "error");
    }

    #[cfg(feature = "sources")]
    #[test]
    fn validate_reports_without_refusing() {
        let report: Value = serde_json::from_str(&validate("{}").unwrap()).unwrap();
        assert!(report["summary"]["errors"].as_u64().unwrap() > 0);
        let report: Value = serde_json::from_str(&validate(shipped_files()).unwrap()).unwrap();
        assert_eq!(report["summary"]["errors"], 0);
    }

    #[test]
    fn arguments_that_are_not_the_right_json_are_bad_input() {
        let engine = engine();
        #[cfg(feature = "sources")]
        {
            assert_eq!(error(validate("[1]"))["code"], BAD_INPUT);
            assert_eq!(error(validate("not json"))["code"], BAD_INPUT);
        }
        assert_eq!(error(engine.pathways("{\"age\": 3}"))["code"], BAD_INPUT);
        let no_sex = json!({"pathway": "chest-pain", "patient": {"age_years": 40}});
        assert_eq!(error(engine.start(&no_sex.to_string()))["code"], BAD_INPUT);
        let mut session = start(engine, "chest-pain");
        assert_eq!(error(engine.answer(&mut session, "{}"))["code"], BAD_INPUT);
        assert_eq!(error(engine.resume("{"))["code"], "bad_session");
        assert_eq!(error(engine.replay("{}"))["code"], BAD_INPUT);
    }

    #[test]
    fn a_refused_answer_names_its_problem_and_changes_nothing() {
        let engine = engine();
        let mut session = start(engine, "chest-pain");
        let saved = session.to_json();
        let refused = error(answer(engine, &mut session, json!("purple")));
        assert_eq!(refused["code"], "option_not_offered");
        assert_eq!(refused["option"], "purple");
        let wrong = json!({"question": "no-such-question", "answer": "yes"}).to_string();
        let refused = error(engine.answer(&mut session, &wrong));
        assert_eq!(refused["code"], "wrong_question");
        assert_eq!(
            error(engine.back(&mut session))["code"],
            "nothing_to_go_back"
        );
        assert_eq!(session.to_json(), saved);
        let option = step_of(&engine.bundle, &session)["options"][0]["id"].clone();
        assert!(answer(engine, &mut session, option).is_ok());
    }

    #[test]
    fn answering_and_going_back_round_trip() {
        let engine = engine();
        let mut session = start(engine, "chest-pain");
        let first = step_of(&engine.bundle, &session);
        let option = first["options"][0]["id"].clone();
        let second = answer(engine, &mut session, option).unwrap();
        assert_eq!(second, step_of(&engine.bundle, &session));
        // The transcript, left out of the step, comes on request.
        let whole = serde_json::to_value(session.step(&engine.bundle).unwrap()).unwrap();
        let transcript: Value =
            serde_json::from_str(&transcript(&engine.bundle, &session).unwrap()).unwrap();
        assert_eq!(whole["transcript"], transcript);
        assert_eq!(transcript.as_array().map(Vec::len), Some(1));
        assert_eq!(second.get("transcript"), None);
        let state: Value = serde_json::from_str(&state(&engine.bundle, &session).unwrap()).unwrap();
        assert_eq!(state["answers"].as_array().unwrap().len(), 1);
        assert_eq!(state["step"], second);
        assert_ne!(second, first);
        let (_, resumed) = engine.resume(&session.to_json()).unwrap();
        assert_eq!(step_of(&engine.bundle, &resumed), second);
        let record = engine.audit(&session).unwrap();
        let replayed = engine.replay(&record).unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&replayed).unwrap(),
            serde_json::from_str::<Value>(&record).unwrap()
        );
        let back: Value = serde_json::from_str(&engine.back(&mut session).unwrap()).unwrap();
        assert_eq!(back, first);
        assert_eq!(answers(&session).unwrap(), "[]");
    }

    #[test]
    fn a_session_from_another_bundle_is_refused() {
        let engine = engine();
        let saved = start(engine, "chest-pain").to_json();
        let other = saved.replacen(engine.bundle.hash(), &"0".repeat(64), 1);
        assert_eq!(error(engine.resume(&other))["code"], "bundle_mismatch");
    }

    #[test]
    fn a_catalog_starts_journeys_once_their_parts_are_added() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../pathways");
        let split = triage_core::build_dir(&root).split().unwrap().unwrap();
        let catalog =
            Engine::from_artifact(&triage_core::artifact::to_bytes(&split.catalog)).unwrap();
        let request = json!({"pathway": "chest-pain", "patient": adult()}).to_string();
        assert_eq!(error(catalog.start(&request))["code"], "pathway_not_loaded");
        assert_eq!(
            catalog.part_needed("chest-pain").as_deref(),
            Some("chest-pain.part.triage")
        );
        let part = |id: &str| {
            let (_, part) = split.parts.iter().find(|(p, _)| p == id).unwrap();
            triage_core::artifact::to_bytes(part)
        };
        let mut damaged = part("chest-pain");
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        assert_eq!(
            error(catalog.add_part(&damaged))["code"],
            "artifact_corrupted"
        );
        let ids: Value =
            serde_json::from_str(&catalog.add_part(&part("chest-pain")).unwrap()).unwrap();
        assert!(ids.as_array().unwrap().contains(&json!("chest-pain")));
        assert_eq!(catalog.part_needed("chest-pain"), None);
        let (bundle, session) = catalog.start(&request).unwrap();
        assert_eq!(bundle.kind(), triage_core::compile::BundleKind::Part);
        assert_eq!(
            step_of(&bundle, &session),
            step_of(&engine().bundle, &start(engine(), "chest-pain"))
        );
        assert_eq!(session.to_json(), start(engine(), "chest-pain").to_json());
    }

    #[test]
    fn hostile_arguments_are_refused_without_panicking() {
        let engine = engine();
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        for text in [deep.as_str(), "", "\u{0}", "null", "1e999", "{\"a\": 1}"] {
            #[cfg(feature = "sources")]
            assert!(validate(text).is_err());
            assert!(engine.pathways(text).is_err());
            assert!(engine.start(text).is_err());
            assert!(engine.resume(text).is_err());
            assert!(engine.replay(text).is_err());
        }
    }
}
