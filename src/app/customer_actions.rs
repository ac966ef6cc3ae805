//! What the desk does for the Customers screen beyond its own keys: an order opened on its
//! tab from a customer's line, and a requirement's step (picked over the screen) saved as
//! one undoable step.

use super::tab::Tab;
use super::{App, AppResult};
use crate::store::undo::Change;
use crate::store::{orders, Context};
use rusqlite::Connection;

impl App {
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
}
