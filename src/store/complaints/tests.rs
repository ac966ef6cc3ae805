use super::*;
use crate::domain::complaint::{urgency, ResponseWindows, UrgencyFacts};
use crate::store::list::{fetch, Anchor, ListContext, ListQuery};
use crate::store::test_data::{in_tx, store, undo};

const H: i64 = 3600;
const NOW: i64 = 1_800_000_000;

fn insert(
    store: &Store,
    no: &str,
    severity: &str,
    opened: i64,
    first: Option<i64>,
    resolved: Option<i64>,
) -> i64 {
    store
        .conn()
        .execute(
            "INSERT INTO complaints (complaint_no, customer_id, type, severity, opened_at,
                                     first_response_at, resolved_at)
             VALUES (?1, 1, 'quality', ?2, ?3, ?4, ?5)",
            params![no, severity, opened, first, resolved],
        )
        .unwrap();
    store.conn().last_insert_rowid()
}

fn stored(store: &Store, id: i64) -> (i64, i64, UrgencyFacts) {
    store
        .conn()
        .query_row(
            "SELECT response_due_at, urgency, severity, opened_at, first_response_at, resolved_at
             FROM complaints WHERE id = ?1",
            [id],
            |r| {
                let severity: String = r.get(2)?;
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    UrgencyFacts {
                        severity: Severity::from_str(&severity).unwrap(),
                        opened_at: r.get(3)?,
                        response_due_at: r.get(0)?,
                        first_response_at: r.get(4)?,
                        resolved_at: r.get(5)?,
                    },
                ))
            },
        )
        .unwrap()
}

fn page(store: &Store, q: &ListQuery) -> Vec<String> {
    let ctx = ListContext {
        now: NOW,
        ..ListContext::current()
    };
    fetch::<ComplaintRow>(store.conn(), q, &Anchor::First, 50, &ctx)
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.complaint_no)
        .collect()
}

#[test]
fn triggers_keep_the_deadline_and_the_same_urgency_as_the_domain() {
    let store = store();
    let cases = [
        ("A", "urgent", NOW - 10 * H, None, None),
        ("B", "normal", NOW - 30 * H, None, None),
        ("C", "high", NOW - 2 * H, Some(NOW - H), None),
        (
            "D",
            "low",
            NOW - 90 * H,
            Some(NOW - 80 * H),
            Some(NOW - 3 * H),
        ),
        ("E", "low", NOW - H, None, None),
    ];
    for (no, sev, opened, first, resolved) in cases {
        let id = insert(&store, no, sev, opened, first, resolved);
        let (due, urg, facts) = stored(&store, id);
        assert_eq!(
            due,
            ResponseWindows::DEFAULT.deadline(opened, facts.severity),
            "{no}"
        );
        assert_eq!(urg, urgency(&facts), "{no}: SQL and domain agree");
    }
    // A changed severity moves the deadline and the urgency with it.
    store
        .conn()
        .execute(
            "UPDATE complaints SET severity = 'urgent' WHERE complaint_no = 'E'",
            [],
        )
        .unwrap();
    let (due, urg, facts) = stored(&store, 5);
    assert_eq!(due, NOW - H + 4 * H);
    assert_eq!(urg, urgency(&facts));
    // A and B share a deadline (6 h overdue): the urgent one first. Then E (due in 3 h),
    // then C in progress, then D closed.
    assert_eq!(
        page(&store, &ListQuery::default()),
        ["A", "B", "E", "C", "D"]
    );
    let q = |f: &str| ListQuery {
        filters: vec![f.to_string()],
        ..ListQuery::default()
    };
    assert_eq!(page(&store, &q("overdue_response")), ["A", "B"]);
    assert_eq!(page(&store, &q("awaiting")), ["A", "B", "E"]);
    assert_eq!(page(&store, &q("in_progress")), ["C"]);
    assert_eq!(page(&store, &q("closed")), ["D"]);
    assert_eq!(page(&store, &q(&customer_filter_key(1, "One"))).len(), 5);
    assert!(page(&store, &q(&customer_filter_key(2, "Two"))).is_empty());
    assert!(
        ComplaintRow::dynamic_filter("customer:1 OR 1=1:x").is_none(),
        "only an id reaches the SQL"
    );
}

#[test]
fn configured_windows_restamp_every_deadline_once() {
    let mut store = store();
    let id = insert(&store, "A", "urgent", NOW, None, None);
    assert!(
        !use_windows(&mut store, &ResponseWindows::DEFAULT).unwrap(),
        "defaults already"
    );
    let windows = ResponseWindows::from_hours(2, 6, 12, 48);
    assert!(use_windows(&mut store, &windows).unwrap());
    let (due, urg, facts) = stored(&store, id);
    assert_eq!(due, NOW + 2 * H);
    assert_eq!(urg, urgency(&facts));
    let later = insert(&store, "B", "low", NOW, None, None);
    assert_eq!(stored(&store, later).0, NOW + 48 * H, "new ones too");
    assert!(!use_windows(&mut store, &windows).unwrap());
}

#[test]
fn the_migration_stamps_complaints_of_an_older_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch(crate::store::schema::MIGRATIONS[0])
            .unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
        c.execute_batch(&format!(
            "INSERT INTO customers (id, code, name) VALUES (1, 'C1', 'One');
             INSERT INTO complaints (complaint_no, customer_id, type, severity, opened_at)
             VALUES ('OLD', 1, 'quality', 'high', {NOW});"
        ))
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let (due, urg, facts) = stored(&store, 1);
    assert_eq!(due, NOW + 8 * H);
    assert_eq!(urg, urgency(&facts));
}

fn draft(no: &str, order: Option<i64>) -> ComplaintDraft {
    ComplaintDraft {
        complaint_no: no.into(),
        customer_id: 1,
        order_id: order,
        kind: ComplaintType::Quality,
        severity: Severity::High,
        opened_at: NOW - 20 * H,
        first_response_at: None,
        resolved_at: None,
        department: None,
        description: "划痕".into(),
        resolution: String::new(),
    }
}

#[test]
fn save_respond_close_route_and_undo() {
    let mut store = store();
    let (id, no) = in_tx(&mut store, |c, ch| {
        save(c, ch, None, None, &draft("", Some(10)))
    })
    .unwrap();
    let month = crate::domain::time::local_date(NOW - 20 * H)
        .format("%Y%m")
        .to_string();
    assert_eq!(no, format!("CP-{month}-0001"), "numbered in its month");
    let (_, no2) = in_tx(&mut store, |c, ch| {
        save(c, ch, None, None, &draft("", None))
    })
    .unwrap();
    assert_eq!(no2, format!("CP-{month}-0002"));
    let err = in_tx(&mut store, |c, ch| {
        save(c, ch, None, None, &draft(&no, None))
    })
    .unwrap_err();
    assert!(err.to_string().contains("taken"), "{err}");
    let err = in_tx(&mut store, |c, ch| {
        save(c, ch, None, None, &draft("X", Some(11)))
    })
    .unwrap_err();
    assert!(err.to_string().contains("another customer"), "{err}");

    let d = load_detail(store.conn(), id).unwrap();
    assert_eq!(d.order_no.as_deref(), Some("SO-1"));
    assert_eq!(d.response_due_at, NOW - 12 * H);
    assert_eq!(d.state(), ComplaintState::Awaiting);

    let at = NOW - H;
    in_tx(&mut store, |c, ch| respond(c, ch, id, Some(d.version), at)).unwrap();
    let err = in_tx(&mut store, |c, ch| respond(c, ch, id, Some(d.version), at)).unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(_)),
        "stale version: {err}"
    );
    assert_eq!(
        in_tx(&mut store, |c, ch| respond(c, ch, id, None, at)).unwrap(),
        None,
        "a marked one already answered is passed over"
    );
    in_tx(&mut store, |c, ch| route(c, ch, id, None, Department::Tech)).unwrap();
    assert!(in_tx(&mut store, |c, ch| close(c, ch, id, None, " ", at)).is_err());
    in_tx(&mut store, |c, ch| {
        close(c, ch, id, None, "replaced 20 pcs", at)
    })
    .unwrap();
    let d = load_detail(store.conn(), id).unwrap();
    assert_eq!(d.state(), ComplaintState::Closed);
    assert_eq!(d.draft.first_response_at, Some(at));
    assert_eq!(d.draft.department, Some(Department::Tech));
    assert_eq!(d.draft.resolution, "replaced 20 pcs");

    for _ in 0..3 {
        undo(&mut store);
    }
    let d = load_detail(store.conn(), id).unwrap();
    assert_eq!(
        d.state(),
        ComplaintState::Awaiting,
        "close, route and respond undone"
    );
    let (_, urg, facts) = stored(&store, id);
    assert_eq!(urg, urgency(&facts), "the urgency is restored with the row");

    let items = for_customer(store.conn(), 1, 10).unwrap();
    assert_eq!(items.len(), 2);
}

#[test]
fn a_first_response_with_a_plan_keeps_it_and_one_without_is_refused() {
    let mut store = store();
    let (id, _) = in_tx(&mut store, |c, ch| {
        save(c, ch, None, None, &draft("", None))
    })
    .unwrap();
    assert_eq!(
        in_tx(&mut store, |c, ch| respond_with_plan(
            c, ch, id, None, NOW, "  "
        ))
        .unwrap(),
        Err(PlanRequired)
    );
    let unanswered: Option<i64> = store
        .conn()
        .query_row(
            "SELECT first_response_at FROM complaints WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unanswered, None, "nothing written without a plan");
    let plan = "replace the batch by Friday; QC to call the customer";
    assert!(in_tx(&mut store, |c, ch| {
        respond_with_plan(c, ch, id, None, NOW, &format!(" {plan} "))
    })
    .unwrap()
    .unwrap()
    .is_some());
    let (at, kept): (Option<i64>, Option<String>) = store
        .conn()
        .query_row(
            "SELECT first_response_at, response_plan FROM complaints WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(at, Some(NOW));
    assert_eq!(kept.as_deref(), Some(plan));
}
