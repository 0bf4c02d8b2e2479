//! Payment jobs: the captures, refunds and voids the books owe a card provider.

use omnicanal_domain::Currency;
use omnicanal_domain::payment_job::{PaymentJobKind, PaymentJobState, PaymentPayee};

use super::{NewEvent, Page};

/// One capture, refund or void to carry out with the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentJobRow {
    /// Opaque id, derived from what it pays for (so the same money is never queued twice); also
    /// the idempotency key the provider is given.
    pub id: String,
    /// What to do.
    pub kind: PaymentJobKind,
    /// Who does it: the order provider or the till's terminal.
    pub payee: PaymentPayee,
    /// Where it stands.
    pub state: PaymentJobState,
    /// The order.
    pub order_id: String,
    /// The part, for a refund.
    pub fulfillment_id: Option<String>,
    /// That part's merchant (None: the whole order's).
    pub merchant_id: Option<String>,
    /// The provider's reference of the charge.
    pub payment_reference: String,
    /// How much, in minor units.
    pub amount_minor: i64,
    /// In what.
    pub currency: Currency,
    /// Attempts made so far.
    pub attempts: i64,
    /// When it may be attempted next (while claimed: when the claim lapses).
    pub next_attempt_at_ms: i64,
    /// The provider's last answer, when an attempt failed.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at_ms: i64,
    /// Last change.
    pub updated_at_ms: i64,
}

/// Which payment jobs to list.
#[derive(Debug, Clone, Default)]
pub struct PaymentJobFilter {
    /// Only in this state.
    pub state: Option<PaymentJobState>,
    /// Only those of this merchant: its parts' refunds and the captures of orders it has a part in.
    pub merchant_id: Option<String>,
    /// Only this order's.
    pub order_id: Option<String>,
    /// Paging.
    pub page: Page,
}

/// What one attempt of a claimed job came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentAttempt {
    /// The job.
    pub job_id: String,
    /// Its attempt count after the claim: an outcome for an older claim is ignored.
    pub attempts: i64,
    /// Its new state.
    pub state: PaymentJobState,
    /// When to try again (pending), or when it ended.
    pub next_attempt_at_ms: i64,
    /// The provider's answer, when it failed.
    pub error: Option<String>,
    /// When the outcome was recorded.
    pub now_ms: i64,
    /// The event the outcome announces (`payment.captured`, `payment.needs_attention`), if any.
    pub event: Option<NewEvent>,
}
