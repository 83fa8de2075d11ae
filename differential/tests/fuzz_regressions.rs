//! The fuzz targets' bodies (fuzz/src/), run in the normal suite on stable Rust: every seed of every target (the
//! seed corpora fuzz/src/seeds.rs makes from tests/fixtures/ and the differential generator), and every input
//! checked in under fuzz/regressions/<target>/ (each a crash or divergence a fuzzing run found, named after what
//! it found). This is the CI variant of fuzzing: the fuzz targets themselves need nightly and libFuzzer
//! (scripts/fuzz.sh).
//!
//! The bodies live in the fuzz package, which is a workspace of its own; this test compiles them in as a module.
//! It belongs to the differential package because that package already depends on everything they use
//! (oxleveldb's internals, the differential engines, the system's LevelDB).

#[allow(dead_code)]
#[path = "../../fuzz/src/lib.rs"]
mod fuzz;

use std::path::Path;

fn repository() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// The body of `target`.
fn body(target: &str) -> fuzz::Body {
    fuzz::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .map(|(_, body)| *body)
        .unwrap_or_else(|| panic!("no fuzz target named {target}"))
}

/// Runs the input `fuzz/regressions/<target>/<name>` through its target.
fn replay(target: &str, name: &str) {
    let path = repository()
        .join("fuzz/regressions")
        .join(target)
        .join(name);
    body(target)(&std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
}

/// A table whose one block is snappy-compressed with a header claiming 100 MB: the reader allocated the 100 MB
/// before the decompressor refused the claim (the allocation oracle; fixed in src/util/snappy.rs).
#[test]
fn a_snappy_block_claiming_100_mb_allocates_nothing_for_it() {
    replay("table", "snappy-block-claiming-100MB-allocated-it");
}

/// A directory whose table has no parsable internal key: repair kept it with empty bounds and wrote a MANIFEST
/// that does not read back, so the repaired database did not open (fixed in src/db/repair.rs; LevelDB 1.23 aborts
/// on an assertion there).
#[test]
fn repair_sets_aside_a_table_without_parsable_keys() {
    replay(
        "recovery",
        "repair-kept-a-table-without-parsable-keys-and-wrote-an-unreadable-manifest",
    );
}

/// A CURRENT naming a file with a NUL byte: LevelDB's C API cuts its error at the NUL (a C string), so the
/// differential target compares errors up to the first NUL (a difference of the bindings, not of the engines).
#[test]
fn an_error_naming_a_file_with_a_nul_byte_is_compared_up_to_the_nul() {
    replay(
        "recovery_differential",
        "an-error-naming-a-file-with-a-nul-byte-ends-there-in-the-c-api",
    );
}

/// A long literal whose length minus one is 0xffffffff: C++ snappy adds the one in 32 bits and reads an empty
/// literal, so it accepts the stream, which oxleveldb refused (fixed in src/util/snappy.rs).
#[test]
fn a_literal_length_that_wraps_in_32_bits_is_accepted_as_snappy_does() {
    replay(
        "snappy_decompress",
        "a-long-literal-length-of-2-to-the-32-wraps-to-empty-in-snappy",
    );
}

/// An uncompressed length whose fifth varint byte has bits past the 32nd: snappy refuses it, oxleveldb read it
/// with LevelDB's varint (which drops them) and accepted an empty stream (fixed in src/util/snappy.rs).
#[test]
fn a_length_longer_than_32_bits_is_refused_as_snappy_does() {
    replay(
        "snappy_decompress",
        "a-length-varint-with-bits-past-32-is-refused-by-snappy",
    );
}

/// A MANIFEST whose records before a damaged last one lack the next file number: oxleveldb forgave the damage as
/// a torn edit and then failed with "no meta-nextfile entry"; a torn edit follows a whole state, so the damage is
/// reported as LevelDB reports it ("checksum mismatch"; fixed in src/db/version_set/mod.rs; found by CI's 5-second
/// run of recovery_differential).
#[test]
fn a_torn_manifest_record_after_an_incomplete_state_is_damage_as_in_leveldb() {
    replay(
        "recovery_differential",
        "a-torn-last-manifest-record-after-an-incomplete-state-is-damage-as-in-leveldb",
    );
}

/// An operation log whose `compact` flushed a fourth table to level 0: a size compaction could run before the
/// manual one and move the table of the empty key to level 1, in either engine by timing, so the harness compared
/// files that timing decides (a false divergence in 12 of 30 replays under load; the harness's model fixed in
/// differential/src/runner.rs, and checked without timing by lockstep_test.rs).
#[test]
fn a_compact_whose_flush_makes_level_0_due_is_no_file_checkpoint() {
    replay(
        "db_ops_differential",
        "a-compact-whose-flush-makes-level-0-due-races-a-size-compaction",
    );
}

/// A MANIFEST whose last edit is torn, after a whole state naming tables that are missing: oxleveldb reads past
/// the torn edit on purpose (README) and fails on the missing tables, LevelDB fails on the torn edit. The target now
/// asks LevelDB again with the torn record cut, which must answer as oxleveldb did (found by recovery_differential
/// in its first seconds, once the oracle knew no way around the documented difference).
#[test]
fn a_torn_last_manifest_edit_is_compared_with_leveldb_without_it() {
    replay(
        "recovery_differential",
        "a-torn-last-manifest-edit-is-read-past-on-purpose-and-leveldb-agrees-without-it",
    );
}

#[test]
fn every_seed_passes_every_oracle() {
    let seeds = fuzz::seeds::all(&repository().join("tests/fixtures/leveldb-1.23"));
    for (target, _) in fuzz::TARGETS {
        assert!(
            seeds.iter().any(|(t, _, _)| t == target),
            "no seed for {target}"
        );
    }
    for (target, name, input) in &seeds {
        eprintln!("{target}: {name}");
        body(target)(input);
    }
}

#[test]
fn every_regression_input_passes_every_oracle() {
    let regressions = repository().join("fuzz/regressions");
    let mut count = 0;
    for (target, run) in fuzz::TARGETS {
        let Ok(entries) = std::fs::read_dir(regressions.join(target)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            eprintln!("{target}: {}", path.display());
            run(&std::fs::read(&path).unwrap());
            count += 1;
        }
    }
    eprintln!("{count} regression inputs");
}
