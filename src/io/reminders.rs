//! Reminders in words: each Today item as what / customer / when / why in the UI language,
//! shared by the Today tab, `orderdesk remind` and the weekly review.

use crate::domain::money::{display_amount, parse_decimal};
use crate::domain::risk::RiskReason;
use crate::domain::status::Status;
use crate::domain::time::{format_date, format_stamp_short, local_date};
use crate::i18n::{t, tf};
use crate::store::today::{Detail, Item, KindItems};
use crate::ui::text::{at_least, pad as fit};
use crate::ui::words::countdown;
use chrono::NaiveDate;
use unicode_width::UnicodeWidthStr;

/// One item as the clerk reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemText {
    pub what: String,
    pub customer: String,
    /// The date or deadline that matters for it.
    pub when: String,
    pub why: String,
    /// Past its date: shown as late.
    pub late: bool,
}

fn days(n: i64) -> String {
    tf("today.days", &[("n", &n)])
}

fn status(s: Status) -> &'static str {
    t(&format!("status.{}", s.as_str()))
}

/// "overdue 3 d" / "due today" / "due in 2 d" for a date `n` days away, with the words of
/// one kind of date (`due`, `payment`, `finish`).
fn days_away(n: i64, which: &str) -> String {
    match n {
        n if n < 0 => tf(
            &format!("today.why.{which}_overdue"),
            &[("time", &days(-n))],
        ),
        0 => t(&format!("today.why.{which}_today")).to_string(),
        n => tf(&format!("today.why.{which}_in"), &[("time", &days(n))]),
    }
}

/// "overdue 5h" / "due in 3h" for a moment.
fn moment(at: i64, now: i64) -> String {
    if at < now {
        tf("today.why.due_overdue", &[("time", &countdown(now - at))])
    } else {
        tf("today.why.due_in", &[("time", &countdown(at - now))])
    }
}

pub fn reason_text(r: &RiskReason) -> String {
    match r {
        RiskReason::Rush => t("today.why.rush").to_string(),
        RiskReason::Due(n) => days_away(*n, "due"),
        RiskReason::OpenException(kind) => tf(
            "today.why.exception",
            &[("kind", &t(&format!("today.exception.{}", kind.as_str())))],
        ),
        RiskReason::ProductionLate => t("today.why.production_late").to_string(),
        RiskReason::ShipmentLate => t("today.why.shipment_late").to_string(),
    }
}

fn date_text(d: Option<NaiveDate>) -> String {
    d.map(format_date).unwrap_or_default()
}

fn days_from(d: Option<NaiveDate>, today: NaiveDate) -> Option<i64> {
    d.map(|d| (d - today).num_days())
}

pub fn describe(item: &Item, now: i64, today: NaiveDate) -> ItemText {
    let mut why: Vec<String> = Vec::new();
    let mut what = item.what.clone();
    let (when, late) = match &item.detail {
        Detail::Complaint {
            deadline,
            severity,
            kind,
            order_no,
        } => {
            why.push(moment(*deadline, now));
            why.push(t(&format!("severity.{severity}")).to_string());
            why.push(t(&format!("complaint_type.{kind}")).to_string());
            if !order_no.is_empty() {
                why.push(order_no.clone());
            }
            (format_stamp_short(*deadline), *deadline < now)
        }
        Detail::Shipment {
            eta,
            order_no,
            carrier,
        } => {
            if what.is_empty() {
                what = order_no.clone();
            }
            why.push(tf(
                "today.why.eta_passed",
                &[("time", &countdown(now - eta))],
            ));
            why.push(order_no.clone());
            if !carrier.is_empty() {
                why.push(carrier.clone());
            }
            (format_date(local_date(*eta)), true)
        }
        Detail::Risk { due, reasons } => {
            why.extend(reasons.iter().map(reason_text));
            (date_text(*due), true)
        }
        Detail::Due { due, status: s } => {
            let n = days_from(*due, today);
            why.extend(n.map(|n| days_away(n, "due")));
            why.push(status(*s).to_string());
            (date_text(*due), n.is_some_and(|n| n < 0))
        }
        Detail::Production {
            finish,
            stage,
            percent,
        } => {
            let n = days_from(*finish, today);
            why.extend(n.map(|n| days_away(n, "finish")));
            why.push(format!("{} {percent}%", t(&format!("today.stage.{stage}"))));
            (date_text(*finish), n.is_some_and(|n| n < 0))
        }
        Detail::Payment {
            due,
            total,
            currency,
        } => {
            let n = days_from(*due, today);
            why.extend(n.map(|n| days_away(n, "payment")));
            why.push(format!(
                "{currency} {}",
                display_amount(parse_decimal(total).unwrap_or_default())
            ));
            (date_text(*due), n.is_some_and(|n| n < 0))
        }
        Detail::Followup { due_at, text } => {
            why.push(moment(*due_at, now));
            why.push(text.clone());
            (format_stamp_short(*due_at), *due_at < now)
        }
        Detail::Stale { since, status: s } => {
            let quiet = (today - local_date(*since)).num_days();
            why.push(tf(
                "today.why.unchanged",
                &[("status", &status(*s)), ("time", &days(quiet))],
            ));
            (format_date(local_date(*since)), false)
        }
        Detail::Incomplete {
            ordered_at,
            missing,
            status: s,
        } => {
            let fields = missing
                .iter()
                .map(|m| t(&format!("today.missing.{m}")))
                .collect::<Vec<_>>()
                .join(", ");
            why.push(tf("today.why.missing", &[("fields", &fields)]));
            why.push(status(*s).to_string());
            (format_date(local_date(*ordered_at)), false)
        }
    };
    ItemText {
        what,
        customer: item.customer.clone(),
        when,
        why: why.join(" · "),
        late,
    }
}

/// The kinds `remind` lists in full, whatever their size: the ones that cannot wait. The
/// others show their first `REMIND_CAP` items and a count of the rest.
pub const REMIND_IN_FULL: &[&str] = &[
    "complaints_overdue",
    "complaints_awaiting",
    "late_shipments",
    "high_risk",
    "overdue_orders",
    "followups_due",
];
pub const REMIND_CAP: usize = 50;

pub fn remind_limit(kind: &str) -> Option<usize> {
    if REMIND_IN_FULL.contains(&kind) {
        None
    } else {
        Some(REMIND_CAP)
    }
}

/// Column widths for a list of items: as wide as the widest, within reason.
fn widths(texts: &[ItemText]) -> (usize, usize, usize) {
    let max = |f: &dyn Fn(&ItemText) -> usize, cap: usize| {
        texts.iter().map(f).max().unwrap_or(0).min(cap)
    };
    (
        max(&|x| x.what.width(), 24),
        max(&|x| x.customer.width(), 30),
        max(&|x| x.when.width(), 16),
    )
}

/// `orderdesk remind`: every kind with its count, then its items, one per line.
/// `heading` dresses a kind's heading (bold on a terminal, plain otherwise).
pub fn remind_text(
    kinds: &[KindItems],
    now: i64,
    today: NaiveDate,
    heading: &dyn Fn(&str) -> String,
) -> String {
    let mut out = String::new();
    out.push_str(&heading(&tf(
        "remind.header",
        &[("at", &format_stamp_short(now))],
    )));
    out.push('\n');
    let total: u64 = kinds.iter().map(|k| k.count).sum();
    if total == 0 {
        out.push_str(t("today.nothing"));
        out.push('\n');
        return out;
    }
    for k in kinds {
        out.push('\n');
        out.push_str(&heading(&tf(
            "remind.kind",
            &[
                ("kind", &t(&format!("today.{}", k.kind))),
                ("count", &at_least(k.shown(), k.is_capped())),
            ],
        )));
        out.push('\n');
        // Stored text is made visible and harmless before it is measured and printed.
        let texts: Vec<ItemText> = k
            .items
            .iter()
            .map(|i| {
                let mut x = describe(i, now, today);
                for field in [&mut x.what, &mut x.customer, &mut x.when, &mut x.why] {
                    if let std::borrow::Cow::Owned(s) = crate::domain::text::shown(field) {
                        *field = s;
                    }
                }
                x
            })
            .collect();
        let (w_what, w_customer, w_when) = widths(&texts);
        for x in &texts {
            let line = format!(
                "  {}  {}  {}  {}",
                fit(&x.what, w_what),
                fit(&x.customer, w_customer),
                fit(&x.when, w_when),
                x.why
            );
            out.push_str(line.trim_end());
            out.push('\n');
        }
        if k.more() > 0 && !k.items.is_empty() {
            out.push_str(&format!(
                "  {}\n",
                tf(
                    "remind.more",
                    &[("count", &at_least(k.more(), k.is_capped()))]
                )
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys built at run time (`format!`) exist too; the string test only sees literals.
    #[test]
    fn every_key_built_from_a_word_exists() {
        use crate::domain::enums::{ExceptionKind, ProductionStage};
        let mut keys: Vec<String> = Vec::new();
        for (kind, _) in crate::store::today::KINDS {
            keys.push(format!("today.{kind}"));
            keys.push(format!("today.short.{kind}"));
        }
        keys.extend(
            ExceptionKind::words()
                .iter()
                .map(|w| format!("today.exception.{w}")),
        );
        keys.extend(
            ProductionStage::words()
                .iter()
                .map(|w| format!("today.stage.{w}")),
        );
        for m in [
            "customer",
            "lines",
            "product_code",
            "unit_price",
            "due_date",
            "delivery_address",
        ] {
            keys.push(format!("today.missing.{m}"));
        }
        for which in ["due", "payment", "finish"] {
            for when in ["overdue", "today", "in"] {
                keys.push(format!("today.why.{which}_{when}"));
            }
        }
        keys.extend(["text", "due", "about"].map(|f| format!("followup.{f}")));
        let missing: Vec<&String> = keys.iter().filter(|k| t(k) == k.as_str()).collect();
        assert!(missing.is_empty(), "{missing:?}");
    }
}
