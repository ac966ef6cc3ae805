//! The display half of the text policy, in one place: every table cell and detail line passes
//! here on its way to the frame. Stored text is made harmless (`domain::text::shown`), widths
//! are display widths (a Chinese character is two columns), and a value cut to fit ends with
//! `…`, so the clerk always sees that there is more.

use crate::domain::text::shown;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::borrow::Cow;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// What marks a cut value.
pub const ELLIPSIS: char = '…';

/// Display width of a text, as the terminal will lay it out.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` cut to at most `max` columns, ending with `…` when anything was cut. A wide character
/// that would straddle the edge goes as a whole.
pub fn fit(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    Cow::Owned(cut(s, max))
}

/// `s` cut to `width` columns as `fit` cuts it, then padded to them, so columns of Chinese
/// and Latin text line up in plain text (`remind`, the review, the Today tab).
pub fn pad(s: &str, width: usize) -> String {
    let mut out = fit(s, width).into_owned();
    let used = self::width(&out);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

/// `thousands`, with a `+` when the count stopped at a cap and there are more.
pub fn at_least(n: u64, capped: bool) -> String {
    let mut s = thousands(n);
    if capped {
        s.push('+');
    }
    s
}

/// `1,234,567`: a count with its thousands grouped.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The head of `s` that fits in `max - 1` columns, then `…` (nothing when `max` is 0).
fn cut(s: &str, max: usize) -> String {
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push(ELLIPSIS);
    out
}

/// One span with its stored text made harmless.
fn harmless_span(span: Span<'_>) -> Span<'static> {
    let content = match shown(&span.content) {
        Cow::Borrowed(_) => span.content.into_owned(),
        Cow::Owned(s) => s,
    };
    Span::styled(content, span.style)
}

/// A line whose every span is made harmless; style and alignment stay.
pub fn harmless(line: Line<'_>) -> Line<'static> {
    let Line {
        spans,
        style,
        alignment,
        ..
    } = line;
    let mut out = Line::from(spans.into_iter().map(harmless_span).collect::<Vec<_>>());
    out.style = style;
    out.alignment = alignment;
    out
}

/// A pane of lines (a detail, a summary), every line made harmless: the one way stored
/// text reaches the screen outside a table.
pub fn paragraph(lines: Vec<Line<'_>>) -> Paragraph<'static> {
    Paragraph::new(lines.into_iter().map(harmless).collect::<Vec<_>>())
}

/// A table cell: made harmless, then cut to `max` columns with `…` when it is wider.
pub fn cell(line: Line<'_>, max: usize) -> Line<'static> {
    let line = harmless(line);
    if line.width() <= max {
        return line;
    }
    let Line {
        spans,
        style,
        alignment,
        ..
    } = line;
    let mut out = Vec::with_capacity(spans.len());
    let mut room = max;
    for span in spans {
        let w = span.width();
        if w < room {
            room -= w;
            out.push(span);
            continue;
        }
        // The cut falls in this span, even when it is exactly `room` wide: more follows.
        let head = cut(&span.content, room);
        out.push(Span::styled(head, span.style));
        break;
    }
    let mut line = Line::from(out);
    line.style = style;
    line.alignment = alignment;
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn columns_are_measured_by_display_width() {
        assert_eq!(pad("北京精密", 10), "北京精密  ");
        assert_eq!(pad("北京精密机械", 7), "北京精…");
        assert_eq!(pad("Acme", 2), "A…");
        assert_eq!(thousands(60_376), "60,376");
        assert_eq!(thousands(7), "7");
    }

    proptest! {
        /// Whatever a stored value holds, a list cell shows no control character and never
        /// overflows its column; a cut ends with `…`.
        #[test]
        fn any_text_makes_a_harmless_cell_within_its_width(
            s in "(\\PC|[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}]|上海){0,40}",
            max in 1usize..30,
        ) {
            let line = cell(Line::from(vec![Span::raw(s.clone()), Span::raw("x")]), max);
            let text: String = line.spans.iter().map(|sp| sp.content.as_ref()).collect();
            prop_assert!(!text.chars().any(crate::domain::text::is_control), "{:?}", text);
            prop_assert!(line.width() <= max, "{} > {}: {:?}", line.width(), max, text);
            if line.width() < UnicodeWidthStr::width(shown(&s).as_ref()) + 1 {
                prop_assert!(text.ends_with('…'), "{:?}", text);
            }
        }
    }

    #[test]
    fn a_cut_ends_with_an_ellipsis_and_fits_by_display_width() {
        assert_eq!(fit("SO-20261206-001", 15), "SO-20261206-001");
        assert_eq!(fit("SO-20261206-001", 10), "SO-202612…");
        assert_eq!(width(&fit("上海浦东机械有限公司", 7)), 7);
        assert_eq!(fit("上海浦东机械有限公司", 7), "上海浦…");
        // A wide character never straddles the edge.
        assert_eq!(fit("上海浦东", 6), "上海…");
        assert_eq!(fit("abc", 0), "");
        assert_eq!(fit("abc", 1), "…");
    }

    #[test]
    fn controls_are_shown_harmless_in_cells_and_lines() {
        let l = cell(Line::from("a\u{1b}[2Jb"), 20);
        assert_eq!(l.to_string(), "a␛[2Jb");
        let l = harmless(Line::from(vec![Span::raw("x"), Span::raw("\u{202E}y")]));
        assert_eq!(l.to_string(), "x<U+202E>y");
    }

    #[test]
    fn a_cell_of_many_spans_is_cut_in_the_span_that_overflows() {
        let l = cell(
            Line::from(vec![Span::raw("!"), Span::raw("SO-20261206-001")]),
            8,
        );
        assert_eq!(l.to_string(), "!SO-202…");
        assert_eq!(l.width(), 8);
        let l = cell(Line::from(vec![Span::raw("abc"), Span::raw("def")]), 3);
        assert_eq!(l.to_string(), "ab…");
    }
}
