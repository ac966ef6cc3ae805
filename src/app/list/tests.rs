use super::*;
use crate::store::orders::OrderRow;
use crate::store::Store;

fn store_with(n: usize) -> Store {
    let store = Store::open_in_memory().unwrap();
    for i in 0..n {
        store
            .conn()
            .execute(
                "INSERT INTO orders (order_no, ordered_at, status_changed_at, created_at, updated_at)
                 VALUES (?1, ?2, 0, 0, 0)",
                rusqlite::params![format!("SO-{i:04}"), 1_000 + i as i64],
            )
            .unwrap();
    }
    store
}

fn nos(v: &ListView<OrderRow>) -> Vec<String> {
    v.rows.iter().map(|r| r.order_no.clone()).collect()
}

#[test]
fn a_stale_list_reloads_when_next_shown_and_not_before() {
    let store = store_with(5);
    let c = store.conn();
    let mut v: ListView<OrderRow> = ListView::default();
    v.resize(c, 10).unwrap();
    assert_eq!(nos(&v)[0], "SO-0004");
    c.execute(
        "INSERT INTO orders (order_no, ordered_at, status_changed_at, created_at, updated_at)
         VALUES ('SO-0099', 99999, 0, 0, 0)",
        [],
    )
    .unwrap();
    v.resize(c, 10).unwrap();
    assert_eq!(nos(&v)[0], "SO-0004", "same size, not stale: no query");
    v.mark_stale();
    v.resize(c, 10).unwrap();
    assert_eq!(nos(&v)[0], "SO-0099", "stale: reloaded when shown");
}

#[test]
fn scrolling_moves_the_window_one_row_at_a_time() {
    let store = store_with(30);
    let c = store.conn();
    let mut v = ListView::<OrderRow>::default();
    v.resize(c, 5).unwrap();
    assert_eq!(nos(&v)[0], "SO-0029", "newest first");
    for _ in 0..6 {
        v.down(c).unwrap();
    }
    assert_eq!(v.selected().unwrap().order_no, "SO-0023");
    assert_eq!(v.offset, 2);
    v.page_down(c).unwrap();
    assert_eq!(v.offset, 7);
    v.bottom(c).unwrap();
    assert_eq!(v.selected().unwrap().order_no, "SO-0000");
    assert_eq!(v.offset, 25);
    assert_eq!(v.total, Some(30));
    v.page_up(c).unwrap();
    assert_eq!(v.offset, 20);
    v.top(c).unwrap();
    for _ in 0..3 {
        v.up(c).unwrap();
    }
    assert_eq!(v.selected().unwrap().order_no, "SO-0029");
}

#[test]
fn marks_and_filters() {
    let store = store_with(10);
    let c = store.conn();
    let mut v = ListView::<OrderRow>::default();
    v.resize(c, 4).unwrap();
    v.toggle_mark(c).unwrap();
    v.toggle_mark(c).unwrap();
    assert_eq!(v.targets().len(), 2);
    v.toggle_filter("status:confirmed");
    v.toggle_filter("status:inquiry");
    assert_eq!(
        v.query.filters,
        vec!["status:inquiry".to_string()],
        "same group replaces"
    );
    v.toggle_filter("incomplete");
    v.toggle_filter("status:inquiry");
    assert_eq!(v.query.filters, vec!["incomplete".to_string()]);
}

/// Going to a row deep in a big list counts its position only up to the cap (a filter whose
/// index lacks the sort column would read every row before it): the position shows as "at
/// least" until the cursor goes to the top, where it is exact again.
#[test]
fn going_to_a_deep_row_counts_its_position_only_up_to_the_cap() {
    let n = crate::store::list::POSITION_CAP as usize + 50;
    let store = store_with(n);
    let c = store.conn();
    let id_of = |no: String| -> i64 {
        c.query_row("SELECT id FROM orders WHERE order_no = ?1", [no], |r| {
            r.get(0)
        })
        .unwrap()
    };
    let mut v: ListView<OrderRow> = ListView::default();
    v.resize(c, 10).unwrap();
    // Newest first: SO-0020 has n - 21 rows before it, more than the cap.
    let deep = id_of("SO-0020".into());
    assert!(v.goto(c, deep).unwrap());
    assert_eq!(v.selected_id(), Some(deep));
    assert!(!v.position_known);
    let ctx = ListContext::current();
    let key = key_of::<OrderRow>(c, &v.query, deep, &ctx)
        .unwrap()
        .unwrap();
    assert_eq!(
        rows_before::<OrderRow>(c, &v.query, &key, &ctx).unwrap(),
        crate::store::list::POSITION_CAP + 1,
        "counted up to the cap, not all {} rows before it",
        n - 21
    );
    // A row near the top is placed exactly.
    let near = id_of(format!("SO-{:04}", n - 5));
    assert!(v.goto(c, near).unwrap());
    assert!(v.position_known);
    assert_eq!(v.offset + v.cursor as u64, 4);
    // Deep again, then the top: exact again.
    assert!(v.goto(c, deep).unwrap());
    assert!(!v.position_known);
    v.go(c, Move::Top).unwrap();
    assert!(v.position_known);
    assert_eq!((v.offset, v.cursor), (0, 0));
}
