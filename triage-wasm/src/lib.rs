//! WebAssembly bindings of the triage engine, for web pages.
//!
//! Everything crosses the boundary as JSON text: arguments are JSON strings,
//! results are JSON strings, and a refusal is thrown as a JSON string
//! `{"code": TAG, "message": ..., ...}` that the package's JavaScript wrapper
//! (`triage.js`) turns into a `TriageError`. Exchanging text keeps the module
//! small (no per-type glue) and gives one error path for every kind of bad input.
//!
//! A session is held here, as a `SessionHandle`, so that an answer is one
//! step of the journey and only the new step crosses the boundary; its saved
//! JSON (for `sessionStorage`, so a reload loses nothing) is written only
//! when asked for.
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod api;

use api::{Engine, ErrorJson};
use std::rc::Rc;
use triage_core::session::Session;
use wasm_bindgen::prelude::wasm_bindgen;

/// Validates a bundle given as a JSON object `{path: yaml text}` and returns
/// the report `{"summary": {...}, "diagnostics": [...]}`, the same JSON as
/// `triage validate --format json`. Throws only when `files` is not such an object.
/// (The `sources` feature: the module that reads pathway files.)
#[cfg(feature = "sources")]
#[wasm_bindgen]
pub fn validate(files: &str) -> Result<String, String> {
    api::validate(files).map_err(ErrorJson::into_json)
}

/// A compiled bundle, ready to start journeys.
#[wasm_bindgen(js_name = Engine)]
pub struct WasmEngine(Rc<Engine>);

/// Compiles a bundle given as a JSON object `{path: yaml text}` into the
/// bytes of a compiled artifact (what `triage compile` writes). Throws
/// `invalid_bundle` (with its diagnostics) when the bundle has errors.
/// (The `sources` feature.)
#[cfg(feature = "sources")]
#[wasm_bindgen]
pub fn compile(files: &str) -> Result<Vec<u8>, String> {
    Engine::load(files)
        .map(|engine| engine.to_artifact())
        .map_err(ErrorJson::into_json)
}

#[wasm_bindgen(js_class = Engine)]
impl WasmEngine {
    /// Reads a compiled bundle artifact (`triage compile`). Throws
    /// `not_an_artifact`, `artifact_truncated`, `artifact_format`,
    /// `artifact_corrupted` or `artifact_malformed` for a file it cannot use.
    #[wasm_bindgen(js_name = fromArtifact)]
    pub fn from_artifact(bytes: &[u8]) -> Result<WasmEngine, String> {
        Engine::from_artifact(bytes)
            .map(|engine| WasmEngine(Rc::new(engine)))
            .map_err(ErrorJson::into_json)
    }

    /// Loads, validates and compiles a bundle given as a JSON object
    /// `{path: yaml text}`. Throws `invalid_bundle` (with its diagnostics)
    /// when the bundle has errors. (The `sources` feature.)
    #[cfg(feature = "sources")]
    pub fn load(files: &str) -> Result<WasmEngine, String> {
        Engine::load(files)
            .map(|engine| WasmEngine(Rc::new(engine)))
            .map_err(ErrorJson::into_json)
    }

    /// `{"hash", "stats", "diagnostics"}`: the content hash, counts, and the
    /// warnings found while loading.
    pub fn info(&self) -> String {
        self.0.info()
    }

    /// The pathways for `{"patient"?, "words"?}`, best match first.
    pub fn pathways(&self, query: &str) -> Result<String, String> {
        self.0.pathways(query).map_err(ErrorJson::into_json)
    }

    /// Starts a journey: `{"pathway", "patient"}` -> a session.
    pub fn start(&self, request: &str) -> Result<SessionHandle, String> {
        let session = self.0.start(request).map_err(ErrorJson::into_json)?;
        Ok(self.hold(session))
    }

    /// Checks a saved session against this bundle and holds it again.
    pub fn resume(&self, saved: &str) -> Result<SessionHandle, String> {
        let session = self.0.resume(saved).map_err(ErrorJson::into_json)?;
        Ok(self.hold(session))
    }

    /// Replays an audit record and returns it again, or throws `replay_mismatch`.
    pub fn replay(&self, record: &str) -> Result<String, String> {
        self.0.replay(record).map_err(ErrorJson::into_json)
    }
}

impl WasmEngine {
    fn hold(&self, session: Session) -> SessionHandle {
        SessionHandle {
            engine: Rc::clone(&self.0),
            session,
        }
    }
}

/// One journey, held between calls. It keeps its bundle alive, so it still
/// works after its `Engine` is freed.
#[wasm_bindgen]
pub struct SessionHandle {
    engine: Rc<Engine>,
    session: Session,
}

#[wasm_bindgen]
impl SessionHandle {
    /// `{"pathway", "patient", "answers", "step"}`: what a page shows.
    pub fn state(&self) -> Result<String, String> {
        api::state(&self.engine, &self.session).map_err(ErrorJson::into_json)
    }

    /// Answers the current question: `{"question", "answer"}` -> the new
    /// step (an outcome without its transcript: see `transcript`). A refused
    /// answer changes nothing.
    pub fn answer(&mut self, answer: &str) -> Result<String, String> {
        self.engine
            .answer(&mut self.session, answer)
            .map_err(ErrorJson::into_json)
    }

    /// Shows texts in `language` (`"en"` or `"cy"`) from now on -> the
    /// current step, in it. Texts the bundle has no Welsh for stay in English
    /// and say so (`"lang": "en"`).
    #[wasm_bindgen(js_name = setLanguage)]
    pub fn set_language(&mut self, language: &str) -> Result<String, String> {
        self.engine
            .set_language(&mut self.session, language)
            .map_err(ErrorJson::into_json)
    }

    /// The outcome's transcript: every question asked and its answer, in
    /// order (`[]` before the outcome). Steps leave it out: it is the larger
    /// part of an outcome, and written only when asked for.
    pub fn transcript(&self) -> Result<String, String> {
        self.engine
            .transcript(&self.session)
            .map_err(ErrorJson::into_json)
    }

    /// Takes back the last answer -> the new step.
    pub fn back(&mut self) -> Result<String, String> {
        self.engine
            .back(&mut self.session)
            .map_err(ErrorJson::into_json)
    }

    /// The answers given so far.
    pub fn answers(&self) -> Result<String, String> {
        api::answers(&self.session).map_err(ErrorJson::into_json)
    }

    /// The session as JSON text, for `Engine.resume`.
    pub fn save(&self) -> String {
        self.session.to_json()
    }

    /// The audit record of the session.
    pub fn audit(&self) -> Result<String, String> {
        self.engine
            .audit(&self.session)
            .map_err(ErrorJson::into_json)
    }

    /// The FHIR R4 hand-off message of the finished journey (the `fhir`
    /// feature). `context`: `{"message_id": UUID, "sent_at": RFC 3339,
    /// "source_endpoint": URL}`, optionally `"destination_endpoint"`,
    /// `"nhs_number"`, `"family_name"`, `"given_names"`, `"birth_date"`.
    #[cfg(feature = "fhir")]
    pub fn handoff(&self, context: &str) -> Result<String, String> {
        self.engine
            .handoff(&self.session, context)
            .map_err(ErrorJson::into_json)
    }
}
