//! The tabs, in SPEC §3 order.

use strum::{EnumCount, EnumIter, IntoEnumIterator};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, EnumIter, EnumCount)]
pub enum Tab {
    #[default]
    Orders,
    Customers,
    Shipments,
    Complaints,
    Today,
    Reports,
}

impl Tab {
    fn index(self) -> usize {
        Tab::iter().position(|t| t == self).unwrap_or(0)
    }

    pub fn next(self) -> Tab {
        Tab::iter()
            .nth((self.index() + 1) % Tab::COUNT)
            .unwrap_or_default()
    }

    pub fn prev(self) -> Tab {
        Tab::iter()
            .nth((self.index() + Tab::COUNT - 1) % Tab::COUNT)
            .unwrap_or_default()
    }

    /// The string-table key of the tab's title.
    pub fn title_key(self) -> &'static str {
        match self {
            Tab::Orders => "tab.orders",
            Tab::Customers => "tab.customers",
            Tab::Shipments => "tab.shipments",
            Tab::Complaints => "tab.complaints",
            Tab::Today => "tab.today",
            Tab::Reports => "tab.reports",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_cycle_both_ways_in_spec_order() {
        assert_eq!(Tab::Orders.next(), Tab::Customers);
        assert_eq!(Tab::Reports.next(), Tab::Orders);
        assert_eq!(Tab::Orders.prev(), Tab::Reports);
        assert_eq!(Tab::iter().count(), 6);
    }
}
