//! Helpers for statements written with named parameters, shared by the entities' writes.

use rusqlite::types::Value;
use rusqlite::Connection;

/// Runs `sql` (prepared once per connection) with its `(":name", value)` parameters.
pub fn execute_named(
    conn: &Connection,
    sql: &str,
    fields: &[(&str, Value)],
) -> rusqlite::Result<usize> {
    let named: Vec<(&str, &dyn rusqlite::ToSql)> = fields
        .iter()
        .map(|(n, v)| (*n, v as &dyn rusqlite::ToSql))
        .collect();
    conn.prepare_cached(sql)?.execute(named.as_slice())
}

/// Trimmed text, or NULL when nothing is left: an optional text column never holds "".
pub fn text_or_null(s: &str) -> Value {
    match s.trim() {
        "" => Value::Null,
        t => Value::Text(t.to_string()),
    }
}
