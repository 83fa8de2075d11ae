//! A crash workload: the writes of an operation log (each `put`, `delete` and `batch` is one write, some of them
//! synced), its compactions and reopens; reads are left out, since a crash state is judged by what it holds.
//!
//! Invariant: write number `i` (counting from 0) is the `i`-th `Step::Write`, the number the recording's `ack`
//! lines give.

use std::collections::BTreeMap;

use crate::bytes::SplitMix64;
use crate::engine::BatchOp;
use crate::oplog::{BatchItem, Op, OpLog};
use crate::options::DbOptions;

/// One step of a crash workload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// `DB::Write` of a batch, synced or not.
    Write {
        /// The batch's updates, in order.
        ops: Vec<BatchOp>,
        /// `WriteOptions::sync`.
        sync: bool,
    },
    /// A compaction of the whole key range.
    Compact,
    /// Close and open again.
    Reopen,
}

/// The steps and the options the database is opened with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrashWorkload {
    /// The options (`create_if_missing` is always on).
    pub options: DbOptions,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// What a key holds after a write: a value, or nothing (deleted).
pub type KeyState = Option<Vec<u8>>;

impl CrashWorkload {
    /// The writes, compactions and reopens of `log`; every `sync_every`-th write is synced (none for 0).
    pub fn from_oplog(log: &OpLog, sync_every: usize) -> CrashWorkload {
        let mut steps = Vec::new();
        let mut writes = 0;
        for op in &log.ops {
            let ops = match op {
                Op::Put(k, v) => vec![BatchOp::Put(k.bytes(), v.bytes())],
                Op::Delete(k) => vec![BatchOp::Delete(k.bytes())],
                Op::Batch(items) => items
                    .iter()
                    .map(|item| match item {
                        BatchItem::Put(k, v) => BatchOp::Put(k.bytes(), v.bytes()),
                        BatchItem::Delete(k) => BatchOp::Delete(k.bytes()),
                    })
                    .collect(),
                Op::Compact(..) => {
                    steps.push(Step::Compact);
                    continue;
                }
                Op::Reopen => {
                    steps.push(Step::Reopen);
                    continue;
                }
                _ => continue,
            };
            writes += 1;
            let sync = sync_every != 0 && writes % sync_every == 0;
            steps.push(Step::Write { ops, sync });
        }
        CrashWorkload {
            options: log.options.clone(),
            steps,
        }
    }

    /// A small workload of `num_writes` writes drawn from `seed`: puts of 20 keys with values of 10 to 3,000
    /// bytes, a batch of three updates every fifth write, a delete now and then, every `sync_every`-th write
    /// synced; with a 64 KiB write buffer, so that memtables switch and flush.
    pub fn generate(seed: u64, num_writes: usize, sync_every: usize) -> CrashWorkload {
        let mut rnd = SplitMix64::new(seed);
        let update = |rnd: &mut SplitMix64, i: usize, j: usize| {
            let key = format!("key{:02}", rnd.below(20)).into_bytes();
            if rnd.one_in(8) {
                BatchOp::Delete(key)
            } else {
                let len = 10 + rnd.below(3000) as usize;
                let value = format!("{i}.{j}.").repeat(len / 4 + 1).into_bytes();
                BatchOp::Put(key, value[..len].to_vec())
            }
        };
        let steps = (0..num_writes)
            .map(|i| {
                let count = if i % 5 == 4 { 3 } else { 1 };
                let ops = (0..count).map(|j| update(&mut rnd, i, j)).collect();
                let sync = sync_every != 0 && (i + 1) % sync_every == 0;
                Step::Write { ops, sync }
            })
            .collect();
        CrashWorkload {
            options: DbOptions {
                write_buffer_size: 64 << 10,
                ..DbOptions::default()
            },
            steps,
        }
    }

    /// The batches of the writes, by write number.
    pub fn writes(&self) -> Vec<&[BatchOp]> {
        self.steps
            .iter()
            .filter_map(|step| match step {
                Step::Write { ops, .. } => Some(ops.as_slice()),
                _ => None,
            })
            .collect()
    }

    /// For every key written, each write that changes it and what the key holds after it, in write order.
    pub fn key_history(&self) -> BTreeMap<Vec<u8>, Vec<(usize, KeyState)>> {
        let mut history: BTreeMap<Vec<u8>, Vec<(usize, KeyState)>> = BTreeMap::new();
        for (write, ops) in self.writes().into_iter().enumerate() {
            // The batch's last update of a key is what the key holds after it.
            let mut effects: BTreeMap<&[u8], KeyState> = BTreeMap::new();
            for op in ops {
                match op {
                    BatchOp::Put(k, v) => effects.insert(k, Some(v.clone())),
                    BatchOp::Delete(k) => effects.insert(k, None),
                };
            }
            for (key, state) in effects {
                history
                    .entry(key.to_vec())
                    .or_default()
                    .push((write, state));
            }
        }
        history
    }
}
