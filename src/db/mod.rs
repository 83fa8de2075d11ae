//! The database: internal keys, the memtable, write batches, the log, file names, versions and compaction, the
//! table cache, and the DB itself with its iterator and snapshots.
//!
//! The DB is `db_impl/`, one file per path through it, each an `impl DBImpl` block: the state and the whole lock
//! order (`db_impl/mod.rs`), the public handle `DB` (`db.rs`), opening and recovery (`recovery.rs`), the write path
//! (`write.rs`, and `pipelined_write.rs` beside it), the read path (`read.rs`), flushes (`flush.rs`), compactions
//! and background work (`compaction.rs`), the background error and `resume` (`background_error.rs`), and
//! properties (`properties.rs`).
//!
//! LevelDB: db/

pub mod builder;
pub mod db_impl;
pub mod db_iter;
pub mod db_range;
pub mod dbformat;
pub mod dumpfile;
pub mod event_listener;
pub mod filename;
pub mod log;
pub mod memtable;
pub(crate) mod memtable_filter;
pub mod repair;
pub mod skiplist;
pub mod snapshot;
pub(crate) mod super_version;
pub mod table_cache;
pub mod version_edit;
pub mod version_set;
pub mod write_batch;
