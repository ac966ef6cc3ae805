//! The after-sales desk: its state (the open customer and complaint with their selected
//! line), which keys it takes on each tab, and refreshing what is on screen
//! after a change. What the keys do is in `customer_actions`, `complaint_actions` and
//! `contact_actions`; every change there is one transaction with its undo record.

use super::keymap::Action;
use super::tab::Tab;
use super::{App, AppResult};
use crate::domain::customer::suggests_key_account;
use crate::domain::time::now;
use crate::store::complaints::{self, ComplaintDetail};
use crate::store::customers::{self, CustomerDetail};
use crate::store::orders;
use std::time::Duration;

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

impl super::screens::CustomersScreen {
    /// The line of the open customer that keys act on.
    pub fn selected_item(&self) -> Option<Item> {
        let d = self.detail.as_ref()?;
        customer_items(d).get(self.item).copied()
    }
}

impl super::screens::ComplaintsScreen {
    /// The line of the open complaint that keys act on.
    pub fn selected_item(&self) -> Option<Item> {
        let d = self.detail.as_ref()?;
        complaint_items(d).get(self.item).copied()
    }
}

pub(super) fn is_move(action: Action) -> bool {
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
        if self.tab != Tab::Complaints || self.form().is_some() {
            return None;
        }
        let into_minute = now().rem_euclid(60) as u64;
        Some(Duration::from_millis((60 - into_minute) * 1000 + 50))
    }

    /// After any change: lists re-read where they stand, open details reloaded.
    pub(super) fn after_desk_change(&mut self) -> AppResult {
        // The list on screen now; the others when they are next shown (keys stay fast).
        self.screens.customers.list.mark_stale();
        self.screens.complaints.list.mark_stale();
        self.screens.orders.list.mark_stale();
        self.screens.shipments.list.mark_stale();
        let conn = self.store.conn();
        match self.tab {
            Tab::Shipments => self.screens.shipments.list.refresh(conn)?,
            Tab::Customers => self.screens.customers.list.refresh(conn)?,
            Tab::Complaints => self.screens.complaints.list.refresh(conn)?,
            Tab::Orders => self.screens.orders.list.refresh(conn)?,
            _ => {}
        }
        self.reload_desk_details()?;
        if let Some(d) = &self.screens.orders.detail {
            let id = d.id;
            self.screens.orders.detail = Some(orders::load_detail(self.store.conn(), id)?);
        }
        Ok(())
    }

    /// Reloads the open customer and complaint (after undo, say); one deleted meanwhile
    /// closes.
    pub(super) fn reload_desk_details(&mut self) -> AppResult {
        let conn = self.store.conn();
        if let Some(id) = self
            .screens
            .shipments
            .shipping
            .detail
            .as_ref()
            .map(|d| d.id)
        {
            self.screens.shipments.shipping.detail = crate::store::shipments::load(conn, id).ok();
        }
        if let Some(d) = &self.screens.customers.detail {
            self.screens.customers.detail = match customers::load_detail(conn, d.id) {
                Ok(d) => Some(d),
                Err(crate::store::StoreError::NotFound(_)) => None,
                Err(e) => return Err(e),
            };
        }
        if let Some(d) = &self.screens.complaints.detail {
            self.screens.complaints.detail = match complaints::load_detail(conn, d.id) {
                Ok(d) => Some(d),
                Err(crate::store::StoreError::NotFound(_)) => None,
                Err(e) => return Err(e),
            };
        }
        let n = self
            .screens
            .customers
            .detail
            .as_ref()
            .map_or(0, |d| customer_items(d).len());
        self.screens.customers.item = self.screens.customers.item.min(n.saturating_sub(1));
        let n = self
            .screens
            .complaints
            .detail
            .as_ref()
            .map_or(0, |d| complaint_items(d).len());
        self.screens.complaints.item = self.screens.complaints.item.min(n.saturating_sub(1));
        Ok(())
    }
}
