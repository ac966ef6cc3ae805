//! SQL for customers: the list and lookups used by the order form.

use super::list::{like_escape, Filter, ListEntity, SearchClause, Sort};
use super::{Context, Result};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub contact_person: String,
    pub channel: String,
    pub language: String,
    pub key_account: bool,
    pub open_orders: i64,
}

impl ListEntity for CustomerRow {
    const FROM: &'static str = "customers cu";
    const COUNT_FROM: &'static str = "customers cu";
    const ID: &'static str = "cu.id";
    const COLUMNS: &'static str = "cu.code, cu.name, ifnull(cu.contact_person,''), cu.preferred_channel, \
        cu.language, cu.key_account, \
        (SELECT count(*) FROM orders o WHERE o.customer_id = cu.id \
           AND o.status IN ('inquiry','quoted','confirmed','in_production','ready','shipped','on_hold'))";

    fn sorts() -> &'static [Sort] {
        &[
            Sort {
                key: "code",
                expr: "cu.code",
                desc: false,
            },
            Sort {
                key: "name",
                expr: "cu.name",
                desc: false,
            },
        ]
    }

    fn filters() -> Vec<Filter> {
        let mut f = vec![Filter {
            key: "key_account".into(),
            group: "key",
            sql: "cu.key_account = 1".into(),
        }];
        for c in crate::domain::enums::Channel::words() {
            f.push(Filter {
                key: format!("channel:{c}"),
                group: "channel",
                sql: format!("cu.preferred_channel = '{c}'"),
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
            sql: "(cu.name LIKE :q ESCAPE '\\' OR cu.code LIKE :q ESCAPE '\\' \
                  OR cu.contact_person LIKE :q ESCAPE '\\' OR cu.notes LIKE :q ESCAPE '\\')"
                .into(),
            params: vec![(":q".into(), Value::Text(format!("%{esc}%")))],
        })
    }

    fn from_row(r: &Row) -> rusqlite::Result<Self> {
        Ok(CustomerRow {
            id: r.get(1)?,
            code: r.get(2)?,
            name: r.get(3)?,
            contact_person: r.get(4)?,
            channel: r.get(5)?,
            language: r.get(6)?,
            key_account: r.get(7)?,
            open_orders: r.get(8)?,
        })
    }
}

/// A customer by exact code or exact name, as typed in a form or a CSV cell.
pub fn find_by_code_or_name(conn: &Connection, text: &str) -> Result<Option<(i64, String)>> {
    let t = text.trim();
    conn.query_row(
        "SELECT id, name FROM customers WHERE code = ?1 OR name = ?1 ORDER BY code = ?1 DESC LIMIT 1",
        [t],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
    .doing("finding a customer")
}

/// Up to `limit` customers whose code or name contains `text`, for form suggestions.
pub fn suggest(conn: &Connection, text: &str, limit: usize) -> Result<Vec<(String, String)>> {
    let pattern = format!("%{}%", like_escape(text.trim()));
    let mut stmt = conn
        .prepare_cached(
            "SELECT code, name FROM customers WHERE code LIKE ?1 ESCAPE '\\' OR name LIKE ?1 ESCAPE '\\'
             ORDER BY code LIMIT ?2",
        )
        .doing("suggesting customers")?;
    let rows = stmt
        .query_map(rusqlite::params![pattern, limit as i64], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .doing("suggesting customers")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("suggesting customers")?;
    Ok(rows)
}

/// The customer's code and name.
pub fn code_and_name(conn: &Connection, id: i64) -> Result<Option<(String, String)>> {
    conn.query_row(
        "SELECT code, name FROM customers WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
    .doing("reading a customer")
}
