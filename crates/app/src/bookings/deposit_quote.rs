//! What a customer is told about a deposit before booking (issue 19 point 3): the amount a
//! service or a table for this party puts down, and until when a cancellation gives it back.
//!
//! The booking pages must say "Abono de $10.000 al reservar, devuelto si cancelas hasta 2 h
//! antes" before the customer picks a time, and ask for the card up front only when a deposit
//! is due. The amount comes from the same rule the booking itself charges
//! (`App::booking_deposit_due`), so the page never shows one figure and the card pays another;
//! the window is the location's cancellation rule, the one that decides the refund.
//! Everything here is public: the location and the service are what the page already shows.

use std::collections::HashMap;

use omnicanal_domain::Money;

use super::command::BookFor;
use crate::App;
use crate::error::{AppError, AppResult};

/// A deposit as quoted before booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepositQuote {
    /// What the booking would put down by card; `None` when it asks for no deposit.
    pub deposit: Option<Money>,
    /// A cancellation by the customer at least this many minutes before the start gives the
    /// deposit back (the location's cancellation window).
    pub cancel_window_minutes: i64,
}

impl App {
    /// The deposit a booking of `wants` at `location_id` would put down, and its refund
    /// window. An unknown location, or a service not of the location's merchant: `NotFound`.
    pub async fn deposit_quote(&self, location_id: &str, wants: &BookFor) -> AppResult<DepositQuote> {
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        if let BookFor::Service(service_id) = wants {
            // Another merchant's service is as unknown here as it is to availability.
            self.store
                .get_booking_service(service_id)
                .await?
                .filter(|service| service.merchant_id == location.merchant_id)
                .ok_or(AppError::NotFound("service"))?;
        }
        let deposit = self.booking_deposit_due(&location.id, wants).await?;
        let settings = self.booking_settings(&location.id).await?;
        Ok(DepositQuote { deposit, cancel_window_minutes: settings.cancel_window_minutes })
    }

    /// The deposits these services ask for, by service id (those without one are absent).
    /// One read per service: a merchant's list is bounded (`setup::MAX_SERVICES_LISTED`).
    pub async fn service_deposits(&self, service_ids: &[String]) -> AppResult<HashMap<String, Money>> {
        let mut deposits = HashMap::with_capacity(service_ids.len());
        for service_id in service_ids {
            if let Some(amount) = self.deposit_rule(service_id).await? {
                deposits.insert(service_id.clone(), amount);
            }
        }
        Ok(deposits)
    }
}
