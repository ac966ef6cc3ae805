//! Complaints: the response deadline per severity (SPEC §2), the three states a clerk works
//! with, the urgency order of the Complaints list, and what a complaint must satisfy.

use super::enums::{ComplaintType, Department, Severity};
use super::problem::Problem;
use chrono::NaiveDate;

/// How long each severity gives the clerk for the first response: the one place the
/// response windows are defined (SPEC §2). The config gives them in hours, the store keeps
/// them in seconds beside the complaints, the Today list and the acknowledgement read them
/// from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseWindows {
    /// Seconds, in `Severity` order: urgent, high, normal, low.
    seconds: [i64; 4],
}

impl ResponseWindows {
    /// SPEC §2 defaults: urgent 4 h, high 8 h, normal 24 h, low 24 h.
    pub const DEFAULT: ResponseWindows = ResponseWindows::from_hours(4, 8, 24, 24);

    /// Windows of whole hours; a window is at least one second, so a deadline never
    /// falls before the complaint was opened.
    pub const fn from_hours(urgent: u32, high: u32, normal: u32, low: u32) -> ResponseWindows {
        ResponseWindows::from_seconds([
            urgent as i64 * 3600,
            high as i64 * 3600,
            normal as i64 * 3600,
            low as i64 * 3600,
        ])
    }

    pub const fn from_seconds(seconds: [i64; 4]) -> ResponseWindows {
        let mut s = seconds;
        let mut i = 0;
        while i < 4 {
            if s[i] < 1 {
                s[i] = 1;
            }
            i += 1;
        }
        ResponseWindows { seconds: s }
    }

    /// The window of one severity, in seconds.
    pub fn seconds(&self, severity: Severity) -> i64 {
        self.seconds[severity_rank(severity) as usize]
    }

    /// When the first response is due.
    pub fn deadline(&self, opened_at: i64, severity: Severity) -> i64 {
        opened_at.saturating_add(self.seconds(severity))
    }

    /// Each severity with its window, most urgent first.
    pub fn each(&self) -> impl Iterator<Item = (Severity, i64)> + '_ {
        <Severity as strum::IntoEnumIterator>::iter().map(|s| (s, self.seconds(s)))
    }
}

impl Default for ResponseWindows {
    fn default() -> Self {
        ResponseWindows::DEFAULT
    }
}

/// 0 for urgent up to 3 for low: the more urgent, the smaller.
pub fn severity_rank(severity: Severity) -> i64 {
    severity as i64
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::AsRefStr, strum::EnumIter)]
#[strum(serialize_all = "snake_case")]
pub enum ComplaintState {
    /// No first response yet.
    Awaiting,
    /// Responded to, not yet resolved.
    InProgress,
    Closed,
}

impl ComplaintState {
    pub fn of(first_response_at: Option<i64>, resolved_at: Option<i64>) -> ComplaintState {
        match (first_response_at, resolved_at) {
            (_, Some(_)) => ComplaintState::Closed,
            (Some(_), None) => ComplaintState::InProgress,
            (None, None) => ComplaintState::Awaiting,
        }
    }
}

/// Whether a complaint still awaits its first response after its deadline.
pub fn is_overdue(state: ComplaintState, due: i64, now: i64) -> bool {
    state == ComplaintState::Awaiting && due < now
}

/// The parts of a complaint its place in the urgency order depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrgencyFacts {
    pub severity: Severity,
    pub opened_at: i64,
    pub response_due_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
}

const GROUP: i64 = 100_000_000_000;
const RANK: i64 = 10_000_000_000;

/// The complaint's place in the Complaints list, smallest first: those awaiting a response
/// by deadline (so every overdue one comes first, the longest overdue on top, then the
/// nearest deadline), severity breaking ties; then those in progress, most severe and
/// oldest first; then the closed, latest first. One integer, so the list is a keyset walk
/// over one index; the store keeps the same formula in SQL (schema V3) and a test holds the
/// two together. Timestamps are below 10^10 (year 2286).
pub fn urgency(f: &UrgencyFacts) -> i64 {
    let rank = severity_rank(f.severity);
    match ComplaintState::of(f.first_response_at, f.resolved_at) {
        ComplaintState::Awaiting => f.response_due_at * 4 + rank,
        ComplaintState::InProgress => GROUP + rank * RANK + f.opened_at,
        ComplaintState::Closed => 3 * GROUP - f.resolved_at.unwrap_or(0),
    }
}

/// `CP-YYYYMM-` for complaints opened in the month of `day`.
pub fn complaint_no_prefix(day: NaiveDate) -> String {
    format!("CP-{}-", day.format("%Y%m"))
}

/// `CP-YYYYMM-NNNN`, the numbering the demo and the form share.
pub fn generated_complaint_no(day: NaiveDate, seq: u32) -> String {
    format!("{}{seq:04}", complaint_no_prefix(day))
}

/// The editable content of a complaint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintDraft {
    /// Blank: the next `CP-YYYYMM-NNNN` of the month it was opened.
    pub complaint_no: String,
    pub customer_id: i64,
    pub order_id: Option<i64>,
    pub kind: ComplaintType,
    pub severity: Severity,
    pub opened_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub department: Option<Department>,
    pub description: String,
    pub resolution: String,
}

/// Which field of a complaint a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplaintField {
    OpenedAt,
    FirstResponseAt,
    ResolvedAt,
    Resolution,
}

impl ComplaintDraft {
    /// Times in order and not in the future; a closed complaint says how it was resolved.
    pub fn check(&self, now: i64) -> Vec<(ComplaintField, Problem)> {
        let mut out = Vec::new();
        if self.opened_at > now {
            out.push((ComplaintField::OpenedAt, Problem::Future));
        }
        for (field, at) in [
            (ComplaintField::FirstResponseAt, self.first_response_at),
            (ComplaintField::ResolvedAt, self.resolved_at),
        ] {
            match at {
                Some(t) if t < self.opened_at => out.push((field, Problem::BeforeOpened)),
                Some(t) if t > now => out.push((field, Problem::Future)),
                _ => {}
            }
        }
        if self.resolved_at.is_some() && self.resolution.trim().is_empty() {
            out.push((ComplaintField::Resolution, Problem::Required));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    const H: i64 = 3600;

    #[test]
    fn deadlines_follow_the_severity_window_defaults_and_configured() {
        let opened = 1_000_000;
        assert_eq!(
            ResponseWindows::DEFAULT.deadline(opened, Severity::Urgent),
            opened + 4 * H
        );
        assert_eq!(
            ResponseWindows::DEFAULT.deadline(opened, Severity::High),
            opened + 8 * H
        );
        assert_eq!(
            ResponseWindows::DEFAULT.deadline(opened, Severity::Normal),
            opened + 24 * H
        );
        assert_eq!(
            ResponseWindows::DEFAULT.deadline(opened, Severity::Low),
            opened + 24 * H
        );
        let configured = ResponseWindows::from_hours(2, 6, 12, 48);
        assert_eq!(
            configured.deadline(opened, Severity::Urgent),
            opened + 2 * H
        );
        assert_eq!(configured.deadline(opened, Severity::Low), opened + 48 * H);
    }

    #[test]
    fn states_and_overdue() {
        assert_eq!(ComplaintState::of(None, None), ComplaintState::Awaiting);
        assert_eq!(
            ComplaintState::of(Some(1), None),
            ComplaintState::InProgress
        );
        assert_eq!(ComplaintState::of(Some(1), Some(2)), ComplaintState::Closed);
        assert_eq!(ComplaintState::of(None, Some(2)), ComplaintState::Closed);
        assert!(is_overdue(ComplaintState::Awaiting, 100, 101));
        assert!(!is_overdue(ComplaintState::Awaiting, 100, 100));
        assert!(!is_overdue(ComplaintState::InProgress, 100, 101));
    }

    fn facts(
        severity: Severity,
        opened_h: i64,
        first: Option<i64>,
        resolved: Option<i64>,
    ) -> UrgencyFacts {
        let opened_at = 1_700_000_000 + opened_h * H;
        UrgencyFacts {
            severity,
            opened_at,
            response_due_at: ResponseWindows::DEFAULT.deadline(opened_at, severity),
            first_response_at: first,
            resolved_at: resolved,
        }
    }

    #[test]
    fn urgency_puts_overdue_first_then_nearest_deadline_then_severity() {
        let now_h = 100;
        // An urgent one opened 10 h ago and a normal one opened 30 h ago are both 6 h
        // overdue: same deadline, so the urgent one first. A high one opened 5 h ago is due
        // in 3 h; a low one opened 1 h ago in 23 h.
        let mut all = [
            (
                "closed-old",
                facts(Severity::Urgent, 0, Some(1), Some(1_700_000_000 + 10 * H)),
            ),
            (
                "closed-new",
                facts(Severity::Low, 0, Some(1), Some(1_700_000_000 + 90 * H)),
            ),
            ("progress-normal", facts(Severity::Normal, 1, Some(1), None)),
            (
                "progress-urgent",
                facts(Severity::Urgent, 50, Some(1), None),
            ),
            ("due-23h-low", facts(Severity::Low, now_h - 1, None, None)),
            ("due-3h-high", facts(Severity::High, now_h - 5, None, None)),
            (
                "overdue-6h-urgent",
                facts(Severity::Urgent, now_h - 10, None, None),
            ),
            (
                "overdue-6h-normal",
                facts(Severity::Normal, now_h - 30, None, None),
            ),
            (
                "overdue-50h-high",
                facts(Severity::High, now_h - 58, None, None),
            ),
        ];
        all.sort_by_key(|(_, f)| urgency(f));
        let order: Vec<&str> = all.iter().map(|(l, _)| *l).collect();
        assert_eq!(
            order,
            [
                "overdue-50h-high",
                "overdue-6h-urgent",
                "overdue-6h-normal",
                "due-3h-high",
                "due-23h-low",
                "progress-urgent",
                "progress-normal",
                "closed-new",
                "closed-old",
            ]
        );
    }

    #[test]
    fn on_the_same_deadline_the_more_severe_comes_first() {
        for (a, b) in Severity::iter().zip(Severity::iter().skip(1)) {
            let fa = UrgencyFacts {
                severity: a,
                opened_at: 0,
                response_due_at: 5_000,
                first_response_at: None,
                resolved_at: None,
            };
            let fb = UrgencyFacts { severity: b, ..fa };
            assert!(urgency(&fa) < urgency(&fb), "{a} before {b}");
        }
    }

    #[test]
    fn numbers_and_checks() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        assert_eq!(generated_complaint_no(day, 7), "CP-202603-0007");
        assert_eq!(complaint_no_prefix(day), "CP-202603-");
        let mut d = ComplaintDraft {
            complaint_no: String::new(),
            customer_id: 1,
            order_id: None,
            kind: ComplaintType::Quality,
            severity: Severity::High,
            opened_at: 1_000,
            first_response_at: Some(900),
            resolved_at: Some(3_000),
            department: None,
            description: String::new(),
            resolution: " ".into(),
        };
        let fields: Vec<ComplaintField> = d.check(2_000).into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [
                ComplaintField::FirstResponseAt,
                ComplaintField::ResolvedAt,
                ComplaintField::Resolution
            ]
        );
        d.first_response_at = Some(1_500);
        d.resolved_at = Some(1_800);
        d.resolution = "replaced".into();
        assert!(d.check(2_000).is_empty());
    }
}
