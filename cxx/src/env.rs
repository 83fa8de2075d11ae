//! The engine's environments behind `leveldb::Env` (the C++ layer's `EngineEnv`): `Env::Default()` is oxleveldb's
//! process-wide PosixEnv and `NewMemEnv` its MemEnv, each a whole Env for a program that calls it directly (files,
//! locks, threads, loggers, the clock), and the one the database runs on when the options name it.
//!
//! LevelDB: util/env_posix.cc, helpers/memenv/memenv.cc

use std::ffi::{c_char, c_void};
use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::Arc;

use crate::{assign, bytes, set_status, CxxStatus, CxxString};
use ox::env::{default_env, FileLock, RandomAccessFile, SequentialFile, WritableFile};
use ox::{Env, Logger, MemEnv, Result};

/// An environment as C++ holds it.
pub type EnvHandle = Arc<dyn Env>;

extern "C" {
    fn oxcxx_strings_push(out: *mut c_void, data: *const c_char, len: usize);
    fn oxcxx_run_work(function: unsafe extern "C" fn(*mut c_void), arg: *mut c_void);
}

/// A file or database name: C++ passes a std::string's bytes (a path need not be UTF-8).
pub unsafe fn path<'a>(name: *const c_char, len: usize) -> &'a Path {
    // SAFETY: ffi.h: `name` holds `len` readable bytes.
    Path::new(std::ffi::OsStr::from_bytes(unsafe { bytes(name, len) }))
}

/// Runs `operation` on the environment and the file `name`; its error goes to `status`.
unsafe fn on_file<T>(
    env: *const EnvHandle,
    name: *const c_char,
    len: usize,
    status: *mut CxxStatus,
    operation: impl FnOnce(&dyn Env, &Path) -> Result<T>,
) -> Option<T> {
    // SAFETY: ffi.h: `env` is live, `name` readable, `status` the caller's.
    unsafe { set_status(status, operation(&**env, path(name, len))) }
}

/// A boxed value for C++ to hold, or null.
fn boxed<T>(value: Option<T>) -> *mut T {
    value.map_or(std::ptr::null_mut(), |v| Box::into_raw(Box::new(v)))
}

/// Drops what `boxed` gave C++.
unsafe fn unbox<T>(value: *mut T) {
    // SAFETY: ffi.h: `value` came from `boxed` and is destroyed once.
    drop(unsafe { Box::from_raw(value) });
}

/// LevelDB: Env::Default
#[no_mangle]
pub extern "C" fn oxcxx_env_default() -> *mut EnvHandle {
    boxed(Some(default_env()))
}

/// An environment that keeps files in memory; the rest (threads, the clock) is `base`'s, or the default's.
///
/// LevelDB: NewMemEnv
#[no_mangle]
pub unsafe extern "C" fn oxcxx_env_new_mem(base: *const EnvHandle) -> *mut EnvHandle {
    // SAFETY: ffi.h: a non-null `base` is live.
    let base = unsafe { base.as_ref() }
        .cloned()
        .unwrap_or_else(default_env);
    boxed(Some(Arc::new(MemEnv::new(base)) as EnvHandle))
}

#[no_mangle]
pub unsafe extern "C" fn oxcxx_env_destroy(env: *mut EnvHandle) {
    // SAFETY: ffi.h: `env` came from this file and is destroyed once.
    unsafe { unbox(env) };
}

/// LevelDB: Env::NewSequentialFile
#[no_mangle]
pub unsafe extern "C" fn oxcxx_env_new_sequential_file(
    env: *const EnvHandle,
    name: *const c_char,
    len: usize,
    status: *mut CxxStatus,
) -> *mut Box<dyn SequentialFile> {
    // SAFETY: the caller's pointers are what `on_file` requires.
    boxed(unsafe {
        on_file(env, name, len, status, |env, name| {
            env.new_sequential_file(name)
        })
    })
}

/// Reads up to `n` bytes into `scratch`; returns how many.
///
/// LevelDB: SequentialFile::Read
#[no_mangle]
pub unsafe extern "C" fn oxcxx_seqfile_read(
    file: *mut Box<dyn SequentialFile>,
    n: usize,
    scratch: *mut u8,
    status: *mut CxxStatus,
) -> usize {
    // SAFETY: ffi.h: `file` is live, `scratch` holds `n` writable bytes, `status` the caller's.
    unsafe {
        let scratch: &mut [u8] = if n == 0 {
            &mut []
        } else {
            std::slice::from_raw_parts_mut(scratch, n)
        };
        set_status(status, (*file).read(scratch)).unwrap_or(0)
    }
}

/// LevelDB: SequentialFile::Skip
#[no_mangle]
pub unsafe extern "C" fn oxcxx_seqfile_skip(
    file: *mut Box<dyn SequentialFile>,
    n: u64,
    status: *mut CxxStatus,
) {
    // SAFETY: ffi.h: `file` is live, `status` the caller's.
    unsafe { set_status(status, (*file).skip(n)) };
}

#[no_mangle]
pub unsafe extern "C" fn oxcxx_seqfile_destroy(file: *mut Box<dyn SequentialFile>) {
    // SAFETY: ffi.h: `file` came from this file and is destroyed once.
    unsafe { unbox(file) };
}

/// LevelDB: Env::NewRandomAccessFile
#[no_mangle]
pub unsafe extern "C" fn oxcxx_env_new_random_access_file(
    env: *const EnvHandle,
    name: *const c_char,
    len: usize,
    status: *mut CxxStatus,
) -> *mut Box<dyn RandomAccessFile> {
    // SAFETY: the caller's pointers are what `on_file` requires.
    boxed(unsafe {
        on_file(env, name, len, status, |env, name| {
            env.new_random_access_file(name)
        })
    })
}

/// Reads up to `n` bytes at `offset` into `scratch` (copied there even from a mapped file, whose bytes the engine
/// returns in place); returns how many.
///
/// LevelDB: RandomAccessFile::Read
#[no_mangle]
pub unsafe extern "C" fn oxcxx_rafile_read(
    file: *const Box<dyn RandomAccessFile>,
    offset: u64,
    n: usize,
    scratch: *mut u8,
    status: *mut CxxStatus,
) -> usize {
    let mut buffer = Vec::new();
    // SAFETY: ffi.h: `file` is live, `status` the caller's.
    let read = unsafe { set_status(status, (*file).read(offset, n, &mut buffer)) };
    read.map_or(0, |read| {
        let len = read.len().min(n);
        // SAFETY: ffi.h: `scratch` holds `n` writable bytes, which do not overlap the engine's.
        unsafe { std::ptr::copy_nonoverlapping(read.as_ptr(), scratch, len) };
        len
    })
}

#[no_mangle]
pub unsafe extern "C" fn oxcxx_rafile_destroy(file: *mut Box<dyn RandomAccessFile>) {
    // SAFETY: ffi.h: `file` came from this file and is destroyed once.
    unsafe { unbox(file) };
}

/// LevelDB: Env::NewWritableFile (or, with `append`, Env::NewAppendableFile)
#[no_mangle]
pub unsafe extern "C" fn oxcxx_env_new_writable_file(
    env: *const EnvHandle,
    name: *const c_char,
    len: usize,
    append: bool,
    status: *mut CxxStatus,
) -> *mut Box<dyn WritableFile> {
    // SAFETY: the caller's pointers are what `on_file` requires.
    boxed(unsafe {
        on_file(env, name, len, status, |env, name| match append {
            true => env.new_appendable_file(name),
            false => env.new_writable_file(name),
        })
    })
}

/// The operations of a writable file, by number (ffi.h): 0 Append, 1 Close, 2 Flush, 3 Sync.
///
/// LevelDB: WritableFile
#[no_mangle]
pub unsafe extern "C" fn oxcxx_wfile_op(
    file: *mut Box<dyn WritableFile>,
    op: i32,
    data: *const c_char,
    len: usize,
    status: *mut CxxStatus,
) {
    // SAFETY: ffi.h: `file` is live, `data` readable, `status` the caller's.
    unsafe {
        let file = &mut *file;
        let result = match op {
            0 => file.append(bytes(data, len)),
            1 => file.close(),
            2 => file.flush(),
            _ => file.sync(),
        };
        set_status(status, result);
    }
}

#[no_mangle]
pub unsafe extern "C" fn oxcxx_wfile_destroy(file: *mut Box<dyn WritableFile>) {
    // SAFETY: ffi.h: `file` came from this file and is destroyed once.
    unsafe { unbox(file) };
}

/// LevelDB: Env::FileExists
#[no_mangle]
pub unsafe extern "C" fn oxcxx_env_file_exists(
    env: *const EnvHandle,
    name: *const c_char,
    len: usize,
) -> bool {
    // SAFETY: ffi.h: `env` is live, `name` readable.
    unsafe { (**env).file_exists(path(name, len)) }
}

/// Appends the names of the entries of `dir` to the caller's vector.
///
/// LevelDB: Env::GetChildren
#[no_mangle]
pub unsafe extern "C" fn oxcxx_env_get_children(
    env: *const EnvHandle,
    name: *const c_char,
    len: usize,
    out: *mut c_void,
    status: *mut CxxStatus,
) {
    // SAFETY: the caller's pointers are what `on_file` requires.
    let children = unsafe { on_file(env, name, len, status, |env, dir| env.get_children(dir)) };
    for child in children.unwrap_or_default() {
        // SAFETY: ffi.h: `out` is the caller's live std::vector<std::string>.
        unsafe { oxcxx_strings_push(out, child.as_ptr().cast(), child.len()) };
    }
}

/// The operations on one name, by number (ffi.h): 0 RemoveFile, 1 CreateDir, 2 RemoveDir.
///
/// LevelDB: Env::RemoveFile, Env::CreateDir, Env::RemoveDir
#[no_mangle]
pub unsafe extern "C" fn oxcxx_env_name_op(
    env: *const EnvHandle,
    op: i32,
    name: *const c_char,
    len: usize,
    status: *mut CxxStatus,
) {
    // SAFETY: the caller's pointers are what `on_file` requires.
    unsafe {
        on_file(env, name, len, status, |env, name| match op {
            0 => env.remove_file(name),
            1 => env.create_dir(name),
            _ => env.remove_dir(name),
        })
    };
}

/// LevelDB: Env::GetFileSize
#[no_mangle]
pub unsafe extern "C" fn oxcxx_env_get_file_size(
    env: *const EnvHandle,
    name: *const c_char,
    len: usize,
    status: *mut CxxStatus,
) -> u64 {
    // SAFETY: the caller's pointers are what `on_file` requires.
    unsafe { on_file(env, name, len, status, |env, name| env.get_file_size(name)) }.unwrap_or(0)
}

/// LevelDB: Env::RenameFile
#[no_mangle]
pub unsafe extern "C" fn oxcxx_env_rename_file(
    env: *const EnvHandle,
    src: *const c_char,
    src_len: usize,
    target: *const c_char,
    target_len: usize,
    status: *mut CxxStatus,
) {
    // SAFETY: the caller's pointers are what `on_file` requires; `target` is readable.
    unsafe {
        let target = path(target, target_len);
        on_file(env, src, src_len, status, |env, src| {
            env.rename_file(src, target)
        });
    }
}

/// LevelDB: Env::LockFile
#[no_mangle]
pub unsafe extern "C" fn oxcxx_env_lock_file(
    env: *const EnvHandle,
    name: *const c_char,
    len: usize,
    status: *mut CxxStatus,
) -> *mut Box<dyn FileLock> {
    // SAFETY: the caller's pointers are what `on_file` requires.
    boxed(unsafe { on_file(env, name, len, status, |env, name| env.lock_file(name)) })
}

/// Releases the lock and frees it.
///
/// LevelDB: Env::UnlockFile
#[no_mangle]
pub unsafe extern "C" fn oxcxx_env_unlock_file(
    env: *const EnvHandle,
    lock: *mut Box<dyn FileLock>,
    status: *mut CxxStatus,
) {
    // SAFETY: ffi.h: `env` is live, `lock` came from oxcxx_env_lock_file and is unlocked once.
    unsafe {
        let lock = *Box::from_raw(lock);
        set_status(status, (**env).unlock_file(lock));
    }
}

/// A program's `void (*)(void*)` and its argument, run on an engine thread through the C++ layer (which stops
/// an exception there).
struct CxxWork {
    function: unsafe extern "C" fn(*mut c_void),
    arg: *mut c_void,
}

// SAFETY: LevelDB's contract for Schedule and StartThread: the function runs on another thread with its argument.
unsafe impl Send for CxxWork {}

impl CxxWork {
    fn run(self) {
        // SAFETY: the program gave the function and its argument to be run once, on any thread.
        unsafe { oxcxx_run_work(self.function, self.arg) };
    }
}

/// Runs `function(arg)` on the environment's background thread (with `start`, on a new thread).
///
/// LevelDB: Env::Schedule, Env::StartThread
#[no_mangle]
pub unsafe extern "C" fn oxcxx_env_schedule(
    env: *const EnvHandle,
    start: bool,
    function: unsafe extern "C" fn(*mut c_void),
    arg: *mut c_void,
) {
    let work = CxxWork { function, arg };
    // SAFETY: ffi.h: `env` is live.
    let env = unsafe { &**env };
    match start {
        true => env.start_thread(Box::new(move || work.run())),
        false => env.schedule(Box::new(move || work.run())),
    }
}

/// LevelDB: Env::GetTestDirectory
#[no_mangle]
pub unsafe extern "C" fn oxcxx_env_get_test_directory(
    env: *const EnvHandle,
    out: *mut CxxString,
    status: *mut CxxStatus,
) {
    // SAFETY: ffi.h: `env` is live, `out` and `status` the caller's.
    unsafe {
        if let Some(dir) = set_status(status, (**env).get_test_directory()) {
            assign(out, dir.as_os_str().as_bytes());
        }
    }
}

/// LevelDB: Env::NewLogger
#[no_mangle]
pub unsafe extern "C" fn oxcxx_env_new_logger(
    env: *const EnvHandle,
    name: *const c_char,
    len: usize,
    status: *mut CxxStatus,
) -> *mut Arc<dyn Logger> {
    // SAFETY: the caller's pointers are what `on_file` requires.
    boxed(unsafe { on_file(env, name, len, status, |env, name| env.new_logger(name)) })
}

/// Logs a message the C++ layer formatted.
///
/// LevelDB: Logger::Logv
#[no_mangle]
pub unsafe extern "C" fn oxcxx_engine_logger_log(
    logger: *const Arc<dyn Logger>,
    msg: *const c_char,
    len: usize,
) {
    // SAFETY: ffi.h: `logger` is live, `msg` readable.
    let (logger, msg) = unsafe { (&*logger, bytes(msg, len)) };
    logger.logv(format_args!("{}", Message(msg)));
}

/// A formatted message's bytes, written as they are where they are UTF-8.
struct Message<'a>(&'a [u8]);

impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(self.0))
    }
}

#[no_mangle]
pub unsafe extern "C" fn oxcxx_engine_logger_destroy(logger: *mut Arc<dyn Logger>) {
    // SAFETY: ffi.h: `logger` came from oxcxx_env_new_logger and is destroyed once.
    unsafe { unbox(logger) };
}

/// LevelDB: Env::NowMicros
#[no_mangle]
pub unsafe extern "C" fn oxcxx_env_now_micros(env: *const EnvHandle) -> u64 {
    // SAFETY: ffi.h: `env` is live.
    unsafe { (**env).now_micros() }
}

/// A negative count sleeps not at all.
///
/// LevelDB: Env::SleepForMicroseconds
#[no_mangle]
pub unsafe extern "C" fn oxcxx_env_sleep_for_microseconds(env: *const EnvHandle, micros: i32) {
    // SAFETY: ffi.h: `env` is live.
    unsafe { (**env).sleep_for_microseconds(u64::try_from(micros).unwrap_or(0)) };
}
