//! Broken bundles through the library: each mistake reported with its code,
//! file and line, and nothing else (the fixtures and what each must give are
//! shared with the command-line tests: tests/support/broken_fixtures.rs).

use crate::broken_fixtures::*;
use std::collections::BTreeSet;

#[test]
fn the_valid_fixture_has_no_diagnostics_and_compiles() {
    let dir = fixtures().join("valid");
    let built = build(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        built.diagnostics.is_empty(),
        "the fixture every broken bundle is copied from must be clean:{}",
        list(&built)
    );
    assert!(built.bundle.is_some());
}

#[test]
fn every_fixture_directory_is_listed_once() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(fixtures().join("broken"))
        .unwrap_or_else(|e| panic!("cannot list tests/fixtures/broken: {e}"))
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = FIXTURES.iter().map(|f| f.name.to_string()).collect();
    assert_eq!(listed.len(), FIXTURES.len(), "a fixture is listed twice");
    let unlisted: Vec<_> = on_disk.difference(&listed).collect();
    let missing: Vec<_> = listed.difference(&on_disk).collect();
    assert!(
        unlisted.is_empty() && missing.is_empty(),
        "fixtures on disk but not in FIXTURES: {unlisted:?}; in FIXTURES but not on disk: {missing:?}"
    );
}

#[test]
fn the_library_reports_each_mistake_where_it_is() {
    fail_with(FIXTURES.iter().flat_map(library_problems).collect());
}
