//! A small store for the entities' own tests: two customers, an order each.

use super::undo::Change;
use super::{Context, Result, Store};
use rusqlite::Connection;

/// Customers 1 (`C1`, One) and 2 (`C2`, Two); order 10 (`SO-1`) is One's, 11 (`SO-2`) Two's.
pub fn store() -> Store {
    let store = Store::open_in_memory().expect("memory database");
    store
        .conn()
        .execute_batch(
            "INSERT INTO customers (id, code, name) VALUES (1, 'C1', 'One'), (2, 'C2', 'Two');
             INSERT INTO orders (id, order_no, customer_id, ordered_at, status_changed_at,
                                 created_at, updated_at)
             VALUES (10, 'SO-1', 1, 0, 0, 0, 0), (11, 'SO-2', 2, 0, 0, 0, 0);",
        )
        .expect("test customers and orders");
    store
}

/// Runs `f` as one user action: a transaction with its undo record.
pub fn in_tx<T>(
    store: &mut Store,
    f: impl FnOnce(&Connection, &mut Change) -> Result<T>,
) -> Result<T> {
    let tx = store.begin()?;
    let mut change = Change::new("test");
    let out = f(&tx, &mut change)?;
    change.record(&tx)?;
    tx.commit().doing("committing a test action")?;
    Ok(out)
}

/// Undoes the last action.
pub fn undo(store: &mut Store) {
    let tx = store.begin().expect("transaction");
    super::undo::undo_last(&tx)
        .expect("undo")
        .expect("something to undo");
    tx.commit().expect("commit");
}
