//! The Today tab: every kind of reminder with its count, and under each its first items,
//! most urgent first. `Enter` on an item shows that record; on a heading (or its "… and N
//! more" line), the whole filtered list. `c` completes the follow-up under the cursor (the
//! follow-up form is in `followup`).

use super::keymap::Action;
use super::screens::{Ctx, View};
use super::tab::Tab;
use super::{App, AppResult, Level};
use crate::domain::time::now;
use crate::i18n::{t, tf};
use crate::store::followups;
use crate::store::list::ListContext;
use crate::store::orders;
use crate::store::today::{build, Detail, Item, KindItems, ResponseWindows, Subject, Target};
use crate::store::undo::Change;
use crate::store::{Context, Store};
use rusqlite::Connection;

/// Items shown per kind; the rest are counted and one `Enter` away.
pub const ITEM_LIMIT: usize = 50;

/// Lines of the counts pane (three kinds a line).
pub const SUMMARY_ROWS: usize = 4;

/// Item lines that fit when a list would have `list_height` rows: the counts pane and the
/// two borders take the rest.
pub fn items_height(list_height: usize) -> usize {
    list_height.saturating_sub(SUMMARY_ROWS + 1).max(1)
}

/// One line of the Today list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TodayRow {
    /// A kind (index into `kinds`) with its count.
    Heading(usize),
    /// Item `.1` of kind `.0`.
    Item(usize, usize),
    /// "… and N more" under kind `.0`.
    More(usize),
}

#[derive(Debug, Clone, Default)]
pub struct TodayView {
    pub kinds: Vec<KindItems>,
    pub rows: Vec<TodayRow>,
    pub cursor: usize,
    /// First row on screen.
    pub offset: usize,
    /// The moment and the day the list was built for, so its words ("overdue 5h") stay
    /// those of that moment.
    pub now: i64,
    pub day: chrono::NaiveDate,
    /// Shown as built; false once asked to rebuild (the old list stays until then).
    built: bool,
    /// What the list was built from: the data's version and the minute. Coming back to
    /// Today with both unchanged reuses it, cursor and all.
    stamp: Option<(i64, i64, i64)>,
    /// The form open on this tab (a follow-up).
    pub form: Option<super::form::Form>,
}

impl TodayView {
    /// Not built yet, or asked to rebuild (which happens after the next frame).
    pub fn is_empty(&self) -> bool {
        !self.built
    }

    /// Asks for the list to be built again when next shown; it is kept, with its cursor,
    /// when nothing changed meanwhile.
    pub fn clear(&mut self) {
        self.built = false;
    }

    pub fn load(&mut self, conn: &Connection, windows: ResponseWindows) -> AppResult {
        self.load_at(conn, windows, &ListContext::current())
    }

    /// `load` as of the moment `ctx` describes.
    pub fn load_at(
        &mut self,
        conn: &Connection,
        windows: ResponseWindows,
        ctx: &ListContext,
    ) -> AppResult {
        let stamp = (
            data_version(conn)?,
            conn.total_changes() as i64,
            ctx.now / 60,
        );
        if self.stamp == Some(stamp) && !self.kinds.is_empty() {
            self.built = true;
            return Ok(());
        }
        let kinds = build(conn, windows, ctx, &|_| Some(ITEM_LIMIT))?;
        self.stamp = Some(stamp);
        self.now = ctx.now;
        self.day = ctx.day();
        self.set(kinds);
        Ok(())
    }

    /// Shows `kinds`, keeping the cursor where it was as far as the list allows.
    pub fn set(&mut self, kinds: Vec<KindItems>) {
        let mut rows = Vec::new();
        for (k, kind) in kinds.iter().enumerate() {
            if kind.count == 0 {
                continue;
            }
            rows.push(TodayRow::Heading(k));
            rows.extend((0..kind.items.len()).map(|i| TodayRow::Item(k, i)));
            if kind.more() > 0 {
                rows.push(TodayRow::More(k));
            }
        }
        self.kinds = kinds;
        self.rows = rows;
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
        self.built = true;
    }

    pub fn selected(&self) -> Option<TodayRow> {
        self.rows.get(self.cursor).copied()
    }

    pub fn item(&self, row: TodayRow) -> Option<&Item> {
        match row {
            TodayRow::Item(k, i) => self.kinds.get(k)?.items.get(i),
            _ => None,
        }
    }

    pub fn kind_of(&self, row: TodayRow) -> Option<&KindItems> {
        match row {
            TodayRow::Heading(k) | TodayRow::Item(k, _) | TodayRow::More(k) => self.kinds.get(k),
        }
    }

    pub fn move_cursor(&mut self, action: Action, height: usize) {
        let last = self.rows.len().saturating_sub(1);
        let page = height.max(1);
        self.cursor = match action {
            Action::Down => (self.cursor + 1).min(last),
            Action::Up => self.cursor.saturating_sub(1),
            Action::PageDown => (self.cursor + page).min(last),
            Action::PageUp => self.cursor.saturating_sub(page),
            Action::Top => 0,
            _ => last,
        };
        self.fit(height);
    }

    /// Scrolls just enough to keep the cursor among the `height` lines shown.
    pub fn fit(&mut self, height: usize) {
        let height = height.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + height {
            self.offset = self.cursor + 1 - height;
        }
        self.offset = self.offset.min(self.rows.len().saturating_sub(height));
    }
}

/// Changes whenever another connection commits (this one's own changes are counted by
/// `total_changes`).
fn data_version(conn: &Connection) -> crate::store::Result<i64> {
    conn.query_row("PRAGMA data_version", [], |r| r.get(0))
        .doing("reading the data version")
}

/// The Orders/Shipments/Complaints tab and filter behind a kind.
fn tab_of(target: Target) -> (Tab, &'static str) {
    match target {
        Target::Orders(k) => (Tab::Orders, k),
        Target::Shipments(k) => (Tab::Shipments, k),
        Target::Complaints(k) => (Tab::Complaints, k),
    }
}

impl App {
    /// `Enter` on Today: the record under the cursor, or the list behind its kind.
    /// The Today tab's own keys; `false` leaves the action to what every screen does.
    pub(super) fn today_act(&mut self, action: Action) -> crate::store::Result<bool> {
        let (screens, mut ctx) = self.split();
        if screens.today.act(&mut ctx, action)? {
            return Ok(true);
        }
        match action {
            Action::Open => self.jump_from_today()?,
            Action::NewFollowup => self.start_followup(),
            _ => return Ok(false),
        }
        Ok(true)
    }

    pub(super) fn jump_from_today(&mut self) -> AppResult {
        let Some(row) = self.screens.today.selected() else {
            return Ok(());
        };
        let Some(kind) = self.screens.today.kind_of(row) else {
            return Ok(());
        };
        let (tab, filter) = tab_of(kind.target);
        let subject = self.screens.today.item(row).map(|i| i.subject);
        let Some(subject) = subject else {
            self.switch(tab);
            return self.with_list(|l, c| {
                l.clear_filters();
                l.set_search(String::new());
                l.toggle_filter_key(filter);
                l.reset(c)
            });
        };
        let on = |t: Tab| if t == tab { Some(filter) } else { None };
        match subject {
            Subject::Order(id)
            | Subject::Followup {
                order: Some(id), ..
            } => self.show_order(id, on(Tab::Orders)),
            Subject::Shipment(id) => self.show_in_list(Tab::Shipments, id, on(Tab::Shipments)),
            Subject::Complaint(id) => self.show_in_list(Tab::Complaints, id, on(Tab::Complaints)),
            Subject::Followup {
                customer: Some(id), ..
            } => self.show_in_list(Tab::Customers, id, None),
            Subject::Followup { .. } => Ok(()),
        }
    }

    /// Switches to `tab` with the cursor on row `id`: in the list under `filter` when it
    /// holds the row, else in the whole list.
    fn show_in_list(&mut self, tab: Tab, id: i64, filter: Option<&str>) -> AppResult {
        self.switch(tab);
        let mut found = false;
        for filter in [filter, None] {
            self.with_list(|l, c| {
                l.clear_filters();
                l.set_search(String::new());
                if let Some(f) = filter {
                    l.toggle_filter_key(f);
                }
                found = l.goto(c, id)?;
                Ok(())
            })?;
            if found {
                return Ok(());
            }
        }
        // Gone since Today was built: show the list from the top.
        self.with_list(|l, c| l.reset(c))?;
        self.status.message = Some((Level::Error, t("today.gone").into()));
        Ok(())
    }

    fn show_order(&mut self, id: i64, filter: Option<&str>) -> AppResult {
        self.show_in_list(Tab::Orders, id, filter)?;
        if self.screens.orders.list.selected_id() == Some(id) {
            self.screens.orders.detail = Some(orders::load_detail(self.store.conn(), id)?);
            self.screens.orders.scroll.reset();
        }
        Ok(())
    }
}

impl TodayView {
    /// The Today tab's keys that need nothing but the tab: completing a follow-up.
    pub(super) fn act(&mut self, ctx: &mut Ctx<'_>, action: Action) -> crate::store::Result<bool> {
        match action {
            Action::CompleteFollowup => self.complete_followup(ctx)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// `c` on Today: the follow-up under the cursor is done.
    fn complete_followup(&mut self, ctx: &mut Ctx<'_>) -> AppResult {
        let item = self.selected().and_then(|r| self.item(r));
        let Some((id, text)) = item.and_then(|i| match (&i.subject, &i.detail) {
            (Subject::Followup { id, .. }, Detail::Followup { text, .. }) => {
                Some((*id, text.clone()))
            }
            _ => None,
        }) else {
            ctx.status.info(t("followup.not_one").into());
            return Ok(());
        };
        let tx = ctx.store.begin()?;
        let mut change = Change::new("complete follow-up");
        followups::complete(&tx, &mut change, id, now())?;
        change.record(&tx)?;
        tx.commit().doing("completing the follow-up")?;
        ctx.status.info(tf("followup.done", &[("text", &text)]));
        self.refresh(ctx.store, ctx.view)
    }

    /// Rebuilds the tab in place after a change, when it was built.
    pub(super) fn refresh(&mut self, store: &Store, view: &View) -> AppResult {
        if !self.is_empty() {
            self.load(store.conn(), view.windows)?;
            self.fit(items_height(view.list_height));
        }
        Ok(())
    }
}

impl App {
    /// Rebuilds Today in place after a change, when it is on screen.
    pub(super) fn refresh_today(&mut self) -> AppResult {
        if self.tab == Tab::Today {
            self.screens.today.refresh(&self.store, &self.view)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixture;
    use crate::app::Mode;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn key(app: &mut App, code: KeyCode) {
        app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    }

    fn typed(app: &mut App, text: &str) {
        for c in text.chars() {
            key(app, KeyCode::Char(c));
        }
    }

    /// Puts the Today cursor on the first item whose `what` is `what`.
    fn cursor_on(app: &mut App, what: &str) {
        let v = &app.screens.today;
        let at = v
            .rows
            .iter()
            .position(|r| v.item(*r).is_some_and(|i| i.what == what))
            .unwrap_or_else(|| panic!("{what} is listed"));
        key(app, KeyCode::Char('g'));
        for _ in 0..at {
            key(app, KeyCode::Char('j'));
        }
        assert_eq!(app.screens.today.cursor, at);
    }

    #[test]
    fn enter_on_an_item_lands_on_its_record() {
        let mut app = fixture::today_app();
        cursor_on(&mut app, "SF1234567890");
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.tab, Tab::Shipments);
        assert_eq!(
            app.screens.shipments.list.selected().unwrap().waybill_no,
            "SF1234567890"
        );
        assert_eq!(
            app.screens.shipments.list.query.filters,
            vec!["late".to_string()]
        );

        key(&mut app, KeyCode::Char('5'));
        app.do_deferred_work();
        cursor_on(&mut app, "SO-20260101-009");
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.tab, Tab::Orders);
        let d = app
            .screens
            .orders
            .detail
            .as_ref()
            .expect("the order's detail is open");
        assert_eq!(d.draft.order_no, "SO-20260101-009");
        assert_eq!(
            app.screens.orders.list.selected().unwrap().order_no,
            "SO-20260101-009"
        );
        assert_eq!(
            app.screens.orders.list.query.filters,
            vec!["high_risk".to_string()]
        );
        key(&mut app, KeyCode::Esc);
        assert!(
            app.screens.orders.detail.is_none(),
            "Esc goes back to the list, still on it"
        );
        assert_eq!(
            app.screens.orders.list.selected().unwrap().order_no,
            "SO-20260101-009"
        );

        key(&mut app, KeyCode::Char('5'));
        app.do_deferred_work();
        cursor_on(&mut app, "K-0002");
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.tab, Tab::Complaints);
        assert_eq!(
            app.screens.complaints.list.selected().unwrap().complaint_no,
            "K-0002"
        );

        key(&mut app, KeyCode::Char('5'));
        app.do_deferred_work();
        cursor_on(&mut app, "C002");
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.tab, Tab::Customers, "a follow-up about a customer");
        assert_eq!(app.screens.customers.list.selected().unwrap().code, "C002");
    }

    #[test]
    fn coming_back_keeps_the_place_unless_something_changed() {
        let mut app = fixture::today_app();
        key(&mut app, KeyCode::Char('5'));
        app.do_deferred_work();
        cursor_on(&mut app, "SO-20260101-006");
        let at = app.screens.today.cursor;
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.tab, Tab::Orders);
        key(&mut app, KeyCode::Char('5'));
        assert!(app.has_deferred_work());
        app.do_deferred_work();
        assert_eq!(app.screens.today.cursor, at, "same line, nothing changed");
        app.store
            .conn()
            .execute("UPDATE followups SET done_at = 1", [])
            .unwrap();
        key(&mut app, KeyCode::Char('1'));
        key(&mut app, KeyCode::Char('5'));
        app.do_deferred_work();
        let followups = app
            .screens
            .today
            .kinds
            .iter()
            .find(|k| k.kind == "followups_due");
        assert_eq!(followups.unwrap().count, 0, "rebuilt after a change");
    }

    #[test]
    fn enter_on_a_heading_opens_the_whole_filtered_list() {
        let mut app = fixture::today_app();
        let at = app
            .screens
            .today
            .rows
            .iter()
            .position(|r| {
                *r == TodayRow::Heading(
                    app.screens
                        .today
                        .kinds
                        .iter()
                        .position(|k| k.kind == "overdue_orders")
                        .unwrap(),
                )
            })
            .unwrap();
        for _ in 0..at {
            key(&mut app, KeyCode::Char('j'));
        }
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.tab, Tab::Orders);
        assert_eq!(
            app.screens.orders.list.query.filters,
            vec!["overdue".to_string()]
        );
        assert!(app.screens.orders.detail.is_none());
    }

    #[test]
    fn a_followup_is_created_completed_and_undone() {
        let mut app = fixture::today_app();
        let open = |app: &App| -> i64 {
            app.store
                .conn()
                .query_row(
                    "SELECT count(*) FROM followups WHERE done_at IS NULL",
                    [],
                    |r| r.get(0),
                )
                .unwrap()
        };
        assert_eq!(open(&app), 2);
        cursor_on(&mut app, "C002");
        key(&mut app, KeyCode::Char('c'));
        assert_eq!(open(&app), 1, "c completes the follow-up under the cursor");
        assert!(app
            .status
            .message
            .as_ref()
            .unwrap()
            .1
            .contains("Send the new price list"));
        key(&mut app, KeyCode::Char('u'));
        assert_eq!(open(&app), 2, "u brings it back");

        key(&mut app, KeyCode::Char('g'));
        key(&mut app, KeyCode::Char('c'));
        assert_eq!(open(&app), 2, "a heading is not a follow-up");

        cursor_on(&mut app, "SF1234567890");
        key(&mut app, KeyCode::Char('n'));
        let form = app.form().expect("n opens the follow-up form");
        assert_eq!(
            form.value("followup.about"),
            "SO-20260101-009",
            "about the shipment's order"
        );
        typed(&mut app, "ask the forwarder");
        key(&mut app, KeyCode::Enter);
        assert!(app.form().is_none(), "{:?}", app.status.message);
        let (order, text): (i64, String) = app
            .store
            .conn()
            .query_row(
                "SELECT order_id, text FROM followups ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((order, text.as_str()), (9, "ask the forwarder"));
    }

    #[test]
    fn shift_f_on_an_order_starts_a_followup_about_it() {
        let mut app = fixture::app(5);
        key(&mut app, KeyCode::Char('F'));
        let form = app.form().expect("F opens the follow-up form");
        assert_eq!(form.value("followup.about"), "SO-20260101-005");
        typed(&mut app, "x");
        key(&mut app, KeyCode::Esc);
        assert_eq!(
            app.mode,
            Mode::Confirm(crate::app::Confirm::DiscardForm),
            "a changed form asks first, as every form does"
        );
        key(&mut app, KeyCode::Char('y'));
        assert_eq!(app.mode, Mode::Normal);
        assert!(app.form().is_none());
    }

    fn kind(count: u64, items: usize) -> KindItems {
        KindItems {
            kind: "stale_orders",
            target: Target::Orders("stale"),
            count,
            items: (0..items)
                .map(|i| Item {
                    subject: Subject::Order(i as i64),
                    what: format!("SO-{i}"),
                    customer: String::new(),
                    detail: Detail::Stale {
                        since: 0,
                        status: crate::domain::status::Status::Quoted,
                    },
                })
                .collect(),
        }
    }

    #[test]
    fn rows_are_headings_items_and_the_rest_counted() {
        let mut v = TodayView::default();
        assert!(v.is_empty());
        v.set(vec![kind(0, 0), kind(5, 2), kind(1, 1)]);
        assert_eq!(
            v.rows,
            vec![
                TodayRow::Heading(1),
                TodayRow::Item(1, 0),
                TodayRow::Item(1, 1),
                TodayRow::More(1),
                TodayRow::Heading(2),
                TodayRow::Item(2, 0),
            ],
            "empty kinds have no lines; only a capped kind has a 'more' line"
        );
        v.move_cursor(Action::Bottom, 3);
        assert_eq!((v.cursor, v.offset), (5, 3));
        v.move_cursor(Action::Up, 3);
        v.move_cursor(Action::Up, 3);
        v.move_cursor(Action::Up, 3);
        assert_eq!((v.cursor, v.offset), (2, 2), "scrolls only when it must");
        v.set(vec![kind(1, 1)]);
        assert_eq!(v.cursor, 1, "kept within a shorter list");
    }
}
