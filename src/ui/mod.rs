//! Drawing. Everything here reads the `App` and draws it; nothing queries or changes state.

mod complaints;
mod customers;
mod desk;
mod detail;
mod form;
mod message;
mod popups;
mod reports;
mod shipping;
mod tables;
pub mod text;
pub mod theme;
mod today_tab;
pub mod words;

use crate::app::keymap::Action;
use crate::app::tab::Tab;
use crate::app::{App, Level, Mode};
use crate::i18n::{t, tf};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Tabs, Wrap};
use ratatui::Frame;
use strum::IntoEnumIterator;

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 12;

/// Rows above and below a list: tab bar, border top, header, border bottom, status, footer.
const CHROME: u16 = 6;

/// How many list rows fit on a screen `height` rows tall.
pub fn list_height(height: u16) -> usize {
    height.saturating_sub(CHROME).max(1) as usize
}

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = tf(
            "ui.too_small",
            &[
                ("need", &format!("{MIN_WIDTH}×{MIN_HEIGHT}")),
                ("have", &format!("{}×{}", area.width, area.height)),
            ],
        );
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let [tabs, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_tabs(frame, app, tabs);
    let (prompt, full) = match app.form() {
        Some(f) if f.is_prompt() => (Some(f), None),
        Some(f) => (None, Some(f)),
        None => (None, None),
    };
    if let Some(f) = full {
        form::draw(frame, &app.keymap, f, body);
    } else if shipping::draw_body(frame, app, body) {
    } else if let (Tab::Orders, Some(d)) = (app.tab, &app.screens.orders.detail) {
        detail::draw(frame, d, &app.screens.orders.scroll, body);
    } else {
        match app.tab {
            Tab::Orders => tables::orders(frame, &app.screens.orders.list, body),
            Tab::Customers => customers::draw(frame, app, body),
            Tab::Shipments => tables::shipments(frame, &app.screens.shipments.list, body),
            Tab::Complaints => complaints::draw(frame, app, body),
            Tab::Today => today_tab::draw(frame, app, body),
            Tab::Reports => reports::draw(frame, app, body),
        }
    }
    draw_status(frame, app, status);
    draw_footer(frame, app, footer);
    if let Some(f) = prompt {
        form::draw(frame, &app.keymap, f, body);
    }
    popups::draw(frame, app, area);
}

/// The hint under a yes/no question, with the keys the keymap gives.
pub fn yes_no(app: &App) -> String {
    tf(
        "ui.yes_no",
        &[
            ("yes", &app.keymap.describe(Action::Yes)),
            ("no", &app.keymap.describe(Action::No)),
        ],
    )
}

/// A hint of an overlay with the keys the keymap gives: `{open}`, `{back}`, `{down}`,
/// `{up}`, `{mark}`, `{clear}`, `{next}` and `{close}` are filled in.
pub fn keys_hint(app: &App, key: &str) -> String {
    let first = |a: Action| {
        app.keymap
            .keys(a)
            .first()
            .map(ToString::to_string)
            .unwrap_or_default()
    };
    let names = [
        ("open", first(Action::Open)),
        ("back", first(Action::Back)),
        ("down", first(Action::Down)),
        ("up", first(Action::Up)),
        ("mark", first(Action::Mark)),
        ("clear", first(Action::ClearFilters)),
        ("next", first(Action::NextField)),
        ("close", first(Action::Close)),
    ];
    let args: Vec<(&str, &dyn std::fmt::Display)> = names
        .iter()
        .map(|(n, v)| (*n, v as &dyn std::fmt::Display))
        .collect();
    tf(key, &args)
}

/// The name left of the tabs, when there is room for it.
const NAME: &str = " OrderDesk ";
/// The screen row of a list's first row: under the tab bar, the list's border and header.
const FIRST_LIST_ROW: u16 = 3;

fn tab_title(i: usize, tab: Tab) -> String {
    format!("{} {}", i + 1, t(tab.title_key()))
}

/// The width of the tab titles: each padded by a space either side, a divider between two.
fn tabs_width() -> u16 {
    let titles: usize = Tab::iter()
        .enumerate()
        .map(|(i, tab)| text::width(&tab_title(i, tab)) + 2)
        .sum();
    (titles + Tab::iter().count().saturating_sub(1)) as u16
}

/// How wide the name is on a screen `width` columns wide: it gives way to the tabs on a
/// narrow screen (80 columns in English).
fn name_width(width: u16) -> u16 {
    let name = NAME.len() as u16;
    if width < name + tabs_width() {
        0
    } else {
        name
    }
}

/// Where a tab's title starts on the tab bar of a screen `width` columns wide (a space, the
/// title, a space, a divider each).
pub fn tab_x(tab: Tab, width: u16) -> u16 {
    let mut x = name_width(width);
    for (i, other) in Tab::iter().enumerate() {
        if other == tab {
            break;
        }
        x += unicode_width::UnicodeWidthStr::width(tab_title(i, other).as_str()) as u16 + 3;
    }
    x
}

/// What a mouse click at a screen cell points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    Tab(Tab),
    /// The nth row shown of a list filling the body.
    Row(usize),
    Nothing,
}

/// What a click at (`x`, `y`) on a screen `width` columns wide points at.
pub fn hit(x: u16, y: u16, width: u16) -> Hit {
    if y == 0 {
        let mut found = Hit::Nothing;
        for tab in Tab::iter() {
            if x >= tab_x(tab, width) {
                found = Hit::Tab(tab);
            }
        }
        return if x < name_width(width) {
            Hit::Nothing
        } else {
            found
        };
    }
    match y.checked_sub(FIRST_LIST_ROW) {
        Some(row) => Hit::Row(row as usize),
        None => Hit::Nothing,
    }
}

fn draw_tabs(frame: &mut Frame, app: &App, area: Rect) {
    let titles = Tab::iter().enumerate().map(|(i, tab)| tab_title(i, tab));
    let selected = Tab::iter().position(|x| x == app.tab).unwrap_or(0);
    let tabs = Tabs::new(titles)
        .select(selected)
        .highlight_style(theme::tab_active())
        .divider("│");
    let name_width = name_width(area.width);
    let [name, rest] =
        Layout::horizontal([Constraint::Length(name_width), Constraint::Min(1)]).areas(area);
    if name_width > 0 {
        frame.render_widget(Span::styled(NAME, theme::title()), name);
    }
    frame.render_widget(tabs, rest);
}

fn draw_status(frame: &mut Frame, app: &App, area: Rect) {
    let line = match (&app.mode, &app.status.message) {
        (Mode::Search { input }, _) => Line::from(vec![
            Span::styled(format!("{} ", t("ui.search")), theme::key()),
            Span::raw(" "),
            Span::raw(input.value().to_string()),
        ]),
        (_, Some((Level::Error, m))) => Line::from(Span::styled(format!(" {m} "), theme::error())),
        (_, Some((Level::Info, m))) => Line::from(Span::styled(m.clone(), theme::info())),
        _ => Line::from(Span::styled(tables::summary(app), theme::dim())),
    };
    // A message wider than the line ends with `…` (the search keeps its cursor in view).
    let line = match app.mode {
        Mode::Search { .. } => line,
        _ => text::cell(line, area.width as usize),
    };
    let used = line.width() as u16;
    frame.render_widget(Paragraph::new(line), area);
    draw_backup_badge(frame, app, area, used);
    if let Mode::Search { input } = &app.mode {
        let prefix = unicode_width::UnicodeWidthStr::width(t("ui.search")) as u16 + 2;
        let before: String = input.value().chars().take(input.cursor()).collect();
        let x = area.x + prefix + unicode_width::UnicodeWidthStr::width(before.as_str()) as u16;
        frame.set_cursor_position((x.min(area.right().saturating_sub(1)), area.y));
    }
}

/// When the last backup was made, at the right of the status line (a warning when none was
/// made today), where the line has room for it.
fn draw_backup_badge(frame: &mut Frame, app: &App, area: Rect, used: u16) {
    use crate::app::safety::Badge;
    let Some(badge) = app.backup_badge() else {
        return;
    };
    let (text, style) = match badge {
        Badge::Running => (t("backup.badge_running").to_string(), theme::dim()),
        Badge::Today(time) => (tf("backup.badge_at", &[("time", &time)]), theme::dim()),
        Badge::NoneToday => (t("backup.badge_none").to_string(), theme::at_risk()),
    };
    use crate::app::offsite::OffsiteBadge;
    let (text, style) = match app.offsite_badge() {
        None => (text, style),
        Some(OffsiteBadge::Running) => (format!("{text} · {}", t("offsite.badge_running")), style),
        Some(OffsiteBadge::Done) => (format!("{text} · {}", t("offsite.badge_done")), style),
        Some(OffsiteBadge::Failed) => (
            format!("{text} · {}", t("offsite.badge_failed")),
            theme::at_risk(),
        ),
    };
    let text = format!(" {text} ");
    let width = unicode_width::UnicodeWidthStr::width(text.as_str()) as u16;
    if used + width + 1 > area.width || matches!(app.mode, Mode::Search { .. }) {
        return;
    }
    let right = Rect {
        x: area.right() - width,
        width,
        ..area
    };
    frame.render_widget(Span::styled(text, style), right);
}

/// The actions whose keys the footer shows on the current screen, most important first.
fn footer_actions(app: &App) -> Vec<Action> {
    use Action::*;
    if let Some(f) = app.form() {
        return match f.grid {
            Some(_) => vec![Save, NextField, AddLine, DeleteLine, Close, NextTab],
            None => vec![Save, NextField, PrevField, Close, NextTab],
        };
    }
    // Right after a change to a stage with a message, drafting it comes first (SPEC §7).
    let stage_message = app
        .status
        .last_change
        .is_some_and(|s| s.has_stage_message());
    let mut actions = match app.tab {
        Tab::Orders if app.screens.orders.detail.is_some() => {
            vec![
                Advance,
                StatusMenu,
                Hold,
                CancelOrder,
                Undo,
                DraftMessage,
                Respond,
                LogContact,
                Edit,
                Instructions,
                Production,
                OpenException,
                InformCustomer,
                ResolveException,
                AttachDocument,
                OpenDocument,
                FollowUp,
                Down,
                Up,
                Back,
            ]
        }
        Tab::Orders => vec![
            Open,
            Search,
            Advance,
            StatusMenu,
            Hold,
            CancelOrder,
            Undo,
            DraftMessage,
            Mark,
            Filter,
            New,
            Edit,
            Instructions,
            Production,
            LogContact,
            FollowUp,
            Sort,
            Palette,
            Quit,
        ],
        Tab::Shipments if app.screens.shipments.shipping.detail.is_some() => {
            vec![Deliver, Edit, Undo, Down, Up, Back, Quit]
        }
        Tab::Shipments => vec![
            Deliver,
            Open,
            Search,
            Filter,
            New,
            Edit,
            Undo,
            DraftMessage,
            Bottlenecks,
            Sort,
            Mark,
            Palette,
            Quit,
        ],
        Tab::Customers | Tab::Complaints => desk::footer_actions(app),
        Tab::Today => vec![
            Open,
            CompleteFollowup,
            NewFollowup,
            Undo,
            Down,
            Up,
            NextTab,
            Palette,
            Quit,
        ],
        Tab::Reports => vec![
            PrevMonth,
            NextMonth,
            ExportReportXlsx,
            ExportReportHtml,
            Down,
            Up,
            NextTab,
            Palette,
            Quit,
        ],
    };
    if stage_message && app.tab == Tab::Orders {
        actions.retain(|a| *a != DraftMessage);
        actions.insert(0, DraftMessage);
    }
    actions
}

/// Key hints that fit the width, in order of importance; `?` help always shows, last.
fn draw_footer(frame: &mut Frame, app: &App, area: Rect) {
    // On a form, a key the form takes for itself (Tab) is not shown for another action.
    let on_form = app.form().is_some();
    let hint = |action: Action| -> Option<[Span<'static>; 2]> {
        let key = app.keymap.keys(action).into_iter().find(|k| {
            let form_key = app.keymap.action(crate::app::keymap::FORM_SCREEN, k);
            !on_form || form_key == Some(action) || (form_key.is_none() && !k.is_typed())
        })?;
        Some([
            Span::styled(format!(" {key} "), theme::key()),
            Span::raw(format!(" {} ", desk::action_label(app.tab, action))),
        ])
    };
    let width = |h: &[Span]| h.iter().map(Span::width).sum::<usize>();
    // On a form `?` is typed into the field: the help's other key (F1) is offered there.
    let help = hint(Action::Help);
    let mut room = (area.width as usize).saturating_sub(help.as_ref().map_or(0, |h| width(h)));
    let mut spans = Vec::new();
    for h in footer_actions(app).into_iter().filter_map(hint) {
        let w = width(&h);
        if w > room {
            break;
        }
        room -= w;
        spans.extend(h);
    }
    spans.extend(help.into_iter().flatten());
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A bordered block with a title, used by every pane. Titles name records (an order number,
/// a waybill, a customer), so they pass the text policy like every cell.
pub fn pane(title: String) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme::dim())
        .title(Span::styled(
            format!(" {} ", crate::domain::text::shown(&title)),
            theme::title(),
        ))
}

#[cfg(test)]
mod desk_tests;
#[cfg(test)]
mod form_snapshots;
#[cfg(test)]
mod tests;

#[cfg(test)]
mod shipping_tests;
