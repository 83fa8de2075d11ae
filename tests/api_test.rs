//! The crate as a user's program sees it: everything here comes from the crate root (`oxleveldb::X`), nothing
//! from the engine's internal modules. Every operation of the API, keys and values of several `AsRef<[u8]>` types,
//! std iteration over ranges and prefixes, read-only opens (beside a writer, and of LevelDB's own databases,
//! which must stay byte for byte as they were) and snapshots that belong to one database only.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::sync::Arc;

use oxleveldb::{
    destroy_db, repair_db, BloomFilterPolicy, Cache, Code, CompressionType, Options, Range,
    ReadOptions, WriteBatch, WriteOptions, DB,
};

mod common;

fn create() -> Options {
    Options {
        create_if_missing: true,
        ..Options::default()
    }
}

#[test]
fn every_operation_through_the_crate_root() {
    let dir = tempfile::tempdir().unwrap();
    let options = Options {
        filter_policy: Some(Arc::new(BloomFilterPolicy::new(10))),
        block_cache: Some(Arc::new(Cache::new(1 << 20))),
        compression: CompressionType::SnappyCompression,
        ..create()
    };
    let db = DB::open(options.clone(), dir.path()).unwrap();
    let (r, w) = (ReadOptions::default(), WriteOptions { sync: true });

    // Keys and values as &str, String, &[u8], [u8; N], Vec<u8> and &Vec<u8>.
    db.put_opt("str", "1", &w).unwrap();
    db.put_opt(String::from("string"), String::from("2"), &w)
        .unwrap();
    db.put_opt(&b"slice"[..], &b"3"[..], &w).unwrap();
    db.put_opt(*b"array", [4u8], &w).unwrap();
    let (key, value) = (b"vec".to_vec(), b"5".to_vec());
    db.put_opt(&key, &value, &w).unwrap();
    db.put_opt(key.clone(), value, &w).unwrap();
    assert_eq!(db.get_opt("str", &r).unwrap(), Some(b"1".to_vec()));
    assert_eq!(
        db.get_opt(String::from("string"), &r).unwrap(),
        Some(b"2".to_vec())
    );
    assert_eq!(db.get_opt(b"array", &r).unwrap(), Some(vec![4]));
    assert_eq!(db.get_opt(&key, &r).unwrap(), Some(b"5".to_vec()));
    db.delete_opt("str", &w).unwrap();
    assert_eq!(db.get_opt("str", &r).unwrap(), None);

    let mut batch = WriteBatch::new();
    batch.put("b1", "x");
    batch.put("b2", "y");
    batch.delete("string");
    db.write_opt(&batch, &w).unwrap();
    assert_eq!(db.get_opt("b2", &r).unwrap(), Some(b"y".to_vec()));
    assert_eq!(db.get_opt("string", &r).unwrap(), None);

    let snapshot = db.get_snapshot();
    db.put_opt("b1", "changed", &w).unwrap();
    let at = ReadOptions {
        snapshot: Some(snapshot.clone()),
        ..ReadOptions::default()
    };
    assert_eq!(db.get_opt("b1", &at).unwrap(), Some(b"x".to_vec()));
    let then: Vec<_> = db.iter_opt(&at).map(|e| e.unwrap().0).collect();
    assert_eq!(then, [&b"array"[..], b"b1", b"b2", b"slice", b"vec"]);

    let mut cursor = db.new_iterator_opt(&r);
    cursor.seek(b"b");
    assert_eq!(cursor.key(), b"b1");
    assert_eq!(cursor.value(), b"changed");
    cursor.prev();
    assert_eq!(cursor.key(), b"array");
    cursor.seek_to_last();
    assert_eq!(cursor.key(), b"vec");
    assert!(cursor.status().is_ok());
    drop(cursor);

    assert!(db.get_property("leveldb.stats").is_some());
    db.compact_range(None, None).unwrap();
    let sizes = db.get_approximate_sizes(&[Range::new("a", "z")]);
    assert!(sizes[0] > 0);
    drop(snapshot);
    drop(at);
    drop(db);

    repair_db(dir.path(), &options).unwrap();
    let db = DB::open(options.clone(), dir.path()).unwrap();
    assert_eq!(db.get_opt("b1", &r).unwrap(), Some(b"changed".to_vec()));
    drop(db);
    destroy_db(dir.path(), &options).unwrap();
    assert!(DB::open(Options::default(), dir.path()).is_err());
}

#[test]
fn ranges_and_prefixes_follow_a_model() {
    let dir = tempfile::tempdir().unwrap();
    let db = DB::open(create(), dir.path()).unwrap();
    let mut model = BTreeMap::new();
    for i in 0..300u32 {
        let key = format!("{}:{:03}", ["apple", "app", "b", "ap"][i as usize % 4], i);
        db.put(&key, i.to_string()).unwrap();
        model.insert(key.into_bytes(), i.to_string().into_bytes());
    }
    for i in (0..300).step_by(7) {
        let key = format!("{}:{:03}", ["apple", "app", "b", "ap"][i % 4], i);
        db.delete(&key).unwrap();
        model.remove(key.as_bytes());
    }
    db.compact_range(None, Some(b"apple")).unwrap(); // Some in tables, some in the memtable.
    let collect = |it: oxleveldb::DBRange| -> Vec<(Vec<u8>, Vec<u8>)> {
        it.collect::<oxleveldb::Result<_>>().unwrap()
    };
    let model_range = |lo: std::ops::Bound<&[u8]>, hi: std::ops::Bound<&[u8]>| -> Vec<_> {
        model
            .range::<[u8], _>((lo, hi))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    use std::ops::Bound::*;
    assert_eq!(
        collect(db.range("app:".."apple:100")),
        model_range(Included(b"app:"), Excluded(b"apple:100"))
    );
    assert_eq!(
        collect(db.range("app:001"..="b:002")),
        model_range(Included(b"app:001"), Included(b"b:002"))
    );
    assert_eq!(
        collect(db.range("b"..)),
        model_range(Included(b"b"), Unbounded)
    );
    assert_eq!(
        collect(db.range(.."ap;")),
        model_range(Unbounded, Excluded(b"ap;"))
    );
    let apples: Vec<_> = model
        .iter()
        .filter(|(k, _)| k.starts_with(b"apple"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    assert_eq!(collect(db.prefix("apple")), apples);
    assert!(collect(db.prefix("zzz")).is_empty());
    assert_eq!(collect(db.iter()), model_range(Unbounded, Unbounded));
    // A cursor's into_iter starts where the cursor is.
    let mut cursor = db.new_iterator();
    cursor.seek(b"b");
    assert_eq!(
        collect(cursor.into_iter()),
        model_range(Included(b"b"), Unbounded)
    );
}

/// A key of the model test: one to three bytes of {0x00, 'a', 'b', 0xff}, so that bounds fall on keys, between
/// them, and on the bytes a prefix's successor must step over.
fn small_key(code: u8) -> Vec<u8> {
    let alphabet = [0x00, b'a', b'b', 0xff];
    let len = 1 + (code % 3) as usize;
    (0..len)
        .map(|i| alphabet[(code as usize >> (2 + 2 * i)) % 4])
        .collect()
}

fn small_bound(code: u8) -> std::ops::Bound<Vec<u8>> {
    match code % 3 {
        0 => std::ops::Bound::Unbounded,
        1 => std::ops::Bound::Included(small_key(code / 3)),
        _ => std::ops::Bound::Excluded(small_key(code / 3)),
    }
}

/// Small writes drawn by quickcheck: a key code (`small_key`) and a value byte, or `None` for a delete.
type SmallWrites = Vec<(u8, Option<u8>)>;

/// Applies `writes` to `model`, and through `write` to the database.
fn apply_small(
    writes: &[(u8, Option<u8>)],
    model: &mut BTreeMap<Vec<u8>, Vec<u8>>,
    mut write: impl FnMut(&[u8], Option<u8>),
) {
    for &(k, v) in writes {
        let key = small_key(k);
        write(&key, v);
        match v {
            Some(v) => model.insert(key, vec![v]),
            None => model.remove(&key),
        };
    }
}

/// The range and the prefix a model test reads, drawn from three bytes.
struct SmallRange {
    lo: std::ops::Bound<Vec<u8>>,
    hi: std::ops::Bound<Vec<u8>>,
    prefix: Vec<u8>,
}

impl SmallRange {
    fn drawn((lo, hi, prefix): (u8, u8, u8)) -> SmallRange {
        let mut key = small_key(prefix);
        key.truncate(1 + prefix as usize % 2);
        SmallRange {
            lo: small_bound(lo),
            hi: small_bound(hi),
            prefix: key,
        }
    }

    fn bounds(&self) -> (std::ops::Bound<Vec<u8>>, std::ops::Bound<Vec<u8>>) {
        (self.lo.clone(), self.hi.clone())
    }

    /// The model's entries in the range (or under the prefix), in order.
    fn select(
        &self,
        state: &BTreeMap<Vec<u8>, Vec<u8>>,
        by_prefix: bool,
    ) -> std::collections::VecDeque<(Vec<u8>, Vec<u8>)> {
        let in_range =
            |k: &Vec<u8>| std::ops::RangeBounds::contains(&(self.lo.as_ref(), self.hi.as_ref()), k);
        state
            .iter()
            .filter(|(k, _)| {
                if by_prefix {
                    k.starts_with(&self.prefix)
                } else {
                    in_range(k)
                }
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// Takes from `range`'s ends as `ends` says, then from alternate ends until both are exhausted: true if every item
/// is the one `expected` gives from the same end.
fn walk_both_ends(
    mut range: impl DoubleEndedIterator<Item = oxleveldb::Result<(Vec<u8>, Vec<u8>)>>,
    mut expected: std::collections::VecDeque<(Vec<u8>, Vec<u8>)>,
    ends: &[bool],
) -> bool {
    let alternate = [false, true].iter().cycle().take(2 * expected.len() + 2);
    ends.iter().chain(alternate).all(|&from_back| {
        let got = if from_back {
            range.next_back()
        } else {
            range.next()
        };
        let want = if from_back {
            expected.pop_back()
        } else {
            expected.pop_front()
        };
        got.map(Result::unwrap) == want
    })
}

/// `DB::range` and `DB::prefix` taken from both ends, in any mix of `next` and `next_back`, give what a
/// `BTreeMap` gives: with entries in tables, in the memtable and deleted, at the latest state and through a
/// snapshot taken before the last writes.
#[test]
fn ranges_both_ways_follow_a_model() {
    // `ok` is returned through a binding: as the tail expression, the iterator would outlive the locals it borrows.
    #[allow(clippy::let_and_return)]
    fn property(
        tables: SmallWrites,
        memtable: SmallWrites,
        after_snapshot: SmallWrites,
        bounds: (u8, u8, u8),
        ends: Vec<bool>,
    ) -> bool {
        let dir = tempfile::tempdir().unwrap();
        let db = DB::open(create(), dir.path()).unwrap();
        let write = |key: &[u8], v: Option<u8>| match v {
            Some(v) => db.put(key, [v]).unwrap(),
            None => db.delete(key).unwrap(),
        };
        let mut model = BTreeMap::new();
        apply_small(&tables, &mut model, write);
        db.compact_range(None, None).unwrap();
        apply_small(&memtable, &mut model, write);
        let snapshot = db.get_snapshot();
        let at_snapshot = model.clone();
        apply_small(&after_snapshot, &mut model, write);

        let range = SmallRange::drawn(bounds);
        let through_snapshot = ReadOptions {
            snapshot: Some(snapshot),
            ..ReadOptions::default()
        };
        let reads = [
            (&ReadOptions::default(), &model),
            (&through_snapshot, &at_snapshot),
        ];
        let ok = reads.into_iter().all(|(options, state)| {
            walk_both_ends(
                db.prefix_opt(&range.prefix, options),
                range.select(state, true),
                &ends,
            ) && walk_both_ends(
                db.range_opt(range.bounds(), options),
                range.select(state, false),
                &ends,
            )
        });
        ok
    }
    quickcheck::QuickCheck::new().tests(200).quickcheck(
        property as fn(SmallWrites, SmallWrites, SmallWrites, (u8, u8, u8), Vec<bool>) -> bool,
    );
}

/// The cursor has a way in that cannot panic (`current`), and the panics of the others are the documented ones;
/// a cursor turned into a std iterator where it stands runs from there to the end, both ways.
#[test]
fn the_cursor_gives_none_where_key_would_panic() {
    let dir = tempfile::tempdir().unwrap();
    let db = DB::open(create(), dir.path()).unwrap();
    for key in ["a", "b", "c"] {
        db.put(key, key.to_uppercase()).unwrap();
    }
    let mut cursor = db.new_iterator();
    assert_eq!(cursor.current(), None);
    let unpositioned =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cursor.key().to_vec()));
    assert!(
        unpositioned.is_err(),
        "key() of a cursor that is not valid panics, as documented"
    );
    cursor.seek(b"b");
    assert_eq!(cursor.current(), Some((&b"b"[..], &b"B"[..])));
    let from_b: Vec<_> = cursor.into_iter().rev().map(|e| e.unwrap().0).collect();
    assert_eq!(from_b, [b"c".to_vec(), b"b".to_vec()]);
    let mut past_end = db.new_iterator();
    past_end.seek(b"d");
    assert_eq!(past_end.current(), None);
    assert_eq!(past_end.into_iter().next_back().map(|e| e.unwrap()), None);
}

#[test]
fn read_only_opens_beside_a_writer_see_the_state_at_their_open() {
    let dir = tempfile::tempdir().unwrap();
    let writer = DB::open(create(), dir.path()).unwrap();
    for i in 0..1000 {
        writer.put(format!("k{i:04}"), "v1").unwrap();
    }
    writer.compact_range(None, None).unwrap();
    writer.put("in-the-log", "yes").unwrap();

    let reader1 = DB::open_read_only(Options::default(), dir.path()).unwrap();
    writer.put("k0001", "v2").unwrap();
    let reader2 = DB::open_read_only(Options::default(), dir.path()).unwrap();
    assert_eq!(reader1.get("in-the-log").unwrap(), Some(b"yes".to_vec()));
    assert_eq!(reader1.get("k0001").unwrap(), Some(b"v1".to_vec()));
    assert_eq!(reader2.get("k0001").unwrap(), Some(b"v2".to_vec()));
    assert_eq!(reader1.iter().count(), 1001);

    for err in [
        reader1.put("x", "y").unwrap_err(),
        reader1.delete("x").unwrap_err(),
        reader1.write(&WriteBatch::new()).unwrap_err(),
        reader1.compact_range(None, None).unwrap_err(),
    ] {
        assert_eq!(err.code(), Code::NotSupported);
    }
    // The writer was never stopped by the readers' opens.
    writer.put("after", "ok").unwrap();
    assert!(DB::open_read_only(Options::default(), dir.path().join("missing")).is_err());
}

/// Every file of `dir`, with its bytes.
fn snapshot_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_read_only_open_leaves_leveldbs_databases_byte_for_byte() {
    for name in common::fixture_names() {
        let copy = common::copy_fixture_db(&name);
        let before = snapshot_files(copy.path());
        {
            let db = DB::open_read_only(common::fixture_options(&name), copy.path()).unwrap();
            let r = ReadOptions {
                verify_checksums: true,
                ..ReadOptions::default()
            };
            let entries = db.iter_opt(&r).count();
            assert!(entries > 0, "{name}");
            // Reads that charge seeks would schedule compactions in a writable database.
            for (key, _) in db.iter_opt(&r).take(200).map(|e| e.unwrap()) {
                assert!(db.get_opt(&key, &r).unwrap().is_some());
            }
        }
        assert_eq!(
            snapshot_files(copy.path()),
            before,
            "{name}: a read-only open changed the files"
        );
    }
}

#[test]
fn a_snapshot_works_only_with_its_own_database() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let db_a = DB::open(create(), a.path()).unwrap();
    let db_b = DB::open(create(), b.path()).unwrap();
    db_a.put("k", "a").unwrap();
    let foreign = ReadOptions {
        snapshot: Some(db_a.get_snapshot()),
        ..ReadOptions::default()
    };
    assert_eq!(
        db_b.get_opt("k", &foreign).unwrap_err().code(),
        Code::InvalidArgument
    );
    let results: Vec<_> = db_b.iter_opt(&foreign).collect();
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0].as_ref().unwrap_err().code(),
        Code::InvalidArgument
    );
    assert_eq!(db_a.get_opt("k", &foreign).unwrap(), Some(b"a".to_vec()));
}

#[test]
fn errors_show_code_and_message_apart() {
    let dir = tempfile::tempdir().unwrap();
    let err = DB::open(Options::default(), dir.path().join("nothing")).unwrap_err();
    let debug = format!("{err:?}");
    assert!(
        debug.starts_with("Error { code: InvalidArgument, message: \""),
        "{debug}"
    );
    assert!(err.to_string().starts_with("Invalid argument: "));
    assert!(err
        .message()
        .ends_with("does not exist (create_if_missing is false)"));
}

/// Transactions as a user's program sees them: lock timeouts as `Option<Duration>` (`None` waits forever,
/// `Some(Duration::ZERO)` not at all), and `Debug` for the database and its transactions.
#[test]
fn transactions_take_durations_and_show_themselves() {
    use oxleveldb::txn::{TransactionDB, TransactionDBOptions, TransactionOptions};
    use std::time::Duration;

    let dir = tempfile::tempdir().unwrap();
    let db = TransactionDB::open(create(), TransactionDBOptions::default(), dir.path()).unwrap();
    assert!(format!("{db:?}").starts_with("TransactionDB {"), "{db:?}");
    let w = WriteOptions::default();
    let mut holder = db.begin_transaction();
    holder.put("k", "1").unwrap();
    let shown = format!("{holder:?}");
    assert!(
        shown.contains("id: ") && shown.contains("Started"),
        "{shown}"
    );
    let no_wait = TransactionOptions {
        lock_timeout: Some(Duration::ZERO),
        ..TransactionOptions::default()
    };
    let mut waiter = db.begin_transaction_opt(&w, &no_wait);
    assert!(waiter.put("k", "2").unwrap_err().is_timed_out());
    waiter.set_lock_timeout(Some(Duration::from_millis(10)));
    assert!(waiter.put("k", "2").unwrap_err().is_timed_out());
    holder.commit().unwrap();
    waiter.set_lock_timeout(None);
    waiter.put("k", "2").unwrap();
    waiter.commit().unwrap();
    assert_eq!(db.get("k").unwrap().as_deref(), Some(&b"2"[..]));
}

/// A transaction's ranges (RocksDB's `GetIterator`) follow a model: the database's entries (latest, or at the
/// read's snapshot) with the transaction's uncommitted puts and deletes applied, from both ends in any mix; the
/// database itself, and the `TransactionDB`'s ranges, do not see the uncommitted writes.
#[test]
fn transaction_ranges_follow_a_model() {
    use oxleveldb::txn::{TransactionDB, TransactionDBOptions};

    // `ok` is returned through a binding: as the tail expression, the iterator would outlive the locals it borrows.
    #[allow(clippy::let_and_return)]
    fn property(
        committed: SmallWrites,
        after_snapshot: SmallWrites,
        uncommitted: SmallWrites,
        bounds: (u8, u8, u8),
        ends: Vec<bool>,
    ) -> bool {
        let dir = tempfile::tempdir().unwrap();
        let db =
            TransactionDB::open(create(), TransactionDBOptions::default(), dir.path()).unwrap();
        let write = |key: &[u8], v: Option<u8>| match v {
            Some(v) => db.put(key, [v]).unwrap(),
            None => db.delete(key).unwrap(),
        };
        let mut database = BTreeMap::new();
        apply_small(&committed, &mut database, write);
        db.compact_range(Some(b"a"), None).unwrap(); // Some in tables, some in the memtable.
        let snapshot = db.get_snapshot();
        let at_snapshot = database.clone();
        apply_small(&after_snapshot, &mut database, write);

        let mut txn = db.begin_transaction();
        let (mut seen_latest, mut seen_at_snapshot) = (database.clone(), at_snapshot.clone());
        apply_small(&uncommitted, &mut seen_latest, |key, v| match v {
            Some(v) => txn.put(key, [v]).unwrap(),
            None => txn.delete(key).unwrap(),
        });
        apply_small(&uncommitted, &mut seen_at_snapshot, |_, _| {});

        let range = SmallRange::drawn(bounds);
        let through_snapshot = ReadOptions {
            snapshot: Some(snapshot),
            ..ReadOptions::default()
        };
        let reads = [
            (&ReadOptions::default(), &database, &seen_latest),
            (&through_snapshot, &at_snapshot, &seen_at_snapshot),
        ];
        let ok = reads
            .into_iter()
        .all(|(options, base, seen)| {
            walk_both_ends(txn.range_opt(range.bounds(), options), range.select(seen, false), &ends)
                && walk_both_ends(txn.prefix_opt(&range.prefix, options), range.select(seen, true), &ends)
                && walk_both_ends(txn.iter_opt(options), seen.iter().map(|(k, v)| (k.clone(), v.clone())).collect(), &ends)
                // Outside the transaction, its writes are not there.
                && walk_both_ends(db.range_opt(range.bounds(), options), range.select(base, false), &ends)
        });
        ok
    }
    quickcheck::QuickCheck::new().tests(150).quickcheck(
        property as fn(SmallWrites, SmallWrites, SmallWrites, (u8, u8, u8), Vec<bool>) -> bool,
    );
}

/// An open refused because another handle has the LOCK changes nothing: not the running database's LOG (LevelDB
/// would move it to LOG.old and start an empty one), not any other file.
#[test]
fn a_refused_open_leaves_the_log_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = DB::open(create(), dir.path()).unwrap();
    db.put("k", "v").unwrap();
    let before = snapshot_files(dir.path());
    assert!(before.contains_key("LOG") && !before.contains_key("LOG.old"));
    let err = DB::open(create(), dir.path()).unwrap_err();
    assert!(
        err.to_string().starts_with("IO error: lock ") && err.to_string().contains("LOCK"),
        "{err}"
    );
    assert_eq!(
        snapshot_files(dir.path()),
        before,
        "the refused open changed a file"
    );
    drop(db);
    // Once the handle is gone, an open goes through, and starts a new LOG as LevelDB does.
    drop(DB::open(create(), dir.path()).unwrap());
    assert!(snapshot_files(dir.path()).contains_key("LOG.old"));
}

/// Every call has two forms, as in the `rocksdb` crate: `put(k, v)`, `get(k)`, ... with LevelDB's default options,
/// and `put_opt(k, v, &options)`, `get_opt(k, &options)`, ... taking them. The short form is the long one with
/// `default()`; the long one honours what it is given (here a snapshot, and a synced write).
#[test]
fn each_call_has_a_default_form_and_an_opt_twin() {
    use oxleveldb::txn::{TransactionDB, TransactionDBOptions, TransactionOptions};

    fn keys(range: impl Iterator<Item = oxleveldb::Result<(Vec<u8>, Vec<u8>)>>) -> Vec<Vec<u8>> {
        range.map(|e| e.unwrap().0).collect()
    }

    let dir = tempfile::tempdir().unwrap();
    let db = DB::open(create(), dir.path().join("db")).unwrap();
    db.put("a1", "1").unwrap();
    db.put_opt("a2", "2", &WriteOptions { sync: true }).unwrap();
    let mut batch = WriteBatch::new();
    batch.put("b1", "3");
    db.write(&batch).unwrap();
    let old = ReadOptions {
        snapshot: Some(db.get_snapshot()),
        ..ReadOptions::default()
    };
    db.delete("a1").unwrap();
    db.delete_opt("b1", &WriteOptions { sync: true }).unwrap();
    batch.clear();
    batch.put("c1", "4");
    db.write_opt(&batch, &WriteOptions { sync: true }).unwrap();

    let now = ReadOptions::default();
    assert_eq!(db.get("a1").unwrap(), db.get_opt("a1", &now).unwrap());
    assert_eq!(db.get("a1").unwrap(), None);
    assert_eq!(db.get_opt("a1", &old).unwrap(), Some(b"1".to_vec()));
    assert_eq!(keys(db.iter()), [b"a2".to_vec(), b"c1".to_vec()]);
    assert_eq!(keys(db.iter()), keys(db.iter_opt(&now)));
    assert_eq!(keys(db.iter_opt(&old)), [&b"a1"[..], b"a2", b"b1"]);
    assert_eq!(keys(db.range("a2".."c")), [b"a2".to_vec()]);
    assert_eq!(keys(db.range_opt("a2".."c", &old)), [&b"a2"[..], b"b1"]);
    assert_eq!(keys(db.prefix("a")), [b"a2".to_vec()]);
    assert_eq!(keys(db.prefix_opt("a", &old)), [&b"a1"[..], b"a2"]);
    let mut cursor = db.new_iterator();
    cursor.seek_to_first();
    assert_eq!(cursor.key(), b"a2");
    let mut cursor = db.new_iterator_opt(&old);
    cursor.seek_to_first();
    assert_eq!(cursor.key(), b"a1");
    drop((cursor, old, db));

    let txn_db = TransactionDB::open(
        create(),
        TransactionDBOptions::default(),
        dir.path().join("txn"),
    )
    .unwrap();
    txn_db.put("a1", "1").unwrap();
    txn_db
        .put_opt("a2", "2", &WriteOptions { sync: true })
        .unwrap();
    let old = ReadOptions {
        snapshot: Some(txn_db.get_snapshot()),
        ..ReadOptions::default()
    };
    txn_db.delete("a1").unwrap();
    txn_db
        .delete_opt("a2", &WriteOptions { sync: true })
        .unwrap();
    batch.clear();
    batch.put("b1", "3");
    txn_db.write(&batch).unwrap();
    batch.clear();
    batch.put("b2", "4");
    txn_db
        .write_opt(&batch, &WriteOptions { sync: true })
        .unwrap();
    assert_eq!(txn_db.get("a1").unwrap(), None);
    assert_eq!(txn_db.get_opt("a1", &old).unwrap(), Some(b"1".to_vec()));
    assert_eq!(keys(txn_db.iter()), [&b"b1"[..], b"b2"]);
    assert_eq!(keys(txn_db.iter_opt(&old)), [&b"a1"[..], b"a2"]);
    assert_eq!(keys(txn_db.range(.."b2")), [b"b1".to_vec()]);
    assert_eq!(keys(txn_db.range_opt(.."a2", &old)), [b"a1".to_vec()]);
    assert_eq!(keys(txn_db.prefix("b")), [&b"b1"[..], b"b2"]);
    assert_eq!(keys(txn_db.prefix_opt("b", &old)), Vec::<Vec<u8>>::new());
    let mut cursor = txn_db.new_iterator_opt(&old);
    cursor.seek_to_last();
    assert_eq!(cursor.key(), b"a2");
    drop(cursor);

    let mut txn = txn_db.begin_transaction();
    txn.put("c1", "5").unwrap();
    assert_eq!(txn.get("c1").unwrap(), Some(b"5".to_vec()));
    assert_eq!(txn.get("a1").unwrap(), None);
    assert_eq!(txn.get_opt("a1", &old).unwrap(), Some(b"1".to_vec()));
    assert_eq!(txn.get_for_update("b1", true).unwrap(), Some(b"3".to_vec()));
    assert_eq!(
        txn.get_for_update_opt("a2", false, &old).unwrap(),
        Some(b"2".to_vec())
    );
    assert_eq!(keys(txn.iter()), [&b"b1"[..], b"b2", b"c1"]);
    assert_eq!(keys(txn.iter_opt(&old)), [&b"a1"[..], b"a2", b"c1"]);
    assert_eq!(keys(txn.range("b2"..)), [&b"b2"[..], b"c1"]);
    assert_eq!(keys(txn.range_opt("a2"..="b", &old)), [b"a2".to_vec()]);
    assert_eq!(keys(txn.prefix("c")), [b"c1".to_vec()]);
    assert_eq!(keys(txn.prefix_opt("a", &old)), [&b"a1"[..], b"a2"]);
    // b1 is locked by txn: another transaction that will not wait gives up at once.
    let mut other = txn_db.begin_transaction_opt(
        &WriteOptions { sync: true },
        &TransactionOptions {
            lock_timeout: Some(std::time::Duration::ZERO),
            ..TransactionOptions::default()
        },
    );
    assert!(other.put("b1", "x").unwrap_err().is_timed_out());
    txn.commit().unwrap();
    other.put("b1", "x").unwrap();
    other.commit().unwrap();
    assert_eq!(keys(txn_db.iter()), [&b"b1"[..], b"b2", b"c1"]);
    assert_eq!(txn_db.get("b1").unwrap(), Some(b"x".to_vec()));
}
