//! SQL for customers: the list, the detail with everything kept about a customer, and the
//! lookups used by the forms; saving in `write`.

use super::complaints::ComplaintRow;
use super::contacts::{self, ContactItem, Scope};
use super::list::{like_escape, Filter, ListEntity, SearchClause, Sort};
use super::requirements::{self, RequirementItem};
use super::surveys::{self, SurveyItem};
use super::{Context, Refusal, Result, StoreError};
use crate::domain::customer::CustomerDraft;
use crate::domain::enums::{Channel, CustomerType, Language};
use crate::domain::status::Status;
use crate::domain::time::parse_date;
use crate::store::{Record, RecordKind};
use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row};
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub contact_person: String,
    pub channel: String,
    pub language: String,
    pub key_account: bool,
    pub open_orders: i64,
    pub open_complaints: i64,
    /// Inbound contacts awaiting a reply, and when the oldest of them came in.
    pub unanswered: i64,
    pub oldest_unanswered_at: Option<i64>,
    pub version: i64,
}

impl ListEntity for CustomerRow {
    const FROM: &'static str = "customers cu";
    const COUNT_FROM: &'static str = "customers cu";
    const ID: &'static str = "cu.id";
    const COLUMNS: &'static str = "cu.code, cu.name, ifnull(cu.contact_person,''), cu.preferred_channel, \
        cu.language, cu.key_account, \
        (SELECT count(*) FROM orders o WHERE o.customer_id = cu.id \
           AND o.status IN /* Status::is_open, held to it by store::sql's tests */ ('inquiry','quoted','confirmed','in_production','ready','shipped','on_hold')), \
        (SELECT count(*) FROM complaints k WHERE k.customer_id = cu.id AND k.resolved_at IS NULL), \
        (SELECT count(*) FROM contacts c \
           WHERE c.customer_id = cu.id AND c.direction = 'in' AND c.replied_at IS NULL), \
        (SELECT min(c.at) FROM contacts c \
           WHERE c.customer_id = cu.id AND c.direction = 'in' AND c.replied_at IS NULL), \
        cu.version";

    fn sorts() -> &'static [Sort] {
        &[
            Sort {
                key: "code",
                expr: "cu.code",
                desc: false,
            },
            Sort {
                key: "name",
                expr: "cu.name",
                desc: false,
            },
        ]
    }

    fn filters() -> Vec<Filter> {
        let mut f = vec![Filter {
            key: "key_account".into(),
            group: "key",
            sql: "cu.key_account = 1".into(),
        }];
        for c in crate::domain::enums::Channel::words() {
            f.push(Filter {
                key: format!("channel:{c}"),
                group: "channel",
                sql: format!("cu.preferred_channel = '{c}'"),
            });
        }
        for t in CustomerType::words() {
            f.push(Filter {
                key: format!("customer_type:{t}"),
                group: "customer_type",
                sql: format!("cu.type = '{t}'"),
            });
        }
        // The customers concerned are collected once per query from the covering partial
        // indexes of V3, and the `+` keeps the list walking in its own order (a sort of
        // thousands of customers otherwise): about 3 ms at 20,000 customers even when half
        // of them qualify, far less when few do.
        f.push(Filter {
            key: "open_complaints".into(),
            group: "open_complaints",
            sql: "+cu.id IN (SELECT customer_id FROM complaints \
                  INDEXED BY complaints_open_by_customer WHERE resolved_at IS NULL)"
                .into(),
        });
        f.push(Filter {
            key: "unanswered".into(),
            group: "unanswered",
            sql: "+cu.id IN (SELECT customer_id FROM contacts \
                  INDEXED BY contacts_unanswered_by_customer \
                  WHERE direction = 'in' AND replied_at IS NULL)"
                .into(),
        });
        f
    }

    fn search(query: &str) -> Option<SearchClause> {
        if query.is_empty() {
            return None;
        }
        let esc = like_escape(query);
        Some(SearchClause {
            sql: "(cu.name LIKE :q ESCAPE '\\' OR cu.code LIKE :q ESCAPE '\\' \
                  OR cu.contact_person LIKE :q ESCAPE '\\' OR cu.notes LIKE :q ESCAPE '\\' \
                  OR cu.email LIKE :q ESCAPE '\\' OR cu.phone LIKE :q ESCAPE '\\')"
                .into(),
            params: vec![(":q".into(), Value::Text(format!("%{esc}%")))],
        })
    }

    fn from_row(r: &Row) -> rusqlite::Result<Self> {
        Ok(CustomerRow {
            id: r.get(1)?,
            code: r.get(2)?,
            name: r.get(3)?,
            contact_person: r.get(4)?,
            channel: r.get(5)?,
            language: r.get(6)?,
            key_account: r.get(7)?,
            open_orders: r.get(8)?,
            open_complaints: r.get(9)?,
            unanswered: r.get(10)?,
            oldest_unanswered_at: r.get(11)?,
            version: r.get(12)?,
        })
    }
}

/// A customer by exact code or exact name, as typed in a form or a CSV cell.
pub fn find_by_code_or_name(conn: &Connection, text: &str) -> Result<Option<(i64, String)>> {
    let t = text.trim();
    conn.query_row(
        "SELECT id, name FROM customers WHERE code = ?1 OR name = ?1 ORDER BY code = ?1 DESC LIMIT 1",
        [t],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
    .doing("finding a customer")
}

/// Up to `limit` customers whose code or name contains `text`, for form suggestions.
pub fn suggest(conn: &Connection, text: &str, limit: usize) -> Result<Vec<(String, String)>> {
    let pattern = format!("%{}%", like_escape(text.trim()));
    let mut stmt = conn
        .prepare_cached(
            "SELECT code, name FROM customers WHERE code LIKE ?1 ESCAPE '\\' OR name LIKE ?1 ESCAPE '\\'
             ORDER BY code LIMIT ?2",
        )
        .doing("suggesting customers")?;
    let rows = stmt
        .query_map(rusqlite::params![pattern, limit as i64], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .doing("suggesting customers")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("suggesting customers")?;
    Ok(rows)
}

/// The customer's code and name.
pub fn code_and_name(conn: &Connection, id: i64) -> Result<Option<(String, String)>> {
    conn.query_row(
        "SELECT code, name FROM customers WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
    .doing("reading a customer")
}

/// One of a customer's orders, as the customer detail lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderItem {
    pub id: i64,
    pub order_no: String,
    pub status: Status,
    pub ordered_at: i64,
    pub due_date: Option<NaiveDate>,
    pub total: String,
    pub currency: String,
}

/// Everything the customer detail shows: the customer, and the latest of each kind of
/// record kept about them (a window each, never the whole history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerDetail {
    pub id: i64,
    pub version: i64,
    pub draft: CustomerDraft,
    pub orders: Vec<OrderItem>,
    pub order_count: i64,
    pub complaints: Vec<ComplaintRow>,
    pub complaint_count: i64,
    pub contacts: Vec<ContactItem>,
    pub requirements: Vec<RequirementItem>,
    pub surveys: Vec<SurveyItem>,
}

/// How many of each the detail shows.
pub const DETAIL_ORDERS: usize = 10;
pub const DETAIL_COMPLAINTS: usize = 10;
pub const DETAIL_CONTACTS: usize = 15;
pub const DETAIL_OPEN_REQUIREMENTS: usize = 50;
pub const DETAIL_SETTLED_REQUIREMENTS: usize = 5;
pub const DETAIL_SURVEYS: usize = 8;

/// The customer as saved, and its version.
pub fn draft(conn: &Connection, id: i64) -> Result<(CustomerDraft, i64)> {
    super::sql::row(
        conn,
        "SELECT code, name, ifnull(contact_person,''), ifnull(phone,''), ifnull(email,''),
                ifnull(im_handle,''), preferred_channel, ifnull(address,''), payment_terms_days,
                language, ifnull(notes,''), key_account, version, type
         FROM customers WHERE id = ?1",
        [id],
        |r| {
            let channel: String = r.get(6)?;
            let language: String = r.get(9)?;
            let kind: String = r.get(13)?;
            Ok((
                CustomerDraft {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    customer_type: CustomerType::from_str(&kind).unwrap_or(CustomerType::Regular),
                    contact_person: r.get(2)?,
                    phone: r.get(3)?,
                    email: r.get(4)?,
                    im_handle: r.get(5)?,
                    preferred_channel: Channel::from_str(&channel).unwrap_or(Channel::Email),
                    address: r.get(7)?,
                    payment_terms_days: r.get(8)?,
                    language: Language::from_str(&language).unwrap_or(Language::En),
                    notes: r.get(10)?,
                    key_account: r.get(11)?,
                },
                r.get(12)?,
            ))
        },
    )
    .optional()
    .doing("reading a customer")?
    .ok_or_else(|| StoreError::NotFound(Record::new(RecordKind::Customer, id)))
}

fn count(conn: &Connection, sql: &str, id: i64) -> Result<i64> {
    conn.prepare_cached(sql)
        .doing("counting a customer's records")?
        .query_row([id], |r| r.get(0))
        .doing("counting a customer's records")
}

fn orders_of(conn: &Connection, id: i64) -> Result<Vec<OrderItem>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, order_no, status, ordered_at, due_date, total, currency FROM orders
             WHERE customer_id = ?1 ORDER BY ordered_at DESC, id DESC LIMIT ?2",
        )
        .doing("reading a customer's orders")?;
    let rows = stmt
        .query_map(rusqlite::params![id, DETAIL_ORDERS as i64], |r| {
            let status: String = r.get(2)?;
            let due: Option<String> = r.get(4)?;
            Ok(OrderItem {
                id: r.get(0)?,
                order_no: r.get(1)?,
                status: Status::from_str(&status).unwrap_or(Status::Inquiry),
                ordered_at: r.get(3)?,
                due_date: due.and_then(|d| parse_date(&d).ok()),
                total: r.get(5)?,
                currency: r.get(6)?,
            })
        })
        .doing("reading a customer's orders")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("reading a customer's orders")?;
    Ok(rows)
}

pub fn load_detail(conn: &Connection, id: i64) -> Result<CustomerDetail> {
    let (draft, version) = draft(conn, id)?;
    Ok(CustomerDetail {
        id,
        version,
        draft,
        orders: orders_of(conn, id)?,
        order_count: count(
            conn,
            "SELECT count(*) FROM orders WHERE customer_id = ?1",
            id,
        )?,
        complaints: super::complaints::for_customer(conn, id, DETAIL_COMPLAINTS)?,
        complaint_count: count(
            conn,
            "SELECT count(*) FROM complaints WHERE customer_id = ?1",
            id,
        )?,
        contacts: contacts::list(conn, Scope::Customer(id), DETAIL_CONTACTS)?,
        requirements: requirements::for_customer(
            conn,
            id,
            DETAIL_OPEN_REQUIREMENTS,
            DETAIL_SETTLED_REQUIREMENTS,
        )?,
        surveys: surveys::for_customer(conn, id, DETAIL_SURVEYS)?,
    })
}

/// Whether another customer already has this code, and this name.
pub fn clashes(conn: &Connection, id: Option<i64>, code: &str, name: &str) -> Result<(bool, bool)> {
    let taken = |sql: &str, value: &str| -> Result<bool> {
        let other: Option<i64> = conn
            .query_row(sql, [value.trim()], |r| r.get(0))
            .optional()
            .doing("checking a customer's code and name")?;
        Ok(other.is_some() && other != id)
    };
    Ok((
        taken("SELECT id FROM customers WHERE code = ?1", code)?,
        taken("SELECT id FROM customers WHERE name = ?1", name)?,
    ))
}

/// A record about an order (a complaint, a contact) must be about one of the customer's
/// orders, or one that has no customer yet.
pub fn check_order_of(conn: &Connection, order: i64, customer: i64) -> Result<()> {
    let owner: Option<Option<i64>> = conn
        .query_row(
            "SELECT customer_id FROM orders WHERE id = ?1",
            [order],
            |r| r.get(0),
        )
        .optional()
        .doing("reading the order's customer")?;
    match owner {
        None => Err(StoreError::NotFound(Record::new(RecordKind::Order, order))),
        Some(Some(c)) if c != customer => Err(Refusal::OtherCustomersOrder.into()),
        _ => Ok(()),
    }
}

mod write;
pub use write::{save, set_key_account};
