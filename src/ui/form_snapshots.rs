//! Every form at 80x24 and 120x40, in English and Chinese, and one without colour: what
//! the clerk sees on a fixed clock. Beside the snapshots, the rules they show: the focus
//! is marked without colour, and the Chinese forms hold no English word.

use super::tests::{keys, render, screen_text};
use super::{draw, theme};
use crate::app::{desk_fixture, App};
use crate::config::Theme;
use crate::i18n::test_lang;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use ratatui::Terminal;

fn app() -> (App, crate::domain::time::test_clock::Guard) {
    let (app, clock) = desk_fixture::app();
    app.store
        .conn()
        .execute_batch(
            "INSERT INTO shipments (order_id, carrier, waybill_no, mode, status)
             VALUES (1, 'Maersk', 'MSKU7002', 'sea', 'in_transit');",
        )
        .expect("a shipment");
    (app, clock)
}

fn enter(app: &mut App) {
    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
}

/// Each form and the keys that open it on the fixture.
const FORMS: [(&str, &str); 18] = [
    ("order_new", "1n"),
    ("order_edit", "1e"),
    ("customer_new", "2n"),
    ("customer_edit", "2e"),
    ("complaint_new", "4n"),
    ("complaint_edit", "4e"),
    ("contact", "2l"),
    ("requirement", "2a"),
    ("survey", "2v"),
    ("shipment_new", "3n"),
    ("shipment_edit", "3e"),
    ("production", "1P"),
    ("exception", "1E"),
    ("document", "1a"),
    ("followup", "1F"),
    ("response_plan", "4r"),
    ("reply", "4j\njjr"),
    ("month", "6g"),
];

fn form_screen(open: &str, width: u16, height: u16) -> (App, Terminal<TestBackend>) {
    let (mut app, _clock) = app();
    for part in open.split_inclusive('\n') {
        match part.strip_suffix('\n') {
            Some(head) => {
                keys(&mut app, head);
                enter(&mut app);
            }
            None => keys(&mut app, part),
        }
    }
    let mut t = render(&mut app, width, height);
    app.do_deferred_work();
    t.draw(|f| draw(f, &app)).expect("draw");
    (app, t)
}

fn every_form(width: u16, height: u16) {
    for zh in [false, true] {
        let _lang = zh.then(test_lang::use_chinese);
        let lang = if zh { "zh" } else { "en" };
        for (name, open) in FORMS {
            let (app, t) = form_screen(open, width, height);
            assert!(app.form().is_some(), "{name}: {open:?} opens a form");
            let text = screen_text(&t);
            assert!(text.contains('▶'), "{name}: the focus is marked:\n{text}");
            if zh {
                let english = english_words(&text);
                assert!(
                    english.is_empty(),
                    "{name} at {width} in Chinese shows English: {english:?}\n{text}"
                );
            }
            insta::assert_snapshot!(format!("form_{name}_{width}x{height}_{lang}"), t.backend());
        }
    }
}

#[test]
fn every_form_at_80x24() {
    every_form(80, 24);
}

#[test]
fn every_form_at_120x40() {
    every_form(120, 40);
}

#[test]
fn without_colour_the_focused_field_is_marked() {
    theme::set(Theme::Dark, true);
    let (_app, t) = form_screen("1n", 80, 24);
    for cell in t.backend().buffer().content() {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset));
    }
    let text = screen_text(&t);
    let focused = text.lines().find(|l| l.contains('▶')).unwrap_or("");
    assert!(focused.contains("Customer"), "{focused}");
    insta::assert_snapshot!("form_order_new_no_color_en", t.backend());
    theme::set(Theme::Dark, false);
}

#[test]
fn a_lookup_shows_its_suggestions_under_the_field() {
    let (mut app, _clock) = app();
    keys(&mut app, "1n");
    keys(&mut app, "Nordic");
    let t = render(&mut app, 100, 24);
    let text = screen_text(&t);
    assert!(text.contains("Nordic Tools AB"), "{text}");
    insta::assert_snapshot!("form_order_customer_suggestions", t.backend());
}

/// Words of Latin letters in a Chinese form that are not the fixture's data, codes or the
/// names of keys.
fn english_words(text: &str) -> Vec<String> {
    const ALLOWED: &[&str] = &[
        "OrderDesk",
        "Nordic",
        "Tools",
        "AB",
        "Acme",
        "Trading",
        "Ltd",
        "SO",
        "CP",
        "C",
        "USD",
        "CNY",
        "EUR",
        "Maersk",
        "MSKU",
        "YYYY",
        "MM",
        "DD",
        "HH",
        "Enter",
        "Esc",
        "Tab",
        "Shift",
        "Ctrl",
        // Key caps, as printed on the keyboard.
        "PgDn",
        "PgUp",
        "F",
        "s",
        "n",
        "d",
        "PCB",
        "layers",
        "mm",
        "pcs",
        "M",
        "RoHS",
        "K",
        "wang",
        "fang",
        "hualian",
        "cn",
        "wx",
        "wangfang",
        "e",
        "mail",
        "Two",
        "weeks",
        "late",
        "instead",
        "of",
        "Manual",
        "missing",
        "sent",
        "by",
        "SF",
        "P",
        // The screens behind a prompt are other tests' (countdowns, export formats).
        "h",
        "x",
        "Excel",
        "HTML",
        "exports",
    ];
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty() && !ALLOWED.contains(w))
        .map(str::to_string)
        .collect()
}
