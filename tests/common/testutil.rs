//! LevelDB's util/testutil: random strings and keys for tests, from LevelDB's generator so that the same seeds
//! give the same data as LevelDB's tests.

use oxleveldb::util::random::Random;

/// LevelDB's test::RandomSeed() without $TEST_RANDOM_SEED.
pub const RANDOM_SEED: u32 = 301;

/// LevelDB: test::RandomString — `len` printable characters.
pub fn random_string(rnd: &mut Random, len: usize) -> Vec<u8> {
    (0..len).map(|_| b' ' + rnd.uniform(95) as u8).collect()
}

/// LevelDB: test::RandomKey — a wide variety of characters, to test the boundary conditions of the short-key
/// optimizations.
pub fn random_key(rnd: &mut Random, len: usize) -> Vec<u8> {
    const TEST_CHARS: [u8; 10] = [0, 1, b'a', b'b', b'c', b'd', b'e', 0xfd, 0xfe, 0xff];
    (0..len)
        .map(|_| TEST_CHARS[rnd.uniform(TEST_CHARS.len() as u32) as usize])
        .collect()
}

/// LevelDB: test::CompressibleString — `len` bytes that compress to about `compressed_fraction` of that.
pub fn compressible_string(rnd: &mut Random, compressed_fraction: f64, len: usize) -> Vec<u8> {
    let raw = ((len as f64 * compressed_fraction) as usize).max(1);
    let raw_data = random_string(rnd, raw);
    // Duplicate the random data until we have filled "len" bytes.
    raw_data.iter().copied().cycle().take(len).collect()
}

/// LevelDB: Between (table_test.cc, db_test.cc) — `low <= val <= high`, printing the miss.
pub fn between(val: u64, low: u64, high: u64) -> bool {
    let result = val >= low && val <= high;
    if !result {
        eprintln!("Value {val} is not in range [{low}, {high}]");
    }
    result
}
