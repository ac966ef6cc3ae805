use super::*;
use crate::domain::enums::{ExceptionKind, OrderType};
use crate::domain::risk::{RiskFacts, RiskReason};
use crate::domain::status::Status;
use crate::store::list::{count as list_count, ListQuery};
use crate::store::orders::OrderRow;
use crate::store::Store;
use std::str::FromStr;

/// 2026-03-10 12:00 UTC.
const NOW: i64 = 1_773_144_000;
const H: i64 = 3_600;
const D: i64 = 86_400;

fn ctx() -> ListContext {
    ListContext {
        today: "2026-03-10".into(),
        week_end: "2026-03-17".into(),
        now: NOW,
    }
}

fn windows() -> ResponseWindows {
    ResponseWindows::DEFAULT
}

/// A small desk with one example of every kind of reminder, and near misses beside them.
fn desk() -> Store {
    let store = Store::open_in_memory().unwrap();
    store
        .conn()
        .execute_batch(&format!(
            "
INSERT INTO customers (id, code, name) VALUES (1, 'A', 'Acme'), (2, 'B', '北京精密');
INSERT INTO orders (id, order_no, customer_id, order_type, status, due_date, payment_due,
                    missing, ordered_at, status_changed_at, created_at, updated_at) VALUES
 (1, 'SO-1', 1, 'rush',    'confirmed',     '2026-04-30', NULL,         '', 1, {NOW}, 0, 0),
 (2, 'SO-2', 1, 'regular', 'in_production', '2026-03-12', '2026-03-09', '', 2, {NOW}, 0, 0),
 (3, 'SO-3', 2, 'regular', 'shipped',       '2026-03-08', NULL,         '', 3, {NOW}, 0, 0),
 (4, 'SO-4', 2, 'regular', 'confirmed',     '2026-04-30', NULL,         '', 4, {t20}, 0, 0),
 (5, 'SO-5', 2, 'rush',    'delivered',     '2026-03-11', NULL,         '', 5, {NOW}, 0, 0),
 (6, 'SO-6', 1, 'regular', 'confirmed',     '2026-03-01', '2026-03-15', '', 6, {t40}, 0, 0),
 (7, 'SO-7', 2, 'regular', 'inquiry',       NULL,         NULL, 'due_date,delivery_address', 7, {t30}, 0, 0),
 (8, 'SO-8', 2, 'regular', 'cancelled',     NULL,         NULL, 'due_date', 8, {t30}, 0, 0);
INSERT INTO exceptions (order_id, kind, opened_at) VALUES
 (1, 'stockout', 0), (4, 'quality', 0), (5, 'delay', 0);
INSERT INTO production (order_id, stage, planned_finish, percent_complete, updated_at) VALUES
 (2, 'producing', '2026-03-05', 40, 0), (4, 'materials', '2026-04-20', 0, 0),
 (1, 'qc', '2026-03-10', 90, 0);
INSERT INTO shipments (order_id, carrier, waybill_no, eta, delivered_at) VALUES
 (3, 'SF Express', 'SF-LATE-1', {eta_late}, NULL), (5, 'DHL', 'DHL-DONE', {eta_late}, {NOW}),
 (3, 'SF Express', 'SF-ONTIME', {eta_future}, NULL);
INSERT INTO complaints (complaint_no, customer_id, order_id, type, severity, opened_at,
                        first_response_at) VALUES
 ('K-1', 1, 2, 'quality', 'urgent', {k1}, NULL),
 ('K-2', 2, NULL, 'delivery_delay', 'high', {k2}, NULL),
 ('K-3', 2, NULL, 'other', 'normal', {k1}, NULL),
 ('K-4', 1, NULL, 'other', 'urgent', {k2}, {NOW});
INSERT INTO followups (id, customer_id, order_id, due_at, text, done_at, created_at) VALUES
 (1, NULL, 4, {f1}, 'chase the deposit', NULL, 0),
 (2, 2, NULL, {f2}, '回电话', NULL, 0),
 (3, 2, NULL, {f3}, 'later', NULL, 0),
 (4, 1, NULL, {f1}, 'done already', {NOW}, 0);
",
            t20 = NOW - 20 * D,
            t30 = NOW - 30 * D,
            t40 = NOW - 40 * D,
            eta_late = NOW - 3 * D,
            eta_future = NOW + 3 * D,
            k1 = NOW - 5 * H,
            k2 = NOW - 10 * H,
            f1 = NOW - H,
            f2 = NOW + 2 * H,
            f3 = NOW + 3 * D,
        ))
        .unwrap();
    store
}

fn whats(k: &KindItems) -> Vec<&str> {
    k.items.iter().map(|i| i.what.as_str()).collect()
}

fn kind<'a>(all: &'a [KindItems], name: &str) -> &'a KindItems {
    all.iter().find(|k| k.kind == name).unwrap()
}

#[test]
fn every_kind_lists_its_items_most_urgent_first() {
    let store = desk();
    let all = build(store.conn(), windows(), &ctx(), &|_| Some(50)).unwrap();
    let kinds: Vec<&str> = all.iter().map(|k| k.kind).collect();
    let expected: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
    assert_eq!(kinds, expected, "kinds in order of urgency");
    let expect = |name: &str, items: &[&str]| {
        let k = kind(&all, name);
        assert_eq!(whats(k), items, "{name}");
        assert_eq!(k.count, items.len() as u64, "{name}");
    };
    expect("complaints_overdue", &["K-2", "K-1"]);
    expect("complaints_awaiting", &["K-3"]);
    expect("late_shipments", &["SF-LATE-1"]);
    expect("high_risk", &["SO-3", "SO-2", "SO-1"]);
    expect("overdue_orders", &["SO-6"]);
    expect("due_soon", &["SO-2"]);
    expect("production_due", &["SO-2", "SO-1"]);
    expect("payments_due", &["SO-2", "SO-6"]);
    expect("followups_due", &["SO-4", "B"]);
    expect("stale_orders", &["SO-6", "SO-7", "SO-4"]);
    expect("incomplete_orders", &["SO-7"]);

    let k2 = &kind(&all, "complaints_overdue").items[0];
    assert_eq!(k2.customer, "北京精密");
    assert_eq!(
        k2.detail,
        Detail::Complaint {
            deadline: NOW - 2 * H,
            severity: "high".into(),
            kind: "delivery_delay".into(),
            order_no: String::new(),
        }
    );
    let ship = &kind(&all, "late_shipments").items[0];
    assert_eq!(
        ship.detail,
        Detail::Shipment {
            eta: NOW - 3 * D,
            order_no: "SO-3".into(),
            carrier: "SF Express".into()
        }
    );
    let f = &kind(&all, "followups_due").items;
    assert_eq!(
        f[0].subject,
        Subject::Followup {
            id: 1,
            order: Some(4),
            customer: Some(2)
        }
    );
    assert_eq!(f[0].customer, "北京精密", "the order's customer");
    assert_eq!(
        f[1].subject,
        Subject::Followup {
            id: 2,
            order: None,
            customer: Some(2)
        }
    );
    match &kind(&all, "incomplete_orders").items[0].detail {
        Detail::Incomplete { missing, .. } => {
            assert_eq!(
                missing,
                &vec!["due_date".to_string(), "delivery_address".into()]
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn high_risk_orders_carry_their_reasons() {
    let store = desk();
    let (n, risky) = high_risk(store.conn(), &ctx(), None).unwrap();
    assert_eq!(n, 3);
    let reasons: Vec<(&str, &[RiskReason])> = risky
        .iter()
        .map(|r| (r.order_no.as_str(), r.reasons.as_slice()))
        .collect();
    assert_eq!(
        reasons,
        vec![
            ("SO-3", &[RiskReason::Due(-2), RiskReason::ShipmentLate][..]),
            (
                "SO-2",
                &[RiskReason::Due(2), RiskReason::ProductionLate][..]
            ),
            (
                "SO-1",
                &[
                    RiskReason::Rush,
                    RiskReason::OpenException(ExceptionKind::Stockout)
                ][..]
            ),
        ]
    );
    let (n, first) = high_risk(store.conn(), &ctx(), Some(1)).unwrap();
    assert_eq!(
        (n, first.len()),
        (3, 1),
        "counted in full, listed up to the limit"
    );
}

/// The SQL and the domain rule agree on every order of the desk.
#[test]
fn the_high_risk_query_is_the_domain_rule() {
    let store = desk();
    let c = store.conn();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
    let mut stmt = c
        .prepare(
            "SELECT o.id, o.status, o.order_type, o.due_date,
                (SELECT group_concat(kind) FROM exceptions e WHERE e.order_id = o.id AND e.resolved_at IS NULL),
                EXISTS (SELECT 1 FROM production p WHERE p.order_id = o.id AND p.stage <> 'done' AND p.planned_finish < '2026-03-10'),
                EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id AND s.delivered_at IS NULL AND s.eta < ?1)
             FROM orders o ORDER BY o.id",
        )
        .unwrap();
    let by_rule: Vec<i64> = stmt
        .query_map([NOW], |r| {
            let kinds: Option<String> = r.get(4)?;
            let due: Option<String> = r.get(3)?;
            let facts = RiskFacts {
                status: Status::from_str(&r.get::<_, String>(1)?).unwrap(),
                order_type: OrderType::from_str(&r.get::<_, String>(2)?).unwrap(),
                due_date: due.map(|d| crate::domain::time::parse_date(&d).unwrap()),
                open_exceptions: kinds
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|k| ExceptionKind::from_str(k).ok())
                    .collect(),
                production_late: r.get(5)?,
                shipment_late: r.get(6)?,
            };
            Ok((r.get::<_, i64>(0)?, facts.is_high_risk(today)))
        })
        .unwrap()
        .filter_map(|r| r.ok().filter(|(_, risky)| *risky).map(|(id, _)| id))
        .collect();
    let mut by_sql: Vec<i64> = high_risk(c, &ctx(), None)
        .unwrap()
        .1
        .iter()
        .map(|r| r.id)
        .collect();
    by_sql.sort();
    assert_eq!(by_sql, by_rule);
}

#[test]
fn items_are_capped_and_the_rest_counted() {
    let store = desk();
    let all = build(store.conn(), windows(), &ctx(), &|_| Some(1)).unwrap();
    let stale = kind(&all, "stale_orders");
    assert_eq!((stale.count, whats(stale)), (3, vec!["SO-6"]));
    assert_eq!(stale.more(), 2);
    let overdue = kind(&all, "complaints_overdue");
    assert_eq!((overdue.count, whats(overdue)), (2, vec!["K-2"]));
    let uncapped = build(store.conn(), windows(), &ctx(), &|k| {
        (k != "late_shipments").then_some(0)
    })
    .unwrap();
    assert_eq!(kind(&uncapped, "late_shipments").items.len(), 1);
    assert_eq!(
        kind(&uncapped, "payments_due").count,
        2,
        "counted, none listed"
    );
    assert!(kind(&uncapped, "payments_due").items.is_empty());
}

/// "Enter on the kind opens the full list": every Orders kind counts what its filter shows.
#[test]
fn each_count_is_the_list_it_opens() {
    let store = desk();
    let c = store.conn();
    for (name, target) in KINDS {
        let n = count_kind(c, name, *target, windows(), &ctx()).unwrap();
        if let Target::Orders(filter) = target {
            if *name == "followups_due" {
                continue; // also counts follow-ups about a customer only
            }
            let q = ListQuery {
                filters: vec![filter.to_string()],
                ..Default::default()
            };
            assert_eq!(
                list_count::<OrderRow>(c, &q, &ctx()).unwrap(),
                n,
                "{name} vs filter {filter}"
            );
        }
    }
}

#[test]
fn counts_overdue_complaints_by_severity_window() {
    let store = Store::open_in_memory().unwrap();
    let c = store.conn();
    c.execute("INSERT INTO customers (code, name) VALUES ('C', 'C')", [])
        .unwrap();
    let now = crate::domain::time::now();
    for (no, severity, age_h) in [("A", "urgent", 5), ("B", "normal", 5), ("C", "high", 9)] {
        c.execute(
            "INSERT INTO complaints (complaint_no, customer_id, type, severity, opened_at)
             VALUES (?1, 1, 'quality', ?2, ?3)",
            rusqlite::params![no, severity, now - age_h * 3600],
        )
        .unwrap();
    }
    let r = reminders(c, windows()).unwrap();
    let get = |k: &str| r.iter().find(|x| x.kind == k).unwrap().count;
    assert_eq!(
        get("complaints_overdue"),
        2,
        "urgent after 5h and high after 9h"
    );
    assert_eq!(get("complaints_awaiting"), 1);
    assert_eq!(get("late_shipments"), 0);
}

#[test]
fn bottlenecks_count_each_unfinished_stage() {
    let store = desk();
    let b = bottlenecks(store.conn(), &ctx()).unwrap();
    let rows: Vec<(&str, u64, u64)> = b
        .iter()
        .map(|b| (b.stage.as_str(), b.orders, b.late))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("materials", 1, 0),
            ("scheduled", 0, 0),
            ("producing", 1, 1),
            ("qc", 1, 0)
        ]
    );
}

/// The statistics `ANALYZE` left on a demo desk of 100,000 orders (`demo --orders 100000
/// --seed 1`), so the planner chooses here as it does on a big desk.
const BIG_DESK: &str = "
DELETE FROM sqlite_stat1;
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
 ('complaints', 'complaints_awaiting', '164 6'),
 ('complaints', 'complaints_by_customer', '2500 3 1'),
 ('complaints', 'complaints_by_opened', '2500 1 1'),
 ('complaints', 'complaints_by_order', '2500 2'),
 ('complaints', 'complaints_by_urgency', '2500 1 1'),
 ('complaints', 'complaints_open', '598 2'),
 ('complaints', 'complaints_open_by_customer', '598 2'),
 ('complaints', 'complaints_response_due', '164 6'),
 ('complaints', 'sqlite_autoindex_complaints_1', '2500 1'),
 ('customers', 'sqlite_autoindex_customers_1', '2000 1'),
 ('customers', 'sqlite_autoindex_customers_2', '2000 1'),
 ('exceptions', 'exceptions_by_order', '10039 1 1'),
 ('exceptions', 'exceptions_open', '530 1'),
 ('followups', NULL, '500'),
 ('followups', 'followups_open', '377 2'),
 ('orders', 'orders_by_customer', '100000 54 1'),
 ('orders', 'orders_by_due', '100000 224 1'),
 ('orders', 'orders_by_ordered', '100000 1 1'),
 ('orders', 'orders_by_status', '100000 9091 1 1'),
 ('orders', 'orders_by_status_change', '100000 9091 1'),
 ('orders', 'orders_by_status_due', '100000 9091 45 1'),
 ('orders', 'orders_by_type', '100000 33334 1 1'),
 ('orders', 'orders_delivered_due', '71258 1 1 1'),
 ('orders', 'orders_incomplete', '5308 885 1 1'),
 ('orders', 'orders_month', '100000 1 1 1 1 1'),
 ('orders', 'orders_month_by_customer', '100000 1 1 1'),
 ('orders', 'orders_open_by_due', '40250 91 1'),
 ('orders', 'orders_open_by_number', '40250 1'),
 ('orders', 'orders_open_by_ordered', '40250 1 1'),
 ('orders', 'orders_payment_open', '13091 30 24'),
 ('orders', 'sqlite_autoindex_orders_1', '100000 1'),
 ('production', 'production_by_finish', '6063 70'),
 ('production', 'production_by_stage', '80533 16107 141'),
 ('shipments', 'shipments_by_carrier', '83060 4886 1 1'),
 ('shipments', 'shipments_by_carrier_eta', '83060 4886 1 1'),
 ('shipments', 'shipments_by_eta', '83060 1 1'),
 ('shipments', 'shipments_by_order', '83060 2'),
 ('shipments', 'shipments_by_shipped', '83060 1 1'),
 ('shipments', 'shipments_by_status', '83060 13844 1 1'),
 ('shipments', 'shipments_open_by_eta', '3202 1 1'),
 ('shipments', 'shipments_open_by_shipped', '3202 1 1'),
 ('shipments', 'shipments_undelivered', '3202 1'),
 ('shipments', 'sqlite_autoindex_shipments_1', '83060 1');
ANALYZE sqlite_schema;";

/// The statistics on a TPC-H desk of scale 1 (1,500,000 orders, 770,587 unfinished
/// productions, none with a planned finish; no exceptions, shipments or complaints), as
/// `ANALYZE` with its row limit left them after the import.
const TPCH_DESK: &str = "
DELETE FROM sqlite_stat1;
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
 ('customers', 'sqlite_autoindex_customers_1', '150000 1'),
 ('customers', 'sqlite_autoindex_customers_2', '150000 1'),
 ('orders', 'orders_by_customer', '1500000 15 1'),
 ('orders', 'orders_by_due', '1500000 21 1'),
 ('orders', 'orders_by_ordered', '1500000 401 1'),
 ('orders', 'orders_by_status', '1500000 401 26 1'),
 ('orders', 'orders_by_status_change', '1500000 401 401'),
 ('orders', 'orders_by_status_due', '1500000 401 12 1'),
 ('orders', 'orders_by_type', '1500000 401 161 1'),
 ('orders', 'orders_created', '1500000 1 1'),
 ('orders', 'orders_delivered_due', '0 0 0 0'),
 ('orders', 'orders_incomplete', '0 0 0 0'),
 ('orders', 'orders_month', '1500000 401 401 401 401 1'),
 ('orders', 'orders_month_by_customer', '1500000 401 401 1'),
 ('orders', 'orders_open_by_due', '1500000 21 1'),
 ('orders', 'orders_open_by_number', '1500000 1'),
 ('orders', 'orders_open_by_ordered', '1500000 401 1'),
 ('orders', 'orders_payment_open', '0 0 0'),
 ('orders', 'sqlite_autoindex_orders_1', '1500000 1'),
 ('production', 'production_by_finish', '770587 401'),
 ('production', 'production_by_stage', '770587 401 401');
ANALYZE sqlite_schema;";

/// The orders a Today query reads, by how it finds them: a plan step that scans the orders
/// table, or walks every order of a status by an index of all orders, is named.
fn order_walks(c: &rusqlite::Connection, sql: &str) -> Vec<String> {
    // Partial indexes kept small by their condition: a status there is a few orders.
    const SMALL: [&str; 2] = ["orders_incomplete", "orders_payment_open"];
    let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let nulls = vec![rusqlite::types::Null; stmt.parameter_count()];
    let steps: Vec<String> = stmt
        .query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    if std::env::var("SHOW_PLANS").is_ok() {
        eprintln!("{sql}\n  {}", steps.join("\n  "));
    }
    steps
        .into_iter()
        .filter(|step| {
            // Every production or shipment: a TPC-H desk has 770,000 productions, a demo
            // desk of a million orders 800,000 shipments.
            let whole = [
                "SCAN production",
                "SCAN shipments",
                "INDEX production_by_stage",
            ];
            if whole.iter().any(|w| step.contains(w)) {
                return true;
            }
            let mut words = step.split(' ');
            let (how, table) = (words.next(), words.next());
            if !matches!(table, Some("o" | "orders")) {
                return false;
            }
            let scan = how == Some("SCAN") && !step.contains(" USING ");
            let whole_status = step.ends_with("(status=?)")
                && !SMALL.iter().any(|i| step.contains(&format!("INDEX {i} ")));
            scan || whole_status
        })
        .map(|step| format!("{step}\n  in {sql}"))
        .collect()
}

/// Every Today query (the counts, and the items of every kind) finds its orders by an index
/// made for it, on a fresh file (no statistics yet), on a big demo desk and on a TPC-H desk:
/// "payments due" spelled as `status IN (…)` walked every order of seven statuses and turned
/// Today at a million orders from 51 ms into 2.66 s; the high-risk candidates walked every
/// unfinished production by stage on the TPC-H desk (145 ms).
#[test]
fn every_today_query_finds_its_orders_by_an_index() {
    for (name, stats) in [
        ("a fresh file", ""),
        ("a big desk", BIG_DESK),
        ("a TPC-H desk", TPCH_DESK),
    ] {
        let store = desk();
        let c = store.conn();
        c.execute_batch("ANALYZE; DELETE FROM sqlite_stat1; ANALYZE sqlite_schema;")
            .unwrap();
        c.execute_batch(stats).unwrap();
        RAN.with(|r| r.borrow_mut().clear());
        reminders(c, windows()).unwrap();
        build(c, windows(), &ctx(), &|_| Some(50)).unwrap();
        let ran: Vec<String> = RAN.with(|r| r.borrow().clone());
        assert!(ran.len() >= 2 * KINDS.len() - 2, "{} statements", ran.len());
        let walks: Vec<String> = ran.iter().flat_map(|sql| order_walks(c, sql)).collect();
        assert!(
            walks.is_empty(),
            "on {name}, orders read without their index:\n{}",
            walks.join("\n")
        );
    }
}

/// A kind with more than `COUNT_CAP` items is counted up to the cap and says so: a desk of
/// 770,000 overdue orders opens Today without counting them all.
#[test]
fn a_big_kind_is_counted_up_to_the_cap() {
    let store = Store::open_in_memory().unwrap();
    let c = store.conn();
    let tx = c.unchecked_transaction().unwrap();
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO orders (order_no, status, due_date, missing, ordered_at,
                                     status_changed_at, created_at, updated_at)
                 VALUES (?1, 'confirmed', '2026-01-01', '', 0, ?2, 0, 0)",
            )
            .unwrap();
        for i in 0..COUNT_CAP + 50 {
            insert
                .execute(rusqlite::params![format!("SO-{i}"), NOW])
                .unwrap();
        }
    }
    tx.commit().unwrap();
    let all = build(c, windows(), &ctx(), &|_| Some(50)).unwrap();
    let overdue = kind(&all, "overdue_orders");
    assert_eq!(overdue.items.len(), 50);
    assert!(overdue.is_capped());
    assert_eq!(overdue.shown(), COUNT_CAP);
    assert_eq!(overdue.more(), COUNT_CAP - 50);
    let due_soon = kind(&all, "due_soon");
    assert!(!due_soon.is_capped());
    assert_eq!(due_soon.count, 0);
}
