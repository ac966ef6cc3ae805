//! The small follow-up form: what, when, and the order or customer it is about, opened with
//! `n` on Today and `F` on any record. Nothing is saved until all three are valid.

use super::input::TextInput;
use super::tab::Tab;
use super::{App, Mode};
use crate::domain::time::{format_date, format_stamp_short, parse_stamp, today};
use crate::i18n::{t, tf};
use crate::store::followups::{self, About, NewFollowup};
use crate::store::today::Detail;
use crate::store::undo::Change;
use crate::store::Context;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The fields, in order; each is `followup.<name>` in the string table.
pub const FIELDS: [&str; 3] = ["text", "due", "about"];
const TEXT: usize = 0;
const DUE: usize = 1;
const ABOUT: usize = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowupForm {
    pub inputs: [TextInput; 3],
    pub errors: [Option<String>; 3],
    pub focus: usize,
    pub dirty: bool,
    /// Esc was pressed once on a changed form; a second Esc discards it.
    pub discarding: bool,
}

impl FollowupForm {
    /// A blank follow-up due tomorrow at nine, about `about` (an order no., a customer code
    /// or name; may be empty).
    pub fn new(about: &str) -> FollowupForm {
        let tomorrow = today() + chrono::Duration::days(1);
        FollowupForm {
            inputs: [
                TextInput::default(),
                TextInput::new(format!("{} 09:00", format_date(tomorrow))),
                TextInput::new(about),
            ],
            errors: Default::default(),
            focus: TEXT,
            dirty: false,
            discarding: false,
        }
    }

    pub fn next(&mut self, step: isize) {
        let n = FIELDS.len() as isize;
        self.focus = (self.focus as isize + step).rem_euclid(n) as usize;
    }

    /// Applies an editing key to the focused field.
    pub fn type_key(&mut self, key: &KeyEvent) {
        if self.inputs[self.focus].handle(key) {
            self.dirty = true;
            self.errors[self.focus] = None;
        }
        self.discarding = false;
    }

    /// The follow-up when every field is valid; otherwise each field's problem is set and
    /// the focus goes to the first one.
    pub fn validate(&mut self, find: &dyn Fn(&str) -> Option<About>) -> Option<NewFollowup> {
        let text = self.inputs[TEXT].value().trim().to_string();
        self.errors[TEXT] = text.is_empty().then(|| t("followup.need_text").to_string());
        let due = parse_stamp(self.inputs[DUE].value()).ok();
        self.errors[DUE] = due.is_none().then(|| t("followup.bad_due").to_string());
        let about_text = self.inputs[ABOUT].value().trim();
        let about = if about_text.is_empty() {
            self.errors[ABOUT] = Some(t("followup.need_about").to_string());
            None
        } else {
            let found = find(about_text);
            self.errors[ABOUT] = found.is_none().then(|| t("followup.no_such").to_string());
            found
        };
        if let Some(first) = self.errors.iter().position(Option::is_some) {
            self.focus = first;
            return None;
        }
        Some(NewFollowup {
            about: about?,
            due_at: due?,
            text,
        })
    }
}

impl App {
    /// What a new follow-up on the current record is about: an order no., else a customer.
    fn followup_subject(&self) -> String {
        match self.tab {
            Tab::Orders => match &self.detail {
                Some(d) => d.draft.order_no.clone(),
                None => self
                    .orders
                    .selected()
                    .map(|r| r.order_no.clone())
                    .unwrap_or_default(),
            },
            Tab::Customers => self
                .customers
                .selected()
                .map(|r| r.code.clone())
                .unwrap_or_default(),
            Tab::Shipments => self
                .shipments
                .selected()
                .map(|r| r.order_no.clone())
                .unwrap_or_default(),
            Tab::Complaints => self
                .complaints
                .selected()
                .map(|r| {
                    if r.order_no.is_empty() {
                        r.customer.clone()
                    } else {
                        r.order_no.clone()
                    }
                })
                .unwrap_or_default(),
            Tab::Today => {
                let Some(item) = self.today.selected().and_then(|r| self.today.item(r)) else {
                    return String::new();
                };
                match &item.detail {
                    Detail::Shipment { order_no, .. } => order_no.clone(),
                    Detail::Complaint { order_no, .. } if !order_no.is_empty() => order_no.clone(),
                    Detail::Complaint { .. } => item.customer.clone(),
                    _ => item.what.clone(),
                }
            }
            Tab::Reports => String::new(),
        }
    }

    /// `n` on Today, `F` on any record: the follow-up form.
    pub(super) fn start_followup(&mut self) {
        self.mode = Mode::Followup(FollowupForm::new(&self.followup_subject()));
    }

    pub(super) fn followup_key(&mut self, mut form: FollowupForm, key: &KeyEvent) -> Mode {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc if form.dirty && !form.discarding => {
                form.discarding = true;
                Mode::Followup(form)
            }
            KeyCode::Esc => Mode::Normal,
            KeyCode::Tab | KeyCode::Down => {
                form.next(1);
                Mode::Followup(form)
            }
            KeyCode::BackTab | KeyCode::Up => {
                form.next(-1);
                Mode::Followup(form)
            }
            KeyCode::Enter => self.save_followup(form),
            KeyCode::Char('s') if ctrl => self.save_followup(form),
            _ => {
                form.type_key(key);
                Mode::Followup(form)
            }
        }
    }

    fn save_followup(&mut self, mut form: FollowupForm) -> Mode {
        let conn = self.store.conn();
        let find = |text: &str| followups::find_about(conn, text).ok().flatten();
        let Some(new) = form.validate(&find) else {
            return Mode::Followup(form);
        };
        let saved = (|| -> crate::store::Result<()> {
            let tx = self.store.begin()?;
            let mut change = Change::new("new follow-up");
            followups::create(&tx, &mut change, &new)?;
            change.record(&tx)?;
            tx.commit().doing("saving the follow-up")
        })();
        match saved {
            Ok(()) => {
                self.info(tf(
                    "followup.saved",
                    &[("when", &format_stamp_short(new.due_at))],
                ));
                let r = self.refresh_today();
                self.report(r);
                Mode::Normal
            }
            Err(e) => {
                // The form stays open as typed; a busy database is said in the UI's language.
                self.report(Err(e));
                Mode::Followup(form)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn typed(form: &mut FollowupForm, text: &str) {
        for c in text.chars() {
            form.type_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    #[test]
    fn every_field_is_checked_before_saving() {
        let mut f = FollowupForm::new("");
        let find = |s: &str| (s == "SO-1").then_some(About::Order(1));
        assert_eq!(f.validate(&find), None);
        assert!(
            f.errors.iter().filter(|e| e.is_some()).count() == 2,
            "text and about"
        );
        assert_eq!(f.focus, TEXT);
        typed(&mut f, "call back");
        f.next(2);
        typed(&mut f, "SO-9");
        assert_eq!(f.validate(&find), None, "no such order");
        assert_eq!(f.focus, ABOUT);
        f.inputs[ABOUT].set("SO-1");
        f.inputs[DUE].set("tomorrow");
        assert_eq!(f.validate(&find), None);
        assert_eq!(f.focus, DUE);
        f.inputs[DUE].set("2026-03-01 14:30");
        let ok = f.validate(&find).expect("valid");
        assert_eq!(ok.about, About::Order(1));
        assert_eq!(ok.text, "call back");
        assert_eq!(ok.due_at, parse_stamp("2026-03-01 14:30").unwrap());
    }
}
