//! Changing customers: saving the form and the key-account mark, each recording its undo
//! image and an audit entry inside the caller's transaction.

use super::{clashes, Context, Result, StoreError};
use crate::domain::customer::CustomerDraft;
use crate::store::audit;
use crate::store::undo::Change;
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
    .ok_or_else(|| StoreError::NotFound(format!("customer {id}")))
}

/// Refuses the write when another copy changed the customer since the clerk saw it.
fn expect_version(conn: &Connection, id: i64, expected: Option<i64>) -> Result<String> {
    let (code, version) = version_of(conn, id)?;
    if expected.is_some_and(|v| v != version) {
        return Err(StoreError::Conflict(format!("customer {code}")));
    }
    Ok(code)
}

fn text(s: &str) -> Value {
    let t = s.trim();
    if t.is_empty() {
        Value::Null
    } else {
        Value::Text(t.to_string())
    }
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
        return Err(StoreError::Invalid(format!(
            "customer code {} is taken",
            draft.code.trim()
        )));
    }
    if name_taken {
        return Err(StoreError::Invalid(format!(
            "customer name {} is taken",
            draft.name.trim()
        )));
    }
    let mut fields: Vec<(&str, Value)> = vec![
        (":code", text(&draft.code)),
        (":name", text(&draft.name)),
        (":contact_person", text(&draft.contact_person)),
        (":phone", text(&draft.phone)),
        (":email", text(&draft.email)),
        (":im_handle", text(&draft.im_handle)),
        (
            ":preferred_channel",
            Value::Text(draft.preferred_channel.as_str().into()),
        ),
        (":address", text(&draft.address)),
        (
            ":payment_terms_days",
            draft.payment_terms_days.map_or(Value::Null, Value::Integer),
        ),
        (":language", Value::Text(draft.language.as_str().into())),
        (":notes", text(&draft.notes)),
        (":key_account", Value::Integer(draft.key_account.into())),
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
                        version = version + 1
                     WHERE id = :id",
                "edit",
            )
        }
        None => (
            "INSERT INTO customers (code, name, contact_person, phone, email, im_handle,
                preferred_channel, address, payment_terms_days, language, notes, key_account)
             VALUES (:code, :name, :contact_person, :phone, :email, :im_handle,
                :preferred_channel, :address, :payment_terms_days, :language, :notes,
                :key_account)",
            "create",
        ),
    };
    let named: Vec<(&str, &dyn rusqlite::ToSql)> = fields
        .iter()
        .map(|(n, v)| (*n, v as &dyn rusqlite::ToSql))
        .collect();
    conn.prepare_cached(sql)
        .and_then(|mut s| s.execute(named.as_slice()))
        .doing("saving a customer")?;
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
    use crate::store::undo::undo_last;
    use crate::store::Store;

    fn draft(code: &str, name: &str) -> CustomerDraft {
        CustomerDraft {
            code: code.into(),
            name: name.into(),
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

    fn save_one(
        store: &mut Store,
        id: Option<i64>,
        v: Option<i64>,
        d: &CustomerDraft,
    ) -> Result<i64> {
        let tx = store.begin()?;
        let mut change = Change::new("customer");
        let id = save(&tx, &mut change, id, v, d)?;
        change.record(&tx)?;
        tx.commit().doing("test")?;
        Ok(id)
    }

    #[test]
    fn save_edit_uniqueness_versions_and_undo() {
        let mut store = Store::open_in_memory().unwrap();
        let a = save_one(&mut store, None, None, &draft("C1", "华联")).unwrap();
        save_one(&mut store, None, None, &draft("C2", "Acme")).unwrap();
        let err = save_one(&mut store, None, None, &draft("C1", "Other")).unwrap_err();
        assert!(err.to_string().contains("code C1 is taken"), "{err}");
        let err = save_one(&mut store, None, None, &draft("C3", "Acme")).unwrap_err();
        assert!(err.to_string().contains("name Acme is taken"), "{err}");

        let d = load_detail(store.conn(), a).unwrap();
        assert_eq!(d.draft, draft("C1", "华联"));
        let mut edited = d.draft.clone();
        edited.name = "华联电子".into();
        save_one(&mut store, Some(a), Some(d.version), &edited).unwrap();
        let err = save_one(&mut store, Some(a), Some(d.version), &edited).unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "stale version: {err}"
        );

        let tx = store.begin().unwrap();
        let mut change = Change::new("key");
        set_key_account(&tx, &mut change, a, None, true).unwrap();
        change.record(&tx).unwrap();
        tx.commit().unwrap();
        let page = fetch::<CustomerRow>(
            store.conn(),
            &ListQuery {
                filters: vec!["key_account".into()],
                ..ListQuery::default()
            },
            &Anchor::First,
            10,
            &ListContext::current(),
        )
        .unwrap();
        assert_eq!(page.rows.len(), 1);
        assert_eq!(page.rows[0].name, "华联电子");

        for _ in 0..2 {
            let tx = store.begin().unwrap();
            undo_last(&tx).unwrap().unwrap();
            tx.commit().unwrap();
        }
        let d = load_detail(store.conn(), a).unwrap();
        assert_eq!(d.draft.name, "华联", "edit and mark undone");
        assert!(!d.draft.key_account);
    }
}
