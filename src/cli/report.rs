//! `report` (SPEC §4).

use super::ReportFormat;
use crate::config::Config;
use anyhow::bail;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn report(
    _db: PathBuf,
    _config: &Config,
    _month: Option<&str>,
    _format: ReportFormat,
    _output: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    bail!("the monthly report is not available in this build yet")
}
