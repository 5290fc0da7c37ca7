use super::*;
use crate::compile::CompiledBundle;
use crate::eval::evaluate;
use crate::vocab::{Patient, Sex};
use std::sync::OnceLock;

fn shipped() -> &'static CompiledBundle {
    static BUNDLE: OnceLock<CompiledBundle> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pathways");
        crate::open(&dir).expect("the shipped bundle builds")
    })
}

fn refused(bytes: &[u8]) -> ArtifactError {
    match from_bytes(bytes) {
        Ok(_) => panic!("the artifact was accepted"),
        Err(error) => error,
    }
}

#[test]
fn an_artifact_reads_back_as_the_bundle_it_was_written_from() {
    let bundle = shipped();
    let bytes = to_bytes(bundle);
    let loaded = from_bytes(&bytes).expect("reads back");
    assert_eq!(loaded.hash(), bundle.hash());
    assert_eq!(loaded.stats(), bundle.stats());
    assert_eq!(loaded.compiled_nodes(), bundle.compiled_nodes());
    // Written again, it is the same bytes: nothing was lost or reordered.
    assert_eq!(to_bytes(&loaded), bytes);
    // Search and evaluation agree.
    let patient = Patient::new(40, 0, Sex::Female);
    for words in [
        "chest pain",
        "my belly hurts and im vommiting",
        "rash",
        "zzzz",
    ] {
        let ids = |b: &CompiledBundle| -> Vec<String> {
            b.search(Some(&patient), Some(words))
                .iter()
                .map(|hit| hit.pathway.id.to_string())
                .collect()
        };
        assert_eq!(ids(&loaded), ids(bundle), "search for {words:?}");
    }
    for info in bundle.pathways() {
        let first = |b: &CompiledBundle| format!("{:?}", evaluate(b, info.id, &patient, &[]));
        assert_eq!(first(&loaded), first(bundle), "first step of {}", info.id);
    }
}

#[test]
fn the_same_bundle_always_gives_the_same_bytes() {
    assert_eq!(to_bytes(shipped()), to_bytes(&shipped().clone()));
}

#[test]
fn each_kind_of_damage_is_refused_with_its_own_error() {
    let bytes = to_bytes(shipped());
    assert_eq!(
        refused(b"dispositions:\n  - id: x\n"),
        ArtifactError::NotAnArtifact
    );
    assert_eq!(refused(b""), ArtifactError::Truncated { len: 0 });
    assert_eq!(refused(&bytes[..3]), ArtifactError::Truncated { len: 3 });
    assert_eq!(refused(&bytes[..20]), ArtifactError::Truncated { len: 20 });

    let mut other = bytes.clone();
    other[VERSION_AT..DIGEST_AT].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let error = refused(&other);
    assert_eq!(
        error,
        ArtifactError::OtherFormat {
            found: FORMAT_VERSION + 1,
            supported: FORMAT_VERSION
        }
    );
    assert!(error.to_string().contains("triage compile"), "{error}");

    // Any byte changed, or the end cut off, breaks the checksum.
    for at in [PAYLOAD_AT, bytes.len() / 2, bytes.len() - 1] {
        let mut corrupted = bytes.clone();
        corrupted[at] ^= 0x20;
        assert_eq!(refused(&corrupted), ArtifactError::Corrupted, "byte {at}");
    }
    assert_eq!(
        refused(&bytes[..bytes.len() - 10]),
        ArtifactError::Corrupted
    );
    let mut digest = bytes.clone();
    digest[DIGEST_AT] ^= 1;
    assert_eq!(refused(&digest), ArtifactError::Corrupted);
}

/// An artifact with a good checksum but contents no compiler writes: what a
/// hand-made file could hold.
#[test]
fn unsound_contents_are_refused_even_with_a_good_checksum() {
    let bundle = shipped();
    let damaged = |change: &dyn Fn(&mut CompiledBundle)| {
        let mut copy = bundle.clone();
        change(&mut copy);
        let error = refused(&to_bytes(&copy));
        assert_eq!(error.code(), "artifact_malformed", "{error}");
        error.to_string()
    };
    let message = damaged(&|b| b.edges[0] = NodeId(u32::MAX));
    assert!(message.contains("not there"), "{message}");
    // A loop: the first node's first edge leads back to itself.
    let message = damaged(&|b| {
        let first = b.nodes.iter().position(|n| n.edge_count > 0).unwrap();
        let edge = b.nodes[first].first_edge as usize;
        b.edges[edge] = NodeId(u32::try_from(first).unwrap());
    });
    assert!(message.contains("loops"), "{message}");
    damaged(&|b| b.nodes[0].first_edge = u32::MAX);
    damaged(&|b| b.nodes[0].ir = u32::MAX);
    damaged(&|b| {
        b.nodes[0].tag = match b.nodes[0].tag {
            NodeTag::Outcome => NodeTag::YesNo,
            _ => NodeTag::Outcome,
        }
    });
    damaged(&|b| b.hash = "\u{1b}[2J".to_string());
    damaged(&|b| {
        b.pathway_starts.pop();
    });
    damaged(&|b| b.topic_starts.reverse());
    damaged(&|b| b.pathway_lookup.reverse());
    damaged(&|b| b.search_units.push(u16::MAX));
    // Trailing bytes after the bundle, under a good checksum.
    let mut longer = to_bytes(bundle);
    longer.push(0);
    let sealed = seal(longer);
    assert_eq!(refused(&sealed).code(), "artifact_malformed");
}

#[test]
fn garbage_under_a_good_checksum_never_panics() {
    let bytes = to_bytes(shipped());
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    for round in 0..60 {
        let mut changed = bytes.clone();
        for _ in 0..(1 + round % 8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let at = PAYLOAD_AT + (state as usize) % (bytes.len() - PAYLOAD_AT);
            changed[at] = (state >> 32) as u8;
        }
        let cut = PAYLOAD_AT + (state as usize >> 3) % (bytes.len() - PAYLOAD_AT);
        for candidate in [seal(changed.clone()), seal(changed[..cut].to_vec())] {
            if let Ok(bundle) = from_bytes(&candidate) {
                // Whatever was accepted evaluates without panicking.
                let patient = Patient::new(40, 0, Sex::Male);
                for info in bundle.pathways() {
                    let _ = evaluate(&bundle, info.id, &patient, &[]);
                }
                let _ = bundle.search(Some(&patient), Some("chest pain"));
            }
        }
    }
}
