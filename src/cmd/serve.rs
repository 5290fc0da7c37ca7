//! `triage serve` and `triage audit verify`: the reference service, and the
//! check of its audit trail.

use super::{AuditFormat, Bundle};
use crate::output::{self, Status};
use serde::Serialize;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use triage_core::seal::SealKey;
use triage_service::store::Store;
use triage_service::{audit, App};

/// Runs the service on `bundle` until SIGINT or SIGTERM.
pub fn serve(
    bundle: &Bundle,
    listen: SocketAddr,
    database: &str,
    public_url: Option<&str>,
    seal_keys: Option<&Path>,
) -> std::io::Result<Status> {
    let compiled = match bundle.compiled() {
        Ok(compiled) => compiled.clone(),
        Err(status) => return Ok(status),
    };
    let seal_key = match seal_keys.map(read_keys).transpose() {
        Ok(keys) => keys.and_then(|keys| keys.into_iter().next()),
        Err(status) => return Ok(status),
    };
    triage_service::init_logs();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = match Store::open(database).await {
            Ok(store) => store,
            Err(error) => {
                output::eprint(&format!("error: {error}\n"));
                return Ok(Status::Failed);
            }
        };
        let location = store.location().to_string();
        let public_url = public_url
            .map(str::to_string)
            .unwrap_or_else(|| format!("http://{listen}"));
        let pathways = compiled.pathways().count();
        let hash = compiled.hash().to_string();
        let sealing = seal_key.as_ref().map(|key| key.id().to_string());
        let mut app = App::new(compiled, store, public_url);
        if let Some(key) = seal_key {
            app = app.sealing_with(key);
        }
        let app = Arc::new(app);
        let served = triage_service::serve(app, listen, |bound| {
            let sealing = match &sealing {
                Some(id) => format!("; audit records sealed with key {id}"),
                None => String::new(),
            };
            output::eprint(&format!(
                "triage serve: listening on http://{bound} (bundle {hash}, {pathways} pathways; database {location}{sealing}); Ctrl-C stops\n"
            ));
            tracing::info!(%bound, bundle = %hash, database = %location, "listening");
        })
        .await;
        match served {
            Ok(()) => Ok(Status::Ok),
            Err(error) => {
                output::eprint(&format!("error: {error}\n"));
                Ok(Status::Failed)
            }
        }
    })
}

#[derive(Serialize)]
struct VerifyReport<'a> {
    intact: bool,
    records: u64,
    replayed: u64,
    other_bundle: u64,
    sealed: u64,
    problems: Vec<ProblemOut<'a>>,
}

#[derive(Serialize)]
struct ProblemOut<'a> {
    seq: Option<i64>,
    message: &'a str,
}

/// Checks the audit trail in `database`, replaying it with `bundle` if given.
pub fn verify(
    bundle: Option<&Bundle>,
    database: &str,
    seal_keys: Option<&Path>,
    format: AuditFormat,
) -> std::io::Result<Status> {
    let compiled = match bundle.map(Bundle::compiled).transpose() {
        Ok(compiled) => compiled,
        Err(status) => return Ok(status),
    };
    let keys = match seal_keys.map(read_keys).transpose() {
        Ok(keys) => keys.unwrap_or_default(),
        Err(status) => return Ok(status),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let verified = runtime.block_on(async {
        let store = Store::open_existing(database).await?;
        let verified = audit::verify(&store, compiled, &keys).await;
        store.close().await;
        verified
    });
    let verified = match verified {
        Ok(verified) => verified,
        Err(error) => {
            output::eprint(&format!("error: {error}\n"));
            return Ok(Status::Failed);
        }
    };
    match format {
        AuditFormat::Json => output::print(&super::to_json_line(&VerifyReport {
            intact: verified.is_intact(),
            records: verified.records,
            replayed: verified.replayed,
            other_bundle: verified.other_bundle,
            sealed: verified.sealed,
            problems: verified
                .problems
                .iter()
                .map(|p| ProblemOut {
                    seq: p.seq,
                    message: &p.message,
                })
                .collect(),
        }))?,
        AuditFormat::Human => {
            let mut text = String::new();
            for problem in &verified.problems {
                text.push_str(&format!(
                    "error: {}\n",
                    crate::terminal::clean(&problem.to_string())
                ));
            }
            let mut replayed = match compiled {
                Some(_) => format!(
                    ", {} replayed with the bundle ({} made with another bundle)",
                    verified.replayed, verified.other_bundle
                ),
                None => String::new(),
            };
            if !keys.is_empty() {
                replayed.push_str(&format!(", {} sealed", verified.sealed));
            }
            if verified.is_intact() {
                text.push_str(&format!(
                    "audit trail intact: {}, every hash and link checked{replayed}\n",
                    count(verified.records, "record")
                ));
            } else {
                text.push_str(&format!(
                    "audit trail NOT intact: {} in {}{replayed}\n",
                    count(verified.problems.len() as u64, "problem"),
                    count(verified.records, "record")
                ));
            }
            output::print(&text)?;
        }
    }
    Ok(if verified.is_intact() {
        Status::Ok
    } else {
        Status::Failed
    })
}

/// `n` with its noun, singular or plural.
fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The seal keys in `path`; a file that cannot be read or used is a usage error.
fn read_keys(path: &Path) -> Result<Vec<SealKey>, Status> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        output::usage_error(&format!(
            "cannot read the seal keys {}: {error}",
            path.display()
        ))
    })?;
    audit::read_seal_keys(&path.display().to_string(), &text)
        .map_err(|error| output::usage_error(&error.to_string()))
}
