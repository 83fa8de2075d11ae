//! An operation sequence as fuzz input, for the database targets: the options, then operations, each an opcode
//! byte and its arguments, decoded into the differential package's operations (so the differential target can
//! hand them to its lockstep runner) plus `TEST_CompactMemTable`, which only oxleveldb has.
//!
//! - Options byte: bit 0 snappy, bit 1 a 10-bit bloom filter, bit 2 `reuse_logs`, bit 3 `paranoid_checks`, bits
//!   4-5 the restart interval (1, 2, 16, 16), bit 6 a 1 KiB block (else 4 KiB), bit 7 a 64 KiB block cache. The
//!   write buffer is LevelDB's smallest (64 KiB), so a few large values flush the memtable.
//! - Opcode byte modulo 12: put K V, delete K, batch N (N modulo 6 items, each a byte (bit 0: delete) and its
//!   arguments), get S K, scan S forward, scan S backward, iter S START MOVES, snapshot, release S, reopen,
//!   compact B E, compact memtable.
//! - A key: a byte below 0xe0 picks one of [`KEYS`]; from 0xe0, the next `byte & 0x1f` input bytes.
//! - A value: a byte below 0xc0 takes the next `byte % 48` input bytes; from 0xc0, `((byte & 0x3f) + 1) * 512`
//!   copies of the next byte (values that fill blocks and memtables).
//! - A snapshot (S): a byte; 0 modulo (live snapshots + 1) reads the latest state, else the live snapshot it
//!   picks. A release picks a live snapshot the same way (nothing without one).
//! - START: a byte modulo 3: first, last, or seek K. MOVES: a count byte (modulo 8), then a byte whose bits say
//!   next (0) or prev (1).
//!
//! Invariant: every decoded log passes `OpLog::check` (snapshots are named as they are taken and only live ones are
//! read or released), and `decode(&encode(log))` keeps every operation `encode` can spell.

use leveldb_differential::engine::Move;
use leveldb_differential::oplog::{BatchItem, IterStart};
use leveldb_differential::{Bytes, DbOptions, Op, OpLog};

/// Operations decoded from one input, at most.
const MAX_OPS: usize = 256;

/// The keys a key byte picks: short keys sharing prefixes, the ends of the order, the bytes that shorten
/// separators, and a long key.
pub const KEYS: &[&[u8]] = &[
    b"", b"a", b"aa", b"ab", b"b", b"ba", b"foo", b"foo1", b"foo2", b"k\x00", b"k\x7f", b"k\x80", b"k\xff", b"m",
    b"\x00", b"\xff", b"\xff\xff", b"z", b"zz",
    b"long-key-long-key-long-key-long-key-long-key-long-key-long-key-long-key-long-key-long-key-long-key",
];

/// One step of a database target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// An operation both engines have.
    Op(Op),
    /// `DBImpl::TEST_CompactMemTable`, oxleveldb's only.
    CompactMemTable,
}

/// Reads the input a byte at a time; past its end every byte is 0.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        let Some((&b, rest)) = self.0.split_first() else {
            return 0;
        };
        self.0 = rest;
        b
    }

    fn take(&mut self, n: usize) -> Vec<u8> {
        let (taken, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        taken.to_vec()
    }

    fn key(&mut self) -> Bytes {
        let b = self.byte();
        if b < 0xe0 {
            Bytes::literal(KEYS[b as usize % KEYS.len()])
        } else {
            Bytes::literal(self.take(usize::from(b & 0x1f)))
        }
    }

    fn value(&mut self) -> Bytes {
        let b = self.byte();
        if b < 0xc0 {
            Bytes::literal(self.take(usize::from(b % 48)))
        } else {
            let fill = self.byte();
            Bytes::literal(vec![fill; (usize::from(b & 0x3f) + 1) * 512])
        }
    }

    /// A live snapshot, or `None`.
    fn pick(&mut self, live: &[u32]) -> Option<u32> {
        let i = usize::from(self.byte()) % (live.len() + 1);
        i.checked_sub(1).map(|i| live[i])
    }
}

/// The options an options byte chooses.
pub fn options(b: u8) -> DbOptions {
    DbOptions {
        snappy: b & 1 != 0,
        bloom_bits: (b & 2 != 0).then_some(10),
        reuse_logs: b & 4 != 0,
        paranoid_checks: b & 8 != 0,
        block_restart_interval: [1, 2, 16, 16][usize::from(b >> 4) & 3],
        block_size: if b & 0x40 != 0 { 1024 } else { 4096 },
        block_cache: (b & 0x80 != 0).then_some(64 << 10),
        write_buffer_size: 64 << 10,
        ..DbOptions::default()
    }
}

/// The options and steps of an input.
pub fn decode(data: &[u8]) -> (DbOptions, Vec<Step>) {
    let mut input = Input(data);
    let options = options(input.byte());
    let mut steps = Vec::new();
    let mut live: Vec<u32> = Vec::new();
    let mut next_id = 1;
    while !input.0.is_empty() && steps.len() < MAX_OPS {
        let op = match input.byte() % 12 {
            0 => Op::Put(input.key(), input.value()),
            1 => Op::Delete(input.key()),
            2 => Op::Batch(
                (0..input.byte() % 6)
                    .map(|_| match input.byte() & 1 {
                        0 => BatchItem::Put(input.key(), input.value()),
                        _ => BatchItem::Delete(input.key()),
                    })
                    .collect(),
            ),
            3 => Op::Get {
                snapshot: input.pick(&live),
                key: input.key(),
            },
            op @ (4 | 5) => Op::Scan {
                snapshot: input.pick(&live),
                reverse: op == 5,
            },
            6 => {
                let snapshot = input.pick(&live);
                let start = match input.byte() % 3 {
                    0 => IterStart::First,
                    1 => IterStart::Last,
                    _ => IterStart::Seek(input.key()),
                };
                let count = input.byte() % 8;
                let bits = input.byte();
                let moves = (0..count)
                    .map(|i| [Move::Next, Move::Prev][usize::from(bits >> i & 1)])
                    .collect();
                Op::Iter {
                    snapshot,
                    start,
                    moves,
                }
            }
            7 => {
                live.push(next_id);
                next_id += 1;
                Op::Snapshot(next_id - 1)
            }
            8 => match input.pick(&live) {
                Some(id) => {
                    live.retain(|&l| l != id);
                    Op::Release(id)
                }
                None => continue,
            },
            9 => {
                live.clear();
                Op::Reopen
            }
            10 => {
                let ends = input.byte();
                let begin = (ends & 1 != 0).then(|| input.key());
                let end = (ends & 2 != 0).then(|| input.key());
                Op::Compact(begin, end)
            }
            _ => {
                steps.push(Step::CompactMemTable);
                continue;
            }
        };
        steps.push(Step::Op(op));
    }
    (options, steps)
}

/// The steps both engines have, as an operation log.
pub fn to_log(options: DbOptions, steps: &[Step]) -> OpLog {
    let mut log = OpLog::new(options);
    for step in steps {
        if let Step::Op(op) = step {
            log.push(op.clone());
        }
    }
    log
}

/// Writes what the decoder reads back as this log's key or value (keys longer than 31 bytes other than the
/// alphabet's, and values over 47 bytes, come back as a cut key or as a run of one byte of about the same length).
struct Output {
    out: Vec<u8>,
    live: Vec<u32>,
}

impl Output {
    fn key(&mut self, key: &Bytes) {
        let key = key.bytes();
        match KEYS.iter().position(|k| *k == key.as_slice()) {
            Some(i) => self.out.push(i as u8),
            None => {
                let n = key.len().min(31);
                self.out.push(0xe0 | n as u8);
                self.out.extend_from_slice(&key[..n]);
            }
        }
    }

    fn value(&mut self, value: &Bytes) {
        let value = value.bytes();
        if value.len() < 48 {
            self.out.push(value.len() as u8);
            self.out.extend_from_slice(&value);
        } else {
            self.out.push(0xc0 | (value.len() / 512).min(63) as u8);
            self.out.push(value[0]);
        }
    }

    /// A put (tag 0, with its value) or a delete (tag 1), as an operation or as a batch's item.
    fn update(&mut self, tag: u8, key: &Bytes, value: Option<&Bytes>) {
        self.out.push(tag);
        self.key(key);
        if let Some(value) = value {
            self.value(value);
        }
    }

    fn pick(&mut self, snapshot: Option<u32>) {
        let i = snapshot.and_then(|id| self.live.iter().position(|&l| l == id));
        self.out.push(i.map_or(0, |i| i as u8 + 1));
    }
}

/// An input that decodes to `log`'s operations, as far as the encoding can spell them: for seeds from the
/// differential generator. Properties and approximate sizes are left out; the options byte is the nearest.
pub fn encode(log: &OpLog) -> Vec<u8> {
    let o = &log.options;
    let interval = match o.block_restart_interval {
        1 => 0,
        2 => 1,
        _ => 2,
    };
    let options = u8::from(o.snappy)
        | u8::from(o.bloom_bits.is_some()) << 1
        | u8::from(o.reuse_logs) << 2
        | u8::from(o.paranoid_checks) << 3
        | interval << 4
        | u8::from(o.block_size < 4096) << 6
        | u8::from(o.block_cache.is_some()) << 7;
    let mut w = Output {
        out: vec![options],
        live: Vec::new(),
    };
    for op in &log.ops {
        match op {
            Op::Put(k, v) => w.update(0, k, Some(v)),
            Op::Delete(k) => w.update(1, k, None),
            Op::Batch(items) => {
                let items = &items[..items.len().min(5)];
                w.out.extend([2, items.len() as u8]);
                for item in items {
                    match item {
                        BatchItem::Put(k, v) => w.update(0, k, Some(v)),
                        BatchItem::Delete(k) => w.update(1, k, None),
                    }
                }
            }
            Op::Get { snapshot, key } => {
                w.out.push(3);
                w.pick(*snapshot);
                w.key(key);
            }
            Op::Scan { snapshot, reverse } => {
                w.out.push(if *reverse { 5 } else { 4 });
                w.pick(*snapshot);
            }
            Op::Iter {
                snapshot,
                start,
                moves,
            } => {
                w.out.push(6);
                w.pick(*snapshot);
                match start {
                    IterStart::First => w.out.push(0),
                    IterStart::Last => w.out.push(1),
                    IterStart::Seek(k) => {
                        w.out.push(2);
                        w.key(k);
                    }
                }
                let moves = &moves[..moves.len().min(7)];
                let bits = moves
                    .iter()
                    .enumerate()
                    .fold(0u8, |bits, (i, m)| bits | u8::from(*m == Move::Prev) << i);
                w.out.extend([moves.len() as u8, bits]);
            }
            Op::Snapshot(id) => {
                w.out.push(7);
                w.live.push(*id);
            }
            Op::Release(id) => {
                w.out.push(8);
                w.pick(Some(*id));
                w.live.retain(|l| l != id);
            }
            Op::Reopen => {
                w.out.push(9);
                w.live.clear();
            }
            Op::Compact(begin, end) => {
                w.out.push(10);
                w.out
                    .push(u8::from(begin.is_some()) | u8::from(end.is_some()) << 1);
                for k in begin.iter().chain(end) {
                    w.key(k);
                }
            }
            Op::Property(_) | Op::Sizes(_) => {}
        }
    }
    w.out
}
