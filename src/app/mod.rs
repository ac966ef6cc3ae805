//! The application state and what each action does to it. Keys become actions in one place
//! (`keymap`), actions change the store and the state, and `ui` draws the state.

pub mod attach;
mod authorise;
pub mod busy;
mod common;
mod complaint_actions;
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
use crate::store::orders::StatusRequest;
use crate::store::Store;
use crossterm::event::{Event, KeyEvent, KeyEventKind};
use input::TextInput;
use keymap::{Action, Key, Keymap, Section};
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
    /// One screen per tab, each with its list, its open record, its form and its marks.
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
            keymap: &self.keymap,
            mode: &mut self.mode,
            status: &mut self.status,
            workers: &mut self.workers,
            view: &self.view,
            changed: false,
            goto: None,
        };
        (&mut self.screens, ctx)
    }

    /// Runs `f` on the screens with the rest of the application borrowed; then what it
    /// asked for: every view read again after a saved change, a record opened on its tab.
    fn on_screens<T>(
        &mut self,
        f: impl FnOnce(&mut Screens, &mut screens::Ctx<'_>) -> crate::store::Result<T>,
    ) -> crate::store::Result<T> {
        let (screens, mut ctx) = self.split();
        let r = f(screens, &mut ctx);
        let (changed, goto) = (ctx.changed, ctx.goto);
        if changed {
            self.after_desk_change()?;
        }
        match goto {
            Some(screens::Goto::Order(id)) => self.open_order_by_id(id)?,
            Some(screens::Goto::Complaint(id)) => {
                self.switch(Tab::Complaints);
                self.screens.complaints.show(&self.store, id)?;
            }
            None => {}
        }
        r
    }

    /// The form open on the current tab's screen.
    pub fn form(&self) -> Option<&form::Form> {
        self.screens.form(self.tab)
    }

    /// Where the current tab's screen keeps its form.
    pub fn form_mut(&mut self) -> &mut Option<form::Form> {
        self.screens.form_slot(self.tab)
    }

    fn info(&mut self, text: String) {
        self.status.message = Some((Level::Info, text));
    }

    /// The keymap sections live on the current screen.
    pub fn sections(&self) -> &'static [Section] {
        if self.form().is_some() {
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
        if self.form().is_some() {
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
            Mode::Normal if self.form().is_some() => {
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
            Tab::Orders => self.on_screens(|s, c| s.orders.act(c, action))?,
            Tab::Customers => self.on_screens(|s, c| s.customers.act(c, action))?,
            Tab::Shipments => self.on_screens(|s, c| s.shipments.act(c, action))?,
            Tab::Complaints => self.on_screens(|s, c| s.complaints.act(c, action))?,
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
