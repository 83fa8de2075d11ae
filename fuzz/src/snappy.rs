//! Targets `snappy_decompress` and `snappy_roundtrip`: oxleveldb's snappy codec (src/util/snappy.rs) against the
//! C++ snappy 1.1.9 that LevelDB 1.23 is built with (through the system-leveldb bindings).
//!
//! Oracles: decompressing arbitrary bytes never panics, allocates within a bound, and accepts exactly what C++
//! snappy accepts, giving the same bytes; compressing any input gives C++ snappy's bytes exactly, and they
//! decompress to the input.

use std::os::raw::c_char;

use oxleveldb::util::snappy;
use system_leveldb::ffi;

use super::alloc_bound;

/// C++ snappy's `RawUncompress` of `input`, or `None` if it rejects it; `None` too (unasked) for a claimed length
/// over `limit`, which no stream of this length can produce.
fn cpp_uncompress(input: &[u8], limit: usize) -> Option<Vec<u8>> {
    let mut len = 0usize;
    // SAFETY: `input` is readable for its length; `len` is a valid out-pointer.
    let ok = unsafe {
        ffi::snappy_uncompressed_length(input.as_ptr().cast::<c_char>(), input.len(), &mut len)
    };
    if ok != 0 || len > limit {
        return None;
    }
    let mut out = vec![0u8; len];
    // SAFETY: `out` has room for the `len` bytes snappy was told of, and `len` is a valid in/out pointer.
    let ok = unsafe {
        ffi::snappy_uncompress(
            input.as_ptr().cast::<c_char>(),
            input.len(),
            out.as_mut_ptr().cast::<c_char>(),
            &mut len,
        )
    };
    (ok == 0).then(|| {
        out.truncate(len);
        out
    })
}

/// C++ snappy's `RawCompress` of `input`.
fn cpp_compress(input: &[u8]) -> Vec<u8> {
    // SAFETY: a pure function of the length.
    let mut len = unsafe { ffi::snappy_max_compressed_length(input.len()) };
    let mut out = vec![0u8; len];
    // SAFETY: `out` has the room snappy_max_compressed_length asks for; `len` is a valid in/out pointer.
    let ok = unsafe {
        ffi::snappy_compress(
            input.as_ptr().cast::<c_char>(),
            input.len(),
            out.as_mut_ptr().cast::<c_char>(),
            &mut len,
        )
    };
    assert_eq!(ok, 0, "C++ snappy failed to compress");
    out.truncate(len);
    out
}

/// Target `snappy_decompress`: the input is a snappy stream.
pub fn run_decompress(data: &[u8]) {
    let mut ours = Vec::new();
    let ok = alloc_bound::within(
        "snappy::uncompress",
        alloc_bound::reader_limit(data.len()),
        || snappy::uncompress(data, &mut ours),
    );
    // A 3-byte copy expands to at most 64 bytes: past 22 times the input, a claimed length is a lie.
    let theirs = cpp_uncompress(data, data.len().saturating_mul(22));
    match theirs {
        Some(theirs) => {
            assert!(ok, "C++ snappy accepts a stream oxleveldb rejects");
            assert!(
                ours == theirs,
                "the two snappys decompress a stream differently"
            );
        }
        None => assert!(!ok, "oxleveldb accepts a stream C++ snappy rejects"),
    }
}

/// Target `snappy_roundtrip`: the input is the data to compress.
pub fn run_roundtrip(data: &[u8]) {
    let mut compressed = Vec::new();
    snappy::compress(data, &mut compressed);
    assert!(
        compressed == cpp_compress(data),
        "oxleveldb's snappy compresses differently from C++ snappy"
    );
    let mut back = Vec::new();
    assert!(
        snappy::uncompress(&compressed, &mut back),
        "a compressed block does not decompress"
    );
    assert!(back == data, "compress then decompress changed the data");
}
