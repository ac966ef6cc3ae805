//! Demo customers: about half Chinese (Chinese names, addresses and messages), half English.
//! Company names are built from word lists (city + trade name + industry + legal form) and
//! are unique by construction, so any number of customers can be made without retries.

use super::words::Words;
use crate::domain::enums::{Channel, CustomerType, Language};
use crate::store::{Context, Result as StoreResult};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rusqlite::{params, Transaction};

const ZH_SUFFIXES: [&str; 3] = ["有限公司", "实业有限公司", "股份有限公司"];

/// What the rest of the generator needs to know about a customer.
pub struct DemoCustomer {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub lang: Language,
    pub currency: &'static str,
    pub address: String,
    pub payment_terms_days: i64,
}

/// Walks every combination of a mixed-radix name space exactly once, in a scrambled order
/// (a fixed stride coprime with the size), so consecutive customers look unrelated and names
/// never repeat; past the end it starts a new round, which the caller marks in the name.
struct NameSpace {
    radices: Vec<usize>,
    size: usize,
    stride: usize,
    start: usize,
    next: usize,
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

impl NameSpace {
    fn new(radices: Vec<usize>, rng: &mut ChaCha8Rng) -> NameSpace {
        let size = radices.iter().product::<usize>().max(1);
        let mut stride = size / 3 + 7;
        while gcd(stride, size) != 1 {
            stride += 1;
        }
        NameSpace {
            radices,
            size,
            stride,
            start: rng.gen_range(0..size),
            next: 0,
        }
    }

    /// The digits of the next combination and its round (0 for the first pass).
    fn take(&mut self) -> (Vec<usize>, usize) {
        let k = self.next;
        self.next += 1;
        let mut j = (self.start + (k % self.size) * self.stride) % self.size;
        let digits = self
            .radices
            .iter()
            .map(|r| {
                let d = j % r;
                j /= r;
                d
            })
            .collect();
        (digits, k / self.size)
    }
}

struct Namer<'w> {
    words: &'w Words,
    zh_cities: Vec<&'static str>,
    zh: NameSpace,
    en: NameSpace,
}

/// Everything about one customer that is only written, never read back.
struct Contact {
    person: &'static str,
    phone: String,
    email: String,
    im: String,
    channel: Channel,
}

impl<'w> Namer<'w> {
    fn new(words: &'w Words, rng: &mut ChaCha8Rng) -> Namer<'w> {
        let mut zh_cities: Vec<&'static str> = Vec::new();
        for c in &words.zh_cities {
            if !zh_cities.contains(&c.city) {
                zh_cities.push(c.city);
            }
        }
        let zh = NameSpace::new(
            vec![
                zh_cities.len(),
                words.zh_brands.len(),
                words.zh_industries.len(),
                ZH_SUFFIXES.len(),
            ],
            rng,
        );
        let en = NameSpace::new(
            vec![
                words.en_brands.len(),
                words.en_industries.len(),
                words.countries.len(),
            ],
            rng,
        );
        Namer {
            words,
            zh_cities,
            zh,
            en,
        }
    }

    /// Name, address, currency and e-mail domain of a Chinese customer.
    fn chinese(&mut self, rng: &mut ChaCha8Rng) -> (String, String, &'static str, String) {
        let w = self.words;
        let (d, round) = self.zh.take();
        let city = self.zh_cities[d[0]];
        let (brand, pinyin) = w.zh_brands[d[1]];
        let mut name = format!(
            "{city}{brand}{}{}",
            w.zh_industries[d[2]], ZH_SUFFIXES[d[3]]
        );
        if round > 0 {
            name.push_str(&format!("（{}）", round + 1));
        }
        let prefixes: Vec<&str> = w
            .zh_cities
            .iter()
            .filter(|c| c.city == city)
            .map(|c| c.prefix)
            .collect();
        let address = format!(
            "{}{}{}号",
            prefixes[rng.gen_range(0..prefixes.len())],
            w.zh_streets[rng.gen_range(0..w.zh_streets.len())],
            rng.gen_range(1..=999)
        );
        (name, address, "CNY", format!("{pinyin}.com.cn"))
    }

    /// Name, address, currency, e-mail domain and phone prefix of an English customer.
    fn english(
        &mut self,
        rng: &mut ChaCha8Rng,
    ) -> (String, String, &'static str, String, &'static str) {
        let w = self.words;
        let (d, round) = self.en.take();
        let (brand, industry, country) =
            (w.en_brands[d[0]], w.en_industries[d[1]], &w.countries[d[2]]);
        let number = if round > 0 {
            format!(" {}", round + 1)
        } else {
            String::new()
        };
        let name = format!("{brand} {industry}{number} {}", country.suffix);
        let template = country.addresses[rng.gen_range(0..country.addresses.len())];
        let address = template.replace("{n}", &rng.gen_range(1..=480).to_string());
        let first_word = industry.split(' ').next().unwrap_or(industry);
        let domain = format!("{}{}.com", brand.to_lowercase(), first_word.to_lowercase());
        (
            name,
            address,
            country.currency,
            domain,
            country.phone_prefix,
        )
    }
}

fn chinese_contact(words: &Words, domain: &str, rng: &mut ChaCha8Rng) -> Contact {
    let person = &words.zh_people[rng.gen_range(0..words.zh_people.len())];
    let second = [3, 5, 7, 8, 9][rng.gen_range(0..5)];
    let channel = match rng.gen_range(0..10) {
        0..=4 => Channel::Im,
        5..=7 => Channel::Phone,
        _ => Channel::Email,
    };
    Contact {
        person: person.name,
        phone: format!("1{second}{:09}", rng.gen_range(0..1_000_000_000u32)),
        email: format!("{}@{domain}", person.mail),
        im: format!(
            "wx_{}{}",
            person.mail.replace('.', "_"),
            rng.gen_range(10..100)
        ),
        channel,
    }
}

fn english_contact(
    words: &Words,
    domain: &str,
    phone_prefix: &str,
    rng: &mut ChaCha8Rng,
) -> Contact {
    let person = &words.en_people[rng.gen_range(0..words.en_people.len())];
    let channel = match rng.gen_range(0..20) {
        0..=13 => Channel::Email,
        14..=16 => Channel::Phone,
        _ => Channel::Im,
    };
    Contact {
        person: person.name,
        phone: format!(
            "{phone_prefix} {} {:07}",
            rng.gen_range(20..990),
            rng.gen_range(0..10_000_000u32)
        ),
        email: format!("{}@{domain}", person.mail),
        im: format!("@{}", person.mail.replace('.', "_")),
        channel,
    }
}

/// A customer's type from its id, so the random stream (and every other demo value) stays
/// as it was: about 15% new, 10% distributors, the key accounts, the rest regular.
fn demo_type(id: i64, key_account: bool) -> CustomerType {
    match id % 20 {
        _ if key_account => CustomerType::KeyAccount,
        3 | 11 | 16 => CustomerType::New,
        0 | 7 => CustomerType::Distributor,
        _ => CustomerType::Regular,
    }
}

/// Makes and inserts `count` customers with ids 1..=count.
pub fn insert_customers(
    tx: &Transaction,
    words: &Words,
    count: usize,
    rng: &mut ChaCha8Rng,
) -> StoreResult<Vec<DemoCustomer>> {
    let mut stmt = tx
        .prepare(
            "INSERT INTO customers (id, code, name, contact_person, phone, email, im_handle,
                 preferred_channel, address, payment_terms_days, language, notes, key_account,
                 type)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )
        .doing("preparing demo customers")?;
    let customer_notes = words.reasons("customer").ok();
    let mut namer = Namer::new(words, rng);
    let mut out = Vec::with_capacity(count);
    for id in 1..=count as i64 {
        let lang = if rng.gen_bool(0.5) {
            Language::Zh
        } else {
            Language::En
        };
        let (name, address, currency, contact, terms) = match lang {
            Language::Zh => {
                let (name, address, currency, domain) = namer.chinese(rng);
                let terms = [0, 30, 30, 60, 60, 90][rng.gen_range(0..6)];
                (
                    name,
                    address,
                    currency,
                    chinese_contact(words, &domain, rng),
                    terms,
                )
            }
            Language::En => {
                let (name, address, currency, domain, prefix) = namer.english(rng);
                let terms = [30, 30, 45, 60][rng.gen_range(0..4)];
                let contact = english_contact(words, &domain, prefix, rng);
                (name, address, currency, contact, terms)
            }
        };
        let notes = customer_notes
            .filter(|_| rng.gen_bool(0.15))
            .map(|list| list[rng.gen_range(0..list.len())].get(lang));
        let key_account = rng.gen_bool(0.05);
        let code = format!("C{id:05}");
        stmt.execute(params![
            id,
            code,
            name,
            contact.person,
            contact.phone,
            contact.email,
            contact.im,
            contact.channel.as_str(),
            address,
            terms,
            lang.as_str(),
            notes,
            key_account,
            demo_type(id, key_account).as_str(),
        ])
        .doing("inserting demo customers")?;
        out.push(DemoCustomer {
            id,
            code,
            name,
            lang,
            currency,
            address,
            payment_terms_days: terms,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn demo_customer_types_are_a_realistic_mix_from_the_id_alone() {
        let mut n = std::collections::HashMap::new();
        for id in 1..=100 {
            *n.entry(demo_type(id, id % 25 == 0)).or_insert(0) += 1;
        }
        assert_eq!(n[&CustomerType::New], 15);
        assert_eq!(n[&CustomerType::Distributor], 9);
        assert_eq!(n[&CustomerType::KeyAccount], 4);
        assert_eq!(n[&CustomerType::Regular], 72);
        assert_eq!(demo_type(3, true), CustomerType::KeyAccount);
    }

    #[test]
    fn name_spaces_never_repeat_within_a_round() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut ns = NameSpace::new(vec![4, 6, 5], &mut rng);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..120 {
            let (d, round) = ns.take();
            assert_eq!(round, 0);
            assert!(seen.insert(d));
        }
        assert_eq!(ns.take().1, 1, "the 121st starts the second round");
    }
}
