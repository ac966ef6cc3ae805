//! The kinds that belong to a customer: `complaints.csv` (found by complaint no.), and
//! `contacts.csv`, `surveys.csv`, `requirements.csv` (found by the natural keys in README).

use super::fields::{Field, Parse, Values};
use super::problems::Problem;
use super::simple::{no_check, no_fill, After, Filling, Key, Spec};
use crate::domain::enums::{
    ComplaintType, ContactChannel, Department, Direction, ForwardTarget, RequirementCategory,
    RequirementStatus, Severity,
};
use rusqlite::types::Value;

pub static COMPLAINTS: Spec = Spec {
    table: "complaints",
    fields: &[
        Field::new("complaint_no", "complaint_no", Parse::Code).required(),
        Field::new("customer", "customer_id", Parse::Customer).required(),
        Field::new("order_no", "order_id", Parse::Order),
        Field::new("type", "type", Parse::Word(ComplaintType::words)).required(),
        Field::new("severity", "severity", Parse::Word(Severity::words)).or("normal"),
        Field::new("opened_at", "opened_at", Parse::Stamp).required(),
        Field::new("first_response_at", "first_response_at", Parse::Stamp),
        Field::new("resolved_at", "resolved_at", Parse::Stamp),
        Field::new("department", "department", Parse::Word(Department::words)),
        Field::new("description", "description", Parse::Text),
        Field::new("resolution", "resolution", Parse::Text),
    ],
    key: Key::Unique("complaint_no"),
    unique_also: None,
    versioned: true,
    fill: no_fill,
    check: no_check,
    after: After::Nothing,
};

pub static CONTACTS: Spec = Spec {
    table: "contacts",
    fields: &[
        Field::new("customer", "customer_id", Parse::Customer).required(),
        Field::new("order_no", "order_id", Parse::Order),
        Field::new("channel", "channel", Parse::Word(ContactChannel::words)).required(),
        Field::new("direction", "direction", Parse::Word(Direction::words)).required(),
        Field::new("at", "at", Parse::Stamp).required(),
        Field::new("replied_at", "replied_at", Parse::Stamp),
        Field::new("summary", "summary", Parse::Text),
    ],
    key: Key::Natural(&["customer", "at", "direction", "channel"]),
    unique_also: None,
    versioned: false,
    fill: no_fill,
    check: reply_only_inbound,
    after: After::Nothing,
};

/// SPEC §2: replied_at belongs to inbound contacts only.
fn reply_only_inbound(values: &Values) -> Option<(&'static str, Problem)> {
    let f = |c| CONTACTS.field(c);
    let outbound = matches!(&values[f("direction")], Some(Value::Text(d)) if d == "out");
    let replied = matches!(values[f("replied_at")], Some(Value::Integer(_)));
    (outbound && replied).then_some(("replied_at", Problem::ReplyOnOutbound))
}

const SCORE: Parse = Parse::Whole { min: 1, max: 5 };

pub static SURVEYS: Spec = Spec {
    table: "surveys",
    fields: &[
        Field::new("customer", "customer_id", Parse::Customer).required(),
        Field::new("date", "date", Parse::Date).required(),
        Field::new("accuracy", "accuracy", SCORE),
        Field::new("response", "response", SCORE),
        Field::new("resolution", "resolution", SCORE),
        Field::new("attitude", "attitude", SCORE),
        Field::new("customisation", "customisation", SCORE),
        Field::new("quality", "quality", SCORE),
        Field::new(
            "willingness",
            "willingness",
            Parse::Whole { min: 0, max: 10 },
        ),
    ],
    key: Key::Natural(&["customer", "date"]),
    unique_also: None,
    versioned: false,
    fill: no_fill,
    check: no_check,
    after: After::Nothing,
};

pub static REQUIREMENTS: Spec = Spec {
    table: "requirements",
    fields: &[
        Field::new("customer", "customer_id", Parse::Customer).required(),
        Field::new(
            "category",
            "category",
            Parse::Word(RequirementCategory::words),
        )
        .required(),
        Field::new("text", "text", Parse::Text).required(),
        Field::new("created_at", "created_at", Parse::Stamp),
        Field::new("status", "status", Parse::Word(RequirementStatus::words)).or("open"),
        Field::new(
            "forwarded_to",
            "forwarded_to",
            Parse::Word(ForwardTarget::words),
        ),
        Field::new("resolved_at", "resolved_at", Parse::Stamp),
    ],
    key: Key::Natural(&["customer", "category", "text"]),
    unique_also: None,
    versioned: false,
    fill: created_now,
    check: no_check,
    after: After::Nothing,
};

/// A requirement without a date was noted when it was imported.
fn created_now(values: &mut Values, filling: Filling) {
    let created = REQUIREMENTS.field("created_at");
    let wanted = match &values[created] {
        None => filling.inserting,
        Some(v) => *v == Value::Null,
    };
    if wanted {
        values[created] = Some(Value::Integer(filling.now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_inbound_contact_has_a_reply() {
        let row = |direction: &str| {
            let mut v: Values = vec![Some(Value::Null); CONTACTS.fields.len()];
            v[CONTACTS.field("direction")] = Some(Value::Text(direction.into()));
            v[CONTACTS.field("replied_at")] = Some(Value::Integer(5));
            v
        };
        assert_eq!(reply_only_inbound(&row("in")), None);
        assert_eq!(
            reply_only_inbound(&row("out")),
            Some(("replied_at", Problem::ReplyOnOutbound))
        );
    }
}
