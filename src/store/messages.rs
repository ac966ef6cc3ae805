//! SQL for customer messages: the facts a message may use about an order, a shipment, a
//! complaint or a customer, and the outbound contact logged for a drafted message.

use super::undo::Change;
use super::{Context, Refusal, Result, StoreError};
use crate::domain::complaint::ResponseWindows;
use crate::domain::enums::{Language, Severity};
use crate::domain::money::{display_amount, parse_decimal};
use crate::domain::status::Status;
use crate::domain::time::{format_date, local_date};
use crate::messages::{
    ComplaintFacts, CustomerFacts, DelayFacts, Facts, LineFacts, OrderFacts, ShipmentFacts,
};
use crate::store::{Record, RecordKind};
use rusqlite::{params, Connection, OptionalExtension};

fn customer(conn: &Connection, id: i64) -> Result<CustomerFacts> {
    conn.query_row(
        "SELECT name, code, ifnull(nullif(trim(contact_person),''), name), language, preferred_channel,
                nullif(trim(email), '')
         FROM customers WHERE id = ?1",
        [id],
        |r| {
            let language: String = r.get(3)?;
            Ok(CustomerFacts {
                id,
                name: r.get(0)?,
                code: r.get(1)?,
                contact: r.get(2)?,
                language: if language == "zh" {
                    Language::Zh
                } else {
                    Language::En
                },
                channel: r.get(4)?,
                email: r.get(5)?,
            })
        },
    )
    .optional()
    .doing("reading a customer")?
    .ok_or_else(|| StoreError::NotFound(Record::new(RecordKind::Customer, id)))
}

fn day(ts: Option<i64>) -> Option<String> {
    ts.map(|t| format_date(local_date(t)))
}

fn amount(text: &str) -> String {
    parse_decimal(text)
        .map(display_amount)
        .unwrap_or_else(|_| text.to_string())
}

fn order(conn: &Connection, id: i64) -> Result<(i64, OrderFacts)> {
    let (customer_id, mut facts) = conn
        .query_row(
            "SELECT o.customer_id, o.order_no, o.status, o.ordered_at, o.due_date, o.first_due_date,
                    o.currency, o.total, o.payment_due, o.paid_at, o.delivered_at,
                    p.stage, p.percent_complete, p.planned_finish
             FROM orders o LEFT JOIN production p ON p.order_id = o.id WHERE o.id = ?1",
            [id],
            |r| {
                let status: String = r.get(2)?;
                Ok((
                    r.get::<_, Option<i64>>(0)?,
                    OrderFacts {
                        id,
                        order_no: r.get(1)?,
                        status: status.parse().unwrap_or(Status::Inquiry),
                        ordered_on: format_date(local_date(r.get(3)?)),
                        due_date: r.get(4)?,
                        first_due_date: r.get(5)?,
                        currency: r.get(6)?,
                        total: amount(&r.get::<_, String>(7)?),
                        payment_due: r.get(8)?,
                        paid: r.get::<_, Option<String>>(9)?.is_some(),
                        delivered_on: day(r.get(10)?),
                        stage: r.get(11)?,
                        percent_complete: r.get(12)?,
                        planned_finish: r.get(13)?,
                        lines: Vec::new(),
                    },
                ))
            },
        )
        .optional()
        .doing("reading an order")?
        .ok_or_else(|| StoreError::NotFound(Record::new(RecordKind::Order, id)))?;
    let customer_id = customer_id.ok_or_else(|| Refusal::NoCustomer {
        order_no: facts.order_no.clone(),
    })?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT ifnull(product_code,''), ifnull(spec,''), quantity, ifnull(unit,''),
                    ifnull(unit_price,'')
             FROM order_lines WHERE order_id = ?1 ORDER BY line_no",
        )
        .doing("reading order lines")?;
    facts.lines = stmt
        .query_map([id], |r| {
            Ok(LineFacts {
                product_code: r.get(0)?,
                spec: r.get(1)?,
                quantity: r.get(2)?,
                unit: r.get(3)?,
                unit_price: amount(&r.get::<_, String>(4)?),
            })
        })
        .doing("reading order lines")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("reading order lines")?;
    Ok((customer_id, facts))
}

fn shipment(conn: &Connection, sql_where: &str, id: i64) -> Result<Option<ShipmentFacts>> {
    let sql = format!(
        "SELECT id, ifnull(carrier,''), ifnull(waybill_no,''), mode, shipped_at, eta
         FROM shipments WHERE {sql_where} ORDER BY ifnull(shipped_at, 0) DESC, id DESC LIMIT 1"
    );
    conn.query_row(&sql, [id], |r| {
        Ok(ShipmentFacts {
            id: r.get(0)?,
            carrier: r.get(1)?,
            waybill_no: r.get(2)?,
            mode: r.get(3)?,
            shipped_on: day(r.get(4)?),
            eta: day(r.get(5)?),
        })
    })
    .optional()
    .doing("reading a shipment")
}

/// The latest postponement of the promised date, with the cause of the latest delay.
fn delay(conn: &Connection, order_id: i64) -> Result<Option<DelayFacts>> {
    let revision: Option<(String, String, String)> = conn
        .query_row(
            "SELECT old_due, new_due, reason FROM due_date_revisions
             WHERE order_id = ?1 AND old_due IS NOT NULL AND new_due > old_due
             ORDER BY changed_at DESC, id DESC LIMIT 1",
            [order_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .doing("reading due-date changes")?;
    let Some((old_date, new_date, reason)) = revision else {
        return Ok(None);
    };
    let exception: Option<(String, Option<String>)> = conn
        .query_row(
            "SELECT cause, note FROM exceptions WHERE order_id = ?1 AND kind = 'delay'
             ORDER BY opened_at DESC, id DESC LIMIT 1",
            [order_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .doing("reading exceptions")?;
    let (cause, note) = match exception {
        Some((cause, note)) => (cause, note.filter(|n| !n.trim().is_empty())),
        None => ("unspecified".to_string(), None),
    };
    let note = note.or(Some(reason).filter(|r| !r.trim().is_empty()));
    Ok(Some(DelayFacts {
        old_date,
        new_date,
        cause,
        note,
    }))
}

/// The id of the order with this number.
pub fn order_id(conn: &Connection, order_no: &str) -> Result<Option<i64>> {
    conn.query_row(
        "SELECT id FROM orders WHERE order_no = ?1",
        [order_no],
        |r| r.get(0),
    )
    .optional()
    .doing("finding an order")
}

/// What a message may say about an order (with its latest shipment and delay).
pub fn for_order(conn: &Connection, order_id: i64) -> Result<Facts> {
    let (customer_id, order) = order(conn, order_id)?;
    Ok(Facts {
        customer: customer(conn, customer_id)?,
        shipment: shipment(conn, "order_id = ?1", order_id)?,
        delay: delay(conn, order_id)?,
        order: Some(order),
        complaint: None,
    })
}

/// An order's facts, about this shipment in particular.
pub fn for_shipment(conn: &Connection, shipment_id: i64) -> Result<Facts> {
    let order_id: i64 = conn
        .query_row(
            "SELECT order_id FROM shipments WHERE id = ?1",
            [shipment_id],
            |r| r.get(0),
        )
        .optional()
        .doing("reading a shipment")?
        .ok_or_else(|| StoreError::NotFound(Record::new(RecordKind::Shipment, shipment_id)))?;
    let mut facts = for_order(conn, order_id)?;
    facts.shipment = shipment(conn, "id = ?1", shipment_id)?;
    Ok(facts)
}

pub fn for_complaint(conn: &Connection, complaint_id: i64) -> Result<Facts> {
    let (customer_id, order_id, complaint) = conn
        .query_row(
            // A complaint without a stamped deadline (none since schema V3) gets the normal one.
            &format!(
                "SELECT k.customer_id, k.order_id, k.complaint_no, o.order_no, k.type,
                        ifnull(k.department,'after_sales'), ifnull(k.description,''), k.resolution,
                        k.resolved_at, ifnull(k.response_due_at - k.opened_at, {}),
                        k.response_plan
                 FROM complaints k LEFT JOIN orders o ON o.id = k.order_id WHERE k.id = ?1",
                ResponseWindows::DEFAULT.seconds(Severity::Normal)
            ),
            [complaint_id],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    ComplaintFacts {
                        id: complaint_id,
                        complaint_no: r.get(2)?,
                        order_no: r.get(3)?,
                        kind: r.get(4)?,
                        department: r.get(5)?,
                        // Whole hours, rounded up: a window is never promised shorter.
                        response_hours: (r.get::<_, i64>(9)? + 3599) / 3600,
                        description: r.get(6)?,
                        response_plan: r
                            .get::<_, Option<String>>(10)?
                            .filter(|s| !s.trim().is_empty()),
                        resolution: r
                            .get::<_, Option<String>>(7)?
                            .filter(|s| !s.trim().is_empty()),
                        resolved: r.get::<_, Option<i64>>(8)?.is_some(),
                    },
                ))
            },
        )
        .optional()
        .doing("reading a complaint")?
        .ok_or_else(|| StoreError::NotFound(Record::new(RecordKind::Complaint, complaint_id)))?;
    let order = match order_id {
        Some(id) => Some(order(conn, id)?.1),
        None => None,
    };
    Ok(Facts {
        customer: customer(conn, customer_id)?,
        order,
        shipment: None,
        delay: None,
        complaint: Some(complaint),
    })
}

/// A customer's facts are those of the order most worth writing about: the unpaid one due
/// first, else the latest.
pub fn for_customer(conn: &Connection, customer_id: i64) -> Result<Facts> {
    let order_id: Option<i64> = conn
        .query_row(
            &format!(
                "SELECT id FROM orders WHERE customer_id = ?1
             ORDER BY (payment_due IS NOT NULL AND paid_at IS NULL
                       AND status IN {}) DESC,
                      CASE WHEN payment_due IS NOT NULL AND paid_at IS NULL THEN payment_due END,
                      ordered_at DESC
             LIMIT 1",
                super::sql::status_list(crate::domain::status::Status::is_dispatched)
            ),
            [customer_id],
            |r| r.get(0),
        )
        .optional()
        .doing("reading a customer's orders")?;
    match order_id {
        Some(id) => for_order(conn, id),
        None => Ok(Facts {
            customer: customer(conn, customer_id)?,
            order: None,
            shipment: None,
            delay: None,
            complaint: None,
        }),
    }
}

/// Logs a message as an outbound contact on `channel` (`email` for one sent, the customer's
/// preferred channel for one copied or saved), inside the caller's transaction, undoable.
/// Returns the contact's id.
pub fn log_outbound(
    conn: &Connection,
    change: &mut Change,
    facts: &Facts,
    channel: &str,
    template: &str,
    summary: &str,
    at: i64,
) -> Result<i64> {
    let order_id = facts.order.as_ref().map(|o| o.id);
    conn.execute(
        "INSERT INTO contacts (customer_id, order_id, channel, direction, at, summary, template)
         VALUES (?1, ?2, ?3, 'out', ?4, ?5, ?6)",
        params![facts.customer.id, order_id, channel, at, summary, template],
    )
    .doing("logging a contact")?;
    let id = conn.last_insert_rowid();
    change.inserted("contacts", id)?;
    Ok(id)
}

/// Why a message was logged, for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    Copied,
    Saved,
}

impl Delivery {
    fn as_str(self) -> &'static str {
        match self {
            Delivery::Sent => "message_sent",
            Delivery::Copied => "message_copied",
            Delivery::Saved => "message_saved",
        }
    }
}

/// One undoable step: the outbound contact for a message that left the desk (sent by e-mail,
/// or copied or saved to go out on the preferred channel) and its audit entry. Returns the
/// contact's id.
pub fn log_message(
    store: &mut super::Store,
    facts: &Facts,
    delivery: Delivery,
    template: &str,
    summary: &str,
) -> Result<i64> {
    let channel = match delivery {
        Delivery::Sent => "email",
        Delivery::Copied | Delivery::Saved => facts.customer.channel.as_str(),
    };
    let tx = store.begin()?;
    let mut change = Change::new("message");
    let id = log_outbound(
        &tx,
        &mut change,
        facts,
        channel,
        template,
        summary,
        crate::domain::time::now(),
    )?;
    super::audit::append(
        &tx,
        delivery.as_str(),
        "contact",
        &id.to_string(),
        &serde_json::json!({
            "customer": facts.customer.code,
            "template": template,
            "channel": channel,
        }),
    )?;
    change.record(&tx)?;
    tx.commit().doing("logging the message")?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::MessageKind;

    fn store() -> crate::store::Store {
        let store = crate::store::Store::open_in_memory().unwrap();
        store
            .conn()
            .execute_batch(
                "INSERT INTO customers (id, code, name, contact_person, language, preferred_channel)
                 VALUES (1, 'ZH01', '上海华东机械', '王经理', 'zh', 'im');
                 INSERT INTO orders (id, order_no, customer_id, status, ordered_at, due_date,
                                     first_due_date, currency, total, status_changed_at,
                                     created_at, updated_at)
                 VALUES (1, 'SO-1', 1, 'in_production', 0, '2026-04-20', '2026-04-01', 'CNY',
                         '1250.5', 0, 0, 0);
                 INSERT INTO order_lines (order_id, line_no, product_code, spec, quantity, unit, unit_price)
                 VALUES (1, 1, 'M6', '304', '500', 'pcs', '2.501');
                 INSERT INTO due_date_revisions (order_id, old_due, new_due, changed_at, reason)
                 VALUES (1, '2026-04-01', '2026-04-10', 10, 'resin'),
                        (1, '2026-04-10', '2026-04-20', 20, 'machine down');
                 INSERT INTO exceptions (order_id, kind, cause, opened_at, note)
                 VALUES (1, 'delay', 'supplier_delay', 5, NULL),
                        (1, 'delay', 'production_breakdown', 15, 'line 3');",
            )
            .unwrap();
        store
    }

    #[test]
    fn an_orders_facts_carry_its_latest_delay_and_cause() {
        let store = store();
        let f = for_order(store.conn(), 1).unwrap();
        assert_eq!(f.customer.contact, "王经理");
        assert_eq!(f.customer.language, Language::Zh);
        let o = f.order.as_ref().unwrap();
        assert_eq!(o.total, "1,250.50");
        assert_eq!(o.lines[0].unit_price, "2.501");
        let d = f.delay.as_ref().unwrap();
        assert_eq!(
            (d.old_date.as_str(), d.new_date.as_str()),
            ("2026-04-10", "2026-04-20")
        );
        assert_eq!(d.cause, "production_breakdown");
        assert_eq!(d.note.as_deref(), Some("line 3"));
        assert_eq!(f.fitting(), Some(MessageKind::DelayNotice));
    }

    #[test]
    fn a_logged_message_is_an_outbound_contact_on_the_preferred_channel() {
        let mut store = store();
        let f = for_order(store.conn(), 1).unwrap();
        let tx = store.begin().unwrap();
        let mut change = Change::new("message");
        let id = log_outbound(
            &tx,
            &mut change,
            &f,
            "im",
            "delay_notice",
            "Delay notice: SO-1",
            99,
        )
        .unwrap();
        change.record(&tx).unwrap();
        tx.commit().unwrap();
        let row: (String, String, i64, Option<i64>, String) = store
            .conn()
            .query_row(
                "SELECT channel, direction, at, order_id, template FROM contacts WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap();
        assert_eq!(
            row,
            (
                "im".into(),
                "out".into(),
                99,
                Some(1),
                "delay_notice".into()
            )
        );
    }
}
