//! The closed vocabularies of SPEC §2. Their `snake_case` names are the exact words used in
//! the database, in CSV files and in reports, so they are spelled once, here.

use strum::{AsRefStr, Display, EnumIter, EnumString, IntoStaticStr};

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            Display, EnumString, EnumIter, AsRefStr, IntoStaticStr,
        )]
        #[strum(serialize_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                self.into()
            }

            /// Every word of this vocabulary, in declaration order, for messages and menus.
            pub fn words() -> Vec<&'static str> {
                <Self as strum::IntoEnumIterator>::iter().map(Self::as_str).collect()
            }
        }
    };
}

vocabulary!(OrderType {
    Regular,
    Rush,
    Custom
});
vocabulary!(Channel { Email, Phone, Im });
vocabulary!(ContactChannel {
    Email,
    Phone,
    Im,
    Visit
});
vocabulary!(Direction { In, Out });
vocabulary!(CustomerType {
    New,
    Regular,
    KeyAccount,
    Distributor
});
vocabulary!(Language { Zh, En });
vocabulary!(RequirementCategory {
    Product,
    Packaging,
    Logistics,
    Service
});
vocabulary!(RequirementStatus {
    Open,
    Forwarded,
    Met,
    Declined
});
vocabulary!(Department4 {
    Sales,
    Rnd,
    Production,
    Logistics
});
vocabulary!(ProductionStage {
    Materials,
    Scheduled,
    Producing,
    Qc,
    Done
});
vocabulary!(MaterialsState {
    Pending,
    Ordered,
    Received
});
vocabulary!(ExceptionKind {
    Stockout,
    Delay,
    Quality,
    SpecMismatch,
    Other
});
vocabulary!(ExceptionCause {
    SupplierDelay,
    ProductionBreakdown,
    Logistics,
    CustomerChange,
    Quality,
    Other
});
vocabulary!(ShipMode {
    Air,
    Sea,
    Road,
    Rail,
    Express
});
vocabulary!(ShipmentStatus {
    Booked,
    InTransit,
    Customs,
    Delayed,
    Delivered,
    Exception
});
vocabulary!(ComplaintType {
    SpecMismatch,
    Quality,
    DeliveryDelay,
    AfterSales,
    Payment,
    Other
});
vocabulary!(Severity {
    Urgent,
    High,
    Normal,
    Low
});
vocabulary!(Department {
    Tech,
    AfterSales,
    Production,
    Logistics,
    Finance
});
vocabulary!(DocumentKind {
    Po,
    Invoice,
    PackingList,
    Photo,
    Other
});

/// Where a requirement is forwarded to (SPEC §2 `forwarded_to`).
pub type ForwardTarget = Department4;

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn words_round_trip_through_their_spelling() {
        assert_eq!(ComplaintType::DeliveryDelay.as_str(), "delivery_delay");
        assert_eq!(
            ExceptionCause::from_str("supplier_delay"),
            Ok(ExceptionCause::SupplierDelay)
        );
        assert_eq!(Department4::Rnd.as_str(), "rnd");
        assert!(
            Severity::from_str("URGENT").is_err(),
            "words are exact lower case"
        );
        assert_eq!(
            ShipMode::words(),
            vec!["air", "sea", "road", "rail", "express"]
        );
    }
}
