//! `oxldb`: LevelDB's `leveldbutil`, in oxleveldb.
//!
//! `oxldb dump FILE...` prints log, MANIFEST and table files exactly as `leveldbutil dump` does; errors go to
//! stderr and make the exit status 1.
//!
//! LevelDB: db/leveldbutil.cc

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use oxleveldb::db::dumpfile::dump_file;
use oxleveldb::env::{default_env, Env, WritableFile};
use oxleveldb::Result;

/// Writes what it is given to standard output.
///
/// LevelDB: StdoutPrinter
struct StdoutPrinter {
    out: std::io::BufWriter<std::io::Stdout>,
}

impl WritableFile for StdoutPrinter {
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
fn handle_dump_command(env: &dyn Env, files: &[String]) -> bool {
    let mut printer = StdoutPrinter {
        out: std::io::BufWriter::new(std::io::stdout()),
    };
    let mut ok = true;
    for file in files {
        if let Err(s) = dump_file(env, Path::new(file), &mut printer) {
            let _ = printer.flush();
            eprintln!("{s}");
            ok = false;
        }
    }
    let _ = printer.flush();
    ok
}

/// LevelDB: Usage
fn usage() {
    eprintln!(
        "Usage: oxldb command...\n   dump files...         -- dump contents of specified files"
    );
}

fn main() -> ExitCode {
    let env = default_env();
    let args: Vec<String> = std::env::args().collect();
    let ok = match args.get(1).map(String::as_str) {
        Some("dump") => handle_dump_command(&*env, &args[2..]),
        _ => {
            usage();
            false
        }
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
