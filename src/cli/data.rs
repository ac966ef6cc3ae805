//! `import` and `export` (SPEC §5).

use super::{open_existing, Format};
use crate::io::{self, Kind};
use anyhow::{bail, Context};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn import(_db: PathBuf, kind: Kind, file: &Path, _dry_run: bool) -> anyhow::Result<ExitCode> {
    bail!(
        "{}: importing {} is not available in this build yet",
        file.display(),
        kind.name()
    )
}

pub fn export(
    db: PathBuf,
    kind: Kind,
    format: Format,
    output: Option<PathBuf>,
    include_pii: bool,
) -> anyhow::Result<ExitCode> {
    if format != Format::Csv {
        bail!("export as {format:?} is not available in this build yet");
    }
    let opts = io::ExportOptions {
        include_pii,
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
            let rows = io::export_to_path(&mut store, kind, &path, &opts)?;
            eprintln!("{rows} rows → {}", path.display());
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            io::export_csv(&mut store, kind, &mut out, &opts)?;
            out.flush().context("writing to standard output")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
