//! Customers and what the desk keeps about them: the fields a clerk enters (and their
//! formats), survey scores and the key-account suggestion they lead to, and the path a
//! customer's special requirement takes.

use super::enums::{Channel, CustomerType, Language, RequirementStatus};
use super::problem::Problem;
use chrono::NaiveDate;

/// The editable content of a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerDraft {
    pub code: String,
    pub name: String,
    /// New, regular, key account or distributor (for conversion by customer type).
    pub customer_type: CustomerType,
    pub contact_person: String,
    pub phone: String,
    pub email: String,
    pub im_handle: String,
    pub preferred_channel: Channel,
    pub address: String,
    pub payment_terms_days: Option<i64>,
    pub language: Language,
    pub notes: String,
    pub key_account: bool,
}

pub const CODE_MAX: usize = 20;
pub const NAME_MAX: usize = 120;
pub const PAYMENT_TERMS_MAX: i64 = 365;

/// A customer code: short, required, one word.
pub fn check_code(code: &str) -> Result<(), Problem> {
    let c = code.trim();
    if c.is_empty() {
        Err(Problem::Required)
    } else if c.chars().count() > CODE_MAX {
        Err(Problem::TooLong(CODE_MAX))
    } else if c.chars().any(char::is_whitespace) {
        Err(Problem::Spaces)
    } else {
        Ok(())
    }
}

pub fn check_name(name: &str) -> Result<(), Problem> {
    let n = name.trim();
    if n.is_empty() {
        Err(Problem::Required)
    } else if n.chars().count() > NAME_MAX {
        Err(Problem::TooLong(NAME_MAX))
    } else {
        Ok(())
    }
}

/// `name@example.com`: one `@`, something before it, a dotted domain after it with a
/// top-level part of two letters or more, no spaces. Empty is fine (the field is optional).
pub fn check_email(email: &str) -> Result<(), Problem> {
    let e = email.trim();
    if e.is_empty() {
        return Ok(());
    }
    let Some((local, domain)) = e.split_once('@') else {
        return Err(Problem::Email);
    };
    let labels: Vec<&str> = domain.split('.').collect();
    let tld = labels.last().copied().unwrap_or("");
    let ok = !local.is_empty()
        && !e.chars().any(char::is_whitespace)
        && !domain.contains('@')
        && labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty())
        && tld.chars().count() >= 2
        && tld.chars().all(char::is_alphabetic);
    if ok {
        Ok(())
    } else {
        Err(Problem::Email)
    }
}

/// A phone number as people write them: `+86 138 1234 5678`, `0755-8888 1234`,
/// `(020) 1234-5678`, optionally with an extension (`ext 12`, `x12`, `转12`): 5 to 15
/// digits, `+` only in front. Empty is fine.
pub fn check_phone(phone: &str) -> Result<(), Problem> {
    let p = phone.trim();
    if p.is_empty() {
        return Ok(());
    }
    let lower = p.to_lowercase();
    let (main, ext) = match ["ext", "x", "转"]
        .iter()
        .find_map(|sep| lower.split_once(sep))
    {
        Some((main, ext)) => (main, Some(ext.trim().trim_start_matches('.').trim())),
        None => (lower.as_str(), None),
    };
    let ext_ok =
        ext.is_none_or(|e| !e.is_empty() && e.len() <= 6 && e.chars().all(|c| c.is_ascii_digit()));
    let body = main.trim();
    let body = body.strip_prefix('+').unwrap_or(body);
    let chars_ok = body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.' | '/'));
    let digits = body.chars().filter(char::is_ascii_digit).count();
    if chars_ok && ext_ok && (5..=15).contains(&digits) {
        Ok(())
    } else {
        Err(Problem::Phone)
    }
}

/// A whole number in `lo..=hi`, or nothing when the text is empty.
pub fn parse_optional_number(text: &str, lo: i64, hi: i64) -> Result<Option<i64>, Problem> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<i64>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(Some(n)),
        _ => Err(Problem::Range(lo, hi)),
    }
}

/// Payment terms in days: 0 to 365, optional.
pub fn parse_payment_terms(text: &str) -> Result<Option<i64>, Problem> {
    parse_optional_number(text, 0, PAYMENT_TERMS_MAX)
}

impl CustomerDraft {
    /// Every field's format; uniqueness of code and name is the store's to check.
    pub fn check(&self) -> Vec<(&'static str, Problem)> {
        let mut out = Vec::new();
        let checks = [
            ("code", check_code(&self.code)),
            ("name", check_name(&self.name)),
            ("phone", check_phone(&self.phone)),
            ("email", check_email(&self.email)),
        ];
        for (field, r) in checks {
            if let Err(p) = r {
                out.push((field, p));
            }
        }
        if self
            .payment_terms_days
            .is_some_and(|d| !(0..=PAYMENT_TERMS_MAX).contains(&d))
        {
            out.push(("payment_terms_days", Problem::Range(0, PAYMENT_TERMS_MAX)));
        }
        out
    }
}

/// The six 1–5 questions of a survey, in SPEC §2 order.
pub const SCORE_NAMES: [&str; 6] = [
    "accuracy",
    "response",
    "resolution",
    "attitude",
    "customisation",
    "quality",
];

/// One satisfaction survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survey {
    pub date: NaiveDate,
    /// Accuracy, response, resolution, attitude, customisation, quality: 1–5 or skipped.
    pub scores: [Option<i64>; 6],
    /// Willingness to recommend, 0–10.
    pub willingness: Option<i64>,
}

impl Survey {
    fn answered(&self) -> impl Iterator<Item = i64> + '_ {
        self.scores.iter().flatten().copied()
    }

    /// The average of the answered 1–5 scores in hundredths (4.67 → 467), rounded half up.
    pub fn average_hundredths(&self) -> Option<i64> {
        let n = self.answered().count() as i64;
        (n > 0).then(|| (self.answered().sum::<i64>() * 200 + n) / (2 * n))
    }

    /// At least one question answered, each in its range.
    pub fn check(&self) -> Result<(), Problem> {
        if self.scores.iter().all(Option::is_none) && self.willingness.is_none() {
            return Err(Problem::Required);
        }
        if self.answered().any(|s| !(1..=5).contains(&s)) {
            return Err(Problem::Range(1, 5));
        }
        if self.willingness.is_some_and(|w| !(0..=10).contains(&w)) {
            return Err(Problem::Range(0, 10));
        }
        Ok(())
    }
}

/// Scores this high, from enough answers, with a promoter's willingness (9–10), suggest
/// marking the customer a key account.
pub const KEY_ACCOUNT_MIN_AVERAGE_HUNDREDTHS: i64 = 450;
pub const KEY_ACCOUNT_MIN_ANSWERS: usize = 3;

/// The rule: on the customer's latest survey, willingness 9–10 and the average of at least
/// three answered 1–5 scores 4.5 or more. The latest survey alone counts, so a customer
/// whose opinion has dropped is no longer suggested.
pub fn suggests_key_account(latest: &Survey) -> bool {
    let answered = latest.answered().count();
    let n = answered as i64;
    latest.willingness.is_some_and(|w| w >= 9)
        && answered >= KEY_ACCOUNT_MIN_ANSWERS
        // avg ≥ 4.5 ⇔ sum ≥ 4.5 n, kept in integers.
        && latest.answered().sum::<i64>() * 100 >= KEY_ACCOUNT_MIN_AVERAGE_HUNDREDTHS * n
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error("the requirement is already settled")]
    Settled,
    #[error("the requirement is already {0}")]
    Unchanged(RequirementStatus),
}

/// Where a requirement may go: open → forwarded (again, to another department) → met or
/// declined; open may be settled at once. Met and declined are final.
pub fn requirement_step(from: RequirementStatus, to: RequirementStatus) -> Result<(), StepError> {
    use RequirementStatus::*;
    match (from, to) {
        (Met | Declined, _) => Err(StepError::Settled),
        (Open, Open) => Err(StepError::Unchanged(Open)),
        (_, Open) => Err(StepError::Unchanged(from)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails() {
        for ok in [
            "a@example.com",
            "li.wei+po@hua-lian.com.cn",
            "王@例子.中国",
            "",
        ] {
            assert_eq!(check_email(ok), Ok(()), "{ok}");
        }
        for bad in [
            "a",
            "@example.com",
            "a@",
            "a@example",
            "a@example.c",
            "a b@example.com",
            "a@@example.com",
            "a@example..com",
            "a@example.c0m",
        ] {
            assert_eq!(check_email(bad), Err(Problem::Email), "{bad}");
        }
    }

    #[test]
    fn phones() {
        for ok in [
            "13812345678",
            "+86 138 1234 5678",
            "0755-8888 1234",
            "(020) 1234-5678",
            "+49 30 1234567 ext 12",
            "021-5555 6666转801",
            "",
        ] {
            assert_eq!(check_phone(ok), Ok(()), "{ok}");
        }
        for bad in [
            "1234",
            "call me",
            "138-1234-5678-9999-0000",
            "86+138",
            "+86 138 x",
            "138 1234 5678 ext 1234567",
        ] {
            assert_eq!(check_phone(bad), Err(Problem::Phone), "{bad}");
        }
    }

    #[test]
    fn codes_names_and_terms() {
        assert_eq!(check_code(" C001 "), Ok(()));
        assert_eq!(check_code(""), Err(Problem::Required));
        assert_eq!(check_code("C 001"), Err(Problem::Spaces));
        assert_eq!(check_code(&"C".repeat(21)), Err(Problem::TooLong(20)));
        assert_eq!(check_name("  "), Err(Problem::Required));
        assert_eq!(parse_payment_terms(""), Ok(None));
        assert_eq!(parse_payment_terms("30"), Ok(Some(30)));
        assert_eq!(parse_payment_terms("-1"), Err(Problem::Range(0, 365)));
        assert_eq!(parse_payment_terms("30 days"), Err(Problem::Range(0, 365)));
    }

    fn survey(scores: [Option<i64>; 6], willingness: Option<i64>) -> Survey {
        Survey {
            date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            scores,
            willingness,
        }
    }

    #[test]
    fn key_account_suggestion_needs_high_scores_and_a_promoter() {
        let s = |a: [i64; 6], w| survey(a.map(Some), Some(w));
        assert!(
            suggests_key_account(&s([5, 5, 4, 5, 4, 4], 9)),
            "avg 4.5, w 9"
        );
        assert!(
            !suggests_key_account(&s([5, 4, 4, 5, 4, 4], 10)),
            "avg 4.33"
        );
        assert!(!suggests_key_account(&s([5, 5, 5, 5, 5, 5], 8)), "w 8");
        assert!(!suggests_key_account(&survey(
            [Some(5), Some(5), None, None, None, None],
            Some(10)
        )));
        assert!(suggests_key_account(&survey(
            [Some(5), Some(4), Some(5), None, None, None],
            Some(10)
        )));
        assert!(!suggests_key_account(&survey([Some(5); 6], None)));
    }

    #[test]
    fn survey_average_and_ranges() {
        let s = survey([Some(5), Some(4), Some(5), None, None, None], Some(7));
        assert_eq!(s.average_hundredths(), Some(467));
        assert_eq!(survey([None; 6], Some(7)).average_hundredths(), None);
        assert_eq!(survey([None; 6], None).check(), Err(Problem::Required));
        assert_eq!(
            survey([Some(6), None, None, None, None, None], None).check(),
            Err(Problem::Range(1, 5))
        );
        assert_eq!(
            survey([None; 6], Some(11)).check(),
            Err(Problem::Range(0, 10))
        );
    }

    #[test]
    fn requirement_paths() {
        use RequirementStatus::*;
        assert!(requirement_step(Open, Forwarded).is_ok());
        assert!(requirement_step(Forwarded, Forwarded).is_ok(), "re-routed");
        assert!(requirement_step(Open, Met).is_ok());
        assert!(requirement_step(Forwarded, Declined).is_ok());
        assert_eq!(requirement_step(Met, Forwarded), Err(StepError::Settled));
        assert_eq!(requirement_step(Declined, Met), Err(StepError::Settled));
        assert!(requirement_step(Forwarded, Open).is_err());
    }

    proptest! {
        #[test]
        fn format_checks_never_panic(s in "\\PC{0,40}") {
            let _ = check_email(&s);
            let _ = check_phone(&s);
            let _ = check_code(&s);
            let _ = parse_payment_terms(&s);
        }
    }
}
