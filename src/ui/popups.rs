//! Overlays: help, command palette, filters, status menu, prompts and confirmations.

use super::{pane, tables::filter_label, theme};
use crate::app::keymap::Action;
use crate::app::{palette, status_key, App, Confirm, Mode, Prompt};
use crate::domain::status::Status;
use crate::i18n::{t, tf};
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Wrap};
use ratatui::Frame;
use strum::IntoEnumIterator;

pub(super) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    h
}

pub(super) fn popup(
    frame: &mut Frame,
    area: Rect,
    title: String,
    lines: Vec<Line<'static>>,
    width: u16,
) -> Rect {
    let r = centered(area, width, lines.len() as u16 + 2);
    frame.render_widget(Clear, r);
    frame.render_widget(
        super::text::paragraph(lines)
            .block(pane(title))
            .wrap(Wrap { trim: false }),
        r,
    );
    r
}

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    match &app.mode {
        Mode::Normal | Mode::Search { .. } => {}
        Mode::Help(scroll) => help(frame, app, scroll, area),
        Mode::Palette { input, selected } => {
            let found = palette::matches(input.value());
            let mut lines = vec![Line::from(format!("> {}", input.value())), Line::from("")];
            for (i, (_, label)) in found.iter().take(12).enumerate() {
                let style = if i == *selected {
                    theme::selected()
                } else {
                    ratatui::style::Style::default()
                };
                lines.push(Line::from(Span::styled(format!(" {label} "), style)));
            }
            if found.is_empty() {
                lines.push(Line::from(Span::styled(t("ui.no_match"), theme::dim())));
            }
            let r = popup(frame, area, t("ui.palette").into(), lines, 60);
            let x = r.x + 3 + unicode_width::UnicodeWidthStr::width(input.value()) as u16;
            frame.set_cursor_position((x.min(r.right().saturating_sub(2)), r.y + 1));
        }
        Mode::Filters { selected } => {
            let mut lines = Vec::new();
            for (i, (key, on)) in app.filter_keys().iter().enumerate() {
                let style = if i == *selected {
                    theme::selected()
                } else {
                    ratatui::style::Style::default()
                };
                let mark = if *on { "[x]" } else { "[ ]" };
                lines.push(Line::from(Span::styled(
                    format!(" {mark} {} ", filter_label(key)),
                    style,
                )));
            }
            lines.push(Line::from(Span::styled(
                super::keys_hint(app, "ui.filter_hint"),
                theme::dim(),
            )));
            let height = area.height.saturating_sub(4) as usize;
            let skip = selected.saturating_sub(height.saturating_sub(3));
            let shown: Vec<Line> = lines.into_iter().skip(skip).take(height).collect();
            popup(frame, area, t("ui.filters").into(), shown, 50);
        }
        Mode::StatusMenu {
            ids,
            when,
            editing_when,
        } => {
            let mut lines = vec![Line::from(tf("ui.status_for", &[("count", &ids.len())]))];
            for s in Status::iter() {
                lines.push(Line::from(vec![
                    Span::styled(
                        format!(" {} ", app.keymap.describe(Action::set_status(s))),
                        theme::key(),
                    ),
                    Span::raw(format!(" {}", t(&status_key(s)))),
                ]));
            }
            lines.push(Line::from(""));
            let style = if *editing_when {
                theme::focused()
            } else {
                theme::dim()
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{} ", t("ui.happened_at")), style),
                Span::raw(when.value().to_string()),
            ]));
            lines.push(Line::from(Span::styled(
                super::keys_hint(app, "ui.status_hint"),
                theme::dim(),
            )));
            popup(frame, area, t("action.status_menu").into(), lines, 66);
        }
        Mode::Prompt { prompt, input } => {
            let (question, title) = match prompt {
                Prompt::CancelReason { ids, .. } => (
                    tf("ui.cancel_reason", &[("count", &ids.len())]),
                    t("action.cancel_order"),
                ),
                Prompt::HoldReason { ids, .. } => (
                    tf("ui.hold_reason", &[("count", &ids.len())]),
                    t("action.hold"),
                ),
                Prompt::SheetPassphrase { .. } => (
                    t("authorise.sheet_passphrase").to_string(),
                    t("authorise.title"),
                ),
                Prompt::SheetReason { .. } => (
                    tf(
                        "authorise.ask_reason",
                        &[("what", &t("authorise.what_sheet"))],
                    ),
                    t("authorise.title"),
                ),
            };
            // The passphrase is never shown, only how many characters were typed.
            let shown = match prompt {
                Prompt::SheetPassphrase { .. } => "•".repeat(input.value().chars().count()),
                _ => input.value().to_string(),
            };
            let lines = vec![Line::from(question), Line::from(format!("> {shown}"))];
            let r = popup(frame, area, title.into(), lines, 64);
            let x = r.x + 3 + unicode_width::UnicodeWidthStr::width(shown.as_str()) as u16;
            frame.set_cursor_position((x.min(r.right().saturating_sub(2)), r.y + 2));
        }
        Mode::Message(m) => super::message::draw(frame, app, m, area),
        Mode::Choose { purpose, selected } => {
            super::desk::draw_choose(frame, app, purpose, *selected, area)
        }
        Mode::Bottlenecks(_) | Mode::Pick(_) => super::shipping::draw_popup(frame, app, area),
        Mode::Confirm(c) => {
            let question = match c {
                Confirm::DiscardForm => t("ui.discard").to_string(),
                Confirm::Bulk { ids, .. } => tf("ui.bulk_confirm", &[("count", &ids.len())]),
                Confirm::LargeAttach(plan) => tf(
                    "attach.large",
                    &[
                        ("name", &crate::domain::text::shown(&plan.original)),
                        ("size", &(plan.size / (1024 * 1024))),
                    ],
                ),
            };
            popup(
                frame,
                area,
                t("ui.confirm").into(),
                vec![Line::from(question), Line::from(super::yes_no(app))],
                56,
            );
        }
    }
}

fn help(frame: &mut Frame, app: &App, scroll: &crate::app::scroll::Scroll, area: Rect) {
    let sections = app.help_sections();
    let mut lines = Vec::new();
    let mut current = None;
    for (section, action, keys) in app.keymap.entries(&sections) {
        if current != Some(section) {
            current = Some(section);
            lines.push(Line::from(Span::styled(
                t(&format!("help.{}", section.as_ref())).to_string(),
                theme::title(),
            )));
        }
        lines.push(Line::from(vec![
            // A space after the keys however many there are.
            Span::styled(format!("  {keys:<17} "), theme::focused()),
            Span::raw(super::desk::action_label(app.tab, action).to_string()),
        ]));
    }
    // Two columns when the list is longer than the screen.
    let height = area.height.saturating_sub(4) as usize;
    let r = centered(area, 100, (lines.len().min(height) + 2) as u16);
    frame.render_widget(Clear, r);
    let block = pane(t("ui.help").into());
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let [left, right] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(inner);
    // Longer than both columns: j/k/PgDn/G scroll them together.
    let column = inner.height as usize;
    let offset = scroll.fit(lines.len(), 2 * column) as usize;
    let mut shown = lines.split_off(offset.min(lines.len()));
    let rest = shown.split_off(column.min(shown.len()));
    frame.render_widget(super::text::paragraph(shown), left);
    frame.render_widget(super::text::paragraph(rest), right);
}
