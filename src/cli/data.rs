//! `import` and `export` (SPEC §5).

use super::{open_existing, Format};
use crate::config::Config;
use crate::i18n::tf;
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
    let label = file.display().to_string();
    // Read the file before touching the database, so a wrong path creates nothing.
    let source = io::import::Source::open(file, io::import::ReadOptions { encoding })?;
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
    let result = io::import_source(&mut store, kind, source, &label, &opts);
    if fresh && !dry_run {
        if result.is_ok() {
            eprintln!("{}", tf("import.new_database", &[("path", &db.display())]));
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
                eprintln!("{note}");
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
                let _ = writeln!(err, "{line}");
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

pub fn export(
    db: PathBuf,
    kind: Kind,
    format: Format,
    output: Option<PathBuf>,
    include_pii: bool,
    no_bom: bool,
) -> anyhow::Result<ExitCode> {
    let format = match format {
        Format::Csv => io::ExportFormat::Csv,
        Format::Xlsx => io::ExportFormat::Xlsx,
        Format::Json => io::ExportFormat::Json,
    };
    if format == io::ExportFormat::Xlsx && output.is_none() {
        bail!(
            "a workbook is a file, not text: give it a name with -o FILE (e.g. -o {}), or -o - for standard output",
            kind.file_name("xlsx")
        );
    }
    // `-o -` is standard output, for every format.
    let to_stdout = output.as_deref().is_some_and(|p| p.as_os_str() == "-");
    let output = output.filter(|_| !to_stdout);
    let opts = io::ExportOptions {
        include_pii,
        no_bom,
        ..Default::default()
    };
    let mut store = open_existing(db)?;
    if store.is_read_only() {
        return Err(crate::store::StoreError::ReadOnly(
            store.path().display().to_string(),
            "every export is recorded in its audit log, so export needs to write to it",
        )
        .into());
    }
    match output {
        Some(path) => {
            let rows = io::export_file(&mut store, kind, format, &path, &opts)?;
            eprintln!("{rows} rows → {}", path.display());
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            match format {
                io::ExportFormat::Json => io::export_json(&mut store, kind, &mut out, &opts)?,
                io::ExportFormat::Xlsx => io::export_xlsx_to(&mut store, kind, &mut out, &opts)?,
                io::ExportFormat::Csv => io::export_csv(&mut store, kind, &mut out, &opts)?,
            };
            out.flush().context("writing to standard output")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
