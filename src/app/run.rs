//! The event loop: draw, then block on the next event. Work that can wait (counting a
//! list, building Today) runs right after a frame is on screen, never before the first one.
//! The loop sleeps on one channel (see `wake`): terminal events and word from the workers
//! (a backup or a report done) wake it, and a timer only when a countdown is on screen. The
//! terminal backend (`quiet::Quiet`) writes nothing when a frame is unchanged, so an idle desk
//! uses no CPU and sends no bytes, even while a backup runs.

use super::quiet::Quiet;
use super::wake::{self, Wake, Waker};
use super::App;
use crate::ui;
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use std::io::Stdout;
use std::sync::mpsc;
use std::time::Duration;

/// The app's terminal: crossterm on stdout, quiet when nothing changed.
pub type AppTerminal = Terminal<Quiet<CrosstermBackend<Stdout>>>;

/// The app's terminal on stdout, once `ratatui::try_init` has set the terminal up.
pub fn terminal() -> std::io::Result<AppTerminal> {
    Terminal::new(Quiet::new(CrosstermBackend::new(std::io::stdout())))
}

/// Runs until the clerk quits. The terminal is set up and restored by the caller
/// (`ratatui::init`/`restore`, whose panic hook restores it on a panic too); the mouse and
/// bracketed paste are turned on here and off again however this returns or unwinds.
pub fn run(terminal: &mut AppTerminal, app: &mut App) -> std::io::Result<()> {
    let _input = PointerInput::enable()?;
    ui::theme::set_from(app.config.theme);
    let (tx, rx) = mpsc::channel();
    app.workers.waker = Waker::new(tx.clone());
    wake::read_terminal(tx)?;
    while app.running {
        app.collect_background();
        app.collect_mail();
        app.collect_searches();
        app.poll_background();
        let size = terminal.size()?;
        app.prepare(ui::list_height(size.height));
        terminal.draw(|frame| ui::draw(frame, app))?;
        test_panic();
        let mut next = None;
        if app.has_deferred_work() {
            // Keys typed meanwhile come first; nothing is lost.
            match rx.try_recv() {
                Ok(w) => next = Some(w),
                Err(_) => {
                    app.do_deferred_work();
                    continue;
                }
            }
        }
        // Sleep until something happens: a key, a worker's word, or a countdown on screen.
        // A copy into the archive, a change waiting for a busy database and a message being
        // sent have no word of their own: while one runs, look in every 40 ms.
        let look_in = (app.attach_running() || app.waiting_for_db() || app.mail_waiting())
            .then(|| Duration::from_millis(40));
        let wait = match (app.redraw_in(), look_in) {
            (Some(c), Some(l)) => Some(c.min(l)),
            (c, l) => c.or(l),
        };
        let Some(next) = next.or_else(|| wake::next(&rx, wait)) else {
            continue;
        };
        match next {
            Wake::Term(event) => app.handle_event(event),
            Wake::TermFailed(e) => return Err(e),
            // Collected at the top of the loop.
            Wake::Worker => {}
        }
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
