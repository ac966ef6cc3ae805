use super::*;
use crate::store::Store;

/// A small demo file at `dir/od.db`, closed.
fn demo_file(dir: &Path) -> PathBuf {
    let path = dir.join("od.db");
    let mut store = Store::open(&path).unwrap();
    crate::demo::generate(&mut store, 60, 7).unwrap();
    path
}

fn customer_names(store: &Store) -> Vec<String> {
    let mut stmt = store.conn().prepare("SELECT name FROM customers").unwrap();
    let names = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<Vec<String>>>()
        .unwrap();
    assert!(!names.is_empty());
    names
}

/// Every table's row count, through the store.
fn counts(store: &Store) -> Vec<(String, i64)> {
    table_counts(store.conn(), "main").unwrap()
}

/// The file and its WAL contain `needle` as bytes (what `strings` would find).
fn file_contains(path: &Path, needle: &str) -> bool {
    [path.to_path_buf(), beside(path, "-wal")]
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .any(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
}

fn assert_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "{} readable by the owner only",
            path.display()
        );
    }
}

#[test]
fn encrypt_hides_every_name_and_only_the_passphrase_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path());
    let (names, before) = {
        let store = Store::open(&path).unwrap();
        (customer_names(&store), counts(&store))
    };
    assert!(is_plain(&path));
    assert!(
        names.iter().any(|n| file_contains(&path, n)),
        "the plain file shows its names"
    );

    convert(&path, None, Some("correct horse")).unwrap();
    assert!(!is_plain(&path));
    assert!(looks_encrypted(&path));
    assert_private(&path);
    for n in &names {
        assert!(
            !file_contains(&path, n),
            "{n} readable in the encrypted file"
        );
    }
    assert!(!file_contains(&path, "SQLite format 3"));
    for leftover in [".converting", "-wal", "-shm", "-journal"] {
        assert!(!beside(&path, leftover).exists(), "{leftover} left behind");
    }

    let err = Store::open(&path).err().expect("no passphrase, no data");
    assert!(matches!(err, StoreError::Encrypted { .. }), "{err}");
    assert!(err.to_string().contains("ORDERDESK_PASSPHRASE"), "{err}");
    let err = Store::open_with(&path, Some("wrong horse"))
        .err()
        .expect("wrong passphrase refused");
    assert!(matches!(err, StoreError::WrongPassphrase { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!("{}: wrong passphrase", path.display())
    );

    let store = Store::open_with(&path, Some("correct horse")).unwrap();
    assert_eq!(store.passphrase(), Some("correct horse"));
    assert_eq!(counts(&store), before);
    assert!(store.integrity_problems().unwrap().is_empty());
    // The search index came along (FTS5 trigram, contentless).
    let hits: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM order_search WHERE order_search MATCH ?1",
            [format!(
                "\"{}\"",
                &names[0].chars().take(3).collect::<String>()
            )],
            |r| r.get(0),
        )
        .unwrap();
    assert!(hits > 0, "search finds {} in the encrypted file", names[0]);
    store
        .conn()
        .execute(
            "INSERT INTO order_search (order_search, rank) VALUES ('integrity-check', 0)",
            [],
        )
        .expect("the search index is consistent");
    drop(store);
    // Written to since: still nothing readable, the WAL included.
    let store = Store::open_with(&path, Some("correct horse")).unwrap();
    store.set_meta("probe", &names[0]).unwrap();
    assert!(!file_contains(&path, &names[0]));
}

#[test]
fn decrypt_and_a_new_passphrase_convert_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_file(dir.path());
    let before = counts(&Store::open(&path).unwrap());
    convert(&path, None, Some("one")).unwrap();

    // A wrong current passphrase changes nothing.
    let err = convert(&path, Some("nope"), Some("two")).unwrap_err();
    assert!(matches!(err, StoreError::WrongPassphrase { .. }), "{err}");
    assert!(Store::open_with(&path, Some("one")).is_ok());

    convert(&path, Some("one"), Some("two")).unwrap();
    assert!(matches!(
        Store::open_with(&path, Some("one")).err(),
        Some(StoreError::WrongPassphrase { .. })
    ));
    assert_eq!(
        counts(&Store::open_with(&path, Some("two")).unwrap()),
        before
    );

    convert(&path, Some("two"), None).unwrap();
    assert!(is_plain(&path));
    assert_private(&path);
    let store = Store::open(&path).unwrap();
    assert_eq!(counts(&store), before);
    assert_eq!(store.schema_version().unwrap(), known_schema());
    // A plain file ignores a passphrase given anyway.
    drop(store);
    assert!(Store::open_with(&path, Some("two")).is_ok());
}

#[test]
fn damaged_and_foreign_files_are_not_taken_for_encrypted_ones() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![0x42u8; 8192]).unwrap();
    assert!(!looks_encrypted(&junk));
    let text = dir.path().join("text.db");
    std::fs::write(&text, b"just some text, not a database").unwrap();
    assert!(!looks_encrypted(&text));
    assert!(matches!(
        Store::open(&text).err(),
        Some(StoreError::NotADatabase { .. })
    ));
    let missing = dir.path().join("missing.db");
    assert!(!looks_encrypted(&missing) && !is_plain(&missing));
}
