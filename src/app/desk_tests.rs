//! The after-sales desk driven by keys, checked in the database.

use super::desk::Item;
use super::desk_fixture::{self, NOW};
use super::tests::{code, ctrl, press};
use super::*;
use crossterm::event::KeyCode;

fn numbers(app: &App) -> Vec<String> {
    app.screens
        .complaints
        .list
        .rows
        .iter()
        .map(|r| r.complaint_no.clone())
        .collect()
}

fn complaint<T: rusqlite::types::FromSql>(app: &App, no: &str, column: &str) -> T {
    app.store
        .conn()
        .query_row(
            &format!("SELECT {column} FROM complaints WHERE complaint_no = ?1"),
            [no],
            |r| r.get(0),
        )
        .unwrap()
}

fn message(app: &App) -> String {
    app.status
        .message
        .as_ref()
        .map(|m| m.1.clone())
        .unwrap_or_default()
}

#[test]
fn complaints_come_in_urgency_order_and_r_records_the_first_response_now() {
    let (mut app, _clock) = desk_fixture::app();
    press(&mut app, "4");
    assert_eq!(
        numbers(&app),
        [
            "CP-202601-0007", // normal, 6 h overdue
            "CP-202602-0001", // urgent, 2 h overdue
            "CP-202602-0002", // high, due in 5 h
            "CP-202601-0006", // in progress
            "CP-202601-0003", // closed
        ]
    );
    assert!(app.redraw_in().is_some(), "the countdown ticks");
    press(&mut app, "r");
    // The plan is asked for, and required.
    ctrl(&mut app, 's');
    assert!(app.form().is_some(), "an empty plan is refused");
    assert_eq!(
        complaint::<Option<i64>>(&app, "CP-202601-0007", "first_response_at"),
        None
    );
    press(&mut app, "补发新件");
    code(&mut app, KeyCode::Enter);
    press(&mut app, "周五前到货");
    ctrl(&mut app, 's');
    assert!(app.form().is_none(), "{:?}", app.form());
    assert_eq!(
        complaint::<String>(&app, "CP-202601-0007", "response_plan"),
        "补发新件\n周五前到货"
    );
    assert_eq!(
        complaint::<Option<i64>>(&app, "CP-202601-0007", "first_response_at"),
        Some(NOW)
    );
    assert!(
        message(&app).contains("CP-202601-0007"),
        "{}",
        message(&app)
    );
    assert_eq!(
        app.screens.complaints.list.selected().unwrap().complaint_no,
        "CP-202602-0001",
        "the cursor stays on top: the next one to answer"
    );
    press(&mut app, "u");
    assert_eq!(
        complaint::<Option<i64>>(&app, "CP-202601-0007", "first_response_at"),
        None
    );
    assert_eq!(numbers(&app)[0], "CP-202601-0007", "back on top");
    press(&mut app, "1");
    assert!(
        app.redraw_in().is_none(),
        "no timer away from the countdowns"
    );
}

#[test]
fn marked_complaints_are_answered_in_one_step() {
    let (mut app, _clock) = desk_fixture::app();
    press(&mut app, "4  ");
    press(&mut app, "r");
    press(&mut app, "call back today");
    ctrl(&mut app, 's');
    assert!(message(&app).contains('2'), "{}", message(&app));
    for no in ["CP-202601-0007", "CP-202602-0001"] {
        assert_eq!(
            complaint::<Option<i64>>(&app, no, "first_response_at"),
            Some(NOW)
        );
    }
    press(&mut app, "u");
    for no in ["CP-202601-0007", "CP-202602-0001"] {
        assert_eq!(
            complaint::<Option<i64>>(&app, no, "first_response_at"),
            None
        );
    }
}

#[test]
fn closing_needs_a_resolution_and_routing_picks_a_department() {
    let (mut app, _clock) = desk_fixture::app();
    press(&mut app, "4c");
    assert!(app.form().is_some(), "the resolution is asked for");
    code(&mut app, KeyCode::Enter);
    assert!(app.form().is_some(), "an empty resolution is refused");
    press(&mut app, "已补发");
    code(&mut app, KeyCode::Enter);
    let no = "CP-202601-0007";
    assert_eq!(complaint::<Option<i64>>(&app, no, "resolved_at"), Some(NOW));
    assert_eq!(complaint::<String>(&app, no, "resolution"), "已补发");
    assert_eq!(
        complaint::<Option<i64>>(&app, no, "first_response_at"),
        Some(NOW),
        "the resolution answers it"
    );
    press(&mut app, "w2");
    assert_eq!(
        complaint::<String>(&app, "CP-202602-0001", "department"),
        "after_sales"
    );
    press(&mut app, "uu");
    assert_eq!(complaint::<Option<i64>>(&app, no, "resolved_at"), None);
}

#[test]
fn the_complaint_detail_answers_the_complaint_or_a_selected_contact() {
    let (mut app, _clock) = desk_fixture::app();
    press(&mut app, "4j");
    code(&mut app, KeyCode::Enter);
    let d = app.screens.complaints.detail.as_ref().expect("detail open");
    assert_eq!(d.draft.complaint_no, "CP-202602-0001");
    assert_eq!(d.contacts.len(), 2, "the contacts of its order");
    press(&mut app, "j");
    assert!(matches!(
        app.screens.complaints.selected_item(),
        Some(Item::Contact(_))
    ));
    press(&mut app, "jr");
    // What the reply said is asked for (it may stay empty) and kept.
    press(&mut app, "sent the tracking number");
    ctrl(&mut app, 's');
    assert!(app.form().is_none(), "{:?}", app.form());
    let replies: i64 = app
        .store
        .conn()
        .query_row(
            "SELECT count(*) FROM contacts WHERE reply = 'sent the tracking number'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(replies, 1);
    let unanswered: i64 = app
        .store
        .conn()
        .query_row(
            "SELECT count(*) FROM contacts WHERE order_id = 1 AND direction = 'in' AND replied_at IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unanswered, 0, "the phone call is answered");
    assert_eq!(
        complaint::<Option<i64>>(&app, "CP-202602-0001", "first_response_at"),
        None,
        "the complaint itself is not"
    );
    press(&mut app, "gr");
    press(&mut app, "replacement on its way");
    ctrl(&mut app, 's');
    assert_eq!(
        complaint::<Option<i64>>(&app, "CP-202602-0001", "first_response_at"),
        Some(NOW)
    );
    code(&mut app, KeyCode::Esc);
    assert!(app.screens.complaints.detail.is_none());
}

#[test]
fn a_new_complaint_is_checked_then_numbered_in_its_month() {
    let (mut app, _clock) = desk_fixture::app();
    press(&mut app, "4n");
    assert!(app.form().is_some());
    ctrl(&mut app, 's');
    let form = app.form().expect("still open: customer missing");
    assert!(form
        .fields
        .iter()
        .any(|f| f.name == "field.customer" && f.error.is_some()));
    // The cursor is on the customer; then come the order, the type (a letter jumps), the
    // severity, …
    press(&mut app, "C003");
    code(&mut app, KeyCode::Tab);
    press(&mut app, "SO-20260101-001");
    ctrl(&mut app, 's');
    let form = app.form().expect("the order is another customer's");
    assert!(form.message.is_some(), "{:?}", form.message);
    let order = form
        .fields
        .iter()
        .position(|f| f.name == "field.order_no")
        .unwrap();
    app.form_mut().as_mut().unwrap().fields[order]
        .input
        .set("SO-20260101-003");
    code(&mut app, KeyCode::Tab);
    press(&mut app, "d");
    code(&mut app, KeyCode::Tab);
    press(&mut app, "u");
    ctrl(&mut app, 's');
    assert!(app.form().is_none(), "saved: {:?}", app.form());
    let no = "CP-202602-0003";
    assert_eq!(complaint::<String>(&app, no, "type"), "delivery_delay");
    assert_eq!(complaint::<String>(&app, no, "severity"), "urgent");
    assert_eq!(
        complaint::<i64>(&app, no, "response_due_at"),
        NOW + 4 * 3600
    );
    assert_eq!(
        app.screens.complaints.list.selected().unwrap().complaint_no,
        no
    );
    press(&mut app, "u");
    assert!(app
        .store
        .conn()
        .query_row(
            "SELECT 1 FROM complaints WHERE complaint_no = ?1",
            [no],
            |_| Ok(())
        )
        .is_err());
}

#[test]
fn complaints_filter_by_state_and_by_the_selected_customer() {
    let (mut app, _clock) = desk_fixture::app();
    press(&mut app, "4");
    let keys = app.filter_keys();
    let customer = keys.last().unwrap().0.clone();
    assert_eq!(customer, "customer:2:Acme Trading Ltd");
    app.screens.complaints.list.toggle_filter(&customer);
    app.screens.complaints.list.reset(app.store.conn()).unwrap();
    assert_eq!(numbers(&app), ["CP-202601-0007", "CP-202601-0003"]);
    app.screens
        .complaints
        .list
        .toggle_filter("overdue_response");
    app.screens.complaints.list.reset(app.store.conn()).unwrap();
    assert_eq!(numbers(&app), ["CP-202601-0007"]);
    app.screens.complaints.list.toggle_filter("closed");
    app.screens.complaints.list.reset(app.store.conn()).unwrap();
    assert_eq!(numbers(&app), ["CP-202601-0003"], "one state at a time");
}

#[test]
fn customer_detail_keys_reply_forward_settle_and_mark() {
    let (mut app, _clock) = desk_fixture::app();
    press(&mut app, "2");
    code(&mut app, KeyCode::Enter);
    let d = app.screens.customers.detail.as_ref().expect("C001 open");
    assert_eq!(d.draft.code, "C001");
    assert!(desk::key_account_suggested(d));
    // Two orders, two complaints, then the contacts newest first: the unanswered call is
    // the third.
    press(&mut app, "jjjjjj");
    let Some(Item::Contact(call)) = app.screens.customers.selected_item() else {
        panic!("{:?}", app.screens.customers.selected_item());
    };
    press(&mut app, "r");
    ctrl(&mut app, 's');
    let replied: Option<i64> = app
        .store
        .conn()
        .query_row(
            "SELECT replied_at FROM contacts WHERE id = ?1",
            [call],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(replied, Some(NOW));
    press(&mut app, "k");
    press(&mut app, "r");
    assert!(message(&app).contains("inbound"), "{}", message(&app));

    // The requirements: forwarded first (oldest unsettled), then open, then met.
    press(&mut app, "jjjj");
    let Some(Item::Requirement(open)) = app.screens.customers.selected_item() else {
        panic!("{:?}", app.screens.customers.selected_item());
    };
    press(&mut app, "w3");
    let status = |app: &App, id: i64| -> (String, Option<String>) {
        app.store
            .conn()
            .query_row(
                "SELECT status, forwarded_to FROM requirements WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    };
    assert_eq!(
        status(&app, open),
        ("forwarded".into(), Some("production".into()))
    );
    press(&mut app, "c1");
    assert_eq!(status(&app, open).0, "met");
    press(&mut app, "c");
    assert!(message(&app).contains("settled"), "{}", message(&app));
    press(&mut app, "u");
    assert_eq!(status(&app, open).0, "forwarded");

    press(&mut app, "*");
    assert!(
        app.screens
            .customers
            .detail
            .as_ref()
            .unwrap()
            .draft
            .key_account
    );
    assert!(!desk::key_account_suggested(
        app.screens.customers.detail.as_ref().unwrap()
    ));
    press(&mut app, "u");
    assert!(
        !app.screens
            .customers
            .detail
            .as_ref()
            .unwrap()
            .draft
            .key_account
    );
}

#[test]
fn requirements_and_surveys_are_entered_from_the_customer() {
    let (mut app, _clock) = desk_fixture::app();
    press(&mut app, "2ja");
    press(&mut app, "托盘包装");
    code(&mut app, KeyCode::Tab);
    // A choice is typed as its word: `pa` is packaging (`p` alone, product).
    press(&mut app, "pa");
    ctrl(&mut app, 's');
    let (cat, customer): (String, i64) = app
        .store
        .conn()
        .query_row(
            "SELECT category, customer_id FROM requirements WHERE text = '托盘包装'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((cat.as_str(), customer), ("packaging", 2));

    press(&mut app, "v");
    press(&mut app, "6");
    ctrl(&mut app, 's');
    assert!(app.form().is_some(), "6 is out of 1–5");
    app.form_mut().as_mut().unwrap().set("score.accuracy", "5");
    app.form_mut()
        .as_mut()
        .unwrap()
        .set("score.willingness", "9");
    ctrl(&mut app, 's');
    assert!(app.form().is_none());
    let (acc, will): (i64, i64) = app
        .store
        .conn()
        .query_row(
            "SELECT accuracy, willingness FROM surveys WHERE customer_id = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((acc, will), (5, 9));
}

#[test]
fn the_customer_form_checks_formats_and_uniqueness() {
    let (mut app, _clock) = desk_fixture::app();
    press(&mut app, "2n");
    let set = |app: &mut App, name: &str, v: &str| app.form_mut().as_mut().unwrap().set(name, v);
    set(&mut app, "field.code", "C002");
    set(&mut app, "field.name", "深圳华联电子有限公司");
    set(&mut app, "field.email", "wang@");
    set(&mut app, "field.phone", "12");
    set(&mut app, "field.payment_terms_days", "400");
    ctrl(&mut app, 's');
    let form = app.form().expect("refused");
    let errors: Vec<&str> = form
        .fields
        .iter()
        .filter(|f| f.error.is_some())
        .map(|f| f.name)
        .collect();
    assert_eq!(
        errors,
        [
            "field.code",
            "field.name",
            "field.phone",
            "field.email",
            "field.payment_terms_days"
        ]
    );
    set(&mut app, "field.code", "C004");
    set(&mut app, "field.name", "Fjord Marine AS");
    set(&mut app, "field.email", "ops@fjord.no");
    set(&mut app, "field.phone", "+47 22 33 44 55");
    set(&mut app, "field.payment_terms_days", "45");
    ctrl(&mut app, 's');
    assert!(app.form().is_none(), "{:?}", app.form().map(|f| &f.message));
    assert_eq!(app.screens.customers.list.selected().unwrap().code, "C004");
    press(&mut app, "e");
    assert_eq!(app.form().unwrap().value("field.payment_terms_days"), "45");
    code(&mut app, KeyCode::Esc);
    assert!(app.form().is_none(), "unchanged: closes without asking");
}

#[test]
fn contacts_are_logged_from_an_order_in_a_few_keys() {
    let (mut app, _clock) = desk_fixture::app();
    // The newest order, SO-20260101-006, is C003's.
    press(&mut app, "l");
    let form = app.form().expect("contact form");
    assert_eq!(form.value("field.order_no"), "SO-20260101-006");
    press(&mut app, "asks for the packing list");
    ctrl(&mut app, 's');
    assert!(app.form().is_none());
    let (customer, order, direction, at): (i64, i64, String, i64) = app
        .store
        .conn()
        .query_row(
            "SELECT customer_id, order_id, direction, at FROM contacts
             WHERE summary = 'asks for the packing list'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (customer, order, direction.as_str(), at),
        (3, 6, "in", NOW - NOW % 60)
    );
    press(&mut app, "r");
    ctrl(&mut app, 's');
    let replied: Option<i64> = app
        .store
        .conn()
        .query_row(
            "SELECT replied_at FROM contacts WHERE summary = 'asks for the packing list'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        replied,
        Some(NOW),
        "r on the order answers its waiting contact"
    );
    press(&mut app, "r");
    assert!(message(&app).contains("No inbound"), "{}", message(&app));
}

#[test]
fn the_customer_type_is_chosen_in_the_form_and_filters_the_list() {
    let (mut app, _clock) = desk_fixture::app();
    press(&mut app, "2n");
    let set = |app: &mut App, name: &str, v: &str| app.form_mut().as_mut().unwrap().set(name, v);
    set(&mut app, "field.code", "C009");
    set(&mut app, "field.name", "Baltic Distribution OÜ");
    // Typed as its label, stored as its code.
    let at = app
        .form()
        .unwrap()
        .fields
        .iter()
        .position(|f| f.name == "field.customer_type")
        .unwrap();
    app.form_mut().as_mut().unwrap().focus = crate::app::form::Focus::Field(at);
    press(&mut app, "Distrib");
    ctrl(&mut app, 's');
    assert!(app.form().is_none(), "{:?}", app.form().map(|f| &f.message));
    let kind: String = app
        .store
        .conn()
        .query_row("SELECT type FROM customers WHERE code = 'C009'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(kind, "distributor");
    app.screens
        .customers
        .list
        .toggle_filter("customer_type:distributor");
    app.screens.customers.list.reset(app.store.conn()).unwrap();
    let codes: Vec<&str> = app
        .screens
        .customers
        .list
        .rows
        .iter()
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(codes, ["C009"]);
}
