//! SQL for complaints: the list in urgency order, the detail, a customer's complaints, and
//! the configured response windows; saving and the response keys in `write`.

use super::contacts::{self, ContactItem, Scope};
use super::list::{like_escape, Filter, ListEntity, SearchClause, Sort};
use super::{Context, Result, Store, StoreError};
use crate::domain::complaint::{ComplaintDraft, ComplaintState, ResponseWindows};
use crate::domain::enums::{ComplaintType, Department, Severity};
use crate::store::{Record, RecordKind};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintRow {
    pub id: i64,
    pub complaint_no: String,
    pub customer_id: i64,
    pub customer: String,
    pub order_no: String,
    pub kind: String,
    pub severity: String,
    pub opened_at: i64,
    pub response_due_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub department: Option<String>,
    pub version: i64,
}

impl ComplaintRow {
    pub fn state(&self) -> ComplaintState {
        ComplaintState::of(self.first_response_at, self.resolved_at)
    }
}

/// The dynamic filter on one customer: `customer:<id>:<name>` (the name only labels it).
pub fn customer_filter_key(id: i64, name: &str) -> String {
    format!("customer:{id}:{name}")
}

impl ListEntity for ComplaintRow {
    const FROM: &'static str = "complaints k JOIN customers cu ON cu.id = k.customer_id \
                                LEFT JOIN orders o ON o.id = k.order_id";
    const COUNT_FROM: &'static str = "complaints k";
    const ID: &'static str = "k.id";
    const COLUMNS: &'static str =
        "k.complaint_no, k.customer_id, cu.name, ifnull(o.order_no,''), k.type, k.severity, \
        k.opened_at, ifnull(k.response_due_at, k.opened_at), k.first_response_at, k.resolved_at, \
        k.department, k.version";

    fn sorts() -> &'static [Sort] {
        &[
            // Overdue first, then the nearest deadline, then severity (schema V3).
            Sort {
                key: "urgency",
                expr: "k.urgency",
                desc: false,
            },
            Sort {
                key: "opened",
                expr: "k.opened_at",
                desc: true,
            },
            Sort {
                key: "complaint_no",
                expr: "k.complaint_no",
                desc: false,
            },
        ]
    }

    fn filters() -> Vec<Filter> {
        let mut f = vec![
            Filter {
                key: "overdue_response".into(),
                group: "state",
                sql: "k.first_response_at IS NULL AND k.resolved_at IS NULL \
                      AND k.response_due_at < :now"
                    .into(),
            },
            Filter {
                key: "awaiting".into(),
                group: "state",
                sql: "k.first_response_at IS NULL AND k.resolved_at IS NULL".into(),
            },
            Filter {
                key: "in_progress".into(),
                group: "state",
                sql: "k.first_response_at IS NOT NULL AND k.resolved_at IS NULL".into(),
            },
            Filter {
                key: "closed".into(),
                group: "state",
                sql: "k.resolved_at IS NOT NULL".into(),
            },
        ];
        for t in ComplaintType::words() {
            f.push(Filter {
                key: format!("complaint_type:{t}"),
                group: "type",
                sql: format!("k.type = '{t}'"),
            });
        }
        for s in Severity::words() {
            f.push(Filter {
                key: format!("severity:{s}"),
                group: "severity",
                sql: format!("k.severity = '{s}'"),
            });
        }
        for d in Department::words() {
            f.push(Filter {
                key: format!("department:{d}"),
                group: "department",
                sql: format!("k.department = '{d}'"),
            });
        }
        f
    }

    fn dynamic_filter(key: &str) -> Option<Filter> {
        let rest = key.strip_prefix("customer:")?;
        let id: i64 = rest.split(':').next()?.parse().ok()?;
        Some(Filter {
            key: key.to_string(),
            group: "customer",
            // Only an integer goes into the SQL.
            sql: format!("k.customer_id = {id}"),
        })
    }

    fn search(query: &str) -> Option<SearchClause> {
        if query.is_empty() {
            return None;
        }
        let esc = like_escape(query);
        Some(SearchClause {
            sql: "(k.complaint_no LIKE :q ESCAPE '\\' OR k.description LIKE :q ESCAPE '\\' \
                  OR k.customer_id IN (SELECT id FROM customers WHERE name LIKE :q ESCAPE '\\' OR code LIKE :q ESCAPE '\\'))"
                .into(),
            params: vec![(":q".into(), Value::Text(format!("%{esc}%")))],
        })
    }

    fn from_row(r: &Row) -> rusqlite::Result<Self> {
        Ok(ComplaintRow {
            id: r.get(1)?,
            complaint_no: r.get(2)?,
            customer_id: r.get(3)?,
            customer: r.get(4)?,
            order_no: r.get(5)?,
            kind: r.get(6)?,
            severity: r.get(7)?,
            opened_at: r.get(8)?,
            response_due_at: r.get(9)?,
            first_response_at: r.get(10)?,
            resolved_at: r.get(11)?,
            department: r.get(12)?,
            version: r.get(13)?,
        })
    }
}

/// A customer's complaints, as list rows: the open ones first, then the latest.
pub fn for_customer(conn: &Connection, customer: i64, limit: usize) -> Result<Vec<ComplaintRow>> {
    let sql = format!(
        "SELECT 0, {id}, {columns} FROM {from} WHERE k.customer_id = ?1
         ORDER BY k.resolved_at IS NULL DESC, k.opened_at DESC, k.id DESC LIMIT ?2",
        id = ComplaintRow::ID,
        columns = ComplaintRow::COLUMNS,
        from = ComplaintRow::FROM,
    );
    let mut stmt = conn
        .prepare_cached(&sql)
        .doing("reading a customer's complaints")?;
    let rows = stmt
        .query_map(params![customer, limit as i64], ComplaintRow::from_row)
        .doing("reading a customer's complaints")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("reading a customer's complaints")?;
    Ok(rows)
}

/// Everything the complaint detail shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintDetail {
    pub id: i64,
    pub version: i64,
    pub draft: ComplaintDraft,
    pub customer_code: String,
    pub customer_name: String,
    pub order_no: Option<String>,
    pub response_due_at: i64,
    /// The plan given with the first response (empty before it, or when none was kept).
    pub response_plan: String,
    pub contacts: Vec<ContactItem>,
}

impl ComplaintDetail {
    pub fn state(&self) -> ComplaintState {
        ComplaintState::of(self.draft.first_response_at, self.draft.resolved_at)
    }
}

pub const DETAIL_CONTACTS: usize = 15;

fn word<T: FromStr>(r: &Row, i: usize) -> rusqlite::Result<T> {
    let s: String = r.get(i)?;
    T::from_str(&s).map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("unknown word {s}").into(),
        )
    })
}

pub fn load_detail(conn: &Connection, id: i64) -> Result<ComplaintDetail> {
    let mut d = conn
        .query_row(
            "SELECT k.complaint_no, k.customer_id, k.order_id, k.type, k.severity, k.opened_at,
                    k.first_response_at, k.resolved_at, k.department, ifnull(k.description,''),
                    ifnull(k.resolution,''), k.version, cu.code, cu.name, o.order_no,
                    ifnull(k.response_due_at, k.opened_at), ifnull(k.response_plan, '')
             FROM complaints k JOIN customers cu ON cu.id = k.customer_id
             LEFT JOIN orders o ON o.id = k.order_id WHERE k.id = ?1",
            [id],
            |r| {
                let department: Option<String> = r.get(8)?;
                Ok(ComplaintDetail {
                    id,
                    version: r.get(11)?,
                    draft: ComplaintDraft {
                        complaint_no: r.get(0)?,
                        customer_id: r.get(1)?,
                        order_id: r.get(2)?,
                        kind: word(r, 3)?,
                        severity: word(r, 4)?,
                        opened_at: r.get(5)?,
                        first_response_at: r.get(6)?,
                        resolved_at: r.get(7)?,
                        department: department.and_then(|d| Department::from_str(&d).ok()),
                        description: r.get(9)?,
                        resolution: r.get(10)?,
                    },
                    customer_code: r.get(12)?,
                    customer_name: r.get(13)?,
                    order_no: r.get(14)?,
                    response_due_at: r.get(15)?,
                    response_plan: r.get(16)?,
                    contacts: Vec::new(),
                })
            },
        )
        .optional()
        .doing("reading a complaint")?
        .ok_or_else(|| StoreError::NotFound(Record::new(RecordKind::Complaint, id)))?;
    d.contacts = contacts::list(
        conn,
        Scope::Complaint {
            customer: d.draft.customer_id,
            order: d.draft.order_id,
            opened_at: d.draft.opened_at,
        },
        DETAIL_CONTACTS,
    )?;
    Ok(d)
}

/// Makes the stored response windows (and so every complaint's deadline) those configured.
/// Nothing is written when they already are; returns whether they changed.
pub fn use_windows(store: &mut Store, windows: &ResponseWindows) -> Result<bool> {
    let stored: Vec<(String, i64)> = {
        let mut stmt = store
            .conn()
            .prepare("SELECT severity, seconds FROM response_windows")
            .doing("reading the response windows")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .doing("reading the response windows")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .doing("reading the response windows")?;
        rows
    };
    let wanted: Vec<(String, i64)> = windows
        .each()
        .map(|(s, w)| (s.as_str().to_string(), w))
        .collect();
    if wanted.iter().all(|w| stored.contains(w)) {
        return Ok(false);
    }
    let tx = store.begin()?;
    for (severity, seconds) in &wanted {
        tx.execute(
            "INSERT OR REPLACE INTO response_windows (severity, seconds) VALUES (?1, ?2)",
            params![severity, seconds],
        )
        .doing("storing the response windows")?;
    }
    tx.execute(
        "UPDATE complaints SET response_due_at = opened_at +
            (SELECT w.seconds FROM response_windows w WHERE w.severity = complaints.severity)",
        [],
    )
    .doing("re-stamping complaint deadlines")?;
    tx.commit().doing("saving the response windows")?;
    Ok(true)
}

mod write;
pub use write::{close, next_complaint_no, respond, respond_with_plan, route, save, PlanRequired};

#[cfg(test)]
mod tests;
