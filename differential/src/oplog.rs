//! The operation log: a workload as text, one operation a line, that a person can read and edit, that the
//! generator and the recorder write, and that the runner replays on both engines.
//!
//! ```text
//! # oxleveldb differential op log (docs/oplog.md)
//! seed 42
//! options write_buffer_size=65536 max_open_files=1000 block_cache=none block_size=4096 block_restart_interval=16 max_file_size=2097152 compression=snappy bloom_bits=10 paranoid_checks=false reuse_logs=false
//! put "user/0001" text(100,7)
//! batch put "a" "1" ; delete "\x00\xff" ; put "" rand(120000,3)
//! snapshot 1
//! delete "user/0001"
//! get @1 "user/0001"
//! iter seek "a" next next prev
//! scan @1 backward
//! compact * "m"
//! property leveldb.num-files-at-level0
//! sizes "" "\xff" "a" "b"
//! release 1
//! reopen
//! ```
//!
//! - `#` starts a comment line; blank lines are ignored. `seed N` (optional) names the seed the log was generated
//!   from; `options ...` (optional, before the first operation) overrides LevelDB's defaults (see
//!   [`DbOptions`]). Both databases are opened with them before the first operation and closed after the last.
//! - Keys and values are byte strings in one of three forms: `"..."` (`\xNN`, `\\`, `\"` escapes), `rand(LEN,SEED)`
//!   and `text(LEN,SEED)` (see [`crate::bytes`]).
//! - Operations: `put K V`, `delete K`, `batch` followed by `put K V` and `delete K` items separated by ` ; `,
//!   `get [@S] K`, `scan [@S] forward|backward`, `iter [@S] first|last|seek K` followed by `next`/`prev` moves,
//!   `snapshot S` (a new snapshot named S), `release S`, `compact BEGIN END` (a key or `*` for an open end),
//!   `property NAME`, `sizes START LIMIT ...` (pairs), `reopen` (close, releasing every snapshot, and open again).
//!   `@S` reads at snapshot S.
//!
//! Invariant: `OpLog::parse(&log.to_string()) == log`, and the printed text is canonical, so text the printer
//! wrote parses and prints back to itself.

use std::collections::BTreeSet;
use std::fmt;

use crate::bytes::Bytes;
use crate::engine::{Move, Start};
use crate::options::DbOptions;

/// One update of a logged batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchItem {
    /// `put K V`.
    Put(Bytes, Bytes),
    /// `delete K`.
    Delete(Bytes),
}

/// Where a logged iteration starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IterStart {
    /// `first`.
    First,
    /// `last`.
    Last,
    /// `seek K`.
    Seek(Bytes),
}

/// One operation of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `put K V`.
    Put(Bytes, Bytes),
    /// `delete K`.
    Delete(Bytes),
    /// `batch ...`: one `DB::Write`.
    Batch(Vec<BatchItem>),
    /// `get [@S] K`.
    Get {
        /// The snapshot read at, or the latest state.
        snapshot: Option<u32>,
        /// The key.
        key: Bytes,
    },
    /// `scan [@S] forward|backward`: every entry.
    Scan {
        /// The snapshot read at, or the latest state.
        snapshot: Option<u32>,
        /// Last to first.
        reverse: bool,
    },
    /// `iter [@S] START MOVES...`.
    Iter {
        /// The snapshot read at, or the latest state.
        snapshot: Option<u32>,
        /// The seek.
        start: IterStart,
        /// The moves after it.
        moves: Vec<Move>,
    },
    /// `snapshot S`.
    Snapshot(u32),
    /// `release S`.
    Release(u32),
    /// `compact BEGIN END`, `*` for an open end.
    Compact(Option<Bytes>, Option<Bytes>),
    /// `property NAME`.
    Property(String),
    /// `sizes START LIMIT ...`.
    Sizes(Vec<(Bytes, Bytes)>),
    /// `reopen`.
    Reopen,
}

impl Op {
    /// The iteration's start as an engine takes it.
    pub fn engine_start(start: &IterStart) -> Start {
        match start {
            IterStart::First => Start::First,
            IterStart::Last => Start::Last,
            IterStart::Seek(k) => Start::Seek(k.bytes()),
        }
    }

    /// Every byte string of the operation, for the shrinker to cut.
    pub fn byte_strings_mut(&mut self) -> Vec<&mut Bytes> {
        match self {
            Op::Put(k, v) => vec![k, v],
            Op::Delete(k) | Op::Get { key: k, .. } => vec![k],
            Op::Batch(items) => items
                .iter_mut()
                .flat_map(|item| match item {
                    BatchItem::Put(k, v) => vec![k, v],
                    BatchItem::Delete(k) => vec![k],
                })
                .collect(),
            Op::Iter {
                start: IterStart::Seek(k),
                ..
            } => vec![k],
            Op::Compact(b, e) => b.iter_mut().chain(e.iter_mut()).collect(),
            Op::Sizes(ranges) => ranges.iter_mut().flat_map(|(a, b)| [a, b]).collect(),
            _ => Vec::new(),
        }
    }
}

/// A workload: the options, the seed it came from (if generated) and the operations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpLog {
    /// The generator's seed, printed in reports.
    pub seed: Option<u64>,
    /// The options both engines open with.
    pub options: DbOptions,
    /// The operations, in order.
    pub ops: Vec<Op>,
}

const HEADER: &str = "# oxleveldb differential op log (docs/oplog.md)";

impl OpLog {
    /// An empty log with these options.
    pub fn new(options: DbOptions) -> OpLog {
        OpLog {
            seed: None,
            options,
            ops: Vec::new(),
        }
    }

    /// Appends `op` (the builder's way in: `log.push(Op::Reopen)`).
    pub fn push(&mut self, op: Op) -> &mut OpLog {
        self.ops.push(op);
        self
    }

    /// Appends `put K V`.
    pub fn put(&mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> &mut OpLog {
        self.push(Op::Put(Bytes::literal(key), Bytes::literal(value)))
    }

    /// Appends `delete K`.
    pub fn delete(&mut self, key: impl AsRef<[u8]>) -> &mut OpLog {
        self.push(Op::Delete(Bytes::literal(key)))
    }

    /// Appends `get K` at the latest state.
    pub fn get(&mut self, key: impl AsRef<[u8]>) -> &mut OpLog {
        self.push(Op::Get {
            snapshot: None,
            key: Bytes::literal(key),
        })
    }

    /// Appends `scan forward`.
    pub fn scan(&mut self) -> &mut OpLog {
        self.push(Op::Scan {
            snapshot: None,
            reverse: false,
        })
    }

    /// Appends `compact * *`.
    pub fn compact_all(&mut self) -> &mut OpLog {
        self.push(Op::Compact(None, None))
    }

    /// Appends `reopen`.
    pub fn reopen(&mut self) -> &mut OpLog {
        self.push(Op::Reopen)
    }

    /// Checks that the log can run: every snapshot named by a read or a release is live (taken, not released, not
    /// dropped by a reopen), and no live snapshot is taken again.
    pub fn check(&self) -> Result<(), String> {
        let mut live = BTreeSet::new();
        for (i, op) in self.ops.iter().enumerate() {
            let at = |message: String| format!("operation #{}: {message}", i + 1);
            match op {
                Op::Snapshot(id) if !live.insert(*id) => {
                    return Err(at(format!("snapshot {id} is already live")));
                }
                Op::Release(id) if !live.remove(id) => {
                    return Err(at(format!("snapshot {id} is not live")));
                }
                Op::Reopen => live.clear(),
                Op::Get {
                    snapshot: Some(id), ..
                }
                | Op::Scan {
                    snapshot: Some(id), ..
                }
                | Op::Iter {
                    snapshot: Some(id), ..
                } if !live.contains(id) => {
                    return Err(at(format!("snapshot {id} is not live")));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Parses a log; the error names the line.
    pub fn parse(text: &str) -> Result<OpLog, String> {
        let mut log = OpLog::default();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fail = |message: String| format!("line {}: {message}: {line}", number + 1);
            let tokens = tokenize(line).map_err(fail)?;
            if let Some(text) = line.strip_prefix("options ") {
                if !log.ops.is_empty() {
                    return Err(fail("options come before the first operation".to_string()));
                }
                log.options = DbOptions::parse(text).map_err(fail)?;
            } else if tokens[0] == "seed" {
                let seed = match tokens[1..] {
                    [seed] => seed.parse().ok(),
                    _ => None,
                };
                log.seed = Some(seed.ok_or_else(|| fail("expected seed N".to_string()))?);
            } else {
                log.ops.push(parse_op(&tokens).map_err(fail)?);
            }
        }
        Ok(log)
    }
}

/// Splits a line at spaces, keeping a quoted string (with its escapes) as one token.
fn tokenize(line: &str) -> Result<Vec<&str>, String> {
    let mut tokens = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b' ' || bytes[i] == b'\t' {
            i += 1;
            continue;
        }
        let start = i;
        if bytes[i] == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            if i >= bytes.len() {
                return Err("unterminated string".to_string());
            }
            i += 1;
        } else {
            while i < bytes.len() && bytes[i] != b' ' && bytes[i] != b'\t' {
                i += 1;
            }
        }
        tokens.push(&line[start..i]);
    }
    Ok(tokens)
}

fn parse_op(tokens: &[&str]) -> Result<Op, String> {
    let (command, mut rest) = (tokens[0], &tokens[1..]);
    let mut snapshot = None;
    if let Some(id) = rest.first().and_then(|t| t.strip_prefix('@')) {
        snapshot = Some(id.parse().map_err(|_| format!("bad snapshot @{id}"))?);
        rest = &rest[1..];
    }
    let reads = matches!(command, "get" | "scan" | "iter");
    if snapshot.is_some() && !reads {
        return Err(format!("{command} does not read at a snapshot"));
    }
    let bytes = |i: usize| -> Result<Bytes, String> {
        rest.get(i)
            .ok_or_else(|| format!("{command}: missing argument"))
            .and_then(|t| Bytes::parse(t))
    };
    let arity = |n: usize| -> Result<(), String> {
        if rest.len() == n {
            Ok(())
        } else {
            Err(format!(
                "{command} takes {n} argument(s), found {}",
                rest.len()
            ))
        }
    };
    let id = || -> Result<u32, String> {
        arity(1)?;
        rest[0]
            .parse()
            .map_err(|_| format!("{command} needs a snapshot number"))
    };
    let bound = |i: usize| -> Result<Option<Bytes>, String> {
        match rest.get(i) {
            Some(&"*") => Ok(None),
            _ => bytes(i).map(Some),
        }
    };
    Ok(match command {
        "put" => {
            arity(2)?;
            Op::Put(bytes(0)?, bytes(1)?)
        }
        "delete" => {
            arity(1)?;
            Op::Delete(bytes(0)?)
        }
        "batch" => Op::Batch(
            rest.split(|t| *t == ";")
                .filter(|item| !rest.is_empty() || !item.is_empty())
                .map(|item| match item {
                    ["put", k, v] => Ok(BatchItem::Put(Bytes::parse(k)?, Bytes::parse(v)?)),
                    ["delete", k] => Ok(BatchItem::Delete(Bytes::parse(k)?)),
                    _ => Err(format!(
                        "a batch item is put K V or delete K, found {}",
                        item.join(" ")
                    )),
                })
                .collect::<Result<_, _>>()?,
        ),
        "get" => {
            arity(1)?;
            Op::Get {
                snapshot,
                key: bytes(0)?,
            }
        }
        "scan" => {
            arity(1)?;
            let reverse = match rest[0] {
                "forward" => false,
                "backward" => true,
                other => return Err(format!("scan forward or backward, found {other}")),
            };
            Op::Scan { snapshot, reverse }
        }
        "iter" => {
            let (start, moves) = match rest.first() {
                Some(&"first") => (IterStart::First, &rest[1..]),
                Some(&"last") => (IterStart::Last, &rest[1..]),
                Some(&"seek") => (IterStart::Seek(bytes(1)?), &rest[2..]),
                _ => return Err("iter starts with first, last or seek K".to_string()),
            };
            let moves = moves
                .iter()
                .map(|m| match *m {
                    "next" => Ok(Move::Next),
                    "prev" => Ok(Move::Prev),
                    other => Err(format!("a move is next or prev, found {other}")),
                })
                .collect::<Result<_, _>>()?;
            Op::Iter {
                snapshot,
                start,
                moves,
            }
        }
        "snapshot" => Op::Snapshot(id()?),
        "release" => Op::Release(id()?),
        "compact" => {
            arity(2)?;
            Op::Compact(bound(0)?, bound(1)?)
        }
        "property" => {
            arity(1)?;
            Op::Property(rest[0].to_string())
        }
        "sizes" => {
            if rest.is_empty() || rest.len() % 2 != 0 {
                return Err("sizes takes pairs START LIMIT".to_string());
            }
            Op::Sizes(
                (0..rest.len() / 2)
                    .map(|i| Ok((bytes(2 * i)?, bytes(2 * i + 1)?)))
                    .collect::<Result<_, String>>()?,
            )
        }
        "reopen" => {
            arity(0)?;
            Op::Reopen
        }
        other => return Err(format!("unknown operation {other}")),
    })
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = |snapshot: &Option<u32>| snapshot.map_or(String::new(), |s| format!(" @{s}"));
        match self {
            Op::Put(k, v) => write!(f, "put {k} {v}"),
            Op::Delete(k) => write!(f, "delete {k}"),
            Op::Batch(items) => {
                f.write_str("batch")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ;")?;
                    }
                    match item {
                        BatchItem::Put(k, v) => write!(f, " put {k} {v}")?,
                        BatchItem::Delete(k) => write!(f, " delete {k}")?,
                    }
                }
                Ok(())
            }
            Op::Get { snapshot, key } => write!(f, "get{} {key}", at(snapshot)),
            Op::Scan { snapshot, reverse } => write!(
                f,
                "scan{} {}",
                at(snapshot),
                if *reverse { "backward" } else { "forward" }
            ),
            Op::Iter {
                snapshot,
                start,
                moves,
            } => {
                write!(f, "iter{}", at(snapshot))?;
                match start {
                    IterStart::First => f.write_str(" first")?,
                    IterStart::Last => f.write_str(" last")?,
                    IterStart::Seek(k) => write!(f, " seek {k}")?,
                }
                for m in moves {
                    f.write_str(match m {
                        Move::Next => " next",
                        Move::Prev => " prev",
                    })?;
                }
                Ok(())
            }
            Op::Snapshot(id) => write!(f, "snapshot {id}"),
            Op::Release(id) => write!(f, "release {id}"),
            Op::Compact(b, e) => {
                let bound =
                    |b: &Option<Bytes>| b.as_ref().map_or("*".to_string(), Bytes::to_string);
                write!(f, "compact {} {}", bound(b), bound(e))
            }
            Op::Property(name) => write!(f, "property {name}"),
            Op::Sizes(ranges) => {
                f.write_str("sizes")?;
                for (a, b) in ranges {
                    write!(f, " {a} {b}")?;
                }
                Ok(())
            }
            Op::Reopen => f.write_str("reopen"),
        }
    }
}

impl fmt::Display for OpLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{HEADER}")?;
        if let Some(seed) = self.seed {
            writeln!(f, "seed {seed}")?;
        }
        writeln!(f, "options {}", self.options)?;
        for op in &self.ops {
            writeln!(f, "{op}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_module_example_round_trips() {
        let text = "# oxleveldb differential op log (docs/oplog.md)\nseed 42\noptions write_buffer_size=65536 \
                    max_open_files=1000 block_cache=none block_size=4096 block_restart_interval=16 \
                    max_file_size=2097152 compression=snappy bloom_bits=10 paranoid_checks=false \
                    reuse_logs=false\nput \"user/0001\" text(100,7)\nbatch put \"a\" \"1\" ; delete \"\\x00\\xff\" ; \
                    put \"\" rand(120000,3)\nsnapshot 1\ndelete \"user/0001\"\nget @1 \"user/0001\"\niter seek \
                    \"a\" next next prev\nscan @1 backward\ncompact * \"m\"\nproperty \
                    leveldb.num-files-at-level0\nsizes \"\" \"\\xff\" \"a\" \"b\"\nrelease 1\nreopen\nbatch\n";
        let log = OpLog::parse(text).unwrap();
        assert_eq!(log.ops.len(), 13);
        assert_eq!(log.ops[12], Op::Batch(Vec::new()));
        assert_eq!(log.to_string(), text);
        log.check().unwrap();
    }

    #[test]
    fn bad_lines_name_their_line() {
        for (text, expected) in [
            ("put \"a\"", "line 1: put takes 2 argument(s)"),
            ("\nfrobnicate", "line 2: unknown operation frobnicate"),
            ("put \"a", "line 1: unterminated string"),
            (
                "delete @1 \"a\"",
                "line 1: delete does not read at a snapshot",
            ),
            ("batch put \"a\" ; nope", "line 1: a batch item is"),
            ("iter next", "line 1: iter starts with"),
            ("sizes \"a\"", "line 1: sizes takes pairs"),
        ] {
            let error = OpLog::parse(text).unwrap_err();
            assert!(error.starts_with(expected), "{text:?}: {error}");
        }
        let log = OpLog::parse("get @1 \"a\"").unwrap();
        assert_eq!(
            log.check().unwrap_err(),
            "operation #1: snapshot 1 is not live"
        );
        let log = OpLog::parse("snapshot 1\nreopen\nrelease 1").unwrap();
        assert!(log.check().is_err());
    }
}
