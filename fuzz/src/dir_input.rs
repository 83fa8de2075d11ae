//! A database directory as fuzz input: the files, one after another, each a name and its contents.
//!
//! Each file is a name byte, a varint32 length and that many bytes of contents (fewer if the input ends first).
//! A name byte below 0xff picks one of [`NAMES`]; 0xff is followed by a length byte and the name itself, so that
//! a seed can carry a real database's file names (its MANIFEST names its tables by number). A later file of the
//! same name replaces an earlier one.
//!
//! Invariant: `decode(&encode(files)) == files` for names that are valid file names and have no duplicates.

use oxleveldb::util::coding::{get_varint32, put_varint32};

/// The names a name byte picks from: what a small database's directory holds.
pub const NAMES: &[&str] = &[
    "CURRENT",
    "MANIFEST-000001",
    "MANIFEST-000002",
    "000003.log",
    "000004.ldb",
    "000005.ldb",
    "000006.log",
    "000007.sst",
    "MANIFEST-000008",
    "000009.log",
    "000010.ldb",
    "LOCK",
    "LOG",
    "CURRENT.dbtmp",
];

const LITERAL: u8 = 0xff;

/// A file name an input may give: a plain name in the directory, nothing that leaves it.
fn valid_name(name: &[u8]) -> bool {
    !name.is_empty()
        && name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
        && name != b"."
        && name != b".."
}

/// The files of an input, in order, later ones replacing earlier ones of the same name.
pub fn decode(mut input: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    while let Some((&selector, rest)) = input.split_first() {
        input = rest;
        let name = if selector == LITERAL {
            let Some((&len, rest)) = input.split_first() else {
                break;
            };
            let (name, rest) = rest.split_at((len as usize).min(rest.len()));
            input = rest;
            if !valid_name(name) {
                continue;
            }
            String::from_utf8(name.to_vec()).expect("valid names are ASCII")
        } else {
            NAMES[selector as usize % NAMES.len()].to_string()
        };
        let len = get_varint32(&mut input).unwrap_or(0) as usize;
        let (contents, rest) = input.split_at(len.min(input.len()));
        input = rest;
        files.retain(|(existing, _)| *existing != name);
        files.push((name, contents.to_vec()));
    }
    files
}

/// The input that decodes to `files`.
pub fn encode(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, contents) in files {
        match NAMES.iter().position(|n| n == name) {
            Some(i) => out.push(i as u8),
            None => {
                out.push(LITERAL);
                out.push(name.len() as u8);
                out.extend_from_slice(name.as_bytes());
            }
        }
        put_varint32(&mut out, contents.len() as u32);
        out.extend_from_slice(contents);
    }
    out
}
