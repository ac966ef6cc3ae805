//! Hostile text already in the file (written by another program, or by an older version
//! before input was checked) shown in a terminal: the app at 120x40 in a pseudo-terminal
//! whose emulator tracks the window title. Names holding an OSC title change
//! (`ESC ] 0 ; pwned BEL`), a screen erase (`ESC [ 2 J`) and a bidi override (U+202E) must
//! neither retitle the terminal, nor clear the screen, nor break a table border: they are
//! shown as visible, harmless characters.

mod common;

use common::term::Term;
use common::*;
use rusqlite::Connection;
use std::path::Path;

const HOSTILE: [(&str, &str); 3] = [
    ("Acme", "\x1b]0;pwned\x07"),
    ("Wipe", "\x1b[2J"),
    ("Flip", "\u{202E}desrever"),
];

/// Every customer renamed to one of the hostile names, as another program would write them.
fn poison(db: &Path) {
    let c = Connection::open(db).unwrap();
    let ids: Vec<i64> = c
        .prepare("SELECT id FROM customers ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert!(ids.len() >= 3, "{} customers", ids.len());
    for (i, id) in ids.iter().enumerate() {
        let (word, attack) = HOSTILE[i % HOSTILE.len()];
        c.execute(
            "UPDATE customers SET name = ?1 WHERE id = ?2",
            rusqlite::params![format!("{word}{i}{attack}"), id],
        )
        .unwrap();
    }
}

fn order_rows(screen: &str) -> usize {
    screen
        .lines()
        .filter(|l| l.starts_with('│') && l.contains("SO-"))
        .count()
}

fn customer_rows(screen: &str) -> usize {
    screen
        .lines()
        .filter(|l| l.starts_with('│') && l.contains("C000"))
        .count()
}

/// The table's frame (the first box from the left edge) is whole: a top and a bottom
/// corner, and `│` at both edges of every row between them. Returns the rows inside.
fn assert_borders_whole(t: &Term, what: &str) -> usize {
    let screen = t.screen();
    t.with_screen(|s| {
        let (rows, cols) = s.size();
        let (rows, cols) = (rows.get(), cols.get());
        let at = |r: u16, c: u16| s.cell(r, c).map(|x| x.contents()).unwrap_or_default();
        let top = (0..rows)
            .find(|&r| at(r, 0) == "┌")
            .unwrap_or_else(|| panic!("{what}: no top border:\n{screen}"));
        let bottom = (top + 1..rows)
            .find(|&r| at(r, 0) == "└")
            .unwrap_or_else(|| panic!("{what}: no bottom border:\n{screen}"));
        assert_eq!(
            at(top, cols - 1),
            "┐",
            "{what}: top right corner:\n{screen}"
        );
        assert_eq!(
            at(bottom, cols - 1),
            "┘",
            "{what}: bottom right corner:\n{screen}"
        );
        for r in top + 1..bottom {
            assert!(
                at(r, 0) == "│" && at(r, cols - 1) == "│",
                "{what}: row {r} has lost its border:\n{screen}"
            );
        }
        usize::from(bottom - top - 1)
    })
}

/// No raw control or bidi character left in any cell of the screen.
fn assert_no_raw_controls(t: &Term, what: &str) {
    let screen = t.screen();
    let bad: Vec<char> = screen
        .chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || ('\u{202A}'..='\u{202E}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        })
        .collect();
    assert!(bad.is_empty(), "{what}: raw {bad:?} on screen:\n{screen}");
}

/// Opens the app, looks at Orders and Customers; the terminal for the checks.
fn look(db: &Path) -> Term {
    let t = Term::app(db, 120, 40);
    t.wait_for(
        |s| order_rows(s) >= 20,
        "20 order rows (a name that erases the screen leaves none)",
    );
    assert_borders_whole(&t, "Orders");
    t.send(&["2"]);
    t.wait_for(|s| customer_rows(s) >= 10, "the customers");
    assert_borders_whole(&t, "Customers");
    t
}

#[test]
fn hostile_names_neither_retitle_nor_clear_nor_break_the_borders() {
    let dir = tempfile::tempdir().unwrap();
    let (clean_dir, hostile_dir) = (dir.path().join("clean"), dir.path().join("hostile"));
    std::fs::create_dir_all(&clean_dir).unwrap();
    std::fs::create_dir_all(&hostile_dir).unwrap();
    // The same demo twice (seeded): one left as it is, to compare with.
    let clean = demo_db(&clean_dir, 200, 3);
    let hostile = demo_db(&hostile_dir, 200, 3);
    poison(&hostile);

    let control = look(&clean);
    let t = look(&hostile);
    let screen = t.screen();

    // The title: never set by the app, so never "pwned".
    assert_eq!(
        control.titles(),
        Vec::<String>::new(),
        "the app sets no title"
    );
    assert_eq!(t.titles(), control.titles(), "the window title changed");
    assert_eq!(t.title(), "");
    // The screen: erased no more often than the app itself does it.
    assert_eq!(
        t.clears(),
        control.clears(),
        "the screen was cleared by a name"
    );
    // Shown, visibly and harmlessly: the names are there, their controls as pictures.
    assert_no_raw_controls(&t, "Customers");
    for (word, _) in HOSTILE {
        assert!(screen.contains(word), "{word} shown:\n{screen}");
    }
    assert!(screen.contains("␛]0;pwned␇"), "{screen}");
    assert!(screen.contains("␛[2J"), "{screen}");
    assert!(screen.contains("<U+202E>"), "{screen}");
    t.send(&["1"]);
    t.wait_for(|s| order_rows(s) >= 20, "the orders again");
    assert_borders_whole(&t, "Orders again");
    assert_no_raw_controls(&t, "Orders");
    t.send(&["q"]);
    assert_eq!(t.wait_exit(), 0);
    assert_eq!(t.titles(), Vec::<String>::new(), "retitled on the way out");
    control.send(&["q"]);
    assert_eq!(control.wait_exit(), 0);
}
