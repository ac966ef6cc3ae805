//! SQL for shipments: the list.

use super::list::{like_escape, Filter, ListEntity, SearchClause, Sort};
use rusqlite::types::Value;
use rusqlite::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentRow {
    pub id: i64,
    pub order_no: String,
    pub carrier: String,
    pub waybill_no: String,
    pub mode: String,
    pub status: String,
    pub shipped_at: Option<i64>,
    pub eta: Option<i64>,
    pub delivered_at: Option<i64>,
}

impl ShipmentRow {
    /// SPEC §2: late when now is past the ETA and it is not delivered.
    pub fn is_late(&self, now: i64) -> bool {
        self.delivered_at.is_none() && self.eta.is_some_and(|eta| now > eta)
    }
}

impl ListEntity for ShipmentRow {
    const FROM: &'static str = "shipments s JOIN orders o ON o.id = s.order_id";
    const COUNT_FROM: &'static str = "shipments s";
    const ID: &'static str = "s.id";
    const COLUMNS: &'static str =
        "o.order_no, ifnull(s.carrier,''), ifnull(s.waybill_no,''), s.mode, \
        s.status, s.shipped_at, s.eta, s.delivered_at";

    fn sorts() -> &'static [Sort] {
        &[
            Sort {
                key: "shipped",
                expr: "ifnull(s.shipped_at, 0)",
                desc: true,
            },
            Sort {
                key: "eta",
                expr: "ifnull(s.eta, 0)",
                desc: false,
            },
        ]
    }

    fn filters() -> Vec<Filter> {
        let mut f = vec![Filter {
            key: "late".into(),
            group: "late",
            sql: "s.delivered_at IS NULL AND s.eta < :now".into(),
        }];
        for m in crate::domain::enums::ShipMode::words() {
            f.push(Filter {
                key: format!("mode:{m}"),
                group: "mode",
                sql: format!("s.mode = '{m}'"),
            });
        }
        for st in crate::domain::enums::ShipmentStatus::words() {
            f.push(Filter {
                key: format!("shipment_status:{st}"),
                group: "status",
                sql: format!("s.status = '{st}'"),
            });
        }
        f
    }

    fn search(query: &str) -> Option<SearchClause> {
        if query.is_empty() {
            return None;
        }
        let esc = like_escape(query);
        Some(SearchClause {
            sql: "(s.waybill_no LIKE :q ESCAPE '\\' OR s.carrier LIKE :q ESCAPE '\\' \
                  OR s.order_id IN (SELECT id FROM orders WHERE order_no LIKE :p ESCAPE '\\'))"
                .into(),
            params: vec![
                (":q".into(), Value::Text(format!("%{esc}%"))),
                (":p".into(), Value::Text(format!("{esc}%"))),
            ],
        })
    }

    fn from_row(r: &Row) -> rusqlite::Result<Self> {
        Ok(ShipmentRow {
            id: r.get(1)?,
            order_no: r.get(2)?,
            carrier: r.get(3)?,
            waybill_no: r.get(4)?,
            mode: r.get(5)?,
            status: r.get(6)?,
            shipped_at: r.get(7)?,
            eta: r.get(8)?,
            delivered_at: r.get(9)?,
        })
    }
}
