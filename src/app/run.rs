//! The event loop: draw, then block on the next event. Work that can wait (counting a
//! list, building Today) runs right after a frame is on screen, never before the first one;
//! while a report is computed on a worker thread the loop wakes every 40 ms to collect it.

use super::App;
use crate::ui;
use ratatui::DefaultTerminal;
use std::time::Duration;

/// Runs until the clerk quits. The terminal is set up and restored by the caller
/// (`ratatui::init`/`restore`, whose panic hook restores it on a panic too).
pub fn run(terminal: &mut DefaultTerminal, app: &mut App) -> std::io::Result<()> {
    while app.running {
        app.collect_background();
        let size = terminal.size()?;
        app.prepare(ui::list_height(size.height));
        terminal.draw(|frame| ui::draw(frame, app))?;
        if app.has_deferred_work() {
            // Keys typed meanwhile wait in the terminal's queue; nothing is lost.
            if !crossterm::event::poll(Duration::ZERO)? {
                app.do_deferred_work();
                continue;
            }
        }
        // A report is being computed on another thread: look for its result between keys.
        if app.waiting() && !crossterm::event::poll(Duration::from_millis(40))? {
            continue;
        }
        let event = crossterm::event::read()?;
        app.handle_event(event);
    }
    Ok(())
}
