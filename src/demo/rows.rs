//! Rows of the order tables as the generator makes them, gathered in chunks of a few
//! thousand orders and written table by table. Writing one table at a time keeps its
//! statement and the right edge of its b-trees hot in the CPU cache, which is several times
//! faster than interleaving eight statements per order.

use super::clock::Clock;
use super::customers::DemoCustomer;
use crate::store::{Context, Result as StoreResult};
use rusqlite::{Statement, Transaction};

/// Calendar days are kept as offsets from today until written (see [`Clock::date`]).
pub type Day = i64;

pub struct OrderRow {
    pub id: i64,
    pub order_no: String,
    pub customer_id: Option<i64>,
    pub order_type: &'static str,
    pub status: &'static str,
    pub held_from: Option<&'static str>,
    pub ordered_at: i64,
    pub due_date: Option<Day>,
    pub first_due_date: Option<Day>,
    /// Index of the customer whose address is the delivery address, if one is set.
    pub address_of: Option<u32>,
    pub currency: &'static str,
    pub payment_due: Option<Day>,
    pub paid_at: Option<Day>,
    pub total: String,
    pub missing: String,
    pub missing_reason: Option<&'static str>,
    pub notes: Option<&'static str>,
    pub delivered_at: Option<i64>,
    pub status_changed_at: i64,
    pub updated_at: i64,
}

pub struct LineRow {
    pub id: i64,
    pub order_id: i64,
    pub line_no: i64,
    pub product_code: Option<String>,
    pub spec: String,
    pub quantity: String,
    pub unit: String,
    pub unit_price: Option<String>,
}

pub struct HistoryRow {
    pub id: i64,
    pub order_id: i64,
    pub from: &'static str,
    pub to: &'static str,
    pub happened_at: i64,
    pub recorded_at: i64,
    pub note: Option<&'static str>,
}

pub struct RevisionRow {
    pub id: i64,
    pub order_id: i64,
    pub old_due: Day,
    pub new_due: Day,
    pub changed_at: i64,
    pub reason: &'static str,
}

pub struct ProductionRow {
    pub order_id: i64,
    pub stage: &'static str,
    pub materials: &'static str,
    pub scheduled_start: Day,
    pub planned_finish: Day,
    pub percent: i64,
    pub updated_at: i64,
}

pub struct ExceptionRow {
    pub id: i64,
    pub order_id: i64,
    pub kind: &'static str,
    pub cause: &'static str,
    pub opened_at: i64,
    pub customer_informed_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub note: &'static str,
}

pub struct ShipmentRow {
    pub id: i64,
    pub order_id: i64,
    pub carrier: &'static str,
    pub waybill_no: String,
    pub mode: &'static str,
    pub shipped_at: Option<i64>,
    pub eta: i64,
    pub delivered_at: Option<i64>,
    pub status: &'static str,
    pub weight_kg: String,
    pub packages: i64,
}

/// The rows of a run of consecutive orders.
#[derive(Default)]
pub struct Chunk {
    pub orders: Vec<OrderRow>,
    pub lines: Vec<LineRow>,
    pub history: Vec<HistoryRow>,
    pub revisions: Vec<RevisionRow>,
    pub production: Vec<ProductionRow>,
    pub exceptions: Vec<ExceptionRow>,
    pub shipments: Vec<ShipmentRow>,
    /// Search documents: order id and its `order_body` (built on their own, see `search`).
    pub search: Vec<(i64, String)>,
}

/// Rows per multi-row INSERT: one statement for 64 rows costs about half as much per row
/// as 64 single-row statements.
pub(super) const BATCH: usize = 64;

/// An INSERT into one table, `batch` rows per statement, with a single-row statement for
/// the rest of a slice.
///
/// The multi-row statements say `OR FAIL` and run with foreign keys off: a statement that
/// may abort half-way needs a statement journal, and with it SQLite copies every page it
/// touches and FTS5 flushes its buffer, which would undo the gain. Any failure still rolls
/// back the whole demo transaction.
pub(super) struct BulkInsert<'t> {
    many: Statement<'t>,
    one: Statement<'t>,
    columns: usize,
    batch: usize,
}

impl<'t> BulkInsert<'t> {
    pub(super) fn new(
        tx: &'t Transaction,
        table: &str,
        columns: &[&str],
        batch: usize,
    ) -> StoreResult<BulkInsert<'t>> {
        let row = format!("({})", vec!["?"; columns.len()].join(","));
        let sql = |rows: usize| {
            format!(
                "INSERT OR FAIL INTO {table} ({}) VALUES {}",
                columns.join(","),
                vec![row.as_str(); rows].join(",")
            )
        };
        Ok(BulkInsert {
            many: tx.prepare(&sql(batch)).doing("preparing demo inserts")?,
            one: tx.prepare(&sql(1)).doing("preparing demo inserts")?,
            columns: columns.len(),
            batch,
        })
    }

    /// Inserts `rows`; `bind` binds one row's values from parameter `first` on.
    pub(super) fn write<R>(
        &mut self,
        rows: &[R],
        doing: &'static str,
        mut bind: impl FnMut(&mut Statement, usize, &R) -> rusqlite::Result<()>,
    ) -> StoreResult<()> {
        let mut batches = rows.chunks_exact(self.batch);
        for batch in &mut batches {
            for (i, r) in batch.iter().enumerate() {
                bind(&mut self.many, i * self.columns + 1, r).doing(doing)?;
            }
            self.many.raw_execute().doing(doing)?;
        }
        for r in batches.remainder() {
            bind(&mut self.one, 1, r).doing(doing)?;
            self.one.raw_execute().doing(doing)?;
        }
        Ok(())
    }
}

/// Binds values to consecutive parameters from `first` on.
macro_rules! bind {
    ($stmt:expr, $first:expr; $($value:expr),+ $(,)?) => {{
        let mut at = $first;
        $(
            $stmt.raw_bind_parameter(at, $value)?;
            at += 1;
        )+
        let _ = at;
        Ok(())
    }};
}

/// Prepared inserts for every order table, written chunk by chunk.
pub struct Writer<'t> {
    clock: &'t Clock,
    customers: &'t [DemoCustomer],
    orders: BulkInsert<'t>,
    lines: BulkInsert<'t>,
    history: BulkInsert<'t>,
    revisions: BulkInsert<'t>,
    production: BulkInsert<'t>,
    exceptions: BulkInsert<'t>,
    shipments: BulkInsert<'t>,
}

impl<'t> Writer<'t> {
    pub fn new(
        tx: &'t Transaction,
        clock: &'t Clock,
        customers: &'t [DemoCustomer],
    ) -> StoreResult<Writer<'t>> {
        let bulk = |table, columns: &[&str]| BulkInsert::new(tx, table, columns, BATCH);
        Ok(Writer {
            clock,
            customers,
            orders: bulk(
                "orders",
                &[
                    "id",
                    "order_no",
                    "customer_id",
                    "order_type",
                    "status",
                    "held_from",
                    "ordered_at",
                    "due_date",
                    "first_due_date",
                    "delivery_address",
                    "currency",
                    "payment_due",
                    "paid_at",
                    "total",
                    "missing",
                    "missing_reason",
                    "notes",
                    "delivered_at",
                    "status_changed_at",
                    "created_at",
                    "updated_at",
                ],
            )?,
            lines: bulk(
                "order_lines",
                &[
                    "id",
                    "order_id",
                    "line_no",
                    "product_code",
                    "spec",
                    "quantity",
                    "unit",
                    "unit_price",
                ],
            )?,
            history: bulk(
                "status_history",
                &[
                    "id",
                    "order_id",
                    "from_status",
                    "to_status",
                    "happened_at",
                    "recorded_at",
                    "note",
                ],
            )?,
            revisions: bulk(
                "due_date_revisions",
                &[
                    "id",
                    "order_id",
                    "old_due",
                    "new_due",
                    "changed_at",
                    "reason",
                ],
            )?,
            production: bulk(
                "production",
                &[
                    "order_id",
                    "stage",
                    "materials",
                    "scheduled_start",
                    "planned_finish",
                    "percent_complete",
                    "updated_at",
                ],
            )?,
            exceptions: bulk(
                "exceptions",
                &[
                    "id",
                    "order_id",
                    "kind",
                    "cause",
                    "opened_at",
                    "customer_informed_at",
                    "resolved_at",
                    "note",
                ],
            )?,
            shipments: bulk(
                "shipments",
                &[
                    "id",
                    "order_id",
                    "carrier",
                    "waybill_no",
                    "mode",
                    "shipped_at",
                    "eta",
                    "delivered_at",
                    "status",
                    "weight_kg",
                    "packages",
                ],
            )?,
        })
    }

    /// Writes every row of the chunk but the search documents, parents before children.
    pub fn write(&mut self, chunk: &Chunk) -> StoreResult<()> {
        let (clock, customers) = (self.clock, self.customers);
        let date = |d: Option<Day>| d.map(|d| clock.date(d));
        self.orders
            .write(&chunk.orders, "inserting demo orders", |s, at, r| {
                let address = r.address_of.map(|c| customers[c as usize].address.as_str());
                bind!(s, at;
                r.id, &r.order_no, r.customer_id, r.order_type, r.status, r.held_from,
                r.ordered_at, date(r.due_date), date(r.first_due_date), address, r.currency,
                date(r.payment_due), date(r.paid_at), &r.total, &r.missing, r.missing_reason,
                r.notes, r.delivered_at, r.status_changed_at, r.ordered_at, r.updated_at)
            })?;
        self.lines
            .write(&chunk.lines, "inserting demo order lines", |s, at, r| {
                bind!(s, at;
                r.id, r.order_id, r.line_no, &r.product_code, &r.spec, &r.quantity, &r.unit,
                &r.unit_price)
            })?;
        self.history.write(&chunk.history, "inserting demo status history", |s, at, r| {
            bind!(s, at; r.id, r.order_id, r.from, r.to, r.happened_at, r.recorded_at, r.note)
        })?;
        self.revisions.write(
            &chunk.revisions,
            "inserting demo due-date revisions",
            |s, at, r| {
                bind!(s, at;
                r.id, r.order_id, clock.date(r.old_due), clock.date(r.new_due), r.changed_at,
                r.reason)
            },
        )?;
        self.production.write(
            &chunk.production,
            "inserting demo production",
            |s, at, r| {
                bind!(s, at;
                r.order_id, r.stage, r.materials, clock.date(r.scheduled_start),
                clock.date(r.planned_finish), r.percent, r.updated_at)
            },
        )?;
        self.exceptions.write(
            &chunk.exceptions,
            "inserting demo exceptions",
            |s, at, r| {
                bind!(s, at;
                r.id, r.order_id, r.kind, r.cause, r.opened_at, r.customer_informed_at,
                r.resolved_at, r.note)
            },
        )?;
        self.shipments
            .write(&chunk.shipments, "inserting demo shipments", |s, at, r| {
                bind!(s, at;
                r.id, r.order_id, r.carrier, &r.waybill_no, r.mode, r.shipped_at, r.eta,
                r.delivered_at, r.status, &r.weight_kg, r.packages)
            })
    }
}
