//! SQL for complaints: the list.

use super::list::{like_escape, Filter, ListEntity, SearchClause, Sort};
use rusqlite::types::Value;
use rusqlite::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintRow {
    pub id: i64,
    pub complaint_no: String,
    pub customer: String,
    pub order_no: String,
    pub kind: String,
    pub severity: String,
    pub opened_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
}

impl ListEntity for ComplaintRow {
    const FROM: &'static str = "complaints k JOIN customers cu ON cu.id = k.customer_id \
                                LEFT JOIN orders o ON o.id = k.order_id";
    const COUNT_FROM: &'static str = "complaints k";
    const ID: &'static str = "k.id";
    const COLUMNS: &'static str =
        "k.complaint_no, cu.name, ifnull(o.order_no,''), k.type, k.severity, \
        k.opened_at, k.first_response_at, k.resolved_at";

    fn sorts() -> &'static [Sort] {
        &[Sort {
            key: "opened",
            expr: "k.opened_at",
            desc: true,
        }]
    }

    fn filters() -> Vec<Filter> {
        let mut f = vec![
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
        for t in crate::domain::enums::ComplaintType::words() {
            f.push(Filter {
                key: format!("complaint_type:{t}"),
                group: "type",
                sql: format!("k.type = '{t}'"),
            });
        }
        for s in crate::domain::enums::Severity::words() {
            f.push(Filter {
                key: format!("severity:{s}"),
                group: "severity",
                sql: format!("k.severity = '{s}'"),
            });
        }
        f
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
            customer: r.get(3)?,
            order_no: r.get(4)?,
            kind: r.get(5)?,
            severity: r.get(6)?,
            opened_at: r.get(7)?,
            first_response_at: r.get(8)?,
            resolved_at: r.get(9)?,
        })
    }
}
