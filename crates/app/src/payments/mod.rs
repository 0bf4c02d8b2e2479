//! Payments: the provider trait and the jobs that carry out every capture, refund and void the
//! books owe.

pub mod provider;

pub use provider::{PaymentError, PaymentProvider, SANDBOX_APPROVED_CARD, SANDBOX_DECLINED_CARD, SandboxCardProvider};
pub mod jobs;
