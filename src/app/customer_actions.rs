//! What the Customers tab's keys do: the detail and its lines, the customer form,
//! requirements on their way, the key-account mark.

use super::desk::Item;
use super::desk_modes::ChoicePurpose;
use super::form::{specs, Form};
use super::keymap::Action;
use super::tab::Tab;
use super::{App, AppResult, Mode};
use crate::domain::enums::RequirementStatus;
use crate::i18n::{t, tf};
use crate::store::undo::Change;
use crate::store::{customers, orders, Context};
use rusqlite::Connection;

impl App {
    /// The customer on screen: the open detail's, else the list's selected row.
    pub(super) fn current_customer(&self) -> Option<(i64, String, String)> {
        if let Some(d) = &self.screens.customers.detail {
            return Some((
                d.id,
                d.draft.name.clone(),
                d.draft.preferred_channel.as_str().to_string(),
            ));
        }
        self.screens
            .customers
            .list
            .selected()
            .map(|r| (r.id, r.name.clone(), r.channel.clone()))
    }

    pub(super) fn with_customer(
        &mut self,
        form: impl FnOnce(i64, &str, &str) -> Form,
    ) -> AppResult {
        if let Some((id, name, channel)) = self.current_customer() {
            self.open_form(form(id, &name, &channel));
        }
        Ok(())
    }

    pub(super) fn edit_customer(&mut self) -> AppResult {
        let Some((id, _, _)) = self.current_customer() else {
            return Ok(());
        };
        let (draft, version) = customers::draft(self.store.conn(), id)?;
        self.open_form(specs::customer(Some((id, version, &draft))));
        Ok(())
    }

    /// Enter on a line of the customer: its order or complaint opens on its own tab.
    pub(super) fn enter_customer_item(&mut self) -> AppResult {
        match self.screens.customers.selected_item() {
            Some(Item::Order(id)) => self.open_order_by_id(id),
            Some(Item::Complaint(id)) => {
                self.switch(Tab::Complaints);
                self.screens.complaints.show(&self.store, id)
            }
            _ => Ok(()),
        }
    }

    pub(super) fn open_order_by_id(&mut self, id: i64) -> AppResult {
        let d = orders::load_detail(self.store.conn(), id)?;
        self.switch(Tab::Orders);
        let no = d.draft.order_no.clone();
        self.set_search(&no)?;
        self.screens.orders.list.select_id(id);
        self.screens.orders.detail = Some(d);
        self.screens.orders.scroll.reset();
        Ok(())
    }

    pub(super) fn requirement_choice(&mut self, action: Action) {
        let Some(Item::Requirement(id)) = self.screens.customers.selected_item() else {
            self.info(t("msg.select_requirement").into());
            return;
        };
        let settled = self.screens.customers.detail.as_ref().is_some_and(|d| {
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
        self.mode = Mode::Choose {
            purpose,
            selected: 0,
        };
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

    pub(super) fn toggle_key_account(&mut self) -> AppResult {
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
}
