#!/usr/bin/env bash
# Runs the loom models of the engine's small concurrent protocols (the super versions' cache in
# src/db/super_version.rs, the lock table's waiters in src/txn/point_lock_manager.rs, the memtable filter's
# publication in src/db/memtable_filter.rs): each model under every interleaving of its threads, or those with at most
# the preemptions its test sets (LOOM_MAX_PREEMPTIONS=N sets that bound for every model).
# The library is built with `--cfg loom` (its Mutex, Condvar and atomics become loom's, src/util/sync.rs), in a
# target directory of its own so that the normal builds stay as they are. Arguments go to the test binary
# (e.g. `--test-threads=1`; not a test name, which would run the tests it names as well as the models).
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTFLAGS="--cfg loom"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/loom}"
# Under loom the library runs only inside a model: only the models run (the `loom_models` modules).
exec cargo test --profile loom --lib loom_models -- --nocapture "$@"
