//! The forms of a question or two, drawn over the screen: a follow-up, the plan of a first
//! response, the text of a reply, a resolution, a month.

use super::engine::Form;
use super::field::{Field, Kind};
use super::lookup::Source;
use super::specs::{lookup, multi, text, FormKind};
use crate::domain::time::{format_date, today};
use crate::i18n::{t, tf};

/// A follow-up due tomorrow at nine, about `about` (an order no., a customer code or name;
/// may be empty).
pub fn followup(about: &str) -> Form {
    let tomorrow = today() + chrono::Duration::days(1);
    Form::new(
        FormKind::Followup,
        t("followup.title").to_string(),
        vec![
            text("followup.text", ""),
            Field::new(
                "followup.due",
                Kind::Time,
                &format!("{} 09:00", format_date(tomorrow)),
            ),
            lookup("followup.about", Source::OrderOrCustomer, about),
        ],
    )
    .require(&["followup.text", "followup.due", "followup.about"])
    .start()
}

/// The first response to complaints: the plan is required.
pub fn response_plan(ids: Vec<i64>, version: Option<i64>, what: &str) -> Form {
    Form::new(
        FormKind::ResponsePlan { ids, version },
        tf("form.plan_title", &[("what", &what)]),
        vec![multi("field.response_plan", "")],
    )
    .require(&["field.response_plan"])
    .start()
}

/// The reply to an inbound contact, with what was said (may stay empty).
pub fn reply(contact_id: i64, what: &str) -> Form {
    Form::new(
        FormKind::Reply { contact_id },
        tf("form.reply_title", &[("what", &what)]),
        vec![multi("field.reply", "")],
    )
    .start()
}

/// How a complaint was resolved, asked when it is closed.
pub fn resolution(id: i64, version: i64, complaint_no: &str) -> Form {
    Form::new(
        FormKind::Resolution { id, version },
        tf("ui.resolution_for", &[("complaint", &complaint_no)]),
        vec![text("field.resolution", "")],
    )
    .require(&["field.resolution"])
    .start()
}

/// The month the Reports tab goes to.
pub fn month(current: &str) -> Form {
    Form::new(
        FormKind::Month,
        t("form.month_title").to_string(),
        vec![text("field.month", current)],
    )
    .require(&["field.month"])
    .start()
}
