//! What the Orders desk's keys do: the detail, status changes, undo and the order form.

use super::busy::PendingStatus;
use super::input::TextInput;
use super::keymap::Action;
use super::tab::Tab;
use super::{status_key, App, AppResult, Confirm, Mode, Prompt};
use crate::domain::status::{toggle_hold, Status};
use crate::domain::time::now;
use crate::i18n::{t, tf};
use crate::store::orders::{self, StatusRequest};
use crate::store::undo::{undo_last, Change};
use crate::store::Context;
use std::str::FromStr;

impl App {
    /// The Orders tab's own keys; `false` leaves the action to what every screen does.
    pub(super) fn orders_act(&mut self, action: Action) -> crate::store::Result<bool> {
        if self.order_shipping_act(action)? {
            return Ok(true);
        }
        let (screens, mut ctx) = self.split();
        if screens.orders.act(&mut ctx, action)? {
            return Ok(true);
        }
        match action {
            Action::Advance => self.status_keys(StatusRequest::Advance)?,
            Action::Hold => self.status_keys(StatusRequest::ToggleHold)?,
            Action::LogContact => self.log_contact_for_order()?,
            Action::Respond => self.reply_for_order()?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Marked orders, else the one under the cursor (or shown in the detail).
    pub(super) fn order_targets(&self) -> Vec<i64> {
        if self.tab != Tab::Orders {
            return Vec::new();
        }
        self.screens.orders.targets()
    }

    pub(super) fn status_keys(&mut self, request: StatusRequest) -> AppResult {
        let ids = self.order_targets();
        if request == StatusRequest::ToggleHold && !ids.is_empty() && !self.resuming(&ids) {
            self.mode = Mode::Prompt {
                prompt: Prompt::HoldReason { ids, at: now() },
                input: TextInput::default(),
            };
            return Ok(());
        }
        if ids.len() > 1 {
            self.mode = Mode::Confirm(Confirm::Bulk { ids, request });
            return Ok(());
        }
        self.change_status(&ids, request, now(), None)
    }

    /// Whether `h` on these orders resumes one held order (which needs no reason). Several
    /// marked orders may be held or resumed each, so they are asked for a reason.
    fn resuming(&self, ids: &[i64]) -> bool {
        let [id] = ids else {
            return false;
        };
        let status = match &self.screens.orders.detail {
            Some(d) if d.id == *id => Some(d.draft.status),
            _ => self
                .screens
                .orders
                .list
                .selected()
                .filter(|r| r.id == *id)
                .map(|r| r.status),
        };
        status == Some(crate::domain::status::Status::OnHold)
    }

    /// One step of undo: all `ids` change together or none does.
    pub(super) fn change_status(
        &mut self,
        ids: &[i64],
        request: StatusRequest,
        happened_at: i64,
        note: Option<&str>,
    ) -> AppResult {
        if ids.is_empty() {
            return Ok(());
        }
        let single_version = match (&self.screens.orders.detail, ids) {
            (Some(d), [id]) if d.id == *id => Some(d.version),
            (None, [id]) => self
                .screens
                .orders
                .list
                .selected()
                .filter(|r| r.id == *id)
                .map(|r| r.version),
            _ => None,
        };
        // The version each order had when the clerk saw it (marked, or under the cursor).
        let expected: Vec<Option<i64>> = ids
            .iter()
            .map(|id| {
                let marked = self.screens.orders.marked_versions.get(id).copied();
                marked.or(single_version.filter(|_| ids.len() == 1))
            })
            .collect();
        let pending = PendingStatus {
            ids: ids.to_vec(),
            expected,
            request,
            happened_at,
            note: note.map(str::to_string),
        };
        // Kept changes land in the order they were made: a new one waits behind them.
        if self.workers.busy.statuses.is_empty() {
            match self.apply_status(&pending) {
                Err(e) if e.is_busy() => {}
                r => return r,
            }
        }
        self.workers.busy.statuses.push_back(pending);
        self.screens.orders.list.marks.clear();
        self.screens.orders.marked_versions.clear();
        self.wait_for_db();
        Ok(())
    }

    /// Writes one status change (one step of undo), then shows the result.
    pub(super) fn apply_status(&mut self, p: &PendingStatus) -> AppResult {
        let PendingStatus {
            ids,
            expected,
            request,
            happened_at,
            note,
        } = p;
        let (request, happened_at, note) = (*request, *happened_at, note.as_deref());
        let tx = self.store.begin()?;
        let label = match ids.as_slice() {
            [id] => status_label(&orders::load_detail(&tx, *id)?, request),
            _ => "bulk status".to_string(),
        };
        let mut change = Change::new(label);
        let mut last = None;
        for (id, expected_version) in ids.iter().zip(expected.iter().copied()) {
            last = Some(orders::change_status(
                &tx,
                &mut change,
                *id,
                expected_version,
                request,
                happened_at,
                note,
            )?);
        }
        change.record(&tx)?;
        tx.commit().doing("saving the status change")?;
        if let Some(c) = last {
            self.status.last_change = Some(c.to);
            let text = if ids.len() > 1 {
                tf("msg.bulk_status", &[("count", &ids.len())])
            } else {
                tf(
                    "msg.status_changed",
                    &[
                        ("order", &c.order_no),
                        ("from", &t(&status_key(c.from))),
                        ("to", &t(&status_key(c.to))),
                    ],
                )
            };
            // A stage with a standard message: say which one `m` would draft.
            let text = match crate::messages::MessageKind::for_stage(c.to) {
                Some(kind) if ids.len() == 1 => format!(
                    "{text} · {}",
                    tf(
                        "message.stage_hint",
                        &[
                            ("key", &self.keymap.describe(Action::DraftMessage)),
                            ("message", &t(&format!("message_kind.{}", kind.as_ref()))),
                        ]
                    )
                ),
                _ => text,
            };
            self.info(text);
        }
        self.screens.orders.list.marks.clear();
        self.screens.orders.marked_versions.clear();
        self.after_change()
    }

    pub(super) fn after_change(&mut self) -> AppResult {
        self.screens.orders.list.total = None;
        self.screens.orders.list.refresh(self.store.conn())?;
        if let Some(d) = &self.screens.orders.detail {
            let id = d.id;
            self.screens.orders.detail = Some(orders::load_detail(self.store.conn(), id)?);
        }
        Ok(())
    }

    pub(super) fn undo(&mut self) -> AppResult {
        let tx = self.store.begin()?;
        let undone = undo_last(&tx)?;
        tx.commit().doing("saving the undo")?;
        match undone {
            Some(u) => {
                self.info(undone_text(&u.label));
                self.after_desk_change()?;
                // The cursor goes to the order undone, so the clerk sees what came back.
                if let (Tab::Orders, Some(id)) = (self.tab, u.orders.first().copied()) {
                    if !self.screens.orders.list.select_id(id) {
                        self.screens.orders.list.reset(self.store.conn())?;
                        self.screens.orders.list.select_id(id);
                    }
                    if self
                        .screens
                        .orders
                        .detail
                        .as_ref()
                        .is_some_and(|d| d.id != id)
                    {
                        self.screens.orders.detail =
                            Some(orders::load_detail(self.store.conn(), id)?);
                    }
                }
                self.status.last_change = None;
                return Ok(());
            }
            None => self.info(t("msg.nothing_to_undo").into()),
        }
        self.status.last_change = None;
        // Undo may restore any record, not only orders.
        self.after_desk_change()
    }

    pub(super) fn after_save(&mut self, id: i64) -> AppResult {
        self.screens.orders.list.total = None;
        self.screens.orders.list.refresh(self.store.conn())?;
        if !self.screens.orders.list.select_id(id) {
            self.screens.orders.list.reset(self.store.conn())?;
            self.screens.orders.list.select_id(id);
        }
        if self.screens.orders.detail.is_some() {
            self.screens.orders.detail = Some(orders::load_detail(self.store.conn(), id)?);
        }
        Ok(())
    }
}

/// The undo label of one order's status change: `status:<order no>:<from>:<to>` in codes,
/// so it can be told in either language when undone. A change the rules will refuse keeps
/// the plain label (it is never recorded anyway).
fn status_label(d: &orders::OrderDetail, request: StatusRequest) -> String {
    let from = d.draft.status;
    let to = match request {
        StatusRequest::Advance => from.next().ok(),
        StatusRequest::ToggleHold => toggle_hold(from, d.held_from).ok(),
        StatusRequest::Set(s) => Some(s),
    };
    match to {
        Some(to) => format!(
            "status:{}:{}:{}",
            d.draft.order_no,
            from.as_str(),
            to.as_str()
        ),
        None => "status".to_string(),
    }
}

/// What the status line says after undo: the order and the status it went back to, when
/// the label says so; else the label itself.
pub(super) fn undone_text(label: &str) -> String {
    let mut parts = label.rsplitn(3, ':');
    let (Some(to), Some(from), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return tf("msg.undone", &[("what", &label)]);
    };
    let (Some(order), Ok(from), Ok(to)) = (
        rest.strip_prefix("status:"),
        Status::from_str(from),
        Status::from_str(to),
    ) else {
        return tf("msg.undone", &[("what", &label)]);
    };
    // Undoing went from the change's end back to where it started.
    tf(
        "msg.undone_status",
        &[
            ("order", &order),
            ("from", &t(&status_key(to))),
            ("to", &t(&status_key(from))),
        ],
    )
}
