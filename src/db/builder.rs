//! `build_table`: writes the contents of a memtable (through its iterator) into a new level-0 table file.
//!
//! On success the file is synced, closed, and opened once through the table cache to check that it is usable, and
//! `meta` describes it. An empty input writes nothing; a failure removes the partial file.
//!
//! LevelDB: db/builder.cc

use std::path::Path;
use std::sync::Arc;

use crate::db::filename::table_file_name;
use crate::db::table_cache::TableCache;
use crate::db::version_edit::FileMetaData;
use crate::env::Env;
use crate::error::Result;
use crate::options::{Options, ReadOptions};
use crate::table::iterator::Iterator;
use crate::table::TableBuilder;

/// Builds a table file from the contents of `iter`, named after `meta.number`. On success, the rest of `meta`
/// is filled with the table's size and key range; if `iter` has no data, `meta.file_size` is 0 and no file is
/// made.
///
/// LevelDB: BuildTable
pub fn build_table(
    dbname: &Path,
    env: &dyn Env,
    options: &Options,
    table_cache: &Arc<TableCache>,
    iter: &mut dyn Iterator,
    meta: &mut FileMetaData,
) -> Result<()> {
    let mut status = Ok(());
    meta.file_size = 0;
    iter.seek_to_first();

    let fname = table_file_name(dbname, meta.number);
    if iter.valid() {
        let file = env.new_writable_file(&fname)?;
        let mut builder = TableBuilder::new(options, file);
        meta.smallest.decode_from(iter.key());
        let mut last_key = Vec::new();
        while iter.valid() {
            last_key.clear();
            last_key.extend_from_slice(iter.key());
            builder.add(&last_key, iter.value());
            iter.next();
        }
        if !last_key.is_empty() {
            meta.largest.decode_from(&last_key);
        }

        // Finish and check for builder errors.
        status = builder.finish();
        if status.is_ok() {
            meta.file_size = builder.file_size();
            debug_assert!(meta.file_size > 0);
        }

        // Finish and check for file errors.
        if status.is_ok() {
            status = builder.file().sync();
        }
        if status.is_ok() {
            status = builder.file().close();
        }
        drop(builder);

        if status.is_ok() {
            // Verify that the table is usable.
            let it = table_cache.new_iterator(&ReadOptions::default(), meta.number, meta.file_size);
            status = it.status();
        }
    }

    // Check for input iterator errors.
    if let Err(e) = iter.status() {
        status = Err(e);
    }

    if status.is_ok() && meta.file_size > 0 {
        // Keep it.
    } else {
        let _ = env.remove_file(&fname);
    }
    status
}
