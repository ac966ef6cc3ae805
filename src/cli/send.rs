//! `send ORDER_NO --kind KIND [--to ADDR] [--dry-run]`: the message of that kind about the
//! order, drafted in the customer's language and sent by e-mail (`[smtp]` in config.toml),
//! then logged as an outbound e-mail contact with its audit entry. `--dry-run` prints the
//! message instead and neither sends nor logs anything.

use super::open_existing;
use crate::config::Config;
use crate::i18n::{t, tf};
use crate::mail::{self, MailError, Outgoing};
use crate::messages::{MessageKind, Templates};
use crate::store::messages::{self, Delivery};
use anyhow::bail;
use std::path::PathBuf;
use std::process::ExitCode;
use strum::IntoEnumIterator;
use zeroize::Zeroizing;

/// The arguments of `send`.
#[derive(Debug, clap::Args)]
pub struct SendArgs {
    /// The order the message is about
    pub order_no: String,
    /// The message: order_confirmation, production_update, shipping_notice, delivery_notice,
    /// delay_notice, complaint_acknowledgement, complaint_resolution or payment_reminder
    #[arg(long, value_name = "KIND")]
    pub kind: String,
    /// The recipient (default: the customer's e-mail address)
    #[arg(long, value_name = "ADDR")]
    pub to: Option<String>,
    /// Print the message; send and log nothing
    #[arg(long)]
    pub dry_run: bool,
}

fn shown(s: &str) -> String {
    crate::domain::text::shown(s).into_owned()
}

fn kind(name: &str) -> anyhow::Result<MessageKind> {
    if let Some(k) = MessageKind::iter().find(|k| k.as_ref() == name) {
        return Ok(k);
    }
    let kinds: Vec<String> = MessageKind::iter()
        .map(|k| k.as_ref().to_string())
        .collect();
    bail!(tf(
        "mail.err_unknown_kind",
        &[("kind", &shown(name)), ("kinds", &kinds.join(", "))]
    ))
}

/// The password: `ORDERDESK_SMTP_PASSWORD`, else asked on the terminal without echo.
fn password(smtp: &mail::SmtpConfig) -> Result<Option<Zeroizing<String>>, MailError> {
    if !smtp.needs_password() {
        return Ok(None);
    }
    if let Some(p) = mail::known_password() {
        return Ok(Some(p));
    }
    let prompt = format!(
        "{} ({}@{}): ",
        t("mail.password"),
        shown(smtp.user.as_deref().unwrap_or_default()),
        shown(&smtp.host)
    );
    rpassword::prompt_password(prompt)
        .map(|p| Some(Zeroizing::new(p)))
        .map_err(|_| MailError::NoPassword)
}

pub fn send(db: PathBuf, config: &Config, args: SendArgs) -> anyhow::Result<ExitCode> {
    let kind = kind(&args.kind)?;
    let mut store = open_existing(db)?;
    let Some(order_id) = messages::order_id(store.conn(), &args.order_no)? else {
        bail!(tf(
            "mail.err_no_order",
            &[("order", &shown(&args.order_no))]
        ));
    };
    let facts = messages::for_order(store.conn(), order_id)?;
    let sender = config
        .signature
        .clone()
        .unwrap_or_else(|| t("message.default_signature").to_string());
    let title = t(&format!("message_kind.{}", kind.as_ref()));
    let draft = Templates::from_config_dir()
        .draft(kind, &facts, &sender)
        .map_err(|e| {
            anyhow::anyhow!(tf(
                "mail.err_cannot_fill",
                &[
                    ("kind", &title),
                    ("about", &shown(&args.order_no)),
                    ("reason", &shown(&e.to_string())),
                ]
            ))
        })?;
    let out = Outgoing {
        to: args
            .to
            .clone()
            .or_else(|| facts.customer.email.clone())
            .unwrap_or_default(),
        subject: draft.subject.clone(),
        body: draft.body.clone(),
    };
    if args.dry_run {
        let text = mail::preview(config.smtp.as_ref(), &out)?;
        print!("{text}");
        eprintln!("{}", t("mail.dry_run"));
        return Ok(ExitCode::SUCCESS);
    }
    let smtp = config.smtp.as_ref().ok_or(MailError::NotConfigured)?;
    mail::build(smtp, &out)?;
    if store.is_read_only() {
        return Err(crate::store::StoreError::ReadOnly(
            store.path().display().to_string(),
            "the sent message could not be logged; nothing was sent",
        )
        .into());
    }
    let password = password(smtp)?;
    mail::send(smtp, password.as_ref().map(|p| p.as_str()), &out)?;
    let summary = facts.summary(title);
    messages::log_message(&mut store, &facts, Delivery::Sent, kind.as_ref(), &summary)?;
    eprintln!(
        "{}",
        tf(
            "mail.sent_cli",
            &[
                ("to", &shown(out.to.trim())),
                ("kind", &title),
                ("about", &shown(&args.order_no)),
            ]
        )
    );
    Ok(ExitCode::SUCCESS)
}
