//! Chapter 3: the write batch and the memtable. Graded against LevelDB's log records (every write batch LevelDB
//! logged, rebuilt from its updates, must be the same bytes) and against a model of versioned keys.

use std::collections::BTreeMap;

use course::ch03_memtable::*;
use course::explain::batch_offset;
use course::fixtures::{files, log_records, FIXTURES};
use course::grade::assert_same_bytes;
use quickcheck::{Arbitrary, Gen, QuickCheck};

#[test]
fn t1_a_batch_is_a_header_and_tagged_records() {
    let mut batch = WriteBatch::new();
    batch.put(b"a", b"b");
    batch.delete(b"c");
    batch.set_sequence(100);
    let expected = [
        100, 0, 0, 0, 0, 0, 0, 0, // sequence
        2, 0, 0, 0, // count
        1, 1, b'a', 1, b'b', // kTypeValue "a" "b"
        0, 1, b'c', // kTypeDeletion "c"
    ];
    assert_same_bytes(
        "put(a, b); delete(c) at 100",
        &expected,
        batch.contents(),
        |at| batch_offset(&expected, at),
    );
    assert_eq!((batch.sequence(), batch.count()), (100, 2));
}

/// A batch's updates, for the properties.
#[derive(Clone, Debug)]
struct Ops(Vec<Op>);

impl Arbitrary for Ops {
    fn arbitrary(g: &mut Gen) -> Self {
        let n = usize::arbitrary(g) % 20;
        Ops((0..n)
            .map(|_| {
                let key = vec![b'a' + u8::arbitrary(g) % 4; usize::arbitrary(g) % 3 + 1];
                if bool::arbitrary(g) {
                    Op::Put(key, Vec::<u8>::arbitrary(g))
                } else {
                    Op::Delete(key)
                }
            })
            .collect())
    }
}

fn batch_of(ops: &[Op], sequence: u64) -> WriteBatch {
    let mut batch = WriteBatch::new();
    for op in ops {
        match op {
            Op::Put(k, v) => batch.put(k, v),
            Op::Delete(k) => batch.delete(k),
        }
    }
    batch.set_sequence(sequence);
    batch
}

#[test]
fn t2_a_batch_reads_back_its_updates() {
    fn prop(ops: Ops, sequence: u64) -> bool {
        let batch = batch_of(&ops.0, sequence);
        batch.ops() == Ok(ops.0.clone())
            && batch.count() as usize == ops.0.len()
            && batch.sequence() == sequence
    }
    QuickCheck::new().quickcheck(prop as fn(Ops, u64) -> bool);
}

#[test]
fn t3_bad_batches_are_refused() {
    let mut batch = WriteBatch::new();
    batch.put(b"key", b"value");
    batch.delete(b"gone");
    let good = batch.contents().to_vec();
    let error = |bytes: &[u8]| match WriteBatch::from_contents(bytes) {
        Err(e) => e,
        Ok(batch) => batch.ops().expect_err("bad bytes must not parse"),
    };
    assert!(error(&good[..11]).contains("malformed WriteBatch (too small)"));
    assert!(
        error(&good[..16]).contains("bad WriteBatch Put"),
        "a put cut short"
    );
    assert!(
        error(&good[..good.len() - 1]).contains("bad WriteBatch Delete"),
        "a delete cut short"
    );
    let mut bad_tag = good.clone();
    bad_tag[12] = 7;
    assert!(error(&bad_tag).contains("unknown WriteBatch tag"));
    let mut bad_count = good.clone();
    bad_count[8] = 3;
    assert!(error(&bad_count).contains("WriteBatch has wrong count"));
}

#[test]
fn t4_leveldbs_logged_batches_are_rebuilt_byte_for_byte() {
    let mut batches = 0;
    for name in FIXTURES {
        for path in files(name, |f| f.ends_with(".log")) {
            for (i, record) in log_records(&path).iter().enumerate() {
                let logged = WriteBatch::from_contents(record).unwrap();
                let ops = logged.ops().unwrap();
                let rebuilt = batch_of(&ops, logged.sequence());
                let what = format!(
                    "{name}/{}, record {i}",
                    path.file_name().unwrap().to_string_lossy()
                );
                assert_same_bytes(&what, record, rebuilt.contents(), |at| {
                    batch_offset(record, at)
                });
                batches += 1;
            }
        }
    }
    assert!(batches > 100, "{batches} batches");
}

#[test]
fn t5_an_internal_key_is_the_user_key_and_a_tag() {
    let mut key = Vec::new();
    append_internal_key(&mut key, b"a", 1, ValueType::Value);
    assert_eq!(key, [b'a', 1, 1, 0, 0, 0, 0, 0, 0]);
    fn prop(user_key: Vec<u8>, seq: u64, value: bool) -> bool {
        let seq = seq >> 8; // Sequence numbers have 56 bits.
        let t = if value {
            ValueType::Value
        } else {
            ValueType::Deletion
        };
        let mut key = Vec::new();
        append_internal_key(&mut key, &user_key, seq, t);
        parse_internal_key(&key) == Some((&user_key[..], seq, t))
    }
    QuickCheck::new().quickcheck(prop as fn(Vec<u8>, u64, bool) -> bool);
    assert_eq!(parse_internal_key(b"short"), None, "shorter than a tag");
    assert_eq!(parse_internal_key(b"k\x07\x01\0\0\0\0\0\0"), None, "type 7");
}

/// The model: each key's versions, (sequence, value or deletion).
type Model = BTreeMap<Vec<u8>, Vec<(u64, Option<Vec<u8>>)>>;

fn model_get(model: &Model, key: &[u8], sequence: u64) -> Lookup {
    let newest = model.get(key).and_then(|versions| {
        versions
            .iter()
            .filter(|(s, _)| *s <= sequence)
            .max_by_key(|(s, _)| *s)
    });
    match newest {
        None => Lookup::NotPresent,
        Some((_, None)) => Lookup::Deleted,
        Some((_, Some(v))) => Lookup::Found(v.clone()),
    }
}

#[test]
fn t6_a_lookup_sees_the_newest_entry_at_or_below_its_sequence() {
    fn prop(ops: Ops, probes: Vec<(u8, u8)>) -> bool {
        let mut memtable = MemTable::new();
        let mut model = Model::new();
        for (i, op) in ops.0.iter().enumerate() {
            let seq = i as u64 + 1;
            let (key, value) = match op {
                Op::Put(k, v) => (k, Some(v.clone())),
                Op::Delete(k) => (k, None),
            };
            let t = if value.is_some() {
                ValueType::Value
            } else {
                ValueType::Deletion
            };
            memtable.add(seq, t, key, value.as_deref().unwrap_or_default());
            model.entry(key.clone()).or_default().push((seq, value));
        }
        let n = ops.0.len() as u64 + 1;
        probes.iter().all(|&(k, s)| {
            let key = vec![b'a' + k % 5; usize::from(k % 3) + 1];
            let seq = u64::from(s) % (n + 1);
            memtable.get(&key, seq) == model_get(&model, &key, seq)
        })
    }
    QuickCheck::new().quickcheck(prop as fn(Ops, Vec<(u8, u8)>) -> bool);
}

#[test]
fn t7_leveldbs_logged_batches_fill_a_memtable() {
    let path = &files("basic-snappy", |f| f.ends_with(".log"))[0];
    let mut memtable = MemTable::new();
    let mut model = Model::new();
    let mut last = 0;
    for record in log_records(path) {
        let batch = WriteBatch::from_contents(&record).unwrap();
        memtable.insert_batch(&batch).unwrap();
        for (i, op) in batch.ops().unwrap().into_iter().enumerate() {
            let seq = batch.sequence() + i as u64;
            match op {
                Op::Put(k, v) => model.entry(k).or_default().push((seq, Some(v))),
                Op::Delete(k) => model.entry(k).or_default().push((seq, None)),
            }
            last = seq;
        }
    }
    let entries = memtable.entries();
    assert_eq!(entries.len(), model.values().map(Vec::len).sum::<usize>());
    // In order: user key ascending, newest first.
    for pair in entries.windows(2) {
        let (a, b) = (
            parse_internal_key(&pair[0].0).unwrap(),
            parse_internal_key(&pair[1].0).unwrap(),
        );
        assert!(
            (a.0, std::cmp::Reverse(a.1)) < (b.0, std::cmp::Reverse(b.1)),
            "{a:?} before {b:?}"
        );
    }
    for key in model.keys() {
        for seq in [last, last / 2] {
            assert_eq!(
                memtable.get(key, seq),
                model_get(&model, key, seq),
                "{key:?} at {seq}"
            );
        }
    }
}
