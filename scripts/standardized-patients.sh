#!/usr/bin/env bash
# Replays every standardized-patient journey of tests/eval/*.yaml on the
# shipped pathways and prints, per set, each case's level, where it ended
# when it was played and where it ends now, and the score. Fails when an
# emergency ends below A&E, a pharmacy or self-care case ends at A&E or 999,
# fewer than 90% of a set's cases are met, or a journey no longer replays
# (then play that case again: see tests/eval/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --locked --test standardized_patients -- --nocapture --test-threads 1
