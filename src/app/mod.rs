//! The application state and what each action does to it. Keys become actions in one place
//! (`keymap`), actions change the store and the state, and `ui` draws the state.

#[cfg(test)]
pub mod fixture;
pub mod form;
pub mod input;
pub mod keymap;
pub mod list;
pub mod palette;
pub mod run;
pub mod tab;

use crate::config::Config;
use crate::domain::status::Status;
use crate::domain::time::{now, parse_stamp};
use crate::i18n::{t, tf};
use crate::store::complaints::ComplaintRow;
use crate::store::customers::CustomerRow;
use crate::store::list::ListEntity;
use crate::store::orders::{self, OrderDetail, OrderRow, StatusRequest};
use crate::store::shipments::ShipmentRow;
use crate::store::summary::{self, MonthSummary};
use crate::store::today::{reminders, Reminder, ResponseWindows, Target};
use crate::store::undo::{undo_last, Change};
use crate::store::{Context, Store};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind};
use form::OrderForm;
use input::TextInput;
use keymap::{Action, Key, Keymap, Section};
use list::ListView;
use palette::Command;
use tab::Tab;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

/// What the clerk is asked to confirm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    DiscardForm,
    Bulk {
        ids: Vec<i64>,
        request: StatusRequest,
    },
}

/// Why a one-line prompt is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    CancelReason { ids: Vec<i64> },
}

/// Overlays and input modes; `Normal` is the list (or the order detail, or the form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Search {
        input: TextInput,
    },
    Help,
    Palette {
        input: TextInput,
        selected: usize,
    },
    Filters {
        selected: usize,
    },
    StatusMenu {
        ids: Vec<i64>,
        when: TextInput,
        editing_when: bool,
    },
    Prompt {
        prompt: Prompt,
        input: TextInput,
    },
    Confirm(Confirm),
}

pub struct App {
    pub store: Store,
    pub config: Config,
    pub keymap: Keymap,
    pub tab: Tab,
    pub mode: Mode,
    pub orders: ListView<OrderRow>,
    pub customers: ListView<CustomerRow>,
    pub shipments: ListView<ShipmentRow>,
    pub complaints: ListView<ComplaintRow>,
    pub detail: Option<OrderDetail>,
    pub detail_scroll: u16,
    pub form: Option<OrderForm>,
    pub today: Vec<Reminder>,
    /// The Reports tab: the chosen month and the one before, computed when shown.
    pub report_month: chrono::NaiveDate,
    pub report: Option<(MonthSummary, MonthSummary)>,
    pub today_cursor: usize,
    pub message: Option<(Level, String)>,
    /// The last status change, for the footer's stage-message hint.
    pub last_change: Option<Status>,
    pub running: bool,
    pub windows: ResponseWindows,
    /// Rows of list the screen has room for, set before each frame.
    pub list_height: usize,
    /// Deferred work failed; wait for the next key rather than retrying in a loop.
    deferred_blocked: bool,
}

type AppResult = crate::store::Result<()>;

impl App {
    pub fn new(store: Store, config: Config, keymap: Keymap) -> App {
        let w = &config.complaint_windows;
        let windows = ResponseWindows::from_hours(w.urgent, w.high, w.normal, w.low);
        App {
            store,
            config,
            keymap,
            tab: Tab::Orders,
            mode: Mode::Normal,
            orders: ListView::default(),
            customers: ListView::default(),
            shipments: ListView::default(),
            complaints: ListView::default(),
            detail: None,
            detail_scroll: 0,
            form: None,
            today: Vec::new(),
            report_month: crate::domain::time::today(),
            report: None,
            today_cursor: 0,
            message: None,
            last_change: None,
            running: true,
            windows,
            list_height: 20,
            deferred_blocked: false,
        }
    }

    /// Fits the visible list to the screen; loads it the first time.
    pub fn prepare(&mut self, list_height: usize) {
        self.list_height = list_height;
        let conn = self.store.conn();
        let r = match self.tab {
            Tab::Orders => self.orders.resize(conn, list_height),
            Tab::Customers => self.customers.resize(conn, list_height),
            Tab::Shipments => self.shipments.resize(conn, list_height),
            Tab::Complaints => self.complaints.resize(conn, list_height),
            Tab::Today | Tab::Reports => Ok(()),
        };
        self.report(r);
    }

    /// Work deferred until a frame is on screen: counting the current list, building Today.
    pub fn has_deferred_work(&self) -> bool {
        if self.deferred_blocked {
            return false;
        }
        match self.tab {
            Tab::Orders => self.orders.is_loaded() && self.orders.total.is_none(),
            Tab::Customers => self.customers.is_loaded() && self.customers.total.is_none(),
            Tab::Shipments => self.shipments.is_loaded() && self.shipments.total.is_none(),
            Tab::Complaints => self.complaints.is_loaded() && self.complaints.total.is_none(),
            Tab::Today => self.today.is_empty(),
            Tab::Reports => self.report.is_none(),
        }
    }

    pub fn do_deferred_work(&mut self) {
        let conn = self.store.conn();
        let r = match self.tab {
            Tab::Orders => self.orders.count_now(conn),
            Tab::Customers => self.customers.count_now(conn),
            Tab::Shipments => self.shipments.count_now(conn),
            Tab::Complaints => self.complaints.count_now(conn),
            Tab::Today => reminders(conn, self.windows).map(|r| self.today = r),
            Tab::Reports => {
                let (start, _) = summary::month_bounds(self.report_month);
                let previous = start - chrono::Duration::days(1);
                summary::month(conn, start, now())
                    .and_then(|a| Ok((a, summary::month(conn, previous, now())?)))
                    .map(|r| self.report = Some(r))
            }
        };
        self.deferred_blocked = r.is_err();
        self.report(r);
    }

    fn report(&mut self, r: AppResult) {
        if let Err(e) = r {
            self.message = Some((Level::Error, e.to_string()));
        }
    }

    fn info(&mut self, text: String) {
        self.message = Some((Level::Info, text));
    }

    /// The keymap sections live on the current screen.
    pub fn sections(&self) -> &'static [Section] {
        if self.form.is_some() {
            keymap::FORM_SCREEN
        } else if self.tab == Tab::Orders {
            keymap::LIST_SCREEN
        } else {
            &[Section::Global, Section::List]
        }
    }

    pub fn handle_event(&mut self, event: Event) {
        if let Event::Key(key) = event {
            if key.kind != KeyEventKind::Release {
                self.handle_key(key);
            }
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent) {
        let Some(k) = Key::from_event(&key) else {
            return;
        };
        if self.keymap.action(&[Section::Global], &k) == Some(Action::ForceQuit) {
            self.running = false;
            return;
        }
        self.message = None;
        self.deferred_blocked = false;
        let mode = std::mem::replace(&mut self.mode, Mode::Normal);
        self.mode = match mode {
            Mode::Normal if self.form.is_some() => {
                self.form_key(&k, &key);
                std::mem::replace(&mut self.mode, Mode::Normal)
            }
            Mode::Normal => match self.keymap.action(self.sections(), &k) {
                Some(action) => {
                    self.act(action);
                    std::mem::replace(&mut self.mode, Mode::Normal)
                }
                None => Mode::Normal,
            },
            Mode::Search { input } => self.search_key(input, &key),
            Mode::Help => match key.code {
                KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::Enter => {
                    Mode::Normal
                }
                _ => Mode::Help,
            },
            Mode::Palette { input, selected } => self.palette_key(input, selected, &key),
            Mode::Filters { selected } => self.filters_key(selected, &key),
            Mode::StatusMenu {
                ids,
                when,
                editing_when,
            } => self.status_menu_key(ids, when, editing_when, &key),
            Mode::Prompt { prompt, input } => self.prompt_key(prompt, input, &key),
            Mode::Confirm(c) => self.confirm_key(c, &key),
        };
    }

    /// Runs one action of the list screens.
    pub fn act(&mut self, action: Action) {
        let r = self.try_act(action);
        self.report(r);
    }

    fn switch(&mut self, tab: Tab) {
        self.tab = tab;
        self.detail = None;
        if tab == Tab::Today {
            self.today.clear();
        }
        if tab == Tab::Reports {
            self.report = None;
        }
        self.prepare(self.list_height);
    }

    fn try_act(&mut self, action: Action) -> AppResult {
        match action {
            Action::Quit => self.running = false,
            Action::ForceQuit => self.running = false,
            Action::NextTab => self.switch(self.tab.next()),
            Action::PrevTab => self.switch(self.tab.prev()),
            Action::TabOrders => self.switch(Tab::Orders),
            Action::TabCustomers => self.switch(Tab::Customers),
            Action::TabShipments => self.switch(Tab::Shipments),
            Action::TabComplaints => self.switch(Tab::Complaints),
            Action::TabToday => self.switch(Tab::Today),
            Action::TabReports => self.switch(Tab::Reports),
            Action::Help => self.mode = Mode::Help,
            Action::Palette => {
                self.mode = Mode::Palette {
                    input: TextInput::default(),
                    selected: 0,
                }
            }
            Action::Back => {
                if self.detail.take().is_none() {
                    self.clear_search()?;
                }
            }
            Action::PrevMonth | Action::NextMonth if self.tab == Tab::Reports => {
                let (start, next) = summary::month_bounds(self.report_month);
                self.report_month = if action == Action::NextMonth {
                    next
                } else {
                    start - chrono::Duration::days(1)
                };
                self.report = None;
            }
            Action::PrevMonth | Action::NextMonth => {}
            Action::Down
            | Action::Up
            | Action::Top
            | Action::Bottom
            | Action::PageDown
            | Action::PageUp => {
                self.move_cursor(action)?;
            }
            Action::Open => match self.tab {
                Tab::Orders => self.open_detail()?,
                Tab::Today => self.jump_from_today()?,
                _ => {}
            },
            Action::Search => {
                let current = self.current_search();
                self.mode = Mode::Search {
                    input: TextInput::new(current),
                };
            }
            Action::Filter => {
                if self.filter_keys().is_empty() {
                    self.info(t("msg.no_filters").into());
                } else {
                    self.mode = Mode::Filters { selected: 0 };
                }
            }
            Action::Sort => {
                self.with_list(|l, c| {
                    l.cycle_sort();
                    l.reset(c)
                })?;
                self.info(t("msg.sorted").into());
            }
            Action::Mark => self.with_list(|l, c| l.toggle_mark(c))?,
            Action::New => self.form = Some(OrderForm::new_order(&self.config.currency())),
            Action::Edit => self.edit_selected()?,
            Action::Advance => self.status_keys(StatusRequest::Advance)?,
            Action::Hold => self.status_keys(StatusRequest::ToggleHold)?,
            Action::StatusMenu => {
                let ids = self.order_targets();
                if !ids.is_empty() {
                    self.mode = Mode::StatusMenu {
                        ids,
                        when: TextInput::new(t("status.now")),
                        editing_when: false,
                    };
                }
            }
            Action::CancelOrder => {
                let ids = self.order_targets();
                if !ids.is_empty() {
                    self.mode = Mode::Prompt {
                        prompt: Prompt::CancelReason { ids },
                        input: TextInput::default(),
                    };
                }
            }
            Action::Undo => self.undo()?,
            Action::Save
            | Action::NextField
            | Action::PrevField
            | Action::AddLine
            | Action::DeleteLine
            | Action::Close => {}
        }
        Ok(())
    }

    fn with_list(
        &mut self,
        f: impl FnOnce(&mut dyn ListOps, &rusqlite::Connection) -> AppResult,
    ) -> AppResult {
        let conn = self.store.conn();
        match self.tab {
            Tab::Orders => f(&mut self.orders, conn),
            Tab::Customers => f(&mut self.customers, conn),
            Tab::Shipments => f(&mut self.shipments, conn),
            Tab::Complaints => f(&mut self.complaints, conn),
            Tab::Today | Tab::Reports => Ok(()),
        }
    }

    fn move_cursor(&mut self, action: Action) -> AppResult {
        if self.tab == Tab::Today {
            let n = self.today.len();
            self.today_cursor = match action {
                Action::Down => (self.today_cursor + 1).min(n.saturating_sub(1)),
                Action::Up => self.today_cursor.saturating_sub(1),
                Action::Top | Action::PageUp => 0,
                _ => n.saturating_sub(1),
            };
            return Ok(());
        }
        self.with_list(|l, c| match action {
            Action::Down => l.down(c),
            Action::Up => l.up(c),
            Action::Top => l.top(c),
            Action::Bottom => l.bottom(c),
            Action::PageDown => l.page_down(c),
            _ => l.page_up(c),
        })?;
        if self.detail.is_some() {
            self.open_detail()?;
        }
        Ok(())
    }

    fn open_detail(&mut self) -> AppResult {
        if let Some(id) = self.orders.selected_id() {
            self.detail = Some(orders::load_detail(self.store.conn(), id)?);
            self.detail_scroll = 0;
        }
        Ok(())
    }

    fn edit_selected(&mut self) -> AppResult {
        let Some(id) = self.orders.selected_id() else {
            return Ok(());
        };
        let d = orders::load_detail(self.store.conn(), id)?;
        self.form = Some(OrderForm::edit(id, d.version, &d.draft, &d.customer_code));
        Ok(())
    }

    /// Marked orders, else the one under the cursor (or shown in the detail).
    fn order_targets(&self) -> Vec<i64> {
        if self.tab != Tab::Orders {
            return Vec::new();
        }
        match &self.detail {
            Some(d) => vec![d.id],
            None => self.orders.targets(),
        }
    }

    fn status_keys(&mut self, request: StatusRequest) -> AppResult {
        let ids = self.order_targets();
        if ids.len() > 1 {
            self.mode = Mode::Confirm(Confirm::Bulk { ids, request });
            return Ok(());
        }
        self.change_status(&ids, request, now(), None)
    }

    /// One step of undo: all `ids` change together or none does.
    fn change_status(
        &mut self,
        ids: &[i64],
        request: StatusRequest,
        happened_at: i64,
        note: Option<&str>,
    ) -> AppResult {
        if ids.is_empty() {
            return Ok(());
        }
        let single_version = match (&self.detail, ids) {
            (Some(d), [id]) if d.id == *id => Some(d.version),
            (None, [id]) => self
                .orders
                .selected()
                .filter(|r| r.id == *id)
                .map(|r| r.version),
            _ => None,
        };
        let tx = self.store.begin()?;
        let mut change = Change::new(if ids.len() > 1 {
            "bulk status"
        } else {
            "status"
        });
        let mut last = None;
        for id in ids {
            last = Some(orders::change_status(
                &tx,
                &mut change,
                *id,
                single_version,
                request,
                happened_at,
                note,
            )?);
        }
        change.record(&tx)?;
        tx.commit().doing("saving the status change")?;
        if let Some(c) = last {
            self.last_change = Some(c.to);
            let text = if ids.len() > 1 {
                tf("msg.bulk_status", &[("count", &ids.len())])
            } else {
                tf(
                    "msg.status_changed",
                    &[
                        ("order", &c.order_no),
                        ("from", &t(&status_key(c.from))),
                        ("to", &t(&status_key(c.to))),
                    ],
                )
            };
            self.info(text);
        }
        self.orders.marks.clear();
        self.after_change()
    }

    fn after_change(&mut self) -> AppResult {
        self.orders.total = None;
        self.orders.refresh(self.store.conn())?;
        if let Some(d) = &self.detail {
            let id = d.id;
            self.detail = Some(orders::load_detail(self.store.conn(), id)?);
        }
        Ok(())
    }

    fn undo(&mut self) -> AppResult {
        let tx = self.store.begin()?;
        let undone = undo_last(&tx)?;
        tx.commit().doing("saving the undo")?;
        match undone {
            Some(u) => self.info(tf("msg.undone", &[("what", &u.label)])),
            None => self.info(t("msg.nothing_to_undo").into()),
        }
        self.last_change = None;
        self.after_change()
    }

    fn current_search(&self) -> String {
        match self.tab {
            Tab::Orders => self.orders.query.search.clone(),
            Tab::Customers => self.customers.query.search.clone(),
            Tab::Shipments => self.shipments.query.search.clone(),
            Tab::Complaints => self.complaints.query.search.clone(),
            _ => String::new(),
        }
    }

    fn set_search(&mut self, text: &str) -> AppResult {
        let text = text.to_string();
        self.with_list(move |l, c| {
            l.set_search(text);
            l.reset(c)
        })
    }

    fn clear_search(&mut self) -> AppResult {
        if !self.current_search().is_empty() {
            self.set_search("")?;
        }
        Ok(())
    }

    fn search_key(&mut self, mut input: TextInput, key: &KeyEvent) -> Mode {
        match key.code {
            KeyCode::Enter => Mode::Normal,
            KeyCode::Esc => {
                let r = self.set_search("");
                self.report(r);
                Mode::Normal
            }
            KeyCode::Down | KeyCode::Up => {
                let r = self.move_cursor(if key.code == KeyCode::Down {
                    Action::Down
                } else {
                    Action::Up
                });
                self.report(r);
                Mode::Search { input }
            }
            _ => {
                if input.handle(key) {
                    let r = self.set_search(input.value());
                    self.report(r);
                }
                Mode::Search { input }
            }
        }
    }

    /// Filter keys of the current list with their on/off state.
    pub fn filter_keys(&self) -> Vec<(String, bool)> {
        fn keys<T: ListEntity>(l: &ListView<T>) -> Vec<(String, bool)> {
            T::filters()
                .into_iter()
                .map(|f| {
                    let on = l.query.filters.contains(&f.key);
                    (f.key, on)
                })
                .collect()
        }
        match self.tab {
            Tab::Orders => keys(&self.orders),
            Tab::Customers => keys(&self.customers),
            Tab::Shipments => keys(&self.shipments),
            Tab::Complaints => keys(&self.complaints),
            _ => Vec::new(),
        }
    }

    fn filters_key(&mut self, selected: usize, key: &KeyEvent) -> Mode {
        let n = self.filter_keys().len();
        match key.code {
            KeyCode::Esc | KeyCode::Char('f') | KeyCode::Char('q') => Mode::Normal,
            KeyCode::Down | KeyCode::Char('j') => Mode::Filters {
                selected: (selected + 1).min(n.saturating_sub(1)),
            },
            KeyCode::Up | KeyCode::Char('k') => Mode::Filters {
                selected: selected.saturating_sub(1),
            },
            KeyCode::Char('c') => {
                let r = self.with_list(|l, c| {
                    l.clear_filters();
                    l.reset(c)
                });
                self.report(r);
                Mode::Filters { selected }
            }
            KeyCode::Enter | KeyCode::Char(' ') => {
                if let Some((k, _)) = self.filter_keys().get(selected).cloned() {
                    let r = self.with_list(|l, c| {
                        l.toggle_filter_key(&k);
                        l.reset(c)
                    });
                    self.report(r);
                }
                Mode::Filters { selected }
            }
            _ => Mode::Filters { selected },
        }
    }

    fn palette_key(&mut self, mut input: TextInput, selected: usize, key: &KeyEvent) -> Mode {
        let found = palette::matches(input.value());
        match key.code {
            KeyCode::Esc => Mode::Normal,
            KeyCode::Down => Mode::Palette {
                input,
                selected: (selected + 1).min(found.len().saturating_sub(1)),
            },
            KeyCode::Up => Mode::Palette {
                input,
                selected: selected.saturating_sub(1),
            },
            KeyCode::Enter => {
                if let Some((cmd, _)) = found.get(selected) {
                    let r = self.run_command(*cmd);
                    self.report(r);
                }
                std::mem::replace(&mut self.mode, Mode::Normal)
            }
            _ => {
                input.handle(key);
                Mode::Palette { input, selected: 0 }
            }
        }
    }

    pub fn run_command(&mut self, cmd: Command) -> AppResult {
        match cmd {
            Command::NewOrder => {
                self.switch(Tab::Orders);
                self.form = Some(OrderForm::new_order(&self.config.currency()));
            }
            Command::Undo => self.undo()?,
            Command::Goto(tab) => self.switch(tab),
            Command::OrdersFilter(key) => {
                self.switch(Tab::Orders);
                self.orders.toggle_filter(key);
                self.orders.reset(self.store.conn())?;
            }
            Command::ClearFilters => self.with_list(|l, c| {
                l.clear_filters();
                l.reset(c)
            })?,
            Command::NextSort => self.act(Action::Sort),
            Command::ExportOrders => self.export_orders(),
            Command::Help => self.mode = Mode::Help,
            Command::Quit => self.running = false,
        }
        Ok(())
    }

    fn export_orders(&mut self) {
        let dir = self
            .store
            .path()
            .parent()
            .map(|p| p.join("exports"))
            .unwrap_or_else(|| std::path::PathBuf::from("exports"));
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
        let path = dir.join(format!("orders-{stamp}.csv"));
        let result = std::fs::create_dir_all(&dir)
            .map_err(anyhow::Error::from)
            .and_then(|_| {
                crate::io::export_to_path(&mut self.store, crate::io::Kind::Orders, &path, false)
            });
        match result {
            Ok(rows) => self.info(tf(
                "msg.exported",
                &[("rows", &rows), ("path", &path.display())],
            )),
            Err(e) => self.message = Some((Level::Error, e.to_string())),
        }
    }

    fn status_menu_key(
        &mut self,
        ids: Vec<i64>,
        mut when: TextInput,
        editing_when: bool,
        key: &KeyEvent,
    ) -> Mode {
        if editing_when {
            return match key.code {
                KeyCode::Enter | KeyCode::Tab => Mode::StatusMenu {
                    ids,
                    when,
                    editing_when: false,
                },
                KeyCode::Esc => Mode::Normal,
                _ => {
                    when.handle(key);
                    Mode::StatusMenu {
                        ids,
                        when,
                        editing_when: true,
                    }
                }
            };
        }
        match key.code {
            KeyCode::Esc => Mode::Normal,
            KeyCode::Tab => {
                let text = if when.value() == t("status.now") {
                    String::new()
                } else {
                    when.value().to_string()
                };
                Mode::StatusMenu {
                    ids,
                    when: TextInput::new(text),
                    editing_when: true,
                }
            }
            KeyCode::Char(c) => {
                let Some(to) = Status::from_menu_letter(c) else {
                    return Mode::StatusMenu {
                        ids,
                        when,
                        editing_when,
                    };
                };
                let happened_at =
                    if when.value() == t("status.now") || when.value().trim().is_empty() {
                        now()
                    } else {
                        match parse_stamp(when.value()) {
                            Ok(ts) if ts <= now() => ts,
                            Ok(_) => {
                                self.message = Some((Level::Error, t("msg.future_time").into()));
                                return Mode::StatusMenu {
                                    ids,
                                    when,
                                    editing_when,
                                };
                            }
                            Err(e) => {
                                self.message = Some((Level::Error, e.to_string()));
                                return Mode::StatusMenu {
                                    ids,
                                    when,
                                    editing_when,
                                };
                            }
                        }
                    };
                if to == Status::Cancelled {
                    return Mode::Prompt {
                        prompt: Prompt::CancelReason { ids },
                        input: TextInput::default(),
                    };
                }
                let request = if to == Status::OnHold {
                    StatusRequest::ToggleHold
                } else {
                    StatusRequest::Set(to)
                };
                let r = self.change_status(&ids, request, happened_at, None);
                self.report(r);
                Mode::Normal
            }
            _ => Mode::StatusMenu {
                ids,
                when,
                editing_when,
            },
        }
    }

    fn prompt_key(&mut self, prompt: Prompt, mut input: TextInput, key: &KeyEvent) -> Mode {
        match key.code {
            KeyCode::Esc => Mode::Normal,
            KeyCode::Enter => {
                let reason = input.value().trim().to_string();
                if reason.is_empty() {
                    self.message = Some((Level::Error, t("msg.reason_required").into()));
                    return Mode::Prompt { prompt, input };
                }
                match prompt {
                    Prompt::CancelReason { ids } => {
                        let r = self.change_status(
                            &ids,
                            StatusRequest::Set(Status::Cancelled),
                            now(),
                            Some(&reason),
                        );
                        self.report(r);
                    }
                }
                Mode::Normal
            }
            _ => {
                input.handle(key);
                Mode::Prompt { prompt, input }
            }
        }
    }

    fn confirm_key(&mut self, confirm: Confirm, key: &KeyEvent) -> Mode {
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                match confirm {
                    Confirm::DiscardForm => self.form = None,
                    Confirm::Bulk { ids, request } => {
                        let r = self.change_status(&ids, request, now(), None);
                        self.report(r);
                    }
                }
                Mode::Normal
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => Mode::Normal,
            _ => Mode::Confirm(confirm),
        }
    }

    fn form_key(&mut self, k: &Key, key: &KeyEvent) {
        let action = self.keymap.action(keymap::FORM_SCREEN, k);
        let Some(form) = self.form.as_mut() else {
            return;
        };
        match action {
            Some(Action::Save) => self.save_form(),
            Some(Action::Close) => {
                if form.dirty {
                    self.mode = Mode::Confirm(Confirm::DiscardForm);
                } else {
                    self.form = None;
                }
            }
            Some(Action::NextField) => form.next(1),
            Some(Action::PrevField) => form.next(-1),
            Some(Action::AddLine) => form.add_line(),
            Some(Action::DeleteLine) => form.delete_line(),
            _ => {
                form.type_key(key);
            }
        }
    }

    fn save_form(&mut self) {
        let Some(mut form) = self.form.take() else {
            return;
        };
        let conn = self.store.conn();
        let lookup = |text: &str| {
            crate::store::customers::find_by_code_or_name(conn, text)
                .ok()
                .flatten()
                .map(|(id, _)| id)
        };
        let Some((draft, reason)) = form.validate(&lookup) else {
            self.form = Some(form);
            return;
        };
        let result = (|| -> crate::store::Result<i64> {
            let tx = self.store.begin()?;
            let mut change = Change::new(if form.id.is_some() {
                "edit order"
            } else {
                "new order"
            });
            let id = orders::save(
                &tx,
                &mut change,
                form.id,
                form.version,
                &draft,
                reason.as_deref(),
            )?;
            change.record(&tx)?;
            tx.commit().doing("saving the order")?;
            Ok(id)
        })();
        match result {
            Ok(id) => {
                let r = self.after_save(id);
                self.report(r);
                self.info(t("msg.saved").into());
            }
            Err(e) => {
                form.message = Some(e.to_string());
                self.form = Some(form);
            }
        }
    }

    fn after_save(&mut self, id: i64) -> AppResult {
        self.orders.total = None;
        self.orders.refresh(self.store.conn())?;
        if !self.orders.select_id(id) {
            self.orders.reset(self.store.conn())?;
            self.orders.select_id(id);
        }
        if self.detail.is_some() {
            self.detail = Some(orders::load_detail(self.store.conn(), id)?);
        }
        Ok(())
    }

    fn jump_from_today(&mut self) -> AppResult {
        let Some(r) = self.today.get(self.today_cursor) else {
            return Ok(());
        };
        let (tab, key) = match r.target {
            Target::Orders(k) => (Tab::Orders, k),
            Target::Shipments(k) => (Tab::Shipments, k),
            Target::Complaints(k) => (Tab::Complaints, k),
        };
        self.switch(tab);
        self.with_list(|l, c| {
            l.clear_filters();
            l.toggle_filter_key(key);
            l.reset(c)
        })
    }
}

/// The string key of a status name.
pub fn status_key(s: Status) -> String {
    format!("status.{}", s.as_str())
}

/// What the app does with any list, whatever its rows.
pub trait ListOps {
    fn down(&mut self, c: &rusqlite::Connection) -> AppResult;
    fn up(&mut self, c: &rusqlite::Connection) -> AppResult;
    fn top(&mut self, c: &rusqlite::Connection) -> AppResult;
    fn bottom(&mut self, c: &rusqlite::Connection) -> AppResult;
    fn page_down(&mut self, c: &rusqlite::Connection) -> AppResult;
    fn page_up(&mut self, c: &rusqlite::Connection) -> AppResult;
    fn reset(&mut self, c: &rusqlite::Connection) -> AppResult;
    fn toggle_mark(&mut self, c: &rusqlite::Connection) -> AppResult;
    fn cycle_sort(&mut self);
    fn set_search(&mut self, text: String);
    fn clear_filters(&mut self);
    fn toggle_filter_key(&mut self, key: &str);
}

impl<T: ListEntity> ListOps for ListView<T> {
    fn down(&mut self, c: &rusqlite::Connection) -> AppResult {
        ListView::down(self, c)
    }
    fn up(&mut self, c: &rusqlite::Connection) -> AppResult {
        ListView::up(self, c)
    }
    fn top(&mut self, c: &rusqlite::Connection) -> AppResult {
        ListView::top(self, c)
    }
    fn bottom(&mut self, c: &rusqlite::Connection) -> AppResult {
        ListView::bottom(self, c)
    }
    fn page_down(&mut self, c: &rusqlite::Connection) -> AppResult {
        ListView::page_down(self, c)
    }
    fn page_up(&mut self, c: &rusqlite::Connection) -> AppResult {
        ListView::page_up(self, c)
    }
    fn reset(&mut self, c: &rusqlite::Connection) -> AppResult {
        ListView::reset(self, c)
    }
    fn toggle_mark(&mut self, c: &rusqlite::Connection) -> AppResult {
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
}

#[cfg(test)]
mod tests;
