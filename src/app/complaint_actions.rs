//! What the Complaints tab's keys do: the detail, the first response (`r`, marked rows in
//! one step), closing with a resolution (`c`), routing to a department (`w`), the forms.

use super::desk_forms;
use super::desk_modes::DeskMode;
use super::input::TextInput;
use super::{App, AppResult, Mode};
use crate::domain::complaint::ComplaintState;
use crate::domain::enums::Department;
use crate::domain::time::{format_stamp_short, now};
use crate::i18n::{t, tf};
use crate::store::undo::Change;
use crate::store::{complaints, customers, Context};

impl App {
    pub(super) fn show_complaint(&mut self, id: i64) -> AppResult {
        self.desk.complaint = Some(complaints::load_detail(self.store.conn(), id)?);
        self.desk.complaint_item = 0;
        Ok(())
    }

    pub(super) fn open_complaint(&mut self) -> AppResult {
        match self.complaints.selected_id() {
            Some(id) => self.show_complaint(id),
            None => Ok(()),
        }
    }

    pub(super) fn new_complaint(&mut self) {
        // From a customer's complaints (filtered), the customer is known already.
        let customer = self
            .complaints
            .query
            .filters
            .iter()
            .find_map(|f| f.strip_prefix("customer:"))
            .and_then(|rest| rest.split_once(':'))
            .and_then(|(id, _)| id.parse::<i64>().ok())
            .and_then(|id| {
                customers::code_and_name(self.store.conn(), id)
                    .ok()
                    .flatten()
            })
            .map(|(code, _)| code)
            .unwrap_or_default();
        self.desk.form = Some(desk_forms::new_complaint_form(&customer, ""));
    }

    pub(super) fn edit_complaint(&mut self) -> AppResult {
        let id = match &self.desk.complaint {
            Some(d) => Some(d.id),
            None => self.complaints.selected_id(),
        };
        if let Some(id) = id {
            let d = complaints::load_detail(self.store.conn(), id)?;
            self.desk.form = Some(desk_forms::edit_complaint_form(&d));
        }
        Ok(())
    }

    /// The open complaint, else the marked ones, else the selected one; with the version the
    /// clerk saw when it is one.
    pub(super) fn complaint_targets(&self) -> (Vec<i64>, Option<i64>) {
        if let Some(d) = &self.desk.complaint {
            return (vec![d.id], Some(d.version));
        }
        let ids = self.complaints.targets();
        let version = match ids.as_slice() {
            [id] => self
                .complaints
                .selected()
                .filter(|r| r.id == *id)
                .map(|r| r.version),
            _ => None,
        };
        (ids, version)
    }

    /// `r`: the first response of the targets, now, as one undoable step.
    pub(super) fn respond_to_complaints(&mut self) -> AppResult {
        let (ids, version) = self.complaint_targets();
        if ids.is_empty() {
            return Ok(());
        }
        let at = now();
        let tx = self.store.begin()?;
        let mut change = Change::new("first response");
        let mut done = Vec::new();
        for id in &ids {
            if let Some(no) = complaints::respond(&tx, &mut change, *id, version, at)? {
                done.push(no);
            }
        }
        change.record(&tx)?;
        tx.commit().doing("saving the first response")?;
        self.complaints.marks.clear();
        let keep = self.complaints.cursor;
        self.info(match done.as_slice() {
            [] => t("msg.nothing_awaits_response").into(),
            [one] => tf(
                "msg.responded",
                &[("complaint", one), ("at", &format_stamp_short(at))],
            ),
            many => tf("msg.responded_many", &[("count", &many.len())]),
        });
        self.after_desk_change()?;
        self.keep_complaint_cursor(keep);
        Ok(())
    }

    /// A complaint answered or closed moves down the urgency order; the cursor stays where
    /// it was, on the next one to work on.
    pub(super) fn keep_complaint_cursor(&mut self, at: usize) {
        if self.desk.complaint.is_none() {
            self.complaints.cursor = at.min(self.complaints.rows.len().saturating_sub(1));
        }
    }

    pub(super) fn ask_resolution(&mut self) -> AppResult {
        let (ids, version) = self.complaint_targets();
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
        self.mode = Mode::Desk(DeskMode::Resolution {
            id,
            version: version.unwrap_or(detail.version),
            complaint_no: detail.draft.complaint_no,
            input: TextInput::default(),
        });
        Ok(())
    }

    pub(super) fn close_complaint(&mut self, id: i64, version: i64, resolution: &str) -> AppResult {
        let tx = self.store.begin()?;
        let mut change = Change::new("close complaint");
        let no = complaints::close(&tx, &mut change, id, Some(version), resolution, now())?;
        change.record(&tx)?;
        tx.commit().doing("closing the complaint")?;
        self.info(tf("msg.complaint_closed", &[("complaint", &no)]));
        self.complaints.marks.clear();
        let keep = self.complaints.cursor;
        self.after_desk_change()?;
        self.keep_complaint_cursor(keep);
        Ok(())
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
        self.complaints.marks.clear();
        self.after_desk_change()
    }

    /// The Complaints filter on one customer: the active one, else the selected
    /// complaint's customer to turn on.
    pub(super) fn complaint_customer_filter(&self) -> Option<(String, bool)> {
        if let Some(active) = self
            .complaints
            .query
            .filters
            .iter()
            .find(|f| f.starts_with("customer:"))
        {
            return Some((active.clone(), true));
        }
        let (id, name) = match &self.desk.complaint {
            Some(d) => (d.draft.customer_id, d.customer_name.clone()),
            None => {
                let r = self.complaints.selected()?;
                (r.customer_id, r.customer.clone())
            }
        };
        Some((complaints::customer_filter_key(id, &name), false))
    }
}
