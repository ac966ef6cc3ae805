//! Item 7 and 9 of the safe edges: an attachment copied on a worker, and a database locked
//! by another program, with the keys answered meanwhile.

use super::fixture;
use super::tests::{code, ctrl, press};
use super::*;
use crossterm::event::KeyCode;
use std::io::{Read, Seek, SeekFrom, Write};
use std::time::{Duration, Instant};

/// Keys are answered within this, whatever the database does. A key that waited instead
/// would wait for the lock these tests hold until they release it, or for the copy of a file
/// of gigabytes: seconds at least. The budget is far above a key's own work (a few ms) so
/// that a loaded machine running a debug build cannot make the test fail by itself.
const KEY_BUDGET: Duration = Duration::from_millis(1_000);

fn timed(app: &mut App, keys: &str) -> Duration {
    let start = Instant::now();
    if keys == "^s" {
        ctrl(app, 's');
    } else {
        press(app, keys);
    }
    start.elapsed()
}

fn one<T: rusqlite::types::FromSql>(app: &App, sql: &str) -> T {
    app.store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Polls as the event loop does until `done` holds; fails after 120 s, far longer than any
/// of these waits takes even on a loaded machine, so only a hang fails it.
fn poll_until(app: &mut App, mut done: impl FnMut(&App) -> bool, mut seen: impl FnMut(&App)) {
    let start = Instant::now();
    while !done(app) {
        assert!(start.elapsed() < Duration::from_secs(120), "in time");
        std::thread::sleep(Duration::from_millis(2));
        app.collect_background();
        seen(app);
    }
}

fn screen(app: &mut App) -> String {
    let (w, h) = (120, 30);
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    app.prepare(crate::ui::list_height(h));
    t.draw(|f| crate::ui::draw(f, app)).unwrap();
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
        .collect()
}

fn message(app: &App) -> String {
    app.status.message.clone().map(|m| m.1).unwrap_or_default()
}

#[test]
fn a_status_change_and_a_form_save_wait_for_a_locked_database_and_land_after() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("busy.db");
    let mut app = fixture::app_on_file(&db, 3);
    let order = app.screens.orders.list.selected().unwrap().order_no.clone();
    let status_sql = format!("SELECT status FROM orders WHERE order_no = '{order}'");
    let before: String = one(&app, &status_sql);

    let other = rusqlite::Connection::open(&db).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();

    // A status change: answered at once, kept, and said so.
    let took = timed(&mut app, ">");
    assert!(took < KEY_BUDGET, "the key took {took:?}");
    assert!(
        message(&app).contains("in use by another program"),
        "{}",
        message(&app)
    );
    assert_eq!(one::<String>(&app, &status_sql), before, "not written yet");
    assert!(app.waiting(), "the event loop wakes to retry");
    let screen = screen(&mut app);
    assert!(
        screen.contains("Database in use by another program"),
        "the status line says so:\n{screen}"
    );
    let took = timed(&mut app, "j");
    assert!(took < KEY_BUDGET, "a key while waiting took {took:?}");
    assert!(
        message(&app).contains("in use by another program"),
        "still said"
    );
    press(&mut app, "k");

    // A new order through the form: the form stays open with what was typed.
    press(&mut app, "n");
    press(&mut app, "C002");
    for _ in 0..4 {
        code(&mut app, KeyCode::Tab);
    }
    press(&mut app, "2099-06-30");
    code(&mut app, KeyCode::Tab);
    press(&mut app, "Hamburg, Hafenstraße 1");
    for _ in 0..6 {
        code(&mut app, KeyCode::Tab);
    }
    press(&mut app, "P-9");
    code(&mut app, KeyCode::Tab);
    press(&mut app, "red");
    code(&mut app, KeyCode::Tab);
    press(&mut app, "12");
    let took = timed(&mut app, "^s");
    assert!(took < KEY_BUDGET, "the save took {took:?}");
    let form = app.form().expect("the form stays open");
    let note = form.message.clone().unwrap_or_default();
    assert!(note.contains("in use by another program"), "{note}");
    assert_eq!(one::<i64>(&app, "SELECT count(*) FROM orders"), 3);

    // Retries while the lock is held: still kept, and each costs little.
    for _ in 0..3 {
        std::thread::sleep(busy::RETRY_EVERY);
        let start = Instant::now();
        app.collect_background();
        assert!(start.elapsed() < KEY_BUDGET, "{:?}", start.elapsed());
        assert!(app.waiting_for_db());
    }
    assert!(app.form().is_some(), "nothing lost");

    // The other program lets go: both land, in order, by themselves.
    other.execute_batch("COMMIT").unwrap();
    poll_until(&mut app, |a| !a.waiting_for_db(), |_| {});
    assert!(app.form().is_none(), "saved: {:?}", app.status.message);
    assert_ne!(
        one::<String>(&app, &status_sql),
        before,
        "the status change landed"
    );
    assert_eq!(one::<i64>(&app, "SELECT count(*) FROM orders"), 4);
    let address: String = one(
        &app,
        "SELECT delivery_address FROM orders ORDER BY id DESC LIMIT 1",
    );
    assert_eq!(address, "Hamburg, Hafenstraße 1");
    // Each is its own undo step.
    press(&mut app, "u");
    assert_eq!(one::<i64>(&app, "SELECT count(*) FROM orders"), 3);
    press(&mut app, "u");
    assert_eq!(one::<String>(&app, &status_sql), before);
}

#[test]
fn the_waiting_messages_are_in_both_languages() {
    use crate::i18n::{t_in, Lang};
    for key in ["busy.waiting", "busy.refused", "attach.copying"] {
        assert!(t_in(Lang::En, key).contains("another program") || key == "attach.copying");
        let zh = t_in(Lang::Zh, key);
        let english = zh
            .replace("{seconds}", "")
            .replace("{name}", "")
            .replace("{percent}", "");
        assert!(
            !english.chars().any(|c| c.is_ascii_alphabetic()),
            "{key}: {zh}"
        );
    }
}

const MIB: u64 = 1024 * 1024;

/// A sparse file of `len` bytes (no disk used) with a few marked ranges.
fn sparse(path: &std::path::Path, len: u64) -> Vec<(u64, usize)> {
    let mut f = std::fs::File::create(path).unwrap();
    f.set_len(len).unwrap();
    let ranges = vec![(0, 4096), (len / 2 + 17, 10_000), (len - 5000, 5000)];
    for (i, (at, n)) in ranges.iter().enumerate() {
        f.seek(SeekFrom::Start(*at)).unwrap();
        let bytes: Vec<u8> = (0..*n).map(|k| (k * 31 + i * 7 + 1) as u8).collect();
        f.write_all(&bytes).unwrap();
    }
    ranges
}

fn range_hash(path: &std::path::Path, at: u64, n: usize) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut f = std::fs::File::open(path).unwrap();
    f.seek(SeekFrom::Start(at)).unwrap();
    let mut buf = vec![0; n];
    f.read_exact(&mut buf).unwrap();
    let mut h = DefaultHasher::new();
    buf.hash(&mut h);
    h.finish()
}

/// `a`, the path, Ctrl-S; then `y` to the size question.
fn attach(app: &mut App, file: &std::path::Path) {
    press(app, "a");
    assert!(app.form().is_some());
    press(app, &file.display().to_string());
    ctrl(app, 's');
    assert!(
        matches!(app.mode, Mode::Confirm(Confirm::LargeAttach(_))),
        "over 100 MB asks first: {:?} {:?}",
        app.mode,
        app.form().map(|f| &f.message)
    );
    let took = timed(app, "y");
    assert!(took < KEY_BUDGET, "starting took {took:?}");
    assert!(app.attach_running());
}

fn partials(dir: &std::path::Path) -> usize {
    walk(&dir.join("archive"))
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(".partial"))
        .count()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

#[test]
fn a_large_sparse_file_is_copied_on_a_worker_with_progress() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let big = dir.path().join("scan.pdf");
    // Over the 100 MB that is attached without asking, and many copy steps long.
    let len = 128 * MIB + 123;
    let ranges = sparse(&big, len);
    let mut app = fixture::app_on_file(&db, 3);
    attach(&mut app, &big);
    assert_eq!(one::<i64>(&app, "SELECT count(*) FROM documents"), 0);

    // Keys keep working during the copy; the status line shows a percentage.
    let took = timed(&mut app, "j");
    assert!(took < KEY_BUDGET, "a key during the copy took {took:?}");
    let mut percents = std::collections::BTreeSet::new();
    poll_until(
        &mut app,
        |a| !a.attach_running(),
        |a| {
            let text = message(a);
            if let Some(p) = text.split('%').next().and_then(|s| s.rsplit(' ').next()) {
                if let Ok(p) = p.parse::<u32>() {
                    percents.insert(p);
                }
            }
        },
    );
    assert!(
        percents.iter().any(|p| (1..100).contains(p)),
        "progress shown: {percents:?}"
    );
    assert!(message(&app).starts_with("Attached"), "{}", message(&app));

    let stored: String = one(&app, "SELECT stored_path FROM documents");
    let copy = dir.path().join(stored);
    assert_eq!(std::fs::metadata(&copy).unwrap().len(), len);
    for (at, n) in ranges {
        assert_eq!(range_hash(&copy, at, n), range_hash(&big, at, n), "at {at}");
    }
    assert_eq!(partials(dir.path()), 0);
}

#[test]
fn quitting_stops_a_copy_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let big = dir.path().join("huge.bin");
    sparse(&big, 4096 * MIB);
    let mut app = fixture::app_on_file(&db, 3);
    attach(&mut app, &big);
    press(&mut app, "q");
    assert!(!app.running);
    app.finish_background();
    assert!(!app.attach_running());
    assert_eq!(partials(dir.path()), 0, "the partial copy is removed");
    assert_eq!(walk(&dir.path().join("archive")).len(), 0);
    assert_eq!(one::<i64>(&app, "SELECT count(*) FROM documents"), 0);
}

#[test]
fn a_copied_attachment_waits_for_a_locked_database_to_be_listed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let small = dir.path().join("po.txt");
    std::fs::write(&small, "PO 42").unwrap();
    let mut app = fixture::app_on_file(&db, 3);
    let other = rusqlite::Connection::open(&db).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    press(&mut app, "a");
    press(&mut app, &small.display().to_string());
    ctrl(&mut app, 's');
    poll_until(&mut app, |a| !a.attach_running(), |_| {});
    assert!(app.waiting_for_db(), "{}", message(&app));
    assert!(message(&app).contains("in use by another program"));
    other.execute_batch("ROLLBACK").unwrap();
    poll_until(&mut app, |a| !a.waiting_for_db(), |_| {});
    assert_eq!(one::<i64>(&app, "SELECT count(*) FROM documents"), 1);
    let stored: String = one(&app, "SELECT stored_path FROM documents");
    assert_eq!(std::fs::read(dir.path().join(stored)).unwrap(), b"PO 42");
}
