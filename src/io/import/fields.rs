//! The columns of a kind as the importer reads them: which table column each fills, how its
//! text is read, and the header check. A parsed row holds one value per field: `None` when
//! the file has no such column (an update leaves it as it is), `Some(Null)` for an empty cell.

use super::problems::{Problem, Problems};
use super::source::Record;
use crate::domain::text::{self, Lines};
use crate::domain::{money, time};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use std::collections::HashMap;

/// How a cell's text becomes a stored value.
#[derive(Clone, Copy)]
pub enum Parse {
    /// Free text, kept as written (CRLF inside a cell becomes LF).
    Text,
    /// Codes and numbers: surrounding spaces dropped.
    Code,
    /// Personal data: text, but a masked value (`138****5678`) is refused, so re-importing a
    /// masked export cannot overwrite the real data.
    Personal,
    /// One word of a closed vocabulary, exactly.
    Word(fn() -> Vec<&'static str>),
    /// `YYYY-MM-DD`, stored as text.
    Date,
    /// A time, stored as UTC Unix seconds.
    Stamp,
    /// An exact decimal ≥ 0, stored as canonical text.
    Amount,
    /// An exact decimal > 0.
    Quantity,
    /// A whole number in a range.
    Whole { min: i64, max: i64 },
    /// ISO 4217, three capitals.
    Currency,
    /// A customer by code or name, stored as its id.
    Customer,
    /// An order by number, stored as its id.
    Order,
}

pub struct Field {
    /// The SPEC §5 column.
    pub column: &'static str,
    /// The table column it fills.
    pub db: &'static str,
    pub parse: Parse,
    /// The column must be in the file and the cell must not be empty.
    pub required: bool,
    /// What an empty cell stores, for columns that cannot be empty.
    pub default: Option<&'static str>,
}

impl Field {
    pub const fn new(column: &'static str, db: &'static str, parse: Parse) -> Field {
        Field {
            column,
            db,
            parse,
            required: false,
            default: None,
        }
    }

    pub const fn required(mut self) -> Field {
        self.required = true;
        self
    }

    pub const fn or(mut self, default: &'static str) -> Field {
        self.default = Some(default);
        self
    }
}

/// One parsed row; see the module comment.
pub type Values = Vec<Option<Value>>;

/// Where each field is in the file, from the header row.
#[derive(Debug, Clone)]
pub struct Layout {
    positions: Vec<Option<usize>>,
    /// Per header cell: whether it has a name (known or not; unknown ones are reported once,
    /// on the header).
    named: Vec<bool>,
}

impl Layout {
    /// Reads the header (line 1 of the file): every name must be a column of the kind, none
    /// twice, and the required ones all there. Problems go to `problems` as line 1.
    pub fn from_header(header: &Record, fields: &[Field], problems: &mut Problems) -> Layout {
        let mut positions = vec![None; fields.len()];
        let known = fields
            .iter()
            .map(|f| f.column)
            .collect::<Vec<_>>()
            .join(", ");
        for (i, raw) in header.cells.iter().enumerate() {
            let name = raw.trim_start_matches('\u{feff}').trim();
            if name.is_empty() {
                continue;
            }
            match fields.iter().position(|f| f.column == name) {
                Some(f) if positions[f].is_some() => {
                    problems.add(header.line, name, Problem::DuplicateColumn)
                }
                Some(f) => positions[f] = Some(i),
                None => problems.add(
                    header.line,
                    name,
                    Problem::UnknownColumn {
                        columns: known.clone(),
                    },
                ),
            }
        }
        for (f, field) in fields.iter().enumerate() {
            if field.required && positions[f].is_none() {
                problems.add(header.line, field.column, Problem::RequiredColumn);
            }
        }
        let named = header.cells.iter().map(|c| !c.trim().is_empty()).collect();
        Layout { positions, named }
    }

    pub fn has(&self, field: usize) -> bool {
        self.positions[field].is_some()
    }

    /// The text of a field's cell in `record` (empty when the file has no such column).
    pub fn text<'r>(&self, record: &'r Record, field: usize) -> &'r str {
        self.positions[field].map_or("", |p| record.cell(p))
    }

    fn is_named(&self, cell: usize) -> bool {
        self.named.get(cell).copied().unwrap_or(false)
    }
}

/// Lookups of customers and orders by what a file calls them, each asked of the database once.
#[derive(Default)]
pub struct Refs {
    customers: HashMap<String, Option<i64>>,
    names: HashMap<i64, (String, String)>,
    orders: HashMap<String, Option<i64>>,
}

impl Refs {
    /// A customer by exact code, else by exact name.
    pub fn customer(&mut self, conn: &Connection, text: &str) -> crate::store::Result<Option<i64>> {
        use crate::store::Context;
        if let Some(id) = self.customers.get(text) {
            return Ok(*id);
        }
        let by = |sql: &str| {
            conn.prepare_cached(sql)
                .and_then(|mut s| {
                    s.query_row([text], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                        .optional()
                })
                .doing("finding a customer")
        };
        let found: Option<(i64, String, String)> =
            match by("SELECT id, code, name FROM customers WHERE code = ?1")? {
                Some(f) => Some(f),
                None => by("SELECT id, code, name FROM customers WHERE name = ?1")?,
            };
        let id = found.map(|(id, code, name)| {
            self.names.insert(id, (code, name));
            id
        });
        self.customers.insert(text.to_string(), id);
        Ok(id)
    }

    /// Code and name of a customer found before.
    pub fn customer_names(&self, id: i64) -> Option<&(String, String)> {
        self.names.get(&id)
    }

    pub fn order(
        &mut self,
        conn: &Connection,
        order_no: &str,
    ) -> crate::store::Result<Option<i64>> {
        use crate::store::Context;
        if let Some(id) = self.orders.get(order_no) {
            return Ok(*id);
        }
        let id = conn
            .prepare_cached("SELECT id FROM orders WHERE order_no = ?1")
            .and_then(|mut s| s.query_row([order_no], |r| r.get(0)).optional())
            .doing("finding an order")?;
        self.orders.insert(order_no.to_string(), id);
        Ok(id)
    }
}

/// Reads one record into values, reporting each bad cell; with `only`, just those fields
/// (the others are `None`). Returns `None` for a blank row.
pub fn parse_record(
    conn: &Connection,
    refs: &mut Refs,
    fields: &[Field],
    layout: &Layout,
    record: &Record,
    problems: &mut Problems,
    only: Option<&[usize]>,
) -> crate::store::Result<Option<Values>> {
    if record.is_blank() {
        return Ok(None);
    }
    for (cell, text) in record.cells.iter().enumerate() {
        if !layout.is_named(cell) && !text.trim().is_empty() {
            problems.add(
                record.line,
                &format!("#{}", cell + 1),
                Problem::UnnamedColumn,
            );
        }
    }
    let mut values = Vec::with_capacity(fields.len());
    for (f, field) in fields.iter().enumerate() {
        let wanted = only.is_none_or(|o| o.contains(&f));
        let Some(pos) = layout.positions[f].filter(|_| wanted) else {
            values.push(None);
            continue;
        };
        if let Some((_, p)) = record.bad.iter().find(|(c, _)| *c == pos) {
            problems.add(record.line, field.column, p.clone());
            values.push(Some(Value::Null));
            continue;
        }
        let text = record.cell(pos);
        if let Err(c) = text::check(text, lines(field.column)) {
            problems.add(record.line, field.column, Problem::ControlChar(c.0));
            values.push(Some(Value::Null));
            continue;
        }
        let value = match parse_cell(conn, refs, field.parse, text)? {
            Ok(Value::Null) if field.required => {
                problems.add(record.line, field.column, Problem::Required);
                Value::Null
            }
            Ok(v) => v,
            Err(p) => {
                problems.add(record.line, field.column, p);
                Value::Null
            }
        };
        values.push(Some(value));
    }
    Ok(Some(values))
}

/// Where a column may hold tabs and line breaks: the multi-line notes of every kind.
pub fn lines(column: &str) -> Lines {
    match column {
        "notes" | "note" | "description" | "resolution" | "summary" | "text" | "reply" => {
            Lines::Many
        }
        _ => Lines::One,
    }
}

/// One cell. The outer error is the database failing; the inner one a bad cell.
pub fn parse_cell(
    conn: &Connection,
    refs: &mut Refs,
    parse: Parse,
    text: &str,
) -> crate::store::Result<Result<Value, Problem>> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(Ok(Value::Null));
    }
    let owned = || trimmed.to_string();
    Ok(match parse {
        Parse::Text => Ok(Value::Text(text.replace("\r\n", "\n"))),
        Parse::Code => Ok(Value::Text(owned())),
        Parse::Personal if trimmed.contains("***") => Err(Problem::Masked(owned())),
        Parse::Personal => Ok(Value::Text(text.replace("\r\n", "\n"))),
        Parse::Word(words) => {
            let words = words();
            if words.contains(&trimmed) {
                Ok(Value::Text(owned()))
            } else {
                Err(Problem::NotOneOf {
                    value: owned(),
                    words: words.join(", "),
                })
            }
        }
        Parse::Date => time::parse_file_date(trimmed)
            .map(|d| Value::Text(time::format_date(d)))
            .map_err(|e| match e {
                time::TimeError::OutOfRange(_) => years(owned()),
                _ => Problem::BadDate(owned()),
            }),
        Parse::Stamp => time::parse_stamp(trimmed)
            .map(Value::Integer)
            .map_err(|e| match e {
                time::TimeError::NoSuchLocalTime(_) => Problem::NoSuchTime(owned()),
                time::TimeError::OutOfRange(_) => years(owned()),
                _ => Problem::BadStamp(owned()),
            }),
        Parse::Amount => money::parse_price(trimmed)
            .map(|d| Value::Text(money::canonical(d)))
            .map_err(|e| money_problem(e, trimmed)),
        Parse::Quantity => money::parse_quantity(trimmed)
            .map(|d| Value::Text(money::canonical(d)))
            .map_err(|e| money_problem(e, trimmed)),
        Parse::Whole { min, max } => whole(trimmed).and_then(|n| {
            if (min..=max).contains(&n) {
                Ok(Value::Integer(n))
            } else {
                Err(Problem::OutOfRange {
                    value: owned(),
                    min,
                    max,
                })
            }
        }),
        Parse::Currency => money::parse_currency(trimmed)
            .map(Value::Text)
            .map_err(|_| Problem::BadCurrency(owned())),
        Parse::Customer => match refs.customer(conn, trimmed)? {
            Some(id) => Ok(Value::Integer(id)),
            None => Err(Problem::UnknownCustomer(owned())),
        },
        Parse::Order => match refs.order(conn, trimmed)? {
            Some(id) => Ok(Value::Integer(id)),
            None => Err(Problem::UnknownOrder(owned())),
        },
    })
}

/// A date outside the years a desk's dates fall in (see `domain::time::FIRST_YEAR`).
fn years(value: String) -> Problem {
    Problem::OutOfRange {
        value,
        min: time::FIRST_YEAR.into(),
        max: time::LAST_YEAR.into(),
    }
}

fn money_problem(e: money::MoneyError, text: &str) -> Problem {
    match e {
        money::MoneyError::Negative => Problem::Negative(text.to_string()),
        money::MoneyError::NotPositive => Problem::NotPositive(text.to_string()),
        money::MoneyError::CommaDecimal(_) => Problem::CommaDecimal(text.to_string()),
        _ => Problem::NotANumber(text.to_string()),
    }
}

/// A whole number; `30.0` (as spreadsheets may write it) is 30.
fn whole(text: &str) -> Result<i64, Problem> {
    if let Ok(n) = text.parse::<i64>() {
        return Ok(n);
    }
    let d = money::parse_decimal(text).map_err(|e| money_problem(e, text))?;
    if d.fract().is_zero() {
        i64::try_from(d.trunc()).map_err(|_| Problem::NotInteger(text.to_string()))
    } else {
        Err(Problem::NotInteger(text.to_string()))
    }
}

/// The text of a value for messages: what the file said, as stored.
pub fn shown(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => f.to_string(),
        Value::Text(s) => s.clone(),
        Value::Blob(b) => format!("{} bytes", b.len()),
    }
}

/// Text of a value known to be text (or empty).
pub fn text_of(value: &Option<Value>) -> Option<&str> {
    match value {
        Some(Value::Text(s)) => Some(s.as_str()),
        _ => None,
    }
}

pub fn int_of(value: &Option<Value>) -> Option<i64> {
    match value {
        Some(Value::Integer(i)) => Some(*i),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn cell(parse: Parse, text: &str) -> Result<Value, Problem> {
        let store = Store::open_in_memory().unwrap();
        parse_cell(store.conn(), &mut Refs::default(), parse, text).unwrap()
    }

    fn words() -> Vec<&'static str> {
        vec!["email", "phone"]
    }

    #[test]
    fn cells_are_read_by_their_kind() {
        assert_eq!(cell(Parse::Text, "  "), Ok(Value::Null));
        assert_eq!(
            cell(Parse::Text, " a\r\nb "),
            Ok(Value::Text(" a\nb ".into()))
        );
        assert_eq!(cell(Parse::Code, " C1 "), Ok(Value::Text("C1".into())));
        assert!(matches!(
            cell(Parse::Personal, "138****5678"),
            Err(Problem::Masked(_))
        ));
        assert_eq!(
            cell(Parse::Word(words), "phone"),
            Ok(Value::Text("phone".into()))
        );
        assert_eq!(
            cell(Parse::Word(words), "Phone"),
            Err(Problem::NotOneOf {
                value: "Phone".into(),
                words: "email, phone".into()
            })
        );
        assert_eq!(
            cell(Parse::Date, "2026-03-01 00:00:00.000"),
            Ok(Value::Text("2026-03-01".into()))
        );
        assert!(matches!(
            cell(Parse::Date, "1/3/2026"),
            Err(Problem::BadDate(_))
        ));
        assert_eq!(
            cell(Parse::Stamp, "2026-03-01T08:30:00Z"),
            Ok(Value::Integer(1_772_353_800))
        );
        assert_eq!(cell(Parse::Amount, "12.50"), Ok(Value::Text("12.5".into())));
        assert_eq!(cell(Parse::Amount, "0"), Ok(Value::Text("0".into())));
        assert!(matches!(
            cell(Parse::Amount, "-1"),
            Err(Problem::Negative(_))
        ));
        assert!(matches!(
            cell(Parse::Quantity, "0"),
            Err(Problem::NotPositive(_))
        ));
        assert!(matches!(
            cell(Parse::Quantity, "lots"),
            Err(Problem::NotANumber(_))
        ));
        let score = Parse::Whole { min: 1, max: 5 };
        assert_eq!(cell(score, "5"), Ok(Value::Integer(5)));
        assert_eq!(cell(score, "4.0"), Ok(Value::Integer(4)));
        assert!(matches!(cell(score, "4.5"), Err(Problem::NotInteger(_))));
        assert!(matches!(cell(score, "6"), Err(Problem::OutOfRange { .. })));
        assert!(matches!(
            cell(Parse::Currency, "usd"),
            Err(Problem::BadCurrency(_))
        ));
        assert!(matches!(
            cell(Parse::Customer, "NOPE"),
            Err(Problem::UnknownCustomer(_))
        ));
        assert!(matches!(
            cell(Parse::Order, "SO-0"),
            Err(Problem::UnknownOrder(_))
        ));
    }

    #[test]
    fn customers_are_found_by_code_before_name() {
        let store = Store::open_in_memory().unwrap();
        store
            .conn()
            .execute_batch(
                "INSERT INTO customers (id, code, name) VALUES (1, 'A', 'B'), (2, 'B', 'Other');",
            )
            .unwrap();
        let mut refs = Refs::default();
        assert_eq!(refs.customer(store.conn(), "B").unwrap(), Some(2));
        assert_eq!(refs.customer(store.conn(), "Other").unwrap(), Some(2));
        assert_eq!(
            refs.customer_names(2),
            Some(&("B".to_string(), "Other".to_string()))
        );
    }

    #[test]
    fn the_header_names_every_unknown_and_missing_column() {
        let fields = [
            Field::new("code", "code", Parse::Code).required(),
            Field::new("notes", "notes", Parse::Text),
        ];
        let header = Record {
            line: 1,
            cells: csv::StringRecord::from(vec!["\u{feff}notes", "colour", "notes"]),
            bad: vec![],
        };
        let mut problems = Problems::new("c.csv");
        let layout = Layout::from_header(&header, &fields, &mut problems);
        assert!(layout.has(1) && !layout.has(0));
        let lines = problems.lines();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].starts_with("c.csv:1: colour: unknown column"));
        assert!(lines[1].starts_with("c.csv:1: notes: "));
        assert!(lines[2].starts_with("c.csv:1: code: "));
    }
}
