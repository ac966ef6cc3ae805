//! A real SMTP server on 127.0.0.1 for the tests: the `mailin` state machine behind a small
//! blocking TCP loop, one thread per connection. It can require a login (AUTH PLAIN/LOGIN
//! over the plain connection) and refuse chosen recipients, and keeps what it received.
//! Used by the lib tests and, through `#[path]`, by `tests/mail.rs`.

use mailin::response::{AUTH_OK, INVALID_CREDENTIALS, NO_MAILBOX, OK};
use mailin::{Action, AuthMechanism, Handler, Response, SessionBuilder};
use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One message as the server took it.
#[derive(Debug, Clone, Default)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent, headers and body, CRLF line ends.
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// When set, a login with this user and password is required.
    pub login: Option<(String, String)>,
    /// Recipients refused with 550.
    pub refuse: Vec<String>,
}

#[derive(Clone)]
struct Session {
    rules: Arc<Rules>,
    store: Arc<Mutex<Vec<Received>>>,
    current: Received,
}

impl Handler for Session {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, from: &str) -> Response {
        self.current = Received {
            from: from.to_string(),
            ..Received::default()
        };
        OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        if self.rules.refuse.iter().any(|r| r == to) {
            return NO_MAILBOX;
        }
        self.current.to.push(to.to_string());
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let done = std::mem::take(&mut self.current);
        self.store
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(done);
        OK
    }

    fn auth_plain(&mut self, _authz: &str, user: &str, password: &str) -> Response {
        self.check(user, password)
    }

    fn auth_login(&mut self, user: &str, password: &str) -> Response {
        self.check(user, password)
    }
}

impl Session {
    fn check(&self, user: &str, password: &str) -> Response {
        match &self.rules.login {
            Some((u, p)) if u == user && p == password => AUTH_OK,
            _ => INVALID_CREDENTIALS,
        }
    }
}

pub struct TestServer {
    pub port: u16,
    store: Arc<Mutex<Vec<Received>>>,
}

impl TestServer {
    /// Listens on a free port of 127.0.0.1 until the test process ends.
    pub fn start(rules: Rules) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding 127.0.0.1:0");
        let port = listener.local_addr().expect("local address").port();
        let store = Arc::new(Mutex::new(Vec::new()));
        let rules = Arc::new(rules);
        let shared = Arc::clone(&store);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let session = Session {
                    rules: Arc::clone(&rules),
                    store: Arc::clone(&shared),
                    current: Received::default(),
                };
                std::thread::spawn(move || {
                    let _ = serve(stream, session);
                });
            }
        });
        TestServer { port, store }
    }

    pub fn received(&self) -> Vec<Received> {
        self.store.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits (polling, at most 10 s) until `n` messages are in.
    pub fn wait_for(&self, n: usize) -> Vec<Received> {
        let end = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.received();
            if got.len() >= n || Instant::now() > end {
                return got;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn serve(stream: TcpStream, handler: Session) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    let peer = stream.peer_addr()?.ip();
    let mut builder = SessionBuilder::new("orderdesk-test");
    if handler.rules.login.is_some() {
        builder
            .enable_auth(AuthMechanism::Plain)
            .enable_auth(AuthMechanism::Login)
            .insecure_enable_plaintext_auth();
    }
    let mut session = builder.build(peer, handler);
    let mut out = stream.try_clone()?;
    session.greeting().write_to(&mut out)?;
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let response = session.process(&line);
        match response.action {
            Action::Reply => response.write_to(&mut out)?,
            Action::Close => {
                response.write_to(&mut out)?;
                return out.flush();
            }
            Action::NoReply => {}
            Action::UpgradeTls => return Ok(()),
        }
        out.flush()?;
    }
}
