//! The communication log: what a contact is, and when an inbound one waits too long for a
//! reply.

use super::enums::{ContactChannel, Direction};
use super::problem::Problem;

/// An inbound contact unanswered for longer than this stands out (SPEC §4 counts replies
/// within 24 h).
pub const REPLY_WINDOW: i64 = 24 * 3600;

/// A contact as the clerk logs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDraft {
    pub customer_id: i64,
    pub order_id: Option<i64>,
    pub channel: ContactChannel,
    pub direction: Direction,
    pub at: i64,
    pub summary: String,
}

impl ContactDraft {
    /// A summary, and a time that has happened.
    pub fn check(&self, now: i64) -> Vec<(&'static str, Problem)> {
        let mut out = Vec::new();
        if self.summary.trim().is_empty() {
            out.push(("summary", Problem::Required));
        }
        if self.at > now {
            out.push(("at", Problem::Future));
        }
        out
    }
}

/// An inbound contact not yet replied to.
pub fn awaits_reply(direction: Direction, replied_at: Option<i64>) -> bool {
    direction == Direction::In && replied_at.is_none()
}

/// An inbound contact unanswered for more than `REPLY_WINDOW`.
pub fn reply_overdue(direction: Direction, at: i64, replied_at: Option<i64>, now: i64) -> bool {
    awaits_reply(direction, replied_at) && now - at > REPLY_WINDOW
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unanswered_inbound_contacts_older_than_a_day_are_overdue() {
        let now = 1_000_000;
        let day = REPLY_WINDOW;
        assert!(reply_overdue(Direction::In, now - day - 1, None, now));
        assert!(!reply_overdue(Direction::In, now - day, None, now));
        assert!(!reply_overdue(Direction::In, now - 2 * day, Some(now), now));
        assert!(!reply_overdue(Direction::Out, now - 2 * day, None, now));
        assert!(awaits_reply(Direction::In, None));
        assert!(!awaits_reply(Direction::Out, None));
    }

    #[test]
    fn a_contact_needs_a_summary_and_a_past_time() {
        let mut d = ContactDraft {
            customer_id: 1,
            order_id: None,
            channel: ContactChannel::Phone,
            direction: Direction::In,
            at: 200,
            summary: " ".into(),
        };
        let fields: Vec<&str> = d.check(100).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["summary", "at"]);
        d.summary = "asks for the ETA".into();
        d.at = 100;
        assert!(d.check(100).is_empty());
    }
}
