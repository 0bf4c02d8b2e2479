//! Returns and exchanges (issue 17 point 6): what of a purchase can still come back, how much
//! each returned unit gives back, the merchant's return policy and its decision, and how an
//! exchange settles. Pure rules: the store checks the same quantities again inside the
//! return's transaction, so two tills returning one line at once cannot both succeed.

pub mod exchange;
pub mod kinds;
pub mod policy;
pub mod quantities;
pub mod refund;

pub use exchange::{ExchangeSettlement, settle_exchange};
pub use kinds::{ItemCondition, RefundMethod, RefundTo, ReturnSource};
pub use policy::{PolicyBreach, PolicyCheck, PolicyDecision, ReturnPolicy};
pub use quantities::{LineProblem, PlannedLine, PurchasedLine, RequestedLine, plan_lines};
pub use refund::{paid_per_line, refund_for};
