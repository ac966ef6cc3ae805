//! The one form renderer: labelled fields (a note over several lines, a choice by its
//! label), each problem beside its field, the lines grid, the suggestions of a look-up
//! under its field, and a hint whose keys come from the keymap. A prompt (a form of a
//! field or two) is drawn the same way, in a box over the screen.

use super::{pane, popups, text, theme};
use crate::app::form::{Field, Focus, Form, FormKind, Kind};
use crate::app::keymap::{Action, Keymap};
use crate::i18n::{t, tf};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Clear, Row, Table};
use ratatui::Frame;

/// Columns of the label, with the focus marker.
const LABEL: u16 = 20;
/// A note shows at most this many of its lines.
const NOTE_ROWS: usize = 4;
/// The grid's column widths.
const GRID: [Constraint; 5] = [
    Constraint::Length(16),
    Constraint::Fill(1),
    Constraint::Length(12),
    Constraint::Length(8),
    Constraint::Length(14),
];

/// Rows a field takes.
fn rows(f: &Field) -> u16 {
    match f.kind {
        Kind::MultiLine => f.input.value().split('\n').count().clamp(1, NOTE_ROWS) as u16,
        _ => 1,
    }
}

/// Whether the due-date reason applies: only when an existing due date is changed.
fn due_changed(form: &Form) -> bool {
    match &form.kind {
        FormKind::Order {
            id: Some(_),
            original_due: Some(due),
            ..
        } => form.value("field.due_date") != due,
        _ => false,
    }
}

pub fn draw(frame: &mut Frame, keymap: &Keymap, form: &Form, area: Rect) {
    let fields_height: u16 = form.fields.iter().map(rows).sum();
    let area = if form.is_prompt() {
        let width = area.width.saturating_sub(4).min(84);
        let r = popups::centered(area, width, fields_height + 4);
        frame.render_widget(Clear, r);
        r
    } else {
        area
    };
    let block = pane(form.title.clone());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [fields_area, message_area, grid_area, hint_area] = Layout::vertical([
        Constraint::Length(fields_height),
        Constraint::Length(1),
        Constraint::Min(if form.grid.is_some() { 2 } else { 0 }),
        Constraint::Length(1),
    ])
    .areas(inner);
    let mut cursor = draw_fields(frame, form, fields_area);
    if let Some(m) = &form.message {
        frame.render_widget(
            text::harmless(Line::from(Span::styled(m.clone(), theme::field_error()))),
            message_area,
        );
    }
    if form.grid.is_some() {
        cursor = cursor.or(draw_grid(frame, form, grid_area));
    }
    frame.render_widget(
        Span::styled(
            fitted(&hint(keymap, form), hint_area.width as usize),
            theme::dim(),
        ),
        hint_area,
    );
    draw_suggestions(frame, form, fields_area, area);
    if let Some(pos) = cursor {
        frame.set_cursor_position(pos);
    }
}

fn draw_fields(frame: &mut Frame, form: &Form, area: Rect) -> Option<(u16, u16)> {
    let mut cursor = None;
    let mut y = area.y;
    let value_width = area.width.saturating_sub(LABEL) as usize;
    for (i, f) in form.fields.iter().enumerate() {
        if y >= area.bottom() {
            break;
        }
        let focused = form.focus == Focus::Field(i);
        let mut label = t(f.name).to_string();
        if f.name == "field.due_reason" && !due_changed(form) {
            label = format!("({label})");
        }
        // The marker shows the focus without colour.
        let marker = if focused { "▶ " } else { "  " };
        let label = text::fit(&label, (LABEL - 3) as usize).into_owned();
        let pad = (LABEL as usize - 1).saturating_sub(2 + text::width(&label));
        let label_style = if focused {
            theme::focused()
        } else {
            theme::dim()
        };
        let lines: Vec<&str> = match f.kind {
            Kind::MultiLine => f.input.value().split('\n').collect(),
            _ => Vec::new(),
        };
        let first = match &f.kind {
            Kind::Choice(_) => format!("‹ {} ›", f.shown()),
            Kind::MultiLine => lines.first().copied().unwrap_or("").to_string(),
            _ => f.input.value().to_string(),
        };
        let mut spans = vec![
            Span::raw(marker),
            Span::styled(format!("{label}{}", " ".repeat(pad)), label_style),
            Span::raw(" "),
            Span::raw(first),
        ];
        if let Some(e) = &f.error {
            spans.push(Span::styled(format!("  ✗ {e}"), theme::field_error()));
        }
        let row = Rect {
            x: area.x,
            y,
            width: area.width,
            height: 1,
        };
        // Values loaded from the file may hold what the text policy now refuses.
        frame.render_widget(text::harmless(Line::from(spans)), row);
        let height = rows(f);
        for (k, line) in lines.iter().enumerate().skip(1).take(height as usize - 1) {
            let more = k + 1 == height as usize && lines.len() > height as usize;
            let shown = if more {
                format!("{line} {}", text::ELLIPSIS)
            } else {
                line.to_string()
            };
            let r = Rect {
                x: area.x + LABEL,
                y: y + k as u16,
                width: area.width.saturating_sub(LABEL),
                height: 1,
            };
            if r.y < area.bottom() {
                frame.render_widget(
                    text::harmless(Line::from(text::fit(&shown, value_width).into_owned())),
                    r,
                );
            }
        }
        if focused && !matches!(f.kind, Kind::Choice(_)) {
            let before: String = f.input.value().chars().take(f.input.cursor()).collect();
            let (line, col) = match before.rsplit_once('\n') {
                Some((head, tail)) => (head.matches('\n').count() + 1, tail),
                None => (0, before.as_str()),
            };
            let line = line.min(height as usize - 1) as u16;
            let x = (area.x + LABEL + text::width(col) as u16).min(area.right().saturating_sub(1));
            cursor = Some((x, y + line));
        }
        y += height;
    }
    cursor
}

fn draw_grid(frame: &mut Frame, form: &Form, area: Rect) -> Option<(u16, u16)> {
    let grid = form.grid.as_ref()?;
    let header = Row::new(
        grid.columns
            .iter()
            .map(|c| Cell::from(t(c.name).to_string())),
    )
    .style(theme::header());
    let cols = Layout::horizontal(GRID).spacing(1).split(area);
    let rows = grid.rows.iter().enumerate().map(|(li, row)| {
        Row::new(row.iter().enumerate().map(|(ci, c)| {
            let focused = form.focus == Focus::Cell { line: li, col: ci };
            let line = match &c.error {
                Some(e) => Line::from(vec![
                    Span::raw(c.input.value().to_string()),
                    Span::styled(format!(" ✗ {e}"), theme::field_error()),
                ]),
                None => Line::from(c.input.value().to_string()),
            };
            let width = cols.get(ci).map_or(0, |r| r.width as usize);
            Cell::from(text::cell(line, width)).style(if focused {
                theme::focused()
            } else {
                Style::default()
            })
        }))
    });
    frame.render_widget(
        Table::new(rows, GRID).header(header).column_spacing(1),
        area,
    );
    let Focus::Cell { line, col } = form.focus else {
        return None;
    };
    let c = cols.get(col)?;
    let input = &grid.rows.get(line)?.get(col)?.input;
    let before: String = input.value().chars().take(input.cursor()).collect();
    let y = area.y + 1 + line as u16;
    (y < area.bottom()).then(|| ((c.x + text::width(&before) as u16).min(c.right()), y))
}

/// The suggestions of the focused look-up, in a box under its field.
fn draw_suggestions(frame: &mut Frame, form: &Form, fields: Rect, screen: Rect) {
    if !form.suggestions.is_open() {
        return;
    }
    let Focus::Field(at) = form.focus else {
        return;
    };
    let y = fields.y + form.fields.iter().take(at + 1).map(rows).sum::<u16>();
    let x = fields.x + LABEL;
    let width = screen.right().saturating_sub(x).min(60);
    let height = (form.suggestions.items.len() as u16 + 2).min(screen.bottom().saturating_sub(y));
    if width < 10 || height < 3 {
        return;
    }
    let r = Rect {
        x,
        y,
        width,
        height,
    };
    let lines: Vec<Line> = form
        .suggestions
        .items
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let chosen = i == form.suggestions.selected;
            let marker = if chosen { "▶ " } else { "  " };
            let style = if chosen {
                theme::selected()
            } else {
                Style::default()
            };
            let text = if s.detail.is_empty() {
                s.value.clone()
            } else {
                format!("{}  {}", s.value, s.detail)
            };
            Line::from(vec![
                Span::raw(marker),
                Span::styled(
                    text::fit(&text, width.saturating_sub(4) as usize).into_owned(),
                    style,
                ),
            ])
        })
        .collect();
    frame.render_widget(Clear, r);
    frame.render_widget(
        text::paragraph(lines).block(pane(t("form.suggestions").to_string())),
        r,
    );
}

/// The hints under the form, for the focused field, with the keymap's keys.
fn hint(keymap: &Keymap, form: &Form) -> Vec<String> {
    let key = |a: Action| {
        keymap
            .keys(a)
            .first()
            .map(ToString::to_string)
            .unwrap_or_default()
    };
    let common = [
        ("save", key(Action::Save)),
        ("next", key(Action::NextField)),
        ("prev", key(Action::PrevField)),
        ("close", key(Action::Close)),
        ("accept", key(Action::Accept)),
        ("down", key(Action::NextSuggestion)),
        ("up", key(Action::PrevSuggestion)),
        ("left", "←".to_string()),
        ("right", "→".to_string()),
    ];
    let args: Vec<(&str, &dyn std::fmt::Display)> = common
        .iter()
        .map(|(n, v)| (*n, v as &dyn std::fmt::Display))
        .collect();
    let which = match form.focused().map(|f| &f.kind) {
        _ if form.suggestions.is_open() => "form.lookup_hint",
        Some(Kind::Choice(_)) => "form.choice_hint",
        Some(Kind::MultiLine) => "form.multi_hint",
        _ if form.is_prompt() => "form.prompt_hint",
        _ => "form.hint",
    };
    let mut parts: Vec<String> = tf(which, &args).split(" · ").map(str::to_string).collect();
    if form.grid.is_some() {
        parts.push(format!("{} {}", key(Action::AddLine), t("action.add_line")));
        parts.push(format!(
            "{} {}",
            key(Action::DeleteLine),
            t("action.delete_line")
        ));
    }
    parts
}

/// As many hints, whole and in order, as fit in `width` columns.
fn fitted(parts: &[String], width: usize) -> String {
    let mut out = String::new();
    for p in parts {
        let next = if out.is_empty() {
            p.clone()
        } else {
            format!("{out} · {p}")
        };
        if text::width(&next) > width {
            break;
        }
        out = next;
    }
    out
}
