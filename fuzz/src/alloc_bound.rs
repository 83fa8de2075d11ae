//! The allocation oracle: a reader of untrusted bytes must not allocate more than a bound derived from the input's
//! size, whatever lengths the input claims (a 4 GiB block handle, a snappy stream claiming 4 GiB, a record length
//! past the end).
//!
//! A global allocator that wraps the system's counts, per thread, the bytes live and the most that were live at
//! once since a mark. A thread-local count, so that other threads (libFuzzer's, a test harness's) do not disturb
//! it; the readers checked here do all their work on the calling thread.
//!
//! Invariant: `peak >= live` on every thread at every moment after a mark; counting never allocates.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, counting each thread's live bytes and their peak.
pub struct CountingAllocator;

thread_local! {
    /// Bytes allocated minus bytes freed on this thread (freeing another thread's block makes it go down; it may
    /// go below zero).
    static LIVE: Cell<i64> = const { Cell::new(0) };
    /// The largest `LIVE` since the last `mark`.
    static PEAK: Cell<i64> = const { Cell::new(0) };
}

fn grow(bytes: usize) {
    // `try_with`: the thread's counters may already be gone while the thread exits.
    let _ = LIVE.try_with(|live| {
        let now = live.get() + bytes as i64;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

fn shrink(bytes: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get() - bytes as i64));
}

// SAFETY: every call is passed on to the system allocator unchanged; counting touches only const-initialized
// thread locals, which never allocate.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        // SAFETY: the caller's contract for `layout` is System's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Both blocks may be live at once while the contents move.
        grow(new_size);
        shrink(layout.size());
        // SAFETY: `ptr` was allocated by this allocator, that is by System, with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        shrink(layout.size());
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Runs `f` and panics (a finding) if the bytes it had allocated at once on this thread, beyond what was live
/// before, ever exceeded `limit`.
pub fn within<T>(what: &str, limit: usize, f: impl FnOnce() -> T) -> T {
    let base = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(base));
    let result = f();
    let peak = PEAK.with(Cell::get) - base;
    assert!(
        peak <= limit as i64,
        "{what} allocated {peak} bytes at once, over its bound of {limit}"
    );
    result
}

/// The bound for a reader of `input_len` bytes: a fixed allowance (a log block, buffers, iterators) and a
/// multiple of the input (a snappy block expands at most 22 times; copies of keys and values).
pub fn reader_limit(input_len: usize) -> usize {
    256 * 1024 + 64 * input_len
}
