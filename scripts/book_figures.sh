#!/usr/bin/env bash
# Makes the book's figures (docs/figures/*.svg) from real runs: the LevelDB-written fixtures
# (tests/fixtures/leveldb-1.23/) and a small run of oxldb commands, single-threaded and without timing, so that the
# same commands make the same bytes. oxldb/tests/book_figures_test.rs runs this script into a temporary directory
# and compares what it makes with the checked-in figures.
#
#   scripts/book_figures.sh [OUT_DIR]        (default docs/figures; run from anywhere)
#
# OXLDB names the oxldb binary (default: built with cargo). The write-queue timeline (write-queue.svg) comes from
# several writer threads, so no two runs draw it alike: it is made only when `oxldb trace --help` lists --svg and
# BOOK_FIGURES_TIMELINE is not 0, and the test sets it to 0.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="${1:-docs/figures}"
mkdir -p "$out"
if [ -z "${OXLDB:-}" ]; then
    cargo build -q -p oxldb
    OXLDB="$root/target/debug/oxldb"
fi
oxldb() { "$OXLDB" "$@"; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fixtures=tests/fixtures/leveldb-1.23

# Chapter 4: the levels of the multilevel-bloom fixture, read from its MANIFEST (nothing is opened).
oxldb levels --db="$fixtures/multilevel-bloom/db" --svg > "$out/levels-multilevel-bloom.svg"

# Chapter 5: three loads of 20,000 keys over different ranges, each replayed into a level-0 table by the next
# open, then one compaction of everything. Keys k000000..; values of about 80 bytes: 12 numbers
# computed from the key (few repeats for snappy to find, so that the compaction writes more than one table).
load() { # FIRST STEP COUNT: keys FIRST, FIRST+STEP, ... (COUNT of them)
    awk -v first="$1" -v step="$2" -v count="$3" 'BEGIN {
        for (i = 0; i < count; i++) {
            n = first + i * step
            printf "k%06d ==>", n
            for (j = 1; j <= 12; j++) printf " %d", (n * 7919 + j * 104729) % 999983
            printf "\n"
        }
    }' | oxldb load --db="$work/c5" --create_if_missing > /dev/null
}
load 0 2 20000       # k000000 .. k039998
load 30000 2 20000   # k030000 .. k069998
load 10000 1 20000   # k010000 .. k029999
# An open replays the last load's log into a third level-0 table; the compaction of a range holding no key changes
# nothing else.
oxldb compact --db="$work/c5" --from=x --to=y
oxldb levels --db="$work/c5" --svg > "$out/levels-before-compaction.svg"
oxldb compact --db="$work/c5"
oxldb levels --db="$work/c5" --svg > "$out/levels-after-compaction.svg"

# Chapter 3: table 156 of the multilevel-bloom fixture to scale, block by block.
if oxldb sst_layout --help | grep -q -- '--svg'; then
    oxldb sst_layout --file="$fixtures/multilevel-bloom/db/000156.ldb" --svg > "$out/table-156.svg"
fi

# Chapter 1: the writer queue as a timeline (three writer threads, synced writes).
if [ "${BOOK_FIGURES_TIMELINE:-1}" != 0 ] && oxldb trace --help | grep -q -- '--svg'; then
    oxldb trace --db="$work/wq" --create_if_missing --threads=3 --ops=3 --sync --svg > "$out/write-queue.svg"
fi
