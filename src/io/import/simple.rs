//! Every kind but orders: one row is one record of one table, found by its key and inserted
//! or updated. Only the columns the file has are written on an update.
//!
//! Keys: a unique column (customer code, waybill no., complaint no.) may appear once per file.
//! A natural key (see README) may repeat: the n-th row with a key updates the n-th stored
//! record with that key (oldest first) and rows beyond those are inserted, so importing the
//! same export twice changes nothing, duplicates included.

use super::fields::{parse_record, shown, Field, Layout, Values};
use super::problems::Problem;
use super::source::Record;
use super::{Counts, Ctx};
use crate::i18n::tf;
use crate::store::{search, Context};
use anyhow::Result;
use rusqlite::types::Value;
use rusqlite::{params_from_iter, OptionalExtension};
use std::collections::{HashMap, HashSet};

/// How a row finds the record it updates.
pub enum Key {
    /// One column, unique in the table and in the file. Where it may be empty (a shipment's
    /// waybill no.), a row without it inserts.
    Unique(&'static str),
    /// Several columns, matched occurrence by occurrence.
    Natural(&'static [&'static str]),
}

/// Work after the rows are written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum After {
    Nothing,
    /// A customer's new code or name changes the search text of its orders.
    ReindexCustomerOrders,
    /// Shipments decide when an order was delivered.
    RefreshDelivery,
}

/// Whether a row is being inserted, for defaults that depend on it.
#[derive(Clone, Copy)]
pub struct Filling {
    pub inserting: bool,
    pub now: i64,
}

pub struct Spec {
    pub table: &'static str,
    pub fields: &'static [Field],
    pub key: Key,
    /// Another column unique in the table (a customer's name).
    pub unique_also: Option<&'static str>,
    /// The table has a `version` column for the app's concurrent-edit check.
    pub versioned: bool,
    /// Defaults computed from the other cells.
    pub fill: fn(&mut Values, Filling),
    /// A rule across cells of one row: the column at fault and why.
    pub check: fn(&Values) -> Option<(&'static str, Problem)>,
    pub after: After,
}

pub fn no_fill(_: &mut Values, _: Filling) {}

pub fn no_check(_: &Values) -> Option<(&'static str, Problem)> {
    None
}

impl Spec {
    pub fn field(&self, column: &str) -> usize {
        self.fields
            .iter()
            .position(|f| f.column == column)
            .unwrap_or_else(|| panic!("{} has no column {column}", self.table))
    }

    fn key_fields(&self) -> Vec<usize> {
        match self.key {
            Key::Unique(column) => vec![self.field(column)],
            Key::Natural(columns) => columns.iter().map(|c| self.field(c)).collect(),
        }
    }
}

/// A hashable form of key values.
fn key_text(values: &Values, fields: &[usize]) -> String {
    let mut key = String::new();
    for &f in fields {
        match &values[f] {
            Some(Value::Integer(i)) => key.push_str(&format!("i{i}")),
            Some(Value::Text(s)) => key.push_str(&format!("t{}:{s}", s.len())),
            _ => key.push('n'),
        }
        key.push('\u{0}');
    }
    key
}

/// Reads and checks every row of the file, writing each as it comes while nothing is wrong.
/// After the first problem nothing more is written, but reading goes on to list the others;
/// the caller then rolls the transaction back. Only the keys seen are kept, never the rows.
pub fn import(ctx: &mut Ctx, spec: &Spec) -> Result<Counts> {
    let Some(layout) = ctx.header(spec.fields)? else {
        return Ok(Counts::default());
    };
    let writer = Writer::new(spec, &layout);
    let mut written = Written::default();
    let mut counts = Counts::default();
    let key_fields = spec.key_fields();
    let unique = matches!(spec.key, Key::Unique(_));
    let also = spec.unique_also.map(|c| spec.field(c));
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut seen_also: HashMap<String, String> = HashMap::new();
    let mut record = Record::default();
    while ctx.next(&mut record)? {
        let Some(mut values) = parse_record(
            ctx.conn,
            &mut ctx.refs,
            spec.fields,
            &layout,
            &record,
            &mut ctx.problems,
            None,
        )?
        else {
            continue;
        };
        let line = record.line;
        counts.rows += 1;
        if let Some((column, problem)) = (spec.check)(&values) {
            ctx.problems.add(line, column, problem);
        }
        let key_value = values[key_fields[0]].clone().unwrap_or(Value::Null);
        if unique && key_value != Value::Null {
            if let Some(first) = seen.get(&key_text(&values, &key_fields)) {
                ctx.problems.add(
                    line,
                    spec.fields[key_fields[0]].column,
                    Problem::Repeated {
                        value: shown(&key_value),
                        line: *first,
                    },
                );
            } else {
                seen.insert(key_text(&values, &key_fields), line);
            }
        }
        if let Some(f) = also {
            make_unique_also(ctx, spec, f, &key_value, &mut values, line, &mut seen_also)?;
        }
        if ctx.problems.is_empty() {
            writer.write(ctx, spec, values, &mut written, &mut counts)?;
        }
    }
    if ctx.problems.is_empty() {
        finish(
            ctx.conn,
            spec.after,
            written.touched_orders,
            written.renamed_customers,
        )?;
    }
    Ok(counts)
}

/// What the rows written so far leave to do or to know.
#[derive(Default)]
struct Written {
    /// Stored records per key, looked up at the key's first row (before this import inserts
    /// any with the same key), and how many of them rows have taken so far.
    stored: HashMap<String, (Vec<i64>, usize)>,
    touched_orders: HashSet<i64>,
    renamed_customers: Vec<i64>,
}

/// A second unique column (a customer's name). Lists kept elsewhere hold twins (two
/// customers called "IT"): a name already another record's, in the table or earlier in the
/// file, gets the row's key added — `IT (VALON)` — and a note says so. A name taken even so
/// is a problem.
fn make_unique_also(
    ctx: &mut Ctx,
    spec: &Spec,
    f: usize,
    key: &Value,
    values: &mut Values,
    line: u64,
    seen: &mut HashMap<String, String>,
) -> Result<()> {
    let Some(Value::Text(value)) = values[f].clone() else {
        return Ok(());
    };
    let key = shown(key);
    let column = spec.fields[f].column;
    let Key::Unique(key_column) = spec.key else {
        return Ok(());
    };
    let key_db = spec.fields[spec.field(key_column)].db;
    let sql = format!(
        "SELECT {key_db} FROM {} WHERE {} = ?1",
        spec.table, spec.fields[f].db
    );
    let taken_by = |ctx: &Ctx, seen: &HashMap<String, String>, v: &str| -> Result<Option<String>> {
        if let Some(other) = seen.get(v).filter(|o| **o != key) {
            return Ok(Some(other.clone()));
        }
        let owner: Option<String> = ctx
            .conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_row([v], |r| r.get(0)).optional())
            .doing("checking a unique column")?;
        Ok(owner.filter(|o| *o != key))
    };
    let mut value = value;
    if let Some(owner) = taken_by(ctx, seen, &value)? {
        let renamed = format!("{value} ({key})");
        if let Some(again) = taken_by(ctx, seen, &renamed)? {
            ctx.problems.add(
                line,
                column,
                Problem::Taken {
                    value: renamed,
                    owner: again,
                },
            );
            return Ok(());
        }
        ctx.note(
            line,
            column,
            tf(
                "import.note.renamed",
                &[("value", &value), ("owner", &owner), ("renamed", &renamed)],
            ),
        );
        values[f] = Some(Value::Text(renamed.clone()));
        value = renamed;
    }
    seen.insert(value, key);
    Ok(())
}

/// The statements of one import, built once from the columns the file has.
struct Writer {
    insert: String,
    update: String,
    select_old: String,
    find: String,
    present: Vec<usize>,
    key_fields: Vec<usize>,
}

impl Writer {
    fn new(spec: &Spec, layout: &Layout) -> Writer {
        let all: Vec<&str> = spec.fields.iter().map(|f| f.db).collect();
        let present: Vec<usize> = (0..spec.fields.len()).filter(|&f| layout.has(f)).collect();
        let marks = (1..=all.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let insert = format!(
            "INSERT INTO {} ({}) VALUES ({marks})",
            spec.table,
            all.join(", ")
        );
        let mut sets: Vec<String> = present
            .iter()
            .enumerate()
            .map(|(i, &f)| format!("{} = ?{}", spec.fields[f].db, i + 1))
            .collect();
        if spec.versioned {
            sets.push("version = version + 1".into());
        }
        let update = format!(
            "UPDATE {} SET {} WHERE id = ?{}",
            spec.table,
            sets.join(", "),
            present.len() + 1
        );
        let select_old = format!(
            "SELECT {} FROM {} WHERE id = ?1",
            present
                .iter()
                .map(|&f| spec.fields[f].db)
                .collect::<Vec<_>>()
                .join(", "),
            spec.table
        );
        let key_fields = spec.key_fields();
        let find = format!(
            "SELECT id FROM {} WHERE {} ORDER BY id",
            spec.table,
            key_fields
                .iter()
                .enumerate()
                .map(|(i, &f)| format!("{} = ?{}", spec.fields[f].db, i + 1))
                .collect::<Vec<_>>()
                .join(" AND ")
        );
        Writer {
            insert,
            update,
            select_old,
            find,
            present,
            key_fields,
        }
    }

    fn write(
        &self,
        ctx: &mut Ctx,
        spec: &Spec,
        mut values: Values,
        written: &mut Written,
        counts: &mut Counts,
    ) -> Result<()> {
        let conn = ctx.conn;
        let order_field = spec.fields.iter().position(|f| f.db == "order_id");
        let target = if values[self.key_fields[0]] == Some(Value::Null) {
            None
        } else {
            let key = key_text(&values, &self.key_fields);
            let entry = match written.stored.entry(key) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    let ids = self.find_ids(conn, &values)?;
                    e.insert((ids, 0))
                }
            };
            let id = entry.0.get(entry.1).copied();
            entry.1 += 1;
            id
        };
        let filling = Filling {
            inserting: target.is_none(),
            now: ctx.now,
        };
        (spec.fill)(&mut values, filling);
        apply_defaults(spec.fields, &mut values, filling.inserting);
        match target {
            None => {
                let row: Vec<Value> = values
                    .iter()
                    .map(|v| v.clone().unwrap_or(Value::Null))
                    .collect();
                conn.prepare_cached(&self.insert)
                    .and_then(|mut s| s.execute(params_from_iter(row)))
                    .doing("importing a row")?;
                counts.inserted += 1;
                if let Some(id) = order_field.and_then(|f| super::fields::int_of(&values[f])) {
                    written.touched_orders.insert(id);
                }
            }
            Some(id) => {
                let new: Vec<Value> = self
                    .present
                    .iter()
                    .map(|&f| values[f].clone().unwrap_or(Value::Null))
                    .collect();
                let old = self.old_values(conn, id)?;
                if old == new {
                    counts.unchanged += 1;
                    return Ok(());
                }
                let mut args = new.clone();
                args.push(Value::Integer(id));
                conn.prepare_cached(&self.update)
                    .and_then(|mut s| s.execute(params_from_iter(args)))
                    .doing("updating a row")?;
                counts.updated += 1;
                if let Some(f) = order_field {
                    for v in [&old, &new] {
                        if let Some(pos) = self.present.iter().position(|&p| p == f) {
                            if let Value::Integer(o) = v[pos] {
                                written.touched_orders.insert(o);
                            }
                        }
                    }
                }
                if spec.after == After::ReindexCustomerOrders {
                    let names = ["code", "name"].map(|c| spec.field(c));
                    let differs = self
                        .present
                        .iter()
                        .enumerate()
                        .any(|(i, f)| names.contains(f) && old[i] != new[i]);
                    if differs {
                        written.renamed_customers.push(id);
                    }
                }
            }
        }
        Ok(())
    }

    fn find_ids(&self, conn: &rusqlite::Connection, values: &Values) -> Result<Vec<i64>> {
        let key: Vec<Value> = self
            .key_fields
            .iter()
            .map(|&f| values[f].clone().unwrap_or(Value::Null))
            .collect();
        conn.prepare_cached(&self.find)
            .and_then(|mut s| {
                s.query_map(params_from_iter(key), |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<i64>>>()
            })
            .doing("finding the record a row updates")
            .map_err(Into::into)
    }

    fn old_values(&self, conn: &rusqlite::Connection, id: i64) -> Result<Vec<Value>> {
        let n = self.present.len();
        conn.prepare_cached(&self.select_old)
            .and_then(|mut s| s.query_row([id], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect()))
            .doing("reading the record a row updates")
            .map_err(Into::into)
    }
}

/// What the app keeps in step with the records written: delivery dates of the orders whose
/// shipments changed, the search text of the orders of renamed customers.
fn finish(
    conn: &rusqlite::Connection,
    after: After,
    touched_orders: HashSet<i64>,
    renamed_customers: Vec<i64>,
) -> Result<()> {
    match after {
        After::Nothing => {}
        After::RefreshDelivery => {
            let mut touched_orders: Vec<i64> = touched_orders.into_iter().collect();
            touched_orders.sort_unstable();
            for id in touched_orders {
                crate::store::delivery::refresh(conn, id).doing("updating delivery dates")?;
            }
        }
        After::ReindexCustomerOrders => {
            for customer in renamed_customers {
                let orders: Vec<i64> = conn
                    .prepare_cached("SELECT id FROM orders WHERE customer_id = ?1")
                    .and_then(|mut s| {
                        s.query_map([customer], |r| r.get(0))?
                            .collect::<rusqlite::Result<_>>()
                    })
                    .doing("reading a customer's orders")?;
                for order in orders {
                    search::reindex_order(conn, order)?;
                }
            }
        }
    }
    Ok(())
}

/// Empty cells of columns that cannot be empty take their default; on an insert, so do
/// columns the file does not have.
pub fn apply_defaults(fields: &[Field], values: &mut Values, inserting: bool) {
    for (field, value) in fields.iter().zip(values.iter_mut()) {
        let empty = match value {
            None => inserting,
            Some(v) => *v == Value::Null,
        };
        if empty {
            if let Some(d) = field.default {
                *value = Some(Value::Text(d.to_string()));
            }
        }
    }
}
