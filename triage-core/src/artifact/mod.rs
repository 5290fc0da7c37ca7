//! The compiled bundle artifact: a validated, compiled bundle as bytes, so
//! that a service, a command or a web page can load it without parsing YAML
//! or validating again.
//!
//! `triage compile DIR -o FILE` writes one; [`from_bytes`] reads it back
//! into the same [`CompiledBundle`], with the same content hash, as
//! building the directory gives. The layout:
//!
//! | bytes | what |
//! |---|---|
//! | 8 | the signature [`MAGIC`] |
//! | 4 | the format version, little-endian ([`FORMAT_VERSION`]) |
//! | 32 | SHA-256 of the rest |
//! | rest | the compiled bundle, in [postcard](https://docs.rs/postcard): first its kind (whole, catalog or part), then its tables |
//!
//! A bundle split for a page ([`crate::compile::Split`], `triage compile
//! --split`) is a catalog (the pathway list and search, no questions) and
//! one part per pathway; [`part_from_bytes`] reads a part and refuses one
//! made from another bundle than the catalog.
//!
//! Reading checks each in turn: a file that is not an artifact, one of
//! another format version, one cut short and one whose bytes changed are
//! each refused with their own [`ArtifactError`]. Then every index the
//! evaluator follows is checked against the tables it points into, and the
//! graph is proved free of loops, so that even a hand-made artifact with a
//! correct checksum cannot make evaluation fail or run for ever. The
//! clinical checks (which answers lead where) were made when it was
//! compiled: an artifact is as trustworthy as the pathways it was compiled
//! from, and is best kept with them.
//!
//! ```
//! let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pathways");
//! let bundle = triage_core::open(&dir)?;
//! let bytes = triage_core::artifact::to_bytes(&bundle);
//! let loaded = triage_core::artifact::from_bytes(&bytes)?;
//! assert_eq!(loaded.hash(), bundle.hash());
//!
//! let mut corrupted = bytes.clone();
//! let last = corrupted.len() - 1;
//! corrupted[last] ^= 1;
//! let error = triage_core::artifact::from_bytes(&corrupted).unwrap_err();
//! assert_eq!(error.code(), "artifact_corrupted");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub(crate) mod wire;

use crate::compile::{
    check_acyclic, edge_count, BundleKind, CompiledBundle, Entry, Node, NodeId, NodeTag,
};
use crate::ir::{
    AdviceIr, DispositionIdx, DispositionIr, NodeIr, NodeKindIr, UnitIdx, UnitIr, UnitKind,
};
use crate::search::Index;
use crate::topics::TopicIdx;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The first bytes of every artifact. The high first byte and the line
/// endings catch a file mangled as text in transit, as PNG's do.
pub const MAGIC: [u8; 8] = *b"\x89TRI\r\n\x1a\n";

/// The version of the layout and of the compiled types this engine writes
/// and reads. It changes whenever either does; an artifact of another
/// version is refused, never read as if it were this one.
pub const FORMAT_VERSION: u32 = 2;

const VERSION_AT: usize = MAGIC.len();
const DIGEST_AT: usize = VERSION_AT + 4;
const PAYLOAD_AT: usize = DIGEST_AT + 32;

/// Why bytes could not be read as a compiled bundle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArtifactError {
    /// The bytes do not start with [`MAGIC`].
    #[error("this is not a compiled bundle (it does not start with the signature `triage compile` writes); give a file written by `triage compile`")]
    NotAnArtifact,
    /// Fewer bytes than the header.
    #[error("the compiled bundle is cut short ({len} bytes, fewer than its {PAYLOAD_AT}-byte header); copy it again, or compile the pathways again with `triage compile`")]
    Truncated {
        /// How many bytes there were.
        len: usize,
    },
    /// Written in another format version.
    #[error("the compiled bundle is format {found}, and this engine reads format {supported}; compile the pathways again with `triage compile` of the same release as the engine")]
    OtherFormat {
        /// The version the artifact says it is.
        found: u32,
        /// The version this engine reads.
        supported: u32,
    },
    /// The checksum does not match: the bytes changed after they were written.
    #[error("the compiled bundle is corrupted (its checksum does not match its contents); copy it again, or compile the pathways again with `triage compile`")]
    Corrupted,
    /// A part was expected, and this is not one.
    #[error("this compiled bundle is the {found} of a bundle, not a part; give a part written by `triage compile --split`")]
    NotAPart {
        /// What it is: `whole` or `catalog`.
        found: &'static str,
    },
    /// A part of another bundle than the catalog's (another version of the
    /// pathways, or other pathways).
    #[error("this part was compiled from another bundle (content hash {part}) than the catalog ({catalog}); load the parts written with the catalog by the same `triage compile --split`")]
    PartMismatch {
        /// The catalog's content hash.
        catalog: String,
        /// The part's.
        part: String,
    },
    /// The checksum matches but the contents are not a sound compiled bundle.
    #[error("the compiled bundle cannot be used: {message}; compile the pathways again with `triage compile`")]
    Malformed {
        /// What is wrong.
        message: String,
    },
}

impl ArtifactError {
    /// A stable tag for programs: `not_an_artifact`, `artifact_truncated`,
    /// `artifact_format`, `artifact_corrupted`, `artifact_malformed`, and for
    /// parts `artifact_not_a_part` or `part_mismatch`.
    pub fn code(&self) -> &'static str {
        match self {
            ArtifactError::NotAnArtifact => "not_an_artifact",
            ArtifactError::Truncated { .. } => "artifact_truncated",
            ArtifactError::OtherFormat { .. } => "artifact_format",
            ArtifactError::Corrupted => "artifact_corrupted",
            ArtifactError::Malformed { .. } => "artifact_malformed",
            ArtifactError::NotAPart { .. } => "artifact_not_a_part",
            ArtifactError::PartMismatch { .. } => "part_mismatch",
        }
    }
}

fn malformed(message: impl Into<String>) -> ArtifactError {
    ArtifactError::Malformed {
        message: message.into(),
    }
}

/// Whether `bytes` start like an artifact (so a caller given a path can
/// tell an artifact from something else before reading it all).
pub fn is_artifact(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC)
}

/// The compiled bundle, borrowed, in the order an artifact holds it.
#[derive(Serialize)]
struct PartsRef<'a> {
    kind: BundleKind,
    hash: &'a str,
    files: &'a [String],
    dispositions: &'a [DispositionIr],
    advice: &'a [AdviceIr],
    units: &'a [UnitIr],
    ir_nodes: &'a [NodeIr],
    nodes: &'a [Node],
    edges: &'a [NodeId],
    pathway_starts: &'a [Option<Entry>],
    topic_starts: &'a [(UnitIdx, TopicIdx, NodeId)],
    reachable: &'a [Vec<DispositionIdx>],
    pathway_lookup: &'a [(String, UnitIdx)],
    search: &'a Index,
    search_units: &'a [UnitIdx],
}

/// The compiled bundle as read from an artifact, before it is checked.
#[derive(Deserialize)]
struct Parts {
    kind: BundleKind,
    hash: String,
    files: Vec<String>,
    dispositions: Vec<DispositionIr>,
    advice: Vec<AdviceIr>,
    units: Vec<UnitIr>,
    ir_nodes: Vec<NodeIr>,
    nodes: Vec<Node>,
    edges: Vec<NodeId>,
    pathway_starts: Vec<Option<Entry>>,
    topic_starts: Vec<(UnitIdx, TopicIdx, NodeId)>,
    reachable: Vec<Vec<DispositionIdx>>,
    pathway_lookup: Vec<(String, UnitIdx)>,
    search: Index,
    search_units: Vec<UnitIdx>,
}

/// Writes `bundle` as an artifact. The same bundle always gives the same bytes.
pub fn to_bytes(bundle: &CompiledBundle) -> Vec<u8> {
    let parts = PartsRef {
        kind: bundle.kind,
        hash: &bundle.hash,
        files: &bundle.files,
        dispositions: &bundle.dispositions,
        advice: &bundle.advice,
        units: &bundle.units,
        ir_nodes: &bundle.ir_nodes,
        nodes: &bundle.nodes,
        edges: &bundle.edges,
        pathway_starts: &bundle.pathway_starts,
        topic_starts: &bundle.topic_starts,
        reachable: &bundle.reachable,
        pathway_lookup: &bundle.pathway_lookup,
        search: &bundle.search,
        search_units: &bundle.search_units,
    };
    let mut bytes = Vec::with_capacity(PAYLOAD_AT + 256 * 1024);
    bytes.extend_from_slice(&MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&[0; 32]);
    // Writing to a growable buffer fails only for a type serde cannot
    // write, and every type here can.
    let bytes = postcard::to_extend(&parts, bytes).unwrap_or_default();
    seal(bytes)
}

/// Fills in the digest of an artifact whose payload is written.
fn seal(mut bytes: Vec<u8>) -> Vec<u8> {
    if let Some((head, payload)) = bytes.split_at_mut_checked(PAYLOAD_AT) {
        let digest: [u8; 32] = Sha256::digest(payload).into();
        head[DIGEST_AT..].copy_from_slice(&digest);
    }
    bytes
}

/// Reads an artifact written by [`to_bytes`], checking its signature,
/// version, checksum and every index in it.
pub fn from_bytes(bytes: &[u8]) -> Result<CompiledBundle, ArtifactError> {
    if !is_artifact(bytes) {
        // A prefix of the signature (or nothing) is a cut-short artifact, not
        // another file.
        return Err(if MAGIC.starts_with(bytes) {
            ArtifactError::Truncated { len: bytes.len() }
        } else {
            ArtifactError::NotAnArtifact
        });
    }
    let (Some(version), Some(digest), Some(payload)) = (
        bytes.get(VERSION_AT..DIGEST_AT),
        bytes.get(DIGEST_AT..PAYLOAD_AT),
        bytes.get(PAYLOAD_AT..),
    ) else {
        return Err(ArtifactError::Truncated { len: bytes.len() });
    };
    let version = u32::from_le_bytes(version.try_into().unwrap_or_default());
    if version != FORMAT_VERSION {
        return Err(ArtifactError::OtherFormat {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    if Sha256::digest(payload).as_slice() != digest {
        return Err(ArtifactError::Corrupted);
    }
    let (parts, rest) = postcard::take_from_bytes::<Parts>(payload)
        .map_err(|_| malformed("its contents do not decode as a compiled bundle"))?;
    if !rest.is_empty() {
        return Err(malformed(format!(
            "{} bytes follow the compiled bundle",
            rest.len()
        )));
    }
    check(&parts)?;
    let mut bundle = CompiledBundle {
        kind: parts.kind,
        hash: parts.hash,
        files: parts.files,
        dispositions: parts.dispositions,
        advice: parts.advice,
        units: parts.units,
        ir_nodes: parts.ir_nodes,
        nodes: parts.nodes,
        edges: parts.edges,
        pathway_starts: parts.pathway_starts,
        topic_starts: parts.topic_starts,
        reachable: parts.reachable,
        pathway_lookup: parts.pathway_lookup,
        search: parts.search.with_holders(),
        search_units: parts.search_units,
        fallbacks: Vec::new(),
    };
    bundle.fallbacks = crate::compile::fallbacks(&bundle.units);
    // Read tables grow by doubling (serde reserves little up front for a
    // length it has not checked): give back what the largest do not use.
    bundle.ir_nodes.shrink_to_fit();
    bundle.nodes.shrink_to_fit();
    bundle.edges.shrink_to_fit();
    Ok(bundle)
}

/// Reads a part of a split bundle (see [`crate::compile::Split`]) to use
/// with `catalog`: checked as [`from_bytes`] checks any artifact, then
/// refused if it is not a part, or if it was compiled from another bundle
/// than the catalog.
pub fn part_from_bytes(
    bytes: &[u8],
    catalog: &CompiledBundle,
) -> Result<CompiledBundle, ArtifactError> {
    let part = from_bytes(bytes)?;
    if part.kind != BundleKind::Part {
        return Err(ArtifactError::NotAPart {
            found: part.kind.name(),
        });
    }
    if part.hash != catalog.hash {
        return Err(ArtifactError::PartMismatch {
            catalog: catalog.hash.clone(),
            part: part.hash,
        });
    }
    Ok(part)
}

/// Checks what the evaluator trusts: every index is within its table, each
/// compiled node agrees with the authored node it copies, each journey
/// can only end at an outcome, and no journey loops.
fn check(parts: &Parts) -> Result<(), ArtifactError> {
    let is_hex = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
    if parts.hash.len() != 64 || !parts.hash.chars().all(is_hex) {
        return Err(malformed("its content hash is not 64 hex digits"));
    }
    let units = parts.units.len();
    let node_count = parts.nodes.len();
    // A catalog has no questions: nothing can be evaluated on it (journeys
    // are refused before its starts are read).
    let catalog = parts.kind == BundleKind::Catalog;
    if catalog && (node_count > 0 || !parts.edges.is_empty() || !parts.topic_starts.is_empty()) {
        return Err(malformed("it is a catalog, yet holds questions"));
    }
    let in_nodes = |id: &NodeId| id.index() < node_count;
    for (index, node) in parts.nodes.iter().enumerate() {
        let bad = |what: &str| malformed(format!("compiled node {index} {what}"));
        let ir = parts
            .ir_nodes
            .get(node.ir as usize)
            .ok_or_else(|| bad("copies an authored node that is not there"))?;
        if *node
            != (Node {
                first_edge: node.first_edge,
                ..Node::of(node.ir, ir)
            })
        {
            return Err(bad("does not agree with the authored node it copies"));
        }
        let first = node.first_edge as usize;
        let edges = parts
            .edges
            .get(first..first + usize::from(node.edge_count))
            .ok_or_else(|| bad("has edges beyond the edge table"))?;
        if node.tag != NodeTag::Outcome && edges.is_empty() {
            return Err(bad("is not an outcome, yet leads nowhere"));
        }
        if usize::from(node.edge_count) != edge_count(ir) {
            return Err(bad("has the wrong number of edges"));
        }
        if let NodeKindIr::Outcome(outcome) = &ir.kind {
            if parts
                .dispositions
                .get(usize::from(outcome.disposition))
                .is_none()
            {
                return Err(bad("ends at a disposition that is not there"));
            }
        }
    }
    if !parts.edges.iter().all(in_nodes) {
        return Err(malformed("an edge leads to a node that is not there"));
    }
    check_acyclic(&parts.ir_nodes, &parts.nodes, &parts.edges)
        .map_err(|error| malformed(error.to_string()))?;
    if parts.pathway_starts.len() != units
        || !parts
            .units
            .iter()
            .zip(&parts.pathway_starts)
            .all(|(unit, entry)| matches!(unit.kind, UnitKind::Pathway(_)) == entry.is_some())
        || !parts
            .pathway_starts
            .iter()
            .flatten()
            .all(|e| catalog || in_nodes(&e.start))
    {
        return Err(malformed("its pathway starts do not match its pathways"));
    }
    if !parts
        .topic_starts
        .iter()
        .all(|(unit, _, start)| usize::from(*unit) < units && in_nodes(start))
        || !parts.topic_starts.is_sorted()
    {
        return Err(malformed(
            "its topic starts are out of range or out of order",
        ));
    }
    if !parts.pathway_lookup.is_sorted()
        || !parts.pathway_lookup.iter().all(|(id, unit)| {
            parts
                .units
                .get(usize::from(*unit))
                .is_some_and(|u| u.id == *id)
        })
    {
        return Err(malformed("its pathway ids do not match its pathways"));
    }
    // Ids name the files of a split bundle's parts: only well-formed ones.
    let well_formed = |id: &str| {
        !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    };
    if !parts.pathway_lookup.iter().all(|(id, _)| well_formed(id)) {
        return Err(malformed("a pathway id is not well formed"));
    }
    if parts.search.documents() != parts.search_units.len()
        || !parts
            .search_units
            .iter()
            .all(|unit| usize::from(*unit) < units)
    {
        return Err(malformed("its search index does not match its pathways"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
