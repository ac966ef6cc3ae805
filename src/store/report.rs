//! The records behind the monthly report, read with indexed range queries over one local
//! month and fed to the domain's tallies; and the lists behind the figures, for the workbook.

use super::{Context, Result, StoreError};
use crate::domain::enums::CustomerType;
use crate::domain::money::parse_decimal;
use crate::domain::month::Month;
use crate::domain::report::quality::Targets;
use crate::domain::report::{
    DueCutoffs, MonthReport, MonthTally, SurveyAnswers, TrendPoint, TrendTally,
};
use crate::domain::status::Status;
use crate::domain::time::{local_date, parse_date};
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension, Row};
use rust_decimal::Decimal;
use std::str::FromStr;

const DOING: &str = "reading the month for the report";

fn text<'a>(r: &'a Row, i: usize) -> rusqlite::Result<Option<&'a str>> {
    match r.get_ref(i)? {
        ValueRef::Text(t) => Ok(std::str::from_utf8(t).ok()),
        _ => Ok(None),
    }
}

/// Runs `sql` with the month's bounds and hands each row to `each`.
fn each_row(
    conn: &Connection,
    sql: &str,
    bounds: (impl rusqlite::ToSql, impl rusqlite::ToSql),
    mut each: impl FnMut(&Row) -> rusqlite::Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(sql).doing(DOING)?;
    let mut rows = stmt.query(params![bounds.0, bounds.1]).doing(DOING)?;
    while let Some(r) = rows.next().doing(DOING)? {
        each(r).doing(DOING)?;
    }
    Ok(())
}

/// The cause of the order's latest delay exception (by opened_at, then the later entry).
fn late_cause(conn: &Connection, order_id: i64) -> Result<Option<String>> {
    conn.prepare_cached(
        "SELECT cause FROM exceptions WHERE order_id = ?1 AND kind = 'delay'
         ORDER BY opened_at DESC, id DESC LIMIT 1",
    )
    .and_then(|mut s| s.query_row([order_id], |r| r.get(0)).optional())
    .doing("finding the cause of a late delivery")
}

/// Runs `read` in one read transaction: one consistent snapshot of the file, and one lock
/// for its thousands of small lookups instead of one each. Inside a transaction already, it
/// simply runs.
pub fn snapshot<T, E: From<StoreError>>(
    conn: &Connection,
    read: impl FnOnce() -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    if !conn.is_autocommit() {
        return read();
    }
    let tx = conn.unchecked_transaction().doing(DOING)?;
    let out = read()?;
    tx.finish().doing(DOING)?;
    Ok(out)
}

/// The won statuses as an SQL list, from the one rule in `Status::is_won`.
fn won_sql() -> String {
    <Status as strum::IntoEnumIterator>::iter()
        .filter(|s| s.is_won())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(",")
}

/// Every §4 figure of `month`, judged at `now` (UTC seconds) and held against `targets`.
pub fn month_report(
    conn: &Connection,
    month: Month,
    now: i64,
    targets: &Targets,
) -> Result<MonthReport> {
    snapshot(conn, || tally_month(conn, month, now, targets))
}

/// The SQL of the report's newer parts: orders won and lost per customer type, the month's
/// first confirmations with their orders' creation, and the month's status changes.
fn desk_queries() -> [String; 3] {
    let won = won_sql();
    [
        // Counted per customer from the month's covering index first, so each customer's
        // type is looked up once rather than once per order.
        format!(
            "SELECT c.type, g.status, sum(g.n)
             FROM (SELECT customer_id, status, count(*) AS n
                   FROM orders INDEXED BY orders_month_by_customer
                   WHERE ordered_at >= ?1 AND ordered_at < ?2 AND status IN ({won}, 'lost')
                   GROUP BY customer_id, status) g
             JOIN customers c ON c.id = g.customer_id
             GROUP BY c.type, g.status"
        ),
        // The first change into a won status: none earlier for the same order. The two
        // partial indexes of the confirmations and `orders_created` serve it whole; their
        // WHERE is this one, word for word.
        format!(
            "SELECT o.ordered_at, h.happened_at
             FROM status_history h JOIN orders o INDEXED BY orders_created ON o.id = h.order_id
             WHERE h.happened_at >= ?1 AND h.happened_at < ?2
               AND h.to_status IN ({won}) AND h.from_status NOT IN ({won})
               AND NOT EXISTS (
                   SELECT 1 FROM status_history e
                   WHERE e.order_id = h.order_id AND e.to_status IN ({won})
                     AND e.from_status NOT IN ({won})
                     AND (e.happened_at < h.happened_at
                          OR (e.happened_at = h.happened_at AND e.id < h.id)))"
        ),
        "SELECT happened_at, recorded_at FROM status_history
         WHERE happened_at >= ?1 AND happened_at < ?2 AND from_status IS NOT NULL"
            .to_string(),
    ]
}

/// Conversion by customer type and sales cycle, status updates and spot-checks.
fn tally_desk(conn: &Connection, t: &mut MonthTally, bounds: (i64, i64)) -> Result<()> {
    let [types, cycle, changes] = desk_queries();
    each_row(conn, &types, bounds, |r| {
        let kind = text(r, 0)?.and_then(|s| CustomerType::from_str(s).ok());
        let status = text(r, 1)?.and_then(|s| Status::from_str(s).ok());
        if let (Some(kind), Some(status)) = (kind, status) {
            t.customer_orders(kind, status, r.get::<_, i64>(2)?.max(0) as u64);
        }
        Ok(())
    })?;
    each_row(conn, &cycle, bounds, |r| {
        t.confirmation(r.get(0)?, r.get(1)?);
        Ok(())
    })?;
    each_row(conn, &changes, bounds, |r| {
        t.status_change(r.get(0)?, r.get(1)?);
        Ok(())
    })?;
    each_row(
        conn,
        "SELECT accurate FROM spot_checks WHERE checked_at >= ?1 AND checked_at < ?2",
        bounds,
        |r| {
            t.spot_check(r.get::<_, i64>(0)? != 0);
            Ok(())
        },
    )
}

fn tally_month(
    conn: &Connection,
    month: Month,
    now: i64,
    targets: &Targets,
) -> Result<MonthReport> {
    let mut t = MonthTally::new(month, now);
    t.set_targets(*targets);
    let bounds = month.bounds();
    each_row(
        conn,
        "SELECT status, order_type, currency, total FROM orders
         WHERE ordered_at >= ?1 AND ordered_at < ?2",
        bounds,
        |r| {
            let status = text(r, 0)?.and_then(|s| Status::from_str(s).ok());
            if let Some(status) = status.filter(|s| s.is_won() || *s == Status::Lost) {
                let total = text(r, 3)?
                    .and_then(|s| parse_decimal(s).ok())
                    .unwrap_or_default();
                t.order(
                    status,
                    text(r, 1)?.unwrap_or_default(),
                    text(r, 2)?.unwrap_or_default(),
                    total,
                );
            }
            Ok(())
        },
    )?;
    let mut late = Vec::new();
    each_row(
        conn,
        "SELECT id, delivered_at, due_date, first_due_date FROM orders
         WHERE delivered_at >= ?1 AND delivered_at < ?2",
        bounds,
        |r| {
            let verdict = t.judge(r.get(1)?, text(r, 2)?, text(r, 3)?);
            if verdict.on_time {
                t.delivery(verdict, None);
            } else {
                late.push((r.get::<_, i64>(0)?, verdict));
            }
            Ok(())
        },
    )?;
    for (id, verdict) in late {
        let cause = late_cause(conn, id)?;
        t.delivery(verdict, cause.as_deref());
    }
    each_row(
        conn,
        "SELECT type, opened_at, first_response_at, resolved_at FROM complaints
         WHERE opened_at >= ?1 AND opened_at < ?2",
        bounds,
        |r| {
            t.complaint(
                text(r, 0)?.unwrap_or_default(),
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
            );
            Ok(())
        },
    )?;
    each_row(
        conn,
        "SELECT channel, direction, at, replied_at FROM contacts WHERE at >= ?1 AND at < ?2",
        bounds,
        |r| {
            let inbound = text(r, 1)? == Some("in");
            t.contact(
                text(r, 0)?.unwrap_or_default(),
                inbound,
                r.get(2)?,
                r.get(3)?,
            );
            Ok(())
        },
    )?;
    each_row(
        conn,
        "SELECT accuracy, response, resolution, attitude, customisation, quality, willingness
         FROM surveys WHERE date >= ?1 AND date < ?2",
        month.date_bounds(),
        |r| {
            t.survey(&survey_answers(r, 0)?);
            Ok(())
        },
    )?;
    each_row(
        conn,
        "SELECT status FROM requirements WHERE resolved_at >= ?1 AND resolved_at < ?2",
        bounds,
        |r| {
            t.requirement(text(r, 0)?.unwrap_or_default());
            Ok(())
        },
    )?;
    tally_desk(conn, &mut t, bounds)?;
    Ok(t.finish())
}

fn survey_answers(r: &Row, first: usize) -> rusqlite::Result<SurveyAnswers> {
    let score = |i: usize| -> rusqlite::Result<Option<u8>> {
        Ok(r.get::<_, Option<i64>>(first + i)?
            .and_then(|v| u8::try_from(v).ok()))
    };
    let mut scores = [None; 6];
    for (i, s) in scores.iter_mut().enumerate() {
        *s = score(i)?;
    }
    Ok(SurveyAnswers {
        scores,
        willingness: score(6)?,
    })
}

/// The on-time rate of each of the `n` months ending with `last`: per local day, the
/// deliveries and those due that day or later, counted by SQLite on the delivery index (which
/// carries the due dates), so no row travels to Rust.
pub fn on_time_trend(conn: &Connection, last: Month, n: usize) -> Result<Vec<TrendPoint>> {
    snapshot(conn, || trend(conn, last, n))
}

fn trend(conn: &Connection, last: Month, n: usize) -> Result<Vec<TrendPoint>> {
    let mut t = TrendTally::new(last, n);
    // Due dates are stored as `YYYY-MM-DD` by every writer (forms, import, demo), so text
    // order is date order and `due_date >= day` is the report's on-time rule; no due date is
    // never on time (the comparison is NULL, which `sum` skips).
    let mut stmt = conn
        .prepare_cached(
            "SELECT count(*), ifnull(sum(due_date >= ?3), 0) FROM orders
             INDEXED BY orders_delivered_due WHERE delivered_at >= ?1 AND delivered_at < ?2",
        )
        .doing(DOING)?;
    for day in t.days() {
        let (delivered, on_time): (i64, i64) = stmt
            .query_row(params![day.start, day.end, day.date.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .doing(DOING)?;
        t.add_day(&day, delivered.max(0) as u64, on_time.max(0) as u64);
    }
    Ok(t.finish())
}

/// A complaint answered and not yet resolved: the plan its first response promised.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanLine {
    pub complaint_no: String,
    pub customer: String,
    pub severity: String,
    pub first_response_at: i64,
    pub response_plan: Option<String>,
}

/// The open complaints that have their first response, oldest first, at most `limit`, and
/// how many there are: the weekly review lists the plans still to be carried out. Read from
/// the index of open complaints.
pub fn open_plans(conn: &Connection, limit: usize) -> Result<(u64, Vec<PlanLine>)> {
    const DOING: &str = "reading the response plans of open complaints";
    snapshot(conn, || {
        let count: i64 = conn
            .prepare_cached(
                "SELECT count(*) FROM complaints
                 WHERE resolved_at IS NULL AND first_response_at IS NOT NULL",
            )
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .doing(DOING)?;
        let mut stmt = conn
            .prepare_cached(
                "SELECT k.complaint_no, c.name, k.severity, k.first_response_at, k.response_plan
                 FROM complaints k JOIN customers c ON c.id = k.customer_id
                 WHERE k.resolved_at IS NULL AND k.first_response_at IS NOT NULL
                 ORDER BY k.opened_at, k.id LIMIT ?1",
            )
            .doing(DOING)?;
        let rows = stmt
            .query_map([limit as i64], |r| {
                Ok(PlanLine {
                    complaint_no: r.get(0)?,
                    customer: r.get(1)?,
                    severity: r.get(2)?,
                    first_response_at: r.get(3)?,
                    response_plan: r.get(4)?,
                })
            })
            .doing(DOING)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .doing(DOING)?;
        Ok((count.max(0) as u64, rows))
    })
}

/// An order won in the month.
#[derive(Debug, Clone, PartialEq)]
pub struct WonOrder {
    pub order_no: String,
    pub customer: String,
    pub order_type: String,
    pub status: String,
    pub ordered_at: i64,
    pub due_date: Option<String>,
    pub currency: String,
    pub total: Decimal,
}

/// An order delivered in the month after its due date.
#[derive(Debug, Clone, PartialEq)]
pub struct LateDelivery {
    pub order_no: String,
    pub customer: String,
    pub order_type: String,
    pub due_date: Option<String>,
    pub first_due_date: Option<String>,
    pub delivered_at: i64,
    pub cause: Option<String>,
}

impl LateDelivery {
    /// Calendar days from the due date to the local delivery date.
    pub fn days_late(&self) -> Option<i64> {
        let due = parse_date(self.due_date.as_deref()?).ok()?;
        Some((local_date(self.delivered_at) - due).num_days())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintLine {
    pub complaint_no: String,
    pub customer: String,
    pub order_no: Option<String>,
    pub kind: String,
    pub severity: String,
    pub opened_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub department: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SurveyLine {
    pub customer: String,
    pub date: String,
    pub answers: SurveyAnswers,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RequirementLine {
    pub customer: String,
    pub category: String,
    pub text: String,
    pub status: String,
    pub forwarded_to: Option<String>,
    pub resolved_at: i64,
}

/// The records behind the figures of one month, for the workbook's list sheets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportLists {
    pub won: Vec<WonOrder>,
    pub late: Vec<LateDelivery>,
    pub complaints: Vec<ComplaintLine>,
    pub surveys: Vec<SurveyLine>,
    pub requirements: Vec<RequirementLine>,
}

pub fn lists(conn: &Connection, month: Month) -> Result<ReportLists> {
    snapshot(conn, || read_lists(conn, month))
}

fn read_lists(conn: &Connection, month: Month) -> Result<ReportLists> {
    let mut out = ReportLists::default();
    let bounds = month.bounds();
    let owned = |r: &Row, i: usize| -> rusqlite::Result<String> {
        Ok(text(r, i)?.unwrap_or_default().to_string())
    };
    each_row(
        conn,
        "SELECT o.order_no, c.name, o.order_type, o.status, o.ordered_at, o.due_date, o.currency,
                o.total
         FROM orders o LEFT JOIN customers c ON c.id = o.customer_id
         WHERE o.ordered_at >= ?1 AND o.ordered_at < ?2 ORDER BY o.ordered_at, o.id",
        bounds,
        |r| {
            let won = text(r, 3)?
                .and_then(|s| Status::from_str(s).ok())
                .is_some_and(Status::is_won);
            if won {
                out.won.push(WonOrder {
                    order_no: owned(r, 0)?,
                    customer: owned(r, 1)?,
                    order_type: owned(r, 2)?,
                    status: owned(r, 3)?,
                    ordered_at: r.get(4)?,
                    due_date: r.get(5)?,
                    currency: owned(r, 6)?,
                    total: text(r, 7)?
                        .and_then(|s| parse_decimal(s).ok())
                        .unwrap_or_default(),
                });
            }
            Ok(())
        },
    )?;
    let mut cutoffs = DueCutoffs::default();
    let mut late = Vec::new();
    each_row(
        conn,
        "SELECT o.id, o.order_no, c.name, o.order_type, o.due_date, o.first_due_date,
                o.delivered_at
         FROM orders o LEFT JOIN customers c ON c.id = o.customer_id
         WHERE o.delivered_at >= ?1 AND o.delivered_at < ?2 ORDER BY o.delivered_at, o.id",
        bounds,
        |r| {
            let delivered_at: i64 = r.get(6)?;
            if !cutoffs.met(delivered_at, text(r, 4)?) {
                late.push((
                    r.get::<_, i64>(0)?,
                    LateDelivery {
                        order_no: owned(r, 1)?,
                        customer: owned(r, 2)?,
                        order_type: owned(r, 3)?,
                        due_date: r.get(4)?,
                        first_due_date: r.get(5)?,
                        delivered_at,
                        cause: None,
                    },
                ));
            }
            Ok(())
        },
    )?;
    for (id, mut line) in late {
        line.cause = late_cause(conn, id)?;
        out.late.push(line);
    }
    each_row(
        conn,
        "SELECT k.complaint_no, c.name, o.order_no, k.type, k.severity, k.opened_at,
                k.first_response_at, k.resolved_at, k.department
         FROM complaints k JOIN customers c ON c.id = k.customer_id
         LEFT JOIN orders o ON o.id = k.order_id
         WHERE k.opened_at >= ?1 AND k.opened_at < ?2 ORDER BY k.opened_at, k.id",
        bounds,
        |r| {
            out.complaints.push(ComplaintLine {
                complaint_no: owned(r, 0)?,
                customer: owned(r, 1)?,
                order_no: r.get(2)?,
                kind: owned(r, 3)?,
                severity: owned(r, 4)?,
                opened_at: r.get(5)?,
                first_response_at: r.get(6)?,
                resolved_at: r.get(7)?,
                department: r.get(8)?,
            });
            Ok(())
        },
    )?;
    each_row(
        conn,
        "SELECT c.name, s.date, s.accuracy, s.response, s.resolution, s.attitude,
                s.customisation, s.quality, s.willingness
         FROM surveys s JOIN customers c ON c.id = s.customer_id
         WHERE s.date >= ?1 AND s.date < ?2 ORDER BY s.date, s.id",
        month.date_bounds(),
        |r| {
            out.surveys.push(SurveyLine {
                customer: owned(r, 0)?,
                date: owned(r, 1)?,
                answers: survey_answers(r, 2)?,
            });
            Ok(())
        },
    )?;
    each_row(
        conn,
        "SELECT c.name, q.category, q.text, q.status, q.forwarded_to, q.resolved_at
         FROM requirements q JOIN customers c ON c.id = q.customer_id
         WHERE q.resolved_at >= ?1 AND q.resolved_at < ?2 AND q.status IN ('met', 'declined')
         ORDER BY q.resolved_at, q.id",
        bounds,
        |r| {
            out.requirements.push(RequirementLine {
                customer: owned(r, 0)?,
                category: owned(r, 1)?,
                text: owned(r, 2)?,
                status: owned(r, 3)?,
                forwarded_to: r.get(4)?,
                resolved_at: r.get(5)?,
            });
            Ok(())
        },
    )?;
    Ok(out)
}

#[cfg(test)]
mod tests;
