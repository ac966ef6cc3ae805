//! The rows of a file as text cells with their line numbers: CSV (RFC 4180, UTF-8, BOM and
//! CRLF accepted) or the first sheet of a workbook, where each cell becomes the text the same
//! value would have in a CSV file.

use super::problems::Problem;
use anyhow::Context as _;
use calamine::{Data, Reader};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Read;
use std::path::Path;
use std::rc::Rc;

/// One row: the line it starts on (the header is line 1; in a workbook, the row number), its
/// cells, and the cells that could not be read as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub line: u64,
    pub cells: csv::StringRecord,
    pub bad: Vec<(usize, Problem)>,
}

impl Record {
    /// Spreadsheets leave rows with no value at all; they are not rows of data.
    pub fn is_blank(&self) -> bool {
        self.bad.is_empty() && self.cells.iter().all(|c| c.trim().is_empty())
    }

    /// The text of cell `i` (empty past the end of a short row).
    pub fn cell(&self, i: usize) -> &str {
        self.cells.get(i).unwrap_or("")
    }
}

/// Where rows come from.
pub enum Source {
    Csv {
        reader: csv::Reader<Box<dyn Read>>,
        raw: csv::ByteRecord,
        breaks: Rc<RefCell<LineBreaks>>,
    },
    Sheet(std::vec::IntoIter<Record>),
}

/// The runs of line breaks in a CSV file, noted as it is read. The csv crate gives the
/// position where it began reading a record, which is before the line breaks that precede
/// it (the LF of a CRLF, blank lines); a record's own line is where that run ends.
#[derive(Default)]
pub struct LineBreaks {
    /// (first byte, byte after the run, line after the run), in file order.
    runs: VecDeque<(u64, u64, u64)>,
    offset: u64,
    line: u64,
    run_start: Option<u64>,
}

impl LineBreaks {
    fn see(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if b == b'\n' || b == b'\r' {
                self.run_start.get_or_insert(self.offset);
                if b == b'\n' {
                    self.line += 1;
                }
            } else if let Some(start) = self.run_start.take() {
                self.runs.push_back((start, self.offset, self.line + 1));
            }
            self.offset += 1;
        }
    }

    /// The line of the record csv began reading at `byte` on `line`.
    fn record_line(&mut self, byte: u64, line: u64) -> u64 {
        while self.runs.front().is_some_and(|&(_, end, _)| end <= byte) {
            self.runs.pop_front();
        }
        match self.runs.front() {
            Some(&(start, _, after)) if start <= byte => after,
            _ => line,
        }
    }
}

/// Passes the bytes through, noting the line breaks.
struct Noting<R> {
    inner: R,
    breaks: Rc<RefCell<LineBreaks>>,
}

impl<R: Read> Read for Noting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.breaks.borrow_mut().see(&buf[..n]);
        Ok(n)
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0];

impl Source {
    /// A workbook when the file is one (by its first bytes, else by its extension), else CSV.
    pub fn open(path: &Path) -> anyhow::Result<Source> {
        let mut head = [0u8; 4];
        let n = std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .with_context(|| format!("cannot read {}", path.display()))?;
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let workbook = head[..n].starts_with(ZIP_MAGIC)
            || head[..n].starts_with(OLE_MAGIC)
            || matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods");
        if workbook {
            Source::workbook(path)
        } else {
            let file = std::fs::File::open(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Ok(Source::csv(Box::new(std::io::BufReader::new(file))))
        }
    }

    pub fn csv(input: Box<dyn Read>) -> Source {
        let breaks = Rc::new(RefCell::new(LineBreaks::default()));
        let noting: Box<dyn Read> = Box::new(Noting {
            inner: input,
            breaks: Rc::clone(&breaks),
        });
        Source::Csv {
            reader: csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(noting),
            raw: csv::ByteRecord::new(),
            breaks,
        }
    }

    /// The first sheet, read whole (calamine reads a sheet at once anyway).
    pub fn workbook(path: &Path) -> anyhow::Result<Source> {
        let mut book = calamine::open_workbook_auto(path)
            .with_context(|| format!("{}: cannot read the workbook", path.display()))?;
        let range = book
            .worksheet_range_at(0)
            .with_context(|| format!("{}: the workbook has no sheet", path.display()))?
            .with_context(|| format!("{}: cannot read the first sheet", path.display()))?;
        let first_row = range.start().map_or(0, |(row, _)| row as u64);
        let records: Vec<Record> = range
            .rows()
            .enumerate()
            .map(|(i, row)| sheet_record(first_row + i as u64 + 1, row))
            .collect();
        Ok(Source::Sheet(records.into_iter()))
    }

    /// Reads the next row into `record`; `false` at the end. Only a failure to read the file
    /// is an error; cells that are not text are marked in the record.
    pub fn next_record(&mut self, record: &mut Record) -> anyhow::Result<bool> {
        match self {
            Source::Sheet(rows) => match rows.next() {
                Some(r) => {
                    *record = r;
                    Ok(true)
                }
                None => Ok(false),
            },
            Source::Csv {
                reader,
                raw,
                breaks,
            } => {
                if !reader
                    .read_byte_record(raw)
                    .context("reading the CSV file")?
                {
                    return Ok(false);
                }
                record.line = raw
                    .position()
                    .map_or(0, |p| breaks.borrow_mut().record_line(p.byte(), p.line()));
                record.cells.clear();
                record.bad.clear();
                for (i, bytes) in raw.iter().enumerate() {
                    match std::str::from_utf8(bytes) {
                        Ok(s) => record.cells.push_field(s),
                        Err(_) => {
                            record.bad.push((i, Problem::NotUtf8));
                            record.cells.push_field(&String::from_utf8_lossy(bytes));
                        }
                    }
                }
                Ok(true)
            }
        }
    }
}

fn sheet_record(line: u64, row: &[Data]) -> Record {
    let mut record = Record {
        line,
        ..Record::default()
    };
    for (i, cell) in row.iter().enumerate() {
        match cell_text(cell) {
            Ok(text) => record.cells.push_field(&text),
            Err(problem) => {
                record.bad.push((i, problem));
                record.cells.push_field("");
            }
        }
    }
    record
}

/// The text a spreadsheet cell would have in a CSV file: whole numbers without `.0`, dates
/// as `YYYY-MM-DD`, date-times as `YYYY-MM-DD HH:MM:SS`.
pub fn cell_text(cell: &Data) -> Result<String, Problem> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => match dt.as_datetime() {
            Some(at) if at.time() == chrono::NaiveTime::MIN => {
                at.format(crate::domain::time::DATE_FORMAT).to_string()
            }
            Some(at) => at.format(crate::domain::time::STAMP_FORMAT).to_string(),
            None => number_text(dt.as_f64()),
        },
        Data::DateTime(dt) => number_text(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err(Problem::SpreadsheetError(e.to_string())),
    })
}

/// Spreadsheets keep numbers as binary floats. A typed number is the shortest text that reads
/// back to the same float; a computed one (0.1 + 0.2) is shown to 15 significant digits, as
/// the spreadsheet shows it. A whole number has no fraction.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    let shortest = f.to_string();
    let digits = shortest
        .trim_start_matches(['-', '0', '.'])
        .chars()
        .filter(char::is_ascii_digit)
        .count();
    if digits <= 15 {
        return shortest;
    }
    rust_decimal::Decimal::from_scientific(&format!("{f:.14e}"))
        .map(|d| d.normalize().to_string())
        .unwrap_or(shortest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(bytes: &'static [u8]) -> Vec<Record> {
        let mut s = Source::csv(Box::new(bytes));
        let mut out = Vec::new();
        let mut r = Record::default();
        while s.next_record(&mut r).unwrap() {
            out.push(r.clone());
        }
        out
    }

    #[test]
    fn csv_records_know_the_line_they_start_on() {
        let rows = all(b"a,b\r\n1,\"two\r\nlines\"\r\n3,\"x, \"\"y\"\"\"\r\n\r\n5,6");
        let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [1, 2, 4, 6]);
        assert_eq!(rows[1].cells, vec!["1", "two\r\nlines"]);
        assert_eq!(rows[2].cells, vec!["3", "x, \"y\""]);
    }

    #[test]
    fn lines_count_past_blank_lines_and_line_breaks_in_cells() {
        let rows = all(b"\n\na,b\n1,2\n\n5,6\n\n\n7,\"x\n\ny\"\n8,9");
        let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 4, 6, 9, 12]);
    }

    #[test]
    fn bad_utf8_is_marked_not_fatal() {
        let rows = all(b"a,b\n1,\xff\xfe\n");
        assert_eq!(rows[1].bad, [(1, Problem::NotUtf8)]);
    }

    #[test]
    fn spreadsheet_cells_become_csv_text() {
        assert_eq!(cell_text(&Data::Float(30.0)).unwrap(), "30");
        assert_eq!(cell_text(&Data::Float(0.1)).unwrap(), "0.1");
        assert_eq!(cell_text(&Data::Float(0.1 + 0.2)).unwrap(), "0.3");
        assert_eq!(cell_text(&Data::Float(12.345)).unwrap(), "12.345");
        assert_eq!(cell_text(&Data::Float(-0.0665)).unwrap(), "-0.0665");
        assert_eq!(
            cell_text(&Data::Float(1.0 / 3.0)).unwrap(),
            "0.333333333333333"
        );
        assert_eq!(
            cell_text(&Data::Float(13812345678.0)).unwrap(),
            "13812345678"
        );
        assert_eq!(cell_text(&Data::Int(-4)).unwrap(), "-4");
        let day =
            calamine::ExcelDateTime::new(46082.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(day)).unwrap(), "2026-03-01");
        let at =
            calamine::ExcelDateTime::new(46082.5, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(
            cell_text(&Data::DateTime(at)).unwrap(),
            "2026-03-01 12:00:00"
        );
        assert!(matches!(
            cell_text(&Data::Error(calamine::CellErrorType::Div0)),
            Err(Problem::SpreadsheetError(_))
        ));
    }
}
