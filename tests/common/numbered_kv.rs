//! The keys and values of LevelDB's corruption and fault-injection tests: key `i` is `i` in 16 decimal digits,
//! and its value is 1000 random printable bytes seeded by `i`, so any value read back can be checked.

use oxleveldb::util::random::Random;

use super::testutil::random_string;

/// The size of every value.
pub const VALUE_SIZE: usize = 1000;

/// The `i`th key.
///
/// LevelDB: CorruptionTest::Key, FaultInjectionTest::Key
pub fn key(i: usize) -> Vec<u8> {
    format!("{i:016}").into_bytes()
}

/// The value to associate with key `k`.
///
/// LevelDB: CorruptionTest::Value, FaultInjectionTest::Value
pub fn value(k: usize) -> Vec<u8> {
    random_string(&mut Random::new(k as u32), VALUE_SIZE)
}
