//! The real binary in a terminal, checked against the file: at 80x24 the Orders list shows
//! whole order numbers and customers (the export's), `m` on a shipped order drafts the
//! shipping notice, a pasted text of two lines lands in one one-line field, and the mouse
//! wheel moves the list.

mod common;

use common::term::{Spawn, Term};
use common::*;
use std::collections::HashMap;
use std::path::Path;

/// `export KIND` as one map of column → value per row.
fn export(db: &Path, kind: &str) -> Vec<HashMap<String, String>> {
    let out = run_ok(orderdesk(db).args(["export", kind, "--no-bom"]));
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = r
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_string)
        .collect();
    r.records()
        .map(|rec| {
            let rec = rec.expect("a row");
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// The table rows of a list on screen: inside the frame, with an order number.
fn order_lines(screen: &str) -> Vec<&str> {
    screen
        .lines()
        .filter(|l| l.starts_with('│') && l.contains("SO-"))
        .collect()
}

/// The order number a table row shows, as far as it goes (up to the next blank or `…`).
fn order_no_in(line: &str) -> &str {
    let from = line.find("SO-").expect("an order number");
    let rest = &line[from..];
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '…' || c == '│')
        .unwrap_or(rest.len());
    &rest[..end]
}

/// Every order number of the Orders list at 80x24 is the export's, whole, and its customer
/// is the export's too: whole, or cut with `…` and never silently.
fn orders_at_80x24(lang: &str, due: &str, status: &str) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let db = demo_db(dir.path(), 300, 4);
    let orders = export(&db, "orders");
    let customers = export(&db, "customers");
    let name_of: HashMap<&str, &str> = customers
        .iter()
        .map(|c| (c["code"].as_str(), c["name"].as_str()))
        .collect();
    let customer_of: HashMap<&str, &str> = orders
        .iter()
        .map(|o| {
            let c = o["customer"].as_str();
            (o["order_no"].as_str(), name_of.get(c).copied().unwrap_or(c))
        })
        .collect();

    let t = Spawn::app(&db).lang(lang).size(80, 24).start();
    let screen = t.wait_for(|s| order_lines(s).len() >= 15, "a screenful of orders");
    let header = screen.lines().nth(2).expect("the header row of the table");
    assert!(
        header.contains(due) && header.contains(status),
        "{lang}: the due and status columns at 80 columns:\n{screen}"
    );
    let mut whole_names = 0;
    for line in order_lines(&screen) {
        let no = order_no_in(line);
        let Some(name) = customer_of.get(no) else {
            panic!("{lang}: {no} is not an exported order number:\n{screen}");
        };
        if line.contains(name) {
            whole_names += 1;
        } else {
            let cut = (1..name.chars().count()).any(|n| {
                let head: String = name.chars().take(n).collect();
                line.contains(&format!("{head}…"))
            });
            assert!(cut, "{lang}: {name} silently cut in\n{line}\n{screen}");
        }
    }
    assert!(whole_names > 0, "{lang}: no customer whole:\n{screen}");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn at_80x24_every_order_number_and_customer_is_the_exports_in_english() {
    orders_at_80x24("C.UTF-8", "Due", "Status");
}

#[test]
fn at_80x24_every_order_number_and_customer_is_the_exports_in_chinese() {
    orders_at_80x24("zh_CN.UTF-8", "交期", "状态");
}

#[test]
fn m_on_a_shipped_order_drafts_the_shipping_notice() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let db = demo_db(dir.path(), 300, 11);
    let orders = export(&db, "orders");
    let shipments = export(&db, "shipments");
    let (order_no, waybill) = orders
        .iter()
        .filter(|o| o["status"] == "shipped")
        .find_map(|o| {
            shipments
                .iter()
                .find(|s| s["order_no"] == o["order_no"] && !s["waybill_no"].is_empty())
                .map(|s| (o["order_no"].clone(), s["waybill_no"].clone()))
        })
        .expect("a shipped order with a waybill");

    let t = Term::start(&db);
    t.wait_for(|s| order_lines(s).len() >= 20, "order rows");
    t.keys(&["/"]);
    t.text(&order_no);
    t.keys(&["Enter"]);
    t.wait_for(|s| order_lines(s).len() == 1, "the order alone");
    t.keys(&["m"]);
    let draft = t.wait_for(|s| s.contains(&waybill), "the draft naming the waybill");
    assert!(
        draft.contains(&format!("Order {order_no} shipped")),
        "the shipping notice's subject:\n{draft}"
    );
    assert!(
        !draft.to_lowercase().contains("delay"),
        "not the delay notice:\n{draft}"
    );
    t.keys(&["Escape"]);
    t.wait_for(|s| !s.contains(&waybill), "the draft closed");
    t.keys(&["Escape", "q"]);
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn a_pasted_text_of_two_lines_lands_in_one_field_on_one_line() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let db = demo_db(dir.path(), 100, 3);
    let t = Term::start(&db);
    t.wait_for(|s| order_lines(s).len() >= 20, "order rows");
    t.keys(&["2"]);
    t.wait_for(|s| s.contains("Code"), "the Customers list");
    t.keys(&["n"]);
    t.wait_for(|s| s.contains("New customer"), "the new customer form");
    t.text("PST1");
    t.keys(&["Tab"]);
    // A bracketed paste, as a terminal sends it: the two lines between its markers.
    t.text("\x1b[200~Paste Trading\r\nCo. Ltd\x1b[201~");
    t.wait_for(|s| s.contains("Paste Trading Co. Ltd"), "the pasted name");
    t.keys(&["C-s"]);
    // Saved when the file says so (a save may wait out the start's backup, so idle is not
    // enough): polled on every frame until the deadline.
    let saved = || -> Option<String> {
        sql_value(&db, "SELECT name FROM customers WHERE code = 'PST1'").ok()
    };
    t.wait_for(|_| saved().is_some(), "the customer saved in the file");
    assert_eq!(saved().as_deref(), Some("Paste Trading Co. Ltd"));
    let others: i64 = sql_value(
        &db,
        "SELECT count(*) FROM customers WHERE name LIKE '%Paste%' AND code <> 'PST1'",
    )
    .expect("a count");
    assert_eq!(others, 0, "the second line went nowhere else");
    t.keys(&["Escape", "q"]);
    assert_eq!(t.wait_exit(), 0);
}

/// The order number on the cursor row (`▶`).
fn cursor_order(screen: &str) -> Option<String> {
    screen
        .lines()
        .find(|l| l.contains('▶') && l.contains("SO-"))
        .map(|l| order_no_in(l).to_string())
}

#[test]
fn the_mouse_wheel_moves_the_list() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let db = demo_db(dir.path(), 200, 2);
    let t = Term::start(&db);
    let screen = t.wait_for(|s| order_lines(s).len() >= 20, "order rows");
    let rows: Vec<String> = order_lines(&screen)
        .iter()
        .map(|l| order_no_in(l).to_string())
        .collect();
    assert_eq!(cursor_order(&screen).as_ref(), rows.first(), "{screen}");
    // SGR mouse reports (the mode crossterm turns on): wheel down (65) over the list.
    t.text("\x1b[<65;20;10M");
    let moved = t.wait_for(
        |s| cursor_order(s).is_some_and(|o| Some(&o) != rows.first()),
        "the cursor moved by the wheel",
    );
    let at = cursor_order(&moved).expect("a cursor row");
    let step = rows.iter().position(|r| *r == at).expect("still on screen");
    assert!(step > 0, "{moved}");
    // Wheel up (64) brings it back to the top.
    t.text("\x1b[<64;20;10M");
    t.wait_for(
        |s| cursor_order(s).as_ref() == rows.first(),
        "the cursor back at the top",
    );
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
}
