//! oxleveldb compresses exactly as the C++ snappy 1.1.9 that LevelDB 1.23 is built with (Debian's libsnappy, a
//! dependency of libleveldb-dev): for many inputs of every kind the compressed bytes are the same.

use oxleveldb::util::random::Random;
use oxleveldb::util::snappy;

/// What the C++ library makes of `input`.
fn cpp_compress(input: &[u8]) -> Vec<u8> {
    let mut output = Vec::new();
    assert!(system_leveldb::snappy_compress(input, &mut output));
    output
}

fn assert_same(input: &[u8], what: &str) {
    let mut ours = Vec::new();
    snappy::compress(input, &mut ours);
    let theirs = cpp_compress(input);
    if ours != theirs {
        let at = ours
            .iter()
            .zip(&theirs)
            .position(|(a, b)| a != b)
            .unwrap_or(ours.len().min(theirs.len()));
        panic!(
            "{what}: {} bytes in, ours {} bytes, C++ {} bytes, first difference at {at}",
            input.len(),
            ours.len(),
            theirs.len()
        );
    }
}

/// LevelDB: test::CompressibleString — pieces that compress to about `fraction`.
fn compressible(rnd: &mut Random, fraction: f64, len: usize) -> Vec<u8> {
    let raw = ((len as f64 * fraction) as usize).max(1);
    let piece: Vec<u8> = (0..raw).map(|_| b' ' + rnd.uniform(95) as u8).collect();
    piece.iter().copied().cycle().take(len).collect()
}

#[test]
fn same_bytes_as_cpp_snappy() {
    let mut rnd = Random::new(301);
    for len in 0..300 {
        let input: Vec<u8> = (0..len).map(|_| rnd.uniform(4) as u8).collect();
        assert_same(&input, "small alphabet");
        let input: Vec<u8> = (0..len).map(|_| rnd.next() as u8).collect();
        assert_same(&input, "random bytes");
    }
    for _ in 0..300 {
        let len = rnd.skewed(17) as usize;
        let alphabet = 1 + rnd.uniform(256);
        let input: Vec<u8> = (0..len).map(|_| rnd.uniform(alphabet) as u8).collect();
        assert_same(&input, "skewed sizes");
        let fraction = f64::from(rnd.uniform(100)) / 100.0;
        let input: Vec<u8> = (0..len / 100 + 1)
            .flat_map(|_| compressible(&mut rnd, fraction, 100))
            .collect();
        assert_same(&input, "db_bench values");
    }
    // Long runs, long matches and inputs over one 64 KiB fragment.
    assert_same(&vec![b'y'; 200_000], "one byte repeated");
    assert_same(&b"0123456789abcdef".repeat(9000), "a 16-byte pattern");
    let mut mixed = Vec::new();
    for i in 0..3000u32 {
        mixed.extend_from_slice(format!("{i:016}").as_bytes());
        mixed.extend_from_slice(&compressible(&mut rnd, 0.5, 100));
    }
    assert_same(&mixed, "table-like contents");
}
