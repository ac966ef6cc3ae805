//! SQL for shipments: the list here (search, filters, the carrier pick list); the form, `d`
//! and the order's delivery in `write`.

use super::list::{like_escape, Filter, ListEntity, SearchClause, Sort};
use super::{Context, Result};
use rusqlite::types::Value;
use rusqlite::{Connection, Row};
use std::sync::RwLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentRow {
    pub id: i64,
    pub order_no: String,
    pub carrier: String,
    pub waybill_no: String,
    pub mode: String,
    pub status: String,
    pub shipped_at: Option<i64>,
    pub eta: Option<i64>,
    pub delivered_at: Option<i64>,
    pub version: i64,
}

impl ShipmentRow {
    /// SPEC §2: late when now is past the ETA and it is not delivered.
    pub fn is_late(&self, now: i64) -> bool {
        self.delivered_at.is_none() && self.eta.is_some_and(|eta| now > eta)
    }
}

/// The carriers the filter menu offers, read from the data when the menu opens.
static CARRIERS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// The distinct carriers, one index seek each (a skip scan over `shipments_by_carrier`), so
/// the pick list costs the same at 800,000 shipments as at 800. Remembered for `filters`.
pub fn load_carriers(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare_cached(
            "WITH RECURSIVE c(name) AS (
                 SELECT min(carrier COLLATE NOCASE) FROM shipments
                 UNION ALL
                 SELECT (SELECT min(carrier COLLATE NOCASE) FROM shipments
                         WHERE carrier > c.name COLLATE NOCASE)
                 FROM c WHERE c.name IS NOT NULL LIMIT 200)
             SELECT name FROM c WHERE name IS NOT NULL AND name <> ''",
        )
        .doing("listing carriers")?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .doing("listing carriers")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("listing carriers")?;
    *CARRIERS.write().unwrap_or_else(|e| e.into_inner()) = names.clone();
    Ok(names)
}

/// A SQL string literal; quotes doubled, so any carrier name is safe inside a filter.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Shipments above which a search is walked row by row in list order instead of collected.
const RARE_LIMIT: usize = 10_000;

/// Every way a term can name a shipment, each an index range: waybill prefix (as typed and
/// upper case), carrier prefix, order number prefix, and the orders of a matching customer
/// (CROSS JOIN keeps that order: the 20,000 customers first, never the 800,000 shipments).
const COLLECT: &str = "
    SELECT id FROM shipments WHERE waybill_no >= ?1 AND waybill_no < ?2
    UNION ALL SELECT id FROM shipments WHERE waybill_no >= ?3 AND waybill_no < ?4
    UNION ALL SELECT id FROM shipments
              WHERE carrier >= ?1 COLLATE NOCASE AND carrier < ?2 COLLATE NOCASE
    UNION ALL SELECT s.id FROM orders o CROSS JOIN shipments s ON s.order_id = o.id
              WHERE o.order_no >= ?1 AND o.order_no < ?2
    UNION ALL SELECT s.id FROM orders o CROSS JOIN shipments s ON s.order_id = o.id
              WHERE o.order_no >= ?3 AND o.order_no < ?4
    UNION ALL SELECT s.id FROM customers c CROSS JOIN orders o ON o.customer_id = c.id
              CROSS JOIN shipments s ON s.order_id = o.id
              WHERE c.name LIKE ?5 ESCAPE '\\' OR c.code LIKE ?6 ESCAPE '\\'
    LIMIT ?7";

/// The same condition checked row by row, for a term that matches many shipments: the
/// list walks its own index and stops after a screenful.
const WALK: &str = "((s.waybill_no >= :w1 AND s.waybill_no < :w2) \
    OR (s.waybill_no >= :u1 AND s.waybill_no < :u2) \
    OR (s.carrier >= :w1 COLLATE NOCASE AND s.carrier < :w2 COLLATE NOCASE) \
    OR EXISTS (SELECT 1 FROM orders o2 LEFT JOIN customers c2 ON c2.id = o2.customer_id \
               WHERE o2.id = s.order_id AND ((o2.order_no >= :w1 AND o2.order_no < :w2) \
                  OR (o2.order_no >= :u1 AND o2.order_no < :u2) \
                  OR c2.name LIKE :a ESCAPE '\\' OR c2.code LIKE :p ESCAPE '\\')))";

fn prefix_end(term: &str) -> String {
    format!("{term}\u{10FFFF}")
}

/// The ids of the shipments `term` matches when there are few, `None` when many. The last
/// answer is remembered until the data changes, as every scroll step asks again.
fn rare_ids(conn: &Connection, term: &str) -> Option<Vec<i64>> {
    static LAST: std::sync::Mutex<Option<(String, Option<Vec<i64>>)>> = std::sync::Mutex::new(None);
    let stamp = conn
        .query_row("SELECT total_changes()", [], |r| r.get::<_, i64>(0))
        .and_then(|own| {
            conn.query_row("PRAGMA data_version", [], |r| r.get::<_, i64>(0))
                .map(|other| format!("{:p}:{own}:{other}\u{0}{term}", conn))
        })
        .unwrap_or_default();
    let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((k, answer)) = last.as_ref() {
        if *k == stamp && !stamp.is_empty() {
            return answer.clone();
        }
    }
    let esc = like_escape(term);
    let upper = term.to_uppercase();
    let ids: Option<Vec<i64>> = conn
        .prepare_cached(COLLECT)
        .and_then(|mut stmt| {
            stmt.query_map(
                rusqlite::params![
                    term,
                    prefix_end(term),
                    upper,
                    prefix_end(&upper),
                    format!("%{esc}%"),
                    format!("{esc}%"),
                    RARE_LIMIT as i64 + 1
                ],
                |r| r.get(0),
            )?
            .collect::<rusqlite::Result<Vec<i64>>>()
        })
        .ok();
    let answer = ids.filter(|ids| ids.len() <= RARE_LIMIT).map(|mut ids| {
        ids.sort_unstable();
        ids.dedup();
        ids
    });
    *last = Some((stamp, answer.clone()));
    answer
}

impl ListEntity for ShipmentRow {
    const FROM: &'static str = "shipments s JOIN orders o ON o.id = s.order_id";
    const COUNT_FROM: &'static str = "shipments s";
    const ID: &'static str = "s.id";
    const COLUMNS: &'static str =
        "o.order_no, ifnull(s.carrier,''), ifnull(s.waybill_no,''), s.mode, \
        s.status, s.shipped_at, s.eta, s.delivered_at, s.version";

    fn sorts() -> &'static [Sort] {
        &[
            Sort {
                key: "shipped",
                expr: "ifnull(s.shipped_at, 0)",
                desc: true,
            },
            Sort {
                key: "eta",
                expr: "ifnull(s.eta, 0)",
                desc: false,
            },
        ]
    }

    fn filters() -> Vec<Filter> {
        let mut f = vec![Filter {
            key: "late".into(),
            group: "late",
            // `s.delivered_at IS NULL` as its own term, so the `shipments_open_by_*` indexes
            // serve it: the walk passes only shipments still on their way.
            sql: "s.delivered_at IS NULL AND ifnull(s.eta, 0) < :now AND s.eta IS NOT NULL".into(),
        }];
        for c in CARRIERS.read().unwrap_or_else(|e| e.into_inner()).iter() {
            f.push(Filter {
                key: format!("carrier:{c}"),
                group: "carrier",
                sql: format!("s.carrier = {} COLLATE NOCASE", literal(c)),
            });
        }
        for m in crate::domain::enums::ShipMode::words() {
            f.push(Filter {
                key: format!("mode:{m}"),
                group: "mode",
                sql: format!("s.mode = '{m}'"),
            });
        }
        for st in crate::domain::enums::ShipmentStatus::words() {
            f.push(Filter {
                key: format!("shipment_status:{st}"),
                group: "status",
                sql: format!("s.status = '{st}'"),
            });
        }
        f
    }

    fn search(query: &str) -> Option<SearchClause> {
        let term = query.trim();
        if term.is_empty() {
            return None;
        }
        let esc = like_escape(term);
        let upper = term.to_uppercase();
        let text = |s: String| Value::Text(s);
        Some(SearchClause {
            sql: WALK.into(),
            params: vec![
                (":w1".into(), text(term.to_string())),
                (":w2".into(), text(prefix_end(term))),
                (":u1".into(), text(upper.clone())),
                (":u2".into(), text(prefix_end(&upper))),
                (":a".into(), text(format!("%{esc}%"))),
                (":p".into(), text(format!("{esc}%"))),
            ],
        })
    }

    fn search_in(conn: &Connection, query: &str) -> Option<SearchClause> {
        let clause = Self::search(query)?;
        match rare_ids(conn, query.trim()) {
            Some(ids) if ids.is_empty() => Some(SearchClause {
                sql: "0".into(),
                params: Vec::new(),
            }),
            // Only integers, so safe inside SQL.
            Some(ids) => Some(SearchClause {
                sql: format!(
                    "s.id IN ({})",
                    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
                ),
                params: Vec::new(),
            }),
            None => Some(clause),
        }
    }

    fn from_row(r: &Row) -> rusqlite::Result<Self> {
        Ok(ShipmentRow {
            id: r.get(1)?,
            order_no: r.get(2)?,
            carrier: r.get(3)?,
            waybill_no: r.get(4)?,
            mode: r.get(5)?,
            status: r.get(6)?,
            shipped_at: r.get(7)?,
            eta: r.get(8)?,
            delivered_at: r.get(9)?,
            version: r.get(10)?,
        })
    }
}

mod write;
pub use write::{deliver, load, save, Delivered, ShipmentDetail, ShipmentDraft, ShipmentSaved};

#[cfg(test)]
mod tests;
