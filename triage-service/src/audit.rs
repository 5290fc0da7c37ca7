//! The audit trail: one record per outcome returned, chained by hash, and
//! the check that nothing in it was changed, removed or reordered.
//!
//! Each record's hash covers the previous record's hash and the record
//! itself (the engine's `triage.audit/1` JSON, exactly as stored), so a
//! changed record breaks its own hash and a removed one breaks the next
//! record's link. The chain head (the number of records and the last hash)
//! is kept in its own row, so records removed from the end are caught too.
//! The database refuses updates and deletes of records (triggers); the chain
//! catches what someone with the rights to drop those triggers does anyway.
//!
//! Nothing here names a person: a record holds the patient's age, sex and
//! who answered, the answer ids, and the outcome; no name, address or free text.

use crate::store::{AuditRow, Store, StoreError};
use sha2::{Digest, Sha256};
use triage_core::compile::CompiledBundle;
use triage_core::seal::SealKey;
use triage_core::session::{self, AuditRecord};
use triage_core::vocab::{Patient, Sex};

/// The hash before the first record: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Domain separation, so the chain hash can never equal another hash of the
/// same bytes made for another purpose.
const CHAIN_DOMAIN: &[u8] = b"triage.audit-chain/1\n";

/// The chain hash of `record` after `prev_hash`, as 64 lowercase hex digits.
///
/// ```
/// use triage_service::audit::{chain_hash, GENESIS};
/// let first = chain_hash(GENESIS, "{}");
/// assert_eq!(first.len(), 64);
/// assert_ne!(chain_hash(&first, "{}"), first);
/// ```
pub fn chain_hash(prev_hash: &str, record: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(CHAIN_DOMAIN);
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(record.as_bytes());
    crate::hex(&hasher.finalize())
}

/// The NHS 111 online age band of a person: `0-1`, `1-5`, `5-16` or `16+` years.
pub fn age_band(patient: &Patient) -> &'static str {
    match patient.age_years {
        0 => "0-1",
        1..=4 => "1-5",
        5..=15 => "5-16",
        _ => "16+",
    }
}

fn sex_word(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "female",
        Sex::Male => "male",
    }
}

/// An audit record as the store keeps it: the record's JSON, and the fields
/// reports query, repeated as columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditColumns {
    /// The journey held by the service, or none for `POST /v1/next`. The
    /// store keeps its SHA-256, never the id itself, and gives that back.
    pub session_id: Option<String>,
    /// When, RFC 3339 UTC.
    pub recorded_at: String,
    /// Content hash of the bundle.
    pub bundle_hash: String,
    /// Pathway started.
    pub pathway: String,
    /// Its content version.
    pub pathway_version: String,
    /// `0-1`, `1-5`, `5-16` or `16+`.
    pub age_band: String,
    /// `female` or `male`.
    pub sex: String,
    /// The disposition's code.
    pub disposition_code: String,
    /// The engine's audit record, as JSON.
    pub record: String,
}

/// Why a record cannot be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// Only a finished journey has an audit record in the trail.
    #[error("the journey has not reached an outcome")]
    NotFinished,
}

impl AuditColumns {
    /// The columns of `record`, which must have reached an outcome and carry
    /// its time.
    pub fn of(record: &AuditRecord, session_id: Option<&str>) -> Result<AuditColumns, RecordError> {
        let disposition = record
            .disposition
            .as_ref()
            .ok_or(RecordError::NotFinished)?;
        Ok(AuditColumns {
            session_id: session_id.map(str::to_string),
            recorded_at: record.recorded_at.clone().unwrap_or_default(),
            bundle_hash: record.bundle.clone(),
            pathway: record.pathway.clone(),
            pathway_version: record.pathway_version.clone(),
            age_band: age_band(&record.patient).to_string(),
            sex: sex_word(record.patient.sex).to_string(),
            disposition_code: disposition.code.clone(),
            record: serde_json::to_string(record).unwrap_or_default(),
        })
    }
}

/// One thing wrong with the trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The record it is about, or none for the chain as a whole.
    pub seq: Option<i64>,
    /// What is wrong, in words.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.seq {
            Some(seq) => write!(f, "record {seq}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// What [`verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verified {
    /// Records read.
    pub records: u64,
    /// Records replayed with the bundle and found to give the same journey.
    pub replayed: u64,
    /// Records made with another bundle, so not replayed.
    pub other_bundle: u64,
    /// Records whose seal was checked with the keys given.
    pub sealed: u64,
    /// Everything wrong, in chain order. Empty when the trail is intact.
    pub problems: Vec<Problem>,
}

impl Verified {
    /// True when nothing is wrong.
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Why a seal keys file cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct KeysError {
    path: String,
    message: String,
}

/// Reads seal keys from `text` (the file `path`): one key per line, its id
/// then its secret as hex (`2026-12 <64 hex digits>`, as `openssl rand -hex
/// 32` writes a secret); blank lines and lines starting with `#` are skipped.
/// The first key seals new records; all of them check old ones, so keys
/// rotate by adding a new first line and keeping the old ones.
///
/// ```
/// use triage_service::audit::read_seal_keys;
/// let text = format!("# current first\n2026-12 {}\n2026-06 {}\n", "ab".repeat(32), "cd".repeat(32));
/// let keys = read_seal_keys("keys.txt", &text).unwrap();
/// assert_eq!(keys.iter().map(|k| k.id()).collect::<Vec<_>>(), ["2026-12", "2026-06"]);
/// assert!(read_seal_keys("keys.txt", "2026-12 abcd").unwrap_err().to_string().contains("line 1"));
/// ```
pub fn read_seal_keys(path: &str, text: &str) -> Result<Vec<SealKey>, KeysError> {
    let mut keys = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let error = |message: String| KeysError {
            path: path.to_string(),
            message: format!("line {}: {message}", number + 1),
        };
        let Some((id, hex)) = line.split_once(char::is_whitespace) else {
            return Err(error(
                "expected a key id, a space, then the secret as hex digits".into(),
            ));
        };
        let key = SealKey::from_hex(id, hex).map_err(|e| error(e.to_string()))?;
        keys.push(key);
    }
    if keys.is_empty() {
        return Err(KeysError {
            path: path.to_string(),
            message: "no key in the file: write one line `ID HEX`, e.g. `2026-12` and the output of `openssl rand -hex 32`".into(),
        });
    }
    Ok(keys)
}

/// Records read from the store per query.
const PAGE: i64 = 1000;

/// Reads the whole trail and checks every link, every hash, that each
/// record's columns agree with its JSON, and the head. With `bundle`, each
/// record made with that bundle is replayed too: its answers must still give
/// the steps, reasons and disposition it records. With `keys`, every record
/// must carry a seal made with one of them: someone who can rewrite the
/// database, and so recompute the chain, still cannot make a seal.
pub async fn verify(
    store: &Store,
    bundle: Option<&CompiledBundle>,
    keys: &[SealKey],
) -> Result<Verified, StoreError> {
    let mut verified = Verified::default();
    let mut expected_seq = 1;
    let mut prev_hash = GENESIS.to_string();
    loop {
        let rows = store.audit_rows(expected_seq - 1, PAGE).await?;
        let Some(last) = rows.last() else { break };
        let last_seq = last.seq;
        for row in &rows {
            check_row(row, expected_seq, &prev_hash, bundle, keys, &mut verified);
            verified.records += 1;
            expected_seq = row.seq + 1;
            prev_hash = row.hash.clone();
        }
        if (rows.len() as i64) < PAGE {
            break;
        }
        expected_seq = last_seq + 1;
    }
    let (head_seq, head_hash) = store.audit_head().await?;
    let last_seq = expected_seq - 1;
    if head_seq != last_seq {
        verified.problems.push(Problem {
            seq: None,
            message: format!(
                "the chain head says there are {head_seq} records, but the last record is {last_seq}: records were removed from the end, or added around the chain"
            ),
        });
    } else if head_hash != prev_hash {
        verified.problems.push(Problem {
            seq: None,
            message: "the chain head's hash is not the last record's hash: the end of the chain was changed".into(),
        });
    }
    Ok(verified)
}

fn check_row(
    row: &AuditRow,
    expected_seq: i64,
    prev_hash: &str,
    bundle: Option<&CompiledBundle>,
    keys: &[SealKey],
    verified: &mut Verified,
) {
    let mut problem = |message: String| {
        verified.problems.push(Problem {
            seq: Some(row.seq),
            message,
        })
    };
    if row.seq != expected_seq {
        problem(if row.seq == expected_seq + 1 {
            format!("record {expected_seq} before it is missing: it was deleted")
        } else if row.seq > expected_seq {
            format!(
                "records {expected_seq} to {} before it are missing: they were deleted",
                row.seq - 1
            )
        } else {
            format!(
                "comes after record {}: the chain is out of order",
                expected_seq - 1
            )
        });
    }
    if row.prev_hash != prev_hash {
        problem(
            "its link to the record before does not match that record's hash: a record before it was changed or removed".into(),
        );
    }
    if chain_hash(&row.prev_hash, &row.columns.record) != row.hash {
        problem("its hash does not match its contents: it was changed after it was written".into());
    }
    let record: AuditRecord = match serde_json::from_str(&row.columns.record) {
        Ok(record) => record,
        Err(error) => {
            problem(format!("is not a readable audit record: {error}"));
            return;
        }
    };
    match AuditColumns::of(&record, row.columns.session_id.as_deref()) {
        Ok(columns) => {
            for (name, stored, recorded) in [
                (
                    "recorded_at",
                    &row.columns.recorded_at,
                    &columns.recorded_at,
                ),
                (
                    "bundle_hash",
                    &row.columns.bundle_hash,
                    &columns.bundle_hash,
                ),
                ("pathway", &row.columns.pathway, &columns.pathway),
                (
                    "pathway_version",
                    &row.columns.pathway_version,
                    &columns.pathway_version,
                ),
                ("age_band", &row.columns.age_band, &columns.age_band),
                ("sex", &row.columns.sex, &columns.sex),
                (
                    "disposition_code",
                    &row.columns.disposition_code,
                    &columns.disposition_code,
                ),
            ] {
                if stored != recorded {
                    problem(format!(
                        "its {name} column says {stored:?} but the record says {recorded:?}"
                    ));
                }
            }
        }
        Err(_) => problem("records no outcome".into()),
    }
    if !keys.is_empty() {
        match (&record.seal, record.check_seal(keys)) {
            (None, _) => problem("is not sealed, but seal keys were given: it was not written by a service holding them".into()),
            (Some(_), Err(error)) => problem(format!("its seal does not check: {error}")),
            (Some(_), Ok(())) => verified.sealed += 1,
        }
    }
    if let Some(bundle) = bundle {
        if record.bundle != bundle.hash() {
            verified.other_bundle += 1;
        } else {
            match session::replay(bundle, &record) {
                Ok(_) => verified.replayed += 1,
                Err(error) => problem(format!(
                    "replaying it with the bundle gives another journey: {error}"
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use triage_core::vocab::Answering;

    fn person(age_years: u32) -> Patient {
        Patient::new(age_years, 0, Sex::Female).answered_by(Answering::default())
    }

    #[test]
    fn age_bands_follow_111_online() {
        let bands: Vec<&str> = [0, 1, 4, 5, 15, 16, 90]
            .into_iter()
            .map(|age| age_band(&person(age)))
            .collect();
        assert_eq!(bands, ["0-1", "1-5", "1-5", "5-16", "5-16", "16+", "16+"]);
    }

    #[test]
    fn the_chain_hash_covers_the_link_and_the_record() {
        let first = chain_hash(GENESIS, "{\"a\":1}");
        assert_ne!(first, chain_hash(GENESIS, "{\"a\":2}"));
        assert_ne!(first, chain_hash(&"1".repeat(64), "{\"a\":1}"));
        assert!(first
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    }
}
