//! The reference triage service: journeys over HTTP, an audit trail that is
//! never lost, and a FHIR R4 hand-off record for the next service.
//!
//! `triage serve DIR` runs it. A back end that links the engine can also
//! build the [`router`] itself, over its own listener and [`store::Store`].
//!
//! - `GET /v1/pathways?age=&sex=&q=`: the symptom search.
//! - `POST /v1/sessions`, `POST /v1/sessions/{id}/answers`,
//!   `POST /v1/sessions/{id}/back`, `GET /v1/sessions/{id}`: journeys held
//!   by the service, in its database, so any replica can take the next answer.
//! - `GET /v1/sessions/{id}/handoff`: the FHIR R4 message of a finished journey.
//! - `POST /v1/next`: the stateless form, the same JSON as `triage next`.
//! - `GET /v1/bundle`, `/healthz`, `/readyz`, `/metrics`, `/openapi.json`.
//!
//! Every outcome returned has its audit record written first, in the same
//! transaction as the journey's last answer ([`audit`]).

#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod api;
pub mod audit;
mod handoff;
pub mod http;
pub mod metrics;
pub mod openapi;
pub mod store;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use triage_core::compile::CompiledBundle;

pub use api::App;
use http::ApiError;

impl App {
    /// The service's state: the bundle it runs, its store, and the address
    /// it is reached at (for the hand-off's `source.endpoint`).
    pub fn new(bundle: CompiledBundle, store: store::Store, public_url: impl Into<String>) -> App {
        App {
            bundle,
            store,
            metrics: metrics::Metrics::default(),
            public_url: public_url.into().trim_end_matches('/').to_string(),
            seal_key: None,
        }
    }

    /// The same, sealing every audit record with `key` (HMAC-SHA256): then
    /// `triage audit verify --seal-keys` catches even a chain rewritten by
    /// someone who controls the database, since they do not hold the key.
    pub fn sealing_with(self, key: triage_core::seal::SealKey) -> App {
        App {
            seal_key: Some(key),
            ..self
        }
    }

    /// Its store.
    pub fn store(&self) -> &store::Store {
        &self.store
    }
}

/// Every endpoint, with metrics, logs and the body limit.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/v1/pathways", get(api::search))
        .route("/v1/sessions", post(api::start))
        .route("/v1/sessions/{id}", get(api::get_session))
        .route("/v1/sessions/{id}/answers", post(api::answer))
        .route("/v1/sessions/{id}/back", post(api::back))
        .route("/v1/sessions/{id}/handoff", get(api::handoff))
        .route("/v1/next", post(api::next))
        .route("/v1/bundle", get(api::bundle))
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route("/metrics", get(api::metrics_text))
        .route("/openapi.json", get(openapi_json))
        .route_layer(middleware::from_fn_with_state(app.clone(), observe))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(http::MAX_BODY_BYTES))
        .with_state(app)
}

async fn openapi_json() -> axum::Json<serde_json::Value> {
    axum::Json(openapi::document())
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such endpoint: see /openapi.json",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method: see /openapi.json",
    )
}

/// Counts and logs every request to a known route.
async fn observe(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_string())
        .unwrap_or_default();
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    app.metrics
        .request(method.as_str(), &route, status, elapsed.as_secs_f64());
    tracing::info!(
        method = %method,
        route = %route,
        status,
        micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        "request"
    );
    response
}

/// `bytes` as lowercase hex digits.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Why the service stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The address could not be listened on.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The server failed.
    #[error("the server failed: {0}")]
    Server(std::io::Error),
}

/// Serves `app` on `listen` until SIGINT or SIGTERM, then finishes the
/// requests in flight, closes the database and returns. `ready` is called
/// with the address bound (port 0 picks a free one) before the first request.
pub async fn serve(
    app: Arc<App>,
    listen: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| ServeError::Listen {
            addr: listen,
            source,
        })?;
    let bound = listener.local_addr().map_err(ServeError::Server)?;
    // The handlers are in place before anyone is told the address: a
    // SIGTERM sent the moment it listens still stops it cleanly.
    let stop = Stop::install().map_err(ServeError::Server)?;
    ready(bound);
    let store = app.store.clone();
    axum::serve(listener, router(app))
        .with_graceful_shutdown(stop.wait())
        .await
        .map_err(ServeError::Server)?;
    store.close().await;
    tracing::info!("stopped: every request in flight was answered");
    Ok(())
}

/// SIGINT and SIGTERM, caught from the moment they are installed.
struct Stop {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Stop {
    fn install() -> std::io::Result<Stop> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Stop {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Stop {})
    }

    async fn wait(self) {
        #[cfg(unix)]
        {
            let Stop {
                mut interrupt,
                mut terminate,
            } = self;
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = self;
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("stopping: finishing the requests in flight");
    }
}

/// Sends logs to stdout as JSON lines, at the level named by `TRIAGE_LOG`
/// (`error`, `warn`, `info` (the default) or `debug`). Call once.
pub fn init_logs() {
    let level = match std::env::var("TRIAGE_LOG").as_deref() {
        Ok("error") => tracing::Level::ERROR,
        Ok("warn") => tracing::Level::WARN,
        Ok("debug") => tracing::Level::DEBUG,
        Ok("trace") => tracing::Level::TRACE,
        _ => tracing::Level::INFO,
    };
    let _ = tracing_subscriber::fmt()
        .json()
        .with_max_level(level)
        .with_current_span(false)
        .with_writer(std::io::stdout)
        .try_init();
}
