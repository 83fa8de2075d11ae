//! Targets `block` and `table`: the input is a block's contents (table/block_builder.cc) or a whole table file
//! (table/table_builder.cc), opened and walked every way a reader walks it: first to last, last to first, a seek
//! to every key found and to keys taken from the input, `Table::InternalGet`, `ApproximateOffsetOf`.
//!
//! Oracles: no panic; bounded allocation (a block handle or a snappy length may claim gigabytes); every error is
//! one LevelDB's table readers give.

use std::path::Path;
use std::sync::Arc;

use oxleveldb::env::{default_env, write_string_to_file, Env, MemEnv};
use oxleveldb::table::block::Block;
use oxleveldb::table::iterator::Iterator;
use oxleveldb::table::Table;
use oxleveldb::util::bloom::BloomFilterPolicy;
use oxleveldb::util::comparator::bytewise_comparator;
use oxleveldb::{Options, ReadOptions};

use super::{alloc_bound, messages};

/// Seeks tried per walk, at most (a block of tiny entries has thousands of keys).
const MAX_SEEKS: usize = 64;

/// Walks `iter` every way: forward, backward, and seeks to the keys found and to `probes`; checks every status.
fn walk(what: &str, iter: &mut dyn Iterator, probes: &[&[u8]]) {
    let mut keys = Vec::new();
    iter.seek_to_first();
    while iter.valid() {
        if keys.len() < MAX_SEEKS {
            keys.push(iter.key().to_vec());
        }
        let _ = iter.value();
        iter.next();
    }
    check_status(what, iter);
    iter.seek_to_last();
    while iter.valid() {
        let _ = (iter.key(), iter.value());
        iter.prev();
    }
    check_status(what, iter);
    for target in keys.iter().map(Vec::as_slice).chain(probes.iter().copied()) {
        iter.seek(target);
        // A step each way from the seek: the direction switches are where iterators keep the most state.
        if iter.valid() {
            iter.prev();
        }
        if iter.valid() {
            iter.next();
        }
        if iter.valid() {
            iter.next();
        }
        check_status(what, iter);
    }
}

fn check_status(what: &str, iter: &dyn Iterator) {
    if let Err(e) = iter.status() {
        messages::check(what, &e, messages::TABLE);
    }
}

/// Short probes cut from the input: a few byte strings at fixed places.
fn probes(data: &[u8]) -> Vec<&[u8]> {
    (0..4)
        .map(|i| {
            let start = (i * 37) % (data.len() + 1);
            &data[start..(start + 9).min(data.len())]
        })
        .collect()
}

/// Target `block`: the input is a block's contents.
pub fn run_block(data: &[u8]) {
    alloc_bound::within("a block", alloc_bound::reader_limit(data.len()), || {
        let block = Arc::new(Block::new(data.to_vec()));
        let mut iter = block.iter(bytewise_comparator());
        walk("a block", &mut iter, &probes(data));
    });
}

/// Target `table`: the first byte chooses the options (paranoid checks, checksums, a bloom filter), the rest is
/// the table file.
pub fn run_table(data: &[u8]) {
    let Some((&flags, file)) = data.split_first() else {
        return;
    };
    let env = MemEnv::new(default_env());
    let path = Path::new("/fuzz/000005.ldb");
    write_string_to_file(&env, file, path).expect("MemEnv writes");
    let options = Options {
        paranoid_checks: flags & 1 != 0,
        filter_policy: (flags & 4 != 0).then(|| Arc::new(BloomFilterPolicy::new(10)) as Arc<_>),
        ..Options::default()
    };
    let read_options = ReadOptions {
        verify_checksums: flags & 2 != 0,
        ..ReadOptions::default()
    };
    let probes = probes(file);
    alloc_bound::within("a table", alloc_bound::reader_limit(data.len()), || {
        let source = env
            .new_random_access_file(path)
            .expect("the file was written");
        let table = match Table::open(&options, source, file.len() as u64) {
            Ok(table) => table,
            Err(e) => return messages::check("Table::open", &e, messages::TABLE),
        };
        walk("a table", &mut *table.new_iterator(&read_options), &probes);
        for key in &probes {
            if let Err(e) = table.internal_get(&read_options, key, &mut |_, _| {}) {
                messages::check("Table::InternalGet", &e, messages::TABLE);
            }
            table.approximate_offset_of(key);
        }
    });
}
