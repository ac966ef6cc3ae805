//! A small, fixed data set for tests of the screens: dates far from today so that nothing
//! on screen depends on the day the tests run.

use super::keymap::Keymap;
use super::App;
use crate::config::Config;
use crate::domain::enums::OrderType;
use crate::domain::money::parse_decimal;
use crate::domain::order::{OrderDraft, OrderLine};
use crate::domain::status::Status;
use crate::store::orders::save;
use crate::store::undo::Change;
use crate::store::Store;

pub const BASE: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

/// `n` orders over three customers (one Chinese), statuses cycling from inquiry to
/// confirmed, all due in 2099.
pub fn store(n: usize) -> Store {
    let mut store = Store::open_in_memory().expect("memory database");
    fill(&mut store, n);
    store
}

/// The fixture in a file (for tests with a second connection or worker threads).
pub fn app_on_file(path: &std::path::Path, n: usize) -> App {
    let mut store = Store::open(path).expect("database file");
    fill(&mut store, n);
    let mut app = App::new(store, Config::default(), Keymap::defaults());
    app.view.templates = crate::messages::Templates::new(None);
    app.view.copier = |_| Ok(crate::messages::clipboard::Copied::Program("test"));
    app.prepare(20);
    app
}

fn fill(store: &mut Store, n: usize) {
    let c = store.conn();
    for (code, name) in [
        ("C001", "深圳华联电子有限公司"),
        ("C002", "Acme Trading Ltd"),
        ("C003", "Nordic Tools AB"),
    ] {
        c.execute(
            "INSERT INTO customers (code, name, language) VALUES (?1, ?2, 'en')",
            [code, name],
        )
        .expect("customer");
    }
    let tx = store.begin().expect("tx");
    let mut change = Change::new("fixture");
    for i in 0..n {
        let status = [Status::Inquiry, Status::Quoted, Status::Confirmed][i % 3];
        let draft = OrderDraft {
            order_no: format!("SO-20260101-{:03}", i + 1),
            customer_id: Some((i % 3) as i64 + 1),
            order_type: [OrderType::Regular, OrderType::Rush, OrderType::Custom][i % 3],
            status,
            ordered_at: BASE + i as i64 * 3600,
            due_date: chrono::NaiveDate::from_ymd_opt(2099, 1, 1 + (i % 28) as u32),
            delivery_address: "上海市浦东新区张江路 88 号".into(),
            currency: if i % 2 == 0 {
                "USD".into()
            } else {
                "CNY".into()
            },
            payment_due: None,
            paid_at: None,
            missing_reason: String::new(),
            notes: if i == 0 {
                "蓝色包装 blue carton".into()
            } else {
                String::new()
            },
            lines: vec![OrderLine {
                product_code: format!("P-{}", 100 + i % 7),
                spec: if i % 2 == 0 {
                    "M6×20 不锈钢 304".into()
                } else {
                    "PCB 4 layers 1.6mm".into()
                },
                quantity: parse_decimal(&format!("{}", 10 * (i + 1))).expect("number"),
                unit: "pcs".into(),
                unit_price: Some(parse_decimal("1.25").expect("number")),
            }],
        };
        save(&tx, &mut change, None, None, &draft, None).expect("fixture order");
    }
    tx.commit().expect("commit");
    // The fixture itself is not something to undo.
    store
        .conn()
        .execute("DELETE FROM undo_log", [])
        .expect("clear undo");
}

pub fn app(n: usize) -> App {
    let mut app = App::new(store(n), Config::default(), Keymap::defaults());
    // The shipped templates only, and a clipboard that touches nothing outside the test.
    app.view.templates = crate::messages::Templates::new(None);
    app.view.copier = |_| Ok(crate::messages::clipboard::Copied::Program("test"));
    app.prepare(20);
    app
}

/// The fixture's orders with a month of history behind them: deliveries (on time, late with
/// and without a delay exception), complaints, contacts, surveys and requirements in January
/// 2026 and some in December 2025. Instants come from local midnights, so the figures are
/// the same in every `TZ`; all of it lies long before the tests run, so no 24-hour window is
/// still open.
pub fn report_app() -> App {
    use crate::domain::time::day_start;
    use rusqlite::params;
    let store = store(12);
    let c = store.conn();
    let at = |m: u32, d: u32, h: i64| {
        let year = if m == 12 { 2025 } else { 2026 };
        day_start(chrono::NaiveDate::from_ymd_opt(year, m, d).expect("date")) + h * 3600
    };
    // (status, ordered on, delivered on, due, first due) per fixture order.
    let orders = [
        ("confirmed", (1, 5), None, "2026-02-20", None),
        ("delivered", (1, 6), Some((1, 20)), "2026-01-25", None),
        ("lost", (1, 7), None, "2026-02-20", None),
        ("in_production", (1, 8), None, "2026-02-20", None),
        (
            "delivered",
            (12, 2),
            Some((1, 22)),
            "2026-01-15",
            Some("2026-01-10"),
        ),
        (
            "closed",
            (12, 3),
            Some((1, 9)),
            "2026-01-12",
            Some("2026-01-05"),
        ),
        ("lost", (12, 4), None, "2026-01-20", None),
        ("quoted", (1, 12), None, "2026-02-20", None),
        ("shipped", (1, 13), None, "2026-02-20", None),
        ("delivered", (12, 5), Some((1, 28)), "2026-01-20", None),
        ("confirmed", (12, 6), None, "2026-02-20", None),
        ("delivered", (12, 7), Some((12, 20)), "2025-12-24", None),
    ];
    for (i, (status, ordered, delivered, due, first)) in orders.iter().enumerate() {
        c.execute(
            "UPDATE orders SET status = ?2, ordered_at = ?3, delivered_at = ?4, due_date = ?5,
                 first_due_date = ifnull(?6, ?5)
             WHERE id = ?1",
            params![
                i as i64 + 1,
                status,
                at(ordered.0, ordered.1, 10),
                delivered.map(|(m, d)| at(m, d, 15)),
                due,
                first
            ],
        )
        .expect("fixture order");
    }
    for (order, cause, opened) in [
        (5, "supplier_delay", at(1, 3, 9)),
        (5, "logistics", at(1, 12, 9)),
    ] {
        c.execute(
            "INSERT INTO exceptions (order_id, kind, cause, opened_at) VALUES (?1, 'delay', ?2, ?3)",
            params![order, cause, opened],
        )
        .expect("fixture exception");
    }
    for (i, (kind, opened, hours, closed)) in [
        ("quality", at(1, 4, 9), Some(2), true),
        ("delivery_delay", at(1, 10, 9), Some(30), true),
        ("quality", at(1, 15, 9), Some(5), false),
        ("spec_mismatch", at(1, 20, 9), None, false),
        ("payment", at(12, 10, 9), Some(1), true),
    ]
    .into_iter()
    .enumerate()
    {
        c.execute(
            "INSERT INTO complaints (complaint_no, customer_id, type, severity, opened_at,
                 first_response_at, resolved_at)
             VALUES (?1, 1 + ?2 % 3, ?3, 'normal', ?4, ?5, ?6)",
            params![
                format!("CP-{i:03}"),
                i as i64,
                kind,
                opened,
                hours.map(|h: i64| opened + h * 3600),
                closed.then_some(opened + 86_400 * 3)
            ],
        )
        .expect("fixture complaint");
    }
    for (channel, direction, when, reply_hours) in [
        ("email", "in", at(1, 5, 9), Some(3)),
        ("phone", "in", at(1, 6, 9), Some(30)),
        ("im", "in", at(1, 7, 9), Some(1)),
        ("email", "out", at(1, 8, 9), None),
        ("visit", "out", at(1, 9, 9), None),
        ("email", "in", at(12, 9, 9), None),
    ] {
        c.execute(
            "INSERT INTO contacts (customer_id, channel, direction, at, replied_at)
             VALUES (1, ?1, ?2, ?3, ?4)",
            params![
                channel,
                direction,
                when,
                reply_hours.map(|h: i64| when + h * 3600)
            ],
        )
        .expect("fixture contact");
    }
    for (date, scores, willingness) in [
        ("2026-01-10", [5, 4, 4, 5, 3, 5], 10),
        ("2026-01-20", [4, 4, 3, 5, 4, 4], 7),
        ("2026-01-25", [3, 5, 4, 4, 4, 3], 5),
        ("2025-12-15", [4, 4, 4, 4, 4, 4], 9),
    ] {
        c.execute(
            "INSERT INTO surveys (customer_id, date, accuracy, response, resolution, attitude,
                 customisation, quality, willingness)
             VALUES (2, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                date,
                scores[0],
                scores[1],
                scores[2],
                scores[3],
                scores[4],
                scores[5],
                willingness
            ],
        )
        .expect("fixture survey");
    }
    for (status, resolved) in [
        ("met", at(1, 11, 9)),
        ("met", at(1, 18, 9)),
        ("declined", at(1, 19, 9)),
    ] {
        c.execute(
            "INSERT INTO requirements (customer_id, category, text, created_at, status, resolved_at)
             VALUES (3, 'packaging', 'Blue cartons', 0, ?1, ?2)",
            params![status, resolved],
        )
        .expect("fixture requirement");
    }
    let mut app = App::new(store, Config::default(), Keymap::defaults());
    app.screens.reports.month = "2026-01".parse().expect("month");
    app.prepare(20);
    app
}

/// The moment the Today fixture is seen from: 2026-03-10 12:00 UTC.
pub const TODAY_NOW: i64 = 1_773_144_000;

pub fn today_context() -> crate::store::list::ListContext {
    crate::store::list::ListContext {
        today: "2026-03-10".into(),
        week_end: "2026-03-17".into(),
        now: TODAY_NOW,
    }
}

/// `app(9)` with something of most kinds of reminder, seen from `TODAY_NOW`, on the Today
/// tab. Every moment is at noon UTC, so local dates are the same in any usual time zone.
pub fn today_app() -> App {
    const H: i64 = 3_600;
    const D: i64 = 86_400;
    let mut app = app(9);
    app.store
        .conn()
        .execute_batch(&format!(
            "
UPDATE orders SET status_changed_at = {recent};
UPDATE orders SET status_changed_at = {t20} WHERE id = 2;
UPDATE orders SET due_date = '2026-03-12' WHERE id = 3;
UPDATE orders SET due_date = '2026-03-01', payment_due = '2026-03-08' WHERE id = 6;
UPDATE orders SET status = 'shipped', due_date = '2026-03-09' WHERE id = 9;
UPDATE orders SET missing = 'due_date,delivery_address' WHERE id = 1;
INSERT INTO production (order_id, stage, planned_finish, percent_complete, updated_at)
VALUES (3, 'producing', '2026-03-05', 40, 0);
INSERT INTO shipments (order_id, carrier, waybill_no, eta) VALUES (9, 'SF Express', 'SF1234567890', {eta});
INSERT INTO complaints (complaint_no, customer_id, order_id, type, severity, opened_at) VALUES
 ('K-0001', 1, 3, 'quality', 'urgent', {k1}),
 ('K-0002', 2, NULL, 'delivery_delay', 'normal', {k2});
INSERT INTO followups (customer_id, order_id, due_at, text, created_at) VALUES
 (NULL, 3, {f1}, 'Call about the carton 纸箱', 0),
 (2, NULL, {f2}, 'Send the new price list', 0);
",
            recent = TODAY_NOW - H,
            t20 = TODAY_NOW - 20 * D,
            eta = TODAY_NOW - 3 * D,
            k1 = TODAY_NOW - 5 * H,
            k2 = TODAY_NOW - 2 * H,
            f1 = TODAY_NOW - H,
            f2 = TODAY_NOW + 3 * H,
        ))
        .expect("today fixture");
    app.tab = super::tab::Tab::Today;
    let windows = app.view.windows;
    app.screens
        .today
        .load_at(app.store.conn(), windows, &today_context())
        .expect("today");
    app
}
