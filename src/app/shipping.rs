//! The shipping desk's overlays (the bottlenecks, a pick of exceptions or documents), the
//! palette's shipping commands and refreshing after a shipping change. The keys themselves
//! are the screens' (`screens::shipments`, `screens::order_shipping`).

use super::keymap::{self, Action, Key, MENU_SCREEN};
use super::tab::Tab;
use super::{App, AppResult, Mode};
use crate::domain::time::today;
use crate::store::documents;
use crate::store::exceptions::Step;
use crate::store::production::{self, StageLoad};
use crate::store::shipments::{self, ShipmentDetail};

/// A choice among the exceptions or documents of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    pub purpose: PickFor,
    /// (record id, shown text)
    pub items: Vec<(i64, String)>,
    pub selected: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickFor {
    Exception(Step),
    Document,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShippingState {
    /// The shipment opened with Enter on the Shipments tab.
    pub detail: Option<ShipmentDetail>,
}

impl App {
    /// Every view that may show what a shipping change touched is read again.
    pub(super) fn after_shipping_change(&mut self) -> AppResult {
        let conn = self.store.conn();
        self.screens.shipments.list.total = None;
        if self.screens.shipments.list.is_loaded() {
            self.screens.shipments.list.refresh(conn)?;
        }
        if let Some(id) = self
            .screens
            .shipments
            .shipping
            .detail
            .as_ref()
            .map(|d| d.id)
        {
            self.screens.shipments.shipping.detail = shipments::load(conn, id).ok();
        }
        self.after_change()
    }

    /// Keys over the bottleneck view: Esc, q, Enter or `b` again close it (keymap).
    pub(super) fn bottlenecks_key(&mut self, loads: Vec<StageLoad>, k: &Key) -> Mode {
        let closes = matches!(
            self.keymap.action(MENU_SCREEN, k),
            Some(Action::Back | Action::Quit | Action::Open)
        ) || self.keymap.action(keymap::SHIPMENTS_SCREEN, k)
            == Some(Action::Bottlenecks);
        if closes {
            Mode::Normal
        } else {
            Mode::Bottlenecks(loads)
        }
    }

    /// Keys over a pick of exceptions or documents: the list's moves, Enter, Esc/q.
    pub(super) fn pick_key(&mut self, mut pick: Pick, k: &Key) -> Mode {
        match self.keymap.action(MENU_SCREEN, k) {
            Some(Action::Back | Action::Quit) => Mode::Normal,
            Some(a @ (Action::Down | Action::Up | Action::Top | Action::Bottom)) => {
                pick.selected = super::desk_modes::step(pick.selected, pick.items.len(), a);
                Mode::Pick(pick)
            }
            Some(Action::Open) => {
                if let Some((id, _)) = pick.items.get(pick.selected).cloned() {
                    let order = self.screens.orders.current().map(|(o, _)| o);
                    let r = self.on_screens(|_, ctx| match pick.purpose {
                        PickFor::Exception(step) => {
                            super::screens::order_shipping::mark_exception(ctx, id, step)
                        }
                        PickFor::Document => {
                            let docs = match order {
                                Some(o) => documents::list(ctx.store.conn(), o)?,
                                None => Vec::new(),
                            };
                            if let Some(d) = docs.into_iter().find(|d| d.id == id) {
                                super::screens::order_shipping::open_document(ctx, &d);
                            }
                            Ok(())
                        }
                    });
                    self.report(r);
                }
                std::mem::replace(&mut self.mode, Mode::Normal)
            }
            _ => Mode::Pick(pick),
        }
    }
}

impl App {
    pub(super) fn shipping_command(&mut self, c: super::palette::ShippingCommand) -> AppResult {
        use super::palette::ShippingCommand::*;
        match c {
            Bottlenecks => {
                let loads = production::bottlenecks(self.store.conn(), today())?;
                self.mode = Mode::Bottlenecks(loads);
            }
            LateShipments => {
                self.switch(Tab::Shipments);
                self.screens.shipments.shipping.detail = None;
                if !self
                    .screens
                    .shipments
                    .list
                    .query
                    .filters
                    .iter()
                    .any(|f| f == "late")
                {
                    self.screens.shipments.list.toggle_filter("late");
                }
                self.screens.shipments.list.reset(self.store.conn())?;
            }
            NewShipment => {
                self.switch(Tab::Shipments);
                self.screens.shipments.form = Some(self.screens.shipments.new_form());
            }
            ArchivedOrders => {
                self.switch(Tab::Orders);
                if !self
                    .screens
                    .orders
                    .list
                    .query
                    .filters
                    .iter()
                    .any(|f| f == "status:closed")
                {
                    self.screens.orders.list.toggle_filter("status:closed");
                }
                self.screens.orders.list.reset(self.store.conn())?;
            }
        }
        Ok(())
    }
}
