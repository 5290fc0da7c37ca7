//! What every endpoint shares: errors as JSON with stable codes, and the
//! reading of a JSON body within size and depth limits.

use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use triage_core::eval::EvalError;

/// Largest request body, in bytes. A whole journey of answers is a few
/// kilobytes; anything near this is not a triage request.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Deepest nesting of arrays and objects in a request body. The deepest
/// request the API takes is three levels (`answers[].answer[]`).
pub const MAX_JSON_DEPTH: usize = 16;

/// An error as the API returns it: `{"error": {"code": ..., "message": ..., ...}}`,
/// with the same stable codes as `triage next`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: serde_json::Value,
}

/// The body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// What went wrong: a stable code and a message that says what to do; some
/// codes carry more fields (e.g. `question`, `offered`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable, for programs: e.g. `option_not_offered`, `unknown_session`.
    pub code: String,
    /// For people.
    pub message: String,
}

impl ApiError {
    /// An error with `code` and `message`.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: serde_json::json!({ "error": { "code": code, "message": message.into() } }),
        }
    }

    /// The stable code.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// A journey id that names no journey.
    pub fn unknown_session() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_session",
            "no journey has this id (ids are 32 lowercase hex digits, as POST /v1/sessions gave them): start one with POST /v1/sessions",
        )
    }

    /// The database failed: the request changed nothing it can be sure of.
    pub fn store(error: impl std::fmt::Display) -> ApiError {
        tracing::error!(%error, "database error");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_unavailable",
            "the journey store is not available; nothing was recorded: try again",
        )
    }
}

impl From<EvalError> for ApiError {
    fn from(error: EvalError) -> ApiError {
        let status = match &error {
            EvalError::UnknownPathway { .. } | EvalError::UnknownTopic { .. } => {
                StatusCode::NOT_FOUND
            }
            EvalError::BundleMismatch { .. } => StatusCode::CONFLICT,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        ApiError {
            status,
            body: serde_json::json!({ "error": error }),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_query",
            format!("{}; expected ?age=YEARS&sex=female|male&q=WORDS (each may be left out, but age and sex go together)", rejection.body_text()),
        )
    }
}

/// A journey id from the path. One that does not look like an id (32
/// lowercase hex digits) is unknown without asking the database.
#[derive(Debug)]
pub struct JourneyId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for JourneyId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::unknown_session())?;
        if id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(JourneyId(id))
        } else {
            Err(ApiError::unknown_session())
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}

/// What a request body looks like, for the message that refuses one.
pub trait Shaped {
    /// The expected JSON, in one line.
    const SHAPE: &'static str;
}

impl Shaped for triage_core::vocab::Start {
    const SHAPE: &'static str = concat!(
        r#"{"pathway": ID, "topic": ID (optional), "patient": "#,
        r#"{"age_years": 0-130, "age_months": 0-11 (babies and toddlers), "sex": "female"|"male", "answering": "self"|"someone_else"}"#,
        r#", "language": "en"|"cy" (optional)}"#
    );
}

impl Shaped for triage_core::vocab::Answer {
    const SHAPE: &'static str = r#"{"question": ID, "answer": "yes"|"no"|OPTION|"not_sure"|"none" or [OPTION, ...] (multiple choice) or NUMBER}"#;
}

impl Shaped for triage_core::vocab::Request {
    const SHAPE: &'static str = concat!(
        r#"{"pathway": ID, "topic": ID (optional), "patient": "#,
        r#"{"age_years": 0-130, "age_months": 0-11 (babies and toddlers), "sex": "female"|"male", "answering": "self"|"someone_else"}"#,
        r#", "language": "en"|"cy" (optional), "answers": [{"question": ID, "answer": VALUE}, ...]}"#
    );
}

impl Shaped for serde_json::Value {
    const SHAPE: &'static str = "any JSON";
}

/// A JSON request body, read within [`MAX_BODY_BYTES`] and [`MAX_JSON_DEPTH`],
/// with refusals in the API's own error shape.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Shaped> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        check_content_type(request.headers())?;
        let bytes = read_limited(request).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Bytes past [`MAX_BODY_BYTES`] that are read and dropped before a body is
/// refused as too large. Closing a connection with unread bytes resets it,
/// and the reset can reach the client before the refusal does: the client
/// then sees a broken connection instead of `request_too_large`. Bodies
/// larger still are refused unread.
const MAX_DRAINED_BYTES: usize = 1024 * 1024;

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "request_too_large",
        format!("the request is larger than {MAX_BODY_BYTES} bytes"),
    )
}

/// The body, up to [`MAX_BODY_BYTES`].
async fn read_limited(request: Request) -> Result<Vec<u8>, ApiError> {
    use http_body_util::BodyExt;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES + MAX_DRAINED_BYTES) {
        return Err(too_large());
    }
    let mut body = request.into_body();
    let (mut kept, mut dropped) = (Vec::new(), 0usize);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|error| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "unreadable_input",
                format!("cannot read the request: {error}"),
            )
        })?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if dropped == 0 && kept.len() + data.len() <= MAX_BODY_BYTES {
            kept.extend_from_slice(&data);
        } else {
            dropped += data.len();
            if dropped > MAX_DRAINED_BYTES {
                break;
            }
        }
    }
    if dropped > 0 {
        return Err(too_large());
    }
    Ok(kept)
}

fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let essence = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json" || essence.ends_with("+json") {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as JSON with Content-Type: application/json (curl: --json '{...}')",
        ))
    }
}

/// Parses a request body: depth first, so a deeply nested body is refused
/// before serde sees it; then the value, with the expected shape in the
/// message when it does not fit.
pub fn parse_json<T: DeserializeOwned + Shaped>(bytes: &[u8]) -> Result<T, ApiError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    if json_depth(bytes) > MAX_JSON_DEPTH {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "request_too_deep",
            format!("the request nests arrays and objects more than {MAX_JSON_DEPTH} deep"),
        ));
    }
    serde_json::from_slice(bytes).map_err(|error| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            format!(
                "the request is not valid: {error}; expected {} (see /openapi.json)",
                T::SHAPE
            ),
        )
    })
}

/// The deepest nesting of `[` and `{` outside strings. Bytes that are not
/// JSON are left to the parser to refuse.
fn json_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &byte in bytes {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_only_structure_outside_strings() {
        assert_eq!(json_depth(b"1"), 0);
        assert_eq!(json_depth(br#"{"a": [1, {"b": []}]}"#), 4);
        assert_eq!(json_depth(br#"{"a": "[[[[{{{\"[["}"#), 1);
        assert_eq!(json_depth(&[b'['; 100_000]), 100_000);
    }

    #[test]
    fn deep_and_malformed_bodies_are_refused_with_their_codes() {
        let deep = format!("{}{}", "[".repeat(17), "]".repeat(17));
        let error = parse_json::<serde_json::Value>(deep.as_bytes()).unwrap_err();
        assert_eq!(error.code(), "request_too_deep");
        let error = parse_json::<serde_json::Value>(b"{\"a\":").unwrap_err();
        assert_eq!(error.code(), "malformed_request");
        let fine = format!("\u{feff}{}{}", "[".repeat(16), "]".repeat(16));
        assert!(parse_json::<serde_json::Value>(fine.as_bytes()).is_ok());
    }
}
