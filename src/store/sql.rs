//! Helpers for statements written with named parameters, shared by the entities' writes.

use rusqlite::types::Value;
use rusqlite::Connection;

/// Runs `sql` (prepared once per connection) with its `(":name", value)` parameters.
pub fn execute_named(
    conn: &Connection,
    sql: &str,
    fields: &[(&str, Value)],
) -> rusqlite::Result<usize> {
    let named: Vec<(&str, &dyn rusqlite::ToSql)> = fields
        .iter()
        .map(|(n, v)| (*n, v as &dyn rusqlite::ToSql))
        .collect();
    conn.prepare_cached(sql)?.execute(named.as_slice())
}

/// `Connection::query_row` with the statement prepared once per connection: for reads that
/// run on every page of the web desk, where preparing anew costs more than the read.
pub fn row<T, P, F>(conn: &Connection, sql: &str, params: P, f: F) -> rusqlite::Result<T>
where
    P: rusqlite::Params,
    F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
{
    conn.prepare_cached(sql)?.query_row(params, f)
}

/// Trimmed text, or NULL when nothing is left: an optional text column never holds "".
pub fn text_or_null(s: &str) -> Value {
    match s.trim() {
        "" => Value::Null,
        t => Value::Text(t.to_string()),
    }
}

/// The domain's closed vocabularies are read and written as their own words: a column holds
/// `in_production`, and the row gives back `Status::InProduction` (an unknown word is an
/// error naming the column, never a silent default).
macro_rules! sql_words {
    ($($t:ty),+ $(,)?) => {$(
        impl rusqlite::types::FromSql for $t {
            fn column_result(
                v: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                let s = v.as_str()?;
                <$t as std::str::FromStr>::from_str(s)
                    .map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
            }
        }

        impl rusqlite::types::ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::from(self.as_str()))
            }
        }
    )+};
}

use crate::domain::enums::*;
use crate::domain::status::Status;

sql_words!(
    Status,
    OrderType,
    Channel,
    ContactChannel,
    Direction,
    Language,
    RequirementCategory,
    RequirementStatus,
    Department4,
    ProductionStage,
    MaterialsState,
    ExceptionKind,
    ExceptionCause,
    ShipMode,
    ShipmentStatus,
    ComplaintType,
    Severity,
    Department,
    DocumentKind,
);

/// `('confirmed','in_production',…)`: the statuses `keep` selects, in the order of the
/// lifecycle, as an SQL list. Status sets are the domain's (`Status::is_won` …), spelled
/// once; the SQL takes its words from them.
pub fn status_list(keep: impl Fn(Status) -> bool) -> String {
    let words: Vec<String> = <Status as strum::IntoEnumIterator>::iter()
        .filter(|s| keep(*s))
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    format!("({})", words.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    #[test]
    fn words_go_in_and_come_back_typed() {
        let c = Connection::open_in_memory().expect("db");
        let s: Status = c
            .query_row("SELECT ?1", [Status::InProduction], |r| r.get(0))
            .expect("status");
        assert_eq!(s, Status::InProduction);
        let bad: rusqlite::Result<Severity> = c.query_row("SELECT 'dire'", [], |r| r.get(0));
        assert!(bad.is_err());
    }

    /// A constant of SQL cannot be built from the domain; its list is held to it here.
    #[test]
    fn a_customers_open_orders_are_the_domains_open_statuses() {
        use crate::store::customers::CustomerRow;
        use crate::store::list::ListEntity;
        let open = status_list(Status::is_open);
        assert!(
            CustomerRow::COLUMNS.contains(&format!(
                "o.status IN /* Status::is_open, held to it by store::sql's tests */ {open}"
            )),
            "{open}"
        );
    }

    #[test]
    fn status_sets_come_from_the_domain() {
        assert_eq!(
            status_list(Status::is_won),
            "('confirmed','in_production','ready','shipped','delivered','closed')"
        );
    }
}
