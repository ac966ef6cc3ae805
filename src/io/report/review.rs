//! The weekly review's part of the report: this month's targets, met or missed, the
//! spot-checks that failed in the last 7 days, and the response plans of the complaints
//! still open.

use super::figures::verdict_word;
use crate::domain::kpi::percent;
use crate::domain::month::Month;
use crate::domain::report::quality::Targets;
use crate::domain::text::shown;
use crate::domain::time::{format_stamp_short, local_date};
use crate::i18n::t;
use crate::io::review::{Line, Section};
use crate::store::{report, spotchecks};
use rusqlite::Connection;

const WEEK: i64 = 7 * 86_400;
/// The review lists at most this many failures; the count says how many there were.
const MOST: usize = 200;

pub fn sections(
    conn: &Connection,
    now: i64,
    targets: &Targets,
) -> crate::store::Result<Vec<Section>> {
    let month = Month::of(local_date(now));
    let r = report::month_report(conn, month, now, targets)?;
    let rows = r
        .targets
        .0
        .iter()
        .map(|(name, line)| Line {
            cells: vec![
                t(&format!("report.target.{name}")).to_string(),
                percent(Some(line.target)),
                percent(line.actual),
                match line.met {
                    Some(met) => verdict_word(met).to_string(),
                    None => t("report.target.unjudged").to_string(),
                },
            ],
            // Red or green on the page; the word says it too.
            late: line.met == Some(false),
            good: line.met == Some(true),
        })
        .collect::<Vec<_>>();
    let targets = Section {
        title: format!("{} ({month})", t("spotcheck.review_targets")),
        count: rows.len().to_string(),
        columns: vec![
            t("report.figure").to_string(),
            t("report.target.col_target").to_string(),
            t("report.target.col_actual").to_string(),
            t("report.target.col_verdict").to_string(),
        ],
        rows,
    };
    let failed = spotchecks::failures(conn, now - WEEK, now + 1, MOST)?;
    let failures = Section {
        title: t("spotcheck.review_heading").to_string(),
        count: failed.len().to_string(),
        columns: vec![
            t("spotcheck.col_contact").to_string(),
            t("spotcheck.col_customer").to_string(),
            t("spotcheck.col_at").to_string(),
            t("spotcheck.col_summary").to_string(),
        ],
        rows: failed
            .into_iter()
            .map(|f| Line {
                cells: vec![
                    format!("{} ({})", f.contact_id, f.week),
                    shown(&f.customer).into_owned(),
                    format_stamp_short(f.checked_at),
                    shown(f.note.as_deref().unwrap_or("")).into_owned(),
                ],
                late: true,
                good: false,
            })
            .collect(),
    };
    let (open, plans) = report::open_plans(conn, MOST)?;
    let plans = Section {
        title: t("complaint.review_plans").to_string(),
        count: open.to_string(),
        columns: vec![
            t("review.col.complaint_no").to_string(),
            t("review.col.customer").to_string(),
            t("review.col.severity").to_string(),
            t("complaint.col_responded").to_string(),
            t("complaint.plan").to_string(),
        ],
        rows: plans
            .into_iter()
            .map(|p| Line {
                cells: vec![
                    shown(&p.complaint_no).into_owned(),
                    shown(&p.customer).into_owned(),
                    t(&format!("severity.{}", p.severity)).to_string(),
                    format_stamp_short(p.first_response_at),
                    match p.response_plan.as_deref().filter(|s| !s.trim().is_empty()) {
                        Some(plan) => shown(plan).into_owned(),
                        None => t("complaint.no_plan").to_string(),
                    },
                ],
                late: false,
                good: false,
            })
            .collect(),
    };
    Ok(vec![targets, failures, plans])
}
