//! The after-sales forms: customer, complaint, contact, requirement and survey.

use super::engine::Form;
use super::field::{Choices, Field, Kind};
use super::lookup::Source;
use super::specs::{choice, date, lookup, multi, number, text, time, FormKind};
use crate::domain::complaint::ComplaintDraft;
use crate::domain::customer::CustomerDraft;
use crate::domain::enums::{
    Channel, ComplaintType, ContactChannel, CustomerType, Department, Direction, Language,
    RequirementCategory, Severity,
};
use crate::domain::time::{now, today};
use crate::i18n::{t, tf};
use crate::store::complaints::ComplaintDetail;
use std::str::FromStr;

pub const YES_NO: [&str; 2] = ["no", "yes"];

/// A customer form: blank, or holding `(id, version, draft)`.
pub fn customer(existing: Option<(i64, i64, &CustomerDraft)>) -> Form {
    let blank = CustomerDraft {
        code: String::new(),
        name: String::new(),
        customer_type: CustomerType::New,
        contact_person: String::new(),
        phone: String::new(),
        email: String::new(),
        im_handle: String::new(),
        preferred_channel: Channel::Email,
        address: String::new(),
        payment_terms_days: Some(30),
        language: Language::Zh,
        notes: String::new(),
        key_account: false,
    };
    let (id, version, d) = match existing {
        Some((id, version, d)) => (Some(id), Some(version), d),
        None => (None, None, &blank),
    };
    let title = match id {
        None => t("form.customer_new"),
        Some(_) => t("form.customer_edit"),
    };
    Form::new(
        FormKind::Customer { id, version },
        title.to_string(),
        vec![
            text("field.code", &d.code),
            text("field.name", &d.name),
            choice(
                "field.customer_type",
                CustomerType::words(),
                "customer_type.",
                d.customer_type.as_str(),
            ),
            text("field.contact_person", &d.contact_person),
            text("field.phone", &d.phone),
            text("field.email", &d.email),
            text("field.im_handle", &d.im_handle),
            choice(
                "field.preferred_channel",
                Channel::words(),
                "channel.",
                d.preferred_channel.as_str(),
            ),
            text("field.address", &d.address),
            number("field.payment_terms_days", 0, 365, d.payment_terms_days),
            choice(
                "field.language",
                Language::words(),
                "language.",
                d.language.as_str(),
            ),
            choice(
                "field.key_account",
                YES_NO.to_vec(),
                "yesno.",
                YES_NO[usize::from(d.key_account)],
            ),
            multi("field.notes", &d.notes),
        ],
    )
    .require(&["field.code", "field.name"])
    .start()
}

/// A new complaint, with the customer and order filled in when known.
pub fn new_complaint(customer: &str, order_no: &str) -> Form {
    complaint(None, None, None, customer, order_no)
}

pub fn edit_complaint(d: &ComplaintDetail) -> Form {
    complaint(
        Some(d.id),
        Some(d.version),
        Some(&d.draft),
        &d.customer_code,
        d.order_no.as_deref().unwrap_or(""),
    )
}

fn complaint(
    id: Option<i64>,
    version: Option<i64>,
    d: Option<&ComplaintDraft>,
    customer: &str,
    order_no: &str,
) -> Form {
    let mut department = Field::new(
        "field.department",
        Kind::Choice(Choices::new(Department::words(), "department.").optional()),
        d.and_then(|d| d.department).map_or("", Department::as_str),
    );
    department.required = false;
    let mut fields = vec![
        text("field.complaint_no", d.map_or("", |d| &d.complaint_no)),
        lookup("field.customer", Source::Customer, customer),
        lookup("field.order_no", Source::Order, order_no),
        choice(
            "field.complaint_type",
            ComplaintType::words(),
            "complaint_type.",
            d.map_or("quality", |d| d.kind.as_str()),
        ),
        choice(
            "field.severity",
            Severity::words(),
            "severity.",
            d.map_or("normal", |d| d.severity.as_str()),
        ),
        time("field.opened_at", Some(d.map_or_else(now, |d| d.opened_at))),
        department,
        multi("field.description", d.map_or("", |d| &d.description)),
    ];
    // Times recorded late, and the resolution, belong to an existing complaint.
    if let Some(d) = d {
        fields.extend([
            time("field.first_response_at", d.first_response_at),
            time("field.resolved_at", d.resolved_at),
            multi("field.resolution", &d.resolution),
        ]);
    }
    let title = match id {
        None => t("form.complaint_new"),
        Some(_) => t("form.complaint_edit"),
    };
    Form::new(
        FormKind::Complaint { id, version },
        title.to_string(),
        fields,
    )
    .require(&["field.customer", "field.opened_at"])
    .want(&["field.description"])
    .start()
}

pub fn contact(customer_id: i64, customer: &str, channel: &str, order_no: Option<&str>) -> Form {
    let channel = ContactChannel::from_str(channel)
        .map(ContactChannel::as_str)
        .unwrap_or("email");
    Form::new(
        FormKind::Contact { customer_id },
        tf("form.contact", &[("customer", &customer)]),
        vec![
            multi("field.summary", ""),
            choice(
                "field.direction",
                Direction::words(),
                "direction.",
                Direction::In.as_str(),
            ),
            choice(
                "field.channel",
                ContactChannel::words(),
                "channel.",
                channel,
            ),
            lookup("field.order_no", Source::Order, order_no.unwrap_or("")),
            time("field.at", Some(now())),
        ],
    )
    .require(&["field.summary", "field.at"])
    .start()
}

pub fn requirement(customer_id: i64, customer: &str) -> Form {
    Form::new(
        FormKind::Requirement { customer_id },
        tf("form.requirement", &[("customer", &customer)]),
        vec![
            multi("field.text", ""),
            choice(
                "field.category",
                RequirementCategory::words(),
                "category.",
                RequirementCategory::Product.as_str(),
            ),
        ],
    )
    .require(&["field.text"])
    .start()
}

/// The six 1–5 questions and willingness (0–10), in the survey's order.
pub const SURVEY_FIELDS: [&str; 7] = [
    "score.accuracy",
    "score.response",
    "score.resolution",
    "score.attitude",
    "score.customisation",
    "score.quality",
    "score.willingness",
];

pub fn survey(customer_id: i64, customer: &str) -> Form {
    let mut fields = vec![date("field.date", Some(today()))];
    for (i, name) in SURVEY_FIELDS.iter().enumerate() {
        let (lo, hi) = if i == 6 { (0, 10) } else { (1, 5) };
        fields.push(number(name, lo, hi, None));
    }
    let mut form = Form::new(
        FormKind::Survey { customer_id },
        tf("form.survey", &[("customer", &customer)]),
        fields,
    )
    .require(&["field.date"])
    .start();
    // The date is today's already: the first question is what the clerk fills.
    form.focus = super::engine::Focus::Field(1);
    form
}
