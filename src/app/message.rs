//! `m`: drafting the standard message that fits the selected record, showing it, and
//! copying or saving it. The draft is logged as an outbound contact as soon as it is made
//! (undoable with `u`), so the contact log never misses a message the clerk sent.

use super::keymap::Action;
use super::{App, AppResult, Mode, Tab};
use crate::domain::time::now;
use crate::i18n::{t, tf};
use crate::messages::clipboard::{self, Copied};
use crate::messages::{Draft, Facts, MessageKind, RenderError};
use crate::store::undo::Change;
use crate::store::{messages, Context};
use crossterm::event::{KeyCode, KeyEvent};

/// The message popup: the record's facts, the kinds it can fill and the one shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageDraft {
    pub facts: Facts,
    pub kinds: Vec<MessageKind>,
    pub index: usize,
    pub draft: Result<Draft, RenderError>,
    /// The outbound contact logged for this draft.
    pub contact: Option<i64>,
    pub scroll: u16,
}

impl MessageDraft {
    pub fn kind(&self) -> MessageKind {
        self.kinds[self.index]
    }
}

pub type CopyFn = fn(&str) -> std::io::Result<Copied>;

/// The real clipboard; tests swap in one that records instead.
pub fn system_clipboard(text: &str) -> std::io::Result<Copied> {
    clipboard::copy(text)
}

fn title(kind: MessageKind) -> &'static str {
    t(&format!("message_kind.{}", kind.as_ref()))
}

impl App {
    /// The facts of the record under the cursor, on whichever screen.
    fn message_facts(&self) -> crate::store::Result<Option<Facts>> {
        let conn = self.store.conn();
        Ok(match self.tab {
            Tab::Orders => {
                let id = self
                    .detail
                    .as_ref()
                    .map(|d| d.id)
                    .or_else(|| self.orders.selected_id());
                id.map(|id| messages::for_order(conn, id)).transpose()?
            }
            Tab::Shipments => self
                .shipments
                .selected_id()
                .map(|id| messages::for_shipment(conn, id))
                .transpose()?,
            Tab::Customers => self
                .customers
                .selected_id()
                .map(|id| messages::for_customer(conn, id))
                .transpose()?,
            Tab::Complaints => self
                .complaints
                .selected_id()
                .map(|id| messages::for_complaint(conn, id))
                .transpose()?,
            Tab::Today | Tab::Reports => None,
        })
    }

    pub(super) fn draft_message(&mut self) -> AppResult {
        let Some(facts) = self.message_facts()? else {
            self.info(t("message.err_pick").into());
            return Ok(());
        };
        let kinds = facts.available();
        let Some(fitting) = facts.fitting() else {
            self.info(t("message.err_nothing").into());
            return Ok(());
        };
        let index = kinds.iter().position(|k| *k == fitting).unwrap_or(0);
        let mut popup = MessageDraft {
            draft: Err(RenderError {
                template: String::new(),
                line: None,
                field: None,
                reason: String::new(),
            }),
            facts,
            kinds,
            index,
            contact: None,
            scroll: 0,
        };
        self.render_draft(&mut popup)?;
        self.mode = Mode::Message(Box::new(popup));
        Ok(())
    }

    /// Fills the shown kind and keeps the contact log in step with it.
    fn render_draft(&mut self, popup: &mut MessageDraft) -> AppResult {
        let kind = popup.kind();
        popup.draft = self.templates.draft(kind, &popup.facts, &self.sender());
        popup.scroll = 0;
        if popup.draft.is_err() {
            return Ok(());
        }
        let summary = popup.facts.summary(title(kind));
        let tx = self.store.begin()?;
        match popup.contact {
            Some(id) => messages::relabel_outbound(&tx, id, kind.as_ref(), &summary)?,
            None => {
                let mut change = Change::new("message");
                let id = messages::log_outbound(
                    &tx,
                    &mut change,
                    &popup.facts,
                    kind.as_ref(),
                    &summary,
                    now(),
                )?;
                change.record(&tx)?;
                popup.contact = Some(id);
            }
        }
        tx.commit().doing("logging the message")?;
        if let Some(d) = &self.detail {
            let id = d.id;
            self.detail = Some(crate::store::orders::load_detail(self.store.conn(), id)?);
        }
        let channel = t(&format!("channel.{}", popup.facts.customer.channel));
        self.info(tf("message.logged", &[("channel", &channel)]));
        Ok(())
    }

    /// Who signs the messages: `signature` in config.toml, else the UI's default.
    fn sender(&self) -> String {
        self.config
            .signature
            .clone()
            .unwrap_or_else(|| t("message.default_signature").to_string())
    }

    pub(super) fn message_key(&mut self, mut popup: Box<MessageDraft>, key: &KeyEvent) -> Mode {
        let k = super::keymap::Key::from_event(key);
        let action = k.and_then(|k| self.keymap.action(super::keymap::MESSAGE_SCREEN, &k));
        let result = match action {
            Some(Action::NextTemplate) | Some(Action::PrevTemplate) => {
                let n = popup.kinds.len();
                popup.index = if action == Some(Action::NextTemplate) {
                    (popup.index + 1) % n
                } else {
                    (popup.index + n - 1) % n
                };
                self.render_draft(&mut popup)
            }
            Some(Action::CopyMessage) => {
                if let Ok(d) = &popup.draft {
                    match (self.copier)(&d.text()) {
                        Ok(Copied::Program(p)) => {
                            self.info(tf("message.copied_program", &[("program", &p)]))
                        }
                        Ok(Copied::Terminal) => self.info(t("message.copied_terminal").into()),
                        Err(e) => self.message = Some((super::Level::Error, e.to_string())),
                    }
                }
                Ok(())
            }
            Some(Action::SaveMessage) => {
                if let Ok(d) = &popup.draft {
                    self.save_draft(&popup.facts, d);
                }
                Ok(())
            }
            Some(Action::Down) => {
                popup.scroll = popup.scroll.saturating_add(1);
                Ok(())
            }
            Some(Action::Up) => {
                popup.scroll = popup.scroll.saturating_sub(1);
                Ok(())
            }
            Some(Action::Back) => return Mode::Normal,
            _ if key.code == KeyCode::Esc => return Mode::Normal,
            _ => Ok(()),
        };
        self.report(result);
        Mode::Message(popup)
    }

    /// Writes the draft to `messages/` beside the database, readable by the owner only.
    fn save_draft(&mut self, facts: &Facts, draft: &Draft) {
        let dir = self
            .store
            .path()
            .parent()
            .map(|p| p.join("messages"))
            .unwrap_or_else(|| std::path::PathBuf::from("messages"));
        let about = facts
            .complaint
            .as_ref()
            .map(|c| c.complaint_no.clone())
            .or_else(|| facts.order.as_ref().map(|o| o.order_no.clone()))
            .unwrap_or_else(|| facts.customer.code.clone());
        let safe: String = about
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = dir.join(format!(
            "{safe}-{}-{}.txt",
            draft.kind.as_ref(),
            draft.language.as_str()
        ));
        let result = crate::io::files::private_folder(&dir)
            .map_err(anyhow::Error::from)
            .and_then(|_| crate::io::write_private(&path, draft.text().as_bytes()));
        match result {
            Ok(()) => self.info(tf("message.saved", &[("path", &path.display())])),
            Err(e) => self.message = Some((super::Level::Error, format!("{e:#}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixture;
    use crossterm::event::{KeyEvent, KeyModifiers};

    fn press(app: &mut App, code: KeyCode) {
        app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    }

    fn outbound(app: &App) -> Vec<(String, String, String)> {
        let mut stmt = app
            .store
            .conn()
            .prepare(
                "SELECT cu.code, c.template, c.summary FROM contacts c
                 JOIN customers cu ON cu.id = c.customer_id WHERE c.direction = 'out' ORDER BY c.id",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn popup(app: &App) -> &MessageDraft {
        match &app.mode {
            Mode::Message(p) => p,
            other => panic!("no message popup: {other:?}"),
        }
    }

    #[test]
    fn m_drafts_the_fitting_message_and_logs_one_outbound_contact() {
        let mut app = fixture::app(30);
        let order_no = app.orders.selected().unwrap().order_no.clone();
        let customer = app.orders.selected().unwrap().customer.clone();
        // With production under way, a production update can be written too.
        let id = app.orders.selected_id().unwrap();
        app.store
            .conn()
            .execute(
                "INSERT INTO production (order_id, stage, updated_at) VALUES (?1, 'producing', 0)",
                [id],
            )
            .unwrap();
        press(&mut app, KeyCode::Char('m'));
        let p = popup(&app);
        assert_eq!(p.kind(), MessageKind::OrderConfirmation);
        let text = p.draft.as_ref().unwrap().text();
        assert!(text.contains(&order_no), "{text}");
        assert!(text.contains(&customer), "{text}");
        let logged = outbound(&app);
        assert_eq!(logged.len(), 1);
        assert_eq!(logged[0].1, "order_confirmation");
        assert!(logged[0].2.contains(&order_no));
        // Another kind: the same contact follows it, no second one.
        press(&mut app, KeyCode::Right);
        let kind = popup(&app).kind();
        assert_ne!(kind, MessageKind::OrderConfirmation);
        let logged = outbound(&app);
        assert_eq!(logged.len(), 1);
        assert_eq!(logged[0].1, kind.as_ref());
        press(&mut app, KeyCode::Char('y'));
        assert!(matches!(app.mode, Mode::Message(_)), "copy keeps the draft");
        assert!(app
            .message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("test")));
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.mode, Mode::Normal);
        // The log entry is one undo step.
        press(&mut app, KeyCode::Char('u'));
        assert!(outbound(&app).is_empty());
    }

    #[test]
    fn keys_other_than_the_popups_do_nothing_while_it_is_open() {
        let mut app = fixture::app(5);
        press(&mut app, KeyCode::Char('m'));
        press(&mut app, KeyCode::Char('q'));
        press(&mut app, KeyCode::Char('2'));
        assert!(app.running);
        assert!(matches!(app.mode, Mode::Message(_)));
        assert_eq!(app.tab, Tab::Orders);
    }

    #[test]
    fn a_customer_without_orders_gets_a_clear_message_and_no_popup() {
        let mut app = fixture::app(0);
        press(&mut app, KeyCode::Char('2'));
        press(&mut app, KeyCode::Char('m'));
        assert_eq!(app.mode, Mode::Normal);
        assert_eq!(
            app.message.as_ref().map(|(_, m)| m.as_str()),
            Some(t("message.err_nothing"))
        );
        assert!(outbound(&app).is_empty());
    }

    #[test]
    fn the_stage_message_is_offered_after_confirming() {
        let mut app = fixture::app(30);
        // Newest first: 030 is confirmed... find a quoted one and advance it.
        while app.orders.selected().unwrap().status != crate::domain::status::Status::Quoted {
            press(&mut app, KeyCode::Char('j'));
        }
        press(&mut app, KeyCode::Char('>'));
        let msg = app.message.clone().unwrap().1;
        assert!(msg.contains(t("message_kind.order_confirmation")), "{msg}");
        press(&mut app, KeyCode::Char('m'));
        assert_eq!(popup(&app).kind(), MessageKind::OrderConfirmation);
    }
}
