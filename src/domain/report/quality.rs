//! How well the desk keeps its records and its promises (SPEC §4 `status_updates`,
//! `spot_checks`, `targets`).
//!
//! Definitions, relied on by the README:
//! - `status_updates` counts the status changes (from one status to another; an order's
//!   first status when it is entered is not a change) whose `happened_at` is in the month;
//!   one is recorded within the hour when `recorded_at − happened_at ≤ 1 h`.
//! - `spot_checks` counts the checks whose `checked_at` is in the month.
//! - a target is met when the actual rate is at least the target; with no actual rate
//!   (nothing to judge), `actual` and `met` are both `null`.

use crate::domain::kpi::rate;
use serde::{Deserialize, Serialize};

/// The one-hour rule: a status change recorded later than this after it happened is late.
pub const RECORDED_WITHIN: i64 = 3_600;

/// Whether a status change was recorded over an hour after it happened.
pub fn recorded_late(happened_at: i64, recorded_at: i64) -> bool {
    recorded_at - happened_at > RECORDED_WITHIN
}

/// How many hours late a change was recorded, to the nearest hour and at least 1: what the
/// history says beside a change recorded over an hour late.
pub fn hours_late(happened_at: i64, recorded_at: i64) -> i64 {
    ((recorded_at - happened_at + 1_800) / 3_600).max(1)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusUpdates {
    pub changes: u64,
    pub recorded_within_1h: u64,
    pub rate_1h: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpotChecks {
    pub checked: u64,
    pub accurate: u64,
    pub accuracy_rate: Option<f64>,
}

/// Tallies of status changes and spot-checks over one month.
#[derive(Debug, Default)]
pub struct QualityTally {
    changes: u64,
    within_1h: u64,
    checked: u64,
    accurate: u64,
}

impl QualityTally {
    pub fn status_change(&mut self, happened_at: i64, recorded_at: i64) {
        self.changes += 1;
        if !recorded_late(happened_at, recorded_at) {
            self.within_1h += 1;
        }
    }

    pub fn spot_check(&mut self, accurate: bool) {
        self.checked += 1;
        if accurate {
            self.accurate += 1;
        }
    }

    pub fn finish(self) -> (StatusUpdates, SpotChecks) {
        (
            StatusUpdates {
                changes: self.changes,
                recorded_within_1h: self.within_1h,
                rate_1h: rate(self.within_1h, self.changes),
            },
            SpotChecks {
                checked: self.checked,
                accurate: self.accurate,
                accuracy_rate: rate(self.accurate, self.checked),
            },
        )
    }
}

/// `[targets]` of config.toml: the rate each figure should reach, as a fraction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Targets {
    pub on_time_rate: f64,
    pub response_rate_24h: f64,
    pub reply_rate_24h: f64,
    pub closure_rate: f64,
    pub rate_1h: f64,
    pub accuracy_rate: f64,
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            on_time_rate: 0.95,
            response_rate_24h: 0.90,
            reply_rate_24h: 0.90,
            closure_rate: 0.90,
            rate_1h: 0.95,
            accuracy_rate: 0.95,
        }
    }
}

impl Targets {
    /// Each figure's name (its JSON key) and target, in SPEC order.
    pub fn each(&self) -> [(&'static str, f64); 6] {
        [
            ("on_time_rate", self.on_time_rate),
            ("response_rate_24h", self.response_rate_24h),
            ("reply_rate_24h", self.reply_rate_24h),
            ("closure_rate", self.closure_rate),
            ("rate_1h", self.rate_1h),
            ("accuracy_rate", self.accuracy_rate),
        ]
    }

    /// A target outside [0, 1] is a mistake in the file (95 instead of 0.95, say).
    pub fn check(&self) -> Result<(), String> {
        match self
            .each()
            .into_iter()
            .find(|(_, t)| !(0.0..=1.0).contains(t))
        {
            Some((name, t)) => Err(format!(
                "targets.{name} = {t}: a target is a fraction from 0 to 1 (0.95 for 95%)"
            )),
            None => Ok(()),
        }
    }
}

/// One figure held against its target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TargetLine {
    pub target: f64,
    pub actual: Option<f64>,
    pub met: Option<bool>,
}

impl TargetLine {
    pub fn new(target: f64, actual: Option<f64>) -> TargetLine {
        TargetLine {
            target,
            actual,
            met: actual.map(|a| a >= target),
        }
    }
}

/// `targets`: figure → its line, in SPEC order; a JSON object.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TargetLines(pub Vec<(&'static str, TargetLine)>);

impl TargetLines {
    pub fn get(&self, name: &str) -> Option<TargetLine> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, l)| *l)
    }
}

impl Serialize for TargetLines {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(n, l)| (n, l)))
    }
}
