//! KPI arithmetic (SPEC §4): exact ratios rounded half away from zero, absent when there is
//! nothing to divide by. Counts stay integers until the one rounding at the end, so a figure
//! never depends on floating-point accidents.

/// `num / den` rounded to `decimals` places; `None` when `den` is 0.
pub fn ratio(num: i128, den: i128, decimals: u32) -> Option<f64> {
    if den == 0 {
        return None;
    }
    let scale = 10i128.pow(decimals);
    let (n, d) = if den < 0 { (-num, -den) } else { (num, den) };
    let scaled = n * scale;
    // Half away from zero: add half the divisor to the magnitude before dividing.
    let rounded = if scaled >= 0 {
        (2 * scaled + d) / (2 * d)
    } else {
        -((-2 * scaled + d) / (2 * d))
    };
    Some(rounded as f64 / scale as f64)
}

/// A rate: `num / den` as a fraction rounded to 4 decimals; `None` when `den` is 0.
pub fn rate(num: u64, den: u64) -> Option<f64> {
    ratio(num as i128, den as i128, 4)
}

/// `sum / count` rounded to 2 decimals; `None` when `count` is 0.
pub fn average(sum: i64, count: u64) -> Option<f64> {
    ratio(sum as i128, count as i128, 2)
}

/// Net promoter score from willingness answers (0–10): % of 9–10 minus % of 0–6, rounded to
/// 1 decimal; `None` without answers.
pub fn nps(promoters: u64, detractors: u64, answers: u64) -> Option<f64> {
    ratio(
        100 * (promoters as i128 - detractors as i128),
        answers as i128,
        1,
    )
}

/// `62.50%` (a rate carries 4 decimals, so two after the percent sign lose nothing), or `–`.
pub fn percent(rate: Option<f64>) -> String {
    match rate {
        Some(r) => format!("{:.2}%", r * 100.0),
        None => "–".to_string(),
    }
}

/// `4.25`, or `–` when there is nothing to average.
pub fn decimal(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) => format!("{v:.decimals$}"),
        None => "–".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_to_four_decimals_and_empty_is_none() {
        assert_eq!(rate(2, 3), Some(0.6667));
        assert_eq!(rate(1, 3), Some(0.3333));
        assert_eq!(rate(0, 5), Some(0.0));
        assert_eq!(rate(5, 5), Some(1.0));
        assert_eq!(rate(1, 0), None);
        // Exactly half a unit in the last place rounds away from zero.
        assert_eq!(rate(1, 32), Some(0.0313));
        assert_eq!(rate(1, 80_000), Some(0.0));
        assert_eq!(rate(1, 20_000), Some(0.0001));
        assert_eq!(percent(rate(1, 8)), "12.50%");
        assert_eq!(percent(None), "–");
    }

    #[test]
    fn averages_and_nps_round_half_away_from_zero() {
        assert_eq!(average(9, 2), Some(4.5));
        assert_eq!(average(13, 3), Some(4.33));
        assert_eq!(average(29, 6), Some(4.83));
        assert_eq!(average(0, 0), None);
        assert_eq!(average(-1, 8), Some(-0.13));
        // 16 answers, one promoter more than detractors: 6.25 → 6.3.
        assert_eq!(nps(5, 4, 16), Some(6.3));
        assert_eq!(nps(4, 5, 16), Some(-6.3));
        assert_eq!(nps(2, 1, 3), Some(33.3));
        assert_eq!(nps(0, 3, 3), Some(-100.0));
        assert_eq!(nps(0, 0, 0), None);
        assert_eq!(decimal(Some(4.5), 2), "4.50");
        assert_eq!(decimal(None, 1), "–");
    }
}
