//! `Compaction`: the inputs of one compaction, and the decisions made while it runs.
//!
//! A compaction merges `inputs[0]` (files of `level`) with `inputs[1]` (the files of `level + 1` they overlap)
//! into new files at `level + 1`. The files of `level + 2` that overlap the whole range, the *grandparents*,
//! decide where an output file is cut, so that no output overlaps too much of the next level down.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::db::dbformat::{config, InternalKeyComparator};
use crate::db::version_edit::{FileMetaData, VersionEdit};
use crate::db::version_set::version::{max_grand_parent_overlap_bytes, total_file_size, Version};
use crate::util::comparator::Comparator;

/// LevelDB: Compaction
pub struct Compaction {
    level: usize,
    max_output_file_size: u64,
    max_grand_parent_overlap_bytes: u64,
    pub(crate) input_version: Option<Arc<Version>>,
    pub(crate) edit: VersionEdit,
    icmp: InternalKeyComparator,

    /// Each compaction reads inputs from "level" and "level+1".
    pub(crate) inputs: [Vec<Arc<FileMetaData>>; 2],

    /// State used to check for the number of overlapping grandparent files (parent == level + 1,
    /// grandparent == level + 2).
    pub(crate) grandparents: Vec<Arc<FileMetaData>>,
    /// Index in grandparents.
    grandparent_index: usize,
    /// Some output key has been seen.
    seen_key: bool,
    /// Bytes of overlap between the current output and grandparent files.
    overlapped_bytes: u64,

    /// State for implementing is_base_level_for_key: level_ptrs holds indices into input_version.files: our
    /// state is that we are positioned at one of the file ranges for each higher level than the ones involved in
    /// this compaction (i.e. for all L >= level + 2).
    level_ptrs: [usize; config::NUM_LEVELS],
}

impl Compaction {
    /// LevelDB: Compaction::Compaction
    pub(crate) fn new(
        icmp: InternalKeyComparator,
        max_file_size: u64,
        level: usize,
        input_version: Arc<Version>,
    ) -> Compaction {
        Compaction {
            level,
            max_output_file_size: max_file_size,
            max_grand_parent_overlap_bytes: max_grand_parent_overlap_bytes(max_file_size),
            input_version: Some(input_version),
            edit: VersionEdit::new(),
            icmp,
            inputs: [Vec::new(), Vec::new()],
            grandparents: Vec::new(),
            grandparent_index: 0,
            seen_key: false,
            overlapped_bytes: 0,
            level_ptrs: [0; config::NUM_LEVELS],
        }
    }

    /// The level that is being compacted. Inputs from "level" and "level+1" will be merged to produce a set of
    /// "level+1" files.
    ///
    /// LevelDB: Compaction::level
    pub fn level(&self) -> usize {
        self.level
    }

    /// The object that holds the edits to the descriptor done by this compaction.
    ///
    /// LevelDB: Compaction::edit
    pub fn edit(&mut self) -> &mut VersionEdit {
        &mut self.edit
    }

    /// "which" must be either 0 or 1.
    ///
    /// LevelDB: Compaction::num_input_files
    pub fn num_input_files(&self, which: usize) -> usize {
        self.inputs[which].len()
    }

    /// The ith input file at "level()+which" ("which" must be 0 or 1).
    ///
    /// LevelDB: Compaction::input
    pub fn input(&self, which: usize, i: usize) -> &Arc<FileMetaData> {
        &self.inputs[which][i]
    }

    /// Maximum size of files to build during this compaction.
    ///
    /// LevelDB: Compaction::MaxOutputFileSize
    pub fn max_output_file_size(&self) -> u64 {
        self.max_output_file_size
    }

    /// True if this is a trivial compaction that can be implemented by just moving a single input file to the
    /// next level (no merging or splitting).
    ///
    /// LevelDB: Compaction::IsTrivialMove
    pub fn is_trivial_move(&self) -> bool {
        // Avoid a move if there is lots of overlapping grandparent data. Otherwise, the move could create a parent
        // file that will require a very expensive merge later on.
        self.num_input_files(0) == 1
            && self.num_input_files(1) == 0
            && total_file_size(&self.grandparents) <= self.max_grand_parent_overlap_bytes
    }

    /// Adds all inputs to this compaction as delete operations to `edit`.
    ///
    /// LevelDB: Compaction::AddInputDeletions
    pub fn add_input_deletions(&self, edit: &mut VersionEdit) {
        for (which, files) in self.inputs.iter().enumerate() {
            for f in files {
                edit.remove_file(self.level + which, f.number);
            }
        }
    }

    /// True if the information we have available guarantees that the compaction is producing data in
    /// "level+1" for which no data exists in levels greater than "level+1".
    ///
    /// LevelDB: Compaction::IsBaseLevelForKey
    pub fn is_base_level_for_key(&mut self, user_key: &[u8]) -> bool {
        // Maybe use binary search to find the right entry instead of linear search?
        let Some(version) = &self.input_version else {
            return true;
        };
        let user_cmp = self.icmp.user_comparator();
        for lvl in self.level + 2..config::NUM_LEVELS {
            let files = version.files(lvl);
            while self.level_ptrs[lvl] < files.len() {
                let f = &files[self.level_ptrs[lvl]];
                if user_cmp.compare(user_key, f.largest.user_key()) != Ordering::Greater {
                    // We've advanced far enough.
                    if user_cmp.compare(user_key, f.smallest.user_key()) != Ordering::Less {
                        // Key falls in this file's range, so definitely not base level.
                        return false;
                    }
                    break;
                }
                self.level_ptrs[lvl] += 1;
            }
        }
        true
    }

    /// True iff we should stop building the current output before processing `internal_key`.
    ///
    /// LevelDB: Compaction::ShouldStopBefore
    pub fn should_stop_before(&mut self, internal_key: &[u8]) -> bool {
        // Scan to find the earliest grandparent file that contains the key.
        while self.grandparent_index < self.grandparents.len()
            && self.icmp.compare(
                internal_key,
                self.grandparents[self.grandparent_index].largest.encode(),
            ) == Ordering::Greater
        {
            if self.seen_key {
                self.overlapped_bytes += self.grandparents[self.grandparent_index].file_size;
            }
            self.grandparent_index += 1;
        }
        self.seen_key = true;

        if self.overlapped_bytes > self.max_grand_parent_overlap_bytes {
            // Too much overlap for the current output; start a new output.
            self.overlapped_bytes = 0;
            true
        } else {
            false
        }
    }

    /// Releases the input version for the compaction, once the compaction is successful.
    ///
    /// LevelDB: Compaction::ReleaseInputs
    pub fn release_inputs(&mut self) {
        self.input_version = None;
    }
}
