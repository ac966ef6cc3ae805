//! The application state and what each action does to it. Keys become actions in one place
//! (`keymap`), actions change the store and the state, and `ui` draws the state.

pub mod attach;
mod authorise;
pub mod busy;
mod complaint_actions;
mod contact_actions;
mod customer_actions;
pub mod desk;
pub mod desk_modes;
#[cfg(test)]
pub mod fixture;
pub mod form;
mod form_save;
pub mod input;
pub mod keymap;
pub mod list;
pub mod message;
pub mod offsite;
mod order_actions;
mod overlays;
pub mod palette;
pub(crate) mod pointer;
pub mod quiet;
pub mod reports;
pub mod run;
pub mod safety;
pub mod screens;
pub mod scroll;
mod search_worker;
pub mod shipping;
pub mod tab;
pub mod today;
pub mod wake;

use crate::config::Config;
use crate::domain::status::Status;
use crate::i18n::t;
use crate::store::orders::StatusRequest;
use crate::store::Store;
use crossterm::event::{Event, KeyEvent, KeyEventKind};
use input::TextInput;
use keymap::{Action, Key, Keymap, Section};
use list::{ListOps, Move};
use screens::{Screens, StatusLine, View, Workers};
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
    /// A file over the size that is attached without asking.
    LargeAttach(Box<crate::store::documents::AttachPlan>),
}

/// Why a one-line prompt is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    /// Why the orders are cancelled; `at` is when it happened.
    CancelReason { ids: Vec<i64>, at: i64 },
    /// Why the orders are put on hold (kept in their status history).
    HoldReason { ids: Vec<i64>, at: i64 },
    /// The passphrase again, for an instruction sheet with the full address (encrypted desk;
    /// typed hidden; Esc writes the sheet with the address masked).
    SheetPassphrase { order: i64 },
    /// Why the sheet with the full address is written (kept in the audit log).
    SheetReason { order: i64 },
}

/// The one overlay system: whatever sits over the screen and takes the keys. `Normal` is
/// the screen itself (a list, a detail, or the open form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Search {
        input: TextInput,
    },
    /// The `?` help, scrolled with the list keys.
    Help(scroll::Scroll),
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
    Message(Box<message::MessageDraft>),
    /// Pick one of a few words: where a requirement or complaints go, how a requirement
    /// ended.
    Choose {
        purpose: desk_modes::ChoicePurpose,
        selected: usize,
    },
    /// Production stages with their load and lateness.
    Bottlenecks(Vec<crate::store::production::StageLoad>),
    /// One of an order's exceptions or documents.
    Pick(shipping::Pick),
}

pub struct App {
    pub store: Store,
    pub config: Config,
    pub keymap: Keymap,
    pub tab: Tab,
    pub mode: Mode,
    /// The open form (any record's), over the screen it was opened from.
    pub form: Option<form::Form>,
    /// One screen per tab, each with its list, its open record and its marks.
    pub screens: Screens,
    pub status: StatusLine,
    pub workers: Workers,
    pub view: View,
    pub running: bool,
}

type AppResult = crate::store::Result<()>;

impl App {
    pub fn new(store: Store, config: Config, keymap: Keymap) -> App {
        let windows = config.complaint_windows.windows();
        let mut store = store;
        // Complaint deadlines follow the configured windows (stored, for the list's order).
        let synced = crate::store::complaints::use_windows(&mut store, &windows);
        let mut app = App {
            store,
            config,
            keymap,
            tab: Tab::Orders,
            mode: Mode::Normal,
            form: None,
            screens: Screens::default(),
            status: StatusLine::default(),
            workers: Workers::default(),
            view: View::new(windows),
            running: true,
        };
        app.report(synced.map(drop));
        // Keys are never held up by another program's lock: see `busy`.
        let r = app.store.set_busy_timeout(busy::UI_WAIT);
        app.report(r);
        app
    }

    /// Fits the visible list to the screen; loads it the first time.
    pub fn prepare(&mut self, list_height: usize) {
        self.view.list_height = list_height;
        let conn = self.store.conn();
        let r = match self.tab {
            Tab::Orders => self.screens.orders.list.resize(conn, list_height),
            Tab::Customers => self.screens.customers.list.resize(conn, list_height),
            Tab::Shipments => self.screens.shipments.list.resize(conn, list_height),
            Tab::Complaints => self.screens.complaints.list.resize(conn, list_height),
            Tab::Today => {
                self.screens.today.fit(today::items_height(list_height));
                Ok(())
            }
            Tab::Reports => Ok(()),
        };
        self.report(r);
    }

    /// Work deferred until a frame is on screen: counting the current list, building Today.
    pub fn has_deferred_work(&self) -> bool {
        if self.workers.deferred_blocked {
            return false;
        }
        if self.backup_deferred() {
            return true;
        }
        match self.tab {
            Tab::Orders => self.screens.orders.list.needs_count(),
            Tab::Customers => self.screens.customers.list.needs_count(),
            Tab::Shipments => self.screens.shipments.list.needs_count(),
            Tab::Complaints => self.screens.complaints.list.needs_count(),
            Tab::Today => self.screens.today.is_empty(),
            Tab::Reports => self.screens.reports.needs_figures(),
        }
    }

    pub fn do_deferred_work(&mut self) {
        if self.backup_deferred() {
            return self.daily_backup();
        }
        let conn = self.store.conn();
        let r = match self.tab {
            Tab::Orders => self.screens.orders.list.count_now(conn),
            Tab::Customers => self.screens.customers.list.count_now(conn),
            Tab::Shipments => self.screens.shipments.list.count_now(conn),
            Tab::Complaints => self.screens.complaints.list.count_now(conn),
            Tab::Today => self.screens.today.load(conn, self.view.windows),
            Tab::Reports => {
                let (screens, mut ctx) = self.split();
                screens.reports.start(&mut ctx)
            }
        };
        self.workers.deferred_blocked = r.is_err();
        self.report(r);
    }

    fn report(&mut self, r: AppResult) {
        if let Err(e) = r {
            if matches!(e, crate::store::StoreError::Conflict(_)) {
                // Another copy changed the order: show it as it is now, so that trying
                // again acts on what the clerk sees (the message says to).
                let _ = self.after_change();
                let conn = self.store.conn();
                self.screens.orders.marked_versions.retain(|id, v| {
                    conn.query_row("SELECT version FROM orders WHERE id = ?1", [*id], |r| {
                        r.get(0)
                    })
                    .map(|now| *v = now)
                    .is_ok()
                });
            }
            self.status.message = Some((Level::Error, crate::ui::words::store_error(&e)));
        }
    }

    /// The screens, and the rest of the application a screen's keys may use.
    fn split(&mut self) -> (&mut Screens, screens::Ctx<'_>) {
        let ctx = screens::Ctx {
            store: &mut self.store,
            config: &self.config,
            mode: &mut self.mode,
            form: &mut self.form,
            status: &mut self.status,
            workers: &mut self.workers,
            view: &self.view,
        };
        (&mut self.screens, ctx)
    }

    fn info(&mut self, text: String) {
        self.status.message = Some((Level::Info, text));
    }

    /// The keymap sections live on the current screen.
    pub fn sections(&self) -> &'static [Section] {
        if self.form.is_some() {
            keymap::FORM_SCREEN
        } else {
            match self.tab {
                Tab::Orders => keymap::LIST_SCREEN,
                Tab::Customers => keymap::CUSTOMERS_SCREEN,
                Tab::Complaints => keymap::COMPLAINTS_SCREEN,
                Tab::Shipments => keymap::SHIPMENTS_SCREEN,
                Tab::Reports => keymap::REPORTS_SCREEN,
                Tab::Today => keymap::TODAY_SCREEN,
            }
        }
    }

    /// The sections the `?` help lists: the screen's, and on a form the global keys too.
    pub fn help_sections(&self) -> Vec<Section> {
        if self.form.is_some() {
            vec![Section::Global, Section::Form]
        } else {
            self.sections().to_vec()
        }
    }

    pub fn handle_event(&mut self, event: Event) {
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => self.handle_key(key),
            Event::Mouse(mouse) => self.handle_mouse(mouse),
            Event::Paste(text) => self.paste(&text),
            _ => {}
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
        self.status.message = None;
        self.workers.deferred_blocked = false;
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
            Mode::Help(scroll) => self.help_key(scroll, &k),
            Mode::Palette { input, selected } => self.palette_key(input, selected, &key),
            Mode::Filters { selected } => self.filters_key(selected, &key),
            Mode::StatusMenu {
                ids,
                when,
                editing_when,
            } => self.status_menu_key(ids, when, editing_when, &key),
            Mode::Prompt { prompt, input } => self.prompt_key(prompt, input, &key),
            Mode::Confirm(c) => self.confirm_key(c, &key),
            Mode::Message(popup) => self.message_key(popup, &key),
            Mode::Choose { purpose, selected } => self.choose_key(purpose, selected, &k),
            Mode::Bottlenecks(loads) => self.bottlenecks_key(loads, &k),
            Mode::Pick(pick) => self.pick_key(pick, &k),
        };
        self.remind_busy();
    }

    /// Runs one action of the screens.
    pub fn act(&mut self, action: Action) {
        let r = self.dispatch(action);
        self.report(r);
    }

    /// The one path of an action: the tab's own keys first (`true`: handled), then what
    /// every screen shares.
    fn dispatch(&mut self, action: Action) -> AppResult {
        let handled = match self.tab {
            Tab::Orders => self.orders_act(action)?,
            Tab::Customers => self.customers_act(action)?,
            Tab::Shipments => self.shipments_act(action)?,
            Tab::Complaints => self.complaints_act(action)?,
            Tab::Today => self.today_act(action)?,
            Tab::Reports => {
                let (screens, mut ctx) = self.split();
                screens.reports.act(&mut ctx, action)?
            }
        };
        if handled {
            return Ok(());
        }
        self.common_act(action)
    }

    fn switch(&mut self, tab: Tab) {
        self.tab = tab;
        self.screens.orders.detail = None;
        if tab == Tab::Today {
            self.screens.today.clear();
        }
        if tab == Tab::Reports {
            self.screens.reports.mark_stale();
        }
        self.prepare(self.view.list_height);
    }

    /// What every screen's keys do alike: tabs, help, moving, searching, undo, messages.
    fn common_act(&mut self, action: Action) -> AppResult {
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
            Action::Help => self.mode = Mode::Help(scroll::Scroll::default()),
            Action::Palette => {
                self.mode = Mode::Palette {
                    input: TextInput::default(),
                    selected: 0,
                }
            }
            Action::Back => {
                if self.screens.orders.detail.take().is_none() {
                    self.clear_search()?;
                }
            }
            Action::Down
            | Action::Up
            | Action::Top
            | Action::Bottom
            | Action::PageDown
            | Action::PageUp => {
                self.move_cursor(action)?;
            }

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
            Action::Mark => match self.tab {
                Tab::Orders => self.screens.orders.toggle_mark(self.store.conn())?,
                _ => self.with_list(|l, c| l.toggle_mark(c))?,
            },
            Action::Undo => {
                self.undo()?;
                self.refresh_today()?;
            }
            Action::FollowUp => self.start_followup(),
            Action::DraftMessage => self.draft_message()?,
            // Keys of one screen, which its own `act` takes; elsewhere they do nothing.
            Action::Open
            | Action::New
            | Action::Edit
            | Action::Advance
            | Action::Hold
            | Action::StatusMenu
            | Action::CancelOrder
            | Action::NextOrder
            | Action::PrevOrder
            | Action::NewFollowup
            | Action::CompleteFollowup
            | Action::PrevMonth
            | Action::NextMonth
            | Action::ExportReportXlsx
            | Action::ExportReportHtml
            | Action::GotoMonth
            | Action::ClearFilters => {}
            Action::CopyMessage
            | Action::SaveMessage
            | Action::SaveMessageEml
            | Action::SendMessage
            | Action::NextTemplate
            | Action::PrevTemplate
            | Action::Yes
            | Action::No => {}
            Action::Instructions
            | Action::Production
            | Action::OpenException
            | Action::InformCustomer
            | Action::ResolveException
            | Action::AttachDocument
            | Action::OpenDocument
            | Action::Deliver
            | Action::Bottlenecks => {}
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
            | Action::NextSuggestion
            | Action::PrevSuggestion
            | Action::Accept
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
            Tab::Orders => f(&mut self.screens.orders.list, conn),
            Tab::Customers => f(&mut self.screens.customers.list, conn),
            Tab::Shipments => f(&mut self.screens.shipments.list, conn),
            Tab::Complaints => f(&mut self.screens.complaints.list, conn),
            Tab::Today | Tab::Reports => Ok(()),
        }
    }

    fn move_cursor(&mut self, action: Action) -> AppResult {
        if self.tab == Tab::Orders && self.screens.orders.detail.is_some() {
            // The open order scrolls; J/K go to the next and previous order.
            self.screens
                .orders
                .scroll
                .apply(action, self.view.list_height);
            return Ok(());
        }
        if self.tab == Tab::Reports {
            self.screens.reports.scroll(action, self.view.list_height);
            return Ok(());
        }
        if self.tab == Tab::Today {
            self.screens
                .today
                .move_cursor(action, today::items_height(self.view.list_height));
            return Ok(());
        }
        let step = match action {
            Action::Down => Move::Down,
            Action::Up => Move::Up,
            Action::Top => Move::Top,
            Action::Bottom => Move::Bottom,
            Action::PageDown => Move::PageDown,
            _ => Move::PageUp,
        };
        if self.move_searched(step) {
            return Ok(());
        }
        self.with_list(|l, c| l.go(c, step))
    }

    /// Keys of the `?` help: the list's movement keys scroll it; back, help, quit or open
    /// close it.
    fn help_key(&mut self, mut scroll: scroll::Scroll, k: &Key) -> Mode {
        match self.keymap.action(&[Section::Global, Section::List], k) {
            Some(Action::Back | Action::Help | Action::Quit | Action::Open) => Mode::Normal,
            Some(action) => {
                scroll.apply(action, self.view.list_height);
                Mode::Help(scroll)
            }
            None => Mode::Help(scroll),
        }
    }
}

/// The string key of a status name.
pub fn status_key(s: Status) -> String {
    format!("status.{}", s.as_str())
}

#[cfg(test)]
mod busy_tests;
#[cfg(test)]
pub mod desk_fixture;
#[cfg(test)]
mod desk_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
