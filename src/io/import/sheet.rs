//! The first sheet of a workbook, streamed cell by cell on a thread of its own, so no sheet is
//! ever held whole: a file of a few kilobytes may declare a cell at XFD1048576, and a dense
//! range of it would need hundreds of gigabytes.
//!
//! Before anything is parsed, every part of the archive is unpacked once into nothing, its
//! real size counted against the limits (the sizes an archive declares may lie) and its
//! longest text between two tags measured. The parser then never meets more than that.

use super::problems::Problem;
use super::source::{cell_text, Record, Stopped, MAX_CELL, MAX_COLUMNS};
use crate::i18n::tf;
use anyhow::{bail, Context as _};
use calamine::{Data, DataRef, Reader, Xlsb, Xlsx};
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// The largest workbook file read (also standard input kept on disk).
pub const MAX_FILE: u64 = 256 << 20;
/// All parts of a workbook unpacked together.
pub const MAX_UNPACKED: u64 = 1 << 30;
/// One part that is not a sheet (shared strings, styles…): these are held in memory whole.
pub const MAX_PART: u64 = 32 << 20;
/// The longest text between two tags of a part: a cell's value, bounded before parsing.
pub const MAX_RUN: usize = 1 << 20;
/// How many parts an archive may have.
pub const MAX_ENTRIES: usize = 10_000;
/// The rows of a sheet (Excel's own limit).
pub const MAX_ROWS: u32 = 1_048_576;
/// Old `.xls` and `.ods` files are read whole by calamine: only small ones are taken.
pub const MAX_WHOLE: u64 = 8 << 20;

pub fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes >> 20)
}

/// Rows arriving from the reading thread.
pub struct SheetRows {
    rx: Receiver<Result<Record, Stopped>>,
    /// Standard input copied to a file, removed when the rows are done.
    _kept: Option<tempfile::NamedTempFile>,
}

impl SheetRows {
    pub fn keep(&mut self, file: tempfile::NamedTempFile) {
        self._kept = Some(file);
    }

    pub fn next_record(&mut self, record: &mut Record) -> Result<bool, Stopped> {
        match self.rx.recv() {
            Ok(Ok(r)) => {
                *record = r;
                Ok(true)
            }
            Ok(Err(s)) => Err(s),
            // The thread has sent every row.
            Err(_) => Ok(false),
        }
    }
}

/// Opens the first sheet; limits broken by the archive itself are an error here.
pub fn open(path: &Path) -> anyhow::Result<(SheetRows, Option<u64>)> {
    let name = path.display().to_string();
    let len = std::fs::metadata(path)
        .with_context(|| format!("cannot read {name}"))?
        .len();
    if len > MAX_FILE {
        bail!(tf("import.limit.file", &[("max", &mib(MAX_FILE))]));
    }
    let mut magic = [0u8; 4];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut magic))
        .with_context(|| format!("cannot read {name}"))?;
    let zipped = magic[..n].starts_with(b"PK\x03\x04");
    let (tx, rx) = sync_channel(256);
    let rows = SheetRows { rx, _kept: None };
    let unreadable = || format!("{name}: {}", crate::i18n::t("import.workbook_unreadable"));
    if zipped {
        let parts = prescan(path).with_context(unreadable)?;
        if parts.iter().any(|p| p == "xl/workbook.bin") {
            let mut book: Xlsb<_> = calamine::open_workbook(path).with_context(unreadable)?;
            let sheet = first_sheet(&book.sheet_names()).with_context(unreadable)?;
            std::thread::spawn(move || match book.worksheet_cells_reader(&sheet) {
                Ok(mut cells) => stream(&tx, || loop {
                    match cells.next_cell() {
                        // Styled cells without a value are most of a padded sheet.
                        Ok(Some(c)) if *c.get_value() == DataRef::Empty => continue,
                        Ok(cell) => return Ok(cell.map(valued)),
                        Err(e) => return Err(e.to_string()),
                    }
                }),
                Err(e) => send_unreadable(&tx, 1, e.to_string()),
            });
        } else if parts.iter().any(|p| p.starts_with("xl/")) {
            let mut book: Xlsx<_> = calamine::open_workbook(path).with_context(unreadable)?;
            let sheet = first_sheet(&book.sheet_names()).with_context(unreadable)?;
            std::thread::spawn(move || match book.worksheet_cells_reader(&sheet) {
                Ok(mut cells) => stream(&tx, || loop {
                    match cells.next_cell() {
                        // Styled cells without a value are most of a padded sheet.
                        Ok(Some(c)) if *c.get_value() == DataRef::Empty => continue,
                        Ok(cell) => return Ok(cell.map(valued)),
                        Err(e) => return Err(e.to_string()),
                    }
                }),
                Err(e) => send_unreadable(&tx, 1, e.to_string()),
            });
        } else {
            whole(path, &tx, len, &unreadable)?;
        }
    } else {
        whole(path, &tx, len, &unreadable)?;
    }
    Ok((rows, None))
}

fn valued(cell: calamine::Cell<DataRef<'_>>) -> ((u32, u32), Data) {
    (cell.get_position(), Data::from(cell.get_value().clone()))
}

fn first_sheet(names: &[String]) -> anyhow::Result<String> {
    names
        .first()
        .cloned()
        .context(crate::i18n::t("import.no_sheet"))
}

/// `.xls` and `.ods`: calamine reads these only as a whole range, so only small files.
fn whole(
    path: &Path,
    tx: &SyncSender<Result<Record, Stopped>>,
    len: u64,
    unreadable: &dyn Fn() -> String,
) -> anyhow::Result<()> {
    if len > MAX_WHOLE {
        bail!(tf("import.limit.old_workbook", &[("max", &mib(MAX_WHOLE))]));
    }
    let mut book = calamine::open_workbook_auto(path).with_context(unreadable)?;
    let range = book
        .worksheet_range_at(0)
        .context(crate::i18n::t("import.no_sheet"))?
        .with_context(unreadable)?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    if range.width() + first_col as usize > MAX_COLUMNS {
        bail!(tf(
            "import.limit.columns_sheet",
            &[
                ("max", &MAX_COLUMNS),
                ("column", &column_name(range.width() as u32))
            ]
        ));
    }
    let tx = tx.clone();
    std::thread::spawn(move || {
        let mut cells = range
            .cells()
            .map(|(r, c, d)| ((first_row + r as u32, first_col + c as u32), d.clone()));
        stream(&tx, || Ok(cells.next()));
    });
    Ok(())
}

fn send_unreadable(tx: &SyncSender<Result<Record, Stopped>>, line: u64, why: String) {
    let _ = tx.send(Err(Stopped {
        line,
        field: None,
        problem: Problem::Unreadable(why),
    }));
}

/// A row being gathered: its line, cells and the cells that are not text.
struct Row {
    line: u64,
    cells: Vec<String>,
    bad: Vec<(usize, Problem)>,
}

impl Row {
    fn record(self) -> Record {
        Record {
            line: self.line,
            cells: csv::StringRecord::from(self.cells),
            bad: self.bad,
        }
    }
}

/// Sends rows as their cells arrive, in sheet order; cells without a value are skipped, so
/// rows of nothing never become records.
fn stream<F>(tx: &SyncSender<Result<Record, Stopped>>, mut next: F)
where
    F: FnMut() -> Result<Option<((u32, u32), Data)>, String>,
{
    let mut row: Option<Row> = None;
    loop {
        let cell = match next() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(why) => {
                let line = row.as_ref().map_or(1, |r| r.line);
                send_unreadable(tx, line, why);
                return;
            }
        };
        let ((r, col), value) = cell;
        if value == Data::Empty {
            continue;
        }
        let line = u64::from(r) + 1;
        let stop = |field, problem| {
            let _ = tx.send(Err(Stopped {
                line,
                field,
                problem,
            }));
        };
        if r >= MAX_ROWS {
            return stop(None, Problem::TooManyRows { max: MAX_ROWS });
        }
        if col as usize >= MAX_COLUMNS {
            return stop(
                None,
                Problem::ColumnTooFar {
                    column: column_name(col),
                    max: MAX_COLUMNS,
                },
            );
        }
        if row.as_ref().is_some_and(|r| r.line != line) {
            if let Some(done) = row.take() {
                if tx.send(Ok(done.record())).is_err() {
                    // Nobody reads any more.
                    return;
                }
            }
        }
        let current = row.get_or_insert_with(|| Row {
            line,
            cells: Vec::new(),
            bad: Vec::new(),
        });
        let col = col as usize;
        // Cells of a row arrive left to right; one out of order starts over at its place.
        current.cells.truncate(col);
        current.cells.resize(col, String::new());
        match cell_text(&value) {
            Ok(text) if text.len() > MAX_CELL => {
                return stop(Some(col), Problem::CellTooLong { max: MAX_CELL });
            }
            Ok(text) => current.cells.push(text),
            Err(problem) => {
                current.bad.push((col, problem));
                current.cells.push(String::new());
            }
        }
    }
    if let Some(done) = row {
        let _ = tx.send(Ok(done.record()));
    }
}

/// `A`, `Z`, `AA`, … `XFD` for a column number from 0.
pub fn column_name(col: u32) -> String {
    let mut n = col + 1;
    let mut name = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        name.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    name.reverse();
    String::from_utf8_lossy(&name).into_owned()
}

/// Unpacks every part once, counting real sizes against the limits; returns the part names.
fn prescan(path: &Path) -> anyhow::Result<Vec<String>> {
    let file = std::fs::File::open(path)?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file))?;
    if zip.len() > MAX_ENTRIES {
        bail!(tf("import.limit.entries", &[("max", &MAX_ENTRIES)]));
    }
    let mut names = Vec::with_capacity(zip.len());
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i)?;
        let name = entry.name()?.to_string();
        let is_sheet = name.starts_with("xl/worksheets/") || name == "content.xml";
        let max = if is_sheet { MAX_UNPACKED } else { MAX_PART };
        let too_big = |size: u64| {
            if size > max {
                Some(tf(
                    "import.limit.part",
                    &[("part", &name), ("max", &mib(max))],
                ))
            } else if total + size > MAX_UNPACKED {
                Some(tf("import.limit.unpacked", &[("max", &mib(MAX_UNPACKED))]))
            } else {
                None
            }
        };
        if let Some(why) = too_big(entry.size()) {
            bail!(why);
        }
        let xml = name.ends_with(".xml") || name.ends_with(".rels");
        let mut actual: u64 = 0;
        let mut run: usize = 0;
        loop {
            let n = entry.read(&mut buf)?;
            if n == 0 {
                break;
            }
            actual += n as u64;
            if let Some(why) = too_big(actual) {
                bail!(why);
            }
            if xml {
                let chunk = &buf[..n];
                let mut last = None;
                for at in memchr::memchr_iter(b'<', chunk) {
                    let since = match last {
                        None => run + at,
                        Some(prev) => at - prev - 1,
                    };
                    if since > MAX_RUN {
                        bail!(tf("import.limit.text", &[("max", &mib(MAX_RUN as u64))]));
                    }
                    last = Some(at);
                }
                run = match last {
                    None => run + n,
                    Some(prev) => n - prev - 1,
                };
                if run > MAX_RUN {
                    bail!(tf("import.limit.text", &[("max", &mib(MAX_RUN as u64))]));
                }
            }
        }
        total += actual;
        names.push(name);
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_as_spreadsheets_name_them() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(16383), "XFD");
    }
}
