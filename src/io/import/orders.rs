//! `orders.csv`: one row per order line, the order's own fields repeated on each row (they
//! must agree). A new order number creates the order with the lines of its rows, in file
//! order. An existing one is updated: its fields from the file's columns, and its lines
//! matched by product code (the n-th row with a code updates the n-th stored line with that
//! code; other rows add lines). Lines the file does not mention are kept.
//!
//! What the app derives is derived here too: the missing mandatory fields, the total, the
//! first promised due date, the status history, production progress for confirmed orders and
//! the search index. Statuses are taken as given: imported history is the truth.

use super::fields::{parse_record, shown, text_of, Field, Layout, Parse, Values};
use super::problems::Problem;
use super::simple::apply_defaults;
use super::source::Record;
use super::{Counts, Ctx};
use crate::domain::enums::OrderType;
use crate::domain::money::{canonical, parse_decimal};
use crate::domain::order::{OrderDraft, OrderLine};
use crate::domain::status::Status;
use crate::domain::time::parse_date;
use crate::store::{search, Context};
use anyhow::Result;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, OptionalExtension};
use std::collections::HashMap;
use std::str::FromStr;

fn status_words() -> Vec<&'static str> {
    <Status as strum::IntoEnumIterator>::iter()
        .map(Status::as_str)
        .collect()
}

/// The SPEC §5 columns in their order; the indexes below point into this list.
static FIELDS: [Field; 17] = [
    Field::new("order_no", "order_no", Parse::Code).required(),
    Field::new("customer", "customer_id", Parse::Customer),
    Field::new("order_type", "order_type", Parse::Word(OrderType::words)).or("regular"),
    Field::new("status", "status", Parse::Word(status_words)).or("inquiry"),
    Field::new("ordered_at", "ordered_at", Parse::Stamp).required(),
    Field::new("due_date", "due_date", Parse::Date),
    Field::new("delivery_address", "delivery_address", Parse::Personal),
    Field::new("currency", "currency", Parse::Currency),
    Field::new("payment_due", "payment_due", Parse::Date),
    Field::new("paid_at", "paid_at", Parse::Date),
    Field::new("product_code", "product_code", Parse::Code),
    Field::new("spec", "spec", Parse::Text),
    Field::new("quantity", "quantity", Parse::Quantity),
    Field::new("unit", "unit", Parse::Code),
    Field::new("unit_price", "unit_price", Parse::Amount),
    Field::new("missing_reason", "missing_reason", Parse::Text),
    Field::new("notes", "notes", Parse::Text),
];

const NO: usize = 0;
const CUSTOMER: usize = 1;
const TYPE: usize = 2;
const STATUS: usize = 3;
const ORDERED: usize = 4;
const DUE: usize = 5;
const ADDRESS: usize = 6;
const CURRENCY: usize = 7;
const PAY_DUE: usize = 8;
const PAID: usize = 9;
const PRODUCT: usize = 10;
const SPEC: usize = 11;
const QUANTITY: usize = 12;
const UNIT: usize = 13;
const PRICE: usize = 14;
const MISSING_REASON: usize = 15;
const NOTES: usize = 16;

/// The order's own fields, in the order of the `orders` columns read and written below.
const HEAD: [usize; 12] = [
    NO,
    CUSTOMER,
    TYPE,
    STATUS,
    ORDERED,
    DUE,
    ADDRESS,
    CURRENCY,
    PAY_DUE,
    PAID,
    MISSING_REASON,
    NOTES,
];
/// A line's fields, in the order of the `order_lines` columns read and written below.
const LINE: [usize; 5] = [PRODUCT, SPEC, QUANTITY, UNIT, PRICE];

/// A line's cells as read, in LINE order; `None` where the file has no such column.
type LineValues = [Option<Value>; 5];

fn line_values(values: &mut Values) -> LineValues {
    LINE.map(|f| values[f].take())
}

/// Position of the quantity in LineValues.
const LINE_QUANTITY: usize = 2;

/// All rows of one order number.
struct Group {
    order_no: String,
    first_line: u64,
    /// The cells of the order fields on its first row, as written.
    raw_head: Vec<String>,
    /// The order fields (line fields unused).
    head: Values,
    /// Rows that carry a line: their line and the line's values (in LINE order).
    lines: Vec<(u64, LineValues)>,
}

pub fn import(ctx: &mut Ctx) -> Result<Counts> {
    let Some(layout) = ctx.header(&FIELDS)? else {
        return Ok(Counts::default());
    };
    let (groups, rows) = read_groups(ctx, &layout)?;
    let mut counts = Counts {
        rows,
        ..Counts::default()
    };
    if !ctx.problems.is_empty() {
        return Ok(counts);
    }
    for group in groups {
        match ctx.refs.order(ctx.conn, &group.order_no)? {
            None => insert(ctx, &group, &mut counts)?,
            Some(id) => update(ctx, &layout, id, &group, &mut counts)?,
        }
    }
    Ok(counts)
}

fn has_value(v: &Option<Value>) -> bool {
    matches!(v, Some(v) if *v != Value::Null)
}

fn read_groups(ctx: &mut Ctx, layout: &Layout) -> Result<(Vec<Group>, usize)> {
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut rows = 0;
    let mut record = Record::default();
    while ctx.source.next_record(&mut record)? {
        if record.is_blank() {
            continue;
        }
        rows += 1;
        let line = record.line;
        let before = ctx.problems.count();
        // A later row of an order usually repeats its fields word for word: then only its
        // line needs reading.
        let known = index
            .get(layout.text(&record, NO).trim())
            .copied()
            .filter(|&g| {
                HEAD.iter()
                    .zip(&groups[g].raw_head)
                    .all(|(&f, raw)| layout.text(&record, f) == raw)
            });
        let only = known.map(|_| &LINE[..]);
        let Some(mut values) = parse_record(
            ctx.conn,
            &mut ctx.refs,
            &FIELDS,
            layout,
            &record,
            &mut ctx.problems,
            only,
        )?
        else {
            continue;
        };
        let clean = ctx.problems.count() == before;
        let has_line = LINE.iter().any(|&f| has_value(&values[f]));
        if has_line && clean && values[QUANTITY] == Some(Value::Null) {
            ctx.problems
                .add(line, FIELDS[QUANTITY].column, Problem::Required);
        }
        if let Some(g) = known {
            if has_line {
                groups[g].lines.push((line, line_values(&mut values)));
            }
            continue;
        }
        let Some(order_no) = text_of(&values[NO]).map(str::to_string) else {
            continue;
        };
        match index.get(&order_no) {
            None => {
                index.insert(order_no.clone(), groups.len());
                groups.push(Group {
                    order_no,
                    first_line: line,
                    raw_head: HEAD
                        .iter()
                        .map(|&f| layout.text(&record, f).to_string())
                        .collect(),
                    lines: if has_line {
                        vec![(line, line_values(&mut values))]
                    } else {
                        Vec::new()
                    },
                    head: values,
                });
            }
            Some(&g) => {
                let group = &mut groups[g];
                if clean {
                    for f in HEAD {
                        if values[f] != group.head[f] {
                            ctx.problems.add(
                                line,
                                FIELDS[f].column,
                                Problem::OrderDiffers {
                                    order: order_no.clone(),
                                    line: group.first_line,
                                    value: group.head[f].as_ref().map(shown).unwrap_or_default(),
                                },
                            );
                        }
                    }
                }
                if has_line {
                    group.lines.push((line, line_values(&mut values)));
                }
            }
        }
    }
    Ok((groups, rows))
}

/// Empty order fields that cannot be empty get their defaults (the currency from the
/// settings); on a new order, so do the columns the file does not have.
fn fill_head(ctx: &Ctx, head: &mut Values, inserting: bool) {
    apply_defaults(&FIELDS, head, inserting);
    let currency = &mut head[CURRENCY];
    let empty = match currency {
        None => inserting,
        Some(v) => *v == Value::Null,
    };
    if empty {
        *currency = Some(Value::Text(ctx.currency.clone()));
    }
}

/// The draft the domain rules read, from the order fields and the lines.
fn draft(head: &[Value], lines: &[Vec<Value>]) -> OrderDraft {
    let text = |v: &Value| match v {
        Value::Text(s) => s.clone(),
        _ => String::new(),
    };
    let int = |v: &Value| match v {
        Value::Integer(i) => Some(*i),
        _ => None,
    };
    let date = |v: &Value| match v {
        Value::Text(s) => parse_date(s).ok(),
        _ => None,
    };
    let decimal = |v: &Value| match v {
        Value::Text(s) => parse_decimal(s).ok(),
        _ => None,
    };
    // `head` follows HEAD, each line follows LINE.
    OrderDraft {
        order_no: text(&head[0]),
        customer_id: int(&head[1]),
        order_type: OrderType::from_str(&text(&head[2])).unwrap_or(OrderType::Regular),
        status: Status::from_str(&text(&head[3])).unwrap_or(Status::Inquiry),
        ordered_at: int(&head[4]).unwrap_or_default(),
        due_date: date(&head[5]),
        delivery_address: text(&head[6]),
        currency: text(&head[7]),
        payment_due: date(&head[8]),
        paid_at: date(&head[9]),
        missing_reason: text(&head[10]),
        notes: text(&head[11]),
        lines: lines
            .iter()
            .map(|l| OrderLine {
                product_code: text(&l[0]),
                spec: text(&l[1]),
                quantity: decimal(&l[2]).unwrap_or_default(),
                unit: text(&l[3]),
                unit_price: decimal(&l[4]),
            })
            .collect(),
    }
}

fn picked(values: &Values, fields: &[usize]) -> Vec<Value> {
    fields
        .iter()
        .map(|&f| values[f].clone().unwrap_or(Value::Null))
        .collect()
}

/// The stage production starts in when an order reaches `status`, as a status change does.
fn production_stage(status: &Value) -> Option<&'static str> {
    match status {
        Value::Text(s) if s == "confirmed" => Some("materials"),
        Value::Text(s) if s == "in_production" => Some("producing"),
        _ => None,
    }
}

fn start_production(ctx: &Ctx, id: i64, status: &Value) -> Result<()> {
    if let Some(stage) = production_stage(status) {
        ctx.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO production (order_id, stage, updated_at) VALUES (?1, ?2, ?3)",
            )
            .and_then(|mut s| s.execute(params![id, stage, ctx.now]))
            .doing("starting production progress")?;
    }
    Ok(())
}

fn insert_line(ctx: &Ctx, order: i64, line_no: i64, line: &[Value]) -> Result<()> {
    ctx.conn
        .prepare_cached(
            "INSERT INTO order_lines (order_id, line_no, product_code, spec, quantity, unit, unit_price)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .and_then(|mut s| {
            s.execute(params![order, line_no, line[0], line[1], line[2], line[3], line[4]])
        })
        .doing("importing an order line")?;
    Ok(())
}

fn history(ctx: &Ctx, id: i64, from: &Value, to: &Value) -> Result<()> {
    ctx.conn
        .prepare_cached(
            "INSERT INTO status_history (order_id, from_status, to_status, happened_at, recorded_at, note)
             VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
        )
        .and_then(|mut s| s.execute(params![id, from, to, ctx.now, ctx.note]))
        .doing("recording status history")?;
    Ok(())
}

fn insert(ctx: &mut Ctx, group: &Group, counts: &mut Counts) -> Result<()> {
    let mut head = group.head.clone();
    fill_head(ctx, &mut head, true);
    let mut lines: Vec<Vec<Value>> = Vec::with_capacity(group.lines.len());
    for (line, values) in &group.lines {
        if values[LINE_QUANTITY].is_none() {
            ctx.problems.add(
                *line,
                FIELDS[QUANTITY].column,
                Problem::NewLineNeedsQuantity,
            );
            continue;
        }
        lines.push(
            values
                .iter()
                .map(|v| v.clone().unwrap_or(Value::Null))
                .collect(),
        );
    }
    if !ctx.problems.is_empty() {
        return Ok(());
    }
    let head = picked(&head, &HEAD);
    let draft = draft(&head, &lines);
    let missing = draft.missing_fields().join(",");
    let total = canonical(draft.total());
    let conn = ctx.conn;
    let mut args: Vec<Value> = head.clone();
    args.extend([
        Value::Text(total),
        Value::Text(missing),
        Value::Integer(ctx.now),
    ]);
    conn.prepare_cached(
        "INSERT INTO orders (order_no, customer_id, order_type, status, ordered_at, due_date,
                delivery_address, currency, payment_due, paid_at, missing_reason, notes,
                first_due_date, total, missing, status_changed_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,
                 ?6, ?13, ?14, ?15, ?15, ?15)",
    )
    .and_then(|mut s| s.execute(params_from_iter(args)))
    .doing("importing an order")?;
    let id = conn.last_insert_rowid();
    for (i, line) in lines.iter().enumerate() {
        insert_line(ctx, id, i as i64 + 1, line)?;
    }
    history(ctx, id, &Value::Null, &head[3])?;
    start_production(ctx, id, &head[3])?;
    let (code, name) = draft
        .customer_id
        .and_then(|c| ctx.refs.customer_names(c))
        .map(|(c, n)| (c.as_str(), n.as_str()))
        .unwrap_or(("", ""));
    let body = search::order_body(
        &draft.order_no,
        code,
        name,
        draft
            .lines
            .iter()
            .map(|l| (l.product_code.as_str(), l.spec.as_str())),
        &draft.notes,
    );
    conn.prepare_cached("INSERT INTO order_search (rowid, body) VALUES (?1, ?2)")
        .and_then(|mut s| s.execute(params![id, body]))
        .doing("updating the search index")?;
    counts.inserted += 1;
    counts.lines_inserted += lines.len();
    Ok(())
}

/// A stored line: its row id, number and fields (in LINE order).
struct StoredLine {
    id: i64,
    line_no: i64,
    values: Vec<Value>,
    changed: bool,
}

fn stored_lines(ctx: &Ctx, order: i64) -> Result<Vec<StoredLine>> {
    let lines = ctx
        .conn
        .prepare_cached(
            "SELECT id, line_no, product_code, spec, quantity, unit, unit_price
             FROM order_lines WHERE order_id = ?1 ORDER BY line_no",
        )
        .and_then(|mut s| {
            s.query_map([order], |r| {
                Ok(StoredLine {
                    id: r.get(0)?,
                    line_no: r.get(1)?,
                    values: (2..7).map(|i| r.get(i)).collect::<rusqlite::Result<_>>()?,
                    changed: false,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
        })
        .doing("reading order lines")?;
    Ok(lines)
}

fn update(
    ctx: &mut Ctx,
    layout: &Layout,
    id: i64,
    group: &Group,
    counts: &mut Counts,
) -> Result<()> {
    let conn = ctx.conn;
    // The stored order: HEAD's columns, then held_from, missing, total.
    let stored: Vec<Value> = conn
        .prepare_cached(
            "SELECT order_no, customer_id, order_type, status, ordered_at, due_date,
                    delivery_address, currency, payment_due, paid_at, missing_reason, notes,
                    held_from, missing, total
             FROM orders WHERE id = ?1",
        )
        .and_then(|mut s| {
            s.query_row([id], |r| (0..15).map(|i| r.get(i)).collect())
                .optional()
        })
        .doing("reading an order")?
        .ok_or_else(|| anyhow::anyhow!("order {} vanished during the import", group.order_no))?;
    let mut file_head = group.head.clone();
    fill_head(ctx, &mut file_head, false);
    let head: Vec<Value> = HEAD
        .iter()
        .enumerate()
        .map(|(i, &f)| match &file_head[f] {
            Some(v) if layout.has(f) => v.clone(),
            _ => stored[i].clone(),
        })
        .collect();

    let mut lines = stored_lines(ctx, id)?;
    let mut next_line_no = lines.iter().map(|l| l.line_no).max().unwrap_or(0) + 1;
    let mut by_code: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, l) in lines.iter().enumerate() {
        by_code.entry(code_key(&l.values[0])).or_default().push(i);
    }
    let mut taken: HashMap<String, usize> = HashMap::new();
    let mut added: Vec<(i64, Vec<Value>)> = Vec::new();
    for (line, values) in &group.lines {
        let code = code_key(values[0].as_ref().unwrap_or(&Value::Null));
        let n = taken.entry(code.clone()).or_default();
        let matched = by_code.get(&code).and_then(|ids| ids.get(*n)).copied();
        *n += 1;
        match matched {
            Some(i) => {
                let l = &mut lines[i];
                for (pos, value) in values.iter().enumerate() {
                    if let Some(v) = value {
                        if l.values[pos] != *v {
                            l.values[pos] = v.clone();
                            l.changed = true;
                        }
                    }
                }
            }
            None if values[LINE_QUANTITY].is_none() => {
                ctx.problems.add(
                    *line,
                    FIELDS[QUANTITY].column,
                    Problem::NewLineNeedsQuantity,
                );
            }
            None => {
                added.push((
                    next_line_no,
                    values
                        .iter()
                        .map(|v| v.clone().unwrap_or(Value::Null))
                        .collect(),
                ));
                next_line_no += 1;
            }
        }
    }
    if !ctx.problems.is_empty() {
        return Ok(());
    }
    let all_lines: Vec<Vec<Value>> = lines
        .iter()
        .map(|l| l.values.clone())
        .chain(added.iter().map(|(_, v)| v.clone()))
        .collect();
    let draft = draft(&head, &all_lines);
    let missing = Value::Text(draft.missing_fields().join(","));
    let total = Value::Text(canonical(draft.total()));
    let lines_changed = lines.iter().filter(|l| l.changed).count();
    if head[..] == stored[..12]
        && missing == stored[13]
        && total == stored[14]
        && lines_changed == 0
        && added.is_empty()
    {
        counts.unchanged += 1;
        return Ok(());
    }

    let (old_status, new_status) = (&stored[3], &head[3]);
    let status_changed = old_status != new_status;
    let held_from = if !status_changed {
        stored[12].clone()
    } else if new_status == &Value::Text("on_hold".into()) {
        old_status.clone()
    } else {
        Value::Null
    };
    if status_changed {
        history(ctx, id, old_status, new_status)?;
        start_production(ctx, id, new_status)?;
    }
    let (old_due, new_due) = (&stored[5], &head[5]);
    if old_due != new_due && *old_due != Value::Null {
        conn.prepare_cached(
            "INSERT INTO due_date_revisions (order_id, old_due, new_due, changed_at, reason)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut s| s.execute(params![id, old_due, new_due, ctx.now, ctx.note]))
        .doing("keeping the due date revision")?;
    }
    let mut args: Vec<Value> = head[1..].to_vec();
    args.extend([
        total,
        missing,
        held_from,
        Value::Integer(ctx.now),
        Value::Integer(status_changed as i64),
        Value::Integer(id),
    ]);
    conn.prepare_cached(
        "UPDATE orders SET customer_id = ?1, order_type = ?2, status = ?3, ordered_at = ?4,
                due_date = ?5, first_due_date = ifnull(first_due_date, ?5),
                delivery_address = ?6, currency = ?7, payment_due = ?8, paid_at = ?9,
                missing_reason = ?10, notes = ?11, total = ?12, missing = ?13, held_from = ?14,
                status_changed_at = CASE WHEN ?16 THEN ?15 ELSE status_changed_at END,
                updated_at = ?15, version = version + 1
         WHERE id = ?17",
    )
    .and_then(|mut s| s.execute(params_from_iter(args)))
    .doing("updating an order")?;
    for l in lines.iter().filter(|l| l.changed) {
        let v = &l.values;
        conn.prepare_cached(
            "UPDATE order_lines SET product_code = ?1, spec = ?2, quantity = ?3, unit = ?4,
                    unit_price = ?5 WHERE id = ?6",
        )
        .and_then(|mut s| s.execute(params![v[0], v[1], v[2], v[3], v[4], l.id]))
        .doing("updating an order line")?;
    }
    for (line_no, values) in &added {
        insert_line(ctx, id, *line_no, values)?;
    }
    search::reindex_order(conn, id)?;
    counts.updated += 1;
    counts.lines_updated += lines_changed;
    counts.lines_inserted += added.len();
    Ok(())
}

/// Lines are matched by product code; lines without one match each other.
fn code_key(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::Kind;

    #[test]
    fn the_fields_are_the_spec_columns_in_order() {
        let columns: Vec<&str> = FIELDS.iter().map(|f| f.column).collect();
        assert_eq!(columns, Kind::Orders.columns());
        let mut all: Vec<usize> = HEAD.iter().chain(LINE.iter()).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..FIELDS.len()).collect::<Vec<_>>());
    }
}
