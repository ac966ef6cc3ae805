//! The web desk over real HTTP: the binary serves a demo file on 127.0.0.1 with a free port,
//! and a real client (ureq) logs in, reads pages, and is refused where it should be.

#[path = "web/harness.rs"]
mod harness;

use harness::*;
use orderdesk::domain::status::Status;
use orderdesk::store::orders::{self, StatusRequest};
use orderdesk::store::undo::Change;
use orderdesk::store::Store;
use std::path::Path;
use std::time::Duration;

#[test]
fn every_page_sends_a_stranger_to_the_login() {
    let (_dir, db, order_no) = desk();
    let server = Server::start(&db);
    let mut b = Browser::new(&server);
    let detail = format!("/orders/{order_no}");
    for path in PAGES.iter().copied().chain([detail.as_str()]) {
        let r = b.get(path);
        assert_eq!(r.status, 302, "{path}");
        assert!(r.location.starts_with("/login"), "{path}: {}", r.location);
    }
    b.cookies.insert("od_session".into(), "0".repeat(64));
    assert_eq!(
        b.get("/orders").status,
        302,
        "a made-up session is no session"
    );
    let login = b.get("/login");
    assert_eq!(login.status, 200);
    for h in [
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
    ] {
        assert!(login.headers.contains_key(h), "{h} missing");
    }
    assert!(login.headers["content-security-policy"].contains("script-src 'self'"));
    assert!(!login.body.contains("<script>"), "no inline script");
}

#[test]
fn the_login_form_needs_its_token_and_logout_ends_the_session() {
    let (_dir, db, _) = desk();
    let server = Server::start(&db);
    let mut b = Browser::new(&server);
    let csrf = b.login_token();
    let r = b.post("/login", &[("user", "boss"), ("password", MANAGER_PW)]);
    assert_eq!(r.status, 403, "no token");
    assert!(!b.cookies.contains_key("od_session"));
    let r = b.post(
        "/login",
        &[
            ("user", "boss"),
            ("password", MANAGER_PW),
            ("csrf", &"f".repeat(64)),
        ],
    );
    assert_eq!(r.status, 403, "a token that is not the form's");
    // A token from another browser's form does not match this browser's cookie.
    let mut other = Browser::new(&server);
    let foreign = other.login_token();
    let r = b.post(
        "/login",
        &[
            ("user", "boss"),
            ("password", MANAGER_PW),
            ("csrf", &foreign),
        ],
    );
    assert_eq!(r.status, 403);
    let _ = csrf;

    let r = b.login("boss", MANAGER_PW);
    assert_eq!(r.status, 303, "{}", r.body);
    let session = r
        .set_cookies
        .iter()
        .find(|c| c.starts_with("od_session="))
        .expect("a session cookie");
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Strict"), "{session}");
    for path in PAGES
        .iter()
        .copied()
        .filter(|p| *p != "/" && *p != "/no/such/page")
    {
        let r = b.get(path);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
    }
    let page = b.get("/orders");
    let token = hidden(&page.body, "csrf");
    assert_eq!(
        b.post("/logout", &[]).status,
        403,
        "logout needs the token too"
    );
    assert_eq!(b.get("/orders").status, 200, "still logged in");
    let r = b.post("/logout", &[("csrf", &token)]);
    assert_eq!(r.status, 303);
    b.cookies.insert(
        "od_session".into(),
        session.split(';').next().unwrap()["od_session=".len()..].to_string(),
    );
    assert_eq!(
        b.get("/orders").status,
        302,
        "the old cookie no longer works"
    );
}

#[test]
fn viewers_see_phones_masked_and_managers_do_not() {
    let (_dir, db, order_no) = desk();
    let server = Server::start(&db);
    let path = format!("/orders/{order_no}");
    let mut viewer = Browser::new(&server);
    assert_eq!(viewer.login("li", VIEWER_PW).status, 303);
    let page = viewer.get(&path);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("138****5678"), "{}", page.body);
    assert!(!page.body.contains(PHONE));
    let mut manager = Browser::new(&server);
    assert_eq!(manager.login("boss", MANAGER_PW).status, 303);
    let page = manager.get(&path);
    assert!(page.body.contains(PHONE), "{}", page.body);
}

#[test]
fn hostile_names_come_back_escaped() {
    let (_dir, db, order_no) = desk();
    let server = Server::start(&db);
    let mut b = Browser::new(&server);
    assert_eq!(b.login("boss", MANAGER_PW).status, 303);
    let searched = format!("/orders?q={}", "%3Cscript%3Ealert(3)%3C%2Fscript%3E");
    for path in [format!("/orders/{order_no}"), "/orders".into(), searched] {
        let page = b.get(&path);
        assert_eq!(page.status, 200, "{path}");
        for raw in ["<script>alert", "<img src=x", "\u{1b}", "\u{7}"] {
            assert!(!page.body.contains(raw), "{path}: {raw:?} came back raw");
        }
    }
    let page = b.get(&format!("/orders/{order_no}"));
    assert!(
        page.body.contains("&lt;script&gt;alert(1)&lt;"),
        "{}",
        page.body
    );
    assert!(page.body.contains('␛'), "the escape shown as its picture");
    let page = b.get("/orders?q=%3Cscript%3Ealert(3)");
    assert!(
        page.body.contains("&lt;script&gt;alert(3)"),
        "the search is echoed escaped"
    );
}

#[test]
fn wrong_passwords_are_rate_limited_and_audited() {
    let (_dir, db, _) = desk();
    let server = Server::start(&db);
    let mut b = Browser::new(&server);
    for _ in 0..5 {
        assert_eq!(b.login("boss", "wrong password").status, 401);
    }
    let r = b.login("boss", MANAGER_PW);
    assert_eq!(r.status, 429, "even the right password waits now");
    assert!(!b.cookies.contains_key("od_session"));
    // Another account from another client is not locked out by it.
    let mut other = Browser::new(&server);
    assert_eq!(other.login("li", VIEWER_PW).status, 303);
    let store = Store::open(&db).unwrap();
    let count = |action: &str| -> i64 {
        store
            .conn()
            .query_row(
                "SELECT count(*) FROM audit_log WHERE action = ?1",
                [action],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(count("web_login_failed"), 5);
    assert_eq!(count("web_login_limited"), 1);
    assert_eq!(count("web_login"), 1);
    assert_eq!(
        orderdesk::store::audit::verify(store.conn())
            .unwrap()
            .first_broken,
        None
    );
}

#[test]
fn a_change_made_through_the_store_shows_on_the_next_load() {
    let (_dir, db, order_no) = desk();
    let server = Server::start(&db);
    let mut b = Browser::new(&server);
    assert_eq!(b.login("boss", MANAGER_PW).status, 303);
    let path = format!("/orders/{order_no}");
    let before = b.get(&path);
    assert!(!before.body.contains("moved by the desk test"));
    // The list pages are kept while the data stays the same: read twice, the second from
    // memory, both before the change.
    let list = format!("/orders?q={order_no}");
    let cancelled = "<td data-label=\"Status\">Cancelled</td>";
    for _ in 0..2 {
        let page = b.get(&list);
        assert!(page.body.contains(&order_no), "{}", page.body);
        assert!(!page.body.contains(cancelled), "{}", page.body);
    }
    let mut store = Store::open(&db).unwrap();
    let id = orders::id_by_number(store.conn(), &order_no)
        .unwrap()
        .unwrap();
    let tx = store.begin().unwrap();
    let mut change = Change::new("status");
    orders::change_status(
        &tx,
        &mut change,
        id,
        None,
        StatusRequest::Set(Status::Cancelled),
        orderdesk::domain::time::now(),
        Some("moved by the desk test"),
    )
    .unwrap();
    change.record(&tx).unwrap();
    tx.commit().unwrap();
    let after = b.get(&path);
    assert!(
        after.body.contains("moved by the desk test"),
        "{}",
        after.body
    );
    assert!(after.body.contains("Cancelled"));
    let page = b.get(&list);
    assert!(page.body.contains(cancelled), "{}", page.body);
}

#[test]
fn chinese_readers_get_chinese_pages() {
    let (_dir, db, _) = desk();
    let server = Server::start(&db);
    let mut b = Browser::new(&server);
    b.lang = "zh-CN,zh;q=0.9,en;q=0.5";
    assert_eq!(b.login("li", VIEWER_PW).status, 303);
    let page = b.get("/orders");
    assert!(page.body.contains("lang=\"zh-CN\""));
    assert!(page.body.contains("订单"), "{}", page.body);
    assert!(!page.body.contains(">Orders<"));
    // The switch sets the other language for this browser.
    let r = b.get("/lang/en?back=/orders");
    assert_eq!(r.status, 303);
    assert_eq!(r.location, "/orders");
    assert!(b.get("/orders").body.contains(">Orders<"));
    let r = b.get("/lang/en?back=//evil.example");
    assert_eq!(r.location, "/orders", "never sent to another site");
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let (_dir, db, _) = desk();
    let mut server = Server::start(&db);
    let mut b = Browser::new(&server);
    assert_eq!(b.get("/login").status, 200);
    let status = server.stop();
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_network_address_needs_tls_or_an_explicit_insecure_lan() {
    let (_dir, db, _) = desk();
    let out = orderdesk(&db, &["serve", "--listen", "0.0.0.0:0"], &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--tls-cert"), "{err}");
    let mut server = Server::start_with(&db, &["--listen", "0.0.0.0:0", "--insecure-lan"]);
    assert!(
        server.base.starts_with("http://0.0.0.0:"),
        "{}",
        server.base
    );
    assert!(server.stop().success());
}

#[test]
fn accounts_are_listed_removed_and_refused_when_doubled() {
    let (_dir, db, _) = desk();
    let list = orderdesk(&db, &["user", "list"], &[]);
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(
        text.contains("boss\tmanager") && text.contains("li\tviewer"),
        "{text}"
    );
    let again = orderdesk(
        &db,
        &["user", "add", "li"],
        &[("ORDERDESK_NEW_PASSWORD", VIEWER_PW)],
    );
    assert!(!again.status.success());
    let short = orderdesk(
        &db,
        &["user", "add", "wang"],
        &[("ORDERDESK_NEW_PASSWORD", "short")],
    );
    assert!(!short.status.success(), "a short password is refused");
    let no_tty = orderdesk(&db, &["user", "passwd", "li"], &[]);
    assert!(!no_tty.status.success());
    assert!(String::from_utf8_lossy(&no_tty.stderr).contains("ORDERDESK_NEW_PASSWORD"));
    assert!(orderdesk(
        &db,
        &["user", "passwd", "li"],
        &[("ORDERDESK_NEW_PASSWORD", "another one 2")]
    )
    .status
    .success());
    assert!(orderdesk(&db, &["user", "remove", "li"], &[])
        .status
        .success());
    assert!(!orderdesk(&db, &["user", "remove", "li"], &[])
        .status
        .success());
    let server = Server::start(&db);
    let mut b = Browser::new(&server);
    assert_eq!(
        b.login("li", VIEWER_PW).status,
        401,
        "a removed account cannot log in"
    );
}

#[test]
fn tls_serves_https_and_marks_cookies_secure() {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName};
    use std::io::{Read, Write};
    let (_dir, db, _) = desk();
    // A test CA and a certificate for localhost it signed, valid for a century.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
    let cert = fixtures.join("cert.pem");
    let key = fixtures.join("key.pem");
    let server = Server::start_with(
        &db,
        &[
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    let addr = server
        .base
        .strip_prefix("https://")
        .expect("an https address")
        .to_string();
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(fixtures.join("ca.pem")).unwrap())
        .unwrap();
    #[allow(deprecated)]
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let conn = rustls::ClientConnection::new(
        std::sync::Arc::new(config),
        ServerName::try_from("localhost").unwrap(),
    )
    .unwrap();
    let tcp = std::net::TcpStream::connect(&addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    tls.write_all(b"GET /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut bytes = Vec::new();
    // The server may close without a close_notify once it has answered.
    let _ = tls.read_to_end(&mut bytes);
    let reply = String::from_utf8_lossy(&bytes);
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(
        reply.contains("; Secure"),
        "cookies are Secure under TLS: {reply}"
    );
    // Plain HTTP to the TLS port gets no page.
    let plain = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent()
        .get(format!("http://{addr}/login"))
        .call();
    assert!(plain.is_err() || plain.unwrap().status() != 200);
}

#[test]
fn an_encrypted_desk_is_served_with_its_passphrase() {
    let (_dir, db, order_no) = desk();
    let pass = [("ORDERDESK_PASSPHRASE", "desk passphrase 7")];
    let out = orderdesk(&db, &["encrypt"], &pass);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Without the passphrase (and no terminal to ask on) it does not start.
    let out = orderdesk(&db, &["serve", "--listen", "127.0.0.1:0"], &[]);
    assert!(!out.status.success());
    // Nor without a reason (authorised exports): the desk lets personal data out.
    let out = orderdesk(&db, &["serve", "--listen", "127.0.0.1:0"], &pass);
    assert_eq!(out.status.code(), Some(2));
    let server = Server::start_env(
        &db,
        &["--listen", "127.0.0.1:0", "--reason", "production planning"],
        &pass,
    );
    let mut b = Browser::new(&server);
    assert_eq!(b.login("boss", MANAGER_PW).status, 303);
    let page = b.get(&format!("/orders/{order_no}"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains(PHONE));
}
