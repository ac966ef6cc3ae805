//! Pages kept for as long as the data stays the same. Every department reads the same
//! Orders pages (the list, its next pages, the same few searches), so each is rendered once
//! per state of the data and then served from memory until anything is written: by the
//! terminal, an import, or a login here (the audit log).
//!
//! The state of the data is told by one connection of its own: SQLite's `data_version`
//! changes on it whenever another connection has committed. Each change starts a new
//! generation. A request reads the generation before it reads anything else, so a page
//! rendered for generation `g` is at least as new as every commit that generation stands
//! for; a commit made after it starts generation `g + 1` for the next request, which then
//! renders afresh. A change in the terminal therefore shows on the next page load.
//!
//! Cached: the Orders list pages (which depend on the data and today's date only) and each
//! reader's role. Pages are kept per language and role (viewers see personal data masked);
//! the reader's own name and form token are filled in per request (`personal`).

use crate::domain::account::Role;
use crate::i18n::Lang;
use rusqlite::Connection;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Pages kept at most; beyond it the cache starts over (a generation rarely sees as many).
const MAX_PAGES: usize = 256;
/// Page text at most, in bytes (a page is tens of kilobytes).
const MAX_BYTES: usize = 16 << 20;

/// The data's generation, from the watching connection.
pub struct Watch {
    conn: Connection,
    version: Option<i64>,
    generation: u64,
}

impl Watch {
    pub fn new(conn: Connection) -> Watch {
        Watch {
            conn,
            version: None,
            generation: 0,
        }
    }

    /// The generation now: a new one whenever another connection has committed since the
    /// last look. When the version cannot be read, every call is a new generation, so
    /// nothing cached is ever used.
    fn current(&mut self) -> u64 {
        let version = self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get::<_, i64>(0))
            .ok();
        if version.is_none() || version != self.version {
            self.version = version;
            self.generation += 1;
        }
        self.generation
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct PageKey {
    lang: Lang,
    role: Role,
    path: String,
}

#[derive(Default)]
struct Held {
    generation: u64,
    today: String,
    pages: HashMap<PageKey, Arc<str>>,
    bytes: usize,
    roles: HashMap<String, Option<Role>>,
}

pub struct Cache {
    watch: Mutex<Watch>,
    held: Mutex<Held>,
}

impl Cache {
    pub fn new(watch: Watch) -> Cache {
        Cache {
            watch: Mutex::new(watch),
            held: Mutex::new(Held::default()),
        }
    }

    /// The data's generation now (one `PRAGMA data_version`, a few microseconds).
    pub fn generation(&self) -> u64 {
        self.watch
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .current()
    }

    /// What is held, emptied first when it belongs to an older generation or another day.
    fn held(&self, generation: u64, today: Option<&str>) -> std::sync::MutexGuard<'_, Held> {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        let new_day = today.is_some_and(|t| t != held.today);
        if generation > held.generation || new_day {
            held.pages.clear();
            held.bytes = 0;
            if generation > held.generation {
                held.roles.clear();
                held.generation = generation;
            }
            if let Some(t) = today {
                held.today = t.to_string();
            }
        }
        held
    }

    /// The role of `user` in this generation, if known: `Some(None)` when the account is gone.
    pub fn role(&self, generation: u64, user: &str) -> Option<Option<Role>> {
        let held = self.held(generation, None);
        (held.generation == generation)
            .then(|| held.roles.get(user).copied())
            .flatten()
    }

    pub fn keep_role(&self, generation: u64, user: &str, role: Option<Role>) {
        let mut held = self.held(generation, None);
        if held.generation == generation {
            held.roles.insert(user.to_string(), role);
        }
    }

    /// A page rendered in this generation on this day for this language and role.
    pub fn page(
        &self,
        generation: u64,
        today: &str,
        lang: Lang,
        role: Role,
        path: &str,
    ) -> Option<Arc<str>> {
        let held = self.held(generation, Some(today));
        if held.generation != generation || held.today != today {
            return None;
        }
        held.pages
            .get(&PageKey {
                lang,
                role,
                path: path.to_string(),
            })
            .cloned()
    }

    pub fn keep_page(
        &self,
        generation: u64,
        today: &str,
        lang: Lang,
        role: Role,
        path: &str,
        body: Arc<str>,
    ) {
        let mut held = self.held(generation, Some(today));
        // A page of an older generation (the data changed while it was read) is not kept.
        if held.generation != generation || held.today != today {
            return;
        }
        if held.pages.len() >= MAX_PAGES || held.bytes + body.len() > MAX_BYTES {
            held.pages.clear();
            held.bytes = 0;
        }
        held.bytes += body.len();
        held.pages.insert(
            PageKey {
                lang,
                role,
                path: path.to_string(),
            },
            body,
        );
    }
}

/// Where the page frame shows the reader's own name, role and form token (`base.html`).
/// Written as HTML comments: an escaped value can never contain `<`, so only the template
/// itself can hold them.
pub const USER_MARK: &str = "<!--od:user-->";
pub const ROLE_MARK: &str = "<!--od:role-->";
pub const CSRF_MARK: &str = "<!--od:csrf-->";

/// A rendered page with the reader's own name, role and form token filled in (each already
/// escaped for HTML).
pub fn personal(body: &str, user: &str, role: &str, csrf: &str) -> String {
    let mut out = String::with_capacity(body.len() + user.len() + role.len() + csrf.len());
    let mut rest = body;
    for (mark, value) in [(USER_MARK, user), (ROLE_MARK, role), (CSRF_MARK, csrf)] {
        match rest.find(mark) {
            Some(at) => {
                out.push_str(&rest[..at]);
                out.push_str(value);
                rest = &rest[at + mark.len()..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readers_own_parts_are_filled_in_in_order() {
        let body =
            format!("<p>{USER_MARK} · {ROLE_MARK}</p><input value=\"{CSRF_MARK}\"><main>x</main>");
        assert_eq!(
            personal(&body, "li &amp; wang", "viewer", "abc"),
            "<p>li &amp; wang · viewer</p><input value=\"abc\"><main>x</main>"
        );
        // A page without the frame (no session) is left as it is.
        assert_eq!(personal("<main>x</main>", "u", "r", "c"), "<main>x</main>");
    }

    #[test]
    fn a_new_generation_or_day_forgets_the_pages() {
        let conn = Connection::open_in_memory().unwrap();
        let cache = Cache::new(Watch::new(conn));
        let g = cache.generation();
        assert_eq!(cache.generation(), g, "nothing written, same generation");
        let body: Arc<str> = Arc::from("page");
        cache.keep_page(g, "2026-12-07", Lang::En, Role::Viewer, "/orders", body);
        assert!(cache
            .page(g, "2026-12-07", Lang::En, Role::Viewer, "/orders")
            .is_some());
        assert!(cache
            .page(g, "2026-12-07", Lang::Zh, Role::Viewer, "/orders")
            .is_none());
        assert!(cache
            .page(g, "2026-12-07", Lang::En, Role::Manager, "/orders")
            .is_none());
        assert!(cache
            .page(g, "2026-12-08", Lang::En, Role::Viewer, "/orders")
            .is_none());
        cache.keep_role(g, "li", Some(Role::Viewer));
        assert_eq!(cache.role(g, "li"), Some(Some(Role::Viewer)));
        assert!(cache
            .page(g + 1, "2026-12-08", Lang::En, Role::Viewer, "/orders")
            .is_none());
        assert_eq!(cache.role(g + 1, "li"), None);
        // A page read in an older generation is not kept.
        cache.keep_page(
            g,
            "2026-12-08",
            Lang::En,
            Role::Viewer,
            "/x",
            Arc::from("old"),
        );
        assert!(cache
            .page(g + 1, "2026-12-08", Lang::En, Role::Viewer, "/x")
            .is_none());
    }
}
