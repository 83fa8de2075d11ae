//! The info log (`LOG`) writer: every message is one line, prefixed with the local time to the microsecond and the
//! writing thread's id, as LevelDB's PosixLogger writes it:
//! `2026/11/21-04:10:00.123456 140234567 Recovering log #3`.

use std::fmt::{self, Write as _};
use std::fs::File;
use std::io::Write;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use super::sys;
use super::Logger;

/// LevelDB: PosixLogger
pub struct PosixLogger {
    file: Mutex<File>,
}

impl PosixLogger {
    /// A logger that appends to `file`.
    pub fn new(file: File) -> PosixLogger {
        PosixLogger {
            file: Mutex::new(file),
        }
    }
}

/// The `"%04d/%02d/%02d-%02d:%02d:%02d.%06d %s "` prefix of a line logged at `now` by thread `thread_id`.
fn line_prefix(now: SystemTime, thread_id: usize) -> String {
    let since_epoch = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since_epoch.as_secs() as sys::time_t;
    let mut tm = sys::tm {
        tm_sec: 0,
        tm_min: 0,
        tm_hour: 0,
        tm_mday: 0,
        tm_mon: 0,
        tm_year: 0,
        tm_wday: 0,
        tm_yday: 0,
        tm_isdst: 0,
        tm_gmtoff: 0,
        tm_zone: std::ptr::null(),
    };
    // SAFETY: localtime_r reads the time_t and writes the tm we own; both pointers are valid for the call.
    unsafe { sys::localtime_r(&seconds, &mut tm) };
    // LevelDB prints std::this_thread::get_id(), which libstdc++ prints as the pthread_t, cut to 32 characters.
    let mut thread = thread_id.to_string();
    thread.truncate(32);
    format!(
        "{:04}/{:02}/{:02}-{:02}:{:02}:{:02}.{:06} {} ",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        since_epoch.subsec_micros(),
        thread
    )
}

impl Logger for PosixLogger {
    fn logv(&self, args: fmt::Arguments<'_>) {
        // SAFETY: pthread_self has no preconditions.
        let thread_id = unsafe { sys::pthread_self() };
        let mut line = line_prefix(SystemTime::now(), thread_id);
        let _ = line.write_fmt(args);
        // Add a newline if necessary.
        if !line.ends_with('\n') {
            line.push('\n');
        }
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        // Logging is best effort, as in LevelDB: a failed write of the LOG is not an error of the database.
        let _ = file.write_all(line.as_bytes());
        let _ = file.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_have_leveldb_prefix_and_one_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("LOG");
        let logger = PosixLogger::new(File::create(&path).unwrap());
        logger.logv(format_args!("Recovering log #{}", 3));
        logger.logv(format_args!("Current memtable full; waiting...\n"));
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        for (line, message) in lines
            .iter()
            .zip(["Recovering log #3", "Current memtable full; waiting..."])
        {
            // yyyy/mm/dd-hh:mm:ss.uuuuuu <thread> <message>
            let bytes = line.as_bytes();
            assert_eq!(bytes[4], b'/');
            assert_eq!(bytes[7], b'/');
            assert_eq!(bytes[10], b'-');
            assert_eq!(bytes[19], b'.');
            assert_eq!(bytes[26], b' ');
            assert!(line.ends_with(message), "{line}");
            let thread = line[27..line.len() - message.len() - 1].to_string();
            assert!(thread.parse::<u64>().is_ok(), "{thread}");
        }
    }

    #[test]
    fn prefix_format() {
        let prefix = line_prefix(
            UNIX_EPOCH + std::time::Duration::from_micros(1_700_000_000_000_042),
            7,
        );
        assert_eq!(prefix.len(), "2023/11/14-22:13:20.000042 7 ".len());
        assert!(prefix.ends_with(".000042 7 "), "{prefix}");
    }
}
