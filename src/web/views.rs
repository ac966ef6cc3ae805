//! What each page shows, read through the store and worded through the i18n tables. Every
//! stored text goes through `text::shown`; personal data is masked for viewers.

use super::http::encode;
use crate::domain::account::Role;
use crate::domain::mask;
use crate::domain::month::Month;
use crate::domain::status::Status;
use crate::domain::text::{shown, shown_lines};
use crate::domain::time::{format_date, format_stamp_short};
use crate::i18n::{t, tf};
use crate::store::complaints::ComplaintRow;
use crate::store::list::{self, Anchor, Key, ListContext, ListEntity, ListQuery};
use crate::store::orders::{self, OrderRow};
use crate::store::shipments::ShipmentRow;
use crate::store::today::ResponseWindows;
use crate::store::{customers, related, StoreError};
use rusqlite::types::Value as SqlValue;
use rusqlite::Connection;
use serde::Serialize;
use serde_json::{json, Value};

/// Rows on one page of a list.
pub const PAGE_ROWS: usize = 50;

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

/// A list position in a URL: `i<number>_<id>` or `s<hex>_<id>`.
pub fn encode_key(k: &Key) -> String {
    let sort = match &k.sort {
        SqlValue::Integer(n) => format!("i{n}"),
        SqlValue::Text(s) => format!("s{}", hex::encode(s)),
        SqlValue::Real(f) => format!("r{}", f.to_bits()),
        _ => "n".to_string(),
    };
    format!("{sort}_{}", k.id)
}

pub fn decode_key(s: &str) -> Option<Key> {
    let (sort, id) = s.rsplit_once('_')?;
    let id = id.parse().ok()?;
    let sort = match sort.split_at_checked(1)? {
        ("i", n) => SqlValue::Integer(n.parse().ok()?),
        ("s", h) => SqlValue::Text(String::from_utf8(hex::decode(h).ok()?).ok()?),
        ("r", b) => SqlValue::Real(f64::from_bits(b.parse().ok()?)),
        ("n", "") => SqlValue::Null,
        _ => return None,
    };
    Some(Key { sort, id })
}

/// One page of a list at a position given in the URL, with the positions of the pages
/// around it.
struct Window<T> {
    rows: Vec<T>,
    next: Option<String>,
    prev: Option<String>,
}

fn window<T: ListEntity>(
    conn: &Connection,
    q: &ListQuery,
    after: Option<&str>,
    before: Option<&str>,
    ctx: &ListContext,
) -> crate::store::Result<Window<T>> {
    if let Some(k) = before.and_then(decode_key) {
        let mut page = list::fetch::<T>(conn, q, &Anchor::Before(k), PAGE_ROWS + 1, ctx)?;
        let more = page.rows.len() > PAGE_ROWS;
        if more {
            page.rows.remove(0);
            page.keys.remove(0);
        }
        return Ok(Window {
            next: page.keys.last().map(encode_key),
            prev: if more {
                page.keys.first().map(encode_key)
            } else {
                None
            },
            rows: page.rows,
        });
    }
    let from = after.and_then(decode_key);
    let anchor = from.clone().map(Anchor::After).unwrap_or(Anchor::First);
    let mut page = list::fetch::<T>(conn, q, &anchor, PAGE_ROWS + 1, ctx)?;
    let more = page.rows.len() > PAGE_ROWS;
    page.rows.truncate(PAGE_ROWS);
    page.keys.truncate(PAGE_ROWS);
    Ok(Window {
        next: if more {
            page.keys.last().map(encode_key)
        } else {
            None
        },
        prev: if from.is_some() {
            page.keys.first().map(encode_key)
        } else {
            None
        },
        rows: page.rows,
    })
}

fn link(base: &str, params: &[(&str, &str)], extra: Option<(&str, &str)>) -> String {
    let mut parts: Vec<String> = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    if let Some((k, v)) = extra {
        parts.push(format!("{k}={}", encode(v)));
    }
    if parts.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", parts.join("&"))
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct OrdersQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    #[serde(default, rename = "type")]
    pub order_type: String,
    #[serde(default)]
    pub due: String,
    pub after: Option<String>,
    pub before: Option<String>,
}

#[derive(Serialize)]
struct Choice {
    key: String,
    label: String,
}

/// Filter keys the list knows; anything else in the URL is ignored.
fn known_filter<T: ListEntity>(key: String) -> Option<String> {
    T::filter(&key).map(|_| key)
}

pub fn orders(conn: &Connection, r: &Reader, q: &OrdersQuery) -> ViewResult {
    let search: String = q.q.chars().take(200).collect();
    let mut filters = Vec::new();
    if !q.status.is_empty() {
        filters.extend(known_filter::<OrderRow>(format!("status:{}", q.status)));
    }
    if !q.order_type.is_empty() {
        filters.extend(known_filter::<OrderRow>(format!("type:{}", q.order_type)));
    }
    if q.due == "overdue" || q.due == "due_week" {
        filters.push(q.due.clone());
    }
    let query = ListQuery {
        search: search.clone(),
        filters,
        sort: 0,
        reversed: false,
    };
    let w = window::<OrderRow>(
        conn,
        &query,
        q.after.as_deref(),
        q.before.as_deref(),
        &r.ctx,
    )?;
    let today = r.ctx.day();
    let rows: Vec<Value> = w
        .rows
        .iter()
        .map(|o| {
            let overdue = o.due_date.is_some_and(|d| d < today)
                && matches!(
                    o.status,
                    Status::Confirmed | Status::InProduction | Status::Ready | Status::OnHold
                );
            json!({
                "order_no": shown(&o.order_no),
                "link": encode(&o.order_no),
                "customer": shown(&o.customer),
                "order_type": t(&format!("type.{}", o.order_type)),
                "status": t(&format!("status.{}", o.status.as_str())),
                "due": o.due_date.map(format_date).unwrap_or_default(),
                "overdue": overdue,
                "total": format!("{} {}", shown(&o.currency), shown(&o.total)),
                "percent": o.percent.map(|p| format!("{p}%")).unwrap_or_default(),
            })
        })
        .collect();
    let params = [
        ("q", search.as_str()),
        ("status", q.status.as_str()),
        ("type", q.order_type.as_str()),
        ("due", q.due.as_str()),
    ];
    let statuses: Vec<Choice> = <Status as strum::IntoEnumIterator>::iter()
        .map(|s| Choice {
            key: s.as_str().to_string(),
            label: t(&format!("status.{}", s.as_str())).to_string(),
        })
        .collect();
    let types: Vec<Choice> = ["regular", "rush", "custom"]
        .iter()
        .map(|s| Choice {
            key: s.to_string(),
            label: t(&format!("type.{s}")).to_string(),
        })
        .collect();
    Ok(View {
        template: "orders.html",
        title: t("web.nav.orders").to_string(),
        data: json!({
            "rows": rows,
            "q": search,
            "status": q.status,
            "type": q.order_type,
            "due": q.due,
            "statuses": statuses,
            "types": types,
            "next": w.next.map(|k| link("/orders", &params, Some(("after", &k)))),
            "prev": w.prev.map(|k| link("/orders", &params, Some(("before", &k)))),
            "first": (q.after.is_some() || q.before.is_some()).then(|| link("/orders", &params, None)),
        }),
    })
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
                "quantity": format!("{} {}", l.quantity, shown(&l.unit)),
                "price": l.unit_price.map(|p| p.to_string()).unwrap_or_default(),
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
            "total": format!("{} {}", shown(&o.currency), total),
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

fn complaint_state(c: &ComplaintRow) -> String {
    if c.resolved_at.is_some() {
        t("filter.closed").to_string()
    } else if c.first_response_at.is_some() {
        t("filter.in_progress").to_string()
    } else {
        t("filter.awaiting").to_string()
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ShipmentsQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub late: String,
    pub after: Option<String>,
}

pub fn shipments(conn: &Connection, r: &Reader, q: &ShipmentsQuery) -> ViewResult {
    let search: String = q.q.chars().take(200).collect();
    let late = !q.late.is_empty();
    let query = ListQuery {
        search: search.clone(),
        filters: if late { vec!["late".into()] } else { vec![] },
        sort: 0,
        reversed: false,
    };
    let w = window::<ShipmentRow>(conn, &query, q.after.as_deref(), None, &r.ctx)?;
    let rows: Vec<Value> = w
        .rows
        .iter()
        .map(|s| {
            json!({
                "order_no": shown(&s.order_no),
                "link": encode(&s.order_no),
                "carrier": shown(&s.carrier),
                "waybill": shown(&s.waybill_no),
                "mode": t(&format!("mode.{}", s.mode)),
                "status": t(&format!("shipment_status.{}", s.status)),
                "shipped": s.shipped_at.map(format_stamp_short).unwrap_or_default(),
                "eta": s.eta.map(format_stamp_short).unwrap_or_default(),
                "late": s.is_late(r.ctx.now),
            })
        })
        .collect();
    let params = [
        ("q", search.as_str()),
        ("late", if late { "1" } else { "" }),
    ];
    Ok(View {
        template: "shipments.html",
        title: t("web.nav.shipments").to_string(),
        data: json!({
            "rows": rows,
            "q": search,
            "late": late,
            "next": w.next.map(|k| link("/shipments", &params, Some(("after", &k)))),
            "first": q.after.is_some().then(|| link("/shipments", &params, None)),
        }),
    })
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ComplaintsQuery {
    #[serde(default)]
    pub state: String,
    pub after: Option<String>,
}

const COMPLAINT_STATES: [&str; 4] = ["awaiting", "overdue_response", "in_progress", "closed"];

pub fn complaints(conn: &Connection, r: &Reader, q: &ComplaintsQuery) -> ViewResult {
    let state = COMPLAINT_STATES
        .iter()
        .find(|s| **s == q.state)
        .copied()
        .unwrap_or("");
    // Open ones by default: awaiting a response or in progress, by urgency.
    let filters = if state.is_empty() {
        vec![]
    } else {
        vec![state.to_string()]
    };
    let query = ListQuery {
        search: String::new(),
        filters,
        sort: 0,
        reversed: false,
    };
    let mut w = window::<ComplaintRow>(conn, &query, q.after.as_deref(), None, &r.ctx)?;
    // By urgency the closed ones come last: once one shows, the open ones are all listed.
    if state.is_empty() && w.rows.iter().any(|c| c.resolved_at.is_some()) {
        w.next = None;
    }
    let rows: Vec<Value> = w
        .rows
        .iter()
        .filter(|c| !state.is_empty() || c.resolved_at.is_none())
        .map(|c| {
            let awaiting = c.first_response_at.is_none() && c.resolved_at.is_none();
            json!({
                "complaint_no": shown(&c.complaint_no),
                "customer": shown(&c.customer),
                "order_no": shown(&c.order_no),
                "link": encode(&c.order_no),
                "kind": t(&format!("complaint_type.{}", c.kind)),
                "severity": t(&format!("severity.{}", c.severity)),
                "awaiting": awaiting,
                "overdue": awaiting && c.response_due_at < r.ctx.now,
                "due": c.response_due_at,
                "deadline": format_stamp_short(c.response_due_at),
                "state": complaint_state(c),
            })
        })
        .collect();
    let states: Vec<Choice> = COMPLAINT_STATES
        .iter()
        .map(|s| Choice {
            key: s.to_string(),
            label: t(&format!(
                "filter.{}",
                if *s == "overdue_response" {
                    "overdue"
                } else {
                    s
                }
            ))
            .to_string(),
        })
        .collect();
    let params = [("state", state)];
    Ok(View {
        template: "complaints.html",
        title: t("web.nav.complaints").to_string(),
        data: json!({
            "rows": rows,
            "state": state,
            "states": states,
            "next": w.next.map(|k| link("/complaints", &params, Some(("after", &k)))),
            "first": q.after.is_some().then(|| link("/complaints", &params, None)),
        }),
    })
}

/// Items of one kind shown on Today; the count says how many more there are.
const TODAY_ITEMS: usize = 20;

pub fn today(conn: &Connection, r: &Reader) -> ViewResult {
    use crate::io::reminders::{describe, thousands};
    use crate::store::today::{Detail, Subject};
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
                "count": thousands(k.count),
                "items": items,
                "more": (k.more() > 0).then(|| tf("remind.more", &[("count", &thousands(k.more()))])),
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
    let data = crate::io::report::gather(conn, month, r.ctx.now)?;
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
    let review = crate::io::review::gather(conn, r.windows, &r.ctx)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_positions_survive_the_url() {
        for k in [
            Key {
                sort: SqlValue::Integer(-5),
                id: 7,
            },
            Key {
                sort: SqlValue::Text("a_b 中".into()),
                id: 1,
            },
            Key {
                sort: SqlValue::Null,
                id: 3,
            },
        ] {
            assert_eq!(decode_key(&encode_key(&k)), Some(k));
        }
        assert_eq!(decode_key("x1_2"), None);
        assert_eq!(decode_key("i1"), None);
    }
}
