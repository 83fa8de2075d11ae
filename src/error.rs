//! `Error` and `Result`: LevelDB's `Status`, in Rust's words.
//!
//! LevelDB returns a `Status` that is either OK or one of five error codes with a message. Here `Ok(..)` is the
//! OK status and [`Error`] is everything else. The message keeps LevelDB's two-part shape: `Status::Corruption(msg,
//! msg2)` is written `Error::corruption(msg, msg2)` and stored as `"msg: msg2"` (or just `"msg"` when `msg2` is
//! empty), so that `Display` prints byte for byte what `Status::ToString` prints, e.g.
//! `Corruption: bad block type` or `IO error: /tmp/db/000005.ldb: No such file or directory`.
//!
//! Transactions (`oxleveldb::txn`) add four of RocksDB's codes beside LevelDB's five — `Busy`, `TimedOut`,
//! `Aborted` and `Expired` — and RocksDB's sub-code, which names why a lock was refused (`Deadlock`, `Timeout
//! waiting to lock key`, ...). These print as RocksDB's `Status::ToString` does: the code's prefix, the sub-code's
//! text, then `": "` and the message if there is one (`Resource busy: Deadlock`). LevelDB's five codes never carry
//! a sub-code, so they print exactly as before.

use std::fmt;

/// The five error codes of LevelDB's `Status` (kOk is `Result::Ok`), and the four of RocksDB's that transactions
/// return, with RocksDB's numbers.
///
/// LevelDB: Status::Code (RocksDB: Status::Code for TimedOut, Aborted, Busy and Expired)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    /// The key or file is not there (a `get` of a missing key returns `Ok(None)` instead).
    NotFound = 1,
    /// A file's bytes are not what they should be (a bad checksum, a malformed record, a missing file).
    Corruption = 2,
    /// The operation is not supported (for example a write to a database opened read-only).
    NotSupported = 3,
    /// A bad argument, such as opening a missing database without `create_if_missing`.
    InvalidArgument = 4,
    /// The operating system reported an error (the message names the file and the error).
    IOError = 5,
    /// A lock was not granted within the lock timeout.
    TimedOut = 9,
    /// The operation gave up (a lock limit was reached).
    Aborted = 10,
    /// A resource is in use: a deadlock, or a write conflict with a transaction's snapshot.
    Busy = 11,
    /// The transaction outlived its expiration and its locks may have been taken by others.
    Expired = 12,
}

/// Why a transaction's lock was refused: RocksDB's sub-codes, with RocksDB's numbers (those oxleveldb uses).
///
/// RocksDB: Status::SubCode
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubCode {
    /// No sub-code (every error of LevelDB's five codes).
    None = 0,
    /// `TimedOut`: the key stayed locked by another transaction for the whole lock timeout.
    LockTimeout = 2,
    /// `Aborted`: `max_num_locks` keys are locked already.
    LockLimit = 3,
    /// `Busy`: waiting would close a cycle in the wait-for graph.
    Deadlock = 5,
}

impl SubCode {
    /// RocksDB: the msgs table of status.cc
    fn text(self) -> &'static str {
        match self {
            SubCode::None => "",
            SubCode::LockTimeout => "Timeout waiting to lock key",
            SubCode::LockLimit => "Failed to acquire lock due to max_num_locks limit",
            SubCode::Deadlock => "Deadlock",
        }
    }
}

/// The message of the errors [`Error::from_panic`] makes.
const PANIC_MESSAGE: &str = "oxleveldb panicked";

/// A failed LevelDB operation: a code and a message.
///
/// Errors a user meets first, in LevelDB's words:
/// - `IO error: lock <dir>/LOCK: Resource temporarily unavailable` (another process) or `... already held by
///   process` (another `DB` of this process): another handle has the database open for writing. Share that
///   handle (`Arc<DB>`), or read beside it with [`DB::open_read_only`](crate::DB::open_read_only).
/// - `Invalid argument: <dir>: does not exist (create_if_missing is false)`.
/// - `Not implemented: Not supported operation in read only mode.` (code `NotSupported`): a write to a database
///   opened with `open_read_only`.
///
/// LevelDB: Status
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Error {
    code: Code,
    subcode: SubCode,
    message: String,
}

/// LevelDB: Status (an OK status is `Ok`)
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Builds an error the way LevelDB's `Status(code, msg, msg2)` constructor does: `msg2`, when not empty, is
    /// appended after `": "`.
    pub fn new(code: Code, msg: impl AsRef<str>, msg2: impl AsRef<str>) -> Error {
        let (msg, msg2) = (msg.as_ref(), msg2.as_ref());
        let mut message = String::with_capacity(msg.len() + 2 + msg2.len());
        message.push_str(msg);
        if !msg2.is_empty() {
            message.push_str(": ");
            message.push_str(msg2);
        }
        Error {
            code,
            subcode: SubCode::None,
            message,
        }
    }

    /// An error with a sub-code and no message, as RocksDB's `Status::Busy(SubCode::kDeadlock)`.
    pub fn with_subcode(code: Code, subcode: SubCode) -> Error {
        Error {
            code,
            subcode,
            message: String::new(),
        }
    }

    /// LevelDB: Status::NotFound
    pub fn not_found(msg: impl AsRef<str>, msg2: impl AsRef<str>) -> Error {
        Error::new(Code::NotFound, msg, msg2)
    }

    /// LevelDB: Status::Corruption
    pub fn corruption(msg: impl AsRef<str>, msg2: impl AsRef<str>) -> Error {
        Error::new(Code::Corruption, msg, msg2)
    }

    /// LevelDB: Status::NotSupported
    pub fn not_supported(msg: impl AsRef<str>, msg2: impl AsRef<str>) -> Error {
        Error::new(Code::NotSupported, msg, msg2)
    }

    /// LevelDB: Status::InvalidArgument
    pub fn invalid_argument(msg: impl AsRef<str>, msg2: impl AsRef<str>) -> Error {
        Error::new(Code::InvalidArgument, msg, msg2)
    }

    /// LevelDB: Status::IOError
    pub fn io_error(msg: impl AsRef<str>, msg2: impl AsRef<str>) -> Error {
        Error::new(Code::IOError, msg, msg2)
    }

    /// RocksDB: Status::Busy
    pub fn busy(msg: impl AsRef<str>, msg2: impl AsRef<str>) -> Error {
        Error::new(Code::Busy, msg, msg2)
    }

    /// RocksDB: Status::Expired
    pub fn expired(msg: impl AsRef<str>, msg2: impl AsRef<str>) -> Error {
        Error::new(Code::Expired, msg, msg2)
    }

    /// The error a caught panic becomes where it must not unwind further (into C, or out of the background thread
    /// every database of the process shares). oxleveldb does not panic on any input; this is the net under a bug.
    pub fn from_panic(panic: Box<dyn std::any::Any + Send>) -> Error {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Error::io_error(PANIC_MESSAGE, message)
    }

    /// True for an error made by [`Error::from_panic`].
    pub fn is_panic(&self) -> bool {
        self.code == Code::IOError && self.message.starts_with(PANIC_MESSAGE)
    }

    /// The error's code.
    pub fn code(&self) -> Code {
        self.code
    }

    /// RocksDB: Status::subcode
    pub fn subcode(&self) -> SubCode {
        self.subcode
    }

    /// The message without the code's prefix (`"bad block type"` for `Corruption: bad block type`).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// LevelDB: Status::IsNotFound
    pub fn is_not_found(&self) -> bool {
        self.code == Code::NotFound
    }

    /// LevelDB: Status::IsCorruption
    pub fn is_corruption(&self) -> bool {
        self.code == Code::Corruption
    }

    /// LevelDB: Status::IsNotSupportedError
    pub fn is_not_supported_error(&self) -> bool {
        self.code == Code::NotSupported
    }

    /// LevelDB: Status::IsInvalidArgument
    pub fn is_invalid_argument(&self) -> bool {
        self.code == Code::InvalidArgument
    }

    /// LevelDB: Status::IsIOError
    pub fn is_io_error(&self) -> bool {
        self.code == Code::IOError
    }

    /// RocksDB: Status::IsBusy (a deadlock or a write conflict)
    pub fn is_busy(&self) -> bool {
        self.code == Code::Busy
    }

    /// RocksDB: Status::IsDeadlock
    pub fn is_deadlock(&self) -> bool {
        self.code == Code::Busy && self.subcode == SubCode::Deadlock
    }

    /// RocksDB: Status::IsTimedOut
    pub fn is_timed_out(&self) -> bool {
        self.code == Code::TimedOut
    }

    /// RocksDB: Status::IsAborted
    pub fn is_aborted(&self) -> bool {
        self.code == Code::Aborted
    }

    /// RocksDB: Status::IsLockLimit
    pub fn is_lock_limit(&self) -> bool {
        self.code == Code::Aborted && self.subcode == SubCode::LockLimit
    }

    /// RocksDB: Status::IsExpired
    pub fn is_expired(&self) -> bool {
        self.code == Code::Expired
    }
}

/// LevelDB: Status::ToString (RocksDB's, for its codes and sub-codes)
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.code {
            Code::NotFound => "NotFound: ",
            Code::Corruption => "Corruption: ",
            Code::NotSupported => "Not implemented: ",
            Code::InvalidArgument => "Invalid argument: ",
            Code::IOError => "IO error: ",
            Code::TimedOut => "Operation timed out: ",
            Code::Aborted => "Operation aborted: ",
            Code::Busy => "Resource busy: ",
            Code::Expired => "Operation expired: ",
        };
        f.write_str(prefix)?;
        f.write_str(self.subcode.text())?;
        if self.subcode != SubCode::None && !self.message.is_empty() {
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

/// The code (and sub-code, if any) and the message as separate fields; `Display` gives LevelDB's text.
///
/// ```
/// let e = oxleveldb::Error::corruption("bad block type", "");
/// assert_eq!(format!("{e:?}"), r#"Error { code: Corruption, message: "bad block type" }"#);
/// assert_eq!(e.to_string(), "Corruption: bad block type");
/// ```
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("code", &self.code);
        if self.subcode != SubCode::None {
            d.field("subcode", &self.subcode);
        }
        d.field("message", &self.message).finish()
    }
}

impl std::error::Error for Error {}

/// Prints a `Result<()>` as LevelDB prints a `Status`: `"OK"` for success.
pub fn status_string<T>(result: &Result<T>) -> String {
    match result {
        Ok(_) => "OK".to_string(),
        Err(e) => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // LevelDB: status_test.cc and the ToString prefixes.
    #[test]
    fn to_string_matches_leveldb() {
        assert_eq!(status_string::<()>(&Ok(())), "OK");
        assert_eq!(
            Error::not_found("custom NotFound status message", "").to_string(),
            "NotFound: custom NotFound status message"
        );
        assert_eq!(
            Error::corruption("bad block type", "").to_string(),
            "Corruption: bad block type"
        );
        assert_eq!(
            Error::not_supported("NewAppendableFile", "/x").to_string(),
            "Not implemented: NewAppendableFile: /x"
        );
        assert_eq!(
            Error::invalid_argument("/db", "does not exist (create_if_missing is false)")
                .to_string(),
            "Invalid argument: /db: does not exist (create_if_missing is false)"
        );
        assert_eq!(
            Error::io_error("/db/LOCK", "No such file or directory").to_string(),
            "IO error: /db/LOCK: No such file or directory"
        );
    }

    // RocksDB's Status::ToString for the codes and sub-codes of transactions.
    #[test]
    fn rocksdb_codes_print_as_rocksdb() {
        let deadlock = Error::with_subcode(Code::Busy, SubCode::Deadlock);
        assert_eq!(deadlock.to_string(), "Resource busy: Deadlock");
        assert!(deadlock.is_busy() && deadlock.is_deadlock());
        let timeout = Error::with_subcode(Code::TimedOut, SubCode::LockTimeout);
        assert_eq!(
            timeout.to_string(),
            "Operation timed out: Timeout waiting to lock key"
        );
        assert!(timeout.is_timed_out() && !timeout.is_busy());
        let limit = Error::with_subcode(Code::Aborted, SubCode::LockLimit);
        assert_eq!(
            limit.to_string(),
            "Operation aborted: Failed to acquire lock due to max_num_locks limit"
        );
        assert!(limit.is_lock_limit() && limit.is_aborted());
        let conflict = Error::busy("", "");
        assert_eq!(conflict.to_string(), "Resource busy: ");
        assert!(conflict.is_busy() && !conflict.is_deadlock());
        assert_eq!(Error::expired("", "").to_string(), "Operation expired: ");
        assert_eq!(
            Error::busy("write conflict", "k").to_string(),
            "Resource busy: write conflict: k"
        );
        assert_eq!(Error::not_found("x", "").subcode(), SubCode::None);
    }

    // LevelDB: StatusTest.MoveConstructor — moving (and copying) keeps code and message.
    #[test]
    fn move_and_clone_keep_state() {
        let err = Error::not_found("custom NotFound status message", "");
        let moved = err;
        assert!(moved.is_not_found());
        assert_eq!(moved.message(), "custom NotFound status message");
        let copied = moved.clone();
        assert_eq!(copied, moved);
        assert!(!copied.is_corruption() && !copied.is_io_error());
        assert!(Error::io_error("a", "").is_io_error());
        assert!(Error::invalid_argument("a", "").is_invalid_argument());
        assert!(Error::not_supported("a", "").is_not_supported_error());
        assert_eq!(Error::corruption("a", "b").code(), Code::Corruption);
    }
}
