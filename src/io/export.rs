//! Export: every row of one kind, streamed from a single SELECT (one consistent snapshot,
//! constant memory), then one audit entry saying it happened.

use super::formats::ExportFormat;
use super::import::neutralised;
use super::kinds::{Kind, Typed};
use crate::store::{audit, Context, Store};
use anyhow::Context as _;
use rusqlite::Connection;
use serde_json::json;
use std::io::Write;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Write phone numbers, e-mail addresses, handles and addresses unmasked (SPEC §8).
    pub include_pii: bool,
    /// Only the orders put in `temp.export_ids` by `mark_for_export` (marked rows).
    pub marked_only: bool,
    /// CSV without the UTF-8 BOM that Excel and WPS need to open Chinese text correctly
    /// (for scripts).
    pub no_bom: bool,
}

/// The text of a CSV cell: text that a spreadsheet would run as a formula is neutralised
/// (`'=…`, OWASP), real numbers in number columns are written as they are.
fn csv_cell<'a>(text: &'a str, typed: Typed) -> std::borrow::Cow<'a, str> {
    let number = matches!(typed, Typed::Number | Typed::Money)
        && rust_decimal::Decimal::from_str_exact(text).is_ok();
    if number {
        std::borrow::Cow::Borrowed(text)
    } else {
        neutralised(text)
    }
}

/// Chooses the orders a `marked_only` export writes, for this connection only.
pub fn mark_for_export(conn: &Connection, ids: &[i64]) -> anyhow::Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS export_ids (id INTEGER PRIMARY KEY); DELETE FROM temp.export_ids;",
    )
    .doing("preparing the marked rows")?;
    let mut insert = conn
        .prepare_cached("INSERT OR IGNORE INTO temp.export_ids (id) VALUES (?1)")
        .doing("preparing the marked rows")?;
    for id in ids {
        insert.execute([id]).doing("preparing the marked rows")?;
    }
    Ok(())
}

/// Calls `row` once per exported row, in the stable export order, with one cell per
/// `kind.columns()` entry (`None` = empty cell). The slice is reused between calls, so
/// nothing but the current row is held in memory. Returns the number of rows.
pub fn for_each_row(
    conn: &Connection,
    kind: Kind,
    opts: &ExportOptions,
    mut row: impl FnMut(&[Option<String>]) -> anyhow::Result<()>,
) -> anyhow::Result<usize> {
    let cells = kind.cells();
    let sql = if opts.marked_only {
        kind.select_marked_sql()
            .ok_or_else(|| anyhow::anyhow!("only orders can be exported by marked rows"))?
    } else {
        kind.select_sql().to_string()
    };
    let mut stmt = conn.prepare(&sql).doing("preparing the export")?;
    let mut rows = stmt.query([]).doing("reading rows to export")?;
    let mut buf: Vec<Option<String>> = vec![None; cells.len()];
    let mut n = 0;
    while let Some(r) = rows.next().doing("reading rows to export")? {
        for (i, (cell, slot)) in cells.iter().zip(buf.iter_mut()).enumerate() {
            let value = r.get_ref(i).doing("reading rows to export")?;
            *slot = cell.render(value, opts.include_pii);
        }
        row(&buf)?;
        n += 1;
    }
    Ok(n)
}

/// The audit entry for one finished export, in its own IMMEDIATE transaction. Called only
/// after the data is written, so a failed export leaves no claim that it happened.
pub fn record_export(
    store: &mut Store,
    kind: Kind,
    rows: usize,
    opts: &ExportOptions,
    format: ExportFormat,
) -> anyhow::Result<()> {
    let tx = store.begin()?;
    let format: &str = format.into();
    audit::append(
        &tx,
        "export",
        kind.name(),
        "all",
        &json!({
            "rows": rows,
            "include_pii": opts.include_pii,
            "marked_only": opts.marked_only,
            "format": format,
        }),
    )?;
    tx.commit().doing("recording the export")?;
    Ok(())
}

/// Writes `kind` as CSV (RFC 4180, header row, UTF-8 with a BOM unless `no_bom`, LF line
/// ends, formulas neutralised) to `out` and records the export in the audit log. Returns
/// the number of data rows.
pub fn export_csv(
    store: &mut Store,
    kind: Kind,
    out: &mut dyn Write,
    opts: &ExportOptions,
) -> anyhow::Result<usize> {
    let rows = {
        if !opts.no_bom {
            out.write_all(b"\xEF\xBB\xBF")
                .context("writing the CSV header")?;
        }
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(&mut *out);
        w.write_record(kind.columns())
            .context("writing the CSV header")?;
        let types = kind.types();
        let rows = for_each_row(store.conn(), kind, opts, |row| {
            let cells: Vec<std::borrow::Cow<str>> = row
                .iter()
                .zip(&types)
                .map(|(c, t)| c.as_deref().map_or("".into(), |text| csv_cell(text, *t)))
                .collect();
            w.write_record(cells.iter().map(|c| c.as_bytes()))
                .context("writing a CSV row")
        })?;
        w.flush().context("writing the CSV file")?;
        rows
    };
    record_export(store, kind, rows, opts, ExportFormat::Csv)?;
    Ok(rows)
}

/// Exports to a file (see `write_atomically`).
pub fn export_to_path(
    store: &mut Store,
    kind: Kind,
    path: &std::path::Path,
    opts: &ExportOptions,
) -> anyhow::Result<usize> {
    write_atomically(path, |out| export_csv(store, kind, out, opts))
}

/// Runs `write` on a new private file beside `path` and renames it into place when `write`
/// succeeded (see `files::write_private_with`). Returns what `write` returned.
pub fn write_atomically<T>(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    super::files::write_private_with(path, |out| write(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::format_stamp;
    use crate::store::Store;
    use strum::IntoEnumIterator;

    const TS: i64 = 1_772_353_800;

    fn export(store: &mut Store, kind: Kind, include_pii: bool) -> String {
        let mut out = Vec::new();
        export_csv(
            store,
            kind,
            &mut out,
            &ExportOptions {
                include_pii,
                ..Default::default()
            },
        )
        .unwrap();
        String::from_utf8(out)
            .unwrap()
            .strip_prefix('\u{feff}')
            .expect("CSV starts with a BOM")
            .to_string()
    }

    /// Header and rows, parsed back with the csv crate.
    fn parse(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let header = r.headers().unwrap().iter().map(str::to_string).collect();
        let rows = r
            .records()
            .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
            .collect();
        (header, rows)
    }

    fn audit_count(store: &Store) -> i64 {
        store
            .conn()
            .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
            .unwrap()
    }

    /// Inserted out of export order on purpose, so the tests see the sort.
    fn fixture(store: &Store) {
        store
            .conn()
            .execute_batch(&format!(
                r#"
INSERT INTO customers (id, code, name, contact_person, phone, email, im_handle,
                       preferred_channel, address, payment_terms_days, language, notes)
VALUES (1, 'ZH01', '上海华东机械有限公司', '王经理', '13812345678', 'wang@huadong.cn',
        'wx_wang88', 'im', '上海市浦东新区张江路88号', 30, 'zh',
        'says "urgent", always; calls
twice'),
       (2, 'AC01', 'Acme, Inc.', NULL, NULL, NULL, NULL, 'email', NULL, NULL, 'en', NULL);

INSERT INTO orders (id, order_no, customer_id, order_type, status, ordered_at, due_date,
                    delivery_address, currency, payment_due, paid_at, missing_reason, notes,
                    status_changed_at, created_at, updated_at)
VALUES (1, 'SO-2', 1, 'rush', 'confirmed', {TS}, '2026-04-01', '上海市浦东新区张江路88号',
        'CNY', '2026-05-01', NULL, NULL, '加急, "A" grade', {TS}, {TS}, {TS}),
       (2, 'SO-1', NULL, 'regular', 'inquiry', {TS}, NULL, NULL, 'USD', NULL, NULL,
        'customer not decided', NULL, {TS}, {TS}, {TS});

INSERT INTO order_lines (order_id, line_no, product_code, spec, quantity, unit, unit_price)
VALUES (1, 2, 'P-200', '不锈钢, 2mm', '5', 'pcs', '99.90'),
       (1, 1, 'P-100', 'M8 "hex"', '1000.5', 'kg', '12.3400');

INSERT INTO shipments (order_id, carrier, waybill_no, mode, shipped_at, eta, delivered_at,
                       status, weight_kg, packages, notes)
VALUES (1, '顺丰', 'WB-2', 'express', {TS}, NULL, NULL, 'in_transit', '12.5', 3, NULL),
       (1, 'COSCO', 'WB-1', 'sea', NULL, {TS}, NULL, 'booked', NULL, NULL, 'line1
line2');

INSERT INTO exceptions (order_id, kind, cause, opened_at, note)
VALUES (1, 'delay', 'supplier_delay', {TS}, '钢材缺货');

INSERT INTO complaints (complaint_no, customer_id, order_id, type, severity, opened_at,
                        description)
VALUES ('C-1', 1, NULL, 'quality', 'urgent', {TS}, '划痕');

INSERT INTO contacts (customer_id, order_id, channel, direction, at, summary)
VALUES (1, 1, 'phone', 'in', {TS}, '催货');

INSERT INTO surveys (customer_id, date, accuracy, willingness)
VALUES (2, '2026-03-01', 5, 9);

INSERT INTO requirements (customer_id, category, text, created_at, status)
VALUES (1, 'packaging', '木箱包装', {TS}, 'open');
"#
            ))
            .unwrap();
    }

    #[test]
    fn headers_are_exactly_the_spec_columns() {
        // Copied from SPEC §5: users' scripts and the acceptance tests rely on these.
        let spec: [(Kind, &[&str]); 8] = [
            (
                Kind::Customers,
                &[
                    "code",
                    "name",
                    "contact_person",
                    "phone",
                    "email",
                    "im_handle",
                    "preferred_channel",
                    "address",
                    "payment_terms_days",
                    "language",
                    "notes",
                    "type",
                ],
            ),
            (
                Kind::Orders,
                &[
                    "order_no",
                    "customer",
                    "order_type",
                    "status",
                    "ordered_at",
                    "due_date",
                    "delivery_address",
                    "currency",
                    "payment_due",
                    "paid_at",
                    "product_code",
                    "spec",
                    "quantity",
                    "unit",
                    "unit_price",
                    "missing_reason",
                    "notes",
                ],
            ),
            (
                Kind::Shipments,
                &[
                    "order_no",
                    "carrier",
                    "waybill_no",
                    "mode",
                    "shipped_at",
                    "eta",
                    "delivered_at",
                    "status",
                    "weight_kg",
                    "packages",
                    "notes",
                ],
            ),
            (
                Kind::Exceptions,
                &[
                    "order_no",
                    "kind",
                    "cause",
                    "opened_at",
                    "customer_informed_at",
                    "resolved_at",
                    "note",
                ],
            ),
            (
                Kind::Complaints,
                &[
                    "complaint_no",
                    "customer",
                    "order_no",
                    "type",
                    "severity",
                    "opened_at",
                    "first_response_at",
                    "resolved_at",
                    "department",
                    "description",
                    "resolution",
                ],
            ),
            (
                Kind::Contacts,
                &[
                    "customer",
                    "order_no",
                    "channel",
                    "direction",
                    "at",
                    "replied_at",
                    "summary",
                ],
            ),
            (
                Kind::Surveys,
                &[
                    "customer",
                    "date",
                    "accuracy",
                    "response",
                    "resolution",
                    "attitude",
                    "customisation",
                    "quality",
                    "willingness",
                ],
            ),
            (
                Kind::Requirements,
                &[
                    "customer",
                    "category",
                    "text",
                    "created_at",
                    "status",
                    "forwarded_to",
                    "resolved_at",
                ],
            ),
        ];
        assert_eq!(spec.len(), Kind::iter().count());
        let mut store = Store::open_in_memory().unwrap();
        for (kind, columns) in spec {
            assert_eq!(kind.columns(), columns, "{kind}");
            let text = export(&mut store, kind, false);
            // An empty table still gives its header: one LF-terminated line after the BOM.
            assert_eq!(text, format!("{}\n", columns.join(",")), "{kind}");
        }
    }

    #[test]
    fn customers_are_masked_unless_pii_is_wanted() {
        let mut store = Store::open_in_memory().unwrap();
        fixture(&store);
        let (_, masked) = parse(&export(&mut store, Kind::Customers, false));
        assert_eq!(masked[0][0], "AC01", "sorted by code");
        let zh = &masked[1];
        assert_eq!(zh[3], "138****5678");
        assert_eq!(zh[4], "w***@huadong.cn");
        assert_eq!(zh[5], "wx***");
        assert_eq!(zh[7], "上海***");
        assert_eq!(zh[1], "上海华东机械有限公司", "names are not personal data");

        let (_, plain) = parse(&export(&mut store, Kind::Customers, true));
        let zh = &plain[1];
        assert_eq!(
            zh,
            &[
                "ZH01",
                "上海华东机械有限公司",
                "王经理",
                "13812345678",
                "wang@huadong.cn",
                "wx_wang88",
                "im",
                "上海市浦东新区张江路88号",
                "30",
                "zh",
                "says \"urgent\", always; calls\ntwice",
                "regular",
            ]
        );
        // NULLs are empty cells, and an empty mask input stays empty.
        assert_eq!(
            plain[0],
            [
                "AC01",
                "Acme, Inc.",
                "",
                "",
                "",
                "",
                "email",
                "",
                "",
                "en",
                "",
                "regular"
            ]
        );
        assert_eq!(masked[0], plain[0]);
    }

    #[test]
    fn orders_give_one_row_per_line_with_the_order_fields_repeated() {
        let mut store = Store::open_in_memory().unwrap();
        fixture(&store);
        let text = export(&mut store, Kind::Orders, true);
        assert!(!text.contains('\r') && !text.starts_with('\u{feff}'));
        let (_, rows) = parse(&text);
        assert_eq!(rows.len(), 3);
        // SO-1 has no lines and no customer: one row of empty line cells.
        let stamp = format_stamp(TS);
        let so1 = &rows[0];
        assert_eq!(
            so1,
            &[
                "SO-1",
                "",
                "regular",
                "inquiry",
                &stamp,
                "",
                "",
                "USD",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "customer not decided",
                "",
            ]
        );
        let (a, b) = (&rows[1], &rows[2]);
        assert_eq!(a[..10], b[..10], "order fields repeat on every line row");
        assert_eq!(a[15..], b[15..]);
        assert_eq!(a[0], "SO-2");
        assert_eq!(a[1], "ZH01", "customer is the customer code");
        assert_eq!(a[4], stamp);
        assert_eq!(a[6], "上海市浦东新区张江路88号");
        assert_eq!(a[16], "加急, \"A\" grade");
        assert_eq!(
            a[10..15],
            ["P-100", "M8 \"hex\"", "1000.5", "kg", "12.3400"]
        );
        assert_eq!(b[10..15], ["P-200", "不锈钢, 2mm", "5", "pcs", "99.90"]);

        let (_, masked) = parse(&export(&mut store, Kind::Orders, false));
        assert_eq!(masked[1][6], "上海***");
        assert_eq!(masked[2][6], "上海***");
        assert_eq!(masked[1][16], a[16], "only the address is masked");
    }

    #[test]
    fn child_kinds_resolve_their_keys_and_keep_a_stable_order() {
        let mut store = Store::open_in_memory().unwrap();
        fixture(&store);
        let stamp = format_stamp(TS);
        let (_, ships) = parse(&export(&mut store, Kind::Shipments, false));
        assert_eq!(
            ships,
            [
                [
                    "SO-2",
                    "COSCO",
                    "WB-1",
                    "sea",
                    "",
                    &stamp,
                    "",
                    "booked",
                    "",
                    "",
                    "line1\nline2"
                ],
                [
                    "SO-2",
                    "顺丰",
                    "WB-2",
                    "express",
                    &stamp,
                    "",
                    "",
                    "in_transit",
                    "12.5",
                    "3",
                    ""
                ],
            ]
        );
        let (_, exc) = parse(&export(&mut store, Kind::Exceptions, false));
        assert_eq!(
            exc,
            [[
                "SO-2",
                "delay",
                "supplier_delay",
                &stamp,
                "",
                "",
                "钢材缺货"
            ]]
        );
        let (_, comp) = parse(&export(&mut store, Kind::Complaints, false));
        assert_eq!(
            comp,
            [["C-1", "ZH01", "", "quality", "urgent", &stamp, "", "", "", "划痕", ""]]
        );
        let (_, cont) = parse(&export(&mut store, Kind::Contacts, false));
        assert_eq!(cont, [["ZH01", "SO-2", "phone", "in", &stamp, "", "催货"]]);
        let (_, surv) = parse(&export(&mut store, Kind::Surveys, false));
        assert_eq!(surv, [["AC01", "2026-03-01", "5", "", "", "", "", "", "9"]]);
        let (_, req) = parse(&export(&mut store, Kind::Requirements, false));
        assert_eq!(
            req,
            [["ZH01", "packaging", "木箱包装", &stamp, "open", "", ""]]
        );
    }

    #[test]
    fn text_that_would_run_as_a_formula_is_neutralised_and_numbers_are_not() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .conn()
            .execute_batch(
                "INSERT INTO customers (code, name, notes, payment_terms_days)
                 VALUES ('C1', '=HYPERLINK(\"x\")', '@SUM(1)', 30),
                        ('C2', '+cmd|'' /C calc''!A0', '-5', 7);",
            )
            .unwrap();
        let text = export(&mut store, Kind::Customers, true);
        let (_, rows) = parse(&text);
        assert_eq!(rows[0][1], "'=HYPERLINK(\"x\")");
        assert_eq!(rows[0][10], "'@SUM(1)");
        assert_eq!(rows[1][1], "'+cmd|' /C calc'!A0");
        assert_eq!(
            rows[1][10], "'-5",
            "text that looks like a number is still text"
        );
        assert_eq!(rows[1][8], "7", "a number is written as it is");
        let mut plain = Vec::new();
        let opts = ExportOptions {
            include_pii: true,
            no_bom: true,
            ..Default::default()
        };
        export_csv(&mut store, Kind::Customers, &mut plain, &opts).unwrap();
        assert!(plain.starts_with(b"code,"));
    }

    #[test]
    fn the_same_data_exports_to_the_same_bytes() {
        let mut store = Store::open_in_memory().unwrap();
        fixture(&store);
        for kind in Kind::iter() {
            let first = export(&mut store, kind, true);
            assert_eq!(first, export(&mut store, kind, true), "{kind}");
        }
    }

    #[test]
    fn each_export_appends_one_audit_entry_and_the_chain_holds() {
        let mut store = Store::open_in_memory().unwrap();
        fixture(&store);
        for (i, kind) in Kind::iter().enumerate() {
            export(&mut store, kind, i % 2 == 0);
            assert_eq!(audit_count(&store), i as i64 + 1);
        }
        let (entity, detail): (String, String) = store
            .conn()
            .query_row(
                "SELECT entity, detail FROM audit_log WHERE action = 'export' AND entity = 'orders'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(entity, "orders");
        let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
        assert_eq!(
            detail,
            json!({"rows": 3, "include_pii": false, "marked_only": false, "format": "csv"})
        );
        let chain = audit::verify(store.conn()).unwrap();
        assert_eq!(chain.entries, 8);
        assert_eq!(chain.first_broken, None);
    }

    #[test]
    fn a_failed_write_records_no_export() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk full"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut store = Store::open_in_memory().unwrap();
        fixture(&store);
        let err = export_csv(
            &mut store,
            Kind::Orders,
            &mut Full,
            &ExportOptions::default(),
        )
        .unwrap_err();
        assert!(format!("{err:#}").contains("disk full"), "{err:#}");
        assert_eq!(audit_count(&store), 0);
    }

    #[test]
    fn the_row_source_yields_cells_in_column_order() {
        let store = Store::open_in_memory().unwrap();
        fixture(&store);
        let mut seen = Vec::new();
        let n = for_each_row(
            store.conn(),
            Kind::Surveys,
            &ExportOptions::default(),
            |row| {
                seen.push(row.to_vec());
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(n, 1);
        assert_eq!(seen[0].len(), Kind::Surveys.columns().len());
        assert_eq!(seen[0][0].as_deref(), Some("AC01"));
        assert_eq!(seen[0][3], None);
    }
}
