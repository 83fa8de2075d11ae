//! Chapter 3, the reference: the engine's `WriteBatch`, internal keys (`dbformat`) and `MemTable`.

use oxleveldb::db::dbformat::{self, InternalKeyComparator, LookupKey, ParsedInternalKey};
use oxleveldb::db::memtable::{self, MemTableGet};
use oxleveldb::{bytewise_comparator, WriteBatchHandler};

pub const HEADER: usize = 12;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ValueType {
    Deletion = 0,
    Value = 1,
}

impl ValueType {
    fn engine(self) -> dbformat::ValueType {
        match self {
            ValueType::Deletion => dbformat::ValueType::Deletion,
            ValueType::Value => dbformat::ValueType::Value,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Put(Vec<u8>, Vec<u8>),
    Delete(Vec<u8>),
}

/// The engine's batch (its `rep_` is the same bytes).
#[derive(Clone, Debug)]
pub struct WriteBatch(pub(crate) oxleveldb::WriteBatch);

impl PartialEq for WriteBatch {
    fn eq(&self, other: &Self) -> bool {
        self.contents() == other.contents()
    }
}

impl Eq for WriteBatch {}

impl Default for WriteBatch {
    fn default() -> Self {
        WriteBatch::new()
    }
}

struct Collect(Vec<Op>);

impl WriteBatchHandler for Collect {
    fn put(&mut self, key: &[u8], value: &[u8]) {
        self.0.push(Op::Put(key.to_vec(), value.to_vec()));
    }
    fn delete(&mut self, key: &[u8]) {
        self.0.push(Op::Delete(key.to_vec()));
    }
}

impl WriteBatch {
    pub fn new() -> WriteBatch {
        WriteBatch(oxleveldb::WriteBatch::new())
    }

    pub fn from_contents(contents: &[u8]) -> Result<WriteBatch, String> {
        oxleveldb::WriteBatch::from_contents(contents)
            .map(WriteBatch)
            .map_err(|e| e.to_string())
    }

    pub fn contents(&self) -> &[u8] {
        self.0.contents()
    }

    pub fn count(&self) -> u32 {
        self.0.count()
    }

    pub fn sequence(&self) -> u64 {
        self.0.sequence()
    }

    pub fn set_sequence(&mut self, seq: u64) {
        self.0.set_sequence(seq)
    }

    pub fn put(&mut self, key: &[u8], value: &[u8]) {
        self.0.put(key, value)
    }

    pub fn delete(&mut self, key: &[u8]) {
        self.0.delete(key)
    }

    pub fn ops(&self) -> Result<Vec<Op>, String> {
        let mut ops = Collect(Vec::new());
        self.0.iterate(&mut ops).map_err(|e| e.to_string())?;
        Ok(ops.0)
    }
}

pub fn append_internal_key(dst: &mut Vec<u8>, user_key: &[u8], seq: u64, t: ValueType) {
    dbformat::append_internal_key(dst, &ParsedInternalKey::new(user_key, seq, t.engine()))
}

pub fn parse_internal_key(internal_key: &[u8]) -> Option<(&[u8], u64, ValueType)> {
    let parsed = dbformat::parse_internal_key(internal_key)?;
    let t = match parsed.value_type {
        dbformat::ValueType::Deletion => ValueType::Deletion,
        dbformat::ValueType::Value => ValueType::Value,
    };
    Some((parsed.user_key, parsed.sequence, t))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    Found(Vec<u8>),
    Deleted,
    NotPresent,
}

/// The engine's memtable.
pub struct MemTable(memtable::MemTable);

impl Default for MemTable {
    fn default() -> Self {
        MemTable::new()
    }
}

impl MemTable {
    pub fn new() -> MemTable {
        MemTable(memtable::MemTable::new(
            InternalKeyComparator::new(bytewise_comparator()),
            oxleveldb::Options::default().write_buffer_size,
        ))
    }

    pub fn add(&mut self, seq: u64, t: ValueType, key: &[u8], value: &[u8]) {
        self.0.add(seq, t.engine(), key, value)
    }

    pub fn get(&self, key: &[u8], sequence: u64) -> Lookup {
        match self.0.get(&LookupKey::new(key, sequence)) {
            MemTableGet::Found(value) => Lookup::Found(value),
            MemTableGet::Deleted => Lookup::Deleted,
            MemTableGet::NotPresent => Lookup::NotPresent,
        }
    }

    /// The engine's inserter is internal to it; this is its loop over the engine's batch iteration.
    pub fn insert_batch(&mut self, batch: &WriteBatch) -> Result<(), String> {
        for (seq, op) in (batch.sequence()..).zip(batch.ops()?) {
            match op {
                Op::Put(key, value) => self.add(seq, ValueType::Value, &key, &value),
                Op::Delete(key) => self.add(seq, ValueType::Deletion, &key, b""),
            }
        }
        Ok(())
    }

    pub fn entries(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        use oxleveldb::table::iterator::Iterator as _;
        let mut iter = self.0.new_iterator();
        let mut entries = Vec::new();
        iter.seek_to_first();
        while iter.valid() {
            entries.push((iter.key().to_vec(), iter.value().to_vec()));
            iter.next();
        }
        entries
    }
}
