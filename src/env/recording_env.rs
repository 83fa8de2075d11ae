//! `RecordingEnv`: an Env wrapper that logs every file-system operation the database makes, for a crash-state
//! explorer (the `leveldb-differential` package's `crash` module) to rebuild what a crash could leave on disk.
//! The system-leveldb package's C++ shim has the same wrapper for LevelDB, writing the same format.
//!
//! The recording is text, one operation a line, file names relative to the database directory:
//!
//! ```text
//! create NAME                       a writable file created (or truncated)
//! append NAME OFFSET LENGTH HEX     bytes that reached the file (one write: appends are joined until a flush)
//! sync NAME                         fsync/fdatasync of the file
//! dirsync                           fsync of the database directory
//! rename FROM TO
//! remove NAME
//! truncate NAME LENGTH
//! lock NAME / unlock
//! ack WRITE SYNCED                  the workload's write number WRITE returned Ok (SYNCED: 1 if synced)
//! ```
//!
//! Invariant: each line is written after its operation succeeded, in the order the operations completed; an
//! append's OFFSET is the file's length before it, so replaying the lines rebuilds every file. The posix Env
//! syncs the directory inside the sync of a file named MANIFEST... and inside the first sync of a file it created,
//! before the file's data (LevelDB's `SyncDirIfManifest`, extended), so such a sync is recorded as `dirsync` then
//! `sync`. (The C++ shim's recorder records LevelDB's rule: MANIFEST files only.) Files the info logger writes
//! (LOG) are not recorded.
//!
//! A test can make the recording describe a broken env ([`RecordingFaults`]): one that forgets the directory
//! syncs, or the sync of an old log. The real calls still happen; only the recording, which is what the explorer builds crash states
//! from, leaves them out.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use super::{Env, EnvWrapper, FileLock, WritableFile};
use crate::db::filename::{parse_file_name, FileType};
use crate::error::Result;

/// The syncs a recording leaves out, to describe a broken env.
#[derive(Clone, Copy, Debug, Default)]
pub struct RecordingFaults {
    /// Every directory sync: the one that makes a new MANIFEST's directory entry durable before CURRENT names
    /// it, and those of a new log or table's first sync.
    pub skip_dir_sync: bool,
    /// The sync of a log that is no longer the newest (the old log, after a memtable switch).
    pub skip_old_log_sync: bool,
    /// Not a fault: a disk slow to create tables (each creation waits 20 ms), so that the writes run ahead of a
    /// memtable flush, and the states between a memtable switch and the flush's MANIFEST edit get recorded.
    pub slow_table_creates: bool,
}

#[derive(Default)]
struct Recording {
    text: String,
    /// The length of every file written, to give each append its offset.
    sizes: HashMap<PathBuf, u64>,
    /// The number of the newest log created.
    newest_log: u64,
}

/// An Env that records every file-system operation (see the module comment).
pub struct RecordingEnv {
    base: Arc<dyn Env>,
    recording: Arc<Mutex<Recording>>,
    faults: RecordingFaults,
}

impl RecordingEnv {
    /// A recording wrapper of `base`, describing an env with `faults`.
    pub fn new(base: Arc<dyn Env>, faults: RecordingFaults) -> RecordingEnv {
        RecordingEnv {
            base,
            recording: Arc::default(),
            faults,
        }
    }

    /// Records that the workload's write number `write` returned Ok, synced or not.
    pub fn acknowledge(&self, write: u64, synced: bool) {
        let line = format!("ack {write} {}", u8::from(synced));
        lock(&self.recording).line(&line);
    }

    /// The recording so far, emptied.
    pub fn take(&self) -> String {
        std::mem::take(&mut lock(&self.recording).text)
    }
}

fn lock(recording: &Mutex<Recording>) -> MutexGuard<'_, Recording> {
    recording.lock().unwrap_or_else(|e| e.into_inner())
}

/// The name the recording uses for `path`: its last component.
fn name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| path.to_string_lossy(), |name| name.to_string_lossy())
        .into_owned()
}

impl Recording {
    fn line(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
    }
}

impl EnvWrapper for RecordingEnv {
    fn target(&self) -> &dyn Env {
        &*self.base
    }

    fn new_writable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>> {
        if self.faults.slow_table_creates
            && matches!(
                parse_file_name(&name(fname)),
                Some((_, FileType::TableFile))
            )
        {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let file = self.base.new_writable_file(fname)?;
        let mut recording = lock(&self.recording);
        recording.line(&format!("create {}", name(fname)));
        recording.sizes.insert(fname.to_path_buf(), 0);
        if let Some((number, FileType::LogFile)) = parse_file_name(&name(fname)) {
            recording.newest_log = recording.newest_log.max(number);
        }
        Ok(Box::new(RecordingFile::new(self, fname, file, true)))
    }

    fn new_appendable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>> {
        let existed = self.base.file_exists(fname);
        let size = if existed {
            self.base.get_file_size(fname)?
        } else {
            0
        };
        let file = self.base.new_appendable_file(fname)?;
        let mut recording = lock(&self.recording);
        if !existed {
            recording.line(&format!("create {}", name(fname)));
        }
        recording.sizes.insert(fname.to_path_buf(), size);
        Ok(Box::new(RecordingFile::new(self, fname, file, !existed)))
    }

    fn remove_file(&self, fname: &Path) -> Result<()> {
        self.base.remove_file(fname)?;
        let mut recording = lock(&self.recording);
        recording.line(&format!("remove {}", name(fname)));
        recording.sizes.remove(fname);
        Ok(())
    }

    fn rename_file(&self, src: &Path, target: &Path) -> Result<()> {
        self.base.rename_file(src, target)?;
        let mut recording = lock(&self.recording);
        recording.line(&format!("rename {} {}", name(src), name(target)));
        if let Some(size) = recording.sizes.remove(src) {
            recording.sizes.insert(target.to_path_buf(), size);
        }
        Ok(())
    }

    fn lock_file(&self, fname: &Path) -> Result<Box<dyn FileLock>> {
        let lock_handle = self.base.lock_file(fname)?;
        lock(&self.recording).line(&format!("lock {}", name(fname)));
        Ok(lock_handle)
    }

    fn unlock_file(&self, lock_handle: Box<dyn FileLock>) -> Result<()> {
        self.base.unlock_file(lock_handle)?;
        lock(&self.recording).line("unlock");
        Ok(())
    }
}

/// A writable file that records what reaches it: the appends since the last flush, as one write, at the flush
/// (or sync, or close), as the posix Env's buffer writes them.
struct RecordingFile {
    file: Box<dyn WritableFile>,
    path: PathBuf,
    name: String,
    is_manifest: bool,
    /// Created through this env and not synced yet: its first sync syncs the directory.
    created_unsynced: bool,
    log_number: Option<u64>,
    pending: Vec<u8>,
    recording: Arc<Mutex<Recording>>,
    faults: RecordingFaults,
}

impl RecordingFile {
    fn new(
        env: &RecordingEnv,
        path: &Path,
        file: Box<dyn WritableFile>,
        created: bool,
    ) -> RecordingFile {
        let name = name(path);
        let parsed = parse_file_name(&name);
        RecordingFile {
            file,
            path: path.to_path_buf(),
            is_manifest: name.starts_with("MANIFEST"),
            created_unsynced: created,
            log_number: parsed.and_then(|(n, t)| (t == FileType::LogFile).then_some(n)),
            name,
            pending: Vec::new(),
            recording: env.recording.clone(),
            faults: env.faults,
        }
    }

    /// Records the appends since the last write as one write.
    fn record_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut recording = lock(&self.recording);
        let size = recording.sizes.entry(self.path.clone()).or_insert(0);
        let offset = *size;
        *size += self.pending.len() as u64;
        let mut line = format!("append {} {offset} {} ", self.name, self.pending.len());
        for byte in &self.pending {
            let _ = write!(line, "{byte:02x}");
        }
        recording.line(&line);
        self.pending.clear();
    }
}

impl WritableFile for RecordingFile {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        self.file.append(data)?;
        self.pending.extend_from_slice(data);
        Ok(())
    }

    fn close(&mut self) -> Result<()> {
        let result = self.file.close();
        self.record_pending();
        result
    }

    fn flush(&mut self) -> Result<()> {
        self.file.flush()?;
        self.record_pending();
        Ok(())
    }

    fn sync(&mut self) -> Result<()> {
        self.file.sync()?;
        self.record_pending();
        let mut recording = lock(&self.recording);
        let old_log = self.log_number.is_some_and(|n| n < recording.newest_log);
        if old_log && self.faults.skip_old_log_sync {
            return Ok(());
        }
        let dir_sync = (self.is_manifest || self.created_unsynced) && !self.faults.skip_dir_sync;
        self.created_unsynced = false;
        if dir_sync {
            recording.line("dirsync");
        }
        recording.line(&format!("sync {}", self.name));
        Ok(())
    }
}

impl Drop for RecordingFile {
    fn drop(&mut self) {
        // A file dropped without a close wrote its buffer as it went.
        self.record_pending();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::MemEnv;

    #[test]
    fn records_each_operation_in_order() {
        let recorder = RecordingEnv::new(Arc::new(MemEnv::default()), RecordingFaults::default());
        let env: &dyn Env = &recorder;
        let dir = Path::new("/db");
        let mut file = env.new_writable_file(&dir.join("MANIFEST-000001")).unwrap();
        file.append(b"ab").unwrap();
        file.append(b"c").unwrap();
        file.flush().unwrap();
        file.append(b"\xff").unwrap();
        file.sync().unwrap();
        file.close().unwrap();
        recorder.acknowledge(0, true);
        env.rename_file(&dir.join("MANIFEST-000001"), &dir.join("CURRENT"))
            .unwrap();
        env.remove_file(&dir.join("CURRENT")).unwrap();
        assert_eq!(
            recorder.take(),
            "create MANIFEST-000001\nappend MANIFEST-000001 0 3 616263\nappend MANIFEST-000001 3 1 ff\n\
             dirsync\nsync MANIFEST-000001\nack 0 1\nrename MANIFEST-000001 CURRENT\nremove CURRENT\n"
        );
    }

    /// Without faults, the first sync of each new file syncs the directory, as the posix env does; the faults
    /// leave out every directory sync and the old log's sync.
    #[test]
    fn faults_leave_out_the_syncs_of_a_broken_env() {
        let recorded = |faults: RecordingFaults| {
            let recorder = RecordingEnv::new(Arc::new(MemEnv::default()), faults);
            let env: &dyn Env = &recorder;
            let dir = Path::new("/db");
            let mut old_log = env.new_writable_file(&dir.join("000003.log")).unwrap();
            let mut new_log = env.new_writable_file(&dir.join("000005.log")).unwrap();
            let mut manifest = env.new_writable_file(&dir.join("MANIFEST-000004")).unwrap();
            old_log.sync().unwrap();
            new_log.sync().unwrap();
            new_log.sync().unwrap();
            manifest.sync().unwrap();
            recorder.take()
        };
        let creates = "create 000003.log\ncreate 000005.log\ncreate MANIFEST-000004\n";
        assert_eq!(
            recorded(RecordingFaults::default()),
            format!(
                "{creates}dirsync\nsync 000003.log\ndirsync\nsync 000005.log\nsync 000005.log\n\
                 dirsync\nsync MANIFEST-000004\n"
            )
        );
        let faults = RecordingFaults {
            skip_dir_sync: true,
            skip_old_log_sync: true,
            slow_table_creates: false,
        };
        assert_eq!(
            recorded(faults),
            format!("{creates}sync 000005.log\nsync 000005.log\nsync MANIFEST-000004\n")
        );
    }
}
