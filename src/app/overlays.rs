//! The overlays and input modes: search as you type, filters, the command palette, the
//! status menu, prompts and confirmations. Each takes a key and returns the next mode.

use super::form::specs;
use super::input::TextInput;
use super::keymap::Action;
use super::palette::{self, Command};
use super::tab::Tab;
use super::{App, AppResult, Confirm, Level, Mode, Prompt};
use crate::domain::status::{check_when, Status, WhenError};
use crate::domain::time::{now, parse_stamp};
use crate::i18n::{t, tf};
use crate::store::list::ListEntity;
use crate::store::orders::StatusRequest;
use crossterm::event::KeyEvent;

impl App {
    pub(super) fn current_search(&self) -> String {
        match self.tab {
            Tab::Orders => self.screens.orders.list.query.search.clone(),
            Tab::Customers => self.screens.customers.list.query.search.clone(),
            Tab::Shipments => self.screens.shipments.list.query.search.clone(),
            Tab::Complaints => self.screens.complaints.list.query.search.clone(),
            _ => String::new(),
        }
    }

    pub(super) fn set_search(&mut self, text: &str) -> AppResult {
        let text = text.to_string();
        self.with_list(move |l, c| {
            l.set_search(text);
            l.reset(c)
        })
    }

    pub(super) fn clear_search(&mut self) -> AppResult {
        if !self.current_search().is_empty() {
            self.set_search("")?;
        }
        Ok(())
    }

    /// What a key means in a line being typed (search, palette, prompts): the `[form]`
    /// keys of the keymap (Enter, Esc, Tab, ↓/↑); any other key types.
    pub(super) fn edit_action(&self, key: &KeyEvent) -> Option<Action> {
        let k = super::keymap::Key::from_event(key)?;
        self.keymap.action(super::keymap::FORM_SCREEN, &k)
    }

    pub(super) fn search_key(&mut self, mut input: TextInput, key: &KeyEvent) -> Mode {
        match self.edit_action(key) {
            Some(Action::Accept) => Mode::Normal,
            Some(Action::Close) => {
                let r = self.set_search("");
                self.report(r);
                Mode::Normal
            }
            Some(a @ (Action::NextSuggestion | Action::PrevSuggestion)) => {
                let r = self.move_cursor(if a == Action::NextSuggestion {
                    Action::Down
                } else {
                    Action::Up
                });
                self.report(r);
                Mode::Search { input }
            }
            action => {
                if input.edit(action, key) {
                    let r = self.search_for(input.value());
                    self.report(r);
                }
                Mode::Search { input }
            }
        }
    }

    /// Filter keys of the current list with their on/off state.
    pub fn filter_keys(&self) -> Vec<(String, bool)> {
        fn keys<T: ListEntity>(l: &super::list::ListView<T>) -> Vec<(String, bool)> {
            T::filters()
                .into_iter()
                .map(|f| {
                    let on = l.query.filters.contains(&f.key);
                    (f.key, on)
                })
                .collect()
        }
        match self.tab {
            Tab::Orders => keys(&self.screens.orders.list),
            Tab::Customers => keys(&self.screens.customers.list),
            Tab::Shipments => keys(&self.screens.shipments.list),
            Tab::Complaints => {
                let mut k = keys(&self.screens.complaints.list);
                k.extend(self.complaint_customer_filter());
                k
            }
            _ => Vec::new(),
        }
    }

    pub(super) fn filters_key(&mut self, selected: usize, key: &KeyEvent) -> Mode {
        let n = self.filter_keys().len();
        let action = super::keymap::Key::from_event(key)
            .and_then(|k| self.keymap.action(super::keymap::MENU_SCREEN, &k));
        match action {
            Some(Action::Back | Action::Filter | Action::Quit) => Mode::Normal,
            Some(a @ (Action::Down | Action::Up | Action::Top | Action::Bottom)) => Mode::Filters {
                selected: super::desk_modes::step(selected, n, a),
            },
            Some(Action::ClearFilters) => {
                let r = self.with_list(|l, c| {
                    l.clear_filters();
                    l.reset(c)
                });
                self.report(r);
                Mode::Filters { selected }
            }
            Some(Action::Open | Action::Mark) => {
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

    pub(super) fn palette_key(
        &mut self,
        mut input: TextInput,
        selected: usize,
        key: &KeyEvent,
    ) -> Mode {
        let found = palette::matches(input.value());
        match self.edit_action(key) {
            Some(Action::Close) => Mode::Normal,
            Some(Action::NextSuggestion) => Mode::Palette {
                input,
                selected: (selected + 1).min(found.len().saturating_sub(1)),
            },
            Some(Action::PrevSuggestion) => Mode::Palette {
                input,
                selected: selected.saturating_sub(1),
            },
            Some(Action::Accept) => {
                if let Some((cmd, _)) = found.get(selected) {
                    let r = self.run_command(*cmd);
                    self.report(r);
                }
                std::mem::replace(&mut self.mode, Mode::Normal)
            }
            action => {
                input.edit(action, key);
                Mode::Palette { input, selected: 0 }
            }
        }
    }

    pub fn run_command(&mut self, cmd: Command) -> AppResult {
        match cmd {
            Command::NewOrder => {
                self.switch(Tab::Orders);
                self.open_form(specs::new_order(&self.config.currency()));
            }
            Command::NewCustomer => {
                self.switch(Tab::Customers);
                self.open_form(specs::customer(None));
            }
            Command::NewComplaint => {
                self.switch(Tab::Complaints);
                self.open_form(specs::new_complaint("", ""));
            }
            Command::Undo => self.undo()?,
            Command::Goto(tab) => self.switch(tab),
            Command::OrdersFilter(key) => {
                self.switch(Tab::Orders);
                self.screens.orders.list.toggle_filter(key);
                self.screens.orders.list.reset(self.store.conn())?;
            }
            Command::ClearFilters => self.with_list(|l, c| {
                l.clear_filters();
                l.reset(c)
            })?,
            Command::NextSort => self.act(Action::Sort),
            Command::ExportOrders => self.export_orders(),
            Command::Shipping(c) => self.shipping_command(c)?,
            Command::BackupNow => self.start_backup(false),
            Command::ExportReport(format) => {
                let (screens, mut ctx) = self.split();
                screens.reports.export(&mut ctx, format)
            }
            Command::Help => self.mode = Mode::Help(super::scroll::Scroll::default()),
            Command::Quit => self.running = false,
        }
        Ok(())
    }

    pub(super) fn export_orders(&mut self) {
        let db = self.store.path();
        let dir = if db == std::path::Path::new(":memory:") {
            // Tests: never into the working folder.
            std::env::temp_dir().join("orderdesk-exports")
        } else {
            db.parent()
                .map(|p| p.join("exports"))
                .unwrap_or_else(|| std::path::PathBuf::from("exports"))
        };
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
        let path = dir.join(format!("orders-{stamp}.csv"));
        // Marked rows are what the next command acts on (SPEC §7); none marked: all orders.
        let marked: Vec<i64> = self.screens.orders.list.marks.iter().copied().collect();
        let opts = crate::io::ExportOptions {
            include_pii: false,
            marked_only: !marked.is_empty(),
            ..Default::default()
        };
        let result = crate::io::files::private_folder(&dir)
            .map_err(anyhow::Error::from)
            .and_then(|_| crate::io::mark_for_export(self.store.conn(), &marked))
            .and_then(|_| {
                crate::io::export_to_path(&mut self.store, crate::io::Kind::Orders, &path, &opts)
            });
        match result {
            Ok(rows) => self.info(tf(
                "msg.exported",
                &[("rows", &rows), ("path", &path.display())],
            )),
            Err(e) => self.status.message = Some((Level::Error, e.to_string())),
        }
    }

    pub(super) fn status_menu_key(
        &mut self,
        ids: Vec<i64>,
        mut when: TextInput,
        editing_when: bool,
        key: &KeyEvent,
    ) -> Mode {
        let action = self.edit_action(key);
        if editing_when {
            return match action {
                Some(Action::Accept | Action::NextField) => Mode::StatusMenu {
                    ids,
                    when,
                    editing_when: false,
                },
                Some(Action::Close) => Mode::Normal,
                action => {
                    when.edit(action, key);
                    Mode::StatusMenu {
                        ids,
                        when,
                        editing_when: true,
                    }
                }
            };
        }
        let set = super::keymap::Key::from_event(key)
            .and_then(|k| self.keymap.action(super::keymap::STATUS_MENU_SCREEN, &k))
            .and_then(Action::status);
        match (action, set) {
            (Some(Action::Close), _) => Mode::Normal,
            (Some(Action::NextField), _) => {
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
            // The statuses' own keys (keymap `[status_menu]`), shown beside them in the menu.
            (_, Some(to)) => {
                let happened_at = match self.status_time(&ids, when.value()) {
                    Ok(at) => at,
                    Err(text) => {
                        self.status.message = Some((Level::Error, text));
                        return Mode::StatusMenu {
                            ids,
                            when,
                            editing_when,
                        };
                    }
                };
                if to == Status::Cancelled {
                    return Mode::Prompt {
                        prompt: Prompt::CancelReason {
                            ids,
                            at: happened_at,
                        },
                        input: TextInput::default(),
                    };
                }
                if to == Status::OnHold {
                    return Mode::Prompt {
                        prompt: Prompt::HoldReason {
                            ids,
                            at: happened_at,
                        },
                        input: TextInput::default(),
                    };
                }
                let request = StatusRequest::Set(to);
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

    pub(super) fn prompt_key(
        &mut self,
        prompt: Prompt,
        mut input: TextInput,
        key: &KeyEvent,
    ) -> Mode {
        if matches!(
            prompt,
            Prompt::SheetPassphrase { .. } | Prompt::SheetReason { .. }
        ) {
            return self.sheet_prompt_key(prompt, input, key);
        }
        match self.edit_action(key) {
            Some(Action::Close) => Mode::Normal,
            Some(Action::Accept) => {
                let reason = input.value().trim().to_string();
                if reason.is_empty() {
                    self.status.message = Some((Level::Error, t("msg.reason_required").into()));
                    return Mode::Prompt { prompt, input };
                }
                let (ids, request, at) = match prompt {
                    Prompt::CancelReason { ids, at } => {
                        (ids, StatusRequest::Set(Status::Cancelled), at)
                    }
                    Prompt::HoldReason { ids, at } => (ids, StatusRequest::ToggleHold, at),
                    Prompt::SheetPassphrase { .. } | Prompt::SheetReason { .. } => {
                        return Mode::Normal
                    }
                };
                let r = self.change_status(&ids, request, at, Some(&reason));
                self.report(r);
                Mode::Normal
            }
            action => {
                input.edit(action, key);
                Mode::Prompt { prompt, input }
            }
        }
    }

    /// `Some(true)` for a yes key, `Some(false)` for a no key (keymap `[confirm]`).
    pub(super) fn answer(&self, key: &KeyEvent) -> Option<bool> {
        let k = super::keymap::Key::from_event(key)?;
        match self.keymap.action(super::keymap::CONFIRM_SCREEN, &k) {
            Some(Action::Yes) => Some(true),
            Some(Action::No) => Some(false),
            _ => None,
        }
    }

    pub(super) fn confirm_key(&mut self, confirm: Confirm, key: &KeyEvent) -> Mode {
        match self.answer(key) {
            Some(true) => {
                match confirm {
                    Confirm::DiscardForm => *self.form_mut() = None,
                    Confirm::Bulk { ids, request } => {
                        let r = self.change_status(&ids, request, now(), None);
                        self.report(r);
                    }
                    Confirm::LargeAttach(plan) => {
                        *self.form_mut() = None;
                        self.start_attach(*plan);
                    }
                }
                Mode::Normal
            }
            Some(false) => Mode::Normal,
            None => Mode::Confirm(confirm),
        }
    }
}

impl App {
    /// When a status change the clerk typed happened: `now` for the menu's default, else
    /// the typed time, which must lie between every order's placing and now. `Err` is the
    /// sentence to show.
    pub(super) fn status_time(&self, ids: &[i64], typed: &str) -> Result<i64, String> {
        let current = now();
        if typed == t("status.now") || typed.trim().is_empty() {
            return Ok(current);
        }
        let at = parse_stamp(typed).map_err(|e| crate::ui::words::time_error(&e))?;
        let mut placed = i64::MIN;
        for id in ids {
            let detail = crate::store::orders::load_detail(self.store.conn(), *id)
                .map_err(|e| e.to_string())?;
            placed = placed.max(detail.draft.ordered_at);
        }
        check_when(at, placed, current).map_err(|e| match e {
            WhenError::Future => t("msg.future_time").to_string(),
            WhenError::BeforeOrder => t("msg.before_order").to_string(),
        })?;
        Ok(at)
    }
}
