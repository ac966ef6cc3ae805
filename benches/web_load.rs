//! The web desk under load (SPEC §10: page p99 < 50 ms with 50 clients while the app writes):
//! 50 clients on loopback fetch orders pages, searches and order pages for 30 s while the
//! store applies 100 status changes. Prints page p50/p99/max per kind, whether the writer
//! ever saw "busy", and whether every change arrived.
//!   cargo bench --bench web_load                       (target/bench-1000000.db, made on first run)
//!   ORDERDESK_BENCH_ORDERS=100000 cargo bench --bench web_load
//!   ORDERDESK_BENCH_DB=path/to/copy.db ORDERDESK_BENCH_SECONDS=10 cargo bench --bench web_load
//! A benchmark, not a test: it reports numbers and never fails on a slow machine.

#[path = "common/demo_file.rs"]
mod demo_file;

use orderdesk::store::orders::{self, StatusRequest};
use orderdesk::store::undo::Change;
use orderdesk::store::{Store, StoreError};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_orderdesk");
const CLIENTS: usize = 50;
const CHANGES: usize = 100;
const PASSWORD: &str = "bench password 1";
const SEARCHES: &[&str] = &[
    "PCB", "bag", "carton", "上海", "深圳", "SO-2026", "steel", "李",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    List,
    NextPage,
    Search,
    Detail,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn hidden(body: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let at = body.find(&marker)? + marker.len();
    Some(body[at..at + body[at..].find('"')?].to_string())
}

/// The `href` of the "next" link of an orders page, unescaped.
fn next_link(body: &str) -> Option<String> {
    let end = body.find("\" rel=\"next\"")?;
    let start = body[..end].rfind("href=\"")? + 6;
    Some(
        body[start..end]
            .replace("&amp;", "&")
            .replace("&#x2f;", "/"),
    )
}

struct Client {
    agent: ureq::Agent,
    base: String,
    cookie: String,
}

impl Client {
    fn login(base: &str) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .build()
            .into();
        let mut r = agent
            .get(format!("{base}/login"))
            .call()
            .expect("login page");
        let login_cookie = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("od_login="))
            .and_then(|c| c.split(';').next())
            .expect("a login cookie")
            .to_string();
        let body = r.body_mut().read_to_string().expect("login page body");
        let csrf = hidden(&body, "csrf").expect("a form token");
        let r = agent
            .post(format!("{base}/login"))
            .header("Cookie", &login_cookie)
            .send_form([("user", "bench"), ("password", PASSWORD), ("csrf", &csrf)])
            .expect("login");
        let cookie = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("od_session="))
            .and_then(|c| c.split(';').next())
            .expect("a session")
            .to_string();
        Client {
            agent,
            base: base.to_string(),
            cookie,
        }
    }

    fn get(&self, path: &str) -> (u16, String) {
        let mut r = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Cookie", &self.cookie)
            .call()
            .expect("a page");
        let status = r.status().as_u16();
        (status, r.body_mut().read_to_string().unwrap_or_default())
    }
}

fn main() {
    let orders: usize = std::env::var("ORDERDESK_BENCH_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let seconds: u64 = std::env::var("ORDERDESK_BENCH_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let db = demo_file::demo_file(BIN, orders);
    let _ = Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .args(["user", "remove", "bench"])
        .stderr(Stdio::null())
        .status();
    let added = Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .args(["user", "add", "bench", "--role", "viewer"])
        .env("ORDERDESK_NEW_PASSWORD", PASSWORD)
        .status()
        .expect("user add");
    assert!(added.success());

    let numbers: Vec<String> = {
        let store = Store::open(&db).expect("open the bench file");
        let max: i64 = store
            .conn()
            .query_row("SELECT max(id) FROM orders", [], |r| r.get(0))
            .expect("orders");
        let mut stmt = store
            .conn()
            .prepare("SELECT order_no FROM orders WHERE id = ?1")
            .expect("prepare");
        (0..1000)
            .filter_map(|i| {
                let id = 1 + (i * 7919 * 104_729) % max.max(1);
                stmt.query_row([id], |r| r.get::<_, String>(0)).ok()
            })
            .collect()
    };

    // The clerk's changes: orders that can be held and resumed (two changes leave them as
    // they were), the same ones the readers open.
    let writable: Vec<String> = {
        let store = Store::open(&db).expect("open the bench file");
        let mut stmt = store
            .conn()
            .prepare(
                "SELECT order_no FROM orders WHERE status IN ('confirmed','in_production','ready')
                 ORDER BY ordered_at DESC LIMIT 50",
            )
            .expect("prepare");
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .expect("orders to change")
            .filter_map(Result::ok)
            .collect();
        rows
    };
    let in_file: i64 = Store::open(&db)
        .ok()
        .and_then(|s| {
            s.conn()
                .query_row("SELECT count(*) FROM orders", [], |r| r.get(0))
                .ok()
        })
        .unwrap_or(0);
    let mut numbers = numbers;
    numbers.extend(writable.iter().cloned());

    let mut server = Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the server");
    let mut lines = BufReader::new(server.stderr.take().expect("stderr")).lines();
    let base = loop {
        let line = lines.next().expect("the server's address").expect("a line");
        if let Some(rest) = line.strip_prefix("web desk on ") {
            break rest.split_whitespace().next().expect("address").to_string();
        }
    };
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            eprintln!("server: {line}");
        }
    });

    let clients: Vec<Client> = (0..CLIENTS).map(|_| Client::login(&base)).collect();
    let server_cpu_before = cpu_of(server.id());
    let own_cpu_before = own_cpu();
    let stop = Arc::new(AtomicBool::new(false));
    let numbers = Arc::new(numbers);
    let started = Instant::now();
    let workers: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(n, client)| {
            let stop = stop.clone();
            let numbers = numbers.clone();
            std::thread::spawn(move || {
                let mut times: Vec<(Kind, Duration)> = Vec::new();
                let mut errors = 0u64;
                let mut step = n;
                let mut next: Option<String> = None;
                while !stop.load(Ordering::Relaxed) {
                    step += 1;
                    let (kind, path) = match step % 4 {
                        0 => (Kind::List, "/orders".to_string()),
                        1 => match next.take() {
                            Some(p) => (Kind::NextPage, p),
                            None => (Kind::List, "/orders".to_string()),
                        },
                        2 => (
                            Kind::Search,
                            format!("/orders?q={}", encode(SEARCHES[step % SEARCHES.len()])),
                        ),
                        _ => (
                            Kind::Detail,
                            format!("/orders/{}", numbers[step % numbers.len().max(1)]),
                        ),
                    };
                    let t = Instant::now();
                    let (status, body) = client.get(&path);
                    times.push((kind, t.elapsed()));
                    if status != 200 {
                        errors += 1;
                    }
                    if kind == Kind::List || kind == Kind::NextPage {
                        next = next_link(&body);
                    }
                }
                (times, errors)
            })
        })
        .collect();

    // The clerk: 100 status changes spread over the run, each its own transaction.
    let mut store = Store::open(&db).expect("open for writing");
    let history_before: i64 = store
        .conn()
        .query_row("SELECT ifnull(max(id), 0) FROM status_history", [], |r| {
            r.get(0)
        })
        .unwrap_or(0);
    let mut busy = 0;
    let mut other_errors = 0;
    let mut commits = Vec::new();
    let mut changed: Vec<(i64, i64)> = Vec::new();
    let gap = Duration::from_millis(seconds * 1000 / CHANGES as u64);
    for i in 0..CHANGES {
        std::thread::sleep(gap.saturating_sub(Duration::from_millis(1)));
        let Some(no) = writable.get(i % writable.len().max(1)) else {
            break;
        };
        let Ok(Some(id)) = orders::id_by_number(store.conn(), no) else {
            continue;
        };
        let t = Instant::now();
        let result = (|| -> orderdesk::store::Result<i64> {
            let tx = store.begin()?;
            let mut change = Change::new("status");
            orders::change_status(
                &tx,
                &mut change,
                id,
                None,
                StatusRequest::ToggleHold,
                orderdesk::domain::time::now(),
                Some("web load bench"),
            )?;
            change.record(&tx)?;
            tx.commit()
                .map_err(|e| orderdesk::store::Failure::Internal {
                    detail: e.to_string(),
                })?;
            Ok(id)
        })();
        commits.push(t.elapsed());
        match result {
            Ok(id) => changed.push((id, i as i64)),
            Err(StoreError::Busy { .. }) => busy += 1,
            Err(e) => {
                other_errors += 1;
                eprintln!("status change {i}: {e}");
            }
        }
    }
    while started.elapsed() < Duration::from_secs(seconds) {
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::Relaxed);
    let mut all: Vec<(Kind, Duration)> = Vec::new();
    let mut errors = 0;
    for w in workers {
        let (t, e) = w.join().expect("a client");
        all.extend(t);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let server_cpu = cpu_of(server.id()) - server_cpu_before;
    let own_cpu = own_cpu() - own_cpu_before;
    unsafe {
        libc::kill(server.id() as i32, libc::SIGTERM);
    }
    let _ = server.wait();

    let recorded: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM status_history WHERE id > ?1 AND note = 'web load bench'",
            [history_before],
            |r| r.get(0),
        )
        .unwrap_or(-1);
    println!(
        "web desk at {in_file} orders ({}): {CLIENTS} clients, {:.0} s, {} pages ({:.0}/s), {errors} not 200",
        if cfg!(debug_assertions) { "debug build: not the figures that count" } else { "release build" },
        elapsed,
        all.len(),
        all.len() as f64 / elapsed
    );
    for kind in [Kind::List, Kind::NextPage, Kind::Search, Kind::Detail] {
        let mut t: Vec<Duration> = all
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, d)| *d)
            .collect();
        t.sort();
        println!(
            "  {kind:?}: {} pages, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            t.len(),
            percentile(&t, 0.5).as_secs_f64() * 1e3,
            percentile(&t, 0.99).as_secs_f64() * 1e3,
            t.last().copied().unwrap_or_default().as_secs_f64() * 1e3
        );
    }
    let mut t: Vec<Duration> = all.iter().map(|(_, d)| *d).collect();
    t.sort();
    println!(
        "  all pages: p50 {:.1} ms, p99 {:.1} ms (SPEC: < 50 ms), max {:.1} ms",
        percentile(&t, 0.5).as_secs_f64() * 1e3,
        percentile(&t, 0.99).as_secs_f64() * 1e3,
        t.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
    let pages = all.len().max(1) as f64;
    println!(
        "  CPU: server {server_cpu:.1} s ({:.2} ms a page, {:.0}% of a core), clients and writer {own_cpu:.1} s ({:.2} ms a page); load average {}",
        server_cpu * 1e3 / pages,
        server_cpu * 100.0 / elapsed,
        own_cpu * 1e3 / pages,
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    commits.sort();
    println!(
        "  writer: {} status changes committed, {busy} busy, {other_errors} other errors, commit p50 {:.2} ms, max {:.1} ms; {recorded} in the history (nothing lost: {})",
        changed.len(),
        percentile(&commits, 0.5).as_secs_f64() * 1e3,
        commits.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        recorded == changed.len() as i64
    );
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// CPU seconds (user and system) a process has used so far, from /proc (0 elsewhere).
fn cpu_of(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // The fields after the command name, which is in parentheses and may hold spaces.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<f64>().ok()))
        .sum();
    // SAFETY: sysconf only reads a system constant.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    ticks / per_second
}

/// CPU seconds (user and system) this process has used so far.
fn own_cpu() -> f64 {
    // SAFETY: getrusage fills the struct it is given; zeroed is a valid starting value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return 0.0;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}
