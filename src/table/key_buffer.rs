//! The buffer a block iterator rebuilds its current key in.
//!
//! A block stores each key as the bytes it shares with the previous key plus the rest, so the iterator keeps the
//! whole key of the entry it is at and, at each step, cuts it back to the shared part and appends the rest
//! (LevelDB keeps it in a `std::string`). A seek makes a new block iterator for the index block and for the data
//! block each time; with a `Vec`, each of them allocated on its first key. Keys up to `INLINE` bytes (internal
//! keys of user keys up to 24 bytes) are kept in the iterator itself instead.
//!
//! Invariant: the key is `inline[..len]` while `on_heap` is false, and `heap[..]` (of length `len`) once a key
//! outgrew `inline`; `clear` goes back to `inline`, keeping the heap's capacity for the next long key.

use std::ops::Deref;

/// How many bytes of key are kept without allocating.
const INLINE: usize = 32;

/// A key rebuilt entry by entry: inline while short, on the heap once long.
pub(crate) struct KeyBuffer {
    len: usize,
    on_heap: bool,
    inline: [u8; INLINE],
    heap: Vec<u8>,
}

impl KeyBuffer {
    pub(crate) fn new() -> KeyBuffer {
        KeyBuffer {
            len: 0,
            on_heap: false,
            inline: [0; INLINE],
            heap: Vec::new(),
        }
    }

    pub(crate) fn clear(&mut self) {
        self.len = 0;
        self.on_heap = false;
    }

    /// Keeps the first `n` bytes (`n` at most the length).
    pub(crate) fn truncate(&mut self, n: usize) {
        debug_assert!(n <= self.len);
        self.len = n;
        if self.on_heap {
            self.heap.truncate(n);
        }
    }

    pub(crate) fn extend_from_slice(&mut self, bytes: &[u8]) {
        let end = self.len + bytes.len();
        if self.on_heap {
            self.heap.extend_from_slice(bytes);
        } else if end <= INLINE {
            copy_short(&mut self.inline[self.len..end], bytes);
        } else {
            self.heap.clear();
            self.heap.reserve(end);
            self.heap.extend_from_slice(&self.inline[..self.len]);
            self.heap.extend_from_slice(bytes);
            self.on_heap = true;
        }
        self.len = end;
    }
}

/// Copies `src` into `dst` (as long, at most `INLINE` bytes) with two fixed-size moves that overlap in the middle
/// (the first `N` bytes and the last `N`), instead of a call of the C library's `memcpy`: what a step adds to a key
/// is a few bytes to a few dozen. Since the merging iterator copies its children's keys into `KeyBuffer`s too, the
/// calls were 3.7% of a sequential scan's samples; without them readseq ran 1.04x (12 pairs).
#[inline(always)]
fn copy_short(dst: &mut [u8], src: &[u8]) {
    fn ends<const N: usize>(dst: &mut [u8], src: &[u8]) {
        let len = src.len();
        let head: [u8; N] = src[..N].try_into().expect("N bytes");
        let tail: [u8; N] = src[len - N..].try_into().expect("N bytes");
        dst[..N].copy_from_slice(&head);
        dst[len - N..].copy_from_slice(&tail);
    }
    debug_assert!(dst.len() == src.len() && src.len() <= INLINE);
    match src.len() {
        16.. => ends::<16>(dst, src),
        8..=15 => ends::<8>(dst, src),
        4..=7 => ends::<4>(dst, src),
        _ => dst.iter_mut().zip(src).for_each(|(d, s)| *d = *s),
    }
}

impl Deref for KeyBuffer {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        if self.on_heap {
            &self.heap
        } else {
            &self.inline[..self.len]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quickcheck::quickcheck;

    quickcheck! {
        /// Cut back and extended any way, inline or not, it holds what a `Vec` would.
        fn holds_what_a_vec_holds(steps: Vec<(u8, Vec<u8>)>) -> bool {
            let mut key = KeyBuffer::new();
            let mut model: Vec<u8> = Vec::new();
            steps.iter().all(|(keep, bytes)| {
                match keep % 8 {
                    0 => {
                        key.clear();
                        model.clear();
                    }
                    k => {
                        let n = model.len() * usize::from(k) / 8;
                        key.truncate(n);
                        model.truncate(n);
                    }
                }
                key.extend_from_slice(bytes);
                model.extend_from_slice(bytes);
                *key == *model
            })
        }
    }

    #[test]
    fn every_short_length_at_every_offset() {
        let bytes: Vec<u8> = (1..=INLINE as u8).collect();
        for start in 0..=INLINE {
            for len in 0..=INLINE - start {
                let mut key = KeyBuffer::new();
                key.extend_from_slice(&vec![0xee; start]);
                key.extend_from_slice(&bytes[..len]);
                assert!(!key.on_heap);
                assert_eq!(&key[..start], &vec![0xee; start][..], "{start} + {len}");
                assert_eq!(&key[start..], &bytes[..len], "{start} + {len}");
            }
        }
    }

    #[test]
    fn a_key_moves_to_the_heap_when_it_outgrows_the_inline_bytes_and_back_when_cleared() {
        let mut key = KeyBuffer::new();
        key.extend_from_slice(&[1; INLINE]);
        assert!(!key.on_heap);
        key.truncate(INLINE - 1);
        key.extend_from_slice(&[2, 3]);
        assert!(key.on_heap);
        assert_eq!(&key[INLINE - 2..], &[1, 2, 3]);
        key.clear();
        key.extend_from_slice(b"short");
        assert!(!key.on_heap);
        assert_eq!(&*key, b"short");
    }
}
