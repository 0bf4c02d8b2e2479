//! Cash sessions: open with a counted float, cash in or out with a reason, close with the
//! counted cash, and the session's report.

use omnicanal_domain::events::{DomainEvent, PosSessionChanged, SessionAction};
use omnicanal_domain::pos::{
    CashDirection, CashTotals, DenominationCount, SessionStatus, TenderMethod, counted_cash, denominations_of,
};
use omnicanal_domain::{Currency, Money};
use omnicanal_store::{
    NewEvent, PosCashMovementRow, PosDeviceRow, PosSessionAccounting, PosSessionRow, PosSessionTotals,
};

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::validation::Validator;

/// Largest float, count or cash movement accepted, in minor units (a billion: more than any
/// drawer holds in any of our currencies).
pub const MAX_CASH_MINOR: i64 = 1_000_000_000_000;
/// Longest reason for cash moved, in characters.
pub const MAX_REASON_CHARS: usize = 200;

pub(crate) fn check_cash(v: &mut Validator, field: &str, amount: Money) -> Option<Money> {
    if !(0..=MAX_CASH_MINOR).contains(&amount.amount_minor) {
        v.push(field, format!("must be 0 to {MAX_CASH_MINOR} minor units"));
        return None;
    }
    Some(amount)
}

/// Opening a session on a till.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSession {
    /// The till.
    pub device_id: String,
    /// The cash counted into the drawer.
    pub opening_float: Money,
}

impl OpenSession {
    /// Parses an opening, reporting every bad field.
    pub fn parse(device_id: String, opening_float: Money) -> AppResult<Self> {
        let mut v = Validator::new();
        if device_id.trim().is_empty() {
            v.push("device_id", "is required");
        }
        let opening_float = check_cash(&mut v, "opening_float.amount", opening_float);
        v.done(|| Some(Self { device_id, opening_float: opening_float? }))
    }
}

/// Cash put into or taken out of an open session's drawer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CashMovement {
    /// In or out.
    pub direction: CashDirection,
    /// How much (more than zero).
    pub amount: Money,
    /// Why, as the cashier typed it.
    pub reason: String,
}

impl CashMovement {
    /// Parses a cash movement, reporting every bad field.
    pub fn parse(direction: &str, amount: Money, reason: &str) -> AppResult<Self> {
        let mut v = Validator::new();
        let direction = v.check("direction", CashDirection::parse(direction));
        let amount = check_cash(&mut v, "amount.amount", amount);
        if amount.is_some_and(|amount| amount.amount_minor == 0) {
            v.push("amount.amount", "must be more than zero");
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS || reason.chars().any(char::is_control) {
            v.push("reason", format!("must be 1 to {MAX_REASON_CHARS} characters without control characters"));
        }
        v.done(|| Some(Self { direction: direction?, amount: amount?, reason: reason.to_owned() }))
    }
}

/// Closing a session: the counted cash, the count per denomination, or both (then they must
/// agree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseSession {
    /// The cash counted, as typed.
    pub counted_cash: Option<Money>,
    /// The count per note and coin.
    pub denominations: Option<Vec<DenominationCount>>,
}

impl CloseSession {
    /// Parses a close, reporting every bad field (the count is added up when the session's
    /// currency is known).
    pub fn parse(counted_cash: Option<Money>, denominations: Option<Vec<(i64, i64)>>) -> AppResult<Self> {
        let mut v = Validator::new();
        if let Some(counted) = counted_cash {
            check_cash(&mut v, "counted_cash.amount", counted);
        }
        if counted_cash.is_none() && denominations.is_none() {
            v.push("counted_cash", "give counted_cash, denominations or both");
        }
        v.finish()?;
        let denominations = denominations.map(|lines| {
            lines.into_iter().map(|(value_minor, count)| DenominationCount { value_minor, count }).collect()
        });
        Ok(Self { counted_cash, denominations })
    }
}

/// One denomination of a close's count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DenominationLine {
    /// The note or coin.
    pub value: Money,
    /// How many.
    pub count: i64,
    /// value × count.
    pub amount: Money,
}

/// What a method took in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodTotal {
    /// How.
    pub method: TenderMethod,
    /// What it paid of the session's sales.
    pub amount: Money,
}

/// A session's report: its state, the cash it should hold and every figure behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionReport {
    /// The session.
    pub session: PosSessionRow,
    /// The till's name.
    pub device_name: String,
    /// What the drawer should hold (now, or at the close).
    pub expected_cash: Money,
    /// What was counted at the close.
    pub counted_cash: Option<Money>,
    /// counted − expected, at the close.
    pub difference: Option<Money>,
    /// What each method took, every method listed.
    pub totals: Vec<MethodTotal>,
    /// The sums behind it.
    pub figures: PosSessionTotals,
    /// Cash put in or taken out, oldest first.
    pub cash_movements: Vec<PosCashMovementRow>,
    /// Voids, manual discounts and approvals.
    pub accounting: PosSessionAccounting,
    /// The count per denomination at the close, largest first (empty when only a total was typed).
    pub denominations: Vec<DenominationLine>,
    /// The notes and coins the till offers for the session's currency (minor units).
    pub offered_denominations: Vec<i64>,
    /// The site's time zone (IANA), for printing the report's times.
    pub timezone: String,
    /// Returns paid back in cash from this session (issue 17 point 6): how many and how much
    /// (their cash is among the cash movements out, and so in `expected_cash`).
    pub refunds: (i64, Money),
}

impl App {
    /// Opens a session on a till the caller may work; a till with an open session is a conflict.
    pub async fn open_pos_session(&self, caller: &Caller, command: OpenSession) -> AppResult<PosSessionRow> {
        let device = self.till(caller, &command.device_id).await?;
        let currency = self.till_currency(&device).await?;
        if command.opening_float.currency != currency {
            return Err(AppError::invalid("opening_float.currency", format!("must be {currency}")));
        }
        let now = self.now_ms();
        let session = PosSessionRow {
            id: new_id("ses"),
            device_id: device.id.clone(),
            merchant_id: device.merchant_id.clone(),
            location_id: device.location_id.clone(),
            currency,
            status: SessionStatus::Open,
            opening_float_minor: command.opening_float.amount_minor,
            opened_by: Some(caller.id.clone()),
            opened_at_ms: now,
            expected_cash_minor: None,
            counted_cash_minor: None,
            closed_by: None,
            closed_at_ms: None,
        };
        let event = session_event(&session, SessionAction::Opened, Some(command.opening_float), None, now);
        self.store.open_pos_session(&session, &event).await.map_err(|error| match error {
            omnicanal_store::StoreError::Duplicate(omnicanal_store::UniqueKey::OpenSession) => {
                AppError::AlreadyExists {
                    field: "device_id",
                    message: "this till already has an open session; close it first".into(),
                }
            }
            other => other.into(),
        })?;
        self.committed();
        Ok(session)
    }

    /// Puts cash into or takes it out of an open session's drawer.
    pub async fn move_pos_cash(
        &self,
        caller: &Caller,
        session_id: &str,
        command: CashMovement,
    ) -> AppResult<PosCashMovementRow> {
        let (session, _) = self.till_session(caller, session_id).await?;
        if command.amount.currency != session.currency {
            return Err(AppError::invalid("amount.currency", format!("must be {}", session.currency)));
        }
        session.status.check_open()?;
        let now = self.now_ms();
        let movement = PosCashMovementRow {
            id: new_id("cmv"),
            session_id: session.id.clone(),
            direction: command.direction,
            amount_minor: command.amount.amount_minor,
            reason: command.reason.clone(),
            created_by: Some(caller.id.clone()),
            created_at_ms: now,
        };
        let action = match command.direction {
            CashDirection::In => SessionAction::CashIn,
            CashDirection::Out => SessionAction::CashOut,
        };
        let event = session_event(&session, action, Some(command.amount), Some(command.reason), now);
        self.store.add_pos_cash_movement(&movement, &event).await?;
        self.committed();
        Ok(movement)
    }

    /// Closes an open session with the counted cash (typed, or added up from the count per
    /// denomination, which must agree with it when both are given); the report says what it
    /// should have held.
    pub async fn close_pos_session(
        &self,
        caller: &Caller,
        session_id: &str,
        command: CloseSession,
    ) -> AppResult<SessionReport> {
        let (session, _) = self.till_session(caller, session_id).await?;
        if let Some(counted) = command.counted_cash
            && counted.currency != session.currency
        {
            return Err(AppError::invalid("counted_cash.currency", format!("must be {}", session.currency)));
        }
        let mut v = Validator::new();
        let counted = v.check(
            "denominations",
            counted_cash(session.currency, command.counted_cash, command.denominations.as_deref()),
        );
        let counted = counted.and_then(|counted| check_cash(&mut v, "counted_cash.amount", counted));
        v.finish()?;
        let counted_cash = counted.ok_or(AppError::internal("a checked count is missing"))?;
        session.status.check_open()?;
        let denominations_json = command.denominations.map(|lines| {
            let mut pairs: Vec<(i64, i64)> = lines.iter().map(|line| (line.value_minor, line.count)).collect();
            pairs.sort_by_key(|pair| std::cmp::Reverse(pair.0));
            serde_json::json!(pairs).to_string()
        });
        self.store
            .close_pos_session_counted(
                &session.id,
                counted_cash.amount_minor,
                denominations_json.as_deref(),
                &caller.id,
                self.now_ms(),
                &new_id("evt"),
            )
            .await?;
        self.committed();
        self.pos_session_report(caller, session_id).await
    }

    /// A session's report: sales by method, discounts, taxes, cash moved, expected vs counted.
    pub async fn pos_session_report(&self, caller: &Caller, session_id: &str) -> AppResult<SessionReport> {
        let (session, device) = self.till_session(caller, session_id).await?;
        let figures = self.store.pos_session_totals(&session.id).await?;
        let money = |amount| Money::new(amount, session.currency);
        let paid_by =
            |method| figures.by_method.iter().filter(|(m, _)| *m == method).map(|(_, amount)| *amount).sum::<i64>();
        let expected_cash = match session.expected_cash_minor {
            Some(expected) => money(expected),
            None => CashTotals {
                opening_float: money(session.opening_float_minor),
                cash_sales: money(paid_by(TenderMethod::Cash)),
                cash_in: money(figures.cash_in_minor),
                cash_out: money(figures.cash_out_minor),
                // Pay-at-pickup orders collected at this till (pos::pickups).
                pickup_cash: money(
                    figures.pickups_by_method.iter().filter(|(m, _)| *m == TenderMethod::Cash).map(|(_, a)| *a).sum(),
                ),
            }
            .expected()?,
        };
        let counted_cash = session.counted_cash_minor.map(money);
        let difference = counted_cash.map(|counted| counted.checked_sub(expected_cash)).transpose()?;
        let totals = TenderMethod::ALL
            .iter()
            .map(|method| MethodTotal { method: *method, amount: money(paid_by(*method)) })
            .collect();
        let cash_movements = self.store.list_pos_cash_movements(&session.id).await?;
        let accounting = self.store.pos_session_accounting(&session.id).await?;
        let denominations = accounting
            .denominations
            .iter()
            .map(|(value, count)| {
                Ok(DenominationLine { value: money(*value), count: *count, amount: money(*value).checked_mul(*count)? })
            })
            .collect::<Result<Vec<_>, omnicanal_domain::DomainError>>()?;
        let offered_denominations = denominations_of(session.currency).to_vec();
        let timezone = match self.store.get_location(&device.location_id).await? {
            Some(location) => self.store.get_site(&location.site_id).await?.map(|site| site.timezone),
            None => None,
        }
        .unwrap_or_else(|| "UTC".to_owned());
        let returns = self.store.list_session_returns(&session.id).await?;
        let refunds =
            (i64::try_from(returns.len()).unwrap_or(i64::MAX), money(returns.iter().map(|ret| ret.refund_minor).sum()));
        Ok(SessionReport {
            session,
            device_name: device.name,
            expected_cash,
            counted_cash,
            difference,
            totals,
            figures,
            cash_movements,
            accounting,
            denominations,
            offered_denominations,
            timezone,
            refunds,
        })
    }

    /// The currency a till sells in: its location's site's.
    pub(crate) async fn till_currency(&self, device: &PosDeviceRow) -> AppResult<Currency> {
        let location = self
            .store
            .get_location(&device.location_id)
            .await?
            .ok_or(AppError::internal("a till's location is missing"))?;
        let site =
            self.store.get_site(&location.site_id).await?.ok_or(AppError::internal("a location's site is missing"))?;
        Ok(site.currency)
    }
}

/// The `pos.session_changed` event of a session.
fn session_event(
    session: &PosSessionRow,
    action: SessionAction,
    amount: Option<Money>,
    reason: Option<String>,
    at_ms: i64,
) -> NewEvent {
    NewEvent {
        event_id: new_id("evt"),
        created_at_ms: at_ms,
        event: DomainEvent::PosSessionChanged(PosSessionChanged {
            session_id: session.id.clone(),
            merchant_id: session.merchant_id.clone(),
            location_id: session.location_id.clone(),
            device_id: session.device_id.clone(),
            action,
            amount,
            reason,
            expected_cash: None,
            counted_cash: None,
            difference: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clp(amount: i64) -> Money {
        Money::new(amount, Currency::Clp)
    }

    #[test]
    fn bad_cash_fields_are_all_reported() {
        assert!(OpenSession::parse("dev_1".into(), clp(50_000)).is_ok());
        let Err(AppError::Invalid(errors)) = OpenSession::parse(" ".into(), clp(-1)) else {
            panic!("expected a validation error")
        };
        assert_eq!(errors.len(), 2);
        let Err(AppError::Invalid(errors)) = CashMovement::parse("sideways", clp(0), "") else {
            panic!("expected a validation error")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["direction", "amount.amount", "reason"]);
    }
}
