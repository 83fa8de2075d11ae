#!/usr/bin/env bash
# Compares oxleveldb with the system's LevelDB 1.23 on db_bench, in alternating pairs.
#
# Each pair runs the benchmark list once per engine, each engine in a process of its own, in ABBA order (pair 1:
# LevelDB then oxleveldb, pair 2: oxleveldb then LevelDB, ...), so that a drift in the machine's speed falls on
# both engines alike. For each benchmark it prints the median micros/op of each engine and the median, over the
# pairs, of the ratio LevelDB micros/op / oxleveldb micros/op (above 1: oxleveldb is faster), and the geometric
# mean of those medians.
#
#   scripts/compare.sh [--pairs=4] [--mode=fresh|reopened] [db_bench flags: --num=, --threads=, --benchmarks=, ...]
#
# --mode=fresh (the default) runs the list in one process per engine, reads right after the fills.
# --mode=reopened fills each engine's database once (fillrandom, not measured), then measures the list with
#   --use_existing_db=1: each run reopens the database.
# The default lists: fresh: fillseq,fillrandom,overwrite,readrandom,readseq,readreverse,seekrandom;
# reopened: readrandom,readseq,readreverse,seekrandom. Needs libleveldb-dev (feature system-leveldb).
set -euo pipefail

pairs=4
mode=fresh
benchmarks=""
db="${TMPDIR:-/tmp}/oxleveldb-compare-$$"
flags=()
for arg in "$@"; do
    case "$arg" in
        --pairs=*) pairs="${arg#--pairs=}" ;;
        --mode=*) mode="${arg#--mode=}" ;;
        --benchmarks=*) benchmarks="${arg#--benchmarks=}" ;;
        --db=*) db="${arg#--db=}" ;;
        --engines=*) echo "compare.sh runs both engines; --engines is not accepted" >&2; exit 2 ;;
        *) flags+=("$arg") ;;
    esac
done
case "$mode" in
    fresh) benchmarks="${benchmarks:-fillseq,fillrandom,overwrite,readrandom,readseq,readreverse,seekrandom}" ;;
    reopened) benchmarks="${benchmarks:-readrandom,readseq,readreverse,seekrandom}" ;;
    *) echo "unknown --mode=$mode (fresh or reopened)" >&2; exit 2 ;;
esac

cd "$(dirname "$0")/.."
bench=$(cargo bench -p oxleveldb-bench --bench db_bench --features system-leveldb --no-run 2>&1 |
    sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -1)
[ -x "$bench" ] || { echo "could not build db_bench" >&2; exit 1; }

mkdir -p "$db"
trap 'rm -rf "$db"' EXIT
results="$db/results"
: >"$results"

# Runs the list on one engine; appends "engine index name micros" lines to $results.
run() {
    local engine=$1
    shift
    "$bench" --engines="$engine" --db="$db" --benchmarks="$benchmarks" "${flags[@]}" "$@" 2>/dev/null |
        awk -v engine="$engine" '/ micros\/op;/ { sub(/:$/, "", $1); print engine, n++, $1, $3 }' >>"$results"
}

if [ "$mode" = reopened ]; then
    for engine in leveldb oxleveldb; do
        "$bench" --engines="$engine" --db="$db" --benchmarks=fillrandom "${flags[@]}" >/dev/null 2>&1
    done
    extra=(--use_existing_db=1)
else
    extra=()
fi

for ((i = 0; i < pairs; i++)); do
    if ((i % 2 == 0)); then order="leveldb oxleveldb"; else order="oxleveldb leveldb"; fi
    for engine in $order; do
        run "$engine" "${extra[@]}"
    done
    echo "pair $((i + 1)) of $pairs done" >&2
done

echo "db_bench ${flags[*]} (mode $mode, $pairs pairs; ratio = LevelDB micros/op / oxleveldb micros/op)"
awk -v pairs="$pairs" '
function median(a, n,    i, j, t) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{ k = $2; name[k] = $3; run[$1, k]++; v[$1, k, run[$1, k]] = $4; if (k > last) last = k }
END {
    printf "| %-12s | %12s | %12s | %8s | %s |\n", "benchmark", "LevelDB", "oxleveldb", "ratio", "ratios per pair"
    printf "|---|---:|---:|---:|---|\n"
    logsum = 0; count = 0
    for (k = 0; k <= last; k++) {
        n = run["oxleveldb", k]; if (run["leveldb", k] < n) n = run["leveldb", k]
        list = ""
        for (p = 1; p <= n; p++) {
            l[p] = v["leveldb", k, p]; o[p] = v["oxleveldb", k, p]; r[p] = l[p] / o[p]
            list = list sprintf("%s%.2f", p > 1 ? " " : "", r[p])
        }
        ratio = median(r, n)
        printf "| %-12s | %12.3f | %12.3f | %7.2fx | %s |\n", name[k], median(l, n), median(o, n), ratio, list
        logsum += log(ratio); count++
    }
    printf "| %-12s | %12s | %12s | %7.2fx | |\n", "geomean", "", "", exp(logsum / count)
}' "$results"
