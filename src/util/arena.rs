//! A bump allocator: the memory of one memtable.
//!
//! Memory comes in 4096-byte blocks and is handed out front to back; nothing is freed until the arena is dropped,
//! when every block goes at once. A request larger than a quarter block gets a block of its own, so that the rest of
//! the current block is not wasted.
//!
//! `memory_usage` counts what LevelDB counts: every block's size plus one pointer per block. The memtable's size
//! is this number, and it decides when a memtable is full and flushed, so it must match LevelDB's to the byte
//! for the two engines to cut their level-0 tables at the same keys.
//!
//! Invariant: every pointer handed out stays valid, and is never handed out again, until the arena is dropped.
//! The memory handed out is uninitialized: its user writes it before anything reads it.

use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::ptr::NonNull;

const BLOCK_SIZE: usize = 4096;
/// Blocks are allocated with this alignment, so a fresh block's first byte suits any aligned request.
const BLOCK_ALIGN: usize = 8;
/// `AllocateAligned` rounds up to the larger of a pointer's size and 8, as LevelDB does.
const ALIGN: usize = if std::mem::size_of::<*const u8>() > 8 {
    std::mem::size_of::<*const u8>()
} else {
    8
};

/// LevelDB: Arena
pub struct Arena {
    /// The next free byte of the current block.
    alloc_ptr: *mut u8,
    alloc_bytes_remaining: usize,
    /// Every block allocated, with its size, to be freed on drop.
    blocks: Vec<(NonNull<u8>, usize)>,
    memory_usage: usize,
}

// SAFETY: the arena owns its blocks outright; the raw pointers are only an address book of that memory. Moving
// the arena to another thread moves the ownership with it.
unsafe impl Send for Arena {}

impl Default for Arena {
    fn default() -> Self {
        Arena::new()
    }
}

impl Arena {
    /// LevelDB: Arena::Arena
    pub fn new() -> Arena {
        Arena {
            alloc_ptr: std::ptr::null_mut(),
            alloc_bytes_remaining: 0,
            blocks: Vec::new(),
            memory_usage: 0,
        }
    }

    /// Returns a pointer to `bytes` fresh, uninitialized bytes, valid until the arena is dropped. `bytes` must be > 0.
    ///
    /// LevelDB: Arena::Allocate
    pub fn allocate(&mut self, bytes: usize) -> NonNull<u8> {
        // 0-byte allocations would make the semantics of what to return unclear; LevelDB forbids them too.
        assert!(bytes > 0, "arena allocations must not be empty");
        if bytes <= self.alloc_bytes_remaining {
            return self.take(bytes);
        }
        self.allocate_fallback(bytes)
    }

    /// Like [`Arena::allocate`], with the result aligned to 8 bytes (the alignment of a pointer on 64-bit systems).
    ///
    /// LevelDB: Arena::AllocateAligned
    pub fn allocate_aligned(&mut self, bytes: usize) -> NonNull<u8> {
        let current_mod = (self.alloc_ptr as usize) & (ALIGN - 1);
        let slop = if current_mod == 0 {
            0
        } else {
            ALIGN - current_mod
        };
        let needed = bytes + slop;
        if needed <= self.alloc_bytes_remaining {
            self.take(slop);
            return self.take(bytes);
        }
        // A fallback allocation always starts a block, and blocks are aligned.
        self.allocate_fallback(bytes)
    }

    /// A skiplist node of `node_bytes` (aligned) and its key's data of `data_bytes` (zero for a key without
    /// data): LevelDB's `Allocate(data_bytes)` followed by `AllocateAligned(node_bytes)`, which is what
    /// `MemTable::Add` and then `SkipList::NewNode` ask for, with the same effect on the arena to the byte.
    /// Returns `(node, data)`.
    ///
    /// The difference is only where the two go within the bytes LevelDB would take. When both come out of one
    /// block, LevelDB lays them out `[data][slop][node]`: a search that reaches the node finds the key it must
    /// compare one or more cache lines back, and waits twice. Here the same span holds `[node][data][slop]`, so the
    /// key starts right after the node's links. When they do not share a block (a large entry, or a node that
    /// spills into the next block), they are allocated exactly as LevelDB allocates them.
    pub fn allocate_node_with_data(
        &mut self,
        node_bytes: usize,
        data_bytes: usize,
    ) -> (NonNull<u8>, NonNull<u8>) {
        if data_bytes == 0 {
            return (self.allocate_aligned(node_bytes), NonNull::dangling());
        }
        if data_bytes > self.alloc_bytes_remaining && data_bytes <= BLOCK_SIZE / 4 {
            // LevelDB's Allocate(data_bytes) starts a new block here and takes the data from its front.
            self.start_block();
        }
        let aligned = (self.alloc_ptr as usize) & (ALIGN - 1) == 0;
        let slop = (ALIGN - data_bytes % ALIGN) % ALIGN;
        if aligned && data_bytes + slop + node_bytes <= self.alloc_bytes_remaining {
            let node = self.take(node_bytes);
            let data = self.take(data_bytes);
            self.take(slop);
            return (node, data);
        }
        let data = self.allocate(data_bytes);
        (self.allocate_aligned(node_bytes), data)
    }

    /// The memory the arena holds, as LevelDB counts it: block bytes plus a pointer per block.
    ///
    /// LevelDB: Arena::MemoryUsage
    pub fn memory_usage(&self) -> usize {
        self.memory_usage
    }

    /// Hands out `bytes` from the current block; the caller has checked that they fit.
    fn take(&mut self, bytes: usize) -> NonNull<u8> {
        debug_assert!(bytes <= self.alloc_bytes_remaining);
        let result = self.alloc_ptr;
        // SAFETY: `bytes <= alloc_bytes_remaining`, so the advanced pointer stays inside (or one past the end of)
        // the current block.
        self.alloc_ptr = unsafe { self.alloc_ptr.add(bytes) };
        self.alloc_bytes_remaining -= bytes;
        // The current block exists whenever bytes > 0 fit, and block memory is never null.
        NonNull::new(result).unwrap_or(NonNull::dangling())
    }

    /// LevelDB: Arena::AllocateFallback
    fn allocate_fallback(&mut self, bytes: usize) -> NonNull<u8> {
        if bytes > BLOCK_SIZE / 4 {
            // A large object gets its own block, so the rest of the current block is not wasted.
            return self.allocate_new_block(bytes);
        }
        self.start_block();
        self.take(bytes)
    }

    /// Starts a new standard block and serves from it; the rest of the current one is wasted.
    fn start_block(&mut self) {
        self.alloc_ptr = self.allocate_new_block(BLOCK_SIZE).as_ptr();
        self.alloc_bytes_remaining = BLOCK_SIZE;
    }

    /// LevelDB: Arena::AllocateNewBlock
    fn allocate_new_block(&mut self, block_bytes: usize) -> NonNull<u8> {
        let layout = Layout::from_size_align(block_bytes, BLOCK_ALIGN).expect("arena block layout");
        // SAFETY: `block_bytes > 0` (every caller asks for at least one byte), so the layout is not zero-sized.
        // Not zeroed, as LevelDB's `new char[]` is not: zeroing a 4 KiB block for every ~30 entries was 4% of a
        // sequential writer's instructions. Every byte handed out is written before it is read (the skiplist writes
        // its nodes, the memtable its entries, `EntryWriter`).
        let block = unsafe { alloc(layout) };
        let Some(block) = NonNull::new(block) else {
            handle_alloc_error(layout)
        };
        self.blocks.push((block, block_bytes));
        self.memory_usage += block_bytes + std::mem::size_of::<*const u8>();
        block
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        for &(block, size) in &self.blocks {
            // SAFETY: each block was allocated in `allocate_new_block` with exactly this size and alignment, and is
            // freed once, here.
            unsafe {
                dealloc(
                    block.as_ptr(),
                    Layout::from_size_align_unchecked(size, BLOCK_ALIGN),
                )
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::random::Random;

    // LevelDB: ArenaTest.Empty
    #[test]
    fn empty() {
        let arena = Arena::new();
        assert_eq!(arena.memory_usage(), 0);
    }

    // LevelDB: ArenaTest.Simple — fill allocations with a known pattern and check nothing overlaps.
    #[test]
    fn simple() {
        let mut allocated: Vec<(usize, NonNull<u8>)> = Vec::new();
        let mut arena = Arena::new();
        const N: usize = 100000;
        let mut bytes = 0usize;
        let mut rnd = Random::new(301);
        for i in 0..N {
            let mut s = if i % (N / 10) == 0 {
                i
            } else if rnd.one_in(4000) {
                rnd.uniform(6000) as usize
            } else if rnd.one_in(10) {
                rnd.uniform(100) as usize
            } else {
                rnd.uniform(20) as usize
            };
            if s == 0 {
                // Our arena disallows size 0 allocations.
                s = 1;
            }
            let aligned = rnd.one_in(10);
            let r = if aligned {
                arena.allocate_aligned(s)
            } else {
                arena.allocate(s)
            };
            if aligned {
                assert_eq!(r.as_ptr() as usize % 8, 0);
            }
            for b in 0..s {
                // SAFETY: `r` points to `s` bytes owned by the arena.
                unsafe { *r.as_ptr().add(b) = (i % 256) as u8 };
            }
            bytes += s;
            allocated.push((s, r));
            assert!(arena.memory_usage() >= bytes);
            if i > N / 10 {
                assert!(arena.memory_usage() as f64 <= bytes as f64 * 1.10);
            }
        }
        for (i, &(num_bytes, p)) in allocated.iter().enumerate() {
            for b in 0..num_bytes {
                // SAFETY: as above; the arena is still alive.
                assert_eq!(unsafe { *p.as_ptr().add(b) } as usize, i % 256);
            }
        }
    }

    /// A node and its data take what LevelDB's `Allocate(data)` then `AllocateAligned(node)` take, to the byte and
    /// at every step, and share a span with the node first whenever both fit in one block.
    #[test]
    fn a_node_with_its_data_is_counted_as_leveldbs_two_requests() {
        let mut arena = Arena::new();
        let mut leveldb = Arena::new();
        let mut rnd = Random::new(301);
        let mut colocated = 0;
        for i in 0..20000 {
            let node_bytes = 8 + 8 * (1 + rnd.uniform(12) as usize);
            let data_bytes = match i % 100 {
                0 => 1025 + rnd.uniform(3000) as usize,
                1 => 0,
                _ => 1 + rnd.uniform(300) as usize,
            };
            let (node, data) = arena.allocate_node_with_data(node_bytes, data_bytes);
            if data_bytes > 0 {
                leveldb.allocate(data_bytes);
            }
            leveldb.allocate_aligned(node_bytes);
            assert_eq!(arena.memory_usage(), leveldb.memory_usage(), "request {i}");
            assert_eq!(arena.alloc_bytes_remaining, leveldb.alloc_bytes_remaining, "request {i}");
            assert_eq!(node.as_ptr() as usize % 8, 0);
            if data.as_ptr() as usize == node.as_ptr() as usize + node_bytes {
                colocated += 1;
            }
            // SAFETY: both are fresh allocations of these sizes.
            unsafe {
                std::ptr::write_bytes(node.as_ptr(), 0xaa, node_bytes);
                std::ptr::write_bytes(data.as_ptr(), 0x55, data_bytes);
                assert!((0..node_bytes).all(|b| *node.as_ptr().add(b) == 0xaa), "request {i}");
            }
        }
        // Only large entries, nodes without data, and nodes that spill into the next block are apart.
        assert!(colocated > 20000 * 9 / 10, "{colocated}");
    }

    #[test]
    fn aligned_allocations_are_aligned_and_counted_as_leveldb_does() {
        let mut arena = Arena::new();
        arena.allocate(3);
        assert_eq!(arena.memory_usage(), 4096 + 8);
        let p = arena.allocate_aligned(16);
        assert_eq!(p.as_ptr() as usize % 8, 0);
        // 3 + 5 (slop) + 16 bytes are used: 4072 remain, and a request that fits is served from the block.
        arena.allocate(4000);
        assert_eq!(arena.memory_usage(), 4096 + 8);
        // A request over a quarter block that does not fit gets its own block of exactly that size...
        arena.allocate(1025);
        assert_eq!(arena.memory_usage(), 4096 + 8 + 1025 + 8);
        // ...and the current block keeps serving small requests.
        arena.allocate(50);
        assert_eq!(arena.memory_usage(), 4096 + 8 + 1025 + 8);
        // A small request that does not fit starts a new standard block.
        arena.allocate(100);
        assert_eq!(arena.memory_usage(), 2 * (4096 + 8) + 1025 + 8);
    }
}
