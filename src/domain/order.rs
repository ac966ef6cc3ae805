//! An order as the clerk enters it: its fields, its lines, which mandatory fields are still
//! empty, and its total.

use super::enums::OrderType;
use super::money::Totals;
use super::status::Status;
use chrono::NaiveDate;
use rust_decimal::Decimal;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderLine {
    pub product_code: String,
    pub spec: String,
    pub quantity: Decimal,
    pub unit: String,
    pub unit_price: Option<Decimal>,
}

/// An amount rounded to two decimals, half away from zero (commercial rounding).
pub fn cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

impl OrderLine {
    /// Quantity times price, rounded to the cent as an invoice line is; `None` when it does
    /// not fit a decimal. Totals add these, so no total carries a third decimal.
    pub fn checked_amount(&self) -> Option<Decimal> {
        self.quantity
            .checked_mul(self.unit_price.unwrap_or_default())
            .map(cents)
    }

    /// As `checked_amount`, held at the limit instead of failing (for showing stored
    /// orders, which were checked when saved).
    pub fn amount(&self) -> Decimal {
        cents(
            self.quantity
                .saturating_mul(self.unit_price.unwrap_or_default()),
        )
    }
}

/// The editable content of an order; ids and history live in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDraft {
    pub order_no: String,
    pub customer_id: Option<i64>,
    pub order_type: OrderType,
    pub status: Status,
    pub ordered_at: i64,
    pub due_date: Option<NaiveDate>,
    pub delivery_address: String,
    pub currency: String,
    pub payment_due: Option<NaiveDate>,
    pub paid_at: Option<NaiveDate>,
    pub missing_reason: String,
    pub notes: String,
    pub lines: Vec<OrderLine>,
}

impl OrderDraft {
    /// The mandatory fields (SPEC §2) that are still empty, by their export column names.
    pub fn missing_fields(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.customer_id.is_none() {
            missing.push("customer");
        }
        if self.lines.is_empty() {
            missing.push("lines");
        }
        if self.lines.iter().any(|l| l.product_code.trim().is_empty()) {
            missing.push("product_code");
        }
        if self.lines.iter().any(|l| l.unit_price.is_none()) {
            missing.push("unit_price");
        }
        if self.due_date.is_none() {
            missing.push("due_date");
        }
        if self.delivery_address.trim().is_empty() {
            missing.push("delivery_address");
        }
        missing
    }

    /// The sum of the line amounts, exactly; `None` when a line or the sum does not fit a
    /// decimal (the form and the store refuse such an order).
    pub fn checked_total(&self) -> Option<Decimal> {
        self.lines
            .iter()
            .try_fold(Decimal::ZERO, |sum, l| sum.checked_add(l.checked_amount()?))
    }

    /// As `checked_total`, held at the limit instead of failing.
    pub fn total(&self) -> Decimal {
        self.lines
            .iter()
            .fold(Decimal::ZERO, |sum, l| sum.saturating_add(l.amount()))
    }

    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        t.add(&self.currency, self.total());
        t
    }
}

/// `SO-YYYYMMDD-NNN` for the `seq`-th order generated on `day`.
pub fn generated_order_no(day: NaiveDate, seq: u32) -> String {
    format!("SO-{}-{:03}", day.format("%Y%m%d"), seq)
}

/// The prefix shared by every generated number of one day, for finding the next sequence.
pub fn order_no_prefix(day: NaiveDate) -> String {
    format!("SO-{}-", day.format("%Y%m%d"))
}

/// How an order's due date stands today, for highlighting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueState {
    Fine,
    /// Due within the warning window and not yet shipped.
    AtRisk,
    /// Past due and not yet shipped.
    Late,
    Done,
}

pub const AT_RISK_DAYS: i64 = 7;

pub fn due_state(due: Option<NaiveDate>, status: Status, today: NaiveDate) -> DueState {
    let Some(due) = due else {
        return DueState::Fine;
    };
    if !status.is_open_before_shipping() || matches!(status, Status::Inquiry | Status::Quoted) {
        return if status.is_open_before_shipping() {
            DueState::Fine
        } else {
            DueState::Done
        };
    }
    let days = (due - today).num_days();
    if days < 0 {
        DueState::Late
    } else if days < AT_RISK_DAYS {
        DueState::AtRisk
    } else {
        DueState::Fine
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::parse_decimal;

    fn draft() -> OrderDraft {
        OrderDraft {
            order_no: "SO-1".into(),
            customer_id: Some(1),
            order_type: OrderType::Regular,
            status: Status::Inquiry,
            ordered_at: 0,
            due_date: NaiveDate::from_ymd_opt(2026, 12, 1),
            delivery_address: "Shenzhen".into(),
            currency: "USD".into(),
            payment_due: None,
            paid_at: None,
            missing_reason: String::new(),
            notes: String::new(),
            lines: vec![OrderLine {
                product_code: "P-1".into(),
                spec: "10mm".into(),
                quantity: parse_decimal("3").unwrap(),
                unit: "pcs".into(),
                unit_price: Some(parse_decimal("2.50").unwrap()),
            }],
        }
    }

    #[test]
    fn complete_order_has_nothing_missing() {
        assert!(draft().missing_fields().is_empty());
        assert_eq!(draft().total().to_string(), "7.50");
    }

    #[test]
    fn each_mandatory_field_is_named() {
        let mut d = draft();
        d.customer_id = None;
        d.due_date = None;
        d.delivery_address = "  ".into();
        d.lines[0].unit_price = None;
        d.lines[0].product_code.clear();
        assert_eq!(
            d.missing_fields(),
            vec![
                "customer",
                "product_code",
                "unit_price",
                "due_date",
                "delivery_address"
            ]
        );
        d.lines.clear();
        assert!(d.missing_fields().contains(&"lines"));
    }

    #[test]
    fn generated_numbers_follow_the_pattern() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert_eq!(generated_order_no(day, 7), "SO-20261129-007");
        assert!(generated_order_no(day, 7).starts_with(&order_no_prefix(day)));
    }

    #[test]
    fn due_state_highlights_late_and_at_risk_only_before_shipping() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd);
        assert_eq!(
            due_state(d(2026, 11, 28), Status::InProduction, today),
            DueState::Late
        );
        assert_eq!(
            due_state(d(2026, 12, 2), Status::Confirmed, today),
            DueState::AtRisk
        );
        assert_eq!(
            due_state(d(2026, 12, 20), Status::Confirmed, today),
            DueState::Fine
        );
        assert_eq!(
            due_state(d(2026, 11, 1), Status::Delivered, today),
            DueState::Done
        );
        assert_eq!(due_state(None, Status::Confirmed, today), DueState::Fine);
    }

    #[test]
    fn each_line_is_rounded_to_the_cent_before_the_total() {
        let mut d = draft();
        let line = |q: &str, p: &str| OrderLine {
            product_code: "P".into(),
            spec: String::new(),
            quantity: parse_decimal(q).unwrap(),
            unit: "pcs".into(),
            unit_price: Some(parse_decimal(p).unwrap()),
        };
        // 3 × 0.125 = 0.375 → 0.38; 7 × 1.333 = 9.331 → 9.33.
        d.lines = vec![line("3", "0.125"), line("7", "1.333")];
        assert_eq!(d.lines[0].amount(), parse_decimal("0.38").unwrap());
        assert_eq!(d.checked_total(), Some(parse_decimal("9.71").unwrap()));
        assert_eq!(d.total().scale(), 2);
    }
}
