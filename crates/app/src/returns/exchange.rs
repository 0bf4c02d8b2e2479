//! An exchange at the till (issue 17 point 6): the customer returns items and takes others in
//! the same visit. The returned lines are valued as any return's (what they paid, pro rata);
//! the new items are priced TODAY by the one pricing engine at the returning location, as the
//! till would sell them; and only the difference moves ([`settle_exchange`]): the customer pays
//! it at the till (cash with change, or an external terminal) into an open session, or gets it
//! back by the return's own rule (card, cash, store credit). The new units leave this
//! location's stock in the return's transaction, so an item short refuses the whole exchange
//! (409 naming the SKU) with nothing changed.
//!
//! The new items are the return's exchange lines, not a separate till sale: the return's
//! `refund` is the difference given back (zero when the customer pays one) and a difference
//! paid in cash is a cash movement `in` of the session, so the drawer, the session report and
//! the day's takings count exactly the money that moved (ARCHITECTURE.md, returns).

use omnicanal_domain::catalog::Quantity;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::pos::{SessionStatus, TenderMethod, settle_tenders};
use omnicanal_domain::returns::{ExchangeSettlement, settle_exchange};
use omnicanal_domain::{Currency, Money};
use omnicanal_store::{ExchangeLineRow, ExchangePayment, LocationRow, NewExchange};

use super::command::CreateReturn;
use crate::App;
use crate::error::{AppError, AppResult, FieldError};
use crate::pricing::cart::{Cart, CartItem, SoldFrom};

/// The new items of an exchange as the engine priced them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PricedExchange {
    /// The currency of the prices.
    pub currency: Currency,
    /// The lines, in the request's order.
    pub lines: Vec<ExchangeLineRow>,
    /// Their total after the engine's discounts.
    pub total_minor: i64,
}

/// An exchange as taken, for the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedExchange {
    /// The currency.
    pub currency: Currency,
    /// The new items.
    pub lines: Vec<ExchangeLineRow>,
    /// What they cost today.
    pub total_minor: i64,
    /// `total − returned`: positive the customer paid it, negative it was refunded.
    pub difference_minor: i64,
    /// Change given back from cash tendered.
    pub change_minor: i64,
    /// The session the customer's payment went into.
    pub session_id: Option<String>,
    /// How the customer paid a positive difference (cash, an external terminal); empty when
    /// the difference was refunded (the return's own refund method) or nothing moved.
    pub payments: Vec<ExchangePayment>,
}

impl CreatedExchange {
    pub(super) fn from_new(currency: Currency, new: &NewExchange) -> Self {
        Self {
            currency,
            lines: new.lines.clone(),
            total_minor: new.new_total_minor,
            difference_minor: new.difference_minor,
            change_minor: new.change_minor,
            session_id: new.session_id.clone(),
            payments: new.payments.clone(),
        }
    }
}

/// Renames a pricing refusal's `lines[…]` fields to the request's `exchange_lines[…]`.
fn exchange_field(field: String) -> String {
    match field.strip_prefix("lines") {
        Some(rest) => format!("exchange_lines{rest}"),
        None => field,
    }
}

impl App {
    /// Prices an exchange's new items at `location` now, as its till would (`None` for a plain
    /// return).
    pub(super) async fn price_exchange(
        &self,
        location: &LocationRow,
        command: &CreateReturn,
    ) -> AppResult<Option<PricedExchange>> {
        if command.exchange_lines.is_empty() {
            return Ok(None);
        }
        let site = self.store.get_site(&location.site_id).await?.ok_or(AppError::NotFound("location"))?;
        let mut items = Vec::with_capacity(command.exchange_lines.len());
        for line in &command.exchange_lines {
            items.push(CartItem {
                sku: line.sku.clone(),
                location_id: location.id.clone(),
                quantity: Quantity::parse(line.quantity)?,
                choices: Vec::new(),
                note: None,
                manual_discount: None,
            });
        }
        let cart = Cart {
            site_id: site.id.clone(),
            channel: Channel::Pos,
            items,
            coupon_codes: Vec::new(),
            customer_key: None,
        };
        let priced =
            self.price_cart(&site, &cart, self.now_ms(), SoldFrom::Counter).await.map_err(|error| match error {
                AppError::Invalid(errors) => AppError::Invalid(
                    errors
                        .into_iter()
                        .map(|e| FieldError { field: exchange_field(e.field), message: e.message })
                        .collect(),
                ),
                AppError::UnknownSku { sku, field } => AppError::UnknownSku { sku, field: exchange_field(field) },
                other => other,
            })?;
        let lines = priced
            .quote
            .lines
            .iter()
            .map(|line| ExchangeLineRow {
                sku: line.sku.clone(),
                quantity: line.quantity,
                unit_price_minor: line.unit_price.amount_minor,
                total_minor: line.total.amount_minor,
                track_stock: line.track_stock,
            })
            .collect();
        Ok(Some(PricedExchange {
            currency: priced.quote.currency,
            lines,
            total_minor: priced.quote.total.amount_minor,
        }))
    }

    /// Settles an exchange against what the returned lines are worth: returns the refund the
    /// return still gives (the difference, or zero) and the exchange to record.
    pub(super) async fn plan_exchange(
        &self,
        location: &LocationRow,
        command: &CreateReturn,
        returned_minor: i64,
        currency: Currency,
        priced: &PricedExchange,
    ) -> AppResult<(i64, NewExchange)> {
        if priced.currency != currency {
            return Err(AppError::invalid("exchange_lines", "the new items are priced in another currency"));
        }
        let mut exchange = NewExchange {
            returned_minor,
            new_total_minor: priced.total_minor,
            difference_minor: priced.total_minor - returned_minor,
            session_id: None,
            change_minor: 0,
            payments: Vec::new(),
            lines: priced.lines.clone(),
        };
        match settle_exchange(returned_minor, priced.total_minor) {
            ExchangeSettlement::CustomerPays(owed) => {
                let owed = Money::new(owed, currency);
                if command.payments.is_empty() {
                    return Err(AppError::invalid("payments", format!("the customer owes {owed}: give the payments")));
                }
                let tenders: Vec<_> = command.payments.iter().map(|payment| payment.tender).collect();
                let settled = settle_tenders(owed, &tenders)?;
                exchange.session_id = Some(self.session_paid_into(location, command).await?);
                exchange.change_minor = settled.change.amount_minor;
                exchange.payments = command
                    .payments
                    .iter()
                    .zip(settled.applied)
                    .map(|(payment, applied)| ExchangePayment {
                        method: payment.tender.method.as_str().to_owned(),
                        amount_minor: applied.amount_minor,
                        tendered_minor: match payment.tender.method {
                            TenderMethod::Cash => payment.tender.tendered.map(|money| money.amount_minor),
                            _ => None,
                        },
                        reference: payment.reference.clone(),
                    })
                    .collect();
                Ok((0, exchange))
            }
            ExchangeSettlement::MerchantRefunds(refund) => {
                if !command.payments.is_empty() {
                    return Err(AppError::invalid("payments", "the customer owes nothing: the difference is refunded"));
                }
                Ok((refund, exchange))
            }
            ExchangeSettlement::Even => {
                if !command.payments.is_empty() {
                    return Err(AppError::invalid("payments", "the customer owes nothing: same value"));
                }
                Ok((0, exchange))
            }
        }
    }

    /// The open session a difference is paid into: the one named (at this location), else the
    /// till's (`device_id`) or the first open one here.
    async fn session_paid_into(&self, location: &LocationRow, command: &CreateReturn) -> AppResult<String> {
        let Some(session_id) = &command.session_id else {
            return Ok(self.session_paying(location, command.device_id.as_deref()).await?.id);
        };
        match self.store.get_pos_session(session_id).await? {
            Some(session) if session.location_id == location.id && session.status == SessionStatus::Open => {
                Ok(session.id)
            }
            _ => Err(AppError::invalid("session_id", "no open cash session with this id at this location")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::exchange_field;

    #[test]
    fn pricing_refusals_name_the_exchange_lines() {
        assert_eq!(exchange_field("lines[1].sku".into()), "exchange_lines[1].sku");
        assert_eq!(exchange_field("payments".into()), "payments");
    }
}
