//! oxleveldb against the real thing: the system's C++ LevelDB 1.23 (Debian's libleveldb-dev, through its C API;
//! the `system-leveldb` package), side by side in one process.
//!
//! - Same operations, same results: seeded random sequences of puts, deletes, write batches, gets, forward and
//!   backward scans, seeks with walks in both directions, snapshot reads, compactions and reopens run on both
//!   engines (each in its own directory), under four option sets; every read is compared, and with a model.
//! - Same files: deterministic sequences leave byte-identical logs, MANIFESTs, tables, CURRENT and LOCK (the
//!   info LOG differs by its timestamps and thread ids, and is left out), and report the same files per level,
//!   table lists, approximate sizes and memory usage. A difference fails with the first differing byte and both
//!   files' dumps (oxleveldb's dumper, leveldbutil's format) around it. Also RepairDB's output.
//! - Cross-opening: a database written by one engine opens in the other, reads back everything and keeps working.
//! - Error strings: failed opens (missing, existing, locked, bad CURRENT, bad MANIFEST, missing table, corrupted
//!   log) and reads of damaged tables report exactly the C++ `Status::ToString()` that the C API returns.
//!
//! The files only compare when they do not depend on timing. Background work runs on its own thread, so the
//! files scenarios never let it start on its own: the write buffer holds each session's writes (no memtable
//! switch while writing: a switch would let a flush record a last sequence that depends on how far the writer
//! got), level 0 stays under its 4-file trigger, no level reaches its size limit, and nothing is read before the
//! comparisons (reads charge seeks, which can start compactions). Every table is then made by the recovery at open
//! or by compact_range, which waits for its work.

use std::collections::BTreeMap;
use std::fs;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use leveldb_differential::files::{self, dump};
use oxleveldb::env::default_env;
use oxleveldb::util::bloom::BloomFilterPolicy;
use oxleveldb::util::random::Random;
use oxleveldb::{CompressionType, Options, ReadOptions, WriteBatch, DB};
use system_leveldb as cpp;

type Map = BTreeMap<Vec<u8>, Vec<u8>>;
/// An iterator position: `None` when not valid.
type Entry = Option<(Vec<u8>, Vec<u8>)>;

// ---------------------------------------------------------------------------------------------------------------
// Option sets, applied identically to both engines.

#[derive(Clone, Copy, Debug)]
struct Config {
    name: &'static str,
    write_buffer_size: usize,
    block_size: usize,
    max_file_size: usize,
    bloom_bits: Option<usize>,
    snappy: bool,
    paranoid_checks: bool,
}

/// LevelDB's defaults (4 MiB write buffer, 4 KiB blocks, 2 MiB files, snappy, no filter).
const DEFAULT: Config = Config {
    name: "default",
    write_buffer_size: 4 << 20,
    block_size: 4 << 10,
    max_file_size: 2 << 20,
    bloom_bits: None,
    snappy: true,
    paranoid_checks: false,
};
const BLOOM: Config = Config {
    name: "bloom10",
    bloom_bits: Some(10),
    ..DEFAULT
};
const NO_COMPRESSION: Config = Config {
    name: "no-compression",
    snappy: false,
    ..DEFAULT
};
/// The smallest write buffer and blocks LevelDB allows: frequent memtable switches, flushes and background
/// compactions, many blocks per table. Only for comparing results: the files' contents depend on when background
/// work runs.
const SMALL: Config = Config {
    name: "small-buffer-and-blocks",
    write_buffer_size: 64 << 10,
    block_size: 1 << 10,
    ..DEFAULT
};
/// For comparing files: small blocks and files, but a large write buffer, so that memtables switch only when asked
/// (compact_range) and no background work races with the writes. The block and file sizes are below LevelDB's
/// ranges, so both engines clip them (to 1 KiB and 1 MiB).
const SMALL_FILES: Config = Config {
    name: "small-blocks-and-files",
    write_buffer_size: 8 << 20,
    block_size: 200,
    max_file_size: 100 << 10,
    bloom_bits: Some(10),
    ..DEFAULT
};

fn ox_options(cfg: &Config) -> Options {
    Options {
        create_if_missing: true,
        paranoid_checks: cfg.paranoid_checks,
        write_buffer_size: cfg.write_buffer_size,
        block_size: cfg.block_size,
        max_file_size: cfg.max_file_size,
        compression: if cfg.snappy {
            CompressionType::SnappyCompression
        } else {
            CompressionType::NoCompression
        },
        filter_policy: cfg
            .bloom_bits
            .map(|bits| Arc::new(BloomFilterPolicy::new(bits)) as Arc<_>),
        ..Options::default()
    }
}

fn cpp_options(cfg: &Config) -> cpp::Options {
    let mut options = cpp::Options::new();
    options
        .set_create_if_missing(true)
        .set_paranoid_checks(cfg.paranoid_checks)
        .set_write_buffer_size(cfg.write_buffer_size)
        .set_block_size(cfg.block_size)
        .set_max_file_size(cfg.max_file_size)
        .set_snappy_compression(cfg.snappy);
    if let Some(bits) = cfg.bloom_bits {
        options.set_filter_policy(cpp::FilterPolicy::new_bloom(bits));
    }
    options
}

fn open_ox(cfg: &Config, path: &Path) -> DB {
    DB::open(ox_options(cfg), path).unwrap_or_else(|e| panic!("oxleveldb open {path:?}: {e}"))
}

fn open_cpp(cfg: &Config, path: &Path) -> cpp::Db {
    cpp::Db::open(&cpp_options(cfg), path).unwrap_or_else(|e| panic!("leveldb open {path:?}: {e}"))
}

// ---------------------------------------------------------------------------------------------------------------
// Data: keys from a small space (so that writes overwrite and delete each other) plus binary, empty and long keys;
// values of every size, half compressible, a few larger than a log block.

fn random_bytes(rnd: &mut Random, len: usize) -> Vec<u8> {
    (0..len).map(|_| rnd.next() as u8).collect()
}

/// LevelDB: test::CompressibleString at 50%.
fn compressible(rnd: &mut Random, len: usize) -> Vec<u8> {
    let raw: Vec<u8> = (0..(len / 2).max(1))
        .map(|_| b' ' + rnd.uniform(95) as u8)
        .collect();
    raw.iter().copied().cycle().take(len).collect()
}

fn gen_key(rnd: &mut Random) -> Vec<u8> {
    match rnd.uniform(100) {
        0..=79 => format!("key{:04}", rnd.uniform(400)).into_bytes(),
        80..=89 => {
            // LevelDB: test::RandomKey's alphabet, with the bytes around the separator shortening edge cases.
            const CHARS: [u8; 10] = [0, 1, b'a', b'b', b'c', b'd', b'e', 0xfd, 0xfe, 0xff];
            let len = 1 + rnd.uniform(6) as usize;
            (0..len).map(|_| CHARS[rnd.uniform(10) as usize]).collect()
        }
        90..=93 => Vec::new(),
        _ => {
            let mut key = format!("key{:04}/", rnd.uniform(400)).into_bytes();
            let len = 50 + rnd.uniform(250) as usize;
            key.extend(std::iter::repeat_n(b'x', len));
            key.push(b'0' + rnd.uniform(10) as u8);
            key
        }
    }
}

fn gen_value(rnd: &mut Random) -> Vec<u8> {
    let len = if rnd.one_in(150) {
        40_000 + rnd.uniform(60_000) as usize // Spans log blocks (32 KiB) and table blocks.
    } else {
        rnd.skewed(12) as usize
    };
    if rnd.one_in(2) {
        compressible(rnd, len)
    } else {
        random_bytes(rnd, len)
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Reads through either engine, as plain data.

fn ox_get(db: &DB, snapshot: Option<&oxleveldb::Snapshot>, key: &[u8]) -> Option<Vec<u8>> {
    let options = ReadOptions {
        snapshot: snapshot.cloned(),
        ..ReadOptions::default()
    };
    db.get_opt(key, &options).expect("oxleveldb get")
}

fn cpp_get(db: &cpp::Db, snapshot: Option<&cpp::Snapshot<'_>>, key: &[u8]) -> Option<Vec<u8>> {
    let mut options = cpp::ReadOptions::new();
    options.set_snapshot(snapshot);
    db.get(&options, key).expect("leveldb get")
}

fn ox_entry(iter: &oxleveldb::DBIterator) -> Entry {
    iter.valid()
        .then(|| (iter.key().to_vec(), iter.value().to_vec()))
}

fn cpp_entry(iter: &cpp::Iter<'_>) -> Entry {
    iter.valid()
        .then(|| (iter.key().to_vec(), iter.value().to_vec()))
}

fn ox_scan(
    db: &DB,
    snapshot: Option<&oxleveldb::Snapshot>,
    reverse: bool,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut iter = db.new_iterator_opt(&ReadOptions {
        snapshot: snapshot.cloned(),
        ..ReadOptions::default()
    });
    let mut out = Vec::new();
    if reverse {
        iter.seek_to_last();
    } else {
        iter.seek_to_first();
    }
    while let Some(entry) = ox_entry(&iter) {
        out.push(entry);
        if reverse {
            iter.prev();
        } else {
            iter.next();
        }
    }
    iter.status().expect("oxleveldb iterator status");
    out
}

fn cpp_scan(
    db: &cpp::Db,
    snapshot: Option<&cpp::Snapshot<'_>>,
    reverse: bool,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut options = cpp::ReadOptions::new();
    options.set_snapshot(snapshot);
    let mut iter = db.iter(&options);
    let mut out = Vec::new();
    if reverse {
        iter.seek_to_last();
    } else {
        iter.seek_to_first();
    }
    while let Some(entry) = cpp_entry(&iter) {
        out.push(entry);
        if reverse {
            iter.prev();
        } else {
            iter.next();
        }
    }
    iter.status().expect("leveldb iterator status");
    out
}

fn model_scan(model: &Map, reverse: bool) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out: Vec<_> = model.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    if reverse {
        out.reverse();
    }
    out
}

/// A short description of a key for failure messages.
fn show(bytes: &[u8]) -> String {
    let mut s = String::new();
    for &b in bytes.iter().take(40) {
        if (0x20..0x7f).contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("\\x{b:02x}"));
        }
    }
    if bytes.len() > 40 {
        s.push_str(&format!("...({} bytes)", bytes.len()));
    }
    s
}

fn show_entry(entry: &Entry) -> String {
    match entry {
        None => "(invalid)".to_string(),
        Some((k, v)) => format!("'{}' => {} bytes", show(k), v.len()),
    }
}

/// Asserts that oxleveldb, LevelDB and the model agree; `what` says where.
fn assert_agree<T: PartialEq + std::fmt::Debug>(what: &str, ox: &T, cpp: &T, model: &T) {
    if ox != cpp || ox != model {
        panic!(
            "{what}: oxleveldb {} LevelDB, oxleveldb {} the model, LevelDB {} the model\n oxleveldb: {:.400}\n \
             leveldb:   {:.400}\n model:     {:.400}",
            if ox == cpp { "==" } else { "!=" },
            if ox == model { "==" } else { "!=" },
            if cpp == model { "==" } else { "!=" },
            format!("{ox:?}"),
            format!("{cpp:?}"),
            format!("{model:?}")
        );
    }
}

fn assert_scans_agree(
    what: &str,
    ox: &[(Vec<u8>, Vec<u8>)],
    cpp: &[(Vec<u8>, Vec<u8>)],
    model: &[(Vec<u8>, Vec<u8>)],
) {
    if ox == cpp && ox == model {
        return;
    }
    let first_diff = |a: &[(Vec<u8>, Vec<u8>)], b: &[(Vec<u8>, Vec<u8>)]| {
        (0..a.len().max(b.len()))
            .find(|&i| a.get(i) != b.get(i))
            .map(|i| {
                format!(
                    "at #{i}: {} vs {}",
                    show_entry(&a.get(i).cloned()),
                    show_entry(&b.get(i).cloned())
                )
            })
            .unwrap_or_else(|| "equal".to_string())
    };
    panic!(
        "{what}: {} / {} / {} entries (oxleveldb / LevelDB / model); oxleveldb vs LevelDB: {}; oxleveldb vs model: \
         {}; LevelDB vs model: {}",
        ox.len(),
        cpp.len(),
        model.len(),
        first_diff(ox, cpp),
        first_diff(ox, model),
        first_diff(cpp, model)
    );
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Same operations, same results.

/// One seeded random run: `num_ops` operations on both engines, with reopens along the way.
fn random_ops(cfg: Config, seed: u32, num_ops: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (ox_path, cpp_path) = (dir.path().join("ox"), dir.path().join("cpp"));
    let mut rnd = Random::new(seed);
    let mut model = Map::new();
    let mut op = 0;
    let mut reopens = 0;
    let cpp_wo = cpp::WriteOptions::new();
    while op < num_ops {
        let ox = open_ox(&cfg, &ox_path);
        let cpp = open_cpp(&cfg, &cpp_path);
        // What each engine's snapshots must show: the model as it was.
        let mut snapshots: Vec<(oxleveldb::Snapshot, cpp::Snapshot<'_>, Map)> = Vec::new();
        {
            let what = format!("[{} seed {seed}] after reopen #{reopens}", cfg.name);
            assert_scans_agree(
                &what,
                &ox_scan(&ox, None, false),
                &cpp_scan(&cpp, None, false),
                &model_scan(&model, false),
            );
        }
        while op < num_ops {
            op += 1;
            let ctx = |what: &str| format!("[{} seed {seed}] op #{op}: {what}", cfg.name);
            // Reads go to the latest state or, when there are snapshots, now and then to one of them.
            let pick_snapshot = |rnd: &mut Random, n: usize| {
                (n > 0 && rnd.one_in(3)).then(|| rnd.uniform(n as u32) as usize)
            };
            match rnd.uniform(100) {
                0..=29 => {
                    let (key, value) = (gen_key(&mut rnd), gen_value(&mut rnd));
                    ox.put(&key, &value).expect("oxleveldb put");
                    cpp.put(&cpp_wo, &key, &value).expect("leveldb put");
                    model.insert(key, value);
                }
                30..=37 => {
                    // Mostly keys that exist.
                    let key = if !model.is_empty() && rnd.one_in(2) {
                        let i = rnd.uniform(model.len() as u32) as usize;
                        model.keys().nth(i).unwrap().clone()
                    } else {
                        gen_key(&mut rnd)
                    };
                    ox.delete(&key).expect("oxleveldb delete");
                    cpp.delete(&cpp_wo, &key).expect("leveldb delete");
                    model.remove(&key);
                }
                38..=47 => {
                    let mut ox_batch = WriteBatch::new();
                    let mut cpp_batch = cpp::WriteBatch::new();
                    for _ in 0..1 + rnd.uniform(20) {
                        let key = gen_key(&mut rnd);
                        if rnd.one_in(3) {
                            ox_batch.delete(&key);
                            cpp_batch.delete(&key);
                            model.remove(&key);
                        } else {
                            let value = gen_value(&mut rnd);
                            ox_batch.put(&key, &value);
                            cpp_batch.put(&key, &value);
                            model.insert(key, value);
                        }
                    }
                    ox.write(&ox_batch).expect("oxleveldb write");
                    cpp.write(&cpp_wo, &mut cpp_batch).expect("leveldb write");
                }
                48..=62 => {
                    let key = if !model.is_empty() && rnd.one_in(2) {
                        let i = rnd.uniform(model.len() as u32) as usize;
                        model.keys().nth(i).unwrap().clone()
                    } else {
                        gen_key(&mut rnd)
                    };
                    let s = pick_snapshot(&mut rnd, snapshots.len());
                    let (ox_snap, cpp_snap, m) = match s {
                        Some(i) => (
                            Some(&snapshots[i].0),
                            Some(&snapshots[i].1),
                            &snapshots[i].2,
                        ),
                        None => (None, None, &model),
                    };
                    assert_agree(
                        &ctx(&format!("get '{}' (snapshot {s:?})", show(&key))),
                        &ox_get(&ox, ox_snap, &key),
                        &cpp_get(&cpp, cpp_snap, &key),
                        &m.get(&key).cloned(),
                    );
                }
                63..=68 => {
                    let reverse = rnd.one_in(2);
                    let s = pick_snapshot(&mut rnd, snapshots.len());
                    let (ox_snap, cpp_snap, m) = match s {
                        Some(i) => (
                            Some(&snapshots[i].0),
                            Some(&snapshots[i].1),
                            &snapshots[i].2,
                        ),
                        None => (None, None, &model),
                    };
                    assert_scans_agree(
                        &ctx(&format!("scan (reverse {reverse}, snapshot {s:?})")),
                        &ox_scan(&ox, ox_snap, reverse),
                        &cpp_scan(&cpp, cpp_snap, reverse),
                        &model_scan(m, reverse),
                    );
                }
                69..=82 => {
                    let s = pick_snapshot(&mut rnd, snapshots.len());
                    let (ox_snap, cpp_snap, m) = match s {
                        Some(i) => (
                            Some(&snapshots[i].0),
                            Some(&snapshots[i].1),
                            &snapshots[i].2,
                        ),
                        None => (None, None, &model),
                    };
                    seek_and_walk(&ctx("seek"), &mut rnd, &ox, ox_snap, &cpp, cpp_snap, m);
                }
                83..=87 if snapshots.len() < 4 => {
                    snapshots.push((ox.get_snapshot(), cpp.snapshot(), model.clone()));
                }
                88..=91 if !snapshots.is_empty() => {
                    let i = rnd.uniform(snapshots.len() as u32) as usize;
                    snapshots.remove(i);
                }
                // Compactions and reopens are rarer (they wait for fsyncs, which make most of the run's time).
                92..=96 if rnd.one_in(2) => {
                    let (mut begin, mut end) = (gen_key(&mut rnd), gen_key(&mut rnd));
                    if begin > end {
                        std::mem::swap(&mut begin, &mut end);
                    }
                    let begin = (!rnd.one_in(4)).then_some(begin);
                    let end = (!rnd.one_in(4)).then_some(end);
                    ox.compact_range(begin.as_deref(), end.as_deref())
                        .expect("oxleveldb compact_range");
                    cpp.compact_range(begin.as_deref(), end.as_deref());
                }
                97..=99 if rnd.one_in(2) => {
                    reopens += 1;
                    break;
                }
                _ => {}
            }
        }
        let what = format!("[{} seed {seed}] before reopen #{reopens}", cfg.name);
        assert_scans_agree(
            &what,
            &ox_scan(&ox, None, true),
            &cpp_scan(&cpp, None, true),
            &model_scan(&model, true),
        );
        // Snapshots go before their databases.
        drop(snapshots);
    }
    assert!(reopens > 0, "the run reopened the databases");
}

/// Seeks both engines to the same target (or to the first or last entry), then walks both the same random way
/// through next and prev, comparing each position with the other engine and with the model.
fn seek_and_walk(
    what: &str,
    rnd: &mut Random,
    ox: &DB,
    ox_snap: Option<&oxleveldb::Snapshot>,
    cpp: &cpp::Db,
    cpp_snap: Option<&cpp::Snapshot<'_>>,
    model: &Map,
) {
    let mut ox_iter = ox.new_iterator_opt(&ReadOptions {
        snapshot: ox_snap.cloned(),
        ..ReadOptions::default()
    });
    let mut options = cpp::ReadOptions::new();
    options.set_snapshot(cpp_snap);
    let mut cpp_iter = cpp.iter(&options);
    let to_entry = |kv: Option<(&Vec<u8>, &Vec<u8>)>| kv.map(|(k, v)| (k.clone(), v.clone()));

    let (start, mut expected) = match rnd.uniform(10) {
        0 => {
            ox_iter.seek_to_first();
            cpp_iter.seek_to_first();
            ("seek_to_first".to_string(), to_entry(model.iter().next()))
        }
        1 => {
            ox_iter.seek_to_last();
            cpp_iter.seek_to_last();
            (
                "seek_to_last".to_string(),
                to_entry(model.iter().next_back()),
            )
        }
        _ => {
            let target = gen_key(rnd);
            ox_iter.seek(&target);
            cpp_iter.seek(&target);
            let expected = to_entry(model.range(target.clone()..).next());
            (format!("seek '{}'", show(&target)), expected)
        }
    };
    let mut path = start;
    for _ in 0..=rnd.uniform(12) {
        assert_agree(
            &format!("{what}: {path}"),
            &ox_entry(&ox_iter),
            &cpp_entry(&cpp_iter),
            &expected,
        );
        let Some((key, _)) = expected.clone() else {
            break;
        };
        if rnd.one_in(2) {
            ox_iter.next();
            cpp_iter.next();
            path.push_str(", next");
            expected = to_entry(model.range((Bound::Excluded(key), Bound::Unbounded)).next());
        } else {
            ox_iter.prev();
            cpp_iter.prev();
            path.push_str(", prev");
            expected = to_entry(model.range(..key).next_back());
        }
    }
    assert_agree(
        &format!("{what}: {path} (status)"),
        &ox_iter.status().map_err(|e| e.to_string()),
        &cpp_iter.status(),
        &Ok(()),
    );
}

#[test]
fn same_results_default() {
    random_ops(DEFAULT, 301, 1000);
}

#[test]
fn same_results_bloom_filter() {
    random_ops(BLOOM, 302, 1000);
}

#[test]
fn same_results_no_compression() {
    random_ops(NO_COMPRESSION, 303, 1000);
}

#[test]
fn same_results_small_write_buffer_and_blocks() {
    // Memtables switch every ~64 KiB: background flushes and compactions run between the operations.
    random_ops(SMALL, 304, 1500);
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Same files.

/// One deterministic operation of a files scenario.
#[derive(Clone, Debug)]
enum Step {
    Put(Vec<u8>, Vec<u8>),
    Delete(Vec<u8>),
    Batch(Vec<(Vec<u8>, Option<Vec<u8>>)>),
    CompactRange(Option<Vec<u8>>, Option<Vec<u8>>),
    TakeSnapshot,
    ReleaseOldestSnapshot,
}

/// A scenario is a list of sessions: each opens both databases with its options, runs its steps, closes them, and
/// then the two directories are compared.
struct Session {
    cfg: Config,
    steps: Vec<Step>,
}

/// `n` random writes (puts, deletes, small batches) over `key_space` keys with a prefix, values up to `max_value`
/// bytes.
fn random_writes(
    rnd: &mut Random,
    n: usize,
    prefix: &str,
    key_space: u32,
    max_value: usize,
) -> Vec<Step> {
    let key = |rnd: &mut Random| format!("{prefix}{:05}", rnd.uniform(key_space)).into_bytes();
    random_writes_with(rnd, n, key, max_value)
}

/// `n` random writes with keys from `key`.
fn random_writes_with(
    rnd: &mut Random,
    n: usize,
    key: impl Fn(&mut Random) -> Vec<u8>,
    max_value: usize,
) -> Vec<Step> {
    let value = |rnd: &mut Random| {
        let len = rnd.uniform(max_value as u32 + 1) as usize;
        if rnd.one_in(2) {
            compressible(rnd, len)
        } else {
            random_bytes(rnd, len)
        }
    };
    (0..n)
        .map(|_| match rnd.uniform(10) {
            0..=5 => Step::Put(key(rnd), value(rnd)),
            6..=7 => Step::Delete(key(rnd)),
            _ => Step::Batch(
                (0..1 + rnd.uniform(10))
                    .map(|_| {
                        let k = key(rnd);
                        let v = (!rnd.one_in(4)).then(|| value(rnd));
                        (k, v)
                    })
                    .collect(),
            ),
        })
        .collect()
}

fn apply_to_model(model: &mut Map, step: &Step) {
    match step {
        Step::Put(k, v) => {
            model.insert(k.clone(), v.clone());
        }
        Step::Delete(k) => {
            model.remove(k);
        }
        Step::Batch(ops) => {
            for (k, v) in ops {
                match v {
                    Some(v) => model.insert(k.clone(), v.clone()),
                    None => model.remove(k),
                };
            }
        }
        _ => {}
    }
}

/// What a files scenario left: per session, the files per level (as both engines reported them), and the
/// number of tables at the end; so that scenarios can check they made what they meant to.
struct FilesOutcome {
    levels: Vec<Vec<usize>>,
    /// The dump of the MANIFEST after each session.
    manifests: Vec<String>,
    tables: usize,
}

/// Runs the sessions on both engines, comparing the directories after each; then reads everything back from
/// both.
fn same_files(name: &str, sessions: &[Session]) -> FilesOutcome {
    let dir = tempfile::tempdir().unwrap();
    let (ox_path, cpp_path) = (dir.path().join("ox"), dir.path().join("cpp"));
    let mut model = Map::new();
    let cpp_wo = cpp::WriteOptions::new();
    let mut outcome = FilesOutcome {
        levels: Vec::new(),
        manifests: Vec::new(),
        tables: 0,
    };
    for (i, session) in sessions.iter().enumerate() {
        let cfg = &session.cfg;
        {
            let ox = open_ox(cfg, &ox_path);
            let cpp = open_cpp(cfg, &cpp_path);
            let mut ox_snaps = Vec::new();
            let mut cpp_snaps = Vec::new();
            for step in &session.steps {
                match step {
                    Step::Put(k, v) => {
                        ox.put(k, v).unwrap();
                        cpp.put(&cpp_wo, k, v).unwrap();
                    }
                    Step::Delete(k) => {
                        ox.delete(k).unwrap();
                        cpp.delete(&cpp_wo, k).unwrap();
                    }
                    Step::Batch(ops) => {
                        let mut ox_batch = WriteBatch::new();
                        let mut cpp_batch = cpp::WriteBatch::new();
                        for (k, v) in ops {
                            match v {
                                Some(v) => {
                                    ox_batch.put(k, v);
                                    cpp_batch.put(k, v);
                                }
                                None => {
                                    ox_batch.delete(k);
                                    cpp_batch.delete(k);
                                }
                            }
                        }
                        ox.write(&ox_batch).unwrap();
                        cpp.write(&cpp_wo, &mut cpp_batch).unwrap();
                    }
                    Step::CompactRange(begin, end) => {
                        ox.compact_range(begin.as_deref(), end.as_deref()).unwrap();
                        cpp.compact_range(begin.as_deref(), end.as_deref());
                    }
                    Step::TakeSnapshot => {
                        ox_snaps.push(ox.get_snapshot());
                        cpp_snaps.push(cpp.snapshot());
                    }
                    Step::ReleaseOldestSnapshot => {
                        ox_snaps.remove(0);
                        cpp_snaps.remove(0);
                    }
                }
                apply_to_model(&mut model, step);
            }
            // The level shapes and table lists, while both are open (they are part of the files, but a mismatch
            // here is easier to read).
            let levels = levels_of(|p| cpp.property(p));
            assert_eq!(
                levels_of(|p| ox.get_property(p)),
                levels,
                "{name}: session {i}: files per level (oxleveldb, LevelDB)"
            );
            outcome.levels.push(levels);
            // The memtable's arena accounting (no reads yet, so the block cache is empty).
            assert_eq!(
                ox.get_property("leveldb.approximate-memory-usage"),
                cpp.property("leveldb.approximate-memory-usage"),
                "{name}: session {i}: leveldb.approximate-memory-usage"
            );
            assert_eq!(
                ox.get_property("leveldb.sstables"),
                cpp.property("leveldb.sstables"),
                "{name}: session {i}: leveldb.sstables"
            );
            let ranges: [(&[u8], &[u8]); 3] = [(b"", b"\xff"), (b"a", b"k"), (b"k", b"z")];
            let ox_sizes = ox.get_approximate_sizes(
                &ranges
                    .iter()
                    .map(|(a, b)| oxleveldb::Range::new(a, b))
                    .collect::<Vec<_>>(),
            );
            assert_eq!(
                ox_sizes,
                cpp.approximate_sizes(&ranges),
                "{name}: session {i}: approximate sizes"
            );
            drop(ox_snaps);
            drop(cpp_snaps);
        }
        outcome.tables = compare_dirs(
            &ox_path,
            &cpp_path,
            &format!("{name}: after session {i} ({})", cfg.name),
        );
        outcome
            .manifests
            .push(dump(&file_named(&cpp_path, "MANIFEST-")));
    }

    // Both read back what was written (reopening writes new files, so this comes after the comparisons).
    let cfg = &sessions.last().unwrap().cfg;
    let ox = open_ox(cfg, &ox_path);
    let cpp = open_cpp(cfg, &cpp_path);
    assert_scans_agree(
        &format!("{name}: final contents"),
        &ox_scan(&ox, None, false),
        &cpp_scan(&cpp, None, false),
        &model_scan(&model, false),
    );
    // The scan loaded every data block into each block cache, charged by its size.
    assert_eq!(
        ox.get_property("leveldb.approximate-memory-usage"),
        cpp.property("leveldb.approximate-memory-usage"),
        "{name}: leveldb.approximate-memory-usage after the scan"
    );
    outcome
}

/// Compares the two directories (leveldb_differential::files): the same file names, and byte-identical contents.
/// Returns how many tables there are.
fn compare_dirs(ox: &Path, cpp: &Path, what: &str) -> usize {
    files::compare_dirs(ox, cpp, ["oxleveldb", "LevelDB"]).unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// The basic life of a database, with every kind of step. No memtable switches while writing (the write buffer
/// holds every session's writes), so the files depend only on the operations: tables come from the recovery
/// flush at open and from compact_range, which waits for its work.
fn basic_sessions(cfg: Config, seed: u32) -> Vec<Session> {
    let mut rnd = Random::new(seed);
    let big = |rnd: &mut Random, n| {
        vec![Step::Put(
            format!("big{n}").into_bytes(),
            compressible(rnd, 70_000),
        )]
    };
    let mut s0 = random_writes(&mut rnd, 400, "k", 300, 1500);
    s0.extend(big(&mut rnd, 0)); // Spans log blocks.
    s0.extend(random_writes(&mut rnd, 50, "k", 300, 1500));
    let mut s2 = vec![Step::CompactRange(None, None)];
    s2.extend(random_writes(&mut rnd, 100, "m", 100, 500));
    let mut s3 = vec![Step::TakeSnapshot];
    s3.extend(random_writes(&mut rnd, 200, "k", 300, 800));
    s3.push(Step::CompactRange(
        Some(b"k00050".to_vec()),
        Some(b"k00200".to_vec()),
    ));
    s3.push(Step::TakeSnapshot);
    s3.extend(random_writes(&mut rnd, 100, "k", 300, 800));
    s3.extend(big(&mut rnd, 1));
    s3.push(Step::CompactRange(None, Some(b"k00100".to_vec())));
    s3.push(Step::ReleaseOldestSnapshot);
    s3.push(Step::CompactRange(None, None));
    let sessions = vec![
        // A fresh database: the log and the first MANIFEST.
        s0,
        // Recovery turns the log into a level-0 table and writes a new MANIFEST.
        random_writes(&mut rnd, 200, "k", 300, 1500),
        // A full compaction (the memtable first), then writes left in the log.
        s2,
        // Compactions of parts of the key space, with snapshots holding old entries.
        s3,
        // Open and close: recovery of the last log.
        vec![],
    ];
    sessions
        .into_iter()
        .map(|steps| Session { cfg, steps })
        .collect()
}

#[test]
fn same_files_default() {
    let outcome = same_files("basic/default", &basic_sessions(DEFAULT, 11));
    assert!(outcome.tables > 0, "{:?}", outcome.levels);
}

#[test]
fn same_files_bloom_filter() {
    let outcome = same_files("basic/bloom", &basic_sessions(BLOOM, 12));
    assert!(outcome.tables > 0, "{:?}", outcome.levels);
}

#[test]
fn same_files_no_compression() {
    let outcome = same_files("basic/no-compression", &basic_sessions(NO_COMPRESSION, 13));
    assert!(outcome.tables > 0, "{:?}", outcome.levels);
}

#[test]
fn same_files_small_blocks_and_files() {
    let outcome = same_files(
        "basic/small-blocks-and-files",
        &basic_sessions(SMALL_FILES, 14),
    );
    assert!(outcome.tables > 0, "{:?}", outcome.levels);
}

/// Keys of every shape (binary with 0x00 and 0xff bytes, empty, long with shared prefixes) in small blocks: the
/// index keys LevelDB shortens (FindShortestSeparator, FindShortSuccessor) and the prefix compression.
#[test]
fn same_files_binary_keys() {
    let mut rnd = Random::new(15);
    let mut first = random_writes_with(&mut rnd, 600, gen_key, 700);
    first.push(Step::CompactRange(None, None));
    let mut second = random_writes_with(&mut rnd, 300, gen_key, 3000);
    second.push(Step::CompactRange(
        Some(b"\x01".to_vec()),
        Some(b"key0200".to_vec()),
    ));
    let sessions = vec![
        Session {
            cfg: SMALL_FILES,
            steps: first,
        },
        Session {
            cfg: SMALL_FILES,
            steps: second,
        },
        Session {
            cfg: SMALL_FILES,
            steps: vec![],
        },
    ];
    let outcome = same_files("binary-keys", &sessions);
    assert!(outcome.tables >= 1, "{:?}", outcome.levels);
}

/// Memtable flushes placed at levels 2 and 1 (PickLevelForMemTableOutput) and compactions from level 1 into
/// level 2, all through compact_range: every piece of work is asked for and waited for.
#[test]
fn same_files_across_levels() {
    let mut rnd = Random::new(21);
    let cfg = BLOOM;
    let mut first = Vec::new();
    // Disjoint ranges: each flush goes down to level 2.
    for prefix in ["c", "a", "e"] {
        first.extend(random_writes(&mut rnd, 150, prefix, 200, 1000));
        first.push(Step::CompactRange(None, None));
    }
    // Overlapping level 2: the flush stays at level 1. Compacting a range where there are no files flushes the
    // memtable and compacts nothing.
    first.extend(random_writes(&mut rnd, 200, "c", 200, 1000));
    first.push(Step::CompactRange(
        Some(b"zz".to_vec()),
        Some(b"zz".to_vec()),
    ));
    // Level 1 into level 2, for a part of the key space, with a snapshot holding overwritten entries.
    let mut second = vec![Step::TakeSnapshot];
    second.extend(random_writes(&mut rnd, 100, "c", 200, 1000));
    second.push(Step::CompactRange(
        Some(b"c".to_vec()),
        Some(b"c00100".to_vec()),
    ));
    // Deletions at the base level: dropped when no snapshot needs them.
    second.extend((0..100).map(|i| Step::Delete(format!("a{i:05}").into_bytes())));
    second.push(Step::ReleaseOldestSnapshot);
    second.push(Step::CompactRange(Some(b"a".to_vec()), Some(b"b".to_vec())));
    let sessions = vec![
        Session { cfg, steps: first },
        Session { cfg, steps: second },
        Session {
            cfg,
            steps: random_writes(&mut rnd, 100, "b", 100, 1000),
        },
        Session {
            cfg,
            steps: vec![Step::CompactRange(None, None)],
        },
    ];
    let outcome = same_files("levels", &sessions);
    assert_eq!(
        outcome.levels[0],
        [0, 1, 3, 0, 0, 0, 0],
        "{:?}",
        outcome.levels
    );
}

/// Opening and closing an empty database, and compacting it.
#[test]
fn same_files_empty_database() {
    let session = |steps| Session {
        cfg: DEFAULT,
        steps,
    };
    let outcome = same_files(
        "empty",
        &[
            session(vec![]),
            session(vec![]),
            session(vec![Step::CompactRange(None, None)]),
            session(vec![Step::CompactRange(
                Some(b"a".to_vec()),
                Some(b"b".to_vec()),
            )]),
        ],
    );
    assert_eq!(outcome.tables, 0);
}

/// One database reopened with other options each time: compression on and off, a filter added, smaller blocks;
/// the tables each session writes follow its options.
#[test]
fn same_files_changing_options() {
    let mut rnd = Random::new(81);
    let mut sessions = Vec::new();
    for cfg in [DEFAULT, BLOOM, NO_COMPRESSION, SMALL_FILES, DEFAULT] {
        let mut steps = random_writes(&mut rnd, 150, "o", 300, 1200);
        if sessions.len() % 2 == 1 {
            steps.push(Step::CompactRange(None, None));
        }
        sessions.push(Session { cfg, steps });
    }
    let outcome = same_files("changing-options", &sessions);
    assert!(outcome.tables > 0, "{:?}", outcome.levels);
}

/// A compaction from level 0 into level 1 whose output is cut where it has overlapped more than ten files' worth
/// (10 MiB) of level 2, its grandparents (ShouldStopBefore); then level 1 into level 2, in steps of about
/// max_file_size (manual compactions at levels above 0), with outputs cut at max_file_size.
#[test]
fn same_files_grandparent_overlap_splits_outputs() {
    let mut rnd = Random::new(71);
    let cfg = Config {
        max_file_size: 1 << 20,
        snappy: false,
        ..DEFAULT
    };
    // Twelve disjoint flushes of about 1.1 MB: each goes down to level 2.
    let mut first = Vec::new();
    for r in 0..12 {
        first.extend((0..270).map(|i| {
            Step::Put(
                format!("g{r:02}-{i:04}").into_bytes(),
                random_bytes(&mut rnd, 4000),
            )
        }));
        first.push(Step::CompactRange(None, None));
    }
    // One key between each two of them: the flush overlaps more than 10 MiB of level 2, so it stays at level 0
    // (a range where there are no files flushes the memtable and compacts nothing).
    let mut second: Vec<Step> = (0..12)
        .map(|r| Step::Put(format!("g{r:02}-9999").into_bytes(), b"bridge".to_vec()))
        .collect();
    second.push(Step::CompactRange(
        Some(b"zz".to_vec()),
        Some(b"zz".to_vec()),
    ));
    let sessions = vec![
        Session { cfg, steps: first },
        Session { cfg, steps: second },
        Session {
            cfg,
            steps: vec![Step::CompactRange(None, None)],
        },
    ];
    let outcome = same_files("grandparents", &sessions);
    assert_eq!(outcome.levels[0], [0, 0, 12, 0, 0, 0, 0]);
    assert_eq!(outcome.levels[1], [1, 0, 12, 0, 0, 0, 0]);
    // The level-0 compaction's edit added two level-1 files (cut by the grandparents), which the next
    // compaction removed.
    let added_at_1 = outcome.manifests[2].matches("AddFile: 1 ").count();
    assert_eq!(added_at_1, 2, "{}", outcome.manifests[2]);
}

/// Written with a 4 MiB write buffer, recovered with a 64 KiB one: recovery flushes the log into several level-0
/// tables wherever the memtable outgrows the buffer (which needs the same memtable memory accounting). Few enough
/// tables that no automatic compaction starts (level 0 triggers at 4 files).
#[test]
fn same_files_recovery_splits_the_log() {
    let mut rnd = Random::new(31);
    let writes: Vec<Step> = (0..150)
        .map(|i| {
            Step::Put(
                format!("r{:05}", (i * 7919) % 1000).into_bytes(),
                compressible(&mut rnd, 900),
            )
        })
        .collect();
    let small = Config {
        write_buffer_size: 64 << 10,
        ..DEFAULT
    };
    let sessions = vec![
        Session {
            cfg: DEFAULT,
            steps: writes,
        },
        Session {
            cfg: small,
            steps: vec![],
        },
        Session {
            cfg: DEFAULT,
            steps: vec![Step::CompactRange(None, None)],
        },
    ];
    let outcome = same_files("recovery-split", &sessions);
    let level0 = outcome.levels[1][0];
    assert!(
        (2..4).contains(&level0),
        "{level0} level-0 tables after the recovery"
    );
}

/// A compaction whose output is cut at max_file_size (clipped to 1 MiB): about 3 MiB of values that snappy cannot
/// shrink, first flushed to level 2, then merged with an overlapping flush from level 1.
#[test]
fn same_files_compaction_splits_outputs() {
    let mut rnd = Random::new(41);
    let cfg = Config {
        max_file_size: 1 << 20,
        ..DEFAULT
    };
    let mut first: Vec<Step> = (0..1500)
        .map(|i| {
            Step::Put(
                format!("s{i:05}").into_bytes(),
                random_bytes(&mut rnd, 2000),
            )
        })
        .collect();
    first.push(Step::CompactRange(None, None));
    let mut second: Vec<Step> = (0..300)
        .map(|i| {
            Step::Put(
                format!("s{:05}", i * 5).into_bytes(),
                random_bytes(&mut rnd, 500),
            )
        })
        .collect();
    second.push(Step::CompactRange(None, None));
    let sessions = vec![
        Session { cfg, steps: first },
        Session { cfg, steps: second },
    ];
    let outcome = same_files("split-outputs", &sessions);
    assert!(outcome.levels[1][2] >= 3, "{:?}", outcome.levels);
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Cross-opening.

/// The writes of a cross-opening test, whichever engine makes them: the model of the contents, and every key
/// ever written (deleted ones too, for gets that must find nothing).
struct History {
    rnd: Random,
    model: Map,
    all_keys: Vec<Vec<u8>>,
}

impl History {
    fn new(seed: u32) -> History {
        History {
            rnd: Random::new(seed),
            model: Map::new(),
            all_keys: Vec::new(),
        }
    }

    /// `n` random puts (and one in five deletes) of keys `<prefix><number below 2000>`; `write` gets the key and
    /// `Some(value)`, or `None` for a delete.
    fn write(&mut self, n: usize, prefix: &str, mut write: impl FnMut(&[u8], Option<&[u8]>)) {
        for _ in 0..n {
            let key = format!("{prefix}{:05}", self.rnd.uniform(2000)).into_bytes();
            if self.rnd.one_in(5) {
                write(&key, None);
                self.model.remove(&key);
            } else {
                let value = gen_value(&mut self.rnd);
                write(&key, Some(&value));
                self.model.insert(key.clone(), value);
            }
            self.all_keys.push(key);
        }
    }

    fn write_ox(&mut self, db: &DB, n: usize, prefix: &str) {
        self.write(n, prefix, |k, v| match v {
            Some(v) => db.put(k, v).unwrap(),
            None => db.delete(k).unwrap(),
        });
    }

    fn write_cpp(&mut self, db: &cpp::Db, n: usize, prefix: &str) {
        let wo = cpp::WriteOptions::new();
        self.write(n, prefix, |k, v| match v {
            Some(v) => db.put(&wo, k, v).unwrap(),
            None => db.delete(&wo, k).unwrap(),
        });
    }

    /// Reads everything back through one engine (its `scan` in each direction, its `get`): both scan
    /// directions, and a get of every key ever written.
    fn check(
        &self,
        what: &str,
        scan: impl Fn(bool) -> Vec<(Vec<u8>, Vec<u8>)>,
        get: impl Fn(&[u8]) -> Option<Vec<u8>>,
    ) {
        let model = &self.model;
        assert_eq!(
            scan(false),
            model_scan(model, false),
            "{what}: forward scan"
        );
        assert_eq!(scan(true), model_scan(model, true), "{what}: backward scan");
        for key in &self.all_keys {
            assert_eq!(
                get(key),
                model.get(key).cloned(),
                "{what}: get '{}'",
                show(key)
            );
        }
    }

    /// [`History::check`] through oxleveldb.
    fn check_ox(&self, what: &str, db: &DB) {
        self.check(
            what,
            |reverse| ox_scan(db, None, reverse),
            |key| ox_get(db, None, key),
        );
    }

    /// [`History::check`] through LevelDB.
    fn check_cpp(&self, what: &str, db: &cpp::Db) {
        self.check(
            what,
            |reverse| cpp_scan(db, None, reverse),
            |key| cpp_get(db, None, key),
        );
    }
}

fn levels_of(property: impl Fn(&str) -> Option<String>) -> Vec<usize> {
    (0..7)
        .map(|l| {
            property(&format!("leveldb.num-files-at-level{l}"))
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect()
}

/// LevelDB writes (with background compactions: a small write buffer), oxleveldb opens it, reads everything,
/// writes and compacts, reopens, and LevelDB opens the result again.
fn cpp_then_ox(cfg: Config) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let name = cfg.name;
    let mut h = History::new(51);
    {
        let writer_cfg = Config {
            write_buffer_size: 64 << 10,
            ..cfg
        };
        let db = open_cpp(&writer_cfg, &path);
        h.write_cpp(&db, 2500, "x");
        db.compact_range(Some(b"x00000"), Some(b"x00500"));
        // More tables, and writes left in the log for oxleveldb's recovery.
        for prefix in ["y", "x", "w"] {
            h.write_cpp(&db, 150, prefix);
        }
        let levels = levels_of(|p| db.property(p));
        assert!(
            levels.iter().sum::<usize>() > 1,
            "LevelDB made tables: {levels:?}"
        );
    }
    {
        let db = open_ox(&cfg, &path);
        h.check_ox(&format!("[{name}] oxleveldb opens LevelDB's database"), &db);
        h.write_ox(&db, 500, "x");
        db.compact_range(None, None).unwrap();
        h.write_ox(&db, 100, "z");
        h.check_ox(&format!("[{name}] oxleveldb after its writes"), &db);
    }
    {
        let db = open_ox(&cfg, &path);
        h.check_ox(&format!("[{name}] oxleveldb reopened"), &db);
    }
    {
        let db = open_cpp(&cfg, &path);
        h.check_cpp(&format!("[{name}] LevelDB opens it again"), &db);
        h.write_cpp(&db, 200, "x");
        db.compact_range(None, None);
        h.check_cpp(&format!("[{name}] LevelDB after more writes"), &db);
    }
    let db = open_ox(&cfg, &path);
    h.check_ox(&format!("[{name}] and oxleveldb once more"), &db);
}

/// oxleveldb writes, with tables pushed through several levels by its compactions, and LevelDB opens the result,
/// reads everything, writes and compacts; oxleveldb opens it again.
fn ox_then_cpp(cfg: Config) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let name = cfg.name;
    let mut h = History::new(61);
    let ox_levels;
    {
        let db = open_ox(&cfg, &path);
        // Each round flushes its writes and pushes everything one level further down (the manual compactions of
        // LevelDB's tests): the oldest data ends at level 4, later rounds above it, overlapping.
        for round in 0..4 {
            h.write_ox(&db, 400, "x");
            db.test_compact_mem_table().unwrap();
            for level in (0..=round).rev() {
                db.test_compact_range(level, None, None);
            }
        }
        // And a bit more: a flush of other keys, and writes left in the log.
        h.write_ox(&db, 200, "w");
        db.test_compact_mem_table().unwrap();
        h.write_ox(&db, 100, "x");
        // No reads before closing: they could start a seek compaction, and LevelDB is to find the levels as they
        // are here.
        ox_levels = levels_of(|p| db.get_property(p));
        let used = ox_levels.iter().filter(|&&n| n > 0).count();
        assert!(
            used >= 3,
            "oxleveldb's tables span several levels: {ox_levels:?}"
        );
    }
    {
        let db = open_cpp(&cfg, &path);
        // The log was flushed to level 0 by the recovery; the other levels are as oxleveldb left them.
        let levels = levels_of(|p| db.property(p));
        assert_eq!(
            levels[1..],
            ox_levels[1..],
            "LevelDB sees oxleveldb's levels"
        );
        h.check_cpp(&format!("[{name}] LevelDB opens oxleveldb's database"), &db);
        h.write_cpp(&db, 300, "x");
        db.compact_range(Some(b"x00500"), Some(b"x01500"));
        h.check_cpp(&format!("[{name}] LevelDB after its writes"), &db);
    }
    let db = open_ox(&cfg, &path);
    h.check_ox(&format!("[{name}] oxleveldb opens it again"), &db);
}

#[test]
fn leveldb_database_opens_in_oxleveldb_snappy_bloom() {
    cpp_then_ox(BLOOM);
}

#[test]
fn leveldb_database_opens_in_oxleveldb_no_compression() {
    cpp_then_ox(NO_COMPRESSION);
}

#[test]
fn oxleveldb_database_opens_in_leveldb_snappy_bloom() {
    ox_then_cpp(BLOOM);
}

#[test]
fn oxleveldb_database_opens_in_leveldb_no_compression() {
    ox_then_cpp(NO_COMPRESSION);
}

// ---------------------------------------------------------------------------------------------------------------
// 4. Error strings.

/// Sets up the same directory twice (once per engine, at the same path, so the messages can name it), opens it
/// with each, and expects the same error string and the same files left behind.
fn same_open_error(
    what: &str,
    cfg: &Config,
    create_if_missing: bool,
    error_if_exists: bool,
    setup: impl Fn(&Path),
) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");

    setup(&path);
    let mut options = cpp_options(cfg);
    options
        .set_create_if_missing(create_if_missing)
        .set_error_if_exists(error_if_exists);
    let cpp_result = cpp::Db::open(&options, &path).map(|_| ());
    let cpp_files = fs::read_dir(&path)
        .ok()
        .map(|_| files::db_files(&path).unwrap());

    let _ = fs::remove_dir_all(&path);
    setup(&path);
    let options = Options {
        create_if_missing,
        error_if_exists,
        ..ox_options(cfg)
    };
    let ox_result = DB::open(options, &path)
        .map(|_| ())
        .map_err(|e| e.to_string());
    let ox_files = fs::read_dir(&path)
        .ok()
        .map(|_| files::db_files(&path).unwrap());

    let Err(message) = &cpp_result else {
        panic!("{what}: LevelDB opened the database (oxleveldb: {ox_result:?})");
    };
    assert_eq!(
        ox_result, cpp_result,
        "{what}: the open error (oxleveldb, LevelDB)"
    );
    assert_eq!(
        ox_files, cpp_files,
        "{what}: the files after the failed open"
    );
    message.clone()
}

/// A closed database made by LevelDB: one table (at level 2), and newer values of some keys in the log.
fn make_db(path: &Path) {
    let db = open_cpp(&DEFAULT, path);
    let wo = cpp::WriteOptions::new();
    for i in 0..200 {
        db.put(&wo, format!("e{i:04}").as_bytes(), &[b'v'; 100])
            .unwrap();
    }
    db.compact_range(None, None);
    for i in 0..50 {
        db.put(&wo, format!("e{i:04}").as_bytes(), b"new").unwrap();
    }
}

/// The first file of the database whose name starts or ends with `part` ("MANIFEST-", ".ldb").
fn file_named(path: &Path, part: &str) -> PathBuf {
    let name = files::db_files(path)
        .unwrap()
        .into_iter()
        .find(|n| n.starts_with(part) || n.ends_with(part))
        .unwrap_or_else(|| panic!("no {part} file"));
    path.join(name)
}

#[test]
fn same_error_for_a_missing_database() {
    let message = same_open_error(
        "missing, create_if_missing false",
        &DEFAULT,
        false,
        false,
        |_| {},
    );
    assert!(
        message.ends_with("does not exist (create_if_missing is false)"),
        "{message}"
    );
}

#[test]
fn same_error_for_an_existing_database_with_error_if_exists() {
    let message = same_open_error("exists, error_if_exists", &DEFAULT, true, true, make_db);
    assert!(
        message.ends_with("exists (error_if_exists is true)"),
        "{message}"
    );
}

#[test]
fn same_errors_for_a_bad_current() {
    let cases: [(&str, &[u8]); 4] = [
        ("CURRENT empty", b""),
        ("CURRENT without its newline", b"MANIFEST-000002"),
        ("CURRENT names a missing MANIFEST", b"MANIFEST-000077\n"),
        (
            "CURRENT names a file that is not a MANIFEST",
            b"000005.ldb\n",
        ),
    ];
    for (what, contents) in cases {
        let message = same_open_error(what, &DEFAULT, true, false, |path| {
            make_db(path);
            fs::write(path.join("CURRENT"), contents).unwrap();
        });
        assert!(message.starts_with("Corruption: "), "{what}: {message}");
    }
}

#[test]
fn same_errors_for_a_bad_manifest() {
    let truncate = |len: usize| {
        move |path: &Path| {
            make_db(path);
            let manifest = file_named(path, "MANIFEST-");
            let data = fs::read(&manifest).unwrap();
            fs::write(&manifest, &data[..len.min(data.len())]).unwrap();
        }
    };
    let flip = |at: usize| {
        move |path: &Path| {
            make_db(path);
            let manifest = file_named(path, "MANIFEST-");
            let mut data = fs::read(&manifest).unwrap();
            data[at] ^= 0x40;
            fs::write(&manifest, data).unwrap();
        }
    };
    for (what, paranoid) in [("", false), (" (paranoid)", true)] {
        let cfg = Config {
            paranoid_checks: paranoid,
            ..DEFAULT
        };
        same_open_error(
            &format!("MANIFEST empty{what}"),
            &cfg,
            true,
            false,
            truncate(0),
        );
        same_open_error(
            &format!("MANIFEST cut in its header{what}"),
            &cfg,
            true,
            false,
            truncate(5),
        );
        same_open_error(
            &format!("MANIFEST cut in its record{what}"),
            &cfg,
            true,
            false,
            truncate(20),
        );
        same_open_error(
            &format!("MANIFEST with a bad checksum{what}"),
            &cfg,
            true,
            false,
            flip(1),
        );
        same_open_error(
            &format!("MANIFEST with a bad record type{what}"),
            &cfg,
            true,
            false,
            flip(6),
        );
        same_open_error(
            &format!("MANIFEST with a bad payload{what}"),
            &cfg,
            true,
            false,
            flip(12),
        );
    }
    // A table the MANIFEST lists is gone.
    let message = same_open_error("a missing table", &DEFAULT, true, false, |path| {
        make_db(path);
        fs::remove_file(file_named(path, ".ldb")).unwrap();
    });
    assert!(message.contains("missing files"), "{message}");
}

/// A MANIFEST record oxleveldb writes itself, framed by its log writer: the edits LevelDB refuses.
#[test]
fn same_errors_for_bad_manifest_edits() {
    use oxleveldb::db::version_edit::VersionEdit;
    let with_edit = |edit: fn(&mut VersionEdit)| {
        move |path: &Path| {
            fs::create_dir_all(path).unwrap();
            let env = default_env();
            let file = env
                .new_writable_file(&path.join("MANIFEST-000002"))
                .unwrap();
            let mut writer = oxleveldb::log::Writer::new(file);
            let mut e = VersionEdit::new();
            edit(&mut e);
            let mut record = Vec::new();
            e.encode_to(&mut record);
            writer.add_record(&record).unwrap();
            writer.file().close().unwrap();
            fs::write(path.join("CURRENT"), "MANIFEST-000002\n").unwrap();
        }
    };
    type Edit = fn(&mut VersionEdit);
    let cases: [(&str, Edit); 4] = [
        ("another comparator", |e| {
            e.set_comparator_name("some.OtherComparator");
            e.set_log_number(0);
            e.set_next_file(3);
            e.set_last_sequence(0);
        }),
        ("no next file", |e| {
            e.set_comparator_name("leveldb.BytewiseComparator");
            e.set_log_number(0);
            e.set_last_sequence(0);
        }),
        ("no log number", |e| {
            e.set_comparator_name("leveldb.BytewiseComparator");
            e.set_next_file(3);
            e.set_last_sequence(0);
        }),
        ("no last sequence", |e| {
            e.set_comparator_name("leveldb.BytewiseComparator");
            e.set_log_number(0);
            e.set_next_file(3);
        }),
    ];
    for (what, edit) in cases {
        same_open_error(what, &DEFAULT, true, false, with_edit(edit));
    }
}

/// A log damaged in the middle: without paranoid checks both drop the bad part and open; with them both refuse,
/// with the same message.
#[test]
fn same_results_for_a_corrupted_log() {
    let damage = |path: &Path| {
        let db = open_cpp(&DEFAULT, path);
        let wo = cpp::WriteOptions::new();
        for i in 0..300 {
            db.put(&wo, format!("l{i:04}").as_bytes(), &[b'v'; 300])
                .unwrap();
        }
        drop(db);
        let log = file_named(path, ".log");
        let mut data = fs::read(&log).unwrap();
        data[40_000] ^= 0x01; // In the second 32 KiB block.
        fs::write(&log, data).unwrap();
    };
    let paranoid = Config {
        paranoid_checks: true,
        ..DEFAULT
    };
    let message = same_open_error("a corrupted log (paranoid)", &paranoid, true, false, damage);
    assert!(message.starts_with("Corruption: "), "{message}");

    // Not paranoid: both open and keep the same records.
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    damage(&a);
    damage(&b);
    let ox = open_ox(&DEFAULT, &a);
    let cpp = open_cpp(&DEFAULT, &b);
    let (ox_entries, cpp_entries) = (ox_scan(&ox, None, false), cpp_scan(&cpp, None, false));
    assert!(ox_entries.len() < 300, "records were dropped");
    assert_eq!(
        ox_entries, cpp_entries,
        "the records kept after a corrupted log"
    );
}

/// Everything a reader sees of a database made by `make_db`, as text: each get's value (its length and CRC) or
/// error, then a full scan's key count and status. With `verify_checksums` set or not.
fn read_all_ox(path: &Path, verify_checksums: bool) -> Vec<String> {
    let db = open_ox(&DEFAULT, path);
    let options = ReadOptions {
        verify_checksums,
        ..ReadOptions::default()
    };
    let mut out: Vec<String> = (0..200)
        .map(|i| describe_read(i, db.get_opt(format!("e{i:04}").as_bytes(), &options)))
        .collect();
    let mut iter = db.new_iterator_opt(&options);
    iter.seek_to_first();
    let mut keys = 0;
    while iter.valid() {
        keys += 1;
        iter.next();
    }
    out.push(format!(
        "scan: {keys} keys, {:?}",
        iter.status().map_err(|e| e.to_string())
    ));
    out
}

/// One read of `read_all_*`, in words both engines' answers can be compared in.
fn describe_read<E: std::fmt::Display>(i: usize, read: Result<Option<Vec<u8>>, E>) -> String {
    match read {
        Ok(Some(v)) => format!(
            "{i}: {} bytes, crc {:08x}",
            v.len(),
            oxleveldb::util::crc::value(&v)
        ),
        Ok(None) => format!("{i}: not found"),
        Err(e) => format!("{i}: {e}"),
    }
}

fn read_all_cpp(path: &Path, verify_checksums: bool) -> Vec<String> {
    let db = open_cpp(&DEFAULT, path);
    let mut options = cpp::ReadOptions::new();
    options.set_verify_checksums(verify_checksums);
    let mut out: Vec<String> = (0..200)
        .map(|i| describe_read(i, db.get(&options, format!("e{i:04}").as_bytes())))
        .collect();
    let mut iter = db.iter(&options);
    iter.seek_to_first();
    let mut keys = 0;
    while iter.valid() {
        keys += 1;
        iter.next();
    }
    out.push(format!("scan: {keys} keys, {:?}", iter.status()));
    out
}

/// A damaged table: the same values, the same errors (with and without checksum verification) from gets and
/// scans.
#[test]
fn same_errors_reading_a_damaged_table() {
    type Damage = fn(&mut Vec<u8>);
    let cases: [(&str, Damage); 5] = [
        ("a data block byte", |d| d[100] ^= 0x10),
        ("a data block's trailer", |d| d[40] ^= 0x01),
        ("the index block", |d| {
            let n = d.len();
            d[n - 60] ^= 0x08;
        }),
        ("the magic number", |d| {
            let n = d.len();
            d[n - 1] ^= 0x01;
        }),
        ("half the file cut off", |d| d.truncate(d.len() / 2)),
    ];
    for (what, damage) in cases {
        for verify in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("db");
            let setup = |path: &Path| {
                make_db(path);
                let table = file_named(path, ".ldb");
                let mut data = fs::read(&table).unwrap();
                damage(&mut data);
                fs::write(&table, data).unwrap();
            };
            setup(&path);
            let cpp = read_all_cpp(&path, verify);
            fs::remove_dir_all(&path).unwrap();
            setup(&path);
            let ox = read_all_ox(&path, verify);
            if verify {
                assert!(
                    cpp.iter()
                        .any(|r| r.contains("Corruption") || r.contains("IO error")),
                    "{what}: LevelDB finds the damage: {cpp:?}"
                );
            }
            for (o, c) in ox.iter().zip(&cpp) {
                assert_eq!(
                    o, c,
                    "{what} (verify_checksums {verify}): oxleveldb, LevelDB"
                );
            }
        }
    }
}

/// RepairDB on two identical damaged databases (made by LevelDB): the same repaired files, the same lost/, the
/// same contents.
#[test]
fn same_files_after_repair() {
    type Damage = fn(&Path);
    let cases: [(&str, Damage); 4] = [
        ("no MANIFEST", |path| {
            fs::remove_file(file_named(path, "MANIFEST-")).unwrap();
        }),
        ("no CURRENT", |path| {
            fs::remove_file(path.join("CURRENT")).unwrap()
        }),
        ("a damaged data block", |path| {
            let table = file_named(path, ".ldb");
            let mut data = fs::read(&table).unwrap();
            data[100] ^= 0x10;
            fs::write(&table, data).unwrap();
        }),
        ("a table cut short", |path| {
            let table = file_named(path, ".ldb");
            let data = fs::read(&table).unwrap();
            fs::write(&table, &data[..data.len() / 2]).unwrap();
        }),
    ];
    for (what, damage) in cases {
        let dir = tempfile::tempdir().unwrap();
        let (ox_path, cpp_path) = (dir.path().join("ox"), dir.path().join("cpp"));
        make_db(&ox_path);
        make_db(&cpp_path);
        compare_dirs(&ox_path, &cpp_path, &format!("{what}: before"));
        damage(&ox_path);
        damage(&cpp_path);
        oxleveldb::repair_db(&ox_path, &ox_options(&DEFAULT)).unwrap();
        cpp::repair_db(&cpp_options(&DEFAULT), &cpp_path).unwrap();
        compare_dirs(&ox_path, &cpp_path, &format!("{what}: repaired"));
        let ox = open_ox(&DEFAULT, &ox_path);
        let cpp = open_cpp(&DEFAULT, &cpp_path);
        let entries = cpp_scan(&cpp, None, false);
        assert_eq!(
            ox_scan(&ox, None, false),
            entries,
            "{what}: contents after the repair"
        );
        assert!(!entries.is_empty(), "{what}: something survives");
    }
}

/// A database that is open already: opening it again, or destroying it, fails the same way in both.
#[test]
fn same_errors_for_a_locked_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let cpp_errors = {
        let _db = open_cpp(&DEFAULT, &path);
        (
            cpp::Db::open(&cpp_options(&DEFAULT), &path).map(|_| ()),
            cpp::destroy_db(&cpp_options(&DEFAULT), &path),
        )
    };
    cpp::destroy_db(&cpp_options(&DEFAULT), &path).unwrap();
    let ox_errors = {
        let _db = open_ox(&DEFAULT, &path);
        (
            DB::open(ox_options(&DEFAULT), &path)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            oxleveldb::destroy_db(&path, &ox_options(&DEFAULT)).map_err(|e| e.to_string()),
        )
    };
    assert!(
        cpp_errors.0.is_err() && cpp_errors.1.is_err(),
        "{cpp_errors:?}"
    );
    assert_eq!(
        ox_errors, cpp_errors,
        "(open, destroy) of an open database: oxleveldb, LevelDB"
    );
}

/// A CRC-valid log record of 12 zero bytes (sequence 0, count 0): LevelDB's unsigned arithmetic makes the last
/// sequence 2^64 - 1. Both engines open it and leave byte-identical files (the MANIFEST records that last
/// sequence). A read or write after it, where Debian's LevelDB (built with assertions) aborts in
/// PackSequenceAndType or VersionSet::SetLastSequence, works in oxleveldb as in a release build of LevelDB
/// (tests/handle_test.rs).
#[test]
fn same_files_after_a_zeroed_batch_record() {
    let dir = tempfile::tempdir().unwrap();
    let (ox, cpp_path) = (dir.path().join("ox"), dir.path().join("cpp"));
    for path in [&ox, &cpp_path] {
        make_db(path);
        let log = file_named(path, ".log");
        let mut writer = oxleveldb::log::Writer::new(
            oxleveldb::env::Env::new_appendable_file(&*default_env(), &log).unwrap(),
        );
        writer.add_record(&[0u8; 12]).unwrap();
    }
    drop(open_ox(&DEFAULT, &ox));
    drop(open_cpp(&DEFAULT, &cpp_path));
    compare_dirs(&ox, &cpp_path, "zeroed batch record");
}
