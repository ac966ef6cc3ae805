//! The rows of a file as text cells with their line numbers: CSV (RFC 4180; UTF-8, UTF-16 or
//! GB18030, see `decode`; comma or tab separated) or the first sheet of a workbook (see
//! `sheet`), where each cell becomes the text the same value would have in a CSV file.
//!
//! Reading streams: one row at a time, whatever the size of the file. Limits (cell size,
//! columns, see README "Bringing a spreadsheet in") stop the reading with one problem, so a
//! hostile file costs neither memory nor time.

use super::decode::{self, Decode, TextEncoding, Undecodable};
use super::problems::Problem;
use super::sheet;
use anyhow::Context as _;
use calamine::Data;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io::{self, Read};
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

/// The most bytes one cell may hold.
pub const MAX_CELL: usize = 64 * 1024;
/// The most cells one row may have (the widest kind has 17 columns).
pub const MAX_COLUMNS: usize = 64;

/// Why reading stopped before the end of the file: one problem, on the line where it was seen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem}")]
pub struct Stopped {
    pub line: u64,
    /// The cell's column number (from 0), when the problem is in one cell.
    pub field: Option<usize>,
    pub problem: Problem,
}

/// How far reading has got, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Rows read so far.
    pub rows: u64,
    /// Bytes of the file read so far, and its size when known.
    pub bytes: u64,
    pub total: Option<u64>,
}

/// How often progress is told, in rows.
const PROGRESS_EVERY: u64 = 4096;

/// Where rows come from.
pub struct Source {
    rows: Rows,
    /// What the file was read as: `UTF-8`, `GB18030`, `XLSX`…
    read_as: &'static str,
    header: Option<csv::StringRecord>,
    stopped: Option<Stopped>,
    count: u64,
    bytes: Rc<Cell<u64>>,
    total: Option<u64>,
    progress: Option<Box<dyn FnMut(Progress)>>,
}

enum Rows {
    Csv {
        reader: csv::Reader<Box<dyn Read>>,
        raw: csv::ByteRecord,
        scan: Rc<RefCell<Scan>>,
    },
    Sheet(sheet::SheetRows),
}

/// The CSV text as it streams by: where each record's line is (see `LineBreaks`), whether a
/// quote is open, and the limits.
struct Scan {
    breaks: LineBreaks,
    delimiter: u8,
    state: Quote,
    /// The line and field where the open quote began.
    quote_at: (u64, usize),
    field: usize,
    cell: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    /// At the start of a cell.
    Start,
    Unquoted,
    Quoted,
    /// A quote inside a quoted cell: its end, or the first of two.
    Closing,
}

impl Scan {
    fn line(&self) -> u64 {
        self.breaks.line + 1
    }

    fn see(&mut self, bytes: &[u8]) -> Result<(), Stopped> {
        self.breaks.see(bytes);
        // The line count above is already past these bytes; count again for exact lines
        // only when a limit is hit (rare), so the hot loop stays simple.
        for (i, &b) in bytes.iter().enumerate() {
            let newline = b == b'\n' || b == b'\r';
            match self.state {
                Quote::Start | Quote::Unquoted | Quote::Closing if b == self.delimiter => {
                    self.state = Quote::Start;
                    self.field += 1;
                    self.cell = 0;
                    if self.field >= MAX_COLUMNS {
                        return Err(self.stop(
                            bytes,
                            i,
                            None,
                            Problem::TooManyColumns { max: MAX_COLUMNS },
                        ));
                    }
                }
                Quote::Start | Quote::Unquoted | Quote::Closing if newline => {
                    self.state = Quote::Start;
                    self.field = 0;
                    self.cell = 0;
                }
                Quote::Start if b == b'"' => {
                    self.state = Quote::Quoted;
                    let line = self.line_at(bytes, i);
                    self.quote_at = (line, self.field);
                }
                Quote::Quoted if b == b'"' => self.state = Quote::Closing,
                Quote::Closing if b == b'"' => self.state = Quote::Quoted,
                _ => {
                    if self.state != Quote::Quoted {
                        self.state = Quote::Unquoted;
                    }
                    self.cell += 1;
                    if self.cell > MAX_CELL {
                        // A quote never closed swallows the rest of the file into one cell.
                        if self.state == Quote::Quoted {
                            return Err(Stopped {
                                line: self.quote_at.0,
                                field: Some(self.quote_at.1),
                                problem: Problem::UnterminatedQuote,
                            });
                        }
                        let field = Some(self.field);
                        return Err(self.stop(
                            bytes,
                            i,
                            field,
                            Problem::CellTooLong { max: MAX_CELL },
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The line of byte `i` of `bytes`, the chunk `breaks` has just counted.
    fn line_at(&self, bytes: &[u8], i: usize) -> u64 {
        let after = bytes[i..].iter().filter(|&&b| b == b'\n').count() as u64;
        self.line() - after
    }

    fn stop(&self, bytes: &[u8], i: usize, field: Option<usize>, problem: Problem) -> Stopped {
        Stopped {
            line: self.line_at(bytes, i),
            field,
            problem,
        }
    }

    /// At the end of the file: a quote still open is an error on the line it opened.
    fn end(&self) -> Result<(), Stopped> {
        if self.state == Quote::Quoted {
            return Err(Stopped {
                line: self.quote_at.0,
                field: Some(self.quote_at.1),
                problem: Problem::UnterminatedQuote,
            });
        }
        Ok(())
    }
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

/// Passes the bytes through the scan; a limit passed or a byte that is not text ends the
/// reading with the problem.
struct Noting<R> {
    inner: R,
    scan: Rc<RefCell<Scan>>,
}

fn stopped(s: Stopped) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, s)
}

impl<R: Read> Read for Noting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match self.inner.read(buf) {
            Ok(n) => n,
            Err(e) => {
                if !e.get_ref().is_some_and(|e| e.is::<Undecodable>()) {
                    return Err(e);
                }
                let scan = self.scan.borrow();
                return Err(stopped(Stopped {
                    line: scan.line(),
                    field: None,
                    problem: Problem::Undecodable,
                }));
            }
        };
        let mut scan = self.scan.borrow_mut();
        if n == 0 {
            scan.end().map_err(stopped)?;
        }
        scan.see(&buf[..n]).map_err(stopped)?;
        Ok(n)
    }
}

/// Counts the bytes read from the file, for progress.
struct Counting<R> {
    inner: R,
    bytes: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.set(self.bytes.get() + n as u64);
        Ok(n)
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0];

/// How a file is read.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// The text encoding, instead of telling it from the bytes.
    pub encoding: Option<TextEncoding>,
}

impl Source {
    /// A workbook when the file is one (by its first bytes, else by its extension), else CSV.
    /// `-` is standard input.
    pub fn open(path: &Path, opts: ReadOptions) -> anyhow::Result<Source> {
        if path.as_os_str() == "-" {
            return Source::stdin(opts);
        }
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
            let total = file.metadata().ok().map(|m| m.len());
            let mut source = Source::csv_with(Box::new(file), opts)?;
            source.total = total;
            Ok(source)
        }
    }

    /// Standard input: CSV text, or a workbook (kept in a temporary file, as a workbook is
    /// read by seeking).
    fn stdin(opts: ReadOptions) -> anyhow::Result<Source> {
        let mut head = Vec::with_capacity(4);
        // No lock is held past this read: the chain below reads standard input again.
        io::stdin()
            .lock()
            .take(4)
            .read_to_end(&mut head)
            .context("reading standard input")?;
        let rest: Box<dyn Read> = Box::new(io::Cursor::new(head.clone()).chain(io::stdin()));
        if head.starts_with(ZIP_MAGIC) || head.starts_with(OLE_MAGIC) {
            let mut spooled = tempfile::NamedTempFile::new().context("keeping standard input")?;
            let mut rest = rest.take(sheet::MAX_FILE + 1);
            let n = io::copy(&mut rest, spooled.as_file_mut()).context("reading standard input")?;
            if n > sheet::MAX_FILE {
                anyhow::bail!(crate::i18n::tf(
                    "import.limit.file",
                    &[("max", &sheet::mib(sheet::MAX_FILE))]
                ));
            }
            let mut source = Source::workbook(spooled.path())?;
            source.rows.keep(spooled);
            return Ok(source);
        }
        Source::csv_with(rest, opts)
    }

    /// CSV text in UTF-8 (tests).
    pub fn csv(input: Box<dyn Read>) -> Source {
        // A Cursor over UTF-8 cannot fail to be sniffed.
        Source::csv_with(input, ReadOptions::default())
            .unwrap_or_else(|e| panic!("reading CSV from memory: {e}"))
    }

    /// CSV text in any encoding read (told from its first bytes, or as forced).
    pub fn csv_with(input: Box<dyn Read>, opts: ReadOptions) -> anyhow::Result<Source> {
        let bytes = Rc::new(Cell::new(0));
        let mut input: Box<dyn Read> = Box::new(Counting {
            inner: input,
            bytes: Rc::clone(&bytes),
        });
        let mut head = Vec::with_capacity(decode::SNIFF);
        (&mut input)
            .take(decode::SNIFF as u64)
            .read_to_end(&mut head)
            .context("reading the file")?;
        let encoding = decode::detect(&head, opts.encoding);
        let input: Box<dyn Read> = Box::new(io::Cursor::new(head).chain(input));
        let (mut text, read_as): (Box<dyn Read>, &'static str) = match encoding {
            Some(e) => (Box::new(Decode::new(input, e)), decode::name(e)),
            // Undecodable from the first bytes: the scan says so on line 1.
            None => (Box::new(Failing), "?"),
        };
        // The first line tells the separator: Excel's "Unicode text" uses tabs.
        let mut first = Vec::new();
        let mut chunk = [0u8; 4096];
        while !first.contains(&b'\n') && first.len() < decode::SNIFF {
            match text.read(&mut chunk) {
                Ok(n) if n > 0 => first.extend_from_slice(&chunk[..n]),
                // The end, or a failure the decoder keeps: reading on gives it again.
                _ => break,
            }
        }
        let line_end = first
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(first.len());
        let line = &first[..line_end];
        let delimiter = if line.contains(&b'\t') && !line.contains(&b',') {
            b'\t'
        } else {
            b','
        };
        let text: Box<dyn Read> = Box::new(io::Cursor::new(first).chain(text));
        let scan = Rc::new(RefCell::new(Scan {
            breaks: LineBreaks::default(),
            delimiter,
            state: Quote::Start,
            quote_at: (0, 0),
            field: 0,
            cell: 0,
        }));
        let noting: Box<dyn Read> = Box::new(Noting {
            inner: text,
            scan: Rc::clone(&scan),
        });
        Ok(Source {
            rows: Rows::Csv {
                reader: csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .delimiter(delimiter)
                    .from_reader(noting),
                raw: csv::ByteRecord::new(),
                scan,
            },
            read_as,
            header: None,
            stopped: None,
            count: 0,
            bytes,
            total: None,
            progress: None,
        })
    }

    /// The first sheet of a workbook, streamed.
    pub fn workbook(path: &Path) -> anyhow::Result<Source> {
        let (rows, total) = sheet::open(path)?;
        Ok(Source {
            rows: Rows::Sheet(rows),
            read_as: "XLSX",
            header: None,
            stopped: None,
            count: 0,
            bytes: Rc::new(Cell::new(0)),
            total,
            progress: None,
        })
    }

    /// Calls `f` every few thousand rows as the file is read.
    pub fn on_progress(&mut self, f: Box<dyn FnMut(Progress)>) {
        self.progress = Some(f);
    }

    /// What the file was read as, for the summary line: `UTF-8`, `UTF-16`, `GB18030`, `XLSX`.
    /// The size of the file in bytes, when known (not for standard input).
    pub fn size(&self) -> Option<u64> {
        self.total
    }

    pub fn read_as(&self) -> &'static str {
        self.read_as
    }

    /// Why reading stopped early, with the column named when the header has it.
    pub fn take_stopped(&mut self) -> Option<(u64, String, Problem)> {
        let s = self.stopped.take()?;
        let column = match s.field {
            Some(f) => self
                .header
                .as_ref()
                .and_then(|h| h.get(f))
                .map(|c| c.trim_start_matches('\u{feff}').trim().to_string())
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| format!("#{}", f + 1)),
            None => crate::i18n::t("import.column.file").to_string(),
        };
        Some((s.line, column, s.problem))
    }

    /// Reads the next row into `record`; `false` at the end, or where reading stopped (see
    /// `take_stopped`). Only a failure to read the file is an error; cells that are not text
    /// are marked in the record.
    pub fn next_record(&mut self, record: &mut Record) -> anyhow::Result<bool> {
        if self.stopped.is_some() {
            return Ok(false);
        }
        let more = match &mut self.rows {
            Rows::Sheet(rows) => match rows.next_record(record) {
                Ok(more) => more,
                Err(s) => {
                    self.stopped = Some(s);
                    false
                }
            },
            Rows::Csv { reader, raw, scan } => match reader.read_byte_record(raw) {
                Ok(false) => false,
                Ok(true) => {
                    record.line = raw.position().map_or(0, |p| {
                        scan.borrow_mut().breaks.record_line(p.byte(), p.line())
                    });
                    record.cells.clear();
                    record.bad.clear();
                    for (i, bytes) in raw.iter().enumerate() {
                        match std::str::from_utf8(bytes) {
                            Ok(s) => record.cells.push_field(unneutralised(s)),
                            Err(_) => {
                                record.bad.push((i, Problem::NotUtf8));
                                record.cells.push_field(&String::from_utf8_lossy(bytes));
                            }
                        }
                    }
                    true
                }
                Err(e) => {
                    let stop = match e.kind() {
                        csv::ErrorKind::Io(io) => io
                            .get_ref()
                            .and_then(|e| e.downcast_ref::<Stopped>())
                            .cloned(),
                        _ => None,
                    };
                    match stop {
                        Some(s) => {
                            self.stopped = Some(s);
                            false
                        }
                        None => return Err(e).context("reading the CSV file"),
                    }
                }
            },
        };
        if more {
            if self.header.is_none() && !record.is_blank() {
                self.header = Some(record.cells.clone());
            }
            self.count += 1;
            if self.count.is_multiple_of(PROGRESS_EVERY) {
                self.tell();
            }
        } else {
            self.tell();
        }
        Ok(more)
    }

    fn tell(&mut self) {
        let progress = Progress {
            rows: self.count,
            bytes: self.bytes.get(),
            total: self.total,
        };
        if let Some(f) = &mut self.progress {
            f(progress);
        }
    }
}

impl Rows {
    /// Keeps the temporary copy of standard input as long as the rows are read.
    fn keep(&mut self, file: tempfile::NamedTempFile) {
        if let Rows::Sheet(rows) = self {
            rows.keep(file);
        }
    }
}

/// A reader whose every read fails as undecodable text.
struct Failing;

impl Read for Failing {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::new(
            io::ErrorKind::InvalidData,
            Undecodable { byte: 0 },
        ))
    }
}

/// The characters a spreadsheet reads as the start of a formula (OWASP, CSV injection).
pub fn starts_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A text cell as written to CSV: one `'` more before text that a spreadsheet would take for
/// a formula, or that already starts with `'`s before such a character, so reading it back
/// (`unneutralised`) gives the text exactly.
pub fn neutralised(s: &str) -> std::borrow::Cow<'_, str> {
    if starts_formula(s.trim_start_matches('\'')) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// The text of a CSV cell written by `neutralised`.
pub fn unneutralised(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if starts_formula(rest.trim_start_matches('\'')) => rest,
        _ => s,
    }
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

    /// The rows read, and why reading stopped early if it did.
    fn read(
        bytes: Vec<u8>,
        encoding: Option<TextEncoding>,
    ) -> (Vec<Record>, Option<(u64, String, Problem)>) {
        let mut s =
            Source::csv_with(Box::new(io::Cursor::new(bytes)), ReadOptions { encoding }).unwrap();
        let mut out = Vec::new();
        let mut r = Record::default();
        while s.next_record(&mut r).unwrap() {
            out.push(r.clone());
        }
        (out, s.take_stopped())
    }

    fn cells(rows: &[Record]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.cells.iter().map(str::to_string).collect())
            .collect()
    }

    #[test]
    fn bytes_that_are_not_text_stop_the_file_with_one_problem_on_their_line() {
        let mut text = b"code,name\n".to_vec();
        for i in 0..5000 {
            text.extend_from_slice(format!("C{i},Name {i}\n").as_bytes());
        }
        text.extend_from_slice(b"C-bad,\xff\xfe\xfd\n");
        let (rows, stopped) = read(text, None);
        assert_eq!(rows.len(), 5001);
        let (line, column, problem) = stopped.unwrap();
        assert_eq!((line, problem), (5002, Problem::Undecodable));
        assert_eq!(column, "file");
        let (rows, stopped) = read(b"a,b\n1,\xff\xfe\x00\x81\n".to_vec(), None);
        assert!(rows.len() <= 1);
        assert_eq!(stopped.map(|s| s.2), Some(Problem::Undecodable));
    }

    #[test]
    fn gb18030_and_utf16_files_read_as_the_same_cells() {
        let text =
            "code,name,notes\nZH01,上海华东机械有限公司,\"第一行\n第二行\"\nBJ02,北京不锈钢厂,\n";
        let (utf8, _) = read(text.as_bytes().to_vec(), None);
        let (gb, _, _) = encoding_rs::GB18030.encode(text);
        let (from_gb, stopped) = read(gb.into_owned(), None);
        assert_eq!(stopped, None);
        assert_eq!(cells(&from_gb), cells(&utf8));
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let (forced, _) = read(gbk.into_owned(), Some(TextEncoding::Gbk));
        assert_eq!(cells(&forced), cells(&utf8));
        // Excel's "Unicode text": UTF-16 LE with a BOM, tab-separated.
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in text.replace(',', "\t").encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let (from_16, stopped) = read(utf16, None);
        assert_eq!(stopped, None);
        assert_eq!(cells(&from_16), cells(&utf8));
        assert_eq!(
            from_16.iter().map(|r| r.line).collect::<Vec<_>>(),
            [1, 2, 4]
        );
        let mut s = Source::csv_with(
            Box::new(io::Cursor::new(b"\xef\xbb\xbfa\n".to_vec())),
            ReadOptions::default(),
        )
        .unwrap();
        let mut r = Record::default();
        assert!(s.next_record(&mut r).unwrap());
        assert_eq!(r.cell(0), "a");
        assert_eq!(s.read_as(), "UTF-8");
    }

    #[test]
    fn an_unterminated_quote_is_named_on_the_line_it_opens() {
        let (_, stopped) = read(b"code,name\nC1,A\nC2,\"B\nC3,C\n".to_vec(), None);
        assert_eq!(
            stopped,
            Some((3, "name".to_string(), Problem::UnterminatedQuote))
        );
        // Quotes that close, even over lines, are fine.
        let (rows, stopped) = read(b"a,b\n1,\"x\n\"\"y\"\"\"\n".to_vec(), None);
        assert_eq!(stopped, None);
        assert_eq!(rows[1].cell(1), "x\n\"y\"");
        // One that swallows more than a cell may hold is named too, without reading on.
        let mut big = b"a,b\n1,\"x".to_vec();
        big.extend(std::iter::repeat_n(b'y', MAX_CELL * 3));
        let (_, stopped) = read(big, None);
        assert_eq!(
            stopped,
            Some((2, "b".to_string(), Problem::UnterminatedQuote))
        );
    }

    #[test]
    fn cells_and_rows_have_limits() {
        let mut long = b"a,b\n1,".to_vec();
        long.extend(std::iter::repeat_n(b'y', MAX_CELL + 1));
        let (_, stopped) = read(long, None);
        assert_eq!(
            stopped,
            Some((2, "b".to_string(), Problem::CellTooLong { max: MAX_CELL }))
        );
        let wide = format!("a\n{}\n", ",".repeat(MAX_COLUMNS));
        let (_, stopped) = read(wide.into_bytes(), None);
        assert_eq!(
            stopped.map(|s| (s.0, s.2)),
            Some((2, Problem::TooManyColumns { max: MAX_COLUMNS }))
        );
    }

    #[test]
    fn formula_cells_are_neutralised_and_read_back_exactly() {
        for text in [
            "=1+2", "+cmd", "-x", "@SUM(1)", "\tx", "\rx", "'=x", "''+y", "'plain", "a=b", "",
        ] {
            let written = neutralised(text);
            assert!(!starts_formula(&written), "{text:?} → {written:?}");
            assert_eq!(unneutralised(&written), text);
        }
        assert_eq!(neutralised("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(neutralised("'plain"), "'plain");
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_end_in_rows_or_one_problem(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2000)) {
            let _ = read(bytes, None);
        }

        #[test]
        fn control_characters_anywhere_never_break_reading(
            text in "[a-z,\"\n\u{0}-\u{1f}\u{7f}-\u{9f}\u{202a}-\u{202e}\u{2066}-\u{2069}]{0,200}",
            forced in proptest::option::of(proptest::sample::select(vec![TextEncoding::Utf8, TextEncoding::Gb18030, TextEncoding::Utf16])),
        ) {
            let (rows, stopped) = read(text.clone().into_bytes(), forced);
            if forced.is_none() {
                // UTF-8 text is always read as such; only a quote left open can stop it.
                proptest::prop_assert!(matches!(stopped, None | Some((_, _, Problem::UnterminatedQuote))), "{stopped:?}");
                proptest::prop_assert!(rows.len() <= text.len() + 1);
            }
        }
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
