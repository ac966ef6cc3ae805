//! One form engine for every record the clerk types: fields as data (`field`), one key
//! handler (`engine`), look-ups with suggestions (`lookup`), the form of each record
//! (`specs`) and its checks (`check`). `ui::form` is the one renderer; `app::form_save`
//! saves what a valid form holds.

mod aftersales;
pub mod check;
pub mod engine;
pub mod field;
pub mod lookup;
mod prompts;
pub mod specs;

pub use check::{validate, Valid};
pub use engine::{Focus, Form, Grid, Outcome};
pub use field::{Choices, Field, Kind};
pub use specs::FormKind;

#[cfg(test)]
mod tests;
