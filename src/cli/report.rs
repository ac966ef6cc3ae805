//! `report` (SPEC §4): the monthly KPI report of one local calendar month.

use super::{open_existing, ReportFormat};
use crate::config::Config;
use crate::domain::month::Month;
use crate::domain::time::now;
use crate::io::report::{self, Format};
use anyhow::{bail, Context};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn report(
    db: PathBuf,
    config: &Config,
    month: Option<Month>,
    format: ReportFormat,
    output: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let format = match format {
        ReportFormat::Text => Format::Text,
        ReportFormat::Json => Format::Json,
        ReportFormat::Xlsx => Format::Xlsx,
        ReportFormat::Html => Format::Html,
    };
    if format == Format::Xlsx && output.is_none() {
        bail!("an xlsx report is a file: give it a name with -o FILE.xlsx");
    }
    let store = open_existing(db)?;
    let month = month.unwrap_or_else(Month::current);
    // Colour only on a terminal, and never when NO_COLOR is set.
    let colour = format == Format::Text
        && output.is_none()
        && std::io::IsTerminal::is_terminal(&std::io::stdout())
        && std::env::var_os("NO_COLOR").is_none();
    let bytes = if colour {
        report::render_coloured_text(store.conn(), month, now(), &config.targets)?
    } else {
        report::render(store.conn(), month, now(), &config.targets, format)?
    };
    match output {
        Some(path) => {
            report::save(&path, &bytes)?;
            eprintln!("report {month} → {}", path.display());
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)
                .and_then(|_| out.flush())
                .context("writing to standard output")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
