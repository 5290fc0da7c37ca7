//! The endpoints: search, journeys held by the service, the stateless step,
//! the hand-off, and what operators need (bundle, health, readiness, metrics).

use crate::audit::AuditColumns;
use crate::http::{ApiError, JourneyId, JsonBody};
use crate::metrics::{self, Metrics};
use crate::openapi::{
    AnswerSchema, FhirBundleSchema, RequestSchema, SearchHitSchema, StartSchema, StepSchema,
};
use crate::store::{Appended, Saved, Store};
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use triage_core::compile::{CompiledBundle, SearchHit};
use triage_core::eval::{self, Answer, Request, StepView};
use triage_core::session::Session;
use triage_core::vocab::{Answering, Patient, Sex, Start};
use utoipa::{IntoParams, ToSchema};

/// What every handler shares.
#[derive(Debug)]
pub struct App {
    pub(crate) bundle: CompiledBundle,
    pub(crate) store: Store,
    pub(crate) metrics: Metrics,
    /// The service's own address, for the hand-off's `source.endpoint`.
    pub(crate) public_url: String,
    /// Seals audit records, when the deployment gave a key.
    pub(crate) seal_key: Option<triage_core::seal::SealKey>,
}

pub(crate) type Shared = State<Arc<App>>;

/// The symptom search's query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct SearchQuery {
    /// The person's age in whole years (give `sex` too).
    age: Option<u32>,
    /// Extra months, 0 to 11, for babies and toddlers (give `age` and `sex` too).
    months: Option<u32>,
    /// `female` or `male` (give `age` too).
    #[param(value_type = Option<String>)]
    sex: Option<Sex>,
    /// The words the person typed.
    q: Option<String>,
}

/// The pathways that fit, best match first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SearchResults<'a> {
    /// The pathways found.
    #[schema(value_type = Vec<SearchHitSchema>)]
    pathways: Vec<SearchHit<'a>>,
}

/// A journey held by the service.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SessionView<'a> {
    /// The journey's id: 128 random bits. It is the only key to the journey,
    /// so treat it as a secret.
    session: String,
    /// Where the journey is: the next question, or the outcome.
    #[schema(value_type = StepSchema)]
    step: StepView<'a>,
    /// The answers so far, in order.
    #[schema(value_type = Vec<AnswerSchema>)]
    answers: &'a [Answer],
    /// Where this request's audit record was written, when it reached the
    /// outcome: the outcome is returned only after its record is on disk.
    #[serde(skip_serializing_if = "Option::is_none")]
    audit: Option<Appended>,
}

/// A step of the stateless form, with the audit receipt at an outcome.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct NextView<'a> {
    /// The step, exactly as `triage next` prints it.
    #[serde(flatten)]
    #[schema(value_type = StepSchema)]
    step: StepView<'a>,
    /// Where the outcome's audit record was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    audit: Option<Appended>,
}

/// The bundle the service runs.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BundleView {
    /// Content hash of every file of the bundle.
    hash: String,
    /// Each pathway's id, title and content version.
    pathways: Vec<PathwayVersion>,
}

/// A pathway's id, title and content version.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PathwayVersion {
    /// Id.
    id: String,
    /// Title.
    title: String,
    /// Content version.
    version: String,
}

/// Health and readiness.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Status {
    /// `ok`, or `unavailable`.
    status: &'static str,
}

/// The current time, RFC 3339 UTC to the millisecond.
pub(crate) fn now() -> String {
    let now = time::OffsetDateTime::now_utc();
    let now = now
        .replace_nanosecond(now.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// 16 bytes from the operating system's generator, as 32 lowercase hex digits.
pub(crate) fn random_id() -> Result<String, ApiError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|error| {
        tracing::error!(%error, "no randomness");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_randomness",
            "the service cannot make a secret id now: try again",
        )
    })?;
    Ok(crate::hex(&bytes))
}

impl App {
    /// The audit columns of `session` if it has just reached its outcome.
    fn audit_of(&self, session: &Session, id: Option<&str>) -> Option<AuditColumns> {
        if !session.step(&self.bundle).ok()?.is_outcome() {
            return None;
        }
        let mut record = session.audit(&self.bundle);
        record.recorded_at = Some(now());
        if let Some(key) = &self.seal_key {
            record.seal_with(key);
        }
        AuditColumns::of(&record, id).ok()
    }

    fn count_outcome(&self, step: StepView<'_>) {
        if let Some(disposition) = step.disposition() {
            let urgency = serde_json::to_value(disposition.urgency)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            self.metrics.outcome(&disposition.id, &urgency);
        }
    }

    async fn load(&self, id: &str) -> Result<(Session, i64), ApiError> {
        let stored = self
            .store
            .load_session(id)
            .await
            .map_err(ApiError::store)?
            .ok_or_else(ApiError::unknown_session)?;
        let session = Session::from_json(&self.bundle, &stored.saved)?;
        Ok((session, stored.version))
    }

    /// Saves `session` after a change, with its audit record if it has just
    /// reached the outcome, and answers with its view.
    async fn save(&self, id: &str, version: i64, session: Session) -> Result<Response, ApiError> {
        let audit = self.audit_of(&session, Some(id));
        match self
            .store
            .save_session(id, version, &session.to_json(), &now(), audit.as_ref())
            .await
            .map_err(ApiError::store)?
        {
            Saved::Done(appended) => {
                let step = session.step(&self.bundle)?;
                if appended.is_some() {
                    self.count_outcome(step);
                }
                Ok(Json(view(id, step, &session, appended)).into_response())
            }
            Saved::Conflict => Err(ApiError::new(
                StatusCode::CONFLICT,
                "session_conflict",
                "the journey was changed by another request at the same time: GET it and answer its current question",
            )),
        }
    }
}

fn view<'a>(
    id: &str,
    step: StepView<'a>,
    session: &'a Session,
    audit: Option<Appended>,
) -> SessionView<'a> {
    SessionView {
        session: id.to_string(),
        step,
        answers: session.answers(),
        audit,
    }
}

/// Finds the pathways for a person and the words they typed.
#[utoipa::path(
    get, path = "/v1/pathways", tag = "search",
    params(SearchQuery),
    responses(
        (status = 200, description = "Pathways that fit, best first", body = SearchResults),
        (status = 400, description = "A malformed query", body = crate::http::ErrorBody),
    )
)]
pub(crate) async fn search(
    State(app): Shared,
    query: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let patient =
        match (query.age, query.sex) {
            (Some(age_years), Some(sex)) => {
                let patient = Patient {
                    age_years,
                    age_months: query.months.unwrap_or(0),
                    sex,
                    answering: Answering::default(),
                };
                patient
                    .check()
                    .map_err(|e| ApiError::from(eval::EvalError::ImplausiblePatient(e)))?;
                Some(patient)
            }
            (None, None) if query.months.is_none() => None,
            _ => return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_query",
                "give the person's age and sex together (?age=YEARS&sex=female|male), or neither",
            )),
        };
    let pathways = app.bundle.search(patient.as_ref(), query.q.as_deref());
    Ok(Json(SearchResults { pathways }).into_response())
}

/// Starts a journey held by the service.
#[utoipa::path(
    post, path = "/v1/sessions", tag = "journeys",
    request_body = StartSchema,
    responses(
        (status = 201, description = "Started: the first question", body = SessionView,
         headers(("location" = String, description = "The journey's address"))),
        (status = 400, description = "A malformed request", body = crate::http::ErrorBody),
        (status = 413, description = "Larger than 64 KiB", body = crate::http::ErrorBody),
        (status = 415, description = "Not sent as JSON", body = crate::http::ErrorBody),
        (status = 503, description = "The store is not available: nothing was recorded", body = crate::http::ErrorBody),
        (status = 404, description = "No such pathway or topic", body = crate::http::ErrorBody),
        (status = 422, description = "The pathway is not for this person", body = crate::http::ErrorBody),
    )
)]
pub(crate) async fn start(
    State(app): Shared,
    JsonBody(start): JsonBody<Start>,
) -> Result<Response, ApiError> {
    let session = Session::begin(&app.bundle, start)?;
    let id = random_id()?;
    let audit = app.audit_of(&session, Some(&id));
    let appended = app
        .store
        .insert_session(&id, &session.to_json(), &now(), audit.as_ref())
        .await
        .map_err(ApiError::store)?;
    let step = session.step(&app.bundle)?;
    if appended.is_some() {
        app.count_outcome(step);
    }
    let location = format!("/v1/sessions/{id}");
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(view(&id, step, &session, appended)),
    )
        .into_response())
}

/// Answers the journey's current question.
#[utoipa::path(
    post, path = "/v1/sessions/{id}/answers", tag = "journeys",
    params(("id" = String, Path, description = "The journey's id")),
    request_body = AnswerSchema,
    responses(
        (status = 200, description = "The next question, or the outcome (its audit record written)", body = SessionView),
        (status = 400, description = "A malformed request", body = crate::http::ErrorBody),
        (status = 413, description = "Larger than 64 KiB", body = crate::http::ErrorBody),
        (status = 415, description = "Not sent as JSON", body = crate::http::ErrorBody),
        (status = 503, description = "The store is not available: nothing was recorded", body = crate::http::ErrorBody),
        (status = 404, description = "No such journey", body = crate::http::ErrorBody),
        (status = 409, description = "Changed by another request at the same time, or started with another bundle", body = crate::http::ErrorBody),
        (status = 422, description = "The answer does not fit the question: nothing changed", body = crate::http::ErrorBody),
    )
)]
pub(crate) async fn answer(
    State(app): Shared,
    JourneyId(id): JourneyId,
    JsonBody(answer): JsonBody<Answer>,
) -> Result<Response, ApiError> {
    let (mut session, version) = app.load(&id).await?;
    session.answer(&app.bundle, answer)?;
    app.save(&id, version, session).await
}

/// Takes back the last answer.
#[utoipa::path(
    post, path = "/v1/sessions/{id}/back", tag = "journeys",
    params(("id" = String, Path, description = "The journey's id")),
    responses(
        (status = 200, description = "The question before", body = SessionView),
        (status = 404, description = "No such journey", body = crate::http::ErrorBody),
        (status = 409, description = "Changed by another request at the same time, or started with another bundle", body = crate::http::ErrorBody),
        (status = 503, description = "The store is not available", body = crate::http::ErrorBody),
        (status = 422, description = "Nothing to go back to", body = crate::http::ErrorBody),
    )
)]
pub(crate) async fn back(
    State(app): Shared,
    JourneyId(id): JourneyId,
) -> Result<Response, ApiError> {
    let (mut session, version) = app.load(&id).await?;
    session.back(&app.bundle)?;
    app.save(&id, version, session).await
}

/// Where a journey is.
#[utoipa::path(
    get, path = "/v1/sessions/{id}", tag = "journeys",
    params(("id" = String, Path, description = "The journey's id")),
    responses(
        (status = 200, description = "The journey", body = SessionView),
        (status = 404, description = "No such journey", body = crate::http::ErrorBody),
        (status = 409, description = "Started with another bundle", body = crate::http::ErrorBody),
        (status = 503, description = "The store is not available", body = crate::http::ErrorBody),
    )
)]
pub(crate) async fn get_session(
    State(app): Shared,
    JourneyId(id): JourneyId,
) -> Result<Response, ApiError> {
    let (session, _) = app.load(&id).await?;
    Ok(Json(view(&id, session.step(&app.bundle)?, &session, None)).into_response())
}

/// One step of a journey the caller holds: the same JSON as `triage next`.
#[utoipa::path(
    post, path = "/v1/next", tag = "stateless",
    request_body = RequestSchema,
    responses(
        (status = 200, description = "The next question, or the outcome (its audit record written)", body = NextView),
        (status = 400, description = "A malformed request", body = crate::http::ErrorBody),
        (status = 413, description = "Larger than 64 KiB", body = crate::http::ErrorBody),
        (status = 415, description = "Not sent as JSON", body = crate::http::ErrorBody),
        (status = 503, description = "The store is not available: nothing was recorded", body = crate::http::ErrorBody),
        (status = 404, description = "No such pathway or topic", body = crate::http::ErrorBody),
        (status = 422, description = "An answer does not fit its question, or the pathway is not for this person", body = crate::http::ErrorBody),
    )
)]
pub(crate) async fn next(
    State(app): Shared,
    JsonBody(request): JsonBody<Request>,
) -> Result<Response, ApiError> {
    // The step and its refusals exactly as `triage next` gives them; only
    // an outcome walks the answers a second time, as a session, for its
    // audit record (a few microseconds beside the synced write).
    let step = eval::evaluate_request(&app.bundle, &request)?;
    let mut audit = None;
    if step.view().is_outcome() {
        let session = Session::begin(
            &app.bundle,
            Start {
                pathway: request.pathway.clone(),
                topic: request.topic.clone(),
                patient: request.patient,
                language: request.language,
            },
        )
        .and_then(|mut session| {
            for answer in &request.answers {
                session.answer(&app.bundle, answer.clone())?;
            }
            Ok(session)
        })?;
        if let Some(columns) = app.audit_of(&session, None) {
            audit = Some(
                app.store
                    .append_audit(&columns)
                    .await
                    .map_err(ApiError::store)?,
            );
            app.count_outcome(step.view());
        }
    }
    let step = step.view();
    Ok(Json(NextView { step, audit }).into_response())
}

/// The bundle the service runs: its content hash and pathway versions.
#[utoipa::path(
    get, path = "/v1/bundle", tag = "operations",
    responses((status = 200, description = "The bundle", body = BundleView))
)]
pub(crate) async fn bundle(State(app): Shared) -> Json<BundleView> {
    Json(BundleView {
        hash: app.bundle.hash().to_string(),
        pathways: app
            .bundle
            .pathways()
            .map(|p| PathwayVersion {
                id: p.id.to_string(),
                title: p.title.to_string(),
                version: p.version.to_string(),
            })
            .collect(),
    })
}

/// The process is up.
#[utoipa::path(
    get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Up", body = Status))
)]
pub(crate) async fn healthz() -> Json<Status> {
    Json(Status { status: "ok" })
}

/// The service can take journeys: its database answers.
#[utoipa::path(
    get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready", body = Status),
        (status = 503, description = "The database does not answer", body = Status),
    )
)]
pub(crate) async fn readyz(State(app): Shared) -> Response {
    match app.store.ping().await {
        Ok(()) => Json(Status { status: "ok" }).into_response(),
        Err(error) => {
            tracing::warn!(%error, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Status {
                    status: "unavailable",
                }),
            )
                .into_response()
        }
    }
}

/// Requests, latencies and outcomes, for Prometheus.
#[utoipa::path(
    get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "OpenMetrics text", content_type = "application/openmetrics-text", body = String))
)]
pub(crate) async fn metrics_text(State(app): Shared) -> Response {
    (
        [(header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
        app.metrics.render(),
    )
        .into_response()
}

/// The FHIR R4 hand-off message of a finished journey.
#[utoipa::path(
    get, path = "/v1/sessions/{id}/handoff", tag = "journeys",
    params(("id" = String, Path, description = "The journey's id")),
    responses(
        (status = 200, description = "A FHIR R4 message Bundle shaped after BaRS", content_type = "application/fhir+json", body = FhirBundleSchema),
        (status = 404, description = "No such journey", body = crate::http::ErrorBody),
        (status = 409, description = "The journey has not reached an outcome", body = crate::http::ErrorBody),
        (status = 503, description = "The store is not available", body = crate::http::ErrorBody),
    )
)]
pub(crate) async fn handoff(
    State(app): Shared,
    JourneyId(id): JourneyId,
) -> Result<Response, ApiError> {
    let (session, _) = app.load(&id).await?;
    if !session.step(&app.bundle)?.is_outcome() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "journey_not_finished",
            "the journey has not reached an outcome: answer its questions first",
        ));
    }
    // The message is about the outcome given: it is dated when the outcome
    // was recorded, not when the message was fetched, and named after that
    // record, so fetching it twice gives one message.
    let recorded = app
        .store
        .audit_of_session(&id)
        .await
        .map_err(ApiError::store)?
        .pop();
    let sent_at = recorded
        .as_ref()
        .map(|row| row.columns.recorded_at.clone())
        .unwrap_or_else(now);
    let message = crate::handoff::message(
        &app,
        &session,
        &sent_at,
        recorded.as_ref().map(|row| row.hash.as_str()),
    )?;
    Ok((
        [(header::CONTENT_TYPE, "application/fhir+json")],
        Json(message),
    )
        .into_response())
}
