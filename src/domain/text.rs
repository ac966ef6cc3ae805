//! The one text policy, for text that comes from outside (forms, paste, import files,
//! config) and for text that is shown (terminal cells, command output, error lines, file
//! names, drafts, web pages).
//!
//! - Entering: C0 and C1 control characters, DEL and the bidi overrides and isolates
//!   (U+202A–202E, U+2066–2069) are refused, so a name can never retitle a terminal, clear a
//!   screen, write the clipboard or reverse the text around it. Tab and newline are allowed
//!   only where the text has many lines (notes).
//! - Showing: text already stored (older files, other programs) is made visible and harmless:
//!   C0 controls become their Unicode control pictures (`␛`), DEL `␡`, C1 controls and bidi
//!   characters `<U+202E>`. Nothing is dropped, so the clerk can see that something is there.

use std::borrow::Cow;
use std::fmt;

/// Where a text may hold line breaks and tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// Names, codes, numbers, addresses on one line: no tab, no newline.
    One,
    /// Notes, descriptions, summaries: tab, newline (and a CR before a newline) allowed.
    Many,
}

/// The first character a text may not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlChar(pub char);

impl ControlChar {
    /// `U+001B`: how the character is named in messages, in every language.
    pub fn code(&self) -> String {
        format!("U+{:04X}", self.0 as u32)
    }
}

impl fmt::Display for ControlChar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "control character {}", self.code())
    }
}

impl std::error::Error for ControlChar {}

/// A bidi embedding, override or isolate: it reorders the text shown after it.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Any character the policy treats as a control: C0, DEL, C1, bidi controls.
pub fn is_control(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Refuses the first character that may not enter a text with these `lines`. A CR is
/// accepted in `Lines::Many` only right before a newline (files written on Windows).
pub fn check(s: &str, lines: Lines) -> Result<(), ControlChar> {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if !is_control(c) {
            continue;
        }
        let allowed = lines == Lines::Many
            && (c == '\t' || c == '\n' || (c == '\r' && chars.peek() == Some(&'\n')));
        if !allowed {
            return Err(ControlChar(c));
        }
    }
    Ok(())
}

/// Whether `check` would pass; for filters that drop rather than refuse (paste into a form).
pub fn is_clean(s: &str, lines: Lines) -> bool {
    check(s, lines).is_ok()
}

/// The text on one line, every control made visible and harmless. Borrowed when there is
/// nothing to change, which is nearly always.
pub fn shown(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_shown(&mut out, c);
    }
    Cow::Owned(out)
}

/// Like `shown`, but line breaks stay (a CR before them goes) and a tab becomes four
/// spaces: for notes and drafts shown over several lines.
pub fn shown_lines(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push('\n'),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\t' => out.push_str("    "),
            c => push_shown(&mut out, c),
        }
    }
    Cow::Owned(out)
}

fn push_shown(out: &mut String, c: char) {
    match c as u32 {
        // C0: the control pictures block has one picture per code, in order.
        0x00..=0x1F => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}')),
        0x7F => out.push('\u{2421}'),
        _ if is_control(c) => {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        }
        _ => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_text_passes_and_is_borrowed() {
        for s in [
            "Acme Ltd.",
            "上海鑫达模具有限公司",
            "",
            "a\u{200D}b",
            "Café ✓",
        ] {
            assert_eq!(check(s, Lines::One), Ok(()));
            assert!(matches!(shown(s), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn escapes_and_bidi_are_refused_and_named() {
        let cases = [
            ("Acme\x1b]0;pwned\x07", '\x1b'),
            ("x\x1b[2J", '\x1b'),
            ("a\rb", '\r'),
            ("a\x08b", '\x08'),
            ("abc\u{202E}fdp.exe", '\u{202E}'),
            ("\u{2066}x", '\u{2066}'),
            ("a\u{85}b", '\u{85}'),
            ("a\u{9B}2J", '\u{9B}'),
            ("nul\0", '\0'),
            ("del\x7f", '\x7f'),
        ];
        for (s, c) in cases {
            assert_eq!(check(s, Lines::One), Err(ControlChar(c)), "{s:?}");
            assert_eq!(check(s, Lines::Many), Err(ControlChar(c)), "{s:?}");
        }
        assert_eq!(ControlChar('\x1b').to_string(), "control character U+001B");
        assert_eq!(ControlChar('\u{202E}').code(), "U+202E");
    }

    #[test]
    fn tab_and_newline_only_in_many_lines() {
        assert_eq!(check("a\tb", Lines::One), Err(ControlChar('\t')));
        assert_eq!(check("a\nb", Lines::One), Err(ControlChar('\n')));
        assert_eq!(check("a\tb\nc\r\nd", Lines::Many), Ok(()));
        assert_eq!(check("a\r", Lines::Many), Err(ControlChar('\r')));
    }

    #[test]
    fn shown_makes_controls_visible() {
        assert_eq!(shown("Acme\x1b]0;pwned\x07"), "Acme␛]0;pwned␇");
        assert_eq!(shown("a\nb\tc\0"), "a␊b␉c␀");
        assert_eq!(shown("x\x7f\u{9B}\u{202E}y"), "x␡<U+009B><U+202E>y");
        assert_eq!(shown_lines("a\r\nb\tc\x1b"), "a\nb    c␛");
    }

    proptest! {
        #[test]
        fn shown_never_holds_a_control(s in any::<String>()) {
            prop_assert!(!shown(&s).chars().any(is_control));
            prop_assert!(!shown_lines(&s).chars().any(|c| is_control(c) && c != '\n'));
            prop_assert_eq!(check(&shown(&s), Lines::One), Ok(()));
        }

        #[test]
        fn check_agrees_with_shown(s in "[a-z\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}]{0,12}") {
            let clean = check(&s, Lines::One).is_ok();
            prop_assert_eq!(clean, matches!(shown(&s), Cow::Borrowed(_)));
        }
    }
}
