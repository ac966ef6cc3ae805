//! The real binary in a terminal (a pseudo-terminal at 120x40 read by an emulator): keys in,
//! screen and database out.

mod common;

use chrono::Datelike;
use common::term::Term;
use common::*;
use std::path::Path;

fn order_rows(screen: &str) -> usize {
    // Rows of the table: inside the frame, below the title line.
    screen
        .lines()
        .filter(|l| l.starts_with('│') && l.contains("SO-"))
        .count()
}

#[test]
fn advance_and_undo_in_a_real_terminal_also_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 400, 7);
    let before = order_statuses(&db);
    let target = before
        .iter()
        .find(|(_, s)| s == "confirmed")
        .map(|(n, _)| n.clone())
        .expect("the demo has confirmed orders");

    let t = Term::start(&db);
    let screen = t.wait_for(|s| order_rows(s) >= 20, "20 order rows");
    assert!(screen.contains("Orders"), "{screen}");

    t.keys(&["?"]);
    let help = t.wait_for(|s| s.contains("Keys"), "help");
    assert!(help.contains("undo"), "{help}");
    t.keys(&["Escape"]);

    t.keys(&["/"]);
    t.text(&target);
    t.keys(&["Enter"]);
    t.wait_for(
        |s| order_rows(s) == 1 && s.contains(&target),
        "the searched order alone",
    );
    t.keys(&[">"]);
    t.wait_for(|s| s.contains("In production"), "the new status on screen");

    let after = order_statuses(&db);
    for ((n0, s0), (n1, s1)) in before.iter().zip(&after) {
        assert_eq!(n0, n1);
        if *n0 == target {
            assert_eq!(s1, "in_production");
        } else {
            assert_eq!(s0, s1, "{n0} must not change");
        }
    }

    // The history row is in the file itself, as another program sees it while the app is
    // open. That program's connection closes after the read, the last one to close as far as
    // SQLite can tell if the app had lost its locks on the file: it would then fold the WAL
    // into the file and remove it, and the app's next commits (the undos below) would be lost.
    let sql = format!(
        "SELECT to_status FROM status_history WHERE order_id = \
         (SELECT id FROM orders WHERE order_no = '{target}') ORDER BY id DESC LIMIT 1"
    );
    let to: String = sql_value(&db, &sql).expect("the history row");
    assert_eq!(to, "in_production");

    t.keys(&["u"]);
    t.wait_for(|s| s.contains("Undone"), "undo message");
    assert_eq!(status_of(&db, &target), "confirmed");

    // Again, then quit, restart and undo from the persistent undo log.
    t.keys(&[">"]);
    // Not the undo's message (which names the status too): the change itself on screen.
    t.wait_for(
        |s| s.contains("In production") && !s.contains("Undone"),
        "advanced again",
    );
    assert_eq!(status_of(&db, &target), "in_production");
    t.keys(&["Escape"]);
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0, "q exits with 0");
    drop(t);

    let t = Term::start(&db);
    t.wait_for(|s| order_rows(s) >= 20, "rows after restart");
    t.keys(&["u"]);
    t.wait_for(|s| s.contains("Undone"), "undo after restart");
    assert_eq!(status_of(&db, &target), "confirmed");
    assert_eq!(order_statuses(&db), before, "everything as it was");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);

    let check = run_ok(orderdesk(&db).arg("check"));
    assert!(String::from_utf8_lossy(&check.stdout).contains("intact"));
}

#[test]
fn chinese_locale_shows_chinese_tabs_and_help() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 100, 1);
    let t = Term::start_with(&db, "zh_CN.UTF-8");
    let screen = t.wait_for(|s| order_rows(s) >= 20, "rows");
    for title in ["订单", "客户", "物流", "投诉", "今日", "报表"] {
        assert!(screen.contains(title), "tab {title}:\n{screen}");
    }
    t.keys(&["?"]);
    let help = t.wait_for(|s| s.contains("按键"), "help in Chinese");
    assert!(help.contains("撤销") && help.contains("下一状态"), "{help}");
    t.keys(&["Escape"]);
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn a_tiny_terminal_gets_a_message_not_a_broken_layout() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 100, 1);
    let t = Term::start(&db);
    t.wait_for(|s| order_rows(s) >= 20, "rows");
    t.resize(30, 8);
    t.wait_for(|s| s.contains("too small"), "the small-terminal message");
    t.resize(120, 40);
    t.wait_for(|s| order_rows(s) >= 20, "rows again");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
}

/// `export KIND` as header + rows.
fn export_rows(db: &Path, kind: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let out = run_ok(orderdesk(db).args(["export", kind, "--no-bom"]));
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

#[test]
fn m_on_an_order_shows_its_draft_and_a_copy_logs_an_outbound_contact() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 300, 11);
    let (oh, orders) = export_rows(&db, "orders");
    let order = orders
        .iter()
        .find(|r| r[col(&oh, "status")] == "confirmed")
        .expect("a confirmed order");
    let order_no = order[col(&oh, "order_no")].clone();
    let customer = order[col(&oh, "customer")].clone();
    let (ch, customers) = export_rows(&db, "customers");
    let name = customers
        .iter()
        .find(|r| r[col(&ch, "code")] == customer || r[col(&ch, "name")] == customer)
        .map(|r| r[col(&ch, "name")].clone())
        .expect("the order's customer");
    let outbound = |db: &Path| {
        let (h, rows) = export_rows(db, "contacts");
        rows.iter()
            .filter(|r| r[col(&h, "direction")] == "out" && r[col(&h, "order_no")] == order_no)
            .count()
    };
    let before = outbound(&db);

    let t = Term::start(&db);
    t.wait_for(|s| order_rows(s) >= 20, "order rows");
    t.keys(&["/"]);
    t.text(&order_no);
    t.keys(&["Enter"]);
    t.wait_for(|s| order_rows(s) == 1, "the order alone");
    t.keys(&["m"]);
    let screen = t.wait_for(|s| s.contains("Message"), "the draft");
    assert!(screen.contains(&order_no), "{screen}");
    assert!(screen.contains(&name), "{screen}");
    // Only looking logs nothing; copying it does.
    assert_eq!(outbound(&db), before, "looking at a draft logs nothing");
    t.keys(&["y"]);
    t.wait_for(|s| s.contains("logged as an outbound"), "the copy logged");
    t.keys(&["Escape"]);
    t.keys(&["Escape"]);
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
    assert_eq!(outbound(&db), before + 1, "one more outbound contact");
}

#[test]
fn the_reports_tab_in_a_real_terminal_changes_month_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 300, 5);
    let t = Term::start(&db);
    t.wait_for(|s| order_rows(s) >= 20, "rows");
    t.keys(&["6"]);
    let month = chrono::Local::now().format("%Y-%m").to_string();
    let screen = t.wait_for(
        |s| s.contains(&format!("Report {month}")) && s.contains("On-time delivery rate"),
        "the figures of this month, from the worker",
    );
    assert!(screen.contains("last 12 months"), "{screen}");
    t.keys(&["["]);
    let previous = chrono::Local::now()
        .date_naive()
        .with_day(1)
        .and_then(|d| d.pred_opt())
        .unwrap()
        .format("%Y-%m")
        .to_string();
    t.wait_for(
        |s| s.contains(&format!("Report {previous}")) && s.contains("Complaints by type"),
        "the month before",
    );
    t.keys(&["h"]);
    // Not just "written to": the key hint says "(written to exports/)" all along.
    t.wait_for(
        |s| s.contains(&format!("Report {previous} written to")),
        "the export message",
    );
    let exported: Vec<_> = std::fs::read_dir(dir.path().join("exports"))
        .expect("an exports folder beside the database")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        exported
            .iter()
            .any(|f| f.starts_with(&format!("report-{previous}-")) && f.ends_with(".html")),
        "{exported:?}"
    );
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
}
