//! Documents OrderDesk writes for people inside the company: the production/purchase
//! instruction sheet of an order.

pub mod instruction;
