//! The life of one demo order. First a plan: when it would be quoted, confirmed, produced,
//! shipped, delivered and closed (or lost or cancelled), drawn from lead times typical for
//! its type and market; the promised due date follows from that plan, and slips (supplier,
//! breakdown, port congestion …) make some deliveries late. Then the plan is cut at "now":
//! the steps already taken are the status history and the last one is the status. Pure: no
//! SQL, so these rules are tested on their own.

use super::clock::{Clock, DAY, HOUR};
use crate::domain::enums::{ExceptionCause, Language, OrderType, ShipMode};
use crate::domain::status::Status;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// How far ahead (days) a due date may be promised.
pub const MAX_DUE_DAYS: i64 = 60;

/// What the plan is drawn from.
pub struct Inputs {
    pub kind: OrderType,
    pub ordered: i64,
    /// Chinese customers are domestic (road, express); English ones ship abroad.
    pub lang: Language,
    pub payment_terms_days: i64,
}

/// One shipment's times; any may lie after now (not happened yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leg {
    pub shipped: i64,
    pub eta: i64,
    pub delivered: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Won,
    Lost(i64),
    Cancelled(i64),
}

/// Why production finished later than planned, and by how much.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slip {
    pub cause: ExceptionCause,
    pub seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub ordered: i64,
    pub quoted: i64,
    pub fate: Fate,
    pub confirmed: i64,
    pub in_production: i64,
    pub planned_ready: i64,
    pub ready: i64,
    pub mode: ShipMode,
    pub first: Leg,
    /// A partial delivery's second shipment.
    pub second: Option<Leg>,
    pub production_slip: Option<Slip>,
    /// Extra days in transit (port congestion, customs) on the first shipment.
    pub transit_slip: i64,
    /// The date promised at confirmation, as a day offset from today.
    pub due: i64,
    pub payment_due: i64,
    /// When the customer pays (day offset), or never.
    pub paid: Option<i64>,
    pub closed: Option<i64>,
}

impl Plan {
    /// When the last shipment arrives: the order's delivery.
    pub fn delivered(&self) -> i64 {
        self.second.map_or(self.first.delivered, |s| {
            s.delivered.max(self.first.delivered)
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub from: Status,
    pub to: Status,
    pub at: i64,
}

/// The plan cut at now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Life {
    pub steps: Vec<Step>,
    pub held_from: Option<Status>,
}

impl Life {
    pub fn status(&self) -> Status {
        self.steps.last().map_or(Status::Inquiry, |s| s.to)
    }

    /// How far along the main line the order got, even if now held or cancelled.
    pub fn reached(&self) -> Status {
        self.steps
            .iter()
            .rev()
            .map(|s| s.to)
            .find(|s| main_index(*s).is_some())
            .unwrap_or(Status::Inquiry)
    }

    pub fn has_reached(&self, s: Status) -> bool {
        main_index(self.reached()) >= main_index(s)
    }
}

/// Position on the main line `inquiry → … → closed`; side states have none.
pub fn main_index(s: Status) -> Option<usize> {
    use Status::*;
    [
        Inquiry,
        Quoted,
        Confirmed,
        InProduction,
        Ready,
        Shipped,
        Delivered,
        Closed,
    ]
    .iter()
    .position(|m| *m == s)
}

fn hours(rng: &mut ChaCha8Rng, from: i64, to: i64) -> i64 {
    rng.gen_range(from * HOUR..=to * HOUR)
}

fn days(rng: &mut ChaCha8Rng, from: i64, to: i64) -> i64 {
    rng.gen_range(from * DAY..=to * DAY)
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, weighted: &[(T, u32)]) -> T {
    let total: u32 = weighted.iter().map(|(_, w)| w).sum();
    let mut roll = rng.gen_range(0..total);
    for (item, w) in weighted {
        if roll < *w {
            return *item;
        }
        roll -= w;
    }
    weighted[weighted.len() - 1].0
}

fn ship_mode(rng: &mut ChaCha8Rng, kind: OrderType, lang: Language) -> ShipMode {
    use ShipMode::*;
    match (lang, kind) {
        (Language::Zh, OrderType::Rush) => Express,
        (Language::Zh, _) => pick(rng, &[(Road, 45), (Express, 35), (Sea, 12), (Rail, 8)]),
        (Language::En, OrderType::Rush) => pick(rng, &[(Air, 60), (Express, 40)]),
        (Language::En, _) => pick(rng, &[(Sea, 55), (Air, 20), (Express, 15), (Rail, 10)]),
    }
}

fn transit(rng: &mut ChaCha8Rng, mode: ShipMode, lang: Language) -> i64 {
    match (mode, lang) {
        (ShipMode::Express, Language::Zh) => days(rng, 1, 3),
        (ShipMode::Express, Language::En) => days(rng, 3, 6),
        (ShipMode::Air, _) => days(rng, 3, 7),
        (ShipMode::Road, _) => days(rng, 1, 4),
        (ShipMode::Rail, _) => days(rng, 14, 22),
        (ShipMode::Sea, _) => days(rng, 20, 38),
    }
}

fn slip_cause(rng: &mut ChaCha8Rng) -> ExceptionCause {
    use ExceptionCause::*;
    pick(
        rng,
        &[
            (SupplierDelay, 35),
            (ProductionBreakdown, 25),
            (Quality, 15),
            (CustomerChange, 15),
            (Other, 10),
        ],
    )
}

/// Draws the whole plan of one order.
pub fn plan(rng: &mut ChaCha8Rng, clock: &Clock, inp: &Inputs) -> Plan {
    use OrderType::*;
    let kind = inp.kind;
    let quoted = inp.ordered
        + match kind {
            Regular => hours(rng, 2, 72),
            Rush => hours(rng, 1, 12),
            Custom => days(rng, 1, 6),
        };
    let confirmed = quoted
        + match kind {
            Regular => days(rng, 1, 8),
            Rush => hours(rng, 2, 48),
            Custom => days(rng, 3, 15),
        };
    // Waiting for materials keeps a confirmed order out of production for days, so the desk
    // always has confirmed orders to move on (and the acceptance walk-through has some).
    let in_production = confirmed
        + match kind {
            Regular => days(rng, 5, 20),
            Rush => hours(rng, 12, 72),
            Custom => days(rng, 7, 28),
        };
    let planned_ready = in_production
        + match kind {
            Regular => days(rng, 8, 25),
            Rush => days(rng, 3, 8),
            Custom => days(rng, 20, 45),
        };
    let slip_chance = match kind {
        Regular => 0.04,
        Rush => 0.06,
        Custom => 0.08,
    };
    let production_slip = rng.gen_bool(slip_chance).then(|| Slip {
        cause: slip_cause(rng),
        seconds: days(rng, 3, 20),
    });
    let ready = planned_ready + production_slip.map_or(0, |s| s.seconds);
    let mode = ship_mode(rng, kind, inp.lang);
    let planned_transit = transit(rng, mode, inp.lang);
    let handling = if kind == Rush {
        hours(rng, 4, 24)
    } else {
        hours(rng, 12, 72)
    };
    // Port congestion and customs hold up sea and rail freight far more than trucks.
    let transit_slip_chance = match mode {
        ShipMode::Sea => 0.15,
        ShipMode::Rail => 0.10,
        ShipMode::Air => 0.05,
        ShipMode::Road | ShipMode::Express => 0.03,
    };
    let mut transit_slip = if rng.gen_bool(transit_slip_chance) {
        days(rng, 2, 12)
    } else {
        0
    };
    let shipped = ready + handling;
    let eta = shipped + planned_transit;
    if (clock.now - 5 * DAY..=clock.now).contains(&eta)
        && eta + transit_slip <= clock.now
        && rng.gen_bool(0.25)
    {
        // Held at the port or in customs right now: due in the last days, not there yet.
        // These are the late shipments the Today screen shows.
        transit_slip = clock.now - eta + hours(rng, 12, 96);
    }
    let first = Leg {
        shipped,
        eta,
        delivered: eta + transit_slip,
    };
    let second = rng.gen_bool(0.12).then(|| {
        let at = shipped + days(rng, 2, 10);
        let late = if rng.gen_bool(0.05) {
            days(rng, 2, 8)
        } else {
            0
        };
        Leg {
            shipped: at,
            eta: at + planned_transit,
            delivered: at + planned_transit + late,
        }
    });
    let gap = second.map_or(0, |s| s.shipped - shipped);
    let planned_delivery = planned_ready + 2 * DAY + gap + planned_transit;
    let slack = match kind {
        Regular => rng.gen_range(0..=6),
        Rush => rng.gen_range(0..=2),
        Custom => rng.gen_range(2..=10),
    };
    // Promises reach at most two months ahead; a later plan is simply at risk.
    let due = (clock.offset_of(planned_delivery) + slack).min(MAX_DUE_DAYS - rng.gen_range(0..10));
    let fate = fate(rng, kind, quoted, confirmed, shipped);
    let mut plan = Plan {
        ordered: inp.ordered,
        quoted,
        fate,
        confirmed,
        in_production,
        planned_ready,
        ready,
        mode,
        first,
        second,
        production_slip,
        transit_slip,
        due,
        payment_due: 0,
        paid: None,
        closed: None,
    };
    settle_payment(rng, clock, &mut plan, inp.payment_terms_days);
    plan
}

fn fate(rng: &mut ChaCha8Rng, kind: OrderType, quoted: i64, confirmed: i64, shipped: i64) -> Fate {
    let lost_chance = match kind {
        OrderType::Regular => 0.15,
        OrderType::Rush => 0.08,
        OrderType::Custom => 0.25,
    };
    if rng.gen_bool(lost_chance) {
        Fate::Lost(quoted + days(rng, 3, 30))
    } else if rng.gen_bool(0.03) {
        Fate::Cancelled(confirmed + rng.gen_range(HOUR..(shipped - confirmed).max(2 * HOUR)))
    } else {
        Fate::Won
    }
}

/// Invoice at shipment, due after the customer's terms; most pay around the due date, a few
/// never do (overdue payments for the Today screen). Closing follows payment and delivery.
fn settle_payment(rng: &mut ChaCha8Rng, clock: &Clock, plan: &mut Plan, terms_days: i64) {
    let shipped_day = clock.offset_of(plan.first.shipped);
    plan.payment_due = shipped_day + terms_days;
    if rng.gen_bool(0.93) {
        let paid = (plan.payment_due + rng.gen_range(-20..=15)).max(shipped_day);
        plan.paid = Some(paid);
        let after_delivery = plan.delivered() + days(rng, 5, 30);
        let after_payment = clock.day(paid) + hours(rng, 10, 48);
        plan.closed = Some(after_delivery.max(after_payment));
    }
}

/// The steps of the plan that happened before `now`, with an occasional hold on an open
/// order.
pub fn cut(rng: &mut ChaCha8Rng, plan: &Plan, now: i64, life: &mut Life) {
    use Status::*;
    life.steps.clear();
    life.held_from = None;
    let mut events: [(Status, i64); 8] = [(Quoted, plan.quoted); 8];
    let mut n = 1;
    let mut push = |s: Status, at: i64| {
        events[n] = (s, at);
        n += 1;
    };
    match plan.fate {
        Fate::Lost(at) => push(Lost, at),
        Fate::Won | Fate::Cancelled(_) => {
            push(Confirmed, plan.confirmed);
            push(InProduction, plan.in_production);
            push(Ready, plan.ready);
            push(Shipped, plan.first.shipped);
            push(Delivered, plan.delivered());
            if let Some(closed) = plan.closed {
                push(Closed, closed);
            }
        }
    }
    if let Fate::Cancelled(at) = plan.fate {
        n = events[..n].iter().take_while(|(_, t)| *t < at).count();
        events[n] = (Cancelled, at);
        n += 1;
    }
    let mut from = Inquiry;
    for &(to, at) in events[..n].iter().take_while(|(_, t)| *t <= now) {
        life.steps.push(Step { from, to, at });
        from = to;
    }
    maybe_hold(rng, plan, now, life);
}

fn maybe_hold(rng: &mut ChaCha8Rng, plan: &Plan, now: i64, life: &mut Life) {
    let status = life.status();
    let open = matches!(
        status,
        Status::Quoted | Status::Confirmed | Status::InProduction | Status::Ready
    );
    let last = life.steps.last().map_or(plan.ordered, |s| s.at);
    if open && now - last > 2 * HOUR && rng.gen_bool(0.04) {
        let at = last + rng.gen_range(HOUR..now - last);
        life.steps.push(Step {
            from: status,
            to: Status::OnHold,
            at,
        });
        life.held_from = Some(status);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn steps_follow_the_lifecycle_in_time_order_and_stop_at_now() {
        let clock = Clock::new(chrono::NaiveDate::from_ymd_opt(2026, 6, 15).unwrap());
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut life = Life::default();
        for i in 0..5_000 {
            let inp = Inputs {
                kind: [OrderType::Regular, OrderType::Rush, OrderType::Custom][i % 3],
                ordered: clock.day(-(i as i64 % 390) - 1) + 9 * HOUR,
                lang: if i % 2 == 0 {
                    Language::Zh
                } else {
                    Language::En
                },
                payment_terms_days: 30,
            };
            let p = plan(&mut rng, &clock, &inp);
            assert!(p.quoted < p.confirmed && p.confirmed < p.in_production);
            assert!(p.planned_ready <= p.ready && p.ready < p.first.shipped);
            assert!(p.first.eta <= p.first.delivered && p.due <= MAX_DUE_DAYS);
            cut(&mut rng, &p, clock.now, &mut life);
            let mut at = p.ordered;
            let mut from = Status::Inquiry;
            for s in &life.steps {
                assert!(s.at > at && s.at <= clock.now, "{s:?} after {at}");
                assert_eq!(s.from, from);
                assert!(s.from.check_transition(s.to).is_ok(), "{s:?}");
                (at, from) = (s.at, s.to);
            }
            if life.status() == Status::OnHold {
                assert_eq!(life.held_from, Some(life.reached()));
            }
        }
    }
}
