//! The order status lifecycle (SPEC §2): a main line from inquiry to closed, and the side
//! states on_hold (which remembers where it came from), cancelled and lost.

use strum::{AsRefStr, Display, EnumIter, EnumString, IntoStaticStr};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Display, EnumString, EnumIter, AsRefStr, IntoStaticStr,
)]
#[strum(serialize_all = "snake_case")]
pub enum Status {
    Inquiry,
    Quoted,
    Confirmed,
    InProduction,
    Ready,
    Shipped,
    Delivered,
    Closed,
    OnHold,
    Cancelled,
    Lost,
}

const MAIN_LINE: [Status; 8] = [
    Status::Inquiry,
    Status::Quoted,
    Status::Confirmed,
    Status::InProduction,
    Status::Ready,
    Status::Shipped,
    Status::Delivered,
    Status::Closed,
];

/// Why a status change is refused; the UI turns each into a sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("{from} is the end of the line")]
    NoNext { from: Status },
    #[error("already {0}")]
    Same(Status),
    #[error("an order that is {from} cannot become {to}")]
    NotAllowed { from: Status, to: Status },
    #[error("missing {}: fill it in or give a missing reason", .fields.join(", "))]
    Incomplete { fields: Vec<&'static str> },
    #[error("a reason is required")]
    ReasonRequired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Orders in these statuses count as won (SPEC §4).
    pub fn is_won(self) -> bool {
        matches!(
            self,
            Status::Confirmed
                | Status::InProduction
                | Status::Ready
                | Status::Shipped
                | Status::Delivered
                | Status::Closed
        )
    }

    /// Nothing more happens to these orders.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Closed | Status::Cancelled | Status::Lost)
    }

    /// Still before the goods leave: due dates matter and lateness is possible.
    pub fn is_open_before_shipping(self) -> bool {
        matches!(
            self,
            Status::Inquiry
                | Status::Quoted
                | Status::Confirmed
                | Status::InProduction
                | Status::Ready
                | Status::OnHold
        )
    }

    /// Won and not yet shipped: the due date can still be missed (late, at risk, overdue).
    pub fn is_committed_unshipped(self) -> bool {
        matches!(
            self,
            Status::Confirmed | Status::InProduction | Status::Ready | Status::OnHold
        )
    }

    /// Production still to finish: confirmed, in production, or held on the way.
    pub fn is_in_making(self) -> bool {
        matches!(
            self,
            Status::Confirmed | Status::InProduction | Status::OnHold
        )
    }

    /// Orders a high-risk check looks at: committed and not yet delivered.
    pub fn is_on_its_way(self) -> bool {
        self.is_committed_unshipped() || self == Status::Shipped
    }

    /// Still moving on the main line before delivery: a week without a change is stale.
    pub fn is_moving(self) -> bool {
        matches!(
            self,
            Status::Inquiry
                | Status::Quoted
                | Status::Confirmed
                | Status::InProduction
                | Status::Ready
                | Status::Shipped
        )
    }

    /// Not at an end (closed, cancelled, lost).
    pub fn is_active(self) -> bool {
        !self.is_final()
    }

    /// Open business with the customer: active and not yet delivered.
    pub fn is_open(self) -> bool {
        self.is_moving() || self == Status::OnHold
    }

    /// Sold, so a payment can fall due: neither before the sale nor called off.
    pub fn is_billable(self) -> bool {
        !matches!(
            self,
            Status::Cancelled | Status::Lost | Status::Inquiry | Status::Quoted
        )
    }

    /// The goods have left: a payment reminder is in order.
    pub fn is_dispatched(self) -> bool {
        matches!(self, Status::Shipped | Status::Delivered | Status::Closed)
    }

    /// Delivered, or closed after delivery: the order keeps the date it was delivered.
    pub fn keeps_delivery_date(self) -> bool {
        matches!(self, Status::Delivered | Status::Closed)
    }

    fn is_pre_sale(self) -> bool {
        matches!(self, Status::Inquiry | Status::Quoted)
    }

    /// Statuses in which an order may lack mandatory fields without a reason: before the
    /// sale, and the side states that end or pause it.
    pub fn may_be_incomplete(self) -> bool {
        matches!(
            self,
            Status::Inquiry | Status::Quoted | Status::Cancelled | Status::Lost | Status::OnHold
        )
    }

    /// The next status on the main line, as `>` does.
    pub fn next(self) -> Result<Status, TransitionError> {
        match MAIN_LINE.iter().position(|s| *s == self) {
            Some(i) if i + 1 < MAIN_LINE.len() => Ok(MAIN_LINE[i + 1]),
            _ => Err(TransitionError::NoNext { from: self }),
        }
    }

    /// Which states a change from `self` to `to` may go through. Corrections along the main
    /// line are allowed both ways; the side states have their own entries and exits.
    pub fn check_transition(self, to: Status) -> Result<(), TransitionError> {
        use Status::*;
        if self == to {
            return Err(TransitionError::Same(to));
        }
        let allowed = match (self, to) {
            (Cancelled | Lost | Closed, _) if to != Inquiry && to != Quoted => false,
            (_, Lost) => self.is_pre_sale(),
            (_, Cancelled) => !matches!(self, Delivered | Closed),
            (OnHold, _) => true,
            (_, OnHold) => !self.is_final() && self != Delivered,
            _ => true,
        };
        if allowed {
            Ok(())
        } else {
            Err(TransitionError::NotAllowed { from: self, to })
        }
    }

    /// Whether this change leaves the pre-sale stage and so needs the mandatory fields.
    pub fn leaves_pre_sale(self, to: Status) -> bool {
        self.is_pre_sale() && !matches!(to, Inquiry | Quoted | OnHold | Cancelled | Lost)
    }

    /// A stage message exists for these statuses (SPEC §7).
    pub fn has_stage_message(self) -> bool {
        matches!(
            self,
            Status::Confirmed | Status::InProduction | Status::Shipped | Status::Delivered
        )
    }
}

use Status::{Cancelled, Inquiry, Lost, OnHold, Quoted};

/// `h`: put on hold, or resume to the status the order was held from.
pub fn toggle_hold(current: Status, held_from: Option<Status>) -> Result<Status, TransitionError> {
    if current == OnHold {
        let back = held_from.unwrap_or(Inquiry);
        Ok(back)
    } else {
        current.check_transition(OnHold)?;
        Ok(OnHold)
    }
}

/// A planned change, checked against the lifecycle and the mandatory-field rule.
/// `missing` lists the empty mandatory fields, `has_missing_reason` whether the clerk
/// recorded why they are still empty.
pub fn plan_change(
    from: Status,
    to: Status,
    missing: &[&'static str],
    has_missing_reason: bool,
    reason: Option<&str>,
) -> Result<(), TransitionError> {
    from.check_transition(to)?;
    if matches!(to, Cancelled) && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(TransitionError::ReasonRequired);
    }
    if from.leaves_pre_sale(to) && !missing.is_empty() && !has_missing_reason {
        return Err(TransitionError::Incomplete {
            fields: missing.to_vec(),
        });
    }
    Ok(())
}

/// Why a status change cannot be dated at the time the clerk gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WhenError {
    #[error("a status change cannot happen in the future")]
    Future,
    #[error("a status change cannot happen before the order was placed")]
    BeforeOrder,
}

/// A status change dated `happened_at` on an order placed at `ordered_at`, seen at `now`:
/// it cannot lie in the future nor before the order existed.
pub fn check_when(happened_at: i64, ordered_at: i64, now: i64) -> Result<(), WhenError> {
    if happened_at > now {
        Err(WhenError::Future)
    } else if happened_at < ordered_at {
        Err(WhenError::BeforeOrder)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use strum::IntoEnumIterator;

    #[test]
    fn a_status_change_lies_between_the_order_and_now() {
        assert_eq!(check_when(100, 100, 200), Ok(()));
        assert_eq!(check_when(200, 100, 200), Ok(()));
        assert_eq!(check_when(99, 100, 200), Err(WhenError::BeforeOrder));
        assert_eq!(check_when(201, 100, 200), Err(WhenError::Future));
    }

    #[test]
    fn main_line_advances_one_step_at_a_time() {
        assert_eq!(Status::Inquiry.next(), Ok(Status::Quoted));
        assert_eq!(Status::Confirmed.next(), Ok(Status::InProduction));
        assert_eq!(Status::Delivered.next(), Ok(Status::Closed));
        assert!(Status::Closed.next().is_err());
        assert!(Status::OnHold.next().is_err());
        assert!(Status::Cancelled.next().is_err());
    }

    #[test]
    fn hold_returns_to_where_it_was() {
        let held = toggle_hold(Status::InProduction, None).unwrap();
        assert_eq!(held, Status::OnHold);
        assert_eq!(
            toggle_hold(held, Some(Status::InProduction)),
            Ok(Status::InProduction)
        );
        assert!(toggle_hold(Status::Closed, None).is_err());
    }

    #[test]
    fn lost_only_from_pre_sale() {
        assert!(Status::Quoted.check_transition(Status::Lost).is_ok());
        assert!(Status::Inquiry.check_transition(Status::Lost).is_ok());
        assert!(Status::Confirmed.check_transition(Status::Lost).is_err());
    }

    #[test]
    fn cancelling_needs_a_reason_and_an_undelivered_order() {
        assert_eq!(
            plan_change(Status::Confirmed, Status::Cancelled, &[], false, None),
            Err(TransitionError::ReasonRequired)
        );
        assert!(plan_change(
            Status::Confirmed,
            Status::Cancelled,
            &[],
            false,
            Some("dup")
        )
        .is_ok());
        assert!(plan_change(Status::Delivered, Status::Cancelled, &[], false, Some("x")).is_err());
    }

    #[test]
    fn leaving_pre_sale_needs_mandatory_fields_or_a_reason() {
        let missing = ["due_date", "delivery_address"];
        let err =
            plan_change(Status::Quoted, Status::Confirmed, &missing, false, None).unwrap_err();
        assert_eq!(
            err,
            TransitionError::Incomplete {
                fields: missing.to_vec()
            }
        );
        assert!(plan_change(Status::Quoted, Status::Confirmed, &missing, true, None).is_ok());
        assert!(plan_change(Status::Inquiry, Status::Quoted, &missing, false, None).is_ok());
        assert!(plan_change(
            Status::Confirmed,
            Status::InProduction,
            &missing,
            false,
            None
        )
        .is_ok());
    }

    fn any_status() -> impl Strategy<Value = Status> {
        (0..11usize).prop_map(|i| Status::iter().nth(i).expect("11 statuses"))
    }

    proptest! {
        /// Any sequence of allowed changes keeps the order in a known state, and the hold
        /// memory always returns to a non-hold status.
        #[test]
        fn random_walks_stay_in_the_lifecycle(steps in proptest::collection::vec(any_status(), 0..40)) {
            let mut current = Status::Inquiry;
            let mut held_from: Option<Status> = None;
            for to in steps {
                if to == Status::OnHold || current == Status::OnHold {
                    if let Ok(next) = toggle_hold(current, held_from) {
                        if next == Status::OnHold { held_from = Some(current); } else { held_from = None; }
                        current = next;
                    }
                    prop_assert!(held_from != Some(Status::OnHold));
                    continue;
                }
                if plan_change(current, to, &[], false, Some("r")).is_ok() {
                    prop_assert!(current != to);
                    if current.is_final() {
                        prop_assert!(matches!(to, Status::Inquiry | Status::Quoted));
                    }
                    current = to;
                }
            }
            prop_assert!(current != Status::OnHold || held_from.is_some());
        }
    }
}
