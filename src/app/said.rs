//! Domain errors said in the clerk's language: the domain's own messages are English, for
//! logs and the command line; forms show these instead.

use crate::domain::money::MoneyError;
use crate::domain::time::{TimeError, FIRST_YEAR, LAST_YEAR};
use crate::i18n::{t, tf};

pub fn time(e: &TimeError) -> String {
    let (key, value) = match e {
        TimeError::BadDate(v) => ("import.problem.bad_date", v),
        TimeError::BadStamp(v) => ("import.problem.bad_stamp", v),
        TimeError::NoSuchLocalTime(v) => ("import.problem.no_such_time", v),
        TimeError::OutOfRange(v) => {
            return tf(
                "import.problem.out_of_range",
                &[("value", v), ("min", &FIRST_YEAR), ("max", &LAST_YEAR)],
            )
        }
    };
    tf(key, &[("value", value)])
}

pub fn money(e: &MoneyError) -> String {
    match e {
        MoneyError::NotANumber(v) => tf("import.problem.not_a_number", &[("value", v)]),
        MoneyError::BadCurrency(v) => tf("import.problem.bad_currency", &[("value", v)]),
        MoneyError::Negative => t("form.negative").to_string(),
        MoneyError::NotPositive => t("form.not_positive").to_string(),
        MoneyError::TooLarge => t("form.too_large").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_words_of_its_own() {
        let said = [
            time(&TimeError::BadDate("2026-13-45".into())),
            time(&TimeError::BadStamp("x".into())),
            time(&TimeError::NoSuchLocalTime("x".into())),
            money(&MoneyError::NotANumber("x".into())),
            money(&MoneyError::BadCurrency("x".into())),
            money(&MoneyError::Negative),
            money(&MoneyError::NotPositive),
            money(&MoneyError::TooLarge),
        ];
        for s in said {
            assert!(!s.contains("import.") && !s.contains("form."), "{s}");
        }
        assert_eq!(
            time(&TimeError::BadDate("2026-13-45".into())),
            "'2026-13-45' is not a date (YYYY-MM-DD)"
        );
    }
}
