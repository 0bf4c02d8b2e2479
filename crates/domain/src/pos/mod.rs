//! The store's till (POS): the values and rules a till sale and a cash session obey, pure.
//!
//! - [`receipt`]: a device's receipt series and numbers (`<series>-<n>`, n from 1), and the
//!   report of a series' gaps — the till makes its numbers offline, so the server checks them.
//! - [`session`]: the cash session's state machine (open → closed, one table) and the
//!   expected-cash arithmetic a close compares the counted cash with.
//! - [`tender`]: how a sale's payments cover its total (cash may exceed it: the change), and
//!   which tenders a till may take while offline.
//! - [`terminal`]: the card terminal's decline codes and what the cashier should do next.
//! - [`count`]: the drawer counted per note and coin at the close, adding up to the counted cash.
//! - [`approval`]: a manager's PIN, the limits above which a line discount or void needs one,
//!   and the lock after five wrong PINs in a row.

pub mod approval;
pub mod count;
pub mod receipt;
pub mod session;
pub mod tender;
pub mod terminal;

pub use approval::{ApprovalAction, ApprovalLimits, Pin, PinGuard, PinRefusal};
pub use count::{DenominationCount, counted_cash, denominations_of};
pub use receipt::{ReceiptNumber, ReceiptSeries, SeriesReport, series_report};
pub use session::{CashDirection, CashTotals, CloseOutcome, SessionStatus, close_session};
pub use tender::{Tender, TenderMethod, TenderOutcome, settle_tenders};
pub use terminal::{DeclineCode, NextStep};

/// Longest id a device may give a sale.
pub const MAX_SALE_ID_CHARS: usize = 64;

/// Checks a sale id made on a device: 1 to 64 printable ASCII characters, no spaces (it is
/// kept forever as the sale's key and travels in URLs).
pub fn check_sale_id(raw: &str) -> Result<String, crate::DomainError> {
    let ok = !raw.is_empty() && raw.len() <= MAX_SALE_ID_CHARS && raw.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(crate::DomainError::invalid(
            "id",
            format!("must be 1 to {MAX_SALE_ID_CHARS} printable ASCII characters without spaces"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sale_ids_are_short_printable_words() {
        assert!(check_sale_id("0b8f6c1e-2b1a-4c1e-9f3a-1d2e3f4a5b6c").is_ok());
        assert!(check_sale_id("").is_err());
        assert!(check_sale_id("a b").is_err());
        assert!(check_sale_id(&"x".repeat(65)).is_err());
        assert!(check_sale_id("ñ").is_err());
    }
}
