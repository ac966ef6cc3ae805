//! The after-sales desk in a real terminal (a pseudo-terminal at 120x40) on demo data, checked through
//! `orderdesk export complaints`.

mod common;

use chrono::{Local, NaiveDateTime, TimeZone};
use common::term::Term;
use common::*;
use std::path::Path;

#[derive(Debug, Clone, PartialEq)]
struct Complaint {
    no: String,
    severity: String,
    opened_at: i64,
    first_response_at: Option<i64>,
    resolved_at: Option<i64>,
}

/// Export timestamps are local `YYYY-MM-DD HH:MM:SS`.
fn stamp(text: &str) -> Option<i64> {
    if text.is_empty() {
        return None;
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").expect("a timestamp");
    Some(
        Local
            .from_local_datetime(&naive)
            .earliest()
            .unwrap()
            .timestamp(),
    )
}

fn complaints(db: &Path) -> Vec<Complaint> {
    let out = run_ok(orderdesk(db).args(["export", "complaints"]));
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = r.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (no, sev, opened, first, resolved) = (
        col("complaint_no"),
        col("severity"),
        col("opened_at"),
        col("first_response_at"),
        col("resolved_at"),
    );
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            Complaint {
                no: rec[no].to_string(),
                severity: rec[sev].to_string(),
                opened_at: stamp(&rec[opened]).unwrap(),
                first_response_at: stamp(&rec[first]),
                resolved_at: stamp(&rec[resolved]),
            }
        })
        .collect()
}

/// SPEC §2 defaults: urgent 4 h, high 8 h, normal and low 24 h.
fn deadline(c: &Complaint) -> i64 {
    let hours = match c.severity.as_str() {
        "urgent" => 4,
        "high" => 8,
        _ => 24,
    };
    c.opened_at + hours * 3600
}

fn overdue(c: &Complaint, now: i64) -> bool {
    c.first_response_at.is_none() && c.resolved_at.is_none() && deadline(c) < now
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The complaint numbers in the table, top to bottom.
fn listed(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter(|l| l.starts_with('│'))
        .filter_map(|l| l.split_whitespace().find(|w| w.starts_with("CP-")))
        .map(str::to_string)
        .collect()
}

#[test]
fn overdue_responses_come_first_and_r_answers_the_top_one_now() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 2000, 1);
    let before = complaints(&db);
    let t0 = now();
    let mut late: Vec<&Complaint> = before.iter().filter(|c| overdue(c, t0)).collect();
    late.sort_by_key(|c| deadline(c));
    assert!(late.len() >= 2, "the demo has overdue complaints: {late:?}");

    let t = Term::start(&db);
    t.wait_for(|s| s.contains("SO-"), "the orders list");
    t.keys(&["4"]);
    let screen = t.wait_for(|s| listed(s).len() >= 20, "20 complaint rows");
    let rows = listed(&screen);
    let top: Vec<&str> = rows.iter().take(late.len()).map(String::as_str).collect();
    let expected: Vec<&str> = late.iter().map(|c| c.no.as_str()).collect();
    assert_eq!(
        top, expected,
        "overdue first, the longest overdue on top:\n{screen}"
    );
    assert!(screen.contains("overdue"), "{screen}");
    let target = rows[0].clone();

    t.keys(&["r"]);
    t.wait_for(|s| s.contains("First response"), "the plan is asked for");
    t.keys(&["send a replacement by Friday", "C-s"]);
    t.wait_for(
        |s| s.contains("first response recorded"),
        "the response message",
    );
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
    let t1 = now();

    let after = complaints(&db);
    for (b, a) in before.iter().zip(&after) {
        if a.no == target {
            let at = a.first_response_at.expect("first response recorded");
            assert!(
                (t0 - 1..=t1 + 1).contains(&at),
                "first response {at} is now ({t0}..{t1})"
            );
            assert_eq!(a.resolved_at, None);
        } else {
            assert_eq!(a, b, "{} must not change", b.no);
        }
    }
    let check = run_ok(orderdesk(&db).arg("check"));
    assert!(String::from_utf8_lossy(&check.stdout).contains("intact"));
}

#[test]
fn in_chinese_the_tabs_and_the_help_of_the_after_sales_desk_are_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 200, 3);
    let t = Term::start_with(&db, "zh_CN.UTF-8");
    let screen = t.wait_for(|s| s.contains("SO-"), "the orders list");
    for title in ["订单", "客户", "物流", "投诉", "今日", "报表"] {
        assert!(screen.contains(title), "tab {title}:\n{screen}");
    }
    t.keys(&["4"]);
    let screen = t.wait_for(|s| s.contains("CP-"), "complaints");
    assert!(screen.contains("紧急程度"), "{screen}");
    t.keys(&["?"]);
    let help = t.wait_for(|s| s.contains("按键"), "help in Chinese");
    for key in ["立即记录首次响应", "填写处理结果并结案", "记录沟通", "撤销"]
    {
        assert!(help.contains(key), "help lacks {key}:\n{help}");
    }
    t.keys(&["Escape", "2", "?"]);
    // The footer names 新建客户 too: the help's title 按键 says the help is open.
    let help = t.wait_for(
        |s| s.contains("按键") && s.contains("新建客户"),
        "customer keys in Chinese",
    );
    assert!(help.contains("新增特殊要求"), "{help}");
    t.keys(&["Escape"]);
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
}
