//! The shipping desk's actions: the Shipments tab (detail, form, `d` delivered now), and on
//! an order its production progress, exceptions, documents and instruction sheet (`p`).

use super::entity_form::{EntityForm, FormKind, Valid};
use super::keymap::{self, Action, Key};
use super::tab::Tab;
use super::{status_key, App, AppResult, Level};
use crate::domain::enums::{ShipMode, ShipmentStatus};
use crate::domain::time::{now, today};
use crate::i18n::{t, tf};
use crate::store::documents::{self, DocumentRow};
use crate::store::exceptions::{self, Step};
use crate::store::production::{self, StageLoad};
use crate::store::shipments::{self, ShipmentDetail, ShipmentDraft};
use crate::store::undo::Change;
use crate::store::Context;
use crossterm::event::{KeyCode, KeyEvent};

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

/// The shipping desk's overlays; while one is open it takes the keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Popup {
    Bottlenecks(Vec<StageLoad>),
    Pick(Pick),
    DiscardForm,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShippingState {
    pub form: Option<EntityForm>,
    /// The shipment opened with Enter on the Shipments tab.
    pub detail: Option<ShipmentDetail>,
    pub popup: Option<Popup>,
}

impl ShippingState {
    /// Whether the shipping desk takes the next key (a form or overlay of its own is open).
    pub fn captures_keys(&self) -> bool {
        self.form.is_some() || self.popup.is_some()
    }
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
    /// The shipping desk's part of an action; `false` leaves it to the general handler.
    pub(super) fn shipping_act(&mut self, action: Action) -> crate::store::Result<bool> {
        if self.form.is_some() {
            return Ok(false);
        }
        match (self.tab, action) {
            (Tab::Shipments, Action::Open) => self.open_shipment()?,
            (Tab::Shipments, Action::Back) if self.shipping.detail.is_some() => {
                self.shipping.detail = None
            }
            (Tab::Shipments, Action::New) => self.new_shipment(),
            (Tab::Shipments, Action::Edit) => self.edit_shipment()?,
            (Tab::Shipments, Action::Deliver) => self.deliver_selected()?,
            (Tab::Shipments, Action::Filter) => {
                shipments::load_carriers(self.store.conn())?;
                return Ok(false);
            }
            (Tab::Shipments, Action::Undo) => {
                self.undo()?;
                self.after_shipping_change()?;
            }
            (Tab::Shipments, Action::Down | Action::Up) if self.shipping.detail.is_some() => {
                self.move_cursor(action)?;
                self.open_shipment()?;
            }
            (_, Action::Bottlenecks) => self.show_bottlenecks()?,
            (Tab::Orders, Action::Instructions) => self.write_instructions()?,
            (Tab::Orders, Action::Production) => self.edit_production()?,
            (Tab::Orders, Action::OpenException) => {
                if let Some((id, no)) = self.current_order() {
                    self.shipping.form = Some(EntityForm::exception(id, &no));
                }
            }
            (Tab::Orders, Action::InformCustomer) => self.pick_exception(Step::Informed)?,
            (Tab::Orders, Action::ResolveException) => self.pick_exception(Step::Resolved)?,
            (Tab::Orders, Action::AttachDocument) => {
                if let Some((id, no)) = self.current_order() {
                    self.shipping.form = Some(EntityForm::document(id, &no));
                }
            }
            (Tab::Orders, Action::OpenDocument) => self.pick_document()?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The order shown in the detail, else the one under the cursor: (id, order no.).
    fn current_order(&self) -> Option<(i64, String)> {
        if self.tab != Tab::Orders {
            return None;
        }
        match &self.detail {
            Some(d) => Some((d.id, d.draft.order_no.clone())),
            None => self.orders.selected().map(|r| (r.id, r.order_no.clone())),
        }
    }

    fn open_shipment(&mut self) -> AppResult {
        if let Some(id) = self.shipments.selected_id() {
            self.shipping.detail = Some(shipments::load(self.store.conn(), id)?);
        }
        Ok(())
    }

    fn new_shipment(&mut self) {
        let order_no = self
            .shipments
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
        self.shipping.form = Some(EntityForm::shipment(None, None, &draft));
    }

    fn edit_shipment(&mut self) -> AppResult {
        let Some(id) = self.shipments.selected_id() else {
            return Ok(());
        };
        let d = shipments::load(self.store.conn(), id)?;
        self.shipping.form = Some(EntityForm::shipment(Some(id), Some(d.version), &d.draft));
        Ok(())
    }

    /// `d`: the selected shipment is delivered now; the order follows when it was its last.
    fn deliver_selected(&mut self) -> AppResult {
        let Some(row) = self.shipments.selected().cloned() else {
            return Ok(());
        };
        let version = match &self.shipping.detail {
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
                self.last_change = Some(c.to);
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
        self.shipments.total = None;
        if self.shipments.is_loaded() {
            self.shipments.refresh(conn)?;
        }
        if let Some(id) = self.shipping.detail.as_ref().map(|d| d.id) {
            self.shipping.detail = shipments::load(conn, id).ok();
        }
        self.after_change()
    }

    fn show_bottlenecks(&mut self) -> AppResult {
        let loads = production::bottlenecks(self.store.conn(), today())?;
        self.shipping.popup = Some(Popup::Bottlenecks(loads));
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
        self.shipping.form = Some(EntityForm::production(id, &no, &current));
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
                self.shipping.popup = Some(Popup::Pick(Pick {
                    purpose: PickFor::Exception(step),
                    items,
                    selected: 0,
                }))
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
                self.shipping.popup = Some(Popup::Pick(Pick {
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
                }))
            }
        }
        Ok(())
    }

    /// Opens the stored copy with the system viewer, detached, its output discarded.
    fn open_document(&mut self, doc: &DocumentRow) {
        let path = documents::full_path(self.store.path(), doc);
        if !path.is_file() {
            self.message = Some((
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
                self.message = Some((
                    Level::Error,
                    tf(
                        "document.open_failed",
                        &[("path", &path.display()), ("error", &e)],
                    ),
                ))
            }
        }
    }

    /// Keys while a shipping form or overlay is open.
    pub(super) fn shipping_key(&mut self, k: &Key, key: &KeyEvent) {
        if let Some(popup) = self.shipping.popup.take() {
            self.shipping.popup = self.shipping_popup_key(popup, key);
            return;
        }
        let action = self.keymap.action(keymap::FORM_SCREEN, k);
        let Some(form) = self.shipping.form.as_mut() else {
            return;
        };
        match action {
            Some(Action::Save) => self.save_shipping_form(),
            Some(Action::Close) => {
                if form.dirty {
                    self.shipping.popup = Some(Popup::DiscardForm);
                } else {
                    self.shipping.form = None;
                }
            }
            Some(Action::NextField) if key.code != KeyCode::Down || form.fields.len() > 1 => {
                form.next(1)
            }
            Some(Action::PrevField) => form.next(-1),
            _ => form.type_key(key),
        }
    }

    fn shipping_popup_key(&mut self, popup: Popup, key: &KeyEvent) -> Option<Popup> {
        match popup {
            Popup::DiscardForm => match self.answer(key) {
                Some(true) => {
                    self.shipping.form = None;
                    None
                }
                Some(false) => None,
                None => Some(Popup::DiscardForm),
            },
            Popup::Bottlenecks(loads) => match key.code {
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') | KeyCode::Char('b') => None,
                _ => Some(Popup::Bottlenecks(loads)),
            },
            Popup::Pick(mut pick) => match key.code {
                KeyCode::Esc | KeyCode::Char('q') => None,
                KeyCode::Down | KeyCode::Char('j') => {
                    pick.selected = (pick.selected + 1).min(pick.items.len().saturating_sub(1));
                    Some(Popup::Pick(pick))
                }
                KeyCode::Up | KeyCode::Char('k') => {
                    pick.selected = pick.selected.saturating_sub(1);
                    Some(Popup::Pick(pick))
                }
                KeyCode::Enter => {
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
                    None
                }
                _ => Some(Popup::Pick(pick)),
            },
        }
    }

    pub(super) fn save_shipping_form(&mut self) {
        let Some(mut form) = self.shipping.form.take() else {
            return;
        };
        let Some(valid) = form.validate() else {
            self.shipping.form = Some(form);
            return;
        };
        let db = self.store.path().to_path_buf();
        let kind = form.kind.clone();
        // A document is copied on a worker and listed once the copy is complete.
        if let (FormKind::Document { order_id, .. }, Valid::Document { kind, path }) =
            (&kind, &valid)
        {
            let planned = documents::plan(
                self.store.conn(),
                &db,
                *order_id,
                *kind,
                std::path::Path::new(path),
                now(),
            );
            match planned {
                _ if self.attaching.is_some() => {
                    form.message = Some(t("attach.already").to_string());
                    self.shipping.form = Some(form);
                }
                Ok(plan) if plan.size > documents::ASK_ABOVE => {
                    self.shipping.form = Some(form);
                    self.mode = super::Mode::Confirm(super::Confirm::LargeAttach(Box::new(plan)));
                }
                Ok(plan) => self.start_attach(plan),
                Err(e) => {
                    form.message = Some(e.to_string());
                    self.shipping.form = Some(form);
                }
            }
            return;
        }
        let result = (|| -> crate::store::Result<String> {
            let tx = self.store.begin()?;
            let (label, text) = match (&kind, valid) {
                (FormKind::Shipment { id, version }, Valid::Shipment(draft)) => {
                    let mut change = Change::new(if id.is_some() {
                        "edit shipment"
                    } else {
                        "new shipment"
                    });
                    let saved = shipments::save(&tx, &mut change, *id, *version, &draft)?;
                    change.record(&tx)?;
                    let text = match saved.order {
                        Some(c) => tf(
                            "shipment.saved_order",
                            &[("order", &c.order_no), ("to", &t(&status_key(c.to)))],
                        ),
                        None => t("msg.saved").to_string(),
                    };
                    ("shipment", text)
                }
                (FormKind::Production { order_id, .. }, Valid::Production(p)) => {
                    let mut change = Change::new("production");
                    production::save(&tx, &mut change, *order_id, &p)?;
                    change.record(&tx)?;
                    ("production", t("msg.saved").to_string())
                }
                (FormKind::Exception { order_id, .. }, Valid::Exception { kind, cause, note }) => {
                    let mut change = Change::new("exception");
                    exceptions::open(&tx, &mut change, *order_id, kind, cause, &note, now())?;
                    change.record(&tx)?;
                    ("exception", t("exception.opened").to_string())
                }
                _ => return Err(crate::store::StoreError::Invalid("form mismatch".into())),
            };
            tx.commit().doing(match label {
                "shipment" => "saving the shipment",
                "production" => "saving production progress",
                _ => "saving the exception",
            })?;
            Ok(text)
        })();
        match result {
            Ok(text) => {
                if let FormKind::Shipment { id: None, .. } = kind {
                    self.shipments.marks.clear();
                }
                let r = self.after_shipping_change();
                self.report(r);
                if self.message.is_none() {
                    self.info(text);
                }
            }
            Err(e) if e.is_busy() => {
                form.message = Some(self.keep_form(super::busy::WaitingForm::Shipping));
                self.shipping.form = Some(form);
            }
            Err(e) => {
                form.message = Some(e.to_string());
                self.shipping.form = Some(form);
            }
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
                self.shipping.detail = None;
                if !self.shipments.query.filters.iter().any(|f| f == "late") {
                    self.shipments.toggle_filter("late");
                }
                self.shipments.reset(self.store.conn())?;
            }
            NewShipment => {
                self.switch(Tab::Shipments);
                self.new_shipment();
            }
            ArchivedOrders => {
                self.switch(Tab::Orders);
                if !self
                    .orders
                    .query
                    .filters
                    .iter()
                    .any(|f| f == "status:closed")
                {
                    self.orders.toggle_filter("status:closed");
                }
                self.orders.reset(self.store.conn())?;
            }
        }
        Ok(())
    }
}
