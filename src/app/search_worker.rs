//! Search as you type, off the key path. Each keystroke's query goes to one worker thread
//! with its own read-only connection; a newer keystroke interrupts the older query (SQLite's
//! interrupt) and the worker skips straight to the newest. The first page of matches comes
//! first (a bounded keyset walk that stops at the page's end), the capped count after it.
//! Typing never waits: the list shows its last rows until the new ones arrive (a word from
//! the worker wakes the event loop), and results for a query no longer shown are dropped.

use super::list::ListView;
use super::tab::Tab;
use super::wake::Waker;
use super::App;
use crate::store::complaints::ComplaintRow;
use crate::store::customers::CustomerRow;
use crate::store::list::{count, fetch, Anchor, ListContext, ListEntity, ListQuery, Page};
use crate::store::orders::OrderRow;
use crate::store::shipments::ShipmentRow;
use crate::store::StoreError;
use rusqlite::{Connection, InterruptHandle};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex};

struct Request {
    tab: Tab,
    query: ListQuery,
    height: usize,
}

/// A page of one list's rows.
pub enum Found {
    Orders(Page<OrderRow>),
    Customers(Page<CustomerRow>),
    Shipments(Page<ShipmentRow>),
    Complaints(Page<ComplaintRow>),
}

enum Answer {
    Page(Found),
    Count(u64),
}

struct Reply {
    tab: Tab,
    query: ListQuery,
    answer: Result<Answer, String>,
}

pub struct Searcher {
    tx: Sender<Request>,
    rx: Receiver<Reply>,
    interrupt: Arc<Mutex<Option<InterruptHandle>>>,
}

impl Searcher {
    /// Starts the worker over `reader`, a second connection to the app's file.
    fn start(reader: crate::store::Result<Connection>, waker: Waker) -> std::io::Result<Searcher> {
        let (tx, requests) = mpsc::channel::<Request>();
        let (replies, rx) = mpsc::channel();
        let interrupt = Arc::new(Mutex::new(None));
        let shared = Arc::clone(&interrupt);
        std::thread::Builder::new()
            .name("search".into())
            .spawn(move || {
                let conn = match reader {
                    Ok(c) => c,
                    Err(e) => {
                        // Every request gets the same answer: the search cannot run.
                        while let Ok(req) = requests.recv() {
                            let reply = Reply {
                                tab: req.tab,
                                query: req.query,
                                answer: Err(e.to_string()),
                            };
                            if replies.send(reply).is_err() {
                                return;
                            }
                            waker.wake();
                        }
                        return;
                    }
                };
                if let Ok(mut slot) = shared.lock() {
                    *slot = Some(conn.get_interrupt_handle());
                }
                work(&conn, &requests, &replies, &waker);
            })?;
        Ok(Searcher { tx, rx, interrupt })
    }

    /// Cancels the query running, if any, and asks for `query` instead.
    fn ask(&self, tab: Tab, query: ListQuery, height: usize) -> bool {
        if let Ok(slot) = self.interrupt.lock() {
            if let Some(h) = slot.as_ref() {
                h.interrupt();
            }
        }
        self.tx.send(Request { tab, query, height }).is_ok()
    }
}

/// The worker: always the newest request, its page, then its count unless a newer one came.
fn work(conn: &Connection, requests: &Receiver<Request>, replies: &Sender<Reply>, waker: &Waker) {
    let mut next = None;
    loop {
        let mut req = match next.take() {
            Some(r) => r,
            None => match requests.recv() {
                Ok(r) => r,
                Err(_) => return,
            },
        };
        while let Ok(newer) = requests.try_recv() {
            req = newer;
        }
        let page = first_page(conn, &req);
        if !send(replies, waker, &req, page) {
            return;
        }
        match requests.try_recv() {
            Ok(newer) => {
                next = Some(newer);
                continue;
            }
            Err(TryRecvError::Disconnected) => return,
            Err(TryRecvError::Empty) => {}
        }
        let n = count_of(conn, &req).map(Answer::Count);
        if !send(replies, waker, &req, n) {
            return;
        }
    }
}

/// Sends an answer unless the query was interrupted (a newer one replaces it); `false` when
/// the app is gone.
fn send(
    replies: &Sender<Reply>,
    waker: &Waker,
    req: &Request,
    answer: crate::store::Result<Answer>,
) -> bool {
    let answer = match answer {
        Err(e) if interrupted(&e) => return true,
        a => a.map_err(|e| e.to_string()),
    };
    let reply = Reply {
        tab: req.tab,
        query: req.query.clone(),
        answer,
    };
    if replies.send(reply).is_err() {
        return false;
    }
    waker.wake();
    true
}

fn interrupted(e: &StoreError) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(rusqlite::Error::SqliteFailure(f, _)) = err.downcast_ref::<rusqlite::Error>() {
            if f.code == rusqlite::ErrorCode::OperationInterrupted {
                return true;
            }
        }
        source = err.source();
    }
    e.to_string().contains("interrupted")
}

fn first_page(conn: &Connection, req: &Request) -> crate::store::Result<Answer> {
    fn page<T: ListEntity>(c: &Connection, r: &Request) -> crate::store::Result<Page<T>> {
        fetch::<T>(
            c,
            &r.query,
            &Anchor::First,
            r.height,
            &ListContext::current(),
        )
    }
    Ok(Answer::Page(match req.tab {
        Tab::Orders => Found::Orders(page(conn, req)?),
        Tab::Customers => Found::Customers(page(conn, req)?),
        Tab::Shipments => Found::Shipments(page(conn, req)?),
        Tab::Complaints => Found::Complaints(page(conn, req)?),
        Tab::Today | Tab::Reports => return Ok(Answer::Count(0)),
    }))
}

fn count_of(conn: &Connection, req: &Request) -> crate::store::Result<u64> {
    let ctx = ListContext::current();
    match req.tab {
        Tab::Orders => count::<OrderRow>(conn, &req.query, &ctx),
        Tab::Customers => count::<CustomerRow>(conn, &req.query, &ctx),
        Tab::Shipments => count::<ShipmentRow>(conn, &req.query, &ctx),
        Tab::Complaints => count::<ComplaintRow>(conn, &req.query, &ctx),
        Tab::Today | Tab::Reports => Ok(0),
    }
}

impl App {
    /// A new search text for the current list: on the worker when the app has a file, in
    /// place otherwise (tests on a memory database).
    pub(super) fn search_for(&mut self, text: &str) -> super::AppResult {
        if self.workers.searcher.is_none() {
            if let Some(reader) = self.store.reader() {
                self.workers.searcher = Searcher::start(reader, self.workers.waker.clone()).ok();
            }
        }
        let Some(searcher) = &self.workers.searcher else {
            return self.set_search(text);
        };
        let tab = self.tab;
        let asked = match tab {
            Tab::Orders => pend(&mut self.screens.orders.list, searcher, tab, text),
            Tab::Customers => pend(&mut self.screens.customers.list, searcher, tab, text),
            Tab::Shipments => pend(&mut self.screens.shipments.list, searcher, tab, text),
            Tab::Complaints => pend(&mut self.screens.complaints.list, searcher, tab, text),
            Tab::Today | Tab::Reports => true,
        };
        if asked {
            Ok(())
        } else {
            // The worker is gone: search in place.
            self.workers.searcher = None;
            self.set_search(text)
        }
    }

    /// Takes in what the search worker found for the lists as they are now.
    pub fn collect_searches(&mut self) {
        let Some(searcher) = &self.workers.searcher else {
            return;
        };
        let replies: Vec<Reply> = searcher.rx.try_iter().collect();
        for reply in replies {
            let answer = match reply.answer {
                Ok(a) => a,
                Err(e) => {
                    self.status.message = Some((super::Level::Error, e));
                    match reply.tab {
                        Tab::Orders => self.screens.orders.list.searching = false,
                        Tab::Customers => self.screens.customers.list.searching = false,
                        Tab::Shipments => self.screens.shipments.list.searching = false,
                        Tab::Complaints => self.screens.complaints.list.searching = false,
                        Tab::Today | Tab::Reports => {}
                    }
                    continue;
                }
            };
            match (reply.tab, answer) {
                (Tab::Orders, Answer::Page(Found::Orders(p))) => {
                    self.screens.orders.list.take_page(&reply.query, p)
                }
                (Tab::Customers, Answer::Page(Found::Customers(p))) => {
                    self.screens.customers.list.take_page(&reply.query, p)
                }
                (Tab::Shipments, Answer::Page(Found::Shipments(p))) => {
                    self.screens.shipments.list.take_page(&reply.query, p)
                }
                (Tab::Complaints, Answer::Page(Found::Complaints(p))) => {
                    self.screens.complaints.list.take_page(&reply.query, p)
                }
                (Tab::Orders, Answer::Count(n)) => {
                    self.screens.orders.list.take_count(&reply.query, n)
                }
                (Tab::Customers, Answer::Count(n)) => {
                    self.screens.customers.list.take_count(&reply.query, n)
                }
                (Tab::Shipments, Answer::Count(n)) => {
                    self.screens.shipments.list.take_count(&reply.query, n)
                }
                (Tab::Complaints, Answer::Count(n)) => {
                    self.screens.complaints.list.take_count(&reply.query, n)
                }
                _ => {}
            }
        }
    }
}

fn pend<T: ListEntity>(list: &mut ListView<T>, s: &Searcher, tab: Tab, text: &str) -> bool {
    list.query.search = text.to_string();
    list.searching = true;
    // The rows shown stay until the new ones come; their count no longer holds.
    list.total = None;
    s.ask(tab, list.query.clone(), list.height)
}

#[cfg(test)]
mod tests {
    use crate::app::keymap::Keymap;
    use crate::app::App;
    use crate::config::Config;
    use crate::store::Store;
    use std::time::{Duration, Instant};

    /// Takes in the worker's answers until `done`, or fails after a generous deadline.
    fn until(app: &mut App, done: impl Fn(&App) -> bool) {
        let start = Instant::now();
        while !done(app) {
            assert!(start.elapsed() < Duration::from_secs(30), "no answer");
            std::thread::sleep(Duration::from_millis(2));
            app.collect_searches();
        }
    }

    #[test]
    fn searches_run_on_the_worker_and_only_the_newest_is_shown() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db")).unwrap();
        for i in 0..300 {
            store
                .conn()
                .execute(
                    "INSERT INTO orders (order_no, ordered_at, status_changed_at, created_at, updated_at)
                     VALUES (?1, ?2, 0, 0, 0)",
                    rusqlite::params![format!("SO-{i:04}"), 1_000 + i],
                )
                .unwrap();
            crate::store::search::reindex_order(store.conn(), i + 1).unwrap();
        }
        let mut app = App::new(store, Config::default(), Keymap::defaults());
        app.prepare(10);
        assert_eq!(app.screens.orders.list.rows.len(), 10);
        // Typed quickly: the list keeps its rows until the newest query's answer arrives.
        for text in ["SO-", "SO-01", "SO-012", "SO-0123"] {
            app.search_for(text).unwrap();
        }
        assert!(app.screens.orders.list.searching);
        assert!(
            !app.has_deferred_work(),
            "nothing counts in place meanwhile"
        );
        until(&mut app, |a| a.screens.orders.list.total.is_some());
        let nos: Vec<_> = app
            .screens
            .orders
            .list
            .rows
            .iter()
            .map(|r| r.order_no.clone())
            .collect();
        assert_eq!(nos, vec!["SO-0123"]);
        assert_eq!(app.screens.orders.list.total, Some(1));
        // A term matching nothing: no rows, counted as none.
        app.search_for("nothing like it").unwrap();
        until(&mut app, |a| a.screens.orders.list.total.is_some());
        assert!(app.screens.orders.list.rows.is_empty());
        assert_eq!(app.screens.orders.list.total, Some(0));
    }
}
