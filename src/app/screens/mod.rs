//! One screen per tab: each owns its list, the record it has open, its form and its marks
//! (a half-filled form stays with its tab while the clerk looks at another), and the
//! rest of the application's state is grouped by what it is for (the status line, the
//! workers on other threads, the room on screen). `App` holds these groups and routes keys
//! to the screen of the current tab.

use super::form::Form;
mod complaints;
mod contacts;
mod customers;
pub(super) mod order_shipping;
mod order_status;
mod orders;
mod shipments;

use super::list::ListView;
use super::reports::Reports;
use super::tab::Tab;
use super::today::TodayView;
use super::{attach, busy, message, safety, scroll, search_worker, shipping, wake, Level, Mode};
use crate::config::Config;
use crate::domain::status::Status;
use crate::store::complaints::{ComplaintDetail, ComplaintRow};
use crate::store::customers::{CustomerDetail, CustomerRow};
use crate::store::orders::{OrderDetail, OrderRow};
use crate::store::shipments::ShipmentRow;
use crate::store::today::ResponseWindows;
use crate::store::Store;
use std::collections::HashMap;

/// The Orders tab: the list, the order opened with Enter and the marks.
#[derive(Default)]
pub struct OrdersScreen {
    pub list: ListView<OrderRow>,
    pub detail: Option<OrderDetail>,
    /// How far the open order is scrolled.
    pub scroll: scroll::Scroll,
    /// The version of each marked order as it was when marked: a bulk change is refused
    /// for an order another copy changed since, as a single change is.
    pub marked_versions: HashMap<i64, i64>,
    /// The form opened on this tab (a new or changed order, a contact, an exception …),
    /// kept while the clerk looks at another tab.
    pub form: Option<Form>,
}

/// The Customers tab: the list and the customer opened with Enter, with its selected line.
#[derive(Default)]
pub struct CustomersScreen {
    pub list: ListView<CustomerRow>,
    pub detail: Option<CustomerDetail>,
    pub item: usize,
    pub form: Option<Form>,
}

/// The Shipments tab: the list and the shipment opened with Enter.
#[derive(Default)]
pub struct ShipmentsScreen {
    pub list: ListView<ShipmentRow>,
    pub shipping: shipping::ShippingState,
    pub form: Option<Form>,
}

/// The Complaints tab: the list and the complaint opened with Enter, with its selected line.
#[derive(Default)]
pub struct ComplaintsScreen {
    pub list: ListView<ComplaintRow>,
    pub detail: Option<ComplaintDetail>,
    pub item: usize,
    pub form: Option<Form>,
}

/// The Today tab: what is due, built when the tab is shown.
pub type TodayScreen = TodayView;

/// The Reports tab: the chosen month, its figures, exports in progress.
pub type ReportsScreen = Reports;

/// One screen per tab.
#[derive(Default)]
pub struct Screens {
    pub orders: OrdersScreen,
    pub customers: CustomersScreen,
    pub shipments: ShipmentsScreen,
    pub complaints: ComplaintsScreen,
    pub today: TodayScreen,
    pub reports: ReportsScreen,
}

impl Screens {
    /// The form open on `tab`'s screen.
    pub fn form(&self, tab: Tab) -> Option<&Form> {
        match tab {
            Tab::Orders => self.orders.form.as_ref(),
            Tab::Customers => self.customers.form.as_ref(),
            Tab::Shipments => self.shipments.form.as_ref(),
            Tab::Complaints => self.complaints.form.as_ref(),
            Tab::Today => self.today.form.as_ref(),
            Tab::Reports => self.reports.form.as_ref(),
        }
    }

    /// Where `tab`'s screen keeps its form.
    pub fn form_slot(&mut self, tab: Tab) -> &mut Option<Form> {
        match tab {
            Tab::Orders => &mut self.orders.form,
            Tab::Customers => &mut self.customers.form,
            Tab::Shipments => &mut self.shipments.form,
            Tab::Complaints => &mut self.complaints.form,
            Tab::Today => &mut self.today.form,
            Tab::Reports => &mut self.reports.form,
        }
    }
}

/// What the status line says.
#[derive(Default)]
pub struct StatusLine {
    pub message: Option<(Level, String)>,
    /// The last status change, for the footer's stage-message hint.
    pub last_change: Option<Status>,
}

/// Work on other threads, and work put off until a frame is on screen.
#[derive(Default)]
pub struct Workers {
    /// The daily backup and "backup now" (see `safety`).
    pub backups: safety::Backups,
    /// An attachment being copied into the archive on its thread.
    pub attaching: Option<attach::AttachJob>,
    /// Changes kept while another program holds the database's write lock.
    pub busy: busy::Waiting,
    /// Wakes the event loop when a worker thread is done.
    pub waker: wake::Waker,
    /// Searches as you type, on their own thread (started with the first one).
    pub(super) searcher: Option<search_worker::Searcher>,
    /// Deferred work failed; wait for the next key rather than retrying in a loop.
    pub(super) deferred_blocked: bool,
}

/// What the screens are drawn with: the room they have, the response windows they show,
/// the message templates and where a copied message goes.
pub struct View {
    /// Rows of list the screen has room for, set before each frame.
    pub list_height: usize,
    pub windows: ResponseWindows,
    pub templates: crate::messages::Templates,
    /// Where `y` in a message puts the text; tests record instead of touching the desktop.
    pub copier: message::CopyFn,
}

impl View {
    pub fn new(windows: ResponseWindows) -> View {
        View {
            list_height: 20,
            windows,
            templates: crate::messages::Templates::from_config_dir(),
            copier: message::system_clipboard,
        }
    }
}

impl StatusLine {
    pub fn info(&mut self, text: String) {
        self.message = Some((Level::Info, text));
    }

    pub fn error(&mut self, text: String) {
        self.message = Some((Level::Error, text));
    }
}

/// The parts of the application a screen's own keys may use besides the screen itself,
/// borrowed for one action.
pub struct Ctx<'a> {
    pub store: &'a mut Store,
    pub config: &'a Config,
    pub keymap: &'a super::keymap::Keymap,
    /// Where a screen opens an overlay.
    pub mode: &'a mut Mode,
    pub status: &'a mut StatusLine,
    pub workers: &'a mut Workers,
    pub view: &'a View,
    /// A change was saved: after the key every list and open record is read again.
    pub changed: bool,
    /// Where the key leads on another tab.
    pub goto: Option<Goto>,
}

/// A record a screen's key opens on its own tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goto {
    Order(i64),
    Complaint(i64),
}

impl Ctx<'_> {
    pub fn info(&mut self, text: String) {
        self.status.info(text);
    }
}

#[cfg(test)]
mod tests;
