//! `FaultInjectionEnv`: an Env wrapper that knows what a machine crash would lose, and can make it so.
//!
//! It tracks, for every file written through it, how much had been synced when the file was closed, and which
//! files were created since their directory was last synced. A test then simulates a crash: it deactivates the
//! file system (later writes are not recorded), drops the unsynced tail of every file
//! ([`FaultInjectionEnv::drop_unsynced_file_data`]) or deletes the files whose directory entry was never synced
//! ([`FaultInjectionEnv::delete_files_created_after_last_dir_sync`]), and reopens the database.
//!
//! Not in LevelDB's: while the file system is deactivated, appends are dropped and files can be neither
//! created, renamed nor removed (the calls fail). In LevelDB's, background work that goes on after the simulated
//! crash still appends, renames CURRENT and deletes obsolete files for real, which no crashed machine does, and
//! the state the test then reopens is one no crash could leave.
//!
//! LevelDB: FaultInjectionTestEnv (db/fault_injection_test.cc)

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use super::{Env, EnvWrapper, WritableFile};
use crate::error::{Error, Result};

/// What is known of one file: how far it was written, synced and flushed (-1: never).
///
/// LevelDB: FileState
#[derive(Clone, Debug)]
struct FileState {
    filename: PathBuf,
    pos: i64,
    pos_at_last_sync: i64,
    pos_at_last_flush: i64,
}

impl FileState {
    fn new(filename: &Path) -> FileState {
        FileState {
            filename: filename.to_path_buf(),
            pos: -1,
            pos_at_last_sync: -1,
            pos_at_last_flush: -1,
        }
    }

    /// LevelDB: FileState::IsFullySynced
    fn is_fully_synced(&self) -> bool {
        self.pos <= 0 || self.pos == self.pos_at_last_sync
    }
}

/// The directory part of `filename` (LevelDB's GetDirName).
fn dir_name(filename: &Path) -> PathBuf {
    filename.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// What the Env tracks, under one lock.
#[derive(Default)]
struct Tracking {
    /// The state of every closed file, as it was when closed.
    db_file_state: HashMap<PathBuf, FileState>,
    /// Files created since their directory was last synced.
    new_files_since_last_dir_sync: HashSet<PathBuf>,
    /// When false, the file system is "crashed": nothing written is recorded any more.
    filesystem_active: bool,
}

/// LevelDB: FaultInjectionTestEnv
pub struct FaultInjectionEnv {
    base: Arc<dyn Env>,
    tracking: Arc<Mutex<Tracking>>,
}

/// LevelDB: TestWritableFile
struct TestWritableFile {
    state: FileState,
    target: Box<dyn WritableFile>,
    writable_file_opened: bool,
    env: Arc<Mutex<Tracking>>,
}

fn lock(tracking: &Mutex<Tracking>) -> MutexGuard<'_, Tracking> {
    tracking.lock().unwrap_or_else(|e| e.into_inner())
}

impl TestWritableFile {
    fn is_filesystem_active(&self) -> bool {
        lock(&self.env).filesystem_active
    }

    /// LevelDB: TestWritableFile::SyncParent
    fn sync_parent(&mut self) -> Result<()> {
        // A real Env syncs the directory when a MANIFEST is synced; here every new file's directory entry counts
        // as synced once the file itself is.
        let dirname = dir_name(&self.state.filename);
        lock(&self.env)
            .new_files_since_last_dir_sync
            .retain(|f| dir_name(f) != dirname);
        Ok(())
    }
}

impl WritableFile for TestWritableFile {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        // Not in LevelDB's: once the machine is down, nothing reaches the disk. (LevelDB's writes the data and
        // only leaves it out of `pos`, so an append after the crash to a fully synced file, such as the
        // MANIFEST, survived the drop of unsynced data.)
        if !self.is_filesystem_active() {
            return Ok(());
        }
        self.target.append(data)?;
        self.state.pos += data.len() as i64;
        Ok(())
    }

    fn close(&mut self) -> Result<()> {
        self.writable_file_opened = false;
        self.target.close()?;
        lock(&self.env)
            .db_file_state
            .insert(self.state.filename.clone(), self.state.clone());
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        self.target.flush()?;
        if self.is_filesystem_active() {
            self.state.pos_at_last_flush = self.state.pos;
        }
        Ok(())
    }

    fn sync(&mut self) -> Result<()> {
        if !self.is_filesystem_active() {
            return Ok(());
        }
        // Ensure new files referred to by the manifest are in the filesystem.
        self.target.sync()?;
        self.state.pos_at_last_sync = self.state.pos;
        let created_since_dir_sync = lock(&self.env)
            .new_files_since_last_dir_sync
            .contains(&self.state.filename);
        if created_since_dir_sync {
            self.sync_parent()?;
        }
        Ok(())
    }
}

impl Drop for TestWritableFile {
    fn drop(&mut self) {
        if self.writable_file_opened {
            let _ = self.close();
        }
    }
}

impl FaultInjectionEnv {
    /// A wrapper of `base` with an active file system and nothing tracked.
    pub fn new(base: Arc<dyn Env>) -> FaultInjectionEnv {
        FaultInjectionEnv {
            base,
            tracking: Arc::new(Mutex::new(Tracking {
                filesystem_active: true,
                ..Tracking::default()
            })),
        }
    }

    fn tracking(&self) -> MutexGuard<'_, Tracking> {
        lock(&self.tracking)
    }

    /// Truncates `filename` to `length` bytes, through a temporary file renamed over it.
    ///
    /// LevelDB: Truncate (fault_injection_test.cc)
    fn truncate(&self, filename: &Path, length: u64) -> Result<()> {
        let mut orig_file = self.base.new_sequential_file(filename)?;
        let mut scratch = vec![0u8; length as usize];
        let n = orig_file.read(&mut scratch)?;
        drop(orig_file);
        let tmp_name = dir_name(filename).join("truncate.tmp");
        let mut tmp_file = self.base.new_writable_file(&tmp_name)?;
        let written = tmp_file
            .append(&scratch[..n])
            .and_then(|_| tmp_file.close());
        drop(tmp_file);
        match written {
            Ok(()) => self.base.rename_file(&tmp_name, filename),
            Err(e) => {
                let _ = self.base.remove_file(&tmp_name);
                Err(e)
            }
        }
    }

    /// Drops all unsynced data from all tracked (closed) files.
    ///
    /// LevelDB: FaultInjectionTestEnv::DropUnsyncedFileData
    pub fn drop_unsynced_file_data(&self) -> Result<()> {
        let states: Vec<FileState> = self.tracking().db_file_state.values().cloned().collect();
        for state in states.iter().filter(|s| !s.is_fully_synced()) {
            // LevelDB: FileState::DropUnsyncedData
            let sync_pos = if state.pos_at_last_sync == -1 {
                0
            } else {
                state.pos_at_last_sync
            };
            self.truncate(&state.filename, sync_pos as u64)?;
        }
        Ok(())
    }

    /// Deletes the files created since their directory was last synced.
    ///
    /// LevelDB: FaultInjectionTestEnv::DeleteFilesCreatedAfterLastDirSync
    pub fn delete_files_created_after_last_dir_sync(&self) -> Result<()> {
        // Because remove_file accesses this container, make a copy first.
        let new_files: Vec<PathBuf> = self
            .tracking()
            .new_files_since_last_dir_sync
            .iter()
            .cloned()
            .collect();
        let mut status = Ok(());
        for new_file in new_files {
            let s = self.base.remove_file(&new_file);
            if s.is_ok() {
                self.untrack_file(&new_file);
            }
            if status.is_ok() {
                status = s;
            }
        }
        status
    }

    /// Stops recording writes (as if the machine crashed now), or resumes.
    ///
    /// LevelDB: FaultInjectionTestEnv::SetFilesystemActive
    pub fn set_filesystem_active(&self, active: bool) {
        self.tracking().filesystem_active = active;
    }

    /// LevelDB: FaultInjectionTestEnv::IsFilesystemActive
    pub fn is_filesystem_active(&self) -> bool {
        self.tracking().filesystem_active
    }

    /// Since we are not destroying the database, the existing files should keep their recorded synced/flushed
    /// state; only the file system comes back.
    ///
    /// LevelDB: FaultInjectionTestEnv::ResetState
    pub fn reset_state(&self) {
        self.set_filesystem_active(true);
    }

    /// LevelDB: FaultInjectionTestEnv::UntrackFile
    fn untrack_file(&self, f: &Path) {
        let mut tracking = self.tracking();
        tracking.db_file_state.remove(f);
        tracking.new_files_since_last_dir_sync.remove(f);
    }

    /// Fails a change to the file system's names while it is deactivated.
    fn check_active(&self, fname: &Path) -> Result<()> {
        if self.is_filesystem_active() {
            Ok(())
        } else {
            Err(Error::io_error(
                fname.to_string_lossy(),
                "file system inactive (simulated crash)",
            ))
        }
    }

    fn wrap(&self, state: FileState, target: Box<dyn WritableFile>) -> Box<dyn WritableFile> {
        Box::new(TestWritableFile {
            state,
            target,
            writable_file_opened: true,
            env: self.tracking.clone(),
        })
    }
}

impl EnvWrapper for FaultInjectionEnv {
    fn target(&self) -> &dyn Env {
        &*self.base
    }

    fn new_writable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>> {
        self.check_active(fname)?;
        let actual = self.base.new_writable_file(fname)?;
        let mut state = FileState::new(fname);
        state.pos = 0;
        // A writable file is truncated, so if the same file is opened again, forget its saved state.
        self.untrack_file(fname);
        self.tracking()
            .new_files_since_last_dir_sync
            .insert(fname.to_path_buf());
        Ok(self.wrap(state, actual))
    }

    fn new_appendable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>> {
        self.check_active(fname)?;
        let actual = self.base.new_appendable_file(fname)?;
        let mut state = FileState::new(fname);
        state.pos = 0;
        {
            let mut tracking = self.tracking();
            match tracking.db_file_state.get(fname) {
                None => {
                    tracking
                        .new_files_since_last_dir_sync
                        .insert(fname.to_path_buf());
                }
                Some(saved) => state = saved.clone(),
            }
        }
        Ok(self.wrap(state, actual))
    }

    fn remove_file(&self, f: &Path) -> Result<()> {
        self.check_active(f)?;
        self.base.remove_file(f)?;
        self.untrack_file(f);
        Ok(())
    }

    fn rename_file(&self, src: &Path, target: &Path) -> Result<()> {
        self.check_active(src)?;
        self.base.rename_file(src, target)?;
        let mut tracking = self.tracking();
        if let Some(state) = tracking.db_file_state.remove(src) {
            tracking.db_file_state.insert(target.to_path_buf(), state);
        }
        if tracking.new_files_since_last_dir_sync.remove(src) {
            tracking
                .new_files_since_last_dir_sync
                .insert(target.to_path_buf());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::FaultInjectionEnv;
    use crate::env::{read_file_to_string, Env, MemEnv};
    use std::path::Path;
    use std::sync::Arc;

    #[test]
    fn unsynced_data_and_unsynced_files_can_be_dropped() {
        let env = FaultInjectionEnv::new(Arc::new(MemEnv::default()));
        let env_ref: &dyn Env = &env;
        let a = Path::new("/db/a");
        let mut file = env_ref.new_writable_file(a).unwrap();
        file.append(b"synced").unwrap();
        file.sync().unwrap(); // Also syncs the directory entry of the new file.
        file.append(b"-unsynced").unwrap();
        file.close().unwrap();

        let b = Path::new("/db/b");
        let mut file = env_ref.new_writable_file(b).unwrap();
        file.append(b"never synced").unwrap();
        drop(file); // Dropping closes.

        env.set_filesystem_active(false);
        assert!(
            env_ref.rename_file(a, b).is_err(),
            "no renames after a crash"
        );
        env.drop_unsynced_file_data().unwrap();
        assert_eq!(read_file_to_string(env_ref, a).unwrap(), b"synced");
        assert_eq!(read_file_to_string(env_ref, b).unwrap(), b"");
        env.delete_files_created_after_last_dir_sync().unwrap();
        assert!(env_ref.file_exists(a));
        assert!(!env_ref.file_exists(b));
        env.reset_state();
        assert!(env.is_filesystem_active());
    }
}
