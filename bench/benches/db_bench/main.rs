//! db_bench: LevelDB's benchmark on oxleveldb and the engines it is compared with (see
//! `oxleveldb_bench::db_bench` for the flags and the engines).
//!
//! ```text
//! cargo bench --bench db_bench --features system-leveldb -- [--engines=leveldb,oxleveldb] [--num=N] ...
//! ```

fn main() {
    oxleveldb_bench::db_bench::main();
}
