//! The few C library functions `PosixEnv` needs that Rust's standard library does not offer: whole-file
//! `fcntl` locks (so that a LevelDB process and an oxleveldb process exclude each other), `strerror` (so that
//! error messages read exactly as LevelDB's), memory maps for table reads, the local time and thread id of the
//! info log's line prefix, and the limits LevelDB sizes its caches of open files by.
//!
//! They are declared here instead of through a crate, to keep the library's dependencies to `crc32c`.
//! The constants and struct layouts are Linux's (x86-64 and AArch64 share them).

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_int, c_long, c_void, CStr};

pub type off_t = i64;

/// `struct flock` on Linux (64-bit `off_t`).
#[repr(C)]
pub struct flock {
    pub l_type: i16,
    pub l_whence: i16,
    pub l_start: off_t,
    pub l_len: off_t,
    pub l_pid: i32,
}

/// `struct tm` as glibc lays it out.
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

/// `struct rlimit`.
#[repr(C)]
pub struct rlimit {
    pub rlim_cur: u64,
    pub rlim_max: u64,
}

pub type time_t = i64;

pub const F_SETLK: c_int = 6;
pub const F_WRLCK: i16 = 1;
pub const F_UNLCK: i16 = 2;
pub const SEEK_SET: i16 = 0;

pub const PROT_READ: c_int = 1;
pub const MAP_SHARED: c_int = 1;
pub const MAP_FAILED: *mut c_void = !0usize as *mut c_void;

pub const RLIMIT_NOFILE: c_int = 7;
pub const RLIM_INFINITY: u64 = !0u64;

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
