//! Chapter 7, the reference: the engine's `VersionEdit` (encode, decode) and `VersionSet::Builder`, which
//! applies edits to an empty version: the current files first (as one edit), then the edit.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use oxleveldb::db::dbformat::{InternalKey, InternalKeyComparator};
use oxleveldb::db::table_cache::TableCache;
use oxleveldb::db::version_edit;
use oxleveldb::db::version_set::{Builder, Version};
use oxleveldb::{bytewise_comparator, Options};

pub const NUM_LEVELS: usize = 7;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileMetaData {
    pub number: u64,
    pub file_size: u64,
    pub smallest: Vec<u8>,
    pub largest: Vec<u8>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VersionEdit {
    pub comparator: Option<String>,
    pub log_number: Option<u64>,
    pub prev_log_number: Option<u64>,
    pub next_file_number: Option<u64>,
    pub last_sequence: Option<u64>,
    pub compact_pointers: Vec<(usize, Vec<u8>)>,
    pub deleted_files: BTreeSet<(usize, u64)>,
    pub new_files: Vec<(usize, FileMetaData)>,
}

impl VersionEdit {
    fn engine(&self) -> version_edit::VersionEdit {
        let mut edit = version_edit::VersionEdit::new();
        if let Some(name) = &self.comparator {
            edit.set_comparator_name(name);
        }
        if let Some(n) = self.log_number {
            edit.set_log_number(n);
        }
        if let Some(n) = self.prev_log_number {
            edit.set_prev_log_number(n);
        }
        if let Some(n) = self.next_file_number {
            edit.set_next_file(n);
        }
        if let Some(n) = self.last_sequence {
            edit.set_last_sequence(n);
        }
        for (level, key) in &self.compact_pointers {
            edit.set_compact_pointer(*level, InternalKey::from_encoding(key));
        }
        for &(level, number) in &self.deleted_files {
            edit.remove_file(level, number);
        }
        for (level, f) in &self.new_files {
            edit.add_file(
                *level,
                f.number,
                f.file_size,
                InternalKey::from_encoding(&f.smallest),
                InternalKey::from_encoding(&f.largest),
            );
        }
        edit
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut dst = Vec::new();
        self.engine().encode_to(&mut dst);
        dst
    }

    pub fn decode(src: &[u8]) -> Result<VersionEdit, String> {
        let edit = version_edit::VersionEdit::decode_from(src).map_err(|e| e.to_string())?;
        Ok(VersionEdit {
            comparator: edit.comparator().map(str::to_string),
            log_number: edit.log_number(),
            prev_log_number: edit.prev_log_number(),
            next_file_number: edit.next_file_number(),
            last_sequence: edit.last_sequence(),
            compact_pointers: edit
                .compact_pointers()
                .iter()
                .map(|(level, key)| (*level, key.encode().to_vec()))
                .collect(),
            deleted_files: edit.deleted_files().clone(),
            new_files: edit
                .new_files()
                .iter()
                .map(|(level, f)| (*level, file_of(f)))
                .collect(),
        })
    }
}

fn file_of(f: &version_edit::FileMetaData) -> FileMetaData {
    FileMetaData {
        number: f.number,
        file_size: f.file_size,
        smallest: f.smallest.encode().to_vec(),
        largest: f.largest.encode().to_vec(),
    }
}

pub fn compare_internal_keys(a: &[u8], b: &[u8]) -> Ordering {
    use oxleveldb::Comparator;
    InternalKeyComparator::new(bytewise_comparator()).compare(a, b)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Levels {
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
    pub fn apply(&mut self, edit: &VersionEdit) {
        let icmp = InternalKeyComparator::new(bytewise_comparator());
        let options = Options::default();
        // No table is opened: the cache only completes the version.
        let table_cache = Arc::new(TableCache::new(Path::new("/course"), options.clone(), 0));
        let new_version = || Version::new(icmp.clone(), table_cache.clone(), options.max_file_size as u64);
        let mut builder = Builder::new(&icmp, Arc::new(new_version()));
        let current = VersionEdit {
            new_files: self
                .files
                .iter()
                .enumerate()
                .flat_map(|(level, files)| files.iter().map(move |f| (level, f.clone())))
                .collect(),
            ..VersionEdit::default()
        };
        let mut compact_pointers: [Vec<u8>; NUM_LEVELS] = Default::default();
        builder.apply(&current.engine(), &mut compact_pointers);
        builder.apply(&edit.engine(), &mut compact_pointers);
        let mut version = new_version();
        builder.save_to(&mut version);
        for (level, files) in self.files.iter_mut().enumerate() {
            *files = version.files(level).iter().map(|f| file_of(f)).collect();
        }
        for (mine, set) in self.compact_pointers.iter_mut().zip(compact_pointers) {
            if !set.is_empty() {
                *mine = set;
            }
        }
    }
}
