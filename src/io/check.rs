//! `orderdesk check`: is the file sound (SQLite integrity, foreign keys), at which schema
//! version, and is the audit chain unbroken.

use crate::store::{audit, schema, Context, Store};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckReport {
    /// What `PRAGMA integrity_check` found; empty when the file is sound.
    pub integrity: Vec<String>,
    pub schema_version: i64,
    /// The newest schema version this build knows.
    pub schema_known: i64,
    /// Entries walked; when the chain is broken, up to and including the broken one.
    pub audit_entries: u64,
    pub audit_first_broken: Option<i64>,
    pub foreign_key_problems: usize,
}

impl CheckReport {
    pub fn is_ok(&self) -> bool {
        self.integrity.is_empty()
            && self.schema_version == self.schema_known
            && self.audit_first_broken.is_none()
            && self.foreign_key_problems == 0
    }

    /// One line per check, then the integrity findings indented below their line.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.integrity.is_empty() {
            out.push_str("integrity: ok\n");
        } else {
            out.push_str(&format!("integrity: {} problem(s)\n", self.integrity.len()));
            for p in &self.integrity {
                out.push_str(&format!("  {p}\n"));
            }
        }
        let (v, known) = (self.schema_version, self.schema_known);
        out.push_str(&match v.cmp(&known) {
            std::cmp::Ordering::Equal => format!("schema: version {v} (current)\n"),
            std::cmp::Ordering::Less => {
                format!("schema: version {v} (older than {known}; open it to upgrade)\n")
            }
            std::cmp::Ordering::Greater => {
                format!("schema: version {v} (newer than this OrderDesk, which knows {known})\n")
            }
        });
        out.push_str(&match self.audit_first_broken {
            None => format!("audit chain: {} entries, intact\n", self.audit_entries),
            Some(id) => format!("audit chain: broken at entry {id}\n"),
        });
        out.push_str(&match self.foreign_key_problems {
            0 => "foreign keys: ok\n".to_string(),
            n => format!("foreign keys: {n} broken reference(s)\n"),
        });
        out
    }
}

pub fn check(store: &Store) -> anyhow::Result<CheckReport> {
    let integrity = store.integrity_problems()?;
    let schema_version = store.schema_version()?;
    let chain = audit::verify(store.conn())?;
    let foreign_key_problems = count_foreign_key_problems(store)?;
    Ok(CheckReport {
        integrity,
        schema_version,
        schema_known: schema::MIGRATIONS.len() as i64,
        audit_entries: chain.entries,
        audit_first_broken: chain.first_broken,
        foreign_key_problems,
    })
}

fn count_foreign_key_problems(store: &Store) -> anyhow::Result<usize> {
    let mut stmt = store
        .conn()
        .prepare("PRAGMA foreign_key_check")
        .doing("checking foreign keys")?;
    let mut rows = stmt.query([]).doing("checking foreign keys")?;
    let mut n = 0;
    // Counted, not collected: a badly damaged file could report millions of rows.
    while rows.next().doing("checking foreign keys")?.is_some() {
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_fresh_file_checks_ok() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("od.db")).unwrap();
        let report = check(&store).unwrap();
        assert!(report.is_ok(), "{}", report.render());
        assert_eq!(report.schema_version, report.schema_known);
        assert_eq!(
            report.render(),
            format!(
                "integrity: ok\nschema: version {v} (current)\naudit chain: 0 entries, intact\nforeign keys: ok\n",
                v = report.schema_known
            )
        );
    }

    #[test]
    fn a_tampered_audit_entry_is_named() {
        let store = Store::open_in_memory().unwrap();
        let c = store.conn();
        for i in 0..4 {
            audit::append(c, "export", "orders", "all", &json!({ "rows": i })).unwrap();
        }
        assert!(check(&store).unwrap().is_ok());
        c.execute_batch(
            "DROP TRIGGER audit_log_no_update;
             UPDATE audit_log SET detail = '{\"rows\":99}' WHERE id = 2;",
        )
        .unwrap();
        let report = check(&store).unwrap();
        assert!(!report.is_ok());
        assert_eq!(report.audit_first_broken, Some(2));
        assert!(
            report.render().contains("audit chain: broken at entry 2\n"),
            "{}",
            report.render()
        );
    }

    #[test]
    fn broken_references_are_counted() {
        let store = Store::open_in_memory().unwrap();
        let c = store.conn();
        // As another tool without foreign keys enforced could leave it.
        c.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO surveys (customer_id, date) VALUES (42, '2026-01-01');
             PRAGMA foreign_keys = ON;",
        )
        .unwrap();
        let report = check(&store).unwrap();
        assert_eq!(report.foreign_key_problems, 1);
        assert!(!report.is_ok());
        assert!(report
            .render()
            .contains("foreign keys: 1 broken reference(s)"));
    }

    #[test]
    fn an_old_schema_and_integrity_findings_render_on_their_lines() {
        let report = CheckReport {
            integrity: vec!["row 3 missing from index x".into()],
            schema_version: 0,
            schema_known: 1,
            audit_entries: 0,
            audit_first_broken: None,
            foreign_key_problems: 0,
        };
        assert!(!report.is_ok());
        let text = report.render();
        assert!(text.starts_with("integrity: 1 problem(s)\n  row 3 missing from index x\n"));
        assert!(text.contains("schema: version 0 (older than 1; open it to upgrade)"));
    }
}
