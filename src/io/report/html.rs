//! `report --format html`: one self-contained page for management — inline CSS, SVG bar
//! charts, no script and nothing fetched from elsewhere. Every text is escaped.

use super::figures::{charts, sections, Chart, Scale};
use super::ReportData;
use crate::i18n::{lang, t, tf, Lang};
use std::fmt::Write;

/// Text made safe for HTML and SVG, in element content and in quoted attributes alike.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI','PingFang SC','Microsoft YaHei',sans-serif;
margin:2em auto;max-width:1100px;color:#1d2733;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}
p.note{color:#5b6b7b;margin-top:0}
.charts{display:flex;flex-wrap:wrap;gap:1.5em;margin:1.5em 0}
figure{margin:0;border:1px solid #d8dee6;border-radius:6px;padding:.8em}
figcaption{font-weight:600;margin-bottom:.4em}
svg text{font-size:12px;fill:#1d2733}
svg .bar{fill:#2b7bb9}
svg .axis{stroke:#b8c2cc}
table{border-collapse:collapse;width:100%}
th,td{padding:.3em .6em;border-bottom:1px solid #e6eaef;text-align:right}
th:first-child,td:first-child{text-align:left}
tr.section th{background:#f2f5f8;text-align:left}
td.detail{padding-left:2em;color:#5b6b7b}
td.prev{color:#5b6b7b}
td.met{color:#1a7f37;font-weight:600}
td.missed{color:#cf222e;font-weight:600}
";

/// A vertical bar per month, its value above it.
fn columns(chart: &Chart) -> String {
    let (bar, gap, top, bottom, height) = (40.0, 14.0, 20.0, 24.0, 160.0);
    let width = chart.bars.len() as f64 * (bar + gap) + gap;
    let max = chart.max();
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{}" role="img" aria-label="{}">"#,
        top + height + bottom,
        escape(&chart.title)
    );
    let base = top + height;
    let _ = write!(
        svg,
        r#"<line class="axis" x1="0" y1="{base}" x2="{width}" y2="{base}"/>"#
    );
    for (i, b) in chart.bars.iter().enumerate() {
        let h = (b.value / max).clamp(0.0, 1.0) * height;
        let x = gap + i as f64 * (bar + gap);
        let _ = write!(
            svg,
            r#"<rect class="bar" x="{x}" y="{:.1}" width="{bar}" height="{h:.1}"><title>{}: {}</title></rect><text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text><text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            base - h,
            escape(&b.label),
            escape(&b.shown),
            x + bar / 2.0,
            base - h - 4.0,
            escape(&b.shown),
            x + bar / 2.0,
            base + 16.0,
            escape(&b.label),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A horizontal bar per word, its label on the left and its value on the right.
fn rows(chart: &Chart) -> String {
    let (label_w, bar_w, value_w, row) = (150.0, 200.0, 60.0, 24.0);
    let width = label_w + bar_w + value_w;
    let max = chart.max();
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{}" role="img" aria-label="{}">"#,
        chart.bars.len() as f64 * row + 4.0,
        escape(&chart.title)
    );
    for (i, b) in chart.bars.iter().enumerate() {
        let y = i as f64 * row;
        let w = (b.value / max).clamp(0.0, 1.0) * bar_w;
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="bar" x="{label_w}" y="{:.1}" width="{w:.1}" height="{:.1}"><title>{}: {}</title></rect><text x="{:.1}" y="{:.1}">{}</text>"#,
            label_w - 8.0,
            y + 16.0,
            escape(&b.label),
            y + 4.0,
            row - 8.0,
            escape(&b.label),
            escape(&b.shown),
            label_w + w + 6.0,
            y + 16.0,
            escape(&b.shown),
        );
    }
    svg.push_str("</svg>");
    svg
}

pub fn render(data: &ReportData) -> String {
    let month = data.current.month;
    let title = tf("report.heading", &[("month", &month)]);
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p class=\"note\">{}</p>\n",
        if lang() == Lang::Zh { "zh-CN" } else { "en" },
        escape(&title),
        escape(&title),
        escape(t("report.note")),
    );
    html.push_str(&fragment(data));
    html.push_str("</body>\n</html>\n");
    html
}

/// The charts and the table of figures, without the page around them: the web desk shows
/// them inside its own page (class names only, no inline style, so a strict CSP holds).
pub fn fragment(data: &ReportData) -> String {
    let month = data.current.month;
    let mut html = String::new();
    html.push_str("<div class=\"charts\">\n");
    for chart in charts(data) {
        let svg = if chart.scale == Scale::Percent {
            columns(&chart)
        } else {
            rows(&chart)
        };
        let _ = writeln!(
            html,
            "<figure><figcaption>{}</figcaption>{svg}</figure>",
            escape(&chart.title)
        );
    }
    html.push_str("</div>\n<table>\n");
    let _ = writeln!(
        html,
        "<thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        escape(t("report.figure")),
        month,
        month.prev()
    );
    for s in sections(&data.current, &data.previous) {
        let _ = writeln!(
            html,
            "<tr class=\"section\"><th colspan=\"3\">{}</th></tr>",
            escape(s.title)
        );
        for f in s.figures {
            let _ = writeln!(
                html,
                "<tr><td{}>{}</td><td{}>{}</td><td class=\"prev\">{}</td></tr>",
                if f.detail { " class=\"detail\"" } else { "" },
                escape(&f.label),
                match f.current.verdict() {
                    Some(true) => " class=\"met\"",
                    Some(false) => " class=\"missed\"",
                    None => "",
                },
                escape(&f.current.text()),
                escape(&f.previous.text()),
            );
        }
    }
    html.push_str("</tbody>\n</table>\n");
    html
}
