//! A busy database never freezes keys. The UI's connection waits only a few tens of
//! milliseconds for another program's write lock; when it is still held, the clerk's change
//! is kept (the form stays open with its contents, a status change waits in a queue, a copied
//! attachment waits to be listed) and tried again by itself every [`RETRY_EVERY`] while the
//! keys keep working, until it lands. The status line says that it is waiting.

use super::{App, Level};
use crate::i18n::tf;
use crate::store::documents::AttachPlan;
use crate::store::orders::StatusRequest;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How long a write from the UI waits for another program's lock before it is kept for a
/// retry: short enough that a key is answered well within 100 ms.
pub const UI_WAIT: Duration = Duration::from_millis(40);
/// How often a kept change is tried again.
pub const RETRY_EVERY: Duration = Duration::from_millis(250);
/// On quitting, how long the last try waits for the lock.
pub const LAST_WAIT: Duration = Duration::from_secs(3);

/// A status change the clerk made while the database was busy, with the versions the
/// orders had when the clerk saw them (so a retry still refuses a change made elsewhere).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingStatus {
    pub ids: Vec<i64>,
    pub expected: Vec<Option<i64>>,
    pub request: StatusRequest,
    pub happened_at: i64,
    pub note: Option<String>,
}

/// Changes kept while the database is busy, oldest first.
#[derive(Debug, Default)]
pub struct Waiting {
    /// The form of this tab's screen holds a change waiting to be saved.
    pub form: Option<super::tab::Tab>,
    pub statuses: VecDeque<PendingStatus>,
    /// A copied attachment whose document row is still to be written.
    pub attach: Option<AttachPlan>,
    since: Option<Instant>,
    next_try: Option<Instant>,
}

impl Waiting {
    /// A change met a busy database and is kept: try again soon. The status line's text.
    pub(super) fn keep_waiting(&mut self) -> String {
        let now = Instant::now();
        self.since.get_or_insert(now);
        self.next_try = Some(now + RETRY_EVERY);
        self.text()
    }

    /// The status line's "waiting" text.
    fn text(&self) -> String {
        let seconds = self.since.map_or(0, |s| s.elapsed().as_secs());
        tf("busy.waiting", &[("seconds", &seconds)])
    }

    /// Something is kept for a retry.
    pub fn any(&self) -> bool {
        self.form.is_some() || !self.statuses.is_empty() || self.attach.is_some()
    }

    fn count(&self) -> usize {
        usize::from(self.form.is_some()) + self.statuses.len() + usize::from(self.attach.is_some())
    }
}

impl App {
    /// A change met a busy database and is kept: say so, and try again soon.
    pub(super) fn wait_for_db(&mut self) {
        let text = self.workers.busy.keep_waiting();
        self.status.message = Some((Level::Info, text));
    }

    /// The status line's "waiting" text.
    pub fn busy_text(&self) -> String {
        self.workers.busy.text()
    }

    /// Whether changes are kept for a retry (the event loop then wakes to try them).
    pub fn waiting_for_db(&self) -> bool {
        self.workers.busy.any()
    }

    /// After a key: a kept change is still waiting, so the status line keeps saying so.
    pub(super) fn remind_busy(&mut self) {
        if self.workers.busy.any() && self.status.message.is_none() {
            self.status.message = Some((Level::Info, self.busy_text()));
        }
    }

    /// Tries the kept changes again when it is time, oldest first; stops at the first that
    /// is still refused as busy.
    pub fn retry_busy(&mut self) {
        match self.workers.busy.next_try {
            Some(at) if Instant::now() >= at => {}
            _ => return,
        }
        self.workers.busy.next_try = None;
        self.retry_kept();
        if self.workers.busy.any() {
            self.wait_for_db();
        } else {
            self.workers.busy.since = None;
        }
    }

    fn retry_kept(&mut self) {
        while let Some(p) = self.workers.busy.statuses.pop_front() {
            match self.on_screens(|s, c| s.orders.apply_status(c, &p)) {
                Ok(()) => {}
                Err(e) if e.is_busy() => {
                    self.workers.busy.statuses.push_front(p);
                    return;
                }
                Err(e) => self.report(Err(e)),
            }
        }
        if let Some(plan) = self.workers.busy.attach.take() {
            self.record_attachment(plan);
            if self.workers.busy.attach.is_some() {
                return;
            }
        }
        // A form the clerk closed meanwhile has nothing left to save.
        if let Some(tab) = self.workers.busy.form.take() {
            if self.screens.form(tab).is_some() {
                self.save_form_in(tab);
            }
        }
    }

    /// A form's save met a busy database: the form stays open with its contents, and is
    /// saved again by itself. Returns the form's message.
    pub(super) fn keep_form(&mut self, tab: super::tab::Tab) -> String {
        self.workers.busy.form = Some(tab);
        self.wait_for_db();
        self.busy_text()
    }

    /// On quitting: one last try of the kept changes, waiting a little longer for the lock.
    /// Returns how many could still not be saved.
    pub fn last_try(&mut self) -> usize {
        if !self.workers.busy.any() {
            return 0;
        }
        let _ = self.store.set_busy_timeout(LAST_WAIT);
        self.workers.busy.next_try = Some(Instant::now());
        self.retry_kept();
        let _ = self.store.set_busy_timeout(UI_WAIT);
        self.workers.busy.count()
    }
}
