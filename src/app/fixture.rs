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
    // The shipped templates only, and a clipboard that touches nothing outside the test.
    app.templates = crate::messages::Templates::new(None);
    app.copier = |_| Ok(crate::messages::clipboard::Copied::Program("test"));
    app.prepare(20);
    app
}
