//! After-sales and relationship records of the demo: complaints, the contact log, surveys,
//! customers' special requirements and follow-up reminders. Each table is drawn in memory,
//! sorted by its main time, and inserted with increasing ids, so time indexes grow at the
//! end and ids read in time order.

use super::clock::{Clock, DAY, HISTORY_DAYS, HOUR};
use super::customers::DemoCustomer;
use super::orders::OrderFact;
use super::words::{Bilingual, Words};
use super::DemoSummary;
use crate::domain::enums::{
    ComplaintType, ContactChannel, Department, Department4, Language, RequirementCategory,
    RequirementStatus, Severity,
};
use crate::domain::order::generated_order_no;
use crate::domain::status::Status;
use crate::store::{Context, Result as StoreResult};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rusqlite::{params, Transaction};
use strum::IntoEnumIterator;

pub(super) struct AfterSales<'a> {
    pub rng: &'a mut ChaCha8Rng,
    pub clock: &'a Clock,
    pub words: &'a Words,
    pub customers: &'a [DemoCustomer],
    pub facts: &'a [OrderFact],
    pub summary: &'a mut DemoSummary,
}

struct Complaint {
    opened: i64,
    customer: u32,
    order: Option<usize>,
    kind: ComplaintType,
    severity: Severity,
    first_response: Option<i64>,
    resolved: Option<i64>,
}

struct Contact {
    at: i64,
    customer: u32,
    order: Option<usize>,
    channel: ContactChannel,
    inbound: bool,
    replied: Option<i64>,
    summary: Bilingual,
}

fn department(kind: ComplaintType, rng: &mut ChaCha8Rng) -> Department {
    match kind {
        ComplaintType::SpecMismatch => Department::Tech,
        ComplaintType::Quality if rng.gen_bool(0.5) => Department::Tech,
        ComplaintType::Quality => Department::Production,
        ComplaintType::DeliveryDelay => Department::Logistics,
        ComplaintType::Payment => Department::Finance,
        ComplaintType::AfterSales | ComplaintType::Other => Department::AfterSales,
    }
}

fn weighted_type(rng: &mut ChaCha8Rng, late: bool) -> ComplaintType {
    use ComplaintType::*;
    if late && rng.gen_bool(0.6) {
        return DeliveryDelay;
    }
    match rng.gen_range(0..100) {
        0..=29 => Quality,
        30..=49 => DeliveryDelay,
        50..=64 => SpecMismatch,
        65..=79 => AfterSales,
        80..=87 => Payment,
        _ => Other,
    }
}

fn weighted_severity(rng: &mut ChaCha8Rng) -> Severity {
    match rng.gen_range(0..100) {
        0..=7 => Severity::Urgent,
        8..=29 => Severity::High,
        30..=79 => Severity::Normal,
        _ => Severity::Low,
    }
}

/// A score 1–5 leaning to 4, as real surveys do, or none when the question was skipped.
fn score(rng: &mut ChaCha8Rng, skip: f64) -> Option<i64> {
    if rng.gen_bool(skip) {
        return None;
    }
    Some(match rng.gen_range(0..100) {
        0..=2 => 1,
        3..=9 => 2,
        10..=29 => 3,
        30..=69 => 4,
        _ => 5,
    })
}

impl AfterSales<'_> {
    fn order_no(&self, index: usize) -> String {
        let f = &self.facts[index];
        generated_order_no(
            self.clock.naive_date(self.clock.offset_of(f.ordered)),
            f.seq,
        )
    }

    fn random_customer(&mut self) -> u32 {
        self.rng.gen_range(0..self.customers.len() as u32)
    }

    /// Some moment in the last 13 months, in working hours.
    fn past_moment(&mut self) -> i64 {
        let day = -self.rng.gen_range(1..=HISTORY_DAYS);
        self.clock.day(day) + self.rng.gen_range(8 * HOUR..20 * HOUR)
    }

    pub fn run(&mut self, tx: &Transaction, orders: usize) -> StoreResult<()> {
        self.complaints(tx, (orders / 40).max(8))?;
        self.contacts(tx, (orders / 4).max(20))?;
        self.surveys(tx, (orders / 60).max(5))?;
        self.requirements(tx, (orders / 80).max(5))?;
        self.followups(tx, (orders / 200).max(5))
    }

    /// Most complaints follow a shipped order; the youngest few still await a first
    /// response, spread over the last two days so that some are past their severity's
    /// window and the very latest (normal) is not. The first six cover every type and the
    /// first four every severity.
    fn complaints(&mut self, tx: &Transaction, count: usize) -> StoreResult<()> {
        let shipped: Vec<usize> = (0..self.facts.len())
            .filter(|i| self.facts[*i].shipped != 0 && self.facts[*i].customer.is_some())
            .collect();
        let live = (count / 100).max(4);
        let types: Vec<ComplaintType> = ComplaintType::iter().collect();
        let severities = [
            Severity::Normal,
            Severity::Urgent,
            Severity::High,
            Severity::Low,
        ];
        let now = self.clock.now;
        let mut all = Vec::with_capacity(count);
        for k in 0..count {
            let recent = (k < live).then(|| now - HOUR / 2 - k as i64 * 44 * HOUR / live as i64);
            let mut order = None;
            let (customer, opened) = match shipped.len() {
                n if n > 0 && self.rng.gen_bool(0.85) => {
                    let i = shipped[self.rng.gen_range(0..n)];
                    let f = self.facts[i];
                    // Complaints come once the goods are there, or while they are awaited.
                    let base = if f.delivered != 0 {
                        f.delivered
                    } else {
                        f.shipped
                    };
                    let after = base + self.rng.gen_range(HOUR..40 * DAY);
                    let opened = recent.unwrap_or(after.min(now - HOUR));
                    order = (opened > f.shipped).then_some(i);
                    (f.customer.unwrap_or(0), opened)
                }
                _ => {
                    let opened = self.past_moment();
                    (self.random_customer(), recent.unwrap_or(opened))
                }
            };
            let late = order.is_some_and(|i| self.facts[i].late);
            let kind = types
                .get(k)
                .copied()
                .unwrap_or_else(|| weighted_type(self.rng, late));
            let severity = severities
                .get(k)
                .copied()
                .unwrap_or_else(|| weighted_severity(self.rng));
            let first_response = match recent {
                Some(_) => None,
                None => Some(opened + self.response_delay()).filter(|r| *r <= now),
            };
            let resolved = first_response
                .filter(|_| self.rng.gen_bool(0.85))
                .map(|r| r + self.rng.gen_range(2 * HOUR..15 * DAY))
                .filter(|r| *r <= now);
            all.push(Complaint {
                opened,
                customer,
                order,
                kind,
                severity,
                first_response,
                resolved,
            });
        }
        all.sort_by_key(|c| c.opened);
        self.insert_complaints(tx, &all)
    }

    /// Most first responses come within hours; one in ten takes more than a day.
    fn response_delay(&mut self) -> i64 {
        match self.rng.gen_range(0..10) {
            0..=6 => self.rng.gen_range(600..4 * HOUR),
            7..=8 => self.rng.gen_range(4 * HOUR..24 * HOUR),
            _ => self.rng.gen_range(24 * HOUR..96 * HOUR),
        }
    }

    fn insert_complaints(&mut self, tx: &Transaction, all: &[Complaint]) -> StoreResult<()> {
        let mut stmt = tx
            .prepare(
                "INSERT INTO complaints (id, complaint_no, customer_id, order_id, type, severity,
                     opened_at, first_response_at, resolved_at, description, resolution,
                     department)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )
            .doing("preparing demo complaints")?;
        let (mut month, mut seq) = (String::new(), 0);
        for (i, c) in all.iter().enumerate() {
            let date = self.clock.date_of(c.opened);
            let this_month = format!("{}{}", &date[0..4], &date[5..7]);
            if this_month != month {
                (month, seq) = (this_month, 0);
            }
            seq += 1;
            let cust = &self.customers[c.customer as usize];
            let lang = cust.lang;
            let texts = &self.words.complaints[c.kind as usize];
            let description = texts[self.rng.gen_range(0..texts.len())].get(lang);
            let resolution = c.resolved.map(|_| {
                let list = &self.words.resolutions[c.kind as usize];
                list[self.rng.gen_range(0..list.len())].get(lang)
            });
            stmt.execute(params![
                i as i64 + 1,
                format!("CP-{month}-{seq:04}"),
                cust.id,
                c.order.map(|o| o as i64 + 1),
                c.kind.as_str(),
                c.severity.as_str(),
                c.opened,
                c.first_response,
                c.resolved,
                description,
                resolution,
                department(c.kind, self.rng).as_str(),
            ])
            .doing("inserting demo complaints")?;
        }
        self.summary.complaints = all.len();
        Ok(())
    }

    /// The communication log: mostly about orders, inbound messages answered within hours
    /// (some after a day, a few of the last days not yet).
    fn contacts(&mut self, tx: &Transaction, count: usize) -> StoreResult<()> {
        let now = self.clock.now;
        let mut all = Vec::with_capacity(count);
        for _ in 0..count {
            let n = self.facts.len();
            let linked = (n > 0 && self.rng.gen_bool(0.6))
                .then(|| self.rng.gen_range(0..n))
                .filter(|i| self.facts[*i].customer.is_some());
            let (customer, at, order) = match linked {
                Some(i) => {
                    let f = self.facts[i];
                    let at = f.ordered + self.rng.gen_range(0..(now - f.ordered).max(1));
                    (f.customer.unwrap_or(0), at, Some(i))
                }
                None => (self.random_customer(), self.past_moment(), None),
            };
            let channel = match self.rng.gen_range(0..20) {
                0..=8 => ContactChannel::Email,
                9..=13 => ContactChannel::Phone,
                14..=18 => ContactChannel::Im,
                _ => ContactChannel::Visit,
            };
            let inbound = self.rng.gen_bool(0.55);
            let replied = (inbound && channel != ContactChannel::Visit)
                .then(|| self.reply(at))
                .flatten();
            let summary = self.contact_summary(inbound, order.is_some());
            all.push(Contact {
                at,
                customer,
                order,
                channel,
                inbound,
                replied,
                summary,
            });
        }
        all.sort_by_key(|c| c.at);
        self.insert_contacts(tx, &all)
    }

    /// When an inbound message was answered, if it was by now.
    fn reply(&mut self, at: i64) -> Option<i64> {
        let now = self.clock.now;
        if now - at < 3 * DAY && self.rng.gen_bool(0.35) {
            return None;
        }
        let delay = match self.rng.gen_range(0..20) {
            0..=11 => self.rng.gen_range(300..4 * HOUR),
            12..=16 => self.rng.gen_range(4 * HOUR..24 * HOUR),
            17..=18 => self.rng.gen_range(24 * HOUR..72 * HOUR),
            _ => return None,
        };
        Some(at + delay).filter(|r| *r <= now)
    }

    /// A summary that mentions an order only when the contact is about one.
    fn contact_summary(&mut self, inbound: bool, about_order: bool) -> Bilingual {
        let list = if inbound {
            &self.words.contacts_in
        } else {
            &self.words.contacts_out
        };
        loop {
            let s = list[self.rng.gen_range(0..list.len())];
            if about_order || !s.get(Language::En).contains("{order}") {
                return s;
            }
        }
    }

    fn insert_contacts(&mut self, tx: &Transaction, all: &[Contact]) -> StoreResult<()> {
        let mut stmt = tx
            .prepare(
                "INSERT INTO contacts (id, customer_id, order_id, channel, direction, at,
                     replied_at, summary)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .doing("preparing demo contacts")?;
        for (i, c) in all.iter().enumerate() {
            let cust = &self.customers[c.customer as usize];
            let mut summary = c.summary.get(cust.lang).to_string();
            if let Some(o) = c.order {
                summary = summary.replace("{order}", &self.order_no(o));
            }
            stmt.execute(params![
                i as i64 + 1,
                cust.id,
                c.order.map(|o| o as i64 + 1),
                c.channel.as_str(),
                if c.inbound { "in" } else { "out" },
                c.at,
                c.replied,
                summary,
            ])
            .doing("inserting demo contacts")?;
        }
        self.summary.contacts = all.len();
        Ok(())
    }

    fn surveys(&mut self, tx: &Transaction, count: usize) -> StoreResult<()> {
        let mut days: Vec<(i64, u32)> = (0..count)
            .map(|_| {
                (
                    -self.rng.gen_range(1..=HISTORY_DAYS),
                    self.random_customer(),
                )
            })
            .collect();
        days.sort_unstable();
        let mut stmt = tx
            .prepare(
                "INSERT INTO surveys (id, customer_id, date, accuracy, response, resolution,
                     attitude, customisation, quality, willingness)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .doing("preparing demo surveys")?;
        for (i, (day, customer)) in days.iter().enumerate() {
            let rng = &mut *self.rng;
            let willingness = (!rng.gen_bool(0.05)).then(|| match rng.gen_range(0..10) {
                0..=1 => rng.gen_range(0..=6),
                2..=4 => rng.gen_range(7..=8),
                _ => rng.gen_range(9..=10),
            });
            stmt.execute(params![
                i as i64 + 1,
                self.customers[*customer as usize].id,
                self.clock.date(*day),
                score(rng, 0.05),
                score(rng, 0.05),
                score(rng, 0.1),
                score(rng, 0.05),
                score(rng, 0.3),
                score(rng, 0.05),
                willingness,
            ])
            .doing("inserting demo surveys")?;
        }
        self.summary.surveys = count;
        Ok(())
    }

    /// Older wishes are mostly settled (met or declined), recent ones open or forwarded.
    fn requirements(&mut self, tx: &Transaction, count: usize) -> StoreResult<()> {
        let now = self.clock.now;
        let mut all: Vec<(i64, u32, RequirementCategory)> = (0..count)
            .map(|k| {
                let category = RequirementCategory::iter().nth(k).unwrap_or_else(|| {
                    match self.rng.gen_range(0..4) {
                        0 => RequirementCategory::Product,
                        1 => RequirementCategory::Packaging,
                        2 => RequirementCategory::Logistics,
                        _ => RequirementCategory::Service,
                    }
                });
                (self.past_moment(), self.random_customer(), category)
            })
            .collect();
        all.sort_unstable_by_key(|r| r.0);
        let mut stmt = tx
            .prepare(
                "INSERT INTO requirements (id, customer_id, category, text, created_at, status,
                     forwarded_to, resolved_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .doing("preparing demo requirements")?;
        for (i, (created, customer, category)) in all.iter().enumerate() {
            let rng = &mut *self.rng;
            let old = now - created > 30 * DAY;
            use RequirementStatus as R;
            let roll = rng.gen_range(0..100);
            let mut status = match (old, roll) {
                (true, 0..=44) | (false, 0..=9) => R::Met,
                (true, 45..=59) => R::Declined,
                (true, 60..=84) | (false, 10..=49) => R::Forwarded,
                _ => R::Open,
            };
            let resolved = matches!(status, R::Met | R::Declined)
                .then(|| created + rng.gen_range(3 * DAY..60 * DAY))
                .filter(|r| *r <= now);
            if resolved.is_none() && matches!(status, R::Met | R::Declined) {
                status = R::Forwarded;
            }
            let forwarded_to = (status == R::Forwarded || rng.gen_bool(0.6)).then(|| {
                [
                    Department4::Sales,
                    Department4::Rnd,
                    Department4::Production,
                    Department4::Logistics,
                ][rng.gen_range(0..4)]
            });
            let forwarded_to = forwarded_to.filter(|_| status != R::Open);
            let texts = &self.words.requirements[*category as usize];
            let cust = &self.customers[*customer as usize];
            stmt.execute(params![
                i as i64 + 1,
                cust.id,
                category.as_str(),
                texts[rng.gen_range(0..texts.len())].get(cust.lang),
                created,
                status.as_str(),
                forwarded_to.map(Department4::as_str),
                resolved,
            ])
            .doing("inserting demo requirements")?;
        }
        self.summary.requirements = count;
        Ok(())
    }

    /// Reminders due from ten days ago to two weeks ahead; most past ones are done, the
    /// rest overdue. Open orders attract them more than finished ones.
    fn followups(&mut self, tx: &Transaction, count: usize) -> StoreResult<()> {
        let now = self.clock.now;
        let texts =
            self.words
                .reasons("followup")
                .map_err(|e| crate::store::Failure::Internal {
                    detail: format!("demo word lists: {e}"),
                })?;
        let open: Vec<usize> = (0..self.facts.len())
            .filter(|i| {
                let f = &self.facts[*i];
                f.customer.is_some() && !f.status.is_final() && f.status != Status::Delivered
            })
            .collect();
        let mut all: Vec<(i64, u32, Option<usize>)> = (0..count)
            .map(|_| {
                let due = now + self.rng.gen_range(-10 * DAY..14 * DAY) / HOUR * HOUR;
                match open.len() {
                    n if n > 0 && self.rng.gen_bool(0.6) => {
                        let i = open[self.rng.gen_range(0..n)];
                        (due, self.facts[i].customer.unwrap_or(0), Some(i))
                    }
                    _ => (due, self.random_customer(), None),
                }
            })
            .collect();
        all.sort_unstable_by_key(|f| f.0);
        let mut stmt = tx
            .prepare(
                "INSERT INTO followups (id, customer_id, order_id, due_at, text, done_at,
                     created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .doing("preparing demo follow-ups")?;
        for (i, (due, customer, order)) in all.iter().enumerate() {
            let rng = &mut *self.rng;
            let created = (due - rng.gen_range(DAY..14 * DAY)).min(now - HOUR);
            let done = (*due < now && rng.gen_bool(0.6))
                .then(|| (due + rng.gen_range(-DAY..DAY)).clamp(created + HOUR, now));
            let cust = &self.customers[*customer as usize];
            // A reminder is about an order or about the customer, not both.
            let (customer_id, order_id) = match order {
                Some(o) => (None, Some(*o as i64 + 1)),
                None => (Some(cust.id), None),
            };
            stmt.execute(params![
                i as i64 + 1,
                customer_id,
                order_id,
                due,
                texts[rng.gen_range(0..texts.len())].get(cust.lang),
                done,
                created,
            ])
            .doing("inserting demo follow-ups")?;
        }
        self.summary.followups = count;
        Ok(())
    }
}
