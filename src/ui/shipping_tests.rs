//! Screens of the shipping desk at a fixed size. Times are noon UTC, so the dates shown do
//! not depend on the time zone; where a time of day is shown, it is masked.

use super::*;
use crate::app::fixture;
use crate::app::form::specs;
use crate::domain::enums::{ShipMode, ShipmentStatus};
use crate::store::shipments::ShipmentDraft;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const NOON: i64 = fixture::BASE + 12 * 3600;
const DAY: i64 = 86_400;

fn render(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    app.prepare(list_height(height));
    terminal.draw(|f| draw(f, app)).unwrap();
    terminal
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// `2026-01-01 12:00` → `YYYY-MM-DD hh:mm`: a time of day depends on the zone.
fn mask_times(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let pattern = "dddd-dd-dd dd:dd";
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let fits = i + pattern.len() <= chars.len()
            && pattern.chars().enumerate().all(|(k, p)| {
                let c = chars[i + k];
                if p == 'd' {
                    c.is_ascii_digit()
                } else {
                    c == p
                }
            });
        if fits {
            out.push_str("YYYY-MM-DD hh:mm");
            i += pattern.len();
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Three orders; the confirmed one (SO-…-003) ships in two parts, one of them late.
fn app_with_shipments() -> App {
    let app = fixture::app(3);
    let c = app.store.conn();
    for (order, carrier, waybill, mode, shipped, eta, delivered, status) in [
        (
            3,
            "DHL Express",
            "DHL0001",
            "express",
            NOON,
            NOON + 3 * DAY,
            Some(NOON + 2 * DAY),
            "delivered",
        ),
        (
            3,
            "Maersk",
            "MSKU7001",
            "sea",
            NOON + DAY,
            NOON + 20 * DAY,
            None,
            "in_transit",
        ),
        (
            1,
            "顺丰速运",
            "SF1001",
            "express",
            NOON + 2 * DAY,
            4_102_444_800 + 12 * 3600,
            None,
            "booked",
        ),
    ] {
        c.execute(
            "INSERT INTO shipments (order_id, carrier, waybill_no, mode, shipped_at, eta,
                                    delivered_at, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            rusqlite::params![order, carrier, waybill, mode, shipped, eta, delivered, status],
        )
        .unwrap();
    }
    app
}

#[test]
fn shipments_list_with_a_late_row() {
    let mut app = app_with_shipments();
    keys(&mut app, "3");
    let mut t = render(&mut app, 120, 12);
    app.do_deferred_work();
    t.draw(|f| draw(f, &app)).unwrap();
    insta::assert_snapshot!(t.backend());
    let text = super::tests::screen_text(&t);
    let y = text.lines().position(|l| l.contains("MSKU7001")).unwrap() as u16;
    let buf = t.backend().buffer();
    assert_ne!(y, 3, "the late row is not under the cursor here");
    assert_eq!(
        buf[(30, y)].fg,
        theme::late().fg.unwrap(),
        "the whole late row stands out"
    );
    assert!(
        text.contains(" d  delivered now"),
        "footer offers d:\n{text}"
    );
}

#[test]
fn shipment_form_with_an_error() {
    let mut app = app_with_shipments();
    keys(&mut app, "3");
    let draft = ShipmentDraft {
        order_no: "SO-20260101-003".into(),
        carrier: "Maersk".into(),
        waybill_no: "MSKU7002".into(),
        mode: ShipMode::Sea,
        shipped_at: None,
        eta: None,
        delivered_at: None,
        status: ShipmentStatus::Booked,
        weight_kg: None,
        packages: None,
        notes: String::new(),
    };
    let mut form = specs::shipment(None, None, &draft);
    form.set("sfield.weight_kg", "-4");
    form.set("sfield.packages", "many");
    *app.form_mut() = Some(form);
    app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    let t = render(&mut app, 100, 22);
    insta::assert_snapshot!(t.backend());
    assert!(app.form().is_some(), "nothing saved while a field is wrong");
}

#[test]
fn d_delivers_the_last_shipment_and_u_takes_it_back_on_screen() {
    let mut app = app_with_shipments();
    let conn = app.store.conn();
    conn.execute("UPDATE orders SET status = 'shipped' WHERE id = 3", [])
        .unwrap();
    keys(&mut app, "3");
    render(&mut app, 120, 12);
    let at = app
        .screens
        .shipments
        .list
        .rows
        .iter()
        .position(|r| r.waybill_no == "MSKU7001")
        .unwrap();
    for _ in 0..at {
        keys(&mut app, "j");
    }
    keys(&mut app, "d");
    let t = render(&mut app, 120, 12);
    let text = super::tests::screen_text(&t);
    assert!(
        text.contains("the last one of SO-20260101-003, now Delivered"),
        "{text}"
    );
    let status = |app: &App| -> String {
        app.store
            .conn()
            .query_row("SELECT status FROM orders WHERE id = 3", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(status(&app), "delivered");
    keys(&mut app, "u");
    assert_eq!(status(&app), "shipped");
    let row = app
        .screens
        .shipments
        .list
        .rows
        .iter()
        .find(|r| r.waybill_no == "MSKU7001")
        .unwrap();
    assert_eq!(row.delivered_at, None, "the list shows the undone shipment");
}

#[test]
fn order_detail_with_production_exceptions_and_documents() {
    let mut app = app_with_shipments();
    let c = app.store.conn();
    c.execute(
        "INSERT OR REPLACE INTO production (order_id, stage, materials, scheduled_start,
                                           planned_finish, percent_complete, updated_at)
         VALUES (3, 'producing', 'received', '2026-01-05', '2026-01-20', 60, 0)",
        [],
    )
    .unwrap();
    c.execute(
        "INSERT INTO exceptions (order_id, kind, cause, opened_at, customer_informed_at, note)
         VALUES (3, 'delay', 'supplier_delay', ?1, ?2, 'steel late')",
        [NOON + DAY, NOON + 2 * DAY],
    )
    .unwrap();
    c.execute(
        "INSERT INTO documents (order_id, kind, original_name, stored_path, added_at)
         VALUES (3, 'po', 'PO-4711.pdf', 'archive/SO-20260101-003/PO-4711.pdf', ?1)",
        [NOON],
    )
    .unwrap();
    app.screens.orders.list.reset(app.store.conn()).unwrap();
    press(&mut app, KeyCode::Enter);
    let t = render(&mut app, 120, 60);
    let text = mask_times(&super::tests::screen_text(&t));
    let start = text.lines().position(|l| l.contains("Production")).unwrap();
    let end = text.lines().position(|l| l.contains("│Shipments")).unwrap();
    let part: Vec<&str> = text.lines().skip(start).take(end - start + 4).collect();
    insta::assert_snapshot!(part.join("\n"));
}

#[test]
fn bottleneck_view() {
    let mut app = app_with_shipments();
    let c = app.store.conn();
    c.execute_batch(
        "UPDATE orders SET status = 'in_production' WHERE id IN (1, 2);
         INSERT OR REPLACE INTO production (order_id, stage, planned_finish, percent_complete, updated_at)
         VALUES (1, 'producing', '2020-01-01', 10, 0),
                (2, 'producing', '2099-01-01', 50, 0),
                (3, 'qc', '2020-02-01', 90, 0);",
    )
    .unwrap();
    keys(&mut app, "3b");
    let t = render(&mut app, 100, 16);
    insta::assert_snapshot!(t.backend());
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, crate::app::Mode::Normal);
}

#[test]
fn p_on_a_quote_explains_and_on_a_confirmed_order_writes_the_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("od.db");
    let store = crate::store::Store::open(&db).unwrap();
    drop(store);
    // A file-backed copy of the fixture: the sheet goes beside the database.
    let mut app = fixture::app(3);
    let c = app.store.conn();
    c.execute(
        "VACUUM INTO ?1",
        [db.with_file_name("fx.db").to_str().unwrap()],
    )
    .unwrap();
    app.store = crate::store::Store::open(&db.with_file_name("fx.db")).unwrap();
    app.screens.orders.list.reset(app.store.conn()).unwrap();
    // Newest first: SO-…-003 (confirmed), then 002 (quoted).
    keys(&mut app, "jp");
    let msg = app.status.message.clone().unwrap().1;
    assert!(msg.contains("confirmed orders onward"), "{msg}");
    keys(&mut app, "kp");
    let msg = app.status.message.clone().unwrap().1;
    assert!(msg.contains("SO-20260101-003.txt"), "{msg}");
    assert!(dir
        .path()
        .join("instructions/SO-20260101-003.html")
        .is_file());
    assert!(dir
        .path()
        .join("instructions/SO-20260101-003.txt")
        .is_file());
}
