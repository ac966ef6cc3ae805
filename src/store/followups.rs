//! Follow-ups: the clerk's own reminders about an order or a customer (SPEC §2), created on
//! any record and completed from Today. Both are user actions: audited and undoable.

use super::undo::Change;
use super::{audit, Context, Refusal, Result, StoreError};
use crate::store::{Record, RecordKind};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

/// What a follow-up is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum About {
    Order(i64),
    Customer(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFollowup {
    pub about: About,
    pub due_at: i64,
    pub text: String,
}

/// The order or customer `text` names: an order number first, then a customer code or name.
pub fn find_about(conn: &Connection, text: &str) -> Result<Option<About>> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let order: Option<i64> = conn
        .query_row("SELECT id FROM orders WHERE order_no = ?1", [t], |r| {
            r.get(0)
        })
        .optional()
        .doing("finding an order")?;
    if let Some(id) = order {
        return Ok(Some(About::Order(id)));
    }
    Ok(super::customers::find_by_code_or_name(conn, t)?.map(|(id, _)| About::Customer(id)))
}

/// Adds a follow-up inside the caller's transaction.
pub fn create(conn: &Connection, change: &mut Change, f: &NewFollowup) -> Result<i64> {
    let text = f.text.trim();
    if text.is_empty() {
        return Err(Refusal::FollowupText.into());
    }
    let (customer, order) = match f.about {
        About::Order(id) => (None, Some(id)),
        About::Customer(id) => (Some(id), None),
    };
    conn.execute(
        "INSERT INTO followups (customer_id, order_id, due_at, text, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![customer, order, f.due_at, text, crate::domain::time::now()],
    )
    .doing("saving the follow-up")?;
    let id = conn.last_insert_rowid();
    change.inserted("followups", id)?;
    audit::append(
        conn,
        "create",
        "followup",
        &id.to_string(),
        &json!({"order_id": order, "customer_id": customer, "due_at": f.due_at, "text": text}),
    )?;
    Ok(id)
}

/// Marks a follow-up done at `at`, inside the caller's transaction.
pub fn complete(conn: &Connection, change: &mut Change, id: i64, at: i64) -> Result<()> {
    let done: Option<Option<i64>> = conn
        .query_row("SELECT done_at FROM followups WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()
        .doing("reading the follow-up")?;
    match done {
        None => return Err(StoreError::NotFound(Record::new(RecordKind::Followup, id))),
        Some(Some(_)) => return Err(Refusal::FollowupDone.into()),
        Some(None) => {}
    }
    change.capture(conn, "followups", id)?;
    conn.execute(
        "UPDATE followups SET done_at = ?1 WHERE id = ?2",
        params![at, id],
    )
    .doing("completing the follow-up")?;
    audit::append(
        conn,
        "complete",
        "followup",
        &id.to_string(),
        &json!({"done_at": at}),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::undo::undo_last;
    use crate::store::Store;

    fn done_at(store: &Store, id: i64) -> Option<i64> {
        store
            .conn()
            .query_row("SELECT done_at FROM followups WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap()
    }

    #[test]
    fn create_complete_and_undo_both() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .conn()
            .execute_batch(
                "INSERT INTO customers (id, code, name) VALUES (7, 'C7', 'Acme');
                 INSERT INTO orders (id, order_no, customer_id, ordered_at, status_changed_at,
                                     created_at, updated_at)
                 VALUES (3, 'SO-3', 7, 0, 0, 0, 0);",
            )
            .unwrap();
        let c = store.conn();
        assert_eq!(find_about(c, "SO-3").unwrap(), Some(About::Order(3)));
        assert_eq!(find_about(c, " C7 ").unwrap(), Some(About::Customer(7)));
        assert_eq!(find_about(c, "Acme").unwrap(), Some(About::Customer(7)));
        assert_eq!(find_about(c, "nobody").unwrap(), None);

        let tx = store.begin().unwrap();
        let mut change = Change::new("new follow-up");
        let id = create(
            &tx,
            &mut change,
            &NewFollowup {
                about: About::Order(3),
                due_at: 1_000,
                text: " call about the carton ".into(),
            },
        )
        .unwrap();
        change.record(&tx).unwrap();
        tx.commit().unwrap();
        let text: String = store
            .conn()
            .query_row("SELECT text FROM followups WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(text, "call about the carton");

        let tx = store.begin().unwrap();
        let mut change = Change::new("complete follow-up");
        complete(&tx, &mut change, id, 2_000).unwrap();
        assert!(
            complete(&tx, &mut Change::new("again"), id, 2_001).is_err(),
            "done once"
        );
        change.record(&tx).unwrap();
        tx.commit().unwrap();
        assert_eq!(done_at(&store, id), Some(2_000));

        let tx = store.begin().unwrap();
        assert_eq!(undo_last(&tx).unwrap().unwrap().label, "complete follow-up");
        tx.commit().unwrap();
        assert_eq!(done_at(&store, id), None, "open again");
        let tx = store.begin().unwrap();
        assert_eq!(undo_last(&tx).unwrap().unwrap().label, "new follow-up");
        tx.commit().unwrap();
        let left: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM followups", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 0, "creation undone");
        let audited: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM audit_log WHERE entity = 'followup'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(audited, 2);
    }

    #[test]
    fn an_empty_text_is_refused() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .conn()
            .execute(
                "INSERT INTO customers (id, code, name) VALUES (1, 'C', 'C')",
                [],
            )
            .unwrap();
        let tx = store.begin().unwrap();
        let err = create(
            &tx,
            &mut Change::new("x"),
            &NewFollowup {
                about: About::Customer(1),
                due_at: 0,
                text: "  ".into(),
            },
        );
        assert!(matches!(
            err,
            Err(StoreError::Refused(Refusal::FollowupText))
        ));
    }
}
