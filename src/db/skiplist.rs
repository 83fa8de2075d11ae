//! The skiplist at the heart of the memtable: sorted, insert-only, and readable without locks while one writer
//! inserts.
//!
//! Nodes live in an [`Arena`] and are never freed before the list itself, so a reader may hold on to any node it
//! has reached. A node has a random height (1 with probability 3/4, 2 with 3/16, ... up to 12) and one link per
//! level; level 0 links every node in order.
//!
//! Thread safety:
//! * Writes (`insert_with`) take the list's writer lock, which also guards the arena and the random generator.
//!   The database has only one writer at a time anyway (the write leader), so the lock is never contended there.
//! * Reads take no lock. A node is fully initialized before it is published: its links are set first, then it is
//!   linked in with a *release* store, and readers follow links with *acquire* loads. So a reader that reaches a
//!   node sees its key and its links as they were when it was linked in.
//! * `max_height` is read without synchronization: a reader that sees a new height before the head's new links
//!   finds null links there and simply moves down a level.
//!
//! The arena accounting is LevelDB's: the head node and every node of height `h` take `8 + 8*h` bytes (a key
//! pointer and `h` links), allocated aligned after the key's data, so a memtable fills up after the same entries
//! as LevelDB's. The layout is not: within the bytes LevelDB would take for a key's data and its node, the node
//! comes first and the data right after it, so that a search finds the key it compares next to the links it
//! follows.

use std::cmp::Ordering as CmpOrdering;
use std::marker::PhantomData;
use std::mem::{align_of, size_of, MaybeUninit};
use std::ops::Deref;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::util::arena::Arena;
use crate::util::random::Random;
use crate::util::prefetch::{prefetch_line, prefetch_range};

/// LevelDB: SkipList::kMaxHeight
pub const MAX_HEIGHT: usize = 12;
const BRANCHING: u32 = 4;


/// Orders the keys of a skiplist.
pub trait KeyComparator<K>: Send + Sync {
    fn compare(&self, a: &K, b: &K) -> CmpOrdering;

    /// The key a search looks for, prepared once for the comparisons with every node on its way (RocksDB's
    /// `DecodedKey`: the memtable takes its search key apart once, not at every node).
    type Decoded<'a>
    where
        K: 'a;

    fn decode<'a>(&self, key: &'a K) -> Self::Decoded<'a>;

    /// `compare(node_key, key)`, with `key` decoded.
    fn compare_decoded(&self, node_key: &K, key: &Self::Decoded<'_>) -> CmpOrdering;
}

/// A node and the first of its links; the other `height - 1` links follow it in the same arena allocation.
///
/// LevelDB: SkipList::Node
#[repr(C)]
pub struct Node<K> {
    key: K,
    next: [AtomicPtr<Node<K>>; 1],
}

impl<K> Node<K> {
    /// The link at `level`.
    ///
    /// # Safety
    /// `node` must point to a live node allocated with a height greater than `level`.
    #[inline]
    unsafe fn link<'a>(node: *const Node<K>, level: usize) -> &'a AtomicPtr<Node<K>> {
        // SAFETY: the caller guarantees the node has at least `level + 1` links; they are laid out contiguously
        // after the key, inside the node's own arena allocation (so the raw pointer's provenance covers them).
        unsafe {
            &*ptr::addr_of!((*node).next)
                .cast::<AtomicPtr<Node<K>>>()
                .add(level)
        }
    }

    /// LevelDB: Node::Next — acquire, so that we observe a fully initialized version of the returned node.
    #[inline]
    unsafe fn next(node: *const Node<K>, level: usize) -> *mut Node<K> {
        // SAFETY: forwarded to the caller (see `link`).
        unsafe { Self::link(node, level).load(Ordering::Acquire) }
    }

    /// [`Node::next`] for a search that moves along `level`. The search reads one of two nodes next: if it moves
    /// on to the returned node, the node after that; if it stops and drops a level, the node after `node` one level
    /// down. Both start loading now, while the returned node's key is compared, instead of after (RocksDB's
    /// InlineSkipList prefetches the first). A search through a memtable larger than the CPU's caches waits on each
    /// node it visits; this overlaps the waits.
    ///
    /// # Safety
    /// As for [`Node::next`].
    #[inline]
    unsafe fn next_for_search(node: *const Node<K>, level: usize) -> *mut Node<K> {
        // SAFETY: forwarded to the caller.
        let next = unsafe { Self::next(node, level) };
        if !next.is_null() {
            // SAFETY: `next` was reached through a link at `level`, so it has a link at `level`.
            prefetch_line(unsafe { Self::next(next, level) });
        }
        if level > 0 {
            // SAFETY: `node` has a link at `level`, and so at every level below it.
            prefetch_line(unsafe { Self::next(node, level - 1) });
        }
        next
    }

    /// LevelDB: Node::SetNext — release, so that anybody who reads through this pointer observes a fully
    /// initialized version of the inserted node.
    #[inline]
    unsafe fn set_next(node: *const Node<K>, level: usize, x: *mut Node<K>) {
        // SAFETY: forwarded to the caller (see `link`).
        unsafe { Self::link(node, level).store(x, Ordering::Release) }
    }

    /// LevelDB: Node::NoBarrier_Next — for the writer, which is the only one that changes links.
    #[inline]
    unsafe fn no_barrier_next(node: *const Node<K>, level: usize) -> *mut Node<K> {
        // SAFETY: forwarded to the caller (see `link`).
        unsafe { Self::link(node, level).load(Ordering::Relaxed) }
    }
}

/// What the writer lock guards: the arena (nodes and, through `insert_with`, the entries they point to), the
/// generator of node heights, and the list's right edge.
pub struct WriterState<K> {
    arena: Arena,
    rnd: Random,
    /// The last node at each level (the head where a level is empty). Not in LevelDB: an insert after the last
    /// key links in after these without a search (see [`SkipList::insert_with`]).
    tail: [*const Node<K>; MAX_HEIGHT],
    /// True if the last insert went after every key, and so `tail[0]` is the node it added, still in the cache.
    appending: bool,
}

/// LevelDB: SkipList
pub struct SkipList<K, C> {
    compare: C,
    /// The head node (of maximal height), allocated in the arena like every node.
    head: NonNull<Node<K>>,
    /// Height of the entire list. Modified only by the writer; read racily by readers (stale values are fine).
    max_height: AtomicUsize,
    /// The arena's usage, copied out of it after every insert, so that the write path can ask whether the memtable
    /// is full without taking the writer lock (LevelDB's arena keeps this count in an atomic for the same reason).
    memory_usage: AtomicUsize,
    writer: Mutex<WriterState<K>>,
}

// SAFETY: the list owns its nodes (through the arena). Nodes are immutable once published, except their links,
// which are atomics; the writer side is behind a mutex. Sharing or sending the list is therefore safe whenever the
// keys and the comparator may be shared and sent.
unsafe impl<K: Send + Sync, C: Send + Sync> Send for SkipList<K, C> {}
// SAFETY: as above.
unsafe impl<K: Send + Sync, C: Send + Sync> Sync for SkipList<K, C> {}

impl<K: Copy + Default, C: KeyComparator<K>> SkipList<K, C> {
    /// A new, empty list, with its arena (the head node is its first allocation).
    ///
    /// LevelDB: SkipList::SkipList
    pub fn new(compare: C) -> SkipList<K, C> {
        let mut arena = Arena::new();
        let head = Self::new_node(&mut arena, MAX_HEIGHT, 0, |_| K::default());
        SkipList {
            compare,
            head,
            max_height: AtomicUsize::new(1),
            memory_usage: AtomicUsize::new(arena.memory_usage()),
            writer: Mutex::new(WriterState {
                arena,
                rnd: Random::new(0xdeadbeef),
                tail: [head.as_ptr().cast_const(); MAX_HEIGHT],
                appending: true,
            }),
        }
    }

    /// Allocates a node of `height` links, all null, in `arena`, with `data_len` bytes for its key's data right
    /// after it when they fit in the same block (see [`Arena::allocate_node_with_data`]). `make_key` builds the
    /// key from that data.
    ///
    /// LevelDB: SkipList::NewNode (and the entry MemTable::Add allocates before it)
    fn new_node(
        arena: &mut Arena,
        height: usize,
        data_len: usize,
        make_key: impl FnOnce(&mut [MaybeUninit<u8>]) -> K,
    ) -> NonNull<Node<K>> {
        const {
            assert!(
                align_of::<Node<K>>() <= 8,
                "arena allocations are 8-byte aligned"
            )
        };
        let bytes = size_of::<Node<K>>() + size_of::<AtomicPtr<Node<K>>>() * (height - 1);
        let (node, data) = arena.allocate_node_with_data(bytes, data_len);
        let node = node.cast::<Node<K>>();
        // SAFETY: `data` is a fresh arena allocation of `data_len` bytes (dangling and empty when 0), apart from
        // the node, and handed to `make_key` once, uninitialized (the arena does not zero its blocks).
        let key = make_key(unsafe {
            std::slice::from_raw_parts_mut(data.as_ptr().cast::<MaybeUninit<u8>>(), data_len)
        });
        // SAFETY: the node's allocation is fresh, 8-byte aligned and large enough for the key and `height` links.
        unsafe {
            ptr::addr_of_mut!((*node.as_ptr()).key).write(key);
            let links = ptr::addr_of_mut!((*node.as_ptr()).next).cast::<AtomicPtr<Node<K>>>();
            for level in 0..height {
                links.add(level).write(AtomicPtr::new(ptr::null_mut()));
            }
        }
        node
    }

    fn lock_writer(&self) -> MutexGuard<'_, WriterState<K>> {
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The arena's memory usage, as LevelDB counts it.
    pub fn memory_usage(&self) -> usize {
        self.memory_usage.load(Ordering::Relaxed)
    }

    fn max_height(&self) -> usize {
        self.max_height.load(Ordering::Relaxed)
    }

    /// LevelDB: SkipList::RandomHeight
    fn random_height(rnd: &mut Random) -> usize {
        // Increase height with probability 1 in BRANCHING.
        let mut height = 1;
        while height < MAX_HEIGHT && rnd.one_in(BRANCHING) {
            height += 1;
        }
        height
    }

    fn head(&self) -> *const Node<K> {
        self.head.as_ptr()
    }

    /// True if `key` is greater than the key in `n` (a null `n` is infinitely large).
    ///
    /// LevelDB: SkipList::KeyIsAfterNode
    fn key_is_after_node(&self, key: &C::Decoded<'_>, n: *const Node<K>) -> bool {
        // SAFETY: a non-null node pointer of this list points to a live node (nodes are freed with the list).
        !n.is_null() && self.compare.compare_decoded(unsafe { &(*n).key }, key) == CmpOrdering::Less
    }

    /// The earliest node at or after `key`, filling `prev` with the last node before it at every level.
    ///
    /// LevelDB: SkipList::FindGreaterOrEqual
    fn find_greater_or_equal(
        &self,
        key: &K,
        mut prev: Option<&mut [*const Node<K>; MAX_HEIGHT]>,
    ) -> *const Node<K> {
        let key = self.compare.decode(key);
        let mut x = self.head();
        let mut level = self.max_height() - 1;
        // The node found not before `key` at the level above. Going down a level often leads to it again (a tall
        // node is on every level below its top): it is then known to be not before `key` without comparing
        // (RocksDB's InlineSkipList keeps the same `last_bigger`).
        let mut last_bigger: *mut Node<K> = ptr::null_mut();
        loop {
            // SAFETY: `x` is the head or a node reached through links at `level`, so it has a link at `level`.
            let next = unsafe { Node::next_for_search(x, level) };
            if next != last_bigger && self.key_is_after_node(&key, next) {
                // Keep searching in this list.
                x = next;
            } else {
                last_bigger = next;
                if let Some(prev) = prev.as_deref_mut() {
                    prev[level] = x;
                }
                if level == 0 {
                    return next;
                }
                // Switch to the next list.
                level -= 1;
            }
        }
    }

    /// The latest node with a key before `key`, or the head if there is none.
    ///
    /// LevelDB: SkipList::FindLessThan
    fn find_less_than(&self, key: &K) -> *const Node<K> {
        let key = self.compare.decode(key);
        let mut x = self.head();
        let mut level = self.max_height() - 1;
        loop {
            // SAFETY: as in find_greater_or_equal.
            let next = unsafe { Node::next_for_search(x, level) };
            // SAFETY: a non-null link points to a live node.
            if next.is_null()
                || self.compare.compare_decoded(unsafe { &(*next).key }, &key) != CmpOrdering::Less
            {
                if level == 0 {
                    return x;
                }
                // Switch to the next list.
                level -= 1;
            } else {
                x = next;
            }
        }
    }

    /// The last node, or the head if the list is empty.
    ///
    /// LevelDB: SkipList::FindLast
    fn find_last(&self) -> *const Node<K> {
        let mut x = self.head();
        let mut level = self.max_height() - 1;
        loop {
            // SAFETY: as in find_greater_or_equal.
            let next = unsafe { Node::next_for_search(x, level) };
            if next.is_null() {
                if level == 0 {
                    return x;
                }
                // Switch to the next list.
                level -= 1;
            } else {
                x = next;
            }
        }
    }

    /// Inserts the key `make_key` builds from `data_len` fresh bytes of the arena (for the memtable, the encoded
    /// entry; 0 for a key that needs no data). Requires that nothing that compares equal to the key is in the list.
    ///
    /// LevelDB's memtable allocates the entry, then the skiplist allocates the node; the arena sees those two
    /// requests here, so the memtable's size is LevelDB's to the byte, but the node comes first in memory and the
    /// key right after its links (see [`Arena::allocate_node_with_data`]): one cache miss per node a search visits
    /// instead of two.
    ///
    /// LevelDB: SkipList::Insert
    pub fn insert_with(&self, data_len: usize, make_key: impl FnOnce(&mut [MaybeUninit<u8>]) -> K) {
        let mut writer = self.lock_writer();
        let writer = &mut *writer;
        // LevelDB draws the height after the search; neither depends on the other.
        let height = Self::random_height(&mut writer.rnd);
        let x = Self::new_node(&mut writer.arena, height, data_len, make_key).as_ptr();
        // SAFETY: `x` is the new node, not yet linked in, which the writer lock makes ours alone.
        let key = unsafe { &(*x).key };

        // Keys that arrive in order (a sequential load: db_bench's fillseq, a log replayed into an empty
        // memtable) go after the last node every time. Then the last node at each level is the one before the key,
        // so `prev` is the right edge, and the search that would find it, comparing the key at every level, is
        // skipped (RocksDB's InlineSkipList keeps a "splice" for the same reason). Only tried when the last insert
        // was an append too, so that inserts in random order pay nothing for it.
        let last = writer.tail[0];
        let mut prev = writer.tail;
        // SAFETY: `last` is the head or a live node of this list.
        let appending = writer.appending
            && (last == self.head() || self.compare.compare(unsafe { &(*last).key }, key) == CmpOrdering::Less);
        if !appending {
            let next = self.find_greater_or_equal(key, Some(&mut prev));
            // Our data structure does not allow duplicate insertion.
            // SAFETY: a non-null node pointer of this list points to a live node.
            debug_assert!(
                next.is_null() || self.compare.compare(key, unsafe { &(*next).key }) != CmpOrdering::Equal
            );
        }

        if height > self.max_height() {
            for p in prev.iter_mut().take(height).skip(self.max_height()) {
                *p = self.head();
            }
            // It is ok to mutate max_height without any synchronization with concurrent readers. A concurrent
            // reader that observes the new value will see either the old null links from the head, or a new node
            // set in the loop below. In the former case the reader immediately drops to the next level, since
            // null sorts after all keys; in the latter case the reader uses the new node.
            self.max_height.store(height, Ordering::Relaxed);
        }

        for (level, &p) in prev.iter().enumerate().take(height) {
            // SAFETY: `x` is the new node with `height` links; `p` is the head or a node of height > `level` (it
            // was found at `level`). The writer lock makes us the only one changing links. The relaxed store into
            // the unpublished `x` is enough: the release store in set_next publishes it.
            unsafe {
                let next = Node::no_barrier_next(p, level);
                Node::link(x, level).store(next, Ordering::Relaxed);
                Node::set_next(p, level, x);
                if next.is_null() {
                    writer.tail[level] = x;
                }
            }
        }
        writer.appending = x == writer.tail[0].cast_mut();
        self.memory_usage.store(writer.arena.memory_usage(), Ordering::Relaxed);
    }

    /// Inserts `key` (see [`SkipList::insert_with`]).
    #[cfg(any(test, feature = "internals"))] // For the tests and tools.
    pub fn insert(&self, key: K) {
        self.insert_with(0, |_| key)
    }

    /// True if an entry that compares equal to `key` is in the list.
    ///
    /// LevelDB: SkipList::Contains
    #[cfg(any(test, feature = "internals"))] // For the tests and tools.
    pub fn contains(&self, key: &K) -> bool {
        let x = self.find_greater_or_equal(key, None);
        // SAFETY: a non-null node pointer of this list points to a live node.
        !x.is_null() && self.compare.compare(key, unsafe { &(*x).key }) == CmpOrdering::Equal
    }
}

/// A cursor over the contents of a skiplist. `L` is anything that holds the list alive: a reference, or an `Arc`
/// for an iterator that must own its memtable.
///
/// LevelDB: SkipList::Iterator
pub struct Iter<K, C, L: Deref<Target = SkipList<K, C>>> {
    list: L,
    node: *const Node<K>,
    _marker: PhantomData<C>,
}

// SAFETY: the iterator holds the list alive through `L` and only reads nodes, which is safe from any thread.
unsafe impl<K: Send + Sync, C: Send + Sync, L: Deref<Target = SkipList<K, C>> + Send> Send
    for Iter<K, C, L>
{
}
// SAFETY: as above; shared access only reads.
unsafe impl<K: Send + Sync, C: Send + Sync, L: Deref<Target = SkipList<K, C>> + Sync> Sync
    for Iter<K, C, L>
{
}

impl<K: Copy + Default, C: KeyComparator<K>, L: Deref<Target = SkipList<K, C>>> Iter<K, C, L> {
    /// An iterator over `list`, initially not valid.
    pub fn new(list: L) -> Self {
        Iter {
            list,
            node: ptr::null(),
            _marker: PhantomData,
        }
    }

    /// LevelDB: SkipList::Iterator::Valid
    pub fn valid(&self) -> bool {
        !self.node.is_null()
    }

    /// The key at the current position. Requires `valid()`.
    ///
    /// LevelDB: SkipList::Iterator::key
    pub fn key(&self) -> &K {
        assert!(self.valid(), "key() of an invalid skiplist iterator");
        // SAFETY: the node is a live node of the list, which `self.list` keeps alive.
        unsafe { &(*self.node).key }
    }

    /// Moves to the next node, and starts loading the one after it: in a scan each node is somewhere else in the
    /// arena (the list is in key order, the arena in order of insertion), a miss in every cache but the last,
    /// and the caller has other work before its next step (a merging iterator steps its other children in
    /// between). The node's first two lines hold its links and the start of its entry.
    ///
    /// LevelDB: SkipList::Iterator::Next
    pub fn next(&mut self) {
        assert!(self.valid(), "next() of an invalid skiplist iterator");
        // SAFETY: every node has a level-0 link.
        self.node = unsafe { Node::next(self.node, 0) };
        if !self.node.is_null() {
            // SAFETY: as above.
            prefetch_range(unsafe { Node::next(self.node, 0) }.cast(), 2 * 64);
        }
    }

    /// LevelDB: SkipList::Iterator::Prev
    pub fn prev(&mut self) {
        // Instead of using explicit "prev" links, we just search for the last node that falls before key.
        assert!(self.valid(), "prev() of an invalid skiplist iterator");
        let key = *self.key();
        self.node = self.list.find_less_than(&key);
        if self.node == self.list.head() {
            self.node = ptr::null();
        }
    }

    /// Advances to the first entry with a key >= target.
    ///
    /// LevelDB: SkipList::Iterator::Seek
    pub fn seek(&mut self, target: &K) {
        self.node = self.list.find_greater_or_equal(target, None);
    }

    /// LevelDB: SkipList::Iterator::SeekToFirst
    pub fn seek_to_first(&mut self) {
        // SAFETY: the head has MAX_HEIGHT links.
        self.node = unsafe { Node::next(self.list.head(), 0) };
    }

    /// LevelDB: SkipList::Iterator::SeekToLast
    pub fn seek_to_last(&mut self) {
        self.node = self.list.find_last();
        if self.node == self.list.head() {
            self.node = ptr::null();
        }
    }

    /// The list this iterator walks.
    #[cfg(any(test, feature = "internals"))] // For the tests and tools.
    pub fn list(&self) -> &SkipList<K, C> {
        &self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::sync::atomic::AtomicBool;
    use std::sync::{Arc, Condvar};

    type Key = u64;

    struct TestComparator;

    impl KeyComparator<Key> for TestComparator {
        fn compare(&self, a: &Key, b: &Key) -> CmpOrdering {
            a.cmp(b)
        }

        type Decoded<'a> = Key;

        fn decode(&self, key: &Key) -> Key {
            *key
        }

        fn compare_decoded(&self, node_key: &Key, key: &Key) -> CmpOrdering {
            node_key.cmp(key)
        }
    }

    type TestList = SkipList<Key, TestComparator>;

    fn iter(list: &TestList) -> Iter<Key, TestComparator, &TestList> {
        Iter::new(list)
    }

    // LevelDB: SkipTest.Empty
    #[test]
    fn empty() {
        let list = TestList::new(TestComparator);
        assert!(!list.contains(&10));
        let mut it = iter(&list);
        assert!(!it.valid());
        it.seek_to_first();
        assert!(!it.valid());
        it.seek(&100);
        assert!(!it.valid());
        it.seek_to_last();
        assert!(!it.valid());
        // The head node is the arena's first allocation, as in LevelDB.
        assert_eq!(list.memory_usage(), 4096 + 8);
    }

    // LevelDB: SkipTest.InsertAndLookup
    #[test]
    fn insert_and_lookup() {
        const N: u32 = 2000;
        const R: u32 = 5000;
        let mut rnd = Random::new(1000);
        let mut keys = BTreeSet::new();
        let list = TestList::new(TestComparator);
        for _ in 0..N {
            let key = Key::from(rnd.next() % R);
            if keys.insert(key) {
                list.insert(key);
            }
        }

        for i in 0..Key::from(R) {
            assert_eq!(list.contains(&i), keys.contains(&i), "{i}");
        }

        // Simple iterator tests.
        {
            let mut it = iter(&list);
            assert!(!it.valid());
            it.seek(&0);
            assert!(it.valid());
            assert_eq!(keys.iter().next(), Some(it.key()));
            it.seek_to_first();
            assert!(it.valid());
            assert_eq!(keys.iter().next(), Some(it.key()));
            it.seek_to_last();
            assert!(it.valid());
            assert_eq!(keys.iter().next_back(), Some(it.key()));
        }

        // Forward iteration test.
        for i in 0..Key::from(R) {
            let mut it = iter(&list);
            it.seek(&i);
            // Compare against model iterator.
            let mut model = keys.range(i..);
            for _ in 0..3 {
                match model.next() {
                    None => {
                        assert!(!it.valid());
                        break;
                    }
                    Some(k) => {
                        assert!(it.valid());
                        assert_eq!(k, it.key());
                        it.next();
                    }
                }
            }
        }

        // Backward iteration test.
        {
            let mut it = iter(&list);
            it.seek_to_last();
            // Loop over the model in reverse order.
            for k in keys.iter().rev() {
                assert!(it.valid());
                assert_eq!(k, it.key());
                it.prev();
            }
            assert!(!it.valid());
        }
    }

    // We want to make sure that with a single writer and multiple concurrent readers (with no synchronization
    // other than when a reader's iterator is created), the reader always observes all the data that was present
    // in the skip list when the iterator was constructed. Because insertions are happening concurrently, we may
    // also observe new values that were inserted since the iterator was constructed, but we should never miss any
    // values that were present at iterator construction time.
    //
    // We generate multi-part keys: <key, gen, hash> where key is in range [0..K-1], gen is a generation number for
    // key, and hash is hash(key, gen).
    //
    // The insertion code picks a random key, sets gen to be 1 + the last generation number inserted for that key,
    // and sets hash to Hash(key, gen).
    //
    // At the beginning of a read, we snapshot the last inserted generation number for each key. We then iterate,
    // including random calls to Next() and Seek(). For every key we encounter, we check that it is either expected
    // given the initial snapshot or has been concurrently added since the iterator started.
    //
    // LevelDB: ConcurrentTest
    const K: u64 = 4;

    fn key_of(key: Key) -> u64 {
        key >> 40
    }
    fn gen_of(key: Key) -> u64 {
        (key >> 8) & 0xffff_ffff
    }
    fn hash_of(key: Key) -> u64 {
        key & 0xff
    }
    fn hash_numbers(k: u64, g: u64) -> u64 {
        let mut data = [0u8; 16];
        data[..8].copy_from_slice(&k.to_le_bytes());
        data[8..].copy_from_slice(&g.to_le_bytes());
        u64::from(crate::util::hash::hash(&data, 0))
    }
    fn make_key(k: u64, g: u64) -> Key {
        assert!(k <= K); // We sometimes pass K to seek to the end of the skiplist.
        assert!(g <= 0xffff_ffff);
        (k << 40) | (g << 8) | (hash_numbers(k, g) & 0xff)
    }
    fn is_valid_key(k: Key) -> bool {
        hash_of(k) == (hash_numbers(key_of(k), gen_of(k)) & 0xff)
    }
    fn random_target(rnd: &mut Random) -> Key {
        match rnd.next() % 10 {
            0 => make_key(0, 0),                         // Seek to beginning.
            1 => make_key(K, 0),                         // Seek to end.
            _ => make_key(u64::from(rnd.next()) % K, 0), // Seek to middle.
        }
    }

    /// Per-key generation numbers, written by the writer and read by the readers.
    struct State {
        generation: [AtomicUsize; K as usize],
    }

    impl State {
        fn new() -> State {
            State {
                generation: Default::default(),
            }
        }
        fn set(&self, k: usize, v: usize) {
            self.generation[k].store(v, Ordering::Release);
        }
        fn get(&self, k: usize) -> usize {
            self.generation[k].load(Ordering::Acquire)
        }
    }

    struct ConcurrentTest {
        /// Current state of the test.
        current: State,
        /// SkipList is not protected by the test's own mutex; it handles one writer and many readers.
        list: TestList,
    }

    impl ConcurrentTest {
        fn new() -> ConcurrentTest {
            ConcurrentTest {
                current: State::new(),
                list: TestList::new(TestComparator),
            }
        }

        // REQUIRES: External synchronization (one writer at a time).
        fn write_step(&self, rnd: &mut Random) {
            let k = (rnd.next() as u64 % K) as usize;
            let g = self.current.get(k) + 1;
            let key = make_key(k as u64, g as u64);
            self.list.insert(key);
            self.current.set(k, g);
        }

        fn read_step(&self, rnd: &mut Random) {
            // Remember the initial committed state of the skiplist.
            let initial_state = State::new();
            for k in 0..K as usize {
                initial_state.set(k, self.current.get(k));
            }

            let mut pos = random_target(rnd);
            let mut it = Iter::new(&self.list);
            it.seek(&pos);
            loop {
                let current = if !it.valid() {
                    make_key(K, 0)
                } else {
                    let c = *it.key();
                    assert!(is_valid_key(c), "{c}");
                    c
                };
                assert!(pos <= current, "should not go backwards");

                // Verify that everything in [pos,current) was not present in initial_state.
                while pos < current {
                    assert!(key_of(pos) < K, "{pos}");
                    // Note that generation 0 is never inserted, so it is ok if <*,0,*> is missing.
                    assert!(
                        gen_of(pos) == 0
                            || gen_of(pos) > initial_state.get(key_of(pos) as usize) as u64,
                        "key: {}; gen: {}; initgen: {}",
                        key_of(pos),
                        gen_of(pos),
                        initial_state.get(key_of(pos) as usize)
                    );

                    // Advance to the next key in the valid key space.
                    if key_of(pos) < key_of(current) {
                        pos = make_key(key_of(pos) + 1, 0);
                    } else {
                        pos = make_key(key_of(pos), gen_of(pos) + 1);
                    }
                }

                if !it.valid() {
                    break;
                }

                if rnd.next() % 2 != 0 {
                    it.next();
                    pos = make_key(key_of(pos), gen_of(pos) + 1);
                } else {
                    let new_target = random_target(rnd);
                    if new_target > pos {
                        pos = new_target;
                        it.seek(&new_target);
                    }
                }
            }
        }
    }

    // Simple test that does single-threaded testing of the ConcurrentTest scaffolding.
    //
    // LevelDB: SkipTest.ConcurrentWithoutThreads
    #[test]
    fn concurrent_without_threads() {
        let test = ConcurrentTest::new();
        let mut rnd = Random::new(301);
        for _ in 0..10000 {
            test.read_step(&mut rnd);
            test.write_step(&mut rnd);
        }
    }

    #[derive(PartialEq, Clone, Copy)]
    enum ReaderState {
        Starting,
        Running,
        Done,
    }

    /// One writer (this thread) and `readers` reader threads, for `n` rounds.
    ///
    /// LevelDB: RunConcurrent
    fn run_concurrent(run: u32, readers: usize) {
        let seed = 301 + run * 100;
        let mut rnd = Random::new(seed);
        const N: usize = 1000;
        const SIZE: usize = 1000;
        for _ in 0..N {
            let test = Arc::new(ConcurrentTest::new());
            let quit = Arc::new(AtomicBool::new(false));
            let state = Arc::new((Mutex::new(ReaderState::Starting), Condvar::new()));
            let mut handles = Vec::new();
            for r in 0..readers {
                let (test, quit, state) = (test.clone(), quit.clone(), state.clone());
                let reader_seed = seed + r as u32 + 1;
                handles.push(std::thread::spawn(move || {
                    let mut rnd = Random::new(reader_seed);
                    {
                        let (s, cv) = &*state;
                        *s.lock().unwrap() = ReaderState::Running;
                        cv.notify_all();
                    }
                    while !quit.load(Ordering::Acquire) {
                        test.read_step(&mut rnd);
                    }
                }));
            }
            {
                let (s, cv) = &*state;
                let mut guard = s.lock().unwrap();
                while *guard == ReaderState::Starting {
                    guard = cv.wait(guard).unwrap();
                }
            }
            for _ in 0..SIZE {
                test.write_step(&mut rnd);
            }
            quit.store(true, Ordering::Release);
            for h in handles {
                h.join().expect("a reader found an inconsistency");
            }
            *state.0.lock().unwrap() = ReaderState::Done;
        }
    }

    // LevelDB: SkipTest.Concurrent1 .. Concurrent5 (one reader each, different seeds); plus several readers.
    #[test]
    fn concurrent_1() {
        run_concurrent(1, 1);
    }
    #[test]
    fn concurrent_2() {
        run_concurrent(2, 1);
    }
    #[test]
    fn concurrent_3() {
        run_concurrent(3, 1);
    }
    #[test]
    fn concurrent_4() {
        run_concurrent(4, 1);
    }
    #[test]
    fn concurrent_5() {
        run_concurrent(5, 1);
    }
    #[test]
    fn concurrent_several_readers() {
        run_concurrent(6, 3);
    }

    /// Every level of `list` is sorted, and holds only nodes the level below it holds.
    fn assert_well_formed(list: &TestList) {
        let mut level_above: Option<Vec<Key>> = None;
        for level in (0..MAX_HEIGHT).rev() {
            let mut keys = Vec::new();
            // SAFETY: the head has MAX_HEIGHT links, and a node reached at `level` has a link at `level`.
            let mut node = unsafe { Node::next(list.head(), level) };
            while !node.is_null() {
                // SAFETY: as above; nodes live as long as the list.
                unsafe {
                    keys.push((*node).key);
                    node = Node::next(node, level);
                }
            }
            assert!(keys.windows(2).all(|w| w[0] < w[1]), "level {level} out of order: {keys:?}");
            if let Some(above) = level_above.replace(keys.clone()) {
                // `keys` is sorted (checked above), so a binary search finds each key of the level above.
                assert!(
                    above.iter().all(|k| keys.binary_search(k).is_ok()),
                    "level {level} lacks a key of level {}",
                    level + 1
                );
            }
        }
    }

    /// Ascending runs (which take the append path) mixed with keys anywhere (which search): the list holds the
    /// model's keys in order, and every level stays sorted.
    #[test]
    fn appends_and_inserts_anywhere_keep_every_level_sorted() {
        let list = TestList::new(TestComparator);
        let mut model = BTreeSet::new();
        let mut rnd = Random::new(301);
        for i in 0..20000u64 {
            let key = if (i / 100) % 2 == 0 {
                model.last().map_or(0, |last| last + 1 + u64::from(rnd.uniform(3)))
            } else {
                u64::from(rnd.uniform(1_000_000))
            };
            if model.insert(key) {
                list.insert(key);
            }
        }
        assert_well_formed(&list);
        let mut it = iter(&list);
        it.seek_to_first();
        for k in &model {
            assert_eq!(it.key(), k);
            it.next();
        }
        assert!(!it.valid());
    }

    quickcheck::quickcheck! {
        fn matches_btreeset_model(keys: Vec<u16>, probes: Vec<u16>) -> bool {
            let list = TestList::new(TestComparator);
            let mut model = BTreeSet::new();
            for k in keys {
                if model.insert(u64::from(k)) {
                    list.insert(u64::from(k));
                }
            }
            assert_well_formed(&list);
            let mut it = iter(&list);
            it.seek_to_first();
            for k in &model {
                if !it.valid() || it.key() != k { return false; }
                it.next();
            }
            if it.valid() { return false; }
            probes.iter().all(|&p| {
                let p = u64::from(p);
                let mut it = iter(&list);
                it.seek(&p);
                let expected = model.range(p..).next();
                list.contains(&p) == model.contains(&p)
                    && (if it.valid() { Some(it.key()) } else { None }) == expected
            })
        }
    }
}
