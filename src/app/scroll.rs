//! A scrolled view (the order detail, the `?` help): where it is, and how far it can go as
//! the last frame measured it, so `G` lands on the last line and `k` moves at once from there.

use super::keymap::Action;
use std::cell::Cell;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scroll {
    pos: u16,
    /// The largest useful offset, written by the renderer each frame.
    max: Cell<u16>,
}

impl Scroll {
    /// The offset to draw at: never past the end.
    pub fn offset(&self) -> u16 {
        self.pos.min(self.max.get())
    }

    /// Called by the renderer: `content` lines shown `view` at a time. Returns the offset.
    pub fn fit(&self, content: usize, view: usize) -> u16 {
        let max = content.saturating_sub(view).min(u16::MAX as usize) as u16;
        self.max.set(max);
        self.offset()
    }

    /// Applies a movement key; `page` lines for PgDn/PgUp. `false` for other actions.
    pub fn apply(&mut self, action: Action, page: usize) -> bool {
        let page = page.clamp(1, u16::MAX as usize) as u16;
        let at = self.offset();
        let max = self.max.get();
        self.pos = match action {
            Action::Down => at.saturating_add(1).min(max),
            Action::Up => at.saturating_sub(1),
            Action::PageDown => at.saturating_add(page).min(max),
            Action::PageUp => at.saturating_sub(page),
            Action::Top => 0,
            Action::Bottom => max,
            _ => return false,
        };
        true
    }

    /// Three lines down (or up) for a turn of the mouse wheel.
    pub fn wheel(&mut self, down: bool) {
        for _ in 0..3 {
            self.apply(if down { Action::Down } else { Action::Up }, 1);
        }
    }

    pub fn reset(&mut self) {
        self.pos = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_within_what_the_last_frame_measured() {
        let mut s = Scroll::default();
        assert_eq!(s.fit(50, 20), 0);
        s.apply(Action::Bottom, 20);
        assert_eq!(s.offset(), 30);
        s.apply(Action::Up, 20);
        assert_eq!(s.offset(), 29);
        s.apply(Action::PageDown, 20);
        assert_eq!(s.offset(), 30);
        s.apply(Action::PageUp, 20);
        assert_eq!(s.offset(), 10);
        s.wheel(false);
        assert_eq!(s.offset(), 7);
        s.apply(Action::Top, 20);
        assert_eq!(s.offset(), 0);
        // The window grew: what was past the end is drawn at the end.
        s.apply(Action::Bottom, 20);
        assert_eq!(s.fit(50, 45), 5);
        assert!(!s.apply(Action::Open, 20));
    }
}
