//! SQL for orders: the list, the detail, status changes, saving a form, undo-aware.

use super::list::{like_escape, Filter, ListEntity, SearchClause, Sort};
use super::search::{fts_phrase, reindex_order, MIN_TRIGRAM_CHARS};
use super::undo::Change;
use super::{audit, Context, Result, StoreError};
use crate::domain::enums::OrderType;
use crate::domain::money::{canonical, parse_decimal};
use crate::domain::order::{generated_order_no, order_no_prefix, OrderDraft, OrderLine};
use crate::domain::status::{plan_change, toggle_hold, Status};
use crate::domain::time::{format_date, now, parse_date};
use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::json;
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
    let s: String = r.get(i)?;
    Status::from_str(&s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn date_col(r: &Row, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
    let s: Option<String> = r.get(i)?;
    Ok(s.and_then(|s| parse_date(&s).ok()))
}

const ACTIVE: &str = "'inquiry','quoted','confirmed','in_production','ready','on_hold'";

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
            sql: format!("o.due_date < :today AND o.status IN ({ACTIVE})"),
        });
        f.push(Filter {
            key: "due_week".into(),
            group: "due",
            sql: format!(
                "o.due_date >= :today AND o.due_date <= :week_end AND o.status IN ({ACTIVE})"
            ),
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
            parts.push(
                "o.id IN (SELECT rowid FROM order_search WHERE order_search MATCH :fts)"
                    .to_string(),
            );
            params.push((":fts".to_string(), Value::Text(expr)));
        }
        // Trigrams need three characters; a one- or two-character term (a Chinese name is
        // often two) matches order-number prefixes and customer names instead.
        for (i, term) in short.iter().enumerate() {
            let esc = like_escape(term);
            parts.push(format!(
                "(o.order_no LIKE :p{i} ESCAPE '\\' OR o.customer_id IN \
                 (SELECT id FROM customers WHERE name LIKE :a{i} ESCAPE '\\' OR code LIKE :p{i} ESCAPE '\\'))"
            ));
            params.push((format!(":p{i}"), Value::Text(format!("{esc}%"))));
            params.push((format!(":a{i}"), Value::Text(format!("%{esc}%"))));
        }
        Some(SearchClause {
            sql: parts.join(" AND "),
            params,
        })
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
    pub contacts: Vec<String>,
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
    let head = conn
        .query_row(
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
        .ok_or_else(|| StoreError::NotFound(format!("order {id}")))?;
    let (mut draft, customer, customer_code, held_from, missing, version) = head;
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
    let contacts = strings(
        conn,
        "SELECT strftime('%Y-%m-%d %H:%M', at, 'unixepoch', 'localtime') || ' ' || direction || ' ' ||
                channel || ' · ' || ifnull(summary,'')
         FROM contacts WHERE order_id = ?1 ORDER BY at DESC, id DESC LIMIT 20",
        id,
    )?;
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
    })
}

/// What the clerk asked for with a status key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusRequest {
    Advance,
    ToggleHold,
    Set(Status),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChanged {
    pub order_no: String,
    pub from: Status,
    pub to: Status,
}

struct Current {
    order_no: String,
    status: Status,
    held_from: Option<Status>,
    missing: String,
    missing_reason: bool,
    version: i64,
}

fn current(conn: &Connection, id: i64) -> Result<Current> {
    conn.query_row(
        "SELECT order_no, status, held_from, missing, ifnull(missing_reason,'') <> '', version
         FROM orders WHERE id = ?1",
        [id],
        |r| {
            let held: Option<String> = r.get(2)?;
            Ok(Current {
                order_no: r.get(0)?,
                status: status_col(r, 1)?,
                held_from: held.and_then(|h| Status::from_str(&h).ok()),
                missing: r.get(3)?,
                missing_reason: r.get(4)?,
                version: r.get(5)?,
            })
        },
    )
    .optional()
    .doing("reading an order")?
    .ok_or_else(|| StoreError::NotFound(format!("order {id}")))
}

fn missing_list(missing: &str) -> Vec<&'static str> {
    const NAMES: &[&str] = &[
        "customer",
        "lines",
        "product_code",
        "unit_price",
        "due_date",
        "delivery_address",
    ];
    missing
        .split(',')
        .filter_map(|m| NAMES.iter().copied().find(|n| *n == m.trim()))
        .collect()
}

/// Changes one order's status inside the caller's transaction. `expected_version` is the
/// version the clerk saw; another copy's change since then is refused, not overwritten.
pub fn change_status(
    conn: &Connection,
    change: &mut Change,
    id: i64,
    expected_version: Option<i64>,
    request: StatusRequest,
    happened_at: i64,
    note: Option<&str>,
) -> Result<StatusChanged> {
    let cur = current(conn, id)?;
    if expected_version.is_some_and(|v| v != cur.version) {
        return Err(StoreError::Conflict(format!("order {}", cur.order_no)));
    }
    let invalid = |e: crate::domain::status::TransitionError| {
        StoreError::Invalid(format!("{}: {e}", cur.order_no))
    };
    let to = match request {
        StatusRequest::Advance => cur.status.next().map_err(invalid)?,
        StatusRequest::ToggleHold => toggle_hold(cur.status, cur.held_from).map_err(invalid)?,
        StatusRequest::Set(s) => s,
    };
    if cur.status == Status::OnHold && to != Status::OnHold {
        // Resuming (or leaving hold elsewhere) follows the rules of where it was held from.
        let base = cur.held_from.unwrap_or(Status::Inquiry);
        if base != to {
            plan_change(
                base,
                to,
                &missing_list(&cur.missing),
                cur.missing_reason,
                note,
            )
            .map_err(invalid)?;
        }
    } else {
        plan_change(
            cur.status,
            to,
            &missing_list(&cur.missing),
            cur.missing_reason,
            note,
        )
        .map_err(invalid)?;
    }
    let held_from = match (cur.status, to) {
        (s, Status::OnHold) => Some(s.as_str()),
        _ => None,
    };
    let recorded = now();
    change.capture(conn, "orders", id)?;
    conn.execute(
        "UPDATE orders SET status = ?1, held_from = ?2, status_changed_at = ?3, updated_at = ?4,
                delivered_at = CASE WHEN ?1 = 'delivered' AND delivered_at IS NULL THEN ?3
                                    WHEN ?1 IN ('delivered','closed') THEN delivered_at ELSE NULL END,
                version = version + 1
         WHERE id = ?5",
        params![to.as_str(), held_from, happened_at, recorded, id],
    )
    .doing("changing an order's status")?;
    conn.execute(
        "INSERT INTO status_history (order_id, from_status, to_status, happened_at, recorded_at, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, cur.status.as_str(), to.as_str(), happened_at, recorded, note],
    )
    .doing("recording status history")?;
    change.inserted("status_history", conn.last_insert_rowid())?;
    if matches!(to, Status::Confirmed | Status::InProduction) {
        let created = conn
            .execute(
                "INSERT OR IGNORE INTO production (order_id, stage, updated_at) VALUES (?1, ?2, ?3)",
                params![id, if to == Status::InProduction { "producing" } else { "materials" }, recorded],
            )
            .doing("starting production progress")?;
        if created == 1 {
            change.inserted("production", id)?;
        }
    }
    audit::append(
        conn,
        "status",
        "order",
        &cur.order_no,
        &json!({"from": cur.status.as_str(), "to": to.as_str(), "happened_at": happened_at, "note": note}),
    )?;
    Ok(StatusChanged {
        order_no: cur.order_no,
        from: cur.status,
        to,
    })
}

/// The next free generated number for `day`.
pub fn next_order_no(conn: &Connection, day: NaiveDate) -> Result<String> {
    let prefix = order_no_prefix(day);
    let last: Option<String> = conn
        .query_row(
            "SELECT max(order_no) FROM orders WHERE order_no >= ?1 AND order_no < ?2",
            params![prefix, format!("{prefix}~")],
            |r| r.get(0),
        )
        .doing("numbering a new order")?;
    let seq = last
        .and_then(|l| l[prefix.len()..].parse::<u32>().ok())
        .unwrap_or(0);
    Ok(generated_order_no(day, seq + 1))
}

/// Saves a new order (`id = None`) or an edit, inside the caller's transaction. A changed
/// due date needs `due_reason`; the first promised date is kept.
pub fn save(
    conn: &Connection,
    change: &mut Change,
    id: Option<i64>,
    expected_version: Option<i64>,
    draft: &OrderDraft,
    due_reason: Option<&str>,
) -> Result<i64> {
    let stamp = now();
    let missing = draft.missing_fields();
    let missing_text = missing.join(",");
    let order_no = if draft.order_no.trim().is_empty() {
        next_order_no(conn, crate::domain::time::today())?
    } else {
        draft.order_no.trim().to_string()
    };
    let clash: Option<i64> = conn
        .query_row(
            "SELECT id FROM orders WHERE order_no = ?1",
            [&order_no],
            |r| r.get(0),
        )
        .optional()
        .doing("checking the order number")?;
    if clash.is_some() && clash != id {
        return Err(StoreError::Invalid(format!(
            "order number {order_no} is taken"
        )));
    }
    let due = draft.due_date.map(format_date);
    let total = canonical(draft.total());
    let id = match id {
        Some(id) => {
            let cur = current(conn, id)?;
            if expected_version.is_some_and(|v| v != cur.version) {
                return Err(StoreError::Conflict(format!("order {}", cur.order_no)));
            }
            if !cur.status.may_be_incomplete()
                && !missing.is_empty()
                && draft.missing_reason.trim().is_empty()
            {
                return Err(StoreError::Invalid(format!(
                    "a {} order needs {} (or a missing reason)",
                    cur.status,
                    missing.join(", ")
                )));
            }
            let old_due: Option<String> = conn
                .query_row("SELECT due_date FROM orders WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .doing("reading the due date")?;
            change.capture(conn, "orders", id)?;
            if old_due != due && old_due.is_some() {
                let reason = due_reason
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .ok_or_else(|| {
                        StoreError::Invalid("a changed due date needs a reason".into())
                    })?;
                conn.execute(
                    "INSERT INTO due_date_revisions (order_id, old_due, new_due, changed_at, reason)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id, old_due, due, stamp, reason],
                )
                .doing("keeping the due date revision")?;
                change.inserted("due_date_revisions", conn.last_insert_rowid())?;
            }
            conn.execute(
                "UPDATE orders SET order_no = ?1, customer_id = ?2, order_type = ?3, ordered_at = ?4,
                        due_date = ?5, first_due_date = ifnull(first_due_date, ?5),
                        delivery_address = ?6, currency = ?7, payment_due = ?8, paid_at = ?9,
                        total = ?10, missing = ?11, missing_reason = ?12, notes = ?13,
                        updated_at = ?14, version = version + 1
                 WHERE id = ?15",
                params![
                    order_no,
                    draft.customer_id,
                    draft.order_type.as_str(),
                    draft.ordered_at,
                    due,
                    none_if_empty(&draft.delivery_address),
                    draft.currency,
                    draft.payment_due.map(format_date),
                    draft.paid_at.map(format_date),
                    total,
                    missing_text,
                    none_if_empty(&draft.missing_reason),
                    none_if_empty(&draft.notes),
                    stamp,
                    id
                ],
            )
            .doing("saving an order")?;
            let line_ids: Vec<i64> = {
                let mut stmt = conn
                    .prepare_cached("SELECT id FROM order_lines WHERE order_id = ?1")
                    .doing("reading order lines")?;
                let ids = stmt
                    .query_map([id], |r| r.get(0))
                    .doing("reading order lines")?
                    .collect::<rusqlite::Result<Vec<i64>>>()
                    .doing("reading order lines")?;
                ids
            };
            for line in line_ids {
                change.capture(conn, "order_lines", line)?;
            }
            conn.execute("DELETE FROM order_lines WHERE order_id = ?1", [id])
                .doing("replacing order lines")?;
            audit::append(
                conn,
                "edit",
                "order",
                &order_no,
                &json!({"total": total, "due_date": due}),
            )?;
            id
        }
        None => {
            plan_change(
                crate::domain::status::Status::Inquiry,
                draft.status,
                &missing,
                !draft.missing_reason.trim().is_empty(),
                Some("new"),
            )
            .or_else(|e| match e {
                crate::domain::status::TransitionError::Same(_) => Ok(()),
                e => Err(e),
            })
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
            conn.execute(
                "INSERT INTO orders (order_no, customer_id, order_type, status, ordered_at, due_date,
                        first_due_date, delivery_address, currency, payment_due, paid_at, total,
                        missing, missing_reason, notes, status_changed_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?15)",
                params![
                    order_no,
                    draft.customer_id,
                    draft.order_type.as_str(),
                    draft.status.as_str(),
                    draft.ordered_at,
                    due,
                    none_if_empty(&draft.delivery_address),
                    draft.currency,
                    draft.payment_due.map(format_date),
                    draft.paid_at.map(format_date),
                    total,
                    missing_text,
                    none_if_empty(&draft.missing_reason),
                    none_if_empty(&draft.notes),
                    stamp
                ],
            )
            .doing("creating an order")?;
            let id = conn.last_insert_rowid();
            change.inserted("orders", id)?;
            conn.execute(
                "INSERT INTO status_history (order_id, from_status, to_status, happened_at, recorded_at, note)
                 VALUES (?1, NULL, ?2, ?3, ?3, 'created')",
                params![id, draft.status.as_str(), stamp],
            )
            .doing("recording status history")?;
            change.inserted("status_history", conn.last_insert_rowid())?;
            audit::append(
                conn,
                "create",
                "order",
                &order_no,
                &json!({"total": total, "status": draft.status.as_str()}),
            )?;
            id
        }
    };
    for (i, line) in draft.lines.iter().enumerate() {
        conn.execute(
            "INSERT INTO order_lines (order_id, line_no, product_code, spec, quantity, unit, unit_price)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id,
                i as i64 + 1,
                none_if_empty(&line.product_code),
                none_if_empty(&line.spec),
                canonical(line.quantity),
                none_if_empty(&line.unit),
                line.unit_price.map(canonical)
            ],
        )
        .doing("saving an order line")?;
        change.inserted("order_lines", conn.last_insert_rowid())?;
    }
    reindex_order(conn, id)?;
    Ok(id)
}

fn none_if_empty(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

/// Finds an order by its exact number.
pub fn id_by_number(conn: &Connection, order_no: &str) -> Result<Option<i64>> {
    conn.query_row(
        "SELECT id FROM orders WHERE order_no = ?1",
        [order_no],
        |r| r.get(0),
    )
    .optional()
    .doing("finding an order")
}

#[cfg(test)]
mod tests;
