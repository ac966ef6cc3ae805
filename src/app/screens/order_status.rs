//! The Orders screen's status keys: `>` the next status, `h` hold or resume (a hold asks
//! why), and writing a status change as one step of undo, kept for a retry while another
//! program holds the database.

use super::{Ctx, OrdersScreen};
use crate::app::busy::PendingStatus;
use crate::app::input::TextInput;
use crate::app::keymap::Action;
use crate::app::{status_key, Confirm, Mode, Prompt};
use crate::domain::status::{toggle_hold, Status};
use crate::domain::time::now;
use crate::i18n::{t, tf};
use crate::store::orders::{self, StatusRequest};
use crate::store::undo::Change;
use crate::store::{Context, Store};

type Result<T> = crate::store::Result<T>;

impl OrdersScreen {
    /// `>` and `h` on the marked orders, else the open or selected one: several are asked
    /// about first, a hold asks why.
    pub(in crate::app) fn status_keys(
        &mut self,
        ctx: &mut Ctx<'_>,
        request: StatusRequest,
    ) -> Result<()> {
        let ids = self.targets();
        if request == StatusRequest::ToggleHold && !ids.is_empty() && !self.resuming(&ids) {
            *ctx.mode = Mode::Prompt {
                prompt: Prompt::HoldReason { ids, at: now() },
                input: TextInput::default(),
            };
            return Ok(());
        }
        if ids.len() > 1 {
            *ctx.mode = Mode::Confirm(Confirm::Bulk { ids, request });
            return Ok(());
        }
        self.change_status(ctx, &ids, request, now(), None)
    }

    /// Whether `h` on these orders resumes one held order (which needs no reason). Several
    /// marked orders may be held or resumed each, so they are asked for a reason.
    fn resuming(&self, ids: &[i64]) -> bool {
        let [id] = ids else {
            return false;
        };
        let status = match &self.detail {
            Some(d) if d.id == *id => Some(d.draft.status),
            _ => self
                .list
                .selected()
                .filter(|r| r.id == *id)
                .map(|r| r.status),
        };
        status == Some(Status::OnHold)
    }

    /// One step of undo: all `ids` change together or none does.
    pub(in crate::app) fn change_status(
        &mut self,
        ctx: &mut Ctx<'_>,
        ids: &[i64],
        request: StatusRequest,
        happened_at: i64,
        note: Option<&str>,
    ) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let single_version = match (&self.detail, ids) {
            (Some(d), [id]) if d.id == *id => Some(d.version),
            (None, [id]) => self
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
                let marked = self.marked_versions.get(id).copied();
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
        if ctx.workers.busy.statuses.is_empty() {
            match self.apply_status(ctx, &pending) {
                Err(e) if e.is_busy() => {}
                r => return r,
            }
        }
        ctx.workers.busy.statuses.push_back(pending);
        self.list.marks.clear();
        self.marked_versions.clear();
        let text = ctx.workers.busy.keep_waiting();
        ctx.info(text);
        Ok(())
    }

    /// Writes one status change (one step of undo), then shows the result.
    pub(in crate::app) fn apply_status(
        &mut self,
        ctx: &mut Ctx<'_>,
        p: &PendingStatus,
    ) -> Result<()> {
        let PendingStatus {
            ids,
            expected,
            request,
            happened_at,
            note,
        } = p;
        let (request, happened_at, note) = (*request, *happened_at, note.as_deref());
        let tx = ctx.store.begin()?;
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
            ctx.status.last_change = Some(c.to);
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
                            ("key", &ctx.keymap.describe(Action::DraftMessage)),
                            ("message", &t(&format!("message_kind.{}", kind.as_ref()))),
                        ]
                    )
                ),
                _ => text,
            };
            ctx.info(text);
        }
        self.list.marks.clear();
        self.marked_versions.clear();
        self.reload(ctx.store)
    }

    /// The list read again where it stands, and the open order.
    pub(in crate::app) fn reload(&mut self, store: &Store) -> Result<()> {
        self.list.total = None;
        self.list.refresh(store.conn())?;
        if let Some(id) = self.detail.as_ref().map(|d| d.id) {
            self.detail = Some(orders::load_detail(store.conn(), id)?);
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
