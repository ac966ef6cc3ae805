//! Production progress, exceptions, documents and the instruction sheet, against the store.

use crate::domain::enums::{DocumentKind, ExceptionCause, ExceptionKind, ProductionStage};
use crate::store::exceptions::{self, Step};
use crate::store::production::{self, Production};
use crate::store::undo::{undo_last, Change};
use crate::store::{documents, Store};
use rusqlite::params;

fn order(store: &Store, no: &str, status: &str) -> i64 {
    store
        .conn()
        .execute(
            "INSERT INTO orders (order_no, status, ordered_at, status_changed_at, created_at, updated_at)
             VALUES (?1, ?2, 0, 0, 0, 0)",
            params![no, status],
        )
        .unwrap();
    store.conn().last_insert_rowid()
}

fn in_tx<T>(store: &mut Store, f: impl FnOnce(&rusqlite::Connection, &mut Change) -> T) -> T {
    let tx = store.begin().unwrap();
    let mut change = Change::new("test");
    let out = f(&tx, &mut change);
    change.record(&tx).unwrap();
    tx.commit().unwrap();
    out
}

#[test]
fn production_is_validated_saved_and_counted_per_stage() {
    let mut store = Store::open_in_memory().unwrap();
    let won = order(&store, "SO-W", "in_production");
    let quote = order(&store, "SO-Q", "quoted");
    let mut p = Production {
        stage: ProductionStage::Producing,
        percent: 101,
        planned_finish: chrono::NaiveDate::from_ymd_opt(2020, 1, 1),
        ..Default::default()
    };
    let err = in_tx(&mut store, |c, ch| production::save(c, ch, won, &p)).unwrap_err();
    assert!(
        matches!(
            err,
            crate::store::StoreError::Refused(crate::store::Refusal::Rule(
                "production.err_percent"
            ))
        ),
        "{err}"
    );
    p.percent = 40;
    in_tx(&mut store, |c, ch| production::save(c, ch, won, &p)).unwrap();
    assert_eq!(
        production::load(store.conn(), won).unwrap(),
        Some(p.clone())
    );
    let err = in_tx(&mut store, |c, ch| production::save(c, ch, quote, &p)).unwrap_err();
    assert!(err.to_string().contains("SO-Q"), "{err}");

    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let loads = production::bottlenecks(store.conn(), today).unwrap();
    let producing = loads
        .iter()
        .find(|l| l.stage == ProductionStage::Producing)
        .unwrap();
    assert_eq!((producing.orders, producing.late), (1, 1));
    assert_eq!(loads.len(), 4, "every stage but done");

    let tx = store.begin().unwrap();
    undo_last(&tx).unwrap();
    tx.commit().unwrap();
    assert_eq!(
        production::load(store.conn(), won).unwrap(),
        None,
        "undo removes what it created"
    );
}

#[test]
fn an_exception_is_opened_told_resolved_and_gives_the_late_cause() {
    let mut store = Store::open_in_memory().unwrap();
    let o = order(&store, "SO-E", "in_production");
    assert_eq!(
        exceptions::late_cause(store.conn(), o).unwrap(),
        "unspecified"
    );
    let id = in_tx(&mut store, |c, ch| {
        exceptions::open(
            c,
            ch,
            o,
            ExceptionKind::Delay,
            ExceptionCause::SupplierDelay,
            "steel late",
            100,
        )
    })
    .unwrap();
    in_tx(&mut store, |c, ch| {
        exceptions::open(
            c,
            ch,
            o,
            ExceptionKind::Quality,
            ExceptionCause::Quality,
            "",
            200,
        )
    })
    .unwrap();
    assert_eq!(
        exceptions::late_cause(store.conn(), o).unwrap(),
        "supplier_delay"
    );
    in_tx(&mut store, |c, ch| {
        exceptions::mark(c, ch, id, Step::Informed, 300)
    })
    .unwrap();
    let again = in_tx(&mut store, |c, ch| {
        exceptions::mark(c, ch, id, Step::Informed, 301)
    });
    assert!(again.is_err(), "informed once");
    in_tx(&mut store, |c, ch| {
        exceptions::mark(c, ch, id, Step::Resolved, 400)
    })
    .unwrap();
    let rows = exceptions::list(store.conn(), o).unwrap();
    assert_eq!(rows[0].customer_informed_at, Some(300));
    assert_eq!(rows[0].resolved_at, Some(400));
    assert_eq!(rows[0].note, "steel late");
    let tx = store.begin().unwrap();
    undo_last(&tx).unwrap();
    tx.commit().unwrap();
    assert_eq!(
        exceptions::list(store.conn(), o).unwrap()[0].resolved_at,
        None
    );
}

#[test]
fn a_document_is_copied_into_the_archive_beside_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("od.db");
    let mut store = Store::open(&db).unwrap();
    let o = order(&store, "SO/1", "confirmed");
    let src = dir.path().join("PO 4711.pdf");
    std::fs::write(&src, b"%PDF-1.4 purchase order").unwrap();
    let doc = in_tx(&mut store, |c, ch| {
        documents::attach(c, ch, &db, o, DocumentKind::Po, &src, 1_767_225_600)
    })
    .unwrap();
    assert_eq!(doc.original_name, "PO 4711.pdf");
    assert!(
        doc.stored_path.starts_with("archive/SO_1/"),
        "{}",
        doc.stored_path
    );
    let copy = documents::full_path(&db, &doc);
    assert_eq!(std::fs::read(&copy).unwrap(), b"%PDF-1.4 purchase order");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&copy).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the copy is the owner's only");
    }
    std::fs::remove_file(&src).unwrap();
    assert!(copy.is_file(), "the copy does not depend on the original");
    assert_eq!(documents::list(store.conn(), o).unwrap(), vec![doc]);
    let missing = in_tx(&mut store, |c, ch| {
        documents::attach(c, ch, &db, o, DocumentKind::Po, &src, 1)
    });
    assert!(missing.is_err());
}

#[test]
fn the_instruction_sheet_is_for_won_orders_and_escapes_its_html() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("od.db");
    let store = Store::open(&db).unwrap();
    let c = store.conn();
    c.execute(
        "INSERT INTO customers (code, name) VALUES ('C1', 'Acme <b>&</b> Co')",
        [],
    )
    .unwrap();
    let o = order(&store, "SO-9", "confirmed");
    let q = order(&store, "SO-8", "quoted");
    c.execute(
        "UPDATE orders SET customer_id = 1, due_date = '2026-05-01', delivery_address = 'Dock 7'
         WHERE id = ?1",
        [o],
    )
    .unwrap();
    c.execute(
        "INSERT INTO order_lines (order_id, line_no, product_code, spec, quantity, unit)
         VALUES (?1, 1, 'P-1', 'M6×20 <304>', '500', 'pcs')",
        [o],
    )
    .unwrap();
    for (cat, status, text) in [
        ("packaging", "open", "blue cartons"),
        ("product", "met", "RoHS"),
        ("service", "open", "call first"),
        ("logistics", "declined", "air only"),
    ] {
        c.execute(
            "INSERT INTO requirements (customer_id, category, text, created_at, status)
             VALUES (1, ?1, ?2, 0, ?3)",
            params![cat, text, status],
        )
        .unwrap();
    }
    assert!(
        crate::docs::instruction::write(c, &db, q).is_err(),
        "a quote has no sheet"
    );
    let written = crate::docs::instruction::write(c, &db, o).unwrap();
    let text = std::fs::read_to_string(&written.text).unwrap();
    for want in [
        "SO-9",
        "P-1",
        "M6×20 <304>",
        "500 pcs",
        "2026-05-01",
        "Dock 7",
        "blue cartons",
        "RoHS",
    ] {
        assert!(text.contains(want), "{want} in:\n{text}");
    }
    assert!(
        !text.contains("call first") && !text.contains("air only"),
        "{text}"
    );
    let html = std::fs::read_to_string(&written.html).unwrap();
    assert!(
        html.contains("Acme &lt;b&gt;&amp;&lt;&#x2f;b&gt; Co")
            || html.contains("Acme &lt;b&gt;&amp;&lt;/b&gt; Co"),
        "{html}"
    );
    assert!(html.contains("@media print"));
    assert!(written.html.ends_with("instructions/SO-9.html"));
}
