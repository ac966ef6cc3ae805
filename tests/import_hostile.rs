//! Hostile and foreign files through the real binary: the corpus in `tests/hostile/` (text in
//! GB18030 and UTF-16, an unterminated quote, control characters, decimal commas, Latin-1)
//! and workbooks built here (a dense-range bomb, a sheet that unpacks to 200 MB, an
//! oversized shared-strings part). Each is answered with an exit code and a message, within
//! a time and a peak memory that are measured on the child process.

mod common;

use common::*;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The memory no import may exceed, whatever the file.
const PEAK_MIB: u64 = 256;

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile")
        .join(name)
}

struct Run {
    code: i32,
    stderr: String,
    stdout: Vec<u8>,
    secs: f64,
    peak_mib: u64,
}

/// Runs `cmd` to its end and measures it: the peak resident memory of that child alone
/// (`wait4`'s rusage), and the wall time.
// The child is reaped by `wait4`, which `Child::wait` cannot replace: only it gives the rusage.
#[allow(clippy::zombie_processes)]
fn measured(cmd: &mut Command, stdin: Option<Vec<u8>>) -> Run {
    let start = Instant::now();
    let mut child = cmd
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    if let Some(bytes) = stdin {
        let mut input = child.stdin.take().unwrap();
        std::thread::spawn(move || {
            let _ = input.write_all(&bytes);
        });
    }
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        out.read_to_end(&mut v).unwrap();
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        err.read_to_end(&mut v).unwrap();
        v
    });
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data, for which all zeroes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is this test's own child, not waited for yet; both pointers are valid.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid, "waiting for the child");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    Run {
        code,
        stderr: String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
        stdout: out.join().unwrap(),
        secs: start.elapsed().as_secs_f64(),
        // Linux gives ru_maxrss in KiB.
        peak_mib: usage.ru_maxrss as u64 / 1024,
    }
}

fn import(db: &Path, kind: &str, file: &Path, extra: &[&str]) -> Run {
    measured(
        orderdesk(db).args(["import", kind]).arg(file).args(extra),
        None,
    )
}

fn names(db: &Path) -> Vec<u8> {
    run_ok(orderdesk(db).args(["export", "customers", "--include-pii", "--no-bom"])).stdout
}

#[test]
fn chinese_excel_files_import_with_the_same_names_as_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let utf8 = dir.path().join("utf8.db");
    let run = import(&utf8, "customers", &corpus("customers-utf8.csv"), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("read as UTF-8"), "{}", run.stderr);
    let expected = names(&utf8);
    assert!(String::from_utf8_lossy(&expected).contains("上海华东机械有限公司"));
    for (file, said) in [
        ("customers-gb18030.csv", "GB18030"),
        ("customers-utf16.txt", "UTF-16"),
    ] {
        let db = dir.path().join(format!("{file}.db"));
        let run = import(&db, "customers", &corpus(file), &[]);
        assert_eq!(run.code, 0, "{file}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!("read as {said}")),
            "{}",
            run.stderr
        );
        assert_eq!(names(&db), expected, "{file}");
    }
    // A forced encoding, and standard input.
    let db = dir.path().join("forced.db");
    let run = import(
        &db,
        "customers",
        &corpus("customers-gb18030.csv"),
        &["--encoding", "gbk"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(names(&db), expected);
    let db = dir.path().join("stdin.db");
    let bytes = std::fs::read(corpus("customers-gb18030.csv")).unwrap();
    let run = measured(
        orderdesk(&db).args(["import", "customers", "-"]),
        Some(bytes),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(names(&db), expected);
}

#[test]
fn an_undecodable_file_gets_one_message_that_says_how_to_save_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let run = import(&db, "customers", &corpus("latin1.csv"), &[]);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert!(lines[0].contains("CSV UTF-8"), "{}", run.stderr);
    assert!(lines[0].starts_with(&format!("{}:", corpus("latin1.csv").display())));
    assert!(!db.exists());
}

#[test]
fn bad_text_is_refused_by_line_and_column_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let file = corpus("control-chars.csv");
    let run = import(&db, "customers", &file, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let f = file.display();
    for expected in [
        format!("{f}:2: name: control character U+001B"),
        format!("{f}:5: name: control character U+202E"),
        format!("{f}:6: name: control character U+0000"),
    ] {
        assert!(run.stderr.contains(&expected), "{expected}\n{}", run.stderr);
    }
    assert!(!run.stderr.contains(":3:"), "notes keep tabs and newlines");
    assert!(!db.exists());

    let file = corpus("unterminated-quote.csv");
    let run = import(&db, "customers", &file, &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(&format!(
            "{}:3: name: a quote opened here is never closed",
            file.display()
        )),
        "{}",
        run.stderr
    );

    let file = corpus("decimal-comma.csv");
    let run = import(&db, "orders", &file, &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains(&format!("{}:2: quantity: '1,5'", file.display())),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("point"), "{}", run.stderr);
    assert_eq!(
        run.stderr.lines().count(),
        2,
        "1,234 and 1,234.50 are fine: {}",
        run.stderr
    );
}

#[test]
fn csv_exports_start_with_a_bom_and_round_trip_formulas_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let file = dir.path().join("c.csv");
    std::fs::write(
        &file,
        "code,name,notes\nC1,'=HYPERLINK(\"x\"),@SUM(1)\nC2,Plain,\"'-5\"\n",
    )
    .unwrap();
    run_ok(orderdesk(&db).args(["import", "customers"]).arg(&file));
    let out = run_ok(orderdesk(&db).args(["export", "customers"])).stdout;
    assert!(out.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(out[3..].to_vec()).unwrap();
    assert!(text.contains("C1,\"'=HYPERLINK(\"\"x\"\")\","), "{text}");
    // The customer type is the last column.
    assert!(text.contains(",'@SUM(1),regular\n"), "{text}");
    assert!(text.contains(",'-5,regular\n"), "{text}");
    // Export → import → export is byte-identical.
    let again = dir.path().join("again.csv");
    std::fs::write(&again, format!("\u{feff}{text}")).unwrap();
    let db2 = dir.path().join("d2.db");
    run_ok(orderdesk(&db2).args(["import", "customers"]).arg(&again));
    let out2 = run_ok(orderdesk(&db2).args(["export", "customers"])).stdout;
    assert_eq!(out2[3..], *text.as_bytes());
}

#[test]
fn an_xlsx_export_has_numbers_and_dates() {
    use calamine::{Data, Reader};
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 30, 7);
    let out = run_ok(orderdesk(&db).args(["export", "orders", "--format", "xlsx", "-o", "-"]));
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(out.stdout)).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let header: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = range.rows().nth(1).unwrap();
    assert!(
        matches!(row[at("quantity")], Data::Float(_)),
        "{:?}",
        row[at("quantity")]
    );
    assert!(
        matches!(row[at("ordered_at")], Data::DateTime(_)),
        "{:?}",
        row[at("ordered_at")]
    );
    assert!(matches!(row[at("order_no")], Data::String(_)));
}

/// A workbook of one sheet, `header` in row 1, as rust_xlsxwriter writes it.
fn small_book(path: &Path, header: &[&str], far_cell: bool) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    if far_cell {
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
    }
    book.save(path).unwrap();
}

/// `template` with one part replaced by what `write` streams into it.
fn with_part(template: &Path, out: &Path, part: &str, write: impl FnOnce(&mut dyn Write)) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(template).unwrap()).unwrap();
    let mut w = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for i in 0..zip.len() {
        let entry = zip.by_index(i).unwrap();
        if entry.name().unwrap() != part {
            w.raw_copy_file(entry).unwrap();
        }
    }
    w.start_file(part, deflated).unwrap();
    write(&mut w);
    w.finish().unwrap();
}

#[test]
fn a_dense_range_bomb_is_refused_quickly_in_little_memory() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.xlsx");
    small_book(&bomb, &["code", "name"], true);
    assert!(std::fs::metadata(&bomb).unwrap().len() < 10_000);
    let db = dir.path().join("d.db");
    let run = import(&db, "customers", &bomb, &[]);
    eprintln!(
        "dense-range bomb: {:.1} s, peak {} MiB",
        run.secs, run.peak_mib
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("column XFD"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(run.peak_mib < PEAK_MIB, "{} MiB", run.peak_mib);
    assert!(run.secs < 20.0, "{} s", run.secs);
    assert!(!db.exists());
}

#[test]
fn a_sheet_that_unpacks_to_200_mb_streams_in_little_memory() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("t.xlsx");
    small_book(&template, &["code", "name"], false);
    let big = dir.path().join("big.xlsx");
    let mut unpacked = 0usize;
    with_part(&template, &big, "xl/worksheets/sheet1.xml", |w| {
        let mut put = |s: &str| {
            unpacked += s.len();
            w.write_all(s.as_bytes()).unwrap();
        };
        put(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
             <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
             <sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>code</t></is></c>\
             <c r=\"B1\" t=\"inlineStr\"><is><t>name</t></is></c></row>",
        );
        // Rows of styled empty cells with long attributes: nothing to import, all of it to
        // read.
        let pad = "x".repeat(150);
        let mut chunk = String::new();
        for r in 2..=1_000_000u32 {
            chunk.push_str(&format!(
                "<row r=\"{r}\" pad=\"{pad}\"><c r=\"A{r}\" s=\"0\"/><c r=\"B{r}\" s=\"0\"/></row>"
            ));
            if chunk.len() > 1 << 20 {
                put(&chunk);
                chunk.clear();
            }
        }
        put(&chunk);
        put("</sheetData></worksheet>");
    });
    assert!(unpacked > 200_000_000, "{unpacked}");
    assert!(std::fs::metadata(&big).unwrap().len() < 64_000_000);
    let db = dir.path().join("d.db");
    let run = import(&db, "customers", &big, &["--dry-run"]);
    eprintln!("200 MB sheet: {:.1} s, peak {} MiB", run.secs, run.peak_mib);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("0 rows"), "{}", run.stderr);
    assert!(run.peak_mib < PEAK_MIB, "{} MiB", run.peak_mib);
    assert!(run.secs < 60.0, "{} s", run.secs);

    // Shared strings are held in memory, so their part has a limit of its own.
    let strings = dir.path().join("strings.xlsx");
    with_part(&template, &strings, "xl/sharedStrings.xml", |w| {
        w.write_all(b"<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">")
            .unwrap();
        let si = "<si><t>x</t></si>".repeat(60_000);
        for _ in 0..40 {
            w.write_all(si.as_bytes()).unwrap();
        }
        w.write_all(b"</sst>").unwrap();
    });
    let run = import(&db, "customers", &strings, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("xl/sharedStrings.xml"),
        "{}",
        run.stderr
    );
    assert!(run.peak_mib < PEAK_MIB, "{} MiB", run.peak_mib);
}
