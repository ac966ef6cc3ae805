//! How a search of the Orders list runs on a connection: a rare word's matches collected
//! once, a common word checked row by row, a short term answered from the few orders it
//! names; each choice remembered per connection and state of the data.

use super::super::list::like_escape;
use rusqlite::Connection;

/// A rare word: collect its few matches, then sort them.
pub(super) const FTS_RARE: &str =
    "o.id IN (SELECT rowid FROM order_search WHERE order_search MATCH :fts)";
/// A common word: walk the list in its order and ask the index about each row, so the first
/// screenful is found without collecting hundreds of thousands of matches.
pub(super) const FTS_COMMON: &str =
    "EXISTS (SELECT 1 FROM order_search WHERE order_search MATCH :fts AND rowid = o.id)";
/// Rare words cost one rowid each to collect; common ones one index probe per row walked
/// until a screenful is found. The balance point measured at 1,000,000 orders.
pub(super) const COMMON_MATCHES: i64 = 30_000;

/// Which connection this is, for as long as it is open. The `Connection` value itself moves
/// (a pool hands it out and takes it back), so its own address would not do; the SQLite
/// handle inside it stays put.
pub(super) fn conn_id(conn: &Connection) -> String {
    // SAFETY: only the handle's address is read, to tell connections apart; it is never
    // dereferenced or passed on.
    format!("{:p}", unsafe { conn.handle() })
}

/// Changes whenever this connection or another one has written, so remembered answers
/// about the data are never used after it changed.
pub(super) fn data_stamp(conn: &Connection) -> String {
    conn.query_row("SELECT total_changes()", [], |r| r.get::<_, i64>(0))
        .and_then(|own| {
            conn.query_row("PRAGMA data_version", [], |r| r.get::<_, i64>(0))
                .map(|other| format!("{}:{own}:{other}", conn_id(conn)))
        })
        .unwrap_or_default()
}

/// The condition for the `i`-th short term, checked row by row as the list is walked.
pub(super) fn short_walk(i: usize) -> String {
    format!(
        "(o.order_no LIKE :p{i} ESCAPE '\\' OR o.customer_id IN \
         (SELECT id FROM customers WHERE name LIKE :a{i} ESCAPE '\\' OR code LIKE :p{i} ESCAPE '\\'))"
    )
}

/// Orders above which a short term is walked rather than collected.
pub(super) const SHORT_RARE_LIMIT: i64 = 2_000;

/// For a short term matching at most `SHORT_RARE_LIMIT` orders, the same condition as
/// `short_walk` written as a list of order ids (only integers, so safe inside SQL).
pub(super) fn rare_short_term(conn: &Connection, term: &str) -> Option<String> {
    /// Answers remembered per connection, term and state of the data; a few dozen at most.
    static MEMO: std::sync::Mutex<Vec<(String, Option<String>)>> =
        std::sync::Mutex::new(Vec::new());
    const MEMO_SIZE: usize = 32;
    let key = format!("{}\u{0}{term}", data_stamp(conn));
    // Looked up and stored under the lock, worked out without it: other connections'
    // searches go on meanwhile.
    {
        let memo = MEMO.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, answer)) = memo.iter().find(|(k, _)| *k == key) {
            return answer.clone();
        }
    }
    let esc = like_escape(term);
    let ids: Option<Vec<i64>> = conn
        .prepare_cached(
            "SELECT o.id FROM orders o WHERE o.customer_id IN
               (SELECT id FROM customers WHERE name LIKE ?2 ESCAPE '\\' OR code LIKE ?1 ESCAPE '\\')
             UNION ALL SELECT id FROM orders WHERE order_no >= ?3 AND order_no < ?4
             UNION ALL SELECT id FROM orders WHERE order_no >= ?5 AND order_no < ?6
             LIMIT ?7",
        )
        .and_then(|mut stmt| {
            let upper = term.to_uppercase();
            stmt.query_map(
                rusqlite::params![
                    format!("{esc}%"),
                    format!("%{esc}%"),
                    term,
                    format!("{term}\u{10FFFF}"),
                    upper,
                    format!("{upper}\u{10FFFF}"),
                    SHORT_RARE_LIMIT + 1
                ],
                |r| r.get(0),
            )?
            .collect::<rusqlite::Result<Vec<i64>>>()
        })
        .ok();
    let answer = ids
        .filter(|ids| ids.len() as i64 <= SHORT_RARE_LIMIT)
        .map(|mut ids| {
            ids.sort_unstable();
            ids.dedup();
            if ids.is_empty() {
                "0".to_string()
            } else {
                let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
                format!("o.id IN ({list})")
            }
        });
    let mut memo = MEMO.lock().unwrap_or_else(|e| e.into_inner());
    if memo.len() >= MEMO_SIZE {
        memo.remove(0);
    }
    memo.push((key, answer.clone()));
    answer
}

/// Whether `expr` matches more than `limit` orders (reads at most `limit` + 1 rowids).
#[cfg(test)]
pub(super) fn matches_more_than(conn: &Connection, expr: &str, limit: i64) -> bool {
    conn.query_row(
        "SELECT count(*) FROM (SELECT rowid FROM order_search WHERE order_search MATCH ?1 LIMIT ?2)",
        rusqlite::params![expr, limit + 1],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > limit)
    .unwrap_or(false)
}

/// How a long search term is answered on a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Plan {
    /// More than `COMMON_MATCHES` orders: walk the list and ask the index about each row.
    Common,
    /// The matches are in this connection's `temp.search_hits`, collected once.
    Collected,
    /// Collect the matches within the query (the connection is inside a transaction, where
    /// a scratch table written now could be rolled back behind the remembered answer).
    Rare,
}

/// The matches of a rare expression, collected once per connection, expression and state of
/// the data: every page and the count then read them instead of running the full-text
/// query again (a phrase of common trigrams, such as a TPC-H customer name, costs a pass
/// over long doclists each time it runs).
pub(super) const HITS: &str = "o.id IN (SELECT id FROM temp.search_hits)";

/// The plan for `expr`, remembered per connection for its last expression (every scroll step
/// of a searched list asks again).
pub(super) fn plan(conn: &Connection, expr: &str) -> Plan {
    static LAST: std::sync::Mutex<Vec<(String, String, Plan)>> = std::sync::Mutex::new(Vec::new());
    let who = conn_id(conn);
    let key = format!("{}\u{0}{expr}", data_stamp(conn));
    // Not held while the plan is worked out, so other connections' searches go on; a
    // connection is used by one thread at a time, so its own entry cannot race.
    {
        let last = LAST.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, k, plan)) = last.iter().find(|(w, _, _)| *w == who) {
            if *k == key {
                return *plan;
            }
        }
    }
    let ids: Option<Vec<i64>> = conn
        .prepare_cached("SELECT rowid FROM order_search WHERE order_search MATCH ?1 LIMIT ?2")
        .and_then(|mut s| {
            s.query_map(rusqlite::params![expr, COMMON_MATCHES + 1], |r| r.get(0))?
                .collect()
        })
        .ok();
    let plan = match ids {
        // Interrupted or failed: the query itself will say why.
        None => return Plan::Rare,
        Some(ids) if ids.len() as i64 > COMMON_MATCHES => Plan::Common,
        Some(_) if !conn.is_autocommit() => Plan::Rare,
        Some(ids) => match collect_hits(conn, &ids) {
            Ok(()) => Plan::Collected,
            Err(_) => Plan::Rare,
        },
    };
    // Stamped after the scratch table was written (which counts as a change).
    let key = format!("{}\u{0}{expr}", data_stamp(conn));
    let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
    last.retain(|(w, _, _)| *w != who);
    // A handful of connections at most (the app's, the search worker's, the web desk's
    // readers, a test's).
    if last.len() >= 16 {
        last.remove(0);
    }
    last.push((who, key, plan));
    plan
}

pub(super) fn collect_hits(conn: &Connection, ids: &[i64]) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS search_hits (id INTEGER PRIMARY KEY);
         DELETE FROM temp.search_hits;",
    )?;
    let mut insert = conn.prepare_cached("INSERT INTO temp.search_hits (id) VALUES (?1)")?;
    for id in ids {
        insert.execute([id])?;
    }
    Ok(())
}
