//! What can be wrong with one field the clerk typed, as data: the screens say it in the
//! clerk's language (`problem.*` strings), the domain only decides it.

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("required")]
    Required,
    #[error("at most {0} characters")]
    TooLong(usize),
    #[error("no spaces")]
    Spaces,
    #[error("not an e-mail address (name@example.com)")]
    Email,
    #[error("not a phone number (digits, spaces, + - ( ), 5 to 15 digits)")]
    Phone,
    #[error("a whole number from {0} to {1}")]
    Range(i64, i64),
    #[error("in the future")]
    Future,
    #[error("before the complaint was opened")]
    BeforeOpened,
    #[error("already taken")]
    Taken,
    #[error("one of the listed values")]
    NotAChoice,
    #[error("not found")]
    NotFound,
    /// A character the text policy refuses (`domain::text`).
    #[error("control character U+{:04X}", *.0 as u32)]
    ControlChar(char),
}

impl From<crate::domain::text::ControlChar> for Problem {
    fn from(c: crate::domain::text::ControlChar) -> Self {
        Problem::ControlChar(c.0)
    }
}

impl Problem {
    /// The string key that says this problem on screen; its `{a}`/`{b}` are the numbers.
    pub fn key(&self) -> &'static str {
        match self {
            Problem::Required => "problem.required",
            Problem::TooLong(_) => "problem.too_long",
            Problem::Spaces => "problem.spaces",
            Problem::Email => "problem.email",
            Problem::Phone => "problem.phone",
            Problem::Range(..) => "problem.range",
            Problem::Future => "problem.future",
            Problem::BeforeOpened => "problem.before_opened",
            Problem::Taken => "problem.taken",
            Problem::NotAChoice => "problem.not_a_choice",
            Problem::NotFound => "problem.not_found",
            Problem::ControlChar(_) => "problem.control_char",
        }
    }

    /// The character the message names, as `U+001B` (`{code}` in the string).
    pub fn code(&self) -> String {
        match *self {
            Problem::ControlChar(c) => crate::domain::text::ControlChar(c).code(),
            _ => String::new(),
        }
    }

    /// The numbers the message names, as `(a, b)`.
    pub fn numbers(&self) -> (i64, i64) {
        match *self {
            Problem::TooLong(n) => (n as i64, 0),
            Problem::Range(a, b) => (a, b),
            _ => (0, 0),
        }
    }
}
