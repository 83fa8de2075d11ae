//! Target `write_batch`: the input is a batch's representation (a log record, db/write_batch.cc), taken by
//! `WriteBatch::from_contents` and iterated.
//!
//! Oracles: no panic; bounded allocation; an error is one of LevelDB's; a batch that iterates cleanly has as many
//! updates as its header counts, and the batch rebuilt from them (same sequence number) iterates to the same
//! updates and is no longer than the input (the input may spell a varint in more bytes than needed).

use oxleveldb::{WriteBatch, WriteBatchHandler};

use super::{alloc_bound, messages};

/// An update: `(key, Some(value))` for a put, `(key, None)` for a delete.
type Update = (Vec<u8>, Option<Vec<u8>>);

/// The updates a batch iterates to.
#[derive(Default)]
struct Updates(Vec<Update>);

impl WriteBatchHandler for Updates {
    fn put(&mut self, key: &[u8], value: &[u8]) {
        self.0.push((key.to_vec(), Some(value.to_vec())));
    }
    fn delete(&mut self, key: &[u8]) {
        self.0.push((key.to_vec(), None));
    }
}

fn updates_of(batch: &WriteBatch) -> oxleveldb::Result<Vec<Update>> {
    let mut updates = Updates::default();
    batch.iterate(&mut updates)?;
    Ok(updates.0)
}

/// The target's body.
pub fn run(data: &[u8]) {
    let limit = alloc_bound::reader_limit(data.len());
    let (batch, updates) = match alloc_bound::within("WriteBatch::Iterate", limit, || {
        let batch = WriteBatch::from_contents(data)?;
        let updates = updates_of(&batch)?;
        Ok((batch, updates))
    }) {
        Ok(parsed) => parsed,
        Err(e) => return messages::check("WriteBatch", &e, messages::WRITE_BATCH),
    };
    assert_eq!(
        updates.len(),
        batch.count() as usize,
        "a clean batch's count is wrong"
    );
    let mut rebuilt = WriteBatch::new();
    for (key, value) in &updates {
        match value {
            Some(value) => rebuilt.put(key, value),
            None => rebuilt.delete(key),
        }
    }
    rebuilt.set_sequence(batch.sequence());
    assert!(
        rebuilt.contents().len() <= data.len(),
        "a rebuilt batch is longer than its input"
    );
    assert_eq!(
        updates_of(&rebuilt).expect("a built batch iterates"),
        updates,
        "a rebuilt batch differs"
    );
}
