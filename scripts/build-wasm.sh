#!/usr/bin/env bash
# Builds the browser package and the demo site:
#   triage-wasm/pkg/   the npm package (package.json, triage.js, triage.d.ts, and two
#                      modules: triage_wasm_bg.wasm, which runs compiled bundles, and
#                      triage_wasm_sources_bg.wasm, which also reads pathway files)
#   triage-wasm/site/  the demo page, the runtime module and the shipped pathways
#                      compiled and split into bundle/ (catalog.triage and one
#                      PATHWAY.part.triage per pathway), each file with .br and .gz copies
# Installs what it needs (the wasm target, wasm-bindgen-cli of the version in
# Cargo.lock by scripts/install-wasm-bindgen.sh, the npm tools) when missing. Prints the .wasm sizes and fails if
# the gzipped module is over budget.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CRATE="$ROOT/triage-wasm"
PKG="$CRATE/pkg"
SITE="$CRATE/site"
# Most bytes the gzipped, optimised runtime module may have. It reads compiled
# bundles only: the YAML reader and the validator are in the sources module,
# which pages that run triages never load (and which has no budget).
GZIP_BUDGET=${WASM_GZIP_BUDGET:-250000}
# --no-size-check: build and report sizes, but do not fail on the budget.
SIZE_CHECK=1
if [[ "${1:-}" == "--no-size-check" ]]; then SIZE_CHECK=0; fi
cd "$ROOT"

say() { printf '== %s\n' "$*"; }

say "wasm target"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

say "npm tools"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# npm ci only when the installed tree is missing or older than the lockfile.
if [[ ! -f "$CRATE/node_modules/.package-lock.json" ||
      "$CRATE/package-lock.json" -nt "$CRATE/node_modules/.package-lock.json" ]]; then
  npm ci --prefix "$CRATE" --no-audit --no-fund
fi

say "wasm-bindgen-cli"
# Installed (when missing) while the module builds: the build ends in a long
# single-threaded link, so the two overlap well.
INSTALL_LOG=$(mktemp)
trap 'rm -f "$INSTALL_LOG"' EXIT
"$ROOT/scripts/install-wasm-bindgen.sh" >"$INSTALL_LOG" 2>&1 &
INSTALL_PID=$!

# Keep the target_features section (the profile strips symbols) so that
# wasm-bindgen and wasm-opt see which WebAssembly features the module uses;
# both strip names and custom sections afterwards.
RAW="${CARGO_TARGET_DIR:-$ROOT/target}/wasm32-unknown-unknown/wasm-release/triage_wasm.wasm"
build_module() {  # FEATURES OUT_NAME OPT_LEVEL
  say "cargo build (wasm-release, opt-level $3${1:+, features $1})"
  CARGO_PROFILE_WASM_RELEASE_STRIP=false CARGO_PROFILE_WASM_RELEASE_OPT_LEVEL="$3" \
    cargo build -p triage-wasm --target wasm32-unknown-unknown --profile wasm-release --locked \
    ${1:+--features "$1"}
  if [[ -n "${INSTALL_PID:-}" ]]; then
    say "waiting for wasm-bindgen-cli"
    if ! wait "$INSTALL_PID"; then
      cat "$INSTALL_LOG" >&2
      echo "error: wasm-bindgen-cli could not be installed" >&2
      exit 1
    fi
    cat "$INSTALL_LOG"
    INSTALL_PID=
  fi
  say "wasm-bindgen ($2)"
  wasm-bindgen --target web --out-dir "$PKG" --out-name "$2" \
    --remove-name-section --remove-producers-section "$RAW"
  local flags=(-O3)
  # -ocimfs 0: do not inline functions into their only caller. It saves a few
  # bytes raw but makes the module compress worse (measured: +20% gzipped).
  if [[ "$3" == z ]]; then flags=(-Oz --one-caller-inline-max-function-size 0); fi
  say "wasm-opt ${flags[0]} ($2)"
  "$CRATE/node_modules/.bin/wasm-opt" "${flags[@]}" \
    --strip-debug --strip-producers --strip-target-features "$PKG/${2}_bg.wasm" -o "$PKG/${2}_bg.wasm.opt"
  mv "$PKG/${2}_bg.wasm.opt" "$PKG/${2}_bg.wasm"
}

rm -rf "$PKG"
# The runtime is built for speed: without the YAML reader and the validator
# it is well within its budget at opt-level 3 (one answer through it takes a
# third of the time it took at "z"; see BENCHMARKS.md). The sources module,
# for tools, is built for size.
build_module "" triage_wasm 3
WASM="$PKG/triage_wasm_bg.wasm"
build_module sources triage_wasm_sources z

say "package"
cp "$CRATE/js/triage.js" "$CRATE/js/triage.d.ts" "$CRATE/README.md" "$PKG/"
# The bundle writer, as the package's `triage-write-bundle` command.
cp "$CRATE/tools/write-bundle.mjs" "$PKG/"
chmod +x "$PKG/write-bundle.mjs"
VERSION=$(cargo metadata --format-version 1 --locked --no-deps |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
    console.log(JSON.parse(s).packages.find(p=>p.name==="triage-wasm").version)})')
node "$CRATE/tools/write-package-json.mjs" "$PKG" "$VERSION"
rm -f "$PKG/.gitignore"

say "demo site"
rm -rf "$SITE"
mkdir -p "$SITE/pkg"
cp "$CRATE"/www/* "$SITE/"
cp "$PKG/triage.js" "$PKG/triage_wasm.js" "$PKG/triage_wasm_bg.wasm" "$SITE/pkg/"
# With the package's own copy, which checks and compiles the bundle with the
# sources module, split as `triage compile pathways --split` splits it (the
# same files and hash): the page loads bundle/catalog.triage at once and a
# pathway's part, bundle/PATHWAY.part.triage, when it is chosen.
node "$PKG/write-bundle.mjs" --quiet "$ROOT/pathways" --split "$SITE/bundle"
# The whole bundle in one file too, for pages and tools that want it so (the
# demo page does not fetch it).
node "$PKG/write-bundle.mjs" --quiet "$ROOT/pathways" -o "$SITE/bundle.triage"
# Served compressed (triage-wasm/tools/serve.py picks .br or .gz by Accept-Encoding).
node "$CRATE/tools/precompress.mjs" "$SITE"

OPT_BYTES=$(wc -c <"$WASM")
GZIP_BYTES=$(gzip -9 -c "$WASM" | wc -c)
say "sizes"
printf 'runtime module:       %9d bytes\n' "$OPT_BYTES"
printf 'sources module:       %9d bytes (%d gzipped)\n' "$(wc -c <"$PKG/triage_wasm_sources_bg.wasm")" \
  "$(gzip -9 -c "$PKG/triage_wasm_sources_bg.wasm" | wc -c)"
printf 'gzip -9:              %9d bytes (budget %d)\n' "$GZIP_BYTES" "$GZIP_BUDGET"
if (( SIZE_CHECK && GZIP_BYTES > GZIP_BUDGET )); then
  echo "error: the gzipped module is over budget ($GZIP_BYTES > $GZIP_BUDGET bytes)" >&2
  exit 1
fi
