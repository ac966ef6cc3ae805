//! The web tests' harness: a demo desk with two accounts, the real server on 127.0.0.1 with a
//! free port, and a client that keeps its cookies (`tests/web.rs`, `tests/web_pages.rs`).

#![allow(dead_code)]

use orderdesk::store::Store;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_orderdesk");
pub const MANAGER_PW: &str = "manager secret 1";
pub const VIEWER_PW: &str = "viewer secret 1";
pub const PHONE: &str = "13812345678";
pub const XSS: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>\u{1b}]0;pwn\u{7}";

pub fn orderdesk(db: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut c = Command::new(BIN);
    c.arg("--db").arg(db).args(args).stdin(Stdio::null());
    c.env_remove("ORDERDESK_PASSPHRASE");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("running orderdesk")
}

/// A demo desk with a manager and a viewer, and one order whose customer has a known phone
/// and a hostile name. Returns the folder, the file and that order's number.
pub fn desk() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let out = orderdesk(&db, &["demo", "--orders", "80"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (name, role, pw) in [("boss", "manager", MANAGER_PW), ("li", "viewer", VIEWER_PW)] {
        let out = orderdesk(
            &db,
            &["user", "add", name, "--role", role],
            &[("ORDERDESK_NEW_PASSWORD", pw)],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let store = Store::open(&db).unwrap();
    let (order_no, customer): (String, i64) = store
        .conn()
        .query_row(
            "SELECT order_no, customer_id FROM orders WHERE customer_id IS NOT NULL
             AND status NOT IN ('closed') ORDER BY ordered_at DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // Stored by another program, as the text policy expects: nothing stops it reaching the file.
    store
        .conn()
        .execute(
            "UPDATE customers SET phone = ?1, name = ?2 WHERE id = ?3",
            rusqlite::params![PHONE, XSS, customer],
        )
        .unwrap();
    drop(store);
    (dir, db, order_no)
}

pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    pub fn start(db: &Path) -> Server {
        Server::start_with(db, &["--listen", "127.0.0.1:0"])
    }

    pub fn start_with(db: &Path, args: &[&str]) -> Server {
        Server::start_env(db, args, &[])
    }

    pub fn start_env(db: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(BIN)
            .arg("--db")
            .arg(db)
            .arg("serve")
            .args(args)
            .env_remove("ORDERDESK_PASSPHRASE")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting the server");
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("the server says where it listens")
                .unwrap();
            if let Some(rest) = line.strip_prefix("web desk on ") {
                break rest.split_whitespace().next().unwrap().to_string();
            }
        };
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, base }
    }

    pub fn stop(&mut self) -> std::process::ExitStatus {
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the server did not stop"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Reply {
    pub status: u16,
    pub location: String,
    pub set_cookies: Vec<String>,
    pub headers: HashMap<String, String>,
    pub body: String,
}

/// A client that keeps its cookies, follows no redirect and takes every status as an answer.
pub struct Browser {
    pub agent: ureq::Agent,
    pub base: String,
    pub cookies: HashMap<String, String>,
    pub lang: &'static str,
}

impl Browser {
    pub fn new(server: &Server) -> Browser {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .build()
            .into();
        Browser {
            agent,
            base: server.base.clone(),
            cookies: HashMap::new(),
            lang: "en",
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn take(&mut self, mut r: ureq::http::Response<ureq::Body>) -> Reply {
        let set_cookies: Vec<String> = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        for c in &set_cookies {
            let pair = c.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        let headers = r
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        Reply {
            status: r.status().as_u16(),
            location: r
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default(),
            set_cookies,
            headers,
            body: r.body_mut().read_to_string().unwrap_or_default(),
        }
    }

    pub fn get(&mut self, path: &str) -> Reply {
        let r = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header())
            .header("Accept-Language", self.lang)
            .call()
            .unwrap();
        self.take(r)
    }

    pub fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        let r = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header())
            .send_form(form.iter().copied())
            .unwrap();
        self.take(r)
    }

    /// The login form's token, as a browser would read it from the page.
    pub fn login_token(&mut self) -> String {
        let page = self.get("/login");
        assert_eq!(page.status, 200);
        hidden(&page.body, "csrf")
    }

    pub fn login(&mut self, user: &str, password: &str) -> Reply {
        let csrf = self.login_token();
        self.post(
            "/login",
            &[
                ("user", user),
                ("password", password),
                ("csrf", &csrf),
                ("next", "/orders"),
            ],
        )
    }
}

pub fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {body}"))
        + marker.len();
    body[at..at + body[at..].find('"').unwrap()].to_string()
}

pub const PAGES: &[&str] = &[
    "/",
    "/orders",
    "/orders?q=abc&status=confirmed",
    "/shipments",
    "/complaints",
    "/today",
    "/report",
    "/report?month=2026-01",
    "/review",
    "/no/such/page",
];
