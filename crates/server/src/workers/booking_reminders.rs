//! The booking reminder sender (issue 19 point 4): on a timer (and at once when a test moves
//! the manual clock) it asks the app to claim the reminders due now — each (booking, reminder)
//! claimed once across nodes, its deliveries enqueued with it — and makes the deliveries due,
//! one attempt each, recording how each went so the app retries or gives up.
//!
//! - To the notification gateway (`OMNICANAL_NOTIFY_WEBHOOK_URL`, signed per Standard Webhooks,
//!   one `webhook-id` per reminder whatever the attempt) when configured: the customer's phone
//!   and e-mail with the text in their language.
//! - By Web Push to each browser subscribed on the booking, encrypted for it (RFC 8291) and
//!   VAPID-signed by the same provider as every other push; a 404/410 forgets the subscription.
//! - By e-mail (`OMNICANAL_SMTP_URL`, [`crate::notify::smtp`]) when configured: the app builds
//!   the message at each attempt (texts, manage link, `.ics`); a node without SMTP leaves the
//!   delivery for one that has it, as it does the gateway's.
//!
//! Every payload goes out through [`App::booking_reminder_payload`], which gives its manage link
//! the token derived again now: the stored delivery never holds it.
//!
//! The interval is `OMNICANAL_BOOKING_REMINDER_INTERVAL_MS` (default 30 s): a browser test sets
//! it low to see a reminder quickly. The app decides what is due and when to retry; this only
//! keeps time, posts and pushes.

use std::sync::Arc;
use std::time::Duration;

use omnicanal_app::App;
use omnicanal_app::bookings::reminder_email::{EmailError, EmailSender};
use omnicanal_app::bookings::reminders::{EMAIL_TARGET, GATEWAY_TARGET, PUSH_TARGET_PREFIX, ReminderChannels};
use omnicanal_app::clock::next_move;
use omnicanal_domain::bookings::reminders::DeliveryAttempt;
use omnicanal_store::BookingReminderJobRow;
use tokio::sync::watch;

use crate::notify::SendError;
use crate::notify::gateway::GatewayPoster;
use crate::notify::web_push::{PushTarget, WebPushProvider};

/// How often due reminders are looked for when nothing says otherwise.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);
/// Deliveries attempted per pass.
pub const DELIVERIES_PER_PASS: i64 = 50;

/// What the sender posts and pushes with.
#[derive(Clone, Default)]
pub struct ReminderSenders {
    /// The notification gateway, when configured.
    pub gateway: Option<Arc<GatewayPoster>>,
    /// Web Push, signed with the server's VAPID key.
    pub web_push: Option<Arc<WebPushProvider>>,
    /// The server's public base URL, for the manage link.
    pub public_url: String,
    /// E-mail over SMTP, when configured.
    pub email: Option<Arc<dyn EmailSender>>,
}

impl ReminderSenders {
    fn channels(&self) -> ReminderChannels {
        ReminderChannels {
            gateway: self.gateway.is_some(),
            email: self.email.is_some(),
            web_push: self.web_push.is_some(),
            public_url: self.public_url.clone(),
        }
    }
}

/// Runs until `shutdown` turns true, looking for due reminders every `interval`.
pub async fn run(app: App, senders: ReminderSenders, interval: Duration, mut shutdown: watch::Receiver<bool>) {
    if senders.gateway.is_none() && senders.web_push.is_none() && senders.email.is_none() {
        return;
    }
    let channels = senders.channels();
    let mut clock_moved = app.clock().moved();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = next_move(&mut clock_moved) => {}
            _ = shutdown.changed() => return,
        }
        match app.claim_due_booking_reminders(&channels).await {
            Ok(0) => {}
            Ok(claimed) => tracing::info!(claimed, "booking reminders claimed"),
            Err(error) => tracing::warn!(%error, "could not look for due booking reminders; will retry"),
        }
        deliver_due(&app, &senders).await;
    }
}

/// Makes the deliveries due now, each taken for one attempt, and records how each went.
async fn deliver_due(app: &App, senders: &ReminderSenders) {
    let jobs = match app.take_due_booking_reminders(DELIVERIES_PER_PASS).await {
        Ok(jobs) => jobs,
        Err(error) => {
            tracing::warn!(%error, "booking reminder deliveries could not be read; will retry");
            return;
        }
    };
    for job in jobs {
        let (outcome, error) = deliver(app, senders, &job).await;
        if let Err(failure) = app.finish_booking_reminder(&job, outcome, error.as_deref()).await {
            tracing::warn!(booking_id = %job.booking_id, %failure, "a booking reminder's outcome was not kept");
        }
        if let Some(error) = error {
            tracing::warn!(booking_id = %job.booking_id, target = %job.target, attempt = job.attempts, %error,
                "a booking reminder was not delivered");
        }
    }
}

/// One attempt of one delivery.
async fn deliver(
    app: &App,
    senders: &ReminderSenders,
    job: &BookingReminderJobRow,
) -> (DeliveryAttempt, Option<String>) {
    match app.booking_still_reminded(&job.booking_id).await {
        Ok(true) => {}
        Ok(false) => return (DeliveryAttempt::Refused, Some("the booking no longer holds its time".into())),
        Err(error) => return (DeliveryAttempt::Transient, Some(format!("the booking could not be read: {error}"))),
    }
    let payload = match app.booking_reminder_payload(job).await {
        Ok(payload) => payload,
        Err(error) => return (DeliveryAttempt::Transient, Some(format!("the booking could not be read: {error}"))),
    };
    let data: serde_json::Value = serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null);
    let result = if job.target == GATEWAY_TARGET {
        match &senders.gateway {
            // One webhook-id per reminder, whatever the attempt: the gateway's idempotency key.
            Some(gateway) => {
                gateway.post_as(&format!("msg_reminder_{}_{}", job.booking_id, job.offset_minutes), data).await
            }
            // Another node may have the gateway: worth a retry there, not a final refusal here.
            None => Err(SendError::Transient("no gateway is configured on this node".into())),
        }
    } else if job.target == EMAIL_TARGET {
        match &senders.email {
            Some(email) => send_email(app, email.as_ref(), &senders.public_url, job).await,
            // Another node may have SMTP: worth a retry there, not a final refusal here.
            None => Err(SendError::Transient("no SMTP server is configured on this node".into())),
        }
    } else if let Some(subscription_id) = job.target.strip_prefix(PUSH_TARGET_PREFIX) {
        match &senders.web_push {
            Some(web_push) => push(app, web_push, subscription_id, &data).await,
            None => Err(SendError::Refused("Web Push is not available".into())),
        }
    } else {
        Err(SendError::Refused(format!("unknown target {}", job.target)))
    };
    match result {
        Ok(()) => (DeliveryAttempt::Delivered, None),
        Err(error @ SendError::Transient(_)) => (DeliveryAttempt::Transient, Some(error.to_string())),
        Err(error) => (DeliveryAttempt::Refused, Some(error.to_string())),
    }
}

/// Pushes the reminder to one browser, read as it is now; a gone subscription is forgotten.
async fn push(
    app: &App,
    web_push: &WebPushProvider,
    subscription_id: &str,
    data: &serde_json::Value,
) -> Result<(), SendError> {
    let subscription = app
        .booking_push_subscription(subscription_id)
        .await
        .map_err(|error| SendError::Transient(format!("the subscription could not be read: {error}")))?
        .ok_or_else(|| SendError::Refused("the subscription was removed".into()))?;
    let target =
        PushTarget { endpoint: &subscription.endpoint, p256dh: &subscription.p256dh, auth: &subscription.auth };
    let result = web_push.send_payload(&target, data.to_string()).await;
    if let Err(SendError::Gone(status)) = &result {
        let removed = app.forget_booking_push_endpoint(&subscription.endpoint).await.unwrap_or(0);
        tracing::info!(status, removed, "a booking's push subscription is gone; removed");
    }
    result
}

/// E-mails the reminder, its message built by the app now.
async fn send_email(
    app: &App,
    email: &dyn EmailSender,
    public_url: &str,
    job: &BookingReminderJobRow,
) -> Result<(), SendError> {
    let message = app
        .booking_reminder_email(job, public_url)
        .await
        .map_err(|error| SendError::Transient(format!("the e-mail could not be written: {error}")))?
        .ok_or_else(|| SendError::Refused("the booking has no e-mail address".into()))?;
    email.send(&message).await.map_err(|error| match error {
        EmailError::Transient(why) => SendError::Transient(why),
        EmailError::Refused(why) => SendError::Refused(why),
    })
}
