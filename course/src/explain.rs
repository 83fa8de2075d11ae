//! What is at a byte offset of a log, a write batch, a version edit or a block: the small explainers the tests
//! use to say where a learner's bytes first differ from LevelDB's. (A whole table is explained by the engine's
//! `oxleveldb::table::layout`.)
//!
//! Invariant: each explainer walks the format from its start, the way its reader does, and names the field that
//! holds the offset; on bytes it cannot parse it says where the parse stopped.

use oxleveldb::table::layout::block_entries;
use oxleveldb::util::coding::{decode_varint32, decode_varint64};

/// Offset `offset` of a log: its block, the physical record, and the header field or payload byte.
///
/// LevelDB: log::Reader::ReadPhysicalRecord
pub fn log_offset(log: &[u8], offset: u64) -> String {
    const BLOCK: u64 = 32768;
    let mut pos = 0u64;
    let mut record = 0;
    while pos < log.len() as u64 {
        let block_end = (pos / BLOCK + 1) * BLOCK;
        if block_end - pos < 7 {
            if offset < block_end {
                return format!(
                    "log block {}, zero padding at the block's end, offset {offset}",
                    pos / BLOCK
                );
            }
            pos = block_end;
            continue;
        }
        let at = pos as usize;
        let length = log
            .get(at + 4..at + 6)
            .map_or(0, |l| u16::from_le_bytes([l[0], l[1]])) as u64;
        let kind = match log.get(at + 6) {
            Some(1) => "FULL",
            Some(2) => "FIRST",
            Some(3) => "MIDDLE",
            Some(4) => "LAST",
            _ => "of an unknown type",
        };
        let end = pos + 7 + length;
        if offset < end {
            let field = match offset - pos {
                0..=3 => format!("header, masked crc32c byte {}", offset - pos),
                4 | 5 => "header, length".to_string(),
                6 => "header, type".to_string(),
                n => format!("payload byte {}", n - 7),
            };
            return format!(
                "log block {}, physical record {record} ({kind}, {length} bytes), {field}, offset {offset}",
                pos / BLOCK
            );
        }
        pos = end;
        record += 1;
    }
    format!(
        "offset {offset}, past the end of the log ({} bytes)",
        log.len()
    )
}

/// Offset `offset` of a write batch's contents (`rep_`): the header's sequence or count, or a record's tag, key
/// or value.
///
/// LevelDB: WriteBatch::Iterate
pub fn batch_offset(rep: &[u8], offset: u64) -> String {
    let offset = offset as usize;
    if offset < 8 {
        return format!("header, sequence number (fixed64) byte {offset}");
    }
    if offset < 12 {
        return format!("header, count (fixed32) byte {}", offset - 8);
    }
    let mut pos = 12;
    let mut record = 0;
    while pos < rep.len() {
        let tag = rep[pos];
        let (kind, slices) = match tag {
            1 => ("put", ["key", "value"].as_slice()),
            0 => ("delete", ["key"].as_slice()),
            _ => return format!("record {record}, unknown tag {tag:#04x}, offset {offset}"),
        };
        let at = |field: String| format!("record {record} ({kind}), {field}, offset {offset}");
        if offset == pos {
            return at("tag".to_string());
        }
        pos += 1;
        for name in slices {
            let Some((length, n)) = decode_varint32(&rep[pos..]) else {
                return at(format!("{name} length (a bad varint)"));
            };
            if offset < pos + n {
                return at(format!("{name} length (varint32)"));
            }
            pos += n;
            if offset < pos + length as usize {
                return at(format!("{name} byte {}", offset - pos));
            }
            pos += length as usize;
        }
        record += 1;
    }
    format!(
        "offset {offset}, past the end of the batch ({} bytes)",
        rep.len()
    )
}

/// Offset `offset` of an encoded version edit: the field (by its tag) and the part of it.
///
/// LevelDB: VersionEdit::DecodeFrom
pub fn edit_offset(edit: &[u8], offset: u64) -> String {
    let offset = offset as usize;
    let mut pos = 0;
    let mut field = 0;
    while pos < edit.len() {
        let Some((tag, n)) = decode_varint32(&edit[pos..]) else {
            return format!("field {field}, a bad tag varint, offset {offset}");
        };
        // Each tag's parts: a varint (v), a length-prefixed slice (s).
        let (name, parts): (&str, &[(&str, char)]) = match tag {
            1 => ("comparator", &[("name", 's')]),
            2 => ("log number", &[("number", 'v')]),
            9 => ("prev log number", &[("number", 'v')]),
            3 => ("next file number", &[("number", 'v')]),
            4 => ("last sequence", &[("sequence", 'v')]),
            5 => ("compact pointer", &[("level", 'v'), ("key", 's')]),
            6 => ("deleted file", &[("level", 'v'), ("number", 'v')]),
            7 => (
                "new file",
                &[
                    ("level", 'v'),
                    ("number", 'v'),
                    ("file size", 'v'),
                    ("smallest key", 's'),
                    ("largest key", 's'),
                ],
            ),
            _ => ("unknown tag", &[]),
        };
        let at =
            |part: String| format!("field {field} (tag {tag}, {name}), {part}, offset {offset}");
        if offset < pos + n {
            return at("tag (varint32)".to_string());
        }
        pos += n;
        for (part, kind) in parts {
            let Some((value, n)) = decode_varint64(&edit[pos..]) else {
                return at(format!("{part} (a bad varint)"));
            };
            if offset < pos + n {
                let what = if *kind == 's' {
                    "length, varint32"
                } else {
                    "varint"
                };
                return at(format!("{part} ({what})"));
            }
            pos += n;
            if *kind == 's' {
                if offset < pos + value as usize {
                    return at(format!("{part}, byte {}", offset - pos));
                }
                pos += value as usize;
            }
        }
        field += 1;
    }
    format!(
        "offset {offset}, past the end of the edit ({} bytes)",
        edit.len()
    )
}

/// Offset `offset` of a block's contents (entries, restart array, restart count).
///
/// LevelDB: Block::Iter
pub fn block_offset(contents: &[u8], offset: u64) -> String {
    let offset = offset as usize;
    let Ok((entries, restarts)) = block_entries(contents) else {
        return format!("offset {offset} of a block that does not parse");
    };
    let count_at = contents.len() - 4;
    let restart_array = count_at - 4 * restarts.len();
    if offset >= contents.len() {
        format!(
            "offset {offset}, past the end of the block ({} bytes)",
            contents.len()
        )
    } else if offset >= count_at {
        format!("restart count (fixed32), offset {offset}")
    } else if offset >= restart_array {
        format!(
            "restart array, restart {} (fixed32), offset {offset}",
            (offset - restart_array) / 4
        )
    } else {
        let n = entries.partition_point(|e| e.offset <= offset) - 1;
        let entry = &entries[n];
        let restart = if entry.shared == 0 {
            ", a restart point"
        } else {
            ""
        };
        format!(
            "entry {n}{restart} ({}), offset {offset}",
            entry.describe(offset - entry.offset)
        )
    }
}
