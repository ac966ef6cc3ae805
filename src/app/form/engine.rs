//! The form's state and its one key handler: focus, typing into each kind of field, the
//! lines grid, suggestions, and what the app must do next (save, close, ask, fill defaults).

use super::field::{Field, Kind};
use super::lookup::{Source, Suggestions};
use super::specs::FormKind;
use crate::app::keymap::Action;
use crate::i18n::tf;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where the cursor is: a field, or a cell of the lines grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Field(usize),
    Cell { line: usize, col: usize },
}

/// A grid of lines (the order's products): every line has the template's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    pub columns: Vec<Field>,
    pub rows: Vec<Vec<Field>>,
}

impl Grid {
    pub fn new(columns: Vec<Field>) -> Grid {
        Grid {
            columns,
            rows: Vec::new(),
        }
    }

    pub fn blank_row(&self) -> Vec<Field> {
        self.columns.clone()
    }

    /// The value of column `name` on line `line`.
    pub fn value(&self, line: usize, name: &str) -> &str {
        self.rows
            .get(line)
            .and_then(|r| r.iter().find(|f| f.name == name))
            .map_or("", Field::value)
    }
}

/// What the app does after a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Nothing,
    /// A value changed.
    Edited,
    Save,
    /// Closed with nothing changed.
    Close,
    /// Something changed: ask before it is thrown away.
    AskDiscard,
    /// The cursor left the field of this name (a customer fills in its defaults).
    Left(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub kind: FormKind,
    pub title: String,
    pub fields: Vec<Field>,
    pub grid: Option<Grid>,
    pub focus: Focus,
    /// Just moved onto this field: the first typed character replaces its text, as in a
    /// spreadsheet cell.
    pub fresh: bool,
    pub dirty: bool,
    /// A problem with the whole form (e.g. the store refused it).
    pub message: Option<String>,
    pub suggestions: Suggestions,
    /// Typed into the focused field since it was entered (suggestions follow typing only).
    typed_here: bool,
}

impl Form {
    pub fn new(kind: FormKind, title: String, fields: Vec<Field>) -> Form {
        Form {
            kind,
            title,
            fields,
            grid: None,
            focus: Focus::Field(0),
            fresh: true,
            dirty: false,
            message: None,
            suggestions: Suggestions::default(),
            typed_here: false,
        }
    }

    pub fn with_grid(mut self, grid: Grid) -> Form {
        self.grid = Some(grid);
        self
    }

    /// Marks the named fields required.
    pub fn require(mut self, names: &[&str]) -> Form {
        for f in &mut self.fields {
            if names.contains(&f.name) {
                f.required = true;
            }
        }
        self
    }

    /// Marks the named fields wanted: the record is incomplete without them.
    pub fn want(mut self, names: &[&str]) -> Form {
        for f in &mut self.fields {
            if names.contains(&f.name) {
                f.wanted = true;
            }
        }
        self
    }

    /// The cursor on the first required (or wanted) field that is empty, else on the first
    /// field.
    pub fn start(mut self) -> Form {
        let at = self
            .fields
            .iter()
            .position(|f| (f.required || f.wanted) && f.is_empty())
            .unwrap_or(0);
        self.focus = Focus::Field(at);
        self.fresh = true;
        self
    }

    /// Small forms (one question) are drawn over the screen, not filling it.
    pub fn is_prompt(&self) -> bool {
        self.kind.is_prompt()
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    fn field_mut(&mut self, name: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.name == name)
    }

    pub fn value(&self, name: &str) -> &str {
        self.field(name).map_or("", Field::value)
    }

    /// Sets a field's value (a choice: its word).
    pub fn set(&mut self, name: &str, value: &str) {
        if let Some(f) = self.field_mut(name) {
            f.input.set(value);
        }
    }

    /// Fills a field the clerk has left empty (a default from the customer).
    pub fn fill_empty(&mut self, name: &str, value: &str) {
        if self.value(name).is_empty() && !value.trim().is_empty() {
            self.set(name, value);
            self.dirty = true;
        }
    }

    pub fn set_error(&mut self, name: &str, text: String) {
        if let Some(f) = self.field_mut(name) {
            f.error.get_or_insert(text);
        }
    }

    pub fn clear_errors(&mut self) {
        for f in &mut self.fields {
            f.error = None;
        }
        for row in self.grid.iter_mut().flat_map(|g| g.rows.iter_mut()) {
            for f in row {
                f.error = None;
            }
        }
        self.message = None;
    }

    pub fn has_errors(&self) -> bool {
        self.fields.iter().any(|f| f.error.is_some())
            || self
                .grid
                .iter()
                .flat_map(|g| g.rows.iter().flatten())
                .any(|f| f.error.is_some())
    }

    /// Checks every field's format (required, a date, a number…), marking each problem.
    pub fn check_formats(&mut self) {
        for f in &mut self.fields {
            if let Err(e) = f.check_format() {
                f.error.get_or_insert(e);
            }
        }
        for row in self.grid.iter_mut().flat_map(|g| g.rows.iter_mut()) {
            for f in row {
                if let Err(e) = f.check_format() {
                    f.error.get_or_insert(e);
                }
            }
        }
    }

    pub fn focused(&self) -> Option<&Field> {
        match self.focus {
            Focus::Field(i) => self.fields.get(i),
            Focus::Cell { line, col } => self.grid.as_ref()?.rows.get(line)?.get(col),
        }
    }

    fn focused_mut(&mut self) -> Option<&mut Field> {
        match self.focus {
            Focus::Field(i) => self.fields.get_mut(i),
            Focus::Cell { line, col } => self.grid.as_mut()?.rows.get_mut(line)?.get_mut(col),
        }
    }

    fn slots(&self) -> Vec<Focus> {
        let mut s: Vec<Focus> = (0..self.fields.len()).map(Focus::Field).collect();
        if let Some(g) = &self.grid {
            for (line, row) in g.rows.iter().enumerate() {
                for col in 0..row.len() {
                    s.push(Focus::Cell { line, col });
                }
            }
        }
        s
    }

    /// Moves the cursor `step` fields on (wrapping); says which field it left.
    pub fn next(&mut self, step: isize) -> Outcome {
        let left = self.focused().map(|f| f.name);
        let slots = self.slots();
        if slots.is_empty() {
            return Outcome::Nothing;
        }
        let at = slots.iter().position(|s| *s == self.focus).unwrap_or(0) as isize;
        let n = slots.len() as isize;
        self.focus = slots[(at + step).rem_euclid(n) as usize];
        self.entered();
        left.map_or(Outcome::Nothing, Outcome::Left)
    }

    fn entered(&mut self) {
        self.fresh = true;
        self.typed_here = false;
        self.suggestions.close();
        if let Some(f) = self.focused_mut() {
            f.typed.clear();
        }
    }

    fn on_last_slot(&self) -> bool {
        self.slots().last() == Some(&self.focus)
    }

    pub fn add_line(&mut self) {
        let Some(g) = self.grid.as_mut() else {
            return;
        };
        let row = g.blank_row();
        g.rows.push(row);
        self.focus = Focus::Cell {
            line: g.rows.len() - 1,
            col: 0,
        };
        self.entered();
        self.dirty = true;
    }

    pub fn delete_line(&mut self) {
        let (Focus::Cell { line, .. }, Some(g)) = (self.focus, self.grid.as_mut()) else {
            return;
        };
        if line < g.rows.len() {
            g.rows.remove(line);
            self.dirty = true;
        }
        self.focus = if g.rows.is_empty() {
            Focus::Field(self.fields.len().saturating_sub(1))
        } else {
            Focus::Cell {
                line: line.min(g.rows.len() - 1),
                col: 0,
            }
        };
        self.entered();
    }

    /// The one key handler of every form: `action` is what the keymap's `[form]` section
    /// makes of the key; any other key edits the focused field.
    pub fn key(&mut self, action: Option<Action>, key: &KeyEvent) -> Outcome {
        if !matches!(action, Some(Action::Save)) {
            self.message = None;
        }
        match action {
            Some(Action::Save) => {
                self.suggestions.close();
                Outcome::Save
            }
            Some(Action::Close) => {
                self.suggestions.close();
                if self.dirty {
                    Outcome::AskDiscard
                } else {
                    Outcome::Close
                }
            }
            // Moving on leaves the text as typed: only Enter takes a suggestion.
            Some(Action::NextField) => self.next(1),
            Some(Action::PrevField) => self.next(-1),
            Some(Action::NextSuggestion) if self.suggestions.is_open() => {
                self.suggestions.step(true);
                Outcome::Nothing
            }
            Some(Action::PrevSuggestion) if self.suggestions.is_open() => {
                self.suggestions.step(false);
                Outcome::Nothing
            }
            Some(Action::NextSuggestion) => self.next(1),
            Some(Action::PrevSuggestion) => self.next(-1),
            Some(Action::Accept) if self.suggestions.is_open() => {
                self.accept_suggestion();
                Outcome::Edited
            }
            Some(Action::Accept)
                if matches!(self.focused().map(|f| &f.kind), Some(Kind::MultiLine)) =>
            {
                self.insert("\n")
            }
            // A question's Enter answers it; a long form's saves on its last field.
            Some(Action::Accept) if self.on_last_slot() || self.is_prompt() => Outcome::Save,
            Some(Action::Accept) => self.next(1),
            Some(Action::AddLine) => {
                self.add_line();
                Outcome::Edited
            }
            Some(Action::DeleteLine) => {
                self.delete_line();
                Outcome::Edited
            }
            _ => self.type_key(action, key),
        }
    }

    /// The highlighted suggestion goes into the field.
    fn accept_suggestion(&mut self) {
        let Some(chosen) = self.suggestions.chosen().map(|s| s.value.clone()) else {
            return;
        };
        self.suggestions.close();
        if let Some(f) = self.focused_mut() {
            if f.input.value() != chosen {
                f.input.set(chosen);
                self.dirty = true;
            }
        }
        self.typed_here = false;
    }

    /// An editing key on the focused field.
    pub fn type_key(&mut self, action: Option<Action>, key: &KeyEvent) -> Outcome {
        let fresh = std::mem::replace(&mut self.fresh, false);
        let Some(field) = self.focused_mut() else {
            return Outcome::Nothing;
        };
        let changed = match choice_key(field, action, key) {
            Typed::NotAChoice => field.input.type_over(action, key, fresh),
            Typed::Changed(changed) => changed,
            Typed::NoSuchWord(tried) => {
                // A letter that names nothing leaves the value as it was.
                self.message = Some(tf("form.no_choice", &[("typed", &tried)]));
                return Outcome::Nothing;
            }
        };
        if changed {
            self.dirty = true;
            self.typed_here = true;
            if let Some(f) = self.focused_mut() {
                f.error = None;
            }
            Outcome::Edited
        } else {
            Outcome::Nothing
        }
    }

    /// Pasted text into the focused field: line breaks kept in a multi-line field, spaces
    /// in any other; a choice takes the word the text names, or stays as it was.
    pub fn paste(&mut self, text: &str) -> Outcome {
        let Some(field) = self.focused() else {
            return Outcome::Nothing;
        };
        match &field.kind {
            Kind::MultiLine => {
                let kept = text.replace("\r\n", "\n").replace('\r', "\n");
                self.insert(&kept)
            }
            Kind::Choice(c) => match c.find(text) {
                Some(w) => {
                    let name = field.name;
                    self.set(name, w);
                    self.dirty = true;
                    Outcome::Edited
                }
                None => {
                    self.message = Some(tf("form.no_choice", &[("typed", &text.trim())]));
                    Outcome::Nothing
                }
            },
            _ => self.insert(&crate::app::pointer::one_line(text)),
        }
    }

    fn insert(&mut self, text: &str) -> Outcome {
        let fresh = std::mem::replace(&mut self.fresh, false);
        let Some(field) = self.focused_mut() else {
            return Outcome::Nothing;
        };
        if fresh && !matches!(field.kind, Kind::MultiLine) {
            field.input.set("");
        }
        if !field.input.insert_str(text) {
            return Outcome::Nothing;
        }
        field.error = None;
        self.dirty = true;
        self.typed_here = true;
        Outcome::Edited
    }

    /// The look-up the focused field wants, when the clerk has typed into it since the
    /// suggestions were last found.
    pub fn wants_suggestions(&self) -> Option<(Source, String)> {
        let f = self.focused()?;
        let Kind::Lookup(source) = f.kind else {
            return None;
        };
        let text = f.input.value().trim().to_string();
        (self.typed_here && self.suggestions.query.as_deref() != Some(text.as_str()))
            .then_some((source, text))
    }

    /// Suggestions found for the focused field; an exact match alone needs no list.
    pub fn show_suggestions(
        &mut self,
        query: String,
        items: Vec<crate::store::lookup::Suggestion>,
    ) {
        let exact = matches!(items.as_slice(), [only] if only.value == query);
        self.suggestions = Suggestions {
            items: if exact { Vec::new() } else { items },
            selected: 0,
            query: Some(query),
        };
    }
}

/// What a key did to a choice field.
enum Typed {
    NotAChoice,
    Changed(bool),
    NoSuchWord(String),
}

/// A key on a choice field: ←/→ and the keymap's next-choice key (Space) step through the
/// words; letters are typed until they
/// name one (by its label in the UI language or by its code); Backspace takes one back.
fn choice_key(field: &mut Field, action: Option<Action>, key: &KeyEvent) -> Typed {
    let Kind::Choice(c) = &field.kind else {
        return Typed::NotAChoice;
    };
    let all = c.all();
    let n = all.len().max(1);
    let at = all
        .iter()
        .position(|w| *w == field.input.value())
        .unwrap_or(0);
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let next = action == Some(Action::NextChoice) || key.code == KeyCode::Right;
    let to = match key.code {
        _ if next => {
            field.typed.clear();
            all.get((at + 1) % n).copied()
        }
        KeyCode::Left => {
            field.typed.clear();
            all.get((at + n - 1) % n).copied()
        }
        KeyCode::Backspace => {
            field.typed.pop();
            c.find(&field.typed)
        }
        KeyCode::Char(ch) if !ctrl => {
            let tried = format!("{}{ch}", field.typed);
            match c.find(&tried) {
                Some(w) => {
                    field.typed = tried;
                    Some(w)
                }
                None => return Typed::NoSuchWord(tried),
            }
        }
        _ => None,
    };
    match to {
        Some(w) if w != field.input.value() => {
            field.input.set(w);
            Typed::Changed(true)
        }
        _ => Typed::Changed(false),
    }
}
