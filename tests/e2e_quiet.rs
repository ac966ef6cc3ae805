//! Quiet while background work runs: with a backup running on its thread, the idle app
//! sleeps and writes not one byte to the terminal; the backup's end wakes it at once.

mod common;

use common::term::{Spawn, DEADLINE};
use common::*;
use std::time::{Duration, Instant};

#[test]
fn idle_while_the_daily_backup_runs_writes_nothing_and_its_end_wakes_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 200, 7);
    // The backup waits on its thread while this file exists.
    let hold = dir.path().join("hold-the-backup");
    std::fs::write(&hold, b"").unwrap();
    let t = Spawn::app(&db)
        .env("ORDERDESK_TEST_HOLD_BACKUP", &hold)
        .start();
    t.wait_for(|s| s.contains("SO-"), "the orders");
    let start = Instant::now();
    while !t.threads().iter().any(|n| n == "backup") {
        assert!(
            start.elapsed() < DEADLINE,
            "no backup thread: {:?}",
            t.threads()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // The work that follows the first frame done: the list counted, the backup shown.
    t.wait_for(
        |s| s.contains("backing up") && s.contains(" / ") && !s.contains("/ …"),
        "the count and the running backup",
    );
    t.wait_idle("idle, the backup running");
    let before = t.bytes_written();
    // A second of idle (the measurement itself), the backup running all along.
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(1) {
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            t.threads().iter().any(|n| n == "backup"),
            "the backup ended early"
        );
    }
    t.wait_idle("still idle");
    assert_eq!(
        t.bytes_written(),
        before,
        "bytes written while idle\n{}",
        t.screen()
    );
    // The backup's end wakes the loop (no key is sent) and shows.
    std::fs::remove_file(&hold).unwrap();
    t.wait_for(|s| s.contains("Daily backup written"), "the backup's end");
    t.send(&["q"]);
    assert_eq!(t.wait_exit(), 0);
}
