//! Running the real binary on a temp database.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod tmux;

pub const BIN: &str = env!("CARGO_BIN_EXE_orderdesk");

/// The binary with a clean environment: no user config, English, UTC.
pub fn orderdesk(db: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--db")
        .arg(db)
        .env(
            "ORDERDESK_CONFIG",
            "/nonexistent/orderdesk-test-config.toml",
        )
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("ORDERDESK_DB")
        .env_remove("ORDERDESK_PASSPHRASE")
        .env_remove("ORDERDESK_NEW_PASSPHRASE");
    c
}

pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("the binary runs");
    assert!(
        out.status.success(),
        "{:?} failed: {}\n{}",
        cmd,
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    out
}

pub fn demo_db(dir: &Path, orders: usize, seed: u64) -> PathBuf {
    let db = dir.join("demo.db");
    run_ok(orderdesk(&db).args([
        "demo",
        "--orders",
        &orders.to_string(),
        "--seed",
        &seed.to_string(),
    ]));
    db
}

/// `export orders` as (order_no, status) per order line row.
pub fn order_statuses(db: &Path) -> Vec<(String, String)> {
    let out = run_ok(orderdesk(db).args(["export", "orders"]));
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = r.headers().expect("header").clone();
    let no = headers
        .iter()
        .position(|h| h == "order_no")
        .expect("order_no column");
    let st = headers
        .iter()
        .position(|h| h == "status")
        .expect("status column");
    r.records()
        .map(|rec| {
            let rec = rec.expect("csv row");
            (rec[no].to_string(), rec[st].to_string())
        })
        .collect()
}

pub fn status_of(db: &Path, order_no: &str) -> String {
    order_statuses(db)
        .into_iter()
        .find(|(n, _)| n == order_no)
        .map(|(_, s)| s)
        .expect("order exported")
}
