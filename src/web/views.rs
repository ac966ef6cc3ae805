//! What each page shows, read through the store and worded through the i18n tables. Every
//! stored text goes through `text::shown`; personal data is masked for viewers.

use super::http::encode;
use crate::domain::account::Role;
use crate::domain::mask;
use crate::domain::money::{canonical, display_amount, money};
use crate::domain::month::Month;
use crate::domain::text::{shown, shown_lines};
use crate::domain::time::{format_date, format_stamp_short};
use crate::i18n::{t, tf};
use crate::store::complaints::ComplaintRow;
use crate::store::list::ListContext;
use crate::store::orders;
use crate::store::today::ResponseWindows;
use crate::store::{customers, related, StoreError};
use rusqlite::Connection;
use serde_json::{json, Value};

/// A page's template and what it shows.
pub struct View {
    pub template: &'static str,
    pub title: String,
    pub data: Value,
}

pub enum ViewError {
    NotFound,
    Store(StoreError),
}

impl From<StoreError> for ViewError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => ViewError::NotFound,
            e => ViewError::Store(e),
        }
    }
}

pub type ViewResult = Result<View, ViewError>;

/// Who is reading, and when.
pub struct Reader {
    pub role: Role,
    pub ctx: ListContext,
    pub windows: ResponseWindows,
    pub targets: crate::domain::report::quality::Targets,
}

impl Reader {
    fn phone(&self, s: &str) -> String {
        self.pii(s, mask::phone)
    }
    fn email(&self, s: &str) -> String {
        self.pii(s, mask::email)
    }
    fn generic(&self, s: &str) -> String {
        self.pii(s, mask::generic)
    }
    fn pii(&self, s: &str, f: fn(&str) -> String) -> String {
        let s = shown(s);
        if self.role.masks() {
            f(&s)
        } else {
            s.into_owned()
        }
    }
}

pub fn order(conn: &Connection, r: &Reader, order_no: &str) -> ViewResult {
    let id = orders::id_by_number(conn, order_no)?.ok_or(ViewError::NotFound)?;
    // One snapshot, so the parts agree with each other.
    let tx = conn.unchecked_transaction().map_err(|e| {
        ViewError::Store(StoreError::Sql {
            doing: "reading an order",
            source: e,
        })
    })?;
    let d = orders::load_detail(&tx, id)?;
    let customer = match d.draft.customer_id {
        Some(cid) => Some(customers::draft(&tx, cid)?.0),
        None => None,
    };
    let shipments = related::shipments_of(&tx, id)?;
    let complaints = related::complaints_of(&tx, id)?;
    drop(tx);
    let o = &d.draft;
    let dash = || "—".to_string();
    let history: Vec<String> = d
        .history
        .iter()
        .map(|h| {
            let word = |s: &str| t(&format!("status.{s}")).to_string();
            let mut line = tf(
                "web.detail.history_line",
                &[
                    ("when", &format_stamp_short(h.happened_at)),
                    ("from", &h.from.as_deref().map(word).unwrap_or_else(dash)),
                    ("to", &word(&h.to)),
                ],
            );
            if h.recorded_late() {
                line.push_str(" · ");
                line.push_str(&crate::ui::words::recorded_late(h));
            }
            if !h.note.is_empty() {
                line.push_str(" · ");
                line.push_str(&shown(&h.note));
            }
            line
        })
        .collect();
    let revisions: Vec<String> = d
        .revisions
        .iter()
        .map(|v| {
            tf(
                "web.detail.revision_line",
                &[
                    ("when", &format_stamp_short(v.changed_at)),
                    ("old", &v.old.clone().unwrap_or_else(dash)),
                    ("new", &v.new.clone().unwrap_or_else(dash)),
                    ("reason", &shown(&v.reason)),
                ],
            )
        })
        .collect();
    let production: Vec<String> = d
        .production_row
        .iter()
        .map(|p| {
            let mut parts = vec![
                t(&format!("prod_stage.{}", p.stage.as_str())).to_string(),
                format!(
                    "{}: {}",
                    t("sfield.materials"),
                    t(&format!("prod_materials.{}", p.materials.as_str()))
                ),
                format!("{}%", p.percent),
            ];
            if let Some(s) = p.scheduled_start {
                parts.push(format!(
                    "{}: {}",
                    t("sfield.scheduled_start"),
                    format_date(s)
                ));
            }
            if let Some(f) = p.planned_finish {
                parts.push(format!(
                    "{}: {}",
                    t("sfield.planned_finish"),
                    format_date(f)
                ));
            }
            parts.join(" · ")
        })
        .collect();
    let exceptions: Vec<String> = d
        .exception_rows
        .iter()
        .map(|e| {
            let mut parts = vec![
                format!(
                    "{} ({})",
                    t(&format!("exc_kind.{}", e.kind)),
                    t(&format!("exc_cause.{}", e.cause))
                ),
                format_stamp_short(e.opened_at),
            ];
            if let Some(at) = e.resolved_at {
                parts.push(format!("✓ {}", format_stamp_short(at)));
            }
            if !e.note.is_empty() {
                parts.push(shown(&e.note).into_owned());
            }
            parts.join(" · ")
        })
        .collect();
    let ships: Vec<String> = shipments
        .iter()
        .map(|s| {
            let mut parts = vec![
                format!("{} {}", shown(&s.carrier), shown(&s.waybill_no)),
                t(&format!("mode.{}", s.mode)).to_string(),
                t(&format!("shipment_status.{}", s.status)).to_string(),
            ];
            if let Some(eta) = s.eta {
                parts.push(format!("{}: {}", t("web.col.eta"), format_stamp_short(eta)));
            }
            if s.is_late(r.ctx.now) {
                parts.push(t("filter.late").to_string());
            }
            parts.join(" · ")
        })
        .collect();
    let comps: Vec<String> = complaints
        .iter()
        .map(|c| {
            format!(
                "{} · {} · {} · {}",
                shown(&c.complaint_no),
                t(&format!("complaint_type.{}", c.kind)),
                t(&format!("severity.{}", c.severity)),
                complaint_state(c)
            )
        })
        .collect();
    let section = |key: &str, items: Vec<String>| json!({ "title": t(&format!("web.detail.{key}")), "items": items });
    let payment = match (o.paid_at, o.payment_due) {
        (Some(p), _) => tf("web.detail.paid", &[("date", &format_date(p))]),
        (None, Some(due)) => tf("web.detail.payment_due", &[("date", &format_date(due))]),
        (None, None) => t("web.detail.unpaid").to_string(),
    };
    let lines: Vec<Value> = o
        .lines
        .iter()
        .map(|l| {
            json!({
                "product": shown(&l.product_code),
                "spec": shown(&l.spec),
                "quantity": format!("{} {}", canonical(l.quantity), shown(&l.unit)),
                "price": l.unit_price.map(display_amount).unwrap_or_default(),
            })
        })
        .collect();
    let first_due = d
        .revisions
        .first()
        .and_then(|v| v.old.clone())
        .filter(|f| Some(f.as_str()) != o.due_date.map(format_date).as_deref());
    let total = o
        .lines
        .iter()
        .filter_map(|l| l.unit_price.map(|p| p * l.quantity))
        .sum::<rust_decimal::Decimal>();
    let title = shown(&o.order_no).into_owned();
    Ok(View {
        template: "order.html",
        title: title.clone(),
        data: json!({ "o": {
            "order_no": title,
            "status": t(&format!("status.{}", o.status.as_str())),
            "customer": format!("{} {}", shown(&d.customer_code), shown(&d.customer)),
            "contact": customer.as_ref().map(|c| shown(&c.contact_person).into_owned()).unwrap_or_default(),
            "phone": customer.as_ref().map(|c| r.phone(&c.phone)).unwrap_or_default(),
            "email": customer.as_ref().map(|c| r.email(&c.email)).unwrap_or_default(),
            "order_type": t(&format!("type.{}", o.order_type.as_str())),
            "ordered": format_stamp_short(o.ordered_at),
            "due": o.due_date.map(format_date).unwrap_or_default(),
            "first_due": first_due,
            "address": r.generic(&o.delivery_address),
            "total": money(&shown(&o.currency), total),
            "payment": payment,
            "missing": if d.missing.is_empty() { String::new() } else if o.missing_reason.is_empty() { "—".to_string() } else { shown(&o.missing_reason).into_owned() },
            "notes": shown_lines(&o.notes),
            "lines": lines,
            "sections": [
                section("history", history),
                section("revisions", revisions),
                section("production", production),
                section("exceptions", exceptions),
                section("shipments", ships),
                section("complaints", comps),
            ],
        }}),
    })
}

pub(super) fn complaint_state(c: &ComplaintRow) -> String {
    if c.resolved_at.is_some() {
        t("filter.closed").to_string()
    } else if c.first_response_at.is_some() {
        t("filter.in_progress").to_string()
    } else {
        t("filter.awaiting").to_string()
    }
}

const TODAY_ITEMS: usize = 20;

pub fn today(conn: &Connection, r: &Reader) -> ViewResult {
    use crate::io::reminders::describe;
    use crate::store::today::{Detail, Subject};
    use crate::ui::text::at_least;
    let kinds = crate::store::today::build(conn, r.windows, &r.ctx, &|_| Some(TODAY_ITEMS))?;
    let today = r.ctx.day();
    let shown_kinds: Vec<Value> = kinds
        .iter()
        .filter(|k| k.count > 0)
        .map(|k| {
            let items: Vec<Value> = k
                .items
                .iter()
                .map(|i| {
                    let x = describe(i, r.ctx.now, today);
                    let order_no = match (&i.subject, &i.detail) {
                        (Subject::Order(_), _) => Some(i.what.clone()),
                        (_, Detail::Shipment { order_no, .. })
                        | (_, Detail::Complaint { order_no, .. }) => Some(order_no.clone()),
                        _ => None,
                    }
                    .filter(|n| !n.is_empty());
                    json!({
                        "what": shown(&x.what),
                        "customer": shown(&x.customer),
                        "when": shown(&x.when),
                        "why": shown(&x.why),
                        "late": x.late,
                        "link": order_no.map(|n| encode(&n)),
                    })
                })
                .collect();
            json!({
                "title": t(&format!("today.{}", k.kind)),
                "count": at_least(k.shown(), k.is_capped()),
                "items": items,
                "more": (k.more() > 0).then(|| tf("remind.more", &[("count", &at_least(k.more(), k.is_capped()))])),
            })
        })
        .collect();
    Ok(View {
        template: "today.html",
        title: t("web.nav.today").to_string(),
        data: json!({
            "kinds": shown_kinds,
            "generated": format_stamp_short(r.ctx.now),
        }),
    })
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    pub month: String,
}

pub fn report(conn: &Connection, r: &Reader, q: &ReportQuery) -> ViewResult {
    let current = Month::current();
    let month = q
        .month
        .parse::<Month>()
        .ok()
        .filter(|m| *m <= current)
        .unwrap_or(current);
    let data = crate::io::report::gather(conn, month, r.ctx.now, &r.targets)?;
    let next = month.next();
    Ok(View {
        template: "report.html",
        title: tf("report.heading", &[("month", &month)]),
        data: json!({
            "month": month.to_string(),
            "prev": month.prev().to_string(),
            "next": (next <= current).then(|| next.to_string()),
            "body": crate::io::report::html_fragment(&data),
        }),
    })
}

pub fn review(conn: &Connection, r: &Reader) -> ViewResult {
    let mut review = crate::io::review::gather(conn, r.windows, &r.ctx)?;
    review.sections.extend(crate::io::report::review::sections(
        conn, r.ctx.now, &r.targets,
    )?);
    let sections: Vec<Value> = review
        .sections
        .iter()
        .map(|s| {
            json!({
                "title": s.title,
                "count": s.count,
                "columns": s.columns,
                "rows": s.rows.iter().map(|l| json!({
                    "cells": l.cells.iter().map(|c| shown(c).into_owned()).collect::<Vec<_>>(),
                    "late": l.late,
                    "good": l.good,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(View {
        template: "review.html",
        title: review.title.clone(),
        data: json!({ "review": {
            "title": review.title,
            "generated": review.generated,
            "sections": sections,
        }}),
    })
}
