//! The on-time trend: deliveries over several months, each judged with the month report's
//! on-time rule.

use super::{DueCutoffs, MonthReport};
use crate::domain::kpi::rate;
use crate::domain::month::Month;
use crate::domain::time::day_start;
use chrono::NaiveDate;
use serde::Serialize;

/// One month of the on-time trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    pub month: Month,
    pub delivered: u64,
    pub on_time: u64,
    pub on_time_rate: Option<f64>,
}

impl TrendPoint {
    /// The month's point as its report already counted it.
    pub fn of(report: &MonthReport) -> TrendPoint {
        TrendPoint {
            month: report.month,
            delivered: report.delivery.delivered,
            on_time: report.delivery.on_time,
            on_time_rate: report.delivery.on_time_rate,
        }
    }
}

/// Deliveries over several months, counted per month with the same on-time rule.
#[derive(Debug)]
pub struct TrendTally {
    starts: Vec<i64>,
    end: i64,
    points: Vec<TrendPoint>,
    cutoffs: DueCutoffs,
}

impl TrendTally {
    /// The `n` months ending with `last`.
    pub fn new(last: Month, n: usize) -> TrendTally {
        let months = last.last(n.max(1));
        TrendTally {
            starts: months.iter().map(|m| m.bounds().0).collect(),
            end: last.bounds().1,
            points: months
                .into_iter()
                .map(|month| TrendPoint {
                    month,
                    delivered: 0,
                    on_time: 0,
                    on_time_rate: None,
                })
                .collect(),
            cutoffs: DueCutoffs::default(),
        }
    }

    /// `[start, end)` of the whole span in UTC seconds.
    pub fn span(&self) -> (i64, i64) {
        (self.starts[0], self.end)
    }

    pub fn delivery(&mut self, delivered_at: i64, due: Option<&str>) {
        if delivered_at < self.starts[0] || delivered_at >= self.end {
            return;
        }
        let i = self.starts.partition_point(|s| *s <= delivered_at) - 1;
        let on_time = self.cutoffs.met(delivered_at, due);
        let p = &mut self.points[i];
        p.delivered += 1;
        if on_time {
            p.on_time += 1;
        }
    }

    /// Every local day of the span, oldest first. A delivery made on a day is on time
    /// exactly when its due date is that day or later (the rule of `DueCutoffs`, as local
    /// days start in order), so a day's figures are two counts over its deliveries.
    pub fn days(&self) -> Vec<TrendDay> {
        let mut days = Vec::new();
        for (point, p) in self.points.iter().enumerate() {
            let end = p.month.next().first_day();
            let mut date = p.month.first_day();
            let mut start = day_start(date);
            while date < end {
                let Some(next) = date.succ_opt() else { break };
                let next_start = day_start(next);
                days.push(TrendDay {
                    point,
                    date,
                    start,
                    end: next_start,
                });
                date = next;
                start = next_start;
            }
        }
        days
    }

    /// `delivered` deliveries made on `day`, `on_time` of them by their due date.
    pub fn add_day(&mut self, day: &TrendDay, delivered: u64, on_time: u64) {
        if let Some(p) = self.points.get_mut(day.point) {
            p.delivered += delivered;
            p.on_time += on_time;
        }
    }

    pub fn finish(mut self) -> Vec<TrendPoint> {
        for p in &mut self.points {
            p.on_time_rate = rate(p.on_time, p.delivered);
        }
        self.points
    }
}

/// One local day of a trend's span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendDay {
    /// The month (index of the trend's points) the day belongs to.
    pub point: usize,
    pub date: NaiveDate,
    /// `[start, end)` in UTC seconds.
    pub start: i64,
    pub end: i64,
}
