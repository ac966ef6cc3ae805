//! Sending a drafted message by e-mail: the `[smtp]` section of config.toml, the SMTP
//! password (from `ORDERDESK_SMTP_PASSWORD`, else asked once and kept in memory only, wiped
//! when dropped, never written anywhere), building the MIME message (UTF-8 body, RFC 2047
//! subject) and handing it to the server with `lettre` over rustls.
//!
//! Every failure is one `MailError` that says in the clerk's language what went wrong;
//! the callers log a contact only after `send` returned `Ok`.

use crate::i18n::{t, tf};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls as LettreTls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use serde::Deserialize;
use std::sync::Mutex;
use std::time::Duration;
use zeroize::Zeroizing;

#[cfg(test)]
pub mod test_server;

/// The environment variable that holds the SMTP password, for scripts.
pub const PASSWORD_ENV: &str = "ORDERDESK_SMTP_PASSWORD";

/// How long one step of talking to the server may take before it counts as unreachable.
const TIMEOUT: Duration = Duration::from_secs(30);

/// How the connection to the server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Tls {
    /// Plain connection upgraded with STARTTLS, which the server must offer (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or a test server.
    None,
}

impl Tls {
    fn default_port(self) -> u16 {
        match self {
            Tls::Starttls => 587,
            Tls::Tls => 465,
            Tls::None => 25,
        }
    }
}

/// `[smtp]` in config.toml.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    /// Default: 587 for starttls, 465 for tls, 25 for none.
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: Tls,
    /// The login; without it the server is used without logging in.
    pub user: Option<String>,
    /// The sender, e.g. `Li Hua <lihua@example.com>`.
    pub from: String,
    /// A copy of every message to the clerk.
    pub cc: Option<String>,
}

impl SmtpConfig {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or_else(|| self.tls.default_port())
    }

    /// Whether sending needs a password: when there is a login.
    pub fn needs_password(&self) -> bool {
        self.user.as_deref().is_some_and(|u| !u.trim().is_empty())
    }
}

/// Why a message was not sent; displayed as one line in the clerk's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailError {
    /// No `[smtp]` section in config.toml.
    NotConfigured,
    /// The customer has no e-mail address and none was typed.
    NoAddress,
    /// The recipient typed is not an address.
    BadAddress(String),
    /// `from` or `cc` in `[smtp]` is not an address.
    BadConfig(String),
    /// The password is needed and cannot be asked (no terminal).
    NoPassword,
    /// The server refused the login.
    Login(String),
    /// No secure connection could be made.
    Tls(String),
    /// The server cannot be reached.
    Connect(String),
    /// The server refused the recipient.
    Rejected(String),
    /// Anything else the server or the connection said.
    Failed(String),
}

impl std::fmt::Display for MailError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            MailError::NotConfigured => t("mail.err_not_configured").to_string(),
            MailError::NoAddress => t("mail.err_no_address").to_string(),
            MailError::BadAddress(a) => tf("mail.err_bad_address", &[("address", &shown(a))]),
            MailError::BadConfig(a) => tf("mail.err_bad_config", &[("address", &shown(a))]),
            MailError::NoPassword => tf("mail.err_no_password", &[("env", &PASSWORD_ENV)]),
            MailError::Login(d) => tf("mail.err_login", &[("detail", &shown(d))]),
            MailError::Tls(d) => tf("mail.err_tls", &[("detail", &shown(d))]),
            MailError::Connect(d) => tf("mail.err_connect", &[("detail", &shown(d))]),
            MailError::Rejected(a) => tf("mail.err_rejected", &[("detail", &shown(a))]),
            MailError::Failed(d) => tf("mail.err_failed", &[("detail", &shown(d))]),
        };
        f.write_str(&text)
    }
}

impl std::error::Error for MailError {}

fn shown(s: &str) -> String {
    crate::domain::text::shown(s).into_owned()
}

/// A message ready to go: who to, what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub to: String,
    pub subject: String,
    pub body: String,
}

fn mailbox(text: &str, bad: impl Fn(String) -> MailError) -> Result<Mailbox, MailError> {
    text.trim()
        .parse::<Mailbox>()
        .map_err(|_| bad(text.trim().to_string()))
}

/// The MIME message: From and Cc from `[smtp]`, a UTF-8 plain-text body; lettre encodes a
/// non-ASCII subject per RFC 2047 and picks the body's transfer encoding.
pub fn build(config: &SmtpConfig, out: &Outgoing) -> Result<Message, MailError> {
    if out.to.trim().is_empty() {
        return Err(MailError::NoAddress);
    }
    let to = mailbox(&out.to, MailError::BadAddress)?;
    let from = mailbox(&config.from, MailError::BadConfig)?;
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(out.subject.clone())
        .header(ContentType::TEXT_PLAIN);
    if let Some(cc) = config.cc.as_deref().filter(|c| !c.trim().is_empty()) {
        builder = builder.cc(mailbox(cc, MailError::BadConfig)?);
    }
    builder
        .body(out.body.clone())
        .map_err(|e| MailError::Failed(e.to_string()))
}

/// The message as people read it, for `send --dry-run`: the headers that matter and the
/// body, each made harmless for a terminal.
pub fn preview(config: Option<&SmtpConfig>, out: &Outgoing) -> Result<String, MailError> {
    // Building it checks every address as sending would; without `[smtp]` only the recipient.
    match config {
        Some(c) => drop(build(c, out)?),
        None if out.to.trim().is_empty() => return Err(MailError::NoAddress),
        None => drop(mailbox(&out.to, MailError::BadAddress)?),
    }
    let mut text = String::new();
    if let Some(c) = config {
        text.push_str(&format!("From: {}\n", shown(c.from.trim())));
    }
    text.push_str(&format!("To: {}\n", shown(out.to.trim())));
    if let Some(cc) = config
        .and_then(|c| c.cc.as_deref())
        .filter(|c| !c.trim().is_empty())
    {
        text.push_str(&format!("Cc: {}\n", shown(cc.trim())));
    }
    text.push_str(&format!("Subject: {}\n\n", shown(&out.subject)));
    text.push_str(&crate::domain::text::shown_lines(&out.body));
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

fn transport(config: &SmtpConfig, password: Option<&str>) -> Result<SmtpTransport, MailError> {
    let tls = match config.tls {
        Tls::None => LettreTls::None,
        Tls::Starttls | Tls::Tls => {
            let params =
                TlsParameters::new(config.host.clone()).map_err(|e| MailError::Tls(detail(&e)))?;
            if config.tls == Tls::Tls {
                LettreTls::Wrapper(params)
            } else {
                LettreTls::Required(params)
            }
        }
    };
    let mut builder = SmtpTransport::builder_dangerous(config.host.clone())
        .port(config.port())
        .tls(tls)
        .timeout(Some(TIMEOUT));
    if let Some(user) = config.user.as_deref().filter(|u| !u.trim().is_empty()) {
        let password = password.ok_or(MailError::NoPassword)?;
        builder = builder.credentials(Credentials::new(user.to_string(), password.to_string()));
    }
    Ok(builder.build())
}

/// The error's own words and those of its causes, on one line.
fn detail(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text.replace(['\r', '\n'], " ")
}

/// Whether the error is the TLS layer's: lettre's own TLS errors, and the handshake's, which
/// rustls reports inside an I/O error of kind `InvalidData` (e.g. a plain server on a TLS port).
fn is_tls(config: &SmtpConfig, e: &lettre::transport::smtp::Error) -> bool {
    if e.is_tls() {
        return true;
    }
    // Required STARTTLS that the server does not offer is a client error naming it.
    if config.tls == Tls::Starttls && e.is_client() && e.to_string().contains("STARTTLS") {
        return true;
    }
    if config.tls == Tls::None {
        return false;
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::InvalidData {
                return true;
            }
        }
        source = s.source();
    }
    false
}

/// Sorts an error met while connecting and logging in.
fn connect_error(config: &SmtpConfig, e: lettre::transport::smtp::Error) -> MailError {
    if is_tls(config, &e) {
        MailError::Tls(detail(&e))
    } else if e.is_permanent() || e.is_transient() || e.is_client() {
        // The only commands before MAIL are EHLO, STARTTLS and AUTH; a refusal there (or
        // no login mechanism offered) is the login's.
        MailError::Login(detail(&e))
    } else {
        MailError::Connect(format!("{}:{}: {}", config.host, config.port(), detail(&e)))
    }
}

/// Sends the message; `password` is needed when `[smtp]` has a `user`. A first connection
/// checks the way in (TLS, login), so that a refusal afterwards is the message's.
pub fn send(config: &SmtpConfig, password: Option<&str>, out: &Outgoing) -> Result<(), MailError> {
    let message = build(config, out)?;
    let transport = transport(config, password)?;
    transport
        .test_connection()
        .map_err(|e| connect_error(config, e))?;
    match transport.send(&message) {
        Ok(_) => Ok(()),
        Err(e) if is_tls(config, &e) => Err(MailError::Tls(detail(&e))),
        Err(e) if e.is_permanent() => {
            let code = e.status().map(|c| c.to_string()).unwrap_or_default();
            // 550/551/553: no such mailbox, not local, name not allowed (RFC 5321 4.2.3).
            if ["550", "551", "553"].contains(&code.as_str()) {
                Err(MailError::Rejected(format!(
                    "{} ({})",
                    out.to.trim(),
                    detail(&e)
                )))
            } else {
                Err(MailError::Failed(detail(&e)))
            }
        }
        Err(e) => Err(MailError::Failed(detail(&e))),
    }
}

/// The SMTP password of this session, kept in memory only and wiped when replaced.
static PASSWORD: Mutex<Option<Zeroizing<String>>> = Mutex::new(None);

/// The password from `ORDERDESK_SMTP_PASSWORD`, else the one typed earlier in this session.
pub fn known_password() -> Option<Zeroizing<String>> {
    if let Some(p) = std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty()) {
        return Some(Zeroizing::new(p));
    }
    // A poisoned lock only means another thread panicked while holding it; the value is
    // still a plain Option.
    let guard = PASSWORD.lock().unwrap_or_else(|e| e.into_inner());
    guard.clone()
}

/// Keeps a typed password for the rest of the session.
pub fn remember_password(password: Zeroizing<String>) {
    let mut guard = PASSWORD.lock().unwrap_or_else(|e| e.into_inner());
    *guard = Some(password);
}

/// Forgets the typed password (after the server refused it).
pub fn forget_password() {
    let mut guard = PASSWORD.lock().unwrap_or_else(|e| e.into_inner());
    *guard = None;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: None,
            tls: Tls::Starttls,
            user: None,
            from: "Li Hua <lihua@example.com>".into(),
            cc: Some("desk@example.com".into()),
        }
    }

    #[test]
    fn a_chinese_subject_is_encoded_and_the_body_is_utf8() {
        let out = Outgoing {
            to: "wang@example.cn".into(),
            subject: "订单 SO-1 已发货".into(),
            body: "王经理您好：\n货已发出。\n".into(),
        };
        let raw = String::from_utf8(build(&config(), &out).unwrap().formatted()).unwrap();
        let subject = raw.lines().find(|l| l.starts_with("Subject:")).unwrap();
        assert!(subject.contains("=?utf-8?b?"), "{subject}");
        assert!(raw.contains("charset=utf-8"), "{raw}");
        assert!(raw.contains("Cc: desk@example.com"), "{raw}");
        assert!(!raw.contains("订单"), "nothing raw on the wire: {raw}");
    }

    #[test]
    fn addresses_are_checked_before_anything_is_sent() {
        let mut out = Outgoing {
            to: "  ".into(),
            subject: "s".into(),
            body: "b".into(),
        };
        assert_eq!(build(&config(), &out).unwrap_err(), MailError::NoAddress);
        out.to = "not an address".into();
        assert!(matches!(
            build(&config(), &out),
            Err(MailError::BadAddress(_))
        ));
        let mut c = config();
        c.from = "nobody".into();
        out.to = "a@b.cn".into();
        assert!(matches!(build(&c, &out), Err(MailError::BadConfig(_))));
    }

    #[test]
    fn the_preview_shows_control_characters_harmlessly() {
        let out = Outgoing {
            to: "a@b.cn".into(),
            subject: "x\u{1b}[2J".into(),
            body: "line\u{1b}\nnext\n".into(),
        };
        let text = preview(Some(&config()), &out).unwrap();
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("Subject: x␛[2J"), "{text}");
        assert!(
            text.contains("To: a@b.cn\nCc: desk@example.com\n"),
            "{text}"
        );
    }

    #[test]
    fn the_section_parses_with_defaults_and_refuses_unknown_keys() {
        let c: SmtpConfig =
            toml::from_str("host = \"smtp.example.com\"\nfrom = \"a@b.cn\"\ntls = \"tls\"")
                .unwrap();
        assert_eq!(c.port(), 465);
        assert!(!c.needs_password());
        assert!(
            toml::from_str::<SmtpConfig>("host = \"h\"\nfrom = \"a@b.cn\"\npassword = \"x\"")
                .is_err()
        );
        assert!(
            toml::from_str::<SmtpConfig>("host = \"h\"\nfrom = \"a@b.cn\"\ntls = \"ssl\"").is_err()
        );
    }
}
