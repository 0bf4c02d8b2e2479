//! Deposits on bookings (issue 19 point 3), as stored: the rules that ask for one, each
//! booking's deposit, and how a booking ends — the one description every ending (a
//! cancellation, a lapsed hold, a staff's status move) hands to the store.

use omnicanal_domain::Money;
use omnicanal_domain::bookings::booking::BookingStatus;
use omnicanal_domain::bookings::deposits::{CaptureStep, DepositStatus};

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

/// What an edit does to a deposit rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DepositRuleChange {
    /// Leaves it as it is.
    Keep,
    /// Sets it (insert or replace).
    Put(DepositRuleRow),
    /// Removes it (none: the owner asks for no deposit).
    Remove,
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
    /// What happens to its deposit, when it has one that the move changes.
    pub deposit: Option<DepositEnd>,
}

/// What a booking's ending writes for its deposit: one of two moves, picked inside the
/// ending's transaction by whether the deposit's capture job could still be cancelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepositEnd {
    /// The deposit's capture job (`pj_deposit_capture_{booking}`).
    pub capture_job_id: String,
    /// Written when `first.capture` is not [`CaptureStep::Cancel`], or when it is and the
    /// capture job was still pending and never attempted (so it is cancelled).
    pub first: DepositMove,
    /// Written instead when the capture could not be cancelled: a worker had taken it.
    pub if_capture_taken: DepositMove,
}

/// A deposit's new status, the job that moves its money, and what becomes of its capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepositMove {
    /// The deposit's new status.
    pub status: DepositStatus,
    /// The refund or void to queue, if any.
    pub job: Option<PaymentJobRow>,
    /// Cancel the capture job, let it run before `job`, or leave it.
    pub capture: CaptureStep,
}
