//! SQL for the contact log: the contacts of a customer, an order or a complaint, logging
//! one, and recording the reply to an inbound one. Each write records its undo image and an
//! audit entry inside the caller's transaction.

use super::sql::text_or_null;
use super::undo::Change;
use super::{audit, Context, Refusal, Result, StoreError};
use crate::domain::contact::{awaits_reply, reply_overdue, ContactDraft};
use crate::domain::enums::Direction;
use crate::store::{Record, RecordKind};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::json;
use std::str::FromStr;

/// One line of the contact log as the detail screens show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactItem {
    pub id: i64,
    pub at: i64,
    /// The SPEC §2 word: email, phone, im, visit.
    pub channel: String,
    pub direction: Direction,
    pub replied_at: Option<i64>,
    pub summary: String,
    pub order_no: Option<String>,
    /// What the reply said (may be empty: only its time was kept).
    pub reply: String,
}

impl ContactItem {
    pub fn awaits_reply(&self) -> bool {
        awaits_reply(self.direction, self.replied_at)
    }

    pub fn reply_overdue(&self, now: i64) -> bool {
        reply_overdue(self.direction, self.at, self.replied_at, now)
    }
}

/// Whose contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Customer(i64),
    Order(i64),
    /// A complaint's: those of its order, else the customer's since shortly before it was
    /// opened.
    Complaint {
        customer: i64,
        order: Option<i64>,
        opened_at: i64,
    },
}

/// Contacts a day before a complaint was opened belong to it: the call that announced it.
const COMPLAINT_LEAD: i64 = 24 * 3600;

impl Scope {
    fn condition(self) -> (&'static str, [i64; 2]) {
        match self {
            Scope::Customer(id) => ("c.customer_id = ?1 AND ?2 = 0", [id, 0]),
            Scope::Order(id)
            | Scope::Complaint {
                order: Some(id), ..
            } => ("c.order_id = ?1 AND ?2 = 0", [id, 0]),
            Scope::Complaint {
                customer,
                order: None,
                opened_at,
            } => (
                "c.customer_id = ?1 AND c.at >= ?2",
                [customer, opened_at - COMPLAINT_LEAD],
            ),
        }
    }
}

const COLUMNS: &str = "c.id, c.at, c.channel, c.direction, c.replied_at, ifnull(c.summary, ''), \
                       o.order_no, ifnull(c.reply, '')";

fn item(r: &Row) -> rusqlite::Result<ContactItem> {
    let direction: String = r.get(3)?;
    Ok(ContactItem {
        id: r.get(0)?,
        at: r.get(1)?,
        channel: r.get(2)?,
        direction: Direction::from_str(&direction).unwrap_or(Direction::Out),
        replied_at: r.get(4)?,
        summary: r.get(5)?,
        order_no: r.get(6)?,
        reply: r.get(7)?,
    })
}

/// The latest `limit` contacts of the scope, newest first.
pub fn list(conn: &Connection, scope: Scope, limit: usize) -> Result<Vec<ContactItem>> {
    let (cond, [a, b]) = scope.condition();
    let sql = format!(
        "SELECT {COLUMNS} FROM contacts c LEFT JOIN orders o ON o.id = c.order_id
         WHERE {cond} ORDER BY c.at DESC, c.id DESC LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(&sql).doing("reading contacts")?;
    let rows = stmt
        .query_map(params![a, b, limit as i64], item)
        .doing("reading contacts")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("reading contacts")?;
    Ok(rows)
}

/// One contact by id.
pub fn load(conn: &Connection, id: i64) -> Result<Option<ContactItem>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM contacts c LEFT JOIN orders o ON o.id = c.order_id WHERE c.id = ?1"
    ))
    .doing("reading a contact")?
    .query_row([id], item)
    .optional()
    .doing("reading a contact")
}

/// The inbound contact of the scope that has waited longest for a reply.
pub fn oldest_unanswered(conn: &Connection, scope: Scope) -> Result<Option<ContactItem>> {
    let (cond, [a, b]) = scope.condition();
    let sql = format!(
        "SELECT {COLUMNS} FROM contacts c LEFT JOIN orders o ON o.id = c.order_id
         WHERE {cond} AND c.direction = 'in' AND c.replied_at IS NULL
         ORDER BY c.at, c.id LIMIT 1"
    );
    conn.prepare_cached(&sql)
        .doing("finding an unanswered contact")?
        .query_row(params![a, b], item)
        .optional()
        .doing("finding an unanswered contact")
}

fn customer_code(conn: &Connection, id: i64) -> Result<String> {
    conn.query_row("SELECT code FROM customers WHERE id = ?1", [id], |r| {
        r.get(0)
    })
    .optional()
    .doing("reading a customer")?
    .ok_or_else(|| StoreError::NotFound(Record::new(RecordKind::Customer, id)))
}

/// Logs a contact; returns its id.
pub fn log(conn: &Connection, change: &mut Change, draft: &ContactDraft) -> Result<i64> {
    let code = customer_code(conn, draft.customer_id)?;
    if let Some(order) = draft.order_id {
        super::customers::check_order_of(conn, order, draft.customer_id)?;
    }
    conn.execute(
        "INSERT INTO contacts (customer_id, order_id, channel, direction, at, summary)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            draft.customer_id,
            draft.order_id,
            draft.channel.as_str(),
            draft.direction.as_str(),
            draft.at,
            draft.summary.trim()
        ],
    )
    .doing("logging a contact")?;
    let id = conn.last_insert_rowid();
    change.inserted("contacts", id)?;
    audit::append(
        conn,
        "create",
        "contact",
        &id.to_string(),
        &json!({"customer": code, "channel": draft.channel.as_str(),
                "direction": draft.direction.as_str(), "at": draft.at}),
    )?;
    Ok(id)
}

/// Records that an inbound contact was answered at `at`, with what the reply said (`text`,
/// may be empty). A contact answered meanwhile (by another copy of the app) is refused, not
/// answered twice.
pub fn reply(
    conn: &Connection,
    change: &mut Change,
    id: i64,
    at: i64,
    text: &str,
) -> Result<ContactItem> {
    let current = conn
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM contacts c LEFT JOIN orders o ON o.id = c.order_id
                 WHERE c.id = ?1"
            ),
            [id],
            item,
        )
        .optional()
        .doing("reading a contact")?
        .ok_or_else(|| StoreError::NotFound(Record::new(RecordKind::Contact, id)))?;
    if current.direction != Direction::In {
        return Err(Refusal::OutboundNeedsNoReply.into());
    }
    if current.replied_at.is_some() {
        return Err(StoreError::Conflict(Record::new(RecordKind::Contact, id)));
    }
    change.capture(conn, "contacts", id)?;
    conn.execute(
        "UPDATE contacts SET replied_at = ?1, reply = ?3 WHERE id = ?2 AND replied_at IS NULL",
        params![at, id, text_or_null(text.trim())],
    )
    .doing("recording a reply")?;
    audit::append(
        conn,
        "reply",
        "contact",
        &id.to_string(),
        &json!({"replied_at": at}),
    )?;
    Ok(ContactItem {
        replied_at: Some(at),
        reply: text.trim().to_string(),
        ..current
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::enums::ContactChannel;
    use crate::store::test_data::{in_tx, store, undo};

    fn draft(order: Option<i64>, at: i64, direction: Direction) -> ContactDraft {
        ContactDraft {
            customer_id: 1,
            order_id: order,
            channel: ContactChannel::Phone,
            direction,
            at,
            summary: "asks for the ETA".into(),
        }
    }

    fn oldest(store: &crate::store::Store) -> i64 {
        oldest_unanswered(store.conn(), Scope::Customer(1))
            .unwrap()
            .unwrap()
            .id
    }

    #[test]
    fn log_list_reply_and_undo() {
        let mut store = store();
        let (a, c) = in_tx(&mut store, |tx, change| {
            let a = log(tx, change, &draft(Some(10), 1_000, Direction::In))?;
            log(tx, change, &draft(None, 2_000, Direction::Out))?;
            let c = log(tx, change, &draft(None, 3_000, Direction::In))?;
            assert!(
                log(tx, change, &draft(Some(11), 1, Direction::In)).is_err(),
                "another customer's order"
            );
            Ok((a, c))
        })
        .unwrap();

        let conn = store.conn();
        let all = list(conn, Scope::Customer(1), 10).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].at, 3_000, "newest first");
        assert_eq!(list(conn, Scope::Order(10), 10).unwrap()[0].id, a);
        let since = Scope::Complaint {
            customer: 1,
            order: None,
            opened_at: 2_500 + COMPLAINT_LEAD,
        };
        assert_eq!(list(conn, since, 10).unwrap().len(), 1);
        assert_eq!(oldest(&store), a);

        in_tx(&mut store, |tx, change| {
            let replied = reply(tx, change, a, 5_000, "  sent the new date ")?;
            assert_eq!(replied.reply, "sent the new date");
            assert_eq!(replied.replied_at, Some(5_000));
            assert!(matches!(
                reply(tx, change, a, 6_000, ""),
                Err(StoreError::Conflict(_))
            ));
            Ok(())
        })
        .unwrap();
        assert_eq!(oldest(&store), c);
        undo(&mut store);
        assert_eq!(oldest(&store), a, "the reply is undone");
    }
}
