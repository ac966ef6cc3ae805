//! The open form in the app: its keys (through the one engine), suggestions from the file,
//! defaults from the chosen customer, the shared "discard changes?" question, and saving
//! what a valid form holds as one undoable step.

use super::form::{self, FormKind, Outcome, Valid};
use super::keymap::{self, Key};
use super::tab::Tab;
use super::{status_key, App, AppResult, Confirm, Mode};
use crate::domain::time::{format_stamp_short, now};
use crate::i18n::{t, tf};
use crate::store::today::Detail;
use crate::store::undo::Change;
use crate::store::{
    complaints, contacts, customers, documents, exceptions, followups, orders, production,
    requirements, shipments, surveys, Context,
};
use crossterm::event::KeyEvent;

/// What a saved form leaves to do.
enum Saved {
    /// Say this on the status line; `id` is the record saved, to select it.
    Said { text: String, id: Option<i64> },
    /// The form stays open (a question about it is asked first).
    Kept,
}

fn said(text: String) -> Saved {
    Saved::Said { text, id: None }
}

impl App {
    /// Opens a form over the screen; one at a time.
    pub(super) fn open_form(&mut self, form: form::Form) {
        *self.form_mut() = Some(form);
    }

    /// A key while a form is open: the `[form]` keys act on it; a key that is not typed
    /// (not a plain character) of the help or of the next or previous tab (F1, Ctrl-PgDn,
    /// Ctrl-PgUp) does that, the form staying with its tab; any other key types.
    pub(super) fn form_key(&mut self, k: &Key, key: &KeyEvent) {
        let action = self.keymap.action(keymap::FORM_SCREEN, k);
        if action.is_none() && !k.is_typed() {
            match self.keymap.action(&[keymap::Section::Global], k) {
                Some(keymap::Action::NextTab) => return self.switch(self.tab.next()),
                Some(keymap::Action::PrevTab) => return self.switch(self.tab.prev()),
                Some(keymap::Action::Help) => {
                    self.mode = super::Mode::Help(super::scroll::Scroll::default());
                    return;
                }
                _ => {}
            }
        }
        let Some(form) = self.form_mut().as_mut() else {
            return;
        };
        let outcome = form.key(action, key);
        self.after_form_key(outcome);
    }

    /// Pasted text into the open form's field.
    pub(super) fn form_paste(&mut self, text: &str) {
        let Some(form) = self.form_mut().as_mut() else {
            return;
        };
        let outcome = form.paste(text);
        self.after_form_key(outcome);
    }

    fn after_form_key(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Save => self.save_form(),
            Outcome::Close => *self.form_mut() = None,
            Outcome::AskDiscard => self.mode = Mode::Confirm(Confirm::DiscardForm),
            Outcome::Left("field.customer") => self.customer_defaults(),
            Outcome::Left(_) | Outcome::Edited | Outcome::Nothing => {}
        }
        self.find_suggestions();
    }

    /// The focused look-up field's suggestions for what was typed (a small query).
    fn find_suggestions(&mut self) {
        let Some(form) = self.screens.form_slot(self.tab).as_mut() else {
            return;
        };
        let Some((source, text)) = form.wants_suggestions() else {
            return;
        };
        match source.suggest(self.store.conn(), &text) {
            Ok(items) => form.show_suggestions(text, items),
            Err(e) => self.report(Err(e)),
        }
    }

    /// Leaving the customer field of an order: a customer found by code, name or a unique
    /// part of either is written as its code, and its address and currency fill the fields
    /// the clerk left empty or at the desk's default.
    fn customer_defaults(&mut self) {
        let conn = self.store.conn();
        let default_currency = self.config.currency();
        let Some(form) = self.screens.form_slot(self.tab).as_mut() else {
            return;
        };
        if !matches!(form.kind, FormKind::Order { .. }) {
            return;
        }
        let typed = form.value("field.customer").to_string();
        if typed.is_empty() {
            return;
        }
        let Some((id, code)) = form::check::find_customer(conn, &typed) else {
            return;
        };
        if code != typed {
            form.set("field.customer", &code);
        }
        if let Ok(c) = customers::load_detail(conn, id) {
            form.fill_empty("field.delivery_address", &c.draft.address);
            if form.value("field.currency") == default_currency {
                if let Ok(Some(currency)) = crate::store::lookup::last_currency(conn, id) {
                    if currency != default_currency {
                        form.set("field.currency", &currency);
                        form.dirty = true;
                    }
                }
            }
        }
    }

    /// Checks the open form and saves it; a refused form stays open with its problems.
    pub(super) fn save_form(&mut self) {
        self.save_form_in(self.tab);
    }

    /// Checks the form of `tab`'s screen and saves it (a kept form is saved again while the
    /// clerk is on another tab).
    pub(super) fn save_form_in(&mut self, tab: Tab) {
        let Some(mut form) = self.screens.form_slot(tab).take() else {
            return;
        };
        let Some(valid) = form::validate(&mut form, self.store.conn()) else {
            *self.screens.form_slot(tab) = Some(form);
            return;
        };
        let kind = form.kind.clone();
        *self.screens.form_slot(tab) = Some(form);
        match self.save_valid(&kind, valid) {
            Ok(Saved::Kept) => {}
            Ok(Saved::Said { text, id }) => {
                *self.screens.form_slot(tab) = None;
                let r = self.after_form_save(&kind, id);
                self.report(r);
                if self.status.message.is_none() {
                    self.info(text);
                }
            }
            Err(e) if e.is_busy() => {
                let text = self.keep_form(tab);
                if let Some(f) = self.screens.form_slot(tab).as_mut() {
                    f.message = Some(text);
                }
            }
            Err(e) => {
                let text = crate::ui::words::store_error(&e);
                if let Some(f) = self.screens.form_slot(tab).as_mut() {
                    f.message = Some(text);
                }
            }
        }
    }

    fn save_valid(&mut self, kind: &FormKind, valid: Valid) -> crate::store::Result<Saved> {
        let saved = t("msg.saved").to_string();
        match (kind, &valid) {
            (FormKind::Month, Valid::Month(m)) => {
                self.screens.reports.go_to(*m);
                return Ok(said(tf("msg.month_shown", &[("month", m)])));
            }
            (FormKind::Document { order_id }, Valid::Document { kind, path }) => {
                return self.attach_from_form(*order_id, *kind, path);
            }
            (FormKind::ResponsePlan { ids, version }, Valid::ResponsePlan(plan)) => {
                return self.respond_with_plan(ids, *version, plan).map(said);
            }
            (FormKind::Reply { contact_id }, Valid::Reply(text)) => {
                return self.reply_with(*contact_id, text).map(said);
            }
            (FormKind::Resolution { id, version }, Valid::Resolution(text)) => {
                return self.close_complaint(*id, *version, text).map(said);
            }
            _ => {}
        }
        let tx = self.store.begin()?;
        let mut saved_id = None;
        let (label, text): (&'static str, String) = match (kind, valid) {
            (FormKind::Order { id, version, .. }, Valid::Order { draft, due_reason }) => {
                let mut change = Change::new(if id.is_some() {
                    "edit order"
                } else {
                    "new order"
                });
                let new_id = orders::save(
                    &tx,
                    &mut change,
                    *id,
                    *version,
                    &draft,
                    due_reason.as_deref(),
                )?;
                change.record(&tx)?;
                saved_id = Some(new_id);
                ("saving the order", saved)
            }
            (FormKind::Customer { id, version }, Valid::Customer(d)) => {
                let mut change = Change::new(if id.is_some() {
                    "edit customer"
                } else {
                    "new customer"
                });
                saved_id = Some(customers::save(&tx, &mut change, *id, *version, &d)?);
                change.record(&tx)?;
                ("saving the form", saved)
            }
            (FormKind::Complaint { id, version }, Valid::Complaint(d)) => {
                let mut change = Change::new(if id.is_some() {
                    "edit complaint"
                } else {
                    "new complaint"
                });
                saved_id = Some(complaints::save(&tx, &mut change, *id, *version, &d)?.0);
                change.record(&tx)?;
                ("saving the form", saved)
            }
            (FormKind::Contact { .. }, Valid::Contact(d)) => {
                let mut change = Change::new("log contact");
                contacts::log(&tx, &mut change, &d)?;
                change.record(&tx)?;
                ("saving the form", saved)
            }
            (FormKind::Requirement { customer_id }, Valid::Requirement(cat, text)) => {
                let mut change = Change::new("new requirement");
                requirements::add(&tx, &mut change, *customer_id, cat, &text, now())?;
                change.record(&tx)?;
                ("saving the form", saved)
            }
            (FormKind::Survey { customer_id }, Valid::Survey(s)) => {
                let mut change = Change::new("new survey");
                surveys::add(&tx, &mut change, *customer_id, &s)?;
                change.record(&tx)?;
                ("saving the form", saved)
            }
            (FormKind::Shipment { id, version }, Valid::Shipment(draft)) => {
                let mut change = Change::new(if id.is_some() {
                    "edit shipment"
                } else {
                    "new shipment"
                });
                let done = shipments::save(&tx, &mut change, *id, *version, &draft)?;
                change.record(&tx)?;
                let text = match done.order {
                    Some(c) => tf(
                        "shipment.saved_order",
                        &[("order", &c.order_no), ("to", &t(&status_key(c.to)))],
                    ),
                    None => saved,
                };
                ("saving the shipment", text)
            }
            (FormKind::Production { order_id }, Valid::Production(p)) => {
                let mut change = Change::new("production");
                production::save(&tx, &mut change, *order_id, &p)?;
                change.record(&tx)?;
                ("saving production progress", saved)
            }
            (FormKind::Exception { order_id }, Valid::Exception { kind, cause, note }) => {
                let mut change = Change::new("exception");
                exceptions::open(&tx, &mut change, *order_id, kind, cause, &note, now())?;
                change.record(&tx)?;
                ("saving the exception", t("exception.opened").to_string())
            }
            (FormKind::Followup, Valid::Followup(new)) => {
                let mut change = Change::new("new follow-up");
                followups::create(&tx, &mut change, &new)?;
                change.record(&tx)?;
                (
                    "saving the follow-up",
                    tf(
                        "followup.saved",
                        &[("when", &format_stamp_short(new.due_at))],
                    ),
                )
            }
            _ => {
                return Err(crate::store::Failure::Internal {
                    detail: "form saved as another kind".into(),
                }
                .into())
            }
        };
        tx.commit().doing(label)?;
        Ok(Saved::Said { text, id: saved_id })
    }

    /// What a saved form changes on screen: the lists read again, the saved record selected.
    fn after_form_save(&mut self, kind: &FormKind, saved: Option<i64>) -> AppResult {
        match kind {
            FormKind::Month | FormKind::Document { .. } => Ok(()),
            FormKind::Order { .. } => match saved {
                Some(id) => self.after_save(id),
                None => Ok(()),
            },
            FormKind::Shipment { id, .. } => {
                if id.is_none() {
                    self.screens.shipments.list.marks.clear();
                }
                self.after_shipping_change()
            }
            FormKind::Production { .. } | FormKind::Exception { .. } => {
                self.after_shipping_change()
            }
            FormKind::Followup => self.refresh_today(),
            FormKind::Customer { .. } | FormKind::Complaint { .. } => {
                self.after_desk_change()?;
                let conn = self.store.conn();
                let list: &mut dyn super::list::ListOps = match kind {
                    FormKind::Customer { .. } => &mut self.screens.customers.list,
                    _ => &mut self.screens.complaints.list,
                };
                if let Some(id) = saved {
                    if !list.select(id) {
                        list.reset(conn)?;
                        list.select(id);
                    }
                }
                Ok(())
            }
            FormKind::ResponsePlan { .. } | FormKind::Resolution { .. } => {
                // The complaints answered move down the urgency order; the cursor stays.
                let keep = self.screens.complaints.list.cursor;
                self.after_desk_change()?;
                self.keep_complaint_cursor(keep);
                Ok(())
            }
            FormKind::Contact { .. }
            | FormKind::Requirement { .. }
            | FormKind::Survey { .. }
            | FormKind::Reply { .. } => self.after_desk_change(),
        }
    }

    /// A document to attach: copied on a worker; a large file is asked about first.
    fn attach_from_form(
        &mut self,
        order_id: i64,
        kind: crate::domain::enums::DocumentKind,
        path: &str,
    ) -> crate::store::Result<Saved> {
        let db = self.store.path().to_path_buf();
        let planned = documents::plan(
            self.store.conn(),
            &db,
            order_id,
            kind,
            std::path::Path::new(path),
            now(),
        );
        let keep = |app: &mut App, text: String| {
            if let Some(f) = app.form_mut().as_mut() {
                f.message = Some(text);
            }
            Ok(Saved::Kept)
        };
        match planned {
            _ if self.workers.attaching.is_some() => keep(self, t("attach.already").to_string()),
            Ok(plan) if plan.size > documents::ASK_ABOVE => {
                self.mode = Mode::Confirm(Confirm::LargeAttach(Box::new(plan)));
                Ok(Saved::Kept)
            }
            Ok(plan) => {
                *self.form_mut() = None;
                self.start_attach(plan);
                Ok(Saved::Kept)
            }
            Err(e) => keep(self, crate::ui::words::store_error(&e)),
        }
    }

    /// `r` on complaints: the first response now, with the plan, as one undoable step.
    fn respond_with_plan(
        &mut self,
        ids: &[i64],
        version: Option<i64>,
        plan: &str,
    ) -> crate::store::Result<String> {
        let at = now();
        let tx = self.store.begin()?;
        let mut change = Change::new("first response");
        let mut done = Vec::new();
        for id in ids {
            match complaints::respond_with_plan(&tx, &mut change, *id, version, at, plan)? {
                Ok(Some(no)) => done.push(no),
                Ok(None) => {}
                Err(_) => return Err(crate::store::Refusal::PlanRequired.into()),
            }
        }
        change.record(&tx)?;
        tx.commit().doing("saving the first response")?;
        self.screens.complaints.list.marks.clear();
        Ok(match done.as_slice() {
            [] => t("msg.nothing_awaits_response").into(),
            [one] => tf(
                "msg.responded",
                &[("complaint", one), ("at", &format_stamp_short(at))],
            ),
            many => tf("msg.responded_many", &[("count", &many.len())]),
        })
    }

    /// `r` on an inbound contact: the reply now, with what it said.
    fn reply_with(&mut self, id: i64, text: &str) -> crate::store::Result<String> {
        let tx = self.store.begin()?;
        let mut change = Change::new("reply");
        let c = contacts::reply(&tx, &mut change, id, now(), text)?;
        change.record(&tx)?;
        tx.commit().doing("saving the reply")?;
        Ok(tf(
            "msg.replied",
            &[
                ("channel", &t(&format!("channel.{}", c.channel))),
                ("at", &format_stamp_short(c.at)),
            ],
        ))
    }

    /// What a new follow-up on the current record is about: an order no., else a customer.
    pub(super) fn followup_subject(&self) -> String {
        match self.tab {
            Tab::Orders => match &self.screens.orders.detail {
                Some(d) => d.draft.order_no.clone(),
                None => self
                    .screens
                    .orders
                    .list
                    .selected()
                    .map(|r| r.order_no.clone())
                    .unwrap_or_default(),
            },
            Tab::Customers => self
                .screens
                .customers
                .list
                .selected()
                .map(|r| r.code.clone())
                .unwrap_or_default(),
            Tab::Shipments => self
                .screens
                .shipments
                .list
                .selected()
                .map(|r| r.order_no.clone())
                .unwrap_or_default(),
            Tab::Complaints => self
                .screens
                .complaints
                .list
                .selected()
                .map(|r| {
                    if r.order_no.is_empty() {
                        r.customer.clone()
                    } else {
                        r.order_no.clone()
                    }
                })
                .unwrap_or_default(),
            Tab::Today => {
                let Some(item) = self
                    .screens
                    .today
                    .selected()
                    .and_then(|r| self.screens.today.item(r))
                else {
                    return String::new();
                };
                match &item.detail {
                    Detail::Shipment { order_no, .. } => order_no.clone(),
                    Detail::Complaint { order_no, .. } if !order_no.is_empty() => order_no.clone(),
                    Detail::Complaint { .. } => item.customer.clone(),
                    _ => item.what.clone(),
                }
            }
            Tab::Reports => String::new(),
        }
    }

    /// The follow-up form about the record on screen (`n` on Today, `F` anywhere).
    pub(super) fn start_followup(&mut self) {
        let about = self.followup_subject();
        self.open_form(form::specs::followup(&about));
    }
}
