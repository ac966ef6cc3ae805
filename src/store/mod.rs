//! The SQLite file: opening it safely, migrating it, and one module of SQL per entity.
//! Nothing here knows about the terminal.

pub mod audit;
pub mod backup;
pub mod bulk;
pub mod checkpoint;
pub mod cipher;
pub mod complaints;
pub mod contacts;
pub mod customers;
pub mod delivery;
pub mod documents;
mod error;
pub mod exceptions;
pub mod followups;
pub mod list;
pub mod lookup;
pub mod messages;
pub mod orders;
pub mod production;
pub mod related;
pub mod report;
pub mod requirements;
pub mod schema;
pub mod search;
pub mod shipments;
pub mod spotchecks;
pub mod sql;
pub mod surveys;
#[cfg(test)]
pub mod test_data;
pub mod today;
pub mod undo;
pub mod users;

pub use error::{
    Context, Failure, FileOp, IoCause, Record, RecordKind, Refusal, Result, StoreError, Unique,
};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};

/// Told how far a schema upgrade of a file that holds data has come, as (the file, steps
/// done, steps): before each step and once at the end. Set once per process (the command line
/// shows it on standard error before the app starts).
pub type MigrationNotice = Box<dyn Fn(&Path, usize, usize) + Send + Sync>;
static MIGRATION_NOTICE: std::sync::OnceLock<MigrationNotice> = std::sync::OnceLock::new();

/// Sets what is told of schema upgrades (see [`MigrationNotice`]); only the first call counts.
pub fn on_migration(notice: MigrationNotice) {
    let _ = MIGRATION_NOTICE.set(notice);
}

/// SQLite's settings for the whole process, made before its first connection opens: no
/// memory statistics, which would take one lock shared by every connection on each
/// allocation (the web desk reads on several connections at once). Calls after the first
/// connection change nothing.
pub fn tune_process() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: sqlite3_config is documented as safe to call before sqlite3_initialize
        // (and returns SQLITE_MISUSE after it, changing nothing); the option takes one int.
        let _ = unsafe {
            rusqlite::ffi::sqlite3_config(
                rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS,
                0 as std::ffi::c_int,
            )
        };
    });
}

/// The page cache of a schema upgrade, in KiB.
const MIGRATION_CACHE_KIB: i64 = 64 * 1024;

pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The file could only be opened for reading (no permission to write).
    read_only: bool,
    /// The passphrase of an encrypted file, kept in memory only (wiped when dropped), for
    /// the extra connections a backup opens.
    key: Option<cipher::Passphrase>,
}

/// SQLCipher (since 4.7) logs its own errors to stderr, e.g. "hmac check failed" for a
/// wrong passphrase; the clerk gets one clear line from OrderDesk instead. The setting is
/// for the whole process, so it is made once, before the first file is opened.
pub(crate) fn quiet_sqlcipher() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Best effort: if it fails, the only cost is the library's own log lines.
        if let Ok(c) = Connection::open_in_memory() {
            let _ = c.pragma_update(None, "cipher_log", "off");
        }
    });
}

impl Store {
    /// Opens (creating when absent) and migrates the plain file at `path`; an encrypted file
    /// is refused with [`StoreError::Encrypted`].
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, None)
    }

    /// Opens (creating when absent) and migrates the file at `path`, keyed with `passphrase`
    /// when the file is encrypted (a plain file ignores it; a new file given one is created
    /// encrypted).
    pub fn open_with(path: &Path, passphrase: Option<&str>) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| Failure::file(FileOp::CreateFolder, dir, &e))?;
        }
        let shown = path.display().to_string();
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                return Err(StoreError::NotADatabase {
                    path: shown,
                    reason: "a folder, not a file".into(),
                })
            }
            // SQLite would call an unreadable file "unable to open"; say why.
            Ok(_) => {
                drop(std::fs::File::open(path).map_err(|e| Failure::file(FileOp::Read, path, &e))?)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_new(path)?,
            Err(e) => return Err(Failure::file(FileOp::Open, path, &e).into()),
        }
        let key = passphrase.filter(|_| !cipher::is_plain(path));
        let mut store = Store::connect(path, key)?;
        store.migrate()?;
        Ok(store)
    }

    /// A configured connection to `path`, keyed with `passphrase` when given.
    fn connect(path: &Path, passphrase: Option<&str>) -> Result<Store> {
        let key = passphrase.map(|p| cipher::Passphrase::new(p.to_string()));
        let conn = cipher::connect(path, key.as_ref().map(|k| k.as_str()))?;
        let read_only = conn
            .is_readonly(rusqlite::MAIN_DB)
            .doing("opening the database")?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            read_only,
            key,
        };
        store.configure()?;
        Ok(store)
    }

    /// Another connection to the file this process already has open, for a worker thread.
    /// It never opens the file by hand as `open_with` does: closing any descriptor of the
    /// file drops all of this process's SQLite locks (POSIX), after which another program
    /// could take itself for the last user and checkpoint the WAL away under our writes.
    pub fn open_again(path: &Path, passphrase: Option<&str>) -> Result<Store> {
        Store::connect(path, passphrase)
    }

    /// A private in-memory database, for tests and benchmarks of pure SQL.
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory().doing("opening memory database")?;
        let mut store = Store {
            conn,
            path: PathBuf::from(":memory:"),
            read_only: false,
            key: None,
        };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    fn configure(&mut self) -> Result<()> {
        // The first read of the header tells a foreign, damaged or encrypted file apart
        // (and a wrong passphrase).
        let keyed = self.key.is_some();
        let not_db = |e: rusqlite::Error| cipher::open_error(&self.path, keyed, e);
        self.conn
            .query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0))
            .map_err(not_db)?;
        // A new file is empty; tables without a schema version belong to another program,
        // whose file is left exactly as it was.
        let foreign: bool = self
            .conn
            .query_row(
                "SELECT (SELECT user_version FROM pragma_user_version) = 0
                    AND EXISTS (SELECT 1 FROM sqlite_master)",
                [],
                |r| r.get(0),
            )
            .map_err(not_db)?;
        if foreign {
            return Err(StoreError::NotADatabase {
                path: self.path.display().to_string(),
                reason: "a SQLite database of another program".into(),
            });
        }
        if !self.read_only {
            self.conn
                .pragma_update(None, "journal_mode", "WAL")
                .map_err(not_db)?;
        }
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
        if found < known && self.read_only {
            return Err(StoreError::ReadOnly(
                self.path.display().to_string(),
                "it needs an upgrade to this OrderDesk's schema first",
            ));
        }
        if found >= known {
            return Ok(());
        }
        // An upgrade of a file that holds data may build indexes over every order: a large
        // page cache and both cores for its sorts meanwhile, and word of how far it is.
        let upgrading = found > 0;
        let steps = (known - found) as usize;
        let told = upgrading.then(|| MIGRATION_NOTICE.get()).flatten();
        if upgrading {
            self.conn
                .execute_batch(&format!(
                    "PRAGMA cache_size = -{MIGRATION_CACHE_KIB}; PRAGMA threads = 2;"
                ))
                .doing("preparing the schema upgrade")?;
        }
        let result = (|| {
            for (step, (i, sql)) in schema::MIGRATIONS
                .iter()
                .enumerate()
                .skip(found as usize)
                .enumerate()
            {
                if let Some(tell) = told {
                    tell(&self.path, step, steps);
                }
                let tx = self.begin()?;
                tx.execute_batch(sql).doing("upgrading the schema")?;
                tx.pragma_update(None, "user_version", (i + 1) as i64)
                    .doing("recording the schema version")?;
                tx.commit().doing("committing the schema upgrade")?;
            }
            Ok(())
        })();
        if let Some(tell) = told {
            tell(&self.path, steps, steps);
        }
        if upgrading {
            self.conn
                .execute_batch("PRAGMA cache_size = -8000; PRAGMA threads = 0;")
                .doing("configuring the connection")?;
        }
        result
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

    /// Opened for reading only: the file is not writable by this user.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The passphrase the file was opened with, when it is encrypted.
    pub fn passphrase(&self) -> Option<&str> {
        self.key.as_ref().map(|k| k.as_str())
    }

    /// How long a statement waits for another program's write lock before it fails with
    /// [`StoreError::Busy`] (3 s by default). The app can set a short one so that a key is
    /// never held up, and keep the clerk's change for a retry when it gets `Busy`.
    pub fn set_busy_timeout(&self, wait: std::time::Duration) -> Result<()> {
        self.conn
            .busy_timeout(wait)
            .doing("configuring the connection")
    }

    /// Records a setting or a bit of bookkeeping in the file.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .map(drop)
            .doing("recording a setting")
    }

    /// A second, read-only connection to the same file, for work done off the UI thread (WAL
    /// lets it read while this one writes), keyed like this one; `None` for an in-memory
    /// database. Like `open_again`, it never opens the file by hand (see there why).
    pub fn reader(&self) -> Option<Result<Connection>> {
        if self.path == Path::new(":memory:") {
            return None;
        }
        let open = || -> rusqlite::Result<Connection> {
            let c = Connection::open_with_flags(
                &self.path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            if let Some(key) = self.passphrase() {
                c.pragma_update(None, "key", key)?;
            }
            c.busy_timeout(std::time::Duration::from_secs(3))?;
            Ok(c)
        };
        Some(open().doing("opening a second connection to read"))
    }

    /// One user action: an IMMEDIATE transaction (the write lock is taken up front, so a
    /// second copy of the app waits or fails cleanly), rolled back unless committed.
    pub fn begin(&mut self) -> Result<Transaction<'_>> {
        if self.read_only {
            return Err(StoreError::ReadOnly(
                self.path.display().to_string(),
                "nothing can be saved in it",
            ));
        }
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .doing("starting a transaction")
    }

    /// Integrity of the file itself (`PRAGMA integrity_check`): the problems found, if any.
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        cipher::integrity(&self.conn)
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

/// A new database is made under a temporary name beside `path`, with the whole schema,
/// and only then linked into place: a crash or a full disk while creating it leaves no
/// file rather than an empty or half-made one.
fn create_new(path: &Path) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "orderdesk.db".into());
    let tmp = path.with_file_name(format!(".{name}.new-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let made = create_private_file(&tmp).and_then(|_| {
        let conn = Connection::open(&tmp).map_err(|e| StoreError::NotADatabase {
            path: tmp.display().to_string(),
            reason: e.to_string(),
        })?;
        let mut store = Store {
            conn,
            path: tmp.clone(),
            read_only: false,
            key: None,
        };
        store.configure()?;
        store.migrate()?;
        // All of it in the main file before that is linked into place (closing then
        // removes the emptied WAL).
        store
            .conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .doing("finishing the new database")?;
        Ok(())
    });
    let placed = made.and_then(|_| {
        // A link never replaces a file that appeared meanwhile; that one is opened instead.
        match std::fs::hard_link(&tmp, path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(_) => std::fs::rename(&tmp, path)
                .map_err(|e| Failure::file(FileOp::Create, path, &e).into()),
        }
    });
    for leftover in ["", "-wal", "-shm"] {
        let mut p = tmp.clone().into_os_string();
        p.push(leftover);
        let _ = std::fs::remove_file(p);
    }
    placed
}

/// Creates an empty file readable by its owner only, whatever the umask.
#[cfg(unix)]
pub(crate) fn create_private_file(path: &Path) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(drop)
        .map_err(|e| Failure::file(FileOp::Create, path, &e).into())
}

#[cfg(not(unix))]
pub(crate) fn create_private_file(_path: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod shipping_tests;

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
    fn an_upgrade_of_a_file_with_data_tells_its_steps() {
        static TOLD: std::sync::Mutex<Vec<(String, usize, usize)>> =
            std::sync::Mutex::new(Vec::new());
        on_migration(Box::new(|path, done, steps| {
            TOLD.lock()
                .unwrap()
                .push((path.display().to_string(), done, steps));
        }));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let new = dir.path().join("new.db");
        drop(Store::open(&new).unwrap());
        let told = |path: &Path| -> Vec<(usize, usize)> {
            let shown = path.display().to_string();
            TOLD.lock()
                .unwrap()
                .iter()
                .filter(|(p, _, _)| *p == shown)
                .map(|&(_, d, s)| (d, s))
                .collect()
        };
        assert!(told(&new).is_empty(), "a new file is made quietly");
        // As the first OrderDesk left it, with an order.
        let c = Connection::open(&path).unwrap();
        c.execute_batch(schema::MIGRATIONS[0]).unwrap();
        c.execute_batch(
            "INSERT INTO orders (order_no, ordered_at, status_changed_at, created_at, updated_at)
             VALUES ('SO-1', 0, 0, 0, 0);
             PRAGMA user_version = 1;",
        )
        .unwrap();
        drop(c);
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            schema::MIGRATIONS.len() as i64
        );
        let steps = schema::MIGRATIONS.len() - 1;
        let mut want: Vec<(usize, usize)> = (0..steps).map(|d| (d, steps)).collect();
        want.push((steps, steps));
        assert_eq!(told(&path), want);
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

    #[test]
    fn a_write_lock_held_elsewhere_is_a_clear_busy_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("od.db");
        let mut a = Store::open(&path).unwrap();
        let mut b = Store::open(&path).unwrap();
        b.conn()
            .busy_timeout(std::time::Duration::from_millis(50))
            .unwrap();
        let _held = a.begin().unwrap();
        let err = b.begin().expect_err("the lock is held");
        assert!(matches!(err, StoreError::Busy { .. }), "{err}");
        assert!(err.to_string().contains("another copy"), "{err}");
    }

    #[test]
    fn a_new_file_appears_whole_and_foreign_files_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        drop(Store::open(&path).unwrap());
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["new.db".to_string()], "no temporary files left");

        let foreign = dir.path().join("foreign.db");
        let c = Connection::open(&foreign).unwrap();
        c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        drop(c);
        let bytes = std::fs::read(&foreign).unwrap();
        let err = Store::open(&foreign).err().expect("refused");
        assert!(err.to_string().contains("another program"), "{err}");
        assert_eq!(
            std::fs::read(&foreign).unwrap(),
            bytes,
            "not switched to WAL"
        );

        let err = Store::open(dir.path()).err().expect("a folder");
        assert!(err.to_string().contains("a folder"), "{err}");
    }
}
