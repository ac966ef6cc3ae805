//! The production/purchase instruction sheet (SPEC §7 `p`): what the factory or the buyer
//! needs to make and send an order — order no., customer, the customer's requirements that
//! apply, lines with spec and quantity, due date, packaging and logistics wishes. Written
//! as text and as a printable, self-contained HTML page from `assets/templates/instructions`,
//! in the UI language (the sheet stays inside the company).

use crate::domain::money::canonical;
use crate::domain::time::{format_date, format_stamp_short, now};
use crate::i18n::t;
use crate::store::documents::{beside_db, private_dir, safe_name, write_private};
use crate::store::orders::load_detail;
use crate::store::production::{self, sheet_requirements};
use crate::store::{Failure, FileOp, Refusal, Result, StoreError};
use rusqlite::Connection;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const TEXT: &str = include_str!("../../assets/templates/instructions/sheet.txt.j2");
const HTML: &str = include_str!("../../assets/templates/instructions/sheet.html.j2");

/// The labels the templates print, by name; each from the string table.
const LABELS: &[&str] = &[
    "title",
    "order_no",
    "customer",
    "order_type",
    "ordered_at",
    "due_date",
    "planned_finish",
    "lines",
    "product_code",
    "spec",
    "quantity",
    "unit",
    "requirements",
    "packaging_logistics",
    "delivery_address",
    "notes",
    "none",
    "generated",
];

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SheetLine {
    pub no: usize,
    pub product_code: String,
    pub spec: String,
    pub quantity: String,
    pub unit: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SheetWish {
    pub category: String,
    pub status: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Sheet {
    pub lang: &'static str,
    pub order_no: String,
    pub customer: String,
    pub order_type: String,
    pub ordered_at: String,
    pub due_date: Option<String>,
    pub planned_finish: Option<String>,
    pub delivery_address: String,
    pub notes: String,
    pub lines: Vec<SheetLine>,
    /// Product requirements of the customer.
    pub requirements: Vec<SheetWish>,
    /// Packaging and logistics wishes of the customer.
    pub wishes: Vec<SheetWish>,
    pub generated_at: String,
    pub l: BTreeMap<&'static str, &'static str>,
}

/// The sheet's content for a won order; a clear refusal for any other.
pub fn gather(conn: &Connection, order_id: i64) -> Result<Sheet> {
    let d = load_detail(conn, order_id)?;
    let o = &d.draft;
    if !o.status.is_won() {
        return Err(Refusal::SheetNotWon {
            order_no: o.order_no.clone(),
            status: o.status,
        }
        .into());
    }
    let reqs = match o.customer_id {
        Some(c) => sheet_requirements(conn, c)?,
        None => Vec::new(),
    };
    let wish = |r: &production::SheetRequirement| SheetWish {
        category: t(&format!("sheet_category.{}", r.category)).to_string(),
        status: t(&format!("sheet_req_status.{}", r.status)).to_string(),
        text: r.text.clone(),
    };
    let planned_finish = production::load(conn, order_id)?
        .and_then(|p| p.planned_finish)
        .map(format_date);
    Ok(Sheet {
        lang: match crate::i18n::lang() {
            crate::i18n::Lang::Zh => "zh-CN",
            crate::i18n::Lang::En => "en",
        },
        order_no: o.order_no.clone(),
        customer: if d.customer_code.is_empty() {
            d.customer.clone()
        } else {
            format!("{} ({})", d.customer, d.customer_code)
        },
        order_type: t(&format!("type.{}", o.order_type)).to_string(),
        ordered_at: format_stamp_short(o.ordered_at),
        due_date: o.due_date.map(format_date),
        planned_finish,
        delivery_address: o.delivery_address.clone(),
        notes: o.notes.clone(),
        lines: o
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| SheetLine {
                no: i + 1,
                product_code: l.product_code.clone(),
                spec: l.spec.clone(),
                quantity: canonical(l.quantity),
                unit: l.unit.clone(),
            })
            .collect(),
        requirements: reqs
            .iter()
            .filter(|r| r.category == "product")
            .map(wish)
            .collect(),
        wishes: reqs
            .iter()
            .filter(|r| r.category != "product")
            .map(wish)
            .collect(),
        generated_at: format_stamp_short(now()),
        l: LABELS
            .iter()
            .map(|k| (*k, t(&format!("sheet.{k}"))))
            .collect(),
    })
}

/// The sheet as a template value (minijinja is built without its serde feature here).
fn to_value(v: &serde_json::Value) -> minijinja::Value {
    use minijinja::Value;
    match v {
        serde_json::Value::Null => Value::from(()),
        serde_json::Value::Bool(b) => Value::from(*b),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(Value::from)
            .unwrap_or_else(|| Value::from(n.to_string())),
        serde_json::Value::String(s) => Value::from(s.clone()),
        serde_json::Value::Array(a) => Value::from(a.iter().map(to_value).collect::<Vec<_>>()),
        serde_json::Value::Object(o) => Value::from(
            o.iter()
                .map(|(k, v)| (k.clone(), to_value(v)))
                .collect::<BTreeMap<String, Value>>(),
        ),
    }
}

fn render(name: &str, source: &str, sheet: &Sheet) -> Result<String> {
    let mut env = minijinja::Environment::new();
    let bad = |e: minijinja::Error| -> StoreError {
        Failure::Template {
            detail: e.to_string(),
        }
        .into()
    };
    env.add_template(name, source).map_err(bad)?;
    env.get_template(name)
        .and_then(|tpl| tpl.render(to_value(&serde_json::to_value(sheet).unwrap_or_default())))
        .map(|text| text + "\n")
        .map_err(bad)
}

pub fn render_text(sheet: &Sheet) -> Result<String> {
    render("sheet.txt", TEXT, sheet)
}

/// HTML: every value escaped (the template's name makes minijinja escape for HTML).
pub fn render_html(sheet: &Sheet) -> Result<String> {
    render("sheet.html", HTML, sheet)
}

/// The paths of the two files written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub text: PathBuf,
    pub html: PathBuf,
}

/// Writes `<order_no>.txt` and `<order_no>.html` into `instructions/` beside the database
/// (folder 0700, files 0600, each through a temporary file and a rename).
pub fn write(conn: &Connection, db: &Path, order_id: i64) -> Result<Written> {
    write_with(conn, db, order_id, Address::Full)
}

/// How the delivery address appears on a sheet: in full (authorised on an encrypted desk),
/// or masked like an export without `--include-pii`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Address {
    Full,
    Masked,
}

/// [`write`], with the delivery address as `address` says.
pub fn write_with(
    conn: &Connection,
    db: &Path,
    order_id: i64,
    address: Address,
) -> Result<Written> {
    let mut sheet = gather(conn, order_id)?;
    if address == Address::Masked && !sheet.delivery_address.is_empty() {
        sheet.delivery_address = crate::domain::mask::generic(&sheet.delivery_address);
    }
    let text = render_text(&sheet)?;
    let html = render_html(&sheet)?;
    let dir = beside_db(db, "instructions");
    let io =
        |p: &Path, e: std::io::Error| -> StoreError { Failure::file(FileOp::Write, p, &e).into() };
    private_dir(&dir).map_err(|e| Failure::file(FileOp::CreateFolder, &dir, &e))?;
    let name = safe_name(&sheet.order_no);
    let written = Written {
        text: dir.join(format!("{name}.txt")),
        html: dir.join(format!("{name}.html")),
    };
    write_private(&written.text, text.as_bytes()).map_err(|e| io(&written.text, e))?;
    write_private(&written.html, html.as_bytes()).map_err(|e| io(&written.html, e))?;
    Ok(written)
}
