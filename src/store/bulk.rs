//! Secondary indexes set aside for a bulk load (the demo, a big import) and built again at
//! its end: building an index over a finished table (one sort) is about twice as fast as
//! updating it row by row, and the rows go in much faster without them. The same
//! statements recreate them exactly. Dropping and creating are part of the caller's
//! transaction, so a rollback brings every index back as it was.

use super::{Context, Result};
use rusqlite::Connection;

pub struct DroppedIndexes(Vec<(String, String)>);

impl DroppedIndexes {
    /// Every explicit index but the audit log's.
    pub fn drop_all(conn: &Connection) -> Result<DroppedIndexes> {
        Self::drop_where(conn, "tbl_name <> 'audit_log'", &[])
    }

    /// The explicit indexes of `tables` (the indexes of UNIQUE and PRIMARY KEY constraints
    /// stay: they are what rows are looked up by).
    pub fn drop_of(conn: &Connection, tables: &[&str]) -> Result<DroppedIndexes> {
        let list = vec!["?"; tables.len()].join(", ");
        Self::drop_where(conn, &format!("tbl_name IN ({list})"), tables)
    }

    fn drop_where(conn: &Connection, condition: &str, params: &[&str]) -> Result<DroppedIndexes> {
        let mut stmt = conn
            .prepare(&format!(
                "SELECT name, sql FROM sqlite_master
                 WHERE type = 'index' AND sql IS NOT NULL AND {condition}
                 ORDER BY rowid"
            ))
            .doing("listing indexes")?;
        let list = stmt
            .query_map(rusqlite::params_from_iter(params), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .doing("listing indexes")?
            .collect::<rusqlite::Result<Vec<(String, String)>>>()
            .doing("listing indexes")?;
        for (name, _) in &list {
            conn.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))
                .doing("setting indexes aside for a bulk load")?;
        }
        Ok(DroppedIndexes(list))
    }

    pub fn rebuild(self, conn: &Connection) -> Result<()> {
        for (_, sql) in &self.0 {
            conn.execute_batch(sql)
                .doing("rebuilding indexes after a bulk load")?;
        }
        Ok(())
    }
}

/// A rollback journal instead of the WAL for one bulk load into tables that start empty:
/// their pages are new, and a rollback journal keeps only the few old pages the load
/// changes, so the new ones go to the file once, instead of to the WAL and again to the
/// file at the checkpoint. Safety is the same: a crash leaves a hot journal, and the next
/// opening rolls the file back to where it was. While it lasts, other connections wait
/// instead of reading the state before the load. Switching needs the file to itself: with
/// another connection open (the app, the web desk) it stays in WAL and nothing changes.
pub struct WithoutWal {
    was: String,
}

impl WithoutWal {
    /// Leaves WAL for a rollback journal, when the file is in WAL and nobody else has it
    /// open; `None` otherwise. Outside any transaction.
    pub fn try_start(conn: &Connection) -> Result<Option<WithoutWal>> {
        let was: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .doing("reading the journal mode")?;
        if !was.eq_ignore_ascii_case("wal") {
            return Ok(None);
        }
        let now: String =
            match conn.pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0)) {
                Ok(mode) => mode,
                // Busy: another connection has the file open.
                Err(_) => return Ok(None),
            };
        Ok(now
            .eq_ignore_ascii_case("delete")
            .then_some(WithoutWal { was }))
    }

    /// Back to the journal mode the file had (outside any transaction).
    pub fn end(self, conn: &Connection) -> Result<()> {
        conn.pragma_update_and_check(None, "journal_mode", &self.was, |_| Ok(()))
            .doing("restoring the journal mode")
    }
}
