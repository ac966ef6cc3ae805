//! The kinds that belong to an order: `shipments.csv` (found by waybill no.) and
//! `exceptions.csv` (found by order, kind and opening time).

use super::fields::{Field, Parse, Values};
use super::simple::{no_check, no_fill, After, Filling, Key, Spec};
use crate::domain::enums::{ExceptionCause, ExceptionKind, ShipMode, ShipmentStatus};
use rusqlite::types::Value;

pub static SHIPMENTS: Spec = Spec {
    table: "shipments",
    fields: &[
        Field::new("order_no", "order_id", Parse::Order).required(),
        Field::new("carrier", "carrier", Parse::Text),
        Field::new("waybill_no", "waybill_no", Parse::Code),
        Field::new("mode", "mode", Parse::Word(ShipMode::words)).or("sea"),
        Field::new("shipped_at", "shipped_at", Parse::Stamp),
        Field::new("eta", "eta", Parse::Stamp),
        Field::new("delivered_at", "delivered_at", Parse::Stamp),
        Field::new("status", "status", Parse::Word(ShipmentStatus::words)),
        Field::new("weight_kg", "weight_kg", Parse::Amount),
        Field::new(
            "packages",
            "packages",
            Parse::Whole {
                min: 0,
                max: 1_000_000_000,
            },
        ),
        Field::new("notes", "notes", Parse::Text),
    ],
    key: Key::Unique("waybill_no"),
    unique_also: None,
    versioned: true,
    fill: status_from_dates,
    check: no_check,
    after: After::RefreshDelivery,
};

/// Without a status, a shipment is delivered when it has a delivery time, in transit when it
/// has left, else booked.
fn status_from_dates(values: &mut Values, filling: Filling) {
    let f = |c| SHIPMENTS.field(c);
    let status = f("status");
    let wanted = match &values[status] {
        None => filling.inserting,
        Some(v) => *v == Value::Null,
    };
    if !wanted {
        return;
    }
    let has = |c| matches!(values[f(c)], Some(Value::Integer(_)));
    let word = if has("delivered_at") {
        "delivered"
    } else if has("shipped_at") {
        "in_transit"
    } else {
        "booked"
    };
    values[status] = Some(Value::Text(word.into()));
}

pub static EXCEPTIONS: Spec = Spec {
    table: "exceptions",
    fields: &[
        Field::new("order_no", "order_id", Parse::Order).required(),
        Field::new("kind", "kind", Parse::Word(ExceptionKind::words)).required(),
        Field::new("cause", "cause", Parse::Word(ExceptionCause::words)).or("other"),
        Field::new("opened_at", "opened_at", Parse::Stamp).required(),
        Field::new("customer_informed_at", "customer_informed_at", Parse::Stamp),
        Field::new("resolved_at", "resolved_at", Parse::Stamp),
        Field::new("note", "note", Parse::Text),
    ],
    key: Key::Natural(&["order_no", "kind", "opened_at"]),
    unique_also: None,
    versioned: false,
    fill: no_fill,
    check: no_check,
    after: After::Nothing,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shipment_status_follows_its_dates_when_not_given() {
        let status = |shipped: bool, delivered: bool, inserting: bool| {
            let mut v: Values = vec![Some(Value::Null); SHIPMENTS.fields.len()];
            if shipped {
                v[SHIPMENTS.field("shipped_at")] = Some(Value::Integer(1));
            }
            if delivered {
                v[SHIPMENTS.field("delivered_at")] = Some(Value::Integer(2));
            }
            v[SHIPMENTS.field("status")] = if inserting { None } else { Some(Value::Null) };
            status_from_dates(&mut v, Filling { inserting, now: 0 });
            v[SHIPMENTS.field("status")].clone()
        };
        let word = |w: &str| Some(Value::Text(w.into()));
        assert_eq!(status(false, false, true), word("booked"));
        assert_eq!(status(true, false, true), word("in_transit"));
        assert_eq!(status(true, true, false), word("delivered"));
    }
}
