#!/usr/bin/env bash
# Builds the browser package and tests it: TypeScript types, the package API in
# Node, and the demo page in headless Chromium (journeys, keyboard, axe-core).
# Installs what it needs on a fresh machine: Chromium (Debian), the wasm
# target, wasm-bindgen-cli and the npm tools. Exits non-zero on any failure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CRATE="$ROOT/triage-wasm"
cd "$ROOT"

say() { printf '== %s\n' "$*"; }

CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
export CHROMIUM_PATH
# Installed from Debian (when missing) while the package builds.
APT_LOG=$(mktemp)
trap 'rm -f "$APT_LOG"' EXIT
"$ROOT/scripts/install-chromium.sh" >"$APT_LOG" 2>&1 &
APT_PID=$!

# The size budget is checked last, so that the tests run and report either way.
"$ROOT/scripts/build-wasm.sh" --no-size-check

say "tsc --noEmit (typed usage of the package, with and without the DOM)"
# The types must need neither the DOM library nor Node's types.
"$CRATE/node_modules/.bin/tsc" --noEmit -p "$CRATE/tests/types/tsconfig.json"
"$CRATE/node_modules/.bin/tsc" --noEmit -p "$CRATE/tests/types/tsconfig.node.json"
say "tsc --strict (the README's TypeScript example)"
node "$CRATE/tests/types/check-readme.mjs" "$CRATE/README.md"

say "node tests (the package API)"
node --test "$CRATE/tests/node/"

say "waiting for chromium"
if ! wait "$APT_PID"; then
  cat "$APT_LOG" >&2
  echo "error: chromium could not be installed" >&2
  exit 1
fi
cat "$APT_LOG"

say "browser tests (the demo page in headless Chromium)"
node --test "$CRATE/tests/browser/"

say "size budget"
WASM="$CRATE/pkg/triage_wasm_bg.wasm"
GZIP_BYTES=$(gzip -9 -c "$WASM" | wc -c)
GZIP_BUDGET=${WASM_GZIP_BUDGET:-250000}  # see scripts/build-wasm.sh
echo "triage_wasm_bg.wasm: $(wc -c <"$WASM") bytes, $GZIP_BYTES gzipped (budget $GZIP_BUDGET)"
if (( GZIP_BYTES > GZIP_BUDGET )); then
  echo "error: the gzipped module is over budget" >&2
  exit 1
fi
