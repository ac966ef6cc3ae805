//! Scale figures through a real pseudo-terminal, as a clerk meets them (release build):
//!   cargo bench --bench scale
//! On the 1,000,000-order demo (target/bench-N.db, shared with the other benches, or
//! ORDERDESK_BENCH_DB=file):
//! the first frame with rows from a cold start, Today's first open, j and PgDn (key → next
//! frame), per-keystroke search latency (key sent → the typed text echoed, and → the list
//! settled with its results) for a word of the demo's customer names, a term matching almost
//! every order, a term matching none, and a carrier and a waybill in Shipments, and the
//! report of one month: p50/p99/max.
//! ORDERDESK_BENCH_ORDERS=100000 for a smaller file. On a TPC-H desk (benches/scale_import.sh
//! passes ORDERDESK_BENCH_DB and ORDERDESK_BENCH_TPCH=1) it searches the clerk's TPC-H terms
//! (`Customer#000012345`, `deliver`, `1998`) instead. A benchmark, not a test: it prints.

#[path = "../tests/common/mod.rs"]
#[allow(unused_imports)]
mod common;

#[path = "common/demo_file.rs"]
mod demo_file;

use common::term::{Spawn, Term};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// A screen unchanged this long after a key counts as settled.
const SETTLED: Duration = Duration::from_millis(400);

fn database() -> PathBuf {
    let orders: usize = std::env::var("ORDERDESK_BENCH_ORDERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    demo_file::demo_file(common::BIN, orders)
}

/// Sends `key` and times it: until the screen first changes, and until it last changed
/// before settling.
fn timed(t: &Term, key: &str) -> (Duration, Duration) {
    let before = t.screen();
    let start = Instant::now();
    t.send(&[key]);
    let mut first = None;
    let mut last = Duration::ZERO;
    let mut shown = before;
    let mut changed_at = Instant::now();
    loop {
        let now = t.screen();
        if now != shown {
            let at = start.elapsed();
            first.get_or_insert(at);
            last = at;
            shown = now;
            changed_at = Instant::now();
        }
        if changed_at.elapsed() > SETTLED && first.is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(20) {
            break;
        }
        std::thread::sleep(Duration::from_micros(300));
    }
    (first.unwrap_or(last), last)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn print(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    println!(
        "{label:<44} n={:<3} p50 {:>7.1} ms  p99 {:>7.1} ms  max {:>7.1} ms",
        samples.len(),
        ms(at(0.5)),
        ms(at(0.99)),
        ms(at(1.0))
    );
}

/// Types `term` into a fresh search of the current list, one key at a time.
fn search(t: &Term, label: &str) -> (Vec<Duration>, Vec<Duration>) {
    let (mut echo, mut settled) = (Vec::new(), Vec::new());
    timed(t, "/");
    for c in label.chars() {
        let (e, s) = timed(t, &c.to_string());
        echo.push(e);
        settled.push(s);
    }
    timed(t, "Escape");
    (echo, settled)
}

/// Sends `key` `n` times, timing each from the key to the next frame.
fn keys(t: &Term, key: &str, n: usize) -> Vec<Duration> {
    (0..n)
        .map(|_| {
            let before = t.screen();
            let start = Instant::now();
            t.send(&[key]);
            while t.screen() == before && start.elapsed() < Duration::from_secs(20) {
                std::thread::sleep(Duration::from_micros(200));
            }
            start.elapsed()
        })
        .collect()
}

fn main() {
    let db = database();
    let tpch = std::env::var_os("ORDERDESK_BENCH_TPCH").is_some();
    // Cold-ish start: the file's pages dropped from this process, not from the OS cache
    // (that needs root); the first frame with rows.
    let start = Instant::now();
    let t = Spawn::app(&db).size(120, 40).start();
    let row = if tpch { " O0" } else { "SO-" };
    t.wait_for(|s| s.contains(row), "the first rows");
    println!("first frame with rows: {:.1} ms", ms(start.elapsed()));
    std::thread::sleep(SETTLED);

    // The first search after launch, before anything else has warmed the file.
    let (first_terms, later_terms): (&[&str], &[&str]) = if tpch {
        (
            &["Customer#000012345"],
            &["deliver", "1998", "zqxjv", "nothing at all"],
        )
    } else {
        (&["blue"], &["Products", "SO-20", "zqxjv", "nothing at all"])
    };
    let mut all_echo = Vec::new();
    let mut all_settled = Vec::new();
    let mut searched = |t: &Term, label: &str, term: &str| {
        let (e, s) = search(t, term);
        print(&format!("{label} {term:?}: key → echo"), e.clone());
        print(&format!("{label} {term:?}: key → results"), s.clone());
        all_echo.extend(e);
        all_settled.extend(s);
    };
    for term in first_terms {
        searched(&t, "search", term);
    }

    let (today_first, today_settled) = timed(&t, "5");
    println!(
        "Today first open: first change {:.1} ms, settled {:.1} ms",
        ms(today_first),
        ms(today_settled)
    );
    timed(&t, "1");
    print("j (down): key → frame", keys(&t, "j", 500));
    print("PgDn: key → frame", keys(&t, "PageDown", 300));
    timed(&t, "g");

    for term in later_terms {
        searched(&t, "search", term);
    }
    if !tpch {
        timed(&t, "3");
        for term in ["COSCO", "COSU1", "zqxjv"] {
            searched(&t, "shipments", term);
        }
    }
    print("every search key → echo", all_echo);
    print("every search key → results", all_settled);
    t.send(&["q"]);
    t.wait_exit();

    let month = std::env::var("ORDERDESK_BENCH_MONTH").unwrap_or_else(|_| {
        if tpch {
            "1995-03".to_string()
        } else {
            chrono::Local::now().format("%Y-%m").to_string()
        }
    });
    let mut runs = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let out = Command::new(common::BIN)
            .arg("--db")
            .arg(&db)
            .args(["report", "--month", &month, "--format", "json"])
            .output()
            .expect("run orderdesk report");
        assert!(out.status.success(), "report failed");
        runs.push(start.elapsed());
    }
    print(&format!("report --month {month} (whole command)"), runs);
}
