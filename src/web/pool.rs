//! A fixed set of read connections. A request borrows one inside its blocking task and gives
//! it back when done; when all are busy it waits for the next one free.

use rusqlite::Connection;
use std::sync::{Condvar, Mutex};

pub struct Pool {
    free: Mutex<Vec<Connection>>,
    returned: Condvar,
}

pub struct Lease<'a> {
    pool: &'a Pool,
    conn: Option<Connection>,
}

impl Pool {
    pub fn new(conns: Vec<Connection>) -> Pool {
        Pool {
            free: Mutex::new(conns),
            returned: Condvar::new(),
        }
    }

    /// A free connection, waiting for one when all are lent.
    pub fn get(&self) -> Lease<'_> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(conn) = free.pop() {
                return Lease {
                    pool: self,
                    conn: Some(conn),
                };
            }
            free = self.returned.wait(free).unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl std::ops::Deref for Lease<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        // Set in `get`, taken only in `drop`.
        self.conn
            .as_ref()
            .expect("a lease holds its connection until dropped")
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool
                .free
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(conn);
            self.pool.returned.notify_one();
        }
    }
}
