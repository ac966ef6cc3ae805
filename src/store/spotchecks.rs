//! Spot-checks of follow-up records: each week's sample of contacts (drawn by
//! `domain::spotcheck` from the week's contacts, read in id order from the `at` index) and the
//! results recorded against it.

use super::{audit, Context, Result};
use crate::domain::spotcheck::{self, Week};
use crate::domain::time::local_date;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

/// One recorded check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub accurate: bool,
    pub note: Option<String>,
    pub checked_at: i64,
}

/// A contact of the week's sample, with its check when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleLine {
    pub contact_id: i64,
    pub at: i64,
    pub customer: String,
    pub channel: String,
    pub direction: String,
    pub summary: Option<String>,
    pub check: Option<Check>,
}

/// The week's sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub week: Week,
    /// Contacts logged in the week, the population of the draw.
    pub contacts: u64,
    pub lines: Vec<SampleLine>,
}

/// The ids drawn for `week` out of its contacts.
pub fn drawn(conn: &Connection, week: Week, n: usize) -> Result<(u64, Vec<i64>)> {
    const DOING: &str = "drawing the week's spot-check sample";
    let (from, to) = week.bounds();
    let mut stmt = conn
        .prepare_cached("SELECT id FROM contacts WHERE at >= ?1 AND at < ?2 ORDER BY id")
        .doing(DOING)?;
    let mut rows = stmt.query(params![from, to]).doing(DOING)?;
    let mut count = 0u64;
    let mut failed = None;
    let ids = std::iter::from_fn(|| match rows.next() {
        Ok(Some(r)) => match r.get::<_, i64>(0) {
            Ok(id) => {
                count += 1;
                Some(id)
            }
            Err(e) => {
                failed = Some(e);
                None
            }
        },
        Ok(None) => None,
        Err(e) => {
            failed = Some(e);
            None
        }
    });
    let picked = spotcheck::sample(week, ids, n);
    if let Some(e) = failed {
        return Err(e).doing(DOING);
    }
    Ok((count, picked))
}

/// The sample of `week` with each contact's details and check.
pub fn sample(conn: &Connection, week: Week, n: usize) -> Result<Sample> {
    let (contacts, ids) = drawn(conn, week, n)?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT k.at, c.name, k.channel, k.direction, k.summary,
                    s.accurate, s.note, s.checked_at
             FROM contacts k JOIN customers c ON c.id = k.customer_id
             LEFT JOIN spot_checks s ON s.contact_id = k.id AND s.week = ?2
             WHERE k.id = ?1",
        )
        .doing("reading the spot-check sample")?;
    let mut lines = Vec::with_capacity(ids.len());
    for id in ids {
        let line = stmt
            .query_row(params![id, week.to_string()], |r| {
                let accurate: Option<i64> = r.get(5)?;
                Ok(SampleLine {
                    contact_id: id,
                    at: r.get(0)?,
                    customer: r.get(1)?,
                    channel: r.get(2)?,
                    direction: r.get(3)?,
                    summary: r.get(4)?,
                    check: match accurate {
                        Some(a) => Some(Check {
                            accurate: a != 0,
                            note: r.get(6)?,
                            checked_at: r.get(7)?,
                        }),
                        None => None,
                    },
                })
            })
            .doing("reading the spot-check sample")?;
        lines.push(line);
    }
    Ok(Sample {
        week,
        contacts,
        lines,
    })
}

/// Why a check cannot be recorded.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    NoContact,
    NotInSample(Week),
}

/// Records (or corrects) the check of contact `id` in the sample of its own week, at `now`.
/// Inside the caller's transaction; audited.
pub fn mark(
    conn: &Connection,
    id: i64,
    accurate: bool,
    note: Option<&str>,
    now: i64,
    n: usize,
) -> Result<std::result::Result<Week, Refused>> {
    let at: Option<i64> = conn
        .query_row("SELECT at FROM contacts WHERE id = ?1", [id], |r| r.get(0))
        .optional()
        .doing("finding the contact to spot-check")?;
    let Some(at) = at else {
        return Ok(Err(Refused::NoContact));
    };
    let week = Week::of(local_date(at));
    if !drawn(conn, week, n)?.1.contains(&id) {
        return Ok(Err(Refused::NotInSample(week)));
    }
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    conn.execute(
        "INSERT INTO spot_checks (week, contact_id, checked_at, accurate, note)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (week, contact_id) DO UPDATE
         SET checked_at = excluded.checked_at, accurate = excluded.accurate, note = excluded.note",
        params![week.to_string(), id, now, accurate, note],
    )
    .doing("recording a spot-check")?;
    audit::append(
        conn,
        "spot_check",
        "contact",
        &id.to_string(),
        &json!({"week": week.to_string(), "accurate": accurate}),
    )?;
    Ok(Ok(week))
}

/// A failed check, for the weekly review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub week: String,
    pub contact_id: i64,
    pub customer: String,
    pub checked_at: i64,
    pub note: Option<String>,
}

/// Checks found inaccurate with `checked_at` in `[from, to)`, oldest first, at most `limit`.
pub fn failures(conn: &Connection, from: i64, to: i64, limit: usize) -> Result<Vec<Failure>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT s.week, s.contact_id, c.name, s.checked_at, s.note
             FROM spot_checks s JOIN contacts k ON k.id = s.contact_id
             JOIN customers c ON c.id = k.customer_id
             WHERE s.checked_at >= ?1 AND s.checked_at < ?2 AND s.accurate = 0
             ORDER BY s.checked_at, s.id LIMIT ?3",
        )
        .doing("reading failed spot-checks")?;
    let rows = stmt
        .query_map(params![from, to, limit as i64], |r| {
            Ok(Failure {
                week: r.get(0)?,
                contact_id: r.get(1)?,
                customer: r.get(2)?,
                checked_at: r.get(3)?,
                note: r.get(4)?,
            })
        })
        .doing("reading failed spot-checks")?;
    rows.collect::<rusqlite::Result<_>>()
        .doing("reading failed spot-checks")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn fixture() -> (Store, Week) {
        let store = Store::open_in_memory().unwrap();
        let week: Week = "2026-W10".parse().unwrap();
        let (from, _) = week.bounds();
        let c = store.conn();
        c.execute(
            "INSERT INTO customers (id, code, name) VALUES (1, 'C1', 'Acme')",
            [],
        )
        .unwrap();
        for i in 0..30 {
            c.execute(
                "INSERT INTO contacts (customer_id, channel, direction, at, summary)
                 VALUES (1, 'phone', 'in', ?1, 'call')",
                [from + i * 3_600],
            )
            .unwrap();
        }
        // The week before: never drawn for this week.
        c.execute(
            "INSERT INTO contacts (id, customer_id, channel, direction, at)
             VALUES (100, 1, 'email', 'out', ?1)",
            [from - 1],
        )
        .unwrap();
        (store, week)
    }

    #[test]
    fn the_sample_is_stable_and_marks_are_kept_and_refused_outside_it() {
        let (store, week) = fixture();
        let c = store.conn();
        let s = sample(c, week, 10).unwrap();
        assert_eq!(s.contacts, 30);
        assert_eq!(s.lines.len(), 10);
        assert_eq!(s, sample(c, week, 10).unwrap());
        let first = s.lines[0].contact_id;
        let outside = (1..=30).find(|i| s.lines.iter().all(|l| l.contact_id != *i));
        let now = week.bounds().1 + 10;
        assert_eq!(
            mark(c, first, false, Some(" unclear date "), now, 10).unwrap(),
            Ok(week)
        );
        assert_eq!(
            mark(c, outside.unwrap(), true, None, now, 10).unwrap(),
            Err(Refused::NotInSample(week))
        );
        assert_eq!(
            mark(c, 999, true, None, now, 10).unwrap(),
            Err(Refused::NoContact)
        );
        let again = sample(c, week, 10).unwrap();
        let check = again.lines[0].check.clone().unwrap();
        assert!(!check.accurate);
        assert_eq!(check.note.as_deref(), Some("unclear date"));
        let failed = failures(c, now, now + 1, 10).unwrap();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].contact_id, first);
        // Marked again: corrected, not doubled.
        mark(c, first, true, None, now, 10).unwrap().unwrap();
        let n: i64 = c
            .query_row("SELECT count(*) FROM spot_checks", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
        assert!(failures(c, now, now + 1, 10).unwrap().is_empty());
    }
}
