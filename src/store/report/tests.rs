//! Hand-inserted rows in a real file, and the report's JSON worked out by hand.

use super::*;
use crate::domain::time::day_start;
use crate::store::Store;
use chrono::NaiveDate;
use serde_json::json;

fn at(month: u32, day: u32, hour: i64) -> i64 {
    day_start(NaiveDate::from_ymd_opt(2026, month, day).unwrap()) + hour * 3600
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
}

/// An order row as the report reads it; the rest of the columns keep their defaults.
#[derive(Default)]
struct Order<'a> {
    no: &'a str,
    status: &'a str,
    kind: &'a str,
    currency: &'a str,
    total: &'a str,
    ordered_at: i64,
    due: Option<&'a str>,
    first_due: Option<&'a str>,
    delivered_at: Option<i64>,
}

fn insert(c: &Connection, o: Order) -> i64 {
    c.execute(
        "INSERT INTO orders (order_no, customer_id, order_type, status, ordered_at, currency, total,
             due_date, first_due_date, delivered_at, status_changed_at, created_at, updated_at)
         VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, 0, 0)",
        params![
            o.no,
            o.kind,
            o.status,
            o.ordered_at,
            o.currency,
            o.total,
            o.due,
            o.first_due,
            o.delivered_at
        ],
    )
    .unwrap();
    c.last_insert_rowid()
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("report.db")).unwrap();
    let c = store.conn();
    c.execute(
        "INSERT INTO customers (code, name) VALUES ('C1', '深圳华联电子有限公司')",
        [],
    )
    .unwrap();
    insert(
        c,
        Order {
            no: "O1",
            status: "confirmed",
            kind: "regular",
            currency: "USD",
            total: "100.50",
            ordered_at: at(3, 2, 9),
            due: Some("2026-04-30"),
            ..Order::default()
        },
    );
    let late = insert(
        c,
        Order {
            no: "O2",
            status: "delivered",
            kind: "rush",
            currency: "CNY",
            total: "200",
            ordered_at: at(3, 3, 9),
            due: Some("2026-03-18"),
            first_due: Some("2026-03-15"),
            delivered_at: Some(at(3, 20, 10)),
        },
    );
    insert(
        c,
        Order {
            no: "O3",
            status: "lost",
            kind: "custom",
            currency: "EUR",
            total: "50",
            ordered_at: at(3, 4, 9),
            ..Order::default()
        },
    );
    insert(
        c,
        Order {
            no: "O4",
            status: "inquiry",
            kind: "regular",
            currency: "USD",
            total: "9",
            ordered_at: at(3, 5, 9),
            ..Order::default()
        },
    );
    // Ordered in February, delivered in March before its (postponed) due date.
    insert(
        c,
        Order {
            no: "O5",
            status: "delivered",
            kind: "regular",
            currency: "USD",
            total: "1",
            ordered_at: at(2, 10, 9),
            due: Some("2026-03-12"),
            first_due: Some("2026-03-08"),
            delivered_at: Some(at(3, 10, 9)),
        },
    );
    // The last half hour of March, and the first instant of April.
    insert(
        c,
        Order {
            no: "O6",
            status: "confirmed",
            kind: "custom",
            currency: "USD",
            total: "0.25",
            ordered_at: at(4, 1, 0) - 1800,
            ..Order::default()
        },
    );
    insert(
        c,
        Order {
            no: "O7",
            status: "confirmed",
            kind: "custom",
            currency: "USD",
            total: "5",
            ordered_at: at(4, 1, 0),
            ..Order::default()
        },
    );
    // Late with no delay exception at all.
    insert(
        c,
        Order {
            no: "O8",
            status: "closed",
            kind: "regular",
            currency: "USD",
            total: "1",
            ordered_at: at(1, 5, 9),
            due: Some("2026-03-20"),
            delivered_at: Some(at(3, 25, 9)),
            ..Order::default()
        },
    );
    for (kind, cause, opened) in [
        ("delay", "supplier_delay", at(3, 5, 0)),
        ("delay", "logistics", at(3, 10, 0)),
        ("quality", "quality", at(3, 12, 0)),
    ] {
        c.execute(
            "INSERT INTO exceptions (order_id, kind, cause, opened_at) VALUES (?1, ?2, ?3, ?4)",
            params![late, kind, cause, opened],
        )
        .unwrap();
    }
    for (no, kind, opened, response, resolved) in [
        (
            "K1",
            "quality",
            at(3, 2, 9),
            Some(at(3, 2, 12)),
            Some(at(3, 5, 0)),
        ),
        ("K2", "payment", at(3, 3, 9), Some(at(3, 4, 10)), None),
        ("K3", "quality", at(3, 31, 23), None, None),
        ("K4", "other", at(2, 28, 9), None, None),
    ] {
        c.execute(
            "INSERT INTO complaints (complaint_no, customer_id, type, opened_at, first_response_at, resolved_at)
             VALUES (?1, 1, ?2, ?3, ?4, ?5)",
            params![no, kind, opened, response, resolved],
        )
        .unwrap();
    }
    for (channel, direction, when, replied) in [
        ("email", "in", at(3, 2, 9), Some(at(3, 2, 10))),
        ("phone", "in", at(3, 3, 9), None),
        ("im", "out", at(3, 4, 9), None),
        ("visit", "in", at(4, 1, 9), None),
    ] {
        c.execute(
            "INSERT INTO contacts (customer_id, channel, direction, at, replied_at) VALUES (1, ?1, ?2, ?3, ?4)",
            params![channel, direction, when, replied],
        )
        .unwrap();
    }
    for (date, accuracy, willingness) in [
        ("2026-03-01", 5, 10),
        ("2026-03-31", 4, 5),
        ("2026-04-01", 1, 0),
    ] {
        c.execute(
            "INSERT INTO surveys (customer_id, date, accuracy, willingness) VALUES (1, ?1, ?2, ?3)",
            params![date, accuracy, willingness],
        )
        .unwrap();
    }
    for (status, resolved) in [
        ("met", at(3, 5, 9)),
        ("declined", at(3, 6, 9)),
        ("met", at(4, 2, 9)),
    ] {
        c.execute(
            "INSERT INTO requirements (customer_id, category, text, created_at, status, resolved_at)
             VALUES (1, 'packaging', '蓝色纸箱 blue cartons', 0, ?1, ?2)",
            params![status, resolved],
        )
        .unwrap();
    }
    Fixture { _dir: dir, store }
}

fn march() -> Month {
    "2026-03".parse().unwrap()
}

#[test]
fn the_json_figures_match_the_hand_count() {
    let f = fixture();
    let now = at(4, 1, 8);
    let r = month_report(f.store.conn(), march(), now, &Default::default()).unwrap();
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        json!({
            "month": "2026-03",
            "orders": {"confirmed": {"count": 3,
                "amount": {"CNY": "200.00", "USD": "100.75"},
                "by_type": {"regular": 1, "rush": 1, "custom": 1}}},
            "delivery": {"delivered": 3, "on_time": 1, "on_time_rate": 0.3333,
                "on_time_vs_first_promise": 0,
                "late_by_cause": {"supplier_delay": 0, "production_breakdown": 0, "logistics": 1,
                    "customer_change": 0, "quality": 0, "other": 0, "unspecified": 1}},
            "conversion": {"won": 3, "lost": 1, "rate": 0.75,
                "by_customer_type": {
                    "new": {"won": 0, "lost": 0, "rate": null},
                    "regular": {"won": 3, "lost": 1, "rate": 0.75},
                    "key_account": {"won": 0, "lost": 0, "rate": null},
                    "distributor": {"won": 0, "lost": 0, "rate": null}},
                "by_cycle": {"0-7": 0, "8-30": 0, "31-90": 0, "90+": 0},
                "avg_days_to_confirm": null},
            "complaints": {"opened": 3,
                "by_type": {"spec_mismatch": 0, "quality": 2, "delivery_delay": 0,
                    "after_sales": 0, "payment": 1, "other": 0},
                "responded_within_24h": 1, "response_rate_24h": 0.5,
                "avg_first_response_hours": 14.0, "closed": 1, "closure_rate": 0.3333},
            "contacts": {"inbound": 2, "replied_within_24h": 1, "reply_rate_24h": 0.5,
                "by_channel": {"email": 1, "phone": 1, "im": 1, "visit": 0}},
            "satisfaction": {"surveys": 2, "accuracy": 4.5, "response": null,
                "resolution": null, "attitude": null, "customisation": null, "quality": null,
                "nps": 0.0},
            "requirements": {"met": 1, "declined": 1, "fulfilment_rate": 0.5},
            "spot_checks": {"checked": 0, "accurate": 0, "accuracy_rate": null},
            "status_updates": {"changes": 0, "recorded_within_1h": 0, "rate_1h": null},
            "targets": {
                "on_time_rate": {"target": 0.95, "actual": 0.3333, "met": false},
                "response_rate_24h": {"target": 0.9, "actual": 0.5, "met": false},
                "reply_rate_24h": {"target": 0.9, "actual": 0.5, "met": false},
                "closure_rate": {"target": 0.9, "actual": 0.3333, "met": false},
                "rate_1h": {"target": 0.95, "actual": null, "met": null},
                "accuracy_rate": {"target": 0.95, "actual": null, "met": null}}
        })
    );
    // A week later K3 has been waiting more than 24 h: it counts as a miss.
    let later = month_report(f.store.conn(), march(), at(4, 8, 0), &Default::default()).unwrap();
    assert_eq!(later.complaints.response_rate_24h, Some(0.3333));
}

#[test]
fn the_trend_and_the_lists_agree_with_the_figures() {
    let f = fixture();
    let c = f.store.conn();
    let trend = on_time_trend(c, march(), 12).unwrap();
    assert_eq!(trend.len(), 12);
    assert_eq!(trend[0].month.to_string(), "2025-04");
    let last = trend.last().unwrap();
    assert_eq!(
        (last.delivered, last.on_time, last.on_time_rate),
        (3, 1, Some(0.3333))
    );
    assert!(trend[..11]
        .iter()
        .all(|p| p.delivered == 0 && p.on_time_rate.is_none()));

    let l = lists(c, march()).unwrap();
    let won: Vec<_> = l.won.iter().map(|o| o.order_no.as_str()).collect();
    assert_eq!(won, ["O1", "O2", "O6"]);
    let late: Vec<_> = l
        .late
        .iter()
        .map(|o| (o.order_no.as_str(), o.cause.as_deref()))
        .collect();
    assert_eq!(late, [("O2", Some("logistics")), ("O8", None)]);
    assert_eq!(l.complaints.len(), 3);
    assert_eq!(l.complaints[0].customer, "深圳华联电子有限公司");
    assert_eq!(l.surveys.len(), 2);
    assert_eq!(l.requirements.len(), 2);
}

#[test]
fn the_month_queries_use_their_indexes() {
    let f = fixture();
    let plan = |sql: &str| -> String {
        let mut s = f
            .store
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let rows = s
            .query_map(params![0, 1], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        rows.join(" | ")
    };
    let trend = plan(
        "SELECT delivered_at, due_date FROM orders WHERE delivered_at >= ?1 AND delivered_at < ?2",
    );
    assert!(
        trend.contains("COVERING INDEX orders_delivered_due"),
        "{trend}"
    );
    for (sql, index) in [
        ("SELECT status, order_type, currency, total FROM orders WHERE ordered_at >= ?1 AND ordered_at < ?2", "COVERING INDEX orders_month"),
        ("SELECT type FROM complaints WHERE opened_at >= ?1 AND opened_at < ?2", "complaints_by_opened"),
        ("SELECT channel FROM contacts WHERE at >= ?1 AND at < ?2", "contacts_by_at"),
        ("SELECT quality FROM surveys WHERE date >= ?1 AND date < ?2", "surveys_by_date"),
        ("SELECT status FROM requirements WHERE resolved_at >= ?1 AND resolved_at < ?2", "requirements_by_resolved"),
    ] {
        let p = plan(sql);
        assert!(p.contains(index), "{sql}: {p}");
    }
}

/// The new parts of the month read indexes only, with no statistics to help the planner:
/// the confirmations through their partial indexes (the won list of the query and of the
/// migration agree), each order's creation beside its id, the status changes and the orders
/// per customer from covering indexes.
#[test]
fn the_cycle_and_the_one_hour_rule_read_covering_indexes() {
    let f = fixture();
    let plan = |sql: &str| -> String {
        let mut s = f
            .store
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let rows = s
            .query_map(params![0, 1], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        rows.join(" | ")
    };
    let sql = |i: usize| super::desk_queries()[i].clone();
    let types = plan(&sql(0));
    assert!(
        types.contains("COVERING INDEX orders_month_by_customer"),
        "{types}"
    );
    let cycle = plan(&sql(1));
    for index in [
        "COVERING INDEX status_history_confirmations ",
        "COVERING INDEX status_history_confirmations_by_order ",
        "COVERING INDEX orders_created ",
    ] {
        assert!(cycle.contains(index), "{index}: {cycle}");
    }
    let changes = plan(&sql(2));
    assert!(
        changes.contains("COVERING INDEX status_history_by_happened"),
        "{changes}"
    );
}

/// Customer types, status history and spot-checks, worked out by hand.
#[test]
fn customer_types_cycle_status_updates_and_spot_checks_from_sql() {
    let f = fixture();
    let c = f.store.conn();
    c.execute(
        "INSERT INTO customers (id, code, name, type) VALUES (7, 'D1', 'Distrib', 'distributor')",
        [],
    )
    .unwrap();
    let order = |no: &str, status: &str, customer: i64, ordered_at: i64| {
        c.execute(
            "INSERT INTO orders (order_no, customer_id, status, ordered_at, status_changed_at,
                 created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 0, 0, 0)",
            params![no, customer, status, ordered_at],
        )
        .unwrap();
        c.last_insert_rowid()
    };
    let history = |id: i64, from: Option<&str>, to: &str, happened: i64, recorded: i64| {
        c.execute(
            "INSERT INTO status_history (order_id, from_status, to_status, happened_at, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, from, to, happened, recorded],
        )
        .unwrap();
    };
    let before: u64 = month_report(c, march(), at(4, 1, 0), &Default::default())
        .unwrap()
        .conversion
        .by_customer_type
        .get(CustomerType::Regular)
        .won;
    // A distributor's order: quoted in February, confirmed 10 days later in March (recorded
    // 2 h late), then on hold and back in production: only the first confirmation counts.
    let a = order("K-1", "in_production", 7, at(3, 1, 0) - 9 * 86_400);
    history(a, None, "quoted", at(2, 20, 0), at(2, 20, 0));
    history(
        a,
        Some("quoted"),
        "confirmed",
        at(3, 1, 0) + 86_400,
        at(3, 1, 0) + 86_400 + 7_200,
    );
    history(a, Some("confirmed"), "on_hold", at(3, 5, 0), at(3, 5, 0));
    history(
        a,
        Some("on_hold"),
        "in_production",
        at(3, 6, 0),
        at(3, 6, 0) + 3_600,
    );
    // Entered already confirmed: no change into a won status, no cycle; its first row is
    // not a change either.
    let b = order("K-2", "confirmed", 7, at(3, 2, 0));
    history(b, None, "confirmed", at(3, 2, 0), at(3, 2, 0));
    // Lost, by the distributor, ordered in March.
    let l = order("K-3", "lost", 7, at(3, 3, 0));
    history(l, Some("inquiry"), "lost", at(3, 3, 0), at(3, 3, 0));
    c.execute(
        "INSERT INTO contacts (id, customer_id, channel, direction, at) VALUES (900, 7, 'im', 'in', ?1)",
        [at(3, 2, 0)],
    )
    .unwrap();
    c.execute(
        "INSERT INTO spot_checks (week, contact_id, checked_at, accurate) VALUES
         ('2026-W10', 900, ?1, 1), ('2026-W11', 900, ?2, 0), ('2026-W14', 900, ?3, 0)",
        [at(3, 9, 0), at(3, 16, 0), at(4, 1, 0)],
    )
    .unwrap();
    let r = month_report(c, march(), at(4, 1, 0), &Default::default()).unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(
        v["conversion"]["by_customer_type"]["distributor"],
        json!({"won": 1, "lost": 1, "rate": 0.5})
    );
    assert_eq!(
        r.conversion.by_customer_type.get(CustomerType::Regular).won,
        before
    );
    assert_eq!(
        v["conversion"]["by_cycle"],
        json!({"0-7": 0, "8-30": 1, "31-90": 0, "90+": 0})
    );
    assert_eq!(v["conversion"]["avg_days_to_confirm"], json!(10.0));
    // Changes in March: confirmed (2 h late), on_hold, in_production (1 h: within), lost.
    assert_eq!(
        v["status_updates"],
        json!({"changes": 4, "recorded_within_1h": 3, "rate_1h": 0.75})
    );
    assert_eq!(
        v["spot_checks"],
        json!({"checked": 2, "accurate": 1, "accuracy_rate": 0.5})
    );
    assert_eq!(
        v["targets"]["rate_1h"],
        json!({"target": 0.95, "actual": 0.75, "met": false})
    );
}
