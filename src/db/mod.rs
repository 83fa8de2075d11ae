//! The database: internal keys, the memtable, write batches, the log, file names, versions and compaction, the
//! table cache, and the DB itself with its iterator and snapshots.
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
pub mod repair;
pub mod skiplist;
pub mod snapshot;
pub(crate) mod super_version;
pub mod table_cache;
pub mod version_edit;
pub mod version_set;
pub mod write_batch;
