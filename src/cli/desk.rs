//! `remind` and `review`: the desk's reminders for a login script and the weekly review.

use super::ReviewFormat;
use crate::config::Config;
use anyhow::bail;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn remind(_db: PathBuf, _config: &Config) -> anyhow::Result<ExitCode> {
    bail!("remind is not available in this build yet")
}

pub fn review(
    _db: PathBuf,
    _config: &Config,
    _format: ReviewFormat,
    _output: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    bail!("review is not available in this build yet")
}
