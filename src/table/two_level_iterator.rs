//! The two-level iterator: walks an index whose values each open a second-level iterator (the blocks of a table,
//! the tables of a level), and shows the entries of those second-level iterators as one sequence.
//!
//! Invariant: when `data_iter` holds an iterator, `data_block_handle` is the index value it was opened from, so
//! moving the index back onto the same value (a seek within the current block) reuses it instead of opening the
//! block again. An empty or failing data iterator is skipped over, its error remembered in `status`.
//!
//! LevelDB: table/two_level_iterator.cc

use crate::error::Result;
use crate::options::ReadOptions;
use crate::table::iterator::Iterator;
use crate::table::iterator_wrapper::IteratorWrapper;

/// The iterator over the index is of type `I`, the second-level iterators are of type `D`, opened by `F`: a table
/// iterator knows them all (block iterators, called directly); a level iterator opens tables, boxed. `F` is LevelDB's
/// `BlockFunction`: where LevelDB passes a function pointer and an `arg`, a closure carries both.
///
/// LevelDB: TwoLevelIterator
pub struct TwoLevelIterator<I: Iterator, D: Iterator, F: FnMut(&ReadOptions, &[u8]) -> D + Send> {
    block_function: F,
    options: ReadOptions,
    /// The first error of a data iterator that was replaced.
    status: Result<()>,
    index_iter: IteratorWrapper<I>,
    /// May hold no iterator.
    data_iter: IteratorWrapper<D>,
    /// If data_iter holds an iterator, this is the index value passed to block_function to create it: its first
    /// `data_block_handle_len` bytes, kept inline so that opening a table iterator allocates no buffer for it.
    /// `None` when there is none, or it was longer than the buffer (then it is not reused, only reopened).
    data_block_handle: [u8; MAX_KEPT_HANDLE],
    data_block_handle_len: Option<usize>,
}

/// The longest index value kept for reuse: a block handle takes at most 20 bytes, a level's file number and size
/// 16. (Index values may carry more, which LevelDB allows for the future; such blocks are simply reopened.)
const MAX_KEPT_HANDLE: usize = 20;

impl<I: Iterator, D: Iterator, F: FnMut(&ReadOptions, &[u8]) -> D + Send>
    TwoLevelIterator<I, D, F>
{
    /// An iterator over the entries of the iterators that `block_function` opens for each value of `index_iter`.
    ///
    /// LevelDB: TwoLevelIterator::TwoLevelIterator
    pub fn new(index_iter: I, block_function: F, options: ReadOptions) -> Self {
        TwoLevelIterator {
            block_function,
            options,
            status: Ok(()),
            index_iter: IteratorWrapper::new(Some(index_iter)),
            data_iter: IteratorWrapper::new(None),
            data_block_handle: [0; MAX_KEPT_HANDLE],
            data_block_handle_len: None,
        }
    }

    /// LevelDB: TwoLevelIterator::SaveError
    fn save_error(&mut self, s: Result<()>) {
        if self.status.is_ok() {
            self.status = s;
        }
    }

    /// Moves forward over data blocks that are missing or exhausted.
    ///
    /// LevelDB: TwoLevelIterator::SkipEmptyDataBlocksForward
    fn skip_empty_data_blocks_forward(&mut self) {
        while !self.data_iter.has_iter() || !self.data_iter.valid() {
            // Move to next block.
            if !self.index_iter.valid() {
                self.set_data_iterator(None);
                return;
            }
            self.index_iter.next();
            self.init_data_block();
            if self.data_iter.has_iter() {
                self.data_iter.seek_to_first();
            }
        }
    }

    /// Moves backward over data blocks that are missing or exhausted.
    ///
    /// LevelDB: TwoLevelIterator::SkipEmptyDataBlocksBackward
    fn skip_empty_data_blocks_backward(&mut self) {
        while !self.data_iter.has_iter() || !self.data_iter.valid() {
            // Move to previous block.
            if !self.index_iter.valid() {
                self.set_data_iterator(None);
                return;
            }
            self.index_iter.prev();
            self.init_data_block();
            if self.data_iter.has_iter() {
                self.data_iter.seek_to_last();
            }
        }
    }

    /// LevelDB: TwoLevelIterator::SetDataIterator
    fn set_data_iterator(&mut self, data_iter: Option<D>) {
        if self.data_iter.has_iter() {
            let s = self.data_iter.status();
            self.save_error(s);
        }
        self.data_iter.set(data_iter);
    }

    /// Opens the data iterator for the index's current value, unless it is open already.
    ///
    /// LevelDB: TwoLevelIterator::InitDataBlock
    fn init_data_block(&mut self) {
        if !self.index_iter.valid() {
            self.set_data_iterator(None);
            return;
        }
        let handle = self.index_iter.value();
        let kept = self
            .data_block_handle_len
            .map(|len| &self.data_block_handle[..len]);
        if self.data_iter.has_iter() && kept == Some(handle) {
            // data_iter is already constructed with this iterator, so no need to change anything.
            return;
        }
        let iter = (self.block_function)(&self.options, handle);
        self.data_block_handle_len = self.data_block_handle.get_mut(..handle.len()).map(|kept| {
            kept.copy_from_slice(handle);
            handle.len()
        });
        self.set_data_iterator(Some(iter));
    }
}

impl<I: Iterator, D: Iterator, F: FnMut(&ReadOptions, &[u8]) -> D + Send> Iterator
    for TwoLevelIterator<I, D, F>
{
    fn valid(&self) -> bool {
        self.data_iter.valid()
    }

    fn seek(&mut self, target: &[u8]) {
        self.index_iter.seek(target);
        self.init_data_block();
        if self.data_iter.has_iter() {
            self.data_iter.seek(target);
        }
        self.skip_empty_data_blocks_forward();
    }

    fn seek_to_first(&mut self) {
        self.index_iter.seek_to_first();
        self.init_data_block();
        if self.data_iter.has_iter() {
            self.data_iter.seek_to_first();
        }
        self.skip_empty_data_blocks_forward();
    }

    fn seek_to_last(&mut self) {
        self.index_iter.seek_to_last();
        self.init_data_block();
        if self.data_iter.has_iter() {
            self.data_iter.seek_to_last();
        }
        self.skip_empty_data_blocks_backward();
    }

    fn next(&mut self) {
        assert!(self.valid());
        self.data_iter.next();
        self.skip_empty_data_blocks_forward();
    }

    fn prev(&mut self) {
        assert!(self.valid());
        self.data_iter.prev();
        self.skip_empty_data_blocks_backward();
    }

    fn key(&self) -> &[u8] {
        assert!(self.valid());
        self.data_iter.key()
    }

    fn value(&self) -> &[u8] {
        assert!(self.valid());
        self.data_iter.value()
    }

    /// The index's error, else the data iterator's, else the first error of a data iterator already dropped.
    fn status(&self) -> Result<()> {
        self.index_iter.status()?;
        self.data_iter.status()?;
        self.status.clone()
    }
}

/// An iterator over the entries of the iterators that `block_function` opens for each value of `index_iter`.
/// The index iterator and the function are kept inside the one allocation of the result, not boxed apart (a
/// level's iterator is made for every database iterator).
///
/// LevelDB: NewTwoLevelIterator
pub fn new_two_level_iterator<'a, I, F>(
    index_iter: I,
    block_function: F,
    options: ReadOptions,
) -> Box<dyn Iterator + 'a>
where
    I: Iterator + 'a,
    F: FnMut(&ReadOptions, &[u8]) -> Box<dyn Iterator> + Send + 'a,
{
    Box::new(TwoLevelIterator::new(index_iter, block_function, options))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::table::block::Block;
    use crate::table::block_builder::BlockBuilder;
    use crate::table::iterator::{new_empty_iterator, new_error_iterator};
    use crate::util::comparator::bytewise_comparator;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn block(entries: &[(&[u8], &[u8])]) -> Arc<Block> {
        let mut builder = BlockBuilder::new(bytewise_comparator(), 16);
        for (k, v) in entries {
            builder.add(k, v);
        }
        Arc::new(Block::new(builder.finish().to_vec()))
    }

    /// An index over second-level "blocks" named by their index value: "data:<k1>,<k2>..." holds those keys (each
    /// with value "v<k>"), "empty" holds nothing, "error" fails. Counts the blocks opened.
    fn two_level(index: &[(&[u8], &[u8])], opened: Arc<AtomicUsize>) -> Box<dyn Iterator> {
        let block_function = Box::new(move |_options: &ReadOptions, value: &[u8]| {
            opened.fetch_add(1, Ordering::Relaxed);
            match value {
                b"empty" => new_empty_iterator(),
                b"error" => new_error_iterator(Error::corruption("bad block", "")),
                _ => {
                    let keys: Vec<Vec<u8>> = value[5..]
                        .split(|&b| b == b',')
                        .map(<[u8]>::to_vec)
                        .collect();
                    let values: Vec<Vec<u8>> =
                        keys.iter().map(|k| [b"v", &k[..]].concat()).collect();
                    let entries: Vec<(&[u8], &[u8])> = keys
                        .iter()
                        .zip(&values)
                        .map(|(k, v)| (&k[..], &v[..]))
                        .collect();
                    block(&entries).new_iterator(bytewise_comparator())
                }
            }
        });
        let index_iter = block(index).new_iterator(bytewise_comparator());
        new_two_level_iterator(index_iter, block_function, ReadOptions::default())
    }

    fn keys_forward(iter: &mut dyn Iterator) -> Vec<Vec<u8>> {
        let mut keys = Vec::new();
        iter.seek_to_first();
        while iter.valid() {
            assert_eq!(iter.value(), [b"v", iter.key()].concat());
            keys.push(iter.key().to_vec());
            iter.next();
        }
        keys
    }

    #[test]
    fn skips_empty_blocks_both_ways() {
        let opened = Arc::new(AtomicUsize::new(0));
        let mut iter = two_level(
            &[
                (b"a", b"empty"),
                (b"c", b"data:b,c"),
                (b"d", b"empty"),
                (b"e", b"empty"),
                (b"g", b"data:f,g"),
                (b"h", b"empty"),
            ],
            opened,
        );
        assert_eq!(keys_forward(&mut *iter), [b"b", b"c", b"f", b"g"]);
        let mut backward = Vec::new();
        iter.seek_to_last();
        while iter.valid() {
            backward.push(iter.key().to_vec());
            iter.prev();
        }
        assert_eq!(backward, [b"g", b"f", b"c", b"b"]);
        iter.seek(b"d");
        assert_eq!(iter.key(), b"f");
        iter.seek(b"z");
        assert!(!iter.valid());
        assert!(iter.status().is_ok());
    }

    #[test]
    fn seeks_within_the_same_block_do_not_reopen_it() {
        let opened = Arc::new(AtomicUsize::new(0));
        let mut iter = two_level(
            &[(b"c", b"data:a,b,c"), (b"f", b"data:d,e,f")],
            opened.clone(),
        );
        iter.seek(b"a");
        iter.seek(b"b");
        iter.seek(b"c");
        iter.next(); // Into the second block.
        iter.seek(b"e");
        iter.seek(b"f");
        assert_eq!(iter.key(), b"f");
        assert_eq!(opened.load(Ordering::Relaxed), 2);
        iter.seek(b"a");
        assert_eq!(opened.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn failing_blocks_are_skipped_and_reported() {
        let opened = Arc::new(AtomicUsize::new(0));
        let mut iter = two_level(
            &[(b"b", b"data:a,b"), (b"c", b"error"), (b"e", b"data:d,e")],
            opened,
        );
        // The error block is skipped, and its error is kept after it is dropped.
        assert_eq!(keys_forward(&mut *iter), [b"a", b"b", b"d", b"e"]);
        assert_eq!(
            iter.status().unwrap_err().to_string(),
            "Corruption: bad block"
        );
        // Seeking into the failing block lands after it, and the error stays reported.
        iter.seek(b"c");
        assert_eq!(iter.key(), b"d");
        assert!(iter.status().is_err());

        // A corrupt index is reported first.
        let mut bad_index = new_two_level_iterator(
            new_error_iterator(Error::corruption("bad index", "")),
            Box::new(|_: &ReadOptions, _: &[u8]| new_error_iterator(Error::io_error("data", ""))),
            ReadOptions::default(),
        );
        bad_index.seek_to_first();
        assert!(!bad_index.valid());
        assert_eq!(
            bad_index.status().unwrap_err().to_string(),
            "Corruption: bad index"
        );
    }
}
