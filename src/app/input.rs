//! A text input (search box, palette, prompts, form fields; a note's may hold line breaks),
//! cursor by characters so Chinese text edits correctly.

use super::keymap::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    value: String,
    /// Cursor position in characters.
    cursor: usize,
}

impl TextInput {
    pub fn new(value: impl Into<String>) -> TextInput {
        let value = value.into();
        let cursor = value.chars().count();
        TextInput { value, cursor }
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn set(&mut self, value: impl Into<String>) {
        *self = TextInput::new(value);
    }

    fn byte_at(&self, char_index: usize) -> usize {
        self.value
            .char_indices()
            .nth(char_index)
            .map_or(self.value.len(), |(i, _)| i)
    }

    /// Applies an editing key to a field just moved onto (`fresh`): the first typed
    /// character replaces its text, as in a spreadsheet cell. Returns whether it changed.
    pub fn type_over(&mut self, action: Option<Action>, key: &KeyEvent, fresh: bool) -> bool {
        let line_key = matches!(
            action,
            Some(Action::ClearLine | Action::LineStart | Action::LineEnd)
        );
        let typed = !line_key
            && matches!(key.code, KeyCode::Char(_))
            && !key.modifiers.contains(KeyModifiers::CONTROL);
        if fresh && typed {
            self.set("");
        }
        self.edit(action, key)
    }

    /// Applies the keymap's line-editing action (`[form]`: clear the line, go to its start
    /// or end) when the key has one, else the editing key itself; whether the text changed.
    pub fn edit(&mut self, action: Option<Action>, key: &KeyEvent) -> bool {
        match action {
            Some(Action::ClearLine) => {
                let changed = !self.value.is_empty();
                self.set("");
                changed
            }
            Some(Action::LineStart) => {
                self.cursor = 0;
                false
            }
            Some(Action::LineEnd) => {
                self.cursor = self.value.chars().count();
                false
            }
            _ => self.handle(key),
        }
    }

    /// Inserts text at the cursor (a paste, a line break in a note); the caller has checked
    /// it against the text policy. Returns whether the text changed.
    pub fn insert_str(&mut self, text: &str) -> bool {
        if text.is_empty() {
            return false;
        }
        let at = self.byte_at(self.cursor);
        self.value.insert_str(at, text);
        self.cursor += text.chars().count();
        true
    }

    /// Applies an editing key (a character, Backspace, Delete, the arrows, Home, End);
    /// returns whether the text changed. Keys of the keymap go through [`TextInput::edit`].
    pub fn handle(&mut self, key: &KeyEvent) -> bool {
        let len = self.value.chars().count();
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char(c) if !ctrl && !crate::domain::text::is_control(c) => {
                let at = self.byte_at(self.cursor);
                self.value.insert(at, c);
                self.cursor += 1;
                true
            }
            KeyCode::Backspace if self.cursor > 0 => {
                let at = self.byte_at(self.cursor - 1);
                self.value.remove(at);
                self.cursor -= 1;
                true
            }
            KeyCode::Delete if self.cursor < len => {
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
                true
            }
            KeyCode::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                false
            }
            KeyCode::Right => {
                self.cursor = (self.cursor + 1).min(len);
                false
            }
            KeyCode::Home => {
                self.cursor = 0;
                false
            }
            KeyCode::End => {
                self.cursor = len;
                false
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn edits_chinese_by_characters() {
        let mut t = TextInput::new("华联");
        t.handle(&key(KeyCode::Left));
        t.handle(&key(KeyCode::Char('中')));
        assert_eq!(t.value(), "华中联");
        t.handle(&key(KeyCode::Backspace));
        t.handle(&key(KeyCode::Backspace));
        assert_eq!(t.value(), "联");
        t.handle(&key(KeyCode::Delete));
        assert_eq!(t.value(), "");
    }

    proptest! {
        #[test]
        fn random_edits_keep_the_cursor_inside(codes in proptest::collection::vec(0u8..8, 0..60), text in "\\PC{0,8}") {
            let mut t = TextInput::new(text);
            for c in codes {
                let code = match c {
                    0 => KeyCode::Left, 1 => KeyCode::Right, 2 => KeyCode::Backspace,
                    3 => KeyCode::Delete, 4 => KeyCode::Home, 5 => KeyCode::End,
                    6 => KeyCode::Char('界'), _ => KeyCode::Char('a'),
                };
                t.handle(&key(code));
                prop_assert!(t.cursor() <= t.value().chars().count());
            }
        }
    }
}
