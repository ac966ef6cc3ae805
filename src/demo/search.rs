//! The demo's search index, built on a second core. Tokenising a million documents into
//! trigrams costs as much as writing every other row, and one SQLite connection can only do
//! one thing at a time; so the documents go to a scratch database on another thread, and
//! the finished FTS5 storage (its shadow tables) is copied into the real file inside the
//! demo's transaction. The result is byte for byte what inserting the same documents in the
//! same order would give.

use super::rows::{BulkInsert, Chunk, BATCH};
use crate::store::{Context, Result as StoreResult, StoreError};
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, Transaction};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};

/// The FTS5 storage tables of `order_search`, in the order they are copied.
const SHADOW_TABLES: [&str; 4] = [
    "order_search_config",
    "order_search_data",
    "order_search_idx",
    "order_search_docsize",
];

/// Rows read from the scratch index before they are written, a multiple of `BATCH`.
const COPY_ROWS: usize = 64 * BATCH;

/// FTS5 flushes its in-memory index every `hashsize` bytes (default 1 MiB) and merges the
/// flushed segments later; a large buffer writes a handful of big segments instead of
/// thousands of small ones, which halves the indexing time.
const BULK_HASHSIZE: i64 = 128 * 1024 * 1024;

/// Segments of one level merged during a bulk build (see [`Indexer::merge_at_end`]).
const CRISIS_MERGE: i64 = 64;

/// A scratch database file, removed when dropped.
pub struct Scratch {
    path: PathBuf,
}

impl Scratch {
    /// A new scratch file beside `db` (same disk, which must hold the copy anyway), or in
    /// the temporary folder for an in-memory database.
    pub fn beside(db: &Path) -> Scratch {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let unique = format!(
            "orderdesk-demo-search-{}-{}.tmp",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let dir = match db.parent() {
            Some(d) if db.as_os_str() != ":memory:" && !d.as_os_str().is_empty() => d.to_path_buf(),
            Some(_) if db.as_os_str() != ":memory:" => PathBuf::from("."),
            _ => std::env::temp_dir(),
        };
        Scratch {
            path: dir.join(unique),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Best effort: a leftover scratch file is harmless and clearly named.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The `CREATE VIRTUAL TABLE` statement of the search index, so the scratch copy is
/// declared exactly like the real one.
pub fn index_sql(tx: &Connection) -> StoreResult<String> {
    tx.query_row(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'order_search'",
        [],
        |r| r.get(0),
    )
    .doing("reading the search index definition")
}

/// The scratch search index being filled. Durability is off: the file is thrown away.
pub struct Indexer {
    conn: Connection,
}

const INSERT_DOCUMENT: &str = "INSERT INTO order_search (rowid, body) VALUES (?1, ?2)";

impl Indexer {
    pub fn create(path: &Path, create_sql: &str) -> StoreResult<Indexer> {
        Indexer::create_with(path, create_sql, BULK_HASHSIZE)
    }

    /// With FTS5's buffer of pending terms at `hashsize` bytes (memory it holds meanwhile).
    pub fn create_with(path: &Path, create_sql: &str, hashsize: i64) -> StoreResult<Indexer> {
        let conn = Connection::open(path).doing("creating the scratch search index")?;
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; {create_sql};"
        ))
        .doing("creating the scratch search index")?;
        conn.execute(
            "INSERT INTO order_search (order_search, rank) VALUES ('hashsize', ?1)",
            [hashsize],
        )
        .doing("tuning the scratch search index")?;
        conn.execute_batch("BEGIN").doing("indexing demo orders")?;
        Ok(Indexer { conn })
    }

    /// Leaves the merging of the flushed segments to [`Indexer::finish`]'s one merge,
    /// instead of merging them level by level as they come (FTS5's `automerge`), which
    /// writes every term again at each level; only a level of [`CRISIS_MERGE`] segments is
    /// merged on the way, so their number stays far below FTS5's limit.
    pub fn merge_at_end(&self) -> StoreResult<()> {
        self.conn
            .execute_batch(&format!(
                "INSERT INTO order_search (order_search, rank) VALUES ('automerge', 0);
                 INSERT INTO order_search (order_search, rank) VALUES ('crisismerge', {CRISIS_MERGE});"
            ))
            .doing("tuning the scratch search index")
    }

    /// Indexes documents `(order id, body)`, in growing id order.
    pub fn add(&self, documents: impl Iterator<Item = (i64, String)>) -> StoreResult<()> {
        let mut insert = self
            .conn
            .prepare_cached(INSERT_DOCUMENT)
            .doing("indexing demo orders")?;
        for (id, body) in documents {
            insert
                .execute(rusqlite::params![id, body])
                .doing("indexing demo orders")?;
        }
        Ok(())
    }

    pub fn finish(self) -> StoreResult<()> {
        // One merged segment: otherwise the clerk's first saved order would make FTS5 merge
        // the bulk-built segments with it, seconds of work at a million orders. Then leave
        // the setting behind: the copy must look like an index built the ordinary way.
        self.conn
            .execute_batch(
                "INSERT INTO order_search (order_search) VALUES ('optimize');
                 DELETE FROM order_search_config
                     WHERE k IN ('hashsize', 'automerge', 'crisismerge');
                 COMMIT;",
            )
            .doing("finishing the scratch search index")
    }
}

/// Documents indexed between two attempts to hand the writer a chunk: a few milliseconds of
/// work, so the writer never waits long for the generator.
const INDEX_STEP: usize = 256;

/// The second thread's side of the pipeline: it hands each generated chunk to the writer,
/// and indexes search documents whenever the writer has enough queued. Generation comes
/// first because the writer waits for it; indexing fills the gaps and catches up at the end,
/// while the writer rebuilds the other indexes. (Two busy threads on two cores: a third
/// would slow the writer down.)
pub struct Feeder {
    writer: SyncSender<Chunk>,
    indexer: Indexer,
    pending: VecDeque<(i64, String)>,
    failure: Option<StoreError>,
}

impl Feeder {
    pub fn new(writer: SyncSender<Chunk>, indexer: Indexer) -> Feeder {
        Feeder {
            writer,
            indexer,
            pending: VecDeque::new(),
            failure: None,
        }
    }

    /// Passes one chunk on; false when the pipeline has stopped (writer gone or indexing
    /// failed).
    pub fn emit(&mut self, mut chunk: Chunk) -> bool {
        self.pending.extend(chunk.search.drain(..));
        loop {
            match self.writer.try_send(chunk) {
                Ok(()) => return true,
                Err(TrySendError::Disconnected(_)) => return false,
                Err(TrySendError::Full(back)) => chunk = back,
            }
            if self.pending.is_empty() {
                return self.writer.send(chunk).is_ok();
            }
            let step = self.pending.len().min(INDEX_STEP);
            if let Err(e) = self.indexer.add(self.pending.drain(..step)) {
                self.failure = Some(e);
                return false;
            }
        }
    }

    /// Indexes what is left, once every chunk is out, and closes the scratch index.
    pub fn finish(self) -> StoreResult<()> {
        let Feeder {
            writer,
            indexer,
            pending,
            failure,
        } = self;
        drop(writer);
        if let Some(e) = failure {
            return Err(e);
        }
        indexer.add(pending.into_iter())?;
        indexer.finish()
    }
}

fn columns(conn: &Connection, table: &str) -> StoreResult<Vec<String>> {
    let mut stmt = conn
        .prepare(&format!(
            "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
        ))
        .doing("reading the search index layout")?;
    let names = stmt
        .query_map([], |r| r.get(0))
        .doing("reading the search index layout")?
        .collect::<rusqlite::Result<Vec<String>>>()
        .doing("reading the search index layout")?;
    Ok(names)
}

/// Replaces the (empty) search index of `tx`'s database with the scratch one.
pub fn copy_into(tx: &Transaction, scratch: &Path) -> StoreResult<()> {
    let src = Connection::open_with_flags(scratch, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .doing("opening the scratch search index")?;
    for table in SHADOW_TABLES {
        let names = columns(&src, table)?;
        if names != columns(tx, table)? {
            return Err(crate::store::Failure::Internal {
                detail: format!("the scratch search index does not match {table}"),
            }
            .into());
        }
        tx.execute(&format!("DELETE FROM {table}"), [])
            .doing("replacing the search index")?;
        let cols: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut insert = BulkInsert::new(tx, table, &cols, BATCH)?;
        let mut select = src
            .prepare(&format!("SELECT {} FROM {table}", cols.join(",")))
            .doing("reading the scratch search index")?;
        let mut rows = select.query([]).doing("reading the scratch search index")?;
        let mut buffer: Vec<Vec<Value>> = Vec::with_capacity(COPY_ROWS);
        let mut flush = |buffer: &mut Vec<Vec<Value>>| {
            let written = insert.write(buffer, "copying the search index", |s, at, values| {
                for (i, v) in values.iter().enumerate() {
                    s.raw_bind_parameter(at + i, v)?;
                }
                Ok(())
            });
            buffer.clear();
            written
        };
        while let Some(row) = rows.next().doing("reading the scratch search index")? {
            let values = (0..cols.len())
                .map(|i| row.get::<_, Value>(i))
                .collect::<rusqlite::Result<Vec<Value>>>()
                .doing("reading the scratch search index")?;
            buffer.push(values);
            if buffer.len() == COPY_ROWS {
                flush(&mut buffer)?;
            }
        }
        flush(&mut buffer)?;
    }
    Ok(())
}

/// The name the scratch index is attached under on the demo's connection.
const SCRATCH_SCHEMA: &str = "demo_scratch";

/// Attaches the scratch file to `conn` (plain, also on an encrypted desk: it is thrown
/// away), so that the finished index can be copied in with `INSERT … SELECT *`, which
/// SQLite does record by record without decoding them. Attaching is not allowed inside a
/// transaction, so it happens before the demo's, and the file is attached before the
/// indexing thread creates it.
pub fn attach(conn: &Connection, scratch: &Scratch, keyed: bool) -> StoreResult<()> {
    let path = scratch.path().to_str().ok_or_else(|| {
        StoreError::from(crate::store::Failure::Internal {
            detail: format!(
                "the scratch search index path is not valid text: {}",
                scratch.path().display()
            ),
        })
    })?;
    let key = if keyed { " KEY ''" } else { "" };
    conn.execute(
        &format!("ATTACH DATABASE ?1 AS {SCRATCH_SCHEMA}{key}"),
        [path],
    )
    .doing("opening the scratch search index")?;
    Ok(())
}

/// Undoes [`attach`], once the demo's transaction has ended.
pub fn detach(conn: &Connection) -> StoreResult<()> {
    conn.execute(&format!("DETACH DATABASE {SCRATCH_SCHEMA}"), [])
        .doing("closing the scratch search index")?;
    Ok(())
}

fn columns_of(conn: &Connection, schema: &str, table: &str) -> StoreResult<Vec<String>> {
    let mut stmt = conn
        .prepare("SELECT name FROM pragma_table_info(?1, ?2) ORDER BY cid")
        .doing("reading the search index layout")?;
    let names = stmt
        .query_map([table, schema], |r| r.get(0))
        .doing("reading the search index layout")?
        .collect::<rusqlite::Result<Vec<String>>>()
        .doing("reading the search index layout")?;
    Ok(names)
}

/// Replaces the (empty) search index of `tx`'s database with the attached scratch one
/// (see [`attach`]): one `INSERT INTO main.t SELECT * FROM scratch.t` per storage table,
/// which SQLite's transfer optimisation turns into a copy of the stored records.
pub fn copy_attached(tx: &Transaction) -> StoreResult<()> {
    // The scratch file's tables were created through another connection after it was
    // attached: reading its schema table makes this one load them.
    tx.query_row(
        &format!("SELECT count(*) FROM {SCRATCH_SCHEMA}.sqlite_master"),
        [],
        |r| r.get::<_, i64>(0),
    )
    .doing("opening the scratch search index")?;
    for table in SHADOW_TABLES {
        let names = columns_of(tx, SCRATCH_SCHEMA, table)?;
        if names.is_empty() || names != columns_of(tx, "main", table)? {
            return Err(crate::store::Failure::Internal {
                detail: format!("the scratch search index does not match {table}"),
            }
            .into());
        }
        tx.execute_batch(&format!(
            "DELETE FROM main.{table};
             INSERT INTO main.{table} SELECT * FROM {SCRATCH_SCHEMA}.{table};"
        ))
        .doing("copying the search index")?;
    }
    Ok(())
}

/// FTS5 keeps the index structure it last read in memory, per connection, and notices only
/// changes made through other connections. After its storage was written directly, this
/// connection's copy (if it had one) must go: rolling back a transaction in which the
/// index took part drops it.
pub fn forget_cached_structure(conn: &Connection) -> StoreResult<()> {
    conn.execute_batch(
        "BEGIN;
         INSERT INTO order_search (order_search, rank) VALUES ('hashsize', 1048576);
         ROLLBACK;",
    )
    .doing("reloading the search index")
}
