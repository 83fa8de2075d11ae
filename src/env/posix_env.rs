//! `PosixEnv`: the real file system, as LevelDB's env_posix.cc uses it.
//!
//! * Reads of tables go through a memory map while fewer than 1000 maps are open, else through `pread` (keeping at
//!   most a fifth of the process's file-descriptor limit open), exactly as LevelDB budgets them.
//! * Writable files buffer 64 KiB. `sync` flushes the buffer and calls `fdatasync`; for a file whose name starts
//!   with `MANIFEST` it first syncs the directory (`fdatasync` too), so that a new MANIFEST's directory entry is
//!   durable before CURRENT can point to it. Not in LevelDB: so does the first sync of any file this env created
//!   (a new log, a table), so that a synced write in a new log, or a MANIFEST edit naming a new table, does not
//!   outlive a crash that loses the file's directory entry (RocksDB syncs the directory of a new WAL or table
//!   the same way). The files are the same; only one directory sync more per new file.
//! * `lock_file` takes a `fcntl(F_SETLK)` write lock on the whole file, the lock LevelDB takes, so a LevelDB
//!   process and an oxleveldb process exclude each other on the same database. POSIX record locks do not exclude
//!   two opens in the same process, and closing any descriptor of a locked file releases them, so a process-wide
//!   table of the files this process has locked (by name and by device and inode) is checked before a LOCK file
//!   is opened, and owns the descriptors of the files it lists.
//! * `close` reports close(2)'s error, and listing a directory never panics (`closedir`'s result is ignored, as in
//!   LevelDB).
//! * Errors carry the file name and the C library's `strerror` text; a missing file is `NotFound`.

use std::collections::VecDeque;
use std::ffi::{CString, OsStr};
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::posix_logger::PosixLogger;
use super::sys;
use super::{Env, FileLock, Logger, RandomAccessFile, SequentialFile, Work, WritableFile};
use crate::error::{Error, Result};

/// The size of a writable file's buffer.
const WRITABLE_FILE_BUFFER_SIZE: usize = 65536;

/// Reads larger than this check the file's size before they allocate their buffer.
const LARGE_READ: usize = 1 << 20;

/// Up to 1000 mmap regions for 64-bit binaries; none for 32-bit.
const DEFAULT_MMAP_LIMIT: i64 = if std::mem::size_of::<usize>() >= 8 {
    1000
} else {
    0
};

/// Builds LevelDB's error for a failed system call on `context`: `NotFound` for a missing file, `IOError`
/// otherwise, with the C library's message.
///
/// LevelDB: PosixError
pub(crate) fn posix_error(context: &str, error: &io::Error) -> Error {
    match error.raw_os_error() {
        Some(errno) if error.kind() == io::ErrorKind::NotFound => {
            Error::not_found(context, sys::error_string(errno))
        }
        Some(errno) => Error::io_error(context, sys::error_string(errno)),
        None => Error::io_error(context, error.to_string()),
    }
}

fn path_str(path: &Path) -> std::borrow::Cow<'_, str> {
    path.to_string_lossy()
}

/// The file `path` names for the system. LevelDB hands names to the C library as C strings (`c_str()`), which end
/// at the first NUL byte; Rust would refuse such a name instead. Only a damaged CURRENT can hold one, and LevelDB
/// then finds no such MANIFEST (a Corruption), not a bad argument. Errors still show the whole name, as LevelDB's do.
fn c_path(path: &Path) -> &Path {
    let bytes = path.as_os_str().as_bytes();
    match bytes.iter().position(|&b| b == 0) {
        Some(end) => Path::new(OsStr::from_bytes(&bytes[..end])),
        None => path,
    }
}

/// `c_path` as the C string the C library takes.
fn c_string(path: &Path) -> CString {
    // c_path ends the name at its first NUL, so there is none inside and this cannot fail.
    CString::new(c_path(path).as_os_str().as_bytes()).unwrap_or_default()
}

/// Hands out a limited number of a resource (memory maps, file descriptors); when it runs out, callers fall back
/// to something slower.
///
/// LevelDB: Limiter
struct Limiter {
    acquires_allowed: AtomicI64,
}

impl Limiter {
    fn new(max_acquires: i64) -> Limiter {
        Limiter {
            acquires_allowed: AtomicI64::new(max_acquires),
        }
    }

    /// True if a resource was taken; it must then be given back with `release`.
    fn acquire(&self) -> bool {
        let old = self.acquires_allowed.fetch_sub(1, Ordering::Relaxed);
        if old > 0 {
            return true;
        }
        self.acquires_allowed.fetch_add(1, Ordering::Relaxed);
        false
    }

    fn release(&self) {
        self.acquires_allowed.fetch_add(1, Ordering::Relaxed);
    }
}

/// A fifth of the process's file-descriptor limit: the read-only files kept open.
///
/// LevelDB: MaxOpenFiles
fn max_open_files() -> i64 {
    let mut rlim = sys::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the rlimit struct we own and pass by pointer.
    if unsafe { sys::getrlimit(sys::RLIMIT_NOFILE, &mut rlim) } != 0 {
        // getrlimit failed, fall back to a hard-coded default.
        50
    } else if rlim.rlim_cur == sys::RLIM_INFINITY {
        i64::from(i32::MAX)
    } else {
        // Allow use of 20% of available file descriptors for read-only files.
        (rlim.rlim_cur / 5) as i64
    }
}

/// LevelDB: PosixSequentialFile
struct PosixSequentialFile {
    file: File,
    filename: String,
}

impl SequentialFile for PosixSequentialFile {
    fn read(&mut self, scratch: &mut [u8]) -> Result<usize> {
        loop {
            match self.file.read(scratch) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue, // Retry.
                Err(e) => return Err(posix_error(&self.filename, &e)),
            }
        }
    }

    fn skip(&mut self, n: u64) -> Result<()> {
        self.file
            .seek(SeekFrom::Current(n as i64))
            .map(|_| ())
            .map_err(|e| posix_error(&self.filename, &e))
    }
}

/// Reads with `pread`, keeping the descriptor open only while the descriptor budget allows.
///
/// LevelDB: PosixRandomAccessFile
struct PosixRandomAccessFile {
    /// `None` when the budget was exhausted: every read then opens the file anew.
    permanent_file: Option<File>,
    filename: PathBuf,
    fd_limiter: Arc<Limiter>,
}

impl RandomAccessFile for PosixRandomAccessFile {
    fn read<'a>(&'a self, offset: u64, n: usize, scratch: &'a mut Vec<u8>) -> Result<&'a [u8]> {
        let reopened;
        let file = match &self.permanent_file {
            Some(file) => file,
            None => {
                reopened = File::open(c_path(&self.filename))
                    .map_err(|e| posix_error(&path_str(&self.filename), &e))?;
                &reopened
            }
        };
        // A corrupt block handle can ask for an absurd size: never allocate more than the file holds.
        let mut n = n;
        if n > LARGE_READ {
            let len = file
                .metadata()
                .map_err(|e| posix_error(&path_str(&self.filename), &e))?
                .len();
            n = n.min(len.saturating_sub(offset) as usize);
        }
        scratch.resize(n, 0);
        match file.read_at(&mut scratch[..n], offset) {
            Ok(read) => Ok(&scratch[..read]),
            Err(e) => Err(posix_error(&path_str(&self.filename), &e)),
        }
    }
}

impl Drop for PosixRandomAccessFile {
    fn drop(&mut self) {
        if self.permanent_file.is_some() {
            self.fd_limiter.release();
        }
    }
}

/// A whole file mapped into memory: reads return slices of the map, without a copy or a system call.
///
/// LevelDB: PosixMmapReadableFile
struct PosixMmapReadableFile {
    base: *const u8,
    length: usize,
    filename: String,
    mmap_limiter: Arc<Limiter>,
}

// SAFETY: the map is read-only and lives as long as this object; reading it from several threads is safe.
unsafe impl Send for PosixMmapReadableFile {}
// SAFETY: as above, `read` only reads the map.
unsafe impl Sync for PosixMmapReadableFile {}

impl RandomAccessFile for PosixMmapReadableFile {
    fn read<'a>(&'a self, offset: u64, n: usize, _scratch: &'a mut Vec<u8>) -> Result<&'a [u8]> {
        let end = offset.checked_add(n as u64);
        if end.is_none_or(|end| end > self.length as u64) {
            return Err(posix_error(
                &self.filename,
                &io::Error::from_raw_os_error(22 /* EINVAL */),
            ));
        }
        // SAFETY: `offset + n <= length` was checked above, and the map of `length` bytes stays valid until drop.
        Ok(unsafe { std::slice::from_raw_parts(self.base.add(offset as usize), n) })
    }

    fn is_memory_mapped(&self) -> bool {
        true
    }

    fn release(&self, offset: u64, n: usize) {
        // The whole pages inside the range (the map starts on a page boundary).
        let page = sys::page_size();
        let start = (offset as usize).div_ceil(page) * page;
        let end = (offset as usize).saturating_add(n).min(self.length) / page * page;
        if start < end {
            // SAFETY: `start..end` lies inside the map. The map is of a file opened read-only and is never written,
            // so dropping its pages loses nothing: a later read of them loads them again from the file, which does
            // not change while it is open (tables are immutable). A slice of the map handed out earlier stays
            // valid for the same reason. The advice can only fail on bad arguments; it is a hint either way.
            unsafe {
                sys::madvise(
                    self.base.add(start) as *mut _,
                    end - start,
                    sys::MADV_DONTNEED,
                )
            };
        }
    }
}

impl Drop for PosixMmapReadableFile {
    fn drop(&mut self) {
        // SAFETY: `base` and `length` are exactly what mmap returned and was given; the map is unmapped once.
        unsafe { sys::munmap(self.base as *mut _, self.length) };
        self.mmap_limiter.release();
    }
}

/// LevelDB: PosixWritableFile
struct PosixWritableFile {
    /// `buf[..pos]` holds the data not yet written to the file.
    buf: Box<[u8]>,
    pos: usize,
    /// `None` once closed.
    file: Option<File>,
    /// True if the file's name starts with MANIFEST.
    is_manifest: bool,
    /// This env created the file and has not synced it yet: its directory entry may not be durable.
    created_unsynced: bool,
    filename: String,
    dirname: PathBuf,
}

impl PosixWritableFile {
    fn new(filename: &Path, file: File, created: bool) -> PosixWritableFile {
        let is_manifest = filename
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with("MANIFEST"));
        let dirname = match filename.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        PosixWritableFile {
            buf: vec![0u8; WRITABLE_FILE_BUFFER_SIZE].into_boxed_slice(),
            pos: 0,
            file: Some(file),
            is_manifest,
            created_unsynced: created,
            filename: path_str(filename).into_owned(),
            dirname,
        }
    }

    fn flush_buffer(&mut self) -> Result<()> {
        let pos = std::mem::take(&mut self.pos);
        let buf = std::mem::take(&mut self.buf);
        let status = self.write_unbuffered(&buf[..pos]);
        self.buf = buf;
        status
    }

    fn write_unbuffered(&mut self, data: &[u8]) -> Result<()> {
        let Some(file) = self.file.as_mut() else {
            return Err(posix_error(
                &self.filename,
                &io::Error::from_raw_os_error(9 /* EBADF */),
            ));
        };
        // write_all retries on EINTR, as LevelDB's loop does.
        file.write_all(data)
            .map_err(|e| posix_error(&self.filename, &e))
    }

    /// A new MANIFEST's directory entry must be durable before CURRENT names it; a new log's before a synced
    /// write in it is acknowledged; a new table's before a MANIFEST edit names it. The directory is synced as
    /// LevelDB's SyncFd syncs any file: with `fdatasync`. (LevelDB syncs it for a MANIFEST only.)
    ///
    /// LevelDB: PosixWritableFile::SyncDirIfManifest
    fn sync_dir_if_manifest(&self) -> Result<()> {
        if !self.is_manifest && !self.created_unsynced {
            return Ok(());
        }
        let dirname = path_str(&self.dirname);
        let dir = File::open(c_path(&self.dirname)).map_err(|e| posix_error(&dirname, &e))?;
        dir.sync_data().map_err(|e| posix_error(&dirname, &e))
    }
}

impl WritableFile for PosixWritableFile {
    fn append(&mut self, mut data: &[u8]) -> Result<()> {
        // Fit as much as possible into the buffer.
        let copy_size = data.len().min(WRITABLE_FILE_BUFFER_SIZE - self.pos);
        self.buf[self.pos..self.pos + copy_size].copy_from_slice(&data[..copy_size]);
        data = &data[copy_size..];
        self.pos += copy_size;
        if data.is_empty() {
            return Ok(());
        }
        // Can't fit in the buffer, so at least one write is needed.
        self.flush_buffer()?;
        // Small writes go to the buffer, large writes are written directly.
        if data.len() < WRITABLE_FILE_BUFFER_SIZE {
            self.buf[..data.len()].copy_from_slice(data);
            self.pos = data.len();
            return Ok(());
        }
        self.write_unbuffered(data)
    }

    fn close(&mut self) -> Result<()> {
        let status = self.flush_buffer();
        let closed = match self.file.take() {
            Some(file) => sys::close_file(file),
            None => Err(io::Error::from_raw_os_error(9 /* EBADF */)),
        };
        // The first error wins, as in LevelDB: a failed flush is reported rather than the close after it.
        status.and(closed.map_err(|e| posix_error(&self.filename, &e)))
    }

    fn flush(&mut self) -> Result<()> {
        self.flush_buffer()
    }

    fn sync(&mut self) -> Result<()> {
        // Ensure the new file's directory entry is durable (see sync_dir_if_manifest), then the data.
        self.sync_dir_if_manifest()?;
        self.flush_buffer()?;
        match &self.file {
            Some(file) => file
                .sync_data()
                .map_err(|e| posix_error(&self.filename, &e))?,
            None => {
                return Err(posix_error(
                    &self.filename,
                    &io::Error::from_raw_os_error(9 /* EBADF */),
                ));
            }
        }
        self.created_unsynced = false;
        Ok(())
    }
}

impl Drop for PosixWritableFile {
    fn drop(&mut self) {
        if self.file.is_some() {
            // Ignoring any potential errors, as LevelDB's destructor does.
            let _ = self.close();
        }
    }
}

/// Takes or releases the whole-file write lock LevelDB takes.
///
/// LevelDB: LockOrUnlock
fn lock_or_unlock(file: &File, lock: bool) -> io::Result<()> {
    let info = sys::flock {
        l_type: if lock { sys::F_WRLCK } else { sys::F_UNLCK },
        l_whence: sys::SEEK_SET,
        l_start: 0,
        l_len: 0, // Lock/unlock the entire file.
        l_pid: 0,
    };
    // SAFETY: F_SETLK takes a pointer to a struct flock, which lives for the duration of the call.
    if unsafe { sys::fcntl(file.as_raw_fd(), sys::F_SETLK, &info as *const sys::flock) } == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// A file's identity on disk, which every spelling of its name shares (`db/./LOCK`, `db/../db/LOCK`, a symlink).
#[derive(Clone, Copy, PartialEq, Eq)]
struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    fn of(metadata: &Metadata) -> FileId {
        FileId {
            dev: metadata.dev(),
            ino: metadata.ino(),
        }
    }
}

/// A file this process holds locked.
struct LockedFile {
    /// The name it was locked under (LevelDB's table key).
    filename: String,
    id: FileId,
    /// The descriptor the lock was taken through.
    file: File,
    /// Descriptors of the same file that a later locker opened before it found the file held (only possible when
    /// the file was renamed onto the later locker's name after its check): closing them would release the lock,
    /// so they are closed with it.
    spare: Vec<File>,
}

/// The files this process holds locked. It is process-wide, as fcntl locks are: every `PosixEnv` shares it. Its
/// mutex is held while a file is opened, locked, unlocked and closed, so no locker of this process can open a
/// locked file between the check and the lock, nor while its holder lets go.
///
/// LevelDB: PosixLockTable
fn lock_table() -> MutexGuard<'static, Vec<LockedFile>> {
    static LOCKED_FILES: Mutex<Vec<LockedFile>> = Mutex::new(Vec::new());
    LOCKED_FILES.lock().unwrap_or_else(|e| e.into_inner())
}

/// A lock taken by `lock_file`. Its descriptor lives in the lock table; dropping the lock (by `unlock_file`, or on
/// any other way out, an unwind included) closes it and removes the table entry, so the file can be locked again.
///
/// LevelDB: PosixFileLock
struct PosixFileLock {
    filename: String,
    id: FileId,
}

impl FileLock for PosixFileLock {}

impl Drop for PosixFileLock {
    fn drop(&mut self) {
        let mut table = lock_table();
        if let Some(i) = table.iter().position(|f| f.id == self.id) {
            // Closed while the table is held: see lock_table.
            drop(table.swap_remove(i));
        }
    }
}

/// The background work queue and the flag that says its thread was started.
#[derive(Default)]
struct BackgroundQueue {
    started: bool,
    shutting_down: bool,
    queue: VecDeque<Work>,
}

#[derive(Default)]
struct Background {
    state: Mutex<BackgroundQueue>,
    work_cv: Condvar,
}

impl Background {
    /// LevelDB: PosixEnv::BackgroundThreadMain
    fn thread_main(&self) {
        loop {
            let work = {
                let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
                // Wait until there is work to be done.
                while state.queue.is_empty() && !state.shutting_down {
                    state = self.work_cv.wait(state).unwrap_or_else(|e| e.into_inner());
                }
                match state.queue.pop_front() {
                    Some(work) => work,
                    None => return,
                }
            };
            // Every database of the process shares this thread: a job that panics must not end it (the databases
            // would wait for their compactions forever). The DB turns its own panics into errors; this is the net
            // for any other job.
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).is_err() {
                eprintln!("oxleveldb: a background job panicked; the background thread goes on");
            }
        }
    }
}

/// The real file system. [`default_env`](super::default_env) returns the process-wide instance.
///
/// LevelDB: PosixEnv
pub struct PosixEnv {
    background: Arc<Background>,
    mmap_limiter: Arc<Limiter>,
    fd_limiter: Arc<Limiter>,
}

impl Default for PosixEnv {
    fn default() -> Self {
        PosixEnv::new()
    }
}

impl PosixEnv {
    /// A new, independent Env (with its own background thread, started on first use).
    pub fn new() -> PosixEnv {
        PosixEnv::with_limits(DEFAULT_MMAP_LIMIT, max_open_files())
    }

    /// An Env that keeps at most `mmap_limit` maps and `fd_limit` read-only descriptors open (LevelDB's
    /// `EnvPosixTestHelper::SetReadOnlyMMapLimit` / `SetReadOnlyFDLimit`).
    pub fn with_limits(mmap_limit: i64, fd_limit: i64) -> PosixEnv {
        PosixEnv {
            background: Arc::new(Background::default()),
            mmap_limiter: Arc::new(Limiter::new(mmap_limit)),
            fd_limiter: Arc::new(Limiter::new(fd_limit)),
        }
    }

    /// The process-wide instance.
    pub(crate) fn shared() -> Arc<dyn Env> {
        static DEFAULT: OnceLock<Arc<dyn Env>> = OnceLock::new();
        DEFAULT.get_or_init(|| Arc::new(PosixEnv::new())).clone()
    }
}

impl Drop for PosixEnv {
    fn drop(&mut self) {
        let mut state = self
            .background
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        state.shutting_down = true;
        self.background.work_cv.notify_all();
    }
}

impl Env for PosixEnv {
    fn new_sequential_file(&self, fname: &Path) -> Result<Box<dyn SequentialFile>> {
        let file = File::open(c_path(fname)).map_err(|e| posix_error(&path_str(fname), &e))?;
        Ok(Box::new(PosixSequentialFile {
            file,
            filename: path_str(fname).into_owned(),
        }))
    }

    fn new_random_access_file(&self, fname: &Path) -> Result<Box<dyn RandomAccessFile>> {
        let filename = path_str(fname).into_owned();
        let file = File::open(c_path(fname)).map_err(|e| posix_error(&filename, &e))?;
        if !self.mmap_limiter.acquire() {
            let permanent_file = self.fd_limiter.acquire().then_some(file);
            return Ok(Box::new(PosixRandomAccessFile {
                permanent_file,
                filename: fname.to_path_buf(),
                fd_limiter: self.fd_limiter.clone(),
            }));
        }
        let mapped = self.get_file_size(fname).and_then(|size| {
            let length = size as usize;
            // SAFETY: a read-only shared map of a descriptor we hold open for the call; the result is checked
            // against MAP_FAILED below.
            let base = unsafe {
                sys::mmap(
                    std::ptr::null_mut(),
                    length,
                    sys::PROT_READ,
                    sys::MAP_SHARED,
                    file.as_raw_fd(),
                    0,
                )
            };
            if base == sys::MAP_FAILED {
                return Err(posix_error(&filename, &io::Error::last_os_error()));
            }
            Ok(PosixMmapReadableFile {
                base: base as *const u8,
                length,
                filename: filename.clone(),
                mmap_limiter: self.mmap_limiter.clone(),
            })
        });
        match mapped {
            Ok(file) => Ok(Box::new(file)),
            Err(e) => {
                self.mmap_limiter.release();
                Err(e)
            }
        }
    }

    fn new_writable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>> {
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o644)
            .open(c_path(fname))
            .map_err(|e| posix_error(&path_str(fname), &e))?;
        Ok(Box::new(PosixWritableFile::new(fname, file, true)))
    }

    fn new_appendable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>> {
        let existed = c_path(fname).exists();
        let file = OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o644)
            .open(c_path(fname))
            .map_err(|e| posix_error(&path_str(fname), &e))?;
        Ok(Box::new(PosixWritableFile::new(fname, file, !existed)))
    }

    fn file_exists(&self, fname: &Path) -> bool {
        c_path(fname).exists()
    }

    fn get_children(&self, dir: &Path) -> Result<Vec<String>> {
        // opendir/readdir, as LevelDB: `std::fs::read_dir` would panic if closedir failed.
        let mut stream =
            sys::Dir::open(&c_string(dir)).map_err(|e| posix_error(&path_str(dir), &e))?;
        let mut result = Vec::new();
        while let Some(name) = stream.next_name() {
            let name = name.map_err(|e| posix_error(&path_str(dir), &e))?;
            result.push(String::from_utf8_lossy(&name).into_owned());
        }
        Ok(result)
    }

    fn remove_file(&self, fname: &Path) -> Result<()> {
        fs::remove_file(c_path(fname)).map_err(|e| posix_error(&path_str(fname), &e))
    }

    fn create_dir(&self, dirname: &Path) -> Result<()> {
        fs::create_dir(c_path(dirname)).map_err(|e| posix_error(&path_str(dirname), &e))
    }

    fn remove_dir(&self, dirname: &Path) -> Result<()> {
        fs::remove_dir(c_path(dirname)).map_err(|e| posix_error(&path_str(dirname), &e))
    }

    fn get_file_size(&self, fname: &Path) -> Result<u64> {
        fs::metadata(c_path(fname))
            .map(|m| m.len())
            .map_err(|e| posix_error(&path_str(fname), &e))
    }

    fn rename_file(&self, src: &Path, target: &Path) -> Result<()> {
        fs::rename(c_path(src), c_path(target)).map_err(|e| posix_error(&path_str(src), &e))
    }

    fn lock_file(&self, fname: &Path) -> Result<Box<dyn FileLock>> {
        let filename = path_str(fname).into_owned();
        let already_held =
            || Error::io_error(format!("lock {filename}"), "already held by process");
        let mut table = lock_table();
        // Checked before the file is opened, as LevelDB checks its table first: the refused locker must not open
        // (and then close) a descriptor of a file this process holds locked, which would release the lock.
        let existing = fs::metadata(c_path(fname)).ok().map(|m| FileId::of(&m));
        if table
            .iter()
            .any(|f| f.filename == filename || Some(f.id) == existing)
        {
            return Err(already_held());
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o644)
            .open(c_path(fname))
            .map_err(|e| posix_error(&filename, &e))?;
        let id = FileId::of(&file.metadata().map_err(|e| posix_error(&filename, &e))?);
        if let Some(holder) = table.iter_mut().find(|f| f.id == id) {
            holder.spare.push(file);
            return Err(already_held());
        }
        if let Err(e) = lock_or_unlock(&file, true) {
            return Err(posix_error(&format!("lock {filename}"), &e));
        }
        table.push(LockedFile {
            filename: filename.clone(),
            id,
            file,
            spare: Vec::new(),
        });
        Ok(Box::new(PosixFileLock { filename, id }))
    }

    fn unlock_file(&self, lock: Box<dyn FileLock>) -> Result<()> {
        let lock: Box<dyn std::any::Any + Send> = lock;
        let Ok(lock) = lock.downcast::<PosixFileLock>() else {
            return Err(Error::invalid_argument(
                "unlock",
                "the lock was not taken by this Env",
            ));
        };
        let unlocked = match lock_table().iter().find(|f| f.id == lock.id) {
            Some(held) => lock_or_unlock(&held.file, false),
            None => Ok(()),
        };
        let status = unlocked.map_err(|e| posix_error(&format!("unlock {}", lock.filename), &e));
        // Dropping the lock closes its descriptors, which releases the lock even when the unlock failed.
        drop(lock);
        status
    }

    fn schedule(&self, work: Work) {
        let mut state = self
            .background
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        // Start the background thread, if we haven't done so already.
        if !state.started {
            state.started = true;
            let background = self.background.clone();
            std::thread::Builder::new()
                .name("oxleveldb-bg".into())
                .spawn(move || background.thread_main())
                .expect("start the background thread");
        }
        // If the queue is empty, the background thread may be waiting for work.
        if state.queue.is_empty() {
            self.background.work_cv.notify_one();
        }
        state.queue.push_back(work);
    }

    fn start_thread(&self, work: Work) {
        std::thread::spawn(work);
    }

    fn get_test_directory(&self) -> Result<PathBuf> {
        let dir = match std::env::var_os("TEST_TMPDIR") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            // SAFETY: geteuid has no preconditions and cannot fail.
            _ => PathBuf::from(format!("/tmp/leveldbtest-{}", unsafe { sys::geteuid() })),
        };
        // The directory may already exist.
        let _ = self.create_dir(&dir);
        Ok(dir)
    }

    fn new_logger(&self, fname: &Path) -> Result<Arc<dyn Logger>> {
        let file = OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o644)
            .open(c_path(fname))
            .map_err(|e| posix_error(&path_str(fname), &e))?;
        Ok(Arc::new(PosixLogger::new(file)))
    }

    fn now_micros(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as u64)
    }

    fn sleep_for_microseconds(&self, micros: u64) {
        std::thread::sleep(Duration::from_micros(micros));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::{read_file_to_string, write_string_to_file};
    use std::os::fd::FromRawFd;
    use std::sync::atomic::AtomicUsize;
    use std::sync::mpsc;

    fn env() -> PosixEnv {
        PosixEnv::new()
    }

    // LevelDB: EnvTest.ReadWrite — random-sized writes and reads, sequentially.
    #[test]
    fn read_write() {
        let env = env();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("open_on_read.txt");
        let mut rnd = crate::util::random::Random::new(301);
        let mut data = Vec::new();
        {
            let mut writer = env.new_writable_file(&path).unwrap();
            const DATA_SIZE: usize = 10 * 1048576;
            while data.len() < DATA_SIZE {
                let len = rnd.skewed(18) as usize; // Up to 2^18 - 1, but typically much smaller.
                let r: Vec<u8> = (0..len).map(|_| b' ' + rnd.uniform(95) as u8).collect();
                writer.append(&r).unwrap();
                data.extend_from_slice(&r);
                if rnd.one_in(10) {
                    writer.flush().unwrap();
                }
            }
            writer.sync().unwrap();
            writer.close().unwrap();
        }
        let mut reader = env.new_sequential_file(&path).unwrap();
        let mut read_result = Vec::new();
        let mut scratch = Vec::new();
        while read_result.len() < data.len() {
            let len = (rnd.skewed(18) as usize).min(data.len() - read_result.len());
            scratch.resize(len.max(1), 0);
            let n = reader.read(&mut scratch[..len]).unwrap();
            if len > 0 {
                assert!(n > 0);
            }
            assert!(n <= len);
            read_result.extend_from_slice(&scratch[..n]);
        }
        assert_eq!(read_result, data);
    }

    // LevelDB: EnvTest.RunImmediately
    #[test]
    fn run_immediately() {
        let env = env();
        let (tx, rx) = mpsc::channel();
        env.schedule(Box::new(move || tx.send(()).unwrap()));
        rx.recv_timeout(Duration::from_secs(60))
            .expect("scheduled work ran");
    }

    // LevelDB: EnvTest.RunMany — work runs in the order it was scheduled.
    #[test]
    fn run_many() {
        let env = env();
        let last_id = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = mpsc::channel();
        for id in 1..=4 {
            let last_id = last_id.clone();
            let tx = tx.clone();
            env.schedule(Box::new(move || {
                assert_eq!(last_id.load(Ordering::SeqCst), id - 1);
                last_id.store(id, Ordering::SeqCst);
                if id == 4 {
                    tx.send(()).unwrap();
                }
            }));
        }
        rx.recv_timeout(Duration::from_secs(60))
            .expect("all work ran");
        assert_eq!(last_id.load(Ordering::SeqCst), 4);
    }

    // LevelDB: EnvTest.StartThread
    #[test]
    fn start_thread() {
        let env = env();
        let state = Arc::new((Mutex::new(0usize), Condvar::new()));
        for _ in 0..3 {
            let state = state.clone();
            env.start_thread(Box::new(move || {
                let (count, cv) = &*state;
                *count.lock().unwrap() += 1;
                cv.notify_all();
            }));
        }
        let (count, cv) = &*state;
        let mut n = count.lock().unwrap();
        while *n < 3 {
            n = cv.wait(n).unwrap();
        }
        assert_eq!(*n, 3);
    }

    // LevelDB: EnvTest.TestOpenNonExistentFile
    #[test]
    fn open_non_existent_file() {
        let env = env();
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("non_existent_file");
        assert!(!env.file_exists(&missing));
        let err = env.new_random_access_file(&missing).err().unwrap();
        assert!(err.is_not_found(), "{err}");
        let err = env.new_sequential_file(&missing).err().unwrap();
        assert!(err.is_not_found(), "{err}");
        assert_eq!(
            err.to_string(),
            format!("NotFound: {}: No such file or directory", missing.display())
        );
        assert!(env.get_file_size(&missing).unwrap_err().is_not_found());
        assert!(env.remove_file(&missing).unwrap_err().is_not_found());
    }

    // LevelDB: EnvTest.ReopenWritableFile — a writable file truncates.
    #[test]
    fn reopen_writable_file() {
        let env = env();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reopen_writable_file.txt");
        write_string_to_file(&env, b"hello world!", &path).unwrap();
        let mut file = env.new_writable_file(&path).unwrap();
        file.append(b"42").unwrap();
        file.close().unwrap();
        assert_eq!(read_file_to_string(&env, &path).unwrap(), b"42");
    }

    // LevelDB: EnvTest.ReopenAppendableFile — an appendable file appends.
    #[test]
    fn reopen_appendable_file() {
        let env = env();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reopen_appendable_file.txt");
        let mut file = env.new_appendable_file(&path).unwrap();
        file.append(b"hello world!").unwrap();
        file.close().unwrap();
        let mut file = env.new_appendable_file(&path).unwrap();
        file.append(b"42").unwrap();
        file.close().unwrap();
        assert_eq!(read_file_to_string(&env, &path).unwrap(), b"hello world!42");
    }

    // LevelDB: EnvPosixTest.TestOpenOnRead — reads keep working when the map and descriptor budgets run out.
    #[test]
    fn open_on_read_beyond_limits() {
        let env = PosixEnv::with_limits(2, 2);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("open_on_read.txt");
        let data = b"abcdefghijklmnopqrstuvwxyz";
        write_string_to_file(&env, data, &path).unwrap();
        let files: Vec<_> = (0..10)
            .map(|_| env.new_random_access_file(&path).unwrap())
            .collect();
        for (i, file) in files.iter().enumerate() {
            let mut scratch = Vec::new();
            assert_eq!(
                file.read(i as u64, 1, &mut scratch).unwrap(),
                &data[i..i + 1]
            );
            // The first two files are memory maps, the others read with pread.
            assert_eq!(file.is_memory_mapped(), i < 2);
            if file.is_memory_mapped() {
                // A map refuses reads past its end, as LevelDB's does (EINVAL).
                let err = file
                    .read(i as u64, usize::MAX / 2, &mut scratch)
                    .unwrap_err();
                assert!(err.to_string().ends_with("Invalid argument"), "{err}");
            } else {
                // An absurd size reads what there is, without allocating the absurd size.
                assert_eq!(
                    file.read(i as u64, usize::MAX / 2, &mut scratch).unwrap(),
                    &data[i..]
                );
            }
        }
    }

    /// The resident kilobytes of the maps of `path` in this process (Linux's /proc/self/smaps).
    #[cfg(target_os = "linux")]
    fn resident_kb_of_maps_of(path: &Path) -> usize {
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let mut in_map = false;
        let mut kb = 0;
        for line in smaps.lines() {
            let mut fields = line.split_whitespace();
            match (fields.next(), fields.next()) {
                // A map's first line: its address range, permissions, offset, device, inode and path.
                (Some(range), Some(permissions))
                    if range.contains('-') && permissions.len() == 4 =>
                {
                    in_map = line.ends_with(path.to_str().unwrap())
                }
                (Some("Rss:"), Some(n)) if in_map => kb += n.parse::<usize>().unwrap(),
                _ => {}
            }
        }
        kb
    }

    /// A map lets go of the whole pages inside a released range (the process's resident memory for the map drops)
    /// and reads the same bytes after, mapping them again.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_map_releases_the_whole_pages_of_a_range_and_reads_them_again() {
        let env = env();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("000001.ldb");
        let data: Vec<u8> = (0..4 << 20).map(|i: u32| (i % 251) as u8).collect();
        write_string_to_file(&env, &data, &path).unwrap();
        let file = env.new_random_access_file(&path).unwrap();
        assert!(file.is_memory_mapped());
        let mut scratch = Vec::new();
        let read_all = |file: &dyn RandomAccessFile, scratch: &mut Vec<u8>| {
            file.read(0, data.len(), scratch).unwrap().to_vec()
        };
        assert_eq!(read_all(&*file, &mut scratch), data);
        assert!(
            resident_kb_of_maps_of(&path) >= 4000,
            "{}",
            resident_kb_of_maps_of(&path)
        );

        // A range that starts and ends inside pages lets go of the whole pages between, and no more.
        let page = sys::page_size();
        file.release(1, 2 * page - 2);
        assert!(resident_kb_of_maps_of(&path) >= 4000);
        file.release(1, data.len());
        let left = resident_kb_of_maps_of(&path);
        assert!(left <= 2 * page / 1024, "{left} kB left");
        // Past the end is ignored.
        file.release(data.len() as u64 - 5, 1 << 30);
        assert_eq!(read_all(&*file, &mut scratch), data);
        assert!(resident_kb_of_maps_of(&path) >= 4000);
    }

    #[test]
    fn mapped_reads_past_the_end_fail() {
        let env = env();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        write_string_to_file(&env, b"0123456789", &path).unwrap();
        let file = env.new_random_access_file(&path).unwrap();
        let mut scratch = Vec::new();
        assert_eq!(file.read(2, 3, &mut scratch).unwrap(), b"234");
        assert!(file.read(5, 10, &mut scratch).unwrap_err().is_io_error());
    }

    // A second lock of the same file from this process fails with LevelDB's message; after unlock it works.
    #[test]
    fn locking_twice_fails() {
        let env = env();
        let (_dir, path, lock) = new_locked_file(&env);
        let err = env.lock_file(&path).err().unwrap();
        assert_eq!(
            err.to_string(),
            format!("IO error: lock {}: already held by process", path.display())
        );
        env.unlock_file(lock).unwrap();
        let lock = env.lock_file(&path).unwrap();
        env.unlock_file(lock).unwrap();
    }

    #[test]
    fn directories_and_renames() {
        let env = env();
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        env.create_dir(&sub).unwrap();
        assert!(env.create_dir(&sub).unwrap_err().is_io_error());
        write_string_to_file(&env, b"x", &sub.join("a")).unwrap();
        env.rename_file(&sub.join("a"), &sub.join("b")).unwrap();
        let mut children = env.get_children(&sub).unwrap();
        children.sort();
        assert_eq!(children, [".", "..", "b"]);
        assert_eq!(env.get_file_size(&sub.join("b")).unwrap(), 1);
        env.remove_file(&sub.join("b")).unwrap();
        env.remove_dir(&sub).unwrap();
        assert!(env.get_children(&sub).unwrap_err().is_not_found());
    }

    #[test]
    fn large_appends_bypass_the_buffer() {
        let env = env();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        let mut file = env.new_writable_file(&path).unwrap();
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        file.append(b"head").unwrap();
        file.append(&big).unwrap();
        file.append(b"tail").unwrap();
        file.sync().unwrap();
        drop(file); // Dropping closes and flushes.
        let data = read_file_to_string(&env, &path).unwrap();
        assert_eq!(data.len(), 8 + big.len());
        assert_eq!(&data[..4], b"head");
        assert_eq!(&data[4..4 + big.len()], &big[..]);
        assert_eq!(&data[4 + big.len()..], b"tail");
    }

    #[test]
    fn manifest_sync_syncs_directory_too() {
        let env = env();
        let dir = tempfile::tempdir().unwrap();
        let mut file = env
            .new_writable_file(&dir.path().join("MANIFEST-000001"))
            .unwrap();
        file.append(b"record").unwrap();
        file.sync().unwrap();
        // A MANIFEST in a directory that is gone: the directory sync reports the directory.
        let gone = dir.path().join("gone");
        fs::create_dir(&gone).unwrap();
        let mut file = env
            .new_writable_file(&gone.join("MANIFEST-000002"))
            .unwrap();
        fs::remove_file(gone.join("MANIFEST-000002")).unwrap();
        fs::remove_dir(&gone).unwrap();
        let err = file.sync().unwrap_err();
        assert!(err.to_string().contains(&*gone.to_string_lossy()), "{err}");
    }

    /// The first sync of a file the env created (a log here) syncs the directory too; later syncs, and the syncs
    /// of a file that existed before it was opened for appending, do not. A directory that is gone shows which.
    #[test]
    fn first_sync_of_a_new_file_syncs_directory_too() {
        let env = env();
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("gone");
        let vanish = || {
            fs::remove_file(gone.join("000005.log")).unwrap();
            fs::remove_dir(&gone).unwrap();
        };
        fs::create_dir(&gone).unwrap();
        let mut file = env.new_writable_file(&gone.join("000005.log")).unwrap();
        vanish();
        let err = file.sync().unwrap_err();
        assert!(err.to_string().contains(&*gone.to_string_lossy()), "{err}");

        fs::create_dir(&gone).unwrap();
        let mut file = env.new_writable_file(&gone.join("000005.log")).unwrap();
        file.sync().unwrap();
        vanish();
        file.append(b"record").unwrap();
        file.sync().unwrap();

        fs::create_dir(&gone).unwrap();
        write_string_to_file(&env, b"old", &gone.join("000005.log")).unwrap();
        let mut file = env.new_appendable_file(&gone.join("000005.log")).unwrap();
        vanish();
        file.sync().unwrap();
    }

    #[test]
    fn names_end_at_a_nul_byte_as_c_strings_do() {
        let env = env();
        let dir = tempfile::tempdir().unwrap();
        let full = dir.path().join("MANIFEST-000002");
        write_string_to_file(&env, b"data", &full).unwrap();
        // The name is cut at the NUL, as LevelDB's open(name.c_str()) cuts it: this opens MANIFEST-000002.
        let with_tail = dir.path().join("MANIFEST-000002\x00tail");
        assert_eq!(read_file_to_string(&env, &with_tail).unwrap(), b"data");
        // A name cut short names a missing file: NotFound, with the whole name in the message.
        let cut_short = dir.path().join("MANIFEST-0\x0000002");
        let err = env.new_sequential_file(&cut_short).err().unwrap();
        assert!(err.is_not_found(), "{err}");
        assert!(err.to_string().contains("MANIFEST-0\x0000002"), "{err}");
    }

    /// Set in a child's environment to the path its test works on; the child is this test binary again, run with
    /// a filter that selects one test, which then plays the child's part.
    const CHILD_PATH: &str = "OXLEVELDB_POSIX_ENV_TEST_CHILD";
    /// Marks the child's result among the lines the test harness prints.
    const CHILD_RESULT: &str = "child-result: ";

    /// Runs test `name` of this module in a new process of its own (on one thread, as the test harness runs a
    /// single test), with `path` in its environment, and returns what the child reported with `report`.
    fn run_child(name: &str, path: &Path) -> String {
        let test = format!(
            "{}::{name}",
            module_path!().trim_start_matches("oxleveldb::")
        );
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args([&test, "--exact", "--test-threads=1", "--nocapture"])
            .env(CHILD_PATH, path)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "child {test} failed: {stdout}");
        stdout
            .lines()
            .find_map(|line| line.split_once(CHILD_RESULT).map(|(_, r)| r.to_string()))
            .unwrap_or_else(|| panic!("child {test} reported nothing: {stdout}"))
    }

    /// In a child started by `run_child`, the path it works on.
    fn child_path() -> Option<PathBuf> {
        std::env::var_os(CHILD_PATH).map(PathBuf::from)
    }

    fn report(result: impl std::fmt::Display) {
        println!("{CHILD_RESULT}{result}");
    }

    /// What `fcntl(F_GETLK)` says of a whole-file write lock on `path` from this process, and whether this
    /// process can take that lock: `"<l_type> <l_pid> <l_start> <l_len> <lock result>"`.
    fn probe_lock(path: &Path) -> String {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .unwrap();
        let mut info = sys::flock {
            l_type: sys::F_WRLCK,
            l_whence: sys::SEEK_SET,
            l_start: 0,
            l_len: 0,
            l_pid: 0,
        };
        // SAFETY: F_GETLK takes a pointer to a struct flock, which it reads and overwrites during the call.
        let r = unsafe { sys::fcntl(file.as_raw_fd(), sys::F_GETLK, &mut info as *mut sys::flock) };
        assert_eq!(r, 0, "F_GETLK: {}", io::Error::last_os_error());
        let locked = match lock_or_unlock(&file, true) {
            Ok(()) => "locked".to_string(),
            Err(e) => posix_error("lock", &e).to_string(),
        };
        format!(
            "{} {} {} {} {locked}",
            info.l_type, info.l_pid, info.l_start, info.l_len
        )
    }

    /// A LOCK file in a new directory, locked by `env`.
    fn new_locked_file(env: &PosixEnv) -> (tempfile::TempDir, PathBuf, Box<dyn FileLock>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("LOCK");
        let lock = env.lock_file(&path).unwrap();
        (dir, path, lock)
    }

    // The fcntl constants and `struct flock` layout of sys.rs are the running system's: a lock this process takes
    // is seen by another process's F_GETLK as a whole-file write lock held by this process, and refused to it.
    #[test]
    fn fcntl_lock_is_seen_by_another_process() {
        if let Some(path) = child_path() {
            return report(probe_lock(&path));
        }
        let env = env();
        let (_dir, path, lock) = new_locked_file(&env);
        let pid = std::process::id();
        let refused = run_child("fcntl_lock_is_seen_by_another_process", &path);
        let expected = format!("{} {pid} 0 0 IO error: lock: ", sys::F_WRLCK);
        assert!(refused.starts_with(&expected), "{refused}");
        // EAGAIN or EACCES, as POSIX allows either.
        assert!(
            refused.ends_with(&sys::error_string(11)) || refused.ends_with(&sys::error_string(13)),
            "{refused}"
        );
        env.unlock_file(lock).unwrap();
        let free = run_child("fcntl_lock_is_seen_by_another_process", &path);
        assert!(
            free.starts_with(&format!("{} ", sys::F_UNLCK)) && free.ends_with(" locked"),
            "{free}"
        );
    }

    // A lock refused because this process holds it, under any spelling of the name, leaves it in force for other
    // processes (the refused locker never opened, and so never closed, a descriptor of the file); a lock dropped
    // without unlock_file is released too.
    #[test]
    fn refused_locks_leave_the_lock_in_force() {
        if let Some(path) = child_path() {
            return report(probe_lock(&path));
        }
        let env = env();
        let (dir, path, lock) = new_locked_file(&env);
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        let spellings = [path.clone(), dir.path().join("./LOCK"), link];
        for spelling in &spellings {
            let err = PosixEnv::new().lock_file(spelling).err().unwrap();
            assert_eq!(
                err.to_string(),
                format!(
                    "IO error: lock {}: already held by process",
                    spelling.display()
                )
            );
        }
        let held = run_child("refused_locks_leave_the_lock_in_force", &path);
        let pid = std::process::id();
        assert!(
            held.starts_with(&format!("{} {pid} ", sys::F_WRLCK)),
            "{held}"
        );
        drop(lock);
        for spelling in &spellings {
            env.unlock_file(env.lock_file(spelling).unwrap()).unwrap();
        }
    }

    // LevelDB's GetChildren ignores closedir's result; std::fs::read_dir panicked on it (seen with
    // `strace -e inject=close:error=EIO`). A failing closedir changes nothing.
    #[test]
    fn get_children_ignores_a_failing_closedir() {
        let env = env();
        let dir = tempfile::tempdir().unwrap();
        write_string_to_file(&env, b"x", &dir.path().join("a")).unwrap();
        sys::close_fault::fail_next_close(5 /* EIO */);
        let mut children = env.get_children(dir.path()).unwrap();
        assert_eq!(
            sys::close_fault::take(),
            None,
            "closedir went through the seam"
        );
        children.sort();
        assert_eq!(children, [".", "..", "a"]);
    }

    // LevelDB's PosixWritableFile::Close returns close(2)'s error (dropping a File threw it away).
    #[test]
    fn close_reports_the_error_of_close() {
        let env = env();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("000005.ldb");
        let mut file = env.new_writable_file(&path).unwrap();
        file.append(b"table").unwrap();
        sys::close_fault::fail_next_close(5 /* EIO */);
        assert_eq!(
            file.close().unwrap_err().to_string(),
            format!("IO error: {}: Input/output error", path.display())
        );
        // The buffered data was written before the close.
        assert_eq!(read_file_to_string(&env, &path).unwrap(), b"table");
        // Closing again is closing no descriptor.
        assert_eq!(
            file.close().unwrap_err().to_string(),
            format!("IO error: {}: Bad file descriptor", path.display())
        );
    }

    // A close(2) that really fails: the descriptor was closed behind the file's back, so close gives EBADF. Done
    // in a child process on one thread, where no other thread can be handed the closed descriptor's number.
    #[test]
    fn close_reports_a_real_close_failure() {
        if let Some(path) = child_path() {
            let file = File::create(&path).unwrap();
            let fd = file.as_raw_fd();
            let mut file = PosixWritableFile::new(&path, file, true);
            file.append(b"data").unwrap();
            file.flush().unwrap();
            // SAFETY: `fd` is open (the PosixWritableFile holds it) and nothing else in this single-threaded child
            // uses descriptors until the close below; the OwnedFd closes it once, behind the file's back.
            sys::close_file(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) }).unwrap();
            return report(match file.close() {
                Ok(()) => "closed".to_string(),
                Err(e) => e.to_string(),
            });
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("000005.ldb");
        assert_eq!(
            run_child("close_reports_a_real_close_failure", &path),
            format!("IO error: {}: Bad file descriptor", path.display())
        );
        assert_eq!(fs::read(&path).unwrap(), b"data");
    }

    #[test]
    fn test_directory_exists() {
        let env = env();
        let dir = env.get_test_directory().unwrap();
        assert!(dir.is_dir());
    }
}
