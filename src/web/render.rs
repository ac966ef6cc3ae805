//! The page templates (`assets/web/`), HTML-escaped by minijinja; strings come from the
//! i18n tables in the reader's language (set on the rendering thread).

use minijinja::{Environment, Value};

macro_rules! templates {
    ($($name:literal),*) => {
        &[$(($name, include_str!(concat!("../../assets/web/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = templates!(
    "base.html",
    "login.html",
    "orders.html",
    "order.html",
    "shipments.html",
    "complaints.html",
    "today.html",
    "report.html",
    "review.html",
    "error.html"
);

pub const STYLE: &str = include_str!("../../assets/web/style.css");
pub const SCRIPT: &str = include_str!("../../assets/web/app.js");

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    pub fn new() -> anyhow::Result<Templates> {
        let mut env = Environment::new();
        // `.html` names are escaped for HTML by default; made explicit so it cannot drift.
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .map_err(|e| anyhow::anyhow!("web template {name}: {e}"))?;
        }
        env.add_function("t", |key: &str| crate::i18n::t(key).to_string());
        Ok(Templates { env })
    }

    pub fn render(&self, name: &str, ctx: Value) -> Result<String, minijinja::Error> {
        self.env.get_template(name)?.render(ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string key the templates ask for exists in both languages.
    #[test]
    fn every_key_in_the_templates_exists() {
        let mut unknown = Vec::new();
        // Spelled in pieces, so the source scan of `i18n` does not take it for a key.
        let call: String = ['t', '(', '"'].iter().collect();
        for (name, source) in TEMPLATES {
            for (i, _) in source.match_indices(call.as_str()) {
                let rest = &source[i + 3..];
                let key = &rest[..rest.find('"').unwrap()];
                if key.ends_with('.') {
                    continue;
                }
                for lang in [crate::i18n::Lang::En, crate::i18n::Lang::Zh] {
                    if crate::i18n::with_lang(lang, || crate::i18n::t(key)) == key {
                        unknown.push(format!("{name}: {key} ({lang:?})"));
                    }
                }
            }
        }
        assert!(unknown.is_empty(), "{unknown:?}");
    }

    #[test]
    fn every_template_parses_and_escapes() {
        let t = Templates::new().unwrap();
        let html = t
            .render(
                "error.html",
                minijinja::context! { page => minijinja::context!{ lang => "en", title => "<b>x</b>", nav => false, csrf => "", user => "", refresh => false, path => "/" }, message => "<script>alert(1)</script>" },
            )
            .unwrap();
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<script>alert"), "{html}");
    }
}
