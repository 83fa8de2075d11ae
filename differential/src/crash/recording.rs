//! A recording: the file-system operations one engine made while running a crash workload, parsed from the text
//! both recording Envs write (oxleveldb's `RecordingEnv`, and the C++ shim's for LevelDB; the format is defined in
//! oxleveldb's src/env/recording_env.rs), and the runner that makes one.
//!
//! Invariant: `ops` are in the order they completed; replaying every one of them rebuilds the database directory
//! as the engine left it.

use std::path::Path;
use std::sync::Arc;

use oxleveldb::env::{default_env, RecordingEnv, RecordingFaults};
use oxleveldb::{WriteBatch, WriteOptions, DB};
use system_leveldb as cpp;

use super::workload::{CrashWorkload, Step};
use crate::cpp_engine::cpp_options;
use crate::engine::BatchOp;
use crate::ox_engine::ox_options;

/// One recorded operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FsOp {
    /// A writable file created (or truncated).
    Create(String),
    /// One write: `data` at `offset` of `file`.
    Append {
        /// The file's name in the database directory.
        file: String,
        /// Where the bytes went: the file's length before them.
        offset: u64,
        /// The bytes.
        data: Vec<u8>,
    },
    /// fsync of a file.
    Sync(String),
    /// fsync of the database directory.
    DirSync,
    /// A rename (replacing the target).
    Rename(String, String),
    /// An unlink.
    Remove(String),
    /// A truncation to a length.
    Truncate(String, u64),
    /// The database's LOCK taken.
    Lock(String),
    /// The LOCK released.
    Unlock,
    /// The workload's write number `write` returned Ok.
    Ack {
        /// The write's number, counting from 0.
        write: usize,
        /// It was a synced write.
        synced: bool,
    },
}

impl FsOp {
    /// A directory operation: one that a directory sync makes durable.
    pub fn is_dir_op(&self) -> bool {
        matches!(self, FsOp::Create(_) | FsOp::Rename(..) | FsOp::Remove(_))
    }

    /// The line of the recording, as the recording Envs write it.
    pub fn line(&self) -> String {
        match self {
            FsOp::Append { data, .. } => {
                let hex: String = data.iter().map(|b| format!("{b:02x}")).collect();
                format!("{} {hex}", self.summary())
            }
            op => op.summary(),
        }
    }

    /// The line of the recording, with an append's bytes left out.
    pub fn summary(&self) -> String {
        match self {
            FsOp::Create(f) => format!("create {f}"),
            FsOp::Append { file, offset, data } => format!("append {file} {offset} {}", data.len()),
            FsOp::Sync(f) => format!("sync {f}"),
            FsOp::DirSync => "dirsync".to_string(),
            FsOp::Rename(a, b) => format!("rename {a} {b}"),
            FsOp::Remove(f) => format!("remove {f}"),
            FsOp::Truncate(f, n) => format!("truncate {f} {n}"),
            FsOp::Lock(f) => format!("lock {f}"),
            FsOp::Unlock => "unlock".to_string(),
            FsOp::Ack { write, synced } => format!("ack {write} {}", u8::from(*synced)),
        }
    }
}

/// The operations one engine made, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recording {
    /// The operations.
    pub ops: Vec<FsOp>,
}

fn parse_number<T: std::str::FromStr>(token: Option<&str>, line: &str) -> Result<T, String> {
    token
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| format!("bad number in recording line {line:?}"))
}

fn parse_hex(hex: &str, line: &str) -> Result<Vec<u8>, String> {
    if hex.len() % 2 != 0 {
        return Err(format!("odd hex length in recording line {line:?}"));
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(&hex[i..i + 2], 16)
                .map_err(|_| format!("bad hex in recording line {line:?}"))
        })
        .collect()
}

impl Recording {
    /// Parses a recording's text.
    pub fn parse(text: &str) -> Result<Recording, String> {
        let mut ops = Vec::new();
        for line in text.lines().filter(|l| !l.is_empty()) {
            let mut tokens = line.split(' ');
            let word = tokens.next().unwrap_or_default();
            let mut name = || {
                tokens
                    .next()
                    .map(str::to_string)
                    .ok_or_else(|| format!("missing name in recording line {line:?}"))
            };
            let op = match word {
                "create" => FsOp::Create(name()?),
                "sync" => FsOp::Sync(name()?),
                "dirsync" => FsOp::DirSync,
                "rename" => FsOp::Rename(name()?, name()?),
                "remove" => FsOp::Remove(name()?),
                "lock" => FsOp::Lock(name()?),
                "unlock" => FsOp::Unlock,
                "truncate" | "append" | "ack" => {
                    let mut tokens = line.split(' ').skip(1);
                    match word {
                        "truncate" => {
                            let file = tokens.next().unwrap_or_default().to_string();
                            FsOp::Truncate(file, parse_number(tokens.next(), line)?)
                        }
                        "append" => {
                            let file = tokens.next().unwrap_or_default().to_string();
                            let offset = parse_number(tokens.next(), line)?;
                            let length: usize = parse_number(tokens.next(), line)?;
                            let data = parse_hex(tokens.next().unwrap_or_default(), line)?;
                            if data.len() != length {
                                return Err(format!("append length mismatch in {line:?}"));
                            }
                            FsOp::Append { file, offset, data }
                        }
                        _ => FsOp::Ack {
                            write: parse_number(tokens.next(), line)?,
                            synced: parse_number::<u8>(tokens.next(), line)? != 0,
                        },
                    }
                }
                _ => return Err(format!("unknown recording line {line:?}")),
            };
            ops.push(op);
        }
        Ok(Recording { ops })
    }
}

/// The engine a recording is made with and a crash state is opened with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EngineKind {
    /// oxleveldb.
    Oxleveldb,
    /// The system's C++ LevelDB 1.23.
    Leveldb,
}

impl EngineKind {
    /// The name reports use.
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Oxleveldb => "oxleveldb",
            EngineKind::Leveldb => "leveldb",
        }
    }
}

/// Runs `workload` on `engine` in the (empty or missing) directory `dir` through a recording Env describing an env
/// with `faults`, and returns what it recorded. Each write is acknowledged in the recording when it returns Ok.
pub fn record(
    engine: EngineKind,
    workload: &CrashWorkload,
    faults: RecordingFaults,
    dir: &Path,
) -> Result<Recording, String> {
    let text = match engine {
        EngineKind::Oxleveldb => record_oxleveldb(workload, faults, dir)?,
        EngineKind::Leveldb => record_leveldb(workload, faults, dir)?,
    };
    Recording::parse(&text)
}

fn record_oxleveldb(
    workload: &CrashWorkload,
    faults: RecordingFaults,
    dir: &Path,
) -> Result<String, String> {
    let env = Arc::new(RecordingEnv::new(default_env(), faults));
    let mut options = ox_options(&workload.options);
    options.env = env.clone();
    let open = || DB::open(options.clone(), dir).map_err(|e| e.to_string());
    let mut db = open()?;
    let mut write = 0;
    for step in &workload.steps {
        match step {
            Step::Write { ops, sync } => {
                let mut batch = WriteBatch::new();
                for op in ops {
                    match op {
                        BatchOp::Put(k, v) => batch.put(k, v),
                        BatchOp::Delete(k) => batch.delete(k),
                    }
                }
                db.write_opt(&batch, &WriteOptions { sync: *sync })
                    .map_err(|e| e.to_string())?;
                env.acknowledge(write, *sync);
                write += 1;
            }
            Step::Compact => db.compact_range(None, None).map_err(|e| e.to_string())?,
            Step::Reopen => {
                drop(db);
                db = open()?;
            }
        }
    }
    drop(db);
    Ok(env.take())
}

fn record_leveldb(
    workload: &CrashWorkload,
    faults: RecordingFaults,
    dir: &Path,
) -> Result<String, String> {
    let env = cpp::RecordingEnv::new(
        faults.skip_dir_sync,
        faults.skip_old_log_sync,
        faults.slow_table_creates,
    );
    let mut options = cpp_options(&workload.options);
    options.set_env(env.clone());
    let mut db = cpp::Db::open(&options, dir)?;
    let mut write = 0;
    for step in &workload.steps {
        match step {
            Step::Write { ops, sync } => {
                let mut batch = cpp::WriteBatch::new();
                for op in ops {
                    match op {
                        BatchOp::Put(k, v) => batch.put(k, v),
                        BatchOp::Delete(k) => batch.delete(k),
                    }
                }
                let mut write_options = cpp::WriteOptions::new();
                write_options.set_sync(*sync);
                db.write(&write_options, &mut batch)?;
                env.acknowledge(write as u64, *sync);
                write += 1;
            }
            Step::Compact => db.compact_range(None, None),
            Step::Reopen => {
                drop(db);
                db = cpp::Db::open(&options, dir)?;
            }
        }
    }
    drop(db);
    Ok(env.take())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind_of_line() {
        let text =
            "lock LOCK\ncreate 000003.log\nappend 000003.log 0 2 00ff\nsync 000003.log\ndirsync\n\
                    rename a b\nremove b\ntruncate c 7\nack 0 1\nunlock\n";
        let recording = Recording::parse(text).unwrap();
        assert_eq!(recording.ops.len(), 10);
        assert_eq!(
            recording.ops[2],
            FsOp::Append {
                file: "000003.log".to_string(),
                offset: 0,
                data: vec![0, 255]
            }
        );
        assert_eq!(
            recording.ops[8],
            FsOp::Ack {
                write: 0,
                synced: true
            }
        );
        let lines: Vec<String> = recording.ops.iter().map(FsOp::line).collect();
        assert_eq!(lines.join("\n") + "\n", text);
        assert!(Recording::parse("append x 0 3 00ff\n").is_err());
        assert!(Recording::parse("fsync x\n").is_err());
    }
}
