//! Masking of sensitive personal data on export (SPEC §5, §8).

/// `13812345678` → `138****5678`; short numbers keep only their last two digits.
pub fn phone(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    match chars.len() {
        0 => String::new(),
        n if n >= 8 => {
            let head: String = chars[..3].iter().collect();
            let tail: String = chars[n - 4..].iter().collect();
            format!("{head}****{tail}")
        }
        n => {
            let tail: String = chars[n.saturating_sub(2)..].iter().collect();
            format!("****{tail}")
        }
    }
}

/// `alice@example.com` → `a***@example.com`
pub fn email(text: &str) -> String {
    match text.split_once('@') {
        Some((user, domain)) => {
            let first: String = user.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => generic(text),
    }
}

/// Addresses and handles: first two characters, then stars.
pub fn generic(text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    let head: String = text.chars().take(2).collect();
    format!("{head}***")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_match_the_spec_examples() {
        assert_eq!(phone("13812345678"), "138****5678");
        assert_eq!(email("alice@example.com"), "a***@example.com");
        assert_eq!(generic("上海市浦东新区"), "上海***");
        assert_eq!(phone(""), "");
        assert_eq!(phone("12345"), "****45");
    }
}
