//! Undo as data: every user action records the before-image of each row it touched (or that
//! the row did not exist), keyed by rowid. `u` restores the images of the latest action not
//! yet undone, in reverse order, in one transaction; so undo survives restarts and a bulk
//! change is one step.

use super::{audit, search, Context, Failure, Result};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

/// Tables whose rows an action may change; anything else in an undo record is refused.
const UNDOABLE: &[&str] = &[
    "customers",
    "orders",
    "order_lines",
    "status_history",
    "due_date_revisions",
    "production",
    "exceptions",
    "shipments",
    "complaints",
    "contacts",
    "surveys",
    "requirements",
    "followups",
    "documents",
];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Image {
    table: String,
    rowid: i64,
    /// The row as it was, or `None` when the action created it.
    before: Option<Map<String, Json>>,
}

/// The undo record of one user action, built while the action runs.
#[derive(Debug, Default)]
pub struct Change {
    label: String,
    images: Vec<Image>,
}

fn checked_table(table: &str) -> Result<&'static str> {
    UNDOABLE
        .iter()
        .copied()
        .find(|t| *t == table)
        .ok_or_else(|| {
            Failure::UndoDamaged {
                detail: format!("unknown table {table}"),
            }
            .into()
        })
}

fn to_json(v: Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Integer(i) => Json::from(i),
        Value::Real(f) => Json::from(f),
        Value::Text(s) => Json::from(s),
        Value::Blob(b) => Json::from(hex::encode(b)),
    }
}

fn to_sql(v: &Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Number(n) => n
            .as_i64()
            .map(Value::Integer)
            .unwrap_or_else(|| Value::Real(n.as_f64().unwrap_or_default())),
        Json::String(s) => Value::Text(s.clone()),
        other => Value::Text(other.to_string()),
    }
}

fn read_row(
    conn: &Connection,
    table: &'static str,
    rowid: i64,
) -> Result<Option<Map<String, Json>>> {
    let sql = format!("SELECT * FROM {table} WHERE rowid = ?1");
    let mut stmt = conn.prepare_cached(&sql).doing("reading a row for undo")?;
    let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
    stmt.query_row([rowid], |r| {
        let mut map = Map::new();
        for (i, name) in names.iter().enumerate() {
            map.insert(name.clone(), to_json(r.get::<_, Value>(i)?));
        }
        Ok(map)
    })
    .optional()
    .doing("reading a row for undo")
}

impl Change {
    pub fn new(label: impl Into<String>) -> Change {
        Change {
            label: label.into(),
            images: Vec::new(),
        }
    }

    /// Keeps the row as it is now, before the action changes or deletes it. Only the first
    /// capture of a row counts: that is the state undo must return to.
    pub fn capture(&mut self, conn: &Connection, table: &str, rowid: i64) -> Result<()> {
        let table = checked_table(table)?;
        if self
            .images
            .iter()
            .any(|i| i.table == table && i.rowid == rowid)
        {
            return Ok(());
        }
        let before = read_row(conn, table, rowid)?;
        self.images.push(Image {
            table: table.to_string(),
            rowid,
            before,
        });
        Ok(())
    }

    /// Notes a row the action created, so undo deletes it.
    pub fn inserted(&mut self, table: &str, rowid: i64) -> Result<()> {
        let table = checked_table(table)?;
        self.images.push(Image {
            table: table.to_string(),
            rowid,
            before: None,
        });
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.images.is_empty()
    }

    /// Stores the record inside the action's transaction.
    pub fn record(self, conn: &Connection) -> Result<()> {
        if self.images.is_empty() {
            return Ok(());
        }
        let images = serde_json::to_string(&self.images).map_err(|e| Failure::UndoDamaged {
            detail: format!("cannot encode: {e}"),
        })?;
        conn.execute(
            "INSERT INTO undo_log (at, label, images) VALUES (?1, ?2, ?3)",
            params![crate::domain::time::now(), self.label, images],
        )
        .doing("recording undo")?;
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undone {
    pub label: String,
    /// Orders whose rows were restored, so screens can refresh them.
    pub orders: Vec<i64>,
}

fn restore(conn: &Connection, image: &Image) -> Result<()> {
    let table = checked_table(&image.table)?;
    match &image.before {
        None => {
            conn.execute(
                &format!("DELETE FROM {table} WHERE rowid = ?1"),
                [image.rowid],
            )
            .doing("undoing an insert")?;
        }
        Some(before) => {
            let exists = read_row(conn, table, image.rowid)?;
            let mut cols: Vec<&String> = before.keys().collect();
            cols.sort();
            let mut values: Vec<Value> = cols
                .iter()
                .map(|c| {
                    // A restored row is a new version: a copy holding the undone state must
                    // not be able to overwrite it unnoticed.
                    if c.as_str() == "version" {
                        let now = exists
                            .as_ref()
                            .and_then(|e| e.get("version"))
                            .and_then(Json::as_i64)
                            .unwrap_or(0);
                        Value::Integer(now + 1)
                    } else {
                        to_sql(&before[c.as_str()])
                    }
                })
                .collect();
            for c in &cols {
                if !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_') {
                    return Err(Failure::UndoDamaged {
                        detail: format!("column {c}"),
                    }
                    .into());
                }
            }
            if exists.is_some() {
                let set = cols
                    .iter()
                    .enumerate()
                    .map(|(i, c)| format!("{c} = ?{}", i + 1))
                    .collect::<Vec<_>>()
                    .join(", ");
                values.push(Value::Integer(image.rowid));
                let sql = format!("UPDATE {table} SET {set} WHERE rowid = ?{}", values.len());
                conn.execute(&sql, rusqlite::params_from_iter(values))
                    .doing("undoing a change")?;
            } else {
                let names = cols
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                let marks = (1..=cols.len())
                    .map(|i| format!("?{i}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!("INSERT INTO {table} ({names}) VALUES ({marks})");
                conn.execute(&sql, rusqlite::params_from_iter(values))
                    .doing("undoing a delete")?;
            }
        }
    }
    Ok(())
}

fn order_of(image: &Image, conn: &Connection) -> Option<i64> {
    match image.table.as_str() {
        "orders" => Some(image.rowid),
        "order_lines" | "status_history" | "due_date_revisions" | "production" | "exceptions"
        | "shipments" | "documents" => image
            .before
            .as_ref()
            .and_then(|b| b.get("order_id"))
            .and_then(Json::as_i64)
            .or_else(|| {
                let sql = format!("SELECT order_id FROM {} WHERE rowid = ?1", image.table);
                conn.query_row(&sql, [image.rowid], |r| r.get(0)).ok()
            }),
        _ => None,
    }
}

/// Whether restoring `image` changes what the order search index holds.
fn touches_search(conn: &Connection, image: &Image) -> Result<bool> {
    const SEARCHED: [&str; 3] = ["order_no", "customer_id", "notes"];
    Ok(match (image.table.as_str(), &image.before) {
        ("order_lines", _) | ("orders", None) => true,
        ("orders", Some(before)) => match read_row(conn, "orders", image.rowid)? {
            None => true,
            Some(now) => SEARCHED.iter().any(|c| before.get(*c) != now.get(*c)),
        },
        _ => false,
    })
}

/// Undoes the latest action not yet undone, inside the caller's transaction. `None` when
/// there is nothing left to undo.
pub fn undo_last(conn: &Connection) -> Result<Option<Undone>> {
    let last: Option<(i64, String, String)> = conn
        .query_row(
            "SELECT id, label, images FROM undo_log WHERE undone_at IS NULL ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .doing("finding the last change")?;
    let Some((id, label, images)) = last else {
        return Ok(None);
    };
    let images: Vec<Image> = serde_json::from_str(&images).map_err(|e| Failure::UndoDamaged {
        detail: format!("record {id}: {e}"),
    })?;
    let mut orders = Vec::new();
    let mut reindex = Vec::new();
    for image in images.iter().rev() {
        // Both are worked out before the restore deletes a row the action had created.
        let order = order_of(image, conn);
        let searchable = touches_search(conn, image)?;
        restore(conn, image)?;
        if let Some(o) = order {
            if !orders.contains(&o) {
                orders.push(o);
            }
            if searchable && !reindex.contains(&o) {
                reindex.push(o);
            }
        }
    }
    // Only text the search index holds needs it rebuilt; a status undo leaves it alone.
    for o in &reindex {
        search::reindex_order(conn, *o)?;
    }
    conn.execute(
        "UPDATE undo_log SET undone_at = ?1 WHERE id = ?2",
        params![crate::domain::time::now(), id],
    )
    .doing("marking the change undone")?;
    audit::append(
        conn,
        "undo",
        "change",
        &id.to_string(),
        &serde_json::json!({ "label": label }),
    )?;
    Ok(Some(Undone { label, orders }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn customer(conn: &Connection, code: &str) -> i64 {
        conn.execute(
            "INSERT INTO customers (code, name) VALUES (?1, ?2)",
            params![code, format!("Name {code}")],
        )
        .unwrap();
        conn.last_insert_rowid()
    }

    #[test]
    fn undo_restores_updates_inserts_and_deletes_in_one_step() {
        let mut store = Store::open_in_memory().unwrap();
        let a = customer(store.conn(), "A");
        let b = customer(store.conn(), "B");
        let tx = store.begin().unwrap();
        let mut change = Change::new("bulk");
        change.capture(&tx, "customers", a).unwrap();
        tx.execute(
            "UPDATE customers SET notes = 'vip', version = version + 1 WHERE id = ?1",
            [a],
        )
        .unwrap();
        change.capture(&tx, "customers", b).unwrap();
        tx.execute("DELETE FROM customers WHERE id = ?1", [b])
            .unwrap();
        let c = customer(&tx, "C");
        change.inserted("customers", c).unwrap();
        change.record(&tx).unwrap();
        tx.commit().unwrap();

        let tx = store.begin().unwrap();
        let undone = undo_last(&tx).unwrap().expect("something to undo");
        tx.commit().unwrap();
        assert_eq!(undone.label, "bulk");
        let rows: Vec<(String, Option<String>, i64)> = store
            .conn()
            .prepare("SELECT code, notes, version FROM customers ORDER BY code")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            rows,
            vec![("A".into(), None, 3), ("B".into(), None, 1)],
            "A's notes back (with a newer version), B back, C gone"
        );
        let tx = store.begin().unwrap();
        assert_eq!(undo_last(&tx).unwrap(), None, "nothing left");
    }

    #[test]
    fn unknown_tables_are_refused() {
        let store = Store::open_in_memory().unwrap();
        let mut change = Change::new("x");
        assert!(change.capture(store.conn(), "audit_log", 1).is_err());
        assert!(change.inserted("sqlite_master", 1).is_err());
    }
}
