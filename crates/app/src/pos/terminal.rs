//! The till's card terminal behind one trait; the sandbox terminal is one of them.
//!
//! Unlike the web shop's card provider (authorise now, capture later from a payment job), a
//! terminal charges while the customer stands at the counter: the sale is recorded only after
//! the terminal approved, and a charge whose sale is then refused (stock short, the session
//! closed meanwhile) is voided at once with the same idempotency key.

use async_trait::async_trait;
use omnicanal_domain::Money;
use omnicanal_domain::pos::DeclineCode;

/// A charge the terminal approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalApproval {
    /// The terminal's reference, kept with the payment (voids name it).
    pub reference: String,
    /// The approval code printed on the receipt.
    pub approval_code: String,
}

/// Why a terminal did not charge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TerminalError {
    /// The issuer declined, with its code.
    #[error("the card was declined ({0})")]
    Declined(DeclineCode),
    /// The card number is not one the terminal accepts.
    #[error("{0}")]
    InvalidCard(String),
    /// The terminal or its network failed; nothing was charged.
    #[error("card terminal unavailable: {0}")]
    Unavailable(String),
}

/// A card terminal: charges at the counter, voids a charge whose sale was not recorded.
#[async_trait]
pub trait CardTerminal: Send + Sync + 'static {
    /// Charges `amount` to the card; the same `idempotency_key` never charges twice.
    async fn charge(
        &self,
        card_number: &str,
        amount: Money,
        idempotency_key: &str,
    ) -> Result<TerminalApproval, TerminalError>;
    /// Gives a charge back before settlement.
    async fn void(&self, reference: &str, idempotency_key: &str) -> Result<(), TerminalError>;
    /// Gives back `amount` of a charge (a return of a card-paid sale); the same
    /// `idempotency_key` never refunds twice. Called from a payment job, not at the counter:
    /// the return is recorded first and the refund follows, retried until the terminal's
    /// network answers.
    async fn refund(&self, reference: &str, amount: Money, idempotency_key: &str) -> Result<(), TerminalError>;
}

/// The card the sandbox terminal approves.
pub const SANDBOX_APPROVED: &str = "4242424242424242";
/// Test cards the sandbox terminal declines, with the issuer's code each gets.
pub const SANDBOX_DECLINES: [(&str, DeclineCode); 4] = [
    ("4000000000000002", DeclineCode::DoNotHonour),
    ("4000000000009995", DeclineCode::InsufficientFunds),
    ("4000000000000069", DeclineCode::ExpiredCard),
    ("4000000000000119", DeclineCode::IssuerUnavailable),
];

/// The sandbox terminal: approves [`SANDBOX_APPROVED`], declines the [`SANDBOX_DECLINES`]
/// cards with their codes, refuses any other number.
#[derive(Debug, Default)]
pub struct SandboxTerminal;

#[async_trait]
impl CardTerminal for SandboxTerminal {
    async fn charge(
        &self,
        card_number: &str,
        _amount: Money,
        idempotency_key: &str,
    ) -> Result<TerminalApproval, TerminalError> {
        let digits: String = card_number.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits == SANDBOX_APPROVED {
            let key = crate::ids::sha256_hex(idempotency_key.as_bytes());
            return Ok(TerminalApproval {
                reference: format!("term_{}", &key[..24]),
                approval_code: key[..6].to_uppercase(),
            });
        }
        match SANDBOX_DECLINES.iter().find(|(card, _)| *card == digits) {
            Some((_, code)) => Err(TerminalError::Declined(*code)),
            None => Err(TerminalError::InvalidCard(format!(
                "the sandbox terminal accepts {SANDBOX_APPROVED} (approved) and {} (declined)",
                SANDBOX_DECLINES.iter().map(|(card, code)| format!("{card} → {code}")).collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    async fn void(&self, _reference: &str, _idempotency_key: &str) -> Result<(), TerminalError> {
        Ok(())
    }

    /// Refunds any charge the sandbox approved (its references start `term_`).
    async fn refund(&self, reference: &str, _amount: Money, _idempotency_key: &str) -> Result<(), TerminalError> {
        if reference.starts_with("term_") {
            Ok(())
        } else {
            Err(TerminalError::InvalidCard(format!("no charge {reference} on this terminal")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use omnicanal_domain::Currency;

    #[tokio::test]
    async fn the_sandbox_approves_one_card_and_declines_with_real_codes() {
        let terminal = SandboxTerminal;
        let amount = Money::new(1000, Currency::Clp);
        let approved = terminal.charge("4242 4242 4242 4242", amount, "sale-1:0").await;
        let again = terminal.charge(SANDBOX_APPROVED, amount, "sale-1:0").await;
        assert!(approved.is_ok());
        assert_eq!(approved, again, "one key, one charge");
        for (card, code) in SANDBOX_DECLINES {
            assert_eq!(terminal.charge(card, amount, "k").await, Err(TerminalError::Declined(code)));
        }
        assert!(matches!(terminal.charge("1234", amount, "k").await, Err(TerminalError::InvalidCard(_))));
    }
}
