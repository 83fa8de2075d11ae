//! oxleveldb: LevelDB 1.23, written again in Rust.
//!
//! The same files on disk, the same behaviour, the same structure: a database written by either engine opens in
//! the other. Each module names the LevelDB file it corresponds to, and each main item its LevelDB counterpart.

#[cfg(feature = "capi")]
pub mod capi;
pub mod db;
pub mod env;
pub mod error;
pub mod options;
pub mod table;
pub mod txn;
pub mod util;

pub use db::db_impl::{destroy_db, Range, DB};
pub use db::db_iter::DBIterator;
pub use db::log;
pub use db::repair::repair_db;
pub use db::snapshot::Snapshot;
pub use db::write_batch::WriteBatch;
pub use error::{Error, Result};
pub use options::{CompressionType, Options, ReadOptions, WriteOptions};
