//! Snappy compression, as the C++ snappy 1.1.9 library that LevelDB 1.23 is built with compresses.
//!
//! Any valid snappy stream decompresses to the same bytes, but compressors differ in the matches they find, so
//! a table compressed by another encoder is a valid table with other bytes. To write the same files as LevelDB,
//! oxleveldb compresses exactly as snappy 1.1.9 does: the same hash (the top 14 bits of `bytes * 0x1e35a7bd`), the same
//! hash-table size (a power of two from 256 to 16384, by fragment size), the same 64 KiB fragments, the same
//! search (every position of the first 16 bytes after a match, then skipping faster and faster over bytes that
//! do not match), and the same encoding of literals and copies. Decompression checks every length and offset
//! against the input and output, so a corrupt block is an error, never a read or write out of bounds.
//! It decodes into the output's uninitialized spare capacity, the one `unsafe` of this file (the argument is at
//! `decode_elements`): zeroing the output first cost a random get a sixth of its instructions.
//!
//! The format: a varint32 of the uncompressed length, then elements, each a tag byte whose low two bits say:
//! `00` a literal (length-1 in the tag's top six bits, or in the 1-4 bytes after it), `01` a copy of 4-11 bytes
//! at an offset below 2048 (two bytes), `10` a copy of 1-64 bytes at a 16-bit offset (three bytes).

use crate::util::coding::{decode_varint32, encode_varint32};
use crate::util::prefetch::prefetch_range;

/// Fragments are compressed independently, each with its own hash table.
///
/// LevelDB: snappy::kBlockSize
const BLOCK_SIZE: usize = 1 << 16;

/// LevelDB: snappy::kMaxHashTableBits
const MAX_HASH_TABLE_BITS: u32 = 14;

/// LevelDB: snappy::kMaxHashTableSize
const MAX_HASH_TABLE_SIZE: usize = 1 << MAX_HASH_TABLE_BITS;

/// The main loop stops this many bytes before the end of a fragment (its loads read ahead).
///
/// LevelDB: snappy's kInputMarginBytes
const INPUT_MARGIN_BYTES: usize = 15;

/// Element tags.
const LITERAL: u8 = 0;
const COPY_1_BYTE_OFFSET: u8 = 1;
const COPY_2_BYTE_OFFSET: u8 = 2;

/// The largest output for `source_len` input bytes: a literal of 60 bytes costs 62, and the worst case is a
/// one-byte literal followed by a five-byte copy, 6 bytes in for 7 out.
///
/// LevelDB: snappy::MaxCompressedLength
pub fn max_compressed_length(source_len: usize) -> usize {
    32 + source_len + source_len / 6
}

#[inline(always)]
fn load32(data: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(data[at..at + 4].try_into().expect("4 bytes"))
}

#[inline(always)]
fn load64(data: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(data[at..at + 8].try_into().expect("8 bytes"))
}

/// Copies 16 bytes: the fast paths copy a whole 16 bytes where fewer are needed, into the slack the output keeps
/// after its end, as snappy's UnalignedCopy128 does.
#[inline(always)]
fn copy16(output: &mut [u8], op: usize, input: &[u8], at: usize) {
    let chunk: [u8; 16] = input[at..at + 16].try_into().expect("16 bytes");
    output[op..op + 16].copy_from_slice(&chunk);
}

/// The hash table slot of 4 bytes: the top 14 bits of their product with a magic number, masked to the table
/// size (`mask` = size - 1), so that small tables use the same hash as the largest.
///
/// LevelDB: snappy's HashBytes / TableEntry
#[inline]
fn hash_bytes(bytes: u32, mask: usize) -> usize {
    (bytes.wrapping_mul(0x1e35a7bd) >> (32 - MAX_HASH_TABLE_BITS)) as usize & mask
}

/// The hash table size for a fragment: the smallest power of two at least `input_size`, from 256 to 16384.
///
/// LevelDB: snappy's CalculateTableSize
fn calculate_table_size(input_size: usize) -> usize {
    if input_size > MAX_HASH_TABLE_SIZE {
        MAX_HASH_TABLE_SIZE
    } else if input_size < 256 {
        256
    } else {
        input_size.next_power_of_two()
    }
}

/// The hash table of a compression (snappy's WorkingMemory); keeping one saves its allocation per call.
pub struct Encoder {
    table: Box<[u16; MAX_HASH_TABLE_SIZE]>,
}

impl Default for Encoder {
    fn default() -> Self {
        Encoder {
            table: Box::new([0; MAX_HASH_TABLE_SIZE]),
        }
    }
}

impl Encoder {
    /// Compresses `input` into `output` (replacing its contents) in snappy's format.
    ///
    /// LevelDB: snappy::RawCompress (port::Snappy_Compress)
    pub fn compress(&mut self, input: &[u8], output: &mut Vec<u8>) {
        // The output is sized for the worst case up front (plus the slack the fast paths over-write into), and
        // truncated to what was written.
        output.clear();
        output.resize(max_compressed_length(input.len()) + 16, 0);
        let mut op = encode_varint32(output, input.len() as u32);
        for fragment in input.chunks(BLOCK_SIZE) {
            let table_size = calculate_table_size(fragment.len());
            self.table[..table_size].fill(0);
            op = compress_fragment(fragment, output, op, &mut self.table, table_size - 1);
        }
        output.truncate(op);
    }
}

/// Compresses `input` into `output` (replacing its contents) in snappy's format, with this thread's
/// [`Encoder`].
pub fn compress(input: &[u8], output: &mut Vec<u8>) {
    thread_local! {
        static ENCODER: std::cell::RefCell<Encoder> = std::cell::RefCell::new(Encoder::default());
    }
    ENCODER.with(|encoder| encoder.borrow_mut().compress(input, output))
}

/// Emits a literal of `literal`'s bytes at `op`; returns the new output position.
///
/// LevelDB: snappy's EmitLiteral
#[inline]
fn emit_literal(output: &mut [u8], mut op: usize, literal: &[u8]) -> usize {
    let n = literal.len() - 1; // Zero-length literals are disallowed.
    if n < 60 {
        // Fits in the tag byte.
        output[op] = LITERAL | ((n as u8) << 2);
        op += 1;
    } else {
        let count = (n.ilog2() as usize >> 3) + 1;
        output[op] = LITERAL | (((59 + count) as u8) << 2);
        op += 1;
        // Encode the length in the upcoming bytes.
        output[op..op + count].copy_from_slice(&(n as u32).to_le_bytes()[..count]);
        op += count;
    }
    output[op..op + literal.len()].copy_from_slice(literal);
    op + literal.len()
}

/// Emits a copy of 4 to 64 bytes at `offset` (below 65536).
///
/// LevelDB: snappy's EmitCopyAtMost64
#[inline]
fn emit_copy_at_most_64(output: &mut [u8], op: usize, offset: usize, len: usize) -> usize {
    debug_assert!((4..=64).contains(&len) && offset < 65536);
    if len < 12 && offset < 2048 {
        // The offset fits in 11 bits: the 3 highest go in the top of the first byte, and the rest go in the
        // second byte.
        output[op] = COPY_1_BYTE_OFFSET + (((len - 4) as u8) << 2) + (((offset >> 3) & 0xe0) as u8);
        output[op + 1] = offset as u8;
        op + 2
    } else {
        output[op] = COPY_2_BYTE_OFFSET + (((len - 1) as u8) << 2);
        output[op + 1] = offset as u8;
        output[op + 2] = (offset >> 8) as u8;
        op + 3
    }
}

/// Emits a copy of `len` bytes at `offset`, in pieces of at most 64 bytes.
///
/// LevelDB: snappy's EmitCopy
#[inline]
fn emit_copy(output: &mut [u8], mut op: usize, offset: usize, mut len: usize) -> usize {
    if len < 12 {
        return emit_copy_at_most_64(output, op, offset, len);
    }
    // Emit 64 byte copies but make sure to keep at least four bytes reserved.
    while len >= 68 {
        op = emit_copy_at_most_64(output, op, offset, 64);
        len -= 64;
    }
    // One or two copies will now finish the job.
    if len > 64 {
        op = emit_copy_at_most_64(output, op, offset, 60);
        len -= 60;
    }
    // Emit the remainder.
    emit_copy_at_most_64(output, op, offset, len)
}

/// The number of bytes, from `s1` and `s2` on, that are equal (`s2` stops at `s2_limit`).
///
/// LevelDB: snappy's FindMatchLength
#[inline]
fn find_match_length(data: &[u8], mut s1: usize, mut s2: usize, s2_limit: usize) -> usize {
    let mut matched = 0;
    // Compare 8 bytes at a time while 16 remain (the loads must stay in the input).
    while s2 + 16 <= s2_limit {
        let xor = load64(data, s1) ^ load64(data, s2);
        if xor != 0 {
            return matched + (xor.trailing_zeros() as usize >> 3);
        }
        s1 += 8;
        s2 += 8;
        matched += 8;
    }
    while s2 < s2_limit && data[s1] == data[s2] {
        s1 += 1;
        s2 += 1;
        matched += 1;
    }
    matched
}

/// Compresses one fragment (at most 64 KiB) into `output` at `op`, with the first `mask + 1` (a power of two)
/// slots of `table`, zeroed, as the hash table of positions; returns the new output position.
///
/// LevelDB: snappy::internal::CompressFragment
fn compress_fragment(
    input: &[u8],
    output: &mut [u8],
    mut op: usize,
    table: &mut [u16; MAX_HASH_TABLE_SIZE],
    mask: usize,
) -> usize {
    let ip_end = input.len();
    // Bytes in [next_emit, ip) will be emitted as literal bytes, or [next_emit, ip_end) after the main loop.
    let mut ip = 0;

    if input.len() >= INPUT_MARGIN_BYTES {
        let ip_limit = input.len() - INPUT_MARGIN_BYTES;
        let mut preload = load32(input, ip + 1);
        'outer: loop {
            let next_emit = ip;
            ip += 1;
            let mut data = load64(input, ip);
            // Heuristic match skipping: if 32 bytes are scanned with no matches found, start looking only at every
            // other byte. If 32 more bytes are scanned (or skipped), look at every third byte, etc. When a match is
            // found, immediately go back to looking at every byte.
            let mut skip: u32 = 32;
            let mut candidate;
            let mut found_in_unrolled = false;

            // Step 1: scan forward in the input looking for a 4-byte-long match. First every one of the next 16
            // positions, with an immediate literal when one matches.
            'unrolled: {
                if ip + 16 <= ip_limit {
                    let delta = ip;
                    for j in 0..4 {
                        for k in 0..4 {
                            let i = 4 * j + k;
                            let dword = if i == 0 { preload } else { data as u32 };
                            let entry = hash_bytes(dword, mask);
                            candidate = table[entry] as usize;
                            table[entry] = (delta + i) as u16;
                            if load32(input, candidate) == dword {
                                // A literal of the i + 1 bytes before the match (16 bytes are copied; the rest is
                                // overwritten next).
                                output[op] = LITERAL | ((i as u8) << 2);
                                copy16(output, op + 1, input, next_emit);
                                ip += i;
                                op += i + 2;
                                found_in_unrolled = true;
                                break 'unrolled;
                            }
                            data >>= 8;
                        }
                        data = load64(input, ip + 4 * j + 4);
                    }
                    ip += 16;
                    skip += 16;
                }
                // Then with growing steps.
                loop {
                    let entry = hash_bytes(data as u32, mask);
                    let bytes_between_hash_lookups = (skip >> 5) as usize;
                    skip += skip >> 5;
                    let next_ip = ip + bytes_between_hash_lookups;
                    if next_ip > ip_limit {
                        ip = next_emit;
                        break 'outer;
                    }
                    candidate = table[entry] as usize;
                    table[entry] = ip as u16;
                    if data as u32 == load32(input, candidate) {
                        break;
                    }
                    data = u64::from(load32(input, next_ip));
                    ip = next_ip;
                }
            }

            if !found_in_unrolled {
                // Step 2: a 4-byte match has been found. We'll later see if more than 4 bytes match. But, prior to
                // the match, input bytes [next_emit, ip) are unmatched. Emit them as "literal bytes"; up to 16 of
                // them with one 16-byte copy (the input has 15 bytes of margin here, the output its slack).
                let len = ip - next_emit;
                if len <= 16 {
                    output[op] = LITERAL | (((len - 1) as u8) << 2);
                    copy16(output, op + 1, input, next_emit);
                    op += 1 + len;
                } else {
                    op = emit_literal(output, op, &input[next_emit..ip]);
                }
            }

            // Step 3: call emit_copy, and then see if another emit_copy could be our next move. Repeat until we find
            // no match for the input immediately after what was consumed by the last emit_copy call.
            loop {
                // We have a 4-byte match at ip, and no need to emit any "literal bytes" prior to ip.
                let base = ip;
                let matched = 4 + find_match_length(input, candidate + 4, ip + 4, ip_end);
                ip += matched;
                op = emit_copy(output, op, base - candidate, matched);
                if ip >= ip_limit {
                    break 'outer;
                }
                // We are now looking for a 4-byte match again. We read table[hash(ip)] for that. To improve
                // compression, we also update table[hash(ip - 1)] and table[hash(ip)].
                data = load64(input, ip);
                table[hash_bytes(load32(input, ip - 1), mask)] = (ip - 1) as u16;
                let entry = hash_bytes(data as u32, mask);
                candidate = table[entry] as usize;
                table[entry] = ip as u16;
                if data as u32 != load32(input, candidate) {
                    break;
                }
            }
            // Because the least significant 5 bytes matched, we can use data for the next iteration.
            preload = (data >> 8) as u32;
        }
    }

    // Emit the remaining bytes as a literal.
    if ip < ip_end {
        op = emit_literal(output, op, &input[ip..]);
    }
    op
}

/// The uncompressed length stored at the start of `input`, if it is well formed.
///
/// LevelDB: snappy::GetUncompressedLength
pub fn uncompressed_length(input: &[u8]) -> Option<usize> {
    parse_length(input).map(|(len, _)| len as usize)
}

/// The varint32 of the uncompressed length, and the bytes it takes, as snappy reads it: unlike LevelDB's
/// `GetVarint32`, which drops the bits of a fifth byte that do not fit, snappy refuses a fifth byte above 15.
///
/// LevelDB: snappy::Varint::Parse32WithLimit
fn parse_length(input: &[u8]) -> Option<(u32, usize)> {
    let (len, n) = decode_varint32(input)?;
    (n < 5 || input[4] < 16).then_some((len, n))
}

/// The capacity `uncompress` needs in its output for `input`: the uncompressed length stored at its start, and
/// the decoder's slack. `None` if the length is not well formed, or more than `input` can expand to (then
/// `uncompress` rejects it without allocating, and so must the caller that sizes a buffer with this).
pub fn uncompress_capacity(input: &[u8]) -> Option<usize> {
    uncompressed_length(input)
        .filter(|&len| plausible_length(len, input))
        .map(|len| len + DECODE_SLACK)
}

/// Whether `input` could expand to `len` bytes: an element expands at most 64 bytes from 3 (a copy with a two-byte
/// offset), so a larger claimed length is corruption, refused before anything is allocated for it.
fn plausible_length(len: usize, input: &[u8]) -> bool {
    len <= input.len().saturating_mul(22)
}

/// Bytes the decoder may write past an element: short literals and copies are moved 16 or 64 bytes at a time (a
/// fixed-size move, where a call to `memcpy` per element would cost more than the copy), and the bytes past the
/// element are written over by the next one or lie past the final length.
const DECODE_SLACK: usize = 64;

/// Uncompresses `input`, replacing the contents of `output` (whose allocation is reused); false if `input` is not
/// well-formed snappy, and `output` is then empty. Never reads or writes out of bounds.
///
/// The output is decoded into `output`'s spare capacity, not into zeroed memory: zeroing it first was a sixth of a
/// random get's instructions. See `decode_elements` for why no uninitialized byte can be read.
///
/// LevelDB: snappy::RawUncompress (port::Snappy_Uncompress)
pub fn uncompress(input: &[u8], output: &mut Vec<u8>) -> bool {
    output.clear();
    let Some((ulen, start)) = parse_length(input) else {
        return false;
    };
    let ulen = ulen as usize;
    if !plausible_length(ulen, input) {
        return false;
    }
    // Room for the whole output and the slack, and no more (`reserve` could double a reused buffer that is a
    // little short): the decoder never writes past it.
    output.reserve_exact(ulen + DECODE_SLACK);
    // A block is usually uncompressed into memory untouched for a long time (the buffer of the block its insert
    // evicts from the cache, see table/block_buffers.rs): ask for all of its lines before the first write waits
    // for one. 4-7% on random reads of a reopened database (8 alternating pairs).
    prefetch_range(output.spare_capacity_mut().as_ptr().cast(), ulen);
    if !decode_elements(
        &input[start..],
        output.spare_capacity_mut().as_mut_ptr().cast(),
        ulen,
    ) {
        return false;
    }
    // SAFETY: `decode_elements` returned true, so it wrote every byte of `output[..ulen]` (its contract), and
    // `ulen` is within the capacity reserved above.
    unsafe { output.set_len(ulen) };
    true
}

/// The `N` bytes of `src` at `at`, loaded at once.
#[inline(always)]
fn chunk<const N: usize>(src: &[u8], at: usize) -> [u8; N] {
    src[at..at + N].try_into().expect("N bytes")
}

/// Copies the `len` bytes at `src` to `dst` (`N <= len <= 2 * N`) with two `N`-byte moves that overlap in the
/// middle: the first `N` bytes and the last `N`. Both are loaded before either is stored.
///
/// # Safety
/// `src[..len]` must be readable and `dst[..len]` writable, and the two ranges must not overlap.
#[inline(always)]
unsafe fn move_ends<const N: usize>(src: *const u8, dst: *mut u8, len: usize) {
    debug_assert!(N <= len && len <= 2 * N);
    // SAFETY: both moves lie within `src[..len]` and `dst[..len]` since `N <= len` (the caller's contract).
    unsafe {
        let head = src.cast::<[u8; N]>().read_unaligned();
        let tail = src.add(len - N).cast::<[u8; N]>().read_unaligned();
        dst.cast::<[u8; N]>().write_unaligned(head);
        dst.add(len - N).cast::<[u8; N]>().write_unaligned(tail);
    }
}

/// Decodes the elements of a snappy stream (after its length) into the `ulen + DECODE_SLACK` writable bytes at
/// `out`. True if the elements are well formed and make exactly `ulen` bytes; then every byte of `out[..ulen]` has
/// been written.
///
/// The invariant that makes the raw writes and reads sound: `op` counts the bytes written so far, every byte of
/// `out[..op]` has been written, and `op <= ulen`.
/// - Writes: an element is accepted only if `op + len <= ulen`, and writes at most `max(len, 64)` bytes at `op`,
///   so never past `ulen + DECODE_SLACK`. Bytes written past `op + len` are slack: `op` moves to `op + len` only.
/// - Reads of the output (copies): a copy is accepted only if `0 < offset <= op`, and reads from `src = op -
///   offset` at most `offset` bytes at a time (64 only when `offset >= 64`, 16 only when `offset >= 16`), so
///   every byte read lies in `out[..op]`, written before; the source and destination never overlap. A copy that
///   lies within the last literal's bytes reads them from the input instead, `len` bytes exactly.
/// - Reads of the input go through bounds-checked slices.
///
/// Nothing else reads `out` while this runs (the caller holds the `Vec` mutably), and on `false` the caller
/// leaves the `Vec`'s length at 0, so no byte written here, nor any unwritten one, is ever exposed.
fn decode_elements(input: &[u8], out: *mut u8, ulen: usize) -> bool {
    let mut op = 0;
    let mut ip = 0;
    // The last literal: its first byte's place in the output and in the input, and its length. Its bytes are the
    // same in both; see the copy below.
    let (mut literal_op, mut literal_ip, mut literal_len) = (0, 0, 0);
    while ip < input.len() {
        let tag = input[ip];
        ip += 1;
        if tag & 3 == LITERAL {
            let mut len = (tag >> 2) as usize + 1;
            if len > 60 {
                // The length (minus one) is in the next 1-4 bytes.
                let extra = len - 60;
                let Some(bytes) = input.get(ip..ip + extra) else {
                    return false;
                };
                // In 32 bits, as snappy adds the one: a length of 0xffffffff wraps to an empty literal, which
                // snappy accepts.
                let minus_one = bytes
                    .iter()
                    .rev()
                    .fold(0u32, |v, &b| (v << 8) | u32::from(b));
                len = minus_one.wrapping_add(1) as usize;
                ip += extra;
            }
            if len > ulen - op {
                return false;
            }
            if len <= 16 && ip + 16 <= input.len() {
                // SAFETY: `op + 16 <= ulen + DECODE_SLACK` (above), and the writes are the caller's alone.
                unsafe {
                    out.add(op)
                        .cast::<[u8; 16]>()
                        .write_unaligned(chunk(input, ip))
                };
            } else if len <= 64 && ip + 64 <= input.len() {
                // SAFETY: `op + 64 <= ulen + DECODE_SLACK`, as above.
                unsafe {
                    out.add(op)
                        .cast::<[u8; 64]>()
                        .write_unaligned(chunk(input, ip))
                };
            } else {
                let Some(src) = input.get(ip..ip + len) else {
                    return false;
                };
                // SAFETY: `op + len <= ulen` (above); `src` is the input, which cannot overlap the output (the
                // output is borrowed mutably by the caller).
                unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), out.add(op), len) };
            }
            (literal_op, literal_ip, literal_len) = (op, ip, len);
            ip += len;
            op += len;
        } else {
            let (len, offset) = match tag & 3 {
                COPY_1_BYTE_OFFSET => {
                    let Some(&b) = input.get(ip) else {
                        return false;
                    };
                    ip += 1;
                    (
                        4 + ((tag >> 2) & 7) as usize,
                        ((tag as usize >> 5) << 8) | b as usize,
                    )
                }
                COPY_2_BYTE_OFFSET => {
                    let Some(b) = input.get(ip..ip + 2) else {
                        return false;
                    };
                    ip += 2;
                    (
                        1 + (tag >> 2) as usize,
                        u16::from_le_bytes([b[0], b[1]]) as usize,
                    )
                }
                _ => {
                    let Some(b) = input.get(ip..ip + 4) else {
                        return false;
                    };
                    ip += 4;
                    (
                        1 + (tag >> 2) as usize,
                        u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize,
                    )
                }
            };
            if offset == 0 || offset > op || len > ulen - op {
                return false;
            }
            // SAFETY (all arms): `0 < offset <= op` so `src..op` is written output; each move reads at most
            // `offset` bytes from `src` (within `out[..op]`) and writes at `op`, at most 64 bytes, within
            // `ulen + DECODE_SLACK` since `op + len <= ulen`. Source and destination do not overlap.
            let src = unsafe { out.add(op - offset) };
            let dst = unsafe { out.add(op) };
            let from = op - offset;
            if from >= literal_op && from + len <= literal_op + literal_len && len >= 4 {
                // A copy of bytes of the last literal (db_bench's values repeat their first half) reads them from
                // the input, where the literal came from: the output's bytes were stored a moment ago, and a load
                // that spans two of those stores waits until they reach the cache (no store-to-load forwarding).
                // That wait was two fifths of the time of uncompressing db_bench's blocks.
                // The literal was read from `input[literal_ip..literal_ip + literal_len]`, so this is in bounds.
                let src = input[literal_ip + (from - literal_op)..].as_ptr();
                // SAFETY: the `len` bytes at `src` are the literal's input (`from - literal_op + len <=
                // literal_len`), and the writes stay within `dst[..len]`, as above; input and output are apart.
                unsafe {
                    match len {
                        32.. => move_ends::<32>(src, dst, len),
                        16.. => move_ends::<16>(src, dst, len),
                        8.. => move_ends::<8>(src, dst, len),
                        _ => move_ends::<4>(src, dst, len),
                    }
                }
            } else if offset >= 64 {
                // Copies are at most 64 bytes long: one 64-byte move, of which `len` bytes count.
                unsafe {
                    dst.cast::<[u8; 64]>()
                        .write_unaligned(src.cast::<[u8; 64]>().read_unaligned())
                };
            } else if offset >= 16 && len <= 16 {
                unsafe {
                    dst.cast::<[u8; 16]>()
                        .write_unaligned(src.cast::<[u8; 16]>().read_unaligned())
                };
            } else if offset >= len && len >= 16 {
                // 16..=64 bytes that do not overlap their copy (db_bench's values repeat 50 bytes at offset 50):
                // two moves of a power of two, one from each end, loaded before either is stored, instead of a
                // call to `memcpy`. Both read within `src[..len]` and write within `dst[..len]`.
                if len >= 32 {
                    unsafe { move_ends::<32>(src, dst, len) };
                } else {
                    unsafe { move_ends::<16>(src, dst, len) };
                }
            } else if offset >= len {
                unsafe { std::ptr::copy_nonoverlapping(src, dst, len) };
            } else {
                // The ranges overlap: a pattern of `offset` bytes repeats. Copy it, doubling what is copied each
                // round, so that every round reads only bytes already written: after `done` bytes, the
                // `offset + done` bytes from `src` are written, and the round copies no more of them.
                let mut done = 0;
                while done < len {
                    let n = (len - done).min(offset + done);
                    unsafe { std::ptr::copy_nonoverlapping(src, dst.add(done), n) };
                    done += n;
                }
            }
            op += len;
        }
    }
    op == ulen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::random::Random;

    fn decompress(compressed: &[u8]) -> Vec<u8> {
        // Into a buffer that held other bytes before: they are replaced.
        let mut output = b"earlier contents".to_vec();
        assert!(uncompress(compressed, &mut output), "a valid snappy stream");
        assert_eq!(Some(output.len()), uncompressed_length(compressed));
        output
    }

    fn check_round_trip(input: &[u8]) -> usize {
        let mut compressed = Vec::new();
        compress(input, &mut compressed);
        assert!(compressed.len() <= max_compressed_length(input.len()));
        assert_eq!(
            decompress(&compressed),
            input,
            "round trip of {} bytes",
            input.len()
        );
        compressed.len()
    }

    /// A length whose fifth varint byte has bits past the 32nd: snappy refuses it (LevelDB's varint would drop
    /// them and read an empty stream; found by the snappy_decompress fuzz target against C++ snappy).
    #[test]
    fn a_length_longer_than_32_bits_is_refused_as_in_snappy() {
        let mut out = Vec::new();
        assert!(!uncompress(&[0x80, 0x80, 0x80, 0x80, 0x20], &mut out));
        assert_eq!(uncompressed_length(&[0x80, 0x80, 0x80, 0x80, 0x20]), None);
        // Four bits in the fifth byte are a length snappy reads (too long for these bytes, so refused later).
        assert_eq!(
            uncompressed_length(&[0x80, 0x80, 0x80, 0x80, 0x0f]),
            Some(0xf000_0000)
        );
    }

    /// A long literal's length minus one of 0xffffffff: snappy adds the one in 32 bits, so the literal is empty and
    /// the stream valid (found by the snappy_decompress fuzz target against C++ snappy).
    #[test]
    fn a_literal_length_that_wraps_is_empty_as_in_snappy() {
        let stream = [1, 252, 0xff, 0xff, 0xff, 0xff, 0, b'x'];
        assert_eq!(decompress(&stream), b"x");
    }

    #[test]
    fn small_inputs_and_literals() {
        for len in 0..100 {
            let input: Vec<u8> = (0..len as u8).collect();
            check_round_trip(&input);
        }
        // Known encodings: the empty input, a short literal, a long literal (two length bytes).
        let mut out = Vec::new();
        compress(b"", &mut out);
        assert_eq!(out, [0]);
        compress(b"abc", &mut out);
        assert_eq!(out, [3, 2 << 2, b'a', b'b', b'c']);
        // 300 bytes that repeat after 251: a long literal first (its length in one extra byte), then copies.
        let long: Vec<u8> = (0..300u32).map(|i| (i * 7 % 251) as u8).collect();
        compress(&long, &mut out);
        assert_eq!(&out[..3], &[0xac, 0x02, 60 << 2]);
        check_round_trip(&long);
    }

    #[test]
    fn repetitive_inputs_compress() {
        let input = vec![b'y'; 100000];
        let size = check_round_trip(&input);
        assert!(size < 5000, "{size}");
        let text = b"the quick brown fox jumps over the lazy dog; ".repeat(2000);
        assert!(check_round_trip(&text) < text.len() / 10);
    }

    quickcheck::quickcheck! {
        fn round_trips(seed: u32, len: u16, alphabet: u8) -> bool {
            // Random data over a small alphabet (compressible) or the full byte range.
            let mut rnd = Random::new(seed);
            let alphabet = u32::from(alphabet.max(1));
            let input: Vec<u8> = (0..len).map(|_| rnd.uniform(alphabet) as u8).collect();
            check_round_trip(&input);
            true
        }
    }

    #[test]
    fn malformed_input_is_refused_without_panicking() {
        let mut out = Vec::new();
        // A copy before anything was written (tag 0b01: 4 bytes at offset 1), a zero offset, a literal running
        // off the end, lengths that do not match, a claimed length of 4 GiB (refused before allocating).
        assert!(!uncompress(&[4, 0b0000_0001, 1], &mut out));
        assert!(!uncompress(&[8, 0, b'a', 1, 0], &mut out));
        assert!(!uncompress(&[3, 4 << 2, b'a'], &mut out));
        assert!(!uncompress(&[5, 0, b'a'], &mut out));
        assert!(!uncompress(&[1, 4 << 2, b'a', b'b'], &mut out));
        assert!(!uncompress(&[200], &mut out));
        assert!(!uncompress(&[0xff, 0xff, 0xff, 0xff, 0x0f, 0], &mut out));
        assert!(out.capacity() < 1 << 20);
        let mut rnd = Random::new(7);
        let mut compressed = Vec::new();
        compress(
            &b"hello hello hello hello hello world".repeat(20),
            &mut compressed,
        );
        for _ in 0..20000 {
            let mut bad = compressed.clone();
            for _ in 0..1 + rnd.uniform(3) {
                let i = rnd.uniform(bad.len() as u32) as usize;
                bad[i] = rnd.next() as u8;
            }
            bad.truncate(rnd.uniform(bad.len() as u32 + 1) as usize);
            let _ = uncompress(&bad, &mut out);
        }
    }

    /// A decoder as plain as can be, one byte at a time into a `Vec` (no slack, no `unsafe`): the oracle for the
    /// decoder above, which must accept exactly the same streams and produce exactly the same bytes.
    fn reference_uncompress(input: &[u8]) -> Option<Vec<u8>> {
        let (ulen, mut ip) = parse_length(input)?;
        let ulen = ulen as usize;
        let mut out = Vec::new();
        while ip < input.len() {
            let tag = input[ip];
            ip += 1;
            let (len, offset) = match tag & 3 {
                LITERAL => {
                    let mut len = (tag >> 2) as usize + 1;
                    if len > 60 {
                        let extra = input.get(ip..ip + len - 60)?;
                        ip += extra.len();
                        // The one added in 32 bits, as snappy adds it.
                        let minus_one = extra
                            .iter()
                            .rev()
                            .fold(0u32, |v, &b| (v << 8) | u32::from(b));
                        len = minus_one.wrapping_add(1) as usize;
                    }
                    out.extend_from_slice(input.get(ip..ip + len)?);
                    ip += len;
                    (0, 0)
                }
                COPY_1_BYTE_OFFSET => {
                    let b = *input.get(ip)? as usize;
                    ip += 1;
                    (
                        4 + ((tag >> 2) & 7) as usize,
                        ((tag as usize >> 5) << 8) | b,
                    )
                }
                COPY_2_BYTE_OFFSET => {
                    let b = input.get(ip..ip + 2)?;
                    ip += 2;
                    (
                        1 + (tag >> 2) as usize,
                        u16::from_le_bytes([b[0], b[1]]) as usize,
                    )
                }
                _ => {
                    let b = input.get(ip..ip + 4)?;
                    ip += 4;
                    (
                        1 + (tag >> 2) as usize,
                        u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize,
                    )
                }
            };
            if len > 0 {
                if offset == 0 || offset > out.len() {
                    return None;
                }
                for _ in 0..len {
                    out.push(out[out.len() - offset]);
                }
            }
            if out.len() > ulen {
                return None;
            }
        }
        (out.len() == ulen).then_some(out)
    }

    /// Decodes `input` into a buffer whose allocation is full of other bytes (`0xee`), and checks the answer
    /// against the reference decoder: a byte below the final length that the decoder failed to write would show
    /// as a stale `0xee` where the reference has another byte, and a failure must leave the output empty.
    fn check_against_reference(input: &[u8], output: &mut Vec<u8>) -> bool {
        output.clear();
        output.resize(output.capacity().max(4096), 0xee);
        let ok = uncompress(input, output);
        match reference_uncompress(input) {
            Some(expected) => {
                assert!(ok, "a stream the reference accepts: {input:?}");
                assert_eq!(*output, expected, "{input:?}");
            }
            None => {
                assert!(!ok, "a stream the reference refuses: {input:?}");
                assert!(output.is_empty(), "a refused stream exposes nothing");
            }
        }
        ok
    }

    /// Valid streams of compressible and random data, then copies of them with a few bytes changed, cut short,
    /// or with the stated length off by a little (lengths that lie).
    fn streams_and_corruptions(seed: u32) -> Vec<Vec<u8>> {
        let mut rnd = Random::new(seed);
        let mut streams = Vec::new();
        for round in 0..8 {
            let alphabet = [2, 4, 256, 3][round % 4];
            let len = rnd.uniform(3000) as usize;
            let input: Vec<u8> = (0..len).map(|_| rnd.uniform(alphabet) as u8).collect();
            let mut compressed = Vec::new();
            compress(&input, &mut compressed);
            let (ulen, start) = decode_varint32(&compressed).unwrap();
            for delta in [1u32, 2, 64] {
                for lie in [ulen.wrapping_sub(delta), ulen + delta] {
                    let mut lying = Vec::new();
                    crate::util::coding::put_varint32(&mut lying, lie);
                    lying.extend_from_slice(&compressed[start..]);
                    streams.push(lying);
                }
            }
            for _ in 0..20 {
                let mut bad = compressed.clone();
                for _ in 0..1 + rnd.uniform(3) {
                    let i = rnd.uniform(bad.len() as u32) as usize;
                    bad[i] = rnd.next() as u8;
                }
                if rnd.one_in(2) {
                    bad.truncate(rnd.uniform(bad.len() as u32 + 1) as usize);
                }
                streams.push(bad);
            }
            streams.push(compressed);
        }
        streams
    }

    quickcheck::quickcheck! {
        fn agrees_with_the_reference_decoder(seed: u32, garbage: Vec<u8>) -> bool {
            let mut output = Vec::new();
            check_against_reference(&garbage, &mut output);
            for stream in streams_and_corruptions(seed) {
                check_against_reference(&stream, &mut output);
            }
            true
        }
    }

    #[test]
    fn overlapping_copies_repeat_their_pattern() {
        // "abc", then a copy of 60 bytes at offset 3 (tag 0b10, length-1 in the top six bits, two-byte offset),
        // then a copy of 11 bytes at offset 1 (tag 0b01).
        let stream = [
            74,
            2 << 2,
            b'a',
            b'b',
            b'c',
            (59 << 2) | 2,
            3,
            0,
            (7 << 2) | 1,
            1,
        ];
        let mut output = Vec::new();
        assert!(check_against_reference(&stream, &mut output));
        let mut expected = b"abc".repeat(21);
        expected.extend_from_slice(&[b'c'; 11]);
        assert_eq!(output, expected);
    }

    #[test]
    fn copies_of_every_length_at_every_short_offset() {
        // A literal of 64 distinct bytes, then one copy of `len` bytes at `offset`: every pair the decoder treats
        // apart (ends moved as two overlapping chunks, overlapping patterns, one 16- or 64-byte move) up to 64.
        let literal: Vec<u8> = (1..=64).collect();
        let mut output = Vec::new();
        for len in 1..=64usize {
            for offset in 1..=64usize {
                let mut stream = Vec::new();
                crate::util::coding::put_varint32(&mut stream, (64 + len) as u32);
                stream.extend_from_slice(&[60 << 2, 63]); // A literal of 64 bytes (its length-1 in one byte).
                stream.extend_from_slice(&literal);
                stream.extend_from_slice(&[((len as u8 - 1) << 2) | 2, offset as u8, 0]);
                assert!(check_against_reference(&stream, &mut output));
                assert_eq!(output.len(), 64 + len, "len {len} offset {offset}");
            }
        }
    }

    #[test]
    fn copies_within_across_and_before_the_last_literal() {
        // 32 bytes of a first literal, a second literal of 1 to 24 bytes, then a copy of every length at every
        // offset that reaches back into the output: within the second literal (read from the input), across the
        // two, within the first, overlapping what it writes.
        let mut output = Vec::new();
        for second in 1..=24usize {
            for len in 1..=64usize {
                for offset in 1..=32 + second {
                    let mut stream = Vec::new();
                    crate::util::coding::put_varint32(&mut stream, (32 + second + len) as u32);
                    stream.push(31 << 2);
                    stream.extend(1..=32u8);
                    stream.push(((second as u8) - 1) << 2);
                    stream.extend((0..second as u8).map(|b| 100 + b));
                    stream.extend_from_slice(&[((len as u8 - 1) << 2) | 2, offset as u8, 0]);
                    assert!(check_against_reference(&stream, &mut output), "{second} {len} {offset}");
                }
            }
        }
    }

    #[test]
    fn concurrent_decoding_into_reused_buffers() {
        // Each thread decodes the same streams into its own buffer, reused from one stream to the next so that
        // its spare capacity holds the bytes of earlier outputs: every answer must still match the reference.
        let streams = streams_and_corruptions(99);
        let valid = streams
            .iter()
            .filter(|s| reference_uncompress(s).is_some())
            .count();
        assert!(valid >= 8, "{valid}");
        std::thread::scope(|scope| {
            for t in 0..4 {
                let streams = &streams;
                scope.spawn(move || {
                    let mut output = Vec::new();
                    for round in 0..20 {
                        for stream in streams.iter().skip((t + round) % 3) {
                            check_against_reference(stream, &mut output);
                        }
                    }
                });
            }
        });
    }

    #[test]
    fn large_inputs_span_fragments() {
        let mut rnd = Random::new(301);
        let input: Vec<u8> = (0..300_000)
            .map(|i| {
                if i % 1000 < 500 {
                    rnd.uniform(4) as u8
                } else {
                    b'x'
                }
            })
            .collect();
        check_round_trip(&input);
    }

    /// Found by the fuzz target `table` (fuzz/regressions/table/): a snappy block whose header claims 100 MB had
    /// the table reader allocate 100 MB (sized by `uncompress_capacity`) before `uncompress` refused it.
    #[test]
    fn a_claimed_length_past_what_the_input_can_expand_to_sizes_no_buffer() {
        let mut claim = Vec::new();
        crate::util::coding::put_varint32(&mut claim, 100 << 20);
        claim.extend_from_slice(&[0; 16]);
        assert_eq!(uncompress_capacity(&claim), None);
        assert!(!uncompress(&claim, &mut Vec::new()));
        // The longest expansion there is, a copy of 64 bytes from a 3-byte element, stays within the bound.
        let stream = [65, 0, b'a', 0xfe, 1, 0];
        assert_eq!(uncompress_capacity(&stream), Some(65 + DECODE_SLACK));
        assert_eq!(decompress(&stream), [b'a'; 65]);
    }
}
