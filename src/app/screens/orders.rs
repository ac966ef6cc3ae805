//! The Orders screen's own keys: the detail, the marks, the order form and the overlays
//! that choose a status or ask why an order is cancelled.

use super::{contacts, Ctx, OrdersScreen};
use crate::app::form::specs;
use crate::app::input::TextInput;
use crate::app::keymap::Action;
use crate::app::{Mode, Prompt};
use crate::domain::time::now;
use crate::i18n::t;
use crate::store::contacts::Scope;
use crate::store::orders::StatusRequest;
use crate::store::{orders, Context, Store};

impl OrdersScreen {
    /// The keys only this screen has; `false` leaves the action to the rest of the desk.
    pub(in crate::app) fn act(
        &mut self,
        ctx: &mut Ctx<'_>,
        action: Action,
    ) -> crate::store::Result<bool> {
        if self.shipping_act(ctx, action)? {
            return Ok(true);
        }
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
            Action::LogContact => {
                let Some((_, order_no, customer)) = self.order_and_customer(ctx.store)? else {
                    return Ok(true);
                };
                match customer {
                    Some(c) => self.form = Some(contacts::contact_form(ctx, c, Some(&order_no))?),
                    None => ctx.info(t("msg.order_without_customer").into()),
                }
            }
            // `r` on an order: its inbound contact waiting longest is answered now.
            Action::Respond => {
                if let Some((id, _, _)) = self.order_and_customer(ctx.store)? {
                    if let Some(form) = contacts::reply_oldest(ctx, Scope::Order(id))? {
                        self.form = Some(form);
                    }
                }
            }
            Action::Advance => self.status_keys(ctx, StatusRequest::Advance)?,
            Action::Hold => self.status_keys(ctx, StatusRequest::ToggleHold)?,
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

    /// The order on screen (detail, else the selected row) and its customer.
    fn order_and_customer(
        &self,
        store: &Store,
    ) -> crate::store::Result<Option<(i64, String, Option<i64>)>> {
        if let Some(d) = &self.detail {
            return Ok(Some((d.id, d.draft.order_no.clone(), d.draft.customer_id)));
        }
        let Some(row) = self.list.selected() else {
            return Ok(None);
        };
        let customer: Option<i64> = store
            .conn()
            .query_row(
                "SELECT customer_id FROM orders WHERE id = ?1",
                [row.id],
                |r| r.get(0),
            )
            .doing("reading the order's customer")?;
        Ok(Some((row.id, row.order_no.clone(), customer)))
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
