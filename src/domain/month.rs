//! Local calendar months (SPEC §2: "month" means a local calendar month, `TZ` honoured), the
//! unit of the KPI report.

use super::time::{day_start, today};
use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a month (YYYY-MM, e.g. 2026-03)")]
pub struct MonthError(String);

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1..=9999).contains(&year) && (1..=12).contains(&month)).then_some(Month { year, month })
    }

    pub fn of(date: NaiveDate) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The month of today's local date.
    pub fn current() -> Month {
        Month::of(today())
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month::new(self.year + 1, 1).unwrap_or(self)
        } else {
            Month {
                month: self.month + 1,
                ..self
            }
        }
    }

    pub fn prev(self) -> Month {
        if self.month == 1 {
            Month::new(self.year - 1, 12).unwrap_or(self)
        } else {
            Month {
                month: self.month - 1,
                ..self
            }
        }
    }

    /// `[start, end)` in UTC seconds: local midnight of the first day to local midnight of
    /// the first day of the next month.
    pub fn bounds(self) -> (i64, i64) {
        (
            day_start(self.first_day()),
            day_start(self.next().first_day()),
        )
    }

    /// `[start, end)` as `YYYY-MM-DD` texts, for columns holding calendar dates.
    pub fn date_bounds(self) -> (String, String) {
        (
            self.first_day().to_string(),
            self.next().first_day().to_string(),
        )
    }

    /// The `n` months ending with this one, oldest first.
    pub fn last(self, n: usize) -> Vec<Month> {
        let mut out = Vec::with_capacity(n);
        let mut m = self;
        for _ in 0..n {
            out.push(m);
            m = m.prev();
        }
        out.reverse();
        out
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = MonthError;

    /// Exactly `YYYY-MM`.
    fn from_str(text: &str) -> Result<Month, MonthError> {
        let bad = || MonthError(text.to_string());
        let t = text.trim();
        let (y, m) = t.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 || !(y.chars().chain(m.chars())).all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        Month::new(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?).ok_or_else(bad)
    }
}

impl serde::Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_strictly_and_step_across_years() {
        let m: Month = "2026-01".parse().unwrap();
        assert_eq!(m.to_string(), "2026-01");
        assert_eq!(m.prev().to_string(), "2025-12");
        assert_eq!(m.prev().next(), m);
        assert_eq!(
            "2026-12".parse::<Month>().unwrap().next().to_string(),
            "2027-01"
        );
        for bad in [
            "2026-13",
            "2026-00",
            "2026-1",
            "26-01",
            "2026/01",
            "",
            "2026-01-01",
            "abcd-ef",
        ] {
            assert!(bad.parse::<Month>().is_err(), "{bad}");
        }
        assert_eq!(
            m.last(3).iter().map(Month::to_string).collect::<Vec<_>>(),
            ["2025-11", "2025-12", "2026-01"]
        );
        assert_eq!(m.date_bounds(), ("2026-01-01".into(), "2026-02-01".into()));
    }

    #[test]
    fn bounds_are_local_midnights() {
        let m: Month = "2026-02".parse().unwrap();
        let (a, b) = m.bounds();
        assert_eq!(a, day_start(NaiveDate::from_ymd_opt(2026, 2, 1).unwrap()));
        assert_eq!(b, day_start(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()));
        assert!(b - a >= 27 * 86_400 && b - a <= 29 * 86_400);
    }
}
