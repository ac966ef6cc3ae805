//! SQL for customers' special requirements: capturing one, forwarding it to the department
//! that can act on it, and settling it as met or declined.

use super::undo::Change;
use super::{audit, Context, Refusal, Result, StoreError};
use crate::domain::customer::requirement_step;
use crate::domain::enums::{ForwardTarget, RequirementCategory, RequirementStatus};
use crate::store::{Record, RecordKind};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::json;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementItem {
    pub id: i64,
    pub category: String,
    pub text: String,
    pub created_at: i64,
    pub status: RequirementStatus,
    pub forwarded_to: Option<String>,
    pub resolved_at: Option<i64>,
}

fn item(r: &Row) -> rusqlite::Result<RequirementItem> {
    let status: String = r.get(4)?;
    Ok(RequirementItem {
        id: r.get(0)?,
        category: r.get(1)?,
        text: r.get(2)?,
        created_at: r.get(3)?,
        status: RequirementStatus::from_str(&status).unwrap_or(RequirementStatus::Open),
        forwarded_to: r.get(5)?,
        resolved_at: r.get(6)?,
    })
}

const COLUMNS: &str = "id, category, text, created_at, status, forwarded_to, resolved_at";

fn query(
    conn: &Connection,
    sql: &str,
    customer: i64,
    limit: usize,
) -> Result<Vec<RequirementItem>> {
    let mut stmt = conn.prepare_cached(sql).doing("reading requirements")?;
    let rows = stmt
        .query_map(params![customer, limit as i64], item)
        .doing("reading requirements")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("reading requirements")?;
    Ok(rows)
}

/// A customer's requirements still to settle (oldest first, up to `open`), then the latest
/// `settled` settled ones.
pub fn for_customer(
    conn: &Connection,
    customer: i64,
    open: usize,
    settled: usize,
) -> Result<Vec<RequirementItem>> {
    let mut out = query(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM requirements WHERE customer_id = ?1 AND resolved_at IS NULL
             ORDER BY created_at, id LIMIT ?2"
        ),
        customer,
        open,
    )?;
    out.extend(query(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM requirements
             WHERE customer_id = ?1 AND resolved_at IS NOT NULL
             ORDER BY resolved_at DESC, id DESC LIMIT ?2"
        ),
        customer,
        settled,
    )?);
    Ok(out)
}

fn current(conn: &Connection, id: i64) -> Result<RequirementItem> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM requirements WHERE id = ?1"),
        [id],
        item,
    )
    .optional()
    .doing("reading a requirement")?
    .ok_or_else(|| StoreError::NotFound(Record::new(RecordKind::Requirement, id)))
}

fn step(from: RequirementStatus, to: RequirementStatus) -> Result<()> {
    requirement_step(from, to).map_err(|e| Refusal::RequirementStep(e).into())
}

/// Captures a new, open requirement.
pub fn add(
    conn: &Connection,
    change: &mut Change,
    customer: i64,
    category: RequirementCategory,
    text: &str,
    at: i64,
) -> Result<i64> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Refusal::RequirementText.into());
    }
    conn.execute(
        "INSERT INTO requirements (customer_id, category, text, created_at, status)
         VALUES (?1, ?2, ?3, ?4, 'open')",
        params![customer, category.as_str(), text, at],
    )
    .doing("capturing a requirement")?;
    let id = conn.last_insert_rowid();
    change.inserted("requirements", id)?;
    audit::append(
        conn,
        "create",
        "requirement",
        &id.to_string(),
        &json!({"customer_id": customer, "category": category.as_str()}),
    )?;
    Ok(id)
}

/// Forwards it to a department (again, when it goes elsewhere).
pub fn forward(conn: &Connection, change: &mut Change, id: i64, to: ForwardTarget) -> Result<()> {
    let cur = current(conn, id)?;
    step(cur.status, RequirementStatus::Forwarded)?;
    change.capture(conn, "requirements", id)?;
    conn.execute(
        "UPDATE requirements SET status = 'forwarded', forwarded_to = ?1 WHERE id = ?2",
        params![to.as_str(), id],
    )
    .doing("forwarding a requirement")?;
    audit::append(
        conn,
        "forward",
        "requirement",
        &id.to_string(),
        &json!({"to": to.as_str()}),
    )
}

/// Settles it as met or declined at `at`.
pub fn resolve(conn: &Connection, change: &mut Change, id: i64, met: bool, at: i64) -> Result<()> {
    let cur = current(conn, id)?;
    let to = if met {
        RequirementStatus::Met
    } else {
        RequirementStatus::Declined
    };
    step(cur.status, to)?;
    change.capture(conn, "requirements", id)?;
    conn.execute(
        "UPDATE requirements SET status = ?1, resolved_at = ?2 WHERE id = ?3",
        params![to.as_str(), at, id],
    )
    .doing("settling a requirement")?;
    audit::append(
        conn,
        "resolve",
        "requirement",
        &id.to_string(),
        &json!({"status": to.as_str(), "resolved_at": at}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_data::{in_tx, store, undo};

    #[test]
    fn captured_forwarded_settled_and_undone() {
        let mut store = store();
        let (a, b) = in_tx(&mut store, |tx, ch| {
            let a = add(tx, ch, 1, RequirementCategory::Packaging, "木箱", 100)?;
            let b = add(tx, ch, 1, RequirementCategory::Product, "RoHS", 200)?;
            assert!(add(tx, ch, 1, RequirementCategory::Product, " ", 1).is_err());
            forward(tx, ch, a, ForwardTarget::Logistics)?;
            resolve(tx, ch, b, false, 300)?;
            assert!(forward(tx, ch, b, ForwardTarget::Sales).is_err(), "settled");
            Ok((a, b))
        })
        .unwrap();

        let items = for_customer(store.conn(), 1, 50, 10).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].id, a, "unsettled first");
        assert_eq!(items[0].status, RequirementStatus::Forwarded);
        assert_eq!(items[0].forwarded_to.as_deref(), Some("logistics"));
        assert_eq!(items[1].id, b);
        assert_eq!(items[1].status, RequirementStatus::Declined);
        assert_eq!(items[1].resolved_at, Some(300));

        in_tx(&mut store, |tx, ch| resolve(tx, ch, a, true, 400)).unwrap();
        undo(&mut store);
        let items = for_customer(store.conn(), 1, 50, 10).unwrap();
        assert_eq!(
            items[0].status,
            RequirementStatus::Forwarded,
            "back to forwarded"
        );
    }
}
