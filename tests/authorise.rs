//! Authorised exports: on an encrypted desk, unmasked exports, restore and the web desk ask
//! for the passphrase again and a reason, which the audit log keeps; a wrong passphrase or no
//! reason is refused with exit code 2 and nothing written. A plain desk says once that these
//! are unprotected.

mod common;

use common::term::Spawn;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const PASS: &str = "open sesame";

fn od(db: &Path) -> Command {
    let mut c = orderdesk(db);
    c.stdin(Stdio::null());
    c
}

fn with_pass(db: &Path) -> Command {
    let mut c = od(db);
    c.env("ORDERDESK_PASSPHRASE", PASS);
    c
}

fn encrypted_desk(dir: &Path) -> PathBuf {
    let db = demo_db(dir, 40, 5);
    run_ok(with_pass(&db).arg("encrypt"));
    db
}

/// The audit log's `authorise` entries of the encrypted `db`: (entity, key, detail).
fn authorisations(db: &Path) -> Vec<(String, String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.pragma_update(None, "key", PASS).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT entity, entity_key, detail FROM audit_log
             WHERE action = 'authorise' ORDER BY id",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap();
    rows
}

fn refused(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(out.stdout.is_empty(), "nothing written to standard output");
    err
}

#[test]
fn a_wrong_passphrase_at_the_second_asking_writes_nothing_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = encrypted_desk(dir.path());
    let out = dir.path().join("customers.csv");
    let t = Spawn::app(&db)
        .arg("export")
        .arg("customers")
        .arg("--include-pii")
        .arg("-o")
        .arg(&out)
        .start();
    t.wait_for_secret_prompt(|s| s.contains("Passphrase for"), "the passphrase at open");
    t.text(PASS);
    t.send(&["Enter"]);
    t.wait_for_secret_prompt(
        |s| s.contains("Passphrase again, to authorise an unmasked export"),
        "asked again",
    );
    t.text("open barley");
    t.send(&["Enter"]);
    assert_eq!(t.wait_exit(), 2, "{}", t.screen());
    let screen = t.screen();
    assert!(screen.contains("wrong passphrase"), "{screen}");
    assert!(!screen.contains("barley"), "never echoed: {screen}");
    assert!(!out.exists(), "nothing written");
    assert!(authorisations(&db).is_empty());
}

#[test]
fn the_reason_is_asked_on_the_terminal_and_kept_in_the_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = encrypted_desk(dir.path());
    let out = dir.path().join("contacts.csv");
    let t = Spawn::app(&db)
        .env("ORDERDESK_PASSPHRASE", PASS)
        .arg("export")
        .arg("contacts")
        .arg("--include-pii")
        .arg("-o")
        .arg(&out)
        .start();
    t.wait_for(
        |s| s.contains("Reason for an unmasked export"),
        "the reason",
    );
    t.text("客户要求核对联系方式");
    t.send(&["Enter"]);
    assert_eq!(t.wait_exit(), 0, "{}", t.screen());
    assert!(out.exists());
    let entries = authorisations(&db);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].0, "export");
    assert_eq!(entries[0].1, "contacts");
    assert!(entries[0].2.contains("客户要求核对联系方式"), "{entries:?}");
    let check = run_ok(with_pass(&db).arg("check"));
    assert!(String::from_utf8_lossy(&check.stdout).contains("intact"));
}

#[test]
fn scripts_give_the_reason_and_without_one_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = encrypted_desk(dir.path());
    let out = dir.path().join("x.csv");

    let err = refused(with_pass(&db).args(["export", "customers", "--include-pii"]));
    assert!(err.contains("--reason"), "{err}");
    let err = refused(
        with_pass(&db)
            .args([
                "export",
                "customers",
                "--include-pii",
                "--reason",
                "   ",
                "-o",
            ])
            .arg(&out),
    );
    assert!(err.contains("reason"), "{err}");
    let err = refused(with_pass(&db).args([
        "export",
        "customers",
        "--include-pii",
        "--reason",
        "a\u{1b}]0;pwned\u{7}b",
    ]));
    assert!(!err.contains('\u{1b}'), "{err}");
    assert!(!out.exists());
    assert!(authorisations(&db).is_empty());

    // Masked exports need nothing.
    run_ok(with_pass(&db).args(["export", "customers"]));
    let ok = run_ok(with_pass(&db).args([
        "export",
        "customers",
        "--include-pii",
        "--reason",
        "annual audit",
    ]));
    assert!(!ok.stdout.is_empty());
    let entries = authorisations(&db);
    assert_eq!(entries.len(), 1);
    assert!(entries[0].2.contains("annual audit"));
}

#[test]
fn restore_and_serve_are_authorised_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = encrypted_desk(dir.path());
    let backups = dir.path().join("b");
    run_ok(with_pass(&db).args(["backup", "--to"]).arg(&backups));
    let backup = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "db"))
        .unwrap();
    let before = std::fs::read(&db).unwrap();

    let err = refused(with_pass(&db).arg("restore").arg(&backup));
    assert!(err.contains("--reason"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "nothing replaced");
    let err = refused(
        with_pass(&db)
            .env("ORDERDESK_PASSPHRASE", "not it")
            .arg("restore")
            .arg(&backup)
            .args(["--reason", "x"]),
    );
    assert!(err.contains("wrong passphrase"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "nothing replaced");

    run_ok(
        with_pass(&db)
            .arg("restore")
            .arg(&backup)
            .args(["--reason", "the laptop was replaced"]),
    );
    let entries = authorisations(&db);
    let last = entries.last().unwrap();
    assert_eq!(last.0, "restore", "{entries:?}");
    assert!(last.2.contains("the laptop was replaced"), "{entries:?}");

    // The web desk: refused before it listens.
    let err = refused(with_pass(&db).args(["serve", "--listen", "127.0.0.1:0"]));
    assert!(err.contains("--reason"), "{err}");
}

#[test]
fn a_plain_desk_says_once_that_these_are_unprotected() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 20, 6);
    let out = run_ok(od(&db).args(["export", "customers", "--include-pii"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("not encrypted").count(), 1, "said once: {err}");
    assert!(err.contains("orderdesk encrypt"), "{err}");
    let masked = run_ok(od(&db).args(["export", "customers"]));
    assert!(
        !String::from_utf8_lossy(&masked.stderr).contains("not encrypted"),
        "masked exports are not concerned"
    );
}
