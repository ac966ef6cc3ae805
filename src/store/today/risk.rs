//! High-risk orders with their reasons: the SQL finds them (`ORDER_FILTERS` "high_risk"),
//! `domain::risk` says why.

use super::super::list::ListContext;
use super::super::Result;
use super::items::{date, query, word};
use super::order_filter_sql;
use crate::domain::enums::ExceptionKind;
use crate::domain::risk::{RiskFacts, RiskReason};
use crate::domain::status::Status;
use chrono::NaiveDate;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskyOrder {
    pub id: i64,
    pub order_no: String,
    pub customer: String,
    pub status: Status,
    pub due_date: Option<NaiveDate>,
    pub reasons: Vec<RiskReason>,
}

/// How many orders are at high risk, and the first `limit` of them (`None`: all), due date
/// first, each with its reasons. One pass over the candidates: the count rides along as a
/// window over the same rows.
pub fn high_risk(
    conn: &rusqlite::Connection,
    ctx: &ListContext,
    limit: Option<usize>,
) -> Result<(u64, Vec<RiskyOrder>)> {
    let cond = order_filter_sql("high_risk").unwrap_or("0");
    let sql = format!(
        "WITH hr AS (SELECT o.id AS id, ifnull(o.due_date, '9999-12-31') AS due, \
                     count(*) OVER () AS n \
                     FROM orders o WHERE {cond} ORDER BY due, o.id LIMIT :limit) \
         SELECT hr.n, o.id, o.order_no, ifnull(c.name, ''), o.status, o.order_type, o.due_date, \
           (SELECT group_concat(e.kind) FROM exceptions e \
             WHERE e.order_id = o.id AND e.resolved_at IS NULL), \
           EXISTS (SELECT 1 FROM production p WHERE p.order_id = o.id \
             AND p.stage <> 'done' AND p.planned_finish < :today), \
           EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id \
             AND s.delivered_at IS NULL AND s.eta < :now) \
         FROM hr JOIN orders o ON o.id = hr.id LEFT JOIN customers c ON c.id = o.customer_id \
         ORDER BY hr.due, hr.id"
    );
    let today = ctx.day();
    let limit = limit.map_or(-1, |l| l as i64);
    let mut total = 0;
    let rows = query(conn, &sql, ctx, limit, |r| {
        total = r.get::<_, i64>(0)?.max(0) as u64;
        let kinds: Option<String> = r.get(7)?;
        let facts = RiskFacts {
            status: word(r, 4)?,
            order_type: word(r, 5)?,
            due_date: date(r, 6)?,
            open_exceptions: kinds
                .unwrap_or_default()
                .split(',')
                .filter_map(|k| ExceptionKind::from_str(k).ok())
                .collect(),
            production_late: r.get(8)?,
            shipment_late: r.get(9)?,
        };
        Ok(RiskyOrder {
            id: r.get(1)?,
            order_no: r.get(2)?,
            customer: r.get(3)?,
            status: facts.status,
            due_date: facts.due_date,
            reasons: facts.reasons(today),
        })
    })?;
    Ok((total, rows))
}
