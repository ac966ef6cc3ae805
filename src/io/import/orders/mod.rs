//! `orders.csv`: one row per order line, the order's own fields repeated on each row (they
//! must agree). A new order number creates the order with the lines of its rows, in file
//! order. An existing one is updated: its fields from the file's columns, and its lines
//! matched by product code (the n-th row with a code updates the n-th stored line with that
//! code; other rows add lines). Lines the file does not mention are kept.
//!
//! What the app derives is derived here too: the missing mandatory fields, the total, the
//! first promised due date, the status history, production progress for confirmed orders and
//! the search index. Statuses are taken as given: imported history is the truth.

mod write;

use super::bulk;
use super::fields::{parse_record, shown, text_of, Field, Layout, Parse, Values};
use super::problems::Problem;
use super::source::Record;
use super::{Counts, Ctx};
use crate::domain::enums::OrderType;
use crate::domain::status::Status;
use crate::store::Context;
use anyhow::Result;
use rusqlite::types::Value;
use write::{insert, update};

fn status_words() -> Vec<&'static str> {
    <Status as strum::IntoEnumIterator>::iter()
        .map(Status::as_str)
        .collect()
}

/// The SPEC §5 columns in their order; the indexes below point into this list.
pub(super) static FIELDS: [Field; 17] = [
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
pub(super) const CURRENCY: usize = 7;
const PAY_DUE: usize = 8;
const PAID: usize = 9;
const PRODUCT: usize = 10;
const SPEC: usize = 11;
pub(super) const QUANTITY: usize = 12;
const UNIT: usize = 13;
const PRICE: usize = 14;
const MISSING_REASON: usize = 15;
const NOTES: usize = 16;

/// The order's own fields, in the order of the `orders` columns read and written below.
pub(super) const HEAD: [usize; 12] = [
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
pub(super) const LINE: [usize; 5] = [PRODUCT, SPEC, QUANTITY, UNIT, PRICE];

/// A line's cells as read, in LINE order; `None` where the file has no such column.
pub(super) type LineValues = [Option<Value>; 5];

fn line_values(values: &mut Values) -> LineValues {
    LINE.map(|f| values[f].take())
}

/// Position of the quantity in LineValues.
pub(super) const LINE_QUANTITY: usize = 2;

/// All rows of one order number.
pub(super) struct Group {
    pub order_no: String,
    pub first_line: u64,
    /// The cells of the order fields on its first row, as written.
    pub raw_head: Vec<String>,
    /// The order fields (line fields unused).
    pub head: Values,
    /// Rows that carry a line: their line and the line's values (in LINE order).
    pub lines: Vec<(u64, LineValues)>,
}

/// Reads the rows, writing each order when its last row has been read (its rows follow one
/// another) while nothing is wrong; after the first problem it only reads on to list the
/// others. One order's rows are held at a time, never the file.
pub fn import(ctx: &mut Ctx) -> Result<Counts> {
    let Some(layout) = ctx.header(&FIELDS)? else {
        return Ok(Counts::default());
    };
    // Orders with a higher id were written by this import: meeting one again means its rows
    // were not together.
    let before: i64 = ctx
        .conn
        .query_row("SELECT COALESCE(MAX(id), 0) FROM orders", [], |r| r.get(0))
        .doing("reading the orders")?;
    // Into a desk without orders, the whole import is a bulk load, its search index built
    // on the second core.
    if without_orders(ctx.conn)? && ctx.bulk.is_none() {
        ctx.bulk = Some(bulk::Deferred::start_fresh(ctx.conn)?);
    }
    let mut counts = Counts::default();
    let mut group: Option<Group> = None;
    let mut record = Record::default();
    while ctx.next(&mut record)? {
        if record.is_blank() {
            continue;
        }
        counts.rows += 1;
        let line = record.line;
        let before_problems = ctx.problems.count();
        // A later row of an order usually repeats its fields word for word: then only its
        // line needs reading.
        let same = group.as_ref().filter(|g| {
            layout.text(&record, NO).trim() == g.order_no
                && HEAD
                    .iter()
                    .zip(&g.raw_head)
                    .all(|(&f, raw)| layout.text(&record, f) == raw)
        });
        let only = same.map(|_| &LINE[..]);
        let Some(mut values) = parse_record(
            ctx.conn,
            &mut ctx.refs,
            &FIELDS,
            &layout,
            &record,
            &mut ctx.problems,
            only,
        )?
        else {
            continue;
        };
        let clean = ctx.problems.count() == before_problems;
        let has_line = LINE.iter().any(|&f| has_value(&values[f]));
        if has_line && clean && values[QUANTITY] == Some(Value::Null) {
            ctx.problems
                .add(line, FIELDS[QUANTITY].column, Problem::Required);
        }
        if same.is_some() {
            if let Some(g) = group.as_mut().filter(|_| has_line) {
                g.lines.push((line, line_values(&mut values)));
            }
            continue;
        }
        let Some(order_no) = text_of(&values[NO]).map(str::to_string) else {
            continue;
        };
        if let Some(g) = group.as_mut().filter(|g| g.order_no == order_no) {
            if clean {
                for f in HEAD {
                    if values[f] != g.head[f] {
                        ctx.problems.add(
                            line,
                            FIELDS[f].column,
                            Problem::OrderDiffers {
                                order: order_no.clone(),
                                line: g.first_line,
                                value: g.head[f].as_ref().map(shown).unwrap_or_default(),
                            },
                        );
                    }
                }
            }
            if has_line {
                g.lines.push((line, line_values(&mut values)));
            }
            continue;
        }
        if let Some(done) = group.take() {
            write_group(ctx, &layout, &done, &mut counts)?;
            // Past the size of the table it started with, a big import loads in bulk.
            if ctx.bulk.is_none()
                && ctx.problems.is_empty()
                && counts.inserted as u64 >= bulk::BULK_ROWS.max(before.max(0) as u64)
            {
                ctx.bulk = Some(bulk::Deferred::start(ctx.conn, &bulk::ORDER_TABLES)?);
            }
        }
        if ctx.problems.is_empty() {
            if let Some(id) = order_id(ctx, &order_no)? {
                if id > before {
                    ctx.problems.add(
                        line,
                        FIELDS[NO].column,
                        Problem::OrderNotTogether(order_no.clone()),
                    );
                }
            }
        }
        group = Some(Group {
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
    if let Some(done) = group.take() {
        write_group(ctx, &layout, &done, &mut counts)?;
    }
    Ok(counts)
}

/// The desk has no orders yet (nor search documents): an import of orders only adds pages.
pub(super) fn without_orders(conn: &rusqlite::Connection) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM orders)
                AND NOT EXISTS (SELECT 1 FROM order_search_docsize)",
            [],
            |r| r.get(0),
        )
        .doing("reading the orders")?)
}

fn order_id(ctx: &Ctx, order_no: &str) -> Result<Option<i64>> {
    use rusqlite::OptionalExtension;
    Ok(ctx
        .conn
        .prepare_cached("SELECT id FROM orders WHERE order_no = ?1")
        .and_then(|mut s| s.query_row([order_no], |r| r.get(0)).optional())
        .doing("finding an order")?)
}

/// Writes one order with its lines, unless a problem has been found (then nothing more is).
fn write_group(ctx: &mut Ctx, layout: &Layout, group: &Group, counts: &mut Counts) -> Result<()> {
    if !ctx.problems.is_empty() {
        return Ok(());
    }
    match order_id(ctx, &group.order_no)? {
        None => insert(ctx, group, counts),
        Some(id) => update(ctx, layout, id, group, counts),
    }
}

fn has_value(v: &Option<Value>) -> bool {
    matches!(v, Some(v) if *v != Value::Null)
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
