//! The compiled engine, through its public API, on a small fixture bundle.

/// The fixture bundle and answer helpers.
mod fixture;

/// Broken bundles: every mistake reported where it is.
mod broken;
/// The broken-bundle fixtures of tests/fixtures/broken, shared with the
/// command-line tests.
#[path = "../../../tests/support/broken_fixtures.rs"]
mod broken_fixtures;

/// Case packs and coverage.
mod casepack;
/// Compiling: module expansion, limits, hash, pathway list and search.
mod compile;
/// Stateless evaluation: routing, views, errors.
mod evaluate;
/// Random answers never panic.
mod properties;
/// Sealed sessions and audit records: every edit refused.
mod seal;
/// Sessions: answer, back, JSON, audit, and refused answers changing nothing.
mod session;
/// Split bundles: a catalog and a part per pathway give the same journeys.
mod split;
