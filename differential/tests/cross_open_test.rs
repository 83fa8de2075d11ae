//! Cross-open inside the runner: after a run, each engine opens the other's database and the contents are
//! identical, also after further writes, compactions and reopens by the other engine, and once more when each
//! engine opens its own directory again.

use leveldb_differential::oplog::Op;
use leveldb_differential::{generate, run_cross_open, CppEngine, OxEngine};

#[test]
fn each_engine_opens_the_others_database() {
    for seed in [21, 22, 23, 24] {
        let log = generate(seed, 800);
        let further = generate(seed + 1000, 400);
        assert!(further.ops.iter().any(|op| matches!(op, Op::Compact(..))));
        assert!(further.ops.iter().any(|op| matches!(op, Op::Put(..))));
        let outcome =
            run_cross_open(&log, &further, &mut OxEngine::new(), &mut CppEngine::new()).unwrap();
        assert_eq!(outcome.divergence, None, "seed {seed}");
        // Every operation of both logs, plus the whole-contents scans (2 after each swap, 2 after the writes).
        assert_eq!(
            outcome.answers.len(),
            log.ops.len() + further.ops.len() + 6,
            "seed {seed}"
        );
    }
}
