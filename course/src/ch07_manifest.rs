//! Chapter 7: version edits and the MANIFEST (the tour's chapter 4, manifest and recovery).
//!
//! The MANIFEST is a log (chapter 1) whose records are version edits: each says what changed in the set of
//! table files (files added to a level, files removed) and the counters that go with it. Replaying the edits
//! from the first one gives the current version: which files are live on each level.
//!
//! An edit is a sequence of tagged fields, each tag a varint32:
//!
//! ```text
//!  1 comparator:       varstring name
//!  2 log number:       varint64
//!  9 prev log number:  varint64
//!  3 next file number: varint64
//!  4 last sequence:    varint64
//!  5 compact pointer:  varint32 level, varstring internal key
//!  6 deleted file:     varint32 level, varint64 file number
//!  7 new file:         varint32 level, varint64 number, varint64 size, varstring smallest, varstring largest
//! ```
//!
//! written in that order (tags 1, 2, 9, 3, 4, then every 5, 6, 7). A level is below NUM_LEVELS.
//!
//! Grade: `cargo run -p course -- check 7`. Uses chapter 1's varints.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use crate::ch01_log::{get_varint32, get_varint64, put_varint32, put_varint64};

/// LevelDB: config::kNumLevels
pub const NUM_LEVELS: usize = 7;

/// A table file as a version knows it.
///
/// LevelDB: FileMetaData
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileMetaData {
    pub number: u64,
    pub file_size: u64,
    /// Its smallest and largest internal keys.
    pub smallest: Vec<u8>,
    pub largest: Vec<u8>,
}

/// LevelDB: VersionEdit
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VersionEdit {
    pub comparator: Option<String>,
    pub log_number: Option<u64>,
    pub prev_log_number: Option<u64>,
    pub next_file_number: Option<u64>,
    pub last_sequence: Option<u64>,
    /// (level, internal key): where the next compaction of the level starts.
    pub compact_pointers: Vec<(usize, Vec<u8>)>,
    /// (level, file number), in order.
    pub deleted_files: BTreeSet<(usize, u64)>,
    pub new_files: Vec<(usize, FileMetaData)>,
}

impl VersionEdit {
    /// The edit's bytes: its fields in the order of the tags above, each present field once (each compact
    /// pointer, deleted file and new file once).
    ///
    /// LevelDB: VersionEdit::EncodeTo
    pub fn encode(&self) -> Vec<u8> {
        todo!("chapter 7: write VersionEdit::encode")
    }

    /// Reads an edit; an error names the field that did not parse, as LevelDB's do ("comparator name", "log
    /// number", "previous log number", "next file number", "last sequence number", "compaction pointer",
    /// "deleted file", "new-file entry", "unknown tag" for a tag not above, "invalid tag" for bytes left that do
    /// not make a tag; a level of NUM_LEVELS or more fails its field).
    ///
    /// LevelDB: VersionEdit::DecodeFrom
    pub fn decode(src: &[u8]) -> Result<VersionEdit, String> {
        todo!("chapter 7: write VersionEdit::decode")
    }
}

/// Orders internal keys: user key ascending, then the 8-byte tag (sequence, type) descending. (Given.)
///
/// LevelDB: InternalKeyComparator::Compare
pub fn compare_internal_keys(a: &[u8], b: &[u8]) -> Ordering {
    let (a_user, a_tag) = a.split_at(a.len().saturating_sub(8));
    let (b_user, b_tag) = b.split_at(b.len().saturating_sub(8));
    let tag = |t: &[u8]| {
        let mut bytes = [0u8; 8];
        bytes[..t.len()].copy_from_slice(t);
        u64::from_le_bytes(bytes)
    };
    a_user.cmp(b_user).then(tag(b_tag).cmp(&tag(a_tag)))
}

/// The files of each level, and each level's compact pointer: the state the edits build.
///
/// LevelDB: Version (its files_), VersionSet (its compact_pointer_)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Levels {
    /// Each level's files, sorted by smallest key (then by file number).
    pub files: Vec<Vec<FileMetaData>>,
    pub compact_pointers: Vec<Vec<u8>>,
}

impl Default for Levels {
    fn default() -> Self {
        Levels {
            files: vec![Vec::new(); NUM_LEVELS],
            compact_pointers: vec![Vec::new(); NUM_LEVELS],
        }
    }
}

impl Levels {
    /// Applies `edit`: set the compact pointers it names, remove its deleted files from their levels, add its
    /// new files (a file both deleted and added by the same edit stays), and keep each level sorted by
    /// (smallest key, file number) with `compare_internal_keys`.
    ///
    /// LevelDB: VersionSet::Builder::Apply, SaveTo
    pub fn apply(&mut self, edit: &VersionEdit) {
        todo!("chapter 7: write Levels::apply")
    }
}
