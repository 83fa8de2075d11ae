//! `oxldb dump_wal --walfile=<file> [--header] [--print_value]`: a log file as RocksDB's `ldb dump_wal` prints
//! it, one row per record: `<sequence>,<count>,<byte size>,<offset>,` then each update followed by a space,
//! `PUT(0) : 0x<KEY>` (with `--print_value`, `PUT(0) : 0x<KEY> : 0x<VALUE>`) or `DELETE(0) : 0x<KEY>`. The byte
//! size is the whole batch with its 12-byte header; the offset is where the record's first fragment starts.
//!
//! Whatever the file holds that cannot be read (a corrupt stretch the log reader skips, a record too short or not a
//! batch, a record cut off at the end) is reported on stderr as it is met, the rest is still printed, and the exit
//! status is then 1.
//!
//! RocksDB: tools/ldb_cmd.cc (WALDumperCommand, DumpWalFile, InMemoryHandler)

use std::io::Write;

use oxleveldb::db::write_batch::{Handler, HEADER};
use oxleveldb::{Error, WriteBatch};

use crate::args::Args;
use crate::commands::{Failure, Output};
use crate::format::to_hex;
use crate::log_records::{Drops, LogRecords};

/// Reports a part of the log that cannot be read on stderr.
///
/// RocksDB: StdErrReporter
fn report(status: &Error) {
    let _ = writeln!(
        std::io::stderr(),
        "Corruption detected in log file {status}"
    );
}

/// Appends each update of a batch to a row.
///
/// RocksDB: InMemoryHandler
struct RowPrinter {
    row: String,
    print_values: bool,
}

impl Handler for RowPrinter {
    fn put(&mut self, key: &[u8], value: &[u8]) {
        self.row.push_str("PUT(0) : ");
        self.row.push_str(&to_hex(key));
        if self.print_values {
            self.row.push_str(" : ");
            self.row.push_str(&to_hex(value));
        }
        self.row.push(' ');
    }
    fn delete(&mut self, key: &[u8]) {
        self.row.push_str("DELETE(0) : ");
        self.row.push_str(&to_hex(key));
        self.row.push(' ');
    }
}

/// RocksDB: WALDumperCommand::DoCommand
pub fn run(args: &Args, out: &mut Output) -> Result<(), Failure> {
    let walfile = args.required_path("walfile")?;
    if walfile.extension().is_none_or(|ext| ext != "log") {
        return Err(Failure::Usage(format!(
            "{}: invalid log file name (it must end with .log)",
            walfile.display()
        )));
    }
    let print_values = args.flag("print_value");
    let drops = Drops::new(report);
    let mut records = LogRecords::open(&walfile, &drops)?;
    if args.flag("header") {
        out.write_all(b"Sequence,Count,ByteSize,Physical Offset,Key(s)")?;
        if print_values {
            out.write_all(b" : value ")?;
        }
        out.write_all(b"\n")?;
    }
    let mut bad_batches = false;
    let mut record = Vec::new();
    while let Some(offset) = records.next(&mut record) {
        if record.len() < HEADER {
            report(&Error::corruption("log record too small", ""));
            bad_batches = true;
            continue;
        }
        let batch = WriteBatch::from_contents(&record)?;
        let mut printer = RowPrinter {
            row: format!(
                "{},{},{},{offset},",
                batch.sequence(),
                batch.count(),
                batch.byte_size(),
            ),
            print_values,
        };
        let status = batch.iterate(&mut printer);
        printer.row.push('\n');
        out.write_all(printer.row.as_bytes())?;
        if let Err(e) = status {
            // The updates before the bad one are in the row; the next records may be sound.
            let _ = writeln!(std::io::stderr(), "{e}");
            bad_batches = true;
        }
    }
    let cut = records.cut_record()?;
    if let Some(report) = &cut {
        let _ = writeln!(std::io::stderr(), "{report}");
    }
    if bad_batches || drops.first().is_some() || cut.is_some() {
        return Err(Failure::Quiet);
    }
    Ok(())
}
