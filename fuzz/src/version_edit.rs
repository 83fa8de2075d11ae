//! Target `version_edit`: the input is one MANIFEST record, decoded as a VersionEdit (db/version_edit.cc).
//!
//! Oracles: no panic; bounded allocation; an error is one of LevelDB's; a decoded edit encodes to bytes that decode
//! to the same edit (its `DebugString`), and that encoding is canonical (encoding it again gives it again).

use oxleveldb::db::version_edit::VersionEdit;

use super::{alloc_bound, messages};

/// The target's body.
pub fn run(data: &[u8]) {
    let limit = alloc_bound::reader_limit(data.len());
    let edit = match alloc_bound::within("VersionEdit::DecodeFrom", limit, || {
        VersionEdit::decode_from(data)
    }) {
        Ok(edit) => edit,
        Err(e) => return messages::check("VersionEdit::DecodeFrom", &e, messages::VERSION_EDIT),
    };
    let mut encoded = Vec::new();
    edit.encode_to(&mut encoded);
    let again = VersionEdit::decode_from(&encoded).expect("an encoded edit decodes");
    assert_eq!(
        again.debug_string(),
        edit.debug_string(),
        "an edit changed through encode and decode"
    );
    let mut reencoded = Vec::new();
    again.encode_to(&mut reencoded);
    assert_eq!(reencoded, encoded, "an edit's encoding is not canonical");
}
