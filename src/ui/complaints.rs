//! The Complaints tab: the list in urgency order with a live countdown to each response
//! deadline (overdue in red), and a complaint's detail with its contacts.

use super::desk::{marker, DetailLines};
use super::tables::{empty_hint_with, mark, row_style, table, title, Col, TableRow, MARK};
use super::theme;
use crate::app::desk::Item;
use crate::app::list::ListView;
use crate::app::tab::Tab;
use crate::app::App;
use crate::domain::complaint::{is_overdue, ComplaintState};
use crate::domain::time::{format_stamp_short, now};
use crate::i18n::{t, tf};
use crate::store::complaints::{ComplaintDetail, ComplaintRow};
use crate::ui::words::countdown;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    match &app.screens.complaints.detail {
        Some(d) => detail(frame, d, app.screens.complaints.selected_item(), area),
        None => list(frame, &app.screens.complaints.list, area),
    }
}

/// Where a complaint stands on its response, as the list and the detail say it: the
/// countdown while it awaits one (red once overdue), else its state.
pub fn response_state(
    state: ComplaintState,
    due: i64,
    first_response_at: Option<i64>,
    now: i64,
) -> (String, Style) {
    match state {
        ComplaintState::Closed => (t("complaint_state.closed").to_string(), theme::done()),
        ComplaintState::InProgress => (
            t("complaint_state.in_progress").to_string(),
            if first_response_at.is_some_and(|r| r > due) {
                theme::incomplete()
            } else {
                Style::default()
            },
        ),
        ComplaintState::Awaiting if is_overdue(state, due, now) => (
            tf("ui.overdue_by", &[("time", &countdown(now - due))]),
            theme::late(),
        ),
        ComplaintState::Awaiting => (
            tf("ui.due_in", &[("time", &countdown(due - now))]),
            theme::at_risk(),
        ),
    }
}

/// Number and customer never go; the order and the department give way first, the
/// response countdown last.
const COLS: [Col; 9] = [
    MARK,
    Col::fixed("col.complaint_no", 14, 0).whole(),
    Col::fill("col.customer", 12, 1, 0).whole(),
    Col::fixed("col.order_no", 15, 6),
    Col::fixed("col.type", 13, 3),
    Col::fixed("col.severity", 8, 2),
    Col::fixed("col.department", 11, 5),
    Col::fixed("col.opened", 16, 4),
    Col::fixed("col.response", 15, 1),
];

pub fn list(frame: &mut Frame, list: &ListView<ComplaintRow>, area: Rect) {
    let now = now();
    let rows = list
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (state, style) =
                response_state(r.state(), r.response_due_at, r.first_response_at, now);
            TableRow {
                cells: vec![
                    Line::from(mark(list, i, r.id)),
                    Line::from(r.complaint_no.clone()),
                    Line::from(r.customer.clone()),
                    Line::from(r.order_no.clone()),
                    Line::from(t(&format!("complaint_type.{}", r.kind))),
                    Line::from(t(&format!("severity.{}", r.severity))),
                    Line::from(
                        r.department
                            .as_deref()
                            .map(|d| t(&format!("department.{d}")))
                            .unwrap_or(""),
                    ),
                    Line::from(format_stamp_short(r.opened_at)),
                    Line::from(Span::styled(state, style)),
                ],
                style: row_style(list, i, r.id),
            }
        })
        .collect();
    table(frame, area, title(Tab::Complaints, list), &COLS, rows);
    if list.rows.is_empty() && list.is_loaded() {
        empty_hint_with(frame, area, "ui.no_complaints");
    }
}

const LABEL_WIDTH: usize = 16;

fn field(label: &str, value: Line<'static>) -> Line<'static> {
    let text = t(label);
    let pad = LABEL_WIDTH.saturating_sub(text.width());
    let mut spans = vec![Span::styled(
        format!("{text}{}", " ".repeat(pad)),
        theme::dim(),
    )];
    spans.extend(value.spans);
    Line::from(spans)
}

fn stamp(ts: Option<i64>) -> Line<'static> {
    Line::from(ts.map(format_stamp_short).unwrap_or_else(|| "–".into()))
}

pub fn detail(frame: &mut Frame, d: &ComplaintDetail, selected: Option<Item>, area: Rect) {
    let now = now();
    let k = &d.draft;
    let state = d.state();
    let (state_text, state_style) =
        response_state(state, d.response_due_at, k.first_response_at, now);
    let mut out = DetailLines::new(selected);
    out.item(Item::This, |sel| {
        Line::from(vec![
            Span::raw(marker(sel)),
            Span::styled(k.complaint_no.clone(), theme::title()),
            Span::raw(match state {
                // The countdown alone does not say that a response is what is awaited.
                ComplaintState::Awaiting => format!(" · {} · ", t("complaint_state.awaiting")),
                _ => " · ".to_string(),
            }),
            Span::styled(state_text, state_style),
        ])
    });
    out.push(Line::from(""));
    for line in [
        field(
            "field.customer",
            Line::from(format!("{} ({})", d.customer_name, d.customer_code)),
        ),
        field(
            "field.order_no",
            Line::from(d.order_no.clone().unwrap_or_else(|| "–".into())),
        ),
        field(
            "field.complaint_type",
            Line::from(t(&format!("complaint_type.{}", k.kind.as_str()))),
        ),
        field(
            "field.severity",
            Line::from(t(&format!("severity.{}", k.severity.as_str()))),
        ),
        field(
            "field.department",
            Line::from(
                k.department
                    .map(|d| t(&format!("department.{}", d.as_str())))
                    .unwrap_or("–"),
            ),
        ),
        field("field.opened_at", stamp(Some(k.opened_at))),
        field("field.response_due", stamp(Some(d.response_due_at))),
        field("field.first_response_at", stamp(k.first_response_at)),
        field(
            "field.response_plan",
            Line::from(d.response_plan.replace('\n', " ")),
        ),
        field("field.resolved_at", stamp(k.resolved_at)),
        field("field.description", Line::from(k.description.clone())),
        field("field.resolution", Line::from(k.resolution.clone())),
    ] {
        out.push(line);
    }
    out.contacts(&d.contacts, now);
    let title = format!("{} {}", t("detail.complaint_title"), k.complaint_no);
    frame.render_widget(out.paragraph(title, area), area);
}
