//! Customer messages (SPEC §9): which standard message fits a record, and drafting it from the
//! templates in the customer's language. The facts come from the store; nothing here knows
//! SQL or the terminal.

pub mod clipboard;
pub mod templates;

use crate::domain::enums::Language;
use crate::domain::status::Status;
use serde::Serialize;
use strum::{AsRefStr, EnumIter, IntoEnumIterator};

pub use templates::{Draft, RenderError, Templates};

/// The standard messages, one template per kind and language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, AsRefStr)]
#[strum(serialize_all = "snake_case")]
pub enum MessageKind {
    OrderConfirmation,
    ProductionUpdate,
    ShippingNotice,
    DeliveryNotice,
    DelayNotice,
    ComplaintAcknowledgement,
    ComplaintResolution,
    PaymentReminder,
}

impl MessageKind {
    /// The stage message of a status, for the hint after a status change (SPEC §7).
    pub fn for_stage(status: Status) -> Option<MessageKind> {
        match status {
            Status::Confirmed => Some(MessageKind::OrderConfirmation),
            Status::InProduction => Some(MessageKind::ProductionUpdate),
            Status::Shipped => Some(MessageKind::ShippingNotice),
            Status::Delivered => Some(MessageKind::DeliveryNotice),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerFacts {
    #[serde(skip)]
    pub id: i64,
    pub name: String,
    pub code: String,
    /// Who the message greets: the contact person, else the company.
    pub contact: String,
    #[serde(skip)]
    pub language: Language,
    /// The preferred channel word (email|phone|im), used when logging the contact.
    #[serde(skip)]
    pub channel: String,
    /// Where an e-mail goes, when the customer has an address.
    #[serde(skip)]
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineFacts {
    pub product_code: String,
    pub spec: String,
    pub quantity: String,
    pub unit: String,
    pub unit_price: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderFacts {
    #[serde(skip)]
    pub id: i64,
    pub order_no: String,
    #[serde(skip)]
    pub status: Status,
    pub ordered_on: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_due_date: Option<String>,
    pub currency: String,
    pub total: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_due: Option<String>,
    #[serde(skip)]
    pub paid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered_on: Option<String>,
    /// Production stage word, translated for the customer when drafting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent_complete: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub planned_finish: Option<String>,
    pub lines: Vec<LineFacts>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShipmentFacts {
    #[serde(skip)]
    pub id: i64,
    pub carrier: String,
    pub waybill_no: String,
    pub mode: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipped_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eta: Option<String>,
}

/// The latest delay: the promise before the last change and the one now, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DelayFacts {
    pub old_date: String,
    pub new_date: String,
    pub cause: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComplaintFacts {
    #[serde(skip)]
    pub id: i64,
    pub complaint_no: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_no: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub department: String,
    /// Within how many hours the plan is promised: the window of the complaint's severity.
    pub response_hours: i64,
    pub description: String,
    /// The plan given with the first response: the resolution message recalls it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_plan: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    #[serde(skip)]
    pub resolved: bool,
}

/// Everything a message may say about one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Facts {
    pub customer: CustomerFacts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<OrderFacts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipment: Option<ShipmentFacts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<DelayFacts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complaint: Option<ComplaintFacts>,
}

impl Facts {
    /// The kinds these facts can fill, in the order Tab walks them.
    pub fn available(&self) -> Vec<MessageKind> {
        MessageKind::iter().filter(|k| self.can_fill(*k)).collect()
    }

    fn can_fill(&self, kind: MessageKind) -> bool {
        use MessageKind::*;
        let order = self.order.as_ref();
        match kind {
            OrderConfirmation => order.is_some(),
            ProductionUpdate => order.is_some_and(|o| o.stage.is_some()),
            ShippingNotice => order.is_some() && self.shipment.is_some(),
            DeliveryNotice => order.is_some_and(|o| o.delivered_on.is_some()),
            DelayNotice => order.is_some() && self.delay.is_some(),
            PaymentReminder => order.is_some_and(|o| o.payment_due.is_some() && !o.paid),
            ComplaintAcknowledgement => self.complaint.is_some(),
            ComplaintResolution => self.complaint.as_ref().is_some_and(|c| {
                c.resolution
                    .as_deref()
                    .is_some_and(|r| !r.trim().is_empty())
            }),
        }
    }

    /// The message that fits the record now: a complaint's acknowledgement until it is
    /// resolved; for an order not yet shipped, a pending delay first; then the stage it is at,
    /// then payment.
    pub fn fitting(&self) -> Option<MessageKind> {
        use MessageKind::*;
        if let Some(c) = &self.complaint {
            let kind = if c.resolved && self.can_fill(ComplaintResolution) {
                ComplaintResolution
            } else {
                ComplaintAcknowledgement
            };
            return Some(kind);
        }
        let order = self.order.as_ref()?;
        // A delay is news while the goods are still to leave; once shipped, the shipping
        // notice (carrier, waybill, ETA) is what the customer needs.
        let shipped = matches!(
            order.status,
            Status::Shipped | Status::Delivered | Status::Closed
        );
        if !shipped && self.can_fill(DelayNotice) {
            return Some(DelayNotice);
        }
        let by_stage = match order.status {
            Status::InProduction | Status::Ready if self.can_fill(ProductionUpdate) => {
                ProductionUpdate
            }
            Status::Shipped if self.can_fill(ShippingNotice) => ShippingNotice,
            Status::Delivered | Status::Closed if self.can_fill(PaymentReminder) => PaymentReminder,
            Status::Delivered | Status::Closed if self.can_fill(DeliveryNotice) => DeliveryNotice,
            _ => OrderConfirmation,
        };
        Some(by_stage)
    }

    /// The summary kept in the contact log for a drafted message.
    pub fn summary(&self, title: &str) -> String {
        let about = self
            .complaint
            .as_ref()
            .map(|c| c.complaint_no.clone())
            .or_else(|| self.order.as_ref().map(|o| o.order_no.clone()))
            .unwrap_or_else(|| self.customer.code.clone());
        format!("{title}: {about}")
    }
}

#[cfg(test)]
mod tests;
