//! The Reports tab (the month at a glance). The Today tab is drawn by `today_tab`.

use super::{pane, theme};
use crate::app::App;
use crate::domain::kpi::{percent, rate};
use crate::i18n::t;
use crate::store::summary::MonthSummary;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;

pub fn reports(frame: &mut Frame, app: &App, area: Rect) {
    let Some((now, before)) = &app.report else {
        frame.render_widget(
            Paragraph::new(t("ui.loading")).block(pane(t("tab.reports").into())),
            area,
        );
        return;
    };
    let by_type = |s: &MonthSummary| {
        format!(
            "{} {} · {} {} · {} {}",
            t("type.regular"),
            s.confirmed_by_type[0],
            t("type.rush"),
            s.confirmed_by_type[1],
            t("type.custom"),
            s.confirmed_by_type[2]
        )
    };
    let response = |s: &MonthSummary| {
        percent(rate(
            s.responded_24h,
            s.complaints.saturating_sub(s.complaints_pending),
        ))
    };
    let figures: Vec<(&str, String, String)> = vec![
        (
            "reports.confirmed",
            now.confirmed.to_string(),
            before.confirmed.to_string(),
        ),
        (
            "reports.amount",
            now.amount.describe(),
            before.amount.describe(),
        ),
        ("reports.by_type", by_type(now), by_type(before)),
        (
            "reports.delivered",
            now.delivered.to_string(),
            before.delivered.to_string(),
        ),
        (
            "reports.on_time_rate",
            percent(rate(now.on_time, now.delivered)),
            percent(rate(before.on_time, before.delivered)),
        ),
        (
            "reports.conversion",
            percent(rate(now.won, now.won + now.lost)),
            percent(rate(before.won, before.won + before.lost)),
        ),
        (
            "reports.complaints",
            now.complaints.to_string(),
            before.complaints.to_string(),
        ),
        ("reports.response_24h", response(now), response(before)),
        (
            "reports.closure_rate",
            percent(rate(now.complaints_closed, now.complaints)),
            percent(rate(before.complaints_closed, before.complaints)),
        ),
    ];
    let rows = figures
        .into_iter()
        .map(|(k, a, b)| Row::new(vec![Cell::from(t(k)), Cell::from(a), Cell::from(b)]));
    let table = Table::new(
        rows,
        [
            Constraint::Length(30),
            Constraint::Fill(1),
            Constraint::Fill(1),
        ],
    )
    .header(
        Row::new(vec![
            Cell::from(t("reports.figure")),
            Cell::from(now.month.clone()),
            Cell::from(before.month.clone()),
        ])
        .style(theme::header()),
    )
    .block(pane(format!(
        "{} {} · {}",
        t("tab.reports"),
        now.month,
        t("reports.month_keys")
    )));
    frame.render_widget(table, area);
}
