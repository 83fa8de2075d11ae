//! Build LevelDB 1.23, chapter by chapter, graded against the bytes LevelDB itself wrote.
//!
//! Each chapter's functions live in `src/chNN_<name>.rs`, stubbed with `todo!("chapter N: ...")`: write them,
//! then grade the chapter with `cargo run -p course -- check N`. The tests (`tests/chNN.rs`) compare the results
//! with simple models and the bytes with the files LevelDB 1.23 wrote (`tests/fixtures/leveldb-1.23/`).
//!
//! Invariant: a chapter module has the same items in both builds. Built with the feature `reference`, each one is
//! replaced by `src/reference/chNN_<name>.rs`, whose functions call into the engine (oxleveldb): the tests then
//! grade the engine itself, so the course cannot drift from it.
//!
//! See README.md for the chapters and what each asks for.

pub mod explain;
pub mod fixtures;
pub mod grade;
pub mod support;

/// Declares a chapter: the learner's file, or with the feature `reference`, the engine's answer. The stubs leave
/// their parameters and helpers unused until they are written, so those warnings are off in the learner's files
/// (delete the `allow` line once your chapters are written, to see the compiler's and clippy's warnings again).
macro_rules! chapters {
    ($($name:ident => $reference:literal;)*) => {$(
        #[cfg(not(feature = "reference"))]
        #[allow(unused_variables, unused_mut, dead_code, unused_imports, clippy::ptr_arg)]
        pub mod $name;
        #[cfg(feature = "reference")]
        #[path = $reference]
        pub mod $name;
    )*};
}

chapters! {
    ch01_log => "reference/ch01_log.rs";
    ch02_skiplist => "reference/ch02_skiplist.rs";
    ch03_memtable => "reference/ch03_memtable.rs";
    ch04_block => "reference/ch04_block.rs";
    ch05_bloom => "reference/ch05_bloom.rs";
    ch06_table => "reference/ch06_table.rs";
    ch07_manifest => "reference/ch07_manifest.rs";
    ch08_iterators => "reference/ch08_iterators.rs";
    ch09_writer_queue => "reference/ch09_writer_queue.rs";
}
