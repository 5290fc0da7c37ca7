#!/usr/bin/env bash
# Every test of the project: the Rust workspace (engine, CLI, shipped pathways,
# broken and hostile bundles, properties), then the WebAssembly package in Node
# and the demo page in headless Chromium. Installs what the tests need on a
# fresh machine: PostgreSQL (started on loopback for the service's tests), the
# FHIR validator's npm package, and for the browser tests the wasm target,
# wasm-bindgen-cli, npm packages and Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== PostgreSQL on loopback, for the service's tests (scripts/start-postgres.sh)"
if [[ -z "${TRIAGE_TEST_POSTGRES:-}" ]]; then
  TRIAGE_TEST_POSTGRES=$(scripts/start-postgres.sh)
  export TRIAGE_TEST_POSTGRES
fi
echo "TRIAGE_TEST_POSTGRES=$TRIAGE_TEST_POSTGRES"

echo "== FHIR validator (FHIR.js: the hand-off tests run it)"
npm ci --prefix tests/fhir --no-audit --no-fund

echo "== cargo test"
cargo test --workspace --locked

echo "== the browser bindings with their optional features: the FHIR hand-off (fhir), reading pathway files (sources)"
cargo test -p triage-wasm --all-features --locked

echo "== browser package and demo page"
scripts/test-browser.sh
