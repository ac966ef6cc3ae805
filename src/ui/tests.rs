use super::*;
use crate::app::fixture;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

pub(super) fn render(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    app.prepare(list_height(height));
    terminal.draw(|f| draw(f, app)).unwrap();
    terminal
}

pub(super) fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

pub(super) fn screen_text(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let mut s = String::new();
    for y in 0..buf.area.height {
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            // A wide character covers the next cell too; that cell holds no text of its own.
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            s.push_str(sym);
        }
        s.push('\n');
    }
    s
}

#[test]
fn orders_list_at_120x40() {
    let mut app = fixture::app(40);
    let mut t = render(&mut app, 120, 40);
    app.do_deferred_work();
    t.draw(|f| draw(f, &app)).unwrap();
    insta::assert_snapshot!(t.backend());
}

#[test]
fn the_cursor_row_and_marks_are_highlighted() {
    let mut app = fixture::app(10);
    keys(&mut app, " ");
    let t = render(&mut app, 120, 20);
    let buf = t.backend().buffer();
    // Row 3 is the first data row: marked; row 4 holds the cursor.
    assert_eq!(buf[(1, 3)].symbol(), "●");
    assert_eq!(buf[(5, 3)].fg, theme::marked().fg.unwrap());
    assert_eq!(buf[(5, 4)].bg, theme::selected().bg.unwrap());
}

#[test]
fn late_orders_are_red() {
    let mut app = fixture::app(3);
    app.store
        .conn()
        .execute(
            "UPDATE orders SET due_date = '2020-01-01' WHERE order_no = 'SO-20260101-003'",
            [],
        )
        .unwrap();
    app.screens.orders.list.reset(app.store.conn()).unwrap();
    keys(&mut app, "j");
    let t = render(&mut app, 120, 20);
    let text = screen_text(&t);
    let line = text
        .lines()
        .find(|l| l.contains("SO-20260101-003"))
        .unwrap();
    assert!(line.contains("2020-01-01 LATE"), "{line}");
    let buf = t.backend().buffer();
    let y = text
        .lines()
        .position(|l| l.contains("SO-20260101-003"))
        .unwrap() as u16;
    let x = line
        .chars()
        .take_while(|_| true)
        .collect::<String>()
        .find("2020")
        .map(|b| line[..b].chars().count())
        .unwrap() as u16;
    assert_eq!(buf[(x, y)].fg, theme::late().fg.unwrap());
}

#[test]
fn help_lists_every_key_including_undo() {
    let mut app = fixture::app(3);
    keys(&mut app, "?");
    let t = render(&mut app, 120, 40);
    let text = screen_text(&t);
    for needle in [
        "undo",
        "next status",
        "hold/resume",
        "cancel order",
        "search",
        "mark",
        "commands",
        "page down",
    ] {
        assert!(text.contains(needle), "help lacks {needle}:\n{text}");
    }
    insta::assert_snapshot!(t.backend());
}

#[test]
fn status_menu_popup() {
    let mut app = fixture::app(3);
    keys(&mut app, "s");
    let t = render(&mut app, 100, 30);
    insta::assert_snapshot!(t.backend());
}

#[test]
fn customers_tab() {
    let mut app = fixture::app(6);
    keys(&mut app, "2");
    let mut t = render(&mut app, 100, 12);
    app.do_deferred_work();
    t.draw(|f| draw(f, &app)).unwrap();
    insta::assert_snapshot!(t.backend());
}

#[test]
fn detail_shows_lines_history_and_sections() {
    let mut app = fixture::app(3);
    keys(&mut app, "G");
    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let t = render(&mut app, 120, 40);
    let text = screen_text(&t);
    for needle in [
        "Order SO-20260101-001",
        "深圳华联电子有限公司 (C001)",
        "Lines",
        "M6×20 不锈钢 304",
        "Status history",
        "Due date changes",
        "Shipments",
        "Complaints",
        "Contacts",
        "USD 12.50",
    ] {
        assert!(text.contains(needle), "detail lacks {needle}:\n{text}");
    }
}

#[test]
fn a_tiny_terminal_says_so_instead_of_drawing_a_broken_layout() {
    let mut app = fixture::app(3);
    let t = render(&mut app, 40, 8);
    let text = screen_text(&t);
    assert!(text.contains("too small"), "{text}");
    for (w, h) in [(1, 1), (2, 50), (300, 1), (59, 100)] {
        render(&mut app, w, h);
    }
}

#[test]
fn chinese_names_are_aligned_by_display_width() {
    let mut app = fixture::app(3);
    let t = render(&mut app, 120, 12);
    let text = screen_text(&t);
    let cols: Vec<usize> = text
        .lines()
        .filter(|l| l.contains("SO-2026"))
        .map(|l| {
            let b = l
                .find("Custom")
                .or_else(|| l.find("Rush"))
                .or_else(|| l.find("Regular"))
                .unwrap();
            unicode_width::UnicodeWidthStr::width(&l[..b])
        })
        .collect();
    assert_eq!(cols.len(), 3);
    assert!(
        cols.windows(2).all(|w| w[0] == w[1]),
        "type column starts at the same width: {cols:?}"
    );
}

#[test]
fn message_popup_shows_the_draft_and_its_keys() {
    let mut app = fixture::app(10);
    keys(&mut app, "m");
    let t = render(&mut app, 100, 32);
    let text = screen_text(&t);
    assert!(text.contains("SO-20260101-010"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn reports_tab_shows_every_figure_beside_the_month_before_and_the_charts() {
    let mut app = fixture::report_app();
    keys(&mut app, "6");
    let mut t = render(&mut app, 120, 40);
    assert!(screen_text(&t).contains("Computing the report of 2026-01"));
    app.do_deferred_work();
    t.draw(|f| draw(f, &app)).unwrap();
    let text = screen_text(&t);
    for needle in [
        "Report 2026-01",
        "2025-12",
        "Orders won (ordered this month)",
        "Amount won, USD",
        "125.00",
        "On-time delivery rate",
        "50.00%",
        "On-time delivery rate, last 12 months",
        "Complaints by type",
        "Late deliveries by cause",
        "Orders won by type",
        "Satisfaction (1–5)",
        "export report (Excel)",
    ] {
        assert!(text.contains(needle), "Reports tab lacks {needle}:\n{text}");
    }
    insta::assert_snapshot!(t.backend());
}

#[test]
fn reports_tab_scrolls_changes_month_and_fits_small_terminals() {
    let mut app = fixture::report_app();
    keys(&mut app, "6");
    app.do_deferred_work();
    keys(&mut app, "G");
    let t = render(&mut app, 120, 40);
    let text = screen_text(&t);
    assert!(text.contains("Fulfilment rate"), "{text}");
    assert!(text.contains("66.67%"), "{text}");
    keys(&mut app, "[");
    app.do_deferred_work();
    let t = render(&mut app, 120, 40);
    let text = screen_text(&t);
    assert!(
        text.contains("Report 2025-12") && text.contains("2025-11"),
        "{text}"
    );
    for (w, h) in [(60, 12), (80, 24), (109, 30), (200, 60)] {
        render(&mut app, w, h);
    }
}

#[test]
fn help_on_the_reports_tab_lists_its_keys() {
    let mut app = fixture::report_app();
    keys(&mut app, "6?");
    let text = screen_text(&render(&mut app, 120, 40));
    for needle in [
        "previous month",
        "next month",
        "export report (Excel)",
        "export report (HTML)",
    ] {
        assert!(text.contains(needle), "help lacks {needle}:\n{text}");
    }
}

#[test]
fn help_scrolls_to_its_last_key_at_80x24() {
    let mut app = fixture::app(3);
    keys(&mut app, "?");
    let t = render(&mut app, 80, 24);
    let first = screen_text(&t);
    assert!(first.contains("quit"), "{first}");
    keys(&mut app, "G");
    let t = render(&mut app, 80, 24);
    let last = screen_text(&t);
    assert_ne!(first, last, "G scrolls the help");
    assert!(!last.contains("quit at once"), "{last}");
    keys(&mut app, "g");
    let t = render(&mut app, 80, 24);
    assert_eq!(screen_text(&t), first);
    keys(&mut app, "q");
    assert!(matches!(app.mode, Mode::Normal));
}

#[test]
fn the_order_detail_scrolls_and_shift_j_moves_to_the_next_order() {
    let mut app = fixture::app(5);
    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let first_no = app
        .screens
        .orders
        .detail
        .as_ref()
        .unwrap()
        .draft
        .order_no
        .clone();
    let t = render(&mut app, 80, 12);
    let top = screen_text(&t);
    keys(&mut app, "G");
    let t = render(&mut app, 80, 12);
    let bottom = screen_text(&t);
    assert_ne!(top, bottom, "G scrolls the detail");
    assert_eq!(
        app.screens.orders.detail.as_ref().unwrap().draft.order_no,
        first_no
    );
    keys(&mut app, "k");
    assert_eq!(app.screens.orders.scroll.offset() + 1, {
        keys(&mut app, "j");
        app.screens.orders.scroll.offset()
    });
    keys(&mut app, "J");
    let next = app
        .screens
        .orders
        .detail
        .as_ref()
        .unwrap()
        .draft
        .order_no
        .clone();
    assert_ne!(next, first_no, "J opens the next order");
    assert_eq!(app.screens.orders.scroll.offset(), 0);
    keys(&mut app, "K");
    assert_eq!(
        app.screens.orders.detail.as_ref().unwrap().draft.order_no,
        first_no
    );
}

#[test]
fn pane_titles_pass_the_text_policy() {
    use ratatui::widgets::Widget;
    let area = ratatui::layout::Rect::new(0, 0, 30, 3);
    let mut buf = ratatui::buffer::Buffer::empty(area);
    super::pane("SO-1\x1b]0;pwned\x07".into()).render(area, &mut buf);
    let top: String = (0..30).map(|x| buf[(x, 0)].symbol().to_string()).collect();
    assert!(top.contains("␛]0;pwned␇"), "{top}");
    assert!(!top.chars().any(crate::domain::text::is_control), "{top}");
}
