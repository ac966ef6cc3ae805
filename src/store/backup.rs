//! Backups (SQLite's online backup API) and restoring one.
//!
//! A backup of `orderdesk.db` is `<folder>/orderdesk-YYYYMMDD-HHMMSS.db`: written under a
//! hidden temporary name, checked (every page, see `check_copy`), synced, then renamed; readable
//! by the owner only; encrypted with the same passphrase when the database is. The 30
//! newest backups of a database are kept in a folder, older ones removed. The time of the
//! last one is kept in the database (`meta`), for the app's "no backup today" warning.

use super::cipher::{self, beside, integrity, io_err, open_checked, sync_dir};
use super::{create_private_file, Context, Failure, FileOp, Result, Store, StoreError};
use chrono::{DateTime, Local, NaiveDateTime};
use rusqlite::backup::{Backup, StepResult};
use std::path::{Path, PathBuf};

/// How many backups of one database a folder keeps.
pub const KEEP: usize = 30;

const LAST_AT: &str = "backup.last_at";
const LAST_PATH: &str = "backup.last_path";

/// The tables any OrderDesk file has, whatever its schema version.
const REQUIRED_TABLES: &[&str] = &["meta", "customers", "orders", "audit_log"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    pub path: PathBuf,
    /// Unix seconds.
    pub at: i64,
    /// Older backups removed to keep [`KEEP`].
    pub removed: usize,
}

/// The backup folder: the configured one (`~` is the home folder; a relative path is taken
/// from the database's folder), else `backups/` beside the database.
pub fn folder(db: &Path, configured: Option<&str>) -> PathBuf {
    let base = db.parent().unwrap_or(Path::new("")).to_path_buf();
    match configured.map(str::trim).filter(|c| !c.is_empty()) {
        None => base.join("backups"),
        Some(c) => {
            let home = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
            let expanded = match (c.strip_prefix('~'), home) {
                (Some(rest), Some(home))
                    if rest.is_empty() || rest.starts_with('/') || rest.starts_with('\\') =>
                {
                    home.join(rest.trim_start_matches(['/', '\\']))
                }
                _ => PathBuf::from(c),
            };
            if expanded.is_absolute() {
                expanded
            } else {
                base.join(expanded)
            }
        }
    }
}

/// The name backups of `db` start with: its file name without the extension.
pub(crate) fn stem(db: &Path) -> String {
    db.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "orderdesk".into())
}

/// The time and sequence a backup's file name carries, when it is one of `stem`'s.
pub(crate) fn parse_name(name: &str, stem: &str) -> Option<(NaiveDateTime, u32)> {
    let middle = name
        .strip_prefix(stem)?
        .strip_prefix('-')?
        .strip_suffix(".db")?;
    let (stamp, seq) = match middle.get(15..) {
        Some("") => (middle, 0),
        Some(rest) => (&middle[..15], rest.strip_prefix('-')?.parse().ok()?),
        None => return None,
    };
    let at = NaiveDateTime::parse_from_str(stamp, "%Y%m%d-%H%M%S").ok()?;
    Some((at, seq))
}

/// The backups of `db` in `dir`, oldest first.
pub fn list(dir: &Path, db: &Path) -> Vec<PathBuf> {
    let stem = stem(db);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<((NaiveDateTime, u32), PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            Some((parse_name(&name, &stem)?, e.path()))
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, p)| p).collect()
}

/// Removes all but the `keep` newest backups of `db` in `dir`; how many went.
pub fn prune(dir: &Path, db: &Path, keep: usize) -> Result<usize> {
    let all = list(dir, db);
    let excess = all.len().saturating_sub(keep);
    for old in &all[..excess] {
        std::fs::remove_file(old).map_err(|e| io_err(FileOp::Remove, old, e))?;
    }
    Ok(excess)
}

fn create_folder(dir: &Path) -> Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
        .map_err(|e| io_err(FileOp::CreateFolder, dir, e))
}

/// Temporary files of backups that never finished (the app was stopped or killed, the
/// machine went down): full-size copies of the data. A temporary name carries the id of the
/// process writing it (`.<name>.<pid>.partial`); one whose process is gone, or is this one
/// (which writes one backup at a time and is not writing now), is removed. Older names
/// without an id are removed after an hour, so one being written right now is left alone.
fn remove_stale_partials(dir: &Path, stem: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for e in entries.filter_map(|e| e.ok()) {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.starts_with(&format!(".{stem}-")) || !name.contains(".partial") {
            continue;
        }
        let writer = name
            .split_once(".partial")
            .and_then(|(head, _)| head.rsplit_once('.'))
            .and_then(|(_, pid)| pid.parse::<u32>().ok());
        let stale = match writer {
            Some(pid) => pid == std::process::id() || !process_alive(pid),
            None => e
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < hour_ago),
        };
        if stale {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// The process `pid` is running (on other systems: assumed so).
fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 only checks that the process exists; nothing is sent.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// At start: leftovers of backups, restores and conversions that never finished (a
/// killed process): unfinished backups in `backups` (see `remove_stale_partials`), and the
/// `.restoring`, `.converting` and `.fetching` (a remote backup being downloaded) copies beside `db` while no other program has it open.
pub fn clean_leftovers(db: &Path, backups: &Path) {
    remove_stale_partials(backups, &stem(db));
    if db.exists() && !in_use(db) {
        for middle in [".restoring", ".converting", ".fetching"] {
            let tmp = beside(db, middle);
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(beside(&tmp, suffix));
            }
        }
    }
}

/// Copies the open database into `dir` (see the module), keeps [`KEEP`], and records when.
pub fn backup(store: &Store, dir: &Path) -> Result<Done> {
    backup_at(store, dir, Local::now())
}

pub fn backup_at(store: &Store, dir: &Path, now: DateTime<Local>) -> Result<Done> {
    create_folder(dir)?;
    let stem = stem(store.path());
    remove_stale_partials(dir, &stem);
    let stamp = now.format("%Y%m%d-%H%M%S").to_string();
    let path = (0..)
        .map(|n| match n {
            0 => dir.join(format!("{stem}-{stamp}.db")),
            n => dir.join(format!("{stem}-{stamp}-{n}.db")),
        })
        .find(|p| !p.exists())
        .expect("a free name");
    if let Some((folder, kept)) = crate::io::files::kept_from_backup(&path) {
        return Err(Failure::Kept {
            path: path.display().to_string(),
            kept,
            folder,
        }
        .into());
    }
    let tmp = dir.join(format!(
        ".{}.{}.partial",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let result = write_verified(store, &tmp).and_then(|()| {
        std::fs::rename(&tmp, &path).map_err(|e| io_err(FileOp::Write, &path, e))?;
        sync_dir(dir);
        Ok(())
    });
    if let Err(e) = result {
        for f in [tmp.clone(), beside(&tmp, "-wal"), beside(&tmp, "-shm")] {
            let _ = std::fs::remove_file(f);
        }
        return Err(e);
    }
    let at = now.timestamp();
    store.set_meta(LAST_AT, &at.to_string())?;
    store.set_meta(LAST_PATH, &path.to_string_lossy())?;
    let removed = prune(dir, store.path(), KEEP)?;
    Ok(Done { path, at, removed })
}

/// The whole file through the online backup API into `tmp`, then checked and synced.
fn write_verified(store: &Store, tmp: &Path) -> Result<()> {
    create_private_file(tmp)?;
    let key = store.passphrase();
    {
        // Keyed like the source: the pages are written encrypted with the same passphrase.
        let mut dest = cipher::connect(tmp, key)?;
        // A private temporary file, renamed into place only once checked and synced (below):
        // no journal and no syncs of its own, which would write it twice.
        dest.pragma_update_and_check(None, "journal_mode", "OFF", |_| Ok(()))
            .doing("preparing the backup file")?;
        dest.pragma_update(None, "synchronous", "OFF")
            .doing("preparing the backup file")?;
        let backup = Backup::new(store.conn(), &mut dest).doing("starting the backup")?;
        // All pages in one step: one consistent snapshot, and in WAL mode the clerk's
        // writes meanwhile neither wait for it nor make it start over.
        let mut waits = 0;
        loop {
            match backup.step(-1).doing("copying the database")? {
                StepResult::Done => break,
                StepResult::More => {}
                StepResult::Busy | StepResult::Locked if waits < 100 => {
                    waits += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                _ => return Err(Failure::BackupLocked.into()),
            }
        }
    }
    let check = open_checked(tmp, key, tmp)?;
    let problems = check_copy(&check)?;
    drop(check);
    if !problems.is_empty() {
        return Err(Failure::BackupCheck {
            problems: problems.join("; "),
        }
        .into());
    }
    std::fs::File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_err(FileOp::Sync, tmp, e))
}

/// What is wrong with the pages of a copy; empty when sound.
///
/// The copy is the database page for page, so what needs checking is that every page came
/// out whole: `quick_check` of each stored table (the schema, shadow tables included) reads
/// every b-tree page and record, checks the indexes' row counts and each value's type. It
/// leaves out what says nothing about the copy and took most of the time on a large file:
/// the CHECK constraints, evaluated row by row, and the search index's logical
/// consistency (FTS5's own check, which walks every term), both already as the database
/// has them; `orderdesk check` still does those on the database itself.
fn check_copy(conn: &rusqlite::Connection) -> Result<Vec<String>> {
    conn.pragma_update(None, "ignore_check_constraints", true)
        .doing("checking integrity")?;
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND rootpage > 0")
        .doing("checking integrity")?
        .query_map([], |r| r.get(0))
        .doing("checking integrity")?
        .collect::<rusqlite::Result<_>>()
        .doing("checking integrity")?;
    tables.push("sqlite_schema".into());
    let mut problems = Vec::new();
    for table in &tables {
        let mut stmt = conn
            .prepare("SELECT * FROM pragma_quick_check(?1)")
            .doing("checking integrity")?;
        let rows = stmt
            .query_map([table], |r| r.get::<_, String>(0))
            .doing("checking integrity")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .doing("checking integrity")?;
        problems.extend(rows.into_iter().filter(|r| r != "ok"));
    }
    Ok(problems)
}

/// When the last backup was made (Unix seconds), as recorded in the database.
pub fn last_backup(store: &Store) -> Result<Option<i64>> {
    Ok(store.meta(LAST_AT)?.and_then(|v| v.parse().ok()))
}

/// What restoring found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// The database as it was before, when there was one.
    pub previous: Option<PathBuf>,
    /// The schema version of the restored file (it is upgraded when next opened).
    pub schema_version: i64,
}

/// Checks that `path` is a sound OrderDesk file this build can open (`shown` names it in
/// messages); its schema version.
pub fn check_file(path: &Path, key: Option<&str>, shown: &Path) -> Result<i64> {
    let conn = open_checked(path, key, shown)?;
    let name = shown.display().to_string();
    let problems = integrity(&conn)?;
    if !problems.is_empty() {
        return Err(Failure::Damaged {
            path: name,
            problems: problems.join("; "),
        }
        .into());
    }
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .doing("reading the schema version")?;
    if version > cipher::known_schema() {
        return Err(StoreError::NewerSchema {
            path: name,
            found: version,
            known: cipher::known_schema(),
        });
    }
    for table in REQUIRED_TABLES {
        let found: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |r| r.get(0),
            )
            .doing("reading the schema")?;
        if found == 0 {
            return Err(StoreError::NotADatabase {
                path: name,
                reason: format!("no {table} table"),
            });
        }
    }
    Ok(version)
}

/// Replaces the database at `db` by the backup `file` (keyed with `key` when encrypted):
/// the backup is copied beside the database and checked; the current file (and its WAL, if
/// any) is kept as `<db>.before-restore-YYYYMMDD-HHMMSS`; then the checked copy is renamed
/// over it. Refused while another process has the database open. A damaged current file is
/// kept as it is, byte for byte.
pub fn restore(db: &Path, file: &Path, key: Option<&str>) -> Result<Restored> {
    restore_keyed(db, file, key, None)
}

/// [`restore`], and when `encrypt_with` is given the checked copy of a plain backup is
/// encrypted with it before it takes the database's place: restoring into an encrypted desk
/// keeps the desk encrypted, and no plain copy is ever the database, even for a moment.
pub fn restore_keyed(
    db: &Path,
    file: &Path,
    key: Option<&str>,
    encrypt_with: Option<&str>,
) -> Result<Restored> {
    if in_use(db) {
        return Err(Failure::InUse {
            path: db.display().to_string(),
        }
        .into());
    }
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_folder(dir)?;
    }
    let tmp = beside(db, ".restoring");
    let cleanup = |tmp: &Path| {
        for f in [
            tmp.to_path_buf(),
            beside(tmp, "-wal"),
            beside(tmp, "-shm"),
            beside(tmp, "-journal"),
        ] {
            let _ = std::fs::remove_file(f);
        }
    };
    cleanup(&tmp);
    let result = (|| {
        copy_private(file, &tmp)?;
        let schema_version = check_file(&tmp, key, file)?;
        if let (None, Some(new)) = (key, encrypt_with) {
            cipher::convert(&tmp, None, Some(new))?;
        }
        let previous = keep_current(db)?;
        // The old file's WAL and journal must not meet the new file.
        for suffix in ["-wal", "-shm", "-journal"] {
            let f = beside(db, suffix);
            if f.exists() {
                std::fs::remove_file(&f).map_err(|e| io_err(FileOp::Remove, &f, e))?;
            }
        }
        std::fs::rename(&tmp, db).map_err(|e| io_err(FileOp::Replace, db, e))?;
        sync_dir(db.parent().unwrap_or(Path::new("")));
        Ok(Restored {
            previous,
            schema_version,
        })
    })();
    cleanup(&tmp);
    result
}

/// The unencrypted copies of `db`'s data a clerk may have: its backups in `backups` and the
/// copies kept by `restore` beside it (`<db>.before-restore-…`).
pub fn plain_copies(db: &Path, backups: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = list(backups, db);
    let name = db
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!("{name}.before-restore-");
    let dir = db
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut kept: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .filter(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                n.starts_with(&prefix)
                    && !n.ends_with("-wal")
                    && !n.ends_with("-journal")
                    && !n.ends_with("-shm")
            })
            .map(|e| e.path())
            .collect();
        kept.sort();
        found.extend(kept);
    }
    found.retain(|p| cipher::is_plain(p));
    found
}

/// Another connection has the file open, as far as can be seen from here.
fn in_use(db: &Path) -> bool {
    cipher::in_use_elsewhere(db)
}

/// Byte copy into a new file readable by the owner only, synced.
fn copy_private(from: &Path, to: &Path) -> Result<()> {
    use std::io::Write;
    let mut src = std::fs::File::open(from).map_err(|e| io_err(FileOp::Read, from, e))?;
    let _ = std::fs::remove_file(to);
    create_private_file(to)?;
    let mut dst = std::fs::OpenOptions::new()
        .write(true)
        .open(to)
        .map_err(|e| io_err(FileOp::Write, to, e))?;
    std::io::copy(&mut src, &mut dst)
        .and_then(|_| dst.flush())
        .and_then(|_| dst.sync_all())
        .map_err(|e| io_err(FileOp::Write, to, e))
}

/// Keeps the current database (with its WAL and journal, which belong to it) before it is
/// replaced. A plain sound file is checkpointed first, so the copy is one file.
fn keep_current(db: &Path) -> Result<Option<PathBuf>> {
    if !db.exists() {
        return Ok(None);
    }
    if cipher::is_plain(db) {
        if let Ok(c) = cipher::connect(db, None) {
            let _ = c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        }
    }
    let stamp = Local::now().format("%Y%m%d-%H%M%S");
    let kept = beside(db, &format!(".before-restore-{stamp}"));
    copy_private(db, &kept)?;
    for suffix in ["-wal", "-journal"] {
        let f = beside(db, suffix);
        if std::fs::metadata(&f).is_ok_and(|m| m.len() > 0) {
            copy_private(&f, &beside(&kept, suffix))?;
        }
    }
    Ok(Some(kept))
}

#[cfg(test)]
mod tests;
