//! What the database commands share: the database named by `--db=<dir>`, opened with LevelDB's default options
//! (so with the bytewise comparator), and their key flags (`--hex`, `--key_hex`, `--value_hex`, `--from`, `--to`).
//!
//! RocksDB: LDBCommand::OpenDB, LDBCommand::IsKeyHex, LDBCommand::IsValueHex

use std::path::PathBuf;

use oxleveldb::{Options, DB};

use crate::args::Args;
use crate::commands::Failure;
use crate::format::{input, HexMode};

/// The directory given by `--db`.
pub fn db_path(args: &Args) -> Result<PathBuf, Failure> {
    args.required_path("db")
}

/// Opens the database of `--db` with `options` (LevelDB's defaults, changed by the command).
pub fn open_db(args: &Args, options: Options) -> Result<DB, Failure> {
    Ok(DB::open(options, db_path(args)?)?)
}

/// Opens the database of `--db`, creating it if the command has `--create_if_missing`.
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
