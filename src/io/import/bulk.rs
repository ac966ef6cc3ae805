//! Bulk loading. A big import into a small table would pay for every secondary index on
//! every row (a random insert into each of the orders' twenty indexes); instead, once an
//! import has written more rows than the table held and at least [`BULK_ROWS`], the
//! secondary indexes of the tables it fills are dropped and built again, each in one sorted
//! pass, just before the commit. Both happen inside the import's transaction, so a rolled
//! back import (a problem, a failure, a dry run) leaves every index exactly as it was.
//!
//! The search index costs as much as everything else together (every order is cut into
//! trigrams). Orders imported into a desk without any are indexed on the second core, as
//! the demo does (`demo::search`): into a scratch file beside the database, whose finished
//! index is copied in before the commit. Into a desk with orders, the search index takes
//! its terms in larger batches during a bulk load (FTS5's `hashsize`), in fewer, larger
//! segments.

use crate::demo::search::{copy_into, index_sql, Indexer, Scratch};
use crate::store::bulk::DroppedIndexes;
use crate::store::{Context, StoreError};
use anyhow::{anyhow, Result};
use rusqlite::{Connection, Transaction};
use std::path::Path;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

/// Rows written before an import into a small table turns to bulk loading (a few in the
/// tests, so that every import test of more orders goes through it too).
#[cfg(not(test))]
pub const BULK_ROWS: u64 = 50_000;
#[cfg(test)]
pub const BULK_ROWS: u64 = 20;

/// The tables an orders import fills.
pub const ORDER_TABLES: [&str; 4] = ["orders", "order_lines", "status_history", "production"];

/// FTS5's buffer of pending terms during a bulk load, in bytes (its default is 1 MiB); it
/// takes about twice that in memory.
const FTS_BATCH: i64 = 16 * 1024 * 1024;
/// The page cache while the indexes are built, in KiB. With temporary files (see
/// `import_source`), it is also the most a sort holds in memory at once per thread: up to
/// three of them with `PRAGMA threads = 2`.
const SORT_CACHE_KIB: i64 = 16 * 1024;
const FTS_DEFAULT_BATCH: i64 = 1024 * 1024;

/// Search documents handed to the indexing thread at a time, and batches queued for it at
/// most (so memory stays bounded however far ahead the reading is).
const DOCUMENTS_PER_BATCH: usize = 512;
const QUEUED_BATCHES: usize = 8;

/// With `ORDERDESK_TRACE_IMPORT` set, a bulk load tells on standard error when each of its
/// phases ends: the time since the first call, and the memory held then and at most so far
/// (`VmRSS`, `VmHWM`). A tool for measuring, not for the clerk.
pub fn trace(phase: &str) {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Option<Instant>> = OnceLock::new();
    let Some(start) =
        START.get_or_init(|| std::env::var_os("ORDERDESK_TRACE_IMPORT").map(|_| Instant::now()))
    else {
        return;
    };
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let mib = |field: &str| {
        status
            .lines()
            .find(|l| l.starts_with(field))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(0, |kib| kib / 1024)
    };
    eprintln!(
        "[import] {phase}: {:.1} s, rss {} MiB (anon {}, file {}, shared {}), peak {} MiB",
        start.elapsed().as_secs_f64(),
        mib("VmRSS:"),
        mib("RssAnon:"),
        mib("RssFile:"),
        mib("RssShmem:"),
        mib("VmHWM:")
    );
}

/// What a bulk load changed, to be put back before the commit.
pub struct Deferred {
    indexes: DroppedIndexes,
    fts: bool,
    background: Option<Background>,
}

/// The search index being built on the second core.
struct Background {
    scratch: Scratch,
    pending: Vec<(i64, String)>,
    to: Option<SyncSender<Vec<(i64, String)>>>,
    worker: Option<JoinHandle<crate::store::Result<()>>>,
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
        Ok(Deferred {
            indexes,
            fts,
            background: None,
        })
    }

    /// For orders imported into a desk without orders (and so an empty search index): the
    /// orders' indexes set aside from the first row, and the search documents indexed on
    /// another thread (see [`Deferred::index`]).
    pub fn start_fresh(conn: &Connection) -> Result<Deferred> {
        trace("bulk load starts");
        let indexes = DroppedIndexes::drop_of(conn, &ORDER_TABLES)?;
        let create = index_sql(conn)?;
        let db = conn.path().unwrap_or_default();
        let scratch = Scratch::beside(Path::new(if db.is_empty() { ":memory:" } else { db }));
        let path = scratch.path().to_path_buf();
        let (to, batches) = sync_channel::<Vec<(i64, String)>>(QUEUED_BATCHES);
        let worker = std::thread::Builder::new()
            .name("import-search".into())
            .spawn(move || -> crate::store::Result<()> {
                let indexer = Indexer::create_with(&path, &create, FTS_BATCH)?;
                indexer.merge_at_end()?;
                for batch in batches {
                    indexer.add(batch.into_iter())?;
                }
                trace("search documents indexed");
                let done = indexer.finish();
                trace("search index merged");
                done
            })
            .map_err(|e| anyhow!("cannot start the search indexing thread: {e}"))?;
        Ok(Deferred {
            indexes,
            fts: false,
            background: Some(Background {
                scratch,
                pending: Vec::with_capacity(DOCUMENTS_PER_BATCH),
                to: Some(to),
                worker: Some(worker),
            }),
        })
    }

    /// Whether search documents go to [`Deferred::index`] instead of the search index.
    pub fn indexes_aside(&self) -> bool {
        self.background.is_some()
    }

    /// Queues the search document of order `id` for the indexing thread.
    pub fn index(&mut self, id: i64, body: String) -> Result<()> {
        let Some(bg) = self.background.as_mut() else {
            return Err(anyhow!("no search indexing thread"));
        };
        bg.pending.push((id, body));
        if bg.pending.len() >= DOCUMENTS_PER_BATCH {
            bg.send()?;
        }
        Ok(())
    }

    /// Builds the indexes again, copies in the search index built aside, and puts the
    /// search index's batches back.
    pub fn finish(mut self, tx: &Transaction) -> Result<()> {
        // The last documents go now, so the indexing thread finishes while the indexes
        // are built here.
        trace("rows written");
        if let Some(bg) = self.background.as_mut() {
            bg.send()?;
            bg.to = None;
        }
        // Each build is a sort: on two cores (unless the search index still takes one).
        let (threads, cache): (i64, i64) = tx
            .query_row("SELECT * FROM pragma_threads, pragma_cache_size", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .doing("reading the connection settings")?;
        tx.execute_batch(&format!(
            "PRAGMA threads = 2; PRAGMA cache_size = -{SORT_CACHE_KIB};"
        ))
        .doing("configuring the connection")?;
        // The load's larger page cache, now freed, goes back to the system before the
        // sorts take theirs.
        release_free_memory();
        let built = self.indexes.rebuild(tx);
        tx.execute_batch(&format!(
            "PRAGMA threads = {threads}; PRAGMA cache_size = {cache};"
        ))
        .doing("configuring the connection")?;
        built?;
        trace("indexes built");
        if let Some(mut bg) = self.background.take() {
            bg.join()?;
            trace("search index joined");
            copy_into(tx, bg.scratch.path())?;
            trace("search index copied");
        }
        if self.fts {
            set_fts_batch(tx, FTS_DEFAULT_BATCH)?;
        }
        Ok(())
    }
}

impl Background {
    fn send(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.pending, Vec::with_capacity(DOCUMENTS_PER_BATCH));
        let sent = self.to.as_ref().is_some_and(|to| to.send(batch).is_ok());
        if sent {
            return Ok(());
        }
        // The thread stopped: its own error says why.
        self.to = None;
        self.join()?;
        Err(anyhow!("the search indexing thread stopped early"))
    }

    fn join(&mut self) -> Result<()> {
        self.to = None;
        match self.worker.take().map(JoinHandle::join) {
            None => Ok(()),
            Some(Ok(done)) => Ok(done?),
            Some(Err(_)) => Err(StoreError::from(crate::store::Failure::Thread {
                detail: "the search indexing thread failed".into(),
            })
            .into()),
        }
    }
}

impl Drop for Background {
    /// An import that ends without finishing (a problem, a failure) stops the thread before
    /// its scratch file is removed.
    fn drop(&mut self) {
        let _ = self.join();
    }
}

/// Hands memory the allocator holds unused back to the system (glibc keeps what was freed
/// for later, so a phase's peak would stay on top of the next one's).
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the system; it touches no memory
    // in use and may be called at any time from any thread.
    unsafe {
        libc::malloc_trim(0);
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
        {
            let tx = store.begin().unwrap();
            let mut d = Deferred::start_fresh(&tx).unwrap();
            d.index(1, "never copied".into()).unwrap();
            drop(d);
            tx.rollback().unwrap();
        }
        assert_eq!(indexes(store.conn()), before);
    }
}
