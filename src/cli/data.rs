//! `import` and `export` (SPEC §5).

use super::{open_existing, Format};
use crate::config::Config;
use crate::i18n::tf;
use crate::io::files::shown_path;
use crate::io::{self, Kind};
use crate::store::Store;
use anyhow::{bail, Context};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn import(
    db: PathBuf,
    config: &Config,
    kind: Kind,
    file: &Path,
    dry_run: bool,
    encoding: Option<io::import::TextEncoding>,
) -> anyhow::Result<ExitCode> {
    let label = shown_path(file);
    // Read the file before touching the database, so a wrong path creates nothing.
    let mut source = io::import::Source::open(file, io::import::ReadOptions { encoding })?;
    let opts = io::ImportOptions {
        dry_run,
        currency: config.currency.clone().unwrap_or_else(|| "CNY".into()),
        encoding,
    };
    // Importing into a new file is how a spreadsheet becomes a database; a dry run checks
    // against an empty one instead of creating it.
    let fresh = !db.exists();
    let mut store = if fresh && dry_run {
        Store::open_in_memory()?
    } else if fresh {
        Store::open(&db)?
    } else {
        // An existing file may be encrypted or read-only: asked and refused like any writer.
        super::open_writable(&db)?
    };
    // Rows read and rows per second, as the reader reports them.
    let progress = super::progress::Progress::new(
        &format!("import {label}"),
        None,
        crate::i18n::t("import.progress_unit"),
    );
    let report = progress.callback();
    source.on_progress(Box::new(move |p| report(p.rows, 0)));
    let result = io::import_source(&mut store, kind, source, &label, &opts);
    drop(progress);
    if fresh && !dry_run {
        if result.is_ok() {
            eprintln!(
                "{}",
                tf("import.new_database", &[("path", &shown_path(&db))])
            );
        } else {
            // A refused first import leaves no empty database behind.
            drop(store);
            for suffix in ["", "-wal", "-shm"] {
                let mut path = db.clone().into_os_string();
                path.push(suffix);
                let _ = std::fs::remove_file(path);
            }
        }
    }
    match result {
        Ok(io::Imported {
            counts,
            notes,
            read_as,
        }) => {
            for note in &notes {
                eprintln!("{}", crate::domain::text::shown(note));
            }
            let key = if dry_run { "import.dry" } else { "import.done" };
            let mut line = tf(
                key,
                &[
                    ("file", &label),
                    ("rows", &counts.rows),
                    ("inserted", &counts.inserted),
                    ("updated", &counts.updated),
                    ("unchanged", &counts.unchanged),
                ],
            );
            if kind == Kind::Orders {
                line.push_str("; ");
                line.push_str(&tf(
                    "import.lines",
                    &[
                        ("inserted", &counts.lines_inserted),
                        ("updated", &counts.lines_updated),
                    ],
                ));
            }
            line.push_str(&tf("import.read_as", &[("encoding", &read_as)]));
            eprintln!("{line}");
            Ok(ExitCode::SUCCESS)
        }
        Err(io::ImportError::Problems(problems)) => {
            let mut err = std::io::stderr().lock();
            for line in problems.lines() {
                // A problem quotes the cell: shown harmless (domain::text).
                let _ = writeln!(err, "{}", crate::domain::text::shown(&line));
            }
            let _ = writeln!(
                err,
                "{}",
                tf(
                    if problems.count() == 1 {
                        "import.failed_one"
                    } else {
                        "import.failed"
                    },
                    &[("file", &label), ("count", &problems.count())]
                )
            );
            Ok(ExitCode::from(1))
        }
        Err(io::ImportError::Failed(e)) => Err(e),
    }
}

/// `--include-pii` and its `--reason`.
pub struct Pii {
    pub include: bool,
    pub reason: Option<String>,
}

pub fn export(
    db: PathBuf,
    kind: Kind,
    format: Format,
    output: Option<PathBuf>,
    pii: Pii,
    no_bom: bool,
) -> anyhow::Result<ExitCode> {
    let include_pii = pii.include;
    let format = match format {
        Format::Csv => io::ExportFormat::Csv,
        Format::Xlsx => io::ExportFormat::Xlsx,
        Format::Json => io::ExportFormat::Json,
    };
    // A workbook goes to standard output only when asked for by name (`-o -`), and never
    // onto a terminal.
    let dash = output.as_deref() == Some(std::path::Path::new("-"));
    let output = super::output::file(output);
    if let Some(path) = &output {
        // Before anything is opened: the database, its backups and the config stay as they are.
        crate::io::files::refuse_kept(path)?;
    }
    let to_terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
    if format == io::ExportFormat::Xlsx && output.is_none() && (to_terminal || !dash) {
        bail!(
            "a workbook is a file, not text: give it a name with -o FILE (e.g. -o {}), or -o - for standard output",
            kind.file_name("xlsx")
        );
    }
    let opts = io::ExportOptions {
        include_pii,
        no_bom,
        ..Default::default()
    };
    let mut store = open_existing(db)?;
    if store.is_read_only() {
        return Err(crate::store::StoreError::ReadOnly(
            shown_path(store.path()),
            "every export is recorded in its audit log, so export needs to write to it",
        )
        .into());
    }
    if include_pii {
        // Before a byte is written: the passphrase again and a reason (encrypted desk).
        if let Some(reason) =
            super::authorise::authorise(&store, "authorise.what_export", pii.reason)?
        {
            super::authorise::record(&mut store, "export", kind.name(), &reason)?;
        }
    }
    let what = format!("export {}", kind.name());
    // Bytes are counted on standard output; a file shows the time taken.
    let unit = if output.is_none() { "B" } else { "" };
    let progress = super::progress::Progress::new(&what, None, unit);
    match output {
        Some(path) => {
            let rows = io::export_file(&mut store, kind, format, &path, &opts)?;
            drop(progress);
            eprintln!("{rows} rows → {}", shown_path(&path));
        }
        None if format == io::ExportFormat::Xlsx => {
            // A workbook is assembled as a file; then its bytes go to standard output.
            let tmp = std::env::temp_dir().join(format!(
                "orderdesk-export-{}-{}.xlsx",
                std::process::id(),
                kind.name()
            ));
            let result = io::export_file(&mut store, kind, format, &tmp, &opts).and_then(|_| {
                let mut file = std::fs::File::open(&tmp).context("reading the workbook")?;
                let mut out = progress.wrap_write(std::io::stdout().lock());
                std::io::copy(&mut file, &mut out)
                    .and_then(|_| out.flush())
                    .context("writing to standard output")
            });
            let _ = std::fs::remove_file(&tmp);
            result?;
        }
        None => {
            let mut out = progress.wrap_write(super::output::text_stdout());
            match format {
                io::ExportFormat::Json => io::export_json(&mut store, kind, &mut out, &opts)?,
                _ => io::export_csv(&mut store, kind, &mut out, &opts)?,
            };
            out.flush().context("writing to standard output")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
