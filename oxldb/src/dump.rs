//! `oxldb dump [--type=log|manifest|table] FILE...`: LevelDB's `leveldbutil dump`, byte for byte. Each file's
//! error goes to stderr as it happens, and the other files are still dumped.
//!
//! The type of a file comes from its name, as in LevelDB. `--type` gives it for files named otherwise (a copy, a
//! file attached to a bug report): LevelDB's dump gets the file under a name of that type, through an `Env` that
//! opens that name as the real file (so an error still names the real file).
//!
//! LevelDB's dump writes what it cannot read into its output and still succeeds; the tool exits 1 when it did.
//! It tells by the lines: every byte of data in a dump is escaped (`\xNN`), so only such a report can start a
//! line with `corruption: `, `  error: `, `iterator error: `, `badkey '`, or `--- offset N; ` followed by anything
//! but `sequence ` or `VersionEdit {`. Two things it does not see, the tool then looks for and reports on stderr:
//! a record cut off at the end of a log or MANIFEST, which the log reader passes over in silence (see
//! `log_records`), and a bad block in a table, as LevelDB's dump does not verify the blocks' checksums.
//!
//! LevelDB: db/leveldbutil.cc

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use oxleveldb::db::dumpfile::dump_file;
use oxleveldb::db::filename::{parse_file_name, FileType};
use oxleveldb::env::{default_env, EnvWrapper, RandomAccessFile, SequentialFile, WritableFile};
use oxleveldb::{Env, Result};

use crate::args::Args;
use crate::commands::{Failure, Output};
use crate::log_records::{Drops, LogRecords};
use crate::sst_dump::read_table;

/// How many bytes of a line tell whether it reports trouble (`--- offset <20 digits>; VersionEdit {` fits).
const LINE_START: usize = 64;

/// Writes what it is given to the tool's output, and watches its lines for LevelDB's reports of what could not
/// be read.
///
/// LevelDB: StdoutPrinter
struct StdoutPrinter<'a> {
    out: &'a mut Output,
    /// The start of the line being written.
    line: Vec<u8>,
    /// A line so far reported trouble.
    trouble: bool,
}

impl StdoutPrinter<'_> {
    /// Whether the output of the file just dumped reported trouble; starts afresh for the next file.
    fn take_trouble(&mut self) -> bool {
        self.end_line();
        std::mem::take(&mut self.trouble)
    }

    fn end_line(&mut self) {
        self.trouble |= reports_trouble(&self.line);
        self.line.clear();
    }
}

/// True if a line of a dump that starts with `line` says what LevelDB's dump could not read.
///
/// LevelDB: CorruptionReporter, WriteBatchPrinter, VersionEditPrinter, DumpTable
fn reports_trouble(line: &[u8]) -> bool {
    const REPORTS: [&[u8]; 4] = [
        b"corruption: ",
        b"  error: ",
        b"iterator error: ",
        b"badkey '",
    ];
    if REPORTS.iter().any(|report| line.starts_with(report)) {
        return true;
    }
    // A record's header, followed by its sequence (a log) or its edit (a MANIFEST), or else what is wrong with it.
    match line.strip_prefix(b"--- offset ") {
        Some(rest) => match rest.iter().position(|&b| b == b';') {
            Some(semicolon) => {
                let after = &rest[semicolon + 1..];
                !(after.starts_with(b" sequence ") || after.starts_with(b" VersionEdit {"))
            }
            None => true,
        },
        None => false,
    }
}

impl WritableFile for StdoutPrinter<'_> {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        // A closed stdout (e.g. `oxldb dump f | head`) is not an error of the dump.
        let _ = self.out.write_all(data);
        for &b in data {
            if b == b'\n' {
                self.end_line();
            } else if self.line.len() < LINE_START {
                self.line.push(b);
            }
        }
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

/// The types `--type` names, and a name LevelDB gives a file of that type.
const TYPES: [(&str, FileType, &str); 3] = [
    ("log", FileType::LogFile, "000000.log"),
    ("manifest", FileType::DescriptorFile, "MANIFEST-000000"),
    ("table", FileType::TableFile, "000000.ldb"),
];

/// An `Env` in which `alias` is the file `file`.
struct NamedAs {
    target: Arc<dyn Env>,
    alias: &'static Path,
    file: PathBuf,
}

impl NamedAs {
    fn real<'p>(&'p self, fname: &'p Path) -> &'p Path {
        if fname == self.alias {
            &self.file
        } else {
            fname
        }
    }
}

impl EnvWrapper for NamedAs {
    fn target(&self) -> &dyn Env {
        &*self.target
    }
    fn new_sequential_file(&self, fname: &Path) -> Result<Box<dyn SequentialFile>> {
        self.target.new_sequential_file(self.real(fname))
    }
    fn new_random_access_file(&self, fname: &Path) -> Result<Box<dyn RandomAccessFile>> {
        self.target.new_random_access_file(self.real(fname))
    }
    fn get_file_size(&self, fname: &Path) -> Result<u64> {
        self.target.get_file_size(self.real(fname))
    }
}

/// LevelDB: HandleDumpCommand
pub fn run(args: &Args, out: &mut Output) -> std::result::Result<(), Failure> {
    let named_type =
        match args.option("type") {
            None => None,
            Some(name) => Some(TYPES.iter().find(|(n, _, _)| name == *n).ok_or_else(|| {
                Failure::Usage("--type must be log, manifest or table".to_string())
            })?),
        };
    let mut printer = StdoutPrinter {
        out,
        line: Vec::new(),
        trouble: false,
    };
    let mut ok = true;
    for file in &args.params {
        let file = Path::new(file);
        let (env, name, file_type): (Arc<dyn Env>, &Path, _) = match named_type {
            Some(&(_, file_type, alias)) => {
                let alias = Path::new(alias);
                let env = NamedAs {
                    target: default_env(),
                    alias,
                    file: file.to_path_buf(),
                };
                (Arc::new(env), alias, Some(file_type))
            }
            None => {
                let file_type = file
                    .file_name()
                    .and_then(|name| name.to_str())
                    .and_then(parse_file_name)
                    .map(|(_, file_type)| file_type);
                (default_env(), file, file_type)
            }
        };
        let dumped = dump_file(&*env, name, &mut printer);
        // Errors follow what the file printed before them.
        let _ = printer.flush();
        let mut stderr = std::io::stderr();
        match dumped {
            Err(s) => {
                let _ = writeln!(stderr, "{s}");
                if s.is_invalid_argument() && s.message().ends_with(": unknown file type") {
                    let _ = writeln!(
                        stderr,
                        "oxldb: name the type of a file named otherwise with --type=log|manifest|table"
                    );
                }
                ok = false;
            }
            Ok(()) => {
                let reported = printer.take_trouble();
                let report = match file_type {
                    Some(FileType::LogFile | FileType::DescriptorFile) => cut_record(file),
                    // Once the dump has said what is wrong, a second report would only repeat it.
                    Some(FileType::TableFile) if !reported => bad_block(file),
                    _ => None,
                };
                if let Some(report) = &report {
                    let _ = writeln!(stderr, "{report}");
                }
                if reported || report.is_some() {
                    ok = false;
                }
            }
        }
    }
    if ok {
        Ok(())
    } else {
        Err(Failure::Quiet)
    }
}

/// The report of a record cut off at the end of the log or MANIFEST `file`, if it has one.
fn cut_record(file: &Path) -> Option<String> {
    // The dump has printed the drops already.
    let drops = Drops::quiet();
    let cut = LogRecords::open(file, &drops).and_then(|mut records| {
        let mut record = Vec::new();
        while records.next(&mut record).is_some() {}
        records.cut_record()
    });
    failure_report(file, cut)
}

/// The report of the first bad block of the table `file`, if it has one.
fn bad_block(file: &Path) -> Option<String> {
    failure_report(file, read_table(file, |_, _| Ok(())).map(|_| None))
}

/// What a second look at `file` found: its report, or the error that stopped it.
fn failure_report(
    file: &Path,
    found: std::result::Result<Option<String>, Failure>,
) -> Option<String> {
    match found {
        Ok(report) => report,
        Err(Failure::Failed(error)) => Some(format!("{}: {error}", file.display())),
        // Nothing is written to stdout on the way, so nothing else can fail.
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::reports_trouble;

    #[test]
    fn lines_that_report_trouble() {
        for line in [
            "corruption: 31 bytes; Corruption: checksum mismatch",
            "  error: Corruption: bad WriteBatch Delete",
            "iterator error: Corruption: block checksum mismatch",
            "badkey 'abc' => 'v'",
            "--- offset 31; log record length 5 is too small",
            "--- offset 35; Corruption: VersionEdit: unknown tag",
        ] {
            assert!(reports_trouble(line.as_bytes()), "{line}");
        }
        for line in [
            "--- offset 0; sequence 7",
            "--- offset 0; VersionEdit {",
            "  put 'k\\x0acorruption: ' 'v'",
            "  del 'k'",
            "  Comparator: leveldb.BytewiseComparator",
            "}",
            "'k' @ 5 : val => 'corruption: '",
            "",
        ] {
            assert!(!reports_trouble(line.as_bytes()), "{line}");
        }
    }
}
