//! Attaching a document off the UI thread: the file is copied into the archive on a worker
//! by streaming (see `store::documents::copy`), the status line shows how far it is, and
//! keys keep working. Only once the copy is complete is its row written, in one transaction;
//! quitting stops the copy and removes the partial file.

use super::{App, Level};
use crate::domain::text::shown;
use crate::i18n::{t, tf};
use crate::store::documents::{self, AttachPlan, CopyError};
use crate::store::undo::Change;
use crate::store::Context;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::Arc;
use std::thread::JoinHandle;

/// A copy running on its thread.
#[derive(Debug)]
pub struct AttachJob {
    plan: AttachPlan,
    done: Arc<AtomicU64>,
    cancel: Arc<AtomicBool>,
    result: Receiver<Result<(), String>>,
    thread: JoinHandle<()>,
    /// The percentage last shown, so that the line changes only when it moves.
    shown: Option<u64>,
}

impl AttachJob {
    /// How far the copy is, 0–100.
    pub fn percent(&self) -> u64 {
        let done = self.done.load(Ordering::Relaxed);
        (done.saturating_mul(100))
            .checked_div(self.plan.size)
            .unwrap_or(100)
            .min(100)
    }
}

impl App {
    /// Starts copying `plan`'s file on a worker thread.
    pub(super) fn start_attach(&mut self, plan: AttachPlan) {
        if self.workers.attaching.is_some() {
            self.status.message = Some((Level::Error, t("attach.already").to_string()));
            return;
        }
        let done = Arc::new(AtomicU64::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, result) = std::sync::mpsc::channel();
        let (job_plan, job_done, job_cancel) = (plan.clone(), done.clone(), cancel.clone());
        let spawned = std::thread::Builder::new()
            .name("attach".into())
            .spawn(move || {
                let progress = |n: u64| job_done.store(n, Ordering::Relaxed);
                let r = match documents::copy(&job_plan, &progress, &job_cancel) {
                    Ok(()) => Ok(()),
                    Err(CopyError::Cancelled) => Err(String::new()),
                    Err(CopyError::Io(e)) => Err(e.to_string()),
                };
                let _ = tx.send(r);
            });
        match spawned {
            Ok(thread) => {
                self.workers.attaching = Some(AttachJob {
                    plan,
                    done,
                    cancel,
                    result,
                    thread,
                    shown: None,
                });
                self.show_attach_progress();
            }
            Err(e) => self.attach_failed(&plan, &e.to_string()),
        }
    }

    fn show_attach_progress(&mut self) {
        let Some(job) = self.workers.attaching.as_mut() else {
            return;
        };
        let percent = job.percent();
        // An error on the status line stays until the next key.
        let free = !matches!(self.status.message, Some((Level::Error, _)));
        if free && (job.shown != Some(percent) || self.status.message.is_none()) {
            job.shown = Some(percent);
            let text = tf(
                "attach.copying",
                &[("name", &shown(&job.plan.original)), ("percent", &percent)],
            );
            self.status.message = Some((Level::Info, text));
        }
    }

    /// Looks in on the copy: shows its progress, and lists the file once it is complete.
    pub fn poll_attach(&mut self) {
        let Some(job) = &self.workers.attaching else {
            return;
        };
        let outcome = match job.result.try_recv() {
            Ok(r) => r,
            Err(TryRecvError::Empty) => return self.show_attach_progress(),
            Err(TryRecvError::Disconnected) => Err(t("attach.stopped").to_string()),
        };
        let Some(job) = self.workers.attaching.take() else {
            return;
        };
        let _ = job.thread.join();
        match outcome {
            Ok(()) => self.record_attachment(job.plan),
            Err(e) => self.attach_failed(&job.plan, &e),
        }
    }

    fn attach_failed(&mut self, plan: &AttachPlan, error: &str) {
        let text = tf(
            "attach.failed",
            &[("name", &shown(&plan.original)), ("error", &shown(error))],
        );
        self.status.message = Some((Level::Error, text));
    }

    /// Writes the document row of a complete copy, in one transaction. While the database
    /// is busy the copy is kept and the row is tried again (see `busy`); on any other
    /// failure the unlisted copy is removed.
    pub(super) fn record_attachment(&mut self, plan: AttachPlan) {
        let result = (|| -> crate::store::Result<String> {
            let tx = self.store.begin()?;
            let mut change = Change::new("attach document");
            let doc = documents::record(&tx, &mut change, &plan)?;
            change.record(&tx)?;
            tx.commit().doing("saving the document")?;
            Ok(doc.stored_path)
        })();
        match result {
            Ok(stored) => {
                let r = self.after_shipping_change();
                self.report(r);
                if !matches!(self.status.message, Some((Level::Error, _))) {
                    self.info(tf("document.attached", &[("path", &shown(&stored))]));
                }
            }
            Err(e) if e.is_busy() => {
                self.workers.busy.attach = Some(plan);
                self.wait_for_db();
            }
            Err(e) => {
                let _ = std::fs::remove_file(&plan.target);
                self.attach_failed(&plan, &e.to_string());
            }
        }
    }

    /// A copy is running.
    pub fn attach_running(&self) -> bool {
        self.workers.attaching.is_some()
    }

    /// On quitting: stops the copy, whose thread removes the partial file.
    pub fn stop_attach(&mut self) {
        if let Some(job) = self.workers.attaching.take() {
            job.cancel.store(true, Ordering::Relaxed);
            let _ = job.thread.join();
        }
    }
}
