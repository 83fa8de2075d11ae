//! Chapter 8: the merging iterator and the DB iterator. Graded against models: a sorted vector for the merge,
//! and for the DB iterator, a map of the versions of each key (what a user sees at snapshot s is each key's
//! newest version at or below s, unless it is a deletion), walked forward, backward and both ways mixed.

use std::collections::BTreeMap;

use course::ch08_iterators::*;
use course::support::{bytewise_comparator, internal_key_comparator, Cursor, VecCursor};
use quickcheck::{Arbitrary, Gen, QuickCheck, TestResult};

type Entries = Vec<(Vec<u8>, Vec<u8>)>;

/// A move of a cursor.
#[derive(Clone, Debug)]
enum Move {
    Next,
    Prev,
    Seek(u8),
    First,
    Last,
}

impl Arbitrary for Move {
    fn arbitrary(g: &mut Gen) -> Self {
        match u8::arbitrary(g) % 8 {
            0 => Move::First,
            1 => Move::Last,
            2 => Move::Seek(u8::arbitrary(g) % 24),
            3..=5 => Move::Next,
            _ => Move::Prev,
        }
    }
}

fn user_key(k: u8) -> Vec<u8> {
    format!("k{:03}", k).into_bytes()
}

/// The model cursor: a position in sorted entries (`len` when invalid).
fn model_move(entries: &Entries, at: usize, m: &Move) -> usize {
    let n = entries.len();
    match m {
        Move::First => 0,
        Move::Last => n.checked_sub(1).unwrap_or(n),
        Move::Seek(k) => entries.partition_point(|(key, _)| *key < user_key(*k)),
        Move::Next => at + 1,
        Move::Prev => at.checked_sub(1).unwrap_or(n),
    }
    .min(n)
}

/// Entries with distinct keys, dealt to `children` cursors.
fn dealt(entries: &BTreeMap<u8, u8>, deal: &[u8], children: usize) -> Vec<Box<dyn Cursor>> {
    let mut lists: Vec<Entries> = vec![Vec::new(); children];
    for (i, (&k, &v)) in entries.iter().enumerate() {
        let child = usize::from(deal.get(i).copied().unwrap_or(0)) % children;
        lists[child].push((user_key(k), vec![v]));
    }
    lists
        .into_iter()
        .map(|l| Box::new(VecCursor::new(l, bytewise_comparator())) as Box<dyn Cursor>)
        .collect()
}

fn merge_prop(entries: BTreeMap<u8, u8>, deal: Vec<u8>, moves: Vec<Move>) -> TestResult {
    let model: Entries = entries
        .iter()
        .map(|(&k, &v)| (user_key(k), vec![v]))
        .collect();
    let mut iter = new_merging_iterator(bytewise_comparator(), dealt(&entries, &deal, 3));
    let mut at = model.len();
    let mut done = Vec::new();
    for m in moves {
        if matches!(m, Move::Next | Move::Prev) && at == model.len() {
            continue; // Only a valid cursor moves.
        }
        match &m {
            Move::First => iter.seek_to_first(),
            Move::Last => iter.seek_to_last(),
            Move::Seek(k) => iter.seek(&user_key(*k)),
            Move::Next => iter.next(),
            Move::Prev => iter.prev(),
        }
        at = model_move(&model, at, &m);
        done.push(m);
        let expected = model.get(at).map(|(k, v)| (k.clone(), v.clone()));
        let got = iter
            .valid()
            .then(|| (iter.key().to_vec(), iter.value().to_vec()));
        if got != expected {
            return TestResult::error(format!(
                "after {done:?}: expected {expected:?}, got {got:?}"
            ));
        }
    }
    TestResult::passed()
}

#[test]
fn t1_the_merge_walks_forward_in_order() {
    let entries: BTreeMap<u8, u8> = (0..20).map(|k| (k, k * 2)).collect();
    let deal: Vec<u8> = (0..20).map(|i| (i * 7 % 5) as u8).collect();
    let mut iter = new_merging_iterator(bytewise_comparator(), dealt(&entries, &deal, 3));
    let mut keys = Vec::new();
    iter.seek_to_first();
    while iter.valid() {
        keys.push(iter.key().to_vec());
        iter.next();
    }
    assert_eq!(
        keys,
        entries.keys().map(|&k| user_key(k)).collect::<Vec<_>>()
    );
    fn prop(entries: BTreeMap<u8, u8>, deal: Vec<u8>, nexts: u8) -> TestResult {
        let moves = std::iter::once(Move::First)
            .chain((0..nexts % 30).map(|_| Move::Next))
            .collect();
        merge_prop(entries, deal, moves)
    }
    QuickCheck::new().quickcheck(prop as fn(BTreeMap<u8, u8>, Vec<u8>, u8) -> TestResult);
}

#[test]
fn t2_the_merge_walks_backward_and_changes_direction() {
    fn prop(entries: BTreeMap<u8, u8>, deal: Vec<u8>, moves: Vec<Move>) -> TestResult {
        merge_prop(entries, deal, moves)
    }
    QuickCheck::new().quickcheck(prop as fn(BTreeMap<u8, u8>, Vec<u8>, Vec<Move>) -> TestResult);
}

/// A history of writes: the i-th (from 0) has sequence i + 1.
#[derive(Clone, Debug)]
struct History(Vec<(u8, Option<u8>)>);

impl Arbitrary for History {
    fn arbitrary(g: &mut Gen) -> Self {
        let n = usize::arbitrary(g) % 40;
        History(
            (0..n)
                .map(|_| {
                    (
                        u8::arbitrary(g) % 12,
                        bool::arbitrary(g).then(|| u8::arbitrary(g)),
                    )
                })
                .collect(),
        )
    }
}

/// What a user sees at snapshot `s`.
fn visible(history: &History, s: u64) -> Entries {
    let mut map = BTreeMap::new();
    for (i, (k, v)) in history.0.iter().enumerate() {
        if (i as u64) < s {
            map.insert(user_key(*k), *v);
        }
    }
    map.into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, vec![v])))
        .collect()
}

/// The DB iterator over the history's internal entries, dealt to three cursors and merged.
fn db_iter(history: &History, s: u64) -> DbIter {
    let mut lists: Vec<Entries> = vec![Vec::new(); 3];
    for (i, (k, v)) in history.0.iter().enumerate() {
        let seq = i as u64 + 1;
        let mut key = user_key(*k);
        key.extend_from_slice(&(seq << 8 | u64::from(v.is_some())).to_le_bytes());
        lists[i * 5 % 3].push((key, v.map(|v| vec![v]).unwrap_or_default()));
    }
    let children = lists
        .into_iter()
        .map(|l| Box::new(VecCursor::new(l, internal_key_comparator())) as Box<dyn Cursor>)
        .collect();
    DbIter::new(new_merging_iterator(internal_key_comparator(), children), s)
}

#[test]
fn t3_the_db_iterator_shows_the_newest_visible_version_forward() {
    // a=1 (1), b=2 (2), delete a (3), c=3 (4), b=4 (5): at 5 the user sees b=4, c=3; at 2, a=1 and b=2.
    let history = History(vec![
        (1, Some(1)),
        (2, Some(2)),
        (1, None),
        (3, Some(3)),
        (2, Some(4)),
    ]);
    for (s, expected) in [
        (5, visible(&history, 5)),
        (2, visible(&history, 2)),
        (0, Vec::new()),
    ] {
        let mut iter = db_iter(&history, s);
        let mut got = Vec::new();
        iter.seek_to_first();
        while iter.valid() {
            got.push((iter.key().to_vec(), iter.value().to_vec()));
            iter.next();
        }
        assert_eq!(got, expected, "forward at snapshot {s}");
    }
    fn prop(history: History, s: u8) -> bool {
        let s = u64::from(s) % (history.0.len() as u64 + 2);
        let mut iter = db_iter(&history, s);
        let mut got = Vec::new();
        iter.seek_to_first();
        while iter.valid() {
            got.push((iter.key().to_vec(), iter.value().to_vec()));
            iter.next();
        }
        got == visible(&history, s)
    }
    QuickCheck::new().quickcheck(prop as fn(History, u8) -> bool);
}

#[test]
fn t4_the_db_iterator_walks_backward() {
    fn prop(history: History, s: u8) -> bool {
        let s = u64::from(s) % (history.0.len() as u64 + 2);
        let mut iter = db_iter(&history, s);
        let mut got = Vec::new();
        iter.seek_to_last();
        while iter.valid() {
            got.push((iter.key().to_vec(), iter.value().to_vec()));
            iter.prev();
        }
        got.reverse();
        got == visible(&history, s)
    }
    QuickCheck::new().quickcheck(prop as fn(History, u8) -> bool);
}

#[test]
fn t5_the_db_iterator_changes_direction_and_seeks() {
    fn prop(history: History, s: u8, moves: Vec<Move>) -> TestResult {
        let s = u64::from(s) % (history.0.len() as u64 + 2);
        let model = visible(&history, s);
        let mut iter = db_iter(&history, s);
        let mut at = model.len();
        let mut done = Vec::new();
        for m in moves {
            if matches!(m, Move::Next | Move::Prev) && at == model.len() {
                continue;
            }
            match &m {
                Move::First => iter.seek_to_first(),
                Move::Last => iter.seek_to_last(),
                Move::Seek(k) => iter.seek(&user_key(*k)),
                Move::Next => iter.next(),
                Move::Prev => iter.prev(),
            }
            at = model_move(&model, at, &m);
            done.push(m);
            let expected = model.get(at).cloned();
            let got = iter
                .valid()
                .then(|| (iter.key().to_vec(), iter.value().to_vec()));
            if got != expected {
                return TestResult::error(format!(
                    "snapshot {s}, after {done:?}: expected {expected:?}, got {got:?}"
                ));
            }
        }
        TestResult::passed()
    }
    QuickCheck::new().quickcheck(prop as fn(History, u8, Vec<Move>) -> TestResult);
}
