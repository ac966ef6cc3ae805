//! `backup`, `restore`, `encrypt`, `decrypt`, `passphrase` (SPEC §8), and the passphrase of
//! an encrypted file for every command that opens one.
//!
//! The passphrase comes from `ORDERDESK_PASSPHRASE` when set, else it is asked on the
//! terminal without echo (up to three tries). `encrypt` takes the new passphrase the same
//! way; `passphrase` takes the current one so and the new one from
//! `ORDERDESK_NEW_PASSPHRASE`, else asks. A new passphrase typed on the terminal is asked
//! twice. It lives in memory only and is wiped when dropped.

use crate::config::Config;
use crate::store::backup;
use crate::store::cipher::{self, Passphrase};
use crate::store::{Store, StoreError};
use anyhow::{anyhow, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The current passphrase, for scripts.
pub const ENV: &str = "ORDERDESK_PASSPHRASE";
/// The new passphrase of `orderdesk passphrase`, for scripts.
pub const ENV_NEW: &str = "ORDERDESK_NEW_PASSPHRASE";

const TRIES: usize = 3;

fn from_env(var: &str) -> Option<Passphrase> {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .map(Passphrase::new)
}

/// Asks on the terminal (`/dev/tty`), without echo; an error when there is no terminal.
fn ask(prompt: &str) -> std::io::Result<Passphrase> {
    rpassword::prompt_password(prompt).map(Passphrase::new)
}

/// Runs `attempt` with the passphrase of the encrypted file `path`: from the environment
/// (once), else asked, again after a wrong one, up to three times.
fn with_current<T>(
    path: &Path,
    mut attempt: impl FnMut(&str) -> crate::store::Result<T>,
) -> anyhow::Result<T> {
    if let Some(p) = from_env(ENV) {
        return Ok(attempt(&p)?);
    }
    let prompt = format!("Passphrase for {}: ", path.display());
    for tries_left in (0..TRIES).rev() {
        let p = ask(&prompt).map_err(|_| StoreError::Encrypted {
            path: path.display().to_string(),
        })?;
        match attempt(&p) {
            Err(StoreError::WrongPassphrase { .. }) if tries_left > 0 => {
                eprintln!("wrong passphrase; try again");
            }
            r => return Ok(r?),
        }
    }
    unreachable!("the last try returns")
}

/// A new passphrase: from `var`, else asked twice on the terminal; never empty.
fn new_passphrase(var: &str) -> anyhow::Result<Passphrase> {
    if let Some(p) = from_env(var) {
        return Ok(p);
    }
    let no_tty = |_| anyhow!("no terminal to ask for the new passphrase: set {var}");
    let first = ask("New passphrase: ").map_err(no_tty)?;
    if first.trim().is_empty() {
        bail!("the passphrase must not be empty; nothing was changed");
    }
    let second = ask("Repeat the new passphrase: ").map_err(no_tty)?;
    if first != second {
        bail!("the two passphrases differ; nothing was changed");
    }
    Ok(first)
}

/// Opens the database at `path` (created when absent), asking for the passphrase when it
/// is encrypted.
pub(crate) fn open_store(path: &Path) -> anyhow::Result<Store> {
    if cipher::looks_encrypted(path) {
        with_current(path, |p| Store::open_with(path, Some(p)))
    } else {
        Ok(Store::open(path)?)
    }
}

pub fn backup(db: PathBuf, config: &Config, to: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let store = super::open_existing(db)?;
    let dir = to.unwrap_or_else(|| backup::folder(store.path(), config.backup_dir.as_deref()));
    let done = backup::backup(&store, &dir)?;
    let encrypted = if store.passphrase().is_some() {
        ", encrypted"
    } else {
        ""
    };
    eprintln!(
        "backup → {} (checked{encrypted}; {} older removed, {} kept)",
        done.path.display(),
        done.removed,
        backup::list(&dir, store.path()).len()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn restore(db: PathBuf, file: &Path) -> anyhow::Result<ExitCode> {
    if !file.exists() {
        bail!("{}: no such backup", file.display());
    }
    let restored = if cipher::looks_encrypted(file) {
        with_current(file, |p| backup::restore(&db, file, Some(p)))?
    } else {
        backup::restore(&db, file, None)?
    };
    eprintln!("restored {} → {}", file.display(), db.display());
    if let Some(previous) = &restored.previous {
        eprintln!("the file it replaced is kept as {}", previous.display());
    }
    if restored.schema_version < cipher::known_schema() {
        eprintln!("it is from an older OrderDesk and is upgraded when next opened");
    }
    Ok(ExitCode::SUCCESS)
}

fn must_exist(db: &Path) -> anyhow::Result<()> {
    if !db.exists() {
        bail!("{}: no such database", db.display());
    }
    Ok(())
}

pub fn encrypt(db: PathBuf) -> anyhow::Result<ExitCode> {
    must_exist(&db)?;
    if cipher::looks_encrypted(&db) {
        bail!(
            "{} is already encrypted (change its passphrase with `orderdesk passphrase`)",
            db.display()
        );
    }
    // A damaged or foreign file is refused before a passphrase is asked for.
    drop(Store::open(&db)?);
    let new = new_passphrase(ENV)?;
    cipher::convert(&db, None, Some(&new))?;
    eprintln!(
        "{} is encrypted. Keep the passphrase safe: without it the data cannot be read.",
        db.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn decrypt(db: PathBuf) -> anyhow::Result<ExitCode> {
    must_exist(&db)?;
    if cipher::is_plain(&db) {
        bail!("{} is not encrypted", db.display());
    }
    with_current(&db, |p| cipher::convert(&db, Some(p), None))?;
    eprintln!("{} is no longer encrypted", db.display());
    Ok(ExitCode::SUCCESS)
}

pub fn passphrase(db: PathBuf) -> anyhow::Result<ExitCode> {
    must_exist(&db)?;
    if cipher::is_plain(&db) {
        bail!(
            "{} is not encrypted (encrypt it with `orderdesk encrypt`)",
            db.display()
        );
    }
    // The current passphrase is checked before the new one is asked for.
    let current = with_current(&db, |p| {
        cipher::open_checked(&db, Some(p), &db).map(|_| Passphrase::new(p.to_string()))
    })?;
    let new = new_passphrase(ENV_NEW)?;
    cipher::convert(&db, Some(&current), Some(&new))?;
    eprintln!("the passphrase of {} is changed", db.display());
    Ok(ExitCode::SUCCESS)
}
