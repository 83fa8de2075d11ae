//! Every engine of this build does the same work on every database workload of db_bench: the same operations,
//! the same bytes written and read, the same keys found, and the same database (entries and bytes of keys and
//! values) after each benchmark. Run at `--num=1000`, untimed: it checks the instrument, not the speed. (CI has
//! oxleveldb, `leveldb` and `leveldb-c`; the peers, RocksDB and rusty-leveldb, join when built with them.)

use oxleveldb_bench::db_bench::{engine_names, parse_flags, run_engine, Work};

/// Every benchmark of db_bench that works on the database, in an order where each finds data to work on. Left
/// out: crc32c, snappycomp and snappyuncomp (no database: they checksum or compress a fixed 0.5-1 GiB),
/// readwhilewriting (its writer writes as long as the readers read, a count the timing decides) and txnrandom
/// (oxleveldb alone has transactions).
const WORKLOADS: &str = "fillseq,fillsync,fillrandom,overwrite,readrandom,readseq,readreverse,compact,\
                         readrandom,readseq,readreverse,readmissing,readhot,readrandomsmall,seekrandom,seekordered,\
                         rmwrandom,open,deleterandom,fillbatch,deleteseq,fill100K";

/// The benchmarks run on `engine`, each with the work it did.
fn run(engine: &str, db: &std::path::Path) -> Vec<(String, Work)> {
    let flags = parse_flags(
        [
            "--num=1000".to_string(),
            "--validate=1".to_string(),
            format!("--benchmarks={WORKLOADS}"),
            format!("--db={}", db.display()),
        ]
        .into_iter(),
    )
    .expect("valid flags");
    run_engine(engine, &flags)
        .expect("an engine of this build")
        .into_iter()
        .map(|outcome| (outcome.name, outcome.work))
        .collect()
}

#[test]
fn every_engine_does_the_same_work() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let expected = run("oxleveldb", dir.path());
    assert_eq!(expected.len(), WORKLOADS.split(',').count());
    // The workloads did something to compare: a filled database, keys found, entries read in order.
    let work = |name: &str| &expected.iter().find(|(n, _)| n == name).expect("run").1;
    assert_eq!(work("fillseq").contents, Some((1000, 1000 * 116)));
    assert!(work("readrandom").found.is_some_and(|found| found > 500));
    assert!(work("seekrandom").found.is_some_and(|found| found > 500));
    assert!(work("readseq").ops > 500 && work("readseq").bytes == work("readseq").ops as u64 * 116);
    assert_eq!(work("deleteseq").contents, Some((0, 0)));
    for engine in engine_names() {
        assert_eq!(
            run(engine, dir.path()),
            expected,
            "{engine} against oxleveldb"
        );
    }
}
