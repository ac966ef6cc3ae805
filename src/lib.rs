//! OrderDesk: the order-desk clerk's terminal desk. `domain` holds the rules, `store` the
//! SQLite file, `app` and `ui` the terminal screens, `io` files in and out, `cli` the
//! command line.

pub mod domain;
pub mod io;
pub mod store;
