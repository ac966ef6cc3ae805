//! The instruction sheet with the full delivery address (`p`): on an encrypted desk it asks
//! for the passphrase again (typed hidden) and a reason, which the audit log keeps; `Esc` at
//! the passphrase writes the sheet with the address masked instead. A plain desk writes it
//! in full and says once, in the status line, that this is unprotected.

use super::input::TextInput;
use super::{App, AppResult, Level, Mode, Prompt};
use crate::docs::instruction::{self, Address};
use crate::i18n::{t, tf};
use crate::store::Context;
use crossterm::event::{KeyCode, KeyEvent};

impl App {
    pub(super) fn ask_sheet_passphrase(&mut self, order: i64) {
        self.mode = Mode::Prompt {
            prompt: Prompt::SheetPassphrase { order },
            input: TextInput::default(),
        };
    }

    pub(super) fn sheet_prompt_key(
        &mut self,
        prompt: Prompt,
        mut input: TextInput,
        key: &KeyEvent,
    ) -> Mode {
        match (key.code, prompt) {
            (KeyCode::Esc, Prompt::SheetPassphrase { order }) => {
                let r = self.write_sheet(order, Address::Masked);
                self.report(r);
                Mode::Normal
            }
            (KeyCode::Esc, _) => Mode::Normal,
            (KeyCode::Enter, Prompt::SheetPassphrase { order }) => {
                if Some(input.value()) != self.store.passphrase() {
                    self.message = Some((
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
            (KeyCode::Enter, Prompt::SheetReason { order }) => {
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
                    self.message = Some((Level::Error, text));
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
                input.handle(key);
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
        let path = self.store.path().to_path_buf();
        let written = instruction::write_with(self.store.conn(), &path, order, address)?;
        let mut text = tf(
            "sheet.written",
            &[
                ("text", &written.text.display()),
                ("html", &written.html.display()),
            ],
        );
        if self.store.passphrase().is_none() && !self.backups.unprotected_said {
            self.backups.unprotected_said = true;
            text = format!("{text} · {}", t("authorise.unprotected_app"));
        }
        self.info(text);
        Ok(())
    }
}
