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

#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub language: Option<String>,
    pub currency: Option<String>,
    #[serde(default)]
    pub complaint_windows: ComplaintWindows,
    pub keys: Option<toml::Table>,
    /// Where backups go (default: `backups/` beside the database); `~` is the home folder.
    pub backup_dir: Option<String>,
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
        let config: Config = toml::from_str(text).map_err(|e| e.message().to_string())?;
        if let Some(c) = &config.currency {
            crate::domain::money::parse_currency(c).map_err(|e| e.to_string())?;
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

    proptest! {
        #[test]
        fn random_text_never_panics(s in "\\PC{0,80}") {
            let _ = Config::parse(&s);
        }
    }
}
