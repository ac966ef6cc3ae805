//! `report` (SPEC §4): the monthly KPI report of one local calendar month.

use super::{open_existing, ReportFormat};
use crate::config::Config;
use crate::domain::month::Month;
use crate::domain::time::now;
use crate::io::files::shown_path;
use crate::io::report::{self, Format};
use anyhow::bail;
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
    // A workbook goes to standard output only when asked for by name (`-o -`), and never
    // onto a terminal.
    let dash = output.as_deref() == Some(std::path::Path::new("-"));
    let output = super::output::file(output);
    if let Some(path) = &output {
        crate::io::files::refuse_kept(path)?;
    }
    let to_terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
    if format == Format::Xlsx && output.is_none() && (to_terminal || !dash) {
        bail!("an xlsx report is a file: give it a name with -o FILE.xlsx");
    }
    let store = open_existing(db)?;
    let month = month.unwrap_or_else(Month::current);
    let progress = (matches!(format, Format::Xlsx | Format::Html))
        .then(|| super::progress::Progress::new(&format!("report {month}"), None, ""));
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
    drop(progress);
    match output {
        Some(path) => {
            report::save(&path, &bytes)?;
            eprintln!("report {month} → {}", shown_path(&path));
        }
        None if format == Format::Text && to_terminal => {
            let text = String::from_utf8_lossy(&bytes);
            super::output::print(crate::domain::text::shown_lines(&text).as_bytes())?;
        }
        None => super::output::print(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}
