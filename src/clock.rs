//! Time as people here read it: every stored instant is UTC, every shown date is Shanghai time (UTC+8, no DST).

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

fn shanghai_offset() -> FixedOffset {
    // 8 hours east of UTC is always a valid offset.
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"))
}

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Today's date in Shanghai (used for "not in the future" rules).
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&shanghai_offset()).date_naive()
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
