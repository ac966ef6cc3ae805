//! Sessions and the brake on password guessing, both in memory and bounded: a restart
//! logs everyone out, which is the safe side.

use crate::domain::account::Role;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A session ends after this long without a page.
pub const IDLE: Duration = Duration::from_secs(30 * 60);
/// And after this long in any case.
pub const LONGEST: Duration = Duration::from_secs(12 * 3600);
/// Sessions kept at most; beyond it the oldest idle one goes.
const MAX_SESSIONS: usize = 10_000;

/// Failures within this window count.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failed logins for one account in the window before it is refused for a while.
pub const PER_USER: u32 = 5;
/// Failed logins from one address in the window (any accounts).
pub const PER_ADDRESS: u32 = 20;
const MAX_TRACKED: usize = 10_000;

/// 32 random bytes as hex: a session id or a form token.
pub fn token() -> String {
    let mut bytes = [0u8; 32];
    // Without the system's random numbers no token could be trusted: stop rather than guess.
    getrandom::fill(&mut bytes).expect("the system's random number source is unavailable");
    hex::encode(bytes)
}

/// Compares two tokens in time independent of where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[derive(Debug, Clone)]
pub struct Session {
    pub user: String,
    pub role: Role,
    /// The token every form of this session carries (logout).
    pub csrf: String,
    started: Instant,
    last_seen: Instant,
}

#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// A new session; its id for the cookie.
    pub fn start(&self, user: &str, role: Role) -> String {
        let id = token();
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_SESSIONS {
            map.retain(|_, s| alive(s, now));
            if map.len() >= MAX_SESSIONS {
                if let Some(oldest) = map
                    .iter()
                    .min_by_key(|(_, s)| s.last_seen)
                    .map(|(k, _)| k.clone())
                {
                    map.remove(&oldest);
                }
            }
        }
        map.insert(
            id.clone(),
            Session {
                user: user.to_string(),
                role,
                csrf: token(),
                started: now,
                last_seen: now,
            },
        );
        id
    }

    /// The live session of this id, its idle clock reset; an expired one is forgotten.
    pub fn touch(&self, id: &str) -> Option<Session> {
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        match map.get_mut(id) {
            Some(s) if alive(s, now) => {
                s.last_seen = now;
                Some(s.clone())
            }
            Some(_) => {
                map.remove(id);
                None
            }
            None => None,
        }
    }

    /// Ends a session; the user it belonged to.
    pub fn end(&self, id: &str) -> Option<String> {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id)
            .map(|s| s.user)
    }

    /// Ends every session of an account that no longer exists.
    pub fn end_user(&self, user: &str) {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, s| s.user != user);
    }
}

fn alive(s: &Session, now: Instant) -> bool {
    now.duration_since(s.last_seen) < IDLE && now.duration_since(s.started) < LONGEST
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    since: Instant,
}

/// Counts failed logins per account and per address over a sliding window.
#[derive(Default)]
pub struct Limiter {
    map: Mutex<HashMap<String, Failures>>,
}

fn user_key(user: &str) -> String {
    format!("u:{user}")
}

fn address_key(address: &str) -> String {
    format!("a:{address}")
}

impl Limiter {
    /// Whether a login for `user` from `address` must be refused now; how long until
    /// it may try again.
    pub fn blocked(&self, user: &str, address: &str) -> Option<Duration> {
        let now = Instant::now();
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        [
            (user_key(user), PER_USER),
            (address_key(address), PER_ADDRESS),
        ]
        .into_iter()
        .filter_map(|(k, limit)| {
            let f = map.get(&k)?;
            let left = WINDOW.checked_sub(now.duration_since(f.since))?;
            (f.count >= limit).then_some(left)
        })
        .max()
    }

    pub fn failed(&self, user: &str, address: &str) {
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_TRACKED {
            map.retain(|_, f| now.duration_since(f.since) < WINDOW);
        }
        for k in [user_key(user), address_key(address)] {
            if map.len() >= MAX_TRACKED && !map.contains_key(&k) {
                // Full of live entries: an attacker spraying names; the address entry
                // (inserted first on its own) still brakes them.
                continue;
            }
            let f = map.entry(k).or_insert(Failures {
                count: 0,
                since: now,
            });
            if now.duration_since(f.since) >= WINDOW {
                *f = Failures {
                    count: 0,
                    since: now,
                };
            }
            f.count += 1;
        }
    }

    /// A good login clears the account's count (not the address's).
    pub fn succeeded(&self, user: &str) {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&user_key(user));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_start_touch_and_end() {
        let s = Sessions::default();
        let id = s.start("li", Role::Viewer);
        assert_eq!(s.touch(&id).unwrap().user, "li");
        assert!(s.touch("nope").is_none());
        assert_eq!(s.end(&id).as_deref(), Some("li"));
        assert!(s.touch(&id).is_none());
        let id = s.start("li", Role::Viewer);
        s.end_user("li");
        assert!(s.touch(&id).is_none());
    }

    #[test]
    fn failures_block_the_account_then_the_address() {
        let l = Limiter::default();
        for _ in 0..PER_USER {
            assert!(l.blocked("li", "1.2.3.4").is_none());
            l.failed("li", "1.2.3.4");
        }
        assert!(l.blocked("li", "5.6.7.8").is_some(), "per account");
        assert!(l.blocked("wang", "5.6.7.8").is_none());
        for i in 0..PER_ADDRESS {
            l.failed(&format!("x{i}"), "9.9.9.9");
        }
        assert!(l.blocked("wang", "9.9.9.9").is_some(), "per address");
        l.succeeded("li");
        assert!(l.blocked("li", "5.6.7.8").is_none());
    }

    #[test]
    fn tokens_are_random_and_compared_whole() {
        let a = token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, token());
        assert!(same_token(&a, &a.clone()));
        assert!(!same_token(&a, &a[..63]));
    }
}
