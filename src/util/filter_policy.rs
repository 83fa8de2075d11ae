//! `FilterPolicy`: a small summary of a set of keys, stored in each table, that answers "is this key maybe in
//! the set?" without reading the data blocks. A "no" must always be right; a "maybe" may be wrong.
//!
//! A database remembers nothing about the policy but its name, which names the filter block in each table
//! (`filter.<name>`): a table whose filter has another name is read without a filter.

/// LevelDB: FilterPolicy
pub trait FilterPolicy: Send + Sync {
    /// The policy's name; changing the filter encoding requires changing the name.
    ///
    /// LevelDB: FilterPolicy::Name
    fn name(&self) -> &str;

    /// Appends to `dst` a filter that summarizes `keys` (which may contain duplicates).
    ///
    /// LevelDB: FilterPolicy::CreateFilter
    fn create_filter(&self, keys: &[&[u8]], dst: &mut Vec<u8>);

    /// Must return true if `key` was among the keys `filter` was created from; should return false otherwise, as
    /// often as it can.
    ///
    /// LevelDB: FilterPolicy::KeyMayMatch
    fn key_may_match(&self, key: &[u8], filter: &[u8]) -> bool;
}
