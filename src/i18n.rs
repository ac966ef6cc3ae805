//! Every user-visible string, in English and 简体中文, from `assets/i18n/`. The language comes
//! from config.toml, else from LANG/LC_ALL (zh* → Chinese).

use std::collections::HashMap;
use std::sync::OnceLock;

/// One file per area of the app, so the strings of one screen stay together.
macro_rules! parts {
    ($lang:literal: $($part:literal),*) => {
        &[$(($part, include_str!(concat!("../assets/i18n/", $lang, "/", $part, ".toml")))),*]
    };
}
const EN: &[(&str, &str)] = parts!("en": "core", "aftersales", "shipping", "today", "messages", "data", "reports", "safety", "kpi", "web", "forms");
const ZH: &[(&str, &str)] = parts!("zh-CN": "core", "aftersales", "shipping", "today", "messages", "data", "reports", "safety", "kpi", "web", "forms");

/// All parts of one language in one table; a key defined in two parts is an error.
fn parse_parts(parts: &[(&str, &str)]) -> Result<HashMap<String, String>, String> {
    let mut all = HashMap::new();
    for (name, text) in parts {
        for (k, v) in parse(text).map_err(|e| format!("{name}.toml: {e}"))? {
            if all.insert(k.clone(), v).is_some() {
                return Err(format!("{name}.toml: {k} is defined twice"));
            }
        }
    }
    Ok(all)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// `language` from config when given, else the locale variables.
    pub fn detect(configured: Option<&str>) -> Lang {
        if let Some(c) = configured {
            return if c.to_ascii_lowercase().starts_with("zh") {
                Lang::Zh
            } else {
                Lang::En
            };
        }
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|v| !v.is_empty())
            .unwrap_or_default();
        if locale.to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}

struct Table {
    lang: Lang,
    strings: HashMap<String, String>,
    fallback: HashMap<String, String>,
}

static TABLE: OnceLock<Table> = OnceLock::new();

/// Flattens `[section] key = "text"` into `section.key`.
pub fn parse(text: &str) -> Result<HashMap<String, String>, String> {
    let value: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out = HashMap::new();
    fn walk(prefix: &str, t: &toml::Table, out: &mut HashMap<String, String>) {
        for (k, v) in t {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                toml::Value::String(s) => {
                    out.insert(key, s.clone());
                }
                toml::Value::Table(inner) => walk(&key, inner, out),
                _ => {}
            }
        }
    }
    walk("", &value, &mut out);
    Ok(out)
}

/// Chooses the language once, at start. Later calls keep the first choice.
pub fn init(lang: Lang) {
    TABLE.get_or_init(|| build(lang));
}

fn build(lang: Lang) -> Table {
    // Both files are checked by unit tests; an unreadable one falls back to keys as text.
    let en = parse_parts(EN).unwrap_or_default();
    let strings = match lang {
        Lang::En => en.clone(),
        Lang::Zh => parse_parts(ZH).unwrap_or_default(),
    };
    Table {
        lang,
        strings,
        fallback: en,
    }
}

thread_local! {
    /// A language for this thread only (a web request speaks its reader's language).
    static THREAD_LANG: std::cell::Cell<Option<Lang>> = const { std::cell::Cell::new(None) };
}

/// Runs `f` with this thread's strings in `lang`, whatever the rest of the process uses.
pub fn with_lang<R>(lang: Lang, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Lang>);
    impl Drop for Restore {
        fn drop(&mut self) {
            THREAD_LANG.with(|l| l.set(self.0));
        }
    }
    let _restore = Restore(THREAD_LANG.with(|l| l.replace(Some(lang))));
    f()
}

fn table() -> &'static Table {
    if let Some(lang) = THREAD_LANG.with(std::cell::Cell::get) {
        static EN_TABLE: OnceLock<Table> = OnceLock::new();
        static ZH_TABLE: OnceLock<Table> = OnceLock::new();
        let cell = if lang == Lang::Zh {
            &ZH_TABLE
        } else {
            &EN_TABLE
        };
        return cell.get_or_init(|| build(lang));
    }
    #[cfg(test)]
    if test_lang::chinese() {
        static ZH_TABLE: OnceLock<Table> = OnceLock::new();
        return ZH_TABLE.get_or_init(|| build(Lang::Zh));
    }
    TABLE.get_or_init(|| build(Lang::En))
}

/// Chinese for the screens drawn by one test (per thread: tests run in parallel, and the
/// language of a process is chosen once).
#[cfg(test)]
pub mod test_lang {
    use std::cell::Cell;

    thread_local! {
        static ZH: Cell<bool> = const { Cell::new(false) };
    }

    pub fn chinese() -> bool {
        ZH.with(Cell::get)
    }

    /// Chinese until the guard is dropped.
    #[must_use]
    pub fn use_chinese() -> Guard {
        ZH.with(|z| z.set(true));
        Guard
    }

    pub struct Guard;

    impl Drop for Guard {
        fn drop(&mut self) {
            ZH.with(|z| z.set(false));
        }
    }

    /// This thread's strings in `lang` from now on, whatever the rest of the process uses.
    pub fn use_in_this_thread(lang: super::Lang) {
        ZH.with(|z| z.set(lang == super::Lang::Zh));
    }
}

#[cfg(test)]
pub use test_lang::use_in_this_thread;

pub fn lang() -> Lang {
    table().lang
}

/// The text for `key` in the chosen language (English, then the key itself, when missing).
pub fn t(key: &str) -> &'static str {
    let table = table();
    table
        .strings
        .get(key)
        .or_else(|| table.fallback.get(key))
        .map(String::as_str)
        .unwrap_or_else(|| {
            // Unknown keys are caught by the tests; at run time the key is better than nothing.
            Box::leak(key.to_string().into_boxed_str())
        })
}

/// The text for `key` in a given language, whatever the UI speaks: customer messages are
/// written in the customer's language.
pub fn t_in(lang: Lang, key: &str) -> String {
    static BOTH: OnceLock<(HashMap<String, String>, HashMap<String, String>)> = OnceLock::new();
    let (en, zh) = BOTH.get_or_init(|| {
        (
            parse_parts(EN).unwrap_or_default(),
            parse_parts(ZH).unwrap_or_default(),
        )
    });
    let table = if lang == Lang::Zh { zh } else { en };
    table
        .get(key)
        .or_else(|| en.get(key))
        .cloned()
        .unwrap_or_else(|| key.rsplit('.').next().unwrap_or(key).to_string())
}

/// `t(key)` with `{name}` placeholders filled in.
pub fn tf(key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut s = t(key).to_string();
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), &value.to_string());
    }
    s
}

/// The text for `key` said of `count` things: `key_one` when there is one thing and the
/// language words it apart ("1 complaint awaiting"), else `key` ("3 complaints awaiting";
/// Chinese words both alike). `{count}` is filled in with the other `args`.
pub fn tn(key: &str, count: u64, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    let one = format!("{key}_one");
    let table = table();
    let key =
        if count == 1 && (table.strings.contains_key(&one) || table.fallback.contains_key(&one)) {
            one.as_str()
        } else {
            key
        };
    let mut all: Vec<(&str, &dyn std::fmt::Display)> = vec![("count", &count)];
    all.extend_from_slice(args);
    tf(key, &all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_counts_one_thing_apart_from_many() {
        assert_eq!(
            tn("today.short.complaints_awaiting", 1, &[]),
            "complaint awaiting"
        );
        assert_eq!(
            tn("today.short.complaints_awaiting", 3, &[]),
            "complaints awaiting"
        );
        assert_eq!(tn("today.short.late_shipments", 1, &[]), "late shipment");
        let _zh = test_lang::use_chinese();
        assert_eq!(
            tn("today.short.late_shipments", 1, &[]),
            tn("today.short.late_shipments", 2, &[])
        );
    }

    #[test]
    fn both_languages_have_exactly_the_same_keys() {
        let en = parse_parts(EN).unwrap();
        let zh = parse_parts(ZH).unwrap();
        let mut missing_zh: Vec<_> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
        let mut missing_en: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
        missing_zh.sort();
        missing_en.sort();
        assert!(missing_zh.is_empty(), "missing in zh-CN: {missing_zh:?}");
        assert!(missing_en.is_empty(), "missing in en: {missing_en:?}");
    }

    /// Every `t("…")`/`tf("…"` in the source names a key that exists.
    #[test]
    fn every_key_used_in_the_source_exists() {
        let en = parse_parts(EN).unwrap();
        let mut unknown = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            if p.ends_with("i18n.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            for pat in ["t(\"", "tf(\""] {
                for (i, _) in text.match_indices(pat) {
                    let prev = text[..i].chars().last().unwrap_or(' ');
                    if prev.is_alphanumeric() || prev == '_' {
                        continue;
                    }
                    let rest = &text[i + pat.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    if !key.is_empty() && !key.ends_with('.') && !en.contains_key(key) {
                        unknown.push(format!("{}: {key}", p.display()));
                    }
                }
            }
        }
        assert!(unknown.is_empty(), "unknown string keys: {unknown:?}");
    }

    #[test]
    fn locale_picks_chinese() {
        assert_eq!(Lang::detect(Some("zh-CN")), Lang::Zh);
        assert_eq!(Lang::detect(Some("en")), Lang::En);
    }
}
