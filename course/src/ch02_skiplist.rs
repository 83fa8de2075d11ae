//! Chapter 2: the arena skiplist (the tour's chapter 1, the memtable's index).
//!
//! A skiplist is a sorted linked list with express lanes: every node is on level 0, and a node of height h is
//! also linked on levels 1 .. h-1. A search starts at the top level of the head node and moves right while the
//! next key is smaller, down a level when it is not. Heights are random: 1 with probability 3/4, 2 with 3/16,
//! ..., at most 12 (LevelDB's branching factor 4), so each level holds about a quarter of the level below.
//!
//! The nodes live in an arena, here a `Vec<Node>`: a node is named by its index and never moves or goes away
//! before the list does (LevelDB's memtable allocates its nodes in an Arena for the same reason). Index 0 is the
//! head, a node without a key, of the maximum height. A link is `Option<usize>`: `None` ends a level.
//!
//! Grade: `cargo run -p course -- check 2`.

use crate::support::Random;

/// LevelDB: SkipList::kMaxHeight
pub const MAX_HEIGHT: usize = 12;
/// LevelDB: SkipList::RandomHeight's kBranching
pub const BRANCHING: u32 = 4;

/// The seed of a list's random generator (LevelDB's memtable seeds its skiplist with it).
pub const SEED: u32 = 0xdeadbeef;

/// A random height: start at 1, and while below MAX_HEIGHT, go up one with probability 1 in BRANCHING
/// (`rnd.one_in(BRANCHING)`).
///
/// LevelDB: SkipList::RandomHeight
pub fn random_height(rnd: &mut Random) -> usize {
    todo!("chapter 2: write random_height")
}

/// A node: its key, and its link on each of its levels (`next.len()` is its height).
///
/// LevelDB: SkipList::Node
struct Node {
    key: u64,
    next: Vec<Option<usize>>,
}

/// A sorted set of u64 keys. Inserting a key that is already there is a caller's error (LevelDB asserts it
/// away; the memtable never does it, as its keys hold a unique sequence number).
///
/// LevelDB: SkipList<Key, Comparator>
pub struct SkipList {
    /// The arena: the head at index 0, then every node in insertion order.
    nodes: Vec<Node>,
    /// The height of the tallest node (1 for an empty list).
    max_height: usize,
    rnd: Random,
}

impl Default for SkipList {
    fn default() -> Self {
        SkipList::new()
    }
}

impl SkipList {
    /// An empty list.
    pub fn new() -> SkipList {
        SkipList {
            nodes: vec![Node {
                key: 0,
                next: vec![None; MAX_HEIGHT],
            }],
            max_height: 1,
            rnd: Random::new(SEED),
        }
    }

    /// The first node whose key is >= `key` (`None` if there is none). If `prev` is given, sets `prev[level]`
    /// to the last node before it on each level below `max_height` (the nodes whose links an insert changes).
    ///
    /// LevelDB: SkipList::FindGreaterOrEqual
    fn find_greater_or_equal(&self, key: u64, mut prev: Option<&mut [usize; MAX_HEIGHT]>) -> Option<usize> {
        todo!("chapter 2: write SkipList::find_greater_or_equal")
    }

    /// Inserts `key`: find the nodes before it on each level, draw a random height (raising `max_height`, with
    /// the head as the node before it on the new levels), push the node into the arena and link it in on each
    /// of its levels.
    ///
    /// LevelDB: SkipList::Insert
    pub fn insert(&mut self, key: u64) {
        todo!("chapter 2: write SkipList::insert")
    }

    /// True if `key` is in the list.
    ///
    /// LevelDB: SkipList::Contains
    pub fn contains(&self, key: u64) -> bool {
        todo!("chapter 2: write SkipList::contains")
    }

    /// The keys >= `target`, in order: find the first, then follow level 0.
    ///
    /// LevelDB: SkipList::Iterator::Seek, Next
    pub fn iter_from(&self, target: u64) -> impl Iterator<Item = u64> + '_ {
        let mut node = self.find_greater_or_equal(target, None);
        std::iter::from_fn(move || {
            let at = node?;
            node = self.nodes[at].next[0];
            Some(self.nodes[at].key)
        })
    }

    /// Every key, in order.
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        self.iter_from(0)
    }

    /// The height of each node, in insertion order (to check the heights are LevelDB's).
    pub fn heights(&self) -> Vec<usize> {
        self.nodes[1..].iter().map(|n| n.next.len()).collect()
    }
}
