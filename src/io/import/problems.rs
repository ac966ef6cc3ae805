//! What is wrong with a file being imported, each as `file:line: column: problem` (SPEC §5):
//! the first hundred in file order, then how many more.

use crate::i18n::{t, tf};
use std::fmt;

/// How many problems are listed; the rest are counted.
pub const SHOWN: usize = 100;

/// One thing wrong with one cell (or with the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Required,
    RequiredColumn,
    UnknownColumn {
        columns: String,
    },
    DuplicateColumn,
    EmptyFile,
    NotUtf8,
    UnnamedColumn,
    SpreadsheetError(String),
    NotOneOf {
        value: String,
        words: String,
    },
    BadDate(String),
    BadStamp(String),
    NoSuchTime(String),
    NotANumber(String),
    Negative(String),
    NotPositive(String),
    NotInteger(String),
    OutOfRange {
        value: String,
        min: i64,
        max: i64,
    },
    BadCurrency(String),
    Masked(String),
    UnknownCustomer(String),
    UnknownOrder(String),
    Repeated {
        value: String,
        line: u64,
    },
    OrderDiffers {
        order: String,
        line: u64,
        value: String,
    },
    Taken {
        value: String,
        owner: String,
    },
    ReplyOnOutbound,
    NewLineNeedsQuantity,
    /// A character the text policy refuses (`domain::text`).
    ControlChar(char),
    /// `1,5`: a comma that is not a thousands separator.
    CommaDecimal(String),
    UnterminatedQuote,
    /// Bytes that are not text in UTF-8, UTF-16 or GB18030.
    Undecodable,
    CellTooLong {
        max: usize,
    },
    TooManyColumns {
        max: usize,
    },
    TooManyRows {
        max: u32,
    },
    ColumnTooFar {
        column: String,
        max: usize,
    },
    /// The workbook cannot be read on from here.
    Unreadable(String),
    /// An order's rows came apart: the order is met again after other orders.
    OrderNotTogether(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = |key: &str| format!("import.problem.{key}");
        let one = |key: &str, value: &str| tf(&p(key), &[("value", &value)]);
        let text = match self {
            Problem::Required => t("import.problem.required").to_string(),
            Problem::RequiredColumn => t("import.problem.required_column").to_string(),
            Problem::UnknownColumn { columns } => {
                tf("import.problem.unknown_column", &[("columns", columns)])
            }
            Problem::DuplicateColumn => t("import.problem.duplicate_column").to_string(),
            Problem::EmptyFile => t("import.problem.empty_file").to_string(),
            Problem::NotUtf8 => t("import.problem.not_utf8").to_string(),
            Problem::UnnamedColumn => t("import.problem.unnamed_column").to_string(),
            Problem::SpreadsheetError(v) => one("spreadsheet_error", v),
            Problem::NotOneOf { value, words } => tf(
                "import.problem.not_one_of",
                &[("value", value), ("words", words)],
            ),
            Problem::BadDate(v) => one("bad_date", v),
            Problem::BadStamp(v) => one("bad_stamp", v),
            Problem::NoSuchTime(v) => one("no_such_time", v),
            Problem::NotANumber(v) => one("not_a_number", v),
            Problem::Negative(v) => one("negative", v),
            Problem::NotPositive(v) => one("not_positive", v),
            Problem::NotInteger(v) => one("not_integer", v),
            Problem::OutOfRange { value, min, max } => tf(
                "import.problem.out_of_range",
                &[("value", value), ("min", min), ("max", max)],
            ),
            Problem::BadCurrency(v) => one("bad_currency", v),
            Problem::Masked(v) => one("masked", v),
            Problem::UnknownCustomer(v) => one("unknown_customer", v),
            Problem::UnknownOrder(v) => one("unknown_order", v),
            Problem::Repeated { value, line } => tf(
                "import.problem.repeated",
                &[("value", value), ("line", line)],
            ),
            Problem::OrderDiffers { order, line, value } => tf(
                "import.problem.order_differs",
                &[("order", order), ("line", line), ("value", value)],
            ),
            Problem::Taken { value, owner } => tf(
                "import.problem.taken",
                &[("value", value), ("owner", owner)],
            ),
            Problem::ReplyOnOutbound => t("import.problem.reply_on_outbound").to_string(),
            Problem::NewLineNeedsQuantity => {
                t("import.problem.new_line_needs_quantity").to_string()
            }
            Problem::ControlChar(c) => tf(
                "import.problem.control_char",
                &[("code", &crate::domain::text::ControlChar(*c).code())],
            ),
            Problem::CommaDecimal(v) => one("comma_decimal", v),
            Problem::UnterminatedQuote => t("import.problem.unterminated_quote").to_string(),
            Problem::Undecodable => t("import.problem.undecodable").to_string(),
            Problem::CellTooLong { max } => {
                tf("import.problem.cell_too_long", &[("max", &(max / 1024))])
            }
            Problem::TooManyColumns { max } => {
                tf("import.problem.too_many_columns", &[("max", max)])
            }
            Problem::TooManyRows { max } => tf("import.problem.too_many_rows", &[("max", max)]),
            Problem::ColumnTooFar { column, max } => tf(
                "import.problem.column_too_far",
                &[("column", column), ("max", max)],
            ),
            Problem::Unreadable(v) => one("unreadable", v),
            Problem::OrderNotTogether(v) => one("order_not_together", v),
        };
        f.write_str(&text)
    }
}

/// A problem where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub line: u64,
    pub column: String,
    pub problem: Problem,
}

/// Every problem of one file: the first `SHOWN` kept, the others counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems {
    file: String,
    shown: Vec<Found>,
    more: usize,
}

impl Problems {
    /// `file` is the path as the user gave it.
    pub fn new(file: impl Into<String>) -> Problems {
        Problems {
            file: file.into(),
            shown: Vec::new(),
            more: 0,
        }
    }

    pub fn add(&mut self, line: u64, column: &str, problem: Problem) {
        if self.shown.len() < SHOWN {
            self.shown.push(Found {
                line,
                column: column.to_string(),
                problem,
            });
        } else {
            self.more += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }

    /// All problems, listed or not.
    pub fn count(&self) -> usize {
        self.shown.len() + self.more
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn found(&self) -> &[Found] {
        &self.shown
    }

    /// The lines to print: one per listed problem, then the count of the others.
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .shown
            .iter()
            .map(|f| format!("{}:{}: {}: {}", self.file, f.line, f.column, f.problem))
            .collect();
        if self.more > 0 {
            out.push(tf("import.more", &[("count", &self.more)]));
        }
        out
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in self.lines() {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_read_file_line_column_problem() {
        let mut p = Problems::new("data/orders.csv");
        p.add(
            7,
            "status",
            Problem::NotOneOf {
                value: "done".into(),
                words: "inquiry, quoted".into(),
            },
        );
        assert_eq!(
            p.lines(),
            ["data/orders.csv:7: status: 'done' is not one of: inquiry, quoted"]
        );
    }

    #[test]
    fn every_problem_has_its_words_in_both_languages() {
        let v = || "x".to_string();
        let all = [
            Problem::Required,
            Problem::RequiredColumn,
            Problem::UnknownColumn { columns: v() },
            Problem::DuplicateColumn,
            Problem::EmptyFile,
            Problem::NotUtf8,
            Problem::UnnamedColumn,
            Problem::SpreadsheetError(v()),
            Problem::NotOneOf {
                value: v(),
                words: v(),
            },
            Problem::BadDate(v()),
            Problem::BadStamp(v()),
            Problem::NoSuchTime(v()),
            Problem::NotANumber(v()),
            Problem::Negative(v()),
            Problem::NotPositive(v()),
            Problem::NotInteger(v()),
            Problem::OutOfRange {
                value: v(),
                min: 1,
                max: 5,
            },
            Problem::BadCurrency(v()),
            Problem::Masked(v()),
            Problem::UnknownCustomer(v()),
            Problem::UnknownOrder(v()),
            Problem::Repeated {
                value: v(),
                line: 2,
            },
            Problem::OrderDiffers {
                order: v(),
                line: 2,
                value: v(),
            },
            Problem::Taken {
                value: v(),
                owner: v(),
            },
            Problem::ReplyOnOutbound,
            Problem::NewLineNeedsQuantity,
        ];
        let zh = crate::i18n::parse(include_str!("../../../assets/i18n/zh-CN/data.toml")).unwrap();
        for p in all {
            let text = p.to_string();
            assert!(
                !text.starts_with("import.") && !text.contains('{'),
                "{p:?}: {text}"
            );
            let key = text_key(&p);
            assert!(zh.contains_key(&key), "{key} has no Chinese");
        }
    }

    /// The string key a problem is worded by.
    fn text_key(p: &Problem) -> String {
        let name = format!("{p:?}");
        let variant = name.split(|c: char| !c.is_alphanumeric()).next().unwrap();
        let mut key = String::new();
        for (i, c) in variant.chars().enumerate() {
            if c.is_uppercase() {
                if i > 0 {
                    key.push('_');
                }
                key.push(c.to_ascii_lowercase());
            } else {
                key.push(c);
            }
        }
        format!("import.problem.{key}")
    }

    #[test]
    fn after_a_hundred_the_rest_are_counted() {
        let mut p = Problems::new("x.csv");
        for line in 0..250 {
            p.add(line + 2, "code", Problem::Required);
        }
        assert_eq!(p.count(), 250);
        let lines = p.lines();
        assert_eq!(lines.len(), SHOWN + 1);
        assert_eq!(lines[0], "x.csv:2: code: required");
        assert!(lines[SHOWN].contains("150"), "{}", lines[SHOWN]);
    }
}
