//! The mouse and pasted text. The wheel scrolls what the keys j/k would; a click picks a tab
//! or a row of a list; a paste types its text into the field being edited, its line breaks
//! turned into spaces in a one-line field and kept in a note.

use super::keymap::Action;
use super::tab::Tab;
use super::{App, Level, Mode};
use crate::domain::problem::Problem;
use crate::domain::text::{self, Lines};
use crate::i18n::tf;
use crate::ui::{hit, Hit};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

impl App {
    pub fn handle_mouse(&mut self, mouse: MouseEvent) {
        match mouse.kind {
            MouseEventKind::ScrollDown => self.wheel(true),
            MouseEventKind::ScrollUp => self.wheel(false),
            MouseEventKind::Down(MouseButton::Left) => self.click(mouse.column, mouse.row),
            _ => {}
        }
    }

    /// Whether the screen is a plain list or view, with no form or overlay taking keys.
    fn pointer_free(&self) -> bool {
        matches!(self.mode, Mode::Normal) && self.form().is_none()
    }

    fn wheel(&mut self, down: bool) {
        if let Mode::Help(scroll) = &mut self.mode {
            scroll.wheel(down);
            return;
        }
        if !self.pointer_free() {
            return;
        }
        let action = if down { Action::Down } else { Action::Up };
        for _ in 0..3 {
            self.act(action);
        }
    }

    fn click(&mut self, x: u16, y: u16) {
        // The tab bar's layout follows the width; off a terminal (tests) it is a wide one.
        let width = crossterm::terminal::size().map_or(u16::MAX, |(w, _)| w);
        let hit = hit(x, y, width);
        // A tab is clicked from a form too: the form waits on its own tab.
        if let (Hit::Tab(tab), Mode::Normal) = (&hit, &self.mode) {
            let tab = *tab;
            return self.act(tab_action(tab));
        }
        if !self.pointer_free() {
            return;
        }
        match hit {
            Hit::Tab(tab) => self.act(tab_action(tab)),
            Hit::Row(row) => {
                // Only a list filling the body is hit by row; details keep their own layout.
                let plain = self.screens.orders.detail.is_none()
                    && self.screens.customers.detail.is_none()
                    && self.screens.complaints.detail.is_none();
                if plain {
                    let r = self.with_list(|l, _| {
                        l.click(row);
                        Ok(())
                    });
                    self.report(r);
                }
            }
            Hit::Nothing => {}
        }
    }

    /// Types pasted text into the field being edited; elsewhere a paste does nothing (it
    /// must never run the list's one-letter commands).
    pub fn paste(&mut self, text: &str) {
        if !self.editing_text() {
            return;
        }
        // A form's field takes the paste whole: a note keeps its line breaks.
        let in_form = matches!(self.mode, Mode::Normal) && self.form().is_some();
        let multi = in_form
            && self
                .form()
                .and_then(|f| f.focused())
                .is_some_and(|f| matches!(f.kind, super::form::Kind::MultiLine));
        let line = if multi {
            text.replace("\r\n", "\n").replace('\r', "\n")
        } else {
            one_line(text)
        };
        let lines = if multi { Lines::Many } else { Lines::One };
        if let Err(c) = text::check(&line, lines) {
            let problem = Problem::from(c);
            self.status.message = Some((
                Level::Error,
                tf(problem.key(), &[("code", &problem.code())]),
            ));
            return;
        }
        if in_form {
            self.form_paste(&line);
            return;
        }
        for c in line.chars() {
            self.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    /// Whether keys now go into a text field.
    fn editing_text(&self) -> bool {
        match &self.mode {
            Mode::Search { .. } | Mode::Palette { .. } | Mode::Prompt { .. } => true,
            Mode::StatusMenu { editing_when, .. } => *editing_when,
            Mode::Normal => self.form().is_some(),
            _ => false,
        }
    }
}

/// A paste as one line: each line break (CR LF, LF or CR) and tab becomes one space. Other
/// controls stay, for `text::check` to refuse.
pub fn one_line(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c => c,
        })
        .collect()
}

fn tab_action(tab: Tab) -> Action {
    match tab {
        Tab::Orders => Action::TabOrders,
        Tab::Customers => Action::TabCustomers,
        Tab::Shipments => Action::TabShipments,
        Tab::Complaints => Action::TabComplaints,
        Tab::Today => Action::TabToday,
        Tab::Reports => Action::TabReports,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixture;

    #[test]
    fn line_breaks_become_spaces() {
        assert_eq!(one_line("a\r\nb\nc\rd\te"), "a b c d e");
    }

    #[test]
    fn a_paste_with_a_control_character_is_refused_with_a_message() {
        let mut app = fixture::app(3);
        app.handle_key(KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE));
        app.paste("Tri\u{1b}]0;x\u{7}dent");
        match &app.mode {
            Mode::Search { input } => assert_eq!(input.value(), ""),
            other => panic!("search closed: {other:?}"),
        }
        let (level, text) = app.status.message.clone().unwrap();
        assert_eq!(level, Level::Error);
        assert_eq!(text, "control character U+001B is not allowed");
    }

    #[test]
    fn a_paste_of_two_lines_lands_in_one_field_and_never_runs_commands() {
        let mut app = fixture::app(3);
        let before = app.screens.orders.list.selected().map(|r| r.status);
        // On the list a paste is not typing: `>` would advance the order.
        app.paste(">>x\n");
        assert_eq!(app.screens.orders.list.selected().map(|r| r.status), before);
        assert!(matches!(app.mode, Mode::Normal));
        app.handle_key(KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE));
        app.paste("Trident\r\nAutomation");
        match &app.mode {
            Mode::Search { input } => assert_eq!(input.value(), "Trident Automation"),
            other => panic!("search closed: {other:?}"),
        }
    }

    #[test]
    fn the_wheel_moves_the_list_and_a_click_picks_a_row_and_a_tab() {
        let mut app = fixture::app(10);
        app.prepare(20);
        let wheel = |kind| MouseEvent {
            kind,
            column: 10,
            row: 10,
            modifiers: KeyModifiers::NONE,
        };
        app.handle_mouse(wheel(MouseEventKind::ScrollDown));
        assert_eq!(app.screens.orders.list.cursor, 3);
        app.handle_mouse(wheel(MouseEventKind::ScrollUp));
        assert_eq!(app.screens.orders.list.cursor, 0);
        let click = |column, row| MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: KeyModifiers::NONE,
        };
        // Row 3 of the screen is the list's first row.
        app.handle_mouse(click(10, 8));
        assert_eq!(app.screens.orders.list.cursor, 5);
        let x = crate::ui::tab_x(Tab::Shipments, u16::MAX);
        app.handle_mouse(click(x, 0));
        assert_eq!(app.tab, Tab::Shipments);
        // From a half-filled form: the form waits on its tab.
        app.act(Action::New);
        assert!(app.form().is_some());
        app.handle_mouse(click(crate::ui::tab_x(Tab::Complaints, u16::MAX), 0));
        assert_eq!(app.tab, Tab::Complaints);
        assert!(app.form().is_none() && app.screens.shipments.form.is_some());
    }
}
