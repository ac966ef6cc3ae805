//! `customers.csv`: one customer per row, found by its code.

use super::fields::{Field, Parse, Values};
use super::simple::{no_check, After, Filling, Key, Spec};
use crate::domain::enums::{Channel, CustomerType, Language};
use rusqlite::types::Value;

pub static CUSTOMERS: Spec = Spec {
    table: "customers",
    fields: &[
        Field::new("code", "code", Parse::Code).required(),
        Field::new("name", "name", Parse::Code).required(),
        Field::new("contact_person", "contact_person", Parse::Text),
        Field::new("phone", "phone", Parse::Personal),
        Field::new("email", "email", Parse::Personal),
        Field::new("im_handle", "im_handle", Parse::Personal),
        Field::new(
            "preferred_channel",
            "preferred_channel",
            Parse::Word(Channel::words),
        )
        .or("email"),
        Field::new("address", "address", Parse::Personal),
        Field::new(
            "payment_terms_days",
            "payment_terms_days",
            Parse::Whole { min: 0, max: 3650 },
        ),
        Field::new("language", "language", Parse::Word(Language::words)),
        Field::new("notes", "notes", Parse::Text),
        Field::new("type", "type", Parse::Word(CustomerType::words)).or("regular"),
    ],
    key: Key::Unique("code"),
    unique_also: Some("name"),
    versioned: true,
    fill: language_from_name,
    check: no_check,
    after: After::ReindexCustomerOrders,
};

/// Without a language, a customer whose name is written in Chinese gets Chinese messages.
fn language_from_name(values: &mut Values, filling: Filling) {
    let (name, language) = (CUSTOMERS.field("name"), CUSTOMERS.field("language"));
    let wanted = match &values[language] {
        None => filling.inserting,
        Some(v) => *v == Value::Null,
    };
    if wanted {
        let chinese = matches!(&values[name], Some(Value::Text(n)) if n.chars().any(is_cjk));
        values[language] = Some(Value::Text(if chinese { "zh" } else { "en" }.into()));
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_follows_the_name_only_when_not_given() {
        let row = |name: &str, language: Option<Value>| {
            let mut v: Values = vec![None; CUSTOMERS.fields.len()];
            v[CUSTOMERS.field("name")] = Some(Value::Text(name.into()));
            v[CUSTOMERS.field("language")] = language;
            v
        };
        let lang = |v: &Values| v[CUSTOMERS.field("language")].clone();
        let inserting = Filling {
            inserting: true,
            now: 0,
        };
        let mut zh = row("上海华东机械有限公司", None);
        language_from_name(&mut zh, inserting);
        assert_eq!(lang(&zh), Some(Value::Text("zh".into())));
        let mut en = row("Acme Inc.", Some(Value::Null));
        language_from_name(&mut en, inserting);
        assert_eq!(lang(&en), Some(Value::Text("en".into())));
        let mut kept = row("上海", Some(Value::Text("en".into())));
        language_from_name(&mut kept, inserting);
        assert_eq!(lang(&kept), Some(Value::Text("en".into())));
        let mut untouched = row("上海", None);
        language_from_name(
            &mut untouched,
            Filling {
                inserting: false,
                now: 0,
            },
        );
        assert_eq!(
            lang(&untouched),
            None,
            "an update without the column keeps it"
        );
    }
}
