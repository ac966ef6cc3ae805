//! When an order counts as delivered (SPEC §2): all its shipments delivered, on the date of the
//! latest one. Kept in `orders.delivered_at` so the KPIs and lists read one indexed column;
//! every writer of shipments (form, `d`, import) calls `refresh` for the orders it touched.

use rusqlite::{params, Connection, OptionalExtension, Result};

/// The delivery date the shipments of `order_id` give: `Some(latest delivered_at)` when it has
/// shipments and every one is delivered, `None` when it has none or one is still on its way.
pub fn from_shipments(conn: &Connection, order_id: i64) -> Result<Option<i64>> {
    conn.query_row(
        "SELECT CASE WHEN count(*) > 0 AND count(delivered_at) = count(*) THEN max(delivered_at) END
         FROM shipments WHERE order_id = ?1",
        [order_id],
        |r| r.get(0),
    )
}

/// Brings `orders.delivered_at` in line with the shipments. An order without shipments keeps
/// the date its status change to delivered gave it. Returns the new value.
pub fn refresh(conn: &Connection, order_id: i64) -> Result<Option<i64>> {
    let has_shipments: bool = conn
        .query_row(
            "SELECT 1 FROM shipments WHERE order_id = ?1 LIMIT 1",
            [order_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if has_shipments {
        let date = from_shipments(conn, order_id)?;
        conn.execute(
            "UPDATE orders SET delivered_at = ?2 WHERE id = ?1 AND delivered_at IS NOT ?2",
            params![order_id, date],
        )?;
        Ok(date)
    } else {
        conn.query_row(
            "SELECT delivered_at FROM orders WHERE id = ?1",
            [order_id],
            |r| r.get(0),
        )
        .optional()
        .map(Option::flatten)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn store_with_order() -> (Store, i64) {
        let store = Store::open_in_memory().unwrap();
        store
            .conn()
            .execute(
                "INSERT INTO orders (order_no, status, ordered_at, status_changed_at, created_at, updated_at)
                 VALUES ('SO-1', 'shipped', 0, 0, 0, 0)",
                [],
            )
            .unwrap();
        let id = store.conn().last_insert_rowid();
        (store, id)
    }

    fn ship(store: &Store, order: i64, waybill: &str, delivered: Option<i64>) {
        store
            .conn()
            .execute(
                "INSERT INTO shipments (order_id, waybill_no, delivered_at) VALUES (?1, ?2, ?3)",
                params![order, waybill, delivered],
            )
            .unwrap();
    }

    #[test]
    fn delivered_only_when_every_shipment_is_and_on_the_latest_date() {
        let (store, id) = store_with_order();
        assert_eq!(refresh(store.conn(), id).unwrap(), None);
        ship(&store, id, "W1", Some(100));
        ship(&store, id, "W2", None);
        assert_eq!(refresh(store.conn(), id).unwrap(), None);
        store
            .conn()
            .execute(
                "UPDATE shipments SET delivered_at = 300 WHERE waybill_no = 'W2'",
                [],
            )
            .unwrap();
        assert_eq!(refresh(store.conn(), id).unwrap(), Some(300));
        let stored: Option<i64> = store
            .conn()
            .query_row("SELECT delivered_at FROM orders WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(stored, Some(300));
    }

    #[test]
    fn an_order_without_shipments_keeps_its_status_date() {
        let (store, id) = store_with_order();
        store
            .conn()
            .execute("UPDATE orders SET delivered_at = 42 WHERE id = ?1", [id])
            .unwrap();
        assert_eq!(refresh(store.conn(), id).unwrap(), Some(42));
    }
}
