//! The screens' own state: each tab keeps its form.

use crate::app::tab::Tab;
use crate::app::tests::{code, press};
use crate::app::{fixture, App, Confirm, Mode};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Each tab keeps its own form: a half-filled order waits on Orders while the clerk starts a
/// complaint on Complaints, and both are there, as typed, when the clerk comes back.
#[test]
fn a_half_filled_form_waits_on_its_own_tab() {
    let mut app = fixture::app(3);
    press(&mut app, "n");
    let typed = |app: &App| {
        app.form()
            .and_then(|f| f.focused())
            .map(|f| f.input.value().to_string())
    };
    press(&mut app, "Acme");
    assert_eq!(typed(&app).as_deref(), Some("Acme"));
    let next_tab = KeyEvent::new(KeyCode::PageDown, KeyModifiers::CONTROL);
    app.handle_key(next_tab);
    assert_eq!(
        app.tab,
        Tab::Customers,
        "Ctrl-PgDn leaves the form for the next tab"
    );
    assert!(app.form().is_none(), "the order form stays on Orders");
    press(&mut app, "4n");
    assert_eq!(app.tab, Tab::Complaints);
    press(&mut app, "9");
    let complaint = typed(&app);
    assert!(complaint.is_some(), "a complaint form of its own");
    app.handle_key(KeyEvent::new(KeyCode::PageUp, KeyModifiers::CONTROL));
    assert_eq!(app.tab, Tab::Shipments);
    press(&mut app, "1");
    assert_eq!(app.tab, Tab::Orders);
    assert_eq!(typed(&app).as_deref(), Some("Acme"), "the order as typed");
    code(&mut app, KeyCode::Esc);
    assert!(
        matches!(app.mode, Mode::Confirm(Confirm::DiscardForm)),
        "the shared discard question"
    );
    press(&mut app, "y");
    assert!(app.form().is_none());
    assert_eq!(
        app.screens
            .complaints
            .form
            .as_ref()
            .and_then(|f| f.focused())
            .map(|f| f.input.value().to_string()),
        complaint,
        "discarding the order leaves the complaint"
    );
}

/// On a form `?` is typed; F1 opens the help over it, and the form is there after.
#[test]
fn f1_opens_the_help_over_a_form_where_a_question_mark_is_typed() {
    let mut app = fixture::app(3);
    press(&mut app, "n?");
    let typed = |app: &App| {
        app.form()
            .and_then(|f| f.focused())
            .map(|f| f.input.value().to_string())
    };
    assert_eq!(typed(&app).as_deref(), Some("?"));
    assert!(matches!(app.mode, Mode::Normal));
    code(&mut app, KeyCode::F(1));
    assert!(matches!(app.mode, Mode::Help(_)), "F1 opens the help");
    code(&mut app, KeyCode::Esc);
    assert!(matches!(app.mode, Mode::Normal));
    assert_eq!(typed(&app).as_deref(), Some("?"), "the form as it was");
}
