//! Off-site backups against real servers on 127.0.0.1: moto in server mode for S3 and wsgidav
//! for WebDAV, which `.ci/run` installs, starts and names in `ORDERDESK_S3_TEST_ENDPOINT`,
//! `ORDERDESK_WEBDAV_TEST_URL`, `ORDERDESK_WEBDAV_TEST_USER` and
//! `ORDERDESK_WEBDAV_TEST_PASSWORD`. Under a plain `cargo test` they are ignored (they need
//! the servers); `.ci/run` runs them with `--ignored`, where a missing server fails them.
//!
//! The servers are looked at directly over HTTP (S3's listing, WebDAV's GET), never through
//! the code under test.

mod common;

use common::*;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const PASS: &str = "correct horse battery";
const SQLITE_HEADER: &[u8] = b"SQLite format 3\0";

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run these tests through .ci/run, which starts the servers")
    })
}

fn s3_endpoint() -> String {
    env("ORDERDESK_S3_TEST_ENDPOINT")
}

/// `http://127.0.0.1:PORT` of the WebDAV server, and its user and password.
fn webdav() -> (String, String, String) {
    (
        env("ORDERDESK_WEBDAV_TEST_URL")
            .trim_end_matches('/')
            .to_string(),
        env("ORDERDESK_WEBDAV_TEST_USER"),
        env("ORDERDESK_WEBDAV_TEST_PASSWORD"),
    )
}

/// A name no other test (or earlier run) uses.
fn unique(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}-{}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        nanos % 1_000_000_000
    )
}

/// The binary with the servers' credentials (and no terminal to ask for anything).
fn od(db: &Path) -> Command {
    let mut c = orderdesk(db);
    c.stdin(std::process::Stdio::null());
    c.env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", s3_endpoint())
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY");
    if let Ok(url) = std::env::var("ORDERDESK_WEBDAV_TEST_URL") {
        let _ = url;
        let (_, user, password) = webdav();
        c.env("ORDERDESK_WEBDAV_USER", user)
            .env("ORDERDESK_WEBDAV_PASSWORD", password);
    }
    c
}

fn with_pass(db: &Path, pass: &str) -> Command {
    let mut c = od(db);
    c.env("ORDERDESK_PASSPHRASE", pass);
    c
}

/// A demo desk of 150 orders encrypted with `pass`.
fn encrypted_desk(dir: &Path, name: &str, pass: &str) -> PathBuf {
    let db = dir.join(name);
    run_ok(od(&db).args(["demo", "--orders", "150", "--seed", "7"]));
    run_ok(with_pass(&db, pass).arg("encrypt"));
    db
}

/// What the desk holds, as `export` writes it (orders and customers, unmasked).
fn exports(db: &Path, pass: &str) -> Vec<Vec<u8>> {
    ["orders", "customers", "complaints"]
        .iter()
        .map(|kind| {
            run_ok(with_pass(db, pass).args([
                "export",
                kind,
                "--include-pii",
                "--reason",
                "off-site test",
                "--no-bom",
            ]))
            .stdout
        })
        .collect()
}

/// A failed run: non-zero, no panic, and the error in one line (after what was done before
/// it, such as the local backup); that line.
fn fails(out: Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "should fail: {err}");
    assert!(!err.contains("panicked"), "{err}");
    let errors: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("orderdesk: "))
        .collect();
    assert_eq!(errors.len(), 1, "one error line: {err}");
    assert_eq!(err.trim_end().lines().last(), Some(errors[0]), "{err}");
    errors[0].to_string()
}

/// The bytes of an S3 object. moto answers an unsigned GET of an object with 403, so it is
/// fetched through the library (only the listing above is looked at independently).
fn s3_object(bucket: &str, key: &str) -> Vec<u8> {
    static ENV: std::sync::Once = std::sync::Once::new();
    ENV.call_once(|| {
        for (k, v) in [
            ("AWS_ACCESS_KEY_ID", "testing".to_string()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
            ("AWS_REGION", "us-east-1".to_string()),
            ("AWS_ENDPOINT_URL", s3_endpoint()),
        ] {
            std::env::set_var(k, v);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("object");
    let remote = orderdesk::io::offsite::Remote::parse(&format!("s3://{bucket}/{key}")).unwrap();
    orderdesk::io::offsite::fetch(&remote, None, "unused", &to).unwrap();
    std::fs::read(&to).unwrap()
}

fn http_status(e: &ureq::Error) -> Option<u16> {
    match e {
        ureq::Error::StatusCode(code) => Some(*code),
        _ => None,
    }
}

fn get(url: &str, auth: Option<(&str, &str)>) -> Option<Vec<u8>> {
    let mut req = ureq::get(url);
    if let Some((user, password)) = auth {
        use base64::Engine;
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        req = req.header("Authorization", format!("Basic {token}"));
    }
    match req.call() {
        Ok(mut r) => Some(
            r.body_mut()
                .with_config()
                .limit(256 << 20)
                .read_to_vec()
                .expect("the body"),
        ),
        Err(e) if http_status(&e) == Some(404) => None,
        Err(e) => panic!("GET {url}: {e}"),
    }
}

fn put(url: &str, body: &[u8], auth: Option<(&str, &str)>) {
    let mut req = ureq::put(url);
    if let Some((user, password)) = auth {
        use base64::Engine;
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        req = req.header("Authorization", format!("Basic {token}"));
    }
    req.send(body).unwrap_or_else(|e| panic!("PUT {url}: {e}"));
}

/// A new bucket on the S3 server (moto takes unsigned requests).
fn bucket() -> String {
    let name = unique("od").to_lowercase();
    put(&format!("{}/{name}", s3_endpoint()), b"", None);
    name
}

/// The keys in `bucket` under `prefix`, from S3's own listing.
fn s3_keys(bucket: &str, prefix: &str) -> Vec<String> {
    let xml = get(
        &format!("{}/{bucket}?list-type=2&prefix={prefix}", s3_endpoint()),
        None,
    )
    .expect("the bucket exists");
    let xml = String::from_utf8(xml).unwrap();
    let mut keys: Vec<String> = xml
        .split("<Key>")
        .skip(1)
        .filter_map(|part| part.split("</Key>").next())
        .map(str::to_string)
        .collect();
    keys.sort();
    keys
}

fn backup_names(keys: &[String], prefix: &str, stem: &str) -> Vec<String> {
    keys.iter()
        .filter_map(|k| k.strip_prefix(prefix))
        .filter(|n| n.starts_with(&format!("{stem}-")) && n.ends_with(".db"))
        .map(str::to_string)
        .collect()
}

/// The names of a WebDAV folder, from the server's own HTML listing.
fn webdav_names(folder: &str) -> Vec<String> {
    let (url, user, password) = webdav();
    let Some(html) = get(&format!("{url}/{folder}/"), Some((&user, &password))) else {
        return Vec::new();
    };
    let html = String::from_utf8_lossy(&html).into_owned();
    let mut names: Vec<String> = html
        .split("href=\"")
        .skip(1)
        .filter_map(|part| part.split('"').next())
        .filter_map(|href| href.trim_end_matches('/').rsplit('/').next())
        .filter(|n| n.ends_with(".db") || n.ends_with(".partial"))
        .map(str::to_string)
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
#[ignore = "needs the S3 server that .ci/run starts (ORDERDESK_S3_TEST_ENDPOINT)"]
fn s3_backup_is_listed_encrypted_and_restores_to_the_same_export() {
    let dir = tempfile::tempdir().unwrap();
    let db = encrypted_desk(dir.path(), "desk.db", PASS);
    let before = exports(&db, PASS);
    let bucket = bucket();
    let url = format!("s3://{bucket}/lihua/desk");
    let out = run_ok(with_pass(&db, PASS).args(["backup", "--to", &url]));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("off-site copy"), "{said}");

    let keys = s3_keys(&bucket, "lihua/desk/");
    let names = backup_names(&keys, "lihua/desk/", "desk");
    assert_eq!(names.len(), 1, "{keys:?}");
    let object = s3_object(&bucket, &format!("lihua/desk/{}", names[0]));
    assert!(object.len() > 4096);
    assert!(
        !object.starts_with(SQLITE_HEADER),
        "never plaintext off-site"
    );
    assert!(
        !object.windows(8).any(|w| w == b"SO-20"),
        "no order number readable"
    );

    // Restored into a new file on another machine: the newest backup in the folder.
    let elsewhere = dir.path().join("elsewhere.db");
    run_ok(with_pass(&elsewhere, PASS).args(["restore", &url]));
    assert_eq!(exports(&elsewhere, PASS), before);
    // Over the desk itself (authorised with a reason), named by its object.
    let named = format!("{url}/{}", names[0]);
    run_ok(with_pass(&db, PASS).args(["restore", &named, "--reason", "disk replaced"]));
    assert_eq!(exports(&db, PASS), before);
    let check = run_ok(with_pass(&db, PASS).arg("check"));
    assert!(String::from_utf8_lossy(&check.stdout).contains("intact"));
    assert!(!dir.path().join("desk.db.fetching").exists());
}

#[test]
#[ignore = "needs the WebDAV server that .ci/run starts (ORDERDESK_WEBDAV_TEST_URL)"]
fn webdav_backup_is_listed_encrypted_and_restores_to_the_same_export() {
    let dir = tempfile::tempdir().unwrap();
    let db = encrypted_desk(dir.path(), "desk.db", PASS);
    let before = exports(&db, PASS);
    let (base, user, password) = webdav();
    let folder = unique("dav");
    let url = format!("{}/{folder}", base.replacen("http://", "webdav://", 1));
    run_ok(with_pass(&db, PASS).args(["backup", "--to", &url]));
    let names = webdav_names(&folder);
    assert_eq!(
        names.len(),
        1,
        "one backup, no temporary object left: {names:?}"
    );
    assert!(names[0].starts_with("desk-") && names[0].ends_with(".db"));
    let object = get(
        &format!("{base}/{folder}/{}", names[0]),
        Some((&user, &password)),
    )
    .unwrap();
    assert!(
        !object.starts_with(SQLITE_HEADER),
        "never plaintext off-site"
    );

    let elsewhere = dir.path().join("elsewhere.db");
    run_ok(with_pass(&elsewhere, PASS).args(["restore", &url]));
    assert_eq!(exports(&elsewhere, PASS), before);
}

#[test]
#[ignore = "needs the S3 and WebDAV servers that .ci/run starts"]
fn a_plaintext_desk_stays_home_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), 30, 3);
    let bucket = bucket();
    let url = format!("s3://{bucket}/plain");
    let err = fails(od(&db).args(["backup", "--to", &url]).output().unwrap());
    assert!(err.contains("orderdesk encrypt"), "{err}");
    assert!(s3_keys(&bucket, "").is_empty(), "nothing left the machine");
    assert!(
        !dir.path().join("backups").exists(),
        "refused before anything was written"
    );

    let out = run_ok(od(&db).args(["backup", "--to", &url, "--allow-plaintext"]));
    assert!(String::from_utf8_lossy(&out.stderr).contains("off-site copy"));
    let keys = s3_keys(&bucket, "plain/");
    assert_eq!(backup_names(&keys, "plain/", "demo").len(), 1, "{keys:?}");
}

#[test]
#[ignore = "needs the S3 and WebDAV servers that .ci/run starts"]
fn a_server_that_refuses_is_one_line_and_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let db = encrypted_desk(dir.path(), "desk.db", PASS);
    let (base, _, _) = webdav();
    let url = format!(
        "{}/{}",
        base.replacen("http://", "webdav://", 1),
        unique("no")
    );
    let err = fails(
        with_pass(&db, PASS)
            .env("ORDERDESK_WEBDAV_PASSWORD", "not the password")
            .args(["backup", "--to", &url])
            .output()
            .unwrap(),
    );
    assert!(err.contains("refused"), "{err}");
    assert!(!err.contains("not the password"), "{err}");

    let err = fails(
        with_pass(&db, PASS)
            .env_remove("ORDERDESK_WEBDAV_PASSWORD")
            .env_remove("ORDERDESK_WEBDAV_USER")
            .args(["backup", "--to", &url])
            .output()
            .unwrap(),
    );
    assert!(err.contains("ORDERDESK_WEBDAV_USER"), "{err}");

    let missing = format!("s3://{}/x", unique("no-such-bucket").to_lowercase());
    let err = fails(
        with_pass(&db, PASS)
            .args(["backup", "--to", &missing])
            .output()
            .unwrap(),
    );
    assert!(err.contains(&missing), "{err}");

    let err = fails(
        with_pass(&db, PASS)
            .args(["backup", "--to", "webdav://li:pw@127.0.0.1:9/x"])
            .output()
            .unwrap(),
    );
    assert!(
        err.contains("ORDERDESK_WEBDAV_PASSWORD") && !err.contains(":pw@"),
        "{err}"
    );
}

/// A proxy to `target` that passes at most `budget` bytes from the client to the server in
/// all, then closes both connections: a server dying in the middle of an upload.
fn dying_proxy(target: String, budget: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let left = std::sync::Arc::new(AtomicUsize::new(budget));
        for client in listener.incoming() {
            let Ok(client) = client else { return };
            let Ok(server) = TcpStream::connect(&target) else {
                return;
            };
            let (mut c_read, mut s_write) =
                (client.try_clone().unwrap(), server.try_clone().unwrap());
            let (mut s_read, mut c_write) = (server, client);
            let left = left.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                loop {
                    let n = match c_read.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    let allowed = left
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |l| {
                            Some(l.saturating_sub(n))
                        })
                        .unwrap_or(0)
                        .min(n);
                    if s_write.write_all(&buf[..allowed]).is_err() || allowed < n {
                        break;
                    }
                }
                let _ = s_write.shutdown(Shutdown::Both);
                let _ = c_read.shutdown(Shutdown::Both);
            });
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut s_read, &mut c_write);
                let _ = c_write.shutdown(Shutdown::Both);
            });
        }
    });
    port
}

fn host_port(url: &str) -> String {
    url.trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string()
}

#[test]
#[ignore = "needs the S3 and WebDAV servers that .ci/run starts"]
fn a_server_dying_mid_upload_leaves_no_backup_and_the_desk_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = encrypted_desk(dir.path(), "desk.db", PASS);
    let before = exports(&db, PASS);
    let size = std::fs::metadata(&db).unwrap().len() as usize;
    assert!(
        size > 200_000,
        "the upload is long enough to be cut: {size}"
    );

    // WebDAV: the folder is made and the upload begins, then the server is gone.
    let (base, _, _) = webdav();
    let folder = unique("dying");
    let port = dying_proxy(host_port(&base), 64 * 1024);
    let url = format!("webdav://127.0.0.1:{port}/{folder}");
    let err = fails(
        with_pass(&db, PASS)
            .args(["backup", "--to", &url])
            .output()
            .unwrap(),
    );
    assert!(err.contains(&url), "{err}");
    let names = webdav_names(&folder);
    assert!(
        !names.iter().any(|n| n.starts_with("desk-")),
        "nothing under a backup's name: {names:?}"
    );

    // S3: the PUT is cut short; the server keeps nothing.
    let bucket = bucket();
    let port = dying_proxy(host_port(&s3_endpoint()), 64 * 1024);
    let err = fails(
        with_pass(&db, PASS)
            .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
            .args(["backup", "--to", &format!("s3://{bucket}/cut")])
            .output()
            .unwrap(),
    );
    assert!(err.contains("s3://"), "{err}");
    assert!(
        s3_keys(&bucket, "").is_empty(),
        "{:?}",
        s3_keys(&bucket, "")
    );

    assert_eq!(exports(&db, PASS), before, "the desk is as it was");
    let check = run_ok(with_pass(&db, PASS).arg("check"));
    assert!(String::from_utf8_lossy(&check.stdout).contains("intact"));

    // The next upload to the same folder works, and clears what the dead one left.
    let url = format!("{}/{folder}", base.replacen("http://", "webdav://", 1));
    run_ok(with_pass(&db, PASS).args(["backup", "--to", &url]));
    let names = webdav_names(&folder);
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
#[ignore = "needs the S3 server that .ci/run starts"]
fn a_backup_with_another_key_is_refused_and_nothing_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let first = encrypted_desk(dir.path(), "first.db", "alpha alpha");
    let bucket = bucket();
    let url = format!("s3://{bucket}/k");
    run_ok(with_pass(&first, "alpha alpha").args(["backup", "--to", &url]));

    let second = dir.path().join("second.db");
    run_ok(od(&second).args(["demo", "--orders", "40", "--seed", "9"]));
    run_ok(with_pass(&second, "beta beta").arg("encrypt"));
    let bytes = std::fs::read(&second).unwrap();
    let err = fails(
        with_pass(&second, "beta beta")
            .args(["restore", &url, "--reason", "wrong machine"])
            .output()
            .unwrap(),
    );
    assert!(err.to_lowercase().contains("passphrase"), "{err}");
    assert_eq!(std::fs::read(&second).unwrap(), bytes, "nothing replaced");
    assert!(!dir.path().join("second.db.fetching").exists());
    assert!(!dir.path().join("second.db.restoring").exists());

    // And without the desk's own passphrase the restore is not even authorised: exit 2.
    let out = with_pass(&second, "gamma")
        .args(["restore", &url, "--reason", "x"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(&second).unwrap(), bytes);
}

#[test]
#[ignore = "needs the S3 server that .ci/run starts"]
fn the_30_newest_are_kept_off_site() {
    let dir = tempfile::tempdir().unwrap();
    let db = encrypted_desk(dir.path(), "desk.db", PASS);
    let bucket = bucket();
    let base = format!("{}/{bucket}/keep", s3_endpoint());
    // 31 older backups of this desk, one of another database, a stale temporary object.
    for day in 1..=31 {
        put(
            &format!("{base}/desk-202510{day:02}-080000.db"),
            b"old",
            None,
        );
    }
    put(&format!("{base}/other-20251001-080000.db"), b"other", None);
    put(&format!("{base}/notes.txt"), b"mine", None);
    run_ok(with_pass(&db, PASS).args(["backup", "--to", &format!("s3://{bucket}/keep")]));
    let keys = s3_keys(&bucket, "keep/");
    let ours = backup_names(&keys, "keep/", "desk");
    assert_eq!(ours.len(), 30, "{ours:?}");
    assert!(!ours.contains(&"desk-20251001-080000.db".to_string()));
    assert!(!ours.contains(&"desk-20251002-080000.db".to_string()));
    assert!(ours.contains(&"desk-20251003-080000.db".to_string()));
    assert!(keys.contains(&"keep/other-20251001-080000.db".to_string()));
    assert!(keys.contains(&"keep/notes.txt".to_string()));
}

#[test]
#[ignore = "needs the WebDAV server that .ci/run starts (ORDERDESK_WEBDAV_TEST_URL)"]
fn the_app_copies_the_daily_backup_off_site_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = encrypted_desk(dir.path(), "desk.db", PASS);
    let (base, user, password) = webdav();
    let folder = unique("app");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "offsite = \"{}/{folder}\"\n",
            base.replacen("http://", "webdav://", 1)
        ),
    )
    .unwrap();
    let t = common::term::Spawn::app(&db)
        .env("ORDERDESK_CONFIG", &config)
        .env("ORDERDESK_PASSPHRASE", PASS)
        .env("ORDERDESK_WEBDAV_USER", &user)
        .env("ORDERDESK_WEBDAV_PASSWORD", &password)
        .start();
    let screen = t.wait_for(|s| s.contains("off-site ✓"), "the off-site copy");
    assert!(screen.contains("backup "), "{screen}");
    let names = webdav_names(&folder);
    assert_eq!(names.len(), 1, "{names:?}");
    t.send(&["q"]);
    assert_eq!(t.wait_exit(), 0);
}
