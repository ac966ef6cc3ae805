use super::*;

#[test]
fn a_servers_error_page_reads_as_its_title() {
    assert_eq!(
        readable(
            "<html> <head><title>401 Access not authorized</title></head> <body>x</body></html>"
        ),
        "401 Access not authorized"
    );
    assert_eq!(
        readable("<Error><Code>NoSuchBucket</Code></Error>")
            .split_whitespace()
            .collect::<Vec<_>>(),
        ["NoSuchBucket"]
    );
    assert_eq!(readable("plain words"), "plain words");
}

#[test]
fn addresses_parse_into_folders_and_objects() {
    let r = Remote::parse("s3://desk-backups/li/hua").unwrap();
    assert_eq!(
        r.location,
        Location::S3 {
            bucket: "desk-backups".into(),
            prefix: "li/hua".into()
        }
    );
    assert_eq!(r.object, None);
    let r = Remote::parse("s3://b/orderdesk-20261201-080000.db").unwrap();
    assert_eq!(
        r.location,
        Location::S3 {
            bucket: "b".into(),
            prefix: "".into()
        }
    );
    assert_eq!(r.object.as_deref(), Some("orderdesk-20261201-080000.db"));
    let r = Remote::parse("webdavs://dav.example.com:8443/remote.php/dav/备份/").unwrap();
    assert_eq!(
        r.location,
        Location::Webdav {
            endpoint: "https://dav.example.com:8443".into(),
            root: "/remote.php/dav/备份/".into()
        }
    );
    let r = Remote::parse("webdav://127.0.0.1:8080").unwrap();
    assert_eq!(
        r.location,
        Location::Webdav {
            endpoint: "http://127.0.0.1:8080".into(),
            root: "/".into()
        }
    );
    assert!(is_remote("S3://x/y") && is_remote("webdav://h/") && !is_remote("/tmp/s3"));
}

#[test]
fn credentials_and_strange_addresses_are_refused() {
    for url in [
        "webdav://li:secret@dav.example.com/x",
        "webdavs://li@dav.example.com/x",
        "s3://key:secret@bucket/x",
    ] {
        let e = Remote::parse(url).unwrap_err();
        assert!(matches!(e, OffsiteError::Address(_)), "{url}");
        assert!(e.to_string().contains("ORDERDESK_WEBDAV_USER"), "{e}");
        assert!(
            !e.to_string().contains("secret") && !e.to_string().contains("li@"),
            "{e}"
        );
    }
    for url in [
        "ftp://h/x",
        "s3:///x",
        "s3://b:9000/x",
        "webdav://h/x?y=1",
        "webdav://h/a%1b/",
        "not a url",
    ] {
        assert!(
            matches!(Remote::parse(url), Err(OffsiteError::Address(_))),
            "{url}"
        );
    }
}

#[test]
fn the_newest_backup_of_the_database_is_chosen() {
    let names: Vec<String> = [
        "orderdesk-20261130-230000.db",
        "orderdesk-20261201-080000.db",
        "orderdesk-20261201-080000-1.db",
        "demo-20261205-080000.db",
        ".orderdesk-20261206-080000.db.partial",
        "notes.txt",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(
        newest(&names, "orderdesk").as_deref(),
        Some("orderdesk-20261201-080000-1.db")
    );
    assert_eq!(
        newest(&names, "desk").as_deref(),
        Some("demo-20261205-080000.db"),
        "another database's when this one has none"
    );
    assert_eq!(newest(&names[4..], "orderdesk"), None);
}
