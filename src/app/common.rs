//! What every screen's keys do alike: tabs, help, moving, searching, marks, undo and
//! messages; and the `?` help's keys.

use super::input::TextInput;
use super::keymap::{Action, Key, Section};
use super::list::{ListOps, Move};
use super::tab::Tab;
use super::{scroll, today, App, AppResult, Mode};
use crate::i18n::t;

impl App {
    /// What every screen's keys do alike: tabs, help, moving, searching, undo, messages.
    pub(super) fn common_act(&mut self, action: Action) -> AppResult {
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
            | Action::Close
            | Action::ClearLine
            | Action::LineStart
            | Action::LineEnd
            | Action::NextChoice => {}
            // Keys of the status menu and of a short list's quick pick.
            Action::SetInquiry
            | Action::SetQuoted
            | Action::SetConfirmed
            | Action::SetInProduction
            | Action::SetReady
            | Action::SetShipped
            | Action::SetDelivered
            | Action::SetClosed
            | Action::SetOnHold
            | Action::SetCancelled
            | Action::SetLost
            | Action::Pick1
            | Action::Pick2
            | Action::Pick3
            | Action::Pick4
            | Action::Pick5
            | Action::Pick6
            | Action::Pick7
            | Action::Pick8
            | Action::Pick9 => {}
        }
        Ok(())
    }

    pub(super) fn with_list(
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

    pub(super) fn move_cursor(&mut self, action: Action) -> AppResult {
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
    pub(super) fn help_key(&mut self, mut scroll: scroll::Scroll, k: &Key) -> Mode {
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
