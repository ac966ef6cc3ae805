//! The after-sales overlays: picking one of a few words (where a requirement or complaint
//! goes, how a requirement ended) and the resolution a closed complaint needs.

use super::input::TextInput;
use super::{App, Level, Mode};
use crate::domain::enums::{Department, ForwardTarget};
use crate::domain::time::now;
use crate::i18n::{t, tf};
use crate::store::requirements;
use crossterm::event::{KeyCode, KeyEvent};
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeskMode {
    Choose {
        purpose: ChoicePurpose,
        selected: usize,
    },
    /// Closing a complaint asks how it was resolved (required).
    Resolution {
        id: i64,
        version: i64,
        complaint_no: String,
        input: TextInput,
    },
}

/// What the picked word is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChoicePurpose {
    /// Forward a requirement to sales, R&D, production or logistics.
    Forward { id: i64 },
    /// Settle a requirement as met or declined.
    Settle { id: i64 },
    /// Route complaints to a department.
    Route { ids: Vec<i64>, version: Option<i64> },
}

impl ChoicePurpose {
    /// The words to pick from, with the string-table prefix that names them.
    pub fn options(&self) -> (Vec<&'static str>, &'static str) {
        match self {
            ChoicePurpose::Forward { .. } => (ForwardTarget::words(), "forward_to."),
            ChoicePurpose::Settle { .. } => (vec!["met", "declined"], "requirement_status."),
            ChoicePurpose::Route { .. } => (Department::words(), "department."),
        }
    }

    pub fn title(&self) -> String {
        match self {
            ChoicePurpose::Forward { .. } => t("ui.forward_to").into(),
            ChoicePurpose::Settle { .. } => t("ui.settle_as").into(),
            ChoicePurpose::Route { ids, .. } => tf("ui.route_to", &[("count", &ids.len())]),
        }
    }
}

impl App {
    pub(super) fn desk_mode_key(&mut self, mode: DeskMode, key: &KeyEvent) -> Mode {
        match mode {
            DeskMode::Choose { purpose, selected } => {
                let n = purpose.options().0.len();
                let pick = match key.code {
                    KeyCode::Esc | KeyCode::Char('q') => return Mode::Normal,
                    KeyCode::Down | KeyCode::Char('j') => {
                        return Mode::Desk(DeskMode::Choose {
                            purpose,
                            selected: (selected + 1).min(n.saturating_sub(1)),
                        })
                    }
                    KeyCode::Up | KeyCode::Char('k') => {
                        return Mode::Desk(DeskMode::Choose {
                            purpose,
                            selected: selected.saturating_sub(1),
                        })
                    }
                    KeyCode::Enter => Some(selected),
                    KeyCode::Char(c) => c
                        .to_digit(10)
                        .map(|d| d as usize)
                        .filter(|d| (1..=n).contains(d))
                        .map(|d| d - 1),
                    _ => None,
                };
                match pick {
                    Some(i) => {
                        let r = self.apply_choice(&purpose, i);
                        self.report(r);
                        std::mem::replace(&mut self.mode, Mode::Normal)
                    }
                    None => Mode::Desk(DeskMode::Choose { purpose, selected }),
                }
            }
            DeskMode::Resolution {
                id,
                version,
                complaint_no,
                mut input,
            } => match key.code {
                KeyCode::Esc => Mode::Normal,
                KeyCode::Enter if input.value().trim().is_empty() => {
                    self.message = Some((Level::Error, t("msg.resolution_required").into()));
                    Mode::Desk(DeskMode::Resolution {
                        id,
                        version,
                        complaint_no,
                        input,
                    })
                }
                KeyCode::Enter => {
                    let r = self.close_complaint(id, version, input.value());
                    self.report(r);
                    Mode::Normal
                }
                _ => {
                    input.handle(key);
                    Mode::Desk(DeskMode::Resolution {
                        id,
                        version,
                        complaint_no,
                        input,
                    })
                }
            },
        }
    }

    fn apply_choice(&mut self, purpose: &ChoicePurpose, index: usize) -> super::AppResult {
        let (words, prefix) = purpose.options();
        let Some(word) = words.get(index).copied() else {
            return Ok(());
        };
        let label = t(&format!("{prefix}{word}"));
        match purpose {
            ChoicePurpose::Forward { id } => {
                let Ok(to) = ForwardTarget::from_str(word) else {
                    return Ok(());
                };
                let id = *id;
                self.change_requirement("forward requirement", |c, ch| {
                    requirements::forward(c, ch, id, to)
                })?;
                self.info(tf("msg.forwarded", &[("to", &label)]));
            }
            ChoicePurpose::Settle { id } => {
                let (id, met) = (*id, word == "met");
                self.change_requirement("settle requirement", |c, ch| {
                    requirements::resolve(c, ch, id, met, now())
                })?;
                self.info(tf("msg.settled", &[("as", &label)]));
            }
            ChoicePurpose::Route { ids, version } => {
                let Ok(d) = Department::from_str(word) else {
                    return Ok(());
                };
                self.route_complaints(ids, *version, d)?;
            }
        }
        Ok(())
    }
}
