//! Backups, restore, encryption and the audit trail through the real binary (SPEC §8), as a
//! script would drive them: passphrases from ORDERDESK_PASSPHRASE, never a terminal.

mod common;

use common::term::Term;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const KINDS: &[&str] = &[
    "customers",
    "orders",
    "shipments",
    "exceptions",
    "complaints",
    "contacts",
    "surveys",
    "requirements",
];

/// The binary without a controlling terminal, so a missing passphrase cannot be asked for.
fn no_tty(mut cmd: Command) -> Command {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: setsid is async-signal-safe and touches nothing of the parent.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
    }
    cmd
}

fn od(db: &Path) -> Command {
    no_tty(orderdesk(db))
}

fn with_pass(db: &Path, pass: &str) -> Command {
    let mut c = od(db);
    c.env("ORDERDESK_PASSPHRASE", pass);
    c
}

fn fails(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "{cmd:?} should fail: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    err
}

/// Every kind exported, masked and unmasked.
fn exports(cmd: impl Fn() -> Command) -> Vec<(String, Vec<u8>)> {
    let mut all = Vec::new();
    for kind in KINDS {
        for pii in [false, true] {
            let mut c = cmd();
            c.args(["export", kind]);
            if pii {
                c.args(["--include-pii", "--reason", "test of the exports"]);
            }
            all.push((format!("{kind} pii={pii}"), run_ok(&mut c).stdout));
        }
    }
    all
}

fn customer_names(db: &Path, pass: Option<&str>) -> Vec<String> {
    let mut c = od(db);
    if let Some(p) = pass {
        c.env("ORDERDESK_PASSPHRASE", p);
    }
    let out = run_ok(c.args(["export", "customers", "--include-pii", "--reason", "test"]));
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    let names: Vec<String> = r
        .records()
        .map(|rec| rec.unwrap()[1].to_string())
        .filter(|n| n.chars().count() >= 4)
        .collect();
    assert!(names.len() > 3);
    names
}

fn contains(path: &Path, needle: &str) -> bool {
    let bytes = std::fs::read(path).unwrap();
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn private(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o077 == 0
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        true
    }
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

#[test]
fn backup_then_damage_then_restore_gives_the_same_exports() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 300, 5);
    let before = exports(|| od(&db));

    // To the default folder, and to one given.
    run_ok(od(&db).arg("backup"));
    let default = files_in(&dir.path().join("backups"));
    assert_eq!(default.len(), 1, "{default:?}");
    let to = dir.path().join("cloud");
    let out = run_ok(od(&db).args(["backup", "--to"]).arg(&to));
    let backups = files_in(&to);
    assert_eq!(backups.len(), 1);
    let backup = &backups[0];
    let name = backup.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("demo-")
            && name.ends_with(".db")
            && name.len() == "demo-20260101-000000.db".len(),
        "{name}"
    );
    assert!(private(backup));
    assert!(String::from_utf8_lossy(&out.stderr).contains("checked"));

    // Damaged: garbage over the whole file.
    let len = std::fs::metadata(&db).unwrap().len() as usize;
    std::fs::write(&db, b"garbage! ".repeat(len / 9 + 1)).unwrap();
    let err = fails(od(&db).args(["export", "orders"]));
    assert!(err.contains("not an OrderDesk database"), "{err}");

    let out = run_ok(od(&db).arg("restore").arg(backup));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("kept as"), "{said}");
    assert_eq!(exports(|| od(&db)), before);
    let kept: Vec<PathBuf> = files_in(dir.path())
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("demo.db.before-restore-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(contains(&kept[0], "garbage! "));
    assert!(private(&kept[0]) && private(&db));
    let check = run_ok(od(&db).arg("check"));
    assert!(String::from_utf8_lossy(&check.stdout).contains("integrity: ok"));

    // A bad backup changes nothing.
    let err = fails(od(&db).arg("restore").arg(dir.path().join("nothing.db")));
    assert!(err.contains("no such backup"), "{err}");
    let err = fails(od(&db).arg("restore").arg(&kept[0]));
    assert!(err.contains("not an OrderDesk database"), "{err}");
    assert_eq!(exports(|| od(&db)), before);
}

#[test]
fn an_encrypted_file_shows_nothing_without_its_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 200, 9);
    let names = customer_names(&db, None);
    let before = exports(|| od(&db));
    assert!(names.iter().any(|n| contains(&db, n)), "plain shows names");

    let pass = "tea with 3 sugars";
    let err = fails(od(&db).arg("encrypt"));
    assert!(err.contains("ORDERDESK_PASSPHRASE"), "{err}");
    run_ok(with_pass(&db, pass).arg("encrypt"));
    assert!(private(&db));
    for n in &names {
        assert!(!contains(&db, n), "{n} readable");
    }
    assert!(!contains(&db, pass));
    // What a curious person would try on a copy.
    let copy = dir.path().join("copy.db");
    std::fs::copy(&db, &copy).unwrap();
    assert!(
        !plain_sqlite_reads(&copy, "SELECT * FROM customers"),
        "plain SQLite reads the encrypted copy"
    );
    let err = fails(with_pass(&copy, "tea with 2 sugars").args(["export", "customers"]));
    assert!(err.contains("wrong passphrase"), "{err}");
    let err = fails(od(&copy).args(["export", "customers"]));
    assert!(
        err.contains("give the passphrase (ORDERDESK_PASSPHRASE"),
        "{err}"
    );
    let err = fails(with_pass(&copy, "tea with 2 sugars").arg("check"));
    assert!(err.contains("wrong passphrase"), "{err}");

    // With it, everything is as before.
    assert_eq!(exports(|| with_pass(&db, pass)), before);
    let err = fails(with_pass(&db, pass).arg("encrypt"));
    assert!(err.contains("already encrypted"), "{err}");

    // Its backups are encrypted too, and restore asks for their passphrase.
    let to = dir.path().join("b");
    run_ok(with_pass(&db, pass).args(["backup", "--to"]).arg(&to));
    let backup = files_in(&to).pop().unwrap();
    for n in &names {
        assert!(!contains(&backup, n), "{n} readable in the backup");
    }
    assert!(!plain_sqlite_reads(&backup, "SELECT * FROM customers"));
    std::fs::write(&db, vec![0u8; 4096]).unwrap();
    let err = fails(with_pass(&db, "nope").arg("restore").arg(&backup));
    assert!(err.contains("wrong passphrase"), "{err}");
    run_ok(with_pass(&db, pass).arg("restore").arg(&backup));
    assert_eq!(exports(|| with_pass(&db, pass)), before);

    // A new passphrase: the old one no longer opens it.
    let new = "coffee, black";
    let err = fails(with_pass(&db, pass).arg("passphrase"));
    assert!(err.contains("ORDERDESK_NEW_PASSPHRASE"), "{err}");
    run_ok(
        with_pass(&db, pass)
            .env("ORDERDESK_NEW_PASSPHRASE", new)
            .arg("passphrase"),
    );
    let err = fails(with_pass(&db, pass).args(["export", "orders"]));
    assert!(err.contains("wrong passphrase"), "{err}");
    assert_eq!(exports(|| with_pass(&db, new)), before);

    // Decrypted: plain SQLite again, and the passphrases are nowhere in it.
    let err = fails(with_pass(&db, pass).arg("decrypt"));
    assert!(err.contains("wrong passphrase"), "{err}");
    run_ok(with_pass(&db, new).arg("decrypt"));
    assert!(
        plain_sqlite_reads(&db, "SELECT count(*) FROM customers"),
        "plain SQLite reads the decrypted file"
    );
    assert!(names.iter().any(|n| contains(&db, n)));
    assert!(!contains(&db, pass) && !contains(&db, new));
    assert_eq!(exports(|| od(&db)), before);
    let err = fails(od(&db).arg("decrypt"));
    assert!(err.contains("not encrypted"), "{err}");
    let err = fails(od(&db).arg("passphrase"));
    assert!(err.contains("not encrypted"), "{err}");
}

#[test]
fn pii_exports_are_audited_and_a_tampered_log_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 50, 2);
    run_ok(od(&db).args(["export", "customers"]));
    run_ok(od(&db).args(["export", "contacts", "--include-pii"]));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let details: Vec<(String, String)> = conn
        .prepare("SELECT entity, detail FROM audit_log WHERE action = 'export' ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(details.len(), 2, "{details:?}");
    assert_eq!(details[0].0, "customers");
    assert!(
        details[0].1.contains("\"include_pii\":false"),
        "{details:?}"
    );
    assert_eq!(details[1].0, "contacts");
    assert!(details[1].1.contains("\"include_pii\":true"), "{details:?}");
    let out = run_ok(od(&db).arg("check"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact"));

    let second: i64 = conn
        .query_row(
            "SELECT id FROM audit_log WHERE action = 'export' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute_batch("DROP TRIGGER audit_log_no_update;")
        .unwrap();
    conn.execute(
        "UPDATE audit_log SET detail = replace(detail, 'true', 'false') WHERE id = ?1",
        [second],
    )
    .unwrap();
    drop(conn);
    let out = od(&db).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains(&format!("audit chain: broken at entry {second}")),
        "{report}"
    );
}

#[test]
fn the_app_asks_for_the_passphrase_without_echo_and_backs_up_daily() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 100, 4);
    run_ok(with_pass(&db, "open sesame").arg("encrypt"));
    // Started without ORDERDESK_PASSPHRASE, in a terminal: it asks there.
    let t = Term::start(&db);
    t.wait_for_secret_prompt(|s| s.contains("Passphrase for"), "the prompt");
    t.text("open barley");
    t.send(&["Enter"]);
    let screen =
        t.wait_for_secret_prompt(|s| s.matches("Passphrase for").count() == 2, "asked again");
    assert!(screen.contains("wrong passphrase; try again"), "{screen}");
    t.text("open sesame");
    t.send(&["Enter"]);
    let screen = t.wait_for(|s| s.contains("SO-"), "the orders");
    assert!(
        !screen.contains("barley") && !screen.contains("sesame"),
        "{screen}"
    );
    // The day's first start: a backup, after the first frame.
    t.wait_for(|s| s.contains("Daily backup written"), "the daily backup");
    t.wait_for(
        |s| s.contains("backup ") && !s.contains("no backup today"),
        "its time",
    );
    t.send(&[":"]);
    t.text("backup now");
    t.send(&["Enter"]);
    t.wait_for(|s| s.contains("Backup written"), "backup now");
    t.send(&["q"]);
    assert_eq!(t.wait_exit(), 0);
    let backups = files_in(&dir.path().join("backups"));
    assert_eq!(backups.len(), 2, "{backups:?}");
    for b in &backups {
        assert!(private(b));
        assert!(
            !plain_sqlite_reads(b, "SELECT * FROM customers"),
            "the app's backups are encrypted"
        );
    }
    drop(t);

    // Three wrong tries: a clear message and a non-zero exit.
    let t = Term::start(&db);
    for i in 1..=3 {
        t.wait_for_secret_prompt(|s| s.matches("Passphrase for").count() == i, "the prompt");
        t.text("guess");
        t.send(&["Enter"]);
    }
    assert_eq!(t.wait_exit(), 1);
    t.wait_closed("the last message");
    let said = t.screen();
    assert!(said.trim_end().ends_with("wrong passphrase"), "{said}");
}

/// `encrypt` while the app has the file open is refused and leaves the file as it was;
/// once the app is closed it works. Would catch converting a file under a running copy,
/// whose next writes would then go to the replaced file.
#[test]
fn encrypt_waits_until_the_app_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 100, 6);
    let t = Term::start(&db);
    t.wait_for(|s| s.contains("SO-"), "the orders");
    let err = fails(with_pass(&db, "x").arg("encrypt"));
    assert!(err.contains("close it"), "{err}");
    assert!(
        plain_sqlite_reads(&db, "SELECT count(*) FROM customers"),
        "still plain"
    );
    t.send(&["q"]);
    assert_eq!(t.wait_exit(), 0);
    run_ok(with_pass(&db, "x").arg("encrypt"));
    assert!(!plain_sqlite_reads(&db, "SELECT count(*) FROM customers"));
}
