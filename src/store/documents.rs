//! Documents attached to an order (the customer's PO, invoices, packing lists, photos): each
//! file is copied into `archive/<order_no>/` beside the database, readable by the owner
//! only, and listed with its kind, original name and when it was added.

use super::undo::Change;
use super::{audit, Context, Failure, FileOp, Refusal, Result, StoreError};
use crate::domain::enums::DocumentKind;
use crate::store::{Record, RecordKind};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRow {
    pub id: i64,
    pub kind: String,
    pub original_name: String,
    /// Relative to the database's folder, so a moved or restored folder keeps its links.
    pub stored_path: String,
    pub added_at: i64,
}

/// The folder beside the database that holds `name` (`archive`, `instructions`).
pub fn beside_db(db: &Path, name: &str) -> PathBuf {
    db.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(|p| p.join(name))
        .unwrap_or_else(|| PathBuf::from(name))
}

/// A file or folder name made from free text: path separators and control characters
/// become `_`, so an order number can never leave its folder.
pub fn safe_name(text: &str) -> String {
    let s: String = text
        .trim()
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() || c == ':' {
                '_'
            } else {
                c
            }
        })
        .collect();
    match s.as_str() {
        "" | "." | ".." => "_".to_string(),
        _ => s,
    }
}

/// Creates `dir` (and parents) readable by the owner only, tightened when it is there.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    crate::io::files::private_folder(dir)
}

/// Writes `bytes` to `path` through a temporary file and a rename, readable by the owner
/// only: a reader never sees half a file, and a crash leaves the old one.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    crate::io::files::refuse_kept(path).map_err(|e| std::io::Error::other(e.to_string()))?;
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)
}

pub fn list(conn: &Connection, order_id: i64) -> Result<Vec<DocumentRow>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, kind, original_name, stored_path, added_at FROM documents
             WHERE order_id = ?1 ORDER BY added_at, id",
        )
        .doing("reading documents")?;
    let rows = stmt
        .query_map([order_id], |r| {
            Ok(DocumentRow {
                id: r.get(0)?,
                kind: r.get(1)?,
                original_name: r.get(2)?,
                stored_path: r.get(3)?,
                added_at: r.get(4)?,
            })
        })
        .doing("reading documents")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("reading documents")?;
    Ok(rows)
}

/// Files up to this size are attached without asking; a larger one is confirmed first.
pub const ASK_ABOVE: u64 = 100 * 1024 * 1024;

/// An attachment decided but not yet copied: where the file goes and what is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachPlan {
    pub order_id: i64,
    pub order_no: String,
    pub kind: DocumentKind,
    pub source: PathBuf,
    pub original: String,
    /// Where the copy goes; it is written beside it under [`AttachPlan::partial`] first.
    pub target: PathBuf,
    /// `target` relative to the database's folder, as recorded.
    pub stored: String,
    pub size: u64,
    pub at: i64,
}

impl AttachPlan {
    /// The temporary name the copy is written under until it is complete.
    pub fn partial(&self) -> PathBuf {
        let mut name = self.target.file_name().unwrap_or_default().to_os_string();
        name.push(PARTIAL);
        self.target.with_file_name(name)
    }
}

const PARTIAL: &str = ".partial";

/// Checks the order and the file, creates the order's archive folder (removing leftovers of
/// an interrupted copy) and picks a free name. Nothing is copied or recorded yet.
pub fn plan(
    conn: &Connection,
    db: &Path,
    order_id: i64,
    kind: DocumentKind,
    source: &Path,
    at: i64,
) -> Result<AttachPlan> {
    let order_no: String = conn
        .query_row(
            "SELECT order_no FROM orders WHERE id = ?1",
            [order_id],
            |r| r.get(0),
        )
        .optional()
        .doing("reading an order")?
        .ok_or_else(|| StoreError::NotFound(Record::new(RecordKind::Order, order_id)))?;
    let meta = std::fs::metadata(source).map_err(|e| Failure::file(FileOp::Read, source, &e))?;
    if !meta.is_file() {
        return Err(Refusal::NotAFile {
            path: source.display().to_string(),
        }
        .into());
    }
    let original = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "document".into());
    let folder = safe_name(&order_no);
    let dir = beside_db(db, "archive").join(&folder);
    private_dir(&dir).map_err(|e| Failure::file(FileOp::CreateFolder, &dir, &e))?;
    remove_partials(&dir);
    let stamp = chrono::DateTime::from_timestamp(at, 0)
        .map(|d| d.format("%Y%m%d-%H%M%S").to_string())
        .unwrap_or_default();
    let base = format!("{stamp}-{}", safe_name(&original));
    let mut name = base.clone();
    let mut n = 1;
    while dir.join(&name).exists() {
        n += 1;
        name = format!("{n}-{base}");
    }
    Ok(AttachPlan {
        order_id,
        order_no,
        kind,
        source: source.to_path_buf(),
        original,
        target: dir.join(&name),
        stored: format!("archive/{folder}/{name}"),
        size: meta.len(),
        at,
    })
}

/// Removes what an interrupted copy left in an order's folder (best effort).
fn remove_partials(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().ends_with(PARTIAL) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Why a copy stopped.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("stopped")]
    Cancelled,
}

/// Copies the plan's file to its temporary name by streaming, a block at a time (never the
/// whole file in memory), telling `progress` the bytes done so far; then syncs it and renames
/// it into place. Blocks of zeros are skipped rather than written, so a sparse file stays
/// sparse. On any failure, or when `cancel` is set, the temporary file is removed.
pub fn copy(
    plan: &AttachPlan,
    progress: &dyn Fn(u64),
    cancel: &std::sync::atomic::AtomicBool,
) -> std::result::Result<(), CopyError> {
    let tmp = plan.partial();
    let r = copy_to(plan, &tmp, progress, cancel);
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    r
}

fn copy_to(
    plan: &AttachPlan,
    tmp: &Path,
    progress: &dyn Fn(u64),
    cancel: &std::sync::atomic::AtomicBool,
) -> std::result::Result<(), CopyError> {
    use std::io::{Read, Seek, SeekFrom, Write};
    use std::sync::atomic::Ordering;
    crate::io::files::refuse_kept(&plan.target)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut from = std::fs::File::open(&plan.source)?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut to = opts.open(tmp)?;
    let mut buf = vec![0u8; 1 << 20];
    let mut done: u64 = 0;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(CopyError::Cancelled);
        }
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        let block = &buf[..n];
        if block.iter().all(|&b| b == 0) {
            to.seek(SeekFrom::Current(n as i64))?;
        } else {
            to.write_all(block)?;
        }
        done += n as u64;
        progress(done);
    }
    // Skipped zeros at the end still count: the copy has the original's length.
    to.set_len(done)?;
    to.sync_all()?;
    drop(to);
    std::fs::rename(tmp, &plan.target)?;
    Ok(())
}

/// Records a copied file: the document row, its undo step and the audit line, in the
/// caller's transaction.
pub fn record(conn: &Connection, change: &mut Change, plan: &AttachPlan) -> Result<DocumentRow> {
    let kind = plan.kind;
    conn.execute(
        "INSERT INTO documents (order_id, kind, original_name, stored_path, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            plan.order_id,
            kind.as_str(),
            plan.original,
            plan.stored,
            plan.at
        ],
    )
    .doing("recording a document")?;
    let id = conn.last_insert_rowid();
    change.inserted("documents", id)?;
    audit::append(
        conn,
        "attach",
        "order",
        &plan.order_no,
        &json!({"kind": kind.as_str(), "name": plan.original, "stored": plan.stored}),
    )?;
    Ok(DocumentRow {
        id,
        kind: kind.as_str().to_string(),
        original_name: plan.original.clone(),
        stored_path: plan.stored.clone(),
        added_at: plan.at,
    })
}

/// Copies `source` into the order's archive folder and records it, all at once (the app
/// does the copy on a worker instead: [`plan`], [`copy`], then [`record`]). The copy is made
/// first; if the transaction then fails, the copy stays behind unlisted, and nothing is lost.
pub fn attach(
    conn: &Connection,
    change: &mut Change,
    db: &Path,
    order_id: i64,
    kind: DocumentKind,
    source: &Path,
    at: i64,
) -> Result<DocumentRow> {
    let plan = plan(conn, db, order_id, kind, source, at)?;
    copy(&plan, &|_| {}, &std::sync::atomic::AtomicBool::new(false)).map_err(|e| match e {
        CopyError::Io(e) => Failure::file(FileOp::Write, &plan.target, &e),
        CopyError::Cancelled => Failure::Internal {
            detail: "a copy nobody cancelled was stopped".into(),
        },
    })?;
    record(conn, change, &plan)
}

/// Where a document's copy is on disk.
pub fn full_path(db: &Path, doc: &DocumentRow) -> PathBuf {
    let stored = Path::new(&doc.stored_path);
    if stored.is_absolute() {
        return stored.to_path_buf();
    }
    match db.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(p) => p.join(stored),
        None => stored.to_path_buf(),
    }
}
