//! `oxldb`: LevelDB's `leveldbutil` and the commands of RocksDB's `ldb`, for LevelDB databases.
//!
//! `oxldb dump FILE...` prints files exactly as `leveldbutil dump` does; `dump_wal`, `manifest_dump` and
//! `sst_dump` show single files, `diff` tests oxleveldb against the system's C++ LevelDB and `crash-explore`
//! explores the states a crash leaves on both (with the feature `system-leveldb`), and the database commands (`get`, `put`, `scan`, `load`, `idump`, ...) work on
//! the database of `--db=<dir>`, in the names, flags and output shapes of RocksDB's `ldb` (see `oxldb --help`).
//!
//! `oxldb --version` prints the version, `oxldb --help` (or `-h`) the commands, `oxldb COMMAND --help` one of
//! them. Output goes to stdout; progress (see `progress`) and warnings go to stderr. A bad command line prints one line of error and the usage on stderr (exit status 2); a
//! failed operation prints its error on stderr, LevelDB's `Status::ToString` text for database errors (exit
//! status 1).
//!
//! LevelDB: db/leveldbutil.cc; RocksDB: tools/ldb_cmd.cc, tools/sst_dump_tool.cc

mod args;
mod commands;
mod crash_explore;
mod database;
mod db_admin;
mod db_read;
mod db_write;
mod diff;
mod dump;
mod dump_wal;
mod format;
mod levels;
mod log_records;
mod manifest_dump;
mod progress;
mod progress_env;
mod sst_dump;
mod sst_layout;
mod svg;
mod table_figure;
mod trace;
mod trace_svg;

use std::ffi::OsString;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use args::Args;
use commands::{Command, Failure};

/// Prints `failure` as its kind asks, and gives the exit status. `command` is the command that failed, if one
/// was recognized: its usage is shorter than the whole list.
fn report(failure: Failure, command: Option<&Command>) -> ExitCode {
    // Writing to stderr must not panic (as eprintln! would) when stderr is closed.
    let mut stderr = io::stderr();
    match failure {
        Failure::Usage(message) => {
            let usage = command.map_or_else(commands::usage, Command::usage);
            let _ = write!(stderr, "oxldb: {message}\n{usage}");
            ExitCode::from(2)
        }
        Failure::Failed(message) => {
            let _ = writeln!(stderr, "{message}");
            ExitCode::FAILURE
        }
        Failure::Quiet => ExitCode::FAILURE,
    }
}

/// Prints `text` on stdout (help or the version asked for).
fn print_help(text: &str) -> ExitCode {
    match io::stdout().write_all(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(e.into(), None),
    }
}

fn main() -> ExitCode {
    let raw: Vec<OsString> = std::env::args_os().skip(1).collect();
    let mut args = Args::parse(&raw);
    if args.params.is_empty() {
        if args.flag("help") {
            return print_help(&commands::usage());
        }
        if args.flag("version") {
            return print_help(&format!(
                "oxldb {} (LevelDB 1.23 files)\n",
                env!("CARGO_PKG_VERSION")
            ));
        }
        return report(Failure::Usage("no command given".to_string()), None);
    }
    let name = args.params.remove(0);
    let Some(command) = name.to_str().and_then(commands::find) else {
        let message = format!("unknown command {}", name.to_string_lossy());
        return report(Failure::Usage(message), None);
    };
    if let Err(failure) = args.check(command) {
        return report(failure, Some(command));
    }
    if args.flag("help") {
        return print_help(&command.help());
    }
    let mut out = BufWriter::new(io::stdout());
    let result = (command.run)(&args, &mut out);
    // What was printed before a failure still goes out, ahead of the error.
    let flushed = out.flush();
    match result.and(flushed.map_err(Failure::from)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => report(failure, Some(command)),
    }
}
