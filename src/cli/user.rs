//! `orderdesk user add|list|remove|passwd`: the accounts of the web desk. A new password
//! comes from `ORDERDESK_NEW_PASSWORD`, else it is asked twice on the terminal without echo.

use super::{open_existing, open_writable};
use crate::domain::account::{self, Role};
use crate::domain::text::shown;
use crate::store::users;
use anyhow::{anyhow, bail};
use clap::{Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use zeroize::Zeroizing;

/// The new password, for scripts.
pub const ENV_PASSWORD: &str = "ORDERDESK_NEW_PASSWORD";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// Sees personal data masked, as in exports
    Viewer,
    /// Sees personal data unmasked
    Manager,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Viewer => Role::Viewer,
            RoleArg::Manager => Role::Manager,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account (password from ORDERDESK_NEW_PASSWORD, else asked twice)
    Add {
        name: String,
        /// What the account may see
        #[arg(long, value_enum, default_value_t = RoleArg::Viewer)]
        role: RoleArg,
    },
    /// List the accounts and their roles
    List,
    /// Remove an account (its open sessions end at their next page)
    Remove { name: String },
    /// Set a new password (from ORDERDESK_NEW_PASSWORD, else asked twice)
    Passwd { name: String },
}

fn new_password() -> anyhow::Result<Zeroizing<String>> {
    let password = match std::env::var(ENV_PASSWORD).ok().filter(|v| !v.is_empty()) {
        Some(p) => Zeroizing::new(p),
        None => {
            let no_tty = |_| anyhow!("no terminal to ask for the password: set {ENV_PASSWORD}");
            let first =
                Zeroizing::new(rpassword::prompt_password("New password: ").map_err(no_tty)?);
            account::check_password(&first).map_err(|e| anyhow!("{e}; nothing was changed"))?;
            let second = Zeroizing::new(
                rpassword::prompt_password("Repeat the new password: ").map_err(no_tty)?,
            );
            if first != second {
                bail!("the two passwords differ; nothing was changed");
            }
            first
        }
    };
    account::check_password(&password).map_err(|e| anyhow!("{e}; nothing was changed"))?;
    Ok(password)
}

pub fn run(db: PathBuf, command: UserCommand) -> anyhow::Result<ExitCode> {
    match command {
        UserCommand::Add { name, role } => {
            account::check_name(&name).map_err(|e| anyhow!(e))?;
            let mut store = open_writable(&db)?;
            let password = new_password()?;
            let hash = account::hash_password(&password).map_err(|e| anyhow!(e))?;
            let role = Role::from(role);
            users::add(&mut store, &name, role, &hash)?;
            eprintln!("account {name} added ({role})");
        }
        UserCommand::List => {
            let store = open_existing(db)?;
            let list = users::list(store.conn())?;
            if list.is_empty() {
                eprintln!("no accounts yet (add one with `orderdesk user add NAME --role viewer`)");
            }
            for u in list {
                println!(
                    "{}\t{}\t{}",
                    shown(&u.name),
                    u.role,
                    crate::domain::time::format_stamp(u.changed_at)
                );
            }
        }
        UserCommand::Remove { name } => {
            let mut store = open_writable(&db)?;
            users::remove(&mut store, &name)?;
            eprintln!("account {} removed", shown(&name));
        }
        UserCommand::Passwd { name } => {
            let mut store = open_writable(&db)?;
            if users::role(store.conn(), &name)?.is_none() {
                bail!("account {} not found", shown(&name));
            }
            let password = new_password()?;
            let hash = account::hash_password(&password).map_err(|e| anyhow!(e))?;
            users::set_password(&mut store, &name, &hash)?;
            eprintln!("the password of {} is changed", shown(&name));
        }
    }
    Ok(ExitCode::SUCCESS)
}
