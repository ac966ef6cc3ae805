//! The instruction sheet with the full delivery address (`p`): on an encrypted desk it asks
//! for the passphrase again (typed hidden) and a reason, which the audit log keeps; `Esc` at
//! the passphrase writes the sheet with the address masked instead. A plain desk writes it
//! in full and says once, in the status line, that this is unprotected.

use super::input::TextInput;
use super::keymap::Action;
use super::{App, AppResult, Level, Mode, Prompt};
use crate::docs::instruction::Address;
use crate::i18n::{t, tf};
use crate::store::Context;
use crossterm::event::KeyEvent;

impl App {
    pub(super) fn sheet_prompt_key(
        &mut self,
        prompt: Prompt,
        mut input: TextInput,
        key: &KeyEvent,
    ) -> Mode {
        let action = self.edit_action(key);
        match (action, prompt) {
            (Some(Action::Close), Prompt::SheetPassphrase { order }) => {
                let r = self.write_sheet(order, Address::Masked);
                self.report(r);
                Mode::Normal
            }
            (Some(Action::Close), _) => Mode::Normal,
            (Some(Action::Accept), Prompt::SheetPassphrase { order }) => {
                if Some(input.value()) != self.store.passphrase() {
                    self.status.message = Some((
                        Level::Error,
                        tf("authorise.wrong", &[("what", &t("authorise.what_sheet"))]),
                    ));
                    return Mode::Normal;
                }
                Mode::Prompt {
                    prompt: Prompt::SheetReason { order },
                    input: TextInput::default(),
                }
            }
            (Some(Action::Accept), Prompt::SheetReason { order }) => {
                let reason = input.value().trim().to_string();
                let checked = if reason.is_empty() {
                    Err(tf(
                        "authorise.no_reason",
                        &[("what", &t("authorise.what_sheet"))],
                    ))
                } else {
                    crate::domain::text::check(&reason, crate::domain::text::Lines::One).map_err(
                        |e| {
                            tf(
                                "authorise.bad_reason",
                                &[("error", &crate::domain::text::shown(&e.to_string()))],
                            )
                        },
                    )
                };
                if let Err(text) = checked {
                    self.status.message = Some((Level::Error, text));
                    return Mode::Prompt {
                        prompt: Prompt::SheetReason { order },
                        input,
                    };
                }
                let r = self
                    .record_sheet_reason(order, &reason)
                    .and_then(|()| self.write_sheet(order, Address::Full));
                self.report(r);
                Mode::Normal
            }
            (_, prompt) => {
                input.edit(action, key);
                Mode::Prompt { prompt, input }
            }
        }
    }

    fn record_sheet_reason(&mut self, order: i64, reason: &str) -> AppResult {
        let order_no: String = self
            .store
            .conn()
            .query_row("SELECT order_no FROM orders WHERE id = ?1", [order], |r| {
                r.get(0)
            })
            .doing("reading the order")?;
        let tx = self.store.begin()?;
        crate::store::audit::append(
            &tx,
            "authorise",
            "sheet",
            &order_no,
            &serde_json::json!({ "reason": reason }),
        )?;
        tx.commit().doing("recording the authorisation")?;
        Ok(())
    }

    /// Writes the order's sheet; on a plain desk the first one says it is unprotected.
    pub(super) fn write_sheet(&mut self, order: i64, address: Address) -> AppResult {
        self.on_screens(|_, ctx| super::screens::order_shipping::write_sheet(ctx, order, address))
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::super::tests::{code, press};
    use super::*;
    use crate::store::Store;
    use crossterm::event::KeyCode;

    /// The fixture's orders in an encrypted file, SO-20260101-003 (confirmed) first.
    fn encrypted_app(dir: &std::path::Path) -> App {
        let db = dir.join("fx.db");
        let mut app = fixture::app(3);
        app.store
            .conn()
            .execute("VACUUM INTO ?1", [db.to_str().unwrap()])
            .unwrap();
        crate::store::cipher::convert(&db, None, Some("open sesame")).unwrap();
        app.store = Store::open_with(&db, Some("open sesame")).unwrap();
        app.screens.orders.list.reset(app.store.conn()).unwrap();
        app
    }

    fn sheet(dir: &std::path::Path) -> Option<String> {
        std::fs::read_to_string(dir.join("instructions/SO-20260101-003.txt")).ok()
    }

    fn authorisations(app: &App) -> Vec<String> {
        let mut stmt = app
            .store
            .conn()
            .prepare("SELECT detail FROM audit_log WHERE action = 'authorise' AND entity = 'sheet'")
            .unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<rusqlite::Result<Vec<String>>>().unwrap()
    }

    #[test]
    fn the_full_address_needs_the_passphrase_and_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = encrypted_app(dir.path());
        let address = app
            .store
            .conn()
            .query_row(
                "SELECT delivery_address FROM orders WHERE order_no = 'SO-20260101-003'",
                [],
                |r| r.get::<_, String>(0),
            )
            .unwrap();
        assert!(address.chars().count() > 6, "{address}");

        // A wrong passphrase: nothing written, nothing recorded.
        press(&mut app, "p");
        assert!(matches!(
            app.mode,
            Mode::Prompt {
                prompt: Prompt::SheetPassphrase { .. },
                ..
            }
        ));
        press(&mut app, "open barley");
        code(&mut app, KeyCode::Enter);
        assert_eq!(app.mode, Mode::Normal);
        assert_eq!(
            app.status.message.as_ref().map(|m| &m.0),
            Some(&Level::Error)
        );
        assert!(sheet(dir.path()).is_none());

        // The right one, then an empty reason (refused, asked again), then a reason.
        press(&mut app, "p");
        press(&mut app, "open sesame");
        code(&mut app, KeyCode::Enter);
        code(&mut app, KeyCode::Enter);
        assert!(matches!(
            app.mode,
            Mode::Prompt {
                prompt: Prompt::SheetReason { .. },
                ..
            }
        ));
        assert!(sheet(dir.path()).is_none());
        press(&mut app, "factory needs the site address");
        code(&mut app, KeyCode::Enter);
        assert_eq!(app.mode, Mode::Normal);
        let text = sheet(dir.path()).expect("the sheet");
        assert!(text.contains(&address), "{text}");
        let entries = authorisations(&app);
        assert_eq!(entries.len(), 1);
        assert!(entries[0].contains("factory needs the site address"));
    }

    #[test]
    fn escape_at_the_passphrase_writes_the_address_masked() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = encrypted_app(dir.path());
        press(&mut app, "p");
        code(&mut app, KeyCode::Esc);
        assert_eq!(app.mode, Mode::Normal);
        let text = sheet(dir.path()).expect("the sheet");
        assert!(text.contains("***"), "{text}");
        assert!(authorisations(&app).is_empty());
    }
}
