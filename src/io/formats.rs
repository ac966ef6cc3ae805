//! The other forms of an export: a workbook (one sheet, the §5 columns, typed cells that
//! import back to exactly what was exported) and JSON (an array of
//! objects keyed by the §5 columns in their order, `null` for an empty cell).

use super::export::{export_to_path, for_each_row, record_export, write_atomically, ExportOptions};
use super::kinds::{Kind, Typed};
use crate::store::Store;
use anyhow::{bail, Context as _};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::io::Write;
use std::path::Path;
use unicode_width::UnicodeWidthStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, strum::Display, strum::IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Xlsx,
    Json,
}

/// Exports `kind` to the file at `path` in `format`, recorded in the audit log.
pub fn export_file(
    store: &mut Store,
    kind: Kind,
    format: ExportFormat,
    path: &Path,
    opts: &ExportOptions,
) -> anyhow::Result<usize> {
    match format {
        ExportFormat::Csv => export_to_path(store, kind, path, opts),
        ExportFormat::Json => write_atomically(path, |out| export_json(store, kind, out, opts)),
        ExportFormat::Xlsx => export_xlsx(store, kind, path, opts),
    }
}

/// Writes `kind` as a JSON array, one object per line, and records the export.
pub fn export_json(
    store: &mut Store,
    kind: Kind,
    out: &mut dyn Write,
    opts: &ExportOptions,
) -> anyhow::Result<usize> {
    let keys: Vec<String> = kind
        .columns()
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<_, _>>()?;
    let write = |out: &mut dyn Write, row: &[Option<String>], first: bool| -> std::io::Result<()> {
        out.write_all(if first { b"\n  {" } else { b",\n  {" })?;
        for (i, (key, cell)) in keys.iter().zip(row).enumerate() {
            if i > 0 {
                out.write_all(b", ")?;
            }
            out.write_all(key.as_bytes())?;
            out.write_all(b": ")?;
            match cell {
                Some(text) => serde_json::to_writer(&mut *out, text)?,
                None => out.write_all(b"null")?,
            }
        }
        out.write_all(b"}")
    };
    out.write_all(b"[").context("writing JSON")?;
    let mut first = true;
    let rows = for_each_row(store.conn(), kind, opts, |row| {
        write(&mut *out, row, first).context("writing JSON")?;
        first = false;
        Ok(())
    })?;
    out.write_all(if rows > 0 { b"\n]\n" } else { b"]\n" })
        .and_then(|_| out.flush())
        .context("writing JSON")?;
    record_export(store, kind, rows, opts, ExportFormat::Json)?;
    Ok(rows)
}

/// Rows one sheet holds, the header included.
const SHEET_ROWS: usize = 1_048_576;
/// Column widths, in characters: from the header and the first rows, within bounds.
const SAMPLE_ROWS: usize = 1000;
const MIN_WIDTH: usize = 6;
const MAX_WIDTH: usize = 50;

/// Writes `kind` as a workbook at `path` and records the export. The sheet is streamed to a
/// temporary file as it is written (constant memory); the workbook is then written like every
/// export: privately, under a temporary name, renamed into place when complete.
pub fn export_xlsx(
    store: &mut Store,
    kind: Kind,
    path: &Path,
    opts: &ExportOptions,
) -> anyhow::Result<usize> {
    let (bytes, rows) = workbook(store, kind, opts, &path.display().to_string())?;
    write_atomically(path, |out| {
        out.write_all(&bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(rows)
    })?;
    record_export(store, kind, rows, opts, ExportFormat::Xlsx)?;
    Ok(rows)
}

/// Writes `kind` as a workbook to `out` (standard output) and records the export.
pub fn export_xlsx_to(
    store: &mut Store,
    kind: Kind,
    out: &mut dyn Write,
    opts: &ExportOptions,
) -> anyhow::Result<usize> {
    let (bytes, rows) = workbook(store, kind, opts, "-")?;
    out.write_all(&bytes)
        .and_then(|_| out.flush())
        .context("writing the workbook")?;
    record_export(store, kind, rows, opts, ExportFormat::Xlsx)?;
    Ok(rows)
}

/// A number a workbook keeps exactly: a binary float holds 15 significant digits.
fn exact_number(text: &str) -> Option<f64> {
    use rust_decimal::prelude::ToPrimitive;
    let d = rust_decimal::Decimal::from_str_exact(text).ok()?;
    (d.mantissa().unsigned_abs() < 1_000_000_000_000_000).then(|| d.to_f64())?
}

/// The workbook of `kind`: typed cells (numbers, money with two decimals, dates and times
/// as Excel dates), the header row frozen with an autofilter, columns as wide as their
/// content (CJK counted double).
fn workbook(
    store: &mut Store,
    kind: Kind,
    opts: &ExportOptions,
    name: &str,
) -> anyhow::Result<(Vec<u8>, usize)> {
    let xlsx_error = |e: XlsxError| anyhow::anyhow!("writing {name}: {e}");
    let mut book = Workbook::new();
    let columns = kind.columns();
    let types = kind.types();
    let mut widths: Vec<usize> = columns.iter().map(|c| c.width()).collect();
    let rows = {
        let sheet = book
            .add_worksheet_with_constant_memory()
            .map_err(xlsx_error)?;
        sheet.set_name(kind.name()).map_err(xlsx_error)?;
        let bold = Format::new().set_bold();
        let money = Format::new().set_num_format("#,##0.00");
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let stamp = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        for (c, name) in columns.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, *name, &bold)
                .map_err(xlsx_error)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        let mut n = 0usize;
        let rows = for_each_row(store.conn(), kind, opts, |row| {
            n += 1;
            if n >= SHEET_ROWS {
                bail!(
                    "{} rows do not fit one sheet ({} at most); export as csv",
                    kind.name(),
                    SHEET_ROWS - 1
                );
            }
            let r = n as u32;
            for (c, cell) in row.iter().enumerate() {
                let Some(text) = cell else { continue };
                if n <= SAMPLE_ROWS {
                    let widest = text.lines().map(|l| l.width()).max().unwrap_or(0);
                    widths[c] = widths[c].max(widest);
                }
                let col = c as u16;
                let when = || rust_xlsxwriter::ExcelDateTime::parse_from_str(text).ok();
                // Anything that is not what its column says stays text, exactly as stored.
                let written = match types[c] {
                    Typed::Number => exact_number(text).map(|f| sheet.write_number(r, col, f)),
                    Typed::Money => exact_number(text)
                        .map(|f| sheet.write_number_with_format(r, col, f, &money)),
                    Typed::Date if text.len() == 10 => {
                        when().map(|d| sheet.write_datetime_with_format(r, col, d, &date))
                    }
                    Typed::Stamp if text.len() == 19 => {
                        when().map(|d| sheet.write_datetime_with_format(r, col, d, &stamp))
                    }
                    _ => None,
                };
                match written {
                    Some(done) => done.map_err(xlsx_error)?,
                    None => sheet.write_string(r, col, text).map_err(xlsx_error)?,
                };
            }
            Ok(())
        })?;
        for (c, w) in widths.iter().enumerate() {
            let w = (*w).clamp(MIN_WIDTH, MAX_WIDTH) + 2;
            sheet
                .set_column_width(c as u16, w as f64)
                .map_err(xlsx_error)?;
        }
        sheet
            .autofilter(0, 0, rows as u32, columns.len() as u16 - 1)
            .map_err(xlsx_error)?;
        rows
    };
    // The zipped workbook is small next to its rows; it is assembled in memory.
    let bytes = book.save_to_buffer().map_err(xlsx_error)?;
    Ok((bytes, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn fixture() -> Store {
        let store = Store::open_in_memory().unwrap();
        store
            .conn()
            .execute_batch(
                r#"INSERT INTO customers (code, name, phone, notes, payment_terms_days)
                   VALUES ('B2', '上海华东', '13812345678', 'says "hi",
twice', 30),
                          ('A1', 'Acme', NULL, NULL, NULL);"#,
            )
            .unwrap();
        store
    }

    #[test]
    fn json_is_an_array_of_objects_in_column_order() {
        let mut store = fixture();
        let mut out = Vec::new();
        let opts = ExportOptions {
            include_pii: true,
            ..Default::default()
        };
        let rows = export_json(&mut store, Kind::Customers, &mut out, &opts).unwrap();
        assert_eq!(rows, 2);
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with(
                "[\n  {\"code\": \"A1\", \"name\": \"Acme\", \"contact_person\": null,"
            ),
            "{text}"
        );
        assert!(text.ends_with("}\n]\n"));
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed[1]["notes"], "says \"hi\",\ntwice");
        assert_eq!(parsed[1]["payment_terms_days"], "30");
        assert_eq!(parsed[1]["phone"], "13812345678");

        let mut masked = Vec::new();
        export_json(
            &mut store,
            Kind::Customers,
            &mut masked,
            &ExportOptions::default(),
        )
        .unwrap();
        let parsed: serde_json::Value = serde_json::from_slice(&masked).unwrap();
        assert_eq!(parsed[1]["phone"], "138****5678");

        let mut empty = Vec::new();
        export_json(&mut store, Kind::Surveys, &mut empty, &opts).unwrap();
        assert_eq!(empty, b"[]\n");
    }

    #[test]
    fn a_workbook_has_typed_cells_and_keeps_text_as_text() {
        use calamine::{Data, Reader};
        let mut store = fixture();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("customers.xlsx");
        let opts = ExportOptions {
            include_pii: true,
            ..Default::default()
        };
        assert_eq!(
            export_file(
                &mut store,
                Kind::Customers,
                ExportFormat::Xlsx,
                &path,
                &opts
            )
            .unwrap(),
            2
        );
        let mut book = calamine::open_workbook_auto(&path).unwrap();
        assert_eq!(book.sheet_names(), ["customers"]);
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
        assert_eq!(rows[0][0], Data::String("code".into()));
        assert_eq!(rows[2][1], Data::String("上海华东".into()));
        assert_eq!(rows[2][8], Data::Float(30.0), "numbers are numbers");
        assert_eq!(rows[2][10], Data::String("says \"hi\",\ntwice".into()));
        assert_eq!(rows[1][3], Data::Empty);
        assert!(!dir.path().join("customers.partial").exists());
    }
}
