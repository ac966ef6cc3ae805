//! The eight file kinds of SPEC §5: their columns (a contract with users' scripts) and how
//! each is read from the store, row by row, as plain text cells.

use crate::domain::{mask, time};
use rusqlite::types::ValueRef;

/// What a CSV file holds. The lower-case names are the `KIND` words of the command line.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    clap::ValueEnum,
    strum::EnumIter,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[strum(serialize_all = "snake_case")]
pub enum Kind {
    Customers,
    Orders,
    Shipments,
    Exceptions,
    Complaints,
    Contacts,
    Surveys,
    Requirements,
}

/// How a stored value becomes a cell. Masks apply only when personal data is not wanted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cell {
    /// Text, decimals and words as stored; integers in decimal.
    Plain,
    /// UTC Unix seconds, shown as a local `YYYY-MM-DD HH:MM:SS`.
    Stamp,
    Phone,
    Email,
    /// Addresses and handles.
    Generic,
}

use Cell::{Email, Generic, Phone, Plain, Stamp};

/// What a column holds: how a workbook types its cells, and which CSV cells are text that a
/// spreadsheet could take for a formula.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Typed {
    Text,
    Number,
    /// A number shown with two decimals.
    Money,
    /// `YYYY-MM-DD`.
    Date,
    /// `YYYY-MM-DD HH:MM:SS`, local time.
    Stamp,
}

const CUSTOMERS: &[&str] = &[
    "code",
    "name",
    "contact_person",
    "phone",
    "email",
    "im_handle",
    "preferred_channel",
    "address",
    "payment_terms_days",
    "language",
    "notes",
    "type",
];
const CUSTOMERS_CELLS: &[Cell] = &[
    Plain, Plain, Plain, Phone, Email, Generic, Plain, Generic, Plain, Plain, Plain, Plain,
];
const CUSTOMERS_SQL: &str = "
    SELECT code, name, contact_person, phone, email, im_handle, preferred_channel, address,
           payment_terms_days, language, notes, type
    FROM customers
    ORDER BY code";

const ORDERS: &[&str] = &[
    "order_no",
    "customer",
    "order_type",
    "status",
    "ordered_at",
    "due_date",
    "delivery_address",
    "currency",
    "payment_due",
    "paid_at",
    "product_code",
    "spec",
    "quantity",
    "unit",
    "unit_price",
    "missing_reason",
    "notes",
];
const ORDERS_CELLS: &[Cell] = &[
    Plain, Plain, Plain, Plain, Stamp, Plain, Generic, Plain, Plain, Plain, Plain, Plain, Plain,
    Plain, Plain, Plain, Plain,
];
// The LEFT JOIN on lines gives an order without lines its one row of empty line cells.
// Walking orders by the unique order_no index and lines by (order_id, line_no) yields this
// order without a sort, so a million orders stream in constant memory.
const ORDERS_SQL: &str = "
    SELECT o.order_no, c.code, o.order_type, o.status, o.ordered_at, o.due_date,
           o.delivery_address, o.currency, o.payment_due, o.paid_at,
           l.product_code, l.spec, l.quantity, l.unit, l.unit_price,
           o.missing_reason, o.notes
    FROM orders o
    LEFT JOIN customers c ON c.id = o.customer_id
    LEFT JOIN order_lines l ON l.order_id = o.id
    ORDER BY o.order_no, l.line_no";

const SHIPMENTS: &[&str] = &[
    "order_no",
    "carrier",
    "waybill_no",
    "mode",
    "shipped_at",
    "eta",
    "delivered_at",
    "status",
    "weight_kg",
    "packages",
    "notes",
];
const SHIPMENTS_CELLS: &[Cell] = &[
    Plain, Plain, Plain, Plain, Stamp, Stamp, Stamp, Plain, Plain, Plain, Plain,
];
// CROSS JOIN pins the parent as the outer loop (SQLite never reorders it): the parent's
// unique index gives the first sort key, so at most one parent's children are ever sorted,
// whatever the table statistics say. The same holds for the child kinds below.
const SHIPMENTS_SQL: &str = "
    SELECT o.order_no, s.carrier, s.waybill_no, s.mode, s.shipped_at, s.eta, s.delivered_at,
           s.status, s.weight_kg, s.packages, s.notes
    FROM orders o
    CROSS JOIN shipments s ON s.order_id = o.id
    ORDER BY o.order_no, s.waybill_no, s.id";

const EXCEPTIONS: &[&str] = &[
    "order_no",
    "kind",
    "cause",
    "opened_at",
    "customer_informed_at",
    "resolved_at",
    "note",
];
const EXCEPTIONS_CELLS: &[Cell] = &[Plain, Plain, Plain, Stamp, Stamp, Stamp, Plain];
const EXCEPTIONS_SQL: &str = "
    SELECT o.order_no, e.kind, e.cause, e.opened_at, e.customer_informed_at, e.resolved_at,
           e.note
    FROM orders o
    CROSS JOIN exceptions e ON e.order_id = o.id
    ORDER BY o.order_no, e.opened_at, e.id";

const COMPLAINTS: &[&str] = &[
    "complaint_no",
    "customer",
    "order_no",
    "type",
    "severity",
    "opened_at",
    "first_response_at",
    "resolved_at",
    "department",
    "description",
    "resolution",
];
const COMPLAINTS_CELLS: &[Cell] = &[
    Plain, Plain, Plain, Plain, Plain, Stamp, Stamp, Stamp, Plain, Plain, Plain,
];
const COMPLAINTS_SQL: &str = "
    SELECT k.complaint_no, c.code, o.order_no, k.type, k.severity, k.opened_at,
           k.first_response_at, k.resolved_at, k.department, k.description, k.resolution
    FROM complaints k
    JOIN customers c ON c.id = k.customer_id
    LEFT JOIN orders o ON o.id = k.order_id
    ORDER BY k.complaint_no";

const CONTACTS: &[&str] = &[
    "customer",
    "order_no",
    "channel",
    "direction",
    "at",
    "replied_at",
    "summary",
];
const CONTACTS_CELLS: &[Cell] = &[Plain, Plain, Plain, Plain, Stamp, Stamp, Plain];
const CONTACTS_SQL: &str = "
    SELECT c.code, o.order_no, t.channel, t.direction, t.at, t.replied_at, t.summary
    FROM customers c
    CROSS JOIN contacts t ON t.customer_id = c.id
    LEFT JOIN orders o ON o.id = t.order_id
    ORDER BY c.code, t.at, t.id";

const SURVEYS: &[&str] = &[
    "customer",
    "date",
    "accuracy",
    "response",
    "resolution",
    "attitude",
    "customisation",
    "quality",
    "willingness",
];
const SURVEYS_CELLS: &[Cell] = &[Plain; 9];
const SURVEYS_SQL: &str = "
    SELECT c.code, s.date, s.accuracy, s.response, s.resolution, s.attitude, s.customisation,
           s.quality, s.willingness
    FROM customers c
    CROSS JOIN surveys s ON s.customer_id = c.id
    ORDER BY c.code, s.date, s.id";

const REQUIREMENTS: &[&str] = &[
    "customer",
    "category",
    "text",
    "created_at",
    "status",
    "forwarded_to",
    "resolved_at",
];
const REQUIREMENTS_CELLS: &[Cell] = &[Plain, Plain, Plain, Stamp, Plain, Plain, Stamp];
const REQUIREMENTS_SQL: &str = "
    SELECT c.code, r.category, r.text, r.created_at, r.status, r.forwarded_to, r.resolved_at
    FROM customers c
    CROSS JOIN requirements r ON r.customer_id = c.id
    ORDER BY c.code, r.created_at, r.id";

impl Kind {
    /// The SPEC §5 columns, in file order.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Kind::Customers => CUSTOMERS,
            Kind::Orders => ORDERS,
            Kind::Shipments => SHIPMENTS,
            Kind::Exceptions => EXCEPTIONS,
            Kind::Complaints => COMPLAINTS,
            Kind::Contacts => CONTACTS,
            Kind::Surveys => SURVEYS,
            Kind::Requirements => REQUIREMENTS,
        }
    }

    /// The command-line word and audit entity name: `customers`, `orders`, …
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The conventional file name, `orders.csv` and so on.
    pub fn file_name(self, extension: &str) -> String {
        format!("{}.{extension}", self.name())
    }

    pub(crate) fn cells(self) -> &'static [Cell] {
        match self {
            Kind::Customers => CUSTOMERS_CELLS,
            Kind::Orders => ORDERS_CELLS,
            Kind::Shipments => SHIPMENTS_CELLS,
            Kind::Exceptions => EXCEPTIONS_CELLS,
            Kind::Complaints => COMPLAINTS_CELLS,
            Kind::Contacts => CONTACTS_CELLS,
            Kind::Surveys => SURVEYS_CELLS,
            Kind::Requirements => REQUIREMENTS_CELLS,
        }
    }

    /// What each of `columns()` holds.
    pub(crate) fn types(self) -> Vec<Typed> {
        let numbers: &[&str] = match self {
            Kind::Surveys => &[
                "accuracy",
                "response",
                "resolution",
                "attitude",
                "customisation",
                "quality",
                "willingness",
            ],
            _ => &["quantity", "weight_kg", "packages", "payment_terms_days"],
        };
        self.columns()
            .iter()
            .zip(self.cells())
            .map(|(column, cell)| match *column {
                _ if *cell == Stamp => Typed::Stamp,
                "unit_price" => Typed::Money,
                c if numbers.contains(&c) => Typed::Number,
                "due_date" | "payment_due" | "paid_at" | "date" => Typed::Date,
                _ => Typed::Text,
            })
            .collect()
    }

    /// One SELECT whose result columns are `columns()` in order, sorted so that an export
    /// of the same data is always the same bytes.
    /// The orders query limited to the ids in `temp.export_ids` (marked rows), same order.
    pub(crate) fn select_marked_sql(self) -> Option<String> {
        (self == Kind::Orders).then(|| {
            ORDERS_SQL.replace(
                "ORDER BY o.order_no",
                "WHERE o.id IN (SELECT id FROM temp.export_ids)\n    ORDER BY o.order_no",
            )
        })
    }

    pub(crate) fn select_sql(self) -> &'static str {
        match self {
            Kind::Customers => CUSTOMERS_SQL,
            Kind::Orders => ORDERS_SQL,
            Kind::Shipments => SHIPMENTS_SQL,
            Kind::Exceptions => EXCEPTIONS_SQL,
            Kind::Complaints => COMPLAINTS_SQL,
            Kind::Contacts => CONTACTS_SQL,
            Kind::Surveys => SURVEYS_SQL,
            Kind::Requirements => REQUIREMENTS_SQL,
        }
    }
}

impl Cell {
    /// The cell text for one stored value; `None` is an empty cell.
    pub(crate) fn render(self, value: ValueRef<'_>, include_pii: bool) -> Option<String> {
        let text = match value {
            ValueRef::Null => return None,
            ValueRef::Integer(i) if self == Stamp => return Some(time::format_stamp(i)),
            ValueRef::Integer(i) => i.to_string(),
            ValueRef::Real(f) => f.to_string(),
            // Text columns hold UTF-8 written by the app; anything else is shown, not lost.
            ValueRef::Text(b) | ValueRef::Blob(b) => String::from_utf8_lossy(b).into_owned(),
        };
        Some(match self {
            _ if include_pii => text,
            Phone => mask::phone(&text),
            Email => mask::email(&text),
            Generic => mask::generic(&text),
            Plain | Stamp => text,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use strum::IntoEnumIterator;

    #[test]
    fn every_kind_selects_exactly_its_columns() {
        let store = Store::open_in_memory().unwrap();
        for kind in Kind::iter() {
            let stmt = store.conn().prepare(kind.select_sql()).unwrap();
            assert_eq!(stmt.column_count(), kind.columns().len(), "{kind}");
            assert_eq!(kind.cells().len(), kind.columns().len(), "{kind}");
        }
    }

    #[test]
    fn no_export_sorts_a_whole_table() {
        // A full sort would hold (or spill) the whole table; a per-parent sort is fine.
        let store = Store::open_in_memory().unwrap();
        for kind in Kind::iter() {
            let sql = format!("EXPLAIN QUERY PLAN {}", kind.select_sql());
            let mut stmt = store.conn().prepare(&sql).unwrap();
            let plan: Vec<String> = stmt
                .query_map([], |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(
                !plan
                    .iter()
                    .any(|step| step == "USE TEMP B-TREE FOR ORDER BY"),
                "{kind}: {plan:?}"
            );
        }
    }

    #[test]
    fn kind_words_are_the_command_line_words() {
        use clap::ValueEnum;
        let words: Vec<&str> = Kind::iter().map(Kind::name).collect();
        assert_eq!(
            words,
            [
                "customers",
                "orders",
                "shipments",
                "exceptions",
                "complaints",
                "contacts",
                "surveys",
                "requirements"
            ]
        );
        for kind in Kind::iter() {
            assert_eq!(Kind::from_str(kind.name(), false), Ok(kind));
            assert_eq!(kind.to_string(), kind.name());
        }
        assert_eq!(Kind::Orders.file_name("csv"), "orders.csv");
    }

    #[test]
    fn cells_render_stamps_masks_and_nulls() {
        let ts = 1_772_353_800;
        assert_eq!(
            Stamp.render(ValueRef::Integer(ts), false),
            Some(time::format_stamp(ts))
        );
        assert_eq!(Plain.render(ValueRef::Null, false), None);
        assert_eq!(Phone.render(ValueRef::Null, false), None);
        assert_eq!(
            Plain.render(ValueRef::Integer(30), false).as_deref(),
            Some("30")
        );
        let phone = ValueRef::Text(b"13812345678");
        assert_eq!(Phone.render(phone, false).as_deref(), Some("138****5678"));
        assert_eq!(Phone.render(phone, true).as_deref(), Some("13812345678"));
    }
}
