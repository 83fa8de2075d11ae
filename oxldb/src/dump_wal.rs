//! `oxldb dump_wal --walfile=<file> [--header] [--print_value]`: a log file as RocksDB's `ldb dump_wal` prints
//! it, one row per record: `<sequence>,<count>,<byte size>,<offset>,` then each update followed by a space,
//! `PUT(0) : 0x<KEY>` (with `--print_value`, `PUT(0) : 0x<KEY> : 0x<VALUE>`) or `DELETE(0) : 0x<KEY>`. The byte
//! size is the whole batch with its 12-byte header; the offset is where the record's first fragment starts.
//!
//! Corruption the log reader skips is reported on stderr, and makes the exit status 1 once the rest is printed.
//!
//! RocksDB: tools/ldb_cmd.cc (WALDumperCommand, DumpWalFile, InMemoryHandler)

use std::cell::Cell;
use std::io::Write;

use oxleveldb::db::write_batch::{Handler, HEADER};
use oxleveldb::env::default_env;
use oxleveldb::log::{Reader, Reporter};
use oxleveldb::{Error, WriteBatch};

use crate::args::Args;
use crate::commands::{Failure, Output};
use crate::format::to_hex;

/// Reports what the log reader drops on stderr, and remembers that it did.
///
/// RocksDB: StdErrReporter
struct StdErrReporter {
    corrupt: Cell<bool>,
}

impl Reporter for StdErrReporter {
    fn corruption(&self, _bytes: usize, status: &Error) {
        self.corrupt.set(true);
        let _ = writeln!(
            std::io::stderr(),
            "Corruption detected in log file {status}"
        );
    }
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
    let file = default_env().new_sequential_file(&walfile)?;
    let reporter = StdErrReporter {
        corrupt: Cell::new(false),
    };
    let mut reader = Reader::new(file, Some(&reporter), true, 0);
    if args.flag("header") {
        out.write_all(b"Sequence,Count,ByteSize,Physical Offset,Key(s)")?;
        if print_values {
            out.write_all(b" : value ")?;
        }
        out.write_all(b"\n")?;
    }
    let mut record = Vec::new();
    while reader.read_record(&mut record) {
        if record.len() < HEADER {
            reporter.corruption(record.len(), &Error::corruption("log record too small", ""));
            continue;
        }
        let batch = WriteBatch::from_contents(&record)?;
        let mut printer = RowPrinter {
            row: format!(
                "{},{},{},{},",
                batch.sequence(),
                batch.count(),
                batch.byte_size(),
                reader.last_record_offset()
            ),
            print_values,
        };
        let status = batch.iterate(&mut printer);
        printer.row.push('\n');
        out.write_all(printer.row.as_bytes())?;
        status?;
    }
    if reporter.corrupt.get() {
        return Err(Failure::Quiet);
    }
    Ok(())
}
