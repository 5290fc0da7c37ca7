use std::path::Path;
use std::sync::OnceLock;
use triage_core::artifact::{self, ArtifactError};
use triage_core::compile::{BundleKind, CompiledBundle, Split};
use triage_core::eval::{Answer, EvalError, Patient, Sex};
use triage_core::session::{replay, Session};
use triage_core::vocab::Start;

fn shipped() -> &'static triage_core::Built {
    static BUILT: OnceLock<triage_core::Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        triage_core::build_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../pathways"))
    })
}

fn whole() -> &'static CompiledBundle {
    shipped()
        .bundle
        .as_ref()
        .expect("the shipped bundle builds")
}

fn split() -> &'static Split {
    static SPLIT: OnceLock<Split> = OnceLock::new();
    SPLIT.get_or_init(|| {
        shipped()
            .split()
            .expect("compiled")
            .expect("the shipped bundle splits")
    })
}

/// The catalog and the parts, each written and read back as the page does.
fn loaded() -> &'static (CompiledBundle, Vec<(String, CompiledBundle)>) {
    static LOADED: OnceLock<(CompiledBundle, Vec<(String, CompiledBundle)>)> = OnceLock::new();
    LOADED.get_or_init(|| {
        let split = split();
        let catalog =
            artifact::from_bytes(&artifact::to_bytes(&split.catalog)).expect("catalog reads");
        let parts = split
            .parts
            .iter()
            .map(|(id, part)| {
                let bytes = artifact::to_bytes(part);
                let part = artifact::part_from_bytes(&bytes, &catalog)
                    .unwrap_or_else(|e| panic!("part {id}: {e}"));
                (id.clone(), part)
            })
            .collect();
        (catalog, parts)
    })
}

fn part(id: &str) -> &'static CompiledBundle {
    let (_, parts) = loaded();
    &parts
        .iter()
        .find(|(p, _)| p == id)
        .expect("a part per pathway")
        .1
}

/// Every case of a pathway's case packs, walked with the whole bundle and
/// with its part, as JSON: the step (disposition, reasons, care advice,
/// transcript), the saved session and the audit record.
fn walk(bundle: &CompiledBundle, pathway: &str, patient: Patient, answers: &[Answer]) -> String {
    let mut session = match Session::begin(bundle, Start::new(pathway, patient)) {
        Ok(session) => session,
        Err(error) => return format!("refused: {error}"),
    };
    let mut log = Vec::new();
    for answer in answers {
        if let Err(error) = session.answer(bundle, answer.clone()) {
            log.push(format!("refused {}: {error}", answer.question));
        }
    }
    let audit = session.audit(bundle);
    replay(bundle, &audit).expect("the record replays");
    format!(
        "{}\n{}\n{}\n{}",
        serde_json::to_string(&session.step(bundle).expect("its own bundle")).expect("json"),
        session.to_json(),
        serde_json::to_string(&audit).expect("json"),
        log.join("\n")
    )
}

#[test]
fn every_case_gives_the_same_journey_with_the_catalog_and_a_part_as_with_the_whole_bundle() {
    let ir = shipped().ir.as_ref().expect("validated");
    let (catalog, parts) = loaded();
    assert_eq!(catalog.kind(), BundleKind::Catalog);
    assert_eq!(catalog.hash(), whole().hash());
    assert_eq!(parts.len(), whole().pathways().count());
    let mut cases = 0;
    for pack in &ir.case_packs {
        let pathway = ir
            .units
            .get(usize::from(pack.pathway))
            .expect("the pack's pathway")
            .id
            .as_str();
        let part = part(pathway);
        assert_eq!(part.kind(), BundleKind::Part);
        assert_eq!(part.hash(), whole().hash());
        assert!(part.can_start(pathway));
        for case in &pack.cases {
            let patient = Patient {
                age_years: case.age_years,
                age_months: case.age_months,
                sex: case.sex,
                answering: case.answering,
            };
            let answers: Vec<Answer> = case
                .answers
                .iter()
                .map(|a| Answer::new(a.question.clone(), a.value.clone()))
                .collect();
            let expected = walk(whole(), pathway, patient, &answers);
            assert!(!expected.starts_with("refused"), "{pathway}: {expected}");
            assert_eq!(
                walk(part, pathway, patient, &answers),
                expected,
                "{pathway}: case {}",
                case.name
            );
            cases += 1;
        }
    }
    assert!(cases > 1000, "only {cases} cases");
}

#[test]
fn the_catalog_lists_and_searches_as_the_whole_bundle_does() {
    let (catalog, _) = loaded();
    let info = |b: &CompiledBundle| format!("{:?}", b.pathways().collect::<Vec<_>>());
    assert_eq!(info(catalog), info(whole()));
    let patient = Patient::new(40, 0, Sex::Female);
    for words in [
        "chest pain",
        "my belly hurts and im vommiting",
        "rash",
        "zzzz",
        "",
    ] {
        let hits = |b: &CompiledBundle| format!("{:?}", b.search(Some(&patient), Some(words)));
        assert_eq!(hits(catalog), hits(whole()), "search for {words:?}");
    }
}

#[test]
fn starting_a_pathway_whose_part_is_not_loaded_is_refused() {
    let (catalog, _) = loaded();
    let adult = Patient::new(40, 0, Sex::Female);
    let error = Session::start(catalog, "chest-pain", adult).expect_err("refused");
    assert_eq!(
        error,
        EvalError::PathwayNotLoaded {
            pathway: "chest-pain".into()
        }
    );
    assert_eq!(error.code(), "pathway_not_loaded");
    assert!(
        error.to_string().contains("chest-pain.part.triage"),
        "{error}"
    );
    assert!(!catalog.can_start("chest-pain"));
    // A saved session too.
    let saved = Session::start(whole(), "chest-pain", adult)
        .expect("starts")
        .to_json();
    let error = Session::from_json(catalog, &saved).expect_err("refused");
    assert_eq!(error.code(), "pathway_not_loaded");
    // A part has only what its pathway reaches.
    let error = Session::start(part("sore-throat"), "chest-pain", adult).expect_err("refused");
    assert_eq!(error.code(), "unknown_pathway");
}

#[test]
fn a_damaged_part_another_format_and_a_part_of_another_bundle_are_refused() {
    let (catalog, _) = loaded();
    let bytes = artifact::to_bytes(split().parts.first().map(|(_, p)| p).expect("parts"));

    let mut corrupted = bytes.clone();
    let last = corrupted.len() - 1;
    corrupted[last] ^= 1;
    let error = artifact::part_from_bytes(&corrupted, catalog).expect_err("refused");
    assert_eq!(error, ArtifactError::Corrupted);

    let mut other_format = bytes.clone();
    other_format[8..12].copy_from_slice(&1u32.to_le_bytes());
    let error = artifact::part_from_bytes(&other_format, catalog).expect_err("refused");
    assert_eq!(error.code(), "artifact_format");

    let error = artifact::part_from_bytes(&bytes[..bytes.len() / 2], catalog).expect_err("cut");
    assert_eq!(error.code(), "artifact_corrupted");

    // Another bundle: the fixture bundle's catalog.
    let other = crate::fixture::bundle();
    let error = artifact::part_from_bytes(&bytes, &other).expect_err("refused");
    assert_eq!(error.code(), "part_mismatch");
    assert!(error.to_string().contains("another bundle"), "{error}");

    // The catalog, or a whole bundle, is not a part.
    let error =
        artifact::part_from_bytes(&artifact::to_bytes(catalog), catalog).expect_err("refused");
    assert_eq!(error.code(), "artifact_not_a_part");
    let error =
        artifact::part_from_bytes(&artifact::to_bytes(whole()), catalog).expect_err("refused");
    assert_eq!(error.code(), "artifact_not_a_part");
}

#[test]
fn a_catalog_that_holds_questions_is_refused() {
    // A whole bundle's bytes with the kind byte changed to `catalog`: the
    // checksum is made again, so only the check of what it holds refuses it.
    let bytes = artifact::to_bytes(whole());
    let mut payload = bytes[44..].to_vec();
    assert_eq!(payload[0], 0, "the kind comes first, whole is 0");
    payload[0] = 1;
    let mut forged = bytes[..44].to_vec();
    forged[12..44].copy_from_slice(&sha256(&payload));
    forged.extend_from_slice(&payload);
    let error = artifact::from_bytes(&forged).expect_err("refused");
    assert_eq!(error.code(), "artifact_malformed");
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

#[test]
fn the_same_bundle_always_splits_into_the_same_bytes() {
    let again = shipped().split().expect("compiled").expect("splits");
    assert_eq!(
        artifact::to_bytes(&again.catalog),
        artifact::to_bytes(&split().catalog)
    );
    for ((a, pa), (b, pb)) in again.parts.iter().zip(&split().parts) {
        assert_eq!(a, b);
        assert_eq!(artifact::to_bytes(pa), artifact::to_bytes(pb), "{a}");
    }
}
