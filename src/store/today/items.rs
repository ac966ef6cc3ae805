//! The items behind each kind of reminder, most urgent first. Each kind is one LIMITed query
//! that walks an index in the order shown, so the first screenful costs the same at a
//! thousand orders as at a million; the count comes from `count_kind`.

use super::super::list::ListContext;
use super::super::sql::status_list;
use super::super::{Context, Result};
use super::{
    complaints_sql, count_kind, named, order_filter_sql, ResponseWindows, Target, COUNT_CAP,
    FOLLOWUPS_DUE_SQL, KINDS, LATE_SHIPMENTS_SQL, NOT_FINAL, STALE_STATUSES,
};
use crate::domain::risk::RiskReason;
use crate::domain::status::Status;
use crate::domain::time::parse_date;
use chrono::NaiveDate;
use rusqlite::{Connection, Row, ToSql};
use std::str::FromStr;

/// The record an item is about, for jumping to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Order(i64),
    Shipment(i64),
    Complaint(i64),
    /// A follow-up is about an order, or else about a customer.
    Followup {
        id: i64,
        order: Option<i64>,
        customer: Option<i64>,
    },
}

/// What makes an item need the clerk, as data; `io::reminders` words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    Complaint {
        deadline: i64,
        severity: String,
        kind: String,
        order_no: String,
    },
    Shipment {
        eta: i64,
        order_no: String,
        carrier: String,
    },
    Risk {
        due: Option<NaiveDate>,
        reasons: Vec<RiskReason>,
    },
    Due {
        due: Option<NaiveDate>,
        status: Status,
    },
    Production {
        finish: Option<NaiveDate>,
        stage: String,
        percent: i64,
    },
    Payment {
        due: Option<NaiveDate>,
        total: String,
        currency: String,
    },
    Followup {
        due_at: i64,
        text: String,
    },
    Stale {
        since: i64,
        status: Status,
    },
    Incomplete {
        ordered_at: i64,
        missing: Vec<String>,
        status: Status,
    },
}

/// One line of the Today list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub subject: Subject,
    /// Order no., waybill no., complaint no. (a follow-up: its order no. or customer code).
    pub what: String,
    pub customer: String,
    pub detail: Detail,
}

/// One kind of reminder: how many there are and the first of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindItems {
    pub kind: &'static str,
    pub target: Target,
    pub count: u64,
    pub items: Vec<Item>,
}

impl KindItems {
    /// Counted up to `COUNT_CAP` and found more: `shown` and `more` are "at least".
    pub fn is_capped(&self) -> bool {
        self.count > COUNT_CAP
    }

    /// The count to show (the cap, when there are more).
    pub fn shown(&self) -> u64 {
        self.count.min(COUNT_CAP)
    }

    /// Items counted (up to the cap) but not listed.
    pub fn more(&self) -> u64 {
        self.shown().saturating_sub(self.items.len() as u64)
    }
}

/// Every kind in order of urgency with its count and up to `limit(kind)` items (`None`: all
/// of them). One read transaction, so the counts and the items agree.
pub fn build(
    conn: &Connection,
    windows: ResponseWindows,
    ctx: &ListContext,
    limit: &dyn Fn(&str) -> Option<usize>,
) -> Result<Vec<KindItems>> {
    let tx = conn
        .unchecked_transaction()
        .doing("reading what needs you today")?;
    KINDS
        .iter()
        .map(|(kind, _)| kind_items(&tx, kind, windows, ctx, limit(kind)))
        .collect()
}

/// One kind of reminder (a name of `KINDS`) with its count and up to `limit` items.
pub fn kind_items(
    conn: &Connection,
    kind: &'static str,
    windows: ResponseWindows,
    ctx: &ListContext,
    limit: Option<usize>,
) -> Result<KindItems> {
    let target = KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, t)| *t)
        .unwrap_or(Target::Orders(""));
    let (items, counted) = items_of(conn, kind, windows, ctx, limit)?;
    let count = match counted {
        Some(n) => n,
        // A short list is the whole list; only a full one needs counting.
        None if limit.is_none_or(|l| items.len() < l) => items.len() as u64,
        None => count_kind(conn, kind, target, windows, ctx)?,
    };
    Ok(KindItems {
        kind,
        target,
        count,
        items,
    })
}

fn sql_limit(limit: Option<usize>) -> i64 {
    limit.map_or(-1, |l| l as i64)
}

/// The items of one kind, and their count when the same query could tell it.
fn items_of(
    conn: &Connection,
    kind: &str,
    windows: ResponseWindows,
    ctx: &ListContext,
    limit: Option<usize>,
) -> Result<(Vec<Item>, Option<u64>)> {
    let lim = sql_limit(limit);
    let items = match kind {
        "complaints_overdue" | "complaints_awaiting" => {
            complaints(conn, windows, kind == "complaints_overdue", ctx, lim)?
        }
        "late_shipments" => late_shipments(conn, ctx, lim)?,
        "high_risk" => {
            let (n, risky) = super::risk::high_risk(conn, ctx, limit)?;
            let items = risky
                .into_iter()
                .map(|r| Item {
                    subject: Subject::Order(r.id),
                    what: r.order_no,
                    customer: r.customer,
                    detail: Detail::Risk {
                        due: r.due_date,
                        reasons: r.reasons,
                    },
                })
                .collect();
            return Ok((items, Some(n)));
        }
        "overdue_orders" | "due_soon" => {
            let key = if kind == "overdue_orders" {
                "overdue"
            } else {
                "due_week"
            };
            let cond = order_filter_sql(key).unwrap_or("0");
            orders(
                conn,
                &first_then_rows("ifnull(o.due_date, '9999-12-31')", cond),
                ctx,
                lim,
                |o| Detail::Due {
                    due: o.due_date,
                    status: o.status,
                },
            )?
        }
        "production_due" => orders(
            conn,
            // Walks the unfinished productions by planned finish (the unary `+` keeps the
            // planner from starting at the orders' statuses); the same set as the filter's.
            &format!(
                "SELECT {ORDER_COLS} FROM production pp JOIN orders o ON o.id = pp.order_id \
                 {ORDER_JOINS} WHERE pp.stage <> 'done' AND pp.planned_finish <= :today \
                 AND +o.status IN {} \
                 ORDER BY pp.planned_finish, pp.order_id LIMIT :limit",
                status_list(Status::is_in_making)
            ),
            ctx,
            lim,
            |o| Detail::Production {
                finish: o.planned_finish,
                stage: o.stage.clone().unwrap_or_default(),
                percent: o.percent.unwrap_or(0),
            },
        )?,
        "payments_due" => {
            let cond = order_filter_sql("payment_due").unwrap_or("0");
            orders(
                conn,
                &first_then_rows("o.payment_due", cond),
                ctx,
                lim,
                |o| Detail::Payment {
                    due: o.payment_due,
                    total: o.total.clone(),
                    currency: o.currency.clone(),
                },
            )?
        }
        "followups_due" => followups(conn, ctx, lim)?,
        "stale_orders" => orders(
            conn,
            &per_status(
                &STALE_STATUSES[..],
                "orders_by_status_change",
                "o.status_changed_at",
                "o.status_changed_at < :now - 604800",
            ),
            ctx,
            lim,
            |o| Detail::Stale {
                since: o.status_changed_at,
                status: o.status,
            },
        )?,
        "incomplete_orders" => orders(
            conn,
            &per_status(
                &NOT_FINAL[..],
                "orders_incomplete",
                "o.ordered_at",
                "o.missing <> ''",
            ),
            ctx,
            lim,
            |o| Detail::Incomplete {
                ordered_at: o.ordered_at,
                missing: o
                    .missing
                    .split(',')
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                    .map(str::to_string)
                    .collect(),
                status: o.status,
            },
        )?,
        _ => Vec::new(),
    };
    Ok((items, None))
}

/// The first `:limit` orders matching `cond` by `key` then id, found on the index alone,
/// and only then their rows: sorting a few thousand keys is cheap, joining a few thousand
/// rows before the sort is not.
fn first_then_rows(key: &str, cond: &str) -> String {
    format!(
        "SELECT {ORDER_COLS} FROM (SELECT o.id AS id, {key} AS k FROM orders o WHERE {cond} \
         ORDER BY k, o.id LIMIT :limit) t JOIN orders o ON o.id = t.id {ORDER_JOINS} \
         ORDER BY t.k, t.id"
    )
}

/// The first `:limit` orders of `statuses` matching `cond`, by `key` then id: one index
/// range per status (each already in `key` order), merged, so a kind with sixty thousand
/// orders still reads only a few hundred index entries.
/// `index` must start with the status and go on with `key`.
fn per_status(statuses: &[&str], index: &str, key: &str, cond: &str) -> String {
    let arms = statuses
        .iter()
        .map(|s| {
            format!(
                "SELECT * FROM (SELECT o.id AS id, {key} AS k FROM orders o INDEXED BY {index} \
                 WHERE o.status = '{s}' AND {cond} ORDER BY {key}, o.id LIMIT :limit)"
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    // The outer LIMIT keeps the planner from joining every arm's rows before merging.
    format!(
        "SELECT {ORDER_COLS} FROM (SELECT id, k FROM ({arms}) ORDER BY k, id LIMIT :limit) t \
         JOIN orders o ON o.id = t.id {ORDER_JOINS} ORDER BY t.k, t.id"
    )
}

const ORDER_COLS: &str = "o.id, o.order_no, ifnull(c.name, ''), o.status, \
    o.due_date, o.payment_due, o.total, o.currency, o.status_changed_at, o.missing, \
    o.ordered_at, p.stage, p.percent_complete, p.planned_finish";
const ORDER_JOINS: &str = "LEFT JOIN customers c ON c.id = o.customer_id \
    LEFT JOIN production p ON p.order_id = o.id";

/// One row of `ORDER_COLS`.
pub(super) struct OrderFacts {
    pub id: i64,
    pub order_no: String,
    pub customer: String,
    pub status: Status,
    pub due_date: Option<NaiveDate>,
    pub payment_due: Option<NaiveDate>,
    pub total: String,
    pub currency: String,
    pub status_changed_at: i64,
    pub missing: String,
    pub ordered_at: i64,
    pub stage: Option<String>,
    pub percent: Option<i64>,
    pub planned_finish: Option<NaiveDate>,
}

pub(super) fn word<T: FromStr>(r: &Row, i: usize) -> rusqlite::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let s: String = r.get(i)?;
    T::from_str(&s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub(super) fn date(r: &Row, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
    let s: Option<String> = r.get(i)?;
    Ok(s.and_then(|s| parse_date(&s).ok()))
}

impl OrderFacts {
    pub(super) fn from_row(r: &Row) -> rusqlite::Result<OrderFacts> {
        Ok(OrderFacts {
            id: r.get(0)?,
            order_no: r.get(1)?,
            customer: r.get(2)?,
            status: word(r, 3)?,
            due_date: date(r, 4)?,
            payment_due: date(r, 5)?,
            total: r.get(6)?,
            currency: r.get(7)?,
            status_changed_at: r.get(8)?,
            missing: r.get(9)?,
            ordered_at: r.get(10)?,
            stage: r.get(11)?,
            percent: r.get(12)?,
            planned_finish: date(r, 13)?,
        })
    }
}

/// Runs `sql` (binding `:limit` and the context) and maps each row with `f`.
pub(super) fn query<T>(
    conn: &Connection,
    sql: &str,
    ctx: &ListContext,
    limit: i64,
    mut f: impl FnMut(&Row) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    super::note(sql);
    let mut stmt = conn.prepare_cached(sql).doing("reading what needs you")?;
    let extra: [(&str, &dyn ToSql); 1] = [(":limit", &limit)];
    let rows = stmt
        .query_map(named(sql, ctx, &extra).as_slice(), |r| f(r))
        .doing("reading what needs you")?
        .collect::<rusqlite::Result<Vec<T>>>()
        .doing("reading what needs you")?;
    Ok(rows)
}

fn orders(
    conn: &Connection,
    sql: &str,
    ctx: &ListContext,
    limit: i64,
    detail: impl Fn(&OrderFacts) -> Detail,
) -> Result<Vec<Item>> {
    query(conn, sql, ctx, limit, OrderFacts::from_row).map(|rows| {
        rows.into_iter()
            .map(|o| Item {
                subject: Subject::Order(o.id),
                detail: detail(&o),
                what: o.order_no,
                customer: o.customer,
            })
            .collect()
    })
}

/// Complaints awaiting a first response, nearest (or longest passed) deadline first.
fn complaints(
    conn: &Connection,
    windows: ResponseWindows,
    overdue: bool,
    ctx: &ListContext,
    limit: i64,
) -> Result<Vec<Item>> {
    // The first by deadline, then their customer and order: not the joins of every
    // complaint waiting.
    let sql = format!(
        "SELECT k.id, k.complaint_no, ifnull(cu.name, ''), t.deadline, k.severity, \
         k.type, ifnull(o.order_no, '') \
         FROM (SELECT k.id AS id, {deadline} AS deadline FROM complaints k WHERE {cond} \
               ORDER BY deadline, k.id LIMIT :limit) t \
         JOIN complaints k ON k.id = t.id \
         LEFT JOIN customers cu ON cu.id = k.customer_id \
         LEFT JOIN orders o ON o.id = k.order_id \
         ORDER BY t.deadline, t.id",
        deadline = super::deadline_sql(&windows),
        cond = complaints_sql(windows, overdue),
    );
    query(conn, &sql, ctx, limit, |r| {
        Ok(Item {
            subject: Subject::Complaint(r.get(0)?),
            what: r.get(1)?,
            customer: r.get(2)?,
            detail: Detail::Complaint {
                deadline: r.get(3)?,
                severity: r.get(4)?,
                kind: r.get(5)?,
                order_no: r.get(6)?,
            },
        })
    })
}

/// Shipments past their ETA and not delivered, the longest overdue first.
fn late_shipments(conn: &Connection, ctx: &ListContext, limit: i64) -> Result<Vec<Item>> {
    let sql = format!(
        "SELECT s.id, ifnull(s.waybill_no, ''), o.order_no, ifnull(c.name, ''), \
         ifnull(s.carrier, ''), s.eta \
         FROM shipments s JOIN orders o ON o.id = s.order_id \
         LEFT JOIN customers c ON c.id = o.customer_id \
         WHERE {LATE_SHIPMENTS_SQL} ORDER BY s.eta, s.id LIMIT :limit"
    );
    query(conn, &sql, ctx, limit, |r| {
        Ok(Item {
            subject: Subject::Shipment(r.get(0)?),
            what: r.get(1)?,
            customer: r.get(3)?,
            detail: Detail::Shipment {
                order_no: r.get(2)?,
                carrier: r.get(4)?,
                eta: r.get(5)?,
            },
        })
    })
}

/// Follow-ups not done and due within a day (or overdue), earliest first; the customer is
/// the follow-up's own or its order's.
fn followups(conn: &Connection, ctx: &ListContext, limit: i64) -> Result<Vec<Item>> {
    let sql = format!(
        "SELECT f.id, f.order_id, c.id, ifnull(o.order_no, ''), ifnull(c.code, ''), \
         ifnull(c.name, ''), f.due_at, f.text \
         FROM followups f LEFT JOIN orders o ON o.id = f.order_id \
         LEFT JOIN customers c ON c.id = ifnull(f.customer_id, o.customer_id) \
         WHERE {FOLLOWUPS_DUE_SQL} ORDER BY f.due_at, f.id LIMIT :limit"
    );
    query(conn, &sql, ctx, limit, |r| {
        let order: Option<i64> = r.get(1)?;
        let order_no: String = r.get(3)?;
        let code: String = r.get(4)?;
        Ok(Item {
            subject: Subject::Followup {
                id: r.get(0)?,
                order,
                customer: r.get(2)?,
            },
            what: if order.is_some() { order_no } else { code },
            customer: r.get(5)?,
            detail: Detail::Followup {
                due_at: r.get(6)?,
                text: r.get(7)?,
            },
        })
    })
}
