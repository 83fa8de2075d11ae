//! Utilities below everything else: encodings, checksums, hashing, the arena, the random generator, comparators,
//! filter policies, the LRU cache, printing helpers, prefetching, and the synchronization types that loom can
//! replace.
//!
//! LevelDB: util/

pub mod arena;
pub mod bloom;
pub mod cache;
pub mod coding;
pub mod comparator;
pub mod crc;
pub mod filter_policy;
pub mod hash;
pub mod logging;
pub mod prefetch;
pub mod random;
#[cfg(feature = "snappy")]
pub mod snappy;
pub(crate) mod sync;
