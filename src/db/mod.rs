//! The database: internal keys, the memtable, write batches, the log, and (in later layers) versions, compaction
//! and the DB itself.
//!
//! LevelDB: db/

pub mod dbformat;
pub mod dumpfile;
pub mod filename;
pub mod log;
pub mod memtable;
pub mod skiplist;
pub mod snapshot;
pub mod version_edit;
pub mod write_batch;
