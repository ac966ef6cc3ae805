//! The monthly report as files (SPEC §4): JSON with exactly the §4 keys, a readable text table,
//! an xlsx workbook with native charts and one self-contained HTML page with SVG charts. Text,
//! HTML, workbook and the Reports tab share one list of labelled figures and one set of charts,
//! so they always show the same thing.

pub mod figures;
mod html;
pub use html::fragment as html_fragment;
pub mod review;
mod text;
mod xlsx;

use crate::domain::month::Month;
use crate::domain::report::quality::Targets;
use crate::domain::report::{MonthReport, TrendPoint};
use crate::store::report::{self, ReportLists};
use anyhow::Context as _;
use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// Months in the on-time trend.
pub const TREND_MONTHS: usize = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Xlsx,
    Html,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Json => "json",
            Format::Xlsx => "xlsx",
            Format::Html => "html",
        }
    }
}

/// A month's figures with the month before for comparison and the on-time trend ending with
/// it: what the Reports tab, the text, the page and the workbook show.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportData {
    pub current: MonthReport,
    pub previous: MonthReport,
    pub trend: Vec<TrendPoint>,
}

pub fn gather(
    conn: &Connection,
    month: Month,
    now: i64,
    targets: &Targets,
) -> crate::store::Result<ReportData> {
    report::snapshot(conn, || {
        let current = report::month_report(conn, month, now, targets)?;
        let previous = report::month_report(conn, month.prev(), now, targets)?;
        // The last two points are the two reports' own counts: no need to read them again.
        let mut trend = report::on_time_trend(conn, month.prev().prev(), TREND_MONTHS - 2)?;
        trend.push(TrendPoint::of(&previous));
        trend.push(TrendPoint::of(&current));
        Ok(ReportData {
            current,
            previous,
            trend,
        })
    })
}

/// `{ "month": …, "orders": …, … }`: the §4 figures of one month, nothing else.
pub fn json(report: &MonthReport) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_default();
    s.push('\n');
    s
}

/// The report of `month` in `format`, read from `conn`.
pub fn render(
    conn: &Connection,
    month: Month,
    now: i64,
    targets: &Targets,
    format: Format,
) -> anyhow::Result<Vec<u8>> {
    if format == Format::Json {
        return Ok(json(&report::month_report(conn, month, now, targets)?).into_bytes());
    }
    // One snapshot: the workbook's lists agree with its figures.
    report::snapshot(conn, || {
        let data = gather(conn, month, now, targets)?;
        render_data(conn, &data, format)
    })
}

/// The text report for a terminal: targets met and missed in green and red.
pub fn render_coloured_text(
    conn: &Connection,
    month: Month,
    now: i64,
    targets: &Targets,
) -> anyhow::Result<Vec<u8>> {
    let data = gather(conn, month, now, targets)?;
    Ok(text::render(&data, true).into_bytes())
}

/// The report of already gathered figures; the workbook reads its lists from `conn`.
pub fn render_data(
    conn: &Connection,
    data: &ReportData,
    format: Format,
) -> anyhow::Result<Vec<u8>> {
    Ok(match format {
        Format::Json => json(&data.current).into_bytes(),
        Format::Text => text::render(data, false).into_bytes(),
        Format::Html => html::render(data).into_bytes(),
        Format::Xlsx => {
            let lists: ReportLists = report::lists(conn, data.current.month)?;
            xlsx::render(data, &lists)?
        }
    })
}

/// Writes `bytes` beside `path` under a temporary name, readable by the owner only, and
/// renames it into place once complete: a failure never leaves half a file, and never over
/// what must be kept (see `io::files`).
pub fn save(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    crate::io::files::write_private(path, bytes)
}

/// `exports/report-2026-03-20261129-085100.xlsx` beside the database, for exports from the app.
pub fn export_path(db: &Path, month: Month, format: Format) -> PathBuf {
    let dir = db
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(|p| p.join("exports"))
        .unwrap_or_else(|| PathBuf::from("exports"));
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    dir.join(format!("report-{month}-{stamp}.{}", format.extension()))
}

/// Gathers and writes the report of `month` to the exports folder; returns the file.
pub fn export(
    conn: &Connection,
    db: &Path,
    month: Month,
    now: i64,
    targets: &Targets,
    format: Format,
) -> anyhow::Result<PathBuf> {
    let path = export_path(db, month, format);
    if let Some(dir) = path.parent() {
        crate::io::files::private_folder(dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let bytes = render(conn, month, now, targets, format)?;
    save(&path, &bytes)?;
    Ok(path)
}

#[cfg(test)]
mod tests;
