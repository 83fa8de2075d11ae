//! The seed corpora: inputs for every target made from the databases LevelDB 1.23 wrote (tests/fixtures/), from
//! small databases and tables written here (whose bytes equal LevelDB's, as the compatibility tests check), and
//! from the differential package's workload generator.
//!
//! Seeds are cut small (logs to two blocks, blocks and records whole, tables and directories of a few KiB) so
//! that libFuzzer's default maximum length, the largest seed, stays a few KiB and runs stay fast.
//!
//! Invariant: every seed is made from the repository alone (tests/fixtures/ and code), the same on every run.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use leveldb_differential::generate;
use oxleveldb::env::{default_env, read_file_to_string, Env, MemEnv};
use oxleveldb::log::Reader;
use oxleveldb::table::block::Block;
use oxleveldb::table::format::{read_block, BlockHandle, Footer};
use oxleveldb::table::iterator::Iterator as _;
use oxleveldb::table::TableBuilder;
use oxleveldb::util::bloom::BloomFilterPolicy;
use oxleveldb::util::snappy;
use oxleveldb::{CompressionType, Options, DB};

use super::{db_ops_input, dir_input};

/// A seed: the target it is for, a name, the input.
pub type Seed = (&'static str, String, Vec<u8>);

/// A fixture log or MANIFEST is cut to this many bytes (two log blocks).
const LOG_PREFIX: usize = 64 << 10;
/// Blocks larger than this (a block of one large value) are left out.
const MAX_BLOCK: usize = 16 << 10;
/// Records (write batches, version edits) taken per file, at most.
const RECORDS_PER_FILE: usize = 8;

/// The records of a log file's first bytes.
fn records(contents: &[u8]) -> Vec<Vec<u8>> {
    let env = MemEnv::new(default_env());
    let path = Path::new("/seed.log");
    oxleveldb::env::write_string_to_file(&env, contents, path).expect("MemEnv writes");
    let mut reader = Reader::new(
        env.new_sequential_file(path).expect("written"),
        None,
        true,
        0,
    );
    let (mut out, mut record) = (Vec::new(), Vec::new());
    while out.len() < RECORDS_PER_FILE && reader.read_record(&mut record) {
        out.push(record.clone());
    }
    out
}

/// The index block and the first data block of a table.
fn blocks(contents: &[u8]) -> Vec<Vec<u8>> {
    let env = MemEnv::new(default_env());
    let path = Path::new("/seed.ldb");
    oxleveldb::env::write_string_to_file(&env, contents, path).expect("MemEnv writes");
    let file = env.new_random_access_file(path).expect("written");
    let Some(footer) = contents
        .len()
        .checked_sub(Footer::ENCODED_LENGTH)
        .and_then(|at| Footer::decode_from(&contents[at..]).ok())
    else {
        return Vec::new();
    };
    let Ok(index) = read_block(&*file, true, &footer.index_handle) else {
        return Vec::new();
    };
    let mut out = vec![index.data.clone()];
    let index = Arc::new(Block::new(index.data));
    let mut iter = index.iter(oxleveldb::bytewise_comparator());
    iter.seek_to_first();
    if iter.valid() {
        let mut handle = iter.value();
        if let Ok(handle) = BlockHandle::decode_from(&mut handle) {
            if let Ok(block) = read_block(&*file, true, &handle) {
                out.push(block.data);
            }
        }
    }
    out
}

/// Seeds from each fixture database LevelDB 1.23 wrote: logs, their records, MANIFEST records, table blocks,
/// the directory without its tables (a database whose tables are missing), and snappy streams of the dumps.
fn fixture_seeds(fixtures: &Path, seeds: &mut Vec<Seed>) {
    let Ok(dirs) = fs::read_dir(fixtures) else {
        return;
    };
    let mut dirs: Vec<_> = dirs
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("db").is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let fixture = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let mut names: Vec<String> = fs::read_dir(dir.join("db"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let mut small_files = Vec::new();
        for name in names {
            let Ok(contents) = fs::read(dir.join("db").join(&name)) else {
                continue;
            };
            let prefix = &contents[..contents.len().min(LOG_PREFIX)];
            let seed_name = |kind: &str, i: usize| format!("{fixture}-{name}-{kind}{i}");
            if name.ends_with(".log") {
                seeds.push(("log_reader", seed_name("log", 0), prefix.to_vec()));
                for (i, record) in records(prefix).into_iter().enumerate() {
                    seeds.push(("write_batch", seed_name("batch", i), record));
                }
            } else if name.starts_with("MANIFEST-") {
                seeds.push(("log_reader", seed_name("manifest", 0), prefix.to_vec()));
                for (i, record) in records(prefix).into_iter().enumerate() {
                    seeds.push(("version_edit", seed_name("edit", i), record));
                }
            } else if name.ends_with(".ldb") {
                let small = blocks(&contents)
                    .into_iter()
                    .filter(|b| b.len() <= MAX_BLOCK);
                for (i, block) in small.enumerate() {
                    let mut compressed = Vec::new();
                    snappy::compress(&block, &mut compressed);
                    seeds.push(("snappy_decompress", seed_name("block", i), compressed));
                    seeds.push(("snappy_roundtrip", seed_name("block", i), block.clone()));
                    seeds.push(("block", seed_name("block", i), block));
                }
                continue;
            }
            if contents.len() <= LOG_PREFIX {
                small_files.push((name, contents));
            }
        }
        let mut directory = vec![0];
        directory.extend(dir_input::encode(&small_files));
        seeds.push((
            "recovery",
            format!("{fixture}-without-tables"),
            directory.clone(),
        ));
        seeds.push((
            "recovery_differential",
            format!("{fixture}-without-tables"),
            directory,
        ));
    }
}

/// The files of a database on `env` at `/db`.
fn files_of(env: &dyn Env) -> Vec<(String, Vec<u8>)> {
    let dbname = Path::new("/db");
    let mut names = env.get_children(dbname).expect("the database's directory");
    names.sort();
    names
        .into_iter()
        .filter(|name| name != "LOCK" && !name.starts_with("LOG"))
        .map(|name| {
            let contents = read_file_to_string(env, &dbname.join(&name)).expect("a listed file");
            (name, contents)
        })
        .collect()
}

/// Small databases written here: a log only, a table and a log, compacted tables; with and without snappy and a
/// bloom filter.
fn database_seeds(seeds: &mut Vec<Seed>) {
    for (variant, compression, bloom) in [
        ("snappy", CompressionType::SnappyCompression, false),
        ("none-bloom", CompressionType::NoCompression, true),
    ] {
        let env: Arc<dyn Env> = Arc::new(MemEnv::new(default_env()));
        let options = Options {
            env: env.clone(),
            create_if_missing: true,
            compression,
            filter_policy: bloom.then(|| Arc::new(BloomFilterPolicy::new(10)) as Arc<_>),
            ..Options::default()
        };
        for stage in ["log", "table", "compacted"] {
            let db = DB::open(options.clone(), "/db").expect("a database on MemEnv");
            for i in 0..20 {
                let value = format!("{stage}-value-{i}-").repeat(i % 4 + 1);
                db.put(format!("key{:03}", i * 3 % 20), value).expect("put");
            }
            db.delete("key007").expect("delete");
            if stage == "compacted" {
                db.compact_range(None, None).expect("compact");
            }
            drop(db);
            let files = files_of(&*env);
            let mut input = vec![0];
            input.extend(dir_input::encode(&files));
            seeds.push(("recovery", format!("{variant}-{stage}"), input.clone()));
            seeds.push(("recovery_differential", format!("{variant}-{stage}"), input));
            for (name, contents) in files {
                if name.ends_with(".ldb") {
                    // The flags byte of the table target: checksums on, and a bloom filter when it has one.
                    let flags = 2 | if bloom { 4 } else { 0 };
                    seeds.push((
                        "table",
                        format!("{variant}-{stage}-{name}"),
                        [&[flags][..], &contents].concat(),
                    ));
                }
            }
        }
    }
}

/// A table built here with many small blocks (restart interval 1 and 2, block size 256).
fn table_seed(restart_interval: usize) -> Vec<u8> {
    let env = MemEnv::new(default_env());
    let path = Path::new("/t.ldb");
    let options = Options {
        block_size: 256,
        block_restart_interval: restart_interval,
        ..Options::default()
    };
    let mut builder = TableBuilder::new(
        &options,
        env.new_writable_file(path).expect("MemEnv writes"),
    );
    for i in 0..40 {
        builder.add(
            format!("k{i:04}").as_bytes(),
            format!("v{i}").repeat(i % 5).as_bytes(),
        );
    }
    builder.finish().expect("MemEnv writes");
    let mut out = vec![2];
    out.extend(read_file_to_string(&env, path).expect("written"));
    out
}

/// Every target's seeds; `fixtures` is tests/fixtures/leveldb-1.23 of the repository.
pub fn all(fixtures: &Path) -> Vec<Seed> {
    let mut seeds = Vec::new();
    fixture_seeds(fixtures, &mut seeds);
    database_seeds(&mut seeds);
    for interval in [1, 2] {
        seeds.push((
            "table",
            format!("built-restart{interval}"),
            table_seed(interval),
        ));
    }
    for seed in 0..12 {
        let log = generate(seed, 40);
        seeds.push((
            "oplog",
            format!("generated-{seed}"),
            log.to_string().into_bytes(),
        ));
        let input = db_ops_input::encode(&log);
        seeds.push(("db_ops", format!("generated-{seed}"), input.clone()));
        seeds.push(("db_ops_differential", format!("generated-{seed}"), input));
    }
    for text in [
        &b""[..],
        b"a",
        b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        b"abcabcabcabcabcxyzabc",
    ] {
        let mut compressed = Vec::new();
        snappy::compress(text, &mut compressed);
        seeds.push((
            "snappy_decompress",
            format!("text-{}", text.len()),
            compressed,
        ));
        seeds.push((
            "snappy_roundtrip",
            format!("text-{}", text.len()),
            text.to_vec(),
        ));
    }
    seeds
}
