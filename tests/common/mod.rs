//! Running the real binary on a temp database.

#![allow(dead_code)]

use rusqlite::{types::FromSql, Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod term;

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

/// One value read from the file as another program reads it: its own connection, opened
/// for this query alone (never creating the file) and closed after it. The close matters:
/// the last connection to close folds the WAL into the file and removes it, which is how an
/// app that lost its locks on the file (and so looks closed) loses its next commits.
pub fn sql_value<T: FromSql>(file: &Path, sql: &str) -> rusqlite::Result<T> {
    let c = open_existing(file)?;
    let value = c.query_row(sql, [], |r| r.get(0));
    c.close().map_err(|(_, e)| e)?;
    value
}

/// Whether a plain SQLite client (no key) runs the query `sql` on the file.
pub fn plain_sqlite_reads(file: &Path, sql: &str) -> bool {
    let Ok(c) = open_existing(file) else {
        return false;
    };
    let ran = c
        .prepare(sql)
        .and_then(|mut st| st.query([])?.next().map(|_| ()))
        .is_ok();
    ran && c.close().is_ok()
}

fn open_existing(file: &Path) -> rusqlite::Result<Connection> {
    Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
}
