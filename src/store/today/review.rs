//! Figures of the weekly review that are not reminders: where production stands.

use super::super::list::ListContext;
use super::super::Result;
use super::items::query;
use crate::domain::enums::ProductionStage;
use std::str::FromStr;
use strum::IntoEnumIterator;

/// One production stage: the orders in it, and how many of them are past their planned
/// finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bottleneck {
    pub stage: ProductionStage,
    pub orders: u64,
    pub late: u64,
}

/// Every unfinished stage in lifecycle order, counted from the `production_by_stage` index
/// alone.
pub fn bottlenecks(conn: &rusqlite::Connection, ctx: &ListContext) -> Result<Vec<Bottleneck>> {
    let rows = query(
        conn,
        "SELECT stage, count(*), sum(planned_finish < :today) FROM production \
         WHERE stage <> 'done' GROUP BY stage",
        ctx,
        -1,
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<i64>>(2)?,
            ))
        },
    )?;
    let mut out: Vec<Bottleneck> = rows
        .into_iter()
        .filter_map(|(stage, n, late)| {
            Some(Bottleneck {
                stage: ProductionStage::from_str(&stage).ok()?,
                orders: n.max(0) as u64,
                late: late.unwrap_or(0).max(0) as u64,
            })
        })
        .collect();
    for stage in ProductionStage::iter().filter(|s| *s != ProductionStage::Done) {
        if !out.iter().any(|b| b.stage == stage) {
            out.push(Bottleneck {
                stage,
                orders: 0,
                late: 0,
            });
        }
    }
    out.sort_by_key(|b| b.stage);
    Ok(out)
}
