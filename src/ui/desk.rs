//! Pieces the after-sales screens share: a contact-log line, key labels that name what a
//! key does on the current tab, the footer of the Customers and Complaints tabs, the
//! after-sales form and overlays.

use super::{pane, popups, theme};
use crate::app::desk::Item;
use crate::app::desk_modes::ChoicePurpose;
use crate::app::keymap::Action;
use crate::app::tab::Tab;
use crate::app::App;
use crate::domain::enums::Direction;
use crate::domain::time::format_stamp_short;
use crate::i18n::{t, tf};
use crate::store::contacts::ContactItem;
use crate::ui::words::countdown;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
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
        Tab::Customers if app.screens.customers.detail.is_some() => vec![
            Down,
            Up,
            Open,
            Respond,
            LogContact,
            DraftMessage,
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
            DraftMessage,
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
        Tab::Complaints if app.screens.complaints.detail.is_some() => vec![
            Respond,
            CloseComplaint,
            Route,
            Edit,
            LogContact,
            DraftMessage,
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
            DraftMessage,
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

/// `▸ ` in front of the selected line, room for it elsewhere.
pub fn marker(selected: bool) -> &'static str {
    if selected {
        "▸ "
    } else {
        "  "
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
        Span::raw(marker(selected)),
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
        if !c.reply.is_empty() {
            spans.push(Span::raw(format!(": {}", c.reply.replace('\n', " "))));
        }
    } else if c.reply_overdue(now) {
        spans.push(Span::styled(
            format!(
                " · {}",
                tf("ui.unanswered_for", &[("time", &countdown(now - c.at))])
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

/// The lines of a detail pane and which of them holds the selected item, so the pane
/// scrolls to keep it in view.
pub struct DetailLines {
    pub lines: Vec<Line<'static>>,
    selected: Option<Item>,
    selected_line: Option<usize>,
}

impl DetailLines {
    pub fn new(selected: Option<Item>) -> DetailLines {
        DetailLines {
            lines: Vec::new(),
            selected,
            selected_line: None,
        }
    }

    pub fn push(&mut self, line: Line<'static>) {
        self.lines.push(line);
    }

    /// A line keys act on; `draw` is told whether it is the selected one.
    pub fn item(&mut self, item: Item, draw: impl FnOnce(bool) -> Line<'static>) {
        let selected = self.selected == Some(item);
        if selected {
            self.selected_line = Some(self.lines.len());
        }
        let line = draw(selected);
        self.lines.push(if selected {
            line.style(theme::selected())
        } else {
            line
        });
    }

    /// A blank line, then a section title.
    pub fn heading(&mut self, text: String) {
        self.lines.push(Line::from(""));
        self.lines
            .push(Line::from(Span::styled(text, theme::title())));
    }

    pub fn none(&mut self) {
        self.lines.push(Line::from(Span::styled(
            format!("  {}", t("ui.none")),
            theme::dim(),
        )));
    }

    /// The contacts section: each contact a selectable line.
    pub fn contacts(&mut self, contacts: &[ContactItem], now: i64) {
        self.heading(t("detail.contacts").to_string());
        if contacts.is_empty() {
            self.none();
        }
        for c in contacts {
            self.item(Item::Contact(c.id), |sel| contact_line(c, now, sel));
        }
    }

    /// The pane, scrolled so that the selected line stays in view; a line wider than the
    /// pane ends with `…`.
    pub fn paragraph(self, title: String, area: Rect) -> Paragraph<'static> {
        let h = area.height.saturating_sub(2) as usize;
        let room = area.width.saturating_sub(2) as usize;
        let scroll = match self.selected_line {
            Some(l) if h > 0 && l + 3 > h => (l + 3 - h) as u16,
            _ => 0,
        };
        let lines: Vec<Line<'static>> = self
            .lines
            .into_iter()
            .map(|l| super::text::cell(l, room))
            .collect();
        super::text::paragraph(lines)
            .block(pane(title))
            .scroll((scroll, 0))
    }
}

/// Picking one of a few words (a department, where a requirement goes).
pub fn draw_choose(
    frame: &mut Frame,
    app: &App,
    purpose: &ChoicePurpose,
    selected: usize,
    area: Rect,
) {
    let (words, prefix) = purpose.options();
    let mut lines: Vec<Line> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            Line::from(vec![
                Span::styled(
                    format!(
                        " {} ",
                        Action::pick(i)
                            .map(|a| app.keymap.describe(a))
                            .unwrap_or_default()
                    ),
                    theme::key(),
                ),
                Span::styled(
                    format!(" {} ", t(&format!("{prefix}{w}"))),
                    if i == selected {
                        theme::selected()
                    } else {
                        Style::default()
                    },
                ),
            ])
        })
        .collect();
    lines.push(Line::from(Span::styled(
        super::keys_hint(app, "ui.choice_hint"),
        theme::dim(),
    )));
    popups::popup(frame, area, purpose.title(), lines, 50);
}
