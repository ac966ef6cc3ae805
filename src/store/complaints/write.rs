//! Changing complaints: saving the form, recording the first response, closing with a
//! resolution and routing to a department, each recording its undo image and an audit entry
//! inside the caller's transaction. The deadline and the urgency follow by trigger (V3).

use super::{Context, Result, StoreError};
use crate::domain::complaint::{complaint_no_prefix, generated_complaint_no, ComplaintDraft};
use crate::domain::enums::Department;
use crate::domain::time::local_date;
use crate::store::audit;
use crate::store::customers::check_order_of;
use crate::store::sql::{execute_named, text_or_null};
use crate::store::undo::Change;
use crate::store::{Record, RecordKind};
use crate::store::{Refusal, Unique};
use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

struct Current {
    complaint_no: String,
    first_response_at: Option<i64>,
    resolved_at: Option<i64>,
    version: i64,
}

fn current(conn: &Connection, id: i64, expected_version: Option<i64>) -> Result<Current> {
    let cur = conn
        .query_row(
            "SELECT complaint_no, first_response_at, resolved_at, version
             FROM complaints WHERE id = ?1",
            [id],
            |r| {
                Ok(Current {
                    complaint_no: r.get(0)?,
                    first_response_at: r.get(1)?,
                    resolved_at: r.get(2)?,
                    version: r.get(3)?,
                })
            },
        )
        .optional()
        .doing("reading a complaint")?
        .ok_or_else(|| StoreError::NotFound(Record::new(RecordKind::Complaint, id)))?;
    if expected_version.is_some_and(|v| v != cur.version) {
        return Err(StoreError::Conflict(Record::new(
            RecordKind::Complaint,
            cur.complaint_no,
        )));
    }
    Ok(cur)
}

/// The next free generated number of the month of `day`.
pub fn next_complaint_no(conn: &Connection, day: NaiveDate) -> Result<String> {
    let prefix = complaint_no_prefix(day);
    let last: Option<String> = conn
        .query_row(
            "SELECT max(complaint_no) FROM complaints WHERE complaint_no >= ?1 AND complaint_no < ?2",
            params![prefix, format!("{prefix}~")],
            |r| r.get(0),
        )
        .doing("numbering a new complaint")?;
    let seq = last
        .and_then(|l| l[prefix.len()..].parse::<u32>().ok())
        .unwrap_or(0);
    Ok(generated_complaint_no(day, seq + 1))
}

/// Saves a new complaint (`id = None`) or an edit; returns its id and number. The draft's
/// own rules are the caller's to check (`ComplaintDraft::check`); the order must be the
/// customer's, the number free.
pub fn save(
    conn: &Connection,
    change: &mut Change,
    id: Option<i64>,
    expected_version: Option<i64>,
    draft: &ComplaintDraft,
) -> Result<(i64, String)> {
    if let Some(order) = draft.order_id {
        check_order_of(conn, order, draft.customer_id)?;
    }
    let number = if draft.complaint_no.trim().is_empty() {
        next_complaint_no(conn, local_date(draft.opened_at))?
    } else {
        draft.complaint_no.trim().to_string()
    };
    let clash: Option<i64> = conn
        .query_row(
            "SELECT id FROM complaints WHERE complaint_no = ?1",
            [&number],
            |r| r.get(0),
        )
        .optional()
        .doing("checking the complaint number")?;
    if clash.is_some() && clash != id {
        return Err(Refusal::Taken {
            what: Unique::ComplaintNo,
            value: number,
        }
        .into());
    }
    let mut fields: Vec<(&str, Value)> = vec![
        (":complaint_no", Value::Text(number.clone())),
        (":customer_id", Value::Integer(draft.customer_id)),
        (
            ":order_id",
            draft.order_id.map_or(Value::Null, Value::Integer),
        ),
        (":type", Value::Text(draft.kind.as_str().into())),
        (":severity", Value::Text(draft.severity.as_str().into())),
        (":opened_at", Value::Integer(draft.opened_at)),
        (
            ":first_response_at",
            draft.first_response_at.map_or(Value::Null, Value::Integer),
        ),
        (
            ":resolved_at",
            draft.resolved_at.map_or(Value::Null, Value::Integer),
        ),
        (
            ":department",
            draft
                .department
                .map_or(Value::Null, |d| Value::Text(d.as_str().into())),
        ),
        (":description", text_or_null(&draft.description)),
        (":resolution", text_or_null(&draft.resolution)),
    ];
    let (sql, action) = match id {
        Some(id) => {
            current(conn, id, expected_version)?;
            change.capture(conn, "complaints", id)?;
            fields.push((":id", Value::Integer(id)));
            (
                "UPDATE complaints SET complaint_no = :complaint_no, customer_id = :customer_id,
                    order_id = :order_id, type = :type, severity = :severity,
                    opened_at = :opened_at, first_response_at = :first_response_at,
                    resolved_at = :resolved_at, department = :department,
                    description = :description, resolution = :resolution,
                    version = version + 1
                 WHERE id = :id",
                "edit",
            )
        }
        None => (
            "INSERT INTO complaints (complaint_no, customer_id, order_id, type, severity,
                opened_at, first_response_at, resolved_at, department, description, resolution)
             VALUES (:complaint_no, :customer_id, :order_id, :type, :severity, :opened_at,
                :first_response_at, :resolved_at, :department, :description, :resolution)",
            "create",
        ),
    };
    execute_named(conn, sql, &fields).doing("saving a complaint")?;
    let id = match id {
        Some(id) => id,
        None => {
            let id = conn.last_insert_rowid();
            change.inserted("complaints", id)?;
            id
        }
    };
    audit::append(
        conn,
        action,
        "complaint",
        &number,
        &json!({"type": draft.kind.as_str(), "severity": draft.severity.as_str()}),
    )?;
    Ok((id, number))
}

/// Records the first response at `at`; `None` when the complaint already has one (or is
/// closed). A change by another copy since the clerk looked (`expected_version`) is a
/// conflict.
pub fn respond(
    conn: &Connection,
    change: &mut Change,
    id: i64,
    expected_version: Option<i64>,
    at: i64,
) -> Result<Option<String>> {
    record_response(conn, change, id, expected_version, at, None)
}

/// [`respond`] with the plan of the first response, which it requires (SPEC §2
/// `response_plan`): an empty plan is refused with [`PlanRequired`] and nothing is written.
pub fn respond_with_plan(
    conn: &Connection,
    change: &mut Change,
    id: i64,
    expected_version: Option<i64>,
    at: i64,
    plan: &str,
) -> Result<std::result::Result<Option<String>, PlanRequired>> {
    let plan = plan.trim();
    if plan.is_empty() {
        return Ok(Err(PlanRequired));
    }
    record_response(conn, change, id, expected_version, at, Some(plan)).map(Ok)
}

/// A first response without its plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanRequired;

fn record_response(
    conn: &Connection,
    change: &mut Change,
    id: i64,
    expected_version: Option<i64>,
    at: i64,
    plan: Option<&str>,
) -> Result<Option<String>> {
    let cur = current(conn, id, expected_version)?;
    if cur.first_response_at.is_some() || cur.resolved_at.is_some() {
        return Ok(None);
    }
    change.capture(conn, "complaints", id)?;
    conn.execute(
        "UPDATE complaints SET first_response_at = ?1, response_plan = ?2, version = version + 1
         WHERE id = ?3",
        params![at, plan, id],
    )
    .doing("recording a first response")?;
    audit::append(
        conn,
        "respond",
        "complaint",
        &cur.complaint_no,
        &json!({"first_response_at": at}),
    )?;
    Ok(Some(cur.complaint_no))
}

/// Closes a complaint with its resolution at `at`; a complaint closed without a response
/// recorded is answered by the resolution itself.
pub fn close(
    conn: &Connection,
    change: &mut Change,
    id: i64,
    expected_version: Option<i64>,
    resolution: &str,
    at: i64,
) -> Result<String> {
    let cur = current(conn, id, expected_version)?;
    let resolution = resolution.trim();
    if resolution.is_empty() {
        return Err(Refusal::ResolutionRequired.into());
    }
    if cur.resolved_at.is_some() {
        return Err(Refusal::ComplaintClosed {
            complaint_no: cur.complaint_no,
        }
        .into());
    }
    change.capture(conn, "complaints", id)?;
    conn.execute(
        "UPDATE complaints SET resolution = ?1, resolved_at = ?2,
                first_response_at = ifnull(first_response_at, ?2), version = version + 1
         WHERE id = ?3",
        params![resolution, at, id],
    )
    .doing("closing a complaint")?;
    audit::append(
        conn,
        "close",
        "complaint",
        &cur.complaint_no,
        &json!({"resolved_at": at}),
    )?;
    Ok(cur.complaint_no)
}

/// Routes a complaint to the department that handles it.
pub fn route(
    conn: &Connection,
    change: &mut Change,
    id: i64,
    expected_version: Option<i64>,
    department: Department,
) -> Result<String> {
    let cur = current(conn, id, expected_version)?;
    change.capture(conn, "complaints", id)?;
    conn.execute(
        "UPDATE complaints SET department = ?1, version = version + 1 WHERE id = ?2",
        params![department.as_str(), id],
    )
    .doing("routing a complaint")?;
    audit::append(
        conn,
        "route",
        "complaint",
        &cur.complaint_no,
        &json!({"department": department.as_str()}),
    )?;
    Ok(cur.complaint_no)
}
