//! Pieces the after-sales screens share: a contact-log line, key labels that name what a
//! key does on the current tab, the footer of the Customers and Complaints tabs, the
//! after-sales form and overlays.

use super::form::{draw_fields, FieldView};
use super::{pane, popups, theme};
use crate::app::desk::Item;
use crate::app::desk_forms::DeskForm;
use crate::app::desk_modes::DeskMode;
use crate::app::keymap::Action;
use crate::app::tab::Tab;
use crate::app::App;
use crate::domain::enums::Direction;
use crate::domain::time::{format_stamp_short, short_duration};
use crate::i18n::{t, tf};
use crate::store::contacts::ContactItem;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::Frame;

/// What a key does, as the footer and help say it: `n` is "new customer" on Customers.
pub fn action_label(tab: Tab, action: Action) -> &'static str {
    let key = match (tab, action) {
        (Tab::Customers, Action::New) => "action.new_customer",
        (Tab::Customers, Action::Edit) => "action.edit_customer",
        (Tab::Complaints, Action::New) => "action.new_complaint",
        (Tab::Complaints, Action::Edit) => "action.edit_complaint",
        (Tab::Complaints, Action::Respond) => "action.first_response",
        _ => return t(&format!("action.{}", action.as_ref())),
    };
    t(key)
}

/// The footer's keys on the Customers and Complaints tabs, most important first.
pub fn footer_actions(app: &App) -> Vec<Action> {
    use Action::*;
    match app.tab {
        Tab::Customers if app.desk.customer.is_some() => vec![
            Down,
            Up,
            Open,
            Respond,
            LogContact,
            AddRequirement,
            ForwardRequirement,
            CloseRequirement,
            Survey,
            KeyAccount,
            Edit,
            Undo,
            Back,
        ],
        Tab::Customers => vec![
            Open,
            Search,
            Filter,
            New,
            Edit,
            LogContact,
            Respond,
            AddRequirement,
            Survey,
            KeyAccount,
            Undo,
            Sort,
            Mark,
            Palette,
            Quit,
        ],
        Tab::Complaints if app.desk.complaint.is_some() => vec![
            Respond,
            CloseComplaint,
            Route,
            Edit,
            LogContact,
            Undo,
            Down,
            Up,
            Back,
        ],
        _ => vec![
            Open,
            Respond,
            CloseComplaint,
            Route,
            New,
            Edit,
            LogContact,
            Undo,
            Search,
            Filter,
            Sort,
            Mark,
            Palette,
            Quit,
        ],
    }
}

/// `Style` of a line that may be the selected one.
pub fn item_style(selected: bool) -> Style {
    if selected {
        theme::selected()
    } else {
        Style::default()
    }
}

/// One contact of the log: when, which way, how, about which order, what; an inbound one
/// unanswered for over 24 h in red and bold.
pub fn contact_line(c: &ContactItem, now: i64, selected: bool) -> Line<'static> {
    let arrow = if c.direction == Direction::In {
        "←"
    } else {
        "→"
    };
    let mut spans = vec![
        Span::raw(if selected { "▸ " } else { "  " }),
        Span::raw(format!(
            "{} {arrow} {} {} ",
            format_stamp_short(c.at),
            t(&format!("direction.{}", c.direction.as_str())),
            t(&format!("channel.{}", c.channel))
        )),
    ];
    if let Some(no) = &c.order_no {
        spans.push(Span::styled(format!("{no} "), theme::dim()));
    }
    spans.push(Span::raw(format!("· {}", c.summary)));
    if let Some(r) = c.replied_at {
        spans.push(Span::styled(
            format!(" · {} {}", t("ui.replied"), format_stamp_short(r)),
            theme::dim(),
        ));
    } else if c.reply_overdue(now) {
        spans.push(Span::styled(
            format!(
                " · {}",
                tf(
                    "ui.unanswered_for",
                    &[("time", &short_duration(now - c.at))]
                )
            ),
            theme::late(),
        ));
    } else if c.awaits_reply() {
        spans.push(Span::styled(
            format!(" · {}", t("ui.awaiting_reply")),
            theme::at_risk(),
        ));
    }
    let line = Line::from(spans);
    if selected {
        line.style(theme::selected())
    } else {
        line
    }
}

/// A detail's lines, scrolled so that `selected_line` stays in view.
pub fn scroll_for(selected_line: Option<usize>, height: u16) -> u16 {
    let h = height.saturating_sub(2) as usize;
    match selected_line {
        Some(l) if h > 0 && l + 3 > h => (l + 3 - h) as u16,
        _ => 0,
    }
}

/// Marks `item` in `lines` at `at` when it is the selected one, remembering the line.
pub fn push_item(
    lines: &mut Vec<Line<'static>>,
    selected: Option<Item>,
    item: Item,
    line: Line<'static>,
    selected_line: &mut Option<usize>,
) {
    if selected == Some(item) {
        *selected_line = Some(lines.len());
    }
    lines.push(line);
}

pub fn draw_form(frame: &mut Frame, form: &DeskForm, area: Rect) {
    let block = pane(form.purpose.title());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let n = form.fields.len() as u16;
    let [fields_area, message_area, hint_area] = Layout::vertical([
        Constraint::Length(n),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);
    let views: Vec<FieldView> = form
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let focused = i == form.focus;
            let (value, cursor) = match &f.choices {
                Some(c) => (format!("‹ {} ›", c.label(f.input.value())), None),
                None => (f.input.value().to_string(), Some(f.input.cursor())),
            };
            FieldView {
                label: t(f.name).to_string(),
                value,
                cursor,
                error: f.error.as_deref(),
                focused,
            }
        })
        .collect();
    let cursor = draw_fields(frame, fields_area, &views);
    if let Some(m) = &form.message {
        frame.render_widget(Span::styled(m.clone(), theme::field_error()), message_area);
    }
    let on_choice = form
        .fields
        .get(form.focus)
        .is_some_and(|f| f.choices.is_some());
    let hint = if on_choice {
        t("form.choice_hint")
    } else {
        t("form.record_hint")
    };
    frame.render_widget(Span::styled(hint, theme::dim()), hint_area);
    if let Some(pos) = cursor {
        frame.set_cursor_position(pos);
    }
}

/// The after-sales overlays.
pub fn draw_mode(frame: &mut Frame, mode: &DeskMode, area: Rect) {
    match mode {
        DeskMode::Choose { purpose, selected } => {
            let (words, prefix) = purpose.options();
            let mut lines: Vec<Line> = words
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    Line::from(vec![
                        Span::styled(format!(" {} ", i + 1), theme::key()),
                        Span::styled(
                            format!(" {} ", t(&format!("{prefix}{w}"))),
                            item_style(i == *selected),
                        ),
                    ])
                })
                .collect();
            lines.push(Line::from(Span::styled(t("ui.choice_hint"), theme::dim())));
            popups::popup(frame, area, purpose.title(), lines, 50);
        }
        DeskMode::Resolution {
            complaint_no,
            input,
            ..
        } => {
            let lines = vec![
                Line::from(tf("ui.resolution_for", &[("complaint", complaint_no)])),
                Line::from(format!("> {}", input.value())),
            ];
            let r = popups::popup(frame, area, t("action.close_complaint").into(), lines, 72);
            let before: String = input.value().chars().take(input.cursor()).collect();
            let x = r.x + 3 + unicode_width::UnicodeWidthStr::width(before.as_str()) as u16;
            frame.set_cursor_position((x.min(r.right().saturating_sub(2)), r.y + 2));
        }
    }
}
