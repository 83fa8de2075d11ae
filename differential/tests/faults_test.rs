//! The harness catches what it should: engines with a deliberate fault (wrappers around oxleveldb) diverge from
//! LevelDB, and the shrinker reduces each divergence to a log of at most 10 operations that still diverges when
//! replayed from its text, and does not diverge without the fault.

use std::collections::HashMap;
use std::path::Path;

use leveldb_differential::engine::{BatchOp, Cursor};
use leveldb_differential::{
    generate, run_in, shrink_divergence, CppEngine, DbOptions, Engine, OpLog, OxEngine,
};

/// oxleveldb, passing every call through except what a fault changes.
macro_rules! pass_through {
    () => {
        fn name(&self) -> String {
            self.inner.name()
        }
        fn close(&mut self) {
            self.inner.close()
        }
        fn write(&mut self, ops: &[BatchOp]) -> Result<(), String> {
            self.inner.write(ops)
        }
        fn cursor(&mut self, s: Option<u32>) -> Box<dyn Cursor + '_> {
            self.inner.cursor(s)
        }
        fn snapshot(&mut self, id: u32) {
            self.inner.snapshot(id)
        }
        fn release(&mut self, id: u32) {
            self.inner.release(id)
        }
        fn compact_range(&mut self, b: Option<&[u8]>, e: Option<&[u8]>) -> Result<(), String> {
            self.inner.compact_range(b, e)
        }
        fn property(&mut self, name: &str) -> Option<String> {
            self.inner.property(name)
        }
        fn approximate_sizes(&mut self, ranges: &[(Vec<u8>, Vec<u8>)]) -> Vec<u64> {
            self.inner.approximate_sizes(ranges)
        }
    };
}

/// Drops every 5th `delete` call (acknowledging it).
#[derive(Default)]
struct DropsEveryFifthDelete {
    inner: OxEngine,
    deletes: usize,
}

impl Engine for DropsEveryFifthDelete {
    pass_through!();
    fn open(&mut self, path: &Path, options: &DbOptions) -> Result<(), String> {
        self.inner.open(path, options)
    }
    fn put(&mut self, key: &[u8], value: &[u8]) -> Result<(), String> {
        self.inner.put(key, value)
    }
    fn delete(&mut self, key: &[u8]) -> Result<(), String> {
        self.deletes += 1;
        if self.deletes % 5 == 0 {
            return Ok(());
        }
        self.inner.delete(key)
    }
    fn get(&mut self, s: Option<u32>, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
        self.inner.get(s, key)
    }
}

/// After a reopen, a get of a key put twice or more returns the value before the last `put`.
#[derive(Default)]
struct StaleAfterReopen {
    inner: OxEngine,
    opens: usize,
    previous: HashMap<Vec<u8>, Vec<u8>>,
    last: HashMap<Vec<u8>, Vec<u8>>,
}

impl Engine for StaleAfterReopen {
    pass_through!();
    fn open(&mut self, path: &Path, options: &DbOptions) -> Result<(), String> {
        self.opens += 1;
        self.inner.open(path, options)
    }
    fn put(&mut self, key: &[u8], value: &[u8]) -> Result<(), String> {
        if let Some(old) = self.last.insert(key.to_vec(), value.to_vec()) {
            self.previous.insert(key.to_vec(), old);
        }
        self.inner.put(key, value)
    }
    fn delete(&mut self, key: &[u8]) -> Result<(), String> {
        self.inner.delete(key)
    }
    fn get(&mut self, s: Option<u32>, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
        let value = self.inner.get(s, key)?;
        if self.opens > 1 && value.is_some() && value.as_ref() == self.last.get(key) {
            if let Some(old) = self.previous.get(key) {
                return Ok(Some(old.clone()));
            }
        }
        Ok(value)
    }
}

/// Finds a diverging generated log, shrinks it, and checks the shrunk log.
fn caught_and_shrunk(make_faulty: &dyn Fn() -> Box<dyn Engine>, what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (log, divergence) = (1..50)
        .find_map(|seed| {
            let log = generate(seed, 600);
            let outcome =
                run_in(dir.path(), &log, &mut *make_faulty(), &mut CppEngine::new()).unwrap();
            outcome.divergence.map(|d| (log, d))
        })
        .unwrap_or_else(|| panic!("{what}: no seed diverged"));
    println!("{what}: caught\n{divergence}");
    let cpp = || Box::new(CppEngine::new()) as Box<dyn Engine>;
    let shrunk = shrink_divergence(dir.path(), &log, make_faulty, &cpp);
    let text = shrunk.to_string();
    println!(
        "{what}: shrunk from {} to {} operations:\n{text}",
        log.ops.len(),
        shrunk.ops.len()
    );
    assert!(
        shrunk.ops.len() <= 10,
        "{what}: {} operations left",
        shrunk.ops.len()
    );

    // The written file replays: it still diverges with the fault, and not without it.
    let replayed = OpLog::parse(&text).unwrap();
    assert_eq!(replayed, shrunk);
    let with_fault = run_in(
        dir.path(),
        &replayed,
        &mut *make_faulty(),
        &mut CppEngine::new(),
    )
    .unwrap();
    let report = with_fault
        .divergence
        .expect("the shrunk log diverges")
        .to_string();
    assert!(
        report.contains(&format!("seed {}", log.seed.unwrap())),
        "{report}"
    );
    let without = run_in(
        dir.path(),
        &replayed,
        &mut OxEngine::new(),
        &mut CppEngine::new(),
    )
    .unwrap();
    assert_eq!(without.divergence, None, "{what}: oxleveldb itself agrees");
}

#[test]
fn a_dropped_delete_is_caught_and_shrunk() {
    caught_and_shrunk(
        &|| Box::new(DropsEveryFifthDelete::default()),
        "drops every 5th delete",
    );
}

#[test]
fn a_stale_value_after_reopen_is_caught_and_shrunk() {
    caught_and_shrunk(
        &|| Box::new(StaleAfterReopen::default()),
        "stale after reopen",
    );
}
