//! The after-sales forms: what each holds and what it starts with. Checking and saving
//! them is in `desk_save`.

use super::record_form::{Choices, RecordForm};
use crate::domain::complaint::ComplaintDraft;
use crate::domain::customer::CustomerDraft;
use crate::domain::enums::{
    Channel, ComplaintType, ContactChannel, Department, Direction, Language, RequirementCategory,
    Severity,
};
use crate::domain::problem::Problem;
use crate::domain::time::{format_date, format_stamp_short, now, today};
use crate::i18n::{t, tf};
use crate::store::complaints::ComplaintDetail;
use std::str::FromStr;

/// What a desk form creates or changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    Customer {
        id: Option<i64>,
        version: Option<i64>,
    },
    Complaint {
        id: Option<i64>,
        version: Option<i64>,
    },
    Contact {
        customer_id: i64,
        customer: String,
    },
    Requirement {
        customer_id: i64,
        customer: String,
    },
    Survey {
        customer_id: i64,
        customer: String,
    },
}

pub type DeskForm = RecordForm<Purpose>;

impl Purpose {
    pub fn title(&self) -> String {
        match self {
            Purpose::Customer { id: None, .. } => t("form.customer_new").into(),
            Purpose::Customer { .. } => t("form.customer_edit").into(),
            Purpose::Complaint { id: None, .. } => t("form.complaint_new").into(),
            Purpose::Complaint { .. } => t("form.complaint_edit").into(),
            Purpose::Contact { customer, .. } => tf("form.contact", &[("customer", customer)]),
            Purpose::Requirement { customer, .. } => {
                tf("form.requirement", &[("customer", customer)])
            }
            Purpose::Survey { customer, .. } => tf("form.survey", &[("customer", customer)]),
        }
    }
}

/// A domain problem in the clerk's language.
pub fn problem_text(p: &Problem) -> String {
    let (a, b) = p.numbers();
    tf(p.key(), &[("a", &a), ("b", &b), ("code", &p.code())])
}

fn choices(words: Vec<&'static str>, prefix: &'static str) -> Choices {
    Choices::new(words, prefix)
}

const YES_NO: [&str; 2] = ["no", "yes"];

pub fn customer_form(existing: Option<(i64, i64, &CustomerDraft)>) -> DeskForm {
    let blank = CustomerDraft {
        code: String::new(),
        name: String::new(),
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
    let (purpose, d) = match existing {
        Some((id, version, d)) => (
            Purpose::Customer {
                id: Some(id),
                version: Some(version),
            },
            d,
        ),
        None => (
            Purpose::Customer {
                id: None,
                version: None,
            },
            &blank,
        ),
    };
    RecordForm::new(purpose)
        .text("field.code", &d.code)
        .text("field.name", &d.name)
        .text("field.contact_person", &d.contact_person)
        .text("field.phone", &d.phone)
        .text("field.email", &d.email)
        .text("field.im_handle", &d.im_handle)
        .choice(
            "field.preferred_channel",
            choices(Channel::words(), "channel."),
            d.preferred_channel.as_str(),
        )
        .text("field.address", &d.address)
        .text(
            "field.payment_terms_days",
            &d.payment_terms_days
                .map(|n| n.to_string())
                .unwrap_or_default(),
        )
        .choice(
            "field.language",
            choices(Language::words(), "language."),
            d.language.as_str(),
        )
        .choice(
            "field.key_account",
            choices(YES_NO.to_vec(), "yesno."),
            YES_NO[usize::from(d.key_account)],
        )
        .text("field.notes", &d.notes)
}

/// A new complaint, with the customer and order filled in when known.
pub fn new_complaint_form(customer: &str, order_no: &str) -> DeskForm {
    let form = RecordForm::new(Purpose::Complaint {
        id: None,
        version: None,
    });
    complaint_fields(form, None, customer, order_no).focus_on(if customer.is_empty() {
        "field.customer"
    } else {
        "field.description"
    })
}

pub fn edit_complaint_form(d: &ComplaintDetail) -> DeskForm {
    let form = RecordForm::new(Purpose::Complaint {
        id: Some(d.id),
        version: Some(d.version),
    });
    complaint_fields(
        form,
        Some(&d.draft),
        &d.customer_code,
        d.order_no.as_deref().unwrap_or(""),
    )
}

fn complaint_fields(
    form: DeskForm,
    d: Option<&ComplaintDraft>,
    customer: &str,
    order_no: &str,
) -> DeskForm {
    let stamp = |t: Option<i64>| t.map(format_stamp_short).unwrap_or_default();
    let form = form
        .text("field.complaint_no", d.map_or("", |d| &d.complaint_no))
        .text("field.customer", customer)
        .text("field.order_no", order_no)
        .choice(
            "field.complaint_type",
            choices(ComplaintType::words(), "complaint_type."),
            d.map_or("quality", |d| d.kind.as_str()),
        )
        .choice(
            "field.severity",
            choices(Severity::words(), "severity."),
            d.map_or("normal", |d| d.severity.as_str()),
        )
        .text(
            "field.opened_at",
            &format_stamp_short(d.map_or_else(now, |d| d.opened_at)),
        )
        .choice(
            "field.department",
            choices(Department::words(), "department.").optional(),
            d.and_then(|d| d.department).map_or("", Department::as_str),
        )
        .text("field.description", d.map_or("", |d| &d.description));
    match d {
        // Times recorded late, and the resolution, belong to an existing complaint.
        Some(d) => form
            .text("field.first_response_at", &stamp(d.first_response_at))
            .text("field.resolved_at", &stamp(d.resolved_at))
            .text("field.resolution", &d.resolution),
        None => form,
    }
}

pub fn contact_form(
    customer_id: i64,
    customer: &str,
    channel: &str,
    order_no: Option<&str>,
) -> DeskForm {
    let channel = if ContactChannel::from_str(channel).is_ok() {
        channel
    } else {
        "email"
    };
    RecordForm::new(Purpose::Contact {
        customer_id,
        customer: customer.to_string(),
    })
    .text("field.summary", "")
    .choice(
        "field.direction",
        choices(Direction::words(), "direction."),
        Direction::In.as_str(),
    )
    .choice(
        "field.channel",
        choices(ContactChannel::words(), "channel."),
        ContactChannel::from_str(channel)
            .map(ContactChannel::as_str)
            .unwrap_or("email"),
    )
    .text("field.order_no", order_no.unwrap_or(""))
    .text("field.at", &format_stamp_short(now()))
}

pub fn requirement_form(customer_id: i64, customer: &str) -> DeskForm {
    RecordForm::new(Purpose::Requirement {
        customer_id,
        customer: customer.to_string(),
    })
    .text("field.text", "")
    .choice(
        "field.category",
        choices(RequirementCategory::words(), "category."),
        RequirementCategory::Product.as_str(),
    )
}

/// The six 1–5 questions and willingness, in SPEC §2 order.
pub const SURVEY_FIELDS: [&str; 7] = [
    "score.accuracy",
    "score.response",
    "score.resolution",
    "score.attitude",
    "score.customisation",
    "score.quality",
    "score.willingness",
];

pub fn survey_form(customer_id: i64, customer: &str) -> DeskForm {
    let mut form = RecordForm::new(Purpose::Survey {
        customer_id,
        customer: customer.to_string(),
    })
    .text("field.date", &format_date(today()));
    for name in SURVEY_FIELDS {
        form = form.text(name, "");
    }
    form.focus_on("score.accuracy")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_names_fields_that_have_labels() {
        let draft = CustomerDraft {
            code: "C".into(),
            name: "N".into(),
            contact_person: String::new(),
            phone: String::new(),
            email: String::new(),
            im_handle: String::new(),
            preferred_channel: Channel::Im,
            address: String::new(),
            payment_terms_days: None,
            language: Language::En,
            notes: String::new(),
            key_account: true,
        };
        let forms = [
            customer_form(None),
            customer_form(Some((1, 1, &draft))),
            new_complaint_form("", ""),
            contact_form(1, "x", "phone", None),
            requirement_form(1, "x"),
            survey_form(1, "x"),
        ];
        for f in &forms {
            for field in &f.fields {
                assert_ne!(t(field.name), field.name, "label for {}", field.name);
            }
        }
        assert_eq!(forms[1].value("field.key_account"), "yes");
        assert_eq!(forms[1].value("field.preferred_channel"), "im");
    }
}
