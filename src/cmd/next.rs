//! `triage next`: one step of a journey per call, JSON in and JSON out.

use super::Bundle;
use crate::output::{self, Status};
use serde::Serialize;
use std::io::Read;
use triage_core::eval::{self, EvalError, Request};

/// Largest request read from stdin, in bytes; a journey is a few hundred.
const MAX_REQUEST_BYTES: u64 = 1024 * 1024;

/// What `next` prints when it refuses the input: `{"error": {"code", "message", ...}}`.
#[derive(Debug, Serialize)]
struct Refusal<E: Serialize> {
    error: E,
}

/// A refusal of the request itself, before any answer is looked at.
#[derive(Debug, Serialize)]
struct RequestError {
    code: &'static str,
    message: String,
}

/// Runs `triage next`, reading the request from `input`.
pub fn next(bundle: &Bundle, input: impl Read) -> std::io::Result<Status> {
    let compiled = match bundle.compiled() {
        Ok(compiled) => compiled,
        Err(status) => return Ok(status),
    };
    let request = match read_request(input) {
        Ok(request) => request,
        Err(error) => {
            output::print(&super::to_json_line(&Refusal { error }))?;
            return Ok(Status::Usage);
        }
    };
    match eval::evaluate_request(compiled, &request) {
        Ok(step) => {
            output::print(&super::to_json_line(&step))?;
            Ok(Status::Ok)
        }
        Err(error) => {
            output::print(&super::to_json_line(&Refusal::<&EvalError> {
                error: &error,
            }))?;
            Ok(Status::Usage)
        }
    }
}

fn read_request(input: impl Read) -> Result<Request, RequestError> {
    let mut text = String::new();
    let mut limited = input.take(MAX_REQUEST_BYTES + 1);
    if let Err(error) = limited.read_to_string(&mut text) {
        return Err(RequestError {
            code: "unreadable_input",
            message: format!("cannot read the request from stdin: {error}"),
        });
    }
    if text.len() as u64 > MAX_REQUEST_BYTES {
        return Err(RequestError {
            code: "request_too_large",
            message: format!("the request is larger than {MAX_REQUEST_BYTES} bytes"),
        });
    }
    // A byte order mark, as some editors and shells write, is not JSON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    serde_json::from_str(text).map_err(|error| RequestError {
        code: "malformed_request",
        message: format!(
            "the request is not valid: {error}; expected {{\"pathway\": ID, \"topic\": ID (optional), \"patient\": {{\"age_years\": N, \"age_months\": N, \"sex\": \"female\"|\"male\", \"answering\": \"self\"|\"someone_else\"}}, \"language\": \"en\"|\"cy\", \"answers\": [{{\"question\": ID, \"answer\": VALUE}}]}}"
        ),
    })
}
