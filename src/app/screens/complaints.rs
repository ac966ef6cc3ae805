//! The Complaints screen's own keys: the list, the open complaint and its lines, the
//! complaint form and where complaints are routed.

use super::{contacts, ComplaintsScreen, Ctx};
use crate::app::desk::{complaint_items, is_move, Item};
use crate::app::desk_modes::{step, ChoicePurpose};
use crate::app::form::specs;
use crate::app::keymap::Action;
use crate::app::Mode;
use crate::domain::complaint::ComplaintState;
use crate::i18n::{t, tf};
use crate::store::{complaints, customers, Store};

impl ComplaintsScreen {
    /// The keys only this screen has; `false` leaves the action to the rest of the desk.
    pub(in crate::app) fn act(
        &mut self,
        ctx: &mut Ctx<'_>,
        action: Action,
    ) -> crate::store::Result<bool> {
        let open = self.detail.is_some();
        match action {
            Action::Open if open => {}
            Action::Open => {
                if let Some(id) = self.list.selected_id() {
                    self.show(ctx.store, id)?;
                }
            }
            Action::Back if open => self.detail = None,
            a if open && is_move(a) => {
                let n = self.detail.as_ref().map_or(0, |d| complaint_items(d).len());
                self.item = step(self.item, n, a);
            }
            Action::New => self.form = Some(self.new_form(ctx.store)),
            Action::Edit => {
                let id = match &self.detail {
                    Some(d) => Some(d.id),
                    None => self.list.selected_id(),
                };
                if let Some(id) = id {
                    let d = complaints::load_detail(ctx.store.conn(), id)?;
                    self.form = Some(specs::edit_complaint(&d));
                }
            }
            Action::Respond => self.respond(ctx)?,
            Action::CloseComplaint => self.ask_resolution(ctx)?,
            Action::LogContact => {
                let id = match &self.detail {
                    Some(d) => Some(d.id),
                    None => self.list.selected_id(),
                };
                if let Some(id) = id {
                    let d = complaints::load_detail(ctx.store.conn(), id)?;
                    self.form = Some(contacts::contact_form(
                        ctx,
                        d.draft.customer_id,
                        d.order_no.as_deref(),
                    )?);
                }
            }
            Action::Route => {
                let (ids, version) = self.targets();
                if !ids.is_empty() {
                    *ctx.mode = Mode::Choose {
                        purpose: ChoicePurpose::Route { ids, version },
                        selected: 0,
                    };
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Opens complaint `id` at its first line.
    pub(in crate::app) fn show(&mut self, store: &Store, id: i64) -> crate::store::Result<()> {
        self.detail = Some(complaints::load_detail(store.conn(), id)?);
        self.item = 0;
        Ok(())
    }

    /// A new complaint; from a customer's complaints (filtered), the customer is known
    /// already.
    fn new_form(&self, store: &Store) -> crate::app::form::Form {
        let customer = self
            .list
            .query
            .filters
            .iter()
            .find_map(|f| f.strip_prefix("customer:"))
            .and_then(|rest| rest.split_once(':'))
            .and_then(|(id, _)| id.parse::<i64>().ok())
            .and_then(|id| customers::code_and_name(store.conn(), id).ok().flatten())
            .map(|(code, _)| code)
            .unwrap_or_default();
        specs::new_complaint(&customer, "")
    }

    /// `r`: on a contact line of the open complaint, the reply to it; else the plan of the
    /// first response of the targets that still await one (saving it answers them now, as
    /// one undoable step).
    fn respond(&mut self, ctx: &mut Ctx<'_>) -> crate::store::Result<()> {
        if let Some(Item::Contact(id)) = self.selected_item() {
            let known = self
                .detail
                .iter()
                .flat_map(|d| d.contacts.iter())
                .find(|c| c.id == id);
            if let Some(form) = contacts::reply(ctx, id, known)? {
                self.form = Some(form);
            }
            return Ok(());
        }
        let (ids, version) = self.targets();
        let conn = ctx.store.conn();
        let mut waiting = Vec::new();
        let mut first_no = String::new();
        for id in &ids {
            let d = complaints::load_detail(conn, *id)?;
            if d.draft.first_response_at.is_none() {
                if waiting.is_empty() {
                    first_no = d.draft.complaint_no;
                }
                waiting.push(*id);
            }
        }
        if waiting.is_empty() {
            if !ids.is_empty() {
                ctx.info(t("msg.nothing_awaits_response").into());
            }
            return Ok(());
        }
        let what = match waiting.len() {
            1 => first_no,
            n => tf("form.plan_many", &[("count", &n)]),
        };
        let version = version.filter(|_| ids.len() == 1);
        self.form = Some(specs::response_plan(waiting, version, &what));
        Ok(())
    }

    /// `c`: asks for the resolution of one complaint still open.
    fn ask_resolution(&mut self, ctx: &mut Ctx<'_>) -> crate::store::Result<()> {
        let (ids, version) = self.targets();
        let Some(id) = ids.first().copied().filter(|_| ids.len() == 1) else {
            if ids.len() > 1 {
                ctx.info(t("msg.close_one_at_a_time").into());
            }
            return Ok(());
        };
        let detail = complaints::load_detail(ctx.store.conn(), id)?;
        if detail.state() == ComplaintState::Closed {
            ctx.info(tf(
                "msg.already_closed",
                &[("complaint", &detail.draft.complaint_no)],
            ));
            return Ok(());
        }
        self.form = Some(specs::resolution(
            id,
            version.unwrap_or(detail.version),
            &detail.draft.complaint_no,
        ));
        Ok(())
    }

    /// The open complaint, else the marked ones, else the selected one; with the version the
    /// clerk saw when it is one.
    pub(in crate::app) fn targets(&self) -> (Vec<i64>, Option<i64>) {
        if let Some(d) = &self.detail {
            return (vec![d.id], Some(d.version));
        }
        let ids = self.list.targets();
        let version = match ids.as_slice() {
            [id] => self
                .list
                .selected()
                .filter(|r| r.id == *id)
                .map(|r| r.version),
            _ => None,
        };
        (ids, version)
    }
}
