//! The demo word lists (`assets/demo/*.txt`), embedded in the binary and read once per run.
//! One item a line, fields separated by `|`, lines starting with `#` are comments. Texts that
//! a customer reads come in pairs (Chinese, English) so each customer gets its own language.

use crate::domain::enums::{ComplaintType, Language, RequirementCategory, ShipMode};
use anyhow::{anyhow, bail, Result};
use std::collections::HashMap;

/// A text in both message languages, picked by [`Bilingual::get`].
#[derive(Debug, Clone, Copy)]
pub struct Bilingual {
    zh: &'static str,
    en: &'static str,
}

impl Bilingual {
    pub fn get(self, lang: Language) -> &'static str {
        match lang {
            Language::Zh => self.zh,
            Language::En => self.en,
        }
    }
}

pub struct ZhCity {
    pub city: &'static str,
    /// Province, city and district: the start of an address.
    pub prefix: &'static str,
}

pub struct Person {
    pub name: &'static str,
    /// The part of an e-mail address before the `@`.
    pub mail: &'static str,
}

pub struct Country {
    pub phone_prefix: &'static str,
    /// The legal-form suffix of company names there (Ltd, GmbH …), unique per country.
    pub suffix: &'static str,
    pub currency: &'static str,
    /// Address templates with `{n}` for a house number.
    pub addresses: Vec<&'static str>,
}

pub struct Product {
    pub prefix: &'static str,
    pub name: Bilingual,
    pub unit: &'static str,
    /// Price range in ten-thousandths of a US dollar, so prices stay exact integers.
    pub min_price: i64,
    pub max_price: i64,
    pub specs: Vec<Bilingual>,
}

pub struct Carrier {
    pub name: &'static str,
    pub prefix: &'static str,
    pub digits: u32,
}

pub struct Words {
    pub zh_cities: Vec<ZhCity>,
    /// Trade name and its pinyin (for e-mail domains).
    pub zh_brands: Vec<(&'static str, &'static str)>,
    pub zh_industries: Vec<&'static str>,
    pub zh_streets: Vec<&'static str>,
    pub zh_people: Vec<Person>,
    pub en_brands: Vec<&'static str>,
    pub en_industries: Vec<&'static str>,
    pub en_people: Vec<Person>,
    pub countries: Vec<Country>,
    pub products: Vec<Product>,
    /// Indexed by `ShipMode as usize`.
    pub carriers: [Vec<Carrier>; 5],
    pub notes: Vec<Bilingual>,
    /// Indexed by `ComplaintType as usize`.
    pub complaints: [Vec<Bilingual>; 6],
    pub resolutions: [Vec<Bilingual>; 6],
    pub contacts_in: Vec<Bilingual>,
    pub contacts_out: Vec<Bilingual>,
    /// Indexed by `RequirementCategory as usize`.
    pub requirements: [Vec<Bilingual>; 4],
    reasons: HashMap<&'static str, Vec<Bilingual>>,
}

macro_rules! asset {
    ($name:literal) => {
        ($name, include_str!(concat!("../../assets/demo/", $name)))
    };
}

type Asset = (&'static str, &'static str);

/// The `|`-separated fields of every item of a list, each item checked for its field count.
fn rows(asset: Asset, fields: usize) -> Result<Vec<Vec<&'static str>>> {
    let (name, text) = asset;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let row: Vec<&'static str> = line.split('|').map(str::trim).collect();
        if row.len() != fields {
            bail!("assets/demo/{name}:{}: expected {fields} fields", i + 1);
        }
        out.push(row);
    }
    if out.is_empty() {
        bail!("assets/demo/{name} is empty");
    }
    Ok(out)
}

fn singles(asset: Asset) -> Result<Vec<&'static str>> {
    Ok(rows(asset, 1)?.into_iter().map(|r| r[0]).collect())
}

fn pairs(asset: Asset) -> Result<Vec<(&'static str, &'static str)>> {
    Ok(rows(asset, 2)?.into_iter().map(|r| (r[0], r[1])).collect())
}

fn people(asset: Asset) -> Result<Vec<Person>> {
    Ok(pairs(asset)?
        .into_iter()
        .map(|(name, mail)| Person { name, mail })
        .collect())
}

/// Lists of `key|zh|en` rows, grouped by key in file order.
fn keyed(asset: Asset) -> Result<Vec<(&'static str, Bilingual)>> {
    Ok(rows(asset, 3)?
        .into_iter()
        .map(|r| (r[0], Bilingual { zh: r[1], en: r[2] }))
        .collect())
}

/// Groups keyed rows by a vocabulary whose words are the keys, failing on unknown keys and
/// on words without any text.
fn by_word<const N: usize>(asset: Asset, words: &[&'static str]) -> Result<[Vec<Bilingual>; N]> {
    let mut out: [Vec<Bilingual>; N] = std::array::from_fn(|_| Vec::new());
    for (key, text) in keyed(asset)? {
        let i = words
            .iter()
            .position(|w| *w == key)
            .ok_or_else(|| anyhow!("assets/demo/{}: unknown key '{key}'", asset.0))?;
        out[i].push(text);
    }
    if let Some(i) = out.iter().position(Vec::is_empty) {
        bail!("assets/demo/{}: no text for '{}'", asset.0, words[i]);
    }
    Ok(out)
}

/// A price like `0.03` or `1500` in ten-thousandths.
fn price_units(text: &str) -> Result<i64> {
    let d = crate::domain::money::parse_price(text).map_err(|e| anyhow!("price {text}: {e}"))?;
    let units = d * rust_decimal::Decimal::from(10_000);
    i64::try_from(units.trunc()).map_err(|e| anyhow!("price {text}: {e}"))
}

fn products() -> Result<Vec<Product>> {
    let mut specs: HashMap<&str, Vec<Bilingual>> = HashMap::new();
    for r in rows(asset!("specs.txt"), 3)? {
        specs
            .entry(r[0])
            .or_default()
            .push(Bilingual { zh: r[1], en: r[2] });
    }
    rows(asset!("products.txt"), 7)?
        .into_iter()
        .map(|r| {
            let (min_price, max_price) = (price_units(r[4])?, price_units(r[5])?);
            if min_price <= 0 || max_price < min_price {
                bail!("products.txt: bad price range for {}", r[0]);
            }
            Ok(Product {
                prefix: r[0],
                name: Bilingual { zh: r[1], en: r[2] },
                unit: r[3],
                min_price,
                max_price,
                specs: specs
                    .get(r[6])
                    .cloned()
                    .ok_or_else(|| anyhow!("specs.txt has no family '{}'", r[6]))?,
            })
        })
        .collect()
}

fn countries() -> Result<Vec<Country>> {
    let mut addresses: HashMap<&str, Vec<&'static str>> = HashMap::new();
    for (code, address) in pairs(asset!("en_addresses.txt"))? {
        addresses.entry(code).or_default().push(address);
    }
    rows(asset!("en_countries.txt"), 4)?
        .into_iter()
        .map(|r| {
            Ok(Country {
                phone_prefix: r[1],
                suffix: r[2],
                currency: r[3],
                addresses: addresses
                    .remove(r[0])
                    .ok_or_else(|| anyhow!("en_addresses.txt has no address in {}", r[0]))?,
            })
        })
        .collect()
}

fn carriers() -> Result<[Vec<Carrier>; 5]> {
    let modes = ShipMode::words();
    let mut out: [Vec<Carrier>; 5] = std::array::from_fn(|_| Vec::new());
    for r in rows(asset!("carriers.txt"), 4)? {
        let mode = modes
            .iter()
            .position(|m| *m == r[0])
            .ok_or_else(|| anyhow!("carriers.txt: unknown mode '{}'", r[0]))?;
        let digits: u32 = r[3].parse()?;
        // Waybill numbers are made unique from the shipment id, which needs room for it.
        if !(8..=16).contains(&digits) {
            bail!("carriers.txt: {} needs 8 to 16 digits", r[1]);
        }
        out[mode].push(Carrier {
            name: r[1],
            prefix: r[2],
            digits,
        });
    }
    if out.iter().any(Vec::is_empty) {
        bail!("carriers.txt needs a carrier for every mode");
    }
    Ok(out)
}

impl Words {
    pub fn load() -> Result<Words> {
        let zh_cities = pairs(asset!("zh_cities.txt"))?
            .into_iter()
            .map(|(city, prefix)| ZhCity { city, prefix })
            .collect();
        let contacts = keyed(asset!("contacts.txt"))?;
        let side = |dir: &str| -> Vec<Bilingual> {
            contacts
                .iter()
                .filter(|(k, _)| *k == dir)
                .map(|(_, t)| *t)
                .collect()
        };
        let mut reasons: HashMap<&'static str, Vec<Bilingual>> = HashMap::new();
        for (key, text) in keyed(asset!("reasons.txt"))? {
            reasons.entry(key).or_default().push(text);
        }
        let words = Words {
            zh_cities,
            zh_brands: pairs(asset!("zh_brands.txt"))?,
            zh_industries: singles(asset!("zh_industries.txt"))?,
            zh_streets: singles(asset!("zh_streets.txt"))?,
            zh_people: people(asset!("zh_people.txt"))?,
            en_brands: singles(asset!("en_brands.txt"))?,
            en_industries: singles(asset!("en_industries.txt"))?,
            en_people: people(asset!("en_people.txt"))?,
            countries: countries()?,
            products: products()?,
            carriers: carriers()?,
            notes: rows(asset!("notes.txt"), 2)?
                .into_iter()
                .map(|r| Bilingual { zh: r[0], en: r[1] })
                .collect(),
            complaints: by_word(asset!("complaints.txt"), &ComplaintType::words())?,
            resolutions: by_word(asset!("resolutions.txt"), &ComplaintType::words())?,
            contacts_in: side("in"),
            contacts_out: side("out"),
            requirements: by_word(asset!("requirements.txt"), &RequirementCategory::words())?,
            reasons,
        };
        if words.contacts_in.is_empty() || words.contacts_out.is_empty() {
            bail!("contacts.txt needs 'in' and 'out' summaries");
        }
        for key in REASON_KEYS {
            words.reasons(key)?;
        }
        Ok(words)
    }

    /// The texts for one kind of reason or note (see `reasons.txt`).
    pub fn reasons(&self, key: &str) -> Result<&[Bilingual]> {
        self.reasons
            .get(key)
            .map(Vec::as_slice)
            .ok_or_else(|| anyhow!("assets/demo/reasons.txt has no '{key}'"))
    }
}

/// Every key the generator asks `reasons.txt` for, checked up front so a missing one fails
/// at load time rather than deep inside generation.
pub const REASON_KEYS: &[&str] = &[
    "cancel",
    "hold",
    "lost",
    "revise_customer",
    "missing_address",
    "missing_due",
    "delay:supplier_delay",
    "delay:production_breakdown",
    "delay:logistics",
    "delay:customer_change",
    "delay:quality",
    "delay:other",
    "exception:stockout",
    "exception:quality",
    "exception:spec_mismatch",
    "exception:other",
    "followup",
    "customer",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_loads_and_has_what_generation_needs() {
        let w = Words::load().expect("embedded word lists are well-formed");
        assert!(w.zh_brands.len() >= 50 && w.en_brands.len() >= 50);
        assert!(w.products.iter().all(|p| !p.specs.is_empty()));
        assert!(w.countries.iter().all(|c| !c.addresses.is_empty()));
        let suffixes: std::collections::HashSet<_> = w.countries.iter().map(|c| c.suffix).collect();
        assert_eq!(
            suffixes.len(),
            w.countries.len(),
            "company names rely on unique suffixes"
        );
        let waybills: std::collections::HashSet<_> = w
            .carriers
            .iter()
            .flatten()
            .map(|c| (c.prefix, c.digits))
            .collect();
        let carriers = w.carriers.iter().map(Vec::len).sum::<usize>();
        assert_eq!(
            waybills.len(),
            carriers,
            "waybill numbers rely on distinct shapes"
        );
    }
}
