//! Import and export through the real binary, as a user's script would run them: round trips
//! of every kind (CSV and XLSX), a bad row refused by line with nothing written, BOM and CRLF,
//! dry runs, and the example files of the README.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const KINDS: [&str; 8] = [
    "customers",
    "orders",
    "shipments",
    "exceptions",
    "complaints",
    "contacts",
    "surveys",
    "requirements",
];

fn run(cmd: &mut Command) -> (i32, String, Vec<u8>) {
    let out = cmd.output().expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.stdout,
    )
}

/// Every kind exported with personal data to `dir/KIND.EXT`.
fn export_all(db: &Path, dir: &Path, format: &str) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    KINDS
        .iter()
        .map(|kind| {
            let file = dir.join(format!("{kind}.{format}"));
            run_ok(
                orderdesk(db)
                    .args(["export", kind, "--include-pii", "--format", format, "-o"])
                    .arg(&file),
            );
            file
        })
        .collect()
}

fn import_ok(db: &Path, kind: &str, file: &Path) -> String {
    let out = run_ok(orderdesk(db).args(["import", kind]).arg(file));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn read_all(files: &[PathBuf]) -> Vec<Vec<u8>> {
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

/// Every kind as CSV bytes, straight from the database.
fn snapshot(db: &Path) -> Vec<Vec<u8>> {
    KINDS
        .iter()
        .map(|kind| run_ok(orderdesk(db).args(["export", kind, "--include-pii"])).stdout)
        .collect()
}

#[test]
fn every_kind_round_trips_byte_for_byte_through_an_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 300, 5);
    let first = export_all(&db, &dir.path().join("first"), "csv");
    let fresh = dir.path().join("fresh.db");
    assert!(!fresh.exists());
    for (kind, file) in KINDS.iter().zip(&first) {
        import_ok(&fresh, kind, file);
    }
    let second = export_all(&fresh, &dir.path().join("second"), "csv");
    for ((kind, a), b) in KINDS.iter().zip(read_all(&first)).zip(read_all(&second)) {
        assert!(a.len() > 100, "{kind} has rows");
        assert!(a == b, "{kind} differs after export → import → export");
    }
    let check = run_ok(orderdesk(&fresh).arg("check"));
    let report = String::from_utf8_lossy(&check.stdout);
    assert!(
        report.contains("integrity: ok") && report.contains("intact"),
        "{report}"
    );
}

#[test]
fn workbooks_round_trip_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 120, 9);
    let csv = snapshot(&db);
    let books = export_all(&db, &dir.path().join("xlsx"), "xlsx");
    let fresh = dir.path().join("fresh.db");
    for (kind, book) in KINDS.iter().zip(&books) {
        assert!(std::fs::read(book).unwrap().starts_with(b"PK"), "{kind}");
        import_ok(&fresh, kind, book);
    }
    assert!(
        snapshot(&fresh) == csv,
        "xlsx export → import → csv export differs"
    );
}

#[test]
fn one_bad_row_anywhere_is_refused_by_its_line_and_nothing_is_written() {
    use rand::{Rng, SeedableRng};
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 200, 11);
    let orders = run_ok(orderdesk(&db).args(["export", "orders", "--include-pii"])).stdout;
    let text = String::from_utf8(orders).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let records: Vec<(u64, csv::StringRecord)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r.position().unwrap().line(), r)
        })
        .collect();
    let before = snapshot(&db);
    // A new place each run, named in any failure so that it can be repeated.
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    // (column, bad text) to put in one random row.
    let spoilers = [
        (3, "shipped!"),
        (4, "yesterday"),
        (5, "2026-02-30"),
        (12, "-5"),
        (14, "12,5x"),
        (1, "NO SUCH CUSTOMER"),
    ];
    for (column, bad) in spoilers {
        let pick = rng.gen_range(1..records.len());
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        for (i, (_, r)) in records.iter().enumerate() {
            let mut cells: Vec<&str> = r.iter().collect();
            if i == pick {
                cells[column] = bad;
            }
            w.write_record(&cells).unwrap();
        }
        let file = dir.path().join("spoilt orders.csv");
        std::fs::write(&file, w.into_inner().unwrap()).unwrap();
        let (code, err, _) = run(orderdesk(&db).args(["import", "orders"]).arg(&file));
        assert_eq!(code, 1, "seed {seed}: {err}");
        let name = records[0].1.get(column).unwrap();
        let expected = format!("{}:{}: {name}: ", file.display(), records[pick].0);
        assert!(
            err.lines().any(|l| l.starts_with(&expected)),
            "seed {seed}: expected a line starting {expected:?} in:\n{err}"
        );
        assert!(err.contains("nothing was written"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert!(
        snapshot(&db) == before,
        "seed {seed}: the refused imports changed data"
    );
}

#[test]
fn a_spreadsheet_saved_with_bom_and_crlf_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    let file = dir.path().join("customers.csv");
    std::fs::write(
        &file,
        "\u{feff}code,name,notes,language\r\nK1,\"杭州\"\"新\"\"客户, 有限公司\",\"第一行\r\n第二行\",zh\r\n",
    )
    .unwrap();
    let err = import_ok(&db, "customers", &file);
    assert!(err.contains("1 inserted"), "{err}");
    let out = run_ok(orderdesk(&db).args(["export", "customers"])).stdout;
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.ends_with(
            "K1,\"杭州\"\"新\"\"客户, 有限公司\",,,,,email,,,zh,\"第一行\n第二行\",regular\n"
        ),
        "{text}"
    );
}

#[test]
fn a_dry_run_checks_but_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples");
    let missing = dir.path().join("not-yet.db");
    let (code, err, _) = run(orderdesk(&missing)
        .args(["import", "customers", "--dry-run"])
        .arg(examples.join("customers.csv")));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("dry run"), "{err}");
    assert!(!missing.exists(), "a dry run creates no database");

    let db = demo_db(dir.path(), 60, 2);
    let before = snapshot(&db);
    let (code, err, _) = run(orderdesk(&db)
        .args(["import", "customers", "--dry-run"])
        .arg(examples.join("customers.csv")));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("4 would be inserted"), "{err}");
    assert!(snapshot(&db) == before);
    // Orders of the example refer to its customers: checked against the database, a dry run
    // of them alone finds them missing.
    let (code, err, _) = run(orderdesk(&db)
        .args(["import", "orders", "--dry-run"])
        .arg(examples.join("orders.csv")));
    assert_eq!(code, 1);
    assert!(err.contains("orders.csv:2: customer: "), "{err}");
    assert!(snapshot(&db) == before);
}

#[test]
fn the_readme_examples_import_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples");
    let err = import_ok(&db, "customers", &examples.join("customers.csv"));
    assert!(err.contains("4 inserted"), "{err}");
    let err = import_ok(&db, "orders", &examples.join("orders.csv"));
    assert!(
        err.contains("5 inserted") && err.contains("7 inserted"),
        "{err}"
    );
    let json = run_ok(orderdesk(&db).args(["export", "orders", "--format", "json"])).stdout;
    let orders: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let rows = orders.as_array().unwrap();
    assert_eq!(rows.len(), 8);
    let first = rows[0].as_object().unwrap();
    let keys: Vec<&str> = first.keys().map(String::as_str).collect();
    assert!(keys.contains(&"order_no") && keys.contains(&"unit_price"));
    assert_eq!(
        first["notes"],
        "客户要求 3 月 20 日前到货；\n分两批发货也可以"
    );
    assert_eq!(first["payment_due"], "2026-04-19");
    assert_eq!(first["paid_at"], serde_json::Value::Null);
    assert_eq!(
        rows[7]["product_code"],
        serde_json::Value::Null,
        "an order without lines"
    );
    // Importing the same files again changes nothing.
    let err = import_ok(&db, "orders", &examples.join("orders.csv"));
    assert!(err.contains("5 unchanged"), "{err}");
}

#[test]
fn export_formats_and_their_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 40, 4);
    let (code, err, out) = run(orderdesk(&db).args(["export", "orders", "--format", "xlsx"]));
    assert_ne!(code, 0);
    assert!(out.is_empty());
    assert!(err.contains("-o FILE"), "{err}");
    let (code, _, json) = run(orderdesk(&db).args(["export", "surveys", "--format", "json"]));
    assert_eq!(code, 0);
    let parsed: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert!(parsed.is_array());
    let file = dir.path().join("surveys.json");
    run_ok(
        orderdesk(&db)
            .args(["export", "surveys", "--format", "json", "-o"])
            .arg(&file),
    );
    assert_eq!(std::fs::read(&file).unwrap(), json);
    let (code, err, _) = run(orderdesk(&db)
        .args(["import", "orders"])
        .arg(dir.path().join("missing.csv")));
    assert_eq!(code, 1);
    assert!(err.contains("missing.csv"), "{err}");
    // A refused first import leaves no database behind.
    let fresh = dir.path().join("fresh.db");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "code,name\nC1,\n").unwrap();
    let (code, err, _) = run(orderdesk(&fresh).args(["import", "customers"]).arg(&bad));
    assert_eq!(code, 1);
    assert!(err.contains("bad.csv:2: name: required"), "{err}");
    assert!(!fresh.exists());
}
