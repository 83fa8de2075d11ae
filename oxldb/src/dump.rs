//! `oxldb dump FILE...`: LevelDB's `leveldbutil dump`, byte for byte. Each file's error goes to stderr as it
//! happens, and the other files are still dumped.
//!
//! LevelDB: db/leveldbutil.cc

use std::io::Write;
use std::path::Path;

use oxleveldb::db::dumpfile::dump_file;
use oxleveldb::env::{default_env, WritableFile};
use oxleveldb::Result;

use crate::args::Args;
use crate::commands::{Failure, Output};

/// Writes what it is given to the tool's output.
///
/// LevelDB: StdoutPrinter
struct StdoutPrinter<'a> {
    out: &'a mut Output,
}

impl WritableFile for StdoutPrinter<'_> {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        // A closed stdout (e.g. `oxldb dump f | head`) is not an error of the dump.
        let _ = self.out.write_all(data);
        Ok(())
    }
    fn close(&mut self) -> Result<()> {
        self.flush()
    }
    fn flush(&mut self) -> Result<()> {
        let _ = self.out.flush();
        Ok(())
    }
    fn sync(&mut self) -> Result<()> {
        Ok(())
    }
}

/// LevelDB: HandleDumpCommand
pub fn run(args: &Args, out: &mut Output) -> std::result::Result<(), Failure> {
    let env = default_env();
    let mut printer = StdoutPrinter { out };
    let mut ok = true;
    for file in &args.params {
        if let Err(s) = dump_file(&*env, Path::new(file), &mut printer) {
            // The error follows what the file printed before it.
            let _ = printer.flush();
            let _ = writeln!(std::io::stderr(), "{s}");
            ok = false;
        }
    }
    if ok {
        Ok(())
    } else {
        Err(Failure::Quiet)
    }
}
