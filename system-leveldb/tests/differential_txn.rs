//! Transactions leave LevelDB's files: a database written through oxleveldb's transactions (several threads,
//! read-modify-writes, deletes, save points, rollbacks, writes outside transactions, flushes and compactions)
//! opens in the system's C++ LevelDB 1.23 with identical contents, and a database C++ LevelDB then writes opens
//! again for transactions.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use oxleveldb::txn::{TransactionDB, TransactionDBOptions, TransactionOptions};
use oxleveldb::util::random::Random;
use oxleveldb::{Options, WriteOptions};
use system_leveldb as cpp;

const THREADS: u32 = 4;
const TXNS_PER_THREAD: u32 = 150;
const COUNTERS: u32 = 40;
const KEYS_PER_TXN: usize = 3;

fn counter_key(i: u32) -> Vec<u8> {
    format!("counter{i:02}").into_bytes()
}

/// A counter's value: the count, then padding so that the small write buffer fills and tables get written.
fn counter_value(count: u64) -> Vec<u8> {
    let mut value = count.to_le_bytes().to_vec();
    value.extend(std::iter::repeat_n(b'.', 200));
    value
}

fn count_of(value: &[u8]) -> u64 {
    u64::from_le_bytes(value[..8].try_into().unwrap())
}

fn ox_options() -> Options {
    Options {
        create_if_missing: true,
        write_buffer_size: 32 << 10,
        ..Options::default()
    }
}

fn ox_entries(db: &TransactionDB) -> Vec<(Vec<u8>, Vec<u8>)> {
    db.new_iterator()
        .into_iter()
        .map(|item| item.unwrap())
        .collect()
}

fn cpp_entries(db: &cpp::Db) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut iter = db.iter(&cpp::ReadOptions::new());
    let mut entries = Vec::new();
    iter.seek_to_first();
    while iter.valid() {
        entries.push((iter.key().to_vec(), iter.value().to_vec()));
        iter.next();
    }
    iter.status().unwrap();
    entries
}

/// Runs the transactions; returns how many counter increments were committed.
fn write_through_transactions(db: &TransactionDB) -> u64 {
    let increments = AtomicU64::new(0);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (db, increments) = (db, &increments);
            s.spawn(move || {
                let mut rnd = Random::new(100 + t);
                let options = TransactionOptions {
                    deadlock_detect: true,
                    ..TransactionOptions::default()
                };
                for i in 0..TXNS_PER_THREAD {
                    let keys: Vec<u32> = (0..KEYS_PER_TXN).map(|_| rnd.uniform(COUNTERS)).collect();
                    let roll_back = rnd.one_in(8);
                    let save_point = rnd.one_in(5);
                    let scratch = format!("scratch{}", rnd.uniform(10));
                    loop {
                        let mut txn = db.begin_transaction_opt(&WriteOptions::default(), &options);
                        let result = (|| -> oxleveldb::Result<u64> {
                            let mut done = 0;
                            for &k in &keys {
                                let count = txn
                                    .get_for_update(counter_key(k), true)?
                                    .map_or(0, |v| count_of(&v));
                                txn.put(counter_key(k), counter_value(count + 1))?;
                                done += 1;
                            }
                            if save_point {
                                txn.set_save_point();
                                txn.put(format!("never{t}/{i}"), "rolled back to a save point")?;
                                txn.delete(counter_key(keys[0]))?;
                                txn.rollback_to_save_point()?;
                            }
                            // Scratch keys come and go.
                            if txn.get_for_update(&scratch, true)?.is_some() {
                                txn.delete(&scratch)?;
                            } else {
                                txn.put(&scratch, format!("{t}/{i}"))?;
                            }
                            if roll_back {
                                txn.put(format!("never{t}/{i}"), "rolled back")?;
                                txn.rollback()?;
                                return Ok(0);
                            }
                            txn.commit()?;
                            Ok(done)
                        })();
                        match result {
                            Ok(done) => {
                                increments.fetch_add(done, Ordering::Relaxed);
                                break;
                            }
                            Err(e) if e.is_deadlock() || e.is_timed_out() => continue,
                            Err(e) => panic!("{e}"),
                        }
                    }
                    if i % 10 == 0 {
                        db.put(format!("outside{t}/{i}"), "x").unwrap();
                    }
                    if i % 50 == 25 && t == 0 {
                        db.compact_range(None, None).unwrap();
                    }
                }
            });
        }
    });
    increments.into_inner()
}

fn check_counters(entries: &[(Vec<u8>, Vec<u8>)], increments: u64) {
    let sum: u64 = entries
        .iter()
        .filter(|(k, _)| k.starts_with(b"counter"))
        .map(|(_, v)| count_of(v))
        .sum();
    assert_eq!(sum, increments, "every committed increment, no other");
    assert!(
        entries.iter().all(|(k, _)| !k.starts_with(b"never")),
        "nothing rolled back"
    );
}

#[test]
fn leveldb_opens_a_database_written_through_transactions() {
    let dir = tempfile::tempdir().unwrap();
    let path: &Path = dir.path();
    let (expected, increments) = {
        let db = TransactionDB::open(ox_options(), TransactionDBOptions::default(), path).unwrap();
        let increments = write_through_transactions(&db);
        let entries = ox_entries(&db);
        check_counters(&entries, increments);
        (entries, increments)
    };
    assert!(
        std::fs::read_dir(path).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".ldb")),
        "the run wrote tables, not only a log"
    );

    // C++ LevelDB reads the same contents, then writes some of its own.
    {
        let mut options = cpp::Options::new();
        options.set_create_if_missing(false);
        let db = cpp::Db::open(&options, path).unwrap();
        assert_eq!(
            cpp_entries(&db),
            expected,
            "LevelDB reads what the transactions wrote"
        );
        db.put(
            &cpp::WriteOptions::new(),
            b"counter00",
            &counter_value(1_000),
        )
        .unwrap();
        db.put(&cpp::WriteOptions::new(), b"from-leveldb", b"1")
            .unwrap();
    }

    // And the database opens for transactions again, with LevelDB's writes.
    let db = TransactionDB::open(ox_options(), TransactionDBOptions::default(), path).unwrap();
    let mut txn =
        db.begin_transaction_opt(&WriteOptions { sync: true }, &TransactionOptions::default());
    let count = count_of(&txn.get_for_update(counter_key(0), true).unwrap().unwrap());
    assert_eq!(count, 1_000);
    txn.put(counter_key(0), counter_value(count + 1)).unwrap();
    txn.commit().unwrap();
    assert_eq!(db.get("from-leveldb").unwrap().as_deref(), Some(&b"1"[..]));
    assert!(increments > 0);
}
