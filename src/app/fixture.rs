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
    store
}

pub fn app(n: usize) -> App {
    let mut app = App::new(store(n), Config::default(), Keymap::defaults());
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
    let windows = app.windows;
    app.today
        .load_at(app.store.conn(), windows, &today_context())
        .expect("today");
    app
}
