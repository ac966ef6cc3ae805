//! The list tables. Each shows exactly the window of rows the list holds.

use super::{pane, theme};
use crate::app::list::ListView;
use crate::app::tab::Tab;
use crate::app::{status_key, App};
use crate::domain::order::{due_state, DueState};
use crate::domain::time::{format_date, local_date, now, today};
use crate::i18n::{t, tf};
use crate::store::list::ListEntity;
use crate::store::orders::OrderRow;
use crate::store::shipments::ShipmentRow;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};
use ratatui::Frame;

pub(super) fn header(keys: &[&str]) -> Row<'static> {
    Row::new(keys.iter().map(|k| Cell::from(t(k)))).style(theme::header())
}

/// The title of a list pane: the tab, the search and the active filters.
pub(super) fn title<T: ListEntity>(tab: Tab, list: &ListView<T>) -> String {
    let mut s = t(tab.title_key()).to_string();
    if !list.query.search.is_empty() {
        s.push_str(&format!(" · /{}", list.query.search));
    }
    for f in &list.query.filters {
        s.push_str(&format!(" · {}", filter_label(f)));
    }
    s
}

/// `status:confirmed` → "Status: Confirmed", `overdue` → "Overdue".
pub fn filter_label(key: &str) -> String {
    // One customer's filter carries the name it shows: `customer:<id>:<name>`.
    if let Some((_, name)) = key
        .strip_prefix("customer:")
        .and_then(|rest| rest.split_once(':'))
    {
        return format!("{}: {name}", t("filter.customer"));
    }
    match key.split_once(':') {
        // Carriers are the data's own names, not words of the string table.
        Some(("carrier", value)) => format!("{}: {value}", t("filter.carrier")),
        Some((group, value)) => format!(
            "{}: {}",
            t(&format!("filter.{group}")),
            t(&format!("{group}.{value}"))
        ),
        None => t(&format!("filter.{key}")).to_string(),
    }
}

pub(super) fn row_style<T: ListEntity>(list: &ListView<T>, i: usize, id: i64) -> Style {
    if i == list.cursor {
        theme::selected()
    } else if list.marks.contains(&id) {
        theme::marked()
    } else {
        Style::default()
    }
}

pub(super) fn mark<T: ListEntity>(list: &ListView<T>, id: i64) -> &'static str {
    if list.marks.contains(&id) {
        "●"
    } else {
        " "
    }
}

pub(super) fn empty_hint(frame: &mut Frame, area: Rect) {
    empty_hint_with(frame, area, "ui.no_rows");
}

/// What an empty list says, by its string key.
pub(super) fn empty_hint_with(frame: &mut Frame, area: Rect, key: &str) {
    let inner = Rect {
        x: area.x + 2,
        y: area.y + 2,
        width: area.width.saturating_sub(4),
        height: 1,
    };
    frame.render_widget(Span::styled(t(key), theme::dim()), inner);
}

pub fn orders(frame: &mut Frame, list: &ListView<OrderRow>, area: Rect) {
    let today = today();
    let rows = list.rows.iter().enumerate().map(|(i, r)| {
        let state = due_state(r.due_date, r.status, today);
        let due_style = match state {
            DueState::Late => theme::late(),
            DueState::AtRisk => theme::at_risk(),
            DueState::Done => theme::done(),
            DueState::Fine => Style::default(),
        };
        let flag = if r.missing.is_empty() {
            Span::raw(" ")
        } else if r.missing_reason {
            Span::styled("?", theme::incomplete())
        } else {
            Span::styled("!", theme::incomplete())
        };
        let due = r.due_date.map(format_date).unwrap_or_default();
        let due_text = match state {
            DueState::Late => format!("{due} {}", t("ui.late_mark")),
            _ => due,
        };
        Row::new(vec![
            Cell::from(mark(list, r.id)),
            Cell::from(Line::from(vec![flag, Span::raw(r.order_no.clone())])),
            Cell::from(r.customer.clone()),
            Cell::from(t(&format!("type.{}", r.order_type))),
            Cell::from(t(&status_key(r.status))),
            Cell::from(Span::styled(due_text, due_style)),
            Cell::from(
                Line::from(format!(
                    "{} {}",
                    r.currency,
                    crate::domain::money::display_amount(
                        crate::domain::money::parse_decimal(&r.total).unwrap_or_default(),
                    )
                ))
                .right_aligned(),
            ),
            Cell::from(
                Line::from(r.percent.map(|p| format!("{p}%")).unwrap_or_default()).right_aligned(),
            ),
        ])
        .style(row_style(list, i, r.id))
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(1),
            Constraint::Length(17),
            Constraint::Fill(1),
            Constraint::Length(8),
            Constraint::Length(14),
            Constraint::Length(15),
            Constraint::Length(18),
            Constraint::Length(5),
        ],
    )
    .header(header(&[
        "",
        "col.order_no",
        "col.customer",
        "col.type",
        "col.status",
        "col.due",
        "col.total",
        "col.progress",
    ]))
    .block(pane(title(Tab::Orders, list)));
    frame.render_widget(table, area);
    if list.rows.is_empty() && list.is_loaded() {
        empty_hint(frame, area);
    }
}

pub fn shipments(frame: &mut Frame, list: &ListView<ShipmentRow>, area: Rect) {
    let now = now();
    let date = |ts: Option<i64>| ts.map(|t| format_date(local_date(t))).unwrap_or_default();
    let rows = list.rows.iter().enumerate().map(|(i, r)| {
        let late = r.is_late(now);
        let eta = if late {
            format!("{} {}", date(r.eta), t("ui.late_mark"))
        } else {
            date(r.eta)
        };
        Row::new(vec![
            Cell::from(mark(list, r.id)),
            Cell::from(r.order_no.clone()),
            Cell::from(r.carrier.clone()),
            Cell::from(r.waybill_no.clone()),
            Cell::from(t(&format!("mode.{}", r.mode))),
            Cell::from(t(&format!("shipment_status.{}", r.status))),
            Cell::from(date(r.shipped_at)),
            Cell::from(Span::styled(
                eta,
                if late {
                    theme::late()
                } else {
                    Style::default()
                },
            )),
            Cell::from(date(r.delivered_at)),
        ])
        .style(if late && i != list.cursor && !list.marks.contains(&r.id) {
            // A late shipment stands out in its whole row, not only its ETA.
            theme::late()
        } else {
            row_style(list, i, r.id)
        })
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(1),
            Constraint::Length(16),
            Constraint::Fill(1),
            Constraint::Length(16),
            Constraint::Length(8),
            Constraint::Length(10),
            Constraint::Length(10),
            Constraint::Length(15),
            Constraint::Length(10),
        ],
    )
    .header(header(&[
        "",
        "col.order_no",
        "col.carrier",
        "col.waybill",
        "col.mode",
        "col.status",
        "col.shipped",
        "col.eta",
        "col.delivered",
    ]))
    .block(pane(title(Tab::Shipments, list)));
    frame.render_widget(table, area);
    if list.rows.is_empty() && list.is_loaded() {
        empty_hint(frame, area);
    }
}

fn position<T: ListEntity>(list: &ListView<T>) -> String {
    let at = list.offset + list.cursor as u64 + 1;
    let marks = if list.marks.is_empty() {
        String::new()
    } else {
        format!(" · {}", tf("ui.marked", &[("count", &list.marks.len())]))
    };
    let sort = T::sorts().get(list.query.sort).map(|s| s.key).unwrap_or("");
    let natural_desc = T::sorts().get(list.query.sort).is_some_and(|s| s.desc);
    let arrow = if natural_desc ^ list.query.reversed {
        "↓"
    } else {
        "↑"
    };
    let total = match list.total {
        // Only a search is counted up to the cap; a plain count is exact.
        Some(n)
            if n > crate::store::list::SEARCH_COUNT_CAP && !list.query.search.trim().is_empty() =>
        {
            format!("{}+", crate::store::list::SEARCH_COUNT_CAP)
        }
        Some(n) => n.to_string(),
        None => "…".to_string(),
    };
    if list.rows.is_empty() {
        return format!("0 / {total}");
    }
    format!(
        "{at} / {total} · {} {} {arrow}{marks}",
        t("ui.sort"),
        t(&format!("sort.{sort}"))
    )
}

/// The status line when no message is shown: where the cursor is in the list.
pub fn summary(app: &App) -> String {
    match app.tab {
        Tab::Orders => position(&app.orders),
        Tab::Customers => position(&app.customers),
        Tab::Shipments => position(&app.shipments),
        Tab::Complaints => position(&app.complaints),
        Tab::Today => super::today_tab::position(app),
        Tab::Reports => super::reports::status(app),
    }
}
