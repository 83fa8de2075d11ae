//! The seeded workload generator: from a seed, options drawn across LevelDB's option space and a log of
//! operations that mixes writes (puts, deletes of present and absent keys, batches), reads (gets, scans, seeks
//! with walks both ways, at snapshots held across writes and compactions), manual compactions, properties,
//! approximate sizes and reopens.
//!
//! Keys come in many shapes: a space of keys sharing a prefix (so writes overwrite and delete each other),
//! short binary keys around the bytes that shorten separators (0x00, 0x7f, 0x80, 0xff), the empty key, and long
//! keys (to 2 KB) sharing a long prefix. Values run from 0 bytes to 140 KB (spanning log blocks and table
//! blocks), half compressible.
//!
//! Invariant: the log depends on the seed alone (the generator keeps its own model of which keys exist and which
//! snapshots are live, and never asks an engine), so a seed is a complete reproducer and `OpLog::check` passes.
//! Everything stays within what LevelDB 1.23 accepts (its asserts are on in Debian's build): restart intervals
//! from 1, sequence numbers far below 2^56.

use std::collections::BTreeSet;

use crate::bytes::{Bytes, SplitMix64};
use crate::engine::Move;
use crate::oplog::{BatchItem, IterStart, Op, OpLog};
use crate::options::DbOptions;

/// The properties a workload asks for: every one LevelDB knows, and some it does not.
const PROPERTIES: &[&str] = &[
    "leveldb.num-files-at-level0",
    "leveldb.num-files-at-level1",
    "leveldb.num-files-at-level2",
    "leveldb.num-files-at-level7",
    "leveldb.num-files-at-level",
    "leveldb.num-files-at-levelx",
    "leveldb.stats",
    "leveldb.sstables",
    "leveldb.approximate-memory-usage",
    "leveldb.unknown",
    "rocksdb.stats",
];

/// Draws options across LevelDB's option space (below its clipping ranges too, which both engines must clip the
/// same way).
pub fn draw_options(rnd: &mut SplitMix64) -> DbOptions {
    let pick =
        |rnd: &mut SplitMix64, choices: &[usize]| choices[rnd.below(choices.len() as u64) as usize];
    DbOptions {
        paranoid_checks: rnd.one_in(2),
        write_buffer_size: pick(
            rnd,
            &[
                1000,
                64 << 10,
                100 << 10,
                256 << 10,
                1 << 20,
                4 << 20,
                8 << 20,
            ],
        ),
        max_open_files: pick(rnd, &[10, 74, 100, 1000]),
        block_cache: [None, Some(0), Some(8 << 10), Some(64 << 10), Some(1 << 20)]
            [rnd.below(5) as usize],
        block_size: pick(rnd, &[100, 1024, 2048, 4096, 16 << 10, 64 << 10]),
        block_restart_interval: 1 + rnd.below(32) as usize,
        max_file_size: pick(rnd, &[1000, 1 << 20, 2 << 20]),
        snappy: rnd.one_in(2),
        bloom_bits: (!rnd.one_in(3)).then(|| 1 + rnd.below(20) as usize),
        reuse_logs: rnd.one_in(2),
    }
}

/// The generator's state: the random source, the keys it believes present, the live snapshots.
struct Generator {
    rnd: SplitMix64,
    present: BTreeSet<Vec<u8>>,
    snapshots: Vec<u32>,
    next_snapshot: u32,
}

impl Generator {
    fn below(&mut self, n: usize) -> usize {
        self.rnd.below(n as u64) as usize
    }

    fn new_key(&mut self) -> Vec<u8> {
        match self.below(100) {
            0..=64 => format!("user/{:04}", self.below(300)).into_bytes(),
            65..=79 => {
                const ALPHABET: [u8; 10] = [0, 1, b'a', b'b', b'c', 0x7f, 0x80, 0xfd, 0xfe, 0xff];
                let len = 1 + self.below(6);
                (0..len).map(|_| ALPHABET[self.below(10)]).collect()
            }
            80..=83 => Vec::new(),
            _ => {
                let mut key = format!("long/{:02}/", self.below(20)).into_bytes();
                let len = 100 + self.below(1900);
                key.extend(std::iter::repeat_n(b'x', len));
                key.push(b'0' + self.below(10) as u8);
                key
            }
        }
    }

    /// A key that exists half the time (when there are any), else a new one.
    fn key(&mut self) -> Bytes {
        if !self.present.is_empty() && self.rnd.one_in(2) {
            let i = self.below(self.present.len());
            Bytes::Literal(self.present.iter().nth(i).cloned().unwrap_or_default())
        } else {
            Bytes::Literal(self.new_key())
        }
    }

    fn value(&mut self) -> Bytes {
        let len = if self.rnd.one_in(120) {
            100_000 + self.below(40_000)
        } else if self.rnd.one_in(20) {
            0
        } else {
            let bits = self.below(13);
            self.below(1 << bits)
        };
        let seed = self.rnd.next_u64() >> 16;
        match self.below(5) {
            0 if len <= 32 => Bytes::Literal((0..len).map(|_| self.below(256) as u8).collect()),
            0..=2 => Bytes::Random { len, seed },
            _ => Bytes::Text { len, seed },
        }
    }

    /// A snapshot to read at, one time in three when there is one.
    fn read_at(&mut self) -> Option<u32> {
        (!self.snapshots.is_empty() && self.rnd.one_in(3)).then(|| {
            let i = self.below(self.snapshots.len());
            self.snapshots[i]
        })
    }

    fn put(&mut self) -> Op {
        let (key, value) = (self.key(), self.value());
        self.present.insert(key.bytes());
        Op::Put(key, value)
    }

    fn op(&mut self) -> Op {
        match self.below(100) {
            25..=32 => {
                // Deletes of present keys, of random keys, and of keys that never exist.
                let key = if self.rnd.one_in(4) {
                    Bytes::Literal(format!("absent/{}", self.below(50)).into_bytes())
                } else {
                    self.key()
                };
                self.present.remove(&key.bytes());
                Op::Delete(key)
            }
            33..=41 => {
                let n = if self.rnd.one_in(20) {
                    0
                } else {
                    1 + self.below(20)
                };
                let items = (0..n)
                    .map(|_| {
                        let key = self.key();
                        if self.rnd.one_in(3) {
                            self.present.remove(&key.bytes());
                            BatchItem::Delete(key)
                        } else {
                            self.present.insert(key.bytes());
                            BatchItem::Put(key, self.value())
                        }
                    })
                    .collect();
                Op::Batch(items)
            }
            42..=55 => Op::Get {
                snapshot: self.read_at(),
                key: self.key(),
            },
            56..=58 => Op::Scan {
                snapshot: self.read_at(),
                reverse: self.rnd.one_in(2),
            },
            59..=69 => {
                let snapshot = self.read_at();
                let start = match self.below(10) {
                    0 => IterStart::First,
                    1 => IterStart::Last,
                    _ => IterStart::Seek(self.key()),
                };
                let moves = (0..self.below(13))
                    .map(|_| {
                        if self.rnd.one_in(2) {
                            Move::Next
                        } else {
                            Move::Prev
                        }
                    })
                    .collect();
                Op::Iter {
                    snapshot,
                    start,
                    moves,
                }
            }
            70..=73 if self.snapshots.len() < 5 => {
                self.next_snapshot += 1;
                self.snapshots.push(self.next_snapshot);
                Op::Snapshot(self.next_snapshot)
            }
            74..=76 if !self.snapshots.is_empty() => {
                let i = self.below(self.snapshots.len());
                Op::Release(self.snapshots.remove(i))
            }
            77..=79 => {
                let (mut begin, mut end) = (self.key(), self.key());
                if begin > end {
                    std::mem::swap(&mut begin, &mut end);
                }
                let begin = (!self.rnd.one_in(4)).then_some(begin);
                let end = (!self.rnd.one_in(4)).then_some(end);
                Op::Compact(begin, end)
            }
            80..=81 => {
                self.snapshots.clear();
                Op::Reopen
            }
            82..=85 => Op::Property(PROPERTIES[self.below(PROPERTIES.len())].to_string()),
            86..=87 => Op::Sizes(
                (0..1 + self.below(3))
                    .map(|_| {
                        let (a, b) = (self.key(), self.key());
                        if a <= b {
                            (a, b)
                        } else {
                            (b, a)
                        }
                    })
                    .collect(),
            ),
            _ => self.put(),
        }
    }
}

/// The workload of `seed`: `num_ops` operations under options drawn from the seed.
pub fn generate(seed: u64, num_ops: usize) -> OpLog {
    generate_with(seed, num_ops, |_| Ok(())).expect("no overrides")
}

/// The workload of `seed`, with the drawn options then changed by `overrides` (as `oxldb diff --options=...`).
pub fn generate_with(
    seed: u64,
    num_ops: usize,
    overrides: impl FnOnce(&mut DbOptions) -> Result<(), String>,
) -> Result<OpLog, String> {
    let mut generator = Generator {
        rnd: SplitMix64::new(seed),
        present: BTreeSet::new(),
        snapshots: Vec::new(),
        next_snapshot: 0,
    };
    let mut options = draw_options(&mut generator.rnd);
    overrides(&mut options)?;
    let ops = (0..num_ops).map(|_| generator.op()).collect();
    Ok(OpLog {
        seed: Some(seed),
        options,
        ops,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_makes_one_valid_log_with_every_kind_of_operation() {
        let log = generate(7, 3000);
        assert_eq!(log, generate(7, 3000));
        assert_ne!(log, generate(8, 3000));
        log.check().unwrap();
        let has = |f: fn(&Op) -> bool| log.ops.iter().any(f);
        assert!(has(|op| matches!(op, Op::Reopen)));
        assert!(has(|op| matches!(op, Op::Compact(..))));
        assert!(has(|op| matches!(
            op,
            Op::Get {
                snapshot: Some(_),
                ..
            }
        )));
        assert!(has(|op| matches!(op, Op::Batch(items) if items.is_empty())));
        assert!(has(|op| matches!(op, Op::Put(k, _) if k.is_empty())));
        assert!(has(|op| matches!(op, Op::Put(_, v) if v.len() > 100_000)));
        assert!(has(|op| matches!(op, Op::Put(k, _) if k.len() > 1000)));
    }
}
