//! `orderdesk demo`: fills an empty file with realistic, deterministic data for every entity
//! (SPEC §6): customers in Chinese and English, orders over the last 13 months with their
//! whole story (status history, production, exceptions, due-date revisions, shipments),
//! complaints, contacts, surveys, requirements and follow-ups. The same seed on the same day
//! gives the same data.
//!
//! Speed matters (1,000,000 orders in under a minute), so everything is written in one
//! transaction through prepared statements, in id order, with durability relaxed for the
//! duration: a crash leaves an empty file, which is what there was before.

mod aftersales;
mod bulk;
mod clock;
mod customers;
mod orders;
mod progress;
mod rows;
pub(crate) mod search;
mod story;
mod words;

#[cfg(test)]
mod tests;

use crate::store::{audit, Context, Store};
use anyhow::{anyhow, bail, Context as _, Result};
use chrono::NaiveDate;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rusqlite::Connection;
use std::sync::mpsc::Receiver;

/// How many rows of each kind were made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub customers: usize,
    pub orders: usize,
    pub lines: usize,
    pub shipments: usize,
    pub complaints: usize,
    pub contacts: usize,
    pub surveys: usize,
    pub requirements: usize,
    pub exceptions: usize,
    pub followups: usize,
}

/// Fills the empty file behind `store` with `orders` orders and everything around them,
/// dated relative to today.
pub fn generate(store: &mut Store, orders: usize, seed: u64) -> Result<DemoSummary> {
    generate_on(store, orders, seed, crate::domain::time::today())
}

/// [`generate`] as if today were `today`: the same seed and day give identical data.
pub fn generate_on(
    store: &mut Store,
    orders: usize,
    seed: u64,
    today: NaiveDate,
) -> Result<DemoSummary> {
    refuse_non_empty(store.conn(), &store.path().display().to_string())?;
    let words = words::Words::load().context("demo word lists")?;
    let clock = clock::Clock::new(today);
    let scratch = search::Scratch::beside(store.path());
    let saved = bulk::BulkSettings::apply(store.conn())?;
    let keyed = store.passphrase().is_some();
    let result = (|| -> Result<DemoSummary> {
        search::attach(store.conn(), &scratch, keyed)?;
        let filled = fill(store, &words, &clock, &scratch, orders, seed);
        let detached = search::detach(store.conn());
        let summary = filled?;
        detached?;
        Ok(summary)
    })();
    let restored = saved.restore(store.conn());
    let summary = result?;
    restored?;
    search::forget_cached_structure(store.conn())?;
    Ok(summary)
}

fn refuse_non_empty(conn: &Connection, path: &str) -> Result<()> {
    let count = |table: &str| -> Result<i64> {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .with_context(|| format!("counting {table}"))
    };
    let (orders, customers) = (count("orders")?, count("customers")?);
    if orders > 0 || customers > 0 {
        bail!(
            "demo fills an empty file; {path} already has {orders} orders and {customers} \
             customers (use --db with a new file)"
        );
    }
    Ok(())
}

/// Orders generated and written at a time: enough to keep each table's inserts in a tight
/// loop, few enough to stay in the CPU cache.
const CHUNK_ORDERS: usize = 2048;
/// Chunks generated ahead of the writer: enough work queued for the generator's thread to
/// index a batch of search documents in between.
const WRITER_QUEUE_CHUNKS: usize = 16;

/// Random streams of one seed: each part draws from its own, so changing how much one part
/// draws leaves the others' data as it was.
fn stream(seed: u64, part: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(part);
    rng
}

/// Everything, in one transaction.
fn fill(
    store: &mut Store,
    words: &words::Words,
    clock: &clock::Clock,
    scratch: &search::Scratch,
    orders: usize,
    seed: u64,
) -> Result<DemoSummary> {
    let mut summary = DemoSummary::default();
    // Deferred, not immediate: an immediate transaction would also lock the attached
    // scratch file, which the indexing thread is writing (see `search::attach`). The first
    // statement writes, so the file is held from there on.
    let tx =
        rusqlite::Transaction::new_unchecked(store.conn(), rusqlite::TransactionBehavior::Deferred)
            .doing("starting the demo transaction")?;
    let indexes = crate::store::bulk::DroppedIndexes::drop_all(&tx)?;
    let customer_count = (orders / 50).max(10);
    let customers = customers::insert_customers(&tx, words, customer_count, &mut stream(seed, 0))?;
    summary.customers = customers.len();
    let parts = Parts {
        tx: &tx,
        words,
        clock,
        customers: &customers,
        seed,
    };
    parts.orders_and_more(orders, scratch, indexes, &mut summary)?;
    audit::append(
        &tx,
        "demo",
        "database",
        "all",
        &serde_json::json!({"orders": orders, "seed": seed}),
    )?;
    tx.commit().doing("saving the demo data")?;
    Ok(summary)
}

/// What generating orders and everything after them needs.
struct Parts<'a> {
    tx: &'a rusqlite::Transaction<'a>,
    words: &'a words::Words,
    clock: &'a clock::Clock,
    customers: &'a [customers::DemoCustomer],
    seed: u64,
}

impl Parts<'_> {
    /// Orders, after-sales records, the indexes and the search index. Two threads share the
    /// work: this one writes; the other generates the orders and builds the search index in
    /// a scratch file, which is copied in at the end.
    fn orders_and_more(
        &self,
        orders: usize,
        scratch: &search::Scratch,
        indexes: crate::store::bulk::DroppedIndexes,
        summary: &mut DemoSummary,
    ) -> Result<()> {
        let index_sql = search::index_sql(self.tx)?;
        std::thread::scope(|scope| {
            let (chunks_out, chunks) = std::sync::mpsc::sync_channel(WRITER_QUEUE_CHUNKS);
            let (facts_out, facts) = std::sync::mpsc::channel();
            // The worker gets what it reads, never the transaction (which stays here).
            let (seed, clock, words, customers) =
                (self.seed, self.clock, self.words, self.customers);
            let worker = scope.spawn(move || -> crate::store::Result<()> {
                let indexer = search::Indexer::create(scratch.path(), &index_sql)?;
                let mut feeder = search::Feeder::new(chunks_out, indexer);
                let mut gen = orders::Gen::new(stream(seed, 1), clock, words, customers);
                let made = gen.run(orders, CHUNK_ORDERS, |chunk| feeder.emit(chunk));
                // The writer needs the facts for after-sales; indexing goes on meanwhile,
                // unless the writer gave up.
                if facts_out.send(made).is_err() {
                    return Ok(());
                }
                feeder.finish()
            });
            let joined = |worker: std::thread::ScopedJoinHandle<'_, _>| -> Result<()> {
                let result: crate::store::Result<()> = worker
                    .join()
                    .map_err(|_| anyhow!("the demo generator stopped unexpectedly"))?;
                Ok(result?)
            };
            if let Err(e) = self.write_orders(chunks, summary) {
                drop(facts);
                let _ = joined(worker);
                return Err(e.into());
            }
            let facts = match facts.recv() {
                Ok(facts) if facts.len() == orders => facts,
                _ => {
                    joined(worker)?;
                    bail!("the demo generator stopped early");
                }
            };
            summary.orders = facts.len();
            self.after_sales(&facts, orders, summary)?;
            bulk::sort_in_small_runs(self.tx)?;
            indexes.rebuild(self.tx)?;
            joined(worker)?;
            search::copy_attached(self.tx)?;
            Ok(())
        })
    }

    /// Writes the chunks of orders as they arrive.
    fn write_orders(
        &self,
        chunks: Receiver<rows::Chunk>,
        summary: &mut DemoSummary,
    ) -> crate::store::Result<()> {
        let mut writer = rows::Writer::new(self.tx, self.clock, self.customers)?;
        for chunk in chunks {
            summary.lines += chunk.lines.len();
            summary.shipments += chunk.shipments.len();
            summary.exceptions += chunk.exceptions.len();
            writer.write(&chunk)?;
        }
        Ok(())
    }

    fn after_sales(
        &self,
        facts: &[orders::OrderFact],
        orders: usize,
        summary: &mut DemoSummary,
    ) -> crate::store::Result<()> {
        aftersales::AfterSales {
            rng: &mut stream(self.seed, 2),
            clock: self.clock,
            words: self.words,
            customers: self.customers,
            facts,
            summary,
        }
        .run(self.tx, orders)
    }
}
