#!/usr/bin/env bash
# Runs every fuzz target of fuzz/ for SECONDS each (default 60), all at once,
# and prints how many inputs each ran. A crash fails the run; its input is
# kept in fuzz/artifacts/TARGET/ (rerun it with
# `RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none TARGET fuzz/artifacts/TARGET/FILE`
# from fuzz/).
#
#   scripts/fuzz.sh          # CI: a minute per target
#   scripts/fuzz.sh 3600     # an hour per target
#
# Each target starts from its seeds (fuzz/seeds/TARGET, in the repository) and
# what earlier runs on this machine found (fuzz/corpus/TARGET, not kept).
# cargo-fuzz needs a nightly compiler; RUSTC_BOOTSTRAP=1 lets the stable one
# build the targets, for that one command and nowhere else.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

SECONDS_EACH=${1:-60}
TARGETS=(build_one_file session_ops next_request artifact_bytes)

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install --locked cargo-fuzz@0.13.2
fi
# The lockfile is kept: refuse to build if it would have to change.
cargo fetch --locked --quiet
RUSTC_BOOTSTRAP=1 cargo fuzz build --sanitizer none
# Each target is run as the program cargo-fuzz built: `cargo fuzz run` would
# build again, and several at once would wait on each other's locks.
BIN=target/$(rustc -vV | sed -n 's/^host: //p')/release

LOGS=$(mktemp -d)
trap 'rm -rf "$LOGS"' EXIT
pids=()
for target in "${TARGETS[@]}"; do
  mkdir -p "corpus/$target" "artifacts/$target"
  # A dictionary of the format's words (JSON keys, ids), where there is one.
  dict=()
  if [[ -f "dicts/$target.dict" ]]; then dict=(-dict="dicts/$target.dict"); fi
  "$BIN/$target" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="artifacts/$target/" -print_final_stats=1 "${dict[@]}" \
    "corpus/$target" "seeds/$target" >"$LOGS/$target.log" 2>&1 &
  pids+=($!)
done

failed=0
for i in "${!TARGETS[@]}"; do
  target=${TARGETS[$i]}
  if wait "${pids[$i]}"; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$LOGS/$target.log" | grep -o '[0-9]*$' | tail -1)
    echo "-- $target: ${runs:-?} inputs in ${SECONDS_EACH} s, no crash"
  else
    failed=1
    echo "-- $target: FAILED; its input is in fuzz/artifacts/$target/. The end of its log:"
    tail -40 "$LOGS/$target.log" | sed 's/^/   /'
  fi
done
exit "$failed"
