//! The monthly KPI report (SPEC §4): the figures, their JSON shape, and the formulas that turn
//! the month's records into them. The store feeds records into a [`MonthTally`] one at a time
//! (so a month of a million-order file is never held in memory) and takes the report out.
//!
//! Decisions where §4 leaves room, relied on by the README:
//! - every breakdown (`by_type`, `late_by_cause`, `by_channel`) lists every word of its
//!   vocabulary, in §2 order, with 0 for words that did not occur, so months compare key by key;
//! - `late_by_cause` counts the delivered orders that were not on time (so its counts add up
//!   to `delivered − on_time`); an order without a due date is not on time;
//! - `on_time_vs_first_promise` is a count, like `on_time`, against `first_due_date` (the
//!   current due date when none was recorded);
//! - amounts are the exact sums of the orders' totals, at least two decimals, never rounded;
//! - conversion by customer type and cycle, status updates, spot-checks and targets: see
//!   [`conversion`] and [`quality`].

pub mod conversion;
pub mod quality;
mod trend;

pub use trend::{TrendDay, TrendPoint, TrendTally};

use super::enums::{ComplaintType, ContactChannel, CustomerType, ExceptionCause, OrderType};
use super::kpi::{average, nps, rate, ratio};
use super::money::Totals;
use super::month::Month;
use super::status::Status;
use super::time::day_start;
use chrono::NaiveDate;
use conversion::{ByCustomerType, ConversionTally};
use quality::{QualityTally, SpotChecks, StatusUpdates, TargetLine, TargetLines, Targets};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// A late delivery without a delay exception.
pub const UNSPECIFIED: &str = "unspecified";
/// The window for a first response to a complaint and a reply to an inbound contact.
pub const DAY: i64 = 86_400;
/// The 1–5 survey fields, in §2 order; also their JSON keys under `satisfaction`.
pub const SURVEY_FIELDS: [&str; 6] = [
    "accuracy",
    "response",
    "resolution",
    "attitude",
    "customisation",
    "quality",
];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthReport {
    pub month: Month,
    pub orders: Orders,
    pub delivery: Delivery,
    pub conversion: Conversion,
    pub complaints: Complaints,
    pub contacts: Contacts,
    pub satisfaction: Satisfaction,
    pub requirements: Requirements,
    pub spot_checks: SpotChecks,
    pub status_updates: StatusUpdates,
    pub targets: TargetLines,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Orders {
    pub confirmed: Confirmed,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Confirmed {
    pub count: u64,
    pub amount: Totals,
    pub by_type: Counts,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    pub delivered: u64,
    pub on_time: u64,
    pub on_time_rate: Option<f64>,
    pub on_time_vs_first_promise: u64,
    pub late_by_cause: Counts,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conversion {
    pub won: u64,
    pub lost: u64,
    pub rate: Option<f64>,
    pub by_customer_type: ByCustomerType,
    pub by_cycle: Counts,
    pub avg_days_to_confirm: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Complaints {
    pub opened: u64,
    pub by_type: Counts,
    pub responded_within_24h: u64,
    pub response_rate_24h: Option<f64>,
    pub avg_first_response_hours: Option<f64>,
    pub closed: u64,
    pub closure_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contacts {
    pub inbound: u64,
    pub replied_within_24h: u64,
    pub reply_rate_24h: Option<f64>,
    pub by_channel: Counts,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Satisfaction {
    pub surveys: u64,
    pub accuracy: Option<f64>,
    pub response: Option<f64>,
    pub resolution: Option<f64>,
    pub attitude: Option<f64>,
    pub customisation: Option<f64>,
    pub quality: Option<f64>,
    pub nps: Option<f64>,
}

impl Satisfaction {
    /// The averages in [`SURVEY_FIELDS`] order.
    pub fn averages(&self) -> [Option<f64>; 6] {
        [
            self.accuracy,
            self.response,
            self.resolution,
            self.attitude,
            self.customisation,
            self.quality,
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Requirements {
    pub met: u64,
    pub declined: u64,
    pub fulfilment_rate: Option<f64>,
}

/// Counts per word of a vocabulary, in the vocabulary's order; a JSON object.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counts(Vec<(String, u64)>);

impl Counts {
    /// Every word at 0.
    pub fn of<'a>(words: impl IntoIterator<Item = &'a str>) -> Counts {
        Counts(words.into_iter().map(|w| (w.to_string(), 0)).collect())
    }

    pub fn add(&mut self, word: &str) {
        match self.0.iter_mut().find(|(w, _)| w == word) {
            Some((_, n)) => *n += 1,
            // The schema only admits vocabulary words; a stray one is still counted, not lost.
            None => self.0.push((word.to_string(), 1)),
        }
    }

    pub fn get(&self, word: &str) -> u64 {
        self.0
            .iter()
            .find(|(w, _)| w == word)
            .map_or(0, |(_, n)| *n)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.0.iter().map(|(w, n)| (w.as_str(), *n))
    }

    pub fn total(&self) -> u64 {
        self.0.iter().map(|(_, n)| n).sum()
    }
}

impl Serialize for Counts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(w, n)| (w, n)))
    }
}

/// The words of `late_by_cause`: the exception causes, then `unspecified`.
pub fn cause_words() -> Vec<&'static str> {
    let mut w = ExceptionCause::words();
    w.push(UNSPECIFIED);
    w
}

/// On time: the local calendar date of `delivered_at` is on or before `due`.
pub fn delivered_by(delivered_at: i64, due: NaiveDate) -> bool {
    match due.succ_opt() {
        // Before the first instant of the next local day.
        Some(next) => delivered_at < day_start(next),
        None => true,
    }
}

/// [`delivered_by`] for due dates as stored (`YYYY-MM-DD` text), each date's cut-off worked
/// out once: a month has tens of thousands of deliveries but a few dozen due dates, and this
/// runs once per delivery of a year for the trend, so the lookup avoids hashing text.
#[derive(Debug, Default)]
pub struct DueCutoffs {
    cutoffs: BTreeMap<u32, Option<i64>>,
    last: Option<(u32, Option<i64>)>,
}

/// `2026-03-10` → 20260310, read straight from the digits; `None` for any other shape.
fn date_key(text: &str) -> Option<u32> {
    let b = text.trim().as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    b.iter()
        .enumerate()
        .filter(|(i, _)| *i != 4 && *i != 7)
        .try_fold(0u32, |n, (_, c)| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
}

impl DueCutoffs {
    /// Whether an order delivered at `delivered_at` met `due`; no (or an unreadable) due date
    /// is never met.
    pub fn met(&mut self, delivered_at: i64, due: Option<&str>) -> bool {
        let Some(key) = due.and_then(date_key) else {
            return false;
        };
        let cutoff = match self.last {
            Some((k, c)) if k == key => c,
            _ => {
                let c = *self.cutoffs.entry(key).or_insert_with(|| {
                    NaiveDate::from_ymd_opt((key / 10_000) as i32, key / 100 % 100, key % 100)
                        .and_then(|d| d.succ_opt())
                        .map(day_start)
                });
                self.last = Some((key, c));
                c
            }
        };
        cutoff.is_some_and(|c| delivered_at < c)
    }
}

/// How one delivery fared against the current and the first promised due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub on_time: bool,
    pub on_time_first: bool,
}

/// One survey's answers: the 1–5 fields in [`SURVEY_FIELDS`] order, and willingness 0–10.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SurveyAnswers {
    pub scores: [Option<u8>; 6],
    pub willingness: Option<u8>,
}

/// The month's records, fed in one at a time; `finish` applies the §4 formulas.
#[derive(Debug)]
pub struct MonthTally {
    month: Month,
    now: i64,
    cutoffs: DueCutoffs,
    confirmed: Confirmed,
    lost: u64,
    delivered: u64,
    on_time: u64,
    on_time_first: u64,
    late_by_cause: Counts,
    opened: u64,
    complaint_types: Counts,
    responded: u64,
    response_seconds: i64,
    responded_24h: u64,
    complaints_waiting: u64,
    closed: u64,
    inbound: u64,
    replied_24h: u64,
    contacts_waiting: u64,
    by_channel: Counts,
    surveys: u64,
    score_sums: [(i64, u64); 6],
    answers: u64,
    promoters: u64,
    detractors: u64,
    met: u64,
    declined: u64,
    conversion: ConversionTally,
    quality: QualityTally,
    targets: Targets,
}

impl MonthTally {
    /// A tally for `month`, judged at `now` (UTC seconds; the 24 h rules exclude what is
    /// still within its window).
    pub fn new(month: Month, now: i64) -> MonthTally {
        MonthTally {
            month,
            now,
            cutoffs: DueCutoffs::default(),
            confirmed: Confirmed {
                count: 0,
                amount: Totals::default(),
                by_type: Counts::of(OrderType::words()),
            },
            lost: 0,
            delivered: 0,
            on_time: 0,
            on_time_first: 0,
            late_by_cause: Counts::of(cause_words()),
            opened: 0,
            complaint_types: Counts::of(ComplaintType::words()),
            responded: 0,
            response_seconds: 0,
            responded_24h: 0,
            complaints_waiting: 0,
            closed: 0,
            inbound: 0,
            replied_24h: 0,
            contacts_waiting: 0,
            by_channel: Counts::of(ContactChannel::words()),
            surveys: 0,
            score_sums: [(0, 0); 6],
            answers: 0,
            promoters: 0,
            detractors: 0,
            met: 0,
            declined: 0,
            conversion: ConversionTally::default(),
            quality: QualityTally::default(),
            targets: Targets::default(),
        }
    }

    /// The targets the figures are held against (the defaults unless set).
    pub fn set_targets(&mut self, targets: Targets) {
        self.targets = targets;
    }

    /// `count` orders with `ordered_at` in the month, of customers of `kind`, in `status`.
    pub fn customer_orders(&mut self, kind: CustomerType, status: Status, count: u64) {
        self.conversion.customer_orders(kind, status, count);
    }

    /// An order whose first change into a won status happened in the month.
    pub fn confirmation(&mut self, ordered_at: i64, confirmed_at: i64) {
        self.conversion.confirmation(ordered_at, confirmed_at);
    }

    /// A status change that happened in the month.
    pub fn status_change(&mut self, happened_at: i64, recorded_at: i64) {
        self.quality.status_change(happened_at, recorded_at);
    }

    /// A spot-check made in the month.
    pub fn spot_check(&mut self, accurate: bool) {
        self.quality.spot_check(accurate);
    }

    pub fn month(&self) -> Month {
        self.month
    }

    /// An order with `ordered_at` in the month.
    pub fn order(&mut self, status: Status, order_type: &str, currency: &str, total: Decimal) {
        if status.is_won() {
            self.confirmed.count += 1;
            self.confirmed.amount.add(currency, total);
            self.confirmed.by_type.add(order_type);
        } else if status == Status::Lost {
            self.lost += 1;
        }
    }

    /// Judges an order delivered in the month; the caller looks up the late cause only for
    /// the late ones and hands both to [`MonthTally::delivery`].
    pub fn judge(
        &mut self,
        delivered_at: i64,
        due: Option<&str>,
        first_due: Option<&str>,
    ) -> Verdict {
        Verdict {
            on_time: self.cutoffs.met(delivered_at, due),
            on_time_first: self.cutoffs.met(delivered_at, first_due.or(due)),
        }
    }

    /// `late_cause`: the cause of the order's latest delay exception, if any.
    pub fn delivery(&mut self, verdict: Verdict, late_cause: Option<&str>) {
        self.delivered += 1;
        if verdict.on_time {
            self.on_time += 1;
        } else {
            self.late_by_cause.add(late_cause.unwrap_or(UNSPECIFIED));
        }
        if verdict.on_time_first {
            self.on_time_first += 1;
        }
    }

    /// A complaint opened in the month.
    pub fn complaint(
        &mut self,
        kind: &str,
        opened_at: i64,
        first_response_at: Option<i64>,
        resolved_at: Option<i64>,
    ) {
        self.opened += 1;
        self.complaint_types.add(kind);
        match first_response_at {
            Some(at) => {
                self.responded += 1;
                self.response_seconds += at - opened_at;
                if at - opened_at <= DAY {
                    self.responded_24h += 1;
                }
            }
            // Still inside its 24 hours: not yet a miss, left out of the rate.
            None if self.now - opened_at < DAY => self.complaints_waiting += 1,
            None => {}
        }
        if resolved_at.is_some() {
            self.closed += 1;
        }
    }

    /// A contact logged in the month, either direction.
    pub fn contact(&mut self, channel: &str, inbound: bool, at: i64, replied_at: Option<i64>) {
        self.by_channel.add(channel);
        if !inbound {
            return;
        }
        self.inbound += 1;
        match replied_at {
            Some(r) if r - at <= DAY => self.replied_24h += 1,
            Some(_) => {}
            None if self.now - at < DAY => self.contacts_waiting += 1,
            None => {}
        }
    }

    /// A survey dated in the month.
    pub fn survey(&mut self, answers: &SurveyAnswers) {
        self.surveys += 1;
        for (sum, score) in self.score_sums.iter_mut().zip(answers.scores) {
            if let Some(s) = score {
                sum.0 += i64::from(s);
                sum.1 += 1;
            }
        }
        if let Some(w) = answers.willingness {
            self.answers += 1;
            if w >= 9 {
                self.promoters += 1;
            } else if w <= 6 {
                self.detractors += 1;
            }
        }
    }

    /// A requirement resolved in the month, by its status.
    pub fn requirement(&mut self, status: &str) {
        match status {
            "met" => self.met += 1,
            "declined" => self.declined += 1,
            _ => {}
        }
    }

    pub fn finish(self) -> MonthReport {
        let avg = |i: usize| average(self.score_sums[i].0, self.score_sums[i].1);
        let won = self.confirmed.count;
        let (by_customer_type, by_cycle, avg_days_to_confirm) = self.conversion.finish();
        let (status_updates, spot_checks) = self.quality.finish();
        let delivery = Delivery {
            delivered: self.delivered,
            on_time: self.on_time,
            on_time_rate: rate(self.on_time, self.delivered),
            on_time_vs_first_promise: self.on_time_first,
            late_by_cause: self.late_by_cause,
        };
        let complaints = Complaints {
            opened: self.opened,
            by_type: self.complaint_types,
            responded_within_24h: self.responded_24h,
            response_rate_24h: rate(self.responded_24h, self.opened - self.complaints_waiting),
            avg_first_response_hours: ratio(
                self.response_seconds as i128,
                self.responded as i128 * 3600,
                2,
            ),
            closed: self.closed,
            closure_rate: rate(self.closed, self.opened),
        };
        let contacts = Contacts {
            inbound: self.inbound,
            replied_within_24h: self.replied_24h,
            reply_rate_24h: rate(self.replied_24h, self.inbound - self.contacts_waiting),
            by_channel: self.by_channel,
        };
        let actual = |name: &str| match name {
            "on_time_rate" => delivery.on_time_rate,
            "response_rate_24h" => complaints.response_rate_24h,
            "reply_rate_24h" => contacts.reply_rate_24h,
            "closure_rate" => complaints.closure_rate,
            "rate_1h" => status_updates.rate_1h,
            _ => spot_checks.accuracy_rate,
        };
        let targets = TargetLines(
            self.targets
                .each()
                .into_iter()
                .map(|(name, target)| (name, TargetLine::new(target, actual(name))))
                .collect(),
        );
        MonthReport {
            month: self.month,
            delivery,
            conversion: Conversion {
                won,
                lost: self.lost,
                rate: rate(won, won + self.lost),
                by_customer_type,
                by_cycle,
                avg_days_to_confirm,
            },
            complaints,
            contacts,
            satisfaction: Satisfaction {
                surveys: self.surveys,
                accuracy: avg(0),
                response: avg(1),
                resolution: avg(2),
                attitude: avg(3),
                customisation: avg(4),
                quality: avg(5),
                nps: nps(self.promoters, self.detractors, self.answers),
            },
            requirements: Requirements {
                met: self.met,
                declined: self.declined,
                fulfilment_rate: rate(self.met, self.met + self.declined),
            },
            orders: Orders {
                confirmed: self.confirmed,
            },
            spot_checks,
            status_updates,
            targets,
        }
    }
}

#[cfg(test)]
mod tests;
