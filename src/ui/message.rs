//! The message popup: the draft as the customer will read it, and the keys that send it on.

use super::{pane, theme};
use crate::app::keymap::Action;
use crate::app::message::{MessageDraft, SendState};
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
        shown(&popup.facts.customer.name),
        popup.index + 1,
        popup.kinds.len()
    );
    let mut lines: Vec<Line> = Vec::new();
    match &popup.draft {
        Ok(d) => {
            lines.push(Line::from(Span::styled(shown(&d.subject), theme::title())));
            lines.push(Line::from(""));
            let body = crate::domain::text::shown_lines(&d.body);
            lines.extend(body.lines().map(|l| Line::from(l.to_string())));
        }
        Err(e) => {
            lines.push(Line::from(Span::styled(
                tf("message.err_render", &[("error", e)]),
                theme::error(),
            )));
        }
    }
    // While the recipient is typed or the message is on its way, the lines say so and the
    // key line says what Enter and Esc do.
    let mut keys = None;
    match &popup.send {
        SendState::Idle => {}
        SendState::Editing(form) => {
            let cursor = |on: bool| if on { "▏" } else { "" };
            lines.insert(
                0,
                Line::from(vec![
                    Span::styled(format!("{}: ", t("mail.to")), theme::title()),
                    Span::raw(format!(
                        "{}{}",
                        shown(form.to.value()),
                        cursor(!form.on_password)
                    )),
                ]),
            );
            if let Some(p) = &form.password {
                lines.insert(
                    1,
                    Line::from(vec![
                        Span::styled(format!("{}: ", t("mail.password")), theme::title()),
                        Span::raw(format!(
                            "{}{}",
                            "•".repeat(p.value().chars().count()),
                            cursor(form.on_password)
                        )),
                    ]),
                );
                if let Some(smtp) = &app.config.smtp {
                    let hint = tf(
                        "mail.password_hint",
                        &[
                            ("user", &shown(smtp.user.as_deref().unwrap_or_default())),
                            ("host", &shown(&smtp.host)),
                        ],
                    );
                    lines.insert(2, Line::from(Span::styled(hint, theme::dim())));
                }
            }
            keys = Some(t("mail.send_hint").to_string());
        }
        SendState::Sending(job) => {
            keys = Some(tf("mail.sending", &[("to", &shown(&job.to))]));
        }
    }
    let keys = keys.unwrap_or_else(|| footer_keys(app));
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

fn shown(s: &str) -> String {
    crate::domain::text::shown(s).into_owned()
}

/// The draft's keys, from the keymap.
fn footer_keys(app: &App) -> String {
    [
        Action::SendMessage,
        Action::CopyMessage,
        Action::SaveMessage,
        Action::SaveMessageEml,
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
    .join("  ")
}
