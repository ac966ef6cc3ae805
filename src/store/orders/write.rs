//! Changing orders: status changes and saving the form, each recording its undo images and
//! an audit entry inside the caller's transaction.

use super::{status_col, Context, Result, StoreError};
use crate::domain::money::canonical;
use crate::domain::order::{generated_order_no, order_no_prefix, OrderDraft};
use crate::domain::status::{plan_change, toggle_hold, Status};
use crate::domain::time::{format_date, now};
use crate::store::audit;
use crate::store::search::reindex_order;
use crate::store::sql::execute_named;
use crate::store::undo::Change;
use crate::store::{Record, RecordKind};
use crate::store::{Refusal, Unique};
use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;
use std::str::FromStr;

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
    .ok_or_else(|| StoreError::NotFound(Record::new(RecordKind::Order, id)))
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
        return Err(StoreError::Conflict(Record::new(
            RecordKind::Order,
            cur.order_no,
        )));
    }
    let invalid = |error: crate::domain::status::TransitionError| StoreError::Transition {
        order_no: cur.order_no.clone(),
        error,
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
                delivered_at = CASE WHEN NOT ?7 THEN NULL
                                    WHEN ?6 AND delivered_at IS NULL THEN ?3
                                    ELSE delivered_at END,
                version = version + 1
         WHERE id = ?5",
        params![
            to.as_str(),
            held_from,
            happened_at,
            recorded,
            id,
            to == Status::Delivered,
            to.keeps_delivery_date()
        ],
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
        return Err(Refusal::Taken {
            what: Unique::OrderNo,
            value: order_no,
        }
        .into());
    }
    let due = draft.due_date.map(format_date);
    let total = canonical(draft.checked_total().ok_or(Refusal::TotalTooLarge)?);
    let id = match id {
        Some(id) => {
            let cur = current(conn, id)?;
            if expected_version.is_some_and(|v| v != cur.version) {
                return Err(StoreError::Conflict(Record::new(
                    RecordKind::Order,
                    cur.order_no,
                )));
            }
            if !cur.status.may_be_incomplete()
                && !missing.is_empty()
                && draft.missing_reason.trim().is_empty()
            {
                return Err(Refusal::Incomplete {
                    status: cur.status,
                    fields: missing,
                }
                .into());
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
                    .ok_or(Refusal::DueReasonRequired)?;
                conn.execute(
                    "INSERT INTO due_date_revisions (order_id, old_due, new_due, changed_at, reason)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id, old_due, due, stamp, reason],
                )
                .doing("keeping the due date revision")?;
                change.inserted("due_date_revisions", conn.last_insert_rowid())?;
            }
            let mut fields = order_fields(draft, &order_no, &due, &total, &missing_text, stamp);
            fields.push((":id", Value::Integer(id)));
            execute_named(
                conn,
                "UPDATE orders SET order_no = :order_no, customer_id = :customer_id,
                        order_type = :order_type, ordered_at = :ordered_at, due_date = :due_date,
                        first_due_date = ifnull(first_due_date, :due_date),
                        delivery_address = :delivery_address, currency = :currency,
                        payment_due = :payment_due, paid_at = :paid_at, total = :total,
                        missing = :missing, missing_reason = :missing_reason, notes = :notes,
                        updated_at = :stamp, version = version + 1
                 WHERE id = :id",
                &fields,
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
            .map_err(|error| StoreError::Transition {
                order_no: order_no.clone(),
                error,
            })?;
            let mut fields = order_fields(draft, &order_no, &due, &total, &missing_text, stamp);
            fields.push((":status", Value::Text(draft.status.as_str().to_string())));
            execute_named(
                conn,
                "INSERT INTO orders (order_no, customer_id, order_type, status, ordered_at, due_date,
                        first_due_date, delivery_address, currency, payment_due, paid_at, total,
                        missing, missing_reason, notes, status_changed_at, created_at, updated_at)
                 VALUES (:order_no, :customer_id, :order_type, :status, :ordered_at, :due_date,
                        :due_date, :delivery_address, :currency, :payment_due, :paid_at, :total,
                        :missing, :missing_reason, :notes, :stamp, :stamp, :stamp)",
                &fields,
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

/// The columns a new order and an edit write alike, as named parameters.
fn order_fields(
    draft: &OrderDraft,
    order_no: &str,
    due: &Option<String>,
    total: &str,
    missing: &str,
    stamp: i64,
) -> Vec<(&'static str, Value)> {
    let text = |s: Option<&str>| s.map_or(Value::Null, |s| Value::Text(s.to_string()));
    let date = |d: Option<NaiveDate>| text(d.map(format_date).as_deref());
    vec![
        (":order_no", Value::Text(order_no.to_string())),
        (
            ":customer_id",
            draft.customer_id.map_or(Value::Null, Value::Integer),
        ),
        (
            ":order_type",
            Value::Text(draft.order_type.as_str().to_string()),
        ),
        (":ordered_at", Value::Integer(draft.ordered_at)),
        (":due_date", text(due.as_deref())),
        (
            ":delivery_address",
            text(none_if_empty(&draft.delivery_address)),
        ),
        (":currency", Value::Text(draft.currency.clone())),
        (":payment_due", date(draft.payment_due)),
        (":paid_at", date(draft.paid_at)),
        (":total", Value::Text(total.to_string())),
        (":missing", Value::Text(missing.to_string())),
        (
            ":missing_reason",
            text(none_if_empty(&draft.missing_reason)),
        ),
        (":notes", text(none_if_empty(&draft.notes))),
        (":stamp", Value::Integer(stamp)),
    ]
}

fn none_if_empty(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}
