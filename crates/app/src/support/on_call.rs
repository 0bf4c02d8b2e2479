//! The desk's on-call rota and its agents' push subscriptions (issue 18 point 3: "an
//! escalation … Web Push to the on-call agent on breach"), and the alert deliveries that reach
//! them, retried with backoff.
//!
//! - The rota: agents and admins read it; an admin sets any agent's shifts, an agent only
//!   their own (an agent "takes the watch now" for 1 to 24 hours from `/support`). A shift's
//!   agent must be an active support agent or admin. Overlaps are allowed: several on call.
//! - Subscriptions: a signed-in agent's browser registers its `PushSubscription` (the push
//!   adapter's rules decide which endpoints the server may call, as for orders).
//! - Who is alerted ([`App::support_alert_recipients`]): the subscriptions of the agents on
//!   call now; **when nobody is on call, every active agent's subscriptions** — an alert
//!   nobody receives is worse than one too many.
//! - Deliveries: one job per (event, target), its insert the claim across nodes; attempts are
//!   taken with a lease and their outcome scheduled by `omnicanal_domain::support::on_call`.

use std::collections::BTreeMap;

use omnicanal_domain::access::Role;
use omnicanal_domain::support::on_call::{
    AlertAttempt, AlertStep, Shift, ShiftWindowError, check_shift_window, next_alert_step, on_call_at, watch_window,
};
use omnicanal_store::{
    OnCallShiftRow, StoreError, SupportAlertJobRow, SupportAlertJobState, SupportPushSubscriptionRow,
};

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::notifications::NewPushSubscription;
use crate::support::alerts::SupportAlert;
use crate::support::tickets::AGENT_ROLES;

/// Shifts read at once (the rota ahead: a month of a desk's shifts fits).
pub const MAX_SHIFTS_LISTED: i64 = 500;
/// Subscriptions one agent may have (a few browsers and phones).
pub const MAX_SUBSCRIPTIONS_PER_AGENT: usize = 10;
/// Subscriptions alerted at most for one alert (every agent of a large desk).
pub const MAX_ALERTED_SUBSCRIPTIONS: i64 = 1_000;
/// How long an attempt holds its delivery before another node may take it (ms): longer than
/// any send takes (10 s per request, a few subscriptions).
pub const ALERT_LEASE_MS: i64 = 2 * 60 * 1000;

/// A new shift, as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewShift {
    /// The agent on call.
    pub user_id: String,
    /// Start (Unix ms).
    pub starts_at_ms: i64,
    /// End (Unix ms, excluded).
    pub ends_at_ms: i64,
}

/// The rota as read: the shifts not yet over, and who is on call now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnCallRota {
    /// Shifts ending after now, by start.
    pub shifts: Vec<OnCallShiftRow>,
    /// The agents on call now (user ids, sorted).
    pub on_call_now: Vec<String>,
}

/// The agents an alert goes to, with their subscriptions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AlertRecipients {
    /// True when somebody is on call (else every agent with a subscription is alerted).
    pub on_call: bool,
    /// Each agent alerted with their subscriptions (agents without one are not listed).
    pub agents: BTreeMap<String, Vec<SupportPushSubscriptionRow>>,
}

fn window_error(error: ShiftWindowError) -> AppError {
    AppError::invalid("ends_at", error.to_string())
}

impl App {
    /// The rota: shifts not yet over and who is on call now (agents and admins).
    pub async fn on_call_rota(&self, caller: &Caller) -> AppResult<OnCallRota> {
        caller.require(&AGENT_ROLES)?;
        let now = self.now_ms();
        let shifts = self.store.list_on_call_shifts(now, MAX_SHIFTS_LISTED).await?;
        let on_call_now = on_call_at(&as_shifts(&shifts), now);
        Ok(OnCallRota { shifts, on_call_now })
    }

    /// Adds a shift: an admin for any agent, an agent for themself.
    pub async fn add_on_call_shift(&self, caller: &Caller, shift: NewShift) -> AppResult<OnCallShiftRow> {
        caller.require(&AGENT_ROLES)?;
        if caller.role != Role::Admin && shift.user_id != caller.id {
            return Err(AppError::Forbidden);
        }
        check_shift_window(shift.starts_at_ms, shift.ends_at_ms).map_err(window_error)?;
        let user = self.store.get_managed_user(&shift.user_id).await?;
        let email = match user {
            Some(user) if AGENT_ROLES.contains(&user.user.role) && user.deactivated_at_ms.is_none() => user.user.email,
            _ => return Err(AppError::invalid("user_id", "must be an active support agent or admin")),
        };
        let row = OnCallShiftRow {
            id: new_id("onc"),
            user_id: shift.user_id,
            user_email: email,
            starts_at_ms: shift.starts_at_ms,
            ends_at_ms: shift.ends_at_ms,
            created_by: caller.id.clone(),
            created_at_ms: self.now_ms(),
        };
        self.store.insert_on_call_shift(&row).await?;
        Ok(row)
    }

    /// The caller takes the watch from now for `hours` (1 to 24).
    pub async fn take_on_call_watch(&self, caller: &Caller, hours: u32) -> AppResult<OnCallShiftRow> {
        caller.require(&AGENT_ROLES)?;
        let (starts_at_ms, ends_at_ms) =
            watch_window(self.now_ms(), hours).ok_or_else(|| AppError::invalid("hours", "must be from 1 to 24"))?;
        self.add_on_call_shift(caller, NewShift { user_id: caller.id.clone(), starts_at_ms, ends_at_ms }).await
    }

    /// Removes a shift: an admin any, an agent their own (another's is forbidden).
    pub async fn delete_on_call_shift(&self, caller: &Caller, id: &str) -> AppResult<()> {
        caller.require(&AGENT_ROLES)?;
        if caller.role != Role::Admin {
            let shifts = self.store.list_on_call_shifts(i64::MIN, MAX_SHIFTS_LISTED).await?;
            match shifts.iter().find(|shift| shift.id == id) {
                Some(shift) if shift.user_id == caller.id => {}
                Some(_) => return Err(AppError::Forbidden),
                None => return Err(AppError::NotFound("on-call shift")),
            }
        }
        self.store.delete_on_call_shift(id).await.map_err(|error| match error {
            StoreError::NotFound => AppError::NotFound("on-call shift"),
            other => other.into(),
        })
    }

    /// Registers the caller's browser for the desk's alerts; the same endpoint again refreshes
    /// its keys and language. Past [`MAX_SUBSCRIPTIONS_PER_AGENT`] a new endpoint is a conflict.
    pub async fn subscribe_support_push(
        &self,
        caller: &Caller,
        subscription: NewPushSubscription,
    ) -> AppResult<SupportPushSubscriptionRow> {
        caller.require(&AGENT_ROLES)?;
        let existing = self.store.list_support_push_subscriptions(&caller.id).await?;
        let known = existing.iter().any(|row| row.endpoint == subscription.endpoint);
        if !known && existing.len() >= MAX_SUBSCRIPTIONS_PER_AGENT {
            return Err(AppError::Conflict(format!(
                "an agent may have at most {MAX_SUBSCRIPTIONS_PER_AGENT} push subscriptions"
            )));
        }
        let row = SupportPushSubscriptionRow {
            id: new_id("spb"),
            user_id: caller.id.clone(),
            endpoint: subscription.endpoint,
            p256dh: subscription.p256dh,
            auth: subscription.auth,
            language: subscription.language.as_str().to_owned(),
            created_at_ms: self.now_ms(),
        };
        Ok(self.store.upsert_support_push_subscription(&row).await?)
    }

    /// The caller's subscriptions.
    pub async fn support_push_subscriptions(&self, caller: &Caller) -> AppResult<Vec<SupportPushSubscriptionRow>> {
        caller.require(&AGENT_ROLES)?;
        Ok(self.store.list_support_push_subscriptions(&caller.id).await?)
    }

    /// Removes one of the caller's subscriptions; an endpoint they do not have is `NotFound`.
    pub async fn unsubscribe_support_push(&self, caller: &Caller, endpoint: Option<String>) -> AppResult<()> {
        caller.require(&AGENT_ROLES)?;
        let endpoint = endpoint
            .filter(|endpoint| !endpoint.is_empty())
            .ok_or_else(|| AppError::invalid("endpoint", "is required"))?;
        // Stored endpoints are normalised by URL parsing; look up the same form.
        let endpoint = url::Url::parse(&endpoint).map(|url| url.to_string()).unwrap_or(endpoint);
        if self.store.delete_support_push_subscription(&caller.id, &endpoint).await? {
            Ok(())
        } else {
            Err(AppError::NotFound("push subscription"))
        }
    }

    /// Who an alert goes to now: the on-call agents' subscriptions, or, when nobody is on
    /// call, every active agent's.
    pub async fn support_alert_recipients(&self) -> AppResult<AlertRecipients> {
        let now = self.now_ms();
        let shifts = self.store.list_on_call_shifts(now, MAX_SHIFTS_LISTED).await?;
        let on_call_now = on_call_at(&as_shifts(&shifts), now);
        let subscriptions = self.store.list_desk_push_subscriptions(MAX_ALERTED_SUBSCRIPTIONS).await?;
        let mut agents: BTreeMap<String, Vec<SupportPushSubscriptionRow>> = BTreeMap::new();
        for subscription in subscriptions {
            if on_call_now.is_empty() || on_call_now.contains(&subscription.user_id) {
                agents.entry(subscription.user_id.clone()).or_default().push(subscription);
            }
        }
        Ok(AlertRecipients { on_call: !on_call_now.is_empty(), agents })
    }

    /// An agent's subscriptions as they are now (a delivery reads them at each attempt, so a
    /// browser unsubscribed meanwhile is not pushed to).
    pub async fn support_push_subscriptions_of(&self, user_id: &str) -> AppResult<Vec<SupportPushSubscriptionRow>> {
        Ok(self.store.list_support_push_subscriptions(user_id).await?)
    }

    /// Forgets an endpoint the push service says is gone; returns how many were removed.
    pub async fn forget_support_push_endpoint(&self, endpoint: &str) -> AppResult<u64> {
        Ok(self.store.forget_support_push_endpoint(endpoint).await?)
    }

    /// Enqueues the delivery of `alert` to `target` (`gateway` or `push:<user id>`), due now;
    /// false when it was enqueued before (by this node or another): the enqueue is the claim.
    pub async fn enqueue_support_alert(
        &self,
        alert: &SupportAlert,
        target: &str,
        payload: &serde_json::Value,
    ) -> AppResult<bool> {
        let now = self.now_ms();
        let job = SupportAlertJobRow {
            event_id: alert.event_id.clone(),
            target: target.to_owned(),
            payload_json: payload.to_string(),
            state: SupportAlertJobState::Pending,
            attempts: 0,
            next_at_ms: now,
            last_error: None,
            created_at_ms: now,
        };
        Ok(self.store.enqueue_support_alert_job(&job).await?)
    }

    /// Takes up to `limit` deliveries due now for one attempt each (held for [`ALERT_LEASE_MS`]).
    pub async fn take_due_support_alerts(&self, limit: i64) -> AppResult<Vec<SupportAlertJobRow>> {
        let now = self.now_ms();
        Ok(self.store.take_due_support_alert_jobs(now, now.saturating_add(ALERT_LEASE_MS), limit).await?)
    }

    /// Records how an attempt went: sent (final), retried later, or given up.
    pub async fn finish_support_alert(
        &self,
        job: &SupportAlertJobRow,
        outcome: AlertAttempt,
        error: Option<&str>,
    ) -> AppResult<AlertStep> {
        let now = self.now_ms();
        let step = next_alert_step(job.attempts, outcome, now);
        let (state, next_at_ms) = match step {
            AlertStep::Sent => (SupportAlertJobState::Sent, now),
            AlertStep::RetryAt(at) => (SupportAlertJobState::Pending, at),
            AlertStep::Failed => (SupportAlertJobState::Failed, now),
        };
        self.store.finish_support_alert_job(&job.event_id, &job.target, state, next_at_ms, error, now).await?;
        Ok(step)
    }

    /// The deliveries of one alert (agents and admins), for the operator and the tests.
    pub async fn support_alert_deliveries(
        &self,
        caller: &Caller,
        event_id: &str,
    ) -> AppResult<Vec<SupportAlertJobRow>> {
        caller.require(&AGENT_ROLES)?;
        Ok(self.store.support_alert_jobs_of(event_id).await?)
    }
}

fn as_shifts(rows: &[OnCallShiftRow]) -> Vec<Shift> {
    rows.iter()
        .map(|row| Shift { user_id: row.user_id.clone(), starts_at_ms: row.starts_at_ms, ends_at_ms: row.ends_at_ms })
        .collect()
}
