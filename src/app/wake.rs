//! What the event loop sleeps on: one channel that receives the terminal's events (read on
//! a thread of their own) and a word from any worker that finished or moved on. The loop
//! blocks on it, so an idle desk uses no CPU even while a backup or a report runs.

use std::sync::mpsc::{Receiver, Sender};

/// Something for the event loop to look at.
pub enum Wake {
    /// A key, a mouse report, a paste or a resize.
    Term(crossterm::event::Event),
    /// The terminal could not be read; the loop ends with this error.
    TermFailed(std::io::Error),
    /// A worker finished or has news: collect what the workers hold.
    Worker,
}

/// Handed to worker threads so that they wake the loop when they are done. The default
/// (tests, no loop) wakes nobody: results are collected when the app next looks.
#[derive(Clone, Default)]
pub struct Waker(Option<Sender<Wake>>);

impl Waker {
    pub fn new(tx: Sender<Wake>) -> Waker {
        Waker(Some(tx))
    }

    pub fn wake(&self) {
        if let Some(tx) = &self.0 {
            // The loop may have ended meanwhile; then nobody is waiting.
            let _ = tx.send(Wake::Worker);
        }
    }
}

/// Reads the terminal on its own thread, forwarding every event, until the loop is gone.
pub fn read_terminal(tx: Sender<Wake>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("terminal".into())
        .spawn(move || loop {
            let wake = match crossterm::event::read() {
                Ok(e) => Wake::Term(e),
                Err(e) => {
                    let _ = tx.send(Wake::TermFailed(e));
                    return;
                }
            };
            if tx.send(wake).is_err() {
                return;
            }
        })
        .map(drop)
}

/// The next thing to look at: waits at most `wait` (`None`: as long as it takes).
/// `None` when the time ran out.
pub fn next(rx: &Receiver<Wake>, wait: Option<std::time::Duration>) -> Option<Wake> {
    match wait {
        Some(w) => rx.recv_timeout(w).ok(),
        // The reader thread holds a sender as long as the terminal can be read.
        None => rx.recv().ok(),
    }
}
