//! KPI arithmetic (SPEC §4): rates are fractions rounded to 4 decimals, absent when the
//! denominator is zero.

/// `num / den` rounded to 4 decimals; `None` when `den` is 0.
pub fn rate(num: u64, den: u64) -> Option<f64> {
    if den == 0 {
        return None;
    }
    Some(((num as f64 / den as f64) * 10_000.0).round() / 10_000.0)
}

/// `62.5%`, or `–` when there is no rate.
pub fn percent(rate: Option<f64>) -> String {
    match rate {
        Some(r) => format!("{:.1}%", r * 100.0),
        None => "–".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_to_four_decimals_and_empty_is_none() {
        assert_eq!(rate(2, 3), Some(0.6667));
        assert_eq!(rate(0, 5), Some(0.0));
        assert_eq!(rate(5, 5), Some(1.0));
        assert_eq!(rate(1, 0), None);
        assert_eq!(percent(rate(1, 8)), "12.5%");
        assert_eq!(percent(None), "–");
    }
}
