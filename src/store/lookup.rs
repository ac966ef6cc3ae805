//! Suggestions for a form's look-up fields as the clerk types: customers by code or name
//! (fuzzy), order numbers and product codes already used (by their beginning, on their
//! index). Each is one small query with a LIMIT; no table is read whole into memory.

use super::list::like_escape;
use super::{Context, Result};
use rusqlite::Connection;

/// One suggestion: what goes into the field, and what the list shows beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub value: String,
    pub detail: String,
}

/// `Trdnt` → `%T%r%d%n%t%`: the letters in order, anything between.
fn scattered(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        out.push_str(&like_escape(&c.to_string()));
        out.push('%');
    }
    out
}

/// The upper end of the keys that begin with `prefix`.
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// Customers whose code or name holds `text`, best first: the code beginning with it, the
/// name beginning with it, either holding it, then its letters in order (`trdnt`).
pub fn customers(conn: &Connection, text: &str, limit: usize) -> Result<Vec<Suggestion>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let esc = like_escape(text);
    let mut stmt = conn
        .prepare_cached(
            "SELECT code, name FROM customers
             WHERE code LIKE ?3 ESCAPE '\\' OR name LIKE ?3 ESCAPE '\\'
             ORDER BY code LIKE ?1 ESCAPE '\\' DESC, name LIKE ?1 ESCAPE '\\' DESC,
                      code LIKE ?2 ESCAPE '\\' OR name LIKE ?2 ESCAPE '\\' DESC, code
             LIMIT ?4",
        )
        .doing("suggesting customers")?;
    let rows = stmt
        .query_map(
            rusqlite::params![
                format!("{esc}%"),
                format!("%{esc}%"),
                scattered(text),
                limit as i64
            ],
            |r| {
                Ok(Suggestion {
                    value: r.get(0)?,
                    detail: r.get(1)?,
                })
            },
        )
        .doing("suggesting customers")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("suggesting customers")?;
    Ok(rows)
}

/// Orders whose number begins with `text` (case as order numbers are written), newest
/// first, with their customer.
pub fn orders(conn: &Connection, text: &str, limit: usize) -> Result<Vec<Suggestion>> {
    let text = text.trim().to_uppercase();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = conn
        .prepare_cached(
            "SELECT o.order_no, ifnull(c.name, '') FROM orders o
             LEFT JOIN customers c ON c.id = o.customer_id
             WHERE o.order_no >= ?1 AND o.order_no < ?2
             ORDER BY o.order_no DESC LIMIT ?3",
        )
        .doing("suggesting orders")?;
    let rows = stmt
        .query_map(
            rusqlite::params![text, prefix_end(&text), limit as i64],
            |r| {
                Ok(Suggestion {
                    value: r.get(0)?,
                    detail: r.get(1)?,
                })
            },
        )
        .doing("suggesting orders")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("suggesting orders")?;
    Ok(rows)
}

/// Product codes already on an order line that begin with `text`.
pub fn products(conn: &Connection, text: &str, limit: usize) -> Result<Vec<Suggestion>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = conn
        .prepare_cached(
            "SELECT DISTINCT product_code FROM order_lines
             WHERE product_code >= ?1 AND product_code < ?2
             ORDER BY product_code LIMIT ?3",
        )
        .doing("suggesting products")?;
    let rows = stmt
        .query_map(
            rusqlite::params![text, prefix_end(text), limit as i64],
            |r| {
                Ok(Suggestion {
                    value: r.get(0)?,
                    detail: String::new(),
                })
            },
        )
        .doing("suggesting products")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("suggesting products")?;
    Ok(rows)
}

/// The currency of the customer's latest order, the one their next is most likely in.
pub fn last_currency(conn: &Connection, customer_id: i64) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    conn.query_row(
        "SELECT currency FROM orders WHERE customer_id = ?1 ORDER BY ordered_at DESC LIMIT 1",
        [customer_id],
        |r| r.get(0),
    )
    .optional()
    .doing("reading a customer's currency")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, code TEXT, name TEXT);
             CREATE TABLE orders (id INTEGER PRIMARY KEY, order_no TEXT UNIQUE, customer_id INTEGER);
             CREATE TABLE order_lines (order_id INTEGER, product_code TEXT);
             CREATE INDEX order_lines_by_product ON order_lines(product_code);
             INSERT INTO customers VALUES (1, 'C001', 'Trident Trading'), (2, 'TRI', 'Acme 100%'),
                                          (3, 'C003', 'Atlas Tools');
             INSERT INTO orders VALUES (1, 'SO-20260101-001', 1), (2, 'SO-20260102-001', 3);
             INSERT INTO order_lines VALUES (1, 'P-100'), (2, 'P-100'), (2, 'P-200'), (1, 'Q-1');",
        )
        .unwrap();
        c
    }

    fn values(s: Vec<Suggestion>) -> Vec<String> {
        s.into_iter().map(|s| s.value).collect()
    }

    #[test]
    fn customers_by_part_of_a_name_or_code_best_first() {
        let c = conn();
        assert_eq!(values(customers(&c, "Trident", 8).unwrap()), ["C001"]);
        // The code beginning with it comes before a name holding it.
        assert_eq!(values(customers(&c, "tri", 8).unwrap()), ["TRI", "C001"]);
        // Letters in order.
        assert_eq!(values(customers(&c, "trdnt", 8).unwrap()), ["C001"]);
        // A percent sign is a letter, not a wildcard.
        assert_eq!(values(customers(&c, "100%", 8).unwrap()), ["TRI"]);
        assert!(customers(&c, "  ", 8).unwrap().is_empty());
        assert_eq!(customers(&c, "c", 1).unwrap().len(), 1, "bounded");
    }

    #[test]
    fn orders_and_products_by_their_beginning() {
        let c = conn();
        let o = orders(&c, "so-202601", 8).unwrap();
        assert_eq!(values(o.clone()), ["SO-20260102-001", "SO-20260101-001"]);
        assert_eq!(o[1].detail, "Trident Trading");
        assert_eq!(values(products(&c, "P-", 8).unwrap()), ["P-100", "P-200"]);
        assert!(products(&c, "X", 8).unwrap().is_empty());
    }
}
