//! LevelDB's pseudo-random generator: the Park–Miller "minimal standard" LCG, `seed = seed * 16807 mod (2^31-1)`.
//!
//! It is not a good generator, but it is LevelDB's: the skiplist's node heights, the DB iterator's read sampling and
//! the test workloads all draw from it, so equal seeds must give equal sequences in both engines.

/// LevelDB: Random
#[derive(Clone, Debug)]
pub struct Random {
    seed: u32,
}

impl Random {
    /// LevelDB: Random::Random
    pub fn new(s: u32) -> Random {
        let mut seed = s & 0x7fff_ffff;
        // Avoid bad seeds: 0 and 2^31-1 are fixed points of the recurrence.
        if seed == 0 || seed == 2_147_483_647 {
            seed = 1;
        }
        Random { seed }
    }

    /// LevelDB: Random::Next
    #[allow(clippy::should_implement_trait)] // LevelDB's name; the generator is not a std iterator.
    pub fn next(&mut self) -> u32 {
        const M: u32 = 2_147_483_647; // 2^31-1
        const A: u64 = 16807; // bits 14, 8, 7, 5, 2, 1, 0
                              // seed = (seed * A) % M, computed without a division: M = 2^31-1, so
                              // ((x << 31) % M) == x and the product splits into its low 31 bits plus the bits above.
        let product = u64::from(self.seed) * A;
        let mut seed = ((product >> 31) + (product & u64::from(M))) as u32;
        // The first reduction may overflow by 1 bit, so it may be > M.
        if seed > M {
            seed -= M;
        }
        self.seed = seed;
        seed
    }

    /// A number uniformly distributed in `[0, n-1]`; `n` must be greater than 0.
    ///
    /// LevelDB: Random::Uniform
    pub fn uniform(&mut self, n: u32) -> u32 {
        self.next() % n
    }

    /// True about once in `n` calls; `n` must be greater than 0.
    ///
    /// LevelDB: Random::OneIn
    pub fn one_in(&mut self, n: u32) -> bool {
        self.next() % n == 0
    }

    /// Picks a base uniformly from `[0, max_log]` and then returns a number uniformly distributed in
    /// `[0, 2^base - 1]`: small numbers are strongly preferred.
    ///
    /// LevelDB: Random::Skewed
    #[cfg(any(test, feature = "internals"))] // For the tests and tools.
    pub fn skewed(&mut self, max_log: u32) -> u32 {
        let base = self.uniform(max_log + 1);
        self.uniform(1 << base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The recurrence checked against the plain definition, seed * 16807 mod (2^31 - 1).
    #[test]
    fn matches_park_miller_definition() {
        for start in [1u32, 301, 0xdeadbeef, 1000, 2_147_483_646] {
            let mut rnd = Random::new(start);
            let mut reference = u64::from(Random::new(start).seed);
            for _ in 0..10000 {
                reference = reference * 16807 % 2_147_483_647;
                assert_eq!(u64::from(rnd.next()), reference);
            }
        }
    }

    // The first numbers of LevelDB's generator for seed 301 (the seed db_bench and the tests use).
    #[test]
    fn known_sequence() {
        let mut rnd = Random::new(301);
        assert_eq!(rnd.next(), 5_058_907);
        assert_eq!(rnd.next(), 1_273_187_716);
    }

    #[test]
    fn bad_seeds_become_one() {
        assert_eq!(Random::new(0).seed, 1);
        assert_eq!(Random::new(2_147_483_647).seed, 1);
        assert_eq!(Random::new(0x8000_0000).seed, 1);
        let mut a = Random::new(0);
        let mut b = Random::new(1);
        assert_eq!(a.next(), b.next());
    }

    #[test]
    fn uniform_stays_in_range() {
        let mut rnd = Random::new(42);
        for n in 1..200 {
            assert!(rnd.uniform(n) < n);
            assert!(rnd.skewed(5) < 32);
        }
    }
}
