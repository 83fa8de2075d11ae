//! The few C library functions `PosixEnv` needs that Rust's standard library does not offer, or offers with a
//! different contract: whole-file `fcntl` locks (so that a LevelDB process and an oxleveldb process exclude each
//! other), `close` that reports its error (LevelDB's `WritableFile::Close` returns it; dropping a `File` loses it),
//! directory listing whose `closedir` result is ignored as LevelDB ignores it (`std::fs::ReadDir` panics when
//! `closedir` fails), `strerror` (so that error messages read exactly as LevelDB's), memory maps for table reads,
//! the local time and thread id of the info log's line prefix, and the limits LevelDB sizes its caches of open
//! files by.
//!
//! They are declared here instead of through a crate, to keep the library's dependencies to `crc32c`.
//!
//! Invariant: every constant and struct layout below is the one the target's system headers define. Each
//! supported target (Linux and macOS, on x86-64 and AArch64) has its own values under `cfg`, checked against the
//! `libc` crate's declarations and, for the sizes and offsets, by the compile-time assertions at the end; any
//! other target is refused at compile time, because a wrong `F_SETLK` or `struct flock` would not fail — it would
//! silently lock nothing, and two processes would write one database.

#![allow(non_camel_case_types)]

#[cfg(not(any(
    all(
        target_os = "linux",
        any(target_arch = "x86_64", target_arch = "aarch64")
    ),
    all(
        target_os = "macos",
        any(target_arch = "x86_64", target_arch = "aarch64")
    ),
)))]
compile_error!(
    "oxleveldb's PosixEnv knows the fcntl lock commands, `struct flock`, `struct dirent`, rlimit and mmap values of \
     Linux and macOS on x86-64 and AArch64 only. For another target, add its values from its system headers to \
     src/env/sys.rs (a wrong value would silently take no lock on the database)."
);

use std::ffi::{c_char, c_int, c_long, c_void, CStr};
use std::io;
use std::os::fd::IntoRawFd;

pub type off_t = i64;
pub type time_t = c_long;

/// `struct flock` (64-bit `off_t`).
#[cfg(target_os = "linux")]
#[repr(C)]
pub struct flock {
    pub l_type: i16,
    pub l_whence: i16,
    pub l_start: off_t,
    pub l_len: off_t,
    pub l_pid: i32,
}

/// `struct flock`: macOS puts the offsets first.
#[cfg(target_os = "macos")]
#[repr(C)]
pub struct flock {
    pub l_start: off_t,
    pub l_len: off_t,
    pub l_pid: i32,
    pub l_type: i16,
    pub l_whence: i16,
}

/// `struct tm` (glibc, musl and macOS lay it out alike, with `tm_gmtoff` and `tm_zone`).
#[repr(C)]
pub struct tm {
    pub tm_sec: c_int,
    pub tm_min: c_int,
    pub tm_hour: c_int,
    pub tm_mday: c_int,
    pub tm_mon: c_int,
    pub tm_year: c_int,
    pub tm_wday: c_int,
    pub tm_yday: c_int,
    pub tm_isdst: c_int,
    pub tm_gmtoff: c_long,
    pub tm_zone: *const c_char,
}

/// `struct rlimit` (`rlim_t` is 64 bits on every supported target).
#[repr(C)]
pub struct rlimit {
    pub rlim_cur: u64,
    pub rlim_max: u64,
}

/// `struct dirent` as `readdir` returns it on 64-bit Linux (glibc's `readdir` is `readdir64` there). Only
/// `d_name` is read, through a raw pointer: the kernel's record may be shorter than this struct.
#[cfg(target_os = "linux")]
#[allow(dead_code)] // The fields before d_name are there for its offset.
#[repr(C)]
struct dirent {
    d_ino: u64,
    d_off: i64,
    d_reclen: u16,
    d_type: u8,
    d_name: [c_char; 256],
}

/// `struct dirent` with 64-bit inodes, as macOS's `readdir` (`readdir$INODE64` on x86-64) returns it.
#[cfg(target_os = "macos")]
#[allow(dead_code)] // The fields before d_name are there for its offset.
#[repr(C)]
struct dirent {
    d_ino: u64,
    d_seekoff: u64,
    d_reclen: u16,
    d_namlen: u16,
    d_type: u8,
    d_name: [c_char; 1024],
}

/// The C library's opaque directory stream, `DIR`.
enum DirStream {}

#[cfg(target_os = "linux")]
mod values {
    use std::ffi::c_int;
    #[cfg(test)]
    pub const F_GETLK: c_int = 5;
    pub const F_SETLK: c_int = 6;
    pub const F_WRLCK: i16 = 1;
    pub const F_UNLCK: i16 = 2;
    pub const RLIMIT_NOFILE: c_int = 7;
    pub const RLIM_INFINITY: u64 = !0u64;
}

#[cfg(target_os = "macos")]
mod values {
    use std::ffi::c_int;
    #[cfg(test)]
    pub const F_GETLK: c_int = 7;
    pub const F_SETLK: c_int = 8;
    pub const F_WRLCK: i16 = 3;
    pub const F_UNLCK: i16 = 2;
    pub const RLIMIT_NOFILE: c_int = 8;
    pub const RLIM_INFINITY: u64 = 0x7fff_ffff_ffff_ffff;
}

#[cfg(test)]
pub use values::F_GETLK;
pub use values::{F_SETLK, F_UNLCK, F_WRLCK, RLIMIT_NOFILE, RLIM_INFINITY};

pub const SEEK_SET: i16 = 0;

pub const PROT_READ: c_int = 1;
pub const MAP_SHARED: c_int = 1;
pub const MAP_FAILED: *mut c_void = !0usize as *mut c_void;
/// The same value on Linux and macOS.
pub const MADV_DONTNEED: c_int = 4;

extern "C" {
    pub fn fcntl(fd: c_int, cmd: c_int, ...) -> c_int;
    pub fn strerror(errnum: c_int) -> *const c_char;
    pub fn localtime_r(timep: *const time_t, result: *mut tm) -> *mut tm;
    pub fn pthread_self() -> usize;
    pub fn geteuid() -> u32;
    pub fn getrlimit(resource: c_int, rlim: *mut rlimit) -> c_int;
    pub fn mmap(
        addr: *mut c_void,
        len: usize,
        prot: c_int,
        flags: c_int,
        fd: c_int,
        offset: off_t,
    ) -> *mut c_void;
    pub fn munmap(addr: *mut c_void, len: usize) -> c_int;
    pub fn madvise(addr: *mut c_void, len: usize, advice: c_int) -> c_int;
    fn getpagesize() -> c_int;
    // macOS x86-64 keeps a cancellation point in plain `close`; the C headers name this variant.
    #[cfg_attr(
        all(target_os = "macos", target_arch = "x86_64"),
        link_name = "close$NOCANCEL"
    )]
    fn close(fd: c_int) -> c_int;
    #[cfg_attr(
        all(target_os = "macos", target_arch = "x86_64"),
        link_name = "opendir$INODE64"
    )]
    fn opendir(name: *const c_char) -> *mut DirStream;
    #[cfg_attr(
        all(target_os = "macos", target_arch = "x86_64"),
        link_name = "readdir$INODE64"
    )]
    fn readdir(dir: *mut DirStream) -> *mut dirent;
    fn closedir(dir: *mut DirStream) -> c_int;
    #[cfg(target_os = "linux")]
    fn __errno_location() -> *mut c_int;
    #[cfg(target_os = "macos")]
    #[link_name = "__error"]
    fn __errno_location() -> *mut c_int;
}

/// The size of a page of memory, the unit of a memory map.
pub fn page_size() -> usize {
    // SAFETY: getpagesize has no preconditions.
    unsafe { getpagesize() as usize }
}

/// The C library's message for `errnum`, as `strerror` prints it (`"No such file or directory"`).
pub fn error_string(errnum: i32) -> String {
    // SAFETY: strerror returns a pointer to a NUL-terminated string that glibc keeps valid at least until the next
    // strerror call of this thread (it is a static table entry for every known errno); it is copied at once.
    unsafe {
        let msg = strerror(errnum);
        if msg.is_null() {
            return format!("Unknown error {errnum}");
        }
        CStr::from_ptr(msg).to_string_lossy().into_owned()
    }
}

/// Closes `file` with close(2) and returns its error, which dropping a `File` throws away. The descriptor is
/// gone either way (Linux and macOS release it even when close fails).
pub fn close_file(file: impl IntoRawFd) -> io::Result<()> {
    let fd = file.into_raw_fd();
    // SAFETY: `into_raw_fd` gave us sole ownership of the open descriptor; it is closed exactly once, here.
    let result = unsafe { close(fd) };
    check_close(result)
}

/// A directory opened with `opendir`, read entry by entry with `readdir`. Dropping it calls `closedir` and
/// ignores the result, as LevelDB's `GetChildren` does: the entries were read, and a failed close of a directory
/// loses nothing (`std::fs::ReadDir` panics instead).
pub struct Dir {
    dir: *mut DirStream,
}

impl Dir {
    /// LevelDB: `::opendir(directory_path.c_str())`
    pub fn open(path: &CStr) -> io::Result<Dir> {
        // SAFETY: `path` is a NUL-terminated string that lives for the call.
        let dir = unsafe { opendir(path.as_ptr()) };
        if dir.is_null() {
            return Err(io::Error::last_os_error());
        }
        Ok(Dir { dir })
    }

    /// The next entry's name (`.` and `..` included, in the order `readdir` gives), `None` at the end. A failed
    /// read is an error rather than the end: a listing cut short would hide a log that must be replayed.
    pub fn next_name(&mut self) -> Option<io::Result<Vec<u8>>> {
        // SAFETY: readdir tells the end (NULL, errno unchanged) from an error (NULL, errno set) only through
        // errno, so it is cleared first; `__errno_location` returns this thread's errno.
        unsafe { *__errno_location() = 0 };
        // SAFETY: `self.dir` is an open stream (closed only in drop), used by one thread at a time (`&mut self`).
        let entry = unsafe { readdir(self.dir) };
        if entry.is_null() {
            let error = io::Error::last_os_error();
            return match error.raw_os_error() {
                Some(0) | None => None,
                Some(_) => Some(Err(error)),
            };
        }
        // SAFETY: `entry` points to a record valid until the next readdir on this stream; `d_name` is reached
        // through a raw pointer (the record may be shorter than `struct dirent`) and is NUL-terminated within the
        // record. The name is copied before the next call.
        let name = unsafe { CStr::from_ptr(std::ptr::addr_of!((*entry).d_name).cast::<c_char>()) };
        Some(Ok(name.to_bytes().to_vec()))
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        // SAFETY: `self.dir` came from opendir and is closed exactly once, here.
        let result = unsafe { closedir(self.dir) };
        // Ignored, as LevelDB's `::closedir(dir)` is.
        let _ = check_close(result);
    }
}

/// close(2) or closedir(3)'s result as an `io::Result`, through the test seam below.
fn check_close(result: c_int) -> io::Result<()> {
    #[cfg(test)]
    if let Some(errno) = close_fault::take() {
        return Err(io::Error::from_raw_os_error(errno));
    }
    if result != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

// The layouts above, checked against the sizes and offsets of the system headers of each target.
#[cfg(target_os = "linux")]
const _: () = {
    assert!(std::mem::size_of::<flock>() == 32);
    assert!(std::mem::offset_of!(flock, l_start) == 8);
    assert!(std::mem::offset_of!(flock, l_pid) == 24);
    assert!(std::mem::offset_of!(dirent, d_name) == 19);
};
#[cfg(target_os = "macos")]
const _: () = {
    assert!(std::mem::size_of::<flock>() == 24);
    assert!(std::mem::offset_of!(flock, l_type) == 20);
    assert!(std::mem::offset_of!(dirent, d_name) == 21);
};
const _: () = {
    assert!(std::mem::size_of::<tm>() == 56);
    assert!(std::mem::offset_of!(tm, tm_gmtoff) == 40);
    assert!(std::mem::size_of::<rlimit>() == 16);
};

/// A test seam for close errors, which the real system gives only on network file systems or failing disks: the
/// next close of a file or a directory on this thread closes it and then reports `errno`, as an `strace -e
/// inject=close:error=EIO` run does.
#[cfg(test)]
pub mod close_fault {
    use std::cell::Cell;

    thread_local! {
        static NEXT_CLOSE_ERROR: Cell<Option<i32>> = const { Cell::new(None) };
    }

    /// Makes this thread's next close fail with `errno`.
    pub fn fail_next_close(errno: i32) {
        NEXT_CLOSE_ERROR.with(|next| next.set(Some(errno)));
    }

    /// The pending error, taken (so a test can check that its close went through the seam).
    pub fn take() -> Option<i32> {
        NEXT_CLOSE_ERROR.with(|next| next.take())
    }
}
