//! Dates and timestamps as the clerk types and reads them. Timestamps are stored as UTC Unix
//! seconds and shown in local time; dates are calendar days `YYYY-MM-DD` (SPEC §2, §5).

use chrono::{DateTime, Local, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};

pub const DATE_FORMAT: &str = "%Y-%m-%d";
pub const STAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("'{0}' is not a date (YYYY-MM-DD)")]
    BadDate(String),
    #[error("'{0}' is not a time (YYYY-MM-DD HH:MM[:SS] or RFC 3339)")]
    BadStamp(String),
    #[error("'{0}' does not exist in the local time zone")]
    NoSuchLocalTime(String),
    #[error("'{0}' is not between {FIRST_YEAR} and {LAST_YEAR}")]
    OutOfRange(String),
}

/// The years a date of the desk can fall in: a typo such as `0026` or `9999` is refused
/// where dates enter, rather than shown later as "overdue 740321 d".
pub const FIRST_YEAR: i32 = 1900;
pub const LAST_YEAR: i32 = 2199;

/// The date when its year is plausible (see [`FIRST_YEAR`]).
pub fn plausible(date: NaiveDate, text: &str) -> Result<NaiveDate, TimeError> {
    use chrono::Datelike;
    if (FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        Ok(date)
    } else {
        Err(TimeError::OutOfRange(text.to_string()))
    }
}

pub fn parse_date(text: &str) -> Result<NaiveDate, TimeError> {
    let t = text.trim();
    // Imports read hundreds of thousands of dates: the canonical shape is read directly,
    // anything else by chrono (which decides what is valid).
    if let Some(d) = canonical_date(t.as_bytes()) {
        return plausible(d, text);
    }
    NaiveDate::parse_from_str(t, DATE_FORMAT)
        .map_err(|_| TimeError::BadDate(text.to_string()))
        .and_then(|d| plausible(d, text))
}

/// `YYYY-MM-DD` exactly, or `None` (also for an impossible day).
fn canonical_date(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    NaiveDate::from_ymd_opt(year as i32, month, day)
}

/// `HH:MM:SS` exactly.
fn canonical_time(b: &[u8]) -> Option<chrono::NaiveTime> {
    if b.len() != 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    chrono::NaiveTime::from_hms_opt(digits(&b[0..2])?, digits(&b[3..5])?, digits(&b[6..8])?)
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

pub fn format_date(date: NaiveDate) -> String {
    use chrono::Datelike;
    if (0..=9999).contains(&date.year()) {
        format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
    } else {
        date.format(DATE_FORMAT).to_string()
    }
}

/// A date in a file's cell: `YYYY-MM-DD`, also followed by a midnight time, as spreadsheets
/// and databases write dates (`2026-03-01 00:00:00`, `2026-03-01 00:00:00.000`).
pub fn parse_file_date(text: &str) -> Result<NaiveDate, TimeError> {
    let t = text.trim();
    match parse_date(t) {
        Ok(d) => return Ok(d),
        Err(TimeError::OutOfRange(_)) => return Err(TimeError::OutOfRange(text.to_string())),
        Err(_) => {}
    }
    let bad = || TimeError::BadDate(text.to_string());
    let (day, time) = t.split_once([' ', 'T']).ok_or_else(bad)?;
    let midnight = time
        .trim_start_matches(['0', ':'])
        .trim_start_matches('.')
        .trim_start_matches('0')
        .is_empty()
        && time.starts_with("00:00");
    if midnight {
        parse_date(day).map_err(|e| match e {
            TimeError::OutOfRange(_) => TimeError::OutOfRange(text.to_string()),
            _ => bad(),
        })
    } else {
        Err(bad())
    }
}

/// Reads `YYYY-MM-DD HH:MM[:SS]` (local; fractions of a second are dropped), RFC 3339 with
/// an offset, or a bare date (local midnight), and returns UTC Unix seconds.
pub fn parse_stamp(text: &str) -> Result<i64, TimeError> {
    let at = parse_stamp_any_year(text)?;
    plausible(local_date(at), text)?;
    Ok(at)
}

fn parse_stamp_any_year(text: &str) -> Result<i64, TimeError> {
    let t = text.trim();
    let b = t.as_bytes();
    if b.len() == 19 && b[10] == b' ' {
        if let (Some(d), Some(tm)) = (canonical_date(&b[..10]), canonical_time(&b[11..])) {
            return local_to_unix(d.and_time(tm))
                .ok_or_else(|| TimeError::NoSuchLocalTime(text.to_string()));
        }
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.timestamp());
    }
    let naive = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(t, DATE_FORMAT)
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })
    .ok_or_else(|| TimeError::BadStamp(text.to_string()))?;
    local_to_unix(naive).ok_or_else(|| TimeError::NoSuchLocalTime(text.to_string()))
}

/// A deadline (an ETA): like `parse_stamp`, but a bare date means the end of that day, so
/// a parcel due today is not late before the day is out.
pub fn parse_until(text: &str) -> Result<i64, TimeError> {
    let t = text.trim();
    match NaiveDate::parse_from_str(t, DATE_FORMAT) {
        Ok(d) if t.len() == 10 => {
            let end = d
                .and_hms_opt(23, 59, 59)
                .ok_or_else(|| TimeError::BadStamp(text.to_string()))?;
            local_to_unix(end).ok_or_else(|| TimeError::NoSuchLocalTime(text.to_string()))
        }
        _ => parse_stamp(t),
    }
}

fn local_to_unix(naive: NaiveDateTime) -> Option<i64> {
    #[cfg(test)]
    if test_clock::get().is_some() {
        return Some(naive.and_utc().timestamp());
    }
    match Local.from_local_datetime(&naive) {
        LocalResult::Single(dt) => Some(dt.timestamp()),
        // In the hour a clock goes back, the earlier reading is the one a person means.
        LocalResult::Ambiguous(a, _) => Some(a.timestamp()),
        LocalResult::None => None,
    }
}

pub fn local(ts: i64) -> DateTime<Local> {
    let utc = Utc.timestamp_opt(ts, 0).single().unwrap_or_default();
    #[cfg(test)]
    if test_clock::get().is_some() {
        if let Some(zero) = chrono::FixedOffset::east_opt(0) {
            return DateTime::from_naive_utc_and_offset(utc.naive_utc(), zero);
        }
    }
    utc.with_timezone(&Local)
}

/// `YYYY-MM-DD HH:MM:SS` in local time: the export format, stable for round trips.
pub fn format_stamp(ts: i64) -> String {
    use chrono::{Datelike, Timelike};
    let at = local(ts);
    if (0..=9999).contains(&at.year()) {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            at.year(),
            at.month(),
            at.day(),
            at.hour(),
            at.minute(),
            at.second()
        )
    } else {
        at.format(STAMP_FORMAT).to_string()
    }
}

/// `YYYY-MM-DD HH:MM` in local time, for screens.
pub fn format_stamp_short(ts: i64) -> String {
    local(ts).format("%Y-%m-%d %H:%M").to_string()
}

pub fn local_date(ts: i64) -> NaiveDate {
    local(ts).date_naive()
}

pub fn now() -> i64 {
    #[cfg(test)]
    if let Some(fixed) = test_clock::get() {
        return fixed;
    }
    Utc::now().timestamp()
}

pub fn today() -> NaiveDate {
    local_date(now())
}

/// A fixed "now" (and UTC as the local zone) for tests of screens that show times, so their
/// snapshots do not depend on the day or the zone they run in. Per thread: tests run in
/// parallel.
#[cfg(test)]
pub mod test_clock {
    use std::cell::Cell;

    thread_local! {
        static FIXED: Cell<Option<i64>> = const { Cell::new(None) };
    }

    pub fn get() -> Option<i64> {
        FIXED.with(Cell::get)
    }

    /// Fixes the clock until the guard is dropped.
    #[must_use]
    pub fn fix(now: i64) -> Guard {
        FIXED.with(|f| f.set(Some(now)));
        Guard
    }

    pub struct Guard;

    impl Drop for Guard {
        fn drop(&mut self) {
            FIXED.with(|f| f.set(None));
        }
    }
}

/// Start of a local calendar day as UTC seconds (first valid instant of the day).
pub fn day_start(date: NaiveDate) -> i64 {
    (0..24)
        .find_map(|h| date.and_hms_opt(h, 0, 0).and_then(local_to_unix))
        .unwrap_or_else(|| {
            date.and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc()
                .timestamp()
        })
}

/// The unit a countdown is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationUnit {
    Days,
    Hours,
    Minutes,
}

/// A compact signed duration for countdowns in narrow columns: whole days from two days
/// on, whole hours from one hour, else minutes. The UI words it in its language (`3d`,
/// `3天`; `ui::words::duration`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShortDuration {
    pub negative: bool,
    pub count: u64,
    pub unit: DurationUnit,
}

pub fn short_duration(seconds: i64) -> ShortDuration {
    // unsigned_abs: i64::MIN has no positive counterpart, and a damaged row may hold it.
    let s = seconds.unsigned_abs();
    let (count, unit) = if s >= 2 * 86_400 {
        (s / 86_400, DurationUnit::Days)
    } else if s >= 3_600 {
        (s / 3_600, DurationUnit::Hours)
    } else {
        (s / 60, DurationUnit::Minutes)
    };
    ShortDuration {
        negative: seconds < 0,
        count,
        unit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;
    use proptest::prelude::*;

    #[test]
    fn dates_outside_1900_to_2199_are_refused_everywhere() {
        for bad in ["0000-01-01", "9999-12-31", "1899-12-31", "2200-01-01"] {
            assert_eq!(
                parse_date(bad),
                Err(TimeError::OutOfRange(bad.into())),
                "{bad}"
            );
            assert!(matches!(
                parse_file_date(bad),
                Err(TimeError::OutOfRange(_))
            ));
            assert!(matches!(parse_stamp(bad), Err(TimeError::OutOfRange(_))));
        }
        assert!(matches!(
            parse_file_date("9999-01-01 00:00:00"),
            Err(TimeError::OutOfRange(_))
        ));
        assert!(matches!(
            parse_stamp("0001-01-01T08:00:00+08:00"),
            Err(TimeError::OutOfRange(_))
        ));
        for good in ["1900-01-01", "2199-12-31", "2026-03-01"] {
            assert!(parse_date(good).is_ok(), "{good}");
        }
        assert!(parse_stamp("2199-12-30 23:59").is_ok());
    }

    #[test]
    fn stamps_parse_in_every_documented_form() {
        let a = parse_stamp("2026-03-01 08:30").unwrap();
        let b = parse_stamp("2026-03-01 08:30:00").unwrap();
        assert_eq!(a, b);
        assert_eq!(
            parse_stamp("2026-03-01T08:30:00+00:00").unwrap(),
            1_772_353_800
        );
        assert!(parse_stamp("2026-13-01").is_err());
        assert!(parse_stamp("yesterday").is_err());
        assert_eq!(parse_stamp(&format_stamp(a)).unwrap(), a);
    }

    #[test]
    fn stamps_from_other_programs_are_read() {
        let plain = parse_stamp("1996-07-04 10:20:30").unwrap();
        assert_eq!(parse_stamp("1996-07-04 10:20:30.000").unwrap(), plain);
        assert_eq!(parse_stamp("1996-07-04T10:20:30.5").unwrap(), plain);
        assert_eq!(
            parse_stamp("1996-07-04 00:00:00.000").unwrap(),
            parse_stamp("1996-07-04").unwrap()
        );
        assert_eq!(
            parse_stamp("2026-03-01 16:30:00+08:00").unwrap(),
            parse_stamp("2026-03-01T08:30:00Z").unwrap()
        );
        assert_eq!(parse_stamp("2026-03-01T08:30:00Z").unwrap(), 1_772_353_800);
        assert!(parse_stamp("2026-03-01 08:30:00.x").is_err());
    }

    #[test]
    fn file_dates_accept_a_midnight_time_only() {
        let d = parse_date("2026-03-01").unwrap();
        for ok in [
            "2026-03-01",
            " 2026-03-01 ",
            "2026-03-01 00:00",
            "2026-03-01 00:00:00",
            "2026-03-01 00:00:00.000",
            "2026-03-01T00:00:00",
        ] {
            assert_eq!(parse_file_date(ok), Ok(d), "{ok}");
        }
        for bad in [
            "2026-03-01 08:00:00",
            "2026-03-01 00:00:01",
            "2026-03-01 00:00:00.5",
            "2026-03-01 noon",
            "01/03/2026",
            "2026-02-30 00:00",
        ] {
            assert!(parse_file_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_quick_path_reads_what_chrono_reads() {
        for text in ["2026-02-28", "0999-01-01", "2024-02-29"] {
            let quick = canonical_date(text.as_bytes());
            assert_eq!(
                quick,
                NaiveDate::parse_from_str(text, DATE_FORMAT).ok(),
                "{text}"
            );
            assert_eq!(format_date(quick.unwrap()), text);
        }
        for text in [
            "2026-02-30",
            "2026-13-01",
            "2026-1-01",
            "+2026-01-01",
            "2026-01-0x",
        ] {
            assert_eq!(canonical_date(text.as_bytes()), None, "{text}");
        }
        assert!(parse_date("2025-02-29").is_err());
        assert!(parse_stamp("2026-03-01 24:00:00").is_err());
        assert!(parse_stamp("2026-03-01 23:60:00").is_err());
    }

    #[test]
    fn dates_are_strict() {
        assert!(parse_date("2026-02-30").is_err());
        assert_eq!(
            format_date(parse_date(" 2026-02-28 ").unwrap()),
            "2026-02-28"
        );
    }

    #[test]
    fn durations_are_compact() {
        let d = |negative, count, unit| ShortDuration {
            negative,
            count,
            unit,
        };
        assert_eq!(
            short_duration(3 * 86_400 + 5),
            d(false, 3, DurationUnit::Days)
        );
        assert_eq!(
            short_duration(36 * 3_600),
            d(false, 36, DurationUnit::Hours)
        );
        assert_eq!(short_duration(-5 * 3_600), d(true, 5, DurationUnit::Hours));
        assert_eq!(short_duration(59 * 60), d(false, 59, DurationUnit::Minutes));
    }

    proptest! {
        #[test]
        fn any_text_parses_or_errs_without_panic(s in "\\PC{0,30}") {
            let _ = parse_stamp(&s);
            let _ = parse_date(&s);
            let _ = parse_file_date(&s);
        }

        #[test]
        fn formatted_stamps_read_back(ts in 0i64..4_000_000_000) {
            let text = format_stamp(ts);
            prop_assert_eq!(&text, &local(ts).format(STAMP_FORMAT).to_string());
            prop_assert_eq!(parse_stamp(&text).unwrap(), ts);
        }

        /// Text shaped like dates and times, valid or nearly so, with the odd extreme field.
        #[test]
        fn date_like_text_parses_or_errs_without_panic(
            s in "[ +-]?[0-9]{1,12}-[0-9]{1,3}-[0-9]{1,3}([ T][0-9]{1,3}:[0-9]{1,3}(:[0-9]{1,3})?)?([Zz]|[+-][0-9]{2}:?[0-9]{2})? ?"
        ) {
            let _ = parse_stamp(&s);
            let _ = parse_date(&s);
        }

        #[test]
        fn valid_dates_round_trip(days in 0i32..3_652_059) {
            // Every day from 0001-01-01 to 9999-12-31: those of 1900–2199 round-trip, the
            // others are refused as implausible.
            let d = NaiveDate::from_num_days_from_ce_opt(days + 1).unwrap();
            let text = format_date(d);
            if plausible(d, &text).is_err() {
                prop_assert_eq!(parse_date(&text), Err(TimeError::OutOfRange(text.clone())));
                return Ok(());
            }
            prop_assert_eq!(parse_date(&text), Ok(d));
            prop_assert_eq!(parse_date(&format!("  {text}\t")), Ok(d));
            // A bare date is a stamp at local midnight of that day.
            if let Ok(ts) = parse_stamp(&text) {
                prop_assert_eq!(local_date(ts), d);
            }
        }

        #[test]
        fn any_instant_formats_and_counts_down_without_panic(
            ts in prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0), any::<i64>()]
        ) {
            let _ = format_stamp(ts);
            let _ = format_stamp_short(ts);
            let _ = local_date(ts);
            let d = short_duration(ts);
            prop_assert_eq!(d.negative, ts < 0);
            let unit = match d.unit {
                DurationUnit::Days => 86_400,
                DurationUnit::Hours => 3_600,
                DurationUnit::Minutes => 60,
            };
            prop_assert!(u128::from(d.count) * unit <= u128::from(ts.unsigned_abs()));
        }

        #[test]
        fn every_day_has_a_start(days in 0i32..3_652_059) {
            let d = NaiveDate::from_num_days_from_ce_opt(days + 1).unwrap();
            let start = day_start(d);
            prop_assert!(local_date(start) == d || d.year() >= 9999 || d.year() <= 1);
        }
    }

    #[test]
    fn a_date_only_deadline_lasts_to_the_end_of_the_day() {
        let _clock = test_clock::fix(0);
        let midnight = parse_stamp("2026-03-10").expect("date");
        assert_eq!(parse_until("2026-03-10"), Ok(midnight + 86_399));
        assert_eq!(
            parse_until("2026-03-10 14:00"),
            parse_stamp("2026-03-10 14:00")
        );
        assert!(parse_until("2026-13-45").is_err());
    }
}
