//! Deposits on bookings (issue 19 point 3), as stored: the rules that ask for one, each
//! booking's deposit, and how a booking ends — the one description every ending (a
//! cancellation, a lapsed hold, a staff's status move) hands to the store.

use omnicanal_domain::Money;
use omnicanal_domain::bookings::booking::BookingStatus;
use omnicanal_domain::bookings::deposits::DepositStatus;

use super::{NewEvent, PaymentJobRow};

omnicanal_domain::named_enum! {
    /// What a deposit rule belongs to.
    pub enum DepositRuleKind("owner_kind") {
        /// A service's flat deposit (owner: the service).
        Service => "service",
        /// A location's deposit per guest for its tables (owner: the location).
        TablePerGuest => "table_per_guest",
    }
}

/// A deposit a service or a location's tables ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepositRuleRow {
    /// The service's or the location's id.
    pub owner_id: String,
    /// Which of the two.
    pub kind: DepositRuleKind,
    /// The amount (per booking for a service, per guest for tables).
    pub amount: Money,
    /// Set at (Unix ms).
    pub updated_ms: i64,
}

/// A booking's deposit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingDepositRow {
    /// The booking.
    pub booking_id: String,
    /// What was authorised.
    pub amount: Money,
    /// The provider's reference of the authorisation.
    pub payment_reference: String,
    /// Where its money stands.
    pub status: DepositStatus,
    /// The payment job whose success moves `status` on, if one was queued.
    pub job_id: Option<String>,
    /// Last changed at (Unix ms).
    pub updated_ms: i64,
}

/// How a booking ends (or moves to another status): the conditional status change, its
/// cells freed when the new status holds no time, its events, and what happens to its
/// deposit — all in one transaction, so the refund or void job exists exactly when the
/// ending does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingEnd {
    /// The booking.
    pub booking_id: String,
    /// It changes only while in one of these statuses.
    pub from: Vec<BookingStatus>,
    /// Its new status.
    pub to: BookingStatus,
    /// Only if its hold lapsed by this instant (the sweeper's expiry).
    pub hold_lapsed_by_ms: Option<i64>,
    /// Now (Unix ms): the cancellation's instant when `to` is cancelled.
    pub now_ms: i64,
    /// Its events.
    pub events: Vec<NewEvent>,
    /// The deposit's new status and the job that moves its money, when it has a deposit.
    pub deposit: Option<(DepositStatus, Option<PaymentJobRow>)>,
}
