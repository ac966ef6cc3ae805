//! The form engine alone: keys on each kind of field, the grid, suggestions, and the
//! checks of the record forms; then random keys on every form.

use super::engine::{Focus, Form, Outcome};
use super::specs::tests::blank_shipment;
use super::specs::{self, FormKind};
use super::{validate, Valid};
use crate::app::keymap::{Action, Key, Keymap, FORM_SCREEN};
use crate::domain::enums::ShipMode;
use crate::store::production::Production;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// A key as the app gives it to the form: with the `[form]` action the keymap makes of it.
fn press(form: &mut Form, ev: KeyEvent) -> Outcome {
    let keymap = Keymap::defaults();
    let action = Key::from_event(&ev).and_then(|k| keymap.action(FORM_SCREEN, &k));
    form.key(action, &ev)
}

fn typed(form: &mut Form, text: &str) {
    for c in text.chars() {
        press(form, key(KeyCode::Char(c)));
    }
}

fn focus_on(form: &mut Form, name: &str) {
    let i = form.fields.iter().position(|f| f.name == name).unwrap();
    form.focus = Focus::Field(i);
    form.fresh = true;
}

fn conn() -> crate::store::Store {
    crate::app::fixture::store(3)
}

#[test]
fn a_choice_is_typed_as_its_label_or_its_code_and_a_stray_letter_changes_nothing() {
    let _zh = crate::i18n::test_lang::use_chinese();
    let mut f = specs::new_order("USD");
    focus_on(&mut f, "field.order_type");
    assert_eq!(f.value("field.order_type"), "regular");
    typed(&mut f, "加急");
    assert_eq!(f.value("field.order_type"), "rush", "stored as the code");
    press(&mut f, key(KeyCode::Tab));
    press(&mut f, key(KeyCode::BackTab));
    typed(&mut f, "custom");
    assert_eq!(f.value("field.order_type"), "custom");
    press(&mut f, key(KeyCode::Tab));
    press(&mut f, key(KeyCode::BackTab));
    assert_eq!(press(&mut f, key(KeyCode::Char('z'))), Outcome::Nothing);
    assert_eq!(f.value("field.order_type"), "custom", "z names nothing");
    assert!(f.message.is_some(), "and says so");
    press(&mut f, key(KeyCode::Right));
    assert_eq!(f.value("field.order_type"), "regular", "→ wraps");
    press(&mut f, key(KeyCode::Left));
    assert_eq!(f.value("field.order_type"), "custom");
}

#[test]
fn text_is_replaced_by_the_first_key_then_edited_and_a_note_keeps_its_lines() {
    let mut f = specs::new_order("USD");
    focus_on(&mut f, "field.currency");
    typed(&mut f, "EUR");
    assert_eq!(f.value("field.currency"), "EUR");
    press(&mut f, key(KeyCode::Backspace));
    assert_eq!(f.value("field.currency"), "EU");
    focus_on(&mut f, "field.notes");
    typed(&mut f, "one");
    assert_eq!(press(&mut f, key(KeyCode::Enter)), Outcome::Edited);
    typed(&mut f, "two");
    assert_eq!(f.value("field.notes"), "one\ntwo");
    f.paste("\nthree\r\nfour");
    assert_eq!(f.value("field.notes"), "one\ntwo\nthree\nfour");
    focus_on(&mut f, "field.delivery_address");
    f.paste("Harbour Road 1\nHamburg");
    assert_eq!(f.value("field.delivery_address"), "Harbour Road 1 Hamburg");
    assert!(f.dirty);
}

#[test]
fn focus_walks_fields_then_cells_and_wraps_and_lines_come_and_go() {
    let mut f = specs::new_order("CNY");
    let n = f.fields.len();
    f.focus = Focus::Field(0);
    f.next(n as isize);
    assert_eq!(f.focus, Focus::Cell { line: 0, col: 0 });
    f.next(5);
    assert_eq!(f.focus, Focus::Field(0));
    f.next(-1);
    assert_eq!(f.focus, Focus::Cell { line: 0, col: 4 });
    press(
        &mut f,
        KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL),
    );
    assert_eq!(f.focus, Focus::Cell { line: 1, col: 0 });
    press(
        &mut f,
        KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL),
    );
    assert_eq!(f.grid.as_ref().unwrap().rows.len(), 1);
}

#[test]
fn suggestions_follow_typing_move_with_the_arrows_and_enter_takes_one() {
    let store = conn();
    let mut f = specs::new_order("USD");
    assert_eq!(f.focused().map(|x| x.name), Some("field.customer"));
    typed(&mut f, "c");
    let (source, text) = f.wants_suggestions().expect("a look-up typed into");
    let found = source.suggest(store.conn(), &text).unwrap();
    assert!(found.len() >= 2, "{found:?}");
    f.show_suggestions(text, found.clone());
    assert!(f.wants_suggestions().is_none(), "found already");
    press(&mut f, key(KeyCode::Down));
    assert_eq!(f.suggestions.selected, 1);
    assert_eq!(
        f.focused().map(|x| x.name),
        Some("field.customer"),
        "still here"
    );
    press(&mut f, key(KeyCode::Enter));
    assert_eq!(f.value("field.customer"), found[1].value);
    assert!(!f.suggestions.is_open());
    // Tab moves on and leaves the text as typed.
    press(&mut f, key(KeyCode::BackTab));
    press(&mut f, key(KeyCode::Tab));
    typed(&mut f, "zz");
    press(&mut f, key(KeyCode::Tab));
    focus_on(&mut f, "field.customer");
    assert_eq!(f.value("field.customer"), "zz");
}

#[test]
fn esc_closes_an_unchanged_form_and_asks_about_a_changed_one() {
    let mut f = specs::requirement(1, "x");
    assert_eq!(press(&mut f, key(KeyCode::Esc)), Outcome::Close);
    typed(&mut f, "pallets");
    assert_eq!(press(&mut f, key(KeyCode::Esc)), Outcome::AskDiscard);
    assert_eq!(
        press(
            &mut f,
            KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)
        ),
        Outcome::Save
    );
}

#[test]
fn a_new_order_is_checked_field_by_field() {
    let store = conn();
    let mut f = specs::new_order("USD");
    f.set("field.customer", "NOPE");
    f.set("field.due_date", "2026-13-45");
    f.grid.as_mut().unwrap().rows[0][2].input.set("0");
    assert!(validate(&mut f, store.conn()).is_none());
    let err = |f: &Form, n: &str| f.field(n).and_then(|x| x.error.clone());
    assert!(err(&f, "field.customer").is_some());
    assert_eq!(
        err(&f, "field.due_date").as_deref(),
        Some("'2026-13-45' is not a date (YYYY-MM-DD)")
    );
    assert!(f.grid.as_ref().unwrap().rows[0][2].error.is_some());

    // `Trident`-style: a part of one customer's name finds it.
    f.set("field.customer", "Nordic");
    f.set("field.due_date", "2026-12-31");
    let row = &mut f.grid.as_mut().unwrap().rows[0];
    row[0].input.set("P-1");
    row[2].input.set("12");
    row[4].input.set("1.5");
    let Some(Valid::Order { draft, due_reason }) = validate(&mut f, store.conn()) else {
        panic!("valid now: {:?}", f.message)
    };
    assert!(draft.customer_id.is_some());
    assert_eq!(f.value("field.customer"), "C003", "shown as its code");
    assert_eq!(draft.total().to_string(), "18.0");
    assert_eq!(due_reason, None);
}

#[test]
fn validation_errors_are_in_the_ui_language() {
    let _zh = crate::i18n::test_lang::use_chinese();
    let store = conn();
    let mut f = specs::new_order("USD");
    f.set("field.due_date", "2026-13-45");
    assert!(validate(&mut f, store.conn()).is_none());
    let text = f
        .field("field.due_date")
        .and_then(|x| x.error.clone())
        .unwrap_or_default();
    assert!(!text.is_empty());
    assert!(
        !text
            .chars()
            .any(|c| c.is_ascii_alphabetic() && !"YMD".contains(c)),
        "{text}"
    );
    let msg = f.message.clone().unwrap_or_default();
    assert!(!msg.contains("Fix"), "{msg}");
}

#[test]
fn a_shipment_form_names_each_bad_field() {
    let store = conn();
    let mut f = specs::shipment(None, None, &blank_shipment());
    f.set("sfield.eta", "next tuesday");
    f.set("sfield.weight_kg", "-3");
    f.set("sfield.packages", "two");
    f.set("sfield.delivered_at", "2026-01-05 10:00");
    assert!(validate(&mut f, store.conn()).is_none());
    for name in [
        "sfield.order_no",
        "sfield.eta",
        "sfield.weight_kg",
        "sfield.packages",
        "sfield.status",
    ] {
        assert!(f.field(name).unwrap().error.is_some(), "{name} is marked");
    }
    f.set("sfield.order_no", "SO-1");
    f.set("sfield.eta", "2026-01-09");
    f.set("sfield.weight_kg", "12.5");
    f.set("sfield.packages", "2");
    f.set("sfield.mode", "air");
    f.set("sfield.status", "delivered");
    let Some(Valid::Shipment(d)) = validate(&mut f, store.conn()) else {
        panic!("valid now: {:?}", f.fields)
    };
    assert_eq!(d.mode, ShipMode::Air);
    assert!(d.delivered_at.is_some());
}

#[test]
fn production_percent_is_0_to_100() {
    let store = conn();
    let mut f = specs::production(1, "SO-1", &Production::default());
    f.set("sfield.percent", "120");
    assert!(validate(&mut f, store.conn()).is_none());
    assert!(f.field("sfield.percent").unwrap().error.is_some());
    f.set("sfield.percent", "40");
    f.set("sfield.scheduled_start", "2026-03-10");
    f.set("sfield.planned_finish", "2026-03-01");
    assert!(validate(&mut f, store.conn()).is_none());
    assert!(f.field("sfield.planned_finish").unwrap().error.is_some());
    f.set("sfield.planned_finish", "2026-03-20");
    assert!(matches!(
        validate(&mut f, store.conn()),
        Some(Valid::Production(p)) if p.percent == 40
    ));
}

#[test]
fn the_prompts_check_what_they_ask() {
    let store = conn();
    let mut plan = specs::response_plan(vec![1], None, "CP-1");
    assert!(
        validate(&mut plan, store.conn()).is_none(),
        "a plan is required"
    );
    plan.set("field.response_plan", "replace the lot");
    assert_eq!(
        validate(&mut plan, store.conn()),
        Some(Valid::ResponsePlan("replace the lot".into()))
    );
    let mut reply = specs::reply(1, "x");
    assert_eq!(
        validate(&mut reply, store.conn()),
        Some(Valid::Reply(String::new())),
        "a reply's text may stay empty"
    );
    let mut month = specs::month("2026-01");
    month.set("field.month", "2026-13");
    assert!(validate(&mut month, store.conn()).is_none());
    month.set("field.month", "2025-11");
    assert!(
        matches!(validate(&mut month, store.conn()), Some(Valid::Month(m)) if m.to_string() == "2025-11")
    );
    assert!(matches!(month.kind, FormKind::Month));
}

/// Keys a clerk (or a cat) may press on a form.
fn form_key() -> impl Strategy<Value = KeyEvent> {
    let plain = |c: char| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    prop_oneof![
        4 => proptest::sample::select("aAz加急rush 019-:.,\u{7f}".chars().collect::<Vec<_>>()).prop_map(plain),
        3 => proptest::sample::select(vec![
            KeyCode::Tab, KeyCode::BackTab, KeyCode::Up, KeyCode::Down, KeyCode::Left,
            KeyCode::Right, KeyCode::Enter, KeyCode::Backspace, KeyCode::Delete,
            KeyCode::Home, KeyCode::End, KeyCode::Esc,
        ]).prop_map(key),
        1 => proptest::sample::select(vec!['n', 'd', 'u', 'a', 'e', 's'])
            .prop_map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
        1 => any::<char>().prop_map(plain),
    ]
}

fn every_form() -> Vec<Form> {
    let mut d = blank_shipment();
    d.order_no = "SO-1".into();
    vec![
        specs::new_order("USD"),
        specs::customer(None),
        specs::new_complaint("", ""),
        specs::contact(1, "x", "phone", None),
        specs::requirement(1, "x"),
        specs::survey(1, "x"),
        specs::shipment(None, None, &d),
        specs::production(1, "SO-1", &Production::default()),
        specs::exception(1, "SO-1"),
        specs::document(1, "SO-1"),
        specs::followup(""),
        specs::response_plan(vec![1], None, "CP-1"),
        specs::reply(1, "x"),
        specs::month("2026-01"),
    ]
}

proptest! {
    /// Random keys on any form never panic, keep the focus on a field that exists, keep a
    /// choice on one of its words, and never lose a value that was saved: a form checked
    /// valid and then only moved through (Tab, arrows, Esc) still holds the same values.
    #[test]
    fn random_keys_never_panic_nor_lose_a_saved_value(
        which in 0usize..14,
        keys in proptest::collection::vec(form_key(), 0..80),
        moves in proptest::collection::vec(proptest::sample::select(vec![
            KeyCode::Tab, KeyCode::BackTab, KeyCode::Up, KeyCode::Down, KeyCode::Esc,
        ]), 0..20),
    ) {
        let store = conn();
        let mut form = every_form().swap_remove(which);
        for k in keys {
            let _ = press(&mut form, k);
            let slots_ok = match form.focus {
                Focus::Field(i) => i < form.fields.len(),
                Focus::Cell { line, col } => form
                    .grid
                    .as_ref()
                    .and_then(|g| g.rows.get(line))
                    .is_some_and(|r| col < r.len()),
            };
            prop_assert!(slots_ok, "focus {:?}", form.focus);
            for f in &form.fields {
                if let Some(c) = f.choices() {
                    prop_assert!(c.all().contains(&f.input.value()), "{} = {:?}", f.name, f.input.value());
                }
            }
        }
        if validate(&mut form, store.conn()).is_some() {
            let values: Vec<String> = form.fields.iter().map(|f| f.input.value().to_string()).collect();
            for m in moves {
                let _ = press(&mut form, key(m));
            }
            let after: Vec<String> = form.fields.iter().map(|f| f.input.value().to_string()).collect();
            prop_assert_eq!(values, after);
        }
    }
}

#[test]
fn the_form_keys_come_from_the_keymap() {
    let k = Keymap::defaults();
    let on = |s: &str| k.action(FORM_SCREEN, &Key::parse(s).unwrap());
    assert_eq!(on("Enter"), Some(Action::Accept));
    assert_eq!(on("Down"), Some(Action::NextSuggestion));
    assert_eq!(on("Tab"), Some(Action::NextField));
    assert_eq!(on("Ctrl-s"), Some(Action::Save));
    assert_eq!(on("Esc"), Some(Action::Close));
}
