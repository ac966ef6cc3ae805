//! SQL for orders: the list and the detail here; status changes and saving in `write`.

use super::list::{like_escape, Filter, ListEntity, SearchClause, Sort};
use super::search::{fts_phrase, MIN_TRIGRAM_CHARS};
use super::{Context, Result, StoreError};
use crate::domain::enums::OrderType;
use crate::domain::money::parse_decimal;
use crate::domain::order::{OrderDraft, OrderLine};
use crate::domain::status::Status;
use crate::domain::time::parse_date;
use crate::store::{Record, RecordKind};
use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row};
use std::str::FromStr;

/// One row of the Orders list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    pub id: i64,
    pub order_no: String,
    pub customer: String,
    pub order_type: String,
    pub status: Status,
    pub due_date: Option<NaiveDate>,
    pub total: String,
    pub currency: String,
    pub percent: Option<i64>,
    pub missing: String,
    pub missing_reason: bool,
    pub version: i64,
}

fn status_col(r: &Row, i: usize) -> rusqlite::Result<Status> {
    r.get(i)
}

fn date_col(r: &Row, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
    let s: Option<String> = r.get(i)?;
    Ok(s.and_then(|s| parse_date(&s).ok()))
}

mod plan;
#[cfg(test)]
use plan::matches_more_than;
use plan::{plan, rare_short_term, short_walk, Plan, FTS_COMMON, FTS_RARE, HITS};

impl ListEntity for OrderRow {
    const FROM: &'static str = "orders o LEFT JOIN customers c ON c.id = o.customer_id \
                                LEFT JOIN production p ON p.order_id = o.id";
    const COUNT_FROM: &'static str = "orders o";
    const ID: &'static str = "o.id";
    const COLUMNS: &'static str = "o.order_no, ifnull(c.name, ''), o.order_type, o.status, \
        o.due_date, o.total, o.currency, p.percent_complete, o.missing, \
        ifnull(o.missing_reason, '') <> '', o.version";

    fn sorts() -> &'static [Sort] {
        &[
            Sort {
                key: "ordered",
                expr: "o.ordered_at",
                desc: true,
            },
            Sort {
                key: "due",
                expr: "ifnull(o.due_date, '9999-12-31')",
                desc: false,
            },
            Sort {
                key: "number",
                expr: "o.order_no",
                desc: false,
            },
        ]
    }

    fn filters() -> Vec<Filter> {
        let mut f: Vec<Filter> = <Status as strum::IntoEnumIterator>::iter()
            .map(|s| Filter {
                key: format!("status:{s}"),
                group: "status",
                sql: format!("o.status = '{s}'"),
            })
            .collect();
        f.extend(
            <OrderType as strum::IntoEnumIterator>::iter().map(|t| Filter {
                key: format!("type:{t}"),
                group: "type",
                sql: format!("o.order_type = '{t}'"),
            }),
        );
        f.push(Filter {
            key: "overdue".into(),
            group: "due",
            sql: super::today::OVERDUE_SQL.clone(),
        });
        f.push(Filter {
            key: "due_week".into(),
            group: "due",
            sql: super::today::DUE_WEEK_SQL.clone(),
        });
        f.push(Filter {
            key: "incomplete".into(),
            group: "incomplete",
            sql: "o.missing <> ''".into(),
        });
        f.extend(super::today::ORDER_FILTERS.iter().map(|(key, sql)| Filter {
            key: key.to_string(),
            group: "today",
            sql: sql.to_string(),
        }));
        f
    }

    fn search(query: &str) -> Option<SearchClause> {
        if query.is_empty() {
            return None;
        }
        let mut parts = Vec::new();
        let mut params = Vec::new();
        let (long, short): (Vec<&str>, Vec<&str>) = query
            .split_whitespace()
            .partition(|t| t.chars().count() >= MIN_TRIGRAM_CHARS);
        if !long.is_empty() {
            let expr = long
                .iter()
                .map(|t| fts_phrase(t))
                .collect::<Vec<_>>()
                .join(" AND ");
            parts.push(FTS_RARE.to_string());
            params.push((":fts".to_string(), Value::Text(expr)));
        }
        // Trigrams need three characters; a one- or two-character term (a Chinese name is
        // often two) matches order-number prefixes and customer names instead.
        for (i, term) in short.iter().enumerate() {
            let esc = like_escape(term);
            parts.push(short_walk(i));
            params.push((format!(":p{i}"), Value::Text(format!("{esc}%"))));
            params.push((format!(":a{i}"), Value::Text(format!("%{esc}%"))));
        }
        Some(SearchClause {
            sql: parts.join(" AND "),
            params,
        })
    }

    fn search_in(conn: &Connection, query: &str) -> Option<SearchClause> {
        let mut clause = Self::search(query)?;
        if let Some((_, Value::Text(expr))) = clause.params.iter().find(|(n, _)| n == ":fts") {
            match plan(conn, expr) {
                Plan::Common => clause.sql = clause.sql.replace(FTS_RARE, FTS_COMMON),
                Plan::Collected => clause.sql = clause.sql.replace(FTS_RARE, HITS),
                Plan::Rare => {}
            }
        }
        // A short term that matches few orders (or none) is answered from their ids; walking
        // the list to check each row would read all million rows to find nothing.
        for (i, term) in query
            .split_whitespace()
            .filter(|t| t.chars().count() < MIN_TRIGRAM_CHARS)
            .enumerate()
        {
            if let Some(rare) = rare_short_term(conn, term) {
                let walk = short_walk(i);
                clause.sql = clause.sql.replace(&walk, &rare);
            }
        }
        let sql = &clause.sql;
        clause.params.retain(|(name, _)| {
            sql.match_indices(name.as_str())
                .any(|(at, _)| !sql[at + name.len()..].starts_with(|c: char| c.is_ascii_digit()))
        });
        Some(clause)
    }

    /// Closed orders are archived: out of the default list, found by search and filters.
    /// Written exactly as the partial indexes `orders_open_by_*` say, so they serve it.
    fn default_condition() -> Option<&'static str> {
        Some("o.status <> 'closed'")
    }

    fn hidden_condition() -> Option<&'static str> {
        Some("o.status = 'closed'")
    }

    fn quick_fetch(
        conn: &Connection,
        q: &super::list::ListQuery,
        anchor: &super::list::Anchor,
        limit: usize,
        ctx: &super::list::ListContext,
    ) -> Result<Option<super::list::Page<Self>>> {
        walk::fetch(conn, q, anchor, limit, ctx)
    }

    fn from_row(r: &Row) -> rusqlite::Result<Self> {
        Ok(OrderRow {
            id: r.get(1)?,
            order_no: r.get(2)?,
            customer: r.get(3)?,
            order_type: r.get(4)?,
            status: status_col(r, 5)?,
            due_date: date_col(r, 6)?,
            total: r.get(7)?,
            currency: r.get(8)?,
            percent: r.get(9)?,
            missing: r.get(10)?,
            missing_reason: r.get(11)?,
            version: r.get(12)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub from: Option<String>,
    pub to: String,
    pub happened_at: i64,
    pub recorded_at: i64,
    pub note: String,
}

impl HistoryEntry {
    /// Recorded over an hour after it happened (the one-hour rule): the history marks it.
    pub fn recorded_late(&self) -> bool {
        self.from.is_some()
            && crate::domain::report::quality::recorded_late(self.happened_at, self.recorded_at)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueRevision {
    pub old: Option<String>,
    pub new: Option<String>,
    pub changed_at: i64,
    pub reason: String,
}

/// Everything the detail pane shows of one order, each related list as short text lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDetail {
    pub id: i64,
    pub draft: OrderDraft,
    pub customer: String,
    pub customer_code: String,
    pub held_from: Option<Status>,
    pub missing: String,
    pub version: i64,
    pub history: Vec<HistoryEntry>,
    pub revisions: Vec<DueRevision>,
    pub production: Option<String>,
    pub exceptions: Vec<String>,
    pub shipments: Vec<String>,
    pub complaints: Vec<String>,
    pub contacts: Vec<super::contacts::ContactItem>,
    pub production_row: Option<super::production::Production>,
    pub exception_rows: Vec<super::exceptions::ExceptionRow>,
    pub documents: Vec<super::documents::DocumentRow>,
    /// When the order was delivered after its due date: the delivery date and the cause
    /// (SPEC §2: of its latest delay exception, else `unspecified`).
    pub late_delivery: Option<(NaiveDate, String)>,
}

fn strings(conn: &Connection, sql: &str, id: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(sql).doing("reading order details")?;
    let rows = stmt
        .query_map([id], |r| r.get::<_, String>(0))
        .doing("reading order details")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("reading order details")?;
    Ok(rows)
}

fn lines_of(conn: &Connection, id: i64) -> Result<Vec<OrderLine>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT ifnull(product_code,''), ifnull(spec,''), quantity, ifnull(unit,''), unit_price
             FROM order_lines WHERE order_id = ?1 ORDER BY line_no",
        )
        .doing("reading order lines")?;
    let raw = stmt
        .query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })
        .doing("reading order lines")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("reading order lines")?;
    Ok(raw
        .into_iter()
        .map(|(product_code, spec, q, unit, p)| OrderLine {
            product_code,
            spec,
            quantity: parse_decimal(&q).unwrap_or_default(),
            unit,
            unit_price: p.and_then(|p| parse_decimal(&p).ok()),
        })
        .collect())
}

pub fn load_detail(conn: &Connection, id: i64) -> Result<OrderDetail> {
    let head = super::sql::row(
        conn,
        "SELECT o.order_no, o.customer_id, o.order_type, o.status, o.ordered_at, o.due_date,
                    ifnull(o.delivery_address,''), o.currency, o.payment_due, o.paid_at,
                    ifnull(o.missing_reason,''), ifnull(o.notes,''), ifnull(c.name,''),
                    ifnull(c.code,''), o.held_from, o.missing, o.version
             FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE o.id = ?1",
        [id],
        |r| {
            let held: Option<String> = r.get(14)?;
            Ok((
                OrderDraft {
                    order_no: r.get(0)?,
                    customer_id: r.get(1)?,
                    order_type: OrderType::from_str(&r.get::<_, String>(2)?)
                        .unwrap_or(OrderType::Regular),
                    status: status_col(r, 3)?,
                    ordered_at: r.get(4)?,
                    due_date: date_col(r, 5)?,
                    delivery_address: r.get(6)?,
                    currency: r.get(7)?,
                    payment_due: date_col(r, 8)?,
                    paid_at: date_col(r, 9)?,
                    missing_reason: r.get(10)?,
                    notes: r.get(11)?,
                    lines: Vec::new(),
                },
                r.get::<_, String>(12)?,
                r.get::<_, String>(13)?,
                held.and_then(|h| Status::from_str(&h).ok()),
                r.get::<_, String>(15)?,
                r.get::<_, i64>(16)?,
            ))
        },
    )
    .optional()
    .doing("reading an order")?
    .ok_or_else(|| StoreError::NotFound(Record::new(RecordKind::Order, id)))?;
    let (mut draft, customer, customer_code, held_from, missing, version) = head;
    let due = draft.due_date;
    draft.lines = lines_of(conn, id)?;

    let mut stmt = conn
        .prepare_cached(
            "SELECT from_status, to_status, happened_at, recorded_at, ifnull(note,'')
             FROM status_history WHERE order_id = ?1 ORDER BY happened_at, id",
        )
        .doing("reading status history")?;
    let history = stmt
        .query_map([id], |r| {
            Ok(HistoryEntry {
                from: r.get(0)?,
                to: r.get(1)?,
                happened_at: r.get(2)?,
                recorded_at: r.get(3)?,
                note: r.get(4)?,
            })
        })
        .doing("reading status history")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("reading status history")?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT old_due, new_due, changed_at, reason FROM due_date_revisions
             WHERE order_id = ?1 ORDER BY changed_at, id",
        )
        .doing("reading due date revisions")?;
    let revisions = stmt
        .query_map([id], |r| {
            Ok(DueRevision {
                old: r.get(0)?,
                new: r.get(1)?,
                changed_at: r.get(2)?,
                reason: r.get(3)?,
            })
        })
        .doing("reading due date revisions")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("reading due date revisions")?;
    let production = strings(
        conn,
        "SELECT stage || ' · materials ' || materials || ' · ' || percent_complete || '%' ||
                ifnull(' · start ' || scheduled_start, '') || ifnull(' · finish ' || planned_finish, '')
         FROM production WHERE order_id = ?1",
        id,
    )?
    .into_iter()
    .next();
    let exceptions = strings(
        conn,
        "SELECT kind || ' (' || cause || ') ' || strftime('%Y-%m-%d', opened_at, 'unixepoch', 'localtime') ||
                CASE WHEN resolved_at IS NULL THEN ' open' ELSE ' resolved' END ||
                CASE WHEN customer_informed_at IS NULL THEN '' ELSE ' · informed' END ||
                ifnull(' · ' || note, '')
         FROM exceptions WHERE order_id = ?1 ORDER BY opened_at, id",
        id,
    )?;
    let shipments = strings(
        conn,
        "SELECT ifnull(carrier,'?') || ' ' || ifnull(waybill_no,'') || ' · ' || mode || ' · ' || status ||
                ifnull(' · ETA ' || strftime('%Y-%m-%d', eta, 'unixepoch', 'localtime'), '') ||
                ifnull(' · delivered ' || strftime('%Y-%m-%d', delivered_at, 'unixepoch', 'localtime'), '')
         FROM shipments WHERE order_id = ?1 ORDER BY shipped_at, id",
        id,
    )?;
    let complaints = strings(
        conn,
        "SELECT complaint_no || ' · ' || type || ' · ' || severity ||
                CASE WHEN resolved_at IS NOT NULL THEN ' · closed'
                     WHEN first_response_at IS NOT NULL THEN ' · in progress'
                     ELSE ' · awaiting response' END
         FROM complaints WHERE order_id = ?1 ORDER BY opened_at, id",
        id,
    )?;
    let contacts = super::contacts::list(conn, super::contacts::Scope::Order(id), 20)?;
    Ok(OrderDetail {
        id,
        draft,
        customer,
        customer_code,
        held_from,
        missing,
        version,
        history,
        revisions,
        production,
        exceptions,
        shipments,
        complaints,
        contacts,
        production_row: super::production::load(conn, id)?,
        exception_rows: super::exceptions::list(conn, id)?,
        documents: super::documents::list(conn, id)?,
        late_delivery: late_delivery(conn, id, due)?,
    })
}

fn late_delivery(
    conn: &Connection,
    id: i64,
    due: Option<NaiveDate>,
) -> Result<Option<(NaiveDate, String)>> {
    let delivered: Option<i64> = conn
        .query_row("SELECT delivered_at FROM orders WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .doing("reading the delivery date")?;
    match (delivered.map(crate::domain::time::local_date), due) {
        (Some(d), Some(due)) if d > due => Ok(Some((d, super::exceptions::late_cause(conn, id)?))),
        _ => Ok(None),
    }
}

/// Finds an order by its exact number.
pub fn id_by_number(conn: &Connection, order_no: &str) -> Result<Option<i64>> {
    super::sql::row(
        conn,
        "SELECT id FROM orders WHERE order_no = ?1",
        [order_no],
        |r| r.get(0),
    )
    .optional()
    .doing("finding an order")
}

mod walk;
mod write;
pub use write::{change_status, next_order_no, save, StatusChanged, StatusRequest};

#[cfg(test)]
mod tests;
