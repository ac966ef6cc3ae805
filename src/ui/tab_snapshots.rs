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
        "exports",
    ];
    let mut out: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() > 1 && !DATA.contains(w) && !KEYS.contains(w))
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
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
        for (key, name) in TABS {
            let t = screen(key, 80, 24);
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
            insta::assert_snapshot!(format!("{name}_no_color_{lang}"), t.backend());
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
        app.orders.reset(app.store.conn()).expect("reload");
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
