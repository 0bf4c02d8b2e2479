//! Reminders before a booking (issue 19 point 4): which reminder is due when, how a failed
//! delivery is retried, and the reminder's text in the customer's language and the site's
//! time zone. Pure: the clock and the zone are passed in.
//!
//! A location names its reminders in minutes before the start (`BookingSettings`, e.g. 24 h
//! and 2 h). A reminder whose time had already passed when the booking was made is skipped —
//! a booking made 5 hours ahead gets no "tomorrow" reminder — except the last one: a booking
//! made inside it (1 hour ahead with a 2-hour reminder) gets that one at once. At any instant
//! only the latest reminder due is considered, so a worker that was down for a while sends
//! one reminder on its return, not every one it missed.

use chrono::{DateTime, Datelike, Timelike};
use chrono_tz::Tz;

/// Milliseconds in a minute.
const MINUTE_MS: i64 = 60_000;

/// The reminder (minutes before the start) to send now, if any: the latest one due at
/// `now_ms` that was not skipped, unless `claimed` already holds it. `offsets_minutes` in any
/// order; nothing once the booking has started.
pub fn due_reminder(
    offsets_minutes: &[i64],
    created_ms: i64,
    start_ms: i64,
    now_ms: i64,
    claimed: &[i64],
) -> Option<i64> {
    if now_ms >= start_ms {
        return None;
    }
    let last = offsets_minutes.iter().copied().min()?;
    let due_at = |offset: i64| start_ms.saturating_sub(offset.saturating_mul(MINUTE_MS));
    let wanted = offsets_minutes
        .iter()
        .copied()
        .filter(|offset| *offset == last || due_at(*offset) >= created_ms)
        .filter(|offset| due_at(*offset) <= now_ms)
        .min()?;
    (!claimed.contains(&wanted)).then_some(wanted)
}

/// The waits before each retry of a reminder's delivery (milliseconds): 30 s, 2 min, 10 min.
/// A reminder is about a time that comes: it is not tried after the booking starts either.
pub const REMINDER_RETRY_DELAYS_MS: [i64; 3] = [30_000, 120_000, 600_000];
/// Attempts in all: the first and one per delay.
pub const MAX_REMINDER_ATTEMPTS: u32 = 1 + REMINDER_RETRY_DELAYS_MS.len() as u32;

/// How an attempt to deliver a reminder went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryAttempt {
    /// Delivered.
    Delivered,
    /// Failed for a reason that may pass (no connection, a timeout, 429, a 5xx).
    Transient,
    /// Failed for good (a 4xx, a gone subscription, nothing to send to).
    Refused,
}

/// What follows an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStep {
    /// Done: never sent again.
    Sent,
    /// Try again at this instant.
    RetryAt(i64),
    /// Given up.
    Failed,
}

/// What follows attempt number `attempts` (1 for the first) that went `outcome` at `now_ms`,
/// for a reminder not worth sending after `give_up_at_ms` (the booking's start).
pub fn next_delivery_step(attempts: u32, outcome: DeliveryAttempt, now_ms: i64, give_up_at_ms: i64) -> DeliveryStep {
    match outcome {
        DeliveryAttempt::Delivered => DeliveryStep::Sent,
        DeliveryAttempt::Refused => DeliveryStep::Failed,
        DeliveryAttempt::Transient => {
            let index = usize::try_from(attempts.saturating_sub(1)).unwrap_or(usize::MAX);
            match REMINDER_RETRY_DELAYS_MS.get(index) {
                Some(delay) if attempts >= 1 && now_ms.saturating_add(*delay) < give_up_at_ms => {
                    DeliveryStep::RetryAt(now_ms.saturating_add(*delay))
                }
                _ => DeliveryStep::Failed,
            }
        }
    }
}

/// The language of a reminder's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderLanguage {
    /// Spanish, the default.
    Es,
    /// English.
    En,
}

/// What was booked, as the reminder names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReminderSubject {
    /// A table for a party.
    Table {
        /// How many people.
        party_size: i64,
    },
    /// An appointment: the service, with whom (or in which room).
    Appointment {
        /// The service's name.
        service: String,
        /// The staff member's (or room's) name.
        with: String,
    },
}

/// The facts a reminder tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderFacts {
    /// The location's name.
    pub location: String,
    /// The booking's start (Unix ms).
    pub start_ms: i64,
    /// What was booked.
    pub subject: ReminderSubject,
    /// The manage link (absolute URL), when the reminder may carry it.
    pub manage_url: Option<String>,
}

/// A reminder's texts in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderText {
    /// A short title (a push notification's).
    pub title: String,
    /// The message: "Recordatorio: tu reserva en … es hoy a las 20:30 (mesa para 4)." and the
    /// manage link when known.
    pub body: String,
}

const WEEKDAYS_ES: [&str; 7] = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"];
const WEEKDAYS_EN: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS_ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The reminder's texts in `language`, the start told in `zone`'s wall time and as "today",
/// "tomorrow" or the date as seen at `now_ms` in that zone.
pub fn reminder_text(facts: &ReminderFacts, language: ReminderLanguage, zone: Tz, now_ms: i64) -> ReminderText {
    let start = local(facts.start_ms, zone);
    let now = local(now_ms, zone);
    let days_ahead = start.date_naive().signed_duration_since(now.date_naive()).num_days();
    let time = format!("{:02}:{:02}", start.hour(), start.minute());
    let weekday = usize::try_from(start.weekday().num_days_from_monday()).unwrap_or_default();
    let month = usize::try_from(start.month0()).unwrap_or_default();
    let location = &facts.location;
    match language {
        ReminderLanguage::Es => {
            let day = match days_ahead {
                0 => "hoy".to_owned(),
                1 => "mañana".to_owned(),
                _ => format!(
                    "el {} {} de {}",
                    WEEKDAYS_ES.get(weekday).unwrap_or(&""),
                    start.day(),
                    MONTHS_ES.get(month).unwrap_or(&"")
                ),
            };
            let what = match &facts.subject {
                ReminderSubject::Table { party_size } => format!("mesa para {party_size}"),
                ReminderSubject::Appointment { service, with } => format!("{service} con {with}"),
            };
            let mut body = format!("Recordatorio: tu reserva en {location} es {day} a las {time} ({what}).");
            if let Some(url) = &facts.manage_url {
                body.push_str(&format!(" Para cambiarla o cancelarla: {url}"));
            }
            ReminderText { title: format!("Tu reserva en {location}"), body }
        }
        ReminderLanguage::En => {
            let day = match days_ahead {
                0 => "today".to_owned(),
                1 => "tomorrow".to_owned(),
                _ => format!(
                    "on {} {} {}",
                    WEEKDAYS_EN.get(weekday).unwrap_or(&""),
                    start.day(),
                    MONTHS_EN.get(month).unwrap_or(&"")
                ),
            };
            let what = match &facts.subject {
                ReminderSubject::Table { party_size } => format!("table for {party_size}"),
                ReminderSubject::Appointment { service, with } => format!("{service} with {with}"),
            };
            let mut body = format!("Reminder: your booking at {location} is {day} at {time} ({what}).");
            if let Some(url) = &facts.manage_url {
                body.push_str(&format!(" To change or cancel it: {url}"));
            }
            ReminderText { title: format!("Your booking at {location}"), body }
        }
    }
}

fn local(ms: i64, zone: Tz) -> DateTime<Tz> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default().with_timezone(&zone)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const HOUR: i64 = 3_600_000;
    /// Monday 7 December 2026, 20:30 in Santiago (UTC-3 in summer): 23:30 UTC.
    const EVENING_MS: i64 = 1_796_686_200_000;

    #[test]
    fn each_reminder_goes_out_at_its_time_and_the_latest_due_wins() {
        let offsets = [1_440, 120];
        let start = 100 * HOUR;
        let made = start - 48 * HOUR;
        assert_eq!(due_reminder(&offsets, made, start, start - 25 * HOUR, &[]), None);
        assert_eq!(due_reminder(&offsets, made, start, start - 24 * HOUR, &[]), Some(1_440));
        assert_eq!(due_reminder(&offsets, made, start, start - 3 * HOUR, &[1_440]), None);
        assert_eq!(due_reminder(&offsets, made, start, start - 2 * HOUR, &[1_440]), Some(120));
        assert_eq!(due_reminder(&offsets, made, start, start - HOUR, &[1_440, 120]), None);
        assert_eq!(due_reminder(&offsets, made, start, start, &[]), None, "nothing once it started");
        // Down from 25 h to 90 min before: only the 2-hour reminder goes out.
        assert_eq!(due_reminder(&offsets, made, start, start - 90 * 60_000, &[]), Some(120));
    }

    #[test]
    fn a_reminder_past_when_booked_is_skipped_but_the_last_is_sent_at_once() {
        let offsets = [1_440, 120];
        let start = 100 * HOUR;
        let made = start - 5 * HOUR;
        assert_eq!(due_reminder(&offsets, made, start, made, &[]), None, "no day-before reminder");
        assert_eq!(due_reminder(&offsets, made, start, start - 2 * HOUR, &[]), Some(120));
        let late = start - HOUR;
        assert_eq!(due_reminder(&offsets, late, start, late, &[]), Some(120), "inside the last: at once");
        assert_eq!(due_reminder(&[], late, start, late, &[]), None, "a location without reminders");
    }

    #[test]
    fn retries_back_off_and_stop_at_the_start() {
        let start = 10 * HOUR;
        assert_eq!(next_delivery_step(1, DeliveryAttempt::Delivered, 0, start), DeliveryStep::Sent);
        assert_eq!(next_delivery_step(1, DeliveryAttempt::Refused, 0, start), DeliveryStep::Failed);
        assert_eq!(next_delivery_step(1, DeliveryAttempt::Transient, 1_000, start), DeliveryStep::RetryAt(31_000));
        assert_eq!(next_delivery_step(2, DeliveryAttempt::Transient, 0, start), DeliveryStep::RetryAt(120_000));
        assert_eq!(
            next_delivery_step(MAX_REMINDER_ATTEMPTS, DeliveryAttempt::Transient, 0, start),
            DeliveryStep::Failed
        );
        assert_eq!(next_delivery_step(1, DeliveryAttempt::Transient, start - 1_000, start), DeliveryStep::Failed);
    }

    #[test]
    fn the_text_tells_the_local_time_in_the_customers_language() {
        let zone: Tz = "America/Santiago".parse().unwrap_or(Tz::UTC);
        let table = ReminderFacts {
            location: "La Picá de Don Tito".into(),
            start_ms: EVENING_MS,
            subject: ReminderSubject::Table { party_size: 4 },
            manage_url: Some("https://omni.test/reservas/bkg_1?token=t".into()),
        };
        let es = reminder_text(&table, ReminderLanguage::Es, zone, EVENING_MS - HOUR);
        assert_eq!(
            es.body,
            "Recordatorio: tu reserva en La Picá de Don Tito es hoy a las 20:30 (mesa para 4). \
             Para cambiarla o cancelarla: https://omni.test/reservas/bkg_1?token=t"
        );
        let en = reminder_text(&table, ReminderLanguage::En, zone, EVENING_MS - 24 * HOUR);
        assert!(
            en.body.starts_with("Reminder: your booking at La Picá de Don Tito is tomorrow at 20:30 (table for 4).")
        );
        let cut = ReminderFacts {
            subject: ReminderSubject::Appointment { service: "Corte de pelo".into(), with: "Ana".into() },
            manage_url: None,
            ..table
        };
        let later = reminder_text(&cut, ReminderLanguage::Es, zone, EVENING_MS - 72 * HOUR);
        assert_eq!(
            later.body,
            "Recordatorio: tu reserva en La Picá de Don Tito es el lunes 7 de diciembre a las 20:30 (Corte de pelo con Ana)."
        );
    }

    proptest! {
        #[test]
        fn a_reminder_is_never_due_before_its_time_nor_after_the_start(
            made_before_h in 0i64..100, now_before_min in -100i64..6_000,
        ) {
            let offsets = [1_440, 120];
            let start = 1_000 * HOUR;
            let made = start - made_before_h * HOUR;
            let now = (start - now_before_min * 60_000).max(made);
            if let Some(offset) = due_reminder(&offsets, made, start, now, &[]) {
                prop_assert!(now < start);
                prop_assert!(start - offset * 60_000 <= now);
                prop_assert!(offset == 120 || start - offset * 60_000 >= made);
            }
        }
    }
}
