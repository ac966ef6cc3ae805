//! Hand-computed cases for every §4 formula. Instants are built from local midnights, so the
//! cases hold in any `TZ`.

use super::*;
use crate::domain::money::parse_decimal;
use serde_json::json;

fn month() -> Month {
    "2026-03".parse().unwrap()
}

fn at(day: u32, hour: i64) -> i64 {
    day_start(NaiveDate::from_ymd_opt(2026, 3, day).unwrap()) + hour * 3600
}

#[test]
fn an_empty_month_has_zero_counts_and_null_rates() {
    let r = MonthTally::new(month(), at(15, 0)).finish();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(
        v,
        json!({
            "month": "2026-03",
            "orders": {"confirmed": {"count": 0, "amount": {},
                "by_type": {"regular": 0, "rush": 0, "custom": 0}}},
            "delivery": {"delivered": 0, "on_time": 0, "on_time_rate": null,
                "on_time_vs_first_promise": 0,
                "late_by_cause": {"supplier_delay": 0, "production_breakdown": 0, "logistics": 0,
                    "customer_change": 0, "quality": 0, "other": 0, "unspecified": 0}},
            "conversion": {"won": 0, "lost": 0, "rate": null,
                "by_customer_type": {
                    "new": {"won": 0, "lost": 0, "rate": null},
                    "regular": {"won": 0, "lost": 0, "rate": null},
                    "key_account": {"won": 0, "lost": 0, "rate": null},
                    "distributor": {"won": 0, "lost": 0, "rate": null}},
                "by_cycle": {"0-7": 0, "8-30": 0, "31-90": 0, "90+": 0},
                "avg_days_to_confirm": null},
            "complaints": {"opened": 0,
                "by_type": {"spec_mismatch": 0, "quality": 0, "delivery_delay": 0,
                    "after_sales": 0, "payment": 0, "other": 0},
                "responded_within_24h": 0, "response_rate_24h": null,
                "avg_first_response_hours": null, "closed": 0, "closure_rate": null},
            "contacts": {"inbound": 0, "replied_within_24h": 0, "reply_rate_24h": null,
                "by_channel": {"email": 0, "phone": 0, "im": 0, "visit": 0}},
            "satisfaction": {"surveys": 0, "accuracy": null, "response": null,
                "resolution": null, "attitude": null, "customisation": null, "quality": null,
                "nps": null},
            "requirements": {"met": 0, "declined": 0, "fulfilment_rate": null},
            "spot_checks": {"checked": 0, "accurate": 0, "accuracy_rate": null},
            "status_updates": {"changes": 0, "recorded_within_1h": 0, "rate_1h": null},
            "targets": {
                "on_time_rate": {"target": 0.95, "actual": null, "met": null},
                "response_rate_24h": {"target": 0.9, "actual": null, "met": null},
                "reply_rate_24h": {"target": 0.9, "actual": null, "met": null},
                "closure_rate": {"target": 0.9, "actual": null, "met": null},
                "rate_1h": {"target": 0.95, "actual": null, "met": null},
                "accuracy_rate": {"target": 0.95, "actual": null, "met": null}}
        })
    );
    // Keys come out in §4 order, breakdowns in vocabulary order.
    let text = serde_json::to_string(&r).unwrap();
    let pos = |k: &str| text.find(k).unwrap();
    assert!(pos("\"orders\"") < pos("\"delivery\"") && pos("\"delivery\"") < pos("\"conversion\""));
    assert!(pos("\"regular\"") < pos("\"rush\"") && pos("\"rush\"") < pos("\"custom\""));
}

#[test]
fn currencies_are_summed_apart_and_only_won_orders_count() {
    let mut t = MonthTally::new(month(), at(31, 0));
    let d = |s: &str| parse_decimal(s).unwrap();
    t.order(Status::Confirmed, "regular", "USD", d("10.5"));
    t.order(Status::Delivered, "rush", "CNY", d("3"));
    t.order(Status::Closed, "rush", "USD", d("0.25"));
    t.order(Status::Lost, "regular", "USD", d("1000"));
    t.order(Status::Quoted, "custom", "EUR", d("7"));
    t.order(Status::OnHold, "custom", "EUR", d("7"));
    t.order(Status::Lost, "custom", "EUR", d("7"));
    let r = t.finish();
    let c = &r.orders.confirmed;
    assert_eq!(c.count, 3);
    assert_eq!(
        serde_json::to_value(&c.amount).unwrap(),
        json!({"CNY": "3.00", "USD": "10.75"})
    );
    assert_eq!(
        serde_json::to_value(&c.by_type).unwrap(),
        json!({"regular": 1, "rush": 2, "custom": 0})
    );
    assert_eq!((r.conversion.won, r.conversion.lost), (3, 2));
    assert_eq!(r.conversion.rate, Some(0.6));
}

#[test]
fn on_time_is_by_local_date_and_first_promise_falls_back_to_the_due_date() {
    let mut t = MonthTally::new(month(), at(31, 0));
    let mut deliver =
        |delivered_at: i64, due: Option<&str>, first: Option<&str>, cause: Option<&str>| {
            let v = t.judge(delivered_at, due, first);
            t.delivery(v, cause);
            v
        };
    // Last second of the due date, local time: on time.
    let v = deliver(at(11, 0) - 1, Some("2026-03-10"), Some("2026-03-10"), None);
    assert_eq!(
        v,
        Verdict {
            on_time: true,
            on_time_first: true
        }
    );
    // First second after it: late, and its cause is the one given.
    let v = deliver(at(11, 0), Some("2026-03-10"), None, Some("supplier_delay"));
    assert_eq!(
        v,
        Verdict {
            on_time: false,
            on_time_first: false
        }
    );
    // Postponed from the 10th to the 20th, delivered on the 15th: on time, not against the first promise.
    let v = deliver(at(15, 9), Some("2026-03-20"), Some("2026-03-10"), None);
    assert_eq!(
        v,
        Verdict {
            on_time: true,
            on_time_first: false
        }
    );
    // Late without a delay exception, and late without any due date.
    deliver(at(25, 9), Some("2026-03-20"), Some("2026-03-10"), None);
    deliver(at(25, 9), None, None, None);
    let r = t.finish();
    let d = &r.delivery;
    assert_eq!(
        (d.delivered, d.on_time, d.on_time_vs_first_promise),
        (5, 2, 1)
    );
    assert_eq!(d.on_time_rate, Some(0.4));
    assert_eq!(d.late_by_cause.get("supplier_delay"), 1);
    assert_eq!(d.late_by_cause.get(UNSPECIFIED), 2);
    assert_eq!(d.late_by_cause.total(), d.delivered - d.on_time);
}

#[test]
fn the_24_hour_rules_leave_out_what_is_still_inside_its_window() {
    let now = at(20, 12);
    let mut t = MonthTally::new(month(), now);
    // Unanswered for 10 h: excluded. Unanswered for 30 h: a miss.
    t.complaint("quality", now - 10 * 3600, None, None);
    t.complaint("quality", now - 30 * 3600, None, None);
    // Answered after 2 h (and closed); answered after 30 h.
    t.complaint("payment", now - 50 * 3600, Some(now - 48 * 3600), Some(now));
    t.complaint("other", now - 100 * 3600, Some(now - 70 * 3600), None);
    // Exactly 24 h counts as within.
    t.complaint("other", now - 200 * 3600, Some(now - 176 * 3600), None);
    t.contact("email", true, now - 3600, None);
    t.contact("phone", true, now - 48 * 3600, None);
    t.contact("im", true, now - 48 * 3600, Some(now - 47 * 3600));
    t.contact("visit", true, now - 96 * 3600, Some(now - 60 * 3600));
    t.contact("email", false, now - 5 * 3600, None);
    let r = t.finish();
    let c = &r.complaints;
    assert_eq!((c.opened, c.responded_within_24h, c.closed), (5, 2, 1));
    assert_eq!(
        c.response_rate_24h,
        Some(0.5),
        "2 of 4: the 10 h one is not judged yet"
    );
    // (2 + 30 + 24) / 3 = 18.666… hours.
    assert_eq!(c.avg_first_response_hours, Some(18.67));
    assert_eq!(c.closure_rate, Some(0.2));
    assert_eq!(c.by_type.get("other"), 2);
    let k = &r.contacts;
    assert_eq!((k.inbound, k.replied_within_24h), (4, 1));
    assert_eq!(
        k.reply_rate_24h,
        Some(0.3333),
        "1 of 3: the 1 h one is not judged yet"
    );
    assert_eq!(
        serde_json::to_value(&k.by_channel).unwrap(),
        json!({"email": 2, "phone": 1, "im": 1, "visit": 1})
    );
}

#[test]
fn a_month_whose_only_complaint_is_too_fresh_has_no_response_rate() {
    let now = at(20, 12);
    let mut t = MonthTally::new(month(), now);
    t.complaint("quality", now - 3600, None, None);
    let r = t.finish();
    assert_eq!(r.complaints.response_rate_24h, None);
    assert_eq!(r.complaints.avg_first_response_hours, None);
    assert_eq!(r.complaints.closure_rate, Some(0.0));
}

#[test]
fn satisfaction_averages_each_field_over_the_surveys_that_have_it() {
    let mut t = MonthTally::new(month(), at(31, 0));
    let s = |scores: [Option<u8>; 6], willingness: Option<u8>| SurveyAnswers {
        scores,
        willingness,
    };
    // 16 answers of willingness: 5 promoters (9–10), 4 detractors (0–6), 7 passives.
    let w = [10, 9, 9, 10, 9, 0, 3, 6, 5, 7, 8, 7, 8, 7, 8, 7];
    for (i, w) in w.into_iter().enumerate() {
        let scores = match i {
            0 => [Some(5), Some(4), None, Some(1), None, Some(5)],
            1 => [Some(4), Some(4), None, None, None, Some(4)],
            2 => [Some(4), None, None, None, None, Some(4)],
            _ => [None; 6],
        };
        t.survey(&s(scores, Some(w)));
    }
    t.survey(&s([None; 6], None));
    let r = t.finish().satisfaction;
    assert_eq!(r.surveys, 17);
    assert_eq!(r.accuracy, Some(4.33));
    assert_eq!(r.response, Some(4.0));
    assert_eq!(r.resolution, None);
    assert_eq!(r.attitude, Some(1.0));
    assert_eq!(r.quality, Some(4.33));
    // (5 − 4) / 16 = 6.25 % → 6.3.
    assert_eq!(r.nps, Some(6.3));
}

#[test]
fn requirements_count_met_and_declined_only() {
    let mut t = MonthTally::new(month(), at(31, 0));
    for s in ["met", "met", "declined", "open", "forwarded"] {
        t.requirement(s);
    }
    let r = t.finish().requirements;
    assert_eq!((r.met, r.declined), (2, 1));
    assert_eq!(r.fulfilment_rate, Some(0.6667));
}

#[test]
fn the_trend_buckets_deliveries_by_local_month() {
    let mut t = TrendTally::new(month(), 3);
    let (a, b) = t.span();
    assert_eq!(a, "2026-01".parse::<Month>().unwrap().bounds().0);
    assert_eq!(b, month().bounds().1);
    t.delivery(a - 1, Some("2099-01-01"));
    t.delivery(a, Some("2025-12-31"));
    t.delivery(at(1, 0) - 1, Some("2026-02-28"));
    t.delivery(at(1, 0), Some("2026-03-01"));
    t.delivery(b, Some("2099-01-01"));
    let p = t.finish();
    let got: Vec<_> = p
        .iter()
        .map(|p| (p.month.to_string(), p.delivered, p.on_time, p.on_time_rate))
        .collect();
    assert_eq!(
        got,
        [
            ("2026-01".to_string(), 1, 0, Some(0.0)),
            ("2026-02".to_string(), 1, 1, Some(1.0)),
            ("2026-03".to_string(), 1, 1, Some(1.0)),
        ]
    );
}

/// The days of a trend cover its span without a gap, each the local day it names, and a
/// day's deliveries are on time exactly when due that day or later.
#[test]
fn the_trend_days_partition_the_span_by_local_day() {
    let mut t = TrendTally::new(month(), 3);
    let days = t.days();
    assert_eq!(days.len(), 31 + 28 + 31);
    assert_eq!((days[0].start, days[days.len() - 1].end), t.span());
    for pair in days.windows(2) {
        assert_eq!(pair[0].end, pair[1].start);
    }
    let mut c = DueCutoffs::default();
    for d in &days {
        assert_eq!(crate::domain::time::local_date(d.start), d.date);
        assert_eq!(crate::domain::time::local_date(d.end - 1), d.date);
        for due in [
            d.date.pred_opt().unwrap(),
            d.date,
            d.date.succ_opt().unwrap(),
        ] {
            let due = due.to_string();
            for at in [d.start, d.end - 1] {
                assert_eq!(
                    c.met(at, Some(&due)),
                    due >= d.date.to_string(),
                    "{due} at {at}"
                );
            }
        }
    }
    t.add_day(&days[0], 3, 2);
    t.add_day(&days[40], 1, 0);
    let p = t.finish();
    assert_eq!((p[0].delivered, p[0].on_time), (3, 2));
    assert_eq!((p[1].delivered, p[1].on_time), (1, 0));
    assert_eq!(p[2].on_time_rate, None);
}

#[test]
fn the_due_date_cut_off_agrees_with_the_local_date() {
    let mut c = DueCutoffs::default();
    for ts in [at(10, 0) - 1, at(10, 0), at(10, 23), at(11, 0)] {
        let due = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let by_date = crate::domain::time::local_date(ts) <= due;
        assert_eq!(delivered_by(ts, due), by_date);
        assert_eq!(c.met(ts, Some("2026-03-10")), by_date);
    }
    assert!(!c.met(at(1, 0), Some("not a date")));
    assert!(!c.met(at(1, 0), Some("2026-02-30")));
    assert!(!c.met(at(1, 0), Some("2026-3-10")));
    assert!(!c.met(at(1, 0), None));
    assert!(c.met(at(1, 0), Some(" 2026-03-01 ")));
    assert!(c.met(at(1, 0), Some("9999-12-31")));
}

#[test]
fn a_reports_trend_point_is_its_delivery_count() {
    let mut t = MonthTally::new(month(), at(31, 0));
    let v = t.judge(at(2, 0), Some("2026-03-05"), None);
    t.delivery(v, None);
    let v = t.judge(at(9, 0), Some("2026-03-05"), None);
    t.delivery(v, None);
    let p = TrendPoint::of(&t.finish());
    assert_eq!(
        (p.month, p.delivered, p.on_time, p.on_time_rate),
        (month(), 2, 1, Some(0.5))
    );
}

#[test]
fn conversion_by_customer_type_counts_won_and_lost_per_type() {
    let mut t = MonthTally::new(month(), at(31, 0));
    t.customer_orders(CustomerType::New, Status::Confirmed, 3);
    t.customer_orders(CustomerType::New, Status::Lost, 1);
    t.customer_orders(CustomerType::New, Status::Delivered, 1);
    t.customer_orders(CustomerType::Distributor, Status::Lost, 2);
    // Neither won nor lost: not counted.
    t.customer_orders(CustomerType::Regular, Status::Quoted, 5);
    let c = t.finish().conversion;
    let v = serde_json::to_value(&c.by_customer_type).unwrap();
    assert_eq!(
        v,
        json!({
            "new": {"won": 4, "lost": 1, "rate": 0.8},
            "regular": {"won": 0, "lost": 0, "rate": null},
            "key_account": {"won": 0, "lost": 0, "rate": null},
            "distributor": {"won": 0, "lost": 2, "rate": 0.0}
        })
    );
}

#[test]
fn the_sales_cycle_buckets_whole_days_and_averages_exactly() {
    let mut t = MonthTally::new(month(), at(31, 0));
    let day = 86_400;
    // 7 days 23 h → 0-7; 8 days → 8-30; 30 d → 8-30; 31 d → 31-90; 90 d 12 h → 31-90;
    // 91 d → 90+; confirmed before the order → 0 days.
    for (created, confirmed) in [
        (at(1, 0), at(1, 0) + 7 * day + 23 * 3600),
        (at(1, 0), at(1, 0) + 8 * day),
        (at(1, 0), at(1, 0) + 30 * day),
        (at(1, 0), at(1, 0) + 31 * day),
        (at(1, 0), at(1, 0) + 90 * day + 12 * 3600),
        (at(1, 0), at(1, 0) + 91 * day),
        (at(2, 0), at(1, 0)),
    ] {
        t.confirmation(created, confirmed);
    }
    let c = t.finish().conversion;
    assert_eq!(
        serde_json::to_value(&c.by_cycle).unwrap(),
        json!({"0-7": 2, "8-30": 2, "31-90": 2, "90+": 1})
    );
    // (7.9583 + 8 + 30 + 31 + 90.5 + 91 + 0) / 7 = 258.4583… / 7 = 36.92
    assert_eq!(c.avg_days_to_confirm, Some(36.92));
}

#[test]
fn status_updates_count_the_one_hour_rule_inclusively() {
    let mut t = MonthTally::new(month(), at(31, 0));
    t.status_change(at(3, 9), at(3, 9));
    t.status_change(at(3, 9), at(3, 10));
    t.status_change(at(3, 9), at(3, 10) + 1);
    t.status_change(at(4, 9), at(6, 9));
    let r = t.finish();
    assert_eq!(
        serde_json::to_value(&r.status_updates).unwrap(),
        json!({"changes": 4, "recorded_within_1h": 2, "rate_1h": 0.5})
    );
    assert!(!quality::recorded_late(at(3, 9), at(3, 10)));
    assert!(quality::recorded_late(at(3, 9), at(3, 10) + 1));
}

#[test]
fn spot_checks_and_targets_are_met_at_or_above_the_target() {
    let mut t = MonthTally::new(month(), at(31, 0));
    for ok in [true, true, false] {
        t.spot_check(ok);
    }
    // 19 of 20 delivered on time: exactly the 0.95 target.
    let verdict = Verdict {
        on_time: true,
        on_time_first: true,
    };
    for _ in 0..19 {
        t.delivery(verdict, None);
    }
    t.delivery(
        Verdict {
            on_time: false,
            on_time_first: false,
        },
        None,
    );
    t.complaint("quality", at(2, 0), Some(at(2, 1)), None);
    t.set_targets(Targets {
        closure_rate: 0.5,
        ..Targets::default()
    });
    let r = t.finish();
    assert_eq!(
        serde_json::to_value(&r.spot_checks).unwrap(),
        json!({"checked": 3, "accurate": 2, "accuracy_rate": 0.6667})
    );
    let v = serde_json::to_value(&r.targets).unwrap();
    assert_eq!(
        v["on_time_rate"],
        json!({"target": 0.95, "actual": 0.95, "met": true})
    );
    assert_eq!(
        v["response_rate_24h"],
        json!({"target": 0.9, "actual": 1.0, "met": true})
    );
    assert_eq!(
        v["closure_rate"],
        json!({"target": 0.5, "actual": 0.0, "met": false})
    );
    assert_eq!(
        v["accuracy_rate"],
        json!({"target": 0.95, "actual": 0.6667, "met": false})
    );
    assert_eq!(
        v["reply_rate_24h"],
        json!({"target": 0.9, "actual": null, "met": null})
    );
    assert_eq!(
        v["rate_1h"],
        json!({"target": 0.95, "actual": null, "met": null})
    );
}
