use super::*;
use crate::store::cipher::{convert, is_plain};
use chrono::TimeZone;

fn demo_file(dir: &Path) -> PathBuf {
    let path = dir.join("orderdesk.db");
    let mut store = Store::open(&path).unwrap();
    crate::demo::generate(&mut store, 40, 3).unwrap();
    path
}

fn at(h: u32, m: u32, s: u32) -> DateTime<Local> {
    Local
        .with_ymd_and_hms(2026, 3, 9, h, m, s)
        .single()
        .expect("an unambiguous time")
}

/// Every table's rows in a stable order, as text: two files hold the same data.
fn dump(store: &Store) -> Vec<String> {
    let c = store.conn();
    let tables: Vec<String> = c
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND rootpage > 0
             AND name NOT LIKE 'sqlite_%' AND name != 'meta' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let mut stmt = c.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            let cells: Vec<String> = (0..n)
                .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                .collect();
            out.push(format!("{t}: {}", cells.join("|")));
        }
    }
    out.sort();
    out
}

fn private(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o077 == 0
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        true
    }
}

#[test]
fn a_backup_is_a_verified_private_copy_and_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_file(dir.path());
    let store = Store::open(&db).unwrap();
    assert_eq!(last_backup(&store).unwrap(), None);
    let folder = folder(&db, None);
    assert_eq!(folder, dir.path().join("backups"));

    let done = backup_at(&store, &folder, at(8, 12, 5)).unwrap();
    assert_eq!(done.path, folder.join("orderdesk-20260309-081205.db"));
    assert_eq!(done.removed, 0);
    assert!(private(&done.path));
    assert_eq!(last_backup(&store).unwrap(), Some(at(8, 12, 5).timestamp()));
    // Nothing half-written is left in the folder.
    let names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["orderdesk-20260309-081205.db".to_string()]);

    let copy = Store::open(&done.path).unwrap();
    assert_eq!(dump(&copy), dump(&store));
    assert_eq!(
        check_file(&done.path, None, &done.path).unwrap(),
        crate::store::schema::MIGRATIONS.len() as i64
    );

    // The same second again gets its own name.
    let again = backup_at(&store, &folder, at(8, 12, 5)).unwrap();
    assert_eq!(again.path, folder.join("orderdesk-20260309-081205-1.db"));
}

#[test]
fn thirty_backups_are_kept_the_oldest_removed() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_file(dir.path());
    let folder = dir.path().join("elsewhere");
    std::fs::create_dir_all(&folder).unwrap();
    // 32 older backups, another database's backups and an unrelated file.
    for i in 0..32u32 {
        let name = format!("orderdesk-202601{:02}-0900{:02}.db", i % 28 + 1, i);
        std::fs::write(folder.join(name), b"old").unwrap();
    }
    std::fs::write(folder.join("demo-20200101-000000.db"), b"other").unwrap();
    std::fs::write(folder.join("orderdesk-notes.db"), b"mine").unwrap();

    let store = Store::open(&db).unwrap();
    let done = backup_at(&store, &folder, at(9, 0, 0)).unwrap();
    assert_eq!(done.removed, 3, "33 backups, 30 kept");
    let kept = list(&folder, &db);
    assert_eq!(kept.len(), KEEP);
    assert_eq!(kept.last(), Some(&done.path), "the newest is kept");
    // The three oldest went: 01-01 09:00:00, 01-01 09:00:28, 01-02 09:00:01.
    for gone in [
        "orderdesk-20260101-090000.db",
        "orderdesk-20260101-090028.db",
        "orderdesk-20260102-090001.db",
    ] {
        assert!(!folder.join(gone).exists(), "{gone} removed");
    }
    assert!(folder.join("orderdesk-20260102-090029.db").exists());
    assert!(folder.join("demo-20200101-000000.db").exists());
    assert!(folder.join("orderdesk-notes.db").exists());
}

#[test]
fn the_backup_of_an_encrypted_file_needs_its_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_file(dir.path());
    convert(&db, None, Some("s3cret")).unwrap();
    let store = Store::open_with(&db, Some("s3cret")).unwrap();
    let name: String = store
        .conn()
        .query_row("SELECT name FROM customers LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let done = backup(&store, &dir.path().join("b")).unwrap();

    assert!(!is_plain(&done.path));
    let bytes = std::fs::read(&done.path).unwrap();
    assert!(!bytes.windows(name.len()).any(|w| w == name.as_bytes()));
    assert!(matches!(
        Store::open(&done.path).err(),
        Some(StoreError::Encrypted { .. })
    ));
    assert!(matches!(
        check_file(&done.path, Some("guess"), &done.path).err(),
        Some(StoreError::WrongPassphrase { .. })
    ));
    let copy = Store::open_with(&done.path, Some("s3cret")).unwrap();
    assert_eq!(dump(&copy), dump(&store));
}

#[test]
fn restore_replaces_a_damaged_file_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_file(dir.path());
    let (expected, done) = {
        let store = Store::open(&db).unwrap();
        (dump(&store), backup(&store, &folder(&db, None)).unwrap())
    };
    // Damage: the first pages overwritten.
    let mut bytes = std::fs::read(&db).unwrap();
    bytes[..8192].fill(0x5a);
    std::fs::write(&db, &bytes).unwrap();
    assert!(Store::open(&db).is_err());
    std::fs::write(beside(&db, "-wal"), b"stale wal of the damaged file").unwrap();

    let r = restore(&db, &done.path, None).unwrap();
    let previous = r.previous.expect("the damaged file is kept");
    assert!(previous
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("orderdesk.db.before-restore-"));
    assert_eq!(std::fs::read(&previous).unwrap(), bytes);
    assert!(private(&previous));
    assert!(beside(&previous, "-wal").exists(), "its WAL kept beside it");
    assert!(!beside(&db, "-wal").exists());
    assert!(!beside(&db, ".restoring").exists());
    assert!(private(&db));

    let store = Store::open(&db).unwrap();
    assert_eq!(dump(&store), expected);
    assert!(store.integrity_problems().unwrap().is_empty());
}

#[test]
fn restore_checks_the_backup_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_file(dir.path());
    let expected = dump(&Store::open(&db).unwrap());
    let before = std::fs::read(&db).unwrap();

    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![0u8; 4096]).unwrap();
    let err = restore(&db, &junk, None).unwrap_err();
    assert!(err.to_string().contains("junk.db"), "{err}");

    let foreign = dir.path().join("foreign.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let err = restore(&db, &foreign, None).unwrap_err();
    assert!(err.to_string().contains("no meta table"), "{err}");

    let newer = dir.path().join("newer.db");
    std::fs::copy(&db, &newer).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 999)
        .unwrap();
    assert!(matches!(
        restore(&db, &newer, None).unwrap_err(),
        StoreError::NewerSchema { found: 999, .. }
    ));

    let err = restore(&db, &dir.path().join("absent.db"), None).unwrap_err();
    assert!(err.to_string().contains("absent.db"), "{err}");

    // Nothing was touched, nothing kept.
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_eq!(dump(&Store::open(&db).unwrap()), expected);
    let kept = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            let n = e.as_ref().unwrap().file_name();
            n.to_string_lossy().contains("before-restore")
                || n.to_string_lossy().contains("restoring")
        })
        .count();
    assert_eq!(kept, 0);
}

#[test]
fn the_folder_is_configurable() {
    let db = Path::new("/data/od/orderdesk.db");
    assert_eq!(folder(db, None), PathBuf::from("/data/od/backups"));
    assert_eq!(folder(db, Some("  ")), PathBuf::from("/data/od/backups"));
    assert_eq!(
        folder(db, Some("/mnt/cloud/od")),
        PathBuf::from("/mnt/cloud/od")
    );
    assert_eq!(folder(db, Some("copies")), PathBuf::from("/data/od/copies"));
    if let Some(home) = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf()) {
        assert_eq!(folder(db, Some("~/Dropbox/od")), home.join("Dropbox/od"));
    }
}

#[test]
fn backup_names_parse_only_for_their_database() {
    assert!(parse_name("orderdesk-20260309-081205.db", "orderdesk").is_some());
    assert_eq!(
        parse_name("orderdesk-20260309-081205-2.db", "orderdesk").map(|p| p.1),
        Some(2)
    );
    assert!(parse_name("orderdesk-20260309-081205.db.partial", "orderdesk").is_none());
    assert!(parse_name("demo-20260309-081205.db", "orderdesk").is_none());
    assert!(parse_name("orderdesk-x-20260309-081205.db", "orderdesk").is_none());
    assert!(parse_name("orderdesk-20261309-081205.db", "orderdesk").is_none());
}

/// The check on the copy reads every page of every table and index: a damaged page of the
/// orders' index, or of the search index's storage, fails it.
#[test]
fn the_check_on_a_copy_finds_a_damaged_page() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_file(dir.path());
    let sound = cipher::connect(&db, None).unwrap();
    assert_eq!(check_copy(&sound).unwrap(), Vec::<String>::new());
    let page_size: i64 = sound
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    let roots: Vec<i64> = ["orders_by_status", "order_search_data"]
        .iter()
        .map(|name| {
            sound
                .query_row(
                    "SELECT rootpage FROM sqlite_schema WHERE name = ?1",
                    [name],
                    |r| r.get(0),
                )
                .unwrap()
        })
        .collect();
    // Folded into the file, so that the damage below is what a reader sees.
    sound
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    drop(sound);
    for root in roots {
        let copy = dir.path().join(format!("copy-{root}.db"));
        std::fs::copy(&db, &copy).unwrap();
        let mut bytes = std::fs::read(&copy).unwrap();
        let start = ((root - 1) * page_size) as usize;
        // A b-tree page header with an impossible cell count.
        bytes[start + 3] = 0xFF;
        bytes[start + 4] = 0xFF;
        std::fs::write(&copy, bytes).unwrap();
        let conn = cipher::connect(&copy, None).unwrap();
        // Either listed as problems, or SQLite stops at the damage: the backup fails.
        if let Ok(problems) = check_copy(&conn) {
            assert!(
                !problems.is_empty(),
                "page {root} damaged, yet no problem found"
            );
        }
    }
}
