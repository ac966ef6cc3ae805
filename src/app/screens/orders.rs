//! The Orders screen's own keys: the detail, the marks, the order form and the overlays
//! that choose a status or ask why an order is cancelled.

use super::{Ctx, OrdersScreen};
use crate::app::form::specs;
use crate::app::input::TextInput;
use crate::app::keymap::Action;
use crate::app::{Mode, Prompt};
use crate::domain::time::now;
use crate::i18n::t;
use crate::store::{orders, Store};

impl OrdersScreen {
    /// The keys only this screen has; `false` leaves the action to the rest of the desk.
    pub(in crate::app) fn act(
        &mut self,
        ctx: &mut Ctx<'_>,
        action: Action,
    ) -> crate::store::Result<bool> {
        match action {
            Action::Open => self.open(ctx.store)?,
            Action::New => self.form = Some(specs::new_order(&ctx.config.currency())),
            Action::Edit => {
                let Some(id) = self.list.selected_id() else {
                    return Ok(true);
                };
                let d = orders::load_detail(ctx.store.conn(), id)?;
                self.form = Some(specs::edit_order(id, d.version, &d.draft, &d.customer_code));
            }
            Action::StatusMenu => {
                let ids = self.targets();
                if !ids.is_empty() {
                    *ctx.mode = Mode::StatusMenu {
                        ids,
                        when: TextInput::new(t("status.now")),
                        editing_when: false,
                    };
                }
            }
            Action::CancelOrder => {
                let ids = self.targets();
                if !ids.is_empty() {
                    *ctx.mode = Mode::Prompt {
                        prompt: Prompt::CancelReason { ids, at: now() },
                        input: TextInput::default(),
                    };
                }
            }
            Action::NextOrder | Action::PrevOrder => self.step(ctx.store, action)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Opens the order under the cursor, scrolled to its top.
    pub(in crate::app) fn open(&mut self, store: &Store) -> crate::store::Result<()> {
        if let Some(id) = self.list.selected_id() {
            self.detail = Some(orders::load_detail(store.conn(), id)?);
            self.scroll.reset();
        }
        Ok(())
    }

    /// Marked orders, else the one under the cursor (or shown in the detail).
    pub(in crate::app) fn targets(&self) -> Vec<i64> {
        match &self.detail {
            Some(d) => vec![d.id],
            None => self.list.targets(),
        }
    }

    /// Marks or unmarks the order under the cursor, keeping the version it had then.
    pub(in crate::app) fn toggle_mark(
        &mut self,
        conn: &rusqlite::Connection,
    ) -> crate::store::Result<()> {
        let seen = self.list.selected().map(|r| (r.id, r.version));
        self.list.toggle_mark(conn)?;
        if let Some((id, version)) = seen {
            if self.list.marks.contains(&id) {
                self.marked_versions.insert(id, version);
            } else {
                self.marked_versions.remove(&id);
            }
        }
        Ok(())
    }

    /// The next or previous order while one is open (`J`/`K`): the list moves beneath.
    fn step(&mut self, store: &Store, action: Action) -> crate::store::Result<()> {
        let conn = store.conn();
        match action {
            Action::NextOrder => self.list.down(conn)?,
            _ => self.list.up(conn)?,
        }
        if self.detail.is_some() {
            self.open(store)?;
        }
        Ok(())
    }
}
