//! Changing shipments: the form's save and `d` (delivered now). Each keeps the order's
//! delivery in step (SPEC §2: delivered when every shipment is, on the latest date), and
//! records undo images and an audit entry inside the caller's transaction, so a delivered
//! shipment and the order it completes are one step to undo.

use crate::domain::enums::{ShipMode, ShipmentStatus};
use crate::domain::money::canonical;
use crate::domain::status::Status;
use crate::store::orders::{change_status, StatusChanged, StatusRequest};
use crate::store::undo::Change;
use crate::store::{audit, delivery, Context, Refusal, Result, StoreError, Unique};
use crate::store::{Record, RecordKind};
use rusqlite::{params, Connection, OptionalExtension};
use rust_decimal::Decimal;
use serde_json::json;
use std::str::FromStr;

/// A shipment as the form edits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentDraft {
    pub order_no: String,
    pub carrier: String,
    pub waybill_no: String,
    pub mode: ShipMode,
    pub shipped_at: Option<i64>,
    pub eta: Option<i64>,
    pub delivered_at: Option<i64>,
    pub status: ShipmentStatus,
    pub weight_kg: Option<Decimal>,
    pub packages: Option<i64>,
    pub notes: String,
}

impl ShipmentDraft {
    /// The rules a shipment keeps whoever writes it; the form shows them per field.
    pub fn problems(&self) -> Vec<(&'static str, &'static str)> {
        let mut p = Vec::new();
        if self.order_no.trim().is_empty() {
            p.push(("order_no", "shipment.err_order_required"));
        }
        if self.delivered_at.is_some() != (self.status == ShipmentStatus::Delivered) {
            p.push(("status", "shipment.err_delivered_status"));
        }
        if let (Some(s), Some(d)) = (self.shipped_at, self.delivered_at) {
            if d < s {
                p.push(("delivered_at", "shipment.err_delivered_before_shipped"));
            }
        }
        if let (Some(s), Some(e)) = (self.shipped_at, self.eta) {
            if e < s {
                p.push(("eta", "shipment.err_eta_before_shipped"));
            }
        }
        if self.weight_kg.is_some_and(|w| w < Decimal::ZERO) {
            p.push(("weight_kg", "shipment.err_negative"));
        }
        if self.packages.is_some_and(|n| n < 0) {
            p.push(("packages", "shipment.err_negative"));
        }
        p
    }
}

/// One shipment with everything the detail shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentDetail {
    pub id: i64,
    pub order_id: i64,
    pub customer: String,
    pub order_status: String,
    pub draft: ShipmentDraft,
    pub version: i64,
}

pub fn load(conn: &Connection, id: i64) -> Result<ShipmentDetail> {
    conn.query_row(
        "SELECT s.order_id, o.order_no, ifnull(c.name,''), o.status, ifnull(s.carrier,''),
                ifnull(s.waybill_no,''), s.mode, s.shipped_at, s.eta, s.delivered_at, s.status,
                s.weight_kg, s.packages, ifnull(s.notes,''), s.version
         FROM shipments s JOIN orders o ON o.id = s.order_id
         LEFT JOIN customers c ON c.id = o.customer_id WHERE s.id = ?1",
        [id],
        |r| {
            let weight: Option<String> = r.get(11)?;
            Ok(ShipmentDetail {
                id,
                order_id: r.get(0)?,
                customer: r.get(2)?,
                order_status: r.get(3)?,
                draft: ShipmentDraft {
                    order_no: r.get(1)?,
                    carrier: r.get(4)?,
                    waybill_no: r.get(5)?,
                    mode: ShipMode::from_str(&r.get::<_, String>(6)?).unwrap_or(ShipMode::Sea),
                    shipped_at: r.get(7)?,
                    eta: r.get(8)?,
                    delivered_at: r.get(9)?,
                    status: ShipmentStatus::from_str(&r.get::<_, String>(10)?)
                        .unwrap_or(ShipmentStatus::Booked),
                    weight_kg: weight.and_then(|w| Decimal::from_str(&w).ok()),
                    packages: r.get(12)?,
                    notes: r.get(13)?,
                },
                version: r.get(14)?,
            })
        },
    )
    .optional()
    .doing("reading a shipment")?
    .ok_or_else(|| StoreError::NotFound(Record::new(RecordKind::Shipment, id)))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentSaved {
    pub id: i64,
    /// Set when this save completed the order's delivery.
    pub order: Option<StatusChanged>,
}

fn none_if_empty(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

fn current_version(conn: &Connection, id: i64) -> Result<(i64, i64, String)> {
    conn.query_row(
        "SELECT version, order_id, ifnull(waybill_no, '#' || id) FROM shipments WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
    .doing("reading a shipment")?
    .ok_or_else(|| StoreError::NotFound(Record::new(RecordKind::Shipment, id)))
}

/// Saves a new shipment (`id = None`) or an edit, inside the caller's transaction. An order
/// may have several shipments (partial deliveries); the order is settled after each save.
pub fn save(
    conn: &Connection,
    change: &mut Change,
    id: Option<i64>,
    expected_version: Option<i64>,
    draft: &ShipmentDraft,
) -> Result<ShipmentSaved> {
    if let Some((_, key)) = draft.problems().first() {
        return Err(Refusal::Rule(key).into());
    }
    let order_no = draft.order_no.trim();
    let (order_id,): (i64,) = conn
        .query_row(
            "SELECT id FROM orders WHERE order_no = ?1",
            [order_no],
            |r| Ok((r.get(0)?,)),
        )
        .optional()
        .doing("finding the shipment's order")?
        .ok_or_else(|| Refusal::NoOrder {
            order_no: order_no.to_string(),
        })?;
    let waybill = none_if_empty(&draft.waybill_no);
    if let Some(w) = waybill {
        let clash: Option<i64> = conn
            .query_row("SELECT id FROM shipments WHERE waybill_no = ?1", [w], |r| {
                r.get(0)
            })
            .optional()
            .doing("checking the waybill number")?;
        if clash.is_some() && clash != id {
            return Err(Refusal::Taken {
                what: Unique::Waybill,
                value: w.to_string(),
            }
            .into());
        }
    }
    let values = params![
        order_id,
        none_if_empty(&draft.carrier),
        waybill,
        draft.mode.as_str(),
        draft.shipped_at,
        draft.eta,
        draft.delivered_at,
        draft.status.as_str(),
        draft.weight_kg.map(canonical),
        draft.packages,
        none_if_empty(&draft.notes),
    ];
    let mut orders = vec![order_id];
    let id = match id {
        Some(id) => {
            let (version, old_order, _) = current_version(conn, id)?;
            if expected_version.is_some_and(|v| v != version) {
                return Err(StoreError::Conflict(Record::new(
                    RecordKind::Shipment,
                    &draft.waybill_no,
                )));
            }
            if old_order != order_id {
                orders.push(old_order);
            }
            change.capture(conn, "shipments", id)?;
            let mut stmt = conn
                .prepare_cached(
                    "UPDATE shipments SET order_id = ?1, carrier = ?2, waybill_no = ?3, mode = ?4,
                            shipped_at = ?5, eta = ?6, delivered_at = ?7, status = ?8,
                            weight_kg = ?9, packages = ?10, notes = ?11, version = version + 1
                     WHERE id = ?12",
                )
                .doing("saving a shipment")?;
            let mut all: Vec<&dyn rusqlite::ToSql> = values.to_vec();
            all.push(&id);
            stmt.execute(all.as_slice()).doing("saving a shipment")?;
            audit::append(
                conn,
                "edit",
                "shipment",
                waybill.unwrap_or(&format!("#{id}")),
                &json!({"order_no": order_no, "status": draft.status.as_str()}),
            )?;
            id
        }
        None => {
            conn.execute(
                "INSERT INTO shipments (order_id, carrier, waybill_no, mode, shipped_at, eta,
                        delivered_at, status, weight_kg, packages, notes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                values,
            )
            .doing("creating a shipment")?;
            let id = conn.last_insert_rowid();
            change.inserted("shipments", id)?;
            audit::append(
                conn,
                "create",
                "shipment",
                waybill.unwrap_or(&format!("#{id}")),
                &json!({"order_no": order_no, "status": draft.status.as_str()}),
            )?;
            id
        }
    };
    let mut completed = None;
    for o in orders {
        if let Some(c) = settle_order(conn, change, o)? {
            completed = Some(c);
        }
    }
    Ok(ShipmentSaved {
        id,
        order: completed,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub waybill: String,
    pub order_no: String,
    /// Set when this was the order's last shipment on its way.
    pub order: Option<StatusChanged>,
}

/// `d`: the shipment is delivered now (`at`). When it was the order's last one on its way,
/// the order becomes delivered through the ordinary status change, in the same transaction.
pub fn deliver(
    conn: &Connection,
    change: &mut Change,
    id: i64,
    expected_version: Option<i64>,
    at: i64,
) -> Result<Delivered> {
    let (version, order_id, waybill) = current_version(conn, id)?;
    if expected_version.is_some_and(|v| v != version) {
        return Err(StoreError::Conflict(Record::new(
            RecordKind::Shipment,
            waybill,
        )));
    }
    let already: Option<i64> = conn
        .query_row(
            "SELECT delivered_at FROM shipments WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .doing("reading a shipment")?;
    if already.is_some() {
        return Err(Refusal::AlreadyDelivered { waybill }.into());
    }
    change.capture(conn, "shipments", id)?;
    conn.execute(
        "UPDATE shipments SET delivered_at = ?2, status = 'delivered', version = version + 1
         WHERE id = ?1",
        params![id, at],
    )
    .doing("marking a shipment delivered")?;
    audit::append(conn, "delivered", "shipment", &waybill, &json!({"at": at}))?;
    let order = settle_order(conn, change, order_id)?;
    let order_no: String = conn
        .query_row(
            "SELECT order_no FROM orders WHERE id = ?1",
            [order_id],
            |r| r.get(0),
        )
        .doing("reading an order")?;
    Ok(Delivered {
        waybill,
        order_no,
        order,
    })
}

/// Statuses from which the last delivered shipment moves an order to delivered: the goods
/// are on their way (shipped), or were sent before the clerk recorded it (ready, in
/// production). Earlier, held, final or already delivered orders keep their status; their
/// delivery date still follows the shipments.
/// The note on the history row; kept in the file, so one language for every reader.
pub const HISTORY_NOTE: &str = "all shipments delivered";

const SETTLES_FROM: [Status; 3] = [Status::InProduction, Status::Ready, Status::Shipped];

/// Brings the order in line with its shipments: its delivery date, and its status when
/// every shipment is now delivered, on the date of the latest one. Returns the status
/// change, if one was made.
fn settle_order(
    conn: &Connection,
    change: &mut Change,
    order_id: i64,
) -> Result<Option<StatusChanged>> {
    change.capture(conn, "orders", order_id)?;
    let Some(date) = delivery::refresh(conn, order_id).doing("settling the order's delivery")?
    else {
        return Ok(None);
    };
    let status: String = conn
        .query_row("SELECT status FROM orders WHERE id = ?1", [order_id], |r| {
            r.get(0)
        })
        .doing("reading an order")?;
    let settles = Status::from_str(&status).is_ok_and(|s| SETTLES_FROM.contains(&s));
    if !settles {
        return Ok(None);
    }
    change_status(
        conn,
        change,
        order_id,
        None,
        StatusRequest::Set(Status::Delivered),
        date,
        Some(HISTORY_NOTE),
    )
    .map(Some)
}
