//! Import on in-memory stores: round trips through export, keys and updates, what is derived,
//! and that a file with any problem writes nothing.

use super::*;
use crate::io::export::{export_csv, ExportOptions};
use crate::store::Store;
use chrono::NaiveDate;
use proptest::prelude::*;
use strum::IntoEnumIterator;

fn store() -> Store {
    Store::open_in_memory().unwrap()
}

fn demo(orders: usize) -> Store {
    let mut s = store();
    let today = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
    crate::demo::generate_on(&mut s, orders, 7, today).unwrap();
    s
}

fn import(store: &mut Store, kind: Kind, text: &str) -> Result<Imported, ImportError> {
    import_opts(store, kind, text, &ImportOptions::default())
}

fn import_opts(
    store: &mut Store,
    kind: Kind,
    text: &str,
    opts: &ImportOptions,
) -> Result<Imported, ImportError> {
    let source = Source::csv(Box::new(std::io::Cursor::new(text.as_bytes().to_vec())));
    import_source(store, kind, source, &kind.file_name("csv"), opts)
}

fn ok(store: &mut Store, kind: Kind, text: &str) -> Counts {
    match import(store, kind, text) {
        Ok(i) => i.counts,
        Err(e) => panic!("{kind}: {e}"),
    }
}

fn problems(store: &mut Store, kind: Kind, text: &str) -> Vec<String> {
    match import(store, kind, text) {
        Err(ImportError::Problems(p)) => p.lines(),
        Err(e) => panic!("{kind}: failed instead of listing problems: {e:#}"),
        Ok(c) => panic!("{kind}: imported {c:?}"),
    }
}

fn export(store: &mut Store, kind: Kind) -> String {
    let mut out = Vec::new();
    let opts = ExportOptions {
        include_pii: true,
        ..Default::default()
    };
    export_csv(store, kind, &mut out, &opts).unwrap();
    String::from_utf8(out).unwrap()
}

/// Every kind, exported; used to see that nothing changed.
fn everything(store: &mut Store) -> Vec<String> {
    Kind::iter().map(|k| export(store, k)).collect()
}

fn count(store: &Store, sql: &str) -> i64 {
    store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

const CUSTOMERS: &str = "code,name,contact_person,phone,email,im_handle,preferred_channel,address,payment_terms_days,language,notes
ZH01,上海华东机械有限公司,王经理,13812345678,wang@huadong.cn,wx_wang88,im,上海市浦东新区张江路88号,30,zh,\"says \"\"urgent\"\", always; calls
twice\"
AC01,\"Acme, Inc.\",,,,,email,,,en,
";

const ORDERS_HEADER: &str = "order_no,customer,order_type,status,ordered_at,due_date,delivery_address,currency,payment_due,paid_at,product_code,spec,quantity,unit,unit_price,missing_reason,notes";

fn orders(rows: &[&str]) -> String {
    let mut text = ORDERS_HEADER.to_string();
    for r in rows {
        text.push('\n');
        text.push_str(r);
    }
    text.push('\n');
    text
}

#[test]
fn every_kind_of_a_demo_survives_export_import_export() {
    let mut source = demo(150);
    let mut target = store();
    for kind in Kind::iter() {
        let first = export(&mut source, kind);
        let counts = ok(&mut target, kind, &first);
        assert_eq!(
            counts.updated + counts.unchanged,
            0,
            "{kind}: into an empty file"
        );
        assert_eq!(export(&mut target, kind), first, "{kind}");
    }
    // Importing the same files again finds every record and changes nothing.
    let before = count(&target, "SELECT sum(version) FROM orders");
    for kind in Kind::iter() {
        let counts = ok(&mut target, kind, &export(&mut source, kind));
        assert_eq!(
            (counts.inserted, counts.updated),
            (0, 0),
            "{kind}: {counts:?}"
        );
    }
    assert_eq!(count(&target, "SELECT sum(version) FROM orders"), before);
    let chain = crate::store::audit::verify(target.conn()).unwrap();
    assert_eq!(chain.first_broken, None);
    assert!(target.integrity_problems().unwrap().is_empty());
    let fk: i64 = count(&target, "SELECT count(*) FROM pragma_foreign_key_check");
    assert_eq!(fk, 0);
}

#[test]
fn the_derived_order_fields_match_what_the_app_keeps() {
    let mut source = demo(120);
    let mut target = store();
    for kind in Kind::iter() {
        ok(&mut target, kind, &export(&mut source, kind));
    }
    // Delivery dates come from shipments; orders delivered without any keep none.
    let with_shipments = "SELECT group_concat(order_no || '|' || ifnull(delivered_at, ''), ';')
                          FROM (SELECT * FROM orders o WHERE EXISTS
                                (SELECT 1 FROM shipments s WHERE s.order_id = o.id) ORDER BY order_no)";
    let shipped_of = |s: &Store| -> String {
        s.conn()
            .query_row(with_shipments, [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(shipped_of(&target), shipped_of(&source));
    let totals = |s: &Store| -> String {
        s.conn()
            .query_row(
                "SELECT group_concat(order_no || total || missing, ';') FROM (SELECT * FROM orders ORDER BY order_no)",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(totals(&target), totals(&source));
    // Every order is found by search, as in the app.
    let search = |s: &Store, q: &str| -> i64 {
        s.conn()
            .query_row(
                "SELECT count(*) FROM order_search WHERE order_search MATCH ?1",
                [crate::store::search::fts_phrase(q)],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(count(&target, "SELECT count(*) FROM order_search"), 120);
    for q in ["SO-", "有限公司", "M8"] {
        assert_eq!(search(&target, q), search(&source, q), "{q}");
    }
}

#[test]
fn customers_keep_quotes_commas_newlines_and_chinese() {
    let mut s = store();
    let counts = ok(&mut s, Kind::Customers, CUSTOMERS);
    assert_eq!((counts.rows, counts.inserted), (2, 2));
    let notes: String = s
        .conn()
        .query_row("SELECT notes FROM customers WHERE code = 'ZH01'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(notes, "says \"urgent\", always; calls\ntwice");
    let text = export(&mut s, Kind::Customers);
    assert!(text.contains("\"Acme, Inc.\""), "{text}");
}

#[test]
fn a_bom_crlf_and_free_column_order_are_accepted() {
    let mut s = store();
    let text =
        "\u{feff}name,code,notes\r\n北京客户,BJ01,\"第一行\r\n第二行\"\r\nLondon Ltd,LN01,\r\n";
    ok(&mut s, Kind::Customers, text);
    let rows: Vec<(String, String, Option<String>)> = s
        .conn()
        .prepare("SELECT code, language, notes FROM customers ORDER BY code")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        rows,
        [
            ("BJ01".into(), "zh".into(), Some("第一行\n第二行".into())),
            ("LN01".into(), "en".into(), None),
        ]
    );
}

#[test]
fn an_update_writes_only_the_columns_the_file_has() {
    let mut s = store();
    ok(&mut s, Kind::Customers, CUSTOMERS);
    let counts = ok(
        &mut s,
        Kind::Customers,
        "code,name,phone\nZH01,上海华东机械有限公司,021-5555\n",
    );
    assert_eq!((counts.updated, counts.inserted), (1, 0));
    let (phone, email, notes, version): (String, String, String, i64) = s
        .conn()
        .query_row(
            "SELECT phone, email, notes, version FROM customers WHERE code = 'ZH01'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(phone, "021-5555");
    assert_eq!(email, "wang@huadong.cn", "untouched");
    assert!(notes.starts_with("says"));
    assert_eq!(version, 2);
    // An empty cell is no value: it clears.
    ok(
        &mut s,
        Kind::Customers,
        "code,name,phone\nZH01,上海华东机械有限公司,\n",
    );
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM customers WHERE code = 'ZH01' AND phone IS NULL"
        ),
        1
    );
}

#[test]
fn a_renamed_customer_is_found_by_its_new_name_in_orders() {
    let mut s = store();
    ok(&mut s, Kind::Customers, CUSTOMERS);
    ok(
        &mut s,
        Kind::Orders,
        &orders(&["SO-1,ZH01,regular,inquiry,2026-03-01 08:30,,,CNY,,,P-1,,1,pcs,2,,"]),
    );
    ok(
        &mut s,
        Kind::Customers,
        "code,name\nZH01,苏州新名字有限公司\n",
    );
    let hits = count(
        &s,
        "SELECT count(*) FROM order_search WHERE order_search MATCH '\"苏州新名字\"'",
    );
    assert_eq!(hits, 1);
}

#[test]
fn codes_are_unique_and_twin_names_are_told_apart() {
    let mut s = store();
    ok(&mut s, Kind::Customers, CUSTOMERS);
    let p = problems(
        &mut s,
        Kind::Customers,
        "code,name\nNEW2,Twin\nNEW2,Other\n",
    );
    assert_eq!(
        p,
        ["customers.csv:3: code: 'NEW2' appears again (first on line 2)"]
    );
    let text = "code,name\nNEW1,\"Acme, Inc.\"\nNEW2,Twin\nNEW3,Twin\n";
    let done = import(&mut s, Kind::Customers, text).unwrap();
    assert_eq!(
        done.notes,
        [
            "customers.csv:2: name: 'Acme, Inc.' already belongs to AC01; saved as 'Acme, Inc. (NEW1)'",
            "customers.csv:4: name: 'Twin' already belongs to NEW2; saved as 'Twin (NEW3)'",
        ]
    );
    assert_eq!(done.counts.inserted, 3);
    // Importing the same list again finds them as they were saved.
    let again = import(&mut s, Kind::Customers, text).unwrap();
    assert_eq!(again.counts.unchanged, 3);
    assert_eq!(count(&s, "SELECT count(*) FROM customers"), 5);
}

#[test]
fn orders_are_built_from_their_rows() {
    let mut s = store();
    ok(&mut s, Kind::Customers, CUSTOMERS);
    let text = orders(&[
        "SO-1,ZH01,rush,confirmed,2026-03-01 08:30,2026-04-01,上海,CNY,,,P-100,\"M8 \"\"hex\"\"\",1000.50,kg,12.3400,,\"加急, A\"",
        "SO-1,上海华东机械有限公司,rush,confirmed,2026-03-01 08:30:00,2026-04-01,上海,CNY,,,P-200,\"不锈钢, 2mm\",5,pcs,,,\"加急, A\"",
        "SO-2,\"Acme, Inc.\",regular,inquiry,2026-03-02T09:00:00+08:00,,,USD,,,,,,,,customer to confirm,",
    ]);
    // The rows of one order follow one another: they are written one order at a time.
    let apart = orders(&[
        "SO-7,ZH01,rush,confirmed,2026-03-01 08:30,2026-04-01,上海,CNY,,,P-100,,1,kg,1,,",
        "SO-8,ZH01,rush,confirmed,2026-03-01 08:30,2026-04-01,上海,CNY,,,P-100,,1,kg,1,,",
        "SO-7,ZH01,rush,confirmed,2026-03-01 08:30,2026-04-01,上海,CNY,,,P-200,,1,kg,1,,",
    ]);
    let mut other = store();
    ok(&mut other, Kind::Customers, CUSTOMERS);
    assert_eq!(
        problems(&mut other, Kind::Orders, &apart),
        ["orders.csv:4: order_no: the rows of order SO-7 must follow one another; it appears earlier in the file"]
    );
    let counts = ok(&mut s, Kind::Orders, &text);
    assert_eq!(
        (counts.rows, counts.inserted, counts.lines_inserted),
        (3, 2, 2)
    );
    let (total, missing, first_due, status): (String, String, String, String) = s
        .conn()
        .query_row(
            "SELECT total, missing, first_due_date, status FROM orders WHERE order_no = 'SO-1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(total, "12346.17");
    assert_eq!(missing, "unit_price", "the second line has no price");
    assert_eq!(first_due, "2026-04-01");
    assert_eq!(status, "confirmed");
    assert_eq!(
        count(&s, "SELECT count(*) FROM production p JOIN orders o ON o.id = p.order_id WHERE o.order_no = 'SO-1'"),
        1
    );
    assert_eq!(
        count(&s, "SELECT count(*) FROM status_history WHERE to_status = 'confirmed' AND from_status IS NULL"),
        1
    );
    let so2: (String, String) = s
        .conn()
        .query_row(
            "SELECT missing, total FROM orders WHERE order_no = 'SO-2'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(so2, ("lines,due_date,delivery_address".into(), "0".into()));
    let lines = export(&mut s, Kind::Orders);
    assert!(
        lines.contains("P-100,\"M8 \"\"hex\"\"\",1000.5,kg,12.34"),
        "{lines}"
    );
}

#[test]
fn rows_of_one_order_must_agree() {
    let mut s = store();
    ok(&mut s, Kind::Customers, CUSTOMERS);
    let text = orders(&[
        "SO-1,ZH01,rush,confirmed,2026-03-01 08:30,2026-04-01,上海,CNY,,,P-1,,1,pcs,1,,",
        "SO-1,ZH01,rush,confirmed,2026-03-01 08:30,2026-04-02,上海,CNY,,,P-2,,1,pcs,1,,",
    ]);
    assert_eq!(
        problems(&mut s, Kind::Orders, &text)[0],
        "orders.csv:3: due_date: differs from line 2 of order SO-1 ('2026-04-01' there)"
    );
}

#[test]
fn an_existing_order_is_updated_line_by_product_code() {
    let mut s = store();
    ok(&mut s, Kind::Customers, CUSTOMERS);
    ok(
        &mut s,
        Kind::Orders,
        &orders(&[
            "SO-1,ZH01,regular,confirmed,2026-03-01 08:30,2026-04-01,上海,CNY,,,P-1,a,1,pcs,10,,",
            "SO-1,ZH01,regular,confirmed,2026-03-01 08:30,2026-04-01,上海,CNY,,,P-2,b,2,pcs,10,,",
        ]),
    );
    let counts = ok(
        &mut s,
        Kind::Orders,
        "order_no,ordered_at,status,due_date,product_code,unit_price,quantity\n\
         SO-1,2026-03-01 08:30,on_hold,2026-04-15,P-2,20,2\n\
         SO-1,2026-03-01 08:30,on_hold,2026-04-15,P-3,5,1\n",
    );
    assert_eq!(
        (counts.updated, counts.lines_updated, counts.lines_inserted),
        (1, 1, 1)
    );
    let (total, due, first_due, held, version): (String, String, String, String, i64) = s
        .conn()
        .query_row(
            "SELECT total, due_date, first_due_date, held_from, version FROM orders",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(total, "55", "10 + 2×20 + 5");
    assert_eq!(
        (due.as_str(), first_due.as_str()),
        ("2026-04-15", "2026-04-01")
    );
    assert_eq!(held, "confirmed");
    assert_eq!(version, 2);
    assert_eq!(count(&s, "SELECT count(*) FROM due_date_revisions"), 1);
    assert_eq!(
        count(&s, "SELECT count(*) FROM status_history WHERE from_status = 'confirmed' AND to_status = 'on_hold'"),
        1
    );
    let specs: String = s
        .conn()
        .query_row(
            "SELECT group_concat(product_code || ':' || ifnull(spec, '-'), ' ') FROM (SELECT * FROM order_lines ORDER BY line_no)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(specs, "P-1:a P-2:b P-3:-", "lines not in the file are kept");
    // A new line needs its quantity.
    let p = problems(
        &mut s,
        Kind::Orders,
        "order_no,ordered_at,product_code\nSO-1,2026-03-01 08:30,P-9\n",
    );
    assert_eq!(
        p[0],
        "orders.csv:2: quantity: a new order line needs a quantity (add the quantity column)"
    );
}

#[test]
fn shipments_decide_the_delivery_date() {
    let mut s = store();
    ok(&mut s, Kind::Customers, CUSTOMERS);
    ok(
        &mut s,
        Kind::Orders,
        &orders(&[
            "SO-1,ZH01,regular,shipped,2026-03-01 08:30,2026-04-01,上海,CNY,,,P-1,,1,pcs,1,,",
        ]),
    );
    let text = "order_no,waybill_no,shipped_at,delivered_at\nSO-1,W1,2026-03-10 10:00,2026-03-12 10:00\nSO-1,,2026-03-11 10:00,\n";
    ok(&mut s, Kind::Shipments, text);
    assert_eq!(
        count(&s, "SELECT count(*) FROM orders WHERE delivered_at IS NULL"),
        1
    );
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM shipments WHERE status = 'in_transit' AND waybill_no IS NULL"
        ),
        1
    );
    // Without a waybill no. a row cannot be found again, so it adds a shipment; give it one
    // to update it.
    ok(
        &mut s,
        Kind::Shipments,
        "order_no,waybill_no,delivered_at,status\nSO-1,W1,2026-03-12 10:00,delivered\n",
    );
    s.conn()
        .execute(
            "UPDATE shipments SET waybill_no = 'W2' WHERE waybill_no IS NULL",
            [],
        )
        .unwrap();
    let c = ok(
        &mut s,
        Kind::Shipments,
        "order_no,waybill_no,delivered_at,status\nSO-1,W2,2026-03-14 09:00,\n",
    );
    assert_eq!(c.updated, 1);
    let expected = crate::domain::time::parse_stamp("2026-03-14 09:00").unwrap();
    assert_eq!(
        count(
            &s,
            "SELECT delivered_at FROM orders WHERE order_no = 'SO-1'"
        ),
        expected
    );
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM shipments WHERE waybill_no = 'W2' AND status = 'delivered'"
        ),
        1,
        "an empty status follows the dates"
    );
}

#[test]
fn natural_keys_match_occurrence_by_occurrence() {
    let mut s = store();
    ok(&mut s, Kind::Customers, CUSTOMERS);
    let text = "customer,date,accuracy\nZH01,2026-03-01,5\nZH01,2026-03-01,4\n";
    assert_eq!(ok(&mut s, Kind::Surveys, text).inserted, 2);
    let again = ok(&mut s, Kind::Surveys, text);
    assert_eq!((again.inserted, again.unchanged), (0, 2));
    let more = ok(
        &mut s,
        Kind::Surveys,
        "customer,date,accuracy\n上海华东机械有限公司,2026-03-01,3\nZH01,2026-03-01,4\nZH01,2026-03-01,1\n",
    );
    assert_eq!((more.updated, more.unchanged, more.inserted), (1, 1, 1));
    assert_eq!(count(&s, "SELECT count(*) FROM surveys"), 3);
}

#[test]
fn references_must_exist_and_rules_hold() {
    let mut s = store();
    ok(&mut s, Kind::Customers, CUSTOMERS);
    let p = problems(
        &mut s,
        Kind::Contacts,
        "customer,order_no,channel,direction,at,replied_at,summary\n\
         NOPE,,email,in,2026-03-01 08:00,,\n\
         ZH01,SO-404,email,in,2026-03-01 08:00,,\n\
         ZH01,,fax,out,2026-03-01 08:00,2026-03-01 09:00,\n",
    );
    assert_eq!(
        p,
        [
            "contacts.csv:2: customer: no customer has the code or name 'NOPE' (import customers first)",
            "contacts.csv:3: order_no: no order 'SO-404' (import orders first)",
            "contacts.csv:4: channel: 'fax' is not one of: email, phone, im, visit",
            "contacts.csv:4: replied_at: only an inbound contact has a reply time",
        ]
    );
}

#[test]
fn a_masked_export_cannot_overwrite_personal_data() {
    let mut s = store();
    ok(&mut s, Kind::Customers, CUSTOMERS);
    let mut masked = Vec::new();
    export_csv(
        &mut s,
        Kind::Customers,
        &mut masked,
        &ExportOptions::default(),
    )
    .unwrap();
    let p = problems(&mut s, Kind::Customers, &String::from_utf8(masked).unwrap());
    assert!(
        p.iter()
            .any(|l| l.starts_with("customers.csv:3: phone: '138****5678' looks masked")),
        "{p:?}"
    );
}

#[test]
fn any_problem_writes_nothing_and_a_dry_run_never_writes() {
    let mut s = demo(60);
    let before = everything(&mut s);
    let audit = count(&s, "SELECT count(*) FROM audit_log");
    let mut text = export(&mut s, Kind::Orders);
    // A new order first (it would be inserted), then a bad row further down.
    text.push_str("SO-NEW,,regular,inquiry,2026-03-01 08:00,,,CNY,,,P,,1,,,,\n");
    text.push_str("SO-BAD,,regular,inquiry,2026-02-30 08:00,,,CNY,,,P,,1,,,,\n");
    let lines = text.lines().count();
    let p = problems(&mut s, Kind::Orders, &text);
    assert_eq!(
        p[0],
        format!("orders.csv:{lines}: ordered_at: '2026-02-30 08:00' is not a time (YYYY-MM-DD HH:MM[:SS] or RFC 3339)")
    );
    assert_eq!(everything(&mut s), before);
    let good = text.lines().take(lines - 1).collect::<Vec<_>>().join("\n");
    let dry = import_opts(
        &mut s,
        Kind::Orders,
        &good,
        &ImportOptions {
            dry_run: true,
            ..ImportOptions::default()
        },
    )
    .unwrap()
    .counts;
    assert_eq!(dry.inserted, 1, "the dry run counts what it would do");
    assert_eq!(everything(&mut s), before);
    // Exports are audited; imports that wrote nothing are not.
    let exports = 2 * Kind::iter().count() as i64 + 1;
    assert_eq!(count(&s, "SELECT count(*) FROM audit_log"), audit + exports);
}

#[test]
fn an_import_is_audited_with_its_counts() {
    let mut s = store();
    ok(&mut s, Kind::Customers, CUSTOMERS);
    let (key, detail): (String, String) = s
        .conn()
        .query_row(
            "SELECT entity_key, detail FROM audit_log WHERE action = 'import' AND entity = 'customers'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(key, "customers.csv");
    let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["rows"], 2);
    assert_eq!(detail["inserted"], 2);
    assert_eq!(detail["updated"], 0);
}

#[test]
fn past_a_hundred_problems_the_rest_are_counted() {
    let mut s = store();
    let mut text = String::from("code,name,payment_terms_days\n");
    for i in 0..150 {
        text.push_str(&format!("C{i},Name {i},-1\n"));
    }
    let p = problems(&mut s, Kind::Customers, &text);
    assert_eq!(p.len(), 101);
    assert_eq!(p[100], "… and 50 more problems");
    assert_eq!(count(&s, "SELECT count(*) FROM customers"), 0);
}

#[test]
fn header_problems_are_on_line_one() {
    let mut s = store();
    let p = problems(&mut s, Kind::Orders, "order_no,colour,size\nSO-1,red,L\n");
    assert_eq!(p[0], "orders.csv:1: colour: unknown column (the columns are: order_no, customer, order_type, status, ordered_at, due_date, delivery_address, currency, payment_due, paid_at, product_code, spec, quantity, unit, unit_price, missing_reason, notes)");
    assert!(p[1].starts_with("orders.csv:1: size: unknown column"));
    assert_eq!(p[2], "orders.csv:1: ordered_at: required column is missing");
    assert_eq!(p.len(), 3, "{p:?}");
    assert_eq!(
        problems(&mut s, Kind::Surveys, "")[0],
        "surveys.csv:1: header: the file is empty; a header row is expected"
    );
}

// Random rows. Texts mix Chinese, quotes, commas, the characters that start a formula and
// (in notes) line breaks and tabs.
const TEXT: &str = "[-a-zA-Z0-9 ,.\"'\n\t=+@上海华东机械有限公司不锈钢]{0,12}";
const ONE_LINE: &str = "[-a-zA-Z0-9 ,.\"'=+@上海华东机械有限公司不锈钢]{0,12}";

fn word(words: Vec<&'static str>) -> impl Strategy<Value = String> {
    proptest::sample::select(words).prop_map(str::to_string)
}

fn opt<T: std::fmt::Display>(s: impl Strategy<Value = T>) -> impl Strategy<Value = String> {
    proptest::option::of(s).prop_map(|v| v.map(|v| v.to_string()).unwrap_or_default())
}

fn customer_rows() -> impl Strategy<Value = Vec<Vec<String>>> {
    use crate::domain::enums::{Channel, Language};
    let row = (
        ONE_LINE,
        ONE_LINE,
        "[0-9+ -]{0,14}",
        opt("[a-z]{1,6}@[a-z]{1,6}\\.com"),
        word(Channel::words()),
        ONE_LINE,
        opt(0u32..400),
        word(Language::words()),
        TEXT,
    );
    proptest::collection::vec(row, 1..8).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(
                |(i, (name, person, phone, email, channel, address, terms, lang, notes))| {
                    vec![
                        format!("C{i:03}"),
                        format!("N{i}-{name}"),
                        person,
                        phone,
                        email,
                        String::new(),
                        channel,
                        address,
                        terms,
                        lang,
                        notes,
                        ["new", "regular", "key_account", "distributor"][i % 4].to_string(),
                    ]
                },
            )
            .collect()
    })
}

/// Orders of the two customers of CUSTOMERS, one to four lines each.
fn order_rows() -> impl Strategy<Value = Vec<Vec<String>>> {
    use crate::domain::enums::OrderType;
    use crate::domain::status::Status;
    let statuses: Vec<&'static str> = Status::iter().map(Status::as_str).collect();
    let line = (
        opt("P-[0-9]{1,3}"),
        ONE_LINE,
        (1u32..100_000, 0u32..4).prop_map(|(q, scale)| {
            rust_decimal::Decimal::new(q as i64, scale)
                .normalize()
                .to_string()
        }),
        opt("pcs|kg|m"),
        opt((0u32..1_000_000).prop_map(|p| rust_decimal::Decimal::new(p as i64, 2).normalize())),
    );
    let order = (
        word(vec!["ZH01", "AC01", ""]),
        word(OrderType::words()),
        word(statuses),
        1_700_000_000i64..1_800_000_000,
        opt(0u32..3000),
        ONE_LINE,
        word(vec!["CNY", "USD", "EUR"]),
        ONE_LINE,
        TEXT,
        proptest::collection::vec(line, 0..4),
    );
    proptest::collection::vec(order, 1..6).prop_map(|orders| {
        let mut rows = Vec::new();
        for (i, (customer, kind, status, at, due, address, currency, reason, notes, lines)) in
            orders.into_iter().enumerate()
        {
            let due = if due.is_empty() {
                due
            } else {
                let d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
                    + chrono::Days::new(due.parse().unwrap());
                crate::domain::time::format_date(d)
            };
            let head = |l: [String; 5]| {
                let [product, spec, qty, unit, price] = l;
                vec![
                    format!("SO-{i:04}"),
                    customer.clone(),
                    kind.clone(),
                    status.clone(),
                    crate::domain::time::format_stamp(at),
                    due.clone(),
                    address.clone(),
                    currency.clone(),
                    String::new(),
                    String::new(),
                    product,
                    spec,
                    qty,
                    unit,
                    price,
                    reason.clone(),
                    notes.clone(),
                ]
            };
            if lines.is_empty() {
                rows.push(head(Default::default()));
            }
            for (product, spec, qty, unit, price) in lines {
                rows.push(head([product, spec, qty, unit, price]));
            }
        }
        rows
    })
}

fn csv_text(kind: Kind, rows: &[Vec<String>]) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(kind.columns()).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// The line a data row starts on (`index` 0 is the first row after the header).
fn line_of(text: &str, index: usize) -> u64 {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .nth(index + 1)
        .unwrap()
        .unwrap()
        .position()
        .unwrap()
        .line()
}

/// Ways to spoil one cell of an order row: the column and the bad text.
const SPOILERS: &[(usize, &str)] = &[
    (2, "express"),
    (3, "Done"),
    (4, "2026-13-01 10:00"),
    (5, "31/12/2026"),
    (7, "rmb"),
    (1, "nobody at all"),
    (12, "0"),
    (12, "-3"),
    (14, "twelve"),
    (6, "上海***"),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn random_customers_survive_export_import_export(rows in customer_rows()) {
        let mut first = store();
        ok(&mut first, Kind::Customers, &csv_text(Kind::Customers, &rows));
        let exported = export(&mut first, Kind::Customers);
        let mut second = store();
        ok(&mut second, Kind::Customers, &exported);
        prop_assert_eq!(export(&mut second, Kind::Customers), exported);
    }

    #[test]
    fn random_orders_survive_export_import_export(rows in order_rows()) {
        let mut first = store();
        ok(&mut first, Kind::Customers, CUSTOMERS);
        ok(&mut first, Kind::Orders, &csv_text(Kind::Orders, &rows));
        let exported = export(&mut first, Kind::Orders);
        let mut second = store();
        ok(&mut second, Kind::Customers, CUSTOMERS);
        ok(&mut second, Kind::Orders, &exported);
        prop_assert_eq!(export(&mut second, Kind::Orders), exported);
    }

    #[test]
    fn a_bad_row_anywhere_is_named_and_nothing_is_written(
        rows in order_rows(),
        pick in any::<proptest::sample::Index>(),
        spoil in proptest::sample::select(SPOILERS),
    ) {
        let mut s = store();
        ok(&mut s, Kind::Customers, CUSTOMERS);
        ok(&mut s, Kind::Orders, &csv_text(Kind::Orders, &rows[..rows.len() / 2]));
        let before = everything(&mut s);
        let audit = count(&s, "SELECT count(*) FROM audit_log");
        let mut bad = rows.clone();
        let i = pick.index(bad.len());
        let (column, text) = spoil;
        bad[i][column] = text.to_string();
        let file = csv_text(Kind::Orders, &bad);
        let listed = match import(&mut s, Kind::Orders, &file) {
            Err(ImportError::Problems(p)) => p.lines(),
            other => panic!("accepted: {other:?}"),
        };
        let name = Kind::Orders.columns()[column];
        let expected = format!("orders.csv:{}: {name}: ", line_of(&file, i));
        prop_assert!(
            listed.iter().any(|l| l.starts_with(&expected)),
            "{:?} does not name {}", listed, expected
        );
        prop_assert_eq!(count(&s, "SELECT count(*) FROM audit_log"), audit);
        prop_assert_eq!(everything(&mut s), before);
    }
}

#[test]
fn a_workbook_with_number_and_date_cells_reads_like_its_csv() {
    use rust_xlsxwriter::{Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders from excel.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let moment = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    // A blank first row: the header is on row 2, so rows are numbered from there.
    let header = [
        "order_no",
        "customer",
        "status",
        "ordered_at",
        "due_date",
        "product_code",
        "quantity",
        "unit_price",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    sheet.write_number(2, 0, 10248.0).unwrap();
    sheet.write_string(2, 1, "ZH01").unwrap();
    sheet.write_string(2, 2, "confirmed").unwrap();
    sheet
        .write_number_with_format(2, 3, 46082.5, &moment)
        .unwrap();
    sheet.write_number_with_format(2, 4, 46113.0, &day).unwrap();
    sheet.write_number(2, 5, 11.0).unwrap();
    sheet.write_number(2, 6, 12.0).unwrap();
    sheet.write_number(2, 7, 0.1 + 0.2).unwrap();
    sheet.write_number(3, 0, 10249.0).unwrap();
    sheet.write_string(3, 1, "ZH01").unwrap();
    sheet.write_string(3, 2, "finished").unwrap();
    sheet.write_number_with_format(3, 3, 46082.0, &day).unwrap();
    book.save(&path).unwrap();

    let mut s = store();
    ok(&mut s, Kind::Customers, CUSTOMERS);
    let open = |s: &mut Store| {
        let source = Source::open(&path, ReadOptions::default()).unwrap();
        import_source(s, Kind::Orders, source, "o.xlsx", &ImportOptions::default())
    };
    match open(&mut s) {
        Err(ImportError::Problems(p)) => assert_eq!(
            p.lines(),
            ["o.xlsx:4: status: 'finished' is not one of: inquiry, quoted, confirmed, in_production, ready, shipped, delivered, closed, on_hold, cancelled, lost"]
        ),
        other => panic!("{other:?}"),
    }
    // Without the bad row it goes in, each cell as its CSV text would be.
    let mut fixed = Workbook::new();
    let sheet = fixed.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_number(1, 0, 10248.0).unwrap();
    sheet.write_string(1, 1, "ZH01").unwrap();
    sheet.write_string(1, 2, "confirmed").unwrap();
    sheet
        .write_number_with_format(1, 3, 46082.5, &moment)
        .unwrap();
    sheet.write_number_with_format(1, 4, 46113.0, &day).unwrap();
    sheet.write_number(1, 5, 11.0).unwrap();
    sheet.write_number(1, 6, 12.0).unwrap();
    sheet.write_number(1, 7, 0.1 + 0.2).unwrap();
    fixed.save(&path).unwrap();
    open(&mut s).unwrap();
    let text = export(&mut s, Kind::Orders);
    assert!(
        text.contains(
            "10248,ZH01,regular,confirmed,2026-03-01 12:00:00,2026-04-01,,CNY,,,11,,12,,0.3,,"
        ),
        "{text}"
    );
}

/// The definitions of every index, to see them back after a bulk load.
fn index_definitions(store: &Store) -> Vec<String> {
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
        )
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn a_big_import_loads_in_bulk_and_a_refused_one_leaves_the_indexes_as_they_were() {
    let mut store = store();
    ok(
        &mut store,
        Kind::Customers,
        "code,name\nC1,Harbour Tools\nC2,深圳精密五金\n",
    );
    let indexes = index_definitions(&store);
    let n = (bulk::BULK_ROWS * 3) as usize;
    let rows = |bad_at: Option<usize>| {
        let mut text = String::from(
            "order_no,customer,status,ordered_at,due_date,delivery_address,product_code,spec,quantity,unit_price\n",
        );
        for i in 0..n {
            let quantity = if Some(i) == bad_at { "many" } else { "2" };
            let customer = if i % 2 == 0 { "C1" } else { "C2" };
            for line in 0..2 {
                text.push_str(&format!(
                    "B{i:05},{customer},confirmed,2026-03-{:02} 10:00,2026-05-01,Dock {i},P{line},spec {i}-{line},{quantity},1.50\n",
                    1 + i % 28
                ));
            }
        }
        text
    };
    // A problem after the bulk load began: nothing written, every index back.
    let refused = problems(&mut store, Kind::Orders, &rows(Some(n - 2)));
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert_eq!(count(&store, "SELECT count(*) FROM orders"), 0);
    assert_eq!(index_definitions(&store), indexes);
    // A dry run likewise.
    let dry = ImportOptions {
        dry_run: true,
        ..Default::default()
    };
    import_opts(&mut store, Kind::Orders, &rows(None), &dry).unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM orders"), 0);
    assert_eq!(index_definitions(&store), indexes);
    // The real one: everything written, the indexes built again, the search finds orders.
    let counts = ok(&mut store, Kind::Orders, &rows(None));
    assert_eq!(counts.inserted, n);
    assert_eq!(counts.lines_inserted, 2 * n);
    assert_eq!(index_definitions(&store), indexes);
    assert_eq!(count(&store, "SELECT count(*) FROM production"), n as i64);
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM order_search WHERE order_search MATCH '\"精密五金\"'"
        ),
        (n / 2) as i64
    );
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM order_search WHERE order_search MATCH '\"B00042\"'"
        ),
        1
    );
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"
        ),
        0
    );
    // Imported again: every order found by its number and left as it was.
    let again = ok(&mut store, Kind::Orders, &rows(None));
    assert_eq!(again.unchanged, n);
}

#[test]
fn orders_into_a_file_without_any_skip_the_wal_and_leave_it_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    let mut store = Store::open(&path).unwrap();
    ok(&mut store, Kind::Customers, "code,name\nC1,Harbour Tools\n");
    let rows = |bad: bool| {
        let mut text = String::from("order_no,customer,status,ordered_at,product_code,quantity\n");
        for i in 0..(bulk::BULK_ROWS * 2) {
            let quantity = if bad && i == 3 { "many" } else { "2" };
            text.push_str(&format!(
                "W{i:05},C1,confirmed,2026-03-01 10:00,P1,{quantity}\n"
            ));
        }
        text
    };
    let mode = |s: &Store| -> String {
        s.conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap()
    };
    // Refused: nothing written, still in WAL.
    assert_eq!(problems(&mut store, Kind::Orders, &rows(true)).len(), 1);
    assert_eq!(count(&store, "SELECT count(*) FROM orders"), 0);
    assert_eq!(mode(&store), "wal");
    // With another connection open the file stays in WAL throughout, and imports the same.
    let other = rusqlite::Connection::open(&path).unwrap();
    let _: i64 = other
        .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
        .unwrap();
    let counts = ok(&mut store, Kind::Orders, &rows(false));
    assert_eq!(counts.inserted as u64, bulk::BULK_ROWS * 2);
    assert_eq!(mode(&store), "wal");
    drop(other);
    // Alone with it: through a rollback journal, committed, and back in WAL.
    let mut fresh = Store::open(&dir.path().join("fresh.db")).unwrap();
    ok(&mut fresh, Kind::Customers, "code,name\nC1,Harbour Tools\n");
    let counts = ok(&mut fresh, Kind::Orders, &rows(false));
    assert_eq!(counts.inserted as u64, bulk::BULK_ROWS * 2);
    assert_eq!(mode(&fresh), "wal");
    // Its pages went to the file, not through the WAL as the other import's did.
    let wal = |name: &str| {
        std::fs::metadata(dir.path().join(name))
            .map(|m| m.len())
            .unwrap_or(0)
    };
    assert!(wal("fresh.db-wal") * 4 < wal("desk.db-wal"));
    drop(fresh);
    let reopened = Store::open(&dir.path().join("fresh.db")).unwrap();
    assert_eq!(
        count(&reopened, "SELECT count(*) FROM orders"),
        (bulk::BULK_ROWS * 2) as i64
    );
    assert_eq!(
        count(
            &reopened,
            "SELECT count(*) FROM order_search WHERE order_search MATCH '\"W00007\"'"
        ),
        1
    );
}
