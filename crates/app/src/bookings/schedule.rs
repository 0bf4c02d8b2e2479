//! What the staff's schedule reads (issue 19 point 5): a location's bookings over a range of
//! at most [`MAX_RANGE_DAYS`] days — with the customer's name and contact, which staff may see,
//! the resource's and service's names, and how often the customer failed to come before — and
//! the range's counts by status with the no-show rate.
//!
//! A range's ends are an instant (RFC 3339) or a date: a date is read in the location's own
//! time zone (`from` = the start of that day, `to` = the end of that day), so "today" means the
//! same to the page and to the API. Listings are capped at [`MAX_LISTED_BOOKINGS`].
//!
//! A customer's past no-shows are counted across the merchant's locations by phone or e-mail
//! (there are no customer accounts on bookings yet): the same contact is the same customer.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use chrono_tz::Tz;
use omnicanal_domain::bookings::booking::BookingStatus;
use omnicanal_domain::bookings::staff::no_show_rate_bp;
use omnicanal_store::{BookingRow, LocationRow};

use crate::App;
use crate::caller::Caller;
use crate::console::day::{local_date, local_day_start_ms};
use crate::error::{AppError, AppResult};

/// The longest range a listing or a count covers.
pub const MAX_RANGE_DAYS: i64 = 31;
/// Most bookings one listing answers (a busy month of a large restaurant fits).
pub const MAX_LISTED_BOOKINGS: i64 = 2_000;
/// Most past no-shows read to count them (the counts saturate there).
const MAX_NO_SHOW_ROWS: i64 = 10_000;
const DAY_MS: i64 = 86_400_000;

/// One end of a range, as the request gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeEnd {
    /// An instant (Unix ms).
    At(i64),
    /// A local date of the location.
    Day(NaiveDate),
}

impl RangeEnd {
    /// Parses `2026-12-08` or an RFC 3339 instant; anything else is invalid, naming `field`.
    pub fn parse(field: &str, raw: &str) -> AppResult<Self> {
        let raw = raw.trim();
        if let Ok(day) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            return Ok(RangeEnd::Day(day));
        }
        chrono::DateTime::parse_from_rfc3339(raw)
            .map(|at| RangeEnd::At(at.timestamp_millis()))
            .map_err(|_| AppError::invalid(field, "must be a date (2026-12-08) or an RFC 3339 time with its offset"))
    }
}

/// A booking as the schedule shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledBooking {
    /// The booking, with its customer.
    pub booking: BookingRow,
    /// Its table's, staff member's or room's name.
    pub resource_name: Option<String>,
    /// Its service's name, for appointments.
    pub service_name: Option<String>,
    /// How many of the merchant's bookings with the same phone or e-mail were no-shows.
    pub past_no_shows: i64,
}

/// A range's bookings by status, and the no-show rate of those that were due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingStats {
    /// The range's start (Unix ms).
    pub from_ms: i64,
    /// The range's end, exclusive (Unix ms).
    pub to_ms: i64,
    /// Every status with its count (0 included), in the status table's order.
    pub by_status: Vec<(BookingStatus, i64)>,
    /// All the range's bookings.
    pub total: i64,
    /// No-shows over no-shows, seated and completed, in basis points.
    pub no_show_rate_bp: i64,
}

fn zone_of(timezone: &str) -> Tz {
    timezone.parse().unwrap_or(Tz::UTC)
}

/// `[from, to)` in Unix ms: absent `from` is today's start, absent `to` one day after `from`.
fn resolve_range(zone: Tz, now_ms: i64, from: Option<RangeEnd>, to: Option<RangeEnd>) -> AppResult<(i64, i64)> {
    let from_ms = match from {
        Some(RangeEnd::At(at)) => at,
        Some(RangeEnd::Day(day)) => local_day_start_ms(zone, day),
        None => local_day_start_ms(zone, local_date(zone, now_ms)),
    };
    let to_ms = match to {
        Some(RangeEnd::At(at)) => at,
        Some(RangeEnd::Day(day)) => day.succ_opt().map_or(i64::MAX, |next| local_day_start_ms(zone, next)),
        None => from_ms.saturating_add(DAY_MS),
    };
    if to_ms <= from_ms {
        return Err(AppError::invalid("to", "must be after from"));
    }
    // One extra hour allows a month whose range crosses a clock change.
    if to_ms - from_ms > MAX_RANGE_DAYS * DAY_MS + 3_600_000 {
        return Err(AppError::invalid("to", format!("a range covers at most {MAX_RANGE_DAYS} days")));
    }
    Ok((from_ms, to_ms))
}

impl App {
    async fn schedule_range(
        &self,
        location: &LocationRow,
        from: Option<RangeEnd>,
        to: Option<RangeEnd>,
    ) -> AppResult<(i64, i64)> {
        let site = self.store.get_site(&location.site_id).await?.ok_or(AppError::NotFound("location"))?;
        resolve_range(zone_of(&site.timezone), self.now_ms(), from, to)
    }

    /// A location's bookings over a range, by start, for its staff (at most
    /// [`MAX_LISTED_BOOKINGS`]).
    pub async fn location_schedule(
        &self,
        caller: &Caller,
        location_id: &str,
        from: Option<RangeEnd>,
        to: Option<RangeEnd>,
    ) -> AppResult<Vec<ScheduledBooking>> {
        let location = self.schedule_location(caller, location_id, "location").await?;
        let (from_ms, to_ms) = self.schedule_range(&location, from, to).await?;
        let bookings = self.store.location_bookings_between(&location.id, from_ms, to_ms, MAX_LISTED_BOOKINGS).await?;
        let resources: HashMap<String, String> = self
            .store
            .list_booking_resources(&location.id)
            .await?
            .into_iter()
            .map(|resource| (resource.id, resource.name))
            .collect();
        let service_ids: BTreeSet<String> = bookings.iter().filter_map(|booking| booking.service_id.clone()).collect();
        let mut services: BTreeMap<String, Option<String>> = BTreeMap::new();
        for service_id in service_ids {
            let name = self.store.get_booking_service(&service_id).await?.map(|service| service.name);
            services.insert(service_id, name);
        }
        let no_shows = self.past_no_shows(&location.merchant_id, &bookings).await?;
        Ok(bookings
            .into_iter()
            .map(|booking| {
                let past_no_shows = no_shows_of(&no_shows, &booking);
                ScheduledBooking {
                    resource_name: resources.get(&booking.resource_id).cloned(),
                    service_name: booking.service_id.as_ref().and_then(|id| services.get(id).cloned().flatten()),
                    past_no_shows,
                    booking,
                }
            })
            .collect())
    }

    /// The merchant's no-show bookings sharing a phone or an e-mail with `bookings`.
    async fn past_no_shows(
        &self,
        merchant_id: &str,
        bookings: &[BookingRow],
    ) -> AppResult<Vec<(Option<String>, Option<String>)>> {
        let mut phones: Vec<String> = bookings.iter().filter_map(|booking| booking.customer_phone.clone()).collect();
        let mut emails: Vec<String> = bookings.iter().filter_map(|booking| booking.customer_email.clone()).collect();
        phones.sort_unstable();
        phones.dedup();
        emails.sort_unstable();
        emails.dedup();
        Ok(self.store.no_show_contacts(merchant_id, &phones, &emails, MAX_NO_SHOW_ROWS).await?)
    }

    /// A location's bookings starting in a range, counted by status, and the no-show rate.
    pub async fn booking_stats(
        &self,
        caller: &Caller,
        location_id: &str,
        from: Option<RangeEnd>,
        to: Option<RangeEnd>,
    ) -> AppResult<BookingStats> {
        let location = self.schedule_location(caller, location_id, "location").await?;
        let (from_ms, to_ms) = self.schedule_range(&location, from, to).await?;
        let counted: HashMap<BookingStatus, i64> =
            self.store.booking_status_counts(&location.id, from_ms, to_ms).await?.into_iter().collect();
        let count = |status: BookingStatus| counted.get(&status).copied().unwrap_or(0);
        let by_status: Vec<(BookingStatus, i64)> =
            BookingStatus::ALL.iter().map(|&status| (status, count(status))).collect();
        Ok(BookingStats {
            from_ms,
            to_ms,
            total: by_status.iter().map(|(_, how_many)| how_many).sum(),
            no_show_rate_bp: no_show_rate_bp(
                count(BookingStatus::NoShow),
                count(BookingStatus::Seated),
                count(BookingStatus::Completed),
            ),
            by_status,
        })
    }
}

/// How many of the no-shows share this booking's phone or e-mail (a no-show matching both is
/// counted once).
fn no_shows_of(no_shows: &[(Option<String>, Option<String>)], booking: &BookingRow) -> i64 {
    let same = |mine: &Option<String>, theirs: &Option<String>| mine.is_some() && mine == theirs;
    let matching = no_shows
        .iter()
        .filter(|(phone, email)| same(&booking.customer_phone, phone) || same(&booking.customer_email, email))
        .count();
    i64::try_from(matching).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_796_727_600_000; // 2026-12-08 08:00 in Santiago (UTC-3)

    #[test]
    fn a_date_range_is_read_in_the_location_zone_and_bounded() {
        let zone: Tz = "America/Santiago".parse().unwrap_or(Tz::UTC);
        let day = NaiveDate::from_ymd_opt(2026, 12, 8);
        let (from, to) = resolve_range(zone, NOW, day.map(RangeEnd::Day), day.map(RangeEnd::Day)).unwrap_or_default();
        assert_eq!((from, to), (NOW - 8 * 3_600_000, NOW + 16 * 3_600_000));
        assert_eq!(resolve_range(zone, NOW, None, None).ok(), Some((from, to)));
        assert!(resolve_range(zone, NOW, Some(RangeEnd::At(NOW)), Some(RangeEnd::At(NOW))).is_err());
        assert!(resolve_range(zone, NOW, Some(RangeEnd::At(NOW)), Some(RangeEnd::At(NOW + 32 * DAY_MS))).is_err());
        assert!(RangeEnd::parse("from", "yesterday").is_err());
    }
}
