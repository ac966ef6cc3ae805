//! Demo orders with their lines, search documents and status history; `progress` adds what
//! happens after confirmation. Orders are made in ordered_at order with ids 1..N, so every
//! index on time grows at its end and numbers `SO-YYYYMMDD-NNN` count up within each day.

use super::clock::{Clock, DAY, HISTORY_DAYS, HOUR};
use super::customers::DemoCustomer;
use super::rows::{Chunk, Day, HistoryRow, LineRow, OrderRow};
use super::story::{self, Inputs, Life, Plan};
use super::words::{Bilingual, Words};
use crate::domain::enums::{Language, OrderType};
use crate::domain::money::canonical;
use crate::domain::order::{generated_order_no, OrderDraft, OrderLine};
use crate::domain::status::Status;
use crate::store::search::order_body;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

/// What after-sales generation needs to know about each order (index = id − 1).
#[derive(Debug, Clone, Copy)]
pub struct OrderFact {
    /// Index into the customers, or `None` for an anonymous inquiry.
    pub customer: Option<u32>,
    /// Its number within its day: `SO-YYYYMMDD-NNN` again from `ordered`.
    pub seq: u32,
    pub status: Status,
    pub ordered: i64,
    /// First shipment, when it has left (0 otherwise).
    pub shipped: i64,
    /// Delivery of the whole order (0 when not delivered).
    pub delivered: i64,
    pub late: bool,
}

/// The last id used in each child table: rows get explicit, increasing ids.
#[derive(Default)]
pub(super) struct Ids {
    pub(super) line: i64,
    pub(super) history: i64,
    pub(super) revision: i64,
    pub(super) exception: i64,
    pub(super) shipment: i64,
}

/// One order's due dates after any revisions: the first promise is kept apart.
#[derive(Default)]
pub(super) struct Due {
    pub(super) first: Option<Day>,
    pub(super) current: Option<Day>,
    pub(super) last_change: i64,
}

/// The order generator: makes the rows of every order, in chunks. Pure (no SQL), so it can
/// run on its own thread while the writer inserts the previous chunk.
pub(super) struct Gen<'a> {
    pub(super) rng: ChaCha8Rng,
    pub(super) clock: &'a Clock,
    pub(super) words: &'a Words,
    pub(super) ids: Ids,
    /// Added to shipment ids before they become waybill numbers, so seeds differ.
    pub(super) waybill_offset: u64,
    pub(super) chunk: Chunk,
    customers: &'a [DemoCustomer],
    /// Customers by how much they order: a few big ones, many small ones.
    ranking: Vec<u32>,
    pub(super) draft: OrderDraft,
    /// The current order's note and missing reason as the word-list texts they are.
    note_text: Option<&'static str>,
    reason_text: Option<&'static str>,
    life: Life,
}

/// Exchange rates from US dollars, in ten-thousandths, for pricing the catalogue.
fn rate(currency: &str) -> i64 {
    match currency {
        "CNY" => 72_000,
        "EUR" => 9_200,
        "GBP" => 7_900,
        _ => 10_000,
    }
}

/// Order times over the last 13 months (none today: today's orders would lie after the
/// demo's now), fewer on Sundays, during working hours, sorted.
fn order_times(rng: &mut ChaCha8Rng, clock: &Clock, n: usize) -> Vec<i64> {
    let mut times = Vec::with_capacity(n);
    while times.len() < n {
        let offset = -rng.gen_range(1..=HISTORY_DAYS);
        if clock.is_sunday(offset) && rng.gen_bool(0.7) {
            continue;
        }
        times.push(clock.day(offset) + rng.gen_range(8 * HOUR..19 * HOUR));
    }
    times.sort_unstable();
    times
}

fn order_type(rng: &mut ChaCha8Rng) -> OrderType {
    match rng.gen_range(0..20) {
        0..=13 => OrderType::Regular,
        14..=16 => OrderType::Rush,
        _ => OrderType::Custom,
    }
}

fn text(rng: &mut ChaCha8Rng, list: &[Bilingual], lang: Language) -> &'static str {
    list[rng.gen_range(0..list.len())].get(lang)
}

impl<'a> Gen<'a> {
    pub(super) fn new(
        mut rng: ChaCha8Rng,
        clock: &'a Clock,
        words: &'a Words,
        customers: &'a [DemoCustomer],
    ) -> Gen<'a> {
        let mut ranking: Vec<u32> = (0..customers.len() as u32).collect();
        ranking.shuffle(&mut rng);
        let waybill_offset = rng.gen_range(0..1_000_000);
        Gen {
            rng,
            clock,
            words,
            customers,
            ranking,
            waybill_offset,
            ids: Ids::default(),
            chunk: Chunk::default(),
            draft: OrderDraft {
                order_no: String::new(),
                customer_id: None,
                order_type: OrderType::Regular,
                status: Status::Inquiry,
                ordered_at: 0,
                due_date: None,
                delivery_address: String::new(),
                currency: String::new(),
                payment_due: None,
                paid_at: None,
                missing_reason: String::new(),
                notes: String::new(),
                lines: Vec::new(),
            },
            note_text: None,
            reason_text: None,
            life: Life::default(),
        }
    }

    /// The lowest of three uniform draws favours the top of the ranking: big customers
    /// place many orders, most customers a few.
    fn pick_customer(&mut self) -> Option<u32> {
        let n = self.ranking.len();
        if n == 0 {
            return None;
        }
        let r = (0..3).map(|_| self.rng.gen_range(0..n)).min().unwrap_or(0);
        Some(self.ranking[r])
    }

    /// Makes `n` orders with everything that hangs off them, handing each full chunk of
    /// `chunk_size` orders to `emit`; stops early when `emit` returns false (the writer
    /// gave up). Returns what after-sales generation needs to know of each order.
    pub(super) fn run(
        &mut self,
        n: usize,
        chunk_size: usize,
        mut emit: impl FnMut(Chunk) -> bool,
    ) -> Vec<OrderFact> {
        let times = order_times(&mut self.rng, self.clock, n);
        let mut facts = Vec::with_capacity(n);
        let (mut day, mut seq) = (i64::MIN, 0u32);
        for (i, &ordered) in times.iter().enumerate() {
            let offset = self.clock.offset_of(ordered);
            if offset != day {
                (day, seq) = (offset, 0);
            }
            seq += 1;
            let id = i as i64 + 1;
            let no = generated_order_no(self.clock.naive_date(offset), seq);
            facts.push(self.order(id, no, seq, ordered));
            let full = self.chunk.orders.len() >= chunk_size;
            if (full || i + 1 == n) && !emit(std::mem::take(&mut self.chunk)) {
                break;
            }
        }
        facts
    }

    fn order(&mut self, id: i64, order_no: String, seq: u32, ordered: i64) -> OrderFact {
        let kind = order_type(&mut self.rng);
        // An inquiry from someone not yet a customer; only such orders may lack one.
        let anonymous = self.rng.gen_bool(0.004);
        let customer = if anonymous {
            None
        } else {
            self.pick_customer()
        };
        let cust = customer.map(|c| &self.customers[c as usize]);
        let lang = cust.map_or(Language::Zh, |c| c.lang);
        let inputs = Inputs {
            kind,
            ordered,
            lang,
            payment_terms_days: cust.map_or(30, |c| c.payment_terms_days),
        };
        let plan = story::plan(&mut self.rng, self.clock, &inputs);
        let mut life = std::mem::take(&mut self.life);
        story::cut(&mut self.rng, &plan, self.clock.now, &mut life);
        if cust.is_none() {
            // Nobody to quote to yet: the inquiry stays open.
            life.steps.clear();
            life.held_from = None;
        }
        self.fill_draft(order_no, kind, customer, lang, &plan, &life);
        let first_exception = self.chunk.exceptions.len();
        self.exceptions(id, &plan, &life, lang);
        let due = self.revisions(id, &plan, &life, lang, first_exception);
        self.order_row(id, customer, &plan, &life, &due);
        self.history(id, &life, lang);
        self.production(id, &plan, &life);
        let shipped = self.shipments(id, &plan, &life);
        let status = life.status();
        let delivered = if matches!(status, Status::Delivered | Status::Closed) {
            self.late_delivery_exception(id, &plan, due.current, first_exception, lang);
            plan.delivered()
        } else {
            0
        };
        let late = delivered != 0
            && due
                .current
                .is_some_and(|d| self.clock.offset_of(delivered) > d);
        self.life = life;
        OrderFact {
            customer,
            seq,
            status,
            ordered,
            shipped,
            delivered,
            late,
        }
    }

    /// The order as the clerk would have entered it: lines priced in the customer's
    /// currency, and, for early or unusual orders, some mandatory fields still empty.
    fn fill_draft(
        &mut self,
        order_no: String,
        kind: OrderType,
        customer: Option<u32>,
        lang: Language,
        plan: &Plan,
        life: &Life,
    ) {
        let cust = customer.map(|c| &self.customers[c as usize]);
        let d = &mut self.draft;
        d.order_no = order_no;
        d.customer_id = cust.map(|c| c.id);
        d.order_type = kind;
        d.status = life.status();
        d.ordered_at = plan.ordered;
        d.due_date = Some(self.clock.naive_date(plan.due));
        d.delivery_address.clear();
        d.delivery_address
            .push_str(cust.map_or("", |c| c.address.as_str()));
        d.currency.clear();
        d.currency.push_str(cust.map_or("CNY", |c| c.currency));
        d.notes.clear();
        self.note_text = None;
        self.reason_text = None;
        if self.rng.gen_bool(0.25) {
            let note = text(&mut self.rng, &self.words.notes, lang);
            d.notes.push_str(note);
            self.note_text = Some(note);
        }
        let count = match self.rng.gen_range(0..20) {
            0..=8 => 1,
            9..=14 => 2,
            15..=17 => 3,
            _ => 4,
        };
        d.lines.clear();
        for _ in 0..count {
            let line = make_line(&mut self.rng, self.words, lang, &d.currency);
            d.lines.push(line);
        }
        self.leave_gaps(lang, life);
    }

    /// Empties mandatory fields the way real orders lack them: inquiries not yet priced or
    /// dated, quotes without an address, and a few confirmed orders that went ahead
    /// without one, which the clerk explained in a missing reason.
    fn leave_gaps(&mut self, lang: Language, life: &Life) {
        let rng = &mut self.rng;
        let d = &mut self.draft;
        match life.status() {
            Status::Inquiry | Status::Lost if rng.gen_bool(0.35) => {
                if rng.gen_bool(0.6) {
                    d.lines.iter_mut().for_each(|l| l.unit_price = None);
                }
                if rng.gen_bool(0.4) {
                    d.due_date = None;
                }
                if rng.gen_bool(0.3) {
                    d.delivery_address.clear();
                }
                if rng.gen_bool(0.1) {
                    d.lines[0].product_code.clear();
                }
            }
            Status::Quoted if rng.gen_bool(0.15) => {
                if rng.gen_bool(0.5) {
                    d.due_date = None;
                } else {
                    d.delivery_address.clear();
                }
            }
            Status::Confirmed | Status::InProduction | Status::OnHold
                if matches!(life.reached(), Status::Confirmed | Status::InProduction)
                    && rng.gen_bool(0.04) =>
            {
                let key = if rng.gen_bool(0.5) {
                    d.delivery_address.clear();
                    "missing_address"
                } else {
                    d.due_date = None;
                    "missing_due"
                };
                self.reason_text = self.words.reasons(key).ok().map(|l| text(rng, l, lang));
            }
            _ => {}
        }
    }

    /// The order row, its lines and its search document, from the draft.
    fn order_row(&mut self, id: i64, customer: Option<u32>, plan: &Plan, life: &Life, due: &Due) {
        let d = &mut self.draft;
        let status = life.status();
        let changed = life.steps.last().map_or(plan.ordered, |s| s.at);
        let shipped = life.has_reached(Status::Shipped);
        let cust = customer.map(|c| &self.customers[c as usize]);
        let missing = d.missing_fields().join(",");
        let total = canonical(d.total());
        let body = order_body(
            &d.order_no,
            cust.map_or("", |c| c.code.as_str()),
            cust.map_or("", |c| c.name.as_str()),
            d.lines
                .iter()
                .map(|l| (l.product_code.as_str(), l.spec.as_str())),
            &d.notes,
        );
        self.chunk.search.push((id, body));
        self.chunk.orders.push(OrderRow {
            id,
            order_no: std::mem::take(&mut d.order_no),
            customer_id: d.customer_id,
            order_type: d.order_type.as_str(),
            status: status.as_str(),
            held_from: life.held_from.map(Status::as_str),
            ordered_at: plan.ordered,
            due_date: due.current,
            first_due_date: due.first,
            address_of: customer.filter(|_| !d.delivery_address.is_empty()),
            currency: cust.map_or("CNY", |c| c.currency),
            payment_due: shipped.then_some(plan.payment_due),
            paid_at: plan.paid.filter(|p| shipped && *p < 0),
            total,
            missing,
            missing_reason: self.reason_text,
            notes: self.note_text,
            delivered_at: matches!(status, Status::Delivered | Status::Closed)
                .then(|| plan.delivered()),
            status_changed_at: changed,
            updated_at: changed.max(due.last_change),
        });
        for (no, line) in d.lines.drain(..).enumerate() {
            self.ids.line += 1;
            self.chunk.lines.push(LineRow {
                id: self.ids.line,
                order_id: id,
                line_no: no as i64 + 1,
                product_code: Some(line.product_code).filter(|c| !c.is_empty()),
                spec: line.spec,
                quantity: canonical(line.quantity),
                unit: line.unit,
                unit_price: line.unit_price.map(canonical),
            });
        }
    }

    /// Every step of the order's life; a few were recorded some hours after they
    /// happened, as when the clerk catches up on paperwork.
    fn history(&mut self, id: i64, life: &Life, lang: Language) {
        for step in &life.steps {
            let late_by = if self.rng.gen_bool(0.03) {
                self.rng.gen_range(HOUR..2 * DAY)
            } else {
                0
            };
            let key = match step.to {
                Status::Cancelled => Some("cancel"),
                Status::OnHold => Some("hold"),
                Status::Lost if self.rng.gen_bool(0.7) => Some("lost"),
                _ => None,
            };
            let note = match key.map(|k| self.words.reasons(k)) {
                Some(Ok(list)) => Some(text(&mut self.rng, list, lang)),
                _ => None,
            };
            self.ids.history += 1;
            self.chunk.history.push(HistoryRow {
                id: self.ids.history,
                order_id: id,
                from: step.from.as_str(),
                to: step.to.as_str(),
                happened_at: step.at,
                recorded_at: (step.at + late_by).min(self.clock.now),
                note,
            });
        }
    }
}

/// One order line: a catalogue item in the customer's language, a quantity that makes a
/// plausible amount, and a price converted into the order's currency.
fn make_line(rng: &mut ChaCha8Rng, words: &Words, lang: Language, currency: &str) -> OrderLine {
    let product = &words.products[rng.gen_range(0..words.products.len())];
    let spec = product.specs[rng.gen_range(0..product.specs.len())];
    // The lower of two draws: cheap variants are more common than dear ones.
    let span = product.max_price - product.min_price;
    let usd = product.min_price + rng.gen_range(0..=span).min(rng.gen_range(0..=span));
    let mut price = usd * rate(currency) / 10_000;
    // Round as a price list would: cents from 1.00, tenths of a cent from 0.10, finer below.
    price = match price {
        p if p >= 10_000 => (p + 50) / 100 * 100,
        p if p >= 1_000 => (p + 5) / 10 * 10,
        p => p.max(1),
    };
    let target = rng
        .gen_range(300..=20_000i64)
        .min(rng.gen_range(300..=20_000))
        * 10_000;
    let quantity = match product.unit {
        "set" => Decimal::from(rng.gen_range(1..=3)),
        unit => {
            let raw = (target / usd.max(1)).max(1);
            let round = match raw {
                r if r >= 5_000 => 500,
                r if r >= 1_000 => 100,
                r if r >= 100 => 10,
                _ => 1,
            };
            let q = ((raw / round).max(1) * round).min(2_000_000);
            if unit != "pcs" && q < 200 && rng.gen_bool(0.3) {
                Decimal::new(q * 10 + rng.gen_range(1..10), 1)
            } else {
                Decimal::from(q)
            }
        }
    };
    OrderLine {
        product_code: format!("{}-{:04}", product.prefix, rng.gen_range(1..=300)),
        spec: format!("{} {}", product.name.get(lang), spec.get(lang)),
        quantity,
        unit: product.unit.to_string(),
        unit_price: Some(Decimal::new(price, 4)),
    }
}
