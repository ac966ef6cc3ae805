//! WAL checkpoints off the key path. The app's connection has automatic checkpoints off
//! (`wal_autocheckpoint = 0`), so a commit never pays for copying the WAL into the database;
//! a worker with its own connection checkpoints instead (PASSIVE: it never waits for, nor
//! holds up, a writer) once the file has been quiet for a moment, or at once when the WAL
//! has grown past [`BIG_WAL`] bytes. The last connection to close checkpoints what is left.

use super::{Context, Result, Store};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the worker looks for new commits while there are some to fold in, and how
/// long the file must be quiet before it does.
const QUIET: Duration = Duration::from_millis(250);
/// How often it looks while everything is folded in.
const IDLE: Duration = Duration::from_secs(1);
/// A WAL this large is checkpointed even while commits keep coming (4,000 pages of 4 KiB).
pub const BIG_WAL: u64 = 16 * 1024 * 1024;

/// The running worker; stopped (and joined) when dropped.
pub struct Checkpointer {
    /// Checkpoints that folded the whole WAL in.
    complete: Arc<AtomicU64>,
    stop: Option<Sender<()>>,
    worker: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Turns automatic checkpoints off on `store`'s connection and starts the worker; `None`
    /// for an in-memory or read-only database (nothing to checkpoint).
    pub fn start(store: &Store) -> Result<Option<Checkpointer>> {
        if store.path() == std::path::Path::new(":memory:") || store.is_read_only() {
            return Ok(None);
        }
        let own = Store::open_again(store.path(), store.passphrase())?;
        store
            .conn()
            .pragma_update(None, "wal_autocheckpoint", 0)
            .doing("configuring checkpoints")?;
        let mut wal = store.path().as_os_str().to_owned();
        wal.push("-wal");
        let wal = PathBuf::from(wal);
        let (stop, stopped) = mpsc::channel::<()>();
        let complete = Arc::new(AtomicU64::new(0));
        let counted = complete.clone();
        let worker = std::thread::Builder::new()
            .name("checkpoint".into())
            .spawn(move || {
                let conn = own.conn();
                let _ = conn.pragma_update(None, "wal_autocheckpoint", 0);
                let version = || -> Option<i64> {
                    conn.query_row("PRAGMA data_version", [], |r| r.get(0)).ok()
                };
                let mut seen = version();
                let mut pending = false;
                loop {
                    let wait = if pending { QUIET } else { IDLE };
                    match stopped.recv_timeout(wait) {
                        Err(RecvTimeoutError::Timeout) => {}
                        _ => break,
                    }
                    let now = version();
                    let changed = now != seen;
                    seen = now;
                    let big = std::fs::metadata(&wal).is_ok_and(|m| m.len() > BIG_WAL);
                    if changed && !big {
                        pending = true;
                        continue;
                    }
                    if pending || (changed && big) {
                        if let Ok((log, done)) = checkpoint(conn) {
                            if log == done {
                                counted.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        pending = false;
                    }
                }
            })
            .map_err(|e| super::Failure::Thread {
                detail: e.to_string(),
            })?;
        Ok(Some(Checkpointer {
            complete,
            stop: Some(stop),
            worker: Some(worker),
        }))
    }
}

impl Checkpointer {
    /// How many checkpoints folded the whole WAL in so far.
    pub fn complete(&self) -> u64 {
        self.complete.load(Ordering::Relaxed)
    }
}

/// One PASSIVE checkpoint: (WAL frames, frames now in the database).
pub fn checkpoint(conn: &rusqlite::Connection) -> Result<(i64, i64)> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok((r.get(1)?, r.get(2)?))
    })
    .doing("checkpointing")
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_leave_the_wal_to_the_worker_which_folds_it_in_when_quiet() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        let store = Store::open(&path).unwrap();
        let worker = Checkpointer::start(&store)
            .unwrap()
            .expect("a file database");
        let auto: i64 = store
            .conn()
            .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
            .unwrap();
        assert_eq!(auto, 0);
        for i in 0..2000 {
            store.set_meta("n", &i.to_string()).unwrap();
        }
        // The worker folds the WAL in once the file is quiet: poll for it.
        let started = std::time::Instant::now();
        while worker.complete() == 0 {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "never checkpointed"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(worker);
        assert_eq!(store.meta("n").unwrap().as_deref(), Some("1999"));
    }

    #[test]
    fn memory_databases_have_no_worker() {
        let store = Store::open_in_memory().unwrap();
        assert!(Checkpointer::start(&store).unwrap().is_none());
    }
}
