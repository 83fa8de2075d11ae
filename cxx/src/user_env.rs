//! A program's own `leveldb::Env` (a subclass of `Env` or `EnvWrapper`) as the engine's `Env`, and the files,
//! locks and loggers it makes as the engine's: each call goes through the C++ layer to the program's virtual
//! member, from whichever engine thread makes it. A `Schedule`d or started work item is the engine's closure,
//! boxed and run by `oxcxx_work_run` on the thread the program's Env gives it.
//!
//! LevelDB: include/leveldb/env.h

use std::ffi::{c_char, c_int, c_void};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::bytes;
use crate::user::log_to;
use ox::env::{FileLock, RandomAccessFile, SequentialFile, Work, WritableFile};
use ox::{Code, Env, Error, Logger, Result};

extern "C" {
    fn oxcxx_user_env_new_file(
        env: *mut c_void,
        kind: c_int,
        name: *const u8,
        len: usize,
        error: *mut c_void,
    ) -> *mut c_void;
    fn oxcxx_user_file_delete(kind: c_int, object: *mut c_void);
    fn oxcxx_user_seqfile_read(
        file: *mut c_void,
        n: usize,
        scratch: *mut u8,
        error: *mut c_void,
    ) -> usize;
    fn oxcxx_user_seqfile_skip(file: *mut c_void, n: u64, error: *mut c_void);
    fn oxcxx_user_rafile_read(
        file: *const c_void,
        offset: u64,
        n: usize,
        scratch: *mut u8,
        data: *mut *const u8,
        error: *mut c_void,
    ) -> usize;
    fn oxcxx_user_wfile_op(
        file: *mut c_void,
        op: c_int,
        data: *const u8,
        len: usize,
        error: *mut c_void,
    );
    fn oxcxx_user_env_file_exists(env: *mut c_void, name: *const u8, len: usize) -> bool;
    fn oxcxx_user_env_get_children(
        env: *mut c_void,
        name: *const u8,
        len: usize,
        out: *mut c_void,
        error: *mut c_void,
    );
    fn oxcxx_user_env_name_op(
        env: *mut c_void,
        op: c_int,
        name: *const u8,
        len: usize,
        error: *mut c_void,
    );
    fn oxcxx_user_env_get_file_size(
        env: *mut c_void,
        name: *const u8,
        len: usize,
        error: *mut c_void,
    ) -> u64;
    fn oxcxx_user_env_rename_file(
        env: *mut c_void,
        src: *const u8,
        src_len: usize,
        target: *const u8,
        target_len: usize,
        error: *mut c_void,
    );
    fn oxcxx_user_env_unlock_file(env: *mut c_void, lock: *mut c_void, error: *mut c_void);
    fn oxcxx_user_env_schedule(
        env: *mut c_void,
        start: bool,
        function: extern "C" fn(*mut c_void),
        arg: *mut c_void,
    );
    fn oxcxx_user_env_get_test_directory(env: *mut c_void, out: *mut c_void, error: *mut c_void);
    fn oxcxx_user_env_now_micros(env: *mut c_void) -> u64;
    fn oxcxx_user_env_sleep_for_microseconds(env: *mut c_void, micros: c_int);
}

/// What `oxcxx_user_env_new_file` makes and `oxcxx_user_file_delete` deletes (ffi.h's OxUserObject).
const SEQUENTIAL: c_int = 0;
const RANDOM_ACCESS: c_int = 1;
const WRITABLE: c_int = 2;
const APPENDABLE: c_int = 3;
const LOCK: c_int = 4;
const LOGGER: c_int = 5;

/// Sets the engine's error behind `error` (an `Option<Error>` a call below passed) to a program's Status.
#[no_mangle]
pub unsafe extern "C" fn oxcxx_error_set(
    error: *mut c_void,
    code: c_int,
    msg: *const c_char,
    len: usize,
) {
    let code = match code {
        1 => Code::NotFound,
        2 => Code::Corruption,
        3 => Code::NotSupported,
        4 => Code::InvalidArgument,
        _ => Code::IOError,
    };
    // SAFETY: ffi.h: `msg` holds `len` readable bytes.
    let message = String::from_utf8_lossy(unsafe { bytes(msg, len) });
    // SAFETY: ffi.h: `error` is the `Option<Error>` of the call in progress.
    unsafe { *error.cast::<Option<Error>>() = Some(Error::new(code, message, "")) };
}

/// Appends a name to the engine's `Vec<String>` behind `out`.
#[no_mangle]
pub unsafe extern "C" fn oxcxx_names_push(out: *mut c_void, data: *const c_char, len: usize) {
    // SAFETY: ffi.h: `data` holds `len` readable bytes; `out` is the `Vec<String>` of the call in progress.
    unsafe {
        let name = String::from_utf8_lossy(bytes(data, len)).into_owned();
        (*out.cast::<Vec<String>>()).push(name);
    }
}

/// Runs `call` with an error slot for the C++ layer; its result, or the error the program's Status set.
fn checked<T>(call: impl FnOnce(*mut c_void) -> T) -> Result<T> {
    let mut error: Option<Error> = None;
    let value = call((&mut error as *mut Option<Error>).cast());
    error.map_or(Ok(value), Err)
}

/// A name's bytes, for C++ (a path need not be UTF-8).
fn name_of(path: &Path) -> &[u8] {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes()
}

/// An object of the program's (a file, a lock, a logger): one the program's Env made for the engine, deleted
/// through its virtual destructor when dropped (`owned`), or one the program lends for a call (a TableBuilder's
/// file, a Table's, DumpFile's destination), left to it.
struct Owned {
    kind: c_int,
    object: *mut c_void,
    owned: bool,
}

/// The program's `leveldb::WritableFile` `file`, lent to the engine while the result lives.
pub fn lent_writable_file(file: *mut c_void) -> Box<dyn WritableFile> {
    Box::new(Owned {
        kind: WRITABLE,
        object: file,
        owned: false,
    })
}

/// The program's `leveldb::RandomAccessFile` `file`, lent to the engine while the result lives.
pub fn lent_random_access_file(file: *mut c_void) -> Box<dyn RandomAccessFile> {
    Box::new(Owned {
        kind: RANDOM_ACCESS,
        object: file,
        owned: false,
    })
}

// SAFETY: LevelDB's contract: the Env's objects may be used from any thread (one at a time for a file, which the
// engine's traits require of their users: `&mut self`), and a RandomAccessFile or a Logger from many at once.
unsafe impl Send for Owned {}
// SAFETY: as for Send.
unsafe impl Sync for Owned {}

impl Drop for Owned {
    fn drop(&mut self) {
        if self.owned {
            // SAFETY: `object` is the program's, of `kind`, made for the engine and dropped once.
            unsafe { oxcxx_user_file_delete(self.kind, self.object) };
        }
    }
}

impl SequentialFile for Owned {
    fn read(&mut self, scratch: &mut [u8]) -> Result<usize> {
        // SAFETY: the file is live; `scratch` is writable for the call.
        checked(|e| unsafe {
            oxcxx_user_seqfile_read(self.object, scratch.len(), scratch.as_mut_ptr(), e)
        })
    }

    fn skip(&mut self, n: u64) -> Result<()> {
        // SAFETY: the file is live.
        checked(|e| unsafe { oxcxx_user_seqfile_skip(self.object, n, e) })
    }
}

impl RandomAccessFile for Owned {
    fn read<'a>(&'a self, offset: u64, n: usize, scratch: &'a mut Vec<u8>) -> Result<&'a [u8]> {
        scratch.resize(n, 0);
        let mut data: *const u8 = std::ptr::null();
        // SAFETY: the file is live; `scratch` holds `n` writable bytes.
        let len = checked(|e| unsafe {
            oxcxx_user_rafile_read(self.object, offset, n, scratch.as_mut_ptr(), &mut data, e)
        })?;
        // SAFETY: LevelDB's contract: the result points into `scratch` or into memory the file keeps while it
        // lives, `len` bytes long.
        Ok(unsafe { bytes(data.cast(), len) })
    }
}

impl WritableFile for Owned {
    fn append(&mut self, data: &[u8]) -> Result<()> {
        self.op(0, data)
    }

    fn close(&mut self) -> Result<()> {
        self.op(1, &[])
    }

    fn flush(&mut self) -> Result<()> {
        self.op(2, &[])
    }

    fn sync(&mut self) -> Result<()> {
        self.op(3, &[])
    }
}

impl Owned {
    /// A writable file's operation, by ffi.h's OxWritableFileOp.
    fn op(&mut self, op: c_int, data: &[u8]) -> Result<()> {
        // SAFETY: the file is live; `data` is readable for the call.
        checked(|e| unsafe { oxcxx_user_wfile_op(self.object, op, data.as_ptr(), data.len(), e) })
    }
}

impl FileLock for Owned {}

impl Logger for Owned {
    fn logv(&self, args: fmt::Arguments<'_>) {
        // SAFETY: the logger is live while `self` is.
        unsafe { log_to(self.object, args) };
    }
}

/// A program's `leveldb::Env`.
pub struct CxxEnv {
    env: *mut c_void,
}

// SAFETY: LevelDB's contract: an Env is safe to use from any thread at once.
unsafe impl Send for CxxEnv {}
// SAFETY: as for Send.
unsafe impl Sync for CxxEnv {}

impl CxxEnv {
    /// Wraps the program's environment, which must outlive every database and object that uses it.
    pub fn new(env: *mut c_void) -> CxxEnv {
        CxxEnv { env }
    }

    /// A new object of `kind` for the file `fname`.
    fn new_object(&self, kind: c_int, fname: &Path) -> Result<Owned> {
        let name = name_of(fname);
        // SAFETY: the Env is live; the name is readable for the call.
        let object = checked(|e| unsafe {
            oxcxx_user_env_new_file(self.env, kind, name.as_ptr(), name.len(), e)
        })?;
        Ok(Owned {
            kind,
            object,
            owned: true,
        })
    }

    /// An operation on one name, by ffi.h's OxNameOp.
    fn name_op(&self, op: c_int, fname: &Path) -> Result<()> {
        let name = name_of(fname);
        // SAFETY: the Env is live; the name is readable for the call.
        checked(|e| unsafe { oxcxx_user_env_name_op(self.env, op, name.as_ptr(), name.len(), e) })
    }

    fn schedule_on(&self, start: bool, work: Work) {
        let arg = Box::into_raw(Box::new(work)).cast();
        // SAFETY: the Env is live; `oxcxx_work_run` takes the work back and runs it once.
        unsafe { oxcxx_user_env_schedule(self.env, start, oxcxx_work_run, arg) };
    }
}

/// Runs a work item the engine gave a program's Env (from the thread that Env runs it on).
extern "C" fn oxcxx_work_run(arg: *mut c_void) {
    // SAFETY: `arg` is the Box<Work> schedule_on made, run once.
    let work = unsafe { Box::from_raw(arg.cast::<Work>()) };
    work();
}

impl Env for CxxEnv {
    fn new_sequential_file(&self, fname: &Path) -> Result<Box<dyn SequentialFile>> {
        Ok(Box::new(self.new_object(SEQUENTIAL, fname)?))
    }

    fn new_random_access_file(&self, fname: &Path) -> Result<Box<dyn RandomAccessFile>> {
        Ok(Box::new(self.new_object(RANDOM_ACCESS, fname)?))
    }

    fn new_writable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>> {
        Ok(Box::new(self.new_object(WRITABLE, fname)?))
    }

    fn new_appendable_file(&self, fname: &Path) -> Result<Box<dyn WritableFile>> {
        Ok(Box::new(self.new_object(APPENDABLE, fname)?))
    }

    fn file_exists(&self, fname: &Path) -> bool {
        let name = name_of(fname);
        // SAFETY: the Env is live; the name is readable for the call.
        unsafe { oxcxx_user_env_file_exists(self.env, name.as_ptr(), name.len()) }
    }

    fn get_children(&self, dir: &Path) -> Result<Vec<String>> {
        let name = name_of(dir);
        let mut names: Vec<String> = Vec::new();
        let out = (&mut names as *mut Vec<String>).cast();
        // SAFETY: the Env is live; the name is readable, `names` writable, for the call.
        checked(|e| unsafe {
            oxcxx_user_env_get_children(self.env, name.as_ptr(), name.len(), out, e)
        })?;
        Ok(names)
    }

    fn remove_file(&self, fname: &Path) -> Result<()> {
        self.name_op(0, fname)
    }

    fn create_dir(&self, dirname: &Path) -> Result<()> {
        self.name_op(1, dirname)
    }

    fn remove_dir(&self, dirname: &Path) -> Result<()> {
        self.name_op(2, dirname)
    }

    fn get_file_size(&self, fname: &Path) -> Result<u64> {
        let name = name_of(fname);
        // SAFETY: the Env is live; the name is readable for the call.
        checked(|e| unsafe { oxcxx_user_env_get_file_size(self.env, name.as_ptr(), name.len(), e) })
    }

    fn rename_file(&self, src: &Path, target: &Path) -> Result<()> {
        let (src, target) = (name_of(src), name_of(target));
        // SAFETY: the Env is live; the names are readable for the call.
        checked(|e| unsafe {
            oxcxx_user_env_rename_file(
                self.env,
                src.as_ptr(),
                src.len(),
                target.as_ptr(),
                target.len(),
                e,
            )
        })
    }

    fn lock_file(&self, fname: &Path) -> Result<Box<dyn FileLock>> {
        Ok(Box::new(self.new_object(LOCK, fname)?))
    }

    fn unlock_file(&self, lock: Box<dyn FileLock>) -> Result<()> {
        let lock: Box<dyn std::any::Any + Send> = lock;
        let lock = lock
            .downcast::<Owned>()
            .map_err(|_| Error::invalid_argument("a lock of another Env", ""))?;
        // The program's UnlockFile deletes the lock.
        let object = std::mem::ManuallyDrop::new(*lock).object;
        // SAFETY: the Env is live; `object` is a lock it made, unlocked once.
        checked(|e| unsafe { oxcxx_user_env_unlock_file(self.env, object, e) })
    }

    fn schedule(&self, work: Work) {
        self.schedule_on(false, work);
    }

    fn start_thread(&self, work: Work) {
        self.schedule_on(true, work);
    }

    fn get_test_directory(&self) -> Result<PathBuf> {
        let mut dir: Vec<u8> = Vec::new();
        let out = (&mut dir as *mut Vec<u8>).cast();
        // SAFETY: the Env is live; `dir` is writable for the call (through oxcxx_vec_assign).
        checked(|e| unsafe { oxcxx_user_env_get_test_directory(self.env, out, e) })?;
        use std::os::unix::ffi::OsStringExt;
        Ok(PathBuf::from(std::ffi::OsString::from_vec(dir)))
    }

    fn new_logger(&self, fname: &Path) -> Result<Arc<dyn Logger>> {
        Ok(Arc::new(self.new_object(LOGGER, fname)?))
    }

    fn now_micros(&self) -> u64 {
        // SAFETY: the Env is live.
        unsafe { oxcxx_user_env_now_micros(self.env) }
    }

    fn sleep_for_microseconds(&self, micros: u64) {
        let micros = c_int::try_from(micros).unwrap_or(c_int::MAX);
        // SAFETY: the Env is live.
        unsafe { oxcxx_user_env_sleep_for_microseconds(self.env, micros) };
    }
}
