//! The shipping desk's actions: the Shipments tab (detail, form, `d` delivered now), and on
//! an order its production progress, exceptions, documents and instruction sheet (`p`).

use super::form::specs;
use super::keymap::{self, Action, Key, MENU_SCREEN};
use super::tab::Tab;
use super::{status_key, App, AppResult, Level, Mode};
use crate::domain::enums::{ShipMode, ShipmentStatus};
use crate::domain::time::{now, today};
use crate::i18n::{t, tf};
use crate::store::documents::{self, DocumentRow};
use crate::store::exceptions::{self, Step};
use crate::store::production::{self, StageLoad};
use crate::store::shipments::{self, ShipmentDetail, ShipmentDraft};
use crate::store::undo::Change;
use crate::store::Context;

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

fn exception_text(e: &exceptions::ExceptionRow) -> String {
    let mut s = format!(
        "{} · {} · {}",
        t(&format!("exc_kind.{}", e.kind)),
        t(&format!("exc_cause.{}", e.cause)),
        crate::domain::time::format_stamp_short(e.opened_at)
    );
    if !e.note.is_empty() {
        s.push_str(&format!(" · {}", e.note));
    }
    s
}

impl App {
    /// The Shipments tab's own keys; `false` leaves the action to what every screen does.
    pub(super) fn shipments_act(&mut self, action: Action) -> crate::store::Result<bool> {
        let open = self.screens.shipments.shipping.detail.is_some();
        match action {
            Action::Open => self.open_shipment()?,
            Action::Back if open => self.screens.shipments.shipping.detail = None,
            Action::New => self.new_shipment(),
            Action::Edit => self.edit_shipment()?,
            Action::Deliver => self.deliver_selected()?,
            Action::Filter => {
                shipments::load_carriers(self.store.conn())?;
                return Ok(false);
            }
            Action::Undo => {
                self.undo()?;
                self.after_shipping_change()?;
            }
            Action::Down | Action::Up if open => {
                self.move_cursor(action)?;
                self.open_shipment()?;
            }
            Action::Bottlenecks => self.show_bottlenecks()?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The shipping desk's keys on an order (the detail, else the selected row).
    pub(super) fn order_shipping_act(&mut self, action: Action) -> crate::store::Result<bool> {
        match action {
            Action::Instructions => self.write_instructions()?,
            Action::Production => self.edit_production()?,
            Action::OpenException => {
                if let Some((id, no)) = self.current_order() {
                    self.open_form(specs::exception(id, &no));
                }
            }
            Action::InformCustomer => self.pick_exception(Step::Informed)?,
            Action::ResolveException => self.pick_exception(Step::Resolved)?,
            Action::AttachDocument => {
                if let Some((id, no)) = self.current_order() {
                    self.open_form(specs::document(id, &no));
                }
            }
            Action::OpenDocument => self.pick_document()?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The order shown in the detail, else the one under the cursor: (id, order no.).
    fn current_order(&self) -> Option<(i64, String)> {
        if self.tab != Tab::Orders {
            return None;
        }
        match &self.screens.orders.detail {
            Some(d) => Some((d.id, d.draft.order_no.clone())),
            None => self
                .screens
                .orders
                .list
                .selected()
                .map(|r| (r.id, r.order_no.clone())),
        }
    }

    fn open_shipment(&mut self) -> AppResult {
        if let Some(id) = self.screens.shipments.list.selected_id() {
            self.screens.shipments.shipping.detail = Some(shipments::load(self.store.conn(), id)?);
        }
        Ok(())
    }

    fn new_shipment(&mut self) {
        let order_no = self
            .screens
            .shipments
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
        self.open_form(specs::shipment(None, None, &draft));
    }

    fn edit_shipment(&mut self) -> AppResult {
        let Some(id) = self.screens.shipments.list.selected_id() else {
            return Ok(());
        };
        let d = shipments::load(self.store.conn(), id)?;
        self.open_form(specs::shipment(Some(id), Some(d.version), &d.draft));
        Ok(())
    }

    /// `d`: the selected shipment is delivered now; the order follows when it was its last.
    fn deliver_selected(&mut self) -> AppResult {
        let Some(row) = self.screens.shipments.list.selected().cloned() else {
            return Ok(());
        };
        let version = match &self.screens.shipments.shipping.detail {
            Some(d) if d.id == row.id => Some(d.version),
            _ => Some(row.version),
        };
        let tx = self.store.begin()?;
        let mut change = Change::new(tf("shipment.undo_label", &[("waybill", &row.waybill_no)]));
        let done = shipments::deliver(&tx, &mut change, row.id, version, now())?;
        change.record(&tx)?;
        tx.commit().doing("saving the delivery")?;
        let text = match &done.order {
            Some(c) => {
                self.status.last_change = Some(c.to);
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
        self.after_shipping_change()?;
        self.info(text);
        Ok(())
    }

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

    fn show_bottlenecks(&mut self) -> AppResult {
        let loads = production::bottlenecks(self.store.conn(), today())?;
        self.mode = Mode::Bottlenecks(loads);
        Ok(())
    }

    fn write_instructions(&mut self) -> AppResult {
        let Some((id, _)) = self.current_order() else {
            return Ok(());
        };
        // The full address on an encrypted desk is authorised (see `app::authorise`).
        if self.store.passphrase().is_some() {
            self.ask_sheet_passphrase(id);
            return Ok(());
        }
        self.write_sheet(id, crate::docs::instruction::Address::Full)
    }

    fn edit_production(&mut self) -> AppResult {
        let Some((id, no)) = self.current_order() else {
            return Ok(());
        };
        let current = production::load(self.store.conn(), id)?.unwrap_or_default();
        self.open_form(specs::production(id, &no, &current));
        Ok(())
    }

    fn pick_exception(&mut self, step: Step) -> AppResult {
        let Some((id, _)) = self.current_order() else {
            return Ok(());
        };
        let items: Vec<(i64, String)> = exceptions::list(self.store.conn(), id)?
            .into_iter()
            .filter(|e| match step {
                Step::Informed => e.customer_informed_at.is_none(),
                Step::Resolved => e.resolved_at.is_none(),
            })
            .map(|e| (e.id, exception_text(&e)))
            .collect();
        match items.as_slice() {
            [] => self.info(t("exception.none_open").into()),
            [(only, _)] => self.mark_exception(*only, step)?,
            _ => {
                self.mode = Mode::Pick(Pick {
                    purpose: PickFor::Exception(step),
                    items,
                    selected: 0,
                })
            }
        }
        Ok(())
    }

    fn mark_exception(&mut self, id: i64, step: Step) -> AppResult {
        let tx = self.store.begin()?;
        let label = match step {
            Step::Informed => t("exception.undo_informed"),
            Step::Resolved => t("exception.undo_resolved"),
        };
        let mut change = Change::new(label);
        exceptions::mark(&tx, &mut change, id, step, now())?;
        change.record(&tx)?;
        tx.commit().doing("saving the exception")?;
        self.after_change()?;
        self.info(
            match step {
                Step::Informed => t("exception.informed"),
                Step::Resolved => t("exception.resolved"),
            }
            .into(),
        );
        Ok(())
    }

    fn pick_document(&mut self) -> AppResult {
        let Some((id, _)) = self.current_order() else {
            return Ok(());
        };
        let docs = documents::list(self.store.conn(), id)?;
        match docs.as_slice() {
            [] => self.info(t("document.none").into()),
            [only] => self.open_document(only),
            _ => {
                self.mode = Mode::Pick(Pick {
                    purpose: PickFor::Document,
                    items: docs
                        .iter()
                        .map(|d| {
                            (
                                d.id,
                                format!(
                                    "{} · {} · {}",
                                    t(&format!("doc_kind.{}", d.kind)),
                                    d.original_name,
                                    crate::domain::time::format_stamp_short(d.added_at)
                                ),
                            )
                        })
                        .collect(),
                    selected: 0,
                })
            }
        }
        Ok(())
    }

    /// Opens the stored copy with the system viewer, detached, its output discarded.
    fn open_document(&mut self, doc: &DocumentRow) {
        let path = documents::full_path(self.store.path(), doc);
        if !path.is_file() {
            self.status.message = Some((
                Level::Error,
                tf("document.missing", &[("path", &path.display())]),
            ));
            return;
        }
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        let spawned = std::process::Command::new(opener)
            .arg(&path)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        match spawned {
            Ok(mut child) => {
                // Reaped in the background, so no zombie stays behind.
                std::thread::spawn(move || child.wait());
                self.info(tf("document.opened", &[("path", &path.display())]));
            }
            Err(e) => {
                self.status.message = Some((
                    Level::Error,
                    tf(
                        "document.open_failed",
                        &[("path", &path.display()), ("error", &e)],
                    ),
                ))
            }
        }
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
                    let r = match pick.purpose {
                        PickFor::Exception(step) => self.mark_exception(id, step),
                        PickFor::Document => {
                            let docs = self
                                .current_order()
                                .map(|(o, _)| documents::list(self.store.conn(), o))
                                .transpose();
                            docs.map(|docs| {
                                if let Some(d) =
                                    docs.unwrap_or_default().into_iter().find(|d| d.id == id)
                                {
                                    self.open_document(&d);
                                }
                            })
                        }
                    };
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
            Bottlenecks => self.show_bottlenecks()?,
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
                self.new_shipment();
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
