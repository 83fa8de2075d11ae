//! The synchronization types of the protocols checked with loom: std's in every normal build, loom's in a build
//! with `RUSTFLAGS="--cfg loom"` (`scripts/loom.sh`), where loom runs each model under every interleaving of its
//! threads (up to a bound on preemptions) and reports a failed assertion, a deadlock or a lost wake-up.
//!
//! Only the modules whose protocols have loom models take their types from here: the super versions' cache
//! (`db/super_version.rs`), the lock table (`txn/lock_map.rs`) and the memtable filter (`db/memtable_filter.rs`). Their `Arc`s stay std's: loom 0.7 has no
//! `Weak`, and reference counts are not what those protocols synchronize on (their mutexes and atomics are).
//! Under loom the library can run only inside a loom model, so that build runs the loom tests alone.

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicI64, AtomicU64};
#[cfg(not(loom))]
pub(crate) use std::sync::{Condvar, Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use std::thread_local;

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicI64, AtomicU64};
#[cfg(loom)]
pub(crate) use loom::sync::{Condvar, Mutex, MutexGuard};
/// loom's `thread_local!` (a value per thread of the model, dropped when that thread ends), taking std's
/// `const { init }` form too: loom's macro takes its initializer as an edition 2021 `expr`, which a `const` block
/// is not.
#[cfg(loom)]
macro_rules! loom_thread_local {
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = const { $init:expr };) => {
        loom::thread_local!($(#[$attr])* $vis static $name: $t = $init);
    };
}
#[cfg(loom)]
pub(crate) use loom_thread_local as thread_local;

/// Runs the model `f` under every interleaving of its threads that loom explores, and prints how many it ran and
/// how long that took (seen with `--nocapture`). `preemption_bound` bounds how many times an interleaving may
/// switch threads where the running one could have gone on (`None`: no bound, every interleaving);
/// `LOOM_MAX_PREEMPTIONS` overrides it.
#[cfg(all(test, loom))]
pub(crate) fn check_model(name: &str, preemption_bound: Option<usize>, f: impl Fn() + Sync + Send + 'static) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let mut builder = loom::model::Builder::new();
    if std::env::var_os("LOOM_MAX_PREEMPTIONS").is_none() {
        builder.preemption_bound = preemption_bound;
    }
    let executions = Arc::new(AtomicUsize::new(0));
    let counted = executions.clone();
    let start = std::time::Instant::now();
    builder.check(move || {
        counted.fetch_add(1, Ordering::Relaxed);
        f();
    });
    let bound = builder.preemption_bound.map_or("no bound".to_string(), |n| format!("at most {n} preemptions"));
    eprintln!(
        "loom: {name}: {} interleavings ({bound}) in {:.1?}",
        executions.load(Ordering::Relaxed),
        start.elapsed()
    );
}
