//! The off-site copy of the daily backup (`offsite = "URL"` in config): once the daily
//! backup is written and checked, it is uploaded on a thread of its own (see
//! `io::offsite`), which wakes the event loop when it is done; the status line shows it
//! running, done or failed. Only an encrypted desk's backups leave the machine.

use super::{App, Level};
use crate::i18n::{t, tf};
use crate::io::offsite::{self, Login, Remote};
use crate::store::backup;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, TryRecvError};

/// The off-site copy of this session: what the status line shows about it.
#[derive(Default)]
pub struct Offsite {
    job: Option<Receiver<Result<offsite::Uploaded, String>>>,
    pub state: Option<OffsiteBadge>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsiteBadge {
    Running,
    Done,
    Failed,
}

impl App {
    /// After the daily backup `file`: its off-site copy, when config asks for one.
    pub(super) fn start_offsite(&mut self, file: PathBuf) {
        let Some(url) = self.config.offsite.clone() else {
            return;
        };
        if self.workers.backups.offsite.job.is_some() {
            return;
        }
        let remote = match Remote::parse(&url) {
            Ok(r) => r,
            Err(e) => return self.offsite_failed(e.to_string()),
        };
        if self.store.passphrase().is_none() {
            self.workers.backups.offsite.state = Some(OffsiteBadge::Failed);
            self.status.message = Some((Level::Error, t("offsite.app_plaintext").to_string()));
            return;
        }
        let stem = backup::stem(self.store.path());
        let (tx, rx) = mpsc::channel();
        let waker = self.workers.waker.clone();
        let spawned = std::thread::Builder::new()
            .name("offsite".into())
            .spawn(move || {
                let login = Login::from_env();
                let r = offsite::upload(&remote, login.as_ref(), &file, &stem, backup::KEEP)
                    .map_err(|e| e.to_string());
                let _ = tx.send(r);
                waker.wake();
            });
        match spawned {
            Ok(_) => {
                self.workers.backups.offsite.job = Some(rx);
                self.workers.backups.offsite.state = Some(OffsiteBadge::Running);
            }
            Err(e) => self.offsite_failed(e.to_string()),
        }
    }

    fn offsite_failed(&mut self, error: String) {
        self.workers.backups.offsite.state = Some(OffsiteBadge::Failed);
        self.status.message = Some((Level::Error, tf("offsite.app_failed", &[("error", &error)])));
    }

    /// Takes the result of a finished off-site copy into the status line.
    pub(super) fn poll_offsite(&mut self) {
        let Some(job) = &self.workers.backups.offsite.job else {
            return;
        };
        let outcome = match job.try_recv() {
            Ok(r) => r,
            Err(TryRecvError::Empty) => return,
            Err(TryRecvError::Disconnected) => Err(t("offsite.stopped").to_string()),
        };
        self.workers.backups.offsite.job = None;
        match outcome {
            Ok(up) => {
                self.workers.backups.offsite.state = Some(OffsiteBadge::Done);
                // Never hides what the clerk's own last key said.
                if self.status.message.is_none() {
                    let url = self.config.offsite.clone().unwrap_or_default();
                    let folder = if url.ends_with('/') {
                        url
                    } else {
                        format!("{url}/")
                    };
                    self.info(tf(
                        "offsite.done",
                        &[
                            ("url", &crate::domain::text::shown(&folder)),
                            ("name", &up.name),
                        ],
                    ));
                }
            }
            Err(e) => self.offsite_failed(e),
        }
    }

    /// An off-site copy is on its way (quitting does not wait for it: an unfinished upload
    /// leaves nothing under a backup's name).
    pub fn offsite_running(&self) -> bool {
        self.workers.backups.offsite.job.is_some()
    }

    pub fn offsite_badge(&self) -> Option<OffsiteBadge> {
        self.workers.backups.offsite.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::Keymap;
    use crate::config::Config;
    use crate::store::Store;

    fn app_on(path: &std::path::Path, key: Option<&str>, offsite: &str) -> App {
        let config = Config {
            offsite: Some(offsite.to_string()),
            ..Config::default()
        };
        drop(Store::open(path).unwrap());
        if let Some(k) = key {
            crate::store::cipher::convert(path, None, Some(k)).unwrap();
        }
        let store = Store::open_with(path, key).unwrap();
        let mut app = App::new(store, config, Keymap::defaults());
        app.prepare(10);
        app
    }

    /// Polls as the event loop does until the backup and its off-site copy are done.
    fn wait(app: &mut App) {
        let start = std::time::Instant::now();
        while app.background_running() || app.offsite_running() {
            assert!(start.elapsed().as_secs() < 60, "finished in time");
            std::thread::sleep(std::time::Duration::from_millis(20));
            app.poll_background();
        }
    }

    #[test]
    fn a_plain_desk_keeps_its_daily_backup_at_home() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("od.db");
        let mut app = app_on(&db, None, "s3://desk-backups/lihua");
        app.enable_backups(dir.path().join("backups"));
        app.do_deferred_work();
        wait(&mut app);
        assert_eq!(app.offsite_badge(), Some(OffsiteBadge::Failed));
        let (level, text) = app.status.message.clone().unwrap();
        assert_eq!(level, Level::Error);
        assert!(text.contains("orderdesk encrypt"), "{text}");
        assert_eq!(backup::list(&dir.path().join("backups"), &db).len(), 1);
    }

    #[test]
    fn an_unreachable_server_is_one_line_in_the_status_line() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("od.db");
        // Port 1 on this machine: nothing listens there (or the login is missing first).
        let mut app = app_on(&db, Some("secret words"), "webdav://127.0.0.1:1/backups");
        app.enable_backups(dir.path().join("backups"));
        app.do_deferred_work();
        wait(&mut app);
        assert_eq!(app.offsite_badge(), Some(OffsiteBadge::Failed));
        let (level, text) = app.status.message.clone().unwrap();
        assert_eq!(level, Level::Error);
        assert!(text.starts_with("Off-site backup failed: "), "{text}");
        assert!(text.contains("webdav://127.0.0.1:1/backups"), "{text}");
        assert!(!text.contains('\n'), "{text}");
    }
}
