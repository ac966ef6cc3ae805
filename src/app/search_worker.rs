//! Search as you type, off the key path. Each keystroke's query goes to one worker thread
//! with its own read-only connection; a newer keystroke interrupts the older query (SQLite's
//! interrupt) and the worker skips straight to the newest. The first page of matches comes
//! first (a bounded keyset walk that stops at the page's end), the capped count after it.
//! Typing never waits: the list shows its last rows until the new ones arrive (a word from
//! the worker wakes the event loop), and results for a query no longer shown are dropped.

use super::list::{Fetch, ListView, Move};
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
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

/// What the worker is asked to read.
enum Job {
    /// The first page of a new search, then its count.
    Search { height: usize },
    /// The rows a move past the window of a searched list needs.
    Move { step: Move, fetch: Fetch },
}

struct Request {
    tab: Tab,
    query: ListQuery,
    job: Job,
}

impl Request {
    fn is_search(&self) -> bool {
        matches!(self.job, Job::Search { .. })
    }
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
    Moved {
        step: Move,
        anchor: Anchor,
        page: Found,
        count: Option<u64>,
    },
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
    /// The worker is counting a search's matches (which a move may interrupt: it starts
    /// again after the move).
    counting: Arc<AtomicBool>,
}

impl Searcher {
    /// Starts the worker over `reader`, a second connection to the app's file.
    fn start(reader: crate::store::Result<Connection>, waker: Waker) -> std::io::Result<Searcher> {
        let (tx, requests) = mpsc::channel::<Request>();
        let (replies, rx) = mpsc::channel();
        let interrupt = Arc::new(Mutex::new(None));
        let counting = Arc::new(AtomicBool::new(false));
        let shared = Arc::clone(&interrupt);
        let flag = Arc::clone(&counting);
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
                let worker = Worker {
                    conn: &conn,
                    replies: &replies,
                    waker: &waker,
                    counting: &flag,
                };
                worker.run(&requests);
            })?;
        Ok(Searcher {
            tx,
            rx,
            interrupt,
            counting,
        })
    }

    fn interrupt(&self) {
        if let Ok(slot) = self.interrupt.lock() {
            if let Some(h) = slot.as_ref() {
                h.interrupt();
            }
        }
    }

    /// Cancels the query running, if any, and asks for `query` instead.
    fn ask(&self, tab: Tab, query: ListQuery, height: usize) -> bool {
        self.interrupt();
        let job = Job::Search { height };
        self.tx.send(Request { tab, query, job }).is_ok()
    }

    /// Asks for the rows a move needs; a count running meanwhile waits for them.
    fn ask_move(&self, tab: Tab, query: ListQuery, step: Move, fetch: Fetch) -> bool {
        let job = Job::Move { step, fetch };
        let sent = self.tx.send(Request { tab, query, job }).is_ok();
        if sent && self.counting.load(Ordering::SeqCst) {
            self.interrupt();
        }
        sent
    }
}

struct Worker<'a> {
    conn: &'a Connection,
    replies: &'a Sender<Reply>,
    waker: &'a Waker,
    counting: &'a AtomicBool,
}

impl Worker<'_> {
    /// Always the newest search: its page, then the moves asked meanwhile, in order, then
    /// its count. A job interrupted by anything but a newer search runs again.
    fn run(&self, requests: &Receiver<Request>) {
        let mut queue: VecDeque<Request> = VecDeque::new();
        let mut count_due: Option<Request> = None;
        loop {
            if queue.is_empty() && count_due.is_none() {
                match requests.recv() {
                    Ok(r) => queue.push_back(r),
                    Err(_) => return,
                }
            }
            queue.extend(requests.try_iter());
            // A newer search replaces the older ones, their moves and their count.
            if let Some(last) = queue.iter().rposition(Request::is_search) {
                queue.drain(..last);
                count_due = None;
            }
            if let Some(req) = queue.pop_front() {
                let answer = match &req.job {
                    Job::Search { height } => first_page(self.conn, &req, *height),
                    Job::Move { step, fetch } => moved(self.conn, &req, *step, fetch),
                };
                if answer.as_ref().is_err_and(interrupted) {
                    queue.push_front(req);
                    continue;
                }
                if !self.send(&req, answer) {
                    return;
                }
                if req.is_search() {
                    count_due = Some(req);
                }
                continue;
            }
            if let Some(req) = count_due.take() {
                self.counting.store(true, Ordering::SeqCst);
                let n = count_of(self.conn, &req);
                self.counting.store(false, Ordering::SeqCst);
                if n.as_ref().is_err_and(interrupted) {
                    count_due = Some(req);
                    continue;
                }
                if !self.send(&req, n.map(Answer::Count)) {
                    return;
                }
            }
        }
    }

    /// Sends an answer; `false` when the app is gone.
    fn send(&self, req: &Request, answer: crate::store::Result<Answer>) -> bool {
        let reply = Reply {
            tab: req.tab,
            query: req.query.clone(),
            answer: answer.map_err(|e| e.to_string()),
        };
        if self.replies.send(reply).is_err() {
            return false;
        }
        self.waker.wake();
        true
    }
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

/// Up to `limit` rows of the request's list at `anchor`.
fn rows(
    conn: &Connection,
    req: &Request,
    anchor: &Anchor,
    limit: usize,
) -> crate::store::Result<Option<Found>> {
    fn page<T: ListEntity>(
        c: &Connection,
        r: &Request,
        anchor: &Anchor,
        limit: usize,
    ) -> crate::store::Result<Page<T>> {
        fetch::<T>(c, &r.query, anchor, limit, &ListContext::current())
    }
    Ok(Some(match req.tab {
        Tab::Orders => Found::Orders(page(conn, req, anchor, limit)?),
        Tab::Customers => Found::Customers(page(conn, req, anchor, limit)?),
        Tab::Shipments => Found::Shipments(page(conn, req, anchor, limit)?),
        Tab::Complaints => Found::Complaints(page(conn, req, anchor, limit)?),
        Tab::Today | Tab::Reports => return Ok(None),
    }))
}

fn moved(
    conn: &Connection,
    req: &Request,
    step: Move,
    fetch: &Fetch,
) -> crate::store::Result<Answer> {
    let Some(page) = rows(conn, req, &fetch.anchor, fetch.limit)? else {
        return Ok(Answer::Count(0));
    };
    let count = if fetch.count {
        Some(count_of(conn, req)?)
    } else {
        None
    };
    Ok(Answer::Moved {
        step,
        anchor: fetch.anchor.clone(),
        page,
        count,
    })
}

fn first_page(conn: &Connection, req: &Request, height: usize) -> crate::store::Result<Answer> {
    Ok(match rows(conn, req, &Anchor::First, height)? {
        Some(found) => Answer::Page(found),
        None => Answer::Count(0),
    })
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

    /// A move of a searched list, made without reading anything on the key's path: rows
    /// past the window come from the search worker (a search's plan can cost seconds on a
    /// connection that has not run it). `false` when the list shows no search or has no
    /// worker: the move is for the caller to make in place.
    pub(super) fn move_searched(&mut self, step: Move) -> bool {
        let Some(searcher) = &self.workers.searcher else {
            return false;
        };
        let tab = self.tab;
        match tab {
            Tab::Orders => queue(&mut self.screens.orders.list, searcher, tab, step),
            Tab::Customers => queue(&mut self.screens.customers.list, searcher, tab, step),
            Tab::Shipments => queue(&mut self.screens.shipments.list, searcher, tab, step),
            Tab::Complaints => queue(&mut self.screens.complaints.list, searcher, tab, step),
            Tab::Today | Tab::Reports => false,
        }
    }

    /// Takes in what the search worker found for the lists as they are now.
    pub fn collect_searches(&mut self) {
        let Some(searcher) = &self.workers.searcher else {
            return;
        };
        let replies: Vec<Reply> = searcher.rx.try_iter().collect();
        // Lists whose next move the worker could not take: it is gone.
        let mut gone = Vec::new();
        for reply in replies {
            let tab = reply.tab;
            let lists = &mut self.screens;
            let next = match tab {
                Tab::Orders => take(&mut lists.orders.list, reply, |f| match f {
                    Found::Orders(p) => Some(p),
                    _ => None,
                }),
                Tab::Customers => take(&mut lists.customers.list, reply, |f| match f {
                    Found::Customers(p) => Some(p),
                    _ => None,
                }),
                Tab::Shipments => take(&mut lists.shipments.list, reply, |f| match f {
                    Found::Shipments(p) => Some(p),
                    _ => None,
                }),
                Tab::Complaints => take(&mut lists.complaints.list, reply, |f| match f {
                    Found::Complaints(p) => Some(p),
                    _ => None,
                }),
                Tab::Today | Tab::Reports => Taken::Done,
            };
            match next {
                Taken::Done => {}
                Taken::Failed(e) => self.status.message = Some((super::Level::Error, e)),
                Taken::Next(query, step, fetch) => {
                    if !searcher.ask_move(tab, query, step, fetch) {
                        gone.push(tab);
                    }
                }
            }
        }
        for tab in gone {
            self.drop_moves(tab);
        }
    }

    fn drop_moves(&mut self, tab: Tab) {
        match tab {
            Tab::Orders => self.screens.orders.list.drop_moves(),
            Tab::Customers => self.screens.customers.list.drop_moves(),
            Tab::Shipments => self.screens.shipments.list.drop_moves(),
            Tab::Complaints => self.screens.complaints.list.drop_moves(),
            Tab::Today | Tab::Reports => {}
        }
    }
}

/// What a reply left to do.
enum Taken {
    Done,
    Failed(String),
    /// The next waiting move needs these rows.
    Next(ListQuery, Move, Fetch),
}

/// Takes one reply into `list`, whose rows `rows` picks out of what was found.
fn take<T: ListEntity>(
    list: &mut ListView<T>,
    reply: Reply,
    rows: fn(Found) -> Option<Page<T>>,
) -> Taken {
    let query = reply.query;
    match reply.answer {
        Err(e) => {
            list.searching = false;
            list.drop_moves();
            Taken::Failed(e)
        }
        Ok(Answer::Page(found)) => {
            if let Some(p) = rows(found) {
                list.take_page(&query, p);
            }
            Taken::Done
        }
        Ok(Answer::Count(n)) => {
            list.take_count(&query, n);
            Taken::Done
        }
        Ok(Answer::Moved {
            step,
            anchor,
            page,
            count,
        }) => {
            let Some(p) = rows(page) else {
                return Taken::Done;
            };
            match list.take_moved(&query, step, &anchor, p, count) {
                Some(fetch) => match list.waiting_move() {
                    Some(next) => Taken::Next(list.query.clone(), next, fetch),
                    None => Taken::Done,
                },
                None => Taken::Done,
            }
        }
    }
}

/// Takes a move of a searched list in: made now within its window, else asked of the
/// worker. `false` when the list shows no search, or the worker is gone.
fn queue<T: ListEntity>(list: &mut ListView<T>, s: &Searcher, tab: Tab, step: Move) -> bool {
    if list.query.search.trim().is_empty() {
        return false;
    }
    if let Some(fetch) = list.queue_move(step) {
        if !s.ask_move(tab, list.query.clone(), step, fetch) {
            list.drop_moves();
            return false;
        }
    }
    true
}

fn pend<T: ListEntity>(list: &mut ListView<T>, s: &Searcher, tab: Tab, text: &str) -> bool {
    list.query.search = text.to_string();
    list.searching = true;
    list.drop_moves();
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

    /// A file desk of `n` orders SO-0000…, each in the search index.
    fn desk(dir: &tempfile::TempDir, n: i64) -> Store {
        let store = Store::open(&dir.path().join("s.db")).unwrap();
        for i in 0..n {
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
        store
    }

    fn shown(app: &App) -> Vec<String> {
        let list = &app.screens.orders.list;
        list.rows.iter().map(|r| r.order_no.clone()).collect()
    }

    #[test]
    fn searches_run_on_the_worker_and_only_the_newest_is_shown() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = App::new(desk(&dir, 300), Config::default(), Keymap::defaults());
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

    /// Paging a searched list past its window reads nothing on the key's path: the rows
    /// come from the worker, and the moves pressed meanwhile follow in order.
    #[test]
    fn paging_a_search_waits_for_the_worker_and_keeps_the_keys_in_order() {
        use crate::app::keymap::Action;
        let dir = tempfile::tempdir().unwrap();
        let mut app = App::new(desk(&dir, 300), Config::default(), Keymap::defaults());
        app.prepare(10);
        app.search_for("SO-").unwrap();
        until(&mut app, |a| a.screens.orders.list.total.is_some());
        assert_eq!(shown(&app)[0], "SO-0299");
        app.move_cursor(Action::Down).unwrap();
        assert_eq!(
            app.screens.orders.list.cursor, 1,
            "within the window: at once"
        );
        for action in [Action::PageDown, Action::PageDown, Action::Down] {
            app.move_cursor(action).unwrap();
        }
        assert!(app.screens.orders.list.is_moving());
        assert_eq!(shown(&app)[0], "SO-0299", "nothing read on the key's path");
        until(&mut app, |a| !a.screens.orders.list.is_moving());
        let list = &app.screens.orders.list;
        assert_eq!((list.offset, list.cursor), (20, 2));
        assert_eq!(shown(&app)[0], "SO-0279");
        assert_eq!(list.selected().unwrap().order_no, "SO-0277");
        // The end and back to the top, on the worker too.
        app.move_cursor(Action::Bottom).unwrap();
        until(&mut app, |a| !a.screens.orders.list.is_moving());
        let list = &app.screens.orders.list;
        assert_eq!(list.selected().unwrap().order_no, "SO-0000");
        assert_eq!(list.offset, 290);
        app.move_cursor(Action::Top).unwrap();
        until(&mut app, |a| !a.screens.orders.list.is_moving());
        assert_eq!(shown(&app)[0], "SO-0299");
        // A new search drops the moves still waiting.
        app.move_cursor(Action::PageDown).unwrap();
        app.search_for("SO-01").unwrap();
        assert!(!app.screens.orders.list.is_moving());
        until(&mut app, |a| a.screens.orders.list.total.is_some());
        assert_eq!(shown(&app)[0], "SO-0199");
    }
}
