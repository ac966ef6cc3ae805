//! The after-sales desk: its state (the open customer and complaint with their selected
//! line), which keys it takes on each tab, and refreshing what is on screen
//! after a change. What the keys do is in `customer_actions`, `complaint_actions` and
//! `contact_actions`; every change there is one transaction with its undo record.

use super::desk_modes::{step, ChoicePurpose};
use super::form::specs;
use super::keymap::Action;
use super::tab::Tab;
use super::{App, AppResult, Mode};
use crate::domain::customer::suggests_key_account;
use crate::domain::time::now;
use crate::store::complaints::{self, ComplaintDetail};
use crate::store::customers::{self, CustomerDetail};
use crate::store::orders;
use std::time::Duration;

/// The after-sales state: the open customer or complaint (each on its own tab) with the
/// selected line.
#[derive(Default)]
pub struct Desk {
    pub customer: Option<CustomerDetail>,
    pub customer_item: usize,
    pub complaint: Option<ComplaintDetail>,
    pub complaint_item: usize,
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
    /// Redraw this soon even without a key: the response countdowns of the Complaints tab
    /// tick by the minute. `None` (block until a key) everywhere else, so an idle desk uses
    /// no CPU.
    pub fn redraw_in(&self) -> Option<Duration> {
        if self.tab != Tab::Complaints || self.form.is_some() {
            return None;
        }
        let into_minute = now().rem_euclid(60) as u64;
        Some(Duration::from_millis((60 - into_minute) * 1000 + 50))
    }

    /// The Customers tab's own keys; `false` leaves the action to what every screen does.
    pub(super) fn customers_act(&mut self, action: Action) -> crate::store::Result<bool> {
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
                self.open_form(specs::customer(None));
                Ok(())
            }
            Action::Edit => self.edit_customer(),
            Action::LogContact => self.log_contact_for_customer(),
            Action::Respond => self.reply_for_customer(),
            Action::AddRequirement => {
                self.with_customer(|id, name, _| specs::requirement(id, name))
            }
            Action::Survey => self.with_customer(|id, name, _| specs::survey(id, name)),
            Action::ForwardRequirement | Action::CloseRequirement => {
                self.requirement_choice(action);
                Ok(())
            }
            Action::KeyAccount => self.toggle_key_account(),
            _ => return Ok(false),
        };
        r.map(|()| true)
    }

    /// The Complaints tab's own keys; `false` leaves the action to what every screen does.
    pub(super) fn complaints_act(&mut self, action: Action) -> crate::store::Result<bool> {
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
                    self.mode = Mode::Choose {
                        purpose: ChoicePurpose::Route { ids, version },
                        selected: 0,
                    };
                }
                Ok(())
            }
            Action::LogContact => self.log_contact_for_complaint(),
            _ => return Ok(false),
        };
        r.map(|()| true)
    }

    /// After any change: lists re-read where they stand, open details reloaded.
    pub(super) fn after_desk_change(&mut self) -> AppResult {
        // The list on screen now; the others when they are next shown (keys stay fast).
        self.customers.mark_stale();
        self.complaints.mark_stale();
        self.orders.mark_stale();
        self.shipments.mark_stale();
        let conn = self.store.conn();
        match self.tab {
            Tab::Shipments => self.shipments.refresh(conn)?,
            Tab::Customers => self.customers.refresh(conn)?,
            Tab::Complaints => self.complaints.refresh(conn)?,
            Tab::Orders => self.orders.refresh(conn)?,
            _ => {}
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
