//! The Reports tab: the chosen month, its §4 figures beside the month before, the on-time
//! trend, and exports of the shown month. At a million orders the figures take a few hundred
//! milliseconds, so they are computed on a worker thread with its own read-only connection
//! (WAL lets it read while the app writes); keys keep working meanwhile, and the tab shows the
//! result when it arrives. An in-memory database (tests) has no second connection and is
//! computed in place.

use super::keymap::Action;
use super::screens::Ctx;
use super::{form, App, AppResult, Level};
use crate::domain::month::Month;
use crate::domain::time::now;
use crate::i18n::{t, tf};
use crate::io::report::{self, figures, Format, ReportData};
use rusqlite::Connection;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, TryRecvError};

/// Work running on another thread, for one month.
struct Job<T> {
    month: Month,
    rx: Receiver<anyhow::Result<T>>,
}

impl<T> Job<T> {
    /// The result once it is there; `Err` when the thread ended without one.
    fn poll(&self) -> Option<anyhow::Result<T>> {
        match self.rx.try_recv() {
            Ok(r) => Some(r),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                Some(Err(anyhow::anyhow!("the report worker stopped")))
            }
        }
    }
}

pub struct Reports {
    /// The month the tab shows.
    pub month: Month,
    data: Option<ReportData>,
    /// The figures may have changed since they were computed (the tab was left meanwhile).
    stale: bool,
    /// First figure row on screen.
    pub scroll: usize,
    figures: Option<Job<ReportData>>,
    export: Option<Job<PathBuf>>,
    /// The figures of this month could not be computed; not retried until asked again.
    failed: Option<Month>,
    /// The form open on this tab (the month to go to).
    pub form: Option<super::form::Form>,
}

impl Default for Reports {
    fn default() -> Self {
        Reports {
            month: Month::current(),
            data: None,
            stale: true,
            scroll: 0,
            figures: None,
            export: None,
            failed: None,
            form: None,
        }
    }
}

impl Reports {
    /// The figures of the shown month, when computed.
    pub fn shown(&self) -> Option<&ReportData> {
        self.data.as_ref().filter(|d| d.current.month == self.month)
    }

    /// Figures are wanted and none are being computed.
    pub fn needs_figures(&self) -> bool {
        self.figures.is_none()
            && self.failed != Some(self.month)
            && (self.stale || self.shown().is_none())
    }

    pub fn computing(&self) -> bool {
        self.figures.is_some()
    }

    pub fn exporting(&self) -> bool {
        self.export.is_some()
    }

    /// Recompute when next shown: the data may have changed elsewhere in the app.
    pub fn mark_stale(&mut self) {
        self.stale = true;
        self.failed = None;
    }

    fn rows(&self) -> usize {
        self.shown().map_or(0, |d| {
            figures::sections(&d.current, &d.previous)
                .iter()
                .map(|s| s.figures.len() + 1)
                .sum()
        })
    }

    /// Shows `month` (typed after `g`).
    pub fn go_to(&mut self, month: Month) {
        self.month = month;
        self.scroll = 0;
    }

    pub fn change_month(&mut self, action: Action) {
        self.month = if action == Action::NextMonth {
            self.month.next()
        } else {
            self.month.prev()
        };
    }

    /// Scrolls the figures; `page` rows fit on screen, so the last page stays full.
    pub fn scroll(&mut self, action: Action, page: usize) {
        let last = self.rows().saturating_sub(page.max(1));
        self.scroll = match action {
            Action::Down => self.scroll + 1,
            Action::Up => self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll + page.max(1),
            Action::PageUp => self.scroll.saturating_sub(page.max(1)),
            Action::Top => 0,
            _ => last,
        }
        .min(last);
    }
}

/// Runs `work` on a new thread over `reader`, a second connection to the app's file.
fn on_worker<T: Send + 'static>(
    reader: crate::store::Result<Connection>,
    waker: super::wake::Waker,
    work: impl FnOnce(&Connection) -> anyhow::Result<T> + Send + 'static,
) -> Receiver<anyhow::Result<T>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let result = reader.map_err(anyhow::Error::from).and_then(|c| work(&c));
        // The tab may have been closed meanwhile; then nobody wants the result.
        let _ = tx.send(result);
        waker.wake();
    });
    rx
}

impl Reports {
    /// The Reports tab's own keys; `false` leaves the action to what every screen does.
    pub(super) fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> crate::store::Result<bool> {
        match action {
            Action::PrevMonth | Action::NextMonth => self.change_month(action),
            Action::ExportReportXlsx => self.export(ctx, crate::io::report::Format::Xlsx),
            Action::ExportReportHtml => self.export(ctx, crate::io::report::Format::Html),
            Action::GotoMonth => {
                let current = self.month.to_string();
                self.form = Some(form::specs::month(&current));
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Starts computing the shown month's figures (in place for an in-memory database).
    pub(super) fn start(&mut self, ctx: &mut Ctx<'_>) -> AppResult {
        let month = self.month;
        let at = now();
        let targets = ctx.config.targets;
        match ctx.store.reader() {
            Some(reader) => {
                let rx = on_worker(reader, ctx.workers.waker.clone(), move |c| {
                    Ok(report::gather(c, month, at, &targets)?)
                });
                self.figures = Some(Job { month, rx });
            }
            None => {
                self.stale = false;
                self.data = Some(report::gather(ctx.store.conn(), month, at, &targets)?);
            }
        }
        Ok(())
    }

    /// Writes the report of the shown month to the exports folder beside the database, on a
    /// worker thread (at a million orders the workbook takes a few seconds).
    pub(super) fn export(&mut self, ctx: &mut Ctx<'_>, format: Format) {
        if self.exporting() {
            return;
        }
        let month = self.month;
        let db = ctx.store.path().to_path_buf();
        let at = now();
        let targets = ctx.config.targets;
        match ctx.store.reader() {
            Some(reader) => {
                let rx = on_worker(reader, ctx.workers.waker.clone(), move |c| {
                    report::export(c, &db, month, at, &targets, format)
                });
                self.export = Some(Job { month, rx });
                ctx.status
                    .info(tf("report.exporting", &[("month", &month)]));
            }
            // Files go beside the database; one in memory has no folder to put them in.
            None => ctx.status.error(t("report.no_folder").to_string()),
        }
    }
}

impl App {
    fn exported(&mut self, month: Month, result: anyhow::Result<PathBuf>) {
        match result {
            Ok(path) => self.info(tf(
                "report.exported",
                &[("month", &month), ("path", &path.display())],
            )),
            Err(e) => self.status.message = Some((Level::Error, format!("{e:#}"))),
        }
    }

    /// Work is running on another thread; the event loop looks for its result between keys.
    pub fn waiting(&self) -> bool {
        self.screens.reports.figures.is_some()
            || self.screens.reports.export.is_some()
            || self.attach_running()
            || self.waiting_for_db()
    }

    /// Takes in what the worker threads finished. Figures of a month no longer shown are
    /// dropped (the deferred work then asks for the shown one).
    pub fn collect_background(&mut self) {
        self.poll_attach();
        self.retry_busy();
        if let Some(result) = self.screens.reports.figures.as_ref().and_then(Job::poll) {
            let month = self.screens.reports.figures.take().map(|j| j.month);
            match result {
                Ok(data) if month == Some(self.screens.reports.month) => {
                    self.screens.reports.data = Some(data);
                    self.screens.reports.stale = false;
                }
                Ok(_) => {}
                Err(e) => {
                    self.status.message = Some((Level::Error, format!("{e:#}")));
                    self.screens.reports.failed = month;
                }
            }
        }
        if let Some(result) = self.screens.reports.export.as_ref().and_then(Job::poll) {
            if let Some(job) = self.screens.reports.export.take() {
                self.exported(job.month, result);
            }
        }
    }
}
