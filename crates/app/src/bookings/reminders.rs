//! Reminders before a booking (issue 19 point 4): the customer's channels for one booking and
//! the reminders that fall due, each claimed once across nodes and delivered as retried jobs.
//!
//! The customer proves the booking is theirs with its manage token (a wrong one is "no such
//! booking"), registers a browser's Web Push subscription (parsed with the push adapter's
//! rules, as an order's is) and picks the language of the texts. The reminders carry the manage
//! link with the token derived again from the booking's id ([`super::manage_token`]); no copy of
//! the token is stored — not in the preferences, not in a delivery's payload, which holds the
//! link without it until [`App::booking_reminder_payload`] adds it as the delivery goes out.
//!
//! The worker asks [`App::claim_due_booking_reminders`] on a timer: for each confirmed or seated
//! booking starting within a week, the domain says which reminder is due
//! (`bookings::reminders::due_reminder`); claiming it enqueues one delivery job per target — the
//! gateway (when configured and the booking has a phone), e-mail (when configured and it has an
//! address) and each subscribed browser — in the same transaction as the claim, with the text
//! rendered in the customer's language and the site's time zone. Deliveries are then taken one
//! attempt at a time and retried with backoff until the start ([`App::finish_booking_reminder`]).
//!
//! Limits: at most [`CANDIDATES_PER_PASS`] bookings are looked at per pass, soonest first; the
//! week ahead is the longest reminder a location may set (`MAX_REMINDER_MINUTES`).

use std::collections::HashMap;

use chrono_tz::Tz;
use omnicanal_domain::bookings::booking::BookingStatus;
use omnicanal_domain::bookings::reminders::{
    DeliveryAttempt, DeliveryStep, ReminderFacts, ReminderLanguage, ReminderSubject, due_reminder, next_delivery_step,
    reminder_text,
};
use omnicanal_domain::bookings::settings::{BookingSettings, MAX_REMINDER_MINUTES};
use omnicanal_store::{
    BookingPushSubscriptionRow, BookingReminderJobRow, BookingReminderPreferencesRow, BookingRow, ReminderJobState,
};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::notifications::{Language, NewPushSubscription};

/// Subscriptions one booking may have (a few phones and browsers of one party).
pub const MAX_SUBSCRIPTIONS_PER_BOOKING: usize = 10;
/// Bookings looked at per pass of the worker.
pub const CANDIDATES_PER_PASS: i64 = 500;
/// How long one attempt holds its delivery before another node may take it again.
pub const DELIVERY_LEASE_MS: i64 = 60_000;
/// How long after a reminder was claimed a browser subscribing still gets it.
pub const CATCH_UP_WINDOW_MS: i64 = 10 * 60_000;
/// The delivery target of the notification gateway (SMS, WhatsApp).
pub const GATEWAY_TARGET: &str = "gateway";
/// The delivery target of the customer's e-mail.
pub const EMAIL_TARGET: &str = "email";
/// The prefix of a browser's delivery target: `push:<subscription id>`.
pub const PUSH_TARGET_PREFIX: &str = "push:";

/// The channels this node can deliver over, and where the manage page lives.
#[derive(Debug, Clone, Default)]
pub struct ReminderChannels {
    /// A notification gateway is configured.
    pub gateway: bool,
    /// An SMTP server is configured.
    pub email: bool,
    /// Web Push can be sent.
    pub web_push: bool,
    /// The server's public base URL (`https://…`, no trailing slash), for the manage link.
    pub public_url: String,
}

fn language_of(raw: &str) -> ReminderLanguage {
    match Language::parse(raw) {
        Some(Language::En) => ReminderLanguage::En,
        Some(Language::Es) | None => ReminderLanguage::Es,
    }
}

/// What a browser's service worker receives for a reminder (`event.data.json()`), in the
/// language it subscribed with; a click opens the page it named, else the manage page.
fn push_message(
    booking: &BookingRow,
    offset_minutes: i64,
    subscription: &BookingPushSubscriptionRow,
    facts: &ReminderFacts,
    zone: Tz,
    manage_path: &str,
    now_ms: i64,
) -> serde_json::Value {
    let language = language_of(&subscription.language);
    let text = reminder_text(facts, language, zone, now_ms);
    serde_json::json!({
        "kind": "booking_reminder",
        "booking_id": booking.id,
        "lang": if language == ReminderLanguage::En { "en" } else { "es" },
        "title": text.title,
        "body": text.body,
        // One tag per reminder: a retry after a lost answer replaces it on screen.
        "tag": format!("{}:reminder:{offset_minutes}", booking.id),
        "url": subscription.open_path.clone().unwrap_or_else(|| manage_path.to_owned()),
    })
}

/// `text` with each `/reservas/{booking_id}` that has no query nor more path after it given
/// `?token={token}`.
fn with_manage_token(text: &str, booking_id: &str, token: &str) -> String {
    let bare = format!("/reservas/{booking_id}");
    let mut out = String::with_capacity(text.len().saturating_add(64));
    let mut rest = text;
    while let Some(at) = rest.find(&bare) {
        let end = at.saturating_add(bare.len());
        out.push_str(&rest[..end]);
        let next = rest[end..].chars().next();
        if !next.is_some_and(|c| c == '?' || c == '/' || c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            out.push_str("?token=");
            out.push_str(token);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

impl App {
    /// The booking, when `token` is its manage token; `NotFound("booking")` otherwise.
    async fn booking_of_reminded_customer(&self, booking_id: &str, token: Option<&str>) -> AppResult<BookingRow> {
        let token = token.ok_or(AppError::NotFound("booking"))?;
        self.booking_by_token(booking_id, token).await
    }

    /// Keeps the customer's preferences (unless they chose one, `language`) for the reminders;
    /// never the token (see the module documentation).
    async fn keep_reminder_preferences(&self, booking_id: &str, language: Option<Language>) -> AppResult<()> {
        let current = self.store.get_booking_reminder_preferences(booking_id).await?;
        let language = match (&current, language) {
            (Some(current), _) => current.language.clone(),
            (None, Some(language)) => language.as_str().to_owned(),
            (None, None) => Language::Es.as_str().to_owned(),
        };
        let row = BookingReminderPreferencesRow {
            booking_id: booking_id.to_owned(),
            language,
            manage_token: None,
            updated_at_ms: self.now_ms(),
        };
        Ok(self.store.put_booking_reminder_preferences(&row).await?)
    }

    /// Registers a browser's subscription on a booking for its customer (`token`, the manage
    /// token); the same endpoint again refreshes its keys and language. Past
    /// [`MAX_SUBSCRIPTIONS_PER_BOOKING`] a new endpoint is a conflict.
    pub async fn subscribe_booking_push(
        &self,
        booking_id: &str,
        token: Option<&str>,
        subscription: NewPushSubscription,
    ) -> AppResult<BookingPushSubscriptionRow> {
        let booking = self.booking_of_reminded_customer(booking_id, token).await?;
        let existing = self.store.list_booking_push_subscriptions(&booking.id).await?;
        let known = existing.iter().any(|row| row.endpoint == subscription.endpoint);
        if !known && existing.len() >= MAX_SUBSCRIPTIONS_PER_BOOKING {
            return Err(AppError::Conflict(format!(
                "a booking may have at most {MAX_SUBSCRIPTIONS_PER_BOOKING} push subscriptions"
            )));
        }
        let row = BookingPushSubscriptionRow {
            id: new_id("bps"),
            booking_id: booking.id.clone(),
            endpoint: subscription.endpoint,
            p256dh: subscription.p256dh,
            auth: subscription.auth,
            language: subscription.language.as_str().to_owned(),
            open_path: subscription.open_path,
            created_at_ms: self.now_ms(),
        };
        let stored = self.store.upsert_booking_push_subscription(&row).await?;
        self.keep_reminder_preferences(&booking.id, Some(subscription.language)).await?;
        self.catch_up_reminder(&booking, &stored).await?;
        Ok(stored)
    }

    /// A browser that subscribes just after a reminder was claimed still gets it: a booking
    /// made inside its last reminder has it claimed at once, usually before the confirmation
    /// page's "Recordarme" is pressed. Only within [`CATCH_UP_WINDOW_MS`] of the claim, and
    /// before the start.
    async fn catch_up_reminder(
        &self,
        booking: &BookingRow,
        subscription: &BookingPushSubscriptionRow,
    ) -> AppResult<()> {
        let now_ms = self.now_ms();
        let Some((offset_minutes, claimed_at_ms)) = self.store.latest_booking_reminder_claim(&booking.id).await? else {
            return Ok(());
        };
        let holds = matches!(booking.status, BookingStatus::Confirmed | BookingStatus::Seated);
        if !holds || now_ms >= booking.start_ms || now_ms.saturating_sub(claimed_at_ms) > CATCH_UP_WINDOW_MS {
            return Ok(());
        }
        let (location, zone) = self.reminder_place(&booking.location_id).await?;
        let facts = ReminderFacts {
            location,
            start_ms: booking.start_ms,
            subject: self.reminder_subject(booking).await?,
            manage_url: None,
        };
        // Without the token: `booking_reminder_payload` adds it when the push goes out.
        let manage_path = format!("/reservas/{}", booking.id);
        let push = push_message(booking, offset_minutes, subscription, &facts, zone, &manage_path, now_ms);
        let job = BookingReminderJobRow {
            booking_id: booking.id.clone(),
            offset_minutes,
            target: format!("{PUSH_TARGET_PREFIX}{}", subscription.id),
            payload_json: push.to_string(),
            state: ReminderJobState::Pending,
            attempts: 0,
            next_at_ms: now_ms,
            give_up_at_ms: booking.start_ms,
            last_error: None,
            created_at_ms: now_ms,
        };
        self.store.enqueue_booking_reminder_job(&job).await?;
        Ok(())
    }

    /// Sets the language of a booking's reminders for its customer (`token`).
    pub async fn set_booking_reminder_language(
        &self,
        booking_id: &str,
        token: Option<&str>,
        language: Language,
    ) -> AppResult<BookingReminderPreferencesRow> {
        let booking = self.booking_of_reminded_customer(booking_id, token).await?;
        let row = BookingReminderPreferencesRow {
            booking_id: booking.id,
            language: language.as_str().to_owned(),
            manage_token: None,
            updated_at_ms: self.now_ms(),
        };
        self.store.put_booking_reminder_preferences(&row).await?;
        Ok(row)
    }

    /// Claims every reminder due now (by the app's clock) over `channels`, enqueuing its
    /// deliveries; returns how many reminders this node claimed.
    pub async fn claim_due_booking_reminders(&self, channels: &ReminderChannels) -> AppResult<usize> {
        let now = self.now_ms();
        let horizon = now.saturating_add(MAX_REMINDER_MINUTES.saturating_mul(60_000));
        let candidates = self.store.booking_reminder_candidates(now, horizon, CANDIDATES_PER_PASS).await?;
        let mut settings: HashMap<String, BookingSettings> = HashMap::new();
        let mut claimed = 0;
        for candidate in candidates {
            if !settings.contains_key(&candidate.location_id) {
                let read = self.booking_settings(&candidate.location_id).await?;
                settings.insert(candidate.location_id.clone(), read);
            }
            let offsets = settings.get(&candidate.location_id).map(|s| s.reminder_offsets_minutes.as_slice());
            let Some(offset) = due_reminder(
                offsets.unwrap_or_default(),
                candidate.created_ms,
                candidate.start_ms,
                now,
                &candidate.claimed_offsets_minutes,
            ) else {
                continue;
            };
            let Some(booking) = self.store.get_booking(&candidate.booking_id).await? else { continue };
            if !matches!(booking.status, BookingStatus::Confirmed | BookingStatus::Seated) {
                continue;
            }
            let jobs = self.reminder_jobs(&booking, offset, channels, now).await?;
            if self.store.claim_booking_reminder(&booking.id, offset, now, &jobs).await? {
                claimed += 1;
            }
        }
        Ok(claimed)
    }

    /// The deliveries of one reminder: its texts rendered once, per target.
    async fn reminder_jobs(
        &self,
        booking: &BookingRow,
        offset_minutes: i64,
        channels: &ReminderChannels,
        now_ms: i64,
    ) -> AppResult<Vec<BookingReminderJobRow>> {
        let preferences = self.store.get_booking_reminder_preferences(&booking.id).await?;
        let subscriptions = self.store.list_booking_push_subscriptions(&booking.id).await?;
        let language = preferences
            .as_ref()
            .map(|preferences| preferences.language.as_str())
            .or_else(|| subscriptions.first().map(|first| first.language.as_str()))
            .map(language_of)
            .unwrap_or(ReminderLanguage::Es);
        // Without the token: `booking_reminder_payload` adds it when the delivery goes out.
        let manage_path = format!("/reservas/{}", booking.id);
        let (location, zone) = self.reminder_place(&booking.location_id).await?;
        let facts = ReminderFacts {
            location,
            start_ms: booking.start_ms,
            subject: self.reminder_subject(booking).await?,
            manage_url: Some(format!("{}{manage_path}", channels.public_url.trim_end_matches('/'))),
        };
        let job = |target: String, payload: serde_json::Value| BookingReminderJobRow {
            booking_id: booking.id.clone(),
            offset_minutes,
            target,
            payload_json: payload.to_string(),
            state: ReminderJobState::Pending,
            attempts: 0,
            next_at_ms: now_ms,
            give_up_at_ms: booking.start_ms,
            last_error: None,
            created_at_ms: now_ms,
        };
        let text = reminder_text(&facts, language, zone, now_ms);
        let language_code = if language == ReminderLanguage::En { "en" } else { "es" };
        let message = serde_json::json!({
            "kind": "booking_reminder",
            "booking_id": booking.id,
            "offset_minutes": offset_minutes,
            "start_at": crate::ids::rfc3339(booking.start_ms),
            "language": language_code,
            "title": text.title,
            "body": text.body,
            "phone": booking.customer_phone,
            "email": booking.customer_email,
        });
        let mut jobs = Vec::new();
        if channels.gateway && booking.customer_phone.is_some() {
            jobs.push(job(GATEWAY_TARGET.to_owned(), message.clone()));
        }
        if channels.email && booking.customer_email.is_some() {
            jobs.push(job(EMAIL_TARGET.to_owned(), message));
        }
        if channels.web_push {
            // A browser reads the texts in the language it subscribed with, the click opening
            // the page it named (the manage page by default), without the link in the text.
            let bare = ReminderFacts { manage_url: None, ..facts };
            for subscription in &subscriptions {
                let push = push_message(booking, offset_minutes, subscription, &bare, zone, &manage_path, now_ms);
                jobs.push(job(format!("{PUSH_TARGET_PREFIX}{}", subscription.id), push));
            }
        }
        Ok(jobs)
    }

    /// The location's name and its site's time zone (UTC when the site's is unknown).
    pub(crate) async fn reminder_place(&self, location_id: &str) -> AppResult<(String, Tz)> {
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        let site = self.store.get_site(&location.site_id).await?;
        let zone = site.and_then(|site| site.timezone.parse::<Tz>().ok()).unwrap_or(Tz::UTC);
        Ok((location.name, zone))
    }

    /// A table for the party, or the service with the staff member's (or room's) name.
    async fn reminder_subject(&self, booking: &BookingRow) -> AppResult<ReminderSubject> {
        let Some(service_id) = &booking.service_id else {
            return Ok(ReminderSubject::Table { party_size: booking.party_size.unwrap_or(1) });
        };
        let service = self.store.get_booking_service(service_id).await?.map(|service| service.name);
        let with = self.store.get_booking_resource(&booking.resource_id).await?.map(|resource| resource.name);
        Ok(ReminderSubject::Appointment { service: service.unwrap_or_default(), with: with.unwrap_or_default() })
    }

    /// Takes up to `limit` reminder deliveries due now for one attempt each.
    pub async fn take_due_booking_reminders(&self, limit: i64) -> AppResult<Vec<BookingReminderJobRow>> {
        let now = self.now_ms();
        Ok(self.store.take_due_booking_reminder_jobs(now, now.saturating_add(DELIVERY_LEASE_MS), limit).await?)
    }

    /// Records how an attempt went: sent (final), retried later, or given up.
    pub async fn finish_booking_reminder(
        &self,
        job: &BookingReminderJobRow,
        outcome: DeliveryAttempt,
        error: Option<&str>,
    ) -> AppResult<DeliveryStep> {
        let now = self.now_ms();
        let step = next_delivery_step(job.attempts, outcome, now, job.give_up_at_ms);
        let (state, next_at_ms) = match step {
            DeliveryStep::Sent => (ReminderJobState::Sent, now),
            DeliveryStep::RetryAt(at) => (ReminderJobState::Pending, at),
            DeliveryStep::Failed => (ReminderJobState::Failed, now),
        };
        self.store.finish_booking_reminder_job(job, state, next_at_ms, error, now).await?;
        Ok(step)
    }

    /// A delivery's payload as it goes out: every manage link in it (`/reservas/{id}` with no
    /// query) given the token derived again now, when it can be (see the module documentation).
    pub async fn booking_reminder_payload(&self, job: &BookingReminderJobRow) -> AppResult<String> {
        let Some(booking) = self.store.get_booking(&job.booking_id).await? else {
            return Ok(job.payload_json.clone());
        };
        let Some(token) = self.rederived_manage_token(&booking) else {
            return Ok(job.payload_json.clone());
        };
        Ok(with_manage_token(&job.payload_json, &booking.id, &token))
    }

    /// Whether a booking still wants its reminder: a delivery taken after the booking was
    /// cancelled (or otherwise ended) is dropped rather than sent.
    pub async fn booking_still_reminded(&self, booking_id: &str) -> AppResult<bool> {
        let booking = self.store.get_booking(booking_id).await?;
        Ok(booking.is_some_and(|booking| matches!(booking.status, BookingStatus::Confirmed | BookingStatus::Seated)))
    }

    /// A booking's push subscription as it is now (a delivery reads it at each attempt, so a
    /// browser gone meanwhile is not pushed to).
    pub async fn booking_push_subscription(&self, id: &str) -> AppResult<Option<BookingPushSubscriptionRow>> {
        Ok(self.store.get_booking_push_subscription(id).await?)
    }

    /// Forgets an endpoint the push service says is gone; returns how many were removed.
    pub async fn forget_booking_push_endpoint(&self, endpoint: &str) -> AppResult<u64> {
        Ok(self.store.forget_booking_push_endpoint(endpoint).await?)
    }

    /// The deliveries of a booking's reminders, for its customer (`token`): what went out and how.
    pub async fn booking_reminder_deliveries(
        &self,
        booking_id: &str,
        token: Option<&str>,
    ) -> AppResult<Vec<BookingReminderJobRow>> {
        let booking = self.booking_of_reminded_customer(booking_id, token).await?;
        Ok(self.store.booking_reminder_jobs_of(&booking.id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bare_manage_links_of_the_booking_get_the_token() {
        let text = r#"{"body":"Cambia: https://x.test/reservas/bkg_1","url":"/reservas/bkg_1","o":"/reservas/bkg_12 /reservas/bkg_1?token=a"}"#;
        assert_eq!(
            with_manage_token(text, "bkg_1", "T"),
            r#"{"body":"Cambia: https://x.test/reservas/bkg_1?token=T","url":"/reservas/bkg_1?token=T","o":"/reservas/bkg_12 /reservas/bkg_1?token=a"}"#
        );
    }
}
