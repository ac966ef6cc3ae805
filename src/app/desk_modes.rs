//! Picking one of a few words over the screen: where a requirement or complaints go, how a
//! requirement ended.

use super::keymap::{Action, Key, CHOOSE_SCREEN};
use super::{App, Mode};
use crate::domain::enums::{Department, ForwardTarget};
use crate::domain::time::now;
use crate::i18n::{t, tf};
use crate::store::requirements;
use std::str::FromStr;

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
    /// Keys while a word is being picked: the list's moves, Enter, Esc/q from the keymap;
    /// a quick-pick key (`[pick]`, the digits) picks the word it numbers.
    pub(super) fn choose_key(&mut self, purpose: ChoicePurpose, selected: usize, k: &Key) -> Mode {
        let n = purpose.options().0.len();
        let pick = match self.keymap.action(CHOOSE_SCREEN, k) {
            Some(Action::Back | Action::Quit) => return Mode::Normal,
            Some(a @ (Action::Down | Action::Up | Action::Top | Action::Bottom)) => {
                return Mode::Choose {
                    purpose,
                    selected: step(selected, n, a),
                }
            }
            Some(Action::Open) => Some(selected),
            Some(a) => a.pick_index().filter(|i| *i < n),
            None => None,
        };
        match pick {
            Some(i) => {
                let r = self.apply_choice(&purpose, i);
                self.report(r);
                std::mem::replace(&mut self.mode, Mode::Normal)
            }
            None => Mode::Choose { purpose, selected },
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

/// A cursor over `n` items moved by a list key.
pub fn step(at: usize, n: usize, action: Action) -> usize {
    let last = n.saturating_sub(1);
    match action {
        Action::Down => (at + 1).min(last),
        Action::Up => at.saturating_sub(1),
        Action::Top => 0,
        Action::Bottom => last,
        Action::PageDown => (at + 10).min(last),
        _ => at.saturating_sub(10),
    }
}
