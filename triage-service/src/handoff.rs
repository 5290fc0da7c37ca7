//! `GET /v1/sessions/{id}/handoff`: the engine's FHIR R4 hand-off message,
//! with the ids and clock only the service has.

use crate::api::{random_id, App};
use crate::http::ApiError;
use axum::http::StatusCode;
use sha2::{Digest, Sha256};
use triage_core::fhir::{self, HandoffContext};
use triage_core::session::Session;

/// The message's id: derived from the outcome's audit record, so fetching
/// the hand-off again gives the same message (a receiver sees one referral,
/// not two), and a journey reopened to another outcome gives a new one; a
/// random id only for an outcome with no record.
fn message_id(record_hash: Option<&str>) -> Result<String, ApiError> {
    let hex = match record_hash {
        Some(hash) => crate::hex(&Sha256::digest(format!("triage.handoff/1\n{hash}"))[..16]),
        None => random_id()?,
    };
    let mut id: Vec<char> = hex.chars().collect();
    // An RFC 9562 UUID: version 8 (made here) or 4 (random), variant 10xx.
    id[12] = if record_hash.is_some() { '8' } else { '4' };
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

/// The hand-off message of a finished journey, sent at `sent_at`, for the
/// outcome recorded with `record_hash`.
pub(crate) fn message(
    app: &App,
    session: &Session,
    sent_at: &str,
    record_hash: Option<&str>,
) -> Result<serde_json::Value, ApiError> {
    let context = HandoffContext::new(
        message_id(record_hash)?,
        sent_at,
        format!("{}/v1", app.public_url),
    );
    fhir::handoff(&app.bundle, session, &context)
        .map_err(|error| ApiError::new(StatusCode::CONFLICT, error.code(), error.to_string()))
}
