//! Accounts of the web desk. Every change, login and failed login goes into the audit log;
//! the password hash never does.

use super::{audit, Context, Failure, Result, Store, StoreError};
use crate::domain::account::Role;
use crate::store::{Record, RecordKind};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub role: Role,
    pub created_at: i64,
    pub changed_at: i64,
}

/// What a login needs: the role and the stored hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub role: Role,
    pub password_hash: String,
}

fn role_col(r: &rusqlite::Row, i: usize) -> rusqlite::Result<Role> {
    let s: String = r.get(i)?;
    Role::from_str(&s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    })
}

/// Adds an account; an existing name is refused.
pub fn add(store: &mut Store, name: &str, role: Role, password_hash: &str) -> Result<()> {
    let tx = store.begin()?;
    let now = crate::domain::time::now();
    let exists: bool = tx
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM users WHERE name = ?1)",
            [name],
            |r| r.get(0),
        )
        .doing("looking up an account")?;
    if exists {
        return Err(Failure::AccountExists {
            name: name.to_string(),
        }
        .into());
    }
    tx.execute(
        "INSERT INTO users (name, role, password_hash, created_at, changed_at)
         VALUES (?1, ?2, ?3, ?4, ?4)",
        params![name, role.as_str(), password_hash, now],
    )
    .doing("adding an account")?;
    audit::append(
        &tx,
        "user_add",
        "user",
        name,
        &json!({ "role": role.as_str() }),
    )?;
    tx.commit().doing("saving the account")
}

/// Removes an account; `NotFound` when there is none of that name.
pub fn remove(store: &mut Store, name: &str) -> Result<()> {
    let tx = store.begin()?;
    let n = tx
        .execute("DELETE FROM users WHERE name = ?1", [name])
        .doing("removing an account")?;
    if n == 0 {
        return Err(StoreError::NotFound(Record::new(
            RecordKind::Account,
            crate::domain::text::shown(name),
        )));
    }
    audit::append(&tx, "user_remove", "user", name, &json!({}))?;
    tx.commit().doing("removing the account")
}

/// Sets a new password hash; `NotFound` when there is no such account.
pub fn set_password(store: &mut Store, name: &str, password_hash: &str) -> Result<()> {
    let tx = store.begin()?;
    let n = tx
        .execute(
            "UPDATE users SET password_hash = ?2, changed_at = ?3 WHERE name = ?1",
            params![name, password_hash, crate::domain::time::now()],
        )
        .doing("changing a password")?;
    if n == 0 {
        return Err(StoreError::NotFound(Record::new(
            RecordKind::Account,
            crate::domain::text::shown(name),
        )));
    }
    audit::append(&tx, "user_passwd", "user", name, &json!({}))?;
    tx.commit().doing("saving the password")
}

/// Every account, by name (a desk has a handful).
pub fn list(conn: &Connection) -> Result<Vec<User>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT name, role, created_at, changed_at FROM users ORDER BY name LIMIT 10000",
        )
        .doing("listing accounts")?;
    let rows = stmt
        .query_map([], |r| {
            Ok(User {
                name: r.get(0)?,
                role: role_col(r, 1)?,
                created_at: r.get(2)?,
                changed_at: r.get(3)?,
            })
        })
        .doing("listing accounts")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("listing accounts")?;
    Ok(rows)
}

pub fn credentials(conn: &Connection, name: &str) -> Result<Option<Credentials>> {
    conn.prepare_cached("SELECT role, password_hash FROM users WHERE name = ?1")
        .and_then(|mut s| {
            s.query_row([name], |r| {
                Ok(Credentials {
                    role: role_col(r, 0)?,
                    password_hash: r.get(1)?,
                })
            })
            .optional()
        })
        .doing("reading an account")
}

/// The role an account has now; `None` once it is removed (its sessions end with it).
pub fn role(conn: &Connection, name: &str) -> Result<Option<Role>> {
    conn.prepare_cached("SELECT role FROM users WHERE name = ?1")
        .and_then(|mut s| s.query_row([name], |r| role_col(r, 0)).optional())
        .doing("reading an account")
}

/// What happened at the login form, for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginEvent {
    Login,
    Failed,
    /// Refused without checking the password: too many failures lately.
    Limited,
    Logout,
}

impl LoginEvent {
    fn action(self) -> &'static str {
        match self {
            LoginEvent::Login => "web_login",
            LoginEvent::Failed => "web_login_failed",
            LoginEvent::Limited => "web_login_limited",
            LoginEvent::Logout => "web_logout",
        }
    }
}

/// Records a login, a failed one or a logout, with the client's address.
pub fn record(store: &mut Store, event: LoginEvent, name: &str, address: &str) -> Result<()> {
    let tx = store.begin()?;
    // The name is what was typed: kept visible and harmless, and bounded.
    let shown: String = crate::domain::text::shown(name).chars().take(80).collect();
    audit::append(
        &tx,
        event.action(),
        "user",
        &shown,
        &json!({ "address": address }),
    )?;
    tx.commit().doing("recording a login")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_added_listed_changed_removed_and_audited() {
        let mut store = Store::open_in_memory().unwrap();
        add(&mut store, "li", Role::Viewer, "$argon2id$x").unwrap();
        add(&mut store, "boss", Role::Manager, "$argon2id$y").unwrap();
        assert!(add(&mut store, "li", Role::Manager, "z").is_err());
        let names: Vec<_> = list(store.conn())
            .unwrap()
            .into_iter()
            .map(|u| (u.name, u.role))
            .collect();
        assert_eq!(
            names,
            vec![("boss".into(), Role::Manager), ("li".into(), Role::Viewer)]
        );
        set_password(&mut store, "li", "$argon2id$new").unwrap();
        assert_eq!(
            credentials(store.conn(), "li")
                .unwrap()
                .unwrap()
                .password_hash,
            "$argon2id$new"
        );
        remove(&mut store, "li").unwrap();
        assert!(matches!(
            remove(&mut store, "li"),
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            set_password(&mut store, "li", "h"),
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(role(store.conn(), "li").unwrap(), None);
        record(&mut store, LoginEvent::Failed, "boss", "127.0.0.1").unwrap();
        let actions: Vec<String> = store
            .conn()
            .prepare("SELECT action FROM audit_log ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            actions,
            [
                "user_add",
                "user_add",
                "user_passwd",
                "user_remove",
                "web_login_failed"
            ]
        );
        let details: String = store
            .conn()
            .query_row("SELECT group_concat(detail) FROM audit_log", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(!details.contains("argon2"), "no hash in the log: {details}");
        assert_eq!(audit::verify(store.conn()).unwrap().first_broken, None);
    }
}
