//! A terminal backend that writes nothing when nothing changed. ratatui sends only the cells
//! that differ, but every frame it also resets the colours, hides or places the cursor and
//! flushes, about 25 bytes even for an identical frame. This wrapper drops those: an empty
//! diff writes nothing, the cursor is hidden, shown or moved only after a changed frame or
//! when that changes it, and the output is flushed only when something was written.

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

pub struct Quiet<B> {
    inner: B,
    /// `None` until the cursor was shown or hidden through this backend.
    visible: Option<bool>,
    /// Where the cursor was put last; `None` once anything else may have moved it.
    at: Option<Position>,
    wrote: bool,
}

impl<B: Backend> Quiet<B> {
    pub fn new(inner: B) -> Quiet<B> {
        Quiet {
            inner,
            visible: None,
            at: None,
            wrote: false,
        }
    }
}

impl<B: Backend> Backend for Quiet<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let mut content = content.peekable();
        if content.peek().is_none() {
            return Ok(());
        }
        self.wrote = true;
        self.at = None;
        // A changed frame still ends as ratatui ends it, with the cursor hidden or shown
        // and placed (terminal drivers, the tests' among them, take that as a frame's end).
        self.visible = None;
        self.inner.draw(content)
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.wrote = true;
        self.at = None;
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        if self.visible == Some(false) {
            return Ok(());
        }
        self.wrote = true;
        self.visible = Some(false);
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        if self.visible == Some(true) {
            return Ok(());
        }
        self.wrote = true;
        self.visible = Some(true);
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        let position = position.into();
        if self.at == Some(position) {
            return Ok(());
        }
        self.wrote = true;
        self.at = Some(position);
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.wrote = true;
        self.at = None;
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.wrote = true;
        self.at = None;
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        if !std::mem::take(&mut self.wrote) {
            return Ok(());
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::CrosstermBackend;
    use ratatui::widgets::Paragraph;
    use ratatui::{Terminal, TerminalOptions, Viewport};
    use std::sync::{Arc, Mutex};

    /// Counts the bytes a terminal would receive.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut v) = self.0.lock() {
                v.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Sink {
        fn len(&self) -> usize {
            self.0.lock().map(|v| v.len()).unwrap_or(usize::MAX)
        }
    }

    #[test]
    fn an_unchanged_frame_writes_nothing_and_a_changed_one_writes() {
        let sink = Sink::default();
        let backend = Quiet::new(CrosstermBackend::new(sink.clone()));
        let options = TerminalOptions {
            viewport: Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 20, 3)),
        };
        let mut term = Terminal::with_options(backend, options).unwrap();
        for with_cursor in [false, true] {
            let frame = |text: &'static str| {
                move |f: &mut ratatui::Frame| {
                    f.render_widget(Paragraph::new(text), f.area());
                    if with_cursor {
                        f.set_cursor_position((2, 1));
                    }
                }
            };
            term.draw(frame("hello")).unwrap();
            let first = sink.len();
            assert!(first > 0);
            for _ in 0..5 {
                term.draw(frame("hello")).unwrap();
            }
            assert_eq!(sink.len(), first, "identical frames (cursor {with_cursor})");
            term.draw(frame("hullo")).unwrap();
            assert!(sink.len() > first, "a changed cell is written");
        }
    }
}
