//! The SQLite file: opening it safely, migrating it, and one module of SQL per entity.
//! Nothing here knows about the terminal.

pub mod audit;
pub mod complaints;
pub mod customers;
pub mod delivery;
pub mod followups;
pub mod list;
pub mod orders;
pub mod schema;
pub mod search;
pub mod shipments;
pub mod summary;
pub mod today;
pub mod undo;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: not an OrderDesk database ({reason})")]
    NotADatabase { path: String, reason: String },
    #[error("{path} was written by a newer OrderDesk (schema {found}, this one knows up to {known}); update OrderDesk")]
    NewerSchema {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("{0} was changed elsewhere meanwhile; reload and try again")]
    Conflict(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("database error while {doing}: {source}")]
    Sql {
        doing: &'static str,
        #[source]
        source: rusqlite::Error,
    },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Adds what a statement was doing to its error, so a message names the failed step.
pub trait Context<T> {
    fn doing(self, what: &'static str) -> Result<T>;
}

impl<T> Context<T> for rusqlite::Result<T> {
    fn doing(self, what: &'static str) -> Result<T> {
        self.map_err(|source| StoreError::Sql {
            doing: what,
            source,
        })
    }
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating when absent) and migrates the file at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Invalid(format!("cannot create folder {}: {e}", dir.display()))
            })?;
        }
        if !path.exists() {
            create_private_file(path)?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::NotADatabase {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// A private in-memory database, for tests and benchmarks of pure SQL.
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory().doing("opening memory database")?;
        let mut store = Store {
            conn,
            path: PathBuf::from(":memory:"),
        };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    fn configure(&mut self) -> Result<()> {
        let path = self.path.display().to_string();
        // The first read of the header tells a foreign or damaged file apart.
        let not_db = |e: rusqlite::Error| StoreError::NotADatabase {
            path: path.clone(),
            reason: e.to_string(),
        };
        self.conn
            .query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0))
            .map_err(not_db)?;
        self.conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(not_db)?;
        self.conn
            .execute_batch(
                "PRAGMA foreign_keys = ON;
                 PRAGMA synchronous = FULL;
                 PRAGMA busy_timeout = 3000;
                 PRAGMA cache_size = -8000;",
            )
            .doing("configuring the connection")?;
        Ok(())
    }

    fn migrate(&mut self) -> Result<()> {
        let known = schema::MIGRATIONS.len() as i64;
        let found: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .doing("reading the schema version")?;
        if found > known {
            return Err(StoreError::NewerSchema {
                path: self.path.display().to_string(),
                found,
                known,
            });
        }
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(found as usize) {
            let tx = self.begin()?;
            tx.execute_batch(sql).doing("upgrading the schema")?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .doing("recording the schema version")?;
            tx.commit().doing("committing the schema upgrade")?;
        }
        Ok(())
    }

    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .doing("reading the schema version")
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// One user action: an IMMEDIATE transaction (the write lock is taken up front, so a
    /// second copy of the app waits or fails cleanly), rolled back unless committed.
    pub fn begin(&mut self) -> Result<Transaction<'_>> {
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .doing("starting a transaction")
    }

    /// Integrity of the file itself (`PRAGMA integrity_check`): the problems found, if any.
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("PRAGMA integrity_check")
            .doing("checking integrity")?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .doing("checking integrity")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .doing("checking integrity")?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }

    /// Settings and bookkeeping kept in the file itself.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .doing("reading a setting")
    }
}

impl Drop for Store {
    /// Keeps the planner's statistics current, so list queries keep choosing their indexes
    /// as the data grows. Bounded, so closing a large file stays quick.
    fn drop(&mut self) {
        let _ = self
            .conn
            .execute_batch("PRAGMA analysis_limit = 400; PRAGMA optimize;");
    }
}

#[cfg(unix)]
fn create_private_file(path: &Path) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(drop)
        .map_err(|e| StoreError::Invalid(format!("cannot create {}: {e}", path.display())))
}

#[cfg(not(unix))]
fn create_private_file(_path: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_is_migrated_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/od.db");
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            schema::MIGRATIONS.len() as i64
        );
        assert!(store.integrity_problems().unwrap().is_empty());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "readable by the owner only");
        }
        drop(store);
        Store::open(&path).expect("reopening a migrated file");
    }

    #[test]
    fn garbage_and_newer_files_are_refused_with_a_message() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, vec![0x42u8; 8192]).unwrap();
        let err = Store::open(&junk).err().expect("garbage refused");
        assert!(
            err.to_string().contains("not an OrderDesk database"),
            "{err}"
        );

        let newer = dir.path().join("newer.db");
        let c = Connection::open(&newer).unwrap();
        c.pragma_update(None, "user_version", 999).unwrap();
        drop(c);
        let err = Store::open(&newer).err().expect("newer refused");
        assert!(
            matches!(err, StoreError::NewerSchema { found: 999, .. }),
            "{err}"
        );
    }
}
