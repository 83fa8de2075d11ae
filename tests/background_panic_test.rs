//! A panic during background work (a bug, or a user comparator that panics) is contained: it becomes the
//! database's background error (writes fail with it, reads keep working, nothing acknowledged is lost), and the
//! background thread that every database of the process shares keeps serving the others.

use std::cmp::Ordering;
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::Arc;

use oxleveldb::util::comparator::{bytewise_comparator, Comparator};
use oxleveldb::{Options, DB};

/// The bytewise order, except that once armed it panics when called on the background thread.
struct PanickyComparator {
    armed: AtomicBool,
}

impl PanickyComparator {
    fn check(&self) {
        if self.armed.load(AtomicOrdering::SeqCst)
            && std::thread::current().name() == Some("oxleveldb-bg")
        {
            panic!("the comparator fails in the background");
        }
    }
}

impl Comparator for PanickyComparator {
    fn compare(&self, a: &[u8], b: &[u8]) -> Ordering {
        self.check();
        a.cmp(b)
    }
    fn name(&self) -> &str {
        "test.PanickyComparator"
    }
    fn find_shortest_separator(&self, start: &mut Vec<u8>, limit: &[u8]) {
        self.check();
        bytewise_comparator().find_shortest_separator(start, limit)
    }
    fn find_short_successor(&self, key: &mut Vec<u8>) {
        self.check();
        bytewise_comparator().find_short_successor(key)
    }
}

fn open(path: &std::path::Path, comparator: Option<Arc<PanickyComparator>>) -> DB {
    let mut options = Options {
        create_if_missing: true,
        ..Options::default()
    };
    if let Some(comparator) = comparator {
        options.comparator = comparator;
    }
    DB::open(options, path).unwrap()
}

#[test]
fn a_panic_in_background_work_becomes_the_background_error() {
    let dir = tempfile::tempdir().unwrap();
    let comparator = Arc::new(PanickyComparator {
        armed: AtomicBool::new(false),
    });
    let db = open(dir.path(), Some(comparator.clone()));
    for i in 0..100 {
        db.put(format!("key{i:03}").as_bytes(), b"value").unwrap();
    }

    // The memtable flush runs on the background thread, and panics there.
    comparator.armed.store(true, AtomicOrdering::SeqCst);
    let e = db.test_compact_mem_table().unwrap_err();
    assert!(
        e.to_string()
            .starts_with("IO error: oxleveldb panicked: the comparator fails"),
        "{e}"
    );
    // Writes fail with the background error from now on; reads still work (from the memtable it kept).
    assert_eq!(
        db.put(b"more", b"x").unwrap_err().to_string(),
        e.to_string()
    );
    assert_eq!(db.get(b"key042").unwrap().as_deref(), Some(&b"value"[..]));
    assert_eq!(db.new_iterator().into_iter().count(), 100);

    // Another database still gets its background work done: the shared thread lives on.
    let other_dir = tempfile::tempdir().unwrap();
    let other = open(other_dir.path(), None);
    other.put(b"a", b"1").unwrap();
    other.test_compact_mem_table().unwrap();
    other.compact_range(None, None).unwrap();
    assert_eq!(
        other.get_property("leveldb.num-files-at-level0").as_deref(),
        Some("0")
    );
    assert_eq!(other.get(b"a").unwrap().as_deref(), Some(&b"1"[..]));

    // Closing does not hang, and nothing acknowledged was lost: the log still holds every write.
    drop(db);
    comparator.armed.store(false, AtomicOrdering::SeqCst);
    let db = open(dir.path(), Some(comparator));
    assert_eq!(db.new_iterator().into_iter().count(), 100);
    assert_eq!(db.get(b"key099").unwrap().as_deref(), Some(&b"value"[..]));
    db.put(b"more", b"x").unwrap();
}
