//! Chapter 3: the write batch and the memtable (the tour's chapter 1, the write path).
//!
//! A write batch is a byte string (LevelDB's `rep_`), the very bytes the log stores as one record:
//!
//! ```text
//! sequence: fixed64 | count: fixed32 | record*
//! record:   kTypeValue (1) varstring(key) varstring(value)  |  kTypeDeletion (0) varstring(key)
//! varstring: varint32 length, then the bytes
//! ```
//!
//! The memtable holds internal keys: the user key followed by a fixed64 tag, `(sequence << 8) | type`. Entries
//! sort by user key ascending, then by tag descending, so the newest entry of a key comes first: a lookup at
//! snapshot `s` seeks to `(key, s, kTypeValue)` and looks at the first entry at or after it.
//!
//! Grade: `cargo run -p course -- check 3`. Uses chapter 1's varints and fixed integers.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::ch01_log::{get_varint32, put_fixed32, put_fixed64, put_varint32};

/// The size of a batch's header: sequence (8) and count (4). LevelDB: kHeader
pub const HEADER: usize = 12;

/// LevelDB: ValueType
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ValueType {
    Deletion = 0,
    Value = 1,
}

/// One update of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Put(Vec<u8>, Vec<u8>),
    Delete(Vec<u8>),
}

/// LevelDB: WriteBatch
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteBatch {
    /// The bytes (chapter 9 appends one batch's records to another's here).
    pub(crate) rep: Vec<u8>,
}

impl Default for WriteBatch {
    fn default() -> Self {
        WriteBatch::new()
    }
}

impl WriteBatch {
    /// An empty batch: a header of zeros.
    pub fn new() -> WriteBatch {
        WriteBatch {
            rep: vec![0; HEADER],
        }
    }

    /// A batch holding `contents` (a log record); an error if it is shorter than the header.
    ///
    /// LevelDB: WriteBatchInternal::SetContents
    pub fn from_contents(contents: &[u8]) -> Result<WriteBatch, String> {
        if contents.len() < HEADER {
            return Err("malformed WriteBatch (too small)".to_string());
        }
        Ok(WriteBatch {
            rep: contents.to_vec(),
        })
    }

    /// The batch's bytes.
    ///
    /// LevelDB: WriteBatchInternal::Contents
    pub fn contents(&self) -> &[u8] {
        &self.rep
    }

    /// The number of records, from the header.
    ///
    /// LevelDB: WriteBatchInternal::Count
    pub fn count(&self) -> u32 {
        u32::from_le_bytes(self.rep[8..12].try_into().expect("4 bytes"))
    }

    /// The sequence number of the first record, from the header.
    ///
    /// LevelDB: WriteBatchInternal::Sequence
    pub fn sequence(&self) -> u64 {
        u64::from_le_bytes(self.rep[..8].try_into().expect("8 bytes"))
    }

    /// Writes `seq` into the header's first 8 bytes.
    ///
    /// LevelDB: WriteBatchInternal::SetSequence
    pub fn set_sequence(&mut self, seq: u64) {
        todo!("chapter 3: write WriteBatch::set_sequence")
    }

    /// Appends a put record and counts it in the header.
    ///
    /// LevelDB: WriteBatch::Put
    pub fn put(&mut self, key: &[u8], value: &[u8]) {
        todo!("chapter 3: write WriteBatch::put")
    }

    /// Appends a delete record and counts it in the header.
    ///
    /// LevelDB: WriteBatch::Delete
    pub fn delete(&mut self, key: &[u8]) {
        todo!("chapter 3: write WriteBatch::delete")
    }

    /// The batch's records, in order; an error on bad bytes: "malformed WriteBatch (too small)", "bad
    /// WriteBatch Put", "bad WriteBatch Delete", "unknown WriteBatch tag", "WriteBatch has wrong count".
    ///
    /// LevelDB: WriteBatch::Iterate
    pub fn ops(&self) -> Result<Vec<Op>, String> {
        todo!("chapter 3: write WriteBatch::ops")
    }
}

/// Appends the internal key of (`user_key`, `seq`, `t`): the user key, then fixed64 `(seq << 8) | t`.
///
/// LevelDB: AppendInternalKey
pub fn append_internal_key(dst: &mut Vec<u8>, user_key: &[u8], seq: u64, t: ValueType) {
    todo!("chapter 3: write append_internal_key")
}

/// The parts of an internal key; `None` if it is shorter than 8 bytes or its type byte is not 0 or 1.
///
/// LevelDB: ParseInternalKey
pub fn parse_internal_key(internal_key: &[u8]) -> Option<(&[u8], u64, ValueType)> {
    todo!("chapter 3: write parse_internal_key")
}

/// An internal key, ordered as LevelDB's InternalKeyComparator orders them: user key ascending, then the tag
/// (sequence and type) descending. (Given.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InternalKey(pub Vec<u8>);

impl Ord for InternalKey {
    fn cmp(&self, other: &Self) -> Ordering {
        let split = |k: &[u8]| {
            let at = k.len().saturating_sub(8);
            let mut tag = [0u8; 8];
            tag[..k.len() - at].copy_from_slice(&k[at..]);
            (k[..at].to_vec(), u64::from_le_bytes(tag))
        };
        let (a_user, a_tag) = split(&self.0);
        let (b_user, b_tag) = split(&other.0);
        a_user.cmp(&b_user).then(b_tag.cmp(&a_tag))
    }
}

impl PartialOrd for InternalKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// What the memtable knows about a key at a snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The newest entry at or below the snapshot is a put of this value.
    Found(Vec<u8>),
    /// The newest entry at or below the snapshot is a deletion.
    Deleted,
    /// No entry of the key at or below the snapshot.
    NotPresent,
}

/// The memtable: internal key -> value, sorted. (LevelDB keeps it in the skiplist of chapter 2; a BTreeMap
/// with the same order stands in for it here.)
///
/// LevelDB: MemTable
#[derive(Default)]
pub struct MemTable {
    table: BTreeMap<InternalKey, Vec<u8>>,
}

impl MemTable {
    /// An empty memtable.
    pub fn new() -> MemTable {
        MemTable::default()
    }

    /// Adds an entry: `key` at `seq`, a put of `value` or a deletion (whose value is empty).
    ///
    /// LevelDB: MemTable::Add
    pub fn add(&mut self, seq: u64, t: ValueType, key: &[u8], value: &[u8]) {
        todo!("chapter 3: write MemTable::add")
    }

    /// The newest entry of `key` at or below `sequence`: seek to the internal key (`key`, `sequence`,
    /// kTypeValue) and look at the first entry at or after it.
    ///
    /// LevelDB: MemTable::Get
    pub fn get(&self, key: &[u8], sequence: u64) -> Lookup {
        todo!("chapter 3: write MemTable::get")
    }

    /// Adds the records of `batch`, the first at the batch's sequence number, the next at the one after, ...
    ///
    /// LevelDB: WriteBatchInternal::InsertInto (MemTableInserter)
    pub fn insert_batch(&mut self, batch: &WriteBatch) -> Result<(), String> {
        todo!("chapter 3: write MemTable::insert_batch")
    }

    /// Every entry, (internal key, value), in order.
    pub fn entries(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.table
            .iter()
            .map(|(k, v)| (k.0.clone(), v.clone()))
            .collect()
    }
}
