//! The after-sales desk: the Customers and Complaints tabs' details and keys, and the
//! contact log on every record (orders too). Every change is one transaction with its undo
//! record, like the order keys.

use super::desk_forms::{self, DeskForm};
use super::desk_modes::{ChoicePurpose, DeskMode};
use super::input::TextInput;
use super::keymap::Action;
use super::tab::Tab;
use super::{App, AppResult, Mode};
use crate::domain::complaint::ComplaintState;
use crate::domain::customer::suggests_key_account;
use crate::domain::enums::RequirementStatus;
use crate::domain::time::{format_stamp_short, now};
use crate::i18n::{t, tf};
use crate::store::complaints::{self, ComplaintDetail};
use crate::store::contacts::{self, ContactItem, Scope};
use crate::store::customers::{self, CustomerDetail};
use crate::store::undo::Change;
use crate::store::{orders, Context};
use rusqlite::Connection;
use std::time::Duration;

/// The after-sales state: the open customer or complaint (each on its own tab) with the
/// selected line, and the open form.
#[derive(Default)]
pub struct Desk {
    pub customer: Option<CustomerDetail>,
    pub customer_item: usize,
    pub complaint: Option<ComplaintDetail>,
    pub complaint_item: usize,
    pub form: Option<DeskForm>,
}

/// A line of a detail that keys act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// The complaint the detail is about.
    This,
    Order(i64),
    Complaint(i64),
    Contact(i64),
    Requirement(i64),
}

pub fn customer_items(d: &CustomerDetail) -> Vec<Item> {
    let mut items: Vec<Item> = d.orders.iter().map(|o| Item::Order(o.id)).collect();
    items.extend(d.complaints.iter().map(|c| Item::Complaint(c.id)));
    items.extend(d.contacts.iter().map(|c| Item::Contact(c.id)));
    items.extend(d.requirements.iter().map(|r| Item::Requirement(r.id)));
    items
}

pub fn complaint_items(d: &ComplaintDetail) -> Vec<Item> {
    let mut items = vec![Item::This];
    items.extend(d.contacts.iter().map(|c| Item::Contact(c.id)));
    items
}

/// Whether the customer's latest survey suggests marking a key account they are not yet.
pub fn key_account_suggested(d: &CustomerDetail) -> bool {
    !d.draft.key_account
        && d.surveys
            .last()
            .is_some_and(|s| suggests_key_account(&s.survey))
}

impl Desk {
    pub fn selected_customer_item(&self) -> Option<Item> {
        let d = self.customer.as_ref()?;
        customer_items(d).get(self.customer_item).copied()
    }

    pub fn selected_complaint_item(&self) -> Option<Item> {
        let d = self.complaint.as_ref()?;
        complaint_items(d).get(self.complaint_item).copied()
    }
}

fn step(at: usize, n: usize, action: Action) -> usize {
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

fn is_move(action: Action) -> bool {
    matches!(
        action,
        Action::Down
            | Action::Up
            | Action::Top
            | Action::Bottom
            | Action::PageDown
            | Action::PageUp
    )
}

impl App {
    /// The keys of the after-sales desk; `None` leaves the action to the common handling.
    pub(super) fn desk_act(&mut self, action: Action) -> Option<AppResult> {
        match self.tab {
            Tab::Orders => match action {
                Action::LogContact => Some(self.log_contact_for_order()),
                Action::Respond => Some(self.reply_for_order()),
                _ => None,
            },
            Tab::Customers => self.customers_act(action),
            Tab::Complaints => self.complaints_act(action),
            _ => None,
        }
    }

    /// Redraw this soon even without a key: the response countdowns of the Complaints tab
    /// tick by the minute. `None` (block until a key) everywhere else, so an idle desk uses
    /// no CPU.
    pub fn redraw_in(&self) -> Option<Duration> {
        if self.tab != Tab::Complaints || self.form.is_some() || self.desk.form.is_some() {
            return None;
        }
        let into_minute = now().rem_euclid(60) as u64;
        Some(Duration::from_millis((60 - into_minute) * 1000 + 50))
    }

    fn customers_act(&mut self, action: Action) -> Option<AppResult> {
        let open = self.desk.customer.is_some();
        let r = match action {
            Action::Open if open => self.enter_customer_item(),
            Action::Open => self.open_customer(),
            Action::Back if open => {
                self.desk.customer = None;
                Ok(())
            }
            a if open && is_move(a) => {
                let n = self
                    .desk
                    .customer
                    .as_ref()
                    .map_or(0, |d| customer_items(d).len());
                self.desk.customer_item = step(self.desk.customer_item, n, a);
                Ok(())
            }
            Action::New => {
                self.desk.form = Some(desk_forms::customer_form(None));
                Ok(())
            }
            Action::Edit => self.edit_customer(),
            Action::LogContact => self.log_contact_for_customer(),
            Action::Respond => self.reply_for_customer(),
            Action::AddRequirement => {
                self.with_customer(|id, name, _| desk_forms::requirement_form(id, name))
            }
            Action::Survey => self.with_customer(|id, name, _| desk_forms::survey_form(id, name)),
            Action::ForwardRequirement | Action::CloseRequirement => {
                self.requirement_choice(action);
                Ok(())
            }
            Action::KeyAccount => self.toggle_key_account(),
            _ => return None,
        };
        Some(r)
    }

    fn complaints_act(&mut self, action: Action) -> Option<AppResult> {
        let open = self.desk.complaint.is_some();
        let r = match action {
            Action::Open if open => Ok(()),
            Action::Open => self.open_complaint(),
            Action::Back if open => {
                self.desk.complaint = None;
                Ok(())
            }
            a if open && is_move(a) => {
                let n = self
                    .desk
                    .complaint
                    .as_ref()
                    .map_or(0, |d| complaint_items(d).len());
                self.desk.complaint_item = step(self.desk.complaint_item, n, a);
                Ok(())
            }
            Action::New => {
                self.new_complaint();
                Ok(())
            }
            Action::Edit => self.edit_complaint(),
            Action::Respond => match self.desk.selected_complaint_item() {
                Some(Item::Contact(id)) => self.reply(id),
                _ => self.respond_to_complaints(),
            },
            Action::CloseComplaint => self.ask_resolution(),
            Action::Route => {
                let (ids, version) = self.complaint_targets();
                if !ids.is_empty() {
                    self.mode = Mode::Desk(DeskMode::Choose {
                        purpose: ChoicePurpose::Route { ids, version },
                        selected: 0,
                    });
                }
                Ok(())
            }
            Action::LogContact => self.log_contact_for_complaint(),
            _ => return None,
        };
        Some(r)
    }

    /// The customer on screen: the open detail's, else the list's selected row.
    fn current_customer(&self) -> Option<(i64, String, String)> {
        if let Some(d) = &self.desk.customer {
            return Some((
                d.id,
                d.draft.name.clone(),
                d.draft.preferred_channel.as_str().to_string(),
            ));
        }
        self.customers
            .selected()
            .map(|r| (r.id, r.name.clone(), r.channel.clone()))
    }

    fn with_customer(&mut self, form: impl FnOnce(i64, &str, &str) -> DeskForm) -> AppResult {
        if let Some((id, name, channel)) = self.current_customer() {
            self.desk.form = Some(form(id, &name, &channel));
        }
        Ok(())
    }

    fn open_customer(&mut self) -> AppResult {
        if let Some(id) = self.customers.selected_id() {
            self.desk.customer = Some(customers::load_detail(self.store.conn(), id)?);
            self.desk.customer_item = 0;
        }
        Ok(())
    }

    fn edit_customer(&mut self) -> AppResult {
        let Some((id, _, _)) = self.current_customer() else {
            return Ok(());
        };
        let (draft, version) = customers::draft(self.store.conn(), id)?;
        self.desk.form = Some(desk_forms::customer_form(Some((id, version, &draft))));
        Ok(())
    }

    /// Enter on a line of the customer: its order or complaint opens on its own tab.
    fn enter_customer_item(&mut self) -> AppResult {
        match self.desk.selected_customer_item() {
            Some(Item::Order(id)) => self.open_order_by_id(id),
            Some(Item::Complaint(id)) => {
                self.switch(Tab::Complaints);
                self.show_complaint(id)
            }
            _ => Ok(()),
        }
    }

    fn open_order_by_id(&mut self, id: i64) -> AppResult {
        let d = orders::load_detail(self.store.conn(), id)?;
        self.switch(Tab::Orders);
        let no = d.draft.order_no.clone();
        self.set_search(&no)?;
        self.orders.select_id(id);
        self.detail = Some(d);
        self.detail_scroll = 0;
        Ok(())
    }

    fn show_complaint(&mut self, id: i64) -> AppResult {
        self.desk.complaint = Some(complaints::load_detail(self.store.conn(), id)?);
        self.desk.complaint_item = 0;
        Ok(())
    }

    fn open_complaint(&mut self) -> AppResult {
        match self.complaints.selected_id() {
            Some(id) => self.show_complaint(id),
            None => Ok(()),
        }
    }

    fn new_complaint(&mut self) {
        // From a customer's complaints (filtered), the customer is known already.
        let customer = self
            .complaints
            .query
            .filters
            .iter()
            .find_map(|f| f.strip_prefix("customer:"))
            .and_then(|rest| rest.split_once(':'))
            .and_then(|(id, _)| id.parse::<i64>().ok())
            .and_then(|id| {
                customers::code_and_name(self.store.conn(), id)
                    .ok()
                    .flatten()
            })
            .map(|(code, _)| code)
            .unwrap_or_default();
        self.desk.form = Some(desk_forms::new_complaint_form(&customer, ""));
    }

    fn edit_complaint(&mut self) -> AppResult {
        let id = match &self.desk.complaint {
            Some(d) => Some(d.id),
            None => self.complaints.selected_id(),
        };
        if let Some(id) = id {
            let d = complaints::load_detail(self.store.conn(), id)?;
            self.desk.form = Some(desk_forms::edit_complaint_form(&d));
        }
        Ok(())
    }

    /// The open complaint, else the marked ones, else the selected one; with the version the
    /// clerk saw when it is one.
    fn complaint_targets(&self) -> (Vec<i64>, Option<i64>) {
        if let Some(d) = &self.desk.complaint {
            return (vec![d.id], Some(d.version));
        }
        let ids = self.complaints.targets();
        let version = match ids.as_slice() {
            [id] => self
                .complaints
                .selected()
                .filter(|r| r.id == *id)
                .map(|r| r.version),
            _ => None,
        };
        (ids, version)
    }

    /// `r`: the first response of the targets, now, as one undoable step.
    fn respond_to_complaints(&mut self) -> AppResult {
        let (ids, version) = self.complaint_targets();
        if ids.is_empty() {
            return Ok(());
        }
        let at = now();
        let tx = self.store.begin()?;
        let mut change = Change::new("first response");
        let mut done = Vec::new();
        for id in &ids {
            if let Some(no) = complaints::respond(&tx, &mut change, *id, version, at)? {
                done.push(no);
            }
        }
        change.record(&tx)?;
        tx.commit().doing("saving the first response")?;
        self.complaints.marks.clear();
        let keep = self.complaints.cursor;
        self.info(match done.as_slice() {
            [] => t("msg.nothing_awaits_response").into(),
            [one] => tf(
                "msg.responded",
                &[("complaint", one), ("at", &format_stamp_short(at))],
            ),
            many => tf("msg.responded_many", &[("count", &many.len())]),
        });
        self.after_desk_change()?;
        self.keep_complaint_cursor(keep);
        Ok(())
    }

    /// A complaint answered or closed moves down the urgency order; the cursor stays where
    /// it was, on the next one to work on.
    fn keep_complaint_cursor(&mut self, at: usize) {
        if self.desk.complaint.is_none() {
            self.complaints.cursor = at.min(self.complaints.rows.len().saturating_sub(1));
        }
    }

    fn ask_resolution(&mut self) -> AppResult {
        let (ids, version) = self.complaint_targets();
        let Some(id) = ids.first().copied().filter(|_| ids.len() == 1) else {
            if ids.len() > 1 {
                self.info(t("msg.close_one_at_a_time").into());
            }
            return Ok(());
        };
        let detail = complaints::load_detail(self.store.conn(), id)?;
        if detail.state() == ComplaintState::Closed {
            self.info(tf(
                "msg.already_closed",
                &[("complaint", &detail.draft.complaint_no)],
            ));
            return Ok(());
        }
        self.mode = Mode::Desk(DeskMode::Resolution {
            id,
            version: version.unwrap_or(detail.version),
            complaint_no: detail.draft.complaint_no,
            input: TextInput::default(),
        });
        Ok(())
    }

    pub(super) fn close_complaint(&mut self, id: i64, version: i64, resolution: &str) -> AppResult {
        let tx = self.store.begin()?;
        let mut change = Change::new("close complaint");
        let no = complaints::close(&tx, &mut change, id, Some(version), resolution, now())?;
        change.record(&tx)?;
        tx.commit().doing("closing the complaint")?;
        self.info(tf("msg.complaint_closed", &[("complaint", &no)]));
        self.complaints.marks.clear();
        let keep = self.complaints.cursor;
        self.after_desk_change()?;
        self.keep_complaint_cursor(keep);
        Ok(())
    }

    pub(super) fn route_complaints(
        &mut self,
        ids: &[i64],
        version: Option<i64>,
        department: crate::domain::enums::Department,
    ) -> AppResult {
        let tx = self.store.begin()?;
        let mut change = Change::new("route complaint");
        for id in ids {
            complaints::route(&tx, &mut change, *id, version, department)?;
        }
        change.record(&tx)?;
        tx.commit().doing("routing the complaint")?;
        self.info(tf(
            "msg.routed",
            &[
                ("count", &ids.len()),
                (
                    "department",
                    &t(&format!("department.{}", department.as_str())),
                ),
            ],
        ));
        self.complaints.marks.clear();
        self.after_desk_change()
    }

    fn requirement_choice(&mut self, action: Action) {
        let Some(Item::Requirement(id)) = self.desk.selected_customer_item() else {
            self.info(t("msg.select_requirement").into());
            return;
        };
        let settled = self.desk.customer.as_ref().is_some_and(|d| {
            d.requirements.iter().any(|r| {
                r.id == id
                    && matches!(
                        r.status,
                        RequirementStatus::Met | RequirementStatus::Declined
                    )
            })
        });
        if settled {
            self.info(t("msg.requirement_settled").into());
            return;
        }
        let purpose = if action == Action::ForwardRequirement {
            ChoicePurpose::Forward { id }
        } else {
            ChoicePurpose::Settle { id }
        };
        self.mode = Mode::Desk(DeskMode::Choose {
            purpose,
            selected: 0,
        });
    }

    /// One requirement change as one undoable step.
    pub(super) fn change_requirement(
        &mut self,
        label: &str,
        f: impl FnOnce(&Connection, &mut Change) -> crate::store::Result<()>,
    ) -> AppResult {
        let tx = self.store.begin()?;
        let mut change = Change::new(label);
        f(&tx, &mut change)?;
        change.record(&tx)?;
        tx.commit().doing("saving the requirement")?;
        self.after_desk_change()
    }

    fn toggle_key_account(&mut self) -> AppResult {
        let Some((id, name, _)) = self.current_customer() else {
            return Ok(());
        };
        let (draft, version) = customers::draft(self.store.conn(), id)?;
        let on = !draft.key_account;
        let tx = self.store.begin()?;
        let mut change = Change::new("key account");
        customers::set_key_account(&tx, &mut change, id, Some(version), on)?;
        change.record(&tx)?;
        tx.commit().doing("marking the key account")?;
        self.info(tf(
            if on {
                "msg.key_account_on"
            } else {
                "msg.key_account_off"
            },
            &[("customer", &name)],
        ));
        self.after_desk_change()
    }

    fn log_contact_for_customer(&mut self) -> AppResult {
        self.with_customer(|id, name, channel| desk_forms::contact_form(id, name, channel, None))
    }

    fn log_contact_for_complaint(&mut self) -> AppResult {
        let id = match &self.desk.complaint {
            Some(d) => Some(d.id),
            None => self.complaints.selected_id(),
        };
        let Some(id) = id else {
            return Ok(());
        };
        let d = complaints::load_detail(self.store.conn(), id)?;
        let (draft, _) = customers::draft(self.store.conn(), d.draft.customer_id)?;
        self.desk.form = Some(desk_forms::contact_form(
            d.draft.customer_id,
            &draft.name,
            draft.preferred_channel.as_str(),
            d.order_no.as_deref(),
        ));
        Ok(())
    }

    /// The order on screen (detail, else the selected row) and its customer.
    fn order_and_customer(&self) -> crate::store::Result<Option<(i64, String, Option<i64>)>> {
        if let Some(d) = &self.detail {
            return Ok(Some((d.id, d.draft.order_no.clone(), d.draft.customer_id)));
        }
        let Some(row) = self.orders.selected() else {
            return Ok(None);
        };
        let customer: Option<i64> = self
            .store
            .conn()
            .query_row(
                "SELECT customer_id FROM orders WHERE id = ?1",
                [row.id],
                |r| r.get(0),
            )
            .doing("reading the order's customer")?;
        Ok(Some((row.id, row.order_no.clone(), customer)))
    }

    fn log_contact_for_order(&mut self) -> AppResult {
        let Some((_, order_no, customer)) = self.order_and_customer()? else {
            return Ok(());
        };
        let Some(customer) = customer else {
            self.info(t("msg.order_without_customer").into());
            return Ok(());
        };
        let (draft, _) = customers::draft(self.store.conn(), customer)?;
        self.desk.form = Some(desk_forms::contact_form(
            customer,
            &draft.name,
            draft.preferred_channel.as_str(),
            Some(&order_no),
        ));
        Ok(())
    }

    /// `r` on an order: its inbound contact waiting longest is answered now.
    fn reply_for_order(&mut self) -> AppResult {
        let Some((id, _, _)) = self.order_and_customer()? else {
            return Ok(());
        };
        self.reply_oldest(Scope::Order(id))
    }

    /// `r` on a customer: the selected contact when one is, else the one waiting longest.
    fn reply_for_customer(&mut self) -> AppResult {
        match self.desk.selected_customer_item() {
            Some(Item::Contact(id)) => self.reply(id),
            _ => match self.current_customer() {
                Some((id, _, _)) => self.reply_oldest(Scope::Customer(id)),
                None => Ok(()),
            },
        }
    }

    fn reply_oldest(&mut self, scope: Scope) -> AppResult {
        match contacts::oldest_unanswered(self.store.conn(), scope)? {
            Some(c) => self.reply(c.id),
            None => {
                self.info(t("msg.no_unanswered").into());
                Ok(())
            }
        }
    }

    /// Records the reply to one inbound contact now.
    fn reply(&mut self, id: i64) -> AppResult {
        let tx = self.store.begin()?;
        let mut change = Change::new("reply");
        let c: ContactItem = match contacts::reply(&tx, &mut change, id, now()) {
            Err(crate::store::StoreError::Invalid(_)) => {
                drop(tx);
                self.info(t("msg.outbound_needs_no_reply").into());
                return Ok(());
            }
            other => other?,
        };
        change.record(&tx)?;
        tx.commit().doing("saving the reply")?;
        self.info(tf(
            "msg.replied",
            &[
                ("channel", &t(&format!("channel.{}", c.channel))),
                ("at", &format_stamp_short(c.at)),
            ],
        ));
        self.after_desk_change()
    }

    /// After any change: lists re-read where they stand, open details reloaded.
    pub(super) fn after_desk_change(&mut self) -> AppResult {
        let conn = self.store.conn();
        if self.customers.is_loaded() {
            self.customers.total = None;
            self.customers.refresh(conn)?;
        }
        if self.complaints.is_loaded() {
            self.complaints.total = None;
            self.complaints.refresh(conn)?;
        }
        if self.orders.is_loaded() {
            self.orders.total = None;
            self.orders.refresh(conn)?;
        }
        self.reload_desk_details()?;
        if let Some(d) = &self.detail {
            let id = d.id;
            self.detail = Some(orders::load_detail(self.store.conn(), id)?);
        }
        Ok(())
    }

    /// Reloads the open customer and complaint (after undo, say); one deleted meanwhile
    /// closes.
    pub(super) fn reload_desk_details(&mut self) -> AppResult {
        let conn = self.store.conn();
        if let Some(d) = &self.desk.customer {
            self.desk.customer = match customers::load_detail(conn, d.id) {
                Ok(d) => Some(d),
                Err(crate::store::StoreError::NotFound(_)) => None,
                Err(e) => return Err(e),
            };
        }
        if let Some(d) = &self.desk.complaint {
            self.desk.complaint = match complaints::load_detail(conn, d.id) {
                Ok(d) => Some(d),
                Err(crate::store::StoreError::NotFound(_)) => None,
                Err(e) => return Err(e),
            };
        }
        let n = self
            .desk
            .customer
            .as_ref()
            .map_or(0, |d| customer_items(d).len());
        self.desk.customer_item = self.desk.customer_item.min(n.saturating_sub(1));
        let n = self
            .desk
            .complaint
            .as_ref()
            .map_or(0, |d| complaint_items(d).len());
        self.desk.complaint_item = self.desk.complaint_item.min(n.saturating_sub(1));
        Ok(())
    }
}

impl App {
    /// The Complaints filter on one customer: the active one, else the selected
    /// complaint's customer to turn on.
    pub(super) fn complaint_customer_filter(&self) -> Option<(String, bool)> {
        if let Some(active) = self
            .complaints
            .query
            .filters
            .iter()
            .find(|f| f.starts_with("customer:"))
        {
            return Some((active.clone(), true));
        }
        let (id, name) = match &self.desk.complaint {
            Some(d) => (d.draft.customer_id, d.customer_name.clone()),
            None => {
                let r = self.complaints.selected()?;
                (r.customer_id, r.customer.clone())
            }
        };
        Some((complaints::customer_filter_key(id, &name), false))
    }
}
