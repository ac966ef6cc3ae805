//! The demo file every benchmark measures: `ORDERDESK_BENCH_DB` if set, else
//! `target/bench-N.db`, made with `orderdesk demo --orders N --seed 1` on first use and
//! reused by every benchmark after that.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// The file to measure, made by `bin` (the release binary) if it is not there yet.
pub fn demo_file(bin: &str, orders: usize) -> PathBuf {
    if let Some(p) = std::env::var_os("ORDERDESK_BENCH_DB") {
        return PathBuf::from(p);
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("target/bench-{orders}.db"));
    if !path.exists() {
        let started = Instant::now();
        let status = Command::new(bin)
            .arg("--db")
            .arg(&path)
            .args(["demo", "--orders", &orders.to_string(), "--seed", "1"])
            .status()
            .expect("run orderdesk demo");
        assert!(status.success(), "demo generation failed");
        println!(
            "demo --orders {orders}: {:.1} s (goal < 60 s at 1,000,000)",
            started.elapsed().as_secs_f64()
        );
    }
    path
}
