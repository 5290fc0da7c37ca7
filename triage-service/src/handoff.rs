//! `GET /v1/sessions/{id}/handoff`: the engine's FHIR R4 hand-off message,
//! with the ids and clock only the service has.

use crate::api::{random_id, App};
use crate::http::ApiError;
use axum::http::StatusCode;
use triage_core::fhir::{self, HandoffContext};
use triage_core::session::Session;

/// A random (version 4) UUID for the message.
fn message_id() -> Result<String, ApiError> {
    let hex = random_id()?;
    let mut id: Vec<char> = hex.chars().collect();
    id[12] = '4';
    id[16] = ['8', '9', 'a', 'b'][usize::from(id[16].to_digit(16).unwrap_or(0) as u8 & 3)];
    let id: String = id.into_iter().collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &id[0..8],
        &id[8..12],
        &id[12..16],
        &id[16..20],
        &id[20..32]
    ))
}

/// The hand-off message of a finished journey, sent at `sent_at`.
pub(crate) fn message(
    app: &App,
    session: &Session,
    sent_at: &str,
) -> Result<serde_json::Value, ApiError> {
    let context = HandoffContext::new(message_id()?, sent_at, format!("{}/v1", app.public_url));
    fhir::handoff(&app.bundle, session, &context)
        .map_err(|error| ApiError::new(StatusCode::CONFLICT, error.code(), error.to_string()))
}
