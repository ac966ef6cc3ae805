//! Accounts of the web desk: who may read it, with which role, and how a password is kept
//! (argon2id, salted, never the password itself).

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use std::fmt;
use std::str::FromStr;

/// What an account may see: a viewer sees personal data masked as in exports, a manager
/// sees it whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Viewer,
    Manager,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Manager => "manager",
        }
    }

    /// Whether personal data is shown masked.
    pub fn masks(self) -> bool {
        self == Role::Viewer
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        match s {
            "viewer" => Ok(Role::Viewer),
            "manager" => Ok(Role::Manager),
            other => Err(format!("unknown role {other:?} (viewer or manager)")),
        }
    }
}

/// Longest account name accepted.
pub const MAX_NAME_CHARS: usize = 64;
/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted: hashing a megabyte on every login attempt would be a cheap
/// way to keep the server busy.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A name is one word of printable characters (letters of any script, digits, `.-_@`).
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the account name must not be empty".into());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "the account name is longer than {MAX_NAME_CHARS} characters"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@')))
    {
        return Err(format!(
            "the account name may hold letters, digits and . - _ @ only, not {}",
            crate::domain::text::shown(&c.to_string())
        ));
    }
    Ok(())
}

pub fn check_password(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "the password must have at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(format!(
            "the password must not be longer than {MAX_PASSWORD_BYTES} bytes"
        ));
    }
    Ok(())
}

/// The PHC string of an argon2id hash of `password` with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// Whether `password` matches the stored `hash` (a damaged hash matches nothing).
pub fn verify_password(password: &str, hash: &str) -> bool {
    password.len() <= MAX_PASSWORD_BYTES
        && Argon2::default()
            .verify_password(password.as_bytes(), hash)
            .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_is_argon2id_salted_and_verifies_only_its_password() {
        let a = hash_password("correct horse").unwrap();
        let b = hash_password("correct horse").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "a fresh salt each time");
        assert!(verify_password("correct horse", &a));
        assert!(!verify_password("correct horsf", &a));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn names_and_passwords_are_checked() {
        assert!(check_name("li.na").is_ok());
        assert!(check_name("李娜").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("a b").is_err());
        assert!(check_name("a\u{1b}b").is_err());
        assert!(check_password("short").is_err());
        assert!(check_password("long enough").is_ok());
        assert!(check_password(&"x".repeat(2000)).is_err());
        assert_eq!("manager".parse::<Role>(), Ok(Role::Manager));
        assert!("root".parse::<Role>().is_err());
    }
}
