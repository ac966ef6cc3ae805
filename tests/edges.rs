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
    // A workbook goes to standard output when asked for by name.
    for args in [
        vec!["export", "orders", "--format", "xlsx", "-o", "-"],
        vec!["report", "--format", "xlsx", "-o", "-"],
    ] {
        let out = run_ok(orderdesk(&db).args(&args));
        assert!(out.stdout.starts_with(b"PK"), "{args:?}");
    }

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
    cmd.stdin(Stdio::null());
    cmd
}

fn plain(path: &Path) -> bool {
    std::fs::read(path)
        .unwrap()
        .starts_with(b"SQLite format 3\0")
}

fn backups(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut all: Vec<_> = std::fs::read_dir(dir.join("backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "db"))
        .collect();
    all.sort();
    all
}

/// `encrypt` leaves no readable copy behind; restoring a plain backup keeps the desk encrypted.
#[test]
fn encryption_covers_backups_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 30, 4);
    run_ok(no_tty(orderdesk(&db)).arg("backup"));
    let old = backups(dir.path());
    assert_eq!(old.len(), 1);
    assert!(plain(&old[0]));

    let mut enc = no_tty(orderdesk(&db));
    enc.env("ORDERDESK_PASSPHRASE", "s3cret").arg("encrypt");
    let out = run_ok(&mut enc);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!plain(&db));
    assert!(!plain(&old[0]), "the old backup is encrypted too");
    assert!(err.contains("encrypted with the same passphrase"), "{err}");
    assert!(
        err.contains(&*old[0].file_name().unwrap().to_string_lossy()),
        "{err}"
    );
    // It opens with the passphrase.
    let mut check = no_tty(orderdesk(&old[0]));
    check.env("ORDERDESK_PASSPHRASE", "s3cret").arg("check");
    run_ok(&mut check);

    // A plain backup from elsewhere restored into the encrypted desk.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let plain_db = demo_db(&other, 20, 9);
    let mut restore = no_tty(orderdesk(&db));
    restore
        .env("ORDERDESK_PASSPHRASE", "s3cret")
        .arg("restore")
        .arg(&plain_db)
        .args(["--reason", "the branch office's copy"]);
    let out = run_ok(&mut restore);
    assert!(!plain(&db), "the desk stays encrypted");
    assert!(String::from_utf8_lossy(&out.stderr).contains("stays encrypted"));
    let mut list = no_tty(orderdesk(&db));
    list.env("ORDERDESK_PASSPHRASE", "s3cret")
        .args(["export", "customers"]);
    let theirs = run_ok(orderdesk(&plain_db).args(["export", "customers"])).stdout;
    assert_eq!(run_ok(&mut list).stdout, theirs);
    // The file the restore replaced was encrypted, and stays so.
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".before-restore-"))
        .collect();
    assert!(!kept.is_empty() && kept.iter().all(|k| !plain(k)));
}

#[test]
fn encrypt_can_delete_plain_backups_instead() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 30, 5);
    run_ok(no_tty(orderdesk(&db)).arg("backup"));
    let old = backups(dir.path());
    let mut enc = no_tty(orderdesk(&db));
    enc.env("ORDERDESK_PASSPHRASE", "s3cret")
        .args(["encrypt", "--delete-plain-backups"]);
    let out = run_ok(&mut enc);
    assert!(String::from_utf8_lossy(&out.stderr).contains("deleted"));
    assert!(!old[0].exists());
}

/// Leftovers of a killed backup go at the next backup; refused values in config and dates.
#[test]
fn killed_backups_and_implausible_values() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 30, 6);
    let folder = dir.path().join("backups");
    std::fs::create_dir_all(&folder).unwrap();
    // Written by a process that is gone (no process has an id this high).
    let leftover = folder.join(".demo-20260101-000000.db.999999999.partial");
    std::fs::write(&leftover, vec![0u8; 4096]).unwrap();
    run_ok(no_tty(orderdesk(&db)).arg("backup"));
    assert!(!leftover.exists());
    assert_eq!(backups(dir.path()).len(), 1);

    let config = dir.path().join("config.toml");
    std::fs::write(&config, "language = \"xx\"\n").unwrap();
    let mut cmd = orderdesk(&db);
    cmd.env("ORDERDESK_CONFIG", &config).arg("remind");
    let err = fails_one_line(&mut cmd);
    assert!(err.contains("xx") && err.contains("zh-CN"), "{err}");

    let csv = dir.path().join("late.csv");
    std::fs::write(
        &csv,
        "customer,channel,direction,at\nC0001,phone,inbound,9999-01-01 10:00\n",
    )
    .unwrap();
    let out = orderdesk(&db)
        .args(["import", "contacts"])
        .arg(&csv)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("late.csv:2: at:") && err.contains("1900"),
        "{err}"
    );
}
