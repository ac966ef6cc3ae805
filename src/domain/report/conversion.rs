//! Conversion by customer type and by sales cycle (SPEC §4 `conversion.by_customer_type`,
//! `conversion.by_cycle`, `conversion.avg_days_to_confirm`).
//!
//! Definitions, relied on by the README:
//! - `by_customer_type` splits `won`/`lost` (orders with `ordered_at` in the month) by the
//!   type of the order's customer; an order without a customer has no type and is left out,
//!   so the four types can add up to less than `won`/`lost`.
//! - *Creation* is the order's `ordered_at` (the date the order came in, kept through export
//!   and import), not the moment its row was typed in.
//! - *Confirmation* is the `happened_at` of the order's first status change from a status
//!   that is not won into a won status. An order entered or imported already won has no such
//!   change, so no known sales cycle, and is left out.
//! - `by_cycle` counts the orders whose confirmation happened in the month, by whole days
//!   elapsed from creation to confirmation (`0-7` is under 8 days, `90+` over 90);
//!   `avg_days_to_confirm` is their mean elapsed time in days, 2 decimals. A confirmation
//!   dated before the order (a late record) counts as 0 days.

use super::Counts;
use crate::domain::enums::CustomerType;
use crate::domain::kpi::{rate, ratio};
use crate::domain::status::Status;
use serde::Serialize;

/// The buckets of `by_cycle`, in order, with the most whole days each one holds.
pub const CYCLE_BUCKETS: [(&str, Option<i64>); 4] = [
    ("0-7", Some(7)),
    ("8-30", Some(30)),
    ("31-90", Some(90)),
    ("90+", None),
];

const DAY: i64 = 86_400;

/// Won, lost and their rate for one customer type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct WonLost {
    pub won: u64,
    pub lost: u64,
    pub rate: Option<f64>,
}

/// `by_customer_type`: every type in §2 order, a JSON object.
#[derive(Debug, Clone, PartialEq)]
pub struct ByCustomerType(pub Vec<(CustomerType, WonLost)>);

impl ByCustomerType {
    pub fn get(&self, kind: CustomerType) -> WonLost {
        self.0
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(WonLost::default(), |(_, w)| *w)
    }
}

impl Serialize for ByCustomerType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, w)| (k.as_str(), w)))
    }
}

/// The bucket of a confirmation `seconds` after creation.
pub fn cycle_bucket(seconds: i64) -> &'static str {
    let days = seconds.max(0) / DAY;
    CYCLE_BUCKETS
        .iter()
        .find(|(_, most)| most.is_none_or(|m| days <= m))
        .map_or("90+", |(w, _)| w)
}

/// The conversion figures beyond won/lost, fed one order at a time.
#[derive(Debug)]
pub struct ConversionTally {
    by_type: Vec<(CustomerType, u64, u64)>,
    cycle: Counts,
    cycle_seconds: i128,
    confirmed: u64,
}

impl Default for ConversionTally {
    fn default() -> Self {
        ConversionTally {
            by_type: <CustomerType as strum::IntoEnumIterator>::iter()
                .map(|k| (k, 0, 0))
                .collect(),
            cycle: Counts::of(CYCLE_BUCKETS.iter().map(|(w, _)| *w)),
            cycle_seconds: 0,
            confirmed: 0,
        }
    }
}

impl ConversionTally {
    /// `count` orders with `ordered_at` in the month, of customers of `kind`, in `status`.
    pub fn customer_orders(&mut self, kind: CustomerType, status: Status, count: u64) {
        let Some(row) = self.by_type.iter_mut().find(|(k, _, _)| *k == kind) else {
            return;
        };
        if status.is_won() {
            row.1 += count;
        } else if status == Status::Lost {
            row.2 += count;
        }
    }

    /// An order confirmed in the month: created at `ordered_at`, confirmed at `confirmed_at`.
    pub fn confirmation(&mut self, ordered_at: i64, confirmed_at: i64) {
        let seconds = (confirmed_at - ordered_at).max(0);
        self.cycle.add(cycle_bucket(seconds));
        self.cycle_seconds += i128::from(seconds);
        self.confirmed += 1;
    }

    pub fn finish(self) -> (ByCustomerType, Counts, Option<f64>) {
        let by_type = self
            .by_type
            .into_iter()
            .map(|(k, won, lost)| {
                (
                    k,
                    WonLost {
                        won,
                        lost,
                        rate: rate(won, won + lost),
                    },
                )
            })
            .collect();
        let avg = ratio(
            self.cycle_seconds,
            i128::from(self.confirmed) * i128::from(DAY),
            2,
        );
        (ByCustomerType(by_type), self.cycle, avg)
    }
}
