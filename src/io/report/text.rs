//! `report --format text`: the figures as a table padded by display width (Chinese labels
//! line up), the month before beside them, and the on-time trend.

use super::figures::{grouped, sections, trend_chart};
use super::ReportData;
use crate::i18n::{t, tf};
use unicode_width::UnicodeWidthStr;

const VALUE_WIDTH: usize = 16;

fn pad(text: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(w)))
}

fn right(text: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(text);
    format!("{}{text}", " ".repeat(width.saturating_sub(w)))
}

/// Green for a met target, red for a missed one (the word beside it says the same).
fn coloured(text: String, verdict: Option<bool>, colour: bool) -> String {
    match (colour, verdict) {
        (true, Some(true)) => format!("\x1b[32m{text}\x1b[0m"),
        (true, Some(false)) => format!("\x1b[31m{text}\x1b[0m"),
        _ => text,
    }
}

/// `colour`: met and missed targets in green and red (only for a terminal without NO_COLOR).
pub fn render(data: &ReportData, colour: bool) -> String {
    let month = data.current.month;
    let sections = sections(&data.current, &data.previous);
    let label = |detail: bool, l: &str| {
        if detail {
            format!("    {l}")
        } else {
            format!("  {l}")
        }
    };
    let width = sections
        .iter()
        .flat_map(|s| {
            s.figures
                .iter()
                .map(|f| UnicodeWidthStr::width(label(f.detail, &f.label).as_str()))
        })
        .chain(sections.iter().map(|s| UnicodeWidthStr::width(s.title)))
        .max()
        .unwrap_or(0)
        + 2;
    let mut out = String::new();
    out.push_str(&tf("report.heading", &[("month", &month)]));
    out.push('\n');
    out.push_str(t("report.note"));
    out.push_str("\n\n");
    out.push_str(&pad(t("report.figure"), width));
    out.push_str(&right(&month.to_string(), VALUE_WIDTH));
    out.push_str(&right(&month.prev().to_string(), VALUE_WIDTH));
    out.push('\n');
    for s in &sections {
        out.push_str(s.title);
        out.push('\n');
        for f in &s.figures {
            let line = format!(
                "{}{}{}",
                pad(&label(f.detail, &f.label), width),
                coloured(
                    right(&f.current.text(), VALUE_WIDTH),
                    f.current.verdict(),
                    colour
                ),
                coloured(
                    right(&f.previous.text(), VALUE_WIDTH),
                    f.previous.verdict(),
                    colour
                ),
            );
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    let chart = trend_chart(data);
    out.push('\n');
    out.push_str(&chart.title);
    out.push('\n');
    for (bar, point) in chart.bars.iter().zip(&data.trend) {
        let blocks = (bar.value / 5.0).round() as usize;
        let line = format!(
            "  {}  {}  {}  {}",
            bar.label,
            right(&bar.shown, 6),
            pad(&"█".repeat(blocks), 20),
            tf(
                "report.trend_counts",
                &[
                    ("on_time", &grouped(point.on_time)),
                    ("delivered", &grouped(point.delivered))
                ]
            )
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
