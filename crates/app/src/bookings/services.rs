//! A manager edits a service: its name, duration, buffer after (`buffer_minutes`), buffer before
//! (`buffer_before_minutes`), price and deposit. Only the fields sent change; the result is
//! checked whole by the domain's `ServiceSpec`, so an edit can never leave a service a new one
//! could not be — and its price and deposit are checked together (a deposit is at most the
//! price), since lowering one alone could otherwise slip under the other. The service and its
//! deposit rule are written in one store transaction.
//!
//! Bookings already made keep the cells they claimed: a longer buffer applies to the bookings
//! made after the edit, as a changed duration does. Re-claiming existing bookings could refuse
//! one that the customer was already promised.

use omnicanal_domain::Money;
use omnicanal_domain::bookings::deposits::check_service_price_and_deposit;
use omnicanal_domain::bookings::resources::{MAX_NAME_CHARS, ServiceSpec};
use omnicanal_store::{BookingServiceRow, DepositRuleChange, DepositRuleKind, DepositRuleRow};

use super::setup::BOOKING_SETUP_ROLES;
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};

/// What a manager changes in a service: `None` keeps the field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceChanges {
    /// A new name.
    pub name: Option<String>,
    /// A new duration, in minutes.
    pub duration_minutes: Option<i64>,
    /// A new buffer after, in minutes.
    pub buffer_minutes: Option<i64>,
    /// A new buffer before, in minutes.
    pub buffer_before_minutes: Option<i64>,
    /// A new price.
    pub price: Option<Money>,
    /// A new deposit (`Some(None)`: none any more).
    pub deposit: Option<Option<Money>>,
}

impl ServiceChanges {
    /// Whether nothing would change (an empty request is refused, naming no field in particular).
    pub fn is_empty(&self) -> bool {
        self == &ServiceChanges::default()
    }

    /// The service after the changes, checked whole.
    fn apply(self, current: &BookingServiceRow) -> AppResult<ServiceSpec> {
        if let Some(name) = &self.name
            && name.chars().count() > MAX_NAME_CHARS
        {
            return Err(AppError::invalid("name", format!("must be at most {MAX_NAME_CHARS} characters")));
        }
        let spec = ServiceSpec::new(
            self.name.as_deref().unwrap_or(&current.name),
            self.duration_minutes.unwrap_or(current.duration_minutes),
            self.buffer_minutes.unwrap_or(current.buffer_minutes),
            self.price.or(current.price),
        )?;
        Ok(spec.with_buffer_before(self.buffer_before_minutes.unwrap_or(current.buffer_before_minutes))?)
    }
}

impl App {
    /// Edits a service (its merchant's manager, or an admin): another merchant's service is
    /// `NotFound`, an empty change is invalid, a bad value names its field, a price below the
    /// deposit names `price` (or `deposit` when the deposit was sent). Answers the service and
    /// its deposit after the edit.
    pub async fn update_booking_service(
        &self,
        caller: &Caller,
        service_id: &str,
        changes: ServiceChanges,
    ) -> AppResult<(BookingServiceRow, Option<Money>)> {
        caller.require(&BOOKING_SETUP_ROLES)?;
        let current = self.store.get_booking_service(service_id).await?.ok_or(AppError::NotFound("service"))?;
        caller.check_merchant(&current.merchant_id, "service")?;
        if changes.is_empty() {
            return Err(AppError::invalid("name", "send at least one field to change"));
        }
        let sent_deposit = changes.deposit;
        let spec = changes.apply(&current)?;
        let deposit_now = self.store.get_deposit_rule(&current.id).await?.map(|rule| rule.amount);
        let deposit =
            check_service_price_and_deposit(spec.price, sent_deposit.unwrap_or(deposit_now), sent_deposit.is_some())?;
        let row = BookingServiceRow {
            name: spec.name,
            duration_minutes: spec.duration_minutes,
            buffer_minutes: spec.buffer_minutes,
            buffer_before_minutes: spec.buffer_before_minutes,
            price: spec.price,
            ..current
        };
        let rule_change = match (sent_deposit, deposit) {
            (None, _) => DepositRuleChange::Keep,
            (Some(_), Some(amount)) => DepositRuleChange::Put(DepositRuleRow {
                owner_id: row.id.clone(),
                kind: DepositRuleKind::Service,
                amount,
                updated_ms: self.now_ms(),
            }),
            (Some(_), None) => DepositRuleChange::Remove,
        };
        if !self.store.update_booking_service_with_deposit(&row, &rule_change).await? {
            return Err(AppError::NotFound("service"));
        }
        Ok((row, deposit))
    }
}
