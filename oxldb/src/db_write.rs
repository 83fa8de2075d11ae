//! The database commands that write: `put`, `delete`, `batchput` (each prints `OK`) and `load`, in the shapes of
//! RocksDB's `ldb`.
//!
//! RocksDB: PutCommand, DeleteCommand, BatchPutCommand, DBLoaderCommand

use std::io::BufRead;

use oxleveldb::{Options, WriteBatch, WriteOptions};

use crate::args::Args;
use crate::commands::{Failure, Output};
use crate::database::{hex_mode, open_db, open_db_for_writes};
use crate::format::{decode, input};

/// What `scan` puts between a key and its value, and `load` looks for.
///
/// RocksDB: LDBCommand::DELIM
const DELIM: &[u8] = b" ==> ";

/// `put <key> <value>`.
///
/// RocksDB: PutCommand::DoCommand
pub fn put(args: &Args, out: &mut Output) -> Result<(), Failure> {
    args.expect_params(2, "<key> <value>")?;
    let hex = hex_mode(args);
    let key = input(&args.params[0], hex.key)?;
    let value = input(&args.params[1], hex.value)?;
    let db = open_db_for_writes(args)?;
    db.put(&WriteOptions::default(), &key, &value)?;
    out.write_all(b"OK\n")?;
    Ok(())
}

/// `delete <key>`.
///
/// RocksDB: DeleteCommand::DoCommand
pub fn delete(args: &Args, out: &mut Output) -> Result<(), Failure> {
    args.expect_params(1, "one <key>")?;
    let key = input(&args.params[0], hex_mode(args).key)?;
    let db = open_db(args, Options::default())?;
    db.delete(&WriteOptions::default(), &key)?;
    out.write_all(b"OK\n")?;
    Ok(())
}

/// `batchput <key> <value> [<key> <value>]...`: one atomic write.
///
/// RocksDB: BatchPutCommand::DoCommand
pub fn batchput(args: &Args, out: &mut Output) -> Result<(), Failure> {
    if args.params.is_empty() || args.params.len() % 2 != 0 {
        return Err(Failure::Usage(
            "expected one or more <key> <value> pairs".to_string(),
        ));
    }
    let hex = hex_mode(args);
    let mut batch = WriteBatch::new();
    for pair in args.params.chunks(2) {
        batch.put(&input(&pair[0], hex.key)?, &input(&pair[1], hex.value)?);
    }
    let db = open_db_for_writes(args)?;
    db.write(&WriteOptions::default(), &batch)?;
    out.write_all(b"OK\n")?;
    Ok(())
}

/// `load`: puts each `key ==> value` line of stdin (as `scan` prints them). `Keys in range:` lines are skipped;
/// other lines without the separator (or with bad hex) are counted and reported as bad.
///
/// RocksDB: DBLoaderCommand::DoCommand
pub fn load(args: &Args, out: &mut Output) -> Result<(), Failure> {
    args.expect_params(0, "no parameters (the entries come from stdin)")?;
    let hex = hex_mode(args);
    let db = open_db_for_writes(args)?;
    let mut bad_lines = 0;
    for line in std::io::stdin().lock().split(b'\n') {
        let line = line?;
        let entry = line
            .windows(DELIM.len())
            .position(|w| w == DELIM)
            .and_then(|pos| {
                let key = decode(&line[..pos], hex.key)?;
                let value = decode(&line[pos + DELIM.len()..], hex.value)?;
                Some((key, value))
            });
        match entry {
            Some((key, value)) => db.put(&WriteOptions::default(), &key, &value)?,
            None if line.starts_with(b"Keys in range:") => {}
            None => bad_lines += 1,
        }
    }
    if bad_lines > 0 {
        writeln!(out, "Warning: {bad_lines} bad lines ignored.")?;
    }
    Ok(())
}
