use super::*;
use crate::domain::order::generated_order_no;
use crate::domain::time::now;
use crate::store::list::{count, fetch, Anchor, ListContext, ListQuery};
use crate::store::undo::undo_last;
use crate::store::undo::Change;
use crate::store::Store;
use rusqlite::params;

fn customer(store: &Store, code: &str, name: &str) -> i64 {
    store
        .conn()
        .execute(
            "INSERT INTO customers (code, name) VALUES (?1, ?2)",
            params![code, name],
        )
        .unwrap();
    store.conn().last_insert_rowid()
}

fn draft(customer: Option<i64>, no: &str) -> OrderDraft {
    OrderDraft {
        order_no: no.into(),
        customer_id: customer,
        order_type: OrderType::Regular,
        status: Status::Inquiry,
        ordered_at: 1_700_000_000,
        due_date: NaiveDate::from_ymd_opt(2026, 12, 24),
        delivery_address: "深圳市南山区科技园".into(),
        currency: "USD".into(),
        payment_due: None,
        paid_at: None,
        missing_reason: String::new(),
        notes: "蓝色包装".into(),
        lines: vec![OrderLine {
            product_code: "M6-20".into(),
            spec: "不锈钢 304".into(),
            quantity: parse_decimal("100").unwrap(),
            unit: "pcs".into(),
            unit_price: Some(parse_decimal("0.35").unwrap()),
        }],
    }
}

fn create(store: &mut Store, d: &OrderDraft) -> i64 {
    let tx = store.begin().unwrap();
    let mut change = Change::new("create");
    let id = save(&tx, &mut change, None, None, d, None).unwrap();
    change.record(&tx).unwrap();
    tx.commit().unwrap();
    id
}

fn set(
    store: &mut Store,
    id: i64,
    req: StatusRequest,
    note: Option<&str>,
) -> Result<StatusChanged> {
    let tx = store.begin()?;
    let mut change = Change::new("status");
    let r = change_status(&tx, &mut change, id, None, req, now(), note)?;
    change.record(&tx)?;
    tx.commit().doing("commit")?;
    Ok(r)
}

fn status_of(store: &Store, id: i64) -> String {
    store
        .conn()
        .query_row("SELECT status FROM orders WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap()
}

#[test]
fn saving_computes_total_and_search_finds_chinese_substrings() {
    let mut store = Store::open_in_memory().unwrap();
    let c = customer(&store, "C1", "深圳华联电子有限公司");
    let id = create(&mut store, &draft(Some(c), "SO-T-1"));
    let detail = load_detail(store.conn(), id).unwrap();
    assert_eq!(detail.draft.total().to_string(), "35.00");
    assert_eq!(detail.missing, "");
    assert_eq!(detail.history.len(), 1);
    let ctx = ListContext::current();
    for q in ["华联电子", "不锈钢", "M6-2", "SO-T", "华联", "C1"] {
        let query = ListQuery {
            search: q.into(),
            ..Default::default()
        };
        let page = fetch::<OrderRow>(store.conn(), &query, &Anchor::First, 10, &ctx).unwrap();
        assert_eq!(page.rows.len(), 1, "search {q}");
        assert_eq!(count::<OrderRow>(store.conn(), &query, &ctx).unwrap(), 1);
    }
    let query = ListQuery {
        search: "不存在的".into(),
        ..Default::default()
    };
    assert!(
        fetch::<OrderRow>(store.conn(), &query, &Anchor::First, 10, &ctx)
            .unwrap()
            .rows
            .is_empty()
    );
}

#[test]
fn advancing_an_incomplete_quote_is_refused_until_a_reason_is_given() {
    let mut store = Store::open_in_memory().unwrap();
    let mut d = draft(None, "SO-T-2");
    d.status = Status::Quoted;
    let id = create(&mut store, &d);
    let err = set(&mut store, id, StatusRequest::Advance, None).unwrap_err();
    assert!(err.to_string().contains("customer"), "{err}");
    assert_eq!(status_of(&store, id), "quoted");
    store
        .conn()
        .execute(
            "UPDATE orders SET missing_reason = 'customer sends PO Monday' WHERE id = ?1",
            [id],
        )
        .unwrap();
    set(&mut store, id, StatusRequest::Advance, None).unwrap();
    assert_eq!(status_of(&store, id), "confirmed");
}

#[test]
fn status_changes_undo_one_by_one_and_hold_remembers() {
    let mut store = Store::open_in_memory().unwrap();
    let c = customer(&store, "C1", "Acme");
    let mut d = draft(Some(c), "SO-T-3");
    d.status = Status::Confirmed;
    let id = create(&mut store, &d);
    set(&mut store, id, StatusRequest::Advance, None).unwrap();
    assert_eq!(status_of(&store, id), "in_production");
    set(&mut store, id, StatusRequest::ToggleHold, None).unwrap();
    assert_eq!(status_of(&store, id), "on_hold");
    set(&mut store, id, StatusRequest::ToggleHold, None).unwrap();
    assert_eq!(status_of(&store, id), "in_production");

    for expected in ["on_hold", "in_production", "confirmed"] {
        let tx = store.begin().unwrap();
        undo_last(&tx).unwrap().unwrap();
        tx.commit().unwrap();
        assert_eq!(status_of(&store, id), expected);
    }
    let history = load_detail(store.conn(), id).unwrap().history;
    assert_eq!(history.len(), 1, "undone changes leave no history rows");
    let production: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM production WHERE order_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        production, 0,
        "production progress started by the change is undone too"
    );
    let chain = crate::store::audit::verify(store.conn()).unwrap();
    assert_eq!(chain.first_broken, None);
}

#[test]
fn a_stale_version_is_refused_not_overwritten() {
    let mut store = Store::open_in_memory().unwrap();
    let c = customer(&store, "C1", "Acme");
    let mut d = draft(Some(c), "SO-T-4");
    d.status = Status::Confirmed;
    let id = create(&mut store, &d);
    let seen = load_detail(store.conn(), id).unwrap().version;
    set(&mut store, id, StatusRequest::Advance, None).unwrap();
    let tx = store.begin().unwrap();
    let mut change = Change::new("stale");
    let err = change_status(
        &tx,
        &mut change,
        id,
        Some(seen),
        StatusRequest::Advance,
        now(),
        None,
    )
    .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
}

#[test]
fn changing_the_due_date_keeps_the_first_promise() {
    let mut store = Store::open_in_memory().unwrap();
    let c = customer(&store, "C1", "Acme");
    let d = draft(Some(c), "SO-T-5");
    let id = create(&mut store, &d);
    let mut later = d.clone();
    later.due_date = NaiveDate::from_ymd_opt(2027, 1, 10);
    let tx = store.begin().unwrap();
    let mut change = Change::new("edit");
    let err = save(&tx, &mut change, Some(id), None, &later, None).unwrap_err();
    assert!(err.to_string().contains("reason"), "{err}");
    save(
        &tx,
        &mut change,
        Some(id),
        None,
        &later,
        Some("supplier delay"),
    )
    .unwrap();
    tx.commit().unwrap();
    let detail = load_detail(store.conn(), id).unwrap();
    assert_eq!(detail.revisions.len(), 1);
    assert_eq!(detail.revisions[0].old.as_deref(), Some("2026-12-24"));
    let first: String = store
        .conn()
        .query_row(
            "SELECT first_due_date FROM orders WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(first, "2026-12-24");
}

#[test]
fn generated_numbers_count_up_per_day_and_duplicates_are_refused() {
    let mut store = Store::open_in_memory().unwrap();
    let day = crate::domain::time::today();
    let a = create(&mut store, &draft(None, ""));
    let b = create(&mut store, &draft(None, ""));
    let no = |store: &Store, id| load_detail(store.conn(), id).unwrap().draft.order_no;
    assert_eq!(no(&store, a), generated_order_no(day, 1));
    assert_eq!(no(&store, b), generated_order_no(day, 2));
    let first = no(&store, a);
    let tx = store.begin().unwrap();
    let mut change = Change::new("dup");
    let err = save(&tx, &mut change, None, None, &draft(None, &first), None).unwrap_err();
    assert!(err.to_string().contains("taken"), "{err}");
}

#[test]
fn keyset_windows_walk_the_whole_list_both_ways() {
    let mut store = Store::open_in_memory().unwrap();
    for i in 0..25 {
        let mut d = draft(None, &format!("SO-K-{i:03}"));
        d.ordered_at = 1_700_000_000 + (i % 5) * 100; // ties on the sort key
        create(&mut store, &d);
    }
    let ctx = ListContext::current();
    let q = ListQuery::default();
    let mut seen = Vec::new();
    let mut anchor = Anchor::First;
    loop {
        let page = fetch::<OrderRow>(store.conn(), &q, &anchor, 7, &ctx).unwrap();
        if page.rows.is_empty() {
            break;
        }
        seen.extend(page.rows.iter().map(|r| r.id));
        anchor = Anchor::After(page.keys.last().unwrap().clone());
    }
    assert_eq!(seen.len(), 25);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 25, "no row twice");
    let last = fetch::<OrderRow>(store.conn(), &q, &Anchor::Last, 7, &ctx).unwrap();
    assert_eq!(
        last.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        seen[18..].to_vec()
    );
    let before = fetch::<OrderRow>(
        store.conn(),
        &q,
        &Anchor::Before(last.keys[0].clone()),
        3,
        &ctx,
    )
    .unwrap();
    assert_eq!(
        before.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        seen[15..18].to_vec()
    );
}

#[test]
fn common_and_rare_words_give_the_same_rows_by_either_plan() {
    let mut store = Store::open_in_memory().unwrap();
    let c = customer(&store, "C1", "Acme");
    let tx = store.begin().unwrap();
    let mut change = Change::new("many");
    for i in 0..300 {
        let mut d = draft(Some(c), &format!("SO-M-{i:05}"));
        d.ordered_at = 1_700_000_000 + i as i64;
        d.notes = if i % 100 == 7 {
            "rare word zebra".into()
        } else {
            "blue carton".into()
        };
        save(&tx, &mut change, None, None, &d, None).unwrap();
    }
    tx.commit().unwrap();
    let blue = fts_phrase("blue");
    assert!(matches_more_than(store.conn(), &blue, 100));
    assert!(!matches_more_than(store.conn(), &fts_phrase("zebra"), 100));
    for word in ["blue", "zebra"] {
        let expected: Vec<String> = store
            .conn()
            .prepare("SELECT order_no FROM orders WHERE notes LIKE ?1 ORDER BY ordered_at DESC, id DESC LIMIT 5")
            .unwrap()
            .query_map([format!("%{word}%")], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        for plan in [FTS_RARE, FTS_COMMON] {
            let sql = format!("SELECT order_no FROM orders o WHERE {plan} ORDER BY ordered_at DESC, id DESC LIMIT 5");
            let got: Vec<String> = store
                .conn()
                .prepare(&sql)
                .unwrap()
                .query_map(rusqlite::named_params! {":fts": fts_phrase(word)}, |r| {
                    r.get(0)
                })
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert_eq!(got, expected, "{word} by {plan}");
        }
    }
    let ctx = ListContext::current();
    let q = ListQuery {
        search: "blue".into(),
        ..Default::default()
    };
    assert_eq!(count::<OrderRow>(store.conn(), &q, &ctx).unwrap(), 297);
    // A rare word's matches are collected once; what is saved afterwards is found too.
    let zebra = ListQuery {
        search: "zebra".into(),
        ..Default::default()
    };
    assert_eq!(count::<OrderRow>(store.conn(), &zebra, &ctx).unwrap(), 3);
    assert_eq!(plan(store.conn(), &fts_phrase("zebra")), Plan::Collected);
    let first = fetch::<OrderRow>(store.conn(), &zebra, &Anchor::First, 2, &ctx).unwrap();
    assert_eq!(
        first
            .rows
            .iter()
            .map(|r| r.order_no.as_str())
            .collect::<Vec<_>>(),
        ["SO-M-00207", "SO-M-00107"]
    );
    let tx = store.begin().unwrap();
    let mut d = draft(Some(c), "SO-M-99999");
    d.ordered_at = 1_800_000_000;
    d.notes = "zebra too".into();
    save(&tx, &mut Change::new("one"), None, None, &d, None).unwrap();
    tx.commit().unwrap();
    assert_eq!(count::<OrderRow>(store.conn(), &zebra, &ctx).unwrap(), 4);
    let first = fetch::<OrderRow>(store.conn(), &zebra, &Anchor::First, 2, &ctx).unwrap();
    assert_eq!(first.rows[0].order_no, "SO-M-99999");
}
