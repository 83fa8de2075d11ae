//! A transaction's buffered writes: the `WriteBatch` its commit will write, and an index of it by key, so that
//! the transaction reads its own writes.
//!
//! Invariant: for each key the batch holds, `index` gives its newest update: where that put's value lies in the
//! batch's bytes, or that it is a delete. Values are not copied into the index: a put's value is the last field of
//! its record, so its place is known right after it is appended.

use super::key_hasher::KeyMap;
use crate::db::write_batch::Handler;
use crate::error::Result;
use crate::WriteBatch;

/// The newest update of a key in the batch: the range of its value in the batch's bytes, or `None` for a delete.
type Update = Option<(usize, usize)>;

/// Where a batch stood at a save point.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BatchSavePoint {
    size: usize,
    count: u32,
}

/// RocksDB: WriteBatchWithIndex
#[derive(Default)]
pub(crate) struct WriteBatchWithIndex {
    batch: WriteBatch,
    index: KeyMap<Update>,
}

impl WriteBatchWithIndex {
    /// RocksDB: WriteBatchWithIndex::Put
    pub(crate) fn put(&mut self, key: &[u8], value: &[u8]) {
        self.batch.put(key, value);
        let end = self.batch.contents().len();
        self.set_update(key, Some((end - value.len(), end)));
    }

    /// RocksDB: WriteBatchWithIndex::Delete
    pub(crate) fn delete(&mut self, key: &[u8]) {
        self.batch.delete(key);
        self.set_update(key, None);
    }

    fn set_update(&mut self, key: &[u8], update: Update) {
        match self.index.get_mut(key) {
            Some(slot) => *slot = update,
            None => {
                self.index.insert(key.to_vec(), update);
            }
        }
    }

    /// The transaction's own newest update of `key`: `None` if it has not written it, `Some(None)` if it deleted
    /// it, `Some(Some(value))` if it put a value.
    ///
    /// RocksDB: WriteBatchWithIndex::GetFromBatch
    pub(crate) fn get_from_batch(&self, key: &[u8]) -> Option<Option<&[u8]>> {
        let update = self.index.get(key)?;
        Some(update.map(|(start, end)| &self.batch.contents()[start..end]))
    }

    /// Every key written, with its newest update (`None` for a delete), in no particular order.
    pub(crate) fn updates(&self) -> impl Iterator<Item = (&[u8], Option<&[u8]>)> {
        let contents = self.batch.contents();
        self.index.iter().map(move |(key, update)| {
            (
                key.as_slice(),
                update.map(|(start, end)| &contents[start..end]),
            )
        })
    }

    /// The batch to write at commit.
    pub(crate) fn write_batch(&self) -> &WriteBatch {
        &self.batch
    }

    /// The keys written, each once.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &[u8]> {
        self.index.keys().map(|key| key.as_slice())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// RocksDB: WriteBatchWithIndex::Clear
    pub(crate) fn clear(&mut self) {
        self.batch.clear();
        self.index.clear();
    }

    /// RocksDB: WriteBatchWithIndex::SetSavePoint
    pub(crate) fn set_save_point(&self) -> BatchSavePoint {
        BatchSavePoint {
            size: self.batch.contents().len(),
            count: self.batch.count(),
        }
    }

    /// Drops the updates made since `save_point` and rebuilds the index of the rest.
    ///
    /// RocksDB: WriteBatchWithIndex::RollbackToSavePoint
    pub(crate) fn rollback_to_save_point(&mut self, save_point: BatchSavePoint) -> Result<()> {
        let kept = self.batch.contents()[..save_point.size].to_vec();
        self.batch.set_contents(&kept)?;
        self.batch.set_count(save_point.count);
        self.index.clear();
        let mut rebuild = Rebuild {
            base: self.batch.contents().as_ptr() as usize,
            index: &mut self.index,
        };
        self.batch.iterate(&mut rebuild)
    }
}

/// Indexes a batch's updates again, in order, so that the newest update of each key wins.
struct Rebuild<'a> {
    /// The address of the batch's first byte: a value's place in the batch is its address minus this.
    base: usize,
    index: &'a mut KeyMap<Update>,
}

impl Handler for Rebuild<'_> {
    fn put(&mut self, key: &[u8], value: &[u8]) {
        let start = value.as_ptr() as usize - self.base;
        self.index
            .insert(key.to_vec(), Some((start, start + value.len())));
    }

    fn delete(&mut self, key: &[u8]) {
        self.index.insert(key.to_vec(), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_its_own_newest_writes() {
        let mut wb = WriteBatchWithIndex::default();
        assert_eq!(wb.get_from_batch(b"a"), None);
        wb.put(b"a", b"1");
        wb.put(b"b", b"2");
        wb.put(b"a", b"3");
        wb.delete(b"b");
        assert_eq!(wb.get_from_batch(b"a"), Some(Some(&b"3"[..])));
        assert_eq!(wb.get_from_batch(b"b"), Some(None));
        assert_eq!(
            wb.write_batch().count(),
            4,
            "every update goes to the batch"
        );
        let mut keys: Vec<&[u8]> = wb.keys().collect();
        keys.sort();
        assert_eq!(keys, [&b"a"[..], &b"b"[..]]);
    }

    #[test]
    fn rollback_to_a_save_point_restores_older_values() {
        let mut wb = WriteBatchWithIndex::default();
        wb.put(b"a", b"1");
        wb.delete(b"c");
        let save_point = wb.set_save_point();
        let before = wb.write_batch().clone();
        wb.put(b"a", b"2");
        wb.put(b"b", b"2");
        wb.put(b"c", b"2");
        wb.rollback_to_save_point(save_point).unwrap();
        assert_eq!(
            wb.write_batch(),
            &before,
            "the batch is as it was, byte for byte"
        );
        assert_eq!(wb.get_from_batch(b"a"), Some(Some(&b"1"[..])));
        assert_eq!(wb.get_from_batch(b"b"), None);
        assert_eq!(wb.get_from_batch(b"c"), Some(None));
        wb.clear();
        assert!(wb.is_empty());
        assert_eq!(wb.write_batch().count(), 0);
    }
}
