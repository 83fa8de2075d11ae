//! `VersionEdit`: one change to the set of files of a database, and one record of the MANIFEST.
//!
//! An edit may set the comparator name, the log numbers, the next file number and the last sequence number, move
//! a level's compaction pointer, and remove and add table files. Applying the edits of a MANIFEST in order to an
//! empty version gives the current version.
//!
//! Encoding: a sequence of (varint32 tag, payload) pairs, in the order `encode_to` writes them; decoding accepts
//! them in any order and rejects unknown tags and levels of 7 or more with LevelDB's `Corruption` messages.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicI32, Ordering};

use crate::db::dbformat::{config, InternalKey, SequenceNumber};
use crate::error::{Error, Result};
use crate::util::coding::{
    get_length_prefixed_slice, get_varint32, get_varint64, put_length_prefixed_slice, put_varint32,
    put_varint64,
};
use crate::util::logging::append_number_to;

/// Tag numbers for serialized VersionEdit. These numbers are written to disk and should not be changed.
///
/// LevelDB: Tag
mod tag {
    pub const COMPARATOR: u32 = 1;
    pub const LOG_NUMBER: u32 = 2;
    pub const NEXT_FILE_NUMBER: u32 = 3;
    pub const LAST_SEQUENCE: u32 = 4;
    pub const COMPACT_POINTER: u32 = 5;
    pub const DELETED_FILE: u32 = 6;
    pub const NEW_FILE: u32 = 7;
    // 8 was used for large value refs.
    pub const PREV_LOG_NUMBER: u32 = 9;
}

/// A table file, as the versions that list it know it.
///
/// LevelDB: FileMetaData (its `refs` count is an `Arc` here)
#[derive(Debug)]
pub struct FileMetaData {
    /// Seeks allowed until compaction; shared by every version that lists the file, and charged by reads.
    pub allowed_seeks: AtomicI32,
    pub number: u64,
    /// File size in bytes.
    pub file_size: u64,
    /// Smallest internal key served by table.
    pub smallest: InternalKey,
    /// Largest internal key served by table.
    pub largest: InternalKey,
}

impl FileMetaData {
    pub fn new(
        number: u64,
        file_size: u64,
        smallest: InternalKey,
        largest: InternalKey,
    ) -> FileMetaData {
        FileMetaData {
            allowed_seeks: AtomicI32::new(1 << 30),
            number,
            file_size,
            smallest,
            largest,
        }
    }
}

impl Default for FileMetaData {
    fn default() -> Self {
        FileMetaData::new(0, 0, InternalKey::default(), InternalKey::default())
    }
}

impl Clone for FileMetaData {
    fn clone(&self) -> Self {
        FileMetaData {
            allowed_seeks: AtomicI32::new(self.allowed_seeks.load(Ordering::Relaxed)),
            number: self.number,
            file_size: self.file_size,
            smallest: self.smallest.clone(),
            largest: self.largest.clone(),
        }
    }
}

impl PartialEq for FileMetaData {
    fn eq(&self, other: &Self) -> bool {
        self.number == other.number
            && self.file_size == other.file_size
            && self.smallest == other.smallest
            && self.largest == other.largest
    }
}

/// LevelDB: VersionEdit
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VersionEdit {
    comparator: Option<String>,
    log_number: Option<u64>,
    prev_log_number: Option<u64>,
    next_file_number: Option<u64>,
    last_sequence: Option<SequenceNumber>,
    compact_pointers: Vec<(usize, InternalKey)>,
    deleted_files: BTreeSet<(usize, u64)>,
    new_files: Vec<(usize, FileMetaData)>,
}

/// Reads a length-prefixed internal key; empty keys are rejected, as `InternalKey::DecodeFrom` rejects them.
///
/// LevelDB: GetInternalKey
fn get_internal_key(input: &mut &[u8]) -> Option<InternalKey> {
    let s = get_length_prefixed_slice(input)?;
    let mut key = InternalKey::default();
    key.decode_from(s).then_some(key)
}

/// LevelDB: GetLevel
fn get_level(input: &mut &[u8]) -> Option<usize> {
    let v = get_varint32(input)? as usize;
    (v < config::NUM_LEVELS).then_some(v)
}

impl VersionEdit {
    pub fn new() -> VersionEdit {
        VersionEdit::default()
    }

    /// Resets every field but the compaction pointers (LevelDB 1.23 keeps them).
    ///
    /// LevelDB: VersionEdit::Clear
    #[cfg(any(test, feature = "internals"))] // For the tests and tools.
    pub fn clear(&mut self) {
        self.comparator = None;
        self.log_number = None;
        self.prev_log_number = None;
        self.next_file_number = None;
        self.last_sequence = None;
        self.deleted_files.clear();
        self.new_files.clear();
    }

    /// LevelDB: VersionEdit::SetComparatorName
    pub fn set_comparator_name(&mut self, name: &str) {
        self.comparator = Some(name.to_string());
    }

    /// LevelDB: VersionEdit::SetLogNumber
    pub fn set_log_number(&mut self, num: u64) {
        self.log_number = Some(num);
    }

    /// LevelDB: VersionEdit::SetPrevLogNumber
    pub fn set_prev_log_number(&mut self, num: u64) {
        self.prev_log_number = Some(num);
    }

    /// LevelDB: VersionEdit::SetNextFile
    pub fn set_next_file(&mut self, num: u64) {
        self.next_file_number = Some(num);
    }

    /// LevelDB: VersionEdit::SetLastSequence
    pub fn set_last_sequence(&mut self, seq: SequenceNumber) {
        self.last_sequence = Some(seq);
    }

    /// LevelDB: VersionEdit::SetCompactPointer
    pub fn set_compact_pointer(&mut self, level: usize, key: InternalKey) {
        self.compact_pointers.push((level, key));
    }

    /// Adds the specified file at the specified level. Requires: this version has not been saved, and
    /// `smallest` and `largest` are the smallest and largest keys in the file.
    ///
    /// LevelDB: VersionEdit::AddFile
    pub fn add_file(
        &mut self,
        level: usize,
        file: u64,
        file_size: u64,
        smallest: InternalKey,
        largest: InternalKey,
    ) {
        self.new_files
            .push((level, FileMetaData::new(file, file_size, smallest, largest)));
    }

    /// Deletes the specified file from the specified level.
    ///
    /// LevelDB: VersionEdit::RemoveFile
    pub fn remove_file(&mut self, level: usize, file: u64) {
        self.deleted_files.insert((level, file));
    }

    pub fn comparator(&self) -> Option<&str> {
        self.comparator.as_deref()
    }
    pub fn log_number(&self) -> Option<u64> {
        self.log_number
    }
    pub fn prev_log_number(&self) -> Option<u64> {
        self.prev_log_number
    }
    pub fn next_file_number(&self) -> Option<u64> {
        self.next_file_number
    }
    pub fn last_sequence(&self) -> Option<SequenceNumber> {
        self.last_sequence
    }
    pub fn compact_pointers(&self) -> &[(usize, InternalKey)] {
        &self.compact_pointers
    }
    pub fn deleted_files(&self) -> &BTreeSet<(usize, u64)> {
        &self.deleted_files
    }
    pub fn new_files(&self) -> &[(usize, FileMetaData)] {
        &self.new_files
    }

    /// LevelDB: VersionEdit::EncodeTo
    pub fn encode_to(&self, dst: &mut Vec<u8>) {
        if let Some(comparator) = &self.comparator {
            put_varint32(dst, tag::COMPARATOR);
            put_length_prefixed_slice(dst, comparator.as_bytes());
        }
        if let Some(n) = self.log_number {
            put_varint32(dst, tag::LOG_NUMBER);
            put_varint64(dst, n);
        }
        if let Some(n) = self.prev_log_number {
            put_varint32(dst, tag::PREV_LOG_NUMBER);
            put_varint64(dst, n);
        }
        if let Some(n) = self.next_file_number {
            put_varint32(dst, tag::NEXT_FILE_NUMBER);
            put_varint64(dst, n);
        }
        if let Some(n) = self.last_sequence {
            put_varint32(dst, tag::LAST_SEQUENCE);
            put_varint64(dst, n);
        }
        for (level, key) in &self.compact_pointers {
            put_varint32(dst, tag::COMPACT_POINTER);
            put_varint32(dst, *level as u32);
            put_length_prefixed_slice(dst, key.encode());
        }
        for &(level, number) in &self.deleted_files {
            put_varint32(dst, tag::DELETED_FILE);
            put_varint32(dst, level as u32);
            put_varint64(dst, number);
        }
        for (level, f) in &self.new_files {
            put_varint32(dst, tag::NEW_FILE);
            put_varint32(dst, *level as u32);
            put_varint64(dst, f.number);
            put_varint64(dst, f.file_size);
            put_length_prefixed_slice(dst, f.smallest.encode());
            put_length_prefixed_slice(dst, f.largest.encode());
        }
    }

    /// LevelDB: VersionEdit::DecodeFrom
    pub fn decode_from(src: &[u8]) -> Result<VersionEdit> {
        let mut edit = VersionEdit::new();
        let mut input = src;
        let mut msg: Option<&str> = None;
        while msg.is_none() {
            let Some(t) = get_varint32(&mut input) else {
                break;
            };
            match t {
                tag::COMPARATOR => match get_length_prefixed_slice(&mut input) {
                    Some(s) => edit.comparator = Some(String::from_utf8_lossy(s).into_owned()),
                    None => msg = Some("comparator name"),
                },
                tag::LOG_NUMBER => match get_varint64(&mut input) {
                    Some(n) => edit.log_number = Some(n),
                    None => msg = Some("log number"),
                },
                tag::PREV_LOG_NUMBER => match get_varint64(&mut input) {
                    Some(n) => edit.prev_log_number = Some(n),
                    None => msg = Some("previous log number"),
                },
                tag::NEXT_FILE_NUMBER => match get_varint64(&mut input) {
                    Some(n) => edit.next_file_number = Some(n),
                    None => msg = Some("next file number"),
                },
                tag::LAST_SEQUENCE => match get_varint64(&mut input) {
                    Some(n) => edit.last_sequence = Some(n),
                    None => msg = Some("last sequence number"),
                },
                tag::COMPACT_POINTER => {
                    match get_level(&mut input).zip(get_internal_key(&mut input)) {
                        Some((level, key)) => edit.compact_pointers.push((level, key)),
                        None => msg = Some("compaction pointer"),
                    }
                }
                tag::DELETED_FILE => match get_level(&mut input).zip(get_varint64(&mut input)) {
                    Some((level, number)) => {
                        edit.deleted_files.insert((level, number));
                    }
                    None => msg = Some("deleted file"),
                },
                tag::NEW_FILE => {
                    let file = (|| {
                        let level = get_level(&mut input)?;
                        let number = get_varint64(&mut input)?;
                        let file_size = get_varint64(&mut input)?;
                        let smallest = get_internal_key(&mut input)?;
                        let largest = get_internal_key(&mut input)?;
                        Some((
                            level,
                            FileMetaData::new(number, file_size, smallest, largest),
                        ))
                    })();
                    match file {
                        Some(file) => edit.new_files.push(file),
                        None => msg = Some("new-file entry"),
                    }
                }
                _ => msg = Some("unknown tag"),
            }
        }
        if msg.is_none() && !input.is_empty() {
            msg = Some("invalid tag");
        }
        match msg {
            Some(msg) => Err(Error::corruption("VersionEdit", msg)),
            None => Ok(edit),
        }
    }

    /// The edit as `leveldbutil dump` prints it.
    ///
    /// LevelDB: VersionEdit::DebugString
    pub fn debug_string(&self) -> String {
        let mut r = String::from("VersionEdit {");
        if let Some(comparator) = &self.comparator {
            r.push_str("\n  Comparator: ");
            r.push_str(comparator);
        }
        let numbers = [
            ("\n  LogNumber: ", self.log_number),
            ("\n  PrevLogNumber: ", self.prev_log_number),
            ("\n  NextFile: ", self.next_file_number),
            ("\n  LastSeq: ", self.last_sequence),
        ];
        for (label, value) in numbers {
            if let Some(n) = value {
                r.push_str(label);
                append_number_to(&mut r, n);
            }
        }
        for (level, key) in &self.compact_pointers {
            r.push_str("\n  CompactPointer: ");
            append_number_to(&mut r, *level as u64);
            r.push(' ');
            r.push_str(&key.debug_string());
        }
        for &(level, number) in &self.deleted_files {
            r.push_str("\n  RemoveFile: ");
            append_number_to(&mut r, level as u64);
            r.push(' ');
            append_number_to(&mut r, number);
        }
        for (level, f) in &self.new_files {
            r.push_str("\n  AddFile: ");
            append_number_to(&mut r, *level as u64);
            r.push(' ');
            append_number_to(&mut r, f.number);
            r.push(' ');
            append_number_to(&mut r, f.file_size);
            r.push(' ');
            r.push_str(&f.smallest.debug_string());
            r.push_str(" .. ");
            r.push_str(&f.largest.debug_string());
        }
        r.push_str("\n}\n");
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::dbformat::ValueType;
    use quickcheck::{quickcheck, Arbitrary, Gen};

    fn test_encode_decode(edit: &VersionEdit) {
        let mut encoded = Vec::new();
        edit.encode_to(&mut encoded);
        let parsed = VersionEdit::decode_from(&encoded).unwrap();
        let mut encoded2 = Vec::new();
        parsed.encode_to(&mut encoded2);
        assert_eq!(encoded, encoded2);
        assert_eq!(&parsed, edit);
    }

    // LevelDB: VersionEditTest.EncodeDecode
    #[test]
    fn encode_decode() {
        const BIG: u64 = 1 << 50;
        let mut edit = VersionEdit::new();
        for i in 0..4u64 {
            test_encode_decode(&edit);
            edit.add_file(
                3,
                BIG + 300 + i,
                BIG + 400 + i,
                InternalKey::new(b"foo", BIG + 500 + i, ValueType::Value),
                InternalKey::new(b"zoo", BIG + 600 + i, ValueType::Deletion),
            );
            edit.remove_file(4, BIG + 700 + i);
            edit.set_compact_pointer(
                i as usize,
                InternalKey::new(b"x", BIG + 900 + i, ValueType::Value),
            );
        }
        edit.set_comparator_name("foo");
        edit.set_log_number(BIG + 100);
        edit.set_next_file(BIG + 200);
        edit.set_last_sequence(BIG + 1000);
        test_encode_decode(&edit);
    }

    #[test]
    fn corruption_messages() {
        let decode = |bytes: &[u8]| VersionEdit::decode_from(bytes).unwrap_err().to_string();
        assert_eq!(
            decode(&[1, 5, b'a']),
            "Corruption: VersionEdit: comparator name"
        );
        assert_eq!(decode(&[2]), "Corruption: VersionEdit: log number");
        assert_eq!(decode(&[9]), "Corruption: VersionEdit: previous log number");
        assert_eq!(
            decode(&[3, 0x80]),
            "Corruption: VersionEdit: next file number"
        );
        assert_eq!(
            decode(&[4]),
            "Corruption: VersionEdit: last sequence number"
        );
        assert_eq!(
            decode(&[5, 7, 1, b'a']),
            "Corruption: VersionEdit: compaction pointer"
        );
        assert_eq!(
            decode(&[5, 1, 0]),
            "Corruption: VersionEdit: compaction pointer"
        );
        assert_eq!(decode(&[6, 1]), "Corruption: VersionEdit: deleted file");
        assert_eq!(
            decode(&[7, 0, 1, 2, 0]),
            "Corruption: VersionEdit: new-file entry"
        );
        assert_eq!(decode(&[8]), "Corruption: VersionEdit: unknown tag");
        assert_eq!(
            decode(&[2, 1, 0x80]),
            "Corruption: VersionEdit: invalid tag"
        );
    }

    #[test]
    fn debug_string_matches_leveldb() {
        let mut edit = VersionEdit::new();
        edit.set_log_number(6);
        edit.set_prev_log_number(0);
        edit.set_next_file(7);
        edit.set_last_sequence(5852);
        edit.remove_file(1, 9);
        edit.add_file(
            0,
            5,
            359993,
            InternalKey::new(b"0000000000000000", 4317, ValueType::Value),
            InternalKey::new(b"0000000000007998", 2048, ValueType::Value),
        );
        edit.set_compact_pointer(2, InternalKey::new(b"k\x01", 3, ValueType::Deletion));
        assert_eq!(
            edit.debug_string(),
            "VersionEdit {\n  LogNumber: 6\n  PrevLogNumber: 0\n  NextFile: 7\n  LastSeq: 5852\n  \
             CompactPointer: 2 'k\\x01' @ 3 : 0\n  RemoveFile: 1 9\n  \
             AddFile: 0 5 359993 '0000000000000000' @ 4317 : 1 .. '0000000000007998' @ 2048 : 1\n}\n"
        );
        let mut c = VersionEdit::new();
        c.set_comparator_name("leveldb.BytewiseComparator");
        assert_eq!(
            c.debug_string(),
            "VersionEdit {\n  Comparator: leveldb.BytewiseComparator\n}\n"
        );
    }

    #[test]
    fn clear_keeps_compact_pointers_as_leveldb_1_23() {
        let mut edit = VersionEdit::new();
        edit.set_log_number(1);
        edit.add_file(
            0,
            1,
            1,
            InternalKey::new(b"a", 1, ValueType::Value),
            InternalKey::new(b"b", 1, ValueType::Value),
        );
        edit.set_compact_pointer(1, InternalKey::new(b"a", 1, ValueType::Value));
        edit.clear();
        assert_eq!(edit.log_number(), None);
        assert!(edit.new_files().is_empty());
        assert_eq!(edit.compact_pointers().len(), 1);
    }

    /// A random edit for quickcheck.
    #[derive(Clone, Debug)]
    struct RandomEdit(VersionEdit);

    impl Arbitrary for RandomEdit {
        fn arbitrary(g: &mut Gen) -> Self {
            let mut edit = VersionEdit::new();
            let key = |g: &mut Gen| {
                let user_key: Vec<u8> = Arbitrary::arbitrary(g);
                let seq = u64::arbitrary(g) & ((1 << 56) - 1);
                let t = if bool::arbitrary(g) {
                    ValueType::Value
                } else {
                    ValueType::Deletion
                };
                InternalKey::new(&user_key, seq, t)
            };
            if bool::arbitrary(g) {
                edit.set_comparator_name(&String::arbitrary(g));
            }
            if bool::arbitrary(g) {
                edit.set_log_number(u64::arbitrary(g));
            }
            if bool::arbitrary(g) {
                edit.set_prev_log_number(u64::arbitrary(g));
            }
            if bool::arbitrary(g) {
                edit.set_next_file(u64::arbitrary(g));
            }
            if bool::arbitrary(g) {
                edit.set_last_sequence(u64::arbitrary(g));
            }
            for _ in 0..u8::arbitrary(g) % 4 {
                let level = usize::arbitrary(g) % config::NUM_LEVELS;
                edit.set_compact_pointer(level, key(g));
            }
            for _ in 0..u8::arbitrary(g) % 4 {
                edit.remove_file(usize::arbitrary(g) % config::NUM_LEVELS, u64::arbitrary(g));
            }
            for _ in 0..u8::arbitrary(g) % 4 {
                let level = usize::arbitrary(g) % config::NUM_LEVELS;
                edit.add_file(level, u64::arbitrary(g), u64::arbitrary(g), key(g), key(g));
            }
            RandomEdit(edit)
        }
    }

    quickcheck! {
        fn random_edits_round_trip(edit: RandomEdit) -> bool {
            let mut encoded = Vec::new();
            edit.0.encode_to(&mut encoded);
            VersionEdit::decode_from(&encoded).as_ref() == Ok(&edit.0)
        }

        fn decoding_garbage_never_panics(bytes: Vec<u8>) -> bool {
            let _ = VersionEdit::decode_from(&bytes);
            true
        }
    }
}
