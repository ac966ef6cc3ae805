//! The web desk's pages as a reader sees them: every page in English and Chinese, on a phone,
//! refreshing where the issue asks; money as the terminal shows it; the weekly review's
//! targets, failed spot-checks and response plans; a change recorded late marked.

#[path = "web/harness.rs"]
mod harness;

use harness::*;
use orderdesk::domain::status::Status;
use orderdesk::store::orders::{self, StatusRequest};
use orderdesk::store::undo::Change;
use orderdesk::store::Store;

/// The pages a reader moves between (the order detail is added per desk).
const READ: &[&str] = &[
    "/orders",
    "/orders?status=confirmed",
    "/orders?due=overdue",
    "/orders?q=SO",
    "/shipments",
    "/complaints",
    "/today",
    "/report",
    "/review",
];

/// Words of the English pages that a Chinese page must not show.
const ENGLISH: &[&str] = &[
    ">Orders<",
    ">Shipments<",
    ">Complaints<",
    ">Today<",
    ">Monthly report<",
    ">Weekly review<",
    "Log out",
    ">Customer<",
    ">Status<",
    "Nothing here.",
    "% met<",
    "% missed<",
    "Targets",
    "Spot-checks failed",
    "Response plan",
];

#[test]
fn every_page_in_both_languages_on_a_phone_refreshing_where_it_should() {
    let (_dir, db, order_no) = desk();
    let server = Server::start(&db);
    let detail = format!("/orders/{order_no}");
    for lang in ["en", "zh-CN,zh;q=0.9"] {
        let mut b = Browser::new(&server);
        b.lang = lang;
        assert_eq!(b.login("li", VIEWER_PW).status, 303);
        for path in READ.iter().copied().chain([detail.as_str()]) {
            let page = b.get(path);
            assert_eq!(page.status, 200, "{lang} {path}");
            assert!(
                page.body.contains(
                    r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#
                ),
                "{path}: sized for a phone"
            );
            // Orders, Shipments, Complaints and Today refresh every 60 s (the script keeps
            // the scroll position); the report, the review and an order do not.
            let lists = ["/orders?", "/shipments", "/complaints", "/today"];
            let refreshes = lists.iter().any(|l| format!("{path}?").starts_with(l))
                && !path.starts_with("/orders/");
            assert_eq!(
                page.body.contains(r#"data-refresh="60""#),
                refreshes,
                "{lang} {path}"
            );
            if lang.starts_with("zh") {
                assert!(page.body.contains(r#"lang="zh-CN""#), "{path}");
                for word in ENGLISH {
                    assert!(
                        !page.body.contains(word),
                        "{path}: {word:?} on a Chinese page"
                    );
                }
            }
        }
    }
}

/// `USD 9,756.90`: the currency, thousands grouped, two decimals (more only when a price
/// has them, never trailing zeros of the stored scale).
fn is_money(cell: &str) -> bool {
    let Some((currency, amount)) = cell.split_once(' ') else {
        return false;
    };
    let Some((int, frac)) = amount.trim_start_matches('-').split_once('.') else {
        return false;
    };
    currency.len() == 3
        && currency.chars().all(|c| c.is_ascii_uppercase())
        && int.split(',').enumerate().all(|(i, g)| {
            !g.is_empty()
                && g.len() <= 3
                && (i == 0 || g.len() == 3)
                && g.bytes().all(|c| c.is_ascii_digit())
        })
        && frac.len() >= 2
        && frac.bytes().all(|c| c.is_ascii_digit())
        && (frac.len() == 2 || !frac.ends_with('0'))
}

#[test]
fn money_shows_its_currency_and_two_decimals() {
    assert!(is_money("USD 9,756.90"));
    assert!(is_money("CNY 0.125"));
    assert!(!is_money("USD 9756.9000"));
    assert!(!is_money("USD 9756.90"));
    let (_dir, db, order_no) = desk();
    // A total stored at four decimals, as an import may leave it.
    let store = Store::open(&db).unwrap();
    store
        .conn()
        .execute(
            "UPDATE orders SET total = '9756.9000', currency = 'USD' WHERE order_no = ?1",
            [&order_no],
        )
        .unwrap();
    drop(store);
    let server = Server::start(&db);
    let mut b = Browser::new(&server);
    assert_eq!(b.login("boss", MANAGER_PW).status, 303);
    let page = b.get(&format!("/orders?q={order_no}"));
    assert!(page.body.contains("USD 9,756.90"), "{}", page.body);
    assert!(!page.body.contains("9756.9000"));
    let list = b.get("/orders");
    let totals: Vec<&str> = list
        .body
        .split(r#"class="num">"#)
        .skip(1)
        .filter_map(|s| s.split('<').next())
        .filter(|s| s.contains('.'))
        .collect();
    assert!(totals.len() >= 10, "{totals:?}");
    for t in totals {
        assert!(is_money(t), "{t:?} is not shown as money");
    }
    let order = b.get(&format!("/orders/{order_no}"));
    let total = order
        .body
        .split("<dd>")
        .filter_map(|s| s.split('<').next())
        .find(|s| s.starts_with("USD "))
        .expect("the order's total");
    assert!(is_money(total), "{total}");
}

#[test]
fn the_review_holds_targets_failed_checks_and_plans() {
    let (_dir, db, _) = desk();
    let store = Store::open(&db).unwrap();
    let c = store.conn();
    // An open complaint answered with a plan.
    let complaint: String = c
        .query_row(
            "SELECT complaint_no FROM complaints ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    c.execute(
        "UPDATE complaints SET resolved_at = NULL, resolution = NULL,
             first_response_at = opened_at + 3600,
             response_plan = 'Replace the batch; QC signs off by Friday'
         WHERE complaint_no = ?1",
        [&complaint],
    )
    .unwrap();
    drop(store);
    let server = Server::start(&db);
    for (lang, targets, plans) in [
        ("en", "Targets, this month so far", "the plans promised"),
        ("zh-CN", "目标（本月至今）", "首次响应时承诺的方案"),
    ] {
        let mut b = Browser::new(&server);
        b.lang = lang;
        assert_eq!(b.login("boss", MANAGER_PW).status, 303);
        let page = b.get("/review");
        assert_eq!(page.status, 200);
        assert!(page.body.contains(targets), "{lang}: {}", page.body);
        assert!(page.body.contains(plans), "{lang}");
        assert!(
            page.body
                .contains("Replace the batch; QC signs off by Friday"),
            "{lang}"
        );
        assert!(page.body.contains(&complaint), "{lang}");
    }
    // The command gives the same sections.
    let out = orderdesk(&db, &["review"], &[("LANG", "C.UTF-8")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Targets, this month so far"), "{text}");
    assert!(text.contains("Spot-checks failed in the last 7 days"));
    assert!(text.contains("Replace the batch; QC signs off by Friday"));
    assert!(!text.contains('\u{1b}'), "no colour into a pipe");
}

#[test]
fn a_change_recorded_over_an_hour_late_is_marked_in_the_history() {
    let (_dir, db, order_no) = desk();
    let mut store = Store::open(&db).unwrap();
    let id = orders::id_by_number(store.conn(), &order_no)
        .unwrap()
        .unwrap();
    let tx = store.begin().unwrap();
    let mut change = Change::new("status");
    orders::change_status(
        &tx,
        &mut change,
        id,
        None,
        StatusRequest::Set(Status::Cancelled),
        orderdesk::domain::time::now() - 3 * 3600,
        Some("customer called on Monday"),
    )
    .unwrap();
    change.record(&tx).unwrap();
    tx.commit().unwrap();
    drop(store);
    let server = Server::start(&db);
    for (lang, mark) in [("en", "recorded 3 h late"), ("zh-CN", "迟 3 小时录入")] {
        let mut b = Browser::new(&server);
        b.lang = lang;
        assert_eq!(b.login("li", VIEWER_PW).status, 303);
        let page = b.get(&format!("/orders/{order_no}"));
        assert_eq!(page.body.matches(mark).count(), 1, "{lang}: {}", page.body);
    }
}
