#!/usr/bin/env bash
# Installs wasm-bindgen-cli of the same version as the wasm-bindgen crate in
# Cargo.lock (the generated glue must match it), unless it is on PATH already.
# Safe to run twice at once (CI starts it early in the background, and
# scripts/build-wasm.sh runs it again): the second waits for the first.
# There is no prebuilt binary to fetch here (only the package registries are
# reached), so it is built by cargo install: about 2 minutes on 2 cores.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

VERSION=$(cargo metadata --format-version 1 --locked |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
    const p=JSON.parse(s).packages.find(p=>p.name==="wasm-bindgen");
    if(!p){process.exit(1)} console.log(p.version)})')

exec 9>"${TMPDIR:-/tmp}/triage-install-wasm-bindgen.lock"
flock 9
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" == "wasm-bindgen $VERSION" ]]; then
  echo "wasm-bindgen $VERSION is installed"
  exit 0
fi
started=$SECONDS
echo "installing wasm-bindgen-cli $VERSION"
# The registry mirror may lack a version the CLI's lockfile pins; then it is
# resolved afresh. --force: the binary is missing or another version even
# where cargo's own records say this one is installed.
# --debug: an unoptimised build compiles in half the time, and its output is
# byte-for-byte the same (it takes under a second on this module).
cargo install wasm-bindgen-cli --version "$VERSION" --locked --force --debug --quiet ||
  cargo install wasm-bindgen-cli --version "$VERSION" --force --debug --quiet
echo "installed wasm-bindgen-cli $VERSION in $((SECONDS - started)) s"
