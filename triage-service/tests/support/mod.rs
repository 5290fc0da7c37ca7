//! What the service's tests share: the shipped bundle, a service on a free
//! loopback port over a fresh database (a temporary SQLite file, or a new
//! database on the PostgreSQL server named by TRIAGE_TEST_POSTGRES), a
//! client, a journey walker, and the FHIR R4 validator.

#![allow(dead_code)] // Each test binary uses its own part.

use reqwest::StatusCode;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use triage_core::compile::CompiledBundle;
use triage_service::store::Store;
use triage_service::App;

mod shared;
pub use shared::choose;

/// Runs the FHIR R4 validator over `messages`.
pub fn assert_valid_fhir(messages: &[Value]) {
    shared::assert_valid_fhir(&root(), messages)
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The shipped bundle, built once per test binary.
pub fn bundle() -> CompiledBundle {
    static BUNDLE: OnceLock<CompiledBundle> = OnceLock::new();
    BUNDLE
        .get_or_init(|| {
            triage_core::open(&root().join("pathways")).expect("the shipped bundle builds")
        })
        .clone()
}

/// A fresh, empty database for one test.
pub struct Database {
    /// Its URL.
    pub url: String,
    /// Which kind.
    pub postgres: bool,
    _dir: Option<tempfile::TempDir>,
}

/// A temporary SQLite file.
pub fn sqlite() -> Database {
    let dir = tempfile::tempdir().expect("a temporary directory");
    Database {
        url: format!("sqlite:{}", dir.path().join("triage.db").display()),
        postgres: false,
        _dir: Some(dir),
    }
}

/// A new database on the PostgreSQL server of TRIAGE_TEST_POSTGRES. Without
/// that server the test fails: it is never skipped.
pub async fn postgres() -> Database {
    let mut id = [0u8; 8];
    getrandom::fill(&mut id).expect("randomness");
    let name = format!(
        "triage_test_{}",
        id.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    Database {
        url: tokio::task::spawn_blocking(move || shared::new_postgres_database(&name))
            .await
            .expect("the database is made"),
        postgres: true,
        _dir: None,
    }
}

/// The service, listening on a free loopback port.
#[derive(Clone)]
pub struct Service {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its store.
    pub store: Store,
    /// A client.
    pub client: reqwest::Client,
}

/// Starts the service over `database`.
pub async fn start(database: &Database) -> Service {
    start_with(database, None).await
}

/// A seal key for tests (never a real one: its secret is in this file).
pub fn test_key(id: &str) -> triage_core::seal::SealKey {
    triage_core::seal::SealKey::from_hex(id, &"5e".repeat(32)).expect("a key")
}

/// Starts the service over `database`, sealing records with `key` if given.
pub async fn start_with(database: &Database, key: Option<triage_core::seal::SealKey>) -> Service {
    let store = Store::open(&database.url).await.expect("the store opens");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let address = listener.local_addr().expect("bound");
    let base = format!("http://{address}");
    let mut app = App::new(bundle(), store.clone(), base.clone());
    if let Some(key) = key {
        app = app.sealing_with(key);
    }
    let app = Arc::new(app);
    tokio::spawn(async move {
        axum::serve(listener, triage_service::router(app))
            .await
            .expect("serves")
    });
    Service {
        base,
        store,
        client: reqwest::Client::new(),
    }
}

impl Service {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends `request`; the status and the JSON answered.
    async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let response = request.send().await.expect("the service answers");
        let status = response.status();
        (status, response.json().await.expect("JSON"))
    }

    /// POSTs `body` as JSON.
    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        Service::send(self.client.post(self.url(path)).json(body)).await
    }

    /// POSTs raw bytes with a content type.
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let request = self.client.post(self.url(path));
        Service::send(request.header("content-type", content_type).body(body)).await
    }

    /// GETs `path`.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        Service::send(self.client.get(self.url(path))).await
    }

    /// GETs `path` as text.
    pub async fn get_text(&self, path: &str) -> (StatusCode, String) {
        let response = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("the service answers");
        (response.status(), response.text().await.expect("text"))
    }
}
