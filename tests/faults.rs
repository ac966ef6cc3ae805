//! Faults, on the real binary: the process killed (SIGKILL) in the middle of writes, two
//! copies changing the same order, the disk full, bad and foreign files, a panic, and
//! terminals too small to draw in. Each test says what it would catch.
//!
//! The terminal tests drive the app in a pseudo-terminal read by an emulator
//! (`common::term`); the file is read with rusqlite. Nothing but cargo is needed.

mod common;

use common::term::{alive, Spawn, Term};
use common::*;
use rand::{Rng, SeedableRng};
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn wait_dead(pid: u32) {
    let start = Instant::now();
    while alive(pid) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{pid} still runs"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

// ---------------------------------------------------------------------------------------
// Looking at the file after a fault.

/// `orderdesk check` must pass: the file sound, the audit chain unbroken, no dangling
/// references.
fn assert_check_passes(db: &Path, after: &str) {
    let out = orderdesk(db).arg("check").output().unwrap();
    assert!(
        out.status.success(),
        "check fails after {after}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn count(c: &Connection, sql: &str) -> i64 {
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Snapshot {
    statuses: BTreeMap<i64, String>,
    history: i64,
    audit: i64,
    undo_pending: i64,
}

fn snapshot(db: &Path) -> Snapshot {
    let c = Connection::open(db).unwrap();
    let statuses = c
        .prepare("SELECT id, status FROM orders")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    Snapshot {
        statuses,
        history: count(&c, "SELECT count(*) FROM status_history"),
        audit: count(&c, "SELECT count(*) FROM audit_log"),
        undo_pending: count(&c, "SELECT count(*) FROM undo_log WHERE undone_at IS NULL"),
    }
}

/// Orders whose status differs between two snapshots: (id, before, after).
fn changed(a: &Snapshot, b: &Snapshot) -> Vec<(i64, String, String)> {
    a.statuses
        .iter()
        .filter_map(|(id, s)| {
            let t = b.statuses.get(id)?;
            (s != t).then(|| (*id, s.clone(), t.clone()))
        })
        .collect()
}

/// Kill delays spread over `[0, window)`: one in each of `n` equal slices, at a random
/// point in it, so early, middle and late moments are all hit.
fn spread(n: usize, window: Duration, rng: &mut impl Rng) -> Vec<Duration> {
    let mut v: Vec<Duration> = (0..n)
        .map(|i| window.mul_f64((i as f64 + rng.gen::<f64>()) / n as f64))
        .collect();
    // Shuffled, so the file's growth does not line up with the delays.
    for i in (1..v.len()).rev() {
        v.swap(i, rng.gen_range(0..=i));
    }
    v
}

fn seeded() -> rand_chacha::ChaCha8Rng {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    eprintln!("kill delays seeded with {seed}");
    rand_chacha::ChaCha8Rng::seed_from_u64(seed)
}

/// A connection for watching the file while the app writes to it.
fn watch(db: &Path) -> Connection {
    let c = Connection::open(db).unwrap();
    c.busy_timeout(Duration::from_secs(5)).unwrap();
    c
}

/// How long after `start` the change `done` shows in the file (polled), for choosing a
/// window of kill delays that covers the whole write.
fn time_until(c: &Connection, start: Instant, done: impl Fn(&Connection) -> bool) -> Duration {
    loop {
        if done(c) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the change never arrived"
        );
        std::thread::sleep(Duration::from_micros(500));
    }
}

// ---------------------------------------------------------------------------------------
// Killing a command-line write.

/// What a killed run left: the outcome seen by `after_each`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Absent,
    Present,
}

/// Runs `command`, kills it with SIGKILL `delay` after it started (unless it finished
/// first); whether it finished.
fn kill_once(mut command: Command, delay: Duration) -> bool {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let start = Instant::now();
    let mut finished = false;
    while start.elapsed() < delay {
        if child.try_wait().unwrap().is_some() {
            finished = true;
            break;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    if !finished {
        let _ = child.kill();
    }
    let _ = child.wait();
    finished
}

/// Runs `one(i, delay)` (a write killed `delay` after it starts, then checked: wholly
/// there or wholly absent) over delays spread across `window`, in rounds until kills have
/// landed both before and after the commit: the window shrinks when every write finished
/// first and grows when none did, so a machine slower or faster than the timing run still
/// gets both. Without both the test would prove nothing.
fn kill_at_spread_delays(
    what: &str,
    n: usize,
    window: Duration,
    mut one: impl FnMut(usize, Duration) -> Outcome,
) -> Vec<Outcome> {
    let mut rng = seeded();
    let mut window = window;
    let mut all = Vec::new();
    for round in 0..4 {
        let count = if round == 0 { n } else { n.div_ceil(2) };
        for delay in spread(count, window, &mut rng) {
            let i = all.len();
            all.push(one(i, delay));
        }
        let absent = all.contains(&Outcome::Absent);
        let present = all.contains(&Outcome::Present);
        if absent && present {
            break;
        }
        window = if absent { window * 4 } else { window / 4 };
    }
    eprintln!("{what}: {all:?}");
    assert_both_seen(&all, what);
    all
}

/// The command-line writes: `command(i)` killed at spread delays, then
/// `after_each(i, finished)` checks the file and says what the kill left.
fn kill_repeatedly(
    what: &str,
    n: usize,
    window: Duration,
    mut command: impl FnMut(usize) -> Command,
    mut after_each: impl FnMut(usize, bool) -> Outcome,
) -> Vec<Outcome> {
    kill_at_spread_delays(what, n, window, |i, delay| {
        let finished = kill_once(command(i), delay);
        after_each(i, finished)
    })
}

fn assert_both_seen(outcomes: &[Outcome], what: &str) {
    // Without both, the delays missed the write and the test proved nothing.
    assert!(
        outcomes.contains(&Outcome::Absent) && outcomes.contains(&Outcome::Present),
        "{what}: kills should land both before and after the commit: {outcomes:?}"
    );
}

/// `demo` writes everything in one transaction with durability relaxed: a kill at any
/// moment must leave either the empty file or the whole demo, never part of it, and
/// always a file `check` passes. Would catch the demo committing in chunks, or its
/// rollback journal being lost with the relaxed settings.
#[test]
fn sigkill_during_demo_leaves_nothing_or_everything() {
    let dir = tempfile::tempdir().unwrap();
    let orders = 3000;
    let started = Instant::now();
    let full = demo_db(dir.path(), orders, 1);
    let window = started.elapsed().mul_f64(1.6);
    let reference = snapshot(&full);
    let db = |i: usize| dir.path().join(format!("killed-{i}.db"));
    kill_repeatedly(
        "demo",
        14,
        window,
        |i| {
            let mut c = orderdesk(&db(i));
            c.args(["demo", "--orders", &orders.to_string(), "--seed", "1"]);
            c
        },
        |i, _| {
            let path = db(i);
            if !path.exists() {
                return Outcome::Absent;
            }
            // A new file appears only once it holds the whole schema (created aside and
            // linked into place), never as 0 bytes that `check` would refuse.
            assert!(
                std::fs::metadata(&path).unwrap().len() > 0,
                "an empty file left"
            );
            assert_check_passes(&path, &format!("killing demo {i}"));
            let s = snapshot(&path);
            match s.statuses.len() {
                0 => {
                    assert_eq!((s.history, s.audit), (0, 0), "nothing but the schema");
                    // The file is usable: the demo runs on it again.
                    run_ok(orderdesk(&path).args(["demo", "--orders", "10"]));
                    Outcome::Absent
                }
                n => {
                    assert_eq!(n, orders, "a killed demo left part of its orders");
                    assert_eq!(s.history, reference.history);
                    Outcome::Present
                }
            }
        },
    );
}

/// An export to a file is written under a temporary name and renamed when complete: a
/// kill leaves no file or the whole file, never a truncated one. Would catch writing
/// straight into the target.
#[test]
fn sigkill_during_export_never_leaves_half_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 3000, 2);
    let reference = dir.path().join("reference.csv");
    let started = Instant::now();
    run_ok(
        orderdesk(&db)
            .args(["export", "orders", "-o"])
            .arg(&reference),
    );
    let window = started.elapsed().mul_f64(1.6);
    let want = std::fs::read(&reference).unwrap();
    let out = |i: usize| dir.path().join(format!("orders-{i}.csv"));
    kill_repeatedly(
        "export",
        12,
        window,
        |i| {
            let mut c = orderdesk(&db);
            c.args(["export", "orders", "-o"]).arg(out(i));
            c
        },
        |i, _| {
            assert_check_passes(&db, "killing an export");
            match std::fs::read(out(i)) {
                Ok(got) => {
                    assert!(got == want, "export {i} is not the whole file");
                    Outcome::Present
                }
                Err(_) => Outcome::Absent,
            }
        },
    );
}

/// Import (all or nothing) killed at any moment leaves 0 or all N orders.
#[test]
fn sigkill_during_import_leaves_nothing_or_everything() {
    let dir = tempfile::tempdir().unwrap();
    let source = demo_db(dir.path(), 2000, 3);
    let customers = dir.path().join("customers.csv");
    let orders_csv = dir.path().join("orders.csv");
    run_ok(
        orderdesk(&source)
            .args(["export", "customers", "--include-pii", "-o"])
            .arg(&customers),
    );
    run_ok(
        orderdesk(&source)
            .args(["export", "orders", "--include-pii", "-o"])
            .arg(&orders_csv),
    );
    let n = snapshot(&source).statuses.len();

    // A base file holding the customers the orders refer to.
    let base = dir.path().join("base.db");
    run_ok(
        orderdesk(&base)
            .args(["import", "customers"])
            .arg(&customers),
    );
    let work = |i: usize| dir.path().join(format!("import-{i}.db"));
    let started = Instant::now();
    std::fs::copy(&base, dir.path().join("import-timing.db")).unwrap();
    run_ok(
        orderdesk(&dir.path().join("import-timing.db"))
            .args(["import", "orders"])
            .arg(&orders_csv),
    );
    let window = started.elapsed().mul_f64(1.6);
    assert_eq!(
        snapshot(&dir.path().join("import-timing.db"))
            .statuses
            .len(),
        n,
        "a whole import"
    );
    kill_repeatedly(
        "import",
        12,
        window,
        |i| {
            std::fs::copy(&base, work(i)).unwrap();
            let mut c = orderdesk(&work(i));
            c.args(["import", "orders"]).arg(&orders_csv);
            c
        },
        |i, _| {
            assert_check_passes(&work(i), "killing an import");
            match snapshot(&work(i)).statuses.len() {
                0 => Outcome::Absent,
                got => {
                    assert_eq!(got, n, "a killed import left part of its orders");
                    Outcome::Present
                }
            }
        },
    );
}

// ---------------------------------------------------------------------------------------
// Killing the app in the middle of its writes.

fn order_rows(screen: &str) -> usize {
    screen
        .lines()
        .filter(|l| l.starts_with('│') && (l.contains("SO-") || l.contains("KILL-")))
        .count()
}

/// A bulk status change (hundreds of marked orders, one step) and its undo, each killed
/// at a moment spread over the write, again and again: after every kill `check` passes
/// and the change is wholly there or wholly absent — its statuses, its history rows, its
/// audit entries and its undo record together. Would catch committing order by order, or
/// the history, audit or undo record going in a separate transaction.
#[test]
fn sigkill_during_a_bulk_status_change_and_its_undo() {
    const MARKS: usize = 120;
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 3000, 4);
    let pristine = snapshot(&db);
    let closed = pristine
        .statuses
        .values()
        .filter(|s| *s == "closed")
        .count();
    assert!(closed > MARKS, "the demo has {closed} closed orders");

    // Marks MARKS closed orders and opens the status menu; `q` then reopens them as quoted.
    let prepare_bulk = |t: &Term| {
        t.wait_for(|s| order_rows(s) >= 20, "rows");
        t.send(&["f", "j", "j", "j", "j", "j", "j", "j", "Enter", "f"]);
        t.wait_for(
            |s| s.contains(&format!("1 / {closed} ")),
            "the closed orders",
        );
        let spaces = vec!["Space"; MARKS];
        t.send(&spaces);
        t.wait_for(|s| s.contains(&format!("{MARKS} marked")), "the marks");
        t.send(&["s"]);
        t.wait_for(|s| s.contains("letter = status"), "the status menu");
    };
    let reopened = |c: &Connection| {
        count(c, "SELECT count(*) FROM orders WHERE status = 'closed'") < closed as i64
    };

    // Once without a kill each, to time the writes.
    let t = Term::app(&db, 120, 40);
    // The day's first start backs up: its message would cover the list's position that
    // `prepare_bulk` waits for, so it is let finish first.
    t.wait_for(|s| s.contains("Daily backup written"), "the daily backup");
    prepare_bulk(&t);
    let w = watch(&db);
    let start = Instant::now();
    t.send(&["q"]);
    let bulk_time = time_until(&w, start, reopened);
    t.wait_for(|s| s.contains("changed in one step"), "the bulk message");
    let after_bulk = snapshot(&db);
    assert_eq!(changed(&pristine, &after_bulk).len(), MARKS);
    let start = Instant::now();
    t.send(&["u"]);
    let undo_time = time_until(&w, start, |c| !reopened(c));
    drop(w);
    t.wait_for(|s| s.contains("Undone"), "the undo message");
    t.kill9();
    drop(t);
    assert_eq!(snapshot(&db).statuses, pristine.statuses, "undo restores");
    eprintln!("bulk change {bulk_time:?}, undo {undo_time:?}");

    // Undo is timed apart; its kill delays are the bulk change's, scaled.
    let undo_scale = undo_time.as_secs_f64() / bulk_time.as_secs_f64();
    let mut before_bulk = snapshot(&db);
    kill_at_spread_delays(
        "bulk change and undo",
        24,
        bulk_time.mul_f64(2.0),
        |i, delay| {
            let before = snapshot(&db);
            let pending_undo = before.statuses != before_bulk.statuses;
            let t = Term::app(&db, 120, 40);
            let pid = t.pid();
            if pending_undo {
                t.wait_for(|s| order_rows(s) >= 20, "rows");
                t.send(&["u"]);
                std::thread::sleep(delay.mul_f64(undo_scale));
            } else {
                prepare_bulk(&t);
                t.send(&["q"]);
                std::thread::sleep(delay);
            }
            t.kill9();
            wait_dead(pid);
            drop(t);
            assert_check_passes(&db, &format!("kill {i}"));
            let after = snapshot(&db);
            let diff = changed(&before, &after);
            if after == before {
                Outcome::Absent
            } else if pending_undo {
                // The whole undo: exactly the state before the bulk change, one audit entry.
                assert_eq!(
                    after.statuses, before_bulk.statuses,
                    "kill {i}: half an undo"
                );
                assert_eq!(after.history, before_bulk.history, "kill {i}: history");
                assert_eq!(after.undo_pending, before_bulk.undo_pending, "kill {i}");
                assert_eq!(after.audit, before.audit + 1, "kill {i}: audit");
                Outcome::Present
            } else {
                assert_eq!(diff.len(), MARKS, "kill {i}: part of a bulk change");
                assert!(
                    diff.iter().all(|(_, a, b)| a == "closed" && b == "quoted"),
                    "kill {i}: {diff:?}"
                );
                assert_eq!(after.history, before.history + MARKS as i64, "kill {i}");
                assert_eq!(after.audit, before.audit + MARKS as i64, "kill {i}");
                assert_eq!(after.undo_pending, before.undo_pending + 1, "kill {i}");
                before_bulk = before;
                Outcome::Present
            }
        },
    );
    // And the file still exports.
    assert!(order_statuses(&db).len() >= 3000, "the file still exports");
}

/// Saving a new order with many lines (Ctrl-S), killed at moments spread over the save:
/// the order and all its lines, or nothing. Would catch saving the lines after the order
/// in a separate transaction.
#[test]
fn sigkill_during_a_form_save() {
    const LINES: usize = 15;
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 400, 5);

    // Types a whole new order numbered `no` into the form, without saving it.
    let fill = |t: &Term, no: &str| {
        t.wait_for(|s| order_rows(s) >= 20, "rows");
        t.send(&["n"]);
        t.wait_for(|s| s.contains("New order"), "the form");
        // The form opens on the customer (the first empty required field); the number
        // is the field before it.
        let mut keys: Vec<String> = vec!["BTab".into(), no.into(), "Tab".into(), "C00001".into()];
        keys.extend(["Tab"; 4].map(String::from));
        keys.push("2099-06-30".into());
        keys.push("Tab".into());
        keys.push("Harbour Road 1".into());
        keys.extend(["Tab"; 6].map(String::from));
        for l in 0..LINES {
            if l > 0 {
                keys.push("C-n".into());
            }
            for (j, cell) in [
                format!("P{l}"),
                "M6x20".into(),
                format!("{}", l + 1),
                "pcs".into(),
                format!("{l}.25"),
            ]
            .into_iter()
            .enumerate()
            {
                if j > 0 {
                    keys.push("Tab".into());
                }
                keys.push(cell);
            }
        }
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        t.send(&keys);
        let last = format!("{}.25", LINES - 1);
        t.wait_for(|s| s.contains(&last), "the last line typed");
    };
    let saved = |no: &str| {
        let no = no.to_string();
        move |c: &Connection| {
            count(
                c,
                &format!("SELECT count(*) FROM orders WHERE order_no = '{no}'"),
            ) > 0
        }
    };

    let t = Term::app(&db, 120, 40);
    fill(&t, "KILL-000");
    let w = watch(&db);
    let start = Instant::now();
    t.send(&["C-s"]);
    let save_time = time_until(&w, start, saved("KILL-000"));
    drop(w);
    t.wait_for(|s| s.contains("Saved."), "saved");
    t.kill9();
    drop(t);
    eprintln!("form save {save_time:?}");

    kill_at_spread_delays("form save", 16, save_time.mul_f64(2.0), |i, delay| {
        let no = format!("KILL-{:03}", i + 1);
        let before = snapshot(&db);
        let t = Term::app(&db, 120, 40);
        let pid = t.pid();
        fill(&t, &no);
        t.send(&["C-s"]);
        std::thread::sleep(delay);
        t.kill9();
        wait_dead(pid);
        drop(t);
        assert_check_passes(&db, &format!("killing a save at {delay:?}"));
        let c = Connection::open(&db).unwrap();
        let order: Option<(i64, String)> = c
            .query_row(
                "SELECT id, total FROM orders WHERE order_no = ?1",
                [&no],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ok();
        let after = snapshot(&db);
        let Some((id, total)) = order else {
            assert_eq!(after, before, "{no}: absent, yet something changed");
            return Outcome::Absent;
        };
        let lines = count(
            &c,
            &format!("SELECT count(*) FROM order_lines WHERE order_id = {id}"),
        );
        assert_eq!(lines, LINES as i64, "{no}: the order without all its lines");
        let expected: rust_decimal::Decimal = (0..LINES)
            .map(|l| {
                rust_decimal::Decimal::from(l + 1)
                    * format!("{l}.25").parse::<rust_decimal::Decimal>().unwrap()
            })
            .sum();
        assert_eq!(
            total.parse::<rust_decimal::Decimal>().unwrap(),
            expected,
            "{no}: total"
        );
        assert_eq!(after.history, before.history + 1, "{no}: history");
        assert_eq!(after.audit, before.audit + 1, "{no}: audit");
        assert_eq!(after.undo_pending, before.undo_pending + 1, "{no}: undo");
        Outcome::Present
    });
}

// ---------------------------------------------------------------------------------------
// Two copies of the app.

/// Two copies on one file, both showing the same order: the first advances it; the
/// second's `>` is refused with a clear message instead of acting on what it showed, and
/// the order is advanced once, not twice. The refusal shows the order as it is now, so
/// the second `>` then works. Would catch a status change without the row version check,
/// and (the second part) a copy that stays stale after the refusal.
#[test]
fn a_second_copy_is_refused_not_silently_overwriting() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 400, 7);
    let target = order_statuses(&db)
        .into_iter()
        .find(|(_, s)| s == "confirmed")
        .map(|(n, _)| n)
        .expect("a confirmed order");
    let a = Term::app(&db, 120, 40);
    let b = Term::app(&db, 120, 40);
    for t in [&a, &b] {
        t.wait_for(|s| order_rows(s) >= 20, "rows");
        t.send(&["/"]);
        t.text(&target);
        t.send(&["Enter"]);
        t.wait_for(|s| order_rows(s) == 1 && s.contains(&target), "the order");
    }
    a.send(&[">"]);
    a.wait_for(
        |s| s.contains("In production"),
        "advanced in the first copy",
    );
    assert_eq!(status_of(&db, &target), "in_production");

    b.send(&[">"]);
    let screen = b.wait_for(|s| s.contains("changed elsewhere"), "the refusal");
    assert!(
        screen.contains(&target),
        "the message names the order:\n{screen}"
    );
    assert_eq!(
        status_of(&db, &target),
        "in_production",
        "not advanced twice"
    );
    b.wait_for(
        |s| s.contains("In production"),
        "the second copy shows it as it is now",
    );

    b.send(&[">"]);
    b.wait_for(
        |s| s.contains("Ready"),
        "the second try acts on the current status",
    );
    assert_eq!(status_of(&db, &target), "ready");
    for t in [&a, &b] {
        t.send(&["q"]);
    }
    assert_check_passes(&db, "two copies");
}

// ---------------------------------------------------------------------------------------
// The disk full.

/// Runs the binary in `sh` with a file size limit of `blocks` × 512 bytes and SIGXFSZ
/// ignored, so a write past the limit fails with EFBIG as on a full disk.
fn limited(blocks: u64, db: &Path, args: &str) -> (i32, String) {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {blocks} && exec {BIN} --db '{}' {args}",
            db.display()
        ))
        .env("ORDERDESK_CONFIG", "/nonexistent/x.toml")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .stdout(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_one_clear_line(err: &str, wants: &[&str]) {
    assert_eq!(err.trim_end().lines().count(), 1, "one line:\n{err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    assert!(
        wants.iter().any(|w| err.to_lowercase().contains(w)),
        "one of {wants:?} in: {err}"
    );
}

/// Filling a file on a disk that runs out at different points: a clear one-line message,
/// exit 1, and a file that still checks out with nothing half-written. Would catch the
/// raw SQLite I/O error text, a panic, or a partly written demo.
#[test]
fn a_full_disk_gives_a_clear_message_and_nothing_half_written() {
    let dir = tempfile::tempdir().unwrap();
    for blocks in [40, 200, 700, 2500] {
        let db = dir.path().join(format!("full-{blocks}.db"));
        let (code, err) = limited(blocks, &db, "demo --orders 2000");
        assert_eq!(code, 1, "limit {blocks}: {err}");
        assert_one_clear_line(&err, &["disk is full", "file size limit"]);
        if std::fs::metadata(&db).is_ok_and(|m| m.len() > 0) {
            assert_check_passes(&db, &format!("a full disk at {blocks} blocks"));
            assert_eq!(snapshot(&db).statuses.len(), 0, "no half demo");
        }
    }

    // An export that does not fit: no file at all, and no audit entry claiming it.
    let db = demo_db(dir.path(), 1500, 1);
    let audit_before = snapshot(&db).audit;
    let out = dir.path().join("orders.csv");
    let (code, err) = limited(20, &db, &format!("export orders -o '{}'", out.display()));
    assert_eq!(code, 1, "{err}");
    assert_one_clear_line(&err, &["too large", "no space", "disk"]);
    assert!(!out.exists(), "no half-written export");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("orders"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    assert_eq!(snapshot(&db).audit, audit_before, "no export recorded");
    assert_check_passes(&db, "a full disk during an export");
}

// ---------------------------------------------------------------------------------------
// Bad files.

fn stderr_of(cmd: &mut Command) -> (i32, String) {
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The command as an unprivileged user (nobody) when we are root, for whom permissions do
/// not apply; as it is otherwise. `bin` is the program, where that user can reach it.
fn unprivileged(cmd: &Command, bin: &Path) -> Command {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::process::CommandExt;
    let root = std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false);
    let mut out = Command::new(bin);
    if root {
        // std drops the supplementary groups too when root sets a uid.
        out.uid(65534).gid(65534);
    }
    out.args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => out.env(k, v),
            None => out.env_remove(k),
        };
    }
    out
}

/// Every kind of file that is not a usable database, for `check`, `export customers` and
/// opening the app: exit 1 and one line on stderr naming the file and what is wrong; never
/// a panic, never a file created or changed by mistake. Would catch SQLite's "unable to
/// open database file" for a folder or an unreadable file, a 0-byte or foreign SQLite file
/// silently turned into an OrderDesk database, or a newer schema being opened.
#[test]
fn bad_files_are_refused_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let real = demo_db(dir.path(), 300, 1);
    let real_bytes = std::fs::read(&real).unwrap();
    let p = |name: &str| dir.path().join(name);

    std::fs::write(p("truncated.db"), &real_bytes[..4096]).unwrap();
    std::fs::write(p("half.db"), &real_bytes[..real_bytes.len() / 2]).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
    let noise: Vec<u8> = (0..65536).map(|_| rng.gen()).collect();
    std::fs::write(p("random.db"), noise).unwrap();
    std::fs::write(
        p("text.db"),
        "order_no,status\nSO-1,confirmed\n".repeat(200),
    )
    .unwrap();
    std::fs::write(p("empty.db"), b"").unwrap();
    std::fs::create_dir(p("folder.db")).unwrap();
    std::fs::copy(&real, p("newer.db")).unwrap();
    Connection::open(p("newer.db"))
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let foreign = Connection::open(p("foreign.db")).unwrap();
    foreign
        .execute_batch("CREATE TABLE orders (id INTEGER PRIMARY KEY, what TEXT); INSERT INTO orders (what) VALUES ('theirs');")
        .unwrap();
    drop(foreign);
    let foreign_bytes = std::fs::read(p("foreign.db")).unwrap();

    let cases: &[(&str, &[&str])] = &[
        ("missing.db", &["no such database"]),
        ("truncated.db", &["malformed", "not an orderdesk database"]),
        ("half.db", &["malformed", "not an orderdesk database"]),
        ("random.db", &["not an orderdesk database"]),
        ("text.db", &["not an orderdesk database"]),
        ("empty.db", &["empty file"]),
        ("folder.db", &["folder"]),
        ("newer.db", &["newer orderdesk"]),
        ("foreign.db", &["another program"]),
    ];
    for (name, wants) in cases {
        let path = p(name);
        for args in [&["check"][..], &["export", "customers"][..]] {
            let (code, err) = stderr_of(orderdesk(&path).args(args));
            assert_eq!(code, 1, "{name} {args:?}: {err}");
            assert_one_clear_line(&err, wants);
            assert!(err.contains(name), "{name} {args:?}: the path in {err}");
        }
        // Opening the app without a terminal: the file's problem first, and a missing or
        // empty file is not made into a database just to fail on the terminal next.
        let (code, err) = stderr_of(orderdesk(&path).stdout(Stdio::piped()));
        assert_eq!(code, 1, "{name} app: {err}");
        if ["missing.db", "empty.db"].contains(name) {
            assert_one_clear_line(&err, &["terminal"]);
        } else {
            assert_one_clear_line(&err, wants);
        }
    }
    assert!(!p("missing.db").exists(), "nothing created");
    assert_eq!(
        std::fs::metadata(p("empty.db")).unwrap().len(),
        0,
        "left empty"
    );
    assert_eq!(
        std::fs::read(p("foreign.db")).unwrap(),
        foreign_bytes,
        "left alone"
    );

    // Permissions: an unreadable file, and a read-only one (checked as it is; refused for
    // anything that writes, export included, since exports are audited).
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    for (name, mode) in [("unreadable.db", 0o000), ("readonly.db", 0o444)] {
        std::fs::copy(&real, p(name)).unwrap();
        let _ = Command::new("chown")
            .arg("65534:65534")
            .arg(p(name))
            .status();
        std::fs::set_permissions(p(name), std::fs::Permissions::from_mode(mode)).unwrap();
    }
    // The binary where that user reaches it (a folder on the way to BIN may be closed).
    let bin = p("orderdesk");
    if std::fs::hard_link(BIN, &bin).is_err() {
        std::fs::copy(BIN, &bin).unwrap();
    }
    let mut version = Command::new(&bin);
    version.arg("--version");
    let ran = unprivileged(&version, &bin).output().unwrap();
    assert!(
        ran.status.success(),
        "the unprivileged user runs {}: {}",
        bin.display(),
        String::from_utf8_lossy(&ran.stderr)
    );
    let mut probe = unprivileged(&orderdesk(&p("unreadable.db")), &bin);
    let (code, err) = stderr_of(probe.arg("check"));
    assert_eq!(code, 1, "{err}");
    assert_one_clear_line(&err, &["permission denied"]);
    assert!(err.contains("unreadable.db"), "{err}");
    let run = |args: &[&str]| {
        let mut c = orderdesk(&p("readonly.db"));
        c.args(args);
        let mut c = unprivileged(&c, &bin);
        let out = c.stdin(Stdio::null()).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = run(&["check"]);
    assert_eq!(code, 0, "a read-only file can be checked: {err}");
    assert!(out.contains("intact"), "{out}");
    for args in [&["export", "customers"][..], &[][..], &["demo"][..]] {
        let (code, out, err) = run(args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(
            out.is_empty(),
            "{args:?}: nothing written before the refusal: {out}"
        );
        assert_one_clear_line(&err, &["read-only"]);
        assert!(err.contains("readonly.db"), "{err}");
    }
    assert_eq!(
        std::fs::read(p("readonly.db")).unwrap(),
        real_bytes,
        "untouched"
    );
}

// ---------------------------------------------------------------------------------------
// A panic.

/// A panic inside the event loop (`ORDERDESK_TEST_PANIC=1`, after the first frame; debug
/// builds have the trigger, and so this test) leaves a usable terminal — the alternate
/// screen left, the cursor shown, echo and line editing back — with one line naming the
/// crash log, which the owner alone can read. Would catch a hook order that prints before
/// restoring, a backtrace on screen, or a world-readable crash log.
#[cfg(debug_assertions)]
#[test]
fn a_panic_restores_the_terminal_and_names_the_crash_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 100, 1);
    let home = dir.path().join("home");
    let data = dir.path().join("data");
    let log = data.join("orderdesk").join("crash.log");
    let t = Spawn::app(&db)
        .env("HOME", &home)
        .env("XDG_DATA_HOME", &data)
        .env("ORDERDESK_TEST_PANIC", "1")
        .start();
    assert_eq!(t.wait_exit(), 101, "{}", t.screen());
    t.wait_closed("everything the app wrote");
    let screen = t.screen();
    let lflag = t.termios().c_lflag;
    assert!(
        lflag & libc::ICANON != 0 && lflag & libc::ECHO != 0,
        "line editing and echo restored (c_lflag {lflag:o}):\n{screen}"
    );
    assert!(
        !t.with_screen(|s| s.alternate_screen()),
        "the alternate screen left"
    );
    assert!(!t.with_screen(|s| s.hide_cursor()), "the cursor shown");
    let line = format!("orderdesk: internal error; details in {}", log.display());
    assert!(screen.contains(&line), "{screen}");
    assert!(
        !screen.contains("panicked") && !screen.contains("backtrace"),
        "{screen}"
    );
    let text = std::fs::read_to_string(&log).expect("the crash log");
    assert!(text.contains("ORDERDESK_TEST_PANIC"), "{text}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&log).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "crash log mode {mode:o}");
}

// ---------------------------------------------------------------------------------------
// Terminals too small to draw in.

/// The app in a terminal resized down to 1x1 and back, with keys pressed at every size:
/// it keeps running, says the terminal is too small, and draws the list again when there
/// is room. Would catch a layout that panics (and so exits) on a tiny area.
#[test]
fn terminals_down_to_one_cell_do_not_break_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 200, 1);
    let t = Term::app(&db, 120, 40);
    let pid = t.pid();
    t.wait_for(|s| order_rows(s) >= 20, "rows");
    for (w, h) in [
        (1, 1),
        (2, 1),
        (1, 2),
        (3, 3),
        (10, 2),
        (59, 11),
        (60, 12),
        (61, 13),
        (300, 100),
        (5, 40),
        (200, 5),
    ] {
        // `resize` waits for the frame at the new size, and for the keys to be handled
        // before the next one: a crash fails either wait at once.
        t.resize(w, h);
        t.send(&["j", "Tab", "?", "Escape", "n", "x", "Escape", "y", "1"]);
        assert!(alive(pid), "the app ended at {w}x{h}:\n{}", t.screen());
    }
    t.resize(120, 40);
    t.wait_for(|s| order_rows(s) >= 20, "rows again");
    t.send(&["q"]);
    assert_eq!(t.wait_exit(), 0);
    assert_check_passes(&db, "tiny terminals");
}

/// `--demo` killed while filling its new file on the first start: the next start fills it
/// then, instead of opening an empty demo for good. Would catch deciding "new demo" by
/// whether the file exists.
#[test]
fn an_interrupted_first_demo_is_filled_on_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let demo = data.join("orderdesk").join("demo.db");
    let start_demo = || {
        Spawn::bare()
            .arg("--demo")
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", &data)
            .start()
    };
    let t = start_demo();
    let pid = t.pid();
    let start = Instant::now();
    while !demo.exists() {
        assert!(start.elapsed() < Duration::from_secs(20), "no demo file");
        std::thread::sleep(Duration::from_millis(1));
    }
    t.kill9();
    wait_dead(pid);
    drop(t);
    assert_check_passes(&demo, "killing the first --demo");
    let t = start_demo();
    t.wait_for(|s| order_rows(s) >= 20, "a filled demo");
    t.send(&["q"]);
    assert_eq!(t.wait_exit(), 0);
    assert_eq!(snapshot(&demo).statuses.len(), 2000);
}
