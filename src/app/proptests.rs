//! Random key sequences on every screen, tab and mode, drawn after every key at random
//! terminal sizes from 1x1 to 300x100, over a demo database (every tab has rows). Nothing
//! may panic, and afterwards the data must still hold together: totals are the sum of
//! their lines, statuses are lifecycle words, held orders know where they came from, the
//! status history ends at the current status, the audit chain verifies and no reference
//! dangles.

use super::keymap::{Action, Key, KeyName, Keymap};
use super::App;
use crate::config::Config;
use crate::domain::status::Status;
use crate::store::Store;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::OnceLock;
use strum::IntoEnumIterator;

/// One thing the clerk (or the terminal) does.
#[derive(Debug, Clone)]
enum Step {
    Key(KeyEvent),
    /// A key release, which the app must ignore.
    Release(KeyEvent),
    Resize(u16, u16),
    /// A wheel turn or a click anywhere (kind 0 down, 1 up, 2 click).
    Mouse(u8, u16, u16),
    /// Pasted text, line breaks and controls included.
    Paste(String),
}

/// A demo file made once; each case works on its own copy.
fn demo_file() -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir").keep();
        let path = dir.join("demo.db");
        let mut store = Store::open(&path).expect("demo file");
        let day = chrono::NaiveDate::from_ymd_opt(2026, 6, 15).expect("date");
        crate::demo::generate_on(&mut store, 120, 5, day).expect("demo data");
        drop(store);
        path
    })
}

fn demo_app() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("case.db");
    std::fs::copy(demo_file(), &path).expect("copy of the demo file");
    let store = Store::open(&path).expect("open the copy");
    (dir, App::new(store, Config::default(), Keymap::defaults()))
}

fn event(key: Key) -> KeyEvent {
    let code = match key.code {
        KeyName::Char(c) => KeyCode::Char(c),
        KeyName::Enter => KeyCode::Enter,
        KeyName::Esc => KeyCode::Esc,
        KeyName::Tab => KeyCode::Tab,
        KeyName::BackTab => KeyCode::BackTab,
        KeyName::Up => KeyCode::Up,
        KeyName::Down => KeyCode::Down,
        KeyName::Left => KeyCode::Left,
        KeyName::Right => KeyCode::Right,
        KeyName::Home => KeyCode::Home,
        KeyName::End => KeyCode::End,
        KeyName::PageUp => KeyCode::PageUp,
        KeyName::PageDown => KeyCode::PageDown,
        KeyName::Backspace => KeyCode::Backspace,
        KeyName::Delete => KeyCode::Delete,
        KeyName::F(n) => KeyCode::F(n),
    };
    let mods = if key.ctrl {
        KeyModifiers::CONTROL
    } else {
        KeyModifiers::NONE
    };
    KeyEvent::new(code, mods)
}

/// Every key bound to any action in any section.
fn bound_keys() -> Vec<KeyEvent> {
    let map = Keymap::defaults();
    Action::iter()
        .flat_map(|a| map.keys(a))
        .map(event)
        .collect()
}

fn plain(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn any_key() -> impl Strategy<Value = KeyEvent> {
    let special = proptest::sample::select(vec![
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::Backspace,
        KeyCode::Delete,
        KeyCode::Insert,
        KeyCode::Null,
        KeyCode::F(1),
        KeyCode::F(12),
        KeyCode::F(24),
    ]);
    let mods = proptest::sample::select(vec![
        KeyModifiers::NONE,
        KeyModifiers::SHIFT,
        KeyModifiers::CONTROL,
        KeyModifiers::ALT,
        KeyModifiers::CONTROL | KeyModifiers::SHIFT,
    ]);
    prop_oneof![
        6 => proptest::sample::select(bound_keys()),
        // Status menu letters, confirmations and what forms take.
        3 => proptest::sample::select(
            "iqcprsdzhxlyYnN0123456789.,-: /"
                .chars()
                .collect::<Vec<_>>()
        )
        .prop_map(plain),
        2 => special.prop_map(|c| KeyEvent::new(c, KeyModifiers::NONE)),
        1 => any::<char>().prop_map(plain),
        1 => (any::<char>(), mods.clone()).prop_map(|(c, m)| KeyEvent::new(KeyCode::Char(c), m)),
        1 => (proptest::sample::select(vec![
            KeyCode::Enter, KeyCode::Tab, KeyCode::Esc, KeyCode::Up, KeyCode::Down
        ]), mods).prop_map(|(c, m)| KeyEvent::new(c, m)),
    ]
}

fn text_keys(text: &str) -> Vec<Step> {
    text.chars().map(|c| Step::Key(plain(c))).collect()
}

/// From any screen or mode back to the orders list: Esc leaves every overlay, `y` confirms
/// discarding a changed form (and is unbound on the list).
fn back_to_list() -> Vec<Step> {
    let mut s = Vec::new();
    for _ in 0..2 {
        s.push(code(KeyCode::Esc));
        s.push(Step::Key(plain('y')));
    }
    s.extend([
        code(KeyCode::Esc),
        code(KeyCode::Esc),
        Step::Key(plain('1')),
    ]);
    s
}

fn code(c: KeyCode) -> Step {
    Step::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Step {
    Step::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Numbers as people (and fuzzers) type them: small, huge, many decimals, odd.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[1-9][0-9]{0,3}",
        2 => "[0-9]{1,3}\\.[0-9]{1,4}",
        1 => "[0-9]{20,30}",
        1 => "0\\.[0-9]{20,30}",
        1 => "[0-9]{1,3},[0-9]{3}\\.[0-9]{2}",
        1 => "-?[0-9]{1,3}[eE]-?[0-9]{1,3}",
        1 => "\\PC{0,6}",
    ]
}

/// A whole new order typed into the form and saved: customer, due date, address and
/// lines with random quantities and prices (possibly too large to multiply).
fn new_order() -> impl Strategy<Value = Vec<Step>> {
    (
        proptest::collection::vec((number(), number()), 1..4),
        "C0000[1-3]",
        prop_oneof![
            4 => (2000u32..2100, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
            1 => "[0-9-]{0,12}",
        ],
    )
        .prop_map(|(lines, customer, due)| {
            let mut s = back_to_list();
            // The form opens on the customer.
            s.push(Step::Key(plain('n')));
            s.extend(text_keys(&customer));
            s.extend((0..4).map(|_| code(KeyCode::Tab)));
            s.extend(text_keys(&due));
            s.push(code(KeyCode::Tab));
            s.extend(text_keys("Hafenstraße 1, 上海"));
            s.extend((0..6).map(|_| code(KeyCode::Tab)));
            for (i, (quantity, price)) in lines.iter().enumerate() {
                if i > 0 {
                    s.push(ctrl('n'));
                }
                s.extend(text_keys(&format!("P-{i}")));
                s.push(code(KeyCode::Tab));
                s.extend(text_keys("M6"));
                s.push(code(KeyCode::Tab));
                s.extend(text_keys(quantity));
                s.push(code(KeyCode::Tab));
                s.extend(text_keys("pcs"));
                s.push(code(KeyCode::Tab));
                s.extend(text_keys(price));
            }
            s.push(ctrl('s'));
            s
        })
}

/// Marks a few orders and changes their status together.
fn bulk_change() -> impl Strategy<Value = Vec<Step>> {
    (
        1usize..6,
        proptest::sample::select(vec!['>', 'h', 's', 'x']),
        proptest::sample::select("iqcprsdzhl".chars().collect::<Vec<_>>()),
    )
        .prop_map(|(n, action, letter)| {
            let mut s = back_to_list();
            s.extend((0..n).map(|_| Step::Key(plain(' '))));
            s.push(Step::Key(plain(action)));
            match action {
                's' => s.push(Step::Key(plain(letter))),
                'x' => {
                    s.extend(text_keys("duplicate"));
                    s.push(code(KeyCode::Enter));
                }
                _ => s.push(Step::Key(plain('y'))),
            }
            s
        })
}

fn size() -> impl Strategy<Value = (u16, u16)> {
    prop_oneof![
        2 => (1u16..=300, 1u16..=100),
        // Around the smallest usable size, where layouts are tightest.
        2 => (55u16..=70, 10u16..=16),
        1 => (1u16..=4, 1u16..=4),
    ]
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let one = prop_oneof![
        12 => any_key().prop_map(|k| vec![Step::Key(k)]),
        1 => any_key().prop_map(|k| vec![Step::Release(k)]),
        1 => size().prop_map(|(w, h)| vec![Step::Resize(w, h)]),
        1 => (0u8..3, 0u16..300, 0u16..100).prop_map(|(k, x, y)| vec![Step::Mouse(k, x, y)]),
        1 => "(\\PC|\\r|\\n|\\t|\\x1b){0,20}".prop_map(|s| vec![Step::Paste(s)]),
        2 => new_order(),
        2 => bulk_change(),
    ];
    proptest::collection::vec(one, 1..16).prop_map(|v| v.into_iter().flatten().take(160).collect())
}

/// What must hold in the file whatever keys were pressed.
fn check_invariants(store: &Store) -> Result<(), TestCaseError> {
    let c = store.conn();
    let rows: Vec<(String, String, Option<String>, String)> = c
        .prepare("SELECT order_no, status, held_from, total FROM orders")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for (no, status, held_from, _) in &rows {
        let s = Status::from_str(status);
        prop_assert!(s.is_ok(), "{no}: status {status}");
        match (s.unwrap(), held_from) {
            (Status::OnHold, Some(h)) => {
                prop_assert!(
                    Status::from_str(h).is_ok_and(|h| h != Status::OnHold),
                    "{no}: held from {h}"
                );
            }
            (Status::OnHold, None) => prop_assert!(false, "{no}: on hold from nowhere"),
            (_, Some(h)) => prop_assert!(false, "{no}: {status} but held_from {h}"),
            (_, None) => {}
        }
    }
    // Totals: exactly the sum of quantity × price over the lines, in decimals.
    let lines: Vec<(String, String, String, Option<String>)> = c
        .prepare(
            "SELECT o.order_no, o.total, l.quantity, l.unit_price
             FROM orders o JOIN order_lines l ON l.order_id = o.id ORDER BY o.id, l.line_no",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let mut sums: std::collections::BTreeMap<String, Decimal> = Default::default();
    for (no, _, q, p) in &lines {
        let q = Decimal::from_str(q).unwrap();
        let p = p
            .as_deref()
            .map_or(Decimal::ZERO, |p| Decimal::from_str(p).unwrap());
        let amount = q.checked_mul(p);
        prop_assert!(
            amount.is_some(),
            "{no}: a line amount that overflows was saved"
        );
        let sum = sums.entry(no.clone()).or_default();
        // Each line is rounded to the cent before it is added (an invoice's lines).
        let next = sum.checked_add(crate::domain::order::cents(amount.unwrap()));
        prop_assert!(next.is_some(), "{no}: a total that overflows was saved");
        *sum = next.unwrap();
    }
    for (no, _, _, total) in &rows {
        let total = Decimal::from_str(total).unwrap();
        let sum = sums.get(no).copied().unwrap_or_default();
        prop_assert_eq!(total, sum, "{} total", no);
    }
    // The latest history entry (if any) is the current status.
    let off: i64 = c
        .query_row(
            "SELECT count(*) FROM orders o WHERE o.status <>
               ifnull((SELECT to_status FROM status_history h WHERE h.order_id = o.id
                       ORDER BY h.id DESC LIMIT 1), o.status)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    prop_assert_eq!(off, 0, "orders whose history ends elsewhere");
    let chain = crate::store::audit::verify(c).unwrap();
    prop_assert_eq!(chain.first_broken, None);
    let dangling: i64 = c
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    prop_assert_eq!(dangling, 0, "foreign key problems");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_keys_on_every_screen_at_every_size(
        steps in steps(),
        (width, height) in size(),
    ) {
        let (_dir, mut app) = demo_app();
        let (mut width, mut height) = (width, height);
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
        let before = crate::store::audit::verify(app.store.conn()).unwrap().entries;
        for step in steps {
            app.prepare(crate::ui::list_height(height));
            terminal.draw(|f| crate::ui::draw(f, &app)).unwrap();
            if app.has_deferred_work() {
                app.do_deferred_work();
                terminal.draw(|f| crate::ui::draw(f, &app)).unwrap();
            }
            match step {
                Step::Key(k) => app.handle_event(Event::Key(k)),
                Step::Release(mut k) => {
                    k.kind = KeyEventKind::Release;
                    let mode = app.mode.clone();
                    app.handle_event(Event::Key(k));
                    prop_assert_eq!(&app.mode, &mode, "a key release changed the mode");
                }
                Step::Mouse(kind, column, row) => {
                    let kind = match kind {
                        0 => crossterm::event::MouseEventKind::ScrollDown,
                        1 => crossterm::event::MouseEventKind::ScrollUp,
                        _ => crossterm::event::MouseEventKind::Down(
                            crossterm::event::MouseButton::Left,
                        ),
                    };
                    app.handle_event(Event::Mouse(crossterm::event::MouseEvent {
                        kind,
                        column,
                        row,
                        modifiers: KeyModifiers::NONE,
                    }));
                }
                Step::Paste(text) => app.handle_event(Event::Paste(text)),
                Step::Resize(w, h) => {
                    (width, height) = (w, h);
                    terminal = ratatui::Terminal::new(
                        ratatui::backend::TestBackend::new(width, height),
                    )
                    .unwrap();
                    app.handle_event(Event::Resize(w, h));
                }
            }
            // Quitting ends the event loop; here the keys go on, to reach more screens.
            app.running = true;
            prop_assert!(app.screens.orders.list.rows.is_empty() || app.screens.orders.list.cursor < app.screens.orders.list.rows.len());
            prop_assert!(app.screens.today.rows.is_empty() || app.screens.today.cursor < app.screens.today.rows.len());
        }
        app.prepare(crate::ui::list_height(height));
        terminal.draw(|f| crate::ui::draw(f, &app)).unwrap();
        prop_assert!(crate::store::audit::verify(app.store.conn()).unwrap().entries >= before);
        if std::env::var_os("PROPTEST_DEBUG").is_some() {
            let n: i64 = app.store.conn().query_row("SELECT count(*) FROM orders", [], |r| r.get(0)).unwrap();
            eprintln!("orders now {n}");
        }
        check_invariants(&app.store)?;
    }
}

/// Two copies: the first marks orders, the second changes one of them meanwhile. The
/// first's bulk change is refused as a whole instead of overwriting that change (here:
/// setting back to confirmed an order the other copy had moved on), and, once the marked
/// orders are re-read, trying again works.
#[test]
fn a_bulk_change_over_an_order_changed_elsewhere_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.db");
    std::fs::copy(demo_file(), &path).unwrap();
    let open = || {
        let mut a = App::new(
            Store::open(&path).unwrap(),
            Config::default(),
            Keymap::defaults(),
        );
        a.prepare(20);
        a
    };
    let (mut first, mut second) = (open(), open());
    let key = |app: &mut App, c: char| app.handle_key(plain(c));
    // Both on the confirmed orders; the first marks three.
    for app in [&mut first, &mut second] {
        key(app, 'f');
        for _ in 0..2 {
            key(app, 'j');
        }
        app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        key(app, 'f');
        assert!(
            app.screens.orders.list.rows.len() >= 3,
            "the demo has confirmed orders"
        );
    }
    let ids: Vec<i64> = first
        .screens
        .orders
        .list
        .rows
        .iter()
        .take(3)
        .map(|r| r.id)
        .collect();
    for _ in 0..3 {
        key(&mut first, ' ');
    }
    // The second copy moves the middle one on.
    key(&mut second, 'j');
    key(&mut second, '>');
    let status = |app: &App, id: i64| -> String {
        app.store
            .conn()
            .query_row("SELECT status FROM orders WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap()
    };
    assert_eq!(status(&second, ids[1]), "in_production");
    // The first sets all three to quoted: refused, nothing changed.
    key(&mut first, 's');
    key(&mut first, 'q');
    let (level, text) = first.status.message.clone().unwrap();
    assert_eq!(level, super::Level::Error);
    assert!(text.contains("changed elsewhere"), "{text}");
    assert_eq!(status(&first, ids[0]), "confirmed");
    assert_eq!(status(&first, ids[1]), "in_production", "not overwritten");
    // Seen again, the change goes through.
    key(&mut first, 's');
    key(&mut first, 'q');
    assert_eq!(first.status.message.as_ref().unwrap().0, super::Level::Info);
    for id in ids {
        assert_eq!(status(&first, id), "quoted");
    }
}

/// Found by the random keys above: a quantity times a price beyond what a decimal holds
/// stopped the app ("Multiplication overflowed") on Ctrl-S. Now the form says so.
#[test]
fn an_amount_too_large_is_a_field_error_not_a_crash() {
    let (_dir, mut app) = demo_app();
    app.prepare(20);
    let orders = |app: &App| -> i64 {
        app.store
            .conn()
            .query_row("SELECT count(*) FROM orders", [], |r| r.get(0))
            .unwrap()
    };
    let before = orders(&app);
    let mut steps = back_to_list();
    steps.push(Step::Key(plain('n')));
    // From the customer, past the other ten fields, to the first line.
    steps.extend((0..11).map(|_| code(KeyCode::Tab)));
    steps.extend(text_keys("P-1"));
    steps.push(code(KeyCode::Tab));
    steps.push(code(KeyCode::Tab));
    steps.extend(text_keys("50000000000000000000000000000"));
    steps.push(code(KeyCode::Tab));
    steps.push(code(KeyCode::Tab));
    steps.extend(text_keys("2"));
    steps.push(ctrl('s'));
    for step in steps {
        if let Step::Key(k) = step {
            app.handle_key(k);
        }
    }
    let form = app.form().expect("the form stays open");
    let grid = form.grid.as_ref().unwrap();
    assert_eq!(grid.rows[0][4].error.as_deref(), Some("too large"));
    assert_eq!(orders(&app), before);
    // Two lines that fit alone but not together: the total is refused.
    let form = app.form_mut().as_mut().unwrap();
    form.add_line();
    let grid = form.grid.as_mut().unwrap();
    grid.rows[0][4].input.set("1");
    grid.rows[1][0].input.set("P-2");
    grid.rows[1][2].input.set("50000000000000000000000000000");
    grid.rows[1][4].input.set("1");
    app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    let form = app.form().expect("still open");
    assert!(
        form.message.as_deref().unwrap_or("").contains("too large"),
        "{:?} {:?}",
        form.message,
        form.grid
    );
    assert_eq!(orders(&app), before);
}
