//! Chapter 1: varints, fixed-size integers, and the log format. Graded against the logs and MANIFESTs LevelDB
//! 1.23 wrote: every record of them, written again by your `LogWriter`, must give the same bytes.

use course::ch01_log::*;
use course::explain::log_offset;
use course::fixtures::{files, log_records, log_records_of, FIXTURES};
use course::grade::assert_same_bytes;
use quickcheck::{QuickCheck, TestResult};

#[test]
fn t1_fixed_integers_are_little_endian() {
    let mut dst = Vec::new();
    put_fixed32(&mut dst, 0x0403_0201);
    put_fixed64(&mut dst, 0x0807_0605_0403_0201);
    assert_eq!(dst, [1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8]);
    fn prop(a: u32, b: u64) -> bool {
        let mut dst = Vec::new();
        put_fixed32(&mut dst, a);
        put_fixed64(&mut dst, b);
        dst[..4] == a.to_le_bytes() && dst[4..] == b.to_le_bytes()
    }
    QuickCheck::new().quickcheck(prop as fn(u32, u64) -> bool);
}

#[test]
fn t2_varints_take_seven_bits_a_byte() {
    for (value, bytes) in [
        (0u64, &[0x00][..]),
        (1, &[0x01]),
        (127, &[0x7f]),
        (128, &[0x80, 0x01]),
        (300, &[0xac, 0x02]),
        (u64::from(u32::MAX), &[0xff, 0xff, 0xff, 0xff, 0x0f]),
        (
            u64::MAX,
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
        ),
    ] {
        let mut dst = Vec::new();
        put_varint64(&mut dst, value);
        assert_eq!(dst, bytes, "put_varint64({value})");
    }
    fn prop(values: Vec<(u32, u64)>) -> bool {
        let mut dst = Vec::new();
        for &(a, b) in &values {
            put_varint32(&mut dst, a);
            put_varint64(&mut dst, b);
        }
        let mut input = &dst[..];
        values.iter().all(|&(a, b)| {
            get_varint32(&mut input) == Some(a) && get_varint64(&mut input) == Some(b)
        }) && input.is_empty()
    }
    QuickCheck::new().quickcheck(prop as fn(Vec<(u32, u64)>) -> bool);
}

#[test]
fn t3_a_truncated_or_overlong_varint_is_refused() {
    let mut dst = Vec::new();
    put_varint64(&mut dst, 1 << 40);
    for end in 0..dst.len() {
        let mut input = &dst[..end];
        assert_eq!(
            get_varint64(&mut input),
            None,
            "the first {end} bytes of a varint"
        );
        assert_eq!(
            input.len(),
            end,
            "a refused varint leaves the input where it was"
        );
    }
    // A varint32 has at most 5 bytes, a varint64 at most 10.
    let mut input = &[0x80u8, 0x80, 0x80, 0x80, 0x80, 0x01][..];
    assert_eq!(get_varint32(&mut input), None, "a 6-byte varint32");
    let mut input = &[0x80u8; 11][..];
    assert_eq!(get_varint64(&mut input), None, "an 11-byte varint64");
}

#[test]
fn t4_a_masked_crc_is_rotated_and_offset() {
    assert_eq!(mask_crc(0), 0xa282ead8);
    fn prop(crc: u32) -> bool {
        mask_crc(crc) == crc.rotate_right(15).wrapping_add(0xa282ead8)
    }
    QuickCheck::new().quickcheck(prop as fn(u32) -> bool);
}

#[test]
fn t5_a_record_header_is_leveldbs() {
    // The first physical record of a LevelDB log: a FULL record (its first write batch).
    let path = &files("basic-snappy", |f| f.ends_with(".log"))[0];
    let log = std::fs::read(path).unwrap();
    let length = usize::from(u16::from_le_bytes([log[4], log[5]]));
    let header = record_header(RecordType::Full, &log[7..7 + length]);
    assert_same_bytes("the first record's header", &log[..7], &header, |at| {
        log_offset(&log, at)
    });
}

#[test]
fn t6_the_log_writer_writes_leveldbs_logs_and_manifests() {
    let mut checked = 0;
    for name in FIXTURES {
        for path in files(name, |f| f.ends_with(".log") || f.starts_with("MANIFEST-")) {
            let expected = std::fs::read(&path).unwrap();
            let mut writer = LogWriter::new();
            for record in log_records(&path) {
                writer.add_record(&record);
            }
            let got = writer.into_bytes();
            let what = format!("{name}/{}", path.file_name().unwrap().to_string_lossy());
            assert_same_bytes(&what, &expected, &got, |at| log_offset(&expected, at));
            checked += 1;
        }
    }
    assert_eq!(checked, 10, "a log and a MANIFEST per fixture");
}

#[test]
fn t7_records_of_any_size_read_back() {
    // Sizes near the block's edges: a record that leaves 7, 6 or 0 bytes in its block, and records longer than a
    // block.
    fn prop(sizes: Vec<u16>, big: bool) -> TestResult {
        let mut sizes: Vec<usize> = sizes.iter().map(|&s| usize::from(s) % 3000).collect();
        if big {
            sizes.extend([
                BLOCK_SIZE - 2 * HEADER_SIZE,
                0,
                3 * BLOCK_SIZE + 5,
                BLOCK_SIZE - HEADER_SIZE - 6,
            ]);
        }
        let records: Vec<Vec<u8>> = sizes
            .iter()
            .enumerate()
            .map(|(i, &n)| (0..n).map(|j| (i * 31 + j) as u8).collect())
            .collect();
        let mut writer = LogWriter::new();
        for record in &records {
            writer.add_record(record);
        }
        let log = writer.into_bytes();
        TestResult::from_bool(log_records_of(&log) == records)
    }
    QuickCheck::new()
        .tests(50)
        .quickcheck(prop as fn(Vec<u16>, bool) -> TestResult);
}

#[test]
fn t8_a_block_ends_in_zeros_or_an_empty_first_fragment() {
    let payload = |n: usize| -> Vec<u8> { (0..n).map(|i| (i % 251) as u8).collect() };
    let header = |t, fragment: &[u8]| record_header(t, fragment).to_vec();
    let cases: [(&str, Vec<usize>, Vec<u8>); 3] = {
        // 6 bytes left in the block: zeros, and the next record starts the next block.
        let (a, b) = (payload(BLOCK_SIZE - HEADER_SIZE - 6), payload(5));
        let six_left = [
            header(RecordType::Full, &a),
            a.clone(),
            vec![0; 6],
            header(RecordType::Full, &b),
            b.clone(),
        ]
        .concat();
        // 7 bytes left: a header with an empty FIRST fragment, the rest in the next block.
        let (c, d) = (payload(BLOCK_SIZE - 2 * HEADER_SIZE), payload(10));
        let seven_left = [
            header(RecordType::Full, &c),
            c.clone(),
            header(RecordType::First, &[]),
            header(RecordType::Last, &d),
            d.clone(),
        ]
        .concat();
        // A record over three blocks: FIRST, MIDDLE, LAST.
        let e = payload(70_000);
        let room = BLOCK_SIZE - HEADER_SIZE;
        let three = [
            header(RecordType::First, &e[..room]),
            e[..room].to_vec(),
            header(RecordType::Middle, &e[room..2 * room]),
            e[room..2 * room].to_vec(),
            header(RecordType::Last, &e[2 * room..]),
            e[2 * room..].to_vec(),
        ]
        .concat();
        [
            ("6 bytes left", vec![a.len(), b.len()], six_left),
            ("7 bytes left", vec![c.len(), d.len()], seven_left),
            ("70000 bytes", vec![e.len()], three),
        ]
    };
    for (what, sizes, expected) in cases {
        let mut writer = LogWriter::new();
        for n in sizes {
            writer.add_record(&payload(n));
        }
        let got = writer.into_bytes();
        assert_same_bytes(what, &expected, &got, |at| log_offset(&expected, at));
    }
}
