//! Import (SPEC §5): one kind of record from a CSV file or the first sheet of a workbook, all
//! or nothing, in one streaming pass. Rows are checked and written as they are read, inside
//! one IMMEDIATE transaction; after the first problem nothing more is written but reading goes
//! on to list the others, and the transaction is rolled back. A file without a single problem
//! is committed together with its audit entry. A dry run does all of it and rolls back.
//!
//! `source` turns a file into rows of text with line numbers (`decode` tells and decodes the
//! text encoding, `sheet` streams a workbook's cells), `fields` reads cells and the
//! header, `simple` imports the kinds whose row is one record, `orders` the orders with their
//! lines; `customers`, `order_children` and `aftersales` describe the columns of each kind.

mod aftersales;
mod bulk;
mod customers;
mod decode;
mod fields;
mod order_children;
mod orders;
mod problems;
mod sheet;
mod simple;
mod source;

pub use decode::TextEncoding;
pub use problems::{Found, Problem, Problems};
pub use source::{neutralised, Progress, ReadOptions, Source};

use super::kinds::Kind;
use crate::store::bulk::WithoutWal;
use crate::store::{audit, Context, Store};
use fields::{Layout, Refs};
use rusqlite::Connection;
use serde_json::json;
use source::Record;
use std::path::Path;

pub struct ImportOptions {
    /// Check and count everything, write nothing.
    pub dry_run: bool,
    /// The currency of an order whose currency cell is empty.
    pub currency: String,
    /// The text encoding of a CSV file, instead of telling it from the bytes.
    pub encoding: Option<TextEncoding>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            dry_run: false,
            currency: "CNY".into(),
            encoding: None,
        }
    }
}

/// What an import did (or, dry, would do). For orders, records are orders and the line
/// counts say what happened to their lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub rows: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub lines_inserted: usize,
    pub lines_updated: usize,
}

/// A finished import: its counts, and notes on what was changed on the way in (a twin
/// customer name made unique), each as `file:line: column: note`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    pub counts: Counts,
    pub notes: Vec<String>,
    /// What the file was read as: `UTF-8`, `UTF-16`, `GB18030`, `GBK` or `XLSX`.
    pub read_as: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file has problems; nothing was written.
    #[error("{}", .0.lines().join("\n"))]
    Problems(Problems),
    /// The file could not be read or the database failed; nothing was written.
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

impl From<crate::store::StoreError> for ImportError {
    fn from(e: crate::store::StoreError) -> Self {
        ImportError::Failed(e.into())
    }
}

/// Imports the file at `path`; `label` is how messages name it (the path as given).
pub fn import_file(
    store: &mut Store,
    kind: Kind,
    path: &Path,
    opts: &ImportOptions,
) -> Result<Imported, ImportError> {
    let source = Source::open(
        path,
        ReadOptions {
            encoding: opts.encoding,
        },
    )?;
    import_source(store, kind, source, &path.display().to_string(), opts)
}

/// Imports rows from `source`.
pub fn import_source(
    store: &mut Store,
    kind: Kind,
    source: Source,
    label: &str,
    opts: &ImportOptions,
) -> Result<Imported, ImportError> {
    // A big import touches many pages of the tables and their indexes: a large page cache
    // for its length (the usual one is back afterwards, whatever happened). The indexes a
    // bulk load builds again are sorted in temporary files, in pieces the size of the page
    // cache (held in memory, SQLCipher's default, a sort keeps every key of the table in
    // memory: hundreds of MiB at a million orders); an encrypted desk keeps them in memory,
    // so that nothing of it is written anywhere in the clear.
    let (cache, temp_store): (i64, i64) = store
        .conn()
        .query_row(
            "SELECT * FROM pragma_cache_size, pragma_temp_store",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .doing("reading the page cache size")?;
    let temp_files = if store.passphrase().is_none() {
        1
    } else {
        temp_store
    };
    store
        .conn()
        .execute_batch(&format!(
            "PRAGMA cache_size = -{IMPORT_CACHE_KIB}; PRAGMA temp_store = {temp_files};"
        ))
        .doing("enlarging the page cache")?;
    // A big file of orders into a desk without any: every page is new, written once through
    // a rollback journal instead of twice through the WAL (see `WithoutWal`). A small one
    // stays in WAL: switching costs more than it saves.
    let big = source.size().is_none_or(|bytes| bytes >= BULK_FILE_BYTES);
    let journal = if kind == Kind::Orders && big && orders::without_orders(store.conn())? {
        WithoutWal::try_start(store.conn())?
    } else {
        None
    };
    let result = import_in_transaction(store, kind, source, label, opts);
    if let Some(journal) = journal {
        journal.end(store.conn())?;
    }
    if kind == Kind::Orders {
        // A search index built aside was copied into its tables directly: this connection
        // must read its structure afresh. Best effort: the import's own result stands.
        let _ = crate::demo::search::forget_cached_structure(store.conn());
    }
    store
        .conn()
        .execute_batch(&format!(
            "PRAGMA cache_size = {cache}; PRAGMA temp_store = {temp_store};"
        ))
        .doing("restoring the page cache size")?;
    result
}

/// Files from this size on (and input of unknown size) are loaded without the WAL when
/// they can be.
const BULK_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The page cache during an import, in KiB.
const IMPORT_CACHE_KIB: i64 = 32 * 1024;

fn import_in_transaction(
    store: &mut Store,
    kind: Kind,
    source: Source,
    label: &str,
    opts: &ImportOptions,
) -> Result<Imported, ImportError> {
    let tx = store.begin()?;
    // Each kind uses a handful of statements per row; none must fall out of the cache.
    tx.set_prepared_statement_cache_capacity(64);
    let mut ctx = Ctx {
        conn: &tx,
        source,
        refs: Refs::default(),
        problems: Problems::new(label),
        now: crate::domain::time::now(),
        currency: opts.currency.clone(),
        note: format!("import {label}"),
        notes: Vec::new(),
        bulk: None,
    };
    let counts = match kind {
        Kind::Orders => orders::import(&mut ctx)?,
        Kind::Customers => simple::import(&mut ctx, &customers::CUSTOMERS)?,
        Kind::Shipments => simple::import(&mut ctx, &order_children::SHIPMENTS)?,
        Kind::Exceptions => simple::import(&mut ctx, &order_children::EXCEPTIONS)?,
        Kind::Complaints => simple::import(&mut ctx, &aftersales::COMPLAINTS)?,
        Kind::Contacts => simple::import(&mut ctx, &aftersales::CONTACTS)?,
        Kind::Surveys => simple::import(&mut ctx, &aftersales::SURVEYS)?,
        Kind::Requirements => simple::import(&mut ctx, &aftersales::REQUIREMENTS)?,
    };
    let read_as = ctx.source.read_as();
    let Ctx {
        problems,
        notes,
        bulk,
        ..
    } = ctx;
    if !problems.is_empty() {
        // Dropping the transaction rolls back whatever was written (and the indexes a
        // bulk load set aside come back with it).
        return Err(ImportError::Problems(problems));
    }
    if let Some(deferred) = bulk {
        deferred.finish(&tx)?;
    }
    audit::append(
        &tx,
        "import",
        kind.name(),
        label,
        &json!({
            "rows": counts.rows,
            "inserted": counts.inserted,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
            "lines_inserted": counts.lines_inserted,
            "lines_updated": counts.lines_updated,
        }),
    )?;
    if opts.dry_run {
        tx.rollback().doing("ending the dry run")?;
    } else {
        tx.commit().doing("saving the import")?;
    }
    bulk::trace("committed");
    Ok(Imported {
        counts,
        notes,
        read_as,
    })
}

/// What one import works with.
pub(crate) struct Ctx<'c> {
    pub conn: &'c Connection,
    pub source: Source,
    pub refs: Refs,
    pub problems: Problems,
    /// When the import runs: `updated_at` and friends.
    pub now: i64,
    pub currency: String,
    /// The note on status history and due-date revisions written by this import.
    pub note: String,
    /// What the user should know about rows that were taken with a change.
    pub notes: Vec<String>,
    /// The indexes set aside once the import turned out big (see `bulk`).
    pub bulk: Option<bulk::Deferred>,
}

impl Ctx<'_> {
    pub fn note(&mut self, line: u64, column: &str, text: String) {
        self.notes
            .push(format!("{}:{line}: {column}: {text}", self.problems.file()));
    }

    /// The next row of the file; `false` at its end, or where reading had to stop (the
    /// reason is then a problem of the file).
    pub fn next(&mut self, record: &mut Record) -> anyhow::Result<bool> {
        if self.source.next_record(record)? {
            return Ok(true);
        }
        if let Some((line, column, problem)) = self.source.take_stopped() {
            self.problems.add(line, &column, problem);
        }
        Ok(false)
    }

    /// The header row and where each field is; `None` for a file without one.
    pub fn header(&mut self, fields: &[fields::Field]) -> anyhow::Result<Option<Layout>> {
        let mut record = Record::default();
        loop {
            if !self.next(&mut record)? {
                if self.problems.is_empty() {
                    self.problems.add(1, "header", Problem::EmptyFile);
                }
                return Ok(None);
            }
            if !record.is_blank() {
                return Ok(Some(Layout::from_header(
                    &record,
                    fields,
                    &mut self.problems,
                )));
            }
        }
    }
}

#[cfg(test)]
mod tests;
