//! Settings for loading a million orders in under a minute, and their undoing. The demo
//! only fills a file without orders or customers, so while it runs, speed may be bought
//! with durability: a crash rolls the file back to the empty state it had.

use crate::store::{Context, Result as StoreResult};
use rusqlite::Connection;

/// Page cache while loading (KiB, negative as SQLite wants it). The file grows to about
/// 1.5 GiB at a million orders; a cache that holds most of it saves writing pages out and
/// reading them back for the index builds. SQLite takes the memory only as it fills.
const BULK_CACHE_KIB: i64 = -512 * 1024;

/// Connection settings changed for the bulk load, and their previous values.
pub struct BulkSettings {
    journal_mode: String,
    synchronous: i64,
    cache_size: i64,
    foreign_keys: i64,
    temp_store: i64,
}

fn pragma<T: rusqlite::types::FromSql>(conn: &Connection, name: &str) -> StoreResult<T> {
    conn.pragma_query_value(None, name, |r| r.get(0))
        .doing("reading the connection settings")
}

impl BulkSettings {
    pub fn apply(conn: &Connection) -> StoreResult<BulkSettings> {
        let saved = BulkSettings {
            journal_mode: pragma(conn, "journal_mode")?,
            synchronous: pragma(conn, "synchronous")?,
            cache_size: pragma(conn, "cache_size")?,
            foreign_keys: pragma(conn, "foreign_keys")?,
            temp_store: pragma(conn, "temp_store")?,
        };
        // A rollback journal instead of WAL: the new pages go to the file once, instead of
        // to the WAL and then again to the file at the checkpoint; the journal only keeps
        // the few pages the empty file had. This fails harmlessly (staying in WAL) when
        // another connection has the file open.
        let _ = conn.pragma_update_and_check(None, "journal_mode", "DELETE", |_| Ok(()));
        // Foreign keys are off so that multi-row inserts need no statement journal (see
        // `rows`); the generator makes every reference valid and the tests check it.
        // Sorts spill to temporary files (this SQLite keeps them in memory by default): only
        // then does SQLite sort an index's entries in runs the size of the page cache (see
        // `sort_in_small_runs`) instead of in one list of every entry.
        conn.execute_batch(&format!(
            "PRAGMA synchronous = OFF;
             PRAGMA cache_size = {BULK_CACHE_KIB};
             PRAGMA foreign_keys = OFF;
             PRAGMA temp_store = FILE;"
        ))
        .doing("preparing the connection for the demo")?;
        Ok(saved)
    }

    pub fn restore(self, conn: &Connection) -> StoreResult<()> {
        conn.pragma_update_and_check(None, "journal_mode", &self.journal_mode, |_| Ok(()))
            .doing("restoring the journal mode")?;
        conn.execute_batch(&format!(
            "PRAGMA synchronous = {};
             PRAGMA cache_size = {};
             PRAGMA foreign_keys = {};
             PRAGMA temp_store = {};",
            self.synchronous, self.cache_size, self.foreign_keys, self.temp_store
        ))
        .doing("restoring the connection after the demo")?;
        // Hand back the memory of the bulk cache now, not when the store closes.
        conn.execute_batch("PRAGMA shrink_memory;")
            .doing("restoring the connection after the demo")
    }
}

/// Page cache while the indexes are built (KiB, SQLite's default). With sorts in temporary
/// files, SQLite sorts an index's entries in memory runs as large as the page cache and
/// merges the runs; the linked lists
/// of a run much larger than the CPU cache are sorted at memory speed, so runs of a couple
/// of MiB build the big indexes about twice as fast as runs of half a GiB (measured on the
/// status history, 5.6 million rows: 9 s of CPU against 3.5 s).
const SORT_CACHE_KIB: i64 = -2000;

/// Sets the page cache for building indexes (see [`SORT_CACHE_KIB`]); [`BulkSettings`]
/// puts back the connection's own at the end.
pub fn sort_in_small_runs(conn: &Connection) -> StoreResult<()> {
    conn.execute_batch(&format!("PRAGMA cache_size = {SORT_CACHE_KIB};"))
        .doing("preparing the index builds")
}
