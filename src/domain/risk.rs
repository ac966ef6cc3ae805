//! High-risk orders (SPEC §3): an order under time pressure (rush, or due within 7 days or
//! already overdue) that is also in trouble (an open exception, production past its planned
//! finish, or a shipment past its ETA). The reasons are what the clerk reads next to it.

use super::enums::{ExceptionKind, OrderType};
use super::status::Status;
use chrono::NaiveDate;

/// Days ahead that count as "due soon", today included at 0 (the store's `:week_end`).
pub const DUE_SOON_DAYS: i64 = 7;

/// Statuses in which an order can be at risk: committed, not yet delivered.
pub const AT_RISK: [Status; 5] = [
    Status::Confirmed,
    Status::InProduction,
    Status::Ready,
    Status::Shipped,
    Status::OnHold,
];

/// What is known about one order for judging its risk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskFacts {
    pub status: Status,
    pub order_type: OrderType,
    pub due_date: Option<NaiveDate>,
    pub open_exceptions: Vec<ExceptionKind>,
    /// Production not done and its planned finish is before today.
    pub production_late: bool,
    /// A shipment not delivered whose ETA has passed.
    pub shipment_late: bool,
}

/// One reason an order is at risk, most telling first when listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RiskReason {
    Rush,
    /// Days until the due date: 0 today, negative when overdue.
    Due(i64),
    OpenException(ExceptionKind),
    ProductionLate,
    ShipmentLate,
}

impl RiskFacts {
    fn days_left(&self, today: NaiveDate) -> Option<i64> {
        self.due_date.map(|d| (d - today).num_days())
    }

    fn under_pressure(&self, today: NaiveDate) -> bool {
        self.order_type == OrderType::Rush
            || self.days_left(today).is_some_and(|d| d <= DUE_SOON_DAYS)
    }

    fn in_trouble(&self) -> bool {
        !self.open_exceptions.is_empty() || self.production_late || self.shipment_late
    }

    pub fn is_high_risk(&self, today: NaiveDate) -> bool {
        AT_RISK.contains(&self.status) && self.under_pressure(today) && self.in_trouble()
    }

    /// Every reason that applies: the pressure (rush, the due date when it is near), then
    /// the trouble (each kind of open exception once, late production, late shipment).
    pub fn reasons(&self, today: NaiveDate) -> Vec<RiskReason> {
        let mut out = Vec::new();
        if self.order_type == OrderType::Rush {
            out.push(RiskReason::Rush);
        }
        if let Some(d) = self.days_left(today).filter(|d| *d <= DUE_SOON_DAYS) {
            out.push(RiskReason::Due(d));
        }
        let mut kinds = self.open_exceptions.clone();
        kinds.sort();
        kinds.dedup();
        out.extend(kinds.into_iter().map(RiskReason::OpenException));
        if self.production_late {
            out.push(RiskReason::ProductionLate);
        }
        if self.shipment_late {
            out.push(RiskReason::ShipmentLate);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn facts() -> RiskFacts {
        RiskFacts {
            status: Status::InProduction,
            order_type: OrderType::Regular,
            due_date: Some(day(28)),
            open_exceptions: Vec::new(),
            production_late: false,
            shipment_late: false,
        }
    }

    #[test]
    fn pressure_and_trouble_are_both_needed() {
        let today = day(10);
        let mut f = facts();
        assert!(!f.is_high_risk(today), "far off, no trouble");
        f.production_late = true;
        assert!(!f.is_high_risk(today), "trouble but no pressure");
        f.due_date = Some(day(17));
        assert!(f.is_high_risk(today), "due in 7 days counts as soon");
        f.due_date = Some(day(18));
        assert!(!f.is_high_risk(today), "8 days is not soon");
        f.order_type = OrderType::Rush;
        assert!(f.is_high_risk(today), "a rush order is always pressed");
        f.status = Status::Delivered;
        assert!(!f.is_high_risk(today), "delivered orders are past risk");
    }

    #[test]
    fn reasons_name_the_pressure_then_each_trouble_once() {
        let mut f = facts();
        f.order_type = OrderType::Rush;
        f.due_date = Some(day(8));
        f.open_exceptions = vec![
            ExceptionKind::Quality,
            ExceptionKind::Stockout,
            ExceptionKind::Quality,
        ];
        f.shipment_late = true;
        assert_eq!(
            f.reasons(day(10)),
            vec![
                RiskReason::Rush,
                RiskReason::Due(-2),
                RiskReason::OpenException(ExceptionKind::Stockout),
                RiskReason::OpenException(ExceptionKind::Quality),
                RiskReason::ShipmentLate,
            ]
        );
        f.due_date = None;
        f.order_type = OrderType::Regular;
        assert_eq!(
            f.reasons(day(10)),
            vec![
                RiskReason::OpenException(ExceptionKind::Stockout),
                RiskReason::OpenException(ExceptionKind::Quality),
                RiskReason::ShipmentLate,
            ]
        );
    }
}
