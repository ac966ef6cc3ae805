//! The demo's sense of time. Everything is placed relative to the start of today (local), so
//! the same seed on the same day gives the same data; nothing that has "happened" is later
//! than that instant. Calendar days are looked up in a table built once, because millions
//! of rows each need several local dates and timestamps.

use crate::domain::time::{day_start, format_date};
use chrono::{Datelike, Duration, NaiveDate, Weekday};

pub const HOUR: i64 = 3_600;
pub const DAY: i64 = 86_400;

/// Days before today the demo's history reaches back to (13 months).
pub const HISTORY_DAYS: i64 = 395;
/// The table covers this much past and future around today; every date the generator
/// produces falls inside (furthest: payment terms after the latest shipment, sea ETAs).
const PAST: i64 = HISTORY_DAYS + 30;
const FUTURE: i64 = 240;

pub struct Clock {
    pub today: NaiveDate,
    /// Start of today, local: the demo's "now".
    pub now: i64,
    /// Start of each day from `today - PAST` to `today + FUTURE`, increasing.
    starts: Vec<i64>,
    dates: Vec<String>,
    sundays: Vec<bool>,
}

impl Clock {
    pub fn new(today: NaiveDate) -> Clock {
        let days: Vec<NaiveDate> = (-PAST..=FUTURE)
            .map(|o| today + Duration::days(o))
            .collect();
        Clock {
            today,
            now: day_start(today),
            starts: days.iter().map(|d| day_start(*d)).collect(),
            dates: days.iter().map(|d| format_date(*d)).collect(),
            sundays: days.iter().map(|d| d.weekday() == Weekday::Sun).collect(),
        }
    }

    fn index(offset: i64) -> usize {
        (offset.clamp(-PAST, FUTURE) + PAST) as usize
    }

    /// The start of the day `offset` days from today (negative: past).
    pub fn day(&self, offset: i64) -> i64 {
        self.starts[Self::index(offset)]
    }

    /// `YYYY-MM-DD` of the day `offset` days from today. Offsets beyond the table are
    /// clamped to its ends; tests check the generator never gets there.
    pub fn date(&self, offset: i64) -> &str {
        &self.dates[Self::index(offset)]
    }

    pub fn is_sunday(&self, offset: i64) -> bool {
        self.sundays[Self::index(offset)]
    }

    /// The local day (as an offset from today) that contains `ts`.
    pub fn offset_of(&self, ts: i64) -> i64 {
        let i = self.starts.partition_point(|s| *s <= ts);
        i as i64 - 1 - PAST
    }

    /// The local calendar date of a timestamp, as text.
    pub fn date_of(&self, ts: i64) -> &str {
        self.date(self.offset_of(ts))
    }

    pub fn naive_date(&self, offset: i64) -> NaiveDate {
        self.today + Duration::days(offset.clamp(-PAST, FUTURE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_offsets_agree() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        let c = Clock::new(today);
        assert_eq!(c.date(0), "2026-03-29");
        assert_eq!(c.date(-1), "2026-03-28");
        assert_eq!(c.offset_of(c.now), 0);
        assert_eq!(c.offset_of(c.now - 1), -1);
        assert_eq!(c.offset_of(c.day(-100) + 23 * HOUR), -100);
        assert_eq!(c.date_of(c.day(40) + 5), "2026-05-08");
        assert!(c.is_sunday(0));
    }
}
