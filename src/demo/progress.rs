//! What happens to a demo order after confirmation: production progress, exceptions (with
//! the due-date revisions they cause), and shipments. All follow the order's plan, so a
//! late delivery has a delay exception behind it and a bottleneck shows as production
//! running past its planned finish.

use super::clock::{DAY, HOUR};
use super::orders::{Due, Gen};
use super::rows::{Day, ExceptionRow, ProductionRow, RevisionRow, ShipmentRow};
use super::story::{Leg, Life, Plan, MAX_DUE_DAYS};
use crate::domain::enums::{
    ExceptionCause, ExceptionKind, Language, MaterialsState, ProductionStage, ShipMode,
    ShipmentStatus,
};
use crate::domain::money::canonical;
use crate::domain::status::Status;
use rand::Rng;
use rust_decimal::Decimal;

/// A due-date change being planned: when, and the day it moves to, or `None` for a
/// customer's request of some days later.
struct Change {
    at: i64,
    to: Option<Day>,
    reason: &'static str,
}

fn cause_key(cause: ExceptionCause) -> &'static str {
    match cause {
        ExceptionCause::SupplierDelay => "delay:supplier_delay",
        ExceptionCause::ProductionBreakdown => "delay:production_breakdown",
        ExceptionCause::Logistics => "delay:logistics",
        ExceptionCause::CustomerChange => "delay:customer_change",
        ExceptionCause::Quality => "delay:quality",
        ExceptionCause::Other => "delay:other",
    }
}

fn kind_key(kind: ExceptionKind) -> &'static str {
    match kind {
        ExceptionKind::Stockout => "exception:stockout",
        ExceptionKind::Quality => "exception:quality",
        ExceptionKind::SpecMismatch => "exception:spec_mismatch",
        ExceptionKind::Other | ExceptionKind::Delay => "exception:other",
    }
}

/// Waybill digits for shipment number `n`: carriers issue numbers in sequence, so each
/// shipment gets its own block of ten (`jitter` below 10 picks one) above 10^(digits−1),
/// unique while 10·n stays below 9·10^(digits−1) (nine million shipments for the shortest,
/// eight-digit numbers). Growing numbers also keep the unique index on waybill_no cheap.
fn waybill_digits(n: u64, jitter: u64, digits: u32) -> u64 {
    let first = 10u128.pow(digits - 1);
    (first + (n as u128 * 10 + jitter as u128) % (9 * first)) as u64
}

impl Gen<'_> {
    fn text(&mut self, key: &str, lang: Language) -> &'static str {
        match self.words.reasons(key) {
            Ok(list) => list[self.rng.gen_range(0..list.len())].get(lang),
            Err(_) => "",
        }
    }

    /// Informed within a day and a half, mostly; some customers were never told.
    fn informed(&mut self, opened: i64) -> Option<i64> {
        let at = opened + self.rng.gen_range(HOUR..36 * HOUR);
        (self.rng.gen_bool(0.85) && at <= self.clock.now).then_some(at)
    }

    fn exception(
        &mut self,
        order_id: i64,
        (kind, cause): (ExceptionKind, ExceptionCause),
        opened: i64,
        resolved: Option<i64>,
        note: &'static str,
    ) {
        let customer_informed_at = self.informed(opened);
        self.ids.exception += 1;
        self.chunk.exceptions.push(ExceptionRow {
            id: self.ids.exception,
            order_id,
            kind: kind.as_str(),
            cause: cause.as_str(),
            opened_at: opened,
            customer_informed_at,
            resolved_at: resolved,
            note,
        });
    }

    /// The exceptions of this order: production slips and transit delays (kind delay, with
    /// their cause), and now and then a stockout, quality or spec problem.
    pub(super) fn exceptions(&mut self, id: i64, plan: &Plan, life: &Life, lang: Language) {
        let now = self.clock.now;
        if !life.has_reached(Status::InProduction) || life.status() == Status::Cancelled {
            return;
        }
        let delay = ExceptionKind::Delay;
        if let Some(slip) = plan.production_slip.filter(|_| self.rng.gen_bool(0.8)) {
            let span = plan.planned_ready - plan.in_production;
            let opened = plan.in_production + self.rng.gen_range(span * 3 / 10..span);
            if opened <= now {
                let note = self.text(cause_key(slip.cause), lang);
                let resolved = Some(plan.ready).filter(|r| *r <= now);
                self.exception(id, (delay, slip.cause), opened, resolved, note);
            }
        }
        // The clerk opens one for a delay in transit that matters (several days).
        if plan.transit_slip >= 3 * DAY
            && life.has_reached(Status::Shipped)
            && self.rng.gen_bool(0.4)
        {
            let eta = plan.first.eta;
            let opened = (eta - self.rng.gen_range(0..DAY)).max(plan.first.shipped + HOUR);
            if opened <= now {
                let cause = ExceptionCause::Logistics;
                let note = self.text(cause_key(cause), lang);
                let resolved = Some(plan.first.delivered).filter(|d| *d <= now);
                self.exception(id, (delay, cause), opened, resolved, note);
            }
        }
        if self.rng.gen_bool(0.03) {
            use ExceptionCause as C;
            use ExceptionKind as K;
            let what = [
                (K::Stockout, C::SupplierDelay),
                (K::Quality, C::Quality),
                (K::SpecMismatch, C::CustomerChange),
                (K::SpecMismatch, C::Other),
                (K::Other, C::Other),
            ][self.rng.gen_range(0..5)];
            let opened =
                plan.in_production + self.rng.gen_range(0..plan.ready - plan.in_production);
            let resolved = opened + self.rng.gen_range(DAY..5 * DAY);
            let resolved = Some(resolved).filter(|r| *r <= now && self.rng.gen_bool(0.9));
            if opened <= now {
                let note = self.text(kind_key(what.0), lang);
                self.exception(id, what, opened, resolved, note);
            }
        }
    }

    /// A late delivery nobody had flagged gets its delay exception afterwards, when the
    /// clerk explains it to the customer; so most late deliveries have a cause.
    pub(super) fn late_delivery_exception(
        &mut self,
        id: i64,
        plan: &Plan,
        due: Option<Day>,
        first_exception: usize,
        lang: Language,
    ) {
        let delivered = plan.delivered();
        let Some(due) = due.filter(|d| self.clock.offset_of(delivered) > *d) else {
            return;
        };
        let delay = ExceptionKind::Delay.as_str();
        let flagged = self.chunk.exceptions[first_exception..]
            .iter()
            .any(|e| e.kind == delay);
        if flagged || !self.rng.gen_bool(0.75) {
            return;
        }
        let cause = if plan.transit_slip > 0 || plan.second.is_some() {
            ExceptionCause::Logistics
        } else {
            [
                ExceptionCause::ProductionBreakdown,
                ExceptionCause::SupplierDelay,
                ExceptionCause::Other,
            ][self.rng.gen_range(0..3)]
        };
        // Noticed on the promised day, when the goods were not there.
        let opened = (self.clock.day(due) + 10 * HOUR)
            .max(plan.first.shipped + HOUR)
            .min(delivered - HOUR);
        let note = self.text(cause_key(cause), lang);
        self.exception(
            id,
            (ExceptionKind::Delay, cause),
            opened,
            Some(delivered),
            note,
        );
    }

    /// Due-date changes: half the production delays and some transit delays (the order's
    /// exceptions from `first_exception` on) move the promise to the expected arrival, and
    /// a few customers ask for a later date. The first promise stays in `first_due_date`.
    pub(super) fn revisions(
        &mut self,
        id: i64,
        plan: &Plan,
        life: &Life,
        lang: Language,
        first_exception: usize,
    ) -> Due {
        if self.draft.due_date.is_none() {
            return Due::default();
        }
        let now = self.clock.now;
        let expected = self.clock.offset_of(plan.delivered());
        let mut changes: Vec<Change> = Vec::new();
        for i in first_exception..self.chunk.exceptions.len() {
            let e = &self.chunk.exceptions[i];
            let (opened, note) = (e.opened_at, e.note);
            let delay = e.kind == ExceptionKind::Delay.as_str();
            let logistics = e.cause == ExceptionCause::Logistics.as_str();
            let chance = match (delay, logistics) {
                (true, true) => 0.3,
                (true, false) => 0.5,
                (false, _) => 0.0,
            };
            if self.rng.gen_bool(chance) {
                let at = opened + self.rng.gen_range(2 * HOUR..DAY);
                let to = expected + self.rng.gen_range(0..=2);
                if at <= now {
                    changes.push(Change {
                        at,
                        to: Some(to),
                        reason: note,
                    });
                }
            }
        }
        let end = plan.first.shipped.min(now);
        if life.has_reached(Status::Confirmed)
            && end > plan.confirmed + 2 * HOUR
            && self.rng.gen_bool(0.08)
        {
            let at = self.rng.gen_range(plan.confirmed + HOUR..end);
            let reason = self.text("revise_customer", lang);
            changes.push(Change {
                at,
                to: None,
                reason,
            });
        }
        changes.sort_by_key(|c| c.at);
        changes.truncate(2);
        let mut due = Due {
            first: Some(plan.due),
            current: Some(plan.due),
            last_change: 0,
        };
        for c in changes {
            let old = due.current.unwrap_or(plan.due);
            let new =
                c.to.unwrap_or(old + self.rng.gen_range(3..=14))
                    .max(old + 1);
            // Promises reach at most two months ahead, revised ones too.
            let new = new.min(MAX_DUE_DAYS);
            if new <= old {
                continue;
            }
            self.ids.revision += 1;
            self.chunk.revisions.push(RevisionRow {
                id: self.ids.revision,
                order_id: id,
                old_due: old,
                new_due: new,
                changed_at: c.at,
                reason: c.reason,
            });
            due.current = Some(new);
            due.last_change = c.at;
        }
        due
    }

    /// Production progress for confirmed orders (and those held after confirmation), as
    /// far as it had come at now or when the order was put on hold.
    pub(super) fn production(&mut self, id: i64, plan: &Plan, life: &Life) {
        let now = self.clock.now;
        let (stage_of, at) = match (life.status(), life.held_from) {
            (Status::OnHold, Some(from)) => (from, life.steps.last().map_or(now, |s| s.at)),
            (s, _) => (s, now),
        };
        use MaterialsState as M;
        use ProductionStage as P;
        let (stage, materials, percent, updated_at) = match stage_of {
            Status::Confirmed => {
                let materials = if self.rng.gen_bool(0.5) {
                    M::Pending
                } else {
                    M::Ordered
                };
                let since = (at - plan.confirmed).clamp(1, DAY);
                (
                    P::Materials,
                    materials,
                    0,
                    plan.confirmed + self.rng.gen_range(0..since),
                )
            }
            Status::InProduction => {
                let done = at - plan.in_production;
                let permille = done * 1000 / (plan.ready - plan.in_production).max(1);
                let (stage, percent) = match permille {
                    p if p < 100 => (P::Scheduled, p / 20),
                    p if p < 850 => (P::Producing, p / 10),
                    p => (P::Qc, (p / 10).min(99)),
                };
                let materials = if stage == P::Scheduled && self.rng.gen_bool(0.4) {
                    M::Ordered
                } else {
                    M::Received
                };
                (
                    stage,
                    materials,
                    percent,
                    at - self.rng.gen_range(0..done.clamp(1, 2 * DAY)),
                )
            }
            Status::Ready | Status::Shipped | Status::Delivered | Status::Closed => {
                (P::Done, M::Received, 100, plan.ready)
            }
            _ => return,
        };
        self.chunk.production.push(ProductionRow {
            order_id: id,
            stage: stage.as_str(),
            materials: materials.as_str(),
            scheduled_start: self.clock.offset_of(plan.in_production),
            planned_finish: self.clock.offset_of(plan.planned_ready),
            percent,
            updated_at,
        });
    }

    /// Shipments of orders that have shipped: one, or two for a partial delivery whose
    /// second part may still be booked. Returns when the first one left (0 if none).
    pub(super) fn shipments(&mut self, id: i64, plan: &Plan, life: &Life) -> i64 {
        if !life.has_reached(Status::Shipped) || life.status() == Status::Cancelled {
            return 0;
        }
        for leg in std::iter::once(plan.first).chain(plan.second) {
            self.shipment(id, plan.mode, leg);
        }
        plan.first.shipped
    }

    fn shipment(&mut self, order_id: i64, mode: ShipMode, leg: Leg) {
        let now = self.clock.now;
        let rng = &mut self.rng;
        let carriers = &self.words.carriers[mode as usize];
        let carrier = &carriers[rng.gen_range(0..carriers.len())];
        self.ids.shipment += 1;
        let id = self.ids.shipment;
        let waybill_no = format!(
            "{}{:0width$}",
            carrier.prefix,
            waybill_digits(
                id as u64 + self.waybill_offset,
                rng.gen_range(0..10),
                carrier.digits
            ),
            width = carrier.digits as usize
        );
        let customs_possible = matches!(mode, ShipMode::Sea | ShipMode::Air | ShipMode::Rail);
        use ShipmentStatus as S;
        let (shipped, delivered, status) = if leg.shipped > now {
            (None, None, S::Booked)
        } else if leg.delivered <= now {
            (Some(leg.shipped), Some(leg.delivered), S::Delivered)
        } else if now > leg.eta {
            let s = if customs_possible && rng.gen_bool(0.3) {
                S::Customs
            } else {
                S::Delayed
            };
            (Some(leg.shipped), None, s)
        } else if rng.gen_bool(0.01) {
            (Some(leg.shipped), None, S::Exception)
        } else if customs_possible && (now - leg.shipped) * 10 > (leg.eta - leg.shipped) * 7 {
            (Some(leg.shipped), None, S::Customs)
        } else {
            (Some(leg.shipped), None, S::InTransit)
        };
        let (weight, packages) = match mode {
            ShipMode::Express => (rng.gen_range(5..3_000), rng.gen_range(1..=20)),
            ShipMode::Air => (rng.gen_range(200..20_000), rng.gen_range(2..=60)),
            _ => (rng.gen_range(2_000..200_000), rng.gen_range(10..=400)),
        };
        self.chunk.shipments.push(ShipmentRow {
            id,
            order_id,
            carrier: carrier.name,
            waybill_no,
            mode: mode.as_str(),
            shipped_at: shipped,
            eta: leg.eta,
            delivered_at: delivered,
            status: status.as_str(),
            weight_kg: canonical(Decimal::new(weight, 1)),
            packages,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::waybill_digits;

    #[test]
    fn waybill_numbers_grow_and_never_repeat() {
        let mut last = None;
        for n in 0..200_000u64 {
            let d = waybill_digits(n, n * 7 % 10, 8);
            assert!(last < Some(d));
            last = Some(d);
        }
        assert_eq!(waybill_digits(0, 3, 8), 10_000_003);
        assert!(waybill_digits(8_999_999, 9, 8) < 100_000_000);
    }
}
