//! The database commands that read: `get`, `scan`, `idump`, `approxsize`, `get_property`, in the shapes of
//! RocksDB's `ldb`. Each opens the database read-only (see `database`): it needs no lock and changes nothing.
//!
//! RocksDB: GetCommand, ScanCommand, InternalDumpCommand, ApproxSizeCommand, GetPropertyCommand

use oxleveldb::db::dbformat::{
    extract_user_key, parse_internal_key, InternalKey, MAX_SEQUENCE_NUMBER, VALUE_TYPE_FOR_SEEK,
};
use oxleveldb::{Options, Range, DB};

use crate::args::Args;
use crate::commands::{Failure, Output};
use crate::database::{hex_mode, key_option, open_db_read_only};
use crate::format::{debug_bytes, input, internal_key, output, HexMode};
use crate::progress::Progress;

/// `get <key>`: the value alone, or `Key not found` (exit status 1).
///
/// RocksDB: GetCommand::DoCommand
pub fn get(args: &Args, out: &mut Output) -> Result<(), Failure> {
    args.expect_params(1, "one <key>")?;
    let hex = hex_mode(args);
    let key = input(&args.params[0], hex.key)?;
    let db = open_db_read_only(args, Options::default())?;
    match db.get(&key)? {
        Some(value) => {
            out.write_all(&output(&value, hex.value))?;
            out.write_all(b"\n")?;
            Ok(())
        }
        None => {
            out.write_all(b"Key not found\n")?;
            Err(Failure::Quiet)
        }
    }
}

/// What `scan` and `idump` share: the database, the hex modes, the range `[from, to)` and the most entries to
/// print.
struct Listing {
    db: DB,
    hex: HexMode,
    from: Option<Vec<u8>>,
    to: Option<Vec<u8>>,
    max_keys: Option<u64>,
}

impl Listing {
    fn new(args: &Args) -> Result<Listing, Failure> {
        args.expect_params(0, "no parameters")?;
        let hex = hex_mode(args);
        let from = key_option(args, "from")?;
        let to = key_option(args, "to")?;
        let max_keys = args.max_keys()?;
        Ok(Listing {
            db: open_db_read_only(args, Options::default())?,
            hex,
            from,
            to,
            max_keys,
        })
    }

    /// True if every entry is listed.
    fn is_whole(&self) -> bool {
        self.from.is_none() && self.to.is_none() && self.max_keys.is_none()
    }

    /// True while `user_key` is before `to`, and fewer than `max_keys` entries are printed.
    fn goes_on(&self, user_key: &[u8], printed: u64) -> bool {
        self.to.as_ref().is_none_or(|to| user_key < to.as_slice())
            && self.max_keys.is_none_or(|max| printed < max)
    }
}

/// `scan [--from] [--to] [--max_keys]`: `key ==> value` for each entry in `[from, to)`. A scan of the whole
/// database shows its progress on stderr (see `progress`).
///
/// RocksDB: ScanCommand::DoCommand
pub fn scan(args: &Args, out: &mut Output) -> Result<(), Failure> {
    let listing = Listing::new(args)?;
    let hex = listing.hex;
    let progress = if listing.is_whole() {
        Progress::start_beside_rows("scan")
    } else {
        Progress::none()
    };
    let mut iter = listing.db.new_iterator();
    match &listing.from {
        Some(from) => iter.seek(from),
        None => iter.seek_to_first(),
    }
    let mut scanned = 0;
    while iter.valid() && listing.goes_on(iter.key(), scanned) {
        out.write_all(&output(iter.key(), hex.key))?;
        out.write_all(b" ==> ")?;
        out.write_all(&output(iter.value(), hex.value))?;
        out.write_all(b"\n")?;
        scanned += 1;
        progress.add(1, (iter.key().len() + iter.value().len()) as u64);
        iter.next();
    }
    Ok(iter.status()?)
}

/// `idump [--from] [--to] [--max_keys]`: every internal entry (each version of each key, deletions included)
/// in `[from, to)`, as `'<user key>' seq:<N>, type:<T> => <value>`, then `Internal keys in range: <N>`.
///
/// RocksDB: InternalDumpCommand::DoCommand
pub fn idump(args: &Args, out: &mut Output) -> Result<(), Failure> {
    let listing = Listing::new(args)?;
    let hex = listing.hex;
    let mut iter = listing.db.test_new_internal_iterator();
    match &listing.from {
        Some(from) => {
            iter.seek(InternalKey::new(from, MAX_SEQUENCE_NUMBER, VALUE_TYPE_FOR_SEEK).encode())
        }
        None => iter.seek_to_first(),
    }
    let mut count = 0;
    // An entry whose key does not parse has no user key to compare: it is printed.
    while iter.valid()
        && listing.goes_on(
            parse_internal_key(iter.key()).map_or(&[][..], |key| key.user_key),
            count,
        )
    {
        writeln!(
            out,
            "{} => {}",
            internal_key(iter.key(), hex.key),
            debug_bytes(iter.value(), hex.value)
        )?;
        count += 1;
        iter.next();
    }
    iter.status()?;
    writeln!(out, "Internal keys in range: {count}")?;
    Ok(())
}

/// `approxsize [--from] [--to]`: the approximate file space of `[from, to)`; without `--from` from the first key,
/// without `--to` past the last one.
///
/// RocksDB: ApproxSizeCommand::DoCommand
pub fn approxsize(args: &Args, out: &mut Output) -> Result<(), Failure> {
    args.expect_params(0, "no parameters")?;
    let from = key_option(args, "from")?.unwrap_or_default();
    let to = key_option(args, "to")?;
    let db = open_db_read_only(args, Options::default())?;
    let to = match to {
        Some(to) => to,
        None => {
            // Just past the largest user key of any entry: that key followed by a zero byte.
            let mut iter = db.test_new_internal_iterator();
            iter.seek_to_last();
            iter.status()?;
            let mut past_last = if iter.valid() {
                extract_user_key(iter.key()).to_vec()
            } else {
                Vec::new()
            };
            past_last.push(0);
            past_last
        }
    };
    let size = db.get_approximate_sizes(&[Range::new(&from, &to)])[0];
    writeln!(out, "{size}")?;
    Ok(())
}

/// `get_property <name>`: `<name>: <value>`; an unknown property is an error.
///
/// RocksDB: GetPropertyCommand::DoCommand
pub fn get_property(args: &Args, out: &mut Output) -> Result<(), Failure> {
    args.expect_params(1, "one <property name>")?;
    let name = args.params[0].to_string_lossy();
    let db = open_db_read_only(args, Options::default())?;
    match db.get_property(&name) {
        Some(value) => {
            writeln!(out, "{name}: {value}")?;
            Ok(())
        }
        None => Err(Failure::Failed(format!("failed to get property: {name}"))),
    }
}
