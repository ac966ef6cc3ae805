//! The order search index (`order_search`, FTS5 trigram): one document per order, its rowid
//! the order id, holding every text the clerk searches by.

use super::{Context, Result};
use rusqlite::{params, Connection};

/// The searchable text of one order: number, customer code and name, products, specs, notes.
/// Demo generation and import build the same text in memory through this function.
pub fn order_body<'a>(
    order_no: &str,
    customer_code: &str,
    customer_name: &str,
    lines: impl IntoIterator<Item = (&'a str, &'a str)>,
    notes: &str,
) -> String {
    let mut body = format!("{order_no} {customer_code} {customer_name}");
    for (product, spec) in lines {
        body.push(' ');
        body.push_str(product);
        body.push(' ');
        body.push_str(spec);
    }
    if !notes.is_empty() {
        body.push(' ');
        body.push_str(notes);
    }
    body
}

/// Rebuilds the document of one order from what is stored (after any edit or undo).
pub fn reindex_order(conn: &Connection, order_id: i64) -> Result<()> {
    conn.execute("DELETE FROM order_search WHERE rowid = ?1", [order_id])
        .doing("updating the search index")?;
    let head: Option<(String, String, String, String)> = {
        use rusqlite::OptionalExtension;
        conn.query_row(
            "SELECT o.order_no, ifnull(c.code, ''), ifnull(c.name, ''), ifnull(o.notes, '')
             FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE o.id = ?1",
            [order_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .doing("reading an order for the search index")?
    };
    let Some((no, code, name, notes)) = head else {
        return Ok(());
    };
    let mut stmt = conn
        .prepare_cached(
            "SELECT ifnull(product_code, ''), ifnull(spec, '') FROM order_lines
             WHERE order_id = ?1 ORDER BY line_no",
        )
        .doing("reading order lines for the search index")?;
    let lines: Vec<(String, String)> = stmt
        .query_map([order_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .doing("reading order lines for the search index")?
        .collect::<rusqlite::Result<_>>()
        .doing("reading order lines for the search index")?;
    let body = order_body(
        &no,
        &code,
        &name,
        lines.iter().map(|(p, s)| (p.as_str(), s.as_str())),
        &notes,
    );
    conn.execute(
        "INSERT INTO order_search(rowid, body) VALUES (?1, ?2)",
        params![order_id, body],
    )
    .doing("updating the search index")?;
    Ok(())
}

/// FTS5 trigram needs three characters; shorter queries take the customer path instead.
pub const MIN_TRIGRAM_CHARS: usize = 3;

/// The query as one FTS5 phrase, with its quotes doubled so any text is safe to match.
pub fn fts_phrase(query: &str) -> String {
    format!("\"{}\"", query.replace('"', "\"\""))
}
