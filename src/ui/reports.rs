//! The Reports tab: every §4 figure of the chosen month with the month before beside it, and
//! beside them the charts — on-time rate over the last 12 months, complaint types, late
//! causes, order types and satisfaction.

use super::{pane, theme};
use crate::app::keymap::Action;
use crate::app::App;
use crate::i18n::{t, tf};
use crate::io::report::figures::{self, Chart, Scale};
use crate::io::report::ReportData;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{
    Bar, BarChart, BarGroup, Cell, Paragraph, Row, Scrollbar, ScrollbarOrientation, ScrollbarState,
    Table,
};
use ratatui::Frame;

/// Below this width the charts give their room to the figures.
const CHARTS_MIN_WIDTH: u16 = 110;
const FIGURES_WIDTH: u16 = 68;
const VALUE_WIDTH: u16 = 14;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let r = &app.screens.reports;
    let Some(data) = r.shown() else {
        let text = tf("report.loading", &[("month", &r.month)]);
        frame.render_widget(
            Paragraph::new(text).block(pane(tf("report.pane", &[("month", &r.month)]))),
            area,
        );
        return;
    };
    if area.width < CHARTS_MIN_WIDTH {
        figures_table(frame, data, r.scroll, area);
        return;
    }
    let [left, right] =
        Layout::horizontal([Constraint::Length(FIGURES_WIDTH), Constraint::Fill(1)]).areas(area);
    figures_table(frame, data, r.scroll, left);
    charts(frame, data, right);
}

/// The status line: what is being computed or written, else the keys and where files go.
pub fn status(app: &App) -> String {
    let r = &app.screens.reports;
    if r.computing() {
        tf("report.loading", &[("month", &r.month)])
    } else if r.exporting() {
        tf("report.exporting", &[("month", &r.month)])
    } else {
        let k = |a: Action| app.keymap.describe(a);
        tf(
            "report.hint",
            &[
                ("prev", &k(Action::PrevMonth)),
                ("next", &k(Action::NextMonth)),
                ("xlsx", &k(Action::ExportReportXlsx)),
                ("html", &k(Action::ExportReportHtml)),
            ],
        )
    }
}

fn figures_table(frame: &mut Frame, data: &ReportData, scroll: usize, area: Rect) {
    let month = data.current.month;
    let value =
        |text: String, style: Style| Cell::from(Line::from(text).right_aligned().style(style));
    let mut rows = Vec::new();
    for s in figures::sections(&data.current, &data.previous) {
        rows.push(Row::new(vec![Cell::from(s.title)]).style(theme::title()));
        for f in s.figures {
            let (indent, style) = if f.detail {
                ("    ", theme::dim())
            } else {
                ("  ", Style::default())
            };
            rows.push(Row::new(vec![
                Cell::from(format!("{indent}{}", f.label)).style(style),
                // Met and missed: a word in the text, and green or red beside it.
                value(
                    f.current.text(),
                    match f.current.verdict() {
                        Some(true) => theme::info(),
                        Some(false) => theme::late(),
                        None => Style::default(),
                    },
                ),
                value(f.previous.text(), theme::dim()),
            ]));
        }
    }
    let total = rows.len();
    let table = Table::new(
        rows.into_iter().skip(scroll),
        [
            Constraint::Fill(1),
            Constraint::Length(VALUE_WIDTH),
            Constraint::Length(VALUE_WIDTH),
        ],
    )
    .header(
        Row::new(vec![
            Cell::from(t("report.figure")),
            value(month.to_string(), Style::default()),
            value(month.prev().to_string(), Style::default()),
        ])
        .style(theme::header()),
    )
    .block(pane(tf("report.pane", &[("month", &month)])));
    frame.render_widget(table, area);
    // Below the header, inside the border: where the visible rows sit among all of them.
    let track = Rect {
        y: area.y + 2,
        height: area.height.saturating_sub(3),
        ..area
    };
    if total > track.height as usize {
        let mut state =
            ScrollbarState::new(total.saturating_sub(track.height as usize)).position(scroll);
        frame.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight)
                .begin_symbol(None)
                .end_symbol(None)
                .style(theme::dim()),
            track,
            &mut state,
        );
    }
}

fn charts(frame: &mut Frame, data: &ReportData, area: Rect) {
    let [trend, complaints, late, bottom] = Layout::vertical([
        Constraint::Min(8),
        Constraint::Length(8),
        Constraint::Length(9),
        Constraint::Length(8),
    ])
    .areas(area);
    let [types, satisfaction] =
        Layout::horizontal([Constraint::Length(22), Constraint::Fill(1)]).areas(bottom);
    columns(frame, &figures::trend_chart(data), trend);
    let mut month = figures::month_charts(&data.current).into_iter();
    for place in [complaints, late, types, satisfaction] {
        if let Some(chart) = month.next() {
            rows(frame, &chart, place);
        }
    }
}

/// Bar values in hundredths, so averages like 4.33 keep their shape.
fn ticks(chart: &Chart, value: f64) -> u64 {
    match chart.scale {
        Scale::Count => value.round().max(0.0) as u64,
        Scale::Percent | Scale::Score => (value * 100.0).round().max(0.0) as u64,
    }
}

fn chart_max(chart: &Chart) -> u64 {
    ticks(chart, chart.max()).max(1)
}

/// The trend: one column per month, its percentage on top, the month's number below.
fn columns(frame: &mut Frame, chart: &Chart, area: Rect) {
    let block = pane(chart.title.clone());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 3 || inner.width < 12 {
        return;
    }
    let bars: Vec<Bar> = chart
        .bars
        .iter()
        .map(|b| {
            let label = b.label.get(5..).unwrap_or(&b.label).to_string();
            Bar::default()
                .value(ticks(chart, b.value))
                .text_value(if b.shown == "–" {
                    String::new()
                } else {
                    format!("{:.0}", b.value)
                })
                .label(Line::from(label))
        })
        .collect();
    let width = (inner.width / chart.bars.len().max(1) as u16)
        .saturating_sub(1)
        .clamp(1, 5);
    let widget = BarChart::default()
        .data(BarGroup::default().bars(&bars))
        .bar_width(width)
        .bar_gap(1)
        .max(chart_max(chart))
        .bar_style(theme::accent())
        .value_style(theme::key());
    frame.render_widget(widget, inner);
}

/// A breakdown: one row per word, the label on the left, the value at the bar's end.
fn rows(frame: &mut Frame, chart: &Chart, area: Rect) {
    let block = pane(chart.title.clone());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 1 || inner.width < 8 {
        return;
    }
    let label_room = (inner.width / 2) as usize;
    let bars: Vec<Bar> = chart
        .bars
        .iter()
        .map(|b| {
            Bar::default()
                .value(ticks(chart, b.value))
                .text_value(b.shown.clone())
                .label(Line::from(
                    super::text::fit(&b.label, label_room).into_owned(),
                ))
        })
        .collect();
    let widget = BarChart::default()
        .direction(Direction::Horizontal)
        .data(BarGroup::default().bars(&bars))
        .bar_width(1)
        .bar_gap(0)
        .max(chart_max(chart))
        .bar_style(theme::accent())
        .value_style(theme::key());
    frame.render_widget(widget, inner);
}
