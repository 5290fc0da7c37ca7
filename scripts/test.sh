#!/usr/bin/env bash
# Every test of the project: the Rust workspace (engine, CLI, shipped pathways,
# broken and hostile bundles, properties), then the WebAssembly package in Node
# and the demo page in headless Chromium. Installs what the browser tests need
# (wasm target, wasm-bindgen-cli, npm packages, Chromium) on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo test"
cargo test --workspace --locked

echo "== browser package and demo page"
scripts/test-browser.sh
