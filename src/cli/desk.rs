//! `remind` and `review`: the desk's reminders for a login script and the weekly review.

use super::{open_existing, ReviewFormat};
use crate::config::Config;
use crate::io::files::shown_path;
use crate::io::reminders::{remind_limit, remind_text};
use crate::io::review;
use crate::store::list::ListContext;
use crate::store::today::build;
use anyhow::Context as _;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Writes to standard output; a reader that stops early (`| head`) is not an error.
fn print(text: &str) -> anyhow::Result<()> {
    super::output::print(text.as_bytes())
}

/// Today's reminders as text: every kind with its count, the urgent kinds in full (see
/// `io::reminders::REMIND_IN_FULL`), the others up to 50 items. Headings are bold only on
/// a terminal (and never with `NO_COLOR`).
pub fn remind(db: PathBuf, config: &Config) -> anyhow::Result<ExitCode> {
    let store = open_existing(db)?;
    let ctx = ListContext::current();
    let kinds = build(
        store.conn(),
        config.complaint_windows.windows(),
        &ctx,
        &remind_limit,
    )?;
    let bold = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let heading = |s: &str| {
        if bold {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    print(&remind_text(&kinds, ctx.now, ctx.day(), &heading))?;
    Ok(ExitCode::SUCCESS)
}

/// The weekly review as text or as one HTML page, to standard output or to `-o FILE`
/// (written whole or not at all, readable by the owner only).
pub fn review(
    db: PathBuf,
    config: &Config,
    format: ReviewFormat,
    output: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let output = super::output::file(output);
    if let Some(path) = &output {
        crate::io::files::refuse_kept(path)?;
    }
    let store = open_existing(db)?;
    let ctx = ListContext::current();
    let mut r = review::gather(store.conn(), config.complaint_windows.windows(), &ctx)?;
    r.sections.extend(crate::io::report::review::sections(
        store.conn(),
        ctx.now,
        &config.targets,
    )?);
    let text = match format {
        // Colour only on a terminal, and never when NO_COLOR is set.
        ReviewFormat::Text => review::text_coloured(
            &r,
            output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none(),
        ),
        ReviewFormat::Html => review::html(&r)?,
    };
    match output {
        Some(path) => {
            crate::io::write_atomically(&path, |w| {
                w.write_all(text.as_bytes())
                    .with_context(|| format!("writing {}", shown_path(&path)))
            })?;
            eprintln!("{}", shown_path(&path));
        }
        None => print(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}
