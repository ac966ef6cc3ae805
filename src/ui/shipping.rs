//! The shipping desk's screens: a shipment's detail, its forms (shipment, production,
//! exception, document), the bottleneck view and the pickers; and the order detail's
//! production, exception and document sections.

use super::{pane, theme};
use crate::app::shipping::PickFor;
use crate::app::tab::Tab;
use crate::app::{App, Mode};
use crate::domain::money::canonical;
use crate::domain::time::{format_date, format_stamp_short, now};
use crate::i18n::t;
use crate::store::exceptions::Step;
use crate::store::orders::OrderDetail;
use crate::store::shipments::ShipmentDetail;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Wrap};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

const LABEL: usize = 18;

fn label_line(label: &str, value: String, style: ratatui::style::Style) -> Line<'static> {
    let pad = LABEL.saturating_sub(label.width());
    Line::from(vec![
        Span::styled(format!("{label}{}", " ".repeat(pad)), theme::dim()),
        Span::styled(value, style),
    ])
}

/// Draws the body when the shipping desk owns it; `false` leaves it to the tab.
pub fn draw_body(frame: &mut Frame, app: &App, area: Rect) -> bool {
    if app.form().is_none() && app.tab == Tab::Shipments {
        if let Some(d) = &app.screens.shipments.shipping.detail {
            detail(frame, d, area);
            return true;
        }
    }
    false
}

fn stamp(ts: Option<i64>) -> String {
    ts.map(format_stamp_short).unwrap_or_default()
}

fn detail(frame: &mut Frame, d: &ShipmentDetail, area: Rect) {
    let s = &d.draft;
    let late = s.delivered_at.is_none() && s.eta.is_some_and(|e| now() > e);
    let plain = ratatui::style::Style::default();
    let mut lines = vec![
        label_line(t("sfield.order_no"), s.order_no.clone(), plain),
        label_line(t("col.customer"), d.customer.clone(), plain),
        label_line(
            t("shipment.order_status"),
            t(&format!("status.{}", d.order_status)).to_string(),
            plain,
        ),
        label_line(t("sfield.carrier"), s.carrier.clone(), plain),
        label_line(t("sfield.waybill_no"), s.waybill_no.clone(), plain),
        label_line(
            t("sfield.mode"),
            t(&format!("mode.{}", s.mode)).to_string(),
            plain,
        ),
        label_line(
            t("sfield.status"),
            t(&format!("shipment_status.{}", s.status)).to_string(),
            plain,
        ),
        label_line(t("sfield.shipped_at"), stamp(s.shipped_at), plain),
        label_line(
            t("sfield.eta"),
            if late {
                format!("{} {}", stamp(s.eta), t("ui.late_mark"))
            } else {
                stamp(s.eta)
            },
            if late { theme::late() } else { plain },
        ),
        label_line(t("sfield.delivered_at"), stamp(s.delivered_at), plain),
        label_line(
            t("sfield.weight_kg"),
            s.weight_kg.map(canonical).unwrap_or_default(),
            plain,
        ),
        label_line(
            t("sfield.packages"),
            s.packages.map(|n| n.to_string()).unwrap_or_default(),
            plain,
        ),
        label_line(t("sfield.notes"), s.notes.clone(), plain),
    ];
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        t("shipment.detail_hint"),
        theme::dim(),
    )));
    let title = format!("{} {}", t("shipment.title"), s.waybill_no);
    frame.render_widget(
        super::text::paragraph(lines)
            .block(pane(title))
            .wrap(Wrap { trim: false }),
        area,
    );
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    h
}

/// The shipping desk's overlay, drawn over everything else.
pub fn draw_popup(frame: &mut Frame, app: &App, area: Rect) {
    let (title, lines, width) = match &app.mode {
        Mode::Bottlenecks(loads) => {
            let mut lines = vec![Line::from(Span::styled(
                format!(
                    "{:<16}{:>10}{:>16}",
                    t("bottleneck.stage"),
                    t("bottleneck.orders"),
                    t("bottleneck.late")
                ),
                theme::header(),
            ))];
            let worst = loads.iter().map(|l| l.late).max().unwrap_or(0);
            for l in loads {
                let name = t(&format!("prod_stage.{}", l.stage));
                let pad = 16usize.saturating_sub(name.width());
                let style = if l.late > 0 && l.late == worst {
                    theme::late()
                } else {
                    ratatui::style::Style::default()
                };
                lines.push(Line::from(vec![
                    Span::raw(format!("{name}{}", " ".repeat(pad))),
                    Span::raw(format!("{:>10}", l.orders)),
                    Span::styled(format!("{:>16}", l.late), style),
                ]));
            }
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(t("bottleneck.hint"), theme::dim())));
            (t("bottleneck.title").to_string(), lines, 50)
        }
        Mode::Pick(p) => {
            let question = match p.purpose {
                PickFor::Exception(Step::Informed) => t("exception.pick_inform"),
                PickFor::Exception(Step::Resolved) => t("exception.pick_resolve"),
                PickFor::Document => t("document.pick"),
            };
            let mut lines = vec![Line::from(question)];
            for (i, (_, text)) in p.items.iter().enumerate() {
                let style = if i == p.selected {
                    theme::selected()
                } else {
                    ratatui::style::Style::default()
                };
                lines.push(Line::from(Span::styled(format!(" {text} "), style)));
            }
            lines.push(Line::from(Span::styled(
                super::keys_hint(app, "shipment.pick_hint"),
                theme::dim(),
            )));
            (t("ui.confirm").to_string(), lines, 72)
        }
        _ => return,
    };
    let r = centered(area, width, lines.len() as u16 + 2);
    frame.render_widget(Clear, r);
    frame.render_widget(
        super::text::paragraph(lines)
            .block(pane(title))
            .wrap(Wrap { trim: false }),
        r,
    );
}

/// The order detail's production, exceptions and documents, as (title key, lines).
pub fn order_sections(d: &OrderDetail) -> Vec<(&'static str, Vec<String>)> {
    let production = d
        .production_row
        .iter()
        .map(|p| {
            let mut s = format!(
                "{} · {} {} · {}%",
                t(&format!("prod_stage.{}", p.stage)),
                t("sfield.materials"),
                t(&format!("prod_materials.{}", p.materials)),
                p.percent
            );
            if let Some(start) = p.scheduled_start {
                s.push_str(&format!(
                    " · {} {}",
                    t("sfield.scheduled_start"),
                    format_date(start)
                ));
            }
            if let Some(finish) = p.planned_finish {
                let late = p.stage != crate::domain::enums::ProductionStage::Done
                    && finish < crate::domain::time::today();
                s.push_str(&format!(
                    " · {} {}",
                    t("sfield.planned_finish"),
                    format_date(finish)
                ));
                if late {
                    s.push_str(&format!(" {}", t("ui.late_mark")));
                }
            }
            s
        })
        .collect();
    let late = d.late_delivery.iter().map(|(date, cause)| {
        let cause = if cause == "unspecified" {
            t("exception.cause_unspecified").to_string()
        } else {
            t(&format!("exc_cause.{cause}")).to_string()
        };
        crate::i18n::tf(
            "exception.late_delivery",
            &[("date", &format_date(*date)), ("cause", &cause)],
        )
    });
    let exceptions = late
        .chain(d.exception_rows.iter().map(|e| {
            let mut s = format!(
                "{} · {} · {} {}",
                t(&format!("exc_kind.{}", e.kind)),
                t(&format!("exc_cause.{}", e.cause)),
                t("exception.opened_at"),
                format_stamp_short(e.opened_at)
            );
            match e.customer_informed_at {
                Some(at) => s.push_str(&format!(
                    " · {} {}",
                    t("exception.informed_at"),
                    format_stamp_short(at)
                )),
                None => s.push_str(&format!(" · {}", t("exception.not_informed"))),
            }
            match e.resolved_at {
                Some(at) => s.push_str(&format!(
                    " · {} {}",
                    t("exception.resolved_at"),
                    format_stamp_short(at)
                )),
                None => s.push_str(&format!(" · {}", t("exception.open"))),
            }
            if !e.note.is_empty() {
                s.push_str(&format!(" · {}", e.note));
            }
            s
        }))
        .collect();
    let documents = d
        .documents
        .iter()
        .map(|doc| {
            format!(
                "{} · {} · {} · {}",
                t(&format!("doc_kind.{}", doc.kind)),
                doc.original_name,
                format_stamp_short(doc.added_at),
                doc.stored_path
            )
        })
        .collect();
    vec![
        ("detail.production", production),
        ("detail.exceptions", exceptions),
        ("detail.documents", documents),
    ]
}
