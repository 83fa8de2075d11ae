//! `Histogram`: counts of values (db_bench's operation latencies, in microseconds) in 154 fixed buckets, with
//! LevelDB's summary text.
//!
//! The bucket limits are LevelDB's: 1 to 10 by 1, then within each decade 1.2, 1.4, 1.6, 1.8, 2, 2.5, 3, 3.5, 4,
//! 4.5, 5, 6, 7, 8, 9 and 10 times its start, up to 9e9, and a last bucket that takes everything larger.

use std::fmt;

const NUM_BUCKETS: usize = 154;

/// The upper limits (exclusive) of the buckets.
///
/// LevelDB: Histogram::kBucketLimit
const BUCKET_LIMIT: [f64; NUM_BUCKETS] = bucket_limits();

const fn bucket_limits() -> [f64; NUM_BUCKETS] {
    const STEPS: [f64; 16] = [
        1.2, 1.4, 1.6, 1.8, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0,
    ];
    let mut limits = [0.0; NUM_BUCKETS];
    let mut i = 0;
    while i < 10 {
        limits[i] = (i + 1) as f64;
        i += 1;
    }
    let mut decade = 10.0;
    while i < NUM_BUCKETS - 1 {
        let mut s = 0;
        while s < STEPS.len() && i < NUM_BUCKETS - 1 {
            limits[i] = STEPS[s] * decade;
            i += 1;
            s += 1;
        }
        decade *= 10.0;
    }
    limits[NUM_BUCKETS - 1] = 1e200;
    limits
}

/// LevelDB: Histogram
#[derive(Clone, Debug)]
pub struct Histogram {
    min: f64,
    max: f64,
    num: f64,
    sum: f64,
    sum_squares: f64,
    buckets: [f64; NUM_BUCKETS],
}

impl Default for Histogram {
    fn default() -> Self {
        let mut h = Histogram {
            min: 0.0,
            max: 0.0,
            num: 0.0,
            sum: 0.0,
            sum_squares: 0.0,
            buckets: [0.0; NUM_BUCKETS],
        };
        h.clear();
        h
    }
}

impl Histogram {
    /// LevelDB: Histogram::Clear
    pub fn clear(&mut self) {
        self.min = BUCKET_LIMIT[NUM_BUCKETS - 1];
        self.max = 0.0;
        self.num = 0.0;
        self.sum = 0.0;
        self.sum_squares = 0.0;
        self.buckets = [0.0; NUM_BUCKETS];
    }

    /// LevelDB: Histogram::Add
    pub fn add(&mut self, value: f64) {
        // Linear search is fast enough for our usage in db_bench.
        let mut b = 0;
        while b < NUM_BUCKETS - 1 && BUCKET_LIMIT[b] <= value {
            b += 1;
        }
        self.buckets[b] += 1.0;
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        self.num += 1.0;
        self.sum += value;
        self.sum_squares += value * value;
    }

    /// LevelDB: Histogram::Merge
    pub fn merge(&mut self, other: &Histogram) {
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.num += other.num;
        self.sum += other.sum;
        self.sum_squares += other.sum_squares;
        for (b, o) in self.buckets.iter_mut().zip(&other.buckets) {
            *b += o;
        }
    }

    /// LevelDB: Histogram::Median
    pub fn median(&self) -> f64 {
        self.percentile(50.0)
    }

    /// LevelDB: Histogram::Percentile
    pub fn percentile(&self, p: f64) -> f64 {
        let threshold = self.num * (p / 100.0);
        let mut sum = 0.0;
        for b in 0..NUM_BUCKETS {
            sum += self.buckets[b];
            if sum >= threshold {
                // Scale linearly within this bucket.
                let left_point = if b == 0 { 0.0 } else { BUCKET_LIMIT[b - 1] };
                let right_point = BUCKET_LIMIT[b];
                let left_sum = sum - self.buckets[b];
                let pos = (threshold - left_sum) / self.buckets[b];
                let r = left_point + (right_point - left_point) * pos;
                return r.max(self.min).min(self.max);
            }
        }
        self.max
    }

    /// LevelDB: Histogram::Average
    pub fn average(&self) -> f64 {
        if self.num == 0.0 {
            return 0.0;
        }
        self.sum / self.num
    }

    /// LevelDB: Histogram::StandardDeviation
    pub fn standard_deviation(&self) -> f64 {
        if self.num == 0.0 {
            return 0.0;
        }
        let variance = (self.sum_squares * self.num - self.sum * self.sum) / (self.num * self.num);
        variance.sqrt()
    }
}

/// The summary and the non-empty buckets, in LevelDB's text format.
///
/// LevelDB: Histogram::ToString
impl fmt::Display for Histogram {
    fn fmt(&self, r: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            r,
            "Count: {:.0}  Average: {:.4}  StdDev: {:.2}",
            self.num,
            self.average(),
            self.standard_deviation()
        )?;
        let min = if self.num == 0.0 { 0.0 } else { self.min };
        writeln!(
            r,
            "Min: {:.4}  Median: {:.4}  Max: {:.4}",
            min,
            self.median(),
            self.max
        )?;
        writeln!(r, "------------------------------------------------------")?;
        let mult = 100.0 / self.num;
        let mut sum = 0.0;
        for b in 0..NUM_BUCKETS {
            if self.buckets[b] <= 0.0 {
                continue;
            }
            sum += self.buckets[b];
            let left = if b == 0 { 0.0 } else { BUCKET_LIMIT[b - 1] };
            write!(
                r,
                "[ {:7.0}, {:7.0} ) {:7.0} {:7.3}% {:7.3}% ",
                left,
                BUCKET_LIMIT[b],
                self.buckets[b],
                mult * self.buckets[b],
                mult * sum
            )?;
            // Add hash marks based on percentage; 20 marks for 100%.
            let marks = (20.0 * (self.buckets[b] / self.num) + 0.5) as usize;
            writeln!(r, "{}", "#".repeat(marks))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_limits_are_leveldbs() {
        assert_eq!(
            &BUCKET_LIMIT[..12],
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 12.0, 14.0]
        );
        assert_eq!(BUCKET_LIMIT[25], 100.0);
        assert_eq!(BUCKET_LIMIT[41], 1000.0);
        assert_eq!(BUCKET_LIMIT[137], 1_000_000_000.0);
        assert_eq!(BUCKET_LIMIT[152], 9_000_000_000.0);
        assert_eq!(BUCKET_LIMIT[153], 1e200);
        assert!(BUCKET_LIMIT.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn summary_text() {
        let mut h = Histogram::default();
        for v in [1.0, 2.0, 2.5, 3.0, 150.0] {
            h.add(v);
        }
        let mut other = Histogram::default();
        other.add(11.0);
        h.merge(&other);
        let text = h.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Count: 6  Average: 28.2500  StdDev: 54.55");
        assert_eq!(lines[1], "Min: 1.0000  Median: 3.0000  Max: 150.0000");
        assert_eq!(
            lines[3],
            "[       1,       2 )       1  16.667%  16.667% ###"
        );
        assert_eq!(
            lines[4],
            "[       2,       3 )       2  33.333%  50.000% #######"
        );
        assert_eq!(lines.len(), 3 + 5);
        assert_eq!(
            Histogram::default().to_string().lines().nth(1),
            Some("Min: 0.0000  Median: 0.0000  Max: 0.0000")
        );
    }
}
