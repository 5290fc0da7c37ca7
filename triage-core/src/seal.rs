//! Seals: a keyed check over a saved session or an audit record, so that
//! one edited after it was written is refused.
//!
//! A saved session or an audit record is plain JSON. Resuming a session
//! rebuilds its step from its answers, and replaying a record checks its
//! steps, outcome and reasons against the bundle, so neither can claim an
//! outcome its answers do not reach. But the answers, the person and the
//! time are the document's own: anyone who can edit the document can
//! change them and recompute the rest, and the bundle hash is public. A
//! seal is an HMAC-SHA256 over the document, made with a secret key the
//! deployment holds, so such an edit is refused on resume or replay.
//!
//! The seal covers every field but itself (bundle, pathway, topic, person,
//! language and answers of a session; the same plus steps, outcome, reasons
//! and time of a record), as the engine writes them. Each seal names its
//! key by id, so keys can be rotated: seal with the new key, and keep the
//! old ones for opening what they sealed.
//!
//! # Keys
//!
//! A key is at least 32 random bytes, kept where the service reads it and
//! nobody else does (a secrets manager, or a file readable only by the
//! service), never in a page, a repository or a log. `openssl rand -hex 32`
//! makes one; [`SealKey::from_hex`] reads it. Anyone who holds the key can
//! seal a forged document, so it is held only by the services that write or
//! check records. The browser module has no seals: a key in a page is no
//! secret.
//!
//! ```
//! use triage_core::prelude::*;
//! use triage_core::seal::SealKey;
//!
//! let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pathways");
//! let bundle = triage_core::open(&dir)?;
//! let key = SealKey::from_hex("2026-12", &"5e".repeat(32))?;
//!
//! let session = Session::start(&bundle, "fever", Patient::new(30, 0, Sex::Female))?;
//! let sealed = session.to_sealed_json(&key);
//! assert_eq!(Session::from_sealed_json(&bundle, &sealed, &[key.clone()])?, session);
//!
//! // The same session with the person's age edited is refused.
//! let edited = sealed.replace("\"age_years\":30", "\"age_years\":31");
//! let refused = Session::from_sealed_json(&bundle, &edited, &[key]).unwrap_err();
//! assert_eq!(refused.code(), "seal_mismatch");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::compile::CompiledBundle;
use crate::eval::EvalError;
use crate::session::{replay, AuditRecord, SavedSession, Seal, Session};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The fewest secret bytes a key may have: HMAC-SHA256's own output size.
pub const MIN_SECRET_BYTES: usize = 32;

/// The algorithm every seal names.
const ALG: &str = "hmac-sha256";

/// A secret key, with the id that seals name it by.
///
/// Its `Debug` form shows the id only.
#[derive(Clone)]
pub struct SealKey {
    id: String,
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl SealKey {
    /// A key from its secret bytes (at least [`MIN_SECRET_BYTES`]). The id
    /// (1 to 64 letters, digits, `.`, `_` or `-`, e.g. `2026-12`) is written
    /// in each seal so the key that made it can be found again.
    pub fn new(id: &str, secret: &[u8]) -> Result<SealKey, SealError> {
        let id_ok = (1..=64).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !id_ok {
            return Err(SealError::BadKeyId(id.chars().take(80).collect()));
        }
        if secret.len() < MIN_SECRET_BYTES {
            return Err(SealError::ShortKey(secret.len()));
        }
        let mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| SealError::ShortKey(0))?;
        Ok(SealKey {
            id: id.to_string(),
            mac,
        })
    }

    /// A key from its secret written as hex digits (as `openssl rand -hex 32`
    /// writes it; surrounding whitespace, such as a key file's last newline,
    /// is ignored).
    pub fn from_hex(id: &str, hex: &str) -> Result<SealKey, SealError> {
        let secret = decode_hex(hex.trim()).ok_or(SealError::BadKeyHex)?;
        SealKey::new(id, &secret)
    }

    /// The key's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The HMAC of `document`, a `kind` of document, under this key. The
    /// kind and key id are bound in, so a seal is good for one kind of
    /// document under one key id.
    fn mac(&self, kind: &str, document: &[u8]) -> Hmac<Sha256> {
        let mut mac = self.mac.clone();
        for part in [
            b"triage.seal/1".as_slice(),
            kind.as_bytes(),
            self.id.as_bytes(),
        ] {
            mac.update(part);
            mac.update(&[0]);
        }
        mac.update(document);
        mac
    }

    fn seal(&self, kind: &str, document: &[u8]) -> Seal {
        let tag = self.mac(kind, document).finalize().into_bytes();
        Seal {
            alg: ALG.to_string(),
            key: self.id.clone(),
            mac: crate::compile::hex(&tag),
        }
    }
}

/// The bytes that `hex` writes, two digits each; `None` unless it is all hex digits, in pairs.
fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    let pairs = hex.as_bytes().chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return None;
    }
    pairs
        .map(|pair| Some((hex_value(pair[0])? << 4) | hex_value(pair[1])?))
        .collect()
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Checks `seal` over `document` with whichever of `keys` it names.
fn check(
    what: &'static str,
    kind: &str,
    document: &[u8],
    seal: Option<&Seal>,
    keys: &[SealKey],
) -> Result<(), SealError> {
    let seal = seal.ok_or(SealError::Unsealed { what })?;
    if seal.alg != ALG {
        return Err(SealError::UnknownAlg {
            what,
            alg: seal.alg.chars().take(40).collect(),
        });
    }
    let key = keys
        .iter()
        .find(|k| k.id == seal.key)
        .ok_or_else(|| SealError::UnknownKey {
            what,
            key: seal.key.chars().take(80).collect(),
        })?;
    let tag = decode_hex(&seal.mac).ok_or(SealError::Mismatch { what })?;
    // Compared in constant time, so the time taken tells nothing of the tag.
    key.mac(kind, document)
        .verify_slice(&tag)
        .map_err(|_| SealError::Mismatch { what })
}

impl Session {
    /// The session as JSON, as [`Session::to_json`] writes it, with a seal
    /// made with `key`: [`Session::from_sealed_json`] refuses it if anything
    /// in it is changed.
    pub fn to_sealed_json(&self, key: &SealKey) -> String {
        let seal = key.seal("session", self.to_json().as_bytes());
        // Serializing plain data with string keys cannot fail.
        serde_json::to_string(&self.saved(Some(&seal))).unwrap_or_default()
    }

    /// Resumes a session saved by [`Session::to_sealed_json`], refusing one
    /// that is unsealed, sealed with a key not in `keys`, or changed since
    /// it was sealed; then rebuilds it as [`Session::from_json`] does.
    pub fn from_sealed_json(
        bundle: &CompiledBundle,
        json: &str,
        keys: &[SealKey],
    ) -> Result<Session, SealError> {
        let saved: SavedSession = serde_json::from_str(json)
            .map_err(|e| SealError::Eval(EvalError::BadSession(e.to_string())))?;
        // The document as the engine writes it, without its seal: what was sealed.
        let unsealed = serde_json::to_string(&saved.unsealed()).unwrap_or_default();
        check(
            "session",
            "session",
            unsealed.as_bytes(),
            saved.seal.as_ref(),
            keys,
        )?;
        Ok(Session::rebuild(bundle, saved)?)
    }
}

impl AuditRecord {
    /// Seals the record with `key` (replacing any seal it had). Set
    /// `recorded_at` first: the seal covers it.
    pub fn seal_with(&mut self, key: &SealKey) {
        self.seal = None;
        let seal = key.seal("audit", record_json(self).as_bytes());
        self.seal = Some(seal);
    }

    /// Checks the record's seal with whichever of `keys` it names.
    pub fn check_seal(&self, keys: &[SealKey]) -> Result<(), SealError> {
        let mut unsealed = self.clone();
        unsealed.seal = None;
        check(
            "audit record",
            "audit",
            record_json(&unsealed).as_bytes(),
            self.seal.as_ref(),
            keys,
        )
    }
}

fn record_json(record: &AuditRecord) -> String {
    // Serializing plain data with string keys cannot fail.
    serde_json::to_string(record).unwrap_or_default()
}

/// Checks a sealed record's seal, then replays it as [`replay`] does: the
/// record was written by a holder of the key and not changed since, and
/// the bundle still gives the same journey.
pub fn replay_sealed(
    bundle: &CompiledBundle,
    record: &AuditRecord,
    keys: &[SealKey],
) -> Result<AuditRecord, SealError> {
    record.check_seal(keys)?;
    Ok(replay(bundle, record)?)
}

/// Why a key cannot be made, or a sealed document is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// The secret is too short to be a key.
    #[error("a seal key needs at least {MIN_SECRET_BYTES} secret bytes, but this one has {0}; make one with `openssl rand -hex 32`")]
    ShortKey(usize),
    /// The key id is empty, too long, or has characters other than letters, digits, `.`, `_` and `-`.
    #[error(
        "{0:?} cannot be a key id: use 1 to 64 letters, digits, '.', '_' or '-' (e.g. 2026-12)"
    )]
    BadKeyId(String),
    /// The key is not written as hex digits.
    #[error("a seal key is written as hex digits (an even number of 0-9, a-f), as `openssl rand -hex 32` writes it")]
    BadKeyHex,
    /// The document has no seal.
    #[error("the {what} is not sealed, so nothing shows it was not changed; only sealed ones are taken here")]
    Unsealed {
        /// `session` or `audit record`.
        what: &'static str,
    },
    /// The seal names an algorithm other than HMAC-SHA256.
    #[error("the {what}'s seal is made with {alg:?}; only hmac-sha256 is taken")]
    UnknownAlg {
        /// `session` or `audit record`.
        what: &'static str,
        /// The algorithm named.
        alg: String,
    },
    /// The seal names a key this service does not hold.
    #[error("the {what} is sealed with key {key:?}, which is not among the keys held here; add the key (an old one is kept for opening what it sealed)")]
    UnknownKey {
        /// `session` or `audit record`.
        what: &'static str,
        /// The key id the seal names.
        key: String,
    },
    /// The seal does not match the document.
    #[error("the {what}'s seal does not match its contents: it was changed after it was sealed")]
    Mismatch {
        /// `session` or `audit record`.
        what: &'static str,
    },
    /// Sealed and unchanged, but refused by the engine (another bundle, an
    /// answer the pathway does not take, a different journey on replay).
    #[error(transparent)]
    Eval(#[from] EvalError),
}

impl SealError {
    /// The stable tag, e.g. `seal_mismatch`; an engine refusal keeps its own.
    pub fn code(&self) -> &'static str {
        match self {
            SealError::ShortKey(_) => "short_key",
            SealError::BadKeyId(_) => "bad_key_id",
            SealError::BadKeyHex => "bad_key_hex",
            SealError::Unsealed { .. } => "unsealed",
            SealError::UnknownAlg { .. } => "unknown_seal_alg",
            SealError::UnknownKey { .. } => "unknown_key",
            SealError::Mismatch { .. } => "seal_mismatch",
            SealError::Eval(e) => e.code(),
        }
    }
}
