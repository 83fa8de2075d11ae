//! `Builder`: applies a sequence of edits to a base version without making the intermediate versions.
//!
//! For each level it collects the files deleted and the files added; `save_to` then merges the base version's
//! files with the added ones in key order (smallest key, then file number), leaving out the deleted ones.
//!
//! LevelDB: VersionSet::Builder

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::sync::Arc;

use crate::db::dbformat::{config, InternalKeyComparator};
use crate::db::version_edit::{FileMetaData, VersionEdit};
use crate::db::version_set::version::Version;

/// Orders files by smallest key, breaking ties by file number.
///
/// LevelDB: VersionSet::Builder::BySmallestKey
fn by_smallest_key(icmp: &InternalKeyComparator, f1: &FileMetaData, f2: &FileMetaData) -> Ordering {
    icmp.compare_internal_key(&f1.smallest, &f2.smallest)
        .then(f1.number.cmp(&f2.number))
}

/// The changes to one level.
#[derive(Default)]
struct LevelState {
    deleted_files: BTreeSet<u64>,
    added_files: Vec<Arc<FileMetaData>>,
}

/// LevelDB: VersionSet::Builder
pub struct Builder {
    icmp: InternalKeyComparator,
    base: Arc<Version>,
    levels: [LevelState; config::NUM_LEVELS],
}

impl Builder {
    /// A builder with the files of `base`.
    ///
    /// LevelDB: VersionSet::Builder::Builder
    pub fn new(icmp: &InternalKeyComparator, base: Arc<Version>) -> Builder {
        Builder {
            icmp: icmp.clone(),
            base,
            levels: Default::default(),
        }
    }

    /// Applies all of the edits in `edit` to the current state; the compaction pointers go to
    /// `compact_pointers`.
    ///
    /// LevelDB: VersionSet::Builder::Apply
    pub fn apply(
        &mut self,
        edit: &VersionEdit,
        compact_pointers: &mut [Vec<u8>; config::NUM_LEVELS],
    ) {
        // Update compaction pointers.
        for (level, key) in edit.compact_pointers() {
            compact_pointers[*level] = key.encode().to_vec();
        }

        // Delete files.
        for &(level, number) in edit.deleted_files() {
            self.levels[level].deleted_files.insert(number);
        }

        // Add new files.
        for (level, f) in edit.new_files() {
            let f = f.clone();
            // We arrange to automatically compact this file after a certain number of seeks. Let's assume:
            //   (1) One seek costs 10ms
            //   (2) Writing or reading 1MB costs 10ms (100MB/s)
            //   (3) A compaction of 1MB does 25MB of IO:
            //         1MB read from this level
            //         10-12MB read from next level (boundaries may be misaligned)
            //         10-12MB written to next level
            // This implies that 25 seeks cost the same as the compaction of 1MB of data. I.e., one seek costs
            // approximately the same as the compaction of 40KB of data. We are a little conservative and allow
            // approximately one seek for every 16KB of data before triggering a compaction.
            let allowed_seeks = ((f.file_size / 16384) as i32).max(100);
            f.allowed_seeks
                .store(allowed_seeks, std::sync::atomic::Ordering::Relaxed);
            let state = &mut self.levels[*level];
            state.deleted_files.remove(&f.number);
            state.added_files.push(Arc::new(f));
        }
    }

    /// Saves the current state in `v`.
    ///
    /// LevelDB: VersionSet::Builder::SaveTo
    pub fn save_to(&mut self, v: &mut Version) {
        let icmp = &self.icmp;
        for level in 0..config::NUM_LEVELS {
            // Merge the set of added files with the set of pre-existing files. Drop any deleted files.
            let state = &mut self.levels[level];
            state
                .added_files
                .sort_by(|a, b| by_smallest_key(icmp, a, b));
            // LevelDB keeps the added files in a set: a file added twice is kept once.
            state
                .added_files
                .dedup_by(|a, b| by_smallest_key(icmp, a, b) == Ordering::Equal);
            let state = &self.levels[level];
            let base_files = self.base.files(level);
            let mut files = Vec::with_capacity(base_files.len() + state.added_files.len());
            let mut base_iter = 0;
            for added in &state.added_files {
                // Add all smaller files listed in base.
                while base_iter < base_files.len()
                    && by_smallest_key(icmp, &base_files[base_iter], added) != Ordering::Greater
                {
                    Self::maybe_add_file(state, &mut files, &base_files[base_iter]);
                    base_iter += 1;
                }
                Self::maybe_add_file(state, &mut files, added);
            }
            // Add remaining base files.
            for f in &base_files[base_iter..] {
                Self::maybe_add_file(state, &mut files, f);
            }
            v.files[level] = Arc::new(files);
        }
    }

    /// LevelDB: VersionSet::Builder::MaybeAddFile
    fn maybe_add_file(
        state: &LevelState,
        files: &mut Vec<Arc<FileMetaData>>,
        f: &Arc<FileMetaData>,
    ) {
        if state.deleted_files.contains(&f.number) {
            // File is deleted: do nothing.
        } else {
            files.push(f.clone());
        }
    }
}
