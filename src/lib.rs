//! OrderDesk: the order-desk clerk's terminal desk. `domain` holds the rules, `store` the
//! SQLite file, `app` the screens' state and actions, `ui` the drawing, `io` files in and
//! out, `cli` the command line.

pub mod app;
pub mod cli;
pub mod config;
pub mod crash;
pub mod demo;
pub mod docs;
pub mod domain;
pub mod i18n;
pub mod io;
pub mod mail;
pub mod messages;
pub mod store;
pub mod ui;
pub mod web;
