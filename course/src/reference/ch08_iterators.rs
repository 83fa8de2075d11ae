//! Chapter 8, the reference: the engine's merging iterator, and its DB iterator. The engine builds a DB
//! iterator only inside a database, so the reference replays the internal entries into a database in memory
//! (in sequence order, one write each) and reads them back at a snapshot taken after the last entry at or below
//! the iterator's sequence: the engine's DBIter then hides exactly what LevelDB's would.

use std::sync::Arc;

use oxleveldb::env::MemEnv;
use oxleveldb::{DBIterator, Options, ReadOptions, DB};

use crate::support::{Comparator, Cursor};

pub fn new_merging_iterator(
    comparator: Arc<dyn Comparator>,
    children: Vec<Box<dyn Cursor>>,
) -> Box<dyn Cursor> {
    oxleveldb::table::merger::new_merging_iterator(comparator, children)
}

pub fn parse(internal_key: &[u8]) -> (&[u8], u64, bool) {
    let (user_key, tag) = internal_key.split_at(internal_key.len() - 8);
    let tag = u64::from_le_bytes(tag.try_into().expect("8 bytes"));
    (user_key, tag >> 8, tag & 0xff == 1)
}

pub struct DbIter {
    iter: DBIterator,
    /// The database the iterator reads (kept open while it does).
    _db: DB,
}

impl DbIter {
    pub fn new(mut internal: Box<dyn Cursor>, sequence: u64) -> DbIter {
        let mut entries = Vec::new();
        internal.seek_to_first();
        while internal.valid() {
            let (user_key, seq, is_put) = parse(internal.key());
            entries.push((seq, user_key.to_vec(), is_put, internal.value().to_vec()));
            internal.next();
        }
        entries.sort_by_key(|e| e.0);
        let options = Options {
            create_if_missing: true,
            env: Arc::new(MemEnv::default()),
            ..Options::default()
        };
        let db = DB::open(options, "/course-db").expect("a database in memory");
        let mut snapshot = db.get_snapshot();
        for (seq, key, is_put, value) in entries {
            if is_put {
                db.put(&key, &value).expect("memory does not fail");
            } else {
                db.delete(&key).expect("memory does not fail");
            }
            if seq <= sequence {
                snapshot = db.get_snapshot();
            }
        }
        let iter = db.new_iterator_opt(&ReadOptions {
            snapshot: Some(snapshot),
            ..ReadOptions::default()
        });
        DbIter { iter, _db: db }
    }

    pub fn valid(&self) -> bool {
        self.iter.valid()
    }

    pub fn key(&self) -> &[u8] {
        self.iter.key()
    }

    pub fn value(&self) -> &[u8] {
        self.iter.value()
    }

    pub fn seek_to_first(&mut self) {
        self.iter.seek_to_first()
    }

    pub fn seek_to_last(&mut self) {
        self.iter.seek_to_last()
    }

    pub fn seek(&mut self, target: &[u8]) {
        self.iter.seek(target)
    }

    pub fn next(&mut self) {
        self.iter.next()
    }

    pub fn prev(&mut self) {
        self.iter.prev()
    }
}
