//! Checking a filled form: every field's format first (the same for a kind of field in
//! every form), then what the record needs (a customer that exists, a date after another).
//! Each problem lands on its field in the UI language; nothing is saved until none is left.

use super::engine::Form;
use super::field::{problem_text, Field};
use super::specs::{FormKind, SURVEY_FIELDS};
use crate::domain::complaint::{ComplaintDraft, ComplaintField};
use crate::domain::contact::ContactDraft;
use crate::domain::customer::{CustomerDraft, Survey};
use crate::domain::enums::{DocumentKind, ExceptionCause, ExceptionKind, RequirementCategory};
use crate::domain::money::{
    parse_currency, parse_decimal, parse_price, parse_quantity, MoneyError,
};
use crate::domain::month::Month;
use crate::domain::order::{OrderDraft, OrderLine};
use crate::domain::problem::Problem;
use crate::domain::status::Status;
use crate::domain::time::{now, parse_date, parse_stamp, parse_until, today};
use crate::i18n::t;
use crate::store::followups::{self, NewFollowup};
use crate::store::production::Production;
use crate::store::shipments::ShipmentDraft;
use crate::store::{customers, orders};
use rusqlite::Connection;
use std::str::FromStr;

/// What a valid form holds, ready to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Valid {
    Order {
        draft: OrderDraft,
        /// Why the due date changed, when it did.
        due_reason: Option<String>,
    },
    Customer(CustomerDraft),
    Complaint(ComplaintDraft),
    Contact(ContactDraft),
    Requirement(RequirementCategory, String),
    Survey(Survey),
    Shipment(ShipmentDraft),
    Production(Production),
    Exception {
        kind: ExceptionKind,
        cause: ExceptionCause,
        note: String,
    },
    Document {
        kind: DocumentKind,
        path: String,
    },
    Followup(NewFollowup),
    ResponsePlan(String),
    Reply(String),
    Resolution(String),
    Month(Month),
}

/// A field already checked for its format, parsed; `None` when empty or wrong.
fn parsed<T, E>(form: &Form, name: &str, parse: impl Fn(&str) -> Result<T, E>) -> Option<T> {
    let f = form.field(name)?;
    if f.error.is_some() || f.is_empty() {
        return None;
    }
    parse(f.value()).ok()
}

fn word<T: FromStr>(form: &mut Form, name: &str) -> Option<T> {
    let v = T::from_str(form.value(name)).ok();
    if v.is_none() {
        form.set_error(name, problem_text(&Problem::NotAChoice));
    }
    v
}

fn date(form: &Form, name: &str) -> Option<chrono::NaiveDate> {
    parsed(form, name, parse_date)
}

fn stamp(form: &Form, name: &str) -> Option<i64> {
    parsed(form, name, parse_stamp)
}

fn int(form: &Form, name: &str) -> Option<i64> {
    parsed(form, name, |s| {
        s.trim_end_matches('%').trim().parse::<i64>()
    })
}

/// The customer a form names: by exact code or name, else the only one whose code or name
/// holds the text (`Trident` finds Trident Automation Corp.). Its id and code.
pub fn find_customer(conn: &Connection, text: &str) -> Option<(i64, String)> {
    use crate::store::customers::{find_by_code_or_name, suggest};
    if let Some((id, _)) = find_by_code_or_name(conn, text).ok().flatten() {
        let code = customers::code_and_name(conn, id)
            .ok()
            .flatten()
            .map_or_else(|| text.trim().to_string(), |(c, _)| c);
        return Some((id, code));
    }
    let code = match suggest(conn, text, 2).ok()?.as_slice() {
        [(code, _)] => code.clone(),
        _ => return None,
    };
    find_by_code_or_name(conn, &code)
        .ok()
        .flatten()
        .map(|(id, _)| (id, code))
}

/// Checks every field, marking each problem on its field; what the form holds when all
/// are fine.
pub fn validate(form: &mut Form, conn: &Connection) -> Option<Valid> {
    form.clear_errors();
    form.check_formats();
    let valid = match form.kind.clone() {
        FormKind::Order {
            id, original_due, ..
        } => order(form, conn, id, original_due),
        FormKind::Customer { id, .. } => customer(form, conn, id),
        FormKind::Complaint { id, .. } => complaint(form, conn, id),
        FormKind::Contact { customer_id } => {
            let order_id = order_field(form, conn, "field.order_no");
            let draft = ContactDraft {
                customer_id,
                order_id,
                channel: word(form, "field.channel")?,
                direction: word(form, "field.direction")?,
                at: stamp(form, "field.at").unwrap_or_else(now),
                summary: form.value("field.summary").into(),
            };
            for (field, p) in draft.check(now()) {
                form.set_error(&format!("field.{field}"), problem_text(&p));
            }
            Some(Valid::Contact(draft))
        }
        FormKind::Requirement { .. } => Some(Valid::Requirement(
            word(form, "field.category")?,
            form.value("field.text").to_string(),
        )),
        FormKind::Survey { .. } => survey(form),
        FormKind::Shipment { .. } => shipment(form),
        FormKind::Production { .. } => {
            let p = Production {
                stage: word(form, "sfield.stage")?,
                materials: word(form, "sfield.materials")?,
                scheduled_start: date(form, "sfield.scheduled_start"),
                planned_finish: date(form, "sfield.planned_finish"),
                percent: int(form, "sfield.percent").unwrap_or(0),
            };
            for (field, key) in p.problems() {
                form.set_error(&format!("sfield.{field}"), t(key).to_string());
            }
            Some(Valid::Production(p))
        }
        FormKind::Exception { .. } => Some(Valid::Exception {
            kind: word(form, "sfield.exc_kind")?,
            cause: word(form, "sfield.cause")?,
            note: form.value("sfield.note").to_string(),
        }),
        FormKind::Document { .. } => {
            let path = expand_home(form.value("sfield.path"));
            if !form.value("sfield.path").is_empty() && !std::path::Path::new(&path).is_file() {
                form.set_error("sfield.path", t("document.no_such_file").to_string());
            }
            Some(Valid::Document {
                kind: word(form, "sfield.doc_kind")?,
                path,
            })
        }
        FormKind::Followup => {
            let about_text = form.value("followup.about").to_string();
            let about = match followups::find_about(conn, &about_text).ok().flatten() {
                Some(a) => Some(a),
                None => {
                    find_customer(conn, &about_text).map(|(id, _)| followups::About::Customer(id))
                }
            };
            if about.is_none() && !about_text.is_empty() {
                form.set_error("followup.about", t("followup.no_such").to_string());
            }
            Some(Valid::Followup(NewFollowup {
                about: about?,
                due_at: stamp(form, "followup.due")?,
                text: form.value("followup.text").to_string(),
            }))
        }
        FormKind::ResponsePlan { .. } => Some(Valid::ResponsePlan(
            form.value("field.response_plan").to_string(),
        )),
        FormKind::Reply { .. } => Some(Valid::Reply(form.value("field.reply").to_string())),
        FormKind::Resolution { .. } => Some(Valid::Resolution(
            form.value("field.resolution").to_string(),
        )),
        FormKind::Month => match Month::from_str(form.value("field.month")) {
            Ok(m) => Some(Valid::Month(m)),
            Err(_) => {
                form.set_error("field.month", t("form.bad_month").to_string());
                None
            }
        },
    };
    if form.has_errors() || valid.is_none() {
        if form.message.is_none() {
            form.message = Some(t("form.fix_fields").to_string());
        }
        return None;
    }
    form.message = None;
    valid
}

/// The optional order-number field, resolved to an order id (marked when unknown).
fn order_field(form: &mut Form, conn: &Connection, name: &str) -> Option<i64> {
    let no = form.value(name).to_string();
    if no.is_empty() {
        return None;
    }
    let id = orders::id_by_number(conn, &no).ok().flatten();
    if id.is_none() {
        form.set_error(name, problem_text(&Problem::NotFound));
    }
    id
}

fn order(
    form: &mut Form,
    conn: &Connection,
    id: Option<i64>,
    original_due: Option<String>,
) -> Option<Valid> {
    let customer = form.value("field.customer").to_string();
    let customer_id = if customer.is_empty() {
        None
    } else {
        let found = find_customer(conn, &customer).map(|(id, _)| id);
        if found.is_none() {
            form.set_error("field.customer", t("form.no_such_customer").to_string());
        }
        found
    };
    let currency = parse_currency(form.value("field.currency"));
    if let Err(e) = &currency {
        form.set_error("field.currency", crate::ui::words::money_error(e));
    }
    let due_text = form.value("field.due_date").to_string();
    let due_changed = id.is_some()
        && original_due.is_some()
        && original_due.as_deref() != Some(due_text.as_str());
    let due_reason = form.value("field.due_reason").to_string();
    if due_changed && due_reason.is_empty() {
        form.set_error("field.due_reason", t("form.due_reason_needed").to_string());
    }
    let mut draft = OrderDraft {
        order_no: form.value("field.order_no").to_string(),
        customer_id,
        order_type: word(form, "field.order_type")?,
        status: if id.is_none() {
            word(form, "field.status")?
        } else {
            Status::Inquiry
        },
        ordered_at: stamp(form, "field.ordered_at").unwrap_or_else(now),
        due_date: date(form, "field.due_date"),
        delivery_address: form.value("field.delivery_address").to_string(),
        currency: currency.unwrap_or_default(),
        payment_due: date(form, "field.payment_due"),
        paid_at: date(form, "field.paid_at"),
        missing_reason: form.value("field.missing_reason").to_string(),
        notes: form.value("field.notes").to_string(),
        lines: Vec::new(),
    };
    if let Some(grid) = form.grid.as_mut() {
        for row in &mut grid.rows {
            let v = |name: &str| row.iter().find(|f| f.name == name).map_or("", Field::value);
            let quantity = parse_quantity(v("line.quantity"));
            let price = match v("line.unit_price") {
                "" => Ok(None),
                p => parse_price(p).map(Some),
            };
            if let (Ok(q), Ok(Some(p))) = (&quantity, &price) {
                if q.checked_mul(*p).is_none() {
                    if let Some(f) = row.iter_mut().find(|f| f.name == "line.unit_price") {
                        f.error = Some(crate::ui::words::money_error(&MoneyError::TooLarge));
                    }
                }
            }
            if let (Ok(quantity), Ok(unit_price)) = (quantity, price) {
                let v = |name: &str| row.iter().find(|f| f.name == name).map_or("", Field::value);
                draft.lines.push(OrderLine {
                    product_code: v("line.product_code").to_string(),
                    spec: v("line.spec").to_string(),
                    quantity,
                    unit: v("line.unit").to_string(),
                    unit_price,
                });
            }
        }
    }
    if form.has_errors() {
        return None;
    }
    if draft.checked_total().is_none() {
        form.message = Some(format!(
            "{}: {}",
            t("col.total"),
            crate::ui::words::money_error(&MoneyError::TooLarge)
        ));
        return None;
    }
    // The lifecycle rule is checked here too, so the message lands on the form.
    if id.is_none() && draft.status != Status::Inquiry {
        let missing = draft.missing_fields();
        if let Err(e) = crate::domain::status::plan_change(
            Status::Inquiry,
            draft.status,
            &missing,
            !draft.missing_reason.is_empty(),
            Some("new"),
        ) {
            form.message = Some(crate::ui::words::transition_error(&e));
            return None;
        }
    }
    // The customer field shows the code it was resolved to.
    if let Some(cid) = draft.customer_id {
        if let Ok(Some((code, _))) = customers::code_and_name(conn, cid) {
            form.set("field.customer", &code);
        }
    }
    let _ = &mut draft;
    Some(Valid::Order {
        draft,
        due_reason: due_changed.then_some(due_reason),
    })
}

fn customer(form: &mut Form, conn: &Connection, id: Option<i64>) -> Option<Valid> {
    let draft = CustomerDraft {
        code: form.value("field.code").into(),
        name: form.value("field.name").into(),
        customer_type: word(form, "field.customer_type")?,
        contact_person: form.value("field.contact_person").into(),
        phone: form.value("field.phone").into(),
        email: form.value("field.email").into(),
        im_handle: form.value("field.im_handle").into(),
        preferred_channel: word(form, "field.preferred_channel")?,
        address: form.value("field.address").into(),
        payment_terms_days: int(form, "field.payment_terms_days"),
        language: word(form, "field.language")?,
        notes: form.value("field.notes").into(),
        key_account: form.value("field.key_account") == "yes",
    };
    for (field, p) in draft.check() {
        form.set_error(&format!("field.{field}"), problem_text(&p));
    }
    let (code, name) = customers::clashes(conn, id, &draft.code, &draft.name).unwrap_or_default();
    if code {
        form.set_error("field.code", problem_text(&Problem::Taken));
    }
    if name {
        form.set_error("field.name", problem_text(&Problem::Taken));
    }
    Some(Valid::Customer(draft))
}

fn complaint(form: &mut Form, conn: &Connection, id: Option<i64>) -> Option<Valid> {
    let customer = form.value("field.customer").to_string();
    let customer_id = if customer.is_empty() {
        None
    } else {
        let found = find_customer(conn, &customer).map(|(id, _)| id);
        if found.is_none() {
            form.set_error("field.customer", t("form.no_such_customer").into());
        }
        found
    };
    let order_id = order_field(form, conn, "field.order_no");
    let draft = ComplaintDraft {
        complaint_no: form.value("field.complaint_no").into(),
        customer_id: customer_id.unwrap_or(0),
        order_id,
        kind: word(form, "field.complaint_type")?,
        severity: word(form, "field.severity")?,
        opened_at: stamp(form, "field.opened_at").unwrap_or_else(now),
        first_response_at: id.and(stamp(form, "field.first_response_at")),
        resolved_at: id.and(stamp(form, "field.resolved_at")),
        department: match form.value("field.department") {
            "" => None,
            _ => Some(word(form, "field.department")?),
        },
        description: form.value("field.description").into(),
        resolution: form.value("field.resolution").into(),
    };
    for (field, p) in draft.check(now()) {
        let name = match field {
            ComplaintField::OpenedAt => "field.opened_at",
            ComplaintField::FirstResponseAt => "field.first_response_at",
            ComplaintField::ResolvedAt => "field.resolved_at",
            ComplaintField::Resolution => "field.resolution",
        };
        form.set_error(name, problem_text(&p));
    }
    Some(Valid::Complaint(draft))
}

fn survey(form: &mut Form) -> Option<Valid> {
    let date = match date(form, "field.date") {
        Some(d) if d > today() => {
            form.set_error("field.date", problem_text(&Problem::Future));
            d
        }
        Some(d) => d,
        None => today(),
    };
    let v: Vec<Option<i64>> = SURVEY_FIELDS.iter().map(|n| int(form, n)).collect();
    let survey = Survey {
        date,
        scores: [v[0], v[1], v[2], v[3], v[4], v[5]],
        willingness: v[6],
    };
    if !form.has_errors() {
        if let Err(p) = survey.check() {
            form.message = Some(problem_text(&p));
            return None;
        }
    }
    Some(Valid::Survey(survey))
}

fn shipment(form: &mut Form) -> Option<Valid> {
    let eta = parsed(form, "sfield.eta", parse_until);
    let draft = ShipmentDraft {
        order_no: form.value("sfield.order_no").to_string(),
        carrier: form.value("sfield.carrier").to_string(),
        waybill_no: form.value("sfield.waybill_no").to_string(),
        mode: word(form, "sfield.mode")?,
        shipped_at: stamp(form, "sfield.shipped_at"),
        // A date alone means the end of that day: not late before it is over.
        eta,
        delivered_at: stamp(form, "sfield.delivered_at"),
        status: word(form, "sfield.status")?,
        weight_kg: parsed(form, "sfield.weight_kg", parse_decimal),
        packages: int(form, "sfield.packages"),
        notes: form.value("sfield.notes").to_string(),
    };
    for (field, key) in draft.problems() {
        form.set_error(&format!("sfield.{field}"), t(key).to_string());
    }
    Some(Valid::Shipment(draft))
}

/// `~/x` → the home folder's `x`, as a shell would.
fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => path.to_string(),
    }
}
