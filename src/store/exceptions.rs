//! Order exceptions (SPEC §2): opened with a kind and cause, the customer informed, resolved.
//! A late delivery's cause is the cause of the order's latest delay exception.

use super::undo::Change;
use super::{audit, Context, Refusal, Result, StoreError};
use crate::domain::enums::{ExceptionCause, ExceptionKind};
use crate::store::{Record, RecordKind};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionRow {
    pub id: i64,
    pub kind: String,
    pub cause: String,
    pub opened_at: i64,
    pub customer_informed_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub note: String,
}

pub fn list(conn: &Connection, order_id: i64) -> Result<Vec<ExceptionRow>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, kind, cause, opened_at, customer_informed_at, resolved_at, ifnull(note,'')
             FROM exceptions WHERE order_id = ?1 ORDER BY opened_at, id",
        )
        .doing("reading exceptions")?;
    let rows = stmt
        .query_map([order_id], |r| {
            Ok(ExceptionRow {
                id: r.get(0)?,
                kind: r.get(1)?,
                cause: r.get(2)?,
                opened_at: r.get(3)?,
                customer_informed_at: r.get(4)?,
                resolved_at: r.get(5)?,
                note: r.get(6)?,
            })
        })
        .doing("reading exceptions")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("reading exceptions")?;
    Ok(rows)
}

fn order_no(conn: &Connection, order_id: i64) -> Result<String> {
    conn.query_row(
        "SELECT order_no FROM orders WHERE id = ?1",
        [order_id],
        |r| r.get(0),
    )
    .optional()
    .doing("reading an order")?
    .ok_or_else(|| StoreError::NotFound(Record::new(RecordKind::Order, order_id)))
}

pub fn open(
    conn: &Connection,
    change: &mut Change,
    order_id: i64,
    kind: ExceptionKind,
    cause: ExceptionCause,
    note: &str,
    at: i64,
) -> Result<i64> {
    let no = order_no(conn, order_id)?;
    let note = note.trim();
    conn.execute(
        "INSERT INTO exceptions (order_id, kind, cause, opened_at, note) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![order_id, kind.as_str(), cause.as_str(), at, (!note.is_empty()).then_some(note)],
    )
    .doing("opening an exception")?;
    let id = conn.last_insert_rowid();
    change.inserted("exceptions", id)?;
    audit::append(
        conn,
        "exception",
        "order",
        &no,
        &json!({"kind": kind.as_str(), "cause": cause.as_str()}),
    )?;
    Ok(id)
}

/// What `inform` and `resolve` set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Informed,
    Resolved,
}

/// Marks the customer informed, or the exception resolved, at `at`; each happens once.
pub fn mark(conn: &Connection, change: &mut Change, id: i64, step: Step, at: i64) -> Result<()> {
    let (order_id, informed, resolved): (i64, Option<i64>, Option<i64>) = conn
        .query_row(
            "SELECT order_id, customer_informed_at, resolved_at FROM exceptions WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .doing("reading an exception")?
        .ok_or_else(|| StoreError::NotFound(Record::new(RecordKind::Exception, id)))?;
    let (done, column, refusal) = match step {
        Step::Informed => (informed, "customer_informed_at", Refusal::AlreadyInformed),
        Step::Resolved => (resolved, "resolved_at", Refusal::AlreadyResolved),
    };
    if done.is_some() {
        return Err(refusal.into());
    }
    change.capture(conn, "exceptions", id)?;
    conn.execute(
        &format!("UPDATE exceptions SET {column} = ?2 WHERE id = ?1"),
        params![id, at],
    )
    .doing("updating an exception")?;
    audit::append(
        conn,
        match step {
            Step::Informed => "exception_informed",
            Step::Resolved => "exception_resolved",
        },
        "order",
        &order_no(conn, order_id)?,
        &json!({"exception": id, "at": at}),
    )?;
    Ok(())
}

/// SPEC §2: the cause of the order's latest delay exception, else `unspecified`.
pub fn late_cause(conn: &Connection, order_id: i64) -> Result<String> {
    Ok(conn
        .query_row(
            "SELECT cause FROM exceptions WHERE order_id = ?1 AND kind = 'delay'
             ORDER BY opened_at DESC, id DESC LIMIT 1",
            [order_id],
            |r| r.get::<_, String>(0),
        )
        .optional()
        .doing("reading the delay cause")?
        .unwrap_or_else(|| "unspecified".to_string()))
}
