use super::fixture;
use super::*;
use crate::i18n::t;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;

pub(super) fn press(app: &mut App, keys: &str) {
    for c in keys.chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

pub(super) fn code(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

pub(super) fn ctrl(app: &mut App, c: char) {
    app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

fn status_of(app: &App, order_no: &str) -> String {
    app.store
        .conn()
        .query_row(
            "SELECT status FROM orders WHERE order_no = ?1",
            [order_no],
            |r| r.get(0),
        )
        .unwrap()
}

fn selected_no(app: &App) -> String {
    app.screens.orders.list.selected().unwrap().order_no.clone()
}

#[test]
fn moving_through_the_list_and_counting_after_the_first_frame() {
    let mut app = fixture::app(50);
    assert_eq!(selected_no(&app), "SO-20260101-050", "newest first");
    assert!(app.has_deferred_work(), "count waits for the first frame");
    app.do_deferred_work();
    assert_eq!(app.screens.orders.list.total, Some(50));
    press(&mut app, "jjj");
    assert_eq!(selected_no(&app), "SO-20260101-047");
    press(&mut app, "G");
    assert_eq!(selected_no(&app), "SO-20260101-001");
    press(&mut app, "g");
    assert_eq!(selected_no(&app), "SO-20260101-050");
    code(&mut app, KeyCode::PageDown);
    assert_eq!(app.screens.orders.list.offset, 20);
}

#[test]
fn search_filters_as_you_type_and_esc_clears() {
    let mut app = fixture::app(30);
    press(&mut app, "/");
    press(&mut app, "华联");
    assert_eq!(
        app.screens.orders.list.rows.len(),
        10,
        "two Chinese characters match the customer name"
    );
    press(&mut app, "电子");
    assert_eq!(
        app.screens.orders.list.rows.len(),
        10,
        "trigram search on the full name"
    );
    code(&mut app, KeyCode::Enter);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.screens.orders.list.query.search, "华联电子");
    code(&mut app, KeyCode::Esc);
    assert_eq!(app.screens.orders.list.query.search, "");
    assert_eq!(app.screens.orders.list.rows.len(), 20);
    press(&mut app, "/SO-20260101-007");
    code(&mut app, KeyCode::Enter);
    assert_eq!(app.screens.orders.list.rows.len(), 1);
}

#[test]
fn advance_then_undo_again_and_again() {
    let mut app = fixture::app(9);
    press(&mut app, "/SO-20260101-003");
    code(&mut app, KeyCode::Enter);
    assert_eq!(status_of(&app, "SO-20260101-003"), "confirmed");
    press(&mut app, ">");
    assert_eq!(status_of(&app, "SO-20260101-003"), "in_production");
    press(&mut app, ">");
    assert_eq!(status_of(&app, "SO-20260101-003"), "ready");
    press(&mut app, "u");
    assert_eq!(status_of(&app, "SO-20260101-003"), "in_production");
    press(&mut app, "u");
    assert_eq!(status_of(&app, "SO-20260101-003"), "confirmed");
    press(&mut app, "u");
    assert!(
        app.status.message.as_ref().unwrap().1.contains("Nothing"),
        "{:?}",
        app.status.message
    );
}

#[test]
fn a_bulk_change_on_marked_rows_is_one_undo_step() {
    let mut app = fixture::app(9);
    // The three newest are 009 (confirmed), 008 (quoted), 007 (inquiry).
    press(&mut app, "   ");
    assert_eq!(app.screens.orders.list.marks.len(), 3);
    press(&mut app, ">");
    assert!(matches!(app.mode, Mode::Confirm(Confirm::Bulk { .. })));
    press(&mut app, "y");
    assert_eq!(status_of(&app, "SO-20260101-009"), "in_production");
    assert_eq!(status_of(&app, "SO-20260101-007"), "quoted");
    assert!(app.screens.orders.list.marks.is_empty());
    press(&mut app, "u");
    assert_eq!(status_of(&app, "SO-20260101-009"), "confirmed");
    assert_eq!(status_of(&app, "SO-20260101-008"), "quoted");
    assert_eq!(status_of(&app, "SO-20260101-007"), "inquiry");
}

#[test]
fn cancelling_asks_for_a_reason_and_hold_returns() {
    let mut app = fixture::app(3);
    press(&mut app, "x");
    code(&mut app, KeyCode::Enter);
    assert!(
        matches!(app.mode, Mode::Prompt { .. }),
        "empty reason refused"
    );
    press(&mut app, "duplicate PO");
    code(&mut app, KeyCode::Enter);
    assert_eq!(status_of(&app, "SO-20260101-003"), "cancelled");
    press(&mut app, "u");
    press(&mut app, "h");
    // A hold asks why, and the reason goes into the status history.
    assert!(matches!(
        app.mode,
        Mode::Prompt {
            prompt: Prompt::HoldReason { .. },
            ..
        }
    ));
    code(&mut app, KeyCode::Enter);
    assert_eq!(
        status_of(&app, "SO-20260101-003"),
        "confirmed",
        "no reason, no hold"
    );
    press(&mut app, "customer audit");
    code(&mut app, KeyCode::Enter);
    assert_eq!(status_of(&app, "SO-20260101-003"), "on_hold");
    let note: String = app
        .store
        .conn()
        .query_row(
            "SELECT note FROM status_history ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(note, "customer audit");
    // Resuming needs no reason.
    press(&mut app, "h");
    assert_eq!(status_of(&app, "SO-20260101-003"), "confirmed");
}

#[test]
fn a_status_time_before_the_order_is_refused() {
    let mut app = fixture::app(3);
    press(&mut app, "s");
    code(&mut app, KeyCode::Tab);
    press(&mut app, "2020-01-05 09:30");
    code(&mut app, KeyCode::Enter);
    press(&mut app, "r");
    assert_eq!(status_of(&app, "SO-20260101-003"), "confirmed");
    assert!(matches!(app.mode, Mode::StatusMenu { .. }));
    let (_, text) = app.status.message.clone().unwrap();
    assert_eq!(text, t("msg.before_order"));
}

#[test]
fn undo_names_the_order_and_its_change_and_goes_to_it() {
    let mut app = fixture::app(3);
    let first = selected_no(&app);
    press(&mut app, ">");
    press(&mut app, "j");
    assert_ne!(selected_no(&app), first);
    press(&mut app, "u");
    let (_, text) = app.status.message.clone().unwrap();
    assert_eq!(
        text,
        format!("Undone: {first} status In production → Confirmed")
    );
    assert_eq!(selected_no(&app), first);
}

#[test]
fn the_status_menu_sets_any_status_with_a_late_time() {
    let mut app = fixture::app(3);
    press(&mut app, "s");
    code(&mut app, KeyCode::Tab);
    press(&mut app, "2026-01-05 09:30");
    code(&mut app, KeyCode::Enter);
    press(&mut app, "r");
    assert_eq!(status_of(&app, "SO-20260101-003"), "ready");
    let happened: i64 = app
        .store
        .conn()
        .query_row(
            "SELECT happened_at FROM status_history ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        happened,
        crate::domain::time::parse_stamp("2026-01-05 09:30").unwrap()
    );
}

#[test]
fn leaving_quoted_with_missing_fields_shows_why() {
    let mut app = fixture::app(3);
    app.store
        .conn()
        .execute("UPDATE orders SET missing = 'due_date', due_date = NULL WHERE order_no = 'SO-20260101-002'", [])
        .unwrap();
    press(&mut app, "j>");
    assert_eq!(status_of(&app, "SO-20260101-002"), "quoted");
    let (level, text) = app.status.message.clone().unwrap();
    assert_eq!(level, Level::Error);
    assert!(text.contains("Due date"), "{text}");
}

#[test]
fn creating_an_order_through_the_form() {
    let mut app = fixture::app(3);
    press(&mut app, "n");
    assert!(app.form().is_some());
    // The cursor starts on the first empty required field: the customer.
    press(&mut app, "C002");
    for _ in 0..4 {
        code(&mut app, KeyCode::Tab);
    }
    press(&mut app, "2099-06-30");
    code(&mut app, KeyCode::Tab);
    press(&mut app, "Hamburg, Hafenstraße 1");
    for _ in 0..6 {
        code(&mut app, KeyCode::Tab);
    }
    press(&mut app, "P-9");
    code(&mut app, KeyCode::Tab);
    press(&mut app, "red");
    code(&mut app, KeyCode::Tab);
    press(&mut app, "0");
    ctrl(&mut app, 's');
    assert!(app.form().is_some(), "quantity 0 is refused");
    let form = app.form().unwrap();
    let grid = form.grid.as_ref().unwrap();
    assert!(grid.rows[0][2].error.is_some());
    code(&mut app, KeyCode::Tab);
    code(&mut app, KeyCode::BackTab);
    press(&mut app, "12");
    ctrl(&mut app, 's');
    assert!(app.form().is_none(), "saved: {:?}", app.status.message);
    let n: i64 = app
        .store
        .conn()
        .query_row("SELECT count(*) FROM orders", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 4);
    let (no, missing): (String, String) = app
        .store
        .conn()
        .query_row(
            "SELECT order_no, missing FROM orders ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(no.starts_with("SO-"), "{no}");
    assert_eq!(missing, "unit_price", "the line has no price yet");
    press(&mut app, "u");
    let n: i64 = app
        .store
        .conn()
        .query_row("SELECT count(*) FROM orders", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 3, "a new order can be undone");
}

#[test]
fn esc_on_a_changed_form_asks_first() {
    let mut app = fixture::app(3);
    press(&mut app, "e");
    let form = app.form().unwrap();
    assert!(!form.dirty);
    press(&mut app, "X");
    code(&mut app, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Confirm(Confirm::DiscardForm));
    press(&mut app, "n");
    assert!(app.form().is_some());
    code(&mut app, KeyCode::Esc);
    press(&mut app, "y");
    assert!(app.form().is_none());
}

#[test]
fn editing_a_due_date_needs_a_reason_and_keeps_the_revision() {
    let mut app = fixture::app(3);
    press(&mut app, "e");
    for _ in 0..4 {
        code(&mut app, KeyCode::Tab);
    }
    press(&mut app, "2099-12-31");
    ctrl(&mut app, 's');
    assert!(app.form().is_some(), "reason missing");
    code(&mut app, KeyCode::Tab);
    press(&mut app, "factory shutdown");
    ctrl(&mut app, 's');
    assert!(
        app.form().is_none(),
        "{:?}",
        app.form().map(|f| f.message.clone())
    );
    let reason: String = app
        .store
        .conn()
        .query_row("SELECT reason FROM due_date_revisions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(reason, "factory shutdown");
}

#[test]
fn tabs_palette_filters_and_help() {
    let mut app = fixture::app(6);
    press(&mut app, "2");
    assert_eq!(app.tab, Tab::Customers);
    assert_eq!(app.screens.customers.list.rows.len(), 3);
    code(&mut app, KeyCode::Tab);
    assert_eq!(app.tab, Tab::Shipments);
    press(&mut app, "5");
    app.do_deferred_work();
    assert_eq!(
        app.screens.today.kinds.len(),
        crate::store::today::KINDS.len()
    );
    press(&mut app, "1?");
    assert!(matches!(app.mode, Mode::Help(_)));
    code(&mut app, KeyCode::Esc);
    press(&mut app, ":");
    press(&mut app, "new ord");
    code(&mut app, KeyCode::Enter);
    assert!(app.form().is_some());
    code(&mut app, KeyCode::Esc);
    press(&mut app, "f");
    assert!(matches!(app.mode, Mode::Filters { .. }));
    // The first filter is status:inquiry.
    code(&mut app, KeyCode::Enter);
    code(&mut app, KeyCode::Esc);
    assert_eq!(app.screens.orders.list.rows.len(), 2);
    assert!(app
        .screens
        .orders
        .list
        .rows
        .iter()
        .all(|r| r.status == Status::Inquiry));
    press(&mut app, "o");
    assert!(app.screens.orders.list.query.reversed);
    press(&mut app, "q");
    assert!(!app.running);
}

#[test]
fn a_second_copy_changing_the_same_order_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.db");
    {
        let mut s = Store::open(&path).unwrap();
        let mem = fixture::store(3);
        drop(mem);
        s.conn()
            .execute("INSERT INTO customers (code, name) VALUES ('C', 'C')", [])
            .unwrap();
        let tx = s.begin().unwrap();
        tx.execute(
            "INSERT INTO orders (order_no, customer_id, status, ordered_at, status_changed_at, created_at, updated_at, due_date, delivery_address)
             VALUES ('SO-X', 1, 'confirmed', 0, 0, 0, 0, '2099-01-01', 'x')",
            [],
        )
        .unwrap();
        tx.commit().unwrap();
    }
    let open = || {
        let mut a = App::new(
            Store::open(&path).unwrap(),
            Config::default(),
            Keymap::defaults(),
        );
        a.prepare(10);
        a
    };
    let mut first = open();
    let mut second = open();
    press(&mut first, ">");
    assert_eq!(status_of(&first, "SO-X"), "in_production");
    press(&mut second, ">");
    let (level, text) = second.status.message.clone().unwrap();
    assert_eq!(level, Level::Error);
    assert!(text.contains("changed elsewhere"), "{text}");
    assert_eq!(
        status_of(&second, "SO-X"),
        "in_production",
        "not overwritten"
    );
}

fn any_key() -> impl Strategy<Value = KeyEvent> {
    prop_oneof![
        proptest::sample::select(vec![
            'j', 'k', 'g', 'G', '>', 's', 'h', 'x', 'u', 'n', 'e', '/', 'f', 'o', ' ', '?', ':',
            'y', 'c', 'r', '1', '2', '3', '4', '5', '6', 'a', '华'
        ])
        .prop_map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        proptest::sample::select(vec![
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::PageUp,
            KeyCode::PageDown,
            KeyCode::Backspace,
            KeyCode::Left,
            KeyCode::Right
        ])
        .prop_map(|c| KeyEvent::new(c, KeyModifiers::NONE)),
        proptest::sample::select(vec!['s', 'n', 'd'])
            .prop_map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random key sequences at random sizes never panic, and the data stays consistent:
    /// every order's total equals its lines, and the audit chain holds.
    #[test]
    fn random_keys_never_panic_and_keep_invariants(
        keys in proptest::collection::vec(any_key(), 1..80),
        width in 1u16..200,
        height in 1u16..60,
    ) {
        let mut app = fixture::app(12);
        let backend = ratatui::backend::TestBackend::new(width, height);
        let mut terminal = ratatui::Terminal::new(backend).unwrap();
        for key in keys {
            if !app.running {
                break;
            }
            app.prepare(crate::ui::list_height(height));
            terminal.draw(|f| crate::ui::draw(f, &app)).unwrap();
            if app.has_deferred_work() {
                app.do_deferred_work();
            }
            app.handle_key(key);
        }
        let bad: i64 = app.store.conn().query_row(
            "SELECT count(*) FROM orders o WHERE o.status NOT IN
             ('inquiry','quoted','confirmed','in_production','ready','shipped','delivered','closed','on_hold','cancelled','lost')",
            [], |r| r.get(0)).unwrap();
        prop_assert_eq!(bad, 0);
        let chain = crate::store::audit::verify(app.store.conn()).unwrap();
        prop_assert_eq!(chain.first_broken, None);
        let mut stmt = app.store.conn().prepare(
            "SELECT o.total, group_concat(l.quantity || '*' || ifnull(l.unit_price, '0'), ';')
             FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id GROUP BY o.id").unwrap();
        let rows: Vec<(String, Option<String>)> = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap()
            .collect::<rusqlite::Result<_>>().unwrap();
        for (total, lines) in rows {
            let sum: rust_decimal::Decimal = lines.unwrap_or_default().split(';').filter(|s| !s.is_empty()).map(|p| {
                let (q, u) = p.split_once('*').unwrap();
                q.parse::<rust_decimal::Decimal>().unwrap() * u.parse::<rust_decimal::Decimal>().unwrap()
            }).sum();
            prop_assert_eq!(total.parse::<rust_decimal::Decimal>().unwrap(), sum);
        }
    }
}

#[test]
fn export_takes_the_marked_orders_only() {
    let mut app = fixture::app(6);
    press(&mut app, "  ");
    let marked: Vec<i64> = app.screens.orders.list.marks.iter().copied().collect();
    crate::io::mark_for_export(app.store.conn(), &marked).unwrap();
    let mut out = Vec::new();
    let opts = crate::io::ExportOptions {
        include_pii: false,
        marked_only: true,
        ..Default::default()
    };
    let rows =
        crate::io::export_csv(&mut app.store, crate::io::Kind::Orders, &mut out, &opts).unwrap();
    assert_eq!(rows, 2);
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("SO-20260101-006") && text.contains("SO-20260101-005"),
        "{text}"
    );
    assert!(!text.contains("SO-20260101-004"));
    let err = crate::io::export_csv(
        &mut app.store,
        crate::io::Kind::Customers,
        &mut Vec::new(),
        &opts,
    );
    assert!(err.is_err(), "only orders go by marks");
}

#[test]
fn the_reports_tab_computes_its_month_and_the_one_before() {
    let mut app = fixture::report_app();
    press(&mut app, "6");
    assert!(app.has_deferred_work());
    app.do_deferred_work();
    assert!(!app.has_deferred_work());
    let d = app.screens.reports.shown().expect("figures");
    let r = &d.current;
    assert_eq!(r.month.to_string(), "2026-01");
    assert_eq!(d.previous.month.to_string(), "2025-12");
    assert_eq!(d.trend.len(), 12);
    assert_eq!((r.orders.confirmed.count, r.conversion.lost), (4, 1));
    assert_eq!(
        r.orders.confirmed.amount.describe(),
        "CNY 75.00 · USD 125.00"
    );
    assert_eq!((r.delivery.delivered, r.delivery.on_time), (4, 2));
    assert_eq!(r.delivery.on_time_vs_first_promise, 1);
    assert_eq!(r.delivery.late_by_cause.get("logistics"), 1);
    assert_eq!(r.delivery.late_by_cause.get("unspecified"), 1);
    assert_eq!(r.complaints.response_rate_24h, Some(0.5));
    assert_eq!(r.complaints.avg_first_response_hours, Some(12.33));
    assert_eq!(r.contacts.reply_rate_24h, Some(0.6667));
    assert_eq!(r.satisfaction.response, Some(4.33));
    assert_eq!(r.satisfaction.nps, Some(0.0));
    assert_eq!(r.requirements.fulfilment_rate, Some(0.6667));

    press(&mut app, "x");
    assert!(
        !app.waiting(),
        "nothing to write beside an in-memory database"
    );
    assert!(matches!(&app.status.message, Some((Level::Error, m)) if m.contains("memory")));

    press(&mut app, "]");
    assert_eq!(app.screens.reports.month.to_string(), "2026-02");
    assert!(
        app.screens.reports.shown().is_none(),
        "February is not computed yet"
    );
    assert!(app.has_deferred_work());
    press(&mut app, "[[");
    assert_eq!(app.screens.reports.month.to_string(), "2025-12");
    press(&mut app, "1");
    assert!(!app.has_deferred_work() || app.tab != Tab::Reports);
}

#[test]
fn reports_are_computed_and_exported_off_the_ui_thread() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let fixture = fixture::report_app();
    fixture
        .store
        .conn()
        .execute("VACUUM INTO ?1", [db.to_str().unwrap()])
        .unwrap();
    drop(fixture);
    let store = Store::open(&db).unwrap();
    let mut app = App::new(store, Config::default(), keymap::Keymap::defaults());
    app.screens.reports.month = "2026-01".parse().unwrap();
    let wait = |app: &mut App| {
        let start = std::time::Instant::now();
        while app.waiting() && start.elapsed() < std::time::Duration::from_secs(20) {
            std::thread::sleep(std::time::Duration::from_millis(5));
            app.collect_background();
        }
        assert!(!app.waiting(), "the worker finished");
    };
    press(&mut app, "6");
    app.do_deferred_work();
    assert!(app.waiting(), "a file-backed store computes on a worker");
    assert!(app.screens.reports.shown().is_none());
    wait(&mut app);
    assert_eq!(
        app.screens
            .reports
            .shown()
            .unwrap()
            .current
            .orders
            .confirmed
            .count,
        4
    );
    assert!(!app.has_deferred_work());

    // The month changed while its figures were computed: the old result is dropped, and
    // the shown month is asked for next.
    press(&mut app, "]");
    app.do_deferred_work();
    press(&mut app, "]");
    wait(&mut app);
    assert!(
        app.screens.reports.shown().is_none(),
        "February's figures are not March's"
    );
    assert!(app.has_deferred_work());
    // Back to January: its figures are still at hand.
    press(&mut app, "[[");
    assert_eq!(
        app.screens
            .reports
            .shown()
            .unwrap()
            .current
            .month
            .to_string(),
        "2026-01"
    );
    assert!(!app.has_deferred_work());

    press(&mut app, "x");
    wait(&mut app);
    press(&mut app, "h");
    wait(&mut app);
    let files: Vec<String> = std::fs::read_dir(dir.path().join("exports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files
        .iter()
        .any(|f| f.starts_with("report-2026-01-") && f.ends_with(".xlsx")));
    assert!(files
        .iter()
        .any(|f| f.starts_with("report-2026-01-") && f.ends_with(".html")));
    let (_, message) = app.status.message.clone().unwrap();
    assert!(message.contains("exports"), "{message}");
}

#[test]
fn the_discard_question_answers_to_the_keymap() {
    let over: toml::Table = toml::from_str("[confirm]\nyes = [\"o\"]\nno = [\"Esc\"]").unwrap();
    let mut app = fixture::app(3);
    app.keymap = keymap::Keymap::load(Some(&over)).unwrap();
    press(&mut app, "n");
    assert!(app.form().is_some());
    press(&mut app, "x");
    code(&mut app, KeyCode::Esc);
    assert!(matches!(app.mode, Mode::Confirm(Confirm::DiscardForm)));
    // `y` is no longer an answer; `o` is.
    press(&mut app, "y");
    assert!(matches!(app.mode, Mode::Confirm(Confirm::DiscardForm)));
    assert!(app.form().is_some());
    press(&mut app, "o");
    assert!(matches!(app.mode, Mode::Normal));
    assert!(app.form().is_none());
    assert!(crate::ui::yes_no(&app).starts_with("o = yes"));
}

#[test]
fn a_part_of_a_customer_name_finds_it_and_its_address_fills_the_form() {
    let mut app = fixture::app(3);
    app.store
        .conn()
        .execute(
            "UPDATE customers SET address = 'Harbour Road 1' WHERE code = 'C002'",
            [],
        )
        .unwrap();
    press(&mut app, "n");
    press(&mut app, "acme");
    code(&mut app, KeyCode::Tab);
    let form = app.form().unwrap();
    assert_eq!(form.value("field.customer"), "C002");
    assert_eq!(form.value("field.delivery_address"), "Harbour Road 1");
    // A part two customers share finds neither.
    code(&mut app, KeyCode::BackTab);
    press(&mut app, "d");
    code(&mut app, KeyCode::Tab);
    let form = app.form().unwrap();
    assert_eq!(form.value("field.customer"), "d");
}

#[test]
fn g_on_reports_asks_for_a_month_and_goes_to_it() {
    let mut app = fixture::app(3);
    press(&mut app, "6g");
    assert!(app.form().is_some(), "the month is asked for");
    press(&mut app, "2025-13");
    code(&mut app, KeyCode::Enter);
    assert!(app.form().is_some(), "not a month");
    // The field is entered fresh only once: clear it, then type.
    ctrl(&mut app, 'u');
    press(&mut app, "2025-11");
    code(&mut app, KeyCode::Enter);
    assert!(app.form().is_none(), "{:?}", app.form());
    assert_eq!(app.screens.reports.month.to_string(), "2025-11");
}

#[test]
fn a_paste_lands_in_the_form_field_one_line_or_a_note() {
    let mut app = fixture::app(3);
    press(&mut app, "n");
    app.paste("Nordic\r\nTools");
    assert_eq!(app.form().unwrap().value("field.customer"), "Nordic Tools");
    for _ in 0..10 {
        code(&mut app, KeyCode::Tab);
    }
    assert_eq!(
        app.form().unwrap().focused().map(|f| f.name),
        Some("field.notes")
    );
    app.paste("first line\nsecond line");
    assert_eq!(
        app.form().unwrap().value("field.notes"),
        "first line\nsecond line"
    );
}
