//! A form of labelled fields without lines, for the after-sales records (customer,
//! complaint, contact, requirement, survey). Text fields edit like the order form's (the
//! first key on a field just entered replaces it); choice fields hold one word of a closed
//! vocabulary and cycle with ←/→/Space or jump by the first letter, so the clerk never
//! types `after_sales`. What the form is for, and how it is checked and saved, is in
//! `desk_forms`.

use super::input::TextInput;
use crate::i18n::t;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The words a choice field may hold, and the string-table prefix that names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choices {
    pub words: Vec<&'static str>,
    /// `channel.` for `channel.email`.
    pub label_prefix: &'static str,
    /// An empty choice is allowed (shown as —).
    pub optional: bool,
}

impl Choices {
    pub fn new(words: Vec<&'static str>, label_prefix: &'static str) -> Choices {
        Choices {
            words,
            label_prefix,
            optional: false,
        }
    }

    pub fn optional(mut self) -> Choices {
        self.optional = true;
        self
    }

    fn all(&self) -> Vec<&'static str> {
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
            t(&format!("{}{word}", self.label_prefix)).to_string()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    /// The string key of its label (`field.code`), which also names it.
    pub name: &'static str,
    pub input: TextInput,
    pub choices: Option<Choices>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordForm<P> {
    pub purpose: P,
    pub fields: Vec<FormField>,
    pub focus: usize,
    pub dirty: bool,
    pub fresh: bool,
    /// A problem with the whole form (e.g. the store refused it).
    pub message: Option<String>,
}

impl<P> RecordForm<P> {
    pub fn new(purpose: P) -> RecordForm<P> {
        RecordForm {
            purpose,
            fields: Vec::new(),
            focus: 0,
            dirty: false,
            fresh: true,
            message: None,
        }
    }

    /// Adds a text field holding `value`.
    pub fn text(mut self, name: &'static str, value: &str) -> Self {
        self.fields.push(FormField {
            name,
            input: TextInput::new(value),
            choices: None,
            error: None,
        });
        self
    }

    /// Adds a choice field holding `value` (one of the words, or empty when optional).
    pub fn choice(mut self, name: &'static str, choices: Choices, value: &str) -> Self {
        self.fields.push(FormField {
            name,
            input: TextInput::new(value),
            choices: Some(choices),
            error: None,
        });
        self
    }

    /// Puts the cursor on the field `name` (the one the clerk most likely fills first).
    pub fn focus_on(mut self, name: &str) -> Self {
        if let Some(i) = self.fields.iter().position(|f| f.name == name) {
            self.focus = i;
        }
        self
    }

    pub fn value(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map_or("", |f| f.input.value().trim())
    }

    pub fn set(&mut self, name: &str, value: &str) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.name == name) {
            f.input.set(value);
        }
    }

    pub fn clear_errors(&mut self) {
        for f in &mut self.fields {
            f.error = None;
        }
        self.message = None;
    }

    pub fn set_error(&mut self, name: &str, text: String) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.name == name) {
            f.error.get_or_insert(text);
        }
    }

    pub fn has_errors(&self) -> bool {
        self.fields.iter().any(|f| f.error.is_some())
    }

    pub fn next(&mut self, step: isize) {
        let n = self.fields.len().max(1) as isize;
        self.focus = (self.focus as isize + step).rem_euclid(n) as usize;
        self.fresh = true;
    }

    /// Applies an editing key to the focused field; returns whether its value changed.
    pub fn type_key(&mut self, key: &KeyEvent) -> bool {
        let fresh = std::mem::replace(&mut self.fresh, false);
        let Some(field) = self.fields.get_mut(self.focus) else {
            return false;
        };
        let changed = match &field.choices {
            Some(choices) => {
                let all = choices.all();
                let at = all
                    .iter()
                    .position(|w| *w == field.input.value())
                    .unwrap_or(0);
                let n = all.len().max(1);
                let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
                let to = match key.code {
                    KeyCode::Right | KeyCode::Char(' ') => Some((at + 1) % n),
                    KeyCode::Left => Some((at + n - 1) % n),
                    // The first letter of the word or of its label, after the current one.
                    KeyCode::Char(c) if !ctrl => {
                        let c = c.to_lowercase().next().unwrap_or(c);
                        (1..=n).map(|k| (at + k) % n).find(|i| {
                            let w = all[*i];
                            let starts = |s: &str| s.to_lowercase().starts_with(c);
                            !w.is_empty() && (starts(w) || starts(&choices.label(w)))
                        })
                    }
                    _ => None,
                };
                match to.and_then(|i| all.get(i)) {
                    Some(w) if *w != field.input.value() => {
                        field.input.set(*w);
                        true
                    }
                    _ => false,
                }
            }
            None => field.input.type_over(key, fresh),
        };
        self.dirty |= changed;
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn form() -> RecordForm<()> {
        RecordForm::new(()).text("field.code", "C001").choice(
            "field.department",
            Choices::new(vec!["tech", "after_sales", "finance"], "department.").optional(),
            "",
        )
    }

    #[test]
    fn text_fields_are_replaced_by_the_first_key_then_edited() {
        let mut f = form();
        f.type_key(&key(KeyCode::Char('X')));
        f.type_key(&key(KeyCode::Char('9')));
        assert_eq!(f.value("field.code"), "X9");
        assert!(f.dirty);
        f.next(2);
        f.type_key(&key(KeyCode::Backspace));
        assert_eq!(
            f.value("field.code"),
            "X",
            "fresh again, but Backspace edits"
        );
    }

    #[test]
    fn choices_cycle_and_jump_by_letter() {
        let mut f = form();
        f.next(1);
        f.type_key(&key(KeyCode::Right));
        assert_eq!(f.value("field.department"), "tech");
        f.type_key(&key(KeyCode::Left));
        assert_eq!(f.value("field.department"), "", "optional: back to none");
        f.type_key(&key(KeyCode::Left));
        assert_eq!(f.value("field.department"), "finance", "wraps");
        f.type_key(&key(KeyCode::Char('a')));
        assert_eq!(f.value("field.department"), "after_sales");
        assert!(
            !f.type_key(&key(KeyCode::Char('z'))),
            "no such letter: unchanged"
        );
        f.next(-1);
        assert_eq!(f.focus, 0);
    }
}
