//! The cursor `Iterator`: how every sorted source (a block, a table, a memtable, a level, the whole database) is
//! read.
//!
//! A cursor is either *valid*, positioned at one entry whose `key` and `value` it can show, or not valid. Moving
//! it (`seek_to_first`, `seek_to_last`, `seek`, `next`, `prev`) may make it invalid, e.g. past the end; an error
//! also makes it invalid, and `status` then says what went wrong.
//!
//! This is LevelDB's `Iterator`, not Rust's `std::iter::Iterator` (which only goes forward and cannot seek). Where
//! LevelDB registers cleanup functions on an iterator, an iterator here simply owns what it needs (a block's
//! pinned cache handle) and releases it when dropped. Where what it reads is shared by every reader, it owns one
//! pin and borrows the rest from it (`CleanupIterator::borrowing`): a database iterator its super version, a table
//! iterator its table's cache handle (or an `Arc` of the table). Invariant: an iterator that borrows from a
//! resource is dropped before it.

use std::ops::Deref;
use std::sync::Arc;

use crate::error::{Error, Result};

/// LevelDB: Iterator
pub trait Iterator: Send {
    /// True if the iterator is positioned at an entry.
    ///
    /// LevelDB: Iterator::Valid
    fn valid(&self) -> bool;

    /// Positions at the first entry, if any.
    ///
    /// LevelDB: Iterator::SeekToFirst
    fn seek_to_first(&mut self);

    /// Positions at the last entry, if any.
    ///
    /// LevelDB: Iterator::SeekToLast
    fn seek_to_last(&mut self);

    /// Positions at the first entry whose key is at or past `target`.
    ///
    /// LevelDB: Iterator::Seek
    fn seek(&mut self, target: &[u8]);

    /// Moves to the next entry. Requires `valid()`.
    ///
    /// LevelDB: Iterator::Next
    fn next(&mut self);

    /// Moves to the previous entry. Requires `valid()`.
    ///
    /// LevelDB: Iterator::Prev
    fn prev(&mut self);

    /// The key of the current entry, valid until the iterator moves. Requires `valid()`.
    ///
    /// LevelDB: Iterator::key
    fn key(&self) -> &[u8];

    /// The value of the current entry, valid until the iterator moves. Requires `valid()`.
    ///
    /// LevelDB: Iterator::value
    fn value(&self) -> &[u8];

    /// The error the iterator met, if any.
    ///
    /// LevelDB: Iterator::status
    fn status(&self) -> Result<()>;
}

/// An iterator over nothing that reports `status` (OK or an error).
///
/// LevelDB: EmptyIterator
struct EmptyIterator {
    status: Result<()>,
}

impl Iterator for EmptyIterator {
    fn valid(&self) -> bool {
        false
    }
    fn seek_to_first(&mut self) {}
    fn seek_to_last(&mut self) {}
    fn seek(&mut self, _target: &[u8]) {}
    fn next(&mut self) {
        panic!("next() of an empty iterator");
    }
    fn prev(&mut self) {
        panic!("prev() of an empty iterator");
    }
    fn key(&self) -> &[u8] {
        panic!("key() of an empty iterator");
    }
    fn value(&self) -> &[u8] {
        panic!("value() of an empty iterator");
    }
    fn status(&self) -> Result<()> {
        self.status.clone()
    }
}

/// An iterator over nothing, with an OK status.
///
/// LevelDB: NewEmptyIterator
pub fn new_empty_iterator() -> Box<dyn Iterator> {
    Box::new(EmptyIterator { status: Ok(()) })
}

/// An iterator over nothing whose status is `status`.
///
/// LevelDB: NewErrorIterator
pub fn new_error_iterator(status: Error) -> Box<dyn Iterator> {
    Box::new(EmptyIterator {
        status: Err(status),
    })
}

/// An iterator that owns `resource` (what it reads, or a pin on it) until it is dropped.
pub(crate) struct CleanupIterator<R> {
    /// May borrow from `*resource` (see `borrowing`). Declared first: fields are dropped in order, so it goes
    /// before what it may borrow from.
    iter: Box<dyn Iterator>,
    _resource: R,
}

/// Makes `iter` hold `resource` until it is dropped: LevelDB's `Iterator::RegisterCleanup`, where the cleanup is
/// `resource`'s own drop.
///
/// LevelDB: Iterator::RegisterCleanup
pub fn register_cleanup<R: Send + 'static>(
    iter: Box<dyn Iterator>,
    resource: R,
) -> Box<dyn Iterator> {
    Box::new(CleanupIterator {
        iter,
        _resource: resource,
    })
}

/// A holder whose target stays at one address, alive, for as long as the holder lives, however the holder itself
/// is moved: what `CleanupIterator::borrowing` may lend out.
///
/// # Safety
///
/// `deref` must return the same target every time, and the target must neither move nor be dropped, nor be
/// mutated but through its own synchronised methods, while the holder lives.
#[allow(
    dead_code,
    reason = "rustc counts a marker trait used only in bounds and impls as unused"
)]
pub(crate) unsafe trait StableDeref: Deref {}

// SAFETY: an `Arc`'s target is on the heap, where it stays until the last `Arc` goes, and is only ever shared.
unsafe impl<T: ?Sized> StableDeref for Arc<T> {}

impl<R: StableDeref + Send> CleanupIterator<R>
where
    R::Target: Sync,
{
    /// The iterator that `build` makes over `*resource`, held together with `resource`: it borrows what it reads
    /// instead of taking reference counts of its own (a database iterator reads its super version so, and a table
    /// iterator its table: those counts would be shared by every reader).
    pub(crate) fn borrowing(
        resource: R,
        build: impl FnOnce(&R::Target) -> Box<dyn Iterator + '_>,
    ) -> CleanupIterator<R> {
        let iter = build(&resource);
        // SAFETY: `build`'s signature lets `iter` borrow nothing but `*resource` (anything else it holds is
        // 'static). This struct keeps `*resource` alive, in place and shared for as long as `iter` lives: a
        // `StableDeref` holder's target does not move when the struct (and the holder in it) moves, and is mutated
        // by no one but through its own synchronised methods, which a shared borrow allows anyway; `iter` is
        // private, never handed out, and only ever replaced by an iterator that borrows nothing (`fail`); and it is
        // dropped before `_resource` (field order). Its borrows cannot escape through the trait either: `key()`
        // and `value()` return slices tied to `&self`.
        let iter =
            unsafe { std::mem::transmute::<Box<dyn Iterator + '_>, Box<dyn Iterator>>(iter) };
        CleanupIterator {
            iter,
            _resource: resource,
        }
    }
}

impl<R> CleanupIterator<R> {
    /// Replaces the iterator by one that is never valid and whose status is `status` (the resource stays held).
    pub(crate) fn fail(&mut self, status: Error) {
        self.iter = new_error_iterator(status);
    }
}

impl<R: Send> Iterator for CleanupIterator<R> {
    fn valid(&self) -> bool {
        self.iter.valid()
    }
    fn seek_to_first(&mut self) {
        self.iter.seek_to_first()
    }
    fn seek_to_last(&mut self) {
        self.iter.seek_to_last()
    }
    fn seek(&mut self, target: &[u8]) {
        self.iter.seek(target)
    }
    fn next(&mut self) {
        self.iter.next()
    }
    fn prev(&mut self) {
        self.iter.prev()
    }
    fn key(&self) -> &[u8] {
        self.iter.key()
    }
    fn value(&self) -> &[u8] {
        self.iter.value()
    }
    fn status(&self) -> Result<()> {
        self.iter.status()
    }
}

impl<I: Iterator + ?Sized> Iterator for Box<I> {
    fn valid(&self) -> bool {
        (**self).valid()
    }
    fn seek_to_first(&mut self) {
        (**self).seek_to_first()
    }
    fn seek_to_last(&mut self) {
        (**self).seek_to_last()
    }
    fn seek(&mut self, target: &[u8]) {
        (**self).seek(target)
    }
    fn next(&mut self) {
        (**self).next()
    }
    fn prev(&mut self) {
        (**self).prev()
    }
    fn key(&self) -> &[u8] {
        (**self).key()
    }
    fn value(&self) -> &[u8] {
        (**self).value()
    }
    fn status(&self) -> Result<()> {
        (**self).status()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_error_iterators() {
        let mut it = new_empty_iterator();
        it.seek_to_first();
        assert!(!it.valid());
        it.seek(b"x");
        assert!(!it.valid());
        assert!(it.status().is_ok());
        let mut it = new_error_iterator(Error::corruption("bad", ""));
        it.seek_to_last();
        assert!(!it.valid());
        assert_eq!(it.status().unwrap_err().to_string(), "Corruption: bad");
    }
}
