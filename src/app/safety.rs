//! Backups from inside the app: the daily one (the first start of each local day, started
//! right after the first frame is on screen) and "backup now" from the palette. Each runs on
//! a thread of its own with its own connection, so keys are never kept waiting; how it went
//! shows in the status line, and when the last one was made at the right of it.

use super::{App, Level};
use crate::i18n::{t, tf};
use crate::store::backup::{self, Done};
use crate::store::Store;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::thread::JoinHandle;

#[derive(Default)]
pub struct Backups {
    /// Set when the app runs on a real file (never in tests on a memory database).
    pub folder: Option<PathBuf>,
    /// When the last backup was made (Unix seconds), once known.
    pub last: Option<i64>,
    daily_pending: bool,
    job: Option<Job>,
    /// The off-site copy of the daily backup (see `app::offsite`).
    pub offsite: super::offsite::Offsite,
    /// A plain desk's "unprotected" note was shown (once per session; see `app::authorise`).
    pub unprotected_said: bool,
}

struct Job {
    result: Receiver<Result<Done, String>>,
    thread: JoinHandle<()>,
    daily: bool,
}

/// The backup badge: when the last backup was made today, else a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Badge {
    Running,
    Today(String),
    NoneToday,
}

impl App {
    /// Backups go to `folder`; the daily one is due after the first frame.
    pub fn enable_backups(&mut self, folder: PathBuf) {
        self.workers.backups.folder = Some(folder);
        self.workers.backups.daily_pending = true;
    }

    pub(super) fn backup_deferred(&self) -> bool {
        self.workers.backups.daily_pending
    }

    /// The daily check: reads when the last backup was made; none today starts one.
    pub(super) fn daily_backup(&mut self) {
        self.workers.backups.daily_pending = false;
        match backup::last_backup(&self.store) {
            Ok(last) => self.workers.backups.last = last,
            Err(e) => {
                self.status.message = Some((Level::Error, e.to_string()));
                return;
            }
        }
        let today = crate::domain::time::today();
        if self
            .workers
            .backups
            .last
            .is_none_or(|ts| crate::domain::time::local_date(ts) != today)
        {
            self.start_backup(true);
        }
    }

    /// Starts a backup on its own thread (one at a time).
    pub(super) fn start_backup(&mut self, daily: bool) {
        let Some(folder) = self.workers.backups.folder.clone() else {
            self.status.message = Some((Level::Error, t("backup.unavailable").to_string()));
            return;
        };
        if self.workers.backups.job.is_some() {
            self.info(t("backup.already_running").to_string());
            return;
        }
        let path = self.store.path().to_path_buf();
        let key = self
            .store
            .passphrase()
            .map(|p| crate::store::cipher::Passphrase::new(p.to_string()));
        let (tx, result) = mpsc::channel();
        let waker = self.workers.waker.clone();
        let spawned = std::thread::Builder::new()
            .name("backup".into())
            .spawn(move || {
                lower_priority();
                hold_for_tests();
                let r = Store::open_again(&path, key.as_ref().map(|k| k.as_str()))
                    .and_then(|store| backup::backup(&store, &folder))
                    .map_err(|e| e.to_string());
                let _ = tx.send(r);
                waker.wake();
            });
        match spawned {
            Ok(thread) => {
                self.workers.backups.job = Some(Job {
                    result,
                    thread,
                    daily,
                });
                if !daily {
                    self.info(t("backup.started").to_string());
                }
            }
            Err(e) => self.status.message = Some((Level::Error, e.to_string())),
        }
    }

    /// A backup is running on its thread.
    pub fn background_running(&self) -> bool {
        self.workers.backups.job.is_some()
    }

    /// Takes the result of a finished backup into the status line.
    pub fn poll_background(&mut self) {
        self.poll_offsite();
        let Some(job) = &self.workers.backups.job else {
            return;
        };
        let outcome = match job.result.try_recv() {
            Ok(r) => r,
            Err(TryRecvError::Empty) => return,
            Err(TryRecvError::Disconnected) => Err(t("backup.stopped").to_string()),
        };
        let daily = job.daily;
        if let Some(job) = self.workers.backups.job.take() {
            let _ = job.thread.join();
        }
        if let (Ok(done), true) = (&outcome, daily) {
            self.start_offsite(done.path.clone());
        }
        match outcome {
            // The daily backup's success never hides what the clerk's own last key said:
            // the badge shows it was made.
            Ok(done) if daily && self.status.message.is_some() => {
                self.workers.backups.last = Some(done.at)
            }
            Ok(done) => {
                self.workers.backups.last = Some(done.at);
                let key = if daily {
                    "backup.daily_done"
                } else {
                    "backup.done"
                };
                self.info(tf(key, &[("path", &done.path.display())]));
            }
            Err(e) => {
                self.status.message = Some((Level::Error, tf("backup.failed", &[("error", &e)])));
            }
        }
    }

    /// On quitting: stops an attachment being copied (its partial file is removed) and waits
    /// for a running backup to end (a half-written backup is no use).
    pub fn finish_background(&mut self) {
        self.stop_attach();
        if let Some(job) = self.workers.backups.job.take() {
            let _ = job.thread.join();
        }
    }

    /// What the status line shows about backups; nothing until the first check is done.
    pub fn backup_badge(&self) -> Option<Badge> {
        self.workers.backups.folder.as_ref()?;
        if self.background_running() {
            return Some(Badge::Running);
        }
        if self.workers.backups.daily_pending {
            return None;
        }
        let today = crate::domain::time::today();
        Some(match self.workers.backups.last {
            Some(ts) if crate::domain::time::local_date(ts) == today => {
                Badge::Today(crate::domain::time::local(ts).format("%H:%M").to_string())
            }
            _ => Badge::NoneToday,
        })
    }
}

/// The backup thread yields the CPU to the clerk's keys: on a busy machine the copy and its
/// check take longer, never the next frame.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: gettid has no arguments and cannot fail; setpriority only changes the nice
        // value of this thread (Linux keeps one per thread), and failing leaves it as it was.
        unsafe {
            let tid = libc::syscall(libc::SYS_gettid);
            if let Ok(tid) = libc::id_t::try_from(tid) {
                let _ = libc::setpriority(libc::PRIO_PROCESS, tid, 10);
            }
        }
    }
}

/// Debug builds only: while the file named by `ORDERDESK_TEST_HOLD_BACKUP` exists, a backup
/// waits before it starts, so a test can watch the app while a backup runs however fast the
/// machine is.
fn hold_for_tests() {
    if !cfg!(debug_assertions) {
        return;
    }
    let Some(path) = std::env::var_os("ORDERDESK_TEST_HOLD_BACKUP") else {
        return;
    };
    while std::path::Path::new(&path).exists() {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::Keymap;
    use crate::app::palette::Command;
    use crate::config::Config;
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    fn app_on(path: &std::path::Path) -> App {
        let mut app = App::new(
            Store::open(path).unwrap(),
            Config::default(),
            Keymap::defaults(),
        );
        app.prepare(10);
        app
    }

    /// Polls as the event loop does until the backup thread is done.
    fn wait(app: &mut App) {
        let start = std::time::Instant::now();
        while app.background_running() {
            assert!(start.elapsed().as_secs() < 60, "backup finished in time");
            std::thread::sleep(std::time::Duration::from_millis(20));
            app.poll_background();
        }
    }

    fn status_line(app: &mut App, width: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(width, 20)).unwrap();
        app.prepare(crate::ui::list_height(20));
        t.draw(|f| crate::ui::draw(f, app)).unwrap();
        let buf = t.backend().buffer();
        (0..width).map(|x| buf[(x, 18)].symbol()).collect()
    }

    #[test]
    fn the_first_start_of_the_day_backs_up_after_the_first_frame() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("od.db");
        let folder = dir.path().join("backups");
        let mut app = app_on(&db);
        app.enable_backups(folder.clone());
        assert_eq!(app.backup_badge(), None, "nothing known before the check");
        assert!(!folder.exists(), "nothing before the first frame");
        assert!(app.has_deferred_work());
        app.do_deferred_work();
        assert!(app.background_running());
        assert_eq!(app.backup_badge(), Some(Badge::Running));
        wait(&mut app);
        let (level, text) = app.status.message.clone().unwrap();
        assert_eq!(level, Level::Info, "{text}");
        assert!(text.contains("Daily backup written"), "{text}");
        assert!(matches!(app.backup_badge(), Some(Badge::Today(_))));
        assert_eq!(backup::list(&folder, &db).len(), 1);
        assert!(status_line(&mut app, 100).contains("backup "));
        drop(app);

        // Started again the same day: no second backup.
        let mut again = app_on(&db);
        again.enable_backups(folder.clone());
        again.do_deferred_work();
        assert!(!again.background_running());
        assert!(matches!(again.backup_badge(), Some(Badge::Today(_))));

        // From the palette: another one, whenever asked.
        again.run_command(Command::BackupNow).unwrap();
        wait(&mut again);
        let (_, text) = again.status.message.clone().unwrap();
        assert!(text.starts_with("Backup written"), "{text}");
        assert_eq!(backup::list(&folder, &db).len(), 2);
    }

    #[test]
    fn a_failed_backup_says_so_and_warns() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("od.db");
        // A file where the folder should be.
        let folder = dir.path().join("not-a-folder");
        std::fs::write(&folder, b"x").unwrap();
        let mut app = app_on(&db);
        app.enable_backups(folder);
        app.do_deferred_work();
        wait(&mut app);
        let (level, text) = app.status.message.clone().unwrap();
        assert_eq!(level, Level::Error);
        assert!(text.starts_with("Backup failed"), "{text}");
        assert_eq!(app.backup_badge(), Some(Badge::NoneToday));
        app.status.message = None;
        assert!(status_line(&mut app, 100).contains("no backup today"));
    }

    #[test]
    fn a_memory_database_has_no_backups() {
        let mut app = App::new(
            crate::app::fixture::store(3),
            Config::default(),
            Keymap::defaults(),
        );
        assert_eq!(app.backup_badge(), None);
        app.run_command(Command::BackupNow).unwrap();
        assert_eq!(
            app.status.message.as_ref().map(|m| &m.0),
            Some(&Level::Error)
        );
        assert!(!app.background_running());
    }
}
