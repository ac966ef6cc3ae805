//! Production progress of a won order (SPEC §2) and the bottleneck view: per stage, how many
//! orders sit there and how many are past their planned finish.

use super::undo::Change;
use super::{audit, Context, Refusal, Result, StoreError};
use crate::domain::enums::{MaterialsState, ProductionStage};
use crate::domain::status::Status;
use crate::domain::time::{format_date, parse_date};
use crate::store::{Record, RecordKind};
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Production {
    pub stage: ProductionStage,
    pub materials: MaterialsState,
    pub scheduled_start: Option<NaiveDate>,
    pub planned_finish: Option<NaiveDate>,
    pub percent: i64,
}

impl Default for Production {
    fn default() -> Self {
        Production {
            stage: ProductionStage::Materials,
            materials: MaterialsState::Pending,
            scheduled_start: None,
            planned_finish: None,
            percent: 0,
        }
    }
}

impl Production {
    /// The rules progress keeps; field name and string key of each problem.
    pub fn problems(&self) -> Vec<(&'static str, &'static str)> {
        let mut p = Vec::new();
        if !(0..=100).contains(&self.percent) {
            p.push(("percent", "production.err_percent"));
        }
        if let (Some(s), Some(f)) = (self.scheduled_start, self.planned_finish) {
            if f < s {
                p.push(("planned_finish", "production.err_finish_before_start"));
            }
        }
        if self.stage == ProductionStage::Done && self.percent != 100 {
            p.push(("percent", "production.err_done_not_100"));
        }
        p
    }
}

pub fn load(conn: &Connection, order_id: i64) -> Result<Option<Production>> {
    super::sql::row(
        conn,
        "SELECT stage, materials, scheduled_start, planned_finish, percent_complete
         FROM production WHERE order_id = ?1",
        [order_id],
        |r| {
            let date = |i: usize| -> rusqlite::Result<Option<NaiveDate>> {
                Ok(r.get::<_, Option<String>>(i)?
                    .and_then(|s| parse_date(&s).ok()))
            };
            Ok(Production {
                stage: ProductionStage::from_str(&r.get::<_, String>(0)?)
                    .unwrap_or(ProductionStage::Materials),
                materials: MaterialsState::from_str(&r.get::<_, String>(1)?)
                    .unwrap_or(MaterialsState::Pending),
                scheduled_start: date(2)?,
                planned_finish: date(3)?,
                percent: r.get(4)?,
            })
        },
    )
    .optional()
    .doing("reading production progress")
}

/// Saves the progress of a won order (created when it has none yet).
pub fn save(conn: &Connection, change: &mut Change, order_id: i64, p: &Production) -> Result<()> {
    if let Some((_, key)) = p.problems().first() {
        return Err(Refusal::Rule(key).into());
    }
    let (order_no, status): (String, String) = conn
        .query_row(
            "SELECT order_no, status FROM orders WHERE id = ?1",
            [order_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .doing("reading an order")?
        .ok_or_else(|| StoreError::NotFound(Record::new(RecordKind::Order, order_id)))?;
    let status = Status::from_str(&status).unwrap_or(Status::Inquiry);
    if !(status.is_won() || status == Status::OnHold) {
        return Err(Refusal::NotWon { order_no }.into());
    }
    let stamp = crate::domain::time::now();
    let exists = conn
        .query_row(
            "SELECT 1 FROM production WHERE order_id = ?1",
            [order_id],
            |_| Ok(()),
        )
        .optional()
        .doing("reading production progress")?
        .is_some();
    if exists {
        change.capture(conn, "production", order_id)?;
    }
    conn.execute(
        "INSERT INTO production (order_id, stage, materials, scheduled_start, planned_finish,
                                 percent_complete, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (order_id) DO UPDATE SET stage = excluded.stage,
                materials = excluded.materials, scheduled_start = excluded.scheduled_start,
                planned_finish = excluded.planned_finish,
                percent_complete = excluded.percent_complete, updated_at = excluded.updated_at",
        params![
            order_id,
            p.stage.as_str(),
            p.materials.as_str(),
            p.scheduled_start.map(format_date),
            p.planned_finish.map(format_date),
            p.percent,
            stamp
        ],
    )
    .doing("saving production progress")?;
    if !exists {
        change.inserted("production", order_id)?;
    }
    audit::append(
        conn,
        "production",
        "order",
        &order_no,
        &json!({"stage": p.stage.as_str(), "materials": p.materials.as_str(), "percent": p.percent}),
    )?;
    Ok(())
}

/// One stage of the bottleneck view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageLoad {
    pub stage: ProductionStage,
    pub orders: i64,
    /// Of those, how many are past their planned finish.
    pub late: i64,
}

/// Orders still in production (not done, order not shipped or ended), per stage, from the
/// `production_by_stage` index; every stage is listed, empty ones with 0.
pub fn bottlenecks(conn: &Connection, today: NaiveDate) -> Result<Vec<StageLoad>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT p.stage, count(*), ifnull(sum(p.planned_finish < ?1), 0)
             FROM production p JOIN orders o ON o.id = p.order_id
             WHERE p.stage <> 'done'
               AND o.status IN {}
             GROUP BY p.stage",
            *super::today::UNSHIPPED
        ))
        .doing("counting production stages")?;
    let rows = stmt
        .query_map([format_date(today)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })
        .doing("counting production stages")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("counting production stages")?;
    Ok(<ProductionStage as strum::IntoEnumIterator>::iter()
        .filter(|s| *s != ProductionStage::Done)
        .map(|stage| {
            let (orders, late) = rows
                .iter()
                .find(|(s, _, _)| s == stage.as_str())
                .map(|(_, n, l)| (*n, *l))
                .unwrap_or((0, 0));
            StageLoad {
                stage,
                orders,
                late,
            }
        })
        .collect())
}

/// A requirement of the customer that the instruction sheet carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRequirement {
    pub category: String,
    pub status: String,
    pub text: String,
}

/// The customer's requirements that apply to making and sending goods: product, packaging
/// and logistics wishes that are open, forwarded or met (not declined, not service).
pub fn sheet_requirements(conn: &Connection, customer_id: i64) -> Result<Vec<SheetRequirement>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT category, status, text FROM requirements
             WHERE customer_id = ?1 AND status IN ('open','forwarded','met')
               AND category IN ('product','packaging','logistics')
             ORDER BY CASE category WHEN 'product' THEN 0 WHEN 'packaging' THEN 1 ELSE 2 END,
                      created_at, id",
        )
        .doing("reading requirements")?;
    let rows = stmt
        .query_map([customer_id], |r| {
            Ok(SheetRequirement {
                category: r.get(0)?,
                status: r.get(1)?,
                text: r.get(2)?,
            })
        })
        .doing("reading requirements")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("reading requirements")?;
    Ok(rows)
}
