//! The after-sales screens at fixed sizes, in both languages, on a fixed clock; and the
//! colours that carry meaning (overdue red).

use super::tests::{keys, render, screen_text};
use super::*;
use crate::app::desk_fixture;
use crate::i18n::test_lang;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn enter(app: &mut App) {
    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
}

/// Draws, does the deferred count, draws again: the screen as the clerk sees it.
fn settled(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut t = render(app, width, height);
    app.do_deferred_work();
    t.draw(|f| draw(f, app)).unwrap();
    t
}

/// Each screen in English, then in Chinese (same keys, same data).
fn both(name: &str, width: u16, height: u16, go: impl Fn(&mut App)) {
    for zh in [false, true] {
        let _lang = zh.then(test_lang::use_chinese);
        let (mut app, _clock) = desk_fixture::app();
        go(&mut app);
        let t = settled(&mut app, width, height);
        let suffix = if zh { "zh" } else { "en" };
        insta::assert_snapshot!(format!("{name}_{suffix}"), t.backend());
    }
}

#[test]
fn customers_list() {
    both("customers_list", 120, 12, |app| keys(app, "2"));
}

#[test]
fn customer_detail() {
    both("customer_detail", 120, 48, |app| {
        keys(app, "2");
        enter(app);
        keys(app, "jjjjjj");
    });
}

#[test]
fn customer_form() {
    both("customer_form", 110, 22, |app| {
        keys(app, "2");
        keys(app, "n");
        let f = app.form_mut().as_mut().unwrap();
        f.set("field.code", "C 9");
        f.set("field.email", "wang@");
        app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    });
}

#[test]
fn complaints_list() {
    both("complaints_list", 120, 12, |app| keys(app, "4"));
}

#[test]
fn complaint_detail() {
    both("complaint_detail", 120, 26, |app| {
        keys(app, "4j");
        enter(app);
    });
}

#[test]
fn complaint_form() {
    both("complaint_form", 110, 22, |app| {
        keys(app, "4j");
        keys(app, "e");
    });
}

#[test]
fn contact_form_and_resolution_prompt() {
    both("contact_form", 100, 16, |app| keys(app, "4l"));
    both("resolution_prompt", 100, 16, |app| keys(app, "4c"));
}

#[test]
fn overdue_responses_and_late_replies_are_red() {
    let (mut app, _clock) = desk_fixture::app();
    keys(&mut app, "4");
    let t = settled(&mut app, 120, 12);
    let text = screen_text(&t);
    let buf = t.backend().buffer();
    let cell_of = |needle: &str| {
        let y = text.lines().position(|l| l.contains(needle)).unwrap();
        let line = text.lines().nth(y).unwrap();
        let x = unicode_width::UnicodeWidthStr::width(&line[..line.find(needle).unwrap()]);
        (x as u16, y as u16)
    };
    let (x, y) = cell_of("overdue 2h");
    assert_eq!(buf[(x, y)].fg, theme::late().fg.unwrap());
    let (x, y) = cell_of("due in 5h");
    assert_eq!(buf[(x, y)].fg, theme::at_risk().fg.unwrap());

    keys(&mut app, "2");
    enter(&mut app);
    let t = settled(&mut app, 120, 48);
    let text = screen_text(&t);
    let buf = t.backend().buffer();
    let y = text
        .lines()
        .position(|l| l.contains("unanswered for 30h"))
        .unwrap();
    let line = text.lines().nth(y).unwrap();
    let x =
        unicode_width::UnicodeWidthStr::width(&line[..line.find("unanswered for").unwrap()]) as u16;
    assert_eq!(buf[(x, y as u16)].fg, theme::late().fg.unwrap());
    assert!(buf[(x, y as u16)]
        .modifier
        .contains(ratatui::style::Modifier::BOLD));
    assert!(text.contains("suggests a key account"), "{text}");
}

#[test]
fn help_and_footer_name_the_after_sales_keys() {
    for (tab, needles) in [
        (
            "2",
            [
                "new customer",
                "log contact",
                "add requirement",
                "key account",
            ],
        ),
        (
            "4",
            [
                "first response now",
                "close with resolution",
                "route to department",
                "new complaint",
            ],
        ),
    ] {
        let (mut app, _clock) = desk_fixture::app();
        keys(&mut app, tab);
        keys(&mut app, "?");
        let text = screen_text(&render(&mut app, 120, 40));
        for n in needles {
            assert!(text.contains(n), "help lacks {n}:\n{text}");
        }
        assert!(
            !text.contains("next status"),
            "order keys are not listed here:\n{text}"
        );
    }
    let _zh = test_lang::use_chinese();
    let (mut app, _clock) = desk_fixture::app();
    keys(&mut app, "4?");
    let text = screen_text(&render(&mut app, 120, 40));
    for n in ["按键", "立即记录首次响应", "填写处理结果并结案", "撤销"] {
        assert!(text.contains(n), "help lacks {n}:\n{text}");
    }
}

#[test]
fn every_word_the_desk_shows_has_a_label_in_both_languages() {
    use crate::app::keymap::{Action, Section};
    use crate::domain::complaint::ComplaintState;
    use crate::domain::enums::*;
    use crate::store::complaints::ComplaintRow;
    use crate::store::customers::CustomerRow;
    use crate::store::list::ListEntity;
    use strum::IntoEnumIterator;

    fn add<S: AsRef<str>>(keys: &mut Vec<String>, prefix: &str, list: impl IntoIterator<Item = S>) {
        keys.extend(list.into_iter().map(|w| format!("{prefix}.{}", w.as_ref())));
    }
    let mut keys: Vec<String> = Vec::new();
    add(&mut keys, "department", Department::words());
    add(&mut keys, "forward_to", ForwardTarget::words());
    add(&mut keys, "requirement_status", RequirementStatus::words());
    add(&mut keys, "category", RequirementCategory::words());
    add(&mut keys, "direction", Direction::words());
    add(&mut keys, "channel", ContactChannel::words());
    add(&mut keys, "complaint_type", ComplaintType::words());
    add(&mut keys, "severity", Severity::words());
    add(&mut keys, "yesno", ["yes", "no"]);
    add(&mut keys, "complaint_state", ComplaintState::iter());
    let scores = crate::domain::customer::SCORE_NAMES;
    add(&mut keys, "score", scores.iter().chain(&["willingness"]));
    add(
        &mut keys,
        "score_short",
        scores.iter().chain(&["willingness", "average"]),
    );
    add(&mut keys, "help", Section::iter());
    add(&mut keys, "action", Action::iter());
    for key in ComplaintRow::filters()
        .into_iter()
        .chain(CustomerRow::filters())
        .map(|f| f.key)
    {
        keys.push(match key.split_once(':') {
            Some((group, _)) => format!("filter.{group}"),
            None => format!("filter.{key}"),
        });
    }
    for s in ComplaintRow::sorts().iter().chain(CustomerRow::sorts()) {
        keys.push(format!("sort.{}", s.key));
    }
    for zh in [false, true] {
        let _lang = zh.then(test_lang::use_chinese);
        let missing: Vec<&String> = keys.iter().filter(|k| crate::i18n::t(k) == *k).collect();
        assert!(missing.is_empty(), "no label (zh: {zh}): {missing:?}");
    }
}
