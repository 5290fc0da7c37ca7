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
use triage_core::compile::CompiledBundle;
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

/// Compiles a bundle as `compile` does and splits it as `triage compile
/// --split` does, into one buffer of named files: for each, its name's
/// length (u32, little-endian), its name, its length and its bytes; first
/// `catalog.triage`, then `PATHWAY.part.triage` per pathway. (The `sources`
/// feature.)
#[cfg(feature = "sources")]
#[wasm_bindgen(js_name = compileSplit)]
pub fn compile_split(files: &str) -> Result<Vec<u8>, String> {
    api::compile_split(files).map_err(ErrorJson::into_json)
}

#[wasm_bindgen(js_class = Engine)]
impl WasmEngine {
    /// Adds a part of a split bundle to the catalog this engine was made
    /// from (`triage compile --split`) -> the ids of the pathways journeys
    /// can now start on. Throws `artifact_not_a_part`, `part_mismatch` (a
    /// part of another bundle), or the codes of `fromArtifact`.
    #[wasm_bindgen(js_name = addPart)]
    pub fn add_part(&self, bytes: &[u8]) -> Result<String, String> {
        self.0.add_part(bytes).map_err(ErrorJson::into_json)
    }

    /// The file name of the part to add before a journey on `pathway` can
    /// start (`PATHWAY.part.triage`), or `undefined` when none is needed.
    #[wasm_bindgen(js_name = partNeeded)]
    pub fn part_needed(&self, pathway: &str) -> Option<String> {
        self.0.part_needed(pathway)
    }

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
        let (bundle, session) = self.0.start(request).map_err(ErrorJson::into_json)?;
        Ok(SessionHandle { bundle, session })
    }

    /// Checks a saved session against this bundle and holds it again.
    pub fn resume(&self, saved: &str) -> Result<SessionHandle, String> {
        let (bundle, session) = self.0.resume(saved).map_err(ErrorJson::into_json)?;
        Ok(SessionHandle { bundle, session })
    }

    /// Replays an audit record and returns it again, or throws `replay_mismatch`.
    pub fn replay(&self, record: &str) -> Result<String, String> {
        self.0.replay(record).map_err(ErrorJson::into_json)
    }
}

/// One journey, held between calls, with the bundle (or part) it runs
/// with. It keeps that alive, so it still works after its `Engine` is freed.
#[wasm_bindgen]
pub struct SessionHandle {
    bundle: Rc<CompiledBundle>,
    session: Session,
}

#[wasm_bindgen]
impl SessionHandle {
    /// `{"pathway", "patient", "answers", "step"}`: what a page shows.
    pub fn state(&self) -> Result<String, String> {
        api::state(&self.bundle, &self.session).map_err(ErrorJson::into_json)
    }

    /// Answers the current question: `{"question", "answer"}` -> the new
    /// step (an outcome without its transcript: see `transcript`). A refused
    /// answer changes nothing.
    pub fn answer(&mut self, answer: &str) -> Result<String, String> {
        api::answer(&self.bundle, &mut self.session, answer).map_err(ErrorJson::into_json)
    }

    /// Shows texts in `language` (`"en"` or `"cy"`) from now on -> the
    /// current step, in it. Texts the bundle has no Welsh for stay in English
    /// and say so (`"lang": "en"`).
    #[wasm_bindgen(js_name = setLanguage)]
    pub fn set_language(&mut self, language: &str) -> Result<String, String> {
        api::set_language(&self.bundle, &mut self.session, language).map_err(ErrorJson::into_json)
    }

    /// The outcome's transcript: every question asked and its answer, in
    /// order (`[]` before the outcome). Steps leave it out: it is the larger
    /// part of an outcome, and written only when asked for.
    pub fn transcript(&self) -> Result<String, String> {
        api::transcript(&self.bundle, &self.session).map_err(ErrorJson::into_json)
    }

    /// Takes back the last answer -> the new step.
    pub fn back(&mut self) -> Result<String, String> {
        api::back(&self.bundle, &mut self.session).map_err(ErrorJson::into_json)
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
        api::audit(&self.bundle, &self.session).map_err(ErrorJson::into_json)
    }

    /// The FHIR R4 hand-off message of the finished journey (the `fhir`
    /// feature). `context`: `{"message_id": UUID, "sent_at": RFC 3339,
    /// "source_endpoint": URL}`, optionally `"destination_endpoint"`,
    /// `"nhs_number"`, `"family_name"`, `"given_names"`, `"birth_date"`.
    #[cfg(feature = "fhir")]
    pub fn handoff(&self, context: &str) -> Result<String, String> {
        Engine::handoff(&self.bundle, &self.session, context).map_err(ErrorJson::into_json)
    }
}
