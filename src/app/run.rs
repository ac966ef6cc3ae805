//! The event loop: draw, then block on the next event. Work that can wait (counting a
//! list, building Today) runs right after a frame is on screen, never before the first one;
//! while a report is computed on a worker thread the loop wakes every 40 ms to collect it.

use super::App;
use crate::ui;
use ratatui::DefaultTerminal;
use std::time::Duration;

/// Runs until the clerk quits. The terminal is set up and restored by the caller
/// (`ratatui::init`/`restore`, whose panic hook restores it on a panic too); the mouse and
/// bracketed paste are turned on here and off again however this returns or unwinds.
pub fn run(terminal: &mut DefaultTerminal, app: &mut App) -> std::io::Result<()> {
    let _input = PointerInput::enable()?;
    ui::theme::set_from(app.config.theme);
    while app.running {
        app.collect_background();
        let size = terminal.size()?;
        app.prepare(ui::list_height(size.height));
        terminal.draw(|frame| ui::draw(frame, app))?;
        test_panic();
        if app.has_deferred_work() {
            // Keys typed meanwhile wait in the terminal's queue; nothing is lost.
            if !crossterm::event::poll(Duration::ZERO)? {
                app.do_deferred_work();
                continue;
            }
        }
        // Sleep until a key; wake once a minute for a visible countdown, and now and then to
        // look in on a backup or a report running on its thread.
        let worker = if app.waiting() {
            Some(Duration::from_millis(40))
        } else if app.background_running() {
            Some(Duration::from_millis(100))
        } else {
            None
        };
        let wake = match (app.redraw_in(), worker) {
            (Some(c), Some(w)) => Some(c.min(w)),
            (c, w) => c.or(w),
        };
        if let Some(wait) = wake {
            if !crossterm::event::poll(wait)? {
                app.poll_background();
                continue;
            }
        }
        let event = crossterm::event::read()?;
        app.handle_event(event);
    }
    Ok(())
}

/// Mouse reports and bracketed paste while it lives.
struct PointerInput;

impl PointerInput {
    fn enable() -> std::io::Result<PointerInput> {
        crossterm::execute!(
            std::io::stdout(),
            crossterm::event::EnableMouseCapture,
            crossterm::event::EnableBracketedPaste
        )?;
        Ok(PointerInput)
    }
}

impl Drop for PointerInput {
    fn drop(&mut self) {
        // Nothing more can be done if the terminal is gone.
        let _ = crossterm::execute!(
            std::io::stdout(),
            crossterm::event::DisableBracketedPaste,
            crossterm::event::DisableMouseCapture
        );
    }
}

/// Debug builds only: `ORDERDESK_TEST_PANIC=1` panics once the first frame is on screen, so
/// the tests can see that a panic restores the terminal and writes the crash log.
fn test_panic() {
    if cfg!(debug_assertions) && std::env::var_os("ORDERDESK_TEST_PANIC").is_some_and(|v| v == "1")
    {
        panic!("ORDERDESK_TEST_PANIC is set");
    }
}
