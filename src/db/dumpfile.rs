//! `dump_file`: prints a log, MANIFEST or table file in human-readable form, byte for byte as LevelDB's
//! `leveldbutil dump` prints it.
//!
//! The file type comes from the file's name. Logs print one `--- offset N; sequence S` header per record and one
//! line per update; MANIFESTs print each record's `VersionEdit::debug_string`; tables print one line per entry.
//! Unprintable bytes are escaped as `\xNN`.
//!
//! LevelDB: db/dumpfile.cc

use std::cell::RefCell;
use std::path::Path;

use crate::db::dbformat::{parse_internal_key, ValueType};
use crate::db::filename::{parse_file_name, FileType};
use crate::db::log::{Reader, Reporter};
use crate::db::version_edit::VersionEdit;
use crate::db::write_batch::{Handler, WriteBatch, HEADER};
use crate::env::{Env, WritableFile};
use crate::error::{Error, Result};
use crate::options::{Options, ReadOptions};
use crate::table::Table;
use crate::util::logging::{append_escaped_string_to, append_number_to};

/// The type of a file, from its base name.
///
/// LevelDB: GuessType
fn guess_type(fname: &Path) -> Option<FileType> {
    let name = fname.to_string_lossy();
    let basename = match name.rfind('/') {
        Some(pos) => &name[pos + 1..],
        None => &name[..],
    };
    parse_file_name(basename).map(|(_, file_type)| file_type)
}

/// Notified when the log reader encounters corruption.
///
/// LevelDB: CorruptionReporter
struct CorruptionReporter<'a> {
    dst: RefCell<&'a mut dyn WritableFile>,
}

impl Reporter for CorruptionReporter<'_> {
    fn corruption(&self, bytes: usize, status: &Error) {
        let mut r = String::from("corruption: ");
        append_number_to(&mut r, bytes as u64);
        r.push_str(" bytes; ");
        r.push_str(&status.to_string());
        r.push('\n');
        let _ = self.dst.borrow_mut().append(r.as_bytes());
    }
}

/// Prints the contents of a log file: `func` is called on every record.
///
/// LevelDB: PrintLogContents
fn print_log_contents(
    env: &dyn Env,
    fname: &Path,
    func: fn(u64, &[u8], &mut dyn WritableFile),
    dst: &mut dyn WritableFile,
) -> Result<()> {
    let file = env.new_sequential_file(fname)?;
    let reporter = CorruptionReporter {
        dst: RefCell::new(dst),
    };
    let mut reader = Reader::new(file, Some(&reporter), true, 0);
    let mut record = Vec::new();
    while reader.read_record(&mut record) {
        func(
            reader.last_record_offset(),
            &record,
            *reporter.dst.borrow_mut(),
        );
    }
    Ok(())
}

/// Called on every item found in a WriteBatch.
///
/// LevelDB: WriteBatchItemPrinter
struct WriteBatchItemPrinter<'a> {
    dst: &'a mut dyn WritableFile,
}

impl Handler for WriteBatchItemPrinter<'_> {
    fn put(&mut self, key: &[u8], value: &[u8]) {
        let mut r = String::from("  put '");
        append_escaped_string_to(&mut r, key);
        r.push_str("' '");
        append_escaped_string_to(&mut r, value);
        r.push_str("'\n");
        let _ = self.dst.append(r.as_bytes());
    }
    fn delete(&mut self, key: &[u8]) {
        let mut r = String::from("  del '");
        append_escaped_string_to(&mut r, key);
        r.push_str("'\n");
        let _ = self.dst.append(r.as_bytes());
    }
}

/// Called on every log record (each one of which is a WriteBatch) found in a log file.
///
/// LevelDB: WriteBatchPrinter
fn write_batch_printer(pos: u64, record: &[u8], dst: &mut dyn WritableFile) {
    let mut r = String::from("--- offset ");
    append_number_to(&mut r, pos);
    r.push_str("; ");
    if record.len() < HEADER {
        r.push_str("log record length ");
        append_number_to(&mut r, record.len() as u64);
        r.push_str(" is too small\n");
        let _ = dst.append(r.as_bytes());
        return;
    }
    let mut batch = WriteBatch::new();
    // The length was checked above, so set_contents cannot fail.
    let _ = batch.set_contents(record);
    r.push_str("sequence ");
    append_number_to(&mut r, batch.sequence());
    r.push('\n');
    let _ = dst.append(r.as_bytes());
    let mut printer = WriteBatchItemPrinter { dst };
    if let Err(s) = batch.iterate(&mut printer) {
        let _ = printer.dst.append(format!("  error: {s}\n").as_bytes());
    }
}

/// Called on every log record (each one of which is a VersionEdit) found in a MANIFEST.
///
/// LevelDB: VersionEditPrinter
fn version_edit_printer(pos: u64, record: &[u8], dst: &mut dyn WritableFile) {
    let mut r = String::from("--- offset ");
    append_number_to(&mut r, pos);
    r.push_str("; ");
    match VersionEdit::decode_from(record) {
        Ok(edit) => r.push_str(&edit.debug_string()),
        Err(s) => {
            r.push_str(&s.to_string());
            r.push('\n');
        }
    }
    let _ = dst.append(r.as_bytes());
}

/// Prints the records of a log file.
///
/// LevelDB: DumpLog
fn dump_log(env: &dyn Env, fname: &Path, dst: &mut dyn WritableFile) -> Result<()> {
    print_log_contents(env, fname, write_batch_printer, dst)
}

/// Prints the version edits of a MANIFEST.
///
/// LevelDB: DumpDescriptor
fn dump_descriptor(env: &dyn Env, fname: &Path, dst: &mut dyn WritableFile) -> Result<()> {
    print_log_contents(env, fname, version_edit_printer, dst)
}

/// Prints every entry of a table: `'<user key>' @ <sequence> : val|del => '<value>'`.
///
/// LevelDB: DumpTable
fn dump_table(env: &dyn Env, fname: &Path, dst: &mut dyn WritableFile) -> Result<()> {
    let file_size = env.get_file_size(fname)?;
    let file = env.new_random_access_file(fname)?;
    // We use the default comparator, which may or may not match the comparator used in this database. However this
    // should not cause problems since we only use Table operations that do not require any comparisons. In
    // particular, we do not call Seek or Prev.
    let table = Table::open(&Options::default(), file, file_size)?;
    let read_options = ReadOptions {
        fill_cache: false,
        ..ReadOptions::default()
    };
    let mut iter = table.new_iterator(&read_options);
    let mut r = String::new();
    iter.seek_to_first();
    while iter.valid() {
        r.clear();
        match parse_internal_key(iter.key()) {
            None => {
                r.push_str("badkey '");
                append_escaped_string_to(&mut r, iter.key());
                r.push_str("' => '");
                append_escaped_string_to(&mut r, iter.value());
                r.push_str("'\n");
            }
            Some(key) => {
                r.push('\'');
                append_escaped_string_to(&mut r, key.user_key);
                r.push_str("' @ ");
                append_number_to(&mut r, key.sequence);
                r.push_str(" : ");
                r.push_str(match key.value_type {
                    ValueType::Deletion => "del",
                    ValueType::Value => "val",
                });
                r.push_str(" => '");
                append_escaped_string_to(&mut r, iter.value());
                r.push_str("'\n");
            }
        }
        let _ = dst.append(r.as_bytes());
        iter.next();
    }
    if let Err(s) = iter.status() {
        let _ = dst.append(format!("iterator error: {s}\n").as_bytes());
    }
    Ok(())
}

/// Dumps the contents of the file named `fname` in human-readable form to `dst`. Fails with `InvalidArgument`
/// for a name that is not a database file, or one that cannot be dumped (CURRENT, LOCK, LOG...).
///
/// LevelDB: DumpFile
pub fn dump_file(env: &dyn Env, fname: &Path, dst: &mut dyn WritableFile) -> Result<()> {
    let name = fname.to_string_lossy();
    match guess_type(fname) {
        None => Err(Error::invalid_argument(
            format!("{name}: unknown file type"),
            "",
        )),
        Some(FileType::LogFile) => dump_log(env, fname, dst),
        Some(FileType::DescriptorFile) => dump_descriptor(env, fname, dst),
        Some(FileType::TableFile) => dump_table(env, fname, dst),
        Some(_) => Err(Error::invalid_argument(
            format!("{name}: not a dump-able file type"),
            "",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::MemEnv;
    use crate::log::Writer;

    fn dump(env: &dyn Env, fname: &str) -> (Result<()>, String) {
        let mut out = Vec::new();
        let result = dump_file(env, Path::new(fname), &mut out);
        (result, String::from_utf8(out).unwrap())
    }

    #[test]
    fn log_dump_prints_batches_short_records_bad_batches_and_corruption() {
        let env = MemEnv::default();
        let env: &dyn Env = &env;
        let path = Path::new("/db/000003.log");
        let mut writer = Writer::new(env.new_writable_file(path).unwrap());
        let mut batch = WriteBatch::new();
        batch.put(b"k\x01", b"v");
        batch.delete(b"gone");
        batch.set_sequence(7);
        writer.add_record(batch.contents()).unwrap();
        writer.add_record(b"short").unwrap();
        let mut bad = batch.contents().to_vec();
        bad.truncate(bad.len() - 1);
        writer.add_record(&bad).unwrap();
        writer.add_record(batch.contents()).unwrap();
        drop(writer);
        // Corrupt the checksum of the last record: the rest of its block is dropped and reported.
        let mut data = crate::env::read_file_to_string(env, path).unwrap();
        let last = data.len() - batch.contents().len() - 7;
        data[last] ^= 0xff;
        crate::env::write_string_to_file(env, &data, path).unwrap();

        let (result, text) = dump(env, "/db/000003.log");
        result.unwrap();
        assert_eq!(
            text,
            "--- offset 0; sequence 7\n  put 'k\\x01' 'v'\n  del 'gone'\n\
             --- offset 31; log record length 5 is too small\n\
             --- offset 43; sequence 7\n  put 'k\\x01' 'v'\n  error: Corruption: bad WriteBatch Delete\n\
             corruption: 31 bytes; Corruption: checksum mismatch\n"
        );
    }

    #[test]
    fn manifest_dump_prints_edits_and_decode_errors() {
        let env = MemEnv::default();
        let env: &dyn Env = &env;
        let mut writer = Writer::new(
            env.new_writable_file(Path::new("/db/MANIFEST-000002"))
                .unwrap(),
        );
        let mut edit = VersionEdit::new();
        edit.set_comparator_name("leveldb.BytewiseComparator");
        let mut record = Vec::new();
        edit.encode_to(&mut record);
        writer.add_record(&record).unwrap();
        writer.add_record(&[8]).unwrap();
        drop(writer);
        let (result, text) = dump(env, "/db/MANIFEST-000002");
        result.unwrap();
        assert_eq!(
            text,
            "--- offset 0; VersionEdit {\n  Comparator: leveldb.BytewiseComparator\n}\n\
             --- offset 35; Corruption: VersionEdit: unknown tag\n"
        );
    }

    #[test]
    fn file_types_that_cannot_be_dumped() {
        let env = MemEnv::default();
        let (result, text) = dump(&env, "/db/LOCK");
        assert_eq!(
            result.unwrap_err().to_string(),
            "Invalid argument: /db/LOCK: not a dump-able file type"
        );
        assert!(text.is_empty());
        let (result, _) = dump(&env, "/db/foo.bar");
        assert_eq!(
            result.unwrap_err().to_string(),
            "Invalid argument: /db/foo.bar: unknown file type"
        );
        let (result, _) = dump(&env, "/db/000009.log");
        assert_eq!(
            result.unwrap_err().to_string(),
            "IO error: /db/000009.log: File not found"
        );
    }
}
