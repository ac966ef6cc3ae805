//! What the Complaints tab's keys do: the detail, the first response (`r`, marked rows in
//! one step), closing with a resolution (`c`), routing to a department (`w`), the forms.

use super::form::specs;
use super::{App, AppResult};
use crate::domain::complaint::ComplaintState;
use crate::domain::enums::Department;
use crate::domain::time::now;
use crate::i18n::{t, tf};
use crate::store::undo::Change;
use crate::store::{complaints, Context};

impl App {
    /// `r`: asks for the plan of the first response of the targets that still await one;
    /// saving it answers them now, as one undoable step.
    pub(super) fn respond_to_complaints(&mut self) -> AppResult {
        let (ids, version) = self.screens.complaints.targets();
        let conn = self.store.conn();
        let mut waiting = Vec::new();
        let mut first_no = String::new();
        for id in &ids {
            let d = complaints::load_detail(conn, *id)?;
            if d.draft.first_response_at.is_none() {
                if waiting.is_empty() {
                    first_no = d.draft.complaint_no;
                }
                waiting.push(*id);
            }
        }
        if waiting.is_empty() {
            if !ids.is_empty() {
                self.info(t("msg.nothing_awaits_response").into());
            }
            return Ok(());
        }
        let what = match waiting.len() {
            1 => first_no,
            n => tf("form.plan_many", &[("count", &n)]),
        };
        let version = version.filter(|_| ids.len() == 1);
        self.open_form(specs::response_plan(waiting, version, &what));
        Ok(())
    }

    /// A complaint answered or closed moves down the urgency order; the cursor stays where
    /// it was, on the next one to work on.
    pub(super) fn keep_complaint_cursor(&mut self, at: usize) {
        if self.screens.complaints.detail.is_none() {
            self.screens.complaints.list.cursor =
                at.min(self.screens.complaints.list.rows.len().saturating_sub(1));
        }
    }

    pub(super) fn ask_resolution(&mut self) -> AppResult {
        let (ids, version) = self.screens.complaints.targets();
        let Some(id) = ids.first().copied().filter(|_| ids.len() == 1) else {
            if ids.len() > 1 {
                self.info(t("msg.close_one_at_a_time").into());
            }
            return Ok(());
        };
        let detail = complaints::load_detail(self.store.conn(), id)?;
        if detail.state() == ComplaintState::Closed {
            self.info(tf(
                "msg.already_closed",
                &[("complaint", &detail.draft.complaint_no)],
            ));
            return Ok(());
        }
        self.open_form(specs::resolution(
            id,
            version.unwrap_or(detail.version),
            &detail.draft.complaint_no,
        ));
        Ok(())
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
