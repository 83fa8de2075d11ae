//! Sorted tables: the immutable files that hold a database's data, and the iterators that read them.
//!
//! LevelDB: table/

pub mod block;
pub mod block_builder;
pub mod filter_block;
pub mod format;
pub mod iterator;
mod iterator_wrapper;
pub mod merger;
// LevelDB's file names: table/table.cc lives in table/.
#[allow(clippy::module_inception)]
pub mod table;
pub mod table_builder;
pub mod two_level_iterator;

pub use table::Table;
pub use table_builder::TableBuilder;
