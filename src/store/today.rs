//! What needs the clerk now: one indexed count per kind of reminder (SPEC §3 Today).

use super::list::ListContext;
use super::{Context, Result};
use rusqlite::{Connection, ToSql};

/// Seconds to the first response, per severity: urgent, high, normal, low.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseWindows(pub [i64; 4]);

impl ResponseWindows {
    pub fn from_hours(urgent: u32, high: u32, normal: u32, low: u32) -> ResponseWindows {
        ResponseWindows([urgent, high, normal, low].map(|h| i64::from(h) * 3600))
    }

    /// SQL for a complaint's response deadline, given the table alias `k`.
    pub fn deadline_sql(&self) -> String {
        let [u, h, n, l] = self.0;
        format!(
            "(k.opened_at + CASE k.severity WHEN 'urgent' THEN {u} WHEN 'high' THEN {h} \
             WHEN 'normal' THEN {n} ELSE {l} END)"
        )
    }
}

/// The kinds of reminder, most urgent first, each with where `Enter` takes the clerk.
pub const KINDS: &[(&str, Target)] = &[
    ("complaints_overdue", Target::Complaints("awaiting")),
    ("complaints_awaiting", Target::Complaints("awaiting")),
    ("late_shipments", Target::Shipments("late")),
    ("high_risk", Target::Orders("high_risk")),
    ("overdue_orders", Target::Orders("overdue")),
    ("due_soon", Target::Orders("due_week")),
    ("production_due", Target::Orders("production_due")),
    ("payments_due", Target::Orders("payment_due")),
    ("followups_due", Target::Orders("followup_due")),
    ("stale_orders", Target::Orders("stale")),
    ("incomplete_orders", Target::Orders("incomplete")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Orders(&'static str),
    Shipments(&'static str),
    Complaints(&'static str),
}

/// The Orders-list conditions behind the Today kinds that have no simpler filter.
pub const ORDER_FILTERS: &[(&str, &str)] = &[
    (
        "high_risk",
        // One set of candidates (open exception, late production, late shipment), so the
        // count walks those few orders instead of every active one; the unary `+` keeps the
        // planner from scanning all rush orders by index instead.
        "o.id IN (SELECT order_id FROM exceptions WHERE resolved_at IS NULL \
                  UNION SELECT order_id FROM production WHERE stage <> 'done' AND planned_finish < :today \
                  UNION SELECT order_id FROM shipments WHERE delivered_at IS NULL AND eta < :now) \
         AND +o.status IN ('confirmed','in_production','ready','shipped','on_hold') \
         AND (+o.order_type = 'rush' OR +ifnull(o.due_date, '9999-12-31') <= :week_end)",
    ),
    (
        "production_due",
        "o.id IN (SELECT order_id FROM production WHERE stage <> 'done' AND planned_finish <= :today) \
         AND o.status IN ('confirmed','in_production','on_hold')",
    ),
    (
        "payment_due",
        "o.paid_at IS NULL AND o.payment_due IS NOT NULL AND o.payment_due <= :week_end \
         AND o.status NOT IN ('cancelled','lost','inquiry','quoted')",
    ),
    (
        "followup_due",
        "o.id IN (SELECT order_id FROM followups WHERE done_at IS NULL AND due_at <= :now + 86400)",
    ),
    (
        "stale",
        "o.status IN ('inquiry','quoted','confirmed','in_production','ready','shipped') \
         AND o.status_changed_at < :now - 604800",
    ),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub kind: &'static str,
    pub target: Target,
    pub count: u64,
}

fn count(conn: &Connection, sql: &str, ctx: &ListContext) -> Result<u64> {
    let mut stmt = conn.prepare_cached(sql).doing("counting reminders")?;
    let mut named: Vec<(&str, &dyn ToSql)> = Vec::new();
    if sql.contains(":today") {
        named.push((":today", &ctx.today));
    }
    if sql.contains(":week_end") {
        named.push((":week_end", &ctx.week_end));
    }
    if sql.contains(":now") {
        named.push((":now", &ctx.now));
    }
    stmt.query_row(named.as_slice(), |r| r.get::<_, i64>(0))
        .map(|n| n.max(0) as u64)
        .doing("counting reminders")
}

pub fn order_filter_sql(key: &str) -> Option<&'static str> {
    ORDER_FILTERS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, s)| *s)
}

/// The count behind one kind of reminder.
pub fn count_kind(
    conn: &Connection,
    kind: &str,
    target: Target,
    windows: ResponseWindows,
    ctx: &ListContext,
) -> Result<u64> {
    let deadline = windows.deadline_sql();
    let orders_where = |cond: &str| format!("SELECT count(*) FROM orders o WHERE {cond}");
    let sql = match kind {
        "complaints_overdue" => format!(
            "SELECT count(*) FROM complaints k WHERE k.first_response_at IS NULL \
             AND k.resolved_at IS NULL AND {deadline} < :now"
        ),
        "complaints_awaiting" => format!(
            "SELECT count(*) FROM complaints k WHERE k.first_response_at IS NULL \
             AND k.resolved_at IS NULL AND {deadline} >= :now"
        ),
        "late_shipments" => {
            "SELECT count(*) FROM shipments WHERE delivered_at IS NULL AND eta < :now".to_string()
        }
        "overdue_orders" => orders_where(
            "ifnull(o.due_date, '9999-12-31') < :today \
             AND o.status IN ('confirmed','in_production','ready','on_hold')",
        ),
        "due_soon" => orders_where(
            "ifnull(o.due_date, '9999-12-31') BETWEEN :today AND :week_end \
             AND o.status IN ('confirmed','in_production','ready','on_hold')",
        ),
        "incomplete_orders" => {
            orders_where("o.missing <> '' AND o.status NOT IN ('cancelled','lost','closed')")
        }
        "followups_due" => {
            "SELECT count(*) FROM followups WHERE done_at IS NULL AND due_at <= :now + 86400"
                .to_string()
        }
        _ => match target {
            Target::Orders(key) => match order_filter_sql(key) {
                Some(cond) => orders_where(cond),
                None => return Ok(0),
            },
            _ => return Ok(0),
        },
    };
    count(conn, &sql, ctx)
}

pub fn reminders(conn: &Connection, windows: ResponseWindows) -> Result<Vec<Reminder>> {
    let ctx = ListContext::current();
    KINDS
        .iter()
        .map(|(kind, target)| {
            Ok(Reminder {
                kind,
                target: *target,
                count: count_kind(conn, kind, *target, windows, &ctx)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn counts_overdue_complaints_by_severity_window() {
        let store = Store::open_in_memory().unwrap();
        let c = store.conn();
        c.execute("INSERT INTO customers (code, name) VALUES ('C', 'C')", [])
            .unwrap();
        let now = crate::domain::time::now();
        for (no, severity, age_h) in [("A", "urgent", 5), ("B", "normal", 5), ("C", "high", 9)] {
            c.execute(
                "INSERT INTO complaints (complaint_no, customer_id, type, severity, opened_at)
                 VALUES (?1, 1, 'quality', ?2, ?3)",
                rusqlite::params![no, severity, now - age_h * 3600],
            )
            .unwrap();
        }
        let r = reminders(c, ResponseWindows::from_hours(4, 8, 24, 24)).unwrap();
        let get = |k: &str| r.iter().find(|x| x.kind == k).unwrap().count;
        assert_eq!(
            get("complaints_overdue"),
            2,
            "urgent after 5h and high after 9h"
        );
        assert_eq!(get("complaints_awaiting"), 1);
        assert_eq!(get("late_shipments"), 0);
    }
}
