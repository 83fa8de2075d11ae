//! The files of a database, by type, as the recovery and corruption tests look them up.

use std::path::Path;

use oxleveldb::db::filename::{parse_file_name, FileType};
use oxleveldb::env::Env;

/// The numbers of the files of type `file_type` in database `dbname`, in ascending order.
///
/// LevelDB: RecoveryTest::GetFiles
pub fn get_files(env: &dyn Env, dbname: &Path, file_type: FileType) -> Vec<u64> {
    let mut result: Vec<u64> = env
        .get_children(dbname)
        .unwrap()
        .iter()
        .filter_map(|name| parse_file_name(name))
        .filter(|&(_, t)| t == file_type)
        .map(|(number, _)| number)
        .collect();
    result.sort_unstable();
    result
}
