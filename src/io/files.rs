//! Writing a file so that it is never seen half-written and only its owner can read it:
//! written beside its place under a temporary name, synced, then renamed into place; and
//! never over what must be kept (the open database, the config file, the backups).

use crate::domain::text;
use anyhow::Context;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::RwLock;

/// Runs `write` on a private temporary file and renames it to `path` when it succeeds.
pub fn write_private_with<T>(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    refuse_kept(path)?;
    let tmp = path.with_extension("partial");
    refuse_kept(&tmp)?;
    // A leftover from an interrupted write could carry wider permissions than 0600.
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    let mut out = BufWriter::new(file);
    let result = write(&mut out).and_then(|value| {
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(value)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Creates `dir` (and its parents) readable by the owner only, and tightens it to 0700 when
/// it is already there: the folders beside the database (messages, exports, instructions,
/// archive) hold personal data.
pub fn private_folder(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir)?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

/// The folders beside the database that hold personal data.
pub const PRIVATE_FOLDERS: &[&str] = &["messages", "exports", "instructions", "archive"];

/// Tightens the private folders beside `db` that exist to 0700 (at start: folders made by
/// an older OrderDesk, or by hand, may be readable by others).
pub fn tighten_folders(db: &Path) {
    let base = db.parent().unwrap_or(Path::new(""));
    for name in PRIVATE_FOLDERS {
        let dir = base.join(name);
        if dir.is_dir() {
            let _ = private_folder(&dir);
        }
    }
}

/// `bytes` as the whole content of `path`.
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_private_with(path, |out| {
        out.write_all(bytes)
            .with_context(|| format!("cannot write {}", path.display()))
    })
}

/// What no output may replace: the open database with its `-wal`, `-shm` and `-journal`, the
/// config file, and every file in the backup folder. Set once at start by the command line
/// (`keep_database`, `keep_file`, `keep_folder`) and checked by every writer through
/// [`refuse_kept`], by identity: a symlink, a hard link or `./` reach the same file.
#[derive(Default)]
struct Kept {
    files: Vec<PathBuf>,
    folders: Vec<PathBuf>,
}

static KEPT: RwLock<Kept> = RwLock::new(Kept {
    files: Vec::new(),
    folders: Vec::new(),
});

/// The database and its companion files.
pub fn keep_database(db: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        keep_file(Path::new(&p));
    }
}

pub fn keep_file(path: &Path) {
    let mut kept = KEPT.write().unwrap_or_else(|e| e.into_inner());
    kept.files.push(path.to_path_buf());
}

/// Every file in `dir` (the backup folder).
pub fn keep_folder(dir: &Path) {
    let mut kept = KEPT.write().unwrap_or_else(|e| e.into_inner());
    kept.folders.push(dir.to_path_buf());
}

/// Where `path` leads: symlinks followed (also one whose target does not exist yet), the
/// folder made absolute and canonical, the name kept.
fn resolved(path: &Path) -> PathBuf {
    let mut path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    for _ in 0..40 {
        match std::fs::read_link(&path) {
            Ok(target) => {
                path = path.parent().unwrap_or(Path::new("/")).join(target);
            }
            Err(_) => break,
        }
    }
    if let Ok(full) = std::fs::canonicalize(&path) {
        return full;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => resolved_dir(parent).join(name),
        _ => path,
    }
}

fn resolved_dir(dir: &Path) -> PathBuf {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())
}

/// Why `path` must not be written: the kept file it is, or the kept folder it is in.
fn kept_reason(path: &Path, backups_allowed: bool) -> Option<(&'static str, String)> {
    let kept = KEPT.read().unwrap_or_else(|e| e.into_inner());
    let target = resolved(path);
    for file in &kept.files {
        let same = resolved(file) == target || same_file::is_same_file(path, file).unwrap_or(false);
        if same {
            return Some(("output.kept_file", file.display().to_string()));
        }
    }
    if !backups_allowed {
        let parent = target.parent().map(resolved_dir);
        for dir in &kept.folders {
            if parent.as_deref() == Some(resolved_dir(dir).as_path()) {
                return Some(("output.kept_folder", dir.display().to_string()));
            }
        }
    }
    None
}

/// What a backup written to `path` would overwrite that must be kept: `(true, folder)` or
/// `(false, file)`.
pub fn kept_from_backup(path: &Path) -> Option<(bool, String)> {
    kept_reason(path, true).map(|(key, kept)| (key == "output.kept_folder", kept))
}

/// Refuses to write `path` when it is (or is in) what must be kept; one line naming both.
pub fn refuse_kept(path: &Path) -> anyhow::Result<()> {
    refuse(path, false)
}

/// The same for a backup, which belongs in the backup folder.
pub fn refuse_kept_backup(path: &Path) -> anyhow::Result<()> {
    refuse(path, true)
}

fn refuse(path: &Path, backups_allowed: bool) -> anyhow::Result<()> {
    match kept_reason(path, backups_allowed) {
        None => Ok(()),
        Some((key, kept)) => Err(anyhow::anyhow!(crate::i18n::tf(
            key,
            &[("path", &shown_path(path)), ("kept", &text::shown(&kept))]
        ))),
    }
}

/// A file name as printed: controls made visible (see `domain::text`).
pub fn shown_path(path: &Path) -> String {
    text::shown(&path.display().to_string()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_appears_whole_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_private(&path, "订单\n".as_bytes()).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "订单\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.txt");
        let r: anyhow::Result<()> = write_private_with(&path, |out| {
            out.write_all(b"half")?;
            anyhow::bail!("disk full")
        });
        assert!(r.is_err());
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn private_folders_are_made_and_tightened() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let open = dir.path().join("exports");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
        tighten_folders(&dir.path().join("d.db"));
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&open), 0o700);
        let new = dir.path().join("messages/x");
        private_folder(&new).unwrap();
        assert_eq!(mode(&new), 0o700);
        assert!(!dir.path().join("archive").exists(), "only existing ones");
    }

    #[test]
    fn kept_files_are_refused_by_identity() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("kept.db");
        std::fs::write(&db, b"x").unwrap();
        keep_database(&db);
        keep_folder(&dir.path().join("safe"));
        let dotted = dir.path().join(".").join("kept.db");
        assert!(refuse_kept(&dotted).is_err());
        assert!(refuse_kept(&dir.path().join("kept.db-journal")).is_err());
        assert!(refuse_kept(&dir.path().join("safe/any.csv")).is_err());
        assert!(refuse_kept_backup(&dir.path().join("safe/any.db")).is_ok());
        assert!(refuse_kept(&dir.path().join("other.csv")).is_ok());
        #[cfg(unix)]
        {
            let hard = dir.path().join("hard.csv");
            std::fs::hard_link(&db, &hard).unwrap();
            assert!(refuse_kept(&hard).is_err());
        }
        let r = write_private(&dotted, b"y");
        assert!(r.is_err());
        assert_eq!(std::fs::read(&db).unwrap(), b"x");
    }
}
