//! Files in and out (SPEC §5): export of every kind as CSV, XLSX or JSON, import from CSV or
//! XLSX, and the `check` of the file itself.
//! Reading rows out of the store is kept apart from the file format, so other formats can
//! share the same row source.

pub mod check;
pub mod export;
pub mod files;
pub mod formats;
pub mod import;
pub mod kinds;
pub mod offsite;
pub mod reminders;
pub mod report;
pub mod review;

pub use check::{check, CheckReport};
pub use export::{
    export_csv, export_to_path, for_each_row, mark_for_export, record_export, write_atomically,
    ExportOptions,
};
pub use files::{write_private, write_private_with};
pub use formats::{export_file, export_json, export_xlsx, export_xlsx_to, ExportFormat};
pub use import::{import_file, import_source, Counts, ImportError, ImportOptions, Imported};
pub use kinds::Kind;
