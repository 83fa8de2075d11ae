//! A thread's spare block buffers: the memory of blocks that were dropped (evicted from the block cache, or read
//! by a compaction that does not cache them), kept for the next blocks the same thread reads.
//!
//! A random read that misses the block cache decompresses a block of about 4 KiB into a new buffer, and its
//! insert into the cache evicts the oldest block, whose buffer is freed. For the allocator both are large
//! requests (past glibc's per-thread cache of small ones): it merges the freed chunk with its neighbours and
//! splits it again for the next request, and when another thread allocated the evicted block, it takes that
//! thread's arena lock to free it. The thread that inserts a block is the one whose insert evicts the oldest, so a
//! thread's own spares serve its next reads: in the steady state a read allocates no block buffer.
//!
//! On db_bench's random reads of a reopened database the allocator had a tenth of the samples. Against the same
//! code without spares (medians of 6 alternating pairs): readrandom and seekrandom 1.06x and 1.13x at 1M entries,
//! within noise at 200k, and 1.17x and 1.12x with 4 threads at 200k (1.02x and 1.05x later, 8 pairs, with a faster
//! snappy).
//!
//! New buffers are rounded up to a multiple of 256 bytes (`STEP`). Blocks vary in size by a few hundred bytes;
//! with exact sizes a spare sometimes fitted no block, left the pool for a new buffer, and the hole it left in the
//! allocator's heap was split by small allocations: the heap grew by the buffers that no longer fitted their old
//! places. The process's anonymous memory on db_bench's reopened reads at 1M entries (readrandom, readseq,
//! readreverse, seekrandom) peaked at 13.2 MB, against 9.9 MB without spares and 9.4 MB for LevelDB, with the live
//! heap's peak the same (9.4 MB, massif); with the rounding, 10.3 MB.
//!
//! Invariants:
//! - each thread keeps at most `SPARES` buffers, each empty (length 0) and of a capacity of at most
//!   `MAX_CAPACITY`, so the pool never holds more than `SPARES * MAX_CAPACITY` bytes per thread;
//! - a spare serves a block only if it exceeds the block's need by at most a sixteenth: a block's memory stays
//!   within that of what the block cache charges for it (its length), as a block allocated for itself would. (A
//!   buffer reused whatever its size once made the cache hold twice the memory it counted.) A full pool lets its
//!   oldest spare go for a new one, so spares that fit nothing do not stay;
//! - a buffer's bytes are never read again: a new block overwrites them before its length covers them.
//!
//! Not in LevelDB, which frees every block it drops and allocates every block it reads.

use std::cell::RefCell;

/// Buffers kept per thread: a few reads' worth, for a thread that drops several blocks at once.
const SPARES: usize = 8;

/// A new buffer's capacity is rounded up to a multiple of this (within the sixteenth a spare may exceed a block's
/// need), so that blocks of nearby sizes fit each other's buffers.
const STEP: usize = 256;

/// The largest buffer kept: blocks of the default size (4 KiB) and of sizes users commonly configure, not the
/// single large blocks a large value makes.
const MAX_CAPACITY: usize = 64 << 10;

thread_local! {
    static SPARE_BUFFERS: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// An empty buffer with room for `capacity` bytes: the thread's most recent spare that has the room, and not a
/// sixteenth more, else a new one of exactly that capacity.
pub fn take(capacity: usize) -> Vec<u8> {
    let fits = |buffer: &Vec<u8>| {
        buffer.capacity() >= capacity && buffer.capacity() - capacity <= capacity / 16
    };
    SPARE_BUFFERS
        .try_with(|spares| {
            let mut spares = spares.borrow_mut();
            let newest_fit = spares.iter().rposition(fits)?;
            Some(spares.remove(newest_fit))
        })
        .ok()
        .flatten()
        .unwrap_or_else(|| Vec::with_capacity(capacity.next_multiple_of(STEP).min(capacity + capacity / 16)))
}

/// Keeps `buffer` for the thread's next block (letting the oldest spare go if the pool is full), unless it is too
/// large to keep.
pub fn give_back(mut buffer: Vec<u8>) {
    if buffer.capacity() == 0 || buffer.capacity() > MAX_CAPACITY {
        return;
    }
    buffer.clear();
    // While the thread exits its spares may be gone already: the buffer is then simply freed.
    let _ = SPARE_BUFFERS.try_with(|spares| {
        let mut spares = spares.borrow_mut();
        if spares.len() == SPARES {
            spares.remove(0);
        }
        spares.push(buffer);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spares of this thread, emptied.
    fn drain() -> Vec<Vec<u8>> {
        SPARE_BUFFERS.with(|spares| std::mem::take(&mut *spares.borrow_mut()))
    }

    #[test]
    fn a_buffer_given_back_is_taken_again_empty() {
        drain();
        let mut buffer = Vec::with_capacity(4096);
        buffer.extend_from_slice(&[7; 100]);
        let address = buffer.as_ptr();
        give_back(buffer);
        let again = take(4000);
        assert_eq!(again.as_ptr(), address);
        assert!(again.is_empty());
        assert_eq!(again.capacity(), 4096);
        // None left: a new one, of the capacity asked for rounded up to a multiple of STEP.
        assert_eq!(take(4000).capacity(), 4096);
    }

    #[test]
    fn a_spare_serves_only_a_block_of_about_its_size() {
        drain();
        give_back(Vec::with_capacity(4096));
        // Too small, and too large by more than a sixteenth: new buffers, the spare stays.
        assert_eq!(take(4097).capacity(), 4352);
        assert_eq!(take(3000).capacity(), 3072);
        assert_eq!(drain().len(), 1);
        // Among several spares, one that fits.
        give_back(Vec::with_capacity(20_000));
        give_back(Vec::with_capacity(4200));
        give_back(Vec::with_capacity(1000));
        assert_eq!(take(4100).capacity(), 4200);
        assert_eq!(drain().len(), 2);
    }

    #[test]
    fn new_buffers_are_rounded_up_within_a_sixteenth_so_that_nearby_sizes_share_them() {
        drain();
        // Blocks of db_bench's sizes (a 4 KiB block and the snappy decoder's slack) share one size of buffer.
        let buffer = take(4160);
        assert_eq!(buffer.capacity(), 4352);
        give_back(buffer);
        assert_eq!(take(4300).capacity(), 4352);
        assert!(drain().is_empty(), "the spare served the second block");
        // Never past a sixteenth of the need: a small block's buffer is rounded less than a step.
        assert_eq!(take(100).capacity(), 106);
        assert_eq!(take(256).capacity(), 256);
    }

    #[test]
    fn the_pool_keeps_a_bounded_number_of_bounded_buffers_the_newest_first() {
        drain();
        give_back(Vec::with_capacity(MAX_CAPACITY + 1));
        assert!(drain().is_empty(), "a buffer too large is not kept");
        for i in 0..SPARES + 5 {
            give_back(Vec::with_capacity(1000 + i));
        }
        let kept: Vec<usize> = drain().iter().map(Vec::capacity).collect();
        let newest: Vec<usize> = (5..SPARES + 5).map(|i| 1000 + i).collect();
        assert_eq!(kept, newest, "the oldest spares went first");
    }

    #[test]
    fn each_thread_has_its_own_spares() {
        drain();
        give_back(Vec::with_capacity(2048));
        std::thread::spawn(|| assert!(drain().is_empty()))
            .join()
            .unwrap();
        assert_eq!(take(2048).capacity(), 2048);
        assert!(drain().is_empty());
    }
}
