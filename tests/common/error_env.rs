//! LevelDB's `test::ErrorEnv` (util/testutil.h): an in-memory file system whose creation of writable and
//! appendable files can be made to fail, counting the failures. The corruption tests use it to make a database
//! unable to start a new log or table.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use oxleveldb::env::{Env, EnvWrapper, MemEnv, WritableFile};
use oxleveldb::{Error, Result};

/// LevelDB: test::ErrorEnv
pub struct ErrorEnv {
    target: Arc<dyn Env>,
    /// While set, every new writable or appendable file fails with `IO error: <fname>: fake error`.
    pub writable_file_error: AtomicBool,
    /// How many file creations failed so far.
    pub num_writable_file_errors: AtomicUsize,
}

impl Default for ErrorEnv {
    /// An ErrorEnv over a fresh `MemEnv`, with no error switched on.
    fn default() -> ErrorEnv {
        ErrorEnv {
            target: Arc::new(MemEnv::default()),
            writable_file_error: AtomicBool::new(false),
            num_writable_file_errors: AtomicUsize::new(0),
        }
    }
}

impl ErrorEnv {
    /// Counts the failure and builds it, or returns None when errors are off.
    fn fake_error(&self, fname: &Path) -> Option<Error> {
        if !self.writable_file_error.load(Ordering::Acquire) {
            return None;
        }
        self.num_writable_file_errors.fetch_add(1, Ordering::AcqRel);
        Some(Error::io_error(fname.to_string_lossy(), "fake error"))
    }
}

impl EnvWrapper for ErrorEnv {
    fn target(&self) -> &dyn Env {
        &*self.target
    }

    fn new_writable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>> {
        match self.fake_error(fname) {
            Some(e) => Err(e),
            None => self.target.new_writable_file(fname),
        }
    }

    fn new_appendable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>> {
        match self.fake_error(fname) {
            Some(e) => Err(e),
            None => self.target.new_appendable_file(fname),
        }
    }
}
