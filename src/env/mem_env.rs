//! `MemEnv`: a file system in memory, for tests (LevelDB's helpers/memenv).
//!
//! Files live in a map from name to contents; directories are not tracked (a directory's children are the files
//! whose names start with `dir/`). Everything that is not about files (the background thread, the clock) goes to
//! a base Env.
//!
//! As in LevelDB, a missing file is an `IOError` with the message `File not found` (not `NotFound`), and
//! re-creating a file truncates the contents that open readers see. Unlike LevelDB's memenv, whose locks are
//! no-ops, a lock here excludes a second lock of the same name until it is released, so two databases opened on
//! one `MemEnv` exclude each other as they would on disk.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use super::{
    default_env, Env, EnvWrapper, FileLock, Logger, RandomAccessFile, SequentialFile, WritableFile,
};
use crate::error::{Error, Result};

/// The contents of one file, shared by every handle open on it.
///
/// LevelDB: FileState
#[derive(Default)]
struct FileState {
    data: RwLock<Vec<u8>>,
}

impl FileState {
    fn size(&self) -> u64 {
        self.data.read().unwrap_or_else(|e| e.into_inner()).len() as u64
    }

    /// Runs `f` on the (up to) `n` bytes at `offset`.
    fn read<T>(&self, offset: u64, n: usize, f: impl FnOnce(&[u8]) -> T) -> Result<T> {
        let data = self.data.read().unwrap_or_else(|e| e.into_inner());
        if offset > data.len() as u64 {
            return Err(Error::io_error("Offset greater than file size.", ""));
        }
        let offset = offset as usize;
        let n = n.min(data.len() - offset);
        Ok(f(&data[offset..offset + n]))
    }

    fn append(&self, bytes: &[u8]) {
        self.data
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
    }

    fn truncate(&self) {
        self.data.write().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// LevelDB: SequentialFileImpl
struct MemSequentialFile {
    file: Arc<FileState>,
    pos: u64,
}

impl SequentialFile for MemSequentialFile {
    fn read(&mut self, scratch: &mut [u8]) -> Result<usize> {
        let n = self.file.read(self.pos, scratch.len(), |data| {
            scratch[..data.len()].copy_from_slice(data);
            data.len()
        })?;
        self.pos += n as u64;
        Ok(n)
    }

    fn skip(&mut self, n: u64) -> Result<()> {
        let size = self.file.size();
        if self.pos > size {
            return Err(Error::io_error("pos_ > file_->Size()", ""));
        }
        self.pos += n.min(size - self.pos);
        Ok(())
    }
}

/// LevelDB: RandomAccessFileImpl
struct MemRandomAccessFile {
    file: Arc<FileState>,
}

impl RandomAccessFile for MemRandomAccessFile {
    fn read<'a>(&'a self, offset: u64, n: usize, scratch: &'a mut Vec<u8>) -> Result<&'a [u8]> {
        self.file.read(offset, n, |data| {
            scratch.clear();
            scratch.extend_from_slice(data);
        })?;
        Ok(scratch)
    }
}

/// LevelDB: WritableFileImpl
struct MemWritableFile {
    file: Arc<FileState>,
}

impl WritableFile for MemWritableFile {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        self.file.append(data);
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

/// LevelDB: NoOpLogger
struct NoOpLogger;

impl Logger for NoOpLogger {
    fn logv(&self, _args: fmt::Arguments<'_>) {}
}

/// A lock on a name of a `MemEnv`.
struct MemFileLock {
    name: String,
}

impl FileLock for MemFileLock {}

/// An in-memory file system over a base Env: a database whose files never touch the disk (for tests, or a
/// cache that need not survive the process).
///
/// ```
/// use std::sync::Arc;
/// use oxleveldb::{env::default_env, MemEnv, Options, DB};
///
/// let env = Arc::new(MemEnv::new(default_env()));
/// let options = Options { create_if_missing: true, env: env.clone(), ..Options::default() };
/// let db = DB::open(options.clone(), "/in-memory/db").unwrap();
/// db.put("k", "v").unwrap();
/// drop(db);
/// // The files live as long as the env: reopening finds them.
/// let db = DB::open(options, "/in-memory/db").unwrap();
/// assert_eq!(db.get("k").unwrap(), Some(b"v".to_vec()));
/// assert!(!std::path::Path::new("/in-memory").exists());
/// ```
///
/// LevelDB: InMemoryEnv (NewMemEnv)
pub struct MemEnv {
    base: Arc<dyn Env>,
    files: Mutex<HashMap<String, Arc<FileState>>>,
    locks: Mutex<HashSet<String>>,
}

impl Default for MemEnv {
    fn default() -> Self {
        MemEnv::new(default_env())
    }
}

fn key(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn file_not_found(path: &Path) -> Error {
    Error::io_error(path.to_string_lossy(), "File not found")
}

impl MemEnv {
    /// An empty in-memory file system; everything else goes to `base`.
    ///
    /// LevelDB: NewMemEnv
    pub fn new(base: Arc<dyn Env>) -> MemEnv {
        MemEnv {
            base,
            files: Mutex::new(HashMap::new()),
            locks: Mutex::new(HashSet::new()),
        }
    }

    fn files(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<FileState>>> {
        self.files.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn find(&self, fname: &Path) -> Result<Arc<FileState>> {
        self.files()
            .get(&key(fname))
            .cloned()
            .ok_or_else(|| file_not_found(fname))
    }
}

impl EnvWrapper for MemEnv {
    fn target(&self) -> &dyn Env {
        &*self.base
    }

    fn new_sequential_file(&self, fname: &Path) -> Result<Box<dyn SequentialFile>> {
        Ok(Box::new(MemSequentialFile {
            file: self.find(fname)?,
            pos: 0,
        }))
    }

    fn new_random_access_file(&self, fname: &Path) -> Result<Box<dyn RandomAccessFile>> {
        Ok(Box::new(MemRandomAccessFile {
            file: self.find(fname)?,
        }))
    }

    fn new_writable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>> {
        let mut files = self.files();
        let file = files.entry(key(fname)).or_default().clone();
        // Re-creating a file truncates the contents every open handle sees.
        file.truncate();
        Ok(Box::new(MemWritableFile { file }))
    }

    fn new_appendable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>> {
        let file = self.files().entry(key(fname)).or_default().clone();
        Ok(Box::new(MemWritableFile { file }))
    }

    fn file_exists(&self, fname: &Path) -> bool {
        self.files().contains_key(&key(fname))
    }

    fn get_children(&self, dir: &Path) -> Result<Vec<String>> {
        let dir = key(dir);
        let children = self
            .files()
            .keys()
            .filter_map(|name| {
                name.strip_prefix(dir.as_str())?
                    .strip_prefix('/')
                    .map(str::to_string)
            })
            .collect();
        Ok(children)
    }

    fn remove_file(&self, fname: &Path) -> Result<()> {
        self.files()
            .remove(&key(fname))
            .map(|_| ())
            .ok_or_else(|| file_not_found(fname))
    }

    fn create_dir(&self, _dirname: &Path) -> Result<()> {
        Ok(())
    }

    fn remove_dir(&self, _dirname: &Path) -> Result<()> {
        Ok(())
    }

    fn get_file_size(&self, fname: &Path) -> Result<u64> {
        Ok(self.find(fname)?.size())
    }

    fn rename_file(&self, src: &Path, target: &Path) -> Result<()> {
        let mut files = self.files();
        let file = files.remove(&key(src)).ok_or_else(|| file_not_found(src))?;
        files.insert(key(target), file);
        Ok(())
    }

    fn lock_file(&self, fname: &Path) -> Result<Box<dyn FileLock>> {
        let name = key(fname);
        if !self
            .locks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.clone())
        {
            return Err(Error::io_error(
                format!("lock {name}"),
                "already held by process",
            ));
        }
        // Like a lock file on disk, the lock file exists from now on.
        self.files().entry(name.clone()).or_default();
        Ok(Box::new(MemFileLock { name }))
    }

    fn unlock_file(&self, lock: Box<dyn FileLock>) -> Result<()> {
        let lock: Box<dyn std::any::Any + Send> = lock;
        let Ok(lock) = lock.downcast::<MemFileLock>() else {
            return Err(Error::invalid_argument(
                "unlock",
                "the lock was not taken by this Env",
            ));
        };
        self.locks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&lock.name);
        Ok(())
    }

    fn get_test_directory(&self) -> Result<PathBuf> {
        Ok(PathBuf::from("/test"))
    }

    fn new_logger(&self, _fname: &Path) -> Result<Arc<dyn Logger>> {
        Ok(Arc::new(NoOpLogger))
    }
}

#[cfg(test)]
mod tests {
    // Only `Env` (not `EnvWrapper`) is imported, so that method calls on a MemEnv are not ambiguous.
    use super::MemEnv;
    use crate::env::{read_file_to_string, write_string_to_file, Env};
    use std::path::{Path, PathBuf};

    fn p(s: &str) -> &Path {
        Path::new(s)
    }

    // LevelDB: MemEnvTest.Basics
    #[test]
    fn basics() {
        let env = MemEnv::default();
        env.create_dir(p("/dir")).unwrap();
        assert!(!env.file_exists(p("/dir/non_existent")));
        assert!(env.get_file_size(p("/dir/non_existent")).is_err());
        assert_eq!(env.get_children(p("/dir")).unwrap(), Vec::<String>::new());

        // Create a file.
        let writable = env.new_writable_file(p("/dir/f")).unwrap();
        assert_eq!(env.get_file_size(p("/dir/f")).unwrap(), 0);
        drop(writable);

        // Check that the file exists.
        assert!(env.file_exists(p("/dir/f")));
        assert_eq!(env.get_file_size(p("/dir/f")).unwrap(), 0);
        assert_eq!(env.get_children(p("/dir")).unwrap(), vec!["f".to_string()]);

        // Write to the file.
        let mut writable = env.new_writable_file(p("/dir/f")).unwrap();
        writable.append(b"abc").unwrap();
        drop(writable);

        // Check that append works.
        let mut writable = env.new_appendable_file(p("/dir/f")).unwrap();
        assert_eq!(env.get_file_size(p("/dir/f")).unwrap(), 3);
        writable.append(b"hello").unwrap();
        drop(writable);

        // Check for expected size.
        assert_eq!(env.get_file_size(p("/dir/f")).unwrap(), 8);

        // Check that renaming works.
        assert!(env
            .rename_file(p("/dir/non_existent"), p("/dir/g"))
            .is_err());
        env.rename_file(p("/dir/f"), p("/dir/g")).unwrap();
        assert!(!env.file_exists(p("/dir/f")));
        assert!(env.file_exists(p("/dir/g")));
        assert_eq!(env.get_file_size(p("/dir/g")).unwrap(), 8);

        // Check that opening non-existent file fails, with LevelDB's memenv error.
        let err = env
            .new_sequential_file(p("/dir/non_existent"))
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "IO error: /dir/non_existent: File not found"
        );
        assert!(env.new_random_access_file(p("/dir/non_existent")).is_err());

        // Check that deleting works.
        assert!(env.remove_file(p("/dir/non_existent")).is_err());
        env.remove_file(p("/dir/g")).unwrap();
        assert!(!env.file_exists(p("/dir/g")));
        assert_eq!(env.get_children(p("/dir")).unwrap(), Vec::<String>::new());
        env.remove_dir(p("/dir")).unwrap();
    }

    // LevelDB: MemEnvTest.ReadWrite
    #[test]
    fn read_write() {
        let env = MemEnv::default();
        env.create_dir(p("/dir")).unwrap();
        let mut writable = env.new_writable_file(p("/dir/f")).unwrap();
        writable.append(b"hello ").unwrap();
        writable.append(b"world").unwrap();
        drop(writable);

        // Read sequentially.
        let mut seq = env.new_sequential_file(p("/dir/f")).unwrap();
        let mut scratch = [0u8; 100];
        let n = seq.read(&mut scratch[..5]).unwrap();
        assert_eq!(&scratch[..n], b"hello");
        seq.skip(1).unwrap();
        let n = seq.read(&mut scratch[..100]).unwrap();
        assert_eq!(&scratch[..n], b"world");
        let n = seq.read(&mut scratch[..100]).unwrap(); // Try reading past EOF.
        assert_eq!(n, 0);
        seq.skip(100).unwrap(); // Try to skip past end of file.
        let n = seq.read(&mut scratch[..100]).unwrap();
        assert_eq!(n, 0);

        // Random reads.
        let rand = env.new_random_access_file(p("/dir/f")).unwrap();
        let mut scratch = Vec::new();
        assert_eq!(rand.read(6, 5, &mut scratch).unwrap(), b"world");
        assert_eq!(rand.read(0, 5, &mut scratch).unwrap(), b"hello");
        assert_eq!(rand.read(10, 100, &mut scratch).unwrap(), b"d");
        // Too high offset.
        assert!(rand.read(1000, 5, &mut scratch).is_err());
    }

    // LevelDB: MemEnvTest.Locks — here a second lock of a held name fails, and unlocking frees it.
    #[test]
    fn locks() {
        let env = MemEnv::default();
        let lock = env.lock_file(p("some file")).unwrap();
        assert!(env.lock_file(p("some file")).is_err());
        env.unlock_file(lock).unwrap();
        let lock = env.lock_file(p("some file")).unwrap();
        env.unlock_file(lock).unwrap();
    }

    // LevelDB: MemEnvTest.Misc
    #[test]
    fn misc() {
        let env = MemEnv::default();
        assert_eq!(env.get_test_directory().unwrap(), PathBuf::from("/test"));
        let mut writable = env.new_writable_file(p("/a/b")).unwrap();
        // These are no-ops, but we test they return success.
        writable.sync().unwrap();
        writable.flush().unwrap();
        writable.close().unwrap();
        env.new_logger(p("/a/LOG"))
            .unwrap()
            .logv(format_args!("ignored"));
    }

    // LevelDB: MemEnvTest.LargeWrite
    #[test]
    fn large_write() {
        let env = MemEnv::default();
        const WRITE_SIZE: usize = 300 * 1024;
        let write_data: Vec<u8> = (0..WRITE_SIZE).map(|i| i as u8).collect();
        let mut writable = env.new_writable_file(p("/dir/f")).unwrap();
        writable.append(b"foo").unwrap();
        writable.append(&write_data).unwrap();
        drop(writable);

        let mut seq = env.new_sequential_file(p("/dir/f")).unwrap();
        let mut scratch = vec![0u8; WRITE_SIZE];
        let n = seq.read(&mut scratch[..3]).unwrap();
        assert_eq!(&scratch[..n], b"foo");
        let mut read = 0;
        let mut read_data = Vec::new();
        while read < WRITE_SIZE {
            let n = seq.read(&mut scratch[..WRITE_SIZE - read]).unwrap();
            read_data.extend_from_slice(&scratch[..n]);
            read += n;
        }
        assert_eq!(write_data, read_data);
    }

    // LevelDB: MemEnvTest.OverwriteOpenFile — re-creating a file truncates what open readers see.
    #[test]
    fn overwrite_open_file() {
        let env = MemEnv::default();
        let write1 = b"Write #1 data";
        let test_file = p("/tmp/leveldb-TestFile.dat");
        write_string_to_file(&env, write1, test_file).unwrap();
        let rand = env.new_random_access_file(test_file).unwrap();
        let write2 = b"Write #2 data";
        write_string_to_file(&env, write2, test_file).unwrap();
        // Verify that overwriting an open file will result in the new file data being read from files opened
        // before the write.
        let mut scratch = Vec::new();
        assert_eq!(rand.read(0, write2.len(), &mut scratch).unwrap(), write2);
        assert_eq!(read_file_to_string(&env, test_file).unwrap(), write2);
    }
}
