//! `m`: drafting the standard message that fits the selected record, showing it, and sending
//! it by e-mail, copying it or saving it (`.txt` or `.eml`). Looking at a draft logs nothing;
//! a message that leaves the desk is logged as an outbound contact in one undoable step: sent
//! by e-mail on the e-mail channel, copied or saved on the customer's preferred channel.
//!
//! Sending runs on a worker thread so the screen stays live: the draft shows "sending…"
//! until the result is in (`collect_mail`, called by the event loop).

use super::input::TextInput;
use super::keymap::Action;
use super::{App, AppResult, Mode, Tab};
use crate::i18n::{t, tf};
use crate::mail::{self, MailError, Outgoing};
use crate::messages::clipboard::{self, Copied};
use crate::messages::{Draft, Facts, MessageKind, RenderError};
use crate::store::messages::{self, Delivery};
use crossterm::event::KeyEvent;
use std::sync::{Arc, OnceLock};
use zeroize::Zeroizing;

/// The message popup: the record's facts, the kinds it can fill and the one shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageDraft {
    pub facts: Facts,
    pub kinds: Vec<MessageKind>,
    pub index: usize,
    pub draft: Result<Draft, RenderError>,
    pub scroll: u16,
    /// Kinds already logged by a copy or a save of this draft: copying twice is one message.
    logged: Vec<MessageKind>,
    pub send: SendState,
}

/// Sending by e-mail: nothing yet, the recipient (and password) being typed, or on its way.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SendState {
    #[default]
    Idle,
    Editing(SendForm),
    Sending(SendJob),
}

/// The recipient, prefilled with the customer's address, and the password when the server
/// needs one that this session does not know yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendForm {
    pub to: TextInput,
    pub password: Option<TextInput>,
    pub on_password: bool,
}

/// A message on its way: the worker thread fills `result` once.
#[derive(Debug, Clone)]
pub struct SendJob {
    pub to: String,
    result: Arc<OnceLock<Result<(), MailError>>>,
}

impl PartialEq for SendJob {
    fn eq(&self, other: &SendJob) -> bool {
        Arc::ptr_eq(&self.result, &other.result)
    }
}
impl Eq for SendJob {}

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
                    .screens
                    .orders
                    .detail
                    .as_ref()
                    .map(|d| d.id)
                    .or_else(|| self.screens.orders.list.selected_id());
                id.map(|id| messages::for_order(conn, id)).transpose()?
            }
            Tab::Shipments => self
                .screens
                .shipments
                .list
                .selected_id()
                .map(|id| messages::for_shipment(conn, id))
                .transpose()?,
            Tab::Customers => self
                .screens
                .customers
                .list
                .selected_id()
                .map(|id| messages::for_customer(conn, id))
                .transpose()?,
            Tab::Complaints => self
                .screens
                .complaints
                .list
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
            scroll: 0,
            logged: Vec::new(),
            send: SendState::Idle,
        };
        self.render_draft(&mut popup);
        self.mode = Mode::Message(Box::new(popup));
        Ok(())
    }

    /// Fills the shown kind. Only looking logs nothing.
    fn render_draft(&self, popup: &mut MessageDraft) {
        popup.draft = self
            .view
            .templates
            .draft(popup.kind(), &popup.facts, &self.sender());
        popup.scroll = 0;
    }

    /// Who signs the messages: `signature` in config.toml, else the UI's default.
    fn sender(&self) -> String {
        self.config
            .signature
            .clone()
            .unwrap_or_else(|| t("message.default_signature").to_string())
    }

    /// Logs the shown message as it leaves the desk, and says so after `done`.
    fn log_message(
        &mut self,
        popup: &mut MessageDraft,
        delivery: Delivery,
        done: String,
    ) -> AppResult {
        let kind = popup.kind();
        if delivery != Delivery::Sent && popup.logged.contains(&kind) {
            self.info(done);
            return Ok(());
        }
        let summary = popup.facts.summary(title(kind));
        messages::log_message(
            &mut self.store,
            &popup.facts,
            delivery,
            kind.as_ref(),
            &summary,
        )?;
        if delivery != Delivery::Sent {
            popup.logged.push(kind);
        }
        if let Some(d) = &self.screens.orders.detail {
            let id = d.id;
            self.screens.orders.detail =
                Some(crate::store::orders::load_detail(self.store.conn(), id)?);
        }
        if delivery == Delivery::Sent {
            self.info(done);
        } else {
            let channel = t(&format!("channel.{}", popup.facts.customer.channel));
            let logged = tf("message.logged", &[("channel", &channel)]);
            self.info(format!("{done}; {logged}"));
        }
        Ok(())
    }

    pub(super) fn message_key(&mut self, mut popup: Box<MessageDraft>, key: &KeyEvent) -> Mode {
        match std::mem::take(&mut popup.send) {
            SendState::Idle => {}
            SendState::Editing(form) => {
                popup.send = self.send_form_key(&mut popup, form, key);
                return Mode::Message(popup);
            }
            SendState::Sending(job) => {
                popup.send = SendState::Sending(job);
                self.info(t("mail.busy").into());
                return Mode::Message(popup);
            }
        }
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
                self.render_draft(&mut popup);
                Ok(())
            }
            Some(Action::CopyMessage) => self.copy_draft(&mut popup),
            Some(Action::SaveMessage) => self.save_draft(&mut popup, false),
            Some(Action::SaveMessageEml) => self.save_draft(&mut popup, true),
            Some(Action::SendMessage) => {
                self.open_send_form(&mut popup);
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
            _ => Ok(()),
        };
        self.report(result);
        Mode::Message(popup)
    }

    fn copy_draft(&mut self, popup: &mut MessageDraft) -> AppResult {
        let Ok(d) = &popup.draft else {
            return Ok(());
        };
        match (self.view.copier)(&d.text()) {
            Ok(Copied::Program(p)) => {
                let done = tf("message.copied_program", &[("program", &p)]);
                self.log_message(popup, Delivery::Copied, done)
            }
            Ok(Copied::Terminal) => {
                let done = t("message.copied_terminal").to_string();
                self.log_message(popup, Delivery::Copied, done)
            }
            Err(e) => {
                self.status.message = Some((super::Level::Error, e.to_string()));
                Ok(())
            }
        }
    }

    /// `s`: the recipient line, prefilled with the customer's address.
    fn open_send_form(&mut self, popup: &mut MessageDraft) {
        if popup.draft.is_err() {
            return;
        }
        let Some(smtp) = &self.config.smtp else {
            self.status.message = Some((super::Level::Error, MailError::NotConfigured.to_string()));
            return;
        };
        let password =
            (smtp.needs_password() && mail::known_password().is_none()).then(TextInput::default);
        popup.send = SendState::Editing(SendForm {
            to: TextInput::new(popup.facts.customer.email.clone().unwrap_or_default()),
            password,
            on_password: false,
        });
    }

    fn send_form_key(
        &mut self,
        popup: &mut MessageDraft,
        mut form: SendForm,
        key: &KeyEvent,
    ) -> SendState {
        let action = self.edit_action(key);
        match action {
            Some(Action::Close) => return SendState::Idle,
            Some(
                Action::NextField
                | Action::PrevField
                | Action::NextSuggestion
                | Action::PrevSuggestion,
            ) => {
                form.on_password = !form.on_password && form.password.is_some();
            }
            Some(Action::Accept) => {
                let wants_password = form.password.as_ref().is_some_and(|p| p.value().is_empty());
                if !form.on_password && wants_password {
                    form.on_password = true;
                } else {
                    return self.start_send(popup, form);
                }
            }
            _ => {
                let input = match (&mut form.password, form.on_password) {
                    (Some(p), true) => p,
                    _ => &mut form.to,
                };
                input.edit(action, key);
            }
        }
        SendState::Editing(form)
    }

    /// Checks what can be checked here, then hands the message to a worker thread.
    fn start_send(&mut self, popup: &MessageDraft, mut form: SendForm) -> SendState {
        let (Ok(draft), Some(smtp)) = (&popup.draft, self.config.smtp.clone()) else {
            return SendState::Idle;
        };
        let out = Outgoing {
            to: form.to.value().trim().to_string(),
            subject: draft.subject.clone(),
            body: draft.body.clone(),
        };
        if let Err(e) = mail::build(&smtp, &out) {
            self.status.message = Some((super::Level::Error, e.to_string()));
            form.on_password = false;
            return SendState::Editing(form);
        }
        if let Some(mut typed) = form.password.take() {
            let password = Zeroizing::new(typed.value().to_string());
            typed.set(String::new());
            mail::remember_password(password);
        }
        let password = if smtp.needs_password() {
            mail::known_password()
        } else {
            None
        };
        let result = Arc::new(OnceLock::new());
        let slot = Arc::clone(&result);
        let to = out.to.clone();
        std::thread::spawn(move || {
            let r = mail::send(&smtp, password.as_ref().map(|p| p.as_str()), &out);
            let _ = slot.set(r);
        });
        self.info(tf(
            "mail.sending",
            &[("to", &crate::domain::text::shown(&to))],
        ));
        SendState::Sending(SendJob { to, result })
    }

    /// Whether a message is on its way (the event loop then wakes to collect the result).
    pub fn mail_waiting(&self) -> bool {
        matches!(&self.mode, Mode::Message(p) if matches!(p.send, SendState::Sending(_)))
    }

    /// Takes in the result of a send: logs the contact when it went, says why when not.
    pub fn collect_mail(&mut self) {
        let finished = match &self.mode {
            Mode::Message(p) => match &p.send {
                SendState::Sending(job) => job.result.get().cloned(),
                _ => None,
            },
            _ => None,
        };
        let Some(result) = finished else {
            return;
        };
        let Mode::Message(mut popup) = std::mem::replace(&mut self.mode, Mode::Normal) else {
            return;
        };
        let to = match std::mem::take(&mut popup.send) {
            SendState::Sending(job) => job.to,
            _ => String::new(),
        };
        match result {
            Ok(()) => {
                let done = tf("mail.sent", &[("to", &crate::domain::text::shown(&to))]);
                let r = self.log_message(&mut popup, Delivery::Sent, done);
                self.report(r);
            }
            Err(e) => {
                if matches!(e, MailError::Login(_)) {
                    mail::forget_password();
                }
                self.status.message = Some((super::Level::Error, e.to_string()));
            }
        }
        self.mode = Mode::Message(popup);
    }

    /// Writes the draft to `messages/` beside the database, readable by the owner only: as
    /// text, or as an e-mail file (`.eml`) to the customer's address that a mail program opens.
    fn save_draft(&mut self, popup: &mut MessageDraft, eml: bool) -> AppResult {
        let Ok(draft) = &popup.draft else {
            return Ok(());
        };
        let bytes = if eml {
            let Some(smtp) = &self.config.smtp else {
                self.status.message =
                    Some((super::Level::Error, MailError::NotConfigured.to_string()));
                return Ok(());
            };
            let out = Outgoing {
                to: popup.facts.customer.email.clone().unwrap_or_default(),
                subject: draft.subject.clone(),
                body: draft.body.clone(),
            };
            match mail::build(smtp, &out) {
                Ok(m) => m.formatted(),
                Err(e) => {
                    self.status.message = Some((super::Level::Error, e.to_string()));
                    return Ok(());
                }
            }
        } else {
            draft.text().into_bytes()
        };
        let dir = self
            .store
            .path()
            .parent()
            .map(|p| p.join("messages"))
            .unwrap_or_else(|| std::path::PathBuf::from("messages"));
        let facts = &popup.facts;
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
            "{safe}-{}-{}.{}",
            draft.kind.as_ref(),
            draft.language.as_str(),
            if eml { "eml" } else { "txt" }
        ));
        let result = crate::io::files::private_folder(&dir)
            .map_err(anyhow::Error::from)
            .and_then(|_| crate::io::write_private(&path, &bytes));
        match result {
            Ok(()) => {
                let shown = crate::domain::text::shown(&path.display().to_string()).into_owned();
                let done = tf("message.saved", &[("path", &shown)]);
                self.log_message(popup, Delivery::Saved, done)
            }
            Err(e) => {
                self.status.message = Some((super::Level::Error, format!("{e:#}")));
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixture;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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
    fn looking_logs_nothing_and_a_copy_logs_one_contact_on_the_preferred_channel() {
        let mut app = fixture::app(30);
        let order_no = app.screens.orders.list.selected().unwrap().order_no.clone();
        let customer = app.screens.orders.list.selected().unwrap().customer.clone();
        // With production under way, a production update can be written too.
        let id = app.screens.orders.list.selected_id().unwrap();
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
        assert!(outbound(&app).is_empty(), "only looking logs nothing");
        // Another kind: still nothing.
        press(&mut app, KeyCode::Right);
        let kind = popup(&app).kind();
        assert_ne!(kind, MessageKind::OrderConfirmation);
        assert!(outbound(&app).is_empty());
        press(&mut app, KeyCode::Char('y'));
        assert!(matches!(app.mode, Mode::Message(_)), "copy keeps the draft");
        assert!(app
            .status
            .message
            .as_ref()
            .is_some_and(|(_, m)| m.contains("test")));
        let logged = outbound(&app);
        assert_eq!(logged.len(), 1);
        assert_eq!(logged[0].1, kind.as_ref());
        assert!(logged[0].2.contains(&order_no));
        let channel: String = app
            .store
            .conn()
            .query_row(
                "SELECT channel FROM contacts WHERE direction = 'out'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(channel, popup(&app).facts.customer.channel);
        // Copying the same message again is the same message.
        press(&mut app, KeyCode::Char('y'));
        assert_eq!(outbound(&app).len(), 1);
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.mode, Mode::Normal);
        // The log entry is one undo step.
        press(&mut app, KeyCode::Char('u'));
        assert!(outbound(&app).is_empty());
    }

    fn type_text(app: &mut App, text: &str) {
        for c in text.chars() {
            press(app, KeyCode::Char(c));
        }
    }

    /// Collects the worker's result, polling the state (at most 20 s).
    fn wait_sent(app: &mut App) {
        let end = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while app.mail_waiting() && std::time::Instant::now() < end {
            app.collect_mail();
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(!app.mail_waiting(), "the send finished");
    }

    fn email_contacts(app: &App) -> i64 {
        app.store
            .conn()
            .query_row(
                "SELECT count(*) FROM contacts WHERE direction = 'out' AND channel = 'email'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    }

    #[test]
    fn s_sends_on_a_worker_to_the_edited_recipient_and_logs_an_email_contact() {
        use crate::mail::test_server::{Rules, TestServer};
        let server = TestServer::start(Rules {
            login: Some(("desk".into(), "pw".into())),
            refuse: vec!["nobody@example.cn".into()],
        });
        let mut app = fixture::app(5);
        app.config.smtp = Some(crate::mail::SmtpConfig {
            host: "127.0.0.1".into(),
            port: Some(server.port),
            tls: crate::mail::Tls::None,
            user: Some("desk".into()),
            from: "desk@example.com".into(),
            cc: None,
        });
        let id = app.screens.orders.list.selected_id().unwrap();
        app.store
            .conn()
            .execute(
                "UPDATE customers SET email = 'old@example.cn', preferred_channel = 'phone'
                 WHERE id = (SELECT customer_id FROM orders WHERE id = ?1)",
                [id],
            )
            .unwrap();
        crate::mail::forget_password();
        press(&mut app, KeyCode::Char('m'));
        press(&mut app, KeyCode::Char('s'));
        let SendState::Editing(form) = &popup(&app).send else {
            panic!("the recipient line opens");
        };
        assert_eq!(form.to.value(), "old@example.cn");
        assert!(form.password.is_some(), "the password is asked once");
        // A wrong password: refused, nothing logged, asked again next time.
        press(&mut app, KeyCode::Enter);
        type_text(&mut app, "wrong");
        press(&mut app, KeyCode::Enter);
        assert!(app.mail_waiting());
        wait_sent(&mut app);
        let err = app.status.message.clone().unwrap();
        assert_eq!(err.0, super::super::Level::Error);
        assert!(err.1.contains("refused the login"), "{}", err.1);
        assert_eq!(email_contacts(&app), 0);
        // The recipient edited, the right password: sent and logged as e-mail.
        press(&mut app, KeyCode::Char('s'));
        for _ in 0.."old@example.cn".len() {
            press(&mut app, KeyCode::Backspace);
        }
        type_text(&mut app, "new@example.cn");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "pw");
        press(&mut app, KeyCode::Enter);
        // Keys while sending change nothing.
        press(&mut app, KeyCode::Esc);
        assert!(matches!(app.mode, Mode::Message(_)));
        wait_sent(&mut app);
        let msg = app.status.message.clone().unwrap().1;
        assert!(msg.contains("sent to new@example.cn"), "{msg}");
        let got = server.wait_for(1);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].to, vec!["new@example.cn"]);
        assert_eq!(email_contacts(&app), 1);
        // The password is known now; a refused recipient logs nothing.
        press(&mut app, KeyCode::Char('s'));
        let SendState::Editing(form) = &popup(&app).send else {
            panic!("the recipient line opens");
        };
        assert!(form.password.is_none());
        for _ in 0.."old@example.cn".len() {
            press(&mut app, KeyCode::Backspace);
        }
        type_text(&mut app, "nobody@example.cn");
        press(&mut app, KeyCode::Enter);
        wait_sent(&mut app);
        let msg = app.status.message.clone().unwrap().1;
        assert!(msg.contains("refused the recipient"), "{msg}");
        assert_eq!(email_contacts(&app), 1);
        crate::mail::forget_password();
        // The sent message is one undo step.
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char('u'));
        assert_eq!(email_contacts(&app), 0);
    }

    #[test]
    fn without_smtp_s_and_shift_w_say_so_and_log_nothing() {
        let mut app = fixture::app(5);
        press(&mut app, KeyCode::Char('m'));
        press(&mut app, KeyCode::Char('s'));
        assert!(matches!(popup(&app).send, SendState::Idle));
        let msg = app.status.message.clone().unwrap().1;
        assert!(msg.contains("[smtp]"), "{msg}");
        press(&mut app, KeyCode::Char('W'));
        let msg = app.status.message.clone().unwrap().1;
        assert!(msg.contains("[smtp]"), "{msg}");
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
            app.status.message.as_ref().map(|(_, m)| m.as_str()),
            Some(t("message.err_nothing"))
        );
        assert!(outbound(&app).is_empty());
    }

    #[test]
    fn the_stage_message_is_offered_after_confirming() {
        let mut app = fixture::app(30);
        // Newest first: 030 is confirmed... find a quoted one and advance it.
        while app.screens.orders.list.selected().unwrap().status
            != crate::domain::status::Status::Quoted
        {
            press(&mut app, KeyCode::Char('j'));
        }
        press(&mut app, KeyCode::Char('>'));
        let msg = app.status.message.clone().unwrap().1;
        assert!(msg.contains(t("message_kind.order_confirmation")), "{msg}");
        press(&mut app, KeyCode::Char('m'));
        assert_eq!(popup(&app).kind(), MessageKind::OrderConfirmation);
    }
}
