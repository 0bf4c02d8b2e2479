//! The one error type of the domain layer.

use crate::fulfillment::FulfillmentStatus;

/// Everything the domain can refuse, with enough detail for a clear message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A value failed validation; `field` names the input, `message` says why.
    #[error("{field}: {message}")]
    Invalid {
        /// The input field that is wrong.
        field: String,
        /// Why it is wrong, in plain words.
        message: String,
    },
    /// Two amounts in different currencies were combined.
    #[error("currency mismatch: {left} and {right}")]
    CurrencyMismatch {
        /// Currency code of the left operand.
        left: &'static str,
        /// Currency code of the right operand.
        right: &'static str,
    },
    /// An amount overflowed the 64-bit range.
    #[error("amount out of range")]
    Overflow,
    /// There is not enough available stock for the SKU.
    #[error("insufficient stock for {sku}")]
    InsufficientStock {
        /// The SKU that is short.
        sku: String,
    },
    /// The ledger operation would break an invariant (on-hand below zero, reserved above on-hand).
    #[error("stock ledger refused: {0}")]
    LedgerViolation(&'static str),
    /// The till's cash session is closed: no sale, cash movement or second close.
    #[error("the cash session is closed")]
    SessionNotOpen,
    /// The fulfilment cannot move from `from` to `to`.
    #[error("illegal transition from {from} to {to}")]
    IllegalTransition {
        /// Current status.
        from: FulfillmentStatus,
        /// Requested status.
        to: FulfillmentStatus,
    },
    /// Handover was attempted with a missing or wrong pickup code.
    #[error("wrong pickup code")]
    WrongPickupCode,
    /// A refund larger than what remains captured.
    #[error("refund exceeds the captured amount")]
    RefundExceedsCaptured,
    /// A booking rule refused one field, with a stable code beside the English message so a
    /// page can tell refusals of the same field apart without reading the words.
    #[error("{field}: {message}")]
    BookingRefused {
        /// The input field refused (`start_at`, `status`...).
        field: String,
        /// Which rule refused it.
        refusal: crate::bookings::refusal::BookingRefusal,
        /// Why, in plain words (for developers; pages word it from `refusal`).
        message: String,
    },
}

impl DomainError {
    /// Shorthand for a validation error.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { field: field.into(), message: message.into() }
    }

    /// Shorthand for a booking refusal with its code.
    pub fn booking_refused(
        field: impl Into<String>,
        refusal: crate::bookings::refusal::BookingRefusal,
        message: impl Into<String>,
    ) -> Self {
        Self::BookingRefused { field: field.into(), refusal, message: message.into() }
    }
}
