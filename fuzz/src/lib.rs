//! The bodies of the fuzz targets (fuzz_targets/ holds one line each that calls its body), shared with the
//! stable test that replays the seeds and the checked-in regressions through them
//! (differential/tests/fuzz_regressions.rs).
//!
//! Each target's module says what its input is and what its oracles are: never "no panic" alone. A finding is a
//! panic: an oracle's assertion or a crash.
//!
//! Invariant: a body is a pure function of its input (no state is kept between runs), so a crash reproduces from
//! its input alone.

pub mod alloc_bound;
pub mod db_ops;
pub mod db_ops_input;
pub mod dir_input;
pub mod log_reader;
pub mod messages;
pub mod oplog;
pub mod recovery;
pub mod seeds;
pub mod snappy;
pub mod table;
pub mod version_edit;
pub mod write_batch;

/// A target's body: runs one input, panicking on a finding.
pub type Body = fn(&[u8]);

/// Every target: its name and its body.
pub const TARGETS: &[(&str, Body)] = &[
    ("log_reader", log_reader::run),
    ("block", table::run_block),
    ("table", table::run_table),
    ("version_edit", version_edit::run),
    ("recovery", recovery::run),
    ("recovery_differential", recovery::run_differential),
    ("write_batch", write_batch::run),
    ("snappy_decompress", snappy::run_decompress),
    ("snappy_roundtrip", snappy::run_roundtrip),
    ("oplog", oplog::run),
    ("db_ops", db_ops::run),
    ("db_ops_differential", db_ops::run_differential),
];
