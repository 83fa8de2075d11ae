//! `SpecialEnv`: an Env wrapper that injects the faults LevelDB's db_test injects — delayed or failing data syncs,
//! a full disk, a file system that refuses new files, failing MANIFEST writes and syncs — and counts random reads.
//!
//! Every switch is an atomic flag that a test flips while a database runs on the Env. Files are classified by
//! name, as in LevelDB: `.ldb` and `.log` files are data files, names containing `MANIFEST` are MANIFESTs.
//!
//! LevelDB: SpecialEnv (db/db_test.cc)

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use super::{Env, EnvWrapper, RandomAccessFile, WritableFile};
use crate::error::{Error, Result};

/// The fault switches, shared by the Env and the files it opened.
#[derive(Default)]
pub struct SpecialEnvFlags {
    /// Data (table and log) syncs block while this is set.
    pub delay_data_sync: AtomicBool,
    /// Data syncs fail while this is set.
    pub data_sync_error: AtomicBool,
    /// Data writes are silently dropped (a full disk) while this is set.
    pub no_space: AtomicBool,
    /// New files cannot be created while this is set.
    pub non_writable: AtomicBool,
    /// MANIFEST syncs fail while this is set.
    pub manifest_sync_error: AtomicBool,
    /// MANIFEST writes fail while this is set.
    pub manifest_write_error: AtomicBool,
    /// Random reads are counted while this is set.
    pub count_random_reads: AtomicBool,
    /// The number of random reads counted.
    pub random_read_counter: AtomicUsize,
}

/// LevelDB: SpecialEnv
pub struct SpecialEnv {
    base: Arc<dyn Env>,
    flags: Arc<SpecialEnvFlags>,
}

impl SpecialEnv {
    /// A wrapper of `base` with every fault switched off.
    pub fn new(base: Arc<dyn Env>) -> SpecialEnv {
        SpecialEnv {
            base,
            flags: Arc::new(SpecialEnvFlags::default()),
        }
    }

    /// The switches.
    pub fn flags(&self) -> &SpecialEnvFlags {
        &self.flags
    }
}

/// A table or log file: writes may be dropped, syncs may fail or be delayed.
///
/// LevelDB: SpecialEnv::NewWritableFile's DataFile
struct DataFile {
    flags: Arc<SpecialEnvFlags>,
    base: Box<dyn WritableFile>,
    sleeper: Arc<dyn Env>,
}

impl WritableFile for DataFile {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        if self.flags.no_space.load(Ordering::Acquire) {
            // Drop writes on the floor.
            Ok(())
        } else {
            self.base.append(data)
        }
    }
    fn close(&mut self) -> Result<()> {
        self.base.close()
    }
    fn flush(&mut self) -> Result<()> {
        self.base.flush()
    }
    fn sync(&mut self) -> Result<()> {
        if self.flags.data_sync_error.load(Ordering::Acquire) {
            return Err(Error::io_error("simulated data sync error", ""));
        }
        while self.flags.delay_data_sync.load(Ordering::Acquire) {
            self.sleeper.sleep_for_microseconds(100000);
        }
        self.base.sync()
    }
}

/// A MANIFEST: writes and syncs may fail.
///
/// LevelDB: SpecialEnv::NewWritableFile's ManifestFile
struct ManifestFile {
    flags: Arc<SpecialEnvFlags>,
    base: Box<dyn WritableFile>,
}

impl WritableFile for ManifestFile {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        if self.flags.manifest_write_error.load(Ordering::Acquire) {
            Err(Error::io_error("simulated writer error", ""))
        } else {
            self.base.append(data)
        }
    }
    fn close(&mut self) -> Result<()> {
        self.base.close()
    }
    fn flush(&mut self) -> Result<()> {
        self.base.flush()
    }
    fn sync(&mut self) -> Result<()> {
        if self.flags.manifest_sync_error.load(Ordering::Acquire) {
            Err(Error::io_error("simulated sync error", ""))
        } else {
            self.base.sync()
        }
    }
}

/// A random-access file whose reads are counted.
///
/// LevelDB: SpecialEnv::NewRandomAccessFile's CountingFile
struct CountingFile {
    flags: Arc<SpecialEnvFlags>,
    target: Box<dyn RandomAccessFile>,
}

impl RandomAccessFile for CountingFile {
    fn read<'a>(&'a self, offset: u64, n: usize, scratch: &'a mut Vec<u8>) -> Result<&'a [u8]> {
        self.flags
            .random_read_counter
            .fetch_add(1, Ordering::AcqRel);
        self.target.read(offset, n, scratch)
    }
    fn is_memory_mapped(&self) -> bool {
        self.target.is_memory_mapped()
    }
    fn release(&self, offset: u64, n: usize) {
        self.target.release(offset, n)
    }
}

impl EnvWrapper for SpecialEnv {
    fn target(&self) -> &dyn Env {
        &*self.base
    }

    fn new_writable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>> {
        if self.flags.non_writable.load(Ordering::Acquire) {
            return Err(Error::io_error("simulated write error", ""));
        }
        let base = self.base.new_writable_file(fname)?;
        let name = fname.to_string_lossy();
        if name.contains(".ldb") || name.contains(".log") {
            Ok(Box::new(DataFile {
                flags: self.flags.clone(),
                base,
                sleeper: self.base.clone(),
            }))
        } else if name.contains("MANIFEST") {
            Ok(Box::new(ManifestFile {
                flags: self.flags.clone(),
                base,
            }))
        } else {
            Ok(base)
        }
    }

    fn new_random_access_file(&self, fname: &Path) -> Result<Box<dyn RandomAccessFile>> {
        let target = self.base.new_random_access_file(fname)?;
        if self.flags.count_random_reads.load(Ordering::Acquire) {
            Ok(Box::new(CountingFile {
                flags: self.flags.clone(),
                target,
            }))
        } else {
            Ok(target)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SpecialEnv;
    use crate::env::{Env, MemEnv};
    use std::path::Path;
    use std::sync::atomic::Ordering;
    use std::sync::Arc;

    #[test]
    fn switches_inject_their_faults() {
        let env = SpecialEnv::new(Arc::new(MemEnv::default()));
        let env_ref: &dyn Env = &env;

        let mut data = env_ref
            .new_writable_file(Path::new("/db/000003.log"))
            .unwrap();
        data.append(b"kept").unwrap();
        env.flags().no_space.store(true, Ordering::Release);
        data.append(b"dropped").unwrap();
        env.flags().no_space.store(false, Ordering::Release);
        env.flags().data_sync_error.store(true, Ordering::Release);
        assert_eq!(
            data.sync().unwrap_err().to_string(),
            "IO error: simulated data sync error"
        );
        env.flags().data_sync_error.store(false, Ordering::Release);
        data.sync().unwrap();
        assert_eq!(
            env_ref.get_file_size(Path::new("/db/000003.log")).unwrap(),
            4
        );

        let mut manifest = env_ref
            .new_writable_file(Path::new("/db/MANIFEST-000002"))
            .unwrap();
        env.flags()
            .manifest_write_error
            .store(true, Ordering::Release);
        assert_eq!(
            manifest.append(b"x").unwrap_err().to_string(),
            "IO error: simulated writer error"
        );
        env.flags()
            .manifest_write_error
            .store(false, Ordering::Release);
        env.flags()
            .manifest_sync_error
            .store(true, Ordering::Release);
        assert_eq!(
            manifest.sync().unwrap_err().to_string(),
            "IO error: simulated sync error"
        );

        env.flags().non_writable.store(true, Ordering::Release);
        assert!(env_ref.new_writable_file(Path::new("/db/CURRENT")).is_err());
        env.flags().non_writable.store(false, Ordering::Release);

        env.flags()
            .count_random_reads
            .store(true, Ordering::Release);
        let file = env_ref
            .new_random_access_file(Path::new("/db/000003.log"))
            .unwrap();
        let mut scratch = Vec::new();
        assert_eq!(file.read(0, 4, &mut scratch).unwrap(), b"kept");
        assert_eq!(env.flags().random_read_counter.load(Ordering::Acquire), 1);
    }
}
