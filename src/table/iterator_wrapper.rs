//! `IteratorWrapper`: an owned, optional child iterator that remembers whether it is valid.
//!
//! The merging and two-level iterators ask their children `valid()` far more often than they move them; the
//! wrapper answers from a cached flag instead of a virtual call. Invariant: `valid` is what `iter.valid()`
//! returned after the last call that could move `iter` (and false when there is no iterator), because every
//! moving method goes through the wrapper and refreshes it.
//!
//! LevelDB also caches the key slice; a Rust reference into the child cannot live next to the child it points
//! into without `unsafe`, so `key()` asks the child. The wrapper is generic over the child's type so that a
//! child of a known type (a block iterator inside a table iterator) is called directly, without dynamic dispatch.

use crate::error::Result;
use crate::table::iterator::Iterator;

/// LevelDB: IteratorWrapper
pub(crate) struct IteratorWrapper<I: Iterator = Box<dyn Iterator>> {
    iter: Option<I>,
    valid: bool,
}

impl<I: Iterator> IteratorWrapper<I> {
    /// LevelDB: IteratorWrapper::IteratorWrapper
    pub(crate) fn new(iter: Option<I>) -> IteratorWrapper<I> {
        let mut wrapper = IteratorWrapper {
            iter: None,
            valid: false,
        };
        wrapper.set(iter);
        wrapper
    }

    /// True if there is an iterator to wrap (LevelDB: `iter() != nullptr`).
    pub(crate) fn has_iter(&self) -> bool {
        self.iter.is_some()
    }

    /// Replaces the wrapped iterator, dropping the old one.
    ///
    /// LevelDB: IteratorWrapper::Set
    pub(crate) fn set(&mut self, iter: Option<I>) {
        self.iter = iter;
        self.update();
    }

    /// LevelDB: IteratorWrapper::Update
    #[inline]
    fn update(&mut self) {
        self.valid = self.iter.as_ref().is_some_and(|iter| iter.valid());
    }

    /// The wrapped iterator; the moving methods require one.
    #[inline]
    fn iter_mut(&mut self) -> &mut I {
        self.iter
            .as_mut()
            .expect("IteratorWrapper without an iterator")
    }

    #[inline]
    pub(crate) fn valid(&self) -> bool {
        self.valid
    }

    #[inline]
    pub(crate) fn key(&self) -> &[u8] {
        debug_assert!(self.valid);
        self.iter.as_ref().map_or(&[], |iter| iter.key())
    }

    #[inline]
    pub(crate) fn value(&self) -> &[u8] {
        debug_assert!(self.valid);
        self.iter.as_ref().map_or(&[], |iter| iter.value())
    }

    /// The wrapped iterator's status (OK when there is none).
    pub(crate) fn status(&self) -> Result<()> {
        self.iter.as_ref().map_or(Ok(()), |iter| iter.status())
    }

    #[inline]
    pub(crate) fn next(&mut self) {
        self.iter_mut().next();
        self.update();
    }

    #[inline]
    pub(crate) fn prev(&mut self) {
        self.iter_mut().prev();
        self.update();
    }

    #[inline]
    pub(crate) fn seek(&mut self, target: &[u8]) {
        self.iter_mut().seek(target);
        self.update();
    }

    #[inline]
    pub(crate) fn seek_to_first(&mut self) {
        self.iter_mut().seek_to_first();
        self.update();
    }

    #[inline]
    pub(crate) fn seek_to_last(&mut self) {
        self.iter_mut().seek_to_last();
        self.update();
    }
}
