//! The application state and what each action does to it. Keys become actions in one place
//! (`keymap`), actions change the store and the state, and `ui` draws the state.

mod complaint_actions;
mod contact_actions;
mod customer_actions;
pub mod desk;
pub mod desk_forms;
pub mod desk_modes;
mod desk_save;
#[cfg(test)]
pub mod fixture;
pub mod form;
pub mod input;
pub mod keymap;
pub mod list;
mod order_actions;
mod overlays;
pub mod palette;
pub mod record_form;
pub mod run;
pub mod tab;

use crate::config::Config;
use crate::domain::status::Status;
use crate::domain::time::now;
use crate::i18n::t;
use crate::store::complaints::ComplaintRow;
use crate::store::customers::CustomerRow;
use crate::store::orders::{OrderDetail, OrderRow, StatusRequest};
use crate::store::shipments::ShipmentRow;
use crate::store::summary::{self, MonthSummary};
use crate::store::today::{reminders, Reminder, ResponseWindows, Target};
use crate::store::Store;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind};
use form::OrderForm;
use input::TextInput;
use keymap::{Action, Key, Keymap, Section};
use list::{ListOps, ListView};
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
    /// The after-sales overlays (pick a department, type a resolution).
    Desk(desk_modes::DeskMode),
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
    /// The Customers and Complaints tabs' details and the after-sales forms.
    pub desk: desk::Desk,
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
        let mut store = store;
        // Complaint deadlines follow the configured windows (stored, for the list's order).
        let synced = crate::store::complaints::use_windows(&mut store, &windows.0);
        let mut app = App {
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
            desk: desk::Desk::default(),
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
        };
        app.report(synced.map(drop));
        app
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
        if self.form.is_some() || self.desk.form.is_some() {
            keymap::FORM_SCREEN
        } else {
            match self.tab {
                Tab::Orders => keymap::LIST_SCREEN,
                Tab::Customers => keymap::CUSTOMERS_SCREEN,
                Tab::Complaints => keymap::COMPLAINTS_SCREEN,
                _ => &[Section::Global, Section::List],
            }
        }
    }

    /// The sections the `?` help lists: the screen's, and on a form the global keys too.
    pub fn help_sections(&self) -> Vec<Section> {
        if self.form.is_some() || self.desk.form.is_some() {
            vec![Section::Global, Section::Form]
        } else {
            self.sections().to_vec()
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
            Mode::Normal if self.desk.form.is_some() => {
                self.desk_form_key(&k, &key);
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
            Mode::Desk(m) => self.desk_mode_key(m, &key),
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
        if let Some(r) = self.desk_act(action) {
            return r;
        }
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
            Action::LogContact
            | Action::Respond
            | Action::AddRequirement
            | Action::ForwardRequirement
            | Action::CloseRequirement
            | Action::Survey
            | Action::KeyAccount
            | Action::CloseComplaint
            | Action::Route => {}
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

#[cfg(test)]
pub mod desk_fixture;
#[cfg(test)]
mod desk_tests;
#[cfg(test)]
mod tests;
