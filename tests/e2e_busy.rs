//! A busy database in a real terminal (a pseudo-terminal): while another program holds the
//! write lock, a status change is answered at once with a waiting line, other keys keep
//! working, and the change lands by itself once the lock is released.

mod common;

use common::term::Term;
use common::*;
use std::time::{Duration, Instant};

/// Read directly: `export` itself waits for the lock.
fn status(db: &std::path::Path, order: &str) -> String {
    sql_value(
        db,
        &format!("SELECT status FROM orders WHERE order_no = '{order}'"),
    )
    .unwrap()
}

#[test]
fn a_status_change_waits_for_a_locked_database_and_lands_after() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 60, 7);
    // An order that `>` moves on without asking anything.
    let (order, before) = order_statuses(&db)
        .into_iter()
        .find(|(_, s)| s == "confirmed" || s == "in_production")
        .expect("the demo has an order in production");

    let t = Term::start(&db);
    t.wait_for(|s| s.contains("SO-"), "the orders list");
    t.keys(&["/"]);
    t.text(&order);
    t.keys(&["Enter"]);
    t.wait_for(
        |s| {
            s.lines()
                .filter(|l| l.starts_with('│') && l.contains("SO-"))
                .count()
                == 1
        },
        "the one order found",
    );
    t.wait_idle("before locking");

    let other = rusqlite::Connection::open(&db).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let start = Instant::now();
    t.keys(&[">"]);
    t.wait_for(
        |s| s.contains("Database in use by another program"),
        "the waiting line",
    );
    let said = start.elapsed();
    // Through a pseudo-terminal and an emulator: generous, but far below a 3 s wait.
    assert!(said < Duration::from_millis(1500), "said after {said:?}");
    assert_eq!(status(&db, &order), before, "not written while locked");

    // Other keys are answered while it waits: the help opens and closes.
    t.keys(&["?"]);
    t.wait_for(|s| s.contains("Esc"), "the help");
    t.keys(&["Esc"]);
    t.wait_idle("the help closed");
    assert_eq!(status(&db, &order), before);

    other.execute_batch("COMMIT").unwrap();
    t.wait_for(
        |s| !s.contains("Database in use by another program"),
        "the change landed",
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while status(&db, &order) == before {
        assert!(Instant::now() < deadline, "the kept change landed");
        std::thread::sleep(Duration::from_millis(20));
    }
    let after = status(&db, &order);
    let next = if before == "confirmed" {
        "in_production"
    } else {
        "ready"
    };
    assert_eq!(after, next);
}
