//! The files of a database, by type, as the recovery, corruption and bad-input tests look them up.

use std::path::Path;

use oxleveldb::db::filename::{parse_file_name, FileType};
use oxleveldb::env::Env;

/// The numbers and names of the files of type `file_type` in database `dbname`, in ascending order of number.
pub fn files_of_type(env: &dyn Env, dbname: &Path, file_type: FileType) -> Vec<(u64, String)> {
    let mut result: Vec<(u64, String)> = env
        .get_children(dbname)
        .unwrap()
        .into_iter()
        .filter_map(|name| match parse_file_name(&name) {
            Some((number, t)) if t == file_type => Some((number, name)),
            _ => None,
        })
        .collect();
    result.sort_unstable();
    result
}

/// The numbers of the files of type `file_type` in database `dbname`, in ascending order.
///
/// LevelDB: RecoveryTest::GetFiles
pub fn get_files(env: &dyn Env, dbname: &Path, file_type: FileType) -> Vec<u64> {
    files_of_type(env, dbname, file_type)
        .into_iter()
        .map(|(number, _)| number)
        .collect()
}
