//! Card payment providers behind one trait; the sandbox card provider is one of them.
//!
//! Every call that moves money after an authorisation (capture, refund, void) carries an
//! idempotency key — the payment job's id — so a retried job never moves money twice at a
//! provider that honours it (as Stripe, Adyen and Transbank do).

use async_trait::async_trait;
use omnicanal_domain::Money;
use omnicanal_domain::payment_job::FailureKind;

/// Why a provider call did not go through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// The issuer refused the card.
    #[error("the card was declined")]
    Declined,
    /// The card number is not one the provider accepts.
    #[error("{0}")]
    InvalidCard(String),
    /// The provider refused the request itself (an unknown reference, more than was captured):
    /// asking again will not help.
    #[error("the payment provider refused: {0}")]
    Refused(String),
    /// The provider could not be reached or failed; asking again may work.
    #[error("payment provider unavailable: {0}")]
    Unavailable(String),
}

impl PaymentError {
    /// Whether a job that met this error is worth another attempt.
    pub fn failure_kind(&self) -> FailureKind {
        match self {
            PaymentError::Unavailable(_) => FailureKind::Temporary,
            PaymentError::Declined | PaymentError::InvalidCard(_) | PaymentError::Refused(_) => FailureKind::Permanent,
        }
    }
}

/// What kind of answer a payment job's recorded error was — the text of a [`PaymentError`],
/// as the job keeps it in `last_error` — so that people are told it in their own words:
/// `declined`, `refused`, `unavailable`, or `other` (an invalid card, or a text this version
/// did not write).
pub fn recorded_cause(last_error: &str) -> &'static str {
    if last_error == PaymentError::Declined.to_string() {
        "declined"
    } else if last_error.starts_with("the payment provider refused:") {
        "refused"
    } else if last_error.starts_with("payment provider unavailable:") {
        "unavailable"
    } else {
        "other"
    }
}

/// A card payment provider: authorise before stock is taken; capture, refund and void later,
/// from payment jobs.
#[async_trait]
pub trait PaymentProvider: Send + Sync + 'static {
    /// Holds `amount` on the card; returns the provider's reference.
    async fn authorize(&self, card_number: &str, amount: Money) -> Result<String, PaymentError>;
    /// Takes `amount` of the held money.
    async fn capture(&self, reference: &str, amount: Money, idempotency_key: &str) -> Result<(), PaymentError>;
    /// Releases a hold that will not be captured.
    async fn void(&self, reference: &str, idempotency_key: &str) -> Result<(), PaymentError>;
    /// Gives back part or all of a captured amount.
    async fn refund(&self, reference: &str, amount: Money, idempotency_key: &str) -> Result<(), PaymentError>;
}

/// The sandbox provider: approves `4242424242424242`, declines `4000000000000002`,
/// and refuses any other number as invalid.
#[derive(Debug, Default)]
pub struct SandboxCardProvider;

/// The test card the sandbox approves.
pub const SANDBOX_APPROVED_CARD: &str = "4242424242424242";
/// The test card the sandbox declines.
pub const SANDBOX_DECLINED_CARD: &str = "4000000000000002";

#[async_trait]
impl PaymentProvider for SandboxCardProvider {
    async fn authorize(&self, card_number: &str, _amount: Money) -> Result<String, PaymentError> {
        let digits: String = card_number.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        match digits.as_str() {
            SANDBOX_APPROVED_CARD => Ok(crate::ids::new_id("pay")),
            SANDBOX_DECLINED_CARD => Err(PaymentError::Declined),
            _ => Err(PaymentError::InvalidCard(
                "the sandbox accepts 4242424242424242 (approved) and 4000000000000002 (declined)".into(),
            )),
        }
    }

    async fn capture(&self, _reference: &str, _amount: Money, _idempotency_key: &str) -> Result<(), PaymentError> {
        Ok(())
    }

    async fn void(&self, _reference: &str, _idempotency_key: &str) -> Result<(), PaymentError> {
        Ok(())
    }

    async fn refund(&self, _reference: &str, _amount: Money, _idempotency_key: &str) -> Result<(), PaymentError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_recorded_error_reads_back_as_its_cause() {
        let cases = [
            (PaymentError::Declined, "declined"),
            (PaymentError::Refused("unknown reference".into()), "refused"),
            (PaymentError::Unavailable("acquirer down".into()), "unavailable"),
            (PaymentError::InvalidCard("not a card number".into()), "other"),
        ];
        for (error, cause) in cases {
            assert_eq!(recorded_cause(&error.to_string()), cause, "{error}");
        }
    }
}
