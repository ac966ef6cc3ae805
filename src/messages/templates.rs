//! The message templates: shipped in `assets/templates/messages/<lang>/<kind>.txt`, each one
//! replaceable by a file of the same name under `templates/messages/` in the config dir.
//! A template's first line is `Subject: …`; the rest is the body.

use super::{Facts, MessageKind};
use crate::domain::enums::Language;
use crate::i18n;
use minijinja::{Environment, UndefinedBehavior};
use std::path::PathBuf;

macro_rules! shipped {
    ($($kind:literal),*) => {
        &[$(
            ($kind, "en", include_str!(concat!("../../assets/templates/messages/en/", $kind, ".txt"))),
            ($kind, "zh", include_str!(concat!("../../assets/templates/messages/zh/", $kind, ".txt"))),
        )*]
    };
}

const SHIPPED: &[(&str, &str, &str)] = shipped!(
    "order_confirmation",
    "production_update",
    "shipping_notice",
    "delivery_notice",
    "delay_notice",
    "complaint_acknowledgement",
    "complaint_resolution",
    "payment_reminder"
);

/// A drafted message, ready to copy or save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub kind: MessageKind,
    pub language: Language,
    pub subject: String,
    pub body: String,
}

impl Draft {
    /// The message as one text: subject line, blank line, body.
    pub fn text(&self) -> String {
        if self.subject.is_empty() {
            self.body.clone()
        } else {
            format!("{}\n\n{}", self.subject, self.body)
        }
    }
}

/// Why a template could not be drafted, naming the template, the line and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{template}{}: {}{reason}", line.map(|l| format!(" line {l}")).unwrap_or_default(), field.as_ref().map(|f| format!("{f}: ")).unwrap_or_default())]
pub struct RenderError {
    pub template: String,
    pub line: Option<usize>,
    /// The expression that failed, e.g. `shipment.eta`.
    pub field: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Default)]
pub struct Templates {
    /// Where the clerk's own templates live, when there is a config dir.
    overrides: Option<PathBuf>,
}

impl Templates {
    pub fn new(overrides: Option<PathBuf>) -> Templates {
        Templates { overrides }
    }

    /// `templates/messages` beside config.toml.
    pub fn from_config_dir() -> Templates {
        let dir = crate::config::default_path()
            .and_then(|p| p.parent().map(|d| d.join("templates").join("messages")));
        Templates::new(dir)
    }

    fn file_name(kind: MessageKind, language: Language) -> String {
        format!("{}/{}.txt", language.as_str(), kind.as_ref())
    }

    /// The template text: the clerk's file when there is one, else the shipped one.
    fn source(&self, kind: MessageKind, language: Language) -> Result<String, RenderError> {
        let name = Templates::file_name(kind, language);
        if let Some(dir) = &self.overrides {
            let path = dir.join(&name);
            match std::fs::read_to_string(&path) {
                Ok(text) => return Ok(text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(RenderError {
                        template: path.display().to_string(),
                        line: None,
                        field: None,
                        reason: e.to_string(),
                    })
                }
            }
        }
        SHIPPED
            .iter()
            .find(|(k, l, _)| *k == kind.as_ref() && *l == language.as_str())
            .map(|(_, _, text)| text.to_string())
            .ok_or_else(|| RenderError {
                template: name,
                line: None,
                field: None,
                reason: "no such template".into(),
            })
    }

    /// Fills the template of `kind` in the customer's language with `facts`; `sender` signs it.
    pub fn draft(
        &self,
        kind: MessageKind,
        facts: &Facts,
        sender: &str,
    ) -> Result<Draft, RenderError> {
        let language = facts.customer.language;
        let name = Templates::file_name(kind, language);
        if kind == MessageKind::OrderConfirmation {
            confirmable(facts).map_err(|reason| RenderError {
                template: name.clone(),
                line: None,
                field: None,
                reason,
            })?;
        }
        let source = self.source(kind, language)?;
        let mut env = Environment::new();
        // A field the record lacks must fail naming it, never print as empty or "none";
        // `{% if x %}` on a missing optional field stays allowed.
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        let localized = localize(facts, language);
        #[derive(serde::Serialize)]
        struct Context<'a> {
            #[serde(flatten)]
            facts: &'a Facts,
            sender: &'a str,
        }
        let ctx = minijinja::Value::from(minijinja::value::Serde(Context {
            facts: &localized,
            sender,
        }));
        let rendered = env
            .template_from_named_str(&name, &source)
            .and_then(|t| t.render(ctx))
            .map_err(|e| render_error(&name, &source, &e))?;
        let (subject, body) = split_subject(&rendered);
        Ok(Draft {
            kind,
            language,
            subject,
            body,
        })
    }
}

/// A confirmation promises a price for every line and a delivery date: without them it
/// cannot go out. The reason names the first order line that lacks its price.
fn confirmable(facts: &Facts) -> Result<(), String> {
    let Some(order) = &facts.order else {
        return Ok(());
    };
    if let Some((i, line)) = order
        .lines
        .iter()
        .enumerate()
        .find(|(_, l)| l.unit_price.trim().is_empty())
    {
        return Err(i18n::tf(
            "message.err_line_price",
            &[("line", &(i + 1)), ("product", &line.product_code)],
        ));
    }
    if order
        .due_date
        .as_deref()
        .is_none_or(|d| d.trim().is_empty())
    {
        return Err(i18n::t("message.err_due_date").to_string());
    }
    Ok(())
}

fn render_error(name: &str, source: &str, e: &minijinja::Error) -> RenderError {
    let field = e
        .range()
        .and_then(|r| source.get(r))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let reason = match e.kind() {
        minijinja::ErrorKind::UndefinedError => i18n::t("message.err_missing_field").to_string(),
        _ => e
            .detail()
            .map(str::to_string)
            .unwrap_or_else(|| e.kind().to_string()),
    };
    RenderError {
        template: name.to_string(),
        line: e.line(),
        field,
        reason,
    }
}

fn split_subject(text: &str) -> (String, String) {
    let text = text.trim_start_matches('\n');
    match text.split_once('\n') {
        Some((first, rest)) if first.starts_with("Subject:") => (
            first["Subject:".len()..].trim().to_string(),
            rest.trim_start_matches('\n').trim_end().to_string() + "\n",
        ),
        _ => (String::new(), text.trim_end().to_string() + "\n"),
    }
}

/// The facts with vocabulary words (stage, mode, cause, type, department) in the customer's
/// language rather than the words of the database.
fn localize(facts: &Facts, language: Language) -> Facts {
    let lang = match language {
        Language::Zh => i18n::Lang::Zh,
        Language::En => i18n::Lang::En,
    };
    let word = |group: &str, w: &str| i18n::t_in(lang, &format!("msgword.{group}.{w}"));
    let mut f = facts.clone();
    if let Some(o) = &mut f.order {
        o.stage = o.stage.as_deref().map(|s| word("stage", s));
    }
    if let Some(s) = &mut f.shipment {
        s.mode = word("mode", &s.mode);
    }
    if let Some(d) = &mut f.delay {
        d.cause = word("cause", &d.cause);
    }
    if let Some(c) = &mut f.complaint {
        c.kind = word("complaint_type", &c.kind);
        c.department = word("department", &c.department);
    }
    f
}
