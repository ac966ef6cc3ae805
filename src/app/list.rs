//! A window onto a list: the rows on screen, the cursor, marks, and how many rows match.
//! Every move asks the store for just the rows it needs (keyset paging).

use crate::store::list::{
    count, count_hidden, fetch, key_of, rows_before, Anchor, Key, ListContext, ListEntity,
    ListQuery, Page,
};
use crate::store::Result;
use rusqlite::Connection;
use std::collections::{BTreeSet, VecDeque};

/// A move of the cursor that may need rows beyond those loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
}

/// The rows a move needs: up to `limit` at `anchor`, and the list's count when `count`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetch {
    pub anchor: Anchor,
    pub limit: usize,
    pub count: bool,
}

enum Step {
    /// The cursor goes to this row of the window; nothing to read.
    Here(usize),
    Fetch(Fetch),
}

/// Moves kept while one waits for its rows (a held key repeats; more are dropped).
const MAX_WAITING_MOVES: usize = 32;

pub struct ListView<T> {
    pub query: ListQuery,
    pub rows: Vec<T>,
    keys: Vec<Key>,
    /// Index of the selected row within `rows`.
    pub cursor: usize,
    /// Position of `rows[0]` in the whole list, when known.
    pub offset: u64,
    /// `offset` is exact; false after going to a row deeper than `POSITION_CAP`, until the
    /// cursor goes to the top or the end.
    pub position_known: bool,
    /// Rows matching the query; `None` until counted (counting waits for the first frame).
    pub total: Option<u64>,
    /// Rows the default view leaves out (closed orders), counted with `total`.
    pub hidden: Option<u64>,
    pub height: usize,
    /// Ids of marked rows.
    pub marks: BTreeSet<i64>,
    loaded: bool,
    /// The data changed while the list was not on screen: reload it when it is shown.
    stale: bool,
    /// A search of this list runs on the worker (see `search_worker`): its rows and count
    /// come from there, so nothing counts it here meanwhile.
    pub searching: bool,
    /// Moves past the window of a search, waiting for the worker's rows in the order
    /// pressed; the first has asked for them.
    moves: VecDeque<Move>,
}

impl<T: ListEntity> Default for ListView<T> {
    fn default() -> Self {
        ListView {
            query: ListQuery::default(),
            rows: Vec::new(),
            keys: Vec::new(),
            cursor: 0,
            offset: 0,
            position_known: true,
            total: None,
            hidden: None,
            height: 20,
            marks: BTreeSet::new(),
            loaded: false,
            stale: false,
            searching: false,
            moves: VecDeque::new(),
        }
    }
}

impl<T: ListEntity> ListView<T> {
    pub fn is_loaded(&self) -> bool {
        self.loaded
    }

    /// Reloads (and recounts) the next time the list is shown, rather than now.
    pub fn mark_stale(&mut self) {
        if self.loaded {
            self.stale = true;
            self.total = None;
        }
    }

    pub fn selected(&self) -> Option<&T> {
        self.rows.get(self.cursor)
    }

    pub fn selected_id(&self) -> Option<i64> {
        self.keys.get(self.cursor).map(|k| k.id)
    }

    fn load(
        &mut self,
        conn: &Connection,
        anchor: Anchor,
        limit: usize,
    ) -> Result<(Vec<Key>, Vec<T>)> {
        let page = fetch::<T>(conn, &self.query, &anchor, limit, &ListContext::current())?;
        Ok((page.keys, page.rows))
    }

    fn set(&mut self, keys: Vec<Key>, rows: Vec<T>) {
        self.keys = keys;
        self.rows = rows;
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
        self.loaded = true;
    }

    /// From the top, after a new query, filter or sort; the count follows later.
    pub fn reset(&mut self, conn: &Connection) -> Result<()> {
        let (k, r) = self.load(conn, Anchor::First, self.height)?;
        self.searching = false;
        self.moves.clear();
        self.stale = false;
        self.offset = 0;
        self.position_known = true;
        self.cursor = 0;
        self.total = None;
        self.set(k, r);
        Ok(())
    }

    /// Re-reads the window where it stands (after a change, or a new height), keeping the
    /// cursor on the same row when it is still there.
    pub fn refresh(&mut self, conn: &Connection) -> Result<()> {
        self.stale = false;
        let Some(first) = self.keys.first().cloned() else {
            return self.reset(conn);
        };
        let keep = self.selected_id();
        let (mut k, mut r) = self.load(conn, Anchor::From(first), self.height)?;
        if k.len() < self.height {
            // Near the end: fill the window from below instead of leaving it half empty.
            let (lk, lr) = self.load(conn, Anchor::Last, self.height)?;
            let shift = lk.len().saturating_sub(k.len()) as u64;
            self.offset = self.offset.saturating_sub(shift);
            k = lk;
            r = lr;
        }
        self.set(k, r);
        if let Some(pos) = keep.and_then(|id| self.keys.iter().position(|key| key.id == id)) {
            self.cursor = pos;
        }
        Ok(())
    }

    pub fn resize(&mut self, conn: &Connection, height: usize) -> Result<()> {
        let height = height.max(1);
        if height != self.height || !self.loaded || self.stale {
            self.height = height;
            if self.loaded {
                self.refresh(conn)?;
            } else {
                self.reset(conn)?;
            }
        }
        Ok(())
    }

    /// The first page the search worker found for `query`, if the list still shows it.
    pub fn take_page(&mut self, query: &ListQuery, page: crate::store::list::Page<T>) {
        if *query != self.query || !self.searching {
            return;
        }
        self.moves.clear();
        self.stale = false;
        self.offset = 0;
        self.position_known = true;
        self.cursor = 0;
        self.total = None;
        self.set(page.keys, page.rows);
    }

    /// The count the search worker made for `query`, if the list still shows it.
    pub fn take_count(&mut self, query: &ListQuery, n: u64) {
        if *query == self.query && self.searching {
            self.total = Some(n);
            self.searching = false;
        }
    }

    /// Has wanted rows or a count that nobody is computing.
    pub fn needs_count(&self) -> bool {
        self.loaded && self.total.is_none() && !self.searching
    }

    pub fn count_now(&mut self, conn: &Connection) -> Result<()> {
        self.total = Some(count::<T>(conn, &self.query, &ListContext::current())?);
        self.hidden = count_hidden::<T>(conn, &self.query)?;
        Ok(())
    }

    pub fn down(&mut self, conn: &Connection) -> Result<()> {
        self.go(conn, Move::Down)
    }

    pub fn up(&mut self, conn: &Connection) -> Result<()> {
        self.go(conn, Move::Up)
    }

    pub fn page_down(&mut self, conn: &Connection) -> Result<()> {
        self.go(conn, Move::PageDown)
    }

    pub fn page_up(&mut self, conn: &Connection) -> Result<()> {
        self.go(conn, Move::PageUp)
    }

    pub fn top(&mut self, conn: &Connection) -> Result<()> {
        self.go(conn, Move::Top)
    }

    pub fn bottom(&mut self, conn: &Connection) -> Result<()> {
        self.go(conn, Move::Bottom)
    }

    /// One move, reading what it needs here and now.
    fn go(&mut self, conn: &Connection, m: Move) -> Result<()> {
        match self.plan(m) {
            Step::Here(cursor) => self.cursor = cursor,
            Step::Fetch(f) => {
                let page = fetch::<T>(
                    conn,
                    &self.query,
                    &f.anchor,
                    f.limit,
                    &ListContext::current(),
                )?;
                if f.count {
                    self.count_now(conn)?;
                }
                self.apply(m, page);
            }
        }
        Ok(())
    }

    /// Where move `m` takes the cursor within the rows loaded, or the rows it needs.
    fn plan(&self, m: Move) -> Step {
        let fetch = |anchor: Anchor, limit: usize| {
            Step::Fetch(Fetch {
                anchor,
                limit,
                count: false,
            })
        };
        let (first, last) = (self.keys.first().cloned(), self.keys.last().cloned());
        match m {
            Move::Down if self.cursor + 1 < self.rows.len() => Step::Here(self.cursor + 1),
            Move::Up if self.cursor > 0 => Step::Here(self.cursor - 1),
            Move::Down => last.map_or(Step::Here(self.cursor), |k| fetch(Anchor::After(k), 1)),
            Move::Up => first.map_or(Step::Here(self.cursor), |k| fetch(Anchor::Before(k), 1)),
            Move::PageDown => last.map_or(Step::Here(self.cursor), |k| {
                fetch(Anchor::After(k), self.height)
            }),
            Move::PageUp => first.map_or(Step::Here(self.cursor), |k| {
                fetch(Anchor::Before(k), self.height)
            }),
            Move::Top => fetch(Anchor::First, self.height),
            Move::Bottom => Step::Fetch(Fetch {
                anchor: Anchor::Last,
                limit: self.height,
                count: self.total.is_none(),
            }),
        }
    }

    /// Move `m` with the rows it asked for.
    fn apply(&mut self, m: Move, page: Page<T>) {
        let (k, r) = (page.keys, page.rows);
        let n = k.len();
        match m {
            Move::Down => {
                if n > 0 {
                    self.keys.extend(k);
                    self.rows.extend(r);
                    if self.rows.len() > self.height {
                        self.keys.remove(0);
                        self.rows.remove(0);
                        self.offset += 1;
                    }
                    self.cursor = self.rows.len() - 1;
                }
            }
            Move::Up => {
                if n > 0 {
                    self.keys.splice(0..0, k);
                    self.rows.splice(0..0, r);
                    self.keys.truncate(self.height);
                    self.rows.truncate(self.height);
                    self.offset = self.offset.saturating_sub(1);
                }
            }
            Move::PageDown => {
                if n == 0 {
                    self.cursor = self.rows.len().saturating_sub(1);
                    return;
                }
                self.keys.extend(k);
                self.rows.extend(r);
                let drop = self.rows.len().saturating_sub(self.height);
                self.keys.drain(..drop);
                self.rows.drain(..drop);
                self.offset += drop as u64;
                if n < self.height {
                    self.cursor = self.rows.len() - 1;
                }
            }
            Move::PageUp => {
                if n == 0 {
                    self.cursor = 0;
                    return;
                }
                self.keys.splice(0..0, k);
                self.rows.splice(0..0, r);
                self.keys.truncate(self.height);
                self.rows.truncate(self.height);
                self.offset = self.offset.saturating_sub(n as u64);
                if n < self.height {
                    self.cursor = 0;
                }
            }
            Move::Top => {
                self.offset = 0;
                self.position_known = true;
                self.cursor = 0;
                self.set(k, r);
            }
            Move::Bottom => {
                self.offset = self.total.unwrap_or(n as u64).saturating_sub(n as u64);
                if self.total.is_some() {
                    self.position_known = true;
                }
                self.set(k, r);
                self.cursor = self.rows.len().saturating_sub(1);
            }
        }
    }

    /// Takes move `m` in without reading anything: within the rows loaded it moves now;
    /// past them it returns the rows it needs, and waits for them (see `take_moved`) with
    /// any later moves behind it, so they happen in the order pressed.
    pub fn queue_move(&mut self, m: Move) -> Option<Fetch> {
        if !self.moves.is_empty() {
            if self.moves.len() < MAX_WAITING_MOVES {
                self.moves.push_back(m);
            }
            return None;
        }
        match self.plan(m) {
            Step::Here(cursor) => {
                self.cursor = cursor;
                None
            }
            Step::Fetch(f) => {
                self.moves.push_back(m);
                Some(f)
            }
        }
    }

    /// A move is waiting for its rows.
    pub fn is_moving(&self) -> bool {
        !self.moves.is_empty()
    }

    /// The rows a waiting move asked for (`count`: the list's count, when it asked for it),
    /// if the list still waits for them: makes the move, then the moves behind it as far as
    /// the rows loaded allow, and returns what the next one needs.
    pub fn take_moved(
        &mut self,
        query: &ListQuery,
        m: Move,
        anchor: &Anchor,
        page: Page<T>,
        count: Option<u64>,
    ) -> Option<Fetch> {
        if *query != self.query || self.moves.front() != Some(&m) {
            return None;
        }
        match self.plan(m) {
            Step::Fetch(f) if f.anchor == *anchor => {}
            // The window moved meanwhile (a reload): these rows no longer fit it.
            _ => {
                self.moves.clear();
                return None;
            }
        }
        self.moves.pop_front();
        if let Some(n) = count.filter(|_| self.total.is_none()) {
            self.total = Some(n);
        }
        self.apply(m, page);
        while let Some(&next) = self.moves.front() {
            match self.plan(next) {
                Step::Here(cursor) => {
                    self.cursor = cursor;
                    self.moves.pop_front();
                }
                Step::Fetch(f) => return Some(f),
            }
        }
        None
    }

    /// Forgets the moves waiting for rows (the worker could not read them).
    pub fn drop_moves(&mut self) {
        self.moves.clear();
    }

    /// The move waiting for its rows, first in line.
    pub fn waiting_move(&self) -> Option<Move> {
        self.moves.front().copied()
    }

    /// Marks or unmarks the selected row, then moves down, as in a file manager.
    pub fn toggle_mark(&mut self, conn: &Connection) -> Result<()> {
        if let Some(id) = self.selected_id() {
            if !self.marks.remove(&id) {
                self.marks.insert(id);
            }
        }
        self.down(conn)
    }

    /// The marked rows, or the selected one when none is marked.
    pub fn targets(&self) -> Vec<i64> {
        if self.marks.is_empty() {
            self.selected_id().into_iter().collect()
        } else {
            self.marks.iter().copied().collect()
        }
    }

    /// Turns a filter on, replacing another of its group, or off when it was on.
    pub fn toggle_filter(&mut self, key: &str) {
        if let Some(pos) = self.query.filters.iter().position(|f| f == key) {
            self.query.filters.remove(pos);
            return;
        }
        if let Some(group) = T::filter(key).map(|f| f.group) {
            self.query
                .filters
                .retain(|k| T::filter(k).map(|f| f.group) != Some(group));
            self.query.filters.push(key.to_string());
        }
    }

    /// Next sort, each first in its natural direction, then reversed.
    pub fn cycle_sort(&mut self) {
        let n = T::sorts().len();
        if self.query.reversed {
            self.query.reversed = false;
            self.query.sort = (self.query.sort + 1) % n;
        } else {
            self.query.reversed = true;
        }
    }

    /// Shows row `id` with the cursor on it: the window starts there (or ends with the list
    /// when it is near the end). `false` when the query does not hold that row.
    pub fn goto(&mut self, conn: &Connection, id: i64) -> Result<bool> {
        let ctx = ListContext::current();
        let Some(key) = key_of::<T>(conn, &self.query, id, &ctx)? else {
            return Ok(false);
        };
        let before = rows_before::<T>(conn, &self.query, &key, &ctx)?;
        let (mut k, mut r) = self.load(conn, Anchor::From(key), self.height)?;
        let mut cursor = 0;
        if k.len() < self.height {
            let (lk, lr) = self.load(conn, Anchor::Last, self.height)?;
            cursor = lk.iter().position(|x| x.id == id).unwrap_or(0);
            k = lk;
            r = lr;
        }
        self.offset = before.saturating_sub(cursor as u64);
        self.position_known = before <= crate::store::list::POSITION_CAP;
        self.total = None;
        self.set(k, r);
        self.cursor = cursor.min(self.rows.len().saturating_sub(1));
        Ok(true)
    }

    /// Puts the cursor on row `id` if it is in the window.
    pub fn select_id(&mut self, id: i64) -> bool {
        match self.keys.iter().position(|k| k.id == id) {
            Some(p) => {
                self.cursor = p;
                true
            }
            None => false,
        }
    }
}

/// What the app does with any list, whatever its rows.
pub trait ListOps {
    fn down(&mut self, c: &rusqlite::Connection) -> crate::store::Result<()>;
    fn up(&mut self, c: &rusqlite::Connection) -> crate::store::Result<()>;
    fn top(&mut self, c: &rusqlite::Connection) -> crate::store::Result<()>;
    fn bottom(&mut self, c: &rusqlite::Connection) -> crate::store::Result<()>;
    fn page_down(&mut self, c: &rusqlite::Connection) -> crate::store::Result<()>;
    fn page_up(&mut self, c: &rusqlite::Connection) -> crate::store::Result<()>;
    fn reset(&mut self, c: &rusqlite::Connection) -> crate::store::Result<()>;
    fn go(&mut self, c: &rusqlite::Connection, step: Move) -> crate::store::Result<()>;
    fn toggle_mark(&mut self, c: &rusqlite::Connection) -> crate::store::Result<()>;
    fn cycle_sort(&mut self);
    fn set_search(&mut self, text: String);
    fn clear_filters(&mut self);
    fn toggle_filter_key(&mut self, key: &str);
    fn select(&mut self, id: i64) -> bool;
    /// Puts the cursor on the `row`th row shown (a mouse click); `false` past the last.
    fn click(&mut self, row: usize) -> bool;
    fn goto(&mut self, c: &rusqlite::Connection, id: i64) -> crate::store::Result<bool>;
}

impl<T: ListEntity> ListOps for ListView<T> {
    fn down(&mut self, c: &rusqlite::Connection) -> crate::store::Result<()> {
        ListView::down(self, c)
    }
    fn up(&mut self, c: &rusqlite::Connection) -> crate::store::Result<()> {
        ListView::up(self, c)
    }
    fn top(&mut self, c: &rusqlite::Connection) -> crate::store::Result<()> {
        ListView::top(self, c)
    }
    fn bottom(&mut self, c: &rusqlite::Connection) -> crate::store::Result<()> {
        ListView::bottom(self, c)
    }
    fn page_down(&mut self, c: &rusqlite::Connection) -> crate::store::Result<()> {
        ListView::page_down(self, c)
    }
    fn page_up(&mut self, c: &rusqlite::Connection) -> crate::store::Result<()> {
        ListView::page_up(self, c)
    }
    fn reset(&mut self, c: &rusqlite::Connection) -> crate::store::Result<()> {
        ListView::reset(self, c)
    }
    fn go(&mut self, c: &rusqlite::Connection, step: Move) -> crate::store::Result<()> {
        ListView::go(self, c, step)
    }
    fn toggle_mark(&mut self, c: &rusqlite::Connection) -> crate::store::Result<()> {
        ListView::toggle_mark(self, c)
    }
    fn cycle_sort(&mut self) {
        ListView::cycle_sort(self)
    }
    fn set_search(&mut self, text: String) {
        self.query.search = text;
    }
    fn clear_filters(&mut self) {
        self.query.filters.clear();
    }
    fn toggle_filter_key(&mut self, key: &str) {
        self.toggle_filter(key)
    }
    fn select(&mut self, id: i64) -> bool {
        self.select_id(id)
    }
    fn click(&mut self, row: usize) -> bool {
        if row < self.rows.len() {
            self.cursor = row;
            true
        } else {
            false
        }
    }

    fn goto(&mut self, c: &rusqlite::Connection, id: i64) -> crate::store::Result<bool> {
        ListView::goto(self, c, id)
    }
}

#[cfg(test)]
mod tests;
