//! The order form: labelled fields with their errors, then the grid of lines.

use super::{pane, theme};
use crate::app::form::{Focus, OrderForm, LINE_COLUMNS};
use crate::i18n::t;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

const LABEL: u16 = 18;

pub fn draw(frame: &mut Frame, form: &OrderForm, area: Rect) {
    let title = if form.id.is_some() {
        t("form.edit_title")
    } else {
        t("form.new_title")
    };
    let [fields_area, message_area, lines_area] =
        form_areas(frame, title.to_string(), form.fields.len(), area);

    let views: Vec<FieldView> = form
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut label = t(&format!("field.{}", f.key.as_ref())).to_string();
            if f.key == crate::app::form::FieldKey::DueReason && !form.due_changed() {
                label = format!("({label})");
            }
            FieldView {
                label,
                value: f.input.value().to_string(),
                cursor: Some(f.input.cursor()),
                error: f.error.as_deref(),
                focused: form.focus == Focus::Field(i),
            }
        })
        .collect();
    let mut cursor = draw_fields(frame, fields_area, &views);
    if let Some(m) = &form.message {
        frame.render_widget(
            Span::styled(
                crate::domain::text::shown(m).into_owned(),
                theme::field_error(),
            ),
            message_area,
        );
    }

    let widths = [
        Constraint::Length(16),
        Constraint::Fill(1),
        Constraint::Length(12),
        Constraint::Length(8),
        Constraint::Length(14),
    ];
    let header = Row::new(
        LINE_COLUMNS
            .iter()
            .map(|c| Cell::from(t(&format!("line.{c}")))),
    )
    .style(theme::header());
    let rows = form.lines.iter().enumerate().map(|(li, l)| {
        Row::new(l.cells.iter().enumerate().map(|(ci, c)| {
            let focused = form.focus == Focus::Cell { line: li, col: ci };
            let text = super::text::harmless(match &l.errors[ci] {
                Some(e) => Line::from(vec![
                    Span::raw(c.value().to_string()),
                    Span::styled(format!(" ✗ {e}"), theme::field_error()),
                ]),
                None => Line::from(c.value().to_string()),
            });
            Cell::from(text).style(if focused {
                theme::focused()
            } else {
                ratatui::style::Style::default()
            })
        }))
    });
    let table = Table::new(rows, widths).header(header).column_spacing(1);
    frame.render_widget(table, lines_area);
    if let Focus::Cell { line, col } = form.focus {
        let cols = Layout::horizontal(widths).spacing(1).split(lines_area);
        if let (Some(c), Some(l)) = (cols.get(col), form.lines.get(line)) {
            let input = &l.cells[col];
            let before: String = input.value().chars().take(input.cursor()).collect();
            let y = lines_area.y + 1 + line as u16;
            if y < lines_area.bottom() {
                cursor = Some((c.x + before.width() as u16, y));
            }
        }
    }
    if let Some(pos) = cursor {
        frame.set_cursor_position(pos);
    }
}

/// Draws a form's pane; returns where its fields, its message line and what follows them
/// (lines, hints) go.
pub(super) fn form_areas(frame: &mut Frame, title: String, fields: usize, area: Rect) -> [Rect; 3] {
    let block = pane(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    Layout::vertical([
        Constraint::Length(fields as u16),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner)
}

/// One labelled field as a form shows it.
pub(super) struct FieldView<'a> {
    pub label: String,
    pub value: String,
    /// Where the text cursor is, in characters, for a field typed into.
    pub cursor: Option<usize>,
    pub error: Option<&'a str>,
    pub focused: bool,
}

/// Draws the fields one per line, label padded by display width; returns where the
/// terminal cursor goes (in the focused field).
pub(super) fn draw_fields(
    frame: &mut Frame,
    area: Rect,
    fields: &[FieldView],
) -> Option<(u16, u16)> {
    let mut cursor = None;
    for (i, f) in fields.iter().enumerate() {
        let y = area.y + i as u16;
        if y >= area.bottom() {
            break;
        }
        let label_style = if f.focused {
            theme::focused()
        } else {
            theme::dim()
        };
        let pad = (LABEL as usize - 1).saturating_sub(f.label.width());
        let mut spans = vec![
            Span::styled(format!("{}{}", f.label, " ".repeat(pad)), label_style),
            Span::raw(" "),
            Span::raw(f.value.clone()),
        ];
        if let Some(e) = f.error {
            spans.push(Span::styled(format!("  ✗ {e}"), theme::field_error()));
        }
        let row = Rect {
            x: area.x,
            y,
            width: area.width,
            height: 1,
        };
        // Values loaded from the file may hold what the text policy now refuses.
        frame.render_widget(super::text::harmless(Line::from(spans)), row);
        if let (true, Some(at)) = (f.focused, f.cursor) {
            let before: String = f.value.chars().take(at).collect();
            cursor = Some((area.x + LABEL + before.width() as u16, y));
        }
    }
    cursor
}
