//! The Today tab: what needs the clerk now, with counts.

use super::{pane, theme};
use crate::app::App;
use crate::i18n::t;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    if app.today.is_empty() {
        frame.render_widget(
            Paragraph::new(t("ui.loading")).block(pane(t("tab.today").into())),
            area,
        );
        return;
    }
    let rows = app.today.iter().enumerate().map(|(i, r)| {
        let style = if i == app.today_cursor {
            theme::selected()
        } else if r.count > 0 && i < 5 {
            theme::late()
        } else if r.count == 0 {
            theme::done()
        } else {
            Style::default()
        };
        Row::new(vec![
            Cell::from(Line::from(r.count.to_string()).right_aligned()),
            Cell::from(t(&format!("today.{}", r.kind))),
        ])
        .style(style)
    });
    let table = Table::new(rows, [Constraint::Length(9), Constraint::Fill(1)])
        .header(
            Row::new(vec![
                Cell::from(t("col.count")),
                Cell::from(t("col.reminder")),
            ])
            .style(theme::header()),
        )
        .block(pane(t("tab.today").into()));
    frame.render_widget(table, area);
}
