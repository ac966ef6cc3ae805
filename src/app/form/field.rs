//! What a form field is: its kind (how it is typed, shown and checked), its text and its
//! problem. Every form is a list of these, so a field kind behaves the same in every form.

use super::lookup::Source;
use crate::app::input::TextInput;
use crate::domain::money::{parse_price, parse_quantity, MoneyError};
use crate::domain::problem::Problem;
use crate::domain::time::{parse_date, parse_stamp};
use crate::i18n::{t, tf};

/// The closed vocabulary of a choice field and the string-table prefix that names its
/// words in the UI language (`channel.` for `channel.email`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choices {
    pub words: Vec<&'static str>,
    pub prefix: &'static str,
    /// An empty choice is allowed (shown as —).
    pub optional: bool,
}

impl Choices {
    pub fn new(words: Vec<&'static str>, prefix: &'static str) -> Choices {
        Choices {
            words,
            prefix,
            optional: false,
        }
    }

    pub fn optional(mut self) -> Choices {
        self.optional = true;
        self
    }

    /// Every value the field may hold, the empty one first when it is optional.
    pub fn all(&self) -> Vec<&'static str> {
        let mut all = Vec::with_capacity(self.words.len() + 1);
        if self.optional {
            all.push("");
        }
        all.extend(&self.words);
        all
    }

    /// What the clerk reads for `word`.
    pub fn label(&self, word: &str) -> String {
        if word.is_empty() {
            "—".to_string()
        } else {
            t(&format!("{}{word}", self.prefix)).to_string()
        }
    }

    /// The word typed as its label in the UI language or as its code, in any case: whole
    /// first, else the first one it begins.
    pub fn find(&self, typed: &str) -> Option<&'static str> {
        let typed = typed.trim().to_lowercase();
        if typed.is_empty() {
            return None;
        }
        let whole =
            |w: &&&'static str| w.to_lowercase() == typed || self.label(w).to_lowercase() == typed;
        let begins = |w: &&&'static str| {
            w.to_lowercase().starts_with(&typed) || self.label(w).to_lowercase().starts_with(&typed)
        };
        let words = || self.words.iter();
        words()
            .find(whole)
            .or_else(|| words().find(begins))
            .copied()
    }
}

/// How a field is typed, shown and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Notes, plans, replies: Enter starts a new line, a paste keeps its line breaks.
    MultiLine,
    Choice(Choices),
    /// `YYYY-MM-DD`
    Date,
    /// `YYYY-MM-DD HH:MM` (a date alone is its start)
    Time,
    /// A price or an amount: a decimal, not negative.
    Money,
    /// A quantity: a decimal above zero.
    Quantity,
    /// A whole number within bounds.
    Number {
        min: i64,
        max: i64,
    },
    /// Free text with suggestions from the file, picked as you type.
    Lookup(Source),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The string key of its label, which also names it (`field.customer`).
    pub name: &'static str,
    pub kind: Kind,
    /// What the field holds: typed text, or a choice's word (its code).
    pub input: TextInput,
    pub required: bool,
    /// Not refused when empty, but the record is incomplete without it: the cursor starts
    /// here when it is empty.
    pub wanted: bool,
    pub error: Option<String>,
    /// A choice: what was typed since the field was entered, to find the word by.
    pub typed: String,
}

impl Field {
    pub fn new(name: &'static str, kind: Kind, value: &str) -> Field {
        Field {
            name,
            kind,
            input: TextInput::new(value),
            required: false,
            wanted: false,
            error: None,
            typed: String::new(),
        }
    }

    pub fn value(&self) -> &str {
        self.input.value().trim()
    }

    pub fn is_empty(&self) -> bool {
        self.value().is_empty()
    }

    pub fn choices(&self) -> Option<&Choices> {
        match &self.kind {
            Kind::Choice(c) => Some(c),
            _ => None,
        }
    }

    /// What the clerk reads: a choice by its label, anything else as typed.
    pub fn shown(&self) -> String {
        match &self.kind {
            Kind::Choice(c) => c.label(self.input.value()),
            _ => self.input.value().to_string(),
        }
    }

    /// The check every field of this kind gets: required, and the format of its kind.
    /// The meaning (a date after another, a customer that exists) is the form's.
    pub fn check_format(&self) -> Result<(), String> {
        let v = self.value();
        if v.is_empty() {
            return if self.required {
                Err(problem_text(&Problem::Required))
            } else {
                Ok(())
            };
        }
        let money =
            |r: Result<_, MoneyError>| r.map(drop).map_err(|e| crate::ui::words::money_error(&e));
        fn time<T>(r: Result<T, crate::domain::time::TimeError>) -> Result<(), String> {
            r.map(drop).map_err(|e| crate::ui::words::time_error(&e))
        }
        match &self.kind {
            Kind::Text | Kind::MultiLine | Kind::Lookup(_) => Ok(()),
            Kind::Choice(c) => {
                if c.words.contains(&v) {
                    Ok(())
                } else {
                    Err(one_of(c))
                }
            }
            Kind::Date => time(parse_date(v)),
            Kind::Time => time(parse_stamp(v)),
            Kind::Money => money(parse_price(v)),
            Kind::Quantity => money(parse_quantity(v)),
            Kind::Number { min, max } => match v.trim_end_matches('%').trim().parse::<i64>() {
                Ok(n) if (*min..=*max).contains(&n) => Ok(()),
                _ => Err(problem_text(&Problem::Range(*min, *max))),
            },
        }
    }
}

/// "one of: Regular | Rush | Custom", in the UI language.
pub fn one_of(c: &Choices) -> String {
    format!(
        "{}: {}",
        t("form.one_of"),
        c.words
            .iter()
            .map(|w| c.label(w))
            .collect::<Vec<_>>()
            .join(" | ")
    )
}

/// A domain problem in the clerk's language.
pub fn problem_text(p: &Problem) -> String {
    let (a, b) = p.numbers();
    tf(p.key(), &[("a", &a), ("b", &b), ("code", &p.code())])
}
