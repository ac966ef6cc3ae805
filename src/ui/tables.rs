//! The list tables. Each shows exactly the window of rows the list holds.

use super::{pane, theme};
use crate::app::list::ListView;
use crate::app::tab::Tab;
use crate::app::{status_key, App};
use crate::domain::order::{due_state, DueState};
use crate::domain::time::{format_date, local_date, now, today};
use crate::i18n::{t, tf, tn};
use crate::store::list::ListEntity;
use crate::store::orders::OrderRow;
use crate::store::shipments::ShipmentRow;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};
use ratatui::Frame;

/// A column of a list table: its header, its width, and when it gives way on a narrow
/// screen.
#[derive(Debug, Clone, Copy)]
pub(super) struct Col {
    /// The header's string key ("" for none).
    pub key: &'static str,
    /// The width it takes, or, for a column that fills, the least it takes.
    pub width: u16,
    /// Share of the room left over (0: the column keeps `width`).
    pub fill: u16,
    /// Which columns go first when the screen is too narrow: the highest number goes first;
    /// 0 never goes (order no., customer).
    pub drop: u8,
    /// Never cut: the column is as wide as its widest value on screen (a waybill, an order
    /// no., a customer), as long as the pane has the room.
    pub whole: bool,
}

impl Col {
    pub const fn fixed(key: &'static str, width: u16, drop: u8) -> Col {
        Col {
            key,
            width,
            fill: 0,
            drop,
            whole: false,
        }
    }
    pub const fn fill(key: &'static str, width: u16, fill: u16, drop: u8) -> Col {
        Col {
            key,
            width,
            fill,
            drop,
            whole: false,
        }
    }
    pub const fn whole(self) -> Col {
        Col {
            whole: true,
            ..self
        }
    }
}

/// The selection column every list starts with: `▶` on the cursor row (visible without
/// colour), `●` on a marked one.
pub(super) const MARK: Col = Col::fixed("", 1, 0);

/// One row of a list table: its cells (one per column) and its style.
pub(super) struct TableRow {
    pub cells: Vec<Line<'static>>,
    pub style: Style,
}

const SPACING: usize = 1;

/// The columns that give way last (`drop` 1 and 2: the status and the date that matter,
/// such as due and ETA) stay on screen before a long name is cut: a name too long for the
/// rest of the room is cut with `…` rather than lose them.
const OUTRANKS_WHOLE: u8 = 2;

/// Which columns are shown in a pane `room` columns wide, and how wide each is. Each column
/// first takes what its values need: a whole one its widest value, a fixed one no more than
/// its widest value (so short Chinese words leave room for the rest), a filling one its
/// least. The columns that give way go in `drop` order until the rest fit (one that went
/// before a wider one comes back when it fits after all); before the last two of them go,
/// a long whole name that fills gives way down to its least, cut with `…`.
/// The room left goes to the filling columns. `natural` is each column's widest value on
/// screen, header included.
pub(super) fn layout(cols: &[Col], natural: &[usize], room: usize) -> Vec<Option<u16>> {
    let full = |i: usize| -> usize {
        let c = &cols[i];
        if c.whole {
            (c.width as usize).max(natural[i])
        } else if c.fill > 0 {
            c.width as usize
        } else {
            (c.width as usize).min(natural[i]).max(1)
        }
    };
    // A whole column that fills may be cut down to its least width, and only for the
    // columns that outrank it.
    let yields = |i: usize| cols[i].whole && cols[i].fill > 0;
    let squeezed = |i: usize| {
        if yields(i) {
            cols[i].width as usize
        } else {
            full(i)
        }
    };
    let need = |kept: &[bool], w: &dyn Fn(usize) -> usize| -> usize {
        let shown: Vec<usize> = (0..cols.len()).filter(|&i| kept[i]).collect();
        shown.iter().map(|&i| w(i)).sum::<usize>() + SPACING * shown.len().saturating_sub(1)
    };
    let mut kept: Vec<bool> = vec![true; cols.len()];
    loop {
        if need(&kept, &full) <= room {
            break;
        }
        // The rightmost of the columns that give way first.
        let next_below = |limit: u8| {
            (0..cols.len())
                .filter(|&i| kept[i] && cols[i].drop > limit)
                .max_by_key(|&i| (cols[i].drop, i))
        };
        if let Some(i) = next_below(OUTRANKS_WHOLE) {
            kept[i] = false;
            continue;
        }
        if need(&kept, &squeezed) <= room {
            break;
        }
        match next_below(0) {
            Some(i) => kept[i] = false,
            None => break,
        }
    }
    // A column that went before a wider one may fit in the room that one left: it comes
    // back, the ones that matter more first.
    let mut gone: Vec<usize> = (0..cols.len()).filter(|&i| !kept[i]).collect();
    gone.sort_by_key(|&i| (cols[i].drop, i));
    for i in gone {
        kept[i] = true;
        if need(&kept, &full) > room {
            kept[i] = false;
        }
    }
    let shown: Vec<usize> = (0..cols.len()).filter(|&i| kept[i]).collect();
    let mut widths: Vec<Option<u16>> = (0..cols.len())
        .map(|i| kept[i].then(|| full(i) as u16))
        .collect();
    let total = need(&kept, &full);
    if total > room {
        let mut over = total - room;
        // A long name gives way first, down to its least width…
        for &i in shown.iter().filter(|&&i| yields(i)) {
            let w = full(i);
            let give = over.min(w.saturating_sub(cols[i].width as usize));
            widths[i] = Some((w - give) as u16);
            over -= give;
        }
        // …then, when even the columns that never go do not fit, the rightmost give what
        // they must.
        for &i in shown.iter().rev() {
            if over == 0 {
                break;
            }
            let w = widths[i].unwrap_or(0) as usize;
            let give = over.min(w.saturating_sub(1));
            widths[i] = Some((w - give) as u16);
            over -= give;
        }
        return widths;
    }
    let spare = room - total;
    let weights: u16 = shown.iter().map(|&i| cols[i].fill).sum();
    if weights > 0 {
        let mut given = 0;
        let fillers: Vec<usize> = shown
            .iter()
            .copied()
            .filter(|&i| cols[i].fill > 0)
            .collect();
        for (n, &i) in fillers.iter().enumerate() {
            let share = if n + 1 == fillers.len() {
                spare - given
            } else {
                spare * cols[i].fill as usize / weights as usize
            };
            given += share;
            widths[i] = widths[i].map(|w| w + share as u16);
        }
    }
    widths
}

/// A list table: the columns that fit, each value made harmless and cut with `…` to its
/// column. The one way a list reaches the screen.
pub(super) fn table(
    frame: &mut Frame,
    area: Rect,
    title: String,
    cols: &[Col],
    rows: Vec<TableRow>,
) {
    let headers: Vec<&str> = cols
        .iter()
        .map(|c| if c.key.is_empty() { "" } else { t(c.key) })
        .collect();
    let mut natural: Vec<usize> = headers.iter().map(|h| super::text::width(h)).collect();
    for r in &rows {
        for (i, c) in r.cells.iter().enumerate().take(cols.len()) {
            natural[i] = natural[i].max(c.width());
        }
    }
    let room = area.width.saturating_sub(2) as usize;
    let widths = layout(cols, &natural, room);
    let header =
        Row::new(headers.iter().zip(&widths).filter_map(|(h, w)| {
            w.map(|w| Cell::from(super::text::cell(Line::from(*h), w as usize)))
        }))
        .style(theme::header());
    let body = rows.into_iter().map(|r| {
        Row::new(
            r.cells
                .into_iter()
                .zip(&widths)
                .filter_map(|(c, w)| w.map(|w| Cell::from(super::text::cell(c, w as usize)))),
        )
        .style(r.style)
    });
    let constraints: Vec<Constraint> = widths
        .iter()
        .flatten()
        .map(|&w| Constraint::Length(w))
        .collect();
    let table = Table::new(body, constraints)
        .header(header)
        .column_spacing(SPACING as u16)
        .block(pane(title));
    frame.render_widget(table, area);
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

pub(super) fn mark<T: ListEntity>(list: &ListView<T>, i: usize, id: i64) -> &'static str {
    if i == list.cursor {
        "▶"
    } else if list.marks.contains(&id) {
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

/// Order no. and customer never go and are never cut; the rest give way from the right of
/// this list: progress, type, total, due, status.
const ORDER_COLS: [Col; 8] = [
    MARK,
    Col::fixed("col.order_no", 16, 0).whole(),
    Col::fill("col.customer", 12, 1, 0).whole(),
    Col::fixed("col.type", 8, 4),
    Col::fixed("col.status", 14, 1),
    Col::fixed("col.due", 15, 2),
    Col::fixed("col.total", 18, 3),
    Col::fixed("col.progress", 5, 5),
];

pub fn orders(frame: &mut Frame, list: &ListView<OrderRow>, area: Rect) {
    let today = today();
    let rows = list
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
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
            let total = crate::domain::money::parse_decimal(&r.total).unwrap_or_default();
            TableRow {
                cells: vec![
                    Line::from(mark(list, i, r.id)),
                    Line::from(vec![flag, Span::raw(r.order_no.clone())]),
                    Line::from(r.customer.clone()),
                    Line::from(t(&format!("type.{}", r.order_type))),
                    Line::from(t(&status_key(r.status))),
                    Line::from(Span::styled(due_text, due_style)),
                    Line::from(format!(
                        "{} {}",
                        r.currency,
                        crate::domain::money::display_amount(total)
                    ))
                    .right_aligned(),
                    Line::from(r.percent.map(|p| format!("{p}%")).unwrap_or_default())
                        .right_aligned(),
                ],
                style: row_style(list, i, r.id),
            }
        })
        .collect();
    table(frame, area, title(Tab::Orders, list), &ORDER_COLS, rows);
    if list.rows.is_empty() && list.is_loaded() {
        empty_hint(frame, area);
    }
}

/// A waybill is shown whole (the clerk reads it out to the carrier); the carrier fills, and
/// the dates give way first.
const SHIPMENT_COLS: [Col; 9] = [
    MARK,
    Col::fixed("col.order_no", 15, 0).whole(),
    Col::fill("col.carrier", 8, 1, 3),
    Col::fixed("col.waybill", 12, 0).whole(),
    Col::fixed("col.mode", 8, 5),
    Col::fixed("col.status", 10, 1),
    Col::fixed("col.shipped", 10, 6),
    Col::fixed("col.eta", 15, 2),
    Col::fixed("col.delivered", 10, 4),
];

pub fn shipments(frame: &mut Frame, list: &ListView<ShipmentRow>, area: Rect) {
    let now = now();
    let date = |ts: Option<i64>| ts.map(|t| format_date(local_date(t))).unwrap_or_default();
    let rows = list
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let late = r.is_late(now);
            let eta = if late {
                format!("{} {}", date(r.eta), t("ui.late_mark"))
            } else {
                date(r.eta)
            };
            TableRow {
                cells: vec![
                    Line::from(mark(list, i, r.id)),
                    Line::from(r.order_no.clone()),
                    Line::from(r.carrier.clone()),
                    Line::from(r.waybill_no.clone()),
                    Line::from(t(&format!("mode.{}", r.mode))),
                    Line::from(t(&format!("shipment_status.{}", r.status))),
                    Line::from(date(r.shipped_at)),
                    Line::from(Span::styled(
                        eta,
                        if late {
                            theme::late()
                        } else {
                            Style::default()
                        },
                    )),
                    Line::from(date(r.delivered_at)),
                ],
                style: if late && i != list.cursor && !list.marks.contains(&r.id) {
                    // A late shipment stands out in its whole row, not only its ETA.
                    theme::late()
                } else {
                    row_style(list, i, r.id)
                },
            }
        })
        .collect();
    table(
        frame,
        area,
        title(Tab::Shipments, list),
        &SHIPMENT_COLS,
        rows,
    );
    if list.rows.is_empty() && list.is_loaded() {
        empty_hint_with(frame, area, "ui.no_shipments");
    }
}

fn position<T: ListEntity>(list: &ListView<T>) -> String {
    let at = if list.position_known {
        (list.offset + list.cursor as u64 + 1).to_string()
    } else {
        format!("{}+", crate::store::list::POSITION_CAP)
    };
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
    // What the default view leaves out is said, with the way to see it.
    let hidden = match list.hidden {
        Some(n) if n > 0 => format!(" · {}", tn("ui.closed_hidden", n, &[])),
        _ => String::new(),
    };
    if list.rows.is_empty() {
        return format!("0 / {total}{hidden}");
    }
    format!(
        "{at} / {total} · {} {} {arrow}{marks}{hidden}",
        t("ui.sort"),
        t(&format!("sort.{sort}"))
    )
}

/// The status line when no message is shown: where the cursor is in the list.
pub fn summary(app: &App) -> String {
    match app.tab {
        Tab::Orders => position(&app.screens.orders.list),
        Tab::Customers => position(&app.screens.customers.list),
        Tab::Shipments => position(&app.screens.shipments.list),
        Tab::Complaints => position(&app.screens.complaints.list),
        Tab::Today => super::today_tab::position(app),
        Tab::Reports => super::reports::status(app),
    }
}

#[cfg(test)]
#[path = "tab_snapshots.rs"]
mod tab_snapshots;
