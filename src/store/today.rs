//! What needs the clerk now (SPEC §3 Today): the kinds of reminder in order of urgency, one
//! indexed count per kind, and the items themselves (`items`), most urgent first.

mod items;
mod review;
mod risk;

pub use items::{build, kind_items, Detail, Item, KindItems, Subject};
pub use review::{bottlenecks, Bottleneck};
pub use risk::{high_risk, RiskyOrder};

use super::list::ListContext;
use super::sql::status_list;
use super::{Context, Result};
use crate::domain::status::Status;
use rusqlite::{Connection, ToSql};
use std::sync::LazyLock;

pub use crate::domain::complaint::ResponseWindows;

/// SQL for a complaint's response deadline under `windows`, given the table alias `k`.
pub fn deadline_sql(windows: &ResponseWindows) -> String {
    let arms: String = windows
        .each()
        .map(|(severity, secs)| format!("WHEN '{}' THEN {secs} ", severity.as_str()))
        .collect();
    format!("(k.opened_at + CASE k.severity {arms}END)")
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
    ("incomplete_orders", Target::Orders("incomplete_open")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Orders(&'static str),
    Shipments(&'static str),
    Complaints(&'static str),
}

/// Committed orders not yet shipped: the ones whose due date can still be missed (the
/// statuses `domain::order::due_state` marks late or at risk).
pub static UNSHIPPED: LazyLock<String> =
    LazyLock::new(|| status_list(Status::is_committed_unshipped));

/// Past the due date and not shipped (the Orders filter "overdue").
pub static OVERDUE_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "ifnull(o.due_date, '9999-12-31') < :today AND o.status IN {}",
        *UNSHIPPED
    )
});

/// Due from today to a week ahead and not shipped (the Orders filter "due_week").
pub static DUE_WEEK_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "ifnull(o.due_date, '9999-12-31') >= :today \
         AND ifnull(o.due_date, '9999-12-31') <= :week_end \
         AND o.status IN {}",
        *UNSHIPPED
    )
});

fn words(keep: fn(Status) -> bool) -> Vec<&'static str> {
    <Status as strum::IntoEnumIterator>::iter()
        .filter(|s| keep(*s))
        .map(Status::as_str)
        .collect()
}

/// Orders with no status change for 7 days, in these statuses.
static STALE_STATUSES: LazyLock<Vec<&'static str>> = LazyLock::new(|| words(Status::is_moving));

/// Every status but the final ones (closed, cancelled, lost), spelled out so that each is
/// one range of an index that starts with the status.
static NOT_FINAL: LazyLock<Vec<&'static str>> = LazyLock::new(|| words(Status::is_active));

/// The Orders-list conditions behind the Today kinds that have no simpler filter.
pub static ORDER_FILTERS: LazyLock<Vec<(&'static str, String)>> = LazyLock::new(|| {
    vec![
        (
            "high_risk",
            // One set of candidates (open exception, late production, late shipment), so the
            // count walks those few orders instead of every active one; the unary `+` keeps
            // the planner from scanning all rush orders by index instead. The same rule as
            // `domain::risk::RiskFacts::is_high_risk`. Each set by its small index: merging
            // them in order id order, the planner scanned all 770,000 productions of a TPC-H
            // desk (none late) for 120 ms, and would scan every shipment the same way.
            format!(
                "o.id IN (SELECT order_id FROM exceptions WHERE resolved_at IS NULL \
                  UNION SELECT order_id FROM production INDEXED BY production_by_finish \
                        WHERE stage <> 'done' AND planned_finish < :today \
                  UNION SELECT order_id FROM shipments INDEXED BY shipments_undelivered \
                        WHERE delivered_at IS NULL AND eta < :now) \
                 AND +o.status IN {} \
                 AND (+o.order_type = 'rush' OR +ifnull(o.due_date, '9999-12-31') <= :week_end)",
                status_list(Status::is_on_its_way)
            ),
        ),
        (
            "production_due",
            format!(
                // The unary `+`: on a file not yet analysed the planner would walk every order
                // of those statuses instead of the few unfinished productions.
                "o.id IN (SELECT order_id FROM production \
                          WHERE stage <> 'done' AND planned_finish <= :today) \
                 AND +o.status IN {}",
                status_list(Status::is_in_making)
            ),
        ),
        (
            "payment_due",
            // Spelled as the few statuses left out, so the planner stays on the small
            // `orders_payment_open` index (`IN` the seven billable ones walks every order).
            format!(
                "o.paid_at IS NULL AND o.payment_due IS NOT NULL AND o.payment_due <= :week_end \
                 AND o.status NOT IN {}",
                status_list(|s| !s.is_billable())
            ),
        ),
        (
            "followup_due",
            "o.id IN (SELECT order_id FROM followups WHERE done_at IS NULL AND due_at <= :now + 86400)"
                .to_string(),
        ),
        (
            "stale",
            format!(
                "o.status IN {} AND o.status_changed_at < :now - 604800",
                status_list(Status::is_moving)
            ),
        ),
        (
            "incomplete_open",
            // The unary `+` keeps the planner on the small `orders_incomplete` index instead
            // of walking every order of eight statuses.
            format!(
                "o.missing <> '' AND +o.status IN {}",
                status_list(Status::is_active)
            ),
        ),
    ]
});

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub kind: &'static str,
    pub target: Target,
    pub count: u64,
}

/// Binds the named values (`:today`, `:week_end`, `:now`, …) that `sql` mentions.
fn named<'a>(
    sql: &str,
    ctx: &'a ListContext,
    extra: &'a [(&'a str, &'a dyn ToSql)],
) -> Vec<(&'a str, &'a dyn ToSql)> {
    let mut out: Vec<(&str, &dyn ToSql)> = Vec::new();
    if sql.contains(":today") {
        out.push((":today", &ctx.today));
    }
    if sql.contains(":week_end") {
        out.push((":week_end", &ctx.week_end));
    }
    if sql.contains(":now") {
        out.push((":now", &ctx.now));
    }
    out.extend(extra.iter().filter(|(n, _)| sql.contains(n)).copied());
    out
}

#[cfg(test)]
thread_local! {
    /// Every statement the Today queries ran on this thread, for the test of their plans.
    static RAN: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn note(sql: &str) {
    #[cfg(test)]
    RAN.with(|r| r.borrow_mut().push(sql.to_string()));
    let _ = sql;
}

/// Each kind is counted up to this many: past it the count says "more than", and costs a
/// bounded walk however many there are (770,000 overdue orders of a TPC-H desk took 45 ms
/// of CPU to count exactly, on every open of Today).
pub const COUNT_CAP: u64 = 10_000;

/// `SELECT count(*)` of the rows `rows` (a `SELECT 1 FROM … WHERE …`) selects, stopping
/// after `COUNT_CAP` + 1.
fn capped(rows: &str) -> String {
    format!("SELECT count(*) FROM ({rows} LIMIT {})", COUNT_CAP + 1)
}

fn count(conn: &Connection, sql: &str, ctx: &ListContext) -> Result<u64> {
    note(sql);
    let mut stmt = conn.prepare_cached(sql).doing("counting reminders")?;
    stmt.query_row(named(sql, ctx, &[]).as_slice(), |r| r.get::<_, i64>(0))
        .map(|n| n.max(0) as u64)
        .doing("counting reminders")
}

/// The condition of an Orders-list filter a Today kind opens, so the count and the list it
/// opens always agree.
pub fn order_filter_sql(key: &str) -> Option<&'static str> {
    match key {
        "overdue" => Some(OVERDUE_SQL.as_str()),
        "due_week" => Some(DUE_WEEK_SQL.as_str()),
        _ => ORDER_FILTERS
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, s)| s.as_str()),
    }
}

/// The condition of a complaint awaiting its first response, before or after its deadline.
fn complaints_sql(windows: ResponseWindows, overdue: bool) -> String {
    format!(
        "k.first_response_at IS NULL AND k.resolved_at IS NULL AND {} {} :now",
        deadline_sql(&windows),
        if overdue { "<" } else { ">=" }
    )
}

const LATE_SHIPMENTS_SQL: &str = "s.delivered_at IS NULL AND s.eta < :now";
const FOLLOWUPS_DUE_SQL: &str = "f.done_at IS NULL AND f.due_at <= :now + 86400";

/// The count behind one kind of reminder.
pub fn count_kind(
    conn: &Connection,
    kind: &str,
    target: Target,
    windows: ResponseWindows,
    ctx: &ListContext,
) -> Result<u64> {
    let sql = match kind {
        "complaints_overdue" | "complaints_awaiting" => capped(&format!(
            "SELECT 1 FROM complaints k WHERE {}",
            complaints_sql(windows, kind == "complaints_overdue")
        )),
        "late_shipments" => capped(&format!(
            "SELECT 1 FROM shipments s WHERE {LATE_SHIPMENTS_SQL}"
        )),
        // Follow-ups about a customer only are not in the Orders list, but they are due too.
        "followups_due" => capped(&format!(
            "SELECT 1 FROM followups f WHERE {FOLLOWUPS_DUE_SQL}"
        )),
        // The filter's count, one status at a time on the small index of incomplete orders
        // (the planner would rather walk every order of those statuses).
        "incomplete_orders" => {
            let per_status = NOT_FINAL
                .iter()
                .map(|s| {
                    format!(
                        "({})",
                        capped(&format!(
                            "SELECT 1 FROM orders INDEXED BY orders_incomplete \
                             WHERE missing <> '' AND status = '{s}'"
                        ))
                    )
                })
                .collect::<Vec<_>>();
            format!("SELECT min({}, {})", per_status.join(" + "), COUNT_CAP + 1)
        }
        _ => match target {
            Target::Orders(key) => match order_filter_sql(key) {
                Some(cond) => capped(&format!("SELECT 1 FROM orders o WHERE {cond}")),
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
mod tests;
