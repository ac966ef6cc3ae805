//! The list pages (Orders, Shipments, Complaints): a window of the store's list engine at a
//! position carried in the URL, with links to the pages around it.

use super::http::encode;
use super::views::{complaint_state, Reader, View, ViewResult};
use crate::domain::money::{money, parse_decimal};
use crate::domain::status::Status;
use crate::domain::text::shown;
use crate::domain::time::{format_date, format_stamp_short};
use crate::i18n::t;
use crate::store::complaints::ComplaintRow;
use crate::store::list::{self, Anchor, Key, ListContext, ListEntity, ListQuery};
use crate::store::orders::OrderRow;
use crate::store::shipments::ShipmentRow;
use rusqlite::types::Value as SqlValue;
use rusqlite::Connection;
use serde::Serialize;
use serde_json::{json, Value};

/// Rows on one page of a list.
pub const PAGE_ROWS: usize = 50;

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
                "total": parse_decimal(&o.total)
                    .map(|d| money(&shown(&o.currency), d))
                    .unwrap_or_else(|_| format!("{} {}", shown(&o.currency), shown(&o.total))),
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
