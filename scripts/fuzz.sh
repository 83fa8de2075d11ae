#!/bin/sh
# Coverage-guided fuzzing (issue 28): runs each fuzz target of fuzz/ (cargo fuzz: libFuzzer, address sanitizer,
# nightly Rust) for SECONDS, one after another, and prints libFuzzer's last coverage line per target
# ("#N DONE cov: C ft: F corp: ..."). Needs `cargo install cargo-fuzz` and a nightly toolchain (`cargo +nightly`).
#
#   scripts/fuzz.sh                    # every target, 60 s each
#   scripts/fuzz.sh 1800 db_ops table  # those targets, 30 min each
#   FUZZ_SEED=1 scripts/fuzz.sh 5      # libFuzzer's random seed fixed (CI: the same inputs tried on every run)
#
# The seed corpora are written first into fuzz/corpus/<target>/ (not checked in; libFuzzer adds what it finds
# there, so a later run starts from them), from tests/fixtures/ and the differential generator; the dictionary is
# fuzz/leveldb.dict. A crash leaves its input in fuzz/artifacts/<target>/: make it a regression by copying it to
# fuzz/regressions/<target>/<what-it-found> (the normal suite replays those, differential/tests/fuzz_regressions.rs),
# and `cargo +nightly fuzz run <target> <file>` reproduces it. Runs under nice: the machine stays usable.
set -eu
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-60}"
[ $# -gt 0 ] && shift
TARGETS="$*"
[ -n "$TARGETS" ] || TARGETS="log_reader block table version_edit write_batch snappy_decompress snappy_roundtrip \
oplog recovery recovery_differential db_ops db_ops_differential"
cargo +nightly run --quiet --manifest-path fuzz/Cargo.toml --bin fuzz_seeds -- fuzz/corpus
status=0
for target in $TARGETS; do
    log="fuzz/artifacts/$target.log"
    mkdir -p fuzz/artifacts "fuzz/corpus/$target"
    # -O: optimized with debug assertions; -max_len: room to grow past the seeds; -rss_limit_mb: the differential
    # targets run two databases.
    if nice -n 19 cargo +nightly fuzz run -O "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -dict=fuzz/leveldb.dict -max_len=16384 -rss_limit_mb=4096 \
        -print_final_stats=1 ${FUZZ_SEED:+-seed="$FUZZ_SEED"} >"$log" 2>&1; then
        result=ok
    else
        result="FAILED (see $log and fuzz/artifacts/$target/)"
        status=1
    fi
    echo "$target (${SECONDS_PER_TARGET}s): $(grep -E '^#[0-9]+' "$log" | tail -1) $result"
done
exit $status
