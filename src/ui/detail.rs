//! The order detail: header, lines, status history, due-date revisions, production,
//! exceptions, shipments, complaints and contacts.

use super::{pane, theme};
use crate::app::scroll::Scroll;
use crate::app::status_key;
use crate::domain::money::{canonical, display_amount};
use crate::domain::time::{format_date, format_stamp_short};
use crate::i18n::{t, tf};
use crate::store::orders::OrderDetail;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Wrap;
use ratatui::Frame;

fn section(lines: &mut Vec<Line<'static>>, key: &str, items: Vec<String>) {
    let items = items.into_iter().map(|i| Line::from(format!("  {i}")));
    section_lines(lines, key, items.collect());
}

fn section_lines(lines: &mut Vec<Line<'static>>, key: &str, items: Vec<Line<'static>>) {
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(t(key).to_string(), theme::title())));
    if items.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("  {}", t("ui.none")),
            theme::dim(),
        )));
    }
    lines.extend(items);
}

const LABEL_WIDTH: usize = 18;

fn field(label: &str, value: String) -> Line<'static> {
    let text = t(label);
    // Pad by display width: a Chinese label is twice as wide as its character count.
    let pad = LABEL_WIDTH.saturating_sub(unicode_width::UnicodeWidthStr::width(text));
    Line::from(vec![
        Span::styled(format!("{text}{}", " ".repeat(pad)), theme::dim()),
        Span::raw(value),
    ])
}

pub fn draw(frame: &mut Frame, d: &OrderDetail, scroll: &Scroll, area: Rect) {
    let o = &d.draft;
    let mut lines = vec![
        field(
            "col.customer",
            format!("{} ({})", d.customer, d.customer_code),
        ),
        field("col.type", t(&format!("type.{}", o.order_type)).to_string()),
        field(
            "col.status",
            match d.held_from {
                Some(h) => format!("{} ← {}", t(&status_key(o.status)), t(&status_key(h))),
                None => t(&status_key(o.status)).to_string(),
            },
        ),
        field("field.ordered_at", format_stamp_short(o.ordered_at)),
        field("col.due", o.due_date.map(format_date).unwrap_or_default()),
        field("field.delivery_address", o.delivery_address.clone()),
        field(
            "col.total",
            format!("{} {}", o.currency, display_amount(o.total())),
        ),
        field(
            "field.payment_due",
            format!(
                "{}{}",
                o.payment_due.map(format_date).unwrap_or_default(),
                o.paid_at
                    .map(|p| format!(" · {} {}", t("field.paid_at"), format_date(p)))
                    .unwrap_or_default()
            ),
        ),
        field("field.notes", o.notes.clone()),
    ];
    if !d.missing.is_empty() {
        let reason = if o.missing_reason.is_empty() {
            String::new()
        } else {
            format!(" — {}", o.missing_reason)
        };
        lines.push(Line::from(Span::styled(
            format!("{}: {}{reason}", t("ui.incomplete"), d.missing),
            theme::incomplete(),
        )));
    }
    section(
        &mut lines,
        "detail.lines",
        o.lines
            .iter()
            .map(|l| {
                format!(
                    "{:<14} {:<24} {:>10} {:<5} × {:>10} = {}",
                    l.product_code,
                    l.spec,
                    canonical(l.quantity),
                    l.unit,
                    l.unit_price.map(canonical).unwrap_or_else(|| "?".into()),
                    display_amount(l.amount())
                )
            })
            .collect(),
    );
    section(
        &mut lines,
        "detail.history",
        d.history
            .iter()
            .map(|h| {
                // The one-hour rule: a change recorded over an hour late says so.
                let late = if h.recorded_late() {
                    format!(
                        " ({}: {})",
                        super::words::recorded_late(h),
                        format_stamp_short(h.recorded_at)
                    )
                } else if h.recorded_at > h.happened_at + 3600 {
                    format!(
                        " ({} {})",
                        t("detail.recorded"),
                        format_stamp_short(h.recorded_at)
                    )
                } else {
                    String::new()
                };
                let from = h
                    .from
                    .as_deref()
                    .map(|f| format!("{} → ", t(&format!("status.{f}"))))
                    .unwrap_or_default();
                let note = if h.note.is_empty() {
                    String::new()
                } else {
                    format!(" · {}", history_note(&h.note))
                };
                format!(
                    "{} {from}{}{late}{note}",
                    format_stamp_short(h.happened_at),
                    t(&format!("status.{}", h.to))
                )
            })
            .collect(),
    );
    section(
        &mut lines,
        "detail.revisions",
        d.revisions
            .iter()
            .map(|r| {
                format!(
                    "{} {} → {} · {}",
                    format_stamp_short(r.changed_at),
                    r.old.clone().unwrap_or_default(),
                    r.new.clone().unwrap_or_default(),
                    r.reason
                )
            })
            .collect(),
    );
    for (key, items) in super::shipping::order_sections(d) {
        section(&mut lines, key, items);
    }
    section(&mut lines, "detail.shipments", d.shipments.clone());
    section(&mut lines, "detail.complaints", d.complaints.clone());
    // `r` answers the inbound contact waiting longest: it is the one highlighted.
    let now = crate::domain::time::now();
    let next = d
        .contacts
        .iter()
        .rev()
        .find(|c| c.awaits_reply())
        .map(|c| c.id);
    section_lines(
        &mut lines,
        "detail.contacts",
        d.contacts
            .iter()
            .map(|c| super::desk::contact_line(c, now, Some(c.id) == next))
            .collect(),
    );
    let block = pane(format!("{} {}", t("detail.title"), o.order_no));
    let inner = block.inner(area);
    let p = super::text::paragraph(lines).wrap(Wrap { trim: false });
    // j/k/PgDn/G scroll as far as the wrapped text reaches.
    let offset = scroll.fit(p.line_count(inner.width), inner.height as usize);
    let p = p.block(block).scroll((offset, 0));
    frame.render_widget(p, area);
}

/// A note of the status history as the clerk reads it: the marks the app itself writes
/// (`created`, `import FILE`) in the UI language, the clerk's own reasons as they were typed.
fn history_note(note: &str) -> String {
    match note.split_once(' ') {
        _ if note == "created" => t("detail.note_created").to_string(),
        Some(("import", file)) => tf("detail.note_import", &[("file", &file)]),
        _ => note.to_string(),
    }
}
