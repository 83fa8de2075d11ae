#!/usr/bin/env bash
# Compares engines on db_bench in alternating runs: the system's LevelDB 1.23 through its C++ API (`leveldb`, as
# LevelDB's own db_bench calls it: the reference, first) against oxleveldb, and optionally the C API engine
# (`leveldb-c`) and the peers (`rocksdb`, `rusty-leveldb`).
#
# Each pair runs the benchmark list once per engine, each engine in a process of its own, the engines in the
# given order in odd pairs and in the reverse order in even ones (ABBA...), so that a drift in the machine's speed
# falls on all alike. For each benchmark it prints each engine's median micros/op, and for each engine after the
# first the median over the pairs of the ratio first engine micros/op / that engine's micros/op (above 1: faster
# than the first engine), with the ratio of every pair; then the geometric mean of those medians, and each
# engine's peak memory (the median over its runs of the process's maximum resident set, /usr/bin/time's %M).
#
#   scripts/compare.sh [--pairs=4] [--mode=fresh|reopened] [--engines=leveldb,oxleveldb]
#                      [db_bench flags: --num=, --threads=, --benchmarks=, ...]
#
# --mode=fresh (the default) runs the list in one process per engine, reads right after the fills.
# --mode=reopened fills each engine's database once (fillrandom, not measured), then measures the list with
#   --use_existing_db=1: each run reopens the database.
# The default lists: fresh: fillseq,fillrandom,overwrite,readrandom,readseq,readreverse,seekrandom;
# reopened: readrandom,readseq,readreverse,seekrandom. Needs libleveldb-dev (feature system-leveldb) and
# /usr/bin/time (`apt-get install -y time`), which measures each run's peak memory.
# The peers are built with their features and RUSTFLAGS="--cfg oxleveldb_peers", in target/peers (RocksDB's C++
# takes a long while to compile the first time; its bindings need libclang-dev).
set -euo pipefail

pairs=4
mode=fresh
benchmarks=""
engines=leveldb,oxleveldb
db="${TMPDIR:-/tmp}/oxleveldb-compare-$$"
flags=()
for arg in "$@"; do
    case "$arg" in
        --pairs=*) pairs="${arg#--pairs=}" ;;
        --mode=*) mode="${arg#--mode=}" ;;
        --benchmarks=*) benchmarks="${arg#--benchmarks=}" ;;
        --engines=*) engines="${arg#--engines=}" ;;
        --db=*) db="${arg#--db=}" ;;
        *) flags+=("$arg") ;;
    esac
done
case "$mode" in
    fresh) benchmarks="${benchmarks:-fillseq,fillrandom,overwrite,readrandom,readseq,readreverse,seekrandom}" ;;
    reopened) benchmarks="${benchmarks:-readrandom,readseq,readreverse,seekrandom}" ;;
    *) echo "unknown --mode=$mode (fresh or reopened)" >&2; exit 2 ;;
esac
IFS=, read -r -a list <<<"$engines"
((${#list[@]} >= 2)) || { echo "--engines needs two engines at least (the first is the reference)" >&2; exit 2; }

[ -x /usr/bin/time ] || { echo "compare.sh needs /usr/bin/time for the peak memory: apt-get install -y time" >&2; exit 2; }

cd "$(dirname "$0")/.."
features=system-leveldb
for engine in "${list[@]}"; do
    case "$engine" in
        leveldb | leveldb-c | oxleveldb) ;;
        rocksdb | rusty-leveldb) features="$features,$engine" ;;
        *) echo "unknown engine $engine (leveldb, leveldb-c, oxleveldb, rocksdb, rusty-leveldb)" >&2; exit 2 ;;
    esac
done
if [ "$features" = system-leveldb ]; then
    bench=$(cargo bench -p oxleveldb-bench --bench db_bench --features "$features" --no-run 2>&1 |
        sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -1) || true
else
    # The peers: a build of their own (another cfg), without debug info for RocksDB's C++. RocksDB's crate builds
    # its own static snappy (a newer one, whose RawCompress has another signature) and puts it first on the
    # library path, so LevelDB's snappy symbols are named from the system's library explicitly.
    export RUSTFLAGS="${RUSTFLAGS:-} --cfg oxleveldb_peers" CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/peers}"
    bench=$(cargo rustc -p oxleveldb-bench --bench db_bench --profile bench --features "$features" \
        --config 'profile.bench.package.librocksdb-sys.debug=0' --message-format=json \
        -- -C link-arg=-l:libsnappy.so.1 2>/dev/null |
        sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1) || true
fi
[ -x "$bench" ] || { echo "could not build db_bench (features $features)" >&2; exit 1; }

mkdir -p "$db"
trap 'rm -rf "$db"' EXIT
results="$db/results"
: >"$results"

# Runs the list on one engine; appends "engine index name micros" lines to $results (micros "-" for a benchmark
# the engine skips) and "engine rss - kilobytes" for the run's peak memory.
run() {
    local engine=$1
    shift
    /usr/bin/time -f %M -o "$db/rss" "$bench" --engines="$engine" --db="$db" --benchmarks="$benchmarks" \
        "${flags[@]}" "$@" 2>/dev/null |
        awk -v engine="$engine" '
            / micros\/op;/ { sub(/:$/, "", $1); print engine, n++, $1, $3 }
            / : skipped/ { print engine, n++, $1, "-" }' >>"$results"
    echo "$engine rss - $(tail -1 "$db/rss")" >>"$results"
}

if [ "$mode" = reopened ]; then
    for engine in "${list[@]}"; do
        "$bench" --engines="$engine" --db="$db" --benchmarks=fillrandom "${flags[@]}" >/dev/null 2>&1
    done
    extra=(--use_existing_db=1)
else
    extra=()
fi

for ((i = 0; i < pairs; i++)); do
    order=("${list[@]}")
    if ((i % 2 == 1)); then
        order=()
        for ((j = ${#list[@]} - 1; j >= 0; j--)); do order+=("${list[j]}"); done
    fi
    for engine in "${order[@]}"; do
        run "$engine" "${extra[@]}"
    done
    echo "pair $((i + 1)) of $pairs done" >&2
done

echo "db_bench ${flags[*]} (mode $mode, $pairs pairs; ratio = ${list[0]} micros/op / the engine's micros/op)"
awk -v pairs="$pairs" -v engines="$engines" '
function median(a, n,    i, j, t) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
$2 == "rss" { rss[$1, ++nrss[$1]] = $4; next }
{ k = $2; name[k] = $3; run[$1, k]++; v[$1, k, run[$1, k]] = $4; if (k > last) last = k }
END {
    ne = split(engines, e, ",")
    printf "| %-12s |", "benchmark"
    for (x = 1; x <= ne; x++) printf " %s µs/op |", e[x]
    for (x = 2; x <= ne; x++) printf " %s ratio (per pair) |", e[x]
    printf "\n|---|"
    for (x = 2; x <= 2 * ne; x++) printf "---:|"
    printf "\n"
    for (k = 0; k <= last; k++) {
        printf "| %-12s |", name[k]
        for (x = 1; x <= ne; x++) {
            n = run[e[x], k]; m = 0
            for (p = 1; p <= n; p++) if (v[e[x], k, p] != "-") a[++m] = v[e[x], k, p]
            if (m) printf " %.3f |", median(a, m); else printf " skipped |"
        }
        for (x = 2; x <= ne; x++) {
            n = run[e[x], k]; if (run[e[1], k] < n) n = run[e[1], k]
            m = 0; list = ""
            for (p = 1; p <= n; p++) {
                if (v[e[1], k, p] == "-" || v[e[x], k, p] == "-") continue
                r[++m] = v[e[1], k, p] / v[e[x], k, p]
                list = list sprintf("%s%.2f", m > 1 ? " " : "", r[m])
            }
            if (m) {
                ratio = median(r, m); logsum[x] += log(ratio); count[x]++
                printf " %.2fx (%s) |", ratio, list
            } else printf " - |"
        }
        printf "\n"
    }
    printf "| %-12s |", "geomean"
    for (x = 1; x <= ne; x++) printf " |"
    for (x = 2; x <= ne; x++) if (count[x]) printf " %.2fx |", exp(logsum[x] / count[x]); else printf " - |"
    printf "\n| %-12s |", "peak RSS MB"
    for (x = 1; x <= ne; x++) {
        n = nrss[e[x]]
        for (p = 1; p <= n; p++) a[p] = rss[e[x], p]
        printf " %.1f |", median(a, n) / 1024
    }
    for (x = 2; x <= ne; x++) printf " |"
    printf "\n"
}' "$results"
