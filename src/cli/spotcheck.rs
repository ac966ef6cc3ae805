//! `spotcheck`: the week's sample of follow-up records to check, and recording each result.

use super::{open_existing, open_writable};
use crate::config::Config;
use crate::domain::spotcheck::Week;
use crate::domain::text::{self, Lines};
use crate::domain::time::{format_stamp, local_date, now};
use crate::i18n::{t, tf};
use crate::store::spotchecks::{self, Refused};
use anyhow::{bail, Context};
use clap::{Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum SpotcheckAction {
    /// Record whether a sampled contact conveyed the key facts (contract terms, delivery
    /// dates) clearly; marking again corrects the earlier result
    Mark {
        /// The contact's id, as listed by `orderdesk spotcheck`
        contact: i64,
        /// Were the key facts conveyed clearly?
        #[arg(long, value_enum)]
        accurate: YesNo,
        /// What was wrong, or anything worth keeping
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum YesNo {
    Yes,
    No,
}

pub fn spotcheck(
    db: PathBuf,
    config: &Config,
    week: Option<Week>,
    action: Option<SpotcheckAction>,
) -> anyhow::Result<ExitCode> {
    let n = config.spot_checks.sample_size as usize;
    match action {
        None => list(db, week.unwrap_or_else(|| Week::of(local_date(now()))), n),
        Some(SpotcheckAction::Mark {
            contact,
            accurate,
            note,
        }) => {
            if let Some(note) = &note {
                text::check(note, Lines::Many).map_err(|e| anyhow::anyhow!("--note: {e}"))?;
            }
            let mut store = open_writable(&db)?;
            let tx = store.begin()?;
            let result = spotchecks::mark(
                &tx,
                contact,
                accurate == YesNo::Yes,
                note.as_deref(),
                now(),
                n,
            )?;
            let week = match result {
                Ok(w) => w,
                Err(Refused::NoContact) => bail!(tf("spotcheck.no_contact", &[("id", &contact)])),
                Err(Refused::NotInSample(w)) => bail!(tf(
                    "spotcheck.not_in_sample",
                    &[("id", &contact), ("week", &w)]
                )),
            };
            tx.commit().context("recording the spot-check")?;
            let result = t(if accurate == YesNo::Yes {
                "spotcheck.accurate"
            } else {
                "spotcheck.inaccurate"
            });
            println!(
                "{}",
                tf(
                    "spotcheck.marked",
                    &[("id", &contact), ("week", &week), ("result", &result)]
                )
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn list(db: PathBuf, week: Week, n: usize) -> anyhow::Result<ExitCode> {
    let store = open_existing(db)?;
    let sample = spotchecks::sample(store.conn(), week, n)?;
    let mut out = String::new();
    out.push_str(&tf(
        "spotcheck.heading",
        &[
            ("week", &week),
            ("from", &week.monday()),
            ("to", &week.sunday()),
        ],
    ));
    out.push('\n');
    if sample.lines.is_empty() {
        out.push_str(&tf("spotcheck.empty", &[("week", &week)]));
        out.push('\n');
    } else {
        out.push_str(&tf(
            "spotcheck.sample",
            &[("n", &sample.lines.len()), ("total", &sample.contacts)],
        ));
        out.push_str("\n\n");
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\n",
            t("spotcheck.col_contact"),
            t("spotcheck.col_at"),
            t("spotcheck.col_customer"),
            t("spotcheck.col_channel"),
            t("spotcheck.col_result"),
            t("spotcheck.col_summary"),
        ));
        for l in &sample.lines {
            let result = match &l.check {
                None => t("spotcheck.unchecked").to_string(),
                Some(c) => {
                    let word = t(if c.accurate {
                        "spotcheck.accurate"
                    } else {
                        "spotcheck.inaccurate"
                    });
                    match &c.note {
                        Some(note) => format!("{word} ({})", text::shown(note)),
                        None => word.to_string(),
                    }
                }
            };
            out.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\t{}\n",
                l.contact_id,
                format_stamp(l.at),
                text::shown(&l.customer),
                t(&format!("channel.{}", l.channel)),
                result,
                text::shown(l.summary.as_deref().unwrap_or("")),
            ));
        }
    }
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
    {
        // A closed pipe (`| head`) ends quietly.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        r => r.context("writing to standard output")?,
    }
    Ok(ExitCode::SUCCESS)
}
