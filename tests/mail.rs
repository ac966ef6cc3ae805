//! `orderdesk send` through the real binary, against a real SMTP server on 127.0.0.1 started
//! by the test: what arrives (To, the decoded Chinese subject, the body), the contact row
//! and audit entry it leaves, and that every failure and `--dry-run` log nothing.

mod common;
#[path = "../src/mail/test_server.rs"]
mod test_server;

use common::{demo_db, orderdesk};
use rusqlite::Connection;
use std::path::PathBuf;
use std::process::Output;
use test_server::{Rules, TestServer};

const USER: &str = "desk@example.com";
const PASSWORD: &str = "s3cret 口令";

struct Desk {
    _dir: tempfile::TempDir,
    db: PathBuf,
    config: PathBuf,
    order_no: String,
}

/// A demo desk whose shipped order belongs to a Chinese customer at `wang@example.cn`.
fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 40, 7);
    let conn = Connection::open(&db).unwrap();
    let (order_no, customer): (String, i64) = conn
        .query_row(
            "SELECT o.order_no, o.customer_id FROM orders o
             WHERE EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id)
               AND o.customer_id IS NOT NULL
             ORDER BY o.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    conn.execute(
        "UPDATE customers SET language = 'zh', email = 'wang@example.cn',
                              contact_person = '王经理', preferred_channel = 'phone'
         WHERE id = ?1",
        [customer],
    )
    .unwrap();
    let config = dir.path().join("config.toml");
    Desk {
        _dir: dir,
        db,
        config,
        order_no,
    }
}

impl Desk {
    fn configure(&self, port: u16, tls: &str) {
        std::fs::write(
            &self.config,
            format!(
                "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"{tls}\"\nuser = \"{USER}\"\n\
                 from = \"Li Hua <lihua@example.com>\"\ncc = \"desk@example.com\"\n"
            ),
        )
        .unwrap();
    }

    fn send(&self, password: &str, extra: &[&str]) -> Output {
        let mut cmd = orderdesk(&self.db);
        cmd.env("ORDERDESK_CONFIG", &self.config)
            .env("ORDERDESK_SMTP_PASSWORD", password)
            .args(["send", &self.order_no, "--kind", "shipping_notice"])
            .args(extra);
        cmd.output().unwrap()
    }

    /// (channel, template, summary) of the outbound contacts.
    fn outbound(&self) -> Vec<(String, String, String)> {
        let conn = Connection::open(&self.db).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT channel, ifnull(template,''), ifnull(summary,'') FROM contacts
                 WHERE direction = 'out' AND template IS NOT NULL ORDER BY id",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn audited(&self) -> i64 {
        let conn = Connection::open(&self.db).unwrap();
        conn.query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'message_sent'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn server() -> TestServer {
    TestServer::start(Rules {
        login: Some((USER.into(), PASSWORD.into())),
        refuse: vec!["nobody@example.cn".into()],
    })
}

#[test]
fn send_delivers_the_chinese_message_and_logs_one_email_contact() {
    let desk = desk();
    let server = server();
    desk.configure(server.port, "none");
    let before = desk.outbound().len();
    let out = desk.send(PASSWORD, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("sent to wang@example.cn"),
        "{}",
        stderr(&out)
    );
    let got = server.wait_for(1);
    assert_eq!(got.len(), 1);
    let mail = &got[0];
    assert_eq!(mail.from, "lihua@example.com");
    assert_eq!(mail.to, vec!["wang@example.cn", "desk@example.com"]);
    let parsed = mail_parser::MessageParser::default()
        .parse(&mail.data)
        .expect("a MIME message");
    let to = parsed
        .to()
        .and_then(|a| a.first())
        .and_then(|a| a.address());
    assert_eq!(to, Some("wang@example.cn"));
    let subject = parsed.subject().unwrap_or_default();
    assert!(
        subject.starts_with(&format!("订单 {} 已发货", desk.order_no)),
        "{subject}"
    );
    // On the wire the subject is RFC 2047 words, never raw UTF-8.
    let raw = String::from_utf8_lossy(&mail.data);
    let raw_subject = raw.lines().find(|l| l.starts_with("Subject:")).unwrap();
    assert!(raw_subject.contains("=?utf-8?"), "{raw_subject}");
    let body = parsed.body_text(0).unwrap_or_default();
    assert!(body.contains("王经理"), "{body}");
    assert!(body.contains(&desk.order_no), "{body}");
    let logged = desk.outbound();
    assert_eq!(logged.len(), before + 1);
    let last = logged.last().unwrap();
    assert_eq!(
        last.0, "email",
        "sent mail is an e-mail contact, whatever is preferred"
    );
    assert_eq!(last.1, "shipping_notice");
    assert!(last.2.contains(&desk.order_no), "{}", last.2);
    assert_eq!(desk.audited(), 1);
}

#[test]
fn a_refused_login_a_refused_recipient_or_tls_log_nothing() {
    let desk = desk();
    let server = server();
    desk.configure(server.port, "none");
    let before = desk.outbound();

    let out = desk.send("wrong", &[]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("refused the login"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let out = desk.send(PASSWORD, &["--to", "nobody@example.cn"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("refused the recipient nobody@example.cn"),
        "{err}"
    );

    // TLS from the first byte against a server that speaks plain SMTP.
    desk.configure(server.port, "tls");
    let out = desk.send(PASSWORD, &[]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("no secure connection"), "{err}");
    // STARTTLS required, and the server does not offer it.
    desk.configure(server.port, "starttls");
    let out = desk.send(PASSWORD, &[]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("no secure connection"), "{err}");

    assert!(server.received().is_empty());
    assert_eq!(desk.outbound(), before);
    assert_eq!(desk.audited(), 0);
}

#[test]
fn dry_run_prints_the_message_and_sends_and_logs_nothing() {
    let desk = desk();
    let server = server();
    desk.configure(server.port, "none");
    let before = desk.outbound();
    let out = desk.send(PASSWORD, &["--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("To: wang@example.cn\n"), "{text}");
    assert!(
        text.contains(&format!("Subject: 订单 {} 已发货", desk.order_no)),
        "{text}"
    );
    assert!(text.contains("王经理"), "{text}");
    assert!(server.received().is_empty());
    assert_eq!(desk.outbound(), before);
}

#[test]
fn without_smtp_or_an_address_or_a_known_kind_nothing_is_sent() {
    let desk = desk();
    let before = desk.outbound();
    // No config file: [smtp] is missing.
    let out = orderdesk(&desk.db)
        .args(["send", &desk.order_no, "--kind", "order_confirmation"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("[smtp]"), "{}", stderr(&out));

    let server = server();
    desk.configure(server.port, "none");
    let conn = Connection::open(&desk.db).unwrap();
    conn.execute("UPDATE customers SET email = NULL", [])
        .unwrap();
    let out = desk.send(PASSWORD, &[]);
    assert!(
        stderr(&out).contains("no e-mail address"),
        "{}",
        stderr(&out)
    );
    let out = orderdesk(&desk.db)
        .env("ORDERDESK_CONFIG", &desk.config)
        .args(["send", &desk.order_no, "--kind", "shipping"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("shipping_notice"), "{}", stderr(&out));
    assert!(server.received().is_empty());
    assert_eq!(desk.outbound(), before);
    assert_eq!(desk.audited(), 0);
}
