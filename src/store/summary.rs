//! The month at a glance for the Reports tab: indexed counts over one local calendar month.

use super::{Context, Result};
use crate::domain::money::{parse_decimal, Totals};
use crate::domain::time::day_start;
use chrono::{Datelike, NaiveDate};
use rusqlite::{params, Connection};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonthSummary {
    pub month: String,
    pub confirmed: u64,
    pub confirmed_by_type: [u64; 3],
    pub amount: Totals,
    pub delivered: u64,
    pub on_time: u64,
    pub won: u64,
    pub lost: u64,
    pub complaints: u64,
    pub responded_24h: u64,
    /// Complaints opened less than 24 h ago and not yet answered: not yet judged.
    pub complaints_pending: u64,
    pub complaints_closed: u64,
}

/// First day of the month and first day of the next.
pub fn month_bounds(first: NaiveDate) -> (NaiveDate, NaiveDate) {
    let start = first.with_day(1).unwrap_or(first);
    let next = if start.month() == 12 {
        NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(start.year(), start.month() + 1, 1)
    }
    .unwrap_or(start);
    (start, next)
}

const WON: &str = "('confirmed','in_production','ready','shipped','delivered','closed')";

pub fn month(conn: &Connection, any_day: NaiveDate, now: i64) -> Result<MonthSummary> {
    let (start, next) = month_bounds(any_day);
    let (a, b) = (day_start(start), day_start(next));
    let one = |sql: &str| -> Result<u64> {
        conn.query_row(sql, params![a, b], |r| r.get::<_, i64>(0))
            .map(|n| n.max(0) as u64)
            .doing("summing up the month")
    };
    let mut s = MonthSummary {
        month: start.format("%Y-%m").to_string(),
        ..Default::default()
    };
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT order_type, currency, total FROM orders
             WHERE ordered_at >= ?1 AND ordered_at < ?2 AND status IN {WON}"
        ))
        .doing("summing up the month")?;
    let mut rows = stmt.query(params![a, b]).doing("summing up the month")?;
    while let Some(r) = rows.next().doing("summing up the month")? {
        let kind: String = r.get(0).doing("summing up the month")?;
        let currency: String = r.get(1).doing("summing up the month")?;
        let total: String = r.get(2).doing("summing up the month")?;
        s.confirmed += 1;
        let i = match kind.as_str() {
            "rush" => 1,
            "custom" => 2,
            _ => 0,
        };
        s.confirmed_by_type[i] += 1;
        s.amount
            .add(&currency, parse_decimal(&total).unwrap_or_default());
    }
    s.won = s.confirmed;
    s.lost = one("SELECT count(*) FROM orders WHERE ordered_at >= ?1 AND ordered_at < ?2 AND status = 'lost'")?;
    s.delivered =
        one("SELECT count(*) FROM orders WHERE delivered_at >= ?1 AND delivered_at < ?2")?;
    s.on_time = one(
        "SELECT count(*) FROM orders WHERE delivered_at >= ?1 AND delivered_at < ?2
         AND date(delivered_at, 'unixepoch', 'localtime') <= due_date",
    )?;
    s.complaints = one("SELECT count(*) FROM complaints WHERE opened_at >= ?1 AND opened_at < ?2")?;
    s.responded_24h = one(
        "SELECT count(*) FROM complaints WHERE opened_at >= ?1 AND opened_at < ?2
         AND first_response_at IS NOT NULL AND first_response_at - opened_at <= 86400",
    )?;
    s.complaints_closed = one(
        "SELECT count(*) FROM complaints WHERE opened_at >= ?1 AND opened_at < ?2 AND resolved_at IS NOT NULL",
    )?;
    s.complaints_pending = conn
        .query_row(
            "SELECT count(*) FROM complaints WHERE opened_at >= ?1 AND opened_at < ?2
             AND first_response_at IS NULL AND opened_at > ?3 - 86400",
            params![a, b, now],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n.max(0) as u64)
        .doing("summing up the month")?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn counts_one_month_only() {
        let store = Store::open_in_memory().unwrap();
        let c = store.conn();
        let day = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let inside = day_start(day) + 3600;
        let outside = day_start(NaiveDate::from_ymd_opt(2026, 4, 2).unwrap());
        for (no, at, status, kind, total, delivered, due) in [
            (
                "A",
                inside,
                "delivered",
                "rush",
                "10.5",
                Some(inside),
                "2026-03-10",
            ),
            ("B", inside, "confirmed", "regular", "4", None, "2026-03-30"),
            ("C", inside, "lost", "regular", "1", None, "2026-03-30"),
            ("D", outside, "confirmed", "custom", "7", None, "2026-04-30"),
            (
                "E",
                inside - 86400 * 30,
                "delivered",
                "regular",
                "1",
                Some(inside + 86400 * 3),
                "2026-03-11",
            ),
        ] {
            c.execute(
                "INSERT INTO orders (order_no, order_type, status, ordered_at, total, currency, delivered_at,
                    due_date, status_changed_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'USD', ?6, ?7, 0, 0, 0)",
                params![no, kind, status, at, total, delivered, due],
            )
            .unwrap();
        }
        let s = month(c, day, inside).unwrap();
        assert_eq!(s.month, "2026-03");
        assert_eq!(s.confirmed, 2);
        assert_eq!(s.confirmed_by_type, [1, 1, 0]);
        assert_eq!(s.amount.get("USD").to_string(), "14.5");
        assert_eq!((s.won, s.lost), (2, 1));
        assert_eq!(
            (s.delivered, s.on_time),
            (2, 1),
            "E arrived after its due date"
        );
        assert_eq!(
            month_bounds(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()).1,
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
        );
    }
}
