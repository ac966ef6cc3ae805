//! Writing the orders of a checked file: a new order with everything the app derives, or an
//! update of a stored one, field by field and line by line.

use super::{Group, CURRENCY, FIELDS, HEAD, LINE_QUANTITY, QUANTITY};
use crate::domain::enums::OrderType;
use crate::domain::money::{canonical, parse_decimal};
use crate::domain::order::{OrderDraft, OrderLine};
use crate::domain::status::Status;
use crate::domain::time::parse_date;
use crate::io::import::fields::{Layout, Values};
use crate::io::import::problems::Problem;
use crate::io::import::simple::apply_defaults;
use crate::io::import::{Counts, Ctx};
use crate::store::{search, Context};
use anyhow::Result;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, OptionalExtension};
use std::collections::HashMap;
use std::str::FromStr;

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

pub(super) fn insert(ctx: &mut Ctx, group: &Group, counts: &mut Counts) -> Result<()> {
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
    match ctx.bulk.as_mut().filter(|b| b.indexes_aside()) {
        Some(aside) => aside.index(id, body)?,
        None => {
            conn.prepare_cached("INSERT INTO order_search (rowid, body) VALUES (?1, ?2)")
                .and_then(|mut s| s.execute(params![id, body]))
                .doing("updating the search index")?;
        }
    }
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

pub(super) fn update(
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
