//! The monthly report worked out again, independently, from what `orderdesk export` writes
//! (customers, orders, shipments, exceptions, complaints, contacts, surveys, requirements),
//! and compared with `report --format json` over the 6 full months before this one of a demo
//! file. The status history and the spot-checks have no export: the sales cycle and the
//! one-hour rule are recomputed from the history table read row by row in Rust, and the
//! spot-checks from the marks this test makes with `orderdesk spotcheck mark`.
//!
//! The commands run in a fixed zone 8 hours east of UTC (`TZ=CST-8`, no daylight saving), so
//! a local month is a prefix of the exported local timestamps and their differences are
//! real durations.

mod common;

use chrono::{Datelike, NaiveDateTime};
use common::*;
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::process::Command;
use std::str::FromStr;

const TZ: &str = "CST-8";
const OFFSET: i64 = 8 * 3600;
const WON: [&str; 6] = [
    "confirmed",
    "in_production",
    "ready",
    "shipped",
    "delivered",
    "closed",
];

fn od(db: &Path) -> Command {
    let mut c = orderdesk(db);
    c.env("TZ", TZ);
    c
}

type Row = HashMap<String, String>;

fn export(db: &Path, kind: &str) -> Vec<Row> {
    let out = run_ok(od(db).args(["export", kind, "--no-bom"]));
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// A local timestamp of an export as seconds on the local clock (differences are real:
/// the zone has a fixed offset).
fn stamp(text: &str) -> Option<i64> {
    if text.is_empty() {
        return None;
    }
    Some(
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .and_utc()
            .timestamp(),
    )
}

fn in_month(text: &str, month: &str) -> bool {
    text.starts_with(month)
}

/// The report's rounded rate is the exact fraction rounded to `decimals`.
fn close(report: &Value, exact: Option<f64>, decimals: i32, what: &str) {
    match exact {
        None => assert!(report.is_null(), "{what}: {report} should be null"),
        Some(x) => {
            let got = report
                .as_f64()
                .unwrap_or_else(|| panic!("{what}: {report} should be a number"));
            let half = 0.5 * 10f64.powi(-decimals) + 1e-9;
            assert!(
                (got - x).abs() <= half,
                "{what}: report {got}, recomputed {x}"
            );
        }
    }
}

fn fraction(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

struct Exports {
    customer_type: HashMap<String, String>,
    /// order_no → (customer code, type, status, ordered_at, due_date, currency, total)
    orders: BTreeMap<String, Order>,
    /// order_no → the delivery date its shipments give (all delivered: the latest).
    delivered: HashMap<String, String>,
    /// order_no → cause of its latest delay exception.
    late_cause: HashMap<String, String>,
    complaints: Vec<Row>,
    contacts: Vec<Row>,
    surveys: Vec<Row>,
    requirements: Vec<Row>,
}

#[derive(Default)]
struct Order {
    customer: String,
    order_type: String,
    status: String,
    ordered_at: String,
    due_date: String,
    currency: String,
    total: Decimal,
}

fn read_exports(db: &Path) -> Exports {
    let customer_type = export(db, "customers")
        .into_iter()
        .map(|r| (r["code"].clone(), r["type"].clone()))
        .collect();
    let mut orders: BTreeMap<String, Order> = BTreeMap::new();
    for r in export(db, "orders") {
        let o = orders.entry(r["order_no"].clone()).or_default();
        o.customer = r["customer"].clone();
        o.order_type = r["order_type"].clone();
        o.status = r["status"].clone();
        o.ordered_at = r["ordered_at"].clone();
        o.due_date = r["due_date"].clone();
        o.currency = r["currency"].clone();
        if !r["quantity"].is_empty() && !r["unit_price"].is_empty() {
            let q = Decimal::from_str(&r["quantity"]).unwrap();
            let p = Decimal::from_str(&r["unit_price"]).unwrap();
            // Each line is invoiced to the cent, half away from zero.
            o.total += (q * p)
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        }
    }
    // An order is delivered when all its shipments are: on the latest of their dates.
    let mut shipments: HashMap<String, (bool, String)> = HashMap::new();
    for r in export(db, "shipments") {
        let s = shipments
            .entry(r["order_no"].clone())
            .or_insert((true, String::new()));
        if r["delivered_at"].is_empty() {
            s.0 = false;
        } else if r["delivered_at"] > s.1 {
            s.1 = r["delivered_at"].clone();
        }
    }
    let delivered = shipments
        .into_iter()
        .filter(|(_, (all, _))| *all)
        .map(|(no, (_, at))| (no, at))
        .collect();
    // Exported by order, then opened_at, then entry: the last delay of an order is its latest.
    let mut late_cause = HashMap::new();
    for r in export(db, "exceptions") {
        if r["kind"] == "delay" {
            late_cause.insert(r["order_no"].clone(), r["cause"].clone());
        }
    }
    Exports {
        customer_type,
        orders,
        delivered,
        late_cause,
        complaints: export(db, "complaints"),
        contacts: export(db, "contacts"),
        surveys: export(db, "surveys"),
        requirements: export(db, "requirements"),
    }
}

fn check_orders(x: &Exports, v: &Value, month: &str) {
    let mut count = 0u64;
    let mut amount: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut by_type: BTreeMap<&str, u64> = BTreeMap::new();
    let (mut won, mut lost) = (0u64, 0u64);
    let mut by_customer: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for o in x.orders.values() {
        if !in_month(&o.ordered_at, month) {
            continue;
        }
        let kind = x.customer_type.get(&o.customer).cloned();
        if WON.contains(&o.status.as_str()) {
            count += 1;
            won += 1;
            *amount.entry(o.currency.clone()).or_default() += o.total;
            *by_type.entry(o.order_type.as_str()).or_default() += 1;
            if let Some(k) = kind {
                by_customer.entry(k).or_default().0 += 1;
            }
        } else if o.status == "lost" {
            lost += 1;
            if let Some(k) = kind {
                by_customer.entry(k).or_default().1 += 1;
            }
        }
    }
    let c = &v["orders"]["confirmed"];
    assert_eq!(c["count"], count, "{month} orders.confirmed.count");
    let reported: BTreeMap<String, Decimal> = c["amount"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, a)| (k.clone(), Decimal::from_str(a.as_str().unwrap()).unwrap()))
        .collect();
    let amount: BTreeMap<String, Decimal> =
        amount.into_iter().filter(|(_, a)| !a.is_zero()).collect();
    let reported: BTreeMap<String, Decimal> =
        reported.into_iter().filter(|(_, a)| !a.is_zero()).collect();
    assert_eq!(reported, amount, "{month} orders.confirmed.amount");
    for t in ["regular", "rush", "custom"] {
        assert_eq!(
            c["by_type"][t],
            by_type.get(t).copied().unwrap_or(0),
            "{month} by_type.{t}"
        );
    }
    let conv = &v["conversion"];
    assert_eq!(conv["won"], won, "{month} conversion.won");
    assert_eq!(conv["lost"], lost, "{month} conversion.lost");
    close(
        &conv["rate"],
        fraction(won, won + lost),
        4,
        "conversion.rate",
    );
    for kind in ["new", "regular", "key_account", "distributor"] {
        let (w, l) = by_customer.get(kind).copied().unwrap_or_default();
        let line = &conv["by_customer_type"][kind];
        assert_eq!(line["won"], w, "{month} by_customer_type.{kind}.won");
        assert_eq!(line["lost"], l, "{month} by_customer_type.{kind}.lost");
        close(
            &line["rate"],
            fraction(w, w + l),
            4,
            "by_customer_type rate",
        );
    }
}

fn check_delivery(x: &Exports, v: &Value, month: &str) -> Option<f64> {
    let (mut delivered, mut on_time) = (0u64, 0u64);
    let mut causes: BTreeMap<String, u64> = BTreeMap::new();
    for (no, at) in &x.delivered {
        if !in_month(at, month) {
            continue;
        }
        delivered += 1;
        let due = &x.orders[no].due_date;
        // The local date of delivery against the due date; no due date is not on time.
        if !due.is_empty() && at[..10] <= due[..] {
            on_time += 1;
        } else {
            let cause = x
                .late_cause
                .get(no)
                .cloned()
                .unwrap_or_else(|| "unspecified".into());
            *causes.entry(cause).or_default() += 1;
        }
    }
    let d = &v["delivery"];
    assert_eq!(d["delivered"], delivered, "{month} delivery.delivered");
    assert_eq!(d["on_time"], on_time, "{month} delivery.on_time");
    close(
        &d["on_time_rate"],
        fraction(on_time, delivered),
        4,
        "on_time_rate",
    );
    for (cause, n) in d["late_by_cause"].as_object().unwrap() {
        assert_eq!(
            *n,
            causes.get(cause).copied().unwrap_or(0),
            "{month} late_by_cause.{cause}"
        );
    }
    assert_eq!(
        causes.values().sum::<u64>(),
        delivered - on_time,
        "{month}: every late cause is a word of the report"
    );
    fraction(on_time, delivered)
}

/// Complaints and contacts: the 24-hour rules (these months are long past, so nothing is
/// still inside its window).
fn check_aftersales(x: &Exports, v: &Value, month: &str) -> [Option<f64>; 3] {
    let (mut opened, mut within, mut closed, mut responded) = (0u64, 0u64, 0u64, 0u64);
    let mut seconds = 0i64;
    let mut by_type: BTreeMap<String, u64> = BTreeMap::new();
    for r in &x.complaints {
        if !in_month(&r["opened_at"], month) {
            continue;
        }
        opened += 1;
        *by_type.entry(r["type"].clone()).or_default() += 1;
        let at = stamp(&r["opened_at"]).unwrap();
        if let Some(first) = stamp(&r["first_response_at"]) {
            responded += 1;
            seconds += first - at;
            if first - at <= 86_400 {
                within += 1;
            }
        }
        if !r["resolved_at"].is_empty() {
            closed += 1;
        }
    }
    let c = &v["complaints"];
    assert_eq!(c["opened"], opened, "{month} complaints.opened");
    for (t, n) in c["by_type"].as_object().unwrap() {
        assert_eq!(*n, by_type.get(t).copied().unwrap_or(0), "{month} {t}");
    }
    assert_eq!(c["responded_within_24h"], within, "{month}");
    assert_eq!(c["closed"], closed, "{month} complaints.closed");
    let response = fraction(within, opened);
    close(&c["response_rate_24h"], response, 4, "response_rate_24h");
    close(
        &c["avg_first_response_hours"],
        (responded > 0).then(|| seconds as f64 / 3600.0 / responded as f64),
        2,
        "avg_first_response_hours",
    );
    let closure = fraction(closed, opened);
    close(&c["closure_rate"], closure, 4, "closure_rate");

    let (mut inbound, mut replied) = (0u64, 0u64);
    let mut by_channel: BTreeMap<String, u64> = BTreeMap::new();
    for r in &x.contacts {
        if !in_month(&r["at"], month) {
            continue;
        }
        *by_channel.entry(r["channel"].clone()).or_default() += 1;
        if r["direction"] == "in" {
            inbound += 1;
            let at = stamp(&r["at"]).unwrap();
            if stamp(&r["replied_at"]).is_some_and(|re| re - at <= 86_400) {
                replied += 1;
            }
        }
    }
    let k = &v["contacts"];
    assert_eq!(k["inbound"], inbound, "{month} contacts.inbound");
    assert_eq!(k["replied_within_24h"], replied, "{month}");
    let reply = fraction(replied, inbound);
    close(&k["reply_rate_24h"], reply, 4, "reply_rate_24h");
    for channel in ["email", "phone", "im", "visit"] {
        assert_eq!(
            k["by_channel"][channel],
            by_channel.get(channel).copied().unwrap_or(0),
            "{month} by_channel.{channel}"
        );
    }
    [response, reply, closure]
}

fn check_surveys_and_requirements(x: &Exports, v: &Value, month: &str) {
    let fields = [
        "accuracy",
        "response",
        "resolution",
        "attitude",
        "customisation",
        "quality",
    ];
    let mut surveys = 0u64;
    let mut sums = [(0u64, 0u64); 6];
    let (mut promoters, mut detractors, mut answers) = (0i64, 0i64, 0i64);
    for r in &x.surveys {
        if !in_month(&r["date"], month) {
            continue;
        }
        surveys += 1;
        for (i, f) in fields.iter().enumerate() {
            if let Ok(score) = r[*f].parse::<u64>() {
                sums[i].0 += score;
                sums[i].1 += 1;
            }
        }
        if let Ok(w) = r["willingness"].parse::<i64>() {
            answers += 1;
            if w >= 9 {
                promoters += 1;
            } else if w <= 6 {
                detractors += 1;
            }
        }
    }
    let s = &v["satisfaction"];
    assert_eq!(s["surveys"], surveys, "{month} satisfaction.surveys");
    for (i, f) in fields.iter().enumerate() {
        close(&s[*f], fraction(sums[i].0, sums[i].1), 2, f);
    }
    close(
        &s["nps"],
        (answers > 0).then(|| (promoters - detractors) as f64 * 100.0 / answers as f64),
        1,
        "nps",
    );
    let (mut met, mut declined) = (0u64, 0u64);
    for r in &x.requirements {
        if in_month(&r["resolved_at"], month) {
            match r["status"].as_str() {
                "met" => met += 1,
                "declined" => declined += 1,
                _ => {}
            }
        }
    }
    let q = &v["requirements"];
    assert_eq!(q["met"], met, "{month} requirements.met");
    assert_eq!(q["declined"], declined, "{month} requirements.declined");
    close(
        &q["fulfilment_rate"],
        fraction(met, met + declined),
        4,
        "fulfilment_rate",
    );
}

/// One status change: (order, from, to, happened, recorded, ordered_at), in local seconds.
type Change = (i64, Option<String>, String, i64, i64, i64);

fn history(db: &Path) -> Vec<Change> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT h.order_id, h.from_status, h.to_status, h.happened_at, h.recorded_at,
                    o.ordered_at
             FROM status_history h JOIN orders o ON o.id = h.order_id
             ORDER BY h.order_id, h.happened_at, h.id",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get::<_, i64>(3)? + OFFSET,
                r.get::<_, i64>(4)? + OFFSET,
                r.get::<_, i64>(5)? + OFFSET,
            ))
        })
        .unwrap()
        .collect::<rusqlite::Result<Vec<Change>>>()
        .unwrap();
    rows
}

fn local_month(local_seconds: i64) -> String {
    chrono::DateTime::from_timestamp(local_seconds, 0)
        .unwrap()
        .format("%Y-%m")
        .to_string()
}

/// The sales cycle and the one-hour rule, from the history in Rust.
fn check_history(changes: &[Change], v: &Value, month: &str) -> Option<f64> {
    let (mut n, mut within) = (0u64, 0u64);
    let mut buckets = [0u64; 4];
    let (mut confirmed, mut seconds) = (0u64, 0i64);
    let mut seen = HashSet::new();
    for (id, from, to, happened, recorded, ordered) in changes {
        let Some(from) = from else { continue };
        let here = local_month(*happened) == month;
        if here {
            n += 1;
            if recorded - happened <= 3600 {
                within += 1;
            }
        }
        let confirmation = !WON.contains(&from.as_str()) && WON.contains(&to.as_str());
        if confirmation && seen.insert(*id) && here {
            let elapsed = (happened - ordered).max(0);
            buckets[match elapsed / 86_400 {
                0..=7 => 0,
                8..=30 => 1,
                31..=90 => 2,
                _ => 3,
            }] += 1;
            confirmed += 1;
            seconds += elapsed;
        }
    }
    let u = &v["status_updates"];
    assert_eq!(u["changes"], n, "{month} status_updates.changes");
    assert_eq!(u["recorded_within_1h"], within, "{month}");
    let rate_1h = fraction(within, n);
    close(&u["rate_1h"], rate_1h, 4, "rate_1h");
    for (i, b) in ["0-7", "8-30", "31-90", "90+"].iter().enumerate() {
        assert_eq!(v["conversion"]["by_cycle"][b], buckets[i], "{month} {b}");
    }
    close(
        &v["conversion"]["avg_days_to_confirm"],
        (confirmed > 0).then(|| seconds as f64 / 86_400.0 / confirmed as f64),
        2,
        "avg_days_to_confirm",
    );
    rate_1h
}

/// Each target is the default of `[targets]`, its actual the recomputed figure, met when
/// the actual reaches it.
fn check_targets(v: &Value, actual: [(&str, f64, Option<f64>); 6], month: &str) {
    let targets = v["targets"].as_object().unwrap();
    assert_eq!(
        targets.keys().collect::<Vec<_>>().len(),
        6,
        "{month}: six targets"
    );
    for (name, target, exact) in actual {
        let line = &v["targets"][name];
        assert_eq!(line["target"], target, "{month} targets.{name}.target");
        close(&line["actual"], exact, 4, name);
        match line["actual"].as_f64() {
            Some(a) => assert_eq!(line["met"], a >= target, "{month} targets.{name}.met"),
            None => assert!(line["met"].is_null(), "{month} targets.{name}.met"),
        }
    }
}

#[test]
fn six_demo_months_recomputed_from_the_exports_match_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    run_ok(od(&db).args(["demo", "--orders", "3000", "--seed", "5"]));
    let x = read_exports(&db);
    let changes = history(&db);
    assert!(
        x.customer_type.values().any(|t| t == "new")
            && x.customer_type.values().any(|t| t == "distributor"),
        "the demo has every customer type"
    );
    // The 6 full months before this one, in the zone of the commands.
    let today = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    let first = today.date_naive().with_day(1).unwrap();
    let mut seen = [0u64; 6];
    for back in 1..=6 {
        let m = first.checked_sub_months(chrono::Months::new(back)).unwrap();
        let month = m.format("%Y-%m").to_string();
        let out = run_ok(od(&db).args(["report", "--month", &month, "--format", "json"]));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["month"], month.as_str());
        check_orders(&x, &v, &month);
        let on_time = check_delivery(&x, &v, &month);
        let [response, reply, closure] = check_aftersales(&x, &v, &month);
        check_surveys_and_requirements(&x, &v, &month);
        let rate_1h = check_history(&changes, &v, &month);
        let accuracy = fraction(
            v["spot_checks"]["accurate"].as_u64().unwrap(),
            v["spot_checks"]["checked"].as_u64().unwrap(),
        );
        check_targets(
            &v,
            [
                ("on_time_rate", 0.95, on_time),
                ("response_rate_24h", 0.90, response),
                ("reply_rate_24h", 0.90, reply),
                ("closure_rate", 0.90, closure),
                ("rate_1h", 0.95, rate_1h),
                ("accuracy_rate", 0.95, accuracy),
            ],
            &month,
        );
        let figures = [
            v["conversion"]["won"].as_u64().unwrap(),
            v["delivery"]["delivered"].as_u64().unwrap(),
            v["complaints"]["opened"].as_u64().unwrap(),
            v["contacts"]["inbound"].as_u64().unwrap(),
            v["status_updates"]["changes"].as_u64().unwrap(),
            v["conversion"]["by_cycle"]
                .as_object()
                .unwrap()
                .values()
                .map(|n| n.as_u64().unwrap())
                .sum(),
        ];
        for (s, f) in seen.iter_mut().zip(figures) {
            *s += f;
        }
    }
    // Every kind of figure had something to compare in these months.
    assert!(seen.iter().all(|n| *n > 0), "{seen:?}");
}

/// Spot-checks have no export: marks made here, then counted in this month's report.
#[test]
fn spot_checks_marked_now_are_this_months_checks() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    run_ok(od(&db).args(["demo", "--orders", "600", "--seed", "2"]));
    let before = report_now(&db);
    // A past week's sample: its contacts may be marked any time; checked_at is now.
    let ids = (1..=8)
        .map(|back| {
            let week = (chrono::Utc::now() - chrono::Duration::days(7 * back))
                .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
                .iso_week();
            let week = format!("{}-W{:02}", week.year(), week.week());
            let out = run_ok(od(&db).args(["spotcheck", "--week", &week]));
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter_map(|l| l.split('\t').next()?.parse().ok())
                .collect::<Vec<i64>>()
        })
        .find(|ids| ids.len() >= 4)
        .expect("a week with a sample of 4 contacts or more");
    let (mut checked, mut accurate) = (0u64, 0u64);
    for (i, id) in ids.iter().take(7).enumerate() {
        let yes = i % 3 != 0;
        run_ok(od(&db).args([
            "spotcheck",
            "mark",
            &id.to_string(),
            "--accurate",
            if yes { "yes" } else { "no" },
        ]));
        checked += 1;
        accurate += u64::from(yes);
    }
    // Marking again corrects the result: not a second check.
    run_ok(od(&db).args(["spotcheck", "mark", &ids[1].to_string(), "--accurate", "no"]));
    accurate -= 1;
    let v = report_now(&db);
    let s = &v["spot_checks"];
    let was = |k: &str| before["spot_checks"][k].as_u64().unwrap();
    assert_eq!(s["checked"], was("checked") + checked);
    assert_eq!(s["accurate"], was("accurate") + accurate);
    let rate = fraction(was("accurate") + accurate, was("checked") + checked);
    close(&s["accuracy_rate"], rate, 4, "accuracy_rate");
    let line = &v["targets"]["accuracy_rate"];
    assert_eq!(line["target"], 0.95);
    assert_eq!(line["actual"], s["accuracy_rate"]);
    assert_eq!(line["met"], false, "{line}");
}

fn report_now(db: &Path) -> Value {
    let out = run_ok(od(db).args(["report", "--format", "json"]));
    serde_json::from_slice(&out.stdout).unwrap()
}
