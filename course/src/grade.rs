//! How a test says what differs: the first differing byte, with its meaning in the format's words
//! ("block 2 (data), restart array, restart 3, offset 4090: expected 0x1a, got 0x1b").

/// Panics, naming the first byte where `got` differs from `expected` (what LevelDB wrote), unless they are the
/// same. `what` names the bytes ("000005.ldb"); `describe` says what is at an offset of `expected`.
#[track_caller]
pub fn assert_same_bytes(
    what: &str,
    expected: &[u8],
    got: &[u8],
    describe: impl Fn(u64) -> String,
) {
    if let Some(message) = first_difference(expected, got, describe) {
        panic!("{what}: {message}");
    }
}

/// The first difference between `expected` and `got`, described; `None` if they are the same bytes.
pub fn first_difference(
    expected: &[u8],
    got: &[u8],
    describe: impl Fn(u64) -> String,
) -> Option<String> {
    let same = expected.iter().zip(got).take_while(|(a, b)| a == b).count();
    match (expected.get(same), got.get(same)) {
        (None, None) => None,
        (Some(e), Some(g)) => Some(format!(
            "{}: expected {e:#04x}, got {g:#04x}",
            describe(same as u64)
        )),
        (Some(e), None) => Some(format!(
            "{}: expected {e:#04x}, got the end ({} bytes where LevelDB wrote {})",
            describe(same as u64),
            got.len(),
            expected.len()
        )),
        (None, Some(g)) => Some(format!(
            "offset {same}: expected the end ({} bytes), got {g:#04x} and more ({} bytes)",
            expected.len(),
            got.len()
        )),
    }
}

/// Shows bytes as a learner reads them in a message: printable ASCII as is, the rest as `\xNN`.
pub fn escape(bytes: &[u8]) -> String {
    bytes
        .iter()
        .flat_map(|&b| std::ascii::escape_default(b))
        .map(char::from)
        .collect()
}
