//! Every tab at 80x24 and 120x40, in English and Chinese, and without colour: what the clerk
//! sees on a fixed clock. The checks beside the snapshots are the rules the snapshots show:
//! order numbers, customers and waybills whole, every cut marked with `…`, the tab bar
//! complete, the cursor visible without colour, no English in the Chinese screens.

use super::super::tests::{keys, render, screen_text};
use super::super::{draw, theme};
use crate::app::{desk_fixture, App};
use crate::config::Theme;
use crate::i18n::test_lang;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};
use ratatui::Terminal;

/// A long waybill, as carriers print them: the one the issue saw cut.
const WAYBILL: &str = "1Z1000000001992767";

fn app() -> (App, crate::domain::time::test_clock::Guard) {
    let (app, clock) = desk_fixture::app();
    app.store
        .conn()
        .execute_batch(&format!(
            "INSERT INTO shipments (order_id, carrier, waybill_no, mode, status, eta)
             VALUES (1, 'UPS Worldwide Express Saver', '{WAYBILL}', 'air', 'in_transit', {eta}),
                    (2, '顺丰速运', 'SF1234567890', 'express', 'booked', NULL);",
            eta = desk_fixture::NOW + 86_400,
        ))
        .expect("shipments");
    (app, clock)
}

/// The tab reached by `key`, drawn after the deferred work (counts, Today, the report).
fn screen(key: &str, width: u16, height: u16) -> Terminal<TestBackend> {
    let (mut app, _clock) = app();
    keys(&mut app, key);
    let mut t = render(&mut app, width, height);
    app.do_deferred_work();
    t.draw(|f| draw(f, &app)).expect("draw");
    t
}

const TABS: [(&str, &str); 6] = [
    ("1", "orders"),
    ("2", "customers"),
    ("3", "shipments"),
    ("4", "complaints"),
    ("5", "today"),
    ("6", "reports"),
];

fn every_tab(width: u16, height: u16) {
    for zh in [false, true] {
        let _lang = zh.then(test_lang::use_chinese);
        let lang = if zh { "zh" } else { "en" };
        for (key, name) in TABS {
            let t = screen(key, width, height);
            let text = screen_text(&t);
            check(&text, width, zh, name);
            insta::assert_snapshot!(format!("{name}_{width}x{height}_{lang}"), t.backend());
        }
    }
}

/// What every screen must hold, whatever its size and language.
fn check(text: &str, width: u16, zh: bool, tab: &str) {
    let bar = text.lines().next().unwrap_or("");
    for n in 1..=6 {
        assert!(
            bar.contains(&format!("{n} ")),
            "{tab}: tab {n} cut at {width}:\n{bar}"
        );
    }
    match tab {
        "orders" => {
            for no in ["SO-20260101-001", "SO-20260101-006"] {
                assert!(text.contains(no), "{tab} at {width}: {no} cut:\n{text}");
            }
            for customer in [
                "深圳华联电子有限公司",
                "Nordic Tools AB",
                "Acme Trading Ltd",
            ] {
                assert!(
                    text.contains(customer),
                    "{tab} at {width}: {customer} cut:\n{text}"
                );
            }
        }
        "shipments" => {
            assert!(
                text.contains(WAYBILL),
                "{tab} at {width}: waybill cut:\n{text}"
            );
            assert!(
                text.contains("SO-20260101-001"),
                "{tab} at {width}:\n{text}"
            );
        }
        _ => {}
    }
    if zh {
        let english = english_words(text);
        assert!(
            english.is_empty(),
            "{tab} at {width} in Chinese shows English: {english:?}\n{text}"
        );
    }
}

/// Words of Latin letters in a Chinese screen that are not data of the fixture (names,
/// codes, carriers typed in English) or the product's name.
fn english_words(text: &str) -> Vec<String> {
    const DATA: &[&str] = &[
        "OrderDesk",
        "Nordic",
        "Tools",
        "AB",
        "Acme",
        "Trading",
        "Ltd",
        "SO",
        "CP",
        "UPS",
        "Worldwide",
        "Express",
        "Saver",
        "Z",
        "SF",
        "C",
        "M",
        "PCB",
        "layers",
        "mm",
        "pcs",
        "USD",
        "CNY",
        "EUR",
        "Two",
        "weeks",
        "late",
        "instead",
        "of",
        "Manual",
        "missing",
        "sent",
        "by",
        "e",
        "mail",
        "RoHS",
        "K",
        "wang",
        "fang",
        "hualian",
        "cn",
        "wx",
        "wangfang",
    ];
    // Keys are named as the keyboard names them, in every language.
    const KEYS: &[&str] = &[
        "Enter",
        "Space",
        "Esc",
        "Tab",
        "PgUp",
        "PgDn",
        "Ctrl",
        "Shift",
        "Up",
        "Down",
        "Left",
        "Right",
        "Home",
        "End",
        "Backspace",
        "Del",
        // File formats and the export folder's name are the same words in Chinese.
        "Excel",
        "HTML",
        "CSV",
        "exports",
    ];
    // A value cut to fit (`Acme Trading Lt…`) leaves a piece of a word of the data.
    let whole: String = text
        .split('…')
        .map(|part| part.trim_end_matches(|c: char| c.is_ascii_alphabetic()))
        .collect::<Vec<_>>()
        .join(" ");
    let mut out: Vec<String> = whole
        .split(|c: char| !c.is_ascii_alphabetic())
        // A popup may cover the end of a value of the data: its head is data too.
        .filter(|w| w.len() > 1 && !DATA.iter().any(|d| d.starts_with(w)) && !KEYS.contains(w))
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A key as the keymap's defaults name it: one character, or `Enter`/`Esc`/`Tab`.
fn press(app: &mut App, key: &str) {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let code = match key {
        "Enter" => KeyCode::Enter,
        "Esc" => KeyCode::Esc,
        "Tab" => KeyCode::Tab,
        "Down" => KeyCode::Down,
        _ => {
            keys(app, key);
            return;
        }
    };
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

/// What the clerk opens from each tab: details, forms, menus, prompts, drafts, help and the
/// palette. Each is drawn in Chinese and must show no English of the source.
const OVERLAYS: &[(&str, &[&str])] = &[
    ("orders help", &["1", "?"]),
    ("orders palette", &[":"]),
    ("orders search", &["1", "/", "SO"]),
    ("orders filters", &["1", "f"]),
    ("orders sort", &["1", "o"]),
    ("orders status menu", &["1", "s"]),
    ("orders cancel", &["1", "x"]),
    ("orders detail", &["1", "Enter"]),
    // Drafts are in the customer's language: these are for the Chinese customer.
    ("orders message", &["1", "G", "m"]),
    ("orders new", &["1", "n"]),
    ("orders edit", &["1", "e"]),
    ("customers detail", &["2", "Enter"]),
    ("customers new", &["2", "n"]),
    ("customers message", &["2", "m"]),
    ("shipments detail", &["3", "Enter"]),
    ("shipments help", &["3", "?"]),
    ("shipments new", &["3", "n"]),
    ("shipments production", &["1", "P"]),
    ("shipments exception", &["1", "E"]),
    ("complaints edit", &["4", "e"]),
    ("complaints respond", &["4", "r"]),
    ("customers edit", &["2", "e"]),
    ("complaints detail", &["4", "Enter"]),
    ("complaints new", &["4", "n"]),
    ("complaints close", &["4", "c"]),
    ("complaints message", &["4", "j", "m"]),
    ("today open", &["5", "Down", "Enter"]),
    ("today follow-up", &["5", "n"]),
    ("today help", &["5", "?"]),
    ("reports month", &["6", "g"]),
    ("reports help", &["6", "?"]),
];

/// Every overlay at 80x24 and 120x40 in Chinese: no word of the source's English. Adding
/// `"Orders"` to any screen or overlay as a literal fails here (tried: a title of the order
/// detail spelled in the source).
#[test]
fn no_overlay_in_chinese_shows_english_of_the_source() {
    let _lang = test_lang::use_chinese();
    let mut found = Vec::new();
    for (name, steps) in OVERLAYS {
        for (width, height) in [(80, 24), (120, 40)] {
            let (mut app, _clock) = app();
            render(&mut app, width, height);
            for step in *steps {
                press(&mut app, step);
                app.do_deferred_work();
            }
            // A fresh terminal: the frame alone, not a diff drawn over the list before it.
            let t = render(&mut app, width, height);
            let text = screen_text(&t);
            let english = english_words(&text);
            if !english.is_empty() {
                found.push(format!(
                    "{name} at {width}x{height} shows {english:?}:\n{text}"
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "English in the Chinese screens:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_tab_at_80x24() {
    every_tab(80, 24);
}

#[test]
fn every_tab_at_120x40() {
    every_tab(120, 40);
}

#[test]
fn without_colour_the_cursor_row_is_marked_and_reversed() {
    theme::set(Theme::Dark, true);
    for zh in [false, true] {
        let _lang = zh.then(test_lang::use_chinese);
        let lang = if zh { "zh" } else { "en" };
        for ((key, name), (width, height)) in TABS
            .iter()
            .flat_map(|tab| [(*tab, (80, 24)), (*tab, (120, 40))])
        {
            let t = screen(key, width, height);
            let buf = t.backend().buffer();
            for cell in buf.content() {
                assert_eq!(
                    (cell.fg, cell.bg),
                    (Color::Reset, Color::Reset),
                    "{name}: colour under NO_COLOR"
                );
            }
            if matches!(name, "orders" | "customers" | "shipments" | "complaints") {
                // The first data row holds the cursor: `▶` and reversed.
                assert_eq!(buf[(1, 3)].symbol(), "▶", "{name}");
                assert!(buf[(3, 3)].modifier.contains(Modifier::REVERSED), "{name}");
            }
            let size = if width == 80 {
                String::new()
            } else {
                format!("{width}x{height}_")
            };
            insta::assert_snapshot!(format!("{name}_no_color_{size}{lang}"), t.backend());
        }
    }
    theme::set(Theme::Dark, false);
}

#[test]
fn the_light_theme_draws_the_cursor_row_in_its_own_colours() {
    theme::set(Theme::Light, false);
    let t = screen("1", 80, 24);
    let buf = t.backend().buffer();
    assert_eq!(buf[(1, 3)].symbol(), "▶");
    assert_eq!(buf[(3, 3)].bg, theme::selected().bg.expect("a background"));
    assert_eq!(buf[(3, 3)].bg, Color::LightCyan);
    theme::set(Theme::Dark, false);
}

#[test]
fn the_status_line_says_how_many_closed_orders_are_hidden_and_how_to_show_them() {
    for zh in [false, true] {
        let _lang = zh.then(test_lang::use_chinese);
        let (mut app, _clock) = app();
        app.store
            .conn()
            .execute("UPDATE orders SET status = 'closed' WHERE id IN (1, 2)", [])
            .expect("close two");
        app.screens
            .orders
            .list
            .reset(app.store.conn())
            .expect("reload");
        keys(&mut app, "1");
        let mut t = render(&mut app, 80, 24);
        app.do_deferred_work();
        t.draw(|f| draw(f, &app)).expect("draw");
        let text = screen_text(&t);
        let status = text.lines().nth(22).unwrap_or("");
        let want = if zh {
            "2 个已结案未列出（f：状态：已结案）"
        } else {
            "2 closed hidden (f: Status: Closed)"
        };
        assert!(status.contains(want), "{status}");
    }
}

/// At 80 columns the Orders list keeps order no., customer, status and due: a name too
/// long for the rest is cut with `…` (never the order no.), and the columns that matter
/// less go first. Short Chinese words leave their room to the others.
#[test]
fn at_80_columns_the_orders_list_keeps_number_customer_status_and_due() {
    use super::{layout, ORDER_COLS};
    let room = 78;
    // Header and widest values: mark, "!SO-…", a long name, type, status, due with LATE,
    // total, progress.
    let long_en = [1, 16, 31, 7, 13, 15, 18, 4];
    let w = layout(&ORDER_COLS, &long_en, room);
    let shown = |w: &[Option<u16>]| w.iter().map(Option::is_some).collect::<Vec<_>>();
    assert_eq!(
        shown(&w),
        [true, true, true, false, true, true, false, false],
        "{w:?}"
    );
    assert_eq!(w[1], Some(16), "the order no. whole");
    assert_eq!(
        w.iter().flatten().map(|&x| x as usize).sum::<usize>() + 4,
        room
    );
    // A name that fits stays whole, and the room left goes to it.
    let short_zh = [1, 16, 20, 4, 6, 15, 16, 4];
    let w = layout(&ORDER_COLS, &short_zh, room);
    assert_eq!(w[2].map(|x| x >= 20), Some(true), "{w:?}");
    assert!(w[4].is_some() && w[5].is_some(), "{w:?}");
    assert_eq!(w[4], Some(6), "a short status takes what it needs: {w:?}");
}

/// An empty list says what `n` makes there: an order on Orders, a shipment on Shipments.
#[test]
fn an_empty_list_names_what_n_creates_on_its_tab() {
    let mut app = crate::app::fixture::app(0);
    render(&mut app, 120, 30);
    let orders = screen_text(&render(&mut app, 120, 30));
    assert!(orders.contains(crate::i18n::t("ui.no_rows")), "{orders}");
    keys(&mut app, "3");
    app.do_deferred_work();
    let shipments = screen_text(&render(&mut app, 120, 30));
    assert!(
        shipments.contains(crate::i18n::t("ui.no_shipments")),
        "{shipments}"
    );
    assert!(
        !shipments.contains(crate::i18n::t("ui.no_rows")),
        "{shipments}"
    );
}
