//! `orderdesk report` as a script would use it: every format, the exit codes, the files.

mod common;

use chrono::Datelike;
use common::*;
use std::collections::BTreeSet;

fn keys(v: &serde_json::Value) -> BTreeSet<String> {
    v.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn every_format_of_the_monthly_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 300, 7);
    // The demo spreads orders over the last 13 months: last month is full of them.
    let month = chrono::Local::now()
        .date_naive()
        .with_day(1)
        .and_then(|d| d.pred_opt())
        .unwrap()
        .format("%Y-%m")
        .to_string();

    let out = run_ok(orderdesk(&db).args(["report", "--month", &month, "--format", "json"]));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let top: BTreeSet<String> = [
        "month",
        "orders",
        "delivery",
        "conversion",
        "complaints",
        "contacts",
        "satisfaction",
        "requirements",
        "spot_checks",
        "status_updates",
        "targets",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(keys(&v), top);
    assert_eq!(v["month"], month.as_str());
    assert_eq!(
        keys(&v["orders"]["confirmed"]),
        ["amount", "by_type", "count"].map(String::from).into()
    );
    assert!(
        v["orders"]["confirmed"]["count"].as_u64().unwrap() > 0,
        "{v}"
    );
    for (_, amount) in v["orders"]["confirmed"]["amount"].as_object().unwrap() {
        let text = amount.as_str().expect("amounts are strings");
        let (_, decimals) = text.split_once('.').expect("a decimal point");
        assert!(decimals.len() >= 2, "{text}");
    }
    let set = |k: &[&str]| {
        k.iter()
            .map(|s| s.to_string())
            .collect::<BTreeSet<String>>()
    };
    assert_eq!(
        keys(&v["conversion"]),
        set(&[
            "won",
            "lost",
            "rate",
            "by_customer_type",
            "by_cycle",
            "avg_days_to_confirm"
        ])
    );
    assert_eq!(
        keys(&v["conversion"]["by_customer_type"]),
        set(&["new", "regular", "key_account", "distributor"])
    );
    for (_, line) in v["conversion"]["by_customer_type"].as_object().unwrap() {
        assert_eq!(keys(line), set(&["won", "lost", "rate"]));
    }
    assert_eq!(
        keys(&v["conversion"]["by_cycle"]),
        set(&["0-7", "8-30", "31-90", "90+"])
    );
    assert_eq!(
        keys(&v["spot_checks"]),
        set(&["checked", "accurate", "accuracy_rate"])
    );
    assert_eq!(
        keys(&v["status_updates"]),
        set(&["changes", "recorded_within_1h", "rate_1h"])
    );
    assert_eq!(
        keys(&v["targets"]),
        set(&[
            "on_time_rate",
            "response_rate_24h",
            "reply_rate_24h",
            "closure_rate",
            "rate_1h",
            "accuracy_rate"
        ])
    );
    for (_, line) in v["targets"].as_object().unwrap() {
        assert_eq!(keys(line), set(&["target", "actual", "met"]));
    }
    assert!(v["status_updates"]["changes"].as_u64().unwrap() > 0, "{v}");
    let rate = &v["delivery"]["on_time_rate"];
    assert!(rate.is_null() || (0.0..=1.0).contains(&rate.as_f64().unwrap()));
    assert_eq!(
        keys(&v["satisfaction"]),
        [
            "accuracy",
            "attitude",
            "customisation",
            "nps",
            "quality",
            "resolution",
            "response",
            "surveys"
        ]
        .map(String::from)
        .into()
    );

    let text = run_ok(orderdesk(&db).args(["report", "--month", &month]));
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains(&format!("monthly report {month}")), "{text}");
    assert!(text.contains("On-time delivery rate"), "{text}");

    let html = run_ok(orderdesk(&db).args(["report", "--month", &month, "--format", "html"]));
    let html = String::from_utf8(html.stdout).unwrap();
    assert!(html.contains("<svg"), "{html}");

    let xlsx = dir.path().join("report.xlsx");
    let out = run_ok(
        orderdesk(&db)
            .args(["report", "--month", &month, "--format", "xlsx", "-o"])
            .arg(&xlsx),
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("report.xlsx"));
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).expect("opens with calamine");
    assert!(wb.sheet_names().len() >= 3);
    assert!(wb.worksheet_range("Figures").unwrap().height() > 40);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&xlsx).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "owner only");
    }

    let html_file = dir.path().join("report.html");
    run_ok(
        orderdesk(&db)
            .args(["report", "--month", &month, "--format", "html", "-o"])
            .arg(&html_file),
    );
    assert!(std::fs::read_to_string(&html_file)
        .unwrap()
        .contains("<svg"));

    // No --month: the current month.
    let out = run_ok(orderdesk(&db).args(["report", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let now = chrono::Local::now().format("%Y-%m").to_string();
    assert_eq!(v["month"], now.as_str());
}

#[test]
fn bad_months_and_missing_files_get_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 20, 1);
    for bad in ["2026-13", "2026-1", "March", "2026-03-01"] {
        let out = orderdesk(&db)
            .args(["report", "--month", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is not a month (YYYY-MM"), "{err}");
    }
    let out = orderdesk(&db)
        .args(["report", "--format", "xlsx"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("-o FILE.xlsx"));

    let missing = dir.path().join("missing.db");
    let out = orderdesk(&missing).arg("report").output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such database"));
    assert!(!missing.exists());

    // An empty month: zero counts, null rates.
    let out = run_ok(orderdesk(&db).args(["report", "--month", "1999-01", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["orders"]["confirmed"]["count"], 0);
    assert_eq!(v["orders"]["confirmed"]["amount"], serde_json::json!({}));
    assert!(v["conversion"]["rate"].is_null());
    assert!(v["satisfaction"]["nps"].is_null());
}
