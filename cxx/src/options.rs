//! `leveldb::Options` and `leveldb::ReadOptions`, as the C++ layer maps them (`OxOptions`, `OxReadOptions` in
//! ffi.h), turned into the engine's.
//!
//! LevelDB: include/leveldb/options.h

use std::ffi::{c_int, c_void};
use std::sync::Arc;

use crate::env::EnvHandle;
use crate::parts::LruCache;
use crate::user::{CxxComparator, CxxFilterPolicy, CxxLogger};
use crate::user_env::CxxEnv;
use ox::{bytewise_comparator, BloomFilterPolicy, CompressionType, Options, ReadOptions, Snapshot};

/// LevelDB's options with each pointer mapped by the C++ layer (ffi.h's `OxOptions`, field for field).
#[repr(C)]
pub struct OxOptions {
    /// A program's `leveldb::Comparator`, or null for `BytewiseComparator()`.
    comparator: *const c_void,
    /// A program's `leveldb::FilterPolicy`, or null.
    filter_policy: *const c_void,
    /// A bloom policy of `NewBloomFilterPolicy` (parts.rs), or null.
    bloom: *const BloomFilterPolicy,
    /// A cache of `NewLRUCache` (parts.rs), or null.
    block_cache: *const LruCache,
    /// A program's `leveldb::Logger`, or null for the LOG file.
    info_log: *mut c_void,
    write_buffer_size: usize,
    block_size: usize,
    max_file_size: usize,
    max_open_files: c_int,
    block_restart_interval: c_int,
    compression: c_int,
    /// An environment of env.rs, or null.
    env: *const EnvHandle,
    /// A program's `leveldb::Env`, or null.
    user_env: *mut c_void,
    create_if_missing: bool,
    error_if_exists: bool,
    paranoid_checks: bool,
    reuse_logs: bool,
}

/// A negative C++ `int` option counts as 0, which the engine clips as LevelDB clips a negative number.
fn non_negative(n: c_int) -> usize {
    usize::try_from(n).unwrap_or(0)
}

impl OxOptions {
    /// The engine's options. A program's comparator, filter policy and logger are called through the C++
    /// layer; `compression` other than `kNoCompression` is snappy (LevelDB knows no other).
    pub unsafe fn to_options(&self) -> Options {
        let defaults = Options::default();
        Options {
            comparator: if self.comparator.is_null() {
                bytewise_comparator()
            } else {
                // SAFETY: ffi.h: a non-null comparator is a program's, alive while the database uses it.
                Arc::new(unsafe { CxxComparator::new(self.comparator) })
            },
            filter_policy: if !self.bloom.is_null() {
                // SAFETY: ffi.h: a non-null bloom pointer is one parts.rs made and has not destroyed.
                Some(Arc::new(unsafe { (*self.bloom).clone() }))
            } else if !self.filter_policy.is_null() {
                // SAFETY: ffi.h: a non-null filter policy is a program's, alive while the database uses it.
                Some(Arc::new(unsafe {
                    CxxFilterPolicy::new(self.filter_policy)
                }))
            } else {
                None
            },
            // SAFETY: ffi.h: a non-null cache pointer is one parts.rs made and has not destroyed.
            block_cache: unsafe { self.block_cache.as_ref() }.map(|c| c.blocks.clone()),
            info_log: (!self.info_log.is_null())
                .then(|| Arc::new(CxxLogger::new(self.info_log)) as Arc<dyn ox::Logger>),
            create_if_missing: self.create_if_missing,
            error_if_exists: self.error_if_exists,
            paranoid_checks: self.paranoid_checks,
            write_buffer_size: self.write_buffer_size,
            max_open_files: non_negative(self.max_open_files),
            block_size: self.block_size,
            block_restart_interval: non_negative(self.block_restart_interval),
            max_file_size: self.max_file_size,
            compression: if self.compression == 0 {
                CompressionType::NoCompression
            } else {
                CompressionType::SnappyCompression
            },
            reuse_logs: self.reuse_logs,
            env: if !self.user_env.is_null() {
                Arc::new(CxxEnv::new(self.user_env))
            } else {
                // SAFETY: ffi.h: a non-null environment is one env.rs made and has not destroyed.
                unsafe { self.env.as_ref() }
                    .cloned()
                    .unwrap_or_else(ox::env::default_env)
            },
            ..defaults
        }
    }
}

/// LevelDB's read options with the snapshot mapped by the C++ layer (ffi.h's `OxReadOptions`).
#[repr(C)]
pub struct OxReadOptions {
    /// A snapshot db.rs made, or null.
    snapshot: *const Snapshot,
    verify_checksums: bool,
    fill_cache: bool,
}

impl OxReadOptions {
    /// The engine's read options.
    pub unsafe fn to_read_options(&self) -> ReadOptions {
        ReadOptions {
            verify_checksums: self.verify_checksums,
            fill_cache: self.fill_cache,
            // SAFETY: ffi.h: a non-null snapshot is one db.rs made and the program has not released.
            snapshot: unsafe { self.snapshot.as_ref() }.cloned(),
        }
    }
}
