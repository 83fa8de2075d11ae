//! `Error` and `Result`: LevelDB's `Status`, in Rust's words.
//!
//! LevelDB returns a `Status` that is either OK or one of five error codes with a message. Here `Ok(..)` is the
//! OK status and [`Error`] is everything else. The message keeps LevelDB's two-part shape: `Status::Corruption(msg,
//! msg2)` is written `Error::corruption(msg, msg2)` and stored as `"msg: msg2"` (or just `"msg"` when `msg2` is
//! empty), so that `Display` prints byte for byte what `Status::ToString` prints, e.g.
//! `Corruption: bad block type` or `IO error: /tmp/db/000005.ldb: No such file or directory`.

use std::fmt;

/// The five error codes of LevelDB's `Status` (kOk is `Result::Ok`).
///
/// LevelDB: Status::Code
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    NotFound = 1,
    Corruption = 2,
    NotSupported = 3,
    InvalidArgument = 4,
    IOError = 5,
}

/// The message of the errors [`Error::from_panic`] makes.
const PANIC_MESSAGE: &str = "oxleveldb panicked";

/// A failed LevelDB operation: a code and a message.
///
/// LevelDB: Status
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Error {
    code: Code,
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
        Error { code, message }
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

    pub fn code(&self) -> Code {
        self.code
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
}

/// LevelDB: Status::ToString
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.code {
            Code::NotFound => "NotFound: ",
            Code::Corruption => "Corruption: ",
            Code::NotSupported => "Not implemented: ",
            Code::InvalidArgument => "Invalid argument: ",
            Code::IOError => "IO error: ",
        };
        f.write_str(prefix)?;
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
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
