//! A sharded LRU cache with pinning handles: LevelDB's block cache and table cache.
//!
//! The cache maps byte-string keys to values with a *charge* (bytes for blocks, 1 for open tables). It is split into
//! 16 shards by the top bits of the key's hash, each with its own lock and a sixteenth of the capacity.
//!
//! Each shard finds entries through LevelDB's own hash table (HandleTable): buckets of chains threaded through the
//! entries, grown to keep the chains about one entry long. The key's hash is computed once per call and serves
//! both to pick the shard (top bits) and the bucket (low bits).
//!
//! An entry is *pinned* while a [`Handle`] to it lives. Each shard keeps two lists:
//! * `in_use`: entries pinned by at least one handle (they are never evicted);
//! * `lru`: entries only the cache refers to, oldest first — the eviction candidates.
//!
//! Invariants: an entry is in exactly one of the two lists while it is in the cache (`in_cache`), and in neither
//! once it has been erased, evicted or replaced; `usage` is the sum of the charges of the entries in the cache.
//! An entry that left the cache while pinned stays alive until its last handle is dropped. A capacity of 0 turns
//! caching off: inserts return a handle to an entry that is never cached.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::util::hash::hash;

const NUM_SHARD_BITS: u32 = 4;
const NUM_SHARDS: usize = 1 << NUM_SHARD_BITS;

/// A slot index that points nowhere.
const NIL: usize = usize::MAX;

/// One cache entry and its links in the list it is on.
///
/// LevelDB: LRUHandle
struct Entry<V> {
    key: Box<[u8]>,
    /// The key's hash, kept to find its bucket without hashing again.
    hash: u32,
    /// The next entry of the same bucket's chain.
    next_hash: usize,
    value: Arc<V>,
    charge: usize,
    /// The handles that pin the entry, plus one while it is in the cache.
    refs: u32,
    /// Whether the cache refers to the entry.
    in_cache: bool,
    prev: usize,
    next: usize,
}

/// A doubly-linked list of slots: `head` is the oldest entry, `tail` the newest.
#[derive(Clone, Copy)]
struct List {
    head: usize,
    tail: usize,
}

impl List {
    const EMPTY: List = List {
        head: NIL,
        tail: NIL,
    };
}

/// Where a chain link is kept: a bucket's head, or an entry's `next_hash`.
#[derive(Clone, Copy)]
enum Link {
    Bucket(usize),
    After(usize),
}

/// One shard: the slots of its entries, and a hash table of them.
///
/// LevelDB: LRUCache
struct LruShard<V> {
    capacity: usize,
    usage: usize,
    slots: Vec<Option<Entry<V>>>,
    free_slots: Vec<usize>,
    /// The hash table's buckets: the first slot of each chain (a power-of-two count, at least as many as entries).
    ///
    /// LevelDB: HandleTable
    buckets: Vec<usize>,
    /// The number of entries in the hash table.
    elems: usize,
    /// Entries only the cache refers to (refs == 1 and in_cache), oldest first.
    lru: List,
    /// Entries pinned by handles (refs >= 2 and in_cache).
    in_use: List,
}

impl<V> LruShard<V> {
    fn new() -> LruShard<V> {
        LruShard {
            capacity: 0,
            usage: 0,
            slots: Vec::new(),
            free_slots: Vec::new(),
            buckets: vec![NIL; 4],
            elems: 0,
            lru: List::EMPTY,
            in_use: List::EMPTY,
        }
    }

    fn entry(&mut self, slot: usize) -> &mut Entry<V> {
        self.slots[slot].as_mut().expect("a live cache slot")
    }

    fn link(&self, link: Link) -> usize {
        match link {
            Link::Bucket(b) => self.buckets[b],
            Link::After(slot) => {
                self.slots[slot]
                    .as_ref()
                    .expect("a live cache slot")
                    .next_hash
            }
        }
    }

    fn set_link(&mut self, link: Link, to: usize) {
        match link {
            Link::Bucket(b) => self.buckets[b] = to,
            Link::After(slot) => self.entry(slot).next_hash = to,
        }
    }

    /// The link that holds the first entry of `hash`'s chain for which `is_it` holds, or the chain's end (a link
    /// holding NIL) if there is none.
    ///
    /// LevelDB: HandleTable::FindPointer
    fn find_link(&self, hash: u32, is_it: impl Fn(usize, &Entry<V>) -> bool) -> Link {
        let mut link = Link::Bucket(hash as usize & (self.buckets.len() - 1));
        loop {
            let slot = self.link(link);
            if slot == NIL || is_it(slot, self.slots[slot].as_ref().expect("a live cache slot")) {
                return link;
            }
            link = Link::After(slot);
        }
    }

    /// The link that holds the entry for `key`, or the chain's end.
    fn find_key(&self, key: &[u8], hash: u32) -> Link {
        self.find_link(hash, |_, e| e.hash == hash && *e.key == *key)
    }

    /// Puts `slot` in the table, returning the entry it replaces (same key), if any.
    ///
    /// LevelDB: HandleTable::Insert
    fn table_insert(&mut self, slot: usize) -> Option<usize> {
        let e = self.slots[slot].as_ref().expect("a live cache slot");
        let link = self.find_key(&e.key, e.hash);
        let old = self.link(link);
        self.entry(slot).next_hash = if old == NIL {
            NIL
        } else {
            self.entry(old).next_hash
        };
        self.set_link(link, slot);
        if old != NIL {
            return Some(old);
        }
        self.elems += 1;
        if self.elems > self.buckets.len() {
            // Since each cache entry is fairly large, we aim for a small average linked list length (<= 1).
            self.table_resize();
        }
        None
    }

    /// Takes the entry `link` holds out of the table, returning it (None if the link ends its chain).
    ///
    /// LevelDB: HandleTable::Remove
    fn table_remove(&mut self, link: Link) -> Option<usize> {
        let slot = self.link(link);
        if slot == NIL {
            return None;
        }
        let next = self.entry(slot).next_hash;
        self.set_link(link, next);
        self.elems -= 1;
        Some(slot)
    }

    /// Grows the buckets to the next power of two at least the number of entries, rehashing the chains.
    ///
    /// LevelDB: HandleTable::Resize
    fn table_resize(&mut self) {
        let mut new_length = 4;
        while new_length < self.elems {
            new_length *= 2;
        }
        let mut buckets = vec![NIL; new_length];
        for b in 0..self.buckets.len() {
            let mut slot = self.buckets[b];
            while slot != NIL {
                let e = self.entry(slot);
                let next = e.next_hash;
                let bucket = e.hash as usize & (new_length - 1);
                e.next_hash = buckets[bucket];
                buckets[bucket] = slot;
                slot = next;
            }
        }
        self.buckets = buckets;
    }

    fn list_mut(&mut self, in_use: bool) -> &mut List {
        if in_use {
            &mut self.in_use
        } else {
            &mut self.lru
        }
    }

    /// Makes `slot` the newest entry of a list.
    ///
    /// LevelDB: LRUCache::LRU_Append
    fn list_append(&mut self, in_use: bool, slot: usize) {
        let tail = self.list_mut(in_use).tail;
        {
            let e = self.entry(slot);
            e.prev = tail;
            e.next = NIL;
        }
        if tail == NIL {
            self.list_mut(in_use).head = slot;
        } else {
            self.entry(tail).next = slot;
        }
        self.list_mut(in_use).tail = slot;
    }

    /// LevelDB: LRUCache::LRU_Remove
    fn list_remove(&mut self, in_use: bool, slot: usize) {
        let (prev, next) = {
            let e = self.entry(slot);
            (e.prev, e.next)
        };
        if prev == NIL {
            self.list_mut(in_use).head = next;
        } else {
            self.entry(prev).next = next;
        }
        if next == NIL {
            self.list_mut(in_use).tail = prev;
        } else {
            self.entry(next).prev = prev;
        }
    }

    /// LevelDB: LRUCache::Ref
    fn ref_entry(&mut self, slot: usize) {
        let e = self.entry(slot);
        if e.refs == 1 && e.in_cache {
            // It moves from the lru list to the in_use list.
            self.list_remove(false, slot);
            self.list_append(true, slot);
        }
        self.entry(slot).refs += 1;
    }

    /// LevelDB: LRUCache::Unref
    fn unref(&mut self, slot: usize) {
        let e = self.entry(slot);
        e.refs -= 1;
        if e.refs == 0 {
            // The last reference is gone: free the entry (its value goes with the last Arc).
            self.slots[slot] = None;
            self.free_slots.push(slot);
        } else if e.in_cache && e.refs == 1 {
            // No longer in use: it becomes an eviction candidate.
            self.list_remove(true, slot);
            self.list_append(false, slot);
        }
    }

    /// Takes an entry that was just removed from the table out of the cache.
    ///
    /// LevelDB: LRUCache::FinishErase
    fn finish_erase(&mut self, slot: usize) {
        let e = self.entry(slot);
        debug_assert!(e.in_cache);
        let in_use = e.refs > 1;
        e.in_cache = false;
        let charge = e.charge;
        self.list_remove(in_use, slot);
        self.usage -= charge;
        self.unref(slot);
    }

    fn new_slot(&mut self, entry: Entry<V>) -> usize {
        match self.free_slots.pop() {
            Some(slot) => {
                self.slots[slot] = Some(entry);
                slot
            }
            None => {
                self.slots.push(Some(entry));
                self.slots.len() - 1
            }
        }
    }

    /// LevelDB: LRUCache::Insert
    fn insert(&mut self, key: &[u8], hash: u32, value: Arc<V>, charge: usize) -> usize {
        let slot = self.new_slot(Entry {
            key: key.into(),
            hash,
            next_hash: NIL,
            value,
            charge,
            refs: 1, // For the returned handle.
            in_cache: false,
            prev: NIL,
            next: NIL,
        });
        if self.capacity > 0 {
            let e = self.entry(slot);
            e.refs += 1; // For the cache's reference.
            e.in_cache = true;
            self.list_append(true, slot);
            self.usage += charge;
            if let Some(old) = self.table_insert(slot) {
                self.finish_erase(old);
            }
        }
        // capacity == 0 is supported and turns off caching: the entry is never in the table.
        while self.usage > self.capacity && self.lru.head != NIL {
            self.evict_oldest();
        }
        slot
    }

    /// Removes the least recently used entry that only the cache refers to (the list must not be empty).
    fn evict_oldest(&mut self) {
        let oldest = self.lru.head;
        let hash = self.entry(oldest).hash;
        // Found by its slot: no key comparisons.
        let link = self.find_link(hash, |slot, _| slot == oldest);
        if let Some(slot) = self.table_remove(link) {
            self.finish_erase(slot);
        }
    }

    /// LevelDB: LRUCache::Lookup
    fn lookup(&mut self, key: &[u8], hash: u32) -> Option<(usize, Arc<V>)> {
        let slot = self.link(self.find_key(key, hash));
        if slot == NIL {
            return None;
        }
        self.ref_entry(slot);
        Some((slot, self.entry(slot).value.clone()))
    }

    /// What `lookup` and the handle's `unref` do together, with no handle in between: the entry, if it is not
    /// pinned, becomes the most recently used one (LevelDB's `Ref` moves it to the `in_use` list and `Unref` back
    /// to the newest end of the `lru` list); a pinned entry stays where it is.
    fn touch(&mut self, key: &[u8], hash: u32) -> Option<&Arc<V>> {
        let slot = self.link(self.find_key(key, hash));
        if slot == NIL {
            return None;
        }
        if self.entry(slot).refs == 1 {
            self.list_remove(false, slot);
            self.list_append(false, slot);
        }
        Some(&self.entry(slot).value)
    }

    /// LevelDB: LRUCache::Erase
    fn erase(&mut self, key: &[u8], hash: u32) {
        let link = self.find_key(key, hash);
        if let Some(slot) = self.table_remove(link) {
            self.finish_erase(slot);
        }
    }

    /// LevelDB: LRUCache::Prune
    fn prune(&mut self) {
        while self.lru.head != NIL {
            self.evict_oldest();
        }
    }
}

type Shard<V> = Arc<Mutex<LruShard<V>>>;

fn lock<V>(shard: &Shard<V>) -> MutexGuard<'_, LruShard<V>> {
    shard.lock().unwrap_or_else(|e| e.into_inner())
}

/// A pinned cache entry. The entry (and its value) stays alive, and is never evicted, while the handle lives;
/// dropping the handle releases it.
///
/// LevelDB: Cache::Handle (with Cache::Release on drop)
pub struct Handle<V> {
    shard: Shard<V>,
    slot: usize,
    value: Arc<V>,
}

impl<V> Handle<V> {
    /// LevelDB: Cache::Value
    pub fn value(&self) -> &V {
        &self.value
    }

    /// The value, shared: it outlives the handle (but no longer pins the cache entry then).
    pub fn value_arc(&self) -> &Arc<V> {
        &self.value
    }
}

impl<V> std::ops::Deref for Handle<V> {
    type Target = V;
    fn deref(&self) -> &V {
        &self.value
    }
}

// SAFETY: the handle holds an `Arc` of its value, so the value stays on the heap, in place, for as long as the
// handle lives; a cache hands out shared access only.
unsafe impl<V> crate::table::iterator::StableDeref for Handle<V> {}

impl<V> Drop for Handle<V> {
    fn drop(&mut self) {
        lock(&self.shard).unref(self.slot);
    }
}

/// The sharded LRU cache, LevelDB's block cache: give one to several databases in [`Options::block_cache`] to
/// share its capacity (in bytes of uncompressed blocks).
///
/// [`Options::block_cache`]: crate::Options::block_cache
///
/// ```
/// use std::sync::Arc;
/// use oxleveldb::{Cache, Options};
///
/// let cache = Arc::new(Cache::new(100 << 20));
/// let a = Options { block_cache: Some(cache.clone()), ..Options::default() };
/// let b = Options { block_cache: Some(cache.clone()), ..Options::default() };
/// assert_eq!(cache.total_charge(), 0);
/// ```
///
/// LevelDB: ShardedLRUCache (NewLRUCache)
pub struct Cache<V> {
    shards: Vec<Shard<V>>,
    last_id: AtomicU64,
}

impl<V> Cache<V> {
    /// A cache holding up to `capacity` total charge (a sixteenth, rounded up, per shard).
    ///
    /// LevelDB: NewLRUCache
    pub fn new(capacity: usize) -> Cache<V> {
        let per_shard = capacity.div_ceil(NUM_SHARDS);
        let shards = (0..NUM_SHARDS)
            .map(|_| {
                let mut shard = LruShard::new();
                shard.capacity = per_shard;
                Arc::new(Mutex::new(shard))
            })
            .collect();
        Cache {
            shards,
            last_id: AtomicU64::new(0),
        }
    }

    /// The key's hash and its shard (picked by the hash's top bits; the shard's buckets use the low bits).
    ///
    /// LevelDB: ShardedLRUCache::HashSlice and Shard
    fn shard(&self, key: &[u8]) -> (u32, &Shard<V>) {
        let h = hash(key, 0);
        (h, &self.shards[(h >> (32 - NUM_SHARD_BITS)) as usize])
    }

    /// Inserts `key → value`, replacing any entry with the same key, and returns a handle to the new entry.
    ///
    /// LevelDB: Cache::Insert
    pub fn insert(&self, key: &[u8], value: V, charge: usize) -> Handle<V> {
        let (hash, shard) = self.shard(key);
        let value = Arc::new(value);
        let slot = lock(shard).insert(key, hash, value.clone(), charge);
        Handle {
            shard: shard.clone(),
            slot,
            value,
        }
    }

    /// A handle to the entry for `key`, if it is cached.
    ///
    /// LevelDB: Cache::Lookup
    pub fn lookup(&self, key: &[u8]) -> Option<Handle<V>> {
        let (hash, shard) = self.shard(key);
        let (slot, value) = lock(shard).lookup(key, hash)?;
        Some(Handle {
            shard: shard.clone(),
            slot,
            value,
        })
    }

    /// `f` of the value for `key`, if it is cached, without pinning its entry: a lookup whose handle is released
    /// at once, in one visit to the shard. For a caller that needs the value only within one call (a `Get`): `f`
    /// usually clones an `Arc` out of it, which keeps the value alive but not in the cache, and costs no handle
    /// (with its reference to the shard) and no second lock to release it. `f` runs under the shard's lock.
    ///
    /// LevelDB: Cache::Lookup followed by Cache::Release
    pub fn lookup_unpinned<R>(&self, key: &[u8], f: impl FnOnce(&Arc<V>) -> R) -> Option<R> {
        let (hash, shard) = self.shard(key);
        lock(shard).touch(key, hash).map(f)
    }

    /// Removes the entry for `key`; it stays alive while handles pin it.
    ///
    /// LevelDB: Cache::Erase
    pub fn erase(&self, key: &[u8]) {
        let (hash, shard) = self.shard(key);
        lock(shard).erase(key, hash);
    }

    /// A new numeric id, for clients that share the cache to partition its key space.
    ///
    /// LevelDB: Cache::NewId
    pub fn new_id(&self) -> u64 {
        self.last_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Removes every entry that no handle pins.
    ///
    /// LevelDB: Cache::Prune
    pub fn prune(&self) {
        for shard in &self.shards {
            lock(shard).prune();
        }
    }

    /// The sum of the charges of the cached entries.
    ///
    /// LevelDB: Cache::TotalCharge
    pub fn total_charge(&self) -> usize {
        self.shards.iter().map(|shard| lock(shard).usage).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::coding::{decode_fixed32, put_fixed32};
    use std::sync::Mutex as StdMutex;

    const CACHE_SIZE: usize = 1000;

    /// A value that records its key and value in a shared log when it is dropped (LevelDB's deleter).
    struct Tracked {
        key: i32,
        value: i32,
        deleted: Arc<StdMutex<Vec<(i32, i32)>>>,
    }

    impl Drop for Tracked {
        fn drop(&mut self) {
            self.deleted.lock().unwrap().push((self.key, self.value));
        }
    }

    fn encode_key(k: i32) -> Vec<u8> {
        let mut v = Vec::new();
        put_fixed32(&mut v, k as u32);
        v
    }

    /// LevelDB's CacheTest fixture.
    struct CacheTest {
        cache: Cache<Tracked>,
        deleted: Arc<StdMutex<Vec<(i32, i32)>>>,
    }

    impl CacheTest {
        fn new() -> CacheTest {
            CacheTest {
                cache: Cache::new(CACHE_SIZE),
                deleted: Arc::default(),
            }
        }

        fn lookup(&self, key: i32) -> i32 {
            match self.cache.lookup(&encode_key(key)) {
                Some(h) => h.value().value,
                None => -1,
            }
        }

        fn insert(&self, key: i32, value: i32, charge: usize) {
            drop(self.insert_and_return_handle(key, value, charge));
        }

        fn insert_and_return_handle(&self, key: i32, value: i32, charge: usize) -> Handle<Tracked> {
            let tracked = Tracked {
                key,
                value,
                deleted: self.deleted.clone(),
            };
            self.cache.insert(&encode_key(key), tracked, charge)
        }

        fn erase(&self, key: i32) {
            self.cache.erase(&encode_key(key));
        }

        fn deleted(&self) -> Vec<(i32, i32)> {
            self.deleted.lock().unwrap().clone()
        }
    }

    quickcheck::quickcheck! {
        // The hash table against a map: random inserts, erases and lookups over a small key space (so keys are
        // replaced and chains share buckets), in a cache too large to evict, through several resizes.
        fn the_table_finds_what_a_map_finds(ops: Vec<(u8, u16, i32)>) -> bool {
            let t = CacheTest::new();
            let mut model = std::collections::HashMap::new();
            for (op, key, value) in ops {
                let key = i32::from(key % 512);
                match op % 3 {
                    0 => {
                        t.insert(key, value, 0);
                        model.insert(key, value);
                    }
                    1 => {
                        t.erase(key);
                        model.remove(&key);
                    }
                    _ => {
                        if t.lookup(key) != model.get(&key).copied().unwrap_or(-1) {
                            return false;
                        }
                    }
                }
            }
            model.iter().all(|(&k, &v)| t.lookup(k) == v)
        }
    }

    quickcheck::quickcheck! {
        // Two caches take the same inserts, erases and pins; one looks up with a handle it releases at once, the
        // other without a handle. Both find the same values and evict (drop) the same entries in the same order.
        fn an_unpinned_lookup_is_a_lookup_released_at_once(ops: Vec<(u8, u8, u8)>) -> bool {
            let (with_handle, unpinned) = (CacheTest::new(), CacheTest::new());
            let mut pins = Vec::new();
            for (op, key, charge) in ops {
                let key = i32::from(key % 64);
                match op % 5 {
                    0 | 1 => {
                        // Charges up to half a shard's capacity (1000 / 16): evictions are frequent.
                        let charge = usize::from(charge % 32);
                        with_handle.insert(key, key, charge);
                        unpinned.insert(key, key, charge);
                    }
                    2 => {
                        let found = unpinned
                            .cache
                            .lookup_unpinned(&encode_key(key), |v| v.value)
                            .unwrap_or(-1);
                        if with_handle.lookup(key) != found {
                            return false;
                        }
                    }
                    3 => {
                        let k = encode_key(key);
                        if let (Some(a), Some(b)) = (with_handle.cache.lookup(&k), unpinned.cache.lookup(&k)) {
                            pins.push((a, b));
                        }
                    }
                    _ => {
                        if pins.pop().is_none() {
                            with_handle.erase(key);
                            unpinned.erase(key);
                        }
                    }
                }
                if with_handle.deleted() != unpinned.deleted() {
                    return false;
                }
            }
            drop(pins);
            with_handle.deleted() == unpinned.deleted()
        }
    }

    // LevelDB: CacheTest.HitAndMiss
    #[test]
    fn hit_and_miss() {
        let t = CacheTest::new();
        assert_eq!(t.lookup(100), -1);
        t.insert(100, 101, 1);
        assert_eq!(t.lookup(100), 101);
        assert_eq!(t.lookup(200), -1);
        assert_eq!(t.lookup(300), -1);
        t.insert(200, 201, 1);
        assert_eq!(t.lookup(100), 101);
        assert_eq!(t.lookup(200), 201);
        assert_eq!(t.lookup(300), -1);
        t.insert(100, 102, 1);
        assert_eq!(t.lookup(100), 102);
        assert_eq!(t.lookup(200), 201);
        assert_eq!(t.lookup(300), -1);
        assert_eq!(t.deleted(), vec![(100, 101)]);
    }

    // LevelDB: CacheTest.Erase
    #[test]
    fn erase() {
        let t = CacheTest::new();
        t.erase(200);
        assert!(t.deleted().is_empty());
        t.insert(100, 101, 1);
        t.insert(200, 201, 1);
        t.erase(100);
        assert_eq!(t.lookup(100), -1);
        assert_eq!(t.lookup(200), 201);
        assert_eq!(t.deleted(), vec![(100, 101)]);
        t.erase(100);
        assert_eq!(t.lookup(100), -1);
        assert_eq!(t.lookup(200), 201);
        assert_eq!(t.deleted().len(), 1);
    }

    // LevelDB: CacheTest.EntriesArePinned
    #[test]
    fn entries_are_pinned() {
        let t = CacheTest::new();
        t.insert(100, 101, 1);
        let h1 = t.cache.lookup(&encode_key(100)).unwrap();
        assert_eq!(h1.value().value, 101);

        t.insert(100, 102, 1);
        let h2 = t.cache.lookup(&encode_key(100)).unwrap();
        assert_eq!(h2.value().value, 102);
        assert!(t.deleted().is_empty());

        drop(h1);
        assert_eq!(t.deleted(), vec![(100, 101)]);

        t.erase(100);
        assert_eq!(t.lookup(100), -1);
        assert_eq!(t.deleted().len(), 1);

        drop(h2);
        assert_eq!(t.deleted(), vec![(100, 101), (100, 102)]);
    }

    // LevelDB: CacheTest.EvictionPolicy
    #[test]
    fn eviction_policy() {
        let t = CacheTest::new();
        t.insert(100, 101, 1);
        t.insert(200, 201, 1);
        t.insert(300, 301, 1);
        let h = t.cache.lookup(&encode_key(300)).unwrap();

        // Frequently used entry must be kept around, as must things that are still in use.
        for i in 0..(CACHE_SIZE as i32 + 100) {
            t.insert(1000 + i, 2000 + i, 1);
            assert_eq!(t.lookup(1000 + i), 2000 + i);
            assert_eq!(t.lookup(100), 101);
        }
        assert_eq!(t.lookup(100), 101);
        assert_eq!(t.lookup(200), -1);
        assert_eq!(t.lookup(300), 301);
        drop(h);
    }

    // LevelDB: CacheTest.UseExceedsCacheSize
    #[test]
    fn use_exceeds_cache_size() {
        let t = CacheTest::new();
        // Overfill the cache, keeping handles on all inserted entries.
        let handles: Vec<_> = (0..(CACHE_SIZE as i32 + 100))
            .map(|i| t.insert_and_return_handle(1000 + i, 2000 + i, 1))
            .collect();
        // Check that all the entries can be found in the cache.
        for i in 0..handles.len() as i32 {
            assert_eq!(t.lookup(1000 + i), 2000 + i);
        }
        assert!(t.cache.total_charge() > CACHE_SIZE);
    }

    // LevelDB: CacheTest.HeavyEntries
    #[test]
    fn heavy_entries() {
        let t = CacheTest::new();
        // Add a bunch of light and heavy entries and then count the combined size of items still in the cache,
        // which must be approximately the same as the total capacity.
        const LIGHT: usize = 1;
        const HEAVY: usize = 10;
        let mut added = 0;
        let mut index = 0;
        while added < 2 * CACHE_SIZE {
            let weight = if index & 1 == 1 { LIGHT } else { HEAVY };
            t.insert(index, 1000 + index, weight);
            added += weight;
            index += 1;
        }
        let mut cached_weight = 0;
        for i in 0..index {
            let weight = if i & 1 == 1 { LIGHT } else { HEAVY };
            let r = t.lookup(i);
            if r >= 0 {
                cached_weight += weight;
                assert_eq!(1000 + i, r);
            }
        }
        assert!(cached_weight <= CACHE_SIZE + CACHE_SIZE / 10);
    }

    // LevelDB: CacheTest.NewId
    #[test]
    fn new_id() {
        let t = CacheTest::new();
        let a = t.cache.new_id();
        let b = t.cache.new_id();
        assert_ne!(a, b);
    }

    // LevelDB: CacheTest.Prune
    #[test]
    fn prune() {
        let t = CacheTest::new();
        t.insert(1, 100, 1);
        t.insert(2, 200, 1);
        let handle = t.cache.lookup(&encode_key(1)).unwrap();
        t.cache.prune();
        drop(handle);
        assert_eq!(t.lookup(1), 100);
        assert_eq!(t.lookup(2), -1);
    }

    // LevelDB: CacheTest.ZeroSizeCache
    #[test]
    fn zero_size_cache() {
        let t = CacheTest {
            cache: Cache::new(0),
            deleted: Arc::default(),
        };
        t.insert(1, 100, 1);
        assert_eq!(t.lookup(1), -1);
        assert_eq!(t.deleted(), vec![(1, 100)]);
        assert_eq!(t.cache.total_charge(), 0);
    }

    #[test]
    fn total_charge_counts_cached_entries() {
        let cache: Cache<u32> = Cache::new(CACHE_SIZE);
        for i in 0..10u32 {
            drop(cache.insert(&encode_key(i as i32), i, 7));
        }
        assert_eq!(cache.total_charge(), 70);
        cache.erase(&encode_key(3));
        assert_eq!(cache.total_charge(), 63);
        let h = cache.lookup(&encode_key(4)).unwrap();
        assert_eq!(decode_fixed32(&encode_key(*h.value() as i32)), 4);
    }
}
