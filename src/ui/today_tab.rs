//! The Today tab: the count of every kind of reminder, then the items of each, most urgent
//! first; and the follow-up form.

use super::text::{at_least, pad as fit};
use super::{pane, theme};
use crate::app::today::{TodayRow, TodayView, SUMMARY_ROWS};
use crate::app::App;
use crate::domain::time::format_stamp_short;
use crate::i18n::{t, tf, tn};
use crate::io::reminders::describe;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Kinds shown in red when they have any: they cannot wait.
const URGENT_KINDS: usize = 4;
const WHAT: usize = 18;
const WHEN: usize = 16;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let view = &app.screens.today;
    if view.is_empty() && view.kinds.is_empty() {
        frame.render_widget(
            Paragraph::new(t("ui.loading")).block(pane(t("tab.today").into())),
            area,
        );
        return;
    }
    let [counts, items] = Layout::vertical([
        Constraint::Length(SUMMARY_ROWS as u16 + 2),
        Constraint::Min(3),
    ])
    .areas(area);
    draw_counts(frame, view, counts);
    draw_items(frame, view, items);
}

/// Every kind with its count, three to a line, read down the columns in order of urgency.
fn draw_counts(frame: &mut Frame, view: &TodayView, area: Rect) {
    let block = pane(tf("today.counts", &[("at", &format_stamp_short(view.now))]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let columns = view.kinds.len().div_ceil(SUMMARY_ROWS).max(1);
    let width = inner.width as usize / columns;
    let lines: Vec<Line> = (0..SUMMARY_ROWS)
        .map(|row| {
            let spans = (0..columns)
                .filter_map(|col| {
                    let i = col * SUMMARY_ROWS + row;
                    let k = view.kinds.get(i)?;
                    let style = if k.count == 0 {
                        theme::dim()
                    } else if i < URGENT_KINDS {
                        theme::late()
                    } else {
                        Style::default()
                    };
                    let text = format!(
                        "{:>7} {}",
                        at_least(k.shown(), k.is_capped()),
                        tn(&format!("today.short.{}", k.kind), k.shown(), &[])
                    );
                    Some(Span::styled(fit(&text, width), style))
                })
                .collect::<Vec<_>>();
            Line::from(spans)
        })
        .collect();
    frame.render_widget(super::text::paragraph(lines), inner);
}

fn draw_items(frame: &mut Frame, view: &TodayView, area: Rect) {
    let block = pane(t("today.items").into());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if view.rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(t("today.nothing"), theme::dim())),
            inner,
        );
        return;
    }
    let width = inner.width as usize;
    // Order no. and date keep their width; the customer gets a share of the rest.
    let customer = (width.saturating_sub(WHAT + WHEN + 8) * 2 / 5).clamp(8, 32);
    let why = width.saturating_sub(3 + WHAT + customer + WHEN + 3);
    let lines: Vec<Line> = view
        .rows
        .iter()
        .enumerate()
        .skip(view.offset)
        .take(inner.height as usize)
        .map(|(i, row)| {
            let line = match *row {
                TodayRow::Heading(k) => {
                    let kind = &view.kinds[k];
                    Line::from(Span::styled(
                        format!(
                            " ▸ {} · {}",
                            t(&format!("today.{}", kind.kind)),
                            at_least(kind.shown(), kind.is_capped())
                        ),
                        theme::title(),
                    ))
                }
                TodayRow::Item(k, n) => {
                    let x = describe(&view.kinds[k].items[n], view.now, view.day);
                    let why_style = if x.late {
                        theme::late()
                    } else {
                        Style::default()
                    };
                    Line::from(vec![
                        Span::raw("   "),
                        Span::raw(fit(&x.what, WHAT)),
                        Span::raw(" "),
                        Span::raw(fit(&x.customer, customer)),
                        Span::raw(" "),
                        Span::raw(fit(&x.when, WHEN)),
                        Span::raw(" "),
                        Span::styled(fit(&x.why, why), why_style),
                    ])
                }
                TodayRow::More(k) => Line::from(Span::styled(
                    format!(
                        "   {}",
                        tf(
                            "today.more",
                            &[(
                                "count",
                                &at_least(view.kinds[k].more(), view.kinds[k].is_capped())
                            )]
                        )
                    ),
                    theme::dim(),
                )),
            };
            if i == view.cursor {
                line.style(theme::selected())
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(super::text::paragraph(lines), inner);
}

/// The status line on Today: where the cursor is, and what the keys do.
pub fn position(app: &App) -> String {
    let v = &app.screens.today;
    if v.rows.is_empty() {
        return String::new();
    }
    tf(
        "today.position",
        &[("at", &(v.cursor + 1)), ("total", &v.rows.len())],
    )
}

#[cfg(test)]
mod tests {
    use crate::app::fixture;
    use crate::app::App;
    use crate::i18n::{use_in_this_thread, Lang};
    use crate::ui::{draw, list_height, theme};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    fn render(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        app.prepare(list_height(height));
        terminal.draw(|f| draw(f, app)).unwrap();
        terminal
    }

    /// Moments are shown in local time; the snapshots hold them as a placeholder of the
    /// same width, so they pass in any time zone.
    fn snapshot(name: &str, t: &Terminal<TestBackend>) {
        const SHAPE: &str = "dddd-dd-dd dd:dd";
        let text: Vec<char> = t.backend().to_string().chars().collect();
        let mut out = String::new();
        let mut i = 0;
        while i < text.len() {
            let fits = text.len() - i >= SHAPE.len()
                && SHAPE.chars().zip(&text[i..]).all(|(p, c)| {
                    if p == 'd' {
                        c.is_ascii_digit()
                    } else {
                        p == *c
                    }
                });
            if fits {
                out.push_str("YYYY-MM-DD hh:mm");
                i += SHAPE.len();
            } else {
                out.push(text[i]);
                i += 1;
            }
        }
        insta::assert_snapshot!(name, out);
    }

    fn row_of(t: &Terminal<TestBackend>, text: &str) -> u16 {
        let buf = t.backend().buffer();
        (0..buf.area.height)
            .find(|y| {
                let line: String = (0..buf.area.width)
                    .map(|x| buf[(x, *y)].symbol().to_string())
                    .collect();
                line.contains(text)
            })
            .unwrap_or_else(|| panic!("{text} on screen"))
    }

    #[test]
    fn today_lists_counts_then_items_most_urgent_first() {
        use_in_this_thread(Lang::En);
        let mut app = fixture::today_app();
        let t = render(&mut app, 120, 40);
        snapshot("today_en_120x40", &t);
    }

    #[test]
    fn today_in_chinese() {
        use_in_this_thread(Lang::Zh);
        let mut app = fixture::today_app();
        let t = render(&mut app, 120, 40);
        snapshot("today_zh_120x40", &t);
    }

    #[test]
    fn overdue_items_are_red_and_the_cursor_row_is_highlighted() {
        use_in_this_thread(Lang::En);
        let mut app = fixture::today_app();
        app.handle_key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE));
        let t = render(&mut app, 120, 40);
        let buf = t.backend().buffer();
        let k1 = row_of(&t, "K-0001");
        assert_eq!(
            buf[(5, k1)].bg,
            theme::selected().bg.unwrap(),
            "cursor on K-0001"
        );
        let ship = row_of(&t, "SF1234567890");
        assert_eq!(
            buf[(100, ship)].fg,
            theme::late().fg.unwrap(),
            "late shipment in red"
        );
    }

    #[test]
    fn the_followup_form_shows_its_fields_and_problems() {
        use_in_this_thread(Lang::En);
        let mut app = fixture::today_app();
        app.handle_key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE));
        app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        let t = render(&mut app, 100, 30);
        snapshot("followup_form_with_errors", &t);
    }
}
