#!/usr/bin/env bash
# The concurrent history checker (tests/history/), for a long time: random seeds over every variant (memory and
# disk, DB and TransactionDB, LevelDB's write path and pipelined writes), each run checked before the next.
#
#   scripts/stress_long.sh                 # 30 minutes
#   scripts/stress_long.sh 120             # two hours
#   HISTORY_SEED=42 scripts/stress_long.sh 5
#   HISTORY_OPS=5000 scripts/stress_long.sh    # operations per thread and run (default 2000)
#
# A release build (more operations per second, so more interleavings) with the engine's debug assertions on. A
# violation stops the run with its report and the seed to rerun.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-30}"
export HISTORY_MINUTES="$minutes"
export RUSTFLAGS="${RUSTFLAGS:-} -C debug-assertions=on"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/stress}"
exec cargo test --release --all-features --test history_test stress_for_a_while -- --ignored --nocapture
