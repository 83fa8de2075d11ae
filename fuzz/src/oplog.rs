//! Target `oplog`: the input is the text of a differential operation log (docs/oplog.md), parsed by
//! `OpLog::parse`, as `oxldb diff --replay` parses a file it is given.
//!
//! Oracles: no panic; bounded allocation (`rand(LEN,SEED)` is kept as a length, not made); an error names its
//! line; a parsed log prints as canonical text that parses back to the same log (the module's invariant).

use leveldb_differential::OpLog;

use super::alloc_bound;

/// The target's body.
pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = alloc_bound::within(
        "OpLog::parse",
        alloc_bound::reader_limit(data.len()),
        || OpLog::parse(text),
    );
    let log = match parsed {
        Ok(log) => log,
        Err(e) => {
            assert!(e.starts_with("line "), "a parse error names no line: {e}");
            return;
        }
    };
    let _ = log.check();
    let printed = log.to_string();
    let again = OpLog::parse(&printed).expect("a printed log parses");
    assert_eq!(again, log, "a log changed through print and parse");
    assert_eq!(again.to_string(), printed, "a printed log is not canonical");
}
