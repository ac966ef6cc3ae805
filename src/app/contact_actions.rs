//! The contact log's keys on orders, customers and complaints: `l` logs a contact with
//! what is known filled in, `r` records the reply to an inbound one now.

use super::desk::Item;
use super::form::specs;
use super::App;
use super::AppResult;
use crate::domain::time::format_stamp_short;
use crate::i18n::t;
use crate::store::contacts::{self, ContactItem, Scope};
use crate::store::{complaints, customers, Context};

impl App {
    pub(super) fn log_contact_for_customer(&mut self) -> AppResult {
        self.with_customer(|id, name, channel| specs::contact(id, name, channel, None))
    }

    pub(super) fn log_contact_for_complaint(&mut self) -> AppResult {
        let id = match &self.screens.complaints.detail {
            Some(d) => Some(d.id),
            None => self.screens.complaints.list.selected_id(),
        };
        let Some(id) = id else {
            return Ok(());
        };
        let d = complaints::load_detail(self.store.conn(), id)?;
        let (draft, _) = customers::draft(self.store.conn(), d.draft.customer_id)?;
        self.open_form(specs::contact(
            d.draft.customer_id,
            &draft.name,
            draft.preferred_channel.as_str(),
            d.order_no.as_deref(),
        ));
        Ok(())
    }

    /// The order on screen (detail, else the selected row) and its customer.
    pub(super) fn order_and_customer(
        &self,
    ) -> crate::store::Result<Option<(i64, String, Option<i64>)>> {
        if let Some(d) = &self.screens.orders.detail {
            return Ok(Some((d.id, d.draft.order_no.clone(), d.draft.customer_id)));
        }
        let Some(row) = self.screens.orders.list.selected() else {
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

    pub(super) fn log_contact_for_order(&mut self) -> AppResult {
        let Some((_, order_no, customer)) = self.order_and_customer()? else {
            return Ok(());
        };
        let Some(customer) = customer else {
            self.info(t("msg.order_without_customer").into());
            return Ok(());
        };
        let (draft, _) = customers::draft(self.store.conn(), customer)?;
        self.open_form(specs::contact(
            customer,
            &draft.name,
            draft.preferred_channel.as_str(),
            Some(&order_no),
        ));
        Ok(())
    }

    /// `r` on an order: its inbound contact waiting longest is answered now.
    pub(super) fn reply_for_order(&mut self) -> AppResult {
        let Some((id, _, _)) = self.order_and_customer()? else {
            return Ok(());
        };
        self.reply_oldest(Scope::Order(id))
    }

    /// `r` on a customer: the selected contact when one is, else the one waiting longest.
    pub(super) fn reply_for_customer(&mut self) -> AppResult {
        match self.screens.customers.selected_item() {
            Some(Item::Contact(id)) => self.reply(id),
            _ => match self.current_customer() {
                Some((id, _, _)) => self.reply_oldest(Scope::Customer(id)),
                None => Ok(()),
            },
        }
    }

    pub(super) fn reply_oldest(&mut self, scope: Scope) -> AppResult {
        match contacts::oldest_unanswered(self.store.conn(), scope)? {
            Some(c) => self.reply(c.id),
            None => {
                self.info(t("msg.no_unanswered").into());
                Ok(())
            }
        }
    }

    /// Asks what the reply to one inbound contact said; saving it records the reply now.
    pub(super) fn reply(&mut self, id: i64) -> AppResult {
        let known = self
            .screens
            .customers
            .detail
            .iter()
            .flat_map(|d| d.contacts.iter())
            .chain(
                self.screens
                    .complaints
                    .detail
                    .iter()
                    .flat_map(|d| d.contacts.iter()),
            )
            .find(|c| c.id == id)
            .cloned();
        let c: ContactItem = match known {
            Some(c) => c,
            None => match contacts::load(self.store.conn(), id)? {
                Some(c) => c,
                None => return Ok(()),
            },
        };
        if c.direction != crate::domain::enums::Direction::In {
            self.info(t("msg.outbound_needs_no_reply").into());
            return Ok(());
        }
        let what = format!("{} · {}", format_stamp_short(c.at), c.summary);
        self.open_form(specs::reply(id, &what));
        Ok(())
    }
}
