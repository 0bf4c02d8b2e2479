//! A manager's approval at the till: a manager sets their own PIN (argon2-hashed like a
//! password); at a till, an action above the till's limits (a line discount, a line void) is
//! approved by typing a manager's PIN, and the approval — who, what, how much, when, which till
//! and session — is recorded for the sale that uses it. Five wrong PINs in a row lock the till's
//! approvals for 15 minutes (the rule is `omnicanal_domain::pos::approval`).
//!
//! Offline, a till cannot ask for an approval: it offers line discounts and voids up to its
//! limits only, and the server refuses a sale whose discount or void above the limit carries
//! no approval of that till. We chose this over checking PINs on the till against a snapshot of
//! hashes: a hash snapshot in the browser could be guessed offline without any lock (4 to 8
//! digits fall to a brute force in minutes), which is exactly what the lock exists to stop.

use omnicanal_domain::Money;
use omnicanal_domain::access::Role;
use omnicanal_domain::pos::{ApprovalAction, ApprovalLimits, Pin, PinRefusal, SessionStatus};
use omnicanal_store::{PosApprovalRow, PosDeviceLimitsRow, PosDeviceRow, StoreError};

use crate::App;
use crate::access::passwords::{DUMMY_HASH, hash_password, verify_password};
use crate::audit::{AuditAction, AuditEntity, Change, Snapshot};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::validation::Validator;

/// Roles whose PIN approves at a till.
pub const APPROVER_ROLES: [Role; 2] = [Role::Admin, Role::MerchantManager];
/// Longest reason for an approval, in characters.
pub const MAX_APPROVAL_REASON_CHARS: usize = 200;

/// An approval asked for at a till.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestApproval {
    /// The PIN typed.
    pub pin: Pin,
    /// What it approves.
    pub action: ApprovalAction,
    /// Up to how much (the discount, or the voided line's value), when the till says.
    pub amount: Option<Money>,
    /// Why.
    pub reason: String,
}

impl RequestApproval {
    /// Parses a request, reporting every bad field.
    pub fn parse(pin: &str, action: &str, amount: Option<Money>, reason: &str) -> AppResult<Self> {
        let mut v = Validator::new();
        let pin = v.check("pin", Pin::parse(pin));
        let action = v.check("action", ApprovalAction::parse(action));
        if amount.is_some_and(|amount| !(0..=super::sessions::MAX_CASH_MINOR).contains(&amount.amount_minor)) {
            v.push("amount.amount", format!("must be 0 to {} minor units", super::sessions::MAX_CASH_MINOR));
        }
        let reason = reason.trim();
        if reason.is_empty()
            || reason.chars().count() > MAX_APPROVAL_REASON_CHARS
            || reason.chars().any(char::is_control)
        {
            v.push("reason", format!("must be 1 to {MAX_APPROVAL_REASON_CHARS} characters without control characters"));
        }
        v.done(|| Some(Self { pin: pin?, action: action?, amount, reason: reason.to_owned() }))
    }
}

/// A recorded approval, with the manager who gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// The approval.
    pub approval: PosApprovalRow,
    /// The manager's e-mail.
    pub manager_email: String,
}

/// A till's limits, as the till reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TillLimits {
    /// The limits (the defaults until a manager sets them).
    pub limits: ApprovalLimits,
    /// The till's currency (the void limit's).
    pub currency: omnicanal_domain::Currency,
}

impl App {
    /// Sets the caller's own PIN (managers and admins).
    pub async fn set_my_pin(&self, caller: &Caller, pin: &str) -> AppResult<()> {
        caller.require(&APPROVER_ROLES)?;
        let mut v = Validator::new();
        let pin = v.check("pin", Pin::parse(pin));
        v.finish()?;
        let pin = pin.ok_or(AppError::internal("a validated PIN is missing"))?;
        let hash = hash_password(pin.as_str())?;
        self.store.set_user_pin(&caller.id, &hash).await.map_err(|error| match error {
            StoreError::NotFound => AppError::NotFound("user"),
            other => other.into(),
        })?;
        // The entry says a PIN was set; `redact` turns the `pin` field into a placeholder.
        let change = Change::new(AuditEntity::User, &caller.id, AuditAction::Updated, caller.merchant_id.as_deref());
        self.record_change(caller, change.values(None, Some(serde_json::json!({ "pin": "set" })))).await;
        Ok(())
    }

    /// Approves an action at a till the caller works, by a manager's PIN (see the module docs).
    pub async fn request_pos_approval(
        &self,
        caller: &Caller,
        device_id: &str,
        command: RequestApproval,
    ) -> AppResult<Approval> {
        let device = self.till(caller, device_id).await?;
        let currency = self.till_currency(&device).await?;
        if let Some(amount) = command.amount
            && amount.currency != currency
        {
            return Err(AppError::invalid("amount.currency", format!("must be {currency}")));
        }
        let now = self.now_ms();
        if let Err(refusal) = self.store.pin_guard(&device.id).await?.check(now) {
            return Err(pin_refused(refusal));
        }
        let managers = self.store.manager_pins(&device.merchant_id).await?;
        let manager = managers.into_iter().find(|manager| verify_password(command.pin.as_str(), &manager.pin_hash));
        let Some(manager) = manager else {
            // Nobody has a PIN yet: hash once anyway, so timing says nothing about it.
            let _ = verify_password(command.pin.as_str(), DUMMY_HASH);
            return Err(pin_refused(self.store.record_pin_failure(&device.id, now).await?));
        };
        let session_id = self.open_session_of(&device).await?;
        let approval = PosApprovalRow {
            id: new_id("apr"),
            device_id: device.id.clone(),
            session_id,
            merchant_id: device.merchant_id.clone(),
            action: command.action,
            amount_minor: command.amount.map(|amount| amount.amount_minor),
            currency: command.amount.map(|amount| amount.currency),
            reason: command.reason,
            approved_by: manager.user_id,
            requested_by: Some(caller.id.clone()),
            created_at_ms: now,
            sale_id: None,
        };
        match self.store.insert_pos_approval(&approval).await {
            Ok(()) => {}
            Err(StoreError::StaleState) => {
                let guard = self.store.pin_guard(&device.id).await?;
                return Err(guard.check(now).err().map_or(AppError::Conflict("try again".into()), pin_refused));
            }
            Err(other) => return Err(other.into()),
        }
        self.committed();
        Ok(Approval { approval, manager_email: manager.email })
    }

    /// A till's approval limits (the defaults until a manager sets them).
    pub async fn pos_device_limits(&self, caller: &Caller, device_id: &str) -> AppResult<TillLimits> {
        let device = self.till(caller, device_id).await?;
        self.limits_of(&device).await
    }

    /// Sets a till's approval limits (managers of its merchant, admins).
    pub async fn set_pos_device_limits(
        &self,
        caller: &Caller,
        device_id: &str,
        line_discount_bps: i64,
        line_void: Money,
    ) -> AppResult<TillLimits> {
        caller.require(&APPROVER_ROLES)?;
        let device = self.till(caller, device_id).await?;
        let currency = self.till_currency(&device).await?;
        let mut v = Validator::new();
        if line_void.currency != currency {
            v.push("line_void_amount.currency", format!("must be {currency}"));
        }
        let limits = v.check("limits", ApprovalLimits::new(line_discount_bps, line_void.amount_minor));
        v.finish()?;
        let limits = limits.ok_or(AppError::internal("validated limits are missing"))?;
        let before = self.store.pos_device_limits(&device.id).await?;
        let row = PosDeviceLimitsRow {
            device_id: device.id.clone(),
            line_discount_bps: limits.line_discount_bps,
            line_void_minor: limits.line_void_minor,
            updated_by: Some(caller.id.clone()),
            updated_at_ms: self.now_ms(),
        };
        self.store.set_pos_device_limits(&row).await?;
        let change = Change::new(AuditEntity::PosDevice, &device.id, AuditAction::Updated, Some(&device.merchant_id));
        self.record_change(caller, change.values(before.map(|before| before.snapshot()), Some(row.snapshot()))).await;
        Ok(TillLimits { limits, currency })
    }

    /// A till's limits, read for a sale or the till.
    pub(crate) async fn limits_of(&self, device: &PosDeviceRow) -> AppResult<TillLimits> {
        let currency = self.till_currency(device).await?;
        let limits = match self.store.pos_device_limits(&device.id).await? {
            Some(row) => {
                ApprovalLimits { line_discount_bps: row.line_discount_bps, line_void_minor: row.line_void_minor }
            }
            None => ApprovalLimits::default(),
        };
        Ok(TillLimits { limits, currency })
    }

    /// Checks that `approval_id` is an approval of this till for `action` covering `amount_minor`
    /// (`field` names it in the refusal); unused or used by this very sale.
    pub(crate) async fn check_approval(
        &self,
        device: &PosDeviceRow,
        sale_id: &str,
        field: &str,
        approval_id: &str,
        action: ApprovalAction,
        amount_minor: i64,
    ) -> AppResult<()> {
        let approval = self.store.get_pos_approval(approval_id).await?;
        let problem = match approval {
            None => Some("no such approval".to_owned()),
            Some(approval) if approval.device_id != device.id => Some("was given on another till".to_owned()),
            Some(approval) if approval.action != action => {
                Some(format!("approves a {}, not a {action}", approval.action))
            }
            // An approval given without an amount covers nothing: the limits are about amounts.
            Some(approval) if approval.amount_minor.is_none_or(|approved| approved < amount_minor) => {
                Some(format!("approves up to {}, not {amount_minor}", approval.amount_minor.unwrap_or(0)))
            }
            Some(approval) if approval.sale_id.as_deref().is_some_and(|used| used != sale_id) => {
                Some("was already used by another sale".to_owned())
            }
            Some(_) => None,
        };
        match problem {
            Some(problem) => Err(AppError::invalid(field, problem)),
            None => Ok(()),
        }
    }

    /// The till's open session, if any.
    async fn open_session_of(&self, device: &PosDeviceRow) -> AppResult<Option<String>> {
        let sessions = self.store.list_pos_sessions(&device.id, omnicanal_store::Page { limit: 1, offset: 0 }).await?;
        Ok(sessions.into_iter().find(|session| session.status == SessionStatus::Open).map(|session| session.id))
    }
}

fn pin_refused(refusal: PinRefusal) -> AppError {
    match refusal {
        PinRefusal::Wrong { attempts_left } => AppError::PinWrong { attempts_left },
        PinRefusal::Locked { until_ms } => AppError::PinLocked { until_ms },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_of_an_approval_is_reported() {
        assert!(RequestApproval::parse("1234", "line_discount", None, "cliente frecuente").is_ok());
        let Err(AppError::Invalid(errors)) = RequestApproval::parse("12", "refund", None, " ") else {
            panic!("expected a validation error")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["pin", "action", "reason"]);
    }
}
