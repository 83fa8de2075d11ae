//! What the database commands share: the database named by `--db=<dir>`, opened with LevelDB's default options
//! (so with the bytewise comparator), and their key flags (`--hex`, `--key_hex`, `--value_hex`, `--from`, `--to`).
//!
//! Invariant: a command that only reads opens the database with `DB::open_read_only`, so it takes no LOCK and
//! creates, writes and deletes no file (no LOG, no new log, no compaction): it works while another process has
//! the database open, and leaves the directory byte for byte as it found it.
//!
//! RocksDB: LDBCommand::OpenDB (with `try_load_options`' read-only mode), LDBCommand::IsKeyHex,
//! LDBCommand::IsValueHex

use std::path::{Path, PathBuf};

use oxleveldb::db::filename::lock_file_name;
use oxleveldb::env::{default_env, FileLock};
use oxleveldb::{Options, DB};

use crate::args::Args;
use crate::commands::{is_lock_held, Failure};
use crate::format::{input, HexMode};

/// The directory given by `--db`.
pub fn db_path(args: &Args) -> Result<PathBuf, Failure> {
    args.required_path("db")
}

/// The LOCK of a database, held until dropped.
pub struct DbLock(Option<Box<dyn FileLock>>);

/// Takes the LOCK of the database at `path`. Held by another process (or handle), it is the command's error; with
/// no directory to take it in, nothing is locked, and the command's own open or repair says what is wrong.
pub fn lock_db(path: &Path) -> Result<DbLock, Failure> {
    match default_env().lock_file(&lock_file_name(path)) {
        Ok(lock) => Ok(DbLock(Some(lock))),
        Err(e) if is_lock_held(&e) => Err(e.into()),
        Err(_) => Ok(DbLock(None)),
    }
}

impl Drop for DbLock {
    fn drop(&mut self) {
        if let Some(lock) = self.0.take() {
            let _ = default_env().unlock_file(lock);
        }
    }
}

/// Opens the database of `--db` for writing (it takes the LOCK) with `options` (LevelDB's defaults, changed by
/// the command). `DB::open` tries the LOCK before it touches the LOG, so a refused open leaves the LOG of the
/// process that has the database open alone (LevelDB's open would move it to LOG.old first).
pub fn open_db(args: &Args, options: Options) -> Result<DB, Failure> {
    Ok(DB::open(options, db_path(args)?)?)
}

/// Opens the database of `--db` for reading only, with `options`: no LOCK, no file touched.
///
/// RocksDB: DB::OpenForReadOnly
pub fn open_db_read_only(args: &Args, options: Options) -> Result<DB, Failure> {
    Ok(DB::open_read_only(options, db_path(args)?)?)
}

/// Opens the database of `--db` for writing, creating it if the command has `--create_if_missing`.
pub fn open_db_for_writes(args: &Args) -> Result<DB, Failure> {
    let options = Options {
        create_if_missing: args.flag("create_if_missing"),
        ..Options::default()
    };
    open_db(args, options)
}

/// Which of keys and values are in hex.
pub fn hex_mode(args: &Args) -> HexMode {
    let hex = args.flag("hex");
    HexMode {
        key: hex || args.flag("key_hex"),
        value: hex || args.flag("value_hex"),
    }
}

/// The key of `--from` or `--to`, if given.
pub fn key_option(args: &Args, name: &str) -> Result<Option<Vec<u8>>, Failure> {
    let hex = hex_mode(args).key;
    args.option(name).map(|key| input(key, hex)).transpose()
}
