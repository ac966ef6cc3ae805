//! Changing customers: saving the form and the key-account mark, each recording its undo
//! image and an audit entry inside the caller's transaction.

use super::{clashes, Context, Result, StoreError};
use crate::domain::customer::CustomerDraft;
use crate::store::audit;
use crate::store::sql::{execute_named, text_or_null};
use crate::store::undo::Change;
use crate::store::{Record, RecordKind};
use crate::store::{Refusal, Unique};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

fn version_of(conn: &Connection, id: i64) -> Result<(String, i64)> {
    conn.query_row(
        "SELECT code, version FROM customers WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
    .doing("reading a customer")?
    .ok_or_else(|| StoreError::NotFound(Record::new(RecordKind::Customer, id)))
}

/// Refuses the write when another copy changed the customer since the clerk saw it.
fn expect_version(conn: &Connection, id: i64, expected: Option<i64>) -> Result<String> {
    let (code, version) = version_of(conn, id)?;
    if expected.is_some_and(|v| v != version) {
        return Err(StoreError::Conflict(Record::new(
            RecordKind::Customer,
            code,
        )));
    }
    Ok(code)
}

/// Saves a new customer (`id = None`) or an edit; returns the id. The draft's formats are
/// the caller's to check (`CustomerDraft::check`); unique code and name are checked here.
pub fn save(
    conn: &Connection,
    change: &mut Change,
    id: Option<i64>,
    expected_version: Option<i64>,
    draft: &CustomerDraft,
) -> Result<i64> {
    let (code_taken, name_taken) = clashes(conn, id, &draft.code, &draft.name)?;
    if code_taken {
        return Err(Refusal::Taken {
            what: Unique::CustomerCode,
            value: draft.code.trim().to_string(),
        }
        .into());
    }
    if name_taken {
        return Err(Refusal::Taken {
            what: Unique::CustomerName,
            value: draft.name.trim().to_string(),
        }
        .into());
    }
    let mut fields: Vec<(&str, Value)> = vec![
        (":code", text_or_null(&draft.code)),
        (":name", text_or_null(&draft.name)),
        (":contact_person", text_or_null(&draft.contact_person)),
        (":phone", text_or_null(&draft.phone)),
        (":email", text_or_null(&draft.email)),
        (":im_handle", text_or_null(&draft.im_handle)),
        (
            ":preferred_channel",
            Value::Text(draft.preferred_channel.as_str().into()),
        ),
        (":address", text_or_null(&draft.address)),
        (
            ":payment_terms_days",
            draft.payment_terms_days.map_or(Value::Null, Value::Integer),
        ),
        (":language", Value::Text(draft.language.as_str().into())),
        (":notes", text_or_null(&draft.notes)),
        (":key_account", Value::Integer(draft.key_account.into())),
        (":type", Value::Text(draft.customer_type.as_str().into())),
    ];
    let (sql, action) = match id {
        Some(id) => {
            expect_version(conn, id, expected_version)?;
            change.capture(conn, "customers", id)?;
            fields.push((":id", Value::Integer(id)));
            (
                "UPDATE customers SET code = :code, name = :name,
                        contact_person = :contact_person, phone = :phone, email = :email,
                        im_handle = :im_handle, preferred_channel = :preferred_channel,
                        address = :address, payment_terms_days = :payment_terms_days,
                        language = :language, notes = :notes, key_account = :key_account,
                        type = :type, version = version + 1
                     WHERE id = :id",
                "edit",
            )
        }
        None => (
            "INSERT INTO customers (code, name, contact_person, phone, email, im_handle,
                preferred_channel, address, payment_terms_days, language, notes, key_account,
                type)
             VALUES (:code, :name, :contact_person, :phone, :email, :im_handle,
                :preferred_channel, :address, :payment_terms_days, :language, :notes,
                :key_account, :type)",
            "create",
        ),
    };
    execute_named(conn, sql, &fields).doing("saving a customer")?;
    let id = match id {
        Some(id) => id,
        None => {
            let id = conn.last_insert_rowid();
            change.inserted("customers", id)?;
            id
        }
    };
    // Phone, e-mail and address stay out of the audit log: it is not masked.
    audit::append(
        conn,
        action,
        "customer",
        draft.code.trim(),
        &json!({"name": draft.name.trim(), "key_account": draft.key_account}),
    )?;
    Ok(id)
}

/// Marks or unmarks a key account.
pub fn set_key_account(
    conn: &Connection,
    change: &mut Change,
    id: i64,
    expected_version: Option<i64>,
    on: bool,
) -> Result<()> {
    let code = expect_version(conn, id, expected_version)?;
    change.capture(conn, "customers", id)?;
    conn.execute(
        "UPDATE customers SET key_account = ?1, version = version + 1 WHERE id = ?2",
        params![on, id],
    )
    .doing("marking a key account")?;
    audit::append(
        conn,
        "key_account",
        "customer",
        &code,
        &json!({"key_account": on}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::enums::{Channel, Language};
    use crate::store::customers::{load_detail, CustomerRow};
    use crate::store::list::{fetch, Anchor, ListContext, ListQuery};
    use crate::store::test_data::{in_tx, store, undo};

    fn draft(code: &str, name: &str) -> CustomerDraft {
        CustomerDraft {
            code: code.into(),
            name: name.into(),
            customer_type: crate::domain::enums::CustomerType::Distributor,
            contact_person: "王芳".into(),
            phone: "+86 138 1234 5678".into(),
            email: "wang@example.cn".into(),
            im_handle: String::new(),
            preferred_channel: Channel::Im,
            address: String::new(),
            payment_terms_days: Some(30),
            language: Language::Zh,
            notes: String::new(),
            key_account: false,
        }
    }

    fn codes(store: &crate::store::Store, filter: &str) -> Vec<String> {
        let q = ListQuery {
            filters: vec![filter.to_string()],
            ..ListQuery::default()
        };
        fetch::<CustomerRow>(
            store.conn(),
            &q,
            &Anchor::First,
            10,
            &ListContext::current(),
        )
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.code)
        .collect()
    }

    #[test]
    fn save_edit_uniqueness_versions_and_undo() {
        let mut store = store();
        let d = draft("C3", "华联");
        let a = in_tx(&mut store, |c, ch| save(c, ch, None, None, &d)).unwrap();
        let d = draft("C1", "Other");
        let err = in_tx(&mut store, |c, ch| save(c, ch, None, None, &d)).unwrap_err();
        assert!(
            matches!(
                &err,
                StoreError::Refused(Refusal::Taken {
                    what: Unique::CustomerCode,
                    value,
                }) if value == "C1"
            ),
            "{err}"
        );
        let d = draft("C4", "Two");
        let err = in_tx(&mut store, |c, ch| save(c, ch, None, None, &d)).unwrap_err();
        assert!(
            matches!(
                &err,
                StoreError::Refused(Refusal::Taken {
                    what: Unique::CustomerName,
                    value,
                }) if value == "Two"
            ),
            "{err}"
        );

        let d = load_detail(store.conn(), a).unwrap();
        assert_eq!(d.draft, draft("C3", "华联"));
        let mut edited = d.draft.clone();
        edited.name = "华联电子".into();
        let v = Some(d.version);
        in_tx(&mut store, |c, ch| save(c, ch, Some(a), v, &edited)).unwrap();
        let err = in_tx(&mut store, |c, ch| save(c, ch, Some(a), v, &edited)).unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "stale version: {err}"
        );

        in_tx(&mut store, |c, ch| set_key_account(c, ch, a, None, true)).unwrap();
        assert_eq!(codes(&store, "key_account"), ["C3"]);
        undo(&mut store);
        undo(&mut store);
        let d = load_detail(store.conn(), a).unwrap();
        assert_eq!(d.draft.name, "华联", "edit and mark undone");
        assert!(!d.draft.key_account);
    }

    #[test]
    fn filters_for_open_complaints_and_unanswered_contacts() {
        let store = store();
        store
            .conn()
            .execute_batch(
                "INSERT INTO complaints (complaint_no, customer_id, type, opened_at, resolved_at)
                 VALUES ('K1', 1, 'quality', 100, 200), ('K2', 2, 'quality', 100, NULL);
                 INSERT INTO contacts (customer_id, channel, direction, at, replied_at)
                 VALUES (1, 'phone', 'in', 100, NULL), (1, 'phone', 'in', 50, NULL),
                        (2, 'phone', 'in', 100, 150), (2, 'email', 'out', 120, NULL);",
            )
            .unwrap();
        assert_eq!(codes(&store, "open_complaints"), ["C2"]);
        assert_eq!(codes(&store, "unanswered"), ["C1"]);
        let row = fetch::<CustomerRow>(
            store.conn(),
            &ListQuery::default(),
            &Anchor::First,
            1,
            &ListContext::current(),
        )
        .unwrap()
        .rows
        .remove(0);
        assert_eq!(
            (
                row.open_complaints,
                row.unanswered,
                row.oldest_unanswered_at
            ),
            (0, 2, Some(50))
        );
    }
}
