//! The form of each kind of record, as a list of fields with what they start with. How a
//! filled form is checked is in `check`; saving it in `app::form_save`.

use super::engine::{Form, Grid};
use super::field::{Choices, Field, Kind};
use super::lookup::Source;
use crate::domain::enums::{
    DocumentKind, ExceptionCause, ExceptionKind, MaterialsState, OrderType, ProductionStage,
    ShipMode, ShipmentStatus,
};
use crate::domain::money::canonical;
use crate::domain::order::OrderDraft;
use crate::domain::status::Status;
use crate::domain::time::{format_date, format_stamp_short, now};
use crate::i18n::t;
use crate::store::production::Production;
use crate::store::shipments::ShipmentDraft;
use strum::IntoEnumIterator;

pub use super::aftersales::{
    contact, customer, edit_complaint, new_complaint, requirement, survey, SURVEY_FIELDS, YES_NO,
};
pub use super::prompts::{followup, month, reply, resolution, response_plan};

/// What a form creates or changes, and for which record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    Order {
        id: Option<i64>,
        version: Option<i64>,
        /// The due date when the form opened: changing it asks why.
        original_due: Option<String>,
    },
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
    },
    Requirement {
        customer_id: i64,
    },
    Survey {
        customer_id: i64,
    },
    Shipment {
        id: Option<i64>,
        version: Option<i64>,
    },
    Production {
        order_id: i64,
    },
    Exception {
        order_id: i64,
    },
    Document {
        order_id: i64,
    },
    Followup,
    /// `r` on complaints: the first response and its plan.
    ResponsePlan {
        ids: Vec<i64>,
        version: Option<i64>,
    },
    /// `r` on an inbound contact: the reply, with what was said.
    Reply {
        contact_id: i64,
    },
    /// `c` on a complaint: how it was resolved (required).
    Resolution {
        id: i64,
        version: i64,
    },
    /// `g` on Reports: the month to show.
    Month,
}

impl FormKind {
    /// A question of a field or two, drawn over the screen rather than filling it.
    pub fn is_prompt(&self) -> bool {
        matches!(
            self,
            FormKind::Followup
                | FormKind::ResponsePlan { .. }
                | FormKind::Reply { .. }
                | FormKind::Resolution { .. }
                | FormKind::Month
        )
    }
}

pub(super) fn text(name: &'static str, value: &str) -> Field {
    Field::new(name, Kind::Text, value)
}

pub(super) fn multi(name: &'static str, value: &str) -> Field {
    Field::new(name, Kind::MultiLine, value)
}

pub(super) fn date(name: &'static str, value: Option<chrono::NaiveDate>) -> Field {
    Field::new(
        name,
        Kind::Date,
        &value.map(format_date).unwrap_or_default(),
    )
}

pub(super) fn time(name: &'static str, value: Option<i64>) -> Field {
    Field::new(
        name,
        Kind::Time,
        &value.map(format_stamp_short).unwrap_or_default(),
    )
}

pub(super) fn choice(
    name: &'static str,
    words: Vec<&'static str>,
    prefix: &'static str,
    value: &str,
) -> Field {
    Field::new(name, Kind::Choice(Choices::new(words, prefix)), value)
}

pub(super) fn lookup(name: &'static str, source: Source, value: &str) -> Field {
    Field::new(name, Kind::Lookup(source), value)
}

pub(super) fn number(name: &'static str, min: i64, max: i64, value: Option<i64>) -> Field {
    Field::new(
        name,
        Kind::Number { min, max },
        &value.map(|n| n.to_string()).unwrap_or_default(),
    )
}

/// The columns of an order's lines.
pub fn line_columns() -> Vec<Field> {
    let mut quantity = Field::new("line.quantity", Kind::Quantity, "");
    quantity.required = true;
    vec![
        lookup("line.product_code", Source::Product, ""),
        text("line.spec", ""),
        quantity,
        text("line.unit", ""),
        Field::new("line.unit_price", Kind::Money, ""),
    ]
}

fn statuses() -> Vec<&'static str> {
    Status::iter().map(Status::as_str).collect()
}

/// A blank order: regular, an inquiry placed now, in the desk's currency, one empty line.
pub fn new_order(currency: &str) -> Form {
    let blank = OrderDraft {
        order_no: String::new(),
        customer_id: None,
        order_type: OrderType::Regular,
        status: Status::Inquiry,
        ordered_at: now(),
        due_date: None,
        delivery_address: String::new(),
        currency: currency.to_string(),
        payment_due: None,
        paid_at: None,
        missing_reason: String::new(),
        notes: String::new(),
        lines: Vec::new(),
    };
    order(None, None, &blank, "")
}

/// A form holding an existing order; `customer` is its code.
pub fn edit_order(id: i64, version: i64, draft: &OrderDraft, customer: &str) -> Form {
    order(Some(id), Some(version), draft, customer)
}

fn order(id: Option<i64>, version: Option<i64>, d: &OrderDraft, customer: &str) -> Form {
    let original_due = id.and(d.due_date.map(format_date));
    let mut fields = vec![
        text("field.order_no", &d.order_no),
        lookup("field.customer", Source::Customer, customer),
        choice(
            "field.order_type",
            OrderType::words(),
            "type.",
            d.order_type.as_str(),
        ),
    ];
    if id.is_none() {
        fields.push(choice(
            "field.status",
            statuses(),
            "status.",
            d.status.as_str(),
        ));
    }
    fields.push(time("field.ordered_at", Some(d.ordered_at)));
    fields.push(date("field.due_date", d.due_date));
    if id.is_some() {
        fields.push(text("field.due_reason", ""));
    }
    fields.extend([
        text("field.delivery_address", &d.delivery_address),
        text("field.currency", &d.currency),
        date("field.payment_due", d.payment_due),
        date("field.paid_at", d.paid_at),
        text("field.missing_reason", &d.missing_reason),
        multi("field.notes", &d.notes),
    ]);
    let title = if id.is_some() {
        t("form.edit_title")
    } else {
        t("form.new_title")
    };
    let mut grid = Grid::new(line_columns());
    for l in &d.lines {
        let mut row = grid.blank_row();
        let values = [
            l.product_code.clone(),
            l.spec.clone(),
            canonical(l.quantity),
            l.unit.clone(),
            l.unit_price.map(canonical).unwrap_or_default(),
        ];
        for (f, v) in row.iter_mut().zip(values) {
            f.input.set(v);
        }
        grid.rows.push(row);
    }
    if grid.rows.is_empty() {
        grid.rows.push(grid.blank_row());
    }
    let mut form = Form::new(
        FormKind::Order {
            id,
            version,
            original_due,
        },
        title.to_string(),
        fields,
    )
    .with_grid(grid)
    .require(&["field.ordered_at", "field.currency"])
    .want(&["field.customer"]);
    if id.is_some() {
        // An order being edited opens where it was: the first field.
        form.focus = super::engine::Focus::Field(0);
        form
    } else {
        form.start()
    }
}

/// A shipment form: blank (`id = None`, the order number given when known) or holding an
/// existing shipment.
pub fn shipment(id: Option<i64>, version: Option<i64>, d: &ShipmentDraft) -> Form {
    let title = match id {
        None => t("shipment.new_title"),
        Some(_) => t("shipment.edit_title"),
    };
    Form::new(
        FormKind::Shipment { id, version },
        title.to_string(),
        vec![
            lookup("sfield.order_no", Source::Order, &d.order_no),
            text("sfield.carrier", &d.carrier),
            text("sfield.waybill_no", &d.waybill_no),
            choice("sfield.mode", ShipMode::words(), "mode.", d.mode.as_str()),
            time("sfield.shipped_at", d.shipped_at),
            time("sfield.eta", d.eta),
            time("sfield.delivered_at", d.delivered_at),
            choice(
                "sfield.status",
                ShipmentStatus::words(),
                "shipment_status.",
                d.status.as_str(),
            ),
            Field::new(
                "sfield.weight_kg",
                Kind::Money,
                &d.weight_kg.map(canonical).unwrap_or_default(),
            ),
            number("sfield.packages", 0, 1_000_000, d.packages),
            multi("sfield.notes", &d.notes),
        ],
    )
    .require(&["sfield.order_no"])
    .want(&["sfield.carrier", "sfield.waybill_no"])
    .start()
}

pub fn production(order_id: i64, order_no: &str, p: &Production) -> Form {
    Form::new(
        FormKind::Production { order_id },
        format!("{} · {order_no}", t("production.title")),
        vec![
            choice(
                "sfield.stage",
                ProductionStage::words(),
                "prod_stage.",
                p.stage.as_str(),
            ),
            choice(
                "sfield.materials",
                MaterialsState::words(),
                "prod_materials.",
                p.materials.as_str(),
            ),
            date("sfield.scheduled_start", p.scheduled_start),
            date("sfield.planned_finish", p.planned_finish),
            number("sfield.percent", 0, 100, Some(p.percent)),
        ],
    )
    .require(&["sfield.percent"])
    .start()
}

pub fn exception(order_id: i64, order_no: &str) -> Form {
    Form::new(
        FormKind::Exception { order_id },
        format!("{} · {order_no}", t("exception.title")),
        vec![
            choice(
                "sfield.exc_kind",
                ExceptionKind::words(),
                "exc_kind.",
                "delay",
            ),
            choice(
                "sfield.cause",
                ExceptionCause::words(),
                "exc_cause.",
                "other",
            ),
            multi("sfield.note", ""),
        ],
    )
    .start()
}

pub fn document(order_id: i64, order_no: &str) -> Form {
    Form::new(
        FormKind::Document { order_id },
        format!("{} · {order_no}", t("document.title")),
        vec![
            text("sfield.path", ""),
            choice("sfield.doc_kind", DocumentKind::words(), "doc_kind.", "po"),
        ],
    )
    .require(&["sfield.path"])
    .start()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Every form, as the tests and snapshots see them.
    pub fn all() -> Vec<Form> {
        let draft = ShipmentDraft {
            order_no: "SO-1".into(),
            ..blank_shipment()
        };
        vec![
            new_order("USD"),
            customer(None),
            new_complaint("", ""),
            contact(1, "x", "phone", None),
            requirement(1, "x"),
            survey(1, "x"),
            shipment(None, None, &draft),
            production(1, "SO-1", &Production::default()),
            exception(1, "SO-1"),
            document(1, "SO-1"),
            followup(""),
            response_plan(vec![1], None, "CP-1"),
            reply(1, "x"),
            month("2026-01"),
        ]
    }

    #[test]
    fn every_field_has_a_label_in_both_languages() {
        for lang in [crate::i18n::Lang::En, crate::i18n::Lang::Zh] {
            for f in all() {
                let grid = f.grid.iter().flat_map(|g| g.columns.iter());
                for field in f.fields.iter().chain(grid) {
                    let label = crate::i18n::t_in(lang, field.name);
                    assert_ne!(label, field.name, "label for {}", field.name);
                    if let Some(c) = field.choices() {
                        for w in &c.words {
                            let key = format!("{}{w}", c.prefix);
                            assert_ne!(crate::i18n::t_in(lang, &key), key);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn focus_starts_on_the_first_empty_required_field() {
        let name = |f: &Form| f.focused().map(|x| x.name);
        assert_eq!(name(&new_order("USD")), Some("field.customer"));
        assert_eq!(name(&customer(None)), Some("field.code"));
        assert_eq!(name(&new_complaint("C001", "")), Some("field.description"));
        assert_eq!(name(&new_complaint("", "")), Some("field.customer"));
        assert_eq!(name(&followup("SO-1")), Some("followup.text"));
        assert_eq!(
            name(&shipment(
                None,
                None,
                &ShipmentDraft {
                    order_no: "SO-1".into(),
                    ..blank_shipment()
                }
            )),
            Some("sfield.carrier")
        );
    }

    /// A new shipment with nothing filled in, for the tests of every form.
    pub(in crate::app::form) fn blank_shipment() -> ShipmentDraft {
        ShipmentDraft {
            order_no: String::new(),
            carrier: String::new(),
            waybill_no: String::new(),
            mode: ShipMode::Sea,
            shipped_at: None,
            eta: None,
            delivered_at: None,
            status: ShipmentStatus::Booked,
            weight_kg: None,
            packages: None,
            notes: String::new(),
        }
    }
}
