//! `config.toml` in the config dir (or `ORDERDESK_CONFIG`): language, default currency,
//! complaint response windows and key overrides. A bad file is a clear error at start.

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ComplaintWindows {
    #[serde(default = "h4")]
    pub urgent: u32,
    #[serde(default = "h8")]
    pub high: u32,
    #[serde(default = "h24")]
    pub normal: u32,
    #[serde(default = "h24")]
    pub low: u32,
}

fn h4() -> u32 {
    4
}
fn h8() -> u32 {
    8
}
fn h24() -> u32 {
    24
}

impl Default for ComplaintWindows {
    fn default() -> Self {
        ComplaintWindows {
            urgent: 4,
            high: 8,
            normal: 24,
            low: 24,
        }
    }
}

impl ComplaintWindows {
    /// The configured hours as the domain's windows.
    pub fn windows(&self) -> crate::domain::complaint::ResponseWindows {
        crate::domain::complaint::ResponseWindows::from_hours(
            self.urgent,
            self.high,
            self.normal,
            self.low,
        )
    }
}

/// The colours of the screen: `theme = "dark"` (the default) or `"light"`.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    Dark,
    Light,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub language: Option<String>,
    pub currency: Option<String>,
    #[serde(default)]
    pub complaint_windows: ComplaintWindows,
    /// How customer messages are signed, e.g. "Li Hua, Order Desk, Huadong Machinery".
    pub signature: Option<String>,
    pub keys: Option<toml::Table>,
    /// Where backups go (default: `backups/` beside the database); `~` is the home folder.
    pub backup_dir: Option<String>,
    /// Where each day's backup is also copied, off this machine: `s3://bucket/folder` or
    /// `webdav(s)://host/folder`; credentials come from the environment, never from here.
    pub offsite: Option<String>,
    #[serde(default)]
    pub theme: Theme,
    /// Sending messages by e-mail; without it nothing is sent.
    pub smtp: Option<crate::mail::SmtpConfig>,
    /// What each rate of the monthly report should reach.
    #[serde(default)]
    pub targets: crate::domain::report::quality::Targets,
    #[serde(default)]
    pub spot_checks: SpotCheckConfig,
}

/// `[spot_checks]`: how many contacts each week's sample draws.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SpotCheckConfig {
    pub sample_size: u32,
}

impl Default for SpotCheckConfig {
    fn default() -> Self {
        SpotCheckConfig { sample_size: 10 }
    }
}

/// The values `language` accepts (any case; `_` for `-`).
pub const LANGUAGES: &[&str] = &["en", "en-US", "en-GB", "zh", "zh-CN", "zh-Hans"];

/// `value` when it is one of `accepted`, else a message naming them.
fn one_of(key: &str, value: &str, accepted: &[&str]) -> Result<(), String> {
    let normal = value.trim().replace('_', "-");
    if accepted.iter().any(|a| a.eq_ignore_ascii_case(&normal)) {
        Ok(())
    } else {
        Err(format!(
            "{key} = \"{}\" is not one of: {}",
            crate::domain::text::shown(value),
            accepted.join(", ")
        ))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
}

pub fn dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "orderdesk")
}

pub fn default_path() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("ORDERDESK_CONFIG") {
        return Some(PathBuf::from(p));
    }
    dirs().map(|d| d.config_dir().join("config.toml"))
}

impl Config {
    /// The file when it exists; defaults when it does not.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.display().to_string(),
                    source,
                })
            }
        };
        Config::parse(&text).map_err(|message| ConfigError::Parse {
            path: path.display().to_string(),
            message,
        })
    }

    pub fn parse(text: &str) -> Result<Config, String> {
        use crate::domain::text::{self, Lines};
        let config: Config =
            toml::from_str(text).map_err(|e| text::shown(e.message()).into_owned())?;
        // No control character (NUL included) in any value.
        for (key, value, lines) in [
            ("language", &config.language, Lines::One),
            ("currency", &config.currency, Lines::One),
            ("signature", &config.signature, Lines::Many),
            ("backup_dir", &config.backup_dir, Lines::One),
            ("offsite", &config.offsite, Lines::One),
        ] {
            if let Some(v) = value {
                text::check(v, lines).map_err(|e| format!("{key}: {e}"))?;
            }
        }
        if let Some(c) = &config.currency {
            crate::domain::money::parse_currency(c).map_err(|e| e.to_string())?;
        }
        if let Some(l) = &config.language {
            one_of("language", l, LANGUAGES)?;
        }
        if let Some(url) = &config.offsite {
            crate::io::offsite::Remote::parse(url).map_err(|e| format!("offsite: {e}"))?;
        }
        let w = &config.complaint_windows;
        for (key, hours) in [
            ("urgent", w.urgent),
            ("high", w.high),
            ("normal", w.normal),
            ("low", w.low),
        ] {
            if !(1..=24 * 90).contains(&hours) {
                return Err(format!(
                    "complaint_windows.{key} = {hours} is not between 1 and 2160 (hours)"
                ));
            }
        }
        config.targets.check()?;
        if !(1..=1000).contains(&config.spot_checks.sample_size) {
            return Err("spot_checks.sample_size: from 1 to 1000 contacts a week".to_string());
        }
        Ok(config)
    }

    pub fn currency(&self) -> String {
        self.currency.clone().unwrap_or_else(|| "CNY".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn unknown_values_are_refused_naming_the_accepted_ones() {
        let e = Config::parse("language = \"xx\"").unwrap_err();
        assert!(
            e.contains("xx") && e.contains("en, ") && e.contains("zh-CN"),
            "{e}"
        );
        let e = Config::parse("theme = \"blue\"").unwrap_err();
        assert!(e.contains("dark") && e.contains("light"), "{e}");
        assert!(Config::parse("theme = \"light\"\nlanguage = \"zh_CN\"").is_ok());
        let e = Config::parse("signature = \"Li\\u0000Hua\"").unwrap_err();
        assert!(e.contains("U+0000") && !e.contains('\0'), "{e}");
        let e = Config::parse("backup_dir = \"a\\u001b[2Jb\"").unwrap_err();
        assert!(e.contains("backup_dir") && !e.contains('\x1b'), "{e}");
        assert!(Config::parse("signature = \"Li Hua\\nOrder Desk\"").is_ok());
        assert!(Config::parse("[complaint_windows]\nurgent = 0").is_err());
    }

    /// The example in the README is a file that loads, so copying it works.
    #[test]
    fn the_readme_example_loads() {
        let readme = include_str!("../README.md");
        let start = readme
            .find("```toml\n")
            .expect("the README has a config example")
            + "```toml\n".len();
        let end = start + readme[start..].find("```").expect("closed");
        let example: String = readme[start..end]
            .lines()
            .map(|l| l.trim_start())
            .collect::<Vec<_>>()
            .join("\n");
        let config = Config::parse(&example).unwrap_or_else(|e| panic!("{e}\n{example}"));
        assert!(config.backup_dir.is_some(), "{example}");
        assert!(config.keys.is_some());
        crate::app::keymap::Keymap::load(config.keys.as_ref()).unwrap();
    }

    #[test]
    fn targets_and_spot_checks_default_and_are_checked() {
        let c = Config::parse("").unwrap();
        assert_eq!(c.targets.reply_rate_24h, 0.90);
        assert_eq!(c.targets.on_time_rate, 0.95);
        assert_eq!(c.spot_checks.sample_size, 10);
        let c =
            Config::parse("[targets]\nrate_1h = 0.8\n[spot_checks]\nsample_size = 3\n").unwrap();
        assert_eq!(c.targets.rate_1h, 0.8);
        assert_eq!(c.targets.accuracy_rate, 0.95);
        assert_eq!(c.spot_checks.sample_size, 3);
        assert!(Config::parse("[targets]\non_time_rate = 95\n")
            .unwrap_err()
            .contains("on_time_rate"));
        assert!(Config::parse("[targets]\nontime = 0.9\n")
            .unwrap_err()
            .contains("ontime"));
        assert!(Config::parse("[spot_checks]\nsample_size = 0\n").is_err());
    }

    #[test]
    fn a_full_file_parses_and_bad_ones_say_why() {
        let c = Config::parse(
            "language = \"zh\"\ncurrency = \"USD\"\n[complaint_windows]\nurgent = 2\n[keys.list]\ndown = [\"J\"]\n",
        )
        .unwrap();
        assert_eq!(c.language.as_deref(), Some("zh"));
        assert_eq!(c.complaint_windows.urgent, 2);
        assert_eq!(c.complaint_windows.high, 8);
        assert!(Config::parse("langage = \"zh\"")
            .unwrap_err()
            .contains("langage"));
        assert!(Config::parse("currency = \"usd\"").is_err());
        assert_eq!(
            Config::load(Some(Path::new("/nonexistent/x.toml"))).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn an_offsite_address_never_holds_credentials() {
        let c = Config::parse("offsite = \"s3://desk-backups/lihua\"").unwrap();
        assert_eq!(c.offsite.as_deref(), Some("s3://desk-backups/lihua"));
        assert!(Config::parse("offsite = \"webdavs://dav.example.com/backups\"").is_ok());
        let e = Config::parse("offsite = \"webdav://li:secret@dav.example.com/x\"").unwrap_err();
        assert!(
            e.starts_with("offsite: ") && e.contains("ORDERDESK_WEBDAV_PASSWORD"),
            "{e}"
        );
        assert!(Config::parse("offsite = \"ftp://example.com/x\"").is_err());
    }

    #[test]
    fn the_theme_is_dark_or_light_and_nothing_else() {
        assert_eq!(Config::parse("").unwrap().theme, Theme::Dark);
        assert_eq!(
            Config::parse("theme = \"light\"").unwrap().theme,
            Theme::Light
        );
        let e = Config::parse("theme = \"solarized\"").unwrap_err();
        assert!(
            e.contains("solarized") && e.contains("dark") && e.contains("light"),
            "{e}"
        );
    }

    /// A value of any TOML type, sensible or not.
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            "\"[A-Za-z]{0,4}\"",
            "\"\\PC{0,6}\"",
            any::<i64>().prop_map(|i| i.to_string()),
            "[0-9]{1,30}",
            Just("-1".to_string()),
            Just("1.5".to_string()),
            Just("true".to_string()),
            Just("[]".to_string()),
            Just("[\"j\", \"Down\"]".to_string()),
            "\\[(\"[A-Za-z -]{0,10}\", ){0,3}\\]",
            Just("{ a = 1 }".to_string()),
            Just("2026-01-01".to_string()),
        ]
    }

    /// Files shaped like config.toml: the real keys and tables, misspelt ones, any values.
    fn config_text() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            Just("language"),
            Just("currency"),
            Just("urgent"),
            Just("high"),
            Just("normal"),
            Just("low"),
            Just("down"),
            Just("save"),
            Just("quit"),
            Just("langage"),
        ];
        let table = prop_oneof![
            Just(""),
            Just("[complaint_windows]"),
            Just("[keys.list]"),
            Just("[keys.form]"),
            Just("[keys.global]"),
            Just("[keys.nowhere]"),
            Just("[keys]"),
            Just("[[keys]]"),
        ];
        proptest::collection::vec(
            (table, proptest::collection::vec((key, value()), 0..4)),
            0..5,
        )
        .prop_map(|parts| {
            let mut text = String::new();
            for (table, pairs) in parts {
                text.push_str(table);
                text.push('\n');
                for (k, v) in pairs {
                    text.push_str(&format!("{k} = {v}\n"));
                }
            }
            text
        })
    }

    proptest! {
        #[test]
        fn random_text_never_panics(s in "\\PC{0,80}") {
            let _ = Config::parse(&s);
        }

        /// Any file is a config or one clear message; the keys in a config are a keymap or
        /// a keymap error. Nothing panics on the way to the first frame.
        #[test]
        fn config_files_load_or_say_why(text in config_text()) {
            match Config::parse(&text) {
                Ok(config) => {
                    if let Some(c) = &config.currency {
                        prop_assert!(crate::domain::money::parse_currency(c).is_ok());
                    }
                    match crate::app::keymap::Keymap::load(config.keys.as_ref()) {
                        Ok(_) => {}
                        Err(e) => prop_assert!(!e.to_string().is_empty()),
                    }
                }
                Err(message) => prop_assert!(!message.trim().is_empty(), "{:?}", text),
            }
        }

        #[test]
        fn any_bytes_in_the_file_give_a_config_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("config.toml");
            std::fs::write(&path, &bytes).unwrap();
            match Config::load(Some(&path)) {
                Ok(_) => {}
                Err(e) => prop_assert!(e.to_string().contains("config.toml"), "{}", e),
            }
        }
    }
}
