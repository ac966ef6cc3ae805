//! Spot-checks of follow-up records (SPEC §2): each ISO week, a random sample of the contacts
//! logged that week is checked for whether the key facts (contract terms, delivery dates)
//! were conveyed clearly. The draw is seeded by the week, so the same week always gives the
//! same sample from the same contacts; contacts logged later in the week can still enter it
//! until the week is over.

use super::time::day_start;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rand::seq::IteratorRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::fmt;
use std::str::FromStr;

/// An ISO 8601 week, `2026-W49`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Week {
    year: i32,
    week: u32,
}

impl Week {
    /// The week `date` falls in.
    pub fn of(date: NaiveDate) -> Week {
        let w = date.iso_week();
        Week {
            year: w.year(),
            week: w.week(),
        }
    }

    pub fn monday(self) -> NaiveDate {
        // Constructed only from valid weeks (`of`, `from_str`), so Monday exists.
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon).unwrap_or_default()
    }

    pub fn sunday(self) -> NaiveDate {
        self.monday() + Duration::days(6)
    }

    /// `[Monday 00:00, next Monday 00:00)` local time, in UTC seconds.
    pub fn bounds(self) -> (i64, i64) {
        let monday = self.monday();
        (day_start(monday), day_start(monday + Duration::days(7)))
    }

    /// The seed of this week's draw.
    pub fn seed(self) -> u64 {
        (self.year as u64) * 100 + u64::from(self.week)
    }
}

impl fmt::Display for Week {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-W{:02}", self.year, self.week)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an ISO week (YYYY-Www)")]
pub struct BadWeek;

impl FromStr for Week {
    type Err = BadWeek;

    fn from_str(s: &str) -> Result<Week, BadWeek> {
        let (year, week) = s.trim().split_once(['W', 'w']).ok_or(BadWeek)?;
        let year: i32 = year.trim_end_matches('-').parse().map_err(|_| BadWeek)?;
        let week: u32 = week.parse().map_err(|_| BadWeek)?;
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).ok_or(BadWeek)?;
        Ok(Week { year, week })
    }
}

/// The `n` contacts drawn for `week` from `ids` (the week's contacts in id order), in id
/// order. Memory holds `n` ids, however many contacts the week had.
pub fn sample(week: Week, ids: impl Iterator<Item = i64>, n: usize) -> Vec<i64> {
    let mut rng = ChaCha8Rng::seed_from_u64(week.seed());
    let mut drawn = ids.choose_multiple(&mut rng, n);
    drawn.sort_unstable();
    drawn
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_parse_print_and_bound_monday_to_monday() {
        let w: Week = "2026-W49".parse().unwrap();
        assert_eq!(w.to_string(), "2026-W49");
        assert_eq!(w.monday(), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
        assert_eq!(w.sunday(), NaiveDate::from_ymd_opt(2026, 12, 6).unwrap());
        assert_eq!(Week::of(NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()), w);
        let (a, b) = w.bounds();
        assert_eq!(b - a, 7 * 86_400);
        assert_eq!("2026w1".parse::<Week>().unwrap().to_string(), "2026-W01");
        assert!("2026-W54".parse::<Week>().is_err());
        assert!("2026-49".parse::<Week>().is_err());
        assert!("W49".parse::<Week>().is_err());
    }

    #[test]
    fn the_sample_is_the_same_for_the_same_week_and_differs_between_weeks() {
        let w: Week = "2026-W49".parse().unwrap();
        let a = sample(w, 1..=500, 10);
        assert_eq!(a.len(), 10);
        assert_eq!(a, sample(w, 1..=500, 10));
        assert!(a.windows(2).all(|p| p[0] < p[1]));
        assert!(a.iter().all(|id| (1..=500).contains(id)));
        let next: Week = "2026-W50".parse().unwrap();
        assert_ne!(a, sample(next, 1..=500, 10));
        // Fewer contacts than asked for: all of them.
        assert_eq!(sample(w, 1..=3, 10), vec![1, 2, 3]);
        assert!(sample(w, std::iter::empty(), 10).is_empty());
    }
}
