//! Payment providers behind one trait; the sandbox card provider is one of them.

use async_trait::async_trait;
use omnicanal_domain::Money;

/// Why a charge did not go through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// The issuer refused the card.
    #[error("the card was declined")]
    Declined,
    /// The card number is not one the provider accepts.
    #[error("{0}")]
    InvalidCard(String),
    /// The provider could not be reached or failed.
    #[error("payment provider unavailable: {0}")]
    Unavailable(String),
}

/// A card payment provider: authorise before stock is taken, capture after the order is stored.
#[async_trait]
pub trait PaymentProvider: Send + Sync + 'static {
    /// Holds `amount` on the card; returns the provider's reference.
    async fn authorize(&self, card_number: &str, amount: Money) -> Result<String, PaymentError>;
    /// Takes the held amount.
    async fn capture(&self, reference: &str) -> Result<(), PaymentError>;
    /// Releases a hold that will not be captured (the order could not be stored).
    async fn void(&self, reference: &str) -> Result<(), PaymentError>;
    /// Gives back part or all of a captured amount.
    async fn refund(&self, reference: &str, amount: Money) -> Result<(), PaymentError>;
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

    async fn capture(&self, _reference: &str) -> Result<(), PaymentError> {
        Ok(())
    }

    async fn void(&self, _reference: &str) -> Result<(), PaymentError> {
        Ok(())
    }

    async fn refund(&self, _reference: &str, _amount: Money) -> Result<(), PaymentError> {
        Ok(())
    }
}
