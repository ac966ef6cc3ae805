//! What the desk does for the Complaints screen once a form or a pick is done: closing
//! with a resolution, routing to a department, the cursor after a change, the customer
//! filter. The keys themselves are the screen's (`screens::complaints`).

use super::{App, AppResult};
use crate::domain::enums::Department;
use crate::domain::time::now;
use crate::i18n::{t, tf};
use crate::store::undo::Change;
use crate::store::{complaints, Context};

impl App {
    /// A complaint answered or closed moves down the urgency order; the cursor stays where
    /// it was, on the next one to work on.
    pub(super) fn keep_complaint_cursor(&mut self, at: usize) {
        if self.screens.complaints.detail.is_none() {
            self.screens.complaints.list.cursor =
                at.min(self.screens.complaints.list.rows.len().saturating_sub(1));
        }
    }

    /// Closes one complaint with its resolution, as one undoable step; what to say.
    pub(super) fn close_complaint(
        &mut self,
        id: i64,
        version: i64,
        resolution: &str,
    ) -> crate::store::Result<String> {
        let tx = self.store.begin()?;
        let mut change = Change::new("close complaint");
        let no = complaints::close(&tx, &mut change, id, Some(version), resolution, now())?;
        change.record(&tx)?;
        tx.commit().doing("closing the complaint")?;
        self.screens.complaints.list.marks.clear();
        Ok(tf("msg.complaint_closed", &[("complaint", &no)]))
    }

    pub(super) fn route_complaints(
        &mut self,
        ids: &[i64],
        version: Option<i64>,
        department: Department,
    ) -> AppResult {
        let tx = self.store.begin()?;
        let mut change = Change::new("route complaint");
        for id in ids {
            complaints::route(&tx, &mut change, *id, version, department)?;
        }
        change.record(&tx)?;
        tx.commit().doing("routing the complaint")?;
        self.info(tf(
            "msg.routed",
            &[
                ("count", &ids.len()),
                (
                    "department",
                    &t(&format!("department.{}", department.as_str())),
                ),
            ],
        ));
        self.screens.complaints.list.marks.clear();
        self.after_desk_change()
    }

    /// The Complaints filter on one customer: the active one, else the selected
    /// complaint's customer to turn on.
    pub(super) fn complaint_customer_filter(&self) -> Option<(String, bool)> {
        if let Some(active) = self
            .screens
            .complaints
            .list
            .query
            .filters
            .iter()
            .find(|f| f.starts_with("customer:"))
        {
            return Some((active.clone(), true));
        }
        let (id, name) = match &self.screens.complaints.detail {
            Some(d) => (d.draft.customer_id, d.customer_name.clone()),
            None => {
                let r = self.screens.complaints.list.selected()?;
                (r.customer_id, r.customer.clone())
            }
        };
        Some((complaints::customer_filter_key(id, &name), false))
    }
}
