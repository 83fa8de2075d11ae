//! Differential testing of oxleveldb against the system's C++ LevelDB 1.23, as a library: the same workload on
//! both engines in lockstep, every answer compared, the files compared byte for byte where timing cannot decide
//! them, and a diverging workload shrunk to a short reproducer.
//!
//! - [`engine`]: the [`Engine`] trait, implemented by [`OxEngine`] (oxleveldb) and [`CppEngine`] (LevelDB through
//!   its C API), and by any wrapper a test puts around them.
//! - [`workload`]: the seeded generator ([`generate`]): options and operations drawn from a seed.
//! - [`oplog`]: the operation log ([`OpLog`]) and its line-based text format (docs/oplog.md).
//! - [`runner`]: [`run`] applies a log to two engines and reports the first [`Divergence`];
//!   [`run_cross_open`] also has each engine open and change the other's database.
//! - [`mod@shrink`]: delta debugging over operations, then over key and value lengths.
//! - [`recorder`]: [`RecordingDb`], a `DB` that records the calls a program makes, for a workload of one's own.
//! - [`crash`]: the crash-state explorer: a workload's file-system operations recorded on either engine, the
//!   states a crash could leave under two persistence models, each opened and checked, failures grouped by cause.
//!
//! ```
//! use leveldb_differential::{run, CppEngine, DbOptions, OxEngine, RecordingDb};
//! use oxleveldb::ReadOptions;
//!
//! // Record a workload by running it on oxleveldb...
//! let dir = tempfile::tempdir().unwrap();
//! let mut db = RecordingDb::open(DbOptions::default(), dir.path()).unwrap();
//! db.put("apple", "red").unwrap();
//! let snapshot = db.get_snapshot();
//! db.delete("apple").unwrap();
//! db.compact_range(None, None).unwrap();
//! let at_snapshot = ReadOptions { snapshot: Some(snapshot.clone()), ..ReadOptions::default() };
//! assert_eq!(db.get_opt("apple", &at_snapshot).unwrap().as_deref(), Some(&b"red"[..]));
//! db.release_snapshot(snapshot);
//! db.reopen().unwrap();
//! db.get("apple").unwrap();
//! let log = db.into_log();
//! std::fs::write(dir.path().join("workload.oplog"), log.to_string()).unwrap();
//!
//! // ...then replay it on both engines (`oxldb diff --replay=workload.oplog` does the same).
//! let outcome = run(&log, &mut OxEngine::new(), &mut CppEngine::new()).unwrap();
//! assert_eq!(outcome.divergence, None);
//! ```

pub mod bytes;
mod cpp_engine;
pub mod crash;
pub mod engine;
pub mod files;
pub mod oplog;
pub mod options;
mod ox_engine;
pub mod recorder;
pub mod runner;
pub mod shrink;
pub mod workload;

pub use bytes::Bytes;
pub use cpp_engine::{cpp_options, CppEngine};
pub use engine::Engine;
pub use oplog::{Op, OpLog};
pub use options::DbOptions;
pub use ox_engine::{ox_options, OxEngine};
pub use recorder::RecordingDb;
pub use runner::{run, run_cross_open, run_in, Divergence, Outcome};
pub use shrink::{shrink, shrink_divergence};
pub use workload::generate;
