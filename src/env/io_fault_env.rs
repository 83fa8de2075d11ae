//! `IoFaultEnv`: an Env wrapper that fails as a real disk fails — one write that fails half-way (a transient EIO
//! that leaves a torn write), reads that fail with EIO, and a full disk (ENOSPC) until space is freed.
//!
//! Its errors read as the posix Env's do (`IO error: <file>: Input/output error`, `IO error: <file>: No space
//! left on device`), so a test sees what a user of the real file system would see. Files are chosen by a part of
//! their name (`".log"`, `"MANIFEST"`, `"CURRENT"`). Every switch may be flipped while a database runs on the
//! Env; the files it opened see the change at once.
//!
//! Not in LevelDB, whose tests inject faults by name only (SpecialEnv, ErrorEnv); it stands for the faults its
//! users meet (RocksDB: FaultInjectionTestFS).

use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::posix_env::posix_error;
use super::{Env, EnvWrapper, SequentialFile, WritableFile};
use crate::error::{Error, Result};

/// errno values (the same on Linux and the BSDs).
const EIO: i32 = 5;
const ENOSPC: i32 = 28;

/// The fault switches, shared by the Env and the files it opened.
#[derive(Default)]
struct Faults {
    /// The files whose `n`th append from now fails, and `n` (counted down).
    append_error: Mutex<Option<(String, u64)>>,
    /// The files whose reads fail.
    read_error: Mutex<Option<String>>,
    /// While set, appends and new files fail with ENOSPC.
    disk_full: AtomicBool,
    /// How many errors were injected.
    injected: AtomicUsize,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Faults {
    fn error(&self, fname: &str, errno: i32) -> Error {
        self.injected.fetch_add(1, Ordering::AcqRel);
        posix_error(fname, &io::Error::from_raw_os_error(errno))
    }

    /// The error a new file meets, if any.
    fn create_error(&self, fname: &str) -> Option<Error> {
        self.disk_full
            .load(Ordering::Acquire)
            .then(|| self.error(fname, ENOSPC))
    }

    /// True if this append to `fname` is the one that must fail (counting it down if `fname` matches).
    fn append_fails(&self, fname: &str) -> bool {
        let mut append_error = lock(&self.append_error);
        let Some((pattern, n)) = append_error.as_mut() else {
            return false;
        };
        if !fname.contains(pattern.as_str()) {
            return false;
        }
        *n -= 1;
        if *n > 0 {
            return false;
        }
        *append_error = None; // Transient: the next append succeeds.
        true
    }

    fn read_fails(&self, fname: &str) -> bool {
        lock(&self.read_error)
            .as_deref()
            .is_some_and(|pattern| fname.contains(pattern))
    }
}

/// An Env that injects the failures of a real disk into `base`.
pub struct IoFaultEnv {
    base: Arc<dyn Env>,
    faults: Arc<Faults>,
}

impl IoFaultEnv {
    /// A wrapper of `base` with every fault switched off.
    pub fn new(base: Arc<dyn Env>) -> IoFaultEnv {
        IoFaultEnv {
            base,
            faults: Arc::new(Faults::default()),
        }
    }

    /// Makes the `n`th append from now (`n >= 1`) to a file whose name contains `pattern` write the first half
    /// of its data and fail with EIO: a torn write. The fault is transient: later appends succeed.
    pub fn fail_append(&self, pattern: &str, n: u64) {
        assert!(n >= 1, "appends are counted from 1");
        *lock(&self.faults.append_error) = Some((pattern.to_string(), n));
    }

    /// Makes every read of a file whose name contains `pattern` fail with EIO (`None`: reads succeed again).
    pub fn fail_reads(&self, pattern: Option<&str>) {
        *lock(&self.faults.read_error) = pattern.map(str::to_string);
    }

    /// Fills the disk (`true`: every append and every new file fails with ENOSPC, writing nothing) or frees it.
    pub fn set_disk_full(&self, full: bool) {
        self.faults.disk_full.store(full, Ordering::Release);
    }

    /// How many errors were injected so far.
    pub fn errors_injected(&self) -> usize {
        self.faults.injected.load(Ordering::Acquire)
    }
}

/// A file being written, whose appends may fail.
struct FaultyWritableFile {
    faults: Arc<Faults>,
    fname: String,
    base: Box<dyn WritableFile>,
}

impl WritableFile for FaultyWritableFile {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        if self.faults.disk_full.load(Ordering::Acquire) {
            return Err(self.faults.error(&self.fname, ENOSPC));
        }
        if self.faults.append_fails(&self.fname) {
            // What a write cut short by a device error leaves: its first part.
            self.base.append(&data[..data.len() / 2])?;
            return Err(self.faults.error(&self.fname, EIO));
        }
        self.base.append(data)
    }
    fn close(&mut self) -> Result<()> {
        self.base.close()
    }
    fn flush(&mut self) -> Result<()> {
        self.base.flush()
    }
    fn sync(&mut self) -> Result<()> {
        self.base.sync()
    }
}

/// A file being read from front to back, whose reads may fail.
struct FaultySequentialFile {
    faults: Arc<Faults>,
    fname: String,
    base: Box<dyn SequentialFile>,
}

impl SequentialFile for FaultySequentialFile {
    fn read(&mut self, scratch: &mut [u8]) -> Result<usize> {
        if self.faults.read_fails(&self.fname) {
            return Err(self.faults.error(&self.fname, EIO));
        }
        self.base.read(scratch)
    }
    fn skip(&mut self, n: u64) -> Result<()> {
        self.base.skip(n)
    }
}

impl IoFaultEnv {
    fn wrap(&self, fname: &Path, base: Box<dyn WritableFile>) -> Box<dyn WritableFile> {
        Box::new(FaultyWritableFile {
            faults: self.faults.clone(),
            fname: fname.to_string_lossy().into_owned(),
            base,
        })
    }
}

impl EnvWrapper for IoFaultEnv {
    fn target(&self) -> &dyn Env {
        &*self.base
    }

    fn new_sequential_file(&self, fname: &Path) -> Result<Box<dyn SequentialFile>> {
        let base = self.base.new_sequential_file(fname)?;
        Ok(Box::new(FaultySequentialFile {
            faults: self.faults.clone(),
            fname: fname.to_string_lossy().into_owned(),
            base,
        }))
    }

    fn new_writable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>> {
        if let Some(e) = self.faults.create_error(&fname.to_string_lossy()) {
            return Err(e);
        }
        let base = self.base.new_writable_file(fname)?;
        Ok(self.wrap(fname, base))
    }

    fn new_appendable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>> {
        if let Some(e) = self.faults.create_error(&fname.to_string_lossy()) {
            return Err(e);
        }
        let base = self.base.new_appendable_file(fname)?;
        Ok(self.wrap(fname, base))
    }
}

#[cfg(test)]
mod tests {
    use super::IoFaultEnv;
    use crate::env::{read_file_to_string, Env, MemEnv};
    use std::path::Path;
    use std::sync::Arc;

    #[test]
    fn faults_read_as_posix_errors_and_go_away() {
        let env = IoFaultEnv::new(Arc::new(MemEnv::default()));
        let env_ref: &dyn Env = &env;
        let log = Path::new("/db/000003.log");
        let mut file = env_ref.new_writable_file(log).unwrap();
        file.append(b"kept").unwrap();
        env.fail_append(".log", 2);
        file.append(b"also kept").unwrap();
        assert_eq!(
            file.append(b"torn").unwrap_err().to_string(),
            "IO error: /db/000003.log: Input/output error"
        );
        file.append(b"!").unwrap(); // Transient.
        assert_eq!(
            read_file_to_string(env_ref, log).unwrap(),
            b"keptalso keptto!"
        );

        env.fail_reads(Some(".log"));
        assert_eq!(
            read_file_to_string(env_ref, log).unwrap_err().to_string(),
            "IO error: /db/000003.log: Input/output error"
        );
        assert!(read_file_to_string(env_ref, Path::new("/db/CURRENT")).is_err()); // Missing, not injected.
        env.fail_reads(None);
        assert!(read_file_to_string(env_ref, log).is_ok());

        env.set_disk_full(true);
        assert_eq!(
            file.append(b"x").unwrap_err().to_string(),
            "IO error: /db/000003.log: No space left on device"
        );
        assert_eq!(
            env_ref
                .new_writable_file(Path::new("/db/000004.ldb"))
                .err()
                .unwrap()
                .to_string(),
            "IO error: /db/000004.ldb: No space left on device"
        );
        env.set_disk_full(false);
        file.append(b"x").unwrap();
        assert_eq!(env.errors_injected(), 4);
    }
}
