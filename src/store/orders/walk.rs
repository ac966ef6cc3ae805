//! A searched Orders list by a bounded walk in id order, proven equal to the list's own order.
//!
//! The list shows the newest orders first; orders are numbered as they are entered, so the
//! highest ids are nearly always the newest orders. The walk reads the matches from the
//! full-text index by id, from the page's edge on (FTS5 reads a word's entries backwards and
//! stops at the page's end, so a common word costs no more than a rare one), joins the
//! orders of those few ids only, and then proves the page is the list's: no order that lies
//! between the page's first and last rows in list order has an id outside the stretch the
//! walk covered. The proof reads that stretch of the list's index and no more than
//! `PROOF_ROWS` of it. When it fails (orders entered out of date order, such as old ones
//! imported after new ones) or would read more, the general plan answers instead.

use super::OrderRow;
use crate::store::list::{
    conditions_with, run, Anchor, Key, ListContext, ListEntity, ListQuery, Page,
};
use crate::store::{Context, Result};
use rusqlite::types::Value;
use rusqlite::{Connection, ToSql};

/// Entries of the list's index read at most to prove a walked page; a page whose rows lie
/// further apart (a word matching fewer than about one order in two hundred) is left to the
/// general plan, which collects a rare word's matches.
pub const PROOF_ROWS: i64 = 10_000;

/// The FTS condition of `OrderRow::search`, and how the walk writes it: as the driving table.
const FTS_JOINED: &str = "s.order_search MATCH :fts";

/// The list's rows with the full-text index in front, read in id order.
const FROM_FTS: &str = "order_search s CROSS JOIN orders o ON o.id = s.rowid \
     LEFT JOIN customers c ON c.id = o.customer_id LEFT JOIN production p ON p.order_id = o.id";
/// The list's rows read in id order (a short term checks each row; no index serves it).
const FROM_TABLE: &str = "orders o NOT INDEXED LEFT JOIN customers c ON c.id = o.customer_id \
     LEFT JOIN production p ON p.order_id = o.id";

/// The window `list::fetch` would give, by the walk, or `None` when the walk does not apply
/// or cannot prove its page.
pub(super) fn fetch(
    conn: &Connection,
    q: &ListQuery,
    anchor: &Anchor,
    limit: usize,
    ctx: &ListContext,
) -> Result<Option<Page<OrderRow>>> {
    let search = q.search.trim();
    // Only the default order (newest first), and only searches: a plain list is one
    // indexed seek already.
    if q.sort != 0 || q.reversed || search.is_empty() || limit == 0 {
        return Ok(None);
    }
    let (key, forward) = match anchor {
        Anchor::First => (None, true),
        Anchor::After(k) => (Some(k), true),
        Anchor::Last => (None, false),
        Anchor::Before(k) => (Some(k), false),
        Anchor::From(_) => return Ok(None),
    };
    let Some(mut clause) = OrderRow::search(search) else {
        return Ok(None);
    };
    // A short term that few orders match is answered from their ids by the general plan;
    // walking for it would read every row to find none.
    if search
        .split_whitespace()
        .filter(|t| t.chars().count() < crate::store::search::MIN_TRIGRAM_CHARS)
        .any(|t| super::rare_short_term(conn, t).is_some())
    {
        return Ok(None);
    }
    let joined = clause.sql.contains(super::FTS_RARE);
    clause.sql = clause.sql.replace(super::FTS_RARE, FTS_JOINED);
    let built = conditions_with::<OrderRow>(q, ctx, Some(clause));
    let (sort_expr, id) = (OrderRow::sorts()[0].expr, OrderRow::ID);
    let walk_id = if joined { "s.rowid" } else { id };
    let mut params = built.params;
    let mut conds = vec![built.sql];
    // Forward: the rows after `key` in the list (older), walked down from its id.
    let (cmp, dir) = if forward { ("<", "DESC") } else { (">", "ASC") };
    if let Some(k) = key {
        conds.push(format!("{walk_id} {cmp} :k_id"));
        conds.push(format!("({sort_expr}, {id}) {cmp} (:k_sort, :k_id)"));
        params.push((":k_sort".into(), k.sort.clone()));
        params.push((":k_id".into(), Value::Integer(k.id)));
    }
    let sql = format!(
        "SELECT * FROM (SELECT {sort_expr}, {id}, {cols} FROM {from} WHERE {conds} \
         ORDER BY {walk_id} {dir} LIMIT {limit}) ORDER BY 1 DESC, 2 DESC",
        cols = OrderRow::COLUMNS,
        from = if joined { FROM_FTS } else { FROM_TABLE },
        conds = conds.join(" AND "),
    );
    let page = run::<OrderRow>(conn, &sql, &params)?;
    let walked_to = if forward {
        page.keys.iter().map(|k| k.id).min()
    } else {
        page.keys.iter().map(|k| k.id).max()
    };
    let proven = if page.rows.len() < limit {
        // Every match on the walked side of `key` is here; without a key that is all.
        match key {
            None => true,
            Some(k) => nothing_beyond_key(conn, k, forward)?,
        }
    } else {
        // The page's far end in list order.
        let tail = if forward {
            page.keys.last()
        } else {
            page.keys.first()
        };
        match (tail, walked_to) {
            (Some(tail), Some(walked_to)) => {
                nothing_outside_walk(conn, key, tail, walked_to, forward)?
            }
            _ => false,
        }
    };
    Ok(proven.then_some(page))
}

/// Whether every order lying between `key` (or the list's end) and `tail` in list order has
/// an id in the stretch the walk covered: from `key`'s id (or the end) to `walked_to`.
fn nothing_outside_walk(
    conn: &Connection,
    key: Option<&Key>,
    tail: &Key,
    walked_to: i64,
    forward: bool,
) -> Result<bool> {
    let (sort_expr, id) = (OrderRow::sorts()[0].expr, OrderRow::ID);
    // Forward: rows at or above the tail and below the key, newest first.
    let (tail_cmp, key_cmp, outside, key_outside, dir) = if forward {
        (">=", "<", "<", ">=", "DESC")
    } else {
        ("<=", ">", ">", "<=", "ASC")
    };
    let mut conds = vec![format!("({sort_expr}, {id}) {tail_cmp} (:t_sort, :t_id)")];
    let mut flag = format!("{id} {outside} :w_id");
    let mut params = vec![
        (":t_sort", tail.sort.clone()),
        (":t_id", Value::Integer(tail.id)),
        (":w_id", Value::Integer(walked_to)),
    ];
    if let Some(k) = key {
        conds.push(format!("({sort_expr}, {id}) {key_cmp} (:k_sort, :k_id)"));
        flag = format!("({flag} OR {id} {key_outside} :k_id)");
        params.push((":k_sort", k.sort.clone()));
        params.push((":k_id", Value::Integer(k.id)));
    }
    let sql = format!(
        "SELECT count(*), ifnull(max(outside), 0) FROM (SELECT {flag} AS outside \
         FROM orders o WHERE {conds} ORDER BY {sort_expr} {dir}, {id} {dir} LIMIT {})",
        PROOF_ROWS + 1,
        conds = conds.join(" AND "),
    );
    proof(conn, &sql, &params)
}

/// Whether no order on the far side of `key`'s id lies beyond `key` in list order (a last,
/// short page: the walk saw every match on its own side of the id).
fn nothing_beyond_key(conn: &Connection, key: &Key, forward: bool) -> Result<bool> {
    let (sort_expr, id) = (OrderRow::sorts()[0].expr, OrderRow::ID);
    let (id_cmp, key_cmp, dir) = if forward {
        (">", "<", "ASC")
    } else {
        ("<", ">", "DESC")
    };
    let sql = format!(
        "SELECT count(*), ifnull(max(outside), 0) FROM (SELECT ({sort_expr}, {id}) {key_cmp} \
         (:k_sort, :k_id) AS outside FROM orders o WHERE {id} {id_cmp} :k_id \
         ORDER BY {id} {dir} LIMIT {})",
        PROOF_ROWS + 1
    );
    let params = [
        (":k_sort", key.sort.clone()),
        (":k_id", Value::Integer(key.id)),
    ];
    proof(conn, &sql, &params)
}

/// Runs a proof query: it read at most `PROOF_ROWS` entries and found none outside.
fn proof(conn: &Connection, sql: &str, params: &[(&str, Value)]) -> Result<bool> {
    let mut stmt = conn.prepare_cached(sql).doing("preparing a search check")?;
    let (read, outside): (i64, i64) = stmt
        .query_row(
            params
                .iter()
                .map(|(n, v)| (*n, v as &dyn ToSql))
                .collect::<Vec<_>>()
                .as_slice(),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .doing("checking a search page")?;
    Ok(read <= PROOF_ROWS && outside == 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::order::{OrderDraft, OrderLine};
    use crate::store::list::{fetch, fetch_planned};
    use crate::store::undo::Change;
    use crate::store::Store;

    fn desk(n: i64) -> Store {
        let mut store = Store::open_in_memory().unwrap();
        for (code, name) in [("C1", "上海精密"), ("C2", "Acme")] {
            store
                .conn()
                .execute(
                    "INSERT INTO customers (code, name) VALUES (?1, ?2)",
                    [code, name],
                )
                .unwrap();
        }
        let tx = store.begin().unwrap();
        let mut change = Change::new("many");
        for i in 0..n {
            let d = OrderDraft {
                order_no: format!("SO-W-{i:05}"),
                customer_id: Some(1 + i % 2),
                order_type: crate::domain::enums::OrderType::Regular,
                status: crate::domain::status::Status::Inquiry,
                ordered_at: 1_700_000_000 + (i / 2) * 60, // ties on the sort key
                due_date: None,
                delivery_address: String::new(),
                currency: "USD".into(),
                payment_due: None,
                paid_at: None,
                missing_reason: String::new(),
                notes: match i % 7 {
                    0 => "blue carton".into(),
                    3 => "steel bar".into(),
                    _ if i % 97 == 5 => "rare zebra".into(),
                    _ => "blue bag".into(),
                },
                lines: vec![OrderLine {
                    product_code: "M6".into(),
                    spec: String::new(),
                    quantity: crate::domain::money::parse_decimal("1").unwrap(),
                    unit: "pcs".into(),
                    unit_price: None,
                }],
            };
            super::super::save(&tx, &mut change, None, None, &d, None).unwrap();
        }
        tx.commit().unwrap();
        store
            .conn()
            .execute("UPDATE orders SET status = 'closed' WHERE id % 5 = 0", [])
            .unwrap();
        store
    }

    fn ids(p: &Page<OrderRow>) -> Vec<i64> {
        p.rows.iter().map(|r| r.id).collect()
    }

    /// Pages the whole list both ways by `fetch` and by the general plan alone; they must
    /// agree page by page. Returns how many pages the walk answered itself.
    fn agree(conn: &Connection, q: &ListQuery, limit: usize) -> usize {
        let ctx = ListContext::current();
        let mut walked = 0;
        for forward in [true, false] {
            let mut anchor = if forward { Anchor::First } else { Anchor::Last };
            for _ in 0..200 {
                let planned = fetch_planned::<OrderRow>(conn, q, &anchor, limit, &ctx).unwrap();
                let got = fetch::<OrderRow>(conn, q, &anchor, limit, &ctx).unwrap();
                assert_eq!(ids(&got), ids(&planned), "{q:?} at {anchor:?}");
                assert_eq!(got.keys, planned.keys, "{q:?} at {anchor:?}");
                if super::fetch(conn, q, &anchor, limit, &ctx)
                    .unwrap()
                    .is_some()
                {
                    walked += 1;
                }
                let edge = if forward {
                    planned.keys.last()
                } else {
                    planned.keys.first()
                };
                let Some(edge) = edge.cloned() else { break };
                anchor = if forward {
                    Anchor::After(edge)
                } else {
                    Anchor::Before(edge)
                };
            }
        }
        walked
    }

    fn queries() -> Vec<ListQuery> {
        let mut out = Vec::new();
        for search in [
            "carton",
            "blue",
            "zebra",
            "steel bar",
            "上海",
            "上海 blue",
            "SO-W",
            "none",
        ] {
            for filters in [
                vec![],
                vec!["status:inquiry".to_string()],
                vec!["status:closed".into()],
            ] {
                out.push(ListQuery {
                    search: search.into(),
                    filters,
                    ..Default::default()
                });
            }
        }
        out
    }

    /// Whether the walk answers the first page of "blue" (else the general plan does).
    fn walks_blue(store: &Store) -> bool {
        let q = ListQuery {
            search: "blue".into(),
            ..Default::default()
        };
        let ctx = ListContext::current();
        super::fetch(store.conn(), &q, &Anchor::First, 10, &ctx)
            .unwrap()
            .is_some()
    }

    #[test]
    fn the_walk_gives_the_lists_own_pages() {
        let store = desk(600);
        let mut walked = 0;
        for q in queries() {
            walked += agree(store.conn(), &q, 10);
        }
        assert!(walked > 50, "the walk answered only {walked} pages");
        // A common word's first page is the walk's, proven in a few rows.
        assert!(walks_blue(&store));
    }

    #[test]
    fn orders_entered_out_of_date_order_are_never_missed() {
        let store = desk(600);
        // Old orders entered last, new ones first: ids no longer follow the list.
        store
            .conn()
            .execute_batch(
                "UPDATE orders SET ordered_at = 1600000000 + id WHERE id % 50 = 0;
                 UPDATE orders SET ordered_at = 1800000000 - id WHERE id % 45 = 1;",
            )
            .unwrap();
        let mut walked = 0;
        for q in queries() {
            walked += agree(store.conn(), &q, 10);
        }
        // Pages clear of them are still the walk's.
        assert!(walked > 50, "the walk answered only {walked} pages");
        // A page with one of them inside is left to the general plan.
        assert!(!walks_blue(&store));
    }
}
