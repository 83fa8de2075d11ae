//! Loading memory into the CPU's caches before it is used.
//!
//! A random read of the database spends most of its time waiting for one block of a table to come from memory
//! (the OS's page cache, through a memory map): the checksum or the decompression then walks its cache lines one
//! after another, and each miss waits for the one before. Asking for every line first, with no request waiting on
//! another, lets the CPU fetch all the lines at once. The same holds for the memory the block is then uncompressed
//! into, for the restart interval a block's seek scans entry by entry, and for the skiplist nodes a search may
//! visit next. A prefetch is only a hint: the program means the same with or without it.
//!
//! Not in LevelDB, which leaves it to the hardware's own prefetching.

/// The size of a cache line on the machines oxleveldb is built for.
const CACHE_LINE: usize = 64;

/// Asks the CPU to start loading the cache line at `address` into its caches (a hint: nothing is read, and any
/// address, even null or freed, is harmless).
#[inline(always)]
pub fn prefetch_line<T>(address: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint to the cache; it reads nothing the program sees and cannot fault, whatever
    // the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(address.cast())
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = address;
}

/// Asks the CPU to load the cache lines of the `len` bytes at `start`, all at once, ahead of their use (to read or
/// to write: a line no other core holds arrives ready for writing).
#[inline]
pub fn prefetch_range(start: *const u8, len: usize) {
    for offset in (0..len).step_by(CACHE_LINE) {
        prefetch_line(start.wrapping_add(offset));
    }
}
