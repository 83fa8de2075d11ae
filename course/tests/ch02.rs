//! Chapter 2: the skiplist. Graded against a BTreeSet (the same keys, in the same order) and against LevelDB's
//! random heights (the same seed must give the same heights: a memtable fills up after the same entries).

use std::collections::BTreeSet;

use course::ch02_skiplist::*;
use course::support::Random;
use quickcheck::QuickCheck;

/// The first heights LevelDB's skiplist draws from its seed 0xdeadbeef.
const LEVELDB_HEIGHTS: [usize; 40] = [
    2, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 2, 1, 3, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1,
    2, 1, 1, 1, 1, 1, 1, 1,
];

#[test]
fn t1_random_heights_are_leveldbs() {
    let mut rnd = Random::new(SEED);
    let heights: Vec<usize> = (0..40).map(|_| random_height(&mut rnd)).collect();
    assert_eq!(
        heights, LEVELDB_HEIGHTS,
        "the first 40 heights from seed {SEED:#x}"
    );

    // About 3/4 of the nodes have height 1, and none more than MAX_HEIGHT.
    let mut rnd = Random::new(301);
    let mut counts = [0usize; MAX_HEIGHT + 1];
    for _ in 0..100_000 {
        counts[random_height(&mut rnd)] += 1;
    }
    assert_eq!(counts[0], 0, "a height is at least 1");
    assert!(
        (73_000..77_000).contains(&counts[1]),
        "height 1: {} of 100000",
        counts[1]
    );
    assert!(
        (17_000..20_500).contains(&counts[2]),
        "height 2: {} of 100000",
        counts[2]
    );
}

#[test]
fn t2_an_empty_list_holds_nothing() {
    let list = SkipList::new();
    assert!(!list.contains(10));
    assert_eq!(list.iter().count(), 0);
}

#[test]
fn t3_inserted_keys_are_found_and_iterated_in_order() {
    fn prop(keys: Vec<u64>, probes: Vec<u64>) -> bool {
        let mut list = SkipList::new();
        let mut model = BTreeSet::new();
        for key in keys {
            if model.insert(key) {
                list.insert(key);
            }
        }
        let all: Vec<u64> = list.iter().collect();
        let expected: Vec<u64> = model.iter().copied().collect();
        if all != expected {
            return false;
        }
        probes.iter().chain(&expected).all(|&p| {
            list.contains(p) == model.contains(&p)
                && list.iter_from(p).collect::<Vec<_>>()
                    == model.range(p..).copied().collect::<Vec<_>>()
        })
    }
    QuickCheck::new().quickcheck(prop as fn(Vec<u64>, Vec<u64>) -> bool);
}

#[test]
fn t4_the_nodes_have_leveldbs_heights() {
    let mut list = SkipList::new();
    for key in (0..2000u64).rev() {
        list.insert(key * 7);
    }
    let mut rnd = Random::new(SEED);
    let expected: Vec<usize> = (0..2000).map(|_| random_height(&mut rnd)).collect();
    assert_eq!(
        list.heights(),
        expected,
        "one random height per insert, in order"
    );
    assert_eq!(list.iter().count(), 2000);
    assert!(list.contains(7 * 1999) && !list.contains(5));
}
