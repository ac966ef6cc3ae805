//! A fixed set of read connections. A request waits for a free one on the async side (a
//! semaphore, so no thread blocks while it waits), then takes it into its blocking task and
//! gives it back when done.

use rusqlite::Connection;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub struct Pool {
    free: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
}

/// A connection lent to one request; back in the pool when dropped.
pub struct Lease {
    pool: Arc<Pool>,
    conn: Option<Connection>,
    _permit: OwnedSemaphorePermit,
}

impl Pool {
    pub fn new(conns: Vec<Connection>) -> Pool {
        Pool {
            permits: Arc::new(Semaphore::new(conns.len())),
            free: Mutex::new(conns),
        }
    }

    /// A free connection, waiting (without blocking a thread) for one when all are lent.
    /// `None` only when the pool is closed, which it never is.
    pub async fn get(self: &Arc<Self>) -> Option<Lease> {
        let permit = self.permits.clone().acquire_owned().await.ok()?;
        // A permit is only ever held with a connection out of the list, so one is there.
        let conn = self.free.lock().unwrap_or_else(|e| e.into_inner()).pop()?;
        Some(Lease {
            pool: self.clone(),
            conn: Some(conn),
            _permit: permit,
        })
    }
}

impl std::ops::Deref for Lease {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        // Set in `get`, taken only in `drop`.
        self.conn
            .as_ref()
            .expect("a lease holds its connection until dropped")
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        // The connection goes back before the permit (dropped after this body), so the
        // next holder of the permit finds it.
        if let Some(conn) = self.conn.take() {
            self.pool
                .free
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(conn);
        }
    }
}
