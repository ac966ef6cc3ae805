//! The `:` command palette: every command by name, matched fuzzily as the clerk types, in
//! English and Chinese alike.

use super::tab::Tab;
use crate::i18n::t;
use crate::io::report::Format;
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    NewOrder,
    NewCustomer,
    NewComplaint,
    Undo,
    Goto(Tab),
    OrdersFilter(&'static str),
    ClearFilters,
    NextSort,
    ExportOrders,
    /// A command of the shipping desk (`app::shipping`).
    Shipping(ShippingCommand),
    BackupNow,
    /// The report of the month shown on the Reports tab.
    ExportReport(Format),
    Help,
    Quit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShippingCommand {
    Bottlenecks,
    LateShipments,
    NewShipment,
    ArchivedOrders,
}

/// (command, string key, English words that also match)
const COMMANDS: &[(Command, &str, &str)] = &[
    (Command::NewOrder, "palette.new_order", "new order"),
    (Command::NewCustomer, "palette.new_customer", "new customer"),
    (
        Command::NewComplaint,
        "palette.new_complaint",
        "new complaint",
    ),
    (Command::Undo, "palette.undo", "undo last change"),
    (
        Command::ExportOrders,
        "palette.export_orders",
        "export orders csv",
    ),
    (
        Command::ExportReport(Format::Xlsx),
        "palette.export_report_xlsx",
        "export report xlsx excel monthly kpi",
    ),
    (
        Command::ExportReport(Format::Html),
        "palette.export_report_html",
        "export report html page monthly kpi",
    ),
    (
        Command::Goto(Tab::Orders),
        "palette.goto_orders",
        "go to orders",
    ),
    (
        Command::Goto(Tab::Customers),
        "palette.goto_customers",
        "go to customers",
    ),
    (
        Command::Goto(Tab::Shipments),
        "palette.goto_shipments",
        "go to shipments",
    ),
    (
        Command::Goto(Tab::Complaints),
        "palette.goto_complaints",
        "go to complaints",
    ),
    (
        Command::Goto(Tab::Today),
        "palette.goto_today",
        "go to today",
    ),
    (
        Command::Goto(Tab::Reports),
        "palette.goto_reports",
        "go to reports",
    ),
    (
        Command::OrdersFilter("overdue"),
        "palette.filter_overdue",
        "filter overdue orders",
    ),
    (
        Command::OrdersFilter("due_week"),
        "palette.filter_due_week",
        "filter due this week",
    ),
    (
        Command::OrdersFilter("incomplete"),
        "palette.filter_incomplete",
        "filter incomplete orders",
    ),
    (
        Command::OrdersFilter("high_risk"),
        "palette.filter_high_risk",
        "filter high risk orders",
    ),
    (
        Command::ClearFilters,
        "palette.clear_filters",
        "clear filters",
    ),
    (Command::NextSort, "palette.next_sort", "sort next"),
    (
        Command::Shipping(ShippingCommand::Bottlenecks),
        "palette.bottlenecks",
        "production bottlenecks stages",
    ),
    (
        Command::Shipping(ShippingCommand::LateShipments),
        "palette.late_shipments",
        "filter late shipments",
    ),
    (
        Command::Shipping(ShippingCommand::NewShipment),
        "palette.new_shipment",
        "new shipment",
    ),
    (
        Command::Shipping(ShippingCommand::ArchivedOrders),
        "palette.archived_orders",
        "archived closed orders",
    ),
    (
        Command::BackupNow,
        "palette.backup_now",
        "backup now copy save",
    ),
    (Command::Help, "palette.help", "help keys"),
    (Command::Quit, "palette.quit", "quit exit"),
];

/// The commands matching `query`, best first, with their shown names.
pub fn matches(query: &str) -> Vec<(Command, &'static str)> {
    let matcher = SkimMatcherV2::default();
    let mut scored: Vec<(i64, usize, Command, &'static str)> = COMMANDS
        .iter()
        .enumerate()
        .filter_map(|(i, (cmd, key, words))| {
            let label = t(key);
            if query.trim().is_empty() {
                return Some((0, i, *cmd, label));
            }
            let score = matcher
                .fuzzy_match(label, query)
                .into_iter()
                .chain(matcher.fuzzy_match(words, query))
                .max()?;
            Some((score, i, *cmd, label))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, _, c, l)| (c, l)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_names_find_their_commands() {
        assert_eq!(matches("new ord")[0].0, Command::NewOrder);
        assert_eq!(matches("exp ord")[0].0, Command::ExportOrders);
        assert_eq!(matches("undo")[0].0, Command::Undo);
        assert_eq!(
            matches("bottleneck")[0].0,
            Command::Shipping(ShippingCommand::Bottlenecks)
        );
        assert_eq!(matches("backup")[0].0, Command::BackupNow);
        assert_eq!(
            matches("export report xlsx")[0].0,
            Command::ExportReport(Format::Xlsx)
        );
        assert_eq!(
            matches("export report html")[0].0,
            Command::ExportReport(Format::Html)
        );
        assert_eq!(matches("").len(), COMMANDS.len());
        assert!(matches("zzzzqqq").is_empty());
    }
}
