//! The super version: an immutable snapshot of what a read needs (the memtable, the immutable memtable and the
//! current `Version`), swapped as a whole each time one of them changes, and cached per thread so that a read
//! takes no lock shared with other threads in the common case.
//!
//! LevelDB's `Get` takes the database mutex twice (once to pin mem, imm and the version, once to charge the seek
//! statistics); with several reader threads the mutex is where they meet. RocksDB replaces those pins with a
//! "super version" kept in a thread-local slot; this module does the same in safe Rust.
//!
//! How it works: the database installs a new `SuperVersion` (under its mutex) whenever mem, imm or the current
//! version changes, and bumps `number`. Each thread has, per database, a `Slot` (a mutex only that thread and the
//! installer ever touch, so it is never contended). A read takes the super version out of its slot, checks that
//! its number is still the installed one (else it takes the installed one, under a small mutex), reads, and puts
//! it back if it is still current.
//!
//! Invariants:
//! - after `install` returns, no slot holds an older super version: `install` bumps `number` first and then
//!   empties every slot, and a read puts its super version back only if, under the slot's lock, its number is
//!   still `number`. So an old memtable or version is released once the reads that were using it finish, as
//!   LevelDB's reference counts release them, and obsolete files are deleted at the same moments as LevelDB's.
//! - a read takes its super version first and the last sequence number second (`db_impl/read.rs` says why): the
//!   super version it gets is the installed one or a newer one than any installed before the read began, so it
//!   holds every write acknowledged before then.
//! - lock order: the database mutex, then `slots`, then any slot; a read holds at most one of `slots`, a slot or
//!   `installed` at a time.
//!
//! The loom models at the end of this file check the first two under every interleaving of a few reads and
//! installs (`scripts/loom.sh`).
//!
//! RocksDB: SuperVersion, ColumnFamilyData::GetThreadLocalSuperVersion

use std::cell::RefCell;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};

use crate::db::memtable::MemTable;
use crate::db::version_set::Version;
// loom's under `cfg(loom)`, for the models at the end of this file.
use crate::util::sync::{thread_local, AtomicU64, Mutex, MutexGuard};

/// What a read sees: the memtable, the immutable memtable and the current version, pinned together.
///
/// RocksDB: SuperVersion
pub(crate) struct SuperVersion {
    pub(crate) mem: Arc<MemTable>,
    pub(crate) imm: Option<Arc<MemTable>>,
    pub(crate) current: Arc<Version>,
    /// The value of `SuperVersions::number` this was installed as.
    number: u64,
}

/// A thread's cached super version of one database.
type Slot = Mutex<Option<Arc<SuperVersion>>>;

/// The super versions of one database: the installed one and every thread's cached copy.
pub(crate) struct SuperVersions {
    /// Bumped (under the database mutex) each time a super version is installed.
    number: AtomicU64,
    /// The test hook `DB::test_set_read_pause`: how long a read sleeps before it pins its super version, in
    /// microseconds (0: not at all).
    #[cfg(feature = "internals")]
    pause_before_pin_micros: AtomicU64,
    installed: Mutex<Option<Arc<SuperVersion>>>,
    /// Every thread's slot for this database (threads that ended have dropped theirs).
    slots: Mutex<Vec<Weak<Slot>>>,
}

thread_local! {
    /// This thread's slots, one per database it has read from (entries of closed databases are pruned when a new
    /// database is added).
    static LOCAL_SLOTS: RefCell<Vec<(Weak<SuperVersions>, Arc<Slot>)>> = const { RefCell::new(Vec::new()) };
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl SuperVersions {
    pub(crate) fn new() -> Arc<SuperVersions> {
        Arc::new(SuperVersions {
            number: AtomicU64::new(0),
            #[cfg(feature = "internals")]
            pause_before_pin_micros: AtomicU64::new(0),
            installed: Mutex::new(None),
            slots: Mutex::new(Vec::new()),
        })
    }

    /// Installs a new super version and empties every thread's cache. Called with the database mutex held,
    /// each time mem, imm or the current version changes.
    ///
    /// RocksDB: ColumnFamilyData::InstallSuperVersion
    pub(crate) fn install(
        &self,
        mem: Arc<MemTable>,
        imm: Option<Arc<MemTable>>,
        current: Arc<Version>,
    ) {
        let number = self.number.load(Ordering::SeqCst) + 1;
        let new = Arc::new(SuperVersion {
            mem,
            imm,
            current,
            number,
        });
        let old = lock(&self.installed).replace(new);
        self.number.store(number, Ordering::SeqCst);
        self.release_cached();
        drop(old);
    }

    /// Empties every thread's cache (installing, and closing the database: nothing stays pinned by a thread that
    /// may never read again). The super versions are dropped outside the slots' locks.
    pub(crate) fn release_cached(&self) {
        let mut released = Vec::new();
        lock(&self.slots).retain(|slot| match slot.upgrade() {
            Some(slot) => {
                released.extend(lock(&slot).take());
                true
            }
            None => false,
        });
        drop(released);
    }

    /// Drops the installed super version (the database is closing).
    pub(crate) fn clear(&self) {
        let old = lock(&self.installed).take();
        self.number.fetch_add(1, Ordering::SeqCst);
        self.release_cached();
        drop(old);
    }

    /// This thread's slot for this database, made and registered on the first read.
    fn local_slot(self: &Arc<Self>) -> Arc<Slot> {
        LOCAL_SLOTS.with(|slots| {
            let mut slots = slots.borrow_mut();
            if let Some((_, slot)) = slots
                .iter()
                .find(|(owner, _)| std::ptr::eq(owner.as_ptr(), Arc::as_ptr(self)))
            {
                return slot.clone();
            }
            slots.retain(|(owner, _)| owner.strong_count() > 0);
            let slot: Arc<Slot> = Arc::new(Mutex::new(None));
            lock(&self.slots).push(Arc::downgrade(&slot));
            slots.push((Arc::downgrade(self), slot.clone()));
            slot
        })
    }

    /// Makes every read sleep for `pause` before it pins its super version (`None`: not at all). A read that loads
    /// its sequence number first (the order the read path's invariant forbids) then gives flushes and compactions
    /// that long to run between its two loads; one that follows the invariant is not affected.
    #[cfg(feature = "internals")]
    pub(crate) fn test_set_pause_before_pin(&self, pause: Option<std::time::Duration>) {
        let micros = pause.map_or(0, |p| u64::try_from(p.as_micros()).unwrap_or(u64::MAX).max(1));
        self.pause_before_pin_micros.store(micros, Ordering::Relaxed);
    }

    #[cfg(feature = "internals")]
    fn test_pause_before_pin(&self) {
        let pause = self.pause_before_pin_micros.load(Ordering::Relaxed);
        if pause > 0 {
            std::thread::sleep(std::time::Duration::from_micros(pause));
        }
    }

    /// Runs `f` on the current super version; `None` if none is installed (the database is closed).
    pub(crate) fn with_current<R>(
        self: &Arc<Self>,
        f: impl FnOnce(&Arc<SuperVersion>) -> R,
    ) -> Option<R> {
        #[cfg(feature = "internals")]
        self.test_pause_before_pin();
        let slot = self.local_slot();
        let sv = self.acquire(&slot)?;
        let result = f(&sv);
        self.put_back(&slot, sv);
        Some(result)
    }

    /// The super version in `slot` if it is still the installed one, else the installed one.
    ///
    /// A slot never holds a super version older than the last install that returned (that install emptied it,
    /// and `put_back` checks the number under the slot's lock), so without the number check a read would still
    /// never see an older one (the loom model passes without it); the check makes a read that starts while an
    /// install is emptying the slots take the new super version.
    ///
    /// RocksDB: ColumnFamilyData::GetThreadLocalSuperVersion
    fn acquire(&self, slot: &Slot) -> Option<Arc<SuperVersion>> {
        let number = self.number.load(Ordering::SeqCst);
        let cached = lock(slot).take().filter(|sv| sv.number == number);
        match cached {
            Some(sv) => Some(sv),
            None => lock(&self.installed).clone(),
        }
    }

    /// Keeps `sv` in `slot` for the next read only if it is still the installed one; else it is released here.
    ///
    /// RocksDB: ColumnFamilyData::ReturnThreadLocalSuperVersion
    fn put_back(&self, slot: &Slot, sv: Arc<SuperVersion>) {
        let mut cached = lock(slot);
        if sv.number == self.number.load(Ordering::SeqCst) {
            *cached = Some(sv);
        } else {
            drop(cached);
            drop(sv);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::dbformat::InternalKeyComparator;
    use crate::db::table_cache::TableCache;
    use crate::util::comparator::bytewise_comparator;
    use std::path::Path;
    use std::sync::mpsc;

    fn memtable() -> Arc<MemTable> {
        // No writes: a filter of one word (which the loom models build for each run, their atomics being loom's).
        Arc::new(MemTable::new(InternalKeyComparator::new(bytewise_comparator()), 0))
    }

    fn version() -> Arc<Version> {
        let icmp = InternalKeyComparator::new(bytewise_comparator());
        let options = crate::options::Options::default();
        let table_cache = Arc::new(TableCache::new(Path::new("unused"), options, 10));
        Arc::new(Version::new(icmp, table_cache, 2 << 20))
    }

    #[test]
    fn a_read_sees_the_installed_super_version() {
        let svs = SuperVersions::new();
        assert!(svs.with_current(|_| ()).is_none());
        let (mem, v) = (memtable(), version());
        svs.install(mem.clone(), None, v.clone());
        assert!(svs
            .with_current(|sv| Arc::ptr_eq(&sv.mem, &mem) && Arc::ptr_eq(&sv.current, &v))
            .unwrap());
        let mem2 = memtable();
        svs.install(mem2.clone(), Some(mem.clone()), v.clone());
        assert!(svs
            .with_current(
                |sv| Arc::ptr_eq(&sv.mem, &mem2) && Arc::ptr_eq(sv.imm.as_ref().unwrap(), &mem)
            )
            .unwrap());
    }

    #[test]
    fn installing_releases_what_threads_cached() {
        let svs = SuperVersions::new();
        let old = memtable();
        svs.install(old.clone(), None, version());
        // This thread and another cache the super version holding `old`.
        svs.with_current(|_| ()).unwrap();
        let (cached, wait) = mpsc::channel();
        let (release, done) = mpsc::channel::<()>();
        let other = {
            let svs = svs.clone();
            std::thread::spawn(move || {
                svs.with_current(|_| ()).unwrap();
                cached.send(()).unwrap();
                done.recv().unwrap();
            })
        };
        wait.recv().unwrap();
        assert_eq!(
            Arc::strong_count(&old),
            2,
            "ours, and the one super version"
        );
        svs.install(memtable(), None, version());
        assert_eq!(Arc::strong_count(&old), 1, "no slot keeps the old memtable");
        release.send(()).unwrap();
        other.join().unwrap();
        svs.clear();
        assert!(svs.with_current(|_| ()).is_none());
    }

    /// Readers on several threads while another installs new super versions: every read sees a super version
    /// whose memtable was installed no earlier than the number it started from, and after the last install
    /// every old memtable is released (nothing cached keeps it).
    #[test]
    fn readers_and_installs_on_threads() {
        let svs = SuperVersions::new();
        let first = memtable();
        svs.install(first.clone(), None, version());
        let installed: Vec<Arc<MemTable>> = (0..200).map(|_| memtable()).collect();
        std::thread::scope(|scope| {
            for _ in 0..3 {
                let svs = svs.clone();
                scope.spawn(move || {
                    let mut last = 0;
                    for _ in 0..20_000 {
                        let before = svs.number.load(Ordering::SeqCst);
                        let n = svs.with_current(|sv| sv.number).unwrap();
                        assert!(n >= before, "read an older super version than installed");
                        assert!(n >= last, "went back in time");
                        last = n;
                    }
                });
            }
            for mem in &installed {
                svs.install(mem.clone(), None, version());
            }
        });
        let last = installed.last().unwrap();
        for mem in installed.iter().chain([&first]) {
            let expected = if Arc::ptr_eq(mem, last) { 2 } else { 1 };
            assert_eq!(Arc::strong_count(mem), expected);
        }
    }

    /// Models of the cache's protocol, which loom runs under every interleaving of their threads
    /// (`scripts/loom.sh`): a stress test like the one above meets only the interleavings the scheduler happens
    /// to make.
    #[cfg(loom)]
    mod loom_models {
        use super::*;
        use crate::util::sync::check_model;
        use loom::sync::atomic::AtomicUsize;
        // Not loom's `Notify`, whose waits may end without a notification.
        use loom::sync::mpsc::channel;

        /// A read: which of the model's memtables the super version it got holds (`None`: none installed).
        type Read = fn(&Arc<SuperVersions>, &[Arc<MemTable>]) -> Option<usize>;

        fn read(svs: &Arc<SuperVersions>, mems: &[Arc<MemTable>]) -> Option<usize> {
            svs.with_current(|sv| position(mems, sv))
        }

        fn position(mems: &[Arc<MemTable>], sv: &SuperVersion) -> usize {
            mems.iter()
                .position(|mem| Arc::ptr_eq(mem, &sv.mem))
                .expect("one of the model's memtables")
        }

        /// Two reads in a row: each sees a super version at least as new as the last install that returned
        /// before it began, and at least as new as the one the read before it saw.
        fn two_reads(svs: &Arc<SuperVersions>, mems: &[Arc<MemTable>], returned: &AtomicUsize, read: Read) {
            let mut last = 0;
            for _ in 0..2 {
                let before = returned.load(Ordering::SeqCst);
                let seen = read(svs, mems).expect("a super version is installed");
                assert!(
                    seen >= before,
                    "a read saw super version {seen} after install {before} returned"
                );
                assert!(seen >= last, "a read saw super version {seen} after {last}");
                last = seen;
            }
        }

        /// Two threads read twice each while a third installs two new super versions; then, with both readers'
        /// slots still there (the reader thread waits to end), only the last super version is kept, and after
        /// `clear` none is.
        fn reads_and_installs(name: &str, read: Read) {
            // Made once (loom runs the model thousands of times); the memtables in each run, as their filters'
            // atomics are loom's and belong to one run.
            let v = version();
            // Every interleaving is too many (unbounded, it ran over 10 minutes): those with up to 3 preemptions,
            // 14,228 of them (4: 163,658, 8 times as long), which include interleavings that break the asserts
            // when the protocol is broken (see below).
            check_model(name, Some(3), move || {
                let mems: Arc<Vec<Arc<MemTable>>> = Arc::new((0..3).map(|_| memtable()).collect());
                let svs = SuperVersions::new();
                svs.install(mems[0].clone(), None, v.clone());
                // The last install that returned (an index of `mems`).
                let returned = Arc::new(AtomicUsize::new(0));
                let installer = {
                    let (svs, mems, v, returned) = (svs.clone(), mems.clone(), v.clone(), returned.clone());
                    loom::thread::spawn(move || {
                        for (i, mem) in mems.iter().enumerate().skip(1) {
                            svs.install(mem.clone(), None, v.clone());
                            returned.store(i, Ordering::SeqCst);
                        }
                    })
                };
                let ((reads_done, wait_reads), (end, may_end)) = (channel(), channel());
                let reader = {
                    let (svs, mems, returned) = (svs.clone(), mems.clone(), returned.clone());
                    loom::thread::spawn(move || {
                        two_reads(&svs, &mems, &returned, read);
                        reads_done.send(()).unwrap();
                        may_end.recv().unwrap();
                    })
                };
                two_reads(&svs, &mems, &returned, read);
                installer.join().unwrap();
                wait_reads.recv().unwrap();
                for (i, mem) in mems.iter().enumerate() {
                    let kept = Arc::strong_count(mem) - 1;
                    let expected = usize::from(i == mems.len() - 1);
                    assert_eq!(kept, expected, "super version {i} kept alive {kept} times");
                }
                svs.clear();
                assert!(
                    mems.iter().all(|mem| Arc::strong_count(mem) == 1),
                    "a super version kept alive after clear"
                );
                assert_eq!(read(&svs, &mems), None);
                end.send(()).unwrap();
                reader.join().unwrap();
            });
        }

        #[test]
        fn loom_reads_and_installs() {
            reads_and_installs("reads and installs", read);
        }

        /// The model can fail: a read that puts its super version back in its slot without checking that it is
        /// still the installed one (an install may have emptied the slots while the read ran) keeps an old super
        /// version cached, and loom finds the interleaving that shows it.
        #[test]
        #[should_panic(expected = "kept alive")]
        fn loom_catches_a_read_that_puts_back_an_old_super_version() {
            fn put_back_unchecked(svs: &Arc<SuperVersions>, mems: &[Arc<MemTable>]) -> Option<usize> {
                let slot = svs.local_slot();
                let sv = svs.acquire(&slot)?;
                let seen = position(mems, &sv);
                *lock(&slot) = Some(sv);
                Some(seen)
            }
            reads_and_installs("a read that puts back an old super version", put_back_unchecked);
        }

        /// A read on another thread while the database closes (`clear`): once the read is over, nothing keeps
        /// the super version alive.
        #[test]
        fn loom_a_read_while_clearing() {
            let v = version();
            check_model("a read while clearing", None, move || {
                let mem = memtable();
                let svs = SuperVersions::new();
                svs.install(mem.clone(), None, v.clone());
                // This thread has a slot holding the super version.
                assert_eq!(svs.with_current(|_| ()), Some(()));
                let ((read_done, wait_read), (end, may_end)) = (channel(), channel());
                let reader = {
                    let svs = svs.clone();
                    loom::thread::spawn(move || {
                        svs.with_current(|_| ());
                        read_done.send(()).unwrap();
                        may_end.recv().unwrap();
                    })
                };
                svs.clear();
                wait_read.recv().unwrap();
                assert_eq!(Arc::strong_count(&mem), 1, "a super version kept alive after clear");
                assert_eq!(svs.with_current(|_| ()), None);
                end.send(()).unwrap();
                reader.join().unwrap();
            });
        }
    }
}
