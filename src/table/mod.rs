//! Sorted tables (`.ldb` files): the immutable files that hold a database's data, and the iterators that read
//! them. A learner can drive this layer alone: build a table with [`TableBuilder`], open it with
//! [`Table::open`], and walk it with the cursor [`Iterator`](iterator::Iterator).
//!
//! ```text
//! <beginning_of_file>
//! [data block 1] ... [data block N]        sorted key/value entries, prefix-compressed, restart points
//! [meta block: filter]                     the bloom filters of the data blocks (if a filter policy is set)
//! [metaindex block]                        "filter.<policy name>" -> the filter block's handle
//! [index block]                            a key >= each data block's last key -> that block's handle
//! [Footer]                                 48 bytes: the metaindex and index handles, then the magic number
//! <end_of_file>
//! ```
//!
//! ```
//! use oxleveldb::table::{iterator::Iterator as _, Table, TableBuilder};
//! use oxleveldb::{env::default_env, Env, Options, ReadOptions};
//!
//! # fn main() -> oxleveldb::Result<()> {
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("000005.ldb");
//! let env = default_env();
//! let options = Options::default();
//! // Keys must be added in order (here the bytewise order of the default comparator).
//! let mut builder = TableBuilder::new(&options, env.new_writable_file(&path)?);
//! for i in 0..1000 {
//!     builder.add(format!("key{i:04}").as_bytes(), b"value");
//! }
//! builder.finish()?;
//! assert_eq!(builder.num_entries(), 1000);
//! let size = builder.file_size();
//! drop(builder);
//!
//! let table = Table::open(&options, env.new_random_access_file(&path)?, size)?;
//! let mut iter = table.new_iterator(&ReadOptions::default());
//! iter.seek(b"key0500");
//! assert_eq!((iter.key(), iter.value()), (&b"key0500"[..], &b"value"[..]));
//! # Ok(())
//! # }
//! ```
//!
//! LevelDB: table/, include/leveldb/table.h, table_builder.h

internal_mod! {
    block;
    block_buffers;
    block_builder;
    filter_block;
    format;
    key_buffer;
    // A table cut into named regions, for the tools (`oxldb sst_layout`) and the course; the engine never uses it.
    #[cfg(feature = "internals")]
    layout;
    merger;
    two_level_iterator;
}
pub mod iterator;
mod iterator_wrapper;
mod lookup_trace;
// LevelDB's file names: table/table.cc lives in table/.
#[allow(clippy::module_inception)]
mod table;
mod table_builder;

pub use lookup_trace::{BlockSource, FilterAnswer, TableLookup};
pub use table::Table;
pub use table_builder::TableBuilder;
