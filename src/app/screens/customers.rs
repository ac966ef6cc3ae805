//! The Customers screen's own keys: the list, the open customer and its lines, and a new
//! customer.

use super::{Ctx, CustomersScreen};
use crate::app::desk::{customer_items, is_move};
use crate::app::desk_modes::step;
use crate::app::form::specs;
use crate::app::keymap::Action;
use crate::store::customers;

impl CustomersScreen {
    /// The keys only this screen has; `false` leaves the action to the rest of the desk.
    pub(in crate::app) fn act(
        &mut self,
        ctx: &mut Ctx<'_>,
        action: Action,
    ) -> crate::store::Result<bool> {
        let open = self.detail.is_some();
        match action {
            // Enter on a line of the open customer goes to another tab: the desk does that.
            Action::Open if open => return Ok(false),
            Action::Open => {
                if let Some(id) = self.list.selected_id() {
                    self.detail = Some(customers::load_detail(ctx.store.conn(), id)?);
                    self.item = 0;
                }
            }
            Action::Back if open => self.detail = None,
            a if open && is_move(a) => {
                let n = self.detail.as_ref().map_or(0, |d| customer_items(d).len());
                self.item = step(self.item, n, a);
            }
            Action::New => self.form = Some(specs::customer(None)),
            _ => return Ok(false),
        }
        Ok(true)
    }
}
