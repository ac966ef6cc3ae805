//! The command line as a script would use it: exit codes, messages, exports.

mod common;

use common::*;

fn stderr_of(cmd: &mut std::process::Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_subcommand_has_help() {
    for sub in [
        vec!["--help"],
        vec!["demo", "--help"],
        vec!["export", "--help"],
        vec!["check", "--help"],
    ] {
        let out = run_ok(std::process::Command::new(BIN).args(&sub));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{sub:?}"
        );
    }
}

#[test]
fn bad_files_get_a_clear_message_and_a_nonzero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.db");
    let (code, err) = stderr_of(orderdesk(&missing).args(["export", "orders"]));
    assert_ne!(code, 0);
    assert!(err.contains("no such database"), "{err}");
    assert!(!missing.exists(), "export does not create a file");

    let junk = dir.path().join("junk.db");
    std::fs::write(
        &junk,
        b"this is not a database at all, just some text that goes on",
    )
    .unwrap();
    let (code, err) = stderr_of(orderdesk(&junk).arg("check"));
    assert_ne!(code, 0);
    assert!(err.contains("not an OrderDesk database"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let (code, err) = stderr_of(orderdesk(&junk).args(["export", "nonsense"]));
    assert_ne!(code, 0);
    assert!(err.contains("invalid value"), "{err}");
}

#[test]
fn demo_refuses_a_filled_file_and_exports_mask_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 200, 3);
    let (code, err) = stderr_of(orderdesk(&db).args(["demo", "--orders", "10"]));
    assert_ne!(code, 0);
    assert!(err.contains("empty"), "{err}");

    let masked = run_ok(orderdesk(&db).args(["export", "customers"]));
    let text = String::from_utf8_lossy(&masked.stdout);
    assert!(text.starts_with("\u{feff}code,name,contact_person,phone,email,im_handle,preferred_channel,address,payment_terms_days,language,notes,type\n"));
    assert!(text.contains("****"), "phones masked");
    let plain = run_ok(orderdesk(&db).args(["export", "customers", "--include-pii"]));
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("****"));

    let out = dir.path().join("orders.csv");
    run_ok(orderdesk(&db).args(["export", "orders", "-o"]).arg(&out));
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.starts_with("\u{feff}order_no,customer,order_type,status,ordered_at,due_date,delivery_address,currency,payment_due,paid_at,product_code,spec,quantity,unit,unit_price,missing_reason,notes\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&out).unwrap().permissions().mode() & 0o077,
            0
        );
    }
    let check = run_ok(orderdesk(&db).arg("check"));
    let report = String::from_utf8_lossy(&check.stdout);
    assert!(
        report.contains("integrity: ok") && report.contains("intact"),
        "{report}"
    );
}

#[test]
fn the_same_seed_gives_the_same_data() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let da = demo_db(a.path(), 150, 42);
    let db = demo_db(b.path(), 150, 42);
    for kind in ["orders", "customers", "complaints"] {
        let x = run_ok(orderdesk(&da).args(["export", kind, "--include-pii"])).stdout;
        let y = run_ok(orderdesk(&db).args(["export", kind, "--include-pii"])).stdout;
        assert_eq!(x, y, "{kind}");
    }
}
