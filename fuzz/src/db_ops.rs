//! Targets `db_ops` and `db_ops_differential`: a database driven by an operation sequence decoded from the input
//! (see [`super::db_ops_input`]).
//!
//! `db_ops` (RocksDB's db_map_fuzzer, on `MemEnv`): every answer is checked against a `BTreeMap` model, across
//! reopens, snapshots (each keeps a copy of the model as of its taking), manual compactions and memtable flushes;
//! every write, compaction and reopen must succeed (nothing damages this database).
//!
//! `db_ops_differential`: the same operations (but the memtable flushes, which LevelDB's C API lacks) on oxleveldb
//! and on the system's LevelDB 1.23, through the differential package's lockstep runner, which compares every
//! answer, every error and, where timing cannot decide them, the files byte for byte.

use std::collections::BTreeMap;

use std::sync::Arc;

use leveldb_differential::engine::Move;
use leveldb_differential::oplog::{BatchItem, IterStart};
use leveldb_differential::{ox_options, run_in, CppEngine, Op, OxEngine};
use oxleveldb::env::{default_env, MemEnv};
use oxleveldb::{DBIterator, ReadOptions, Snapshot, WriteBatch, DB};

use super::db_ops_input::{decode, to_log, Step};
use super::recovery::scratch_parent;

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

/// The database under test and what it should hold.
struct Checked {
    db: Option<DB>,
    options: oxleveldb::Options,
    model: Model,
    /// Live snapshots by id: the database's handle and the model as of it.
    snapshots: BTreeMap<u32, (Snapshot, Model)>,
}

impl Checked {
    fn db(&self) -> &DB {
        self.db.as_ref().expect("the database is open")
    }

    /// The read options and the model for a read at `snapshot` (or the latest state).
    fn view(&self, snapshot: Option<u32>) -> (ReadOptions, &Model) {
        match snapshot.map(|id| &self.snapshots[&id]) {
            Some((snapshot, model)) => (
                ReadOptions {
                    snapshot: Some(snapshot.clone()),
                    ..ReadOptions::default()
                },
                model,
            ),
            None => (ReadOptions::default(), &self.model),
        }
    }

    fn reopen(&mut self) {
        self.snapshots.clear();
        self.db = None;
        self.db = Some(DB::open(self.options.clone(), "/db").expect("reopen"));
    }

    fn step(&mut self, step: &Step) {
        let op = match step {
            Step::CompactMemTable => {
                return self
                    .db()
                    .test_compact_mem_table()
                    .expect("TEST_CompactMemTable");
            }
            Step::Op(op) => op,
        };
        match op {
            Op::Put(k, v) => {
                let (k, v) = (k.bytes(), v.bytes());
                self.db().put(&k, &v).expect("put");
                self.model.insert(k, v);
            }
            Op::Delete(k) => {
                let k = k.bytes();
                self.db().delete(&k).expect("delete");
                self.model.remove(&k);
            }
            Op::Batch(items) => {
                let mut batch = WriteBatch::new();
                for item in items {
                    match item {
                        BatchItem::Put(k, v) => {
                            batch.put(k.bytes(), v.bytes());
                            self.model.insert(k.bytes(), v.bytes());
                        }
                        BatchItem::Delete(k) => {
                            batch.delete(k.bytes());
                            self.model.remove(&k.bytes());
                        }
                    }
                }
                self.db().write(&batch).expect("write");
            }
            Op::Get { snapshot, key } => {
                let (r, model) = self.view(*snapshot);
                let key = key.bytes();
                let got = self.db().get_opt(&key, &r).expect("get");
                assert_eq!(got.as_ref(), model.get(&key), "get {key:?} at {snapshot:?}");
            }
            Op::Scan { snapshot, reverse } => {
                let (r, model) = self.view(*snapshot);
                let mut iter = self.db().new_iterator_opt(&r);
                let mut entries = Vec::new();
                if *reverse {
                    iter.seek_to_last();
                } else {
                    iter.seek_to_first();
                }
                while iter.valid() {
                    entries.push((iter.key().to_vec(), iter.value().to_vec()));
                    if *reverse {
                        iter.prev();
                    } else {
                        iter.next();
                    }
                }
                iter.status().expect("scan");
                let mut expected: Vec<_> =
                    model.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                if *reverse {
                    expected.reverse();
                }
                assert!(
                    entries == expected,
                    "scan at {snapshot:?} (reverse: {reverse}) differs from the model"
                );
            }
            Op::Iter {
                snapshot,
                start,
                moves,
            } => {
                let (r, model) = self.view(*snapshot);
                check_walk(&mut self.db().new_iterator_opt(&r), model, start, moves);
            }
            Op::Snapshot(id) => {
                let snapshot = self.db().get_snapshot();
                self.snapshots.insert(*id, (snapshot, self.model.clone()));
            }
            Op::Release(id) => {
                self.snapshots.remove(id);
            }
            Op::Reopen => self.reopen(),
            Op::Compact(begin, end) => {
                let (begin, end) = (
                    begin.as_ref().map(|b| b.bytes()),
                    end.as_ref().map(|e| e.bytes()),
                );
                self.db()
                    .compact_range(begin.as_deref(), end.as_deref())
                    .expect("compact_range");
            }
            Op::Property(_) | Op::Sizes(_) => {}
        }
    }
}

/// Walks `iter` from `start` by `moves`, checking each position against the model's.
fn check_walk(iter: &mut DBIterator, model: &Model, start: &IterStart, moves: &[Move]) {
    let keys: Vec<&Vec<u8>> = model.keys().collect();
    // The model's position: an index into `keys`, `None` when not valid.
    let mut at = match start {
        IterStart::First => {
            iter.seek_to_first();
            (!keys.is_empty()).then_some(0)
        }
        IterStart::Last => {
            iter.seek_to_last();
            keys.len().checked_sub(1)
        }
        IterStart::Seek(target) => {
            let target = target.bytes();
            iter.seek(&target);
            let i = keys.partition_point(|k| **k < target);
            (i < keys.len()).then_some(i)
        }
    };
    let mut steps = moves.iter();
    loop {
        let expected = at.map(|i| (keys[i].as_slice(), model[keys[i]].as_slice()));
        let actual = iter.valid().then(|| (iter.key(), iter.value()));
        assert_eq!(actual, expected, "iterator from {start:?} by {moves:?}");
        let (Some(i), Some(step)) = (at, steps.next()) else {
            break;
        };
        match step {
            Move::Next => {
                iter.next();
                at = (i + 1 < keys.len()).then_some(i + 1);
            }
            Move::Prev => {
                iter.prev();
                at = i.checked_sub(1);
            }
        }
    }
    iter.status().expect("iterator status");
}

/// Target `db_ops`.
pub fn run(data: &[u8]) {
    let (options, steps) = decode(data);
    let mut checked = Checked {
        db: None,
        options: oxleveldb::Options {
            env: Arc::new(MemEnv::new(default_env())),
            ..ox_options(&options)
        },
        model: Model::new(),
        snapshots: BTreeMap::new(),
    };
    checked.reopen();
    for step in &steps {
        checked.step(step);
    }
}

/// Target `db_ops_differential`.
pub fn run_differential(data: &[u8]) {
    let (options, steps) = decode(data);
    let log = to_log(options, &steps);
    let outcome = run_in(
        &scratch_parent(),
        &log,
        &mut OxEngine::new(),
        &mut CppEngine::new(),
    )
    .expect("a decoded log is valid");
    if let Some(divergence) = outcome.divergence {
        panic!("{divergence}\nthe operation log:\n{log}");
    }
}
