//! `WriteBatch`: a group of updates applied atomically, and the exact bytes the log stores for it.
//!
//! ```text
//! rep :=
//!    sequence: fixed64
//!    count:    fixed32
//!    data:     record[count]
//! record :=
//!    kTypeValue varstring varstring   |
//!    kTypeDeletion varstring
//! varstring :=
//!    len:  varint32
//!    data: uint8[len]
//! ```
//!
//! A batch's `rep` is the record the write path appends to the log, so the log holds exactly what LevelDB's
//! holds. The i-th update of a batch gets sequence number `sequence + i`.

use crate::db::dbformat::{SequenceNumber, ValueType};
use crate::db::memtable::MemTable;
use crate::error::{Error, Result};
use crate::util::coding::{
    decode_fixed32, decode_fixed64, encode_fixed32, encode_fixed64, get_length_prefixed_slice,
    put_length_prefixed_slice,
};

/// WriteBatch header has an 8-byte sequence number followed by a 4-byte count.
///
/// LevelDB: kHeader
pub const HEADER: usize = 12;

/// Receives the updates of a batch, in order.
///
/// LevelDB: WriteBatch::Handler
pub trait Handler {
    /// A `put` of `key` → `value`.
    fn put(&mut self, key: &[u8], value: &[u8]);
    /// A `delete` of `key`.
    fn delete(&mut self, key: &[u8]);
}

/// A group of updates that [`DB::write`](crate::DB::write) applies atomically, in order: a later update of a key
/// wins over an earlier one in the same batch.
///
/// ```
/// use oxleveldb::WriteBatch;
///
/// let mut batch = WriteBatch::new();
/// batch.put("a", "1");
/// batch.delete("b");
/// let mut more = WriteBatch::new();
/// more.put(b"c", [3u8]);
/// batch.append(&more);
/// assert_eq!(batch.count(), 3);
/// // The bytes a log record holds: a 12-byte header (sequence, count), then the updates.
/// assert_eq!(batch.contents().len(), batch.approximate_size());
/// assert_eq!(WriteBatch::from_contents(batch.contents()).unwrap(), batch);
/// ```
///
/// LevelDB: WriteBatch
#[derive(Clone, PartialEq, Eq)]
pub struct WriteBatch {
    rep: Vec<u8>,
}

impl Default for WriteBatch {
    fn default() -> Self {
        WriteBatch::new()
    }
}

impl std::fmt::Debug for WriteBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteBatch")
            .field("sequence", &self.sequence())
            .field("count", &self.count())
            .finish()
    }
}

impl WriteBatch {
    /// An empty batch.
    ///
    /// LevelDB: WriteBatch::WriteBatch
    pub fn new() -> WriteBatch {
        WriteBatch {
            rep: vec![0; HEADER],
        }
    }

    /// Stores the mapping `key → value` in the database.
    ///
    /// LevelDB: WriteBatch::Put
    pub fn put(&mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) {
        self.set_count(self.count() + 1);
        self.rep.push(ValueType::Value as u8);
        put_length_prefixed_slice(&mut self.rep, key.as_ref());
        put_length_prefixed_slice(&mut self.rep, value.as_ref());
    }

    /// Erases the mapping for `key`, if the database contains one.
    ///
    /// LevelDB: WriteBatch::Delete
    pub fn delete(&mut self, key: impl AsRef<[u8]>) {
        self.set_count(self.count() + 1);
        self.rep.push(ValueType::Deletion as u8);
        put_length_prefixed_slice(&mut self.rep, key.as_ref());
    }

    /// Clears all updates buffered in this batch.
    ///
    /// LevelDB: WriteBatch::Clear
    pub fn clear(&mut self) {
        self.rep.clear();
        self.rep.resize(HEADER, 0);
    }

    /// The size of the database changes caused by this batch (the size of its representation).
    ///
    /// LevelDB: WriteBatch::ApproximateSize
    pub fn approximate_size(&self) -> usize {
        self.rep.len()
    }

    /// Copies the operations of `source` to the end of this batch (this batch keeps its sequence number).
    ///
    /// LevelDB: WriteBatch::Append (WriteBatchInternal::Append)
    pub fn append(&mut self, source: &WriteBatch) {
        assert!(source.rep.len() >= HEADER);
        self.set_count(self.count() + source.count());
        self.rep.extend_from_slice(&source.rep[HEADER..]);
    }

    /// Calls `handler` for every update, in order. A malformed batch gives LevelDB's `Corruption` errors (after
    /// the updates before the malformed one were handled).
    ///
    /// ```
    /// use oxleveldb::{WriteBatch, WriteBatchHandler};
    ///
    /// struct Show(String);
    /// impl WriteBatchHandler for Show {
    ///     fn put(&mut self, key: &[u8], value: &[u8]) {
    ///         self.0 += &format!("put {}={} ", String::from_utf8_lossy(key), String::from_utf8_lossy(value));
    ///     }
    ///     fn delete(&mut self, key: &[u8]) {
    ///         self.0 += &format!("delete {} ", String::from_utf8_lossy(key));
    ///     }
    /// }
    /// let mut batch = WriteBatch::new();
    /// batch.put("k", "v");
    /// batch.delete("old");
    /// let mut show = Show(String::new());
    /// batch.iterate(&mut show).unwrap();
    /// assert_eq!(show.0, "put k=v delete old ");
    /// ```
    ///
    /// LevelDB: WriteBatch::Iterate
    pub fn iterate(&self, handler: &mut dyn Handler) -> Result<()> {
        let mut input = &self.rep[..];
        if input.len() < HEADER {
            return Err(Error::corruption("malformed WriteBatch (too small)", ""));
        }
        input = &input[HEADER..];
        let mut found = 0u32;
        while let Some((&tag, rest)) = input.split_first() {
            found = found.wrapping_add(1);
            input = rest;
            match ValueType::from_byte(tag) {
                Some(ValueType::Value) => {
                    let key = get_length_prefixed_slice(&mut input);
                    let value = key.and_then(|_| get_length_prefixed_slice(&mut input));
                    match (key, value) {
                        (Some(key), Some(value)) => handler.put(key, value),
                        _ => return Err(Error::corruption("bad WriteBatch Put", "")),
                    }
                }
                Some(ValueType::Deletion) => match get_length_prefixed_slice(&mut input) {
                    Some(key) => handler.delete(key),
                    None => return Err(Error::corruption("bad WriteBatch Delete", "")),
                },
                None => return Err(Error::corruption("unknown WriteBatch tag", "")),
            }
        }
        if found != self.count() {
            return Err(Error::corruption("WriteBatch has wrong count", ""));
        }
        Ok(())
    }

    /// Checks that the batch parses and that its count header matches its records: the check `DB::write` makes
    /// before a batch may reach the log, so that a batch the memtable would refuse is never logged (LevelDB
    /// finds a wrong count only while inserting, after logging).
    pub(crate) fn verify(&self) -> Result<()> {
        struct Parse;
        impl Handler for Parse {
            fn put(&mut self, _key: &[u8], _value: &[u8]) {}
            fn delete(&mut self, _key: &[u8]) {}
        }
        self.iterate(&mut Parse)
    }

    /// The number of entries in the batch.
    ///
    /// LevelDB: WriteBatchInternal::Count
    #[inline]
    pub fn count(&self) -> u32 {
        decode_fixed32(&self.rep[8..])
    }

    /// Sets the count for the number of entries in the batch.
    ///
    /// LevelDB: WriteBatchInternal::SetCount
    #[inline]
    pub(crate) fn set_count(&mut self, n: u32) {
        encode_fixed32(&mut self.rep[8..], n);
    }

    /// The sequence number of the start of this batch.
    ///
    /// LevelDB: WriteBatchInternal::Sequence
    pub fn sequence(&self) -> SequenceNumber {
        decode_fixed64(&self.rep)
    }

    /// Stores the specified number as the sequence number for the start of this batch. [`DB::write`] numbers
    /// every batch itself; this is for writing a log by hand (see `oxleveldb::log`), and cannot make a batch
    /// invalid.
    ///
    /// [`DB::write`]: crate::DB::write
    ///
    /// LevelDB: WriteBatchInternal::SetSequence
    pub fn set_sequence(&mut self, seq: SequenceNumber) {
        encode_fixed64(&mut self.rep, seq);
    }

    /// The batch's representation: the bytes a log record holds.
    ///
    /// LevelDB: WriteBatchInternal::Contents
    pub fn contents(&self) -> &[u8] {
        &self.rep
    }

    /// The size of the representation.
    ///
    /// LevelDB: WriteBatchInternal::ByteSize
    pub fn byte_size(&self) -> usize {
        self.rep.len()
    }

    /// A batch holding `contents`, a log record, as it is: how a log reader turns a record back into updates.
    /// Fails if `contents` is shorter than the 12-byte header. A body that does not parse, or whose count is
    /// wrong, is reported by [`iterate`](WriteBatch::iterate), and [`DB::write`](crate::DB::write) refuses such a
    /// batch before it reaches the log.
    pub fn from_contents(contents: &[u8]) -> Result<WriteBatch> {
        let mut batch = WriteBatch::new();
        batch.set_contents(contents)?;
        Ok(batch)
    }

    /// Replaces the representation with `contents` (a log record). Fails, leaving the batch unchanged, if
    /// `contents` is shorter than the 12-byte header.
    ///
    /// LevelDB: WriteBatchInternal::SetContents
    pub(crate) fn set_contents(&mut self, contents: &[u8]) -> Result<()> {
        if contents.len() < HEADER {
            return Err(Error::corruption("malformed WriteBatch (too small)", ""));
        }
        self.rep.clear();
        self.rep.extend_from_slice(contents);
        Ok(())
    }

    /// Applies the batch to `memtable`, numbering the updates from the batch's sequence number.
    ///
    /// LevelDB: WriteBatchInternal::InsertInto
    pub(crate) fn insert_into(&self, memtable: &MemTable) -> Result<()> {
        let mut inserter = MemTableInserter {
            sequence: self.sequence(),
            mem: memtable,
        };
        self.iterate(&mut inserter)
    }
}

/// LevelDB: MemTableInserter
struct MemTableInserter<'a> {
    sequence: SequenceNumber,
    mem: &'a MemTable,
}

impl Handler for MemTableInserter<'_> {
    fn put(&mut self, key: &[u8], value: &[u8]) {
        self.mem.add(self.sequence, ValueType::Value, key, value);
        self.sequence = self.sequence.wrapping_add(1); // Unsigned, as LevelDB's.
    }
    fn delete(&mut self, key: &[u8]) {
        self.mem.add(self.sequence, ValueType::Deletion, key, b"");
        self.sequence = self.sequence.wrapping_add(1); // Unsigned, as LevelDB's.
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::dbformat::{parse_internal_key, InternalKeyComparator};
    use crate::table::iterator::Iterator;
    use crate::util::comparator::bytewise_comparator;
    use quickcheck::quickcheck;

    /// LevelDB's PrintContents: the memtable after inserting the batch, as `Put(k, v)@seq` / `Delete(k)@seq`.
    fn print_contents(b: &WriteBatch) -> String {
        let mem = MemTable::new(InternalKeyComparator::new(bytewise_comparator()), 4 << 20);
        let result = b.insert_into(&mem);
        let mut state = String::new();
        let mut count = 0;
        let mut iter = mem.new_iterator();
        iter.seek_to_first();
        while iter.valid() {
            let ikey = parse_internal_key(iter.key()).unwrap();
            let key = String::from_utf8_lossy(ikey.user_key);
            match ikey.value_type {
                ValueType::Value => {
                    state += &format!("Put({}, {})", key, String::from_utf8_lossy(iter.value()));
                }
                ValueType::Deletion => state += &format!("Delete({key})"),
            }
            count += 1;
            state += &format!("@{}", ikey.sequence);
            iter.next();
        }
        if result.is_err() {
            state += "ParseError()";
        } else if count != b.count() {
            state += "CountMismatch()";
        }
        state
    }

    // LevelDB: WriteBatchTest.Empty
    #[test]
    fn empty() {
        let batch = WriteBatch::new();
        assert_eq!(print_contents(&batch), "");
        assert_eq!(batch.count(), 0);
    }

    // LevelDB: WriteBatchTest.Multiple
    #[test]
    fn multiple() {
        let mut batch = WriteBatch::new();
        batch.put(b"foo", b"bar");
        batch.delete(b"box");
        batch.put(b"baz", b"boo");
        batch.set_sequence(100);
        assert_eq!(batch.sequence(), 100);
        assert_eq!(batch.count(), 3);
        assert_eq!(
            print_contents(&batch),
            "Put(baz, boo)@102Delete(box)@101Put(foo, bar)@100"
        );
    }

    // LevelDB: WriteBatchTest.Corruption
    #[test]
    fn corruption() {
        let mut batch = WriteBatch::new();
        batch.put(b"foo", b"bar");
        batch.delete(b"box");
        batch.set_sequence(200);
        let contents = batch.contents().to_vec();
        batch.set_contents(&contents[..contents.len() - 1]).unwrap();
        assert_eq!(print_contents(&batch), "Put(foo, bar)@200ParseError()");
    }

    // LevelDB: WriteBatchTest.Append
    #[test]
    fn append() {
        let mut b1 = WriteBatch::new();
        let mut b2 = WriteBatch::new();
        b1.set_sequence(200);
        b2.set_sequence(300);
        b1.append(&b2);
        assert_eq!(print_contents(&b1), "");
        b2.put(b"a", b"va");
        b1.append(&b2);
        assert_eq!(print_contents(&b1), "Put(a, va)@200");
        b2.clear();
        b2.put(b"b", b"vb");
        b1.append(&b2);
        assert_eq!(print_contents(&b1), "Put(a, va)@200Put(b, vb)@201");
        b2.delete(b"foo");
        b1.append(&b2);
        assert_eq!(
            print_contents(&b1),
            "Put(a, va)@200Put(b, vb)@202Put(b, vb)@201Delete(foo)@203"
        );
    }

    // LevelDB: WriteBatchTest.ApproximateSize
    #[test]
    fn approximate_size() {
        let mut batch = WriteBatch::new();
        let empty_size = batch.approximate_size();
        batch.put(b"foo", b"bar");
        let one_key_size = batch.approximate_size();
        assert!(empty_size < one_key_size);
        batch.put(b"baz", b"boo");
        let two_keys_size = batch.approximate_size();
        assert!(one_key_size < two_keys_size);
        batch.delete(b"box");
        let post_delete_size = batch.approximate_size();
        assert!(two_keys_size < post_delete_size);
    }

    /// Records what iterate reports.
    #[derive(Default)]
    struct Collect(Vec<(bool, Vec<u8>, Vec<u8>)>);
    impl Handler for Collect {
        fn put(&mut self, key: &[u8], value: &[u8]) {
            self.0.push((true, key.to_vec(), value.to_vec()));
        }
        fn delete(&mut self, key: &[u8]) {
            self.0.push((false, key.to_vec(), Vec::new()));
        }
    }

    #[test]
    fn corruption_messages() {
        let iterate = |rep: &[u8]| {
            let mut b = WriteBatch::new();
            b.rep = rep.to_vec();
            b.iterate(&mut Collect::default()).unwrap_err().to_string()
        };
        assert_eq!(
            iterate(b"short"),
            "Corruption: malformed WriteBatch (too small)"
        );
        let header = [0u8, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0];
        assert_eq!(
            iterate(&[&header[..], &[1, 3, b'a']].concat()),
            "Corruption: bad WriteBatch Put"
        );
        assert_eq!(
            iterate(&[&header[..], &[1, 1, b'a', 5]].concat()),
            "Corruption: bad WriteBatch Put"
        );
        assert_eq!(
            iterate(&[&header[..], &[0, 2, b'a']].concat()),
            "Corruption: bad WriteBatch Delete"
        );
        assert_eq!(
            iterate(&[&header[..], &[7]].concat()),
            "Corruption: unknown WriteBatch tag"
        );
        assert_eq!(
            iterate(&[&header[..], &[0, 1, b'a', 0, 1, b'b']].concat()),
            "Corruption: WriteBatch has wrong count"
        );
        assert!(WriteBatch::new().set_contents(b"tiny").is_err());
    }

    #[test]
    fn exact_rep_bytes() {
        let mut b = WriteBatch::new();
        b.put(b"a", b"1");
        b.delete(b"b");
        b.set_sequence(1);
        assert_eq!(
            b.contents(),
            &[1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 1, b'a', 1, b'1', 0, 1, b'b'][..]
        );
        assert_eq!(b.byte_size(), 20);
        b.clear();
        assert_eq!(b.contents(), &[0u8; 12][..]);
    }

    quickcheck! {
        fn iterate_returns_what_was_added(ops: Vec<(bool, Vec<u8>, Vec<u8>)>) -> bool {
            let mut b = WriteBatch::new();
            for (is_put, k, v) in &ops {
                if *is_put { b.put(k, v) } else { b.delete(k) }
            }
            let mut c = Collect::default();
            b.iterate(&mut c).is_ok()
                && b.count() as usize == ops.len()
                && c.0 == ops.iter().map(|(p, k, v)| (*p, k.clone(), if *p { v.clone() } else { Vec::new() })).collect::<Vec<_>>()
        }
    }
}
