//! Printing helpers for logs, dumps and debug strings: numbers in decimal and byte strings with the unprintable
//! bytes escaped.
//!
//! The escaping is LevelDB's: bytes from `' '` to `'~'` are printed as they are, every other byte as `\xNN` with
//! two lowercase hex digits. `leveldbutil dump` output depends on it byte for byte.

use std::fmt::Write;

/// Appends the decimal form of `num` to `dst`.
///
/// LevelDB: AppendNumberTo
pub fn append_number_to(dst: &mut String, num: u64) {
    // Writing into a String cannot fail.
    let _ = write!(dst, "{num}");
}

/// Appends `value` to `dst`, escaping every byte outside `' '..='~'` as `\xNN`.
///
/// LevelDB: AppendEscapedStringTo
pub fn append_escaped_string_to(dst: &mut String, value: &[u8]) {
    for &c in value {
        if (b' '..=b'~').contains(&c) {
            dst.push(c as char);
        } else {
            let _ = write!(dst, "\\x{c:02x}");
        }
    }
}

/// LevelDB: NumberToString
#[cfg(any(test, feature = "internals"))] // For the tests and tools.
pub fn number_to_string(num: u64) -> String {
    num.to_string()
}

/// LevelDB: EscapeString
pub fn escape_string(value: &[u8]) -> String {
    let mut r = String::with_capacity(value.len());
    append_escaped_string_to(&mut r, value);
    r
}

/// Parses a decimal number from the front of `input`, advancing it past the digits. Returns `None` when there
/// is no digit or when the number does not fit in a `u64`.
///
/// LevelDB: ConsumeDecimalNumber
pub fn consume_decimal_number(input: &mut &[u8]) -> Option<u64> {
    let digits = input.iter().take_while(|c| c.is_ascii_digit()).count();
    let mut value: u64 = 0;
    for &c in &input[..digits] {
        value = value.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    *input = &input[digits..];
    (digits != 0).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    // LevelDB: Logging.NumberToString
    #[test]
    fn number_to_string_values() {
        assert_eq!(number_to_string(0), "0");
        assert_eq!(number_to_string(1), "1");
        assert_eq!(number_to_string(9), "9");
        assert_eq!(number_to_string(10), "10");
        assert_eq!(number_to_string(11), "11");
        assert_eq!(number_to_string(19), "19");
        assert_eq!(number_to_string(99), "99");
        assert_eq!(number_to_string(100), "100");
        assert_eq!(number_to_string(109), "109");
        assert_eq!(number_to_string(190), "190");
        assert_eq!(number_to_string(123), "123");
        assert_eq!(number_to_string(12345678), "12345678");
        assert_eq!(
            number_to_string(18446744073709551000),
            "18446744073709551000"
        );
        assert_eq!(
            number_to_string(18446744073709551600),
            "18446744073709551600"
        );
        assert_eq!(
            number_to_string(18446744073709551610),
            "18446744073709551610"
        );
        assert_eq!(
            number_to_string(18446744073709551614),
            "18446744073709551614"
        );
        assert_eq!(
            number_to_string(18446744073709551615),
            "18446744073709551615"
        );
    }

    fn consume_round_trip(number: u64, padding: &str) {
        let decimal = number_to_string(number);
        let input = format!("{decimal}{padding}");
        let mut slice = input.as_bytes();
        assert_eq!(consume_decimal_number(&mut slice), Some(number));
        assert_eq!(slice, padding.as_bytes());
    }

    // LevelDB: Logging.ConsumeDecimalNumberRoundtrip
    #[test]
    fn consume_decimal_number_roundtrip() {
        consume_round_trip(0, "");
        consume_round_trip(1, "");
        consume_round_trip(9, "");
        for number in [12345678u64, 18446744073709551614, 18446744073709551615] {
            consume_round_trip(number, "");
        }
        for power in 0..64 {
            let p = 1u64 << power;
            consume_round_trip(p, "");
            consume_round_trip(p - 1, "");
            consume_round_trip(p + 1, "");
        }
    }

    // LevelDB: Logging.ConsumeDecimalNumberRoundtripWithPadding
    #[test]
    fn consume_decimal_number_roundtrip_with_padding() {
        for padding in [" ", "abc", "x", "\0", "\u{7f}"] {
            consume_round_trip(0, padding);
            consume_round_trip(12345678, padding);
            consume_round_trip(18446744073709551615, padding);
        }
    }

    fn overflow(input: &str) {
        let mut slice = input.as_bytes();
        assert_eq!(consume_decimal_number(&mut slice), None, "{input}");
    }

    // LevelDB: Logging.ConsumeDecimalNumberOverflow
    #[test]
    fn consume_decimal_number_overflow() {
        overflow("18446744073709551616");
        overflow("18446744073709551617");
        overflow("18446744073709551618");
        overflow("18446744073709551619");
        overflow("18446744073709551620");
        overflow("18446744073709551621");
        overflow("18446744073709551622");
        overflow("18446744073709551623");
        overflow("18446744073709551624");
        overflow("18446744073709551625");
        overflow("18446744073709551626");
        overflow("18446744073709551700");
        overflow("99999999999999999999");
    }

    // LevelDB: Logging.ConsumeDecimalNumberNoDigits
    #[test]
    fn consume_decimal_number_no_digits() {
        for input in [
            "",
            " ",
            "a",
            " 123",
            "a123",
            "\u{0}123",
            "\u{7f}123",
            "\u{ff}123",
        ] {
            let mut slice = input.as_bytes();
            assert_eq!(consume_decimal_number(&mut slice), None);
            assert_eq!(slice, input.as_bytes(), "nothing is consumed");
        }
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_string(b"abc ~"), "abc ~");
        assert_eq!(
            escape_string(b"\x00\x1f\x7f\xff\n"),
            "\\x00\\x1f\\x7f\\xff\\x0a"
        );
        let mut s = String::from("n=");
        append_number_to(&mut s, 42);
        append_escaped_string_to(&mut s, b"'\x01");
        assert_eq!(s, "n=42'\\x01");
    }
}
