//! The Shipments screen's own keys: the detail (moving through the list while it is open),
//! the shipment form, `d` delivered now and the production bottlenecks.

use super::{Ctx, ShipmentsScreen};
use crate::app::form::{specs, Form};
use crate::app::keymap::Action;
use crate::app::{status_key, Mode};
use crate::domain::enums::{ShipMode, ShipmentStatus};
use crate::domain::time::{now, today};
use crate::i18n::{t, tf};
use crate::store::shipments::{self, ShipmentDraft};
use crate::store::undo::Change;
use crate::store::{production, Context, Store};

impl ShipmentsScreen {
    /// The keys only this screen has; `false` leaves the action to the rest of the desk.
    pub(in crate::app) fn act(
        &mut self,
        ctx: &mut Ctx<'_>,
        action: Action,
    ) -> crate::store::Result<bool> {
        let open = self.shipping.detail.is_some();
        match action {
            Action::Open => self.open(ctx.store)?,
            Action::Back if open => self.shipping.detail = None,
            Action::New => self.form = Some(self.new_form()),
            Action::Edit => {
                if let Some(id) = self.list.selected_id() {
                    let d = shipments::load(ctx.store.conn(), id)?;
                    self.form = Some(specs::shipment(Some(id), Some(d.version), &d.draft));
                }
            }
            Action::Deliver => self.deliver(ctx)?,
            Action::Filter => {
                // The carrier filters name the carriers in the file.
                shipments::load_carriers(ctx.store.conn())?;
                return Ok(false);
            }
            Action::Down | Action::Up if open => {
                let conn = ctx.store.conn();
                match action {
                    Action::Down => self.list.down(conn)?,
                    _ => self.list.up(conn)?,
                }
                self.open(ctx.store)?;
            }
            Action::Bottlenecks => {
                *ctx.mode = Mode::Bottlenecks(production::bottlenecks(ctx.store.conn(), today())?)
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Opens the shipment under the cursor.
    fn open(&mut self, store: &Store) -> crate::store::Result<()> {
        if let Some(id) = self.list.selected_id() {
            self.shipping.detail = Some(shipments::load(store.conn(), id)?);
        }
        Ok(())
    }

    /// A new shipment, of the selected row's order when there is one, shipped now.
    pub(in crate::app) fn new_form(&self) -> Form {
        let order_no = self
            .list
            .selected()
            .map(|r| r.order_no.clone())
            .unwrap_or_default();
        let draft = ShipmentDraft {
            order_no,
            carrier: String::new(),
            waybill_no: String::new(),
            mode: ShipMode::Sea,
            shipped_at: Some(now()),
            eta: None,
            delivered_at: None,
            status: ShipmentStatus::InTransit,
            weight_kg: None,
            packages: None,
            notes: String::new(),
        };
        specs::shipment(None, None, &draft)
    }

    /// `d`: the selected shipment is delivered now; the order follows when it was its last.
    fn deliver(&mut self, ctx: &mut Ctx<'_>) -> crate::store::Result<()> {
        let Some(row) = self.list.selected().cloned() else {
            return Ok(());
        };
        let version = match &self.shipping.detail {
            Some(d) if d.id == row.id => Some(d.version),
            _ => Some(row.version),
        };
        let tx = ctx.store.begin()?;
        let mut change = Change::new(format!("deliver:{}", row.waybill_no));
        let done = shipments::deliver(&tx, &mut change, row.id, version, now())?;
        change.record(&tx)?;
        tx.commit().doing("saving the delivery")?;
        let text = match &done.order {
            Some(c) => {
                ctx.status.last_change = Some(c.to);
                tf(
                    "shipment.delivered_order",
                    &[
                        ("waybill", &done.waybill),
                        ("order", &done.order_no),
                        ("to", &t(&status_key(c.to))),
                    ],
                )
            }
            None => tf(
                "shipment.delivered",
                &[("waybill", &done.waybill), ("order", &done.order_no)],
            ),
        };
        ctx.changed = true;
        ctx.info(text);
        Ok(())
    }
}
