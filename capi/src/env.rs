//! Environments through C: only the default (POSIX) environment can be made, shared by every database.
//!
//! LevelDB: db/c.cc (Env)

use std::ffi::c_char;
use std::os::unix::ffi::OsStrExt;
use std::sync::Arc;

use super::strdup;
use ox::env::{default_env, Env};

/// LevelDB: leveldb_env_t
pub struct leveldb_env_t {
    pub(super) rep: Arc<dyn Env>,
}

/// LevelDB: leveldb_create_default_env
#[no_mangle]
pub extern "C" fn leveldb_create_default_env() -> *mut leveldb_env_t {
    Box::into_raw(Box::new(leveldb_env_t { rep: default_env() }))
}

/// Frees `env` (the default environment itself lives on, as in LevelDB).
///
/// LevelDB: leveldb_env_destroy
#[no_mangle]
pub unsafe extern "C" fn leveldb_env_destroy(env: *mut leveldb_env_t) {
    // SAFETY: c.h: `env` came from leveldb_create_default_env and is destroyed once.
    drop(unsafe { Box::from_raw(env) });
}

/// A directory for tests ($TEST_TMPDIR, or /tmp/leveldbtest-<euid>), created if needed; malloc'd and
/// NUL-terminated, or NULL.
///
/// LevelDB: leveldb_env_get_test_directory
#[no_mangle]
pub unsafe extern "C" fn leveldb_env_get_test_directory(env: *mut leveldb_env_t) -> *mut c_char {
    // SAFETY: c.h: `env` is live.
    let env = unsafe { &*env };
    match env.rep.get_test_directory() {
        Ok(dir) => strdup(dir.as_os_str().as_bytes()),
        Err(_) => std::ptr::null_mut(),
    }
}
