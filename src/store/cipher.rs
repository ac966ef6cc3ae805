//! Encryption at rest (SQLCipher): keying a connection, telling an encrypted file from a
//! plain or damaged one, and converting a file between plain, encrypted and a new
//! passphrase safely (a verified copy renamed over the original).
//!
//! The passphrase is handed to SQLCipher as `PRAGMA key`, the first statement on a
//! connection; it is never written to a file, a log or the audit log, and the copies this
//! program keeps are wiped from memory when dropped.

use super::{create_private_file, schema, Context, Failure, FileOp, Result, StoreError};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// A passphrase in memory, wiped when dropped.
pub type Passphrase = zeroize::Zeroizing<String>;

/// The first 16 bytes of every plain SQLite file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// How long a conversion waits for another connection to let go before refusing.
const BUSY_MS: u64 = 1500;

/// Opens `path` read-write (creating it when absent), keyed with `key` when given. Nothing
/// is read yet: a wrong key shows at the first statement (see [`open_error`]).
pub fn connect(path: &Path, key: Option<&str>) -> Result<Connection> {
    super::quiet_sqlcipher();
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
    if let Some(key) = key {
        // Must come before anything reads the file. Bound by rusqlite as a quoted literal.
        conn.pragma_update(None, "key", key)
            .doing("setting the passphrase")?;
    }
    Ok(conn)
}

/// The error for a connection whose first read failed: a wrong passphrase, an encrypted file
/// opened without one, or a file that is no database at all.
pub fn open_error(path: &Path, keyed: bool, e: rusqlite::Error) -> StoreError {
    let not_a_db = matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase)
    );
    let shown = path.display().to_string();
    if not_a_db && keyed && !is_plain(path) {
        StoreError::WrongPassphrase { path: shown }
    } else if not_a_db && !keyed && looks_encrypted(path) {
        StoreError::Encrypted { path: shown }
    } else {
        StoreError::NotADatabase {
            path: shown,
            reason: e.to_string(),
        }
    }
}

fn head(path: &Path) -> Option<(u64, [u8; 16])> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    let mut buf = [0u8; 16];
    f.read_exact(&mut buf).ok()?;
    Some((len, buf))
}

/// The file starts like every unencrypted SQLite database.
pub fn is_plain(path: &Path) -> bool {
    head(path).is_some_and(|(_, h)| &h == SQLITE_HEADER)
}

/// The file looks like an SQLCipher database: whole pages, and in place of the SQLite header
/// a random salt. (Random bytes of the same shape look the same; they then fail as a wrong
/// passphrase.)
pub fn looks_encrypted(path: &Path) -> bool {
    head(path).is_some_and(|(len, h)| {
        let mut seen = [false; 256];
        h.iter().for_each(|&b| seen[b as usize] = true);
        let distinct = seen.iter().filter(|&&s| s).count();
        &h != SQLITE_HEADER && len >= 512 && len % 512 == 0 && distinct >= 8
    })
}

/// Another process has the database open (SQLite's locks on the file are seen from outside;
/// an idle connection in WAL mode holds a shared one). Unknown on other systems: false.
#[cfg(unix)]
pub fn in_use_elsewhere(path: &Path) -> bool {
    use std::os::unix::io::AsRawFd;
    // SQLite's lock bytes: PENDING at 1 GiB, then RESERVED, then 510 SHARED bytes.
    const PENDING_BYTE: libc::off_t = 0x4000_0000;
    let Ok(f) = std::fs::File::open(path) else {
        return false;
    };
    // SAFETY: a zeroed flock is a valid value; fcntl only reads and writes it.
    let mut lock: libc::flock = unsafe { std::mem::zeroed() };
    lock.l_type = libc::F_WRLCK as _;
    lock.l_whence = libc::SEEK_SET as _;
    lock.l_start = PENDING_BYTE;
    lock.l_len = 512;
    // SAFETY: a valid open descriptor and a pointer to a live flock.
    let r = unsafe { libc::fcntl(f.as_raw_fd(), libc::F_GETLK, &mut lock) };
    r == 0 && lock.l_type as libc::c_int != libc::F_UNLCK
}

#[cfg(not(unix))]
pub fn in_use_elsewhere(_path: &Path) -> bool {
    false
}

/// A file beside `path`, named after it.
pub(crate) fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Makes a rename in `dir` durable.
pub(crate) fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

pub(crate) fn io_err(op: FileOp, path: &Path, e: std::io::Error) -> StoreError {
    Failure::file(op, path, &e).into()
}

/// Row counts of every stored table, for comparing a copy with its original.
fn table_counts(conn: &Connection, schema: &str) -> Result<Vec<(String, i64)>> {
    let names: Vec<String> = conn
        .prepare(&format!(
            "SELECT name FROM {schema}.sqlite_master
             WHERE type = 'table' AND rootpage > 0 ORDER BY name"
        ))
        .and_then(|mut s| {
            s.query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()
        })
        .doing("listing the tables")?;
    names
        .into_iter()
        .map(|n| {
            let q = format!(
                "SELECT count(*) FROM {schema}.\"{}\"",
                n.replace('"', "\"\"")
            );
            let c = conn
                .query_row(&q, [], |r| r.get(0))
                .doing("counting rows")?;
            Ok((n, c))
        })
        .collect()
}

/// What `PRAGMA integrity_check` finds wrong; empty when sound.
pub(crate) fn integrity(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare("PRAGMA integrity_check")
        .doing("checking integrity")?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .doing("checking integrity")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("checking integrity")?;
    Ok(rows.into_iter().filter(|r| r != "ok").collect())
}

/// Opens an existing file and makes sure the key fits (the first read).
pub(crate) fn open_checked(path: &Path, key: Option<&str>, shown: &Path) -> Result<Connection> {
    let conn = connect(path, key)?;
    conn.query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0))
        .map_err(|e| open_error(shown, key.is_some(), e))?;
    Ok(conn)
}

/// Rewrites the database at `path` from `from` (None: plain) to `to` (None: plain): a
/// converted copy beside it, checked (opens with the new key, integrity, the same rows in
/// every table, the same schema version), synced, then renamed over the original. Refused
/// while another connection has the file open; writers are held off until the end.
pub fn convert(path: &Path, from: Option<&str>, to: Option<&str>) -> Result<()> {
    let shown = path.display().to_string();
    let busy = || -> StoreError {
        Failure::InUse {
            path: shown.clone(),
        }
        .into()
    };
    if in_use_elsewhere(path) {
        return Err(busy());
    }
    // This connection holds the file: switching out of WAL needs every other connection
    // gone (and folds the WAL into the file, removing -wal and -shm); then the RESERVED lock
    // of an IMMEDIATE transaction keeps writers out while the copy is made and renamed.
    let lock = open_checked(path, from, path)?;
    lock.busy_timeout(std::time::Duration::from_millis(BUSY_MS))
        .doing("configuring the connection")?;
    let mode: String = lock
        .pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0))
        .map_err(|_| busy())?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(busy());
    }
    lock.execute_batch("BEGIN IMMEDIATE").map_err(|_| busy())?;

    let tmp = beside(path, ".converting");
    let _ = std::fs::remove_file(&tmp);
    let result = (|| {
        create_private_file(&tmp)?;
        let source = open_checked(path, from, path)?;
        source
            .execute(
                "ATTACH DATABASE ?1 AS converted KEY ?2",
                rusqlite::params![tmp.to_string_lossy(), to.unwrap_or("")],
            )
            .doing("creating the converted copy")?;
        source
            .query_row("SELECT sqlcipher_export('converted')", [], |_| Ok(()))
            .doing("writing the converted copy")?;
        let version: i64 = source
            .query_row("PRAGMA main.user_version", [], |r| r.get(0))
            .doing("reading the schema version")?;
        source
            .pragma_update(Some("converted"), "user_version", version)
            .doing("writing the converted copy")?;
        let before = table_counts(&source, "main")?;
        source
            .execute_batch("DETACH DATABASE converted")
            .doing("closing the converted copy")?;
        drop(source);

        let copy = open_checked(&tmp, to, path)?;
        let problems = integrity(&copy)?;
        if !problems.is_empty() {
            return Err(Failure::ConvertCheck {
                path: shown.clone(),
                problems: problems.join("; "),
            }
            .into());
        }
        let copied_version: i64 = copy
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .doing("reading the schema version")?;
        if table_counts(&copy, "main")? != before || copied_version != version {
            return Err(Failure::ConvertDiffers {
                path: shown.clone(),
            }
            .into());
        }
        drop(copy);
        for leftover in ["-journal", "-wal", "-shm"] {
            let _ = std::fs::remove_file(beside(&tmp, leftover));
        }
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| io_err(FileOp::Sync, &tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| io_err(FileOp::Replace, path, e))?;
        sync_dir(path.parent().unwrap_or(Path::new("")));
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    let _ = lock.execute_batch("ROLLBACK");
    drop(lock);
    result
}

/// The newest schema this build knows, for checking files from elsewhere.
pub(crate) fn known_schema() -> i64 {
    schema::MIGRATIONS.len() as i64
}

#[cfg(test)]
mod tests;
