//! An order's shipments and complaints as list rows (the web desk's order page), read with
//! the same columns and row mapping as their lists.

use super::complaints::ComplaintRow;
use super::list::ListEntity;
use super::shipments::ShipmentRow;
use super::{Context, Result};
use rusqlite::Connection;

/// Rows of one order at most; an order with more shows the first ones.
const MAX: usize = 100;

fn rows_of<T: ListEntity>(conn: &Connection, column: &str, order: &str, id: i64) -> Result<Vec<T>> {
    let sql = format!(
        "SELECT 0, {id_col}, {cols} FROM {from} WHERE {column} = ?1 ORDER BY {order}, {id_col} LIMIT {MAX}",
        id_col = T::ID,
        cols = T::COLUMNS,
        from = T::FROM,
    );
    let mut stmt = conn
        .prepare_cached(&sql)
        .doing("reading an order's records")?;
    let rows = stmt
        .query_map([id], |r| T::from_row(r))
        .doing("reading an order's records")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("reading an order's records")?;
    Ok(rows)
}

pub fn shipments_of(conn: &Connection, order_id: i64) -> Result<Vec<ShipmentRow>> {
    rows_of(conn, "s.order_id", "ifnull(s.shipped_at, 0)", order_id)
}

pub fn complaints_of(conn: &Connection, order_id: i64) -> Result<Vec<ComplaintRow>> {
    rows_of(conn, "k.order_id", "k.opened_at", order_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn an_order_without_records_has_none() {
        let store = Store::open_in_memory().unwrap();
        assert!(shipments_of(store.conn(), 1).unwrap().is_empty());
        assert!(complaints_of(store.conn(), 1).unwrap().is_empty());
    }
}
