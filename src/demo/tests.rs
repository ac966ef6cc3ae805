//! Tests of the whole generator: determinism, coverage of every vocabulary, and the
//! consistency rules the rest of OrderDesk relies on.

use super::*;
use crate::domain::enums::*;
use crate::domain::money::parse_decimal;
use crate::domain::status::Status;
use crate::domain::time::day_start;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use strum::IntoEnumIterator;

/// A fixed "today", so tests do not depend on the day they run.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).expect("a valid date")
}

fn demo(orders: usize, seed: u64) -> Store {
    let mut store = Store::open_in_memory().expect("memory store");
    generate_on(&mut store, orders, seed, today()).expect("demo data");
    store
}

/// Every table the generator fills, the search index's storage included.
const TABLES: &[&str] = &[
    "customers",
    "orders",
    "order_lines",
    "status_history",
    "due_date_revisions",
    "production",
    "exceptions",
    "shipments",
    "complaints",
    "contacts",
    "surveys",
    "requirements",
    "followups",
    "order_search_data",
];

fn checksum(store: &Store) -> String {
    let mut h = Sha256::new();
    for table in TABLES {
        let mut stmt = store
            .conn()
            .prepare(&format!("SELECT * FROM {table} ORDER BY 1"))
            .unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                h.update(format!("{:?}|", row.get_ref(i).unwrap()).as_bytes());
            }
        }
    }
    hex::encode(h.finalize())
}

fn count(store: &Store, sql: &str) -> i64 {
    store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn words_in(store: &Store, sql: &str) -> HashSet<String> {
    let mut stmt = store.conn().prepare(sql).unwrap();
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

#[test]
fn the_same_seed_gives_the_same_data_and_another_seed_other_data() {
    let a = checksum(&demo(600, 7));
    assert_eq!(a, checksum(&demo(600, 7)));
    assert_ne!(a, checksum(&demo(600, 8)));
}

#[test]
fn counts_follow_the_requested_size() {
    let store = demo(2000, 1);
    let summary_counts = [
        ("customers", 40),
        ("orders", 2000),
        ("complaints", 50),
        ("contacts", 500),
        ("surveys", 33),
        ("requirements", 25),
        ("followups", 10),
    ];
    for (table, n) in summary_counts {
        assert_eq!(
            count(&store, &format!("SELECT count(*) FROM {table}")),
            n,
            "{table}"
        );
    }
    let zh = count(
        &store,
        "SELECT count(*) FROM customers WHERE language = 'zh'",
    );
    assert!((10..=30).contains(&zh), "about half Chinese: {zh}");
    let exceptions = count(&store, "SELECT count(DISTINCT order_id) FROM exceptions");
    assert!(
        (80..=260).contains(&exceptions),
        "about 8% of orders: {exceptions}"
    );
}

#[test]
fn every_vocabulary_word_occurs_at_two_thousand_orders() {
    let store = demo(2000, 1);
    let expect = |sql: &str, words: Vec<&str>| {
        let found = words_in(&store, sql);
        for w in words {
            assert!(found.contains(w), "{w} missing from {sql}: {found:?}");
        }
    };
    expect(
        "SELECT DISTINCT status FROM orders",
        Status::iter().map(Status::as_str).collect(),
    );
    expect("SELECT DISTINCT order_type FROM orders", OrderType::words());
    expect(
        "SELECT DISTINCT type FROM complaints",
        ComplaintType::words(),
    );
    expect(
        "SELECT DISTINCT severity FROM complaints",
        Severity::words(),
    );
    expect(
        "SELECT DISTINCT cause FROM exceptions",
        ExceptionCause::words(),
    );
    expect(
        "SELECT DISTINCT kind FROM exceptions",
        ExceptionKind::words(),
    );
    expect("SELECT DISTINCT mode FROM shipments", ShipMode::words());
    expect(
        "SELECT DISTINCT channel FROM contacts",
        ContactChannel::words(),
    );
    expect(
        "SELECT DISTINCT category FROM requirements",
        RequirementCategory::words(),
    );
    expect(
        "SELECT DISTINCT status FROM requirements",
        RequirementStatus::words(),
    );
    expect(
        "SELECT DISTINCT stage FROM production",
        ProductionStage::words(),
    );
    expect("SELECT DISTINCT language FROM customers", vec!["zh", "en"]);
}

#[test]
fn orders_past_quoting_are_complete_or_say_why() {
    let store = demo(2000, 3);
    let unexplained = count(
        &store,
        "SELECT count(*) FROM orders
         WHERE missing <> '' AND missing_reason IS NULL
           AND (status IN ('confirmed','in_production','ready','shipped','delivered','closed',
                           'cancelled')
                OR (status = 'on_hold' AND held_from NOT IN ('inquiry','quoted')))",
    );
    assert_eq!(unexplained, 0);
    assert!(
        count(
            &store,
            "SELECT count(*) FROM orders WHERE missing_reason IS NOT NULL"
        ) > 0
    );
    assert!(
        count(
            &store,
            "SELECT count(*) FROM orders WHERE status IN ('inquiry','quoted') AND missing <> ''"
        ) > 0
    );
    // `missing` names exactly the empty mandatory fields.
    for (field, empty) in [
        ("customer", "customer_id IS NULL"),
        ("due_date", "due_date IS NULL"),
        ("delivery_address", "delivery_address IS NULL"),
        ("unit_price", "EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND l.unit_price IS NULL)"),
        ("product_code", "EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND l.product_code IS NULL)"),
    ] {
        let sql = format!(
            "SELECT count(*) FROM orders o WHERE ({empty}) <> (instr(',' || missing || ',', ',{field},') > 0)"
        );
        assert_eq!(count(&store, &sql), 0, "{field}");
    }
}

#[test]
fn totals_are_the_sum_of_the_lines() {
    let store = demo(2000, 4);
    let mut sums: BTreeMap<i64, Decimal> = BTreeMap::new();
    let mut stmt = store
        .conn()
        .prepare("SELECT order_id, quantity, unit_price FROM order_lines")
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        let qty = parse_decimal(&r.get::<_, String>(1).unwrap()).unwrap();
        assert!(qty > Decimal::ZERO);
        let price = r.get::<_, Option<String>>(2).unwrap();
        let price = price.map_or(Decimal::ZERO, |p| parse_decimal(&p).unwrap());
        *sums.entry(r.get(0).unwrap()).or_default() += crate::domain::order::cents(qty * price);
    }
    let mut stmt = store
        .conn()
        .prepare("SELECT id, total FROM orders")
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        let id: i64 = r.get(0).unwrap();
        let total: String = r.get(1).unwrap();
        assert_eq!(parse_decimal(&total).unwrap(), sums[&id], "order {id}");
        assert_eq!(
            total,
            crate::domain::money::canonical(sums[&id]),
            "canonical text"
        );
    }
}

#[test]
fn histories_lead_from_inquiry_to_the_status_in_time_order() {
    let store = demo(2000, 5);
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT o.id, o.status, o.ordered_at, o.status_changed_at, h.from_status,
                    h.to_status, h.happened_at, h.recorded_at
             FROM orders o LEFT JOIN status_history h ON h.order_id = o.id
             ORDER BY o.id, h.id",
        )
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    let mut current: Option<(i64, String, i64, i64, String, i64)> = None;
    let check = |c: &Option<(i64, String, i64, i64, String, i64)>| {
        if let Some((id, status, _, changed, last, at)) = c {
            assert_eq!(status, last, "order {id} ends where its history ends");
            assert_eq!(changed, at, "order {id} status_changed_at");
        }
    };
    while let Some(r) = rows.next().unwrap() {
        let id: i64 = r.get(0).unwrap();
        if current.as_ref().map(|c| c.0) != Some(id) {
            check(&current);
            let ordered: i64 = r.get(2).unwrap();
            current = Some((
                id,
                r.get(1).unwrap(),
                ordered,
                r.get(3).unwrap(),
                "inquiry".into(),
                ordered,
            ));
        }
        let Some(from) = r.get::<_, Option<String>>(4).unwrap() else {
            continue;
        };
        let c = current.as_mut().unwrap();
        let (to, happened, recorded): (String, i64, i64) =
            (r.get(5).unwrap(), r.get(6).unwrap(), r.get(7).unwrap());
        assert_eq!(from, c.4, "order {id} chain");
        assert!(happened > c.5 && recorded >= happened, "order {id} times");
        let (f, t) = (
            from.parse::<Status>().unwrap(),
            to.parse::<Status>().unwrap(),
        );
        assert!(f.check_transition(t).is_ok(), "order {id}: {f} → {t}");
        (c.4, c.5) = (to, happened);
    }
    check(&current);
}

#[test]
fn shipments_deliveries_and_production_agree_with_the_orders() {
    let store = demo(2000, 6);
    let zero = |sql: &str| assert_eq!(count(&store, sql), 0, "{sql}");
    zero("SELECT count(*) FROM orders o WHERE status IN ('delivered','closed') AND delivered_at IS NOT
          (SELECT max(delivered_at) FROM shipments s WHERE s.order_id = o.id)");
    zero(
        "SELECT count(*) FROM shipments s JOIN orders o ON o.id = s.order_id
          WHERE o.status IN ('delivered','closed') AND s.delivered_at IS NULL",
    );
    zero(
        "SELECT count(*) FROM shipments WHERE (status = 'delivered') <> (delivered_at IS NOT NULL)",
    );
    zero(
        "SELECT count(*) FROM orders o WHERE status IN ('shipped','delivered','closed')
          AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id)",
    );
    zero(
        "SELECT count(*) FROM orders o WHERE status IN ('shipped','delivered','closed')
          AND NOT EXISTS (SELECT 1 FROM production p WHERE p.order_id = o.id
                          AND stage = 'done' AND percent_complete = 100)",
    );
    zero(
        "SELECT count(*) FROM orders o WHERE status IN ('inquiry','quoted','lost','cancelled')
          AND EXISTS (SELECT 1 FROM production p WHERE p.order_id = o.id)",
    );
    zero("SELECT count(*) FROM orders WHERE status = 'closed' AND paid_at IS NULL");
    zero("SELECT count(*) FROM orders WHERE status = 'on_hold' AND held_from IS NULL");
    zero(
        "SELECT count(*) FROM orders WHERE first_due_date IS NOT due_date
          AND id NOT IN (SELECT order_id FROM due_date_revisions)",
    );
    zero("SELECT count(*) FROM requirements WHERE (status IN ('met','declined')) <> (resolved_at IS NOT NULL)");
    zero("SELECT count(*) FROM requirements WHERE status = 'forwarded' AND forwarded_to IS NULL");
    let waybills = count(&store, "SELECT count(DISTINCT waybill_no) FROM shipments");
    assert_eq!(waybills, count(&store, "SELECT count(*) FROM shipments"));
    let late = count(
        &store,
        "SELECT count(*) FROM orders WHERE delivered_at IS NOT NULL
                              AND date(delivered_at, 'unixepoch', 'localtime') > due_date",
    );
    assert!(late > 0, "some deliveries are late");
    assert!(count(&store, "SELECT count(*) FROM due_date_revisions") > 0);
    let bottlenecks = count(
        &store,
        "SELECT count(*) FROM production
                                     WHERE stage <> 'done' AND planned_finish < '2026-06-15'",
    );
    assert!(
        bottlenecks > 0,
        "some production runs past its planned finish"
    );
}

/// Seen at noon of the fixed today: what the Today screen would flag.
#[test]
fn some_things_are_overdue_and_some_not_yet() {
    let store = demo(2000, 1);
    let noon = day_start(today()) + 12 * 3600;
    let late_shipments = count(
        &store,
        &format!("SELECT count(*) FROM shipments WHERE delivered_at IS NULL AND eta < {noon}"),
    );
    assert!(late_shipments > 0);
    let deadline =
        "opened_at + CASE severity WHEN 'urgent' THEN 4 WHEN 'high' THEN 8 ELSE 24 END * 3600";
    let awaiting = |cmp: &str| {
        count(
            &store,
            &format!("SELECT count(*) FROM complaints WHERE first_response_at IS NULL AND {deadline} {cmp} {noon}"),
        )
    };
    assert!(awaiting("<") > 0, "overdue complaint responses");
    assert!(awaiting(">=") > 0, "complaints still within their window");
    let unanswered = count(&store, "SELECT count(*) FROM contacts WHERE direction = 'in' AND replied_at IS NULL AND channel <> 'visit'");
    assert!(unanswered > 0);
    let overdue_followups = count(
        &store,
        &format!("SELECT count(*) FROM followups WHERE done_at IS NULL AND due_at < {noon}"),
    );
    assert!(overdue_followups > 0);
}

#[test]
fn nothing_has_happened_after_now_and_promises_reach_two_months() {
    let store = demo(2000, 2);
    let now = day_start(today());
    for (table, column) in [
        ("orders", "ordered_at"),
        ("orders", "status_changed_at"),
        ("orders", "delivered_at"),
        ("status_history", "recorded_at"),
        ("due_date_revisions", "changed_at"),
        ("production", "updated_at"),
        ("exceptions", "opened_at"),
        ("exceptions", "customer_informed_at"),
        ("exceptions", "resolved_at"),
        ("shipments", "shipped_at"),
        ("shipments", "delivered_at"),
        ("complaints", "first_response_at"),
        ("complaints", "resolved_at"),
        ("contacts", "replied_at"),
        ("requirements", "resolved_at"),
        ("followups", "done_at"),
    ] {
        let sql = format!("SELECT count(*) FROM {table} WHERE {column} > {now}");
        assert_eq!(count(&store, &sql), 0, "{table}.{column}");
    }
    let latest_due: String = store
        .conn()
        .query_row("SELECT max(due_date) FROM orders", [], |r| r.get(0))
        .unwrap();
    assert!(latest_due.as_str() <= "2026-08-14", "{latest_due}");
    let earliest: i64 = store
        .conn()
        .query_row("SELECT min(ordered_at) FROM orders", [], |r| r.get(0))
        .unwrap();
    assert!(earliest >= day_start(today()) - 396 * 86_400);
}

#[test]
fn the_file_is_sound_and_the_audit_chain_holds() {
    let store = demo(2000, 9);
    assert!(store.integrity_problems().unwrap().is_empty());
    let fk = count(&store, "SELECT count(*) FROM pragma_foreign_key_check");
    assert_eq!(fk, 0);
    let chain = audit::verify(store.conn()).unwrap();
    assert_eq!(chain.entries, 1);
    assert_eq!(chain.first_broken, None);
    let fk_on: i64 = store
        .conn()
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk_on, 1, "foreign keys are on again");
    store
        .conn()
        .execute(
            "INSERT INTO order_search (order_search, rank) VALUES ('integrity-check', 0)",
            [],
        )
        .expect("the search index is consistent");
}

#[test]
fn search_finds_orders_by_number_customer_product_and_chinese_text() {
    let mut store = Store::open_in_memory().unwrap();
    // Reading the index first makes this connection cache its (empty) structure, which the
    // demo must make it forget.
    let none = "SELECT count(*) FROM order_search WHERE order_search MATCH '\"SO-\"'";
    assert_eq!(count(&store, none), 0);
    generate_on(&mut store, 2000, 10, today()).unwrap();
    let hits = |phrase: &str| -> HashSet<i64> {
        let mut stmt = store
            .conn()
            .prepare("SELECT rowid FROM order_search WHERE order_search MATCH ?1")
            .unwrap();
        let rows = stmt
            .query_map([crate::store::search::fts_phrase(phrase)], |r| r.get(0))
            .unwrap();
        rows.map(Result::unwrap).collect()
    };
    let (id, no): (i64, String) = store
        .conn()
        .query_row("SELECT id, order_no FROM orders WHERE id = 777", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(hits(&no), HashSet::from([id]));
    let with = |sql: &str| -> HashSet<i64> {
        let mut stmt = store.conn().prepare(sql).unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.map(Result::unwrap).collect()
    };
    let bolts = with("SELECT DISTINCT order_id FROM order_lines WHERE spec LIKE '%六角螺栓%'");
    assert!(!bolts.is_empty() && hits("六角螺栓").is_superset(&bolts));
    let customer = with(
        "SELECT id FROM orders WHERE customer_id = (SELECT customer_id FROM orders WHERE id = 777)",
    );
    let name: String = store
        .conn()
        .query_row(
            "SELECT c.name FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.id = 777",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(hits(&name).is_superset(&customer));
    assert_eq!(count(&store, "SELECT count(*) FROM order_search"), 2000);
}

/// On a real file the demo switches the journal and builds the search index in a scratch
/// file beside it; afterwards the file is as the store left it, with nothing else around.
#[test]
fn a_file_is_left_in_wal_mode_with_no_scratch_files_and_a_working_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    let mut store = Store::open(&path).unwrap();
    // Reading the search index first makes this connection cache its (empty) structure.
    let none = count(
        &store,
        "SELECT count(*) FROM order_search WHERE order_search MATCH '\"SO-\"'",
    );
    assert_eq!(none, 0);
    generate_on(&mut store, 300, 4, today()).unwrap();
    let hits = "SELECT count(*) FROM order_search WHERE order_search MATCH '\"SO-\"'";
    assert_eq!(
        count(&store, hits),
        300,
        "the same connection sees the new index"
    );
    let mode: String = store
        .conn()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(count(&store, "PRAGMA foreign_keys"), 1);
    assert_eq!(count(&store, "PRAGMA synchronous"), 2, "FULL again");
    drop(store);
    let files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("demo.db"))
        .collect();
    assert!(files.is_empty(), "left behind: {files:?}");
    let store = Store::open(&path).unwrap();
    assert_eq!(count(&store, hits), 300, "a new connection sees it too");
    assert!(store.integrity_problems().unwrap().is_empty());
}

#[test]
fn a_file_with_data_is_refused() {
    let mut store = demo(50, 1);
    let err = generate_on(&mut store, 50, 1, today()).unwrap_err();
    assert!(err.to_string().contains("already has 50 orders"), "{err}");
}

#[test]
fn tiny_and_empty_demos_work() {
    for n in [0, 1, 7] {
        let store = demo(n, 1);
        assert_eq!(count(&store, "SELECT count(*) FROM orders"), n as i64);
        assert_eq!(count(&store, "SELECT count(*) FROM customers"), 10);
        assert_eq!(
            count(&store, "SELECT count(*) FROM pragma_foreign_key_check"),
            0
        );
    }
}

/// `cargo test --release -- --ignored demo_million --nocapture`: the SPEC §10 budget is 60 s.
#[test]
#[ignore]
fn demo_million() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("million.db");
    let mut store = Store::open(&path).unwrap();
    let started = std::time::Instant::now();
    let summary = generate(&mut store, 1_000_000, 1).unwrap();
    let took = started.elapsed();
    drop(store);
    let size = std::fs::metadata(&path).unwrap().len();
    println!(
        "1,000,000 orders in {took:.1?}; {summary:?}; file {} MiB",
        size >> 20
    );
    let store = Store::open(&path).unwrap();
    for table in TABLES {
        println!(
            "{table}: {}",
            count(&store, &format!("SELECT count(*) FROM {table}"))
        );
    }
    assert!(took.as_secs() < 60, "took {took:?}");
}

/// On an encrypted desk the scratch index is a plain file of its own (attached with an
/// empty key), and the desk stays encrypted with every order searchable.
#[test]
fn an_encrypted_desk_gets_its_demo_and_search_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret.db");
    drop(Store::open(&path).unwrap());
    crate::store::cipher::convert(&path, None, Some("correct horse")).unwrap();
    let mut store = Store::open_with(&path, Some("correct horse")).unwrap();
    assert!(store.passphrase().is_some());
    generate_on(&mut store, 120, 5, today()).unwrap();
    let hits = "SELECT count(*) FROM order_search WHERE order_search MATCH '\"SO-\"'";
    assert_eq!(count(&store, hits), 120);
    drop(store);
    assert!(!crate::store::cipher::is_plain(&path));
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("secret.db"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    let store = Store::open_with(&path, Some("correct horse")).unwrap();
    assert_eq!(count(&store, hits), 120);
    assert!(store.integrity_problems().unwrap().is_empty());
}
