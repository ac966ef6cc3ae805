//! The Shipments tab in a real terminal (a pseudo-terminal at 120x40): `d` on the last shipment of an
//! order still on its way makes the order delivered, and `u` takes both back, also after a
//! restart.

mod common;

use common::term::Term;
use common::*;
use std::path::Path;

/// `export shipments` as (order_no, waybill_no, delivered_at) per shipment.
fn shipments(db: &Path) -> Vec<(String, String, String)> {
    let out = run_ok(orderdesk(db).args(["export", "shipments"]));
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (o, w, d) = (col("order_no"), col("waybill_no"), col("delivered_at"));
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[o].to_string(), rec[w].to_string(), rec[d].to_string())
        })
        .collect()
}

#[test]
fn delivering_the_last_shipment_delivers_the_order_and_undo_takes_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 400, 7);
    let ships = shipments(&db);
    let statuses = order_statuses(&db);
    // An order on its way with exactly one shipment not yet delivered.
    let (order, waybill) = statuses
        .iter()
        .filter(|(_, s)| s == "shipped")
        .find_map(|(no, _)| {
            let open: Vec<_> = ships
                .iter()
                .filter(|(o, _, d)| o == no && d.is_empty())
                .collect();
            match open.as_slice() {
                [(_, w, _)] if !w.is_empty() => Some((no.clone(), w.clone())),
                _ => None,
            }
        })
        .expect("the demo has a shipped order with one shipment on its way");
    assert_eq!(status_of(&db, &order), "shipped");

    let t = Term::start(&db);
    t.wait_for(|s| s.contains("SO-"), "the orders list");
    t.keys(&["3"]);
    t.wait_for(|s| s.contains("Waybill"), "the Shipments tab");
    t.keys(&["/"]);
    t.text(&waybill);
    t.keys(&["Enter"]);
    t.wait_for(
        |s| {
            s.lines()
                .filter(|l| l.starts_with('│') && l.contains("SO-"))
                .count()
                == 1
                && s.contains(&waybill)
        },
        "the searched shipment alone",
    );
    t.keys(&["d"]);
    t.wait_for(|s| s.contains("delivered:"), "the delivered message");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
    drop(t);
    assert_eq!(status_of(&db, &order), "delivered");
    assert!(
        shipments(&db)
            .iter()
            .any(|(o, w, d)| *o == order && *w == waybill && !d.is_empty()),
        "the shipment carries its delivery time"
    );

    let t = Term::start(&db);
    t.wait_for(|s| s.contains("SO-"), "the orders list after a restart");
    t.keys(&["u"]);
    t.wait_for(|s| s.contains("Undone"), "the undo message");
    t.keys(&["q"]);
    assert_eq!(t.wait_exit(), 0);
    assert_eq!(status_of(&db, &order), "shipped");
    assert_eq!(shipments(&db), ships, "every shipment as it was");
    assert_eq!(order_statuses(&db), statuses, "every order as it was");
}
