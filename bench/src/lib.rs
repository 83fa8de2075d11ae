//! LevelDB's db_bench (benchmarks/db_bench.cc) for oxleveldb and the engines it is compared with: the benchmark
//! itself ([`db_bench`], run by `benches/db_bench/main.rs`), the engines it drives ([`engine`]) and its latency
//! histogram ([`histogram`], LevelDB's util/histogram, which only db_bench uses). A library so that the tests
//! (tests/validate.rs) run the same workloads as the bench.

pub mod db_bench;
pub mod engine;
pub mod histogram;
