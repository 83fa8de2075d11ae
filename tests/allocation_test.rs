//! The allocation promises: a memtable insert allocates nothing outside the memtable's arena; iterating a block and
//! probing a bloom filter allocate nothing per entry; a table scan allocates per block read, never per entry (each
//! key is copied once, into the block iterator's reused key buffer, and handed out from there); a thread that writes
//! alone allocates no queue entry per write.
//!
//! The test binary counts the allocations its own thread makes, through a global allocator that wraps the system's:
//! other test threads running at the same time do not disturb the counts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;
use std::sync::Arc;

use oxleveldb::db::dbformat::{InternalKeyComparator, ValueType};
use oxleveldb::db::memtable::MemTable;
use oxleveldb::env::{default_env, Env, MemEnv};
use oxleveldb::table::block::Block;
use oxleveldb::table::block_builder::BlockBuilder;
use oxleveldb::table::iterator::Iterator as _;
use oxleveldb::table::Table;
use oxleveldb::table::TableBuilder;
use oxleveldb::util::bloom::BloomFilterPolicy;
use oxleveldb::util::comparator::bytewise_comparator;
use oxleveldb::util::filter_policy::FilterPolicy;
use oxleveldb::{Options, ReadOptions};

/// The system allocator, counting the allocations (and reallocations) of each thread.
struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count_one() {
    // `try_with`: the thread's counter may already be gone while the thread exits.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every call is passed on to the system allocator unchanged; counting touches only a const-initialized
// thread local, which never allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: the caller's contract for `layout` is System's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: `ptr` was allocated by this allocator, that is by System, with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// How many allocations this thread makes while running `f`.
fn allocations_in<T>(f: impl FnOnce() -> T) -> (u64, T) {
    let before = ALLOCATIONS.with(Cell::get);
    let result = f();
    (ALLOCATIONS.with(Cell::get) - before, result)
}

fn key(i: usize) -> Vec<u8> {
    format!("key{i:08}").into_bytes()
}

fn value(i: usize) -> Vec<u8> {
    format!("value{i:08}-").repeat(8).into_bytes()
}

#[test]
fn memtable_inserts_allocate_only_arena_blocks() {
    const N: usize = 5000;
    let mem = MemTable::new(InternalKeyComparator::new(bytewise_comparator()), 4 << 20);
    let keys: Vec<Vec<u8>> = (0..N).map(key).collect();
    let values: Vec<Vec<u8>> = (0..N).map(value).collect();
    let usage_before = mem.approximate_memory_usage();
    let (n, ()) = allocations_in(|| {
        for (i, (k, v)) in keys.iter().zip(&values).enumerate() {
            mem.add(i as u64 + 1, ValueType::Value, k, v);
        }
    });
    // The arena's new blocks (4 KiB each, plus those of entries over 1 KiB; none here), and the growth of its list
    // of blocks (a vector that doubles).
    let blocks = (mem.approximate_memory_usage() - usage_before).div_ceil(4096) as u64;
    assert!(blocks > 100, "{blocks} blocks");
    assert!(
        n <= blocks + 2 * u64::from(blocks.ilog2() + 1),
        "{n} allocations for {N} inserts that took {blocks} arena blocks"
    );
}

#[test]
fn iterating_a_block_allocates_nothing_per_entry() {
    const N: usize = 2000;
    let keys: Vec<Vec<u8>> = (0..N).map(key).collect();
    let mut builder = BlockBuilder::new(bytewise_comparator(), 16);
    for (i, k) in keys.iter().enumerate() {
        builder.add(k, &value(i));
    }
    let block = Arc::new(Block::new(builder.finish().to_vec()));
    let mut iter = block.iter(bytewise_comparator());
    // A first pass each way grows the iterator's buffers (the key, and the restart interval that steps back use)
    // to their largest; from then on they are reused.
    iter.seek_to_first();
    while iter.valid() {
        iter.next();
    }
    iter.seek_to_last();
    while iter.valid() {
        iter.prev();
    }

    let (forward, seen) = allocations_in(|| {
        let mut seen = 0;
        iter.seek_to_first();
        while iter.valid() {
            assert_eq!(iter.key(), keys[seen].as_slice());
            seen += 1;
            iter.next();
        }
        seen
    });
    assert_eq!(seen, N);
    assert_eq!(forward, 0, "allocations of a forward pass over {N} entries");

    let (backward, ()) = allocations_in(|| {
        iter.seek_to_last();
        while iter.valid() {
            iter.prev();
        }
    });
    assert_eq!(backward, 0, "allocations of a backward pass");

    let probe = &keys[N / 2];
    let (seeks, ()) = allocations_in(|| {
        for _ in 0..100 {
            iter.seek(probe);
            assert!(iter.valid());
        }
    });
    assert_eq!(seeks, 0, "allocations of 100 seeks");
}

#[test]
fn probing_a_bloom_filter_allocates_nothing() {
    let policy = BloomFilterPolicy::new(10);
    let keys: Vec<Vec<u8>> = (0..1000).map(key).collect();
    let refs: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
    let mut filter = Vec::new();
    policy.create_filter(&refs, &mut filter);
    let absent: Vec<Vec<u8>> = (1000..2000).map(key).collect();

    let (n, (hits, false_positives)) = allocations_in(|| {
        let hits = keys
            .iter()
            .filter(|k| policy.key_may_match(k, &filter))
            .count();
        let false_positives = absent
            .iter()
            .filter(|k| policy.key_may_match(k, &filter))
            .count();
        (hits, false_positives)
    });
    assert_eq!(n, 0, "allocations of 2000 probes");
    assert_eq!(hits, 1000, "no false negatives");
    assert!(false_positives < 40, "{false_positives} false positives");
}

#[test]
fn a_table_scan_allocates_per_block_not_per_entry() {
    const N: usize = 20000;
    let env = MemEnv::new(default_env());
    let fname = Path::new("/table");
    let options = Options::default();
    let mut builder = TableBuilder::new(&options, env.new_writable_file(fname).unwrap());
    for i in 0..N {
        builder.add(&key(i), &value(i));
    }
    builder.finish().unwrap();
    builder.file().close().unwrap();
    let size = env.get_file_size(fname).unwrap();
    let table = Table::open(&options, env.new_random_access_file(fname).unwrap(), size).unwrap();
    // The data blocks: entries of about 115 bytes, cut at options.block_size (4 KiB).
    let blocks = (N * 115).div_ceil(options.block_size);

    let mut iter = table.new_iterator(&ReadOptions::default());
    let (forward, seen) = allocations_in(|| {
        let mut seen = 0;
        iter.seek_to_first();
        while iter.valid() {
            seen += 1;
            iter.next();
        }
        seen
    });
    assert_eq!(seen, N);
    assert!(
        forward < (blocks as u64) * 8,
        "{forward} allocations for {N} entries in about {blocks} blocks"
    );

    let (backward, ()) = allocations_in(|| {
        iter.seek_to_last();
        while iter.valid() {
            iter.prev();
        }
    });
    assert!(
        backward < (blocks as u64) * 8,
        "{backward} allocations for a backward scan of {N} entries in about {blocks} blocks"
    );
}

/// A thread that writes alone reuses its writer (the queue's entry for it) from one write to the next: a write of a
/// prepared batch allocates only the memtable's arena blocks, and what the log file's buffer and the log itself
/// grow by.
#[test]
fn a_write_alone_allocates_no_writer() {
    const N: usize = 5000;
    let env: Arc<dyn Env> = Arc::new(MemEnv::new(default_env()));
    let options = Options {
        create_if_missing: true,
        env,
        ..Options::default()
    };
    let db = oxleveldb::DB::open(options, Path::new("/alloc_write")).unwrap();
    let batches: Vec<oxleveldb::WriteBatch> = (0..N)
        .map(|i| {
            let mut batch = oxleveldb::WriteBatch::new();
            batch.put(key(i), value(i));
            batch
        })
        .collect();
    db.write(&batches[0]).unwrap();
    let (n, ()) = allocations_in(|| {
        for batch in &batches[1..] {
            db.write(batch).unwrap();
        }
    });
    // About 30 entries of this size fill an arena block; the in-memory log file grows by doubling.
    assert!(n < N as u64 / 10, "{n} allocations for {N} writes");
}
