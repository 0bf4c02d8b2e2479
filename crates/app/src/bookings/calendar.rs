//! A booking as a calendar file (`.ics`, RFC 5545) for the customer's phone or mail client:
//! one event in UTC (`DTSTART:…Z`), with the site's time zone named (`X-WR-TIMEZONE`) so a
//! client that shows it can, the location and site by name, and the manage link (cancel,
//! reschedule) in the event's URL and description — Spanish first, then English.
//!
//! Built with the `icalendar` crate, which escapes text and folds long lines as the RFC asks.
//! Locations have no street address yet (issue 19 gives them coordinates later): the event's
//! `LOCATION` is the location's and the site's names.

use chrono::{TimeZone, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use omnicanal_domain::bookings::booking::BookingStatus;
use omnicanal_store::BookingRow;

use crate::App;
use crate::error::{AppError, AppResult};

/// The paths the customer's links take, relative to the public base URL.
pub fn manage_path(booking_id: &str, token: &str) -> String {
    format!("/reservas/{booking_id}?token={token}")
}

/// The calendar file's path (API), relative to the public base URL.
pub fn calendar_path(booking_id: &str, token: &str) -> String {
    format!("/api/v1/bookings/{booking_id}/calendar.ics?token={token}")
}

fn utc(at_ms: i64) -> AppResult<chrono::DateTime<Utc>> {
    Utc.timestamp_millis_opt(at_ms).single().ok_or_else(|| AppError::internal("a booking time out of range"))
}

impl App {
    /// The booking's calendar file, for the holder of its manage token. `public_base_url`
    /// (no trailing slash) makes the manage link absolute.
    pub async fn booking_calendar(&self, id: &str, token: &str, public_base_url: &str) -> AppResult<String> {
        let booking = self.booking_by_token(id, token).await?;
        let location = self.store.get_location(&booking.location_id).await?.ok_or(AppError::NotFound("location"))?;
        let site = self.store.get_site(&location.site_id).await?.ok_or(AppError::NotFound("location"))?;
        let what = self.booked_what(&booking).await?;
        let manage_url = format!("{public_base_url}{}", manage_path(&booking.id, token));
        let place = format!("{}, {}", location.name, site.name);
        let description = format!(
            "{what} en {place}.\nCancelar o cambiar la reserva: {manage_url}\n\n\
             {what} at {place}.\nCancel or reschedule: {manage_url}"
        );
        let status = match booking.status {
            BookingStatus::Held => EventStatus::Tentative,
            BookingStatus::Confirmed | BookingStatus::Seated | BookingStatus::Completed => EventStatus::Confirmed,
            BookingStatus::NoShow | BookingStatus::Cancelled | BookingStatus::Expired => EventStatus::Cancelled,
        };
        let event = Event::new()
            .uid(&format!("{}@omnicanal", booking.id))
            .timestamp(utc(self.now_ms())?)
            .summary(&format!("{what} — {}", location.name))
            .description(&description)
            .location(&place)
            .starts(utc(booking.start_ms)?)
            .ends(utc(booking.end_ms)?)
            .url(&manage_url)
            .status(status)
            .done();
        let calendar = Calendar::new().name(&place).timezone(site.timezone.as_str()).push(event).done();
        Ok(calendar.to_string())
    }

    /// "Mesa para 4" or the service's name, Spanish first.
    async fn booked_what(&self, booking: &BookingRow) -> AppResult<String> {
        if let Some(service_id) = &booking.service_id
            && let Some(service) = self.store.get_booking_service(service_id).await?
        {
            return Ok(service.name);
        }
        Ok(match booking.party_size {
            Some(party) => format!("Reserva de mesa para {party} / Table for {party}"),
            None => "Reserva / Booking".to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_links_carry_the_token() {
        assert_eq!(manage_path("bkg_1", "abc"), "/reservas/bkg_1?token=abc");
        assert!(calendar_path("bkg_1", "abc").ends_with("/calendar.ics?token=abc"));
    }
}
