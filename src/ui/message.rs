//! The message popup: the draft as the customer will read it, and the keys that send it on.

use super::{pane, theme};
use crate::app::keymap::Action;
use crate::app::message::MessageDraft;
use crate::app::App;
use crate::i18n::{t, tf};
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, app: &App, popup: &MessageDraft, area: Rect) {
    let kind = popup.kind();
    let title = format!(
        "{} · {} · {} ({}/{})",
        t("message.title"),
        t(&format!("message_kind.{}", kind.as_ref())),
        popup.facts.customer.name,
        popup.index + 1,
        popup.kinds.len()
    );
    let mut lines: Vec<Line> = Vec::new();
    match &popup.draft {
        Ok(d) => {
            lines.push(Line::from(Span::styled(d.subject.clone(), theme::title())));
            lines.push(Line::from(""));
            lines.extend(d.body.lines().map(|l| Line::from(l.to_string())));
        }
        Err(e) => {
            lines.push(Line::from(Span::styled(
                tf("message.err_render", &[("error", e)]),
                theme::error(),
            )));
        }
    }
    let keys = [
        Action::CopyMessage,
        Action::SaveMessage,
        Action::NextTemplate,
        Action::Back,
    ]
    .iter()
    .map(|a| {
        // Esc here closes the draft, whatever it does on the lists.
        let label = if *a == Action::Back {
            t("action.close").to_string()
        } else {
            t(&format!("action.{}", a.as_ref())).to_string()
        };
        format!("{} {label}", app.keymap.describe(*a))
    })
    .collect::<Vec<_>>()
    .join("  ");
    // As tall as the text (borders, key line) but clear of the status and footer lines.
    let wanted = lines.len() as u16 + 3;
    let [v] = Layout::vertical([Constraint::Length(
        wanted.min(area.height.saturating_sub(4)).max(3),
    )])
    .flex(Flex::Center)
    .areas(area);
    let [r] = Layout::horizontal([Constraint::Length(86.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    frame.render_widget(Clear, r);
    let block = pane(title);
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let [body, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((popup.scroll, 0)),
        body,
    );
    frame.render_widget(Paragraph::new(Span::styled(keys, theme::dim())), footer);
}
