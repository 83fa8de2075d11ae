//! `ProgressEnv`: an `Env` that tells a progress meter what the database does on its own threads, for `compact`
//! and `repair`: the bytes it reads from files, and from its info log (LevelDB's `LOG`, still written as
//! always) the level each compaction starts from and the entries repair finds in the tables.
//!
//! Invariant: everything passes through unchanged; the wrapper only watches.
//!
//! LevelDB: EnvWrapper

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use oxleveldb::env::{EnvWrapper, RandomAccessFile, SequentialFile};
use oxleveldb::{Env, Logger, Options, Result};

use crate::progress::{Meter, Progress};

/// `options` with their `Env` wrapped to report to `progress`, if it is shown.
pub fn watched(options: Options, progress: &Progress) -> Options {
    match progress.meter() {
        Some(meter) => Options {
            env: Arc::new(ProgressEnv {
                target: options.env.clone(),
                meter: meter.clone(),
            }),
            ..options
        },
        None => options,
    }
}

struct ProgressEnv {
    target: Arc<dyn Env>,
    meter: Arc<Meter>,
}

impl EnvWrapper for ProgressEnv {
    fn target(&self) -> &dyn Env {
        &*self.target
    }

    fn new_sequential_file(&self, fname: &Path) -> Result<Box<dyn SequentialFile>> {
        Ok(Box::new(CountedFile {
            file: self.target.new_sequential_file(fname)?,
            meter: self.meter.clone(),
        }))
    }

    fn new_random_access_file(&self, fname: &Path) -> Result<Box<dyn RandomAccessFile>> {
        Ok(Box::new(CountedFile {
            file: self.target.new_random_access_file(fname)?,
            meter: self.meter.clone(),
        }))
    }

    fn new_logger(&self, fname: &Path) -> Result<Arc<dyn Logger>> {
        Ok(Arc::new(ProgressLogger {
            log: self.target.new_logger(fname)?,
            meter: self.meter.clone(),
        }))
    }
}

/// A file whose reads are counted.
struct CountedFile<F: ?Sized> {
    meter: Arc<Meter>,
    file: Box<F>,
}

impl SequentialFile for CountedFile<dyn SequentialFile> {
    fn read(&mut self, scratch: &mut [u8]) -> Result<usize> {
        let n = self.file.read(scratch)?;
        self.meter.add(0, n as u64);
        Ok(n)
    }
    fn skip(&mut self, n: u64) -> Result<()> {
        self.file.skip(n)
    }
}

impl RandomAccessFile for CountedFile<dyn RandomAccessFile> {
    fn read<'a>(&'a self, offset: u64, n: usize, scratch: &'a mut Vec<u8>) -> Result<&'a [u8]> {
        let data = self.file.read(offset, n, scratch)?;
        self.meter.add(0, data.len() as u64);
        Ok(data)
    }
    fn is_memory_mapped(&self) -> bool {
        self.file.is_memory_mapped()
    }
    fn release(&self, offset: u64, n: usize) {
        self.file.release(offset, n)
    }
}

/// Writes every message to the database's own log, and reads the progress out of it.
struct ProgressLogger {
    log: Arc<dyn Logger>,
    meter: Arc<Meter>,
}

impl Logger for ProgressLogger {
    fn logv(&self, args: fmt::Arguments<'_>) {
        let message = args.to_string();
        self.log.logv(format_args!("{message}"));
        if let Some(level) = compaction_level(&message) {
            self.meter.set_level(level);
        }
        if let Some(entries) = repaired_entries(&message) {
            self.meter.add(entries, 0);
        }
    }
}

/// The level of `Compacting <n>@<level> + <m>@<level + 1> files`.
///
/// LevelDB: DBImpl::DoCompactionWork's first message
fn compaction_level(message: &str) -> Option<u64> {
    let rest = message.strip_prefix("Compacting ")?;
    let (_, rest) = rest.split_once('@')?;
    rest.split_once(' ')?.0.parse().ok()
}

/// The entries of `Table #<n>: <count> entries <status>` (not `... entries repaired`, counted already). Each
/// table is scanned once, the tables made of logs too, so these count every entry repair keeps.
///
/// LevelDB: Repairer::ScanTable
fn repaired_entries(message: &str) -> Option<u64> {
    let rest = message.strip_prefix("Table #")?.split_once(": ")?.1;
    let (count, rest) = rest.split_once(' ')?;
    if rest.starts_with("entries ") && rest != "entries repaired" {
        count.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_leveldbs_log_messages() {
        assert_eq!(compaction_level("Compacting 4@0 + 1@1 files"), Some(0));
        assert_eq!(compaction_level("Compacting 1@12 + 0@13 files"), Some(12));
        assert_eq!(
            compaction_level("Compacted 4@0 + 1@1 files => 100 bytes"),
            None
        );
        assert_eq!(
            repaired_entries("Log #3: 250 ops saved to Table #5 OK"),
            None
        );
        assert_eq!(repaired_entries("Table #5: 250 entries OK"), Some(250));
        assert_eq!(
            repaired_entries("Table #5: 7 entries Corruption: bad block"),
            Some(7)
        );
        assert_eq!(repaired_entries("Table #5: 250 entries repaired"), None);
        assert_eq!(repaired_entries("Log #3: dropping 12 bytes; x"), None);
        assert_eq!(repaired_entries("Archiving MANIFEST-000002: OK"), None);
    }
}
