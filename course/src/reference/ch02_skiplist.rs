//! Chapter 2, the reference: the engine's skiplist (`oxleveldb::db::skiplist`) over u64 keys. The engine keeps
//! its node heights to itself, so `random_height` here is its three lines over the engine's `Random`, and
//! `heights` draws them from a second generator with the same seed, in the same order as the engine's list.

use std::cmp::Ordering;

use oxleveldb::db::skiplist::{self, Iter, KeyComparator};

use crate::support::Random;

pub const MAX_HEIGHT: usize = skiplist::MAX_HEIGHT;
pub const BRANCHING: u32 = 4;
pub const SEED: u32 = 0xdeadbeef;

pub fn random_height(rnd: &mut Random) -> usize {
    let mut height = 1;
    while height < MAX_HEIGHT && rnd.one_in(BRANCHING) {
        height += 1;
    }
    height
}

struct U64Order;

impl KeyComparator<u64> for U64Order {
    fn compare(&self, a: &u64, b: &u64) -> Ordering {
        a.cmp(b)
    }

    // A u64 needs no preparing for a search.
    type Decoded<'a> = u64;

    fn decode(&self, key: &u64) -> u64 {
        *key
    }

    fn compare_decoded(&self, node_key: &u64, key: &u64) -> Ordering {
        node_key.cmp(key)
    }
}

pub struct SkipList {
    list: skiplist::SkipList<u64, U64Order>,
    /// The heights the engine's list drew, drawn again.
    heights: Vec<usize>,
    rnd: Random,
}

impl Default for SkipList {
    fn default() -> Self {
        SkipList::new()
    }
}

impl SkipList {
    pub fn new() -> SkipList {
        SkipList {
            list: skiplist::SkipList::new(U64Order),
            heights: Vec::new(),
            rnd: Random::new(SEED),
        }
    }

    pub fn insert(&mut self, key: u64) {
        self.list.insert(key);
        self.heights.push(random_height(&mut self.rnd));
    }

    pub fn contains(&self, key: u64) -> bool {
        self.list.contains(&key)
    }

    pub fn iter_from(&self, target: u64) -> impl Iterator<Item = u64> + '_ {
        let mut iter = Iter::new(&self.list);
        iter.seek(&target);
        std::iter::from_fn(move || {
            if !iter.valid() {
                return None;
            }
            let key = *iter.key();
            iter.next();
            Some(key)
        })
    }

    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        self.iter_from(0)
    }

    pub fn heights(&self) -> Vec<usize> {
        self.heights.clone()
    }
}
