//! Prints the SPEC §10 figures at 1,000,000 orders (release build):
//!   cargo bench --bench perf              (creates target/bench-1m.db on first run)
//!   ORDERDESK_BENCH_ORDERS=100000 cargo bench --bench perf   (a smaller file)
//!   ORDERDESK_BENCH_IMPORT_ONLY=1 cargo bench --bench perf   (only the import of 100,000 lines)
//!   ORDERDESK_BENCH_DB=path/to/copy.db   (an existing file instead)
//!   ORDERDESK_BENCH_ONLY=today           (only the Today tab, remind and review)
//!   ORDERDESK_BENCH_ONLY=report          (only the monthly report, in process and as commands)
//!   ORDERDESK_BENCH_ONLY=commits         (1,000 status changes: automatic WAL checkpoints
//!                                         against the app's checkpoint worker)
//! A benchmark, not a test: it reports numbers and never fails on a slow machine.

#[path = "common/demo_file.rs"]
mod demo_file;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use orderdesk::app::keymap::Keymap;
use orderdesk::app::App;
use orderdesk::config::Config;
use orderdesk::store::checkpoint::Checkpointer;
use orderdesk::store::Store;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_orderdesk");

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

/// One key as the event loop handles it: the key, then the next frame.
fn key_to_frame(app: &mut App, terminal: &mut Terminal<TestBackend>, k: KeyEvent) -> Duration {
    let start = Instant::now();
    app.handle_key(k);
    app.prepare(orderdesk::ui::list_height(40));
    terminal
        .draw(|f| orderdesk::ui::draw(f, app))
        .expect("draw");
    start.elapsed()
}

fn report(label: &str, mut samples: Vec<Duration>, p50_goal_ms: f64, p99_goal_ms: f64) {
    samples.sort();
    let pick = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label:<34} n={:<5} p50 {:>7.3} ms  p99 {:>7.3} ms  max {:>7.3} ms   (goal p50 < {p50_goal_ms} ms, p99 < {p99_goal_ms} ms)",
        samples.len(),
        ms(pick(0.5)),
        ms(pick(0.99)),
        ms(*samples.last().expect("samples"))
    );
}

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// The app as `orderdesk` runs it: with the checkpoint worker (automatic checkpoints off on
/// its connection) unless `checkpoints` is false, when SQLite checkpoints on the committing
/// connection every 1,000 WAL pages (a commit that happens to do so takes far longer).
type Opened = (App, Terminal<TestBackend>, Duration, Option<Checkpointer>);

fn open(path: &std::path::Path) -> Opened {
    open_with(path, true)
}

fn open_with(path: &std::path::Path, checkpoints: bool) -> Opened {
    let start = Instant::now();
    let store = Store::open(path).expect("open");
    let worker = if checkpoints {
        Checkpointer::start(&store).expect("checkpoint worker")
    } else {
        None
    };
    let mut app = App::new(store, Config::default(), Keymap::defaults());
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    app.prepare(orderdesk::ui::list_height(40));
    terminal
        .draw(|f| orderdesk::ui::draw(f, &app))
        .expect("draw");
    let first = start.elapsed();
    assert!(
        app.screens.orders.list.rows.len() >= 20,
        "first frame has rows"
    );
    (app, terminal, first, worker)
}

/// 400 customers and 20,000 orders of 5 lines each, as a clerk's spreadsheet would hold them
/// (Chinese and English text, quoted commas, line breaks in notes).
fn write_import_files(dir: &std::path::Path) -> (PathBuf, PathBuf) {
    use std::fmt::Write as _;
    std::fs::create_dir_all(dir).expect("bench folder");
    let customers = dir.join("customers.csv");
    let orders = dir.join("orders.csv");
    let mut c = String::from("code,name,contact_person,phone,email,im_handle,preferred_channel,address,payment_terms_days,language,notes\n");
    for i in 0..400 {
        if i % 2 == 0 {
            let _ = writeln!(c, "C{i:04},深圳市第{i}精密五金有限公司,王{i},138{i:08},c{i}@example.cn,wx_{i},im,\"广东省深圳市宝安区福永大道{i}号, 3栋\",30,zh,");
        } else {
            let _ = writeln!(c, "C{i:04},\"Precision Parts {i}, Ltd.\",Anna {i},+49 30 {i:07},anna{i}@example.com,,email,\"{i} Industrial Road, Hamburg\",60,en,\"key account;\nsends drawings late\"");
        }
    }
    std::fs::write(&customers, c).expect("customers.csv");
    let mut o = String::from("order_no,customer,order_type,status,ordered_at,due_date,delivery_address,currency,payment_due,paid_at,product_code,spec,quantity,unit,unit_price,missing_reason,notes\n");
    let statuses = [
        "inquiry",
        "quoted",
        "confirmed",
        "in_production",
        "shipped",
        "delivered",
        "closed",
    ];
    for n in 0..20_000u32 {
        let day = 1 + n % 28;
        let month = 1 + (n / 28) % 12;
        let status = statuses[(n % 7) as usize];
        let customer = n % 400;
        for line in 0..5 {
            let _ = writeln!(
                o,
                "SO-2026{month:02}{day:02}-{n:05},C{customer:04},regular,{status},2026-{month:02}-{day:02} 09:{:02}:00,2026-{:02}-{day:02},\"上海市浦东新区张江路{n}号, 2号门\",CNY,,,P-{line}{:03},\"不锈钢螺栓 M{}×{}, A2-70\",{},pcs,{}.{:02},,\"加急；\n分批发货\"",
                n % 60,
                month % 12 + 1,
                n % 997,
                6 + line * 2,
                20 + n % 80,
                100 + n % 9000,
                1 + n % 50,
                n % 100
            );
        }
    }
    std::fs::write(&orders, o).expect("orders.csv");
    (customers, orders)
}

/// SPEC §10: importing 100,000 order lines into an empty file takes < 5 s.
fn import_bench() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-import");
    let (customers, orders) = write_import_files(&dir);
    let db = dir.join("import.db");
    for f in ["import.db", "import.db-wal", "import.db-shm"] {
        let _ = std::fs::remove_file(dir.join(f));
    }
    let import = |kind: &str, file: &std::path::Path| {
        let started = Instant::now();
        let status = Command::new(BIN)
            .arg("--db")
            .arg(&db)
            .args(["import", kind])
            .arg(file)
            .status()
            .expect("run orderdesk import");
        assert!(status.success(), "import {kind} failed");
        started.elapsed()
    };
    import("customers", &customers);
    let took = import("orders", &orders);
    println!(
        "{:<34} {:>7.3} s (20,000 orders × 5 lines into an empty file; goal < 5 s)",
        "import of 100,000 order lines",
        took.as_secs_f64()
    );
}

/// The monthly report: the last full month, the figures the `report` command computes, in
/// process and as whole commands.
fn report_figures(app: &App, path: &std::path::Path) {
    let month = orderdesk::domain::month::Month::current().prev();
    let now = orderdesk::domain::time::now();
    let mut one = Vec::new();
    let mut trend = Vec::new();
    for _ in 0..11 {
        let start = Instant::now();
        orderdesk::store::report::month_report(app.store.conn(), month, now, &Default::default())
            .expect("report");
        one.push(start.elapsed());
        let start = Instant::now();
        orderdesk::store::report::on_time_trend(app.store.conn(), month, 12).expect("trend");
        trend.push(start.elapsed());
    }
    report(
        &format!("report figures {month} (in process)"),
        one,
        500.0,
        500.0,
    );
    report("report 12-month on-time trend", trend, 100.0, 100.0);
    let mut cli = Vec::new();
    for format in ["json", "json", "json", "json", "json", "text", "html"] {
        let start = Instant::now();
        let out = Command::new(BIN)
            .args(["--db"])
            .arg(path)
            .args(["report", "--month", &month.to_string(), "--format", format])
            .output()
            .expect("run orderdesk report");
        assert!(out.status.success(), "report --format {format} failed");
        let d = start.elapsed();
        println!(
            "  report --format {format:<5} {:>8.3} ms (whole command)",
            d.as_secs_f64() * 1000.0
        );
        if format == "json" {
            cli.push(d);
        }
    }
    report("report --month --format json", cli, 500.0, 500.0);
    let xlsx = std::env::temp_dir().join(format!("orderdesk-bench-{}.xlsx", std::process::id()));
    let start = Instant::now();
    let out = Command::new(BIN)
        .args(["--db"])
        .arg(path)
        .args([
            "report",
            "--month",
            &month.to_string(),
            "--format",
            "xlsx",
            "-o",
        ])
        .arg(&xlsx)
        .output()
        .expect("run orderdesk report");
    assert!(out.status.success(), "report --format xlsx failed");
    println!(
        "{:<34} {:>7.3} ms ({} KiB, every list sheet)",
        "report --format xlsx",
        start.elapsed().as_secs_f64() * 1000.0,
        std::fs::metadata(&xlsx)
            .map(|m| m.len() / 1024)
            .unwrap_or(0)
    );
    let _ = std::fs::remove_file(&xlsx);
}

fn main() {
    let only = std::env::var("ORDERDESK_BENCH_ONLY").ok();
    if only.is_none() {
        import_bench();
    }
    if std::env::var("ORDERDESK_BENCH_IMPORT_ONLY").is_ok() {
        return;
    }
    let orders: usize = std::env::var("ORDERDESK_BENCH_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let path = demo_file::demo_file(BIN, orders);
    println!(
        "OrderDesk benchmarks on {} ({orders} orders), 120x40",
        path.display()
    );

    if only.as_deref() == Some("report") {
        let (app, _, _, _worker) = open(&path);
        report_figures(&app, &path);
        return;
    }
    if std::env::var("ORDERDESK_BENCH_ONLY").as_deref() == Ok("commits") {
        commits(&path);
        return;
    }
    if std::env::var("ORDERDESK_BENCH_ONLY").as_deref() == Ok("today") {
        let (mut app, mut t, _, _checkpoints) = open(&path);
        today(&mut app, &mut t);
        return;
    }
    let mut firsts = Vec::new();
    for _ in 0..10 {
        let (_, _, first, _) = open(&path);
        firsts.push(first);
    }
    report("first frame with rows (open+draw)", firsts, 50.0, 50.0);

    let (mut app, mut t, _, _checkpoints) = open(&path);
    let start = Instant::now();
    app.do_deferred_work();
    println!(
        "{:<34} {:>7.3} ms (after the first frame; count = {:?})",
        "count of all orders",
        start.elapsed().as_secs_f64() * 1000.0,
        app.screens.orders.list.total
    );

    let j: Vec<_> = (0..2000)
        .map(|_| key_to_frame(&mut app, &mut t, key(KeyCode::Char('j'))))
        .collect();
    report("j (down)", j, 5.0, 16.0);
    let pg: Vec<_> = (0..1000)
        .map(|_| key_to_frame(&mut app, &mut t, key(KeyCode::PageDown)))
        .collect();
    report("PgDn", pg, 5.0, 16.0);
    let mut g = Vec::new();
    for _ in 0..50 {
        g.push(key_to_frame(&mut app, &mut t, key(KeyCode::Char('G'))));
        key_to_frame(&mut app, &mut t, key(KeyCode::Char('g')));
    }
    report("G (jump to the end)", g, 5.0, 16.0);
    let mut tabs = Vec::new();
    for _ in 0..100 {
        tabs.push(key_to_frame(&mut app, &mut t, key(KeyCode::Tab)));
        key_to_frame(&mut app, &mut t, key(KeyCode::BackTab));
    }
    report("Tab (switch tab)", tabs, 5.0, 16.0);

    let mut search = Vec::new();
    for term in [
        "SO-2026",
        "深圳",
        "华联电子",
        "PCB",
        "blue",
        "M6×20",
        "Acme",
    ] {
        key_to_frame(&mut app, &mut t, key(KeyCode::Char('/')));
        let mut slowest = Duration::ZERO;
        for c in term.chars() {
            let d = key_to_frame(&mut app, &mut t, key(KeyCode::Char(c)));
            if std::env::var("ORDERDESK_BENCH_VERBOSE").is_ok() {
                println!("    {c:?} {:.3} ms", d.as_secs_f64() * 1000.0);
            }
            slowest = slowest.max(d);
            search.push(d);
        }
        println!(
            "  search {term:<10} slowest keystroke {:>8.3} ms, {} rows",
            slowest.as_secs_f64() * 1000.0,
            app.screens.orders.list.rows.len()
        );
        key_to_frame(&mut app, &mut t, key(KeyCode::Esc));
    }
    report("search keystroke", search, 30.0, 30.0);

    let mut change = Vec::new();
    let mut undo = Vec::new();
    for _ in 0..100 {
        let h = key_to_frame(&mut app, &mut t, key(KeyCode::Char('h')));
        // A hold asks for its reason first; the change commits on Enter. A resume is `h` alone.
        if matches!(app.mode, orderdesk::app::Mode::Prompt { .. }) {
            key_to_frame(&mut app, &mut t, key(KeyCode::Char('w')));
            change.push(key_to_frame(&mut app, &mut t, key(KeyCode::Enter)));
        } else {
            change.push(h);
        }
        undo.push(key_to_frame(&mut app, &mut t, key(KeyCode::Char('u'))));
        key_to_frame(&mut app, &mut t, key(KeyCode::Char('j')));
    }
    report("status change (h) + commit", change, 5.0, 16.0);
    let mut saves = Vec::new();
    for _ in 0..20 {
        key_to_frame(&mut app, &mut t, key(KeyCode::Char('e')));
        let start = Instant::now();
        app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        app.prepare(orderdesk::ui::list_height(40));
        t.draw(|f| orderdesk::ui::draw(f, &app)).expect("draw");
        saves.push(start.elapsed());
        assert!(app.form().is_none(), "the form saved");
        key_to_frame(&mut app, &mut t, key(KeyCode::Char('u')));
    }
    report("order form save (Ctrl-S) + commit", saves, 5.0, 16.0);
    report("undo (u) + commit", undo, 5.0, 16.0);

    today(&mut app, &mut t);

    report_figures(&app, &path);

    // The Reports tab: switching to it draws at once; the figures (this month, the one
    // before, 12-month trend) arrive from a worker thread while keys keep being answered.
    key_to_frame(&mut app, &mut t, key(KeyCode::Char('1')));
    let mut switch = Vec::new();
    let mut ready = Vec::new();
    let mut during = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        switch.push(key_to_frame(&mut app, &mut t, key(KeyCode::Char('6'))));
        app.do_deferred_work();
        while app.waiting() {
            during.push(key_to_frame(&mut app, &mut t, key(KeyCode::Char('j'))));
            app.collect_background();
        }
        ready.push(start.elapsed());
        assert!(app.screens.reports.shown().is_some(), "the figures arrived");
        key_to_frame(&mut app, &mut t, key(KeyCode::Char('1')));
    }
    report("Reports tab switch (key to frame)", switch, 5.0, 16.0);
    if !during.is_empty() {
        report("keys while the report computes", during, 5.0, 16.0);
    }
    report("Reports tab figures on screen", ready, 500.0, 500.0);

    println!(
        "{:<34} {:>7.1} MiB now, {:.1} MiB peak (goal < 64 MiB)",
        "RSS",
        rss_kib("VmRSS:") as f64 / 1024.0,
        rss_kib("VmHWM:") as f64 / 1024.0
    );
}

/// The Today tab (goal < 100 ms at 1,000,000 orders), each kind's share, a jump from an
/// item to its record, and `remind` and `review` as the command line runs them.
fn today(app: &mut App, t: &mut Terminal<TestBackend>) {
    key_to_frame(app, t, key(KeyCode::Char('5')));
    let start = Instant::now();
    app.do_deferred_work();
    println!(
        "{:<34} {:>7.3} ms (first time, cold page cache)",
        "Today tab built",
        start.elapsed().as_secs_f64() * 1000.0
    );
    let mut builds = Vec::new();
    let mut kept = Vec::new();
    for _ in 0..10 {
        key_to_frame(app, t, key(KeyCode::Char('1')));
        // Forget the last build, so this one reads everything again.
        app.screens.today = Default::default();
        key_to_frame(app, t, key(KeyCode::Char('5')));
        let start = Instant::now();
        app.do_deferred_work();
        t.draw(|f| orderdesk::ui::draw(f, app)).expect("draw");
        builds.push(start.elapsed());
        key_to_frame(app, t, key(KeyCode::Char('1')));
        key_to_frame(app, t, key(KeyCode::Char('5')));
        let start = Instant::now();
        app.do_deferred_work();
        t.draw(|f| orderdesk::ui::draw(f, app)).expect("draw");
        kept.push(start.elapsed());
    }
    report("Today tab built and drawn", builds, 100.0, 100.0);
    report("Today again, nothing changed", kept, 5.0, 16.0);
    let ctx = orderdesk::store::list::ListContext::current();
    let windows = orderdesk::store::today::ResponseWindows::from_hours(4, 8, 24, 24);
    for (kind, _) in orderdesk::store::today::KINDS {
        let start = Instant::now();
        let k =
            orderdesk::store::today::kind_items(app.store.conn(), kind, windows, &ctx, Some(50))
                .expect("kind");
        println!(
            "  {kind:<22} {:>8} counted, {:>3} listed in {:>8.3} ms",
            k.count,
            k.items.len(),
            start.elapsed().as_secs_f64() * 1000.0
        );
    }
    let mut jumps = Vec::new();
    for _ in 0..20 {
        key_to_frame(app, t, key(KeyCode::Char('5')));
        app.do_deferred_work();
        // The first item of the first kind with any: a complaint, a shipment or an order.
        key_to_frame(app, t, key(KeyCode::Char('j')));
        jumps.push(key_to_frame(app, t, key(KeyCode::Enter)));
    }
    report("Enter on a Today item", jumps, 16.0, 50.0);
    for (args, label) in [
        (vec!["remind"], "orderdesk remind"),
        (vec!["review"], "orderdesk review (text)"),
    ] {
        let start = Instant::now();
        let out = Command::new(BIN)
            .arg("--db")
            .arg(app.store.path())
            .args(&args)
            .output()
            .expect("run orderdesk");
        assert!(out.status.success(), "{label}");
        println!(
            "{label:<34} {:>7.1} ms, {} lines",
            start.elapsed().as_secs_f64() * 1000.0,
            out.stdout.iter().filter(|b| **b == b'\n').count()
        );
    }
}

/// 1,000 status changes (`h`, hold and resume, on the orders down the list), each with its
/// commit and frame: first with SQLite's automatic checkpoints (every 1,000 WAL pages, on
/// the committing connection), then as the app runs, with the checkpoint worker.
fn commits(path: &std::path::Path) {
    for worker in [false, true] {
        let (mut app, mut t, _, checkpoints) = open_with(path, worker);
        let mut change = Vec::new();
        for i in 0..1000 {
            let h = key_to_frame(&mut app, &mut t, key(KeyCode::Char('h')));
            // A hold asks for its reason first; the change commits on Enter.
            if matches!(app.mode, orderdesk::app::Mode::Prompt { .. }) {
                key_to_frame(&mut app, &mut t, key(KeyCode::Char('w')));
                change.push(key_to_frame(&mut app, &mut t, key(KeyCode::Enter)));
            } else {
                change.push(h);
            }
            if i % 2 == 1 {
                key_to_frame(&mut app, &mut t, key(KeyCode::Char('j')));
            }
        }
        let label = if worker {
            "status change, checkpoint worker"
        } else {
            "status change, auto checkpoints"
        };
        report(label, change, 5.0, 16.0);
        drop(checkpoints);
    }
}
