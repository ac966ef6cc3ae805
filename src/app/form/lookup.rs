//! Look-up fields: where their suggestions come from, and the list shown under the field
//! while the clerk types. The queries are in `store::lookup` (small, with a LIMIT).

use crate::store::lookup::{self, Suggestion};

/// How many suggestions a look-up field shows.
pub const SHOWN: usize = 6;

/// What a look-up field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A customer, by code or name (`Trident` finds "Trident Trading").
    Customer,
    /// An order, by number.
    Order,
    /// A product code already used on an order line.
    Product,
    /// An order number or a customer (a follow-up is about either).
    OrderOrCustomer,
}

impl Source {
    /// The suggestions for `text`, best first.
    pub fn suggest(
        self,
        conn: &rusqlite::Connection,
        text: &str,
    ) -> crate::store::Result<Vec<Suggestion>> {
        match self {
            Source::Customer => lookup::customers(conn, text, SHOWN),
            Source::Order => lookup::orders(conn, text, SHOWN),
            Source::Product => lookup::products(conn, text, SHOWN),
            Source::OrderOrCustomer => {
                let mut found = lookup::orders(conn, text, SHOWN)?;
                let room = SHOWN.saturating_sub(found.len());
                if room > 0 {
                    found.extend(lookup::customers(conn, text, room)?);
                }
                Ok(found)
            }
        }
    }
}

/// The suggestions open under the focused look-up field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suggestions {
    pub items: Vec<Suggestion>,
    pub selected: usize,
    /// The text they were found for: a key that changes the field asks for new ones.
    pub query: Option<String>,
}

impl Suggestions {
    pub fn is_open(&self) -> bool {
        !self.items.is_empty()
    }

    pub fn close(&mut self) {
        *self = Suggestions::default();
    }

    pub fn step(&mut self, down: bool) {
        let n = self.items.len();
        if n == 0 {
            return;
        }
        self.selected = if down {
            (self.selected + 1) % n
        } else {
            (self.selected + n - 1) % n
        };
    }

    pub fn chosen(&self) -> Option<&Suggestion> {
        self.items.get(self.selected)
    }
}
