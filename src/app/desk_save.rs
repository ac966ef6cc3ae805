//! Checking an after-sales form field by field (nothing is saved until every field is
//! valid) and saving it as one undoable step.

use super::desk_forms::{problem_text, DeskForm, Purpose, SURVEY_FIELDS};
use super::keymap::{self, Action, Key};
use super::{App, AppResult, Confirm, Mode};
use crate::domain::complaint::{ComplaintDraft, ComplaintField};
use crate::domain::contact::ContactDraft;
use crate::domain::customer::{parse_optional_number, parse_payment_terms, CustomerDraft, Survey};
use crate::domain::enums::RequirementCategory;
use crate::domain::problem::Problem;
use crate::domain::time::{now, parse_date, parse_stamp, today};
use crate::i18n::t;
use crate::store::undo::Change;
use crate::store::{complaints, contacts, customers, orders, requirements, surveys, Context};
use crossterm::event::KeyEvent;
use std::str::FromStr;

/// A choice field's word as its vocabulary type (the form only ever holds listed words).
fn word<T: FromStr>(form: &mut DeskForm, name: &str) -> Option<T> {
    let parsed = T::from_str(form.value(name)).ok();
    if parsed.is_none() {
        form.set_error(name, problem_text(&Problem::NotAChoice));
    }
    parsed
}

fn stamp(form: &mut DeskForm, name: &str, required: bool) -> Option<i64> {
    let text = form.value(name).to_string();
    if text.is_empty() {
        if required {
            form.set_error(name, problem_text(&Problem::Required));
        }
        return None;
    }
    match parse_stamp(&text) {
        Ok(ts) => Some(ts),
        Err(e) => {
            form.set_error(name, crate::ui::words::time_error(&e));
            None
        }
    }
}

/// What a valid form saves.
enum Valid {
    Customer(CustomerDraft),
    Complaint(ComplaintDraft),
    Contact(ContactDraft),
    Requirement(RequirementCategory, String),
    Survey(Survey),
}

impl App {
    pub(super) fn desk_form_key(&mut self, k: &Key, key: &KeyEvent) {
        let action = self.keymap.action(keymap::FORM_SCREEN, k);
        let Some(form) = self.desk.form.as_mut() else {
            return;
        };
        match action {
            Some(Action::Save) => self.save_desk_form(),
            Some(Action::Close) if form.dirty => {
                self.mode = Mode::Confirm(Confirm::DiscardForm);
            }
            Some(Action::Close) => self.desk.form = None,
            Some(Action::NextField) => form.next(1),
            Some(Action::PrevField) => form.next(-1),
            Some(Action::AddLine | Action::DeleteLine) => {}
            _ => {
                form.type_key(key);
            }
        }
    }

    /// Checks every field, marking each problem on its field; the draft when all are fine.
    fn validate_desk_form(&self, form: &mut DeskForm) -> Option<Valid> {
        form.clear_errors();
        let conn = self.store.conn();
        let now = now();
        let valid = match form.purpose.clone() {
            Purpose::Customer { id, .. } => {
                let terms = parse_payment_terms(form.value("field.payment_terms_days"));
                if let Err(p) = &terms {
                    form.set_error("field.payment_terms_days", problem_text(p));
                }
                let draft = CustomerDraft {
                    code: form.value("field.code").into(),
                    name: form.value("field.name").into(),
                    contact_person: form.value("field.contact_person").into(),
                    phone: form.value("field.phone").into(),
                    email: form.value("field.email").into(),
                    im_handle: form.value("field.im_handle").into(),
                    preferred_channel: word(form, "field.preferred_channel")?,
                    address: form.value("field.address").into(),
                    payment_terms_days: terms.ok().flatten(),
                    language: word(form, "field.language")?,
                    notes: form.value("field.notes").into(),
                    key_account: form.value("field.key_account") == "yes",
                };
                for (field, p) in draft.check() {
                    form.set_error(&format!("field.{field}"), problem_text(&p));
                }
                let (code, name) =
                    customers::clashes(conn, id, &draft.code, &draft.name).unwrap_or_default();
                if code {
                    form.set_error("field.code", problem_text(&Problem::Taken));
                }
                if name {
                    form.set_error("field.name", problem_text(&Problem::Taken));
                }
                Valid::Customer(draft)
            }
            Purpose::Complaint { id, .. } => {
                let customer = form.value("field.customer").to_string();
                let customer_id = if customer.is_empty() {
                    form.set_error("field.customer", problem_text(&Problem::Required));
                    None
                } else {
                    let found = customers::find_by_code_or_name(conn, &customer)
                        .ok()
                        .flatten();
                    if found.is_none() {
                        form.set_error("field.customer", t("form.no_such_customer").into());
                    }
                    found.map(|(id, _)| id)
                };
                let order_id = self.order_field(form);
                let draft = ComplaintDraft {
                    complaint_no: form.value("field.complaint_no").into(),
                    customer_id: customer_id.unwrap_or(0),
                    order_id,
                    kind: word(form, "field.complaint_type")?,
                    severity: word(form, "field.severity")?,
                    opened_at: stamp(form, "field.opened_at", true).unwrap_or(now),
                    first_response_at: id.and(stamp(form, "field.first_response_at", false)),
                    resolved_at: id.and(stamp(form, "field.resolved_at", false)),
                    department: match form.value("field.department") {
                        "" => None,
                        _ => Some(word(form, "field.department")?),
                    },
                    description: form.value("field.description").into(),
                    resolution: form.value("field.resolution").into(),
                };
                for (field, p) in draft.check(now) {
                    let name = match field {
                        ComplaintField::OpenedAt => "field.opened_at",
                        ComplaintField::FirstResponseAt => "field.first_response_at",
                        ComplaintField::ResolvedAt => "field.resolved_at",
                        ComplaintField::Resolution => "field.resolution",
                    };
                    form.set_error(name, problem_text(&p));
                }
                Valid::Complaint(draft)
            }
            Purpose::Contact { customer_id, .. } => {
                let order_id = self.order_field(form);
                let draft = ContactDraft {
                    customer_id,
                    order_id,
                    channel: word(form, "field.channel")?,
                    direction: word(form, "field.direction")?,
                    at: stamp(form, "field.at", true).unwrap_or(now),
                    summary: form.value("field.summary").into(),
                };
                for (field, p) in draft.check(now) {
                    form.set_error(&format!("field.{field}"), problem_text(&p));
                }
                Valid::Contact(draft)
            }
            Purpose::Requirement { .. } => {
                let text = form.value("field.text").to_string();
                if text.is_empty() {
                    form.set_error("field.text", problem_text(&Problem::Required));
                }
                Valid::Requirement(word(form, "field.category")?, text)
            }
            Purpose::Survey { .. } => {
                let date = match parse_date(form.value("field.date")) {
                    Ok(d) if d > today() => {
                        form.set_error("field.date", problem_text(&Problem::Future));
                        d
                    }
                    Ok(d) => d,
                    Err(e) => {
                        form.set_error("field.date", e.to_string());
                        today()
                    }
                };
                let mut values = [None; 7];
                for (i, name) in SURVEY_FIELDS.iter().enumerate() {
                    let hi = if i == 6 { 10 } else { 5 };
                    let lo = if i == 6 { 0 } else { 1 };
                    match parse_optional_number(form.value(name), lo, hi) {
                        Ok(v) => values[i] = v,
                        Err(p) => form.set_error(name, problem_text(&p)),
                    }
                }
                let survey = Survey {
                    date,
                    scores: [
                        values[0], values[1], values[2], values[3], values[4], values[5],
                    ],
                    willingness: values[6],
                };
                if !form.has_errors() {
                    if let Err(p) = survey.check() {
                        form.message = Some(problem_text(&p));
                        return None;
                    }
                }
                Valid::Survey(survey)
            }
        };
        if form.has_errors() {
            form.message = Some(t("form.fix_fields").to_string());
            return None;
        }
        Some(valid)
    }

    /// The optional order-number field, resolved to an order id (marked when unknown).
    fn order_field(&self, form: &mut DeskForm) -> Option<i64> {
        let no = form.value("field.order_no").to_string();
        if no.is_empty() {
            return None;
        }
        let id = orders::id_by_number(self.store.conn(), &no).ok().flatten();
        if id.is_none() {
            form.set_error("field.order_no", problem_text(&Problem::NotFound));
        }
        id
    }

    pub(super) fn save_desk_form(&mut self) {
        let Some(mut form) = self.desk.form.take() else {
            return;
        };
        let Some(valid) = self.validate_desk_form(&mut form) else {
            self.desk.form = Some(form);
            return;
        };
        let purpose = form.purpose.clone();
        let result = (|| -> crate::store::Result<Option<i64>> {
            let tx = self.store.begin()?;
            let label = match &purpose {
                Purpose::Customer { id: None, .. } => "new customer",
                Purpose::Customer { .. } => "edit customer",
                Purpose::Complaint { id: None, .. } => "new complaint",
                Purpose::Complaint { .. } => "edit complaint",
                Purpose::Contact { .. } => "log contact",
                Purpose::Requirement { .. } => "new requirement",
                Purpose::Survey { .. } => "new survey",
            };
            let mut change = Change::new(label);
            let saved = match (&purpose, valid) {
                (Purpose::Customer { id, version }, Valid::Customer(d)) => {
                    Some(customers::save(&tx, &mut change, *id, *version, &d)?)
                }
                (Purpose::Complaint { id, version }, Valid::Complaint(d)) => {
                    Some(complaints::save(&tx, &mut change, *id, *version, &d)?.0)
                }
                (_, Valid::Contact(d)) => {
                    contacts::log(&tx, &mut change, &d)?;
                    None
                }
                (Purpose::Requirement { customer_id, .. }, Valid::Requirement(cat, text)) => {
                    requirements::add(&tx, &mut change, *customer_id, cat, &text, now())?;
                    None
                }
                (Purpose::Survey { customer_id, .. }, Valid::Survey(s)) => {
                    surveys::add(&tx, &mut change, *customer_id, &s)?;
                    None
                }
                _ => None,
            };
            change.record(&tx)?;
            tx.commit().doing("saving the form")?;
            Ok(saved)
        })();
        match result {
            Ok(saved) => {
                let r = self.after_desk_save(&purpose, saved);
                self.report(r);
                self.info(t("msg.saved").into());
            }
            Err(e) if e.is_busy() => {
                form.message = Some(self.keep_form(super::busy::WaitingForm::Desk));
                self.desk.form = Some(form);
            }
            Err(e) => {
                form.message = Some(e.to_string());
                self.desk.form = Some(form);
            }
        }
    }

    fn after_desk_save(&mut self, purpose: &Purpose, saved: Option<i64>) -> AppResult {
        self.after_desk_change()?;
        let conn = self.store.conn();
        // A saved customer or complaint is the selected row, wherever the list stood.
        let list: Option<&mut dyn super::list::ListOps> = match purpose {
            Purpose::Customer { .. } => Some(&mut self.customers),
            Purpose::Complaint { .. } => Some(&mut self.complaints),
            _ => None,
        };
        if let (Some(list), Some(id)) = (list, saved) {
            if !list.select(id) {
                list.reset(conn)?;
                list.select(id);
            }
        }
        Ok(())
    }
}
