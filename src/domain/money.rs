//! Exact money: decimals per currency, never summed across currencies (SPEC §2).

use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("'{0}' is not a number")]
    NotANumber(String),
    #[error("must not be negative")]
    Negative,
    #[error("must be more than zero")]
    NotPositive,
    #[error("'{0}' is not a currency code (three capital letters, e.g. USD)")]
    BadCurrency(String),
    #[error("too large")]
    TooLarge,
    /// `1,5`: a comma that is not a thousands separator (a decimal comma, or a typo).
    #[error("'{0}': a comma only separates thousands (1,234.50); write decimals with a point")]
    CommaDecimal(String),
}

/// Reads a decimal as people type it: `1234.5`, `1,234.50`, ` 12 `.
pub fn parse_decimal(text: &str) -> Result<Decimal, MoneyError> {
    // Stored values are plain already: no copy needed for them.
    if let Ok(d) = Decimal::from_str(text) {
        return Ok(d);
    }
    let trimmed = text.trim();
    if trimmed.contains(',') && !thousands_grouped(trimmed) {
        return Err(MoneyError::CommaDecimal(text.to_string()));
    }
    let cleaned: String = trimmed.chars().filter(|c| *c != ',').collect();
    Decimal::from_str(&cleaned)
        .or_else(|_| Decimal::from_scientific(&cleaned))
        .map_err(|_| MoneyError::NotANumber(text.to_string()))
}

/// Commas only between groups of three digits of the whole part: `1,234`, `-12,345.5`.
fn thousands_grouped(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let whole = unsigned.split(['.', 'e', 'E']).next().unwrap_or("");
    if unsigned[whole.len()..].contains(',') {
        return false;
    }
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or("");
    (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

pub fn parse_price(text: &str) -> Result<Decimal, MoneyError> {
    let d = parse_decimal(text)?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(MoneyError::Negative);
    }
    Ok(d)
}

pub fn parse_quantity(text: &str) -> Result<Decimal, MoneyError> {
    let d = parse_decimal(text)?;
    if d <= Decimal::ZERO {
        return Err(MoneyError::NotPositive);
    }
    Ok(d)
}

pub fn parse_currency(text: &str) -> Result<String, MoneyError> {
    let t = text.trim();
    if t.len() == 3 && t.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(t.to_string())
    } else {
        Err(MoneyError::BadCurrency(text.to_string()))
    }
}

/// The canonical text of a stored decimal: no trailing zeros beyond what was meant.
pub fn canonical(d: Decimal) -> String {
    d.normalize().to_string()
}

/// An amount for files and scripts: the exact value, at least two decimals, no grouping
/// (`1234.50`, `0.125`, `-3.00`).
pub fn plain_amount(d: Decimal) -> String {
    let n = d.normalize();
    if n.scale() < 2 {
        format!("{:.2}", n)
    } else {
        n.to_string()
    }
}

/// An amount for screens: thousands grouped, two decimals unless more were given.
pub fn display_amount(d: Decimal) -> String {
    let plain = plain_amount(d);
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// An amount with its currency, as every screen shows it: `USD 9,756.90`.
pub fn money(currency: &str, amount: Decimal) -> String {
    format!("{currency} {}", display_amount(amount))
}

/// Amounts kept apart by currency.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals(pub BTreeMap<String, Decimal>);

impl Totals {
    /// Adds exactly; a sum beyond what a decimal holds (about 7.9e28) stays at the limit
    /// rather than stopping the program.
    pub fn add(&mut self, currency: &str, amount: Decimal) {
        let sum = self.0.entry(currency.to_string()).or_default();
        *sum = sum.saturating_add(amount);
    }

    pub fn get(&self, currency: &str) -> Decimal {
        self.0.get(currency).copied().unwrap_or_default()
    }

    /// `USD 1,234.50 · CNY 88.00`
    pub fn describe(&self) -> String {
        self.0
            .iter()
            .map(|(c, a)| money(c, *a))
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// In JSON: currency → exact decimal string, e.g. `{"USD": "1234.50"}` (SPEC §4).
impl serde::Serialize for Totals {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(c, a)| (c, plain_amount(*a))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::order::{OrderDraft, OrderLine};
    use proptest::prelude::*;

    #[test]
    fn decimals_are_exact() {
        let a = parse_decimal("0.1").unwrap() + parse_decimal("0.2").unwrap();
        assert_eq!(canonical(a), "0.3");
        assert_eq!(parse_decimal("1,234.50").unwrap().to_string(), "1234.50");
        assert_eq!(
            parse_decimal("-12,345,678").unwrap().to_string(),
            "-12345678"
        );
        for decimal_comma in [
            "1,5", "1,23", "12,3456", ",123", "1,234,5", "1.234,50", "1,,234",
        ] {
            assert!(
                matches!(
                    parse_decimal(decimal_comma),
                    Err(MoneyError::CommaDecimal(_))
                ),
                "{decimal_comma}"
            );
        }
        assert_eq!(display_amount(parse_decimal("12").unwrap()), "12.00");
        assert_eq!(display_amount(parse_decimal("0.0035").unwrap()), "0.0035");
        assert_eq!(
            display_amount(parse_decimal("1234567.5").unwrap()),
            "1,234,567.50"
        );
        assert_eq!(display_amount(parse_decimal("-999.1").unwrap()), "-999.10");
        assert_eq!(display_amount(parse_decimal("100").unwrap()), "100.00");
        assert_eq!(plain_amount(parse_decimal("1234.500").unwrap()), "1234.50");
        assert_eq!(plain_amount(parse_decimal("0.125").unwrap()), "0.125");
        assert_eq!(plain_amount(parse_decimal("0").unwrap()), "0.00");
        assert_eq!(plain_amount(parse_decimal("-3").unwrap()), "-3.00");
    }

    #[test]
    fn prices_and_quantities_have_signs_checked() {
        assert_eq!(parse_price("-1"), Err(MoneyError::Negative));
        assert!(parse_price("0").is_ok());
        assert_eq!(parse_quantity("0"), Err(MoneyError::NotPositive));
        assert!(parse_quantity("abc").is_err());
    }

    #[test]
    fn currencies_are_never_mixed() {
        let mut t = Totals::default();
        t.add("USD", parse_decimal("10.5").unwrap());
        t.add("CNY", parse_decimal("3").unwrap());
        t.add("USD", parse_decimal("0.5").unwrap());
        assert_eq!(t.get("USD").to_string(), "11.0");
        assert_eq!(t.describe(), "CNY 3.00 · USD 11.00");
        t.add("USD", parse_decimal("1000").unwrap());
        assert_eq!(t.describe(), "CNY 3.00 · USD 1,011.00");
        assert!(parse_currency("usd").is_err());
        assert_eq!(parse_currency("EUR").unwrap(), "EUR");
    }

    fn draft(currency: &str, lines: Vec<OrderLine>) -> OrderDraft {
        OrderDraft {
            order_no: String::new(),
            customer_id: None,
            order_type: crate::domain::enums::OrderType::Regular,
            status: crate::domain::status::Status::Inquiry,
            ordered_at: 0,
            due_date: None,
            delivery_address: String::new(),
            currency: currency.into(),
            payment_due: None,
            paid_at: None,
            missing_reason: String::new(),
            notes: String::new(),
            lines,
        }
    }

    #[test]
    fn amounts_too_large_for_a_decimal_are_refused_not_a_panic() {
        let huge = parse_decimal("50000000000000000000000000000").unwrap();
        let line = |q: Decimal, p: Decimal| OrderLine {
            quantity: q,
            unit_price: Some(p),
            ..Default::default()
        };
        let d = draft("USD", vec![line(huge, parse_decimal("9").unwrap())]);
        assert_eq!(d.checked_total(), None);
        assert_eq!(d.total(), Decimal::MAX, "held at the limit for display");
        let d = draft(
            "USD",
            vec![line(huge, Decimal::ONE), line(huge, Decimal::ONE)],
        );
        assert_eq!(d.checked_total(), None, "each line fits, the sum does not");
        let mut t = Totals::default();
        t.add("USD", huge);
        t.add("USD", huge);
        assert_eq!(t.get("USD"), Decimal::MAX);
        assert_eq!(
            parse_decimal("9999999999999999999999999999999999"),
            Err(MoneyError::NotANumber(
                "9999999999999999999999999999999999".into()
            ))
        );
    }

    /// Number-shaped text: signs, grouping commas, decimals, exponents, in any amount.
    fn numberish() -> impl Strategy<Value = String> {
        "[ +-]{0,2}[0-9,]{0,40}(\\.[0-9]{0,40})?([eE][+-]?[0-9]{1,6})? ?"
    }

    proptest! {
        #[test]
        fn any_text_parses_or_errs_without_panic(s in prop_oneof!["\\PC{0,40}", numberish()]) {
            let _ = parse_decimal(&s);
            let _ = parse_price(&s);
            let _ = parse_quantity(&s);
            let _ = parse_currency(&s);
        }

        /// What was read once reads back the same from its canonical text, which is stable.
        #[test]
        fn canonical_text_is_stable(s in numberish()) {
            if let Ok(d) = parse_decimal(&s) {
                let c = canonical(d);
                let again = parse_decimal(&c);
                prop_assert_eq!(again.clone(), Ok(d), "{} -> {}", s, c);
                prop_assert_eq!(canonical(again.unwrap()), c.clone());
                // What screens show reads back as the same amount too.
                prop_assert_eq!(parse_decimal(&display_amount(d)), Ok(d), "{}", c);
            }
        }

        #[test]
        fn any_decimal_displays(lo in any::<u32>(), mid in any::<u32>(), hi in any::<u32>(),
                                negative in any::<bool>(), scale in 0u32..=28) {
            let d = Decimal::from_parts(lo, mid, hi, negative, scale);
            let shown = display_amount(d);
            prop_assert_eq!(parse_decimal(&shown), Ok(d));
            prop_assert_eq!(parse_decimal(&canonical(d)), Ok(d));
        }

        /// Totals are the exact sum of quantity × price, compared with integer arithmetic:
        /// never a float anywhere, never mixed across currencies.
        #[test]
        fn totals_are_exact_sums_of_their_lines_each_to_the_cent(
            orders in proptest::collection::vec(
                (proptest::sample::select(vec!["USD", "CNY", "EUR"]),
                 proptest::collection::vec((1i64..1_000_000_000, proptest::option::of(0i64..10_000_000_000)), 0..8)),
                0..6)
        ) {
            let mut totals = Totals::default();
            let mut expected: BTreeMap<&str, i128> = BTreeMap::new();
            for (currency, lines) in &orders {
                // Quantities in thousandths, prices in ten-thousandths: amounts in 1e-7.
                let lines: Vec<OrderLine> = lines.iter().map(|(q, p)| OrderLine {
                    quantity: Decimal::new(*q, 3),
                    unit_price: p.map(|p| Decimal::new(p, 4)),
                    ..Default::default()
                }).collect();
                // Each line exactly (in 1e-7), then rounded to the cent, half away from zero.
                let exact: i128 = lines.iter().map(|l| {
                    let e = l.quantity.mantissa() * l.unit_price.map_or(0, |p| p.mantissa());
                    (e + e.signum() * 50_000) / 100_000 * 100_000
                }).sum();
                let d = draft(currency, lines);
                let total = d.checked_total();
                prop_assert_eq!(total, Decimal::try_from_i128_with_scale(exact, 7).ok());
                prop_assert_eq!(d.total(), total.unwrap());
                totals.add(currency, d.total());
                *expected.entry(currency).or_default() += exact;
            }
            for (currency, sum) in expected {
                prop_assert_eq!(totals.get(currency), Decimal::try_from_i128_with_scale(sum, 7).unwrap());
            }
        }
    }
}
