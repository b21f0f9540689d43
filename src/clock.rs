//! Time as people here read it: every stored instant is UTC, every shown date is Shanghai time (UTC+8, no DST).
//!
//! This is the one module that reads the system's time. Every rule that depends on "now" (windows, deadlines,
//! sessions, the pledge's 15 seconds, freezes, throttles, publish times, tokens) asks the `Clock` the services own,
//! so tests can move time instead of waiting for it; a test checks that nothing else calls `Utc::now()`.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

fn shanghai_offset() -> FixedOffset {
    // 8 hours east of UTC is always a valid offset.
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"))
}

/// Where "now" comes from: the system's time, or (for tests only, see `serve --test-clock`) the system's time
/// moved forward by an amount tests choose. Cheap to clone; clones share the amount.
#[derive(Clone, Default)]
pub struct Clock {
    /// Milliseconds added to the system's time; `None` on the production clock, which cannot be moved.
    offset_ms: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system's time, unmovable.
    pub fn system() -> Self {
        Self { offset_ms: None }
    }

    /// A clock that starts at the system's time and can be moved forward with `advance`. Still flowing, so
    /// everything that orders by time (history, versions, audit) keeps its order.
    pub fn movable() -> Self {
        Self { offset_ms: Some(Arc::new(AtomicI64::new(0))) }
    }

    pub fn is_movable(&self) -> bool {
        self.offset_ms.is_some()
    }

    /// Moves a movable clock forward by `by` (never back: instants already stored stay in the past). False on the
    /// system clock, which does not move, and for a negative amount.
    pub fn advance(&self, by: chrono::Duration) -> bool {
        match &self.offset_ms {
            Some(offset) if by >= chrono::Duration::zero() => {
                offset.fetch_add(by.num_milliseconds(), Ordering::SeqCst);
                true
            }
            _ => false,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let system = Utc::now();
        match &self.offset_ms {
            Some(offset) => system + chrono::Duration::milliseconds(offset.load(Ordering::SeqCst)),
            None => system,
        }
    }

    /// Today's date in Shanghai (used for "not in the future" rules).
    pub fn today(&self) -> NaiveDate {
        date(self.now())
    }
}

/// The system's time as the file system keeps it, only to compare with files' modification times (temporary and
/// orphan files' age): files are dated by the real clock, whatever a test did to the services' clock.
pub fn file_time() -> std::time::SystemTime {
    std::time::SystemTime::now()
}

/// The Shanghai date of an instant.
pub fn date(at: DateTime<Utc>) -> NaiveDate {
    local(at).date_naive()
}

pub fn local(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&shanghai_offset())
}

/// `yyyy-mm-dd hh:mm`, the manual's 发布时间 format.
pub fn minute(at: DateTime<Utc>) -> String {
    local(at).format("%Y-%m-%d %H:%M").to_string()
}

/// `yyyy-mm-dd`.
pub fn day(at: DateTime<Utc>) -> String {
    local(at).format("%Y-%m-%d").to_string()
}

/// The instant of a Shanghai wall-clock time (what a person typed into a date-time field).
pub fn from_local(time: chrono::NaiveDateTime) -> DateTime<Utc> {
    // A fixed offset has no gaps or overlaps, so the mapping is always single.
    (time - chrono::Duration::hours(8)).and_utc()
}

/// `yyyy-mm-ddThh:mm` in Shanghai time, the value format of an `<input type="datetime-local">`.
pub fn input_minute(at: DateTime<Utc>) -> String {
    local(at).format("%Y-%m-%dT%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_movable_clock_moves_and_only_forward() {
        let system = Clock::system();
        assert!(!system.advance(chrono::Duration::hours(1)));
        assert!(system.now() - Utc::now() < chrono::Duration::seconds(1));

        let movable = Clock::movable();
        let shared = movable.clone();
        assert!(movable.advance(chrono::Duration::days(2)));
        assert!(!movable.advance(chrono::Duration::seconds(-1)));
        let ahead = shared.now() - Utc::now();
        assert!(ahead > chrono::Duration::hours(47) && ahead < chrono::Duration::hours(49), "{ahead}");
        assert!(shared.today() > Clock::system().today());
    }

    /// Nothing outside this module reads the system's time: a rule that called `Utc::now()` itself could not be
    /// moved by the tests' clock (and would quietly disagree with the services' clock).
    #[test]
    fn only_this_module_reads_the_system_time() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut found = Vec::new();
        let mut folders = vec![root.clone()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).expect("source folder").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|ext| ext == "rs") && path != root.join("clock.rs") {
                    let text = std::fs::read_to_string(&path).expect("source file");
                    for (number, line) in text.lines().enumerate() {
                        // Comments may name the calls.
                        let code = line.split("//").next().unwrap_or("");
                        if ["Utc::now()", "SystemTime::now()"].iter().any(|call| code.contains(call)) {
                            found.push(format!("{}:{}: {}", path.display(), number + 1, line.trim()));
                        }
                    }
                }
            }
        }
        assert!(
            found.is_empty(),
            "read the time from the services' Clock (crate::clock), not the system:\n{}",
            found.join("\n")
        );
    }
}
