//! `backup`, `restore`, `encrypt`, `decrypt`, `passphrase` (SPEC §8).

use crate::config::Config;
use anyhow::bail;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn backup(_db: PathBuf, _config: &Config, _to: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    bail!("backup is not available in this build yet")
}

pub fn restore(_db: PathBuf, _file: &Path) -> anyhow::Result<ExitCode> {
    bail!("restore is not available in this build yet")
}

pub fn encrypt(_db: PathBuf) -> anyhow::Result<ExitCode> {
    bail!("encrypt is not available in this build yet")
}

pub fn decrypt(_db: PathBuf) -> anyhow::Result<ExitCode> {
    bail!("decrypt is not available in this build yet")
}

pub fn passphrase(_db: PathBuf) -> anyhow::Result<ExitCode> {
    bail!("passphrase is not available in this build yet")
}
