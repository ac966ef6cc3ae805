//! Files in and out (SPEC §5): CSV export of every kind, and the `check` of the file itself.
//! Reading rows out of the store is kept apart from the file format, so other formats can
//! share the same row source.

pub mod check;
pub mod export;
pub mod kinds;
pub mod reminders;
pub mod review;

pub use check::{check, CheckReport};
pub use export::{
    export_csv, export_to_path, for_each_row, mark_for_export, record_export, write_atomically,
    ExportOptions,
};
pub use kinds::Kind;
