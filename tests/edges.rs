//! Safe edges through the real binary: no output replaces what must be kept, standard
//! streams behave as scripts expect, stored control characters never reach a terminal or a
//! log raw, and the ecosystem basics (completions, man page, --help).

mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

fn fails_one_line(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "{cmd:?} should fail: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    err
}

fn snapshot(files: &[&Path]) -> Vec<Option<Vec<u8>>> {
    files.iter().map(|f| std::fs::read(f).ok()).collect()
}

/// Every writer refuses the database, its WAL, a backup and the config, by identity.
#[test]
fn outputs_never_replace_what_must_be_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 50, 3);
    run_ok(orderdesk(&db).arg("backup"));
    let backup = std::fs::read_dir(dir.path().join("backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "db"))
        .expect("a backup");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "language = \"en\"\n").unwrap();
    let wal = dir.path().join("demo.db-wal");
    std::fs::write(&wal, b"").unwrap();
    let link = dir.path().join("looks-harmless.csv");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&db, &link).unwrap();
    let kept: Vec<&Path> = vec![&db, &backup, &config, &wal];
    let before = snapshot(&kept);

    let cases: Vec<Vec<String>> = vec![
        vec![
            "export".into(),
            "orders".into(),
            "-o".into(),
            db.display().to_string(),
        ],
        vec![
            "export".into(),
            "orders".into(),
            "-o".into(),
            "./demo.db".into(),
        ],
        vec![
            "export".into(),
            "customers".into(),
            "--format".into(),
            "json".into(),
            "-o".into(),
            "demo.db".into(),
        ],
        vec![
            "export".into(),
            "orders".into(),
            "--format".into(),
            "xlsx".into(),
            "-o".into(),
            backup.display().to_string(),
        ],
        vec!["report".into(), "-o".into(), "./demo.db-wal".into()],
        vec![
            "report".into(),
            "--format".into(),
            "html".into(),
            "-o".into(),
            "./demo.db-shm".into(),
        ],
        vec!["review".into(), "-o".into(), link.display().to_string()],
        vec![
            "review".into(),
            "--format".into(),
            "html".into(),
            "-o".into(),
            config.display().to_string(),
        ],
        vec![
            "export".into(),
            "orders".into(),
            "-o".into(),
            "backups/new.csv".into(),
        ],
    ];
    for args in cases {
        let mut cmd = orderdesk(&db);
        cmd.current_dir(dir.path())
            .env("ORDERDESK_CONFIG", &config)
            .args(&args);
        let err = fails_one_line(&mut cmd);
        assert!(err.contains("must be kept"), "{args:?}: {err}");
        assert_eq!(snapshot(&kept), before, "{args:?} changed a kept file");
    }
    assert!(!dir.path().join("backups/new.csv").exists());
    // A file elsewhere is written as before.
    let mut ok = orderdesk(&db);
    ok.current_dir(dir.path())
        .env("ORDERDESK_CONFIG", &config)
        .args(["export", "orders", "-o", "orders.csv"]);
    run_ok(&mut ok);
    assert!(dir.path().join("orders.csv").exists());
}

#[test]
fn a_dash_is_standard_output_and_a_closed_pipe_is_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 2000, 1);
    let out =
        run_ok(
            orderdesk(&db)
                .current_dir(dir.path())
                .args(["export", "customers", "-o", "-"]),
        );
    assert!(String::from_utf8_lossy(&out.stdout).contains("code,name"));
    assert!(!dir.path().join("-").exists());
    let out = run_ok(
        orderdesk(&db)
            .current_dir(dir.path())
            .args(["report", "--format", "json", "-o", "-"]),
    );
    assert!(out.stdout.starts_with(b"{"));

    for args in [
        vec!["export", "orders", "-o", "-"],
        vec!["export", "orders", "--format", "json"],
        vec!["remind"],
        vec!["review"],
    ] {
        let mut child = orderdesk(&db)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // The reader goes away after one line, like `| head -1`.
        let out = child.wait_with_output().unwrap();
        assert!(!first.is_empty(), "{args:?}");
        assert!(out.status.success(), "{args:?}: {:?}", out.status);
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
}

/// A customer name that would retitle the terminal never reaches it raw.
#[test]
fn stored_control_characters_are_shown_harmless() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 300, 2);
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute(
            "UPDATE customers SET name = 'Acme' || char(27) || ']0;pwned' || char(7) || code",
            [],
        )
        .unwrap();
    }
    for args in [vec!["remind"], vec!["review"]] {
        let out = run_ok(orderdesk(&db).args(&args));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("Acme␛]0;pwned␇"), "{args:?}: {text}");
        assert!(!text.contains('\x1b') && !text.contains('\x07'), "{args:?}");
    }
    // An error naming a hostile path.
    let hostile = dir.path().join("x\x1b]0;pwned\x07.db");
    let err = fails_one_line(orderdesk(&hostile).arg("remind"));
    assert!(!err.contains('\x1b') && err.contains('␛'), "{err}");
    // Files keep exactly what is stored (a script reads what a file would hold).
    let out = run_ok(orderdesk(&db).args(["export", "customers"]));
    assert!(out.stdout.contains(&0x1b));
}

#[test]
fn completions_man_page_and_help() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = run_ok(orderdesk(&db).args(["completions", shell]));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("remind"), "{shell}");
    }
    let out = run_ok(orderdesk(&db).arg("man"));
    assert!(String::from_utf8_lossy(&out.stdout).contains(".TH orderdesk"));
    let out = run_ok(orderdesk(&db).arg("--help"));
    let help = String::from_utf8(out.stdout).unwrap();
    for var in [
        "ORDERDESK_DB",
        "ORDERDESK_CONFIG",
        "ORDERDESK_PASSPHRASE",
        "ORDERDESK_NEW_PASSPHRASE",
        "ORDERDESK_SMTP_PASSWORD",
        "NO_COLOR",
        "TZ",
        "LANG",
    ] {
        assert!(help.contains(var), "{var}");
    }
    assert!(!help.contains("SPEC") && !help.contains('§'));
    assert!(!db.exists(), "nothing is created");
}
