//! `remind` and `review` as a login script or a manager would use them, checked against the
//! SPEC §2 rules applied to what `export` writes.

mod common;

use common::*;
use orderdesk::domain::time::{now, parse_stamp};
use std::collections::HashMap;
use std::path::Path;

/// One exported kind as a list of column → cell maps.
fn export(db: &Path, kind: &str) -> Vec<HashMap<String, String>> {
    let out = run_ok(orderdesk(db).args(["export", kind]));
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            headers
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn stamp(cell: &str) -> Option<i64> {
    (!cell.is_empty()).then(|| parse_stamp(cell).expect("an exported time"))
}

/// SPEC §2: late when now > eta and not delivered.
fn late_waybills(db: &Path, at: i64) -> Vec<String> {
    export(db, "shipments")
        .into_iter()
        .filter(|s| stamp(&s["delivered_at"]).is_none() && stamp(&s["eta"]).is_some_and(|e| at > e))
        .map(|s| s["waybill_no"].clone())
        .collect()
}

/// No first response and now > opened_at + the window of its severity (4/8/24/24 h).
fn overdue_complaints(db: &Path, at: i64) -> Vec<String> {
    export(db, "complaints")
        .into_iter()
        .filter(|c| {
            let hours = match c["severity"].as_str() {
                "urgent" => 4,
                "high" => 8,
                _ => 24,
            };
            let opened = stamp(&c["opened_at"]).expect("opened_at");
            stamp(&c["first_response_at"]).is_none() && at > opened + hours * 3600
        })
        .map(|c| c["complaint_no"].clone())
        .collect()
}

#[test]
fn remind_names_every_late_shipment_and_every_overdue_complaint() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 2000, 1);
    let at = now();
    let waybills = late_waybills(&db, at);
    let complaints = overdue_complaints(&db, at);
    assert!(
        !waybills.is_empty() && !complaints.is_empty(),
        "the demo has some"
    );

    let out = run_ok(orderdesk(&db).arg("remind"));
    let text = String::from_utf8(out.stdout).unwrap();
    for w in &waybills {
        assert!(
            text.contains(w.as_str()),
            "late shipment {w} missing:\n{text}"
        );
    }
    for c in &complaints {
        assert!(
            text.contains(c.as_str()),
            "overdue complaint {c} missing:\n{text}"
        );
    }
    assert!(text.contains("Late shipments"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colours when not a terminal");
    assert!(out.stderr.is_empty());
}

#[test]
fn remind_speaks_the_ui_language_and_refuses_a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 300, 2);
    let out = run_ok(orderdesk(&db).arg("remind").env("LANG", "zh_CN.UTF-8"));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("待办提醒"), "{text}");

    let missing = dir.path().join("none.db");
    let out = orderdesk(&missing).arg("remind").output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such database"));
    assert!(!missing.exists());
}

#[test]
fn review_writes_a_private_self_contained_page_with_escaped_text() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 2000, 1);
    let at = now();
    let waybills = late_waybills(&db, at);
    // A customer with a late shipment gets a name that must not become markup.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE customers SET name = '<script>alert(1)</script> & Co' WHERE id =
           (SELECT o.customer_id FROM shipments s JOIN orders o ON o.id = s.order_id
             WHERE s.waybill_no = ?1)",
        [&waybills[0]],
    )
    .unwrap();
    drop(conn);

    let page = dir.path().join("review.html");
    run_ok(
        orderdesk(&db)
            .args(["review", "--format", "html", "-o"])
            .arg(&page),
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..80]);
    assert!(html.contains("<style>") && !html.contains("<link") && !html.contains("src="));
    for w in &waybills {
        assert!(html.contains(w.as_str()), "late shipment {w} in the review");
    }
    assert!(html.contains("&lt;script&gt;alert(1)&lt;") && html.contains("&amp; Co"));
    assert!(!html.contains("<script>"));
    for heading in [
        "High-risk orders",
        "Production bottlenecks",
        "Complaints awaiting",
    ] {
        assert!(html.contains(heading), "{heading}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&page).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(!dir.path().join("review.partial").exists());

    let out = run_ok(orderdesk(&db).arg("review"));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Weekly review") && text.contains(waybills[0].as_str()),
        "{text}"
    );
}
