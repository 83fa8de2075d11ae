//! What LevelDB's db_bench needs beyond the engines: its latency histogram (LevelDB's util/histogram, which only
//! db_bench uses). The benchmark itself is `benches/db_bench/`.

pub mod histogram;
