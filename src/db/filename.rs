//! The names of a database's files, and the parser that recognizes them.
//!
//! ```text
//! dbname/CURRENT            the name of the current MANIFEST, and a newline
//! dbname/LOCK               locked while a process has the database open
//! dbname/LOG, LOG.old       the info log, and the previous one
//! dbname/MANIFEST-NNNNNN    the descriptor: the log of version edits
//! dbname/NNNNNN.log         a write-ahead log
//! dbname/NNNNNN.ldb         a table (LevelDB before 1.14 wrote NNNNNN.sst, which is still read)
//! dbname/NNNNNN.dbtmp       a temporary file (the next CURRENT, while it is written)
//! ```
//! Numbers are printed with at least six digits; any number of digits that fits in a u64 is parsed.

use std::path::{Path, PathBuf};

use crate::env::{write_string_to_file_sync, Env};
use crate::error::Result;
use crate::util::logging::consume_decimal_number;

/// The kinds of files of a database; the numbers appear in the info log's "Delete type=%d" lines.
///
/// LevelDB: FileType
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileType {
    LogFile = 0,
    DBLockFile = 1,
    TableFile = 2,
    DescriptorFile = 3,
    CurrentFile = 4,
    TempFile = 5,
    /// Either the current one, or an old one.
    InfoLogFile = 6,
}

/// LevelDB: MakeFileName
fn make_file_name(dbname: &Path, number: u64, suffix: &str) -> PathBuf {
    dbname.join(format!("{number:06}.{suffix}"))
}

/// The name of the log file with the specified number.
///
/// LevelDB: LogFileName
pub fn log_file_name(dbname: &Path, number: u64) -> PathBuf {
    debug_assert!(number > 0);
    make_file_name(dbname, number, "log")
}

/// The name of the table with the specified number.
///
/// LevelDB: TableFileName
pub fn table_file_name(dbname: &Path, number: u64) -> PathBuf {
    debug_assert!(number > 0);
    make_file_name(dbname, number, "ldb")
}

/// The legacy file name for the table with the specified number.
///
/// LevelDB: SSTTableFileName
pub fn sst_table_file_name(dbname: &Path, number: u64) -> PathBuf {
    debug_assert!(number > 0);
    make_file_name(dbname, number, "sst")
}

/// The name of the descriptor file (MANIFEST) with the specified incarnation number.
///
/// LevelDB: DescriptorFileName
pub fn descriptor_file_name(dbname: &Path, number: u64) -> PathBuf {
    debug_assert!(number > 0);
    dbname.join(format!("MANIFEST-{number:06}"))
}

/// The name of the current file, which contains the name of the current MANIFEST.
///
/// LevelDB: CurrentFileName
pub fn current_file_name(dbname: &Path) -> PathBuf {
    dbname.join("CURRENT")
}

/// The name of the lock file.
///
/// LevelDB: LockFileName
pub fn lock_file_name(dbname: &Path) -> PathBuf {
    dbname.join("LOCK")
}

/// The name of a temporary file owned by the database.
///
/// LevelDB: TempFileName
pub fn temp_file_name(dbname: &Path, number: u64) -> PathBuf {
    debug_assert!(number > 0);
    make_file_name(dbname, number, "dbtmp")
}

/// The name of the info log file.
///
/// LevelDB: InfoLogFileName
pub fn info_log_file_name(dbname: &Path) -> PathBuf {
    dbname.join("LOG")
}

/// The name of the old info log file.
///
/// LevelDB: OldInfoLogFileName
pub fn old_info_log_file_name(dbname: &Path) -> PathBuf {
    dbname.join("LOG.old")
}

/// Recognizes the (base) name of a database file: its number (0 for the unnumbered ones) and type.
///
/// LevelDB: ParseFileName
pub fn parse_file_name(filename: &str) -> Option<(u64, FileType)> {
    match filename {
        "CURRENT" => return Some((0, FileType::CurrentFile)),
        "LOCK" => return Some((0, FileType::DBLockFile)),
        "LOG" | "LOG.old" => return Some((0, FileType::InfoLogFile)),
        _ => {}
    }
    if let Some(rest) = filename.strip_prefix("MANIFEST-") {
        let mut rest = rest.as_bytes();
        let num = consume_decimal_number(&mut rest)?;
        if !rest.is_empty() {
            return None;
        }
        return Some((num, FileType::DescriptorFile));
    }
    // Avoid parsing with the locale-dependent strtoull, as LevelDB does.
    let mut rest = filename.as_bytes();
    let num = consume_decimal_number(&mut rest)?;
    let file_type = match rest {
        b".log" => FileType::LogFile,
        b".sst" | b".ldb" => FileType::TableFile,
        b".dbtmp" => FileType::TempFile,
        _ => return None,
    };
    Some((num, file_type))
}

/// Makes the CURRENT file point to the descriptor file with the specified number: writes the new contents to a
/// temporary file, syncs it, and renames it over CURRENT (so CURRENT is always whole).
///
/// LevelDB: SetCurrentFile
pub fn set_current_file(env: &dyn Env, dbname: &Path, descriptor_number: u64) -> Result<()> {
    // Remove the leading "dbname/" and add a newline to the manifest file name.
    let contents = format!("MANIFEST-{descriptor_number:06}\n");
    let tmp = temp_file_name(dbname, descriptor_number);
    let result = write_string_to_file_sync(env, contents.as_bytes(), &tmp)
        .and_then(|_| env.rename_file(&tmp, &current_file_name(dbname)));
    if result.is_err() {
        let _ = env.remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::{read_file_to_string, MemEnv};

    // LevelDB: FileNameTest.Parse
    #[test]
    fn parse() {
        let cases: [(&str, u64, FileType); 11] = [
            ("100.log", 100, FileType::LogFile),
            ("0.log", 0, FileType::LogFile),
            ("0.sst", 0, FileType::TableFile),
            ("0.ldb", 0, FileType::TableFile),
            ("CURRENT", 0, FileType::CurrentFile),
            ("LOCK", 0, FileType::DBLockFile),
            ("MANIFEST-2", 2, FileType::DescriptorFile),
            ("MANIFEST-7", 7, FileType::DescriptorFile),
            ("LOG", 0, FileType::InfoLogFile),
            ("LOG.old", 0, FileType::InfoLogFile),
            (
                "18446744073709551615.log",
                18446744073709551615,
                FileType::LogFile,
            ),
        ];
        for (fname, number, file_type) in cases {
            assert_eq!(parse_file_name(fname), Some((number, file_type)), "{fname}");
        }

        // Errors.
        let errors = [
            "",
            "foo",
            "foo-dx-100.log",
            ".log",
            "",
            "manifest",
            "CURREN",
            "CURRENTX",
            "MANIFES",
            "MANIFEST",
            "MANIFEST-",
            "XMANIFEST-3",
            "MANIFEST-3x",
            "LOC",
            "LOCKx",
            "LO",
            "LOGx",
            "18446744073709551616.log",
            "184467440737095516150.log",
            "100",
            "100.",
            "100.lop",
        ];
        for fname in errors {
            assert_eq!(parse_file_name(fname), None, "{fname}");
        }
    }

    fn parse_in(dbname: &str, fname: &Path) -> (u64, FileType) {
        let s = fname.to_str().unwrap();
        let prefix = format!("{dbname}/");
        assert!(s.starts_with(&prefix), "{s}");
        parse_file_name(&s[prefix.len()..]).unwrap()
    }

    // LevelDB: FileNameTest.Construction
    #[test]
    fn construction() {
        let p = Path::new;
        assert_eq!(
            parse_in("foo", &current_file_name(p("foo"))),
            (0, FileType::CurrentFile)
        );
        assert_eq!(
            parse_in("foo", &lock_file_name(p("foo"))),
            (0, FileType::DBLockFile)
        );
        assert_eq!(
            parse_in("foo", &log_file_name(p("foo"), 192)),
            (192, FileType::LogFile)
        );
        assert_eq!(
            parse_in("bar", &table_file_name(p("bar"), 200)),
            (200, FileType::TableFile)
        );
        assert_eq!(
            parse_in("bar", &descriptor_file_name(p("bar"), 100)),
            (100, FileType::DescriptorFile)
        );
        assert_eq!(
            parse_in("tmp", &temp_file_name(p("tmp"), 999)),
            (999, FileType::TempFile)
        );
        assert_eq!(
            parse_in("foo", &info_log_file_name(p("foo"))),
            (0, FileType::InfoLogFile)
        );
        assert_eq!(
            parse_in("foo", &old_info_log_file_name(p("foo"))),
            (0, FileType::InfoLogFile)
        );
        // Numbers have at least six digits.
        assert_eq!(log_file_name(p("db"), 7), PathBuf::from("db/000007.log"));
        assert_eq!(
            table_file_name(p("db"), 1234567),
            PathBuf::from("db/1234567.ldb")
        );
        assert_eq!(
            sst_table_file_name(p("db"), 5),
            PathBuf::from("db/000005.sst")
        );
        assert_eq!(
            descriptor_file_name(p("db"), 1),
            PathBuf::from("db/MANIFEST-000001")
        );
        assert_eq!(temp_file_name(p("db"), 3), PathBuf::from("db/000003.dbtmp"));
    }

    #[test]
    fn set_current_file_writes_name_and_newline() {
        let env = MemEnv::default();
        let env: &dyn Env = &env;
        set_current_file(env, Path::new("/db"), 5).unwrap();
        assert_eq!(
            read_file_to_string(env, Path::new("/db/CURRENT")).unwrap(),
            b"MANIFEST-000005\n"
        );
        assert!(!env.file_exists(Path::new("/db/000005.dbtmp")));
    }
}
