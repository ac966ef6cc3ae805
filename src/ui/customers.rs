//! The Customers tab: the list, and a customer's detail with their orders, complaints,
//! contacts, requirements and survey scores over time.

use super::desk::{marker, DetailLines};
use super::tables::{empty_hint_with, mark, row_style, table, title, Col, TableRow, MARK};
use super::theme;
use crate::app::desk::{key_account_suggested, Item};
use crate::app::list::ListView;
use crate::app::tab::Tab;
use crate::app::{status_key, App};
use crate::domain::complaint::{is_overdue, ComplaintState};
use crate::domain::contact::REPLY_WINDOW;
use crate::domain::customer::{suggests_key_account, Survey, SCORE_NAMES};
use crate::domain::enums::RequirementStatus;
use crate::domain::money::{display_amount, parse_decimal};
use crate::domain::time::{format_date, format_stamp_short, now};
use crate::i18n::{t, tf};
use crate::store::complaints::ComplaintRow;
use crate::store::customers::{CustomerDetail, CustomerRow};
use crate::store::requirements::RequirementItem;
use crate::ui::words::countdown;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    match &app.screens.customers.detail {
        Some(d) => detail(frame, d, app.screens.customers.selected_item(), area),
        None => list(frame, &app.screens.customers.list, area),
    }
}

fn count_cell(n: i64, style: Style) -> Line<'static> {
    let text = if n == 0 { String::new() } else { n.to_string() };
    Line::from(Span::styled(text, style)).right_aligned()
}

/// Code and name never go; the counts give way first, then the contact's details.
const COLS: [Col; 9] = [
    MARK,
    Col::fixed("col.code", 10, 0).whole(),
    Col::fill("col.name", 12, 2, 0).whole(),
    Col::fill("col.contact", 8, 1, 3),
    Col::fixed("col.channel", 8, 4),
    Col::fixed("col.language", 8, 5),
    Col::fixed("col.open_orders", 11, 1),
    Col::fixed("col.open_complaints", 11, 2),
    Col::fixed("col.unanswered", 11, 2),
];

pub fn list(frame: &mut Frame, list: &ListView<CustomerRow>, area: Rect) {
    let now = now();
    let rows = list
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let late = r
                .oldest_unanswered_at
                .is_some_and(|at| now - at > REPLY_WINDOW);
            TableRow {
                cells: vec![
                    Line::from(mark(list, i, r.id)),
                    Line::from(r.code.clone()),
                    Line::from(if r.key_account {
                        format!("★ {}", r.name)
                    } else {
                        r.name.clone()
                    }),
                    Line::from(r.contact_person.clone()),
                    Line::from(t(&format!("channel.{}", r.channel))),
                    Line::from(t(&format!("language.{}", r.language))),
                    count_cell(r.open_orders, Style::default()),
                    count_cell(r.open_complaints, theme::at_risk()),
                    count_cell(
                        r.unanswered,
                        if late {
                            theme::late()
                        } else {
                            theme::at_risk()
                        },
                    ),
                ],
                style: row_style(list, i, r.id),
            }
        })
        .collect();
    table(frame, area, title(Tab::Customers, list), &COLS, rows);
    if list.rows.is_empty() && list.is_loaded() {
        empty_hint_with(frame, area, "ui.no_customers");
    }
}

const LABEL_WIDTH: usize = 16;

fn field(label: &str, value: String) -> Line<'static> {
    let text = t(label);
    let pad = LABEL_WIDTH.saturating_sub(text.width());
    Line::from(vec![
        Span::styled(format!("{text}{}", " ".repeat(pad)), theme::dim()),
        Span::raw(value),
    ])
}

/// `4.67`, or `–` when nothing was answered.
pub fn average(s: &Survey) -> String {
    s.average_hundredths()
        .map(|h| format!("{}.{:02}", h / 100, h % 100))
        .unwrap_or_else(|| "–".into())
}

fn survey_lines(out: &mut DetailLines, d: &CustomerDetail) {
    out.heading(t("detail.surveys").to_string());
    if d.surveys.is_empty() {
        out.none();
        return;
    }
    let date = t("col.date");
    let mut head = format!(
        "  {date}{}",
        " ".repeat(12usize.saturating_sub(date.width()))
    );
    for name in SCORE_NAMES.iter().chain(["willingness", "average"].iter()) {
        let label = t(&format!("score_short.{name}"));
        let pad = 6usize.saturating_sub(label.width());
        head.push_str(&format!("{}{label}", " ".repeat(pad)));
    }
    out.push(Line::from(Span::styled(head, theme::header())));
    for item in &d.surveys {
        let s = &item.survey;
        let cell = |v: Option<i64>| format!("{:>6}", v.map_or("–".into(), |v| v.to_string()));
        let mut text = format!("  {:<12}", format_date(s.date));
        for v in s.scores {
            text.push_str(&cell(v));
        }
        text.push_str(&cell(s.willingness));
        text.push_str(&format!("{:>6}", average(s)));
        let style = if suggests_key_account(s) {
            theme::info()
        } else {
            Style::default()
        };
        out.push(Line::from(Span::styled(text, style)));
    }
}

fn header_lines(out: &mut DetailLines, d: &CustomerDetail) {
    let c = &d.draft;
    let contact = [&c.contact_person, &c.phone, &c.email, &c.im_handle]
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(" · ");
    let terms = c
        .payment_terms_days
        .map_or("–".to_string(), |d| tf("ui.days", &[("n", &d)]));
    for line in [
        field("field.code", c.code.clone()),
        field(
            "field.name",
            if c.key_account {
                format!("{} ★ {}", c.name, t("ui.key_account"))
            } else {
                c.name.clone()
            },
        ),
        field(
            "field.customer_type",
            t(&format!("customer_type.{}", c.customer_type.as_str())).to_string(),
        ),
        field("field.contact_person", contact),
        field(
            "field.preferred_channel",
            format!(
                "{} · {} {} · {} {terms}",
                t(&format!("channel.{}", c.preferred_channel.as_str())),
                t("field.language"),
                t(&format!("language.{}", c.language.as_str())),
                t("field.payment_terms_days"),
            ),
        ),
        field("field.address", c.address.clone()),
        field("field.notes", c.notes.clone()),
    ] {
        out.push(line);
    }
    if let (true, Some(s)) = (key_account_suggested(d), d.surveys.last()) {
        out.push(Line::from(Span::styled(
            tf(
                "ui.key_account_suggested",
                &[
                    ("average", &average(&s.survey)),
                    ("willingness", &s.survey.willingness.unwrap_or_default()),
                ],
            ),
            theme::info(),
        )));
    }
}

fn complaint_line(k: &ComplaintRow, now: i64, selected: bool) -> Line<'static> {
    let state = k.state();
    let (state_text, style) = if is_overdue(state, k.response_due_at, now) {
        (
            tf(
                "ui.overdue_by",
                &[("time", &countdown(now - k.response_due_at))],
            ),
            theme::late(),
        )
    } else {
        (
            t(&format!("complaint_state.{}", state.as_ref())).to_string(),
            if state == ComplaintState::Closed {
                theme::done()
            } else {
                theme::at_risk()
            },
        )
    };
    Line::from(vec![
        Span::raw(format!(
            "{}{:<15} {} · {} · {} · ",
            marker(selected),
            k.complaint_no,
            format_stamp_short(k.opened_at),
            t(&format!("complaint_type.{}", k.kind)),
            t(&format!("severity.{}", k.severity)),
        )),
        Span::styled(state_text, style),
    ])
}

fn requirement_line(r: &RequirementItem, selected: bool) -> Line<'static> {
    let state = match (r.status, &r.forwarded_to) {
        (RequirementStatus::Forwarded, Some(to)) => tf(
            "ui.forwarded_to",
            &[("to", &t(&format!("forward_to.{to}")))],
        ),
        (RequirementStatus::Met | RequirementStatus::Declined, _) => format!(
            "{} {}",
            t(&format!("requirement_status.{}", r.status.as_str())),
            r.resolved_at.map(format_stamp_short).unwrap_or_default()
        ),
        _ => t(&format!("requirement_status.{}", r.status.as_str())).to_string(),
    };
    let style = match r.status {
        RequirementStatus::Met | RequirementStatus::Declined => theme::done(),
        RequirementStatus::Open => theme::at_risk(),
        RequirementStatus::Forwarded => Style::default(),
    };
    Line::from(vec![
        Span::raw(format!(
            "{}{} · ",
            marker(selected),
            t(&format!("category.{}", r.category))
        )),
        Span::styled(state, style),
        Span::raw(format!(" · {} ", r.text)),
        Span::styled(
            format!("({})", format_stamp_short(r.created_at)),
            theme::dim(),
        ),
    ])
}

pub fn detail(frame: &mut Frame, d: &CustomerDetail, selected: Option<Item>, area: Rect) {
    let now = now();
    let mut out = DetailLines::new(selected);
    header_lines(&mut out, d);

    out.heading(tf(
        "detail.customer_orders",
        &[("shown", &d.orders.len()), ("count", &d.order_count)],
    ));
    if d.orders.is_empty() {
        out.none();
    }
    for o in &d.orders {
        out.item(Item::Order(o.id), |sel| {
            Line::from(format!(
                "{}{:<17} {:<14} {:<12} {} {}",
                marker(sel),
                o.order_no,
                t(&status_key(o.status)),
                o.due_date.map(format_date).unwrap_or_default(),
                o.currency,
                display_amount(parse_decimal(&o.total).unwrap_or_default())
            ))
        });
    }

    out.heading(tf(
        "detail.customer_complaints",
        &[
            ("shown", &d.complaints.len()),
            ("count", &d.complaint_count),
        ],
    ));
    if d.complaints.is_empty() {
        out.none();
    }
    for k in &d.complaints {
        out.item(Item::Complaint(k.id), |sel| complaint_line(k, now, sel));
    }

    out.contacts(&d.contacts, now);

    out.heading(t("detail.requirements").to_string());
    if d.requirements.is_empty() {
        out.none();
    }
    for r in &d.requirements {
        out.item(Item::Requirement(r.id), |sel| requirement_line(r, sel));
    }

    survey_lines(&mut out, d);
    let title = format!("{} {}", t("detail.customer_title"), d.draft.name);
    frame.render_widget(out.paragraph(title, area), area);
}
