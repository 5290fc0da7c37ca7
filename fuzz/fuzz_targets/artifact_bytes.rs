//! Arbitrary bytes as a compiled bundle artifact (`triage compile`), read as
//! `triage_core::open` and the browser's `Engine.fromArtifact` read one.
//!
//! The bytes are tried twice: as they are (almost always refused by the
//! signature or the checksum), and as the contents under a good header, so
//! that what a hand-made file could hold reaches the decoder and the checks
//! behind it. Checked: nothing panics, and whatever is accepted searches,
//! starts every pathway and walks a few answers without panicking, and
//! writes back to bytes that read as the same bundle.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use triage_core::artifact::{self, FORMAT_VERSION, MAGIC};
use triage_core::eval::{evaluate, Answer, AnswerValue};
use triage_core::vocab::{Patient, Sex};

/// `payload` behind a header that passes the signature, version and checksum.
fn sealed(payload: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(payload.len() + 44);
    bytes.extend_from_slice(&MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&Sha256::digest(payload));
    bytes.extend_from_slice(payload);
    bytes
}

fn exercise(bytes: &[u8]) {
    let Ok(bundle) = artifact::from_bytes(bytes) else {
        return;
    };
    let again = artifact::to_bytes(&bundle);
    let reread = artifact::from_bytes(&again).expect("an accepted bundle writes back readable");
    assert_eq!(reread.hash(), bundle.hash());
    let patient = Patient::new(30, 0, Sex::Female);
    let _ = bundle.search(Some(&patient), Some("chest pain"));
    let ids: Vec<String> = bundle.pathways().map(|p| p.id.to_string()).collect();
    for id in ids.iter().take(8) {
        let mut answers: Vec<Answer> = Vec::new();
        // Walk a few steps by always giving the first option.
        for _ in 0..6 {
            let Ok(step) = evaluate(&bundle, id, &patient, &answers) else {
                break;
            };
            let Some(question) = step.question() else {
                break;
            };
            let value = match question.options.first() {
                Some(option) => AnswerValue::Choice(option.id.clone()),
                None => AnswerValue::Number(1.0),
            };
            answers.push(Answer::new(question.id.clone(), value));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    exercise(data);
    exercise(&sealed(data));
});
