//! Arbitrary bytes as one file of an otherwise valid small bundle
//! (`tests/fixtures/valid`: dispositions, care advice, a module, a pathway
//! and its case pack), through the whole build: load, validate, compile.
//!
//! The first byte chooses the file the bytes replace, or a new pathway or
//! case pack they are added as. Checked: the build never panics, the
//! validation report serialises to JSON and parses back, every diagnostic
//! names a file of the bundle and a line within it, and a bundle that
//! compiles starts a session on each of its pathways.
#![no_main]

use libfuzzer_sys::fuzz_target;
use triage_core::load::Sources;
use triage_core::report::ValidationReport;

const FILES: [(&str, &str); 5] = [
    (
        "dispositions.yaml",
        include_str!("../../tests/fixtures/valid/dispositions.yaml"),
    ),
    (
        "care-advice.yaml",
        include_str!("../../tests/fixtures/valid/care-advice.yaml"),
    ),
    (
        "modules/breathing-screen.yaml",
        include_str!("../../tests/fixtures/valid/modules/breathing-screen.yaml"),
    ),
    (
        "pathways/cough.yaml",
        include_str!("../../tests/fixtures/valid/pathways/cough.yaml"),
    ),
    (
        "pathways/cough.cases.yaml",
        include_str!("../../tests/fixtures/valid/pathways/cough.cases.yaml"),
    ),
];

/// Where the bytes go when the first byte does not pick one of `FILES`.
const ADDED: [&str; 2] = ["pathways/extra.yaml", "pathways/extra.cases.yaml"];

fuzz_target!(|data: &[u8]| {
    let Some((&slot, bytes)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(bytes).into_owned();
    let slot = usize::from(slot) % (FILES.len() + ADDED.len());
    let mut texts: Vec<(String, String)> = FILES
        .iter()
        .map(|(path, text)| (path.to_string(), text.to_string()))
        .collect();
    match texts.get_mut(slot) {
        Some(file) => file.1 = text,
        None => texts.push((ADDED[slot - FILES.len()].to_string(), text)),
    }
    let (sources, diagnostics) = Sources::from_texts(texts);
    assert!(diagnostics.is_empty(), "the texts themselves are readable");
    let built = triage_core::build(sources);

    let report = ValidationReport::of(&built, |i| {
        built
            .sources
            .files
            .get(i)
            .map_or_else(|| format!("<file {i}>"), |f| f.path.clone())
    });
    let json = serde_json::to_string(&report).expect("the report serialises");
    let read: serde_json::Value = serde_json::from_str(&json).expect("the report is JSON");
    assert_eq!(
        read["diagnostics"].as_array().map(Vec::len),
        Some(built.diagnostics.len())
    );
    for diagnostic in &built.diagnostics {
        let loc = diagnostic.loc;
        let file = built
            .sources
            .files
            .get(loc.file)
            .expect("a file of the bundle");
        // Lines as YAML counts them: a line ends at "\r\n", "\n" or a lone "\r".
        let lines = 1 + file
            .text
            .replace("\r\n", "\n")
            .matches(['\n', '\r'])
            .count();
        assert!(
            usize::try_from(loc.line).is_ok_and(|line| line <= lines),
            "{} at line {} of {} ({lines} lines)",
            diagnostic.code.0,
            loc.line,
            file.path
        );
    }
    assert_eq!(built.bundle.is_some(), !built.has_errors());
    if let Some(bundle) = &built.bundle {
        for pathway in bundle.pathways() {
            let adult = triage_core::eval::Patient::new(40, 0, triage_core::eval::Sex::Female);
            let child = triage_core::eval::Patient::new(4, 0, triage_core::eval::Sex::Male);
            for patient in [adult, child] {
                // Refused (not for this age) or a first step: never a panic.
                if let Ok(step) = triage_core::eval::evaluate(bundle, pathway.id, &patient, &[]) {
                    serde_json::to_string(&step).expect("a step serialises");
                }
            }
        }
    }
});
