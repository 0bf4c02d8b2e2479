//! Receipts and tax documents: what a part's or an order's document shows, for its readers.
//!
//! - `records.rs`: who may read an order's receipt, a part's tax document or the quote an
//!   order was placed with, and the records each is printed from.
//! - `ticket.rs`: the records of a part's kitchen ticket, for the location's staff.
//!
//! Laying a document out (HTML, PDF, ESC/POS) is the server's; what it shows comes from here.

pub mod records;
pub mod ticket;

pub use records::{DocumentRecords, MerchantIdentity};
pub use ticket::TicketRecords;
