//! Authorised exports (SPEC §8): on an encrypted desk, what lets personal data out unmasked
//! (`export --include-pii`, `restore`, `serve`) asks for the passphrase again, from the same
//! source as at open (`ORDERDESK_PASSPHRASE`, else the terminal), and for a reason
//! (`--reason TEXT`, else asked on the terminal), which the audit log keeps. A wrong
//! passphrase, or no reason, is refused with exit code 2 before anything is written. A plain
//! desk says once, on standard error, that these are unprotected.

use super::safety::ENV;
use crate::domain::text::{self, Lines};
use crate::i18n::{t, tf};
use crate::store::cipher::{self, Passphrase};
use crate::store::{audit, Context, Store};
use std::path::Path;

/// A refusal of an authorisation: the command ends with exit code 2 (see `main`).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// The longest reason kept, in characters.
const REASON_MAX: usize = 500;

/// Authorises `what` (a `authorise.what_*` key) on the open `store`: on an encrypted desk the
/// passphrase again and a reason; on a plain one the note that it is unprotected, and the
/// reason only when one was given. The reason to record, if any.
pub fn authorise(
    store: &Store,
    what: &str,
    reason: Option<String>,
) -> anyhow::Result<Option<String>> {
    match store.passphrase() {
        None => {
            eprintln!("{}", t("authorise.unprotected"));
            reason.map(|r| checked_reason(&r, what)).transpose()
        }
        Some(key) => {
            let again = passphrase_again(what)?;
            if again.as_str() != key {
                return Err(Refused(tf("authorise.wrong", &[("what", &t(what))])).into());
            }
            Ok(Some(required_reason(reason, what)?))
        }
    }
}

/// [`authorise`] for the database file at `db` that is not open (restore replaces it): the
/// passphrase is checked by opening the file with it. The passphrase (encrypted desk) and
/// the reason. A plain desk's note is the caller's to print, once the command succeeded.
pub fn authorise_file(
    db: &Path,
    what: &str,
    reason: Option<String>,
) -> anyhow::Result<(Option<Passphrase>, Option<String>)> {
    if !db.exists() || !cipher::looks_encrypted(db) {
        let reason = reason.map(|r| checked_reason(&r, what)).transpose()?;
        return Ok((None, reason));
    }
    let again = passphrase_again(what)?;
    match cipher::open_checked(db, Some(&again), db) {
        Ok(_) => {}
        Err(crate::store::StoreError::WrongPassphrase { .. }) => {
            return Err(Refused(tf("authorise.wrong", &[("what", &t(what))])).into())
        }
        Err(e) => return Err(e.into()),
    }
    Ok((Some(again), Some(required_reason(reason, what)?)))
}

/// Keeps the reason in the audit log, in its own transaction: `authorise` on `entity`
/// (`export`, `restore`, `serve`, `sheet`) and `key` (what exactly).
pub fn record(store: &mut Store, entity: &str, key: &str, reason: &str) -> anyhow::Result<()> {
    let tx = store.begin()?;
    audit::append(
        &tx,
        "authorise",
        entity,
        key,
        &serde_json::json!({ "reason": reason }),
    )?;
    tx.commit().doing("recording the authorisation")?;
    Ok(())
}

fn passphrase_again(what: &str) -> anyhow::Result<Passphrase> {
    if let Some(p) = std::env::var(ENV).ok().filter(|v| !v.is_empty()) {
        return Ok(Passphrase::new(p));
    }
    rpassword::prompt_password(tf("authorise.ask_passphrase", &[("what", &t(what))]))
        .map(Passphrase::new)
        .map_err(|_| Refused(tf("authorise.no_terminal", &[("what", &t(what))])).into())
}

/// The reason given, else asked on the terminal; one line, never empty.
fn required_reason(given: Option<String>, what: &str) -> anyhow::Result<String> {
    if let Some(r) = given {
        return checked_reason(&r, what);
    }
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        return Err(Refused(tf("authorise.no_terminal", &[("what", &t(what))])).into());
    }
    eprint!("{}", tf("authorise.ask_reason", &[("what", &t(what))]));
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|_| Refused(tf("authorise.no_reason", &[("what", &t(what))])))?;
    checked_reason(line.trim_end_matches(['\r', '\n']), what)
}

/// One line of text through the text policy, not empty, at most [`REASON_MAX`] characters.
pub fn checked_reason(reason: &str, what: &str) -> anyhow::Result<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Refused(tf("authorise.no_reason", &[("what", &t(what))])).into());
    }
    text::check(reason, Lines::One).map_err(|e| {
        Refused(tf(
            "authorise.bad_reason",
            &[("error", &text::shown(&e.to_string()))],
        ))
    })?;
    Ok(reason.chars().take(REASON_MAX).collect())
}
