//! `backup`, `restore`, `encrypt`, `decrypt`, `passphrase` (SPEC §8), and the passphrase of
//! an encrypted file for every command that opens one.
//!
//! The passphrase comes from `ORDERDESK_PASSPHRASE` when set, else it is asked on the
//! terminal without echo (up to three tries). `encrypt` takes the new passphrase the same
//! way; `passphrase` takes the current one so and the new one from
//! `ORDERDESK_NEW_PASSPHRASE`, else asks. A new passphrase typed on the terminal is asked
//! twice. It lives in memory only and is wiped when dropped.

use crate::config::Config;
use crate::i18n::{t, tf};
use crate::io::files::shown_path;
use crate::io::offsite::{self, Login, Remote};
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
    let prompt = format!("Passphrase for {}: ", shown_path(path));
    for tries_left in (0..TRIES).rev() {
        let p = ask(&prompt).map_err(|_| StoreError::Encrypted {
            path: shown_path(path),
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

pub fn backup(
    db: PathBuf,
    config: &Config,
    to: Option<PathBuf>,
    allow_plaintext: bool,
) -> anyhow::Result<ExitCode> {
    // `--to URL` instead of a folder; without `--to`, the `offsite` of config as well.
    let url_arg = to
        .as_deref()
        .and_then(|p| p.to_str())
        .filter(|s| offsite::is_remote(s));
    let remote = match (url_arg, &to) {
        (Some(url), _) => Some(Remote::parse(url)?),
        (None, None) => config.offsite.as_deref().map(Remote::parse).transpose()?,
        (None, Some(_)) => None,
    };
    if let Some(r) = remote.as_ref().filter(|r| r.object.is_some()) {
        bail!("{}", tf("offsite.bad_url", &[("url", &r.url)]));
    }
    let url_given = url_arg.is_some();
    let store = super::open_existing(db)?;
    let plain = store.passphrase().is_none() && !allow_plaintext;
    // Asked for `--to URL`: refused before anything is written.
    if plain && url_given {
        bail!("{}", t("offsite.plaintext"));
    }
    let login = match &remote {
        Some(r) if r.is_webdav() && !plain => Some(webdav_login(r)?),
        _ => None,
    };
    let dir = match to {
        Some(folder) if !url_given => folder,
        _ => backup::folder(store.path(), config.backup_dir.as_deref()),
    };
    let progress = super::progress::Progress::new("backup", None, "");
    let done = backup::backup(&store, &dir)?;
    drop(progress);
    let encrypted = if store.passphrase().is_some() {
        ", encrypted"
    } else {
        ""
    };
    eprintln!(
        "backup → {} (checked{encrypted}; {} older removed, {} kept)",
        shown_path(&done.path),
        done.removed,
        backup::list(&dir, store.path()).len()
    );
    let Some(remote) = remote else {
        return Ok(ExitCode::SUCCESS);
    };
    if plain {
        // The local backup is made; the copy that would leave the machine is not.
        bail!("{}", t("offsite.plaintext"));
    }
    let progress = super::progress::Progress::new("off-site", None, "");
    let up = offsite::upload(
        &remote,
        login.as_ref(),
        &done.path,
        &backup::stem(store.path()),
        backup::KEEP,
    )?;
    drop(progress);
    eprintln!(
        "{}",
        tf(
            "offsite.uploaded",
            &[
                ("url", &folder_url(&remote)),
                ("name", &up.name),
                ("removed", &up.removed),
                ("kept", &up.kept),
            ]
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// The remote folder's URL ending with `/`, for messages.
fn folder_url(remote: &Remote) -> String {
    if remote.url.ends_with('/') {
        remote.url.clone()
    } else {
        format!("{}/", remote.url)
    }
}

/// The WebDAV login: from the environment, else asked on the terminal (the password without
/// echo).
fn webdav_login(remote: &Remote) -> anyhow::Result<Login> {
    use std::io::{BufRead, IsTerminal, Write};
    if let Some(login) = Login::from_env() {
        return Ok(login);
    }
    let no_tty = || anyhow!("{}", tf("offsite.no_terminal", &[("url", &remote.url)]));
    if !std::io::stdin().is_terminal() {
        return Err(no_tty());
    }
    let user = match std::env::var(offsite::WEBDAV_USER)
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(user) => user,
        None => {
            eprint!("{}", tf("offsite.ask_user", &[("url", &remote.url)]));
            let _ = std::io::stderr().flush();
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|_| no_tty())?;
            line.trim().to_string()
        }
    };
    let password = rpassword::prompt_password(tf("offsite.ask_password", &[("user", &user)]))
        .map_err(|_| no_tty())?;
    Ok(Login {
        user,
        password: Passphrase::new(password),
    })
}

/// `restore FILE` or `restore URL`: on an encrypted desk authorised first (the passphrase
/// again and a reason, recorded in the restored file's audit log); a remote backup is
/// fetched beside the database and restored from there like a file.
pub fn restore(db: PathBuf, file: &Path, reason: Option<String>) -> anyhow::Result<ExitCode> {
    let remote = file
        .to_str()
        .filter(|s| offsite::is_remote(s))
        .map(Remote::parse)
        .transpose()?;
    if remote.is_none() && !file.exists() {
        bail!("{}: no such backup", shown_path(file));
    }
    let plain_desk = db.exists() && !cipher::looks_encrypted(&db);
    let (desk_key, reason) =
        super::authorise::authorise_file(&db, "authorise.what_restore", reason)?;
    let (restored, key) = match &remote {
        None => restore_file(&db, file, file, desk_key)?,
        Some(remote) => {
            let login = if remote.is_webdav() {
                Some(webdav_login(remote)?)
            } else {
                None
            };
            let fetched = cipher::beside(&db, ".fetching");
            let progress = super::progress::Progress::new("download", None, "");
            let got = offsite::fetch(remote, login.as_ref(), &backup::stem(&db), &fetched);
            drop(progress);
            let result = got.map_err(anyhow::Error::from).and_then(|name| {
                eprintln!(
                    "{}",
                    tf("offsite.fetched", &[("name", &name), ("url", &remote.url)])
                );
                // Messages name the backup by its address, not by the download beside the desk.
                restore_file(&db, &fetched, Path::new(&remote.url), desk_key).map_err(|e| {
                    let text = e.to_string();
                    let fetched = fetched.display().to_string();
                    if text.contains(&fetched) {
                        anyhow!("{}", text.replace(&fetched, &remote.url))
                    } else {
                        e
                    }
                })
            });
            let _ = std::fs::remove_file(&fetched);
            result?
        }
    };
    let shown_from = match &remote {
        Some(r) => r.url.clone(),
        None => shown_path(file),
    };
    if let Some(reason) = &reason {
        let mut store = Store::open_with(&db, key.as_deref().map(|k| k.as_str()))?;
        super::authorise::record(&mut store, "restore", &shown_from, reason)?;
    }
    eprintln!("restored {shown_from} → {}", shown_path(&db));
    if let Some(previous) = &restored.previous {
        eprintln!("the file it replaced is kept as {}", shown_path(previous));
    }
    if restored.schema_version < cipher::known_schema() {
        eprintln!("it is from an older OrderDesk and is upgraded when next opened");
    }
    if plain_desk {
        eprintln!("{}", t("authorise.unprotected"));
    }
    Ok(ExitCode::SUCCESS)
}

/// Restores the local backup `file` (`shown` in the passphrase prompt) over `db` (see
/// `backup::restore`); an encrypted desk (`desk_key`, checked) stays encrypted. What was done, and the passphrase of the database
/// now in place.
fn restore_file(
    db: &Path,
    file: &Path,
    shown: &Path,
    desk_key: Option<Passphrase>,
) -> anyhow::Result<(backup::Restored, Option<Passphrase>)> {
    let spinner = || super::progress::Progress::new("restore", None, "");
    if cipher::looks_encrypted(file) {
        let mut used = None;
        let restored = with_current(shown, |p| {
            let _progress = spinner();
            let r = backup::restore(db, file, Some(p))?;
            used = Some(Passphrase::new(p.to_string()));
            Ok(r)
        })?;
        return Ok((restored, used));
    }
    if let Some(key) = desk_key {
        // An encrypted desk stays encrypted: the plain backup is encrypted with the desk's
        // passphrase (checked when it was authorised) before it takes its place.
        let progress = spinner();
        let restored = backup::restore_keyed(db, file, None, Some(&key))?;
        drop(progress);
        eprintln!(
            "{}",
            crate::i18n::tf("encrypt.restored_encrypted", &[("db", &shown_path(db))])
        );
        return Ok((restored, Some(key)));
    }
    let _progress = spinner();
    Ok((backup::restore(db, file, None)?, None))
}

fn must_exist(db: &Path) -> anyhow::Result<()> {
    if !db.exists() {
        bail!("{}: no such database", shown_path(db));
    }
    Ok(())
}

pub fn encrypt(db: PathBuf, config: &Config, delete_plain: bool) -> anyhow::Result<ExitCode> {
    must_exist(&db)?;
    if cipher::looks_encrypted(&db) {
        bail!(
            "{} is already encrypted (change its passphrase with `orderdesk passphrase`)",
            shown_path(&db)
        );
    }
    // A damaged or foreign file is refused before a passphrase is asked for.
    drop(Store::open(&db)?);
    let new = new_passphrase(ENV)?;
    let progress = super::progress::Progress::new("encrypt", None, "");
    cipher::convert(&db, None, Some(&new))?;
    drop(progress);
    eprintln!(
        "{} is encrypted. Keep the passphrase safe: without it the data cannot be read.",
        shown_path(&db)
    );
    plain_backups(&db, config, &new, delete_plain)?;
    Ok(ExitCode::SUCCESS)
}

/// After `encrypt`: the unencrypted backups and restore copies of the database would keep
/// the data readable. They are encrypted with the same passphrase, or deleted with
/// `--delete-plain-backups` (or when the clerk says so on the terminal); each is named.
fn plain_backups(db: &Path, config: &Config, new: &str, delete_flag: bool) -> anyhow::Result<()> {
    use crate::i18n::tf;
    let dir = backup::folder(db, config.backup_dir.as_deref());
    let plain = backup::plain_copies(db, &dir);
    if plain.is_empty() {
        return Ok(());
    }
    let delete = delete_flag || confirm_delete(plain.len());
    let progress = super::progress::Progress::new("backups", Some(plain.len() as u64), "");
    let mut failed = Vec::new();
    for (i, file) in plain.iter().enumerate() {
        let result = if delete {
            remove_with_companions(file)
        } else {
            cipher::convert(file, None, Some(new)).map_err(anyhow::Error::from)
        };
        progress.set(i as u64 + 1);
        match result {
            Ok(()) => eprintln!(
                "{}",
                tf(
                    if delete {
                        "encrypt.backup_deleted"
                    } else {
                        "encrypt.backup_encrypted"
                    },
                    &[("path", &shown_path(file))]
                )
            ),
            Err(e) => failed.push(format!("{}: {e}", shown_path(file))),
        }
    }
    drop(progress);
    if !failed.is_empty() {
        bail!(
            "{}",
            tf(
                "encrypt.backups_left",
                &[("count", &failed.len()), ("first", &failed[0])]
            )
        );
    }
    Ok(())
}

fn remove_with_companions(file: &Path) -> anyhow::Result<()> {
    std::fs::remove_file(file)?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut p = file.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    Ok(())
}

/// Asks on the terminal whether to delete rather than encrypt; no terminal: encrypt.
fn confirm_delete(count: usize) -> bool {
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return false;
    }
    eprint!(
        "{} ",
        crate::i18n::tf("encrypt.ask_delete", &[("count", &count)])
    );
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    let a = answer.trim().to_lowercase();
    a == "y" || a == "yes" || a == "是" || a == "d"
}

pub fn decrypt(db: PathBuf) -> anyhow::Result<ExitCode> {
    must_exist(&db)?;
    if cipher::is_plain(&db) {
        bail!("{} is not encrypted", shown_path(&db));
    }
    // The spinner starts once the passphrase is typed, so it never draws over the prompt.
    with_current(&db, |p| {
        let _progress = super::progress::Progress::new("decrypt", None, "");
        cipher::convert(&db, Some(p), None)
    })?;
    eprintln!("{} is no longer encrypted", shown_path(&db));
    Ok(ExitCode::SUCCESS)
}

pub fn passphrase(db: PathBuf) -> anyhow::Result<ExitCode> {
    must_exist(&db)?;
    if cipher::is_plain(&db) {
        bail!(
            "{} is not encrypted (encrypt it with `orderdesk encrypt`)",
            shown_path(&db)
        );
    }
    // The current passphrase is checked before the new one is asked for.
    let current = with_current(&db, |p| {
        cipher::open_checked(&db, Some(p), &db).map(|_| Passphrase::new(p.to_string()))
    })?;
    let new = new_passphrase(ENV_NEW)?;
    cipher::convert(&db, Some(&current), Some(&new))?;
    eprintln!("the passphrase of {} is changed", shown_path(&db));
    Ok(ExitCode::SUCCESS)
}
