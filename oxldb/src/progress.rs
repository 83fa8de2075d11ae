//! The progress of a long command (`load`, `compact`, `repair`, a whole-database `scan`) on stderr: the entries
//! and bytes done, the rate, and for `compact` the level being compacted.
//!
//! It is shown only when stderr is a terminal, so a script that reads stderr sees nothing new; `OXLDB_PROGRESS=1`
//! (or `0`) shows (or hides) it whatever stderr is.
//!
//! Invariant: the progress line is redrawn in place (`\r`) at most every `PERIOD`, and when the `Progress` is
//! dropped (the command is done, or failed) the last line is drawn and ended with a newline, so what the command
//! prints on stderr afterwards starts on a line of its own.

use std::io::{self, IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often the line is redrawn.
const PERIOD: Duration = Duration::from_millis(200);

/// What has been done, shared with the database's threads (see `progress_env`).
pub struct Meter {
    /// The command's name, first on the line.
    label: &'static str,
    /// Whether the command counts entries (compaction does not see them).
    counts_entries: bool,
    start: Instant,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    entries: u64,
    bytes: u64,
    level: Option<u64>,
    last_drawn: Option<Instant>,
    /// The length of the line last drawn, to blank what a shorter one leaves.
    width: usize,
}

/// The progress of one command; dropping it ends the line.
pub struct Progress(Option<Arc<Meter>>);

/// Whether progress is shown: `OXLDB_PROGRESS` if it is `1` or `0`, else whether stderr is a terminal.
fn wanted() -> bool {
    match std::env::var_os("OXLDB_PROGRESS") {
        Some(v) if v == "1" => true,
        Some(v) if v == "0" => false,
        _ => io::stderr().is_terminal(),
    }
}

impl Progress {
    /// The progress of the command `label`, shown if `wanted`; `counts_entries` puts the entries on the line.
    pub fn start(label: &'static str, counts_entries: bool) -> Progress {
        Progress::start_if(wanted(), label, counts_entries)
    }

    /// As `start`, for a command that prints its rows on stdout: when stdout is the same terminal, the rows
    /// already show how far it is, and a progress line would cut into them (unless `OXLDB_PROGRESS=1`).
    pub fn start_beside_rows(label: &'static str) -> Progress {
        let forced = std::env::var_os("OXLDB_PROGRESS").is_some_and(|v| v == "1");
        Progress::start_if(
            wanted() && (forced || !io::stdout().is_terminal()),
            label,
            true,
        )
    }

    /// No progress shown.
    pub fn none() -> Progress {
        Progress(None)
    }

    fn start_if(shown: bool, label: &'static str, counts_entries: bool) -> Progress {
        Progress(shown.then(|| {
            Arc::new(Meter {
                label,
                counts_entries,
                start: Instant::now(),
                state: Mutex::new(State::default()),
            })
        }))
    }

    /// The meter the database's threads report to, if progress is shown.
    pub fn meter(&self) -> Option<&Arc<Meter>> {
        self.0.as_ref()
    }

    /// Counts `entries` and `bytes` more done.
    pub fn add(&self, entries: u64, bytes: u64) {
        if let Some(meter) = &self.0 {
            meter.add(entries, bytes);
        }
    }

    /// Prints `text` as a line of its own on stderr, clearing the progress line first (it is drawn again below
    /// at the next update).
    pub fn say(&self, text: &str) {
        let mut stderr = io::stderr();
        if let Some(meter) = &self.0 {
            let mut state = meter.lock();
            if state.width > 0 {
                let _ = write!(stderr, "\r{:width$}\r", "", width = state.width);
            }
            state.width = 0;
            state.last_drawn = None;
        }
        let _ = writeln!(stderr, "{text}");
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(meter) = &self.0 {
            let mut state = meter.lock();
            meter.draw(&mut state, "\n");
        }
    }
}

impl Meter {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts `entries` and `bytes` more done, and redraws the line if it is time.
    pub fn add(&self, entries: u64, bytes: u64) {
        let mut state = self.lock();
        state.entries += entries;
        state.bytes += bytes;
        self.maybe_draw(&mut state);
    }

    /// Notes that `level` is being compacted.
    pub fn set_level(&self, level: u64) {
        let mut state = self.lock();
        state.level = Some(level);
        self.maybe_draw(&mut state);
    }

    fn maybe_draw(&self, state: &mut State) {
        let now = Instant::now();
        if state.last_drawn.is_none_or(|last| now - last >= PERIOD) {
            state.last_drawn = Some(now);
            self.draw(state, "");
        }
    }

    /// Draws the line over the last one, followed by `end`.
    fn draw(&self, state: &mut State, end: &str) {
        let seconds = self.start.elapsed().as_secs_f64().max(1e-3);
        let mut line = format!("{}:", self.label);
        if let Some(level) = state.level {
            line.push_str(&format!(" level {level},"));
        }
        if self.counts_entries {
            line.push_str(&format!(" {} entries,", state.entries));
        }
        line.push_str(&format!(
            " {}, {}/s",
            size(state.bytes),
            size((state.bytes as f64 / seconds) as u64)
        ));
        let blank = state.width.saturating_sub(line.len());
        state.width = line.len();
        // Progress is a courtesy: a closed stderr must not fail the command.
        let _ = write!(io::stderr(), "\r{line}{:blank$}{end}", "");
    }
}

/// `bytes` for people: B, KiB, MiB or GiB, with one decimal.
fn size(bytes: u64) -> String {
    const UNITS: [&str; 3] = ["KiB", "MiB", "GiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::size;

    #[test]
    fn sizes_for_people() {
        assert_eq!(size(0), "0 B");
        assert_eq!(size(1023), "1023 B");
        assert_eq!(size(1024), "1.0 KiB");
        assert_eq!(size(1536 * 1024), "1.5 MiB");
        assert_eq!(size(3 << 30), "3.0 GiB");
        assert_eq!(size(5000 << 30), "5000.0 GiB");
    }
}
