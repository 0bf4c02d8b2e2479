//! Charging the card tenders of a payment taken at the counter on the till's terminal — a pay-at-
//! pickup part collected, an endless-aisle order sold at the tablet — and voiding them when what
//! they paid for is not recorded. One place, so both keep the same keys and the same refusals.
//!
//! A charge is keyed `<what>:<id>:<index>` (a retry never charges twice); one decline voids the
//! charges made before it and answers the refusal naming `payments[<index>].card_number`.

use omnicanal_domain::Money;
use omnicanal_domain::pos::TenderMethod;

use super::pickups::CollectPayment;
use super::sales::SalePayment;
use super::terminal::{TerminalApproval, TerminalError};
use crate::App;
use crate::error::{AppError, AppResult};

/// A tender taken at the counter: the card the terminal charges when it is a `card` tender.
pub(crate) trait CounterTender {
    /// The card number to charge, for a `card` tender that names one.
    fn terminal_card(&self) -> Option<&str>;
}

impl CounterTender for CollectPayment {
    fn terminal_card(&self) -> Option<&str> {
        self.card_number.as_deref().filter(|_| self.tender.method == TenderMethod::Card)
    }
}

impl CounterTender for SalePayment {
    fn terminal_card(&self) -> Option<&str> {
        self.card_number.as_deref().filter(|_| self.tender.method == TenderMethod::Card)
    }
}

impl App {
    /// Charges each `card` tender of `payments` the amount `applied` to it, keyed by `what`
    /// (`pickup`, `aisle`) and `id`; answers one approval (or none) per tender.
    pub(crate) async fn charge_counter_cards(
        &self,
        what: &str,
        id: &str,
        payments: &[impl CounterTender],
        applied: &[Money],
    ) -> AppResult<Vec<Option<TerminalApproval>>> {
        let mut approvals: Vec<Option<TerminalApproval>> = Vec::new();
        for (index, (payment, amount)) in payments.iter().zip(applied).enumerate() {
            let Some(card) = payment.terminal_card() else {
                approvals.push(None);
                continue;
            };
            match self.terminal.charge(card, *amount, &format!("{what}:{id}:{index}")).await {
                Ok(approval) => approvals.push(Some(approval)),
                Err(error) => {
                    self.void_counter_charges(what, &approvals).await;
                    return Err(match error {
                        TerminalError::Declined(code) => {
                            AppError::CardDeclined { decline_code: code, next_step: code.next_step() }
                        }
                        TerminalError::InvalidCard(why) => {
                            AppError::invalid(format!("payments[{index}].card_number"), why)
                        }
                        TerminalError::Unavailable(why) => AppError::Unavailable(why),
                    });
                }
            }
        }
        Ok(approvals)
    }

    /// Voids the charges of a `what` that was not recorded. A failure is logged: the charge is
    /// then a person's to give back from the terminal's own records.
    pub(crate) async fn void_counter_charges(&self, what: &str, approvals: &[Option<TerminalApproval>]) {
        for (index, approval) in approvals.iter().enumerate() {
            let Some(approval) = approval else { continue };
            let key = format!("{what}-void:{}:{index}", approval.reference);
            if let Err(error) = self.terminal.void(&approval.reference, &key).await {
                tracing::error!(reference = %approval.reference, %error, what, "a counter charge could not be voided");
            }
        }
    }
}
