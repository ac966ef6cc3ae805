//! Plain types and rules of the order desk. No SQL, no terminal: everything here is tested
//! on its own.

pub mod account;
pub mod complaint;
pub mod contact;
pub mod customer;
pub mod enums;
pub mod kpi;
pub mod mask;
pub mod money;
pub mod month;
pub mod order;
pub mod problem;
pub mod report;
pub mod risk;
pub mod spotcheck;
pub mod status;
pub mod text;
pub mod time;
