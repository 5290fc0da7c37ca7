//! WebAssembly bindings of the triage engine, for web pages.
//!
//! Everything crosses the boundary as JSON text: arguments are JSON strings,
//! results are JSON strings, and a refusal is thrown as a JSON string
//! `{"code": TAG, "message": ..., ...}` that the package's JavaScript wrapper
//! (`triage.js`) turns into a `TriageError`. Exchanging text keeps the module
//! small (no per-type glue) and gives one error path for every kind of bad input.
//!
//! Sessions are not held here: a session is its saved JSON, passed in and
//! returned by every call, so a page can keep it in `sessionStorage` and a
//! reload loses nothing.
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod api;

use api::{Engine, ErrorJson};
use wasm_bindgen::prelude::wasm_bindgen;

/// Validates a bundle given as a JSON object `{path: yaml text}` and returns
/// the report `{"summary": {...}, "diagnostics": [...]}`, the same JSON as
/// `triage validate --format json`. Throws only when `files` is not such an object.
#[wasm_bindgen]
pub fn validate(files: &str) -> Result<String, String> {
    api::validate(files).map_err(ErrorJson::into_json)
}

/// A compiled bundle, ready to start journeys.
#[wasm_bindgen(js_name = Engine)]
pub struct WasmEngine(Engine);

#[wasm_bindgen(js_class = Engine)]
impl WasmEngine {
    /// Loads, validates and compiles a bundle given as a JSON object
    /// `{path: yaml text}`. Throws `invalid_bundle` (with its diagnostics)
    /// when the bundle has errors.
    pub fn load(files: &str) -> Result<WasmEngine, String> {
        Engine::load(files)
            .map(WasmEngine)
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

    /// Starts a journey: `{"pathway", "patient"}` -> a session state.
    pub fn start(&self, request: &str) -> Result<String, String> {
        self.0.start(request).map_err(ErrorJson::into_json)
    }

    /// Answers the current question: `(session, {"question", "answer"})` -> a session state.
    pub fn answer(&self, session: &str, answer: &str) -> Result<String, String> {
        self.0.answer(session, answer).map_err(ErrorJson::into_json)
    }

    /// Takes back the last answer: `session` -> a session state.
    pub fn back(&self, session: &str) -> Result<String, String> {
        self.0.back(session).map_err(ErrorJson::into_json)
    }

    /// Checks a saved session against this bundle and returns its state.
    pub fn resume(&self, session: &str) -> Result<String, String> {
        self.0.resume(session).map_err(ErrorJson::into_json)
    }

    /// The audit record of a session.
    pub fn audit(&self, session: &str) -> Result<String, String> {
        self.0.audit(session).map_err(ErrorJson::into_json)
    }

    /// Replays an audit record and returns it again, or throws `replay_mismatch`.
    pub fn replay(&self, record: &str) -> Result<String, String> {
        self.0.replay(record).map_err(ErrorJson::into_json)
    }
}
