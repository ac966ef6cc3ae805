//! Bulk loading. A big import into a small table would pay for every secondary index on
//! every row (a random insert into each of the orders' twenty indexes); instead, once an
//! import has written more rows than the table held and at least [`BULK_ROWS`], the
//! secondary indexes of the tables it fills are dropped and built again, each in one sorted
//! pass, just before the commit. Both happen inside the import's transaction, so a rolled
//! back import (a problem, a failure, a dry run) leaves every index exactly as it was.
//! The search index takes its terms in larger batches meanwhile (FTS5's `hashsize`), so it
//! is written in fewer, larger segments.

use crate::store::bulk::DroppedIndexes;
use crate::store::Context;
use anyhow::Result;
use rusqlite::Connection;

/// Rows written before an import into a small table turns to bulk loading (a few in the
/// tests, so that every import test of more orders goes through it too).
#[cfg(not(test))]
pub const BULK_ROWS: u64 = 50_000;
#[cfg(test)]
pub const BULK_ROWS: u64 = 20;

/// The tables an orders import fills.
pub const ORDER_TABLES: [&str; 4] = ["orders", "order_lines", "status_history", "production"];

/// FTS5's buffer of pending terms during a bulk load, in bytes (its default is 1 MiB).
const FTS_BATCH: i64 = 32 * 1024 * 1024;
const FTS_DEFAULT_BATCH: i64 = 1024 * 1024;

/// What a bulk load changed, to be put back before the commit.
pub struct Deferred {
    indexes: DroppedIndexes,
    fts: bool,
}

impl Deferred {
    /// Drops the explicit indexes of `tables` (the unique constraints' own indexes stay: the
    /// import looks rows up by them) and, for the orders, enlarges the search index's batches.
    pub fn start(conn: &Connection, tables: &[&str]) -> Result<Deferred> {
        let indexes = DroppedIndexes::drop_of(conn, tables)?;
        let fts = tables.contains(&"orders");
        if fts {
            set_fts_batch(conn, FTS_BATCH)?;
        }
        Ok(Deferred { indexes, fts })
    }

    /// Builds the indexes again and puts the search index's batches back.
    pub fn finish(self, conn: &Connection) -> Result<()> {
        // Each build is a sort: on two cores.
        let threads: i64 = conn
            .query_row("PRAGMA threads", [], |r| r.get(0))
            .doing("reading the connection settings")?;
        conn.execute_batch("PRAGMA threads = 2")
            .doing("configuring the connection")?;
        let built = self.indexes.rebuild(conn);
        conn.execute_batch(&format!("PRAGMA threads = {threads}"))
            .doing("configuring the connection")?;
        built?;
        if self.fts {
            set_fts_batch(conn, FTS_DEFAULT_BATCH)?;
        }
        Ok(())
    }
}

fn set_fts_batch(conn: &Connection, bytes: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO order_search (order_search, rank) VALUES ('hashsize', ?1)",
        [bytes],
    )
    .doing("configuring the search index")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn indexes(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn indexes_come_back_as_they_were_after_a_bulk_load_or_a_rollback() {
        let mut store = Store::open_in_memory().unwrap();
        let before = indexes(store.conn());
        {
            let tx = store.begin().unwrap();
            let d = Deferred::start(&tx, &ORDER_TABLES).unwrap();
            assert!(indexes(&tx).len() < before.len());
            d.finish(&tx).unwrap();
            tx.commit().unwrap();
        }
        assert_eq!(indexes(store.conn()), before);
        {
            let tx = store.begin().unwrap();
            Deferred::start(&tx, &ORDER_TABLES).unwrap();
            tx.rollback().unwrap();
        }
        assert_eq!(indexes(store.conn()), before);
    }
}
