//! The database commands that write: `put`, `delete`, `batchput` (each prints `OK`) and `load`, in the shapes of
//! RocksDB's `ldb`.
//!
//! RocksDB: PutCommand, DeleteCommand, BatchPutCommand, DBLoaderCommand

use std::io::BufRead;

use oxleveldb::util::logging::escape_string;
use oxleveldb::{Options, WriteBatch};

use crate::args::Args;
use crate::commands::{Failure, Output};
use crate::database::{hex_mode, open_db, open_db_for_writes};
use crate::format::{decode, input};
use crate::progress::Progress;

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
    db.put(&key, &value)?;
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
    db.delete(&key)?;
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
    db.write(&batch)?;
    out.write_all(b"OK\n")?;
    Ok(())
}

/// `load`: puts each `key ==> value` line of stdin (as `scan` prints them). `Keys in range:` lines are skipped;
/// each other line without the separator (or with bad hex) is reported on stderr with its number, then counted as
/// `Warning: N bad lines ignored.` A load that puts nothing fails: its input was not what it takes. The progress
/// goes to stderr (see `progress`).
///
/// RocksDB: DBLoaderCommand::DoCommand
pub fn load(args: &Args, _out: &mut Output) -> Result<(), Failure> {
    args.expect_params(0, "no parameters (the entries come from stdin)")?;
    let hex = hex_mode(args);
    let db = open_db_for_writes(args)?;
    let progress = Progress::start("load", true);
    let (mut loaded, mut bad_lines) = (0u64, 0u64);
    for (number, line) in std::io::stdin().lock().split(b'\n').enumerate() {
        let line = line?;
        let entry = match line.windows(DELIM.len()).position(|w| w == DELIM) {
            None if line.starts_with(b"Keys in range:") => continue,
            None => Err("no ' ==> ' between a key and a value"),
            Some(pos) => decode(&line[..pos], hex.key)
                .zip(decode(&line[pos + DELIM.len()..], hex.value))
                .ok_or("bad hex: 0x and pairs of hex digits expected"),
        };
        match entry {
            Ok((key, value)) => {
                db.put(&key, &value)?;
                loaded += 1;
                progress.add(1, line.len() as u64 + 1);
            }
            Err(reason) => {
                bad_lines += 1;
                progress.say(&format!(
                    "line {}: {reason}: {}",
                    number + 1,
                    quoted_start(&line)
                ));
            }
        }
    }
    if bad_lines > 0 {
        progress.say(&format!("Warning: {bad_lines} bad lines ignored."));
    }
    if loaded == 0 {
        return Err(Failure::Failed(
            "oxldb: load read no entries (it takes `<key> ==> <value>` lines, as scan prints them)"
                .to_string(),
        ));
    }
    Ok(())
}

/// The start of a bad line, escaped, for its report.
fn quoted_start(line: &[u8]) -> String {
    const SHOWN: usize = 60;
    let mut text = format!("'{}'", escape_string(&line[..line.len().min(SHOWN)]));
    if line.len() > SHOWN {
        text.push_str("...");
    }
    text
}
