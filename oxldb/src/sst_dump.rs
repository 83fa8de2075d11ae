//! `oxldb sst_dump --file=<table> [--command=scan|check] [--output_hex]`: one table file, as RocksDB's
//! `sst_dump` shows it.
//!
//! `scan` (the default) prints each entry as `'<user key>' seq:<N>, type:<T> => <value>`. `check` reads the
//! index and every data block, and prints `<file>: OK, <N> entries`. Both verify every block's checksum: a bad
//! block is skipped (the entries of the others are still read and printed), and the first one is the command's
//! error.
//!
//! RocksDB: tools/sst_dump_tool.cc, SstFileDumper::ReadSequential

use std::io;
use std::path::Path;

use oxleveldb::env::default_env;
use oxleveldb::table::Table;
use oxleveldb::{Options, ReadOptions};

use crate::args::Args;
use crate::commands::{Failure, Output};
use crate::format::{debug_bytes, internal_key};

/// RocksDB: SSTDumpTool::Run
pub fn run(args: &Args, out: &mut Output) -> Result<(), Failure> {
    let path = args.required_path("file")?;
    let check = match args.option("command").map(|c| c.to_str()) {
        None | Some(Some("scan")) => false,
        Some(Some("check")) => true,
        Some(_) => {
            return Err(Failure::Usage(
                "--command must be scan or check".to_string(),
            ))
        }
    };
    let hex = args.flag("output_hex");
    let entries = read_table(&path, |key, value| {
        if check {
            Ok(())
        } else {
            writeln!(
                out,
                "{} => {}",
                internal_key(key, hex),
                debug_bytes(value, hex)
            )
        }
    })?;
    if check {
        writeln!(out, "{}: OK, {entries} entries", path.display())?;
    }
    Ok(())
}

/// Reads every entry of the table `path` with every block's checksum verified (the index's too), handing each
/// to `each`; gives the number of entries. A bad block is skipped, and the first one is the error after the
/// entries of the others.
///
/// RocksDB: SstFileDumper::ReadSequential, SstFileDumper::VerifyChecksum
pub fn read_table(
    path: &Path,
    mut each: impl FnMut(&[u8], &[u8]) -> io::Result<()>,
) -> Result<u64, Failure> {
    let env = default_env();
    let file_size = env.get_file_size(path)?;
    let file = env.new_random_access_file(path)?;
    let options = Options {
        paranoid_checks: true,
        ..Options::default()
    };
    let table = Table::open(&options, file, file_size)?;
    let read_options = ReadOptions {
        verify_checksums: true,
        fill_cache: false,
        ..ReadOptions::default()
    };
    let mut iter = table.new_iterator(&read_options);
    let mut entries = 0u64;
    iter.seek_to_first();
    while iter.valid() {
        each(iter.key(), iter.value())?;
        entries += 1;
        iter.next();
    }
    iter.status()?;
    Ok(entries)
}
