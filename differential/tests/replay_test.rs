//! Replay: a recorded log (the text `oxldb diff --record` writes) replays to the same answers as the generated
//! run, and the format round-trips (parse, then print, gives back the same text). Also a workload of one's own,
//! recorded through `RecordingDb`, replays on both engines.

use leveldb_differential::{generate, run, CppEngine, DbOptions, OpLog, OxEngine, RecordingDb};
use oxleveldb::{ReadOptions, WriteBatch};

#[test]
fn a_recorded_log_replays_to_the_same_answers() {
    for seed in [11, 12, 13] {
        let log = generate(seed, 400);
        let text = log.to_string();
        let parsed = OpLog::parse(&text).unwrap();
        assert_eq!(parsed, log, "seed {seed}: parse gives the log back");
        assert_eq!(
            parsed.to_string(),
            text,
            "seed {seed}: print gives the text back"
        );

        let generated = run(&log, &mut OxEngine::new(), &mut CppEngine::new()).unwrap();
        let replayed = run(&parsed, &mut OxEngine::new(), &mut CppEngine::new()).unwrap();
        assert_eq!(generated.divergence, None, "seed {seed}");
        assert_eq!(generated.answers.len(), log.ops.len());
        assert_eq!(
            replayed.file_checkpoints, generated.file_checkpoints,
            "seed {seed}"
        );
        for (i, (a, b)) in generated.answers.iter().zip(&replayed.answers).enumerate() {
            assert!(a == b, "seed {seed}: operation #{}: {a} then {b}", i + 1);
        }
        assert_eq!(
            replayed.answers.len(),
            generated.answers.len(),
            "seed {seed}"
        );
        // The answers are real: the replay on LevelDB alone sees them too (reads found values).
        assert!(generated
            .answers
            .iter()
            .any(|a| matches!(a, leveldb_differential::runner::Answer::Value(Ok(Some(_))))));
    }
}

#[test]
fn a_recorded_workload_of_ones_own_replays_on_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    // LevelDB's 4 MiB write buffer holds the writes: no background work starts on its own, so the files compare.
    let options = DbOptions {
        bloom_bits: Some(10),
        ..DbOptions::default()
    };
    let mut db = RecordingDb::open(options.clone(), dir.path()).unwrap();
    for i in 0..300u32 {
        db.put(
            format!("k{:03}", i % 97),
            vec![i as u8; (i as usize * 37) % 3000],
        )
        .unwrap();
    }
    let snapshot = db.get_snapshot();
    let mut batch = WriteBatch::new();
    batch.delete("k001");
    batch.put(b"\x00binary\xff", b"");
    db.write(&batch).unwrap();
    db.delete("absent").unwrap();
    db.compact_range(Some(b"k010"), None).unwrap();
    let at = ReadOptions {
        snapshot: Some(snapshot.clone()),
        ..ReadOptions::default()
    };
    assert!(db.get_opt("k001", &at).unwrap().is_some());
    assert_eq!(db.get("k001").unwrap(), None);
    db.get_property("leveldb.num-files-at-level0");
    db.get_approximate_sizes(&[(b"a", b"z")]);
    db.release_snapshot(snapshot);
    db.reopen().unwrap();
    db.get("k050").unwrap();
    let log = db.into_log();

    assert_eq!(log.options, options);
    assert_eq!(log.ops.len(), 300 + 11);
    let text = log.to_string();
    assert!(
        text.contains("snapshot 1\n")
            && text.contains("get @1 \"k001\"\n")
            && text.contains("release 1\n")
    );
    assert_eq!(OpLog::parse(&text).unwrap(), log);
    let outcome = run(&log, &mut OxEngine::new(), &mut CppEngine::new()).unwrap();
    assert!(
        outcome.divergence.is_none(),
        "{}",
        outcome.divergence.unwrap()
    );
    assert!(
        outcome.file_checkpoints > 0,
        "files compared at the compaction and the closes"
    );
}
