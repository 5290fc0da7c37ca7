//! Where journeys and the audit trail live: an embedded SQLite file by
//! default, or a PostgreSQL server shared by every replica.
//!
//! Both go through sqlx's `Any` driver with the same statements (`$1`
//! placeholders work in both), and each has its own migrations, embedded in
//! the binary (`migrations/sqlite`, `migrations/postgres`).

use crate::audit::{self, AuditColumns};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::{AnyPool, Row};
use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// Which database a [`Store`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file: WAL journal, every commit synced to disk.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// Why the database could not be opened or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The URL names no database this service can use.
    #[error("the database URL {url:?} is not one this service can use: give a SQLite file (sqlite:triage.db, or a path) or a PostgreSQL server (postgres://user@host/db)")]
    UnsupportedUrl {
        /// The URL, with any password hidden.
        url: String,
    },
    /// The database could not be reached or opened.
    #[error("cannot open the database {url}: {source}")]
    Connect {
        /// The URL, with any password hidden.
        url: String,
        /// What the driver said.
        source: sqlx::Error,
    },
    /// A SQLite file to be read is not there.
    #[error("there is no database file {path}: give the --database the service was started with (default sqlite:triage.db, in the directory it was started in)")]
    NoSuchFile {
        /// The file.
        path: String,
    },
    /// The database holds no audit trail of this service.
    #[error("{url} holds no audit trail: it is not a database `triage serve` has used (check the database name)")]
    NoTrail {
        /// The URL, with any password hidden.
        url: String,
    },
    /// The tables could not be brought up to date.
    #[error("cannot bring the database's tables up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A statement failed.
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
}

/// A journey as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// The saved session (`Session::to_json`).
    pub saved: String,
    /// Increments on every change.
    pub version: i64,
}

/// Where an audit record was appended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Appended {
    /// Its place in the chain: 1 for the first record.
    pub seq: i64,
    /// Its chain hash, as 64 lowercase hex digits.
    pub hash: String,
}

/// An audit row as stored, for `triage audit verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// Place in the chain.
    pub seq: i64,
    /// What the columns say.
    pub columns: AuditColumns,
    /// The previous record's hash (or 64 zeros for the first).
    pub prev_hash: String,
    /// This record's chain hash.
    pub hash: String,
}

/// What saving a changed journey did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// Saved, with the audit record appended if one was given.
    Done(Option<Appended>),
    /// Someone else changed the journey first: nothing was written.
    Conflict,
}

/// The journeys and the audit trail.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    location: String,
    /// SQLite takes one writer at a time, and a writer that finds the file
    /// locked sleeps in steps of up to 100 ms: writers queue here instead,
    /// in the process, and find it free.
    sqlite_writer: Arc<tokio::sync::Mutex<()>>,
}

/// The migrations of one backend, embedded in the binary.
#[derive(Debug)]
struct Embedded(&'static [(i64, &'static str, &'static str)]);

const SQLITE_MIGRATIONS: Embedded = Embedded(&[(
    1,
    "journeys and audit",
    include_str!("../migrations/sqlite/0001_journeys_and_audit.sql"),
)]);

const POSTGRES_MIGRATIONS: Embedded = Embedded(&[(
    1,
    "journeys and audit",
    include_str!("../migrations/postgres/0001_journeys_and_audit.sql"),
)]);

type Resolved<'s> =
    Pin<Box<dyn Future<Output = Result<Vec<Migration>, sqlx::error::BoxDynError>> + Send + 's>>;

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(self) -> Resolved<'s> {
        Box::pin(async move {
            Ok(self
                .0
                .iter()
                .map(|(version, description, sql)| {
                    Migration::new(
                        *version,
                        Cow::Borrowed(*description),
                        MigrationType::Simple,
                        Cow::Borrowed(*sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// The URL with any password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// The backend a URL names, and the URL as the driver takes it: a bare path
/// is a SQLite file, created if missing.
fn resolve_url(url: &str) -> Result<(Backend, String), StoreError> {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
        return Ok((Backend::Postgres, url.to_string()));
    }
    let path = if let Some(rest) = url.strip_prefix("sqlite://") {
        rest
    } else if let Some(rest) = url.strip_prefix("sqlite:") {
        rest
    } else if lower.contains("://") || url.is_empty() {
        return Err(StoreError::UnsupportedUrl { url: redact(url) });
    } else {
        url
    };
    let mut driver_url = format!("sqlite://{path}");
    if !path.contains("mode=") {
        driver_url.push(if path.contains('?') { '&' } else { '?' });
        driver_url.push_str("mode=rwc");
    }
    Ok((Backend::Sqlite, driver_url))
}

/// How a journey id is kept: its SHA-256, so that a copy of the database
/// (a backup, a dump) holds no id that could answer for a live journey.
fn stored_id(id: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(b"triage.session-id/1\n");
    hasher.update(id.as_bytes());
    crate::hex(&hasher.finalize())
}

/// The file of a `sqlite://PATH?...` driver URL.
fn sqlite_path(driver_url: &str) -> &str {
    let path = driver_url.strip_prefix("sqlite://").unwrap_or(driver_url);
    path.split('?').next().unwrap_or(path)
}

impl Store {
    /// Opens the database at `url` and brings its tables up to date.
    ///
    /// `url` is a SQLite file (`sqlite:triage.db`, `sqlite:///var/lib/triage.db`,
    /// or a plain path; created if missing) or a PostgreSQL server
    /// (`postgres://user:password@host:5432/db`).
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let (backend, driver_url) = resolve_url(url)?;
        Store::connect(url, backend, &driver_url, true).await
    }

    /// Opens a trail to read it (`triage audit verify`): the database must
    /// exist and hold the service's tables, and nothing in it is created or
    /// migrated, so a mistyped path or database name is refused rather than
    /// quietly made into a new, empty, "intact" trail.
    pub async fn open_existing(url: &str) -> Result<Store, StoreError> {
        let (backend, driver_url) = resolve_url(url)?;
        if backend == Backend::Sqlite {
            let path = sqlite_path(&driver_url);
            if !std::path::Path::new(path).is_file() {
                return Err(StoreError::NoSuchFile {
                    path: path.to_string(),
                });
            }
        }
        let store = Store::connect(url, backend, &driver_url, false).await?;
        if sqlx::query("SELECT seq FROM audit_head WHERE id = 1")
            .fetch_one(&store.pool)
            .await
            .is_err()
        {
            store.close().await;
            return Err(StoreError::NoTrail { url: redact(url) });
        }
        Ok(store)
    }

    async fn connect(
        url: &str,
        backend: Backend,
        driver_url: &str,
        migrate: bool,
    ) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let location = redact(url);
        let failed = |source| StoreError::Connect {
            url: location.clone(),
            source,
        };
        // One connection first, to report why the database cannot be
        // reached (refused, unknown host, bad password): the pool retries
        // until its timeout and then says only that it timed out.
        let first = tokio::time::timeout(
            CONNECT_TIMEOUT,
            <sqlx::AnyConnection as sqlx::Connection>::connect(driver_url),
        )
        .await
        .map_err(|_| {
            failed(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
            )))
        })?
        .map_err(failed)?;
        // A file that is not a database opens as one and fails at its first
        // read; found here, it is said at once, not after the pool's timeout.
        let mut first = first;
        let probe = match backend {
            Backend::Sqlite => "SELECT count(*) FROM sqlite_master",
            _ => "SELECT 1",
        };
        let read = sqlx::query(probe).fetch_one(&mut first).await;
        let _ = sqlx::Connection::close(first).await;
        read.map_err(failed)?;
        let options = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(CONNECT_TIMEOUT);
        let options = match backend {
            Backend::Sqlite => {
                options.after_connect(|connection, _| Box::pin(sqlite_pragmas(connection)))
            }
            Backend::Postgres => {
                options.after_connect(|connection, _| Box::pin(postgres_settings(connection)))
            }
        };
        let pool = options.connect(driver_url).await.map_err(failed)?;
        if migrate {
            let migrator = match backend {
                Backend::Sqlite => Migrator::new(SQLITE_MIGRATIONS).await?,
                Backend::Postgres => Migrator::new(POSTGRES_MIGRATIONS).await?,
            };
            migrator.run(&pool).await?;
        }
        Ok(Store {
            pool,
            backend,
            location,
            sqlite_writer: Arc::default(),
        })
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Where it is, with any password hidden.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// Closes every connection, waiting for those in use.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Waits for this process's turn to write, for SQLite; PostgreSQL takes
    /// writers at once and orders them by its own locks.
    async fn writer(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.backend {
            Backend::Sqlite => Some(self.sqlite_writer.lock().await),
            Backend::Postgres => None,
        }
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Stores a new journey, and its audit record if it has already ended.
    pub async fn insert_session(
        &self,
        id: &str,
        saved: &str,
        now: &str,
        audit: Option<&AuditColumns>,
    ) -> Result<Option<Appended>, StoreError> {
        let _turn = self.writer().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO sessions (id, saved, version, created_at, updated_at) VALUES ($1, $2, 1, $3, $3)",
        )
        .bind(stored_id(id))
        .bind(saved)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let appended = match audit {
            Some(columns) => Some(append_in(&mut tx, columns).await?),
            None => None,
        };
        tx.commit().await?;
        Ok(appended)
    }

    /// The journey with this id, if there is one.
    pub async fn load_session(&self, id: &str) -> Result<Option<StoredSession>, StoreError> {
        let row = sqlx::query("SELECT saved, version FROM sessions WHERE id = $1")
            .bind(stored_id(id))
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(StoredSession {
                saved: row.try_get("saved")?,
                version: row.try_get("version")?,
            })
        })
        .transpose()
    }

    /// Saves a changed journey if it is still at `version`, and appends its
    /// audit record in the same transaction: the outcome is never returned
    /// without its record, and a record is never written for a change that
    /// was not saved.
    pub async fn save_session(
        &self,
        id: &str,
        version: i64,
        saved: &str,
        now: &str,
        audit: Option<&AuditColumns>,
    ) -> Result<Saved, StoreError> {
        let _turn = self.writer().await;
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE sessions SET saved = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
        )
        .bind(saved)
        .bind(now)
        .bind(stored_id(id))
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            tx.rollback().await?;
            return Ok(Saved::Conflict);
        }
        let appended = match audit {
            Some(columns) => Some(append_in(&mut tx, columns).await?),
            None => None,
        };
        tx.commit().await?;
        Ok(Saved::Done(appended))
    }

    /// Appends an audit record for a journey the service does not hold
    /// (`POST /v1/next`).
    pub async fn append_audit(&self, columns: &AuditColumns) -> Result<Appended, StoreError> {
        let _turn = self.writer().await;
        let mut tx = self.pool.begin().await?;
        let appended = append_in(&mut tx, columns).await?;
        tx.commit().await?;
        Ok(appended)
    }

    /// The chain head: how many records it should hold, and the last hash.
    pub async fn audit_head(&self) -> Result<(i64, String), StoreError> {
        let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok((row.try_get("seq")?, row.try_get("hash")?))
    }

    /// Up to `limit` audit rows after `after`, in chain order.
    pub async fn audit_rows(&self, after: i64, limit: i64) -> Result<Vec<AuditRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, session_id, recorded_at, bundle_hash, pathway, pathway_version, age_band, sex, disposition_code, record, prev_hash, hash \
             FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(audit_row).collect()
    }

    /// The audit records of one journey, in chain order.
    pub async fn audit_of_session(&self, id: &str) -> Result<Vec<AuditRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, session_id, recorded_at, bundle_hash, pathway, pathway_version, age_band, sex, disposition_code, record, prev_hash, hash \
             FROM audit WHERE session_id = $1 ORDER BY seq",
        )
        .bind(stored_id(id))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(audit_row).collect()
    }
}

/// How long to wait for the database to answer a new connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Every PostgreSQL connection: notices (such as "already exists,
/// skipping" at each start) stay out of the service's log.
async fn postgres_settings(connection: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SET client_min_messages = warning")
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Every SQLite connection: write-ahead log, a commit is on disk before it
/// returns, and writers wait for each other rather than fail.
async fn sqlite_pragmas(connection: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    for pragma in [
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = FULL",
        "PRAGMA busy_timeout = 10000",
    ] {
        sqlx::query(pragma).execute(&mut *connection).await?;
    }
    Ok(())
}

fn audit_row(row: &AnyRow) -> Result<AuditRow, StoreError> {
    Ok(AuditRow {
        seq: row.try_get("seq")?,
        columns: AuditColumns {
            session_id: row.try_get("session_id")?,
            recorded_at: row.try_get("recorded_at")?,
            bundle_hash: row.try_get("bundle_hash")?,
            pathway: row.try_get("pathway")?,
            pathway_version: row.try_get("pathway_version")?,
            age_band: row.try_get("age_band")?,
            sex: row.try_get("sex")?,
            disposition_code: row.try_get("disposition_code")?,
            record: row.try_get("record")?,
        },
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// Appends to the chain inside `tx`. Moving the head first takes its lock
/// (a row lock in PostgreSQL, the write lock in SQLite), so appenders on
/// every replica queue here and the chain has one order.
async fn append_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    columns: &AuditColumns,
) -> Result<Appended, StoreError> {
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut **tx)
        .await?;
    let seq: i64 = head.try_get("seq")?;
    let prev_hash: String = head.try_get("hash")?;
    let hash = audit::chain_hash(&prev_hash, &columns.record);
    sqlx::query(
        "INSERT INTO audit (seq, session_id, recorded_at, bundle_hash, pathway, pathway_version, age_band, sex, disposition_code, record, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(seq)
    .bind(columns.session_id.as_deref().map(stored_id))
    .bind(&columns.recorded_at)
    .bind(&columns.bundle_hash)
    .bind(&columns.pathway)
    .bind(&columns.pathway_version)
    .bind(&columns.age_band)
    .bind(&columns.sex)
    .bind(&columns.disposition_code)
    .bind(&columns.record)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    Ok(Appended { seq, hash })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_backend() {
        assert_eq!(
            resolve_url("triage.db").unwrap(),
            (Backend::Sqlite, "sqlite://triage.db?mode=rwc".to_string())
        );
        assert_eq!(
            resolve_url("sqlite:/var/lib/t.db").unwrap(),
            (
                Backend::Sqlite,
                "sqlite:///var/lib/t.db?mode=rwc".to_string()
            )
        );
        assert_eq!(
            resolve_url("sqlite://t.db?mode=rw").unwrap().1,
            "sqlite://t.db?mode=rw"
        );
        assert_eq!(
            resolve_url("postgres://u:p@h/db").unwrap().0,
            Backend::Postgres
        );
        assert!(matches!(
            resolve_url("mysql://u:secret@h/db"),
            Err(StoreError::UnsupportedUrl { url }) if !url.contains("secret")
        ));
    }

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact("postgres://triage:hunter2@db:5432/triage"),
            "postgres://triage:***@db:5432/triage"
        );
        assert_eq!(redact("postgres://db/triage"), "postgres://db/triage");
        assert_eq!(redact("sqlite:triage.db"), "sqlite:triage.db");
    }
}
