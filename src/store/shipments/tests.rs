use super::*;
use crate::domain::enums::{ShipMode, ShipmentStatus};
use crate::store::list::{fetch, Anchor, ListContext, ListQuery};
use crate::store::undo::{undo_last, Change};
use crate::store::Store;
use rusqlite::params;

fn order(store: &Store, no: &str, status: &str, customer: Option<i64>) -> i64 {
    store
        .conn()
        .execute(
            "INSERT INTO orders (order_no, customer_id, status, ordered_at, status_changed_at,
                                 created_at, updated_at)
             VALUES (?1, ?2, ?3, 0, 0, 0, 0)",
            params![no, customer, status],
        )
        .unwrap();
    store.conn().last_insert_rowid()
}

fn ship(store: &Store, order: i64, waybill: &str, carrier: &str, eta: i64) -> i64 {
    store
        .conn()
        .execute(
            "INSERT INTO shipments (order_id, carrier, waybill_no, status, shipped_at, eta)
             VALUES (?1, ?2, ?3, 'in_transit', 100, ?4)",
            params![order, carrier, waybill, eta],
        )
        .unwrap();
    store.conn().last_insert_rowid()
}

fn status(store: &Store, id: i64) -> (String, Option<i64>, i64) {
    store
        .conn()
        .query_row(
            "SELECT status, delivered_at, version FROM orders WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
}

fn history(store: &Store, id: i64) -> Vec<(Option<String>, String)> {
    store
        .conn()
        .prepare(
            "SELECT from_status, to_status FROM status_history WHERE order_id = ?1 ORDER BY id",
        )
        .unwrap()
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

fn deliver_now(store: &mut Store, id: i64, at: i64) -> Delivered {
    let tx = store.begin().unwrap();
    let mut change = Change::new("d");
    let done = deliver(&tx, &mut change, id, None, at).unwrap();
    change.record(&tx).unwrap();
    tx.commit().unwrap();
    done
}

#[test]
fn the_last_delivered_shipment_delivers_the_order_and_one_undo_takes_both_back() {
    let mut store = Store::open_in_memory().unwrap();
    let o = order(&store, "SO-1", "shipped", None);
    let a = ship(&store, o, "W-A", "DHL", 1_000);
    let b = ship(&store, o, "W-B", "DHL", 1_000);

    let first = deliver_now(&mut store, a, 5_000);
    assert_eq!(
        first.order, None,
        "a partial delivery keeps the order as it is"
    );
    assert_eq!(status(&store, o).0, "shipped");
    assert_eq!(status(&store, o).1, None);

    let before = status(&store, o);
    let audit_before: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    let last = deliver_now(&mut store, b, 7_000);
    let changed = last.order.expect("the order follows its last shipment");
    assert_eq!(changed.to, crate::domain::status::Status::Delivered);
    let (st, delivered, version) = status(&store, o);
    assert_eq!(st, "delivered");
    assert_eq!(delivered, Some(7_000), "the date of the latest shipment");
    assert_eq!(version, before.2 + 1, "a status change is a new version");
    assert_eq!(
        history(&store, o).last().unwrap(),
        &(Some("shipped".into()), "delivered".into())
    );
    let audit_after: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        audit_after,
        audit_before + 2,
        "the delivery and the status change"
    );

    let tx = store.begin().unwrap();
    undo_last(&tx).unwrap().expect("an undo step");
    tx.commit().unwrap();
    let (st, delivered, _) = status(&store, o);
    assert_eq!((st.as_str(), delivered), ("shipped", None));
    assert!(history(&store, o).is_empty(), "the history row is gone too");
    let b_state: (Option<i64>, String) = store
        .conn()
        .query_row(
            "SELECT delivered_at, status FROM shipments WHERE id = ?1",
            [b],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(b_state, (None, "in_transit".into()));
    let a_delivered: Option<i64> = store
        .conn()
        .query_row(
            "SELECT delivered_at FROM shipments WHERE id = ?1",
            [a],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(a_delivered, Some(5_000), "the earlier step stays");
}

#[test]
fn orders_not_on_their_way_keep_their_status_and_twice_delivered_is_refused() {
    let mut store = Store::open_in_memory().unwrap();
    let o = order(&store, "SO-2", "confirmed", None);
    let a = ship(&store, o, "W-C", "SF", 1_000);
    let done = deliver_now(&mut store, a, 2_000);
    assert_eq!(done.order, None);
    let (st, delivered, _) = status(&store, o);
    assert_eq!((st.as_str(), delivered), ("confirmed", Some(2_000)));
    let tx = store.begin().unwrap();
    let err = deliver(&tx, &mut Change::new("d"), a, None, 3_000).unwrap_err();
    assert!(
        matches!(
            err,
            crate::store::StoreError::Refused(crate::store::Refusal::AlreadyDelivered { .. })
        ),
        "{err}"
    );
}

fn draft(order_no: &str, waybill: &str) -> ShipmentDraft {
    ShipmentDraft {
        order_no: order_no.into(),
        carrier: "Maersk".into(),
        waybill_no: waybill.into(),
        mode: ShipMode::Sea,
        shipped_at: Some(100),
        eta: Some(200),
        delivered_at: None,
        status: ShipmentStatus::InTransit,
        weight_kg: Some("12.50".parse().unwrap()),
        packages: Some(3),
        notes: String::new(),
    }
}

#[test]
fn the_form_saves_several_shipments_per_order_with_unique_waybills() {
    let mut store = Store::open_in_memory().unwrap();
    let o = order(&store, "SO-3", "ready", None);
    let tx = store.begin().unwrap();
    let mut change = Change::new("new shipment");
    let first = save(&tx, &mut change, None, None, &draft("SO-3", "MSK1")).unwrap();
    save(&tx, &mut change, None, None, &draft("SO-3", "MSK2")).unwrap();
    let err = save(&tx, &mut change, None, None, &draft("SO-3", "MSK1")).unwrap_err();
    assert!(err.to_string().contains("MSK1"), "{err}");
    let err = save(&tx, &mut change, None, None, &draft("SO-404", "MSK9")).unwrap_err();
    assert!(err.to_string().contains("SO-404"), "{err}");
    change.record(&tx).unwrap();
    tx.commit().unwrap();

    let loaded = load(store.conn(), first.id).unwrap();
    assert_eq!(
        loaded
            .draft
            .weight_kg
            .map(crate::domain::money::canonical)
            .as_deref(),
        Some("12.5")
    );
    let mut edit = loaded.draft.clone();
    edit.delivered_at = Some(300);
    edit.status = ShipmentStatus::Delivered;
    let tx = store.begin().unwrap();
    let mut change = Change::new("edit shipment");
    let saved = save(
        &tx,
        &mut change,
        Some(first.id),
        Some(loaded.version),
        &edit,
    )
    .unwrap();
    assert_eq!(saved.order, None, "the second shipment is still on its way");
    let stale = save(
        &tx,
        &mut change,
        Some(first.id),
        Some(loaded.version),
        &edit,
    )
    .unwrap_err();
    assert!(
        matches!(stale, crate::store::StoreError::Conflict(_)),
        "{stale}"
    );
    tx.commit().unwrap();
    assert_eq!(status(&store, o).0, "ready");
}

#[test]
fn search_by_waybill_carrier_order_and_customer_and_the_carrier_filter() {
    let store = Store::open_in_memory().unwrap();
    store
        .conn()
        .execute(
            "INSERT INTO customers (code, name) VALUES ('C9', '宁波海天贸易')",
            [],
        )
        .unwrap();
    let c = store.conn().last_insert_rowid();
    let o1 = order(&store, "SO-20260101-001", "shipped", Some(c));
    let o2 = order(&store, "SO-20260202-002", "shipped", None);
    ship(&store, o1, "SF1234", "顺丰速运", 10);
    ship(&store, o2, "DHL777", "DHL Express", i64::MAX / 2);
    let find = |q: &str, filters: &[&str]| -> Vec<String> {
        let query = ListQuery {
            search: q.into(),
            filters: filters.iter().map(|f| f.to_string()).collect(),
            ..Default::default()
        };
        fetch::<ShipmentRow>(
            store.conn(),
            &query,
            &Anchor::First,
            10,
            &ListContext::current(),
        )
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.waybill_no)
        .collect()
    };
    assert_eq!(
        find("sf12", &[]),
        vec!["SF1234"],
        "waybill prefix, any case"
    );
    assert_eq!(find("dhl ex", &[]), vec!["DHL777"], "carrier prefix");
    assert_eq!(find("SO-20260202", &[]), vec!["DHL777"], "order number");
    assert_eq!(find("海天", &[]), vec!["SF1234"], "customer name");
    assert!(find("nothing-like-this", &[]).is_empty());
    assert_eq!(find("", &["late"]), vec!["SF1234"]);
    assert_eq!(
        load_carriers(store.conn()).unwrap(),
        vec!["DHL Express", "顺丰速运"]
    );
    assert_eq!(find("", &["carrier:DHL Express"]), vec!["DHL777"]);
}
