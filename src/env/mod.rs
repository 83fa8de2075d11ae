//! The `Env`: everything the database asks of the operating system, behind one trait.
//!
//! Files (sequential reads, random-access reads, writes and appends), directories, locks, the background thread,
//! the clock and the info logger all go through an [`Env`], so a test can swap the real file system
//! ([`PosixEnv`]) for an in-memory one ([`MemEnv`]) or wrap it to inject faults ([`EnvWrapper`]; LevelDB's
//! own fault injectors for its tests, `SpecialEnv`, `FaultInjectionEnv` and `IoFaultEnv` (which fails as a real
//! disk does), are here too, for the project's tests only, with `RecordingEnv`, which logs every file-system
//! operation for the crash-state explorer).
//!
//! Every method is safe to call from several threads at once. The files it returns are used by one thread at a
//! time, except a [`RandomAccessFile`], which many threads read concurrently.

#[cfg(any(test, feature = "internals"))]
mod fault_injection_env;
#[cfg(any(test, feature = "internals"))]
mod io_fault_env;
mod mem_env;
mod posix_env;
mod posix_logger;
#[cfg(any(test, feature = "internals"))]
mod recording_env;
#[cfg(any(test, feature = "internals"))]
mod special_env;
mod sys;

#[cfg(any(test, feature = "internals"))]
#[doc(hidden)]
pub use fault_injection_env::FaultInjectionEnv;
#[cfg(any(test, feature = "internals"))]
#[doc(hidden)]
pub use io_fault_env::IoFaultEnv;
pub use mem_env::MemEnv;
pub use posix_env::PosixEnv;
pub use posix_logger::PosixLogger;
#[cfg(any(test, feature = "internals"))]
#[doc(hidden)]
pub use recording_env::{RecordingEnv, RecordingFaults};
#[cfg(any(test, feature = "internals"))]
#[doc(hidden)]
pub use special_env::{SpecialEnv, SpecialEnvFlags};

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Result};

/// A file read from front to back (logs, MANIFESTs, CURRENT).
///
/// LevelDB: SequentialFile
pub trait SequentialFile: Send {
    /// Reads up to `scratch.len()` bytes into `scratch` and returns how many were read; 0 means the end of the
    /// file.
    ///
    /// LevelDB: SequentialFile::Read
    fn read(&mut self, scratch: &mut [u8]) -> Result<usize>;

    /// Skips `n` bytes. Skipping past the end is not an error: the file is then at its end.
    ///
    /// LevelDB: SequentialFile::Skip
    fn skip(&mut self, n: u64) -> Result<()>;
}

/// A file read at random offsets (tables). Safe for concurrent use by several threads.
///
/// LevelDB: RandomAccessFile
pub trait RandomAccessFile: Send + Sync {
    /// Reads up to `n` bytes at `offset`. The result is either the start of `scratch` (which the file sizes as
    /// it needs) or, when [`is_memory_mapped`](Self::is_memory_mapped), memory the file itself holds; it is
    /// shorter than `n` only at the end of the file.
    ///
    /// LevelDB: RandomAccessFile::Read
    fn read<'a>(&'a self, offset: u64, n: usize, scratch: &'a mut Vec<u8>) -> Result<&'a [u8]>;

    /// True if `read` returns the file's own memory (a memory map) rather than a copy in `scratch`. LevelDB
    /// tells the two apart by comparing pointers; a block read from a map is not put into the block cache.
    fn is_memory_mapped(&self) -> bool {
        false
    }

    /// A hint that `offset..offset + n` will not be read again soon: a scan that reads each block once (a
    /// compaction's) has gone past it. A memory map lets go of the pages that lie wholly inside, so that a scan of
    /// large files does not keep every page it touched in the process's memory until the file is closed (a read
    /// of them later maps them again, from the operating system's cache). Other files have nothing to let go.
    ///
    /// Not in LevelDB, whose maps keep every page a compaction touched until the compacted files are deleted.
    fn release(&self, _offset: u64, _n: usize) {}
}

/// A file written from front to back. Implementations buffer small writes, so callers append freely.
///
/// LevelDB: WritableFile
pub trait WritableFile: Send {
    /// LevelDB: WritableFile::Append
    fn append(&mut self, data: &[u8]) -> Result<()>;
    /// LevelDB: WritableFile::Close
    fn close(&mut self) -> Result<()>;
    /// Pushes buffered data to the operating system.
    ///
    /// LevelDB: WritableFile::Flush
    fn flush(&mut self) -> Result<()>;
    /// Pushes buffered data to stable storage.
    ///
    /// LevelDB: WritableFile::Sync
    fn sync(&mut self) -> Result<()>;
}

/// Memory as a file: appends go to the end of the vector, and nothing needs flushing (handy for dumps and
/// tests).
impl WritableFile for Vec<u8> {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        self.extend_from_slice(data);
        Ok(())
    }
    fn close(&mut self) -> Result<()> {
        Ok(())
    }
    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
    fn sync(&mut self) -> Result<()> {
        Ok(())
    }
}

/// Where the database writes its informational messages (the `LOG` file).
///
/// LevelDB: Logger
pub trait Logger: Send + Sync {
    /// Writes one message, formatted and prefixed as the implementation likes.
    ///
    /// LevelDB: Logger::Logv
    fn logv(&self, args: fmt::Arguments<'_>);
}

/// A lock held on a file; give it back to [`Env::unlock_file`] to release it.
///
/// LevelDB: FileLock
pub trait FileLock: std::any::Any + Send {}

/// Work for the background thread or a new thread.
pub type Work = Box<dyn FnOnce() + Send + 'static>;

/// The operating system, as the database sees it.
///
/// LevelDB: Env
pub trait Env: Send + Sync {
    /// Opens an existing file for reading from the start. A missing file is `NotFound` in [`PosixEnv`].
    ///
    /// LevelDB: Env::NewSequentialFile
    fn new_sequential_file(&self, fname: &Path) -> Result<Box<dyn SequentialFile>>;

    /// Opens an existing file for reads at random offsets.
    ///
    /// LevelDB: Env::NewRandomAccessFile
    fn new_random_access_file(&self, fname: &Path) -> Result<Box<dyn RandomAccessFile>>;

    /// Creates a file for writing, truncating any existing file of that name.
    ///
    /// LevelDB: Env::NewWritableFile
    fn new_writable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>>;

    /// Opens a file for appending at its end, creating it if needed. Envs that cannot append return
    /// `NotSupported`, and the database then starts new files instead.
    ///
    /// LevelDB: Env::NewAppendableFile
    fn new_appendable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>> {
        Err(Error::not_supported(
            "NewAppendableFile",
            fname.to_string_lossy(),
        ))
    }

    /// LevelDB: Env::FileExists
    fn file_exists(&self, fname: &Path) -> bool;

    /// The names (not paths) of the entries of directory `dir`.
    ///
    /// LevelDB: Env::GetChildren
    fn get_children(&self, dir: &Path) -> Result<Vec<String>>;

    /// LevelDB: Env::RemoveFile
    fn remove_file(&self, fname: &Path) -> Result<()>;

    /// LevelDB: Env::CreateDir
    fn create_dir(&self, dirname: &Path) -> Result<()>;

    /// LevelDB: Env::RemoveDir
    fn remove_dir(&self, dirname: &Path) -> Result<()>;

    /// LevelDB: Env::GetFileSize
    fn get_file_size(&self, fname: &Path) -> Result<u64>;

    /// Renames `src` to `target`, replacing `target` if it exists.
    ///
    /// LevelDB: Env::RenameFile
    fn rename_file(&self, src: &Path, target: &Path) -> Result<()>;

    /// Locks `fname` (creating it if needed) so that no other process, and no other database of this process,
    /// can lock it until it is unlocked. Fails at once instead of waiting.
    ///
    /// LevelDB: Env::LockFile
    fn lock_file(&self, fname: &Path) -> Result<Box<dyn FileLock>>;

    /// LevelDB: Env::UnlockFile
    fn unlock_file(&self, lock: Box<dyn FileLock>) -> Result<()>;

    /// Runs `work` once on the background thread. Work items run one at a time, in the order they were scheduled.
    ///
    /// LevelDB: Env::Schedule
    fn schedule(&self, work: Work);

    /// Runs `work` on a new thread.
    ///
    /// LevelDB: Env::StartThread
    fn start_thread(&self, work: Work);

    /// A directory for tests to use (it may be shared with other tests).
    ///
    /// LevelDB: Env::GetTestDirectory
    fn get_test_directory(&self) -> Result<PathBuf>;

    /// Creates a logger that writes to `fname`.
    ///
    /// LevelDB: Env::NewLogger
    fn new_logger(&self, fname: &Path) -> Result<Arc<dyn Logger>>;

    /// Microseconds since some fixed point in time; only differences are meaningful.
    ///
    /// LevelDB: Env::NowMicros
    fn now_micros(&self) -> u64;

    /// LevelDB: Env::SleepForMicroseconds
    fn sleep_for_microseconds(&self, micros: u64);
}

/// The process-wide [`PosixEnv`], shared by every `Options` that does not set its own (and so sharing one
/// background thread, as in LevelDB).
///
/// LevelDB: Env::Default
pub fn default_env() -> Arc<dyn Env> {
    PosixEnv::shared()
}

/// An [`Env`] that passes every call to another one. Implement [`EnvWrapper::target`] and override only the
/// methods to change; every type that implements `EnvWrapper` is an `Env`.
///
/// LevelDB: EnvWrapper
pub trait EnvWrapper: Send + Sync {
    /// The Env the calls go to.
    fn target(&self) -> &dyn Env;

    /// Forwards to [`Env::new_sequential_file`] of the target.
    fn new_sequential_file(&self, fname: &Path) -> Result<Box<dyn SequentialFile>> {
        self.target().new_sequential_file(fname)
    }
    /// Forwards to [`Env::new_random_access_file`] of the target.
    fn new_random_access_file(&self, fname: &Path) -> Result<Box<dyn RandomAccessFile>> {
        self.target().new_random_access_file(fname)
    }
    /// Forwards to [`Env::new_writable_file`] of the target.
    fn new_writable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>> {
        self.target().new_writable_file(fname)
    }
    /// Forwards to [`Env::new_appendable_file`] of the target.
    fn new_appendable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>> {
        self.target().new_appendable_file(fname)
    }
    /// Forwards to [`Env::file_exists`] of the target.
    fn file_exists(&self, fname: &Path) -> bool {
        self.target().file_exists(fname)
    }
    /// Forwards to [`Env::get_children`] of the target.
    fn get_children(&self, dir: &Path) -> Result<Vec<String>> {
        self.target().get_children(dir)
    }
    /// Forwards to [`Env::remove_file`] of the target.
    fn remove_file(&self, fname: &Path) -> Result<()> {
        self.target().remove_file(fname)
    }
    /// Forwards to [`Env::create_dir`] of the target.
    fn create_dir(&self, dirname: &Path) -> Result<()> {
        self.target().create_dir(dirname)
    }
    /// Forwards to [`Env::remove_dir`] of the target.
    fn remove_dir(&self, dirname: &Path) -> Result<()> {
        self.target().remove_dir(dirname)
    }
    /// Forwards to [`Env::get_file_size`] of the target.
    fn get_file_size(&self, fname: &Path) -> Result<u64> {
        self.target().get_file_size(fname)
    }
    /// Forwards to [`Env::rename_file`] of the target.
    fn rename_file(&self, src: &Path, target: &Path) -> Result<()> {
        self.target().rename_file(src, target)
    }
    /// Forwards to [`Env::lock_file`] of the target.
    fn lock_file(&self, fname: &Path) -> Result<Box<dyn FileLock>> {
        self.target().lock_file(fname)
    }
    /// Forwards to [`Env::unlock_file`] of the target.
    fn unlock_file(&self, lock: Box<dyn FileLock>) -> Result<()> {
        self.target().unlock_file(lock)
    }
    /// Forwards to [`Env::schedule`] of the target.
    fn schedule(&self, work: Work) {
        self.target().schedule(work)
    }
    /// Forwards to [`Env::start_thread`] of the target.
    fn start_thread(&self, work: Work) {
        self.target().start_thread(work)
    }
    /// Forwards to [`Env::get_test_directory`] of the target.
    fn get_test_directory(&self) -> Result<PathBuf> {
        self.target().get_test_directory()
    }
    /// Forwards to [`Env::new_logger`] of the target.
    fn new_logger(&self, fname: &Path) -> Result<Arc<dyn Logger>> {
        self.target().new_logger(fname)
    }
    /// Forwards to [`Env::now_micros`] of the target.
    fn now_micros(&self) -> u64 {
        self.target().now_micros()
    }
    /// Forwards to [`Env::sleep_for_microseconds`] of the target.
    fn sleep_for_microseconds(&self, micros: u64) {
        self.target().sleep_for_microseconds(micros)
    }
}

impl<T: EnvWrapper> Env for T {
    fn new_sequential_file(&self, fname: &Path) -> Result<Box<dyn SequentialFile>> {
        EnvWrapper::new_sequential_file(self, fname)
    }
    fn new_random_access_file(&self, fname: &Path) -> Result<Box<dyn RandomAccessFile>> {
        EnvWrapper::new_random_access_file(self, fname)
    }
    fn new_writable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>> {
        EnvWrapper::new_writable_file(self, fname)
    }
    fn new_appendable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>> {
        EnvWrapper::new_appendable_file(self, fname)
    }
    fn file_exists(&self, fname: &Path) -> bool {
        EnvWrapper::file_exists(self, fname)
    }
    fn get_children(&self, dir: &Path) -> Result<Vec<String>> {
        EnvWrapper::get_children(self, dir)
    }
    fn remove_file(&self, fname: &Path) -> Result<()> {
        EnvWrapper::remove_file(self, fname)
    }
    fn create_dir(&self, dirname: &Path) -> Result<()> {
        EnvWrapper::create_dir(self, dirname)
    }
    fn remove_dir(&self, dirname: &Path) -> Result<()> {
        EnvWrapper::remove_dir(self, dirname)
    }
    fn get_file_size(&self, fname: &Path) -> Result<u64> {
        EnvWrapper::get_file_size(self, fname)
    }
    fn rename_file(&self, src: &Path, target: &Path) -> Result<()> {
        EnvWrapper::rename_file(self, src, target)
    }
    fn lock_file(&self, fname: &Path) -> Result<Box<dyn FileLock>> {
        EnvWrapper::lock_file(self, fname)
    }
    fn unlock_file(&self, lock: Box<dyn FileLock>) -> Result<()> {
        EnvWrapper::unlock_file(self, lock)
    }
    fn schedule(&self, work: Work) {
        EnvWrapper::schedule(self, work)
    }
    fn start_thread(&self, work: Work) {
        EnvWrapper::start_thread(self, work)
    }
    fn get_test_directory(&self) -> Result<PathBuf> {
        EnvWrapper::get_test_directory(self)
    }
    fn new_logger(&self, fname: &Path) -> Result<Arc<dyn Logger>> {
        EnvWrapper::new_logger(self, fname)
    }
    fn now_micros(&self) -> u64 {
        EnvWrapper::now_micros(self)
    }
    fn sleep_for_microseconds(&self, micros: u64) {
        EnvWrapper::sleep_for_microseconds(self, micros)
    }
}

/// Writes a message to `info_log`, if there is one. Use through the `info_log!` macro.
///
/// LevelDB: Log
pub fn log(info_log: Option<&Arc<dyn Logger>>, args: fmt::Arguments<'_>) {
    if let Some(logger) = info_log {
        logger.logv(args);
    }
}

/// `info_log!(options.info_log, "Recovering log #{}", number)` writes to the info log, if there is one
/// (LevelDB's `Log(options_.info_log, "Recovering log #%llu", number)`).
#[macro_export]
#[doc(hidden)]
macro_rules! info_log {
    ($logger:expr, $($arg:tt)*) => {
        $crate::env::log(($logger).as_ref(), format_args!($($arg)*))
    };
}

/// Writes `data` to a new file `fname`, syncing it before closing when `should_sync`; a failed write removes the
/// file.
///
/// LevelDB: DoWriteStringToFile
fn do_write_string_to_file(
    env: &dyn Env,
    data: &[u8],
    fname: &Path,
    should_sync: bool,
) -> Result<()> {
    let mut file = env.new_writable_file(fname)?;
    let mut result = file.append(data);
    if result.is_ok() && should_sync {
        result = file.sync();
    }
    if result.is_ok() {
        result = file.close();
    }
    drop(file); // Will auto-close if we did not close above.
    if result.is_err() {
        let _ = env.remove_file(fname);
    }
    result
}

/// LevelDB: WriteStringToFile
pub fn write_string_to_file(env: &dyn Env, data: &[u8], fname: &Path) -> Result<()> {
    do_write_string_to_file(env, data, fname, false)
}

/// LevelDB: WriteStringToFileSync
pub fn write_string_to_file_sync(env: &dyn Env, data: &[u8], fname: &Path) -> Result<()> {
    do_write_string_to_file(env, data, fname, true)
}

/// Reads the whole file `fname`.
///
/// LevelDB: ReadFileToString
pub fn read_file_to_string(env: &dyn Env, fname: &Path) -> Result<Vec<u8>> {
    const BUFFER_SIZE: usize = 8192;
    let mut file = env.new_sequential_file(fname)?;
    let mut data = Vec::new();
    let mut space = vec![0u8; BUFFER_SIZE];
    loop {
        let n = file.read(&mut space)?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&space[..n]);
    }
    Ok(data)
}
